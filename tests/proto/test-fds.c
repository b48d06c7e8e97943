/* SPDX-License-Identifier: MIT */
/*
 * The fd checks on real fds of every kind, and proto_recv refusing an
 * oversized packet and one with too many fds without leaking any.
 */
#include <sys/stat.h>
#include <sys/uio.h>

#include "proto-test.h"

static char why[256];

static void
test_shm_fd(void)
{
	int pipe_fds[2], sv[2];
	REQUIRE(pipe2(pipe_fds, O_CLOEXEC) == 0);
	test_socketpair(sv);
	int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	int dir_fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	REQUIRE(null_fd >= 0 && dir_fd >= 0);

	REQUIRE(!proto_check_shm_fd(pipe_fds[0], 0, 16, 1, why, sizeof(why)));
	REQUIRE_STR(why, "fd is a pipe, not a memfd");
	REQUIRE(!proto_check_shm_fd(sv[0], 0, 16, 1, why, sizeof(why)));
	REQUIRE_STR(why, "fd is a socket, not a memfd");
	REQUIRE(!proto_check_shm_fd(null_fd, 0, 16, 1, why, sizeof(why)));
	REQUIRE_STR(why, "fd is a character device, not a memfd");
	REQUIRE(!proto_check_shm_fd(dir_fd, 0, 16, 1, why, sizeof(why)));
	REQUIRE_STR(why, "fd is a directory, not a memfd");

	int unsealed = test_memfd("fds-unsealed", 4096, false);
	REQUIRE(!proto_check_shm_fd(unsealed, 0, 64, 64, why, sizeof(why)));
	REQUIRE(strstr(why, "F_SEAL_SHRINK") != NULL);

	/* 64 rows of 64 bytes is exactly 4096: fits; one byte more does not. */
	int sealed = test_memfd("fds-sealed", 4096, true);
	REQUIRE(proto_check_shm_fd(sealed, 0, 64, 64, why, sizeof(why)));
	REQUIRE(proto_check_shm_fd(sealed, 64, 64, 63, why, sizeof(why)));
	REQUIRE(!proto_check_shm_fd(sealed, 1, 64, 64, why, sizeof(why)));
	REQUIRE(strstr(why, "4096") != NULL && strstr(why, "4097") != NULL);
	REQUIRE(!proto_check_shm_fd(sealed, 0, 65, 64, why, sizeof(why)));
	/* offset + stride * height past 2^64 is refused, not wrapped. */
	REQUIRE(!proto_check_shm_fd(sealed, UINT64_MAX - 10, 64, 1, why,
				    sizeof(why)));
	REQUIRE(strstr(why, "overflows") != NULL);

	/* A plain file (not a memfd, no seals possible) is refused too. */
	char path[] = "/tmp/eglview-test-fds-XXXXXX";
	int file = mkstemp(path);
	REQUIRE(file >= 0);
	unlink(path);
	REQUIRE(ftruncate(file, 4096) == 0);
	REQUIRE(!proto_check_shm_fd(file, 0, 64, 64, why, sizeof(why)));

	/* dmabuf: the same kinds are refused; a file of known size is
	 * measured, and the offset is left at 0. */
	REQUIRE(!proto_check_dmabuf_fd(pipe_fds[1], 0, 16, 1, why, sizeof(why)));
	REQUIRE(!proto_check_dmabuf_fd(sv[1], 0, 16, 1, why, sizeof(why)));
	REQUIRE(!proto_check_dmabuf_fd(null_fd, 0, 16, 1, why, sizeof(why)));
	REQUIRE(!proto_check_dmabuf_fd(dir_fd, 0, 16, 1, why, sizeof(why)));
	REQUIRE(proto_check_dmabuf_fd(unsealed, 0, 64, 64, why, sizeof(why)));
	REQUIRE_EQ(lseek(unsealed, 0, SEEK_CUR), 0);
	REQUIRE(!proto_check_dmabuf_fd(unsealed, 0, 64, 65, why, sizeof(why)));
	REQUIRE(!proto_check_dmabuf_fd(unsealed, UINT64_MAX, 1, 1, why, sizeof(why)));

	int all[] = { pipe_fds[0], pipe_fds[1], sv[0], sv[1], null_fd, dir_fd,
		      unsealed, sealed, file };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		close(all[i]);
}

