/* SPDX-License-Identifier: MIT */
/*
 * The real qemu-eglview against a test server made of the protocol
 * library, on a real socket: the handshake and a frame, then one malformed
 * or out-of-state message per case, each of which must end the viewer with
 * an ERROR of the right code, a message naming the problem and exit 1.
 *
 * usage: test-viewer-vs-test-server QEMU_EGLVIEW CASE
 */
#include <dirent.h>
#include <drm_fourcc.h>
#include <errno.h>
#include <linux/input-event-codes.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "demo/draw.h"
#include "expect-picture.h"
#include "harness.h"

#define W 64
#define H 48
#define STRIDE (W * 4)
#define HEAD 1
#define BUFFER 1
#define KEYBOARD 5

static struct harness h;
/* Where a snapshot that matched no reference is kept (beside the test). */
static char shots_dir[PATH_MAX];

/* Per channel: the GL path of the offscreen output shows 1:1 frames
 * exactly; 2 leaves room for a GPU's rounding. */
#define SNAPSHOT_TOLERANCE 2

static void
send_ok(bool ok, const char *what)
{
	REQUIRE(ok, "sending %s failed: %s", what, strerror(errno));
}

static void
send_server_hello(void)
{
	send_ok(proto_send_hello(h.conn, PROTO_FEATURE_SHM | PROTO_FEATURE_CURSOR |
				 PROTO_FEATURE_INPUT, "test-server", NULL, 0),
		"HELLO");
}

static void
send_head(uint32_t id)
{
	struct proto_head_info info = {
		.head_id = id, .flags = PROTO_HEAD_ENABLED, .width = W, .height = H,
		.x = (int32_t)((id - 1) * W),
	};
	snprintf(info.name, sizeof(info.name), "test-%u", id);
	send_ok(proto_send_head_info(h.conn, &info), "HEAD_INFO");
}

static void
send_shm_buffer(uint32_t id, int fd)
{
	struct proto_buffer_shm desc = {
		.buffer_id = id, .fourcc = DRM_FORMAT_XRGB8888,
		.width = W, .height = H, .stride = STRIDE,
	};
	send_ok(proto_send_buffer_shm(h.conn, &desc, fd), "BUFFER_SHM");
	close(fd);
}

static void
send_update(uint32_t head, uint32_t seq, struct proto_rect rect)
{
	send_ok(proto_send_update(h.conn, head, seq, &rect, 1), "UPDATE");
}

static void
send_keyboard(void)
{
	struct proto_input_device dev = {
		.device_id = KEYBOARD, .kind = PROTO_DEVICE_KEYBOARD,
		.ev_bits = (1u << EV_SYN) | (1u << EV_KEY),
	};
	snprintf(dev.name, sizeof(dev.name), "test keyboard");
	dev.key_bits[KEY_H / 8] |= 1u << (KEY_H % 8);
	send_ok(proto_send_input_device(h.conn, &dev, NULL), "INPUT_DEVICE");
}

/* Starts the viewer, shakes hands and shows one frame: head 0 showing a
 * sealed memfd buffer, answered by FRAME_DONE with our seq. */
static void
start_with_frame(const char *const *extra_args)
{
	const char *args[16] = { "--backend", "offscreen" };
	int n = 2;
	for (int i = 0; extra_args && extra_args[i]; i++)
		args[n++] = extra_args[i];
	args[n++] = h.sock;
	args[n] = NULL;
	harness_spawn(&h, args, NULL);
	harness_accept_viewer(&h);

	send_server_hello();
	send_keyboard();
	send_head(HEAD);
	send_shm_buffer(BUFFER, harness_memfd(STRIDE, H, 0xff3366ff, true));
	struct proto_scanout scanout = {
		.head_id = HEAD, .buffer_id = BUFFER, .flags = PROTO_SCANOUT_Y0_TOP,
		.width = W, .height = H,
	};
	send_ok(proto_send_scanout(h.conn, &scanout), "SCANOUT");
	send_update(HEAD, 41, (struct proto_rect){ 0, 0, W, H });

	harness_expect(&h, PROTO_FRAME_DONE);
	const struct proto_frame_done *done = proto_packet_body(h.pkt);
	REQUIRE(done->head_id == HEAD, "FRAME_DONE head %u", done->head_id);
	REQUIRE(done->seq == 41, "FRAME_DONE seq %u, expected 41", done->seq);
	REQUIRE(done->presented_ns > 0, "presented_ns 0");
}

