/* SPDX-License-Identifier: MIT */
/*
 * The pixel formats this protocol version knows: plane count, bytes per
 * pixel and subsampling, which the validator uses for stride and size.
 */
#include <drm_fourcc.h>

#include "proto.h"

static const struct proto_fourcc_info formats[] = {
	{ DRM_FORMAT_XRGB8888, 1, { 4 }, 1, 1 },
	{ DRM_FORMAT_ARGB8888, 1, { 4 }, 1, 1 },
	{ DRM_FORMAT_XBGR8888, 1, { 4 }, 1, 1 },
	{ DRM_FORMAT_ABGR8888, 1, { 4 }, 1, 1 },
	{ DRM_FORMAT_RGB565, 1, { 2 }, 1, 1 },
	/* Y plane, then interleaved CbCr at half width and height. */
	{ DRM_FORMAT_NV12, 2, { 1, 2 }, 2, 2 },
};

const struct proto_fourcc_info *
proto_fourcc_info(uint32_t fourcc)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (formats[i].fourcc == fourcc)
			return &formats[i];
	}
	return NULL;
}

const char *
proto_fourcc_name(uint32_t fourcc, char buf[static 5])
{
	for (int i = 0; i < 4; i++) {
		char c = (char)((fourcc >> (8 * i)) & 0xff);
		buf[i] = (c >= 0x20 && c < 0x7f) ? c : '?';
	}
	buf[4] = '\0';
	return buf;
}
