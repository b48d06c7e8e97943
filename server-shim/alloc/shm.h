/* SPDX-License-Identifier: MIT */
/*
 * Shared memory for shm buffers: a memfd of a fixed size, sealed so that a
 * viewer that maps it can trust it never shrinks under it, and mapped here
 * for the source to draw into.
 */
#ifndef EGLVIEW_SHM_H
#define EGLVIEW_SHM_H

#include <stdbool.h>
#include <stddef.h>

struct shm_block {
	int fd;
	void *data;
	size_t size;
};

/* A memfd named name (shown in /proc/PID/fd), size bytes, sealed against
 * shrinking, growing and further sealing, mapped read-write. */
bool shm_block_init(struct shm_block *block, const char *name, size_t size,
		    char *why, size_t why_size);
/* Unmaps and closes; a finished block, or one whose init failed, is fine. */
void shm_block_finish(struct shm_block *block);

#endif
