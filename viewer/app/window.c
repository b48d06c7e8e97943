/* SPDX-License-Identifier: MIT */
/*
 * Window events -> input records, and the hotkeys' actions: grab, release,
 * fullscreen, the kiosk's escape. Called by the window backends through
 * struct output_events.
 */
#include <linux/input-event-codes.h>
#include <stdio.h>
#include <string.h>

#include "app/viewer.h"
#include "log.h"

void
viewer_update_title(struct viewer *v)
{
	struct session *focused = v->sessions[v->focus];
	/* One VM: the name from HELLO while connected, else the argument. */
	const char *name = v->n_sessions > 1 ? session_name(focused) :
			   focused->client && client_server_name(focused->client) ?
			   client_server_name(focused->client) : focused->label;
	for (int view = 0; view < v->out->n_views; view++) {
		char vm[1200];
		if (v->n_sessions > 1)
			snprintf(vm, sizeof(vm), "%.1024s (VM %d of %d)", name,
				 v->focus + 1, v->n_sessions);
		else if (view > 0 && view < focused->n_shown)
			snprintf(vm, sizeof(vm), "%.1024s (%.64s)", name,
				 focused->shown[view].name);
		else
			snprintf(vm, sizeof(vm), "%.1024s", name);
		if (input_grabbed(v->input) && !v->opts->no_hotkeys)
			snprintf(v->title, sizeof(v->title), "%s - qemu-eglview - "
				 "press Ctrl+Alt+%c to release the pointer", vm,
				 v->opts->hotkey - 'a' + 'A');
		else if (input_grabbed(v->input))
			snprintf(v->title, sizeof(v->title), "%s - qemu-eglview - "
				 "pointer grabbed (focus another window to "
				 "release)", vm);
		else
			snprintf(v->title, sizeof(v->title), "%s - qemu-eglview",
				 vm);
		output_set_title(v->out, view, v->title);
	}
}

void
viewer_set_grab(struct viewer *v, bool grab)
{
	if (grab == input_grabbed(v->input))
		return;
	if (!output_set_grab(v->out, grab)) {
		log_error("cannot grab the pointer");
		return;
	}
	input_set_grabbed(v->input, grab);
	log_verbose("pointer %s", grab ? "grabbed" : "released");
	viewer_update_title(v);
	v->redraw = true; /* the guest cursor is drawn only while grabbed */
}

static void
do_action(struct viewer *v, enum input_action action)
{
	switch (action) {
	case INPUT_ACTION_NONE:
		break;
	case INPUT_ACTION_GRAB:
		viewer_set_grab(v, true);
		break;
	case INPUT_ACTION_UNGRAB:
		viewer_set_grab(v, false);
		break;
	case INPUT_ACTION_FULLSCREEN:
		output_toggle_fullscreen(v->out);
		break;
	case INPUT_ACTION_NEXT_VM:
		viewer_focus(v, (v->focus + 1) % v->n_sessions);
		break;
	}
}

/* The kiosk's one way out; true when this key was it. */
static bool
kiosk_escape(struct viewer *v, uint16_t code, bool pressed)
{
	unsigned mod = code == KEY_LEFTCTRL || code == KEY_RIGHTCTRL ? OPTIONS_MOD_CTRL :
		       code == KEY_LEFTALT || code == KEY_RIGHTALT ? OPTIONS_MOD_ALT :
		       code == KEY_LEFTSHIFT || code == KEY_RIGHTSHIFT ? OPTIONS_MOD_SHIFT :
		       code == KEY_LEFTMETA || code == KEY_RIGHTMETA ? OPTIONS_MOD_SUPER : 0;
	if (mod) {
		v->mods = pressed ? v->mods | mod : v->mods & ~mod;
		return false;
	}
	const struct options *opts = v->opts;
	if (!pressed || !opts->kiosk_escape_key || code != opts->kiosk_escape_key ||
	    v->mods != opts->kiosk_escape_mods)
		return false;
	log_verbose("kiosk escape pressed, exiting");
	input_release_all(v->input); /* the modifiers must not stick */
	v->closed = true;
	return true;
}

