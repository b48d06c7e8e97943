/* SPDX-License-Identifier: MIT */
/*
 * The stateless checks of a received packet (PROTOCOL.md, "Validation"),
 * and of the fds that back buffers. After proto_validate() passes, a
 * receiver may read the body and its array in place without further
 * bounds checks; ids against live objects are left to each side.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto.h"

#define EV_SYN_TYPE 0x00
#define SYN_REPORT_CODE 0

struct check {
	const struct proto_packet *pkt;
	enum proto_side from;
	const char *type;
	char *why;
	size_t why_size;
};

static enum proto_error __attribute__((format(printf, 3, 4)))
fail(const struct check *c, enum proto_error code, const char *fmt, ...)
{
	int n = snprintf(c->why, c->why_size, "%s: ", c->type);
	if (n >= 0 && (size_t)n < c->why_size) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(c->why + n, c->why_size - n, fmt, ap);
		va_end(ap);
	}
	return code;
}

static enum proto_error
check_range(const struct check *c, const char *field, uint64_t value,
	    uint64_t min, uint64_t max)
{
	if (value >= min && value <= max)
		return PROTO_ERR_NONE;
	return fail(c, PROTO_ERR_BAD_VALUE, "%s %" PRIu64 " out of range "
		    "%" PRIu64 "..%" PRIu64, field, value, min, max);
}

static enum proto_error
check_size(const struct check *c, size_t body, size_t expected)
{
	if (body == expected)
		return PROTO_ERR_NONE;
	return fail(c, PROTO_ERR_MALFORMED, "body of %zu bytes, expected %zu",
		    body, expected);
}

static enum proto_error
check_string(const struct check *c, const char *field, const char *s,
	     size_t size)
{
	if (memchr(s, '\0', size) != NULL)
		return PROTO_ERR_NONE;
	return fail(c, PROTO_ERR_MALFORMED, "%s is not NUL-terminated within "
		    "its %zu bytes", field, size);
}

static enum proto_error
check_nonzero(const struct check *c, const char *field, uint32_t value)
{
	if (value != 0)
		return PROTO_ERR_NONE;
	return fail(c, PROTO_ERR_BAD_VALUE, "%s 0 out of range 1..4294967295",
		    field);
}

/* A message type whose body is one struct and nothing more. */
static size_t
fixed_size(uint32_t type)
{
	switch (type) {
	case PROTO_PING:
	case PROTO_PONG:
		return sizeof(struct proto_ping);
	case PROTO_HEAD_INFO:
		return sizeof(struct proto_head_info);
	case PROTO_BUFFER_DMABUF:
		return sizeof(struct proto_buffer_dmabuf);
	case PROTO_BUFFER_SHM:
		return sizeof(struct proto_buffer_shm);
	case PROTO_BUFFER_DESTROY:
		return sizeof(struct proto_buffer_destroy);
	case PROTO_SCANOUT:
		return sizeof(struct proto_scanout);
	case PROTO_CURSOR_POS:
		return sizeof(struct proto_cursor_pos);
	case PROTO_INPUT_DEVICE_REMOVED:
		return sizeof(struct proto_input_device_removed);
	case PROTO_FRAME_DONE:
		return sizeof(struct proto_frame_done);
	case PROTO_HEAD_SIZE:
		return sizeof(struct proto_head_size);
	case PROTO_CLIPBOARD_REQUEST:
		return sizeof(struct proto_clipboard_request);
	case PROTO_AUDIO_STREAM:
		return sizeof(struct proto_audio_stream);
	case PROTO_AUDIO_STREAM_REMOVED:
		return sizeof(struct proto_audio_stream_removed);
	case PROTO_AUDIO_STATE:
		return sizeof(struct proto_audio_state);
	case PROTO_AUDIO_CAPTURE_STATE:
		return sizeof(struct proto_audio_capture_state);
	default:
		return 0;
	}
}

