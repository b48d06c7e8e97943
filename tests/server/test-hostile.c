/* SPDX-License-Identifier: MIT */
/*
 * libeglview-server against hostile viewers, over a real socket: the rows
 * of PROTOCOL.md's validation table that the server enforces and the other
 * server tests do not reach, floods, and fd/RSS staying flat over 10,000
 * buffer announce/destroy cycles. Usage: test-hostile CASE.
 */
#include <fcntl.h>
#include <linux/input-event-codes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <dirent.h>
#include <drm_fourcc.h>

#include "raw-viewer.h"
#include "server/private.h"
#include "alloc/shm.h"

#define W 32
#define H 16

struct fixture {
	char dir[64], path[128];
	struct server *server;
	struct server_head *head;
	struct shm_block shm;
	uint32_t keyboard_id;
	uint32_t n_input;
	struct proto_input_event last_input; /* the first record of the last */
};

static void
on_input(void *data, uint32_t device_id, uint32_t kind,
	 const struct proto_input_event *ev, uint32_t n)
{
	(void)device_id;
	(void)kind;
	struct fixture *fx = data;
	fx->n_input++;
	if (n > 0)
		fx->last_input = ev[0];
}

static const struct server_callbacks callbacks = { .input = on_input };

static bool
fixture_init(struct fixture *fx)
{
	*fx = (struct fixture){ 0 };
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/eglview-hostile-XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return false;
	snprintf(fx->path, sizeof(fx->path), "%s/vm.sock", fx->dir);
	char why[256];
	fx->server = server_create(fx->path, "hostile", &callbacks, fx, why,
				   sizeof(why));
	if (fx->server == NULL || !shm_block_init(&fx->shm, "hostile",
						  W * H * 4, why, sizeof(why)))
		return false;
	fx->head = server_add_head(fx->server, "Test-1", W, H);
	struct proto_input_device kbd = {
		.kind = PROTO_DEVICE_KEYBOARD,
		.ev_bits = 1u << EV_SYN | 1u << EV_KEY,
	};
	kbd.key_bits[KEY_A / 8] |= 1u << (KEY_A % 8);
	fx->keyboard_id = server_add_input_device(fx->server, &kbd, NULL);
	return fx->head != NULL && fx->keyboard_id != 0;
}

static void
fixture_finish(struct fixture *fx)
{
	server_destroy(fx->server);
	shm_block_finish(&fx->shm);
	rmdir(fx->dir);
}

static bool
join(struct fixture *fx, struct raw_viewer *v)
{
	return raw_viewer_connect(v, fx->path, fx->server) &&
	       raw_viewer_expect(v, PROTO_HELLO) && raw_viewer_hello(v, true);
}

/* The next packet is ERROR code, then the connection ends. */
static void
expect_error(struct raw_viewer *v, enum proto_error code)
{
	if (!raw_viewer_skip_to(v, PROTO_ERROR, 3000)) {
		CHECK(!"an ERROR came");
		return;
	}
	const struct proto_error_msg *err = raw_body(v);
	printf("got ERROR %s: %s\n", proto_error_name(err->code),
	       (const char *)(err + 1));
	CHECK(err->code == code);
	CHECK(raw_viewer_recv(v, 2000) == PROTO_IO_EOF);
}

/* Sends bytes as one packet, with n_fds fds of /dev/null. */
static bool
send_raw(int fd, const void *data, size_t len, int n_fds)
{
	struct iovec iov = { (void *)data, len };
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * PROTO_MAX_FDS)];
	} control = { 0 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	int fds[PROTO_MAX_FDS];
	for (int i = 0; i < n_fds; i++)
		fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (n_fds > 0) {
		msg.msg_control = control.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		memcpy(CMSG_DATA(c), fds, sizeof(int) * n_fds);
	}
	bool ok = sendmsg(fd, &msg, MSG_NOSIGNAL) == (ssize_t)len;
	for (int i = 0; i < n_fds; i++)
		close(fds[i]);
	return ok;
}

static void
test_fd_on_input(void)
{
	struct fixture fx;
	REQUIRE(fixture_init(&fx));
	struct raw_viewer v;
	REQUIRE(join(&fx, &v));
	struct {
		struct proto_header h;
		struct proto_input in;
		struct proto_input_event ev[2];
	} m = { { PROTO_INPUT, sizeof(m) }, { fx.keyboard_id, 2, },
		{ { EV_KEY, KEY_A, 1 }, { EV_SYN, SYN_REPORT, 0 } } };
	REQUIRE(send_raw(v.fd, &m, sizeof(m), 1));
	expect_error(&v, PROTO_ERR_FD_COUNT);
	CHECK(fx.n_input == 0);
	raw_viewer_close(&v);
	fixture_finish(&fx);
}

