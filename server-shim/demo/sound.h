/* SPDX-License-Identifier: MIT */
/*
 * The demo VM's sound, as pure functions: the tone it plays (--tone) and
 * what its level meter makes of the microphone (the last second's level
 * and strongest frequency). Interleaved S16 frames, no I/O, no clocks:
 * the caller paces them (demo/audio.c).
 */
#ifndef EGLVIEW_DEMO_SOUND_H
#define EGLVIEW_DEMO_SOUND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DEMO_TONE_MIN_HZ 20
#define DEMO_TONE_MAX_HZ 20000
#define DEMO_TONE_AMPLITUDE 16384 /* 0.5 of S16's full scale: -9 dBFS */

/* A sine at an integer hz: the phase is counted exactly, as hz * frame
 * mod rate, so it never drifts and carries on from one fill to the next. */
struct demo_tone {
	uint32_t hz, rate, channels;
	uint32_t phase; /* hz * frames made, mod rate */
};

void demo_tone_init(struct demo_tone *tone, uint32_t hz, uint32_t rate,
		    uint32_t channels);
/* The next n frames, the same sample on every channel. */
void demo_tone_fill(struct demo_tone *tone, int16_t *frames, uint32_t n);
/* Goes n frames on without making them (time the player let pass). */
void demo_tone_skip(struct demo_tone *tone, uint64_t n);

/* The meter's memory: the last second (rate frames) of what was recorded,
 * silence before anything was. */
struct demo_level {
	uint32_t rate, channels;
	int16_t *history;   /* rate frames, a ring */
	uint32_t next;      /* the slot the next frame goes to */
	uint64_t sum_sq;    /* of every sample in history: exact */
	double *work;       /* DEMO_LEVEL_FFT complex values for the peak */
};

/* The strongest frequency is looked for in the newest this many frames. */
#define DEMO_LEVEL_FFT 32768
/* demo_level_dbfs and demo_level_tenths of a second of silence. */
#define DEMO_LEVEL_SILENT_DBFS (-1000.0)
#define DEMO_LEVEL_SILENT INT32_MIN

bool demo_level_init(struct demo_level *level, uint32_t rate,
		     uint32_t channels);
void demo_level_finish(struct demo_level *level);
/* Back to a second of silence. */
void demo_level_reset(struct demo_level *level);
void demo_level_push(struct demo_level *level, const int16_t *frames,
		     uint32_t n);
/* The RMS of the last second against full scale (a full-scale square wave
 * is 0 dBFS, a sine of amplitude 0.5 -9.03), over all channels;
 * DEMO_LEVEL_SILENT_DBFS when it was all zeros. */
double demo_level_dbfs(const struct demo_level *level);
/* The same in tenths of a dB, rounded, -999 at the lowest;
 * DEMO_LEVEL_SILENT for silence. What the meter shows and logs. */
int32_t demo_level_tenths(const struct demo_level *level);
/* The strongest frequency of the newest DEMO_LEVEL_FFT frames (their
 * channels averaged, Hann window, refined between bins on the log
 * magnitude); 0 when they are silent or shorter than the FFT (a rate
 * under DEMO_LEVEL_FFT frames a second). */
double demo_level_peak_hz(struct demo_level *level);

/* Tenths as the meter writes them: "-9.0", or "-inf" for
 * DEMO_LEVEL_SILENT; never longer than "-99.9". */
void demo_level_format(char *out, size_t size, int32_t tenths);

#endif
