/* SPDX-License-Identifier: MIT */
/*
 * A window per head for the Wayland output, as the SDL backend has: view
 * 0 is the main window (wayland.c), each further head gets an
 * xdg_toplevel of its own, titled by the viewer, floating at its head's
 * size 1:1 (or fullscreen with the main window), drawn into its own EGL
 * window surface with the one context, paced by the main window's frame
 * callbacks. The views' sizes and frame callbacks, the main window's
 * included, are asked for here.
 * Closing any of them closes the viewer, as closing the main one does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <epoxy/egl.h>
#include <epoxy/gl.h>

#include "log.h"
#include "output/egl.h"
#include "output/wayland/private.h"

#include "viewporter-client-protocol.h"
#include "xdg-decoration-unstable-v1-client-protocol.h"
#include "xdg-shell-client-protocol.h"

static double
scale_of(const struct wayland_output *w)
{
	if (w->scale120)
		return w->scale120 / 120.0;
	return w->buffer_scale > 0 ? w->buffer_scale : 1;
}

static void
view_apply_size(struct wayland_view *v)
{
	struct wayland_output *w = v->w;
	double scale = w->viewporter ? scale_of(w) : w->buffer_scale;
	if (v->surface_w < 1)
		v->surface_w = 1;
	if (v->surface_h < 1)
		v->surface_h = 1;
	int pw = (int)(v->surface_w * scale + 0.5);
	int ph = (int)(v->surface_h * scale + 0.5);
	if (v->viewport)
		wp_viewport_set_destination(v->viewport, v->surface_w,
					    v->surface_h);
	else
		wl_surface_set_buffer_scale(v->surface, w->buffer_scale);
	if (pw == v->px_w && ph == v->px_h)
		return;
	v->px_w = pw;
	v->px_h = ph;
	if (v->egl_window)
		wl_egl_window_resize(v->egl_window, pw, ph, 0, 0);
	if (w->has_events)
		w->events.redraw(w->events.data);
}

static void
floating_size(struct wayland_view *v)
{
	double scale = v->w->viewporter ? scale_of(v->w) : v->w->buffer_scale;
	v->surface_w = (int)(v->head_w / scale + 0.5);
	v->surface_h = (int)(v->head_h / scale + 0.5);
}

static void
toplevel_configure(void *data, struct xdg_toplevel *t, int32_t width,
		   int32_t height, struct wl_array *states)
{
	struct wayland_view *v = data;
	(void)t;
	v->pending_w = width;
	v->pending_h = height;
	v->pending_sized = wayland_toplevel_sized(states,
						  &v->pending_fullscreen);
}

static void
toplevel_close(void *data, struct xdg_toplevel *t)
{
	struct wayland_view *v = data;
	(void)t;
	if (v->w->has_events)
		v->w->events.close(v->w->events.data);
}

static const struct xdg_toplevel_listener toplevel_listener = {
	.configure = toplevel_configure,
	.close = toplevel_close,
};

static void
xdg_surface_configure(void *data, struct xdg_surface *s, uint32_t serial)
{
	struct wayland_view *v = data;
	xdg_surface_ack_configure(s, serial);
	v->fullscreen = v->pending_fullscreen;
	v->sized = v->pending_sized && v->pending_w > 0 && v->pending_h > 0;
	if (v->pending_w > 0 && v->pending_h > 0) {
		v->surface_w = v->pending_w;
		v->surface_h = v->pending_h;
	} else {
		floating_size(v);
	}
	view_apply_size(v);
	if (!v->configured && v->w->has_events)
		v->w->events.redraw(v->w->events.data);
	v->configured = true;
}

static const struct xdg_surface_listener xdg_surface_listener = {
	.configure = xdg_surface_configure,
};

static void
destroy_view(struct wayland_view *v)
{
	if (!v)
		return;
	struct output *out = v->w->out;
	if (v->w->extension)
		v->w->extension->parent_gone(v->w, v->surface);
	wayland_input_surface_gone(v->w, v->surface);
	if (v->egl_surface != EGL_NO_SURFACE && v->egl_surface) {
		/* Not current while it goes. */
		eglMakeCurrent(out->egl_display, v->w->egl_surface,
			       v->w->egl_surface, out->egl_context);
		eglDestroySurface(out->egl_display, v->egl_surface);
	}
	if (v->egl_window)
		wl_egl_window_destroy(v->egl_window);
	if (v->frame_callback)
		wl_callback_destroy(v->frame_callback);
	if (v->decoration)
		zxdg_toplevel_decoration_v1_destroy(v->decoration);
	if (v->toplevel)
		xdg_toplevel_destroy(v->toplevel);
	if (v->xdg_surface)
		xdg_surface_destroy(v->xdg_surface);
	if (v->viewport)
		wp_viewport_destroy(v->viewport);
	if (v->surface)
		wl_surface_destroy(v->surface);
	free(v);
}

