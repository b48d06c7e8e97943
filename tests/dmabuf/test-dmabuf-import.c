/* SPDX-License-Identifier: MIT */
/*
 * The dma-buf import path on a real DRM device (the test VM's vgem card
 * node under Mesa's kms_swrast, or a GPU): real GBM buffer objects, made
 * as the demo VM makes them, imported by the real renderer into the real
 * offscreen output on GBM. Exits 77 where there is no DRM device.
 */
#include <fcntl.h>
#include <glob.h>
#include <sys/mman.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "alloc/gbm-buffers.h"
#include "render/private.h"
#include "render-test.h"

#define W 96
#define H 64

struct fixture {
	struct output *out;
	struct renderer *r;
	struct render_head *head;
	struct gbm_buffers *gbm;
};

static void
skip_without_drm(void)
{
	glob_t g;
	if (glob("/dev/dri/card*", 0, NULL, &g) != 0) {
		printf("skipped: no render node (no /dev/dri/card* or renderD*); "
		       "the dmabuf suite runs for real inside the test VM "
		       "(tests/vm/vm-run)\n");
		exit(77);
	}
	globfree(&g);
}

static struct fixture
setup(void)
{
	skip_without_drm();
	struct fixture f = { 0 };
	char why[512];
	struct output_config cfg = { .width = W, .height = H, .verbose = true };
	f.out = output_create(&output_offscreen_impl, &cfg, why, sizeof(why));
	REQUIRE(f.out, "offscreen output: %s", why);
	REQUIRE(strncmp(f.out->path, "GBM on ", 7) == 0,
		"with a DRM device the offscreen output took \"%s\", not GBM",
		f.out->path);
	REQUIRE(output_has_dmabuf_import(f.out),
		"%s has no EGL_EXT_image_dma_buf_import", f.out->path);
	f.r = render_create(f.out, why, sizeof(why));
	REQUIRE(f.r, "render_create: %s", why);
	f.head = render_head_create(f.r);
	f.gbm = gbm_buffers_open(why, sizeof(why));
	REQUIRE(f.gbm, "GBM buffers: %s", why);
	return f;
}

static void
teardown(struct fixture *f)
{
	render_head_destroy(f->head);
	render_destroy(f->r);
	output_destroy(f->out);
	gbm_buffers_close(f->gbm);
}

/* A pattern no filtering or channel swap leaves unchanged. */
static uint32_t
pattern(int x, int y, int frame)
{
	return 0xff000000u | (uint32_t)((x * 5 + frame * 40) & 0xff) << 16 |
	       (uint32_t)((y * 3) & 0xff) << 8 | (uint32_t)((x ^ y) & 0xff);
}

static struct gbm_buffers_bo *
make_bo(struct fixture *f, int frame)
{
	char why[512];
	struct gbm_buffers_bo *bo = gbm_buffers_bo_create(f->gbm, W, H, why,
							  sizeof(why));
	REQUIRE(bo, "%s", why);
	static uint32_t pixels[W * H];
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			pixels[y * W + x] = pattern(x, y, frame);
	struct proto_rect all = { 0, 0, W, H };
	REQUIRE(gbm_buffers_bo_write(bo, pixels, W * 4, &all, 1, why, sizeof(why)),
		"%s", why);
	return bo;
}

static struct render_buffer *
import_bo(struct fixture *f, struct gbm_buffers_bo *bo, uint32_t id)
{
	struct proto_buffer_dmabuf desc = {
		.buffer_id = id, .fourcc = DRM_FORMAT_XRGB8888,
		.modifier = bo->modifier, .width = W, .height = H, .n_planes = 1,
		.planes = { { .offset = bo->offset, .stride = bo->stride } },
	};
	int fd = dup(bo->fd);
	char why[512];
	struct render_buffer *buf = render_buffer_import_dmabuf(f->r, &desc, &fd,
								 why, sizeof(why));
	REQUIRE(buf, "import of a GBM buffer: %s", why);
	return buf;
}

