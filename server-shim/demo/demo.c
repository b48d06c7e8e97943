/* SPDX-License-Identifier: MIT */
/*
 * The demo source: its input devices, the echo of what they receive (and
 * --record-input), the frame clock, and its life cycle. The frames
 * themselves, and the buffers they go out in, are frames.c's.
 */
#include <errno.h>
#include <linux/input-event-codes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "demo/private.h"
#include "server/log.h"

/* --- devices ----------------------------------------------------------- */

static void
set_key_bit(struct proto_input_device *dev, unsigned code)
{
	dev->key_bits[code / 8] |= (uint8_t)(1u << (code % 8));
}

static const unsigned buttons[] = { BTN_LEFT, BTN_RIGHT, BTN_MIDDLE,
				    BTN_SIDE, BTN_EXTRA };

static uint32_t
add_tablet(struct demo *demo)
{
	struct proto_input_device tablet = {
		.kind = PROTO_DEVICE_TABLET,
		.ev_bits = (1u << EV_SYN) | (1u << EV_KEY) | (1u << EV_ABS) |
			   (1u << EV_REL),
		.rel_bits = (1u << REL_WHEEL) | (1u << REL_HWHEEL),
		.abs_bits = (1ull << ABS_X) | (1ull << ABS_Y),
		.n_abs = 2,
	};
	snprintf(tablet.name, sizeof(tablet.name), "eglview demo tablet");
	for (size_t i = 0; i < sizeof(buttons) / sizeof(buttons[0]); i++)
		set_key_bit(&tablet, buttons[i]);
	const struct proto_abs_axis axes[2] = {
		{ .code = ABS_X, .min = 0, .max = DEMO_ABS_MAX },
		{ .code = ABS_Y, .min = 0, .max = DEMO_ABS_MAX },
	};
	return server_add_input_device(demo->server, &tablet, axes);
}

/* --mouse relative: what a PS/2 or USB mouse is, with a hi-res wheel. */
static uint32_t
add_mouse(struct demo *demo)
{
	struct proto_input_device mouse = {
		.kind = PROTO_DEVICE_MOUSE,
		.ev_bits = (1u << EV_SYN) | (1u << EV_KEY) | (1u << EV_REL),
		.rel_bits = (1u << REL_X) | (1u << REL_Y) | (1u << REL_WHEEL) |
			    (1u << REL_HWHEEL) | (1u << REL_WHEEL_HI_RES) |
			    (1u << REL_HWHEEL_HI_RES),
	};
	snprintf(mouse.name, sizeof(mouse.name), "eglview demo mouse");
	for (size_t i = 0; i < sizeof(buttons) / sizeof(buttons[0]); i++)
		set_key_bit(&mouse, buttons[i]);
	return server_add_input_device(demo->server, &mouse, NULL);
}

/* --touch: a ten-finger multi-touch screen (type B). */
static uint32_t
add_touch(struct demo *demo)
{
	struct proto_input_device touch = {
		.kind = PROTO_DEVICE_TOUCH,
		.ev_bits = (1u << EV_SYN) | (1u << EV_KEY) | (1u << EV_ABS),
		.prop_bits = 1u << INPUT_PROP_DIRECT,
		.abs_bits = (1ull << ABS_X) | (1ull << ABS_Y) |
			    (1ull << ABS_MT_SLOT) | (1ull << ABS_MT_POSITION_X) |
			    (1ull << ABS_MT_POSITION_Y) |
			    (1ull << ABS_MT_TRACKING_ID),
		.n_abs = 6,
	};
	snprintf(touch.name, sizeof(touch.name), "eglview demo touchscreen");
	set_key_bit(&touch, BTN_TOUCH);
	/* In increasing code order, as INPUT_DEVICE lists them. */
	const struct proto_abs_axis axes[6] = {
		{ .code = ABS_X, .min = 0, .max = DEMO_ABS_MAX },
		{ .code = ABS_Y, .min = 0, .max = DEMO_ABS_MAX },
		{ .code = ABS_MT_SLOT, .min = 0, .max = 9 },
		{ .code = ABS_MT_POSITION_X, .min = 0, .max = DEMO_ABS_MAX },
		{ .code = ABS_MT_POSITION_Y, .min = 0, .max = DEMO_ABS_MAX },
		{ .code = ABS_MT_TRACKING_ID, .min = 0, .max = 65535 },
	};
	return server_add_input_device(demo->server, &touch, axes);
}

