/* SPDX-License-Identifier: MIT */
/*
 * The offscreen output and the renderer end to end on this machine's
 * GLES (Mesa's software rasteriser in CI): memfds play the guest's
 * buffers, frames are read back and compared pixel by pixel.
 * Usage: test-offscreen CASE (one meson test per case).
 */
#include <errno.h>
#include <fcntl.h>
#include <png.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <epoxy/gl.h>

#include "render-test.h"

enum { W = 64, H = 48 };

struct rgba {
	int r, g, b, a;
};

/* Every pixel of a 64x48 picture has its own colour. */
static struct rgba
pattern(int x, int y)
{
	return (struct rgba){ (x * 4) & 0xff, (y * 5) & 0xff,
			      ((x + y) * 3) & 0xff, 0xff };
}

static int
cpp_of(uint32_t fourcc)
{
	return fourcc == DRM_FORMAT_RGB565 ? 2 : 4;
}

static void
put_pixel(uint8_t *base, uint32_t fourcc, uint32_t stride, int x, int y,
	  struct rgba c)
{
	uint8_t *p = base + (size_t)y * stride + (size_t)x * (size_t)cpp_of(fourcc);
	switch (fourcc) {
	case DRM_FORMAT_XRGB8888:
	case DRM_FORMAT_ARGB8888:
		p[0] = (uint8_t)c.b; p[1] = (uint8_t)c.g; p[2] = (uint8_t)c.r;
		p[3] = (uint8_t)c.a;
		break;
	case DRM_FORMAT_XBGR8888:
	case DRM_FORMAT_ABGR8888:
		p[0] = (uint8_t)c.r; p[1] = (uint8_t)c.g; p[2] = (uint8_t)c.b;
		p[3] = (uint8_t)c.a;
		break;
	case DRM_FORMAT_RGB565: {
		uint16_t v = (uint16_t)(((c.r >> 3) << 11) | ((c.g >> 2) << 5) |
					(c.b >> 3));
		memcpy(p, &v, 2);
		break;
	}
	}
}

struct shm {
	struct render_buffer *buf;
	uint8_t *map;        /* the guest's view, at offset */
	uint32_t fourcc, stride;
	int width, height;
};

/* A memfd buffer filled with pattern() (alpha byte a) and imported. */
static struct shm
make_shm(struct renderer *r, uint32_t id, uint32_t fourcc, int w, int h,
	 uint32_t offset, int alpha)
{
	struct shm s = { .fourcc = fourcc, .width = w, .height = h };
	s.stride = (uint32_t)(w * cpp_of(fourcc) + 16); /* padded rows */
	uint8_t *map;
	size_t size = offset + (size_t)s.stride * (size_t)h;
	int fd = test_memfd(size, &map);
	s.map = map + offset;
	for (int y = 0; y < h; y++) {
		for (int x = 0; x < w; x++) {
			struct rgba c = pattern(x, y);
			c.a = alpha;
			put_pixel(s.map, fourcc, s.stride, x, y, c);
		}
	}
	struct proto_buffer_shm desc = {
		.buffer_id = id, .fourcc = fourcc, .width = (uint32_t)w,
		.height = (uint32_t)h, .stride = s.stride, .offset = offset,
	};
	char why[256];
	s.buf = render_buffer_import_shm(r, &desc, fd, why, sizeof(why));
	REQUIRE(s.buf, "import of shm buffer %u failed: %s", id, why);
	return s;
}

static struct proto_scanout
whole(const struct shm *s, bool y0_top)
{
	return (struct proto_scanout){
		.buffer_id = 1, .flags = y0_top ? PROTO_SCANOUT_Y0_TOP : 0,
		.width = (uint32_t)s->width, .height = (uint32_t)s->height,
	};
}

static void
damage_all(struct render_head *head, const struct shm *s)
{
	struct proto_rect rect = { 0, 0, (uint32_t)s->width, (uint32_t)s->height };
	REQUIRE(render_head_damage(head, &rect, 1), "damage failed");
}

static uint8_t *
draw(struct output *out, struct renderer *r, struct render_head **heads, int n)
{
	REQUIRE(output_begin_frame(out), "begin_frame failed");
	REQUIRE(render_draw(r, heads, n), "render_draw failed");
	return test_read_frame(out);
}

/* The head shows s 1:1; row 0 of the output is buffer row 0 when y0_top,
 * else the last row. */
