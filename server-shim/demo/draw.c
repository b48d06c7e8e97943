/* SPDX-License-Identifier: MIT */
/*
 * The demo VM's picture and its memory of the input it received. Integer
 * arithmetic only, no clocks: a frame is a pure function of its number, the
 * head size and the input state, so golden images match on every machine.
 */
#include "demo/draw.h"

#include <inttypes.h>
#include <linux/input-event-codes.h>
#include <stdio.h>
#include <string.h>

#include "demo/font.h"
#include "demo/sound.h"
#include "proto.h"

/* 75% intensity bars in the classic test-pattern order. */
static const uint32_t bar_colours[8] = {
	0xffbfbfbf, /* white */
	0xffbfbf00, /* yellow */
	0xff00bfbf, /* cyan */
	0xff00bf00, /* green */
	0xffbf00bf, /* magenta */
	0xffbf0000, /* red */
	0xff0000bf, /* blue */
	0xff000000, /* black */
};

#define COLOUR_BORDER 0xff808080
#define COLOUR_TRACK 0xff181818
#define COLOUR_TRACK_RAIL 0xff383838
#define COLOUR_SQUARE 0xffffffff
#define COLOUR_PANEL 0xff1c1e26
#define COLOUR_LABEL 0xff8c9cb4
#define COLOUR_VALUE 0xfff0f0f0
#define COLOUR_DIM 0xff5a5e6a
#define COLOUR_HELD_FG 0xffffff40
#define COLOUR_HELD_BG 0xffd01818
#define COLOUR_CURSOR 0xff70e070
#define COLOUR_MARK_OUTLINE 0xff000000
#define COLOUR_MARK_RING 0xffffffff
#define COLOUR_MARK_DOT 0xffff8000 /* in no bar, so the spot always changes */
#define COLOUR_METER_LEVEL COLOUR_CURSOR

#define SQUARE_STEP 4    /* pixels the square moves per frame */
#define PANEL_LINES 6
#define PANEL_COLUMNS 42 /* "KEYS: " + DEMO_KEYS_MAX + cursor + margin */

/* Where everything goes on a head of a given size. */
struct layout {
	uint32_t width, height;
	uint32_t border;
	uint32_t in_x, in_y, in_w, in_h; /* inside the border frame */
	uint32_t bars_h;
	uint32_t track_y, track_h;
	uint32_t square, square_y;
	uint32_t square_x0, square_span; /* left edge moves over x0..x0+span */
	uint32_t panel_y, panel_h;
	uint32_t scale, line_h, text_x, text_y;
};

static uint32_t
min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static uint32_t
max_u32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

static void
layout_compute(struct layout *l, uint32_t width, uint32_t height)
{
	*l = (struct layout){ .width = width, .height = height };
	uint32_t shorter = min_u32(width, height);

	l->border = max_u32(1, shorter / 256);
	if (2 * l->border >= width || 2 * l->border >= height)
		return; /* all border */
	l->in_x = l->in_y = l->border;
	l->in_w = width - 2 * l->border;
	l->in_h = height - 2 * l->border;

	l->bars_h = l->in_h * 60 / 100;

	/* 32 px at 768 lines, growing with the head. */
	l->square = max_u32(2, shorter / 24);
	uint32_t pad = max_u32(1, l->square / 4);
	l->track_y = l->in_y + l->bars_h;
	l->track_h = min_u32(l->square + 2 * pad, l->in_h - l->bars_h);
	l->square_y = l->track_y + pad;
	l->square_x0 = l->in_x + pad;
	if (l->in_w > l->square + 2 * pad)
		l->square_span = l->in_w - l->square - 2 * pad;

	l->panel_y = l->track_y + l->track_h;
	l->panel_h = l->in_h - l->bars_h - l->track_h;

	/* 2x at 640x480, 3x at 1024x768 (rounded); never wider than the
	 * panel's longest line. */
	l->scale = max_u32(1, min_u32((shorter + 128) / 256,
				      l->in_w / (PANEL_COLUMNS * FONT_CELL_W)));
	while (l->scale > 1 &&
	       (PANEL_LINES * 12 + 2) * l->scale > l->panel_h)
		l->scale--;
	l->line_h = 12 * l->scale;
	uint32_t block_h = PANEL_LINES * l->line_h - 4 * l->scale;
	l->text_x = l->in_x + 4 * l->scale;
	l->text_y = l->panel_y + 2 * l->scale;
	if (l->panel_h > block_h)
		l->text_y = l->panel_y + (l->panel_h - block_h) / 2;
}

