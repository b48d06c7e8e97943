/* SPDX-License-Identifier: MIT */
/*
 * The Wayland output's zero-copy hand-off: a head whose guest buffer the
 * compositor can take is shown by a subsurface of its own, above the GL
 * surface, carrying the guest's buffer itself (a wl_shm_pool made once
 * per guest shm buffer from a dup of its memfd), placed at the head's
 * letterboxed fit rect with wp_viewporter; a guest dma-buf as a
 * zwp_linux_dmabuf_v1 wl_buffer where the compositor lists its format and
 * modifier (dmabuf.c). The GL surface below draws
 * the bars and black where the picture is, and uploads nothing.
 *
 * The subsurfaces are synchronized: their state applies with the GL
 * surface's commit, so a new layout (a resize, bars that move) and the
 * pictures placed in it change in one frame, never a frame apart. A
 * frame with only new pictures commits the GL surface without a new GL
 * buffer: no GL draw, no swap.
 *
 * PROTOCOL.md "Held buffers": a head's FRAME_DONE waits for the
 * compositor's wl_buffer.release of the buffer the head showed before.
 *
 * The backend's core knows none of this: the hand-off registers its hooks
 * (private.h) at the start, and the core calls them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <drm_fourcc.h>

#include "output/wayland/direct.h"
#include "proto.h"

#include "viewporter-client-protocol.h"

/* --- globals ------------------------------------------------------------ */

static void
shm_format(void *data, struct wl_shm *shm, uint32_t format)
{
	struct wayland_direct *d = data;
	(void)shm;
	if (d->n_shm_formats < (int)(sizeof(d->shm_formats) /
				     sizeof(d->shm_formats[0])))
		d->shm_formats[d->n_shm_formats++] = format;
}

static const struct wl_shm_listener shm_listener = {
	.format = shm_format,
};

static bool
take_global(struct wayland_output *w, struct wl_registry *reg, uint32_t name,
	    const char *iface, uint32_t version)
{
	struct wayland_direct *d = w->direct;
	if (strcmp(iface, wl_subcompositor_interface.name) == 0) {
		d->subcompositor = wl_registry_bind(reg, name,
			&wl_subcompositor_interface, 1);
		return true;
	}
	return wayland_dmabuf_global(w, reg, name, iface, version) ||
	       wayland_feedback_global(w, reg, name, iface);
}

static void
shm_bound(struct wayland_output *w)
{
	wl_shm_add_listener(w->shm, &shm_listener, w->direct);
}

/* --- buffers ------------------------------------------------------------ */

static void
destroy_buffer(struct direct_buffer *b)
{
	if (b->buffer)
		wl_buffer_destroy(b->buffer);
	if (b->pool)
		wl_shm_pool_destroy(b->pool);
	free(b);
}

static void
answer(struct wayland_direct *d, struct direct_head *h)
{
	uint64_t t = wayland_feedback_presented_ns(d->w, h->commit_serial);
	if (d->listener.answer)
		d->listener.answer(d->listener.data, h->id, t ? t : proto_now_ns());
}

static void
buffer_release(void *data, struct wl_buffer *wb)
{
	struct direct_buffer *b = data;
	struct wayland_direct *d = b->d;
	(void)wb;
	b->busy = false;
	for (int i = 0; i < PROTO_MAX_HEADS; i++) {
		struct direct_head *h = &d->heads[i];
		if (h->id && h->waiting == b) {
			h->waiting = NULL;
			answer(d, h);
		}
	}
}

static const struct wl_buffer_listener buffer_listener = {
	.release = buffer_release,
};

static struct direct_buffer *
find_buffer(struct wayland_direct *d, uint64_t key)
{
	for (struct direct_buffer *b = d->buffers; b; b = b->next) {
		if (b->key == key)
			return b;
	}
	return NULL;
}

/* DRM fourccs are wl_shm's codes, but for the two wl_shm made 0 and 1. */
static uint32_t
shm_format_of(uint32_t fourcc)
{
	switch (fourcc) {
	case DRM_FORMAT_ARGB8888: return WL_SHM_FORMAT_ARGB8888;
	case DRM_FORMAT_XRGB8888: return WL_SHM_FORMAT_XRGB8888;
	}
	return fourcc;
}

