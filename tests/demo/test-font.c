/* SPDX-License-Identifier: MIT */
/* The bitmap font: every glyph distinct, drawn where asked, clipped. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "demo/font.h"

#define W 40
#define H 30
#define BG 0x11111111u
#define FG 0xffabcdefu

static uint32_t pixels[H][W];

static void
clear(void)
{
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			pixels[y][x] = BG;
}

static uint64_t
glyph_bits(unsigned char c)
{
	uint64_t bits = 0;
	for (uint32_t row = 0; row < FONT_CELL_H; row++)
		for (uint32_t col = 0; col < FONT_CELL_W - 1; col++)
			bits = bits << 1 | font_glyph_bit(c, col, row);
	return bits;
}

static void
test_glyphs_distinct(void)
{
	for (unsigned c = 33; c <= 126; c++) {
		CHECK(glyph_bits((unsigned char)c) != 0, "'%c' is empty", c);
		for (unsigned d = c + 1; d <= 126; d++)
			CHECK(glyph_bits((unsigned char)c) !=
			      glyph_bits((unsigned char)d),
			      "'%c' and '%c' look the same", c, d);
	}
	CHECK(glyph_bits(' ') == 0, "space has ink");
	CHECK(glyph_bits('\n') != 0 && glyph_bits('\n') != glyph_bits(0x7f),
	      "'\\n' has its own glyph");
	CHECK(glyph_bits(0x01) != 0, "control characters stay visible");
	/* The spacing column and out-of-cell rows are never ink. */
	for (unsigned c = 32; c <= 126; c++)
		CHECK(!font_glyph_bit((unsigned char)c, FONT_CELL_W - 1, 0) &&
		      !font_glyph_bit((unsigned char)c, 0, FONT_CELL_H),
		      "'%c' outside its cell", c);
	/* Descenders only where the letter has one. */
	CHECK(font_glyph_bit('g', 1, 7) && !font_glyph_bit('a', 1, 7),
	      "descender row");
}

static void
test_draw_scaled(void)
{
	clear();
	font_draw_text(&pixels[0][0], W, H, W * 4, 3, 2, 2, FG, "L");
	/* 'L' is the left column for 7 rows, then the bottom row. */
	for (int y = 0; y < H; y++) {
		for (int x = 0; x < W; x++) {
			int gx = (x - 3) / 2, gy = (y - 2) / 2;
			bool inside = x >= 3 && y >= 2 && gx < 5 && gy < 8;
			bool ink = inside && (gx == 0 ? gy <= 6 : gy == 6);
			uint32_t want = ink ? FG : BG;
			CHECK(pixels[y][x] == want, "(%d,%d) %08x want %08x", x,
			      y, pixels[y][x], want);
		}
	}
	CHECK(font_text_width("L", 2) == 12 && font_text_width("abc", 3) == 54
	      && font_text_width("", 4) == 0, "text widths");
}

static void
test_clipping(void)
{
	/* Partly off every edge: what is inside is drawn, nothing else. */
	clear();
	font_draw_text(&pixels[0][0], W, H, W * 4, -3, -4, 1, FG, "HH");
	/* Glyph (col, row) lands at (col - 3, row - 4). */
	CHECK(pixels[0][1] == FG, "first 'H' right leg at x 1");
	CHECK(pixels[0][0] == BG, "first 'H' gap at x 0");
	CHECK(pixels[0][3] == FG, "second 'H' left leg at x 3");
	CHECK(pixels[3][1] == BG, "descender row of 'H' is empty");
	clear();
	font_draw_text(&pixels[0][0], W, H, W * 4, W - 2, H - 3, 3, FG,
		       "MMMM");
	CHECK(pixels[H - 1][W - 1] == FG && pixels[H - 1][W - 2] == FG,
	      "clipped 'M' at the bottom-right corner");
	clear();
	font_draw_text(&pixels[0][0], W, H, W * 4, -1000, 5, 1, FG, "A");
	font_draw_text(&pixels[0][0], W, H, W * 4, 5, 1000, 1, FG, "A");
	font_draw_text(&pixels[0][0], W, H, W * 4, INT32_MIN, INT32_MIN,
		       9, FG, "WWWW");
	font_draw_text(&pixels[0][0], W, H, W * 4, INT32_MAX, 3, 9, FG, "W");
	int inked = 0;
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			inked += pixels[y][x] != BG;
	CHECK(inked == 0, "text entirely outside drew %d pixels", inked);

	/* A narrower image in a wider stride: nothing past the width. */
	clear();
	font_draw_text(&pixels[0][0], 10, H, W * 4, 0, 0, 4, FG, "8888");
	for (int y = 0; y < H; y++)
		for (int x = 10; x < W; x++)
			CHECK(pixels[y][x] == BG, "(%d,%d) past the width", x,
			      y);
}

int
main(void)
{
	test_glyphs_distinct();
	test_draw_scaled();
	test_clipping();
	if (test_failures == 0)
		printf("font: all checks passed\n");
	return (test_failures ? 1 : 0);
}
