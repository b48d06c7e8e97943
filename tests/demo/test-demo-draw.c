/* SPDX-License-Identifier: MIT */
/*
 * The demo picture: deterministic, small damage between frames, the input
 * echo where it belongs, the cursor image premultiplied, frames 0 and 29
 * equal to the reviewed references in GOLDEN_DIR. Writes PNGs of a few
 * frames into OUT_DIR for people to look at.
 *
 * usage: test-demo-draw OUT_DIR GOLDEN_DIR
 */
#include <inttypes.h>
#include <linux/input-event-codes.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "demo/draw.h"
#include "png-util.h"

#define PAD_BYTES 24 /* stride padding, to catch writes past a row */
#define PAD_VALUE 0x5a

struct image {
	uint32_t width, height, stride;
	uint32_t *pixels;
};

static void
image_init(struct image *img, uint32_t width, uint32_t height, int fill)
{
	img->width = width;
	img->height = height;
	img->stride = width * 4 + PAD_BYTES;
	img->pixels = malloc((size_t)img->stride * height);
	if (img->pixels == NULL) {
		fprintf(stderr, "out of memory for %ux%u\n", width, height);
		exit(99);
	}
	memset(img->pixels, fill, (size_t)img->stride * height);
	for (uint32_t y = 0; y < height; y++)
		memset((uint8_t *)img->pixels + (size_t)y * img->stride +
		       width * 4, PAD_VALUE, PAD_BYTES);
}

static uint32_t
pixel(const struct image *img, uint32_t x, uint32_t y)
{
	return ((const uint32_t *)((const uint8_t *)img->pixels +
				   (size_t)y * img->stride))[x];
}

static void
draw(struct image *img, uint64_t frame, const struct demo_input_state *st)
{
	demo_draw_frame(img->pixels, img->width, img->height, img->stride,
			frame, st);
}

static bool
padding_intact(const struct image *img)
{
	for (uint32_t y = 0; y < img->height; y++) {
		const uint8_t *pad = (const uint8_t *)img->pixels +
				     (size_t)y * img->stride + img->width * 4;
		for (uint32_t i = 0; i < PAD_BYTES; i++)
			if (pad[i] != PAD_VALUE)
				return false;
	}
	return true;
}

struct box {
	uint32_t x0, y0, x1, y1; /* inclusive; empty when count == 0 */
	uint64_t count;
};

static struct box
diff_box(const struct image *a, const struct image *b)
{
	struct box box = { UINT32_MAX, UINT32_MAX, 0, 0, 0 };
	for (uint32_t y = 0; y < a->height; y++) {
		for (uint32_t x = 0; x < a->width; x++) {
			if (((pixel(a, x, y) ^ pixel(b, x, y)) & 0xffffff) == 0)
				continue;
			box.count++;
			box.x0 = x < box.x0 ? x : box.x0;
			box.y0 = y < box.y0 ? y : box.y0;
			box.x1 = x > box.x1 ? x : box.x1;
			box.y1 = y > box.y1 ? y : box.y1;
		}
	}
	return box;
}

static bool
in_rects(const struct proto_rect *r, uint32_t n, uint32_t x, uint32_t y)
{
	for (uint32_t i = 0; i < n; i++)
		if (x >= r[i].x && x < r[i].x + r[i].width && y >= r[i].y &&
		    y < r[i].y + r[i].height)
			return true;
	return false;
}

static void
type_keys(struct demo_input_state *st, const uint16_t *keys, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct proto_input_event ev = { EV_KEY, keys[i], 1 };
		demo_input_apply(st, PROTO_DEVICE_KEYBOARD, &ev);
		ev.value = 0;
		demo_input_apply(st, PROTO_DEVICE_KEYBOARD, &ev);
	}
}

static void
apply(struct demo_input_state *st, uint32_t kind, uint16_t type,
      uint16_t code, uint32_t value)
{
	struct proto_input_event ev = { type, code, value };
	demo_input_apply(st, kind, &ev);
}

/* "Hello, demo!" typed, pointer at (600,200) px of 1024x768, left and
 * right buttons held, wheel at 3. */
