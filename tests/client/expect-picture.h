/* SPDX-License-Identifier: MIT */
/*
 * A viewer's --snapshot against a reference the test derives from what it
 * sent (a colour per pixel), channel by channel within a tolerance. On a
 * mismatch the shot and the derived reference are kept as PNGs in
 * keep_dir (CASE-shot.png, CASE-expected.png) for a person to look at.
 */
#ifndef EGLVIEW_TEST_EXPECT_PICTURE_H
#define EGLVIEW_TEST_EXPECT_PICTURE_H

#include <stdbool.h>
#include <stdint.h>

/* The colour the reference has at (x, y), 0xRRGGBB. */
typedef uint32_t (*expect_picture_fn)(uint32_t x, uint32_t y, void *data);

/* True when png is width x height and every pixel is within tolerance
 * of want(x, y); false with the first mismatch and the count printed. */
bool expect_picture(const char *png, uint32_t width, uint32_t height,
		    expect_picture_fn want, void *data, unsigned tolerance,
		    const char *keep_dir, const char *name);

/* The same against an XRGB8888 image (a demo frame drawn by the test);
 * the first mismatch printed only when report. */
bool expect_picture_xrgb(const char *png, const uint32_t *pixels,
			 uint32_t width, uint32_t height, unsigned tolerance,
			 bool report, const char *keep_dir, const char *name);

#endif