static int
check_one_to_one(const struct output *out, const uint8_t *frame, int x_out0,
		 int w, int h, int src_x, int src_y, bool y0_top, bool opaque,
		 int alpha, int tol)
{
	int bad = 0;
	for (int y = 0; y < h; y++) {
		for (int x = 0; x < w; x++) {
			int by = y0_top ? src_y + y : src_y + h - 1 - y;
			struct rgba c = pattern(src_x + x, by);
			if (!test_pixel_is(frame, out, x_out0 + x, y, c.r, c.g, c.b,
					   opaque ? 255 : alpha, tol) && ++bad > 5)
				return bad;
		}
	}
	return bad;
}

struct fixture {
	struct output *out;
	struct renderer *r;
	struct render_head *head;
};

static struct fixture
setup(int w, int h)
{
	struct fixture f = { .out = test_output(w, h) };
	char why[512];
	f.r = render_create(f.out, why, sizeof(why));
	REQUIRE(f.r, "render_create failed: %s", why);
	f.head = render_head_create(f.r);
	REQUIRE(f.head, "render_head_create failed");
	return f;
}

static void
teardown(struct fixture *f)
{
	render_head_destroy(f->head);
	render_destroy(f->r);
	output_destroy(f->out);
}

static void
shm_format_case(uint32_t fourcc, bool y0_top, int alpha, bool opaque, int tol)
{
	struct fixture f = setup(W, H);
	struct shm s = make_shm(f.r, 1, fourcc, W, H, 256, alpha);
	struct proto_scanout sc = whole(&s, y0_top);
	render_head_bind(f.head, s.buf, &sc);
	damage_all(f.head, &s);
	const struct render_stats *st = render_get_stats(f.r);
	CHECK(st->bytes_uploaded == (uint64_t)W * H * cpp_of(fourcc),
	      "a full upload counted %llu bytes", (unsigned long long)st->bytes_uploaded);
	CHECK(st->rects_uploaded == 1, "%llu rects", (unsigned long long)st->rects_uploaded);
	CHECK(st->imports_shm == 1, "imports_shm %llu", (unsigned long long)st->imports_shm);
	uint8_t *frame = draw(f.out, f.r, &f.head, 1);
	CHECK(check_one_to_one(f.out, frame, 0, W, H, 0, 0, y0_top, opaque, alpha,
			       tol) == 0, "the frame differs from the buffer");
	CHECK(st->frames == 1, "frames %llu", (unsigned long long)st->frames);
	free(frame);
	render_buffer_destroy(s.buf);
	teardown(&f);
}

static void
case_letterbox(void)
{
	struct fixture f = setup(W, H);
	/* 16x24 into 64x48: scaled 2x to 32x48 at x=16; four solid blocks so
	 * linear filtering leaves block interiors exact. */
	uint8_t *map;
	uint32_t stride = 16 * 4;
	int fd = test_memfd(stride * 24, &map);
	struct rgba blocks[4] = { { 255, 0, 0, 255 }, { 0, 255, 0, 255 },
				  { 0, 0, 255, 255 }, { 255, 255, 255, 255 } };
	for (int y = 0; y < 24; y++)
		for (int x = 0; x < 16; x++)
			put_pixel(map, DRM_FORMAT_XRGB8888, stride, x, y,
				  blocks[(y >= 12) * 2 + (x >= 8)]);
	struct proto_buffer_shm desc = { .buffer_id = 1, .fourcc = DRM_FORMAT_XRGB8888,
		.width = 16, .height = 24, .stride = stride };
	char why[256];
	struct render_buffer *buf = render_buffer_import_shm(f.r, &desc, fd, why,
							      sizeof(why));
	REQUIRE(buf, "import failed: %s", why);
	struct proto_scanout sc = { .buffer_id = 1, .flags = PROTO_SCANOUT_Y0_TOP,
				    .width = 16, .height = 24 };
	render_head_bind(f.head, buf, &sc);
	struct proto_rect all = { 0, 0, 16, 24 };
	render_head_damage(f.head, &all, 1);
	uint8_t *frame = draw(f.out, f.r, &f.head, 1);
	for (int y = 0; y < H; y += 5) {
		CHECK(test_pixel_is(frame, f.out, 0, y, 0, 0, 0, 255, 0), "left bar");
		CHECK(test_pixel_is(frame, f.out, 15, y, 0, 0, 0, 255, 0), "left bar edge");
		CHECK(test_pixel_is(frame, f.out, 48, y, 0, 0, 0, 255, 0), "right bar edge");
		CHECK(test_pixel_is(frame, f.out, 63, y, 0, 0, 0, 255, 0), "right bar");
	}
	/* Block interiors and the picture's own edges (clamped, so exact). */
	CHECK(test_pixel_is(frame, f.out, 16, 0, 255, 0, 0, 255, 0), "top-left red");
	CHECK(test_pixel_is(frame, f.out, 20, 10, 255, 0, 0, 255, 0), "red");
	CHECK(test_pixel_is(frame, f.out, 47, 0, 0, 255, 0, 255, 0), "top-right green");
	CHECK(test_pixel_is(frame, f.out, 40, 10, 0, 255, 0, 255, 0), "green");
	CHECK(test_pixel_is(frame, f.out, 20, 40, 0, 0, 255, 255, 0), "blue");
	CHECK(test_pixel_is(frame, f.out, 47, 47, 255, 255, 255, 255, 0), "white");
	free(frame);
	render_buffer_destroy(buf);

	/* A wide picture 64x16: 1:1, bars above and below. */
	struct shm s = make_shm(f.r, 2, DRM_FORMAT_XRGB8888, 64, 16, 0, 0);
	sc = whole(&s, true);
	render_head_bind(f.head, s.buf, &sc);
	damage_all(f.head, &s);
	frame = draw(f.out, f.r, &f.head, 1);
	for (int x = 0; x < W; x += 7) {
		CHECK(test_pixel_is(frame, f.out, x, 15, 0, 0, 0, 255, 0), "top bar");
		CHECK(test_pixel_is(frame, f.out, x, 32, 0, 0, 0, 255, 0), "bottom bar");
		struct rgba c = pattern(x, 0), d = pattern(x, 15);
		CHECK(test_pixel_is(frame, f.out, x, 16, c.r, c.g, c.b, 255, 0), "row 0");
		CHECK(test_pixel_is(frame, f.out, x, 31, d.r, d.g, d.b, 255, 0), "row 15");
	}
	free(frame);
	render_buffer_destroy(s.buf);
	teardown(&f);
}

