/* SPDX-License-Identifier: MIT */
/*
 * The checks that need connection state (which heads, buffers and devices
 * exist), then the effect on the renderer. proto_validate() has already
 * checked sizes, fd counts and field ranges.
 */
#include "client/state.h"

#include <drm_fourcc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static struct client_head *
find_head(struct client *c, uint32_t id)
{
	for (int i = 0; i < c->n_heads; i++) {
		if (c->heads[i].id == id)
			return &c->heads[i];
	}
	return NULL;
}

static struct client_buffer *
find_buffer(struct client *c, uint32_t id)
{
	for (int i = 0; i < c->n_buffers; i++) {
		if (c->buffers[i].id == id)
			return &c->buffers[i];
	}
	return NULL;
}

static struct client_device *
find_device(struct client *c, uint32_t id)
{
	for (int i = 0; i < c->n_devices; i++) {
		if (c->devices[i].id == id)
			return &c->devices[i];
	}
	return NULL;
}

static bool
format_offered(const struct client *c, uint32_t fourcc, uint64_t modifier,
	       uint32_t flag)
{
	for (uint32_t i = 0; i < c->n_formats; i++) {
		const struct proto_format *f = &c->formats[i];
		if (f->fourcc == fourcc && (f->flags & flag) &&
		    (flag == PROTO_FORMAT_SHM || f->modifier == modifier))
			return true;
	}
	return false;
}

static bool
rect_inside(uint32_t x, uint32_t y, uint32_t w, uint32_t h,
	    uint32_t width, uint32_t height)
{
	return (uint64_t)x + w <= width && (uint64_t)y + h <= height;
}

static void
bind_head(struct client *c, struct client_head *head,
	  struct client_buffer *buf, const struct proto_scanout *scanout)
{
	head->buffer_id = buf ? buf->id : 0;
	head->scanout = *scanout;
	if (!buf)
		client_direct_head_gone(c, head);
	/* Zero-copy: the renderer stays out of it until an UPDATE says. */
	if (!client_direct_keeps_unbound(head))
		render_head_bind(head->render, buf ? buf->render : NULL, scanout);
}

static bool
handle_head_info(struct client *c, const struct proto_head_info *info)
{
	struct client_head *head = find_head(c, info->head_id);
	if (!head) {
		if (c->n_heads == PROTO_MAX_HEADS)
			return client_fail(c, PROTO_ERR_LIMIT, "HEAD_INFO: head %u "
					   "would be head number %d, at most %d "
					   "are allowed", info->head_id,
					   PROTO_MAX_HEADS + 1, PROTO_MAX_HEADS);
		head = &c->heads[c->n_heads];
		*head = (struct client_head){ .id = info->head_id };
		head->render = render_head_create(c->renderer);
		head->timing = calloc(1, sizeof(*head->timing));
		if (!head->render || !head->timing) {
			if (!head->render)
				log_error("cannot create a renderer head for "
					  "head %u", info->head_id);
			else
				log_error("out of memory for head %u's timings",
					  info->head_id);
			render_head_destroy(head->render);
			free(head->timing);
			return client_fail(c, PROTO_ERR_INTERNAL, "viewer could not "
					   "set up head %u", info->head_id);
		}
		/* HOLD_SHOWN: what the head shows stays as it is until the
		 * head shows another buffer. */
		render_head_set_held(head->render, c->hold);
		c->n_heads++;
	}
	head->info = *info;
	if (!(info->flags & PROTO_HEAD_ENABLED) && head->direct) {
		/* Hidden: its subsurface goes; the renderer has it again. */
		client_direct_head_gone(c, head);
		struct client_buffer *buf = find_buffer(c, head->buffer_id);
		render_head_bind(head->render, buf ? buf->render : NULL,
				 &head->scanout);
	}
	log_verbose("head %u \"%s\": %ux%u at %d,%d, %s", info->head_id,
		    info->name, info->width, info->height, info->x, info->y,
		    info->flags & PROTO_HEAD_ENABLED ? "enabled" : "disabled");
	return true;
}

static bool
add_buffer(struct client *c, const char *type, uint32_t id)
{
	if (find_buffer(c, id))
		return client_fail(c, PROTO_ERR_ID_IN_USE, "%s: buffer id %u is "
				   "already in use (BUFFER_DESTROY it first)", type, id);
	if (c->n_buffers == PROTO_MAX_BUFFERS)
		return client_fail(c, PROTO_ERR_LIMIT, "%s: buffer %u would be live "
				   "buffer number %d, at most %d are allowed", type,
				   id, PROTO_MAX_BUFFERS + 1, PROTO_MAX_BUFFERS);
	return true;
}

