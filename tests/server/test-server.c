/* SPDX-License-Identifier: MIT */
/*
 * libeglview-server over a real socket: the test is the source (one head,
 * two shm buffers, a keyboard) and one or more raw viewers. Usage:
 * test-server CASE (see the table at the end).
 */
#include <fcntl.h>
#include <linux/input-event-codes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "raw-viewer.h"
#include "server/region.h"
#include "server/server.h"
#include "alloc/shm.h"

#define W 64
#define H 48

struct fixture {
	char dir[64], path[128];
	struct server *server;
	struct server_head *head;
	struct shm_block shm[2];
	struct server_buffer *buf[2];
	uint32_t keyboard_id;
	uint32_t cursor[16];
	int joined, left, released[2];
	size_t last_count;
	struct proto_input_event input[16];
	uint32_t n_input, input_device, input_kind;
};

static void
on_input(void *data, uint32_t device_id, uint32_t kind,
	 const struct proto_input_event *ev, uint32_t n)
{
	struct fixture *fx = data;
	fx->input_device = device_id;
	fx->input_kind = kind;
	fx->n_input = n < 16 ? n : 16;
	memcpy(fx->input, ev, fx->n_input * sizeof(*ev));
}

static void
on_released(void *data, struct server_buffer *buffer)
{
	struct fixture *fx = data;
	for (int i = 0; i < 2; i++)
		fx->released[i] += buffer == fx->buf[i];
	CHECK(!server_buffer_busy(buffer));
}

static void
on_joined(void *data, size_t count)
{
	struct fixture *fx = data;
	fx->joined++;
	fx->last_count = count;
}

static void
on_left(void *data, size_t count)
{
	struct fixture *fx = data;
	fx->left++;
	fx->last_count = count;
}

static const struct server_callbacks callbacks = {
	.input = on_input, .buffer_released = on_released,
	.viewer_joined = on_joined, .viewer_left = on_left,
};

static bool
fixture_init(struct fixture *fx)
{
	*fx = (struct fixture){ 0 };
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/eglview-server-XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return false;
	snprintf(fx->path, sizeof(fx->path), "%s/vm.sock", fx->dir);
	char why[256];
	fx->server = server_create(fx->path, "testvm", &callbacks, fx, why,
				   sizeof(why));
	if (fx->server == NULL) {
		fprintf(stderr, "server_create: %s\n", why);
		return false;
	}
	fx->head = server_add_head(fx->server, "Test-1", W, H);
	for (int i = 0; i < 2; i++) {
		if (!shm_block_init(&fx->shm[i], "test", W * H * 4, why,
				    sizeof(why)))
			return false;
		uint32_t *px = fx->shm[i].data;
		for (uint32_t y = 0; y < H; y++)
			for (uint32_t x = 0; x < W; x++)
				px[y * W + x] = 0xff000000u | (uint32_t)i << 16 |
						y << 8 | x;
		fx->buf[i] = server_buffer_create_shm(fx->server, fx->shm[i].fd,
			DRM_FORMAT_XRGB8888, W, H, W * 4, 0);
		if (fx->buf[i] == NULL)
			return false;
	}
	struct proto_input_device kbd = {
		.kind = PROTO_DEVICE_KEYBOARD,
		.ev_bits = (1u << EV_SYN) | (1u << EV_KEY),
	};
	snprintf(kbd.name, sizeof(kbd.name), "test keyboard");
	kbd.key_bits[KEY_A / 8] |= 1u << (KEY_A % 8);
	fx->keyboard_id = server_add_input_device(fx->server, &kbd, NULL);
	for (int i = 0; i < 16; i++)
		fx->cursor[i] = 0xff000000u | (uint32_t)i * 0x10101;
	server_head_set_cursor(fx->head, 4, 4, 1, 2, fx->cursor);
	server_head_move_cursor(fx->head, 10, 12, true);
	return fx->head != NULL && fx->keyboard_id != 0;
}

static void
fixture_finish(struct fixture *fx)
{
	server_destroy(fx->server);
	struct stat st;
	CHECK(stat(fx->path, &st) < 0); /* the socket is unlinked */
	for (int i = 0; i < 2; i++)
		shm_block_finish(&fx->shm[i]);
	rmdir(fx->dir);
}