static bool
add_devices(struct demo *demo, char *why, size_t why_size)
{
	struct proto_input_device keyboard = {
		.kind = PROTO_DEVICE_KEYBOARD,
		/* EV_LED: it keeps Caps, Num and Scroll Lock (DEVICE_STATUS). */
		.ev_bits = (1u << EV_SYN) | (1u << EV_KEY) | (1u << EV_LED),
	};
	snprintf(keyboard.name, sizeof(keyboard.name), "eglview demo keyboard");
	/* The keys of a PC keyboard: KEY_ESC .. KEY_MICMUTE. */
	for (unsigned code = KEY_ESC; code <= KEY_MICMUTE; code++)
		set_key_bit(&keyboard, code);

	demo->keyboard_id = server_add_input_device(demo->server, &keyboard,
						    NULL);
	demo->tablet_id = demo->options.relative_mouse ?
		add_mouse(demo) : add_tablet(demo);
	demo->touch_id = demo->options.touch ? add_touch(demo) : 1;
	if (demo->keyboard_id == 0 || demo->tablet_id == 0 ||
	    demo->touch_id == 0) {
		snprintf(why, why_size, "cannot add the demo's input devices");
		return false;
	}
	return true;
}

/* --- the public side --------------------------------------------------- */

struct demo *
demo_create(struct server *server, const struct demo_options *options,
	    char *why, size_t why_size)
{
	struct demo *demo = calloc(1, sizeof(*demo));
	if (demo == NULL) {
		snprintf(why, why_size, "out of memory");
		return NULL;
	}
	demo->server = server;
	demo->options = *options;
	demo->timer_fd = -1;
	demo->audio.timer_fd = -1;
	demo->n_heads = options->heads ? options->heads : 1;
	if (demo->n_heads > DEMO_MAX_HEADS) {
		snprintf(why, why_size, "%u heads asked for; the demo has 1..%d",
			 options->heads, DEMO_MAX_HEADS);
		free(demo);
		return NULL;
	}
	for (int h = 0; h < DEMO_MAX_HEADS; h++)
		demo_head_clear(&demo->heads[h]);
	/* Before any viewer has said what it imports: LINEAR, which every
	 * viewer's mmap fallback takes; a viewer that cannot is answered
	 * in demo_handle_viewer_joined. */
	demo->alloc = options->gbm != NULL ? DEMO_ALLOC_GBM :
		      options->udmabuf ? DEMO_ALLOC_UDMABUF : DEMO_ALLOC_SHM;
	demo->modifiers[0] = DRM_FORMAT_MOD_LINEAR;
	demo->n_modifiers = 1;
	demo_input_init(&demo->input);
	demo->input.width = options->width;
	demo->input.height = options->height;

	for (uint32_t i = 0; i < demo->n_heads; i++) {
		if (!demo_head_init(demo, i, why, why_size))
			goto fail;
	}
	if (!add_devices(demo, why, why_size) ||
	    !demo_audio_init(demo, why, why_size))
		goto fail;
	if (options->clipboard_text != NULL)
		server_clipboard_grab(server, PROTO_SELECTION_CLIPBOARD,
				      demo_text_mimes, 3);
	if (options->fps > 0) {
		demo->timer_fd = timerfd_create(CLOCK_MONOTONIC,
						TFD_NONBLOCK | TFD_CLOEXEC);
		if (demo->timer_fd < 0) {
			snprintf(why, why_size, "timerfd_create: %s",
				 strerror(errno));
			goto fail;
		}
	}
	demo_make_frame(demo);
	return demo;

fail:
	demo_destroy(demo);
	return NULL;
}

void
demo_destroy(struct demo *demo)
{
	if (demo == NULL)
		return;
	demo_audio_finish(demo);
	for (int h = 0; h < DEMO_MAX_HEADS; h++)
		demo_head_finish(&demo->heads[h]);
	if (demo->timer_fd >= 0)
		close(demo->timer_fd);
	free(demo);
}

int
demo_get_timer_fd(const struct demo *demo)
{
	return demo->timer_fd;
}

void
demo_start_clock(struct demo *demo)
{
	if (demo->clock_started)
		return;
	demo->clock_started = true;
	if (demo->timer_fd < 0)
		return;
	long period_ns = 1000000000L / demo->options.fps;
	struct itimerspec spec = {
		.it_interval = { period_ns / 1000000000L, period_ns % 1000000000L },
		.it_value = { period_ns / 1000000000L, period_ns % 1000000000L },
	};
	if (timerfd_settime(demo->timer_fd, 0, &spec, NULL) < 0)
		server_log_error("cannot start the frame clock at %u fps: %s",
				 demo->options.fps, strerror(errno));
}

bool
demo_clock_started(const struct demo *demo)
{
	return demo->clock_started;
}

void
demo_dispatch_timer(struct demo *demo)
{
	uint64_t expirations;
	if (read(demo->timer_fd, &expirations, sizeof(expirations)) !=
	    sizeof(expirations))
		return; /* EAGAIN: nothing expired after all */
	/* One frame per wake-up, however many periods passed: the picture
	 * is a function of the frame number, not of the time. */
	demo_make_frame(demo);
	if (demo->options.frame_limit != 0 &&
	    demo->frames_made >= demo->options.frame_limit) {
		struct itimerspec off = { 0 };
		timerfd_settime(demo->timer_fd, 0, &off, NULL);
	}
}

