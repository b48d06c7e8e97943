/* SPDX-License-Identifier: MIT */
/*
 * Writes the seed corpus of the fuzz targets: well-formed conversations in
 * the record format of fuzz-stream.h, so that the fuzzers start past the
 * handshake. Usage: gen-seeds DIR (writes DIR/validate, DIR/server and
 * DIR/client; tests/fuzz/corpus holds its output).
 */
#include <errno.h>
#include <linux/input-event-codes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <drm_fourcc.h>

#include "fuzz-stream.h"
#include "proto.h"

#define W 64
#define H 48

struct seed {
	uint8_t data[1 << 16];
	size_t len;
};

static void
put(struct seed *s, const void *p, size_t n)
{
	if (s->len + n > sizeof(s->data))
		abort();
	memcpy(s->data + s->len, p, n);
	s->len += n;
}

static void
put_le(struct seed *s, uint32_t v, int bytes)
{
	for (int i = 0; i < bytes; i++) {
		uint8_t b = (uint8_t)(v >> (8 * i));
		put(s, &b, 1);
	}
}

/* A packet record: fds of kind, memfd size where the kind takes one. */
static void
packet(struct seed *s, int n_fds, enum fuzz_fd_kind kind, uint32_t memfd_size,
       uint32_t type, const void *body, size_t body_len)
{
	put_le(s, 0, 1);
	put_le(s, (uint32_t)n_fds | (uint32_t)kind << 3, 1);
	put_le(s, (uint32_t)(sizeof(struct proto_header) + body_len), 3);
	if (n_fds > 0 && (kind == FUZZ_FD_SEALED_MEMFD ||
			  kind == FUZZ_FD_UNSEALED_MEMFD ||
			  kind == FUZZ_FD_SHRINK_ONLY))
		put_le(s, memfd_size, 3);
	struct proto_header h = { type, (uint32_t)(sizeof(h) + body_len) };
	put(s, &h, sizeof(h));
	put(s, body, body_len);
}

static void
msg(struct seed *s, uint32_t type, const void *body, size_t body_len)
{
	packet(s, 0, FUZZ_FD_SEALED_MEMFD, 0, type, body, body_len);
}

static void
action(struct seed *s, uint8_t what, uint32_t arg)
{
	put_le(s, FUZZ_OP_ACTION | what, 1);
	put_le(s, arg, 4);
}

static void
save(const char *dir, const char *name, const struct seed *s)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (f == NULL || fwrite(s->data, 1, s->len, f) != s->len || fclose(f) != 0) {
		fprintf(stderr, "gen-seeds: cannot write %s: %s\n", path,
			strerror(errno));
		exit(1);
	}
}

static void
make_dir(const char *path)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "gen-seeds: cannot create %s: %s\n", path,
			strerror(errno));
		exit(1);
	}
}

/* Minor 2's features beside minor 0's (no HOLD_SHOWN): what a viewer
 * and a server with LEDs, the guest following the window and a clipboard
 * say. */
#define MINOR2_FEATURES (15u | PROTO_FEATURE_LEDS | PROTO_FEATURE_RESIZE | \
			 PROTO_FEATURE_CLIPBOARD)
#define MINOR3_FEATURES (MINOR2_FEATURES | PROTO_FEATURE_AUDIO)

static void
audio_capture(struct seed *s, uint32_t stream_id, uint32_t flags)
{
	struct proto_audio_capture_state c = { stream_id, flags };
	msg(s, PROTO_AUDIO_CAPTURE_STATE, &c, sizeof(c));
}

static void
hello_minor(struct seed *s, bool from_viewer, uint16_t minor,
	    uint32_t features)
{
	struct {
		struct proto_hello h;
		struct proto_format f[2];
	} m = { .h = { .magic = PROTO_MAGIC, .major = PROTO_VERSION_MAJOR,
		       .minor = minor, .features = features } };
	snprintf(m.h.name, sizeof(m.h.name), from_viewer ? "fuzz-viewer" : "vm");
	m.h.n_formats = from_viewer ? 2 : 0;
	m.f[0] = (struct proto_format){ DRM_FORMAT_XRGB8888, PROTO_FORMAT_SHM,
					DRM_FORMAT_MOD_LINEAR };
	m.f[1] = (struct proto_format){ DRM_FORMAT_XRGB8888, PROTO_FORMAT_DMABUF,
					DRM_FORMAT_MOD_LINEAR };
	msg(s, PROTO_HELLO, &m, sizeof(m.h) + m.h.n_formats * sizeof(m.f[0]));
}

