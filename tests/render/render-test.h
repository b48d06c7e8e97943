/* SPDX-License-Identifier: MIT */
/* Helpers for the render tests: memfds standing in for a guest's
 * buffers, the offscreen output, and reading frames back (the checks are
 * tests/lib/check.h's). */
#ifndef EGLVIEW_RENDER_TEST_H
#define EGLVIEW_RENDER_TEST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "output/output.h"
#include "render/render.h"

/* A sealed (F_SEAL_SHRINK | F_SEAL_GROW) memfd of size bytes, mapped
 * read-write at *map so the test can draw into it as a guest would. */
int test_memfd(size_t size, uint8_t **map);

/* The offscreen output of width x height, or exit 77 when this machine
 * has no EGL surfaceless platform and no render node. */
struct output *test_output(int width, int height);

/* The frame in the currently bound framebuffer, top row first, RGBA. */
uint8_t *test_read_frame(const struct output *out);

static inline const uint8_t *
test_pixel(const uint8_t *frame, const struct output *out, int x, int y)
{
	return frame + ((size_t)y * (size_t)out->width + (size_t)x) * 4;
}

/* true when pixel (x, y) is r,g,b,a (each within tol). */
bool test_pixel_is(const uint8_t *frame, const struct output *out, int x,
		   int y, int r, int g, int b, int a, int tol);

#endif
