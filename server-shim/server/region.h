/* SPDX-License-Identifier: MIT */
/*
 * Damage regions of at most PROTO_MAX_DAMAGE_RECTS rectangles, so that a
 * region always fits in one UPDATE. A rect already covered adds nothing;
 * rects it covers are dropped; two that line up into one rect are merged;
 * when the region is full it collapses to its bounding box (the damage
 * grows, but it is never lost).
 */
#ifndef EGLVIEW_REGION_H
#define EGLVIEW_REGION_H

#include <stdbool.h>
#include <stdint.h>

#include "eglview-proto.h"

#define REGION_MAX_RECTS PROTO_MAX_DAMAGE_RECTS

struct region {
	uint32_t n_rects;
	struct proto_rect rects[REGION_MAX_RECTS];
};

void region_init(struct region *region);
static inline void region_clear(struct region *region) { region->n_rects = 0; }
static inline bool region_is_empty(const struct region *region)
{
	return region->n_rects == 0;
}

/* Empty rects (width or height 0) are ignored. */
void region_add_rect(struct region *region, const struct proto_rect *rect);
void region_add_region(struct region *region, const struct region *other);
/* Cuts every rect to 0,0..width,height, dropping the ones left empty. */
void region_clip(struct region *region, uint32_t width, uint32_t height);
/* The bounding box; {0} for an empty region. */
struct proto_rect region_extents(const struct region *region);
/* True when every pixel of rect lies in the region. */
bool region_contains_rect(const struct region *region,
			  const struct proto_rect *rect);
/* Sum of the rects' areas: an upper bound of the region's area, since
 * rects may overlap partly. */
uint64_t region_area(const struct region *region);

#endif
