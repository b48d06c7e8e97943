/* SPDX-License-Identifier: MIT */
/*
 * The viewer's bitmap font: 5x7 glyphs and a row of descender in 6x8
 * cells, drawn at integer scales into 32-bit pixels. The waiting screen
 * writes "waiting for NAME" with it.
 */
#ifndef EGLVIEW_APP_FONT_H
#define EGLVIEW_APP_FONT_H

#include <stddef.h>
#include <stdint.h>

#define FONT_CELL_W 6 /* a glyph and a column of space */
#define FONT_CELL_H 8

/* A picture to write into: width x height pixels, stride bytes a row. */
struct font_target {
	uint32_t *pixels;
	int width, height;
	size_t stride;
	uint32_t colour; /* of the set pixels; the others are left alone */
};

/* The width of text on one line at scale (space after each glyph
 * included). */
int64_t font_text_width(const char *text, int scale);
/* Draws text with its first cell's top-left corner at (x, y), each font
 * pixel a scale x scale square; what falls outside the picture is cut. */
void font_draw_text(const struct font_target *t, int64_t x, int64_t y,
		    int scale, const char *text);

#endif
