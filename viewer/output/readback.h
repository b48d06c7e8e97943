/* SPDX-License-Identifier: MIT */
/*
 * A window's last presented frame kept on the CPU, for --snapshot: after
 * each present only what changed is read back from GL.
 */
#ifndef EGLVIEW_OUTPUT_READBACK_H
#define EGLVIEW_OUTPUT_READBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "damage.h"

struct readback {
	uint8_t *pixels;          /* bottom-up RGBA, as glReadPixels gives */
	int width, height;
};

/* Reads damage (output pixels, y down; NULL: all) of the current
 * width x height framebuffer; all of it when the size changed. */
void readback_update(struct readback *rb, int width, int height,
		     const struct damage *damage);
/* The same from pixels the CPU drew (XRGB8888 rows top-down), opaque as
 * the window shows them. */
void readback_update_pixels(struct readback *rb, const uint32_t *pixels,
			    size_t stride, int width, int height,
			    const struct damage *damage);
void readback_finish(struct readback *rb);
/* Writes it as PNG; false with why filled when nothing was kept. */
bool readback_write_png(const struct readback *rb, const char *path,
			char *why, size_t why_size);

#endif