static void
case_source_rect(void)
{
	struct fixture f = setup(32, 24);
	struct shm s = make_shm(f.r, 1, DRM_FORMAT_XRGB8888, W, H, 0, 0);
	for (int y0_top = 1; y0_top >= 0; y0_top--) {
		struct proto_scanout sc = { .buffer_id = 1, .x = 8, .y = 4,
			.width = 32, .height = 24,
			.flags = y0_top ? PROTO_SCANOUT_Y0_TOP : 0 };
		render_head_bind(f.head, s.buf, &sc);
		damage_all(f.head, &s);
		uint8_t *frame = draw(f.out, f.r, &f.head, 1);
		CHECK(check_one_to_one(f.out, frame, 0, 32, 24, 8, 4, y0_top, true,
				       255, 0) == 0, "source rect, y0_top %d", y0_top);
		free(frame);
	}
	/* Each whole-buffer damage uploads only the source rect: 32x24,
	 * not 64x48. */
	const struct render_stats *st = render_get_stats(f.r);
	CHECK(st->bytes_uploaded == 2 * 32 * 24 * 4, "uploaded %llu bytes",
	      (unsigned long long)st->bytes_uploaded);
	render_buffer_destroy(s.buf);
	teardown(&f);
}

static void
set_cursor(struct render_head *head, int hot_x, int hot_y)
{
	/* 4x4: top-left opaque blue, the rest red at half alpha,
	 * premultiplied (0x80 red at alpha 0x80). */
	uint32_t pixels[16];
	for (int i = 0; i < 16; i++)
		pixels[i] = 0x80800000u;
	pixels[0] = 0xff0000ffu;
	struct proto_cursor_image img = { .width = 4, .height = 4,
					  .hot_x = hot_x, .hot_y = hot_y };
	render_head_set_cursor(head, &img, pixels);
}

