/* SPDX-License-Identifier: MIT */
/*
 * eglview-shim end to end: the binary (from $EGLVIEW_SHIM) on a temporary
 * socket, the test a raw viewer. Usage: test-shim CASE.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/input-event-codes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "demo/draw.h"
#include "raw-viewer.h"

struct shim {
	char dir[64], path[128], log[128], record[128];
	pid_t pid;
};

static const char *shim_binary;

static bool
socket_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

static void
make_dir(struct shim *s)
{
	*s = (struct shim){ .pid = -1 };
	snprintf(s->dir, sizeof(s->dir), "/tmp/eglview-shim-XXXXXX");
	if (mkdtemp(s->dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(s->path, sizeof(s->path), "%s/demo.sock", s->dir);
	snprintf(s->log, sizeof(s->log), "%s/stderr", s->dir);
	snprintf(s->record, sizeof(s->record), "%s/input.txt", s->dir);
}

/* Runs the shim with args (NULL-terminated, the socket path appended)
 * and its stderr in s->log; waits for the socket unless expect_exit. */
static bool
start(struct shim *s, const char *const *args, bool expect_exit)
{
	const char *argv[32] = { shim_binary };
	int n = 1;
	for (; args[n - 1] != NULL && n < 30; n++)
		argv[n] = args[n - 1];
	argv[n] = s->path;
	s->pid = fork();
	if (s->pid == 0) {
		int fd = open(s->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		dup2(fd, 2);
		execv(shim_binary, (char *const *)argv);
		_exit(127);
	}
	if (expect_exit)
		return true;
	for (int i = 0; i < 500; i++) {
		if (socket_exists(s->path))
			return true;
		usleep(10000);
	}
	fprintf(stderr, "eglview-shim did not create %s within 5 s\n", s->path);
	return false;
}

/* The exit status, or -1 if it did not exit within ms. */
static int
wait_exit(struct shim *s, int ms)
{
	for (int i = 0; i < ms / 10; i++) {
		int status;
		if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
			s->pid = -1;
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
		}
		usleep(10000);
	}
	return -1;
}

static void
read_file(const char *path, char *buf, size_t size)
{
	buf[0] = '\0';
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return;
	size_t n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void
stop(struct shim *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGKILL);
		waitpid(s->pid, NULL, 0);
	}
	char log[4096];
	read_file(s->log, log, sizeof(log));
	if (log[0] != '\0')
		fprintf(stderr, "--- eglview-shim stderr ---\n%s---\n", log);
	unlink(s->log);
	unlink(s->record);
	unlink(s->path);
	rmdir(s->dir);
}

