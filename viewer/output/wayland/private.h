/* SPDX-License-Identifier: MIT */
/*
 * The wayland backend's state, shared by the files of output/wayland/:
 * wayland.c (the connection, the window, EGL, pacing), seat.c (wl_seat
 * input, the grab, the cursor) and the others. The zero-copy hand-off
 * plugs into them through struct wayland_extension_hooks (below); its own
 * files share direct.h as well.
 */
#ifndef EGLVIEW_OUTPUT_WAYLAND_PRIVATE_H
#define EGLVIEW_OUTPUT_WAYLAND_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <wayland-client.h>
#include <wayland-cursor.h>
#include <wayland-egl.h>

#include "output/output.h"
#include "output/readback.h"
#include "proto.h"

struct wl_output_state {
	struct wl_output *output;
	uint32_t name;
	int32_t scale;
	bool entered;          /* the window shows on it */
};

#define WL_MAX_OUTPUTS 8

/* The window of a head after the first (views.c); the
 * first head's is the wayland_output's own. */
struct wayland_view {
	struct wayland_output *w;
	uint32_t head_id;
	struct wl_surface *surface;
	struct xdg_surface *xdg_surface;
	struct xdg_toplevel *toplevel;
	struct zxdg_toplevel_decoration_v1 *decoration;
	struct wp_viewport *viewport;
	struct wl_egl_window *egl_window;
	EGLSurface egl_surface;
	struct wl_callback *frame_callback;
	int surface_w, surface_h;   /* surface coordinates */
	int px_w, px_h;             /* buffer pixels */
	int head_w, head_h;         /* 1:1 when floating */
	int pending_w, pending_h;
	bool pending_fullscreen, fullscreen, configured;
	bool pending_sized, sized;  /* see wayland_output.sized */
};

struct wayland_output {
	struct output *out;
	struct wl_display *display;
	struct wl_registry *registry;
	struct wl_compositor *compositor;
	struct wl_shm *shm;
	struct xdg_wm_base *wm_base;
	struct wp_viewporter *viewporter;
	struct wp_fractional_scale_manager_v1 *fractional_manager;
	struct zxdg_decoration_manager_v1 *decoration_manager;
	struct zwp_relative_pointer_manager_v1 *relative_manager;
	struct zwp_pointer_constraints_v1 *constraints;
	struct zwp_keyboard_shortcuts_inhibit_manager_v1 *shortcuts_manager;
	struct zwp_idle_inhibit_manager_v1 *idle_manager;
	struct wl_seat *seat;
	uint32_t seat_version;
	/* The clipboard (clipboard.c). */
	struct wl_data_device_manager *data_manager;
	struct wl_data_device *data_device;
	struct wayland_offer *clip_offer;   /* the selection; NULL: empty */
	struct wl_data_source *clip_source; /* ours while we own it */
	char *clip_text;                    /* what ours gives */
	uint32_t input_serial;              /* the last input event's */
	struct wl_output_state outputs[WL_MAX_OUTPUTS];

	struct wl_surface *surface;
	struct xdg_surface *xdg_surface;
	struct xdg_toplevel *toplevel;
	struct zxdg_toplevel_decoration_v1 *decoration;
	struct wp_viewport *viewport;
	struct wp_fractional_scale_v1 *fractional;
	struct zwp_idle_inhibitor_v1 *idle_inhibitor;
	struct wl_egl_window *egl_window;
	EGLSurface egl_surface;
	EGLConfig egl_config;

	/* Sizes: the window in surface coordinates, the buffer in pixels
	 * (out->width/height are the view begin_frame made current). */
	int surface_w, surface_h;
	int px_w, px_h;
	uint32_t scale120;     /* fractional-scale-v1: scale * 120 */
	int32_t buffer_scale;  /* without it: wl_surface.set_buffer_scale */
	int head_w, head_h;    /* the pixels a floating window shows 1:1 */
	int pending_w, pending_h;   /* xdg_toplevel.configure, until acked */
	bool pending_fullscreen;
	bool pending_sized;
	bool configured;       /* the first xdg_surface.configure came */
	bool fullscreen;
	/* Fullscreen, maximized or tiled with a size: the compositor's size
	 * is the window's (a kiosk compositor such as cage maximizes every
	 * window to its output), the heads are letterboxed into it. */
	bool sized;
	bool closed;
	bool no_decorations;
	struct wl_callback *frame_callback; /* pending: wait for it */
	bool keep_frame;
	struct readback frame;   /* the main window's last frame */
	char path[128];

