/* SPDX-License-Identifier: MIT */
/*
 * The native Wayland backend: xdg-shell toplevels, and the guest's
 * buffers handed to the compositor where it takes them (direct.c).
 */
#ifndef EGLVIEW_OUTPUT_WAYLAND_H
#define EGLVIEW_OUTPUT_WAYLAND_H

#include <stdbool.h>
#include <stddef.h>

#include "output/output.h"

extern const struct output_impl output_wayland_impl;

/* Whether the backend can connect (WAYLAND_DISPLAY names a compositor
 * that answers); says why not. */
bool output_wayland_available(char *why, size_t why_size);

#endif