static int
expected_fds(const struct proto_packet *pkt, size_t body_len)
{
	switch (proto_packet_type(pkt)) {
	case PROTO_BUFFER_SHM:
	case PROTO_AUDIO_STREAM:
		return 1;
	case PROTO_BUFFER_DMABUF:
		if (body_len < sizeof(struct proto_buffer_dmabuf))
			return -1;
		return (int)((const struct proto_buffer_dmabuf *)
			     proto_packet_body(pkt))->n_planes;
	default:
		return 0;
	}
}

static enum proto_error
validate_hello(const struct check *c, size_t body_len)
{
	const struct proto_hello *h = proto_packet_body(c->pkt);
	if (body_len < sizeof(*h))
		return check_size(c, body_len, sizeof(*h));
	if (memcmp(h->magic, PROTO_MAGIC, sizeof(PROTO_MAGIC)) != 0)
		return fail(c, PROTO_ERR_VERSION, "magic is not \"%s\": not a "
			    "qemu-eglview peer", PROTO_MAGIC);
	if (h->major != PROTO_VERSION_MAJOR)
		return fail(c, PROTO_ERR_VERSION, "major version %u, this side "
			    "speaks %u; update the older side", h->major,
			    PROTO_VERSION_MAJOR);
	if (h->n_formats > PROTO_MAX_FORMATS)
		return fail(c, PROTO_ERR_MALFORMED, "n_formats %u out of range "
			    "0..%d", h->n_formats, PROTO_MAX_FORMATS);
	/* Only a viewer lists what it imports. */
	if (c->from == PROTO_FROM_SERVER && h->n_formats != 0)
		return fail(c, PROTO_ERR_BAD_VALUE, "a server's HELLO lists %u "
			    "formats; it must list none", h->n_formats);
	enum proto_error e = check_size(c, body_len, sizeof(*h) +
		(size_t)h->n_formats * sizeof(struct proto_format));
	if (e)
		return e;
	return check_string(c, "name", h->name, sizeof(h->name));
}

/* ERROR and GOODBYE: a text of 1..PROTO_MAX_TEXT bytes whose only NUL is
 * its last byte. */
static enum proto_error
validate_text(const struct check *c, size_t body_len)
{
	size_t base = sizeof(struct proto_error_msg);
	if (body_len < base + 1 || body_len > base + PROTO_MAX_TEXT)
		return fail(c, PROTO_ERR_MALFORMED, "text of %zd bytes, "
			    "expected 1..%d", (ssize_t)body_len - (ssize_t)base,
			    PROTO_MAX_TEXT);
	const char *text = (const char *)proto_packet_body(c->pkt) + base;
	size_t len = body_len - base;
	const char *nul = memchr(text, '\0', len);
	if (nul != text + len - 1)
		return fail(c, PROTO_ERR_MALFORMED, "text is not a string "
			    "NUL-terminated exactly at the end of the packet");
	return PROTO_ERR_NONE;
}

/* stride * rows + offset within uint64, stride enough for the width. */
static enum proto_error
check_plane(const struct check *c, int plane, uint32_t width, int cpp,
	    uint64_t offset, uint32_t stride, uint32_t rows)
{
	uint64_t min_stride = (uint64_t)width * (uint64_t)cpp;
	if (stride < min_stride)
		return fail(c, PROTO_ERR_BAD_VALUE, "plane %d stride %u out of "
			    "range %" PRIu64 "..4294967295 (width %u * %d bytes)",
			    plane, stride, min_stride, width, cpp);
	uint64_t size = (uint64_t)stride * rows;
	if (offset > UINT64_MAX - size)
		return fail(c, PROTO_ERR_BAD_VALUE, "plane %d offset %" PRIu64
			    " + stride %u * %u rows overflows", plane, offset,
			    stride, rows);
	return PROTO_ERR_NONE;
}

static enum proto_error
check_dimensions(const struct check *c, uint32_t width, uint32_t height)
{
	enum proto_error e = check_range(c, "width", width, 1,
					 PROTO_MAX_DIMENSION);
	if (e)
		return e;
	return check_range(c, "height", height, 1, PROTO_MAX_DIMENSION);
}

