/* SPDX-License-Identifier: MIT */
/* Helpers for the render tests: checks that say what differed, memfds
 * standing in for a guest's buffers, and reading frames back. */
#ifndef EGLVIEW_RENDER_TEST_H
#define EGLVIEW_RENDER_TEST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "output/output.h"
#include "render/render.h"

extern int test_failures;

#define CHECK(cond, ...) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, \
			__LINE__, #cond); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
		test_failures++; \
	} \
} while (0)

#define REQUIRE(cond, ...) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: fatal: %s: ", __FILE__, __LINE__, #cond); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
		exit(1); \
	} \
} while (0)

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
