/* SPDX-License-Identifier: MIT */
/*
 * A VM whose every pixel changes every frame, for held-demo --full-change:
 * a diagonal gradient that moves 8 steps a frame, so that no pixel of a
 * buffer is what it was three frames before (the cost of a full-screen
 * change, beside the demo's moving square). One head of width x height,
 * three shm buffers, each frame written into one no viewer holds and
 * presented with the whole buffer as its damage; frame 0 at once, then one
 * a tick of the clock up to frame_limit frames (a tick while viewers hold
 * all three makes its frame when one comes back).
 */
#ifndef EGLVIEW_TEST_FULL_CHANGE_H
#define EGLVIEW_TEST_FULL_CHANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/server.h"

struct full_change;

struct full_change *full_change_create(struct server *server, uint32_t width,
				       uint32_t height, uint32_t fps,
				       uint64_t frame_limit, char *why,
				       size_t why_size);
void full_change_destroy(struct full_change *fc);
int full_change_get_timer_fd(const struct full_change *fc);
void full_change_start_clock(struct full_change *fc);
void full_change_dispatch_timer(struct full_change *fc);
void full_change_handle_buffer_released(struct full_change *fc);
uint64_t full_change_frames_made(const struct full_change *fc);
/* No frame is waiting for a buffer. */
bool full_change_all_presented(const struct full_change *fc);

#endif
