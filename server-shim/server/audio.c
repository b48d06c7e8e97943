// SPDX-License-Identifier: MIT
/*
 * The VM's sound (protocol minor 3, PROTOCOL.md "Audio"). A PLAYBACK
 * stream has one ring that the source writes and every viewer reads; a
 * RECORD stream has a ring per viewer that the viewer writes, and the
 * source reads the one of the viewer that said most recently that it
 * records. Nothing here waits for a viewer, and no ring grows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server/private.h"

/* A RECORD stream's source that is further ahead than this is caught up
 * (frames dropped), so the microphone's delay stays bounded when the VM
 * reads slower than the viewer records (QEMU 7.2 reads about 0.76x). */
#define RECORD_MAX_BACKLOG_MS 100

static bool
takes_audio(const struct peer *peer)
{
	return peer->state == PEER_READY &&
	       (peer->features & PROTO_FEATURE_AUDIO);
}

static void
send_state(struct peer *peer, const struct server_audio *audio)
{
	peer_sent(peer, proto_send_audio_state(peer->fd, &audio->state),
		  PROTO_AUDIO_STATE);
}

/* AUDIO_STREAM with the ring (a RECORD stream's own for this viewer),
 * then its state. */
static void
announce(struct peer *peer, struct server_audio *audio)
{
	int slot = audio->slot;
	struct peer_audio *pa = &peer->audio[slot];
	int fd = audio->ring_fd;
	pa->fd = -1;
	if (audio->info.direction == PROTO_AUDIO_RECORD) {
		char why[160];
		pa->fd = proto_audio_ring_create(audio->info.capacity,
						 audio->frame_bytes, false,
						 &pa->ring, why, sizeof(why));
		if (pa->fd < 0) {
			peer_log(peer, SERVER_LOG_ERROR, "audio stream %u: %s; "
				 "it is not offered to this viewer",
				 audio->info.stream_id, why);
			return;
		}
		fd = pa->fd;
	}
	pa->stream_id = audio->info.stream_id;
	if (peer_sent(peer, proto_send_audio_stream(peer->fd, &audio->info, fd),
		      PROTO_AUDIO_STREAM))
		send_state(peer, audio);
}

void
peer_audio_forget(struct peer *peer, int slot)
{
	struct peer_audio *pa = &peer->audio[slot];
	proto_audio_ring_unmap(&pa->ring);
	if (pa->stream_id != 0 && pa->fd >= 0)
		close(pa->fd);
	*pa = (struct peer_audio){ 0 };
}

void
peer_send_audio(struct peer *peer)
{
	for (int i = 0; i < PROTO_MAX_AUDIO_STREAMS; i++) {
		struct server_audio *audio = peer->server->audio[i];
		if (audio != NULL && takes_audio(peer))
			announce(peer, audio);
	}
}

