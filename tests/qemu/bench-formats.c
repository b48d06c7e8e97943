/* SPDX-License-Identifier: MIT */
/*
 * Benchmark (prints figures, asserts nothing): what the QEMU source's one
 * pass costs per full 1024x768 frame for each surface format: a copy
 * (x8r8g8b8 into XRGB8888, r5g6b5 into RGB565 memfds) or a conversion
 * into XRGB8888 (r5g6b5, x1r5g5b5, r8g8b8), with formats.c itself.
 */
#include <drm_fourcc.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "qemu/private.h"

#define FW 1024
#define FH 768
#define ROUNDS 200

static double
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int
main(void)
{
	static const struct { uint32_t pixman, to; } runs[] = {
		{ QEMU_PIXMAN_X8R8G8B8, DRM_FORMAT_XRGB8888 },
		{ QEMU_PIXMAN_R5G6B5, DRM_FORMAT_RGB565 },
		{ QEMU_PIXMAN_R5G6B5, DRM_FORMAT_XRGB8888 },
		{ QEMU_PIXMAN_X1R5G5B5, DRM_FORMAT_XRGB8888 },
		{ QEMU_PIXMAN_R8G8B8, DRM_FORMAT_XRGB8888 },
	};
	uint8_t *src = malloc((size_t)FW * FH * 4);
	uint8_t *dst = malloc((size_t)FW * FH * 4);
	if (src == NULL || dst == NULL)
		return 1;
	for (size_t i = 0; i < (size_t)FW * FH * 4; i++)
		src[i] = (uint8_t)(i * 2654435761u >> 13);
	unsigned sum = 0;
	for (size_t r = 0; r < sizeof(runs) / sizeof(runs[0]); r++) {
		const struct qemu_format *f = qemu_format_lookup(runs[r].pixman);
		uint32_t dst_bpp = runs[r].to == DRM_FORMAT_RGB565 ? 2 : 4;
		/* One untimed pass: the pages are touched. */
		qemu_format_convert(f, runs[r].to, dst, FW * dst_bpp, src,
				    (size_t)FW * f->bpp, FW, FH);
		double t0 = now_ms();
		for (int k = 0; k < ROUNDS; k++) {
			qemu_format_convert(f, runs[r].to, dst, FW * dst_bpp,
					    src, (size_t)FW * f->bpp, FW, FH);
			sum += dst[k];
		}
		double ms = (now_ms() - t0) / ROUNDS;
		printf("%-9s -> %-8s %s: %.3f ms per 1024x768 frame (%.0f "
		       "Mpixel/s)\n", f->name, runs[r].to == DRM_FORMAT_RGB565 ?
		       "RGB565" : "XRGB8888", f->fourcc == runs[r].to ?
		       "copy      " : "conversion", ms,
		       FW * FH / ms / 1e3);
	}
	free(src);
	free(dst);
	return sum == 1 ? 1 : 0; /* keeps the loop's work */
}