static bool
shm_format_offered(const struct wayland_direct *d, uint32_t format)
{
	for (int i = 0; i < d->n_shm_formats; i++) {
		if (d->shm_formats[i] == format)
			return true;
	}
	return false;
}

static struct direct_buffer *
make_shm_buffer(struct wayland_direct *d, const struct output_direct_buffer *ob,
		char *why, size_t why_size)
{
	const struct proto_buffer_shm *s = ob->shm;
	uint32_t format = shm_format_of(s->fourcc);
	char name[5];
	if (!shm_format_offered(d, format)) {
		snprintf(why, why_size, "the compositor's wl_shm lacks %s",
			 proto_fourcc_name(s->fourcc, name));
		return NULL;
	}
	uint64_t size = s->offset + (uint64_t)s->stride * s->height;
	if (size > INT32_MAX) {
		snprintf(why, why_size, "buffer %u (%llu bytes) is beyond "
			 "wl_shm's 2 GiB", s->buffer_id, (unsigned long long)size);
		return NULL;
	}
	struct direct_buffer *b = calloc(1, sizeof(*b));
	if (!b) {
		snprintf(why, why_size, "out of memory");
		return NULL;
	}
	b->d = d;
	b->key = ob->key;
	b->width = s->width;
	b->height = s->height;
	b->pool = wl_shm_create_pool(d->w->shm, ob->fd, (int32_t)size);
	b->buffer = wl_shm_pool_create_buffer(b->pool, (int32_t)s->offset,
		(int32_t)s->width, (int32_t)s->height, (int32_t)s->stride, format);
	wl_buffer_add_listener(b->buffer, &buffer_listener, b);
	b->next = d->buffers;
	d->buffers = b;
	d->buffers_handed++;
	return b;
}

static struct direct_buffer *
make_dmabuf_buffer(struct wayland_direct *d,
		   const struct output_direct_buffer *ob, char *why,
		   size_t why_size)
{
	struct wl_buffer *wb = wayland_dmabuf_buffer(d->w, ob, why, why_size);
	if (!wb)
		return NULL;
	struct direct_buffer *b = calloc(1, sizeof(*b));
	if (!b) {
		wl_buffer_destroy(wb);
		snprintf(why, why_size, "out of memory");
		return NULL;
	}
	*b = (struct direct_buffer){ .d = d, .key = ob->key, .buffer = wb,
		.width = ob->dmabuf->width, .height = ob->dmabuf->height };
	wl_buffer_add_listener(b->buffer, &buffer_listener, b);
	b->next = d->buffers;
	d->buffers = b;
	d->buffers_handed++;
	return b;
}

/* --- heads -------------------------------------------------------------- */

struct direct_head *
direct_find_head(struct wayland_direct *d, uint32_t id, bool create)
{
	struct direct_head *free_slot = NULL;
	for (int i = 0; i < PROTO_MAX_HEADS; i++) {
		if (d->heads[i].id == id)
			return &d->heads[i];
		if (!d->heads[i].id && !free_slot)
			free_slot = &d->heads[i];
	}
	if (!create || !free_slot)
		return NULL;
	*free_slot = (struct direct_head){ .id = id,
		.cursor = wayland_direct_cursor_create(d->w) };
	return free_slot;
}

static void
destroy_surface(struct direct_head *h)
{
	wayland_direct_cursor_surface_gone(h->cursor);
	if (h->viewport)
		wp_viewport_destroy(h->viewport);
	if (h->subsurface)
		wl_subsurface_destroy(h->subsurface);
	if (h->surface)
		wl_surface_destroy(h->surface);
	h->viewport = NULL;
	h->subsurface = NULL;
	h->surface = NULL;
	h->parent = NULL;
	h->placed = false;
}

/* The head's subsurface on its view's surface; a head that moved to
 * another window gets a new one, its buffer committed again. */
static void
ensure_surface(struct wayland_direct *d, struct direct_head *h,
	       struct wl_surface *parent)
{
	struct wayland_output *w = d->w;
	if (h->surface && h->parent == parent)
		return;
	if (h->surface) {
		destroy_surface(h);
		if (!h->pending)
			h->pending = h->shown;
		h->full_damage = true;
	}
	h->parent = parent;
	h->surface = wl_compositor_create_surface(w->compositor);
	h->subsurface = wl_subcompositor_get_subsurface(d->subcompositor,
							h->surface, parent);
	wl_subsurface_set_sync(h->subsurface);
	h->viewport = wp_viewporter_get_viewport(w->viewporter, h->surface);
	/* The pointer keeps landing on the GL surface, whose pixels the
	 * input mapping speaks. */
	struct wl_region *none = wl_compositor_create_region(w->compositor);
	wl_surface_set_input_region(h->surface, none);
	wl_region_destroy(none);
}

