/* SPDX-License-Identifier: MIT */
/*
 * One viewer connection of libeglview-server: the handshake, the checks on
 * every packet it sends, and what it has been sent of each head (bound
 * buffer, the outstanding UPDATE, the damage coalesced meanwhile).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "server/private.h"

/* Packets handled per wake-up, so that one chatty viewer cannot keep the
 * loop from the others (epoll is level-triggered: the rest comes next). */
#define MAX_PACKETS_PER_DISPATCH 64

static const uint32_t server_features = PROTO_FEATURE_SHM |
	PROTO_FEATURE_DMABUF | PROTO_FEATURE_CURSOR | PROTO_FEATURE_INPUT;

/* Whether the buffer a head shows stays held after FRAME_DONE: both
 * HELLOs said HOLD_SHOWN. */
static bool
holds_shown(const struct peer *peer)
{
	return peer->hold_offered &&
	       (peer->features & PROTO_FEATURE_HOLD_SHOWN);
}

/* A line about one connection: "viewer N (pid P): ..." first. */
static void
peer_log(const struct peer *peer, enum server_log_level level,
	 const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
peer_log(const struct peer *peer, enum server_log_level level,
	 const char *fmt, ...)
{
	char text[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	server_log(level, "viewer %u (pid %d): %s", peer->number,
		   (int)peer->pid, text);
}

static void
peer_fail(struct peer *peer, enum proto_error code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Logs why, tells the viewer (ERROR code why) and closes it. */
static void
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

/* Every send goes through here: a viewer whose socket is full (it stopped
 * reading) or gone is dropped, never waited for. */
static bool
sent(struct peer *peer, bool ok, uint32_t type)
{
	if (ok)
		return true;
	/* One that hung up before its HELLO (a probe asking whether the
	 * socket is alive) is no news. */
	bool quiet = peer->state == PEER_HANDSHAKE &&
		     (errno == EPIPE || errno == ECONNRESET);
	peer_log(peer, quiet ? SERVER_LOG_VERBOSE : SERVER_LOG_ERROR,
		 "cannot send %s: %s; dropping the viewer%s",
		 proto_type_name(type), strerror(errno),
		 errno == EAGAIN ? " (its socket is full: it stopped "
				   "reading)" : "");
	peer_close(peer);
	return false;
}

struct peer *
peer_create(struct server *server, int fd, pid_t pid)
{
	struct peer *peer = calloc(1, sizeof(*peer));
	if (peer == NULL) {
		server_log_error("out of memory accepting a viewer (pid %d)",
				 (int)pid);
		return NULL;
	}
	peer->server = server;
	peer->fd = fd;
	peer->pid = pid;
	peer->number = server->next_peer_number++;
	peer->next_seq = 1;
	peer->state = PEER_HANDSHAKE;

	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = peer };
	if (epoll_ctl(server->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		server_log_error("epoll_ctl for viewer pid %d: %s", (int)pid,
				 strerror(errno));
		free(peer);
		return NULL;
	}
	peer->next = server->peers;
	if (server->peers != NULL)
		server->peers->prev = peer;
	server->peers = peer;

	peer->hold_offered = server->hold_shown;
	uint32_t features = server_features |
		(peer->hold_offered ? PROTO_FEATURE_HOLD_SHOWN : 0);
	sent(peer, proto_send_hello(fd, features, server->vm_name, NULL, 0),
	     PROTO_HELLO);
	return peer;
}

void
peer_close(struct peer *peer)
{
	if (peer->state == PEER_DEAD)
		return;
	struct server *server = peer->server;
	if (peer->state == PEER_READY)
		peer->left_pending = true;
	peer->state = PEER_DEAD;
	epoll_ctl(server->epoll_fd, EPOLL_CTL_DEL, peer->fd, NULL);
	close(peer->fd);
	peer->fd = -1;
	for (uint32_t i = 0; i < PROTO_MAX_HEADS; i++) {
		struct peer_head *ph = &peer->heads[i];
		if (ph->outstanding && ph->held != NULL)
			server_buffer_unhold(ph->held);
		if (ph->shown != NULL)
			server_buffer_unhold(ph->shown);
		*ph = (struct peer_head){ 0 };
	}
	peer->n_known = 0;
	peer_log(peer, SERVER_LOG_VERBOSE, "left");
}

void
peer_free(struct peer *peer)
{
	struct server *server = peer->server;
	if (peer->prev != NULL)
		peer->prev->next = peer->next;
	else
		server->peers = peer->next;
	if (peer->next != NULL)
		peer->next->prev = peer->prev;
	free(peer->formats);
	free(peer);
}

void
peer_goodbye(struct peer *peer, enum proto_goodbye_reason reason,
	     const char *text)
{
	proto_send_goodbye(peer->fd, reason, "%s", text ? text : "");
	peer_close(peer);
}

/* --- what the viewer can take ------------------------------------------ */

static bool
accepts_buffer(const struct peer *peer, const struct server_buffer *b)
{
	for (uint32_t i = 0; i < peer->n_formats; i++) {
		const struct proto_format *f = &peer->formats[i];
		if (f->fourcc != b->fourcc)
			continue;
		if (!b->is_dmabuf && (f->flags & PROTO_FORMAT_SHM))
			return true;
		if (b->is_dmabuf && (f->flags & PROTO_FORMAT_DMABUF) &&
		    f->modifier == b->modifier)
			return true;
	}
	return false;
}

static bool
knows_buffer(const struct peer *peer, uint32_t id)
{
	for (uint32_t i = 0; i < peer->n_known; i++) {
		if (peer->known[i] == id)
			return true;
	}
	return false;
}

static bool
buffer_in_use(const struct peer *peer, uint32_t id)
{
	for (uint32_t i = 0; i < PROTO_MAX_HEADS; i++) {
		const struct peer_head *ph = &peer->heads[i];
		if ((ph->bound != NULL && ph->bound->id == id) ||
		    (ph->held != NULL && ph->held->id == id) ||
		    (ph->shown != NULL && ph->shown->id == id))
			return true;
	}
	return false;
}

/* At the protocol's limit of live buffers per connection, the viewer is
 * told to drop one it shows nowhere; it is announced again if needed. */
static bool
make_room(struct peer *peer)
{
	if (peer->n_known < PROTO_MAX_BUFFERS)
		return true;
	for (uint32_t i = 0; i < peer->n_known; i++) {
		uint32_t id = peer->known[i];
		if (buffer_in_use(peer, id))
			continue;
		peer->known[i] = peer->known[--peer->n_known];
		return sent(peer, proto_send_buffer_destroy(peer->fd, id),
			    PROTO_BUFFER_DESTROY);
	}
	return true;
}

static bool
announce_buffer(struct peer *peer, const struct server_buffer *b)
{
	if (!make_room(peer))
		return false;
	bool ok;
	if (b->is_dmabuf) {
		struct proto_buffer_dmabuf msg = {
			.buffer_id = b->id, .fourcc = b->fourcc,
			.modifier = b->modifier, .width = b->width,
			.height = b->height, .n_planes = b->n_planes,
		};
		for (uint32_t i = 0; i < b->n_planes; i++)
			msg.planes[i] = (struct proto_plane){ b->offsets[i],
							      b->strides[i] };
		ok = sent(peer, proto_send_buffer_dmabuf(peer->fd, &msg,
							 b->fds),
			  PROTO_BUFFER_DMABUF);
	} else {
		struct proto_buffer_shm msg = {
			.buffer_id = b->id, .fourcc = b->fourcc,
			.width = b->width, .height = b->height,
			.stride = b->strides[0], .offset = b->shm_offset,
		};
		ok = sent(peer, proto_send_buffer_shm(peer->fd, &msg,
						      b->fds[0]),
			  PROTO_BUFFER_SHM);
	}
	if (ok)
		peer->known[peer->n_known++] = b->id;
	return ok;
}

void
peer_forget_buffer(struct peer *peer, struct server_buffer *buffer)
{
	for (uint32_t i = 0; i < PROTO_MAX_HEADS; i++) {
		struct peer_head *ph = &peer->heads[i];
		if (ph->bound == buffer)
			ph->bound = NULL;
		/* The FRAME_DONE is still owed; only the hold goes. */
		if (ph->held == buffer)
			ph->held = NULL;
		if (ph->shown == buffer)
			ph->shown = NULL;
	}
	if (peer->state == PEER_DEAD)
		return;
	for (uint32_t i = 0; i < peer->n_known; i++) {
		if (peer->known[i] != buffer->id)
			continue;
		peer->known[i] = peer->known[--peer->n_known];
		sent(peer, proto_send_buffer_destroy(peer->fd, buffer->id),
		     PROTO_BUFFER_DESTROY);
		return;
	}
}

/* --- frames ------------------------------------------------------------ */

void
peer_head_damage(struct peer *peer, struct server_head *head,
		 const struct region *damage)
{
	struct peer_head *ph = &peer->heads[head->id - 1];
	region_add_region(&ph->damage, damage);
	ph->pending = true;
}

void
peer_drop_shown(struct peer *peer, struct server_head *head)
{
	struct peer_head *ph = &peer->heads[head->id - 1];
	struct server_buffer *shown = ph->shown;
	ph->shown = NULL;
	if (shown != NULL)
		server_buffer_unhold(shown);
}

static void
unbind(struct peer *peer, struct server_head *head)
{
	struct peer_head *ph = &peer->heads[head->id - 1];
	if (ph->bound == NULL)
		return;
	struct proto_scanout none = { .head_id = head->id };
	if (!sent(peer, proto_send_scanout(peer->fd, &none), PROTO_SCANOUT))
		return;
	ph->bound = NULL;
	/* The head shows black now: nothing of it is read any more. */
	peer_drop_shown(peer, head);
}

void
peer_flush_head(struct peer *peer, struct server_head *head)
{
	struct peer_head *ph = &peer->heads[head->id - 1];
	if (peer->state != PEER_READY || ph->outstanding || !ph->pending ||
	    !head->enabled)
		return;
	struct server_buffer *b = head->current;
	if (b == NULL || !accepts_buffer(peer, b)) {
		if (b != NULL && !ph->refused) {
			char name[5];
			peer_log(peer, SERVER_LOG_INFO, "cannot show head %u: "
				 "it did not offer %s format %s%s; skipping "
				 "that head for it", head->id,
				 b->is_dmabuf ? "dmabuf" : "shm",
				 proto_fourcc_name(b->fourcc, name),
				 b->is_dmabuf ? " with this modifier" : "");
			ph->refused = true;
		}
		ph->pending = false;
		region_clear(&ph->damage);
		unbind(peer, head);
		return;
	}
	ph->refused = false;

	/* A buffer new to the viewer, or a change of size, makes the
	 * damage relative to nothing the viewer has: send it whole. */
	bool whole = false;
	if (!knows_buffer(peer, b->id)) {
		if (!announce_buffer(peer, b))
			return;
		whole = true;
	}
	if (ph->bound != b || ph->bound_flags != head->scanout_flags) {
		if (ph->bound == NULL || ph->bound->width != b->width ||
		    ph->bound->height != b->height)
			whole = true;
		struct proto_scanout scanout = {
			.head_id = head->id, .buffer_id = b->id,
			.flags = head->scanout_flags,
			.width = b->width, .height = b->height,
		};
		if (!sent(peer, proto_send_scanout(peer->fd, &scanout),
			  PROTO_SCANOUT))
			return;
		ph->bound = b;
		ph->bound_flags = head->scanout_flags;
	}
	if (whole) {
		region_clear(&ph->damage);
		region_add_rect(&ph->damage, &(struct proto_rect){
			0, 0, b->width, b->height });
	}
	region_clip(&ph->damage, b->width, b->height);
	ph->pending = false;
	if (region_is_empty(&ph->damage))
		return;

	uint32_t seq = peer->next_seq++;
	if (!sent(peer, proto_send_update(peer->fd, head->id, seq,
					  ph->damage.rects,
					  ph->damage.n_rects), PROTO_UPDATE))
		return;
	region_clear(&ph->damage);
	ph->outstanding = true;
	ph->seq = seq;
	ph->held = b;
	server_buffer_hold(b);
}

/* --- the current state, for a viewer that just said HELLO -------------- */

void
peer_send_head_info(struct peer *peer, struct server_head *head)
{
	struct server *server = peer->server;
	/* Heads side by side, left to right, in id order. */
	int32_t x = 0;
	for (uint32_t i = 0; i + 1 < head->id; i++)
		x += (int32_t)server->heads[i]->width;
	struct proto_head_info info = {
		.head_id = head->id,
		.flags = head->enabled ? PROTO_HEAD_ENABLED : 0,
		.width = head->width, .height = head->height, .x = x,
	};
	snprintf(info.name, sizeof(info.name), "%s", head->name);
	sent(peer, proto_send_head_info(peer->fd, &info), PROTO_HEAD_INFO);
}

void
peer_send_cursor(struct peer *peer, struct server_head *head,
		 bool image, bool pos)
{
	if (!(peer->features & PROTO_FEATURE_CURSOR))
		return;
	if (image && head->has_cursor_image &&
	    !sent(peer, proto_send_cursor_image(peer->fd, &head->cursor,
						head->cursor_pixels),
		  PROTO_CURSOR_IMAGE))
		return;
	if (pos && head->has_cursor_pos)
		sent(peer, proto_send_cursor_pos(peer->fd, &head->cursor_pos),
		     PROTO_CURSOR_POS);
}

void
peer_send_device(struct peer *peer, struct server_device *dev)
{
	if (peer->features & PROTO_FEATURE_INPUT)
		sent(peer, proto_send_input_device(peer->fd, &dev->info,
						   dev->axes),
		     PROTO_INPUT_DEVICE);
}

void
peer_send_device_removed(struct peer *peer, uint32_t id)
{
	if (peer->features & PROTO_FEATURE_INPUT)
		sent(peer, proto_send_input_device_removed(peer->fd, id),
		     PROTO_INPUT_DEVICE_REMOVED);
}

static void
send_state(struct peer *peer)
{
	struct server *server = peer->server;
	for (uint32_t i = 0; i < PROTO_MAX_INPUT_DEVICES; i++) {
		if (server->devices[i] != NULL && peer->state == PEER_READY)
			peer_send_device(peer, server->devices[i]);
	}
	for (uint32_t i = 0; i < server->n_heads; i++) {
		if (peer->state == PEER_READY)
			peer_send_head_info(peer, server->heads[i]);
	}
	for (uint32_t i = 0; i < server->n_heads; i++) {
		struct server_head *head = server->heads[i];
		if (peer->state != PEER_READY || !head->enabled)
			continue;
		if (head->current != NULL) {
			peer->heads[i].pending = true;
			peer_flush_head(peer, head);
		}
		if (peer->state == PEER_READY)
			peer_send_cursor(peer, head, true, true);
	}
}

/* --- packets from the viewer ------------------------------------------- */

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
	peer->features = hello->features;
	snprintf(peer->name, sizeof(peer->name), "%s", hello->name);
	peer->state = PEER_READY;
	peer->join_pending = true;
	peer_log(peer, SERVER_LOG_VERBOSE, "\"%s\" joined (protocol %u.%u, "
		 "%u formats)", peer->name, hello->major, hello->minor,
		 hello->n_formats);
	send_state(peer);
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
	struct server_buffer *old = ph->held;
	ph->outstanding = false;
	ph->held = NULL;
	if (holds_shown(peer) && old != NULL) {
		/* Its compositor keeps reading the buffer just shown: the
		 * UPDATE's hold passes on to it, and the one shown before
		 * (which the viewer now says its compositor let go of)
		 * is free. */
		struct server_buffer *before = ph->shown;
		ph->shown = old;
		old = before;
	}
	/* Send what piled up before letting go of the old buffer, so a
	 * buffer shown again is never seen as released in between. */
	peer_flush_head(peer, head);
	if (old != NULL)
		server_buffer_unhold(old);
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
	if (dev == NULL) {
		peer_fail(peer, PROTO_ERR_UNKNOWN_ID, "INPUT: device %u does "
			  "not exist (or was removed)", input->device_id);
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
		sent(peer, proto_send_pong(peer->fd, ping->serial),
		     PROTO_PONG);
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
	default:
		/* proto_validate lets no server-to-viewer type through. */
		peer_fail(peer, PROTO_ERR_UNEXPECTED, "%s is not a message "
			  "a viewer sends", proto_type_name(type));
		break;
	}
}

/* proto_recv's failures: too many fds, or a packet over the size limit. */
static enum proto_error
recv_error_code(const char *why)
{
	return strstr(why, "fds") != NULL ? PROTO_ERR_FD_COUNT :
					    PROTO_ERR_MALFORMED;
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
			peer_fail(peer, recv_error_code(why), "%s", why);
			return;
		case PROTO_IO_OK:
			handle_packet(peer, pkt);
			proto_packet_close_fds(pkt);
			break;
		}
	}
}

