/* SPDX-License-Identifier: MIT */
/*
 * The demo's sound without a server: the tone (pitch, level, no jump
 * between fills, skip equal to fill), the meter's level and peak over the
 * last second, its text, and its drawing (only inside its box, the bar
 * growing with the level, frame 0 with "mic -9.0 dBFS" equal to the
 * reviewed GOLDEN_DIR/demo-meter.png). Writes that frame as
 * OUT_DIR/demo-meter.png for people to look at.
 *
 * usage: test-demo-sound OUT_DIR GOLDEN_DIR
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "demo/draw.h"
#include "demo/sound.h"
#include "png-util.h"

#define RATE 48000
#define CH 2

static int16_t *
tone_frames(uint32_t hz, uint32_t n)
{
	int16_t *f = malloc((size_t)n * CH * sizeof(int16_t));
	REQUIRE(f != NULL);
	struct demo_tone tone;
	demo_tone_init(&tone, hz, RATE, CH);
	demo_tone_fill(&tone, f, n);
	return f;
}

static void
test_tone(void)
{
	const uint32_t n = RATE;
	int16_t *whole = tone_frames(440, n);
	/* The same second in uneven pieces: the phase carries on. */
	int16_t *pieces = malloc((size_t)n * CH * sizeof(int16_t));
	REQUIRE(pieces != NULL);
	struct demo_tone tone;
	demo_tone_init(&tone, 440, RATE, CH);
	static const uint32_t sizes[] = { 1, 7, 480, 1023, 960, 4096 };
	for (uint32_t at = 0, i = 0; at < n; i++) {
		uint32_t k = sizes[i % 6];
		if (k > n - at)
			k = n - at;
		demo_tone_fill(&tone, pieces + (size_t)at * CH, k);
		at += k;
	}
	CHECK(memcmp(whole, pieces, (size_t)n * CH * sizeof(int16_t)) == 0,
	      "a second filled in pieces differs from one fill");

	int peak = 0, step = 0;
	for (uint32_t i = 0; i < n; i++) {
		CHECK(whole[i * CH] == whole[i * CH + 1],
		      "frame %u: the channels differ", i);
		peak = abs(whole[i * CH]) > peak ? abs(whole[i * CH]) : peak;
		if (i > 0 && abs(whole[i * CH] - whole[(i - 1) * CH]) > step)
			step = abs(whole[i * CH] - whole[(i - 1) * CH]);
	}
	CHECK(peak == DEMO_TONE_AMPLITUDE, "peak %d, expected %d", peak,
	      DEMO_TONE_AMPLITUDE);
	/* The sine's own slope, 2 pi f A / rate, and a rounding step. */
	double slope = 2 * M_PI * 440 * DEMO_TONE_AMPLITUDE / RATE;
	CHECK(step <= slope + 1, "largest step %d, the sine's slope %.1f",
	      step, slope);
	CHECK(step >= slope - 1, "largest step %d: not a 440 Hz sine", step);

	/* Skipping n frames is filling them; after a second, frame 0 again. */
	struct demo_tone a, b;
	demo_tone_init(&a, 440, RATE, CH);
	demo_tone_init(&b, 440, RATE, CH);
	int16_t scratch[1234 * CH];
	demo_tone_fill(&a, scratch, 1234);
	demo_tone_skip(&b, 1234);
	CHECK(a.phase == b.phase, "skip: phase %u, fill: %u", b.phase, a.phase);
	demo_tone_skip(&b, 10ull * RATE);
	CHECK(a.phase == b.phase, "ten seconds on: phase %u, expected %u",
	      b.phase, a.phase);
	free(whole);
	free(pieces);
}