static void
parent_gone(struct wayland_output *w, struct wl_surface *parent)
{
	struct wayland_direct *d = w->direct;
	for (int i = 0; d && i < PROTO_MAX_HEADS; i++) {
		struct direct_head *h = &d->heads[i];
		if (h->id && h->parent == parent) {
			destroy_surface(h);
			/* Committed again on its new window. */
			if (!h->pending)
				h->pending = h->shown;
			h->full_damage = true;
		}
	}
}

static void
destroy_head(struct direct_head *h)
{
	destroy_surface(h);
	wayland_direct_cursor_destroy(h->cursor);
	*h = (struct direct_head){0};
}

/* Which heads view `view` shows: view_ids[*first .. *first + count). */
int
direct_view_heads(const struct wayland_direct *d, int view, int *first)
{
	if (!d->w->out->view_per_head) {
		*first = 0;
		return view == 0 ? d->n_view : 0;
	}
	*first = view;
	return view < d->n_view ? 1 : 0;
}

static void
invalidate_backgrounds(struct wayland_direct *d)
{
	for (int i = 0; i < PROTO_MAX_HEADS; i++)
		d->background_valid[i] = false;
}

/* --- the output_direct_impl --------------------------------------------- */

static bool
direct_offered(struct output *out, char *why, size_t why_size)
{
	struct wayland_output *w = out->backend;
	struct wayland_direct *d = w->direct;
	if (d->no_zero_copy)
		snprintf(why, why_size, "--zero-copy off");
	else if (!d->subcompositor)
		snprintf(why, why_size, "the compositor offers no wl_subcompositor");
	else if (!w->viewporter)
		snprintf(why, why_size, "the compositor offers no wp_viewporter");
	else if (d->listener.data)
		/* Heads are known by id alone here: one connection at a time. */
		snprintf(why, why_size, "another connection in this output "
			 "uses the hand-off");
	else
		return true;
	return false;
}

static void
direct_set_listener(struct output *out, const struct output_direct_listener *l)
{
	struct wayland_output *w = out->backend;
	w->direct->listener = l ? *l : (struct output_direct_listener){0};
}

/* The same part of a buffer, shown the same way up (whichever buffer). */
static bool
same_source(const struct proto_scanout *a, const struct proto_scanout *b)
{
	return a->flags == b->flags && a->x == b->x && a->y == b->y &&
	       a->width == b->width && a->height == b->height;
}

static void
add_damage(struct direct_head *h, const struct output_direct_update *u)
{
	for (uint32_t i = 0; i < u->n_damage && !h->full_damage; i++) {
		if (h->n_damage == DIRECT_MAX_DAMAGE)
			h->full_damage = true;
		else
			h->damage[h->n_damage++] = u->damage[i];
	}
}

static bool
direct_update(struct output *out, const struct output_direct_update *u,
	      char *why, size_t why_size)
{
	struct wayland_output *w = out->backend;
	struct wayland_direct *d = w->direct;
	const struct output_direct_buffer *ob = u->buf;
	if (w->keep_frame) {
		/* The snapshot is read back from the GL frame. */
		snprintf(why, why_size, "--snapshot reads the GL frame");
		return false;
	}
	if (d->scale == LAYOUT_SCALE_NONE) {
		snprintf(why, why_size, "--scale none crops the picture");
		return false;
	}
	/* The compositor scales a subsurface with its own (linear) filter:
	 * pixels drawn nearest are the renderer's to draw. */
	if (d->filter_nearest) {
		snprintf(why, why_size, "--filter nearest: the compositor "
			 "would scale it linearly");
		return false;
	}
	/* Placed at the commit, once the viewer laid the heads out. */
	struct direct_buffer *b = find_buffer(d, ob->key);
	if (!b && !(b = ob->dmabuf ? make_dmabuf_buffer(d, ob, why, why_size) :
		    make_shm_buffer(d, ob, why, why_size)))
		return false;
	struct direct_head *h = direct_find_head(d, u->head_id, true);
	if (!h) {
		snprintf(why, why_size, "no room for head %u", u->head_id);
		return false;
	}
	struct proto_scanout s = *u->scanout;
	if (s.width == 0 || s.height == 0) {
		s.x = s.y = 0;
		s.width = b->width;
		s.height = b->height;
	}
	/* Another buffer of the same size differs from the one shown only
	 * in the UPDATE's damage (PROTOCOL.md), which is all the compositor
	 * needs to repaint (and upload) of it. */
	const struct direct_buffer *was = h->shown;
	if (!h->active || !was || was->width != b->width ||
	    was->height != b->height || !same_source(&s, &h->scanout))
		h->full_damage = true;
	h->active = true;
	h->scanout = s;
	h->pending = b;
	add_damage(h, u);
	return true;
}

