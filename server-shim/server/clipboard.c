/* SPDX-License-Identifier: MIT */
/*
 * libeglview-server's clipboard (PROTOCOL.md, "The clipboard", minor 2):
 * who owns each selection (the source, a viewer, or nobody) under which
 * serial and with which types, and the requests in flight between a
 * viewer and the owner. Data moves only when asked for: a grab says the
 * types, a request fetches one.
 */
#include <stdio.h>
#include <string.h>

#include "server/private.h"

static bool
clipboard_peer(const struct peer *p)
{
	return p->state == PEER_READY && (p->features & PROTO_FEATURE_CLIPBOARD);
}

static struct server_selection *
selection(struct server *server, uint32_t sel)
{
	return &server->selections[sel == PROTO_SELECTION_PRIMARY];
}

/* CLIPBOARD_GRAB of sel's owner to peer p. */
static void
send_grab(struct server *server, struct peer *p, uint32_t sel)
{
	const struct server_selection *s = selection(server, sel);
	const char *mimes[PROTO_MAX_MIMES];
	for (uint32_t i = 0; i < s->n_mimes; i++)
		mimes[i] = s->mimes[i];
	peer_send_clipboard_grab(p, sel, s->serial, mimes,
				 s->owner == SERVER_OWNER_NONE ? 0 : s->n_mimes);
}

/* Tells every viewer with the clipboard but `except` who owns sel now. */
static void
announce(struct server *server, uint32_t sel, const struct peer *except)
{
	for (struct peer *p = server->peers; p != NULL; p = p->next) {
		if (p != except && clipboard_peer(p))
			send_grab(server, p, sel);
	}
}

static void
set_owner(struct server_selection *s, uint32_t owner, uint32_t serial,
	  const char *const *mimes, uint32_t n_mimes)
{
	s->owner = n_mimes == 0 ? SERVER_OWNER_NONE : owner;
	s->serial = serial;
	s->n_mimes = n_mimes;
	for (uint32_t i = 0; i < n_mimes; i++)
		snprintf(s->mimes[i], PROTO_MAX_MIME, "%s", mimes[i]);
}

void
server_clipboard_grab(struct server *server, uint32_t sel,
		      const char *const *mimes, uint32_t n_mimes)
{
	if (n_mimes > PROTO_MAX_MIMES)
		n_mimes = PROTO_MAX_MIMES;
	struct server_selection *s = selection(server, sel);
	set_owner(s, SERVER_OWNER_SOURCE, s->serial + 1, mimes, n_mimes);
	server_enter(server);
	announce(server, sel, NULL);
	server_leave(server);
}

void
server_clipboard_state(struct peer *peer)
{
	for (uint32_t sel = 0; sel < 2; sel++) {
		if (selection(peer->server, sel)->owner != SERVER_OWNER_NONE &&
		    clipboard_peer(peer))
			send_grab(peer->server, peer, sel);
	}
}

void
server_clipboard_viewer_grab(struct peer *peer,
			     const struct proto_clipboard_grab *grab)
{
	struct server *server = peer->server;
	struct server_selection *s = selection(server, grab->selection);
	/* The newest grab owns it; of two with one serial the viewer's
	 * (QEMU's rule, which the viewer follows as well). */
	if (grab->serial < s->serial) {
		peer_log(peer, SERVER_LOG_VERBOSE, "CLIPBOARD_GRAB serial %u "
			 "older than %u: crossed a newer grab, ignored",
			 grab->serial, s->serial);
		return;
	}
	const char *mimes[PROTO_MAX_MIMES];
	const char *names = (const char *)(grab + 1);
	for (uint32_t i = 0; i < grab->n_mimes; i++)
		mimes[i] = names + i * PROTO_MAX_MIME;
	set_owner(s, peer->number, grab->serial, mimes, grab->n_mimes);
	peer_log(peer, SERVER_LOG_VERBOSE, "owns the %s selection (serial "
		 "%u, %u types)", grab->selection ? "primary" : "clipboard",
		 grab->serial, grab->n_mimes);
	announce(server, grab->selection, peer);
	if (server->cb.clipboard_grab != NULL)
		server->cb.clipboard_grab(server->data, grab->selection, mimes,
					  grab->n_mimes);
}

static struct peer *
find_peer(struct server *server, uint32_t number)
{
	for (struct peer *p = server->peers; p != NULL; p = p->next) {
		if (p->number == number && clipboard_peer(p))
			return p;
	}
	return NULL;
}

/* A request in flight: from (a peer number, or SERVER_OWNER_SOURCE) to the
 * owner; 0 when the table is full. */
static uint32_t
add_pending(struct server *server, uint32_t from, uint32_t to, uint32_t sel,
	    uint32_t serial, const char *mime)
{
	for (int i = 0; i < SERVER_CLIPBOARD_PENDING; i++) {
		struct server_clip_request *r = &server->clip_pending[i];
		if (r->id != 0)
			continue;
		uint32_t id = ++server->next_clip_request;
		if (id == 0)
			id = ++server->next_clip_request;
		*r = (struct server_clip_request){ .id = id, .from = from,
			.to = to, .selection = sel, .serial = serial };
		snprintf(r->mime, sizeof(r->mime), "%s", mime);
		return r->id;
	}
	return 0;
}