/* A new window, waited for until the compositor configured it: nothing
 * may be drawn into it before. */
static struct wayland_view *
open_view(struct wayland_output *w, const struct output_head *head)
{
	struct wayland_view *v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	v->w = w;
	v->head_id = head->id;
	v->head_w = head->width;
	v->head_h = head->height;
	v->surface = wl_compositor_create_surface(w->compositor);
	if (w->viewporter)
		v->viewport = wp_viewporter_get_viewport(w->viewporter, v->surface);
	v->xdg_surface = xdg_wm_base_get_xdg_surface(w->wm_base, v->surface);
	xdg_surface_add_listener(v->xdg_surface, &xdg_surface_listener, v);
	v->toplevel = xdg_surface_get_toplevel(v->xdg_surface);
	xdg_toplevel_add_listener(v->toplevel, &toplevel_listener, v);
	xdg_toplevel_set_title(v->toplevel, "qemu-eglview");
	xdg_toplevel_set_app_id(v->toplevel, "qemu-eglview");
	if (w->decoration_manager) {
		v->decoration = zxdg_decoration_manager_v1_get_toplevel_decoration(
			w->decoration_manager, v->toplevel);
		zxdg_toplevel_decoration_v1_set_mode(v->decoration,
			w->no_decorations ?
			ZXDG_TOPLEVEL_DECORATION_V1_MODE_CLIENT_SIDE :
			ZXDG_TOPLEVEL_DECORATION_V1_MODE_SERVER_SIDE);
	}
	if (w->fullscreen)
		xdg_toplevel_set_fullscreen(v->toplevel, NULL);
	wl_surface_commit(v->surface);
	while (!v->configured) {
		if (wl_display_dispatch(w->display) < 0) {
			log_error("the Wayland compositor went away before "
				  "showing the window of head %u", head->id);
			destroy_view(v);
			return NULL;
		}
	}
	struct output *out = w->out;
	v->egl_window = wl_egl_window_create(v->surface, v->px_w, v->px_h);
	v->egl_surface = v->egl_window ? eglCreatePlatformWindowSurfaceEXT(
		out->egl_display, w->egl_config, v->egl_window, NULL) :
		EGL_NO_SURFACE;
	if (v->egl_surface == EGL_NO_SURFACE) {
		log_error("cannot create an EGL window surface for head %u "
			  "(%dx%d): %s", head->id, v->px_w, v->px_h,
			  egl_error_name(eglGetError()));
		destroy_view(v);
		return NULL;
	}
	return v;
}

bool
wayland_views_set(struct wayland_output *w, const struct output_head *heads,
		  int n)
{
	struct wayland_view *old[PROTO_MAX_HEADS];
	int n_old = w->n_extra;
	memcpy(old, w->views, sizeof(old));
	memset(w->views, 0, sizeof(w->views));
	w->n_extra = 0;
	bool ok = true;
	for (int i = 1; i < n && i < PROTO_MAX_HEADS; i++) {
		struct wayland_view *v = NULL;
		for (int j = 0; j < n_old && !v; j++) {
			if (old[j] && old[j]->head_id == heads[i].id) {
				v = old[j];
				old[j] = NULL;
			}
		}
		if (!v && !(v = open_view(w, &heads[i]))) {
			ok = false;
			break;
		}
		if (v->head_w != heads[i].width || v->head_h != heads[i].height) {
			/* A floating window takes its head's new size. */
			v->head_w = heads[i].width;
			v->head_h = heads[i].height;
			if (!v->sized) {
				floating_size(v);
				view_apply_size(v);
			}
		}
		w->views[w->n_extra++] = v;
	}
	for (int j = 0; j < n_old; j++)
		destroy_view(old[j]);
	if (w->pointer_view > w->n_extra)
		w->pointer_view = 0;
	if (w->touch_view > w->n_extra)
		w->touch_view = 0;
	w->out->n_views = 1 + w->n_extra;
	return ok;
}

void
wayland_views_finish(struct wayland_output *w)
{
	for (int i = 0; i < w->n_extra; i++)
		destroy_view(w->views[i]);
	w->n_extra = 0;
}

int
wayland_view_of_surface(const struct wayland_output *w,
			const struct wl_surface *s)
{
	if (s == w->surface)
		return 0;
	for (int i = 0; i < w->n_extra; i++) {
		if (w->views[i]->surface == s)
			return i + 1;
	}
	return -1;
}