static bool
import_failed(struct client *c, const char *why)
{
	log_error("cannot import a buffer from %s: %s", c->label, why);
	return client_fail(c, PROTO_ERR_INTERNAL, "viewer could not import: %s", why);
}

static bool
handle_buffer_shm(struct client *c, struct proto_packet *pkt)
{
	const struct proto_buffer_shm *desc = proto_packet_body(pkt);
	char fourcc[5], why[PROTO_MAX_TEXT];

	if (!add_buffer(c, "BUFFER_SHM", desc->buffer_id))
		return false;
	if (!format_offered(c, desc->fourcc, DRM_FORMAT_MOD_LINEAR, PROTO_FORMAT_SHM))
		return client_fail(c, PROTO_ERR_FORMAT, "BUFFER_SHM %u: format %s "
				   "(0x%08x) was not offered for shm in our HELLO",
				   desc->buffer_id, proto_fourcc_name(desc->fourcc, fourcc),
				   desc->fourcc);
	const struct proto_fourcc_info *fi = proto_fourcc_info(desc->fourcc);
	if (fi && (uint64_t)desc->width * fi->cpp[0] > desc->stride)
		return client_fail(c, PROTO_ERR_BAD_VALUE, "BUFFER_SHM %u: stride %u "
				   "is less than width %u x %d bytes", desc->buffer_id,
				   desc->stride, desc->width, fi->cpp[0]);
	if (!proto_check_shm_fd(pkt->fds[0], desc->offset, desc->stride,
				desc->height, why, sizeof(why)))
		return client_fail(c, PROTO_ERR_BAD_FD, "BUFFER_SHM %u: %s",
				   desc->buffer_id, why);

	/* The importer owns the fd from here, on success and on failure. */
	int fd = pkt->fds[0];
	pkt->fds[0] = -1;
	int direct_fd = client_direct_keep_fd(c, fd);
	struct render_buffer *rb = render_buffer_import_shm(c->renderer, desc, fd,
							    why, sizeof(why));
	if (!rb) {
		if (direct_fd >= 0)
			close(direct_fd);
		return import_failed(c, why);
	}
	struct client_buffer *buf = &c->buffers[c->n_buffers++];
	*buf = (struct client_buffer){
		.id = desc->buffer_id, .width = desc->width,
		.height = desc->height, .render = rb,
	};
	client_direct_buffer_added(c, buf, desc, NULL, direct_fd, NULL);
	return true;
}

static bool
handle_buffer_dmabuf(struct client *c, struct proto_packet *pkt)
{
	const struct proto_buffer_dmabuf *desc = proto_packet_body(pkt);
	char fourcc[5], why[PROTO_MAX_TEXT];

	if (!add_buffer(c, "BUFFER_DMABUF", desc->buffer_id))
		return false;
	if (!format_offered(c, desc->fourcc, desc->modifier, PROTO_FORMAT_DMABUF))
		return client_fail(c, PROTO_ERR_FORMAT, "BUFFER_DMABUF %u: format %s "
				   "(0x%08x) with modifier 0x%016llx was not offered "
				   "in our HELLO", desc->buffer_id,
				   proto_fourcc_name(desc->fourcc, fourcc), desc->fourcc,
				   (unsigned long long)desc->modifier);
	const struct proto_fourcc_info *fi = proto_fourcc_info(desc->fourcc);
	for (uint32_t i = 0; i < desc->n_planes; i++) {
		uint32_t vsub = i > 0 && fi && fi->vsub > 0 ? (uint32_t)fi->vsub : 1;
		uint32_t rows = (desc->height + vsub - 1) / vsub;
		if (!proto_check_dmabuf_fd(pkt->fds[i], desc->planes[i].offset,
					   desc->planes[i].stride, rows, why, sizeof(why)))
			return client_fail(c, PROTO_ERR_BAD_FD, "BUFFER_DMABUF %u "
					   "plane %u: %s", desc->buffer_id, i, why);
	}

	int fds[PROTO_MAX_PLANES];
	int direct_fds[PROTO_MAX_PLANES] = { -1, -1, -1, -1 };
	for (uint32_t i = 0; i < desc->n_planes; i++) {
		fds[i] = pkt->fds[i];
		pkt->fds[i] = -1;
		direct_fds[i] = client_direct_keep_fd(c, fds[i]);
	}
	struct render_buffer *rb = render_buffer_import_dmabuf(c->renderer, desc,
							       fds, why, sizeof(why));
	if (!rb) {
		for (uint32_t i = 0; i < desc->n_planes; i++) {
			if (direct_fds[i] >= 0)
				close(direct_fds[i]);
		}
		return import_failed(c, why);
	}
	struct client_buffer *buf = &c->buffers[c->n_buffers++];
	*buf = (struct client_buffer){
		.id = desc->buffer_id, .width = desc->width,
		.height = desc->height, .render = rb,
	};
	client_direct_buffer_added(c, buf, NULL, desc, -1, direct_fds);
	return true;
}

