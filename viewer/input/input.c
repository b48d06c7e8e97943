/* SPDX-License-Identifier: MIT */
#include "input/input.h"
#include "input/locks.h"

#include <linux/input-event-codes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BATCH_MAX 64 /* the largest batch: release-all splits into these */

struct batch {
	struct proto_input_event ev[BATCH_MAX];
	uint32_t n;
};

struct input {
	struct input_config cfg;
	struct input_sink sink;
	bool grabbed;

	/* Keys and buttons sent as pressed and not yet released. */
	uint8_t held[KEY_CNT / 8];
	/* Presses not forwarded (hotkeys, the grabbing click): their
	 * releases are not forwarded either. */
	uint8_t swallowed[KEY_CNT / 8];

	int n_heads;
	int sizes[2 * INPUT_MAX_HEADS];
	struct {
		int x, y;            /* where the heads' area starts */
		int out_w, out_h;
		int first, n;        /* the heads it shows */
	} views[INPUT_MAX_HEADS];
	bool pointer_inside;
	/* The last motion, whether a layout was drawn when it came, and
	 * the size of its view then. */
	struct {
		int view;
		double x, y;
		bool placed;
		int out_w, out_h;
	} pointer;
	bool abs_sent;            /* last_abs holds what the tablet was sent */
	int32_t last_abs[2];

	double wheel_hi_rest[2];  /* hi-res units (1/120 notch) not sent yet */
	int32_t wheel_lo_rest[2]; /* hi-res units not yet a whole notch */

	struct {
		bool used;
		int64_t finger;
		int32_t tracking_id;
	} slots[INPUT_MAX_SLOTS];
	int32_t next_tracking_id;

	struct locks locks;       /* host and guest lock state (locks.h) */
};

static bool
bit_get(const uint8_t *bits, unsigned n)
{
	return bits[n / 8] & (1u << (n % 8));
}

static void
bit_set(uint8_t *bits, unsigned n, bool on)
{
	if (on)
		bits[n / 8] |= (uint8_t)(1u << (n % 8));
	else
		bits[n / 8] &= (uint8_t)~(1u << (n % 8));
}

static void
add(struct batch *b, uint16_t type, uint16_t code, int32_t value)
{
	if (b->n < BATCH_MAX - 1)
		b->ev[b->n++] = (struct proto_input_event){
			.type = type, .code = code, .value = (uint32_t)value };
}

/* Ends the batch with SYN_REPORT and sends it to dev. */
static void
flush(struct input *in, const struct input_device *dev, struct batch *b)
{
	if (!dev || b->n == 0)
		return;
	b->ev[b->n++] = (struct proto_input_event){ EV_SYN, SYN_REPORT, 0 };
	in->sink.send(in->sink.data, dev->desc.device_id, b->ev, b->n);
	b->n = 0;
}

static const struct input_device *
device(struct input *in, uint32_t kind)
{
	return in->sink.device(in->sink.data, kind);
}

static bool
has_ev(const struct input_device *dev, unsigned type)
{
	return dev && (dev->desc.ev_bits & (1u << type));
}

static bool
has_key(const struct input_device *dev, unsigned code)
{
	return has_ev(dev, EV_KEY) && code < KEY_CNT &&
	       bit_get(dev->desc.key_bits, code);
}

static bool
has_rel(const struct input_device *dev, unsigned code)
{
	return has_ev(dev, EV_REL) && (dev->desc.rel_bits & (1u << code));
}

static const struct proto_abs_axis *
axis(const struct input_device *dev, unsigned code)
{
	if (!has_ev(dev, EV_ABS) || !(dev->desc.abs_bits & (1ull << code)))
		return NULL;
	uint32_t n = dev->desc.n_abs < INPUT_MAX_AXES ? dev->desc.n_abs :
		     INPUT_MAX_AXES;
	for (uint32_t i = 0; i < n; i++) {
		if (dev->axes[i].code == code)
			return &dev->axes[i];
	}
	return NULL;
}

