/* SPDX-License-Identifier: MIT */
/*
 * A test VM for integration tests and benchmarks: libeglview-server on a
 * socket in a fresh temporary directory, serving the real qemu-eglview
 * binary started by the harness (offscreen backend), its stderr captured.
 */
#ifndef EGLVIEW_TEST_HARNESS_H
#define EGLVIEW_TEST_HARNESS_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "server/server.h"
#include "alloc/shm.h"

struct harness {
	char dir[PATH_MAX];
	char socket_path[PATH_MAX + 16];
	struct server *server;
	size_t viewers;          /* handshaken viewers (callbacks keep it) */
	pid_t viewer_pid;
	int viewer_stderr;       /* read end of the viewer's stderr, or -1 */
};

/* Creates the directory and the server. false with a message printed. */
bool harness_init(struct harness *h, const char *vm_name);
/* Starts `viewer --backend offscreen [extra...] SOCKET` and waits (at most
 * 10 s) until it has completed its handshake. */
bool harness_start_viewer(struct harness *h, const char *viewer,
			  const char *const *extra_args);
/* Dispatches the server until done(h, data) is true or timeout_ms passes. */
bool harness_run_until(struct harness *h, bool (*done)(struct harness *, void *),
		       void *data, int timeout_ms);
/* Waits until every viewer has shown the newest frame (server_idle). */
bool harness_wait_idle(struct harness *h, int timeout_ms);
/* Sends GOODBYE, waits for the viewer to exit and returns its exit status
 * (-1 if it did not exit normally); its stderr goes into buf. */
int harness_stop_viewer(struct harness *h, char *buf, size_t size);
void harness_finish(struct harness *h);

uint64_t harness_now_ns(void);

#endif