/* --- malformed or out-of-state messages ------------------------------- */

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

/* --- the good paths --------------------------------------------------- */

static void
case_frame_done(void)
{
	start_with_frame(NULL);
	/* A second update on the same buffer is answered with its own seq. */
	send_update(HEAD, 42, (struct proto_rect){ 8, 8, 16, 16 });
	harness_expect(&h, PROTO_FRAME_DONE);
	const struct proto_frame_done *done = proto_packet_body(h.pkt);
	REQUIRE(done->seq == 42, "FRAME_DONE seq %u, expected 42", done->seq);
}

static void
case_unknown_type_skipped(void)
{
	start_with_frame(NULL);
	int before = harness_viewer_fd_count(&h);

	/* A type of major 1 this version does not define, carrying an fd. */
	uint32_t body[4] = { 1, 2, 3, 4 };
	int fd = harness_memfd(4096, 1, 0, true);
	send_ok(proto_send_msg(h.conn, 0x01ff, body, sizeof(body), NULL, 0, &fd, 1),
		"type 0x01ff");
	close(fd);
	send_ok(proto_send_ping(h.conn, 1234), "PING");

	harness_expect(&h, PROTO_PONG);
	const struct proto_ping *pong = proto_packet_body(h.pkt);
	REQUIRE(pong->serial == 1234, "PONG serial %u", pong->serial);
	int after = harness_viewer_fd_count(&h);
	REQUIRE(after == before, "the viewer had %d fds before the unknown message "
		"with an fd and %d after: it kept the fd", before, after);
}

static uint32_t
solid(uint32_t x, uint32_t y, void *data)
{
	(void)x, (void)y;
	return *(const uint32_t *)data;
}

static void
case_goodbye_snapshot(void)
{
	char png[PATH_MAX + 16];
	snprintf(png, sizeof(png), "%s/shot.png", h.dir);
	const char *args[] = { "--snapshot", png, "--stats", NULL };
	start_with_frame(args);
	send_ok(proto_send_goodbye(h.conn, PROTO_BYE_SHUTDOWN, "test over"),
		"GOODBYE");
	harness_expect_exit(&h, 0);

	/* The output follows the one head 1:1: the buffer's colour. */
	REQUIRE(expect_picture(png, W, H, solid, (void *)&(uint32_t){ 0x3366ff },
			       SNAPSHOT_TOLERANCE, shots_dir, "goodbye-snapshot"),
		"the snapshot is not the 64x48 frame sent");
	harness_expect_stderr(&h, "qemu-eglview: stats: frames=1 ");
	harness_expect_stderr(&h, " imports_shm=1 ");
	/* One frame, drawn whole: the 64x48 output. */
	harness_expect_stderr(&h, " updates=1 pixels_drawn=3072 ");
}

/* Head 2's buffer: each pixel says where it is, so a wrong source rect
 * shows. */
static uint32_t
pattern_pixel(uint32_t x, uint32_t y)
{
	return 0x000040u | (x * 4) << 16 | (y * 5) << 8;
}

static int
pattern_memfd(void)
{
	int fd = harness_memfd(STRIDE, H, 0, true);
	uint32_t *map = mmap(NULL, (size_t)STRIDE * H, PROT_READ | PROT_WRITE,
			     MAP_SHARED, fd, 0);
	REQUIRE(map != MAP_FAILED, "mmap: %s", strerror(errno));
	for (uint32_t y = 0; y < H; y++)
		for (uint32_t x = 0; x < W; x++)
			map[y * W + x] = 0xff000000u | pattern_pixel(x, y);
	munmap(map, (size_t)STRIDE * H);
	return fd;
}