/* Minor 0, the four first features. */
static void
hello(struct seed *s, bool from_viewer)
{
	hello_minor(s, from_viewer, 0, 15);
}

static void
input(struct seed *s, uint32_t device, uint16_t type, uint16_t code,
      int32_t value)
{
	struct {
		struct proto_input in;
		struct proto_input_event ev[2];
	} m = { { device, 2 }, { { type, code, (uint32_t)value },
				 { EV_SYN, SYN_REPORT, 0 } } };
	msg(s, PROTO_INPUT, &m, sizeof(m));
}

static void
frame_done(struct seed *s, uint32_t seq)
{
	struct proto_frame_done m = { .head_id = 1, .seq = seq };
	msg(s, PROTO_FRAME_DONE, &m, sizeof(m));
}

/* --- minor 2's messages ---------------------------------------------- */

static void
head_size(struct seed *s, uint32_t head_id, uint32_t width, uint32_t height,
	  uint32_t width_mm, uint32_t height_mm)
{
	struct proto_head_size m = { head_id, width, height, width_mm,
				     height_mm, 0 };
	msg(s, PROTO_HEAD_SIZE, &m, sizeof(m));
}

/* The first n_mimes of fuzz_mimes. */
static void
clip_grab(struct seed *s, uint32_t selection, uint32_t serial,
	  uint32_t n_mimes)
{
	struct {
		struct proto_clipboard_grab g;
		char mimes[PROTO_MAX_MIMES][PROTO_MAX_MIME];
	} m = { { selection, serial, n_mimes, 0 }, { { 0 } } };
	for (uint32_t i = 0; i < n_mimes; i++)
		snprintf(m.mimes[i], PROTO_MAX_MIME, "%s", fuzz_mimes[i]);
	msg(s, PROTO_CLIPBOARD_GRAB, &m, sizeof(m.g) + n_mimes * PROTO_MAX_MIME);
}

static void
clip_request(struct seed *s, uint32_t selection, uint32_t serial,
	     const char *mime)
{
	struct proto_clipboard_request m = { .selection = selection,
					     .serial = serial };
	snprintf(m.mime, sizeof(m.mime), "%s", mime);
	msg(s, PROTO_CLIPBOARD_REQUEST, &m, sizeof(m));
}

/* text: the data (status OK), or NULL with status NONE or TOO_LARGE. */
static void
clip_data(struct seed *s, uint32_t selection, uint32_t serial,
	  uint32_t status, const char *mime, const char *text)
{
	struct {
		struct proto_clipboard_data d;
		char bytes[64];
	} m = { .d = { .selection = selection, .serial = serial,
		       .status = status } };
	snprintf(m.d.mime, sizeof(m.d.mime), "%s", mime);
	if (text != NULL) {
		m.d.length = (uint32_t)strlen(text);
		memcpy(m.bytes, text, m.d.length);
	}
	msg(s, PROTO_CLIPBOARD_DATA, &m, sizeof(m.d) + m.d.length);
}

/* DEVICE_STATUS: an EV_LED record for each LED of mask (bit n: LED n),
 * on where state has it. */
static void
leds(struct seed *s, uint32_t device, uint32_t mask, uint32_t state)
{
	struct {
		struct proto_input in;
		struct proto_input_event ev[PROTO_LED_MAX + 2];
	} m = { { device, 0 }, { { 0, 0, 0 } } };
	for (uint16_t led = 0; led <= PROTO_LED_MAX; led++) {
		if (mask & 1u << led)
			m.ev[m.in.n_events++] = (struct proto_input_event){
				PROTO_EV_LED, led, state >> led & 1 };
	}
	m.ev[m.in.n_events++] = (struct proto_input_event){ EV_SYN, SYN_REPORT, 0 };
	msg(s, PROTO_DEVICE_STATUS, &m,
	    sizeof(m.in) + m.in.n_events * sizeof(m.ev[0]));
}

/* INPUT_DEVICE of a keyboard whose guest keeps lock LEDs (EV_LED). */
static void
led_keyboard(struct seed *s, uint32_t device)
{
	struct proto_input_device d = {
		.device_id = device, .kind = PROTO_DEVICE_KEYBOARD,
		.name = "keyboard", .ev_bits = 1u << EV_SYN | 1u << EV_KEY |
		1u << PROTO_EV_LED,
	};
	static const uint16_t keys[] = { KEY_A, KEY_CAPSLOCK, KEY_NUMLOCK,
					 KEY_SCROLLLOCK };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		d.key_bits[keys[i] / 8] |= (uint8_t)(1u << (keys[i] % 8));
	msg(s, PROTO_INPUT_DEVICE, &d, sizeof(d));
}