static void
send_with_fds(int sock, const void *data, size_t len, const int *fds, int n)
{
	struct iovec iov = { (void *)data, len };
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * 16)];
	} control = { 0 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (n > 0) {
		msg.msg_control = control.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * n);
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_len = CMSG_LEN(sizeof(int) * n);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
	}
	REQUIRE(sendmsg(sock, &msg, MSG_NOSIGNAL) == (ssize_t)len);
}

static void
test_recv_refusals(void)
{
	int sv[2];
	test_socketpair(sv);
	struct proto_packet *pkt = test_packet_new();
	int before = test_count_fds();

	/* An oversized packet, carrying an fd: error, and the fd closed. */
	size_t big_len = PROTO_MAX_MSG_SIZE + 100;
	uint8_t *big = calloc(1, big_len);
	struct proto_header h = { PROTO_PING, (uint32_t)big_len };
	memcpy(big, &h, sizeof(h));
	int memfd = test_memfd("fds-oversized", 4096, true);
	send_with_fds(sv[0], big, big_len, &memfd, 1);
	close(memfd);
	REQUIRE_EQ(proto_recv(sv[1], pkt, why, sizeof(why)), PROTO_IO_ERROR);
	REQUIRE(strstr(why, "98404") != NULL);
	REQUIRE_EQ(pkt->refused, PROTO_ERR_MALFORMED);
	REQUIRE_EQ(pkt->n_fds, 0);
	REQUIRE_EQ(test_count_fds(), before);
	free(big);

	/* 5, then 8, fds on one small packet: error, every fd closed. */
	for (int n = 5; n <= 8; n += 3) {
		int fds[8];
		for (int i = 0; i < n; i++)
			fds[i] = test_memfd("fds-too-many", 16, true);
		struct proto_header hb = { PROTO_BUFFER_SHM, 8 };
		send_with_fds(sv[0], &hb, sizeof(hb), fds, n);
		for (int i = 0; i < n; i++)
			close(fds[i]);
		REQUIRE_EQ(proto_recv(sv[1], pkt, why, sizeof(why)),
			   PROTO_IO_ERROR);
		REQUIRE(strstr(why, "fds") != NULL);
		REQUIRE_EQ(pkt->refused, PROTO_ERR_FD_COUNT);
		REQUIRE_EQ(pkt->n_fds, 0);
		REQUIRE_EQ(test_count_fds(), before);
	}

	/* Exactly PROTO_MAX_FDS is fine, and the stream goes on after the
	 * refused packets. */
	int fds[PROTO_MAX_FDS];
	for (int i = 0; i < PROTO_MAX_FDS; i++)
		fds[i] = test_memfd("fds-max", 16, true);
	struct proto_header hb = { 0x7000, 8 };
	send_with_fds(sv[0], &hb, sizeof(hb), fds, PROTO_MAX_FDS);
	for (int i = 0; i < PROTO_MAX_FDS; i++)
		close(fds[i]);
	test_recv_ok(sv[1], pkt);
	REQUIRE_EQ(pkt->n_fds, PROTO_MAX_FDS);
	REQUIRE_EQ(pkt->len, 8);
	REQUIRE_EQ(test_count_fds(), before + PROTO_MAX_FDS);
	proto_packet_close_fds(pkt);
	REQUIRE_EQ(test_count_fds(), before);

	close(sv[0]);
	close(sv[1]);
	free(pkt);
}

int
main(void)
{
	test_shm_fd();
	test_recv_refusals();
	test_done("fds");
	return 0;
}
