/* SPDX-License-Identifier: MIT */
/*
 * The output-backend interface: where frames go. Each backend is one file
 * that fills a struct output_impl; the rest of the viewer talks to
 * struct output only and cannot tell backends apart.
 */
#ifndef EGLVIEW_OUTPUT_H
#define EGLVIEW_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <epoxy/egl.h>

#include "damage.h"
#include "eglview-proto.h"
#include "layout.h"

struct output;
struct proto_cursor_image;
struct proto_cursor_pos;

enum output_touch_phase {
	OUTPUT_TOUCH_DOWN,
	OUTPUT_TOUCH_MOTION,
	OUTPUT_TOUCH_UP,
};

/*
 * What a window backend reports from output_dispatch(), in the viewer's
 * terms: evdev codes and output pixels (continuous, y down, the drawable's
 * pixels on HiDPI screens). A backend without a window never calls them.
 */
struct output_events {
	void *data;
	void (*key)(void *data, uint16_t code, bool pressed, bool repeat);
	/* Positions are in the pixels of view `view` (output_begin_frame). */
	void (*motion)(void *data, int view, double x, double y); /* off: -1 */
	void (*relative)(void *data, double dx, double dy);
	void (*button)(void *data, uint16_t button, bool pressed);
	void (*wheel)(void *data, double dx, double dy);  /* notches; + up/right */
	void (*touch)(void *data, int view, int64_t finger,
		      enum output_touch_phase phase, double x, double y);
	void (*focus)(void *data, bool focused);
	/* The host's clipboard changed (output_get_clipboard has it). */
	void (*clipboard)(void *data);
	/* The host's lock keys, after focus(true) and whenever they change
	 * while focused: known says which locks the window system reports,
	 * state which are on (bit LED_NUML 0, LED_CAPSL 1, LED_SCROLLL 2). */
	void (*locks)(void *data, uint32_t known, uint32_t state);
	void (*redraw)(void *data);  /* exposed or resized */
	void (*close)(void *data);   /* the user closed the (main) window */
};

/* An enabled head as the viewer shows it, in layout order. */
struct output_head {
	uint32_t id;                    /* the server's head_id */
	char name[PROTO_MAX_NAME + 1];  /* "Virtual-2" */
	int width, height;              /* its picture in pixels */
};

struct output_config {
	int width, height;       /* 0,0: follow the head (output_resize) */
	const char *render_node; /* NULL: the first DRM node GBM can use, else surfaceless */
	bool verbose;            /* unread: the backends' --verbose lines
				  * follow log_set_verbose (log.h) */
	const char *title;       /* window backends: the window's title */
	bool fullscreen;         /* window backends: start fullscreen */
	bool keep_frame;         /* window backends: keep a copy for snapshot */
	bool hide_cursor;        /* window backends: no host cursor (--kiosk) */
	bool no_decorations;     /* window backends: ask for none (--kiosk) */
	bool one_view;           /* window backends: one window for every head
				  * (several VMs composed in one output) */
	bool no_zero_copy;       /* --zero-copy off: never hand buffers over */
	enum layout_scale scale; /* --scale: where the direct path places heads */
	bool filter_nearest;     /* --filter nearest: the direct path declines
				  * (compositors scale with their own filter) */
	const struct output_events *events; /* window backends; may be NULL */
};

/* A frame the CPU draws: the view's pixels, XRGB8888, rows top-down. */
struct output_pixels {
	uint32_t *data;
	size_t stride;           /* bytes from one row to the next */
	int width, height;
};

struct output_impl {
	const char *name;
	bool (*init)(struct output *out, const struct output_config *cfg,
		     char *why, size_t why_size);
	void (*finish)(struct output *out);
	bool (*resize)(struct output *out, int width, int height);
	/* Makes the context current and binds the framebuffer to draw into. */
	bool (*begin_frame)(struct output *out);
	/* After begin_frame: how many presents ago the buffer now drawn into
	 * was last presented in this view (1: it holds the last frame; 0:
	 * unknown, draw everything). NULL: always 0. */
	int (*buffer_age)(struct output *out);
	/* Shows (or finishes) the frame; damage: what differs from the frame
	 * presented before in this view (output pixels; NULL: all of it),
	 * for backends that can send only that. *presented_ns gets
	 * CLOCK_MONOTONIC. */
	bool (*present)(struct output *out, const struct damage *damage,
			uint64_t *presented_ns);
	/* After begin_frame, instead of GL: the view's pixels for the CPU to
	 * draw into (--draw cpu) and their age, counted as buffer_age counts
	 * (a GL frame in between makes it 0); present then shows them. NULL,
	 * or false: this view has none now (draw with GL). */
	bool (*begin_cpu_frame)(struct output *out, struct output_pixels *px,
				int *age);
	/* Writes the last presented frame as PNG. */
	bool (*snapshot)(struct output *out, const char *path,
			 char *why, size_t why_size);

