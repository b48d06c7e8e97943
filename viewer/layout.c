/* SPDX-License-Identifier: MIT */
#include "layout.h"

#include <stdint.h>
#include <string.h>

static const char *const scale_names[] = {
	[LAYOUT_SCALE_FIT] = "fit",
	[LAYOUT_SCALE_INTEGER] = "integer",
	[LAYOUT_SCALE_STRETCH] = "stretch",
	[LAYOUT_SCALE_NONE] = "none",
};

/* a * b / c rounded to nearest, in 64 bits so 16384^2 products fit. */
static int
mul_div_round(int a, int b, int c)
{
	int64_t num = (int64_t)a * b;
	return (int)((num + c / 2) / c);
}

struct layout_rect
layout_fit(int src_w, int src_h, int dst_x, int dst_y, int dst_w, int dst_h)
{
	struct layout_rect r = { .x = dst_x, .y = dst_y };
	if (src_w <= 0 || src_h <= 0 || dst_w <= 0 || dst_h <= 0)
		return r;

	/* Compare the aspects by cross-multiplying: no rounding involved. */
	if ((int64_t)dst_w * src_h <= (int64_t)dst_h * src_w) {
		/* Width-limited: bars above and below. */
		r.width = dst_w;
		r.height = mul_div_round(src_h, dst_w, src_w);
		if (r.height > dst_h)
			r.height = dst_h;
		if (r.height < 1)
			r.height = 1;
		r.y = dst_y + (dst_h - r.height) / 2;
	} else {
		r.height = dst_h;
		r.width = mul_div_round(src_w, dst_h, src_h);
		if (r.width > dst_w)
			r.width = dst_w;
		if (r.width < 1)
			r.width = 1;
		r.x = dst_x + (dst_w - r.width) / 2;
	}
	return r;
}

struct layout_rect
layout_tile(int out_w, int out_h, const int *head_widths, int n, int i)
{
	struct layout_rect r = { .height = out_h };
	if (n <= 0 || i < 0 || i >= n)
		return r;

	int64_t total = 0, before = 0;
	for (int j = 0; j < n; j++) {
		int w = head_widths[j] > 0 ? head_widths[j] : 0;
		total += w;
		if (j < i)
			before += w;
	}
	if (total == 0) {
		/* No sizes known yet: share the output equally. */
		r.x = (int)((int64_t)out_w * i / n);
		r.width = (int)((int64_t)out_w * (i + 1) / n) - r.x;
		return r;
	}
	int w_i = head_widths[i] > 0 ? head_widths[i] : 0;
	/* Both edges from the running sum, so neighbours share an edge. */
	r.x = (int)((int64_t)out_w * before / total);
	r.width = (int)((int64_t)out_w * (before + w_i) / total) - r.x;
	return r;
}

void
layout_head_to_output(int src_w, int src_h, const struct layout_rect *fit,
		      double hx, double hy, double *ox, double *oy)
{
	*ox = fit->x + (src_w > 0 ? hx * fit->width / src_w : 0.0);
	*oy = fit->y + (src_h > 0 ? hy * fit->height / src_h : 0.0);
}

