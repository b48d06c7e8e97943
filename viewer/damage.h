/* SPDX-License-Identifier: MIT */
/*
 * What changed in a frame: a few rectangles (output or buffer pixels,
 * y down). Partial work for partial change: the renderer redraws only
 * these, the output presents only these. The rects may overlap; past
 * DAMAGE_MAX_RECTS two are merged into their bounding box (the pair that
 * grows least), so a region stays cheap to walk and never loses area.
 */
#ifndef EGLVIEW_DAMAGE_H
#define EGLVIEW_DAMAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "layout.h"

#define DAMAGE_MAX_RECTS 16

struct damage {
	int n;
	struct layout_rect rects[DAMAGE_MAX_RECTS];
};

void damage_clear(struct damage *d);
/* Adds rect (an empty one is nothing). */
void damage_add(struct damage *d, const struct layout_rect *rect);
void damage_add_damage(struct damage *d, const struct damage *more);
/* Keeps only what lies inside bounds. */
void damage_clip(struct damage *d, const struct layout_rect *bounds);
bool damage_empty(const struct damage *d);
/* Pixels covered, overlaps counted twice (what a redraw costs). */
int64_t damage_area(const struct damage *d);
/* Whether the damage covers all of bounds (then draw it as one rect). */
bool damage_covers(const struct damage *d, const struct layout_rect *bounds);

/* a becomes its overlap with b; false (a unchanged) when they do not
 * overlap. */
bool layout_rect_intersect(struct layout_rect *a, const struct layout_rect *b);

#endif