static void
test_record_input(void)
{
	struct shim s;
	make_dir(&s);
	const char *args[] = { "--size", "320x240", "--fps", "0",
			       "--record-input", s.record, NULL };
	if (!start(&s, args, false))
		goto out;
	struct raw_viewer v;
	uint32_t keyboard = 0, tablet = 0;
	uint32_t seq = raw_viewer_join(&v, s.path, NULL, &keyboard, &tablet);
	CHECK(seq != 0 && keyboard != 0 && tablet != 0);
	CHECK(raw_viewer_skip_to(&v, PROTO_CURSOR_POS, 2000));
	CHECK(((const struct proto_cursor_pos *)raw_body(&v))->visible == 0);
	CHECK(proto_send_frame_done(v.fd, 1, seq, 0));

	const struct proto_input_event press[] = {
		{ EV_KEY, KEY_H, 1 }, { EV_SYN, SYN_REPORT, 0 } };
	const struct proto_input_event release[] = {
		{ EV_KEY, KEY_H, 0 }, { EV_SYN, SYN_REPORT, 0 } };
	const struct proto_input_event move[] = {
		{ EV_ABS, ABS_X, 16384 }, { EV_ABS, ABS_Y, 8192 },
		{ EV_SYN, SYN_REPORT, 0 } };
	const struct proto_input_event click[] = {
		{ EV_KEY, BTN_LEFT, 1 }, { EV_SYN, SYN_REPORT, 0 } };
	const struct proto_input_event wheel[] = {
		{ EV_REL, REL_WHEEL, (uint32_t)-1 }, { EV_SYN, SYN_REPORT, 0 } };
	CHECK(proto_send_input(v.fd, keyboard, press, 2));
	/* --fps 0: the batch makes a new frame. */
	CHECK(raw_viewer_skip_to(&v, PROTO_UPDATE, 2000));
	CHECK(proto_send_input(v.fd, keyboard, release, 2));
	CHECK(proto_send_input(v.fd, tablet, move, 3));
	CHECK(raw_viewer_skip_to(&v, PROTO_CURSOR_POS, 2000));
	const struct proto_cursor_pos *pos = raw_body(&v);
	CHECK(pos->visible == 1);
	CHECK(pos->x == demo_abs_to_pixel(16384, 320));
	CHECK(pos->y == demo_abs_to_pixel(8192, 240));
	CHECK(proto_send_input(v.fd, tablet, click, 2));
	CHECK(proto_send_input(v.fd, tablet, wheel, 2));
	/* Packets are handled in order: after the PONG, all is written. */
	CHECK(proto_send_ping(v.fd, 1));
	CHECK(raw_viewer_skip_to(&v, PROTO_PONG, 2000));

	char text[2048];
	read_file(s.record, text, sizeof(text));
	const char *expected =
		"keyboard EV_KEY KEY_H 1\n"
		"keyboard EV_SYN SYN_REPORT 0\n"
		"keyboard EV_KEY KEY_H 0\n"
		"keyboard EV_SYN SYN_REPORT 0\n"
		"tablet EV_ABS ABS_X 16384\n"
		"tablet EV_ABS ABS_Y 8192\n"
		"tablet EV_SYN SYN_REPORT 0\n"
		"tablet EV_KEY BTN_LEFT 1\n"
		"tablet EV_SYN SYN_REPORT 0\n"
		"tablet EV_REL REL_WHEEL -1\n"
		"tablet EV_SYN SYN_REPORT 0\n";
	if (strcmp(text, expected) != 0)
		fprintf(stderr, "recorded:\n%s", text);
	CHECK(strcmp(text, expected) == 0);
	raw_viewer_close(&v);
out:
	stop(&s);
}

/* The demo keeps Caps, Num and Scroll Lock: a viewer that says LEDS is
 * told their state on joining and when a lock key toggles one. */
static void
expect_leds(struct raw_viewer *v, uint32_t keyboard, uint32_t n,
	    const struct proto_input_event *want)
{
	REQUIRE(raw_viewer_skip_to(v, PROTO_DEVICE_STATUS, 2000));
	const struct proto_input *in = raw_body(v);
	const struct proto_input_event *ev = (const void *)(in + 1);
	CHECK(in->device_id == keyboard, "device %u", in->device_id);
	REQUIRE(in->n_events == n + 1, "%u records", in->n_events);
	for (uint32_t i = 0; i < n; i++)
		CHECK(ev[i].type == want[i].type && ev[i].code == want[i].code &&
		      ev[i].value == want[i].value, "record %u: %u %u %u", i,
		      ev[i].type, ev[i].code, ev[i].value);
}

