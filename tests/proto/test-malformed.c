/* SPDX-License-Identifier: MIT */
/*
 * Table-driven: each row builds one bad (or, as a control, one good)
 * packet, sends it for real over a SOCK_SEQPACKET socketpair with real
 * memfds, receives it, and asserts the exact code proto_validate gives.
 */
#include <drm_fourcc.h>
#include <sys/uio.h>

#include "proto-test.h"

struct raw {
	uint32_t type;
	_Alignas(8) uint8_t body[PROTO_MAX_MSG_SIZE];
	size_t body_len;
	int n_fds;
	uint32_t header_length; /* 0: the true length */
	size_t send_len;        /* 0: the whole packet */
};

#define BODY(T) ((T *)b->body)
#define TAIL(T, base) ((T *)(b->body + sizeof(base)))

static void
set(struct raw *b, uint32_t type, const void *body, size_t len, int n_fds)
{
	b->type = type;
	memcpy(b->body, body, len);
	b->body_len = len;
	b->n_fds = n_fds;
}

/* --- valid bases, each row mutates one ---------------------------------- */

static void
hello(struct raw *b)
{
	struct proto_hello h = { .major = 1, .minor = 0, .name = "test",
				 .n_formats = 1 };
	memcpy(h.magic, PROTO_MAGIC, 8);
	set(b, PROTO_HELLO, &h, sizeof(h), 0);
	*TAIL(struct proto_format, h) = (struct proto_format){
		DRM_FORMAT_XRGB8888, PROTO_FORMAT_SHM, DRM_FORMAT_MOD_LINEAR };
	b->body_len += sizeof(struct proto_format);
}

static void
text(struct raw *b, uint32_t type, const char *s, size_t len)
{
	struct proto_error_msg m = { .code = 1 };
	set(b, type, &m, sizeof(m), 0);
	memcpy(b->body + sizeof(m), s, len);
	b->body_len += len;
}

static void
shm(struct raw *b)
{
	struct proto_buffer_shm s = { .buffer_id = 1, .fourcc =
		DRM_FORMAT_XRGB8888, .width = 64, .height = 32, .stride = 256 };
	set(b, PROTO_BUFFER_SHM, &s, sizeof(s), 1);
}

static void
dmabuf(struct raw *b)
{
	struct proto_buffer_dmabuf d = { .buffer_id = 1,
		.fourcc = DRM_FORMAT_NV12, .width = 64, .height = 32,
		.n_planes = 2, .planes = { { 0, 64 }, { 0, 64 } } };
	set(b, PROTO_BUFFER_DMABUF, &d, sizeof(d), 2);
}

static void
update(struct raw *b, uint32_t n_rects, uint32_t n_sent)
{
	struct proto_update u = { .head_id = 1, .seq = 1, .n_rects = n_rects };
	set(b, PROTO_UPDATE, &u, sizeof(u), 0);
	for (uint32_t i = 0; i < n_sent; i++)
		TAIL(struct proto_rect, u)[i] = (struct proto_rect){ 0, 0, 8, 8 };
	b->body_len += n_sent * sizeof(struct proto_rect);
}

static void
scanout(struct raw *b)
{
	struct proto_scanout s = { .head_id = 1, .buffer_id = 1, .width = 64,
				   .height = 32 };
	set(b, PROTO_SCANOUT, &s, sizeof(s), 0);
}

static void
head(struct raw *b)
{
	struct proto_head_info h = { .head_id = 1, .flags = PROTO_HEAD_ENABLED,
				     .width = 800, .height = 600, .name = "h" };
	set(b, PROTO_HEAD_INFO, &h, sizeof(h), 0);
}

static void
cursor(struct raw *b, uint32_t w, uint32_t h, size_t pixel_bytes)
{
	struct proto_cursor_image c = { .head_id = 1, .width = w, .height = h };
	set(b, PROTO_CURSOR_IMAGE, &c, sizeof(c), 0);
	b->body_len += pixel_bytes;
}

static void
device(struct raw *b)
{
	struct proto_input_device d = { .device_id = 1,
		.kind = PROTO_DEVICE_TABLET, .name = "tablet",
		.ev_bits = 0x0b, .abs_bits = 0x3, .n_abs = 2 };
	set(b, PROTO_INPUT_DEVICE, &d, sizeof(d), 0);
	struct proto_abs_axis *ax = TAIL(struct proto_abs_axis, d);
	ax[0] = (struct proto_abs_axis){ .code = 0, .max = 32767 };
	ax[1] = (struct proto_abs_axis){ .code = 1, .max = 32767 };
	b->body_len += 2 * sizeof(struct proto_abs_axis);
}

#define AXIS(i) (&((struct proto_abs_axis *)(b->body + \
	sizeof(struct proto_input_device)))[i])

static void
input(struct raw *b, uint32_t n_events, uint32_t n_sent)
{
	struct proto_input in = { .device_id = 1, .n_events = n_events };
	set(b, PROTO_INPUT, &in, sizeof(in), 0);
	struct proto_input_event *ev = TAIL(struct proto_input_event, in);
	/* Key presses ended by EV_SYN SYN_REPORT 0. */
	for (uint32_t i = 0; i < n_sent; i++)
		ev[i] = i + 1 < n_sent ? (struct proto_input_event){ 1, 30, 1 } :
			(struct proto_input_event){ 0, 0, 0 };
	b->body_len += n_sent * sizeof(*ev);
}

/* DEVICE_STATUS: the guest's Caps Lock LED on, ended by SYN_REPORT. */
static void
status(struct raw *b)
{
	input(b, 2, 2);
	b->type = PROTO_DEVICE_STATUS;
	TAIL(struct proto_input_event, struct proto_input)[0] =
		(struct proto_input_event){ PROTO_EV_LED, 1, 1 };
}

