/* SPDX-License-Identifier: MIT */
/*
 * The native Wayland output: an xdg-shell toplevel per head (the first
 * head's here, the others' in views.c), drawn with GLES through EGL's
 * Wayland platform (a wl_egl_window). Frames are paced by frame callbacks:
 * output_frame_ready() says no while the compositor has not yet used the
 * last one, so the viewer draws at most once per compositor frame and,
 * since it draws only on news, never for nothing. HiDPI goes through
 * wp_fractional_scale_v1 + wp_viewport where offered, the integer
 * wl_surface buffer scale otherwise; either way the viewer sees buffer
 * pixels. Input lives in seat.c, the windows of further heads in
 * views.c; the zero-copy hand-off (direct.c) plugs in here through the
 * hooks of private.h.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <epoxy/egl.h>
#include <epoxy/gl.h>

#include "log.h"
#include "output/egl.h"
#include "output/wayland/private.h"
#include "output/wayland/wayland.h"

#include "fractional-scale-v1-client-protocol.h"
#include "idle-inhibit-unstable-v1-client-protocol.h"
#include "keyboard-shortcuts-inhibit-unstable-v1-client-protocol.h"
#include "pointer-constraints-unstable-v1-client-protocol.h"
#include "relative-pointer-unstable-v1-client-protocol.h"
#include "viewporter-client-protocol.h"
#include "xdg-decoration-unstable-v1-client-protocol.h"
#include "xdg-shell-client-protocol.h"

/* --- the toplevel ------------------------------------------------------- */

/* xdg-shell: a maximized or fullscreen window must take the configured
 * size, a tiled one should; only a floating one may pick its own. */
bool
wayland_toplevel_sized(struct wl_array *states, bool *fullscreen)
{
	bool sized = false;
	*fullscreen = false;
	uint32_t *state;
	wl_array_for_each(state, states) {
		switch (*state) {
		case XDG_TOPLEVEL_STATE_FULLSCREEN:
			*fullscreen = true;
			sized = true;
			break;
		case XDG_TOPLEVEL_STATE_MAXIMIZED:
		case XDG_TOPLEVEL_STATE_TILED_LEFT:
		case XDG_TOPLEVEL_STATE_TILED_RIGHT:
		case XDG_TOPLEVEL_STATE_TILED_TOP:
		case XDG_TOPLEVEL_STATE_TILED_BOTTOM:
			sized = true;
			break;
		}
	}
	return sized;
}

static void
toplevel_configure(void *data, struct xdg_toplevel *t, int32_t width,
		   int32_t height, struct wl_array *states)
{
	struct wayland_output *w = data;
	(void)t;
	w->pending_w = width;
	w->pending_h = height;
	w->pending_sized = wayland_toplevel_sized(states,
						  &w->pending_fullscreen);
}

static void
toplevel_close(void *data, struct xdg_toplevel *t)
{
	struct wayland_output *w = data;
	(void)t;
	w->closed = true;
	if (w->has_events)
		w->events.close(w->events.data);
}

static const struct xdg_toplevel_listener toplevel_listener = {
	.configure = toplevel_configure,
	.close = toplevel_close,
};

/* The compositor's size wins (fullscreen, maximized, tiled, a resizing
 * user); 0x0 leaves the size to us: the heads 1:1. Fullscreen, maximized
 * and tiled keep it (w->sized) when the heads change size. */
static void
xdg_surface_configure(void *data, struct xdg_surface *s, uint32_t serial)
{
	struct wayland_output *w = data;
	xdg_surface_ack_configure(s, serial);
	w->fullscreen = w->pending_fullscreen;
	w->sized = w->pending_sized && w->pending_w > 0 && w->pending_h > 0;
	if (w->pending_w > 0 && w->pending_h > 0) {
		w->surface_w = w->pending_w;
		w->surface_h = w->pending_h;
	} else if (w->head_w > 0) {
		wayland_size_for_pixels(w, w->head_w, w->head_h);
	}
	wayland_apply_size(w);
	if (!w->configured && w->has_events)
		w->events.redraw(w->events.data);
	w->configured = true;
}

