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
holds_shown(const struct peer *viewer)
{
	return viewer->hold_offered &&
	       (viewer->features & PROTO_FEATURE_HOLD_SHOWN);
}

/* A line about one connection: "viewer N (pid P): ..." first. */
static void
peer_log(const struct peer *viewer, enum server_log_level level,
	 const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
peer_log(const struct peer *viewer, enum server_log_level level,
	 const char *fmt, ...)
{
	char text[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	server_log(level, "viewer %u (pid %d): %s", viewer->number,
		   (int)viewer->pid, text);
}

static void
peer_fail(struct peer *viewer, enum proto_error code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Logs why, tells the viewer (ERROR code why) and closes it. */
static void
peer_fail(struct peer *viewer, enum proto_error code, const char *fmt, ...)
{
	char why[PROTO_MAX_TEXT];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	peer_log(viewer, SERVER_LOG_ERROR, "%s; closing the connection "
		 "(error %s)", why, proto_error_name(code));
	proto_send_error(viewer->fd, code, "%s", why);
	peer_close(viewer);
}

/* Every send goes through here: a viewer whose socket is full (it stopped
 * reading) or gone is dropped, never waited for. */
static bool
sent(struct peer *viewer, bool ok, uint32_t type)
{
	if (ok)
		return true;
	/* One that hung up before its HELLO (a probe asking whether the
	 * socket is alive) is no news. */
	bool quiet = viewer->state == VIEWER_HANDSHAKE &&
		     (errno == EPIPE || errno == ECONNRESET);
	peer_log(viewer, quiet ? SERVER_LOG_VERBOSE : SERVER_LOG_ERROR,
		 "cannot send %s: %s; dropping the viewer%s",
		 proto_type_name(type), strerror(errno),
		 errno == EAGAIN ? " (its socket is full: it stopped "
				   "reading)" : "");
	peer_close(viewer);
	return false;
}

struct peer *
peer_create(struct server *server, int fd, pid_t pid)
{
	struct peer *viewer = calloc(1, sizeof(*viewer));
	if (viewer == NULL) {
		server_log_error("out of memory accepting a viewer (pid %d)",
				 (int)pid);
		return NULL;
	}
	viewer->server = server;
	viewer->fd = fd;
	viewer->pid = pid;
	viewer->number = server->next_viewer_number++;
	viewer->next_seq = 1;
	viewer->state = VIEWER_HANDSHAKE;

	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = viewer };
	if (epoll_ctl(server->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		server_log_error("epoll_ctl for viewer pid %d: %s", (int)pid,
				 strerror(errno));
		free(viewer);
		return NULL;
	}
	viewer->next = server->viewers;
	if (server->viewers != NULL)
		server->viewers->prev = viewer;
	server->viewers = viewer;

	viewer->hold_offered = server->hold_shown;
	uint32_t features = server_features |
		(viewer->hold_offered ? PROTO_FEATURE_HOLD_SHOWN : 0);
	sent(viewer, proto_send_hello(fd, features, server->vm_name, NULL, 0),
	     PROTO_HELLO);
	return viewer;
}

void
peer_close(struct peer *viewer)
{
	if (viewer->state == VIEWER_DEAD)
		return;
	struct server *server = viewer->server;
	if (viewer->state == VIEWER_READY)
		viewer->left_pending = true;
	viewer->state = VIEWER_DEAD;
	epoll_ctl(server->epoll_fd, EPOLL_CTL_DEL, viewer->fd, NULL);
	close(viewer->fd);
	viewer->fd = -1;
	for (uint32_t i = 0; i < PROTO_MAX_HEADS; i++) {
		struct viewer_head *vh = &viewer->heads[i];
		if (vh->outstanding && vh->held != NULL)
			server_buffer_unhold(vh->held);
		if (vh->shown != NULL)
			server_buffer_unhold(vh->shown);
		*vh = (struct viewer_head){ 0 };
	}
	viewer->n_known = 0;
	peer_log(viewer, SERVER_LOG_VERBOSE, "left");
}

void
peer_free(struct peer *viewer)
{
	struct server *server = viewer->server;
	if (viewer->prev != NULL)
		viewer->prev->next = viewer->next;
	else
		server->viewers = viewer->next;
	if (viewer->next != NULL)
		viewer->next->prev = viewer->prev;
	free(viewer->formats);
	free(viewer);
}

void
peer_goodbye(struct peer *viewer, enum proto_goodbye_reason reason,
	       const char *text)
{
	proto_send_goodbye(viewer->fd, reason, "%s", text ? text : "");
	peer_close(viewer);
}

/* --- what the viewer can take ------------------------------------------ */

static bool
accepts_buffer(const struct peer *viewer, const struct server_buffer *b)
{
	for (uint32_t i = 0; i < viewer->n_formats; i++) {
		const struct proto_format *f = &viewer->formats[i];
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
knows_buffer(const struct peer *viewer, uint32_t id)
{
	for (uint32_t i = 0; i < viewer->n_known; i++) {
		if (viewer->known[i] == id)
			return true;
	}
	return false;
}

static bool
buffer_in_use(const struct peer *viewer, uint32_t id)
{
	for (uint32_t i = 0; i < PROTO_MAX_HEADS; i++) {
		const struct viewer_head *vh = &viewer->heads[i];
		if ((vh->bound != NULL && vh->bound->id == id) ||
		    (vh->held != NULL && vh->held->id == id) ||
		    (vh->shown != NULL && vh->shown->id == id))
			return true;
	}
	return false;
}

/* At the protocol's limit of live buffers per connection, the viewer is
 * told to drop one it shows nowhere; it is announced again if needed. */
static bool
make_room(struct peer *viewer)
{
	if (viewer->n_known < PROTO_MAX_BUFFERS)
		return true;
	for (uint32_t i = 0; i < viewer->n_known; i++) {
		uint32_t id = viewer->known[i];
		if (buffer_in_use(viewer, id))
			continue;
		viewer->known[i] = viewer->known[--viewer->n_known];
		return sent(viewer, proto_send_buffer_destroy(viewer->fd, id),
			    PROTO_BUFFER_DESTROY);
	}
	return true;
}

static bool
announce_buffer(struct peer *viewer, const struct server_buffer *b)
{
	if (!make_room(viewer))
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
		ok = sent(viewer, proto_send_buffer_dmabuf(viewer->fd, &msg,
							   b->fds),
			  PROTO_BUFFER_DMABUF);
	} else {
		struct proto_buffer_shm msg = {
			.buffer_id = b->id, .fourcc = b->fourcc,
			.width = b->width, .height = b->height,
			.stride = b->strides[0], .offset = b->shm_offset,
		};
		ok = sent(viewer, proto_send_buffer_shm(viewer->fd, &msg,
							b->fds[0]),
			  PROTO_BUFFER_SHM);
	}
	if (ok)
		viewer->known[viewer->n_known++] = b->id;
	return ok;
}

void
peer_forget_buffer(struct peer *viewer, struct server_buffer *buffer)
{
	for (uint32_t i = 0; i < PROTO_MAX_HEADS; i++) {
		struct viewer_head *vh = &viewer->heads[i];
		if (vh->bound == buffer)
			vh->bound = NULL;
		/* The FRAME_DONE is still owed; only the hold goes. */
		if (vh->held == buffer)
			vh->held = NULL;
		if (vh->shown == buffer)
			vh->shown = NULL;
	}
	if (viewer->state == VIEWER_DEAD)
		return;
	for (uint32_t i = 0; i < viewer->n_known; i++) {
		if (viewer->known[i] != buffer->id)
			continue;
		viewer->known[i] = viewer->known[--viewer->n_known];
		sent(viewer, proto_send_buffer_destroy(viewer->fd, buffer->id),
		     PROTO_BUFFER_DESTROY);
		return;
	}
}

/* --- frames ------------------------------------------------------------ */

void
peer_head_damage(struct peer *viewer, struct server_head *head,
		   const struct region *damage)
{
	struct viewer_head *vh = &viewer->heads[head->id - 1];
	region_add_region(&vh->damage, damage);
	vh->pending = true;
}

void
peer_drop_shown(struct peer *viewer, struct server_head *head)
{
	struct viewer_head *vh = &viewer->heads[head->id - 1];
	struct server_buffer *shown = vh->shown;
	vh->shown = NULL;
	if (shown != NULL)
		server_buffer_unhold(shown);
}

static void
unbind(struct peer *viewer, struct server_head *head)
{
	struct viewer_head *vh = &viewer->heads[head->id - 1];
	if (vh->bound == NULL)
		return;
	struct proto_scanout none = { .head_id = head->id };
	if (!sent(viewer, proto_send_scanout(viewer->fd, &none), PROTO_SCANOUT))
		return;
	vh->bound = NULL;
	/* The head shows black now: nothing of it is read any more. */
	peer_drop_shown(viewer, head);
}

void
peer_flush_head(struct peer *viewer, struct server_head *head)
{
	struct viewer_head *vh = &viewer->heads[head->id - 1];
	if (viewer->state != VIEWER_READY || vh->outstanding || !vh->pending ||
	    !head->enabled)
		return;
	struct server_buffer *b = head->current;
	if (b == NULL || !accepts_buffer(viewer, b)) {
		if (b != NULL && !vh->refused) {
			char name[5];
			peer_log(viewer, SERVER_LOG_INFO, "cannot show head %u: "
				 "it did not offer %s format %s%s; skipping "
				 "that head for it", head->id,
				 b->is_dmabuf ? "dmabuf" : "shm",
				 proto_fourcc_name(b->fourcc, name),
				 b->is_dmabuf ? " with this modifier" : "");
			vh->refused = true;
		}
		vh->pending = false;
		region_clear(&vh->damage);
		unbind(viewer, head);
		return;
	}
	vh->refused = false;

	/* A buffer new to the viewer, or a change of size, makes the
	 * damage relative to nothing the viewer has: send it whole. */
	bool whole = false;
	if (!knows_buffer(viewer, b->id)) {
		if (!announce_buffer(viewer, b))
			return;
		whole = true;
	}
	if (vh->bound != b || vh->bound_flags != head->scanout_flags) {
		if (vh->bound == NULL || vh->bound->width != b->width ||
		    vh->bound->height != b->height)
			whole = true;
		struct proto_scanout scanout = {
			.head_id = head->id, .buffer_id = b->id,
			.flags = head->scanout_flags,
			.width = b->width, .height = b->height,
		};
		if (!sent(viewer, proto_send_scanout(viewer->fd, &scanout),
			  PROTO_SCANOUT))
			return;
		vh->bound = b;
		vh->bound_flags = head->scanout_flags;
	}
	if (whole) {
		region_clear(&vh->damage);
		region_add_rect(&vh->damage, &(struct proto_rect){
			0, 0, b->width, b->height });
	}
	region_clip(&vh->damage, b->width, b->height);
	vh->pending = false;
	if (region_is_empty(&vh->damage))
		return;

	uint32_t seq = viewer->next_seq++;
	if (!sent(viewer, proto_send_update(viewer->fd, head->id, seq,
					    vh->damage.rects,
					    vh->damage.n_rects), PROTO_UPDATE))
		return;
	region_clear(&vh->damage);
	vh->outstanding = true;
	vh->seq = seq;
	vh->held = b;
	server_buffer_hold(b);
}

/* --- the current state, for a viewer that just said HELLO -------------- */

void
peer_send_head_info(struct peer *viewer, struct server_head *head)
{
	struct server *server = viewer->server;
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
	sent(viewer, proto_send_head_info(viewer->fd, &info), PROTO_HEAD_INFO);
}

void
peer_send_cursor(struct peer *viewer, struct server_head *head,
		   bool image, bool pos)
{
	if (!(viewer->features & PROTO_FEATURE_CURSOR))
		return;
	if (image && head->has_cursor_image &&
	    !sent(viewer, proto_send_cursor_image(viewer->fd, &head->cursor,
						  head->cursor_pixels),
		  PROTO_CURSOR_IMAGE))
		return;
	if (pos && head->has_cursor_pos)
		sent(viewer, proto_send_cursor_pos(viewer->fd, &head->cursor_pos),
		     PROTO_CURSOR_POS);
}

void
peer_send_device(struct peer *viewer, struct server_device *dev)
{
	if (viewer->features & PROTO_FEATURE_INPUT)
		sent(viewer, proto_send_input_device(viewer->fd, &dev->info,
						     dev->axes),
		     PROTO_INPUT_DEVICE);
}

void
peer_send_device_removed(struct peer *viewer, uint32_t id)
{
	if (viewer->features & PROTO_FEATURE_INPUT)
		sent(viewer, proto_send_input_device_removed(viewer->fd, id),
		     PROTO_INPUT_DEVICE_REMOVED);
}

static void
send_state(struct peer *viewer)
{
	struct server *server = viewer->server;
	for (uint32_t i = 0; i < PROTO_MAX_INPUT_DEVICES; i++) {
		if (server->devices[i] != NULL && viewer->state == VIEWER_READY)
			peer_send_device(viewer, server->devices[i]);
	}
	for (uint32_t i = 0; i < server->n_heads; i++) {
		if (viewer->state == VIEWER_READY)
			peer_send_head_info(viewer, server->heads[i]);
	}
	for (uint32_t i = 0; i < server->n_heads; i++) {
		struct server_head *head = server->heads[i];
		if (viewer->state != VIEWER_READY || !head->enabled)
			continue;
		if (head->current != NULL) {
			viewer->heads[i].pending = true;
			peer_flush_head(viewer, head);
		}
		if (viewer->state == VIEWER_READY)
			peer_send_cursor(viewer, head, true, true);
	}
}

/* --- packets from the viewer ------------------------------------------- */

static void
handle_hello(struct peer *viewer, const struct proto_packet *pkt)
{
	const struct proto_hello *hello = proto_packet_body(pkt);
	if (viewer->state != VIEWER_HANDSHAKE) {
		peer_fail(viewer, PROTO_ERR_UNEXPECTED, "HELLO: a second HELLO "
			    "on the same connection");
		return;
	}
	if (hello->n_formats > 0) {
		viewer->formats = calloc(hello->n_formats,
					 sizeof(*viewer->formats));
		if (viewer->formats == NULL) {
			peer_fail(viewer, PROTO_ERR_INTERNAL, "out of memory "
				    "for %u formats", hello->n_formats);
			return;
		}
		memcpy(viewer->formats, (const uint8_t *)(hello + 1),
		       hello->n_formats * sizeof(*viewer->formats));
	}
	viewer->n_formats = hello->n_formats;
	viewer->features = hello->features;
	snprintf(viewer->name, sizeof(viewer->name), "%s", hello->name);
	viewer->state = VIEWER_READY;
	viewer->join_pending = true;
	peer_log(viewer, SERVER_LOG_VERBOSE, "\"%s\" joined (protocol %u.%u, "
		 "%u formats)", viewer->name, hello->major, hello->minor,
		 hello->n_formats);
	send_state(viewer);
}

static void
handle_frame_done(struct peer *viewer, const struct proto_packet *pkt)
{
	const struct proto_frame_done *done = proto_packet_body(pkt);
	struct server_head *head = server_find_head(viewer->server,
						    done->head_id);
	if (head == NULL) {
		peer_fail(viewer, PROTO_ERR_UNKNOWN_ID, "FRAME_DONE: head %u "
			    "does not exist (heads are 1..%u)", done->head_id,
			    viewer->server->n_heads);
		return;
	}
	struct viewer_head *vh = &viewer->heads[head->id - 1];
	if (!vh->outstanding || done->seq != vh->seq) {
		if (vh->outstanding)
			peer_fail(viewer, PROTO_ERR_UNEXPECTED, "FRAME_DONE: "
				    "head %u seq %u, but the outstanding "
				    "UPDATE has seq %u", head->id, done->seq,
				    vh->seq);
		else
			peer_fail(viewer, PROTO_ERR_UNEXPECTED, "FRAME_DONE: "
				    "head %u seq %u, but no UPDATE is "
				    "outstanding on it", head->id, done->seq);
		return;
	}
	struct server_buffer *old = vh->held;
	vh->outstanding = false;
	vh->held = NULL;
	if (holds_shown(viewer) && old != NULL) {
		/* Its compositor keeps reading the buffer just shown: the
		 * UPDATE's hold passes on to it, and the one shown before
		 * (which the viewer now says its compositor let go of)
		 * is free. */
		struct server_buffer *before = vh->shown;
		vh->shown = old;
		old = before;
	}
	/* Send what piled up before letting go of the old buffer, so a
	 * buffer shown again is never seen as released in between. */
	peer_flush_head(viewer, head);
	if (old != NULL)
		server_buffer_unhold(old);
}

/* Counts INPUT messages per one-second window; true (the viewer dropped)
 * past SERVER_MAX_INPUT_PER_SECOND. */
static bool
input_flood(struct peer *viewer)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	if (viewer->input_in_window == 0 ||
	    now - viewer->input_window_ns >= 1000000000u) {
		viewer->input_window_ns = now;
		viewer->input_in_window = 0;
	}
	if (++viewer->input_in_window <= SERVER_MAX_INPUT_PER_SECOND)
		return false;
	peer_fail(viewer, PROTO_ERR_LIMIT, "INPUT: more than %d messages "
		    "within one second; a viewer must not flood the VM",
		    SERVER_MAX_INPUT_PER_SECOND);
	return true;
}

static void
handle_input(struct peer *viewer, const struct proto_packet *pkt)
{
	struct server *server = viewer->server;
	const struct proto_input *input = proto_packet_body(pkt);
	const struct proto_input_event *ev =
		(const struct proto_input_event *)(input + 1);
	if (input_flood(viewer))
		return;
	struct server_device *dev = server_find_device(server, input->device_id);
	if (dev == NULL) {
		peer_fail(viewer, PROTO_ERR_UNKNOWN_ID, "INPUT: device %u does "
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
			peer_fail(viewer, PROTO_ERR_BAD_VALUE, "INPUT: record "
				    "%u has type %u (%s), which device %u "
				    "(\"%s\") does not report", i, ev[i].type,
				    name ? name : "unknown", dev->info.device_id,
				    dev->info.name);
			return;
		}
	}
	held_keys_note(&viewer->held, dev->info.device_id, ev, input->n_events);
	if (server->cb.input != NULL)
		server->cb.input(server->data, dev->info.device_id,
				 dev->info.kind, ev, input->n_events);
}

static void
handle_text(struct peer *viewer, const struct proto_packet *pkt)
{
	const struct proto_error_msg *msg = proto_packet_body(pkt);
	const char *text = (const char *)(msg + 1);
	if (proto_packet_type(pkt) == PROTO_ERROR)
		peer_log(viewer, SERVER_LOG_ERROR, "sent ERROR %s: %s",
			 proto_error_name(msg->code), text);
	else
		peer_log(viewer, SERVER_LOG_VERBOSE, "said GOODBYE: %s", text);
	peer_close(viewer);
}

static void
handle_packet(struct peer *viewer, struct proto_packet *pkt)
{
	char why[PROTO_MAX_TEXT];
	enum proto_error err = proto_validate(pkt, PROTO_FROM_VIEWER, why,
					      sizeof(why));
	if (err != PROTO_ERR_NONE) {
		peer_fail(viewer, err, "%s", why);
		return;
	}
	uint32_t type = proto_packet_type(pkt);
	if (!proto_type_known(type))
		return; /* a later minor version's message: skipped */
	if (viewer->state == VIEWER_HANDSHAKE && type != PROTO_HELLO) {
		peer_fail(viewer, PROTO_ERR_UNEXPECTED, "%s before HELLO: the "
			    "first message must be HELLO", proto_type_name(type));
		return;
	}
	switch (type) {
	case PROTO_HELLO:
		handle_hello(viewer, pkt);
		break;
	case PROTO_PING: {
		const struct proto_ping *ping = proto_packet_body(pkt);
		sent(viewer, proto_send_pong(viewer->fd, ping->serial),
		     PROTO_PONG);
		break;
	}
	case PROTO_PONG:
		break; /* this server sends no PING: nothing to match */
	case PROTO_ERROR:
	case PROTO_GOODBYE:
		handle_text(viewer, pkt);
		break;
	case PROTO_FRAME_DONE:
		handle_frame_done(viewer, pkt);
		break;
	case PROTO_INPUT:
		handle_input(viewer, pkt);
		break;
	default:
		/* proto_validate lets no server-to-viewer type through. */
		peer_fail(viewer, PROTO_ERR_UNEXPECTED, "%s is not a message "
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
peer_handle_readable(struct peer *viewer)
{
	struct proto_packet *pkt = viewer->server->pkt;
	char why[PROTO_MAX_TEXT];
	for (int i = 0; i < MAX_PACKETS_PER_DISPATCH; i++) {
		if (viewer->state == VIEWER_DEAD)
			return;
		switch (proto_recv(viewer->fd, pkt, why, sizeof(why))) {
		case PROTO_IO_AGAIN:
			return;
		case PROTO_IO_EOF:
			peer_log(viewer, SERVER_LOG_VERBOSE,
				 "closed the connection");
			peer_close(viewer);
			return;
		case PROTO_IO_ERROR:
			peer_fail(viewer, recv_error_code(why), "%s", why);
			return;
		case PROTO_IO_OK:
			handle_packet(viewer, pkt);
			proto_packet_close_fds(pkt);
			break;
		}
	}
}

/* --- what every viewer takes (server.h) -------------------------------- */

/* The flags one viewer gives (fourcc, modifier), OR-ed over its entries
 * (a viewer may list a pair once for shm and once for dmabuf). */
static uint32_t
peer_format_flags(const struct peer *v, uint32_t fourcc, uint64_t modifier)
{
	uint32_t flags = 0;
	for (uint32_t i = 0; i < v->n_formats; i++) {
		if (v->formats[i].fourcc == fourcc &&
		    v->formats[i].modifier == modifier)
			flags |= v->formats[i].flags;
	}
	return flags;
}

size_t
server_viewer_formats(const struct server *server, struct proto_format *out,
		      size_t max)
{
	const struct peer *first = NULL;
	for (const struct peer *v = server->viewers; v != NULL && !first;
	     v = v->next) {
		if (v->state == VIEWER_READY)
			first = v;
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
		for (const struct peer *v = first->next; v != NULL; v = v->next) {
			if (v->state != VIEWER_READY)
				continue;
			uint32_t other = peer_format_flags(v, f->fourcc, f->modifier);
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
