/* SPDX-License-Identifier: MIT */
/*
 * Frames the CPU draws (--draw cpu): on a software GL renderer a picture
 * shown 1:1 costs a memcpy of what changed, where GL would run a shader
 * over the whole window (README "Performance"). Each head showing a
 * mapped (shm) buffer keeps a copy of its picture, filled where its GL
 * texture is, from the same damage at the same moment (the server keeps
 * the buffer still only until FRAME_DONE); frames are composed from that
 * copy. Pixels are XRGB8888 (0xXXRRGGBB), rows top-down; the byte above
 * red is what the buffer had (a window shows none of it), so a frame
 * equals what GL draws in its colours.
 */
#include <drm_fourcc.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "render/private.h"

void
cpu_picture_finish(struct cpu_picture *p)
{
	free(p->pixels);
	*p = (struct cpu_picture){ 0 };
}

/* One source pixel as 0xAARRGGBB. */
static uint32_t
pixel_of(const uint8_t *src, uint32_t fourcc)
{
	uint32_t v;
	switch (fourcc) {
	case DRM_FORMAT_XRGB8888:
		memcpy(&v, src, 4);
		return v | 0xff000000u;
	case DRM_FORMAT_ARGB8888:
		memcpy(&v, src, 4);
		return v;
	case DRM_FORMAT_XBGR8888:
	case DRM_FORMAT_ABGR8888:
		memcpy(&v, src, 4);
		v = (v & 0xff00ff00u) | (v & 0xffu) << 16 | (v >> 16 & 0xffu);
		return fourcc == DRM_FORMAT_XBGR8888 ? v | 0xff000000u : v;
	default: /* RGB565: widened as GL samples it */
		v = (uint32_t)src[0] | (uint32_t)src[1] << 8;
		uint32_t r = v >> 11, g = v >> 5 & 0x3f, b = v & 0x1f;
		return 0xff000000u | ((r * 255 + 15) / 31) << 16 |
		       ((g * 255 + 31) / 63) << 8 | ((b * 255 + 15) / 31);
	}
}

bool
cpu_picture_copy(struct render_head *head, const uint8_t *data,
		 uint32_t stride, const struct shm_format *fmt,
		 const struct proto_rect *rect)
{
	struct cpu_picture *p = &head->cpu;
	const struct proto_scanout *s = &head->scanout;
	if (p->width != (int)s->width || p->height != (int)s->height) {
		cpu_picture_finish(p);
		p->pixels = malloc((size_t)s->width * s->height * 4);
		if (!p->pixels)
			return false;
		p->width = (int)s->width;
		p->height = (int)s->height;
	}
	bool y0_top = s->flags & PROTO_SCANOUT_Y0_TOP;
	for (uint32_t row = 0; row < rect->height; row++) {
		uint32_t by = rect->y + row;
		uint32_t py = y0_top ? by - s->y : s->y + s->height - 1 - by;
		const uint8_t *src = data + (size_t)by * stride +
				     (size_t)rect->x * (size_t)fmt->cpp;
		uint32_t *dst = p->pixels + (size_t)py * p->width +
				(rect->x - s->x);
		if (fmt->fourcc == DRM_FORMAT_ARGB8888 ||
		    fmt->fourcc == DRM_FORMAT_XRGB8888) {
			memcpy(dst, src, (size_t)rect->width * 4);
			continue;
		}
		for (uint32_t x = 0; x < rect->width; x++)
			dst[x] = pixel_of(src + (size_t)x * fmt->cpp, fmt->fourcc);
	}
	/* A copy of the whole source rect makes it valid; the rest keeps
	 * it valid. */
	if (rect->x == s->x && rect->y == s->y && rect->width == s->width &&
	    rect->height == s->height)
		p->valid = true;
	return true;
}

bool
cpu_reads_buffer(const struct render_head *head)
{
	const uint8_t *row0;
	uint32_t stride;
	return head->held && head->buf && head->buf->impl->cpu_rows &&
	       head->buf->impl->cpu_rows(head->buf, &row0, &stride);
}

/* What the CPU draws the head from: row y of its picture (top-down) is
 * at *row0 + y * *step (negative: a picture stored bottom-up). */
static bool
picture_rows(const struct render_head *head, const uint8_t **row0,
	     ptrdiff_t *step)
{
	const struct proto_scanout *s = &head->scanout;
	const uint8_t *data;
	uint32_t stride;
	if (head->held && head->buf->impl->cpu_rows &&
	    head->buf->impl->cpu_rows(head->buf, &data, &stride)) {
		const uint8_t *first = data + (size_t)s->x * 4;
		if (s->flags & PROTO_SCANOUT_Y0_TOP) {
			*row0 = first + (size_t)s->y * stride;
			*step = (ptrdiff_t)stride;
		} else {
			*row0 = first + (size_t)(s->y + s->height - 1) * stride;
			*step = -(ptrdiff_t)stride;
		}
		return true;
	}
	if (!head->cpu.valid || head->cpu.width != (int)s->width ||
	    head->cpu.height != (int)s->height)
		return false;
	*row0 = (const uint8_t *)head->cpu.pixels;
	*step = (ptrdiff_t)head->cpu.width * 4;
	return true;
}

