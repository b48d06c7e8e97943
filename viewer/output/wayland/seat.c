/* SPDX-License-Identifier: MIT */
/*
 * The wayland backend's input: wl_seat's keyboard, pointer and touch in
 * the viewer's terms (output_events: evdev codes, buffer pixels), the grab
 * (relative-pointer + a locked pointer + keyboard-shortcuts-inhibit where
 * offered) and the host cursor (the guest's image on a cursor surface).
 * wl_keyboard's keys are evdev codes already, and wl_pointer's buttons are
 * BTN_* codes: nothing here needs a keymap.
 */
#include <linux/input-event-codes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "eglview-proto.h"
#include "log.h"
#include "output/wayland/private.h"

#include "keyboard-shortcuts-inhibit-unstable-v1-client-protocol.h"
#include "pointer-constraints-unstable-v1-client-protocol.h"
#include "relative-pointer-unstable-v1-client-protocol.h"

/* --- the host cursor ---------------------------------------------------- */

static void
show_default_cursor(struct wayland_output *w)
{
	if (!w->cursor_theme && w->shm)
		w->cursor_theme = wl_cursor_theme_load(NULL, 24, w->shm);
	struct wl_cursor *cursor = w->cursor_theme ?
		wl_cursor_theme_get_cursor(w->cursor_theme, "left_ptr") : NULL;
	if (!cursor || cursor->image_count < 1) {
		/* No cursor theme installed: better no cursor than none known. */
		wl_pointer_set_cursor(w->pointer, w->pointer_serial, NULL, 0, 0);
		return;
	}
	struct wl_cursor_image *image = cursor->images[0];
	if (!w->default_cursor_surface)
		w->default_cursor_surface = wl_compositor_create_surface(
			w->compositor);
	wl_surface_attach(w->default_cursor_surface,
			  wl_cursor_image_get_buffer(image), 0, 0);
	wl_surface_damage(w->default_cursor_surface, 0, 0,
			  (int32_t)image->width, (int32_t)image->height);
	wl_surface_commit(w->default_cursor_surface);
	wl_pointer_set_cursor(w->pointer, w->pointer_serial,
			      w->default_cursor_surface,
			      (int32_t)image->hotspot_x,
			      (int32_t)image->hotspot_y);
}

/* Over a head's picture the guest's cursor (or none), elsewhere the
 * host's; none at all in a kiosk or while grabbed. */
static void
update_cursor(struct wayland_output *w)
{
	if (!w->pointer || !w->pointer_inside)
		return;
	if (w->hide_cursor || w->grabbed ||
	    (w->over_picture && w->guest_cursor_known && w->guest_cursor_none)) {
		wl_pointer_set_cursor(w->pointer, w->pointer_serial, NULL, 0, 0);
	} else if (w->over_picture && w->guest_cursor_known &&
		   w->cursor_buffer) {
		wl_pointer_set_cursor(w->pointer, w->pointer_serial,
				      w->cursor_surface, w->cursor_hot_x,
				      w->cursor_hot_y);
	} else {
		show_default_cursor(w);
	}
}

/* The guest's image in a wl_shm buffer of its own: premultiplied
 * ARGB8888, what both the protocol and wl_shm's ARGB8888 mean. */
struct wl_buffer *
wayland_cursor_buffer(struct wayland_output *w, int width, int height,
		      const uint32_t *pixels)
{
	size_t size = (size_t)width * height * 4;
	int fd = memfd_create("qemu-eglview-cursor", MFD_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct wl_buffer *buffer = NULL;
	if (ftruncate(fd, (off_t)size) == 0) {
		void *map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
				 fd, 0);
		if (map != MAP_FAILED) {
			memcpy(map, pixels, size);
			munmap(map, size);
			struct wl_shm_pool *pool = wl_shm_create_pool(w->shm, fd,
								      (int32_t)size);
			buffer = wl_shm_pool_create_buffer(pool, 0, width, height,
							   width * 4,
							   WL_SHM_FORMAT_ARGB8888);
			wl_shm_pool_destroy(pool);
		}
	}
	close(fd);
	return buffer;
}

