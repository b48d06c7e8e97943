/* SPDX-License-Identifier: MIT */
/*
 * libeglview-server, the source's side: the listening socket, the epoll
 * set, heads and input devices, and fanning each change out to the
 * viewers (peer.c holds what each connection has been sent; buffers are
 * in buffers.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server/private.h"

struct server *
server_create(const char *socket_path, const char *vm_name,
	      const struct server_callbacks *cb, void *data,
	      char *why, size_t why_size)
{
	struct server *server = calloc(1, sizeof(*server));
	if (server == NULL) {
		snprintf(why, why_size, "out of memory");
		return NULL;
	}
	server->listen_fd = -1;
	server->epoll_fd = -1;
	server->next_device_id = 1;
	server->next_buffer_id = 1;
	server->next_peer_number = 1;
	server->next_audio_id = 1;
	server->hold_shown = true;
	if (cb != NULL)
		server->cb = *cb;
	server->data = data;
	snprintf(server->vm_name, sizeof(server->vm_name), "%s",
		 vm_name ? vm_name : "");

	server->pkt = calloc(1, sizeof(*server->pkt));
	server->socket_path = strdup(socket_path);
	if (server->pkt == NULL || server->socket_path == NULL) {
		snprintf(why, why_size, "out of memory");
		goto fail;
	}
	server->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (server->epoll_fd < 0) {
		snprintf(why, why_size, "epoll_create1: %s", strerror(errno));
		goto fail;
	}
	server->listen_fd = proto_listen(socket_path, why, why_size);
	if (server->listen_fd < 0)
		goto fail;
	/* data.ptr NULL marks the listening socket. */
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	if (epoll_ctl(server->epoll_fd, EPOLL_CTL_ADD, server->listen_fd,
		      &ev) < 0) {
		snprintf(why, why_size, "epoll_ctl: %s", strerror(errno));
		unlink(socket_path);
		goto fail;
	}
	return server;

fail:
	if (server->listen_fd >= 0)
		close(server->listen_fd);
	if (server->epoll_fd >= 0)
		close(server->epoll_fd);
	free(server->pkt);
	free(server->socket_path);
	free(server);
	return NULL;
}

void
server_destroy(struct server *server)
{
	if (server == NULL)
		return;
	while (server->peers != NULL) {
		struct peer *peer = server->peers;
		if (peer->state != PEER_DEAD)
			peer_close(peer);
		peer_free(peer);
	}
	server_audio_destroy_all(server);
	while (server->buffers != NULL)
		server_buffer_free(server->buffers);
	for (uint32_t i = 0; i < server->n_heads; i++) {
		free(server->heads[i]->cursor_pixels);
		free(server->heads[i]);
	}
	for (uint32_t i = 0; i < PROTO_MAX_INPUT_DEVICES; i++)
		free(server->devices[i]);
	close(server->listen_fd);
	close(server->epoll_fd);
	unlink(server->socket_path);
	free(server->socket_path);
	free(server->pkt);
	free(server);
}

uint32_t
server_version(void)
{
	return EGLVIEW_SERVER_VERSION;
}

void
server_set_hold_shown(struct server *server, bool offer)
{
	server->hold_shown = offer;
}

void
server_set_verbose(struct server *server, bool verbose)
{
	(void)server;
	server_log_set_verbose(verbose);
}

int
server_get_fd(const struct server *server)
{
	return server->epoll_fd;
}

/* --- deferred callbacks ------------------------------------------------ */

void
server_enter(struct server *server)
{
	server->depth++;
}

/* One pending notification, or false when there is none. Restarts from
 * the list heads each time: a callback may destroy buffers or viewers. */