static void
busy_state(struct demo_input_state *st)
{
	demo_input_init(st);
	static const uint16_t lower[] = {
		KEY_E, KEY_L, KEY_L, KEY_O, KEY_COMMA, KEY_SPACE, KEY_D, KEY_E,
		KEY_M, KEY_O,
	};
	apply(st, PROTO_DEVICE_KEYBOARD, EV_KEY, KEY_LEFTSHIFT, 1);
	type_keys(st, (const uint16_t[]){ KEY_H }, 1);
	apply(st, PROTO_DEVICE_KEYBOARD, EV_KEY, KEY_LEFTSHIFT, 0);
	type_keys(st, lower, sizeof(lower) / sizeof(lower[0]));
	apply(st, PROTO_DEVICE_KEYBOARD, EV_KEY, KEY_RIGHTSHIFT, 1);
	type_keys(st, (const uint16_t[]){ KEY_1 }, 1);
	apply(st, PROTO_DEVICE_KEYBOARD, EV_KEY, KEY_RIGHTSHIFT, 0);
	/* x: 600 * 32767 / 1023 rounded up lands on pixel 600. */
	apply(st, PROTO_DEVICE_TABLET, EV_ABS, ABS_X, 19219);
	apply(st, PROTO_DEVICE_TABLET, EV_ABS, ABS_Y, 8552);
	apply(st, PROTO_DEVICE_TABLET, EV_KEY, BTN_LEFT, 1);
	apply(st, PROTO_DEVICE_TABLET, EV_KEY, BTN_RIGHT, 1);
	for (int i = 0; i < 3; i++)
		apply(st, PROTO_DEVICE_MOUSE, EV_REL, REL_WHEEL, 1);
	apply(st, PROTO_DEVICE_TABLET, EV_SYN, SYN_REPORT, 0);
}

static const uint32_t sizes[][2] = {
	{ 64, 64 }, { 333, 217 }, { 1024, 768 }, { 1920, 1080 },
	{ 4096, 2160 },
};
#define N_SIZES (sizeof(sizes) / sizeof(sizes[0]))

static void
test_determinism(void)
{
	struct demo_input_state st;
	busy_state(&st);
	for (size_t i = 0; i < N_SIZES; i++) {
		struct image a, b;
		/* Different garbage before drawing: every pixel is written. */
		image_init(&a, sizes[i][0], sizes[i][1], 0x00);
		image_init(&b, sizes[i][0], sizes[i][1], 0xab);
		draw(&a, 42, &st);
		draw(&b, 42, &st);
		struct box d = diff_box(&a, &b);
		CHECK(d.count == 0, "%ux%u frame 42 drawn twice: %" PRIu64
		      " pixels differ", a.width, a.height, d.count);
		CHECK(padding_intact(&a), "%ux%u: wrote into stride padding",
		      a.width, a.height);
		free(a.pixels);
		free(b.pixels);
	}
}

/* Heads smaller than the contract's 64x64 still draw in bounds. */
static void
test_tiny_heads(void)
{
	static const uint32_t dims[] = { 1, 2, 3, 7, 16, 63 };
	struct demo_input_state st;
	busy_state(&st);
	for (size_t i = 0; i < 6; i++) {
		for (size_t j = 0; j < 6; j++) {
			struct image img;
			image_init(&img, dims[i], dims[j], 0);
			draw(&img, 1234567, &st);
			CHECK(padding_intact(&img), "%ux%u wrote past a row",
			      dims[i], dims[j]);
			/* Without the marker, which may cover a corner. */
			struct demo_input_state no_pointer = st;
			no_pointer.pointer_seen = false;
			draw(&img, 1234567, &no_pointer);
			CHECK((pixel(&img, 0, 0) & 0xffffff) == 0x808080,
			      "%ux%u corner is not the border", dims[i],
			      dims[j]);
			free(img.pixels);
		}
	}
}

static void
test_bars(void)
{
	static const uint32_t want[8] = {
		0xbfbfbf, 0xbfbf00, 0x00bfbf, 0x00bf00,
		0xbf00bf, 0xbf0000, 0x0000bf, 0x000000,
	};
	struct demo_input_state st;
	demo_input_init(&st);
	struct image img;
	image_init(&img, 1024, 768, 0);
	draw(&img, 0, &st);
	for (uint32_t i = 0; i < 8; i++) {
		uint32_t x = 1024 * (2 * i + 1) / 16;
		uint32_t got = pixel(&img, x, 768 / 4) & 0xffffff;
		CHECK(got == want[i], "bar %u at x %u: %06x, want %06x", i, x,
		      got, want[i]);
	}
	/* Grey frame on all four edges. */
	uint32_t corners[4] = {
		pixel(&img, 0, 0), pixel(&img, 1023, 0), pixel(&img, 0, 767),
		pixel(&img, 1023, 767),
	};
	for (int i = 0; i < 4; i++)
		CHECK((corners[i] & 0xffffff) == 0x808080, "corner %d: %06x", i,
		      corners[i] & 0xffffff);
	free(img.pixels);
}

/* Frames N and N+1 differ only in the damage demo_frame_damage names, and
 * that is a small part of the picture. */
