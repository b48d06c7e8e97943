/* SPDX-License-Identifier: MIT */
/*
 * shm buffers: a sealed memfd, mapped read-only once and shown as a
 * mapped buffer (mapping.c).
 */
#include <unistd.h>

#include "render/private.h"

struct render_buffer *
shm_import(struct renderer *r, const struct proto_buffer_shm *desc, int fd,
	   char *why, size_t why_size)
{
	struct render_buffer *buf = mapped_buffer_create("BUFFER_SHM", desc, fd,
							 false, why, why_size);
	/* The mapping keeps the memory alive; the fd is not needed again. */
	close(fd);
	if (buf)
		r->stats.imports_shm++;
	return buf;
}
