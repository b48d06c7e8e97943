/* SPDX-License-Identifier: MIT */
/* PNG reading and writing for the demo tests (libpng's simplified API). */
#ifndef EGLVIEW_TEST_PNG_UTIL_H
#define EGLVIEW_TEST_PNG_UTIL_H

#include <stdbool.h>
#include <stdint.h>

/* Writes an XRGB8888 image as an RGB PNG; prints why on failure. */
bool png_util_write_xrgb(const char *path, const uint32_t *pixels,
			 uint32_t width, uint32_t height,
			 uint32_t stride_bytes);

/* Writes tightly packed 8-bit RGBA (with_alpha) or RGB bytes. */
bool png_util_write_bytes(const char *path, const uint8_t *bytes,
			  uint32_t width, uint32_t height, bool with_alpha);

/* Reads any PNG as tightly packed 8-bit RGBA; free() *rgba after. */
bool png_util_read_rgba(const char *path, uint8_t **rgba, uint32_t *width,
			uint32_t *height);

#endif