void
wayland_input_set_cursor(struct wayland_output *w,
			 const struct proto_cursor_image *img,
			 const uint32_t *pixels)
{
	w->guest_cursor_known = true;
	w->guest_cursor_none = img->width == 0 || !pixels;
	if (!w->guest_cursor_none && w->shm) {
		struct wl_buffer *buffer = wayland_cursor_buffer(w, (int)img->width,
							 (int)img->height, pixels);
		if (buffer) {
			if (!w->cursor_surface)
				w->cursor_surface = wl_compositor_create_surface(
					w->compositor);
			wl_surface_attach(w->cursor_surface, buffer, 0, 0);
			wl_surface_damage(w->cursor_surface, 0, 0,
					  (int32_t)img->width,
					  (int32_t)img->height);
			wl_surface_commit(w->cursor_surface);
			if (w->cursor_buffer)
				wl_buffer_destroy(w->cursor_buffer);
			w->cursor_buffer = buffer;
			w->cursor_hot_x = img->hot_x;
			w->cursor_hot_y = img->hot_y;
		}
	}
	update_cursor(w);
}

void
wayland_input_show_guest_cursor(struct wayland_output *w, bool over_picture)
{
	if (w->over_picture == over_picture)
		return;
	w->over_picture = over_picture;
	update_cursor(w);
}

/* --- keyboard ----------------------------------------------------------- */

static void
keyboard_keymap(void *data, struct wl_keyboard *k, uint32_t format, int32_t fd,
		uint32_t size)
{
	(void)data; (void)k; (void)format; (void)size;
	close(fd); /* evdev codes need no keymap */
}

static void
keyboard_enter(void *data, struct wl_keyboard *k, uint32_t serial,
	       struct wl_surface *s, struct wl_array *keys)
{
	struct wayland_output *w = data;
	(void)k; (void)s; (void)keys;
	w->input_serial = serial; /* wl_data_device.set_selection's */
	/* Keys already down belong to whatever had the focus before. */
	if (w->has_events)
		w->events.focus(w->events.data, true);
}

static void
keyboard_leave(void *data, struct wl_keyboard *k, uint32_t serial,
	       struct wl_surface *s)
{
	struct wayland_output *w = data;
	(void)k; (void)serial; (void)s;
	/* The viewer releases everything held and lets go of the grab. */
	if (w->has_events)
		w->events.focus(w->events.data, false);
}

static void
keyboard_key(void *data, struct wl_keyboard *k, uint32_t serial, uint32_t time,
	     uint32_t key, uint32_t state)
{
	struct wayland_output *w = data;
	(void)k; (void)time;
	w->input_serial = serial;
	/* Repeat is the client's business on Wayland: never synthesised. */
	if (w->has_events && key <= 0xffff)
		w->events.key(w->events.data, (uint16_t)key,
			      state == WL_KEYBOARD_KEY_STATE_PRESSED, false);
}

/* The compositor's locked modifiers as lock LEDs. Without a keymap
 * parser the bits are those every XKB keymap gives its real modifiers
 * (Shift 0, Lock 1, Control 2, Mod1 3, Mod2 4...): Caps Lock is Lock and
 * Num Lock is Mod2 in the keymaps compositors ship; Scroll Lock is no
 * modifier there, so it is not reported as known. The compositor sends
 * modifiers right after enter and after each key that changes them. */
static void
keyboard_modifiers(void *data, struct wl_keyboard *k, uint32_t serial,
		   uint32_t depressed, uint32_t latched, uint32_t locked,
		   uint32_t group)
{
	struct wayland_output *w = data;
	(void)k; (void)serial; (void)depressed; (void)latched; (void)group;
	if (w->has_events)
		w->events.locks(w->events.data, (1u << 0) | (1u << 1),
				(locked & (1u << 4) ? 1u << 0 : 0) |
				(locked & (1u << 1) ? 1u << 1 : 0));
}

static void
keyboard_repeat_info(void *data, struct wl_keyboard *k, int32_t rate,
		     int32_t delay)
{
	(void)data; (void)k; (void)rate; (void)delay;
}

