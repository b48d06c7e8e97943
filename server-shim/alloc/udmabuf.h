/* SPDX-License-Identifier: MIT */
/*
 * udmabuf-backed buffers: a sealed memfd turned into a dma-buf by
 * /dev/udmabuf (UDMABUF_CREATE). To an importer such a buffer is "foreign"
 * (it belongs to no DRM device), which is what a guest's buffers are to the
 * host's GPU; the source draws into the memfd's mapping.
 *
 * Note for tests: Mesa's kms_swrast crashes importing foreign dma-bufs (it
 * dumb-maps them, which the kernel refuses); Mesa 25's software EGL device
 * imports them. See "The dma-buf test VM" in tests/README.md.
 */
#ifndef EGLVIEW_UDMABUF_H
#define EGLVIEW_UDMABUF_H

#include <stdbool.h>
#include <stddef.h>

struct udmabuf_block {
	int memfd;      /* the memory, sealed against shrinking */
	int fd;         /* the dma-buf over all of it */
	void *data;     /* the memfd mapped read-write */
	size_t size;    /* a multiple of the page size */
};

/* Whether /dev/udmabuf can be opened; why filled when not. */
bool udmabuf_available(char *why, size_t why_size);
/* At least size bytes (rounded up to pages), zeroed. false with why
 * filled on failure; the block is then finished. */
bool udmabuf_block_init(struct udmabuf_block *block, const char *name,
			size_t size, char *why, size_t why_size);
/* Unmaps and closes; an unused ({ .memfd = -1, .fd = -1 }) or finished
 * block is fine. */
void udmabuf_block_finish(struct udmabuf_block *block);
/* DMA_BUF_IOCTL_SYNC around CPU writes into data. */
void udmabuf_block_begin_write(struct udmabuf_block *block);
void udmabuf_block_end_write(struct udmabuf_block *block);

#endif