struct input *
input_create(const struct input_config *cfg, const struct input_sink *sink)
{
	struct input *in = calloc(1, sizeof(*in));
	if (!in)
		return NULL;
	in->cfg = *cfg;
	in->sink = *sink;
	return in;
}

void
input_destroy(struct input *in)
{
	free(in);
}

void
input_set_heads(struct input *in, const int *sizes, int n)
{
	in->n_heads = n < INPUT_MAX_HEADS ? n : INPUT_MAX_HEADS;
	memcpy(in->sizes, sizes, sizeof(int) * 2 * (size_t)in->n_heads);
}

void
input_set_view(struct input *in, int view, int out_w, int out_h, int first,
	       int n)
{
	input_set_tile(in, view, &(struct layout_rect){
		.width = out_w, .height = out_h }, first, n);
}

void
input_set_tile(struct input *in, int view, const struct layout_rect *tile,
	       int first, int n)
{
	if (view < 0 || view >= INPUT_MAX_HEADS)
		return;
	in->views[view].x = tile->x;
	in->views[view].y = tile->y;
	int out_w = tile->width, out_h = tile->height;
	in->views[view].out_w = out_w;
	in->views[view].out_h = out_h;
	in->views[view].first = first;
	in->views[view].n = n;
}

void
input_set_geometry(struct input *in, int out_w, int out_h, const int *sizes,
		   int n)
{
	input_set_heads(in, sizes, n);
	input_set_view(in, 0, out_w, out_h, 0, n);
}

bool
input_relative(const struct input *in)
{
	switch (in->cfg.mouse) {
	case INPUT_MOUSE_RELATIVE:
		return true;
	case INPUT_MOUSE_ABSOLUTE:
		return false;
	case INPUT_MOUSE_AUTO:
		break;
	}
	struct input *mut = (struct input *)in;
	return !device(mut, PROTO_DEVICE_TABLET) &&
	       device(mut, PROTO_DEVICE_MOUSE);
}

bool
input_grabbed(const struct input *in)
{
	return in->grabbed;
}

void
input_set_grabbed(struct input *in, bool grabbed)
{
	if (in->grabbed && !grabbed)
		input_release_all(in);
	in->grabbed = grabbed;
}

/* The device buttons and the wheel go to: the tablet, or the mouse in
 * relative mode. */
static const struct input_device *
pointer_device(struct input *in)
{
	return device(in, input_relative(in) ? PROTO_DEVICE_MOUSE :
					       PROTO_DEVICE_TABLET);
}

static bool
ctrl_alt_held(const struct input *in)
{
	bool ctrl = bit_get(in->held, KEY_LEFTCTRL) ||
		    bit_get(in->held, KEY_RIGHTCTRL);
	bool alt = bit_get(in->held, KEY_LEFTALT) ||
		   bit_get(in->held, KEY_RIGHTALT);
	return ctrl && alt;
}

enum input_action
input_key(struct input *in, uint16_t code, bool pressed, bool repeat)
{
	/* The guest runs its own auto-repeat from the held key. */
	if (repeat || code == 0 || code >= KEY_CNT)
		return INPUT_ACTION_NONE;

	if (!pressed && bit_get(in->swallowed, code)) {
		bit_set(in->swallowed, code, false);
		return INPUT_ACTION_NONE;
	}
	if (pressed && in->cfg.hotkeys && ctrl_alt_held(in)) {
		enum input_action action = INPUT_ACTION_NONE;
		if (code == in->cfg.hotkey && in->grabbed)
			action = INPUT_ACTION_UNGRAB;
		else if (code == KEY_F)
			action = INPUT_ACTION_FULLSCREEN;
		else if (code == KEY_N && in->cfg.next_vm_hotkey)
			action = INPUT_ACTION_NEXT_VM;
		if (action != INPUT_ACTION_NONE) {
			bit_set(in->swallowed, code, true);
			return action;
		}
	}

	const struct input_device *kbd = device(in, PROTO_DEVICE_KEYBOARD);
	if (!has_key(kbd, code))
		return INPUT_ACTION_NONE;
	/* A release of a key pressed before we had focus, or a second press
	 * from a second host keyboard, is not the guest's business. */
	if (bit_get(in->held, code) == pressed)
		return INPUT_ACTION_NONE;
	bit_set(in->held, code, pressed);
	struct batch b = { .n = 0 };
	add(&b, EV_KEY, code, pressed ? 1 : 0);
	flush(in, kbd, &b);
	if (pressed)
		locks_key_forwarded(&in->locks, locks_of_key(code));
	return INPUT_ACTION_NONE;
}

