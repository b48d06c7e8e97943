/* SPDX-License-Identifier: MIT */
/* Damage regions: nothing damaged is ever lost, and the list stays short. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "server/region.h"

static struct proto_rect
rect(uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	return (struct proto_rect){ x, y, w, h };
}

static bool
rect_eq(struct proto_rect a, struct proto_rect b)
{
	return a.x == b.x && a.y == b.y && a.width == b.width &&
	       a.height == b.height;
}

static void
test_basics(void)
{
	struct region r;
	region_init(&r);
	CHECK(region_is_empty(&r));
	region_add_rect(&r, &(struct proto_rect){ 5, 5, 0, 10 });
	region_add_rect(&r, &(struct proto_rect){ 5, 5, 10, 0 });
	CHECK(region_is_empty(&r));

	region_add_rect(&r, &(struct proto_rect){ 10, 10, 20, 20 });
	CHECK(r.n_rects == 1);
	/* Covered: adds nothing. */
	region_add_rect(&r, &(struct proto_rect){ 15, 15, 5, 5 });
	CHECK(r.n_rects == 1);
	CHECK(rect_eq(r.rects[0], rect(10, 10, 20, 20)));
	/* Covering: replaces. */
	region_add_rect(&r, &(struct proto_rect){ 0, 0, 100, 100 });
	CHECK(r.n_rects == 1);
	CHECK(rect_eq(r.rects[0], rect(0, 0, 100, 100)));
	CHECK(region_area(&r) == 10000);

	region_clear(&r);
	CHECK(region_is_empty(&r));
}

static void
test_merge(void)
{
	struct region r;
	region_init(&r);
	/* Tiles of one row: merge into one span. */
	for (uint32_t i = 0; i < 4; i++)
		region_add_rect(&r, &(struct proto_rect){ 64 * i, 0, 64, 64 });
	CHECK(r.n_rects == 1);
	CHECK(rect_eq(r.rects[0], rect(0, 0, 256, 64)));
	/* The same span one row down merges vertically. */
	region_add_rect(&r, &(struct proto_rect){ 0, 64, 256, 64 });
	CHECK(r.n_rects == 1);
	CHECK(rect_eq(r.rects[0], rect(0, 0, 256, 128)));
	/* A rect that does not line up stays separate. */
	region_add_rect(&r, &(struct proto_rect){ 300, 300, 10, 10 });
	CHECK(r.n_rects == 2);
	CHECK(rect_eq(region_extents(&r), rect(0, 0, 310, 310)));
}

static void
test_overflow(void)
{
	struct region r;
	region_init(&r);
	/* A diagonal of disjoint rects that cannot merge. */
	for (uint32_t i = 0; i < REGION_MAX_RECTS; i++)
		region_add_rect(&r, &(struct proto_rect){ 10 * i, 10 * i, 5, 5 });
	CHECK(r.n_rects == REGION_MAX_RECTS);
	region_add_rect(&r, &(struct proto_rect){ 1000, 2000, 3, 4 });
	/* Full: the bounding box of everything, the new rect included. */
	CHECK(r.n_rects == 1);
	CHECK(rect_eq(r.rects[0], rect(0, 0, 1003, 2004)));
}

static void
test_clip(void)
{
	struct region r;
	region_init(&r);
	region_add_rect(&r, &(struct proto_rect){ 90, 90, 20, 20 });
	region_add_rect(&r, &(struct proto_rect){ 200, 0, 20, 20 });
	region_add_rect(&r, &(struct proto_rect){ 0, 0, 10, 10 });
	region_clip(&r, 100, 100);
	CHECK(r.n_rects == 2);
	CHECK(region_contains_rect(&r, &(struct proto_rect){ 90, 90, 10, 10 }));
	CHECK(!region_contains_rect(&r, &(struct proto_rect){ 90, 90, 11, 10 }));
	CHECK(rect_eq(region_extents(&r), rect(0, 0, 100, 100)));
}

