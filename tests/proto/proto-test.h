/* SPDX-License-Identifier: MIT */
/* Small helpers shared by the protocol tests: a socketpair, sealed
 * memfds and an open-fd count. Their checks are REQUIREs
 * (tests/lib/check.h): the first that fails stops the test. */
#ifndef PROTO_TEST_H
#define PROTO_TEST_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "proto.h"

static inline void
test_done(const char *name)
{
	printf("%s: %d checks passed\n", name, test_checks);
}

static inline void
test_socketpair(int sv[2])
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		perror("socketpair(AF_UNIX, SOCK_SEQPACKET)");
		exit(1);
	}
}

/* A memfd of size bytes, sealed against shrinking when sealed. */
static inline int
test_memfd(const char *name, off_t size, bool sealed)
{
	int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0) {
		perror("memfd_create");
		exit(1);
	}
	if (ftruncate(fd, size) < 0) {
		perror("ftruncate");
		exit(1);
	}
	if (sealed && fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) < 0) {
		perror("F_ADD_SEALS");
		exit(1);
	}
	return fd;
}

static inline int
test_count_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	if (dir == NULL) {
		perror("opendir /proc/self/fd");
		exit(1);
	}
	int n = 0;
	struct dirent *d;
	while ((d = readdir(dir)) != NULL) {
		if (d->d_name[0] != '.')
			n++;
	}
	closedir(dir);
	return n - 1; /* the DIR's own fd */
}

static inline struct proto_packet *
test_packet_new(void)
{
	struct proto_packet *pkt = calloc(1, sizeof(*pkt));
	if (pkt == NULL) {
		perror("calloc");
		exit(1);
	}
	return pkt;
}

/* Receives one packet that must arrive whole. */
static inline void
test_recv_ok(int fd, struct proto_packet *pkt)
{
	char why[256] = "";
	enum proto_io r = proto_recv(fd, pkt, why, sizeof(why));
	if (r != PROTO_IO_OK) {
		fprintf(stderr, "proto_recv: %d (%s)\n", (int)r, why);
		exit(1);
	}
}

#endif
