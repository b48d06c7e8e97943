/* SPDX-License-Identifier: MIT */
/*
 * SDL2's audio for the VM's streams (audio.h). Devices are opened
 * AUDIO_F32SYS at the stream's rate and channels with no changes allowed,
 * so SDL's disk driver writes (and reads) exactly that: the tests depend
 * on it. A device is unpaused as soon as it opens, and that moment is
 * said with --verbose ("opened at MONO_NS") so a test can map the disk
 * driver's file offsets to time.
 */
#include "audio/audio.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <SDL2/SDL.h>

#include "audio/pcm.h"
#include "log.h"

/* Streams whose --stats figures are kept, closed or open. */
#define MAX_PLAYED 32

struct played {
	char vm[PROTO_MAX_NAME + 1];
	int vm_index;
	uint32_t id;
	struct pcm_stats stats;
	double drift_ppm;
};

struct audio {
	struct audio_player *open[MAX_PLAYED];
	int n_open;
	struct played done[MAX_PLAYED]; /* closed: their figures summed */
	int n_done;
	bool said_no_output, said_no_input;
};

struct audio_player {
	struct audio *audio;
	SDL_AudioDeviceID dev;
	char vm[PROTO_MAX_NAME + 1];
	int vm_index;
	uint32_t id;
	struct pcm_player pcm;   /* the callback's; locked to change */
	uint64_t callback_ns, callbacks;
};

struct audio_recorder {
	SDL_AudioDeviceID dev;
	struct proto_audio_ring_map ring;
	uint32_t format, channels;
	uint8_t *buf;            /* a period in the stream's format */
	uint32_t period;
};

static const char *
driver_name(void)
{
	const char *d = SDL_GetCurrentAudioDriver();
	if (!d)
		d = getenv("SDL_AUDIODRIVER");
	return d && *d ? d : "no driver";
}

struct audio *
audio_create(void)
{
	/* SIGINT and SIGTERM are the viewer's signalfd's, whatever output
	 * started SDL (the sdl backend says the same). */
	SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
	if (SDL_InitSubSystem(SDL_INIT_AUDIO) != 0) {
		log_info("audio: no audio device (%s: %s); the VM's sound is not "
			 "played", driver_name(), SDL_GetError());
		return NULL;
	}
	struct audio *a = calloc(1, sizeof(*a));
	if (!a) {
		log_error("out of memory for the audio");
		SDL_QuitSubSystem(SDL_INIT_AUDIO);
		return NULL;
	}
	log_verbose("audio: SDL audio driver %s", driver_name());
	return a;
}

void
audio_destroy(struct audio *a)
{
	if (!a)
		return;
	while (a->n_open > 0)
		audio_player_close(a->open[a->n_open - 1]);
	free(a);
	SDL_QuitSubSystem(SDL_INIT_AUDIO);
}

/* A device period of 10 ms: 480 frames at 48 kHz. Not a power of two:
 * SDL's disk driver sleeps whole milliseconds per period, so with 512
 * frames (10.67 ms) it would play 6 % fast, beyond what resampling takes
 * up. */
static uint16_t
period_frames(uint32_t rate)
{
	uint32_t n = rate / 100;
	return (uint16_t)(n < 64 ? 64 : n > 4096 ? 4096 : n);
}

static void
play_callback(void *data, Uint8 *stream, int len)
{
	struct audio_player *pl = data;
	uint64_t start = proto_now_ns();
	uint32_t frames = (uint32_t)len / (uint32_t)(sizeof(float) *
						     pl->pcm.channels);
	float *out = (float *)stream;
	while (frames > 0) {
		uint32_t n = frames < pl->pcm.period ? frames : pl->pcm.period;
		pcm_player_fill(&pl->pcm, out, n, start);
		out += (size_t)n * pl->pcm.channels;
		frames -= n;
	}
	pl->callback_ns += proto_now_ns() - start;
	pl->callbacks++;
}

