/* SPDX-License-Identifier: MIT */
/* The demo's input echo state: exactly what each record sequence leaves. */
#include <linux/input-event-codes.h>
#include <string.h>

#include "check.h"
#include "demo/draw.h"

static void
send(struct demo_input_state *st, uint16_t type, uint16_t code,
     uint32_t value)
{
	struct proto_input_event ev = { .type = type, .code = code,
					.value = value };
	demo_input_apply(st, PROTO_DEVICE_KEYBOARD, &ev);
}

/* A press, a SYN_REPORT, a release, a SYN_REPORT: 4 records. */
static void
tap(struct demo_input_state *st, uint16_t code)
{
	send(st, EV_KEY, code, 1);
	send(st, EV_SYN, SYN_REPORT, 0);
	send(st, EV_KEY, code, 0);
	send(st, EV_SYN, SYN_REPORT, 0);
}

static void
tap_shifted(struct demo_input_state *st, uint16_t shift, uint16_t code)
{
	send(st, EV_KEY, shift, 1);
	tap(st, code);
	send(st, EV_KEY, shift, 0);
}

static void
test_letters(void)
{
	struct demo_input_state st;
	demo_input_init(&st);
	CHECK(st.typed[0] == '\0' && st.records == 0 && !st.pointer_seen &&
	      st.last_key == 0, "init leaves an empty state");

	static const uint16_t hello[] = { KEY_H, KEY_E, KEY_L, KEY_L, KEY_O };
	for (size_t i = 0; i < 5; i++)
		tap(&st, hello[i]);
	CHECK(strcmp(st.typed, "hello") == 0, "typed \"%s\"", st.typed);
	CHECK(st.records == 20, "records %llu, want 20",
	      (unsigned long long)st.records);
	CHECK(st.last_key == KEY_O, "last_key %u", st.last_key);

	tap_shifted(&st, KEY_LEFTSHIFT, KEY_W);
	tap(&st, KEY_W);
	tap_shifted(&st, KEY_RIGHTSHIFT, KEY_1);
	CHECK(strcmp(st.typed, "helloWw!") == 0, "typed \"%s\"", st.typed);
	CHECK(!st.shift, "shift released");
	CHECK(st.last_key == KEY_1, "last_key %u, want KEY_1",
	      st.last_key);

	/* Auto-repeat types; releases do not. */
	send(&st, EV_KEY, KEY_Z, 1);
	send(&st, EV_KEY, KEY_Z, 2);
	send(&st, EV_KEY, KEY_Z, 2);
	send(&st, EV_KEY, KEY_Z, 0);
	CHECK(strcmp(st.typed, "helloWw!zzz") == 0, "typed \"%s\"", st.typed);
}

static void
test_punctuation(void)
{
	static const uint16_t keys[] = {
		KEY_GRAVE, KEY_1, KEY_2, KEY_3, KEY_4, KEY_5, KEY_6, KEY_7,
		KEY_8, KEY_9, KEY_0, KEY_MINUS, KEY_EQUAL, KEY_LEFTBRACE,
		KEY_RIGHTBRACE, KEY_BACKSLASH, KEY_SEMICOLON, KEY_APOSTROPHE,
		KEY_COMMA, KEY_DOT, KEY_SLASH, KEY_SPACE,
	};
	struct demo_input_state plain, shifted;
	demo_input_init(&plain);
	demo_input_init(&shifted);
	send(&shifted, EV_KEY, KEY_LEFTSHIFT, 1);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		tap(&plain, keys[i]);
		tap(&shifted, keys[i]);
	}
	CHECK(strcmp(plain.typed, "`1234567890-=[]\\;',./ ") == 0,
	      "unshifted \"%s\"", plain.typed);
	CHECK(strcmp(shifted.typed, "~!@#$%^&*()_+{}|:\"<>? ") == 0,
	      "shifted \"%s\"", shifted.typed);
	CHECK(shifted.shift, "shift still held");
}