/* fuzz-server's actions of minor 2 (fuzz-server.c, act()). */
enum {
	SOURCE_LEDS = 11,      /* arg: the LEDs */
	SOURCE_CLIP_GRAB = 12, /* arg: bit 0 selection, >> 1 types */
	SOURCE_CLIP_ASK = 13,  /* arg: bit 0 selection */
	SOURCE_AUDIO = 14,     /* minor 3; arg: & 7 what, bit 3 which stream */
};
/* fuzz-client's (fuzz-client.c, act()). */
enum {
	VIEWER_CLIP_GRAB = 1, /* arg: bit 0 selection, >> 1 types */
	VIEWER_CLIP_ASK = 2,  /* arg: bit 0 selection */
	VIEWER_SHOW_HEAD = 3, /* arg: head, width << 4, height << 18 */
};

/* Viewers of minor 2: the guest follows the window, the guest's LEDs,
 * the clipboard both ways; and minor-2 bits that must not count. */
static void
server_seeds_minor2(const char *dir)
{
	static struct seed s;
	s.len = 0;
	hello_minor(&s, true, 2, MINOR2_FEATURES);
	frame_done(&s, 1);
	head_size(&s, 1, 100, 80, 265, 212);
	action(&s, 0, 0x00a0c0c2);
	frame_done(&s, 2);
	action(&s, 10, 0x2020);
	head_size(&s, 2, 640, 480, 0, 0);
	head_size(&s, 1, W, H, 0, 0);
	action(&s, 0, 1);
	frame_done(&s, 3);
	save(dir, "minor2-head-size", &s);

	s.len = 0;
	hello_minor(&s, true, 2, MINOR2_FEATURES);
	action(&s, SOURCE_LEDS, 1u << 1);
	input(&s, 1, EV_KEY, KEY_CAPSLOCK, 1);
	input(&s, 1, EV_KEY, KEY_CAPSLOCK, 0);
	action(&s, SOURCE_LEDS, 1u << 0 | 1u << 2);
	action(&s, 2, 0);
	action(&s, SOURCE_LEDS, 0);
	frame_done(&s, 1);
	save(dir, "minor2-leds", &s);

	/* The viewer copies: the source asks for the data at once. */
	s.len = 0;
	hello_minor(&s, true, 2, MINOR2_FEATURES);
	clip_grab(&s, PROTO_SELECTION_CLIPBOARD, 1, 2);
	clip_data(&s, PROTO_SELECTION_CLIPBOARD, 1, PROTO_CLIPBOARD_OK,
		  fuzz_mimes[0], "copied on the host");
	action(&s, SOURCE_CLIP_ASK, PROTO_SELECTION_CLIPBOARD);
	clip_data(&s, PROTO_SELECTION_CLIPBOARD, 1, PROTO_CLIPBOARD_TOO_LARGE,
		  fuzz_mimes[0], NULL);
	clip_grab(&s, PROTO_SELECTION_PRIMARY, 1, PROTO_MAX_MIMES);
	clip_data(&s, PROTO_SELECTION_PRIMARY, 1, PROTO_CLIPBOARD_NONE,
		  fuzz_mimes[0], NULL);
	clip_grab(&s, PROTO_SELECTION_CLIPBOARD, 2, 0);
	frame_done(&s, 1);
	save(dir, "minor2-clipboard-viewer-grab", &s);

	/* The VM copies: the viewer asks, for the grab and a stale one. */
	s.len = 0;
	hello_minor(&s, true, 2, MINOR2_FEATURES);
	action(&s, SOURCE_CLIP_GRAB, PROTO_SELECTION_CLIPBOARD | 3 << 1);
	clip_request(&s, PROTO_SELECTION_CLIPBOARD, 1, fuzz_mimes[0]);
	clip_request(&s, PROTO_SELECTION_CLIPBOARD, 0, fuzz_mimes[2]);
	action(&s, SOURCE_CLIP_GRAB, PROTO_SELECTION_PRIMARY | 1 << 1);
	clip_request(&s, PROTO_SELECTION_PRIMARY, 1, "image/png");
	/* The viewer's grab of the same serial wins; an older one does not. */
	clip_grab(&s, PROTO_SELECTION_CLIPBOARD, 1, 1);
	clip_grab(&s, PROTO_SELECTION_PRIMARY, 0, 1);
	clip_request(&s, PROTO_SELECTION_PRIMARY, 1, fuzz_mimes[0]);
	action(&s, SOURCE_CLIP_GRAB, PROTO_SELECTION_CLIPBOARD);
	save(dir, "minor2-clipboard-source-grab", &s);

	/* Minor 1 with minor 2's bits: they mean nothing, so no
	 * DEVICE_STATUS or CLIPBOARD_GRAB comes, and HEAD_SIZE is refused. */
	s.len = 0;
	hello_minor(&s, true, 1, 0xff);
	action(&s, SOURCE_LEDS, 2);
	action(&s, SOURCE_CLIP_GRAB, 2 << 1);
	frame_done(&s, 1);
	head_size(&s, 1, 100, 80, 0, 0);
	save(dir, "minor1-minor2-bits", &s);

	/* Minor 3: a playback and a record stream (44100 Hz), the viewer
	 * records, the VM writes and reads, the streams end while the
	 * viewer still speaks of them. */
	s.len = 0;
	hello_minor(&s, true, 3, MINOR3_FEATURES);
	action(&s, SOURCE_AUDIO, 36100u << 8);
	action(&s, SOURCE_AUDIO, 1u << 3 | 36100u << 8);
	action(&s, SOURCE_AUDIO, 1 | 1u << 4);
	action(&s, SOURCE_AUDIO, 2 | 1u << 4 | 128u << 8);
	action(&s, SOURCE_AUDIO, 3 | 1024u << 8);
	audio_capture(&s, 2, PROTO_AUDIO_CAPTURE_ACTIVE);
	action(&s, SOURCE_AUDIO, 4 | 1u << 3 | 441u << 8);
	action(&s, SOURCE_AUDIO, 1u << 3);
	audio_capture(&s, 2, 0);
	audio_capture(&s, 9, PROTO_AUDIO_CAPTURE_ACTIVE);
	save(dir, "minor3-audio", &s);
}