	struct output_events events;
	bool has_events;

	/* Input (seat.c). */
	struct wl_keyboard *keyboard;
	struct wl_pointer *pointer;
	struct wl_touch *touch;
	struct zwp_relative_pointer_v1 *relative_pointer;
	struct zwp_locked_pointer_v1 *locked;
	struct wl_surface *grab_surface; /* the one locked: the pointer's */
	uint64_t locks;            /* zwp_locked_pointer_v1.locked events */
	int locked_view;           /* the view of the last; -1: none */
	struct zwp_keyboard_shortcuts_inhibitor_v1 *shortcuts_inhibitor;
	uint32_t pointer_serial;   /* the last enter: for set_cursor */
	bool pointer_inside;
	double wheel_dx, wheel_dy; /* this wl_pointer.frame's notches */
	bool wheel_discrete;       /* value120/discrete came: ignore values */
	bool grabbed;
	/* Grabbed without pointer-constraints (cage offers none): the
	 * relative-pointer's deltas, or else the differences of the
	 * pointer's positions, which stop at the output's edges. */
	bool grab_by_motion;
	bool motion_known;         /* motion_sx/sy: the last position */
	double motion_sx, motion_sy;
	bool hide_cursor;          /* --kiosk: never a host cursor */
	struct wl_surface *cursor_surface;
	struct wl_buffer *cursor_buffer;
	int cursor_hot_x, cursor_hot_y;
	bool guest_cursor_known;
	bool guest_cursor_none;    /* the guest shows no cursor */
	bool over_picture;
	struct wl_cursor_theme *cursor_theme;
	struct wl_surface *default_cursor_surface;

	/* Views 1.. (a window per head): views[i - 1]. */
	struct wayland_view *views[PROTO_MAX_HEADS];
	int n_extra;
	int pointer_view, touch_view; /* where the pointer / last touch is */

	/* The zero-copy hand-off's hooks (NULL: none), and its state, which
	 * only its own files look into: direct.c, dmabuf.c, feedback.c. */
	const struct wayland_extension_hooks *extension;
	struct wayland_direct *direct;
	struct wayland_dmabuf *dmabuf;
	struct wayland_feedback *feedback;
};

/*
 * What plugs into the backend: the zero-copy hand-off (direct.c with
 * direct-cursor.c, dmabuf.c and feedback.c). The core files call these
 * where it must act and know nothing else of it; wayland_init registers
 * it, and without it every frame is drawn with GL. Every hook is set.
 */
struct wayland_extension_hooks {
	/* From the registry, before the core's own: true when it took the
	 * global. */
	bool (*global)(struct wayland_output *w, struct wl_registry *reg,
		       uint32_t name, const char *iface, uint32_t version);
	/* w->shm was bound. */
	void (*shm_bound)(struct wayland_output *w);
	/* The heads, layout order (output_set_heads). */
	void (*set_heads)(struct wayland_output *w,
			  const struct output_head *heads, int n);
	/* A view's window goes: what the extension put on it goes first. */
	void (*parent_gone)(struct wayland_output *w,
			    struct wl_surface *parent);
	/* Before a view's swap: what it put on the view rides on its
	 * commit. */
	void (*before_swap)(struct wayland_output *w, int view);
	/* After each dispatch, before the flush and the viewer's poll. */
	void (*after_dispatch)(struct wayland_output *w);
	/* Before the main window and the globals go (the other views and
	 * the seat's devices went already). */
	void (*finish)(struct wayland_output *w);
};

/* seat.c */
void wayland_input_seat_listen(struct wayland_output *w);
/* clipboard.c: the data device once the seat and the manager are bound;
 * the output_impl's get/set_clipboard; everything let go. */
void wayland_clipboard_start(struct wayland_output *w);
char *wayland_get_clipboard(struct output *out);
void wayland_set_clipboard(struct output *out, const char *text);
void wayland_clipboard_finish(struct wayland_output *w);
void wayland_input_finish(struct wayland_output *w);
bool wayland_input_set_grab(struct wayland_output *w, bool grab);
void wayland_input_set_cursor(struct wayland_output *w,
			      const struct proto_cursor_image *img,
			      const uint32_t *pixels);