static const struct xdg_surface_listener xdg_surface_listener = {
	.configure = xdg_surface_configure,
};

/* --- set-up ------------------------------------------------------------- */

bool
output_wayland_available(char *why, size_t why_size)
{
	const char *name = getenv("WAYLAND_DISPLAY");
	if (!name || !*name) {
		snprintf(why, why_size, "WAYLAND_DISPLAY is not set");
		return false;
	}
	struct wl_display *d = wl_display_connect(NULL);
	if (!d) {
		snprintf(why, why_size, "cannot connect to the Wayland display "
			 "\"%s\"", name);
		return false;
	}
	wl_display_disconnect(d);
	return true;
}

static bool
start_egl(struct wayland_output *w, char *why, size_t why_size)
{
	struct output *out = w->out;
	out->egl_display = eglGetPlatformDisplayEXT(EGL_PLATFORM_WAYLAND_KHR,
						    w->display, NULL);
	if (out->egl_display == EGL_NO_DISPLAY) {
		snprintf(why, why_size, "EGL has no display on the Wayland "
			 "platform: %s", egl_error_name(eglGetError()));
		return false;
	}
	if (!egl_init_surfaceless_context(out->egl_display, &out->egl_context,
					  why, why_size))
		return false;
	/* Opaque: the window must not show what is behind it. */
	const EGLint attribs[] = {
		EGL_SURFACE_TYPE, EGL_WINDOW_BIT,
		EGL_RENDERABLE_TYPE, EGL_OPENGL_ES2_BIT,
		EGL_RED_SIZE, 8, EGL_GREEN_SIZE, 8, EGL_BLUE_SIZE, 8,
		EGL_ALPHA_SIZE, 0,
		EGL_NONE,
	};
	/* EGL sorts deeper configs first: look for XRGB8888 exactly (every
	 * compositor takes it; 10-bit ones not, and with alpha the
	 * compositor would blend a picture whose alpha means nothing). */
	EGLConfig configs[64];
	EGLint n = 0;
	if (!eglChooseConfig(out->egl_display, attribs, configs, 64, &n) ||
	    n < 1) {
		snprintf(why, why_size, "no 8-bit RGB window config on the EGL "
			 "Wayland display: %s", egl_error_name(eglGetError()));
		return false;
	}
	w->egl_config = configs[0];
	for (EGLint i = 0; i < n; i++) {
		EGLint alpha = -1, red = -1;
		eglGetConfigAttrib(out->egl_display, configs[i], EGL_ALPHA_SIZE,
				   &alpha);
		eglGetConfigAttrib(out->egl_display, configs[i], EGL_RED_SIZE,
				   &red);
		if (alpha == 0 && red == 8) {
			w->egl_config = configs[i];
			break;
		}
	}
	w->egl_window = wl_egl_window_create(w->surface, out->width,
					     out->height);
	if (!w->egl_window) {
		snprintf(why, why_size, "wl_egl_window_create(%dx%d) failed",
			 out->width, out->height);
		return false;
	}
	w->egl_surface = eglCreatePlatformWindowSurfaceEXT(out->egl_display,
		w->egl_config, w->egl_window, NULL);
	if (w->egl_surface == EGL_NO_SURFACE) {
		snprintf(why, why_size, "cannot create an EGL window surface: %s",
			 egl_error_name(eglGetError()));
		return false;
	}
	if (!eglMakeCurrent(out->egl_display, w->egl_surface, w->egl_surface,
			    out->egl_context)) {
		snprintf(why, why_size, "eglMakeCurrent on the window failed: %s",
			 egl_error_name(eglGetError()));
		return false;
	}
	/* Frame callbacks pace us; a blocking swap would stall the loop. */
	eglSwapInterval(out->egl_display, 0);
	return true;
}

