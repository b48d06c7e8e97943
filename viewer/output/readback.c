/* SPDX-License-Identifier: MIT */
#include "output/readback.h"

#include <stdio.h>
#include <stdlib.h>

#include <epoxy/gl.h>

#include "output/pngfile.h"

static void
read_rect(const struct readback *rb, const struct layout_rect *r)
{
	/* GL counts rows from the bottom, as the kept copy does. */
	int y = rb->height - r->y - r->height;
	uint8_t *at = rb->pixels + ((size_t)y * rb->width + r->x) * 4;
	if (epoxy_gl_version() >= 30) {
		glPixelStorei(GL_PACK_ROW_LENGTH, rb->width);
		glReadPixels(r->x, y, r->width, r->height, GL_RGBA,
			     GL_UNSIGNED_BYTE, at);
		glPixelStorei(GL_PACK_ROW_LENGTH, 0);
		return;
	}
	for (int row = 0; row < r->height; row++)
		glReadPixels(r->x, y + row, r->width, 1, GL_RGBA, GL_UNSIGNED_BYTE,
			     at + (size_t)row * rb->width * 4);
}

/* Makes room for width x height; false when there is none. The damage
 * counts only when the size stayed. */
static bool
resize(struct readback *rb, int width, int height, const struct damage **damage)
{
	if (rb->width != width || rb->height != height) {
		free(rb->pixels);
		rb->pixels = malloc((size_t)width * height * 4);
		rb->width = rb->pixels ? width : 0;
		rb->height = rb->pixels ? height : 0;
		*damage = NULL;
	}
	return rb->pixels != NULL;
}

void
readback_update(struct readback *rb, int width, int height,
		const struct damage *damage)
{
	struct layout_rect all = { 0, 0, width, height };
	if (!resize(rb, width, height, &damage))
		return;
	glPixelStorei(GL_PACK_ALIGNMENT, 4);
	if (!damage) {
		read_rect(rb, &all);
		return;
	}
	for (int i = 0; i < damage->n; i++) {
		struct layout_rect r = damage->rects[i];
		if (layout_rect_intersect(&r, &all))
			read_rect(rb, &r);
	}
}

static void
copy_rect(struct readback *rb, const uint32_t *pixels, size_t stride,
	  const struct layout_rect *r)
{
	for (int y = r->y; y < r->y + r->height; y++) {
		const uint32_t *src = (const uint32_t *)((const uint8_t *)pixels +
							 (size_t)y * stride);
		uint8_t *dst = rb->pixels + (size_t)(rb->height - 1 - y) *
			       rb->width * 4;
		for (int x = r->x; x < r->x + r->width; x++) {
			uint32_t v = src[x];
			dst[4 * x] = (uint8_t)(v >> 16);
			dst[4 * x + 1] = (uint8_t)(v >> 8);
			dst[4 * x + 2] = (uint8_t)v;
			dst[4 * x + 3] = 0xff; /* a window shows no alpha */
		}
	}
}

void
readback_update_pixels(struct readback *rb, const uint32_t *pixels,
		       size_t stride, int width, int height,
		       const struct damage *damage)
{
	struct layout_rect all = { 0, 0, width, height };
	if (!resize(rb, width, height, &damage))
		return;
	if (!damage) {
		copy_rect(rb, pixels, stride, &all);
		return;
	}
	for (int i = 0; i < damage->n; i++) {
		struct layout_rect r = damage->rects[i];
		if (layout_rect_intersect(&r, &all))
			copy_rect(rb, pixels, stride, &r);
	}
}

void
readback_finish(struct readback *rb)
{
	free(rb->pixels);
	*rb = (struct readback){ 0 };
}

bool
readback_write_png(const struct readback *rb, const char *path, char *why,
		   size_t why_size)
{
	if (!rb->pixels) {
		snprintf(why, why_size, "no snapshot for %s: the window keeps no "
			 "copy of its frames (keep_frame not set) or none was shown",
			 path);
		return false;
	}
	return pngfile_write_rgba(path, rb->width, rb->height, rb->pixels,
				  (size_t)rb->width * 4, true, why, why_size);
}
