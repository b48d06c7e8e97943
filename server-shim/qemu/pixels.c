/* SPDX-License-Identifier: MIT */
/*
 * A console's pixel data (Scanout and Update, or UpdateMap from a memfd
 * that cannot go to the viewers as it is), copied once: from the D-Bus
 * message (or QEMU's mapped memfd) straight into one of three sealed
 * memfds that no viewer reads or holds.
 *
 * Each memfd keeps a stale region, where it differs from the newest
 * picture. Before a write it is brought up to date from the newest memfd,
 * only where the incoming rect does not cover it; a full-screen update
 * therefore costs one copy. Three because of HOLD_SHOWN: one on screen,
 * one in flight, one written. When the viewers hold all three, updates
 * wait as they came (their messages referenced, a later one covering an
 * earlier one dropping it); past QEMU_PENDING_MAX the picture is gathered
 * in a canvas until a memfd comes free, the only second copy. Counted,
 * and said with --verbose.
 *
 * The memfds are RGB565 while QEMU's surface is r5g6b5 and every viewer
 * takes RGB565 (a copy, as for x8r8g8b8); otherwise XRGB8888, into which
 * the other formats are converted (formats.c) in that same one pass, the
 * damage only.
 */
#include <drm_fourcc.h>
#include <gio/gio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu/private.h"

/* --- rects ------------------------------------------------------------- */

static bool
rect_covers(const struct proto_rect *outer, const struct proto_rect *inner)
{
	return inner->x >= outer->x && inner->y >= outer->y &&
	       (uint64_t)inner->x + inner->width <=
		       (uint64_t)outer->x + outer->width &&
	       (uint64_t)inner->y + inner->height <=
		       (uint64_t)outer->y + outer->height;
}

/* a minus b: up to four rects (above, below, left, right of b). */
static uint32_t
rect_subtract(const struct proto_rect *a, const struct proto_rect *b,
	      struct proto_rect out[4])
{
	uint32_t ax1 = a->x + a->width, ay1 = a->y + a->height;
	uint32_t bx1 = b->x + b->width, by1 = b->y + b->height;
	if (b->x >= ax1 || b->y >= ay1 || bx1 <= a->x || by1 <= a->y) {
		out[0] = *a;
		return 1;
	}
	uint32_t n = 0;
	uint32_t y0 = b->y > a->y ? b->y : a->y;
	uint32_t y1 = by1 < ay1 ? by1 : ay1;
	if (b->y > a->y)
		out[n++] = (struct proto_rect){ a->x, a->y, a->width,
						b->y - a->y };
	if (by1 < ay1)
		out[n++] = (struct proto_rect){ a->x, by1, a->width, ay1 - by1 };
	if (b->x > a->x)
		out[n++] = (struct proto_rect){ a->x, y0, b->x - a->x, y1 - y0 };
	if (bx1 < ax1)
		out[n++] = (struct proto_rect){ bx1, y0, ax1 - bx1, y1 - y0 };
	return n;
}

/* What of a stale rect a write of skip (NULL: nothing) leaves stale. */
static uint32_t
stale_pieces(const struct proto_rect *stale, const struct proto_rect *skip,
	     struct proto_rect out[4])
{
	if (skip == NULL) {
		out[0] = *stale;
		return 1;
	}
	return rect_subtract(stale, skip, out);
}

static uint64_t
rect_bytes(const struct qemu_console *c, const struct proto_rect *r)
{
	return (uint64_t)r->width * r->height * c->bpp;
}

/* Rows of row_bytes from src (src_stride apart) to dst (dst_stride). */
static void
copy_rows(uint8_t *dst, size_t dst_stride, const uint8_t *src,
	  size_t src_stride, size_t row_bytes, uint32_t rows)
{
	if (dst_stride == row_bytes && src_stride == row_bytes) {
		memcpy(dst, src, row_bytes * rows);
		return;
	}
	for (uint32_t y = 0; y < rows; y++)
		memcpy(dst + y * dst_stride, src + y * src_stride, row_bytes);
}