static void
test_oversized(void)
{
	struct fixture fx;
	REQUIRE(fixture_init(&fx));
	struct raw_viewer v;
	REQUIRE(join(&fx, &v));
	static uint8_t big[PROTO_MAX_MSG_SIZE + 64];
	struct proto_header h = { PROTO_PING, sizeof(big) };
	memcpy(big, &h, sizeof(h));
	REQUIRE(send_raw(v.fd, big, sizeof(big), 0));
	expect_error(&v, PROTO_ERR_MALFORMED);
	raw_viewer_close(&v);
	fixture_finish(&fx);
}

/* A later minor's type is skipped (fds closed); the stream goes on. */
static void
test_unknown_type(void)
{
	struct fixture fx;
	REQUIRE(fixture_init(&fx));
	struct raw_viewer v;
	REQUIRE(join(&fx, &v));
	struct {
		struct proto_header h;
		uint8_t body[16];
	} m = { { 0x02ff, sizeof(m) }, { 0 } };
	REQUIRE(send_raw(v.fd, &m, sizeof(m), 0));
	REQUIRE(proto_send_ping(v.fd, 42));
	REQUIRE(raw_viewer_skip_to(&v, PROTO_PONG, 2000));
	CHECK(((const struct proto_ping *)raw_body(&v))->serial == 42);
	CHECK(server_viewer_count(fx.server) == 1);
	raw_viewer_close(&v);
	fixture_finish(&fx);
}

static void
test_wrong_major(void)
{
	struct fixture fx;
	REQUIRE(fixture_init(&fx));
	struct raw_viewer v;
	REQUIRE(raw_viewer_connect(&v, fx.path, fx.server));
	REQUIRE(raw_viewer_expect(&v, PROTO_HELLO));
	struct {
		struct proto_header h;
		struct proto_hello hello;
	} m = { { PROTO_HELLO, sizeof(m) },
		{ .magic = PROTO_MAGIC, .major = 2, .name = "future" } };
	REQUIRE(send_raw(v.fd, &m, sizeof(m), 0));
	expect_error(&v, PROTO_ERR_VERSION);
	raw_viewer_close(&v);
	fixture_finish(&fx);
}

static void
test_before_hello(void)
{
	struct fixture fx;
	REQUIRE(fixture_init(&fx));
	struct raw_viewer v;
	REQUIRE(raw_viewer_connect(&v, fx.path, fx.server));
	REQUIRE(proto_send_frame_done(v.fd, 1, 1, 0));
	expect_error(&v, PROTO_ERR_UNEXPECTED);
	raw_viewer_close(&v);
	fixture_finish(&fx);
}

static void
test_second_hello(void)
{
	struct fixture fx;
	REQUIRE(fixture_init(&fx));
	struct raw_viewer v;
	REQUIRE(join(&fx, &v));
	REQUIRE(raw_viewer_hello(&v, true));
	expect_error(&v, PROTO_ERR_UNEXPECTED);
	raw_viewer_close(&v);
	fixture_finish(&fx);
}

static void
test_frame_done_wrong_seq(void)
{
	struct fixture fx;
	REQUIRE(fixture_init(&fx));
	struct server_buffer *b = server_buffer_create_shm(fx.server, fx.shm.fd,
		DRM_FORMAT_XRGB8888, W, H, W * 4, 0);
	REQUIRE(b != NULL);
	server_head_present(fx.head, b, 0, NULL, 0);
	struct raw_viewer v;
	REQUIRE(join(&fx, &v));
	REQUIRE(raw_viewer_skip_to(&v, PROTO_UPDATE, 2000));
	uint32_t seq = ((const struct proto_update *)raw_body(&v))->seq;
	REQUIRE(proto_send_frame_done(v.fd, 1, seq + 1, 0));
	expect_error(&v, PROTO_ERR_UNEXPECTED);
	CHECK(!server_buffer_busy(b)); /* the dropped viewer's hold is gone */
	raw_viewer_close(&v);
	fixture_finish(&fx);
}

/* INPUT beyond SERVER_MAX_INPUT_PER_SECOND: ERROR LIMIT; the ones before
 * reached the source. */
static void
test_input_flood(void)
{
	struct fixture fx;
	REQUIRE(fixture_init(&fx));
	struct raw_viewer v;
	REQUIRE(join(&fx, &v));
	raw_viewer_pump(fx.server, 10);
	struct proto_input_event keys[2] = {
		{ EV_KEY, KEY_A, 1 }, { EV_SYN, SYN_REPORT, 0 },
	};
	int sent = 0;
	/* In bursts the socket holds, pumping the server in between; exactly
	 * one over the limit, so that nothing unread is left when the server
	 * closes (that would reset the connection before the ERROR is read). */
	while (sent < SERVER_MAX_INPUT_PER_SECOND + 1) {
		for (int i = 0; i < 50 && sent < SERVER_MAX_INPUT_PER_SECOND + 1;
		     i++, sent++)
			REQUIRE(proto_send_input(v.fd, fx.keyboard_id, keys, 2));
		raw_viewer_pump(fx.server, 1);
	}
	printf("sent %d INPUT, the source got %u\n", sent, fx.n_input);
	expect_error(&v, PROTO_ERR_LIMIT);
	/* The allowed ones, then (the viewer gone) the release of the KEY_A
	 * it left pressed. */
	CHECK(fx.n_input == SERVER_MAX_INPUT_PER_SECOND + 1);
	CHECK(fx.last_input.type == EV_KEY && fx.last_input.code == KEY_A &&
	      fx.last_input.value == 0);
	raw_viewer_close(&v);
	fixture_finish(&fx);
}