static bool
handle_buffer_destroy(struct client *c, const struct proto_buffer_destroy *msg)
{
	struct client_buffer *buf = find_buffer(c, msg->buffer_id);
	if (!buf)
		return client_fail(c, PROTO_ERR_UNKNOWN_ID, "BUFFER_DESTROY: buffer "
				   "%u is not known", msg->buffer_id);
	for (int i = 0; i < c->n_heads; i++) {
		struct client_head *head = &c->heads[i];
		if (head->buffer_id == buf->id)
			bind_head(c, head, NULL, &(struct proto_scanout){
				  .head_id = head->id });
	}
	client_direct_buffer_gone(c, buf);
	render_buffer_destroy(buf->render);
	*buf = c->buffers[--c->n_buffers];
	/* Moved: the hand-off's description points into it. */
	if (buf < &c->buffers[c->n_buffers])
		client_direct_buffer_moved(buf);
	return true;
}

static bool
handle_scanout(struct client *c, const struct proto_scanout *msg)
{
	struct client_head *head = find_head(c, msg->head_id);
	if (!head)
		return client_fail(c, PROTO_ERR_UNKNOWN_ID, "SCANOUT: head %u is not "
				   "known (no HEAD_INFO for it)", msg->head_id);
	struct client_buffer *buf = NULL;
	if (msg->buffer_id != 0) {
		buf = find_buffer(c, msg->buffer_id);
		if (!buf)
			return client_fail(c, PROTO_ERR_UNKNOWN_ID, "SCANOUT head %u: "
					   "buffer %u is not known", msg->head_id,
					   msg->buffer_id);
		if (!rect_inside(msg->x, msg->y, msg->width, msg->height,
				 buf->width, buf->height))
			return client_fail(c, PROTO_ERR_BAD_VALUE, "SCANOUT head %u: "
					   "source rect %ux%u+%u+%u is outside buffer "
					   "%u (%ux%u)", msg->head_id, msg->width,
					   msg->height, msg->x, msg->y, buf->id,
					   buf->width, buf->height);
	}
	bind_head(c, head, buf, msg);
	return true;
}

/* Uploads an UPDATE's damage, timed for --stats (man qemu-eglview,
 * STATS): the wait since its read and the upload. */
static bool
upload_damage(struct client *c, struct client_head *head,
	      const struct proto_rect *rects, uint32_t n_rects)
{
	struct timing_head *t = head->timing;
	uint64_t start = timing_now_ns();
	bool ok = render_head_damage(head->render, rects, n_rects);
	uint64_t end = timing_now_ns();
	timing_ring_add(&t->stages[TIMING_RECEIVE_UPLOAD], start - c->read_ns);
	timing_ring_add(&t->stages[TIMING_UPLOAD], end - start);
	return ok;
}

