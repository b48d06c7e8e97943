/* SPDX-License-Identifier: MIT */
/*
 * The player's arithmetic (pcm.h): formats, gain, the pacing controller
 * and the resampler. Runs in the audio device's callback: no locks, no
 * allocation, no system calls but what the ring's atomics are.
 */
#include "audio/pcm.h"

#include <endian.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The controller: a proportional gain (per second of depth error) and an
 * integral one (per second squared): natural frequency ~0.32 rad/s,
 * damping ~0.8, so a drift is taken up in about 15 s without an
 * overshoot worth hearing. The depth is smoothed over DEPTH_TAU_S,
 * averaging the producer's bursts away. */
#define KP 0.5
#define KI 0.1
#define DEPTH_TAU_S 0.5
/* Frames of input the cubic needs around the position: one before, two
 * after. */
#define TAPS_AFTER 2

static float
sane(float v)
{
	if (!(v == v))
		return 0.0f;
	return v > 1.0f ? 1.0f : v < -1.0f ? -1.0f : v;
}

void
pcm_to_float(uint32_t format, const void *src, float *dst, size_t n)
{
	const uint8_t *b = src;
	for (size_t i = 0; i < n; i++) {
		switch (format) {
		case PROTO_AUDIO_U8:
			dst[i] = ((float)b[i] - 128.0f) / 128.0f;
			break;
		case PROTO_AUDIO_S16: {
			uint16_t u;
			memcpy(&u, b + 2 * i, 2);
			dst[i] = (float)(int16_t)le16toh(u) / 32768.0f;
			break;
		}
		case PROTO_AUDIO_S32: {
			uint32_t u;
			memcpy(&u, b + 4 * i, 4);
			dst[i] = (float)((double)(int32_t)le32toh(u) / 2147483648.0);
			break;
		}
		case PROTO_AUDIO_F32: {
			uint32_t u;
			float f;
			memcpy(&u, b + 4 * i, 4);
			u = le32toh(u);
			memcpy(&f, &u, 4);
			dst[i] = sane(f);
			break;
		}
		default:
			dst[i] = 0.0f;
		}
	}
}

void
pcm_from_float(uint32_t format, const float *src, void *dst, size_t n)
{
	uint8_t *b = dst;
	for (size_t i = 0; i < n; i++) {
		float v = sane(src[i]);
		switch (format) {
		case PROTO_AUDIO_U8:
			b[i] = (uint8_t)lrintf(v * 127.0f + 128.0f);
			break;
		case PROTO_AUDIO_S16: {
			uint16_t u = htole16((uint16_t)(int16_t)lrintf(v * 32767.0f));
			memcpy(b + 2 * i, &u, 2);
			break;
		}
		case PROTO_AUDIO_S32: {
			uint32_t u = htole32((uint32_t)(int32_t)lrint(v * 2147483647.0));
			memcpy(b + 4 * i, &u, 4);
			break;
		}
		case PROTO_AUDIO_F32: {
			uint32_t u;
			memcpy(&u, &v, 4);
			u = htole32(u);
			memcpy(b + 4 * i, &u, 4);
			break;
		}
		}
	}
}

float
pcm_volume_gain(uint8_t volume)
{
	return (float)volume / 255.0f;
}

double
pcm_hist_percentile(const uint32_t *hist, double pct)
{
	uint64_t total = 0;
	for (int i = 0; i < PCM_HIST_BINS; i++)
		total += hist[i];
	if (total == 0)
		return 0.0;
	double want = pct / 100.0 * (double)total;
	uint64_t seen = 0;
	for (int i = 0; i < PCM_HIST_BINS; i++) {
		seen += hist[i];
		if ((double)seen >= want && seen > 0)
			return (i + 0.5) * 0.5;
	}
	return PCM_HIST_BINS * 0.5;
}

static double
ms_to_frames(const struct pcm_player *p, double ms)
{
	return ms * p->rate / 1000.0;
}

/* The most the target may grow to: PCM_TARGET_MAX_MS, and half the
 * ring (a small ring holds less). */
static double
target_max(const struct pcm_player *p)
{
	double max = ms_to_frames(p, PCM_TARGET_MAX_MS);
	return max < p->ring.capacity / 2.0 ? max : p->ring.capacity / 2.0;
}