static bool
direct_may_answer(struct output *out, uint32_t head_id)
{
	struct wayland_output *w = out->backend;
	struct direct_head *h = direct_find_head(w->direct, head_id, false);
	return !h || (!h->pending && !h->waiting);
}

static void
direct_head_gone(struct output *out, uint32_t head_id)
{
	struct wayland_output *w = out->backend;
	struct direct_head *h = direct_find_head(w->direct, head_id, false);
	if (!h)
		return;
	/* Unmapped with the GL frame that shows the head again. */
	if (h->surface) {
		wl_surface_attach(h->surface, NULL, 0, 0);
		wl_surface_commit(h->surface);
	}
	wayland_direct_cursor_hide(h->cursor);
	/* A FRAME_DONE still owed goes now: the buffer leaves the screen
	 * with the GL frame that follows. */
	bool owed = h->waiting != NULL;
	h->active = false;
	h->shown = h->pending = h->waiting = NULL;
	h->placed = false;
	invalidate_backgrounds(w->direct);
	if (owed)
		answer(w->direct, h);
}

static void
direct_buffer_gone(struct output *out, uint64_t key)
{
	struct wayland_output *w = out->backend;
	struct wayland_direct *d = w->direct;
	struct direct_buffer **link = &d->buffers;
	while (*link && (*link)->key != key)
		link = &(*link)->next;
	struct direct_buffer *b = *link;
	if (!b)
		return;
	*link = b->next;
	for (int i = 0; i < PROTO_MAX_HEADS; i++) {
		struct direct_head *h = &d->heads[i];
		if (h->shown == b)
			h->shown = NULL;
		if (h->pending == b)
			h->pending = NULL;
		if (h->waiting == b) {
			/* The server will not write into a gone buffer. */
			h->waiting = NULL;
			answer(d, h);
		}
	}
	destroy_buffer(b);
}

/* Where head i of the count a view shows lands, in its surface's
 * coordinates: the renderer's tile and fit, divided by the scale. */
bool
direct_place(struct wayland_direct *d, int view, int first, int count,
	     int i, const struct direct_head *h, int *x, int *y, int *dw,
	     int *dh, struct wayland_direct_cursor_place *at)
{
	int sw, sh, pw, ph;
	wayland_view_surface(d->w, view, &sw, &sh, &pw, &ph);
	struct layout_rect tile = layout_tile(pw, ph, d->view_widths + first,
					      count, i);
	struct layout_rect fit = layout_place(d->scale, (int)h->scanout.width,
					      (int)h->scanout.height, &tile);
	if (fit.width <= 0 || fit.height <= 0 || pw <= 0 || ph <= 0)
		return false;
	double kx = (double)sw / pw;
	double ky = (double)sh / ph;
	*at = (struct wayland_direct_cursor_place){ .fit = fit, .kx = kx,
		.ky = ky, .src_w = (int)h->scanout.width,
		.src_h = (int)h->scanout.height };
	*x = (int)(fit.x * kx + 0.5);
	*y = (int)(fit.y * ky + 0.5);
	*dw = (int)((fit.x + fit.width) * kx + 0.5) - *x;
	*dh = (int)((fit.y + fit.height) * ky + 0.5) - *y;
	return *dw > 0 && *dh > 0;
}

/* Sets the subsurface of each direct head of a view for the next commit
 * of the view's GL surface: its place, its new buffer with the damage. */