static void
test_editing(void)
{
	struct demo_input_state st;
	demo_input_init(&st);
	tap(&st, KEY_BACKSPACE);
	CHECK(st.typed[0] == '\0', "backspace on empty: \"%s\"", st.typed);
	CHECK(st.last_key == KEY_BACKSPACE, "last_key %u", st.last_key);

	tap(&st, KEY_A);
	tap(&st, KEY_B);
	tap(&st, KEY_BACKSPACE);
	tap(&st, KEY_C);
	tap(&st, KEY_ENTER);
	CHECK(strcmp(st.typed, "ac\n") == 0, "typed \"%s\" (Enter is '\\n')",
	      st.typed);

	/* Keys with no character only become last_key. */
	tap(&st, KEY_F1);
	tap(&st, KEY_LEFTCTRL);
	tap(&st, KEY_UP);
	CHECK(strcmp(st.typed, "ac\n") == 0, "typed \"%s\"", st.typed);
	CHECK(st.last_key == KEY_UP, "last_key %u, want KEY_UP", st.last_key);

	/* 40 characters: the oldest 8 are dropped. */
	demo_input_init(&st);
	static const uint16_t row[] = {
		KEY_Q, KEY_W, KEY_E, KEY_R, KEY_T, KEY_Y, KEY_U, KEY_I,
		KEY_O, KEY_P,
	};
	static const uint16_t digits[] = {
		KEY_1, KEY_2, KEY_3, KEY_4, KEY_5, KEY_6, KEY_7, KEY_8,
		KEY_9, KEY_0,
	};
	for (size_t i = 0; i < 10; i++)
		tap(&st, row[i]);
	for (size_t i = 0; i < 10; i++)
		tap(&st, digits[i]);
	for (size_t i = 0; i < 10; i++)
		tap_shifted(&st, KEY_LEFTSHIFT, row[i]);
	for (size_t i = 0; i < 10; i++)
		tap_shifted(&st, KEY_RIGHTSHIFT, digits[i]);
	CHECK(strcmp(st.typed, "op1234567890QWERTYUIOP!@#$%^&*()") == 0,
	      "kept the last 32: \"%s\"", st.typed);
	CHECK(strlen(st.typed) == DEMO_KEYS_MAX, "length %zu",
	      strlen(st.typed));
	tap(&st, KEY_BACKSPACE);
	tap(&st, KEY_DOT);
	CHECK(strcmp(st.typed, "op1234567890QWERTYUIOP!@#$%^&*(.") == 0,
	      "after backspace and '.': \"%s\"", st.typed);
}

static void
test_pointer(void)
{
	struct demo_input_state st;
	demo_input_init(&st);
	struct proto_input_event ev = { EV_KEY, BTN_LEFT, 1 };

	demo_input_apply(&st, PROTO_DEVICE_TABLET, &ev);
	ev.code = BTN_EXTRA;
	demo_input_apply(&st, PROTO_DEVICE_TABLET, &ev);
	CHECK(st.buttons == 0x11, "left+extra: buttons 0x%x", st.buttons);
	CHECK(st.last_key == 0, "buttons are not keys: last_key %u",
	      st.last_key);
	CHECK(st.typed[0] == '\0', "buttons type nothing");

	static const struct { uint16_t code; uint32_t bit; } buttons[] = {
		{ BTN_LEFT, 1u << 0 }, { BTN_RIGHT, 1u << 1 },
		{ BTN_MIDDLE, 1u << 2 }, { BTN_SIDE, 1u << 3 },
		{ BTN_EXTRA, 1u << 4 },
	};
	for (size_t i = 0; i < 5; i++) {
		demo_input_init(&st);
		send(&st, EV_KEY, buttons[i].code, 1);
		CHECK(st.buttons == buttons[i].bit, "button %u: 0x%x",
		      buttons[i].code, st.buttons);
		send(&st, EV_KEY, BTN_LEFT, 1);
		send(&st, EV_KEY, buttons[i].code, 0);
		uint32_t want = buttons[i].code == BTN_LEFT ? 0 : 1u;
		CHECK(st.buttons == want, "after release of %u: 0x%x",
		      buttons[i].code, st.buttons);
	}

	demo_input_init(&st);
	CHECK(!st.pointer_seen, "no pointer before ABS");
	ev = (struct proto_input_event){ EV_ABS, ABS_X, 1000 };
	demo_input_apply(&st, PROTO_DEVICE_TABLET, &ev);
	CHECK(st.pointer_seen && st.abs_x == 1000 && st.abs_y == 0,
	      "ABS_X alone: seen %d x %d y %d", st.pointer_seen, st.abs_x,
	      st.abs_y);
	ev = (struct proto_input_event){ EV_ABS, ABS_Y, 32767 };
	demo_input_apply(&st, PROTO_DEVICE_TABLET, &ev);
	CHECK(st.abs_x == 1000 && st.abs_y == 32767, "x %d y %d", st.abs_x,
	      st.abs_y);
	ev = (struct proto_input_event){ EV_ABS, ABS_PRESSURE, 7 };
	demo_input_apply(&st, PROTO_DEVICE_TABLET, &ev);
	CHECK(st.abs_x == 1000 && st.abs_y == 32767, "other axes ignored");

	send(&st, EV_REL, REL_WHEEL, 1);
	send(&st, EV_REL, REL_WHEEL, 1);
	send(&st, EV_REL, REL_WHEEL, (uint32_t)-3);
	send(&st, EV_REL, REL_X, 50);
	send(&st, EV_REL, REL_HWHEEL, 5);
	send(&st, EV_SYN, SYN_REPORT, 0);
	CHECK(st.wheel == -1, "wheel %d, want -1", st.wheel);
	CHECK(st.records == 9, "records %llu, want 9",
	      (unsigned long long)st.records);
}

