/* SPDX-License-Identifier: MIT */
/*
 * The Wayland output's globals (the registry, the wl_outputs, the
 * fractional scale) and the scale the window is drawn at: what turns
 * surface coordinates into the buffer pixels the viewer sees.
 */
#include <string.h>

#include "output/wayland/private.h"

#include "fractional-scale-v1-client-protocol.h"
#include "idle-inhibit-unstable-v1-client-protocol.h"
#include "keyboard-shortcuts-inhibit-unstable-v1-client-protocol.h"
#include "pointer-constraints-unstable-v1-client-protocol.h"
#include "relative-pointer-unstable-v1-client-protocol.h"
#include "viewporter-client-protocol.h"
#include "xdg-decoration-unstable-v1-client-protocol.h"
#include "xdg-shell-client-protocol.h"

static uint32_t
min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* --- the scale the window is drawn at ----------------------------------- */

static double
scale_of(const struct wayland_output *w)
{
	if (w->scale120)
		return w->scale120 / 120.0;
	return w->buffer_scale > 0 ? w->buffer_scale : 1;
}

/* The buffer follows the surface size and the scale; the viewer hears of
 * a change through redraw and finds the new size at begin_frame. */
void
wayland_apply_size(struct wayland_output *w)
{
	struct output *out = w->out;
	if (w->surface_w <= 0 || w->surface_h <= 0)
		return;
	double scale = scale_of(w);
	int bw = (int)(w->surface_w * scale + 0.5);
	int bh = (int)(w->surface_h * scale + 0.5);
	if (w->viewport) {
		wp_viewport_set_destination(w->viewport, w->surface_w,
					    w->surface_h);
	} else {
		wl_surface_set_buffer_scale(w->surface, w->buffer_scale);
	}
	if (bw == w->px_w && bh == w->px_h)
		return;
	w->px_w = bw;
	w->px_h = bh;
	if (out->view == 0) {
		out->width = bw;
		out->height = bh;
	}
	if (w->egl_window)
		wl_egl_window_resize(w->egl_window, bw, bh, 0, 0);
	if (w->has_events)
		w->events.redraw(w->events.data);
}

/* A floating window shows its heads 1:1: the surface is the head's
 * pixels divided by the scale. */
void
wayland_size_for_pixels(struct wayland_output *w, int width, int height)
{
	double scale = scale_of(w);
	w->surface_w = (int)(width / scale + 0.5);
	w->surface_h = (int)(height / scale + 0.5);
	if (w->surface_w < 1)
		w->surface_w = 1;
	if (w->surface_h < 1)
		w->surface_h = 1;
}

static void
update_integer_scale(struct wayland_output *w)
{
	if (w->scale120)
		return;
	int32_t scale = 1;
	for (int i = 0; i < WL_MAX_OUTPUTS; i++) {
		if (w->outputs[i].output && w->outputs[i].entered &&
		    w->outputs[i].scale > scale)
			scale = w->outputs[i].scale;
	}
	if (scale == w->buffer_scale)
		return;
	/* The picture keeps its pixels: the window shrinks in points. */
	int pw = w->px_w, ph = w->px_h;
	w->buffer_scale = scale;
	if (!w->sized)
		wayland_size_for_pixels(w, pw, ph);
	wayland_apply_size(w);
}

/* --- wl_output, for the integer scale ----------------------------------- */

static void
output_geometry(void *data, struct wl_output *o, int32_t x, int32_t y,
		int32_t pw, int32_t ph, int32_t subpixel, const char *make,
		const char *model, int32_t transform)
{
	(void)data; (void)o; (void)x; (void)y; (void)pw; (void)ph;
	(void)subpixel; (void)make; (void)model; (void)transform;
}

static void
output_mode(void *data, struct wl_output *o, uint32_t flags, int32_t width,
	    int32_t height, int32_t refresh)
{
	(void)data; (void)o; (void)flags; (void)width; (void)height;
	(void)refresh;
}

static void
output_done(void *data, struct wl_output *o)
{
	(void)data; (void)o;
}

