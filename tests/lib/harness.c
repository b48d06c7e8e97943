/* SPDX-License-Identifier: MIT */
#include "harness.h"

#include <dirent.h>
#include <drm_fourcc.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

void
harness_init(struct harness *h, const char *viewer)
{
	*h = (struct harness){ .viewer = viewer, .listen_fd = -1, .conn = -1,
			       .pid = -1, .pidfd = -1 };
	snprintf(h->dir, sizeof(h->dir), "/tmp/eglview-client-test-XXXXXX");
	if (!mkdtemp(h->dir))
		FAIL("mkdtemp %s: %s", h->dir, strerror(errno));
	snprintf(h->sock, sizeof(h->sock), "%s/vm.sock", h->dir);
	snprintf(h->err_path, sizeof(h->err_path), "%s/viewer.stderr", h->dir);

	char why[256];
	h->listen_fd = proto_listen(h->sock, why, sizeof(why));
	if (h->listen_fd < 0)
		FAIL("proto_listen %s: %s", h->sock, why);
	h->pkt = calloc(1, sizeof(*h->pkt));
	if (!h->pkt)
		FAIL("out of memory");
	active = h;
	atexit(finish_at_exit);
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
	int err = posix_spawn(&h->pid, argv[0], &fa, NULL, (char *const *)argv,
			      env ? env : environ);
	posix_spawn_file_actions_destroy(&fa);
	if (err != 0)
		FAIL("cannot run %s: %s", h->viewer, strerror(err));
	h->pidfd = pidfd_open(h->pid, 0);
	if (h->pidfd < 0)
		FAIL("pidfd_open: %s", strerror(errno));
}

static void
skip_if_no_output(struct harness *h)
{
	char *err = harness_stderr(h);
	if (strstr(err, "cannot open the offscreen output")) {
		printf("skipped: qemu-eglview cannot open an offscreen output here:\n%s",
		       err);
		free(err);
		harness_finish(h);
		exit(77);
	}
	free(err);
}