static bool
notify_one(struct server *server)
{
	for (struct server_buffer *b = server->buffers; b != NULL; b = b->next) {
		if (!b->release_pending)
			continue;
		b->release_pending = false;
		if (b->holds == 0 && server->cb.buffer_released != NULL) {
			server->cb.buffer_released(server->data, b);
			return true;
		}
	}
	for (struct peer *p = server->peers; p != NULL; p = p->next) {
		if (p->state == PEER_READY && p->join_pending) {
			p->join_pending = false;
			if (server->cb.viewer_joined != NULL) {
				server->cb.viewer_joined(server->data,
					server_viewer_count(server));
				return true;
			}
		}
		if (p->state == PEER_DEAD) {
			bool left = p->left_pending;
			/* Nothing it pressed may stay down in the guest. */
			held_keys_release(server, p);
			server_clipboard_peer_gone(server, p);
			peer_free(p);
			if (left && server->cb.viewer_left != NULL)
				server->cb.viewer_left(server->data,
					server_viewer_count(server));
			return true;
		}
	}
	return false;
}

void
server_leave(struct server *server)
{
	if (server->depth > 1) {
		server->depth--;
		return;
	}
	/* Still depth 1 while the callbacks run: API calls they make do
	 * not start a second pass inside this one. */
	while (notify_one(server))
		;
	server->depth--;
}

/* --- viewers ----------------------------------------------------------- */

static void
accept_viewers(struct server *server)
{
	for (;;) {
		int fd = accept4(server->listen_fd, NULL, NULL,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				server_log_error("cannot accept a viewer on %s: "
						 "%s", server->socket_path,
						 strerror(errno));
			return;
		}
		struct ucred cred = { .pid = 0 };
		socklen_t len = sizeof(cred);
		getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len);
		uid_t uid = (uid_t)-1;
		if (!proto_peer_is_same_user(fd, &uid)) {
			server_log_error("refused viewer pid %d uid %u (this "
					 "server runs as uid %u)", (int)cred.pid,
					 (unsigned)uid, (unsigned)getuid());
			proto_send_error(fd, PROTO_ERR_ACCESS, "this server "
					 "runs as uid %u and serves only that "
					 "uid; you are uid %u",
					 (unsigned)getuid(), (unsigned)uid);
			close(fd);
			continue;
		}
		if (peer_create(server, fd, cred.pid) == NULL)
			close(fd);
	}
}