static bool
rect_eq(const struct proto_rect *r, uint32_t x, uint32_t y, uint32_t w,
	uint32_t h)
{
	return r->x == x && r->y == y && r->width == w && r->height == h;
}

/* Connects, checks the server's HELLO, answers it. */
static bool
join(struct fixture *fx, struct raw_viewer *v, bool shm)
{
	if (!raw_viewer_connect(v, fx->path, fx->server) ||
	    !raw_viewer_expect(v, PROTO_HELLO))
		return false;
	const struct proto_hello *hello = raw_body(v);
	CHECK(strcmp(hello->magic, PROTO_MAGIC) == 0);
	CHECK(hello->major == PROTO_VERSION_MAJOR);
	CHECK(strcmp(hello->name, "testvm") == 0);
	CHECK(hello->n_formats == 0);
	return raw_viewer_hello(v, shm);
}

/* Joins and reads the state dump up to the UPDATE; returns its seq. */
static uint32_t
join_until_update(struct fixture *fx, struct raw_viewer *v)
{
	if (!join(fx, v, true) || !raw_viewer_skip_to(v, PROTO_UPDATE, 2000))
		return 0;
	return ((const struct proto_update *)raw_body(v))->seq;
}

static void
test_late_joiner(void)
{
	struct fixture fx;
	REQUIRE(fixture_init(&fx));
	server_head_present(fx.head, fx.buf[0], 0, NULL, 0);
	server_head_present(fx.head, fx.buf[1], 0,
			    &(struct proto_rect){ 0, 0, 8, 8 }, 1);

	struct raw_viewer v;
	REQUIRE(join(&fx, &v, true));
	REQUIRE(raw_viewer_expect(&v, PROTO_INPUT_DEVICE));
	const struct proto_input_device *dev = raw_body(&v);
	CHECK(dev->device_id == fx.keyboard_id);
	CHECK(strcmp(dev->name, "test keyboard") == 0);

	REQUIRE(raw_viewer_expect(&v, PROTO_HEAD_INFO));
	const struct proto_head_info *info = raw_body(&v);
	CHECK(info->head_id == 1 && info->width == W && info->height == H);
	CHECK(info->flags & PROTO_HEAD_ENABLED);
	CHECK(strcmp(info->name, "Test-1") == 0);

	/* The newest buffer only, as a sealed memfd with its pixels. */
	REQUIRE(raw_viewer_expect(&v, PROTO_BUFFER_SHM));
	const struct proto_buffer_shm *shm = raw_body(&v);
	uint32_t id = server_buffer_get_id(fx.buf[1]);
	CHECK(shm->buffer_id == id);
	CHECK(shm->width == W && shm->height == H && shm->stride == W * 4);
	CHECK(shm->fourcc == DRM_FORMAT_XRGB8888);
	REQUIRE(v.pkt->n_fds == 1);
	int seals = fcntl(v.pkt->fds[0], F_GET_SEALS);
	CHECK(seals >= 0 && (seals & F_SEAL_SHRINK));
	void *map = mmap(NULL, W * H * 4, PROT_READ, MAP_SHARED,
			 v.pkt->fds[0], 0);
	REQUIRE(map != MAP_FAILED);
	CHECK(memcmp(map, fx.shm[1].data, W * H * 4) == 0);
	munmap(map, W * H * 4);

	REQUIRE(raw_viewer_expect(&v, PROTO_SCANOUT));
	const struct proto_scanout *scanout = raw_body(&v);
	CHECK(scanout->head_id == 1 && scanout->buffer_id == id);
	CHECK(scanout->width == W && scanout->height == H);

	REQUIRE(raw_viewer_expect(&v, PROTO_UPDATE));
	const struct proto_update *update = raw_body(&v);
	const struct proto_rect *rects = (const void *)(update + 1);
	uint32_t seq = update->seq;
	CHECK(update->head_id == 1 && update->n_rects == 1);
	CHECK(rect_eq(&rects[0], 0, 0, W, H));

	REQUIRE(raw_viewer_expect(&v, PROTO_CURSOR_IMAGE));
	const struct proto_cursor_image *cursor = raw_body(&v);
	CHECK(cursor->width == 4 && cursor->height == 4);
	CHECK(cursor->hot_x == 1 && cursor->hot_y == 2);
	CHECK(memcmp(cursor + 1, fx.cursor, sizeof(fx.cursor)) == 0);
	REQUIRE(raw_viewer_expect(&v, PROTO_CURSOR_POS));
	const struct proto_cursor_pos *pos = raw_body(&v);
	CHECK(pos->x == 10 && pos->y == 12 && pos->visible == 1);

	CHECK(fx.joined == 1 && fx.last_count == 1);
	CHECK(server_viewer_count(fx.server) == 1);
	CHECK(server_buffer_busy(fx.buf[1]));
	CHECK(!server_buffer_busy(fx.buf[0]));
	CHECK(!server_idle(fx.server));

	REQUIRE(proto_send_frame_done(v.fd, 1, seq, 0));
	raw_viewer_pump(fx.server, 50);
	CHECK(!server_buffer_busy(fx.buf[1]));
	CHECK(fx.released[1] == 1 && fx.released[0] == 0);
	CHECK(server_idle(fx.server));

	/* Destroying: only the buffer this viewer knows is announced gone. */
	server_buffer_destroy(fx.buf[0]);
	fx.buf[0] = NULL;
	server_buffer_destroy(fx.buf[1]);
	fx.buf[1] = NULL;
	REQUIRE(raw_viewer_expect(&v, PROTO_BUFFER_DESTROY));
	CHECK(((const struct proto_buffer_destroy *)raw_body(&v))->buffer_id == id);
	CHECK(raw_viewer_recv(&v, 100) == PROTO_IO_AGAIN);

	raw_viewer_close(&v);
	CHECK(fx.left == 1 && fx.last_count == 0);
	fixture_finish(&fx);
}

