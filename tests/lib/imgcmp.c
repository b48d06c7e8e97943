/* SPDX-License-Identifier: MIT */
/*
 * imgcmp REFERENCE.png SHOT.png [--tolerance N] [--diff DIFF.png]
 *        [--ignore X,Y,W,H]...
 *
 * Compares a screenshot with its golden reference, channel by channel,
 * allowing an absolute difference of N per channel. --ignore leaves a
 * rectangle out of the comparison (up to 4: what a test cannot know, such
 * as a firmware's version line). On a mismatch it writes a diff image:
 * matching pixels as a dim green-tinted grey of the reference, so the
 * picture stays recognisable, mismatching ones pure red, ignored ones blue.
 *
 * Exit 0: match. Exit 1: mismatch, size mismatch or no reference (a missing
 * reference is a review step, not a tool failure). Exit 2: bad arguments
 * or a file that cannot be read or written.
 */
#include <errno.h>
#include <inttypes.h>
#include <png.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct picture {
	uint32_t width, height;
	bool has_alpha; /* the file had an alpha channel */
	uint8_t *rgba;  /* tightly packed, 8 bits a channel */
};

static void
usage(FILE *out)
{
	fprintf(out, "usage: imgcmp REFERENCE.png SHOT.png "
		     "[--tolerance N] [--diff DIFF.png] [--ignore X,Y,W,H]...\n");
}

static bool
picture_read(struct picture *pic, const char *path)
{
	struct stat sb;
	if (stat(path, &sb) != 0) {
		fprintf(stderr, "imgcmp: cannot open %s: %s; check the path\n",
			path, strerror(errno));
		return false;
	}
	png_image image;
	memset(&image, 0, sizeof(image));
	image.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(&image, path)) {
		fprintf(stderr, "imgcmp: %s is not a readable PNG (libpng: %s); "
				"regenerate or replace it\n", path,
			image.message);
		return false;
	}
	pic->width = image.width;
	pic->height = image.height;
	pic->has_alpha = (image.format & PNG_FORMAT_FLAG_ALPHA) != 0;
	/* 8-bit sRGB out: 16-bit or paletted files are converted, no
	 * premultiplication happens in this (non-linear) format. */
	image.format = PNG_FORMAT_RGBA;
	pic->rgba = malloc(PNG_IMAGE_SIZE(image));
	if (pic->rgba == NULL) {
		fprintf(stderr, "imgcmp: cannot read %s: no memory for "
				"%" PRIu32 "x%" PRIu32 " pixels\n", path,
			pic->width, pic->height);
		png_image_free(&image);
		return false;
	}
	if (!png_image_finish_read(&image, NULL, pic->rgba, 0, NULL)) {
		fprintf(stderr, "imgcmp: cannot decode %s: %s\n", path,
			image.message);
		free(pic->rgba);
		pic->rgba = NULL;
		return false;
	}
	return true;
}

static bool
diff_write(const char *path, const uint8_t *rgb, uint32_t width,
	   uint32_t height)
{
	png_image image;
	memset(&image, 0, sizeof(image));
	image.version = PNG_IMAGE_VERSION;
	image.width = width;
	image.height = height;
	image.format = PNG_FORMAT_RGB;
	if (!png_image_write_to_file(&image, path, 0, rgb, 0, NULL)) {
		fprintf(stderr, "imgcmp: cannot write the diff %s: %s\n", path,
			image.message);
		return false;
	}
	return true;
}

static unsigned
channel_diff(uint8_t a, uint8_t b)
{
	return a > b ? (unsigned)(a - b) : (unsigned)(b - a);
}

static bool
parse_tolerance(const char *s, unsigned *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0 || v > 255)
		return false;
	*out = (unsigned)v;
	return true;
}

#define MAX_IGNORED 4

struct rect {
	uint32_t x, y, w, h;
};

static bool
parse_rect(const char *s, struct rect *r)
{
	char end;
	return sscanf(s, "%" SCNu32 ",%" SCNu32 ",%" SCNu32 ",%" SCNu32 "%c",
		      &r->x, &r->y, &r->w, &r->h, &end) == 4 && r->w > 0 &&
	       r->h > 0;
}

static bool
ignored(const struct rect *r, int n, uint32_t x, uint32_t y)
{
	for (int i = 0; i < n; i++)
		if (x >= r[i].x && x - r[i].x < r[i].w && y >= r[i].y &&
		    y - r[i].y < r[i].h)
			return true;
	return false;
}

