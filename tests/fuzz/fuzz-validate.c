/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: proto_validate() on arbitrary packets from either side.
 * Input: u8 (bit 0: from the viewer; bits 1..3: fd count), then the packet,
 * header included. Besides "no crash", each accepted packet is checked
 * against what the receivers then rely on without checking again, derived
 * here independently of validate.c; a packet that breaks it aborts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

#define REQUIRE(cond) do { if (!(cond)) abort(); } while (0)

static bool
has_nul(const char *s, size_t n)
{
	return memchr(s, '\0', n) != NULL;
}

static bool
rect_ok(const struct proto_rect *r)
{
	return r->width >= 1 && r->height >= 1 &&
	       (uint64_t)r->x + r->width <= PROTO_MAX_DIMENSION &&
	       (uint64_t)r->y + r->height <= PROTO_MAX_DIMENSION;
}

/* What an accepted packet guarantees its receiver. */
static void
check_accepted(const struct proto_packet *pkt)
{
	const struct proto_header *h = proto_packet_header(pkt);
	REQUIRE(pkt->len >= sizeof(*h) && h->length == pkt->len &&
		pkt->len <= PROTO_MAX_MSG_SIZE);
	if (!proto_type_known(h->type))
		return;
	size_t body = pkt->len - sizeof(*h);
	const void *b = proto_packet_body(pkt);
	switch (h->type) {
	case PROTO_HELLO: {
		const struct proto_hello *m = b;
		REQUIRE(body >= sizeof(*m) && m->n_formats <= PROTO_MAX_FORMATS);
		REQUIRE(body == sizeof(*m) + m->n_formats * sizeof(struct proto_format));
		REQUIRE(m->major == PROTO_VERSION_MAJOR && has_nul(m->name, sizeof(m->name)));
		REQUIRE(pkt->n_fds == 0);
		break;
	}
	case PROTO_ERROR:
	case PROTO_GOODBYE: {
		const char *text = (const char *)b + sizeof(struct proto_error_msg);
		size_t n = body - sizeof(struct proto_error_msg);
		REQUIRE(body > sizeof(struct proto_error_msg) && n <= PROTO_MAX_TEXT);
		REQUIRE(text[n - 1] == '\0' && strlen(text) == n - 1);
		break;
	}
	case PROTO_BUFFER_SHM: {
		const struct proto_buffer_shm *m = b;
		const struct proto_fourcc_info *fi = proto_fourcc_info(m->fourcc);
		REQUIRE(body == sizeof(*m) && pkt->n_fds == 1 && m->buffer_id != 0);
		REQUIRE(fi != NULL && fi->n_planes == 1);
		REQUIRE(m->width >= 1 && m->width <= PROTO_MAX_DIMENSION);
		REQUIRE(m->height >= 1 && m->height <= PROTO_MAX_DIMENSION);
		REQUIRE((uint64_t)m->width * (uint64_t)fi->cpp[0] <= m->stride);
		/* offset + stride * height computed in 128 bits fits 64. */
		unsigned __int128 end = (unsigned __int128)m->stride * m->height +
					m->offset;
		REQUIRE(end <= UINT64_MAX);
		break;
	}
	case PROTO_BUFFER_DMABUF: {
		const struct proto_buffer_dmabuf *m = b;
		const struct proto_fourcc_info *fi = proto_fourcc_info(m->fourcc);
		REQUIRE(body == sizeof(*m) && fi != NULL && m->buffer_id != 0);
		REQUIRE(m->n_planes == (uint32_t)fi->n_planes);
		REQUIRE((uint32_t)pkt->n_fds == m->n_planes);
		REQUIRE(m->width >= 1 && m->width <= PROTO_MAX_DIMENSION);
		REQUIRE(m->height >= 1 && m->height <= PROTO_MAX_DIMENSION);
		break;
	}
	case PROTO_UPDATE: {
		const struct proto_update *m = b;
		const struct proto_rect *r = (const void *)(m + 1);
		REQUIRE(m->n_rects >= 1 && m->n_rects <= PROTO_MAX_DAMAGE_RECTS);
		REQUIRE(body == sizeof(*m) + m->n_rects * sizeof(*r));
		for (uint32_t i = 0; i < m->n_rects; i++)
			REQUIRE(rect_ok(&r[i]));
		break;
	}
	case PROTO_SCANOUT: {
		const struct proto_scanout *m = b;
		REQUIRE(body == sizeof(*m) && m->head_id != 0);
		if (m->buffer_id != 0)
			REQUIRE(rect_ok(&(struct proto_rect){ m->x, m->y,
							     m->width, m->height }));
		break;
	}
	case PROTO_CURSOR_IMAGE: {
		const struct proto_cursor_image *m = b;
		REQUIRE(m->width <= PROTO_MAX_CURSOR_SIZE &&
			m->height <= PROTO_MAX_CURSOR_SIZE);
		REQUIRE((m->width == 0) == (m->height == 0));
		REQUIRE(body == sizeof(*m) + 4 * (size_t)m->width * m->height);
		break;
	}
	case PROTO_INPUT_DEVICE: {
		const struct proto_input_device *m = b;
		REQUIRE(m->n_abs == (uint32_t)__builtin_popcountll(m->abs_bits));
		REQUIRE(body == sizeof(*m) + m->n_abs * sizeof(struct proto_abs_axis));
		REQUIRE(m->kind >= 1 && m->kind <= 4 && (m->ev_bits & 1));
		REQUIRE(has_nul(m->name, sizeof(m->name)) && m->device_id != 0);
		break;
	}
	case PROTO_INPUT: {
		const struct proto_input *m = b;
		const struct proto_input_event *ev = (const void *)(m + 1);
		REQUIRE(m->n_events >= 1 && m->n_events <= PROTO_MAX_INPUT_EVENTS);
		REQUIRE(body == sizeof(*m) + m->n_events * sizeof(*ev));
		const struct proto_input_event *last = &ev[m->n_events - 1];
		REQUIRE(last->type == 0 && last->code == 0 && last->value == 0);
		break;
	}
	case PROTO_HEAD_INFO: {
		const struct proto_head_info *m = b;
		REQUIRE(body == sizeof(*m) && has_nul(m->name, sizeof(m->name)));
		if (m->flags & PROTO_HEAD_ENABLED)
			REQUIRE(m->width >= 1 && m->width <= PROTO_MAX_DIMENSION &&
				m->height >= 1 && m->height <= PROTO_MAX_DIMENSION);
		break;
	}
	case PROTO_DEVICE_STATUS: {
		/* A viewer shifts 1 by the code into a u32 mask. */
		const struct proto_input *m = b;
		const struct proto_input_event *ev = (const void *)(m + 1);
		REQUIRE(m->n_events >= 1 && m->n_events <= PROTO_MAX_INPUT_EVENTS);
		REQUIRE(body == sizeof(*m) + m->n_events * sizeof(*ev));
		for (uint32_t i = 0; i + 1 < m->n_events; i++)
			REQUIRE((ev[i].type == PROTO_EV_LED &&
				 ev[i].code <= PROTO_LED_MAX && ev[i].value <= 1) ||
				ev[i].type == 0);
		const struct proto_input_event *last = &ev[m->n_events - 1];
		REQUIRE(last->type == 0 && last->code == 0 && last->value == 0);
		break;
	}
	case PROTO_HEAD_SIZE: {
		const struct proto_head_size *m = b;
		REQUIRE(body == sizeof(*m) && m->head_id != 0);
		REQUIRE(m->width >= 1 && m->width <= PROTO_MAX_DIMENSION &&
			m->height >= 1 && m->height <= PROTO_MAX_DIMENSION);
		break;
	}
	/* Both ends index their selections by it and read the types as
	 * strings. */
	case PROTO_CLIPBOARD_GRAB: {
		const struct proto_clipboard_grab *m = b;
		const char *mimes = (const char *)(m + 1);
		REQUIRE(m->selection <= PROTO_SELECTION_PRIMARY &&
			m->n_mimes <= PROTO_MAX_MIMES);
		REQUIRE(body == sizeof(*m) + (size_t)m->n_mimes * PROTO_MAX_MIME);
		for (uint32_t i = 0; i < m->n_mimes; i++)
			REQUIRE(has_nul(mimes + i * PROTO_MAX_MIME, PROTO_MAX_MIME));
		break;
	}
	case PROTO_CLIPBOARD_REQUEST: {
		const struct proto_clipboard_request *m = b;
		REQUIRE(body == sizeof(*m) && m->selection <= PROTO_SELECTION_PRIMARY);
		REQUIRE(has_nul(m->mime, sizeof(m->mime)));
		break;
	}
	case PROTO_CLIPBOARD_DATA: {
		const struct proto_clipboard_data *m = b;
		REQUIRE(m->selection <= PROTO_SELECTION_PRIMARY &&
			m->status <= PROTO_CLIPBOARD_TOO_LARGE);
		REQUIRE(m->length <= PROTO_MAX_CLIPBOARD &&
			body == sizeof(*m) + m->length);
		REQUIRE(m->status == PROTO_CLIPBOARD_OK || m->length == 0);
		REQUIRE(has_nul(m->mime, sizeof(m->mime)));
		break;
	}
	/* A viewer sizes the ring from these and indexes its slots. */
	case PROTO_AUDIO_STREAM: {
		const struct proto_audio_stream *m = b;
		uint32_t sample = proto_audio_sample_bytes(m->format);
		REQUIRE(body == sizeof(*m) && m->stream_id != 0 &&
			m->direction <= PROTO_AUDIO_RECORD && sample != 0);
		REQUIRE(m->channels >= 1 && m->channels <= PROTO_MAX_AUDIO_CHANNELS &&
			m->rate >= PROTO_AUDIO_MIN_RATE &&
			m->rate <= PROTO_AUDIO_MAX_RATE);
		REQUIRE(m->capacity >= PROTO_AUDIO_MIN_CAPACITY &&
			(uint64_t)m->capacity * sample * m->channels <=
			PROTO_AUDIO_MAX_RING);
		REQUIRE(pkt->n_fds == 1);
		break;
	}
	case PROTO_AUDIO_STATE:
	case PROTO_AUDIO_STREAM_REMOVED:
	case PROTO_AUDIO_CAPTURE_STATE:
		REQUIRE(*(const uint32_t *)b != 0);
		break;
	}
	if (h->type != PROTO_BUFFER_SHM && h->type != PROTO_BUFFER_DMABUF &&
	    h->type != PROTO_AUDIO_STREAM)
		REQUIRE(pkt->n_fds == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct proto_packet pkt;
	if (size < 1 || size - 1 > sizeof(pkt.data))
		return -1;
	pkt.len = size - 1;
	memcpy(pkt.data, data + 1, pkt.len);
	pkt.n_fds = (data[0] >> 1) & 7;
	if (pkt.n_fds > PROTO_MAX_FDS)
		pkt.n_fds = PROTO_MAX_FDS;
	for (int i = 0; i < PROTO_MAX_FDS; i++)
		pkt.fds[i] = -1;

	enum proto_side from = data[0] & 1 ? PROTO_FROM_VIEWER : PROTO_FROM_SERVER;
	char why[PROTO_MAX_TEXT];
	why[0] = 'x';
	enum proto_error err = proto_validate(&pkt, from, why, sizeof(why));
	if (err == PROTO_ERR_NONE) {
		check_accepted(&pkt);
	} else {
		/* Every refusal names what and is one terminated string. */
		REQUIRE(err <= PROTO_ERR_INTERNAL && has_nul(why, sizeof(why)));
		REQUIRE(why[0] != '\0');
		/* FUZZ_VERBOSE=1: say why, to see what a seed does. */
		static int verbose = -1;
		if (verbose < 0)
			verbose = getenv("FUZZ_VERBOSE") != NULL;
		if (verbose)
			fprintf(stderr, "refused: %s\n", why);
	}
	return 0;
}
