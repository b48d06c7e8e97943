/* SPDX-License-Identifier: MIT */
/*
 * The viewers' input records, as QEMU's Keyboard/Mouse/MultiTouch calls on
 * the first console. The pointer the viewers see follows Mouse.IsAbsolute:
 * a tablet (0..32767, scaled to the console's pixels for SetAbsPosition)
 * while QEMU's current pointer is absolute, a relative mouse (RelMotion)
 * otherwise; the device is replaced whenever that flips. Every call is
 * asynchronous: QEMU may be busy calling us. Key calls are paced (see
 * QEMU_KEY_INTERVAL_MS): a burst would overflow a PS/2 guest's queue.
 */
#include <linux/input-event-codes.h>
#include <stdio.h>
#include <string.h>

#include "qemu/private.h"

/* QEMU's Mouse button numbers. */
enum { QBTN_LEFT = 0, QBTN_MIDDLE = 1, QBTN_RIGHT = 2, QBTN_WHEEL_UP = 3,
       QBTN_WHEEL_DOWN = 4, QBTN_SIDE = 5, QBTN_EXTRA = 6 };
/* MultiTouch.SendEvent kinds. */
enum { TOUCH_BEGIN = 0, TOUCH_UPDATE = 1, TOUCH_END = 2 };

#define MAX_SLOTS 10

static void
set_key_bit(struct proto_input_device *dev, unsigned code)
{
	dev->key_bits[code / 8] |= (uint8_t)(1u << (code % 8));
}

static const struct { unsigned code; uint32_t button; } buttons[] = {
	{ BTN_LEFT, QBTN_LEFT }, { BTN_RIGHT, QBTN_RIGHT },
	{ BTN_MIDDLE, QBTN_MIDDLE }, { BTN_SIDE, QBTN_SIDE },
	{ BTN_EXTRA, QBTN_EXTRA }, { BTN_TOUCH, QBTN_LEFT },
};

static bool
qemu_button(unsigned code, uint32_t *button)
{
	for (size_t i = 0; i < sizeof(buttons) / sizeof(buttons[0]); i++) {
		if (buttons[i].code == code) {
			*button = buttons[i].button;
			return true;
		}
	}
	return false;
}

static uint32_t
add_keyboard(struct qemu_bridge *bridge)
{
	struct proto_input_device dev = {
		.kind = PROTO_DEVICE_KEYBOARD,
		/* EV_LED: the guest's lock LEDs, from Keyboard.Modifiers. */
		.ev_bits = (1u << EV_SYN) | (1u << EV_KEY) | (1u << EV_LED),
	};
	snprintf(dev.name, sizeof(dev.name), "QEMU keyboard");
	for (unsigned code = 1; code < KEY_MAX && code < 96 * 8; code++)
		if (qemu_keymap_evdev_to_qnum(code) != 0)
			set_key_bit(&dev, code);
	return server_add_input_device(bridge->server, &dev, NULL);
}

static uint32_t
add_pointer(struct qemu_bridge *bridge, bool absolute)
{
	struct proto_input_device dev = {
		.kind = absolute ? PROTO_DEVICE_TABLET : PROTO_DEVICE_MOUSE,
		.ev_bits = (1u << EV_SYN) | (1u << EV_KEY) | (1u << EV_REL) |
			   (absolute ? 1u << EV_ABS : 0),
		.rel_bits = (1u << REL_WHEEL) |
			    (absolute ? 0 : (1u << REL_X) | (1u << REL_Y)),
		.abs_bits = absolute ? (1ull << ABS_X) | (1ull << ABS_Y) : 0,
		.n_abs = absolute ? 2 : 0,
	};
	snprintf(dev.name, sizeof(dev.name), "QEMU %s",
		 absolute ? "tablet" : "mouse");
	for (size_t i = 0; i < sizeof(buttons) / sizeof(buttons[0]); i++)
		if (buttons[i].code != BTN_TOUCH)
			set_key_bit(&dev, buttons[i].code);
	const struct proto_abs_axis axes[2] = {
		{ .code = ABS_X, .min = 0, .max = QEMU_ABS_MAX },
		{ .code = ABS_Y, .min = 0, .max = QEMU_ABS_MAX },
	};
	return server_add_input_device(bridge->server, &dev,
				       absolute ? axes : NULL);
}

