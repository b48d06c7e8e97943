/* SPDX-License-Identifier: MIT */
/*
 * The one draw path, for one VM or several. Each VM has a tile of the
 * output: one VM's is the whole of each view (a window per head, or one
 * view with every head side by side); several share one view, a cell
 * each (--layout grid, row or column, layout_cell), the focused one's
 * with a coloured frame. A VM that is away shows its waiting screen in
 * its tile. One frame shows every VM; it is drawn when any of them has
 * news and answers each one's FRAME_DONE after it is presented.
 *
 * Partial work for partial change: a view redraws and presents only what
 * changed in it (the renderer's damage, render_take_damage), plus what
 * changed since the buffer it draws into was last shown (its age).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app/viewer.h"
#include "app/waiting.h"
#include "client/timing.h"
#include "log.h"

/* Inside the focused VM's cell: as wide as reads at a glance, thin enough
 * to cover little of the picture (the letterbox bars, mostly). */
#define FOCUS_BORDER 3
#define FOCUS_COLOUR 0xffffa000u /* amber: unlike any waiting screen */

/* Before any VM showed a picture, a cell is as large as a following
 * output is before its first head. */
enum { DEFAULT_CELL_W = 640, DEFAULT_CELL_H = 480 };

/* One VM: the output follows its heads (a window opens or closes, a
 * window takes its head's new size); a window the user resized since
 * keeps its size until then. */
static bool
follow_heads(struct viewer *v, struct session *s)
{
	const struct output_head *heads = s->shown;
	int n = s->n_shown;
	if (!output_set_heads(v->out, heads, n)) {
		log_error("the %s output cannot follow the VM's %d heads (the "
			  "first %dx%d)", v->backend, n, n ? heads[0].width : 0,
			  n ? heads[0].height : 0);
		return false;
	}
	log_verbose("following %d heads in %d views, the first %dx%d", n,
		    v->out->n_views, n ? heads[0].width : 0,
		    n ? heads[0].height : 0);
	if (v->input && s->titled)
		viewer_update_title(v); /* a new window has no title of its own yet */
	return true;
}

/* Several VMs: every cell as large as the largest VM's heads side by
 * side 1:1, so that VM shows 1:1 and the others fit (unless --size). */
static bool
follow_cells(struct viewer *v)
{
	int cell_w = 0, cell_h = 0;
	for (int i = 0; i < v->n_sessions; i++) {
		const struct session *s = v->sessions[i];
		int w = 0;
		for (int h = 0; h < s->n_shown; h++) {
			w += s->shown[h].width;
			if (s->shown[h].height > cell_h)
				cell_h = s->shown[h].height;
		}
		if (w > cell_w)
			cell_w = w;
	}
	if (cell_w == 0 || cell_h == 0) {
		cell_w = DEFAULT_CELL_W;
		cell_h = DEFAULT_CELL_H;
	}
	int cols, rows;
	layout_grid_size(v->opts->layout, v->n_sessions, &cols, &rows);
	int64_t w = (int64_t)cols * cell_w, h = (int64_t)rows * cell_h;
	if (w > PROTO_MAX_DIMENSION)
		w = PROTO_MAX_DIMENSION;
	if (h > PROTO_MAX_DIMENSION)
		h = PROTO_MAX_DIMENSION;
	if (!output_resize(v->out, (int)w, (int)h)) {
		log_error("the %s output cannot take the size %" PRId64 "x%"
			  PRId64 " of %d VMs' cells (%dx%d each)", v->backend,
			  w, h, v->n_sessions, cell_w, cell_h);
		return false;
	}
	log_verbose("%d VMs in %dx%d cells of %dx%d", v->n_sessions, cols,
		    rows, cell_w, cell_h);
	return true;
}

/* The output follows what the VMs show; a VM that is away keeps what it
 * showed last, so the output keeps its size while it restarts. */