/* The same rect of two pictures of the console's stride. */
static void
copy_rect(struct qemu_console *c, uint8_t *dst, const uint8_t *src,
	  const struct proto_rect *r)
{
	size_t stride = (size_t)c->width * c->bpp;
	size_t at = (size_t)r->y * stride + (size_t)r->x * c->bpp;
	copy_rows(dst + at, stride, src + at, stride,
		  (size_t)r->width * c->bpp, r->height);
}

/* --- the buffers ------------------------------------------------------- */

static uint8_t *
buffer_data(struct qemu_shm_buffer *b)
{
	return b->shm.data;
}

static void
buffers_finish(struct qemu_shm_buffer *shm)
{
	for (int i = 0; i < QEMU_SHM_BUFFERS; i++) {
		server_buffer_destroy(shm[i].server_buffer);
		shm_block_finish(&shm[i].shm);
		shm[i] = (struct qemu_shm_buffer){ .shm.fd = -1 };
	}
}

static uint32_t
fourcc_bpp(uint32_t fourcc)
{
	return fourcc == DRM_FORMAT_RGB565 ? 2 : 4;
}

/* The memfds' own format, as a source of copies between them. */
static const struct qemu_format *
fourcc_format(uint32_t fourcc)
{
	return qemu_format_lookup(fourcc == DRM_FORMAT_RGB565 ?
				  QEMU_PIXMAN_R5G6B5 : QEMU_PIXMAN_X8R8G8B8);
}

static bool
buffers_init(struct qemu_console *c, struct qemu_shm_buffer *shm,
	     uint32_t width, uint32_t height, uint32_t fourcc)
{
	uint32_t bpp = fourcc_bpp(fourcc);
	for (int i = 0; i < QEMU_SHM_BUFFERS; i++)
		shm[i] = (struct qemu_shm_buffer){ .shm.fd = -1 };
	for (int i = 0; i < QEMU_SHM_BUFFERS; i++) {
		struct qemu_shm_buffer *b = &shm[i];
		char name[48], why[256];
		snprintf(name, sizeof(name), "eglview-qemu-console%u-%d",
			 c->qemu_id, i);
		region_init(&b->stale);
		if (!shm_block_init(&b->shm, name, (size_t)width * height * bpp,
				    why, sizeof(why))) {
			qemu_error("console %u: %s", c->qemu_id, why);
			buffers_finish(shm);
			return false;
		}
		b->server_buffer = server_buffer_create_shm(c->bridge->server,
			b->shm.fd, fourcc, width, height, width * bpp, 0);
		if (b->server_buffer == NULL) {
			buffers_finish(shm);
			return false;
		}
	}
	return true;
}

/* --- updates that wait for a free buffer ------------------------------- */

static void
pending_clear(struct qemu_console *c)
{
	for (uint32_t i = 0; i < c->n_pending; i++)
		if (c->pending[i].data != NULL)
			g_variant_unref(c->pending[i].data);
	c->n_pending = 0;
}

/* Where the waiting updates are: what needs no catching up, since they
 * are written over it afterwards. At most QEMU_PENDING_MAX rects, so the
 * region is exact (it never collapses to a bounding box). */
static void
pending_region(const struct qemu_console *c, struct region *out)
{
	region_init(out);
	for (uint32_t i = 0; i < c->n_pending; i++)
		region_add_rect(out, &c->pending[i].rect);
}

static void
write_pending(struct qemu_console *c, uint8_t *dst,
	      const struct qemu_pending_update *p)
{
	const struct proto_rect *r = &p->rect;
	size_t stride = (size_t)c->width * c->bpp;
	qemu_format_convert(p->format, c->fourcc, dst + (size_t)r->y * stride +
			    (size_t)r->x * c->bpp, stride, p->src, p->stride,
			    r->width, r->height);
	c->counts.from_qemu += rect_bytes(c, r);
}

static void
canvas_write(struct qemu_console *c, const struct qemu_pending_update *p)
{
	write_pending(c, c->canvas, p);
	if (p->data != NULL)
		g_variant_unref(p->data);
}

/* Too many updates wait: the newest picture goes into a canvas, where
 * the next ones are copied until a buffer is free. false when there is
 * no memory for one (the waiting updates are then lost, logged). */