/* Sends the lock keys (press, then release) of the bits in due. */
static void
send_locks(struct input *in, uint32_t due)
{
	if (!in->cfg.sync_locks)
		return;
	const struct input_device *kbd = device(in, PROTO_DEVICE_KEYBOARD);
	for (uint32_t lock = 1; due != 0; lock <<= 1) {
		if (!(due & lock))
			continue;
		due &= ~lock;
		uint16_t code = locks_key_code(lock);
		/* One the user holds is theirs to finish. */
		if (!has_key(kbd, code) || bit_get(in->held, code))
			continue;
		struct batch b = { .n = 0 };
		add(&b, EV_KEY, code, 1);
		flush(in, kbd, &b);
		add(&b, EV_KEY, code, 0);
		flush(in, kbd, &b);
		locks_sent(&in->locks, lock);
	}
}

void
input_set_focus(struct input *in, bool focused)
{
	send_locks(in, locks_focus(&in->locks, focused));
}

void
input_host_locks(struct input *in, uint32_t known, uint32_t state)
{
	send_locks(in, locks_host(&in->locks, known, state));
}

void
input_guest_leds(struct input *in, uint32_t mask, uint32_t state)
{
	send_locks(in, locks_guest(&in->locks, mask, state));
}

void
input_forget_guest(struct input *in)
{
	in->locks.guest_known = 0;
	in->locks.pending = 0;
}

uint64_t
input_locks_sent(const struct input *in)
{
	return in->locks.sent;
}

int32_t
input_scale_axis(double h, int size, int32_t min, int32_t max)
{
	if (size <= 0)
		return min;
	double v = (double)min + h * ((double)max - (double)min) / size;
	double r = floor(v + 0.5);
	if (r < min)
		r = min;
	if (r > max)
		r = max;
	return (int32_t)r;
}

/* A view's position -> head index and head position. false when it lies
 * on no head's picture (a bar, or no head yet). */
static bool
locate(const struct input *in, int view, double x, double y, int *head,
       double *hx, double *hy)
{
	*head = 0;
	*hx = *hy = 0.0;
	if (view < 0 || view >= INPUT_MAX_HEADS)
		return false;
	int out_w = in->views[view].out_w, out_h = in->views[view].out_h;
	int first = in->views[view].first, n = in->views[view].n;
	/* Into the tile's own pixels; outside it is off the output here. */
	x -= in->views[view].x;
	y -= in->views[view].y;
	if (first < 0 || n < 0 || first + n > in->n_heads)
		return false; /* the heads changed since the view was drawn */
	int widths[INPUT_MAX_HEADS];
	for (int i = 0; i < n; i++)
		widths[i] = in->sizes[2 * (first + i)];
	/* Off the output's sides: the edge tile, so a finger dragged off
	 * the window stops at the edge of the picture. */
	double tx = x < 0.0 ? 0.0 : x >= out_w ? out_w - 0.5 : x;
	bool on_output = tx == x && y >= 0.0 && y < out_h;
	for (int i = 0; i < n; i++) {
		struct layout_rect tile = layout_tile(out_w, out_h, widths, n, i);
		if (tx < tile.x || tx >= tile.x + tile.width)
			continue;
		int w = widths[i], h = in->sizes[2 * (first + i) + 1];
		struct layout_rect pic = layout_place(in->cfg.scale, w, h, &tile);
		*head = first + i;
		return layout_output_to_head(w, h, &pic, x, y, hx, hy) &&
		       on_output;
	}
	return false;
}

