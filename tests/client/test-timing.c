/* SPDX-License-Identifier: MIT */
/*
 * client/timing.c, the --stats stage timings: the ring keeps the last
 * TIMING_SAMPLES durations, its median and p99 are nearest-rank
 * percentiles of what it holds, and a head's line says "n/a" for a stage
 * without samples and means of bytes and pixels per frame.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "client/timing.h"

static void
empty_ring_has_no_percentiles(void)
{
	struct timing_ring r = { .n = 0 };
	uint64_t median = 7, p99 = 7;
	CHECK(!timing_ring_percentiles(&r, &median, &p99));
	CHECK(median == 7 && p99 == 7, "left alone");
}

static void
percentiles_by_nearest_rank(void)
{
	static struct timing_ring r;
	uint64_t median, p99;
	timing_ring_add(&r, 5);
	REQUIRE(timing_ring_percentiles(&r, &median, &p99));
	CHECK(median == 5 && p99 == 5, "one sample: %llu/%llu",
	      (unsigned long long)median, (unsigned long long)p99);

	/* 1..100 added out of order: rank 50 and rank 99. */
	memset(&r, 0, sizeof(r));
	for (int i = 0; i < 100; i++)
		timing_ring_add(&r, (uint64_t)((i * 37) % 100 + 1));
	REQUIRE(timing_ring_percentiles(&r, &median, &p99));
	CHECK(median == 50, "median %llu", (unsigned long long)median);
	CHECK(p99 == 99, "p99 %llu", (unsigned long long)p99);

	/* One outlier in 100 is the p99 only when it is more than 1%. */
	memset(&r, 0, sizeof(r));
	for (int i = 0; i < 99; i++)
		timing_ring_add(&r, 10);
	timing_ring_add(&r, 1000);
	REQUIRE(timing_ring_percentiles(&r, &median, &p99));
	CHECK(median == 10 && p99 == 10, "%llu/%llu",
	      (unsigned long long)median, (unsigned long long)p99);
	timing_ring_add(&r, 1000);
	REQUIRE(timing_ring_percentiles(&r, &median, &p99));
	CHECK(p99 == 1000, "two in 101: p99 %llu", (unsigned long long)p99);
}

static void
ring_keeps_the_last_samples(void)
{
	static struct timing_ring r;
	/* A slow start, then TIMING_SAMPLES fast frames: the start is gone. */
	for (int i = 0; i < 100; i++)
		timing_ring_add(&r, 1000000);
	for (int i = 0; i < TIMING_SAMPLES; i++)
		timing_ring_add(&r, 2000 + (uint64_t)(i % 10));
	uint64_t median, p99;
	REQUIRE(timing_ring_percentiles(&r, &median, &p99));
	CHECK(r.n == TIMING_SAMPLES, "holds %u", r.n);
	CHECK(p99 < 2010, "p99 %llu: an old sample is still there",
	      (unsigned long long)p99);
	CHECK(median <= p99);
	/* Longer than a uint32_t of ns: capped, not wrapped. */
	timing_ring_add(&r, 10000000000ull);
	timing_ring_add(&r, 10000000000ull);
	memset(&r, 0, sizeof(r));
	timing_ring_add(&r, 10000000000ull);
	REQUIRE(timing_ring_percentiles(&r, &median, &p99));
	CHECK(median == UINT32_MAX, "%llu", (unsigned long long)median);
}

static void
head_line(void)
{
	static struct timing_head t;
	timing_ring_add(&t.stages[TIMING_UPLOAD], 1500000);     /* 1.5 ms */
	timing_ring_add(&t.stages[TIMING_DRAW], 250000);
	timing_ring_add(&t.stages[TIMING_DRAW], 750000);
	t.updates = 3;
	t.bytes_uploaded = 10;  /* 3.33 a frame */
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	REQUIRE(f);
	timing_head_print(&t, 2, NULL, f);
	timing_head_print(&t, 1, "vm1", f);
	fclose(f);
	CHECK(strcmp(text, "qemu-eglview: timing: head 2: receive_upload_ms=n/a "
		     "upload_ms=1.5000/1.5000 draw_ms=0.2500/0.7500 present_ms=n/a "
		     "update_frame_done_ms=n/a updates=3 bytes_per_frame=3 "
		     "view_frames=0 pixels_per_frame=n/a\n"
		     "qemu-eglview: timing: vm=vm1 head 1: receive_upload_ms=n/a "
		     "upload_ms=1.5000/1.5000 draw_ms=0.2500/0.7500 present_ms=n/a "
		     "update_frame_done_ms=n/a updates=3 bytes_per_frame=3 "
		     "view_frames=0 pixels_per_frame=n/a\n") == 0,
	      "printed:\n%s", text);
	free(text);

	/* A path as the VM's name: the line is cut, but stays one line. */
	static char vm[8192];
	memset(vm, 'x', sizeof(vm) - 1);
	text = NULL;
	f = open_memstream(&text, &size);
	REQUIRE(f);
	timing_head_print(&t, 1, vm, f);
	fclose(f);
	CHECK(size > 0 && text[size - 1] == '\n' && strchr(text, '\n') ==
	      text + size - 1, "%zu bytes", size);
	free(text);
}

int
main(void)
{
	empty_ring_has_no_percentiles();
	percentiles_by_nearest_rank();
	ring_keeps_the_last_samples();
	head_line();
	printf("%d checks, %d failed\n", test_checks, test_failures);
	return test_failures != 0;
}