static void
test_level(void)
{
	struct demo_level level;
	REQUIRE(demo_level_init(&level, RATE, CH));
	CHECK(demo_level_tenths(&level) == DEMO_LEVEL_SILENT);
	CHECK(demo_level_peak_hz(&level) == 0.0, "silence has no peak");

	static const uint32_t pitches[] = { 440, 1000, 52, 15000 };
	for (size_t p = 0; p < 4; p++) {
		uint32_t hz = pitches[p];
		int16_t *f = tone_frames(hz, RATE);
		demo_level_push(&level, f, RATE);
		double dbfs = demo_level_dbfs(&level);
		CHECK(fabs(dbfs - -9.03) < 0.02, "%u Hz: %.3f dBFS, expected "
		      "-9.03", hz, dbfs);
		CHECK(demo_level_tenths(&level) == -90, "%u Hz: %d tenths", hz,
		      demo_level_tenths(&level));
		double peak = demo_level_peak_hz(&level);
		CHECK(fabs(peak - hz) < hz * 0.001 + 0.5, "peak %.2f Hz, "
		      "expected %u", peak, hz);
		free(f);
	}

	/* Half a second of silence: half the power, -3 dB. */
	int16_t *quiet = calloc(RATE / 2 * CH, sizeof(int16_t));
	REQUIRE(quiet != NULL);
	demo_level_push(&level, quiet, RATE / 2);
	CHECK(demo_level_tenths(&level) == -120, "%d tenths, expected -120",
	      demo_level_tenths(&level));
	demo_level_push(&level, quiet, RATE / 2);
	CHECK(demo_level_tenths(&level) == DEMO_LEVEL_SILENT,
	      "a second of silence: %d tenths", demo_level_tenths(&level));
	free(quiet);

	int16_t *f = tone_frames(1000, RATE / 3);
	demo_level_push(&level, f, RATE / 3);
	demo_level_reset(&level);
	CHECK(demo_level_tenths(&level) == DEMO_LEVEL_SILENT, "after reset");
	free(f);

	/* Full scale: a square wave of S16's extremes. */
	int16_t square[2 * CH] = { INT16_MIN, INT16_MIN, INT16_MAX, INT16_MAX };
	for (uint32_t i = 0; i < RATE / 2; i++)
		demo_level_push(&level, square, 2);
	CHECK(demo_level_tenths(&level) == 0, "full scale: %d tenths",
	      demo_level_tenths(&level));
	demo_level_finish(&level);

	static const struct { int32_t tenths; const char *text; } texts[] = {
		{ -90, "-9.0" }, { 0, "0.0" }, { -5, "-0.5" },
		{ -999, "-99.9" }, { -1234, "-99.9" },
		{ DEMO_LEVEL_SILENT, "-inf" },
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		char out[16];
		demo_level_format(out, sizeof(out), texts[i].tenths);
		CHECK(strcmp(out, texts[i].text) == 0, "%d tenths: \"%s\", "
		      "expected \"%s\"", texts[i].tenths, out, texts[i].text);
	}
}

#define W 640
#define H 480

static uint32_t *
frame_with_meter(int32_t tenths)
{
	uint32_t *p = malloc((size_t)W * H * 4);
	REQUIRE(p != NULL);
	struct demo_input_state st;
	demo_input_init(&st);
	demo_draw_frame(p, W, H, W * 4, 0, &st);
	if (tenths != INT32_MAX)
		demo_draw_meter(p, W, H, W * 4, tenths);
	return p;
}

static uint32_t
green_run(const uint32_t *p, const struct proto_rect *box, uint32_t colour)
{
	/* The bar's middle row: the box is 19 font pixels high, the bar's
	 * 4 above a padding of 3. */
	uint32_t y = box->y + box->height - box->height * 5 / 19, n = 0;
	for (uint32_t x = box->x; x < box->x + box->width; x++)
		n += p[(size_t)y * W + x] == colour;
	return n;
}

