/* SPDX-License-Identifier: MIT */
/*
 * Moving packets: one message per SOCK_SEQPACKET packet, its fds riding
 * on it as SCM_RIGHTS. Receiving, sending, and the typed senders.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "proto.h"

void
proto_packet_close_fds(struct proto_packet *pkt)
{
	for (int i = 0; i < pkt->n_fds; i++) {
		if (pkt->fds[i] >= 0)
			close(pkt->fds[i]);
		pkt->fds[i] = -1;
	}
	pkt->n_fds = 0;
}

/* Takes every fd of every SCM_RIGHTS message; the ones beyond
 * PROTO_MAX_FDS are closed at once and counted in *extra. */
static void
collect_fds(struct msghdr *msg, struct proto_packet *pkt, int *extra)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c != NULL;
	     c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		const unsigned char *data = CMSG_DATA(c);
		for (size_t i = 0; i < n; i++) {
			int fd;
			memcpy(&fd, data + i * sizeof(int), sizeof(int));
			if (pkt->n_fds < PROTO_MAX_FDS) {
				pkt->fds[pkt->n_fds++] = fd;
			} else {
				close(fd);
				(*extra)++;
			}
		}
	}
}

enum proto_io
proto_recv(int fd, struct proto_packet *pkt, char *why, size_t why_size)
{
	/* Room for one fd more than allowed, so that a packet with too
	 * many is seen as such even before MSG_CTRUNC. */
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * (PROTO_MAX_FDS + 1))];
	} control;
	struct iovec iov = { .iov_base = pkt->data, .iov_len = sizeof(pkt->data) };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};

	pkt->len = 0;
	pkt->n_fds = 0;
	pkt->refused = PROTO_ERR_NONE;
	for (int i = 0; i < PROTO_MAX_FDS; i++)
		pkt->fds[i] = -1;

	ssize_t n;
	bool reset = false;
	for (;;) {
		/* MSG_TRUNC makes the return value the packet's real size. */
		n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC | MSG_TRUNC);
		if (n >= 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno != ECONNRESET || reset)
			break;
		/* The peer closed with our packets unread in its queue. A
		 * datagram read reports that (once) before the packets the
		 * peer sent last, its GOODBYE among them: read on for them. */
		reset = true;
	}
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return reset ? PROTO_IO_EOF : PROTO_IO_AGAIN;
		if (errno == ECONNRESET)
			return PROTO_IO_EOF;
		snprintf(why, why_size, "recvmsg: %s", strerror(errno));
		return PROTO_IO_ERROR;
	}

	int extra = 0;
	collect_fds(&msg, pkt, &extra);
	if (msg.msg_flags & MSG_CTRUNC || extra > 0) {
		snprintf(why, why_size, "packet carried more than %d fds "
			 "(limit PROTO_MAX_FDS); its fds were closed",
			 PROTO_MAX_FDS);
		proto_packet_close_fds(pkt);
		pkt->refused = PROTO_ERR_FD_COUNT;
		return PROTO_IO_ERROR;
	}
	if (msg.msg_flags & MSG_TRUNC || (size_t)n > sizeof(pkt->data)) {
		snprintf(why, why_size, "packet of %zd bytes exceeds the limit "
			 "of %d (PROTO_MAX_MSG_SIZE)", n, PROTO_MAX_MSG_SIZE);
		proto_packet_close_fds(pkt);
		pkt->refused = PROTO_ERR_MALFORMED;
		return PROTO_IO_ERROR;
	}
	/* A zero-length packet reads the same as the peer closing; the
	 * protocol has none, so it is taken as the end. */
	if (n == 0) {
		proto_packet_close_fds(pkt);
		return PROTO_IO_EOF;
	}
	pkt->len = (size_t)n;
	return PROTO_IO_OK;
}