static void
commit_heads(struct wayland_direct *d, int view, uint64_t serial)
{
	int sw, sh, pw, ph;
	struct wl_surface *parent = wayland_view_surface(d->w, view, &sw, &sh,
							 &pw, &ph);
	int first, count = direct_view_heads(d, view, &first);
	for (int i = 0; i < count; i++) {
		struct direct_head *h = direct_find_head(d,
			d->view_ids[first + i], false);
		if (!h || !h->active || (!h->pending && !h->shown))
			continue;
		ensure_surface(d, h, parent);
		int x, y, dw, dh;
		struct wayland_direct_cursor_place at;
		bool shows = direct_place(d, view, first, count, i, h, &x, &y,
					  &dw, &dh, &at);
		if (!shows) {
			/* Nothing of it shows, but its buffer must go round
			 * (its FRAME_DONE waits for that). */
			x = y = 0;
			dw = dh = 1;
		}
		wayland_direct_cursor_stage(h->cursor, d->subcompositor, parent,
			h->surface, shows && d->show_cursors ? &at : NULL);
		bool moved = !h->placed || x != h->x || y != h->y ||
			     dw != h->dst_w || dh != h->dst_h ||
			     !same_source(&h->placed_src, &h->scanout);
		if (!moved && !h->pending)
			continue;
		if (moved) {
			struct direct_buffer *b = h->pending ? h->pending : h->shown;
			const struct proto_scanout *s = &h->scanout;
			bool y0_top = s->flags & PROTO_SCANOUT_Y0_TOP;
			/* flipped_180 is a vertical flip; the source rect is
			 * in the flipped buffer's coordinates. */
			wl_surface_set_buffer_transform(h->surface, y0_top ?
				WL_OUTPUT_TRANSFORM_NORMAL :
				WL_OUTPUT_TRANSFORM_FLIPPED_180);
			uint32_t sy = y0_top ? s->y : b->height - s->y - s->height;
			wl_subsurface_set_position(h->subsurface, x, y);
			wp_viewport_set_source(h->viewport,
				wl_fixed_from_int((int)s->x), wl_fixed_from_int((int)sy),
				wl_fixed_from_int((int)s->width),
				wl_fixed_from_int((int)s->height));
			wp_viewport_set_destination(h->viewport, dw, dh);
			h->x = x;
			h->y = y;
			h->dst_w = dw;
			h->dst_h = dh;
			h->placed_src = h->scanout;
			h->placed = true;
		}
		if (h->pending) {
			struct direct_buffer *b = h->pending;
			wl_surface_attach(h->surface, b->buffer, 0, 0);
			if (h->full_damage || moved) {
				wl_surface_damage_buffer(h->surface, 0, 0,
					INT32_MAX, INT32_MAX);
			} else {
				for (uint32_t r = 0; r < h->n_damage; r++)
					wl_surface_damage_buffer(h->surface,
						(int32_t)h->damage[r].x,
						(int32_t)h->damage[r].y,
						(int32_t)h->damage[r].width,
						(int32_t)h->damage[r].height);
			}
			/* The buffer shown so far is read until released (the
			 * same one again, on a new window, owes nothing new). */
			if (h->shown != b)
				h->waiting = h->shown && h->shown->busy ?
					     h->shown : NULL;
			h->shown = b;
			h->pending = NULL;
			b->busy = true;
			h->n_damage = 0;
			h->full_damage = false;
			h->commit_serial = serial;
			d->frames_handed++;
		}
		wl_surface_commit(h->surface);
	}
}

/* Whether every head of the view is direct (and a view without heads
 * is not); *pending: some has a new buffer to commit. */
static bool
view_all_direct(struct wayland_direct *d, int view, bool *pending)
{
	*pending = false;
	int first, count = direct_view_heads(d, view, &first);
	for (int i = 0; i < count; i++) {
		struct direct_head *h = direct_find_head(d,
			d->view_ids[first + i], false);
		if (!h || !h->active || (!h->pending && !h->shown))
			return false;
		*pending |= h->pending != NULL;
	}
	return count > 0;
}

