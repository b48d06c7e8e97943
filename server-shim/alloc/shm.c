/* SPDX-License-Identifier: MIT */
/* Sealed memfds for shm buffers. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "alloc/shm.h"

bool
shm_block_init(struct shm_block *block, const char *name, size_t size,
	       char *why, size_t why_size)
{
	*block = (struct shm_block){ .fd = -1, .data = MAP_FAILED };
	block->fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (block->fd < 0) {
		snprintf(why, why_size, "memfd_create(\"%s\"): %s; the kernel "
			 "needs memfd support (Linux 3.17 or later)", name,
			 strerror(errno));
		goto fail;
	}
	if (ftruncate(block->fd, (off_t)size) < 0) {
		snprintf(why, why_size, "cannot size memfd \"%s\" to %zu bytes: "
			 "%s", name, size, strerror(errno));
		goto fail;
	}
	/* A viewer maps the fd: it must not shrink under it (SIGBUS), and
	 * nobody may lift the seals later. */
	if (fcntl(block->fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW |
		  F_SEAL_SEAL) < 0) {
		snprintf(why, why_size, "cannot seal memfd \"%s\": %s", name,
			 strerror(errno));
		goto fail;
	}
	block->data = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
			   block->fd, 0);
	if (block->data == MAP_FAILED) {
		snprintf(why, why_size, "cannot map memfd \"%s\" of %zu bytes: "
			 "%s", name, size, strerror(errno));
		goto fail;
	}
	block->size = size;
	return true;

fail:
	shm_block_finish(block);
	return false;
}

void
shm_block_finish(struct shm_block *block)
{
	if (block->data != NULL && block->data != MAP_FAILED)
		munmap(block->data, block->size);
	if (block->fd >= 0)
		close(block->fd);
	*block = (struct shm_block){ .fd = -1, .data = NULL };
}