static bool
follow(struct viewer *v, bool *changed_out)
{
	bool changed = false;
	for (int i = 0; i < v->n_sessions; i++) {
		struct session *s = v->sessions[i];
		if (!s->client)
			continue;
		struct output_head heads[PROTO_MAX_HEADS];
		int n = client_output_heads(s->client, heads);
		if (n == s->n_shown &&
		    memcmp(heads, s->shown, sizeof(heads[0]) * n) == 0)
			continue;
		memcpy(s->shown, heads, sizeof(heads[0]) * n);
		s->n_shown = n;
		changed = true;
	}
	*changed_out = changed;
	if (!changed)
		return true;
	return v->n_sessions == 1 ? follow_heads(v, v->sessions[0]) :
	       follow_cells(v);
}

/* The heads of s that view shows: heads[*first .. *first + count). */
static int
view_heads(struct viewer *v, struct session *s, int view,
	   struct render_head **heads, int *first)
{
	int n = client_heads(s->client, heads);
	*first = 0;
	return v->n_sessions == 1 ? output_view_heads(v->out, view, n, first) : n;
}

/* The size each of the view's heads is shown at (its tile, before
 * --scale places the picture in it), for the guest to follow. */
static void
tell_sizes(struct session *s, int first, int count)
{
	struct output_head heads[PROTO_MAX_HEADS];
	int n = client_output_heads(s->client, heads);
	if (first + count > n)
		return;
	int widths[PROTO_MAX_HEADS];
	for (int i = 0; i < count; i++)
		widths[i] = heads[first + i].width;
	for (int i = 0; i < count; i++) {
		struct layout_rect t = layout_tile(s->tile.width, s->tile.height,
						   widths, count, i);
		client_show_head(s->client, heads[first + i].id, t.width,
				 t.height);
	}
}

/* One VM's pictures in one view: its tile, with the heads that view
 * shows (one VM: those of the view; several: all of them), and where
 * input finds them. */
static bool
draw_tile(struct viewer *v, struct session *s, int view, bool gl)
{
	char why[256];
	if (!s->client) {
		if (gl && !waiting_draw_tile(&s->waiting_tile, v->renderer,
					     &s->tile, session_name(s), why,
					     sizeof(why))) {
			log_error("%s", why);
			return false;
		}
		return true;
	}
	struct render_head *heads[PROTO_MAX_HEADS];
	int first, count = view_heads(v, s, view, heads, &first);
	if (s->input)
		input_set_tile(s->input, view, &s->tile, first, count);
	tell_sizes(s, first, count);
	return !gl || render_draw_in(v->renderer, heads + first, count,
				     &s->tile);
}

/* What changed in the view since its last frame (output pixels). */
static void
view_damage(struct viewer *v, int view, bool all, struct damage *d)
{
	struct output *out = v->out;
	struct layout_rect whole = { 0, 0, out->width, out->height };
	damage_clear(d);
	for (int i = 0; i < v->n_sessions; i++) {
		struct session *s = v->sessions[i];
		s->tile = layout_cell(v->opts->layout, out->width, out->height,
				      v->n_sessions, i);
		if (!s->client)
			continue; /* a waiting screen changes only with v->redraw */
		struct render_head *heads[PROTO_MAX_HEADS];
		int first, count = view_heads(v, s, view, heads, &first);
		render_take_damage(v->renderer, heads + first, count, &s->tile, d);
	}
	if (all) {
		damage_clear(d);
		damage_add(d, &whole);
	}
	damage_clip(d, &whole);
}

/* What to redraw into a buffer age frames old: the damage of this frame
 * and of the age - 1 before it, or all of it when that is not known. */
static void
redraw_region(struct viewer *v, int view, int age, const struct damage *now,
	      struct damage *draw)
{
	const struct view_history *h = &v->history[view];
	struct layout_rect whole = { 0, 0, v->out->width, v->out->height };
	damage_clear(draw);
	if (age < 1 || age - 1 > h->n || h->unknown) {
		damage_add(draw, &whole);
		return;
	}
	damage_add_damage(draw, now);
	for (int i = 0; i < age - 1; i++)
		damage_add_damage(draw, &h->frames[i]);
}

