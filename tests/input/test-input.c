/* SPDX-License-Identifier: MIT */
/*
 * viewer/input.c and the placement maths without a window: positions
 * under every --scale mode (letterbox and crop included), the records of
 * keys, buttons, the wheel (hi-res and not), relative motion, touch, the
 * hotkeys and release-all, the lock keys that keep the guest's LEDs in
 * step, a layout changing under a still pointer, checked record by
 * record.
 */
#include <linux/input-event-codes.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "input/input.h"
#include "layout.h"

/* --- a fake server: devices and the records sent to them ------------- */

static struct input_device devices[5]; /* by kind */
static bool present[5];
struct sent_record {
	uint32_t dev;
	struct proto_input_event ev;
};
static struct sent_record sent[512];
static int n_sent;

static const struct input_device *
sink_device(void *data, uint32_t kind)
{
	(void)data;
	return kind < 5 && present[kind] ? &devices[kind] : NULL;
}

static bool
sink_send(void *data, uint32_t id, const struct proto_input_event *ev,
	  uint32_t n)
{
	(void)data;
	for (uint32_t i = 0; i < n && n_sent < 512; i++)
		sent[n_sent++] = (struct sent_record){ id, ev[i] };
	return true;
}

static void
key_bit(struct input_device *d, unsigned code)
{
	d->desc.key_bits[code / 8] |= (uint8_t)(1u << (code % 8));
}

static void
add_axis(struct input_device *d, unsigned code, int32_t min, int32_t max)
{
	d->desc.abs_bits |= 1ull << code;
	d->axes[d->desc.n_abs++] = (struct proto_abs_axis){ code, min, max, 0, 0, 0 };
}

static void
setup_devices(bool tablet, bool mouse, bool hires, bool touch)
{
	memset(devices, 0, sizeof(devices));
	memset(present, 0, sizeof(present));
	struct input_device *k = &devices[PROTO_DEVICE_KEYBOARD];
	k->desc = (struct proto_input_device){ .device_id = 1,
		.kind = PROTO_DEVICE_KEYBOARD, .ev_bits = 1u << EV_SYN | 1u << EV_KEY };
	for (unsigned c = KEY_ESC; c <= KEY_MICMUTE; c++)
		key_bit(k, c);
	present[PROTO_DEVICE_KEYBOARD] = true;
	unsigned buttons[] = { BTN_LEFT, BTN_RIGHT, BTN_MIDDLE, BTN_SIDE, BTN_EXTRA };
	if (tablet) {
		struct input_device *t = &devices[PROTO_DEVICE_TABLET];
		t->desc = (struct proto_input_device){ .device_id = 2,
			.kind = PROTO_DEVICE_TABLET,
			.ev_bits = 1u << EV_SYN | 1u << EV_KEY | 1u << EV_ABS | 1u << EV_REL,
			.rel_bits = 1u << REL_WHEEL | 1u << REL_HWHEEL };
		/* An odd range, so a mapping that assumes 0..32767 shows. */
		add_axis(t, ABS_X, -1000, 999);
		add_axis(t, ABS_Y, 0, 32767);
		for (int i = 0; i < 5; i++)
			key_bit(t, buttons[i]);
		present[PROTO_DEVICE_TABLET] = true;
	}
	if (mouse) {
		struct input_device *m = &devices[PROTO_DEVICE_MOUSE];
		m->desc = (struct proto_input_device){ .device_id = 3,
			.kind = PROTO_DEVICE_MOUSE,
			.ev_bits = 1u << EV_SYN | 1u << EV_KEY | 1u << EV_REL,
			.rel_bits = 1u << REL_X | 1u << REL_Y | 1u << REL_WHEEL |
				    1u << REL_HWHEEL |
				    (hires ? 1u << REL_WHEEL_HI_RES |
					     1u << REL_HWHEEL_HI_RES : 0) };
		for (int i = 0; i < 5; i++)
			key_bit(m, buttons[i]);
		present[PROTO_DEVICE_MOUSE] = true;
	}
	if (touch) {
		struct input_device *t = &devices[PROTO_DEVICE_TOUCH];
		t->desc = (struct proto_input_device){ .device_id = 4,
			.kind = PROTO_DEVICE_TOUCH,
			.ev_bits = 1u << EV_SYN | 1u << EV_KEY | 1u << EV_ABS };
		add_axis(t, ABS_MT_SLOT, 0, 1);
		add_axis(t, ABS_MT_POSITION_X, 0, 32767);
		add_axis(t, ABS_MT_POSITION_Y, 0, 32767);
		add_axis(t, ABS_MT_TRACKING_ID, 0, 65535);
		key_bit(t, BTN_TOUCH);
		present[PROTO_DEVICE_TOUCH] = true;
	}
	n_sent = 0;
}

