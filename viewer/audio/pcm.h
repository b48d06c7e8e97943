/* SPDX-License-Identifier: MIT */
/*
 * The arithmetic of playing a VM's stream, with no SDL in it so that a
 * test can drive it with a made-up clock (tests/audio): sample formats
 * to and from float, the guest's volume, and the player, which takes a
 * device period's frames from a ring written by a producer with a clock
 * of its own and keeps the queue small:
 *
 * - prebuffering: it starts once target frames are in the ring, fading
 *   in over PCM_FADE_MS;
 * - pacing: a PI controller on the ring's depth, smoothed over about
 *   half a second, resamples by a ratio within ±PCM_MAX_RATIO_DEV (cubic
 *   interpolation) so the depth stays at the target whatever the drift
 *   between the producer's clock and the device's; a step of the ratio
 *   between two periods is a few ppm, far below hearing;
 * - underrun: the last frame decays to silence over PCM_FADE_MS, it
 *   prebuffers again, and the target grows by PCM_TARGET_STEP_MS (up to
 *   PCM_TARGET_MAX_MS; it shrinks back by 1 ms per second once
 *   PCM_TARGET_CALM_S passed without one);
 * - overrun (more than PCM_OVERRUN_MS queued, or close to frames the
 *   producer would overwrite): a jump to the target depth behind the
 *   newest frame, crossfaded over PCM_SKIP_FADE_MS (no gap, and no step
 *   beyond the sound's own and its amplitude over that time).
 */
#ifndef EGLVIEW_AUDIO_PCM_H
#define EGLVIEW_AUDIO_PCM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

/* The ring's depth the controller keeps, before a period is read: a
 * period (10.7 ms at 48 kHz), half of QEMU's 21 ms bursts and 10 ms of
 * the producer's jitter. */
#define PCM_TARGET_MS 32.0
#define PCM_TARGET_STEP_MS 10.0  /* added by an underrun */
#define PCM_TARGET_MAX_MS 120.0
#define PCM_TARGET_CALM_S 5.0
#define PCM_OVERRUN_MS 150.0
#define PCM_FADE_MS 3.0          /* in from silence, out to it */
#define PCM_SKIP_FADE_MS 10.0    /* an overrun's crossfade */
#define PCM_GAIN_RAMP_MS 5.0     /* a volume change takes this long */
#define PCM_MAX_RATIO_DEV 0.005  /* ±0.5 % */
#define PCM_HIST_BINS 1000       /* of 0.5 ms: up to 500 ms */

/* n samples (frames x channels) of format to floats in -1..1 (a float
 * stream's NaN and values outside that are made sane), and back. */
void pcm_to_float(uint32_t format, const void *src, float *dst, size_t n);
void pcm_from_float(uint32_t format, const float *src, void *dst, size_t n);
/* AUDIO_STATE's volume 0..255 as a linear gain 0..1. */
float pcm_volume_gain(uint8_t volume);

struct pcm_stats {
	uint64_t played;          /* frames given to the device */
	uint64_t underruns, overruns;
	uint64_t lost;            /* frames the producer overwrote unread */
	/* Per period played: queued (the ring's unread frames before the
	 * period is read: the rest of the ring and the period given to the
	 * device) and latency (the newest frame's age and the
	 * queue), in 0.5 ms bins. */
	uint32_t queued[PCM_HIST_BINS], latency[PCM_HIST_BINS];
	uint64_t periods;
};

/* A percentile (0..100) of one of those histograms, in ms; 0 when empty. */
double pcm_hist_percentile(const uint32_t *hist, double pct);

struct pcm_player {
	struct proto_audio_ring_map ring; /* a copy: the mapping is not ours */
	uint32_t format, rate, channels, period;
	uint64_t pos;             /* the next ring frame to read */
	bool playing;             /* false: prebuffering */
	bool primed;              /* in[] holds the frame before p */
	/* The resampler: in_len frames of float input, the next output at
	 * input position p (frame floor(p) and the fraction). */
	float *in;
	uint8_t *raw;             /* ring frames as read */
	float *fade_from;         /* an overrun's old frames */
	uint32_t fade_frames;     /* PCM_SKIP_FADE_MS of them */
	uint32_t in_cap, in_len;
	double p;
	/* The controller, in frames. */
	double target, depth, integral, ratio;
	bool depth_known;
	double calm_s;            /* seconds since the last underrun */
	/* Gain: the guest's volume and mute, ramped; the fade envelope. */
	bool enabled, muted;
	float gain[PROTO_MAX_AUDIO_CHANNELS], gain_target[PROTO_MAX_AUDIO_CHANNELS];
	float gain_step, env, env_step; /* env: the fade in, 0..1 */
	float last[PROTO_MAX_AUDIO_CHANNELS]; /* the last frame given */
	struct pcm_stats stats;
};

/* A player of ring (kept as a copy) whose frames are format x channels
 * at rate, filled a period of frames at a time; it starts at the newest
 * frames (those of the last 100 ms before now_ns count as new). false
 * when out of memory. */
bool pcm_player_init(struct pcm_player *p, const struct proto_audio_ring_map *ring,
		     uint32_t format, uint32_t rate, uint32_t channels,
		     uint32_t period, uint64_t now_ns);
void pcm_player_fini(struct pcm_player *p);
/* AUDIO_STATE: disabled, what is queued plays out, then silence (no
 * underrun counted) until it is enabled and has prebuffered again; the
 * gain ramps to the new volume. */
void pcm_player_set_state(struct pcm_player *p, uint32_t flags,
			  const uint8_t *volume);
/* n (at most period) interleaved float frames for the device, now_ns
 * being CLOCK_MONOTONIC (or the test's clock, the producer's write_ns
 * being on the same one). */
void pcm_player_fill(struct pcm_player *p, float *out, uint32_t n,
		     uint64_t now_ns);
/* The drift the controller settled on: how much faster the producer's
 * clock runs than the device's, in ppm. */
double pcm_player_drift_ppm(const struct pcm_player *p);

#endif