struct server_audio *
server_audio_create(struct server *server, uint32_t direction,
		    uint32_t format, uint32_t rate, uint32_t channels,
		    uint32_t capacity)
{
	uint32_t sample = proto_audio_sample_bytes(format);
	if (direction > PROTO_AUDIO_RECORD || sample == 0 ||
	    rate < PROTO_AUDIO_MIN_RATE || rate > PROTO_AUDIO_MAX_RATE ||
	    channels < 1 || channels > PROTO_MAX_AUDIO_CHANNELS) {
		server_log_error("audio stream refused: direction %u, format "
				 "%u, %u Hz, %u channels (directions 0..1, "
				 "formats 1..4, %d..%d Hz, 1..%d channels)",
				 direction, format, rate, channels,
				 PROTO_AUDIO_MIN_RATE, PROTO_AUDIO_MAX_RATE,
				 PROTO_MAX_AUDIO_CHANNELS);
		return NULL;
	}
	uint32_t frame = sample * channels;
	if (capacity == 0)
		capacity = rate / 2;
	if (capacity < PROTO_AUDIO_MIN_CAPACITY)
		capacity = PROTO_AUDIO_MIN_CAPACITY;
	if (capacity > PROTO_AUDIO_MAX_RING / frame)
		capacity = PROTO_AUDIO_MAX_RING / frame;
	int slot = 0;
	while (slot < PROTO_MAX_AUDIO_STREAMS && server->audio[slot] != NULL)
		slot++;
	if (slot == PROTO_MAX_AUDIO_STREAMS) {
		server_log_error("audio stream refused: %d streams are live, "
				 "the most there may be",
				 PROTO_MAX_AUDIO_STREAMS);
		return NULL;
	}
	struct server_audio *audio = calloc(1, sizeof(*audio));
	if (audio == NULL) {
		server_log_error("out of memory for an audio stream");
		return NULL;
	}
	audio->server = server;
	audio->slot = slot;
	audio->frame_bytes = frame;
	audio->ring_fd = -1;
	audio->info = (struct proto_audio_stream){
		.stream_id = server->next_audio_id++,
		.direction = direction,
		.format = format,
		.rate = rate,
		.channels = channels,
		.capacity = capacity,
	};
	audio->state.stream_id = audio->info.stream_id;
	memset(audio->state.volume, 255, sizeof(audio->state.volume));
	if (direction == PROTO_AUDIO_PLAYBACK) {
		char why[160];
		audio->ring_fd = proto_audio_ring_create(capacity, frame, true,
							 &audio->ring, why,
							 sizeof(why));
		if (audio->ring_fd < 0) {
			server_log_error("audio stream refused: %s", why);
			free(audio);
			return NULL;
		}
	}
	server->audio[slot] = audio;
	server_log(SERVER_LOG_VERBOSE, "audio stream %u: %s, %s %u Hz, %u "
		   "channels, a ring of %u frames", audio->info.stream_id,
		   direction == PROTO_AUDIO_PLAYBACK ? "playback" : "record",
		   proto_audio_format_name(format), rate, channels, capacity);
	for (struct peer *p = server->peers; p != NULL; p = p->next)
		if (takes_audio(p))
			announce(p, audio);
	return audio;
}

void
server_audio_destroy(struct server_audio *audio)
{
	if (audio == NULL)
		return;
	struct server *server = audio->server;
	int slot = audio->slot;
	for (struct peer *p = server->peers; p != NULL; p = p->next) {
		if (p->audio[slot].stream_id == 0)
			continue;
		if (takes_audio(p))
			peer_sent(p, proto_send_audio_stream_removed(p->fd,
				  audio->info.stream_id),
				  PROTO_AUDIO_STREAM_REMOVED);
		peer_audio_forget(p, slot);
	}
	server->audio[slot] = NULL;
	proto_audio_ring_unmap(&audio->ring);
	if (audio->ring_fd >= 0)
		close(audio->ring_fd);
	free(audio);
}

uint32_t
server_audio_get_id(const struct server_audio *audio)
{
	return audio->info.stream_id;
}

static void
state_changed(struct server_audio *audio)
{
	int slot = audio->slot;
	for (struct peer *p = audio->server->peers; p != NULL; p = p->next)
		if (takes_audio(p) && p->audio[slot].stream_id != 0)
			send_state(p, audio);
}

void
server_audio_set_enabled(struct server_audio *audio, bool enabled)
{
	uint32_t flags = audio->state.flags & ~PROTO_AUDIO_ENABLED;
	if (enabled)
		flags |= PROTO_AUDIO_ENABLED;
	if (flags == audio->state.flags)
		return;
	audio->state.flags = flags;
	server_log(SERVER_LOG_VERBOSE, "audio stream %u %s",
		   audio->info.stream_id, enabled ? "enabled" : "disabled");
	state_changed(audio);
}

void
server_audio_set_volume(struct server_audio *audio, bool mute,
			const uint8_t *volume, uint32_t n)
{
	struct proto_audio_state next = audio->state;
	next.flags = (next.flags & ~PROTO_AUDIO_MUTED) |
		     (mute ? PROTO_AUDIO_MUTED : 0);
	for (uint32_t c = 0; c < n && c < audio->info.channels; c++)
		next.volume[c] = volume[c];
	if (memcmp(&next, &audio->state, sizeof(next)) == 0)
		return;
	audio->state = next;
	state_changed(audio);
}

