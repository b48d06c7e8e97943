/* SPDX-License-Identifier: MIT */
/*
 * test-viewer-vs-test-server's malformed or out-of-state messages: one per
 * case, each of which must end the viewer with an ERROR of the right code,
 * a message naming the problem and exit 1.
 */
#include <drm_fourcc.h>
#include <errno.h>
#include <linux/input-event-codes.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "test-server.h"

static void
bad_scanout_buffer(void)
{
	struct proto_scanout scanout = {
		.head_id = HEAD, .buffer_id = 99, .width = W, .height = H,
	};
	send_ok(proto_send_scanout(h.conn, &scanout), "SCANOUT");
}

static void
bad_damage_outside(void)
{
	send_update(HEAD, 42, (struct proto_rect){ W - 4, H - 8, 10, 10 });
}

static void
bad_unsealed_memfd(void)
{
	send_shm_buffer(2, harness_memfd(STRIDE, H, 0, false));
}

static void
bad_pipe_as_shm(void)
{
	int p[2];
	REQUIRE(pipe(p) == 0, "pipe: %s", strerror(errno));
	send_shm_buffer(2, p[0]);
	close(p[1]);
}

static void
bad_duplicate_buffer(void)
{
	send_shm_buffer(BUFFER, harness_memfd(STRIDE, H, 0, true));
}

static void
bad_update_no_buffer(void)
{
	send_head(3);
	send_update(3, 7, (struct proto_rect){ 0, 0, 1, 1 });
}

static void
bad_wrong_fd_count(void)
{
	struct proto_buffer_shm desc = {
		.buffer_id = 2, .fourcc = DRM_FORMAT_XRGB8888,
		.width = W, .height = H, .stride = STRIDE,
	};
	int fds[2] = { harness_memfd(STRIDE, H, 0, true),
		       harness_memfd(STRIDE, H, 0, true) };
	send_ok(proto_send_msg(h.conn, PROTO_BUFFER_SHM, &desc, sizeof(desc),
			       NULL, 0, fds, 2), "BUFFER_SHM with 2 fds");
	close(fds[0]);
	close(fds[1]);
}

/* Five fds on a BUFFER_SHM, one more than any packet may carry: the
 * viewer's receive sees MSG_CTRUNC or the extra fd (proto_send_msg
 * refuses to send it, hence sendmsg here). */
static void
bad_too_many_fds(void)
{
	struct {
		struct proto_header hdr;
		struct proto_buffer_shm desc;
	} msg = {
		.hdr = { PROTO_BUFFER_SHM, sizeof(msg) },
		.desc = { .buffer_id = 2, .fourcc = DRM_FORMAT_XRGB8888,
			  .width = W, .height = H, .stride = STRIDE },
	};
	enum { N = PROTO_MAX_FDS + 1 };
	int fds[N];
	for (int i = 0; i < N; i++)
		fds[i] = harness_memfd(STRIDE, H, 0, true);
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(fds))];
	} control = { 0 };
	struct iovec iov = { .iov_base = &msg, .iov_len = sizeof(msg) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control.buf, .msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(c), fds, sizeof(fds));
	REQUIRE(sendmsg(h.conn, &mh, MSG_NOSIGNAL) == sizeof(msg),
		"sendmsg with %d fds: %s", N, strerror(errno));
	for (int i = 0; i < N; i++)
		close(fds[i]);
}

static void
bad_truncated_packet(void)
{
	/* An UPDATE whose header promises one rect that the packet lacks. */
	struct {
		struct proto_header hdr;
		struct proto_update update;
	} msg = {
		.hdr = { PROTO_UPDATE, sizeof(msg) + sizeof(struct proto_rect) },
		.update = { .head_id = HEAD, .seq = 43, .n_rects = 1 },
	};
	REQUIRE(send(h.conn, &msg, sizeof(msg), MSG_NOSIGNAL) == sizeof(msg),
		"send: %s", strerror(errno));
}

static void
bad_magic(void)
{
	struct proto_hello hello = {
		.major = PROTO_VERSION_MAJOR, .minor = PROTO_VERSION_MINOR,
		.features = PROTO_FEATURE_SHM,
	};
	memcpy(hello.magic, "BADMAGI", 8);
	snprintf(hello.name, sizeof(hello.name), "test-server");
	send_ok(proto_send_msg(h.conn, PROTO_HELLO, &hello, sizeof(hello),
			       NULL, 0, NULL, 0), "HELLO with a bad magic");
}

static void
bad_before_hello(void)
{
	send_head(HEAD);
}

/* The object limits (PROTOCOL.md): on top of start_with_frame's head 1,
 * buffer 1 and device 5, up to the limit, then one more. */
static void
bad_too_many_buffers(void)
{
	for (uint32_t id = 2; id <= PROTO_MAX_BUFFERS + 1; id++)
		send_shm_buffer(id, harness_memfd(STRIDE, H, 0, true));
}

