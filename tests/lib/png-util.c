/* SPDX-License-Identifier: MIT */
#include "png-util.h"

#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool
png_util_write_bytes(const char *path, const uint8_t *bytes, uint32_t width,
		     uint32_t height, bool with_alpha)
{
	png_image image;
	memset(&image, 0, sizeof(image));
	image.version = PNG_IMAGE_VERSION;
	image.width = width;
	image.height = height;
	image.format = with_alpha ? PNG_FORMAT_RGBA : PNG_FORMAT_RGB;
	if (!png_image_write_to_file(&image, path, 0, bytes, 0, NULL)) {
		fprintf(stderr, "cannot write %s: %s\n", path, image.message);
		return false;
	}
	return true;
}

bool
png_util_write_xrgb(const char *path, const uint32_t *pixels, uint32_t width,
		    uint32_t height, uint32_t stride_bytes)
{
	uint8_t *rgb = malloc((size_t)width * height * 3);
	if (rgb == NULL) {
		fprintf(stderr, "cannot write %s: out of memory\n", path);
		return false;
	}
	for (uint32_t y = 0; y < height; y++) {
		const uint32_t *row = (const uint32_t *)
			((const uint8_t *)pixels + (size_t)y * stride_bytes);
		for (uint32_t x = 0; x < width; x++) {
			uint8_t *o = rgb + ((size_t)y * width + x) * 3;
			o[0] = (row[x] >> 16) & 0xff;
			o[1] = (row[x] >> 8) & 0xff;
			o[2] = row[x] & 0xff;
		}
	}
	bool ok = png_util_write_bytes(path, rgb, width, height, false);
	free(rgb);
	return ok;
}

bool
png_util_read_rgba(const char *path, uint8_t **rgba, uint32_t *width,
		   uint32_t *height)
{
	png_image image;
	memset(&image, 0, sizeof(image));
	image.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(&image, path)) {
		fprintf(stderr, "cannot read %s: %s\n", path, image.message);
		return false;
	}
	image.format = PNG_FORMAT_RGBA;
	*rgba = malloc(PNG_IMAGE_SIZE(image));
	if (*rgba == NULL ||
	    !png_image_finish_read(&image, NULL, *rgba, 0, NULL)) {
		fprintf(stderr, "cannot read %s: %s\n", path,
			*rgba == NULL ? "out of memory" : image.message);
		free(*rgba);
		*rgba = NULL;
		png_image_free(&image);
		return false;
	}
	*width = image.width;
	*height = image.height;
	return true;
}