static uint32_t
add_touch(struct qemu_bridge *bridge)
{
	struct proto_input_device dev = {
		.kind = PROTO_DEVICE_TOUCH,
		.ev_bits = (1u << EV_SYN) | (1u << EV_KEY) | (1u << EV_ABS),
		.prop_bits = 1u << INPUT_PROP_DIRECT,
		.abs_bits = (1ull << ABS_MT_SLOT) | (1ull << ABS_MT_POSITION_X) |
			    (1ull << ABS_MT_POSITION_Y) |
			    (1ull << ABS_MT_TRACKING_ID),
		.n_abs = 4,
	};
	snprintf(dev.name, sizeof(dev.name), "QEMU touchscreen");
	set_key_bit(&dev, BTN_TOUCH);
	const struct proto_abs_axis axes[4] = {
		{ .code = ABS_MT_SLOT, .min = 0, .max = MAX_SLOTS - 1 },
		{ .code = ABS_MT_POSITION_X, .min = 0, .max = QEMU_ABS_MAX },
		{ .code = ABS_MT_POSITION_Y, .min = 0, .max = QEMU_ABS_MAX },
		{ .code = ABS_MT_TRACKING_ID, .min = -1, .max = 65535 },
	};
	return server_add_input_device(bridge->server, &dev, axes);
}

void
qemu_input_advertise(struct qemu_bridge *bridge)
{
	if (bridge->keyboard_id == 0)
		bridge->keyboard_id = add_keyboard(bridge);
	struct qemu_console *c = bridge->n_consoles > 0 ?
		&bridge->consoles[0] : NULL;
	bool absolute = bridge->pointer_absolute;
	if (c != NULL && c->mouse != NULL) {
		GVariant *v = g_dbus_proxy_get_cached_property(c->mouse,
							       "IsAbsolute");
		if (v != NULL) {
			absolute = g_variant_get_boolean(v);
			g_variant_unref(v);
		}
	}
	if (bridge->pointer_id == 0 || absolute != bridge->pointer_absolute) {
		if (bridge->pointer_id != 0)
			server_remove_input_device(bridge->server,
						   bridge->pointer_id);
		bridge->pointer_absolute = absolute;
		bridge->pointer_id = add_pointer(bridge, absolute);
		qemu_verbose("pointer is now %s",
			     absolute ? "absolute (tablet)" : "relative (mouse)");
	}
	if (c != NULL && c->keyboard != NULL) {
		GVariant *v = g_dbus_proxy_get_cached_property(c->keyboard,
							       "Modifiers");
		if (v != NULL && g_variant_is_of_type(v, G_VARIANT_TYPE_UINT32))
			qemu_input_modifiers(bridge, g_variant_get_uint32(v));
		if (v != NULL)
			g_variant_unref(v);
	}
	bool touch = c != NULL && c->has_multitouch;
	if (touch && bridge->touch_id == 0) {
		bridge->touch_id = add_touch(bridge);
	} else if (!touch && bridge->touch_id != 0 && c != NULL) {
		server_remove_input_device(bridge->server, bridge->touch_id);
		bridge->touch_id = 0;
	}
}

void
qemu_input_modifiers(struct qemu_bridge *bridge, uint32_t modifiers)
{
	/* QEMU's bits: Scroll 1 << 0, Num 1 << 1, Caps 1 << 2. */
	uint32_t leds = (modifiers & (1u << 1) ? 1u << LED_NUML : 0) |
			(modifiers & (1u << 2) ? 1u << LED_CAPSL : 0) |
			(modifiers & (1u << 0) ? 1u << LED_SCROLLL : 0);
	qemu_verbose("guest LEDs: num %s, caps %s, scroll %s",
		     leds & (1u << LED_NUML) ? "on" : "off",
		     leds & (1u << LED_CAPSL) ? "on" : "off",
		     leds & (1u << LED_SCROLLL) ? "on" : "off");
	if (bridge->keyboard_id != 0)
		server_input_device_set_leds(bridge->server,
					     bridge->keyboard_id, leds);
}

/* --- calls ------------------------------------------------------------- */

/* A call that failed is said (qemu_call_done); a flip of IsAbsolute
 * races the records already sent, and PropertiesChanged re-advertises
 * the pointer. */

