/* SPDX-License-Identifier: MIT */
/*
 * Faults with real processes. Usage: test-faults CASE [SHIM].
 *
 *   killed-mid-frame  a viewer process SIGKILLed while it holds an UPDATE
 *                     outstanding: libeglview-server (in this process)
 *                     frees its state (the buffer stops being busy, the
 *                     viewer count drops) and keeps serving a second one
 *   release-on-leave  viewers of the real eglview-shim (--record-input)
 *                     leave with keys and buttons held (closing, SIGKILLed):
 *                     the shim hands the VM their releases; a key another
 *                     viewer still holds stays down
 *   shim-sigpipe      viewers that close while the real shim writes to them
 *                     (its state dump, 30 frames a second): it survives
 *                     (no SIGPIPE) and serves the next one
 */
#include <fcntl.h>
#include <linux/input-event-codes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "raw-viewer.h"
#include "server/server.h"
#include "alloc/shm.h"


#define W 64
#define H 48

static char dir[64], sock[128];
static const char *shim_binary;

static void
make_dir(void)
{
	snprintf(dir, sizeof(dir), "/tmp/eglview-faults-XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(sock, sizeof(sock), "%s/vm.sock", dir);
}

/* --- killed-mid-frame --------------------------------------------------- */

static int released, left;
static size_t left_count;

static void
on_released(void *data, struct server_buffer *b)
{
	(void)data;
	CHECK(!server_buffer_busy(b));
	released++;
}

static void
on_left(void *data, size_t count)
{
	(void)data;
	left++;
	left_count = count;
}

static void
test_killed_mid_frame(void)
{
	make_dir();
	char why[256];
	struct server_callbacks cb = { .buffer_released = on_released,
				       .viewer_left = on_left };
	struct server *server = server_create(sock, "faults", &cb, NULL, why,
					      sizeof(why));
	REQUIRE(server != NULL);
	struct server_head *head = server_add_head(server, "Test-1", W, H);
	struct shm_block shm;
	REQUIRE(shm_block_init(&shm, "test", W * H * 4, why, sizeof(why)));
	struct server_buffer *buf = server_buffer_create_shm(server, shm.fd,
		DRM_FORMAT_XRGB8888, W, H, W * 4, 0);
	REQUIRE(head != NULL && buf != NULL);
	server_head_present(head, buf, 0, NULL, 0);

	/* The victim: another process, so SIGKILL is a real peer's death. */
	int ready[2];
	REQUIRE(pipe(ready) == 0);
	pid_t child = fork();
	if (child == 0) {
		struct raw_viewer v;
		close(ready[0]);
		/* Never answers FRAME_DONE: the UPDATE stays outstanding. */
		if (raw_viewer_join(&v, sock, NULL, NULL, NULL) != 0)
			(void)!write(ready[1], "u", 1);
		for (;;)
			pause();
	}
	close(ready[1]);
	/* Pump the server until the child has its UPDATE. */
	char c = 0;
	fcntl(ready[0], F_SETFL, O_NONBLOCK);
	for (int i = 0; i < 300 && read(ready[0], &c, 1) != 1; i++)
		raw_viewer_pump(server, 10);
	REQUIRE(c == 'u');

	struct raw_viewer other;
	uint32_t seq = raw_viewer_join(&other, sock, server, NULL, NULL);
	REQUIRE(seq != 0);
	REQUIRE(proto_send_frame_done(other.fd, 1, seq, 0));
	raw_viewer_pump(server, 50);
	CHECK(server_viewer_count(server) == 2);
	CHECK(server_buffer_busy(buf)); /* the victim still holds it */
	CHECK(released == 0);

	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	for (int i = 0; i < 200 && left == 0; i++)
		raw_viewer_pump(server, 10);
	CHECK(left == 1 && left_count == 1);
	CHECK(server_viewer_count(server) == 1);
	CHECK(!server_buffer_busy(buf));
	CHECK(released == 1);

	/* The survivor is served as before. */
	server_head_present(head, buf, 0, &(struct proto_rect){ 1, 2, 3, 4 }, 1);
	CHECK(raw_viewer_skip_to(&other, PROTO_UPDATE, 2000));
	const struct proto_update *up = raw_body(&other);
	CHECK(up->seq > seq);
	raw_viewer_close(&other);
	server_destroy(server);
	shm_block_finish(&shm);
	rmdir(dir);
}

/* --- the real shim ------------------------------------------------------ */

static pid_t
start_shim(const char *const *extra)
{
	const char *argv[16] = { shim_binary, "--size", "64x48" };
	int n = 3;
	for (; *extra && n < 14; extra++)
		argv[n++] = *extra;
	argv[n++] = sock;
	pid_t pid = fork();
	if (pid == 0) {
		execv(shim_binary, (char *const *)argv);
		_exit(127);
	}
	struct stat st;
	for (int i = 0; i < 500; i++) {
		if (stat(sock, &st) == 0)
			return pid;
		usleep(10000);
	}
	fprintf(stderr, "eglview-shim did not create %s\n", sock);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

static bool
shim_alive(pid_t pid)
{
	return waitpid(pid, NULL, WNOHANG) == 0;
}

static void
stop_shim(pid_t pid)
{
	kill(pid, SIGTERM);
	int status = 0;
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static bool
file_has(const char *path, const char *text, int timeout_ms)
{
	for (int t = 0; t <= timeout_ms; t += 10) {
		char buf[8192] = "";
		FILE *f = fopen(path, "r");
		if (f) {
			buf[fread(buf, 1, sizeof(buf) - 1, f)] = '\0';
			fclose(f);
		}
		if (strstr(buf, text))
			return true;
		usleep(10000);
	}
	return false;
}

static int
count_of(const char *path, const char *text)
{
	char buf[8192] = "";
	FILE *f = fopen(path, "r");
	if (f) {
		buf[fread(buf, 1, sizeof(buf) - 1, f)] = '\0';
		fclose(f);
	}
	int n = 0;
	for (const char *p = buf; (p = strstr(p, text)); p += strlen(text))
		n++;
	return n;
}

static bool
send_key(struct raw_viewer *v, uint32_t device, uint16_t code, uint32_t value)
{
	const struct proto_input_event ev[] = {
		{ EV_KEY, code, value }, { EV_SYN, SYN_REPORT, 0 } };
	return proto_send_input(v->fd, device, ev, 2);
}

/* Sends PING and waits for PONG: the shim has handled all before it. */
static bool
sync_with(struct raw_viewer *v)
{
	return proto_send_ping(v->fd, 7) && raw_viewer_skip_to(v, PROTO_PONG, 3000);
}

static void
test_release_on_leave(void)
{
	make_dir();
	char record[160];
	snprintf(record, sizeof(record), "%s/input.txt", dir);
	const char *args[] = { "--fps", "0", "--record-input", record, NULL };
	pid_t shim = start_shim(args);
	REQUIRE(shim > 0);

	/* Viewer a: holds A (pressed), LEFTSHIFT (auto-repeating) and the
	 * left button; B pressed and released; then closes without a word. */
	struct raw_viewer a, b;
	uint32_t kbd = 0, tablet = 0;
	REQUIRE(raw_viewer_join(&a, sock, NULL, &kbd, &tablet) != 0 && kbd && tablet);
	REQUIRE(raw_viewer_join(&b, sock, NULL, NULL, NULL) != 0);
	CHECK(send_key(&a, kbd, KEY_A, 1));
	CHECK(send_key(&a, kbd, KEY_LEFTSHIFT, 1));
	CHECK(send_key(&a, kbd, KEY_LEFTSHIFT, 2));
	CHECK(send_key(&a, kbd, KEY_B, 1));
	CHECK(send_key(&a, kbd, KEY_B, 0));
	CHECK(send_key(&a, tablet, BTN_LEFT, 1));
	/* b holds A too: it must stay down when a goes. */
	CHECK(send_key(&b, kbd, KEY_A, 1));
	CHECK(sync_with(&a) && sync_with(&b));
	raw_viewer_close(&a);
	CHECK(file_has(record, "keyboard EV_KEY KEY_LEFTSHIFT 0\n"
		       "keyboard EV_SYN SYN_REPORT 0\n", 3000));
	CHECK(file_has(record, "tablet EV_KEY BTN_LEFT 0\n"
		       "tablet EV_SYN SYN_REPORT 0\n", 3000));
	CHECK(count_of(record, "KEY_B 0") == 1); /* released once, by a */
	CHECK(count_of(record, "KEY_A 0") == 0); /* b still holds it */

	/* b goes: A is up now. */
	raw_viewer_close(&b);
	CHECK(file_has(record, "keyboard EV_KEY KEY_A 0\n", 3000));

	/* A viewer process SIGKILLed with keys down: one batch, ascending
	 * codes, then SYN_REPORT. */
	pid_t child = fork();
	if (child == 0) {
		struct raw_viewer c;
		if (raw_viewer_join(&c, sock, NULL, &kbd, NULL) == 0 || !send_key(&c, kbd, KEY_Z, 1) ||
		    !send_key(&c, kbd, KEY_ENTER, 1) || !sync_with(&c))
			_exit(1);
		for (;;)
			pause();
	}
	REQUIRE(file_has(record, "KEY_ENTER 1", 3000));
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	CHECK(file_has(record, "keyboard EV_KEY KEY_ENTER 0\n"
		       "keyboard EV_KEY KEY_Z 0\n"
		       "keyboard EV_SYN SYN_REPORT 0\n", 3000));
	/* Every press released once; A, pressed by a and by b, once. */
	CHECK(count_of(record, " 0\n") - count_of(record, "SYN_REPORT 0\n") ==
	      count_of(record, " 1\n") - 1);
	if (test_failures) {
		char buf[8192] = "";
		FILE *f = fopen(record, "r");
		if (f) {
			buf[fread(buf, 1, sizeof(buf) - 1, f)] = '\0';
			fclose(f);
		}
		fprintf(stderr, "recorded:\n%s", buf);
	}
	CHECK(shim_alive(shim));
	stop_shim(shim);
	unlink(record);
	rmdir(dir);
}

static void
test_shim_sigpipe(void)
{
	make_dir();
	const char *args[] = { "--fps", "30", NULL };
	pid_t shim = start_shim(args);
	REQUIRE(shim > 0);
	for (int i = 0; i < 50; i++) {
		struct raw_viewer v;
		/* HELLO, then gone while the state dump is on its way. */
		if (raw_viewer_connect(&v, sock, NULL)) {
			raw_viewer_hello(&v, true);
			if (i % 2)
				raw_viewer_recv(&v, 100);
		}
		raw_viewer_close(&v);
	}
	/* Joined ones that vanish between frames. */
	for (int i = 0; i < 10; i++) {
		struct raw_viewer v;
		CHECK(raw_viewer_join(&v, sock, NULL, NULL, NULL) != 0);
		raw_viewer_close(&v);
	}
	usleep(100000);
	CHECK(shim_alive(shim));
	struct raw_viewer v;
	CHECK(raw_viewer_join(&v, sock, NULL, NULL, NULL) != 0);
	CHECK(sync_with(&v));
	raw_viewer_close(&v);
	stop_shim(shim);
	rmdir(dir);
}

int
main(int argc, char **argv)
{
	/* A dead peer must show as EPIPE here, as in the shim and viewer. */
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2) {
		fprintf(stderr, "usage: test-faults CASE [EGLVIEW_SHIM]\n");
		return 2;
	}
	shim_binary = getenv("EGLVIEW_SHIM");
	if (strcmp(argv[1], "killed-mid-frame") == 0)
		test_killed_mid_frame();
	else if (strcmp(argv[1], "release-on-leave") == 0 && shim_binary)
		test_release_on_leave();
	else if (strcmp(argv[1], "shim-sigpipe") == 0 && shim_binary)
		test_shim_sigpipe();
	else {
		fprintf(stderr, "unknown case %s (or EGLVIEW_SHIM unset)\n", argv[1]);
		return 2;
	}
	if (test_failures)
		fprintf(stderr, "%d checks failed\n", test_failures);
	return test_failures ? 1 : 0;
}
