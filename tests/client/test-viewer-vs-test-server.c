/* SPDX-License-Identifier: MIT */
/*
 * The real qemu-eglview against a test server made of the protocol
 * library, on a real socket: the handshake and a frame, then per case a
 * good path (here) or a malformed or out-of-state message (bad-messages.c).
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
#include "test-server.h"

/* Where a snapshot that matched no reference is kept (beside the test). */
static char shots_dir[PATH_MAX];

/* Per channel: the GL path of the offscreen output shows 1:1 frames
 * exactly; 2 leaves room for a GPU's rounding. */
#define SNAPSHOT_TOLERANCE 2

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
	if (!found)
		found = run_bad_case_named(name);
	harness_finish(&h);
	if (!found) {
		fprintf(stderr, "unknown case \"%s\"\n", name);
		return 2;
	}
	printf("%s: passed\n", name);
	return 0;
}