/* Checks the records sent since the last call: "dev type code value"... */
static void
expect_records(const char *what, const int32_t (*want)[4], int n)
{
	bool same = n == n_sent;
	for (int i = 0; same && i < n; i++)
		same = sent[i].dev == (uint32_t)want[i][0] &&
		       sent[i].ev.type == want[i][1] &&
		       sent[i].ev.code == want[i][2] &&
		       (int32_t)sent[i].ev.value == want[i][3];
	if (!same) {
		test_failures++;
		fprintf(stderr, "FAIL %s: want %d records, got %d:\n", what, n, n_sent);
		for (int i = 0; i < n_sent; i++)
			fprintf(stderr, "  got  %u %u %u %d\n", sent[i].dev,
				sent[i].ev.type, sent[i].ev.code,
				(int32_t)sent[i].ev.value);
		for (int i = 0; i < n; i++)
			fprintf(stderr, "  want %d %d %d %d\n", want[i][0],
				want[i][1], want[i][2], want[i][3]);
	}
	n_sent = 0;
}

#define EXPECT(what, ...) do { static const int32_t w[][4] = { __VA_ARGS__ }; \
	expect_records(what, w, (int)(sizeof(w) / sizeof(w[0]))); } while (0)
#define NOTHING(what) expect_records(what, NULL, 0)
#define SYN(d) { d, EV_SYN, SYN_REPORT, 0 }

static struct input *
make(enum input_mouse mouse, enum layout_scale scale)
{
	struct input_config cfg = { .mouse = mouse, .hotkeys = true,
				    .hotkey = KEY_G, .scale = scale };
	struct input_sink sink = { sink_device, sink_send, NULL };
	return input_create(&cfg, &sink);
}

/* --- placement --------------------------------------------------------- */

static void
expect_rect(const char *what, struct layout_rect r, int x, int y, int w, int h)
{
	CHECK(r.x == x && r.y == y && r.width == w && r.height == h,
	      "%s: got %d,%d %dx%d, want %d,%d %dx%d", what, r.x, r.y, r.width,
	      r.height, x, y, w, h);
}

static void
test_place(void)
{
	struct layout_rect t = { 0, 0, 1000, 500 };
	expect_rect("fit", layout_place(LAYOUT_SCALE_FIT, 640, 480, &t), 166, 0, 667, 500);
	expect_rect("integer k=1", layout_place(LAYOUT_SCALE_INTEGER, 640, 480, &t),
		    180, 10, 640, 480);
	struct layout_rect small = { 0, 0, 320, 240 };
	expect_rect("integer k=0 falls back to fit",
		    layout_place(LAYOUT_SCALE_INTEGER, 640, 480, &small), 0, 0, 320, 240);
	expect_rect("integer k=0, other aspect",
		    layout_place(LAYOUT_SCALE_INTEGER, 640, 480, &(struct layout_rect){ 0, 0, 400, 100 }),
		    133, 0, 133, 100);
	struct layout_rect big = { 0, 0, 1300, 1000 };
	expect_rect("integer k=2", layout_place(LAYOUT_SCALE_INTEGER, 640, 480, &big),
		    10, 20, 1280, 960);
	expect_rect("stretch", layout_place(LAYOUT_SCALE_STRETCH, 640, 480, &t),
		    0, 0, 1000, 500);
	expect_rect("none, larger tile", layout_place(LAYOUT_SCALE_NONE, 640, 480, &big),
		    330, 260, 640, 480);
	expect_rect("none, cropped", layout_place(LAYOUT_SCALE_NONE, 640, 480, &small),
		    -160, -120, 640, 480);
	struct layout_rect tile2 = { 640, 0, 640, 480 };
	expect_rect("a second tile", layout_place(LAYOUT_SCALE_INTEGER, 320, 240, &tile2),
		    640, 0, 640, 480);
	enum layout_scale m;
	CHECK(layout_scale_parse("integer", &m) && m == LAYOUT_SCALE_INTEGER, "parse");
	CHECK(!layout_scale_parse("zoom", &m), "parse accepts zoom");
	for (int i = 0; i <= LAYOUT_SCALE_NONE; i++)
		CHECK(layout_scale_parse(layout_scale_name(i), &m) && (int)m == i,
		      "name round trip %d", i);
}