static void
test_leds(void)
{
	struct shim s;
	make_dir(&s);
	const char *args[] = { "--size", "320x240", "--fps", "0", NULL };
	if (!start(&s, args, false))
		goto out;
	struct raw_viewer v;
	REQUIRE(raw_viewer_connect(&v, s.path, NULL));
	REQUIRE(raw_viewer_expect(&v, PROTO_HELLO));
	CHECK(((const struct proto_hello *)raw_body(&v))->features &
	      PROTO_FEATURE_LEDS);
	REQUIRE(raw_viewer_hello_features(&v, true, PROTO_FEATURE_SHM |
		PROTO_FEATURE_INPUT | PROTO_FEATURE_LEDS));
	REQUIRE(raw_viewer_expect(&v, PROTO_INPUT_DEVICE));
	const struct proto_input_device *dev = raw_body(&v);
	uint32_t keyboard = dev->device_id;
	CHECK(dev->kind == PROTO_DEVICE_KEYBOARD &&
	      (dev->ev_bits & (1u << EV_LED)));
	expect_leds(&v, keyboard, 3, (const struct proto_input_event[]){
		{ EV_LED, LED_NUML, 0 }, { EV_LED, LED_CAPSL, 0 },
		{ EV_LED, LED_SCROLLL, 0 } });
	REQUIRE(raw_viewer_skip_to(&v, PROTO_UPDATE, 2000));
	CHECK(proto_send_frame_done(v.fd, 1,
		((const struct proto_update *)raw_body(&v))->seq, 0));

	const struct proto_input_event caps[] = {
		{ EV_KEY, KEY_CAPSLOCK, 1 }, { EV_SYN, SYN_REPORT, 0 },
		{ EV_KEY, KEY_CAPSLOCK, 0 }, { EV_SYN, SYN_REPORT, 0 } };
	CHECK(proto_send_input(v.fd, keyboard, caps, 2));
	CHECK(proto_send_input(v.fd, keyboard, caps + 2, 2));
	expect_leds(&v, keyboard, 1, (const struct proto_input_event[]){
		{ EV_LED, LED_CAPSL, 1 } });
	CHECK(proto_send_input(v.fd, keyboard, caps, 2));
	expect_leds(&v, keyboard, 1, (const struct proto_input_event[]){
		{ EV_LED, LED_CAPSL, 0 } });
	raw_viewer_close(&v);
out:
	stop(&s);
}

/* The demo's damage reaches its right edge: at a width that is no
 * multiple of its 64-pixel tiles (400), the pointer's marker drawn in the
 * last, narrower column of tiles is in the UPDATE's rects (it was lost,
 * and a viewer reusing the buffer showed the frame without it). */
static void
test_damage_right_edge(void)
{
	struct shim s;
	make_dir(&s);
	const char *args[] = { "--size", "400x240", "--fps", "0", NULL };
	if (!start(&s, args, false))
		goto out;
	struct raw_viewer v;
	uint32_t keyboard = 0, tablet = 0;
	uint32_t seq = raw_viewer_join(&v, s.path, NULL, &keyboard, &tablet);
	REQUIRE(seq != 0 && tablet != 0);
	CHECK(proto_send_frame_done(v.fd, 1, seq, 0));
	/* demo_abs_to_pixel(32000, 400) = 390, (32000, 240) = 233. */
	const struct proto_input_event corner[] = {
		{ EV_ABS, ABS_X, 32000 }, { EV_ABS, ABS_Y, 32000 },
		{ EV_SYN, SYN_REPORT, 0 } };
	CHECK(proto_send_input(v.fd, tablet, corner, 3));
	REQUIRE(raw_viewer_skip_to(&v, PROTO_UPDATE, 2000));
	const struct proto_update *u = raw_body(&v);
	const struct proto_rect *r = (const void *)(u + 1);
	int32_t mx = demo_abs_to_pixel(32000, 400);
	int32_t my = demo_abs_to_pixel(32000, 240);
	bool covered = false;
	for (uint32_t i = 0; i < u->n_rects; i++) {
		fprintf(stderr, "rect %u: %ux%u+%u+%u\n", i, r[i].width,
			r[i].height, r[i].x, r[i].y);
		covered |= (uint32_t)mx >= r[i].x &&
			   (uint32_t)mx < r[i].x + r[i].width &&
			   (uint32_t)my >= r[i].y &&
			   (uint32_t)my < r[i].y + r[i].height;
	}
	CHECK(covered, "the marker at %d,%d is in no damage rect", mx, my);
	raw_viewer_close(&v);
out:
	stop(&s);
}

static void
test_frames_wait(void)
{
	struct shim s;
	make_dir(&s);
	const char *args[] = { "--size", "160x120", "--frames", "1",
			       "--wait-for-viewer", NULL };
	if (!start(&s, args, false))
		goto out;
	/* Nobody connected: it waits, however long. */
	usleep(300000);
	CHECK(wait_exit(&s, 10) == -1);
	struct raw_viewer v;
	uint32_t seq = raw_viewer_join(&v, s.path, NULL, NULL, NULL);
	CHECK(seq != 0);
	/* Frame 0 is out, but not yet answered: still running. */
	CHECK(wait_exit(&s, 300) == -1);
	CHECK(proto_send_frame_done(v.fd, 1, seq, 0));
	CHECK(raw_viewer_skip_to(&v, PROTO_GOODBYE, 3000));
	const struct proto_error_msg *bye = raw_body(&v);
	CHECK(bye->code == PROTO_BYE_SHUTDOWN);
	CHECK(strcmp((const char *)(bye + 1), "demo finished after 1 frames") == 0);
	CHECK(wait_exit(&s, 3000) == 0);
	CHECK(!socket_exists(s.path));
	raw_viewer_close(&v);
out:
	stop(&s);
}

