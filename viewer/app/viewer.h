/* SPDX-License-Identifier: MIT */
/*
 * The viewer process's state, shared by the files of app/: app.c
 * (set-up, the snapshot), stats.c (--stats), loop.c (the one poll loop),
 * draw.c (the one draw path), vm.c (a VM coming and going) and window.c
 * (window events -> input records and the hotkeys' actions).
 */
#ifndef EGLVIEW_VIEWER_H
#define EGLVIEW_VIEWER_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "app/exit-status.h"
#include "app/session.h"
#include "client/client.h"
#include "input/input.h"
#include "options.h"
#include "output/output.h"
#include "proto.h"
#include "render/render.h"

#define VIEWER_MAX_VMS 16
/* Frames of damage kept per view, for a buffer that is that many
 * presents old (output_buffer_age); older ones are drawn whole. */
#define VIEWER_DAMAGE_HISTORY 3

/* What a view's last frames changed, newest first; unknown: the view
 * showed what GL did not draw (the zero-copy hand-off) since. */
struct view_history {
	struct damage frames[VIEWER_DAMAGE_HISTORY];
	int n;
	bool unknown;
};

struct viewer {
	const struct options *opts;
	/* The VMs, in command-line order; one for a single NAME or --demo. */
	struct session *sessions[VIEWER_MAX_VMS];
	int n_sessions;
	int focus;               /* the session input goes to */
	struct output *out;
	struct renderer *renderer;
	int signal_fd;
	uint64_t frames;         /* frames of the output presented */
	const char *backend;     /* the one in use */
	struct input *input;     /* window backends: the focused VM's */
	/* One VM in a window: its cursor image goes to the host pointer. */
	struct client_listener cursor_listener;
	bool redraw;             /* exposed, resized, or a VM came or went:
				  * every view is drawn whole */
	struct view_history history[PROTO_MAX_HEADS];
	/* --draw: the CPU draws a view's frames where it can; why a view
	 * was last drawn with GL instead ("" when it was not). */
	bool cpu_draw;
	char gl_why[PROTO_MAX_HEADS][96];
	bool path_noted[PROTO_MAX_HEADS];
	bool closed;             /* the user closed the window */
	char title[PATH_MAX + 128];
	/* Several VMs: where the pointer last was (a click focuses the VM
	 * under it), and what the focusing click or touch held. */
	double pointer_x, pointer_y;
	bool pointer_known;
	uint8_t focus_buttons;   /* bit b: BTN_LEFT + b swallowed */
	bool focus_touch;
	int64_t focus_finger;
	/* --kiosk */
	unsigned mods;           /* OPTIONS_MOD_* held, for the escape */
	bool window_focused;     /* the window has the keyboard focus */
	/* The clipboard (app/clipboard.c): the host's text offered to the
	 * VM, the VM's text put on the host's; NULL: none. */
	char *clip_host, *clip_from_vm;
	uint32_t host_locks, host_locks_known; /* output_events.locks */
	bool disconnected;       /* --kiosk-quit on-disconnect: it happened */
	/* Sound (app/sound.c): SDL's audio once a device was wanted; NULL
	 * before, with --audio off, or when it did not start (audio_failed). */
	struct audio *audio;
	bool audio_failed;
};

/* loop.c: polls the signalfd, the window and every VM's socket (or its
 * reconnect watch) and draws when there is news. true when it ended
 * normally (GOODBYE, --exit-after-frames, the window closed, a signal). */
bool viewer_loop(struct viewer *v);

/* draw.c: one frame of the output: in each view the VMs it shows, each
 * in its tile (one VM: the whole view, its heads of that view; several:
 * a cell each, the focused one marked), a VM that is away as its waiting
 * screen; then each VM's FRAME_DONE. false when the viewer must end; a
 * VM whose connection failed goes to waiting where it may
 * (viewer_vm_lost). */
bool viewer_draw(struct viewer *v);

/* vm.c: a VM coming and going, and what the window does about it. */
/* A connected fd for s. false only when the viewer cannot go on. */
bool viewer_vm_attach(struct viewer *v, struct session *s, int fd);
/* s's connection is gone (or never came): it waits for its socket and
 * its picture turns into the waiting screen. false when the viewer must
 * end instead (--kiosk-quit on-disconnect: v->disconnected is set). */
bool viewer_vm_wait(struct viewer *v, struct session *s);
/* s's connection failed (said why): one VM waits only with --reconnect
 * and a server that went away, else the viewer ends (false); with several
 * each VM waits on its own. */
bool viewer_vm_lost(struct viewer *v, struct session *s);

/* window.c: what a window backend reports, with .data to be set to the
 * struct viewer. */
extern const struct output_events viewer_window_events;
/* Input state for every VM; the first has the focus. */
bool viewer_start_input(struct viewer *v);
/* Several VMs: input goes to session i from now on; everything held on
 * the one that had it is released there. */
void viewer_focus(struct viewer *v, int i);
/* After a frame: a picture that moved or changed size under a pointer
 * that stood still is told where the pointer is over it now. */
void viewer_pointer_follow_layout(struct viewer *v);
/* "NAME - qemu-eglview" on the first head's window, "NAME (Virtual-2) -
 * qemu-eglview" on the others, and how to let go while grabbed. With
 * several VMs NAME is the focused one's, followed by "(VM 2 of 4)". */
void viewer_update_title(struct viewer *v);
void viewer_set_grab(struct viewer *v, bool grab);
/* A client_listener's cursor_image: the host pointer shows it. */
/* app/clipboard.c: the host's clipboard changed (output_events), and
 * the client_listener's clipboard members. */
void viewer_clipboard_host_changed(void *data);
void viewer_on_clipboard_grab(void *data, uint32_t selection,
			      const char *const *mimes, uint32_t n);
void viewer_on_clipboard_request(void *data, uint32_t selection,
				 const char *mime);
void viewer_on_clipboard_data(void *data, uint32_t selection, uint32_t status,
			      const char *mime, const void *bytes,
			      uint32_t length);
void viewer_on_cursor_image(void *data, const struct proto_cursor_image *img,
			    const uint32_t *pixels);

/* app/sound.c: the VMs' sound. The session's events (.data to be set to
 * the struct viewer). */
extern const struct session_sound_events viewer_sound_events;
/* The focus (the VM's or the window's) moved: the focused VM's streams
 * get their devices, the others lose theirs. */
void viewer_sound_sync(struct viewer *v);
void viewer_sound_print_stats(const struct viewer *v);
/* After the sessions are gone. */
void viewer_sound_destroy(struct viewer *v);

#endif
