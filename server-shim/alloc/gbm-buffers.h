/* SPDX-License-Identifier: MIT */
/*
 * dmabuf buffers for sources, from GBM on a DRM node: linear XRGB8888
 * buffer objects, exported as dmabuf fds and written through gbm_bo_map.
 * Render nodes are tried first, then card nodes (Mesa's kms_swrast on vgem
 * or vkms allocates dumb buffers, which only card nodes allow). Where there
 * is none (CI, most containers) opening fails with a message that says so.
 */
#ifndef EGLVIEW_GBM_BUFFERS_H
#define EGLVIEW_GBM_BUFFERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eglview-proto.h"

struct gbm_buffers;

struct gbm_buffers_bo {
	struct gbm_buffers *owner;
	struct gbm_bo *bo;
	int fd;              /* dmabuf of plane 0 */
	uint32_t width, height;
	uint32_t stride, offset;
	uint64_t modifier;   /* as GBM made it (LINEAR unless asked otherwise) */
};

/* The first /dev/dri/renderD*, else /dev/dri/card*, node on which GBM can
 * allocate a linear XRGB8888 buffer. NULL with why filled when none can. */
struct gbm_buffers *gbm_buffers_open(char *why, size_t why_size);
void gbm_buffers_close(struct gbm_buffers *buffers);
/* The node's path, e.g. "/dev/dri/renderD128". */
const char *gbm_buffers_node(const struct gbm_buffers *buffers);

struct gbm_buffers_bo *gbm_buffers_bo_create(struct gbm_buffers *buffers,
					     uint32_t width, uint32_t height,
					     char *why, size_t why_size);
/* XRGB8888 with one of modifiers (the viewers' offer; GBM picks). Only
 * LINEAR offered: a GBM_BO_USE_LINEAR buffer, also on drivers without
 * modifier support. NULL with why filled when GBM can make none. */
struct gbm_buffers_bo *gbm_buffers_bo_create_with_modifiers(
	struct gbm_buffers *buffers, uint32_t width, uint32_t height,
	const uint64_t *modifiers, size_t n_modifiers, char *why,
	size_t why_size);
void gbm_buffers_bo_destroy(struct gbm_buffers_bo *bo);
/* Copies rects of src (an XRGB8888 image the size of bo) into bo. */
bool gbm_buffers_bo_write(struct gbm_buffers_bo *bo, const uint32_t *src,
			  uint32_t src_stride, const struct proto_rect *rects,
			  uint32_t n_rects, char *why, size_t why_size);

#endif