/* The square bounces between the track's ends, SQUARE_STEP px a frame. */
static uint32_t
square_x(const struct layout *l, uint64_t frame)
{
	if (l->square_span == 0)
		return l->square_x0;
	uint64_t period = 2 * (uint64_t)l->square_span;
	/* 4 * frame mod period without overflowing for huge frame numbers. */
	uint64_t p = (frame % period) * SQUARE_STEP % period;
	if (p > l->square_span)
		p = period - p;
	return l->square_x0 + (uint32_t)p;
}

static uint32_t *
row_ptr(uint32_t *pixels, uint32_t stride_bytes, uint32_t y)
{
	return (uint32_t *)((uint8_t *)pixels + (size_t)y * stride_bytes);
}

/* Fills the part of the rectangle inside the image. */
static void
fill_rect(uint32_t *pixels, const struct layout *l, uint32_t stride_bytes,
	  int64_t x, int64_t y, int64_t w, int64_t h, uint32_t colour)
{
	int64_t x0 = x < 0 ? 0 : x;
	int64_t y0 = y < 0 ? 0 : y;
	int64_t x1 = x + w > (int64_t)l->width ? (int64_t)l->width : x + w;
	int64_t y1 = y + h > (int64_t)l->height ? (int64_t)l->height : y + h;
	for (int64_t row = y0; row < y1; row++) {
		uint32_t *line = row_ptr(pixels, stride_bytes, (uint32_t)row);
		for (int64_t col = x0; col < x1; col++)
			line[col] = colour;
	}
}

static void
draw_bars(uint32_t *pixels, const struct layout *l, uint32_t stride)
{
	for (uint32_t i = 0; i < 8; i++) {
		uint32_t x0 = l->in_x + l->in_w * i / 8;
		uint32_t x1 = l->in_x + l->in_w * (i + 1) / 8;
		fill_rect(pixels, l, stride, x0, l->in_y, x1 - x0, l->bars_h,
			  bar_colours[i]);
	}
}

static void
draw_track(uint32_t *pixels, const struct layout *l, uint32_t stride,
	   uint64_t frame)
{
	fill_rect(pixels, l, stride, l->in_x, l->track_y, l->in_w, l->track_h,
		  COLOUR_TRACK);
	/* A rail through the middle shows the square's path. */
	uint32_t rail = max_u32(1, l->square / 16);
	fill_rect(pixels, l, stride, l->square_x0,
		  l->square_y + (l->square - rail) / 2,
		  l->square_span + l->square, rail, COLOUR_TRACK_RAIL);
	fill_rect(pixels, l, stride, square_x(l, frame), l->square_y,
		  l->square, l->square, COLOUR_SQUARE);
}

static void
draw_text(uint32_t *pixels, const struct layout *l, uint32_t stride,
	  uint32_t x, uint32_t y, uint32_t colour, const char *text)
{
	font_draw_text(pixels, l->width, l->height, stride, (int32_t)x,
		       (int32_t)y, l->scale, colour, text);
}

/* A label in the label colour, then its value; returns the x after both. */
static uint32_t
draw_field(uint32_t *pixels, const struct layout *l, uint32_t stride,
	   uint32_t line, const char *label, const char *value)
{
	uint32_t x = l->text_x;
	uint32_t y = l->text_y + line * l->line_h;
	draw_text(pixels, l, stride, x, y, COLOUR_LABEL, label);
	x += font_text_width(label, l->scale);
	draw_text(pixels, l, stride, x, y, COLOUR_VALUE, value);
	return x + font_text_width(value, l->scale);
}

static void
frame_text(char *buf, size_t size, uint64_t frame)
{
	snprintf(buf, size, "%06" PRIu64, frame);
}