static void
test_handshake(void)
{
	struct fixture fx;
	REQUIRE(fixture_init(&fx));
	server_head_present(fx.head, fx.buf[0], 0, NULL, 0);

	/* Anything but HELLO first ends the connection. */
	struct raw_viewer early;
	REQUIRE(raw_viewer_connect(&early, fx.path, fx.server));
	REQUIRE(raw_viewer_expect(&early, PROTO_HELLO));
	REQUIRE(proto_send_ping(early.fd, 7));
	REQUIRE(raw_viewer_expect(&early, PROTO_ERROR));
	CHECK(((const struct proto_error_msg *)raw_body(&early))->code ==
	      PROTO_ERR_UNEXPECTED);
	CHECK(raw_viewer_recv(&early, 1000) == PROTO_IO_EOF);
	raw_viewer_close(&early);
	CHECK(fx.joined == 0 && fx.left == 0);

	/* A viewer offering no format gets the heads but no buffer. */
	struct raw_viewer v;
	REQUIRE(join(&fx, &v, false));
	REQUIRE(raw_viewer_expect(&v, PROTO_INPUT_DEVICE));
	REQUIRE(raw_viewer_expect(&v, PROTO_HEAD_INFO));
	REQUIRE(raw_viewer_expect(&v, PROTO_CURSOR_IMAGE));
	REQUIRE(raw_viewer_expect(&v, PROTO_CURSOR_POS));
	CHECK(server_idle(fx.server));
	CHECK(!server_buffer_busy(fx.buf[0]));
	server_head_present(fx.head, fx.buf[0], 0, NULL, 0);
	REQUIRE(proto_send_ping(v.fd, 4242));
	REQUIRE(raw_viewer_expect(&v, PROTO_PONG));
	CHECK(((const struct proto_ping *)raw_body(&v))->serial == 4242);

	/* A second HELLO is an error. */
	REQUIRE(raw_viewer_hello(&v, true));
	REQUIRE(raw_viewer_expect(&v, PROTO_ERROR));
	CHECK(((const struct proto_error_msg *)raw_body(&v))->code ==
	      PROTO_ERR_UNEXPECTED);
	CHECK(raw_viewer_recv(&v, 1000) == PROTO_IO_EOF);
	raw_viewer_close(&v);
	CHECK(fx.joined == 1 && fx.left == 1);
	fixture_finish(&fx);
}