static void
server_seeds(const char *dir)
{
	static struct seed s;
	s.len = 0;
	hello(&s, true);
	frame_done(&s, 1);
	action(&s, 0, 0x00a0c0c2);
	frame_done(&s, 2);
	input(&s, 1, EV_KEY, KEY_A, 1);
	input(&s, 2, EV_ABS, ABS_X, 16000);
	msg(&s, PROTO_PING, &(struct proto_ping){ .serial = 7 }, sizeof(struct proto_ping));
	action(&s, 1, 0);
	action(&s, 0, 1);
	frame_done(&s, 3);
	save(dir, "conversation", &s);

	s.len = 0;
	hello(&s, true);
	action(&s, 8, 0);
	for (int i = 0; i < 40; i++)
		action(&s, 0, (uint32_t)i << 1);
	save(dir, "stops-reading", &s);

	s.len = 0;
	hello(&s, true);
	action(&s, 2, 1);
	action(&s, 3, 100 | 80 << 16);
	action(&s, 4, 0);
	action(&s, 4, 1);
	action(&s, 5, 8);
	action(&s, 6, 5);
	action(&s, 10, 0x2020);
	action(&s, 7, 0);
	input(&s, 4, EV_ABS, ABS_Y, 5);
	save(dir, "source-changes", &s);

	s.len = 0;
	hello(&s, true);
	packet(&s, 1, FUZZ_FD_SEALED_MEMFD, 4096, PROTO_PING,
	       &(struct proto_ping){ .serial = 1 }, sizeof(struct proto_ping));
	save(dir, "fd-on-ping", &s);

	s.len = 0;
	hello(&s, true);
	msg(&s, 0x0777, "later minor", 12);
	hello(&s, true);
	save(dir, "unknown-then-second-hello", &s);

	s.len = 0;
	hello(&s, true);
	action(&s, 9, 0);
	save(dir, "goodbye", &s);

	server_seeds_minor2(dir);
}

static void
shm_buffer_sized(struct seed *s, uint32_t id, enum fuzz_fd_kind kind,
		 uint32_t size, uint32_t width, uint32_t height)
{
	struct proto_buffer_shm m = {
		.buffer_id = id, .fourcc = DRM_FORMAT_XRGB8888, .width = width,
		.height = height, .stride = width * 4,
	};
	packet(s, 1, kind, size, PROTO_BUFFER_SHM, &m, sizeof(m));
}

