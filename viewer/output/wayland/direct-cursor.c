/* SPDX-License-Identifier: MIT */
/*
 * The guest's cursor on the zero-copy path. Where the viewer shows the
 * guest's cursor in the picture (--kiosk, a relative mouse) a head on a
 * subsurface of its own (direct.c) gets one more
 * subsurface above its picture: the cursor image in a wl_shm buffer of
 * its own (premultiplied ARGB8888, what CURSOR_IMAGE and wl_shm both
 * mean), placed and scaled with wp_viewporter where render/cursor.c would
 * draw it, and clipped like it to the head's picture. A CURSOR_POS moves
 * it with a commit of this subsurface and its parent: no GL frame.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "output/wayland/direct.h"

#include "viewporter-client-protocol.h"

/* An image's wl_buffer; one replaced while the compositor still reads it
 * goes once released. */
struct cursor_buffer {
	struct wayland_direct_cursor *c;
	struct cursor_buffer *next;
	struct wl_buffer *buffer;
	bool busy;               /* committed, not yet released */
};

struct wayland_direct_cursor {
	struct wayland_output *w;
	struct cursor_buffer *image;   /* NULL: the guest shows none */
	struct cursor_buffer *retired; /* replaced, still read */
	int width, height, hot_x, hot_y;
	int32_t x, y;                  /* head pixels (CURSOR_POS) */
	bool visible;
	struct wl_surface *parent;
	struct wl_surface *surface;
	struct wl_subsurface *subsurface;
	struct wp_viewport *viewport;
	/* As last committed: shown with this buffer at this place. */
	bool mapped;
	struct cursor_buffer *attached;
	int32_t pos_x, pos_y, dst_w, dst_h;
	wl_fixed_t src_x, src_y, src_w, src_h;
};

static void
free_buffer(struct cursor_buffer *b)
{
	wl_buffer_destroy(b->buffer);
	free(b);
}

static void
buffer_release(void *data, struct wl_buffer *wb)
{
	struct cursor_buffer *b = data;
	struct wayland_direct_cursor *c = b->c;
	(void)wb;
	b->busy = false;
	for (struct cursor_buffer **link = &c->retired; *link;
	     link = &(*link)->next) {
		if (*link == b) {
			*link = b->next;
			free_buffer(b);
			return;
		}
	}
}

static const struct wl_buffer_listener buffer_listener = {
	.release = buffer_release,
};

struct wayland_direct_cursor *
wayland_direct_cursor_create(struct wayland_output *w)
{
	struct wayland_direct_cursor *c = calloc(1, sizeof(*c));
	if (c)
		c->w = w;
	return c;
}

void
wayland_direct_cursor_surface_gone(struct wayland_direct_cursor *c)
{
	if (!c)
		return;
	if (c->viewport)
		wp_viewport_destroy(c->viewport);
	if (c->subsurface)
		wl_subsurface_destroy(c->subsurface);
	if (c->surface)
		wl_surface_destroy(c->surface);
	c->viewport = NULL;
	c->subsurface = NULL;
	c->surface = NULL;
	c->parent = NULL;
	c->mapped = false;
	c->attached = NULL;
}

void
wayland_direct_cursor_destroy(struct wayland_direct_cursor *c)
{
	if (!c)
		return;
	wayland_direct_cursor_surface_gone(c);
	if (c->image)
		free_buffer(c->image);
	while (c->retired) {
		struct cursor_buffer *b = c->retired;
		c->retired = b->next;
		free_buffer(b);
	}
	free(c);
}

void
wayland_direct_cursor_set_image(struct wayland_direct_cursor *c,
				const struct proto_cursor_image *img,
				const uint32_t *pixels)
{
	if (!c)
		return;
	struct cursor_buffer *old = c->image;
	c->image = NULL;
	if (old && old->busy) {
		old->next = c->retired;
		c->retired = old;
	} else if (old) {
		if (c->attached == old)
			c->attached = NULL;
		free_buffer(old);
	}
	if (img->width == 0 || img->height == 0 || !pixels || !c->w->shm)
		return;
	struct cursor_buffer *b = calloc(1, sizeof(*b));
	if (!b)
		return;
	b->c = c;
	b->buffer = wayland_cursor_buffer(c->w, (int)img->width, (int)img->height,
				 pixels);
	if (!b->buffer) {
		free(b);
		return;
	}
	wl_buffer_add_listener(b->buffer, &buffer_listener, b);
	c->image = b;
	c->width = (int)img->width;
	c->height = (int)img->height;
	c->hot_x = img->hot_x;
	c->hot_y = img->hot_y;
}

void
wayland_direct_cursor_move(struct wayland_direct_cursor *c,
			   const struct proto_cursor_pos *pos)
{
	if (!c)
		return;
	c->x = pos->x;
	c->y = pos->y;
	c->visible = pos->visible != 0;
}

static double
max_d(double a, double b)
{
	return a > b ? a : b;
}

static double
min_d(double a, double b)
{
	return a < b ? a : b;
}

