/* SPDX-License-Identifier: MIT */
/* See full-change.h. */
#include "full-change.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "alloc/shm.h"

#define N_BUFFERS 3

struct full_change {
	struct server *server;
	struct server_head *head;
	struct shm_block shm[N_BUFFERS];
	struct server_buffer *buffers[N_BUFFERS];
	uint32_t width, height, fps;
	uint64_t frames_made, frame_limit;
	bool frame_owed; /* a tick came while viewers held every buffer */
	int timer_fd;
};

static void
draw(uint32_t *pixels, uint32_t width, uint32_t height, uint64_t frame)
{
	for (uint32_t y = 0; y < height; y++) {
		for (uint32_t x = 0; x < width; x++) {
			uint32_t v = (uint32_t)(x + y + 8 * frame) & 0xff;
			pixels[(size_t)y * width + x] = 0xff000000u | v << 16 |
				(0xffu - v) << 8 | (v ^ 0x55u);
		}
	}
}

static void
make_frame(struct full_change *fc)
{
	int i = 0;
	while (i < N_BUFFERS && server_buffer_busy(fc->buffers[i]))
		i++;
	if (i == N_BUFFERS) {
		fc->frame_owed = true; /* buffer_released brings it */
		return;
	}
	fc->frame_owed = false;
	draw(fc->shm[i].data, fc->width, fc->height, fc->frames_made);
	/* The line eglview-shim --verbose prints for the demo's frames. */
	server_log_verbose("frame %llu presented on head 1 in buffer %u "
			   "(the whole buffer)",
			   (unsigned long long)fc->frames_made,
			   server_buffer_get_id(fc->buffers[i]));
	fc->frames_made++;
	server_head_present(fc->head, fc->buffers[i], PROTO_SCANOUT_Y0_TOP,
			    NULL, 0);
}

struct full_change *
full_change_create(struct server *server, uint32_t width, uint32_t height,
		   uint32_t fps, uint64_t frame_limit, char *why,
		   size_t why_size)
{
	struct full_change *fc = calloc(1, sizeof(*fc));
	if (!fc) {
		snprintf(why, why_size, "out of memory");
		return NULL;
	}
	*fc = (struct full_change){ .server = server, .width = width,
		.height = height, .fps = fps, .frame_limit = frame_limit };
	for (int i = 0; i < N_BUFFERS; i++)
		fc->shm[i].fd = -1;
	fc->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	fc->head = server_add_head(server, "Virtual-1", width, height);
	if (fc->timer_fd < 0 || !fc->head) {
		snprintf(why, why_size, "timerfd or a %ux%u head: %s", width,
			 height, strerror(errno));
		full_change_destroy(fc);
		return NULL;
	}
	for (int i = 0; i < N_BUFFERS; i++) {
		char name[32];
		snprintf(name, sizeof(name), "full-change-%d", i);
		if (!shm_block_init(&fc->shm[i], name,
				    (size_t)width * height * 4, why, why_size) ||
		    !(fc->buffers[i] = server_buffer_create_shm(server,
			fc->shm[i].fd, DRM_FORMAT_XRGB8888, width, height,
			width * 4, 0))) {
			full_change_destroy(fc);
			return NULL;
		}
	}
	make_frame(fc);
	return fc;
}

void
full_change_destroy(struct full_change *fc)
{
	if (!fc)
		return;
	for (int i = 0; i < N_BUFFERS; i++) {
		server_buffer_destroy(fc->buffers[i]);
		shm_block_finish(&fc->shm[i]);
	}
	if (fc->timer_fd >= 0)
		close(fc->timer_fd);
	free(fc);
}

int
full_change_get_timer_fd(const struct full_change *fc)
{
	return fc->timer_fd;
}

void
full_change_start_clock(struct full_change *fc)
{
	long ns = 1000000000L / fc->fps;
	struct itimerspec spec = {
		.it_interval = { ns / 1000000000L, ns % 1000000000L },
		.it_value = { ns / 1000000000L, ns % 1000000000L },
	};
	timerfd_settime(fc->timer_fd, 0, &spec, NULL);
}

void
full_change_dispatch_timer(struct full_change *fc)
{
	uint64_t ticks;
	if (read(fc->timer_fd, &ticks, sizeof(ticks)) != sizeof(ticks))
		return;
	if (fc->frames_made < fc->frame_limit)
		make_frame(fc);
}

void
full_change_handle_buffer_released(struct full_change *fc)
{
	if (fc->frame_owed)
		make_frame(fc);
}

uint64_t
full_change_frames_made(const struct full_change *fc)
{
	return fc->frames_made;
}

bool
full_change_all_presented(const struct full_change *fc)
{
	return !fc->frame_owed;
}