static void
draw_buttons(uint32_t *pixels, const struct layout *l, uint32_t stride,
	     uint32_t line, uint32_t buttons)
{
	/* Shown in the order of a mouse's face; bits as in demo/draw.h. */
	static const struct { char letter[2]; uint32_t bit; } order[] = {
		{ "L", 0 }, { "M", 2 }, { "R", 1 }, { "S", 3 }, { "E", 4 },
	};
	uint32_t x = draw_field(pixels, l, stride, line, "BUTTONS ", "");
	uint32_t y = l->text_y + line * l->line_h;
	uint32_t cell = FONT_CELL_W * l->scale;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		bool held = buttons & (1u << order[i].bit);
		if (held)
			fill_rect(pixels, l, stride, x - l->scale,
				  y - l->scale, cell + l->scale,
				  (FONT_CELL_H + 1) * l->scale,
				  COLOUR_HELD_BG);
		draw_text(pixels, l, stride, x, y,
			  held ? COLOUR_HELD_FG : COLOUR_DIM, order[i].letter);
		x += 2 * cell;
	}
}

static void
draw_panel(uint32_t *pixels, const struct layout *l, uint32_t stride,
	   uint64_t frame, uint32_t head, const struct demo_input_state *st)
{
	char value[96];

	fill_rect(pixels, l, stride, l->in_x, l->panel_y, l->in_w, l->panel_h,
		  COLOUR_PANEL);

	frame_text(value, sizeof(value), frame);
	uint32_t end = draw_field(pixels, l, stride, 0, "FRAME ", value);
	char title[48];
	if (head > 0)
		snprintf(title, sizeof(title), "EGLVIEW DEMO HEAD %" PRIu32
			 " %" PRIu32 "x%" PRIu32, head, l->width, l->height);
	else
		snprintf(title, sizeof(title), "EGLVIEW DEMO %" PRIu32 "x%"
			 PRIu32, l->width, l->height);
	uint32_t title_w = font_text_width(title, l->scale);
	uint32_t title_x = l->in_x + l->in_w - 4 * l->scale - title_w;
	if (l->in_w > title_w + 4 * l->scale &&
	    title_x > end + 2 * FONT_CELL_W * l->scale)
		draw_text(pixels, l, stride, title_x, l->text_y, COLOUR_DIM,
			  title);

	end = draw_field(pixels, l, stride, 1, "KEYS: ", st->typed);
	fill_rect(pixels, l, stride, end, l->text_y + l->line_h,
		  (FONT_CELL_W - 1) * l->scale, (FONT_CELL_H - 1) * l->scale,
		  COLOUR_CURSOR);

	if (st->pointer_seen)
		snprintf(value, sizeof(value), "%" PRId32 ",%" PRId32,
			 demo_abs_to_pixel(st->abs_x, l->width),
			 demo_abs_to_pixel(st->abs_y, l->height));
	else
		snprintf(value, sizeof(value), "-");
	draw_field(pixels, l, stride, 2, "POINTER ", value);

	draw_buttons(pixels, l, stride, 3, st->buttons);

	/* The lock LEDs only when lit: a picture without any is as ever. */
	snprintf(value, sizeof(value), "%" PRId32 "%s%s%s%s", st->wheel,
		 st->leds ? "   LOCKS" : "",
		 st->leds & (1u << LED_CAPSL) ? " CAPS" : "",
		 st->leds & (1u << LED_NUML) ? " NUM" : "",
		 st->leds & (1u << LED_SCROLLL) ? " SCROLL" : "");
	draw_field(pixels, l, stride, 4, "WHEEL ", value);

	const char *key = st->last_key > UINT16_MAX ? NULL :
		proto_evdev_code_name(EV_KEY, (uint16_t)st->last_key);
	if (st->last_key == 0)
		key = "-";
	if (key != NULL)
		snprintf(value, sizeof(value), "%s   RECORDS %" PRIu64, key,
			 st->records);
	else
		snprintf(value, sizeof(value), "%" PRIu32 "   RECORDS %" PRIu64,
			 st->last_key, st->records);
	size_t n = strlen(value);
	if (st->clipboard[0] != '\0')
		snprintf(value + n, sizeof(value) - n, "   CLIP %s",
			 st->clipboard);
	draw_field(pixels, l, stride, 5, "LAST KEY ", value);
}

