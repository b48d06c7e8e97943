/* SPDX-License-Identifier: MIT */
#include "client/state.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

#define CLIENT_FEATURES (PROTO_FEATURE_SHM | PROTO_FEATURE_DMABUF | \
			 PROTO_FEATURE_CURSOR | PROTO_FEATURE_INPUT | \
			 PROTO_FEATURE_LEDS)
/* How long a control message (FRAME_DONE, PONG, ERROR) may wait for room
 * in a full socket before the server counts as stuck. */
#define SEND_WAIT_MS 1000

bool
client_check_peer(int fd, const char *label)
{
	uid_t peer = (uid_t)-1;
	if (proto_peer_is_same_user(fd, &peer))
		return true;
	/* PROTOCOL.md: the side that notices says ACCESS before closing. */
	proto_send_error(fd, PROTO_ERR_ACCESS, "this viewer runs as uid %u and "
			 "accepts only servers of that uid; you are uid %u",
			 (unsigned)getuid(), (unsigned)peer);
	if (peer == (uid_t)-1) {
		log_error("cannot learn which user serves %s (SO_PEERCRED "
			  "failed: %s); refusing to connect", label,
			  strerror(errno));
	} else {
		log_error("refusing %s: its server runs as uid %u, not as our "
			  "uid %u; run qemu-eglview as the user that runs "
			  "eglview-shim", label, (unsigned)peer,
			  (unsigned)getuid());
	}
	return false;
}

/* Waits for room in the socket; a viewer only ever sends small messages,
 * so a socket that stays full means the server stopped reading. */
static bool
wait_writable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	int n;
	while ((n = poll(&pfd, 1, SEND_WAIT_MS)) < 0 && errno == EINTR)
		;
	if (n == 0)
		errno = ETIMEDOUT;
	return n > 0;
}

/* After a failed send: true when it is worth trying again. */
static bool
may_retry(int fd)
{
	return errno == EAGAIN && wait_writable(fd);
}

bool
client_may_retry(int fd)
{
	return may_retry(fd);
}

bool
client_fail(struct client *c, enum proto_error code, const char *fmt, ...)
{
	char why[PROTO_MAX_TEXT];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);

	bool sent;
	do
		sent = !c->connected || proto_send_error(c->fd, code, "%s", why);
	while (!sent && may_retry(c->fd));
	c->connected = false;
	log_error("protocol error from %s: %s", c->label, why);
	return false;
}

struct client *
client_create(int fd, const char *label, struct renderer *r)
{
	return client_create_direct(fd, label, r, NULL,
				    "no output to hand buffers to",
				    PROTO_FEATURE_RESIZE | PROTO_FEATURE_CLIPBOARD |
				    PROTO_FEATURE_AUDIO);
}

static void answer_released(void *data, uint32_t head_id, uint64_t presented_ns);

struct client *
client_create_direct(int fd, const char *label, struct renderer *r,
		     struct output *out, const char *why_not, uint32_t offer)
{
	struct client *c = calloc(1, sizeof(*c));
	if (c)
		c->pkt = calloc(1, sizeof(*c->pkt));
	if (!c || !c->pkt) {
		log_error("out of memory");
		free(c);
		close(fd);
		return NULL;
	}
	c->fd = fd;
	c->connected = true;
	c->renderer = r;
	snprintf(c->label, sizeof(c->label), "%s", label);
	c->formats = render_formats(r, &c->n_formats);
	c->out = out;
	c->resize_offered = offer & PROTO_FEATURE_RESIZE;
	c->clipboard_offered = offer & PROTO_FEATURE_CLIPBOARD;
	c->audio_offered = offer & PROTO_FEATURE_AUDIO;
	if (!out)
		snprintf(c->no_hold_why, sizeof(c->no_hold_why), "%s", why_not);
	else
		c->direct_offered = output_direct_offered(out, c->no_hold_why,
						sizeof(c->no_hold_why));
	/* A buffer held while shown can be read whenever the CPU draws. */
	c->hold_offered = c->direct_offered || render_reads_shown(r);
	if (c->direct_offered)
		out->impl->direct->set_listener(out, &(struct output_direct_listener){
			.data = c, .answer = answer_released,
			.left = client_direct_left });

