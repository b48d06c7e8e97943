/* SPDX-License-Identifier: MIT */
/*
 * --stats stage timings (man qemu-eglview, STATS): per head, the last
 * TIMING_SAMPLES durations of each stage of its frames in a ring, their
 * median and 99th percentile computed only when printed, and the bytes
 * and pixels its frames cost. CLOCK_MONOTONIC throughout.
 */
#ifndef EGLVIEW_CLIENT_TIMING_H
#define EGLVIEW_CLIENT_TIMING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TIMING_SAMPLES 1024

/* The last TIMING_SAMPLES durations of one stage. */
struct timing_ring {
	uint32_t ns[TIMING_SAMPLES]; /* capped at UINT32_MAX (about 4.3 s) */
	uint32_t n;                  /* held, at most TIMING_SAMPLES */
	uint32_t next;               /* where the next one goes */
};

uint64_t timing_now_ns(void);
void timing_ring_add(struct timing_ring *r, uint64_t ns);
/* The median and the 99th percentile of what the ring holds, by nearest
 * rank (each is a sample, and median <= p99). false when it is empty. */
bool timing_ring_percentiles(const struct timing_ring *r, uint64_t *median,
			     uint64_t *p99);

enum timing_stage {
	TIMING_RECEIVE_UPLOAD,    /* UPDATE read .. its upload starts */
	TIMING_UPLOAD,            /* render_head_damage for that UPDATE */
	TIMING_DRAW,              /* the view's render calls */
	TIMING_PRESENT,           /* the view's output_present_damage */
	TIMING_UPDATE_FRAME_DONE, /* UPDATE read .. its FRAME_DONE sent */
	TIMING_STAGES
};

/* One head's: the stages' rings and the costs of its frames. */
struct timing_head {
	struct timing_ring stages[TIMING_STAGES];
	uint64_t updates;        /* UPDATEs received */
	uint64_t bytes_uploaded; /* by those UPDATEs (and a return to GL) */
	uint64_t view_frames;    /* GL frames of the view that showed it */
	uint64_t pixels_drawn;   /* by those frames, the whole view's */
	uint64_t read_ns;        /* when the outstanding UPDATE was read */
};

/* One line: "qemu-eglview: timing: [vm=VM ]head ID: receive_upload_ms=
 * MEDIAN/P99 ... pixels_per_frame=N", "n/a" for what did not happen.
 * Not "qemu-eglview: head ID: ...": that is the head's path (zero-copy
 * or GL), which tests read by that key. */
void timing_head_print(const struct timing_head *t, uint32_t head_id,
		       const char *vm, FILE *f);

#endif
