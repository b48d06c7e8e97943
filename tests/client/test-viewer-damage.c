/* SPDX-License-Identifier: MIT */
/*
 * The real qemu-eglview (offscreen) against a scripted test server that
 * changes what it shows in the ways partial redraws can get wrong: a
 * head that grows to a larger buffer (the output follows), a second head
 * enabled, disabled and swapped for the first, a cursor moving, hiding
 * and changing its image over a picture that changes under it. Every
 * case ends with --snapshot compared with its golden image
 * (tests/golden/damage-CASE.png), the same one with --damage on and off;
 * with on, --stats must show that partial frames were drawn.
 *
 * usage: test-viewer-damage QEMU_EGLVIEW CASE on|off GOLDEN_DIR IMGCMP OUT_DIR
 */
#include <drm_fourcc.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "png-util.h"

extern char **environ;

static struct harness h;
static const char *case_name, *damage_mode, *golden_dir, *imgcmp, *out_dir;
static uint32_t seq;
/* The smallest output of the case: a frame drawn whole covers at least
 * that many pixels. */
static int64_t min_area;

struct buf {
	uint32_t id;
	int width, height;
	uint32_t *px;
};

static void
send_ok(bool ok, const char *what)
{
	REQUIRE(ok, "sending %s failed: %s", what, strerror(errno));
}

/* An 8x8 checker of base and a darker shade, so that a picture placed
 * a pixel off, or a block left stale, shows. */
static void
buf_fill(struct buf *b, int x0, int y0, int w, int h, uint32_t base)
{
	uint32_t dark = 0xff000000u | ((base >> 1) & 0x7f7f7f);
	for (int y = y0; y < y0 + h; y++) {
		for (int x = x0; x < x0 + w; x++)
			b->px[y * b->width + x] = ((x / 8 + y / 8) & 1) ? dark : base;
	}
}

static struct buf
buf_create(uint32_t id, int width, int height, uint32_t base)
{
	struct buf b = { .id = id, .width = width, .height = height };
	uint32_t stride = (uint32_t)width * 4;
	int fd = harness_memfd(stride, (uint32_t)height, 0, true);
	b.px = mmap(NULL, (size_t)stride * height, PROT_READ | PROT_WRITE,
		    MAP_SHARED, fd, 0);
	REQUIRE(b.px != MAP_FAILED, "mmap: %s", strerror(errno));
	buf_fill(&b, 0, 0, width, height, base);
	struct proto_buffer_shm desc = {
		.buffer_id = id, .fourcc = DRM_FORMAT_XRGB8888,
		.width = (uint32_t)width, .height = (uint32_t)height,
		.stride = stride,
	};
	send_ok(proto_send_buffer_shm(h.conn, &desc, fd), "BUFFER_SHM");
	close(fd);
	return b;
}

static void
send_head(uint32_t id, int x, int width, int height, bool enabled)
{
	struct proto_head_info info = {
		.head_id = id, .flags = enabled ? PROTO_HEAD_ENABLED : 0,
		.width = (uint32_t)width, .height = (uint32_t)height, .x = x,
	};
	snprintf(info.name, sizeof(info.name), "damage-%u", id);
	send_ok(proto_send_head_info(h.conn, &info), "HEAD_INFO");
}

static void
scanout(uint32_t head, const struct buf *b)
{
	struct proto_scanout sc = {
		.head_id = head, .buffer_id = b->id, .flags = PROTO_SCANOUT_Y0_TOP,
		.width = (uint32_t)b->width, .height = (uint32_t)b->height,
	};
	send_ok(proto_send_scanout(h.conn, &sc), "SCANOUT");
}

/* An UPDATE of one rect, and its FRAME_DONE: the viewer has presented a
 * frame showing it (and whatever came before it). */
static void
update(uint32_t head, int x, int y, int w, int hgt)
{
	struct proto_rect rect = { (uint32_t)x, (uint32_t)y, (uint32_t)w,
				   (uint32_t)hgt };
	uint32_t want = ++seq;
	send_ok(proto_send_update(h.conn, head, want, &rect, 1), "UPDATE");
	for (;;) {
		harness_expect(&h, PROTO_FRAME_DONE);
		const struct proto_frame_done *done = proto_packet_body(h.pkt);
		if (done->head_id == head && done->seq == want)
			return;
	}
}

