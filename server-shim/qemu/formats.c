/* SPDX-License-Identifier: MIT */
/*
 * The pixman formats QEMU's surfaces come in (qemu_default_pixman_format:
 * 32, 24, 16 and 15 bits per pixel on a little-endian host), what each
 * is as a DRM fourcc the protocol knows, and the conversion of the others
 * into XRGB8888. A 5- or 6-bit channel is widened to round(v * 255 / max),
 * which is what GL yields for an RGB565 texture drawn into an 8-bit
 * framebuffer: a viewer shows a converted RGB565 picture exactly as it
 * shows one passed as it is.
 */
#include <drm_fourcc.h>
#include <stddef.h>
#include <string.h>

#include "qemu/private.h"

static const struct qemu_format formats[] = {
	{ QEMU_PIXMAN_X8R8G8B8, "x8r8g8b8", 4, DRM_FORMAT_XRGB8888 },
	/* The guest's alpha means nothing on a screen. */
	{ QEMU_PIXMAN_A8R8G8B8, "a8r8g8b8", 4, DRM_FORMAT_XRGB8888 },
	{ QEMU_PIXMAN_R5G6B5, "r5g6b5", 2, DRM_FORMAT_RGB565 },
	{ QEMU_PIXMAN_X1R5G5B5, "x1r5g5b5", 2, 0 },
	{ QEMU_PIXMAN_R8G8B8, "r8g8b8", 3, 0 },
};

const struct qemu_format *
qemu_format_lookup(uint32_t pixman)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (formats[i].pixman == pixman)
			return &formats[i];
	return NULL;
}

/* round(v * 255 / 31) and round(v * 255 / 63), without a division. */
static inline uint32_t
widen5(uint32_t v)
{
	return (v * 527 + 23) >> 6;
}

static inline uint32_t
widen6(uint32_t v)
{
	return (v * 259 + 33) >> 6;
}

/* memcpy loads: QEMU's rows need not be aligned (a message's "ay");
 * little-endian hosts only, as QEMU's native-endian surfaces here. */
static void
row_r5g6b5(uint32_t *dst, const uint8_t *src, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		uint16_t v16;
		memcpy(&v16, src + 2 * i, 2);
		uint32_t v = v16;
		dst[i] = 0xff000000u | widen5(v >> 11) << 16 |
			 widen6(v >> 5 & 0x3f) << 8 | widen5(v & 0x1f);
	}
}

static void
row_x1r5g5b5(uint32_t *dst, const uint8_t *src, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		uint16_t v16;
		memcpy(&v16, src + 2 * i, 2);
		uint32_t v = v16;
		dst[i] = 0xff000000u | widen5(v >> 10 & 0x1f) << 16 |
			 widen5(v >> 5 & 0x1f) << 8 | widen5(v & 0x1f);
	}
}

/* pixman's 24-bit pixels are little-endian 0xRRGGBB: B, G, R in memory. */
static void
row_r8g8b8(uint32_t *dst, const uint8_t *src, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *p = src + 3 * i;
		dst[i] = 0xff000000u | (uint32_t)p[2] << 16 |
			 (uint32_t)p[1] << 8 | p[0];
	}
}

void
qemu_format_convert(const struct qemu_format *from, uint32_t to_fourcc,
		    uint8_t *dst, size_t dst_stride, const uint8_t *src,
		    size_t src_stride, uint32_t width, uint32_t rows)
{
	if (from->fourcc == to_fourcc) {
		size_t row_bytes = (size_t)width * from->bpp;
		if (dst_stride == row_bytes && src_stride == row_bytes) {
			memcpy(dst, src, row_bytes * rows);
			return;
		}
		for (uint32_t y = 0; y < rows; y++)
			memcpy(dst + y * dst_stride, src + y * src_stride,
			       row_bytes);
		return;
	}
	/* Anything else goes into XRGB8888 only (pixels.c asks no more). */
	if (to_fourcc != DRM_FORMAT_XRGB8888)
		return;
	void (*row)(uint32_t *, const uint8_t *, uint32_t) =
		from->pixman == QEMU_PIXMAN_R5G6B5 ? row_r5g6b5 :
		from->pixman == QEMU_PIXMAN_X1R5G5B5 ? row_x1r5g5b5 :
		row_r8g8b8;
	for (uint32_t y = 0; y < rows; y++)
		row((uint32_t *)(void *)(dst + y * dst_stride),
		    src + y * src_stride, width);
}