/* Head 1 (its colour) at x 0..63; at x 64..95 head 2's source rect,
 * buffer rows 2..41 and columns 8..39, 1:1 and centred in the 48 rows
 * (--scale fit: 4 black rows above and below), flipped: its SCANOUT has
 * no Y0_TOP, so the buffer's last row is the picture's top. */
static uint32_t
two_heads_pixel(uint32_t x, uint32_t y, void *data)
{
	(void)data;
	if (x < W)
		return 0x3366ff;
	if (y < 4 || y >= 44)
		return 0x000000;
	return pattern_pixel(8 + (x - W), 41 - (y - 4));
}

/* Without --size the output is the enabled heads side by side, 1:1; a
 * disabled head takes no room. */
static void
case_two_heads_layout(void)
{
	char png[PATH_MAX + 16];
	snprintf(png, sizeof(png), "%s/two.png", h.dir);
	const char *args[] = { "--snapshot", png, NULL };
	start_with_frame(args);

	send_head(2);
	struct proto_head_info off = { .head_id = 3, .width = 500, .height = 500,
				       .x = 2 * W };
	send_ok(proto_send_head_info(h.conn, &off), "HEAD_INFO (disabled)");
	send_shm_buffer(2, pattern_memfd());
	/* Head 2 shows a 32x40 part of its buffer, bottom-up. */
	struct proto_scanout scanout = {
		.head_id = 2, .buffer_id = 2, .x = 8, .y = 2, .width = 32, .height = 40,
	};
	send_ok(proto_send_scanout(h.conn, &scanout), "SCANOUT");
	send_update(2, 7, (struct proto_rect){ 0, 0, W, H });
	harness_expect(&h, PROTO_FRAME_DONE);
	const struct proto_frame_done *done = proto_packet_body(h.pkt);
	REQUIRE(done->head_id == 2 && done->seq == 7, "FRAME_DONE head %u seq %u",
		done->head_id, done->seq);

	send_ok(proto_send_goodbye(h.conn, PROTO_BYE_SHUTDOWN, "test over"),
		"GOODBYE");
	harness_expect_exit(&h, 0);
	REQUIRE(expect_picture(png, W + 32, H, two_heads_pixel, NULL,
			       SNAPSHOT_TOLERANCE, shots_dir, "two-heads-layout"),
		"the snapshot is not head 1 beside head 2's 32x40 source rect");
}

static void
case_exit_after_frames(void)
{
	const char *args[] = { "--exit-after-frames", "2", NULL };
	start_with_frame(args);
	send_update(HEAD, 42, (struct proto_rect){ 0, 0, 4, 4 });
	harness_expect(&h, PROTO_FRAME_DONE);
	harness_expect(&h, PROTO_GOODBYE);
	const struct proto_error_msg *bye = proto_packet_body(h.pkt);
	REQUIRE(bye->code == PROTO_BYE_QUIT, "GOODBYE reason %u", bye->code);
	REQUIRE(strcmp((const char *)(bye + 1), "viewer closed") == 0,
		"GOODBYE text \"%s\"", (const char *)(bye + 1));
	harness_expect_exit(&h, 0);
}

static void
case_input_script(void)
{
	char script[PATH_MAX + 16];
	snprintf(script, sizeof(script), "%s/keys.txt", h.dir);
	FILE *f = fopen(script, "w");
	REQUIRE(f != NULL, "cannot write %s", script);
	fprintf(f, "# type an h\nkeyboard EV_KEY KEY_H 1\nkeyboard EV_SYN SYN_REPORT 0\n"
		"\n%d EV_KEY KEY_H 0\n%d EV_SYN SYN_REPORT 0\n", KEYBOARD, KEYBOARD);
	fclose(f);

	const char *args[] = { "--input-script", script, NULL };
	start_with_frame(args);
	for (int batch = 0; batch < 2; batch++) {
		harness_expect(&h, PROTO_INPUT);
		const struct proto_input *in = proto_packet_body(h.pkt);
		const struct proto_input_event *ev = (const void *)(in + 1);
		REQUIRE(in->device_id == KEYBOARD, "INPUT to device %u", in->device_id);
		REQUIRE(in->n_events == 2, "INPUT with %u events", in->n_events);
		REQUIRE(ev[0].type == EV_KEY && ev[0].code == KEY_H &&
			ev[0].value == (batch == 0 ? 1u : 0u),
			"batch %d record 0 is %u %u %u", batch, ev[0].type,
			ev[0].code, ev[0].value);
		REQUIRE(ev[1].type == EV_SYN && ev[1].code == SYN_REPORT,
			"batch %d does not end with SYN_REPORT", batch);
	}
}

