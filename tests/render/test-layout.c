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

static void
expect_grid(enum layout_arrangement a, int n, int cols, int rows)
{
	int c, r;
	layout_grid_size(a, n, &c, &r);
	if (c == cols && r == rows)
		return;
	fprintf(stderr, "%s of %d: got %dx%d cells, expected %dx%d\n",
		a == LAYOUT_GRID ? "grid" : a == LAYOUT_ROW ? "row" : "column",
		n, c, r, cols, rows);
	failures++;
}

/* Every pixel of the output lies in exactly one cell, or in none when the
 * grid has places left over. */
static void
expect_cover(enum layout_arrangement a, int w, int h, int n)
{
	int cols, rows, count = 0;
	layout_grid_size(a, n, &cols, &rows);
	for (int i = 0; i < n; i++) {
		struct layout_rect c = layout_cell(a, w, h, n, i);
		count += c.width * c.height;
		for (int j = 0; j < i; j++) {
			struct layout_rect d = layout_cell(a, w, h, n, j);
			if (c.x < d.x + d.width && d.x < c.x + c.width &&
			    c.y < d.y + d.height && d.y < c.y + c.height) {
				fprintf(stderr, "cells %d and %d of %d overlap in "
					"%dx%d\n", j, i, n, w, h);
				failures++;
			}
		}
		if (c.x < 0 || c.y < 0 || c.x + c.width > w ||
		    c.y + c.height > h) {
			fprintf(stderr, "cell %d of %d leaves %dx%d\n", i, n, w, h);
			failures++;
		}
	}
	/* Full rows cover their share; the places left over stay empty. */
	int empty = cols * rows - n;
	struct layout_rect last = layout_cell(a, w, h, n, n - 1);
	int expected = w * h - (empty ? (w - last.x - last.width) * last.height : 0);
	if (count != expected) {
		fprintf(stderr, "%d cells in %dx%d cover %d pixels, expected %d\n",
			n, w, h, count, expected);
		failures++;
	}
}

static void
test_arrangements(void)
{
	enum layout_arrangement a = LAYOUT_ROW;
	if (!layout_arrangement_parse("grid", &a) || a != LAYOUT_GRID ||
	    !layout_arrangement_parse("column", &a) || a != LAYOUT_COLUMN ||
	    !layout_arrangement_parse("row", &a) || a != LAYOUT_ROW ||
	    layout_arrangement_parse("tiles", &a) || a != LAYOUT_ROW) {
		fprintf(stderr, "layout_arrangement_parse is wrong\n");
		failures++;
	}
	/* grid: ceil(sqrt(n)) columns. */
	expect_grid(LAYOUT_GRID, 1, 1, 1);
	expect_grid(LAYOUT_GRID, 2, 2, 1);
	expect_grid(LAYOUT_GRID, 3, 2, 2);
	expect_grid(LAYOUT_GRID, 4, 2, 2);
	expect_grid(LAYOUT_GRID, 5, 3, 2);
	expect_grid(LAYOUT_GRID, 9, 3, 3);
	expect_grid(LAYOUT_GRID, 10, 4, 3);
	expect_grid(LAYOUT_ROW, 3, 3, 1);
	expect_grid(LAYOUT_COLUMN, 3, 1, 3);
	expect_grid(LAYOUT_COLUMN, 0, 1, 1);

	/* The golden image's grid: four VMs in 1280x960. */
	expect_rect("grid 0/4", layout_cell(LAYOUT_GRID, 1280, 960, 4, 0), 0, 0, 640, 480);
	expect_rect("grid 1/4", layout_cell(LAYOUT_GRID, 1280, 960, 4, 1), 640, 0, 640, 480);
	expect_rect("grid 2/4", layout_cell(LAYOUT_GRID, 1280, 960, 4, 2), 0, 480, 640, 480);
	expect_rect("grid 3/4", layout_cell(LAYOUT_GRID, 1280, 960, 4, 3), 640, 480, 640, 480);
	/* Three in a 2x2 grid: the fourth place stays empty. */
	expect_rect("grid 2/3", layout_cell(LAYOUT_GRID, 1280, 960, 3, 2), 0, 480, 640, 480);
	expect_rect("row 1/3", layout_cell(LAYOUT_ROW, 1200, 400, 3, 1), 400, 0, 400, 400);
	expect_rect("column 2/3", layout_cell(LAYOUT_COLUMN, 400, 900, 3, 2), 0, 600, 400, 300);
	/* Odd sizes: cells differ by a pixel at most, edges at round(k*w/n). */
	expect_rect("row 0/3 of 1001", layout_cell(LAYOUT_ROW, 1001, 10, 3, 0), 0, 0, 334, 10);
	expect_rect("row 1/3 of 1001", layout_cell(LAYOUT_ROW, 1001, 10, 3, 1), 334, 0, 333, 10);
	expect_rect("row 2/3 of 1001", layout_cell(LAYOUT_ROW, 1001, 10, 3, 2), 667, 0, 334, 10);
	expect_rect("out of range", layout_cell(LAYOUT_GRID, 100, 100, 2, 2), 0, 0, 0, 0);
	expect_rect("one VM: the whole output", layout_cell(LAYOUT_GRID, 640, 480, 1, 0),
		    0, 0, 640, 480);
	for (int n = 1; n <= 10; n++) {
		expect_cover(LAYOUT_GRID, 1001, 757, n);
		expect_cover(LAYOUT_ROW, 1001, 757, n);
		expect_cover(LAYOUT_COLUMN, 1001, 757, n);
	}
}

int
main(void)
{
	test_fit();
	test_tiles();
	test_mapping();
	test_arrangements();
	if (failures) {
		fprintf(stderr, "%d layout checks failed\n", failures);
		return 1;
	}
	printf("layout: all checks passed\n");
	return 0;
}
