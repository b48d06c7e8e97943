/* SPDX-License-Identifier: MIT */
/*
 * The test side of the client tests: a test server on a real socket (built
 * on the protocol library) and the real qemu-eglview as a child process,
 * its stderr caught in a file, every wait bounded.
 */
#ifndef CLIENT_HARNESS_H
#define CLIENT_HARNESS_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>

#include "proto.h"

#define WAIT_MS 60000 /* generous: inside the TCG test VM a viewer takes seconds to start */

#define FAIL(...) do { \
	fprintf(stderr, "%s:%d: FAIL: ", __FILE__, __LINE__); \
	fprintf(stderr, __VA_ARGS__); \
	fprintf(stderr, "\n"); \
	exit(1); \
} while (0)

#define CHECK(cond, ...) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: FAIL: %s: ", __FILE__, __LINE__, #cond); \
		fprintf(stderr, __VA_ARGS__); \
		fprintf(stderr, "\n"); \
		exit(1); \
	} \
} while (0)

struct harness {
	const char *viewer;            /* path of the qemu-eglview binary */
	char dir[64];                  /* private temp dir */
	char sock[PATH_MAX];           /* the test server's socket */
	char err_path[PATH_MAX];       /* the viewer's stderr */
	int listen_fd;
	int conn;                      /* accepted viewer connection, or -1 */
	pid_t pid;                     /* the viewer, or -1 */
	int pidfd;
	struct proto_packet *pkt;      /* the last packet received */
};

/* A temp dir and a listening socket in it. */
void harness_init(struct harness *h, const char *viewer);
/* Stops the viewer if still running, removes the temp dir. */
void harness_finish(struct harness *h);

/* Runs the viewer with args (NULL-terminated); env (NULL: ours). */
void harness_spawn(struct harness *h, const char *const *args, char *const *env);

/* Accepts the viewer and reads its HELLO, checking what it offers. Exits
 * 77 when the viewer could not start its offscreen output here. */
void harness_accept_viewer(struct harness *h);

/* Next packet from the viewer within WAIT_MS, validated as FROM_VIEWER;
 * returns its type, or 0 on EOF. */
uint32_t harness_recv(struct harness *h);
/* Reads until a packet of that type; FAILs on EOF or timeout. */
void harness_expect(struct harness *h, uint32_t type);

/* The viewer's wait status within WAIT_MS (FAILs on timeout). */
int harness_wait_exit(struct harness *h);
/* Waits and FAILs unless the viewer exited normally with status code. */
void harness_expect_exit(struct harness *h, int code);

/* The viewer's stderr so far (malloc'ed, NUL-terminated). */
char *harness_stderr(const struct harness *h);
/* FAILs unless the viewer's stderr contains text. */
void harness_expect_stderr(const struct harness *h, const char *text);

/* Open fds of the viewer, from /proc/PID/fd. */
int harness_viewer_fd_count(const struct harness *h);

/* A memfd of stride * height bytes filled with pixel, sealed against
 * shrinking when sealed. */
int harness_memfd(uint32_t stride, uint32_t height, uint32_t pixel, bool sealed);

#endif
