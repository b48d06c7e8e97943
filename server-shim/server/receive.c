/* SPDX-License-Identifier: MIT */
/*
 * One viewer connection of libeglview-server, what it sends: every packet
 * read, checked (proto_validate, then against the connection's state) and
 * handled; anything wrong ends the connection with an ERROR that says why.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/private.h"

/* Packets handled per wake-up, so that one chatty viewer cannot keep the
 * loop from the others (epoll is level-triggered: the rest comes next). */
#define MAX_PACKETS_PER_DISPATCH 64

/* Whether the buffer a head shows stays held after FRAME_DONE: both
 * HELLOs said HOLD_SHOWN. */
static bool
holds_shown(const struct peer *peer)
{
	return peer->hold_offered &&
	       (peer->features & PROTO_FEATURE_HOLD_SHOWN);
}

void
peer_fail(struct peer *peer, enum proto_error code, const char *fmt, ...)
{
	char why[PROTO_MAX_TEXT];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	peer_log(peer, SERVER_LOG_ERROR, "%s; closing the connection "
		 "(error %s)", why, proto_error_name(code));
	proto_send_error(peer->fd, code, "%s", why);
	peer_close(peer);
}

static void
handle_hello(struct peer *peer, const struct proto_packet *pkt)
{
	const struct proto_hello *hello = proto_packet_body(pkt);
	if (peer->state != PEER_HANDSHAKE) {
		peer_fail(peer, PROTO_ERR_UNEXPECTED, "HELLO: a second HELLO "
			  "on the same connection");
		return;
	}
	if (hello->n_formats > 0) {
		peer->formats = calloc(hello->n_formats,
				       sizeof(*peer->formats));
		if (peer->formats == NULL) {
			peer_fail(peer, PROTO_ERR_INTERNAL, "out of memory "
				  "for %u formats", hello->n_formats);
			return;
		}
		memcpy(peer->formats, (const uint8_t *)(hello + 1),
		       hello->n_formats * sizeof(*peer->formats));
	}
	peer->n_formats = hello->n_formats;
	peer->features = proto_hello_features(hello);
	snprintf(peer->name, sizeof(peer->name), "%s", hello->name);
	peer->state = PEER_READY;
	peer->join_pending = true;
	peer_log(peer, SERVER_LOG_VERBOSE, "\"%s\" joined (protocol %u.%u, "
		 "%u formats)", peer->name, hello->major, hello->minor,
		 hello->n_formats);
	peer_send_state(peer);
}

static void
handle_frame_done(struct peer *peer, const struct proto_packet *pkt)
{
	const struct proto_frame_done *done = proto_packet_body(pkt);
	struct server_head *head = server_find_head(peer->server,
						    done->head_id);
	if (head == NULL) {
		peer_fail(peer, PROTO_ERR_UNKNOWN_ID, "FRAME_DONE: head %u "
			  "does not exist (heads are 1..%u)", done->head_id,
			  peer->server->n_heads);
		return;
	}
	struct peer_head *ph = &peer->heads[head->id - 1];
	if (!ph->outstanding || done->seq != ph->seq) {
		if (ph->outstanding)
			peer_fail(peer, PROTO_ERR_UNEXPECTED, "FRAME_DONE: "
				  "head %u seq %u, but the outstanding "
				  "UPDATE has seq %u", head->id, done->seq,
				  ph->seq);
		else
			peer_fail(peer, PROTO_ERR_UNEXPECTED, "FRAME_DONE: "
				  "head %u seq %u, but no UPDATE is "
				  "outstanding on it", head->id, done->seq);
		return;
	}
	struct server_buffer *old = ph->held, *before = NULL;
	ph->outstanding = false;
	ph->held = NULL;
	if (holds_shown(peer) && old != NULL) {
		/* Its compositor keeps reading the buffer just shown: the
		 * UPDATE's hold passes on to it, and the one shown before
		 * (which the viewer now says its compositor let go of)
		 * is free. A buffer its owner writes regardless is held
		 * no longer than the UPDATE (server_buffer_set_hold_shown). */
		before = ph->shown;
		ph->shown = NULL;
		if (old->hold_shown) {
			ph->shown = old;
			old = NULL;
		}
	}
	/* Send what piled up before letting go of the old buffers, so a
	 * buffer shown again is never seen as released in between. */
	peer_flush_head(peer, head);
	if (old != NULL)
		server_buffer_unhold(old);
	if (before != NULL)
		server_buffer_unhold(before);
}

