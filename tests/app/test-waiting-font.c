/* SPDX-License-Identifier: MIT */
/*
 * The viewer's own font (viewer/app/font.c), which writes the waiting
 * screen: each printable character has a glyph of its own, text lands
 * where it is asked at its scale, and whatever falls outside the picture
 * is cut, never written.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "app/font.h"
#include "check.h"

#define W 48
#define H 32
#define PAPER 0x01020304u
#define INK 0xfffedcbau

static uint32_t picture[H][W];

static struct font_target
target(int width)
{
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			picture[y][x] = PAPER;
	return (struct font_target){ .pixels = &picture[0][0], .width = width,
				     .height = H, .stride = W * 4, .colour = INK };
}

/* The glyph of c at scale 1 as 48 bits, row by row. */
static uint64_t
glyph_of(unsigned char c)
{
	struct font_target t = target(W);
	char text[2] = { (char)c, 0 };
	font_draw_text(&t, 0, 0, 1, text);
	uint64_t bits = 0;
	for (int y = 0; y < FONT_CELL_H; y++)
		for (int x = 0; x < FONT_CELL_W; x++)
			bits = bits << 1 | (picture[y][x] == INK);
	return bits;
}

static int
ink_count(void)
{
	int n = 0;
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			n += picture[y][x] == INK;
	return n;
}

static void
every_character_reads(void)
{
	for (unsigned a = '!'; a <= '~'; a++) {
		uint64_t ga = glyph_of((unsigned char)a);
		CHECK(ga != 0, "'%c' draws nothing", a);
		/* The cell's last column is the space between glyphs. */
		for (int row = 0; row < FONT_CELL_H; row++)
			CHECK(!(ga >> (uint64_t)((FONT_CELL_H - 1 - row) *
						 FONT_CELL_W) & 1),
			      "'%c' inks its spacing column", a);
		for (unsigned b = a + 1; b <= '~'; b++)
			CHECK(ga != glyph_of((unsigned char)b),
			      "'%c' and '%c' are drawn alike", a, b);
	}
	CHECK(glyph_of(' ') == 0, "a space draws ink");
	/* What has no glyph still shows, so a name is never shown short. */
	uint64_t box = glyph_of(0x7f);
	CHECK(box != 0 && glyph_of(0x80) == box && glyph_of(0x01) == box,
	      "characters without a glyph show one box");
	CHECK(glyph_of('\n') != 0 && glyph_of('\n') != box,
	      "a newline shows as its own mark");
}

static void
scaled_text_lands_where_asked(void)
{
	struct font_target t = target(W);
	font_draw_text(&t, 5, 3, 3, "I");
	/* 'I': the top and bottom bars three wide, the stem between. */
	for (int y = 0; y < H; y++) {
		for (int x = 0; x < W; x++) {
			int gx = x - 5, gy = y - 3;
			bool in = gx >= 0 && gy >= 0 && gx < 15 && gy < 21;
			gx /= 3;
			gy /= 3;
			bool ink = in && ((gy == 0 || gy == 6) ? gx >= 1 && gx <= 3 :
					  gx == 2);
			CHECK((picture[y][x] == INK) == ink,
			      "'I' at (%d,%d): %08x", x, y, picture[y][x]);
		}
	}
	CHECK(font_text_width("I", 3) == 18 && font_text_width("waiting", 2) ==
	      84 && font_text_width("", 4) == 0, "text widths");
}

static void
outside_is_cut(void)
{
	struct font_target t = target(W);
	font_draw_text(&t, -1000, 4, 2, "W");
	font_draw_text(&t, 4, 1000, 2, "W");
	font_draw_text(&t, INT64_MIN / 2, INT64_MIN / 2, 9, "WWW");
	font_draw_text(&t, INT64_MAX / 2, 0, 9, "W");
	CHECK(ink_count() == 0, "text outside the picture drew %d pixels",
	      ink_count());
	/* A picture narrower than its rows: nothing past its width. */
	t = target(10);
	font_draw_text(&t, 0, 0, 4, "MMMM");
	CHECK(ink_count() > 0, "nothing drawn inside");
	for (int y = 0; y < H; y++)
		for (int x = 10; x < W; x++)
			CHECK(picture[y][x] == PAPER, "(%d,%d) past the width", x,
			      y);
	/* Half off the top-left corner: the part inside is drawn. */
	t = target(W);
	font_draw_text(&t, -2, -2, 1, "H");
	CHECK(picture[0][2] == INK && picture[0][0] == PAPER,
	      "'H' cut at the corner");
}

int
main(void)
{
	every_character_reads();
	scaled_text_lands_where_asked();
	outside_is_cut();
	return test_failures ? 1 : 0;
}