static void
shm_buffer(struct seed *s, uint32_t id, enum fuzz_fd_kind kind, uint32_t size)
{
	shm_buffer_sized(s, id, kind, size, W, H);
}

static void
show(struct seed *s, uint32_t buffer_id, uint32_t seq)
{
	struct proto_scanout so = { .head_id = 1, .buffer_id = buffer_id,
				    .flags = PROTO_SCANOUT_Y0_TOP,
				    .width = W, .height = H };
	msg(s, PROTO_SCANOUT, &so, sizeof(so));
	struct {
		struct proto_update u;
		struct proto_rect r[2];
	} up = { { 1, seq, 2, 0 }, { { 0, 0, W, H }, { 3, 4, 5, 6 } } };
	msg(s, PROTO_UPDATE, &up, sizeof(up));
	action(s, 0, seq);
}

static void
head_info(struct seed *s, uint32_t head_id, uint32_t width, uint32_t height,
	  int32_t x)
{
	struct proto_head_info head = { .head_id = head_id,
					.flags = PROTO_HEAD_ENABLED,
					.width = width, .height = height, .x = x };
	snprintf(head.name, sizeof(head.name), "Virtual-%u", head_id);
	msg(s, PROTO_HEAD_INFO, &head, sizeof(head));
}

static void
client_start(struct seed *s)
{
	s->len = 0;
	hello(s, false);
	head_info(s, 1, W, H, 0);
}

/* A server of minor 2 with LEDs, RESIZE and CLIPBOARD, as
 * libeglview-server is with every callback set. */
static void
client_start_minor2(struct seed *s)
{
	s->len = 0;
	hello_minor(s, false, 2, MINOR2_FEATURES);
	head_info(s, 1, W, H, 0);
}

static void
audio_stream(struct seed *s, uint32_t id, uint32_t direction,
	     uint32_t capacity)
{
	struct proto_audio_stream st = { id, direction, PROTO_AUDIO_S16,
					 48000, 2, capacity, 0 };
	packet(s, 1, FUZZ_FD_SEALED_MEMFD, 64 + capacity * 4,
	       PROTO_AUDIO_STREAM, &st, sizeof(st));
}

static void
audio_state(struct seed *s, uint32_t id, uint32_t flags, uint8_t volume)
{
	struct proto_audio_state st = { id, flags, { volume, 255 } };
	msg(s, PROTO_AUDIO_STATE, &st, sizeof(st));
}

/* Servers of minor 2: DEVICE_STATUS, the mode following the viewer's
 * HEAD_SIZE, the clipboard both ways. Of minor 3: sound. */