static void
create_window(struct wayland_output *w, const struct output_config *cfg)
{
	w->surface = wl_compositor_create_surface(w->compositor);
	wl_surface_add_listener(w->surface, &wayland_surface_listener, w);
	if (w->viewporter && w->fractional_manager) {
		w->viewport = wp_viewporter_get_viewport(w->viewporter, w->surface);
		w->fractional = wp_fractional_scale_manager_v1_get_fractional_scale(
			w->fractional_manager, w->surface);
		wp_fractional_scale_v1_add_listener(w->fractional,
						    &wayland_fractional_listener, w);
	}
	w->xdg_surface = xdg_wm_base_get_xdg_surface(w->wm_base, w->surface);
	xdg_surface_add_listener(w->xdg_surface, &xdg_surface_listener, w);
	w->toplevel = xdg_surface_get_toplevel(w->xdg_surface);
	xdg_toplevel_add_listener(w->toplevel, &toplevel_listener, w);
	xdg_toplevel_set_title(w->toplevel, cfg->title ? cfg->title :
			       "qemu-eglview");
	xdg_toplevel_set_app_id(w->toplevel, "qemu-eglview");
	if (w->decoration_manager) {
		w->decoration = zxdg_decoration_manager_v1_get_toplevel_decoration(
			w->decoration_manager, w->toplevel);
		zxdg_toplevel_decoration_v1_set_mode(w->decoration,
			w->no_decorations ?
			ZXDG_TOPLEVEL_DECORATION_V1_MODE_CLIENT_SIDE :
			ZXDG_TOPLEVEL_DECORATION_V1_MODE_SERVER_SIDE);
	}
	if (cfg->fullscreen)
		xdg_toplevel_set_fullscreen(w->toplevel, NULL);
	/* The screen stays awake while a VM is shown. */
	if (w->idle_manager)
		w->idle_inhibitor = zwp_idle_inhibit_manager_v1_create_inhibitor(
			w->idle_manager, w->surface);
	wl_surface_commit(w->surface);
}

static void wayland_finish(struct output *out);

static bool
wayland_open(struct output *out, const struct output_config *cfg, char *why,
	     size_t why_size)
{
	struct wayland_output *w = out->backend;
	w->display = wl_display_connect(NULL);
	if (!w->display) {
		snprintf(why, why_size, "cannot connect to the Wayland display "
			 "(WAYLAND_DISPLAY=%s); use --backend sdl or offscreen",
			 getenv("WAYLAND_DISPLAY") ? getenv("WAYLAND_DISPLAY") : "");
		return false;
	}
	w->registry = wl_display_get_registry(w->display);
	wl_registry_add_listener(w->registry, &wayland_registry_listener, w);
	if (wl_display_roundtrip(w->display) < 0 ||
	    wl_display_roundtrip(w->display) < 0) {
		snprintf(why, why_size, "the Wayland compositor went away "
			 "during the start");
		return false;
	}
	if (!w->compositor || !w->wm_base) {
		snprintf(why, why_size, "the Wayland compositor offers no %s; "
			 "use --backend sdl", !w->compositor ? "wl_compositor" :
			 "xdg_wm_base (xdg-shell)");
		return false;
	}
	w->buffer_scale = 1;
	w->head_w = cfg->width;
	w->head_h = cfg->height;
	wayland_size_for_pixels(w, cfg->width, cfg->height);
	out->width = w->px_w = cfg->width;
	out->height = w->px_h = cfg->height;
	create_window(w, cfg);
	while (!w->configured && !w->closed) {
		if (wl_display_dispatch(w->display) < 0) {
			snprintf(why, why_size, "the Wayland compositor went away "
				 "before showing the window");
			return false;
		}
	}
	if (!start_egl(w, why, why_size))
		return false;
	snprintf(w->path, sizeof(w->path), "Wayland xdg-shell window, EGL%s%s",
		 w->viewport ? ", fractional scale" : "",
		 w->idle_inhibitor ? ", idle inhibited" : "");
	out->path = w->path;
	out->windowed = true;
	out->view_per_head = true;
	out->n_views = 1;
	return true;
}