static bool
handle_update(struct client *c, const struct proto_packet *pkt)
{
	const struct proto_update *msg = proto_packet_body(pkt);
	const struct proto_rect *rects = (const struct proto_rect *)(msg + 1);

	struct client_head *head = find_head(c, msg->head_id);
	if (!head)
		return client_fail(c, PROTO_ERR_UNKNOWN_ID, "UPDATE: head %u is not "
				   "known (no HEAD_INFO for it)", msg->head_id);
	struct client_buffer *buf = find_buffer(c, head->buffer_id);
	if (!buf)
		return client_fail(c, PROTO_ERR_UNEXPECTED, "UPDATE seq %u: head %u "
				   "has no buffer bound (send SCANOUT first)",
				   msg->seq, msg->head_id);
	if (head->update_pending)
		return client_fail(c, PROTO_ERR_UNEXPECTED, "UPDATE seq %u on head "
				   "%u while seq %u is still outstanding (the "
				   "server must wait for FRAME_DONE)", msg->seq,
				   msg->head_id, head->pending_seq);
	for (uint32_t i = 0; i < msg->n_rects; i++) {
		const struct proto_rect *r = &rects[i];
		if (!rect_inside(r->x, r->y, r->width, r->height,
				 buf->width, buf->height))
			return client_fail(c, PROTO_ERR_BAD_VALUE, "UPDATE seq %u head "
					   "%u: damage rect %u (%ux%u+%u+%u) is outside "
					   "buffer %u (%ux%u)", msg->seq, msg->head_id, i,
					   r->width, r->height, r->x, r->y, buf->id,
					   buf->width, buf->height);
	}
	if (!client_direct_update(c, head, buf, rects, msg->n_rects) &&
	    !upload_damage(c, head, rects, msg->n_rects)) {
		log_error("cannot upload the damage of UPDATE seq %u on head %u",
			  msg->seq, msg->head_id);
		return client_fail(c, PROTO_ERR_INTERNAL, "viewer could not apply "
				   "UPDATE seq %u", msg->seq);
	}
	head->update_pending = true;
	head->pending_seq = msg->seq;
	head->timing->updates++;
	head->timing->read_ns = c->read_ns;
	c->needs_draw = true;
	c->updates++;
	return true;
}

static bool
handle_cursor_image(struct client *c, const struct proto_packet *pkt)
{
	const struct proto_cursor_image *img = proto_packet_body(pkt);
	struct client_head *head = find_head(c, img->head_id);
	if (!head)
		return client_fail(c, PROTO_ERR_UNKNOWN_ID, "CURSOR_IMAGE: head %u "
				   "is not known", img->head_id);
	const uint32_t *pixels = img->width ? (const uint32_t *)(img + 1) : NULL;
	if (img->width)
		log_verbose("head %u: guest cursor %ux%u, hotspot %d,%d",
			    img->head_id, img->width, img->height, img->hot_x,
			    img->hot_y);
	else
		log_verbose("head %u: no guest cursor image", img->head_id);
	render_head_set_cursor(head->render, img, pixels);
	if (c->listener.cursor_image)
		c->listener.cursor_image(c->listener.data, img, pixels);
	/* The cursor is not flow-controlled: redraw for it alone, unless
	 * the compositor moved it above a direct head already. */
	if (!client_direct_cursor_image(c, img, pixels) && head->buffer_id)
		c->needs_draw = true;
	return true;
}

static bool
handle_cursor_pos(struct client *c, const struct proto_cursor_pos *pos)
{
	struct client_head *head = find_head(c, pos->head_id);
	if (!head)
		return client_fail(c, PROTO_ERR_UNKNOWN_ID, "CURSOR_POS: head %u is "
				   "not known", pos->head_id);
	render_head_move_cursor(head->render, pos);
	if (!client_direct_cursor_pos(c, pos) && head->buffer_id)
		c->needs_draw = true;
	return true;
}

static bool
handle_input_device(struct client *c, const struct proto_input_device *dev)
{
	if (find_device(c, dev->device_id))
		return client_fail(c, PROTO_ERR_ID_IN_USE, "INPUT_DEVICE: device id "
				   "%u is already in use", dev->device_id);
	if (c->n_devices == PROTO_MAX_INPUT_DEVICES)
		return client_fail(c, PROTO_ERR_LIMIT, "INPUT_DEVICE: device %u "
				   "would be device number %d, at most %d are allowed",
				   dev->device_id, PROTO_MAX_INPUT_DEVICES + 1,
				   PROTO_MAX_INPUT_DEVICES);
	struct client_device *d = &c->devices[c->n_devices++];
	*d = (struct client_device){ .id = dev->device_id, .kind = dev->kind };
	snprintf(d->name, sizeof(d->name), "%s", dev->name);
	d->info.desc = *dev;
	uint32_t n_abs = dev->n_abs < INPUT_MAX_AXES ? dev->n_abs : INPUT_MAX_AXES;
	memcpy(d->info.axes, dev + 1, n_abs * sizeof(struct proto_abs_axis));
	log_verbose("input device %u: %s \"%s\"", d->id,
		    proto_device_kind_name(d->kind), d->name);
	return true;
}