static void
test_frame_damage(void)
{
	static const uint64_t frames[] = {
		0, 1, 41, 125, 126, 127, 500, 999999, 123456789012ull,
	};
	struct demo_input_state st;
	busy_state(&st);
	for (size_t s = 0; s < N_SIZES; s++) {
		struct image a, b;
		image_init(&a, sizes[s][0], sizes[s][1], 0);
		image_init(&b, sizes[s][0], sizes[s][1], 0);
		uint64_t area = (uint64_t)a.width * a.height;
		for (size_t f = 0; f < sizeof(frames) / sizeof(frames[0]); f++) {
			uint64_t n = frames[f];
			draw(&a, n, &st);
			draw(&b, n + 1, &st);
			struct proto_rect r[DEMO_DAMAGE_MAX];
			uint32_t nr = demo_frame_damage(a.width, a.height, n + 1,
							r);
			uint64_t damaged = 0, outside = 0;
			for (uint32_t i = 0; i < nr; i++)
				damaged += (uint64_t)r[i].width * r[i].height;
			for (uint32_t y = 0; y < a.height; y++)
				for (uint32_t x = 0; x < a.width; x++)
					if (((pixel(&a, x, y) ^ pixel(&b, x, y)) &
					     0xffffff) != 0 &&
					    !in_rects(r, nr, x, y))
						outside++;
			struct box d = diff_box(&a, &b);
			CHECK(d.count > 0, "%ux%u frames %" PRIu64 "/+1 identical",
			      a.width, a.height, n);
			CHECK(outside == 0, "%ux%u frame %" PRIu64 ": %" PRIu64
			      " changed pixels outside the damage", a.width,
			      a.height, n, outside);
			/* Tiny heads have a square and digits that are a big
			 * share of them; the claim is for real sizes. */
			if (a.width >= 320)
				CHECK(damaged * 20 < area, "%ux%u frame %" PRIu64
				      ": damage %" PRIu64 " px is 5%% or more",
				      a.width, a.height, n, damaged);
		}
		struct proto_rect r[DEMO_DAMAGE_MAX];
		CHECK(demo_frame_damage(a.width, a.height, 0, r) == 1 &&
		      r[0].x == 0 && r[0].y == 0 && r[0].width == a.width &&
		      r[0].height == a.height, "frame 0 damages everything");
		free(a.pixels);
		free(b.pixels);
	}
}

/* In the track alone, one step moves the square 4 px: the changed band is
 * the square's width plus 4, one square tall. */
static void
test_square_moves(void)
{
	struct demo_input_state st;
	demo_input_init(&st);
	struct image a, b;
	image_init(&a, 1024, 768, 0);
	image_init(&b, 1024, 768, 0);
	draw(&a, 10, &st);
	draw(&b, 11, &st);
	/* Rows above the panel: bars and track. */
	a.height = b.height = 768 * 66 / 100;
	struct box d = diff_box(&a, &b);
	CHECK(d.count > 0 && d.x1 - d.x0 + 1 == 32 + 4 &&
	      d.y1 - d.y0 + 1 == 32, "square step box %ux%u, want 36x32",
	      d.x1 - d.x0 + 1, d.y1 - d.y0 + 1);
	CHECK(d.y0 > 768 * 60 / 100, "square at y %u is below the bars", d.y0);
	free(a.pixels);
	free(b.pixels);
}

/* Typed text, buttons and wheel change the panel only; the pointer adds
 * a marker at its mapped pixel, whatever lies under it. */