static bool
wayland_init(struct output *out, const struct output_config *cfg, char *why,
	     size_t why_size)
{
	struct wayland_output *w = calloc(1, sizeof(*w));
	/* The one place the zero-copy hand-off plugs in (and the impl's
	 * .direct below); without it every frame is drawn with GL. */
	if (w && !wayland_direct_register(w, cfg)) {
		free(w);
		w = NULL;
	}
	if (!w) {
		snprintf(why, why_size, "out of memory");
		return false;
	}
	out->backend = w;
	w->out = out;
	w->keep_frame = cfg->keep_frame;
	w->hide_cursor = cfg->hide_cursor;
	w->locked_view = -1;
	w->no_decorations = cfg->no_decorations;
	if (cfg->events) {
		w->events = *cfg->events;
		w->has_events = true;
	}
	if (wayland_open(out, cfg, why, why_size))
		return true;
	wayland_finish(out);
	return false;
}


static void
wayland_finish(struct output *out)
{
	struct wayland_output *w = out->backend;
	if (!w)
		return;
	wayland_views_finish(w);
	if (out->egl_display != EGL_NO_DISPLAY) {
		eglMakeCurrent(out->egl_display, EGL_NO_SURFACE, EGL_NO_SURFACE,
			       EGL_NO_CONTEXT);
		if (w->egl_surface != EGL_NO_SURFACE && w->egl_surface)
			eglDestroySurface(out->egl_display, w->egl_surface);
		egl_finish(out->egl_display, out->egl_context);
	}
	if (w->egl_window)
		wl_egl_window_destroy(w->egl_window);
	wayland_input_finish(w);
	if (w->extension)
		w->extension->finish(w);
	if (w->frame_callback)
		wl_callback_destroy(w->frame_callback);
	if (w->idle_inhibitor)
		zwp_idle_inhibitor_v1_destroy(w->idle_inhibitor);
	if (w->decoration)
		zxdg_toplevel_decoration_v1_destroy(w->decoration);
	if (w->toplevel)
		xdg_toplevel_destroy(w->toplevel);
	if (w->xdg_surface)
		xdg_surface_destroy(w->xdg_surface);
	if (w->fractional)
		wp_fractional_scale_v1_destroy(w->fractional);
	if (w->viewport)
		wp_viewport_destroy(w->viewport);
	if (w->surface)
		wl_surface_destroy(w->surface);
	wayland_destroy_globals(w);
	if (w->display)
		wl_display_disconnect(w->display);
	readback_finish(&w->frame);
	free(w);
	out->backend = NULL;
}

/* --- drawing and pacing ------------------------------------------------- */

static bool
wayland_resize(struct output *out, int width, int height)
{
	struct wayland_output *w = out->backend;
	w->head_w = width;
	w->head_h = height;
	/* Fullscreen, maximized or tiled keeps the compositor's size: the
	 * renderer letterboxes the heads into it. */
	if (w->sized)
		return true;
	wayland_size_for_pixels(w, width, height);
	wayland_apply_size(w);
	return true;
}

/* A window per head: the main one takes the first head's size (unless
 * --size fixed it), the others come and go with their heads. */
static bool
wayland_set_heads(struct output *out, const struct output_head *heads, int n)
{
	struct wayland_output *w = out->backend;
	bool ok = wayland_views_set(w, heads, n);
	if (w->extension)
		w->extension->set_heads(w, heads, n);
	if (n > 0 && heads[0].width > 0 && heads[0].height > 0 &&
	    !out->fixed_size)
		ok &= wayland_resize(out, heads[0].width, heads[0].height);
	return ok;
}

static bool
wayland_ready(struct output *out)
{
	struct wayland_output *w = out->backend;
	return w->configured && !w->frame_callback && wayland_views_ready(w);
}

static bool
wayland_begin_frame(struct output *out)
{
	return wayland_view_begin(out->backend, out->view);
}

/* Without EGL_EXT_buffer_age (llvmpipe has none) a Wayland window's
 * back buffer is another of the swap chain's: unknown, draw it all. */
static int
wayland_buffer_age(struct output *out)
{
	return egl_surface_age(out->egl_display, eglGetCurrentSurface(EGL_DRAW),
			       false, false);
}