static enum proto_error
check_fourcc(const struct check *c, uint32_t fourcc,
	     const struct proto_fourcc_info **info)
{
	*info = proto_fourcc_info(fourcc);
	if (*info != NULL)
		return PROTO_ERR_NONE;
	char name[5];
	return fail(c, PROTO_ERR_FORMAT, "fourcc 0x%08x (%s) not known; known: "
		    "XR24 AR24 XB24 AB24 RG16 NV12", fourcc,
		    proto_fourcc_name(fourcc, name));
}

static enum proto_error
validate_shm(const struct check *c)
{
	const struct proto_buffer_shm *b = proto_packet_body(c->pkt);
	const struct proto_fourcc_info *info;
	enum proto_error e;
	if ((e = check_nonzero(c, "buffer_id", b->buffer_id)) ||
	    (e = check_dimensions(c, b->width, b->height)) ||
	    (e = check_fourcc(c, b->fourcc, &info)))
		return e;
	if (info->n_planes != 1) {
		char name[5];
		return fail(c, PROTO_ERR_FORMAT, "fourcc %s has %d planes; shm "
			    "buffers take single-plane formats only",
			    proto_fourcc_name(b->fourcc, name), info->n_planes);
	}
	return check_plane(c, 0, b->width, info->cpp[0], b->offset, b->stride,
			   b->height);
}

static enum proto_error
validate_dmabuf(const struct check *c)
{
	const struct proto_buffer_dmabuf *b = proto_packet_body(c->pkt);
	const struct proto_fourcc_info *info;
	enum proto_error e;
	if ((e = check_nonzero(c, "buffer_id", b->buffer_id)) ||
	    (e = check_dimensions(c, b->width, b->height)) ||
	    (e = check_fourcc(c, b->fourcc, &info)))
		return e;
	if (b->n_planes != (uint32_t)info->n_planes) {
		char name[5];
		return fail(c, PROTO_ERR_BAD_VALUE, "n_planes %u out of range "
			    "%d..%d (fourcc %s)", b->n_planes, info->n_planes,
			    info->n_planes, proto_fourcc_name(b->fourcc, name));
	}
	for (int i = 0; i < info->n_planes; i++) {
		uint32_t w = i == 0 ? b->width : (b->width + info->hsub - 1) / info->hsub;
		uint32_t h = i == 0 ? b->height : (b->height + info->vsub - 1) / info->vsub;
		e = check_plane(c, i, w, info->cpp[i], b->planes[i].offset,
				b->planes[i].stride, h);
		if (e)
			return e;
	}
	return PROTO_ERR_NONE;
}

static enum proto_error
check_rect(const struct check *c, const char *what, const struct proto_rect *r)
{
	enum proto_error e;
	char field[48];
	snprintf(field, sizeof(field), "%s width", what);
	if ((e = check_range(c, field, r->width, 1, PROTO_MAX_DIMENSION)))
		return e;
	snprintf(field, sizeof(field), "%s height", what);
	if ((e = check_range(c, field, r->height, 1, PROTO_MAX_DIMENSION)))
		return e;
	snprintf(field, sizeof(field), "%s x+width", what);
	if ((e = check_range(c, field, (uint64_t)r->x + r->width, 1,
			     PROTO_MAX_DIMENSION)))
		return e;
	snprintf(field, sizeof(field), "%s y+height", what);
	return check_range(c, field, (uint64_t)r->y + r->height, 1,
			   PROTO_MAX_DIMENSION);
}

static enum proto_error
validate_update(const struct check *c, size_t body_len)
{
	const struct proto_update *u = proto_packet_body(c->pkt);
	if (body_len < sizeof(*u))
		return check_size(c, body_len, sizeof(*u));
	if (u->head_id == 0)
		return check_nonzero(c, "head_id", u->head_id);
	if (u->n_rects < 1 || u->n_rects > PROTO_MAX_DAMAGE_RECTS)
		return fail(c, PROTO_ERR_MALFORMED, "n_rects %u out of range "
			    "1..%d", u->n_rects, PROTO_MAX_DAMAGE_RECTS);
	enum proto_error e = check_size(c, body_len, sizeof(*u) +
		(size_t)u->n_rects * sizeof(struct proto_rect));
	if (e)
		return e;
	const struct proto_rect *rects = (const void *)(u + 1);
	for (uint32_t i = 0; i < u->n_rects; i++) {
		char what[16];
		snprintf(what, sizeof(what), "rect %u", i);
		if ((e = check_rect(c, what, &rects[i])))
			return e;
	}
	return PROTO_ERR_NONE;
}