#define STATUS_EV(i) (&TAIL(struct proto_input_event, struct proto_input)[i])

static void
ping(struct raw *b)
{
	struct proto_ping p = { .serial = 1 };
	set(b, PROTO_PING, &p, sizeof(p), 0);
}

/* --- rows ---------------------------------------------------------------- */

#define ROW(fn) static void fn(struct raw *b)

ROW(short_packet) { ping(b); b->send_len = 4; }
ROW(length_mismatch) { ping(b); b->header_length = 12; }
ROW(length_over_max) { ping(b); b->header_length = PROTO_MAX_MSG_SIZE + 8; }
ROW(scanout_from_viewer) { scanout(b); }
ROW(frame_done_from_server) {
	struct proto_frame_done f = { .head_id = 1 };
	set(b, PROTO_FRAME_DONE, &f, sizeof(f), 0);
}
ROW(frame_done_short) {
	struct proto_frame_done f = { .head_id = 1 };
	set(b, PROTO_FRAME_DONE, &f, 8, 0);
}
ROW(ping_long) { ping(b); b->body_len = 12; }
ROW(head_short) { head(b); b->body_len--; }
ROW(shm_long) { shm(b); b->body_len += 8; }
ROW(hello_ok) { hello(b); }
ROW(hello_minor) {
	hello(b);
	BODY(struct proto_hello)->minor = 9;
	BODY(struct proto_hello)->n_formats = 0;
	b->body_len = sizeof(struct proto_hello);
}
ROW(hello_server_formats) { hello(b); }
ROW(hello_short) { hello(b); b->body_len = 40; }
ROW(hello_formats_missing) { hello(b); BODY(struct proto_hello)->n_formats = 2; }
ROW(hello_formats_over) {
	hello(b);
	BODY(struct proto_hello)->n_formats = PROTO_MAX_FORMATS + 1;
	b->body_len = sizeof(struct proto_hello) +
		(PROTO_MAX_FORMATS + 1) * sizeof(struct proto_format);
}
ROW(hello_magic) { hello(b); BODY(struct proto_hello)->magic[0] = 'X'; }
ROW(hello_magic_unterminated) { hello(b); BODY(struct proto_hello)->magic[7] = 'X'; }
ROW(hello_major) { hello(b); BODY(struct proto_hello)->major = 2; }
ROW(hello_name) { hello(b); memset(BODY(struct proto_hello)->name, 'n', PROTO_MAX_NAME); }
ROW(error_ok) { text(b, PROTO_ERROR, "bad", 4); }
ROW(error_empty) { text(b, PROTO_ERROR, "", 0); }
ROW(error_no_nul) { text(b, PROTO_ERROR, "bad", 3); }
ROW(error_inner_nul) { text(b, PROTO_ERROR, "a\0b", 4); }
ROW(goodbye_too_long) {
	static char t[PROTO_MAX_TEXT + 1];
	memset(t, 'g', sizeof(t) - 1);
	text(b, PROTO_GOODBYE, t, sizeof(t));
}
ROW(goodbye_max) {
	static char t[PROTO_MAX_TEXT];
	memset(t, 'g', sizeof(t) - 1);
	text(b, PROTO_GOODBYE, t, sizeof(t));
}
ROW(shm_ok) { shm(b); }
ROW(shm_no_fd) { shm(b); b->n_fds = 0; }
ROW(shm_two_fds) { shm(b); b->n_fds = 2; }
ROW(ping_with_fd) { ping(b); b->n_fds = 1; }
ROW(dmabuf_fd_mismatch) { dmabuf(b); b->n_fds = 1; }
ROW(shm_id_zero) { shm(b); BODY(struct proto_buffer_shm)->buffer_id = 0; }
ROW(shm_width_zero) { shm(b); BODY(struct proto_buffer_shm)->width = 0; }
ROW(shm_height_big) { shm(b); BODY(struct proto_buffer_shm)->height = 16385; }
ROW(shm_fourcc) { shm(b); BODY(struct proto_buffer_shm)->fourcc = DRM_FORMAT_YUYV; }
ROW(shm_nv12) { shm(b); BODY(struct proto_buffer_shm)->fourcc = DRM_FORMAT_NV12; }
ROW(shm_stride) { shm(b); BODY(struct proto_buffer_shm)->stride = 255; }
ROW(shm_rgb565_stride_ok) {
	shm(b);
	BODY(struct proto_buffer_shm)->fourcc = DRM_FORMAT_RGB565;
	BODY(struct proto_buffer_shm)->stride = 128;
}
ROW(shm_overflow) { shm(b); BODY(struct proto_buffer_shm)->offset = UINT64_MAX - 100; }
ROW(dmabuf_ok) { dmabuf(b); }
ROW(dmabuf_planes_wrong) { dmabuf(b); BODY(struct proto_buffer_dmabuf)->n_planes = 1; b->n_fds = 1; }
ROW(dmabuf_planes_zero) { dmabuf(b); BODY(struct proto_buffer_dmabuf)->n_planes = 0; b->n_fds = 0; }
ROW(dmabuf_planes_five) { dmabuf(b); BODY(struct proto_buffer_dmabuf)->n_planes = 5; b->n_fds = 4; }
ROW(dmabuf_uv_stride) { dmabuf(b); BODY(struct proto_buffer_dmabuf)->planes[1].stride = 62; }
ROW(dmabuf_fourcc) { dmabuf(b); BODY(struct proto_buffer_dmabuf)->fourcc = 0x20202020; }
ROW(dmabuf_height_zero) { dmabuf(b); BODY(struct proto_buffer_dmabuf)->height = 0; }
ROW(dmabuf_overflow) {
	dmabuf(b);
	BODY(struct proto_buffer_dmabuf)->width = 16384;
	BODY(struct proto_buffer_dmabuf)->height = 16384;
	BODY(struct proto_buffer_dmabuf)->planes[0].stride = UINT32_MAX;
	BODY(struct proto_buffer_dmabuf)->planes[1].stride = UINT32_MAX;
	BODY(struct proto_buffer_dmabuf)->planes[1].offset = UINT32_MAX;
}
ROW(destroy_zero) {
	struct proto_buffer_destroy d = { 0 };
	set(b, PROTO_BUFFER_DESTROY, &d, sizeof(d), 0);
}
ROW(update_ok) { update(b, 64, 64); }
ROW(update_zero_rects) { update(b, 0, 0); }
ROW(update_too_many) { update(b, 65, 65); }
ROW(update_count_mismatch) { update(b, 2, 1); }
ROW(update_rect_empty) { update(b, 1, 1); TAIL(struct proto_rect, struct proto_update)[0].width = 0; }
ROW(update_rect_out) { update(b, 1, 1); TAIL(struct proto_rect, struct proto_update)[0].x = 16380; }
ROW(update_rect_wrap) {
	update(b, 1, 1);
	TAIL(struct proto_rect, struct proto_update)[0].y = UINT32_MAX - 2;
}
ROW(update_head_zero) { update(b, 1, 1); BODY(struct proto_update)->head_id = 0; }
ROW(scanout_ok) { scanout(b); }
ROW(scanout_none_ok) { scanout(b); *BODY(struct proto_scanout) = (struct proto_scanout){ .head_id = 1 }; }
ROW(scanout_width_zero) { scanout(b); BODY(struct proto_scanout)->width = 0; }
ROW(scanout_out) { scanout(b); BODY(struct proto_scanout)->y = 16384 - 31; }
ROW(scanout_head_zero) { scanout(b); BODY(struct proto_scanout)->head_id = 0; }
ROW(head_ok_disabled) {
	head(b);
	BODY(struct proto_head_info)->flags = 0;
	BODY(struct proto_head_info)->width = 0;
}
ROW(head_width_zero) { head(b); BODY(struct proto_head_info)->width = 0; }
ROW(head_height_big) { head(b); BODY(struct proto_head_info)->height = 20000; }
ROW(head_name) { head(b); memset(BODY(struct proto_head_info)->name, 'h', 32); }
ROW(head_id_zero) { head(b); BODY(struct proto_head_info)->head_id = 0; }
ROW(cursor_ok) { cursor(b, 2, 3, 24); }
ROW(cursor_none_ok) { cursor(b, 0, 0, 0); }
ROW(cursor_too_wide) { cursor(b, 129, 1, 129 * 4); }
ROW(cursor_half_empty) { cursor(b, 0, 4, 0); }
ROW(cursor_pixels_short) { cursor(b, 2, 3, 20); }
ROW(cursor_none_with_pixels) { cursor(b, 0, 0, 4); }
ROW(cursor_hotspot_last_ok) {
	cursor(b, 2, 3, 24);
	BODY(struct proto_cursor_image)->hot_x = 1;
	BODY(struct proto_cursor_image)->hot_y = 2;
}
ROW(cursor_hotspot_x) { cursor(b, 2, 3, 24); BODY(struct proto_cursor_image)->hot_x = 2; }
ROW(cursor_hotspot_y) { cursor(b, 2, 3, 24); BODY(struct proto_cursor_image)->hot_y = -1; }
ROW(cursor_hotspot_none_ok) {
	cursor(b, 0, 0, 0);
	BODY(struct proto_cursor_image)->hot_x = INT32_MIN;
}
ROW(cursor_pos_visible) {
	struct proto_cursor_pos p = { .head_id = 1, .visible = 2 };
	set(b, PROTO_CURSOR_POS, &p, sizeof(p), 0);
}
ROW(device_ok) { device(b); }
ROW(device_n_abs) { device(b); BODY(struct proto_input_device)->n_abs = 1; b->body_len -= 24; }
ROW(device_axes_missing) { device(b); b->body_len -= 24; }
ROW(device_kind_zero) { device(b); BODY(struct proto_input_device)->kind = 0; }
ROW(device_kind_five) { device(b); BODY(struct proto_input_device)->kind = 5; }
ROW(device_name) { device(b); memset(BODY(struct proto_input_device)->name, 'd', PROTO_MAX_NAME); }
ROW(device_no_syn) { device(b); BODY(struct proto_input_device)->ev_bits = 0x0a; }
ROW(device_id_zero) { device(b); BODY(struct proto_input_device)->device_id = 0; }
ROW(device_axis_code) { device(b); AXIS(1)->code = 2; }
ROW(device_axis_order) { device(b); AXIS(0)->code = 1; AXIS(1)->code = 0; }
ROW(device_axis_min_max) { device(b); AXIS(0)->min = 1; AXIS(0)->max = 0; }
ROW(device_axis_full_range_ok) {
	device(b);
	AXIS(0)->min = INT32_MIN;
	AXIS(0)->max = INT32_MAX;
	AXIS(1)->min = AXIS(1)->max = INT32_MIN;
}
ROW(removed_zero) {
	struct proto_input_device_removed r = { 0 };
	set(b, PROTO_INPUT_DEVICE_REMOVED, &r, sizeof(r), 0);
}
ROW(status_ok) { status(b); }
ROW(status_led_15_ok) { status(b); STATUS_EV(0)->code = 15; STATUS_EV(0)->value = 0; }
ROW(status_from_viewer) { status(b); }
ROW(status_key_record) { status(b); STATUS_EV(0)->type = 1; }
ROW(status_led_16) { status(b); STATUS_EV(0)->code = 16; }
ROW(status_value_2) { status(b); STATUS_EV(0)->value = 2; }
ROW(status_no_syn) { status(b); *STATUS_EV(1) = *STATUS_EV(0); }
ROW(status_zero) { status(b); BODY(struct proto_input)->n_events = 0; b->body_len = sizeof(struct proto_input); }
ROW(status_device_zero) { status(b); BODY(struct proto_input)->device_id = 0; }
ROW(head_size_ok) {
	struct proto_head_size hs = { .head_id = 1, .width = 16384,
				      .height = 1, .width_mm = 600 };
	set(b, PROTO_HEAD_SIZE, &hs, sizeof(hs), 0);
}
ROW(head_size_from_server) { head_size_ok(b); }
ROW(head_size_width_0) { head_size_ok(b); BODY(struct proto_head_size)->width = 0; }
ROW(head_size_height_big) { head_size_ok(b); BODY(struct proto_head_size)->height = 16385; }
ROW(head_size_head_0) { head_size_ok(b); BODY(struct proto_head_size)->head_id = 0; }
ROW(head_size_short) { head_size_ok(b); b->body_len -= 4; }
/* Audio (minor 3): a stream with its ring fd, a state, a capture state. */
ROW(audio_stream_ok) {
	struct proto_audio_stream st = { .stream_id = 1, .direction = 0,
		.format = PROTO_AUDIO_S16, .rate = 48000, .channels = 2,
		.capacity = 24000 };
	set(b, PROTO_AUDIO_STREAM, &st, sizeof(st), 1);
}
#define STREAM BODY(struct proto_audio_stream)
ROW(audio_stream_from_viewer) { audio_stream_ok(b); }
ROW(audio_stream_no_fd) { audio_stream_ok(b); b->n_fds = 0; }
ROW(audio_stream_id_0) { audio_stream_ok(b); STREAM->stream_id = 0; }
ROW(audio_stream_direction_2) { audio_stream_ok(b); STREAM->direction = 2; }
ROW(audio_stream_format_5) { audio_stream_ok(b); STREAM->format = 5; }
ROW(audio_stream_rate_low) { audio_stream_ok(b); STREAM->rate = 7999; }
ROW(audio_stream_rate_high) { audio_stream_ok(b); STREAM->rate = 192001; }
ROW(audio_stream_channels_9) { audio_stream_ok(b); STREAM->channels = 9; }
ROW(audio_stream_capacity_small) { audio_stream_ok(b); STREAM->capacity = 255; }
/* 4 MiB of F32 x 8 channels is 131072 frames. */
ROW(audio_stream_capacity_max_ok) { audio_stream_ok(b); STREAM->format = PROTO_AUDIO_F32; STREAM->channels = 8; STREAM->capacity = 131072; }
ROW(audio_stream_capacity_big) { audio_stream_capacity_max_ok(b); STREAM->capacity = 131073; }
ROW(audio_stream_short) { audio_stream_ok(b); b->body_len -= 8; }
ROW(audio_state_ok) {
	struct proto_audio_state st = { .stream_id = 1,
		.flags = PROTO_AUDIO_ENABLED, .volume = { 255, 128 } };
	set(b, PROTO_AUDIO_STATE, &st, sizeof(st), 0);
}
ROW(audio_state_id_0) { audio_state_ok(b); BODY(struct proto_audio_state)->stream_id = 0; }
ROW(audio_state_from_viewer) { audio_state_ok(b); }
ROW(audio_removed_ok) {
	struct proto_audio_stream_removed r = { .stream_id = 3 };
	set(b, PROTO_AUDIO_STREAM_REMOVED, &r, sizeof(r), 0);
}
ROW(audio_removed_with_fd) { audio_removed_ok(b); b->n_fds = 1; }
ROW(audio_capture_ok) {
	struct proto_audio_capture_state c = { .stream_id = 2,
		.flags = PROTO_AUDIO_CAPTURE_ACTIVE };
	set(b, PROTO_AUDIO_CAPTURE_STATE, &c, sizeof(c), 0);
}
ROW(audio_capture_from_server) { audio_capture_ok(b); }
ROW(audio_capture_id_0) { audio_capture_ok(b); BODY(struct proto_audio_capture_state)->stream_id = 0; }
ROW(audio_capture_long) { audio_capture_ok(b); b->body_len += 8; }
/* The clipboard: a grab with two types, a request, 5 bytes of data. */
static void
clip_grab(struct raw *b, uint32_t n_mimes, uint32_t n_sent)
{
	struct proto_clipboard_grab g = { .selection = 0, .serial = 1,
					  .n_mimes = n_mimes };
	set(b, PROTO_CLIPBOARD_GRAB, &g, sizeof(g), 0);
	for (uint32_t i = 0; i < n_sent; i++)
		snprintf((char *)b->body + sizeof(g) + i * PROTO_MAX_MIME,
			 PROTO_MAX_MIME, "text/plain");
	b->body_len += n_sent * PROTO_MAX_MIME;
}