struct wl_surface *
wayland_view_surface(const struct wayland_output *w, int view, int *surface_w,
		     int *surface_h, int *px_w, int *px_h)
{
	if (view <= 0 || view > w->n_extra) {
		*surface_w = w->surface_w;
		*surface_h = w->surface_h;
		*px_w = w->px_w;
		*px_h = w->px_h;
		return w->surface;
	}
	const struct wayland_view *v = w->views[view - 1];
	*surface_w = v->surface_w;
	*surface_h = v->surface_h;
	*px_w = v->px_w;
	*px_h = v->px_h;
	return v->surface;
}

void
wayland_to_pixels(const struct wayland_output *w, int view, double sx,
		  double sy, double *px, double *py)
{
	int sw, sh, pw, ph;
	wayland_view_surface(w, view, &sw, &sh, &pw, &ph);
	*px = sw > 0 ? sx * pw / sw : sx;
	*py = sh > 0 ? sy * ph / sh : sy;
}

bool
wayland_view_begin(struct wayland_output *w, int view)
{
	struct output *out = w->out;
	EGLSurface surface = w->egl_surface;
	int pw = w->px_w, ph = w->px_h;
	if (view > 0 && view <= w->n_extra) {
		surface = w->views[view - 1]->egl_surface;
		pw = w->views[view - 1]->px_w;
		ph = w->views[view - 1]->px_h;
	}
	if (!eglMakeCurrent(out->egl_display, surface, surface,
			    out->egl_context))
		return false;
	out->width = pw;
	out->height = ph;
	glBindFramebuffer(GL_FRAMEBUFFER, 0);
	return true;
}

/* The main window's callback paces every window (wayland_ready); another
 * window's only ends its own wait. */
static void
main_frame_done(void *data, struct wl_callback *cb, uint32_t time)
{
	struct wayland_output *w = data;
	(void)time;
	wl_callback_destroy(cb);
	w->frame_callback = NULL;
}

static const struct wl_callback_listener main_frame_listener = {
	.done = main_frame_done,
};

static void
view_frame_done(void *data, struct wl_callback *cb, uint32_t time)
{
	struct wayland_view *v = data;
	(void)time;
	wl_callback_destroy(cb);
	v->frame_callback = NULL;
}

static const struct wl_callback_listener view_frame_listener = {
	.done = view_frame_done,
};

void
wayland_view_request_frame(struct wayland_output *w, int view)
{
	if (view <= 0 || view > w->n_extra) {
		if (w->frame_callback)
			wl_callback_destroy(w->frame_callback);
		w->frame_callback = wl_surface_frame(w->surface);
		wl_callback_add_listener(w->frame_callback,
					 &main_frame_listener, w);
		return;
	}
	struct wayland_view *v = w->views[view - 1];
	if (v->frame_callback)
		wl_callback_destroy(v->frame_callback);
	v->frame_callback = wl_surface_frame(v->surface);
	wl_callback_add_listener(v->frame_callback, &view_frame_listener, v);
}

bool
wayland_view_present(struct wayland_output *w, int view,
		     const struct damage *damage)
{
	struct wayland_view *v = w->views[view - 1];
	wayland_view_request_frame(w, view);
	if (w->extension)
		w->extension->before_swap(w, view);
	if (!egl_swap_with_damage(w->out->egl_display, v->egl_surface,
				  w->out->height, damage)) {
		log_error("eglSwapBuffers on the window of head %u failed: %s",
			  v->head_id, egl_error_name(eglGetError()));
		return false;
	}
	return true;
}

/* The main window paces the frames; another window's frame callback is
 * not waited for, since a compositor may hold those back for as long as
 * it hides that window, and all windows would stop with it. */
bool
wayland_views_ready(const struct wayland_output *w)
{
	for (int i = 0; i < w->n_extra; i++) {
		if (!w->views[i]->configured)
			return false;
	}
	return true;
}

void
wayland_view_set_title(struct wayland_output *w, int view, const char *title)
{
	if (view > 0 && view <= w->n_extra)
		xdg_toplevel_set_title(w->views[view - 1]->toplevel, title);
}

void
wayland_views_fullscreen(struct wayland_output *w, bool fullscreen)
{
	for (int i = 0; i < w->n_extra; i++) {
		if (fullscreen)
			xdg_toplevel_set_fullscreen(w->views[i]->toplevel, NULL);
		else
			xdg_toplevel_unset_fullscreen(w->views[i]->toplevel);
	}
}