static enum proto_error
validate_scanout(const struct check *c)
{
	const struct proto_scanout *s = proto_packet_body(c->pkt);
	enum proto_error e = check_nonzero(c, "head_id", s->head_id);
	if (e || s->buffer_id == 0)
		return e;
	struct proto_rect src = { s->x, s->y, s->width, s->height };
	return check_rect(c, "source", &src);
}

static enum proto_error
validate_cursor_image(const struct check *c, size_t body_len)
{
	const struct proto_cursor_image *ci = proto_packet_body(c->pkt);
	if (body_len < sizeof(*ci))
		return check_size(c, body_len, sizeof(*ci));
	enum proto_error e;
	if ((e = check_nonzero(c, "head_id", ci->head_id)) ||
	    (e = check_range(c, "width", ci->width, 0, PROTO_MAX_CURSOR_SIZE)) ||
	    (e = check_range(c, "height", ci->height, 0, PROTO_MAX_CURSOR_SIZE)))
		return e;
	if ((ci->width == 0) != (ci->height == 0))
		return fail(c, PROTO_ERR_BAD_VALUE, "size %ux%u: width and "
			    "height must both be 0 (no cursor) or both non-zero",
			    ci->width, ci->height);
	if ((e = check_size(c, body_len, sizeof(*ci) +
			    (size_t)ci->width * ci->height * 4)) ||
	    ci->width == 0)
		return e;
	/* The hotspot is a pixel of the image: drawing subtracts it from
	 * positions, and SDL refuses a cursor whose hotspot lies outside. */
	if (ci->hot_x < 0 || (uint32_t)ci->hot_x >= ci->width ||
	    ci->hot_y < 0 || (uint32_t)ci->hot_y >= ci->height)
		return fail(c, PROTO_ERR_BAD_VALUE, "hotspot %d,%d outside the "
			    "%ux%u image (0..%u, 0..%u)", ci->hot_x, ci->hot_y,
			    ci->width, ci->height, ci->width - 1,
			    ci->height - 1);
	return PROTO_ERR_NONE;
}

static enum proto_error
validate_input_device(const struct check *c, size_t body_len)
{
	const struct proto_input_device *d = proto_packet_body(c->pkt);
	if (body_len < sizeof(*d))
		return check_size(c, body_len, sizeof(*d));
	int bits = __builtin_popcountll(d->abs_bits);
	if (d->n_abs != (uint32_t)bits)
		return fail(c, PROTO_ERR_MALFORMED, "n_abs %u does not match the "
			    "%d bits set in abs_bits 0x%" PRIx64, d->n_abs, bits,
			    d->abs_bits);
	enum proto_error e;
	if ((e = check_size(c, body_len, sizeof(*d) +
			    (size_t)d->n_abs * sizeof(struct proto_abs_axis))) ||
	    (e = check_nonzero(c, "device_id", d->device_id)) ||
	    (e = check_range(c, "kind", d->kind, PROTO_DEVICE_KEYBOARD,
			     PROTO_DEVICE_TOUCH)) ||
	    (e = check_string(c, "name", d->name, sizeof(d->name))))
		return e;
	if (!(d->ev_bits & (1u << EV_SYN_TYPE)))
		return fail(c, PROTO_ERR_BAD_VALUE, "ev_bits 0x%x lacks EV_SYN "
			    "(bit 0)", d->ev_bits);
	return proto_check_axes(d->abs_bits, (const void *)(d + 1), d->n_abs,
				c->why, c->why_size) ? PROTO_ERR_NONE :
	       PROTO_ERR_BAD_VALUE;
}

