/* SPDX-License-Identifier: MIT */
/* layout.c: letterbox fit, tiles, and the head <-> output mapping. */
#include <math.h>
#include <stdio.h>

#include "layout.h"

static int failures;

static void
expect_rect(const char *what, struct layout_rect got, int x, int y, int w, int h)
{
	if (got.x == x && got.y == y && got.width == w && got.height == h)
		return;
	fprintf(stderr, "%s: got x=%d y=%d w=%d h=%d, expected x=%d y=%d w=%d h=%d\n",
		what, got.x, got.y, got.width, got.height, x, y, w, h);
	failures++;
}

static void
test_fit(void)
{
	/* 4:3 into 16:9: bars left and right. */
	expect_rect("1024x768 in 1920x1080", layout_fit(1024, 768, 0, 0, 1920, 1080),
		    240, 0, 1440, 1080);
	/* 16:9 into 4:3: bars above and below. */
	expect_rect("1920x1080 in 1024x768", layout_fit(1920, 1080, 0, 0, 1024, 768),
		    0, 96, 1024, 576);
	expect_rect("same size", layout_fit(800, 600, 0, 0, 800, 600), 0, 0, 800, 600);
	expect_rect("same aspect, scaled", layout_fit(640, 480, 0, 0, 1280, 960),
		    0, 0, 1280, 960);
	/* Offsets of the tile carry through. */
	expect_rect("in a tile", layout_fit(1024, 768, 100, 50, 1920, 1080),
		    340, 50, 1440, 1080);
	/* Odd sizes: 333x777 into 1000x1000 -> w = round(333*1000/777) = 429. */
	expect_rect("odd 333x777", layout_fit(333, 777, 0, 0, 1000, 1000),
		    285, 0, 429, 1000);
	/* 7x3 into 10x10: h = round(30/7) = 4, centred in 10 -> y = 3. */
	expect_rect("odd 7x3", layout_fit(7, 3, 0, 0, 10, 10), 0, 3, 10, 4);
	/* Extremes: a 1-pixel-tall picture still gets a row. */
	expect_rect("1 row", layout_fit(16384, 1, 0, 0, 100, 100), 0, 49, 100, 1);
	expect_rect("empty source", layout_fit(0, 10, 5, 6, 100, 100), 5, 6, 0, 0);
	expect_rect("empty target", layout_fit(10, 10, 5, 6, 0, 100), 5, 6, 0, 0);
}

static void
test_tiles(void)
{
	int widths[] = { 1024, 1920, 800 };
	int sum = 1024 + 1920 + 800;
	/* An output as wide as the sum shows every head 1:1. */
	expect_rect("tile 0 of sum", layout_tile(sum, 1080, widths, 3, 0), 0, 0, 1024, 1080);
	expect_rect("tile 1 of sum", layout_tile(sum, 1080, widths, 3, 1), 1024, 0, 1920, 1080);
	expect_rect("tile 2 of sum", layout_tile(sum, 1080, widths, 3, 2), 2944, 0, 800, 1080);
	/* Halved: proportional, and the tiles cover the output exactly. */
	int out_w = 1001, end = 0;
	for (int i = 0; i < 3; i++) {
		struct layout_rect t = layout_tile(out_w, 500, widths, 3, i);
		if (t.x != end) {
			fprintf(stderr, "tile %d starts at %d, previous ended at %d\n",
				i, t.x, end);
			failures++;
		}
		end = t.x + t.width;
	}
	if (end != out_w) {
		fprintf(stderr, "tiles end at %d, output is %d wide\n", end, out_w);
		failures++;
	}
	expect_rect("one head", layout_tile(640, 480, widths, 1, 0), 0, 0, 640, 480);
	int none[] = { 0, 0 };
	expect_rect("unknown sizes share", layout_tile(640, 480, none, 2, 1),
		    320, 0, 320, 480);
}

static void
expect_near(const char *what, double got, double want)
{
	if (fabs(got - want) < 1e-9)
		return;
	fprintf(stderr, "%s: got %.12f, expected %.12f\n", what, got, want);
	failures++;
}

static void
test_mapping(void)
{
	struct layout_rect fit = layout_fit(1024, 768, 0, 0, 1920, 1080);
	double ox, oy, hx, hy;
	layout_head_to_output(1024, 768, &fit, 0, 0, &ox, &oy);
	expect_near("origin x", ox, 240);
	expect_near("origin y", oy, 0);
	layout_head_to_output(1024, 768, &fit, 1024, 768, &ox, &oy);
	expect_near("far corner x", ox, 1680);
	expect_near("far corner y", oy, 1080);
	layout_head_to_output(1024, 768, &fit, 512, 384, &ox, &oy);
	expect_near("centre x", ox, 960);
	expect_near("centre y", oy, 540);

	bool inside = layout_output_to_head(1024, 768, &fit, 960, 540, &hx, &hy);
	if (!inside) {
		fprintf(stderr, "the centre of the output is outside the head\n");
		failures++;
	}
	expect_near("back to head x", hx, 512);
	expect_near("back to head y", hy, 384);

	/* On the left bar: outside, clamped to the head's left edge. */
	inside = layout_output_to_head(1024, 768, &fit, 100, 200, &hx, &hy);
	if (inside) {
		fprintf(stderr, "x=100 is on the bar but mapped as inside\n");
		failures++;
	}
	expect_near("clamped x", hx, 0);
	expect_near("unclamped y", hy, 200.0 * 768 / 1080);

	/* Round trips both ways over odd sizes and a tile offset. */
	int sizes[][4] = { { 333, 777, 1000, 1000 }, { 7, 3, 10, 10 },
			   { 1920, 1080, 1366, 768 }, { 640, 480, 640, 480 } };
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		int sw = sizes[s][0], sh = sizes[s][1];
		struct layout_rect f = layout_fit(sw, sh, 17, 5, sizes[s][2], sizes[s][3]);
		for (int i = 0; i <= 10; i++) {
			double x = sw * i / 10.0 * 0.99, y = sh * (10 - i) / 10.0 * 0.99;
			layout_head_to_output(sw, sh, &f, x, y, &ox, &oy);
			if (!layout_output_to_head(sw, sh, &f, ox, oy, &hx, &hy)) {
				fprintf(stderr, "%dx%d: (%f,%f) left the head\n", sw, sh, x, y);
				failures++;
			}
			expect_near("round trip x", hx, x);
			expect_near("round trip y", hy, y);
			double ox2, oy2;
			layout_head_to_output(sw, sh, &f, hx, hy, &ox2, &oy2);
			expect_near("output round trip x", ox2, ox);
			expect_near("output round trip y", oy2, oy);
		}
	}
}

int
main(void)
{
	test_fit();
	test_tiles();
	test_mapping();
	if (failures) {
		fprintf(stderr, "%d layout checks failed\n", failures);
		return 1;
	}
	printf("layout: all checks passed\n");
	return 0;
}