/* The guest draws a block and says so. */
static void
paint(uint32_t head, struct buf *b, int x, int y, int w, int hgt,
      uint32_t colour)
{
	for (int row = y; row < y + hgt; row++) {
		for (int col = x; col < x + w; col++)
			b->px[row * b->width + col] = colour;
	}
	update(head, x, y, w, hgt);
}

static void
start(void)
{
	char shot[PATH_MAX];
	snprintf(shot, sizeof(shot), "%s/damage-%s-%s.png", out_dir, case_name,
		 damage_mode);
	unlink(shot);
	const char *args[] = { "--backend", "offscreen", "--stats",
			       "--damage", damage_mode, "--snapshot", shot,
			       h.sock, NULL };
	harness_spawn(&h, args, NULL);
	harness_accept_viewer(&h);
	send_ok(proto_send_hello(h.conn, PROTO_FEATURE_SHM | PROTO_FEATURE_CURSOR,
				 "damage-test", NULL, 0), "HELLO");
}

static uint64_t
stat_of(const char *err, const char *key)
{
	const char *line = strstr(err, "qemu-eglview: stats:");
	REQUIRE(line, "no --stats line in the viewer's stderr:\n%s", err);
	char pat[64];
	snprintf(pat, sizeof(pat), " %s=", key);
	const char *at = strstr(line, pat);
	REQUIRE(at, "no %s in the stats line", key);
	return strtoull(at + strlen(pat), NULL, 10);
}