bool
proto_check_axes(uint64_t abs_bits, const struct proto_abs_axis *axes,
		 uint32_t n_abs, char *why, size_t why_size)
{
	uint64_t left = abs_bits;
	for (uint32_t i = 0; i < n_abs; i++) {
		/* Axis i is the i-th bit of abs_bits, lowest first. */
		unsigned code = left ? (unsigned)__builtin_ctzll(left) : 64;
		left &= left - 1;
		if (axes[i].code != code) {
			snprintf(why, why_size, "INPUT_DEVICE: axis %u has code "
				 "%u where abs_bits 0x%" PRIx64 " says %u", i,
				 axes[i].code, abs_bits, code);
			return false;
		}
		if (axes[i].min > axes[i].max) {
			snprintf(why, why_size, "INPUT_DEVICE: axis %u (code %u) "
				 "has min %d > max %d", i, axes[i].code,
				 axes[i].min, axes[i].max);
			return false;
		}
	}
	return true;
}

/* INPUT and DEVICE_STATUS share a layout: a batch of records ending in
 * SYN_REPORT. */
static enum proto_error
validate_batch(const struct check *c, size_t body_len,
	       const struct proto_input_event **events)
{
	const struct proto_input *in = proto_packet_body(c->pkt);
	if (body_len < sizeof(*in))
		return check_size(c, body_len, sizeof(*in));
	if (in->n_events < 1 || in->n_events > PROTO_MAX_INPUT_EVENTS)
		return fail(c, PROTO_ERR_MALFORMED, "n_events %u out of range "
			    "1..%d", in->n_events, PROTO_MAX_INPUT_EVENTS);
	enum proto_error e = check_size(c, body_len, sizeof(*in) +
		(size_t)in->n_events * sizeof(struct proto_input_event));
	if (e)
		return e;
	const struct proto_input_event *ev = (const void *)(in + 1);
	const struct proto_input_event *last = &ev[in->n_events - 1];
	if (last->type != EV_SYN_TYPE || last->code != SYN_REPORT_CODE ||
	    last->value != 0)
		return fail(c, PROTO_ERR_MALFORMED, "batch ends with record "
			    "(%u, %u, %u), not EV_SYN SYN_REPORT 0", last->type,
			    last->code, last->value);
	*events = ev;
	return check_nonzero(c, "device_id", in->device_id);
}

static enum proto_error
validate_input(const struct check *c, size_t body_len)
{
	const struct proto_input_event *ev;
	return validate_batch(c, body_len, &ev);
}

/* DEVICE_STATUS carries the guest's LEDs: EV_LED records of a known LED,
 * on or off. */
static enum proto_error
validate_device_status(const struct check *c, size_t body_len)
{
	const struct proto_input_event *ev;
	enum proto_error e = validate_batch(c, body_len, &ev);
	if (e)
		return e;
	const struct proto_input *in = proto_packet_body(c->pkt);
	for (uint32_t i = 0; i + 1 < in->n_events; i++) {
		if (ev[i].type == EV_SYN_TYPE)
			continue;
		if (ev[i].type != PROTO_EV_LED)
			return fail(c, PROTO_ERR_BAD_VALUE, "record %u has type "
				    "%u; only EV_LED (%u) and EV_SYN", i,
				    ev[i].type, PROTO_EV_LED);
		if (ev[i].code > PROTO_LED_MAX || ev[i].value > 1)
			return fail(c, PROTO_ERR_BAD_VALUE, "record %u: LED %u "
				    "value %u; LEDs are 0..%d, values 0 or 1",
				    i, ev[i].code, ev[i].value, PROTO_LED_MAX);
	}
	return PROTO_ERR_NONE;
}

/* AUDIO_STREAM: a known direction and format, a rate and channel count
 * in range, a ring of at least PROTO_AUDIO_MIN_CAPACITY frames and at
 * most PROTO_AUDIO_MAX_RING bytes. */
