/* SPDX-License-Identifier: MIT */
/*
 * wp_presentation feedback for the Wayland output: one feedback per
 * commit of a window's GL surface (with or without a new GL frame), counted for
 * --stats (presented, discarded, how many the compositor showed without
 * a copy, its refresh, the latency from our commit to the light), and the
 * time a commit was presented for FRAME_DONE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output/wayland/private.h"

#include "presentation-time-client-protocol.h"

/* Enough for a median of a benchmark's run; later ones are counted in
 * the mean only. */
#define FEEDBACK_MAX_LATENCIES 4096

struct wayland_feedback {
	struct wayland_output *w;
	struct wp_presentation *presentation;
	uint32_t clock_id;
	uint64_t serial;            /* of the last commit */
	uint64_t presented, discarded, zero_copy;
	uint32_t refresh_ns;
	uint64_t last_serial;       /* the last commit presented ... */
	uint64_t last_ns;           /* ... and when */
	double latency_sum_ms;
	uint64_t n_latency_sum;
	struct wl_list pending;     /* struct pending_feedback.link */
	float latencies[FEEDBACK_MAX_LATENCIES];
	int n_latencies;
};

struct pending_feedback {
	struct wl_list link;
	struct wayland_feedback *f;
	struct wp_presentation_feedback *fb;
	uint64_t serial;
	uint64_t commit_ns;         /* in the compositor's clock */
	uint64_t commit_mono_ns;    /* the same moment in CLOCK_MONOTONIC */
};

static uint64_t
clock_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
presentation_clock_id(void *data, struct wp_presentation *p, uint32_t id)
{
	struct wayland_feedback *f = data;
	(void)p;
	f->clock_id = id;
}

static const struct wp_presentation_listener presentation_listener = {
	.clock_id = presentation_clock_id,
};

bool
wayland_feedback_global(struct wayland_output *w, struct wl_registry *reg,
			uint32_t name, const char *iface)
{
	if (strcmp(iface, wp_presentation_interface.name) != 0)
		return false;
	struct wayland_feedback *f = w->feedback;
	if (!f) {
		f = calloc(1, sizeof(*f));
		if (!f)
			return true;
		f->w = w;
		f->clock_id = CLOCK_MONOTONIC;
		wl_list_init(&f->pending);
		w->feedback = f;
	}
	if (!f->presentation) {
		f->presentation = wl_registry_bind(reg, name,
			&wp_presentation_interface, 1);
		wp_presentation_add_listener(f->presentation,
					     &presentation_listener, f);
	}
	return true;
}

static void
fb_sync_output(void *data, struct wp_presentation_feedback *fb,
	       struct wl_output *output)
{
	(void)data;
	(void)fb;
	(void)output;
}

static void
fb_done(struct pending_feedback *p)
{
	wl_list_remove(&p->link);
	wp_presentation_feedback_destroy(p->fb);
	free(p);
}

static void
fb_presented(void *data, struct wp_presentation_feedback *fb,
	     uint32_t tv_sec_hi, uint32_t tv_sec_lo, uint32_t tv_nsec,
	     uint32_t refresh, uint32_t seq_hi, uint32_t seq_lo, uint32_t flags)
{
	struct pending_feedback *p = data;
	struct wayland_feedback *f = p->f;
	(void)fb;
	(void)seq_hi;
	(void)seq_lo;
	uint64_t t = (((uint64_t)tv_sec_hi << 32) | tv_sec_lo) * 1000000000u +
		     tv_nsec;
	f->presented++;
	f->refresh_ns = refresh;
	if (flags & WP_PRESENTATION_FEEDBACK_KIND_ZERO_COPY)
		f->zero_copy++;
	/* The compositor's clock (weston: CLOCK_MONOTONIC_RAW) is read at
	 * each commit; FRAME_DONE speaks CLOCK_MONOTONIC, one delta away. */
	uint64_t after = t > p->commit_ns ? t - p->commit_ns : 0;
	double ms = (double)after / 1e6;
	f->latency_sum_ms += ms;
	f->n_latency_sum++;
	if (f->n_latencies < FEEDBACK_MAX_LATENCIES)
		f->latencies[f->n_latencies++] = (float)ms;
	if (p->serial > f->last_serial) {
		f->last_serial = p->serial;
		f->last_ns = p->commit_mono_ns + after;
	}
	fb_done(p);
}

static void
fb_discarded(void *data, struct wp_presentation_feedback *fb)
{
	struct pending_feedback *p = data;
	(void)fb;
	p->f->discarded++;
	fb_done(p);
}

static const struct wp_presentation_feedback_listener feedback_listener = {
	.sync_output = fb_sync_output,
	.presented = fb_presented,
	.discarded = fb_discarded,
};

uint64_t
wayland_feedback_request(struct wayland_output *w, struct wl_surface *surface)
{
	struct wayland_feedback *f = w->feedback;
	if (!f || !f->presentation)
		return 0;
	struct pending_feedback *p = calloc(1, sizeof(*p));
	if (!p)
		return 0;
	p->f = f;
	p->serial = ++f->serial;
	p->commit_ns = clock_ns((clockid_t)f->clock_id);
	p->commit_mono_ns = clock_ns(CLOCK_MONOTONIC);
	p->fb = wp_presentation_feedback(f->presentation, surface);
	wp_presentation_feedback_add_listener(p->fb, &feedback_listener, p);
	wl_list_insert(&f->pending, &p->link);
	return p->serial;
}

uint64_t
wayland_feedback_presented_ns(struct wayland_output *w, uint64_t serial)
{
	struct wayland_feedback *f = w->feedback;
	if (!f || serial == 0 || f->last_serial < serial)
		return 0;
	return f->last_ns;
}

static int
compare_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;
	return x < y ? -1 : x > y;
}

void
wayland_feedback_print_stats(struct wayland_output *w, FILE *out)
{
	struct wayland_feedback *f = w->feedback;
	if (!f || !f->presentation) {
		fprintf(out, "qemu-eglview: presentation: the compositor offers "
			"no wp_presentation\n");
		return;
	}
	double median = 0;
	if (f->n_latencies > 0) {
		qsort(f->latencies, (size_t)f->n_latencies,
		      sizeof(f->latencies[0]), compare_float);
		median = f->latencies[f->n_latencies / 2];
	}
	double mean = f->n_latency_sum ?
		      f->latency_sum_ms / (double)f->n_latency_sum : 0;
	fprintf(out, "qemu-eglview: presentation: presented=%llu discarded=%llu "
		"zero_copy=%llu refresh_ns=%u clock=%u latency_mean_ms=%.2f "
		"latency_median_ms=%.2f\n", (unsigned long long)f->presented,
		(unsigned long long)f->discarded,
		(unsigned long long)f->zero_copy, f->refresh_ns, f->clock_id, mean,
		median);
}

void
wayland_feedback_finish(struct wayland_output *w)
{
	struct wayland_feedback *f = w->feedback;
	if (!f)
		return;
	struct pending_feedback *p, *tmp;
	wl_list_for_each_safe(p, tmp, &f->pending, link)
		fb_done(p);
	if (f->presentation)
		wp_presentation_destroy(f->presentation);
	free(f);
	w->feedback = NULL;
}
