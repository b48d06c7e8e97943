/* SPDX-License-Identifier: MIT */
/*
 * The EGL attribute list that describes a dmabuf to
 * eglCreateImageKHR(EGL_LINUX_DMA_BUF_EXT). Pure, so it is unit-tested
 * where no driver can import anything.
 */
#ifndef EGLVIEW_IMPORT_DMABUF_H
#define EGLVIEW_IMPORT_DMABUF_H

#include <stdbool.h>
#include <stddef.h>

#include <epoxy/egl.h>

#include "eglview-proto.h"

/* 3 pairs for the size and format, 5 pairs per plane, EGL_NONE. */
#define IMPORT_DMABUF_MAX_ATTRIBS (3 * 2 + PROTO_MAX_PLANES * 5 * 2 + 1)

/* Fills attribs for desc, plane i using fds[i]: EGL_WIDTH, EGL_HEIGHT,
 * EGL_LINUX_DRM_FOURCC_EXT, then per plane FD, OFFSET, PITCH and, when
 * with_modifiers and desc->modifier is not DRM_FORMAT_MOD_INVALID,
 * MODIFIER_LO/HI; ends with EGL_NONE. Returns the number of EGLints
 * written including EGL_NONE, or 0 when n_planes is not 1..4. */
size_t import_dmabuf_attribs(EGLint attribs[static IMPORT_DMABUF_MAX_ATTRIBS],
			     const struct proto_buffer_dmabuf *desc,
			     const int *fds, bool with_modifiers);

#endif