static enum proto_error
validate_audio_stream(const struct check *c)
{
	const struct proto_audio_stream *s = proto_packet_body(c->pkt);
	enum proto_error e;
	if ((e = check_nonzero(c, "stream_id", s->stream_id)) ||
	    (e = check_range(c, "direction", s->direction, PROTO_AUDIO_PLAYBACK,
			     PROTO_AUDIO_RECORD)) ||
	    (e = check_range(c, "format", s->format, PROTO_AUDIO_U8,
			     PROTO_AUDIO_F32)) ||
	    (e = check_range(c, "rate", s->rate, PROTO_AUDIO_MIN_RATE,
			     PROTO_AUDIO_MAX_RATE)) ||
	    (e = check_range(c, "channels", s->channels, 1,
			     PROTO_MAX_AUDIO_CHANNELS)))
		return e;
	uint32_t frame = proto_audio_sample_bytes(s->format) * s->channels;
	return check_range(c, "capacity", s->capacity, PROTO_AUDIO_MIN_CAPACITY,
			   PROTO_AUDIO_MAX_RING / frame);
}

/* The clipboard's messages: a known selection, types that are strings. */
static enum proto_error
check_selection(const struct check *c, uint32_t selection)
{
	return check_range(c, "selection", selection, PROTO_SELECTION_CLIPBOARD,
			   PROTO_SELECTION_PRIMARY);
}

static enum proto_error
validate_clipboard_grab(const struct check *c, size_t body_len)
{
	const struct proto_clipboard_grab *g = proto_packet_body(c->pkt);
	if (body_len < sizeof(*g))
		return check_size(c, body_len, sizeof(*g));
	if (g->n_mimes > PROTO_MAX_MIMES)
		return fail(c, PROTO_ERR_MALFORMED, "n_mimes %u out of range "
			    "0..%d", g->n_mimes, PROTO_MAX_MIMES);
	enum proto_error e = check_size(c, body_len, sizeof(*g) +
					(size_t)g->n_mimes * PROTO_MAX_MIME);
	if (e || (e = check_selection(c, g->selection)))
		return e;
	const char *mimes = (const char *)(g + 1);
	for (uint32_t i = 0; i < g->n_mimes; i++) {
		if ((e = check_string(c, "mime", mimes + i * PROTO_MAX_MIME,
				      PROTO_MAX_MIME)))
			return e;
	}
	return PROTO_ERR_NONE;
}

static enum proto_error
validate_clipboard_data(const struct check *c, size_t body_len)
{
	const struct proto_clipboard_data *d = proto_packet_body(c->pkt);
	if (body_len < sizeof(*d))
		return check_size(c, body_len, sizeof(*d));
	if (d->length > PROTO_MAX_CLIPBOARD)
		return fail(c, PROTO_ERR_MALFORMED, "length %u out of range "
			    "0..%d", d->length, PROTO_MAX_CLIPBOARD);
	enum proto_error e = check_size(c, body_len, sizeof(*d) + d->length);
	if (e || (e = check_selection(c, d->selection)) ||
	    (e = check_range(c, "status", d->status, PROTO_CLIPBOARD_OK,
			     PROTO_CLIPBOARD_TOO_LARGE)) ||
	    (e = check_string(c, "mime", d->mime, sizeof(d->mime))))
		return e;
	if (d->status != PROTO_CLIPBOARD_OK && d->length != 0)
		return fail(c, PROTO_ERR_BAD_VALUE, "status %u with %u bytes; "
			    "only OK carries data", d->status, d->length);
	return PROTO_ERR_NONE;
}

static bool
allowed_from(uint32_t type, enum proto_side from)
{
	if ((type & 0xff00) == 0x0100)
		return from == PROTO_FROM_SERVER;
	if ((type & 0xff00) == 0x0200)
		return from == PROTO_FROM_VIEWER;
	return true;
}

