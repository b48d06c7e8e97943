/* SPDX-License-Identifier: MIT */
/*
 * qemu-eglview's command line: what the user asked for, parsed and checked
 * before anything is opened.
 */
#ifndef EGLVIEW_OPTIONS_H
#define EGLVIEW_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#define OPTIONS_MAX_DEMO_ARGS 32
#define OPTIONS_MAX_TARGETS 16

#include "layout.h"

/* --draw: how a frame gets its pixels. */
enum options_draw {
	OPTIONS_DRAW_AUTO, /* cpu where GL is a software renderer and it can */
	OPTIONS_DRAW_GL,
	OPTIONS_DRAW_CPU,  /* wherever the frame allows it */
};

/* --source: how a NAME is reached. */
enum options_source {
	OPTIONS_SOURCE_AUTO,   /* its socket; else the QEMU or libvirt domain */
	OPTIONS_SOURCE_SOCKET, /* its socket only */
	OPTIONS_SOURCE_QEMU,   /* the QEMU or libvirt domain of that name */
};

struct options {
	const char *target;        /* NAME or PATH; NULL with --demo */
	/* Every NAME or PATH (target is the first); several share one output. */
	const char *targets[OPTIONS_MAX_TARGETS];
	int n_targets;
	enum layout_arrangement layout; /* --layout grid|row|column */
	bool demo;
	enum options_source source; /* --source */
	bool list;                 /* --list: print the VMs to be seen, exit */
	const char *backend;       /* "offscreen", "sdl", "wayland"; NULL: pick */
	bool fullscreen;
	const char *scale;         /* --scale fit|integer|stretch|none */
	bool filter_nearest;       /* --filter nearest */
	bool no_zero_copy;         /* --zero-copy off (zerocopy) */
	bool full_redraw;          /* --damage off: every frame drawn whole */
	bool no_resize_guest;      /* --resize-guest off */
	bool no_audio;             /* --audio off: AUDIO not offered */
	bool microphone;           /* --microphone on */
	bool clipboard, clipboard_set; /* --clipboard (default: on but in a kiosk) */
	enum options_draw draw;    /* --draw */
	const char *mouse;         /* --mouse auto|absolute|relative */
	char hotkey;               /* --hotkey letter, lower case: Ctrl+Alt+it ungrabs */
	uint16_t hotkey_key;       /* its KEY_* */
	bool no_hotkeys;
	bool no_sync_locks;        /* --no-sync-locks */
	int width, height;         /* --size; 0,0: follow the heads */
	const char *render_node;
	const char *snapshot;      /* --snapshot FILE.png */
	uint64_t exit_after_frames;/* 0: never */
	const char *input_script;
	bool stats;
	bool verbose;
	bool reconnect;            /* --reconnect: wait for the VM to come back */
	bool kiosk;                /* --kiosk: implies fullscreen, no_hotkeys, reconnect */
	uint16_t kiosk_escape_key; /* --kiosk-escape: KEY_*; 0: no way out */
	unsigned kiosk_escape_mods;/* OPTIONS_MOD_* held with it */
	bool kiosk_quit_on_disconnect; /* --kiosk-quit on-disconnect: exit 3 */
	const char *demo_args[OPTIONS_MAX_DEMO_ARGS];
	int n_demo_args;
};

enum {
	OPTIONS_MOD_CTRL = 1 << 0,
	OPTIONS_MOD_ALT = 1 << 1,
	OPTIONS_MOD_SHIFT = 1 << 2,
	OPTIONS_MOD_SUPER = 1 << 3,
};

/* "ctrl+alt+backspace" -> KEY_BACKSPACE with OPTIONS_MOD_CTRL|ALT. */
bool options_parse_keyspec(const char *spec, uint16_t *code, unsigned *mods);

enum options_result {
	OPTIONS_RUN,     /* go on with opts filled */
	OPTIONS_EXIT_OK, /* --help or --version printed; exit 0 */
	OPTIONS_USAGE,   /* a usage error was printed; exit 2 */
};

enum options_result options_parse(int argc, char *argv[], struct options *opts);

/* The backends this build has, for --backend and its error message. */
extern const char *const options_backends[];

#endif