bool
proto_send_msg(int fd, uint32_t type, const void *body, size_t body_len,
	       const void *tail, size_t tail_len, const int *fds, int n_fds)
{
	size_t total = sizeof(struct proto_header) + body_len + tail_len;
	if (total > PROTO_MAX_MSG_SIZE) {
		errno = EMSGSIZE;
		return false;
	}
	if (n_fds < 0 || n_fds > PROTO_MAX_FDS || (n_fds > 0 && fds == NULL)) {
		errno = EINVAL;
		return false;
	}

	struct proto_header header = { .type = type, .length = (uint32_t)total };
	struct iovec iov[3] = {
		{ .iov_base = &header, .iov_len = sizeof(header) },
		{ .iov_base = (void *)body, .iov_len = body_len },
		{ .iov_base = (void *)tail, .iov_len = tail_len },
	};
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * PROTO_MAX_FDS)];
	} control;
	struct msghdr msg = {
		.msg_iov = iov,
		.msg_iovlen = 3,
	};
	if (n_fds > 0) {
		memset(&control, 0, sizeof(control));
		msg.msg_control = control.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * n_fds);
	}

	ssize_t n;
	do {
		n = sendmsg(fd, &msg, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return false;
	if ((size_t)n != total) {
		/* SOCK_SEQPACKET sends whole packets; a short one is a bug. */
		errno = EMSGSIZE;
		return false;
	}
	return true;
}

uint32_t
proto_hello_features(const struct proto_hello *hello)
{
	/* What the lower of the two minors defines (PROTOCOL.md,
	 * Versioning): bits 0..3 in minor 0, HOLD_SHOWN from minor 1, LEDS
	 * from minor 2, AUDIO from minor 3. */
	uint32_t known = PROTO_FEATURE_SHM | PROTO_FEATURE_DMABUF |
			 PROTO_FEATURE_CURSOR | PROTO_FEATURE_INPUT;
	if (hello->minor >= 1)
		known |= PROTO_FEATURE_HOLD_SHOWN;
	if (hello->minor >= 2)
		known |= PROTO_FEATURE_LEDS | PROTO_FEATURE_RESIZE |
			 PROTO_FEATURE_CLIPBOARD;
	if (hello->minor >= 3)
		known |= PROTO_FEATURE_AUDIO;
	return hello->features & known;
}

bool
proto_send_hello(int fd, uint32_t features, const char *name,
		 const struct proto_format *formats, uint32_t n_formats)
{
	struct proto_hello hello = {
		.major = PROTO_VERSION_MAJOR,
		.minor = PROTO_VERSION_MINOR,
		.features = features,
		.n_formats = n_formats,
	};
	memcpy(hello.magic, PROTO_MAGIC, sizeof(PROTO_MAGIC));
	snprintf(hello.name, sizeof(hello.name), "%s", name ? name : "");
	if (n_formats > PROTO_MAX_FORMATS) {
		errno = EINVAL;
		return false;
	}
	return proto_send_msg(fd, PROTO_HELLO, &hello, sizeof(hello), formats,
			      (size_t)n_formats * sizeof(*formats), NULL, 0);
}

static bool
send_serial(int fd, uint32_t type, uint32_t serial)
{
	struct proto_ping ping = { .serial = serial };
	return proto_send_msg(fd, type, &ping, sizeof(ping), NULL, 0, NULL, 0);
}

bool
proto_send_ping(int fd, uint32_t serial)
{
	return send_serial(fd, PROTO_PING, serial);
}

bool
proto_send_pong(int fd, uint32_t serial)
{
	return send_serial(fd, PROTO_PONG, serial);
}

static bool
send_text(int fd, uint32_t type, uint32_t code, const char *fmt, va_list ap)
{
	struct proto_error_msg msg = { .code = code };
	char text[PROTO_MAX_TEXT];
	int n = vsnprintf(text, sizeof(text), fmt, ap);
	if (n < 0)
		text[0] = '\0';
	return proto_send_msg(fd, type, &msg, sizeof(msg), text,
			      strlen(text) + 1, NULL, 0);
}

bool
proto_send_error(int fd, enum proto_error code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bool ok = send_text(fd, PROTO_ERROR, code, fmt, ap);
	va_end(ap);
	return ok;
}

bool
proto_send_goodbye(int fd, enum proto_goodbye_reason reason,
		   const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bool ok = send_text(fd, PROTO_GOODBYE, reason, fmt, ap);
	va_end(ap);
	return ok;
}

bool
proto_send_head_info(int fd, const struct proto_head_info *info)
{
	return proto_send_msg(fd, PROTO_HEAD_INFO, info, sizeof(*info),
			      NULL, 0, NULL, 0);
}

bool
proto_send_buffer_dmabuf(int fd, const struct proto_buffer_dmabuf *buf,
			 const int *fds)
{
	if (buf->n_planes < 1 || buf->n_planes > PROTO_MAX_PLANES) {
		errno = EINVAL;
		return false;
	}
	return proto_send_msg(fd, PROTO_BUFFER_DMABUF, buf, sizeof(*buf),
			      NULL, 0, fds, (int)buf->n_planes);
}

bool
proto_send_buffer_shm(int fd, const struct proto_buffer_shm *buf, int shm_fd)
{
	return proto_send_msg(fd, PROTO_BUFFER_SHM, buf, sizeof(*buf),
			      NULL, 0, &shm_fd, 1);
}

bool
proto_send_buffer_destroy(int fd, uint32_t buffer_id)
{
	struct proto_buffer_destroy msg = { .buffer_id = buffer_id };
	return proto_send_msg(fd, PROTO_BUFFER_DESTROY, &msg, sizeof(msg),
			      NULL, 0, NULL, 0);
}

bool
proto_send_scanout(int fd, const struct proto_scanout *scanout)
{
	return proto_send_msg(fd, PROTO_SCANOUT, scanout, sizeof(*scanout),
			      NULL, 0, NULL, 0);
}

bool
proto_send_update(int fd, uint32_t head_id, uint32_t seq,
		  const struct proto_rect *rects, uint32_t n_rects)
{
	if (n_rects > PROTO_MAX_DAMAGE_RECTS) {
		errno = EINVAL;
		return false;
	}
	struct proto_update msg = {
		.head_id = head_id,
		.seq = seq,
		.n_rects = n_rects,
	};
	return proto_send_msg(fd, PROTO_UPDATE, &msg, sizeof(msg), rects,
			      (size_t)n_rects * sizeof(*rects), NULL, 0);
}

bool
proto_send_cursor_image(int fd, const struct proto_cursor_image *cursor,
			const uint32_t *pixels)
{
	if (cursor->width > PROTO_MAX_CURSOR_SIZE ||
	    cursor->height > PROTO_MAX_CURSOR_SIZE) {
		errno = EINVAL;
		return false;
	}
	size_t size = (size_t)cursor->width * cursor->height * 4;
	return proto_send_msg(fd, PROTO_CURSOR_IMAGE, cursor, sizeof(*cursor),
			      pixels, size, NULL, 0);
}

bool
proto_send_cursor_pos(int fd, const struct proto_cursor_pos *pos)
{
	return proto_send_msg(fd, PROTO_CURSOR_POS, pos, sizeof(*pos),
			      NULL, 0, NULL, 0);
}

bool
proto_send_input_device(int fd, const struct proto_input_device *dev,
			const struct proto_abs_axis *axes)
{
	if (dev->n_abs > PROTO_MAX_ABS_AXES) {
		errno = EINVAL;
		return false;
	}
	return proto_send_msg(fd, PROTO_INPUT_DEVICE, dev, sizeof(*dev), axes,
			      (size_t)dev->n_abs * sizeof(*axes), NULL, 0);
}

bool
proto_send_input_device_removed(int fd, uint32_t device_id)
{
	struct proto_input_device_removed msg = { .device_id = device_id };
	return proto_send_msg(fd, PROTO_INPUT_DEVICE_REMOVED, &msg, sizeof(msg),
			      NULL, 0, NULL, 0);
}

/* INPUT and DEVICE_STATUS: a device id and a batch of records. */
static bool
send_batch(int fd, uint32_t type, uint32_t device_id,
	   const struct proto_input_event *events, uint32_t n_events)
{
	if (n_events > PROTO_MAX_INPUT_EVENTS) {
		errno = EINVAL;
		return false;
	}
	struct proto_input msg = { .device_id = device_id, .n_events = n_events };
	return proto_send_msg(fd, type, &msg, sizeof(msg), events,
			      (size_t)n_events * sizeof(*events), NULL, 0);
}

bool
proto_send_input(int fd, uint32_t device_id,
		 const struct proto_input_event *events, uint32_t n_events)
{
	return send_batch(fd, PROTO_INPUT, device_id, events, n_events);
}

bool
proto_send_device_status(int fd, uint32_t device_id,
			 const struct proto_input_event *events,
			 uint32_t n_events)
{
	return send_batch(fd, PROTO_DEVICE_STATUS, device_id, events,
			  n_events);
}

bool
proto_send_clipboard_grab(int fd, uint32_t selection, uint32_t serial,
			  const char *const *mimes, uint32_t n_mimes)
{
	if (n_mimes > PROTO_MAX_MIMES) {
		errno = EINVAL;
		return false;
	}
	struct proto_clipboard_grab g = { .selection = selection,
					  .serial = serial, .n_mimes = n_mimes };
	char names[PROTO_MAX_MIMES][PROTO_MAX_MIME] = { { 0 } };
	for (uint32_t i = 0; i < n_mimes; i++)
		snprintf(names[i], PROTO_MAX_MIME, "%s", mimes[i]);
	return proto_send_msg(fd, PROTO_CLIPBOARD_GRAB, &g, sizeof(g), names,
			      (size_t)n_mimes * PROTO_MAX_MIME, NULL, 0);
}

bool
proto_send_clipboard_request(int fd, uint32_t selection, uint32_t serial,
			     const char *mime)
{
	struct proto_clipboard_request r = { .selection = selection,
					     .serial = serial };
	snprintf(r.mime, sizeof(r.mime), "%s", mime);
	return proto_send_msg(fd, PROTO_CLIPBOARD_REQUEST, &r, sizeof(r), NULL,
			      0, NULL, 0);
}

bool
proto_send_clipboard_data(int fd, uint32_t selection, uint32_t serial,
			  uint32_t status, const char *mime, const void *data,
			  uint32_t length)
{
	if (length > PROTO_MAX_CLIPBOARD) {
		errno = EINVAL;
		return false;
	}
	struct proto_clipboard_data d = { .selection = selection,
		.serial = serial, .status = status, .length = length };
	snprintf(d.mime, sizeof(d.mime), "%s", mime);
	return proto_send_msg(fd, PROTO_CLIPBOARD_DATA, &d, sizeof(d), data,
			      length, NULL, 0);
}

bool
proto_send_head_size(int fd, const struct proto_head_size *size)
{
	return proto_send_msg(fd, PROTO_HEAD_SIZE, size, sizeof(*size), NULL,
			      0, NULL, 0);
}

uint64_t
proto_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

bool
proto_send_frame_done(int fd, uint32_t head_id, uint32_t seq,
		      uint64_t presented_ns)
{
	struct proto_frame_done msg = {
		.head_id = head_id,
		.seq = seq,
		.presented_ns = presented_ns,
	};
	return proto_send_msg(fd, PROTO_FRAME_DONE, &msg, sizeof(msg),
			      NULL, 0, NULL, 0);
}

bool
proto_send_audio_stream(int fd, const struct proto_audio_stream *stream,
			int ring_fd)
{
	return proto_send_msg(fd, PROTO_AUDIO_STREAM, stream, sizeof(*stream),
			      NULL, 0, &ring_fd, 1);
}

bool
proto_send_audio_stream_removed(int fd, uint32_t stream_id)
{
	struct proto_audio_stream_removed msg = { .stream_id = stream_id };
	return proto_send_msg(fd, PROTO_AUDIO_STREAM_REMOVED, &msg, sizeof(msg),
			      NULL, 0, NULL, 0);
}

bool
proto_send_audio_state(int fd, const struct proto_audio_state *state)
{
	return proto_send_msg(fd, PROTO_AUDIO_STATE, state, sizeof(*state),
			      NULL, 0, NULL, 0);
}

bool
proto_send_audio_capture_state(int fd, uint32_t stream_id, uint32_t flags)
{
	struct proto_audio_capture_state msg = {
		.stream_id = stream_id,
		.flags = flags,
	};
	return proto_send_msg(fd, PROTO_AUDIO_CAPTURE_STATE, &msg, sizeof(msg),
			      NULL, 0, NULL, 0);
}