/* A long --input-script fills the socket while the server is busy (it
 * reads nothing for 1.5 s): the FRAME_DONE for an UPDATE sent meanwhile
 * must wait in the viewer, which keeps running, and arrive once the
 * server reads again, with every INPUT. A viewer that blocked on the
 * FRAME_DONE gave up after a second ("Connection timed out"). */
static void
case_full_socket_frame_done(void)
{
	enum { PAIRS = 1500 };
	char script[PATH_MAX + 16];
	snprintf(script, sizeof(script), "%s/many.txt", h.dir);
	FILE *f = fopen(script, "w");
	REQUIRE(f != NULL, "cannot write %s", script);
	for (int i = 0; i < PAIRS; i++)
		fprintf(f, "keyboard EV_KEY KEY_H 1\nkeyboard EV_SYN SYN_REPORT 0\n\n"
			"keyboard EV_KEY KEY_H 0\nkeyboard EV_SYN SYN_REPORT 0\n\n");
	fclose(f);

	const char *args[] = { "--input-script", script, NULL };
	start_with_frame(args);
	usleep(300 * 1000); /* the script fills the socket: we do not read */
	send_update(HEAD, 43, (struct proto_rect){ 0, 0, 4, 4 });
	usleep(1500 * 1000);
	REQUIRE(waitpid(h.pid, NULL, WNOHANG) == 0, "the viewer exited while "
		"the server was busy:\n%s", harness_stderr(&h));

	int inputs = 0, done = 0;
	while (inputs < 2 * PAIRS || !done) {
		uint32_t type = harness_recv(&h);
		REQUIRE(type != 0, "EOF after %d INPUTs, FRAME_DONE %d:\n%s", inputs,
			done, harness_stderr(&h));
		if (type == PROTO_INPUT)
			inputs++;
		if (type == PROTO_FRAME_DONE) {
			const struct proto_frame_done *d = proto_packet_body(h.pkt);
			REQUIRE(d->seq == 43, "FRAME_DONE seq %u", d->seq);
			done++;
		}
	}
	REQUIRE(done == 1, "%d FRAME_DONEs for one UPDATE", done);
	send_ok(proto_send_goodbye(h.conn, PROTO_BYE_SHUTDOWN, "test over"),
		"GOODBYE");
	harness_expect_exit(&h, 0);
}

/* Our GOODBYE must reach the viewer even when we close at once, with
 * packets of its own unread here (the kernel then resets its end, a
 * reset its read meets before the GOODBYE), or with the viewer answering
 * a PING into the closed socket. */
static void
goodbye_and_close(bool pong_unread)
{
	const char *args[] = { "--verbose", NULL };
	start_with_frame(args);
	send_ok(proto_send_ping(h.conn, 7), "PING");
	if (pong_unread)
		usleep(300 * 1000); /* the PONG arrives; we do not read it */
	send_ok(proto_send_goodbye(h.conn, PROTO_BYE_SHUTDOWN, "test over"),
		"GOODBYE");
	close(h.conn);
	h.conn = -1;
	harness_expect_exit(&h, 0);
	harness_expect_stderr(&h, "said goodbye: SHUTDOWN: test over");
}

static void
case_goodbye_pong_unread(void)
{
	goodbye_and_close(true);
}

static void
case_goodbye_ping_unanswerable(void)
{
	goodbye_and_close(false);
}

