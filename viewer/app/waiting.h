/* SPDX-License-Identifier: MIT */
/*
 * The screen shown while the VM's socket is gone (--reconnect): dark, with
 * "waiting for NAME" in the middle, drawn into every view of the output
 * through the same renderer path as a VM's shm buffer.
 */
#ifndef EGLVIEW_WAITING_H
#define EGLVIEW_WAITING_H

#include <stdbool.h>
#include <stddef.h>

#include "output/output.h"
#include "render/render.h"

/* Draws and presents the waiting screen in each view. false with why
 * filled when a step failed. */
bool waiting_draw(struct renderer *r, struct output *out, const char *name,
		  char *why, size_t why_size);

/* Several VMs in one output: the waiting screen of one VM drawn into its
 * tile of the current frame (render_begin first; the caller presents).
 * *cache keeps the picture between frames; waiting_tile_destroy frees it
 * (NULL is fine). */
struct waiting_tile;
bool waiting_draw_tile(struct waiting_tile **cache, struct renderer *r,
		       const struct layout_rect *tile, const char *name,
		       char *why, size_t why_size);
void waiting_tile_destroy(struct waiting_tile *wt);

#endif
