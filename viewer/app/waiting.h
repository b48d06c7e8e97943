/* SPDX-License-Identifier: MIT */
/*
 * The screen shown while a VM's socket is gone (--reconnect): dark, with
 * "waiting for NAME" in the middle, drawn into the VM's tile (one VM's
 * tile is the whole view) through the same renderer path as a VM's shm
 * buffer.
 */
#ifndef EGLVIEW_WAITING_H
#define EGLVIEW_WAITING_H

#include <stdbool.h>
#include <stddef.h>

#include "layout.h"
#include "render/render.h"

/* Draws the waiting screen for the VM called name into tile of the
 * current frame (render_begin first; the caller presents). *cache keeps
 * the picture between frames; waiting_tile_destroy frees it (NULL is
 * fine). false with why filled when a step failed. */
struct waiting_tile;
bool waiting_draw_tile(struct waiting_tile **cache, struct renderer *r,
		       const struct layout_rect *tile, const char *name,
		       char *why, size_t why_size);
void waiting_tile_destroy(struct waiting_tile *wt);

#endif
