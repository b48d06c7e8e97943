/* SPDX-License-Identifier: MIT */
/*
 * The renderer's face: its programs, the list of buffers, the heads, and
 * the frame. Each head's picture is letterboxed into its tile (layout.c);
 * the buffers are made by import-*.c and drawn through their impl, the
 * cursor by render/cursor.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/private.h"
#include "shaders.h"

struct renderer *
render_create(struct output *out, char *why, size_t why_size)
{
	struct renderer *r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(why, why_size, "renderer: out of memory");
		return NULL;
	}
	r->out = out;
	if (!render_make_current(r)) {
		snprintf(why, why_size, "renderer: cannot make the %s context "
			 "current", out->path ? out->path : "EGL");
		free(r);
		return NULL;
	}

	int gl_version = epoxy_gl_version();
	r->has_bgra = epoxy_has_gl_extension("GL_EXT_texture_format_BGRA8888");
	r->has_row_length = gl_version >= 30 ||
			    epoxy_has_gl_extension("GL_EXT_unpack_subimage");
	r->has_egl_image = epoxy_has_gl_extension("GL_OES_EGL_image");
	r->has_external = epoxy_has_gl_extension("GL_OES_EGL_image_external");
	r->has_rg = gl_version >= 30 || epoxy_has_gl_extension("GL_EXT_texture_rg");
	r->has_dmabuf_import = epoxy_has_egl_extension(out->egl_display,
		"EGL_EXT_image_dma_buf_import");
	r->has_modifiers = r->has_dmabuf_import && epoxy_has_egl_extension(
		out->egl_display, "EGL_EXT_image_dma_buf_import_modifiers");
	/* Measured in the test VM (Mesa 22.3, kms_swrast/llvmpipe): an NV12
	 * dma-buf imports as one external image, but samples garbage (the
	 * colours follow the quadrant, not the data); the viewer converts
	 * such buffers itself instead. */
	const char *renderer = (const char *)glGetString(GL_RENDERER);
	r->external_yuv_wrong = renderer && strncmp(renderer, "llvmpipe", 8) == 0;
	/* Mesa's software rasterizers: every fragment costs CPU time. */
	r->software = renderer && (strstr(renderer, "llvmpipe") ||
				   strstr(renderer, "softpipe") ||
				   strstr(renderer, "Software Rasterizer"));

	if (!link_program(&r->quad, "quad.frag", shader_quad_frag, why, why_size) ||
	    !link_program(&r->cursor, "cursor.frag", shader_cursor_frag,
			  why, why_size) ||
	    !link_program(&r->nv12, "quad-nv12.frag", shader_quad_nv12_frag,
			  why, why_size) ||
	    (r->has_external &&
	     !link_program(&r->external, "quad-external.frag",
			   shader_quad_external_frag, why, why_size))) {
		render_destroy(r);
		return NULL;
	}

	formats_init(r);
	return r;
}

static void
head_release_gl(struct render_head *head)
{
	if (head->tex)
		glDeleteTextures(1, &head->tex);
	head->tex = 0;
	head->tex_width = head->tex_height = 0;
	head->tex_fourcc = 0;
	cursor_finish(&head->cursor);
	cpu_picture_finish(&head->cpu);
}

void
render_destroy(struct renderer *r)
{
	if (!r)
		return;
	render_make_current(r);
	/* Heads and buffers should be gone by now; if not, free their GL
	 * objects while the context lives and leave the structs inert. */
	for (struct render_head *h = r->heads, *next; h; h = next) {
		next = h->next;
		head_release_gl(h);
		h->r = NULL;
		h->buf = NULL;
		h->prev = h->next = NULL;
	}
	for (struct render_buffer *b = r->buffers, *next; b; b = next) {
		next = b->next;
		b->impl->release(b);
		b->r = NULL;
		b->prev = b->next = NULL;
	}
	glDeleteProgram(r->quad.id);
	glDeleteProgram(r->cursor.id);
	glDeleteProgram(r->external.id);
	glDeleteProgram(r->nv12.id);
	free(r);
}

/* Links a new buffer into the renderer's list (for defensive teardown). */
static struct render_buffer *
buffer_link(struct renderer *r, struct render_buffer *buf)
{
	if (!buf)
		return NULL;
	buf->r = r;
	buf->prev = NULL;
	buf->next = r->buffers;
	if (r->buffers)
		r->buffers->prev = buf;
	r->buffers = buf;
	return buf;
}

struct render_buffer *
render_buffer_import_shm(struct renderer *r, const struct proto_buffer_shm *desc,
			 int fd, char *why, size_t why_size)
{
	return buffer_link(r, shm_import(r, desc, fd, why, why_size));
}