/*
 * A ring with a dot: black outlines around white and orange, so it shows
 * on every bar, the track and the panel alike.
 */
static void
draw_pointer_marker(uint32_t *pixels, const struct layout *l,
		    uint32_t stride, int32_t cx, int32_t cy)
{
	int32_t r = (int32_t)max_u32(5, l->square / 2);
	int32_t band = max_u32(1, (uint32_t)r / 8);
	int32_t dot = max_u32(1, (uint32_t)r / 4);
	/* Squared radii, from the centre out. */
	int32_t dot_in = dot * dot;
	int32_t dot_out = (dot + band) * (dot + band);
	int32_t ring_out0 = (r - 3 * band) * (r - 3 * band);
	int32_t ring_in0 = (r - 2 * band) * (r - 2 * band);
	int32_t ring_in1 = (r - band) * (r - band);
	int32_t ring_out1 = r * r;

	for (int32_t dy = -r; dy <= r; dy++) {
		int64_t y = (int64_t)cy + dy;
		if (y < 0 || y >= (int64_t)l->height)
			continue;
		uint32_t *line = row_ptr(pixels, stride, (uint32_t)y);
		for (int32_t dx = -r; dx <= r; dx++) {
			int64_t x = (int64_t)cx + dx;
			if (x < 0 || x >= (int64_t)l->width)
				continue;
			int32_t d2 = dx * dx + dy * dy;
			if (d2 <= dot_in)
				line[x] = COLOUR_MARK_DOT;
			else if (d2 <= dot_out)
				line[x] = COLOUR_MARK_OUTLINE;
			else if (d2 < ring_out0 || d2 > ring_out1)
				continue;
			else if (d2 >= ring_in0 && d2 <= ring_in1)
				line[x] = COLOUR_MARK_RING;
			else
				line[x] = COLOUR_MARK_OUTLINE;
		}
	}
}

void
demo_draw_frame(uint32_t *pixels, uint32_t width, uint32_t height,
		uint32_t stride_bytes, uint64_t frame,
		const struct demo_input_state *st)
{
	demo_draw_head_frame(pixels, width, height, stride_bytes, frame, 0, st);
}

void
demo_draw_head_frame(uint32_t *pixels, uint32_t width, uint32_t height,
		     uint32_t stride_bytes, uint64_t frame, uint32_t head,
		     const struct demo_input_state *st)
{
	struct layout l;
	layout_compute(&l, width, height);

	fill_rect(pixels, &l, stride_bytes, 0, 0, width, height,
		  COLOUR_BORDER);
	if (l.in_w == 0 || l.in_h == 0)
		return;
	draw_bars(pixels, &l, stride_bytes);
	draw_track(pixels, &l, stride_bytes, frame);
	draw_panel(pixels, &l, stride_bytes, frame, head, st);
	if (st->pointer_seen)
		draw_pointer_marker(pixels, &l, stride_bytes,
				    demo_abs_to_pixel(st->abs_x, width),
				    demo_abs_to_pixel(st->abs_y, height));
}

static struct proto_rect
clip_rect(const struct layout *l, uint32_t x, uint32_t y, uint32_t w,
	  uint32_t h)
{
	struct proto_rect r = { 0 };
	if (x >= l->width || y >= l->height)
		return r;
	r.x = x;
	r.y = y;
	r.width = min_u32(w, l->width - x);
	r.height = min_u32(h, l->height - y);
	return r;
}

uint32_t
demo_frame_damage(uint32_t width, uint32_t height, uint64_t frame,
		  struct proto_rect out[static DEMO_DAMAGE_MAX])
{
	struct layout l;
	layout_compute(&l, width, height);
	if (frame == 0 || l.in_w == 0 || l.in_h == 0) {
		out[0] = (struct proto_rect){ 0, 0, width, height };
		return 1;
	}

	uint32_t n = 0;
	uint32_t a = square_x(&l, frame - 1), b = square_x(&l, frame);
	uint32_t left = min_u32(a, b);
	struct proto_rect r = clip_rect(&l, left, l.square_y,
					max_u32(a, b) - left + l.square,
					l.square);
	if (r.width > 0 && r.height > 0)
		out[n++] = r;