static double
clamp(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

bool
layout_output_to_head(int src_w, int src_h, const struct layout_rect *fit,
		      double ox, double oy, double *hx, double *hy)
{
	if (fit->width <= 0 || fit->height <= 0) {
		*hx = *hy = 0.0;
		return false;
	}
	double x = (ox - fit->x) * src_w / fit->width;
	double y = (oy - fit->y) * src_h / fit->height;
	bool inside = x >= 0.0 && x < src_w && y >= 0.0 && y < src_h;
	*hx = clamp(x, 0.0, src_w);
	*hy = clamp(y, 0.0, src_h);
	return inside;
}

bool
layout_scale_parse(const char *name, enum layout_scale *mode)
{
	for (size_t i = 0; i < sizeof(scale_names) / sizeof(scale_names[0]); i++) {
		if (strcmp(name, scale_names[i]) == 0) {
			*mode = (enum layout_scale)i;
			return true;
		}
	}
	return false;
}

const char *
layout_scale_name(enum layout_scale mode)
{
	return (unsigned)mode < sizeof(scale_names) / sizeof(scale_names[0]) ?
		scale_names[mode] : "?";
}

static struct layout_rect
centred(int w, int h, const struct layout_rect *dst)
{
	/* Floor division keeps a cropped picture's overhang symmetric to a
	 * pixel, also when it is negative. */
	int dx = dst->width - w, dy = dst->height - h;
	return (struct layout_rect){
		.x = dst->x + (dx >= 0 ? dx / 2 : -((-dx + 1) / 2)),
		.y = dst->y + (dy >= 0 ? dy / 2 : -((-dy + 1) / 2)),
		.width = w, .height = h,
	};
}

struct layout_rect
layout_place(enum layout_scale mode, int src_w, int src_h,
	     const struct layout_rect *dst)
{
	if (src_w <= 0 || src_h <= 0 || dst->width <= 0 || dst->height <= 0)
		return (struct layout_rect){ .x = dst->x, .y = dst->y };
	switch (mode) {
	case LAYOUT_SCALE_STRETCH:
		return *dst;
	case LAYOUT_SCALE_NONE:
		return centred(src_w, src_h, dst);
	case LAYOUT_SCALE_INTEGER: {
		int kx = dst->width / src_w, ky = dst->height / src_h;
		int k = kx < ky ? kx : ky;
		if (k >= 1)
			return centred(src_w * k, src_h * k, dst);
		break; /* smaller than 1:1: no whole multiple fits */
	}
	case LAYOUT_SCALE_FIT:
		break;
	}
	return layout_fit(src_w, src_h, dst->x, dst->y, dst->width, dst->height);
}

static const char *const arrangement_names[] = {
	[LAYOUT_GRID] = "grid",
	[LAYOUT_ROW] = "row",
	[LAYOUT_COLUMN] = "column",
};

bool
layout_arrangement_parse(const char *name,
			 enum layout_arrangement *arrangement)
{
	size_t n = sizeof(arrangement_names) / sizeof(arrangement_names[0]);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(name, arrangement_names[i]) == 0) {
			*arrangement = (enum layout_arrangement)i;
			return true;
		}
	}
	return false;
}

void
layout_grid_size(enum layout_arrangement arrangement, int n, int *cols,
		 int *rows)
{
	if (n <= 1) {
		*cols = *rows = 1;
		return;
	}
	switch (arrangement) {
	case LAYOUT_ROW:
		*cols = n;
		*rows = 1;
		return;
	case LAYOUT_COLUMN:
		*cols = 1;
		*rows = n;
		return;
	case LAYOUT_GRID:
		break;
	}
	/* ceil(sqrt(n)) without floating point: the smallest c with c*c >= n. */
	int c = 1;
	while (c * c < n)
		c++;
	*cols = c;
	*rows = (n + c - 1) / c;
}

struct layout_rect
layout_cell(enum layout_arrangement arrangement, int out_w, int out_h, int n,
	    int i)
{
	if (n <= 0 || i < 0 || i >= n || out_w <= 0 || out_h <= 0)
		return (struct layout_rect){ 0 };
	int cols, rows;
	layout_grid_size(arrangement, n, &cols, &rows);
	int col = i % cols, row = i / cols;
	/* Edges at k * size / count: the cells differ by a pixel at most and
	 * the last one ends exactly at the output's edge. */
	int x0 = mul_div_round(col, out_w, cols), x1 = mul_div_round(col + 1, out_w, cols);
	int y0 = mul_div_round(row, out_h, rows), y1 = mul_div_round(row + 1, out_h, rows);
	return (struct layout_rect){
		.x = x0, .y = y0, .width = x1 - x0, .height = y1 - y0,
	};
}