void
viewer_focus(struct viewer *v, int i)
{
	if (i < 0 || i >= v->n_sessions || i == v->focus)
		return;
	/* Nothing may stay pressed in the VM that can no longer hear its
	 * release. */
	viewer_set_grab(v, false);
	input_release_all(v->input);
	input_set_focus(v->input, false);
	v->focus = i;
	v->input = v->sessions[i]->input;
	/* Its guest's lock LEDs follow the host's as on a focus change. */
	input_host_locks(v->input, v->host_locks_known, v->host_locks);
	input_set_focus(v->input, v->window_focused);
	log_verbose("focus on VM %d (%s)", i + 1, v->sessions[i]->label);
	/* The pointer is over its tile now: the VM hears where. */
	if (v->pointer_known)
		input_pointer_motion(v->input, 0, v->pointer_x, v->pointer_y);
	viewer_update_title(v);
	viewer_sound_sync(v); /* the focused VM is heard */
	v->redraw = true; /* the mark moves */
}

/* Several VMs: the VM whose tile holds output pixel (x, y), or -1. */
static int
session_at(const struct viewer *v, double x, double y)
{
	for (int i = 0; i < v->n_sessions; i++) {
		struct layout_rect c = v->sessions[i]->tile;
		if (x >= c.x && x < c.x + c.width && y >= c.y &&
		    y < c.y + c.height)
			return i;
	}
	return -1;
}

/* A press in another VM's tile focuses that VM; the press and its release
 * are the viewer's, not a VM's. While grabbed the pointer stays with the
 * focused VM. true when the button was taken. */
static bool
focus_click(struct viewer *v, uint16_t button, bool pressed)
{
	unsigned bit = button >= BTN_LEFT && button < BTN_LEFT + 8 ?
		       1u << (button - BTN_LEFT) : 0;
	if (!pressed) {
		if (!(v->focus_buttons & bit))
			return false;
		v->focus_buttons &= (uint8_t)~bit;
		return true;
	}
	if (!v->pointer_known || input_grabbed(v->input))
		return false;
	int i = session_at(v, v->pointer_x, v->pointer_y);
	if (i < 0 || i == v->focus)
		return false;
	viewer_focus(v, i);
	v->focus_buttons |= (uint8_t)bit;
	return true;
}

/* The same for a finger put down on another VM's tile: it focuses that
 * VM and is followed no further. */
static bool
focus_touch(struct viewer *v, int view, int64_t finger,
	    enum output_touch_phase phase, double x, double y)
{
	if (v->focus_touch && finger == v->focus_finger) {
		if (phase == OUTPUT_TOUCH_UP)
			v->focus_touch = false;
		return true;
	}
	if (phase != OUTPUT_TOUCH_DOWN || view != 0 || v->focus_touch)
		return false;
	int i = session_at(v, x, y);
	if (i < 0 || i == v->focus)
		return false;
	viewer_focus(v, i);
	v->focus_touch = true;
	v->focus_finger = finger;
	return true;
}

static void
on_key(void *data, uint16_t code, bool pressed, bool repeat)
{
	struct viewer *v = data;
	if (v->opts->kiosk && kiosk_escape(v, code, pressed))
		return;
	do_action(v, input_key(v->input, code, pressed, repeat));
}

static void
on_motion(void *data, int view, double x, double y)
{
	struct viewer *v = data;
	v->pointer_x = x;
	v->pointer_y = y;
	v->pointer_known = view == 0;
	bool over = input_pointer_motion(v->input, view, x, y);
	output_show_guest_cursor(v->out, over && !input_relative(v->input));
}

