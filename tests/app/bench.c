/* SPDX-License-Identifier: MIT */
/*
 * Benchmark (prints figures, asserts nothing):
 *  1. a bare SOCK_SEQPACKET ping-pong carrying one fd, between two
 *     processes: the floor any message round trip stands on;
 *  2. UPDATE -> FRAME_DONE round trip through libeglview-server and the
 *     real qemu-eglview (offscreen unless told) for a 64x64 damage on a 1920x1080 shm
 *     frame, and the same for the full 1920x1080 frame: the viewer's cost
 *     of a damage upload + draw + present, beside the socket's cost.
 * Medians and 90th percentiles, in microseconds, from the same run.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "alloc/shm.h"
#include "harness.h"
#include "server/server.h"

#define W 1920
#define H 1080

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void
report(const char *what, uint64_t *ns, int n)
{
	qsort(ns, (size_t)n, sizeof(*ns), cmp_u64);
	printf("%-44s median %9.1f us   p90 %9.1f us   (n=%d)\n", what,
	       ns[n / 2] / 1000.0, ns[n * 9 / 10] / 1000.0, n);
}

static bool
send_with_fd(int sock, int fd)
{
	char byte[16] = { 0 };
	struct iovec iov = { .iov_base = byte, .iov_len = sizeof(byte) };
	union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, MSG_NOSIGNAL) == sizeof(byte);
}

/* The echo side: receive a packet and its fd, close the fd, answer. */
static void
echo_child(int sock)
{
	for (;;) {
		char byte[16];
		struct iovec iov = { .iov_base = byte, .iov_len = sizeof(byte) };
		union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
				      .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
		if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) <= 0)
			_exit(0);
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		if (c && c->cmsg_type == SCM_RIGHTS) {
			int fd;
			memcpy(&fd, CMSG_DATA(c), sizeof(int));
			close(fd);
		}
		if (send(sock, byte, sizeof(byte), MSG_NOSIGNAL) < 0)
			_exit(1);
	}
}

static void
bench_pingpong(int n)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		perror("socketpair");
		exit(1);
	}
	pid_t pid = fork();
	if (pid == 0) {
		close(sv[0]);
		echo_child(sv[1]);
	}
	close(sv[1]);
	int memfd = memfd_create("bench", MFD_CLOEXEC);
	uint64_t *ns = calloc((size_t)n, sizeof(*ns));
	char reply[16];
	for (int i = 0; i < n; i++) {
		uint64_t t0 = harness_now_ns();
		if (!send_with_fd(sv[0], memfd) || recv(sv[0], reply, sizeof(reply), 0) <= 0) {
			perror("ping-pong");
			exit(1);
		}
		ns[i] = harness_now_ns() - t0;
	}
	close(sv[0]);
	waitpid(pid, NULL, 0);
	close(memfd);
	report("bare SEQPACKET ping-pong, 1 fd", ns, n);
	free(ns);
}

/* CPU time (ns) of every thread of pid so far. */
static uint64_t
cpu_ns(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	DIR *dir = opendir(path);
	uint64_t sum = 0;
	struct dirent *e;
	while (dir && (e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		char stat[384];
		snprintf(stat, sizeof(stat), "%s/%s/schedstat", path, e->d_name);
		FILE *f = fopen(stat, "r");
		unsigned long long ns = 0;
		if (f && fscanf(f, "%llu", &ns) == 1)
			sum += ns;
		if (f)
			fclose(f);
	}
	if (dir)
		closedir(dir);
	return sum;
}

/* The viewer's CPU per frame, ns. */
static double
bench_update(struct harness *h, struct server_head *head,
	     struct server_buffer *buf, uint32_t *px, int n, bool full)
{
	uint64_t *ns = calloc((size_t)n, sizeof(*ns));
	struct proto_rect rect = { .x = 928, .y = 508, .width = 64, .height = 64 };
	uint64_t cpu0 = cpu_ns(h->pid);
	for (int i = 0; i < n; i++) {
		uint32_t colour = 0xff000000u | (uint32_t)(i * 0x010203);
		if (full) {
			for (size_t p = 0; p < (size_t)W * H; p += 4096)
				px[p] = colour;
		} else {
			for (uint32_t y = rect.y; y < rect.y + rect.height; y++)
				px[y * W + rect.x + (uint32_t)i % 64] = colour;
		}
		uint64_t t0 = harness_now_ns();
		server_head_present(head, buf, PROTO_SCANOUT_Y0_TOP,
				    full ? NULL : &rect, full ? 0 : 1);
		if (!harness_wait_idle(h, 10000)) {
			fprintf(stderr, "bench: no FRAME_DONE in 10 s\n");
			exit(1);
		}
		ns[i] = harness_now_ns() - t0;
	}
	double per_frame = (double)(cpu_ns(h->pid) - cpu0) / n;
	report(full ? "UPDATE->FRAME_DONE, full 1920x1080 shm frame"
		    : "UPDATE->FRAME_DONE, 64x64 damage of 1920x1080", ns, n);
	printf("%-44s %9.1f us a frame\n", full ? "  viewer CPU, full frame" :
	       "  viewer CPU, 64x64 damage", per_frame / 1000.0);
	free(ns);
	return per_frame;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s QEMU_EGLVIEW [ITERATIONS]\n", argv[0]);
		return 2;
	}
	int n = argc > 2 ? atoi(argv[2]) : 200;
	if (n < 10)
		n = 10;

	bench_pingpong(n * 10);

	struct harness h;
	harness_init(&h, argv[1]);
	harness_serve(&h, "bench", NULL, NULL);
	/* One buffer, written between frames: a viewer may not hold it. */
	server_set_hold_shown(h.server, false);
	struct server_head *head = server_add_head(h.server, "Virtual-1", W, H);
	struct shm_block shm;
	char why[256];
	if (!shm_block_init(&shm, "bench", (size_t)W * H * 4, why, sizeof(why)))
		FAIL("%s", why);
	memset(shm.data, 0x40, shm.size);
	struct server_buffer *buf = server_buffer_create_shm(h.server, shm.fd,
		DRM_FORMAT_XRGB8888, W, H, W * 4, 0);
	REQUIRE(buf, "server_buffer_create_shm failed");
	const char *args[32] = { "--stats" };
	for (int i = 3, k = 1; i < argc && k < 31; i++)
		args[k++] = argv[i];
	harness_start_viewer(&h, args);
	server_head_present(head, buf, PROTO_SCANOUT_Y0_TOP, NULL, 0);
	harness_wait_idle(&h, 10000);

	double part = bench_update(&h, head, buf, shm.data, n, false);
	double whole = bench_update(&h, head, buf, shm.data, n / 4, true);
	printf("viewer CPU of a 64x64 damage: 1/%.0f of a full frame's\n",
	       part > 0 ? whole / part : 0.0);

	char out[8192];
	int rc = harness_stop_viewer(&h, out, sizeof(out));
	printf("viewer (exit %d): %s", rc, out);
	shm_block_finish(&shm);
	harness_finish(&h);
	return 0;
}
