/* SPDX-License-Identifier: MIT */
/*
 * Where a head's picture lands in the output: the tiles of a row of heads,
 * the letterboxed fit of one picture into its tile, and the mapping of
 * positions between head pixels and output pixels both ways. Pure maths,
 * no GL: the renderer draws with it and the window backends map the
 * pointer with it, so both agree to the pixel.
 *
 * Output coordinates here have y growing downwards (row 0 at the top).
 */
#ifndef EGLVIEW_LAYOUT_H
#define EGLVIEW_LAYOUT_H

#include <stdbool.h>

struct layout_rect {
	int x, y;
	int width, height;
};

/* How a head's picture is scaled into its tile (--scale). */
enum layout_scale {
	LAYOUT_SCALE_FIT,     /* largest size of the same aspect, letterboxed */
	LAYOUT_SCALE_INTEGER, /* largest whole multiple that fits (fit when none does) */
	LAYOUT_SCALE_STRETCH, /* the whole tile, aspect ignored */
	LAYOUT_SCALE_NONE,    /* 1:1, centred; cropped when the tile is smaller */
};

/* "fit", "integer", "stretch", "none" -> mode; false for anything else. */
bool layout_scale_parse(const char *name, enum layout_scale *mode);
const char *layout_scale_name(enum layout_scale mode);

/* Where a src_w x src_h picture lands in the tile dst under mode. The rect
 * may be larger than dst (mode none); the caller clips. */
struct layout_rect layout_place(enum layout_scale mode, int src_w, int src_h,
				const struct layout_rect *dst);

/* The largest rect of src's aspect that fits in dst, centred in it (black
 * bars on the two sides that do not touch). Integer sizes, rounded to the
 * nearest pixel; an empty src or dst gives an empty rect at dst's origin. */
struct layout_rect layout_fit(int src_w, int src_h,
			      int dst_x, int dst_y, int dst_w, int dst_h);

/* Tile i of n heads laid out in a row across an out_w x out_h output:
 * the width of each is proportional to its head's width, so an output as
 * wide as the sum of the heads shows each head 1:1. The tiles cover the
 * output exactly, without gaps or overlap. */
struct layout_rect layout_tile(int out_w, int out_h, const int *head_widths,
			       int n, int i);

/* Head pixel (hx, hy) of a head whose picture is src_w x src_h, shown in
 * fit, to output pixel (*ox, *oy). Continuous coordinates: 0 is the left
 * edge of pixel 0, src_w the right edge of the last pixel. */
void layout_head_to_output(int src_w, int src_h, const struct layout_rect *fit,
			   double hx, double hy, double *ox, double *oy);

/* The inverse: output pixel to head pixel. Returns false when (ox, oy)
 * lies outside the picture (on a bar); *hx, *hy are then clamped to the
 * head's edges, which is what a pointer leaving the picture should send. */
bool layout_output_to_head(int src_w, int src_h, const struct layout_rect *fit,
			   double ox, double oy, double *hx, double *hy);

/* Several VMs in one output (--layout): how their cells are arranged. */
enum layout_arrangement {
	LAYOUT_GRID,   /* ceil(sqrt(n)) columns, as many rows as it takes */
	LAYOUT_ROW,    /* side by side */
	LAYOUT_COLUMN, /* stacked, the first on top */
};

/* "grid", "row", "column" -> arrangement; false for anything else. */
bool layout_arrangement_parse(const char *name,
			      enum layout_arrangement *arrangement);
/* The columns and rows n cells take (1x1 for n <= 1). */
void layout_grid_size(enum layout_arrangement arrangement, int n, int *cols,
		      int *rows);
/* Cell i of n (row-major, the first at the top left) of an out_w x out_h
 * output. Cells of one grid are equal to a pixel and cover the output
 * without gaps or overlap; in a grid with empty places left over, the
 * last row has them on its right. i out of range: an empty rect. */
struct layout_rect layout_cell(enum layout_arrangement arrangement,
			       int out_w, int out_h, int n, int i);

#endif