	int flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		log_error("cannot make the connection to %s non-blocking: %s",
			  label, strerror(errno));
		c->connected = false;
		client_destroy(c);
		return NULL;
	}
	bool sent;
	do
		sent = proto_send_hello(fd, CLIENT_FEATURES |
					(c->hold_offered ? PROTO_FEATURE_HOLD_SHOWN : 0) |
					(c->resize_offered ? PROTO_FEATURE_RESIZE : 0) |
					(c->clipboard_offered ? PROTO_FEATURE_CLIPBOARD : 0) |
					(c->audio_offered ? PROTO_FEATURE_AUDIO : 0),
					"qemu-eglview",
					c->formats, c->n_formats);
	while (!sent && may_retry(fd));
	if (!sent) {
		log_error("cannot send HELLO to %s: %s", label,
			  strerror(errno));
		c->connected = false;
		client_destroy(c);
		return NULL;
	}
	log_verbose("sent HELLO to %s (protocol %d.%d, %u formats)", label,
		    PROTO_VERSION_MAJOR, PROTO_VERSION_MINOR, c->n_formats);
	return c;
}

void
client_destroy(struct client *c)
{
	if (!c)
		return;
	bool sent;
	do
		sent = !c->connected ||
		       proto_send_goodbye(c->fd, PROTO_BYE_QUIT, "viewer closed");
	while (!sent && may_retry(c->fd));
	/* Nothing is answered after GOODBYE. */
	if (c->direct_offered)
		c->out->impl->direct->set_listener(c->out, NULL);
	client_release_objects(c);
	close(c->fd);
	free(c->pkt);
	free(c);
}

bool
client_server_gone(const struct client *c)
{
	return c->server_gone;
}

int
client_fd(const struct client *c)
{
	return c->fd;
}

static const char *
goodbye_reason_name(uint32_t reason)
{
	switch (reason) {
	case PROTO_BYE_QUIT: return "QUIT";
	case PROTO_BYE_SHUTDOWN: return "SHUTDOWN";
	case PROTO_BYE_REPLACED: return "REPLACED";
	}
	return "unknown reason";
}

static const char *
message_text(const struct proto_packet *pkt)
{
	return (const char *)proto_packet_body(pkt) + sizeof(struct proto_error_msg);
}

static bool
handle_hello(struct client *c, const struct proto_packet *pkt)
{
	const struct proto_hello *hello = proto_packet_body(pkt);
	if (c->hello_received)
		return client_fail(c, PROTO_ERR_UNEXPECTED, "HELLO: a second HELLO "
				   "on one connection");
	/* proto_validate checked this already; the viewer relies on it. */
	if (hello->major != PROTO_VERSION_MAJOR)
		return client_fail(c, PROTO_ERR_VERSION, "HELLO: protocol major "
				   "version %u, this viewer speaks %d; use matching "
				   "versions of qemu-eglview and eglview-shim",
				   hello->major, PROTO_VERSION_MAJOR);
	c->hello_received = true;
	/* A feature bit the server's minor does not define means nothing. */
	c->server_features = proto_hello_features(hello);
	c->hold = c->hold_offered &&
		  (c->server_features & PROTO_FEATURE_HOLD_SHOWN);
	c->resize = c->resize_offered &&
		    (c->server_features & PROTO_FEATURE_RESIZE);
	c->clipboard = c->clipboard_offered &&
		       (c->server_features & PROTO_FEATURE_CLIPBOARD);
	c->audio = c->audio_offered &&
		   (c->server_features & PROTO_FEATURE_AUDIO);
	snprintf(c->server_name, sizeof(c->server_name), "%.*s",
		 (int)sizeof(hello->name), hello->name);
	log_verbose("%s is VM \"%s\", protocol %u.%u, features%s%s%s%s%s%s%s%s%s",
		    c->label, hello->name, hello->major, hello->minor,
		    hello->features & PROTO_FEATURE_SHM ? " shm" : "",
		    hello->features & PROTO_FEATURE_DMABUF ? " dmabuf" : "",
		    hello->features & PROTO_FEATURE_CURSOR ? " cursor" : "",
		    hello->features & PROTO_FEATURE_INPUT ? " input" : "",
		    c->server_features & PROTO_FEATURE_HOLD_SHOWN ?
		    " hold-shown" : "",
		    c->server_features & PROTO_FEATURE_LEDS ? " leds" : "",
		    c->server_features & PROTO_FEATURE_RESIZE ? " resize" : "",
		    c->server_features & PROTO_FEATURE_CLIPBOARD ? " clipboard" : "",
		    c->server_features & PROTO_FEATURE_AUDIO ? " audio" : "");
	return true;
}

