/* SPDX-License-Identifier: MIT */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

uint64_t
harness_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
viewer_joined(void *data, size_t count)
{
	struct harness *h = data;
	h->viewers = count;
}

static const struct server_callbacks callbacks = {
	.viewer_joined = viewer_joined,
	.viewer_left = viewer_joined,
};

bool
harness_init(struct harness *h, const char *vm_name)
{
	*h = (struct harness){ .viewer_pid = -1, .viewer_stderr = -1 };
	signal(SIGPIPE, SIG_IGN);
	snprintf(h->dir, sizeof(h->dir), "%s/eglview-test-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(h->dir)) {
		fprintf(stderr, "harness: mkdtemp %s: %s\n", h->dir, strerror(errno));
		return false;
	}
	snprintf(h->socket_path, sizeof(h->socket_path), "%s/vm.sock", h->dir);
	char why[256];
	h->server = server_create(h->socket_path, vm_name, &callbacks, h,
				  why, sizeof(why));
	if (!h->server) {
		fprintf(stderr, "harness: server_create: %s\n", why);
		return false;
	}
	return true;
}

static bool
has_viewer(struct harness *h, void *data)
{
	(void)data;
	return h->viewers > 0;
}

bool
harness_start_viewer(struct harness *h, const char *viewer,
		     const char *const *extra_args)
{
	/* meson test --setup valgrind: the viewer under tests/valgrind-run. */
	const char *wrap = getenv("EGLVIEW_TEST_WRAPPER");
	const char *argv[33];
	int argc = 0;
	if (wrap && *wrap)
		argv[argc++] = wrap;
	argv[argc++] = viewer;
	argv[argc++] = "--backend";
	argv[argc++] = "offscreen";
	for (int i = 0; extra_args && extra_args[i] && argc < 30; i++)
		argv[argc++] = extra_args[i];
	argv[argc++] = h->socket_path;
	argv[argc] = NULL;

	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return false;
	h->viewer_pid = fork();
	if (h->viewer_pid < 0)
		return false;
	if (h->viewer_pid == 0) {
		dup2(pipefd[1], STDERR_FILENO);
		execv(argv[0], (char *const *)argv);
		fprintf(stderr, "harness: exec %s: %s\n", viewer, strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	h->viewer_stderr = pipefd[0];
	if (!harness_run_until(h, has_viewer, NULL, 10000)) {
		fprintf(stderr, "harness: %s did not complete its handshake in 10 s\n",
			viewer);
		return false;
	}
	return true;
}

bool
harness_run_until(struct harness *h, bool (*done)(struct harness *, void *),
		  void *data, int timeout_ms)
{
	/* Under valgrind everything runs some ten times slower. */
	if (getenv("EGLVIEW_UNDER_VALGRIND"))
		timeout_ms *= 10;
	uint64_t end = harness_now_ns() + (uint64_t)timeout_ms * 1000000u;
	while (!done(h, data)) {
		uint64_t now = harness_now_ns();
		if (now >= end)
			return false;
		struct pollfd pfd = { .fd = server_get_fd(h->server), .events = POLLIN };
		int left = (int)((end - now) / 1000000u) + 1;
		if (poll(&pfd, 1, left) < 0 && errno != EINTR)
			return false;
		if (!server_dispatch(h->server))
			return false;
	}
	return true;
}

static bool
idle(struct harness *h, void *data)
{
	(void)data;
	return server_idle(h->server);
}

bool
harness_wait_idle(struct harness *h, int timeout_ms)
{
	return harness_run_until(h, idle, NULL, timeout_ms);
}

int
harness_stop_viewer(struct harness *h, char *buf, size_t size)
{
	server_goodbye_all(h->server, PROTO_BYE_SHUTDOWN, "test finished");
	size_t len = 0;
	for (;;) {
		ssize_t n = read(h->viewer_stderr, buf + len, size - 1 - len);
		if (n <= 0 || len + (size_t)n >= size - 1) {
			if (n > 0)
				len += (size_t)n;
			break;
		}
		len += (size_t)n;
	}
	buf[len] = '\0';
	int status;
	if (waitpid(h->viewer_pid, &status, 0) < 0)
		return -1;
	h->viewer_pid = -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void
harness_finish(struct harness *h)
{
	if (h->viewer_pid > 0) {
		kill(h->viewer_pid, SIGKILL);
		waitpid(h->viewer_pid, NULL, 0);
	}
	if (h->viewer_stderr >= 0)
		close(h->viewer_stderr);
	server_destroy(h->server);
	rmdir(h->dir);
}