static void
clip_data(struct raw *b, uint32_t length, uint32_t status)
{
	struct proto_clipboard_data d = { .serial = 1, .status = status,
					  .length = length, .mime = "text/plain" };
	set(b, PROTO_CLIPBOARD_DATA, &d, sizeof(d), 0);
	memset(b->body + sizeof(d), 'x', length);
	b->body_len += length;
}

ROW(clip_grab_ok) { clip_grab(b, 2, 2); }
ROW(clip_release_ok) { clip_grab(b, 0, 0); }
ROW(clip_grab_9) { clip_grab(b, 9, 9); }
ROW(clip_grab_short) { clip_grab(b, 2, 1); }
ROW(clip_grab_selection_2) { clip_grab(b, 1, 1); BODY(struct proto_clipboard_grab)->selection = 2; }
ROW(clip_grab_mime_unterminated) {
	clip_grab(b, 1, 1);
	memset(b->body + sizeof(struct proto_clipboard_grab), 'm', PROTO_MAX_MIME);
}
ROW(clip_request_ok) {
	struct proto_clipboard_request r = { .selection = 1, .serial = 3,
					     .mime = "UTF8_STRING" };
	set(b, PROTO_CLIPBOARD_REQUEST, &r, sizeof(r), 0);
}
ROW(clip_request_short) { clip_request_ok(b); b->body_len -= 1; }
ROW(clip_data_ok) { clip_data(b, 5, PROTO_CLIPBOARD_OK); }
ROW(clip_data_max_ok) { clip_data(b, PROTO_MAX_CLIPBOARD, PROTO_CLIPBOARD_OK); }
ROW(clip_data_too_long) { clip_data(b, 5, PROTO_CLIPBOARD_OK); BODY(struct proto_clipboard_data)->length = PROTO_MAX_CLIPBOARD + 1; }
ROW(clip_data_length_mismatch) { clip_data(b, 5, PROTO_CLIPBOARD_OK); b->body_len -= 1; }
ROW(clip_data_status_3) { clip_data(b, 0, 3); }
ROW(clip_data_none_with_bytes) { clip_data(b, 5, PROTO_CLIPBOARD_NONE); }
ROW(input_ok) { input(b, 256, 256); }
ROW(input_zero) { input(b, 0, 0); }
ROW(input_too_many) { input(b, 257, 257); }
ROW(input_count_mismatch) { input(b, 3, 2); }
ROW(input_no_syn) { input(b, 2, 2); TAIL(struct proto_input_event, struct proto_input)[1].type = 1; }
ROW(input_syn_value) { input(b, 2, 2); TAIL(struct proto_input_event, struct proto_input)[1].value = 1; }
ROW(input_syn_dropped) { input(b, 2, 2); TAIL(struct proto_input_event, struct proto_input)[1].code = 2; }
ROW(input_from_server) { input(b, 1, 1); }
ROW(unknown_type) { ping(b); b->type = 0x01ff; b->n_fds = 2; }

