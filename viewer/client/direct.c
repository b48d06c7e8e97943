/* SPDX-License-Identifier: MIT */
/*
 * The protocol client's side of the zero-copy hand-off: which UPDATEs go
 * to the output as the guest's buffer itself, and what the renderer must
 * then not do (upload) or do again (bind and upload the whole rect when a
 * head comes back to GL). The output decides what its compositor can
 * take; this file adds what only the connection knows: whether both
 * HELLOs said HOLD_SHOWN, and the buffers' fds.
 */
#include "client/state.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

/* Keys never repeat, across connections too, so an output can never
 * confuse a new buffer with a gone one of the same id. */
static uint64_t next_key = 1;

int
client_direct_keep_fd(const struct client *c, int fd)
{
	/* Our own fd: the importer keeps (and may close) its own. */
	return c->hold && c->direct_offered ? fcntl(fd, F_DUPFD_CLOEXEC, 0) : -1;
}

void
client_direct_buffer_added(struct client *c, struct client_buffer *buf,
			   const struct proto_buffer_shm *shm,
			   const struct proto_buffer_dmabuf *dmabuf, int shm_fd,
			   const int *dmabuf_fds)
{
	buf->direct = (struct output_direct_buffer){ .key = next_key++,
						     .fd = shm_fd };
	for (int i = 0; i < PROTO_MAX_PLANES; i++)
		buf->direct.dmabuf_fds[i] = dmabuf_fds ? dmabuf_fds[i] : -1;
	if (!c->hold || !c->direct_offered)
		return;
	if (shm) {
		buf->shm = *shm;
		buf->direct.shm = &buf->shm;
	} else if (dmabuf) {
		buf->dmabuf = *dmabuf;
		buf->direct.dmabuf = &buf->dmabuf;
	}
}

void
client_direct_buffer_gone(struct client *c, struct client_buffer *buf)
{
	if (c->out && c->out->impl->direct)
		c->out->impl->direct->buffer_gone(c->out, buf->direct.key);
	if (buf->direct.fd >= 0)
		close(buf->direct.fd);
	buf->direct.fd = -1;
	for (int i = 0; i < PROTO_MAX_PLANES; i++) {
		if (buf->direct.dmabuf_fds[i] >= 0)
			close(buf->direct.dmabuf_fds[i]);
		buf->direct.dmabuf_fds[i] = -1;
	}
}

void
client_direct_buffer_moved(struct client_buffer *buf)
{
	if (buf->direct.shm)
		buf->direct.shm = &buf->shm;
	if (buf->direct.dmabuf)
		buf->direct.dmabuf = &buf->dmabuf;
}

static void
leave_direct(struct client *c, struct client_head *head,
	     struct client_buffer *buf)
{
	if (!head->direct)
		return;
	head->direct = false;
	if (c->out && c->out->impl->direct)
		c->out->impl->direct->head_gone(c->out, head->id);
	/* Bound again after nothing: the next damage uploads it all. */
	render_head_bind(head->render, buf ? buf->render : NULL, &head->scanout);
}

bool
client_direct_update(struct client *c, struct client_head *head,
		     struct client_buffer *buf, const struct proto_rect *rects,
		     uint32_t n_rects)
{
	head->direct_update = false;
	bool taken = false;
	if (!c->out || !c->direct_offered) {
		snprintf(head->path_why, sizeof(head->path_why), "%s",
			 c->no_hold_why);
	} else if (!c->hold) {
		snprintf(head->path_why, sizeof(head->path_why), "the server does "
			 "not hold shown buffers (no HOLD_SHOWN in its HELLO)");
	} else if (!buf->direct.shm && !buf->direct.dmabuf) {
		snprintf(head->path_why, sizeof(head->path_why), "buffer %u came "
			 "before HOLD_SHOWN was known", buf->id);
	} else if (buf->direct.shm && buf->direct.fd < 0) {
		snprintf(head->path_why, sizeof(head->path_why), "no duplicate of "
			 "buffer %u's fd", buf->id);
	} else {
		struct output_direct_update u = {
			.head_id = head->id,
			.buf = &buf->direct,
			.scanout = &head->scanout,
			.damage = rects,
			.n_damage = n_rects,
		};
		taken = c->out->impl->direct->update(c->out, &u, head->path_why,
						     sizeof(head->path_why));
	}
	if (!taken) {
		leave_direct(c, head, buf);
		head->gl_frames++;
		return false;
	}
	if (!head->direct) {
		/* The GL frame draws black under it and uploads nothing. */
		head->direct = true;
		render_head_bind(head->render, NULL, &head->scanout);
	}
	head->path_why[0] = '\0';
	head->direct_dmabuf = buf->direct.dmabuf != NULL;
	head->direct_update = true;
	head->direct_frames++;
	return true;
}

void
client_direct_left(void *data, uint32_t head_id, const char *why)
{
	struct client *c = data;
	for (int i = 0; i < c->n_heads; i++) {
		struct client_head *head = &c->heads[i];
		if (head->id != head_id || !head->direct)
			continue;
		head->direct = false;
		snprintf(head->path_why, sizeof(head->path_why), "%s", why);
		struct client_buffer *buf = NULL;
		for (int j = 0; j < c->n_buffers && !buf; j++) {
			if (c->buffers[j].id == head->buffer_id)
				buf = &c->buffers[j];
		}
		if (!buf)
			continue;
		/* Bound again after nothing: this damage uploads it all. */
		render_head_bind(head->render, buf->render, &head->scanout);
		struct proto_rect all = { .width = buf->width,
					  .height = buf->height };
		if (!render_head_damage(head->render, &all, 1))
			log_error("cannot upload head %u's picture for the GL "
				  "path", head->id);
		c->needs_draw = true;
	}
}

bool
client_direct_keeps_unbound(const struct client_head *head)
{
	return head->direct;
}

void
client_direct_head_gone(struct client *c, struct client_head *head)
{
	if (head->direct && c->out && c->out->impl->direct)
		c->out->impl->direct->head_gone(c->out, head->id);
	head->direct = false;
}

/* Only the connection that may hand buffers over: heads are known by id
 * alone in the output. */
bool
client_direct_cursor_image(struct client *c,
			   const struct proto_cursor_image *img,
			   const uint32_t *pixels)
{
	return c->out && c->direct_offered && c->out->impl->direct &&
	       c->out->impl->direct->cursor_image(c->out, img, pixels);
}

bool
client_direct_cursor_pos(struct client *c, const struct proto_cursor_pos *pos)
{
	return c->out && c->direct_offered && c->out->impl->direct &&
	       c->out->impl->direct->cursor_pos(c->out, pos);
}
