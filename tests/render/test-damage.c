/* SPDX-License-Identifier: MIT */
/*
 * Partial redraws against whole ones: two offscreen outputs, each with
 * its own renderer, are told the same story (binds, damage, cursor moves,
 * scanout switches, scaling, heads coming and going). One draws each
 * frame as app/draw.c does (render_take_damage, then only that damage
 * and what its buffer missed while it was older: output_buffer_age),
 * the other draws every frame whole. After every step the two frames
 * must be the same pixel for pixel, and a small change must cost a small
 * redraw (the partial side's pixels_drawn).
 * Usage: test-damage CASE (one meson test per case).
 */
#include <string.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "render-test.h"

#define HISTORY 3 /* as app/viewer.h's VIEWER_DAMAGE_HISTORY */
#define MAX_BUFS 8
#define MAX_HEADS 2
#define MAX_AREAS 2

/* A guest buffer: a memfd the test draws into, imported by both sides. */
struct guest {
	int fd;
	uint8_t *map;
	int width, height;
	uint32_t stride;
};

struct side {
	struct output *out;
	struct renderer *r;
	struct render_head *heads[MAX_HEADS];
	struct render_buffer *bufs[MAX_BUFS];
	bool partial;
	struct damage history[HISTORY]; /* newest first */
	int n_history;
	uint8_t *last;                  /* the last frame read back */
};

/* What both sides show: per area (a VM's tile) the heads drawn there,
 * by index. */
struct view {
	int n_areas;
	struct layout_rect areas[MAX_AREAS];
	int n_heads[MAX_AREAS];
	int heads[MAX_AREAS][MAX_HEADS];
	int focus;                      /* the area with a border; -1: none */
};

static struct side sides[2]; /* [0] partial, [1] whole */
static struct guest guests[MAX_BUFS];
static struct view view;
static int steps;

/* --- the guest's side ---------------------------------------------------- */

static uint32_t
colour(int x, int y, int seed)
{
	uint32_t r = (uint32_t)(x * 7 + seed * 40) & 0xff;
	uint32_t g = (uint32_t)(y * 9 + seed * 90) & 0xff;
	uint32_t b = (uint32_t)((x + y) * 5 + seed * 20) & 0xff;
	return 0xff000000u | r << 16 | g << 8 | b;
}

static void
guest_fill(int id, int x0, int y0, int w, int h, int seed)
{
	struct guest *g = &guests[id];
	for (int y = y0; y < y0 + h; y++) {
		uint32_t *row = (uint32_t *)(g->map + (size_t)y * g->stride);
		for (int x = x0; x < x0 + w; x++)
			row[x] = colour(x, y, seed);
	}
}

/* A width x height XRGB8888 buffer id, drawn with seed, imported by both
 * sides (each gets its own fd of the same memfd). */
static void
guest_create(int id, int width, int height, int seed)
{
	struct guest *g = &guests[id];
	g->width = width;
	g->height = height;
	g->stride = (uint32_t)width * 4;
	g->fd = test_memfd((size_t)g->stride * (size_t)height, &g->map);
	guest_fill(id, 0, 0, width, height, seed);
	struct proto_buffer_shm desc = {
		.buffer_id = (uint32_t)id + 1, .fourcc = DRM_FORMAT_XRGB8888,
		.width = (uint32_t)width, .height = (uint32_t)height,
		.stride = g->stride,
	};
	for (int s = 0; s < 2; s++) {
		char why[256];
		int fd = dup(g->fd);
		REQUIRE(fd >= 0, "dup failed");
		sides[s].bufs[id] = render_buffer_import_shm(sides[s].r, &desc, fd,
							     why, sizeof(why));
		REQUIRE(sides[s].bufs[id], "import of buffer %d failed: %s", id,
			why);
	}
}