static bool handle_packet(struct client *c, struct proto_packet *pkt,
			  enum client_status *status);

/* A send failed and the connection is over. A server that closed first
 * (EPIPE, ECONNRESET) may have said why: its GOODBYE or ERROR is still
 * queued for us, and is what the user is told. CLIENT_GOODBYE when it
 * was a GOODBYE. */
static enum client_status
send_failed(struct client *c, const char *what)
{
	int err = errno;
	c->connected = false;
	c->server_gone = err == EPIPE || err == ECONNRESET;
	/* c->pkt may be the packet being handled (an UPDATE answered). */
	struct proto_packet *pkt = c->server_gone ? malloc(sizeof(*pkt)) : NULL;
	char why[PROTO_MAX_TEXT];
	bool told = false;
	enum client_status status = CLIENT_FAILED;
	for (int i = 0; pkt != NULL && !told && i < 256; i++) {
		if (proto_recv(c->fd, pkt, why, sizeof(why)) != PROTO_IO_OK)
			break;
		told = proto_validate(pkt, PROTO_FROM_SERVER, why,
				      sizeof(why)) == PROTO_ERR_NONE &&
		       (proto_packet_type(pkt) == PROTO_GOODBYE ||
			proto_packet_type(pkt) == PROTO_ERROR);
		if (told)
			handle_packet(c, pkt, &status);
		proto_packet_close_fds(pkt);
	}
	free(pkt);
	if (!told)
		log_error("cannot send %s to %s: %s", what, c->label,
			  strerror(err));
	return status;
}

/* One validated packet; false when the connection ends (*status says how). */
static bool
handle_packet(struct client *c, struct proto_packet *pkt,
	      enum client_status *status)
{
	uint32_t type = proto_packet_type(pkt);
	const struct proto_error_msg *msg = proto_packet_body(pkt);

	switch (type) {
	case PROTO_ERROR:
		log_error("%s reported an error: %s: %s", c->label,
			  proto_error_name(msg->code), message_text(pkt));
		c->connected = false;
		*status = CLIENT_FAILED;
		return false;
	case PROTO_GOODBYE:
		log_verbose("%s said goodbye: %s: %s", c->label,
			    goodbye_reason_name(msg->code), message_text(pkt));
		c->connected = false;
		c->server_gone = msg->code == PROTO_BYE_SHUTDOWN ||
				 msg->code == PROTO_BYE_REPLACED;
		*status = CLIENT_GOODBYE;
		return false;
	case PROTO_HELLO:
		*status = CLIENT_FAILED;
		return handle_hello(c, pkt);
	}

	*status = CLIENT_FAILED;
	if (!c->hello_received)
		return client_fail(c, PROTO_ERR_UNEXPECTED, "%s before the server's "
				   "HELLO", proto_type_name(type));

	if (type == PROTO_PING) {
		const struct proto_ping *ping = proto_packet_body(pkt);
		bool sent;
		do
			sent = proto_send_pong(c->fd, ping->serial);
		while (!sent && may_retry(c->fd));
		if (!sent) {
			*status = send_failed(c, "PONG");
			return false;
		}
		return true;
	}
	if (!proto_type_known(type)) {
		/* A newer minor version may add types; they are skipped. */
		log_verbose("skipping unknown message type 0x%04x (%zu bytes, "
			    "%d fds)", type, pkt->len, pkt->n_fds);
		return true;
	}
	if (type == PROTO_CLIPBOARD_GRAB || type == PROTO_CLIPBOARD_REQUEST ||
	    type == PROTO_CLIPBOARD_DATA)
		return client_handle_clipboard(c, pkt);
	if (type == PROTO_AUDIO_STREAM || type == PROTO_AUDIO_STREAM_REMOVED ||
	    type == PROTO_AUDIO_STATE)
		return client_handle_audio(c, pkt);
	return client_handle_display(c, pkt);
}