/* --- what every viewer takes (server.h) -------------------------------- */

/* The flags one viewer gives (fourcc, modifier), OR-ed over its entries
 * (a viewer may list a pair once for shm and once for dmabuf). */
static uint32_t
peer_format_flags(const struct peer *p, uint32_t fourcc, uint64_t modifier)
{
	uint32_t flags = 0;
	for (uint32_t i = 0; i < p->n_formats; i++) {
		if (p->formats[i].fourcc == fourcc &&
		    p->formats[i].modifier == modifier)
			flags |= p->formats[i].flags;
	}
	return flags;
}

size_t
server_viewer_formats(const struct server *server, struct proto_format *out,
		      size_t max)
{
	const struct peer *first = NULL;
	for (const struct peer *p = server->peers; p != NULL && !first;
	     p = p->next) {
		if (p->state == PEER_READY)
			first = p;
	}
	if (first == NULL)
		return 0;
	const uint32_t ways = PROTO_FORMAT_SHM | PROTO_FORMAT_DMABUF;
	size_t n = 0;
	for (uint32_t i = 0; i < first->n_formats && n < max; i++) {
		const struct proto_format *f = &first->formats[i];
		bool seen = false;
		for (size_t k = 0; k < n && !seen; k++)
			seen = out[k].fourcc == f->fourcc &&
			       out[k].modifier == f->modifier;
		if (seen)
			continue;
		/* How it can be shared: what every viewer takes; external-
		 * only: what any viewer needs. */
		uint32_t flags = peer_format_flags(first, f->fourcc, f->modifier);
		for (const struct peer *p = first->next; p != NULL;
		     p = p->next) {
			if (p->state != PEER_READY)
				continue;
			uint32_t other = peer_format_flags(p, f->fourcc,
							   f->modifier);
			flags = (flags & other & ways) |
				((flags | other) & PROTO_FORMAT_EXTERNAL_ONLY);
		}
		if ((flags & ways) == 0)
			continue;
		out[n++] = (struct proto_format){ .fourcc = f->fourcc,
			.modifier = f->modifier, .flags = flags };
	}
	return n;
}