bool
server_dispatch(struct server *server)
{
	struct epoll_event events[32];
	int n;
	do {
		n = epoll_wait(server->epoll_fd, events, 32, 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		server_log_error("epoll_wait: %s", strerror(errno));
		return false;
	}
	server_enter(server);
	for (int i = 0; i < n; i++) {
		struct peer *peer = events[i].data.ptr;
		if (peer == NULL)
			accept_viewers(server);
		else if (peer->state != PEER_DEAD)
			peer_handle_readable(peer);
	}
	server_leave(server);
	return true;
}

void
server_goodbye_all(struct server *server, enum proto_goodbye_reason reason,
		   const char *text)
{
	server_enter(server);
	for (struct peer *p = server->peers; p != NULL; p = p->next) {
		if (p->state != PEER_DEAD)
			peer_goodbye(p, reason, text);
	}
	server_leave(server);
}

bool
server_idle(const struct server *server)
{
	for (const struct peer *p = server->peers; p != NULL; p = p->next) {
		if (p->state != PEER_READY)
			continue;
		for (uint32_t i = 0; i < server->n_heads; i++) {
			if (p->heads[i].outstanding || p->heads[i].pending)
				return false;
		}
	}
	return true;
}

size_t
server_viewer_count(const struct server *server)
{
	size_t count = 0;
	for (const struct peer *p = server->peers; p != NULL; p = p->next) {
		if (p->state == PEER_READY)
			count++;
	}
	return count;
}

/* --- heads ------------------------------------------------------------- */

struct server_head *
server_find_head(struct server *server, uint32_t id)
{
	if (id == 0 || id > server->n_heads)
		return NULL;
	return server->heads[id - 1];
}

struct server_head *
server_add_head(struct server *server, const char *name, uint32_t width,
		uint32_t height)
{
	if (server->n_heads == PROTO_MAX_HEADS) {
		server_log_error("cannot add head \"%s\": already %d heads, "
				 "the protocol's limit", name, PROTO_MAX_HEADS);
		return NULL;
	}
	if (width < 1 || width > PROTO_MAX_DIMENSION || height < 1 ||
	    height > PROTO_MAX_DIMENSION) {
		server_log_error("cannot add head \"%s\" of %ux%u: each side "
				 "must be 1..%d", name, width, height,
				 PROTO_MAX_DIMENSION);
		return NULL;
	}
	struct server_head *head = calloc(1, sizeof(*head));
	if (head == NULL)
		return NULL;
	head->server = server;
	head->id = server->n_heads + 1;
	snprintf(head->name, sizeof(head->name), "%s", name);
	head->width = width;
	head->height = height;
	head->enabled = true;
	head->cursor.head_id = head->id;
	head->cursor_pos.head_id = head->id;
	server->heads[server->n_heads++] = head;

	server_enter(server);
	for (struct peer *p = server->peers; p != NULL; p = p->next) {
		if (p->state == PEER_READY)
			peer_send_head_info(p, head);
	}
	server_leave(server);
	return head;
}

uint32_t
server_head_get_id(const struct server_head *head)
{
	return head->id;
}

static void
broadcast_head_info(struct server_head *head)
{
	for (struct peer *p = head->server->peers; p != NULL; p = p->next) {
		if (p->state == PEER_READY)
			peer_send_head_info(p, head);
	}
}

void
server_head_set_size(struct server_head *head, uint32_t width,
		     uint32_t height)
{
	if (width < 1 || width > PROTO_MAX_DIMENSION || height < 1 ||
	    height > PROTO_MAX_DIMENSION) {
		server_log_error("head %u: ignoring size %ux%u: each side "
				 "must be 1..%d", head->id, width, height,
				 PROTO_MAX_DIMENSION);
		return;
	}
	if (head->width == width && head->height == height)
		return;
	head->width = width;
	head->height = height;
	server_enter(head->server);
	broadcast_head_info(head);
	server_leave(head->server);
}

static void
whole_buffer(struct region *region, const struct server_buffer *buffer)
{
	region_init(region);
	region_add_rect(region, &(struct proto_rect){
		0, 0, buffer->width, buffer->height });
}

void
server_head_set_enabled(struct server_head *head, bool enabled)
{
	if (head->enabled == enabled)
		return;
	head->enabled = enabled;
	struct server *server = head->server;
	server_enter(server);
	broadcast_head_info(head);
	if (!enabled) {
		/* Nothing is sent while disabled, and enabling sends the
		 * whole picture: what was pending is moot. */
		for (struct peer *p = server->peers; p != NULL; p = p->next) {
			p->heads[head->id - 1].pending = false;
			region_clear(&p->heads[head->id - 1].damage);
			peer_drop_shown(p, head); /* no longer shown */
		}
	} else {
		/* Presents were not sent while disabled: send the picture
		 * whole, and the cursor. */
		for (struct peer *p = server->peers; p != NULL; p = p->next) {
			if (p->state != PEER_READY)
				continue;
			if (head->current != NULL) {
				struct region all;
				whole_buffer(&all, head->current);
				peer_head_damage(p, head, &all);
				peer_flush_head(p, head);
			}
			peer_send_cursor(p, head, true, true);
		}
	}
	server_leave(server);
}

void
server_head_present(struct server_head *head, struct server_buffer *buffer,
		    uint32_t scanout_flags, const struct proto_rect *damage,
		    uint32_t n_damage)
{
	struct server *server = head->server;
	head->current = buffer;
	head->scanout_flags = scanout_flags;
	if (!head->enabled)
		return;

	struct region region;
	region_init(&region);
	if (buffer != NULL) {
		if (damage == NULL || n_damage == 0) {
			whole_buffer(&region, buffer);
		} else {
			for (uint32_t i = 0; i < n_damage; i++)
				region_add_rect(&region, &damage[i]);
			region_clip(&region, buffer->width, buffer->height);
		}
	}

	server_enter(server);
	for (struct peer *p = server->peers; p != NULL; p = p->next) {
		if (p->state != PEER_READY)
			continue;
		peer_head_damage(p, head, &region);
		peer_flush_head(p, head);
	}
	server_leave(server);
}

static bool
cursor_unchanged(const struct server_head *head, uint32_t width,
		 uint32_t height, int32_t hot_x, int32_t hot_y,
		 const uint32_t *pixels)
{
	if (!head->has_cursor_image || head->cursor.width != width ||
	    head->cursor.height != height || head->cursor.hot_x != hot_x ||
	    head->cursor.hot_y != hot_y)
		return false;
	return width == 0 || memcmp(head->cursor_pixels, pixels,
				    (size_t)width * height * 4) == 0;
}

bool
server_head_set_cursor(struct server_head *head, uint32_t width,
		       uint32_t height, int32_t hot_x, int32_t hot_y,
		       const uint32_t *pixels)
{
	if (width > PROTO_MAX_CURSOR_SIZE || height > PROTO_MAX_CURSOR_SIZE ||
	    (width == 0) != (height == 0) || (width > 0 && pixels == NULL)) {
		server_log_error("head %u: cursor image %ux%u not accepted: "
				 "each side must be 1..%d (or both 0 for none)",
				 head->id, width, height, PROTO_MAX_CURSOR_SIZE);
		return false;
	}
	/* The protocol wants the hotspot on the image (a guest may say
	 * otherwise): the nearest pixel of it. */
	if (width > 0) {
		int32_t hx = hot_x < 0 ? 0 : (uint32_t)hot_x >= width ?
			     (int32_t)width - 1 : hot_x;
		int32_t hy = hot_y < 0 ? 0 : (uint32_t)hot_y >= height ?
			     (int32_t)height - 1 : hot_y;
		if (hx != hot_x || hy != hot_y)
			server_log_verbose("head %u: cursor hotspot %d,%d "
					   "outside its %ux%u image; %d,%d "
					   "sent", head->id, hot_x, hot_y,
					   width, height, hx, hy);
		hot_x = hx;
		hot_y = hy;
	}
	if (cursor_unchanged(head, width, height, hot_x, hot_y, pixels))
		return true;
	uint32_t *copy = NULL;
	if (width > 0) {
		copy = malloc((size_t)width * height * 4);
		if (copy == NULL)
			return false;
		memcpy(copy, pixels, (size_t)width * height * 4);
	}
	free(head->cursor_pixels);
	head->cursor_pixels = copy;
	head->has_cursor_image = true;
	head->cursor = (struct proto_cursor_image){
		.head_id = head->id, .width = width, .height = height,
		.hot_x = hot_x, .hot_y = hot_y,
	};
	if (!head->enabled)
		return true;
	server_enter(head->server);
	for (struct peer *p = head->server->peers; p != NULL; p = p->next) {
		if (p->state == PEER_READY)
			peer_send_cursor(p, head, true, false);
	}
	server_leave(head->server);
	return true;
}

void
server_head_move_cursor(struct server_head *head, int32_t x, int32_t y,
			bool visible)
{
	struct proto_cursor_pos pos = {
		.head_id = head->id, .x = x, .y = y, .visible = visible,
	};
	if (head->has_cursor_pos &&
	    memcmp(&pos, &head->cursor_pos, sizeof(pos)) == 0)
		return;
	head->cursor_pos = pos;
	head->has_cursor_pos = true;
	if (!head->enabled)
		return;
	server_enter(head->server);
	for (struct peer *p = head->server->peers; p != NULL; p = p->next) {
		if (p->state == PEER_READY)
			peer_send_cursor(p, head, false, true);
	}
	server_leave(head->server);
}

/* --- input devices ----------------------------------------------------- */

struct server_device *
server_find_device(struct server *server, uint32_t id)
{
	for (uint32_t i = 0; i < PROTO_MAX_INPUT_DEVICES; i++) {
		struct server_device *dev = server->devices[i];
		if (dev != NULL && dev->info.device_id == id)
			return dev;
	}
	return NULL;
}

uint32_t
server_add_input_device(struct server *server,
			const struct proto_input_device *info,
			const struct proto_abs_axis *axes)
{
	uint32_t slot = 0;
	while (slot < PROTO_MAX_INPUT_DEVICES && server->devices[slot] != NULL)
		slot++;
	if (slot == PROTO_MAX_INPUT_DEVICES) {
		server_log_error("cannot add input device \"%.*s\": already "
				 "%d, the protocol's limit", PROTO_MAX_NAME,
				 info->name, PROTO_MAX_INPUT_DEVICES);
		return 0;
	}
	if (info->n_abs != (uint32_t)__builtin_popcountll(info->abs_bits) ||
	    info->n_abs > PROTO_MAX_ABS_AXES) {
		server_log_error("cannot add input device \"%.*s\": n_abs %u "
				 "does not match the %d bits of abs_bits",
				 PROTO_MAX_NAME, info->name, info->n_abs,
				 __builtin_popcountll(info->abs_bits));
		return 0;
	}
	char why[PROTO_MAX_TEXT];
	if (info->n_abs > 0 &&
	    !proto_check_axes(info->abs_bits, axes, info->n_abs, why,
			      sizeof(why))) {
		server_log_error("cannot add input device \"%.*s\": %s",
				 PROTO_MAX_NAME, info->name, why);
		return 0;
	}
	struct server_device *dev = calloc(1, sizeof(*dev));
	if (dev == NULL)
		return 0;
	dev->info = *info;
	dev->info.name[PROTO_MAX_NAME - 1] = '\0';
	dev->info.device_id = server->next_device_id++;
	/* Num, Caps and Scroll Lock: what QEMU's and virtio-input's
	 * keyboards have. Other devices report none. */
	if (dev->info.kind == PROTO_DEVICE_KEYBOARD &&
	    (dev->info.ev_bits & (1u << PROTO_EV_LED)))
		dev->leds_reported = 0x7;
	if (info->n_abs > 0)
		memcpy(dev->axes, axes, info->n_abs * sizeof(*axes));
	server->devices[slot] = dev;

	server_enter(server);
	for (struct peer *p = server->peers; p != NULL; p = p->next) {
		if (p->state == PEER_READY)
			peer_send_device(p, dev);
	}
	server_leave(server);
	return dev->info.device_id;
}

bool
server_input_device_set_leds(struct server *server, uint32_t device_id,
			     uint32_t leds)
{
	struct server_device *dev = server_find_device(server, device_id);
	if (dev == NULL || dev->info.kind != PROTO_DEVICE_KEYBOARD ||
	    !(dev->info.ev_bits & (1u << PROTO_EV_LED)) ||
	    leds >> (PROTO_LED_MAX + 1) != 0) {
		server_log_error("cannot set LEDs 0x%x of input device %u: %s",
				 leds, device_id, dev == NULL ? "no such device" :
				 leds >> (PROTO_LED_MAX + 1) ? "LEDs are 0..15" :
				 "not a keyboard with EV_LED");
		return false;
	}
	uint32_t changed = (dev->leds ^ leds) | (leds & ~dev->leds_reported);
	dev->leds = leds;
	dev->leds_reported |= leds;
	if (changed == 0)
		return true;
	server_enter(server);
	for (struct peer *p = server->peers; p != NULL; p = p->next) {
		if (p->state == PEER_READY)
			peer_send_device_leds(p, dev, changed);
	}
	server_leave(server);
	return true;
}

void
server_remove_input_device(struct server *server, uint32_t device_id)
{
	for (uint32_t i = 0; i < PROTO_MAX_INPUT_DEVICES; i++) {
		if (server->devices[i] == NULL ||
		    server->devices[i]->info.device_id != device_id)
			continue;
		free(server->devices[i]);
		server->devices[i] = NULL;
		server_enter(server);
		for (struct peer *p = server->peers; p != NULL; p = p->next) {
			held_keys_forget_device(&p->held, device_id);
			if (p->state == PEER_READY)
				peer_send_device_removed(p, device_id);
		}
		server_leave(server);
		return;
	}
}
