/* SPDX-License-Identifier: MIT */
/*
 * Damage regions: a short list of rects, kept small by dropping covered
 * rects and merging neighbours, collapsing to the bounding box when full.
 */
#include <stdlib.h>

#include "server/region.h"

void
region_init(struct region *region)
{
	region->n_rects = 0;
}

static uint64_t
right(const struct proto_rect *r)
{
	return (uint64_t)r->x + r->width;
}

static uint64_t
bottom(const struct proto_rect *r)
{
	return (uint64_t)r->y + r->height;
}

static bool
covers(const struct proto_rect *outer, const struct proto_rect *inner)
{
	return inner->x >= outer->x && inner->y >= outer->y &&
	       right(inner) <= right(outer) && bottom(inner) <= bottom(outer);
}

static struct proto_rect
bounding_box(const struct proto_rect *a, const struct proto_rect *b)
{
	uint32_t x = a->x < b->x ? a->x : b->x;
	uint32_t y = a->y < b->y ? a->y : b->y;
	uint64_t r = right(a) > right(b) ? right(a) : right(b);
	uint64_t btm = bottom(a) > bottom(b) ? bottom(a) : bottom(b);
	return (struct proto_rect){ x, y, (uint32_t)(r - x), (uint32_t)(btm - y) };
}

/* Two rects whose union is exactly a rect: same columns and touching or
 * overlapping rows, or the other way round. */
static bool
union_is_rect(const struct proto_rect *a, const struct proto_rect *b)
{
	if (a->x == b->x && a->width == b->width)
		return b->y <= bottom(a) && a->y <= bottom(b);
	if (a->y == b->y && a->height == b->height)
		return b->x <= right(a) && a->x <= right(b);
	return false;
}

static void
remove_at(struct region *region, uint32_t i)
{
	region->rects[i] = region->rects[--region->n_rects];
}

void
region_add_rect(struct region *region, const struct proto_rect *rect)
{
	if (rect->width == 0 || rect->height == 0)
		return;
	struct proto_rect add = *rect;

	/* Merging can make a rect that lines up with another one, so go
	 * round until nothing changes. */
	bool changed = true;
	while (changed) {
		changed = false;
		for (uint32_t i = 0; i < region->n_rects; i++) {
			const struct proto_rect *r = &region->rects[i];
			if (covers(r, &add))
				return;
			if (covers(&add, r) || union_is_rect(r, &add)) {
				add = bounding_box(r, &add);
				remove_at(region, i);
				changed = true;
				break;
			}
		}
	}

	if (region->n_rects == REGION_MAX_RECTS) {
		struct proto_rect box = add;
		for (uint32_t i = 0; i < region->n_rects; i++)
			box = bounding_box(&box, &region->rects[i]);
		region->rects[0] = box;
		region->n_rects = 1;
		return;
	}
	region->rects[region->n_rects++] = add;
}

void
region_add_region(struct region *region, const struct region *other)
{
	for (uint32_t i = 0; i < other->n_rects; i++)
		region_add_rect(region, &other->rects[i]);
}

void
region_clip(struct region *region, uint32_t width, uint32_t height)
{
	uint32_t i = 0;
	while (i < region->n_rects) {
		struct proto_rect *r = &region->rects[i];
		if (r->x >= width || r->y >= height) {
			remove_at(region, i);
			continue;
		}
		if (right(r) > width)
			r->width = width - r->x;
		if (bottom(r) > height)
			r->height = height - r->y;
		i++;
	}
}

struct proto_rect
region_extents(const struct region *region)
{
	if (region->n_rects == 0)
		return (struct proto_rect){ 0 };
	struct proto_rect box = region->rects[0];
	for (uint32_t i = 1; i < region->n_rects; i++)
		box = bounding_box(&box, &region->rects[i]);
	return box;
}

uint64_t
region_area(const struct region *region)
{
	uint64_t area = 0;
	for (uint32_t i = 0; i < region->n_rects; i++)
		area += (uint64_t)region->rects[i].width * region->rects[i].height;
	return area;
}

static int
compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Is [from, to) covered by the rects' columns within the band y0..y1? */
static bool
band_covered(const struct region *region, uint64_t y0, uint64_t y1,
	     uint64_t from, uint64_t to)
{
	uint64_t reached = from;
	/* At most 64 rects: repeatedly extend the covered prefix. */
	bool extended = true;
	while (reached < to && extended) {
		extended = false;
		for (uint32_t i = 0; i < region->n_rects; i++) {
			const struct proto_rect *r = &region->rects[i];
			if (r->y > y0 || bottom(r) < y1)
				continue;
			if (r->x <= reached && right(r) > reached) {
				reached = right(r);
				extended = true;
			}
		}
	}
	return reached >= to;
}

bool
region_contains_rect(const struct region *region,
		     const struct proto_rect *rect)
{
	if (rect->width == 0 || rect->height == 0)
		return true;
	/* Split rect into horizontal bands at every rect edge; within a
	 * band the set of rects crossing it is constant. */
	uint64_t ys[2 * REGION_MAX_RECTS + 2];
	size_t n = 0;
	ys[n++] = rect->y;
	ys[n++] = bottom(rect);
	for (uint32_t i = 0; i < region->n_rects; i++) {
		const struct proto_rect *r = &region->rects[i];
		if (r->y > rect->y && r->y < bottom(rect))
			ys[n++] = r->y;
		if (bottom(r) > rect->y && bottom(r) < bottom(rect))
			ys[n++] = bottom(r);
	}
	qsort(ys, n, sizeof(ys[0]), compare_u64);
	for (size_t i = 0; i + 1 < n; i++) {
		if (ys[i] == ys[i + 1])
			continue;
		if (!band_covered(region, ys[i], ys[i + 1], rect->x, right(rect)))
			return false;
	}
	return true;
}
