/* SPDX-License-Identifier: MIT */
/*
 * The SDL backend's state, shared by its files: sdl.c (the windows, the
 * GL context, frames) and events.c (SDL's events in the viewer's terms,
 * the grab, the title, the host cursor).
 */
#ifndef EGLVIEW_OUTPUT_SDL_PRIVATE_H
#define EGLVIEW_OUTPUT_SDL_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include <SDL2/SDL.h>

#include "eglview-proto.h"
#include "output/output.h"
#include "output/readback.h"

/* A window and the head it shows (view i: the i-th head). */
struct sdl_view {
	SDL_Window *window;
	uint32_t head_id;          /* 0: none yet (the first window at start) */
	int head_w, head_h;        /* the size the window last followed */
	bool hidden;               /* the user closed it; its head lives on */
	bool fullscreen;
	/* Drawn in part: the surface keeps its content across swaps, and
	 * it was swapped at this size (README "Performance"). */
	bool preserve_tried, preserved, kept;
	int kept_w, kept_h;
	int drawn_w, drawn_h;      /* the size begin_frame last found */
	bool refill;               /* a new size: draw once more, whole */
	/* Frames the CPU draws go to the window surface (XShm on X11);
	 * cpu_kept: the surface holds the last frame, at this size. */
	SDL_Surface *cpu_surface;  /* the frame under way is the CPU's */
	bool cpu_kept;
	int cpu_w, cpu_h;
};

struct sdl_output {
	struct sdl_view views[PROTO_MAX_HEADS];
	SDL_Window *window;        /* views[0]'s: the main window */
	SDL_Window *focus;         /* the window with the keyboard focus */
	uint32_t locks_reported;   /* the lock state last reported (LED bits) */
	SDL_GLContext context;
	Uint32 window_flags;
	char title[256];           /* for windows opened later */
	int event_fd;
	/* X11: Xlib's count of events read but not yet handed out, looked
	 * up at run time (SDL loads Xlib); NULL elsewhere. */
	int (*x11_queued)(void *display, int mode);
	void *x11_display;
	struct output_events events;
	bool has_events;
	bool video_started;
	bool grabbed;
	SDL_Cursor *guest_cursor;  /* NULL: the guest shows no cursor */
	bool guest_cursor_known;
	bool over_picture;
	bool keep_frame;
	bool hide_cursor;          /* --kiosk: never a host cursor */
	struct readback frame;     /* the main window's last frame */
	char path[128];
};

/* events.c: the struct output_impl hooks of the window system's side. */
int sdl_get_event_fd(struct output *out);
bool sdl_dispatch(struct output *out);
void sdl_set_title(struct output *out, int view, const char *title);
bool sdl_set_grab(struct output *out, bool grab);
void sdl_toggle_fullscreen(struct output *out);
char *sdl_get_clipboard(struct output *out);
void sdl_set_clipboard(struct output *out, const char *text);
void sdl_set_cursor(struct output *out, const struct proto_cursor_image *img,
		    const uint32_t *pixels);
void sdl_show_guest_cursor(struct output *out, bool over_picture);
bool sdl_pointer_position(struct output *out, int view, double *x, double *y);

#endif