static void
test_echo(void)
{
	struct demo_input_state idle, st;
	demo_input_init(&idle);
	struct image base, img;
	image_init(&base, 1024, 768, 0);
	image_init(&img, 1024, 768, 0);
	draw(&base, 7, &idle);

	struct {
		const char *what;
		uint16_t type, code;
		uint32_t value;
	} inputs[] = {
		{ "KEY_A", EV_KEY, KEY_A, 1 },
		{ "BTN_MIDDLE", EV_KEY, BTN_MIDDLE, 1 },
		{ "REL_WHEEL", EV_REL, REL_WHEEL, 1 },
		{ "KEY_F5", EV_KEY, KEY_F5, 1 },
	};
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		/* The same number of records as idle + 1 is the point of
		 * comparison, so compare with a state that had a SYN. */
		struct demo_input_state ref = idle;
		apply(&ref, PROTO_DEVICE_KEYBOARD, EV_SYN, SYN_REPORT, 0);
		st = idle;
		apply(&st, PROTO_DEVICE_KEYBOARD, inputs[i].type,
		      inputs[i].code, inputs[i].value);
		draw(&base, 7, &ref);
		draw(&img, 7, &st);
		struct box d = diff_box(&base, &img);
		CHECK(d.count > 0, "%s changed nothing", inputs[i].what);
		CHECK(d.y0 > 768 * 65 / 100, "%s changed y %u, above the panel",
		      inputs[i].what, d.y0);
	}

	/* The marker shows on every bar, on the track and in the panel. */
	draw(&base, 7, &idle);
	for (uint32_t i = 0; i < 10; i++) {
		int32_t ax = (int32_t)((2 * i + 1) * 32767 / 20);
		int32_t ay = i < 8 ? 6000 : (i == 8 ? 20700 : 30000);
		st = idle;
		apply(&st, PROTO_DEVICE_TABLET, EV_ABS, ABS_X, (uint32_t)ax);
		apply(&st, PROTO_DEVICE_TABLET, EV_ABS, ABS_Y, (uint32_t)ay);
		draw(&img, 7, &st);
		uint32_t px = (uint32_t)demo_abs_to_pixel(ax, 1024);
		uint32_t py = (uint32_t)demo_abs_to_pixel(ay, 768);
		CHECK((pixel(&img, px, py) ^ pixel(&base, px, py)) & 0xffffff,
		      "no marker at (%u,%u): %06x", px, py,
		      pixel(&img, px, py) & 0xffffff);
		/* Both a black and a white part, so one contrasts. */
		bool black = false, white = false;
		for (uint32_t y = py - 12; y <= py + 12; y++)
			for (uint32_t x = px - 12; x <= px + 12; x++) {
				uint32_t p = pixel(&img, x, y) & 0xffffff;
				if (p == pixel(&base, x, y))
					continue;
				black |= p == 0x000000;
				white |= p == 0xffffff;
			}
		CHECK(black && white, "marker at (%u,%u): black %d white %d",
		      px, py, black, white);
	}

	/* At the corners it is clipped, not lost. */
	static const int32_t corner[4][2] = {
		{ 0, 0 }, { 32767, 0 }, { 0, 32767 }, { 32767, 32767 },
	};
	for (int i = 0; i < 4; i++) {
		st = idle;
		apply(&st, PROTO_DEVICE_TABLET, EV_ABS, ABS_X,
		      (uint32_t)corner[i][0]);
		apply(&st, PROTO_DEVICE_TABLET, EV_ABS, ABS_Y,
		      (uint32_t)corner[i][1]);
		draw(&img, 7, &st);
		uint32_t px = corner[i][0] ? 1023 : 0;
		uint32_t py = corner[i][1] ? 767 : 0;
		CHECK((pixel(&img, px, py) ^ pixel(&base, px, py)) & 0xffffff,
		      "no marker at corner (%u,%u)", px, py);
		CHECK(padding_intact(&img), "corner marker wrote past a row");
	}
	free(base.pixels);
	free(img.pixels);
}

static void
test_cursor(void)
{
	const struct demo_cursor *c = demo_cursor_image();
	CHECK(c->width == 32 && c->height == 32, "cursor %ux%u", c->width,
	      c->height);
	CHECK(c->hot_x == 0 && c->hot_y == 0, "hotspot %d,%d", c->hot_x,
	      c->hot_y);
	CHECK(c->pixels[0] == 0xff000000, "tip pixel %08x, want opaque black",
	      c->pixels[0]);
	uint32_t black = 0, white = 0, clear = 0;
	for (uint32_t y = 0; y < c->height; y++) {
		for (uint32_t x = 0; x < c->width; x++) {
			uint32_t p = c->pixels[y * c->width + x];
			uint32_t a = p >> 24;
			uint32_t r = (p >> 16) & 0xff, g = (p >> 8) & 0xff;
			uint32_t b = p & 0xff;
			CHECK(r <= a && g <= a && b <= a,
			      "(%u,%u) %08x not premultiplied", x, y, p);
			black += p == 0xff000000;
			white += p == 0xffffffff;
			clear += p == 0;
			if (p != 0xffffffff)
				continue;
			/* White fill never touches the transparent outside. */
			bool closed = x > 0 && y > 0 && x + 1 < c->width &&
				      y + 1 < c->height &&
				      c->pixels[y * c->width + x - 1] != 0 &&
				      c->pixels[y * c->width + x + 1] != 0 &&
				      c->pixels[(y - 1) * c->width + x] != 0 &&
				      c->pixels[(y + 1) * c->width + x] != 0;
			CHECK(closed, "white at (%u,%u) touches the outside", x,
			      y);
		}
	}
	CHECK(black + white + clear == 32 * 32, "only black, white, clear");
	CHECK(white > 100 && black > 40 && clear > 32 * 32 / 2,
	      "arrow shape: %u white %u black %u clear", white, black, clear);
	CHECK(demo_cursor_image() == c, "the image is made once");
}