struct render_buffer *
render_buffer_import_dmabuf(struct renderer *r,
			    const struct proto_buffer_dmabuf *desc,
			    const int *fds, char *why, size_t why_size)
{
	return buffer_link(r, dmabuf_import(r, desc, fds, why, why_size));
}

void
render_buffer_destroy(struct render_buffer *buf)
{
	if (!buf)
		return;
	struct renderer *r = buf->r;
	if (r) {
		render_make_current(r);
		/* A head still showing it goes black rather than read freed
		 * memory. */
		for (struct render_head *h = r->heads; h; h = h->next) {
			if (h->buf == buf) {
				h->buf = NULL;
				h->pending_all = true;
			}
		}
		if (buf->prev)
			buf->prev->next = buf->next;
		else
			r->buffers = buf->next;
		if (buf->next)
			buf->next->prev = buf->prev;
	}
	buf->impl->release(buf);
	free(buf); /* the importer's struct, which buf starts */
}

struct render_head *
render_head_create(struct renderer *r)
{
	struct render_head *head = calloc(1, sizeof(*head));
	if (!head)
		return NULL;
	head->r = r;
	head->next = r->heads;
	if (r->heads)
		r->heads->prev = head;
	r->heads = head;
	return head;
}

void
render_head_destroy(struct render_head *head)
{
	if (!head)
		return;
	struct renderer *r = head->r;
	cpu_picture_finish(&head->cpu);
	if (r) {
		render_make_current(r);
		head_release_gl(head);
		if (head->prev)
			head->prev->next = head->next;
		else
			r->heads = head->next;
		if (head->next)
			head->next->prev = head->prev;
	}
	free(head);
}

void
render_head_bind(struct render_head *head, struct render_buffer *buf,
		 const struct proto_scanout *scanout)
{
	struct proto_scanout s = *scanout;
	if (buf) {
		/* An empty or overhanging source rect shows what exists of it. */
		if (s.width == 0 || s.height == 0) {
			s.x = s.y = 0;
			s.width = buf->width;
			s.height = buf->height;
		}
		if (s.x >= buf->width)
			s.x = 0;
		if (s.y >= buf->height)
			s.y = 0;
		if (s.width > buf->width - s.x)
			s.width = buf->width - s.x;
		if (s.height > buf->height - s.y)
			s.height = buf->height - s.y;
	}
	/* What the head holds of its own (a mapped buffer's copy) is stale
	 * after another kind of buffer or another source rect. */
	const struct render_buffer *old = head->buf;
	bool fresh = !old || !buf || old->impl != buf->impl ||
		s.x != head->scanout.x || s.y != head->scanout.y ||
		s.width != head->scanout.width || s.height != head->scanout.height;
	/* The picture is the old one but for the next UPDATE's damage,
	 * unless it is placed or sampled otherwise now. */
	if (fresh || s.flags != head->scanout.flags ||
	    old->width != buf->width || old->height != buf->height) {
		head->pending_all = true;
		head->cpu.valid = false;
	}
	head->scanout = s;
	head->buf = buf;
	if (buf && buf->impl->bind && head->r)
		buf->impl->bind(buf, head, fresh);
}

bool
render_head_damage(struct render_head *head, const struct proto_rect *rects,
		   uint32_t n_rects)
{
	struct render_buffer *buf = head->buf;
	for (uint32_t i = 0; i < n_rects; i++)
		damage_add(&head->pending, &(struct layout_rect){
			(int)rects[i].x, (int)rects[i].y, (int)rects[i].width,
			(int)rects[i].height });
	if (!head->r || !buf || !buf->impl->damage)
		return true; /* nothing to copy: black, or sampled in place */
	return buf->impl->damage(buf, head, rects, n_rects);
}

static void
draw_head(struct renderer *r, struct render_head *head,
	  const struct layout_rect *tile)
{
	struct render_buffer *buf = head->buf;
	if (buf && buf->impl->flush && !buf->impl->flush(buf, head))
		return;
	const struct proto_scanout *s = &head->scanout;
	int src_w = (int)s->width, src_h = (int)s->height;
	struct layout_rect fit = layout_place(r->scale, src_w, src_h, tile);
	if (!buf || fit.width <= 0 || fit.height <= 0)
		return;

	struct sampling src;
	if (!buf->impl->sample(buf, head, &src))
		return;

	float s0 = (float)s->x / (float)buf->width;
	float s1 = (float)(s->x + s->width) / (float)buf->width;
	float t_first = (float)s->y / (float)buf->height;
	float t_last = (float)(s->y + s->height) / (float)buf->height;
	bool y0_top = s->flags & PROTO_SCANOUT_Y0_TOP;
	bool one_to_one = fit.width == src_w && fit.height == src_h;
	draw_quad(r, &src, fit.x, fit.y, fit.x + fit.width, fit.y + fit.height,
		  s0, y0_top ? t_first : t_last, s1, y0_top ? t_last : t_first,
		  !one_to_one && !r->filter_nearest);

	if (!r->hide_cursors)
		cursor_draw(r, head, &fit, src_w, src_h);
}