static int
run_imgcmp(const char *reference, const char *shot, const char *diff)
{
	const char *argv[] = { imgcmp, reference, shot, "--tolerance", "4",
			       "--diff", diff, NULL };
	pid_t pid;
	int err = posix_spawn(&pid, imgcmp, NULL, NULL, (char *const *)argv,
			      environ);
	REQUIRE(err == 0, "cannot run %s: %s", imgcmp, strerror(err));
	int status;
	REQUIRE(waitpid(pid, &status, 0) == pid, "waitpid: %s", strerror(errno));
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* GOODBYE; the viewer writes its snapshot and exits 0. The snapshot is
 * compared with the golden image; the stats say whether frames were
 * drawn in part (on) or whole (off). Returns the snapshot, read. */
static uint8_t *
finish(const char *name, uint32_t *width, uint32_t *height)
{
	send_ok(proto_send_goodbye(h.conn, PROTO_BYE_SHUTDOWN, "test over"),
		"GOODBYE");
	harness_expect_exit(&h, 0);
	char *err = harness_stderr(&h);
	uint64_t frames = stat_of(err, "frames");
	uint64_t drawn = stat_of(err, "pixels_drawn");
	printf("%s, --damage %s: %" PRIu64 " frames, %" PRIu64 " pixels drawn "
	       "(a whole frame: at least %" PRId64 ")\n", name, damage_mode,
	       frames, drawn, min_area);
	if (strcmp(damage_mode, "on") == 0)
		CHECK(drawn < frames * (uint64_t)min_area, "--damage on drew "
		      "%" PRIu64 " pixels in %" PRIu64 " frames: as many as "
		      "whole frames, none was partial", drawn, frames);
	else
		CHECK(drawn >= frames * (uint64_t)min_area, "--damage off drew "
		      "only %" PRIu64 " pixels in %" PRIu64 " frames", drawn,
		      frames);
	free(err);

	char shot[PATH_MAX], diff[PATH_MAX], ref[PATH_MAX];
	snprintf(shot, sizeof(shot), "%s/damage-%s-%s.png", out_dir, name,
		 damage_mode);
	snprintf(diff, sizeof(diff), "%s/damage-%s-%s-diff.png", out_dir, name,
		 damage_mode);
	snprintf(ref, sizeof(ref), "%s/damage-%s.png", golden_dir, name);
	int rc = run_imgcmp(ref, shot, diff);
	CHECK(rc == 0, "%s differs from %s (imgcmp exit %d; diff %s)", shot,
	      ref, rc, diff);
	uint8_t *rgba;
	REQUIRE(png_util_read_rgba(shot, &rgba, width, height),
		"cannot read %s", shot);
	return rgba;
}

/* --- cases ---------------------------------------------------------------- */

/* 64x48, painted in part; then the head grows to a 96x72 buffer (the
 * output follows) and is painted in part again. */
static void
case_resize(void)
{
	start();
	send_head(1, 0, 64, 48, true);
	struct buf small = buf_create(1, 64, 48, 0xff3060c0);
	scanout(1, &small);
	update(1, 0, 0, 64, 48);
	paint(1, &small, 8, 8, 8, 8, 0xffffffff);
	paint(1, &small, 40, 24, 16, 8, 0xffff4040);
	paint(1, &small, 60, 44, 4, 4, 0xffffff00);
	min_area = 64 * 48;

	send_head(1, 0, 96, 72, true);
	struct buf big = buf_create(2, 96, 72, 0xff40a040);
	scanout(1, &big);
	update(1, 0, 0, 96, 72);
	/* Where the small picture's blocks were, and beyond its edge. */
	paint(1, &big, 0, 0, 4, 4, 0xffffffff);
	paint(1, &big, 40, 24, 8, 8, 0xff000000);
	paint(1, &big, 62, 46, 12, 12, 0xffff00ff);
	paint(1, &big, 88, 64, 8, 8, 0xff00ffff);
	for (int i = 0; i < 6; i++)
		paint(1, &big, 4 + 12 * i, 60, 4, 4, 0xffffa000);

	uint32_t w, hgt;
	uint8_t *shot = finish("resize", &w, &hgt);
	CHECK(w == 96 && hgt == 72, "the snapshot is %ux%u: the output did not "
	      "follow the head to 96x72", w, hgt);
	free(shot);
}

/* Head 1, then head 2 beside it, then head 2 alone, then head 1 alone
 * again in the same 64x48 (the output keeps its size across the
 * switch), each painted in part between. */
static void
case_head_switch(void)
{
	start();
	send_head(1, 0, 64, 48, true);
	struct buf one = buf_create(1, 64, 48, 0xffc04040);
	scanout(1, &one);
	update(1, 0, 0, 64, 48);
	paint(1, &one, 4, 4, 8, 8, 0xffffffff);
	min_area = 64 * 48;

	send_head(2, 64, 64, 48, true);
	struct buf two = buf_create(2, 64, 48, 0xff4040c0);
	scanout(2, &two);
	update(2, 0, 0, 64, 48);
	paint(2, &two, 4, 4, 8, 8, 0xffffff00);
	paint(1, &one, 52, 36, 12, 12, 0xff00ff00);
	paint(2, &two, 0, 20, 6, 6, 0xff00ffff);

	send_head(1, 0, 64, 48, false);
	paint(2, &two, 30, 30, 8, 8, 0xffff00ff);
	paint(2, &two, 50, 10, 4, 4, 0xffffffff);

	/* The switch: head 2 off and head 1 on, the output 64x48 throughout. */
	send_head(2, 64, 64, 48, false);
	send_head(1, 0, 64, 48, true);
	paint(1, &one, 20, 20, 8, 8, 0xff000000);
	for (int i = 0; i < 6; i++)
		paint(1, &one, 2 + 10 * i, 40, 4, 4, 0xffffa000);

	uint32_t w, hgt;
	uint8_t *shot = finish("head-switch", &w, &hgt);
	CHECK(w == 64 && hgt == 48, "the snapshot is %ux%u, expected head 1 "
	      "alone (64x48)", w, hgt);
	free(shot);
}

/* A 16x16 cursor: an opaque white ring around a half-transparent blue
 * middle (premultiplied ARGB), its hotspot at (1, 1). */
static void
send_cursor_image(bool big)
{
	uint32_t pixels[24 * 24];
	int size = big ? 24 : 16;
	for (int y = 0; y < size; y++) {
		for (int x = 0; x < size; x++) {
			bool ring = x < 2 || y < 2 || x >= size - 2 || y >= size - 2;
			pixels[y * size + x] = ring ? (big ? 0xffff0000u : 0xffffffffu) :
					       0x80000080u;
		}
	}
	struct proto_cursor_image img = { .head_id = 1, .width = (uint32_t)size,
		.height = (uint32_t)size, .hot_x = 1, .hot_y = 1 };
	send_ok(proto_send_cursor_image(h.conn, &img, pixels), "CURSOR_IMAGE");
}

static void
move_cursor(int x, int y, bool visible)
{
	struct proto_cursor_pos pos = { .head_id = 1, .x = x, .y = y,
					.visible = visible };
	send_ok(proto_send_cursor_pos(h.conn, &pos), "CURSOR_POS");
}

/* The cursor goes from place to place over a 128x96 picture (each move
 * followed by a one-pixel UPDATE, so a frame shows it), hides, comes
 * back with another image, and sits at its last place with the picture
 * changing under it. */
static void
case_cursor(void)
{
	enum { W = 128, H = 96 };
	start();
	send_head(1, 0, W, H, true);
	struct buf pic = buf_create(1, W, H, 0xff808080);
	scanout(1, &pic);
	update(1, 0, 0, W, H);
	min_area = W * H;
	send_cursor_image(false);
	static const int at[][2] = { { 10, 10 }, { 60, 12 }, { 62, 14 },
				     { 100, 70 }, { 30, 60 }, { 120, 90 } };
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		move_cursor(at[i][0], at[i][1], true);
		update(1, 0, 0, 1, 1);
	}
	move_cursor(40, 40, false);
	update(1, 0, 0, 1, 1);
	send_cursor_image(true);
	move_cursor(70, 30, true);
	update(1, 0, 0, 1, 1);
	paint(1, &pic, 72, 34, 8, 8, 0xff00c000);
	move_cursor(44, 50, true);
	paint(1, &pic, 60, 40, 4, 4, 0xffc000c0);

	uint32_t w, hgt;
	uint8_t *shot = finish("cursor", &w, &hgt);
	REQUIRE(w == W && hgt == H, "the snapshot is %ux%u", w, hgt);
	/* Where the cursor was, the picture itself: the guest's pixels. */
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		int bad = 0;
		for (int y = at[i][1] - 1; y < at[i][1] + 15 && y < H; y++) {
			for (int x = at[i][0] - 1; x < at[i][0] + 15 && x < W; x++) {
				if (x >= 43 && x < 67 && y >= 49 && y < 73)
					continue; /* the cursor's last place */
				uint32_t c = pic.px[y * W + x];
				const uint8_t *p = shot + ((size_t)y * W + x) * 4;
				if (abs(p[0] - (int)(c >> 16 & 0xff)) > 1 ||
				    abs(p[1] - (int)(c >> 8 & 0xff)) > 1 ||
				    abs(p[2] - (int)(c & 0xff)) > 1)
					bad++;
			}
		}
		CHECK(bad == 0, "%d pixels of the cursor's place %zu (%d,%d) are "
		      "not the picture's", bad, i, at[i][0], at[i][1]);
	}
	/* Its last place: the red ring of the second image. */
	const uint8_t *p = shot + ((size_t)49 * W + 50) * 4;
	CHECK(p[0] == 255 && p[1] == 0 && p[2] == 0, "the cursor's ring at "
	      "(50,49) is %d,%d,%d, not red", p[0], p[1], p[2]);
	free(shot);
}

static const struct test_case cases[] = {
	{ "resize", case_resize },
	{ "head-switch", case_head_switch },
	{ "cursor", case_cursor },
};

int
main(int argc, char *argv[])
{
	if (argc != 7 || (strcmp(argv[3], "on") != 0 && strcmp(argv[3], "off") != 0)) {
		fprintf(stderr, "usage: %s QEMU_EGLVIEW CASE on|off GOLDEN_DIR "
			"IMGCMP OUT_DIR\n", argv[0]);
		return 2;
	}
	damage_mode = argv[3];
	golden_dir = argv[4];
	imgcmp = argv[5];
	out_dir = argv[6];
	case_name = argv[2];
	if (mkdir(out_dir, 0755) != 0 && errno != EEXIST)
		FAIL("mkdir %s: %s", out_dir, strerror(errno));
	harness_init(&h, argv[1]);
	harness_listen(&h);
	int rc = test_run_case(argv[0], cases, sizeof(cases) / sizeof(cases[0]),
			       argv[2]);
	harness_finish(&h);
	return rc;
}