static bool
wayland_present(struct output *out, const struct damage *damage,
		uint64_t *presented_ns)
{
	struct wayland_output *w = out->backend;
	if (out->view > 0) {
		if (!wayland_view_present(w, out->view, damage))
			return false;
		*presented_ns = proto_now_ns();
		return true;
	}
	if (w->keep_frame)
		readback_update(&w->frame, out->width, out->height, damage);
	/* Asked before the swap: they ride on the swap's commit. */
	wayland_view_request_frame(w, 0);
	if (w->extension)
		w->extension->before_swap(w, 0);
	if (!egl_swap_with_damage(out->egl_display, w->egl_surface, out->height,
				  damage)) {
		log_error("eglSwapBuffers on the Wayland window failed: %s",
			  egl_error_name(eglGetError()));
		return false;
	}
	*presented_ns = proto_now_ns();
	return true;
}

static bool
wayland_snapshot(struct output *out, const char *path, char *why,
		 size_t why_size)
{
	struct wayland_output *w = out->backend;
	if (!w->frame.pixels) {
		snprintf(why, why_size, "no snapshot for %s: no frame was shown",
			 path);
		return false;
	}
	return readback_write_png(&w->frame, path, why, why_size);
}

static int
wayland_get_event_fd(struct output *out)
{
	struct wayland_output *w = out->backend;
	return wl_display_get_fd(w->display);
}

/* Reads what the fd has without blocking, runs every handler, and sends
 * what the handlers (and the viewer) asked for. */
static bool
wayland_dispatch(struct output *out)
{
	struct wayland_output *w = out->backend;
	struct wl_display *d = w->display;
	while (wl_display_prepare_read(d) != 0) {
		if (wl_display_dispatch_pending(d) < 0)
			break;
	}
	struct pollfd pfd = { .fd = wl_display_get_fd(d), .events = POLLIN };
	if (poll(&pfd, 1, 0) > 0)
		wl_display_read_events(d);
	else
		wl_display_cancel_read(d);
	wl_display_dispatch_pending(d);
	if (w->extension)
		w->extension->after_dispatch(w);
	wl_display_flush(d);
	int err = wl_display_get_error(d);
	if (err) {
		log_error("the Wayland connection failed (error %d: %s); the "
			  "compositor went away or refused a request", err,
			  strerror(err));
		return false;
	}
	return true;
}

static void
wayland_set_title(struct output *out, int view, const char *title)
{
	struct wayland_output *w = out->backend;
	if (view > 0)
		wayland_view_set_title(w, view, title);
	else
		xdg_toplevel_set_title(w->toplevel, title);
}

static bool
wayland_set_grab(struct output *out, bool grab)
{
	return wayland_input_set_grab(out->backend, grab);
}

static void
wayland_toggle_fullscreen(struct output *out)
{
	struct wayland_output *w = out->backend;
	if (w->fullscreen) {
		/* Back to the heads 1:1 once the compositor says 0x0. */
		xdg_toplevel_unset_fullscreen(w->toplevel);
	} else {
		xdg_toplevel_set_fullscreen(w->toplevel, NULL);
	}
	wayland_views_fullscreen(w, !w->fullscreen);
}

static void
wayland_set_cursor(struct output *out, const struct proto_cursor_image *img,
		   const uint32_t *pixels)
{
	wayland_input_set_cursor(out->backend, img, pixels);
}

static void
wayland_show_guest_cursor(struct output *out, bool over_picture)
{
	wayland_input_show_guest_cursor(out->backend, over_picture);
}

const struct output_impl output_wayland_impl = {
	.name = "wayland",
	.init = wayland_init,
	.finish = wayland_finish,
	.resize = wayland_resize,
	.set_heads = wayland_set_heads,
	.begin_frame = wayland_begin_frame,
	.buffer_age = wayland_buffer_age,
	.present = wayland_present,
	.snapshot = wayland_snapshot,
	.ready = wayland_ready,
	.get_event_fd = wayland_get_event_fd,
	.dispatch = wayland_dispatch,
	.set_title = wayland_set_title,
	.set_grab = wayland_set_grab,
	.toggle_fullscreen = wayland_toggle_fullscreen,
	.set_cursor = wayland_set_cursor,
	.show_guest_cursor = wayland_show_guest_cursor,
	.get_clipboard = wayland_get_clipboard,
	.set_clipboard = wayland_set_clipboard,
	/* The zero-copy hand-off's face to the viewer (direct.c). */
	.direct = &wayland_direct_impl,
};