/* Scissor boxes count rows from the bottom. */
static void
scissor(struct renderer *r, const struct layout_rect *rect)
{
	glScissor(rect->x, r->out->height - rect->y - rect->height,
		  rect->width, rect->height);
}

/* Head i's tile of the heads side by side in area. */
static struct layout_rect
head_tile(struct render_head *const *heads, int n, int i,
	  const struct layout_rect *area)
{
	int widths[PROTO_MAX_HEADS];
	for (int k = 0; k < n; k++)
		widths[k] = heads[k] ? (int)heads[k]->scanout.width : 0;
	struct layout_rect tile = layout_tile(area->width, area->height,
					      widths, n, i);
	tile.x += area->x;
	tile.y += area->y;
	return tile;
}

/* The heads side by side in area, each letterboxed into its tile, drawn
 * once for each rect of the frame, within it and within area. */
static void
draw_heads(struct renderer *r, struct render_head *const *heads, int n_heads,
	   const struct layout_rect *area)
{
	int n = n_heads < PROTO_MAX_HEADS ? n_heads : PROTO_MAX_HEADS;
	for (int k = 0; k < r->frame.n; k++) {
		r->clip = r->frame.rects[k];
		if (!layout_rect_intersect(&r->clip, area))
			continue;
		if (r->cpu_target && n == 0)
			cpu_fill(r, &r->clip, CPU_BLACK);
		for (int i = 0; i < n; i++) {
			struct layout_rect tile = head_tile(heads, n, i, area);
			if (r->cpu_target) {
				/* Each pixel is written once: its head's picture,
				 * or black. */
				struct layout_rect in = r->clip;
				if (layout_rect_intersect(&in, &tile))
					cpu_draw_head(r, heads[i], &tile, &in);
				continue;
			}
			if (!heads[i])
				continue;
			/* The cursor of the head before turned scissoring off. */
			glEnable(GL_SCISSOR_TEST);
			scissor(r, &r->clip);
			draw_head(r, heads[i], &tile);
		}
	}
	r->clip = (struct layout_rect){ 0 };
	if (!r->cpu_target)
		glDisable(GL_SCISSOR_TEST);
}

bool
render_draw(struct renderer *r, struct render_head *const *heads, int n_heads)
{
	if (!render_begin(r))
		return false;
	struct layout_rect all = { .width = r->out->width,
				   .height = r->out->height };
	draw_heads(r, heads, n_heads, &all);
	return check_gl(r);
}

bool
render_begin(struct renderer *r)
{
	return render_begin_damaged(r, NULL);
}

/* The rects the frame redraws: d within the output, or all of it. */
static void
frame_rects(struct renderer *r, const struct damage *d)
{
	struct layout_rect all = { .width = r->out->width,
				   .height = r->out->height };
	damage_clear(&r->frame);
	if (d && !damage_covers(d, &all)) {
		damage_add_damage(&r->frame, d);
		damage_clip(&r->frame, &all);
	} else {
		damage_add(&r->frame, &all);
	}
	r->stats.frames++;
	r->stats.pixels_drawn += (uint64_t)damage_area(&r->frame);
}

bool
render_begin_cpu(struct renderer *r, const struct output_pixels *px,
		 const struct damage *d)
{
	/* Not cleared: the draw calls write every pixel of their areas
	 * (render_clear_in the rest). */
	r->cpu_target = px;
	frame_rects(r, d);
	r->stats.cpu_frames++;
	return true;
}

bool
render_begin_damaged(struct renderer *r, const struct damage *d)
{
	r->cpu_target = NULL;
	if (!render_make_current(r))
		return false;
	struct output *out = r->out;
	struct layout_rect all = { .width = out->width, .height = out->height };
	frame_rects(r, d);
	glViewport(0, 0, out->width, out->height);
	glDisable(GL_BLEND);
	glClearColor(0.0f, 0.0f, 0.0f, 1.0f);
	if (r->frame.n == 1 && damage_covers(&r->frame, &all)) {
		glDisable(GL_SCISSOR_TEST);
		glClear(GL_COLOR_BUFFER_BIT);
	} else {
		glEnable(GL_SCISSOR_TEST);
		for (int k = 0; k < r->frame.n; k++) {
			scissor(r, &r->frame.rects[k]);
			glClear(GL_COLOR_BUFFER_BIT);
		}
		glDisable(GL_SCISSOR_TEST);
	}
	return true;
}

