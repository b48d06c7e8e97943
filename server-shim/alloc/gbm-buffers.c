/* SPDX-License-Identifier: MIT */
/* GBM buffer objects on a DRM node, exported as dmabufs. */
#include <errno.h>
#include <fcntl.h>
#include <gbm.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "alloc/gbm-buffers.h"

struct gbm_buffers {
	int fd;
	struct gbm_device *device;
	char node[64];
};

static struct gbm_bo *
create_linear(struct gbm_device *device, uint32_t width, uint32_t height)
{
	/* GBM_BO_USE_LINEAR: a viewer that cannot import the dmabuf can
	 * still mmap it and read rows at the stride. */
	return gbm_bo_create(device, width, height, GBM_FORMAT_XRGB8888,
			     GBM_BO_USE_LINEAR | GBM_BO_USE_RENDERING);
}

/* A device counts only if it can really allocate what the demo needs. */
static bool
try_node(struct gbm_buffers *buffers, const char *path, char *why,
	 size_t why_size)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, why_size, "cannot open render node %s: %s", path,
			 strerror(errno));
		return false;
	}
	struct gbm_device *device = gbm_create_device(fd);
	if (device == NULL) {
		snprintf(why, why_size, "GBM cannot use render node %s "
			 "(gbm_create_device failed)", path);
		close(fd);
		return false;
	}
	struct gbm_bo *probe = create_linear(device, 64, 64);
	if (probe == NULL) {
		snprintf(why, why_size, "GBM on %s cannot allocate a linear "
			 "XRGB8888 buffer (%s backend)", path,
			 gbm_device_get_backend_name(device));
		gbm_device_destroy(device);
		close(fd);
		return false;
	}
	gbm_bo_destroy(probe);
	buffers->fd = fd;
	buffers->device = device;
	snprintf(buffers->node, sizeof(buffers->node), "%s", path);
	return true;
}

struct gbm_buffers *
gbm_buffers_open(char *why, size_t why_size)
{
	/* Render nodes first (a GPU); then card nodes, which GBM's
	 * software path (kms_swrast on vgem, as in the test VM) needs since
	 * dumb buffers are not render-node ioctls. */
	glob_t nodes;
	int err = glob("/dev/dri/renderD*", 0, NULL, &nodes);
	err = glob("/dev/dri/card*", err == 0 ? GLOB_APPEND : 0, NULL, &nodes);
	if (err != 0 && nodes.gl_pathc == 0) {
		snprintf(why, why_size, "no render node (neither /dev/dri/renderD* "
			 "nor /dev/dri/card* exists): dmabuf buffers need a "
			 "GPU or a virtual one (virtio-gpu, vgem); use --buffers shm");
		return NULL;
	}
	struct gbm_buffers *buffers = calloc(1, sizeof(*buffers));
	if (buffers == NULL) {
		globfree(&nodes);
		snprintf(why, why_size, "out of memory");
		return NULL;
	}
	bool found = false;
	for (size_t i = 0; i < nodes.gl_pathc && !found; i++)
		found = try_node(buffers, nodes.gl_pathv[i], why, why_size);
	globfree(&nodes);
	if (!found) {
		/* why holds the last node's failure. */
		size_t len = strlen(why);
		snprintf(why + len, why_size - len, "; use --buffers shm");
		free(buffers);
		return NULL;
	}
	return buffers;
}

void
gbm_buffers_close(struct gbm_buffers *buffers)
{
	if (buffers == NULL)
		return;
	gbm_device_destroy(buffers->device);
	close(buffers->fd);
	free(buffers);
}

const char *
gbm_buffers_node(const struct gbm_buffers *buffers)
{
	return buffers->node;
}

/* Only LINEAR asked for: what create_linear makes, also on drivers
 * without modifier support (kms_swrast may lack it). */
static bool
only_linear(const uint64_t *modifiers, size_t n_modifiers)
{
	for (size_t i = 0; i < n_modifiers; i++) {
		if (modifiers[i] != DRM_FORMAT_MOD_LINEAR)
			return false;
	}
	return n_modifiers > 0;
}

