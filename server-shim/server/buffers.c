/* SPDX-License-Identifier: MIT */
/*
 * libeglview-server's buffers: shm and dmabuf buffers a source creates,
 * their holds (a viewer shows them: the source must not write) and the
 * buffer_released notification when the last hold ends.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server/private.h"

void
server_buffer_free(struct server_buffer *buffer)
{
	struct server *server = buffer->server;
	if (buffer->prev != NULL)
		buffer->prev->next = buffer->next;
	else
		server->buffers = buffer->next;
	if (buffer->next != NULL)
		buffer->next->prev = buffer->prev;
	for (uint32_t i = 0; i < buffer->n_planes; i++)
		close(buffer->fds[i]);
	free(buffer);
}

/* --- buffers ----------------------------------------------------------- */

static struct server_buffer *
buffer_new(struct server *server)
{
	struct server_buffer *buffer = calloc(1, sizeof(*buffer));
	if (buffer == NULL)
		return NULL;
	buffer->server = server;
	buffer->hold_shown = true;
	/* Ids are never reused while the server lives (2^32 buffers). */
	buffer->id = server->next_buffer_id++;
	if (server->next_buffer_id == 0)
		server->next_buffer_id = 1;
	buffer->next = server->buffers;
	if (server->buffers != NULL)
		server->buffers->prev = buffer;
	server->buffers = buffer;
	return buffer;
}

struct server_buffer *
server_buffer_create_shm(struct server *server, int memfd, uint32_t fourcc,
			 uint32_t width, uint32_t height, uint32_t stride,
			 uint64_t offset)
{
	char name[5], why[256];
	const struct proto_fourcc_info *info = proto_fourcc_info(fourcc);
	if (info == NULL || info->n_planes != 1) {
		server_log_error("shm buffer: format %s is not a single-plane "
				 "format the protocol knows; use XRGB8888 or "
				 "ARGB8888", proto_fourcc_name(fourcc, name));
		return NULL;
	}
	if (width < 1 || width > PROTO_MAX_DIMENSION || height < 1 ||
	    height > PROTO_MAX_DIMENSION ||
	    stride < (uint64_t)width * (uint32_t)info->cpp[0]) {
		server_log_error("shm buffer: size %ux%u stride %u not valid "
				 "(sides 1..%d, stride at least width * %d)",
				 width, height, stride, PROTO_MAX_DIMENSION,
				 info->cpp[0]);
		return NULL;
	}
	if (!proto_check_shm_fd(memfd, offset, stride, height, why,
				sizeof(why))) {
		server_log_error("shm buffer: %s", why);
		return NULL;
	}
	int fd = fcntl(memfd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0) {
		server_log_error("shm buffer: cannot duplicate fd %d: %s",
				 memfd, strerror(errno));
		return NULL;
	}
	struct server_buffer *buffer = buffer_new(server);
	if (buffer == NULL) {
		close(fd);
		return NULL;
	}
	buffer->fourcc = fourcc;
	buffer->width = width;
	buffer->height = height;
	buffer->n_planes = 1;
	buffer->fds[0] = fd;
	buffer->strides[0] = stride;
	buffer->shm_offset = offset;
	return buffer;
}

struct server_buffer *
server_buffer_create_dmabuf(struct server *server, uint32_t fourcc,
			    uint64_t modifier, uint32_t width, uint32_t height,
			    uint32_t n_planes, const int *fds,
			    const uint32_t *offsets, const uint32_t *strides)
{
	char name[5];
	const struct proto_fourcc_info *info = proto_fourcc_info(fourcc);
	if (info == NULL || (uint32_t)info->n_planes != n_planes) {
		server_log_error("dmabuf buffer: format %s with %u planes is "
				 "not one the protocol knows",
				 proto_fourcc_name(fourcc, name), n_planes);
		return NULL;
	}
	if (width < 1 || width > PROTO_MAX_DIMENSION || height < 1 ||
	    height > PROTO_MAX_DIMENSION) {
		server_log_error("dmabuf buffer: size %ux%u out of range 1..%d",
				 width, height, PROTO_MAX_DIMENSION);
		return NULL;
	}
	int dups[PROTO_MAX_PLANES];
	for (uint32_t i = 0; i < n_planes; i++) {
		dups[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 0);
		if (dups[i] < 0) {
			server_log_error("dmabuf buffer: cannot duplicate plane "
					 "%u fd %d: %s", i, fds[i],
					 strerror(errno));
			while (i-- > 0)
				close(dups[i]);
			return NULL;
		}
	}
	struct server_buffer *buffer = buffer_new(server);
	if (buffer == NULL) {
		for (uint32_t i = 0; i < n_planes; i++)
			close(dups[i]);
		return NULL;
	}
	buffer->is_dmabuf = true;
	buffer->fourcc = fourcc;
	buffer->modifier = modifier;
	buffer->width = width;
	buffer->height = height;
	buffer->n_planes = n_planes;
	for (uint32_t i = 0; i < n_planes; i++) {
		buffer->fds[i] = dups[i];
		buffer->offsets[i] = offsets[i];
		buffer->strides[i] = strides[i];
	}
	return buffer;
}

void
server_buffer_destroy(struct server_buffer *buffer)
{
	if (buffer == NULL)
		return;
	struct server *server = buffer->server;
	server_enter(server);
	for (uint32_t i = 0; i < server->n_heads; i++) {
		if (server->heads[i]->current == buffer)
			server->heads[i]->current = NULL;
	}
	for (struct peer *p = server->peers; p != NULL; p = p->next)
		peer_forget_buffer(p, buffer);
	server_buffer_free(buffer);
	server_leave(server);
}

uint32_t
server_buffer_get_id(const struct server_buffer *buffer)
{
	return buffer->id;
}

bool
server_buffer_busy(const struct server_buffer *buffer)
{
	return buffer->holds > 0;
}

void
server_buffer_set_hold_shown(struct server_buffer *buffer, bool hold)
{
	buffer->hold_shown = hold;
}

void
server_buffer_set_user_data(struct server_buffer *buffer, void *data)
{
	buffer->user_data = data;
}

void *
server_buffer_get_user_data(const struct server_buffer *buffer)
{
	return buffer->user_data;
}

void
server_buffer_hold(struct server_buffer *buffer)
{
	buffer->holds++;
}

void
server_buffer_unhold(struct server_buffer *buffer)
{
	if (--buffer->holds == 0)
		buffer->release_pending = true;
}