static SDL_AudioDeviceID
open_device(const struct audio_stream_info *s, bool capture,
	    SDL_AudioCallback callback, void *data, uint16_t period)
{
	SDL_AudioSpec want = {
		.freq = (int)s->rate,
		.format = AUDIO_F32SYS,
		.channels = (Uint8)s->channels,
		.samples = period,
		.callback = callback,
		.userdata = data,
	}, have;
	return SDL_OpenAudioDevice(NULL, capture, &want, &have, 0);
}

struct audio_player *
audio_play(struct audio *a, const struct audio_stream_info *s)
{
	if (a->n_open == MAX_PLAYED)
		return NULL;
	struct audio_player *pl = calloc(1, sizeof(*pl));
	uint16_t period = period_frames(s->rate);
	if (!pl || !pcm_player_init(&pl->pcm, s->ring, s->format, s->rate,
				    s->channels, period, proto_now_ns())) {
		log_error("out of memory for stream %u of VM \"%s\"", s->id,
			  s->vm);
		free(pl);
		return NULL;
	}
	pl->audio = a;
	pl->id = s->id;
	pl->vm_index = s->vm_index;
	snprintf(pl->vm, sizeof(pl->vm), "%s", s->vm);
	pcm_player_set_state(&pl->pcm, s->flags, s->volume);
	pl->dev = open_device(s, false, play_callback, pl, period);
	if (pl->dev == 0) {
		if (!a->said_no_output)
			log_info("audio: no audio device (%s: %s); the VM's sound "
				 "is not played", driver_name(), SDL_GetError());
		a->said_no_output = true;
		pcm_player_fini(&pl->pcm);
		free(pl);
		return NULL;
	}
	SDL_PauseAudioDevice(pl->dev, 0);
	log_verbose("audio: playing stream %u of VM \"%s\" (%u Hz, %u ch, %s) on "
		    "%s, opened at %" PRIu64, s->id, s->vm, s->rate, s->channels,
		    proto_audio_format_name(s->format), driver_name(), proto_now_ns());
	a->open[a->n_open++] = pl;
	return pl;
}

void
audio_player_set_state(struct audio_player *pl, uint32_t flags,
		       const uint8_t *volume)
{
	/* The device keeps running while the stream is disabled: the player
	 * plays out the tail and fades to silence, where SDL's pause would
	 * cut it mid-wave (a click). */
	SDL_LockAudioDevice(pl->dev);
	pcm_player_set_state(&pl->pcm, flags, volume);
	SDL_UnlockAudioDevice(pl->dev);
}

/* Adds a stream's figures to another's. */
static void
add_stats(struct pcm_stats *to, const struct pcm_stats *from)
{
	to->played += from->played;
	to->underruns += from->underruns;
	to->overruns += from->overruns;
	to->lost += from->lost;
	to->periods += from->periods;
	for (int i = 0; i < PCM_HIST_BINS; i++) {
		to->queued[i] += from->queued[i];
		to->latency[i] += from->latency[i];
	}
}

/* The figures of a player's stream, kept per VM and stream id. */
static struct played *
played_slot(struct played *list, int *n, const struct audio_player *pl)
{
	for (int i = 0; i < *n; i++) {
		if (list[i].id == pl->id && list[i].vm_index == pl->vm_index)
			return &list[i];
	}
	if (*n == MAX_PLAYED)
		return NULL;
	struct played *p = &list[(*n)++];
	memset(p, 0, sizeof(*p));
	snprintf(p->vm, sizeof(p->vm), "%s", pl->vm);
	p->vm_index = pl->vm_index;
	p->id = pl->id;
	return p;
}

