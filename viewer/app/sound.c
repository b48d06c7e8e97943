/* SPDX-License-Identifier: MIT */
/*
 * The VMs' sound (viewer/audio does the playing): which streams have a
 * device. Only the focused VM is heard, and only it gets the microphone
 * (with --microphone on, while the window has the focus; without a
 * window, always). A PLAYBACK stream's device opens the first time the
 * stream is enabled and stays open, silent while the stream is
 * disabled, until the stream goes, its VM goes or the focus moves on: a
 * VM that never plays costs no device, one that plays again starts at
 * once. SDL's audio starts with the first device wanted.
 */
#include <string.h>

#include "app/viewer.h"
#include "audio/audio.h"
#include "log.h"

static bool
focused(const struct viewer *v, const struct session *s)
{
	return v->sessions[v->focus] == s;
}

/* The microphone goes to the focused VM while the user looks at it. */
static bool
wants_microphone(const struct viewer *v, const struct session *s)
{
	return v->opts->microphone && focused(v, s) &&
	       (!v->out->windowed || v->window_focused);
}

static struct audio *
sound_audio(struct viewer *v)
{
	if (!v->audio && !v->audio_failed) {
		v->audio = audio_create();
		v->audio_failed = !v->audio;
	}
	return v->audio;
}

static struct session_sound *
find_sound(struct session *s, uint32_t id, bool add)
{
	for (int i = 0; i < s->n_sound; i++) {
		if (s->sound[i].id == id)
			return &s->sound[i];
	}
	if (!add || s->n_sound == PROTO_MAX_AUDIO_STREAMS)
		return NULL;
	s->sound[s->n_sound] = (struct session_sound){ .id = id };
	return &s->sound[s->n_sound++];
}

static void
close_sound(struct session *s, struct session_sound *snd)
{
	audio_player_close(snd->player);
	snd->player = NULL;
	if (snd->recorder) {
		audio_recorder_close(snd->recorder);
		snd->recorder = NULL;
		if (s->client)
			client_send_audio_capture_state(s->client, snd->id, false);
	}
}

/* Opens or closes st's device as the rules above say. */
static void
sync_stream(struct viewer *v, struct session *s,
	    const struct client_audio_stream *st)
{
	struct session_sound *snd = find_sound(s, st->id, true);
	if (!snd)
		return;
	struct audio_stream_info info = {
		.vm = session_name(s), .vm_index = s->index, .id = st->id, .format = st->format,
		.rate = st->rate, .channels = st->channels, .ring = &st->ring,
		.flags = st->flags, .volume = st->volume,
	};
	if (!focused(v, s)) {
		close_sound(s, snd);
		return;
	}
	if (st->direction == PROTO_AUDIO_PLAYBACK) {
		if (snd->player)
			audio_player_set_state(snd->player, st->flags, st->volume);
		else if (st->flags & PROTO_AUDIO_ENABLED && sound_audio(v))
			snd->player = audio_play(v->audio, &info);
		return;
	}
	if (!wants_microphone(v, s)) {
		close_sound(s, snd);
		return;
	}
	if (!snd->recorder && sound_audio(v))
		snd->recorder = audio_record(v->audio, &info);
	if (snd->recorder)
		client_send_audio_capture_state(s->client, st->id, true);
}

static void
on_stream(void *data, struct session *s, const struct client_audio_stream *st)
{
	sync_stream(data, s, st);
}

static void
on_removed(void *data, struct session *s, const struct client_audio_stream *st)
{
	(void)data;
	struct session_sound *snd = find_sound(s, st->id, false);
	if (!snd)
		return;
	/* The stream is gone: nothing to tell the server. */
	audio_player_close(snd->player);
	audio_recorder_close(snd->recorder);
	*snd = s->sound[--s->n_sound];
}

const struct session_sound_events viewer_sound_events = {
	.stream = on_stream, .state = on_stream, .removed = on_removed,
};

void
viewer_sound_sync(struct viewer *v)
{
	for (int i = 0; i < v->n_sessions; i++) {
		struct session *s = v->sessions[i];
		if (!s->client)
			continue;
		const struct client_audio_stream *streams[PROTO_MAX_AUDIO_STREAMS];
		int n = client_audio_streams(s->client, streams);
		/* The VM losing the focus closes first: one VM is heard. */
		if (!focused(v, s))
			for (int k = 0; k < n; k++)
				sync_stream(v, s, streams[k]);
	}
	struct session *s = v->sessions[v->focus];
	if (!s->client)
		return;
	const struct client_audio_stream *streams[PROTO_MAX_AUDIO_STREAMS];
	int n = client_audio_streams(s->client, streams);
	for (int k = 0; k < n; k++)
		sync_stream(v, s, streams[k]);
}

void
viewer_sound_destroy(struct viewer *v)
{
	audio_destroy(v->audio);
	v->audio = NULL;
}

void
viewer_sound_print_stats(const struct viewer *v)
{
	audio_print_stats(v->audio);
}