static uint8_t *
draw(struct fixture *f)
{
	REQUIRE(output_begin_frame(f->out) && render_draw(f->r, &f->head, 1),
		"drawing failed");
	uint8_t *frame = test_read_frame(f->out);
	REQUIRE(output_present(f->out, NULL), "present failed");
	return frame;
}

static int
count_wrong(struct fixture *f, const uint8_t *frame, int pattern_frame)
{
	int wrong = 0;
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			uint32_t p = pattern(x, y, pattern_frame);
			if (!test_pixel_is(frame, f->out, x, y, (p >> 16) & 0xff,
					   (p >> 8) & 0xff, p & 0xff, 255, 0))
				wrong++;
		}
	return wrong;
}

static void
bind(struct fixture *f, struct render_buffer *buf, uint32_t id)
{
	struct proto_scanout sc = { .buffer_id = id, .flags = PROTO_SCANOUT_Y0_TOP,
				    .width = W, .height = H };
	render_head_bind(f->head, buf, &sc);
	struct proto_rect all = { 0, 0, W, H };
	render_head_damage(f->head, &all, 1);
}

/* One import per buffer however many frames show it, sampled directly
 * (nothing uploaded), the pixels exact; a write to the buffer shows in
 * the next frame without a new import. */
static void
case_cache(void)
{
	struct fixture f = setup();
	struct gbm_buffers_bo *bo = make_bo(&f, 0);
	struct render_buffer *buf = import_bo(&f, bo, 1);
	const struct render_stats *st = render_get_stats(f.r);
	bind(&f, buf, 1);
	for (int i = 0; i < 5; i++) {
		uint8_t *frame = draw(&f);
		CHECK(count_wrong(&f, frame, 0) == 0, "frame %d: %d pixels differ "
		      "from the buffer", i, count_wrong(&f, frame, 0));
		free(frame);
	}
	CHECK(st->imports_dmabuf == 1, "imports_dmabuf %llu after 5 frames of "
	      "one buffer", (unsigned long long)st->imports_dmabuf);
	CHECK(st->imports_mmap == 0, "the GBM buffer went through mmap");
	CHECK(st->bytes_uploaded == 0, "%llu bytes uploaded for a dmabuf",
	      (unsigned long long)st->bytes_uploaded);

	/* The guest draws into the same buffer: the cached image sees it. */
	static uint32_t pixels[W * H];
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			pixels[y * W + x] = pattern(x, y, 1);
	char why[512];
	struct proto_rect all = { 0, 0, W, H };
	REQUIRE(gbm_buffers_bo_write(bo, pixels, W * 4, &all, 1, why, sizeof(why)),
		"%s", why);
	render_head_damage(f.head, &all, 1);
	uint8_t *frame = draw(&f);
	CHECK(count_wrong(&f, frame, 1) == 0, "after a write %d pixels show the "
	      "old contents", count_wrong(&f, frame, 1));
	free(frame);
	CHECK(st->imports_dmabuf == 1, "a write caused a re-import");
	render_buffer_destroy(buf);
	gbm_buffers_bo_destroy(bo);
	teardown(&f);
}

/* Destroying a buffer destroys its EGLImage, bound or not, and the next
 * buffer on the head shows its own pixels. */
static void
case_destroy(void)
{
	struct fixture f = setup();
	const struct render_stats *st = render_get_stats(f.r);
	struct gbm_buffers_bo *a = make_bo(&f, 0), *b = make_bo(&f, 2);
	struct render_buffer *ba = import_bo(&f, a, 1);
	struct render_buffer *bb = import_bo(&f, b, 2);
	CHECK(st->imports_dmabuf == 2, "imports_dmabuf %llu",
	      (unsigned long long)st->imports_dmabuf);
	bind(&f, ba, 1);
	free(draw(&f));
	render_buffer_destroy(ba);
	CHECK(st->releases_dmabuf == 1, "destroying a bound buffer released "
	      "%llu images", (unsigned long long)st->releases_dmabuf);
	bind(&f, bb, 2);
	uint8_t *frame = draw(&f);
	CHECK(count_wrong(&f, frame, 2) == 0, "%d pixels wrong after a buffer "
	      "destroy", count_wrong(&f, frame, 2));
	free(frame);
	render_buffer_destroy(bb);
	CHECK(st->releases_dmabuf == 2, "releases_dmabuf %llu",
	      (unsigned long long)st->releases_dmabuf);
	gbm_buffers_bo_destroy(a);
	gbm_buffers_bo_destroy(b);
	teardown(&f);
}