bool
render_draw_in(struct renderer *r, struct render_head *const *heads,
	       int n_heads, const struct layout_rect *area)
{
	if (area->width <= 0 || area->height <= 0)
		return true;
	/* --scale none may overhang a tile: it must not cover the next VM's,
	 * nor may a cursor. */
	draw_heads(r, heads, n_heads, area);
	return r->cpu_target || check_gl(r);
}

void
render_clear_in(struct renderer *r, const struct layout_rect *area)
{
	if (!r->cpu_target)
		return; /* render_begin_damaged cleared the frame */
	for (int k = 0; k < r->frame.n; k++) {
		struct layout_rect in = r->frame.rects[k];
		if (layout_rect_intersect(&in, area))
			cpu_fill(r, &in, CPU_BLACK);
	}
}

bool
render_cpu_can_draw(struct renderer *r, struct render_head *const *heads,
		    int n_heads, const struct layout_rect *area, char *why,
		    size_t why_size)
{
	if (!r->cpu_copies) {
		snprintf(why, why_size, "no CPU copies are kept");
		return false;
	}
	int n = n_heads < PROTO_MAX_HEADS ? n_heads : PROTO_MAX_HEADS;
	for (int i = 0; i < n; i++) {
		if (!heads[i])
			continue;
		struct layout_rect tile = head_tile(heads, n, i, area);
		if (!cpu_can_draw(r, heads[i], &tile, why, why_size))
			return false;
	}
	return true;
}

void
render_keep_cpu_copies(struct renderer *r, bool keep)
{
	r->cpu_copies = keep;
}

bool
render_reads_shown(const struct renderer *r)
{
	return r->cpu_copies;
}

void
render_head_set_held(struct render_head *head, bool held)
{
	head->held = held;
}

bool
render_is_software(const struct renderer *r)
{
	return r->software;
}

/* --- damage ------------------------------------------------------------- */

/* A rect of head pixels (inside the source rect) to the output pixels it
 * touches in fit. A scaled picture is filtered: a texel reaches the
 * output pixels around the ones it maps to, so the rect grows by what
 * one texel spans, plus one for rounding. */
static struct layout_rect
head_rect_to_output(const struct renderer *r, const struct render_head *head,
		    const struct layout_rect *fit, double x0, double y0,
		    double x1, double y1)
{
	int src_w = (int)head->scanout.width, src_h = (int)head->scanout.height;
	double ox0, oy0, ox1, oy1;
	layout_head_to_output(src_w, src_h, fit, x0, y0, &ox0, &oy0);
	layout_head_to_output(src_w, src_h, fit, x1, y1, &ox1, &oy1);
	int grow_x = 0, grow_y = 0;
	if (fit->width != src_w || fit->height != src_h) {
		grow_x = 2 + fit->width / (src_w > 0 ? src_w : 1);
		grow_y = 2 + fit->height / (src_h > 0 ? src_h : 1);
		(void)r;
	}
	int ix0 = (int)floor(ox0) - grow_x, iy0 = (int)floor(oy0) - grow_y;
	int ix1 = (int)ceil(ox1) + grow_x, iy1 = (int)ceil(oy1) + grow_y;
	struct layout_rect out = { ix0, iy0, ix1 - ix0, iy1 - iy0 };
	if (!layout_rect_intersect(&out, fit))
		return (struct layout_rect){ 0 };
	return out;
}

/* An UPDATE's rect (buffer pixels) as head pixels: within the source
 * rect, rows counted from the picture's top. */
static bool
buffer_rect_to_head(const struct render_head *head,
		    const struct layout_rect *rect, double *x0, double *y0,
		    double *x1, double *y1)
{
	const struct proto_scanout *s = &head->scanout;
	struct layout_rect src = { (int)s->x, (int)s->y, (int)s->width,
				   (int)s->height };
	struct layout_rect b = *rect;
	if (!layout_rect_intersect(&b, &src))
		return false;
	*x0 = b.x - src.x;
	*x1 = *x0 + b.width;
	if (s->flags & PROTO_SCANOUT_Y0_TOP) {
		*y0 = b.y - src.y;
		*y1 = *y0 + b.height;
	} else {
		*y1 = src.height - (b.y - src.y);
		*y0 = *y1 - b.height;
	}
	return true;
}