bool
cpu_can_draw(const struct renderer *r, const struct render_head *head,
	     const struct layout_rect *tile, char *why, size_t why_size)
{
	const struct proto_scanout *s = &head->scanout;
	const uint8_t *row0;
	ptrdiff_t step;
	if (!head->buf)
		return true; /* black */
	if (!picture_rows(head, &row0, &step)) {
		snprintf(why, why_size, "buffer %u is not shm", head->buf->id);
		return false;
	}
	struct layout_rect fit = layout_place(r->scale, (int)s->width,
					      (int)s->height, tile);
	if (fit.width != (int)s->width || fit.height != (int)s->height) {
		snprintf(why, why_size, "a %ux%u picture is scaled to %dx%d",
			 s->width, s->height, fit.width, fit.height);
		return false;
	}
	struct layout_rect inside = fit;
	if (!layout_rect_intersect(&inside, tile) || inside.width != fit.width ||
	    inside.height != fit.height) {
		snprintf(why, why_size, "a %ux%u picture is cut to its %dx%d tile",
			 s->width, s->height, tile->width, tile->height);
		return false;
	}
	return true;
}

void
cpu_fill(struct renderer *r, const struct layout_rect *rect, uint32_t argb)
{
	const struct output_pixels *px = r->cpu_target;
	if (rect->width <= 0 || rect->height <= 0)
		return;
	uint32_t *first = (uint32_t *)((uint8_t *)px->data +
				       (size_t)rect->y * px->stride) + rect->x;
	for (int x = 0; x < rect->width; x++)
		first[x] = argb;
	for (int y = 1; y < rect->height; y++)
		memcpy((uint8_t *)first + (size_t)y * px->stride, first,
		       (size_t)rect->width * 4);
}

/* Premultiplied ARGB over what is there, as GL blends it (ONE,
 * ONE_MINUS_SRC_ALPHA), rounded. */
static uint32_t
blend(uint32_t src, uint32_t dst)
{
	uint32_t inv = 255 - (src >> 24), out = 0;
	for (int shift = 0; shift < 32; shift += 8) {
		uint32_t s = src >> shift & 0xff, d = dst >> shift & 0xff;
		uint32_t c = s + (d * inv + 127) / 255;
		out |= (c > 255 ? 255 : c) << shift;
	}
	return out;
}

static void
draw_cursor(struct renderer *r, const struct render_head *head,
	    const struct layout_rect *fit)
{
	const struct render_cursor *c = &head->cursor;
	if (r->hide_cursors || !c->visible || !c->pixels || c->width == 0)
		return;
	struct layout_rect box = {
		fit->x + c->x - c->hot_x, fit->y + c->y - c->hot_y,
		c->width, c->height,
	};
	struct layout_rect clip = *fit;
	if (!layout_rect_intersect(&clip, &r->clip) ||
	    !layout_rect_intersect(&box, &clip))
		return;
	const struct output_pixels *px = r->cpu_target;
	for (int y = box.y; y < box.y + box.height; y++) {
		uint32_t *row = (uint32_t *)((uint8_t *)px->data +
					     (size_t)y * px->stride);
		const uint32_t *img = c->pixels + (size_t)(y - (fit->y + c->y -
			c->hot_y)) * c->width - (fit->x + c->x - c->hot_x);
		for (int x = box.x; x < box.x + box.width; x++)
			row[x] = blend(img[x], row[x]);
	}
}

void
cpu_draw_head(struct renderer *r, const struct render_head *head,
	      const struct layout_rect *tile, const struct layout_rect *in)
{
	struct layout_rect fit = { 0 }, box = { 0 };
	const uint8_t *row0 = NULL;
	ptrdiff_t step = 0;
	if (head && head->buf && picture_rows(head, &row0, &step)) {
		const struct proto_scanout *s = &head->scanout;
		fit = layout_place(r->scale, (int)s->width, (int)s->height, tile);
		box = fit;
	}
	if (box.width == 0 || !layout_rect_intersect(&box, in)) {
		cpu_fill(r, in, CPU_BLACK);
		return;
	}
	/* The bars around the picture: above, below, left, right. */
	const struct layout_rect bars[] = {
		{ in->x, in->y, in->width, box.y - in->y },
		{ in->x, box.y + box.height, in->width,
		  in->y + in->height - box.y - box.height },
		{ in->x, box.y, box.x - in->x, box.height },
		{ box.x + box.width, box.y, in->x + in->width - box.x - box.width,
		  box.height },
	};
	for (size_t i = 0; i < sizeof(bars) / sizeof(bars[0]); i++) {
		if (bars[i].width > 0 && bars[i].height > 0)
			cpu_fill(r, &bars[i], CPU_BLACK);
	}
	const struct output_pixels *px = r->cpu_target;
	for (int y = box.y; y < box.y + box.height; y++) {
		uint32_t *dst = (uint32_t *)((uint8_t *)px->data +
					     (size_t)y * px->stride) + box.x;
		const uint8_t *src = row0 + (ptrdiff_t)(y - fit.y) * step +
				     (size_t)(box.x - fit.x) * 4;
		memcpy(dst, src, (size_t)box.width * 4);
	}
	struct layout_rect clip = r->clip;
	r->clip = *in;
	draw_cursor(r, head, &fit);
	r->clip = clip;
}