static void
case_missing_name(void)
{
	char env_dir[PATH_MAX + 32];
	snprintf(env_dir, sizeof(env_dir), "XDG_RUNTIME_DIR=%s", h.dir);
	char *env[] = { env_dir, "PATH=/usr/bin:/bin", NULL };
	/* --source socket: the socket only. */
	const char *socket_only[] = { "--source", "socket", "no-such-vm", NULL };
	harness_spawn(&h, socket_only, env);
	harness_expect_exit(&h, 1);
	char want[PATH_MAX + 160];
	snprintf(want, sizeof(want), "qemu-eglview: no VM named \"no-such-vm\" (no "
		 "socket at %s/qemu-eglview/no-such-vm.sock); is eglview-shim "
		 "running?\n", h.dir);
	harness_expect_stderr(&h, want);

	/* The default: its bridge looked for the VM by name too (the bus and
	 * libvirt, which its own line says: tests/qemu/by_name.py). */
	const char *args[] = { "no-such-vm", NULL };
	harness_spawn(&h, args, env);
	harness_expect_exit(&h, 1);
	snprintf(want, sizeof(want), "qemu-eglview: no VM named \"no-such-vm\": no "
		 "socket at %s/qemu-eglview/no-such-vm.sock either; is "
		 "eglview-shim serving it, or QEMU running with -name no-such-vm "
		 "-display dbus?\n", h.dir);
	harness_expect_stderr(&h, want);
	harness_expect_stderr(&h, "eglview-shim: no VM named \"no-such-vm\": "
			      "searched the session bus");
}

static void
case_stale_socket(void)
{
	/* A socket file that nobody listens on any more. */
	close(h.listen_fd);
	h.listen_fd = -1;
	const char *args[] = { h.sock, NULL };
	harness_spawn(&h, args, NULL);
	harness_expect_exit(&h, 1);
	harness_expect_stderr(&h, "is not running (stale socket");
}

static void
case_script_parse_error(void)
{
	char script[PATH_MAX + 16];
	snprintf(script, sizeof(script), "%s/bad.txt", h.dir);
	FILE *f = fopen(script, "w");
	REQUIRE(f != NULL, "cannot write %s", script);
	fprintf(f, "keyboard EV_KEY KEY_H 1\nkeyboard EV_KEY\n");
	fclose(f);

	/* Checked before connecting: the test server is never reached. */
	const char *args[] = { "--input-script", script, h.sock, NULL };
	harness_spawn(&h, args, NULL);
	harness_expect_exit(&h, 2);
	char want[PATH_MAX + 32];
	snprintf(want, sizeof(want), "%s:2: ", script);
	harness_expect_stderr(&h, want);
}

/* 33 s of the demo at its 30 frames/s: longer than the test may run. */
#define DEMO_FRAMES_SEARCHED 1000

/* --demo: the viewer runs eglview-shim itself (found beside it in the
 * build tree), passes --demo-option through, and cleans up after it. */
