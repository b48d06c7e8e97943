/* SPDX-License-Identifier: MIT */
/*
 * Window events -> input records, and the hotkeys' actions: grab, release,
 * fullscreen, the kiosk's escape. Called by the window backends through
 * struct output_events.
 */
#include <linux/input-event-codes.h>
#include <stdio.h>
#include <string.h>

#include "keymap.h"
#include "viewer.h"

void
viewer_update_title(struct viewer *v)
{
	const char *name = v->client ? client_server_name(v->client) : NULL;
	if (!name)
		name = v->label;
	for (int view = 0; view < v->out->n_views; view++) {
		char vm[1200];
		if (view > 0 && view < v->n_shown)
			snprintf(vm, sizeof(vm), "%.1024s (%.64s)", name,
				 v->shown[view].name);
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
		fprintf(stderr, "qemu-eglview: cannot grab the pointer\n");
		return;
	}
	input_set_grabbed(v->input, grab);
	if (v->opts->verbose)
		fprintf(stderr, "qemu-eglview: pointer %s\n",
			grab ? "grabbed" : "released");
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
	if (opts->verbose)
		fprintf(stderr, "qemu-eglview: kiosk escape pressed, exiting\n");
	input_release_all(v->input); /* the modifiers must not stick */
	v->closed = true;
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
	bool over = input_pointer_motion(v->input, view, x, y);
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
	input_touch(v->input, view, finger, phases[phase], x, y);
}

static void
on_focus(void *data, bool focused)
{
	struct viewer *v = data;
	if (focused)
		return;
	v->mods = 0;
	/* Nothing may stay pressed in the guest while we cannot see its
	 * release. */
	input_release_all(v->input);
	viewer_set_grab(v, false);
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

static const struct input_device *
sink_device(void *data, uint32_t kind)
{
	struct viewer *v = data;
	return v->client ? client_device_of_kind(v->client, kind) : NULL;
}

static bool
sink_send(void *data, uint32_t device_id, const struct proto_input_event *ev,
	  uint32_t n)
{
	struct viewer *v = data;
	return v->client && client_send_events(v->client, device_id, ev, n);
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
	const struct options *opts = v->opts;
	enum layout_scale scale = LAYOUT_SCALE_FIT;
	layout_scale_parse(opts->scale, &scale);
	struct input_config cfg = {
		.mouse = strcmp(opts->mouse, "absolute") == 0 ? INPUT_MOUSE_ABSOLUTE :
			 strcmp(opts->mouse, "relative") == 0 ? INPUT_MOUSE_RELATIVE :
			 INPUT_MOUSE_AUTO,
		.hotkeys = !opts->no_hotkeys,
		/* SDL scancodes of letters are HID usages 4..29. */
		.hotkey = keymap_sdl_to_evdev(4 + (opts->hotkey - 'a')),
		.scale = scale,
	};
	struct input_sink sink = {
		.device = sink_device,
		.send = sink_send,
		.data = v,
	};
	v->input = input_create(&cfg, &sink);
	if (!v->input) {
		fprintf(stderr, "qemu-eglview: out of memory for the input state\n");
		return false;
	}
	return true;
}

const struct output_events viewer_window_events = {
	.key = on_key, .motion = on_motion, .relative = on_relative,
	.button = on_button, .wheel = on_wheel, .touch = on_touch,
	.focus = on_focus, .redraw = on_redraw, .close = on_close,
};