struct gbm_buffers_bo *
gbm_buffers_bo_create(struct gbm_buffers *buffers, uint32_t width,
		      uint32_t height, char *why, size_t why_size)
{
	static const uint64_t linear = DRM_FORMAT_MOD_LINEAR;
	return gbm_buffers_bo_create_with_modifiers(buffers, width, height,
						    &linear, 1, why, why_size);
}

struct gbm_buffers_bo *
gbm_buffers_bo_create_with_modifiers(struct gbm_buffers *buffers,
				     uint32_t width, uint32_t height,
				     const uint64_t *modifiers,
				     size_t n_modifiers, char *why,
				     size_t why_size)
{
	struct gbm_buffers_bo *bo = calloc(1, sizeof(*bo));
	if (bo == NULL) {
		snprintf(why, why_size, "out of memory");
		return NULL;
	}
	bo->owner = buffers;
	bo->fd = -1;
	if (only_linear(modifiers, n_modifiers))
		bo->bo = create_linear(buffers->device, width, height);
	else if (n_modifiers > 0)
		bo->bo = gbm_bo_create_with_modifiers(buffers->device, width,
						      height, GBM_FORMAT_XRGB8888,
						      modifiers,
						      (unsigned)n_modifiers);
	if (bo->bo == NULL) {
		snprintf(why, why_size, "GBM on %s cannot allocate a %ux%u "
			 "XRGB8888 buffer with any of the %zu modifier(s) "
			 "offered (first 0x%016llx): %s", buffers->node, width,
			 height, n_modifiers, n_modifiers ?
			 (unsigned long long)modifiers[0] : 0ull,
			 n_modifiers ? strerror(errno) : "none given");
		free(bo);
		return NULL;
	}
	bo->fd = gbm_bo_get_fd_for_plane(bo->bo, 0);
	if (bo->fd < 0)
		bo->fd = gbm_bo_get_fd(bo->bo);
	if (bo->fd < 0) {
		snprintf(why, why_size, "cannot export a GBM buffer of %s as a "
			 "dmabuf: %s", buffers->node, strerror(errno));
		gbm_buffers_bo_destroy(bo);
		return NULL;
	}
	bo->width = width;
	bo->height = height;
	bo->stride = gbm_bo_get_stride_for_plane(bo->bo, 0);
	bo->offset = gbm_bo_get_offset(bo->bo, 0);
	/* With only LINEAR asked for it was made with GBM_BO_USE_LINEAR;
	 * an old driver may not report the modifier, but linear is what it
	 * is. */
	uint64_t modifier = gbm_bo_get_modifier(bo->bo);
	bo->modifier = modifier == DRM_FORMAT_MOD_INVALID &&
		       only_linear(modifiers, n_modifiers) ?
		       DRM_FORMAT_MOD_LINEAR : modifier;
	return bo;
}

void
gbm_buffers_bo_destroy(struct gbm_buffers_bo *bo)
{
	if (bo == NULL)
		return;
	if (bo->fd >= 0)
		close(bo->fd);
	gbm_bo_destroy(bo->bo);
	free(bo);
}

bool
gbm_buffers_bo_write(struct gbm_buffers_bo *bo, const uint32_t *src,
		     uint32_t src_stride, const struct proto_rect *rects,
		     uint32_t n_rects, char *why, size_t why_size)
{
	for (uint32_t i = 0; i < n_rects; i++) {
		const struct proto_rect *r = &rects[i];
		uint32_t map_stride = 0;
		void *map_data = NULL;
		/* The map covers just the rect; its pointer is the rect's
		 * top-left pixel. */
		uint8_t *dst = gbm_bo_map(bo->bo, r->x, r->y, r->width,
					  r->height, GBM_BO_TRANSFER_WRITE,
					  &map_stride, &map_data);
		if (dst == NULL) {
			snprintf(why, why_size, "cannot map a GBM buffer of %s "
				 "for writing (rect %ux%u at %u,%u): %s",
				 bo->owner->node, r->width, r->height, r->x,
				 r->y, strerror(errno));
			return false;
		}
		const uint8_t *from = (const uint8_t *)src +
				      (size_t)r->y * src_stride + (size_t)r->x * 4;
		for (uint32_t row = 0; row < r->height; row++)
			memcpy(dst + (size_t)row * map_stride,
			       from + (size_t)row * src_stride,
			       (size_t)r->width * 4);
		gbm_bo_unmap(bo->bo, map_data);
	}
	return true;
}