enum client_status
client_read(struct client *c)
{
	struct proto_packet *pkt = c->pkt;
	char why[PROTO_MAX_TEXT];

	while (c->connected) {
		switch (proto_recv(c->fd, pkt, why, sizeof(why))) {
		case PROTO_IO_AGAIN:
			return CLIENT_OK;
		case PROTO_IO_EOF:
			log_error("%s closed the connection without GOODBYE",
				  c->label);
			c->connected = false;
			c->server_gone = true;
			return CLIENT_FAILED;
		case PROTO_IO_ERROR:
			if (pkt->refused == PROTO_ERR_NONE) {
				/* The socket failed: nothing to answer on. */
				log_error("lost the connection to %s: %s",
					  c->label, why);
				c->connected = false;
				c->server_gone = true;
				return CLIENT_FAILED;
			}
			client_fail(c, pkt->refused, "%s", why);
			return CLIENT_FAILED;
		case PROTO_IO_OK:
			break;
		}
		c->read_ns = timing_now_ns();

		if (log_is_verbose()) {
			uint32_t type = pkt->len >= sizeof(struct proto_header) ?
				proto_packet_type(pkt) : 0;
			log_verbose("<- %s (0x%04x, %zu bytes, %d fds)",
				    proto_type_name(type), type, pkt->len,
				    pkt->n_fds);
		}

		enum proto_error code = proto_validate(pkt, PROTO_FROM_SERVER,
						       why, sizeof(why));
		enum client_status status = CLIENT_OK;
		bool ok;
		if (code != PROTO_ERR_NONE) {
			ok = client_fail(c, code, "%s", why);
			status = CLIENT_FAILED;
		} else {
			ok = handle_packet(c, pkt, &status);
		}
		/* Whatever an importer did not take is closed here. */
		proto_packet_close_fds(pkt);
		if (!ok)
			return status;
	}
	return CLIENT_FAILED;
}

bool
client_needs_draw(const struct client *c)
{
	return c->needs_draw;
}

static int
compare_heads(const void *a, const void *b)
{
	const struct client_head *ha = *(const struct client_head *const *)a;
	const struct client_head *hb = *(const struct client_head *const *)b;
	if (ha->info.x != hb->info.x)
		return ha->info.x < hb->info.x ? -1 : 1;
	if (ha->info.y != hb->info.y)
		return ha->info.y < hb->info.y ? -1 : 1;
	return ha->id < hb->id ? -1 : ha->id > hb->id;
}

static int
enabled_heads(const struct client *c, const struct client_head **out)
{
	int n = 0;
	for (int i = 0; i < c->n_heads; i++) {
		if (c->heads[i].info.flags & PROTO_HEAD_ENABLED)
			out[n++] = &c->heads[i];
	}
	qsort(out, n, sizeof(*out), compare_heads);
	return n;
}

int
client_heads(const struct client *c, struct render_head **heads)
{
	const struct client_head *list[PROTO_MAX_HEADS];
	int n = enabled_heads(c, list);
	for (int i = 0; i < n; i++)
		heads[i] = list[i]->render;
	return n;
}

int
client_head_sizes(const struct client *c, int *sizes)
{
	const struct client_head *list[PROTO_MAX_HEADS];
	int n = enabled_heads(c, list);
	for (int i = 0; i < n; i++) {
		sizes[2 * i] = (int)list[i]->scanout.width;
		sizes[2 * i + 1] = (int)list[i]->scanout.height;
	}
	return n;
}

int
client_output_heads(const struct client *c, struct output_head *heads)
{
	const struct client_head *list[PROTO_MAX_HEADS];
	int n = enabled_heads(c, list);
	for (int i = 0; i < n; i++) {
		const struct client_head *head = list[i];
		bool bound = head->buffer_id != 0;
		heads[i] = (struct output_head){
			.id = head->id,
			.width = (int)(bound ? head->scanout.width : head->info.width),
			.height = (int)(bound ? head->scanout.height :
					head->info.height),
		};
		snprintf(heads[i].name, sizeof(heads[i].name), "%.*s",
			 (int)sizeof(head->info.name), head->info.name);
	}
	return n;
}