static void
test_coalescing(void)
{
	struct fixture fx;
	REQUIRE(fixture_init(&fx));
	server_head_present(fx.head, fx.buf[0], 0, NULL, 0);
	struct raw_viewer v;
	uint32_t seq = join_until_update(&fx, &v);
	REQUIRE(seq != 0);
	REQUIRE(raw_viewer_skip_to(&v, PROTO_CURSOR_POS, 1000));

	/* Many presents while the UPDATE is outstanding: nothing is sent. */
	struct region presented;
	region_init(&presented);
	for (uint32_t i = 0; i < 20; i++) {
		struct proto_rect r = { (i * 7) % (W - 4), (i * 5) % (H - 4), 3, 2 };
		server_head_present(fx.head, fx.buf[0], 0, &r, 1);
		region_add_rect(&presented, &r);
		raw_viewer_pump(fx.server, 5);
	}
	CHECK(raw_viewer_recv(&v, 200) == PROTO_IO_AGAIN);
	CHECK(server_buffer_busy(fx.buf[0]));
	CHECK(!server_idle(fx.server));

	/* FRAME_DONE: exactly one UPDATE covering all of it, no more. */
	REQUIRE(proto_send_frame_done(v.fd, 1, seq, 0));
	REQUIRE(raw_viewer_expect(&v, PROTO_UPDATE));
	const struct proto_update *update = raw_body(&v);
	CHECK(update->seq > seq);
	struct region got;
	region_init(&got);
	const struct proto_rect *rects = (const void *)(update + 1);
	for (uint32_t i = 0; i < update->n_rects; i++)
		region_add_rect(&got, &rects[i]);
	for (uint32_t i = 0; i < presented.n_rects; i++)
		CHECK(region_contains_rect(&got, &presented.rects[i]));
	/* Coalesced, not inflated to the whole buffer. */
	CHECK(region_area(&got) < (uint64_t)W * H);
	seq = update->seq;
	CHECK(raw_viewer_recv(&v, 200) == PROTO_IO_AGAIN);
	CHECK(fx.released[0] == 0); /* held all along, never let go */

	/* A new buffer while outstanding: announced, bound, the old one
	 * released once the viewer is done with it. */
	server_head_present(fx.head, fx.buf[1], 0,
			    &(struct proto_rect){ 1, 1, 2, 2 }, 1);
	CHECK(raw_viewer_recv(&v, 100) == PROTO_IO_AGAIN);
	REQUIRE(proto_send_frame_done(v.fd, 1, seq, 0));
	REQUIRE(raw_viewer_expect(&v, PROTO_BUFFER_SHM));
	REQUIRE(raw_viewer_expect(&v, PROTO_SCANOUT));
	CHECK(((const struct proto_scanout *)raw_body(&v))->buffer_id ==
	      server_buffer_get_id(fx.buf[1]));
	REQUIRE(raw_viewer_expect(&v, PROTO_UPDATE));
	seq = ((const struct proto_update *)raw_body(&v))->seq;
	CHECK(fx.released[0] == 1);
	CHECK(!server_buffer_busy(fx.buf[0]) && server_buffer_busy(fx.buf[1]));

	/* A FRAME_DONE for anything but the outstanding seq is an error. */
	REQUIRE(proto_send_frame_done(v.fd, 1, seq + 1, 0));
	REQUIRE(raw_viewer_expect(&v, PROTO_ERROR));
	CHECK(((const struct proto_error_msg *)raw_body(&v))->code ==
	      PROTO_ERR_UNEXPECTED);
	CHECK(raw_viewer_recv(&v, 1000) == PROTO_IO_EOF);
	raw_viewer_pump(fx.server, 20);
	/* The closed viewer's hold is gone with it. */
	CHECK(!server_buffer_busy(fx.buf[1]) && fx.released[1] == 1);
	raw_viewer_close(&v);
	fixture_finish(&fx);
}

