/* SPDX-License-Identifier: MIT */
/*
 * The SDL2 window backend: a window per head (X11 or Wayland through SDL).
 */
#ifndef EGLVIEW_OUTPUT_SDL_H
#define EGLVIEW_OUTPUT_SDL_H

#include <stdbool.h>
#include <stddef.h>

#include "output/output.h"

extern const struct output_impl output_sdl_impl;

/* Whether the backend can open a window here (a display is named and
 * SDL's video starts); says why not. */
bool output_sdl_available(char *why, size_t why_size);

#endif