static void
hist_add(uint32_t *hist, double ms)
{
	int bin = ms <= 0 ? 0 : (int)(ms * 2.0);
	hist[bin < PCM_HIST_BINS ? bin : PCM_HIST_BINS - 1]++;
}

bool
pcm_player_init(struct pcm_player *p, const struct proto_audio_ring_map *ring,
		uint32_t format, uint32_t rate, uint32_t channels,
		uint32_t period, uint64_t now_ns)
{
	*p = (struct pcm_player){
		.ring = *ring, .format = format, .rate = rate,
		.channels = channels, .period = period, .ratio = 1.0,
	};
	p->target = ms_to_frames(p, PCM_TARGET_MS);
	if (p->target > target_max(p))
		p->target = target_max(p);
	p->fade_frames = (uint32_t)ms_to_frames(p, PCM_SKIP_FADE_MS);
	/* A period at the largest ratio, an overrun's crossfade, the taps
	 * and slack. */
	p->in_cap = (uint32_t)(period * (1.0 + PCM_MAX_RATIO_DEV)) +
		    p->fade_frames + 8;
	p->in = calloc((size_t)p->in_cap * channels, sizeof(float));
	p->raw = malloc((size_t)p->in_cap * ring->frame_bytes);
	p->fade_from = calloc((size_t)p->fade_frames * channels, sizeof(float));
	if (!p->in || !p->raw || !p->fade_from) {
		pcm_player_fini(p);
		return false;
	}
	p->gain_step = (float)(1.0 / ms_to_frames(p, PCM_GAIN_RAMP_MS));
	p->env_step = (float)(1.0 / ms_to_frames(p, PCM_FADE_MS));
	for (uint32_t c = 0; c < PROTO_MAX_AUDIO_CHANNELS; c++)
		p->gain[c] = p->gain_target[c] = 1.0f;
	p->enabled = true;
	/* Frames written in the last 100 ms are the sound starting now (its
	 * AUDIO_STATE may have come after them); older ones are stale. */
	uint64_t write_ns;
	uint64_t wp = proto_audio_ring_write_pos(&p->ring, &write_ns);
	uint64_t back = now_ns - write_ns < 100000000ull ?
			(uint64_t)ms_to_frames(p, 100.0) : 0;
	p->pos = wp > back ? wp - back : 0;
	return true;
}

void
pcm_player_fini(struct pcm_player *p)
{
	free(p->in);
	free(p->raw);
	free(p->fade_from);
	p->in = NULL;
	p->raw = NULL;
	p->fade_from = NULL;
}

void
pcm_player_set_state(struct pcm_player *p, uint32_t flags,
		     const uint8_t *volume)
{
	p->enabled = flags & PROTO_AUDIO_ENABLED;
	p->muted = flags & PROTO_AUDIO_MUTED;
	for (uint32_t c = 0; c < p->channels; c++)
		p->gain_target[c] = p->muted ? 0.0f : pcm_volume_gain(volume[c]);
	/* Disabled, what is queued still plays out (the sound's tail), then
	 * it is silence until the stream is enabled again. */
}

double
pcm_player_drift_ppm(const struct pcm_player *p)
{
	return p->integral * 1e6;
}

/* Appends up to want ring frames to in[]; counts what the producer
 * overwrote unread. false when it did (an overrun). */
static bool
read_input(struct pcm_player *p, uint32_t want)
{
	if (want > p->in_cap - p->in_len)
		want = p->in_cap - p->in_len;
	uint64_t lost = 0;
	uint32_t got = proto_audio_ring_read(&p->ring, &p->pos, p->raw, want,
					     &lost);
	pcm_to_float(p->format, p->raw, p->in + (size_t)p->in_len * p->channels,
		     (size_t)got * p->channels);
	p->in_len += got;
	p->stats.lost += lost;
	return lost == 0;
}

/* The controller, once per period: the smoothed depth against the target
 * gives the ratio of input frames to output frames. */