void
audio_player_close(struct audio_player *pl)
{
	if (!pl)
		return;
	struct audio *a = pl->audio;
	/* Waits for a callback that runs. */
	SDL_CloseAudioDevice(pl->dev);
	if (pl->callbacks > 0)
		log_verbose("audio: stream %u of VM \"%s\": %" PRIu64 " callbacks "
			    "of %.1f us on average", pl->id, pl->vm,
			    pl->callbacks, (double)pl->callback_ns / 1e3 /
			    (double)pl->callbacks);
	struct played *done = played_slot(a->done, &a->n_done, pl);
	if (done) {
		add_stats(&done->stats, &pl->pcm.stats);
		done->drift_ppm = pcm_player_drift_ppm(&pl->pcm);
	}
	for (int i = 0; i < a->n_open; i++) {
		if (a->open[i] == pl)
			a->open[i] = a->open[--a->n_open];
	}
	pcm_player_fini(&pl->pcm);
	free(pl);
}

static void
record_callback(void *data, Uint8 *stream, int len)
{
	struct audio_recorder *r = data;
	uint64_t now = proto_now_ns();
	uint32_t frames = (uint32_t)len / (uint32_t)(sizeof(float) * r->channels);
	const float *in = (const float *)stream;
	while (frames > 0) {
		uint32_t n = frames < r->period ? frames : r->period;
		pcm_from_float(r->format, in, r->buf, (size_t)n * r->channels);
		proto_audio_ring_write(&r->ring, r->buf, n, now);
		in += (size_t)n * r->channels;
		frames -= n;
	}
}

struct audio_recorder *
audio_record(struct audio *a, const struct audio_stream_info *s)
{
	struct audio_recorder *r = calloc(1, sizeof(*r));
	uint16_t period = period_frames(s->rate);
	if (r)
		r->buf = malloc((size_t)period * s->ring->frame_bytes);
	if (!r || !r->buf) {
		log_error("out of memory for stream %u of VM \"%s\"", s->id,
			  s->vm);
		free(r);
		return NULL;
	}
	r->ring = *s->ring;
	r->format = s->format;
	r->channels = s->channels;
	r->period = period;
	r->dev = open_device(s, true, record_callback, r, period);
	if (r->dev == 0) {
		if (!a->said_no_input)
			log_info("audio: no microphone (%s: %s); the VM hears "
				 "silence", driver_name(), SDL_GetError());
		a->said_no_input = true;
		free(r->buf);
		free(r);
		return NULL;
	}
	SDL_PauseAudioDevice(r->dev, 0);
	log_verbose("audio: recording into stream %u of VM \"%s\" (%u Hz, %u ch) "
		    "from %s, opened at %" PRIu64, s->id, s->vm, s->rate,
		    s->channels, driver_name(), proto_now_ns());
	return r;
}

void
audio_recorder_close(struct audio_recorder *r)
{
	if (!r)
		return;
	SDL_CloseAudioDevice(r->dev);
	free(r->buf);
	free(r);
}

void
audio_print_stats(struct audio *a)
{
	if (!a)
		return;
	/* The closed streams' figures with the open ones' added. */
	static struct played all[MAX_PLAYED];
	int n = a->n_done;
	memcpy(all, a->done, sizeof(a->done[0]) * (size_t)n);
	for (int i = 0; i < a->n_open; i++) {
		struct audio_player *pl = a->open[i];
		struct played *p = played_slot(all, &n, pl);
		if (!p)
			continue;
		SDL_LockAudioDevice(pl->dev);
		add_stats(&p->stats, &pl->pcm.stats);
		p->drift_ppm = pcm_player_drift_ppm(&pl->pcm);
		SDL_UnlockAudioDevice(pl->dev);
	}
	for (int i = 0; i < n; i++) {
		const struct pcm_stats *st = &all[i].stats;
		log_info("audio: stream %u VM \"%s\": played %" PRIu64 " frames, "
			 "underruns %" PRIu64 ", overruns %" PRIu64 ", queued ms "
			 "median %.1f p99 %.1f, latency ms median %.1f p99 %.1f, "
			 "drift ppm %.0f", all[i].id, all[i].vm, st->played,
			 st->underruns, st->overruns,
			 pcm_hist_percentile(st->queued, 50),
			 pcm_hist_percentile(st->queued, 99),
			 pcm_hist_percentile(st->latency, 50),
			 pcm_hist_percentile(st->latency, 99), all[i].drift_ppm);
	}
}
