/* SPDX-License-Identifier: MIT */
/*
 * The VM's sound through SDL2's audio (PipeWire, PulseAudio, ALSA, or
 * what SDL_AUDIODRIVER names; any output backend): a device per stream,
 * opened as F32 at the stream's own rate and channel count (SDL converts
 * for the hardware). A player's device callback reads the stream's ring
 * itself (audio/pcm.h: pacing, resampling, volume); a recorder's writes
 * the microphone into the RECORD ring. No messages per chunk, no locks
 * but SDL_LockAudioDevice around a state change.
 */
#ifndef EGLVIEW_AUDIO_H
#define EGLVIEW_AUDIO_H

#include <stdbool.h>
#include <stdint.h>

#include "proto.h"

struct audio;
struct audio_player;
struct audio_recorder;

/* SDL's audio subsystem. NULL when it does not start (said once: the
 * viewer goes on without sound). */
struct audio *audio_create(void);
/* Closes what is still open. NULL is fine. */
void audio_destroy(struct audio *a);

/* A stream as the client announced it. */
struct audio_stream_info {
	const char *vm;        /* the VM's name, for messages and --stats */
	int vm_index;          /* which VM: two may have one name */
	uint32_t id;
	uint32_t format, rate, channels;
	/* The ring, copied: it must stay mapped until the device is closed. */
	const struct proto_audio_ring_map *ring;
	uint32_t flags;        /* AUDIO_STATE's */
	const uint8_t *volume; /* PROTO_MAX_AUDIO_CHANNELS of them */
};

/* Plays a PLAYBACK stream from its newest frames on the default output.
 * NULL when no device opens (said once per process, not per try). */
struct audio_player *audio_play(struct audio *a,
				const struct audio_stream_info *s);
/* AUDIO_STATE: disabled, the device gives silence once the queue has
 * played out. */
void audio_player_set_state(struct audio_player *pl, uint32_t flags,
			    const uint8_t *volume);
/* Stops reading the ring; its --stats figures stay with a. NULL is fine. */
void audio_player_close(struct audio_player *pl);

/* Records the default input into a RECORD stream's ring. NULL when no
 * input opens (said once per process). */
struct audio_recorder *audio_record(struct audio *a,
				    const struct audio_stream_info *s);
void audio_recorder_close(struct audio_recorder *r); /* NULL is fine */

/* --stats: a line per stream played (open now or before). */
void audio_print_stats(struct audio *a);

#endif