static bool
rect_equal(const struct layout_rect *a, const struct layout_rect *b)
{
	return a->x == b->x && a->y == b->y && a->width == b->width &&
	       a->height == b->height;
}

static void
take_head(struct renderer *r, struct render_head *head,
	  const struct layout_rect *tile, const struct layout_rect *area,
	  struct damage *d)
{
	int src_w = (int)head->scanout.width, src_h = (int)head->scanout.height;
	struct layout_rect fit = layout_place(r->scale, src_w, src_h, tile);
	struct layout_rect box = head->buf && !r->hide_cursors ?
		cursor_box(r, head, &fit, src_w, src_h) : (struct layout_rect){ 0 };
	struct damage here;
	damage_clear(&here);
	if (!head->placed_once || head->pending_all ||
	    !rect_equal(tile, &head->placed_tile) ||
	    !rect_equal(&fit, &head->placed_fit)) {
		/* Moved, resized, bound anew: the whole tile (bars too) and
		 * wherever it was before. */
		damage_add(&here, tile);
		if (head->placed_once)
			damage_add(&here, &head->placed_tile);
	} else {
		for (int i = 0; i < head->pending.n; i++) {
			double x0, y0, x1, y1;
			if (buffer_rect_to_head(head, &head->pending.rects[i],
						&x0, &y0, &x1, &y1)) {
				struct layout_rect o = head_rect_to_output(r, head,
					&fit, x0, y0, x1, y1);
				damage_add(&here, &o);
			}
		}
		if (head->cursor_changed ||
		    !rect_equal(&box, &head->placed_cursor)) {
			damage_add(&here, &head->placed_cursor);
			damage_add(&here, &box);
		}
	}
	damage_clip(&here, area);
	damage_add_damage(d, &here);
	head->placed_once = true;
	head->placed_tile = *tile;
	head->placed_fit = fit;
	head->placed_cursor = box;
	head->cursor_changed = false;
	head->pending_all = false;
	damage_clear(&head->pending);
}

void
render_take_damage(struct renderer *r, struct render_head *const *heads,
		   int n_heads, const struct layout_rect *area,
		   struct damage *d)
{
	int n = n_heads < PROTO_MAX_HEADS ? n_heads : PROTO_MAX_HEADS;
	for (int i = 0; i < n; i++) {
		if (!heads[i])
			continue;
		struct layout_rect tile = head_tile(heads, n, i, area);
		take_head(r, heads[i], &tile, area, d);
	}
}

bool
render_draw_border(struct renderer *r, const struct layout_rect *area,
		   int thickness, uint32_t argb)
{
	int t = thickness;
	if (2 * t > area->width || 2 * t > area->height)
		return true;
	const struct layout_rect edges[] = {
		{ area->x, area->y, area->width, t },
		{ area->x, area->y + area->height - t, area->width, t },
		{ area->x, area->y + t, t, area->height - 2 * t },
		{ area->x + area->width - t, area->y + t, t, area->height - 2 * t },
	};
	if (r->cpu_target) {
		for (int k = 0; k < r->frame.n; k++) {
			for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
				struct layout_rect e = edges[i];
				if (layout_rect_intersect(&e, &r->frame.rects[k]))
					cpu_fill(r, &e, argb | 0xff000000u);
			}
		}
		return true;
	}
	glEnable(GL_SCISSOR_TEST);
	glClearColor((float)((argb >> 16) & 0xff) / 255.0f,
		     (float)((argb >> 8) & 0xff) / 255.0f,
		     (float)(argb & 0xff) / 255.0f, 1.0f);
	for (int k = 0; k < r->frame.n; k++) {
		for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
			struct layout_rect e = edges[i];
			if (!layout_rect_intersect(&e, &r->frame.rects[k]))
				continue;
			scissor(r, &e);
			glClear(GL_COLOR_BUFFER_BIT);
		}
	}
	glDisable(GL_SCISSOR_TEST);
	return check_gl(r);
}

void
render_set_scaling(struct renderer *r, enum layout_scale scale, bool nearest)
{
	/* Another filter samples every scaled picture anew where the
	 * placement (what render_take_damage compares) stays the same. */
	if (scale != r->scale || nearest != r->filter_nearest) {
		for (struct render_head *h = r->heads; h; h = h->next)
			h->pending_all = true;
	}
	r->scale = scale;
	r->filter_nearest = nearest;
}

void
render_set_hide_cursors(struct renderer *r, bool hide)
{
	r->hide_cursors = hide;
}

uint64_t
render_head_bytes_uploaded(const struct render_head *head)
{
	return head->bytes_uploaded;
}

const struct render_stats *
render_get_stats(const struct renderer *r)
{
	return &r->stats;
}