/* A buffer EGL cannot import (a memfd, which PRIME refuses) is shown
 * through mmap, and the reason is logged. */
static void
case_fallback(void)
{
	struct fixture f = setup();
	const struct render_stats *st = render_get_stats(f.r);
	uint8_t *map;
	int fd = test_memfd((size_t)W * H * 4, &map);
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			((uint32_t *)map)[y * W + x] = pattern(x, y, 3);
	struct proto_buffer_dmabuf desc = {
		.buffer_id = 7, .fourcc = DRM_FORMAT_XRGB8888,
		.modifier = DRM_FORMAT_MOD_LINEAR, .width = W, .height = H,
		.n_planes = 1, .planes = { { .offset = 0, .stride = W * 4 } },
	};
	char log_path[] = "/tmp/eglview-fallback-XXXXXX";
	int log_fd = mkstemp(log_path);
	REQUIRE(log_fd >= 0, "mkstemp");
	int saved = dup(2);
	dup2(log_fd, 2);
	char why[512];
	struct render_buffer *buf = render_buffer_import_dmabuf(f.r, &desc, &fd,
								 why, sizeof(why));
	dup2(saved, 2);
	close(saved);
	REQUIRE(buf, "the fallback refused a linear memfd: %s", why);
	char logged[1024] = "";
	ssize_t n = pread(log_fd, logged, sizeof(logged) - 1, 0);
	logged[n > 0 ? n : 0] = '\0';
	close(log_fd);
	unlink(log_path);
	fprintf(stderr, "logged: %s", logged);
	CHECK(strstr(logged, "BUFFER_DMABUF 7") && strstr(logged, "eglCreateImageKHR") &&
	      strstr(logged, "mmap"), "no reason logged for the fallback: \"%s\"",
	      logged);
	CHECK(st->imports_mmap == 1 && st->imports_dmabuf == 0,
	      "imports_mmap %llu, imports_dmabuf %llu",
	      (unsigned long long)st->imports_mmap,
	      (unsigned long long)st->imports_dmabuf);
	bind(&f, buf, 7);
	uint8_t *frame = draw(&f);
	CHECK(count_wrong(&f, frame, 3) == 0, "the fallback shows %d wrong "
	      "pixels", count_wrong(&f, frame, 3));
	free(frame);
	render_buffer_destroy(buf);
	teardown(&f);
}

/* The formats the viewer offers come from the driver: the GBM buffers'
 * (XRGB8888, modifier) is among them as a sampleable dmabuf format, and
 * nothing external-only is offered as plain. */
static void
case_formats(void)
{
	struct fixture f = setup();
	struct gbm_buffers_bo *bo = make_bo(&f, 0);
	uint32_t n;
	const struct proto_format *fmts = render_formats(f.r, &n);
	bool found = false, nv12_linear = false;
	int external = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (fmts[i].fourcc == DRM_FORMAT_XRGB8888 &&
		    fmts[i].modifier == bo->modifier &&
		    (fmts[i].flags & PROTO_FORMAT_DMABUF) &&
		    !(fmts[i].flags & PROTO_FORMAT_EXTERNAL_ONLY))
			found = true;
		if (fmts[i].flags & PROTO_FORMAT_EXTERNAL_ONLY)
			external++;
		if (fmts[i].fourcc == DRM_FORMAT_NV12 &&
		    fmts[i].modifier == DRM_FORMAT_MOD_LINEAR)
			nv12_linear = fmts[i].flags & PROTO_FORMAT_DMABUF;
	}
	fprintf(stderr, "%s: %u formats offered, %d external-only\n",
		f.out->path, n, external);
	CHECK(found, "XRGB8888 with the GBM modifier 0x%llx not offered",
	      (unsigned long long)bo->modifier);
	CHECK(nv12_linear, "NV12 LINEAR (converted by the viewer) not offered");
	gbm_buffers_bo_destroy(bo);
	teardown(&f);
}