static const struct wl_keyboard_listener keyboard_listener = {
	.keymap = keyboard_keymap,
	.enter = keyboard_enter,
	.leave = keyboard_leave,
	.key = keyboard_key,
	.modifiers = keyboard_modifiers,
	.repeat_info = keyboard_repeat_info,
};

/* --- pointer ------------------------------------------------------------ */

/* Grabbed without relative-pointer: the motion since the last position
 * is the relative motion (in surface coordinates, as relative-pointer's). */
static void
report_motion_difference(struct wayland_output *w, wl_fixed_t sx,
			 wl_fixed_t sy)
{
	double x = wl_fixed_to_double(sx), y = wl_fixed_to_double(sy);
	if (w->motion_known && (x != w->motion_sx || y != w->motion_sy) &&
	    w->has_events)
		w->events.relative(w->events.data, x - w->motion_sx,
				   y - w->motion_sy);
	w->motion_sx = x;
	w->motion_sy = y;
	w->motion_known = true;
}

static void
report_position(struct wayland_output *w, wl_fixed_t sx, wl_fixed_t sy)
{
	if (w->grabbed && w->grab_by_motion) {
		report_motion_difference(w, sx, sy);
		return;
	}
	/* Kept for a grab taken later. */
	w->motion_sx = wl_fixed_to_double(sx);
	w->motion_sy = wl_fixed_to_double(sy);
	w->motion_known = true;
	if (!w->has_events || w->grabbed)
		return;
	double px, py;
	wayland_to_pixels(w, w->pointer_view, wl_fixed_to_double(sx),
			  wl_fixed_to_double(sy), &px, &py);
	w->events.motion(w->events.data, w->pointer_view, px, py);
}

static void
pointer_enter(void *data, struct wl_pointer *p, uint32_t serial,
	      struct wl_surface *s, wl_fixed_t sx, wl_fixed_t sy)
{
	struct wayland_output *w = data;
	(void)p;
	int view = wayland_view_of_surface(w, s);
	if (view < 0)
		return;
	w->pointer_view = view;
	w->pointer_serial = serial;
	w->pointer_inside = true;
	w->over_picture = false;
	update_cursor(w);
	report_position(w, sx, sy);
}

static void
pointer_leave(void *data, struct wl_pointer *p, uint32_t serial,
	      struct wl_surface *s)
{
	struct wayland_output *w = data;
	(void)p; (void)serial; (void)s;
	w->pointer_inside = false;
	w->motion_known = false; /* the next enter starts afresh */
	if (w->has_events)
		w->events.motion(w->events.data, w->pointer_view, -1.0, -1.0);
}

static void
pointer_motion(void *data, struct wl_pointer *p, uint32_t time,
	       wl_fixed_t sx, wl_fixed_t sy)
{
	(void)p; (void)time;
	report_position(data, sx, sy);
}

static void
pointer_button(void *data, struct wl_pointer *p, uint32_t serial,
	       uint32_t time, uint32_t button, uint32_t state)
{
	struct wayland_output *w = data;
	(void)p; (void)time;
	w->input_serial = serial;
	if (w->has_events && button >= BTN_LEFT && button <= BTN_TASK)
		w->events.button(w->events.data, (uint16_t)button,
				 state == WL_POINTER_BUTTON_STATE_PRESSED);
}

static void
flush_wheel(struct wayland_output *w)
{
	if ((w->wheel_dx != 0 || w->wheel_dy != 0) && w->has_events)
		w->events.wheel(w->events.data, w->wheel_dx, w->wheel_dy);
	w->wheel_dx = w->wheel_dy = 0;
	w->wheel_discrete = false;
}

/* Wayland's vertical axis grows downwards, the viewer's wheel upwards. */
static void
add_wheel(struct wayland_output *w, uint32_t axis, double notches)
{
	if (axis == WL_POINTER_AXIS_VERTICAL_SCROLL)
		w->wheel_dy -= notches;
	else
		w->wheel_dx += notches;
}

