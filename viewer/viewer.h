/* SPDX-License-Identifier: MIT */
/*
 * The viewer process's state, shared by main.c (set-up, the poll loop,
 * drawing, reconnecting) and window.c (window events -> input records and
 * the hotkeys' actions).
 */
#ifndef EGLVIEW_VIEWER_H
#define EGLVIEW_VIEWER_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "client.h"
#include "demo-spawn.h"
#include "input-script.h"
#include "input.h"
#include "options.h"
#include "output.h"
#include "proto.h"
#include "reconnect.h"
#include "render.h"

#define EXIT_USAGE 2
/* --kiosk-quit on-disconnect: the VM went away (README, "Kiosk"). */
#define EXIT_DISCONNECTED 3

struct viewer {
	const struct options *opts;
	struct input_script *script;
	struct demo *demo;
	char label[PATH_MAX];
	struct output *out;
	struct renderer *renderer;
	struct client *client;
	int signal_fd;
	uint64_t frames;        /* presented */
	bool script_blocked;    /* the last INPUT met a full socket */
	const char *backend;    /* the one in use */
	struct input *input;    /* window backends */
	struct output_head shown[PROTO_MAX_HEADS]; /* what the output follows */
	int n_shown;
	bool redraw;            /* exposed or resized */
	bool closed;            /* the user closed the window */
	bool titled;            /* the title has the VM's name */
	char title[PATH_MAX + 128];
	/* --reconnect */
	char socket_path[PATH_MAX];
	struct reconnect *reconnect;
	bool waiting;            /* no connection: the waiting screen shows */
	uint64_t waiting_frames; /* waiting screens presented */
	bool report_reconnect;   /* say how long the first frame took */
	char vm_name[PROTO_MAX_NAME + 1]; /* from the last HELLO */
	/* --kiosk */
	unsigned mods;           /* OPTIONS_MOD_* held, for the escape */
	bool disconnected;       /* --kiosk-quit on-disconnect: it happened */
};

/* window.c: what a window backend reports, with .data to be set to the
 * struct viewer. */
extern const struct output_events viewer_window_events;
bool viewer_start_input(struct viewer *v);
/* "NAME - qemu-eglview" on the first head's window, "NAME (Virtual-2) -
 * qemu-eglview" on the others, and how to let go while grabbed. */
void viewer_update_title(struct viewer *v);
void viewer_set_grab(struct viewer *v, bool grab);
void viewer_on_cursor_image(void *data, const struct proto_cursor_image *img,
			    const uint32_t *pixels);

#endif