/* A viewer that never reads: the cursor (not flow-controlled) fills its
 * socket; the source's calls never block and the viewer is dropped, while
 * a reading one stays. */
static void
test_stopped_reading(void)
{
	struct fixture fx;
	REQUIRE(fixture_init(&fx));
	struct raw_viewer stuck, good;
	REQUIRE(join(&fx, &stuck) && join(&fx, &good));
	raw_viewer_pump(fx.server, 20);
	REQUIRE(server_viewer_count(fx.server) == 2);
	int moves = 0;
	for (; moves < 200000 && server_viewer_count(fx.server) == 2; moves++) {
		server_head_move_cursor(fx.head, moves % W, moves % H, true);
		if (moves % 64 == 0) {
			/* good reads everything */
			while (raw_viewer_recv(&good, 0) == PROTO_IO_OK)
				;
		}
	}
	printf("stuck viewer dropped after %d cursor moves\n", moves);
	CHECK(server_viewer_count(fx.server) == 1);
	REQUIRE(proto_send_ping(good.fd, 5));
	CHECK(raw_viewer_skip_to(&good, PROTO_PONG, 2000));
	/* The stuck one finds its socket closed after what was queued. */
	enum proto_io io;
	while ((io = raw_viewer_recv(&stuck, 2000)) == PROTO_IO_OK)
		;
	CHECK(io == PROTO_IO_EOF);
	raw_viewer_close(&stuck);
	raw_viewer_close(&good);
	fixture_finish(&fx);
}

static int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	if (d == NULL)
		return -1;
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n - 3; /* ., .., and the DIR's own fd */
}

static long
rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	}
	if (f != NULL)
		fclose(f);
	return kib;
}

/* One announce/show/destroy cycle, the viewer answering its frame. */
static bool
cycle(struct fixture *fx, struct raw_viewer *v)
{
	struct server_buffer *b = server_buffer_create_shm(fx->server,
		fx->shm.fd, DRM_FORMAT_XRGB8888, W, H, W * 4, 0);
	if (b == NULL)
		return false;
	server_head_present(fx->head, b, 0, NULL, 0);
	if (!raw_viewer_skip_to(v, PROTO_UPDATE, 2000))
		return false;
	uint32_t seq = ((const struct proto_update *)raw_body(v))->seq;
	if (!proto_send_frame_done(v->fd, 1, seq, 0))
		return false;
	server_buffer_destroy(b);
	return raw_viewer_skip_to(v, PROTO_BUFFER_DESTROY, 2000);
}

static void
test_leak_10k(void)
{
	struct fixture fx;
	REQUIRE(fixture_init(&fx));
	struct raw_viewer v;
	REQUIRE(join(&fx, &v));
	/* Warm up: allocator pools and socket buffers settle first. */
	for (int i = 0; i < 200; i++)
		REQUIRE(cycle(&fx, &v));
	int fds_before = count_fds();
	long rss_before = rss_kib();
	for (int i = 0; i < 10000; i++)
		REQUIRE(cycle(&fx, &v));
	int fds_after = count_fds();
	long rss_after = rss_kib();
	printf("10000 cycles: fds %d -> %d, VmRSS %ld -> %ld KiB\n",
	       fds_before, fds_after, rss_before, rss_after);
	CHECK(fds_after == fds_before);
	/* Under ASan, or valgrind, freed memory sits in a quarantine (and
	 * LSan or memcheck checks leaks at exit instead): RSS says nothing
	 * there. */
	if (getenv("ASAN_OPTIONS") == NULL &&
	    getenv("EGLVIEW_UNDER_VALGRIND") == NULL)
		CHECK(rss_after - rss_before < 1024);
	CHECK(server_viewer_count(fx.server) == 1);
	raw_viewer_close(&v);
	fixture_finish(&fx);
}

static const struct test_case cases[] = {
	{ "fd-on-input", test_fd_on_input },
	{ "oversized", test_oversized },
	{ "unknown-type", test_unknown_type },
	{ "wrong-major", test_wrong_major },
	{ "before-hello", test_before_hello },
	{ "second-hello", test_second_hello },
	{ "frame-done-wrong-seq", test_frame_done_wrong_seq },
	{ "input-flood", test_input_flood },
	{ "stopped-reading", test_stopped_reading },
	{ "leak-10k", test_leak_10k },
};

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: test-hostile CASE\n");
		return 2;
	}
	return test_run_case("test-hostile", cases, sizeof(cases) / sizeof(cases[0]),
			     argv[1]);
}