/* --- NV12 ---------------------------------------------------------------- */

/* Four quadrants of known BT.601 limited-range colours, and the RGB each
 * converts to; checked at the quadrants' centres (chroma is filtered, so
 * edges blend) within NV12_TOLERANCE per channel (the driver's own
 * conversion on the external-image path rounds differently). */
#define NV12_TOLERANCE 10
static const struct {
	const char *name;
	uint8_t y, u, v;
	int r, g, b;
} nv12_colours[4] = {
	{ "red", 81, 90, 240, 254, 0, 0 },
	{ "green", 145, 54, 34, 0, 255, 1 },
	{ "blue", 41, 240, 110, 0, 0, 255 },
	{ "white", 235, 128, 128, 255, 255, 255 },
};

static int
nv12_quadrant(int x, int y, int w, int h)
{
	return (y >= h / 2) * 2 + (x >= w / 2);
}

/* Writes an NV12 picture: luma rows at stride from base, chroma rows
 * (U, V interleaved) at stride from base + uv_offset. */
static void
nv12_fill(uint8_t *base, uint32_t stride, uint32_t uv_offset)
{
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			base[(size_t)y * stride + x] =
				nv12_colours[nv12_quadrant(x, y, W, H)].y;
	for (int y = 0; y < H / 2; y++)
		for (int x = 0; x < W / 2; x++) {
			int q = nv12_quadrant(x, y, W / 2, H / 2);
			uint8_t *p = base + uv_offset + (size_t)y * stride + x * 2;
			p[0] = nv12_colours[q].u;
			p[1] = nv12_colours[q].v;
		}
}

static void
nv12_check(struct output *out, struct renderer *r, struct render_head *head,
	   struct render_buffer *buf, const char *path)
{
	struct proto_scanout sc = { .buffer_id = 9, .flags = PROTO_SCANOUT_Y0_TOP,
				    .width = W, .height = H };
	render_head_bind(head, buf, &sc);
	struct proto_rect all = { 0, 0, W, H };
	render_head_damage(head, &all, 1);
	REQUIRE(output_begin_frame(out) && render_draw(r, &head, 1),
		"drawing NV12 failed");
	uint8_t *frame = test_read_frame(out);
	REQUIRE(output_present(out, NULL), "present failed");
	for (int q = 0; q < 4; q++) {
		int x = (q & 1) ? W * 3 / 4 : W / 4, y = (q & 2) ? H * 3 / 4 : H / 4;
		const uint8_t *px = test_pixel(frame, out, x, y);
		printf("%s: %s quadrant at %d,%d shows %d,%d,%d (expected "
		       "%d,%d,%d +-%d)\n", path, nv12_colours[q].name, x, y,
		       px[0], px[1], px[2], nv12_colours[q].r, nv12_colours[q].g,
		       nv12_colours[q].b, NV12_TOLERANCE);
		CHECK(test_pixel_is(frame, out, x, y, nv12_colours[q].r,
				    nv12_colours[q].g, nv12_colours[q].b, 255,
				    NV12_TOLERANCE),
		      "%s: the %s quadrant is wrong", path, nv12_colours[q].name);
	}
	free(frame);
}

static struct proto_buffer_dmabuf
nv12_desc(uint64_t modifier, uint32_t offset, uint32_t stride,
	  uint32_t uv_offset)
{
	return (struct proto_buffer_dmabuf){
		.buffer_id = 9, .fourcc = DRM_FORMAT_NV12, .modifier = modifier,
		.width = W, .height = H, .n_planes = 2,
		.planes = { { .offset = offset, .stride = stride },
			    { .offset = offset + uv_offset, .stride = stride } },
	};
}

/* Runs anywhere (the normal suite): a memfd standing in for a LINEAR
 * NV12 dma-buf (no EGL takes it: on the host there is no dma-buf import,
 * in the VM PRIME refuses a memfd), both planes mapped, uploaded into R8
 * and RG8 textures and converted by quad-nv12.frag. */