static bool
enter_canvas(struct qemu_console *c)
{
	size_t size = (size_t)c->width * c->height * c->bpp;
	if (c->canvas == NULL)
		c->canvas = malloc(size);
	if (c->canvas == NULL) {
		qemu_error("console %u: out of memory for a %ux%u canvas; %u "
			   "waiting updates dropped", c->qemu_id, c->width,
			   c->height, c->n_pending);
		pending_clear(c);
		return false;
	}
	if (c->counts.canvas_entered++ == 0)
		qemu_verbose("console %u: the viewers hold all %d buffers and "
			     "%u updates wait: the picture goes through a "
			     "canvas until a buffer is free (a second copy; "
			     "counted at exit)", c->qemu_id, QEMU_SHM_BUFFERS,
			     c->n_pending);
	memcpy(c->canvas, buffer_data(&c->shm[c->newest]), size);
	c->counts.via_canvas += size;
	for (uint32_t i = 0; i < c->n_pending; i++)
		canvas_write(c, &c->pending[i]);
	c->n_pending = 0;
	c->canvas_active = true;
	return true;
}

/* Keeps an update until a buffer is free: its message referenced, the
 * ones it covers dropped. */
static void
pending_add(struct qemu_console *c, const struct qemu_pending_update *p)
{
	c->counts.waited++;
	if (c->canvas_active) {
		canvas_write(c, &(struct qemu_pending_update){
			p->rect, NULL, p->src, p->stride, p->format });
		return;
	}
	uint32_t kept = 0;
	for (uint32_t i = 0; i < c->n_pending; i++) {
		struct qemu_pending_update *old = &c->pending[i];
		if (rect_covers(&p->rect, &old->rect)) {
			c->counts.superseded += rect_bytes(c, &old->rect);
			if (old->data != NULL)
				g_variant_unref(old->data);
			continue;
		}
		c->pending[kept++] = *old;
	}
	c->n_pending = kept;
	if (c->n_pending == QEMU_PENDING_MAX && !enter_canvas(c))
		return;
	struct qemu_pending_update keep = *p;
	if (keep.data != NULL)
		g_variant_ref(keep.data);
	if (c->canvas_active)
		canvas_write(c, &keep);
	else
		c->pending[c->n_pending++] = keep;
}

/* --- bringing a buffer up to date and showing it ----------------------- */

/* Bytes to copy into b before a write of skip (may be NULL) over it. */
static uint64_t
catch_up_cost(const struct qemu_console *c, const struct qemu_shm_buffer *b,
	      const struct proto_rect *skip, const struct region *skip_region)
{
	uint64_t bytes = 0;
	for (uint32_t i = 0; i < b->stale.n_rects; i++) {
		const struct proto_rect *s = &b->stale.rects[i];
		if (skip_region != NULL && region_contains_rect(skip_region, s))
			continue;
		struct proto_rect piece[4];
		uint32_t n = stale_pieces(s, skip, piece);
		for (uint32_t j = 0; j < n; j++)
			bytes += rect_bytes(c, &piece[j]);
	}
	return bytes;
}

/* Copies into b, from the newest picture (the canvas or the newest
 * buffer), where it is stale and skip / skip_region will not be
 * written. */
static void
catch_up(struct qemu_console *c, struct qemu_shm_buffer *b,
	 const struct proto_rect *skip, const struct region *skip_region)
{
	struct qemu_shm_buffer *newest = &c->shm[c->newest];
	const uint8_t *src = c->canvas_active ? c->canvas :
			     newest == b ? NULL : buffer_data(newest);
	for (uint32_t i = 0; src != NULL && i < b->stale.n_rects; i++) {
		const struct proto_rect *s = &b->stale.rects[i];
		if (skip_region != NULL && region_contains_rect(skip_region, s))
			continue;
		struct proto_rect piece[4];
		uint32_t n = stale_pieces(s, skip, piece);
		for (uint32_t j = 0; j < n; j++) {
			copy_rect(c, buffer_data(b), src, &piece[j]);
			if (c->canvas_active)
				c->counts.via_canvas += rect_bytes(c, &piece[j]);
			else
				c->counts.caught_up += rect_bytes(c, &piece[j]);
		}
	}
	region_clear(&b->stale);
}