static void
output_scale(void *data, struct wl_output *o, int32_t factor)
{
	struct wl_output_state *st = data;
	(void)o;
	st->scale = factor > 0 ? factor : 1;
}

static const struct wl_output_listener output_listener = {
	.geometry = output_geometry,
	.mode = output_mode,
	.done = output_done,
	.scale = output_scale,
};

static struct wl_output_state *
output_state_of(struct wayland_output *w, struct wl_output *o)
{
	for (int i = 0; i < WL_MAX_OUTPUTS; i++) {
		if (w->outputs[i].output == o)
			return &w->outputs[i];
	}
	return NULL;
}

static void
surface_enter(void *data, struct wl_surface *s, struct wl_output *o)
{
	struct wayland_output *w = data;
	(void)s;
	struct wl_output_state *st = output_state_of(w, o);
	if (st) {
		st->entered = true;
		update_integer_scale(w);
	}
}

static void
surface_leave(void *data, struct wl_surface *s, struct wl_output *o)
{
	struct wayland_output *w = data;
	(void)s;
	struct wl_output_state *st = output_state_of(w, o);
	if (st) {
		st->entered = false;
		update_integer_scale(w);
	}
}

const struct wl_surface_listener wayland_surface_listener = {
	.enter = surface_enter,
	.leave = surface_leave,
};

static void
fractional_preferred(void *data, struct wp_fractional_scale_v1 *f,
		     uint32_t scale120)
{
	struct wayland_output *w = data;
	(void)f;
	if (scale120 == 0 || scale120 == w->scale120)
		return;
	int pw = w->px_w, ph = w->px_h;
	w->scale120 = scale120;
	if (!w->sized)
		wayland_size_for_pixels(w, pw, ph);
	wayland_apply_size(w);
}

const struct wp_fractional_scale_v1_listener wayland_fractional_listener = {
	.preferred_scale = fractional_preferred,
};

/* --- the registry ------------------------------------------------------- */

static void
wm_base_ping(void *data, struct xdg_wm_base *base, uint32_t serial)
{
	(void)data;
	xdg_wm_base_pong(base, serial);
}

static const struct xdg_wm_base_listener wm_base_listener = {
	.ping = wm_base_ping,
};