/* Pointer positions under each mode, into the tablet's -1000..999 x
 * 0..32767 range. */
static void
test_pointer_modes(void)
{
	static const struct {
		enum layout_scale scale;
		int out_w, out_h;
		double x, y;       /* output position */
		bool inside;
		int32_t ax, ay;
	} cases[] = {
		/* 1:1: the centre of pixel (0,0) and of (639,479):
		 * -1000 + 0.5 * 1999 / 640 = -998.44; 0.5 * 32767 / 480 = 34.1. */
		{ LAYOUT_SCALE_FIT, 640, 480, 0.5, 0.5, true, -998, 34 },
		{ LAYOUT_SCALE_FIT, 640, 480, 639.5, 479.5, true, 997, 32733 },
		/* fit in 1000x500: picture at 166..833; a bar at x 100. */
		{ LAYOUT_SCALE_FIT, 1000, 500, 100.5, 250.5, false, 0, 0 },
		/* (499.5 - 166) * 640 / 667 = 320.0 -> 0; 250.5 * 480 / 500 =
		 * 240.48 -> 16416.4. */
		{ LAYOUT_SCALE_FIT, 1000, 500, 499.5, 250.5, true, 0, 16416 },
		/* integer k=2 in 1300x1000 at (10,20): output 11,21 is head 0.5,0.5. */
		{ LAYOUT_SCALE_INTEGER, 1300, 1000, 11.0, 21.0, true, -998, 34 },
		{ LAYOUT_SCALE_INTEGER, 1300, 1000, 9.5, 500.0, false, 0, 0 },
		/* stretch: x and y scale apart. */
		{ LAYOUT_SCALE_STRETCH, 1280, 240, 640.0, 120.0, true, 0, 16384 },
		/* none in 320x240 (cropped, picture at -160,-120): the
		 * output's corner is head (160,120). */
		{ LAYOUT_SCALE_NONE, 320, 240, 0.0, 0.0, true, -500, 8192 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		setup_devices(true, false, false, false);
		struct input *in = make(INPUT_MOUSE_AUTO, cases[i].scale);
		int sizes[2] = { 640, 480 };
		input_set_geometry(in, cases[i].out_w, cases[i].out_h, sizes, 1);
		bool inside = input_pointer_motion(in, 0, cases[i].x, cases[i].y);
		CHECK(inside == cases[i].inside, "case %zu: inside %d", i, inside);
		if (cases[i].inside) {
			int32_t w[3][4] = { { 2, EV_ABS, ABS_X, cases[i].ax },
					    { 2, EV_ABS, ABS_Y, cases[i].ay }, SYN(2) };
			char what[32];
			snprintf(what, sizeof(what), "pointer case %zu", i);
			expect_records(what, (const int32_t (*)[4])w, 3);
		} else {
			NOTHING("a bar");
		}
		input_destroy(in);
	}
	/* Two heads side by side: the second one's left edge is its min. */
	setup_devices(true, false, false, false);
	struct input *in = make(INPUT_MOUSE_AUTO, LAYOUT_SCALE_FIT);
	int sizes[4] = { 640, 480, 320, 480 };
	input_set_geometry(in, 960, 480, sizes, 2);
	input_pointer_motion(in, 0, 640.0, 0.0);
	EXPECT("second head", { 2, EV_ABS, ABS_X, -1000 }, { 2, EV_ABS, ABS_Y, 0 }, SYN(2));
	/* The same position again is not sent again. */
	input_pointer_motion(in, 0, 640.05, 0.0);
	NOTHING("an unchanged position");
	input_destroy(in);

	/* A window per head: view 1 (640x480) shows only head 1 (320x480)
	 * fitted 320 wide at x 160; its own left edge is min. */
	in = make(INPUT_MOUSE_AUTO, LAYOUT_SCALE_FIT);
	input_set_heads(in, sizes, 2);
	input_set_view(in, 0, 640, 480, 0, 1);
	input_set_view(in, 1, 640, 480, 1, 1);
	CHECK(!input_pointer_motion(in, 1, 100.0, 10.0), "view 1's bar is a head");
	NOTHING("a bar of view 1");
	CHECK(input_pointer_motion(in, 1, 160.0, 0.0), "view 1's picture missed");
	EXPECT("view 1, head 1's left edge", { 2, EV_ABS, ABS_X, -1000 },
	       { 2, EV_ABS, ABS_Y, 0 }, SYN(2));
	input_pointer_motion(in, 0, 320.0, 240.0);
	EXPECT("view 0, head 0's centre", { 2, EV_ABS, ABS_X, 0 },
	       { 2, EV_ABS, ABS_Y, 16384 }, SYN(2));
	input_destroy(in);
}

static void
test_keys_and_hotkeys(void)
{
	setup_devices(false, true, true, false);
	struct input *in = make(INPUT_MOUSE_AUTO, LAYOUT_SCALE_FIT);
	CHECK(input_relative(in), "a mouse and no tablet is relative mode");
	input_key(in, KEY_A, true, false);
	input_key(in, KEY_A, true, true); /* host auto-repeat */
	input_key(in, KEY_A, false, false);
	input_key(in, KEY_B, false, false); /* never pressed here */
	EXPECT("a press, a repeat, a release", { 1, EV_KEY, KEY_A, 1 }, SYN(1),
	       { 1, EV_KEY, KEY_A, 0 }, SYN(1));

	/* Relative mode: the first click grabs and is not sent. */
	int sizes[2] = { 640, 480 };
	input_set_geometry(in, 640, 480, sizes, 1);
	input_pointer_relative(in, 5, 5);
	CHECK(input_button(in, BTN_LEFT, true) == INPUT_ACTION_GRAB, "no grab");
	input_set_grabbed(in, true);
	CHECK(input_button(in, BTN_LEFT, false) == INPUT_ACTION_NONE, "release");
	NOTHING("the grabbing click");
	input_pointer_relative(in, 3, -2);
	input_button(in, BTN_SIDE, true);
	EXPECT("grabbed motion and a button", { 3, EV_REL, REL_X, 3 },
	       { 3, EV_REL, REL_Y, -2 }, SYN(3), { 3, EV_KEY, BTN_SIDE, 1 }, SYN(3));
	input_wheel(in, 0, 0.5);
	input_wheel(in, 0, 0.5);
	input_wheel(in, -1, 0);
	EXPECT("hi-res wheel", { 3, EV_REL, REL_WHEEL_HI_RES, 60 }, SYN(3),
	       { 3, EV_REL, REL_WHEEL_HI_RES, 60 }, { 3, EV_REL, REL_WHEEL, 1 }, SYN(3),
	       { 3, EV_REL, REL_HWHEEL_HI_RES, -120 }, { 3, EV_REL, REL_HWHEEL, -1 },
	       SYN(3));

	/* Ctrl+Alt+G: Ctrl and Alt went to the guest, G does not; the
	 * ungrab releases what is held (the button too). */
	input_key(in, KEY_LEFTCTRL, true, false);
	input_key(in, KEY_RIGHTALT, true, false);
	CHECK(input_key(in, KEY_G, true, false) == INPUT_ACTION_UNGRAB, "no ungrab");
	input_set_grabbed(in, false);
	input_key(in, KEY_G, false, false);
	input_key(in, KEY_RIGHTALT, false, false);
	input_key(in, KEY_LEFTCTRL, false, false);
	EXPECT("hotkey", { 1, EV_KEY, KEY_LEFTCTRL, 1 }, SYN(1),
	       { 1, EV_KEY, KEY_RIGHTALT, 1 }, SYN(1),
	       { 3, EV_KEY, BTN_SIDE, 0 }, SYN(3),
	       { 1, EV_KEY, KEY_LEFTCTRL, 0 }, { 1, EV_KEY, KEY_RIGHTALT, 0 }, SYN(1));
	input_pointer_relative(in, 1, 1);
	NOTHING("motion after the ungrab");
	/* Ctrl+Alt+F toggles fullscreen, grabbed or not. */
	input_key(in, KEY_LEFTCTRL, true, false);
	input_key(in, KEY_LEFTALT, true, false);
	CHECK(input_key(in, KEY_F, true, false) == INPUT_ACTION_FULLSCREEN, "fullscreen");
	input_key(in, KEY_F, false, false);
	/* Focus lost with keys held. */
	input_release_all(in);
	EXPECT("release-all", { 1, EV_KEY, KEY_LEFTCTRL, 1 }, SYN(1),
	       { 1, EV_KEY, KEY_LEFTALT, 1 }, SYN(1),
	       { 1, EV_KEY, KEY_LEFTCTRL, 0 }, { 1, EV_KEY, KEY_LEFTALT, 0 }, SYN(1));
	input_destroy(in);

	/* --no-hotkeys: G goes to the guest. */
	setup_devices(true, false, false, false);
	struct input_config cfg = { .mouse = INPUT_MOUSE_AUTO, .hotkeys = false,
				    .hotkey = KEY_G };
	struct input_sink sink = { sink_device, sink_send, NULL };
	in = input_create(&cfg, &sink);
	input_key(in, KEY_LEFTCTRL, true, false);
	input_key(in, KEY_LEFTALT, true, false);
	CHECK(input_key(in, KEY_F, true, false) == INPUT_ACTION_NONE, "hotkey with --no-hotkeys");
	EXPECT("no hotkeys", { 1, EV_KEY, KEY_LEFTCTRL, 1 }, SYN(1),
	       { 1, EV_KEY, KEY_LEFTALT, 1 }, SYN(1), { 1, EV_KEY, KEY_F, 1 }, SYN(1));
	input_destroy(in);
}

static void
test_absolute_buttons_wheel(void)
{
	setup_devices(true, false, false, false);
	struct input *in = make(INPUT_MOUSE_AUTO, LAYOUT_SCALE_FIT);
	int sizes[2] = { 640, 480 };
	input_set_geometry(in, 1000, 500, sizes, 1);
	input_pointer_motion(in, 0, 50, 50); /* a bar */
	input_button(in, BTN_LEFT, true);
	input_wheel(in, 0, 1);
	NOTHING("button and wheel on a bar");
	input_button(in, BTN_LEFT, false);
	input_pointer_motion(in, 0, 499.5, 250.5);
	input_button(in, BTN_RIGHT, true);
	input_pointer_motion(in, 0, 50, 50);  /* dragged off the picture */
	input_button(in, BTN_RIGHT, false);
	input_wheel(in, 0, 0.4);           /* low-res: waits for a notch */
	input_wheel(in, 0, 0.6);
	EXPECT("drag and wheel", { 2, EV_ABS, ABS_X, 0 }, { 2, EV_ABS, ABS_Y, 16416 },
	       SYN(2), { 2, EV_KEY, BTN_RIGHT, 1 }, SYN(2),
	       { 2, EV_KEY, BTN_RIGHT, 0 }, SYN(2));
	input_pointer_motion(in, 0, 499.5, 250.5);
	input_wheel(in, 0, -1);
	/* Back where the guest last heard it was: no position again. */
	EXPECT("wheel down", { 2, EV_REL, REL_WHEEL, -1 }, SYN(2));
	input_destroy(in);
}

static void
test_touch(void)
{
	setup_devices(true, false, false, true);
	struct input *in = make(INPUT_MOUSE_AUTO, LAYOUT_SCALE_FIT);
	int sizes[2] = { 640, 480 };
	input_set_geometry(in, 640, 480, sizes, 1);
	input_touch(in, 0, 7, INPUT_TOUCH_DOWN, 320, 240);
	input_touch(in, 0, 9, INPUT_TOUCH_DOWN, 0, 0);
	input_touch(in, 0, 11, INPUT_TOUCH_DOWN, 10, 10); /* no third slot */
	input_touch(in, 0, 7, INPUT_TOUCH_MOTION, 640, 480);
	input_touch(in, 0, 7, INPUT_TOUCH_UP, 0, 0);
	EXPECT("two fingers",
	       { 4, EV_ABS, ABS_MT_SLOT, 0 }, { 4, EV_ABS, ABS_MT_TRACKING_ID, 0 },
	       { 4, EV_KEY, BTN_TOUCH, 1 }, { 4, EV_ABS, ABS_MT_POSITION_X, 16384 },
	       { 4, EV_ABS, ABS_MT_POSITION_Y, 16384 }, SYN(4),
	       { 4, EV_ABS, ABS_MT_SLOT, 1 }, { 4, EV_ABS, ABS_MT_TRACKING_ID, 1 },
	       { 4, EV_ABS, ABS_MT_POSITION_X, 0 }, { 4, EV_ABS, ABS_MT_POSITION_Y, 0 },
	       SYN(4),
	       { 4, EV_ABS, ABS_MT_SLOT, 0 }, { 4, EV_ABS, ABS_MT_POSITION_X, 32767 },
	       { 4, EV_ABS, ABS_MT_POSITION_Y, 32767 }, SYN(4),
	       { 4, EV_ABS, ABS_MT_SLOT, 0 }, { 4, EV_ABS, ABS_MT_TRACKING_ID, -1 },
	       SYN(4));
	input_release_all(in); /* focus lost with finger 9 down */
	EXPECT("release-all lifts the last finger",
	       { 4, EV_ABS, ABS_MT_SLOT, 1 }, { 4, EV_ABS, ABS_MT_TRACKING_ID, -1 },
	       { 4, EV_KEY, BTN_TOUCH, 0 }, SYN(4));
	input_destroy(in);
}

/* Several VMs: a VM's heads in a tile of the view, and Ctrl+Alt+N. */
static void
test_tile_and_next_vm(void)
{
	setup_devices(true, false, false, false);
	struct input_config cfg = { .mouse = INPUT_MOUSE_AUTO, .hotkeys = true,
				    .hotkey = KEY_G, .next_vm_hotkey = true };
	struct input_sink sink = { sink_device, sink_send, NULL };
	struct input *in = input_create(&cfg, &sink);
	int sizes[2] = { 640, 480 };
	input_set_heads(in, sizes, 1);
	/* The second cell of a 1280x480 row: view x 640.. is head x 0.. */
	input_set_tile(in, 0, &(struct layout_rect){ 640, 0, 640, 480 }, 0, 1);
	CHECK(!input_pointer_motion(in, 0, 320.5, 240.5),
	      "a point in the other VM's tile is on this VM's picture");
	NOTHING("motion over the other tile");
	CHECK(input_pointer_motion(in, 0, 640.5, 0.5), "the tile's first pixel");
	CHECK(input_pointer_motion(in, 0, 1279.5, 479.5), "the tile's last pixel");
	/* Head pixel centres: x 0.5 and 639.5 of 640 on -1000..999 are
	 * -1000 + 0.5 * 1999 / 640 = -998.4 and 997.4; y 0.5 and 479.5 of
	 * 480 on 0..32767 are 34.1 and 32732.9. */
	EXPECT("mapped through the tile",
	       { 2, EV_ABS, ABS_X, -998 }, { 2, EV_ABS, ABS_Y, 34 }, SYN(2),
	       { 2, EV_ABS, ABS_X, 997 }, { 2, EV_ABS, ABS_Y, 32733 }, SYN(2));
	input_button(in, BTN_LEFT, true);
	input_button(in, BTN_LEFT, false);
	EXPECT("a click on the tile", { 2, EV_KEY, BTN_LEFT, 1 }, SYN(2),
	       { 2, EV_KEY, BTN_LEFT, 0 }, SYN(2));
	input_pointer_motion(in, 0, 100.5, 100.5);
	input_button(in, BTN_LEFT, true);
	NOTHING("a press off the tile");

	input_key(in, KEY_LEFTCTRL, true, false);
	input_key(in, KEY_LEFTALT, true, false);
	CHECK(input_key(in, KEY_N, true, false) == INPUT_ACTION_NEXT_VM,
	      "Ctrl+Alt+N with several VMs");
	input_key(in, KEY_N, false, false);
	EXPECT("N is the viewer's", { 1, EV_KEY, KEY_LEFTCTRL, 1 }, SYN(1),
	       { 1, EV_KEY, KEY_LEFTALT, 1 }, SYN(1));
	input_release_all(in);
	n_sent = 0;
	input_destroy(in);

	/* One VM: Ctrl+Alt+N is the guest's. */
	cfg.next_vm_hotkey = false;
	in = input_create(&cfg, &sink);
	input_key(in, KEY_LEFTCTRL, true, false);
	input_key(in, KEY_LEFTALT, true, false);
	CHECK(input_key(in, KEY_N, true, false) == INPUT_ACTION_NONE,
	      "Ctrl+Alt+N with one VM");
	EXPECT("N goes to the one VM", { 1, EV_KEY, KEY_LEFTCTRL, 1 }, SYN(1),
	       { 1, EV_KEY, KEY_LEFTALT, 1 }, SYN(1), { 1, EV_KEY, KEY_N, 1 },
	       SYN(1));
	input_destroy(in);
}

/* A layout that changes under a pointer standing still. */
static void
test_pointer_follow(void)
{
	setup_devices(true, false, false, false);
	struct input *in = make(INPUT_MOUSE_AUTO, LAYOUT_SCALE_FIT);
	int sizes[2] = { 640, 480 };
	/* A motion before anything was drawn is not sent, then or later. */
	input_set_heads(in, sizes, 1);
	CHECK(!input_pointer_motion(in, 0, 400.5, 250.5), "no layout yet");
	input_set_view(in, 0, 1000, 500, 0, 1);
	CHECK(!input_pointer_follow(in), "a motion before the first frame");
	NOTHING("a picture appearing under the pointer");
	CHECK(input_pointer_resized(in) < 0, "no motion over a layout yet");
	/* The 640x480 head in a 1000x500 view (the picture at 166..833):
	 * output 400.5,250.5 is head 225.0,240.48 (-1000 + 225.0 * 1999 /
	 * 640 = -297.2; 240.48 * 32767 / 480 = 16416.4). */
	input_pointer_motion(in, 0, 400.5, 250.5);
	EXPECT("over the picture", { 2, EV_ABS, ABS_X, -297 },
	       { 2, EV_ABS, ABS_Y, 16416 }, SYN(2));
	CHECK(input_pointer_follow(in), "over the picture, nothing changed");
	NOTHING("the same layout again");
	/* The guest's mode is 320x480 now (the picture at 333..666): head
	 * x (400.5 - 333) * 320 / 333 = 64.9, -1000 + 64.9 * 1999 / 320 =
	 * -594.8. */
	sizes[0] = 320;
	input_set_heads(in, sizes, 1);
	input_set_view(in, 0, 1000, 500, 0, 1);
	CHECK(input_pointer_follow(in), "over the narrower picture");
	EXPECT("the guest's mode changed under the pointer",
	       { 2, EV_ABS, ABS_X, -595 }, { 2, EV_ABS, ABS_Y, 16416 }, SYN(2));
	/* The view changed size (the 320x480 picture at 300..699, still
	 * under 400.5): not followed, the window system knows where it is. */
	input_set_view(in, 0, 1000, 600, 0, 1);
	CHECK(input_pointer_resized(in) == 0, "view 0 resized");
	CHECK(input_pointer_follow(in), "still over the picture as last seen");
	NOTHING("a resized view is not followed");
	input_pointer_forget(in);
	CHECK(input_pointer_resized(in) < 0, "forgotten");
	/* The window system's motion in the new layout: sent. */
	CHECK(!input_pointer_motion(in, 0, 100.5, 250.5), "a bar of 1000x600");
	NOTHING("the bar");
	CHECK(input_pointer_resized(in) < 0, "seen in the new size");
	input_destroy(in);
}

/* --- lock keys (PROTOCOL.md, "Lock LEDs") ------------------------------ */

#define CAPS (1u << LED_CAPSL)
#define NUM (1u << LED_NUML)
#define SCROLL (1u << LED_SCROLLL)
#define TOGGLE(key) { 1, EV_KEY, key, 1 }, SYN(1), { 1, EV_KEY, key, 0 }, SYN(1)

static struct input *
make_locks(bool sync)
{
	struct input_config cfg = { .mouse = INPUT_MOUSE_AUTO, .hotkeys = true,
				    .hotkey = KEY_G, .sync_locks = sync };
	struct input_sink sink = { sink_device, sink_send, NULL };
	return input_create(&cfg, &sink);
}

static void
test_locks(void)
{
	setup_devices(true, false, false, false);
	struct input *in = make_locks(true);
	/* Nothing is known yet: nothing to do. */
	input_set_focus(in, true);
	input_host_locks(in, NUM | CAPS | SCROLL, CAPS);
	NOTHING("host known, guest not");
	/* The guest says all off while focused: Caps is brought to the host's. */
	input_guest_leds(in, NUM | CAPS | SCROLL, 0);
	EXPECT("guest reported, caps differs", TOGGLE(KEY_CAPSLOCK));
	/* Not again before the guest answers, whatever else happens. */
	input_host_locks(in, NUM | CAPS | SCROLL, CAPS);
	input_guest_leds(in, NUM, 0);
	NOTHING("caps awaits the guest");
	input_guest_leds(in, CAPS, CAPS);
	NOTHING("the guest followed");

	/* The user presses Num Lock: forwarded, and the host's state that
	 * changes with it is not answered by another toggle. */
	CHECK(input_key(in, KEY_NUMLOCK, true, false) == INPUT_ACTION_NONE);
	CHECK(input_key(in, KEY_NUMLOCK, false, false) == INPUT_ACTION_NONE);
	EXPECT("num forwarded", { 1, EV_KEY, KEY_NUMLOCK, 1 }, SYN(1),
	       { 1, EV_KEY, KEY_NUMLOCK, 0 }, SYN(1));
	input_host_locks(in, NUM | CAPS | SCROLL, CAPS | NUM);
	NOTHING("the user's own num lock");
	input_guest_leds(in, NUM, NUM);
	NOTHING("the guest followed the user");

	/* Focus goes and the host's Caps Lock goes off elsewhere; back in
	 * focus the guest is brought along. */
	input_set_focus(in, false);
	input_host_locks(in, NUM | CAPS | SCROLL, NUM);
	NOTHING("unfocused");
	input_set_focus(in, true);
	EXPECT("focus gained, caps differs", TOGGLE(KEY_CAPSLOCK));

	/* A guest that ignores the key is given it once a focus. */
	input_guest_leds(in, SCROLL, 0);
	NOTHING("scroll agrees");
	input_set_focus(in, false);
	input_set_focus(in, true);
	EXPECT("a new focus tries caps again", TOGGLE(KEY_CAPSLOCK));

	/* A guest that flips it back each time is tried at most 3 times a
	 * focus. */
	input_guest_leds(in, CAPS, CAPS);
	EXPECT("it answered wrongly: try 2", TOGGLE(KEY_CAPSLOCK));
	input_guest_leds(in, CAPS, CAPS);
	EXPECT("try 3", TOGGLE(KEY_CAPSLOCK));
	input_guest_leds(in, CAPS, CAPS);
	NOTHING("no fourth try");

	/* A lock the host does not know of (Wayland's Scroll Lock) is left
	 * as the guest has it. */
	input_guest_leds(in, CAPS, 0);
	input_host_locks(in, NUM | CAPS, NUM);
	input_guest_leds(in, SCROLL, SCROLL);
	NOTHING("scroll unknown to the host");

	/* A new connection: nothing known until the guest says. */
	input_forget_guest(in);
	input_host_locks(in, NUM | CAPS, CAPS);
	NOTHING("forgotten");
	input_destroy(in);

	/* --no-sync-locks: never. */
	setup_devices(true, false, false, false);
	in = make_locks(false);
	input_set_focus(in, true);
	input_host_locks(in, NUM | CAPS | SCROLL, CAPS | NUM);
	input_guest_leds(in, NUM | CAPS | SCROLL, 0);
	NOTHING("--no-sync-locks");
	input_destroy(in);

	/* A keyboard without the lock key gets nothing. */
	setup_devices(true, false, false, false);
	devices[PROTO_DEVICE_KEYBOARD].desc.key_bits[KEY_CAPSLOCK / 8] &=
		(uint8_t)~(1u << (KEY_CAPSLOCK % 8));
	in = make_locks(true);
	input_set_focus(in, true);
	input_host_locks(in, CAPS, CAPS);
	input_guest_leds(in, CAPS, 0);
	NOTHING("no KEY_CAPSLOCK on the keyboard");
	CHECK(input_locks_sent(in) == 0);
	input_destroy(in);
}

int
main(void)
{
	test_place();
	test_pointer_modes();
	test_keys_and_hotkeys();
	test_absolute_buttons_wheel();
	test_touch();
	test_tile_and_next_vm();
	test_pointer_follow();
	test_locks();
	if (test_failures == 0)
		printf("all input and placement checks passed\n");
	return test_failures ? 1 : 0;
}
