/* SPDX-License-Identifier: MIT */
#include "client/timing.h"

#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

uint64_t
timing_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void
timing_ring_add(struct timing_ring *r, uint64_t ns)
{
	r->ns[r->next] = ns > UINT32_MAX ? UINT32_MAX : (uint32_t)ns;
	r->next = (r->next + 1) % TIMING_SAMPLES;
	if (r->n < TIMING_SAMPLES)
		r->n++;
}

static int
compare_ns(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* Nearest rank: the smallest sample that at least percent of them do not
 * exceed. */
static uint32_t
rank(const uint32_t *sorted, uint32_t n, uint32_t percent)
{
	uint64_t k = ((uint64_t)n * percent + 99) / 100;
	return sorted[k > 0 ? k - 1 : 0];
}

bool
timing_ring_percentiles(const struct timing_ring *r, uint64_t *median,
			uint64_t *p99)
{
	if (r->n == 0)
		return false;
	/* Sorted only when printed: adding stays a store. */
	uint32_t sorted[TIMING_SAMPLES];
	memcpy(sorted, r->ns, sizeof(sorted[0]) * r->n);
	qsort(sorted, r->n, sizeof(sorted[0]), compare_ns);
	*median = rank(sorted, r->n, 50);
	*p99 = rank(sorted, r->n, 99);
	return true;
}

/* The line is built whole and written at once, so that it reads as one
 * line however stderr is buffered. */
struct line {
	char text[PATH_MAX + 512]; /* a VM's label may be a path */
	size_t len;
};

static void __attribute__((format(printf, 2, 3)))
add(struct line *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(l->text + l->len, sizeof(l->text) - l->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->len += (size_t)n < sizeof(l->text) - l->len ? (size_t)n :
			  sizeof(l->text) - l->len - 1;
}

/* " NAME_ms=MEDIAN/P99", or " NAME_ms=n/a". */
static void
add_stage(struct line *l, const char *name, const struct timing_ring *r)
{
	uint64_t median, p99;
	if (timing_ring_percentiles(r, &median, &p99))
		add(l, " %s_ms=%.4f/%.4f", name, median / 1e6, p99 / 1e6);
	else
		add(l, " %s_ms=n/a", name);
}

static void
add_mean(struct line *l, const char *name, uint64_t sum, uint64_t n)
{
	if (n)
		add(l, " %s=%" PRIu64, name, (sum + n / 2) / n);
	else
		add(l, " %s=n/a", name);
}

void
timing_head_print(const struct timing_head *t, uint32_t head_id,
		  const char *vm, FILE *f)
{
	static const char *const names[TIMING_STAGES] = {
		[TIMING_RECEIVE_UPLOAD] = "receive_upload",
		[TIMING_UPLOAD] = "upload",
		[TIMING_DRAW] = "draw",
		[TIMING_PRESENT] = "present",
		[TIMING_UPDATE_FRAME_DONE] = "update_frame_done",
	};
	struct line l = { .len = 0 };
	add(&l, "qemu-eglview: timing: %s%s%shead %" PRIu32 ":",
	    vm ? "vm=" : "", vm ? vm : "", vm ? " " : "", head_id);
	for (int i = 0; i < TIMING_STAGES; i++)
		add_stage(&l, names[i], &t->stages[i]);
	add(&l, " updates=%" PRIu64, t->updates);
	add_mean(&l, "bytes_per_frame", t->bytes_uploaded, t->updates);
	add(&l, " view_frames=%" PRIu64, t->view_frames);
	add_mean(&l, "pixels_per_frame", t->pixels_drawn, t->view_frames);
	add(&l, "\n");
	l.text[l.len - 1] = '\n'; /* even when cut short */
	fwrite(l.text, 1, l.len, f);
}