static void
case_cursor(void)
{
	struct fixture f = setup(W, H);
	/* A grey picture to blend over. */
	uint8_t *map;
	int fd = test_memfd(W * 4 * H, &map);
	memset(map, 0x40, W * 4 * H);
	struct proto_buffer_shm desc = { .buffer_id = 1, .fourcc = DRM_FORMAT_XRGB8888,
		.width = W, .height = H, .stride = W * 4 };
	char why[256];
	struct render_buffer *buf = render_buffer_import_shm(f.r, &desc, fd, why,
							      sizeof(why));
	REQUIRE(buf, "import failed: %s", why);
	struct proto_scanout sc = { .buffer_id = 1, .flags = PROTO_SCANOUT_Y0_TOP,
				    .width = W, .height = H };
	render_head_bind(f.head, buf, &sc);
	struct proto_rect all = { 0, 0, W, H };
	render_head_damage(f.head, &all, 1);

	set_cursor(f.head, 1, 1);
	struct proto_cursor_pos pos = { .x = 10, .y = 20, .visible = 1 };
	render_head_move_cursor(f.head, &pos);
	uint8_t *frame = draw(f.out, f.r, &f.head, 1);
	/* Top-left at pos - hotspot = (9, 19). 0x80 + 0x40 * (1 - 128/255). */
	CHECK(test_pixel_is(frame, f.out, 9, 19, 0, 0, 255, 255, 0), "opaque blue corner");
	CHECK(test_pixel_is(frame, f.out, 10, 19, 160, 32, 32, 255, 1), "blended red");
	CHECK(test_pixel_is(frame, f.out, 12, 22, 160, 32, 32, 255, 1), "blended red, far corner");
	CHECK(test_pixel_is(frame, f.out, 8, 19, 64, 64, 64, 255, 0), "left of the cursor");
	CHECK(test_pixel_is(frame, f.out, 13, 22, 64, 64, 64, 255, 0), "right of the cursor");
	CHECK(test_pixel_is(frame, f.out, 9, 18, 64, 64, 64, 255, 0), "above the cursor");
	CHECK(test_pixel_is(frame, f.out, 9, 23, 64, 64, 64, 255, 0), "below the cursor");
	free(frame);

	pos.visible = 0;
	render_head_move_cursor(f.head, &pos);
	frame = draw(f.out, f.r, &f.head, 1);
	CHECK(test_pixel_is(frame, f.out, 9, 19, 64, 64, 64, 255, 0), "hidden cursor drawn");
	free(frame);

	/* No image: nothing, even when visible. */
	pos.visible = 1;
	render_head_move_cursor(f.head, &pos);
	struct proto_cursor_image none = { .width = 0 };
	render_head_set_cursor(f.head, &none, NULL);
	frame = draw(f.out, f.r, &f.head, 1);
	CHECK(test_pixel_is(frame, f.out, 9, 19, 64, 64, 64, 255, 0), "cursor without image drawn");
	free(frame);

	/* Scaled 2x (128x96 output): the cursor scales and moves with the
	 * picture: head (9,19) is output (18,38), 8x8 pixels. */
	render_head_destroy(f.head);
	render_destroy(f.r);
	output_destroy(f.out);
	render_buffer_destroy(buf);
	f = setup(128, 96);
	fd = test_memfd(W * 4 * H, &map);
	memset(map, 0x40, W * 4 * H);
	buf = render_buffer_import_shm(f.r, &desc, fd, why, sizeof(why));
	REQUIRE(buf, "import failed: %s", why);
	render_head_bind(f.head, buf, &sc);
	render_head_damage(f.head, &all, 1);
	set_cursor(f.head, 1, 1);
	render_head_move_cursor(f.head, &pos);
	frame = draw(f.out, f.r, &f.head, 1);
	CHECK(test_pixel_is(frame, f.out, 18, 38, 0, 0, 255, 255, 0), "scaled blue corner");
	CHECK(test_pixel_is(frame, f.out, 23, 43, 160, 32, 32, 255, 1), "scaled red");
	CHECK(test_pixel_is(frame, f.out, 17, 38, 64, 64, 64, 255, 0), "left of the scaled cursor");
	CHECK(test_pixel_is(frame, f.out, 26, 45, 64, 64, 64, 255, 0), "right of the scaled cursor");
	free(frame);
	render_buffer_destroy(buf);
	teardown(&f);
}

