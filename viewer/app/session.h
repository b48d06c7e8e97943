/* SPDX-License-Identifier: MIT */
/*
 * One VM the viewer shows: its connection, its way back when the
 * connection goes (--reconnect, the waiting screen), its name, its input
 * state and what its heads last looked like. The viewer holds one per
 * NAME or PATH on the command line; main.c runs the one poll loop over
 * them all.
 */
#ifndef EGLVIEW_SESSION_H
#define EGLVIEW_SESSION_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "client/client.h"
#include "app/demo-spawn.h"
#include "input/script.h"
#include "input/input.h"
#include "layout.h"
#include "output/output.h"
#include "proto.h"
#include "app/reconnect.h"

struct viewer;
struct waiting_tile;

struct session {
	struct viewer *v;
	int index;              /* on the command line, from 0 */
	const char *target;     /* NAME or PATH; NULL with --demo */
	struct demo *demo;
	struct input_script *script; /* the first VM's only */
	bool script_blocked;    /* the last INPUT met a full socket */
	char label[PATH_MAX];
	struct client *client;
	struct input *input;    /* window backends */
	uint64_t frames;        /* presented with a picture from this VM */
	bool titled;            /* the title has the VM's name */
	/* What the output follows; kept while waiting, so that the output
	 * keeps its size while a VM restarts. */
	struct output_head shown[PROTO_MAX_HEADS];
	int n_shown;
	struct layout_rect tile; /* where it was last drawn (several VMs) */
	/* --reconnect */
	char socket_path[PATH_MAX];
	struct reconnect *reconnect;
	bool waiting;            /* no connection: the waiting screen shows */
	uint64_t waiting_frames; /* waiting screens presented */
	bool report_reconnect;   /* say how long the first frame took */
	char vm_name[PROTO_MAX_NAME + 1]; /* from the last HELLO */
	struct waiting_tile *waiting_tile; /* several VMs: its picture */
};

/* NULL when out of memory (said). */
struct session *session_create(struct viewer *v, int index,
			       const char *target);
void session_destroy(struct session *s); /* NULL is fine */

/* Connects (or starts the demo and connects): a connected fd, -1 when the
 * VM is not there (said why), -2 for a NAME that makes no path (usage). */
int session_connect(struct session *s);
/* Starts watching for the socket (--reconnect). */
bool session_enable_reconnect(struct session *s);
/* A connected fd: the handshake starts afresh. false only when the viewer
 * cannot go on; a server it refuses leaves it waiting. */
bool session_attach(struct session *s, int fd);
/* The connection is gone (or never came): drop everything it built and
 * wait for the socket. false when the viewer must end (--kiosk-quit
 * on-disconnect: v->disconnected is set). Does not draw. */
bool session_start_waiting(struct session *s);
/* After a failed read or send: with --reconnect, a server that went away
 * means waiting, not the end. */
bool session_lost_server(const struct session *s);
/* The name to show: the VM's from HELLO, else the last one, else the
 * label. */
const char *session_name(const struct session *s);
/* Window backends: this VM's input state, sending to its connection. */
bool session_start_input(struct session *s);
/* Sends the FRAME_DONEs a full socket held back, then the script: it
 * goes once the first frame is up and the devices it names are known; a
 * full socket pauses both until POLLOUT. */
bool session_send_script(struct session *s);
/* Something waits for room in the socket: poll for POLLOUT. */
bool session_wants_write(const struct session *s);
/* With --verbose, or after a failure: how the demo shim ended. */
void session_report_demo_exit(struct session *s);
/* The figure README's reconnect time is measured by, once per return. */
void session_report_shown(struct session *s, uint64_t presented_ns);

#endif