bool
input_pointer_motion(struct input *in, int view, double x, double y)
{
	int head;
	double hx, hy;
	bool drawn = view >= 0 && view < INPUT_MAX_HEADS && in->views[view].n > 0;
	in->pointer.view = view;
	in->pointer.x = x;
	in->pointer.y = y;
	in->pointer.placed = drawn;
	if (drawn) {
		in->pointer.out_w = in->views[view].out_w;
		in->pointer.out_h = in->views[view].out_h;
	}
	in->pointer_inside = locate(in, view, x, y, &head, &hx, &hy);
	if (!in->pointer_inside || input_relative(in))
		return in->pointer_inside;
	const struct input_device *tablet = device(in, PROTO_DEVICE_TABLET);
	const struct proto_abs_axis *ax = axis(tablet, ABS_X);
	const struct proto_abs_axis *ay = axis(tablet, ABS_Y);
	if (!ax || !ay)
		return true;
	int32_t vx = input_scale_axis(hx, in->sizes[2 * head], ax->min, ax->max);
	int32_t vy = input_scale_axis(hy, in->sizes[2 * head + 1], ay->min,
				      ay->max);
	/* Backends report the position with every button and wheel event
	 * too; the guest hears of a position once. */
	if (in->abs_sent && vx == in->last_abs[0] && vy == in->last_abs[1])
		return true;
	in->abs_sent = true;
	in->last_abs[0] = vx;
	in->last_abs[1] = vy;
	struct batch b = { .n = 0 };
	add(&b, EV_ABS, ABS_X, vx);
	add(&b, EV_ABS, ABS_Y, vy);
	flush(in, tablet, &b);
	return true;
}

bool
input_pointer_follow(struct input *in)
{
	/* A motion before the first frame is not sent later: a picture
	 * appearing under a still pointer is not a motion (QEMU's GTK
	 * window does the same). A resized view is the window system's
	 * to tell (input_pointer_resized). */
	if (!in->pointer.placed || input_pointer_resized(in) >= 0)
		return in->pointer_inside;
	return input_pointer_motion(in, in->pointer.view, in->pointer.x,
				    in->pointer.y);
}

int
input_pointer_resized(const struct input *in)
{
	int view = in->pointer.view;
	if (!in->pointer.placed)
		return -1;
	return in->views[view].out_w != in->pointer.out_w ||
	       in->views[view].out_h != in->pointer.out_h ? view : -1;
}

void
input_pointer_forget(struct input *in)
{
	in->pointer.placed = false;
}

void
input_pointer_relative(struct input *in, double dx, double dy)
{
	const struct input_device *mouse = device(in, PROTO_DEVICE_MOUSE);
	if (!in->grabbed || !input_relative(in))
		return;
	struct batch b = { .n = 0 };
	int32_t ix = (int32_t)lround(dx), iy = (int32_t)lround(dy);
	if (ix != 0 && has_rel(mouse, REL_X))
		add(&b, EV_REL, REL_X, ix);
	if (iy != 0 && has_rel(mouse, REL_Y))
		add(&b, EV_REL, REL_Y, iy);
	flush(in, mouse, &b);
}