/* The answer to a request that came from `from`. */
static void
deliver(struct server *server, uint32_t from, uint32_t sel, uint32_t serial,
	uint32_t status, const char *mime, const void *data, uint32_t length)
{
	if (from == SERVER_OWNER_SOURCE) {
		if (server->cb.clipboard_data != NULL)
			server->cb.clipboard_data(server->data, sel, status, mime,
						  data, length);
		return;
	}
	struct peer *p = find_peer(server, from);
	if (p != NULL)
		peer_send_clipboard_data(p, sel, serial, status, mime, data,
					 length);
}

/* A request for sel's data of type mime, from `from`, for the grab of
 * serial: to the source, to the owning viewer, or answered NONE. */
static void
request(struct server *server, uint32_t from, uint32_t sel, uint32_t serial,
	const char *mime)
{
	struct server_selection *s = selection(server, sel);
	uint32_t id = 0;
	if (s->owner != SERVER_OWNER_NONE && serial == s->serial &&
	    s->owner != from)
		id = add_pending(server, from, s->owner, sel, serial, mime);
	if (id == 0) {
		deliver(server, from, sel, serial, PROTO_CLIPBOARD_NONE, mime,
			NULL, 0);
		return;
	}
	if (s->owner == SERVER_OWNER_SOURCE) {
		if (server->cb.clipboard_request != NULL)
			server->cb.clipboard_request(server->data, sel, mime, id);
		else
			server_clipboard_answer(server, id, PROTO_CLIPBOARD_NONE,
						mime, NULL, 0);
		return;
	}
	struct peer *owner = find_peer(server, s->owner);
	if (owner != NULL)
		peer_send_clipboard_request(owner, sel, serial, mime);
}

void
server_clipboard_request(struct server *server, uint32_t sel,
			 const char *mime)
{
	server_enter(server);
	request(server, SERVER_OWNER_SOURCE, sel, selection(server, sel)->serial,
		mime);
	server_leave(server);
}

void
server_clipboard_viewer_request(struct peer *peer,
				const struct proto_clipboard_request *req)
{
	request(peer->server, peer->number, req->selection, req->serial,
		req->mime);
}

/* Takes the pending request that answers (to, sel, serial), or NULL. */
static struct server_clip_request *
take(struct server *server, uint32_t id, uint32_t to, uint32_t sel,
     uint32_t serial)
{
	for (int i = 0; i < SERVER_CLIPBOARD_PENDING; i++) {
		struct server_clip_request *r = &server->clip_pending[i];
		if (r->id != 0 && (id != 0 ? r->id == id :
		    r->to == to && r->selection == sel && r->serial == serial))
			return r;
	}
	return NULL;
}

void
server_clipboard_answer(struct server *server, uint32_t request_id,
			uint32_t status, const char *mime, const void *data,
			uint32_t length)
{
	struct server_clip_request *r = take(server, request_id, 0, 0, 0);
	if (r == NULL)
		return;
	struct server_clip_request done = *r;
	r->id = 0;
	if (length > PROTO_MAX_CLIPBOARD) {
		server_log_error("clipboard data of %u bytes is over the "
				 "protocol's %d: not sent", length,
				 PROTO_MAX_CLIPBOARD);
		status = PROTO_CLIPBOARD_TOO_LARGE;
	}
	if (status != PROTO_CLIPBOARD_OK)
		length = 0;
	server_enter(server);
	deliver(server, done.from, done.selection, done.serial, status,
		mime != NULL ? mime : done.mime, data, length);
	server_leave(server);
}

void
server_clipboard_viewer_data(struct peer *peer,
			     const struct proto_clipboard_data *d)
{
	struct server_clip_request *r = take(peer->server, 0, peer->number,
					     d->selection, d->serial);
	if (r == NULL) {
		peer_log(peer, SERVER_LOG_VERBOSE, "CLIPBOARD_DATA nobody asked "
			 "for (serial %u): dropped", d->serial);
		return;
	}
	struct server_clip_request done = *r;
	r->id = 0;
	deliver(peer->server, done.from, d->selection, d->serial, d->status,
		d->mime, d + 1, d->length);
}

void
server_clipboard_peer_gone(struct server *server, struct peer *peer)
{
	/* What it was asked for is answered NONE; what it asked for is
	 * forgotten. */
	for (int i = 0; i < SERVER_CLIPBOARD_PENDING; i++) {
		struct server_clip_request *r = &server->clip_pending[i];
		if (r->id == 0 || (r->to != peer->number &&
				   r->from != peer->number))
			continue;
		struct server_clip_request done = *r;
		r->id = 0;
		if (done.to == peer->number)
			deliver(server, done.from, done.selection, done.serial,
				PROTO_CLIPBOARD_NONE, done.mime, NULL, 0);
	}
	/* A selection it owned is nobody's now. */
	for (uint32_t sel = 0; sel < 2; sel++) {
		struct server_selection *s = selection(server, sel);
		if (s->owner != peer->number)
			continue;
		set_owner(s, SERVER_OWNER_NONE, s->serial + 1, NULL, 0);
		announce(server, sel, peer);
		if (server->cb.clipboard_grab != NULL)
			server->cb.clipboard_grab(server->data, sel, NULL, 0);
	}
}
