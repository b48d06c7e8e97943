/* SPDX-License-Identifier: MIT */
/*
 * The demo VM's tone and level meter (demo/sound.h): pure functions of the
 * frames given, so they are tested alone (tests/demo/test-demo-sound.c).
 */
#include "demo/sound.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- the tone ---------------------------------------------------------- */

void
demo_tone_init(struct demo_tone *tone, uint32_t hz, uint32_t rate,
	       uint32_t channels)
{
	*tone = (struct demo_tone){ .hz = hz % rate, .rate = rate,
				    .channels = channels };
}

void
demo_tone_fill(struct demo_tone *tone, int16_t *frames, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		double s = sin(2.0 * M_PI * tone->phase / tone->rate);
		int16_t v = (int16_t)lrint(DEMO_TONE_AMPLITUDE * s);
		for (uint32_t c = 0; c < tone->channels; c++)
			frames[(size_t)i * tone->channels + c] = v;
		tone->phase += tone->hz;
		if (tone->phase >= tone->rate)
			tone->phase -= tone->rate;
	}
}

void
demo_tone_skip(struct demo_tone *tone, uint64_t n)
{
	tone->phase = (uint32_t)((tone->phase + (n % tone->rate) * tone->hz) %
				 tone->rate);
}

/* --- the level meter --------------------------------------------------- */

bool
demo_level_init(struct demo_level *level, uint32_t rate, uint32_t channels)
{
	*level = (struct demo_level){ .rate = rate, .channels = channels };
	level->history = calloc((size_t)rate * channels, sizeof(int16_t));
	level->work = calloc(2 * DEMO_LEVEL_FFT, sizeof(double));
	if (level->history == NULL || level->work == NULL) {
		demo_level_finish(level);
		return false;
	}
	return true;
}

void
demo_level_finish(struct demo_level *level)
{
	free(level->history);
	free(level->work);
	level->history = NULL;
	level->work = NULL;
}

void
demo_level_reset(struct demo_level *level)
{
	memset(level->history, 0,
	       (size_t)level->rate * level->channels * sizeof(int16_t));
	level->next = 0;
	level->sum_sq = 0;
}

void
demo_level_push(struct demo_level *level, const int16_t *frames, uint32_t n)
{
	uint32_t ch = level->channels;
	for (uint32_t i = 0; i < n; i++) {
		int16_t *slot = level->history + (size_t)level->next * ch;
		for (uint32_t c = 0; c < ch; c++) {
			int64_t old = slot[c], new = frames[(size_t)i * ch + c];
			level->sum_sq -= (uint64_t)(old * old);
			level->sum_sq += (uint64_t)(new * new);
			slot[c] = (int16_t)new;
		}
		if (++level->next == level->rate)
			level->next = 0;
	}
}

double
demo_level_dbfs(const struct demo_level *level)
{
	if (level->sum_sq == 0)
		return DEMO_LEVEL_SILENT_DBFS;
	double mean_sq = (double)level->sum_sq /
			 ((double)level->rate * level->channels);
	return 10.0 * log10(mean_sq / (32768.0 * 32768.0));
}

int32_t
demo_level_tenths(const struct demo_level *level)
{
	if (level->sum_sq == 0)
		return DEMO_LEVEL_SILENT;
	long tenths = lrint(demo_level_dbfs(level) * 10.0);
	return tenths < -999 ? -999 : (int32_t)tenths;
}

void
demo_level_format(char *out, size_t size, int32_t tenths)
{
	if (tenths == DEMO_LEVEL_SILENT) {
		snprintf(out, size, "-inf");
		return;
	}
	if (tenths < -999)
		tenths = -999;
	uint32_t a = (uint32_t)(tenths < 0 ? -tenths : tenths);
	snprintf(out, size, "%s%u.%u", tenths < 0 ? "-" : "", a / 10, a % 10);
}

/* In place, n a power of two: x[2k] + i x[2k+1] is value k. */
static void
fft(double *x, uint32_t n)
{
	for (uint32_t i = 1, j = 0; i < n; i++) {
		uint32_t bit = n >> 1;
		for (; j & bit; bit >>= 1)
			j ^= bit;
		j |= bit;
		if (i < j) {
			double re = x[2 * i], im = x[2 * i + 1];
			x[2 * i] = x[2 * j];
			x[2 * i + 1] = x[2 * j + 1];
			x[2 * j] = re;
			x[2 * j + 1] = im;
		}
	}
	for (uint32_t len = 2; len <= n; len <<= 1) {
		for (uint32_t k = 0; k < len / 2; k++) {
			double a = -2.0 * M_PI * k / len;
			double wr = cos(a), wi = sin(a);
			for (uint32_t s = 0; s < n; s += len) {
				double *p = x + 2 * (s + k);
				double *q = x + 2 * (s + k + len / 2);
				double tr = q[0] * wr - q[1] * wi;
				double ti = q[0] * wi + q[1] * wr;
				q[0] = p[0] - tr;
				q[1] = p[1] - ti;
				p[0] += tr;
				p[1] += ti;
			}
		}
	}
}

static double
magnitude(const double *x, uint32_t k)
{
	return hypot(x[2 * k], x[2 * k + 1]);
}

double
demo_level_peak_hz(struct demo_level *level)
{
	const uint32_t n = DEMO_LEVEL_FFT;
	uint32_t ch = level->channels;
	if (level->rate < n || level->sum_sq == 0)
		return 0.0;
	double *x = level->work;
	/* The newest n frames, oldest first, as mono. */
	uint32_t start = (level->next + level->rate - n) % level->rate;
	double mean = 0.0;
	for (uint32_t i = 0; i < n; i++) {
		const int16_t *f = level->history +
				   (size_t)((start + i) % level->rate) * ch;
		double sum = 0.0;
		for (uint32_t c = 0; c < ch; c++)
			sum += f[c];
		x[2 * i] = sum / ch;
		x[2 * i + 1] = 0.0;
		mean += x[2 * i];
	}
	mean /= n;
	for (uint32_t i = 0; i < n; i++)
		x[2 * i] = (x[2 * i] - mean) *
			   (0.5 - 0.5 * cos(2.0 * M_PI * i / (n - 1)));
	fft(x, n);
	uint32_t best = 1;
	for (uint32_t k = 2; k < n / 2; k++) {
		if (magnitude(x, k) > magnitude(x, best))
			best = k;
	}
	if (magnitude(x, best) == 0.0)
		return 0.0;
	double k = best;
	if (best + 1 < n / 2) {
		double a = log(magnitude(x, best - 1) + 1e-12);
		double b = log(magnitude(x, best) + 1e-12);
		double c = log(magnitude(x, best + 1) + 1e-12);
		double d = a - 2.0 * b + c;
		if (d != 0.0)
			k += 0.5 * (a - c) / d;
	}
	return k * level->rate / n;
}