static void
test_contains(void)
{
	struct region r;
	region_init(&r);
	/* An L made of two overlapping rects. */
	region_add_rect(&r, &(struct proto_rect){ 0, 0, 100, 10 });
	region_add_rect(&r, &(struct proto_rect){ 50, 5, 10, 100 });
	CHECK(r.n_rects == 2);
	CHECK(region_contains_rect(&r, &(struct proto_rect){ 40, 0, 20, 10 }));
	CHECK(region_contains_rect(&r, &(struct proto_rect){ 50, 0, 10, 105 }));
	CHECK(!region_contains_rect(&r, &(struct proto_rect){ 49, 0, 10, 11 }));
	CHECK(!region_contains_rect(&r, &(struct proto_rect){ 50, 0, 10, 106 }));
	CHECK(region_contains_rect(&r, &(struct proto_rect){ 3, 3, 0, 0 }));
}

/* Random rects against a bitmap: every damaged pixel stays covered, the
 * list never exceeds the limit, and region_contains_rect agrees with the
 * pixels for random queries. */
#define SIZE 128
static void
test_random(void)
{
	uint32_t seed = 12345;
	for (int round = 0; round < 200; round++) {
		static bool damaged[SIZE][SIZE], covered[SIZE][SIZE];
		memset(damaged, 0, sizeof(damaged));
		struct region r;
		region_init(&r);
		int n = 1 + round % 100;
		for (int i = 0; i < n; i++) {
			seed = seed * 1103515245 + 12345;
			uint32_t x = (seed >> 8) % SIZE, y = (seed >> 16) % SIZE;
			seed = seed * 1103515245 + 12345;
			uint32_t w = 1 + (seed >> 8) % 24, h = 1 + (seed >> 16) % 24;
			if (x + w > SIZE)
				w = SIZE - x;
			if (y + h > SIZE)
				h = SIZE - y;
			region_add_rect(&r, &(struct proto_rect){ x, y, w, h });
			for (uint32_t yy = y; yy < y + h; yy++)
				for (uint32_t xx = x; xx < x + w; xx++)
					damaged[yy][xx] = true;
			CHECK(r.n_rects <= REGION_MAX_RECTS);
		}
		memset(covered, 0, sizeof(covered));
		for (uint32_t i = 0; i < r.n_rects; i++) {
			const struct proto_rect *q = &r.rects[i];
			for (uint32_t yy = q->y; yy < q->y + q->height; yy++)
				for (uint32_t xx = q->x; xx < q->x + q->width; xx++)
					covered[yy][xx] = true;
		}
		int lost = 0;
		for (int yy = 0; yy < SIZE; yy++)
			for (int xx = 0; xx < SIZE; xx++)
				lost += damaged[yy][xx] && !covered[yy][xx];
		CHECK(lost == 0);

		for (int q = 0; q < 50; q++) {
			seed = seed * 1103515245 + 12345;
			uint32_t x = (seed >> 8) % SIZE, y = (seed >> 16) % SIZE;
			seed = seed * 1103515245 + 12345;
			uint32_t w = 1 + (seed >> 8) % 16, h = 1 + (seed >> 16) % 16;
			if (x + w > SIZE)
				w = SIZE - x;
			if (y + h > SIZE)
				h = SIZE - y;
			bool all = true;
			for (uint32_t yy = y; yy < y + h; yy++)
				for (uint32_t xx = x; xx < x + w; xx++)
					all = all && covered[yy][xx];
			CHECK(region_contains_rect(&r, &(struct proto_rect){
				x, y, w, h }) == all);
		}
	}
}

int
main(void)
{
	test_basics();
	test_merge();
	test_overflow();
	test_clip();
	test_contains();
	test_random();
	if (test_failures > 0) {
		fprintf(stderr, "%d checks failed\n", test_failures);
		return 1;
	}
	printf("region: all checks passed\n");
	return 0;
}