	/* The counter's digits; a new digit only ever appears on the right. */
	char digits[32];
	frame_text(digits, sizeof(digits), frame);
	uint32_t x = l.text_x + font_text_width("FRAME ", l.scale);
	r = clip_rect(&l, x, l.text_y, font_text_width(digits, l.scale),
		      FONT_CELL_H * l.scale);
	if (r.width > 0 && r.height > 0)
		out[n++] = r;
	return n;
}

/* --- the level meter --------------------------------------------------- */

#define METER_WIDEST "mic -99.9 dBFS"
#define METER_FLOOR_TENTHS 600 /* the bar starts at -60 dBFS */

struct meter_layout {
	struct proto_rect box;
	uint32_t pad, text_w, bar_y, bar_h;
};

/* A panel-coloured box in the bars' top right corner: the text, and the
 * bar under it as wide as the widest text. */
static bool
meter_layout(struct meter_layout *m, const struct layout *l)
{
	uint32_t s = l->scale;
	*m = (struct meter_layout){ .pad = 3 * s, .bar_h = 4 * s };
	/* font_text_width counts a spacing column after the last glyph. */
	m->text_w = font_text_width(METER_WIDEST, s) - s;
	uint32_t w = m->text_w + 2 * m->pad;
	uint32_t h = m->pad + (FONT_CELL_H - 1) * s + 2 * s + m->bar_h + m->pad;
	uint32_t margin = 4 * s;
	if (l->in_w < w + 2 * margin || l->bars_h < h + 2 * margin)
		return false;
	m->box = (struct proto_rect){ l->in_x + l->in_w - margin - w,
				      l->in_y + margin, w, h };
	m->bar_y = m->box.y + h - m->pad - m->bar_h;
	return true;
}

struct proto_rect
demo_meter_rect(uint32_t width, uint32_t height)
{
	struct layout l;
	struct meter_layout m;
	layout_compute(&l, width, height);
	if (l.in_w == 0 || l.in_h == 0 || !meter_layout(&m, &l))
		return (struct proto_rect){ 0 };
	return m.box;
}

void
demo_draw_meter(uint32_t *pixels, uint32_t width, uint32_t height,
		uint32_t stride_bytes, int32_t tenths)
{
	struct layout l;
	struct meter_layout m;
	layout_compute(&l, width, height);
	if (l.in_w == 0 || l.in_h == 0 || !meter_layout(&m, &l))
		return;
	fill_rect(pixels, &l, stride_bytes, m.box.x, m.box.y, m.box.width,
		  m.box.height, COLOUR_PANEL);
	char level[16], text[32];
	demo_level_format(level, sizeof(level), tenths);
	snprintf(text, sizeof(text), "mic %s dBFS", level);
	draw_text(pixels, &l, stride_bytes, m.box.x + m.pad, m.box.y + m.pad,
		  COLOUR_VALUE, text);
	uint32_t bar_x = m.box.x + m.pad;
	fill_rect(pixels, &l, stride_bytes, bar_x, m.bar_y, m.text_w, m.bar_h,
		  COLOUR_TRACK_RAIL);
	int32_t above = tenths == DEMO_LEVEL_SILENT ? 0 :
			tenths + METER_FLOOR_TENTHS;
	if (above < 0)
		above = 0;
	if (above > METER_FLOOR_TENTHS)
		above = METER_FLOOR_TENTHS;
	fill_rect(pixels, &l, stride_bytes, bar_x, m.bar_y,
		  (int64_t)m.text_w * above / METER_FLOOR_TENTHS, m.bar_h,
		  COLOUR_METER_LEVEL);
}