static void
test_abs_to_pixel(void)
{
	static const struct { int32_t v; uint32_t size; int32_t want; } cases[] = {
		{ 0, 1024, 0 }, { 32767, 1024, 1023 }, { 32767, 768, 767 },
		{ -1, 1024, 0 }, { -100000, 768, 0 }, { 32768, 1024, 1023 },
		{ 1 << 30, 4096, 4095 }, { 16384, 1024, 511 },
		{ 16383, 1024, 511 }, { 32, 1024, 0 }, { 33, 1024, 1 },
		{ 32767, 1, 0 }, { 32767, 0, 0 }, { 32767, 4096, 4095 },
		{ 10000, 2160, 658 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int32_t got = demo_abs_to_pixel(cases[i].v, cases[i].size);
		CHECK(got == cases[i].want, "abs %d size %u -> %d, want %d",
		      cases[i].v, cases[i].size, got, cases[i].want);
	}
	/* Monotonic and within the head for every device value. */
	int32_t prev = 0;
	for (int32_t v = 0; v <= DEMO_ABS_MAX; v++) {
		int32_t p = demo_abs_to_pixel(v, 1920);
		if (p < prev || p > 1919) {
			CHECK(false, "abs %d -> %d after %d", v, p, prev);
			break;
		}
		prev = p;
	}
}

/* Lock keys toggle their LED on each press (not on auto-repeat, not on
 * release), as a guest's keyboard driver does; Caps Lock swaps the case
 * of letters, Shift still applying on top. */
static void
test_locks(void)
{
	struct demo_input_state st;
	demo_input_init(&st);
	CHECK(st.leds == 0);
	tap(&st, KEY_CAPSLOCK);
	CHECK(st.leds == 1u << LED_CAPSL, "leds 0x%x", st.leds);
	send(&st, EV_KEY, KEY_NUMLOCK, 1);
	send(&st, EV_KEY, KEY_NUMLOCK, 2); /* auto-repeat: no second toggle */
	send(&st, EV_KEY, KEY_NUMLOCK, 0);
	CHECK(st.leds == (1u << LED_CAPSL | 1u << LED_NUML), "leds 0x%x",
	      st.leds);
	tap(&st, KEY_SCROLLLOCK);
	tap(&st, KEY_SCROLLLOCK);
	CHECK(st.leds == (1u << LED_CAPSL | 1u << LED_NUML), "leds 0x%x",
	      st.leds);
	tap(&st, KEY_A);
	tap_shifted(&st, KEY_LEFTSHIFT, KEY_B);
	tap(&st, KEY_1);
	tap(&st, KEY_CAPSLOCK);
	tap(&st, KEY_C);
	CHECK(strcmp(st.typed, "Ab1c") == 0, "typed \"%s\"", st.typed);
	CHECK(st.leds == 1u << LED_NUML, "leds 0x%x", st.leds);
	CHECK(st.last_key == KEY_C, "last_key %u", st.last_key);
}

int
main(void)
{
	test_letters();
	test_punctuation();
	test_editing();
	test_pointer();
	test_abs_to_pixel();
	test_locks();
	if (test_failures == 0)
		printf("demo input: all checks passed\n");
	return (test_failures ? 1 : 0);
}