static void
call(struct qemu_bridge *bridge, const char *iface, const char *method,
     GVariant *params)
{
	if (!bridge->attached || bridge->n_consoles == 0) {
		g_variant_unref(g_variant_ref_sink(params));
		return;
	}
	g_dbus_connection_call(bridge->control, bridge->peer,
		bridge->consoles[0].path, iface, method, params, NULL,
		G_DBUS_CALL_FLAGS_NO_AUTO_START, QEMU_CALL_TIMEOUT_MS, NULL,
		qemu_call_done, (gpointer)method);
}

static void
send_key(struct qemu_bridge *bridge, const struct qemu_key_call *k)
{
	call(bridge, "org.qemu.Display1.Keyboard", k->press ? "Press" :
	     "Release", g_variant_new("(u)", k->qnum));
}

/* One queued call per tick; the timer stops once a tick finds nothing,
 * so a lone key after a pause goes out at once. */
static gboolean
on_key_tick(gpointer data)
{
	struct qemu_bridge *bridge = data;
	if (bridge->key_count == 0) {
		bridge->key_timer = 0;
		return G_SOURCE_REMOVE;
	}
	struct qemu_key_call k = bridge->keys[bridge->key_head];
	bridge->key_head = (bridge->key_head + 1) % QEMU_KEY_QUEUE;
	bridge->key_count--;
	send_key(bridge, &k);
	return G_SOURCE_CONTINUE;
}

static void
key(struct qemu_bridge *bridge, uint32_t code, int32_t value)
{
	uint32_t qnum = qemu_keymap_evdev_to_qnum(code);
	if (qnum == 0)
		return;
	/* A repeat (2) is another press, as a real keyboard sends. */
	struct qemu_key_call k = { .qnum = qnum, .press = value != 0 };
	if (bridge->key_timer == 0) {
		send_key(bridge, &k);
		bridge->key_timer = g_timeout_add(QEMU_KEY_INTERVAL_MS,
						  on_key_tick, bridge);
		return;
	}
	if (bridge->key_count == QEMU_KEY_QUEUE) {
		qemu_error("%u key calls already wait for QEMU; key 0x%02x "
			   "dropped", QEMU_KEY_QUEUE, qnum);
		return;
	}
	bridge->keys[(bridge->key_head + bridge->key_count) % QEMU_KEY_QUEUE] =
		k;
	bridge->key_count++;
}

void
qemu_input_reset(struct qemu_bridge *bridge)
{
	if (bridge->key_timer != 0)
		g_source_remove(bridge->key_timer);
	bridge->key_timer = 0;
	bridge->key_head = bridge->key_count = 0;
}

static void
button(struct qemu_bridge *bridge, uint32_t b, bool down)
{
	call(bridge, "org.qemu.Display1.Mouse", down ? "Press" : "Release",
	     g_variant_new("(u)", b));
}

static void
wheel(struct qemu_bridge *bridge, int32_t notches)
{
	uint32_t b = notches > 0 ? QBTN_WHEEL_UP : QBTN_WHEEL_DOWN;
	int64_t clicks = notches > 0 ? notches : -(int64_t)notches;
	for (int64_t i = 0; i < clicks && i < 16; i++) {
		button(bridge, b, true);
		button(bridge, b, false);
	}
}

/* A viewer's values are any i32: their sum saturates rather than
 * overflowing. */
static int32_t
add_clamped(int32_t a, int32_t b)
{
	int64_t sum = (int64_t)a + b;
	return sum > INT32_MAX ? INT32_MAX : sum < INT32_MIN ? INT32_MIN :
	       (int32_t)sum;
}

/* 0..QEMU_ABS_MAX to 0..size-1, the ends to the edge pixels. */
static uint32_t
abs_to_pixel(int32_t v, uint32_t size)
{
	if (v < 0)
		v = 0;
	if (v > QEMU_ABS_MAX)
		v = QEMU_ABS_MAX;
	if (size == 0)
		return 0;
	return (uint32_t)(((uint64_t)v * (size - 1) + QEMU_ABS_MAX / 2) /
			  QEMU_ABS_MAX);
}