void
server_audio_write(struct server_audio *audio, const void *frames,
		   uint32_t n)
{
	if (audio->info.direction != PROTO_AUDIO_PLAYBACK || n == 0)
		return;
	proto_audio_ring_write(&audio->ring, frames, n, proto_now_ns());
}

/* The viewer that records now: the newest to say ACTIVE. */
static struct peer_audio *
record_source(const struct server_audio *audio)
{
	int slot = audio->slot;
	struct peer_audio *best = NULL;
	for (struct peer *p = audio->server->peers; p != NULL; p = p->next) {
		struct peer_audio *pa = &p->audio[slot];
		if (p->state == PEER_READY && pa->active &&
		    (best == NULL || pa->active_serial > best->active_serial))
			best = pa;
	}
	return best;
}

static void
fill_silence(const struct server_audio *audio, uint8_t *out, uint32_t n)
{
	memset(out, audio->info.format == PROTO_AUDIO_U8 ? 0x80 : 0,
	       (size_t)n * audio->frame_bytes);
}

uint32_t
server_audio_read(struct server_audio *audio, void *frames, uint32_t n)
{
	uint8_t *out = frames;
	if (audio->info.direction != PROTO_AUDIO_RECORD) {
		fill_silence(audio, out, n);
		return 0;
	}
	struct peer_audio *src = record_source(audio);
	uint32_t got = 0;
	if (src != NULL) {
		uint64_t wp = proto_audio_ring_write_pos(&src->ring, NULL);
		uint64_t backlog = (uint64_t)audio->info.rate *
				   RECORD_MAX_BACKLOG_MS / 1000;
		if (wp > src->read_pos + n + backlog) {
			src->dropped += wp - n - src->read_pos;
			src->read_pos = wp - n;
		}
		got = proto_audio_ring_read(&src->ring, &src->read_pos, out, n,
					    &src->dropped);
	}
	fill_silence(audio, out + (size_t)got * audio->frame_bytes, n - got);
	return got;
}

bool
server_audio_recording(const struct server_audio *audio)
{
	return audio->info.direction == PROTO_AUDIO_RECORD &&
	       record_source(audio) != NULL;
}

void
server_audio_capture_state(struct peer *peer,
			   const struct proto_audio_capture_state *cs)
{
	struct server *server = peer->server;
	if (!(peer->features & PROTO_FEATURE_AUDIO)) {
		peer_fail(peer, PROTO_ERR_UNEXPECTED, "AUDIO_CAPTURE_STATE: "
			  "AUDIO was not agreed in the HELLOs");
		return;
	}
	int slot = -1;
	for (int i = 0; i < PROTO_MAX_AUDIO_STREAMS; i++)
		if (peer->audio[i].stream_id == cs->stream_id)
			slot = i;
	if (slot < 0) {
		/* It may have crossed our AUDIO_STREAM_REMOVED: ignored when
		 * the id was ever one of ours. */
		if (cs->stream_id < server->next_audio_id)
			return;
		peer_fail(peer, PROTO_ERR_UNKNOWN_ID, "AUDIO_CAPTURE_STATE: "
			  "stream %u is not known", cs->stream_id);
		return;
	}
	if (server->audio[slot]->info.direction != PROTO_AUDIO_RECORD) {
		peer_fail(peer, PROTO_ERR_BAD_VALUE, "AUDIO_CAPTURE_STATE: "
			  "stream %u is a playback stream", cs->stream_id);
		return;
	}
	struct peer_audio *pa = &peer->audio[slot];
	bool active = cs->flags & PROTO_AUDIO_CAPTURE_ACTIVE;
	if (active == pa->active)
		return;
	pa->active = active;
	if (active) {
		pa->active_serial = ++server->audio_serial;
		/* What it recorded while it was not the source is old. */
		pa->read_pos = proto_audio_ring_write_pos(&pa->ring, NULL);
	}
	peer_log(peer, SERVER_LOG_VERBOSE, "%s recording into audio stream %u",
		 active ? "is" : "stopped", cs->stream_id);
}

void
server_audio_destroy_all(struct server *server)
{
	for (int i = 0; i < PROTO_MAX_AUDIO_STREAMS; i++)
		server_audio_destroy(server->audio[i]);
}