static bool
direct_commit(struct output *out, int view, uint64_t *presented_ns)
{
	struct wayland_output *w = out->backend;
	struct wayland_direct *d = w->direct;
	int sw, sh, pw, ph;
	if (view < 0 || view >= PROTO_MAX_HEADS)
		return false;
	struct wl_surface *surface = wayland_view_surface(w, view, &sw, &sh,
							  &pw, &ph);
	bool pending;
	if (!d->background_valid[view] || d->background_w[view] != pw ||
	    d->background_h[view] != ph || !view_all_direct(d, view, &pending))
		return false;
	*presented_ns = proto_now_ns();
	/* Another head's news: this window has nothing new to show. */
	if (!pending)
		return true;
	uint64_t serial = wayland_feedback_request(w, surface);
	commit_heads(d, view, serial);
	wayland_view_request_frame(w, view);
	wl_surface_commit(surface);
	d->commits_direct++;
	return true;
}

static void
before_swap(struct wayland_output *w, int view)
{
	struct wayland_direct *d = w->direct;
	int sw, sh, pw, ph;
	struct wl_surface *surface = wayland_view_surface(w, view, &sw, &sh,
							  &pw, &ph);
	uint64_t serial = wayland_feedback_request(w, surface);
	commit_heads(d, view, serial);
	if (view >= 0 && view < PROTO_MAX_HEADS) {
		d->background_valid[view] = true;
		d->background_w[view] = pw;
		d->background_h[view] = ph;
	}
}

static void
set_heads(struct wayland_output *w, const struct output_head *heads, int n)
{
	struct wayland_direct *d = w->direct;
	d->n_view = n < PROTO_MAX_HEADS ? n : PROTO_MAX_HEADS;
	for (int i = 0; i < d->n_view; i++) {
		d->view_ids[i] = heads[i].id;
		d->view_widths[i] = heads[i].width;
	}
	invalidate_backgrounds(d);
}

static void
direct_print_stats(struct output *out, FILE *f)
{
	struct wayland_output *w = out->backend;
	struct wayland_direct *d = w->direct;
	fprintf(f, "qemu-eglview: zero-copy: frames_handed=%llu "
		"commits_without_gl=%llu cursor_moves=%llu wl_buffers=%llu "
		"shm_formats=%d linux_dmabuf=%s\n",
		(unsigned long long)d->frames_handed,
		(unsigned long long)d->commits_direct,
		(unsigned long long)d->cursor_moves,
		(unsigned long long)d->buffers_handed, d->n_shm_formats,
		wayland_dmabuf_offered(w) ? "yes" : "no");
	wayland_feedback_print_stats(w, f);
	wayland_input_print_stats(w, f);
}

static void
finish(struct wayland_output *w)
{
	struct wayland_direct *d = w->direct;
	if (!d)
		return;
	for (int i = 0; i < PROTO_MAX_HEADS; i++) {
		if (d->heads[i].id)
			destroy_head(&d->heads[i]);
	}
	while (d->buffers) {
		struct direct_buffer *b = d->buffers;
		d->buffers = b->next;
		destroy_buffer(b);
	}
	wayland_dmabuf_finish(w);
	if (d->subcompositor)
		wl_subcompositor_destroy(d->subcompositor);
	free(d);
	w->direct = NULL;
	wayland_feedback_finish(w);
}

static const struct wayland_extension_hooks hooks = {
	.global = take_global,
	.shm_bound = shm_bound,
	.set_heads = set_heads,
	.parent_gone = parent_gone,
	.before_swap = before_swap,
	.after_dispatch = wayland_direct_flush_cursors,
	.finish = finish,
};

bool
wayland_direct_register(struct wayland_output *w,
			const struct output_config *cfg)
{
	struct wayland_direct *d = calloc(1, sizeof(*d));
	if (!d)
		return false;
	d->w = w;
	d->no_zero_copy = cfg->no_zero_copy;
	d->scale = cfg->scale;
	d->filter_nearest = cfg->filter_nearest;
	w->direct = d;
	w->extension = &hooks;
	return true;
}

const struct output_direct_impl wayland_direct_impl = {
	.offered = direct_offered,
	.set_listener = direct_set_listener,
	.update = direct_update,
	.may_answer = direct_may_answer,
	.head_gone = direct_head_gone,
	.buffer_gone = direct_buffer_gone,
	.commit = direct_commit,
	.print_stats = direct_print_stats,
	.show_cursors = wayland_direct_show_cursors,
	.cursor_image = wayland_direct_cursor_image,
	.cursor_pos = wayland_direct_cursor_pos,
};