static void
pointer_axis(void *data, struct wl_pointer *p, uint32_t time, uint32_t axis,
	     wl_fixed_t value)
{
	struct wayland_output *w = data;
	(void)p; (void)time;
	/* Without a discrete step: 10 units are one notch (weston's and
	 * libinput's wheel click). */
	if (!w->wheel_discrete)
		add_wheel(w, axis, wl_fixed_to_double(value) / 10.0);
	if (w->seat_version < WL_POINTER_FRAME_SINCE_VERSION)
		flush_wheel(w);
}

static void
pointer_frame(void *data, struct wl_pointer *p)
{
	(void)p;
	flush_wheel(data);
}

static void
pointer_axis_source(void *data, struct wl_pointer *p, uint32_t source)
{
	(void)data; (void)p; (void)source;
}

static void
pointer_axis_stop(void *data, struct wl_pointer *p, uint32_t time,
		  uint32_t axis)
{
	(void)data; (void)p; (void)time; (void)axis;
}

/* Discrete steps replace the continuous value of the same frame (which
 * the compositor sends first or after: both orders are allowed). */
static void
discrete_step(struct wayland_output *w, uint32_t axis, double notches)
{
	if (!w->wheel_discrete) {
		w->wheel_dx = w->wheel_dy = 0;
		w->wheel_discrete = true;
	}
	add_wheel(w, axis, notches);
}

static void
pointer_axis_discrete(void *data, struct wl_pointer *p, uint32_t axis,
		      int32_t discrete)
{
	(void)p;
	discrete_step(data, axis, discrete);
}

static void
pointer_axis_value120(void *data, struct wl_pointer *p, uint32_t axis,
		      int32_t value120)
{
	(void)p;
	discrete_step(data, axis, value120 / 120.0);
}

static const struct wl_pointer_listener pointer_listener = {
	.enter = pointer_enter,
	.leave = pointer_leave,
	.motion = pointer_motion,
	.button = pointer_button,
	.axis = pointer_axis,
	.frame = pointer_frame,
	.axis_source = pointer_axis_source,
	.axis_stop = pointer_axis_stop,
	.axis_discrete = pointer_axis_discrete,
	.axis_value120 = pointer_axis_value120,
};

/* --- touch -------------------------------------------------------------- */

static void
touch_report(struct wayland_output *w, int32_t id,
	     enum output_touch_phase phase, wl_fixed_t x, wl_fixed_t y)
{
	if (!w->has_events)
		return;
	double px = -1, py = -1;
	if (phase != OUTPUT_TOUCH_UP)
		wayland_to_pixels(w, w->touch_view, wl_fixed_to_double(x),
				  wl_fixed_to_double(y), &px, &py);
	w->events.touch(w->events.data, w->touch_view, id, phase, px, py);
}

static void
touch_down(void *data, struct wl_touch *t, uint32_t serial, uint32_t time,
	   struct wl_surface *s, int32_t id, wl_fixed_t x, wl_fixed_t y)
{
	struct wayland_output *w = data;
	(void)t; (void)serial; (void)time;
	/* Fingers of one frame share a window, as in the SDL backend. */
	int view = wayland_view_of_surface(w, s);
	if (view >= 0)
		w->touch_view = view;
	touch_report(w, id, OUTPUT_TOUCH_DOWN, x, y);
}

static void
touch_up(void *data, struct wl_touch *t, uint32_t serial, uint32_t time,
	 int32_t id)
{
	(void)t; (void)serial; (void)time;
	touch_report(data, id, OUTPUT_TOUCH_UP, 0, 0);
}

static void
touch_motion(void *data, struct wl_touch *t, uint32_t time, int32_t id,
	     wl_fixed_t x, wl_fixed_t y)
{
	(void)t; (void)time;
	touch_report(data, id, OUTPUT_TOUCH_MOTION, x, y);
}

static void
touch_frame(void *data, struct wl_touch *t)
{
	(void)data; (void)t;
}

/* The compositor took the touch sequence: nothing stays down. */
static void
touch_cancel(void *data, struct wl_touch *t)
{
	struct wayland_output *w = data;
	(void)t;
	if (w->has_events)
		w->events.focus(w->events.data, false);
}

static void
touch_shape(void *data, struct wl_touch *t, int32_t id, wl_fixed_t major,
	    wl_fixed_t minor)
{
	(void)data; (void)t; (void)id; (void)major; (void)minor;
}