const char *
client_server_name(const struct client *c)
{
	return c->server_name[0] ? c->server_name : NULL;
}

bool
client_layout_size(const struct client *c, int *width, int *height)
{
	const struct client_head *list[PROTO_MAX_HEADS];
	int n = enabled_heads(c, list);
	int64_t w = 0, h = 0;
	for (int i = 0; i < n; i++) {
		/* A head shows its scanout's source rect; before one, its mode. */
		const struct client_head *head = list[i];
		uint32_t hw = head->buffer_id ? head->scanout.width : head->info.width;
		uint32_t hh = head->buffer_id ? head->scanout.height : head->info.height;
		w += hw;
		if (hh > h)
			h = hh;
	}
	if (n == 0 || w == 0 || h == 0)
		return false;
	*width = w > PROTO_MAX_DIMENSION ? PROTO_MAX_DIMENSION : (int)w;
	*height = (int)h;
	return true;
}

/* Sends a head's owed FRAME_DONE. Never waits: a socket full of our
 * input (a long --input-script) must not stop us reading what the server
 * sends meanwhile, or each side would wait on the other; the FRAME_DONE
 * then stays owed until POLLOUT (client_wants_write, client_flush). */
static bool
send_owed(struct client *c, struct client_head *head)
{
	if (proto_send_frame_done(c->fd, head->id, head->pending_seq,
				  head->owed_ns)) {
		head->done_owed = false;
		timing_ring_add(&head->timing->stages[TIMING_UPDATE_FRAME_DONE],
				timing_now_ns() - head->timing->read_ns);
		return true;
	}
	if (errno == EAGAIN)
		return true;
	send_failed(c, "FRAME_DONE");
	return false;
}

static bool
answer_update(struct client *c, struct client_head *head, uint64_t presented_ns)
{
	head->update_pending = false;
	head->direct_update = false;
	if (!c->connected)
		return true;
	/* The server sends no UPDATE on the head before this arrives. */
	head->done_owed = true;
	head->owed_ns = presented_ns;
	return send_owed(c, head);
}

bool
client_wants_write(const struct client *c)
{
	for (int i = 0; i < c->n_heads; i++) {
		if (c->heads[i].done_owed)
			return c->connected;
	}
	return false;
}

bool
client_flush(struct client *c)
{
	for (int i = 0; i < c->n_heads && c->connected; i++) {
		struct client_head *head = &c->heads[i];
		if (head->done_owed && !send_owed(c, head))
			return false;
	}
	return true;
}

/* PROTOCOL.md "Held buffers": the compositor let go of the buffer a
 * direct head showed before, so the server may write into it again. A
 * failed send is found by the next read of the socket. */
static void
answer_released(void *data, uint32_t head_id, uint64_t presented_ns)
{
	struct client *c = data;
	for (int i = 0; i < c->n_heads; i++) {
		struct client_head *head = &c->heads[i];
		if (head->id == head_id && head->update_pending &&
		    head->direct_update)
			answer_update(c, head, presented_ns);
	}
}

bool
client_frame_done(struct client *c, uint64_t presented_ns)
{
	c->needs_draw = false;
	for (int i = 0; i < c->n_heads; i++) {
		struct client_head *head = &c->heads[i];
		if (!head->update_pending)
			continue;
		/* Held: answered from answer_released() instead. */
		if (head->direct_update &&
		    !c->out->impl->direct->may_answer(c->out, head->id))
			continue;
		if (!answer_update(c, head, presented_ns))
			return false;
	}
	return true;
}

void
client_print_stats(const struct client *c, FILE *f)
{
	/* Sizes only: what the clipboard held is nobody's business here. */
	if (c->clipboard || c->resize || c->leds_received)
		fprintf(f, "qemu-eglview: session: clipboard_in_bytes=%" PRIu64
			" clipboard_out_bytes=%" PRIu64 " head_sizes_sent=%" PRIu64
			" leds_received=%" PRIu64 "\n", c->clipboard_in,
			c->clipboard_out, c->sizes_sent, c->leds_received);
	if (!c->out || !c->out->impl->direct)
		return;
	for (int i = 0; i < c->n_heads; i++) {
		const struct client_head *head = &c->heads[i];
		if (head->direct)
			fprintf(f, "qemu-eglview: head %u: zero-copy %s, "
				"direct_frames=%" PRIu64 " gl_frames=%" PRIu64 "\n",
				head->id, head->direct_dmabuf ? "linux-dmabuf" :
				"wl_shm", head->direct_frames, head->gl_frames);
		else
			fprintf(f, "qemu-eglview: head %u: GL (%s), "
				"direct_frames=%" PRIu64 " gl_frames=%" PRIu64 "\n",
				head->id, head->path_why[0] ? head->path_why :
				"no frame yet", head->direct_frames,
				head->gl_frames);
	}
}

