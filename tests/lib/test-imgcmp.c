/* SPDX-License-Identifier: MIT */
/*
 * imgcmp on small PNGs written here: a match, a mismatch beyond the
 * tolerance (with its red diff pixel), a difference within the tolerance,
 * an ignored rectangle, a size mismatch, a missing reference and an
 * unreadable file.
 * argv[1]: the imgcmp executable; argv[2]: a directory to write into.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "png-util.h"

#define W 16
#define H 12

static const char *imgcmp;
static const char *dir;

static const char *
path(const char *name)
{
	static char bufs[4][4096];
	static int next;
	char *buf = bufs[next++ % 4];
	snprintf(buf, sizeof(bufs[0]), "%s/imgcmp-test-%s", dir, name);
	return buf;
}

/* Runs imgcmp with up to 6 arguments; returns its exit status (-1 if it
 * did not exit) with its stdout in out. */
static int
run(char *out, size_t out_size, const char *a1, const char *a2,
    const char *a3, const char *a4, const char *a5, const char *a6)
{
	int fds[2];
	if (pipe(fds) != 0) {
		perror("pipe");
		exit(99);
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(99);
	}
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execl(imgcmp, imgcmp, a1, a2, a3, a4, a5, a6, (char *)NULL);
		perror("exec imgcmp");
		_exit(127);
	}
	close(fds[1]);
	size_t len = 0;
	ssize_t n;
	while ((n = read(fds[0], out + len, out_size - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	close(fds[0]);
	int status;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	printf("imgcmp exit %d: %s", WEXITSTATUS(status), out);
	return WEXITSTATUS(status);
}

/* A gradient, so every pixel differs from its neighbours. */
static void
pattern(uint8_t *rgb, uint32_t w, uint32_t h)
{
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			uint8_t *p = rgb + 3 * (y * w + x);
			p[0] = (uint8_t)(x * 15);
			p[1] = (uint8_t)(y * 20);
			p[2] = (uint8_t)(100 + x + y);
		}
}

static bool
write_rgb(const char *name, const uint8_t *rgb, uint32_t w, uint32_t h)
{
	return png_util_write_bytes(path(name), rgb, w, h, false);
}

int
main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: test-imgcmp IMGCMP DIR\n");
		return 99;
	}
	imgcmp = argv[1];
	dir = argv[2];
	char out[4096];
	uint8_t ref[W * H * 3], shot[W * H * 3];
	pattern(ref, W, H);
	if (!write_rgb("ref.png", ref, W, H))
		return 99;

	/* Identical. */
	memcpy(shot, ref, sizeof(ref));
	write_rgb("same.png", shot, W, H);
	int rc = run(out, sizeof(out), path("ref.png"), path("same.png"),
		     NULL, NULL, NULL, NULL);
	CHECK(rc == 0 && strstr(out, "imgcmp: match (max channel difference 0"
				     ", tolerance 0)") != NULL,
	      "identical: rc %d", rc);

	/* One channel of one pixel off by 10 at (5,3). */
	shot[3 * (3 * W + 5) + 1] += 10;
	write_rgb("off10.png", shot, W, H);
	unlink(path("diff.png"));
	rc = run(out, sizeof(out), path("ref.png"), path("off10.png"),
		 "--tolerance", "9", "--diff", path("diff.png"));
	CHECK(rc == 1, "off by 10, tolerance 9: rc %d", rc);
	CHECK(strstr(out, "1 of 192 pixels") != NULL &&
	      strstr(out, "max channel difference 10") != NULL &&
	      strstr(out, "(5,3)") != NULL, "mismatch report: %s", out);
	uint8_t *diff = NULL;
	uint32_t dw = 0, dh = 0;
	CHECK(png_util_read_rgba(path("diff.png"), &diff, &dw, &dh),
	      "diff written");
	if (diff != NULL) {
		CHECK(dw == W && dh == H, "diff is %ux%u", dw, dh);
		for (uint32_t y = 0; y < H && dw == W && dh == H; y++)
			for (uint32_t x = 0; x < W; x++) {
				const uint8_t *p = diff + 4 * (y * W + x);
				bool red = p[0] == 255 && p[1] == 0 && p[2] == 0;
				bool green_grey = p[1] > p[0] && p[0] == p[2];
				if (x == 5 && y == 3)
					CHECK(red, "diff (5,3) is %u,%u,%u",
					      p[0], p[1], p[2]);
				else
					CHECK(green_grey,
					      "diff (%u,%u) is %u,%u,%u", x, y,
					      p[0], p[1], p[2]);
			}
		free(diff);
	}

	/* The same difference within the tolerance. */
	unlink(path("diff-ok.png"));
	rc = run(out, sizeof(out), "--tolerance", "10", path("ref.png"),
		 path("off10.png"), "--diff", path("diff-ok.png"));
	CHECK(rc == 0 && strstr(out, "max channel difference 10, tolerance "
				     "10") != NULL, "within tolerance: rc %d",
	      rc);
	CHECK(access(path("diff-ok.png"), F_OK) != 0,
	      "no diff written for a match");

	/* An ignored rectangle: the difference at (5,3) inside it does not
	 * count, one beside it does. */
	rc = run(out, sizeof(out), path("ref.png"), path("off10.png"),
		 "--ignore", "4,2,3,3", NULL, NULL);
	CHECK(rc == 0 && strstr(out, "; 9 pixels ignored") != NULL,
	      "(5,3) ignored: rc %d", rc);
	rc = run(out, sizeof(out), path("ref.png"), path("off10.png"),
		 "--ignore", "6,0,10,12", NULL, NULL);
	CHECK(rc == 1 && strstr(out, "(5,3)") != NULL,
	      "ignored rectangle beside (5,3): rc %d", rc);
	rc = run(out, sizeof(out), path("ref.png"), path("same.png"),
		 "--ignore", "1,2,3", NULL, NULL);
	CHECK(rc == 2, "--ignore without a height: rc %d", rc);

	/* Alpha does not count against an RGB reference. */
	uint8_t rgba[W * H * 4];
	for (size_t i = 0; i < W * H; i++) {
		memcpy(rgba + 4 * i, ref + 3 * i, 3);
		rgba[4 * i + 3] = (uint8_t)i;
	}
	png_util_write_bytes(path("alpha.png"), rgba, W, H, true);
	rc = run(out, sizeof(out), path("ref.png"), path("alpha.png"), NULL,
		 NULL, NULL, NULL);
	CHECK(rc == 0, "RGB reference vs RGBA shot, same RGB: rc %d", rc);

	/* Sizes differ. */
	uint8_t small[(W - 1) * H * 3];
	pattern(small, W - 1, H);
	write_rgb("small.png", small, W - 1, H);
	rc = run(out, sizeof(out), path("ref.png"), path("small.png"),
		 "--tolerance", "255", NULL, NULL);
	CHECK(rc == 1 && strstr(out, "size mismatch") != NULL &&
	      strstr(out, "16x12") != NULL && strstr(out, "15x12") != NULL,
	      "size mismatch: rc %d", rc);

	/* No reference yet: a review step. */
	unlink(path("missing.png"));
	rc = run(out, sizeof(out), path("missing.png"), path("same.png"),
		 NULL, NULL, NULL, NULL);
	CHECK(rc == 1 && strstr(out, "no reference") != NULL &&
	      strstr(out, path("same.png")) != NULL,
	      "missing reference: rc %d", rc);

	/* Not a PNG, and a missing shot: tool errors. */
	int fd = open(path("garbage.png"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0 && write(fd, "not a png", 9) == 9, "garbage written");
	close(fd);
	rc = run(out, sizeof(out), path("garbage.png"), path("same.png"),
		 NULL, NULL, NULL, NULL);
	CHECK(rc == 2, "unreadable reference: rc %d", rc);
	rc = run(out, sizeof(out), path("ref.png"), path("missing.png"),
		 NULL, NULL, NULL, NULL);
	CHECK(rc == 2, "missing shot: rc %d", rc);
	rc = run(out, sizeof(out), path("ref.png"), path("same.png"),
		 "--tolerance", "lots", NULL, NULL);
	CHECK(rc == 2, "bad tolerance: rc %d", rc);

	if (test_failures == 0)
		printf("imgcmp: all checks passed\n");
	return (test_failures ? 1 : 0);
}
