/* SPDX-License-Identifier: MIT */
/*
 * The clipboard (protocol minor 2, CLIPBOARD; PROTOCOL.md, "The
 * clipboard"): which grab of each selection is the VM's and which ours,
 * by serial (the newest owns it; of two with one serial, ours), and the
 * requests and answers that move the data. What the host's clipboard
 * holds is the application's (the listener).
 */
#include <errno.h>
#include <string.h>

#include "client/client.h"
#include "client/state.h"
#include "log.h"

static bool
sent(struct client *c, bool ok, const char *what)
{
	if (ok || errno == EAGAIN) {
		if (!ok)
			log_error("%s to %s dropped: the socket is full", what,
				  c->label);
		return ok;
	}
	log_error("cannot send %s to %s: %s", what, c->label, strerror(errno));
	c->connected = false;
	return false;
}

bool
client_has_clipboard(const struct client *c)
{
	return c->clipboard && c->connected;
}

void
client_clipboard_grab(struct client *c, uint32_t selection,
		      const char *const *mimes, uint32_t n)
{
	if (!client_has_clipboard(c) || selection > PROTO_SELECTION_PRIMARY)
		return;
	uint32_t serial = c->sel[selection].seen + 1;
	if (!sent(c, proto_send_clipboard_grab(c->fd, selection, serial, mimes,
					       n), "CLIPBOARD_GRAB"))
		return;
	c->sel[selection].seen = serial;
	c->sel[selection].ours = n > 0 ? serial : 0;
	c->sel[selection].theirs = 0;
	log_verbose("clipboard: ours now (serial %u, %u types)", serial, n);
}

void
client_clipboard_request(struct client *c, uint32_t selection,
			 const char *mime)
{
	if (!client_has_clipboard(c) || selection > PROTO_SELECTION_PRIMARY ||
	    c->sel[selection].theirs == 0)
		return;
	sent(c, proto_send_clipboard_request(c->fd, selection,
					     c->sel[selection].theirs, mime),
	     "CLIPBOARD_REQUEST");
}

void
client_clipboard_answer(struct client *c, uint32_t selection, uint32_t status,
			const char *mime, const void *bytes, uint32_t length)
{
	if (!client_has_clipboard(c) || selection > PROTO_SELECTION_PRIMARY)
		return;
	if (status == PROTO_CLIPBOARD_OK && length > PROTO_MAX_CLIPBOARD) {
		log_error("clipboard: %u bytes are more than the protocol's %d: "
			  "not given to the VM", length, PROTO_MAX_CLIPBOARD);
		status = PROTO_CLIPBOARD_TOO_LARGE;
	}
	if (status != PROTO_CLIPBOARD_OK)
		length = 0;
	if (sent(c, proto_send_clipboard_data(c->fd, selection,
					      c->sel[selection].asked, status,
					      mime, bytes, length),
		 "CLIPBOARD_DATA"))
		c->clipboard_out += length;
}

static bool
handle_grab(struct client *c, const struct proto_clipboard_grab *g)
{
	struct client_selection *s = &c->sel[g->selection];
	/* Ours is newer, or as new (ours wins a tie): theirs crossed it. */
	if (s->ours != 0 && g->serial <= s->ours)
		return true;
	if (g->serial > s->seen)
		s->seen = g->serial;
	s->ours = 0;
	s->theirs = g->n_mimes > 0 ? g->serial : 0;
	const char *mimes[PROTO_MAX_MIMES];
	for (uint32_t i = 0; i < g->n_mimes; i++)
		mimes[i] = (const char *)(g + 1) + i * PROTO_MAX_MIME;
	log_verbose("clipboard: the VM's now (serial %u, %u types)", g->serial,
		    g->n_mimes);
	if (c->listener.clipboard_grab)
		c->listener.clipboard_grab(c->listener.data, g->selection, mimes,
					   g->n_mimes);
	return true;
}

static bool
handle_request(struct client *c, const struct proto_clipboard_request *r)
{
	struct client_selection *s = &c->sel[r->selection];
	if (s->ours == 0 || r->serial != s->ours ||
	    !c->listener.clipboard_request) {
		/* Not ours (any more): a request that crossed a grab. */
		return sent(c, proto_send_clipboard_data(c->fd, r->selection,
			r->serial, PROTO_CLIPBOARD_NONE, r->mime, NULL, 0),
			"CLIPBOARD_DATA") || errno == EAGAIN;
	}
	s->asked = r->serial;
	c->listener.clipboard_request(c->listener.data, r->selection, r->mime);
	return c->connected;
}

static bool
handle_data(struct client *c, const struct proto_clipboard_data *d)
{
	if (d->serial != c->sel[d->selection].theirs)
		return true; /* an answer to a grab superseded meanwhile */
	c->clipboard_in += d->length;
	log_verbose("clipboard: %u bytes of %s from the VM (status %u)",
		    d->length, d->mime, d->status);
	if (c->listener.clipboard_data)
		c->listener.clipboard_data(c->listener.data, d->selection,
					   d->status, d->mime, d + 1, d->length);
	return true;
}

bool
client_handle_clipboard(struct client *c, struct proto_packet *pkt)
{
	uint32_t type = proto_packet_type(pkt);
	if (!c->clipboard)
		return client_fail(c, PROTO_ERR_UNEXPECTED, "%s: CLIPBOARD was "
				   "not agreed in the HELLOs",
				   proto_type_name(type));
	const void *body = proto_packet_body(pkt);
	if (type == PROTO_CLIPBOARD_GRAB)
		return handle_grab(c, body);
	if (type == PROTO_CLIPBOARD_REQUEST)
		return handle_request(c, body);
	return handle_data(c, body);
}