static void
guest_destroy(int id)
{
	for (int s = 0; s < 2; s++) {
		render_buffer_destroy(sides[s].bufs[id]);
		sides[s].bufs[id] = NULL;
	}
}

/* Head h shows the rect (sx, sy, w, h) of buffer id (-1: none). */
static void
bind_rect(int head, int id, int sx, int sy, int w, int h, bool y0_top)
{
	struct proto_scanout sc = {
		.buffer_id = (uint32_t)id + 1,
		.flags = y0_top ? PROTO_SCANOUT_Y0_TOP : 0,
		.x = (uint32_t)sx, .y = (uint32_t)sy,
		.width = (uint32_t)w, .height = (uint32_t)h,
	};
	for (int s = 0; s < 2; s++)
		render_head_bind(sides[s].heads[head],
				 id >= 0 ? sides[s].bufs[id] : NULL, &sc);
}

static void
bind(int head, int id)
{
	bind_rect(head, id, 0, 0, guests[id].width, guests[id].height, true);
}

/* The guest redraws a rect of its buffer and says so. */
static void
damage(int head, int id, int x, int y, int w, int h, int seed)
{
	guest_fill(id, x, y, w, h, seed);
	struct proto_rect rect = { (uint32_t)x, (uint32_t)y, (uint32_t)w,
				   (uint32_t)h };
	for (int s = 0; s < 2; s++)
		REQUIRE(render_head_damage(sides[s].heads[head], &rect, 1),
			"damage failed");
}

static void
damage_all(int head, int id, int seed)
{
	damage(head, id, 0, 0, guests[id].width, guests[id].height, seed);
}

/* A size x size cursor: an opaque ring of one colour around a
 * half-transparent middle (premultiplied), transparent corners. */
static void
set_cursor(int head, int size, int hot, uint32_t rgb)
{
	uint32_t pixels[32 * 32];
	REQUIRE(size <= 32);
	for (int y = 0; y < size; y++) {
		for (int x = 0; x < size; x++) {
			bool corner = (x == 0 || x == size - 1) &&
				      (y == 0 || y == size - 1);
			bool ring = x < 2 || y < 2 || x >= size - 2 || y >= size - 2;
			uint32_t p = 0;
			if (corner)
				p = 0;
			else if (ring)
				p = 0xff000000u | rgb;
			else
				p = 0x80000000u | ((rgb >> 1) & 0x7f7f7f);
			pixels[y * size + x] = p;
		}
	}
	struct proto_cursor_image img = { .width = (uint32_t)size,
		.height = (uint32_t)size, .hot_x = hot, .hot_y = hot };
	for (int s = 0; s < 2; s++)
		render_head_set_cursor(sides[s].heads[head], &img, pixels);
}

static void
move_cursor(int head, int x, int y, bool visible)
{
	struct proto_cursor_pos pos = { .x = x, .y = y, .visible = visible };
	for (int s = 0; s < 2; s++)
		render_head_move_cursor(sides[s].heads[head], &pos);
}

static void
set_scaling(enum layout_scale scale, bool nearest)
{
	for (int s = 0; s < 2; s++)
		render_set_scaling(sides[s].r, scale, nearest);
}

static void
hide_cursors(bool hide)
{
	for (int s = 0; s < 2; s++)
		render_set_hide_cursors(sides[s].r, hide);
}

static void
resize(int width, int height)
{
	for (int s = 0; s < 2; s++)
		REQUIRE(output_resize(sides[s].out, width, height),
			"resizing to %dx%d failed", width, height);
}

/* One VM (one area, the whole output) showing heads[0..n). */
static void
show(int n, const int *heads)
{
	const struct output *out = sides[0].out;
	view = (struct view){ .n_areas = 1, .focus = -1 };
	view.areas[0] = (struct layout_rect){ 0, 0, out->width, out->height };
	view.n_heads[0] = n;
	for (int i = 0; i < n; i++)
		view.heads[0][i] = heads[i];
}

