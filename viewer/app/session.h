/* SPDX-License-Identifier: MIT */
/*
 * One VM the viewer shows: its connection, its way back when the
 * connection goes (--reconnect, the waiting screen), its name, its input
 * state and what its heads last looked like. The viewer holds one per
 * NAME or PATH on the command line and runs its one poll loop over them
 * all (loop.c); what the window does when a VM comes or goes is the
 * viewer's (vm.c), not the session's.
 */
#ifndef EGLVIEW_SESSION_H
#define EGLVIEW_SESSION_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "client/client.h"
#include "app/shim-child.h"
#include "input/script.h"
#include "input/input.h"
#include "layout.h"
#include "options.h"
#include "output/output.h"
#include "proto.h"
#include "app/reconnect.h"

struct waiting_tile;
struct session;
struct audio_player;
struct audio_recorder;

/* A stream of the VM's sound as the viewer plays or records it
 * (app/sound.c). */
struct session_sound {
	uint32_t id;
	struct audio_player *player;     /* PLAYBACK: open once enabled */
	struct audio_recorder *recorder; /* RECORD: while it records */
};

/* Who hears of the VM's sound streams (the viewer, app/sound.c). */
struct session_sound_events {
	void *data;
	void (*stream)(void *data, struct session *s,
		       const struct client_audio_stream *st);
	void (*state)(void *data, struct session *s,
		      const struct client_audio_stream *st);
	/* Its ring is unmapped when this returns. */
	void (*removed)(void *data, struct session *s,
			const struct client_audio_stream *st);
};

struct session {
	const struct options *opts;
	int index;              /* on the command line, from 0 */
	const char *target;     /* NAME or PATH; NULL with --demo */
	struct shim_child *child;  /* the demo, or the bridge to a NAME */
	uint64_t bridge_spawned_ns;
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
	struct layout_rect tile; /* where it was last drawn */
	/* --reconnect */
	char socket_path[PATH_MAX];
	struct reconnect *reconnect;
	bool waiting;            /* no connection: the waiting screen shows */
	uint64_t waiting_frames; /* waiting screens presented */
	bool report_reconnect;   /* say how long the first frame took */
	char vm_name[PROTO_MAX_NAME + 1]; /* from the last HELLO */
	struct waiting_tile *waiting_tile; /* its picture, kept between frames */
	struct client_listener outer;      /* the display's listener */
	/* Sound (app/sound.c): its streams' devices, and who is told. */
	struct session_sound sound[PROTO_MAX_AUDIO_STREAMS];
	int n_sound;
	struct session_sound_events sound_events;
};

/* NULL when out of memory (said). */
struct session *session_create(const struct options *opts, int index,
			       const char *target);
void session_destroy(struct session *s); /* NULL is fine; the script too */

/* Connects (or starts the demo and connects): a connected fd, -1 when the
 * VM is not there (said why), -2 for a NAME that makes no path (usage). */
int session_connect(struct session *s);
/* Starts watching for the socket (--reconnect), and the bridge's. */
bool session_enable_reconnect(struct session *s);
/* While waiting: a connected fd once the VM's socket or its bridge's
 * answers, else -1; a bridge that ended is started again. */
int session_try_reconnect(struct session *s);
/* The child's pidfd is readable: reaped, and said. */
void session_child_exited(struct session *s);

/* Where a connection's pictures go. */
struct session_display {
	struct renderer *renderer;  /* imports its buffers */
	struct output *direct;      /* may show its buffers as they are
				     * (zero-copy); NULL: never, ... */
	const char *why_not_direct; /* ... for this reason (--stats) */
	const struct client_listener *listener; /* NULL: nobody listens */
	bool clipboard;             /* offer CLIPBOARD (the listener's) */
	/* Offer AUDIO and tell these of its streams; NULL: no sound. */
	const struct session_sound_events *sound;
};
/* A connected fd: the handshake starts afresh. false only when the viewer
 * cannot go on; a server it refuses leaves it waiting (s->client NULL). */
bool session_attach(struct session *s, int fd,
		    const struct session_display *display);
/* Drops the connection and everything it built; input held is forgotten
 * (there is nobody to send its release to). NULL client is fine. */
void session_drop(struct session *s);
/* The connection is gone (or never came): dropped, and the socket is
 * watched. Does not draw. */
void session_start_waiting(struct session *s);
/* After a failed read or send: with --reconnect, a server that went away
 * means waiting, not the end. */
bool session_lost_server(const struct session *s);
/* The name to show: the VM's from HELLO, else the last one, else the
 * label. */
const char *session_name(const struct session *s);
/* Window backends: this VM's input state, sending to its connection;
 * next_vm_hotkey with several VMs. */
bool session_start_input(struct session *s, bool next_vm_hotkey);
/* Sends the FRAME_DONEs a full socket held back, then the script: it
 * goes once the first frame is up and the devices it names are known; a
 * full socket pauses both until POLLOUT. */
bool session_send_script(struct session *s);
/* Something waits for room in the socket: poll for POLLOUT. */
bool session_wants_write(const struct session *s);
/* With --verbose, or after a failure: how the demo shim ended. */
void session_report_demo_exit(struct session *s);
/* The figure tests/README.md's reconnect time is measured by, once per
 * return. */
void session_report_shown(struct session *s, uint64_t presented_ns);

#endif