void
harness_accept_viewer(struct harness *h)
{
	struct pollfd fds[2] = {
		{ .fd = h->listen_fd, .events = POLLIN },
		{ .fd = h->pidfd, .events = POLLIN },
	};
	if (poll(fds, 2, WAIT_MS) <= 0)
		FAIL("the viewer did not connect within %d ms", WAIT_MS);
	if (!(fds[0].revents & POLLIN)) {
		char *err = harness_stderr(h);
		FAIL("the viewer exited before connecting; its stderr:\n%s", err);
	}
	h->conn = accept4(h->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (h->conn < 0)
		FAIL("accept4: %s", strerror(errno));

	uint32_t type = harness_recv(h);
	if (type == 0) {
		harness_wait_exit(h);
		skip_if_no_output(h);
		char *err = harness_stderr(h);
		FAIL("the viewer closed without HELLO; its stderr:\n%s", err);
	}
	CHECK(type == PROTO_HELLO, "first message is %s", proto_type_name(type));

	const struct proto_hello *hello = proto_packet_body(h->pkt);
	const struct proto_format *formats = (const void *)(hello + 1);
	CHECK(strcmp(hello->name, "qemu-eglview") == 0, "name \"%s\"", hello->name);
	CHECK(hello->major == PROTO_VERSION_MAJOR, "major %u", hello->major);
	CHECK(hello->features & PROTO_FEATURE_SHM, "features 0x%x", hello->features);
	bool xrgb_shm = false;
	for (uint32_t i = 0; i < hello->n_formats; i++) {
		if (formats[i].fourcc == DRM_FORMAT_XRGB8888 &&
		    (formats[i].flags & PROTO_FORMAT_SHM))
			xrgb_shm = true;
	}
	CHECK(xrgb_shm, "HELLO offers %u formats, none XRGB8888 as SHM",
	      hello->n_formats);
}

uint32_t
harness_recv(struct harness *h)
{
	struct pollfd pfd = { .fd = h->conn, .events = POLLIN };
	if (poll(&pfd, 1, WAIT_MS) <= 0)
		FAIL("nothing from the viewer within %d ms", WAIT_MS);
	char why[256];
	proto_packet_close_fds(h->pkt);
	switch (proto_recv(h->conn, h->pkt, why, sizeof(why))) {
	case PROTO_IO_OK:
		break;
	case PROTO_IO_EOF:
		return 0;
	case PROTO_IO_AGAIN:
		FAIL("proto_recv: AGAIN after POLLIN");
	case PROTO_IO_ERROR:
		if (errno == ECONNRESET)
			return 0;
		FAIL("proto_recv: %s", why);
	}
	enum proto_error code = proto_validate(h->pkt, PROTO_FROM_VIEWER,
					       why, sizeof(why));
	CHECK(code == PROTO_ERR_NONE, "the viewer sent an invalid %s: %s",
	      proto_type_name(proto_packet_type(h->pkt)), why);
	return proto_packet_type(h->pkt);
}

void
harness_expect(struct harness *h, uint32_t type)
{
	for (;;) {
		uint32_t got = harness_recv(h);
		if (got == type)
			return;
		if (got == 0) {
			char *err = harness_stderr(h);
			FAIL("the viewer closed before %s; its stderr:\n%s",
			     proto_type_name(type), err);
		}
	}
}

int
harness_wait_exit(struct harness *h)
{
	struct pollfd pfd = { .fd = h->pidfd, .events = POLLIN };
	if (poll(&pfd, 1, WAIT_MS) <= 0) {
		kill(h->pid, SIGKILL);
		waitpid(h->pid, NULL, 0);
		h->pid = -1;
		char *err = harness_stderr(h);
		FAIL("the viewer did not exit within %d ms; its stderr:\n%s",
		     WAIT_MS, err);
	}
	int status;
	if (waitpid(h->pid, &status, 0) != h->pid)
		FAIL("waitpid: %s", strerror(errno));
	h->pid = -1;
	return status;
}

void
harness_expect_exit(struct harness *h, int code)
{
	int status = harness_wait_exit(h);
	char *err = harness_stderr(h);
	CHECK(WIFEXITED(status), "the viewer ended by signal %d, not exit(%d); "
	      "stderr:\n%s", WIFSIGNALED(status) ? WTERMSIG(status) : -1, code, err);
	CHECK(WEXITSTATUS(status) == code, "exit status %d, expected %d; "
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
	CHECK(strstr(err, text) != NULL, "the viewer's stderr lacks \"%s\":\n%s",
	      text, err);
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
	int fd = memfd_create("client-test-shm", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		FAIL("memfd_create: %s", strerror(errno));
	size_t size = (size_t)stride * height;
	if (ftruncate(fd, (off_t)size) < 0)
		FAIL("ftruncate: %s", strerror(errno));
	uint32_t *map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		FAIL("mmap: %s", strerror(errno));
	for (size_t i = 0; i < size / 4; i++)
		map[i] = pixel;
	munmap(map, size);
	if (sealed && fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) < 0)
		FAIL("F_ADD_SEALS: %s", strerror(errno));
	return fd;
}

void
harness_finish(struct harness *h)
{
	if (h->pid > 0) {
		kill(h->pid, SIGKILL);
		waitpid(h->pid, NULL, 0);
		h->pid = -1;
	}
	if (h == active)
		active = NULL;
	if (h->pidfd >= 0)
		close(h->pidfd);
	if (h->conn >= 0)
		close(h->conn);
	if (h->listen_fd >= 0)
		close(h->listen_fd);
	h->pidfd = h->conn = h->listen_fd = -1;
	if (h->pkt)
		proto_packet_close_fds(h->pkt);
	free(h->pkt);
	h->pkt = NULL;

	/* Only files this test made lie in its private dir. */
	DIR *d = opendir(h->dir);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			char path[PATH_MAX + 256];
			snprintf(path, sizeof(path), "%s/%s", h->dir, e->d_name);
			if (unlink(path) < 0)
				rmdir(path); /* the (empty) socket dir of --demo */
		}
		closedir(d);
		rmdir(h->dir);
	}
}