/* The free buffer (no viewer reads or holds it) with the least to catch
 * up on; NULL while the viewers hold all of them. */
static struct qemu_shm_buffer *
pick_free(struct qemu_console *c, const struct proto_rect *skip,
	  const struct region *skip_region)
{
	struct qemu_shm_buffer *best = NULL;
	uint64_t best_cost = 0;
	for (int i = 0; i < QEMU_SHM_BUFFERS; i++) {
		struct qemu_shm_buffer *b = &c->shm[i];
		if (b->server_buffer == NULL ||
		    server_buffer_busy(b->server_buffer))
			continue;
		uint64_t cost = c->canvas_active ? region_area(&b->stale) :
				catch_up_cost(c, b, skip, skip_region);
		if (best == NULL || cost < best_cost) {
			best = b;
			best_cost = cost;
		}
	}
	return best;
}

/* b holds the newest picture now: to the viewers, unless QEMU's own
 * buffer (a dmabuf, a ScanoutMap memfd) is what the head shows. QEMU's
 * pixels enable the head; enable false leaves a disabled one as it is
 * (the server keeps the present until it is enabled). */
static void
present_enabling(struct qemu_console *c, struct qemu_shm_buffer *b,
		 bool enable)
{
	c->newest = (int)(b - c->shm);
	if (c->dmabuf != NULL || c->map != NULL)
		return;
	struct region damage = c->unpresented;
	region_clear(&c->unpresented);
	if (enable)
		server_head_set_enabled(c->head, true);
	server_head_present(c->head, b->server_buffer, PROTO_SCANOUT_Y0_TOP,
			    damage.rects, damage.n_rects);
}

static void
present(struct qemu_console *c, struct qemu_shm_buffer *b)
{
	present_enabling(c, b, true);
}

/* The waiting updates (or the canvas) into a free buffer, shown. */
static void
flush(struct qemu_console *c)
{
	if (c->n_pending == 0 && !c->canvas_active)
		return;
	struct region skip;
	pending_region(c, &skip);
	struct qemu_shm_buffer *b = pick_free(c, NULL, &skip);
	if (b == NULL)
		return;
	catch_up(c, b, NULL, &skip);
	for (uint32_t i = 0; i < c->n_pending; i++) {
		write_pending(c, buffer_data(b), &c->pending[i]);
		if (c->pending[i].data != NULL)
			g_variant_unref(c->pending[i].data);
	}
	c->n_pending = 0;
	c->canvas_active = false;
	present(c, b);
}

/* --- the console's side ------------------------------------------------ */

/* New memfds of width x height and fourcc; with keep, the old picture
 * where the two overlap, converted if the old memfds were RGB565. */
