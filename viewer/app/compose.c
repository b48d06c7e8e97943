/* SPDX-License-Identifier: MIT */
/*
 * Several VMs in one view: each VM gets a cell of the output (--layout
 * grid, row or column, layout_cell), its heads side by side inside it as
 * one VM's fill the output, or its waiting screen while it is away. The
 * focused VM's cell has a coloured frame. One frame of the output shows
 * every VM; it is drawn when any of them has news and answers each one's
 * FRAME_DONE after it is presented.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "app/viewer.h"
#include "app/waiting.h"

/* Inside the focused VM's cell: as wide as reads at a glance, thin enough
 * to cover little of the picture (the letterbox bars, mostly). */
#define FOCUS_BORDER 3
#define FOCUS_COLOUR 0xffffa000u /* amber: unlike any waiting screen */

/* Before any VM showed a picture, a cell is as large as a following
 * output is before its first head. */
enum { DEFAULT_CELL_W = 640, DEFAULT_CELL_H = 480 };

static struct layout_rect
cell_of(const struct viewer *v, int i)
{
	return layout_cell(v->opts->layout, v->out->width, v->out->height,
			   v->n_sessions, i);
}

bool
compose_follow(struct viewer *v)
{
	bool changed = false;
	for (int i = 0; i < v->n_sessions; i++) {
		struct session *s = v->sessions[i];
		if (!s->client)
			continue; /* keeps what it showed last */
		struct output_head heads[PROTO_MAX_HEADS];
		int n = client_output_heads(s->client, heads);
		if (n == s->n_shown &&
		    memcmp(heads, s->shown, sizeof(heads[0]) * n) == 0)
			continue;
		memcpy(s->shown, heads, sizeof(heads[0]) * n);
		s->n_shown = n;
		changed = true;
	}
	if (!changed)
		return true;
	/* Every cell as large as the largest VM's heads side by side 1:1,
	 * so that VM shows 1:1 and the others fit. */
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
		fprintf(stderr, "qemu-eglview: the %s output cannot take the "
			"size %" PRId64 "x%" PRId64 " of %d VMs' cells (%dx%d "
			"each)\n", v->backend, w, h, v->n_sessions, cell_w,
			cell_h);
		return false;
	}
	if (v->opts->verbose)
		fprintf(stderr, "qemu-eglview: %d VMs in %dx%d cells of "
			"%dx%d\n", v->n_sessions, cols, rows, cell_w, cell_h);
	return true;
}

static bool
draw_session(struct viewer *v, struct session *s)
{
	char why[256];
	if (!s->client) {
		if (!waiting_draw_tile(&s->waiting_tile, v->renderer, &s->tile,
				       session_name(s), why, sizeof(why))) {
			fprintf(stderr, "qemu-eglview: %s\n", why);
			return false;
		}
		return true;
	}
	struct render_head *heads[PROTO_MAX_HEADS];
	int n = client_heads(s->client, heads);
	if (s->input) {
		int sizes[2 * PROTO_MAX_HEADS];
		input_set_heads(s->input, sizes, client_head_sizes(s->client,
								   sizes));
		input_set_tile(s->input, 0, &s->tile, 0, n);
	}
	return render_draw_in(v->renderer, heads, n, &s->tile);
}

bool
compose_draw(struct viewer *v)
{
	if (!compose_follow(v))
		return false;
	v->redraw = false;
	uint64_t presented_ns = 0;
	bool news[VIEWER_MAX_VMS];
	if (!output_begin_view(v->out, 0) || !render_begin(v->renderer))
		goto failed;
	for (int i = 0; i < v->n_sessions; i++) {
		struct session *s = v->sessions[i];
		s->tile = cell_of(v, i);
		news[i] = s->client && client_needs_draw(s->client);
		if (!draw_session(v, s))
			goto failed;
	}
	if (!render_draw_border(v->renderer, &v->sessions[v->focus]->tile,
				FOCUS_BORDER, FOCUS_COLOUR) ||
	    !output_present(v->out, &presented_ns))
		goto failed;
	v->frames++;

	for (int i = 0; i < v->n_sessions; i++) {
		struct session *s = v->sessions[i];
		if (!s->client) {
			s->waiting_frames++;
			continue;
		}
		if (news[i]) {
			s->frames++;
			session_report_shown(s, presented_ns);
		}
		if (v->input && !s->titled && client_server_name(s->client)) {
			s->titled = true;
			viewer_update_title(v); /* with the VM's name from HELLO */
		}
		if (!client_frame_done(s->client, presented_ns) &&
		    !viewer_vm_wait(v, s))
			return false; /* --kiosk-quit on-disconnect */
	}
	return true;
failed:
	fprintf(stderr, "qemu-eglview: drawing frame %" PRIu64 " of %d VMs on "
		"the %s output failed\n", v->frames + 1, v->n_sessions,
		v->backend);
	return false;
}