enum input_action
input_button(struct input *in, uint16_t button, bool pressed)
{
	if (button >= KEY_CNT)
		return INPUT_ACTION_NONE;
	if (!pressed && bit_get(in->swallowed, button)) {
		bit_set(in->swallowed, button, false);
		return INPUT_ACTION_NONE;
	}
	if (pressed && input_relative(in) && !in->grabbed) {
		/* The click that grabs belongs to the host, not the guest. */
		bit_set(in->swallowed, button, true);
		return INPUT_ACTION_GRAB;
	}
	const struct input_device *dev = pointer_device(in);
	if (!has_key(dev, button) || bit_get(in->held, button) == pressed)
		return INPUT_ACTION_NONE;
	/* A press on a bar is not the guest's; its release always is. */
	if (pressed && !input_relative(in) && !in->pointer_inside)
		return INPUT_ACTION_NONE;
	bit_set(in->held, button, pressed);
	struct batch b = { .n = 0 };
	add(&b, EV_KEY, button, pressed ? 1 : 0);
	flush(in, dev, &b);
	return INPUT_ACTION_NONE;
}

/* One wheel axis: hi-res units as they come, whole notches as they add up
 * (as a Linux hi-res mouse sends them). */
static void
wheel_axis(struct input *in, const struct input_device *dev, struct batch *b,
	   int i, double notches, uint16_t lo_code, uint16_t hi_code)
{
	if (notches == 0.0)
		return;
	if (!has_rel(dev, hi_code)) {
		/* Low-res only: fractions wait until they make a notch. */
		in->wheel_hi_rest[i] += notches * 120.0;
		int32_t n = (int32_t)(in->wheel_hi_rest[i] / 120.0);
		in->wheel_hi_rest[i] -= n * 120.0;
		if (n != 0 && has_rel(dev, lo_code))
			add(b, EV_REL, lo_code, n);
		return;
	}
	in->wheel_hi_rest[i] += notches * 120.0;
	int32_t hi = (int32_t)lround(in->wheel_hi_rest[i]);
	in->wheel_hi_rest[i] -= hi;
	if (hi == 0)
		return;
	add(b, EV_REL, hi_code, hi);
	in->wheel_lo_rest[i] += hi;
	int32_t lo = in->wheel_lo_rest[i] / 120;
	in->wheel_lo_rest[i] -= lo * 120;
	if (lo != 0 && has_rel(dev, lo_code))
		add(b, EV_REL, lo_code, lo);
}

void
input_wheel(struct input *in, double dx, double dy)
{
	if (input_relative(in) ? !in->grabbed : !in->pointer_inside)
		return;
	const struct input_device *dev = pointer_device(in);
	struct batch b = { .n = 0 };
	wheel_axis(in, dev, &b, 0, dy, REL_WHEEL, REL_WHEEL_HI_RES);
	wheel_axis(in, dev, &b, 1, dx, REL_HWHEEL, REL_HWHEEL_HI_RES);
	flush(in, dev, &b);
}

static int
find_slot(const struct input *in, int64_t finger)
{
	for (int i = 0; i < INPUT_MAX_SLOTS; i++) {
		if (in->slots[i].used && in->slots[i].finger == finger)
			return i;
	}
	return -1;
}

static int
fingers_down(const struct input *in)
{
	int n = 0;
	for (int i = 0; i < INPUT_MAX_SLOTS; i++)
		n += in->slots[i].used;
	return n;
}

static void
touch_up(struct input *in, const struct input_device *dev, struct batch *b,
	 int slot)
{
	in->slots[slot].used = false;
	add(b, EV_ABS, ABS_MT_SLOT, slot);
	add(b, EV_ABS, ABS_MT_TRACKING_ID, -1);
	if (fingers_down(in) == 0 && has_key(dev, BTN_TOUCH))
		add(b, EV_KEY, BTN_TOUCH, 0);
}

void
input_touch(struct input *in, int view, int64_t finger,
	    enum input_touch phase, double x, double y)
{
	const struct input_device *dev = device(in, PROTO_DEVICE_TOUCH);
	const struct proto_abs_axis *slot_axis = axis(dev, ABS_MT_SLOT);
	const struct proto_abs_axis *ax = axis(dev, ABS_MT_POSITION_X);
	const struct proto_abs_axis *ay = axis(dev, ABS_MT_POSITION_Y);
	if (!slot_axis || !ax || !ay || !axis(dev, ABS_MT_TRACKING_ID))
		return;
	int n_slots = slot_axis->max + 1;
	if (n_slots > INPUT_MAX_SLOTS)
		n_slots = INPUT_MAX_SLOTS;