static void
remember(struct viewer *v, int view, const struct damage *d)
{
	struct view_history *h = &v->history[view];
	memmove(&h->frames[1], &h->frames[0],
		sizeof(h->frames[0]) * (VIEWER_DAMAGE_HISTORY - 1));
	h->frames[0] = *d;
	if (h->n < VIEWER_DAMAGE_HISTORY)
		h->n++;
	h->unknown = false;
}

/* Whether the CPU can draw the view's tiles (--draw); why not in why. */
static bool
cpu_can_draw_view(struct viewer *v, int view, char *why, size_t why_size)
{
	if (!v->cpu_draw) {
		snprintf(why, why_size, "%s", "");
		return false;
	}
	for (int i = 0; i < v->n_sessions; i++) {
		struct session *s = v->sessions[i];
		if (!s->client)
			continue; /* a waiting screen is shm, drawn 1:1 */
		struct render_head *heads[PROTO_MAX_HEADS];
		int first, count = view_heads(v, s, view, heads, &first);
		if (!render_cpu_can_draw(v->renderer, heads + first, count,
					 &s->tile, why, why_size))
			return false;
	}
	return true;
}

/* --verbose says when a view changes how it is drawn, and why. */
static void
note_path(struct viewer *v, int view, bool cpu, const char *why)
{
	char *was = v->gl_why[view];
	const char *now = cpu ? "" : why;
	if (v->path_noted[view] && strcmp(was, now) == 0)
		return;
	v->path_noted[view] = true;
	if (cpu)
		log_verbose("view %d: drawn by the CPU", view);
	else if (*now)
		log_verbose("view %d: drawn with GL: %s", view, now);
	snprintf(was, sizeof(v->gl_why[view]), "%s", now);
}

/* --stats: a view's GL frame counts for each head it showed. */
static void
note_frame(struct viewer *v, int view, const struct client_view_frame *f)
{
	for (int i = 0; i < v->n_sessions; i++) {
		struct session *s = v->sessions[i];
		struct render_head *heads[PROTO_MAX_HEADS];
		int first;
		if (!s->client)
			continue;
		int count = view_heads(v, s, view, heads, &first);
		client_note_view_frame(s->client, heads + first, count, f);
	}
}

static bool
draw_view(struct viewer *v, int view, bool all, uint64_t *presented_ns)
{
	struct output *out = v->out;
	bool one = v->n_sessions == 1;
	struct damage d;
	/* Sizes come from begin_view: the view's damage is taken after it. */
	bool direct = one && v->sessions[0]->client &&
		      output_direct_commit(out, view, presented_ns);
	/* zerocopy: a view the compositor shows from the guest's buffers
	 * alone needs no GL frame (direct.c); what changed is forgotten. */
	if (direct || !output_begin_view(out, view)) {
		v->history[view].unknown = true;
		view_damage(v, view, all, &d);
		for (int i = 0; i < v->n_sessions; i++)
			draw_tile(v, v->sessions[i], view, false);
		return direct;
	}
	view_damage(v, view, all, &d);
	if (damage_empty(&d)) {
		for (int i = 0; i < v->n_sessions; i++)
			draw_tile(v, v->sessions[i], view, false);
		return true; /* nothing changed here: no frame */
	}
	char why[96] = "the output has no CPU frames here";
	struct output_pixels px;
	int age = 0;
	bool cpu = cpu_can_draw_view(v, view, why, sizeof(why)) &&
		   output_begin_cpu_frame(out, &px, &age);
	note_path(v, view, cpu, why);
	if (!cpu)
		age = output_buffer_age(out);
	struct damage draw;
	redraw_region(v, view, age, &d, &draw);
	uint64_t pixels = render_get_stats(v->renderer)->pixels_drawn;
	uint64_t start = timing_now_ns();
	if (cpu ? !render_begin_cpu(v->renderer, &px, &draw) :
		  !render_begin_damaged(v->renderer, &draw))
		return false;
	for (int i = 0; i < v->n_sessions; i++) {
		if (!draw_tile(v, v->sessions[i], view, true))
			return false;
	}
	/* A grid's places left over show black. */
	int cols, rows;
	layout_grid_size(v->opts->layout, v->n_sessions, &cols, &rows);
	for (int i = v->n_sessions; !one && i < cols * rows; i++) {
		struct layout_rect cell = layout_cell(v->opts->layout, out->width,
						      out->height, cols * rows, i);
		render_clear_in(v->renderer, &cell);
	}
	if (!one && !render_draw_border(v->renderer, &v->sessions[v->focus]->tile,
					FOCUS_BORDER, FOCUS_COLOUR))
		return false;
	uint64_t drawn = timing_now_ns();
	struct layout_rect whole = { 0, 0, out->width, out->height };
	if (!output_present_damage(out, damage_covers(&d, &whole) ? NULL : &d,
				   presented_ns))
		return false;
	note_frame(v, view, &(struct client_view_frame){
		.draw_ns = drawn - start, .present_ns = timing_now_ns() - drawn,
		.pixels_drawn = render_get_stats(v->renderer)->pixels_drawn - pixels });
	remember(v, view, &d);
	return true;
}