void
viewer_pointer_follow_layout(struct viewer *v)
{
	/* A guest's mode change moves no pointer: the input locates the
	 * last motion again. A window that changed size under it: the
	 * window system is asked, or tells on its own. */
	if (!v->input)
		return;
	int view = input_pointer_resized(v->input);
	double x, y;
	if (view >= 0 && output_pointer_position(v->out, view, &x, &y)) {
		on_motion(v, view, x, y);
		return;
	}
	if (view >= 0)
		input_pointer_forget(v->input);
	bool over = input_pointer_follow(v->input);
	output_show_guest_cursor(v->out, over && !input_relative(v->input));
}

static void
on_relative(void *data, double dx, double dy)
{
	struct viewer *v = data;
	input_pointer_relative(v->input, dx, dy);
}

static void
on_button(void *data, uint16_t button, bool pressed)
{
	struct viewer *v = data;
	if (v->n_sessions > 1 && focus_click(v, button, pressed))
		return;
	do_action(v, input_button(v->input, button, pressed));
}

static void
on_wheel(void *data, double dx, double dy)
{
	struct viewer *v = data;
	input_wheel(v->input, dx, dy);
}

static void
on_touch(void *data, int view, int64_t finger, enum output_touch_phase phase,
	 double x, double y)
{
	struct viewer *v = data;
	static const enum input_touch phases[] = {
		[OUTPUT_TOUCH_DOWN] = INPUT_TOUCH_DOWN,
		[OUTPUT_TOUCH_MOTION] = INPUT_TOUCH_MOTION,
		[OUTPUT_TOUCH_UP] = INPUT_TOUCH_UP,
	};
	if (v->n_sessions > 1 && focus_touch(v, view, finger, phase, x, y))
		return;
	input_touch(v->input, view, finger, phases[phase], x, y);
}

static void
on_focus(void *data, bool focused)
{
	struct viewer *v = data;
	v->window_focused = focused;
	input_set_focus(v->input, focused);
	viewer_sound_sync(v); /* the microphone follows the focus */
	if (focused) {
		/* What the host copied while the VM was not looking. */
		viewer_clipboard_host_changed(v);
		return;
	}
	v->mods = 0;
	/* Nothing may stay pressed in the guest while we cannot see its
	 * release. */
	input_release_all(v->input);
	viewer_set_grab(v, false);
}

static void
on_locks(void *data, uint32_t known, uint32_t state)
{
	struct viewer *v = data;
	if (known != v->host_locks_known || state != v->host_locks)
		log_verbose("host locks: num %s, caps %s, scroll %s",
			    !(known & 1) ? "unknown" : state & 1 ? "on" : "off",
			    !(known & 2) ? "unknown" : state & 2 ? "on" : "off",
			    !(known & 4) ? "unknown" : state & 4 ? "on" : "off");
	v->host_locks_known = known;
	v->host_locks = state;
	input_host_locks(v->input, known, state);
}

static void
on_redraw(void *data)
{
	struct viewer *v = data;
	v->redraw = true;
}

static void
on_close(void *data)
{
	struct viewer *v = data;
	v->closed = true;
}

void
viewer_on_cursor_image(void *data, const struct proto_cursor_image *img,
		const uint32_t *pixels)
{
	struct viewer *v = data;
	output_set_cursor(v->out, img, pixels);
}

bool
viewer_start_input(struct viewer *v)
{
	for (int i = 0; i < v->n_sessions; i++) {
		if (!session_start_input(v->sessions[i], v->n_sessions > 1))
			return false;
	}
	v->input = v->sessions[v->focus]->input;
	return true;
}

const struct output_events viewer_window_events = {
	.key = on_key, .motion = on_motion, .relative = on_relative,
	.button = on_button, .wheel = on_wheel, .touch = on_touch,
	.focus = on_focus, .locks = on_locks, .redraw = on_redraw,
	.close = on_close, .clipboard = viewer_clipboard_host_changed,
};