/* --- frames --------------------------------------------------------------- */

/* test_output's, but one that follows output_resize as a window does
 * (test_output's has a fixed size, as --size gives). */
static struct output *
resizable_output(int width, int height)
{
	char why[512];
	struct output_config cfg = { 0 };
	struct output *out = output_create(&output_offscreen_impl, &cfg, why,
					   sizeof(why));
	if (!out)
		return test_output(width, height); /* says why, or skips */
	REQUIRE(output_resize(out, width, height), "resizing the offscreen "
		"output to %dx%d failed", width, height);
	fprintf(stderr, "output: %s\n", out->path);
	return out;
}

static void
setup(int width, int height)
{
	for (int s = 0; s < 2; s++) {
		struct side *side = &sides[s];
		side->partial = s == 0;
		side->out = resizable_output(width, height);
		char why[512];
		side->r = render_create(side->out, why, sizeof(why));
		REQUIRE(side->r, "render_create failed: %s", why);
		for (int h = 0; h < MAX_HEADS; h++) {
			side->heads[h] = render_head_create(side->r);
			REQUIRE(side->heads[h], "render_head_create failed");
		}
	}
	int first = 0;
	show(1, &first);
}

static void
teardown(void)
{
	for (int s = 0; s < 2; s++) {
		struct side *side = &sides[s];
		for (int h = 0; h < MAX_HEADS; h++)
			render_head_destroy(side->heads[h]);
		for (int b = 0; b < MAX_BUFS; b++)
			render_buffer_destroy(side->bufs[b]);
		render_destroy(side->r);
		free(side->last);
	}
	for (int s = 0; s < 2; s++)
		output_destroy(sides[s].out);
	for (int b = 0; b < MAX_BUFS; b++) {
		if (guests[b].map)
			close(guests[b].fd);
	}
}

static void
view_heads(const struct side *side, int area, struct render_head **heads)
{
	for (int i = 0; i < view.n_heads[area]; i++)
		heads[i] = side->heads[view.heads[area][i]];
}

/* What app/draw.c's redraw_region does: this frame's damage and that of
 * the age - 1 frames before it, or everything when that is not known. */
static void
redraw_region(struct side *side, int age, const struct damage *now,
	      struct damage *draw)
{
	struct layout_rect whole = { 0, 0, side->out->width, side->out->height };
	damage_clear(draw);
	if (age < 1 || age - 1 > side->n_history) {
		damage_add(draw, &whole);
		return;
	}
	damage_add_damage(draw, now);
	for (int i = 0; i < age - 1; i++)
		damage_add_damage(draw, &side->history[i]);
}

static void
remember(struct side *side, const struct damage *d)
{
	memmove(&side->history[1], &side->history[0],
		sizeof(side->history[0]) * (HISTORY - 1));
	side->history[0] = *d;
	if (side->n_history < HISTORY)
		side->n_history++;
}

/* Draws a frame on side; false when the partial side had nothing to
 * draw (its last frame stands). *taken: the area of the damage the
 * renderer gave for it. */
static bool
draw_side(struct side *side, int64_t *taken)
{
	struct output *out = side->out;
	struct layout_rect whole = { 0, 0, out->width, out->height };
	REQUIRE(output_begin_frame(out), "begin_frame failed");
	struct damage d, draw;
	damage_clear(&d);
	for (int a = 0; a < view.n_areas; a++) {
		struct render_head *heads[MAX_HEADS];
		view_heads(side, a, heads);
		render_take_damage(side->r, heads, view.n_heads[a],
				   &view.areas[a], &d);
	}
	damage_clip(&d, &whole);
	*taken = damage_area(&d);
	if (side->partial && damage_empty(&d))
		return false;
	if (side->partial)
		redraw_region(side, output_buffer_age(out), &d, &draw);
	REQUIRE(render_begin_damaged(side->r, side->partial ? &draw : NULL),
		"render_begin_damaged failed");
	for (int a = 0; a < view.n_areas; a++) {
		struct render_head *heads[MAX_HEADS];
		view_heads(side, a, heads);
		REQUIRE(render_draw_in(side->r, heads, view.n_heads[a],
				       &view.areas[a]), "render_draw_in failed");
	}
	if (view.focus >= 0)
		REQUIRE(render_draw_border(side->r, &view.areas[view.focus], 3,
					   0xffffa000u), "render_draw_border failed");
	free(side->last);
	side->last = test_read_frame(out);
	REQUIRE(output_present_damage(out, side->partial &&
				      !damage_covers(&d, &whole) ? &d : NULL,
				      NULL), "present failed");
	if (side->partial)
		remember(side, &d);
	return true;
}