struct mapping {
	uint32_t id;
	void *data;
	size_t size;
	uint32_t stride;
};

/* Reads until UPDATE, mapping every BUFFER_SHM; the bound buffer id in
 * *bound. Returns the UPDATE's seq, 0 on failure or a GOODBYE (left in
 * v->pkt). */
static uint32_t
next_update(struct raw_viewer *v, struct mapping *maps, int *n_maps,
	    uint32_t *bound, uint64_t *damage_area)
{
	for (;;) {
		if (raw_viewer_recv(v, 3000) != PROTO_IO_OK)
			return 0;
		uint32_t type = proto_packet_type(v->pkt);
		if (type == PROTO_GOODBYE)
			return 0;
		if (type == PROTO_BUFFER_SHM && *n_maps < 8) {
			const struct proto_buffer_shm *b = raw_body(v);
			size_t size = (size_t)b->stride * b->height;
			void *data = mmap(NULL, size, PROT_READ, MAP_SHARED,
					  v->pkt->fds[0], 0);
			if (data != MAP_FAILED)
				maps[(*n_maps)++] = (struct mapping){
					b->buffer_id, data, size, b->stride };
		} else if (type == PROTO_SCANOUT) {
			*bound = ((const struct proto_scanout *)raw_body(v))->buffer_id;
		} else if (type == PROTO_UPDATE) {
			const struct proto_update *u = raw_body(v);
			const struct proto_rect *r = (const void *)(u + 1);
			*damage_area = 0;
			for (uint32_t i = 0; i < u->n_rects; i++)
				*damage_area += (uint64_t)r[i].width * r[i].height;
			return u->seq;
		}
	}
}

static struct mapping *
find_map(struct mapping *maps, int n, uint32_t id)
{
	for (int i = 0; i < n; i++) {
		if (maps[i].id == id)
			return &maps[i];
	}
	return NULL;
}

/* Copies the damage of the UPDATE just received from the bound buffer
 * into canvas (width x height XRGB8888), as a viewer updates its picture. */
static bool
apply_update(const struct raw_viewer *v, const struct mapping *bound,
	     uint32_t *canvas, uint32_t width, uint32_t height)
{
	const struct proto_update *u = raw_body(v);
	const struct proto_rect *r = (const void *)(u + 1);
	if (bound == NULL)
		return false;
	for (uint32_t i = 0; i < u->n_rects; i++) {
		if (r[i].x + r[i].width > width || r[i].y + r[i].height > height)
			return false;
		for (uint32_t y = r[i].y; y < r[i].y + r[i].height; y++)
			memcpy(canvas + (size_t)y * width + r[i].x,
			       (const uint8_t *)bound->data +
			       (size_t)y * bound->stride + (size_t)r[i].x * 4,
			       (size_t)r[i].width * 4);
	}
	return true;
}

/* --frames N with the clock running, against PROTOCOL.md's flow control:
 * while the viewer holds its FRAME_DONE no other UPDATE comes, however
 * many frames the demo makes (20 at 100 frames/s in 0.6 s); the answer
 * brings one UPDATE covering all of them. So the 20 frames reach the
 * viewer in at most 3 UPDATEs (frame 0, the coalesced one, and one more
 * if the demo had to wait for a free buffer), and the picture put
 * together from each UPDATE's damage alone is frame 19, exactly as the
 * demo draws it, before the GOODBYE. */