static void
steer(struct pcm_player *p, double depth, uint32_t n)
{
	double dt = (double)n / p->rate;
	if (!p->depth_known) {
		p->depth = depth;
		p->depth_known = true;
	}
	p->depth += (depth - p->depth) * (dt / DEPTH_TAU_S);
	double err_s = (p->depth - p->target) / p->rate;
	/* While the ratio is at its limit the integral stands still (a
	 * large error after a skip must not wind it up into an overshoot). */
	double integral = p->integral + KI * err_s * dt;
	if (fabs(KP * err_s + integral) < PCM_MAX_RATIO_DEV ||
	    fabs(integral) < fabs(p->integral))
		p->integral = integral;
	double dev = KP * err_s + p->integral;
	if (dev > PCM_MAX_RATIO_DEV)
		dev = PCM_MAX_RATIO_DEV;
	if (dev < -PCM_MAX_RATIO_DEV)
		dev = -PCM_MAX_RATIO_DEV;
	p->ratio = 1.0 + dev;
	/* The target comes back down once the producer has been calm. */
	p->calm_s += dt;
	double base = ms_to_frames(p, PCM_TARGET_MS);
	if (base > target_max(p))
		base = target_max(p);
	if (p->calm_s > PCM_TARGET_CALM_S && p->target > base) {
		p->target -= ms_to_frames(p, 1.0) * dt;
		if (p->target < base)
			p->target = base;
	}
}

/* One output frame at position p->p of in[], gained and enveloped. */
static void
resample_frame(struct pcm_player *p, float *out)
{
	uint32_t i = (uint32_t)p->p;
	float t = (float)(p->p - i);
	const float *xm1 = p->in + (size_t)(i - 1) * p->channels;
	const float *x0 = xm1 + p->channels, *x1 = x0 + p->channels,
		    *x2 = x1 + p->channels;
	if (p->env < 1.0f)
		p->env = p->env + p->env_step < 1.0f ? p->env + p->env_step : 1.0f;
	for (uint32_t c = 0; c < p->channels; c++) {
		/* Catmull-Rom through the four frames around p. */
		float a = xm1[c], b = x0[c], d = x1[c], e = x2[c];
		float c1 = 0.5f * (d - a);
		float c2 = a - 2.5f * b + 2.0f * d - 0.5f * e;
		float c3 = 0.5f * (e - a) + 1.5f * (b - d);
		float v = ((c3 * t + c2) * t + c1) * t + b;
		float g = p->gain[c], gt = p->gain_target[c];
		if (g != gt) {
			g += g < gt ? p->gain_step : -p->gain_step;
			if (fabsf(g - gt) < p->gain_step)
				g = gt;
			p->gain[c] = g;
		}
		out[c] = p->last[c] = v * g * p->env;
	}
	p->p += p->ratio;
}

/* After an underrun: the last frame decays to silence (no click), then
 * silence. */
static void
decay(struct pcm_player *p, float *out, uint32_t n)
{
	for (uint32_t k = 0; k < n; k++) {
		for (uint32_t c = 0; c < p->channels; c++) {
			float v = p->last[c];
			float step = p->env_step;
			v = v > step ? v - step : v < -step ? v + step : 0.0f;
			out[(size_t)k * p->channels + c] = p->last[c] = v;
		}
	}
}

/* Drops the input consumed, keeping the frame before the position. */
static void
compact(struct pcm_player *p)
{
	uint32_t i = (uint32_t)p->p;
	uint32_t drop = i > 1 ? i - 1 : 0;
	if (drop > p->in_len)
		drop = p->in_len;
	memmove(p->in, p->in + (size_t)drop * p->channels,
		(size_t)(p->in_len - drop) * p->channels * sizeof(float));
	p->in_len -= drop;
	p->p -= drop;
}

/* Prebuffering: starts once the target is in the ring, at most the
 * target behind the newest frame. */
static bool
start(struct pcm_player *p, uint64_t wp)
{
	uint64_t avail = wp > p->pos ? wp - p->pos : 0;
	if (!p->enabled || (double)avail < p->target)
		return false;
	if ((double)avail > p->target)
		p->pos = wp - (uint64_t)p->target;
	p->playing = true;
	p->primed = false;
	p->env = 0.0f;
	p->depth_known = false;
	return true;
}