/* A frame that failed: one VM waits where --reconnect lets it (the
 * server went away meanwhile), else the viewer ends. */
static bool
draw_failed(struct viewer *v)
{
	return v->n_sessions == 1 && viewer_vm_lost(v, v->sessions[0]);
}

bool
viewer_draw(struct viewer *v)
{
	int n = v->n_sessions;
	bool followed = false;
	if (!follow(v, &followed))
		return draw_failed(v);

	/* A frame of one VM is its own; with several, a VM's frame is one
	 * that showed its news. */
	bool shows[VIEWER_MAX_VMS];
	for (int i = 0; i < n; i++) {
		struct session *s = v->sessions[i];
		shows[i] = s->client && (n == 1 || client_needs_draw(s->client));
		if (s->client && s->input) {
			int sizes[2 * PROTO_MAX_HEADS];
			input_set_heads(s->input, sizes,
					client_head_sizes(s->client, sizes));
		}
	}
	struct session *one = n == 1 ? v->sessions[0] : NULL;
	if (one && one->client && v->input) {
		/* The host pointer shows the guest's cursor image in absolute
		 * mode; grabbed, the guest's cursor is drawn where it says,
		 * and so it is in a kiosk, which has no host cursor. */
		bool in_picture = input_relative(v->input) || v->opts->kiosk;
		render_set_hide_cursors(v->renderer, !in_picture);
		/* zerocopy: a direct head's cursor is a subsurface of its own. */
		output_direct_show_cursors(v->out, in_picture);
	}

	bool all = v->redraw || followed || v->opts->full_redraw;
	v->redraw = false;
	uint64_t presented_ns = 0;
	for (int view = 0; view < v->out->n_views; view++) {
		if (draw_view(v, view, all, &presented_ns))
			continue;
		if (one)
			log_error("drawing frame %" PRIu64 " (view %d) on the %s "
				  "output failed", v->frames + 1, view, v->backend);
		else
			log_error("drawing frame %" PRIu64 " of %d VMs on the %s "
				  "output failed", v->frames + 1, n, v->backend);
		return draw_failed(v);
	}
	viewer_pointer_follow_layout(v);
	if (presented_ns == 0) {
		/* Nothing changed on screen: what is shown is the news. */
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		presented_ns = (uint64_t)ts.tv_sec * 1000000000u +
			       (uint64_t)ts.tv_nsec;
	}
	/* One VM's waiting screens are counted apart from its frames. */
	if (!one || one->client)
		v->frames++;

	for (int i = 0; i < n; i++) {
		struct session *s = v->sessions[i];
		if (!s->client) {
			s->waiting_frames++;
			continue;
		}
		if (shows[i]) {
			s->frames++;
			session_report_shown(s, presented_ns);
		}
		if (v->input && !s->titled && client_server_name(s->client)) {
			s->titled = true;
			viewer_update_title(v); /* with the VM's name from HELLO */
		}
		if (!client_frame_done(s->client, presented_ns) &&
		    !viewer_vm_lost(v, s))
			return false;
	}
	return true;
}