static void
registry_global(void *data, struct wl_registry *reg, uint32_t name,
		const char *iface, uint32_t version)
{
	struct wayland_output *w = data;
	if (w->extension && w->extension->global(w, reg, name, iface, version))
		return;
	if (strcmp(iface, wl_compositor_interface.name) == 0) {
		w->compositor = wl_registry_bind(reg, name,
			&wl_compositor_interface, min_u32(version, 4));
	} else if (strcmp(iface, wl_shm_interface.name) == 0) {
		w->shm = wl_registry_bind(reg, name, &wl_shm_interface, 1);
		if (w->extension)
			w->extension->shm_bound(w);
	} else if (strcmp(iface, xdg_wm_base_interface.name) == 0) {
		/* 2: the tiled states, which fix the size as maximized does. */
		w->wm_base = wl_registry_bind(reg, name, &xdg_wm_base_interface,
					      min_u32(version, 2));
		xdg_wm_base_add_listener(w->wm_base, &wm_base_listener, w);
	} else if (strcmp(iface, wp_viewporter_interface.name) == 0) {
		w->viewporter = wl_registry_bind(reg, name,
			&wp_viewporter_interface, 1);
	} else if (strcmp(iface, wp_fractional_scale_manager_v1_interface.name) == 0) {
		w->fractional_manager = wl_registry_bind(reg, name,
			&wp_fractional_scale_manager_v1_interface, 1);
	} else if (strcmp(iface, zxdg_decoration_manager_v1_interface.name) == 0) {
		w->decoration_manager = wl_registry_bind(reg, name,
			&zxdg_decoration_manager_v1_interface, 1);
	} else if (strcmp(iface, zwp_relative_pointer_manager_v1_interface.name) == 0) {
		w->relative_manager = wl_registry_bind(reg, name,
			&zwp_relative_pointer_manager_v1_interface, 1);
	} else if (strcmp(iface, zwp_pointer_constraints_v1_interface.name) == 0) {
		w->constraints = wl_registry_bind(reg, name,
			&zwp_pointer_constraints_v1_interface, 1);
	} else if (strcmp(iface, zwp_keyboard_shortcuts_inhibit_manager_v1_interface.name) == 0) {
		w->shortcuts_manager = wl_registry_bind(reg, name,
			&zwp_keyboard_shortcuts_inhibit_manager_v1_interface, 1);
	} else if (strcmp(iface, zwp_idle_inhibit_manager_v1_interface.name) == 0) {
		w->idle_manager = wl_registry_bind(reg, name,
			&zwp_idle_inhibit_manager_v1_interface, 1);
	} else if (strcmp(iface, wl_seat_interface.name) == 0 && !w->seat) {
		/* 8: axis_value120; older seats send axis_discrete (5). */
		w->seat_version = min_u32(version, 8);
		w->seat = wl_registry_bind(reg, name, &wl_seat_interface,
					   w->seat_version);
		wayland_input_seat_listen(w);
		wayland_clipboard_start(w);
	} else if (strcmp(iface, wl_data_device_manager_interface.name) == 0 &&
		   !w->data_manager) {
		w->data_manager = wl_registry_bind(reg, name,
			&wl_data_device_manager_interface, min_u32(version, 3));
		wayland_clipboard_start(w);
	} else if (strcmp(iface, wl_output_interface.name) == 0) {
		for (int i = 0; i < WL_MAX_OUTPUTS; i++) {
			struct wl_output_state *st = &w->outputs[i];
			if (st->output)
				continue;
			st->output = wl_registry_bind(reg, name,
				&wl_output_interface, min_u32(version, 3));
			st->name = name;
			st->scale = 1;
			wl_output_add_listener(st->output, &output_listener, st);
			break;
		}
	}
}

static void
registry_global_remove(void *data, struct wl_registry *reg, uint32_t name)
{
	struct wayland_output *w = data;
	(void)reg;
	for (int i = 0; i < WL_MAX_OUTPUTS; i++) {
		struct wl_output_state *st = &w->outputs[i];
		if (st->output && st->name == name) {
			wl_output_destroy(st->output);
			*st = (struct wl_output_state){0};
			update_integer_scale(w);
		}
	}
}

const struct wl_registry_listener wayland_registry_listener = {
	.global = registry_global,
	.global_remove = registry_global_remove,
};

/* wl_display_disconnect frees no proxy of ours: every bound global goes
 * here (the seat's devices went with wayland_input_finish). */
void
wayland_destroy_globals(struct wayland_output *w)
{
	for (int i = 0; i < WL_MAX_OUTPUTS; i++) {
		if (w->outputs[i].output)
			wl_output_destroy(w->outputs[i].output);
	}
	wayland_clipboard_finish(w);
	if (w->seat)
		wl_seat_destroy(w->seat);
	if (w->idle_manager)
		zwp_idle_inhibit_manager_v1_destroy(w->idle_manager);
	if (w->shortcuts_manager)
		zwp_keyboard_shortcuts_inhibit_manager_v1_destroy(w->shortcuts_manager);
	if (w->constraints)
		zwp_pointer_constraints_v1_destroy(w->constraints);
	if (w->relative_manager)
		zwp_relative_pointer_manager_v1_destroy(w->relative_manager);
	if (w->decoration_manager)
		zxdg_decoration_manager_v1_destroy(w->decoration_manager);
	if (w->fractional_manager)
		wp_fractional_scale_manager_v1_destroy(w->fractional_manager);
	if (w->viewporter)
		wp_viewporter_destroy(w->viewporter);
	if (w->wm_base)
		xdg_wm_base_destroy(w->wm_base);
	if (w->shm)
		wl_shm_destroy(w->shm);
	if (w->compositor)
		wl_compositor_destroy(w->compositor);
	if (w->registry)
		wl_registry_destroy(w->registry);
}

