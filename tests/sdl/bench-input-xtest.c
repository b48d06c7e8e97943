/* SPDX-License-Identifier: MIT */
/*
 * Input latency, host event to record at the server: XTest injects a key
 * press or release (XTestFakeKeyEvent + XFlush) or an absolute pointer
 * motion (XTestFakeMotionEvent) into the focused window of a real
 * qemu-eglview --backend sdl on a private Xvfb, and the clock stops when
 * the libeglview-server in this process hands the record to its input
 * callback. Beside it, in the same run, a bare unix-socket round trip to
 * a child process: the floor any cross-process path stands on. Prints
 * medians and p90; asserts nothing (a benchmark).
 *
 *   bench-input-xtest QEMU_EGLVIEW [SAMPLES]
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/input-event-codes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/XTest.h>
#include <X11/keysym.h>

#include <drm_fourcc.h>

#include "alloc/shm.h"
#include "harness.h"
#include "server/server.h"

#define SKIP 77
#define HEAD_W 640
#define HEAD_H 480
#define MAX_SAMPLES 2000

struct bench {
	struct harness h;              /* the server in this process */
	uint32_t want_type, want_code; /* the record the clock waits for */
	bool seen;
	uint64_t seen_ns;
};

static void
on_input(void *data, uint32_t device_id, uint32_t kind,
	 const struct proto_input_event *ev, uint32_t n)
{
	struct bench *b = data;
	(void)device_id;
	(void)kind;
	for (uint32_t i = 0; i < n && !b->seen; i++) {
		if (ev[i].type == b->want_type && ev[i].code == b->want_code) {
			b->seen = true;
			b->seen_ns = harness_now_ns();
		}
	}
}

static bool
seen(struct harness *h, void *data)
{
	(void)h;
	return ((struct bench *)data)->seen;
}

static bool
joined(struct harness *h, void *data)
{
	(void)data;
	return h->viewers > 0;
}

static bool
never(struct harness *h, void *data)
{
	(void)h;
	(void)data;
	return false;
}