/* Counts INPUT messages per one-second window; true (the viewer dropped)
 * past SERVER_MAX_INPUT_PER_SECOND. */
static bool
input_flood(struct peer *peer)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	if (peer->input_in_window == 0 ||
	    now - peer->input_window_ns >= 1000000000u) {
		peer->input_window_ns = now;
		peer->input_in_window = 0;
	}
	if (++peer->input_in_window <= SERVER_MAX_INPUT_PER_SECOND)
		return false;
	peer_fail(peer, PROTO_ERR_LIMIT, "INPUT: more than %d messages "
		  "within one second; a viewer must not flood the VM",
		  SERVER_MAX_INPUT_PER_SECOND);
	return true;
}

static void
handle_input(struct peer *peer, const struct proto_packet *pkt)
{
	struct server *server = peer->server;
	const struct proto_input *input = proto_packet_body(pkt);
	const struct proto_input_event *ev =
		(const struct proto_input_event *)(input + 1);
	if (input_flood(peer))
		return;
	struct server_device *dev = server_find_device(server, input->device_id);
	if (dev == NULL && peer_device_was_removed(peer, input->device_id)) {
		/* It crossed our INPUT_DEVICE_REMOVED: ignored, as the
		 * spec says; nothing reaches the source. */
		peer_log(peer, SERVER_LOG_VERBOSE, "INPUT to device %u, which "
			 "was removed: ignored", input->device_id);
		return;
	}
	if (dev == NULL) {
		peer_fail(peer, PROTO_ERR_UNKNOWN_ID, "INPUT: device %u is "
			  "none of the server's (never announced, or removed "
			  "longer ago than it remembers)", input->device_id);
		return;
	}
	for (uint32_t i = 0; i < input->n_events; i++) {
		/* EV_SYN ends every batch; it is allowed even where a
		 * source left it out of ev_bits. */
		if (ev[i].type == 0)
			continue;
		if (ev[i].type >= 32 || !(dev->info.ev_bits & (1u << ev[i].type))) {
			const char *name = proto_evdev_type_name(ev[i].type);
			peer_fail(peer, PROTO_ERR_BAD_VALUE, "INPUT: record "
				  "%u has type %u (%s), which device %u "
				  "(\"%s\") does not report", i, ev[i].type,
				  name ? name : "unknown", dev->info.device_id,
				  dev->info.name);
			return;
		}
	}
	held_keys_note(&peer->held, dev->info.device_id, ev, input->n_events);
	if (server->cb.input != NULL)
		server->cb.input(server->data, dev->info.device_id,
				 dev->info.kind, ev, input->n_events);
}

/* The size a viewer shows a head at (minor 2, RESIZE): to the source,
 * which may change the head's mode. */
static void
handle_head_size(struct peer *peer, const struct proto_packet *pkt)
{
	struct server *server = peer->server;
	const struct proto_head_size *hs = proto_packet_body(pkt);
	if (!(peer->features & PROTO_FEATURE_RESIZE) ||
	    server->cb.head_size == NULL) {
		peer_fail(peer, PROTO_ERR_UNEXPECTED, "HEAD_SIZE: RESIZE was "
			  "not agreed in the HELLOs");
		return;
	}
	struct server_head *head = server_find_head(server, hs->head_id);
	if (head == NULL) {
		peer_fail(peer, PROTO_ERR_UNKNOWN_ID, "HEAD_SIZE: head %u is "
			  "not known", hs->head_id);
		return;
	}
	peer_log(peer, SERVER_LOG_VERBOSE, "shows head %u at %ux%u (%ux%u mm)",
		 hs->head_id, hs->width, hs->height, hs->width_mm,
		 hs->height_mm);
	server->cb.head_size(server->data, head, hs->width, hs->height,
			     hs->width_mm, hs->height_mm);
}