static void
test_slow_viewer(void)
{
	struct fixture fx;
	REQUIRE(fixture_init(&fx));
	server_head_present(fx.head, fx.buf[0], 0, NULL, 0);
	struct raw_viewer slow, fast;
	uint32_t slow_seq = join_until_update(&fx, &slow);
	uint32_t fast_seq = join_until_update(&fx, &fast);
	REQUIRE(slow_seq != 0 && fast_seq != 0);
	REQUIRE(raw_viewer_skip_to(&slow, PROTO_CURSOR_POS, 1000));
	REQUIRE(proto_send_frame_done(fast.fd, 1, fast_seq, 0));
	raw_viewer_pump(fx.server, 20);

	struct region presented;
	region_init(&presented);
	for (uint32_t i = 0; i < 30; i++) {
		struct proto_rect r = { i, i, 5, 5 };
		server_head_present(fx.head, fx.buf[0], 0, &r, 1);
		region_add_rect(&presented, &r);
		REQUIRE(raw_viewer_skip_to(&fast, PROTO_UPDATE, 2000));
		const struct proto_update *u = raw_body(&fast);
		const struct proto_rect *rects = (const void *)(u + 1);
		CHECK(u->seq > fast_seq);
		CHECK(u->n_rects == 1 && rect_eq(&rects[0], i, i, 5, 5));
		fast_seq = u->seq;
		REQUIRE(proto_send_frame_done(fast.fd, 1, fast_seq, 0));
	}
	/* The slow one got nothing more, and is still connected. */
	CHECK(raw_viewer_recv(&slow, 100) == PROTO_IO_AGAIN);
	CHECK(server_viewer_count(fx.server) == 2);
	REQUIRE(proto_send_frame_done(slow.fd, 1, slow_seq, 0));
	REQUIRE(raw_viewer_expect(&slow, PROTO_UPDATE));
	const struct proto_update *u = raw_body(&slow);
	const struct proto_rect *rects = (const void *)(u + 1);
	struct region got;
	region_init(&got);
	for (uint32_t i = 0; i < u->n_rects; i++)
		region_add_rect(&got, &rects[i]);
	for (uint32_t i = 0; i < presented.n_rects; i++)
		CHECK(region_contains_rect(&got, &presented.rects[i]));
	raw_viewer_close(&slow);
	raw_viewer_close(&fast);
	fixture_finish(&fx);
}

/* One viewer misbehaves in a given way: it gets ERROR code and EOF, and
 * a second viewer keeps working. */
static void
bad_packet(const char *what, enum proto_error code)
{
	struct fixture fx;
	REQUIRE(fixture_init(&fx));
	server_head_present(fx.head, fx.buf[0], 0, NULL, 0);
	struct raw_viewer bad, good;
	uint32_t seq = join_until_update(&fx, &bad);
	REQUIRE(seq != 0 && join_until_update(&fx, &good) != 0);
	REQUIRE(raw_viewer_skip_to(&bad, PROTO_CURSOR_POS, 1000));

	struct proto_input_event keys[2] = {
		{ EV_KEY, KEY_A, 1 }, { EV_SYN, SYN_REPORT, 0 },
	};
	struct proto_input_event rel[2] = {
		{ EV_REL, REL_X, 5 }, { EV_SYN, SYN_REPORT, 0 },
	};
	struct proto_frame_done done = { .head_id = 1, .seq = seq };
	bool ok = false;
	if (strcmp(what, "malformed") == 0)
		/* FRAME_DONE 8 bytes short. */
		ok = proto_send_msg(bad.fd, PROTO_FRAME_DONE, &done, 8, NULL, 0,
				    NULL, 0);
	else if (strcmp(what, "unknown-device") == 0)
		ok = proto_send_input(bad.fd, fx.keyboard_id + 100, keys, 2);
	else if (strcmp(what, "bad-type") == 0)
		ok = proto_send_input(bad.fd, fx.keyboard_id, rel, 2);
	else if (strcmp(what, "unknown-head") == 0)
		ok = proto_send_frame_done(bad.fd, 9, seq, 0);
	else if (strcmp(what, "wrong-direction") == 0)
		ok = proto_send_scanout(bad.fd, &(struct proto_scanout){
			.head_id = 1 });
	REQUIRE(ok);
	REQUIRE(raw_viewer_expect(&bad, PROTO_ERROR));
	const struct proto_error_msg *err = raw_body(&bad);
	fprintf(stderr, "got ERROR %s: %s\n", proto_error_name(err->code),
		(const char *)(err + 1));
	CHECK(err->code == code);
	CHECK(raw_viewer_recv(&bad, 1000) == PROTO_IO_EOF);
	CHECK(fx.n_input == 0); /* nothing reached the source */

	REQUIRE(proto_send_ping(good.fd, 99));
	REQUIRE(raw_viewer_skip_to(&good, PROTO_PONG, 2000));
	CHECK(((const struct proto_ping *)raw_body(&good))->serial == 99);
	CHECK(server_viewer_count(fx.server) == 1);
	raw_viewer_close(&bad);
	raw_viewer_close(&good);
	fixture_finish(&fx);
}