static pid_t
start_xvfb(char *display, size_t size)
{
	int fds[2];
	if (pipe(fds) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		char fd[16];
		snprintf(fd, sizeof(fd), "%d", fds[1]);
		close(fds[0]);
		int null = open("/dev/null", O_WRONLY);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		execlp("Xvfb", "Xvfb", "-displayfd", fd, "-screen", "0",
		       "1280x1024x24", "-nolisten", "tcp", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	char buf[16] = "";
	ssize_t n = pid > 0 ? read(fds[0], buf, sizeof(buf) - 1) : -1;
	close(fds[0]);
	if (n <= 0) {
		if (pid > 0)
			waitpid(pid, NULL, 0);
		return -1;
	}
	buf[strcspn(buf, "\n")] = '\0';
	snprintf(display, size, ":%s", buf);
	return pid;
}

/* The viewer's top-level window: the one whose name says qemu-eglview. */
static Window
find_window(Display *dpy)
{
	Window root, parent, *children = NULL, found = 0;
	unsigned n = 0;
	if (!XQueryTree(dpy, DefaultRootWindow(dpy), &root, &parent, &children,
			&n))
		return 0;
	for (unsigned i = 0; i < n && !found; i++) {
		char *name = NULL;
		XWindowAttributes attr;
		if (XFetchName(dpy, children[i], &name) && name &&
		    strstr(name, "qemu-eglview") &&
		    XGetWindowAttributes(dpy, children[i], &attr) &&
		    attr.map_state == IsViewable)
			found = children[i];
		XFree(name);
	}
	XFree(children);
	return found;
}

static int
compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void
report(const char *what, uint64_t *ns, int n)
{
	if (n == 0) {
		printf("%-44s no samples\n", what);
		return;
	}
	qsort(ns, (size_t)n, sizeof(*ns), compare_u64);
	printf("%-44s n=%4d  min %7.3f ms  median %7.3f ms  p90 %7.3f ms  "
	       "max %7.3f ms\n", what, n, ns[0] / 1e6, ns[n / 2] / 1e6,
	       ns[(n * 9) / 10] / 1e6, ns[n - 1] / 1e6);
}

/* A child echoes what it reads: one write + read each way per sample. */
static int
socket_round_trips(uint64_t *ns, int samples)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return 0;
	pid_t pid = fork();
	if (pid == 0) {
		char buf[32];
		close(sv[0]);
		ssize_t n;
		while ((n = read(sv[1], buf, sizeof(buf))) > 0)
			if (write(sv[1], buf, (size_t)n) != n)
				break;
		_exit(0);
	}
	close(sv[1]);
	int done = 0;
	char msg[32] = "ping", back[32];
	for (; pid > 0 && done < samples; done++) {
		uint64_t t0 = harness_now_ns();
		if (write(sv[0], msg, sizeof(msg)) != sizeof(msg) ||
		    read(sv[0], back, sizeof(back)) != sizeof(back))
			break;
		ns[done] = harness_now_ns() - t0;
	}
	close(sv[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return done;
}

static bool
add_vm(struct bench *b, struct shm_block *shm)
{
	struct proto_input_device kbd = {
		.kind = PROTO_DEVICE_KEYBOARD,
		.ev_bits = (1u << EV_SYN) | (1u << EV_KEY),
	};
	snprintf(kbd.name, sizeof(kbd.name), "bench keyboard");
	for (unsigned code = KEY_ESC; code <= KEY_MICMUTE; code++)
		kbd.key_bits[code / 8] |= (uint8_t)(1u << (code % 8));
	struct proto_input_device tablet = {
		.kind = PROTO_DEVICE_TABLET,
		.ev_bits = (1u << EV_SYN) | (1u << EV_KEY) | (1u << EV_ABS),
		.abs_bits = (1ull << ABS_X) | (1ull << ABS_Y),
		.n_abs = 2,
	};
	snprintf(tablet.name, sizeof(tablet.name), "bench tablet");
	tablet.key_bits[BTN_LEFT / 8] |= (uint8_t)(1u << (BTN_LEFT % 8));
	const struct proto_abs_axis axes[2] = {
		{ .code = ABS_X, .max = 32767 }, { .code = ABS_Y, .max = 32767 },
	};
	struct server *server = b->h.server;
	if (!server_add_input_device(server, &kbd, NULL) ||
	    !server_add_input_device(server, &tablet, axes))
		return false;

	char why[256];
	if (!shm_block_init(shm, "bench-input", (size_t)HEAD_W * HEAD_H * 4,
			    why, sizeof(why))) {
		fprintf(stderr, "bench-input-xtest: %s\n", why);
		return false;
	}
	memset(shm->data, 0x40, (size_t)HEAD_W * HEAD_H * 4);
	struct server_head *head = server_add_head(server, "Virtual-1",
						   HEAD_W, HEAD_H);
	struct server_buffer *buf = server_buffer_create_shm(server, shm->fd,
		DRM_FORMAT_XRGB8888, HEAD_W, HEAD_H, HEAD_W * 4, 0);
	if (!head || !buf)
		return false;
	struct proto_rect all = { 0, 0, HEAD_W, HEAD_H };
	server_head_present(head, buf, 0, &all, 1);
	return true;
}

/* One injected event each: the time until the server has its record. */
static int
measure(struct bench *b, Display *dpy, uint64_t *ns, int samples,
	bool motion, int wx, int wy)
{
	KeyCode key = XKeysymToKeycode(dpy, XK_a);
	int n = 0;
	for (int i = 0; i < samples; i++) {
		b->seen = false;
		b->want_type = motion ? EV_ABS : EV_KEY;
		b->want_code = motion ? ABS_X : KEY_A;
		uint64_t t0 = harness_now_ns();
		if (motion)
			XTestFakeMotionEvent(dpy, -1, wx + 100 + (i % 2) * 200,
					     wy + 100 + (i % 3) * 50, CurrentTime);
		else
			XTestFakeKeyEvent(dpy, key, i % 2 == 0, CurrentTime);
		XFlush(dpy);
		if (!harness_run_until(&b->h, seen, b, 2000)) {
			fprintf(stderr, "bench-input-xtest: no %s record 2 s after "
				"sample %d\n", motion ? "ABS_X" : "KEY_A", i);
			break;
		}
		ns[n++] = b->seen_ns - t0;
		/* Apart, so each sample meets an idle viewer. */
		usleep(2000);
	}
	return n;
}

int
main(int argc, char *argv[])
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s QEMU_EGLVIEW [SAMPLES]\n", argv[0]);
		return 2;
	}
	int samples = argc > 2 ? atoi(argv[2]) : 400;
	if (samples < 2 || samples > MAX_SAMPLES)
		samples = 400;
	signal(SIGPIPE, SIG_IGN);

	char display[32];
	pid_t xvfb = start_xvfb(display, sizeof(display));
	if (xvfb < 0) {
		printf("skipped: cannot start Xvfb (scripts/install-deps "
		       "installs it)\n");
		return SKIP;
	}
	setenv("DISPLAY", display, 1);
	unsetenv("WAYLAND_DISPLAY");
	int rc = 1;
	Display *dpy = XOpenDisplay(display);
	int ev_base, err_base, major, minor;
	if (!dpy || !XTestQueryExtension(dpy, &ev_base, &err_base, &major,
					 &minor)) {
		printf("skipped: no XTest on %s\n", display);
		rc = SKIP;
		goto out_x;
	}

	struct bench b = { 0 };
	static const struct server_callbacks cb = { .input = on_input };
	harness_init(&b.h, argv[1]);
	harness_serve(&b.h, "bench", &cb, &b);
	struct shm_block shm = { .fd = -1 };
	if (!add_vm(&b, &shm)) {
		fprintf(stderr, "bench-input-xtest: cannot set up the server: "
			"see above\n");
		goto out_server;
	}

	const char *args[] = { "--backend", "sdl", b.h.sock, NULL };
	harness_spawn(&b.h, args, NULL);
	uint64_t end = harness_now_ns() + 10000000000u;
	bool up = harness_run_until(&b.h, joined, NULL, 10000);
	Window window = 0;
	while (up && !window && harness_now_ns() < end) {
		harness_run_until(&b.h, never, NULL, 20); /* the first frame */
		window = find_window(dpy);
	}
	if (!window) {
		fprintf(stderr, "bench-input-xtest: no qemu-eglview window on %s "
			"within 10 s\n", display);
		goto out_server;
	}
	int wx, wy;
	Window child;
	XTranslateCoordinates(dpy, window, DefaultRootWindow(dpy), 0, 0, &wx, &wy,
			      &child);
	XTestFakeMotionEvent(dpy, -1, wx + 10, wy + 10, CurrentTime);
	XSetInputFocus(dpy, window, RevertToPointerRoot, CurrentTime);
	XSync(dpy, False);
	harness_run_until(&b.h, never, NULL, 300); /* focus and motion settle */

	uint64_t *key_ns = calloc(MAX_SAMPLES, sizeof(uint64_t));
	uint64_t *abs_ns = calloc(MAX_SAMPLES, sizeof(uint64_t));
	uint64_t *rtt_ns = calloc(MAX_SAMPLES, sizeof(uint64_t));
	if (!key_ns || !abs_ns || !rtt_ns)
		goto out_free;
	int n_key = measure(&b, dpy, key_ns, samples, false, wx, wy);
	int n_abs = measure(&b, dpy, abs_ns, samples, true, wx, wy);
	int n_rtt = socket_round_trips(rtt_ns, samples);
	printf("input latency, XTest event -> record at libeglview-server "
	       "(qemu-eglview --backend sdl on Xvfb):\n");
	report("key press/release (KEY_A)", key_ns, n_key);
	report("absolute motion (ABS_X)", abs_ns, n_abs);
	report("bare unix socket round trip (32 bytes)", rtt_ns, n_rtt);
	rc = n_key > 0 && n_abs > 0 ? 0 : 1;
out_free:
	free(key_ns);
	free(abs_ns);
	free(rtt_ns);
out_server:
	if (b.h.pid > 0) {
		kill(b.h.pid, SIGTERM);
		harness_wait_exit(&b.h);
	}
	char *err = harness_stderr(&b.h);
	fputs(err, stderr);
	free(err);
	harness_finish(&b.h);
	shm_block_finish(&shm);
out_x:
	if (dpy)
		XCloseDisplay(dpy);
	kill(xvfb, SIGTERM);
	waitpid(xvfb, NULL, 0);
	return rc;
}
