/* SPDX-License-Identifier: MIT */
/* The harness's directory and the viewer process (harness.h); the two
 * server ends are harness-raw.c and harness-server.c. */
#include "harness.h"
#include "harness-private.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* A failing check exits at once; this still stops the viewer and removes
 * the temp dir (what the viewer printed is in the failure message). */
static struct harness *active;

static void
finish_at_exit(void)
{
	if (active)
		harness_finish(active);
}

uint64_t
harness_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int
harness_timeout_ms(int ms)
{
	/* Under valgrind everything runs some ten times slower. */
	return getenv("EGLVIEW_UNDER_VALGRIND") ? ms * 10 : ms;
}

void
harness_init(struct harness *h, const char *viewer)
{
	static bool registered;
	*h = (struct harness){ .viewer = viewer, .pid = -1, .pidfd = -1,
			       .listen_fd = -1, .conn = -1 };
	/* The test writes to sockets its viewer may have closed. */
	signal(SIGPIPE, SIG_IGN);
	const char *tmp = getenv("TMPDIR");
	tmp = tmp && *tmp ? tmp : "/tmp";
	if (snprintf(h->dir, sizeof(h->dir), "%s/eglview-test-XXXXXX", tmp) >=
	    (int)sizeof(h->dir) - 16)
		FAIL("TMPDIR %s is too long for the test's sockets (a unix "
		     "socket path has 108 bytes); set a shorter one", tmp);
	if (!mkdtemp(h->dir))
		FAIL("mkdtemp %s: %s", h->dir, strerror(errno));
	snprintf(h->sock, sizeof(h->sock), "%s/vm.sock", h->dir);
	snprintf(h->err_path, sizeof(h->err_path), "%s/viewer.stderr", h->dir);
	active = h;
	if (!registered)
		atexit(finish_at_exit);
	registered = true;
}

void
harness_spawn(struct harness *h, const char *const *args, char *const *env)
{
	/* meson test --setup valgrind: the viewer under tests/valgrind-run. */
	const char *wrap = getenv("EGLVIEW_TEST_WRAPPER");
	const char *argv[33];
	int argc = 0;
	if (wrap && *wrap)
		argv[argc++] = wrap;
	argv[argc++] = h->viewer;
	for (int i = 0; args[i] && argc < 32; i++)
		argv[argc++] = args[i];
	argv[argc] = NULL;

	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, h->err_path,
					 O_WRONLY | O_CREAT | O_TRUNC, 0600);
	/* The viewer starts with SIGPIPE as a shell would give it, not
	 * ignored as here. */
	posix_spawnattr_t attr;
	posix_spawnattr_init(&attr);
	sigset_t defaults;
	sigemptyset(&defaults);
	sigaddset(&defaults, SIGPIPE);
	posix_spawnattr_setsigdefault(&attr, &defaults);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
	int err = posix_spawn(&h->pid, argv[0], &fa, &attr,
			      (char *const *)argv, env ? env : environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	if (err != 0) {
		h->pid = -1;
		FAIL("cannot run %s: %s", argv[0], strerror(err));
	}
	/* -1 under valgrind 3.19, which has no pidfd_open: the harness runs
	 * under it in the valgrind setup, and then looks every 20 ms. */
	h->pidfd = pidfd_open(h->pid, 0);
}

static void
forget_viewer(struct harness *h)
{
	h->pid = -1;
	if (h->pidfd >= 0)
		close(h->pidfd);
	h->pidfd = -1;
}

static bool
reap(struct harness *h, int *status)
{
	if (h->pid <= 0)
		return false;
	pid_t got = waitpid(h->pid, status, WNOHANG);
	if (got == 0)
		return false;
	if (got < 0)
		FAIL("waitpid %d: %s", (int)h->pid, strerror(errno));
	forget_viewer(h);
	return true;
}

int
harness_wait_viewer(struct harness *h, int fd, int ms, int *status)
{
	uint64_t end = harness_now_ns() + (uint64_t)ms * 1000000u;
	for (;;) {
		uint64_t now = harness_now_ns();
		int left = now < end ? (int)((end - now) / 1000000u) + 1 : 0;
		struct pollfd p[2] = {
			{ .fd = fd, .events = POLLIN },
			{ .fd = h->pidfd, .events = POLLIN },
		};
		int n = poll(p, 2, h->pidfd >= 0 || left < 20 ? left : 20);
		if (n < 0 && errno != EINTR)
			FAIL("poll: %s", strerror(errno));
		if (n > 0 && (p[0].revents & POLLIN))
			return 1;
		if (reap(h, status))
			return -1;
		if (now >= end)
			return 0;
	}
}