static void
client_seeds_minor2(const char *dir)
{
	static struct seed s;
	/* A playback and a record stream, their states, a removal, and a
	 * state for the stream removed (UNKNOWN_ID). */
	s.len = 0;
	hello_minor(&s, false, 3, MINOR3_FEATURES);
	head_info(&s, 1, W, H, 0);
	audio_stream(&s, 1, PROTO_AUDIO_PLAYBACK, 24000);
	audio_state(&s, 1, PROTO_AUDIO_ENABLED, 200);
	audio_stream(&s, 2, PROTO_AUDIO_RECORD, 4800);
	audio_state(&s, 2, PROTO_AUDIO_ENABLED | PROTO_AUDIO_MUTED, 0);
	msg(&s, PROTO_AUDIO_STREAM_REMOVED,
	    &(struct proto_audio_stream_removed){ .stream_id = 1 },
	    sizeof(struct proto_audio_stream_removed));
	audio_state(&s, 1, 0, 0);
	save(dir, "minor3-audio", &s);

	client_start_minor2(&s);
	led_keyboard(&s, 3);
	leds(&s, 3, 7, 1u << 1);
	shm_buffer(&s, 1, FUZZ_FD_SEALED_MEMFD, W * H * 4);
	show(&s, 1, 1);
	leds(&s, 3, 3, 1u << 0);
	leds(&s, 3, 1u << 0 | 1u << 1 | 1u << 2 | 1u << 3 | 1u << PROTO_LED_MAX,
	     0xffff);
	msg(&s, PROTO_INPUT_DEVICE_REMOVED,
	    &(struct proto_input_device_removed){ .device_id = 3 },
	    sizeof(struct proto_input_device_removed));
	save(dir, "minor2-leds", &s);

	/* The viewer is shown at 100x80 (its HEAD_SIZE waits 200 ms, longer
	 * than a run) and the VM takes that mode: HEAD_INFO, a buffer of
	 * the new size, SCANOUT; a second head comes beside it. */
	client_start_minor2(&s);
	shm_buffer(&s, 1, FUZZ_FD_SEALED_MEMFD, W * H * 4);
	show(&s, 1, 1);
	action(&s, VIEWER_SHOW_HEAD, 1 | 100 << 4 | 80u << 18);
	head_info(&s, 1, 100, 80, 0);
	shm_buffer_sized(&s, 2, FUZZ_FD_SEALED_MEMFD, 100 * 80 * 4, 100, 80);
	struct proto_scanout so = { .head_id = 1, .buffer_id = 2,
				    .flags = PROTO_SCANOUT_Y0_TOP,
				    .width = 100, .height = 80 };
	msg(&s, PROTO_SCANOUT, &so, sizeof(so));
	struct {
		struct proto_update u;
		struct proto_rect r;
	} up = { { 1, 2, 1, 0 }, { 0, 0, 100, 80 } };
	msg(&s, PROTO_UPDATE, &up, sizeof(up));
	action(&s, 0, 2);
	msg(&s, PROTO_BUFFER_DESTROY, &(struct proto_buffer_destroy){ .buffer_id = 1 },
	    sizeof(struct proto_buffer_destroy));
	head_info(&s, 2, W, H, 100);
	action(&s, VIEWER_SHOW_HEAD, 2 | 640 << 4 | 480u << 18);
	action(&s, VIEWER_SHOW_HEAD, 1 | 100 << 4 | 80u << 18);
	save(dir, "minor2-head-size", &s);

	/* The VM copies; the viewer asks for it, then copies itself and is
	 * asked (answered at once), for its grab and for a stale one. */
	client_start_minor2(&s);
	clip_grab(&s, PROTO_SELECTION_CLIPBOARD, 1, 2);
	action(&s, VIEWER_CLIP_ASK, PROTO_SELECTION_CLIPBOARD);
	clip_data(&s, PROTO_SELECTION_CLIPBOARD, 1, PROTO_CLIPBOARD_OK,
		  fuzz_mimes[0], "copied in the guest");
	clip_grab(&s, PROTO_SELECTION_PRIMARY, 1, PROTO_MAX_MIMES);
	action(&s, VIEWER_CLIP_ASK, PROTO_SELECTION_PRIMARY);
	clip_data(&s, PROTO_SELECTION_PRIMARY, 1, PROTO_CLIPBOARD_TOO_LARGE,
		  fuzz_mimes[0], NULL);
	action(&s, VIEWER_CLIP_GRAB, PROTO_SELECTION_CLIPBOARD | 5 << 1);
	clip_request(&s, PROTO_SELECTION_CLIPBOARD, 2, fuzz_mimes[2]);
	clip_request(&s, PROTO_SELECTION_CLIPBOARD, 1, fuzz_mimes[0]);
	/* The VM's grab of the viewer's serial crossed it and loses. */
	clip_grab(&s, PROTO_SELECTION_CLIPBOARD, 2, 1);
	clip_grab(&s, PROTO_SELECTION_CLIPBOARD, 3, 0);
	clip_data(&s, PROTO_SELECTION_PRIMARY, 1, PROTO_CLIPBOARD_NONE,
		  fuzz_mimes[0], NULL);
	action(&s, VIEWER_CLIP_GRAB, PROTO_SELECTION_PRIMARY);
	save(dir, "minor2-clipboard", &s);

	/* A server of minor 1 saying minor 2's bits: they mean nothing, and
	 * its DEVICE_STATUS is refused. */
	s.len = 0;
	hello_minor(&s, false, 1, 0xff);
	head_info(&s, 1, W, H, 0);
	led_keyboard(&s, 3);
	action(&s, VIEWER_CLIP_GRAB, 1 << 1);
	leds(&s, 3, 2, 2);
	save(dir, "minor1-device-status", &s);
}