struct row {
	const char *name;
	void (*build)(struct raw *b);
	enum proto_side from;
	enum proto_error expect;
};

#define S PROTO_FROM_SERVER
#define V PROTO_FROM_VIEWER
static const struct row rows[] = {
	{ "short packet", short_packet, S, PROTO_ERR_MALFORMED },
	{ "header length != packet", length_mismatch, S, PROTO_ERR_MALFORMED },
	{ "header length > max", length_over_max, V, PROTO_ERR_MALFORMED },
	{ "SCANOUT from viewer", scanout_from_viewer, V, PROTO_ERR_UNEXPECTED },
	{ "FRAME_DONE from server", frame_done_from_server, S, PROTO_ERR_UNEXPECTED },
	{ "INPUT from server", input_from_server, S, PROTO_ERR_UNEXPECTED },
	{ "FRAME_DONE short", frame_done_short, V, PROTO_ERR_MALFORMED },
	{ "PING long", ping_long, V, PROTO_ERR_MALFORMED },
	{ "HEAD_INFO short", head_short, S, PROTO_ERR_MALFORMED },
	{ "BUFFER_SHM long", shm_long, S, PROTO_ERR_MALFORMED },
	{ "HELLO ok", hello_ok, V, PROTO_ERR_NONE },
	{ "HELLO newer minor ok", hello_minor, S, PROTO_ERR_NONE },
	{ "HELLO short", hello_short, V, PROTO_ERR_MALFORMED },
	{ "HELLO formats missing", hello_formats_missing, V, PROTO_ERR_MALFORMED },
	{ "HELLO n_formats over", hello_formats_over, V, PROTO_ERR_MALFORMED },
	{ "HELLO magic", hello_magic, V, PROTO_ERR_VERSION },
	{ "HELLO magic unterminated", hello_magic_unterminated, S, PROTO_ERR_VERSION },
	{ "HELLO major 2", hello_major, S, PROTO_ERR_VERSION },
	{ "HELLO name unterminated", hello_name, V, PROTO_ERR_MALFORMED },
	{ "HELLO server with formats", hello_server_formats, S, PROTO_ERR_BAD_VALUE },
	{ "ERROR ok", error_ok, S, PROTO_ERR_NONE },
	{ "ERROR empty", error_empty, S, PROTO_ERR_MALFORMED },
	{ "ERROR no NUL", error_no_nul, V, PROTO_ERR_MALFORMED },
	{ "ERROR inner NUL", error_inner_nul, V, PROTO_ERR_MALFORMED },
	{ "GOODBYE 257 bytes", goodbye_too_long, S, PROTO_ERR_MALFORMED },
	{ "GOODBYE 256 bytes ok", goodbye_max, S, PROTO_ERR_NONE },
	{ "BUFFER_SHM ok", shm_ok, S, PROTO_ERR_NONE },
	{ "BUFFER_SHM no fd", shm_no_fd, S, PROTO_ERR_FD_COUNT },
	{ "BUFFER_SHM two fds", shm_two_fds, S, PROTO_ERR_FD_COUNT },
	{ "PING with fd", ping_with_fd, V, PROTO_ERR_FD_COUNT },
	{ "BUFFER_DMABUF 2 planes 1 fd", dmabuf_fd_mismatch, S, PROTO_ERR_FD_COUNT },
	{ "BUFFER_SHM id 0", shm_id_zero, S, PROTO_ERR_BAD_VALUE },
	{ "BUFFER_SHM width 0", shm_width_zero, S, PROTO_ERR_BAD_VALUE },
	{ "BUFFER_SHM height 16385", shm_height_big, S, PROTO_ERR_BAD_VALUE },
	{ "BUFFER_SHM unknown fourcc", shm_fourcc, S, PROTO_ERR_FORMAT },
	{ "BUFFER_SHM two-plane fourcc", shm_nv12, S, PROTO_ERR_FORMAT },
	{ "BUFFER_SHM stride < width*cpp", shm_stride, S, PROTO_ERR_BAD_VALUE },
	{ "BUFFER_SHM RGB565 stride ok", shm_rgb565_stride_ok, S, PROTO_ERR_NONE },
	{ "BUFFER_SHM offset overflow", shm_overflow, S, PROTO_ERR_BAD_VALUE },
	{ "BUFFER_DMABUF ok", dmabuf_ok, S, PROTO_ERR_NONE },
	{ "BUFFER_DMABUF n_planes != fourcc", dmabuf_planes_wrong, S, PROTO_ERR_BAD_VALUE },
	{ "BUFFER_DMABUF n_planes 0", dmabuf_planes_zero, S, PROTO_ERR_BAD_VALUE },
	{ "BUFFER_DMABUF n_planes 5", dmabuf_planes_five, S, PROTO_ERR_BAD_VALUE },
	{ "BUFFER_DMABUF chroma stride", dmabuf_uv_stride, S, PROTO_ERR_BAD_VALUE },
	{ "BUFFER_DMABUF unknown fourcc", dmabuf_fourcc, S, PROTO_ERR_FORMAT },
	{ "BUFFER_DMABUF height 0", dmabuf_height_zero, S, PROTO_ERR_BAD_VALUE },
	{ "BUFFER_DMABUF 64-bit size ok", dmabuf_overflow, S, PROTO_ERR_NONE },
	{ "BUFFER_DESTROY id 0", destroy_zero, S, PROTO_ERR_BAD_VALUE },
	{ "UPDATE 64 rects ok", update_ok, S, PROTO_ERR_NONE },
	{ "UPDATE 0 rects", update_zero_rects, S, PROTO_ERR_MALFORMED },
	{ "UPDATE 65 rects", update_too_many, S, PROTO_ERR_MALFORMED },
	{ "UPDATE n_rects != body", update_count_mismatch, S, PROTO_ERR_MALFORMED },
	{ "UPDATE empty rect", update_rect_empty, S, PROTO_ERR_BAD_VALUE },
	{ "UPDATE rect past 16384", update_rect_out, S, PROTO_ERR_BAD_VALUE },
	{ "UPDATE rect y wraps", update_rect_wrap, S, PROTO_ERR_BAD_VALUE },
	{ "UPDATE head 0", update_head_zero, S, PROTO_ERR_BAD_VALUE },
	{ "SCANOUT ok", scanout_ok, S, PROTO_ERR_NONE },
	{ "SCANOUT buffer 0 ok", scanout_none_ok, S, PROTO_ERR_NONE },
	{ "SCANOUT width 0", scanout_width_zero, S, PROTO_ERR_BAD_VALUE },
	{ "SCANOUT rect past 16384", scanout_out, S, PROTO_ERR_BAD_VALUE },
	{ "SCANOUT head 0", scanout_head_zero, S, PROTO_ERR_BAD_VALUE },
	{ "HEAD_INFO disabled width 0 ok", head_ok_disabled, S, PROTO_ERR_NONE },
	{ "HEAD_INFO enabled width 0", head_width_zero, S, PROTO_ERR_BAD_VALUE },
	{ "HEAD_INFO height 20000", head_height_big, S, PROTO_ERR_BAD_VALUE },
	{ "HEAD_INFO name unterminated", head_name, S, PROTO_ERR_MALFORMED },
	{ "HEAD_INFO head 0", head_id_zero, S, PROTO_ERR_BAD_VALUE },
	{ "CURSOR_IMAGE ok", cursor_ok, S, PROTO_ERR_NONE },
	{ "CURSOR_IMAGE none ok", cursor_none_ok, S, PROTO_ERR_NONE },
	{ "CURSOR_IMAGE width 129", cursor_too_wide, S, PROTO_ERR_BAD_VALUE },
	{ "CURSOR_IMAGE 0x4", cursor_half_empty, S, PROTO_ERR_BAD_VALUE },
	{ "CURSOR_IMAGE pixels short", cursor_pixels_short, S, PROTO_ERR_MALFORMED },
	{ "CURSOR_IMAGE none with pixels", cursor_none_with_pixels, S, PROTO_ERR_MALFORMED },
	{ "CURSOR_IMAGE hotspot last pixel ok", cursor_hotspot_last_ok, S, PROTO_ERR_NONE },
	{ "CURSOR_IMAGE hot_x = width", cursor_hotspot_x, S, PROTO_ERR_BAD_VALUE },
	{ "CURSOR_IMAGE hot_y -1", cursor_hotspot_y, S, PROTO_ERR_BAD_VALUE },
	{ "CURSOR_IMAGE none, any hotspot ok", cursor_hotspot_none_ok, S, PROTO_ERR_NONE },
	{ "CURSOR_POS visible 2", cursor_pos_visible, S, PROTO_ERR_BAD_VALUE },
	{ "INPUT_DEVICE ok", device_ok, S, PROTO_ERR_NONE },
	{ "INPUT_DEVICE n_abs != popcount", device_n_abs, S, PROTO_ERR_MALFORMED },
	{ "INPUT_DEVICE axes missing", device_axes_missing, S, PROTO_ERR_MALFORMED },
	{ "INPUT_DEVICE kind 0", device_kind_zero, S, PROTO_ERR_BAD_VALUE },
	{ "INPUT_DEVICE kind 5", device_kind_five, S, PROTO_ERR_BAD_VALUE },
	{ "INPUT_DEVICE name unterminated", device_name, S, PROTO_ERR_MALFORMED },
	{ "INPUT_DEVICE no EV_SYN", device_no_syn, S, PROTO_ERR_BAD_VALUE },
	{ "INPUT_DEVICE id 0", device_id_zero, S, PROTO_ERR_BAD_VALUE },
	{ "INPUT_DEVICE axis code not its bit", device_axis_code, S, PROTO_ERR_BAD_VALUE },
	{ "INPUT_DEVICE axes out of order", device_axis_order, S, PROTO_ERR_BAD_VALUE },
	{ "INPUT_DEVICE axis min > max", device_axis_min_max, S, PROTO_ERR_BAD_VALUE },
	{ "INPUT_DEVICE axis INT32_MIN..INT32_MAX ok", device_axis_full_range_ok, S, PROTO_ERR_NONE },
	{ "INPUT_DEVICE_REMOVED id 0", removed_zero, S, PROTO_ERR_BAD_VALUE },
	{ "INPUT 256 events ok", input_ok, V, PROTO_ERR_NONE },
	{ "INPUT 0 events", input_zero, V, PROTO_ERR_MALFORMED },
	{ "INPUT 257 events", input_too_many, V, PROTO_ERR_MALFORMED },
	{ "INPUT n_events != body", input_count_mismatch, V, PROTO_ERR_MALFORMED },
	{ "INPUT last not EV_SYN", input_no_syn, V, PROTO_ERR_MALFORMED },
	{ "INPUT SYN_REPORT value 1", input_syn_value, V, PROTO_ERR_MALFORMED },
	{ "INPUT ends SYN_DROPPED", input_syn_dropped, V, PROTO_ERR_MALFORMED },
	{ "HEAD_SIZE ok", head_size_ok, V, PROTO_ERR_NONE },
	{ "HEAD_SIZE from server", head_size_from_server, S, PROTO_ERR_UNEXPECTED },
	{ "HEAD_SIZE width 0", head_size_width_0, V, PROTO_ERR_BAD_VALUE },
	{ "HEAD_SIZE height 16385", head_size_height_big, V, PROTO_ERR_BAD_VALUE },
	{ "HEAD_SIZE head 0", head_size_head_0, V, PROTO_ERR_BAD_VALUE },
	{ "HEAD_SIZE 20 bytes", head_size_short, V, PROTO_ERR_MALFORMED },
	{ "CLIPBOARD_GRAB 2 types ok", clip_grab_ok, V, PROTO_ERR_NONE },
	{ "CLIPBOARD_GRAB 0 types (release) ok", clip_release_ok, S, PROTO_ERR_NONE },
	{ "CLIPBOARD_GRAB 9 types", clip_grab_9, S, PROTO_ERR_MALFORMED },
	{ "CLIPBOARD_GRAB n_mimes != body", clip_grab_short, V, PROTO_ERR_MALFORMED },
	{ "CLIPBOARD_GRAB selection 2", clip_grab_selection_2, S, PROTO_ERR_BAD_VALUE },
	{ "CLIPBOARD_GRAB mime unterminated", clip_grab_mime_unterminated, V, PROTO_ERR_MALFORMED },
	{ "CLIPBOARD_REQUEST ok", clip_request_ok, S, PROTO_ERR_NONE },
	{ "CLIPBOARD_REQUEST 79 bytes", clip_request_short, V, PROTO_ERR_MALFORMED },
	{ "CLIPBOARD_DATA ok", clip_data_ok, V, PROTO_ERR_NONE },
	{ "CLIPBOARD_DATA 65536 bytes ok", clip_data_max_ok, S, PROTO_ERR_NONE },
	{ "CLIPBOARD_DATA length 65537", clip_data_too_long, S, PROTO_ERR_MALFORMED },
	{ "CLIPBOARD_DATA length != body", clip_data_length_mismatch, V, PROTO_ERR_MALFORMED },
	{ "CLIPBOARD_DATA status 3", clip_data_status_3, S, PROTO_ERR_BAD_VALUE },
	{ "CLIPBOARD_DATA NONE with bytes", clip_data_none_with_bytes, V, PROTO_ERR_BAD_VALUE },
	{ "DEVICE_STATUS ok", status_ok, S, PROTO_ERR_NONE },
	{ "DEVICE_STATUS LED 15 off ok", status_led_15_ok, S, PROTO_ERR_NONE },
	{ "DEVICE_STATUS from viewer", status_from_viewer, V, PROTO_ERR_UNEXPECTED },
	{ "DEVICE_STATUS EV_KEY record", status_key_record, S, PROTO_ERR_BAD_VALUE },
	{ "DEVICE_STATUS LED 16", status_led_16, S, PROTO_ERR_BAD_VALUE },
	{ "DEVICE_STATUS value 2", status_value_2, S, PROTO_ERR_BAD_VALUE },
	{ "DEVICE_STATUS last not EV_SYN", status_no_syn, S, PROTO_ERR_MALFORMED },
	{ "DEVICE_STATUS 0 events", status_zero, S, PROTO_ERR_MALFORMED },
	{ "DEVICE_STATUS device 0", status_device_zero, S, PROTO_ERR_BAD_VALUE },
	{ "AUDIO_STREAM ok", audio_stream_ok, S, PROTO_ERR_NONE },
	{ "AUDIO_STREAM from viewer", audio_stream_from_viewer, V, PROTO_ERR_UNEXPECTED },
	{ "AUDIO_STREAM no fd", audio_stream_no_fd, S, PROTO_ERR_FD_COUNT },
	{ "AUDIO_STREAM id 0", audio_stream_id_0, S, PROTO_ERR_BAD_VALUE },
	{ "AUDIO_STREAM direction 2", audio_stream_direction_2, S, PROTO_ERR_BAD_VALUE },
	{ "AUDIO_STREAM format 5", audio_stream_format_5, S, PROTO_ERR_BAD_VALUE },
	{ "AUDIO_STREAM rate 7999", audio_stream_rate_low, S, PROTO_ERR_BAD_VALUE },
	{ "AUDIO_STREAM rate 192001", audio_stream_rate_high, S, PROTO_ERR_BAD_VALUE },
	{ "AUDIO_STREAM 9 channels", audio_stream_channels_9, S, PROTO_ERR_BAD_VALUE },
	{ "AUDIO_STREAM capacity 255", audio_stream_capacity_small, S, PROTO_ERR_BAD_VALUE },
	{ "AUDIO_STREAM 4 MiB ring ok", audio_stream_capacity_max_ok, S, PROTO_ERR_NONE },
	{ "AUDIO_STREAM ring over 4 MiB", audio_stream_capacity_big, S, PROTO_ERR_BAD_VALUE },
	{ "AUDIO_STREAM 24 bytes", audio_stream_short, S, PROTO_ERR_MALFORMED },
	{ "AUDIO_STATE ok", audio_state_ok, S, PROTO_ERR_NONE },
	{ "AUDIO_STATE id 0", audio_state_id_0, S, PROTO_ERR_BAD_VALUE },
	{ "AUDIO_STATE from viewer", audio_state_from_viewer, V, PROTO_ERR_UNEXPECTED },
	{ "AUDIO_STREAM_REMOVED ok", audio_removed_ok, S, PROTO_ERR_NONE },
	{ "AUDIO_STREAM_REMOVED with fd", audio_removed_with_fd, S, PROTO_ERR_FD_COUNT },
	{ "AUDIO_CAPTURE_STATE ok", audio_capture_ok, V, PROTO_ERR_NONE },
	{ "AUDIO_CAPTURE_STATE from server", audio_capture_from_server, S, PROTO_ERR_UNEXPECTED },
	{ "AUDIO_CAPTURE_STATE id 0", audio_capture_id_0, V, PROTO_ERR_BAD_VALUE },
	{ "AUDIO_CAPTURE_STATE 16 bytes", audio_capture_long, V, PROTO_ERR_MALFORMED },
	{ "unknown type passes", unknown_type, S, PROTO_ERR_NONE },
};

