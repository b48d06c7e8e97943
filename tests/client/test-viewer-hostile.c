/* SPDX-License-Identifier: MIT */
/*
 * The real qemu-eglview against hostile or long-running test servers:
 *   other-uid  a server running as another user (uid 65534) on a socket
 *              anyone may reach: the viewer refuses it with ERROR ACCESS
 *              and exits 1, having sent no HELLO;
 *   leak-10k   10,000 buffer announce/show/destroy cycles: the viewer's
 *              open fds and VmRSS stay flat.
 * Usage: test-viewer-hostile QEMU_EGLVIEW CASE
 */
#include <drm_fourcc.h>
#include <errno.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#define W 16
#define H 16
#define CYCLES 10000

static struct harness h;

static void
send_ok(bool ok, const char *what)
{
	REQUIRE(ok, "sending %s failed: %s", what, strerror(errno));
}

/* The other user's server: listens, takes one viewer, and exits 0 when
 * the first thing it hears is ERROR ACCESS followed by the end. */
static int
other_user_server(const char *dir, int ready)
{
	char sub[256], path[300], why[256];
	if (setgid(65534) < 0 || setuid(65534) < 0)
		return 10;
	snprintf(sub, sizeof(sub), "%s/other", dir);
	snprintf(path, sizeof(path), "%s/vm.sock", sub);
	if (mkdir(sub, 0700) < 0)
		return 11;
	int lfd = proto_listen(path, why, sizeof(why));
	if (lfd < 0 || chmod(sub, 0755) < 0 || chmod(path, 0777) < 0)
		return 12;
	if (write(ready, "r", 1) != 1)
		return 13;
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	if (poll(&p, 1, HARNESS_WAIT_MS) != 1)
		return 14;
	int conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		return 15;
	/* No HELLO from here: the viewer checks the peer before reading, and
	 * closing on an unread HELLO would reset the connection. */
	struct proto_packet *pkt = calloc(1, sizeof(*pkt));
	p = (struct pollfd){ .fd = conn, .events = POLLIN };
	if (pkt == NULL || poll(&p, 1, HARNESS_WAIT_MS) != 1 ||
	    proto_recv(conn, pkt, why, sizeof(why)) != PROTO_IO_OK ||
	    proto_validate(pkt, PROTO_FROM_VIEWER, why, sizeof(why)) != PROTO_ERR_NONE)
		return 16;
	if (proto_packet_type(pkt) != PROTO_ERROR)
		return 17; /* e.g. a HELLO: the viewer went ahead */
	const struct proto_error_msg *err = proto_packet_body(pkt);
	if (err->code != PROTO_ERR_ACCESS)
		return 18;
	printf("other user's server got ERROR ACCESS: %s\n",
	       (const char *)(err + 1));
	if (poll(&p, 1, HARNESS_WAIT_MS) != 1 ||
	    proto_recv(conn, pkt, why, sizeof(why)) != PROTO_IO_EOF)
		return 19;
	return 0;
}

static void
test_other_uid(void)
{
	if (geteuid() != 0) {
		printf("skip: becoming a second user (65534) needs root\n");
		exit(77);
	}
	/* The harness's dir is ours (0700): the other user needs a way in. */
	REQUIRE(chmod(h.dir, 0777) == 0, "chmod %s: %s", h.dir, strerror(errno));
	int ready[2];
	REQUIRE(pipe(ready) == 0, "pipe: %s", strerror(errno));
	fflush(stdout);
	pid_t server = fork();
	REQUIRE(server >= 0, "fork: %s", strerror(errno));
	if (server == 0) {
		close(ready[0]);
		_exit(other_user_server(h.dir, ready[1]));
	}
	close(ready[1]);
	char c;
	struct pollfd p = { .fd = ready[0], .events = POLLIN };
	REQUIRE(poll(&p, 1, HARNESS_WAIT_MS) == 1 && read(ready[0], &c, 1) == 1,
		"the other user's server did not start");
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/other/vm.sock", h.dir);
	const char *args[] = { "--backend", "offscreen", path, NULL };
	harness_spawn(&h, args, NULL);
	harness_expect_exit(&h, 1);
	harness_expect_stderr(&h, "runs as uid 65534");
	int status;
	REQUIRE(waitpid(server, &status, 0) == server, "waitpid");
	REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		"the other user's server: status %d (see other_user_server)",
		WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static long
viewer_rss_kib(void)
{
	char path[64], line[256];
	long kib = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)h.pid);
	FILE *f = fopen(path, "r");
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	}
	if (f != NULL)
		fclose(f);
	return kib;
}