static bool
handle_input_device_removed(struct client *c,
			    const struct proto_input_device_removed *msg)
{
	struct client_device *d = find_device(c, msg->device_id);
	if (!d)
		return client_fail(c, PROTO_ERR_UNKNOWN_ID, "INPUT_DEVICE_REMOVED: "
				   "device %u is not known", msg->device_id);
	/* Keep the order: the first device of a kind must stay the first. */
	memmove(d, d + 1, (size_t)(&c->devices[c->n_devices] - (d + 1)) * sizeof(*d));
	c->n_devices--;
	return true;
}

/* The guest's LEDs (minor 2): only where both HELLOs said LEDS, only for
 * a keyboard that said EV_LED. */
static bool
handle_device_status(struct client *c, const struct proto_input *msg)
{
	if (!(c->server_features & PROTO_FEATURE_LEDS))
		return client_fail(c, PROTO_ERR_UNEXPECTED, "DEVICE_STATUS: the "
				   "server's HELLO did not say LEDS");
	struct client_device *d = find_device(c, msg->device_id);
	if (!d)
		return client_fail(c, PROTO_ERR_UNKNOWN_ID, "DEVICE_STATUS: "
				   "device %u is not known", msg->device_id);
	if (d->kind != PROTO_DEVICE_KEYBOARD ||
	    !(d->info.desc.ev_bits & (1u << PROTO_EV_LED)))
		return client_fail(c, PROTO_ERR_BAD_VALUE, "DEVICE_STATUS: "
				   "device %u is a %s without EV_LED in its "
				   "ev_bits 0x%x", d->id,
				   proto_device_kind_name(d->kind),
				   d->info.desc.ev_bits);
	const struct proto_input_event *ev = (const void *)(msg + 1);
	uint32_t mask = 0, state = 0;
	for (uint32_t i = 0; i + 1 < msg->n_events; i++) {
		if (ev[i].type != PROTO_EV_LED)
			continue;
		mask |= 1u << ev[i].code;
		state = ev[i].value ? state | 1u << ev[i].code :
			state & ~(1u << ev[i].code);
	}
	d->leds = (d->leds & ~mask) | state;
	d->leds_known |= mask;
	c->leds_received++;
	log_verbose("guest LEDs of \"%s\": num %s, caps %s, scroll %s", d->name,
		    d->leds & 1 ? "on" : "off", d->leds & 2 ? "on" : "off",
		    d->leds & 4 ? "on" : "off");
	if (c->listener.leds)
		c->listener.leds(c->listener.data, d->id, mask, state);
	return true;
}

bool
client_handle_display(struct client *c, struct proto_packet *pkt)
{
	const void *body = proto_packet_body(pkt);
	switch (proto_packet_type(pkt)) {
	case PROTO_HEAD_INFO:
		return handle_head_info(c, body);
	case PROTO_BUFFER_SHM:
		return handle_buffer_shm(c, pkt);
	case PROTO_BUFFER_DMABUF:
		return handle_buffer_dmabuf(c, pkt);
	case PROTO_BUFFER_DESTROY:
		return handle_buffer_destroy(c, body);
	case PROTO_SCANOUT:
		return handle_scanout(c, body);
	case PROTO_UPDATE:
		return handle_update(c, pkt);
	case PROTO_CURSOR_IMAGE:
		return handle_cursor_image(c, pkt);
	case PROTO_CURSOR_POS:
		return handle_cursor_pos(c, body);
	case PROTO_INPUT_DEVICE:
		return handle_input_device(c, body);
	case PROTO_INPUT_DEVICE_REMOVED:
		return handle_input_device_removed(c, body);
	case PROTO_DEVICE_STATUS:
		return handle_device_status(c, body);
	}
	/* Known but not for a viewer (proto_validate lets none through). */
	return client_fail(c, PROTO_ERR_UNEXPECTED, "%s is not a message for a "
			   "viewer", proto_type_name(proto_packet_type(pkt)));
}

void
client_release_objects(struct client *c)
{
	client_release_audio(c);
	for (int i = 0; i < c->n_heads; i++) {
		client_direct_head_gone(c, &c->heads[i]);
		render_head_destroy(c->heads[i].render);
		free(c->heads[i].timing);
	}
	c->n_heads = 0;
	for (int i = 0; i < c->n_buffers; i++) {
		client_direct_buffer_gone(c, &c->buffers[i]);
		render_buffer_destroy(c->buffers[i].render);
	}
	c->n_buffers = 0;
}