/* Sends the packet as built, header included, without proto_send_msg's
 * own checks, so that lies in the header reach the receiver. */
static void
send_raw(int fd, const struct raw *b)
{
	struct proto_header h = {
		.type = b->type,
		.length = b->header_length ? b->header_length :
			(uint32_t)(sizeof(h) + b->body_len),
	};
	static _Alignas(8) uint8_t packet[sizeof(h) + PROTO_MAX_MSG_SIZE];
	memcpy(packet, &h, sizeof(h));
	memcpy(packet + sizeof(h), b->body, b->body_len);
	struct iovec iov = { packet, b->send_len ? b->send_len :
			     sizeof(h) + b->body_len };
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * PROTO_MAX_FDS)];
	} control = { 0 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	int fds[PROTO_MAX_FDS];
	for (int i = 0; i < b->n_fds; i++)
		fds[i] = test_memfd("malformed-fd", 1 << 20, true);
	if (b->n_fds > 0) {
		msg.msg_control = control.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * b->n_fds);
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		*c = (struct cmsghdr){ .cmsg_len = CMSG_LEN(sizeof(int) * b->n_fds),
				       .cmsg_level = SOL_SOCKET,
				       .cmsg_type = SCM_RIGHTS };
		memcpy(CMSG_DATA(c), fds, sizeof(int) * b->n_fds);
	}
	REQUIRE((size_t)sendmsg(fd, &msg, MSG_NOSIGNAL) == iov.iov_len);
	for (int i = 0; i < b->n_fds; i++)
		close(fds[i]);
}

