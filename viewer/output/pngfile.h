/* SPDX-License-Identifier: MIT */
/*
 * Writing frames as PNG files (libpng). Named pngfile, file and prefix,
 * because libpng owns png.h and png_.
 */
#ifndef EGLVIEW_PNGFILE_H
#define EGLVIEW_PNGFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Writes width x height RGBA8 pixels (rows stride bytes apart) as an
 * 8-bit RGB PNG, dropping alpha. bottom_up: the first row in memory is
 * the bottom of the picture (as glReadPixels returns it); the file always
 * starts with the top row. Writes to a temporary name and renames, so a
 * reader never sees half a file. */
bool pngfile_write_rgba(const char *path, int width, int height,
			const uint8_t *rgba, size_t stride, bool bottom_up,
			char *why, size_t why_size);

#endif