static bool
reallocate(struct qemu_console *c, uint32_t width, uint32_t height,
	   uint32_t fourcc, bool keep)
{
	if (width == 0 || height == 0 || width > PROTO_MAX_DIMENSION ||
	    height > PROTO_MAX_DIMENSION) {
		qemu_error("console %u: size %ux%u out of 1..%d; ignored",
			   c->qemu_id, width, height, PROTO_MAX_DIMENSION);
		return false;
	}
	struct qemu_shm_buffer shm[QEMU_SHM_BUFFERS];
	if (!buffers_init(c, shm, width, height, fourcc))
		return false;
	uint32_t bpp = fourcc_bpp(fourcc);
	/* The old picture where the two overlap (QEMU 7.2 grows the surface
	 * without a new Scanout); new memfds are black elsewhere. */
	struct proto_rect overlap = {
		0, 0, width < c->width ? width : c->width,
		height < c->height ? height : c->height };
	bool had = c->shm[0].server_buffer != NULL;
	/* XRGB8888 never goes back into RGB565. */
	if (fourcc != c->fourcc && fourcc != DRM_FORMAT_XRGB8888)
		keep = false;
	if (keep && had && overlap.width > 0 && overlap.height > 0) {
		const uint8_t *src = c->canvas_active ? c->canvas :
				     buffer_data(&c->shm[c->newest]);
		qemu_format_convert(fourcc_format(c->fourcc), fourcc,
				    buffer_data(&shm[0]), (size_t)width * bpp,
				    src, (size_t)c->width * c->bpp,
				    overlap.width, overlap.height);
		uint64_t bytes = (uint64_t)overlap.width * overlap.height * bpp;
		if (c->canvas_active)
			c->counts.via_canvas += bytes;
		else
			c->counts.caught_up += bytes;
		for (uint32_t i = 0; i < c->n_pending; i++) {
			/* Clipped to the new size, with its source. */
			struct qemu_pending_update p = c->pending[i];
			struct proto_rect *r = &p.rect;
			if (r->x >= overlap.width || r->y >= overlap.height)
				continue;
			if (r->x + r->width > overlap.width)
				r->width = overlap.width - r->x;
			if (r->y + r->height > overlap.height)
				r->height = overlap.height - r->y;
			qemu_format_convert(p.format, fourcc,
				buffer_data(&shm[0]) + (size_t)r->y * width *
				bpp + (size_t)r->x * bpp, (size_t)width * bpp,
				p.src, p.stride, r->width, r->height);
			c->counts.from_qemu += (uint64_t)r->width * r->height *
					       bpp;
		}
		for (int i = 1; i < QEMU_SHM_BUFFERS; i++)
			region_add_rect(&shm[i].stale, &overlap);
	}
	pending_clear(c);
	c->canvas_active = false;
	free(c->canvas);
	c->canvas = NULL;
	buffers_finish(c->shm);
	memcpy(c->shm, shm, sizeof(shm));
	c->newest = 0;
	c->width = width;
	c->height = height;
	c->fourcc = fourcc;
	c->bpp = bpp;
	region_clear(&c->unpresented);
	region_add_rect(&c->unpresented, &(struct proto_rect){
		0, 0, width, height });
	server_head_set_size(c->head, width, height);
	return true;
}

bool
qemu_pixels_resize(struct qemu_console *c, uint32_t width, uint32_t height,
		   uint32_t format, bool keep)
{
	uint32_t fourcc = c->fourcc != 0 ? c->fourcc : DRM_FORMAT_XRGB8888;
	if (format != 0) {
		const struct qemu_format *f = qemu_format_lookup(format);
		fourcc = f != NULL && f->fourcc == DRM_FORMAT_RGB565 &&
			 qemu_viewers_take_shm(c->bridge, DRM_FORMAT_RGB565) ?
			 DRM_FORMAT_RGB565 : DRM_FORMAT_XRGB8888;
	}
	if (width == c->width && height == c->height && fourcc == c->fourcc &&
	    c->shm[0].server_buffer != NULL)
		return true;
	return reallocate(c, width, height, fourcc, keep);
}

void
qemu_pixels_viewers_changed(struct qemu_console *c)
{
	if (c->shm[0].server_buffer == NULL ||
	    c->fourcc == DRM_FORMAT_XRGB8888 ||
	    qemu_viewers_take_shm(c->bridge, c->fourcc))
		return;
	qemu_verbose("console %u: a viewer does not take RGB565: QEMU's "
		     "r5g6b5 pixels are converted into XRGB8888 from now on",
		     c->qemu_id);
	/* Not QEMU drawing: a head QEMU disabled (or is away from) stays
	 * disabled. */
	if (reallocate(c, c->width, c->height, DRM_FORMAT_XRGB8888, true))
		present_enabling(c, &c->shm[c->newest], false);
}

