/* SPDX-License-Identifier: MIT */
/*
 * What the cases of test-viewer-vs-test-server share: the harness with its
 * one viewer, the test server's messages, and the start every case that
 * needs a frame makes (test-server.c); the malformed-message cases
 * (bad-messages.c).
 */
#ifndef TEST_SERVER_H
#define TEST_SERVER_H

#include <stdbool.h>

#include "harness.h"

#define W 64
#define H 48
#define STRIDE (W * 4)
#define HEAD 1
#define BUFFER 1
#define KEYBOARD 5

extern struct harness h;

void send_ok(bool ok, const char *what);
void send_server_hello(void);
void send_head(uint32_t id);
/* Sends fd as BUFFER_SHM id (W x H XRGB8888) and closes it. */
void send_shm_buffer(uint32_t id, int fd);
void send_update(uint32_t head, uint32_t seq, struct proto_rect rect);
void send_keyboard(void);
/* Starts the viewer, shakes hands and shows one frame: head 0 showing a
 * sealed memfd buffer, answered by FRAME_DONE with our seq. */
void start_with_frame(const char *const *extra_args);

/* Runs the malformed-message case name: false if there is none. */
bool run_bad_case_named(const char *name);

#endif