static void
case_damage(void)
{
	struct fixture f = setup(W, H);
	struct shm s = make_shm(f.r, 1, DRM_FORMAT_XRGB8888, W, H, 0, 0);
	struct proto_scanout sc = whole(&s, true);
	render_head_bind(f.head, s.buf, &sc);
	damage_all(f.head, &s);
	const struct render_stats *st = render_get_stats(f.r);
	uint64_t bytes = st->bytes_uploaded, rects = st->rects_uploaded;
	CHECK(bytes == W * H * 4, "full upload %llu bytes", (unsigned long long)bytes);

	/* The guest draws a white 4x4 square and, without telling, one more
	 * pixel: only the damaged square may reach the screen. */
	struct rgba white = { 255, 255, 255, 255 };
	for (int y = 8; y < 12; y++)
		for (int x = 20; x < 24; x++)
			put_pixel(s.map, s.fourcc, s.stride, x, y, white);
	put_pixel(s.map, s.fourcc, s.stride, 40, 40, white);
	struct proto_rect rect = { 20, 8, 4, 4 };
	REQUIRE(render_head_damage(f.head, &rect, 1), "damage failed");
	CHECK(st->bytes_uploaded - bytes == 4 * 4 * 4, "a 4x4 damage uploaded %llu bytes",
	      (unsigned long long)(st->bytes_uploaded - bytes));
	CHECK(st->rects_uploaded - rects == 1, "%llu rects",
	      (unsigned long long)(st->rects_uploaded - rects));

	uint8_t *frame = draw(f.out, f.r, &f.head, 1);
	int bad = 0;
	for (int y = 0; y < H; y++) {
		for (int x = 0; x < W; x++) {
			bool in = x >= 20 && x < 24 && y >= 8 && y < 12;
			struct rgba c = in ? white : pattern(x, y);
			if (!test_pixel_is(frame, f.out, x, y, c.r, c.g, c.b, 255, 0))
				bad++;
		}
	}
	CHECK(bad == 0, "%d pixels differ after a 4x4 damage", bad);
	free(frame);
	render_buffer_destroy(s.buf);
	teardown(&f);
}

static void
case_rebind(void)
{
	struct fixture f = setup(W, H);
	struct shm a = make_shm(f.r, 1, DRM_FORMAT_XRGB8888, W, H, 0, 0);
	struct shm b = make_shm(f.r, 2, DRM_FORMAT_XRGB8888, 32, 24, 0, 0);
	struct shm c = make_shm(f.r, 3, DRM_FORMAT_XRGB8888, 32, 24, 0, 0);
	struct shm d = make_shm(f.r, 4, DRM_FORMAT_XBGR8888, 32, 24, 0, 0);
	const struct render_stats *st = render_get_stats(f.r);
	struct proto_rect small = { 0, 0, 2, 2 };

	struct proto_scanout sc = whole(&a, true);
	render_head_bind(f.head, a.buf, &sc);
	render_head_damage(f.head, &small, 1);
	CHECK(st->bytes_uploaded == W * H * 4, "first bind: %llu bytes",
	      (unsigned long long)st->bytes_uploaded);

	/* Another size: the whole source rect, whatever the damage. */
	uint64_t before = st->bytes_uploaded;
	sc = whole(&b, true);
	render_head_bind(f.head, b.buf, &sc);
	render_head_damage(f.head, &small, 1);
	CHECK(st->bytes_uploaded - before == 32 * 24 * 4, "size change: %llu bytes",
	      (unsigned long long)(st->bytes_uploaded - before));
	uint8_t *frame = draw(f.out, f.r, &f.head, 1);
	/* 32x24 scaled 2x: block interiors are exact only for flat areas,
	 * so compare a pixel's neighbourhood loosely. */
	struct rgba p = pattern(10, 10);
	CHECK(test_pixel_is(frame, f.out, 21, 21, p.r, p.g, p.b, 255, 8),
	      "buffer 2 not shown");
	free(frame);

	/* Same size and format: only the damage. */
	before = st->bytes_uploaded;
	render_head_bind(f.head, c.buf, &sc);
	render_head_damage(f.head, &small, 1);
	CHECK(st->bytes_uploaded - before == 2 * 2 * 4, "same-size rebind: %llu bytes",
	      (unsigned long long)(st->bytes_uploaded - before));

	/* Same size, other format: whole again. */
	before = st->bytes_uploaded;
	render_head_bind(f.head, d.buf, &sc);
	render_head_damage(f.head, &small, 1);
	CHECK(st->bytes_uploaded - before == 32 * 24 * 4, "format change: %llu bytes",
	      (unsigned long long)(st->bytes_uploaded - before));

	render_buffer_destroy(a.buf);
	render_buffer_destroy(b.buf);
	render_buffer_destroy(c.buf);
	render_buffer_destroy(d.buf);
	teardown(&f);
}

static bool
fd_is_closed(int fd)
{
	return fcntl(fd, F_GETFD) == -1 && errno == EBADF;
}

