/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "raw-viewer.h"
#include "server/server.h"

static int64_t
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool
raw_viewer_connect(struct raw_viewer *v, const char *path,
		   struct server *server)
{
	*v = (struct raw_viewer){ .fd = -1, .server = server };
	v->pkt = calloc(1, sizeof(*v->pkt));
	if (v->pkt == NULL)
		return false;
	v->fd = proto_connect(path);
	if (v->fd < 0) {
		fprintf(stderr, "raw viewer: cannot connect to %s: %s\n", path,
			strerror(errno));
		return false;
	}
	return true;
}

void
raw_viewer_close(struct raw_viewer *v)
{
	if (v->pkt != NULL)
		proto_packet_close_fds(v->pkt);
	free(v->pkt);
	v->pkt = NULL;
	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
	if (v->server != NULL)
		raw_viewer_pump(v->server, 20);
}

bool
raw_viewer_hello_features(struct raw_viewer *v, bool shm, uint32_t features)
{
	struct proto_format xrgb = {
		.fourcc = DRM_FORMAT_XRGB8888, .flags = PROTO_FORMAT_SHM,
		.modifier = DRM_FORMAT_MOD_LINEAR,
	};
	return proto_send_hello(v->fd, features, "raw-viewer", &xrgb,
				shm ? 1 : 0);
}

bool
raw_viewer_handshake(struct raw_viewer *v, const char *path,
		     struct server *server, uint32_t features,
		     uint32_t *server_features)
{
	if (!raw_viewer_connect(v, path, server) ||
	    !raw_viewer_expect(v, PROTO_HELLO))
		return false;
	if (server_features != NULL)
		*server_features = proto_hello_features(raw_body(v));
	return raw_viewer_hello_features(v, true, features);
}

bool
raw_viewer_hello(struct raw_viewer *v, bool shm)
{
	return raw_viewer_hello_features(v, shm, PROTO_FEATURE_SHM |
					 PROTO_FEATURE_CURSOR |
					 PROTO_FEATURE_INPUT);
}

void
raw_viewer_pump(struct server *server, int ms)
{
	int64_t end = now_ms() + ms;
	for (;;) {
		int64_t left = end - now_ms();
		if (left <= 0)
			return;
		if (server == NULL) {
			usleep((useconds_t)left * 1000);
			return;
		}
		struct pollfd p = { .fd = server_get_fd(server), .events = POLLIN };
		if (poll(&p, 1, (int)left) > 0)
			server_dispatch(server);
	}
}

enum proto_io
raw_viewer_recv(struct raw_viewer *v, int timeout_ms)
{
	proto_packet_close_fds(v->pkt);
	int64_t end = now_ms() + timeout_ms;
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = v->fd, .events = POLLIN },
			{ .fd = v->server ? server_get_fd(v->server) : -1,
			  .events = POLLIN },
		};
		int64_t left = end - now_ms();
		if (left < 0)
			left = 0;
		int n = poll(p, 2, (int)left);
		if (n < 0 && errno != EINTR)
			return PROTO_IO_ERROR;
		if (n > 0 && (p[1].revents & POLLIN))
			server_dispatch(v->server);
		if (n > 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			char why[256];
			enum proto_io io = proto_recv(v->fd, v->pkt, why,
						      sizeof(why));
			if (io == PROTO_IO_AGAIN)
				continue;
			if (io == PROTO_IO_ERROR) {
				fprintf(stderr, "raw viewer: %s\n", why);
				return io;
			}
			if (io == PROTO_IO_OK) {
				enum proto_error err = proto_validate(v->pkt,
					PROTO_FROM_SERVER, why, sizeof(why));
				if (err != PROTO_ERR_NONE) {
					fprintf(stderr, "raw viewer: server sent "
						"an invalid packet: %s\n", why);
					test_failures++;
					return PROTO_IO_ERROR;
				}
			}
			return io;
		}
		if (n == 0 && now_ms() >= end)
			return PROTO_IO_AGAIN;
	}
}

bool
raw_viewer_expect(struct raw_viewer *v, uint32_t type)
{
	enum proto_io io = raw_viewer_recv(v, 2000);
	if (io != PROTO_IO_OK) {
		fprintf(stderr, "raw viewer: expected %s, got %s\n",
			proto_type_name(type),
			io == PROTO_IO_AGAIN ? "nothing within 2 s" :
			io == PROTO_IO_EOF ? "EOF" : "an error");
		return false;
	}
	uint32_t got = proto_packet_type(v->pkt);
	if (got != type) {
		fprintf(stderr, "raw viewer: expected %s, got %s", 
			proto_type_name(type), proto_type_name(got));
		if (got == PROTO_ERROR) {
			const struct proto_error_msg *e = raw_body(v);
			fprintf(stderr, " (%s: %s)", proto_error_name(e->code),
				(const char *)(e + 1));
		}
		fprintf(stderr, "\n");
		return false;
	}
	return true;
}

bool
raw_viewer_skip_to(struct raw_viewer *v, uint32_t type, int timeout_ms)
{
	int64_t end = now_ms() + timeout_ms;
	while (now_ms() < end) {
		enum proto_io io = raw_viewer_recv(v, (int)(end - now_ms()));
		if (io != PROTO_IO_OK)
			return false;
		if (proto_packet_type(v->pkt) == type)
			return true;
	}
	return false;
}

uint32_t
raw_viewer_join(struct raw_viewer *v, const char *path, struct server *server,
		uint32_t *keyboard, uint32_t *tablet)
{
	if (!raw_viewer_connect(v, path, server) ||
	    !raw_viewer_expect(v, PROTO_HELLO) || !raw_viewer_hello(v, true))
		return 0;
	for (;;) {
		if (raw_viewer_recv(v, 3000) != PROTO_IO_OK)
			return 0;
		uint32_t type = proto_packet_type(v->pkt);
		if (type == PROTO_INPUT_DEVICE) {
			const struct proto_input_device *dev = raw_body(v);
			if (dev->kind == PROTO_DEVICE_KEYBOARD && keyboard)
				*keyboard = dev->device_id;
			if (dev->kind == PROTO_DEVICE_TABLET && tablet)
				*tablet = dev->device_id;
		}
		if (type == PROTO_UPDATE)
			return ((const struct proto_update *)raw_body(v))->seq;
	}
}