/* Both sides draw the state the steps so far made; the frames must be
 * the same, and what changed in this step may cover at most max_damage
 * pixels (-1: any number; 0: no frame at all). What the partial side
 * draws is that and the damage of the frame before (its buffer is two
 * frames old): returned. */
static int64_t
step(const char *what, int64_t max_damage)
{
	steps++;
	const struct render_stats *st = render_get_stats(sides[0].r);
	uint64_t before = st->pixels_drawn;
	int64_t taken, ignored;
	bool drew = draw_side(&sides[0], &taken);
	draw_side(&sides[1], &ignored);
	int64_t drawn = (int64_t)(st->pixels_drawn - before);

	const struct output *out = sides[1].out;
	int bad = 0, x0 = out->width, y0 = out->height, x1 = -1, y1 = -1;
	for (int y = 0; y < out->height; y++) {
		for (int x = 0; x < out->width; x++) {
			const uint8_t *p = test_pixel(sides[0].last, out, x, y);
			const uint8_t *q = test_pixel(sides[1].last, out, x, y);
			if (memcmp(p, q, 3) == 0)
				continue;
			if (bad++ == 0)
				fprintf(stderr, "  first difference at (%d,%d): "
					"partial %d,%d,%d, whole %d,%d,%d\n", x, y,
					p[0], p[1], p[2], q[0], q[1], q[2]);
			x0 = x < x0 ? x : x0;
			y0 = y < y0 ? y : y0;
			x1 = x > x1 ? x : x1;
			y1 = y > y1 ? y : y1;
		}
	}
	CHECK(bad == 0, "step %d (%s): %d pixels of the partial frame differ "
	      "from the whole one, within %dx%d+%d+%d", steps, what, bad,
	      x1 - x0 + 1, y1 - y0 + 1, x0, y0);
	if (max_damage >= 0)
		CHECK(taken <= max_damage, "step %d (%s): %lld pixels damaged, "
		      "at most %lld expected", steps, what, (long long)taken,
		      (long long)max_damage);
	printf("step %2d %-48s %s: %lld pixels damaged, %lld drawn\n", steps,
	       what, drew ? "frame" : "no frame", (long long)taken,
	       (long long)drawn);
	return drawn;
}

static const uint8_t *
pixel_of(int side, int x, int y)
{
	return test_pixel(sides[side].last, sides[side].out, x, y);
}

/* --- cases ---------------------------------------------------------------- */

enum { OUT_W = 160, OUT_H = 120 };

/* One head, scaled 2x into the output (the linear filter reaches past
 * each damaged texel), then 1:1 and letterboxed. */