int
main(void)
{
	int sv[2];
	test_socketpair(sv);
	struct proto_packet *pkt = test_packet_new();
	static struct raw b;
	int fds_before = test_count_fds();
	int failed = 0;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		memset(&b, 0, sizeof(b));
		rows[i].build(&b);
		send_raw(sv[0], &b);
		test_recv_ok(sv[1], pkt);
		REQUIRE_EQ(pkt->n_fds, b.n_fds);
		char why[256] = "";
		enum proto_error e = proto_validate(pkt, rows[i].from, why,
						    sizeof(why));
		test_checks++;
		if (e != rows[i].expect) {
			fprintf(stderr, "row \"%s\": got %s (%s), expected %s\n",
				rows[i].name, proto_error_name(e), why,
				proto_error_name(rows[i].expect));
			failed++;
		} else if (e != PROTO_ERR_NONE) {
			/* Every rejection says why, naming the message. */
			test_checks++;
			if (why[0] == '\0' || strchr(why, ':') == NULL) {
				fprintf(stderr, "row \"%s\": why \"%s\" is "
					"empty or names nothing\n", rows[i].name,
					why);
				failed++;
			}
		}
		printf("%-34s %-10s %s\n", rows[i].name, proto_error_name(e), why);
		proto_packet_close_fds(pkt);
	}
	REQUIRE_EQ(failed, 0);
	REQUIRE_EQ(test_count_fds(), fds_before);

	/* The exact wording of one why, as the spec gives it. */
	memset(&b, 0, sizeof(b));
	shm_width_zero(&b);
	send_raw(sv[0], &b);
	test_recv_ok(sv[1], pkt);
	char why[256];
	REQUIRE_EQ(proto_validate(pkt, PROTO_FROM_SERVER, why, sizeof(why)),
		   PROTO_ERR_BAD_VALUE);
	REQUIRE_STR(why, "BUFFER_SHM: width 0 out of range 1..16384");
	proto_packet_close_fds(pkt);

	printf("%zu rows\n", sizeof(rows) / sizeof(rows[0]));
	close(sv[0]);
	close(sv[1]);
	free(pkt);
	test_done("malformed");
	return 0;
}