/* The demo's picture is what the viewer tests' reviewed references show
 * 1:1 (tests/golden, made by the real viewer from the real shim): frame 0
 * is demo-plain.png, frame 29 demo-moving.png, both 640x480 with no input.
 * Drawn here by the pure function alone, they must equal them pixel for
 * pixel; on a mismatch the drawn frame is written beside the test. */
static void
test_goldens(const char *golden_dir, const char *out_dir)
{
	static const struct { const char *name; uint64_t frame; } scenes[] = {
		{ "demo-plain", 0 }, { "demo-moving", 29 },
	};
	struct demo_input_state idle;
	demo_input_init(&idle);
	for (size_t i = 0; i < sizeof(scenes) / sizeof(scenes[0]); i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s.png", golden_dir,
			 scenes[i].name);
		uint8_t *ref;
		uint32_t w, h;
		bool read = png_util_read_rgba(path, &ref, &w, &h);
		CHECK(read, "cannot read the reference %s", path);
		if (!read)
			continue;
		struct image img;
		image_init(&img, 640, 480, 0);
		draw(&img, scenes[i].frame, &idle);
		uint64_t bad = 0;
		uint32_t fx = 0, fy = 0;
		for (uint32_t y = 0; w == 640 && h == 480 && y < h; y++) {
			for (uint32_t x = 0; x < w; x++) {
				const uint8_t *r = ref + ((size_t)y * w + x) * 4;
				uint32_t want = (uint32_t)r[0] << 16 |
						(uint32_t)r[1] << 8 | r[2];
				if ((pixel(&img, x, y) & 0xffffff) == want)
					continue;
				if (bad++ == 0)
					fx = x, fy = y;
			}
		}
		CHECK(w == 640 && h == 480, "%s is %ux%u, not 640x480", path, w,
		      h);
		CHECK(bad == 0, "frame %" PRIu64 " differs from %s in %" PRIu64
		      " pixels, first (%u,%u): drawn %06x, reference %06x",
		      scenes[i].frame, path, bad, fx, fy,
		      pixel(&img, fx, fy) & 0xffffff,
		      (uint32_t)ref[((size_t)fy * w + fx) * 4] << 16 |
		      (uint32_t)ref[((size_t)fy * w + fx) * 4 + 1] << 8 |
		      ref[((size_t)fy * w + fx) * 4 + 2]);
		if (bad != 0 && out_dir != NULL) {
			snprintf(path, sizeof(path), "%s/%s-drawn.png", out_dir,
				 scenes[i].name);
			if (png_util_write_xrgb(path, img.pixels, 640, 480,
						img.stride))
				printf("the drawn frame is %s\n", path);
		}
		free(img.pixels);
		free(ref);
	}
}

static bool
write_png(const char *dir, const char *name, uint32_t width,
	  uint32_t height, uint64_t frame, const struct demo_input_state *st)
{
	struct image img;
	image_init(&img, width, height, 0);
	draw(&img, frame, st);
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	bool ok = png_util_write_xrgb(path, img.pixels, width, height,
				      img.stride);
	if (ok)
		printf("wrote %s\n", path);
	free(img.pixels);
	return ok;
}

int
main(int argc, char **argv)
{
	test_determinism();
	test_tiny_heads();
	test_bars();
	test_frame_damage();
	test_square_moves();
	test_echo();
	test_cursor();
	if (argc > 2)
		test_goldens(argv[2], argv[1]);
	else
		CHECK(false, "usage: test-demo-draw OUT_DIR GOLDEN_DIR");

	if (argc > 1) {
		struct demo_input_state idle, busy;
		demo_input_init(&idle);
		busy_state(&busy);
		CHECK(write_png(argv[1], "demo-frame0-1024x768.png", 1024, 768,
				0, &idle), "frame 0 PNG written");
		CHECK(write_png(argv[1], "demo-input-1024x768.png", 1024, 768,
				42, &busy), "busy PNG written");
		CHECK(write_png(argv[1], "demo-input-64x64.png", 64, 64, 42,
				&busy), "64x64 PNG written");
		CHECK(write_png(argv[1], "demo-input-4096x2160.png", 4096, 2160,
				42, &busy), "4096x2160 PNG written");
	}
	if (test_failures == 0)
		printf("demo draw: all checks passed\n");
	return (test_failures ? 1 : 0);
}
