/* SPDX-License-Identifier: MIT */
#include "damage.h"

static int64_t
area(const struct layout_rect *r)
{
	return (int64_t)r->width * r->height;
}

static struct layout_rect
bounding(const struct layout_rect *a, const struct layout_rect *b)
{
	int x0 = a->x < b->x ? a->x : b->x;
	int y0 = a->y < b->y ? a->y : b->y;
	int x1 = a->x + a->width > b->x + b->width ? a->x + a->width :
		 b->x + b->width;
	int y1 = a->y + a->height > b->y + b->height ? a->y + a->height :
		 b->y + b->height;
	return (struct layout_rect){ x0, y0, x1 - x0, y1 - y0 };
}

static bool
contains(const struct layout_rect *outer, const struct layout_rect *inner)
{
	return inner->x >= outer->x && inner->y >= outer->y &&
	       inner->x + inner->width <= outer->x + outer->width &&
	       inner->y + inner->height <= outer->y + outer->height;
}

bool
layout_rect_intersect(struct layout_rect *a, const struct layout_rect *b)
{
	int x0 = a->x > b->x ? a->x : b->x;
	int y0 = a->y > b->y ? a->y : b->y;
	int x1 = a->x + a->width < b->x + b->width ? a->x + a->width :
		 b->x + b->width;
	int y1 = a->y + a->height < b->y + b->height ? a->y + a->height :
		 b->y + b->height;
	if (x1 <= x0 || y1 <= y0)
		return false;
	*a = (struct layout_rect){ x0, y0, x1 - x0, y1 - y0 };
	return true;
}

void
damage_clear(struct damage *d)
{
	d->n = 0;
}

/* Merges the pair whose bounding box adds the least area, freeing a slot. */
static void
merge_closest(struct damage *d)
{
	int best_i = 0, best_j = 1;
	int64_t best = INT64_MAX;
	for (int i = 0; i < d->n; i++) {
		for (int j = i + 1; j < d->n; j++) {
			struct layout_rect b = bounding(&d->rects[i], &d->rects[j]);
			int64_t grow = area(&b) - area(&d->rects[i]) -
				       area(&d->rects[j]);
			if (grow < best) {
				best = grow;
				best_i = i;
				best_j = j;
			}
		}
	}
	d->rects[best_i] = bounding(&d->rects[best_i], &d->rects[best_j]);
	d->rects[best_j] = d->rects[--d->n];
}

void
damage_add(struct damage *d, const struct layout_rect *rect)
{
	if (rect->width <= 0 || rect->height <= 0)
		return;
	for (int i = 0; i < d->n; i++) {
		if (contains(&d->rects[i], rect))
			return;
	}
	/* Rects the new one covers go; what is left keeps its place. */
	for (int i = 0; i < d->n;) {
		if (contains(rect, &d->rects[i]))
			d->rects[i] = d->rects[--d->n];
		else
			i++;
	}
	if (d->n == DAMAGE_MAX_RECTS)
		merge_closest(d);
	d->rects[d->n++] = *rect;
}

void
damage_add_damage(struct damage *d, const struct damage *more)
{
	for (int i = 0; i < more->n; i++)
		damage_add(d, &more->rects[i]);
}

void
damage_clip(struct damage *d, const struct layout_rect *bounds)
{
	for (int i = 0; i < d->n;) {
		if (layout_rect_intersect(&d->rects[i], bounds))
			i++;
		else
			d->rects[i] = d->rects[--d->n];
	}
}

bool
damage_empty(const struct damage *d)
{
	return d->n == 0;
}

int64_t
damage_area(const struct damage *d)
{
	int64_t sum = 0;
	for (int i = 0; i < d->n; i++)
		sum += area(&d->rects[i]);
	return sum;
}

bool
damage_covers(const struct damage *d, const struct layout_rect *bounds)
{
	for (int i = 0; i < d->n; i++) {
		if (contains(&d->rects[i], bounds))
			return true;
	}
	return false;
}