int
main(int argc, char **argv)
{
	struct rect ignore[MAX_IGNORED];
	int n_ignore = 0;
	const char *paths[2] = { NULL, NULL };
	const char *diff_path = NULL;
	unsigned tolerance = 0;
	int n_paths = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--tolerance") == 0 && i + 1 < argc) {
			if (!parse_tolerance(argv[++i], &tolerance)) {
				fprintf(stderr, "imgcmp: bad --tolerance \"%s\": "
						"give a whole number 0..255\n",
					argv[i]);
				return 2;
			}
		} else if (strcmp(argv[i], "--diff") == 0 && i + 1 < argc) {
			diff_path = argv[++i];
		} else if (strcmp(argv[i], "--ignore") == 0 && i + 1 < argc) {
			if (n_ignore == MAX_IGNORED ||
			    !parse_rect(argv[++i], &ignore[n_ignore])) {
				fprintf(stderr, "imgcmp: bad --ignore \"%s\": "
						"give X,Y,W,H (W and H at least "
						"1), at most %d times\n",
					argv[i], MAX_IGNORED);
				return 2;
			}
			n_ignore++;
		} else if (strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (argv[i][0] == '-' && argv[i][1] == '-') {
			fprintf(stderr, "imgcmp: unknown or incomplete option "
					"\"%s\"\n", argv[i]);
			usage(stderr);
			return 2;
		} else if (n_paths < 2) {
			paths[n_paths++] = argv[i];
		} else {
			fprintf(stderr, "imgcmp: unexpected argument \"%s\"\n",
				argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (n_paths != 2) {
		usage(stderr);
		return 2;
	}
	const char *ref_path = paths[0], *shot_path = paths[1];

	/* A missing reference is how a new golden image starts: say where
	 * the candidate is rather than failing as if it were broken. */
	struct stat sb;
	if (stat(ref_path, &sb) != 0 && errno == ENOENT) {
		printf("imgcmp: no reference %s; the shot is %s — review it and "
		       "copy it there\n", ref_path, shot_path);
		return 1;
	}

	struct picture ref = { 0 }, shot = { 0 };
	if (!picture_read(&ref, ref_path))
		return 2;
	if (!picture_read(&shot, shot_path)) {
		free(ref.rgba);
		return 2;
	}
	if (ref.width != shot.width || ref.height != shot.height) {
		printf("imgcmp: size mismatch: reference %s is %" PRIu32 "x%"
		       PRIu32 ", shot %s is %" PRIu32 "x%" PRIu32
		       "; no diff written\n", ref_path, ref.width, ref.height,
		       shot_path, shot.width, shot.height);
		free(ref.rgba);
		free(shot.rgba);
		return 1;
	}

	/* Alpha counts only when both files carry it. */
	int channels = ref.has_alpha && shot.has_alpha ? 4 : 3;
	size_t n_pixels = (size_t)ref.width * ref.height;
	uint8_t *diff = malloc(n_pixels * 3);
	if (diff == NULL) {
		fprintf(stderr, "imgcmp: no memory for a %" PRIu32 "x%" PRIu32
				" diff\n", ref.width, ref.height);
		free(ref.rgba);
		free(shot.rgba);
		return 2;
	}

	unsigned max_diff = 0;
	uint64_t mismatches = 0, n_ignored = 0;
	size_t first = 0;
	for (size_t i = 0; i < n_pixels; i++) {
		const uint8_t *a = ref.rgba + 4 * i, *b = shot.rgba + 4 * i;
		uint8_t *o = diff + 3 * i;
		if (ignored(ignore, n_ignore, (uint32_t)(i % ref.width),
			    (uint32_t)(i / ref.width))) {
			n_ignored++;
			o[0] = 0;
			o[1] = 0;
			o[2] = 160;
			continue;
		}
		unsigned worst = 0;
		for (int c = 0; c < channels; c++) {
			unsigned d = channel_diff(a[c], b[c]);
			worst = d > worst ? d : worst;
		}
		max_diff = worst > max_diff ? worst : max_diff;
		if (worst > tolerance) {
			if (mismatches++ == 0)
				first = i;
			o[0] = 255;
			o[1] = 0;
			o[2] = 0;
			continue;
		}
		unsigned grey = (77 * a[0] + 150 * a[1] + 29 * a[2]) >> 8;
		o[0] = (uint8_t)(grey * 3 / 8);
		o[1] = (uint8_t)(48 + grey * 3 / 8);
		o[2] = (uint8_t)(grey * 3 / 8);
	}

	int status = 0;
	if (mismatches == 0) {
		printf("imgcmp: match (max channel difference %u, tolerance "
		       "%u)", max_diff, tolerance);
		if (n_ignored != 0)
			printf("; %" PRIu64 " pixels ignored", n_ignored);
		printf("\n");
	} else {
		uint32_t fx = (uint32_t)(first % ref.width);
		uint32_t fy = (uint32_t)(first / ref.width);
		const uint8_t *a = ref.rgba + 4 * first;
		const uint8_t *b = shot.rgba + 4 * first;
		printf("imgcmp: MISMATCH: %" PRIu64 " of %zu pixels differ by "
		       "more than %u (max channel difference %u); first at "
		       "(%" PRIu32 ",%" PRIu32 "): reference #%02x%02x%02x, "
		       "shot #%02x%02x%02x\n", mismatches, n_pixels,
		       tolerance, max_diff, fx, fy, a[0], a[1], a[2], b[0],
		       b[1], b[2]);
		status = 1;
		if (diff_path != NULL) {
			if (diff_write(diff_path, diff, ref.width, ref.height))
				printf("imgcmp: diff written to %s (red: "
				       "mismatch)\n", diff_path);
			else
				status = 2;
		}
	}
	free(diff);
	free(ref.rgba);
	free(shot.rgba);
	return status;
}