static void
case_demo(void)
{
	char env_dir[PATH_MAX + 32], png[PATH_MAX + 16], sock_dir[PATH_MAX + 16];
	snprintf(env_dir, sizeof(env_dir), "XDG_RUNTIME_DIR=%s", h.dir);
	snprintf(png, sizeof(png), "%s/demo.png", h.dir);
	snprintf(sock_dir, sizeof(sock_dir), "%s/qemu-eglview", h.dir);
	/* A sanitizer run's settings (and its preloaded GL driver, which
	 * names Mesa's frames for the leak suppressions) go along. */
	char *env[8] = { env_dir, "PATH=/usr/bin:/bin" };
	int n_env = 2;
	static const char *const keep[] = { "LD_PRELOAD", "ASAN_OPTIONS",
		"LSAN_OPTIONS", "UBSAN_OPTIONS" };
	char kept[4][PATH_MAX + 32];
	for (int i = 0; i < 4; i++) {
		const char *val = getenv(keep[i]);
		if (val == NULL)
			continue;
		snprintf(kept[i], sizeof(kept[i]), "%s=%s", keep[i], val);
		env[n_env++] = kept[i];
	}
	const char *args[] = { "--demo", "--exit-after-frames", "3", "--snapshot",
			       png, "--demo-option", "--size",
			       "--demo-option", "160x120", "--stats", NULL };
	harness_spawn(&h, args, env);
	int status = harness_wait_exit(&h);
	char *err = harness_stderr(&h);
	REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		"wait status 0x%x; stderr:\n%s", status, err);
	free(err);
	harness_expect_stderr(&h, "qemu-eglview: stats: frames=3 ");

	/* The third frame shown is the demo's picture of some frame from 2
	 * on (the demo may have moved on while the viewer drew): drawn here
	 * by the demo's own pure function, no input received. */
	uint32_t *frame = malloc(160 * 120 * 4);
	REQUIRE(frame != NULL, "out of memory");
	struct demo_input_state idle;
	demo_input_init(&idle);
	int64_t shown = -1;
	for (uint64_t f = 0; f < DEMO_FRAMES_SEARCHED && shown < 0; f++) {
		demo_draw_frame(frame, 160, 120, 160 * 4, f, &idle);
		if (expect_picture_xrgb(png, frame, 160, 120, SNAPSHOT_TOLERANCE,
					false, NULL, "viewer-vs-demo-shim"))
			shown = (int64_t)f;
	}
	if (shown < 0) {
		/* What frame 2 would have looked like, and the first
		 * mismatch against it. */
		demo_draw_frame(frame, 160, 120, 160 * 4, 2, &idle);
		expect_picture_xrgb(png, frame, 160, 120, SNAPSHOT_TOLERANCE,
				    true, shots_dir, "viewer-vs-demo-shim");
	}
	free(frame);
	REQUIRE(shown >= 2, "the snapshot is none of the demo's 160x120 frames "
		"2..%d (it matched frame %lld)", DEMO_FRAMES_SEARCHED - 1,
		(long long)shown);
	printf("the snapshot is the demo's frame %lld\n", (long long)shown);

	/* The private socket dir is gone: only the (empty) parent is left. */
	DIR *d = opendir(sock_dir);
	REQUIRE(d != NULL, "no socket dir %s", sock_dir);
	struct dirent *e;
	while ((e = readdir(d)))
		REQUIRE(e->d_name[0] == '.', "%s/%s left behind", sock_dir, e->d_name);
	closedir(d);
	rmdir(sock_dir);
}

static const struct {
	const char *name;
	void (*run)(void);
} good_cases[] = {
	{ "demo", case_demo },
	{ "frame-done", case_frame_done },
	{ "unknown-type-skipped", case_unknown_type_skipped },
	{ "goodbye-snapshot", case_goodbye_snapshot },
	{ "two-heads-layout", case_two_heads_layout },
	{ "exit-after-frames", case_exit_after_frames },
	{ "input-script", case_input_script },
	{ "full-socket-frame-done", case_full_socket_frame_done },
	{ "goodbye-pong-unread", case_goodbye_pong_unread },
	{ "goodbye-ping-unanswerable", case_goodbye_ping_unanswerable },
	{ "missing-name", case_missing_name },
	{ "stale-socket", case_stale_socket },
	{ "script-parse-error", case_script_parse_error },
};

int
main(int argc, char *argv[])
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s QEMU_EGLVIEW CASE\n", argv[0]);
		return 2;
	}
	snprintf(shots_dir, sizeof(shots_dir), "%s", argv[0]);
	char *slash = strrchr(shots_dir, '/');
	snprintf(slash ? slash + 1 : shots_dir,
		 sizeof(shots_dir) - (size_t)(slash ? slash + 1 - shots_dir : 0),
		 "shots");
	mkdir(shots_dir, 0755);
	harness_init(&h, argv[1]);
	harness_listen(&h);
	const char *name = argv[2];

	bool found = false;
	for (size_t i = 0; i < sizeof(good_cases) / sizeof(good_cases[0]); i++) {
		if (strcmp(good_cases[i].name, name) == 0) {
			good_cases[i].run();
			found = true;
		}
	}
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		if (strcmp(bad_cases[i].name, name) == 0) {
			run_bad_case(&bad_cases[i]);
			found = true;
		}
	}
	harness_finish(&h);
	if (!found) {
		fprintf(stderr, "unknown case \"%s\"\n", name);
		return 2;
	}
	printf("%s: passed\n", name);
	return 0;
}