static void
case_mmap_fallback(void)
{
	struct fixture f = setup(W, H);
	uint32_t stride = W * 4 + 64;
	uint8_t *map;
	int fd = test_memfd(4096 + (size_t)stride * H, &map);
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			put_pixel(map + 4096, DRM_FORMAT_XRGB8888, stride, x, y,
				  pattern(x, y));
	struct proto_buffer_dmabuf desc = {
		.buffer_id = 5, .fourcc = DRM_FORMAT_XRGB8888,
		.modifier = DRM_FORMAT_MOD_LINEAR, .width = W, .height = H,
		.n_planes = 1, .planes = { { .offset = 4096, .stride = stride } },
	};
	char why[512];
	struct render_buffer *buf = render_buffer_import_dmabuf(f.r, &desc, &fd,
								 why, sizeof(why));
	REQUIRE(buf, "import of a memfd as a linear dmabuf failed: %s", why);
	const struct render_stats *st = render_get_stats(f.r);
	CHECK(st->imports_mmap == 1, "imports_mmap %llu", (unsigned long long)st->imports_mmap);
	CHECK(st->imports_dmabuf == 0, "a memfd imported through EGL?");
	struct proto_scanout sc = { .buffer_id = 5, .flags = PROTO_SCANOUT_Y0_TOP,
				    .width = W, .height = H };
	render_head_bind(f.head, buf, &sc);
	struct proto_rect all = { 0, 0, W, H };
	render_head_damage(f.head, &all, 1);
	CHECK(st->bytes_uploaded == W * H * 4, "uploaded %llu bytes",
	      (unsigned long long)st->bytes_uploaded);
	uint8_t *frame = draw(f.out, f.r, &f.head, 1);
	CHECK(check_one_to_one(f.out, frame, 0, W, H, 0, 0, true, true, 255, 0) == 0,
	      "the mmap fallback shows other pixels");
	free(frame);
	render_buffer_destroy(buf);

	/* A tiled buffer cannot be mapped: refused, its fd closed. */
	fd = test_memfd((size_t)stride * H, &map);
	desc.modifier = I915_FORMAT_MOD_X_TILED;
	desc.planes[0].offset = 0;
	buf = render_buffer_import_dmabuf(f.r, &desc, &fd, why, sizeof(why));
	CHECK(!buf, "a tiled memfd was imported");
	CHECK(strstr(why, "LINEAR") != NULL, "the error does not say why: %s", why);
	CHECK(fd_is_closed(fd), "fd %d left open after a failed import", fd);
	CHECK(st->imports_mmap == 1, "imports_mmap %llu", (unsigned long long)st->imports_mmap);
	render_buffer_destroy(buf);
	teardown(&f);
}

static bool
png_matches_pattern(const char *path, int w, int h)
{
	png_image img = { .version = PNG_IMAGE_VERSION };
	REQUIRE(png_image_begin_read_from_file(&img, path), "cannot read %s: %s",
		path, img.message);
	REQUIRE((int)img.width == w && (int)img.height == h, "%s is %ux%u", path,
		img.width, img.height);
	img.format = PNG_FORMAT_RGB;
	uint8_t *rgb = malloc(PNG_IMAGE_SIZE(img));
	REQUIRE(png_image_finish_read(&img, NULL, rgb, 0, NULL), "decoding %s", path);
	int bad = 0;
	for (int y = 0; y < h; y++) {
		for (int x = 0; x < w; x++) {
			const uint8_t *p = rgb + (y * w + x) * 3;
			struct rgba c = pattern(x, y);
			if ((p[0] != c.r || p[1] != c.g || p[2] != c.b) && bad++ < 5)
				fprintf(stderr, "%s (%d,%d): %d,%d,%d expected %d,%d,%d\n",
					path, x, y, p[0], p[1], p[2], c.r, c.g, c.b);
		}
	}
	free(rgb);
	return bad == 0;
}

static void
case_snapshot(void)
{
	struct fixture f = setup(W, H);
	char dir[] = "/tmp/eglview-snapshot-XXXXXX";
	REQUIRE(mkdtemp(dir), "mkdtemp failed");
	char path[256], why[512];
	snprintf(path, sizeof(path), "%s/frame.png", dir);

	CHECK(!output_snapshot(f.out, path, why, sizeof(why)),
	      "a snapshot before any frame was presented succeeded");
	CHECK(strstr(why, "presented") != NULL, "unclear error: %s", why);

	struct shm s = make_shm(f.r, 1, DRM_FORMAT_XRGB8888, W, H, 0, 0);
	struct proto_scanout sc = whole(&s, true);
	render_head_bind(f.head, s.buf, &sc);
	damage_all(f.head, &s);
	free(draw(f.out, f.r, &f.head, 1));
	uint64_t t1 = 0, t2 = 0;
	CHECK(output_present(f.out, &t1) && t1 > 0, "present gave time %llu",
	      (unsigned long long)t1);
	REQUIRE(output_snapshot(f.out, path, why, sizeof(why)), "snapshot: %s", why);
	CHECK(png_matches_pattern(path, W, H), "the snapshot differs from the frame");

	/* Drawing the next frame (black) leaves the presented one readable. */
	render_head_bind(f.head, NULL, &sc);
	free(draw(f.out, f.r, &f.head, 1));
	REQUIRE(output_snapshot(f.out, path, why, sizeof(why)), "snapshot: %s", why);
	CHECK(png_matches_pattern(path, W, H), "a frame in progress leaked into the snapshot");
	CHECK(output_present(f.out, &t2) && t2 >= t1, "presentation time went back");

	unlink(path);
	rmdir(dir);
	render_buffer_destroy(s.buf);
	teardown(&f);
}