	/* Backends that show each head in a view of its own (a window per
	 * head) set n_views and view_per_head; NULL: one view showing every
	 * head side by side, sized to them through resize. */
	bool (*set_heads)(struct output *out, const struct output_head *heads,
			  int n);

	/* Paced backends: false while the compositor has not used the last
	 * frame yet (draw later); NULL: always ready. */
	bool (*ready)(struct output *out);

	/* Window backends only; NULL in the others. */
	/* An fd to poll for POLLIN; then call dispatch. */
	int (*get_event_fd)(struct output *out);
	/* Reads every pending window-system event and reports it through
	 * output_events; also before blocking, since a swap may have queued
	 * events the fd no longer shows. false when the window is gone. */
	bool (*dispatch)(struct output *out);
	void (*set_title)(struct output *out, int view, const char *title);
	/* Confines the pointer and sends relative motion (and takes the
	 * keyboard) while grabbed. */
	bool (*set_grab)(struct output *out, bool grab);
	void (*toggle_fullscreen)(struct output *out);
	/* The guest's cursor image (width 0: none) as the host pointer... */
	void (*set_cursor)(struct output *out,
			   const struct proto_cursor_image *img,
			   const uint32_t *pixels);
	/* ...shown while the pointer is over a head's picture. */
	void (*show_guest_cursor)(struct output *out, bool over_picture);
	/* Where the pointer is over view `view` now, in its pixels, asked
	 * of the window system; false when it is not over it. NULL: the
	 * window system says so itself (a Wayland compositor sends motion
	 * or leave when a surface changes under the pointer). */
	bool (*pointer_position)(struct output *out, int view, double *x,
				 double *y);
	/* The host's clipboard as UTF-8 text: what it holds (malloc'ed;
	 * NULL: nothing, or not text) and setting it. NULL in backends
	 * without one. */
	char *(*get_clipboard)(struct output *out);
	void (*set_clipboard)(struct output *out, const char *text);

	/* The zero-copy hand-off (direct.c); NULL in
	 * backends without a compositor to hand buffers to. */
	const struct output_direct_impl *direct;
};

/*
 * Zero-copy (qemu-eglview(1), ZERO-COPY): a backend that can give a guest buffer
 * to its compositor as it is. The protocol client offers it each UPDATE;
 * a head the backend takes is not drawn with GL (its render head is bound
 * to nothing) and its FRAME_DONE waits for the compositor's release of
 * the buffer it showed before (PROTOCOL.md "Held buffers").
 */
struct output_direct_buffer {
	uint64_t key;            /* unique for the viewer's life */
	int fd;                  /* shm: the client's dup; -1 for a dma-buf */
	const struct proto_buffer_shm *shm;       /* one of the two */
	const struct proto_buffer_dmabuf *dmabuf;
	int dmabuf_fds[PROTO_MAX_PLANES]; /* the client's dups; -1: none */
};

struct output_direct_update {
	uint32_t head_id;
	const struct output_direct_buffer *buf;
	const struct proto_scanout *scanout;     /* source rect, y0_top */
	const struct proto_rect *damage;         /* buffer coordinates */
	uint32_t n_damage;
};

/* What the output tells the client: a head's FRAME_DONE may go (the
 * buffer it showed before is released; presented_ns: when its new buffer
 * was shown), or a head left the direct path by itself (why: the reason;
 * GL must show it again, wholly). The Wayland output no longer leaves by
 * itself (a grab once made it); the hook stays for a backend that must. */
struct output_direct_listener {
	void *data;
	void (*answer)(void *data, uint32_t head_id, uint64_t presented_ns);
	void (*left)(void *data, uint32_t head_id, const char *why);
};

struct output_direct_impl {
	/* Whether buffers may be handed over at all; why not otherwise. */
	bool (*offered)(struct output *out, char *why, size_t why_size);
	/* NULL: none. */
	void (*set_listener)(struct output *out,
			     const struct output_direct_listener *l);
	/* Takes this UPDATE for the next frame, or says why it is drawn
	 * with GL (the head then leaves the direct path). */
	bool (*update)(struct output *out, const struct output_direct_update *u,
		       char *why, size_t why_size);
	/* Whether the head's FRAME_DONE may go now. */
	bool (*may_answer)(struct output *out, uint32_t head_id);
	/* The head is drawn with GL again, or gone. */
	void (*head_gone)(struct output *out, uint32_t head_id);
	void (*buffer_gone)(struct output *out, uint64_t key);
	/* Shows view `view` without a GL frame when every head in it is
	 * direct and the GL background is still right; false: draw it. */
	bool (*commit)(struct output *out, int view, uint64_t *presented_ns);
	/* Adds the backend's lines to --stats. */
	void (*print_stats)(struct output *out, FILE *f);
	/* Whether the viewer shows the guest's cursor in the picture
	 * (--kiosk, a relative mouse) rather than as the host pointer. */
	void (*show_cursors)(struct output *out, bool show);
	/* A head's guest cursor: its image (width 0: none), its position.
	 * true: shown without a GL frame (a direct head; cursor messages
	 * are not flow-controlled); false: draw a frame for it. */
	bool (*cursor_image)(struct output *out,
			     const struct proto_cursor_image *img,
			     const uint32_t *pixels);
	bool (*cursor_pos)(struct output *out,
			   const struct proto_cursor_pos *pos);
};