static void
pointer_batch(struct qemu_bridge *bridge, const struct proto_input_event *ev,
	      uint32_t n)
{
	struct { uint32_t button; bool down; } pressed[PROTO_MAX_INPUT_EVENTS];
	uint32_t n_pressed = 0;
	int32_t wheel_notches = 0;
	for (uint32_t i = 0; i < n; i++) {
		const struct proto_input_event *e = &ev[i];
		int32_t value = (int32_t)e->value;
		uint32_t b;
		if (e->type == EV_ABS && e->code == ABS_X) {
			bridge->abs_x = value;
			bridge->abs_moved = true;
		} else if (e->type == EV_ABS && e->code == ABS_Y) {
			bridge->abs_y = value;
			bridge->abs_moved = true;
		} else if (e->type == EV_REL && e->code == REL_X) {
			bridge->rel_x = add_clamped(bridge->rel_x, value);
		} else if (e->type == EV_REL && e->code == REL_Y) {
			bridge->rel_y = add_clamped(bridge->rel_y, value);
		} else if (e->type == EV_REL && e->code == REL_WHEEL) {
			wheel_notches = add_clamped(wheel_notches, value);
		} else if (e->type == EV_KEY && qemu_button(e->code, &b) &&
			   value != 2) {
			pressed[n_pressed].button = b;
			pressed[n_pressed++].down = value != 0;
		}
	}
	/* The motion first: a click lands where the batch moved to. */
	if (bridge->pointer_absolute && bridge->abs_moved &&
	    bridge->n_consoles > 0) {
		uint32_t w, h;
		qemu_console_size(&bridge->consoles[0], &w, &h);
		call(bridge, "org.qemu.Display1.Mouse", "SetAbsPosition",
		     g_variant_new("(uu)", abs_to_pixel(bridge->abs_x, w),
				   abs_to_pixel(bridge->abs_y, h)));
		bridge->abs_moved = false;
	} else if (!bridge->pointer_absolute &&
		   (bridge->rel_x != 0 || bridge->rel_y != 0)) {
		call(bridge, "org.qemu.Display1.Mouse", "RelMotion",
		     g_variant_new("(ii)", bridge->rel_x, bridge->rel_y));
	}
	bridge->rel_x = bridge->rel_y = 0;
	for (uint32_t i = 0; i < n_pressed; i++)
		button(bridge, pressed[i].button, pressed[i].down);
	if (wheel_notches != 0)
		wheel(bridge, wheel_notches);
}

static void
touch_batch(struct qemu_bridge *bridge, const struct proto_input_event *ev,
	    uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		const struct proto_input_event *e = &ev[i];
		int32_t value = (int32_t)e->value;
		if (e->type != EV_ABS)
			continue;
		if (e->code == ABS_MT_SLOT) {
			bridge->touch_slot = value >= 0 && value < MAX_SLOTS ?
				value : 0;
			continue;
		}
		struct qemu_touch_slot *t = &bridge->touch[bridge->touch_slot];
		if (e->code == ABS_MT_TRACKING_ID)
			t->id = value;
		else if (e->code == ABS_MT_POSITION_X)
			t->x = value;
		else if (e->code == ABS_MT_POSITION_Y)
			t->y = value;
		t->changed = true;
	}
	if (bridge->n_consoles == 0)
		return;
	uint32_t w, h;
	qemu_console_size(&bridge->consoles[0], &w, &h);
	for (uint64_t slot = 0; slot < MAX_SLOTS; slot++) {
		struct qemu_touch_slot *t = &bridge->touch[slot];
		if (!t->changed)
			continue;
		t->changed = false;
		uint32_t kind = t->id < 0 ? TOUCH_END :
			t->down ? TOUCH_UPDATE : TOUCH_BEGIN;
		if (kind == TOUCH_END && !t->down)
			continue;
		t->down = t->id >= 0;
		call(bridge, "org.qemu.Display1.MultiTouch", "SendEvent",
		     g_variant_new("(utdd)", kind, slot,
				   (double)abs_to_pixel(t->x, w),
				   (double)abs_to_pixel(t->y, h)));
	}
}

void
qemu_input_handle(struct qemu_bridge *bridge, uint32_t device_id,
		  uint32_t kind, const struct proto_input_event *ev, uint32_t n)
{
	if (device_id == bridge->keyboard_id) {
		for (uint32_t i = 0; i < n; i++)
			if (ev[i].type == EV_KEY)
				key(bridge, ev[i].code, (int32_t)ev[i].value);
	} else if (device_id == bridge->pointer_id) {
		pointer_batch(bridge, ev, n);
	} else if (device_id == bridge->touch_id && device_id != 0) {
		touch_batch(bridge, ev, n);
	} else {
		qemu_verbose("input for device %u (kind %u), which was "
			     "replaced; dropped", device_id, kind);
	}
}