static void
client_seeds(const char *dir)
{
	static struct seed s;
	client_start(&s);
	shm_buffer(&s, 1, FUZZ_FD_SEALED_MEMFD, W * H * 4);
	show(&s, 1, 1);
	shm_buffer(&s, 2, FUZZ_FD_SEALED_MEMFD, W * H * 4 + 4096);
	show(&s, 2, 2);
	msg(&s, PROTO_BUFFER_DESTROY, &(struct proto_buffer_destroy){ .buffer_id = 1 },
	    sizeof(struct proto_buffer_destroy));
	struct {
		struct proto_cursor_image c;
		uint32_t px[4];
	} cur = { { .head_id = 1, .width = 2, .height = 2 },
		  { 0xffffffff, 0, 0, 0xff000000 } };
	msg(&s, PROTO_CURSOR_IMAGE, &cur, sizeof(cur));
	struct proto_cursor_pos pos = { 1, 10, 10, 1 };
	msg(&s, PROTO_CURSOR_POS, &pos, sizeof(pos));
	msg(&s, PROTO_PING, &(struct proto_ping){ .serial = 3 }, sizeof(struct proto_ping));
	save(dir, "shm-frames", &s);

	client_start(&s);
	struct {
		struct proto_input_device d;
		struct proto_abs_axis a[2];
	} tab = { .d = { .device_id = 5, .kind = PROTO_DEVICE_TABLET,
			 .name = "tablet", .ev_bits = 1u << EV_SYN | 1u << EV_ABS |
			 1u << EV_KEY, .n_abs = 2, .abs_bits = 3 },
		  .a = { { ABS_X, 0, 32767, 0, 0, 0 }, { ABS_Y, 0, 32767, 0, 0, 0 } } };
	msg(&s, PROTO_INPUT_DEVICE, &tab, sizeof(tab));
	struct proto_input_device_removed rm = { .device_id = 5 };
	msg(&s, PROTO_INPUT_DEVICE_REMOVED, &rm, sizeof(rm));
	struct proto_buffer_dmabuf db = {
		.buffer_id = 9, .fourcc = DRM_FORMAT_XRGB8888,
		.modifier = DRM_FORMAT_MOD_LINEAR, .width = W, .height = H,
		.n_planes = 1, .planes = { { 0, W * 4 } },
	};
	packet(&s, 1, FUZZ_FD_SEALED_MEMFD, W * H * 4, PROTO_BUFFER_DMABUF, &db,
	       sizeof(db));
	show(&s, 9, 1);
	save(dir, "devices-dmabuf", &s);

	/* Each of the fd kinds a server must not get away with. */
	static const enum fuzz_fd_kind bad[] = {
		FUZZ_FD_UNSEALED_MEMFD, FUZZ_FD_PIPE, FUZZ_FD_SOCKET,
		FUZZ_FD_DEV_NULL, FUZZ_FD_DIRECTORY, FUZZ_FD_TMPFILE,
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char name[32];
		client_start(&s);
		shm_buffer(&s, 1, bad[i], W * H * 4);
		show(&s, 1, 1);
		snprintf(name, sizeof(name), "bad-fd-%zu", i);
		save(dir, name, &s);
	}
	client_start(&s);
	shm_buffer(&s, 1, FUZZ_FD_SEALED_MEMFD, W * H * 4 - 1);
	show(&s, 1, 1);
	save(dir, "memfd-one-byte-short", &s);

	client_start(&s);
	const char bye[] = "done";
	struct {
		struct proto_error_msg m;
		char text[sizeof(bye)];
	} g = { { PROTO_BYE_QUIT, 0 }, "done" };
	/* The text's NUL ends the packet: not the struct's padding. */
	msg(&s, PROTO_GOODBYE, &g, sizeof(g.m) + sizeof(bye));
	save(dir, "goodbye", &s);

	client_seeds_minor2(dir);
}

static uint32_t
header_type(const uint8_t *packet)
{
	struct proto_header h;
	memcpy(&h, packet, sizeof(h));
	return h.type;
}

/* One packet each, as proto_validate's input: u8 (side, fds), packet. */
static void
validate_seed(const char *dir, const char *name, bool from_viewer, int n_fds,
	      uint32_t type, const void *body, size_t len)
{
	static struct seed s;
	s.len = 0;
	put_le(&s, (from_viewer ? 1u : 0u) | (uint32_t)n_fds << 1, 1);
	struct proto_header h = { type, (uint32_t)(sizeof(h) + len) };
	put(&s, &h, sizeof(h));
	put(&s, body, len);
	save(dir, name, &s);
}