static void test_malformed(void) { bad_packet("malformed", PROTO_ERR_MALFORMED); }
static void test_unknown_device(void) { bad_packet("unknown-device", PROTO_ERR_UNKNOWN_ID); }
static void test_bad_type(void) { bad_packet("bad-type", PROTO_ERR_BAD_VALUE); }
static void test_unknown_head(void) { bad_packet("unknown-head", PROTO_ERR_UNKNOWN_ID); }
static void test_wrong_direction(void) { bad_packet("wrong-direction", PROTO_ERR_UNEXPECTED); }

static void
test_input(void)
{
	struct fixture fx;
	REQUIRE(fixture_init(&fx));
	struct raw_viewer v;
	REQUIRE(join(&fx, &v, true));
	REQUIRE(raw_viewer_skip_to(&v, PROTO_CURSOR_POS, 2000));
	struct proto_input_event keys[3] = {
		{ EV_KEY, KEY_A, 1 }, { EV_KEY, KEY_A, 0 },
		{ EV_SYN, SYN_REPORT, 0 },
	};
	REQUIRE(proto_send_input(v.fd, fx.keyboard_id, keys, 3));

	/* An unknown type is skipped, its fd closed: our pipe's read end
	 * sees EOF once the server let go of the write end we sent. */
	int pipe_fds[2];
	REQUIRE(pipe2(pipe_fds, O_CLOEXEC) == 0);
	REQUIRE(proto_send_msg(v.fd, 0x02ff, &(uint64_t){ 0 }, 8, NULL, 0,
			       &pipe_fds[1], 1));
	close(pipe_fds[1]);
	REQUIRE(proto_send_ping(v.fd, 5));
	REQUIRE(raw_viewer_expect(&v, PROTO_PONG));
	char c;
	CHECK(read(pipe_fds[0], &c, 1) == 0);
	close(pipe_fds[0]);

	CHECK(fx.input_device == fx.keyboard_id);
	CHECK(fx.input_kind == PROTO_DEVICE_KEYBOARD);
	CHECK(fx.n_input == 3 && memcmp(fx.input, keys, sizeof(keys)) == 0);
	raw_viewer_close(&v);
	fixture_finish(&fx);
}

