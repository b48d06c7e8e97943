/* SPDX-License-Identifier: MIT */
/*
 * Host input to virtio-input records. The window backend reports what the
 * user did in output pixels and evdev codes; this module maps positions
 * through the layout (the same maths the renderer draws with) into each
 * device's advertised range, keeps what is held so that nothing sticks in
 * the guest, and hands batches ending in SYN_REPORT to a sink. No SDL, no
 * sockets: the unit tests drive it directly.
 */
#ifndef EGLVIEW_INPUT_H
#define EGLVIEW_INPUT_H

#include <stdbool.h>
#include <stdint.h>

#include "eglview-proto.h"
#include "layout.h"

#define INPUT_MAX_AXES 64
#define INPUT_MAX_SLOTS 16
#define INPUT_MAX_HEADS 16

/* A device as the server announced it. */
struct input_device {
	struct proto_input_device desc;
	struct proto_abs_axis axes[INPUT_MAX_AXES]; /* desc.n_abs of them */
};

struct input_sink {
	/* The first device of a kind (enum proto_device_kind), or NULL. */
	const struct input_device *(*device)(void *data, uint32_t kind);
	/* One INPUT message; false when the connection failed. */
	bool (*send)(void *data, uint32_t device_id,
		     const struct proto_input_event *ev, uint32_t n);
	void *data;
};

enum input_mouse {
	INPUT_MOUSE_AUTO,     /* absolute when the server has a tablet */
	INPUT_MOUSE_ABSOLUTE,
	INPUT_MOUSE_RELATIVE,
};

/* What the window should do after an event. */
enum input_action {
	INPUT_ACTION_NONE,
	INPUT_ACTION_GRAB,       /* a click into the window in relative mode */
	INPUT_ACTION_UNGRAB,     /* the release hotkey */
	INPUT_ACTION_FULLSCREEN, /* the fullscreen hotkey: toggle */
	INPUT_ACTION_NEXT_VM,    /* several VMs: focus the next one */
};

enum input_touch {
	INPUT_TOUCH_DOWN,
	INPUT_TOUCH_MOTION,
	INPUT_TOUCH_UP,
};

struct input_config {
	enum input_mouse mouse;
	bool hotkeys;            /* false: --no-hotkeys */
	uint16_t hotkey;         /* KEY_*, with Ctrl+Alt: release the grab */
	bool next_vm_hotkey;     /* several VMs: Ctrl+Alt+N focuses the next */
	enum layout_scale scale;
	bool sync_locks;         /* false: --no-sync-locks */
};

struct input;

struct input *input_create(const struct input_config *cfg,
			   const struct input_sink *sink);
void input_destroy(struct input *in); /* NULL is fine */

/* The heads: head i (layout order) shows sizes[2*i] x sizes[2*i+1]. */
void input_set_heads(struct input *in, const int *sizes, int n);
/* View `view` (a window) is out_w x out_h pixels and shows heads
 * first..first+n-1 in a row (layout_tile): one head per window, or all
 * heads in one. Positions below are in a view's pixels. */
void input_set_view(struct input *in, int view, int out_w, int out_h,
		    int first, int n);
/* The same for heads shown in a tile of a view (several VMs in one
 * output): positions in the view outside the tile are off the picture. */
void input_set_tile(struct input *in, int view, const struct layout_rect *tile,
		    int first, int n);
/* One view showing all n heads: input_set_heads + input_set_view 0. */
void input_set_geometry(struct input *in, int out_w, int out_h,
			const int *sizes, int n);

/* Whether pointer motion goes out as REL_X/REL_Y (needs a grab). */
bool input_relative(const struct input *in);
bool input_grabbed(const struct input *in);
/* The window grabbed or let go; letting go releases everything held. */
void input_set_grabbed(struct input *in, bool grabbed);

/* A key went down or up (host auto-repeat is dropped). */
enum input_action input_key(struct input *in, uint16_t code, bool pressed,
			    bool repeat);
/* The pointer is at output pixel (x, y) (continuous: the centre of the
 * top-left pixel is 0.5, 0.5). Returns true when it is over a head's
 * picture, where the host cursor should give way to the guest's. */
bool input_pointer_motion(struct input *in, int view, double x, double y);
/* After a frame: if the last motion came over a drawn layout whose
 * view still has its size, it is located again, so a picture that moved
 * or changed size in it under a pointer standing still (the guest's
 * mode changed) is told where the pointer is on it now (only a change
 * is sent). Returns whether the pointer is over a picture. */
bool input_pointer_follow(struct input *in);
/* The view whose size changed since the last motion came over it, or
 * -1: where the pointer is in it now, only the window system knows. */
int input_pointer_resized(const struct input *in);
/* The last motion is not followed any more (the window system will
 * say where the pointer is). */
void input_pointer_forget(struct input *in);
/* Relative motion in host pixels; sent only while grabbed. */
void input_pointer_relative(struct input *in, double dx, double dy);
/* BTN_LEFT .. BTN_EXTRA. */
enum input_action input_button(struct input *in, uint16_t button,
			       bool pressed);
/* Wheel in notches (fractions from smooth-scrolling devices): dy > 0 away
 * from the user, dx > 0 to the right. */
void input_wheel(struct input *in, double dx, double dy);
/* A finger at pixel (x, y) of a view. */
void input_touch(struct input *in, int view, int64_t finger,
		 enum input_touch phase, double x, double y);

/* Focus went away: every key, button and finger still held is released. */
void input_release_all(struct input *in);

/* Lock keys (PROTOCOL.md, "Lock LEDs"; bits: LED_NUML 0, LED_CAPSL 1,
 * LED_SCROLLL 2). With cfg.sync_locks, the lock key that brings the
 * guest's LED to the host's state is sent (press, release) when the
 * window gains the keyboard focus and when the guest's LEDs change while
 * it has it; never for a lock whose key was just forwarded or sent and
 * that the guest has not reported on since, nor more than 3 times a lock
 * in one focus. */
void input_set_focus(struct input *in, bool focused);
/* The host's lock state: known says which locks the window system
 * reports, state which of them are on. */
void input_host_locks(struct input *in, uint32_t known, uint32_t state);
/* The guest's LEDs (DEVICE_STATUS): those of mask are now state. */
void input_guest_leds(struct input *in, uint32_t mask, uint32_t state);
/* A new connection: the guest's LEDs are not known until it says. */
void input_forget_guest(struct input *in);
/* Lock keys sent to bring the guest in step, for --stats. */
uint64_t input_locks_sent(const struct input *in);

/* For the tests: value of head position h (continuous, 0..size) on an
 * axis of min..max. */
int32_t input_scale_axis(double h, int size, int32_t min, int32_t max);

#endif