static void
case_nv12_mmap(void)
{
	struct output *out = test_output(W, H);
	char why[512];
	struct renderer *r = render_create(out, why, sizeof(why));
	REQUIRE(r, "render_create: %s", why);
	struct render_head *head = render_head_create(r);
	uint32_t stride = W + 32, uv_offset = stride * H;
	size_t size = (size_t)uv_offset + (size_t)stride * H / 2;
	int fd = memfd_create("nv12-linear-dmabuf-stand-in", MFD_CLOEXEC);
	REQUIRE(fd >= 0 && ftruncate(fd, (off_t)size) == 0, "memfd");
	uint8_t *map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	REQUIRE(map != MAP_FAILED, "mmap");
	nv12_fill(map, stride, uv_offset);
	struct proto_buffer_dmabuf desc = nv12_desc(DRM_FORMAT_MOD_LINEAR, 0,
						    stride, uv_offset);
	int fds[2] = { fd, dup(fd) };
	const struct render_stats *st = render_get_stats(r);
	struct render_buffer *buf = render_buffer_import_dmabuf(r, &desc, fds,
								 why, sizeof(why));
	REQUIRE(buf, "NV12 through mmap: %s", why);
	CHECK(st->imports_mmap == 1, "imports_mmap %llu",
	      (unsigned long long)st->imports_mmap);
	nv12_check(out, r, head, buf, "NV12 mmap fallback");
	/* A change shows after its damage. */
	memset(map, 235, (size_t)stride * H);
	memset(map + uv_offset, 128, (size_t)stride * H / 2);
	struct proto_rect all = { 0, 0, W, H };
	render_head_damage(head, &all, 1);
	REQUIRE(output_begin_frame(out) && render_draw(r, &head, 1), "draw");
	uint8_t *frame = test_read_frame(out);
	output_present(out, NULL);
	CHECK(test_pixel_is(frame, out, W / 4, H / 4, 255, 255, 255, 255,
			    NV12_TOLERANCE), "an NV12 update did not show");
	free(frame);
	render_buffer_destroy(buf);
	munmap(map, size);
	render_head_destroy(head);
	render_destroy(r);
	output_destroy(out);
}

/* A real NV12 dma-buf on the DRM device (a GBM buffer laid out as NV12:
 * luma rows, then chroma rows, at the buffer's stride): one external
 * EGLImage, else per-plane EGLImages, else mmap; the pixels right. */
static void
case_nv12(void)
{
	struct fixture f = setup();
	char why[512];
	/* XRGB8888 of W/4 x 3H/2 is exactly the bytes of a W x H NV12. */
	struct gbm_buffers_bo *bo = gbm_buffers_bo_create(f.gbm, W / 4,
							  H * 3 / 2, why,
							  sizeof(why));
	REQUIRE(bo, "%s", why);
	uint32_t stride = bo->stride, uv_offset = stride * H;
	uint32_t *src = calloc((size_t)stride * H * 3 / 2, 1);
	nv12_fill((uint8_t *)src, stride, uv_offset);
	struct proto_rect all = { 0, 0, W / 4, H * 3 / 2 };
	REQUIRE(gbm_buffers_bo_write(bo, src, stride, &all, 1, why, sizeof(why)),
		"%s", why);
	free(src);
	struct proto_buffer_dmabuf desc = nv12_desc(bo->modifier, bo->offset,
						    stride, uv_offset);
	int fds[2] = { dup(bo->fd), dup(bo->fd) };
	const struct render_stats *st = render_get_stats(f.r);
	struct render_buffer *buf = render_buffer_import_dmabuf(f.r, &desc, fds,
								 why, sizeof(why));
	REQUIRE(buf, "NV12 GBM buffer: %s", why);
	const char *path = strcmp(buf->impl->name, "EGLImage") == 0 ?
			   "NV12 one external EGLImage" :
			   st->imports_mmap == 0 ? "NV12 per-plane EGLImages" :
			   "NV12 mmap fallback";
	printf("%s: %s\n", f.out->path, path);
	/* Under llvmpipe (the VM) the external image is skipped and the
	 * per-plane import may fail: any path, but exactly one import. */
	CHECK(st->imports_dmabuf + st->imports_mmap == 1, "imports_dmabuf "
	      "%llu, imports_mmap %llu", (unsigned long long)st->imports_dmabuf,
	      (unsigned long long)st->imports_mmap);
	nv12_check(f.out, f.r, f.head, buf, path);
	render_buffer_destroy(buf);
	gbm_buffers_bo_destroy(bo);
	teardown(&f);
}