static enum proto_error
validate_body(const struct check *c, uint32_t type, size_t body_len)
{
	const void *body = proto_packet_body(c->pkt);
	switch (type) {
	case PROTO_HELLO:
		return validate_hello(c, body_len);
	case PROTO_ERROR:
	case PROTO_GOODBYE:
		return validate_text(c, body_len);
	case PROTO_UPDATE:
		return validate_update(c, body_len);
	case PROTO_CURSOR_IMAGE:
		return validate_cursor_image(c, body_len);
	case PROTO_INPUT_DEVICE:
		return validate_input_device(c, body_len);
	case PROTO_INPUT:
		return validate_input(c, body_len);
	case PROTO_CLIPBOARD_GRAB:
		return validate_clipboard_grab(c, body_len);
	case PROTO_CLIPBOARD_DATA:
		return validate_clipboard_data(c, body_len);
	case PROTO_CLIPBOARD_REQUEST: {
		const struct proto_clipboard_request *r = body;
		enum proto_error e = check_selection(c, r->selection);
		return e ? e : check_string(c, "mime", r->mime, sizeof(r->mime));
	}
	case PROTO_DEVICE_STATUS:
		return validate_device_status(c, body_len);
	case PROTO_BUFFER_SHM:
		return validate_shm(c);
	case PROTO_AUDIO_STREAM:
		return validate_audio_stream(c);
	case PROTO_AUDIO_STREAM_REMOVED:
	case PROTO_AUDIO_STATE:
	case PROTO_AUDIO_CAPTURE_STATE:
		/* All three start with the stream id. */
		return check_nonzero(c, "stream_id", *(const uint32_t *)body);
	case PROTO_BUFFER_DMABUF:
		return validate_dmabuf(c);
	case PROTO_BUFFER_DESTROY:
		return check_nonzero(c, "buffer_id", ((const struct
			proto_buffer_destroy *)body)->buffer_id);
	case PROTO_INPUT_DEVICE_REMOVED:
		return check_nonzero(c, "device_id", ((const struct
			proto_input_device_removed *)body)->device_id);
	case PROTO_FRAME_DONE:
		return check_nonzero(c, "head_id", ((const struct
			proto_frame_done *)body)->head_id);
	case PROTO_HEAD_SIZE: {
		const struct proto_head_size *hs = body;
		enum proto_error e;
		if ((e = check_nonzero(c, "head_id", hs->head_id)) ||
		    (e = check_range(c, "width", hs->width, 1,
				     PROTO_MAX_DIMENSION)))
			return e;
		return check_range(c, "height", hs->height, 1,
				   PROTO_MAX_DIMENSION);
	}
	case PROTO_SCANOUT:
		return validate_scanout(c);
	case PROTO_HEAD_INFO: {
		const struct proto_head_info *h = body;
		enum proto_error e;
		if ((e = check_nonzero(c, "head_id", h->head_id)) ||
		    (e = check_string(c, "name", h->name, sizeof(h->name))) ||
		    !(h->flags & PROTO_HEAD_ENABLED))
			return e;
		return check_dimensions(c, h->width, h->height);
	}
	case PROTO_CURSOR_POS: {
		const struct proto_cursor_pos *p = body;
		enum proto_error e = check_nonzero(c, "head_id", p->head_id);
		if (e)
			return e;
		return check_range(c, "visible", p->visible, 0, 1);
	}
	default:
		return PROTO_ERR_NONE;
	}
}