void wayland_input_show_guest_cursor(struct wayland_output *w,
				     bool over_picture);
void wayland_input_print_stats(struct wayland_output *w, FILE *f);
/* A window's surface goes: a grab on it moves to the main window. */
void wayland_input_surface_gone(struct wayland_output *w,
				struct wl_surface *surface);
/* A cursor image in a wl_shm buffer of its own (a memfd: the protocol's
 * pixels may go once the message is handled); premultiplied ARGB8888, what
 * both the protocol and wl_shm's ARGB8888 mean. NULL on failure. */
struct wl_buffer *wayland_cursor_buffer(struct wayland_output *w, int width,
					int height, const uint32_t *pixels);

/* wayland.c: an xdg_toplevel.configure's states: whether they say
 * fullscreen, and (the result) whether the compositor fixes the size. */
bool wayland_toplevel_sized(struct wl_array *states, bool *fullscreen);

/* globals.c */
extern const struct wl_registry_listener wayland_registry_listener;
extern const struct wl_surface_listener wayland_surface_listener;
extern const struct wp_fractional_scale_v1_listener wayland_fractional_listener;
/* The window's size from the compositor, and what follows from it. */
void wayland_apply_size(struct wayland_output *w);
/* The surface size that gives width x height buffer pixels. */
void wayland_size_for_pixels(struct wayland_output *w, int width, int height);
void wayland_destroy_globals(struct wayland_output *w);

/* views.c: a window per head after the first. */
bool wayland_views_set(struct wayland_output *w,
		       const struct output_head *heads, int n);
void wayland_views_finish(struct wayland_output *w);
/* The view (0: the main window) a surface belongs to; -1: none. */
int wayland_view_of_surface(const struct wayland_output *w,
			    const struct wl_surface *s);
/* A view's surface and sizes: surface coordinates and buffer pixels. */
struct wl_surface *wayland_view_surface(const struct wayland_output *w,
					int view, int *surface_w, int *surface_h,
					int *px_w, int *px_h);
/* A view's surface coordinates -> its buffer pixels (what output_events
 * speak). */
void wayland_to_pixels(const struct wayland_output *w, int view, double sx,
		       double sy, double *px, double *py);
bool wayland_view_begin(struct wayland_output *w, int view);
bool wayland_view_present(struct wayland_output *w, int view,
			  const struct damage *damage);
/* A frame callback on the view's next commit (view 0: the one that
 * paces them all). */
void wayland_view_request_frame(struct wayland_output *w, int view);
bool wayland_views_ready(const struct wayland_output *w);
void wayland_view_set_title(struct wayland_output *w, int view,
			    const char *title);
void wayland_views_fullscreen(struct wayland_output *w, bool fullscreen);

/* direct.c: the zero-copy hand-off. The core knows these two names of it
 * alone, in wayland.c: the registration of its hooks and state (false:
 * out of memory), and what the viewer reaches as output_impl.direct. */
bool wayland_direct_register(struct wayland_output *w,
			     const struct output_config *cfg);
extern const struct output_direct_impl wayland_direct_impl;

/* dmabuf.c: zwp_linux_dmabuf_v1 for the hand-off. */
bool wayland_dmabuf_global(struct wayland_output *w, struct wl_registry *reg,
			   uint32_t name, const char *iface, uint32_t version);
bool wayland_dmabuf_offered(const struct wayland_output *w);
/* A wl_buffer of the guest dma-buf's planes, or NULL with why. */
struct wl_buffer *wayland_dmabuf_buffer(struct wayland_output *w,
					const struct output_direct_buffer *ob,
					char *why, size_t why_size);
void wayland_dmabuf_finish(struct wayland_output *w);

/* feedback.c: wp_presentation, for the hand-off's FRAME_DONE times and
 * --stats. */
bool wayland_feedback_global(struct wayland_output *w, struct wl_registry *reg,
			     uint32_t name, const char *iface);
/* Before a commit of a view's surface: returns the commit's serial (0
 * without wp_presentation). */
uint64_t wayland_feedback_request(struct wayland_output *w,
				  struct wl_surface *surface);
/* When the commit `serial` (or a later one) was presented; 0: not yet. */
uint64_t wayland_feedback_presented_ns(struct wayland_output *w,
				       uint64_t serial);
void wayland_feedback_print_stats(struct wayland_output *w, FILE *f);
void wayland_feedback_finish(struct wayland_output *w);

#endif