static void
test_frames_ticking(void)
{
	enum { W = 160, H = 120, FRAMES = 20, HOLD_MS = 600 };
	struct shim s;
	make_dir(&s);
	const char *args[] = { "--size", "160x120", "--fps", "100",
			       "--frames", "20", "--wait-for-viewer", NULL };
	if (!start(&s, args, false))
		goto out;
	struct raw_viewer v;
	struct mapping maps[8];
	int n_maps = 0;
	uint32_t bound = 0;
	uint64_t area;
	static uint32_t canvas[W * H], want[W * H];
	REQUIRE(raw_viewer_connect(&v, s.path, NULL));
	REQUIRE(raw_viewer_expect(&v, PROTO_HELLO) && raw_viewer_hello(&v, true));
	uint32_t seq = next_update(&v, maps, &n_maps, &bound, &area);
	REQUIRE(seq != 0);
	CHECK(area == W * H); /* frame 0: all of it */
	REQUIRE(apply_update(&v, find_map(maps, n_maps, bound), canvas, W, H));

	/* Held: the demo makes its frames, nothing but buffers may come. */
	int early = 0;
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		int64_t left = HOLD_MS - ((now.tv_sec - t0.tv_sec) * 1000 +
					  (now.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0 || raw_viewer_recv(&v, (int)left) != PROTO_IO_OK)
			break;
		uint32_t type = proto_packet_type(v.pkt);
		early += type == PROTO_UPDATE;
		if (type == PROTO_BUFFER_SHM && n_maps < 8) {
			const struct proto_buffer_shm *b = raw_body(&v);
			size_t size = (size_t)b->stride * b->height;
			void *data = mmap(NULL, size, PROT_READ, MAP_SHARED,
					  v.pkt->fds[0], 0);
			if (data != MAP_FAILED)
				maps[n_maps++] = (struct mapping){
					b->buffer_id, data, size, b->stride };
		}
	}
	CHECK(early == 0);

	int updates = 1;
	bool goodbye = false;
	while (seq != 0 && !goodbye) {
		CHECK(proto_send_frame_done(v.fd, 1, seq, 0));
		uint32_t next = next_update(&v, maps, &n_maps, &bound, &area);
		if (next == 0) {
			goodbye = proto_packet_type(v.pkt) == PROTO_GOODBYE;
			break;
		}
		CHECK(next > seq);
		seq = next;
		updates++;
		CHECK(apply_update(&v, find_map(maps, n_maps, bound), canvas,
				   W, H));
	}
	CHECK(goodbye);
	fprintf(stderr, "%d frames reached the viewer in %d UPDATEs\n", FRAMES,
		updates);
	CHECK(updates >= 2 && updates <= 3);

	struct demo_input_state idle;
	demo_input_init(&idle);
	demo_draw_frame(want, W, H, W * 4, FRAMES - 1, &idle);
	int differ = 0;
	for (int i = 0; i < W * H; i++)
		differ += ((canvas[i] ^ want[i]) & 0xffffff) != 0;
	if (differ != 0)
		fprintf(stderr, "the viewer's picture differs from frame %d in "
			"%d pixels\n", FRAMES - 1, differ);
	CHECK(differ == 0);
	CHECK(wait_exit(&s, 3000) == 0);
	raw_viewer_close(&v);
out:
	stop(&s);
}

/* A buffer in an outstanding UPDATE is never written, while the demo
 * keeps ticking and a second viewer keeps getting frames. */