void
harness_spawn_offscreen(struct harness *h, const char *const *opts,
			const char *const *extra)
{
	const char *args[32] = { "--backend", "offscreen" };
	int n = 2;
	for (int i = 0; opts && opts[i] && n < 30; i++)
		args[n++] = opts[i];
	for (int i = 0; extra && extra[i] && n < 30; i++)
		args[n++] = extra[i];
	args[n++] = h->sock;
	args[n] = NULL;
	harness_spawn(h, args, NULL);
}

int
harness_wait_exit(struct harness *h)
{
	if (h->pid <= 0)
		FAIL("no viewer to wait for");
	int ms = harness_timeout_ms(HARNESS_WAIT_MS);
	int status;
	if (harness_wait_viewer(h, -1, ms, &status) == 0) {
		kill(h->pid, SIGKILL);
		waitpid(h->pid, NULL, 0);
		forget_viewer(h);
		char *err = harness_stderr(h);
		FAIL("the viewer did not exit within %d ms; its stderr:\n%s",
		     ms, err);
	}
	return status;
}

void
harness_expect_exit(struct harness *h, int code)
{
	int status = harness_wait_exit(h);
	char *err = harness_stderr(h);
	REQUIRE(WIFEXITED(status), "the viewer ended by signal %d, not "
		"exit(%d); stderr:\n%s", WIFSIGNALED(status) ? WTERMSIG(status) :
		-1, code, err);
	REQUIRE(WEXITSTATUS(status) == code, "exit status %d, expected %d; "
		"stderr:\n%s", WEXITSTATUS(status), code, err);
	free(err);
}

char *
harness_stderr(const struct harness *h)
{
	FILE *f = fopen(h->err_path, "re");
	char *text = calloc(1, 65536);
	if (!text)
		FAIL("out of memory");
	if (f) {
		size_t n = fread(text, 1, 65535, f);
		text[n] = '\0';
		fclose(f);
	}
	return text;
}

void
harness_expect_stderr(const struct harness *h, const char *text)
{
	char *err = harness_stderr(h);
	REQUIRE(strstr(err, text) != NULL, "the viewer's stderr lacks "
		"\"%s\":\n%s", text, err);
	free(err);
}

int
harness_viewer_fd_count(const struct harness *h)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)h->pid);
	DIR *d = opendir(path);
	if (!d)
		FAIL("opendir %s: %s", path, strerror(errno));
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

int
harness_memfd(uint32_t stride, uint32_t height, uint32_t pixel, bool sealed)
{
	int fd = memfd_create("harness-shm", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		FAIL("memfd_create: %s", strerror(errno));
	size_t size = (size_t)stride * height;
	if (ftruncate(fd, (off_t)size) < 0)
		FAIL("ftruncate: %s", strerror(errno));
	uint32_t *map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
			     fd, 0);
	if (map == MAP_FAILED)
		FAIL("mmap: %s", strerror(errno));
	for (size_t i = 0; i < size / 4; i++)
		map[i] = pixel;
	munmap(map, size);
	if (sealed && fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) < 0)
		FAIL("F_ADD_SEALS: %s", strerror(errno));
	return fd;
}

/* Only what the test made lies in its private dir: files, and a level of
 * directories (--demo's socket dir, the other user's in other-uid). */
static void
remove_tree(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			char path[PATH_MAX + 256];
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			if (unlink(path) < 0 && depth > 1)
				remove_tree(path, depth - 1);
		}
		closedir(d);
	}
	rmdir(dir);
}

void
harness_finish(struct harness *h)
{
	if (h->pid > 0) {
		kill(h->pid, SIGKILL);
		waitpid(h->pid, NULL, 0);
	}
	forget_viewer(h);
	if (h == active)
		active = NULL;
	if (h->close_end)
		h->close_end(h);
	h->close_end = NULL;

	remove_tree(h->dir, 2);
}