static void
test_other_uid(void)
{
	if (getuid() != 0) {
		printf("skipped: needs root to connect as another uid\n");
		exit(77);
	}
	struct fixture fx;
	REQUIRE(fixture_init(&fx));
	/* Open the way so that the file mode is not what refuses. */
	REQUIRE(chmod(fx.dir, 0755) == 0 && chmod(fx.path, 0666) == 0);

	char log_path[128];
	snprintf(log_path, sizeof(log_path), "%s/stderr", fx.dir);
	int log_fd = open(log_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	REQUIRE(log_fd >= 0);
	fflush(stderr);
	int saved_stderr = dup(2);
	dup2(log_fd, 2);

	pid_t child = fork();
	if (child == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(3);
		struct raw_viewer v;
		if (!raw_viewer_connect(&v, fx.path, NULL))
			_exit(4);
		if (!raw_viewer_expect(&v, PROTO_ERROR))
			_exit(5);
		const struct proto_error_msg *err = raw_body(&v);
		if (err->code != PROTO_ERR_ACCESS)
			_exit(6);
		_exit(raw_viewer_recv(&v, 1000) == PROTO_IO_EOF ? 0 : 7);
	}
	int status = -1;
	for (int i = 0; i < 300; i++) {
		raw_viewer_pump(fx.server, 10);
		if (waitpid(child, &status, WNOHANG) == child)
			break;
	}
	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	if (WIFEXITED(status))
		fprintf(stderr, "child exit %d\n", WEXITSTATUS(status));

	char log[1024] = { 0 }, expected[128];
	pread(log_fd, log, sizeof(log) - 1, 0);
	close(log_fd);
	unlink(log_path);
	fprintf(stderr, "server log: %s", log);
	snprintf(expected, sizeof(expected), "eglview-shim: refused viewer "
		 "pid %d uid 65534 (this server runs as uid 0)", (int)child);
	CHECK(strstr(log, expected) != NULL);
	CHECK(fx.joined == 0 && server_viewer_count(fx.server) == 0);
	fixture_finish(&fx);
}

static void
test_head_enable(void)
{
	struct fixture fx;
	REQUIRE(fixture_init(&fx));
	server_head_present(fx.head, fx.buf[0], 0, NULL, 0);
	struct raw_viewer v;
	uint32_t seq = join_until_update(&fx, &v);
	REQUIRE(seq != 0);
	REQUIRE(raw_viewer_skip_to(&v, PROTO_CURSOR_POS, 1000));
	REQUIRE(proto_send_frame_done(v.fd, 1, seq, 0));

	server_head_set_enabled(fx.head, false);
	REQUIRE(raw_viewer_expect(&v, PROTO_HEAD_INFO));
	CHECK(!(((const struct proto_head_info *)raw_body(&v))->flags &
		PROTO_HEAD_ENABLED));
	/* Presents on a disabled head are kept, not sent. */
	server_head_present(fx.head, fx.buf[0], 0,
			    &(struct proto_rect){ 0, 0, 4, 4 }, 1);
	CHECK(raw_viewer_recv(&v, 100) == PROTO_IO_AGAIN);
	CHECK(server_idle(fx.server));

	server_head_set_size(fx.head, W * 2, H);
	REQUIRE(raw_viewer_expect(&v, PROTO_HEAD_INFO));
	CHECK(((const struct proto_head_info *)raw_body(&v))->width == W * 2);

	/* Enabled again: the picture whole, and the cursor. */
	server_head_set_enabled(fx.head, true);
	REQUIRE(raw_viewer_expect(&v, PROTO_HEAD_INFO));
	CHECK(((const struct proto_head_info *)raw_body(&v))->flags &
	      PROTO_HEAD_ENABLED);
	REQUIRE(raw_viewer_expect(&v, PROTO_UPDATE));
	const struct proto_update *u = raw_body(&v);
	CHECK(u->seq > seq && u->n_rects == 1);
	CHECK(rect_eq((const struct proto_rect *)(u + 1), 0, 0, W, H));
	REQUIRE(raw_viewer_expect(&v, PROTO_CURSOR_IMAGE));
	REQUIRE(raw_viewer_expect(&v, PROTO_CURSOR_POS));
	raw_viewer_close(&v);
	fixture_finish(&fx);
}

/* PROTOCOL.md "Held buffers": to a viewer that says HOLD_SHOWN the buffer
 * a head shows stays busy after FRAME_DONE, until an answered UPDATE shows
 * another one, the head shows nothing, or the viewer leaves. */
static uint32_t
next_update(struct raw_viewer *v)
{
	if (!raw_viewer_skip_to(v, PROTO_UPDATE, 2000))
		return 0;
	return ((const struct proto_update *)raw_body(v))->seq;
}

static void
test_hold_shown(void)
{
	struct fixture fx;
	REQUIRE(fixture_init(&fx));
	server_head_present(fx.head, fx.buf[0], 0, NULL, 0);
	struct raw_viewer v;
	REQUIRE(raw_viewer_connect(&v, fx.path, fx.server));
	REQUIRE(raw_viewer_expect(&v, PROTO_HELLO));
	CHECK(((const struct proto_hello *)raw_body(&v))->features &
	      PROTO_FEATURE_HOLD_SHOWN);
	CHECK(((const struct proto_hello *)raw_body(&v))->minor >= 1);
	REQUIRE(raw_viewer_hello_features(&v, true, PROTO_FEATURE_SHM |
		PROTO_FEATURE_CURSOR | PROTO_FEATURE_HOLD_SHOWN));
	uint32_t seq = next_update(&v);
	REQUIRE(seq != 0);

	/* Answered, but still shown: held. */
	REQUIRE(proto_send_frame_done(v.fd, 1, seq, 0));
	raw_viewer_pump(fx.server, 50);
	CHECK(server_buffer_busy(fx.buf[0]) && fx.released[0] == 0);

	/* The same buffer again: still held after its answer. */
	server_head_present(fx.head, fx.buf[0], 0,
			    &(struct proto_rect){ 0, 0, 4, 4 }, 1);
	seq = next_update(&v);
	REQUIRE(seq != 0);
	REQUIRE(proto_send_frame_done(v.fd, 1, seq, 0));
	raw_viewer_pump(fx.server, 50);
	CHECK(server_buffer_busy(fx.buf[0]) && fx.released[0] == 0);

	/* Another buffer: the first stays held until that one's answer. */
	server_head_present(fx.head, fx.buf[1], 0, NULL, 0);
	seq = next_update(&v);
	REQUIRE(seq != 0);
	raw_viewer_pump(fx.server, 50);
	CHECK(server_buffer_busy(fx.buf[0]) && server_buffer_busy(fx.buf[1]));
	REQUIRE(proto_send_frame_done(v.fd, 1, seq, 0));
	raw_viewer_pump(fx.server, 50);
	CHECK(!server_buffer_busy(fx.buf[0]) && fx.released[0] == 1);
	CHECK(server_buffer_busy(fx.buf[1]) && fx.released[1] == 0);

	/* Disabled: nothing is shown, nothing held. */
	server_head_set_enabled(fx.head, false);
	raw_viewer_pump(fx.server, 50);
	CHECK(!server_buffer_busy(fx.buf[1]) && fx.released[1] == 1);
	server_head_set_enabled(fx.head, true);
	seq = next_update(&v);
	REQUIRE(seq != 0);
	REQUIRE(proto_send_frame_done(v.fd, 1, seq, 0));
	raw_viewer_pump(fx.server, 50);
	CHECK(server_buffer_busy(fx.buf[1]));

	/* Bound to no buffer: free at once. */
	server_head_present(fx.head, NULL, 0, NULL, 0);
	REQUIRE(raw_viewer_skip_to(&v, PROTO_SCANOUT, 2000));
	CHECK(((const struct proto_scanout *)raw_body(&v))->buffer_id == 0);
	raw_viewer_pump(fx.server, 50);
	CHECK(!server_buffer_busy(fx.buf[1]) && fx.released[1] == 2);

	/* Shown again, then the viewer leaves: its hold goes with it. */
	server_head_present(fx.head, fx.buf[0], 0, NULL, 0);
	seq = next_update(&v);
	REQUIRE(seq != 0);
	REQUIRE(proto_send_frame_done(v.fd, 1, seq, 0));
	raw_viewer_pump(fx.server, 50);
	CHECK(server_buffer_busy(fx.buf[0]));
	raw_viewer_close(&v);
	raw_viewer_pump(fx.server, 50);
	CHECK(!server_buffer_busy(fx.buf[0]) && fx.released[0] == 2);

	/* A viewer without the feature never holds what it answered. */
	struct raw_viewer plain;
	seq = join_until_update(&fx, &plain);
	REQUIRE(seq != 0);
	REQUIRE(proto_send_frame_done(plain.fd, 1, seq, 0));
	raw_viewer_pump(fx.server, 50);
	CHECK(!server_buffer_busy(fx.buf[0]) && fx.released[0] == 3);
	raw_viewer_close(&plain);

	/* A source that turned it off neither offers nor honours it. */
	server_set_hold_shown(fx.server, false);
	struct raw_viewer asks;
	REQUIRE(raw_viewer_connect(&asks, fx.path, fx.server));
	REQUIRE(raw_viewer_expect(&asks, PROTO_HELLO));
	CHECK(!(((const struct proto_hello *)raw_body(&asks))->features &
		PROTO_FEATURE_HOLD_SHOWN));
	REQUIRE(raw_viewer_hello_features(&asks, true, PROTO_FEATURE_SHM |
		PROTO_FEATURE_HOLD_SHOWN));
	seq = next_update(&asks);
	REQUIRE(seq != 0);
	REQUIRE(proto_send_frame_done(asks.fd, 1, seq, 0));
	raw_viewer_pump(fx.server, 50);
	CHECK(!server_buffer_busy(fx.buf[0]) && fx.released[0] == 4);
	raw_viewer_close(&asks);
	fixture_finish(&fx);
}

static const struct test_case cases[] = {
	{ "late-joiner", test_late_joiner },
	{ "handshake", test_handshake },
	{ "coalescing", test_coalescing },
	{ "slow-viewer", test_slow_viewer },
	{ "malformed", test_malformed },
	{ "unknown-device", test_unknown_device },
	{ "bad-type", test_bad_type },
	{ "unknown-head", test_unknown_head },
	{ "wrong-direction", test_wrong_direction },
	{ "input", test_input },
	{ "other-uid", test_other_uid },
	{ "head-enable", test_head_enable },
	{ "hold-shown", test_hold_shown },
};

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: test-server CASE\n");
		return 2;
	}
	return test_run_case("test-server", cases, sizeof(cases) / sizeof(cases[0]),
			     argv[1]);
}