static double
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Not a test (asserts nothing): the cost of a frame of a 1920x1080 GBM
 * buffer whose EGLImage is cached, beside importing it anew each frame. */
static void
case_bench(void)
{
	enum { BW = 1920, BH = 1080, FRAMES = 30 };
	struct fixture f = setup();
	char why[512];
	REQUIRE(output_resize(f.out, BW, BH), "resize to %dx%d", BW, BH);
	struct gbm_buffers_bo *bo = gbm_buffers_bo_create(f.gbm, BW, BH, why,
							  sizeof(why));
	REQUIRE(bo, "%s", why);
	struct proto_buffer_dmabuf desc = {
		.buffer_id = 1, .fourcc = DRM_FORMAT_XRGB8888,
		.modifier = bo->modifier, .width = BW, .height = BH, .n_planes = 1,
		.planes = { { .offset = bo->offset, .stride = bo->stride } },
	};
	struct proto_scanout sc = { .buffer_id = 1, .flags = PROTO_SCANOUT_Y0_TOP,
				    .width = BW, .height = BH };
	struct proto_rect all = { 0, 0, BW, BH };
	double t[2][FRAMES];
	for (int mode = 0; mode < 2; mode++) {
		struct render_buffer *buf = NULL;
		for (int i = -3; i < FRAMES; i++) {   /* 3 frames of warm-up */
			double t0 = now_ms();
			if (buf == NULL || mode == 1) {
				render_head_bind(f.head, NULL, &sc);
				render_buffer_destroy(buf);
				int fd = dup(bo->fd);
				buf = render_buffer_import_dmabuf(f.r, &desc, &fd, why,
								  sizeof(why));
				REQUIRE(buf, "%s", why);
				render_head_bind(f.head, buf, &sc);
			}
			render_head_damage(f.head, &all, 1);
			REQUIRE(output_begin_frame(f.out) &&
				render_draw(f.r, &f.head, 1) &&
				output_present(f.out, NULL), "drawing failed");
			if (i >= 0)
				t[mode][i] = now_ms() - t0;
		}
		render_head_bind(f.head, NULL, &sc);
		render_buffer_destroy(buf);
		qsort(t[mode], FRAMES, sizeof(double), compare_double);
	}
	printf("%s, %dx%d XRGB8888 modifier 0x%llx, %d frames each:\n",
	       f.out->path, BW, BH, (unsigned long long)bo->modifier, FRAMES);
	printf("  cached EGLImage:      median %.2f ms, p90 %.2f ms\n",
	       t[0][FRAMES / 2], t[0][FRAMES * 9 / 10]);
	printf("  re-import each frame: median %.2f ms, p90 %.2f ms\n",
	       t[1][FRAMES / 2], t[1][FRAMES * 9 / 10]);
	gbm_buffers_bo_destroy(bo);
	teardown(&f);
}

static const struct {
	const char *name;
	void (*run)(void);
} cases[] = {
	{ "cache", case_cache },
	{ "destroy", case_destroy },
	{ "fallback", case_fallback },
	{ "formats", case_formats },
	{ "nv12", case_nv12 },
	{ "nv12-mmap", case_nv12_mmap },
	{ "bench", case_bench },
};

int
main(int argc, char **argv)
{
	size_t n = sizeof(cases) / sizeof(cases[0]);
	if (argc == 1) {
		/* All in one process: under emulation each start of llvmpipe
		 * costs seconds. */
		for (size_t i = 0; i < n && cases[i].run != case_bench; i++) {
			int before = test_failures;
			cases[i].run();
			printf("%s: %s\n", cases[i].name,
			       test_failures == before ? "passed" : "FAILED");
		}
		return test_failures ? 1 : 0;
	}
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