static void
touch_orientation(void *data, struct wl_touch *t, int32_t id,
		  wl_fixed_t orientation)
{
	(void)data; (void)t; (void)id; (void)orientation;
}

static const struct wl_touch_listener touch_listener = {
	.down = touch_down,
	.up = touch_up,
	.motion = touch_motion,
	.frame = touch_frame,
	.cancel = touch_cancel,
	.shape = touch_shape,
	.orientation = touch_orientation,
};

/* --- the seat ----------------------------------------------------------- */

static void
seat_capabilities(void *data, struct wl_seat *seat, uint32_t caps)
{
	struct wayland_output *w = data;
	bool kb = caps & WL_SEAT_CAPABILITY_KEYBOARD;
	bool ptr = caps & WL_SEAT_CAPABILITY_POINTER;
	bool tch = caps & WL_SEAT_CAPABILITY_TOUCH;
	if (kb && !w->keyboard) {
		w->keyboard = wl_seat_get_keyboard(seat);
		wl_keyboard_add_listener(w->keyboard, &keyboard_listener, w);
	} else if (!kb && w->keyboard) {
		wl_keyboard_release(w->keyboard);
		w->keyboard = NULL;
	}
	if (ptr && !w->pointer) {
		w->pointer = wl_seat_get_pointer(seat);
		wl_pointer_add_listener(w->pointer, &pointer_listener, w);
	} else if (!ptr && w->pointer) {
		wayland_input_set_grab(w, false);
		wl_pointer_release(w->pointer);
		w->pointer = NULL;
		w->pointer_inside = false;
	}
	if (tch && !w->touch) {
		w->touch = wl_seat_get_touch(seat);
		wl_touch_add_listener(w->touch, &touch_listener, w);
	} else if (!tch && w->touch) {
		wl_touch_release(w->touch);
		w->touch = NULL;
	}
}

static void
seat_name(void *data, struct wl_seat *seat, const char *name)
{
	(void)data; (void)seat; (void)name;
}

static const struct wl_seat_listener seat_listener = {
	.capabilities = seat_capabilities,
	.name = seat_name,
};

void
wayland_input_seat_listen(struct wayland_output *w)
{
	wl_seat_add_listener(w->seat, &seat_listener, w);
}

/* --- the grab ----------------------------------------------------------- */

static void
relative_motion(void *data, struct zwp_relative_pointer_v1 *r,
		uint32_t utime_hi, uint32_t utime_lo, wl_fixed_t dx,
		wl_fixed_t dy, wl_fixed_t dx_unaccel, wl_fixed_t dy_unaccel)
{
	struct wayland_output *w = data;
	(void)r; (void)utime_hi; (void)utime_lo; (void)dx_unaccel;
	(void)dy_unaccel;
	if (w->grabbed && w->has_events)
		w->events.relative(w->events.data, wl_fixed_to_double(dx),
				   wl_fixed_to_double(dy));
}

static const struct zwp_relative_pointer_v1_listener relative_listener = {
	.relative_motion = relative_motion,
};

/* The compositor's word that the lock holds: counted for --stats. */
static void
pointer_locked(void *data, struct zwp_locked_pointer_v1 *l)
{
	struct wayland_output *w = data;
	(void)l;
	w->locks++;
	w->locked_view = wayland_view_of_surface(w, w->grab_surface);
}

static void
pointer_unlocked(void *data, struct zwp_locked_pointer_v1 *l)
{
	(void)data; (void)l;
}

static const struct zwp_locked_pointer_v1_listener locked_listener = {
	.locked = pointer_locked,
	.unlocked = pointer_unlocked,
};

void
wayland_input_print_stats(struct wayland_output *w, FILE *f)
{
	fprintf(f, "qemu-eglview: pointer: locks=%llu locked_view=%d "
		"grab=%s\n", (unsigned long long)w->locks, w->locked_view,
		!w->constraints ? (w->relative_manager ? "relative-unlocked" :
				   "motion-differences") : "locked");
}