enum proto_error
proto_validate(const struct proto_packet *pkt, enum proto_side from,
	       char *why, size_t why_size)
{
	struct check c = { .pkt = pkt, .from = from, .type = "packet", .why = why,
			   .why_size = why_size };
	if (pkt->len < sizeof(struct proto_header))
		return fail(&c, PROTO_ERR_MALFORMED, "%zu bytes, shorter than "
			    "the %zu-byte header", pkt->len,
			    sizeof(struct proto_header));
	const struct proto_header *h = proto_packet_header(pkt);
	if (h->length > PROTO_MAX_MSG_SIZE || pkt->len > PROTO_MAX_MSG_SIZE)
		return fail(&c, PROTO_ERR_MALFORMED, "length %u out of range "
			    "8..%d", h->length, PROTO_MAX_MSG_SIZE);
	if (h->length != pkt->len)
		return fail(&c, PROTO_ERR_MALFORMED, "header length %u but the "
			    "packet has %zu bytes", h->length, pkt->len);
	if (!proto_type_known(h->type))
		return PROTO_ERR_NONE;

	c.type = proto_type_name(h->type);
	if (!allowed_from(h->type, from))
		return fail(&c, PROTO_ERR_UNEXPECTED, "sent by the %s; only the "
			    "%s sends it",
			    from == PROTO_FROM_SERVER ? "server" : "viewer",
			    from == PROTO_FROM_SERVER ? "viewer" : "server");

	size_t body_len = pkt->len - sizeof(struct proto_header);
	size_t fixed = fixed_size(h->type);
	if (fixed != 0) {
		enum proto_error e = check_size(&c, body_len, fixed);
		if (e)
			return e;
	}

	int want_fds = expected_fds(pkt, body_len);
	if (h->type == PROTO_BUFFER_DMABUF &&
	    (want_fds < 1 || want_fds > PROTO_MAX_PLANES))
		return fail(&c, PROTO_ERR_BAD_VALUE, "n_planes %d out of range "
			    "1..%d", want_fds, PROTO_MAX_PLANES);
	if (pkt->n_fds != want_fds)
		return fail(&c, PROTO_ERR_FD_COUNT, "%d fds, expected %d",
			    pkt->n_fds, want_fds);
	return validate_body(&c, h->type, body_len);
}

static bool
check_size_fits(off_t size, uint64_t offset, uint32_t stride, uint32_t rows,
		const char *what, char *why, size_t why_size)
{
	uint64_t need = (uint64_t)stride * rows;
	if (offset > UINT64_MAX - need) {
		snprintf(why, why_size, "%s: offset %" PRIu64 " + stride %u * "
			 "%u rows overflows", what, offset, stride, rows);
		return false;
	}
	need += offset;
	if (size < 0 || (uint64_t)size < need) {
		snprintf(why, why_size, "%s of %jd bytes is smaller than offset "
			 "%" PRIu64 " + stride %u * %u rows = %" PRIu64 " bytes",
			 what, (intmax_t)size, offset, stride, rows, need);
		return false;
	}
	return true;
}

static const char *
file_kind(mode_t mode)
{
	if (S_ISFIFO(mode))
		return "a pipe";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISREG(mode))
		return "a regular file";
	return "not a regular file";
}

bool
proto_check_shm_fd(int fd, uint64_t offset, uint32_t stride,
		   uint32_t height, char *why, size_t why_size)
{
	struct stat st;
	if (fstat(fd, &st) < 0) {
		snprintf(why, why_size, "fstat of shm fd %d: %s", fd,
			 strerror(errno));
		return false;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, why_size, "fd is %s, not a memfd",
			 file_kind(st.st_mode));
		return false;
	}
	int seals = fcntl(fd, F_GET_SEALS);
	if (seals < 0 || !(seals & F_SEAL_SHRINK)) {
		snprintf(why, why_size, "memfd is not sealed against shrinking "
			 "(F_SEAL_SHRINK): a shrinking pool could SIGBUS the "
			 "viewer");
		return false;
	}
	return check_size_fits(st.st_size, offset, stride, height, "memfd",
			       why, why_size);
}

bool
proto_check_dmabuf_fd(int fd, uint64_t offset, uint32_t stride,
		      uint32_t rows, char *why, size_t why_size)
{
	struct stat st;
	if (fstat(fd, &st) < 0) {
		snprintf(why, why_size, "fstat of dmabuf fd %d: %s", fd,
			 strerror(errno));
		return false;
	}
	if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) ||
	    S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISDIR(st.st_mode)) {
		snprintf(why, why_size, "fd is %s, not a dmabuf",
			 file_kind(st.st_mode));
		return false;
	}
	/* A dmabuf reports its size through lseek; where that fails the
	 * importer finds out instead. */
	off_t size = lseek(fd, 0, SEEK_END);
	if (size < 0)
		return true;
	lseek(fd, 0, SEEK_SET);
	return check_size_fits(size, offset, stride, rows, "dmabuf", why,
			       why_size);
}