void
qemu_pixels_update(struct qemu_console *c, int32_t x, int32_t y, int32_t w,
		   int32_t h, uint32_t stride, uint32_t format, GVariant *data,
		   const uint8_t *src, size_t size)
{
	const struct qemu_format *f = qemu_format_lookup(format);
	if (f == NULL) {
		if (c->refused_format != format)
			qemu_error("console %u: pixman format 0x%08x is not "
				   "supported (only " QEMU_PIXMAN_NAMES "); its "
				   "frames are dropped", c->qemu_id, format);
		c->refused_format = format;
		return;
	}
	if (x < 0 || y < 0 || w <= 0 || h <= 0 ||
	    stride < (uint64_t)w * f->bpp ||
	    size < (uint64_t)stride * (uint32_t)(h - 1) +
		   (uint64_t)w * f->bpp) {
		qemu_error("console %u: %s update %dx%d+%d+%d with stride %u "
			   "and %zu bytes is inconsistent (%u bytes a pixel); "
			   "dropped", c->qemu_id, f->name, w, h, x, y, stride,
			   size, f->bpp);
		return;
	}
	/* QEMU 7.2 says a surface grew only through Console.Width/Height,
	 * which may come after the first update outside the old one. */
	uint32_t need_w = (uint32_t)x + (uint32_t)w;
	uint32_t need_h = (uint32_t)y + (uint32_t)h;
	if ((need_w > c->width || need_h > c->height ||
	     c->shm[0].server_buffer == NULL) &&
	    !qemu_pixels_resize(c, need_w > c->width ? need_w : c->width,
		    need_h > c->height ? need_h : c->height,
		    c->shm[0].server_buffer == NULL ? format : 0, true))
		return;
	/* RGB565 memfds take only r5g6b5; anything else goes into XRGB8888
	 * ones from now on (QEMU changes a format with a Scanout, though). */
	if (c->fourcc != f->fourcc && c->fourcc != DRM_FORMAT_XRGB8888 &&
	    !reallocate(c, c->width, c->height, DRM_FORMAT_XRGB8888, true))
		return;
	struct qemu_pending_update p = {
		{ (uint32_t)x, (uint32_t)y, (uint32_t)w, (uint32_t)h },
		data, src, stride, f };
	for (int i = 0; i < QEMU_SHM_BUFFERS; i++)
		region_add_rect(&c->shm[i].stale, &p.rect);
	region_add_rect(&c->unpresented, &p.rect);
	c->updates++;
	/* Behind others that wait: in order, and all at once should a
	 * buffer have come free meanwhile. */
	if (c->n_pending > 0 || c->canvas_active) {
		pending_add(c, &p);
		flush(c);
		return;
	}
	struct qemu_shm_buffer *b = pick_free(c, &p.rect, NULL);
	if (b == NULL) {
		pending_add(c, &p);
		return;
	}
	catch_up(c, b, &p.rect, NULL);
	write_pending(c, buffer_data(b), &p);
	present(c, b);
}

void
qemu_pixels_present(struct qemu_console *c)
{
	if (c->shm[0].server_buffer == NULL)
		return;
	flush(c);
	if (c->n_pending == 0 && !c->canvas_active &&
	    !region_is_empty(&c->unpresented))
		present(c, &c->shm[c->newest]);
}

void
qemu_pixels_forget_map(struct qemu_console *c)
{
	bool from_map = false;
	for (uint32_t i = 0; i < c->n_pending; i++)
		from_map |= c->pending[i].data == NULL;
	/* Their pixels are in QEMU's memory, about to be unmapped. */
	if (from_map)
		enter_canvas(c);
}

void
qemu_pixels_buffer_released(struct qemu_console *c,
			    struct server_buffer *buffer)
{
	for (int i = 0; i < QEMU_SHM_BUFFERS; i++)
		if (c->shm[i].server_buffer == buffer)
			flush(c);
}

void
qemu_pixels_detach(struct qemu_console *c)
{
	/* The next attachment starts with a Scanout. */
	pending_clear(c);
	c->canvas_active = false;
}

void
qemu_pixels_finish(struct qemu_console *c)
{
	qemu_pixels_detach(c);
	buffers_finish(c->shm);
	free(c->canvas);
	c->canvas = NULL;
	c->width = c->height = 0;
}

void
qemu_pixels_log_counts(const struct qemu_console *c)
{
	const struct qemu_copy_counts *n = &c->counts;
	qemu_verbose("console %u: pixels: %llu bytes copied from QEMU into "
		     "the buffers, %llu caught up between buffers, %llu "
		     "through the canvas; %llu updates waited for a free "
		     "buffer, %llu bytes of them superseded", c->qemu_id,
		     (unsigned long long)n->from_qemu,
		     (unsigned long long)n->caught_up,
		     (unsigned long long)n->via_canvas,
		     (unsigned long long)n->waited,
		     (unsigned long long)n->superseded);
}
