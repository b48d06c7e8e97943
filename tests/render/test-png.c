/* SPDX-License-Identifier: MIT */
/* pngfile_write_rgba(): written files read back with libpng, row order
 * and channels exact; errors name the path. */
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output/pngfile.h"

static int failures;

static uint8_t
value(int x, int y, int c)
{
	return (uint8_t)(x * 7 + y * 31 + c * 85);
}

static bool
read_back(const char *path, int w, int h, bool bottom_up)
{
	png_image img = { .version = PNG_IMAGE_VERSION };
	if (!png_image_begin_read_from_file(&img, path)) {
		fprintf(stderr, "libpng cannot read %s: %s\n", path, img.message);
		return false;
	}
	bool ok = true;
	if ((int)img.width != w || (int)img.height != h ||
	    img.format != PNG_FORMAT_RGB) {
		fprintf(stderr, "%s: %ux%u format 0x%x, expected %dx%d RGB\n", path,
			img.width, img.height, img.format, w, h);
		ok = false;
	}
	img.format = PNG_FORMAT_RGB;
	uint8_t *rgb = malloc(PNG_IMAGE_SIZE(img));
	if (!png_image_finish_read(&img, NULL, rgb, 0, NULL)) {
		fprintf(stderr, "libpng cannot decode %s: %s\n", path, img.message);
		free(rgb);
		return false;
	}
	for (int y = 0; y < h && ok; y++) {
		/* The file's first row is the top; with bottom_up the data's
		 * last row was the top. */
		int src_y = bottom_up ? h - 1 - y : y;
		for (int x = 0; x < w && ok; x++) {
			for (int c = 0; c < 3; c++) {
				uint8_t got = rgb[(y * w + x) * 3 + c];
				if (got != value(x, src_y, c)) {
					fprintf(stderr, "%s (%d,%d) channel %d: %u, expected %u\n",
						path, x, y, c, got, value(x, src_y, c));
					ok = false;
				}
			}
		}
	}
	free(rgb);
	return ok;
}

int
main(void)
{
	char dir[] = "/tmp/eglview-png-XXXXXX";
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	enum { W = 13, H = 7, STRIDE = W * 4 + 12 };  /* padded rows */
	uint8_t *rgba = calloc(STRIDE * H, 1);
	for (int y = 0; y < H; y++) {
		for (int x = 0; x < W; x++) {
			for (int c = 0; c < 3; c++)
				rgba[y * STRIDE + x * 4 + c] = value(x, y, c);
			rgba[y * STRIDE + x * 4 + 3] = 0x12; /* dropped */
		}
	}
	char path[256], why[512];
	for (int bottom_up = 0; bottom_up <= 1; bottom_up++) {
		snprintf(path, sizeof(path), "%s/frame-%d.png", dir, bottom_up);
		if (!pngfile_write_rgba(path, W, H, rgba, STRIDE, bottom_up,
					why, sizeof(why))) {
			fprintf(stderr, "writing %s failed: %s\n", path, why);
			failures++;
			continue;
		}
		if (!read_back(path, W, H, bottom_up))
			failures++;
		char tmp[300];
		snprintf(tmp, sizeof(tmp), "%s.tmp", path);
		if (access(tmp, F_OK) == 0) {
			fprintf(stderr, "%s left behind\n", tmp);
			failures++;
		}
		unlink(path);
	}

	snprintf(path, sizeof(path), "%s/no/such/dir/x.png", dir);
	if (pngfile_write_rgba(path, W, H, rgba, STRIDE, false, why, sizeof(why))) {
		fprintf(stderr, "writing into a missing directory succeeded\n");
		failures++;
	} else if (!strstr(why, "no/such/dir")) {
		fprintf(stderr, "error does not name the path: %s\n", why);
		failures++;
	}
	rmdir(dir);
	free(rgba);
	if (failures) {
		fprintf(stderr, "%d PNG checks failed\n", failures);
		return 1;
	}
	printf("png: all checks passed\n");
	return 0;
}