/* Each packet of conv, one per file: PREFIX-0, PREFIX-1, ... */
static void
validate_split(const char *dir, const char *prefix, bool from_viewer,
	       const struct seed *conv)
{
	struct fuzz_reader r = { conv->data, conv->len };
	struct fuzz_record rec;
	int n = 0;
	while (fuzz_next(&r, &rec)) {
		if (rec.is_action || rec.len < sizeof(struct proto_header))
			continue;
		char name[32];
		snprintf(name, sizeof(name), "%s-%d", prefix, n++);
		validate_seed(dir, name, from_viewer, rec.n_fds,
			      header_type(rec.data),
			      rec.data + 8, rec.len - 8);
	}
}

static void
validate_seeds(const char *dir)
{
	/* The packet bytes of each client seed message, one per file. */
	static struct seed conv;
	client_start(&conv);
	shm_buffer(&conv, 1, FUZZ_FD_SEALED_MEMFD, W * H * 4);
	show(&conv, 1, 1);
	validate_split(dir, "server", false, &conv);
	conv.len = 0;
	hello(&conv, true);
	input(&conv, 1, EV_KEY, KEY_A, 1);
	frame_done(&conv, 1);
	validate_split(dir, "viewer", true, &conv);

	/* Minor 2's messages, each from every side that sends it. */
	conv.len = 0;
	hello_minor(&conv, false, 2, MINOR2_FEATURES);
	leds(&conv, 3, 7, 1u << 1);
	clip_grab(&conv, PROTO_SELECTION_CLIPBOARD, 1, 3);
	clip_grab(&conv, PROTO_SELECTION_PRIMARY, 2, 0);
	clip_request(&conv, PROTO_SELECTION_CLIPBOARD, 4, fuzz_mimes[0]);
	clip_data(&conv, PROTO_SELECTION_CLIPBOARD, 1, PROTO_CLIPBOARD_OK,
		  fuzz_mimes[0], "copied in the guest");
	clip_data(&conv, PROTO_SELECTION_PRIMARY, 4, PROTO_CLIPBOARD_NONE,
		  fuzz_mimes[1], NULL);
	validate_split(dir, "minor2-server", false, &conv);
	conv.len = 0;
	hello_minor(&conv, true, 2, MINOR2_FEATURES);
	head_size(&conv, 1, 1920, 1080, 527, 296);
	clip_grab(&conv, PROTO_SELECTION_PRIMARY, 5, PROTO_MAX_MIMES);
	clip_request(&conv, PROTO_SELECTION_CLIPBOARD, 1, fuzz_mimes[2]);
	clip_data(&conv, PROTO_SELECTION_CLIPBOARD, 5, PROTO_CLIPBOARD_OK,
		  fuzz_mimes[2], "copied on the host");
	clip_data(&conv, PROTO_SELECTION_CLIPBOARD, 5,
		  PROTO_CLIPBOARD_TOO_LARGE, fuzz_mimes[0], NULL);
	validate_split(dir, "minor2-viewer", true, &conv);

	/* Minor 3's: the stream (its ring fd), its state, its end, and the
	 * viewer's capture state. */
	conv.len = 0;
	struct proto_audio_stream st = { 1, PROTO_AUDIO_PLAYBACK,
		PROTO_AUDIO_S16, 44100, 2, 22050, 0 };
	packet(&conv, 1, FUZZ_FD_SEALED_MEMFD, 64 + 22050 * 4, PROTO_AUDIO_STREAM,
	       &st, sizeof(st));
	struct proto_audio_state as = { 1, PROTO_AUDIO_ENABLED, { 255, 127 } };
	msg(&conv, PROTO_AUDIO_STATE, &as, sizeof(as));
	struct proto_audio_stream_removed rm = { 1, 0 };
	msg(&conv, PROTO_AUDIO_STREAM_REMOVED, &rm, sizeof(rm));
	validate_split(dir, "minor3-server", false, &conv);
	conv.len = 0;
	audio_capture(&conv, 2, PROTO_AUDIO_CAPTURE_ACTIVE);
	validate_split(dir, "minor3-viewer", true, &conv);
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen-seeds DIR\n");
		return 2;
	}
	char path[256];
	make_dir(argv[1]);
	snprintf(path, sizeof(path), "%s/server", argv[1]);
	make_dir(path);
	server_seeds(path);
	snprintf(path, sizeof(path), "%s/client", argv[1]);
	make_dir(path);
	client_seeds(path);
	snprintf(path, sizeof(path), "%s/validate", argv[1]);
	make_dir(path);
	validate_seeds(path);
	return 0;
}
