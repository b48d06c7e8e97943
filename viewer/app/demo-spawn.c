/* SPDX-License-Identifier: MIT */
#include "app/demo-spawn.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "proto.h"

#define SHIM_NAME "eglview-shim"
#define CONNECT_TIMEOUT_MS 5000
#define STOP_TIMEOUT_MS 2000

extern char **environ;

struct demo {
	pid_t pid;
	int pidfd;          /* -1 where pidfd_open is missing, or once reaped */
	bool reaped;
	char dir[PATH_MAX];
	char socket_path[PATH_MAX];
};

static bool
is_executable(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		access(path, X_OK) == 0;
}

/* Next to our own binary first (an installed pair, or the build tree where
 * viewer/ and server-shim/ lie side by side), then PATH. */
static bool
find_shim(char *out, size_t size, char *why, size_t why_size)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		const char *rel[] = { SHIM_NAME, "../server-shim/" SHIM_NAME };
		for (size_t i = 0; i < 2; i++) {
			if ((size_t)snprintf(out, size, "%s/%s", exe, rel[i]) < size &&
			    is_executable(out))
				return true;
		}
	}

	const char *path = getenv("PATH");
	if (path) {
		char *copy = strdup(path);
		char *save = NULL;
		for (char *dir = copy ? strtok_r(copy, ":", &save) : NULL; dir;
		     dir = strtok_r(NULL, ":", &save)) {
			if ((size_t)snprintf(out, size, "%s/%s", dir, SHIM_NAME) < size &&
			    is_executable(out)) {
				free(copy);
				return true;
			}
		}
		free(copy);
	}
	snprintf(why, why_size, "cannot find %s next to qemu-eglview (%s), in "
		 "../server-shim/ or in PATH; install it or add its directory to PATH",
		 SHIM_NAME, n > 0 ? exe : "?");
	return false;
}

static bool
make_private_dir(struct demo *demo, char *why, size_t why_size)
{
	char base[PATH_MAX];
	if (!proto_socket_dir(base, sizeof(base))) {
		snprintf(why, why_size, "the socket directory path is too long; "
			 "set XDG_RUNTIME_DIR to a shorter directory");
		return false;
	}
	if (mkdir(base, 0700) < 0 && errno != EEXIST) {
		snprintf(why, why_size, "cannot create %s: %s", base, strerror(errno));
		return false;
	}
	if ((size_t)snprintf(demo->dir, sizeof(demo->dir), "%s/demo-XXXXXX", base) >=
	    sizeof(demo->dir) || !mkdtemp(demo->dir)) {
		snprintf(why, why_size, "cannot create a private directory in %s: %s",
			 base, strerror(errno));
		demo->dir[0] = '\0';
		return false;
	}
	/* sun_path holds 108 bytes. */
	int n = snprintf(demo->socket_path, sizeof(demo->socket_path),
			 "%.*s/demo.sock", (int)sizeof(demo->dir) - 16, demo->dir);
	if (n < 0 || n >= 108) {
		snprintf(why, why_size, "the demo socket path %s is longer than a "
			 "unix socket address allows; set XDG_RUNTIME_DIR to a "
			 "shorter directory", demo->socket_path);
		return false;
	}
	return true;
}

struct demo *
demo_spawn(const char *const *extra, int n_extra,
	   char *why, size_t why_size)
{
	struct demo *demo = calloc(1, sizeof(*demo));
	if (!demo) {
		snprintf(why, why_size, "out of memory");
		return NULL;
	}
	demo->pid = -1;
	demo->pidfd = -1;

	char shim[PATH_MAX];
	if (!find_shim(shim, sizeof(shim), why, why_size) ||
	    !make_private_dir(demo, why, why_size)) {
		demo_destroy(demo);
		return NULL;
	}

	const char *argv[16 + 32];
	int argc = 0;
	argv[argc++] = shim;
	argv[argc++] = "--source";
	argv[argc++] = "demo";
	argv[argc++] = "--wait-for-viewer";
	for (int i = 0; i < n_extra && i < 32; i++)
		argv[argc++] = extra[i];
	argv[argc++] = demo->socket_path;
	argv[argc] = NULL;

	if (log_is_verbose()) {
		char line[2048] = "";
		size_t len = 0;
		for (int i = 0; i < argc && len < sizeof(line); i++)
			len += (size_t)snprintf(line + len, sizeof(line) - len,
						" %s", argv[i]);
		log_verbose("starting the demo VM:%s", line);
	}

	/* The viewer blocks SIGINT/SIGTERM for its signalfd; the shim must not
	 * inherit that. Its own process group keeps a terminal's Ctrl-C for
	 * the viewer, which then ends the shim itself, in order. */
	posix_spawnattr_t attr;
	sigset_t none, defaults;
	sigemptyset(&none);
	sigemptyset(&defaults);
	sigaddset(&defaults, SIGINT);
	sigaddset(&defaults, SIGTERM);
	sigaddset(&defaults, SIGPIPE);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
				 POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &defaults);
	posix_spawnattr_setpgroup(&attr, 0);
	int err = posix_spawn(&demo->pid, shim, NULL, &attr, (char *const *)argv,
			      environ);
	posix_spawnattr_destroy(&attr);
	if (err != 0) {
		snprintf(why, why_size, "cannot start %s: %s", shim, strerror(err));
		demo->pid = -1;
		demo_destroy(demo);
		return NULL;
	}
	/* Without pidfds (Linux < 5.3) the waits below fall back to timeouts. */
	demo->pidfd = pidfd_open(demo->pid, 0);
	return demo;
}