/* Characters of the US layout, unshifted and shifted, by key code. */
static const char key_chars[KEY_SPACE + 1][3] = {
	[KEY_1] = "1!", [KEY_2] = "2@", [KEY_3] = "3#", [KEY_4] = "4$",
	[KEY_5] = "5%", [KEY_6] = "6^", [KEY_7] = "7&", [KEY_8] = "8*",
	[KEY_9] = "9(", [KEY_0] = "0)", [KEY_MINUS] = "-_",
	[KEY_EQUAL] = "=+", [KEY_Q] = "qQ", [KEY_W] = "wW", [KEY_E] = "eE",
	[KEY_R] = "rR", [KEY_T] = "tT", [KEY_Y] = "yY", [KEY_U] = "uU",
	[KEY_I] = "iI", [KEY_O] = "oO", [KEY_P] = "pP",
	[KEY_LEFTBRACE] = "[{", [KEY_RIGHTBRACE] = "]}",
	/* Enter is kept as '\n', drawn as a return arrow: the line shows that
	 * it arrived and where, which clearing the line would hide. */
	[KEY_ENTER] = "\n\n",
	[KEY_A] = "aA", [KEY_S] = "sS", [KEY_D] = "dD", [KEY_F] = "fF",
	[KEY_G] = "gG", [KEY_H] = "hH", [KEY_J] = "jJ", [KEY_K] = "kK",
	[KEY_L] = "lL", [KEY_SEMICOLON] = ";:", [KEY_APOSTROPHE] = "'\"",
	[KEY_GRAVE] = "`~", [KEY_BACKSLASH] = "\\|", [KEY_Z] = "zZ",
	[KEY_X] = "xX", [KEY_C] = "cC", [KEY_V] = "vV", [KEY_B] = "bB",
	[KEY_N] = "nN", [KEY_M] = "mM", [KEY_COMMA] = ",<", [KEY_DOT] = ".>",
	[KEY_SLASH] = "/?", [KEY_SPACE] = "  ",
};

void
demo_input_init(struct demo_input_state *st)
{
	*st = (struct demo_input_state){ 0 };
}

static void
typed_append(struct demo_input_state *st, char c)
{
	size_t len = strlen(st->typed);
	if (len == DEMO_KEYS_MAX) {
		/* Keep the newest: drop the oldest character. */
		memmove(st->typed, st->typed + 1, len - 1);
		len--;
	}
	st->typed[len] = c;
	st->typed[len + 1] = '\0';
}

static int
button_bit(uint16_t code)
{
	switch (code) {
	case BTN_LEFT: return 0;
	case BTN_TOUCH: return 0;
	case BTN_RIGHT: return 1;
	case BTN_MIDDLE: return 2;
	case BTN_SIDE: return 3;
	case BTN_EXTRA: return 4;
	default: return -1;
	}
}

/* BTN_* codes live in these ranges among the KEY_* codes. */
static bool
is_button(uint16_t code)
{
	return (code >= BTN_MISC && code < KEY_OK) ||
	       (code >= BTN_DPAD_UP && code <= BTN_DPAD_RIGHT) ||
	       code >= BTN_TRIGGER_HAPPY;
}

