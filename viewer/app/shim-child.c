/* SPDX-License-Identifier: MIT */
#include "app/shim-child.h"

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
#define STOP_TIMEOUT_MS 2000

extern char **environ;

struct shim_child {
	pid_t pid;
	int pidfd;          /* -1 where pidfd_open is missing, or once reaped */
	bool reaped;
	int status;         /* its exit status once reaped; -1: a signal */
	char label[64];
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
make_private_dir(struct shim_child *child, char *why, size_t why_size)
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
	if ((size_t)snprintf(child->dir, sizeof(child->dir), "%s/child-XXXXXX", base) >=
	    sizeof(child->dir) || !mkdtemp(child->dir)) {
		snprintf(why, why_size, "cannot create a private directory in %s: %s",
			 base, strerror(errno));
		child->dir[0] = '\0';
		return false;
	}
	/* sun_path holds 108 bytes. */
	int n = snprintf(child->socket_path, sizeof(child->socket_path),
			 "%.*s/vm.sock", (int)sizeof(child->dir) - 16, child->dir);
	if (n < 0 || n >= 108) {
		snprintf(why, why_size, "the private socket path %s is longer than a "
			 "unix socket address allows; set XDG_RUNTIME_DIR to a "
			 "shorter directory", child->socket_path);
		return false;
	}
	return true;
}

struct shim_child *
shim_child_spawn(const char *label, const char *const *args, int n_args,
		 char *why, size_t why_size)
{
	struct shim_child *child = calloc(1, sizeof(*child));
	if (!child) {
		snprintf(why, why_size, "out of memory");
		return NULL;
	}
	child->pid = -1;
	child->pidfd = -1;
	child->status = -1;
	snprintf(child->label, sizeof(child->label), "%s", label);

	char shim[PATH_MAX];
	if (!find_shim(shim, sizeof(shim), why, why_size) ||
	    !make_private_dir(child, why, why_size)) {
		shim_child_destroy(child);
		return NULL;
	}

	const char *argv[16 + 32];
	int argc = 0;
	argv[argc++] = shim;
	for (int i = 0; i < n_args && argc < (int)(sizeof(argv) / sizeof(argv[0])) - 2; i++)
		argv[argc++] = args[i];
	argv[argc++] = child->socket_path;
	argv[argc] = NULL;

	if (log_is_verbose()) {
		char line[2048] = "";
		size_t len = 0;
		for (int i = 0; i < argc && len < sizeof(line); i++)
			len += (size_t)snprintf(line + len, sizeof(line) - len,
						" %s", argv[i]);
		log_verbose("starting %s:%s", child->label, line);
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
	int err = posix_spawn(&child->pid, shim, NULL, &attr, (char *const *)argv,
			      environ);
	posix_spawnattr_destroy(&attr);
	if (err != 0) {
		snprintf(why, why_size, "cannot start %s: %s", shim, strerror(err));
		child->pid = -1;
		shim_child_destroy(child);
		return NULL;
	}
	/* Without pidfds (Linux < 5.3) the waits below fall back to timeouts. */
	child->pidfd = pidfd_open(child->pid, 0);
	return child;
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

int
shim_child_run(const char *const *args, int n_args, char *why,
	       size_t why_size)
{
	char shim[PATH_MAX];
	if (!find_shim(shim, sizeof(shim), why, why_size))
		return -1;
	const char *argv[16];
	int argc = 0;
	argv[argc++] = shim;
	for (int i = 0; i < n_args && argc < 15; i++)
		argv[argc++] = args[i];
	argv[argc] = NULL;
	pid_t pid;
	int err = posix_spawn(&pid, shim, NULL, NULL, (char *const *)argv,
			      environ);
	if (err != 0) {
		snprintf(why, why_size, "cannot start %s: %s", shim,
			 strerror(err));
		return -1;
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			snprintf(why, why_size, "waitpid: %s", strerror(errno));
			return -1;
		}
	if (!WIFEXITED(status)) {
		describe_status(status, why, why_size);
		return -1;
	}
	return WEXITSTATUS(status);
}

static int64_t
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
shim_child_connect(struct shim_child *child, int timeout_ms, int *status,
		   char *why, size_t why_size)
{
	*status = -1;
	int64_t deadline = now_ms() + timeout_ms;
	int backoff = 5;
	for (;;) {
		int fd = proto_connect(child->socket_path);
		if (fd >= 0)
			return fd;
		int err = errno;
		if (err != ENOENT && err != ECONNREFUSED) {
			snprintf(why, why_size, "cannot connect to %s at %s: %s",
				 child->label, child->socket_path, strerror(err));
			return -1;
		}

		char how[128];
		if (shim_child_reap(child, how, sizeof(how))) {
			*status = child->status;
			snprintf(why, why_size, "%s (%s) %s before it "
				 "accepted a connection; see its messages above",
				 child->label, SHIM_NAME, how);
			return -1;
		}
		int64_t left = deadline - now_ms();
		if (left <= 0) {
			snprintf(why, why_size, "%s (%s, pid %d) did not "
				 "accept connections on %s within %d s",
				 child->label, SHIM_NAME, (int)child->pid,
				 child->socket_path, timeout_ms / 1000);
			return -1;
		}
		/* Wait on the child's exit, so a failing shim is seen at once. */
		struct pollfd pfd = { .fd = child->pidfd, .events = POLLIN };
		poll(&pfd, child->pidfd >= 0 ? 1 : 0, backoff < left ? backoff : (int)left);
		if (backoff < 100)
			backoff *= 2;
	}
}

int
shim_child_exit_fd(const struct shim_child *child)
{
	return child->reaped ? -1 : child->pidfd;
}

bool
shim_child_reap(struct shim_child *child, char *how, size_t how_size)
{
	if (child->pid < 0 || child->reaped)
		return false;
	int status;
	pid_t r = waitpid(child->pid, &status, WNOHANG);
	if (r != child->pid)
		return false;
	child->reaped = true;
	child->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	if (child->pidfd >= 0) {
		close(child->pidfd);
		child->pidfd = -1;
	}
	describe_status(status, how, how_size);
	return true;
}

bool
shim_child_gone(const struct shim_child *child)
{
	return child->reaped;
}

const char *
shim_child_socket_path(const struct shim_child *child)
{
	return child->socket_path;
}

pid_t
shim_child_pid(const struct shim_child *child)
{
	return child->pid;
}

static void
stop_child(struct shim_child *child)
{
	if (child->pid < 0 || child->reaped)
		return;
	char how[128];
	if (shim_child_reap(child, how, sizeof(how)))
		return;
	kill(child->pid, SIGTERM);
	int64_t deadline = now_ms() + STOP_TIMEOUT_MS;
	while (!shim_child_reap(child, how, sizeof(how))) {
		int64_t left = deadline - now_ms();
		if (left <= 0) {
			kill(child->pid, SIGKILL);
			int status;
			while (waitpid(child->pid, &status, 0) < 0 && errno == EINTR)
				;
			child->reaped = true;
			return;
		}
		struct pollfd pfd = { .fd = child->pidfd, .events = POLLIN };
		poll(&pfd, child->pidfd >= 0 ? 1 : 0, left < 20 || child->pidfd >= 0 ? (int)left : 20);
	}
	log_verbose("%s %s", child->label, how);
}

void
shim_child_destroy(struct shim_child *child)
{
	if (!child)
		return;
	stop_child(child);
	if (child->pidfd >= 0)
		close(child->pidfd);
	if (child->dir[0]) {
		unlink(child->socket_path);
		rmdir(child->dir);
	}
	free(child);
}