static void
record_batch(struct demo *demo, uint32_t kind,
	     const struct proto_input_event *ev, uint32_t n)
{
	const char *device = proto_device_kind_name(kind);
	for (uint32_t i = 0; i < n; i++) {
		char line[160];
		proto_record_format(line, sizeof(line), device, &ev[i]);
		fprintf(demo->options.record, "%s\n", line);
	}
	/* Tests read the file while the demo runs. */
	fflush(demo->options.record);
}

void
demo_handle_input(struct demo *demo, uint32_t device_id, uint32_t kind,
		  const struct proto_input_event *ev, uint32_t n)
{
	(void)device_id;
	uint32_t leds = demo->input.leds;
	for (uint32_t i = 0; i < n; i++)
		demo_input_apply(&demo->input, kind, &ev[i]);
	if (demo->input.leds != leds)
		server_input_device_set_leds(demo->server, demo->keyboard_id,
					     demo->input.leds);
	if (demo->options.record != NULL)
		record_batch(demo, kind, ev, n);
	if (demo->input.pointer_seen)
		server_head_move_cursor(demo->heads[0].head,
			demo_abs_to_pixel(demo->input.abs_x, demo->heads[0].width),
			demo_abs_to_pixel(demo->input.abs_y, demo->heads[0].height),
			true);
	if (demo->options.fps == 0)
		demo->input_batches++; /* drawn in demo_flush_input */
}

void
demo_flush_input(struct demo *demo)
{
	if (demo->input_batches == 0)
		return;
	/* A frame per batch, as a guest echoing each would number them, but
	 * drawn once: the last one shows the same whatever came between,
	 * and a 1920x1080 frame per pointer move would fall behind a
	 * viewer's input script and stop reading its socket meanwhile. */
	uint64_t skip = demo->input_batches - 1;
	demo->input_batches = 0;
	uint64_t limit = demo->options.frame_limit;
	if (limit != 0 && demo->frames_made + skip >= limit)
		skip = demo->frames_made < limit ? limit - demo->frames_made - 1 : 0;
	demo->frames_made += skip;
	demo_make_frame(demo);
}

/* --- the clipboard ---------------------------------------------------- */

const char *const demo_text_mimes[3] = {
	"text/plain;charset=utf-8", "UTF8_STRING", "text/plain",
};

static const char *
text_mime(const char *const *mimes, uint32_t n)
{
	for (size_t t = 0; t < 3; t++) {
		for (uint32_t i = 0; i < n; i++) {
			if (strcmp(mimes[i], demo_text_mimes[t]) == 0)
				return demo_text_mimes[t];
		}
	}
	return NULL;
}

void
demo_handle_clipboard_grab(struct demo *demo, uint32_t selection,
			   const char *const *mimes, uint32_t n_mimes)
{
	const char *mime = text_mime(mimes, n_mimes);
	if (selection != PROTO_SELECTION_CLIPBOARD || mime == NULL)
		return;
	server_clipboard_request(demo->server, selection, mime);
}

void
demo_handle_clipboard_request(struct demo *demo, uint32_t selection,
			      const char *mime, uint32_t request_id)
{
	const char *text = demo->options.clipboard_text;
	bool ok = selection == PROTO_SELECTION_CLIPBOARD && text != NULL &&
		  text_mime(&mime, 1) != NULL;
	server_clipboard_answer(demo->server, request_id,
				ok ? PROTO_CLIPBOARD_OK : PROTO_CLIPBOARD_NONE,
				mime, text, ok ? (uint32_t)strlen(text) : 0);
}

void
demo_handle_clipboard_data(struct demo *demo, uint32_t selection,
			   uint32_t status, const char *mime,
			   const void *bytes, uint32_t length)
{
	(void)mime;
	if (selection != PROTO_SELECTION_CLIPBOARD ||
	    status != PROTO_CLIPBOARD_OK)
		return;
	const unsigned char *text = bytes;
	size_t shown = length < DEMO_CLIPBOARD_SHOWN ? length :
		       DEMO_CLIPBOARD_SHOWN;
	for (size_t i = 0; i < shown; i++)
		demo->input.clipboard[i] = text[i] < 0x20 || text[i] > 0x7e ?
					   '.' : (char)text[i];
	demo->input.clipboard[shown] = '\0';
	server_log_verbose("clipboard: %u bytes from a viewer", length);
	if (demo->options.record != NULL) {
		/* One comment line: control characters and '\\' escaped. */
		fprintf(demo->options.record, "# clipboard %u bytes: ", length);
		for (uint32_t i = 0; i < length; i++) {
			if (text[i] < 0x20 || text[i] == 0x7f || text[i] == '\\')
				fprintf(demo->options.record, "\\x%02x", text[i]);
			else
				fputc(text[i], demo->options.record);
		}
		fputc('\n', demo->options.record);
		fflush(demo->options.record);
	}
	demo_make_frame(demo);
}

uint64_t
demo_frames_made(const struct demo *demo)
{
	return demo->frames_made;
}