static void
unlock(struct wayland_output *w)
{
	if (w->locked)
		zwp_locked_pointer_v1_destroy(w->locked);
	if (w->shortcuts_inhibitor)
		zwp_keyboard_shortcuts_inhibitor_v1_destroy(w->shortcuts_inhibitor);
	w->locked = NULL;
	w->shortcuts_inhibitor = NULL;
	w->grab_surface = NULL;
}

static void
lock_on(struct wayland_output *w, struct wl_surface *surface)
{
	w->grab_surface = surface;
	w->locked = zwp_pointer_constraints_v1_lock_pointer(w->constraints,
		surface, w->pointer, NULL,
		ZWP_POINTER_CONSTRAINTS_V1_LIFETIME_PERSISTENT);
	zwp_locked_pointer_v1_add_listener(w->locked, &locked_listener, w);
	if (w->shortcuts_manager && w->seat)
		w->shortcuts_inhibitor =
			zwp_keyboard_shortcuts_inhibit_manager_v1_inhibit_shortcuts(
				w->shortcuts_manager, surface, w->seat);
}

static void
release_grab(struct wayland_output *w)
{
	if (w->relative_pointer)
		zwp_relative_pointer_v1_destroy(w->relative_pointer);
	unlock(w);
	w->relative_pointer = NULL;
	w->grabbed = false;
	w->grab_by_motion = false;
}

/* A head's window goes while its surface holds the grab: the grab stays,
 * on the main window. */
void
wayland_input_surface_gone(struct wayland_output *w,
			   struct wl_surface *surface)
{
	if (!w->grabbed || w->grab_surface != surface || surface == w->surface)
		return;
	unlock(w);
	lock_on(w, w->surface);
}

/* Grabbed: the pointer stays where it is (locked) and only relative
 * motion reaches the guest; the compositor's own shortcuts go to the VM
 * too where it lets us ask. */
bool
wayland_input_set_grab(struct wayland_output *w, bool grab)
{
	if (!grab) {
		release_grab(w);
		update_cursor(w);
		return true;
	}
	if (!w->pointer) {
		log_error("the compositor offers no pointer; the pointer cannot "
			  "be grabbed (use --mouse absolute)");
		return false;
	}
	if (w->relative_manager) {
		w->relative_pointer =
			zwp_relative_pointer_manager_v1_get_relative_pointer(
				w->relative_manager, w->pointer);
		zwp_relative_pointer_v1_add_listener(w->relative_pointer,
						     &relative_listener, w);
	} else {
		w->grab_by_motion = true;
	}
	/* Without pointer-constraints (cage) nothing holds the pointer: a
	 * kiosk's one window fills the output, so it stays inside, and with
	 * motion differences it stops at the output's edges. */
	if (w->constraints) {
		/* A constraint holds on its own surface only: the window
		 * the pointer is in (a window per head), the main one
		 * otherwise. */
		int sw, sh, pw, ph;
		struct wl_surface *surface = w->pointer_inside ?
			wayland_view_surface(w, w->pointer_view, &sw, &sh,
					     &pw, &ph) : NULL;
		lock_on(w, surface ? surface : w->surface);
	} else {
		log_verbose("the compositor offers no pointer-constraints: "
			    "grabbed with %s, the pointer not locked",
			    w->relative_manager ? "relative-pointer motion" :
			    "the differences of its positions");
	}
	w->grabbed = true;
	update_cursor(w);
	return true;
}

void
wayland_input_finish(struct wayland_output *w)
{
	release_grab(w);
	if (w->cursor_buffer)
		wl_buffer_destroy(w->cursor_buffer);
	if (w->cursor_surface)
		wl_surface_destroy(w->cursor_surface);
	if (w->default_cursor_surface)
		wl_surface_destroy(w->default_cursor_surface);
	if (w->cursor_theme)
		wl_cursor_theme_destroy(w->cursor_theme);
	if (w->keyboard)
		wl_keyboard_release(w->keyboard);
	if (w->pointer)
		wl_pointer_release(w->pointer);
	if (w->touch)
		wl_touch_release(w->touch);
	w->keyboard = NULL;
	w->pointer = NULL;
	w->touch = NULL;
}
