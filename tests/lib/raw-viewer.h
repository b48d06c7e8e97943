/* SPDX-License-Identifier: MIT */
/*
 * The tests' viewer: a raw protocol client on a real socket, built on
 * libeglview-proto only. When the server runs in the test process, the
 * waits pump it (server_dispatch) so both sides make progress.
 */
#ifndef EGLVIEW_TEST_RAW_VIEWER_H
#define EGLVIEW_TEST_RAW_VIEWER_H

#include <stdbool.h>
#include <stdio.h>

/* REQUIRE ends the case (returns from it); main then stops what the case
 * started and test_run_case reports the failures (check.h). */
#define TEST_REQUIRE_STOP return
#include "check.h"
#include "proto.h"

struct server;

struct raw_viewer {
	int fd;
	struct server *server;   /* pumped while waiting; NULL: out of process */
	struct proto_packet *pkt;/* the last packet received */
};

/* Connects to path; server (may be NULL) is pumped during waits. */
bool raw_viewer_connect(struct raw_viewer *v, const char *path,
			struct server *server);
void raw_viewer_close(struct raw_viewer *v);
/* Connects, handshakes and reads the state dump up to the first UPDATE;
 * returns its seq (0 on failure). The device ids by kind come back in
 * keyboard/tablet when not NULL. server as for raw_viewer_connect. */
uint32_t raw_viewer_join(struct raw_viewer *v, const char *path,
			 struct server *server, uint32_t *keyboard,
			 uint32_t *tablet);
/* Connects, reads the server's HELLO (its features, as its minor defines
 * them, to *server_features when not NULL) and answers with a HELLO of
 * these features offering XRGB8888 shm. */
bool raw_viewer_handshake(struct raw_viewer *v, const char *path,
			  struct server *server, uint32_t features,
			  uint32_t *server_features);
/* Sends a HELLO offering XRGB8888 as shm (shm false: an empty list). */
bool raw_viewer_hello(struct raw_viewer *v, bool shm);
/* The same with these HELLO features (PROTO_FEATURE_*). */
bool raw_viewer_hello_features(struct raw_viewer *v, bool shm,
			       uint32_t features);

/* The next packet within timeout_ms, validated as FROM_SERVER: OK, AGAIN
 * (timeout), EOF or ERROR. The packet's fds stay in v->pkt until the next
 * receive (take them out to keep them). */
enum proto_io raw_viewer_recv(struct raw_viewer *v, int timeout_ms);
/* The next packet must be of this type (2 s); false with a log if not. */
bool raw_viewer_expect(struct raw_viewer *v, uint32_t type);
/* Reads until type arrives (other packets are dropped); false on timeout. */
bool raw_viewer_skip_to(struct raw_viewer *v, uint32_t type, int timeout_ms);
/* Pumps the server (if any) for ms without reading the viewer socket. */
void raw_viewer_pump(struct server *server, int ms);

static inline const void *
raw_body(const struct raw_viewer *v)
{
	return proto_packet_body(v->pkt);
}

#endif
