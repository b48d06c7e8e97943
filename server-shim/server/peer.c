/* SPDX-License-Identifier: MIT */
/*
 * One viewer connection of libeglview-server, what it is sent: our HELLO,
 * the buffers it knows, what it has been sent of each head (bound buffer,
 * the outstanding UPDATE, the damage coalesced meanwhile), the state a new
 * viewer is brought up to. What it sends is receive.c's.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server/private.h"

static const uint32_t server_features = PROTO_FEATURE_SHM |
	PROTO_FEATURE_DMABUF | PROTO_FEATURE_CURSOR | PROTO_FEATURE_INPUT |
	PROTO_FEATURE_LEDS | PROTO_FEATURE_AUDIO;

void
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

/* Every send goes through here: a viewer whose socket is full (it stopped
 * reading) or gone is dropped, never waited for. */
bool
peer_sent(struct peer *peer, bool ok, uint32_t type)
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
		(peer->hold_offered ? PROTO_FEATURE_HOLD_SHOWN : 0) |
		(server->cb.head_size != NULL ? PROTO_FEATURE_RESIZE : 0) |
		(server->cb.clipboard_grab != NULL ? PROTO_FEATURE_CLIPBOARD : 0);
	peer_sent(peer, proto_send_hello(fd, features, server->vm_name, NULL, 0),
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
	for (int i = 0; i < PROTO_MAX_AUDIO_STREAMS; i++)
		peer_audio_forget(peer, i);
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
	/* What the viewer sent and we did not read would, at close, reset
	 * its end: a reset that reads before our GOODBYE. Discard it. */
	char byte;
	for (int i = 0; i < 1024; i++) {
		if (recv(peer->fd, &byte, 1, MSG_DONTWAIT | MSG_TRUNC) < 0)
			break;
	}
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
		return peer_sent(peer, proto_send_buffer_destroy(peer->fd, id),
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
		ok = peer_sent(peer, proto_send_buffer_dmabuf(peer->fd, &msg,
							 b->fds),
			  PROTO_BUFFER_DMABUF);
	} else {
		struct proto_buffer_shm msg = {
			.buffer_id = b->id, .fourcc = b->fourcc,
			.width = b->width, .height = b->height,
			.stride = b->strides[0], .offset = b->shm_offset,
		};
		ok = peer_sent(peer, proto_send_buffer_shm(peer->fd, &msg,
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
		peer_sent(peer, proto_send_buffer_destroy(peer->fd, buffer->id),
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
	if (!peer_sent(peer, proto_send_scanout(peer->fd, &none), PROTO_SCANOUT))
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
		if (!peer_sent(peer, proto_send_scanout(peer->fd, &scanout),
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
	if (!peer_sent(peer, proto_send_update(peer->fd, head->id, seq,
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
	peer_sent(peer, proto_send_head_info(peer->fd, &info), PROTO_HEAD_INFO);
}

void
peer_send_cursor(struct peer *peer, struct server_head *head,
		 bool image, bool pos)
{
	if (!(peer->features & PROTO_FEATURE_CURSOR))
		return;
	if (image && head->has_cursor_image &&
	    !peer_sent(peer, proto_send_cursor_image(peer->fd, &head->cursor,
						head->cursor_pixels),
		  PROTO_CURSOR_IMAGE))
		return;
	if (pos && head->has_cursor_pos)
		peer_sent(peer, proto_send_cursor_pos(peer->fd, &head->cursor_pos),
		     PROTO_CURSOR_POS);
}

void
peer_send_device(struct peer *peer, struct server_device *dev)
{
	if (peer->features & PROTO_FEATURE_INPUT)
		peer_sent(peer, proto_send_input_device(peer->fd, &dev->info,
						   dev->axes),
		     PROTO_INPUT_DEVICE);
}

void
peer_send_device_leds(struct peer *peer, const struct server_device *dev,
		      uint32_t mask)
{
	if (!(peer->features & PROTO_FEATURE_LEDS) || mask == 0)
		return;
	struct proto_input_event ev[PROTO_LED_MAX + 2];
	uint32_t n = 0;
	for (uint16_t led = 0; led <= PROTO_LED_MAX; led++) {
		if (mask & (1u << led))
			ev[n++] = (struct proto_input_event){ PROTO_EV_LED, led,
				(dev->leds >> led) & 1 };
	}
	ev[n++] = (struct proto_input_event){ 0, 0, 0 }; /* SYN_REPORT */
	peer_sent(peer, proto_send_device_status(peer->fd, dev->info.device_id, ev,
					    n),
	     PROTO_DEVICE_STATUS);
}

void
peer_send_clipboard_grab(struct peer *peer, uint32_t selection,
			 uint32_t serial, const char *const *mimes,
			 uint32_t n_mimes)
{
	peer_sent(peer, proto_send_clipboard_grab(peer->fd, selection, serial,
					     mimes, n_mimes),
	     PROTO_CLIPBOARD_GRAB);
}

void
peer_send_clipboard_request(struct peer *peer, uint32_t selection,
			    uint32_t serial, const char *mime)
{
	peer_sent(peer, proto_send_clipboard_request(peer->fd, selection, serial,
						mime),
	     PROTO_CLIPBOARD_REQUEST);
}

void
peer_send_clipboard_data(struct peer *peer, uint32_t selection,
			 uint32_t serial, uint32_t status, const char *mime,
			 const void *data, uint32_t length)
{
	peer_sent(peer, proto_send_clipboard_data(peer->fd, selection, serial,
					     status, mime, data, length),
	     PROTO_CLIPBOARD_DATA);
}

void
peer_send_device_removed(struct peer *peer, uint32_t id)
{
	peer->removed[peer->n_removed++ % PEER_REMOVED_DEVICES] = id;
	if (peer->features & PROTO_FEATURE_INPUT)
		peer_sent(peer, proto_send_input_device_removed(peer->fd, id),
		     PROTO_INPUT_DEVICE_REMOVED);
}

bool
peer_device_was_removed(const struct peer *peer, uint32_t id)
{
	uint32_t n = peer->n_removed < PEER_REMOVED_DEVICES ? peer->n_removed :
		     PEER_REMOVED_DEVICES;
	for (uint32_t i = 0; i < n; i++) {
		if (peer->removed[i] == id)
			return true;
	}
	return false;
}

void
peer_send_pong(struct peer *peer, uint32_t serial)
{
	peer_sent(peer, proto_send_pong(peer->fd, serial), PROTO_PONG);
}

void
peer_send_state(struct peer *peer)
{
	struct server *server = peer->server;
	for (uint32_t i = 0; i < PROTO_MAX_INPUT_DEVICES; i++) {
		struct server_device *dev = server->devices[i];
		if (dev != NULL && peer->state == PEER_READY)
			peer_send_device(peer, dev);
		if (dev != NULL && peer->state == PEER_READY)
			peer_send_device_leds(peer, dev, dev->leds_reported);
	}
	for (uint32_t i = 0; i < server->n_heads; i++) {
		if (peer->state == PEER_READY)
			peer_send_head_info(peer, server->heads[i]);
	}
	if (peer->state == PEER_READY)
		server_clipboard_state(peer);
	peer_send_audio(peer);
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