static void
case_sequence(void)
{
	setup(OUT_W, OUT_H);
	const int64_t small = OUT_W * OUT_H / 10;
	guest_create(0, 80, 60, 1);
	guest_create(1, 80, 60, 2);
	guest_create(2, 64, 64, 3);

	bind(0, 0);
	damage_all(0, 0, 1);
	step("first frame", -1);
	step("nothing changed", 0);
	damage(0, 0, 20, 20, 4, 4, 5);
	step("4x4 damage (after a whole frame)", -1);
	damage(0, 0, 60, 40, 4, 4, 6);
	step("4x4 damage elsewhere", small);
	damage(0, 0, 0, 0, 2, 2, 7);
	damage(0, 0, 78, 58, 2, 2, 7);
	step("2x2 damage in two corners", small);

	set_cursor(0, 12, 2, 0xff2020);
	move_cursor(0, 10, 10, true);
	step("cursor shown", small);
	move_cursor(0, 30, 20, true);
	step("cursor moved", small);
	move_cursor(0, 33, 22, true);
	step("cursor moved a little", small);
	move_cursor(0, 70, 50, true);
	step("cursor moved far", small);
	move_cursor(0, 70, 50, false);
	step("cursor hidden", small);
	move_cursor(0, 40, 40, true);
	step("cursor shown elsewhere", small);
	set_cursor(0, 20, 10, 0x20ff20);
	step("cursor image bigger, other hotspot", small);
	set_cursor(0, 6, 0, 0x2020ff);
	step("cursor image smaller", small);
	move_cursor(0, 78, 58, true);
	step("cursor over the picture's corner", small);
	move_cursor(0, -4, 30, true);
	step("cursor half off the left edge", small);
	damage(0, 0, 0, 28, 8, 8, 8);
	step("damage under the cursor", small);
	hide_cursors(true);
	step("cursors hidden by the window", small);
	hide_cursors(false);
	step("cursors drawn again", small);

	bind(0, 1);
	damage(0, 1, 10, 10, 30, 20, 2);
	step("scanout to another buffer, same size, damage", OUT_W * OUT_H / 4);
	bind(0, 0);
	damage(0, 0, 50, 30, 20, 20, 9);
	step("scanout back, damage elsewhere", OUT_W * OUT_H / 4);
	bind(0, 2);
	damage_all(0, 2, 3);
	step("scanout to a 64x64 buffer (letterboxed)", -1);
	damage(0, 2, 30, 30, 4, 4, 4);
	step("4x4 damage letterboxed", small);
	bind_rect(0, 2, 8, 8, 32, 24, true);
	damage(0, 2, 8, 8, 32, 24, 3);
	step("source rect 32x24+8+8", -1);
	damage(0, 2, 20, 20, 4, 4, 5);
	step("damage in the source rect", small);
	damage(0, 2, 50, 50, 4, 4, 5);
	step("damage outside the source rect", 0);
	bind_rect(0, 2, 8, 8, 32, 24, false);
	step("y0_top cleared: upside down", -1);
	damage(0, 2, 10, 10, 4, 4, 6);
	step("damage upside down", small);
	bind_rect(0, 2, 8, 8, 32, 24, true);
	step("y0_top again", -1);

	bind(0, 2);
	damage_all(0, 2, 3);
	step("the whole 64x64 buffer", -1);
	set_scaling(LAYOUT_SCALE_INTEGER, false);
	step("--scale integer", -1);
	move_cursor(0, 30, 30, true);
	damage(0, 2, 2, 2, 4, 4, 7);
	step("cursor and damage, integer", small);
	set_scaling(LAYOUT_SCALE_STRETCH, false);
	step("--scale stretch", -1);
	damage(0, 2, 40, 2, 4, 4, 8);
	step("damage stretched", small);
	set_scaling(LAYOUT_SCALE_NONE, false);
	step("--scale none", -1);
	set_scaling(LAYOUT_SCALE_FIT, false);
	step("--scale fit", -1);
	set_scaling(LAYOUT_SCALE_FIT, true);
	step("--filter nearest", -1);
	damage(0, 2, 12, 40, 4, 4, 9);
	step("damage, nearest", small);
	set_scaling(LAYOUT_SCALE_FIT, false);
	step("--filter linear", -1);

	bind(0, 0);
	damage_all(0, 0, 1);
	step("back to 80x60", -1);
	resize(200, 100);
	show(1, (int[]){ 0 });
	step("output resized to 200x100", -1);
	damage(0, 0, 30, 30, 4, 4, 2);
	step("4x4 damage after the resize", small);
	move_cursor(0, 60, 10, true);
	step("cursor after the resize", small);
	resize(OUT_W, OUT_H);
	show(1, (int[]){ 0 });
	step("output back to 160x120", -1);

	guest_destroy(1);
	step("a buffer not shown destroyed", 0);
	guest_destroy(0);
	step("the bound buffer destroyed: black", -1);
	teardown();
}