static void
test_busy_never_written(void)
{
	struct shim s;
	make_dir(&s);
	const char *args[] = { "--size", "256x192", "--fps", "200", NULL };
	if (!start(&s, args, false))
		goto out;
	struct raw_viewer slow, fast;
	struct mapping slow_maps[8], fast_maps[8];
	int n_slow = 0, n_fast = 0;
	uint32_t slow_bound = 0, fast_bound = 0;
	uint64_t area;
	REQUIRE(raw_viewer_connect(&slow, s.path, NULL));
	REQUIRE(raw_viewer_expect(&slow, PROTO_HELLO) &&
		raw_viewer_hello(&slow, true));
	uint32_t slow_seq = next_update(&slow, slow_maps, &n_slow, &slow_bound,
					&area);
	REQUIRE(slow_seq != 0);
	struct mapping *held = find_map(slow_maps, n_slow, slow_bound);
	REQUIRE(held != NULL);
	void *snapshot = malloc(held->size);
	memcpy(snapshot, held->data, held->size);

	REQUIRE(raw_viewer_connect(&fast, s.path, NULL));
	REQUIRE(raw_viewer_expect(&fast, PROTO_HELLO) &&
		raw_viewer_hello(&fast, true));
	uint32_t fast_seq = next_update(&fast, fast_maps, &n_fast, &fast_bound,
					&area);
	int updates = 0;
	uint64_t total_area = 0;
	struct timespec start_ts, now;
	clock_gettime(CLOCK_MONOTONIC, &start_ts);
	do {
		REQUIRE(fast_seq != 0);
		CHECK(proto_send_frame_done(fast.fd, 1, fast_seq, 0));
		fast_seq = next_update(&fast, fast_maps, &n_fast, &fast_bound,
				       &area);
		updates++;
		total_area += area;
		/* Checked while the demo writes its other buffers. */
		CHECK(memcmp(snapshot, held->data, held->size) == 0);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while ((now.tv_sec - start_ts.tv_sec) * 1000 +
		 (now.tv_nsec - start_ts.tv_nsec) / 1000000 < 500);
	fprintf(stderr, "fast viewer: %d UPDATEs in 0.5 s, mean damage %llu "
		"of %u pixels\n", updates,
		(unsigned long long)(total_area / (updates ? updates : 1)),
		256 * 192);
	CHECK(updates >= 10);
	CHECK(total_area / updates < 256 * 192 / 2); /* tiles, not the head */
	CHECK(memcmp(snapshot, held->data, held->size) == 0);

	/* Released by FRAME_DONE: the slow viewer gets the newest frame. */
	CHECK(proto_send_frame_done(slow.fd, 1, slow_seq, 0));
	uint32_t seq2 = next_update(&slow, slow_maps, &n_slow, &slow_bound,
				    &area);
	CHECK(seq2 > slow_seq);
	struct mapping *now_shown = find_map(slow_maps, n_slow, slow_bound);
	REQUIRE(now_shown != NULL);
	CHECK(memcmp(snapshot, now_shown->data, held->size) != 0);
	free(snapshot);
	raw_viewer_close(&slow);
	raw_viewer_close(&fast);
out:
	stop(&s);
}

/* HOLD_SHOWN against the real demo (PROTOCOL.md, "Held buffers"): a
 * viewer that answers every UPDATE at once is never shown the same buffer
 * twice in a row (the one on its screen is held), and the buffer it shows
 * is never written until it answered an UPDATE showing another one. With
 * --no-hold-shown the demo does not offer it. */
static void
test_hold_shown(void)
{
	struct shim s;
	make_dir(&s);
	const char *args[] = { "--size", "256x192", "--fps", "200", NULL };
	if (!start(&s, args, false))
		goto out;
	struct raw_viewer v;
	struct mapping maps[8];
	int n_maps = 0;
	uint32_t bound = 0, shown = 0;
	uint64_t area;
	REQUIRE(raw_viewer_connect(&v, s.path, NULL));
	REQUIRE(raw_viewer_expect(&v, PROTO_HELLO));
	CHECK(((const struct proto_hello *)raw_body(&v))->features &
	      PROTO_FEATURE_HOLD_SHOWN);
	REQUIRE(raw_viewer_hello_features(&v, true, PROTO_FEATURE_SHM |
		PROTO_FEATURE_HOLD_SHOWN));
	void *snapshot = NULL;
	int updates = 0, buffers_seen = 0;
	for (int i = 0; i < 40; i++) {
		uint32_t seq = next_update(&v, maps, &n_maps, &bound, &area);
		REQUIRE(seq != 0);
		struct mapping *old = find_map(maps, n_maps, shown);
		if (old != NULL) {
			/* Held from its UPDATE until now, while the demo
			 * drew 200 frames a second into the others. */
			CHECK(memcmp(snapshot, old->data, old->size) == 0);
			CHECK(bound != shown);
		}
		struct mapping *now = find_map(maps, n_maps, bound);
		REQUIRE(now != NULL);
		free(snapshot);
		snapshot = malloc(now->size);
		memcpy(snapshot, now->data, now->size);
		buffers_seen += bound != shown;
		shown = bound;
		updates++;
		usleep(10 * 1000); /* let the demo tick meanwhile */
		CHECK(proto_send_frame_done(v.fd, 1, seq, 0));
	}
	fprintf(stderr, "%d UPDATEs, the shown buffer changed %d times over "
		"%d buffers\n", updates, buffers_seen, n_maps);
	CHECK(updates == 40 && buffers_seen == 40);
	free(snapshot);
	raw_viewer_close(&v);
	stop(&s);

	const char *no_hold[] = { "--size", "64x64", "--no-hold-shown", NULL };
	make_dir(&s);
	if (!start(&s, no_hold, false))
		goto out;
	REQUIRE(raw_viewer_connect(&v, s.path, NULL));
	REQUIRE(raw_viewer_expect(&v, PROTO_HELLO));
	CHECK(!(((const struct proto_hello *)raw_body(&v))->features &
		PROTO_FEATURE_HOLD_SHOWN));
	raw_viewer_close(&v);
out:
	stop(&s);
}

static void
test_signal(void)
{
	struct shim s;
	make_dir(&s);
	const char *args[] = { "--size", "64x64", NULL };
	if (!start(&s, args, false))
		goto out;
	struct raw_viewer v;
	CHECK(raw_viewer_join(&v, s.path, NULL, NULL, NULL) != 0);
	kill(s.pid, SIGTERM);
	CHECK(raw_viewer_skip_to(&v, PROTO_GOODBYE, 3000));
	const struct proto_error_msg *bye = raw_body(&v);
	CHECK(bye->code == PROTO_BYE_SHUTDOWN);
	CHECK(strcmp((const char *)(bye + 1), "eglview-shim stopped by signal") == 0);
	CHECK(wait_exit(&s, 3000) == 0);
	CHECK(!socket_exists(s.path));
	raw_viewer_close(&v);
out:
	stop(&s);
}

static void
test_errors(void)
{
	struct shim s;
	make_dir(&s);
	const char *bad_source[] = { "--source", "xen", NULL };
	start(&s, bad_source, true);
	CHECK(wait_exit(&s, 3000) == 2);
	char log[2048];
	read_file(s.log, log, sizeof(log));
	CHECK(strstr(log, "eglview-shim: unknown source \"xen\" (available: "
		      "demo, qemu)") != NULL);
	unlink(s.log);

	const char *dmabuf[] = { "--buffers", "dmabuf", NULL };
	if (access("/dev/dri", F_OK) != 0) {
		start(&s, dmabuf, true);
		CHECK(wait_exit(&s, 3000) == 1);
		read_file(s.log, log, sizeof(log));
		CHECK(strstr(log, "/dev/dri/renderD*") != NULL); /* names what is missing */
		unlink(s.log);
	}

	/* A second shim on a live socket says who is in the way. */
	struct shim first = s;
	const char *args[] = { "--size", "64x64", NULL };
	REQUIRE(start(&first, args, false));
	start(&s, args, true);
	CHECK(wait_exit(&s, 3000) == 1);
	read_file(s.log, log, sizeof(log));
	CHECK(strstr(log, "is another eglview-shim serving") != NULL);
	CHECK(socket_exists(first.path)); /* the first one keeps it */
	kill(first.pid, SIGTERM);
	CHECK(wait_exit(&first, 3000) == 0);
	stop(&s);
}

static const struct test_case cases[] = {
	{ "record-input", test_record_input },
	{ "leds", test_leds },
	{ "damage-right-edge", test_damage_right_edge },
	{ "frames-wait", test_frames_wait },
	{ "frames-ticking", test_frames_ticking },
	{ "busy-never-written", test_busy_never_written },
	{ "hold-shown", test_hold_shown },
	{ "signal", test_signal },
	{ "errors", test_errors },
};

int
main(int argc, char **argv)
{
	shim_binary = getenv("EGLVIEW_SHIM");
	if (argc != 2 || shim_binary == NULL) {
		fprintf(stderr, "usage: EGLVIEW_SHIM=path test-shim CASE\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	return test_run_case("test-shim", cases, sizeof(cases) / sizeof(cases[0]),
			     argv[1]);
}