/* The state every backend shares; backends keep their own after it. */
struct output {
	const struct output_impl *impl;
	void *backend;           /* the implementation's private state */
	EGLDisplay egl_display;
	EGLContext egl_context;
	int width, height;       /* current framebuffer size in pixels */
	bool fixed_size;         /* --size given: never follows the head */
	const char *path;        /* human-readable: "GBM on /dev/dri/renderD128", "EGL surfaceless" */
	bool windowed;           /* a window the user sees and resizes */
	/* Views are what one frame is drawn into: 1, or with view_per_head
	 * one per head (head i in view i; view 0 even before any head). */
	int n_views;
	bool view_per_head;
	int view;                /* the one begin_frame made current */
};

/* A backend: output_offscreen_impl (below), output_sdl_impl
 * ("output/sdl/sdl.h") or output_wayland_impl ("output/wayland/wayland.h").
 * NULL with why filled on failure. */
struct output *output_create(const struct output_impl *impl,
			     const struct output_config *cfg,
			     char *why, size_t why_size);
void output_destroy(struct output *out); /* NULL is fine */
bool output_resize(struct output *out, int width, int height);
/* Follows the enabled heads: a window per head, or one view sized to
 * show them all side by side (unless --size fixed it). */
bool output_set_heads(struct output *out, const struct output_head *heads,
		      int n);
/* Which of n heads view `view` shows: heads[*first .. *first + count). */
int output_view_heads(const struct output *out, int view, int n, int *first);
/* Makes view `view` (0..n_views-1) current; width and height become its. */
bool output_begin_view(struct output *out, int view);
bool output_begin_frame(struct output *out); /* view 0 */
bool output_present(struct output *out, uint64_t *presented_ns);
/* The frame's age (struct output_impl.buffer_age) and a present of only
 * what changed since the last (NULL: all). */
int output_buffer_age(struct output *out);
/* struct output_impl.begin_cpu_frame; false when the backend has none. */
bool output_begin_cpu_frame(struct output *out, struct output_pixels *px,
			    int *age);
/* Whether the backend can give frames to the CPU at all. */
bool output_has_cpu_frames(const struct output *out);
bool output_present_damage(struct output *out, const struct damage *damage,
			   uint64_t *presented_ns);
/* Whether a frame drawn now would be shown (frame callbacks); when false
 * the backend reports redraw once it is. */
bool output_frame_ready(struct output *out);
bool output_snapshot(struct output *out, const char *path, char *why, size_t why_size);
/* Window backends; harmless no-ops (and -1) for the others. */
int output_get_event_fd(struct output *out);
bool output_dispatch(struct output *out);
void output_set_title(struct output *out, int view, const char *title);
bool output_set_grab(struct output *out, bool grab);
void output_toggle_fullscreen(struct output *out);
void output_set_cursor(struct output *out, const struct proto_cursor_image *img,
		       const uint32_t *pixels);
void output_show_guest_cursor(struct output *out, bool over_picture);
/* struct output_impl.pointer_position; false without it. */
bool output_pointer_position(struct output *out, int view, double *x,
			     double *y);
/* The host's clipboard (text): whether the backend has one, what it holds
 * (malloc'ed, NULL: nothing), set it. */
bool output_has_clipboard(const struct output *out);
/* The UTF-8 text types a clipboard's text goes by, the preferred first. */
#define OUTPUT_N_TEXT_MIMES 5
extern const char *const output_text_mimes[OUTPUT_N_TEXT_MIMES];
char *output_get_clipboard(struct output *out);
void output_set_clipboard(struct output *out, const char *text);
/* The offscreen backend: GBM on a render node, else EGL surfaceless;
 * frames go to an FBO, snapshots to PNG. */
extern const struct output_impl output_offscreen_impl;

/* The zero-copy hand-off (struct output_direct_impl); harmless when the
 * backend has none: offered says why, commit false, the rest nothing. */
bool output_direct_offered(struct output *out, char *why, size_t why_size);
bool output_direct_commit(struct output *out, int view, uint64_t *presented_ns);
void output_direct_show_cursors(struct output *out, bool show);
void output_print_stats(struct output *out, FILE *f);

/* true when the EGL display offers EGL_EXT_image_dma_buf_import. */
bool output_has_dmabuf_import(const struct output *out);

#endif