static void
bad_too_many_heads(void)
{
	for (uint32_t id = 2; id <= PROTO_MAX_HEADS + 1; id++)
		send_head(id);
}

static void
bad_too_many_devices(void)
{
	struct proto_input_device dev = {
		.kind = PROTO_DEVICE_KEYBOARD,
		.ev_bits = (1u << EV_SYN) | (1u << EV_KEY),
	};
	dev.key_bits[KEY_H / 8] |= 1u << (KEY_H % 8);
	for (uint32_t id = KEYBOARD + 1; id <= KEYBOARD + PROTO_MAX_INPUT_DEVICES;
	     id++) {
		dev.device_id = id;
		snprintf(dev.name, sizeof(dev.name), "keyboard %u", id);
		send_ok(proto_send_input_device(h.conn, &dev, NULL), "INPUT_DEVICE");
	}
}

struct bad_case {
	const char *name;
	bool after_frame;   /* false: sent in place of the server's HELLO */
	void (*send)(void);
	enum proto_error code;
	const char *message; /* what the viewer's stderr must name */
};

static const struct bad_case bad_cases[] = {
	{ "bad-scanout-buffer", true, bad_scanout_buffer, PROTO_ERR_UNKNOWN_ID,
	  "buffer 99 is not known" },
	{ "damage-outside", true, bad_damage_outside, PROTO_ERR_BAD_VALUE,
	  "damage rect 0 (10x10+60+40) is outside buffer 1 (64x48)" },
	{ "unsealed-memfd", true, bad_unsealed_memfd, PROTO_ERR_BAD_FD,
	  "BUFFER_SHM 2: " },
	{ "pipe-as-shm", true, bad_pipe_as_shm, PROTO_ERR_BAD_FD,
	  "BUFFER_SHM 2: " },
	{ "duplicate-buffer", true, bad_duplicate_buffer, PROTO_ERR_ID_IN_USE,
	  "buffer id 1 is already in use" },
	{ "update-no-buffer", true, bad_update_no_buffer, PROTO_ERR_UNEXPECTED,
	  "head 3 has no buffer bound" },
	{ "wrong-fd-count", true, bad_wrong_fd_count, PROTO_ERR_FD_COUNT,
	  "BUFFER_SHM: 2 fds, expected 1" },
	{ "too-many-fds", true, bad_too_many_fds, PROTO_ERR_FD_COUNT,
	  "packet carried more than 4 fds" },
	{ "truncated-packet", true, bad_truncated_packet, PROTO_ERR_MALFORMED,
	  "header length 40 but the packet has 24 bytes" },
	{ "too-many-buffers", true, bad_too_many_buffers, PROTO_ERR_LIMIT,
	  "buffer 257 would be live buffer number 257, at most 256" },
	{ "too-many-heads", true, bad_too_many_heads, PROTO_ERR_LIMIT,
	  "head 17 would be head number 17, at most 16" },
	{ "too-many-devices", true, bad_too_many_devices, PROTO_ERR_LIMIT,
	  "device 37 would be device number 33, at most 32" },
	{ "bad-magic", false, bad_magic, PROTO_ERR_VERSION, "HELLO: magic" },
	{ "before-hello", false, bad_before_hello, PROTO_ERR_UNEXPECTED,
	  "HEAD_INFO before the server's HELLO" },
};

static void
run_bad_case(const struct bad_case *bc)
{
	if (bc->after_frame) {
		start_with_frame(NULL);
	} else {
		const char *args[] = { "--backend", "offscreen", h.sock, NULL };
		harness_spawn(&h, args, NULL);
		harness_accept_viewer(&h);
	}
	bc->send();

	harness_expect(&h, PROTO_ERROR);
	const struct proto_error_msg *err = proto_packet_body(h.pkt);
	const char *text = (const char *)(err + 1);
	REQUIRE(err->code == (uint32_t)bc->code, "ERROR code %s (\"%s\"), expected %s",
		proto_error_name(err->code), text, proto_error_name(bc->code));
	printf("%s: the viewer sent ERROR %s: %s\n", bc->name,
	       proto_error_name(err->code), text);

	/* The test server stays up and sees the viewer end by exit(1). */
	harness_expect_exit(&h, 1);
	harness_expect_stderr(&h, "qemu-eglview: protocol error from ");
	harness_expect_stderr(&h, bc->message);
	REQUIRE(harness_recv(&h) == 0, "the viewer sent %s after its ERROR",
		proto_type_name(proto_packet_type(h.pkt)));
}

bool
run_bad_case_named(const char *name)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		if (strcmp(bad_cases[i].name, name) == 0) {
			run_bad_case(&bad_cases[i]);
			return true;
		}
	}
	return false;
}
