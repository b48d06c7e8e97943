/* SPDX-License-Identifier: MIT */
/*
 * Sound (protocol minor 3, AUDIO; PROTOCOL.md, "Audio"): the VM's streams
 * as the server announces them, each with its ring mapped (a PLAYBACK
 * ring read-only, shared with every viewer; a RECORD ring writable, ours
 * alone), its AUDIO_STATE, and what we said about recording. The frames
 * themselves never pass through here: whoever plays or records reads or
 * writes the ring (viewer/audio).
 */
#include <errno.h>
#include <string.h>

#include "client/client.h"
#include "client/state.h"
#include "log.h"

bool
client_has_audio(const struct client *c)
{
	return c->audio && c->connected;
}

int
client_audio_streams(const struct client *c,
		     const struct client_audio_stream **out)
{
	for (int i = 0; i < c->n_audio_streams; i++)
		out[i] = &c->audio_streams[i];
	return c->n_audio_streams;
}

static struct client_audio_stream *
find_stream(struct client *c, uint32_t id)
{
	for (int i = 0; i < c->n_audio_streams; i++) {
		if (c->audio_streams[i].id == id)
			return &c->audio_streams[i];
	}
	return NULL;
}

static const char *
direction_name(uint32_t direction)
{
	return direction == PROTO_AUDIO_RECORD ? "record" : "playback";
}

static bool
handle_stream(struct client *c, struct proto_packet *pkt)
{
	const struct proto_audio_stream *msg = proto_packet_body(pkt);
	if (find_stream(c, msg->stream_id))
		return client_fail(c, PROTO_ERR_ID_IN_USE, "AUDIO_STREAM: stream "
				   "id %u is already in use (AUDIO_STREAM_REMOVED "
				   "it first)", msg->stream_id);
	if (c->n_audio_streams == PROTO_MAX_AUDIO_STREAMS)
		return client_fail(c, PROTO_ERR_LIMIT, "AUDIO_STREAM: stream %u "
				   "would be live stream number %d, at most %d "
				   "are allowed", msg->stream_id,
				   PROTO_MAX_AUDIO_STREAMS + 1,
				   PROTO_MAX_AUDIO_STREAMS);
	struct client_audio_stream *s = &c->audio_streams[c->n_audio_streams];
	*s = (struct client_audio_stream){
		.id = msg->stream_id,
		.direction = msg->direction,
		.format = msg->format,
		.rate = msg->rate,
		.channels = msg->channels,
		.capacity = msg->capacity,
	};
	memset(s->volume, 255, sizeof(s->volume));
	/* proto_validate checked the format, channels and capacity. */
	uint32_t frame = proto_audio_sample_bytes(msg->format) * msg->channels;
	char why[PROTO_MAX_TEXT - 64];
	if (!proto_audio_ring_map(pkt->fds[0], msg->capacity, frame,
				  msg->direction == PROTO_AUDIO_RECORD, &s->ring,
				  why, sizeof(why)))
		return client_fail(c, PROTO_ERR_BAD_FD, "AUDIO_STREAM %u (%s, %u "
				   "frames of %u bytes): %s", msg->stream_id,
				   direction_name(msg->direction), msg->capacity,
				   frame, why);
	c->n_audio_streams++;
	log_verbose("audio: stream %u of %s: %s, %u Hz, %u ch, %s, a ring of "
		    "%u frames", s->id, c->label, direction_name(s->direction),
		    s->rate, s->channels, proto_audio_format_name(s->format),
		    s->capacity);
	if (c->listener.audio_stream)
		c->listener.audio_stream(c->listener.data, s);
	return c->connected;
}

/* Told to the listener, unmapped, and its slot taken by the last. */
static void
remove_stream(struct client *c, struct client_audio_stream *s)
{
	if (c->listener.audio_stream_removed)
		c->listener.audio_stream_removed(c->listener.data, s);
	proto_audio_ring_unmap(&s->ring);
	*s = c->audio_streams[--c->n_audio_streams];
}

static bool
handle_removed(struct client *c, const struct proto_audio_stream_removed *msg)
{
	struct client_audio_stream *s = find_stream(c, msg->stream_id);
	if (!s)
		return client_fail(c, PROTO_ERR_UNKNOWN_ID, "AUDIO_STREAM_REMOVED: "
				   "stream %u is not known (no AUDIO_STREAM for "
				   "it)", msg->stream_id);
	log_verbose("audio: stream %u of %s removed", s->id, c->label);
	remove_stream(c, s);
	return c->connected;
}

static bool
handle_state(struct client *c, const struct proto_audio_state *msg)
{
	struct client_audio_stream *s = find_stream(c, msg->stream_id);
	if (!s)
		return client_fail(c, PROTO_ERR_UNKNOWN_ID, "AUDIO_STATE: stream "
				   "%u is not known (no AUDIO_STREAM for it)",
				   msg->stream_id);
	/* Bits a later minor defines mean nothing here. */
	s->flags = msg->flags & (PROTO_AUDIO_ENABLED | PROTO_AUDIO_MUTED);
	memcpy(s->volume, msg->volume, sizeof(s->volume));
	log_verbose("audio: stream %u of %s %s%s, volume %u %u ...", s->id,
		    c->label, s->flags & PROTO_AUDIO_ENABLED ? "enabled" :
		    "disabled", s->flags & PROTO_AUDIO_MUTED ? ", muted" : "",
		    s->volume[0], s->volume[1]);
	if (c->listener.audio_state)
		c->listener.audio_state(c->listener.data, s);
	return c->connected;
}

bool
client_handle_audio(struct client *c, struct proto_packet *pkt)
{
	uint32_t type = proto_packet_type(pkt);
	if (!c->audio)
		return client_fail(c, PROTO_ERR_UNEXPECTED, "%s: AUDIO was not "
				   "agreed in the HELLOs", proto_type_name(type));
	if (type == PROTO_AUDIO_STREAM)
		return handle_stream(c, pkt);
	if (type == PROTO_AUDIO_STREAM_REMOVED)
		return handle_removed(c, proto_packet_body(pkt));
	return handle_state(c, proto_packet_body(pkt));
}

void
client_release_audio(struct client *c)
{
	while (c->n_audio_streams > 0)
		remove_stream(c, &c->audio_streams[c->n_audio_streams - 1]);
}

bool
client_send_audio_capture_state(struct client *c, uint32_t stream_id,
				bool active)
{
	struct client_audio_stream *s = find_stream(c, stream_id);
	if (!client_has_audio(c) || !s || s->direction != PROTO_AUDIO_RECORD ||
	    s->capture_active == active)
		return c->connected;
	bool sent;
	do
		sent = proto_send_audio_capture_state(c->fd, stream_id, active ?
						      PROTO_AUDIO_CAPTURE_ACTIVE : 0);
	while (!sent && client_may_retry(c->fd));
	if (!sent) {
		log_error("cannot send AUDIO_CAPTURE_STATE to %s: %s", c->label,
			  strerror(errno));
		c->connected = false;
		return false;
	}
	s->capture_active = active;
	log_verbose("audio: told %s we %s stream %u", c->label, active ?
		    "record into" : "no longer record into", stream_id);
	return true;
}
