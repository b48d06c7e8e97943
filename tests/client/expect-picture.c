/* SPDX-License-Identifier: MIT */
#include "expect-picture.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "png-util.h"

struct xrgb_image {
	const uint32_t *pixels;
	uint32_t width;
};

static uint32_t
xrgb_at(uint32_t x, uint32_t y, void *data)
{
	const struct xrgb_image *img = data;
	return img->pixels[(size_t)y * img->width + x] & 0xffffff;
}

static unsigned
channel_diff(uint32_t a, uint32_t b)
{
	return a > b ? a - b : b - a;
}

static void
keep(const char *dir, const char *name, const char *png, uint32_t width,
     uint32_t height, expect_picture_fn want, void *data)
{
	if (dir == NULL)
		return;
	char path[4096];
	uint32_t *ref = malloc((size_t)width * height * 4);
	if (ref == NULL)
		return;
	for (uint32_t y = 0; y < height; y++)
		for (uint32_t x = 0; x < width; x++)
			ref[(size_t)y * width + x] = want(x, y, data);
	snprintf(path, sizeof(path), "%s/%s-expected.png", dir, name);
	if (png_util_write_xrgb(path, ref, width, height, width * 4))
		printf("the derived reference is %s\n", path);
	free(ref);

	snprintf(path, sizeof(path), "%s/%s-shot.png", dir, name);
	FILE *in = fopen(png, "rb"), *out = fopen(path, "wb");
	char buf[65536];
	size_t n;
	while (in && out && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	if (in)
		fclose(in);
	if (out && fclose(out) == 0)
		printf("the shot is %s\n", path);
}

static bool
compare(const char *png, uint32_t width, uint32_t height,
	expect_picture_fn want, void *data, unsigned tolerance, bool report,
	const char *keep_dir, const char *name)
{
	uint8_t *rgba;
	uint32_t w, h;
	if (!png_util_read_rgba(png, &rgba, &w, &h)) {
		printf("%s: the snapshot %s is not a readable PNG\n", name, png);
		return false;
	}
	if (w != width || h != height) {
		printf("%s: the snapshot is %" PRIu32 "x%" PRIu32 ", expected "
		       "%" PRIu32 "x%" PRIu32 "\n", name, w, h, width, height);
		free(rgba);
		return false;
	}
	uint64_t bad = 0;
	for (uint32_t y = 0; y < h; y++) {
		for (uint32_t x = 0; x < w; x++) {
			const uint8_t *p = rgba + ((size_t)y * w + x) * 4;
			uint32_t c = want(x, y, data);
			unsigned d = channel_diff(p[0], c >> 16 & 0xff);
			unsigned dg = channel_diff(p[1], c >> 8 & 0xff);
			unsigned db = channel_diff(p[2], c & 0xff);
			d = dg > d ? dg : d;
			d = db > d ? db : d;
			if (d <= tolerance)
				continue;
			if (bad++ == 0 && report)
				printf("%s: first mismatch at (%" PRIu32 ",%"
				       PRIu32 "): shot #%02x%02x%02x, expected "
				       "#%06" PRIx32 " (tolerance %u)\n", name, x,
				       y, p[0], p[1], p[2], c, tolerance);
		}
	}
	free(rgba);
	if (bad != 0 && report) {
		printf("%s: %" PRIu64 " of %" PRIu32 " pixels differ\n", name,
		       bad, w * h);
		keep(keep_dir, name, png, width, height, want, data);
	}
	return bad == 0;
}

bool
expect_picture(const char *png, uint32_t width, uint32_t height,
	       expect_picture_fn want, void *data, unsigned tolerance,
	       const char *keep_dir, const char *name)
{
	return compare(png, width, height, want, data, tolerance, true,
		       keep_dir, name);
}

bool
expect_picture_xrgb(const char *png, const uint32_t *pixels, uint32_t width,
		    uint32_t height, unsigned tolerance, bool report,
		    const char *keep_dir, const char *name)
{
	struct xrgb_image img = { pixels, width };
	return compare(png, width, height, xrgb_at, &img, tolerance, report,
		       keep_dir, name);
}