static int32_t
round_i(double v)
{
	return (int32_t)(v < 0 ? v - 0.5 : v + 0.5);
}

/* Where the cursor shows, in the parent's surface coordinates, and which
 * part of its image: render/cursor.c's quad, clipped to the picture. */
static bool
cursor_rect(const struct wayland_direct_cursor *c,
	    const struct wayland_direct_cursor_place *at, int32_t *x,
	    int32_t *y, int32_t *dw, int32_t *dh, double src[4])
{
	double x0, y0, x1, y1;
	double hx = (double)c->x - c->hot_x, hy = (double)c->y - c->hot_y;
	layout_head_to_output(at->src_w, at->src_h, &at->fit, hx, hy, &x0, &y0);
	layout_head_to_output(at->src_w, at->src_h, &at->fit, hx + c->width,
			      hy + c->height, &x1, &y1);
	if (x1 <= x0 || y1 <= y0)
		return false;
	double cx0 = max_d(x0, at->fit.x), cy0 = max_d(y0, at->fit.y);
	double cx1 = min_d(x1, at->fit.x + at->fit.width);
	double cy1 = min_d(y1, at->fit.y + at->fit.height);
	/* Surface coordinates are whole: the rect rounds there, and the
	 * source follows the rounded rect back into the image. */
	int32_t sx0 = round_i(cx0 * at->kx), sy0 = round_i(cy0 * at->ky);
	int32_t sx1 = round_i(cx1 * at->kx), sy1 = round_i(cy1 * at->ky);
	if (sx1 <= sx0 || sy1 <= sy0)
		return false;
	double kw = c->width / (x1 - x0), kh = c->height / (y1 - y0);
	src[0] = max_d((sx0 / at->kx - x0) * kw, 0);
	src[1] = max_d((sy0 / at->ky - y0) * kh, 0);
	src[2] = min_d((sx1 / at->kx - x0) * kw, c->width) - src[0];
	src[3] = min_d((sy1 / at->ky - y0) * kh, c->height) - src[1];
	if (src[2] <= 0 || src[3] <= 0)
		return false;
	*x = sx0;
	*y = sy0;
	*dw = sx1 - sx0;
	*dh = sy1 - sy0;
	return true;
}

static void
ensure_surface(struct wayland_direct_cursor *c, struct wl_surface *parent,
	       struct wl_surface *picture,
	       struct wl_subcompositor *subcompositor)
{
	struct wayland_output *w = c->w;
	if (c->surface && c->parent == parent)
		return;
	wayland_direct_cursor_surface_gone(c);
	c->parent = parent;
	c->surface = wl_compositor_create_surface(w->compositor);
	c->subsurface = wl_subcompositor_get_subsurface(subcompositor,
							c->surface, parent);
	wl_subsurface_set_sync(c->subsurface);
	wl_subsurface_place_above(c->subsurface, picture);
	c->viewport = wp_viewporter_get_viewport(w->viewporter, c->surface);
	/* The pointer lands on the GL surface below, as over the picture. */
	struct wl_region *none = wl_compositor_create_region(w->compositor);
	wl_surface_set_input_region(c->surface, none);
	wl_region_destroy(none);
}

bool
wayland_direct_cursor_stage(struct wayland_direct_cursor *c,
			    struct wl_subcompositor *subcompositor,
			    struct wl_surface *parent, struct wl_surface *picture,
			    const struct wayland_direct_cursor_place *at)
{
	if (!c)
		return false;
	int32_t x, y, dw, dh;
	double src[4];
	bool show = at && c->visible && c->image &&
		    cursor_rect(c, at, &x, &y, &dw, &dh, src);
	if (!show) {
		if (!c->mapped || !c->surface)
			return false;
		wayland_direct_cursor_hide(c);
		return true;
	}
	ensure_surface(c, parent, picture, subcompositor);
	wl_fixed_t sx = wl_fixed_from_double(src[0]);
	wl_fixed_t sy = wl_fixed_from_double(src[1]);
	wl_fixed_t sw = wl_fixed_from_double(src[2]);
	wl_fixed_t sh = wl_fixed_from_double(src[3]);
	/* wp_viewport: a source beyond the buffer is a protocol error. */
	if (sx + sw > wl_fixed_from_int(c->width))
		sw = wl_fixed_from_int(c->width) - sx;
	if (sy + sh > wl_fixed_from_int(c->height))
		sh = wl_fixed_from_int(c->height) - sy;
	if (sw <= 0 || sh <= 0) {
		bool was_mapped = c->mapped;
		wayland_direct_cursor_hide(c);
		return was_mapped;
	}
	bool new_image = c->attached != c->image;
	bool new_place = !c->mapped || x != c->pos_x || y != c->pos_y;
	bool new_view = !c->mapped || dw != c->dst_w || dh != c->dst_h ||
			sx != c->src_x || sy != c->src_y || sw != c->src_w ||
			sh != c->src_h;
	if (!new_image && !new_place && !new_view)
		return false;
	if (new_place)
		wl_subsurface_set_position(c->subsurface, x, y);
	if (new_view) {
		wp_viewport_set_source(c->viewport, sx, sy, sw, sh);
		wp_viewport_set_destination(c->viewport, dw, dh);
	}
	if (new_image || !c->mapped) {
		wl_surface_attach(c->surface, c->image->buffer, 0, 0);
		wl_surface_damage_buffer(c->surface, 0, 0, INT32_MAX, INT32_MAX);
		c->image->busy = true;
		c->attached = c->image;
	}
	wl_surface_commit(c->surface);
	c->mapped = true;
	c->pos_x = x;
	c->pos_y = y;
	c->dst_w = dw;
	c->dst_h = dh;
	c->src_x = sx;
	c->src_y = sy;
	c->src_w = sw;
	c->src_h = sh;
	return true;
}

