/* SPDX-License-Identifier: MIT */
#include "output/pngfile.h"

#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct write_state {
	char *why;
	size_t why_size;
};

static void
on_png_error(png_structp png, png_const_charp msg)
{
	struct write_state *st = png_get_error_ptr(png);
	snprintf(st->why, st->why_size, "libpng: %s", msg);
	png_longjmp(png, 1);
}

static void
on_png_warning(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

/* Everything libpng touches lives here, apart from the caller's locals,
 * so the longjmp on error cannot clobber them. */
static bool
write_rows(FILE *f, int width, int height, const uint8_t *rgba, size_t stride,
	   bool bottom_up, uint8_t *row, struct write_state *st)
{
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, st,
						  on_png_error, on_png_warning);
	if (!png) {
		snprintf(st->why, st->why_size, "libpng: out of memory");
		return false;
	}
	png_infop info = png_create_info_struct(png);
	if (!info || setjmp(png_jmpbuf(png))) {
		if (!info)
			snprintf(st->why, st->why_size, "libpng: out of memory");
		png_destroy_write_struct(&png, info ? &info : NULL);
		return false;
	}
	png_init_io(png, f);
	png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8,
		     PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	/* Snapshots are written often in tests: favour speed over size. */
	png_set_compression_level(png, 3);
	png_write_info(png, info);
	for (int y = 0; y < height; y++) {
		int src_y = bottom_up ? height - 1 - y : y;
		const uint8_t *src = rgba + (size_t)src_y * stride;
		for (int x = 0; x < width; x++) {
			row[x * 3 + 0] = src[x * 4 + 0];
			row[x * 3 + 1] = src[x * 4 + 1];
			row[x * 3 + 2] = src[x * 4 + 2];
		}
		png_write_row(png, row);
	}
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	return true;
}

bool
pngfile_write_rgba(const char *path, int width, int height,
		   const uint8_t *rgba, size_t stride, bool bottom_up,
		   char *why, size_t why_size)
{
	if (width <= 0 || height <= 0) {
		snprintf(why, why_size, "cannot write %s: empty picture %dx%d",
			 path, width, height);
		return false;
	}
	char tmp[4096];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		snprintf(why, why_size, "cannot write PNG: path too long (%zu bytes)",
			 strlen(path));
		return false;
	}
	uint8_t *row = malloc((size_t)width * 3);
	if (!row) {
		snprintf(why, why_size, "cannot write %s: out of memory", path);
		return false;
	}
	FILE *f = fopen(tmp, "wb");
	if (!f) {
		snprintf(why, why_size, "cannot create %s: %s; is the directory "
			 "writable?", tmp, strerror(errno));
		free(row);
		return false;
	}
	char err[256] = "";
	struct write_state st = { .why = err, .why_size = sizeof(err) };
	bool ok = write_rows(f, width, height, rgba, stride, bottom_up, row, &st);
	free(row);
	if (fclose(f) != 0 && ok) {
		snprintf(err, sizeof(err), "%s", strerror(errno));
		ok = false;
	}
	if (ok && rename(tmp, path) != 0) {
		snprintf(err, sizeof(err), "rename from .tmp: %s", strerror(errno));
		ok = false;
	}
	if (!ok) {
		unlink(tmp);
		snprintf(why, why_size, "cannot write %s: %s", path, err);
	}
	return ok;
}