static void
case_multi_head(void)
{
	/* Heads 32 and 64 wide in a 96-wide output: each shown 1:1. */
	struct fixture f = setup(96, H);
	struct render_head *second = render_head_create(f.r);
	struct shm a = make_shm(f.r, 1, DRM_FORMAT_XRGB8888, 32, H, 0, 0);
	struct shm b = make_shm(f.r, 2, DRM_FORMAT_XBGR8888, W, H, 0, 0);
	struct proto_scanout sa = whole(&a, true), sb = whole(&b, false);
	render_head_bind(f.head, a.buf, &sa);
	render_head_bind(second, b.buf, &sb);
	damage_all(f.head, &a);
	damage_all(second, &b);
	struct render_head *heads[] = { f.head, second };
	uint8_t *frame = draw(f.out, f.r, heads, 2);
	CHECK(check_one_to_one(f.out, frame, 0, 32, H, 0, 0, true, true, 255, 0) == 0,
	      "head 0 in tile 0");
	CHECK(check_one_to_one(f.out, frame, 32, W, H, 0, 0, false, true, 255, 0) == 0,
	      "head 1 in tile 1");
	free(frame);
	render_head_destroy(second);
	render_buffer_destroy(a.buf);
	render_buffer_destroy(b.buf);
	teardown(&f);
}

static void
case_formats(void)
{
	struct fixture f = setup(W, H);
	uint32_t n = 0;
	const struct proto_format *fmts = render_formats(f.r, &n);
	CHECK(n >= 5 && n <= PROTO_MAX_FORMATS, "%u formats", n);
	const uint32_t shm[] = { DRM_FORMAT_XRGB8888, DRM_FORMAT_ARGB8888,
		DRM_FORMAT_XBGR8888, DRM_FORMAT_ABGR8888, DRM_FORMAT_RGB565 };
	for (size_t i = 0; i < 5; i++) {
		int found = 0;
		for (uint32_t j = 0; j < n; j++) {
			if (fmts[j].fourcc == shm[i] &&
			    fmts[j].modifier == DRM_FORMAT_MOD_LINEAR) {
				found++;
				CHECK(fmts[j].flags & PROTO_FORMAT_SHM, "0x%08x not SHM", shm[i]);
				/* The mmap fallback takes any linear RGB dmabuf. */
				CHECK(fmts[j].flags & PROTO_FORMAT_DMABUF,
				      "0x%08x LINEAR not DMABUF", shm[i]);
			}
		}
		CHECK(found == 1, "0x%08x LINEAR listed %d times", shm[i], found);
	}
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t j = i + 1; j < n; j++)
			CHECK(fmts[i].fourcc != fmts[j].fourcc ||
			      fmts[i].modifier != fmts[j].modifier,
			      "entries %u and %u repeat a pair", i, j);
	fprintf(stderr, "%u formats; dmabuf import: %s\n", n,
		output_has_dmabuf_import(f.out) ? "yes" : "no");
	teardown(&f);
}

static void
case_destroy_bound(void)
{
	struct fixture f = setup(W, H);
	struct shm s = make_shm(f.r, 1, DRM_FORMAT_XRGB8888, W, H, 0, 0);
	struct proto_scanout sc = whole(&s, true);
	render_head_bind(f.head, s.buf, &sc);
	damage_all(f.head, &s);
	render_buffer_destroy(s.buf);
	struct proto_rect rect = { 0, 0, 4, 4 };
	CHECK(render_head_damage(f.head, &rect, 1), "damage on an unbound head failed");
	uint8_t *frame = draw(f.out, f.r, &f.head, 1);
	int lit = 0;
	for (int i = 0; i < W * H; i++)
		lit += frame[i * 4] | frame[i * 4 + 1] | frame[i * 4 + 2];
	CHECK(lit == 0, "a destroyed buffer is still shown");
	free(frame);
	teardown(&f);
}