void
wayland_direct_cursor_hide(struct wayland_direct_cursor *c)
{
	if (!c || !c->surface || !c->mapped)
		return;
	/* Applied with the parent's next commit, like the picture's. */
	wl_surface_attach(c->surface, NULL, 0, 0);
	wl_surface_commit(c->surface);
	c->mapped = false;
	c->attached = NULL;
}

/* --- the output_direct_impl's cursor ------------------------------------ */

/* The view that shows head id, and the head's place in it. */
static bool
head_view(const struct wayland_direct *d, uint32_t id, int *view,
	  int *first, int *count, int *i)
{
	for (int k = 0; k < d->n_view; k++) {
		if (d->view_ids[k] != id)
			continue;
		*view = d->w->out->view_per_head ? k : 0;
		*count = direct_view_heads(d, *view, first);
		*i = k - *first;
		return *i >= 0 && *i < *count;
	}
	return false;
}

/* A direct head's cursor as it is now, with a commit of the cursor's
 * subsurface and its parent alone (now), or at the next flush (a burst
 * of CURSOR_POS is one commit); false where a GL frame must come first
 * (the head is on GL, or the frame under it is due anyway: that frame's
 * commit places the cursor). */
static bool
commit_cursor(struct wayland_direct *d, struct direct_head *h, bool now)
{
	int view, first, count, i, sw, sh, pw, ph, x, y, dw, dh;
	if (!h || !h->active || !h->placed || !h->surface ||
	    !head_view(d, h->id, &view, &first, &count, &i))
		return false;
	wayland_view_surface(d->w, view, &sw, &sh, &pw, &ph);
	if (!d->background_valid[view] || d->background_w[view] != pw ||
	    d->background_h[view] != ph)
		return false;
	if (!now) {
		h->cursor_moved = true;
		d->cursors_moved = true;
		return true;
	}
	struct wayland_direct_cursor_place at;
	bool shows = direct_place(d, view, first, count, i, h, &x, &y, &dw,
				  &dh, &at);
	if (wayland_direct_cursor_stage(h->cursor, d->subcompositor, h->parent,
			h->surface, shows && d->show_cursors ? &at : NULL)) {
		/* No frame callback, no GL buffer: the compositor
		 * recomposites with the cursor moved. */
		wl_surface_commit(h->parent);
		d->cursor_moves++;
	}
	return true;
}

void
wayland_direct_flush_cursors(struct wayland_output *w)
{
	struct wayland_direct *d = w->direct;
	if (!d || !d->cursors_moved)
		return;
	d->cursors_moved = false;
	for (int i = 0; i < PROTO_MAX_HEADS; i++) {
		struct direct_head *h = &d->heads[i];
		if (h->id && h->cursor_moved)
			commit_cursor(d, h, true);
		h->cursor_moved = false;
	}
}

void
wayland_direct_show_cursors(struct output *out, bool show)
{
	struct wayland_output *w = out->backend;
	struct wayland_direct *d = w->direct;
	if (d->show_cursors == show)
		return;
	d->show_cursors = show;
	/* Where this cannot commit now, the viewer's redraw for the grab
	 * does. */
	for (int i = 0; i < PROTO_MAX_HEADS; i++) {
		if (d->heads[i].id)
			commit_cursor(d, &d->heads[i], false);
	}
}

bool
wayland_direct_cursor_image(struct output *out,
			    const struct proto_cursor_image *img,
			    const uint32_t *pixels)
{
	struct wayland_output *w = out->backend;
	struct wayland_direct *d = w->direct;
	/* Kept for a head on GL too: it may come to the direct path. */
	struct direct_head *h = direct_find_head(d, img->head_id, true);
	if (!h)
		return false;
	wayland_direct_cursor_set_image(h->cursor, img, pixels);
	return commit_cursor(d, h, false);
}

bool
wayland_direct_cursor_pos(struct output *out,
			  const struct proto_cursor_pos *pos)
{
	struct wayland_output *w = out->backend;
	struct wayland_direct *d = w->direct;
	struct direct_head *h = direct_find_head(d, pos->head_id, true);
	if (!h)
		return false;
	wayland_direct_cursor_move(h->cursor, pos);
	return commit_cursor(d, h, false);
}
