/* SPDX-License-Identifier: MIT */
/*
 * The protocol client: one connection to a server, the state the server
 * built on it (heads, the buffer cache, input devices), and every check a
 * message must pass before it touches that state. A message that fails a
 * check ends the connection with an ERROR that says why.
 */
#ifndef EGLVIEW_CLIENT_H
#define EGLVIEW_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "input-script.h"
#include "render.h"

struct client;

enum client_status {
	CLIENT_OK,       /* all available packets handled */
	CLIENT_GOODBYE,  /* the server said GOODBYE: a normal end */
	CLIENT_FAILED,   /* the connection ended in error; already reported */
};

/* Refuses a server running as another user (prints why). */
bool client_check_peer(int fd, const char *label);

/* Takes fd (a connected socket), makes it non-blocking and sends HELLO
 * with the renderer's formats. label names the server in messages. NULL
 * after printing why. */
struct client *client_create(int fd, const char *label, struct renderer *r,
			     bool verbose);
/* Sends GOODBYE(QUIT) while the connection is still up, then frees all
 * buffers and heads. NULL is fine. */
void client_destroy(struct client *c);

int client_fd(const struct client *c);

/* Reads and handles every packet available now. */
enum client_status client_read(struct client *c);

/* An UPDATE arrived since the last client_frame_done(). */
bool client_needs_draw(const struct client *c);
/* The enabled heads in layout order (left to right); returns the count. */
int client_heads(const struct client *c, struct render_head **heads);
/* The output size that shows every enabled head 1:1 side by side: the sum
 * of their widths by the largest height. false when no head is enabled. */
bool client_layout_size(const struct client *c, int *width, int *height);
/* Answers every head's pending UPDATE with FRAME_DONE. */
bool client_frame_done(struct client *c, uint64_t presented_ns);

/* true once input can be addressed: the server's devices are announced
 * (or the server takes no input). */
bool client_devices_known(const struct client *c);

enum client_send {
	CLIENT_SENT,
	CLIENT_SEND_AGAIN, /* the socket is full: wait for POLLOUT */
	CLIENT_SEND_FAILED,/* reported */
};
enum client_send client_send_input(struct client *c, const char *script_path,
				   const struct input_batch *batch);

/* Counters for --stats. */
uint64_t client_updates(const struct client *c);

#endif