static void
apply_key(struct demo_input_state *st, uint16_t code, uint32_t value)
{
	int bit = button_bit(code);
	if (bit >= 0) {
		if (value != 0)
			st->buttons |= 1u << bit;
		else
			st->buttons &= ~(1u << bit);
		return;
	}
	if (code == KEY_LEFTSHIFT || code == KEY_RIGHTSHIFT) {
		/* One bool for both: releasing either ends shift, which is
		 * what a test sending balanced presses needs. */
		st->shift = value != 0;
	}
	if (value == 0 || is_button(code))
		return; /* releases, and buttons this demo does not show */

	st->last_key = code;
	int led = code == KEY_NUMLOCK ? LED_NUML : code == KEY_CAPSLOCK ?
		  LED_CAPSL : code == KEY_SCROLLLOCK ? LED_SCROLLL : -1;
	if (led >= 0 && value == 1) {
		st->leds ^= 1u << led;
		return;
	}
	if (code == KEY_BACKSPACE) {
		size_t len = strlen(st->typed);
		if (len > 0)
			st->typed[len - 1] = '\0';
		return;
	}
	if (code < sizeof(key_chars) / sizeof(key_chars[0]) &&
	    key_chars[code][0] != '\0')
	{
		char c = key_chars[code][st->shift ? 1 : 0];
		if ((st->leds & (1u << LED_CAPSL)) && c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		else if ((st->leds & (1u << LED_CAPSL)) && c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		typed_append(st, c);
	}
}

/* The pointer at abs moved by delta head pixels, back in the abs range:
 * the smallest value demo_abs_to_pixel() maps to the new pixel. */
static int32_t
move_relative(int32_t abs, int32_t delta, uint32_t size)
{
	if (size < 2)
		return 0;
	int64_t p = (int64_t)demo_abs_to_pixel(abs, size) + delta;
	if (p < 0)
		p = 0;
	if (p > (int64_t)size - 1)
		p = (int64_t)size - 1;
	return (int32_t)((p * DEMO_ABS_MAX + size - 2) / (size - 1));
}

void
demo_input_apply(struct demo_input_state *st, uint32_t device_kind,
		 const struct proto_input_event *ev)
{
	/* Every device's records are echoed alike: a keyboard's BTN_LEFT is
	 * still a button, and the kind is only the viewer's label. */
	(void)device_kind;
	st->records++;

	switch (ev->type) {
	case EV_KEY:
		apply_key(st, ev->code, ev->value);
		break;
	case EV_ABS:
		if (ev->code == ABS_X || ev->code == ABS_MT_POSITION_X) {
			st->abs_x = (int32_t)ev->value;
			st->pointer_seen = true;
		} else if (ev->code == ABS_Y || ev->code == ABS_MT_POSITION_Y) {
			st->abs_y = (int32_t)ev->value;
			st->pointer_seen = true;
		}
		break;
	case EV_REL:
		/* Wraps rather than overflowing: the echo never traps. */
		if (ev->code == REL_WHEEL)
			st->wheel = (int32_t)((uint32_t)st->wheel + ev->value);
		else if (ev->code == REL_X && st->width > 0)
			st->abs_x = move_relative(st->abs_x, (int32_t)ev->value,
						  st->width);
		else if (ev->code == REL_Y && st->height > 0)
			st->abs_y = move_relative(st->abs_y, (int32_t)ev->value,
						  st->height);
		if ((ev->code == REL_X || ev->code == REL_Y) && st->width > 0)
			st->pointer_seen = true;
		break;
	default:
		break;
	}
}

int32_t
demo_abs_to_pixel(int32_t v, uint32_t size)
{
	if (size == 0)
		return 0;
	if (v < 0)
		v = 0;
	if (v > DEMO_ABS_MAX)
		v = DEMO_ABS_MAX;
	return (int32_t)((int64_t)v * (size - 1) / DEMO_ABS_MAX);
}

#define CURSOR_SIZE 32

/*
 * The arrow as a union of three pieces in pixel coordinates, tip at (0,0):
 * a head under the 45-degree diagonal, the lower-left wedge, and a tail
 * slanting down-right at 2:1. Outline = inside pixels with an outside
 * 4-neighbour, so it is one pixel everywhere.
 */
static bool
arrow_inside(int32_t x, int32_t y)
{
	if (x < 0 || y < 0 || x >= CURSOR_SIZE || y >= CURSOR_SIZE)
		return false;
	bool head = x <= y && y <= 16;
	bool wedge = y >= 17 && x + y <= 24;
	bool tail = y >= 14 && y <= 27 && 2 * x - y >= -8 && 2 * x - y <= -1;
	return head || wedge || tail;
}

const struct demo_cursor *
demo_cursor_image(void)
{
	static uint32_t pixels[CURSOR_SIZE * CURSOR_SIZE];
	static struct demo_cursor cursor;

	/* Built on first use; the shim runs one event loop, no threads. */
	if (cursor.pixels != NULL)
		return &cursor;
	for (int32_t y = 0; y < CURSOR_SIZE; y++) {
		for (int32_t x = 0; x < CURSOR_SIZE; x++) {
			uint32_t p = 0; /* transparent, premultiplied */
			if (arrow_inside(x, y)) {
				bool edge = !arrow_inside(x - 1, y) ||
					    !arrow_inside(x + 1, y) ||
					    !arrow_inside(x, y - 1) ||
					    !arrow_inside(x, y + 1);
				p = edge ? 0xff000000 : 0xffffffff;
			}
			pixels[y * CURSOR_SIZE + x] = p;
		}
	}
	cursor = (struct demo_cursor){
		.width = CURSOR_SIZE,
		.height = CURSOR_SIZE,
		.hot_x = 0,
		.hot_y = 0,
		.pixels = pixels,
	};
	return &cursor;
}
