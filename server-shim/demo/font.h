/* SPDX-License-Identifier: MIT */
/*
 * A small bitmap font of this project's own design: 5x7 glyphs (with one
 * row of descender) in 6x8 cells for ASCII 32..126, drawn at integer
 * scales into XRGB8888 images. Used by the demo VM's status panel.
 */
#ifndef EGLVIEW_FONT_H
#define EGLVIEW_FONT_H

#include <stdbool.h>
#include <stdint.h>

#define FONT_CELL_W 6 /* glyph 5 wide + 1 column of spacing */
#define FONT_CELL_H 8 /* 7 rows above the baseline + 1 of descender */

/* Whether the glyph for `c` has its pixel at column `col` (0..4), row
 * `row` (0..7) set. '\n' has a return-arrow glyph; other characters
 * outside 32..126 show as a hollow box, so they are visible, not lost. */
bool font_glyph_bit(unsigned char c, uint32_t col, uint32_t row);

/* Width in pixels of `text` drawn at `scale` (cells, spacing included). */
uint32_t font_text_width(const char *text, uint32_t scale);

/* Draws `text` on one line with its top-left cell corner at (x, y), each
 * font pixel a scale x scale square of `colour`; only set pixels are
 * written (the background shows through). Clips at the image edges, so x
 * and y may be negative or past the image. */
void font_draw_text(uint32_t *pixels, uint32_t width, uint32_t height,
		    uint32_t stride_bytes, int32_t x, int32_t y, uint32_t scale,
		    uint32_t colour, const char *text);

#endif