/* Announce a buffer, show it, wait for the frame, destroy it. */
static void
cycle(uint32_t id, uint32_t seq)
{
	struct proto_buffer_shm desc = {
		.buffer_id = id, .fourcc = DRM_FORMAT_XRGB8888,
		.width = W, .height = H, .stride = W * 4,
	};
	int fd = harness_memfd(W * 4, H, 0xff000000u | seq, true);
	send_ok(proto_send_buffer_shm(h.conn, &desc, fd), "BUFFER_SHM");
	close(fd);
	struct proto_scanout so = {
		.head_id = 1, .buffer_id = id, .flags = PROTO_SCANOUT_Y0_TOP,
		.width = W, .height = H,
	};
	send_ok(proto_send_scanout(h.conn, &so), "SCANOUT");
	struct proto_rect all = { 0, 0, W, H };
	send_ok(proto_send_update(h.conn, 1, seq, &all, 1), "UPDATE");
	harness_expect(&h, PROTO_FRAME_DONE);
	const struct proto_frame_done *done = proto_packet_body(h.pkt);
	REQUIRE(done->seq == seq, "FRAME_DONE seq %u, expected %u", done->seq, seq);
	send_ok(proto_send_buffer_destroy(h.conn, id), "BUFFER_DESTROY");
}

static void
test_leak_10k(void)
{
	const char *args[] = { "--backend", "offscreen", "--size", "16x16",
			       h.sock, NULL };
	harness_spawn(&h, args, NULL);
	harness_accept_viewer(&h);
	send_ok(proto_send_hello(h.conn, PROTO_FEATURE_SHM, "leak-test", NULL, 0),
		"HELLO");
	struct proto_head_info info = {
		.head_id = 1, .flags = PROTO_HEAD_ENABLED, .width = W, .height = H,
		.name = "leak-1",
	};
	send_ok(proto_send_head_info(h.conn, &info), "HEAD_INFO");
	uint32_t seq = 1;
	for (int i = 0; i < 200; i++, seq++)
		cycle(1 + seq % 3, seq);
	int fds_before = harness_viewer_fd_count(&h);
	long rss_before = viewer_rss_kib();
	for (int i = 0; i < CYCLES; i++, seq++)
		cycle(1 + seq % 3, seq);
	int fds_after = harness_viewer_fd_count(&h);
	long rss_after = viewer_rss_kib();
	printf("qemu-eglview over %d cycles: fds %d -> %d, VmRSS %ld -> %ld KiB\n",
	       CYCLES, fds_before, fds_after, rss_before, rss_after);
	REQUIRE(fds_after == fds_before, "fds grew from %d to %d", fds_before,
		fds_after);
	/* Allocator noise is a few pages; one leaked buffer per cycle would
	 * be 10,000 x 1 KiB at the very least. */
	/* Under ASan, or valgrind, freed memory sits in a quarantine (and
	 * LSan or memcheck checks leaks at exit instead): RSS says nothing
	 * there. */
	if (getenv("ASAN_OPTIONS") == NULL &&
	    getenv("EGLVIEW_UNDER_VALGRIND") == NULL)
		REQUIRE(rss_after - rss_before < 2048, "VmRSS grew by %ld KiB",
			rss_after - rss_before);
	send_ok(proto_send_goodbye(h.conn, PROTO_BYE_SHUTDOWN, "done"), "GOODBYE");
	harness_expect_exit(&h, 0);
}

int
main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: test-viewer-hostile QEMU_EGLVIEW CASE\n");
		return 2;
	}
	harness_init(&h, argv[1]);
	harness_listen(&h);
	if (strcmp(argv[2], "other-uid") == 0)
		test_other_uid();
	else if (strcmp(argv[2], "leak-10k") == 0)
		test_leak_10k();
	else
		FAIL("no case \"%s\"", argv[2]);
	harness_finish(&h);
	printf("%s: passed\n", argv[2]);
	return 0;
}
