/* SPDX-License-Identifier: MIT */
/*
 * The guest follows the window (protocol minor 2, RESIZE): the size each
 * head is shown at, told to the server with HEAD_SIZE once it has held
 * for CLIENT_SIZE_SETTLE_MS, so that a drag does not send every step.
 */
#include <errno.h>
#include <string.h>

#include "client/client.h"
#include "client/state.h"
#include "client/timing.h"
#include "log.h"

/* What the head shows now: its scanout, or before one its mode. */
static void
mode_of(const struct client_head *h, uint32_t *w, uint32_t *h_out)
{
	bool bound = h->buffer_id != 0;
	*w = bound ? h->scanout.width : h->info.width;
	*h_out = bound ? h->scanout.height : h->info.height;
}

/* A wanted size not yet sent. Never sent and equal to the head's mode:
 * there is nothing to ask for. */
static bool
unsent(const struct client_head *h)
{
	if (h->want_w == 0 || (h->want_w == h->sent_w && h->want_h == h->sent_h))
		return false;
	uint32_t w, hh;
	mode_of(h, &w, &hh);
	return h->sent_w != 0 || h->want_w != w || h->want_h != hh;
}

void
client_show_head(struct client *c, uint32_t head_id, int width, int height)
{
	if (!c->resize || width < 1 || height < 1)
		return;
	uint32_t w = width > PROTO_MAX_DIMENSION ? PROTO_MAX_DIMENSION :
		     (uint32_t)width;
	uint32_t h = height > PROTO_MAX_DIMENSION ? PROTO_MAX_DIMENSION :
		     (uint32_t)height;
	for (int i = 0; i < c->n_heads; i++) {
		struct client_head *head = &c->heads[i];
		if (head->id != head_id ||
		    (head->want_w == w && head->want_h == h))
			continue;
		head->want_w = w;
		head->want_h = h;
		head->want_ns = timing_now_ns();
	}
}

int
client_size_timeout_ms(const struct client *c)
{
	int timeout = -1;
	uint64_t now = timing_now_ns();
	for (int i = 0; i < c->n_heads; i++) {
		const struct client_head *h = &c->heads[i];
		if (!c->resize || !unsent(h))
			continue;
		uint64_t due = h->want_ns + CLIENT_SIZE_SETTLE_MS * 1000000ull;
		int ms = due <= now ? 0 : (int)((due - now + 999999) / 1000000);
		if (timeout < 0 || ms < timeout)
			timeout = ms;
	}
	return timeout;
}

bool
client_send_sizes(struct client *c)
{
	if (!c->resize || !c->connected)
		return true;
	uint64_t now = timing_now_ns();
	for (int i = 0; i < c->n_heads; i++) {
		struct client_head *h = &c->heads[i];
		if (!unsent(h) ||
		    now < h->want_ns + CLIENT_SIZE_SETTLE_MS * 1000000ull)
			continue;
		struct proto_head_size msg = {
			.head_id = h->id, .width = h->want_w,
			.height = h->want_h,
		};
		if (!proto_send_head_size(c->fd, &msg)) {
			if (errno == EAGAIN)
				return true; /* the next round */
			log_error("cannot send HEAD_SIZE to %s: %s", c->label,
				  strerror(errno));
			c->connected = false;
			return false;
		}
		log_verbose("head %u is shown at %ux%u: HEAD_SIZE sent", h->id,
			    h->want_w, h->want_h);
		h->sent_w = h->want_w;
		h->sent_h = h->want_h;
		c->sizes_sent++;
	}
	return true;
}

uint64_t
client_sizes_sent(const struct client *c)
{
	return c->sizes_sent;
}