/* Heads coming and going in one view, and two VMs' areas side by side
 * with the focus border. */
static void
case_heads(void)
{
	setup(OUT_W, OUT_H);
	const int64_t small = OUT_W * OUT_H / 10;
	guest_create(0, 80, 60, 1);
	guest_create(1, 40, 60, 2);
	guest_create(2, 80, 60, 3);
	bind(0, 0);
	damage_all(0, 0, 1);
	step("head 0 alone", -1);
	bind(1, 1);
	damage_all(1, 1, 2);
	show(2, (int[]){ 0, 1 });
	step("head 1 added beside it", -1);
	damage(1, 1, 10, 10, 4, 4, 5);
	step("damage on head 1", small);
	set_cursor(1, 10, 1, 0xffff00);
	move_cursor(1, 2, 2, true);
	step("head 1's cursor", small);
	move_cursor(1, 38, 30, true);
	step("head 1's cursor at its right edge", small);
	set_cursor(0, 10, 1, 0x00ffff);
	move_cursor(0, 78, 30, true);
	step("head 0's cursor at its right edge", small);
	show(1, (int[]){ 0 });
	step("head 1 removed", -1);
	damage(0, 0, 40, 40, 4, 4, 6);
	step("damage on head 0 alone again", small);
	show(2, (int[]){ 0, 1 });
	step("head 1 back", -1);
	show(1, (int[]){ 1 });
	step("head 0 removed, head 1 alone", -1);
	bind(1, 2);
	damage_all(1, 2, 3);
	step("head 1 shows a buffer of another size", -1);
	show(2, (int[]){ 1, 0 });
	step("both, in the other order", -1);

	/* Two VMs: head 0 in the left half, head 1 in the right. */
	view = (struct view){ .n_areas = 2, .focus = 0 };
	view.areas[0] = (struct layout_rect){ 0, 0, OUT_W / 2, OUT_H };
	view.areas[1] = (struct layout_rect){ OUT_W / 2, 0, OUT_W / 2, OUT_H };
	view.n_heads[0] = view.n_heads[1] = 1;
	view.heads[0][0] = 0;
	view.heads[1][0] = 1;
	step("two VMs side by side", -1);
	damage(1, 2, 0, 0, 80, 2, 4);
	step("damage along the right VM's top", small);
	move_cursor(0, 79, 59, true);
	step("the left VM's cursor at its corner", small);
	move_cursor(1, 0, 30, true);
	step("the right VM's cursor at its left edge", small);
	teardown();
}

/* 1:1: a 4x4 damage redraws about its 16 pixels (and those of the frame
 * before it, the offscreen output's buffers being two frames old): far
 * below 1% of the output. */