static void
case_bad_shm(void)
{
	struct fixture f = setup(W, H);
	uint8_t *map;
	int fd = test_memfd(100, &map);
	struct proto_buffer_shm desc = { .buffer_id = 9, .fourcc = DRM_FORMAT_XRGB8888,
		.width = W, .height = H, .stride = W * 4 };
	char why[512] = "";
	struct render_buffer *buf = render_buffer_import_shm(f.r, &desc, fd, why,
							      sizeof(why));
	CHECK(!buf, "a 100-byte memfd imported as %dx%d", W, H);
	CHECK(strstr(why, "100") && strstr(why, "12288"), "error lacks the sizes: %s", why);
	CHECK(fd_is_closed(fd), "fd left open after a failed import");
	fd = test_memfd(W * 4 * H, &map);
	desc.stride = 8;
	buf = render_buffer_import_shm(f.r, &desc, fd, why, sizeof(why));
	CHECK(!buf && strstr(why, "stride 8"), "stride below width*4 accepted: %s", why);
	render_buffer_destroy(buf);
	teardown(&f);
}

static void
case_resize(void)
{
	char why[512];
	struct output_config follow = { 0 };
	struct output *out = output_create(&output_offscreen_impl, &follow, why, sizeof(why));
	REQUIRE(out, "output_create: %s", why);
	CHECK(!out->fixed_size, "0x0 config is fixed");
	CHECK(output_resize(out, 100, 30) && out->width == 100 && out->height == 30,
	      "resize gave %dx%d", out->width, out->height);
	CHECK(!output_resize(out, 0, 30), "resize to 0x30 accepted");
	output_destroy(out);
	out = test_output(W, H);
	CHECK(out->fixed_size, "a --size output follows the head");
	CHECK(output_resize(out, 100, 30) && out->width == W, "fixed output resized");
	CHECK(strstr(out->path, "surfaceless") || strstr(out->path, "GBM on"),
	      "path says nothing: %s", out->path);
	output_destroy(out);
}

static void case_xrgb(void) { shm_format_case(DRM_FORMAT_XRGB8888, true, 0, true, 0); }
static void case_y0_bottom(void) { shm_format_case(DRM_FORMAT_XRGB8888, false, 0, true, 0); }
static void case_xbgr(void) { shm_format_case(DRM_FORMAT_XBGR8888, true, 0x10, true, 0); }
static void case_argb(void) { shm_format_case(DRM_FORMAT_ARGB8888, true, 0x40, false, 0); }
static void case_abgr(void) { shm_format_case(DRM_FORMAT_ABGR8888, false, 0xc0, false, 0); }
/* 5/6-bit channels: the pattern loses its low bits. */
static void case_rgb565(void) { shm_format_case(DRM_FORMAT_RGB565, true, 0, true, 8); }

static const struct {
	const char *name;
	void (*run)(void);
} cases[] = {
	{ "shm-xrgb-y0-top", case_xrgb },
	{ "shm-xrgb-y0-bottom", case_y0_bottom },
	{ "shm-xbgr-channel-order", case_xbgr },
	{ "shm-argb-keeps-alpha", case_argb },
	{ "shm-abgr-y0-bottom", case_abgr },
	{ "shm-rgb565", case_rgb565 },
	{ "letterbox", case_letterbox },
	{ "source-rect", case_source_rect },
	{ "cursor", case_cursor },
	{ "damage-4x4", case_damage },
	{ "rebind-size-format", case_rebind },
	{ "mmap-fallback-memfd-as-dmabuf", case_mmap_fallback },
	{ "snapshot", case_snapshot },
	{ "multi-head", case_multi_head },
	{ "formats", case_formats },
	{ "destroy-bound-buffer", case_destroy_bound },
	{ "shm-bad-size", case_bad_shm },
	{ "resize", case_resize },
};

int
main(int argc, char **argv)
{
	size_t n = sizeof(cases) / sizeof(cases[0]);
	for (size_t i = 0; i < n; i++) {
		if (argc == 2 && strcmp(argv[1], cases[i].name) == 0) {
			cases[i].run();
			if (test_failures) {
				fprintf(stderr, "%s: %d checks failed\n", argv[1],
					test_failures);
				return 1;
			}
			printf("%s: passed\n", argv[1]);
			return 0;
		}
	}
	fprintf(stderr, "usage: %s CASE; cases:", argv[0]);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, " %s", cases[i].name);
	fputc('\n', stderr);
	return 2;
}
