/* SPDX-License-Identifier: MIT */
/*
 * The C tests' harness: a private temporary directory, the real
 * qemu-eglview run from it with its stderr caught in a file (behind
 * EGLVIEW_TEST_WRAPPER, which `meson test --setup valgrind` sets), every
 * wait bounded; and the server end the test plays toward that viewer,
 * one of two on the socket in the directory:
 *
 *   the raw end (harness_listen): the test accepts the viewer and speaks
 *     the protocol itself through libeglview-proto, malformed or not;
 *   the library end (harness_serve): libeglview-server, which the
 *     harness's waits dispatch.
 *
 * A harness call that cannot do its job stops the test with FAIL; at exit
 * the viewer still running is killed and the directory removed.
 */
#ifndef EGLVIEW_TEST_HARNESS_H
#define EGLVIEW_TEST_HARNESS_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "check.h"
#include "proto.h"

struct server;
struct server_callbacks;

/* Generous: inside the TCG test VM a viewer takes seconds to start.
 * Every harness wait is ten times longer under valgrind. */
#define HARNESS_WAIT_MS 60000

struct harness {
	const char *viewer;          /* the qemu-eglview binary */
	char dir[108];               /* private temp dir (sockets go in it) */
	char sock[PATH_MAX];         /* the test's socket, in dir */
	char err_path[PATH_MAX];     /* the viewer's stderr */
	pid_t pid;                   /* the viewer, or -1 once reaped */
	int pidfd;                   /* its pidfd, or -1 */

	/* The raw end. */
	int listen_fd;               /* or -1 */
	int conn;                    /* the accepted viewer, or -1 */
	struct proto_packet *pkt;    /* the last packet received */

	/* The library end. */
	struct server *server;       /* or NULL */
	size_t viewers;              /* handshaken viewers now */
	const struct server_callbacks *cb; /* the test's own, or NULL */
	void *cb_data;

	void (*close_end)(struct harness *h); /* the end's cleanup, or NULL */
};

/* The temp dir; viewer is the qemu-eglview to run. */
void harness_init(struct harness *h, const char *viewer);
/* Stops the viewer if it still runs, closes the server end, removes the
 * temp dir. */
void harness_finish(struct harness *h);

/* ms, ten times that under valgrind (EGLVIEW_UNDER_VALGRIND). */
int harness_timeout_ms(int ms);
uint64_t harness_now_ns(void);

/* --- the viewer -------------------------------------------------------- */

/* Runs the viewer with args (NULL-terminated); env (NULL: ours). */
void harness_spawn(struct harness *h, const char *const *args,
		   char *const *env);
/* Runs the viewer offscreen on h->sock: --backend offscreen, the options
 * of opts and then of extra (NULL-terminated; either may be NULL), the
 * socket. */
void harness_spawn_offscreen(struct harness *h, const char *const *opts,
			     const char *const *extra);
/* The viewer's wait status within HARNESS_WAIT_MS (FAILs on timeout). */
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
int harness_memfd(uint32_t stride, uint32_t height, uint32_t pixel,
		  bool sealed);

/* --- the raw end (harness-raw.c) --------------------------------------- */

/* A listening socket at h->sock. */
void harness_listen(struct harness *h);
/* Accepts the viewer and reads its HELLO, checking what it offers. FAILs
 * when the viewer could not start its offscreen output (never a skip). */
void harness_accept_viewer(struct harness *h);
/* Next packet from the viewer within HARNESS_WAIT_MS, validated as
 * FROM_VIEWER; returns its type, or 0 on EOF. */
uint32_t harness_recv(struct harness *h);
/* Reads until a packet of that type; FAILs on EOF or timeout. */
void harness_expect(struct harness *h, uint32_t type);

/* --- the library end (harness-server.c) -------------------------------- */

/* libeglview-server at h->sock, vm_name in its HELLO; cb (may be NULL)
 * and data are the test's: the harness calls them after its own. */
void harness_serve(struct harness *h, const char *vm_name,
		   const struct server_callbacks *cb, void *data);
/* Runs `viewer --backend offscreen [extra...] SOCKET` and serves until it
 * has completed its handshake (10 s); FAILs otherwise. */
void harness_start_viewer(struct harness *h, const char *const *extra_args);
/* Dispatches the server until done(h, data) is true (true) or timeout_ms
 * passes (false). */
bool harness_run_until(struct harness *h,
		       bool (*done)(struct harness *, void *), void *data,
		       int timeout_ms);
/* Waits until every viewer has shown the newest frame (server_idle). */
bool harness_wait_idle(struct harness *h, int timeout_ms);
/* Sends GOODBYE, waits for the viewer to exit and returns its exit status
 * (-1 if it did not exit normally); its stderr goes into buf. */
int harness_stop_viewer(struct harness *h, char *buf, size_t size);

#endif