static void
case_small_cost(void)
{
	enum { W = 320, H = 240 };
	setup(W, H);
	guest_create(0, W, H, 1);
	bind(0, 0);
	damage_all(0, 0, 1);
	step("first frame", -1);
	damage(0, 0, 100, 100, 4, 4, 2);
	step("4x4 damage (after a whole frame)", -1);
	const int64_t one_percent = W * H / 100;
	for (int i = 0; i < 4; i++) {
		damage(0, 0, 10 + 40 * i, 200 - 30 * i, 4, 4, 3 + i);
		int64_t drawn = step("4x4 damage", one_percent);
		CHECK(drawn > 0 && drawn < one_percent, "a 4x4 damage drew %lld "
		      "pixels of %d", (long long)drawn, W * H);
	}
	set_cursor(0, 8, 0, 0xffffff);
	move_cursor(0, 50, 50, true);
	int64_t drawn = step("8x8 cursor shown", one_percent);
	CHECK(drawn > 0 && drawn < one_percent, "showing an 8x8 cursor drew "
	      "%lld pixels of %d", (long long)drawn, W * H);
	move_cursor(0, 60, 52, true);
	drawn = step("8x8 cursor moved", one_percent);
	CHECK(drawn > 0 && drawn < one_percent, "moving an 8x8 cursor drew "
	      "%lld pixels of %d", (long long)drawn, W * H);
	const struct render_stats *st = render_get_stats(sides[0].r);
	CHECK(st->frames == (uint64_t)steps, "%llu frames for %d steps",
	      (unsigned long long)st->frames, steps);
	teardown();
}

/* The cursor's old box: after a move the old place shows the picture
 * again, checked against the guest's own pixels rather than the other
 * side (which would be wrong the same way were the whole path wrong). */
static void
case_cursor_old_box(void)
{
	enum { W = 96, H = 64 };
	setup(W, H);
	guest_create(0, W, H, 1);
	bind(0, 0);
	damage_all(0, 0, 1);
	step("first frame", -1);
	set_cursor(0, 8, 0, 0xffffff);
	int at[][2] = { { 10, 10 }, { 40, 20 }, { 70, 40 }, { 20, 50 } };
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		move_cursor(0, at[i][0], at[i][1], true);
		step("cursor moved", W * H / 20);
		/* Its ring, opaque white, where it is now. */
		const uint8_t *p = pixel_of(0, at[i][0], at[i][1] + 4);
		CHECK(p[0] == 255 && p[1] == 255 && p[2] == 255,
		      "cursor at (%d,%d): pixel %d,%d,%d, not its white ring",
		      at[i][0], at[i][1] + 4, p[0], p[1], p[2]);
		for (size_t j = 0; j < i; j++) {
			for (int dy = 0; dy < 8; dy++) {
				for (int dx = 0; dx < 8; dx++) {
					int x = at[j][0] + dx, y = at[j][1] + dy;
					uint32_t c = colour(x, y, 1);
					const uint8_t *q = pixel_of(0, x, y);
					if (q[0] == (c >> 16 & 0xff) &&
					    q[1] == (c >> 8 & 0xff) && q[2] == (c & 0xff))
						continue;
					CHECK(false, "after move %zu the cursor's "
					      "place %zu (%d,%d) shows %d,%d,%d, not "
					      "the picture", i, j, x, y, q[0], q[1], q[2]);
					dy = dx = 8;
				}
			}
		}
	}
	move_cursor(0, 20, 50, false);
	step("cursor hidden", W * H / 20);
	for (int dy = 0; dy < 8; dy++) {
		for (int dx = 0; dx < 8; dx++) {
			uint32_t c = colour(20 + dx, 50 + dy, 1);
			const uint8_t *q = pixel_of(0, 20 + dx, 50 + dy);
			if (q[0] != (c >> 16 & 0xff) || q[1] != (c >> 8 & 0xff) ||
			    q[2] != (c & 0xff)) {
				CHECK(false, "hidden cursor still at (%d,%d)",
				      20 + dx, 50 + dy);
				dy = 8;
				break;
			}
		}
	}
	teardown();
}

static const struct test_case cases[] = {
	{ "sequence", case_sequence },
	{ "heads", case_heads },
	{ "small-cost", case_small_cost },
	{ "cursor-old-box", case_cursor_old_box },
};

int
main(int argc, char **argv)
{
	return test_run_case(argv[0], cases, sizeof(cases) / sizeof(cases[0]),
			     argc == 2 ? argv[1] : "");
}
