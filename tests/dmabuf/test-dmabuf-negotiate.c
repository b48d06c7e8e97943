/* SPDX-License-Identifier: MIT */
/*
 * Format negotiation end to end on a real DRM device: the real
 * eglview-shim with GBM buffers (--buffers dmabuf) and a raw viewer
 * offering a restricted set. A viewer offering only a modifier GBM cannot
 * allocate (and shm) gets shm buffers, the fallback logged; one offering
 * only LINEAR dmabufs gets LINEAR GBM buffers. Exits 77 without a DRM
 * device. usage: test-dmabuf-negotiate EGLVIEW_SHIM
 */
#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "raw-viewer.h"

static const char *shim_path;

struct shim {
	char dir[64], sock[128], log[128];
	pid_t pid;
};

static bool
shim_start(struct shim *s)
{
	snprintf(s->dir, sizeof(s->dir), "/tmp/eglview-negotiate-XXXXXX");
	if (mkdtemp(s->dir) == NULL)
		return false;
	snprintf(s->sock, sizeof(s->sock), "%s/vm.sock", s->dir);
	snprintf(s->log, sizeof(s->log), "%s/shim.log", s->dir);
	s->pid = fork();
	if (s->pid == 0) {
		int fd = open(s->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 2);
		execl(shim_path, shim_path, "--buffers", "dmabuf", "--size",
		      "64x48", "--fps", "0", "--verbose", s->sock, (char *)NULL);
		_exit(127);
	}
	struct stat st;
	for (int i = 0; i < 500 && stat(s->sock, &st) != 0; i++)
		usleep(10000); /* the shim's socket has no other signal */
	return stat(s->sock, &st) == 0;
}

static bool
shim_log_has(const struct shim *s, const char *text)
{
	char buf[8192] = "";
	FILE *f = fopen(s->log, "r");
	if (f == NULL)
		return false;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	if (strstr(buf, text) == NULL) {
		fprintf(stderr, "the shim did not log \"%s\"; it logged:\n%s",
			text, buf);
		return false;
	}
	return true;
}

static void
shim_stop(struct shim *s)
{
	kill(s->pid, SIGTERM);
	waitpid(s->pid, NULL, 0);
	unlink(s->sock);
	unlink(s->log);
	rmdir(s->dir);
}

static void
offer(const struct proto_format *f, uint32_t n, uint32_t expect_type,
      uint64_t expect_modifier, const char *expect_log)
{
	struct shim s;
	REQUIRE(shim_start(&s));
	struct raw_viewer v;
	REQUIRE(raw_viewer_connect(&v, s.sock, NULL));
	REQUIRE(raw_viewer_expect(&v, PROTO_HELLO));
	REQUIRE(proto_send_hello(v.fd, PROTO_FEATURE_SHM | PROTO_FEATURE_DMABUF,
				 "negotiating-viewer", f, n));
	uint32_t type = 0;
	for (;;) {
		REQUIRE(raw_viewer_recv(&v, 5000) == PROTO_IO_OK);
		type = proto_packet_type(v.pkt);
		if (type == PROTO_BUFFER_SHM || type == PROTO_BUFFER_DMABUF)
			break;
	}
	CHECK(type == expect_type);
	if (type == PROTO_BUFFER_DMABUF) {
		const struct proto_buffer_dmabuf *d = raw_body(&v);
		printf("got BUFFER_DMABUF modifier 0x%016llx\n",
		       (unsigned long long)d->modifier);
		CHECK(d->modifier == expect_modifier);
	} else {
		printf("got BUFFER_SHM\n");
	}
	if (expect_log)
		CHECK(shim_log_has(&s, expect_log));
	raw_viewer_close(&v);
	shim_stop(&s);
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s EGLVIEW_SHIM\n", argv[0]);
		return 2;
	}
	shim_path = argv[1];
	glob_t g;
	if (glob("/dev/dri/card*", 0, NULL, &g) != 0) {
		printf("skipped: no DRM device (no /dev/dri/card*); the dmabuf "
		       "suite runs for real inside the test VM (tests/vm/vm-run)\n");
		return 77;
	}
	globfree(&g);
	/* A tiled modifier a software GBM cannot make, and shm. */
	const struct proto_format tiled[] = {
		{ DRM_FORMAT_XRGB8888, PROTO_FORMAT_SHM, DRM_FORMAT_MOD_LINEAR },
		{ DRM_FORMAT_XRGB8888, PROTO_FORMAT_DMABUF, I915_FORMAT_MOD_Y_TILED },
	};
	offer(tiled, 2, PROTO_BUFFER_SHM, 0, "falling back to shm buffers");
	const struct proto_format linear[] = {
		{ DRM_FORMAT_XRGB8888, PROTO_FORMAT_DMABUF, DRM_FORMAT_MOD_LINEAR },
	};
	offer(linear, 1, PROTO_BUFFER_DMABUF, DRM_FORMAT_MOD_LINEAR, NULL);
	if (test_failures == 0)
		printf("negotiation: passed\n");
	return test_failures ? 1 : 0;
}
