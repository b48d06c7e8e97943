/* SPDX-License-Identifier: MIT */
/* udmabuf: memfd + UDMABUF_CREATE. */
#include <errno.h>
#include <fcntl.h>
#include <linux/dma-buf.h>
#include <linux/udmabuf.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "alloc/udmabuf.h"

#define UDMABUF_DEVICE "/dev/udmabuf"

bool
udmabuf_available(char *why, size_t why_size)
{
	int dev = open(UDMABUF_DEVICE, O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		snprintf(why, why_size, "cannot open %s: %s (the kernel needs "
			 "CONFIG_UDMABUF; use --buffers shm or dmabuf)",
			 UDMABUF_DEVICE, strerror(errno));
		return false;
	}
	close(dev);
	return true;
}

void
udmabuf_block_finish(struct udmabuf_block *block)
{
	if (block->data != NULL && block->data != MAP_FAILED)
		munmap(block->data, block->size);
	if (block->fd >= 0)
		close(block->fd);
	if (block->memfd >= 0)
		close(block->memfd);
	*block = (struct udmabuf_block){ .memfd = -1, .fd = -1 };
}

bool
udmabuf_block_init(struct udmabuf_block *block, const char *name,
		   size_t size, char *why, size_t why_size)
{
	*block = (struct udmabuf_block){ .memfd = -1, .fd = -1 };
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	block->size = (size + page - 1) / page * page;
	block->memfd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (block->memfd < 0) {
		snprintf(why, why_size, "memfd_create(%s): %s", name,
			 strerror(errno));
		goto fail;
	}
	if (ftruncate(block->memfd, (off_t)block->size) < 0) {
		snprintf(why, why_size, "cannot size memfd %s to %zu bytes: %s",
			 name, block->size, strerror(errno));
		goto fail;
	}
	/* udmabuf refuses memory that could shrink under the dma-buf. */
	if (fcntl(block->memfd, F_ADD_SEALS, F_SEAL_SHRINK) < 0) {
		snprintf(why, why_size, "cannot seal memfd %s: %s", name,
			 strerror(errno));
		goto fail;
	}
	int dev = open(UDMABUF_DEVICE, O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		snprintf(why, why_size, "cannot open %s: %s (the kernel needs "
			 "CONFIG_UDMABUF)", UDMABUF_DEVICE, strerror(errno));
		goto fail;
	}
	struct udmabuf_create create = {
		.memfd = (__u32)block->memfd,
		.flags = UDMABUF_FLAGS_CLOEXEC,
		.offset = 0,
		.size = block->size,
	};
	block->fd = ioctl(dev, UDMABUF_CREATE, &create);
	int err = errno;
	close(dev);
	if (block->fd < 0) {
		snprintf(why, why_size, "UDMABUF_CREATE for %zu bytes of memfd "
			 "%s failed: %s", block->size, name, strerror(err));
		goto fail;
	}
	block->data = mmap(NULL, block->size, PROT_READ | PROT_WRITE,
			   MAP_SHARED, block->memfd, 0);
	if (block->data == MAP_FAILED) {
		block->data = NULL;
		snprintf(why, why_size, "cannot map memfd %s (%zu bytes): %s",
			 name, block->size, strerror(errno));
		goto fail;
	}
	return true;

fail:
	udmabuf_block_finish(block);
	return false;
}

static void
sync_dmabuf(struct udmabuf_block *block, __u64 flags)
{
	struct dma_buf_sync sync = { .flags = flags | DMA_BUF_SYNC_WRITE };
	/* Advisory for memfd-backed memory (the CPU sees it coherently);
	 * an importer that caches would need it, so it is kept. */
	while (ioctl(block->fd, DMA_BUF_IOCTL_SYNC, &sync) < 0 && errno == EINTR)
		;
}

void
udmabuf_block_begin_write(struct udmabuf_block *block)
{
	sync_dmabuf(block, DMA_BUF_SYNC_START);
}

void
udmabuf_block_end_write(struct udmabuf_block *block)
{
	sync_dmabuf(block, DMA_BUF_SYNC_END);
}
