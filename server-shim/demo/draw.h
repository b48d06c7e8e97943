/* SPDX-License-Identifier: MIT */
/*
 * The demo VM's picture: pure functions of the frame number and the input
 * received, so golden images are reproducible. No I/O, no clocks.
 */
#ifndef EGLVIEW_DEMO_DRAW_H
#define EGLVIEW_DEMO_DRAW_H

#include <stdbool.h>
#include <stdint.h>

#include "eglview-proto.h"

#define DEMO_KEYS_MAX 32 /* typed characters kept for the echo line */

/* What the demo remembers of the input it received. */
#define DEMO_CLIPBOARD_SHOWN 24

struct demo_input_state {
	char typed[DEMO_KEYS_MAX + 1]; /* last characters typed, oldest first */
	bool shift;                    /* a shift key is held */
	bool pointer_seen;             /* an absolute position arrived */
	int32_t abs_x, abs_y;          /* last ABS_X/ABS_Y, device range 0..32767 */
	uint32_t buttons;              /* bit 0 left, 1 right, 2 middle, 3 side, 4 extra */
	int32_t wheel;                 /* sum of REL_WHEEL values */
	uint32_t last_key;             /* last KEY_* code pressed, 0 if none */
	uint64_t records;              /* records received (SYN_REPORT included) */
	uint32_t width, height;        /* the head, for relative motion; 0: none */
	uint32_t leds;                 /* lock LEDs, bit LED_NUML 0, CAPSL 1, SCROLLL 2 */
	/* The start of the text a viewer's clipboard gave ("" none), shown
	 * after LAST KEY; control characters as '.'. */
	char clipboard[DEMO_CLIPBOARD_SHOWN + 1];
};

#define DEMO_ABS_MAX 32767

void demo_input_init(struct demo_input_state *st);
/* Applies one record from a device of the given kind (enum
 * proto_device_kind). Key presses (value 1) of KEY_A..Z, digits, space,
 * and US-layout punctuation append a character (shift honoured);
 * KEY_BACKSPACE removes one; auto-repeat (value 2) counts as a press.
 * KEY_ENTER appends '\n' (drawn as a return arrow). KEY_CAPSLOCK,
 * KEY_NUMLOCK and KEY_SCROLLLOCK presses toggle their LED, as a guest's
 * keyboard driver does; Caps Lock turns letters to the other case. A
 * relative mouse's
 * REL_X/REL_Y move the pointer by head pixels (width and height set); a
 * touchscreen's ABS_MT_POSITION_X/Y move it too, and BTN_TOUCH shows as
 * the left button. */
void demo_input_apply(struct demo_input_state *st, uint32_t device_kind,
		      const struct proto_input_event *ev);

/* Absolute device coordinates -> head pixels (the same mapping QEMU's
 * tablet uses: v * (size - 1) / 32767, rounded down). */
int32_t demo_abs_to_pixel(int32_t v, uint32_t size);

/* Draws frame number `frame` into an XRGB8888 image: colour bars, a frame
 * counter, a moving element whose position depends only on `frame`, and
 * the echo of `st` (typed text, a marker at the pointer, the buttons). */
void demo_draw_frame(uint32_t *pixels, uint32_t width, uint32_t height,
		     uint32_t stride_bytes, uint64_t frame,
		     const struct demo_input_state *st);
/* The same for one of several heads: head (1..) is named in the panel's
 * title so their windows can be told apart; 0 draws demo_draw_frame's. */
void demo_draw_head_frame(uint32_t *pixels, uint32_t width, uint32_t height,
			  uint32_t stride_bytes, uint64_t frame, uint32_t head,
			  const struct demo_input_state *st);

/* Where frame `frame` can differ from frame - 1 drawn with the same input
 * state: the moving square's old and new places and the frame counter, so
 * the demo can send small damage instead of the whole head. Frame 0 (no
 * predecessor) gives the whole image. Returns the number of rects written,
 * at most DEMO_DAMAGE_MAX. */
#define DEMO_DAMAGE_MAX 2
uint32_t demo_frame_damage(uint32_t width, uint32_t height, uint64_t frame,
			   struct proto_rect out[static DEMO_DAMAGE_MAX]);

/* The microphone's level meter, drawn over the top right corner of the
 * bars while a viewer records (demo/audio.c): "mic -9.0 dBFS" and a bar
 * from -60 to 0 dBFS. tenths: the level in tenths of a dBFS, or
 * DEMO_LEVEL_SILENT (demo/sound.h). demo_meter_rect is where it goes on a
 * head of that size: width 0 where it does not fit. */
struct proto_rect demo_meter_rect(uint32_t width, uint32_t height);
void demo_draw_meter(uint32_t *pixels, uint32_t width, uint32_t height,
		     uint32_t stride_bytes, int32_t tenths);

/* The guest cursor image: premultiplied ARGB8888, width*height pixels. */
struct demo_cursor {
	uint32_t width, height;
	int32_t hot_x, hot_y;
	const uint32_t *pixels;
};
const struct demo_cursor *demo_cursor_image(void);

#endif