static int64_t
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
demo_connect(struct demo *demo, char *why, size_t why_size)
{
	int64_t deadline = now_ms() + CONNECT_TIMEOUT_MS;
	int backoff = 5;
	for (;;) {
		int fd = proto_connect(demo->socket_path);
		if (fd >= 0)
			return fd;
		int err = errno;
		if (err != ENOENT && err != ECONNREFUSED) {
			snprintf(why, why_size, "cannot connect to the demo VM at %s: %s",
				 demo->socket_path, strerror(err));
			return -1;
		}

		char how[128];
		if (demo_reap(demo, how, sizeof(how))) {
			snprintf(why, why_size, "the demo VM (%s) %s before it "
				 "accepted a connection; see its messages above",
				 SHIM_NAME, how);
			return -1;
		}
		int64_t left = deadline - now_ms();
		if (left <= 0) {
			snprintf(why, why_size, "the demo VM (%s, pid %d) did not "
				 "accept connections on %s within %d s",
				 SHIM_NAME, (int)demo->pid, demo->socket_path,
				 CONNECT_TIMEOUT_MS / 1000);
			return -1;
		}
		/* Wait on the child's exit, so a failing shim is seen at once. */
		struct pollfd pfd = { .fd = demo->pidfd, .events = POLLIN };
		poll(&pfd, demo->pidfd >= 0 ? 1 : 0, backoff < left ? backoff : (int)left);
		if (backoff < 100)
			backoff *= 2;
	}
}

int
demo_exit_fd(const struct demo *demo)
{
	return demo->reaped ? -1 : demo->pidfd;
}

static void
describe_status(int status, char *how, size_t how_size)
{
	if (WIFEXITED(status))
		snprintf(how, how_size, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(how, how_size, "was killed by signal %d (%s)",
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(how, how_size, "ended with wait status 0x%x", status);
}

bool
demo_reap(struct demo *demo, char *how, size_t how_size)
{
	if (demo->pid < 0 || demo->reaped)
		return false;
	int status;
	pid_t r = waitpid(demo->pid, &status, WNOHANG);
	if (r != demo->pid)
		return false;
	demo->reaped = true;
	if (demo->pidfd >= 0) {
		close(demo->pidfd);
		demo->pidfd = -1;
	}
	describe_status(status, how, how_size);
	return true;
}

const char *
demo_socket_path(const struct demo *demo)
{
	return demo->socket_path;
}

pid_t
demo_pid(const struct demo *demo)
{
	return demo->pid;
}

static void
stop_child(struct demo *demo)
{
	if (demo->pid < 0 || demo->reaped)
		return;
	char how[128];
	if (demo_reap(demo, how, sizeof(how)))
		return;
	kill(demo->pid, SIGTERM);
	int64_t deadline = now_ms() + STOP_TIMEOUT_MS;
	while (!demo_reap(demo, how, sizeof(how))) {
		int64_t left = deadline - now_ms();
		if (left <= 0) {
			kill(demo->pid, SIGKILL);
			int status;
			while (waitpid(demo->pid, &status, 0) < 0 && errno == EINTR)
				;
			demo->reaped = true;
			return;
		}
		struct pollfd pfd = { .fd = demo->pidfd, .events = POLLIN };
		poll(&pfd, demo->pidfd >= 0 ? 1 : 0, left < 20 || demo->pidfd >= 0 ? (int)left : 20);
	}
	log_verbose("the demo VM %s", how);
}

void
demo_destroy(struct demo *demo)
{
	if (!demo)
		return;
	stop_child(demo);
	if (demo->pidfd >= 0)
		close(demo->pidfd);
	if (demo->dir[0]) {
		unlink(demo->socket_path);
		rmdir(demo->dir);
	}
	free(demo);
}