void
client_note_view_frame(struct client *c, struct render_head *const *heads,
			int n_heads, const struct client_view_frame *f)
{
	for (int i = 0; i < c->n_heads; i++) {
		struct client_head *head = &c->heads[i];
		for (int k = 0; k < n_heads; k++) {
			if (heads[k] != head->render)
				continue;
			struct timing_head *t = head->timing;
			timing_ring_add(&t->stages[TIMING_DRAW], f->draw_ns);
			timing_ring_add(&t->stages[TIMING_PRESENT], f->present_ns);
			t->view_frames++;
			t->pixels_drawn += f->pixels_drawn;
		}
	}
}

void
client_print_timing(const struct client *c, const char *vm, FILE *f)
{
	for (int i = 0; i < c->n_heads; i++) {
		/* What reached GL for the head, when the damage did or later
		 * when a frame GL drew needed it. */
		c->heads[i].timing->bytes_uploaded =
			render_head_bytes_uploaded(c->heads[i].render);
		timing_head_print(c->heads[i].timing, c->heads[i].id, vm, f);
	}
}

bool
client_devices_known(const struct client *c)
{
	if (!c->hello_received)
		return false;
	/* The state a joiner gets lists every device before the first
	 * HEAD_INFO (PROTOCOL.md): one device read is not all of them (a
	 * script's tablet record failed behind the keyboard's). */
	return c->n_heads > 0 || !(c->server_features & PROTO_FEATURE_INPUT);
}

static const struct client_device *
find_batch_device(const struct client *c, const struct input_batch *batch)
{
	for (int i = 0; i < c->n_devices; i++) {
		const struct client_device *dev = &c->devices[i];
		if (batch->kind ? dev->kind == batch->kind : dev->id == batch->device_id)
			return dev;
	}
	return NULL;
}

enum client_send
client_send_input(struct client *c, const char *script_path,
		  const struct input_batch *batch)
{
	const struct client_device *dev = find_batch_device(c, batch);
	if (!dev) {
		char what[64];
		if (batch->kind)
			snprintf(what, sizeof(what), "no %s device",
				 proto_device_kind_name(batch->kind));
		else
			snprintf(what, sizeof(what), "no device with id %u",
				 batch->device_id);
		log_error("%s:%d: %s has %s (it has %d input devices; see them "
			  "with --verbose)", script_path, batch->line, c->label,
			  what, c->n_devices);
		return CLIENT_SEND_FAILED;
	}
	if (proto_send_input(c->fd, dev->id, batch->events, batch->n_events))
		return CLIENT_SENT;
	if (errno == EAGAIN)
		return CLIENT_SEND_AGAIN;
	send_failed(c, "INPUT");
	return CLIENT_SEND_FAILED;
}

uint64_t
client_leds_received(const struct client *c)
{
	return c->leds_received;
}

uint64_t
client_updates(const struct client *c)
{
	return c->updates;
}

void
client_set_listener(struct client *c, const struct client_listener *l)
{
	c->listener = *l;
}

const struct input_device *
client_device_of_kind(const struct client *c, uint32_t kind)
{
	for (int i = 0; i < c->n_devices; i++) {
		if (c->devices[i].kind == kind)
			return &c->devices[i].info;
	}
	return NULL;
}

bool
client_send_events(struct client *c, uint32_t device_id,
		   const struct proto_input_event *ev, uint32_t n)
{
	if (!c->connected)
		return false;
	bool sent;
	do
		sent = proto_send_input(c->fd, device_id, ev, n);
	while (!sent && may_retry(c->fd));
	if (!sent)
		send_failed(c, "INPUT");
	return sent;
}