/* An overrun: the next fade's worth of frames from where the player is
 * is crossfaded with as many from the target behind the newest frame,
 * and reading goes on after those: no gap and no step. */
static void
skip_ahead(struct pcm_player *p, uint64_t wp)
{
	size_t ch = p->channels;
	uint32_t f = p->fade_frames;
	uint64_t old_pos = p->pos, new_pos = wp > (uint64_t)p->target ?
					     wp - (uint64_t)p->target : 0;
	uint32_t a = proto_audio_ring_read(&p->ring, &old_pos, p->raw, f,
					   &p->stats.lost);
	pcm_to_float(p->format, p->raw, p->fade_from, (size_t)a * ch);
	uint32_t b = proto_audio_ring_read(&p->ring, &new_pos, p->raw, f,
					   &p->stats.lost);
	pcm_to_float(p->format, p->raw, p->in + (size_t)p->in_len * ch,
		     (size_t)b * ch);
	uint32_t m = a < b ? a : b;
	float *to = p->in + (size_t)p->in_len * ch;
	for (uint32_t k = 0; k < m; k++) {
		float w = (float)(k + 1) / (float)(m + 1);
		for (size_t c = 0; c < ch; c++)
			to[k * ch + c] = p->fade_from[k * ch + c] * (1.0f - w) +
					 to[k * ch + c] * w;
	}
	p->in_len += b;
	p->pos = new_pos;
	p->depth_known = false;
}

void
pcm_player_fill(struct pcm_player *p, float *out, uint32_t n, uint64_t now_ns)
{
	size_t ch = p->channels;
	uint64_t write_ns;
	uint64_t wp = proto_audio_ring_write_pos(&p->ring, &write_ns);
	if (wp < p->pos)
		p->pos = wp; /* the producer started again */
	if (!p->playing && !start(p, wp)) {
		decay(p, out, n);
		return;
	}
	if (!p->primed) {
		/* The first frame is only the one before the position. */
		p->in_len = 0;
		read_input(p, 1);
		p->p = 1.0;
		p->primed = p->in_len == 1;
		if (!p->primed) {
			decay(p, out, n);
			return;
		}
	}
	/* Once this period is read, what waits to be heard is the rest of
	 * the ring and the period given to the device: avail now. */
	uint64_t avail = wp - p->pos;
	double queued_frames = (double)avail;
	/* A target raised for a jittery producer moves the limit too; it
	 * stays a period and a fade short of the ring's end, so frames are
	 * skipped before the producer overwrites them. */
	double limit = ms_to_frames(p, PCM_OVERRUN_MS - PCM_TARGET_MS) + p->target;
	double room = (double)p->ring.capacity - p->period - p->fade_frames;
	if (limit > room)
		limit = room;
	if ((double)avail > limit) {
		p->stats.overruns++;
		skip_ahead(p, wp);
	}
	steer(p, (double)(wp - p->pos), n);

	/* The input this period needs: up to the last position's taps. */
	double last_p = p->p + (double)(n - 1) * p->ratio;
	uint32_t need = (uint32_t)last_p + TAPS_AFTER + 1;
	if (need > p->in_len && !read_input(p, need - p->in_len))
		p->stats.overruns++; /* overwritten before it was read */
	uint32_t k = 0;
	for (; k < n && (uint32_t)p->p + TAPS_AFTER < p->in_len; k++)
		resample_frame(p, out + k * ch);
	compact(p);
	p->stats.played += k;
	if (k < n && !p->enabled) {
		/* The tail of a stream the guest stopped has played. */
		p->playing = false;
		decay(p, out + k * ch, n - k);
	} else if (k < n) {
		/* The ring ran dry. */
		p->stats.underruns++;
		p->playing = false;
		p->calm_s = 0.0;
		p->target += ms_to_frames(p, PCM_TARGET_STEP_MS);
		if (p->target > target_max(p))
			p->target = target_max(p);
		decay(p, out + k * ch, n - k);
	}
	p->stats.periods++;
	double queued_ms = queued_frames * 1000.0 / p->rate;
	hist_add(p->stats.queued, queued_ms);
	hist_add(p->stats.latency, queued_ms + (now_ns > write_ns ?
			(double)(now_ns - write_ns) / 1e6 : 0.0));
}