	struct batch b = { .n = 0 };
	int slot = find_slot(in, finger);
	if (phase == INPUT_TOUCH_UP) {
		if (slot >= 0)
			touch_up(in, dev, &b, slot);
		flush(in, dev, &b);
		return;
	}

	int head;
	double hx, hy;
	bool inside = locate(in, view, x, y, &head, &hx, &hy);
	if (slot < 0) {
		if (phase != INPUT_TOUCH_DOWN || !inside)
			return; /* a touch that starts on a bar stays the host's */
		for (int i = 0; i < n_slots && slot < 0; i++) {
			if (!in->slots[i].used)
				slot = i;
		}
		if (slot < 0)
			return; /* more fingers than the device has slots */
	} else if (!inside && in->n_heads == 0) {
		return;
	}
	int32_t vx = input_scale_axis(hx, in->sizes[2 * head], ax->min, ax->max);
	int32_t vy = input_scale_axis(hy, in->sizes[2 * head + 1], ay->min,
				      ay->max);
	add(&b, EV_ABS, ABS_MT_SLOT, slot);
	if (!in->slots[slot].used) {
		bool first = fingers_down(in) == 0;
		in->slots[slot].used = true;
		in->slots[slot].finger = finger;
		in->slots[slot].tracking_id = in->next_tracking_id;
		in->next_tracking_id = (in->next_tracking_id + 1) & 0xffff;
		add(&b, EV_ABS, ABS_MT_TRACKING_ID, in->slots[slot].tracking_id);
		if (first && has_key(dev, BTN_TOUCH))
			add(&b, EV_KEY, BTN_TOUCH, 1);
	}
	add(&b, EV_ABS, ABS_MT_POSITION_X, vx);
	add(&b, EV_ABS, ABS_MT_POSITION_Y, vy);
	/* Single-touch readers follow the first finger. */
	const struct proto_abs_axis *sx = axis(dev, ABS_X), *sy = axis(dev, ABS_Y);
	if (sx && sy && slot == 0) {
		add(&b, EV_ABS, ABS_X, input_scale_axis(hx, in->sizes[2 * head],
							sx->min, sx->max));
		add(&b, EV_ABS, ABS_Y, input_scale_axis(hy, in->sizes[2 * head + 1],
							sy->min, sy->max));
	}
	flush(in, dev, &b);
}

/* Releases the held codes in [first, last] on dev in batches. */
static void
release_range(struct input *in, const struct input_device *dev,
	      unsigned first, unsigned last)
{
	struct batch b = { .n = 0 };
	for (unsigned code = first; code <= last; code++) {
		if (!bit_get(in->held, code))
			continue;
		bit_set(in->held, code, false);
		if (!has_key(dev, code))
			continue;
		add(&b, EV_KEY, (uint16_t)code, 0);
		if (b.n == BATCH_MAX - 1)
			flush(in, dev, &b);
	}
	flush(in, dev, &b);
}

void
input_release_all(struct input *in)
{
	/* Buttons first, so a drag ends before its modifier keys do. */
	release_range(in, pointer_device(in), BTN_MISC, BTN_GEAR_UP);
	release_range(in, device(in, PROTO_DEVICE_KEYBOARD), 1, BTN_MISC - 1);
	release_range(in, device(in, PROTO_DEVICE_KEYBOARD), KEY_OK, KEY_CNT - 1);
	memset(in->held, 0, sizeof(in->held));

	const struct input_device *touch = device(in, PROTO_DEVICE_TOUCH);
	struct batch b = { .n = 0 };
	for (int i = 0; i < INPUT_MAX_SLOTS; i++) {
		if (in->slots[i].used)
			touch_up(in, touch, &b, i);
	}
	flush(in, touch, &b);
}