static void
handle_clipboard(struct peer *peer, const struct proto_packet *pkt)
{
	uint32_t type = proto_packet_type(pkt);
	if (!(peer->features & PROTO_FEATURE_CLIPBOARD) ||
	    peer->server->cb.clipboard_grab == NULL) {
		peer_fail(peer, PROTO_ERR_UNEXPECTED, "%s: CLIPBOARD was not "
			  "agreed in the HELLOs", proto_type_name(type));
		return;
	}
	const void *body = proto_packet_body(pkt);
	if (type == PROTO_CLIPBOARD_GRAB)
		server_clipboard_viewer_grab(peer, body);
	else if (type == PROTO_CLIPBOARD_REQUEST)
		server_clipboard_viewer_request(peer, body);
	else
		server_clipboard_viewer_data(peer, body);
}

static void
handle_text(struct peer *peer, const struct proto_packet *pkt)
{
	const struct proto_error_msg *msg = proto_packet_body(pkt);
	const char *text = (const char *)(msg + 1);
	if (proto_packet_type(pkt) == PROTO_ERROR)
		peer_log(peer, SERVER_LOG_ERROR, "sent ERROR %s: %s",
			 proto_error_name(msg->code), text);
	else
		peer_log(peer, SERVER_LOG_VERBOSE, "said GOODBYE: %s", text);
	peer_close(peer);
}

static void
handle_packet(struct peer *peer, struct proto_packet *pkt)
{
	char why[PROTO_MAX_TEXT];
	enum proto_error err = proto_validate(pkt, PROTO_FROM_VIEWER, why,
					      sizeof(why));
	if (err != PROTO_ERR_NONE) {
		peer_fail(peer, err, "%s", why);
		return;
	}
	uint32_t type = proto_packet_type(pkt);
	if (!proto_type_known(type))
		return; /* a later minor version's message: skipped */
	if (peer->state == PEER_HANDSHAKE && type != PROTO_HELLO) {
		peer_fail(peer, PROTO_ERR_UNEXPECTED, "%s before HELLO: the "
			  "first message must be HELLO", proto_type_name(type));
		return;
	}
	switch (type) {
	case PROTO_HELLO:
		handle_hello(peer, pkt);
		break;
	case PROTO_PING: {
		const struct proto_ping *ping = proto_packet_body(pkt);
		peer_send_pong(peer, ping->serial);
		break;
	}
	case PROTO_PONG:
		break; /* this server sends no PING: nothing to match */
	case PROTO_ERROR:
	case PROTO_GOODBYE:
		handle_text(peer, pkt);
		break;
	case PROTO_FRAME_DONE:
		handle_frame_done(peer, pkt);
		break;
	case PROTO_INPUT:
		handle_input(peer, pkt);
		break;
	case PROTO_HEAD_SIZE:
		handle_head_size(peer, pkt);
		break;
	case PROTO_CLIPBOARD_GRAB:
	case PROTO_CLIPBOARD_REQUEST:
	case PROTO_CLIPBOARD_DATA:
		handle_clipboard(peer, pkt);
		break;
	case PROTO_AUDIO_CAPTURE_STATE:
		server_audio_capture_state(peer, proto_packet_body(pkt));
		break;
	default:
		/* proto_validate lets no server-to-viewer type through. */
		peer_fail(peer, PROTO_ERR_UNEXPECTED, "%s is not a message "
			  "a viewer sends", proto_type_name(type));
		break;
	}
}

void
peer_handle_readable(struct peer *peer)
{
	struct proto_packet *pkt = peer->server->pkt;
	char why[PROTO_MAX_TEXT];
	for (int i = 0; i < MAX_PACKETS_PER_DISPATCH; i++) {
		if (peer->state == PEER_DEAD)
			return;
		switch (proto_recv(peer->fd, pkt, why, sizeof(why))) {
		case PROTO_IO_AGAIN:
			return;
		case PROTO_IO_EOF:
			peer_log(peer, SERVER_LOG_VERBOSE,
				 "closed the connection");
			peer_close(peer);
			return;
		case PROTO_IO_ERROR:
			if (pkt->refused == PROTO_ERR_NONE) {
				peer_log(peer, SERVER_LOG_ERROR, "%s; closing "
					 "the connection", why);
				peer_close(peer);
			} else {
				peer_fail(peer, pkt->refused, "%s", why);
			}
			return;
		case PROTO_IO_OK:
			handle_packet(peer, pkt);
			proto_packet_close_fds(pkt);
			break;
		}
	}
}