static void
test_meter(const char *out_dir, const char *golden_dir)
{
	struct proto_rect box = demo_meter_rect(W, H);
	REQUIRE(box.width > 0 && box.height > 0);
	/* The top right corner of the bars. */
	CHECK(box.x + box.width > W - 20 && box.y < 20 && box.x > W / 2,
	      "meter at %u,%u %ux%u", box.x, box.y, box.width, box.height);

	uint32_t *plain = frame_with_meter(INT32_MAX);
	uint32_t *meter = frame_with_meter(-90);
	uint32_t inside = 0;
	for (uint32_t y = 0; y < H; y++) {
		for (uint32_t x = 0; x < W; x++) {
			bool in = x >= box.x && x < box.x + box.width &&
				  y >= box.y && y < box.y + box.height;
			bool differs = plain[y * W + x] != meter[y * W + x];
			if (differs && !in)
				FAIL("(%u,%u) changed outside the meter", x, y);
			inside += differs;
		}
	}
	CHECK(inside > box.width * box.height / 2, "only %u pixels drawn",
	      inside);

	/* The bar grows with the level, from nothing at -60 dBFS. */
	uint32_t *low = frame_with_meter(-600), *mid = frame_with_meter(-300);
	uint32_t *full = frame_with_meter(0), *silent =
		frame_with_meter(DEMO_LEVEL_SILENT);
	uint32_t c = 0xff70e070;
	uint32_t n_low = green_run(low, &box, c);
	uint32_t n_mid = green_run(mid, &box, c);
	uint32_t n_full = green_run(full, &box, c);
	CHECK(n_low == 0 && green_run(silent, &box, c) == 0,
	      "-60 dBFS: %u bar pixels", n_low);
	CHECK(n_full > box.width * 3 / 4, "0 dBFS: %u bar pixels", n_full);
	CHECK(n_mid * 2 >= n_full - 1 && n_mid * 2 <= n_full + 1,
	      "-30 dBFS: %u bar pixels, 0 dBFS: %u", n_mid, n_full);
	uint32_t n_nine = green_run(meter, &box, c);
	CHECK(n_nine * 60 >= n_full * 51 - 60 &&
	      n_nine * 60 <= n_full * 51 + 60,
	      "-9 dBFS: %u bar pixels of %u", n_nine, n_full);

	/* Where it does not fit, nothing. */
	CHECK(demo_meter_rect(60, 40).width == 0, "a meter on 60x40");
	uint32_t tiny[60 * 40], before[60 * 40];
	for (size_t i = 0; i < 60 * 40; i++)
		tiny[i] = before[i] = 0x12345678;
	demo_draw_meter(tiny, 60, 40, 60 * 4, -90);
	CHECK(memcmp(tiny, before, sizeof(tiny)) == 0, "drawn on 60x40");

	char path[4096];
	snprintf(path, sizeof(path), "%s/demo-meter.png", out_dir);
	CHECK(png_util_write_xrgb(path, meter, W, H, W * 4));
	snprintf(path, sizeof(path), "%s/demo-meter.png", golden_dir);
	uint8_t *rgba;
	uint32_t gw, gh;
	if (!png_util_read_rgba(path, &rgba, &gw, &gh)) {
		FAIL("no reference %s: review %s/demo-meter.png and copy it "
		     "there", path, out_dir);
	}
	REQUIRE(gw == W && gh == H, "reference %ux%u", gw, gh);
	uint32_t wrong = 0;
	for (size_t i = 0; i < (size_t)W * H; i++) {
		uint32_t px = meter[i];
		const uint8_t *g = rgba + 4 * i;
		wrong += g[0] != (px >> 16 & 0xff) ||
			 g[1] != (px >> 8 & 0xff) || g[2] != (px & 0xff);
	}
	CHECK(wrong == 0, "%u pixels differ from %s", wrong, path);
	free(rgba);
	free(plain);
	free(meter);
	free(low);
	free(mid);
	free(full);
	free(silent);
}

int
main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s OUT_DIR GOLDEN_DIR\n", argv[0]);
		return 2;
	}
	test_tone();
	test_level();
	test_meter(argv[1], argv[2]);
	if (test_failures == 0)
		printf("demo-sound: all %d checks passed\n", test_checks);
	return test_failures ? 1 : 0;
}
