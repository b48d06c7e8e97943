/* SPDX-License-Identifier: MIT */
/*
 * qemu-formats-*: the surface formats QEMU sends besides x8r8g8b8
 * (r5g6b5, x1r5g5b5, r8g8b8: 16, 15 and 24 bpp guest modes), fed by the
 * fake QEMU (fake-qemu.c) to the real eglview-shim, watched by raw
 * protocol viewers that map what they are sent (pixels-harness.c) and,
 * in viewer-snapshot, by the real qemu-eglview. The expected picture is
 * derived here from the pattern sent: a 5-bit channel v shows as
 * (v * 255 + 15) / 31, a 6-bit one as (v * 255 + 31) / 63, i.e.
 * round(v * 255 / max), what GL's conversion of an RGB565 texel gives;
 * exact (tolerance 0) but for RGB565 drawn by GL (1: llvmpipe replicates
 * bits instead of rounding).
 *
 *   rgb565-as-is      Scanout + partial Updates of r5g6b5 to a viewer
 *                     that takes RGB565: RGB565 memfds with QEMU's own
 *                     bytes, copied once; a viewer without RGB565 joins:
 *                     both see XRGB8888 from then on.
 *   rgb565-disabled   that join while QEMU has the head disabled: the
 *                     head stays disabled until QEMU draws again.
 *   rgb565-converted  the same to a viewer without RGB565: XRGB8888.
 *   x1r5g5b5          converted (the top bit ignored), though the viewer
 *                     takes RGB565.
 *   r8g8b8            converted, rows of 3 bytes a pixel and a stride
 *                     that is not a multiple of 4.
 *   map               ScanoutMap (QEMU >= 9.2): a sealed r5g6b5 memfd
 *                     passed as it is (RGB565), turned over to the copied
 *                     path when a viewer without RGB565 joins; r8g8b8 and
 *                     unsealed x1r5g5b5 memfds copied and converted, each
 *                     UpdateMap its rectangle only.
 *   hostile           strides below width * bytes a pixel, short data,
 *                     sizes that overflow 32 bits, unknown formats: each
 *                     refused with a line that says so, nothing shown,
 *                     the shim alive and showing the next good frame.
 *   viewer-snapshot   qemu-eglview (offscreen, --draw gl and cpu) shows
 *                     each format after a Scanout and a partial Update,
 *                     its --snapshot equal to the expected picture.
 */
#include <drm_fourcc.h>
#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pixels-harness.h"
#include "png-util.h"

#define PIXMAN_A8B8G8R8 0x20038888u
#define IFACE_MAP "org.qemu.Display1.Listener.Unix.Map"

struct fmt {
	uint32_t pixman;
	const char *name;
	uint32_t bpp;
};

static const struct fmt X8R8G8B8 = { 0x20020888u, "x8r8g8b8", 4 };
static const struct fmt R5G6B5 = { 0x10020565u, "r5g6b5", 2 };
static const struct fmt X1R5G5B5 = { 0x10020555u, "x1r5g5b5", 2 };
static const struct fmt R8G8B8 = { 0x18020888u, "r8g8b8", 3 };

static const struct proto_format with_565[] = {
	{ DRM_FORMAT_XRGB8888, PROTO_FORMAT_SHM, DRM_FORMAT_MOD_LINEAR },
	{ DRM_FORMAT_RGB565, PROTO_FORMAT_SHM, DRM_FORMAT_MOD_LINEAR },
};
static const struct proto_format without_565[] = {
	{ DRM_FORMAT_XRGB8888, PROTO_FORMAT_SHM, DRM_FORMAT_MOD_LINEAR },
};

/* QEMU's picture: its own bytes (4 a pixel at most) and what a viewer
 * must see of them, XRGB8888. */
static uint8_t src_model[MAXH][MAXW * 4];
static uint32_t expect[MAXW * MAXH];
static unsigned long long copied; /* bytes the shim must have copied */

/* --- the pattern and its formats --------------------------------------- */

static void
pattern_rgb(uint32_t x, uint32_t y, uint32_t salt, uint32_t *r, uint32_t *g,
	    uint32_t *b)
{
	*r = (x * 3 + salt * 40) & 0xff;
	*g = (y * 3 + salt * 20) & 0xff;
	*b = ((x ^ y) * 5 + salt * 60) & 0xff;
}

static uint32_t
w5(uint32_t v)
{
	return (v * 255 + 15) / 31;
}

static uint32_t
w6(uint32_t v)
{
	return (v * 255 + 31) / 63;
}

/* One pixel of the pattern in f at px, and what it must look like. */
static uint32_t
encode(const struct fmt *f, uint8_t *px, uint32_t x, uint32_t y,
       uint32_t salt)
{
	uint32_t r, g, b, v;
	pattern_rgb(x, y, salt, &r, &g, &b);
	switch (f->bpp) {
	case 4:
		v = 0xff000000u | r << 16 | g << 8 | b;
		memcpy(px, &v, 4);
		return v;
	case 3:
		px[0] = (uint8_t)b;
		px[1] = (uint8_t)g;
		px[2] = (uint8_t)r;
		return 0xff000000u | r << 16 | g << 8 | b;
	}
	if (f == &R5G6B5) {
		v = (r >> 3) << 11 | (g >> 2) << 5 | b >> 3;
		px[0] = (uint8_t)v;
		px[1] = (uint8_t)(v >> 8);
		return 0xff000000u | w5(r >> 3) << 16 | w6(g >> 2) << 8 |
		       w5(b >> 3);
	}
	/* x1r5g5b5: the top bit set on odd columns, which must not show. */
	v = (x & 1) << 15 | (r >> 3) << 10 | (g >> 3) << 5 | b >> 3;
	px[0] = (uint8_t)v;
	px[1] = (uint8_t)(v >> 8);
	return 0xff000000u | w5(r >> 3) << 16 | w5(g >> 3) << 8 | w5(b >> 3);
}

/* The rect drawn into rows (stride apart) and into the models. */
static void
draw(const struct fmt *f, uint8_t *rows, size_t stride, uint32_t x,
     uint32_t y, uint32_t w, uint32_t h, uint32_t salt)
{
	for (uint32_t j = 0; j < h; j++)
		for (uint32_t i = 0; i < w; i++) {
			uint8_t *px = rows + j * stride + (size_t)i * f->bpp;
			expect[(y + j) * MAXW + x + i] =
				encode(f, px, x + i, y + j, salt);
			memcpy(&src_model[y + j][(x + i) * f->bpp], px,
			       f->bpp);
		}
}

static GVariant *
pixels(const struct fmt *f, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
       uint32_t stride, uint32_t salt)
{
	size_t size = (size_t)stride * h;
	uint8_t *rows = calloc(1, size);
	draw(f, rows, stride, x, y, w, h, salt);
	GVariant *v = g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, rows,
						size, 1);
	free(rows);
	return v;
}

static bool
call(const char *iface, const char *method, GVariant *params, int fd)
{
	GVariant *r = fake_listener_call(iface, method, params, fd);
	if (r != NULL)
		g_variant_unref(r);
	return r != NULL;
}

/* dst_bpp: what the shim's memfds hold a pixel (4, or 2 as is). */
static void
send_scanout(const struct fmt *f, uint32_t w, uint32_t h, uint32_t salt,
	     uint32_t dst_bpp)
{
	/* A stride with a few bytes to spare, as QEMU's may have. */
	uint32_t stride = w * f->bpp + 6;
	model_w = w;
	model_h = h;
	CHECK(call(IFACE_LISTENER, "Scanout", g_variant_new("(uuuu@ay)", w, h,
		   stride, f->pixman, pixels(f, 0, 0, w, h, stride, salt)), -1));
	copied += (unsigned long long)w * h * dst_bpp;
}

static void
send_update(const struct fmt *f, uint32_t x, uint32_t y, uint32_t w,
	    uint32_t h, uint32_t salt, uint32_t dst_bpp)
{
	uint32_t stride = w * f->bpp + 2;
	CHECK(call(IFACE_LISTENER, "Update", g_variant_new("(iiiiuu@ay)", x, y,
		   w, h, stride, f->pixman,
		   pixels(f, x, y, w, h, stride, salt)), -1));
	copied += (unsigned long long)w * h * dst_bpp;
}

/* --- what a viewer has ------------------------------------------------- */

/* The bound buffer is fourcc and shows the model: QEMU's own bytes
 * (RGB565) or the expected picture (XRGB8888). */
static bool
shows_as(const struct tview *t, uint32_t fourcc)
{
	const struct tbuf *b = find_buf(t, t->bound);
	if (b == NULL || b->shm.fourcc != fourcc ||
	    b->shm.width != model_w || b->shm.height != model_h) {
		fprintf(stderr, "%s: bound buffer %u is %ux%u fourcc 0x%08x, "
			"expected %ux%u fourcc 0x%08x\n", t->name, t->bound,
			b ? b->shm.width : 0, b ? b->shm.height : 0,
			b ? b->shm.fourcc : 0, model_w, model_h, fourcc);
		return false;
	}
	for (uint32_t y = 0; y < model_h; y++) {
		const uint8_t *row = b->map + b->shm.offset +
				     (size_t)y * b->shm.stride;
		const void *want = fourcc == DRM_FORMAT_RGB565 ?
			(const void *)src_model[y] : &expect[y * MAXW];
		size_t bytes = (size_t)model_w *
			       (fourcc == DRM_FORMAT_RGB565 ? 2 : 4);
		if (memcmp(row, want, bytes) != 0) {
			for (uint32_t x = 0; fourcc != DRM_FORMAT_RGB565 &&
			     x < model_w; x++) {
				uint32_t got;
				memcpy(&got, row + 4 * x, 4);
				if (got != expect[y * MAXW + x]) {
					fprintf(stderr, "%s: pixel %u,%u is "
						"0x%08x, expected 0x%08x\n",
						t->name, x, y, got,
						expect[y * MAXW + x]);
					break;
				}
			}
			fprintf(stderr, "%s: buffer %u differs from the "
				"expected picture in row %u\n", t->name, b->id,
				y);
			return false;
		}
	}
	return true;
}

static bool
next_shows(struct tview *t, uint32_t fourcc)
{
	bool ok = view_next_update(t, TIMEOUT_MS) && shows_as(t, fourcc);
	view_done(t);
	return ok;
}

static void
stop_and_check_copied(void)
{
	struct counts n;
	harness_stop_shim(&n);
	REQUIRE(n.found);
	fprintf(stderr, "shim: %llu bytes copied from QEMU (expected %llu)\n",
		n.from_qemu, copied);
	CHECK(n.from_qemu == copied);
}

/* --- the cases --------------------------------------------------------- */

static void
case_rgb565_as_is(void)
{
	REQUIRE(harness_start_shim());
	struct tview a, b;
	REQUIRE(view_join_formats(&a, "with-565", 0, with_565, 2));
	send_scanout(&R5G6B5, W, H, 1, 2);
	CHECK(next_shows(&a, DRM_FORMAT_RGB565));
	const struct tbuf *buf = find_buf(&a, a.bound);
	CHECK(buf != NULL && buf->shm.stride == W * 2);
	send_update(&R5G6B5, 10, 20, 50, 30, 2, 2);
	REQUIRE(view_next_update(&a, TIMEOUT_MS));
	CHECK(shows_as(&a, DRM_FORMAT_RGB565));
	CHECK(damage_covers(&a, &(struct proto_rect){ 10, 20, 50, 30 }, 1));
	view_done(&a);
	/* A viewer that cannot take RGB565: everyone gets XRGB8888. */
	REQUIRE(view_join_formats(&b, "without-565", 0, without_565, 1));
	CHECK(next_shows(&b, DRM_FORMAT_XRGB8888));
	CHECK(next_shows(&a, DRM_FORMAT_XRGB8888));
	copied += (unsigned long long)W * H * 4; /* the picture, converted */
	send_update(&R5G6B5, 200, 100, 64, 64, 3, 4);
	CHECK(next_shows(&a, DRM_FORMAT_XRGB8888));
	CHECK(next_shows(&b, DRM_FORMAT_XRGB8888));
	view_close(&a);
	view_close(&b);
	struct counts n;
	harness_stop_shim(&n);
	REQUIRE(n.found);
	/* Into RGB565 memfds twice (Scanout, Update), then the conversion
	 * at the join (counted as caught up) and one converted Update. */
	CHECK(n.from_qemu == (unsigned long long)W * H * 2 + 50 * 30 * 2 +
			     64 * 64 * 4);
	CHECK(strstr(n.log, "does not take RGB565") != NULL);
}

/* A viewer without RGB565 joins while QEMU has the head disabled: the
 * picture is converted, and the head stays disabled until QEMU draws. */
static void
case_rgb565_disabled(void)
{
	REQUIRE(harness_start_shim());
	struct tview a, b;
	REQUIRE(view_join_formats(&a, "with-565", 0, with_565, 2));
	send_scanout(&R5G6B5, W, H, 1, 2);
	CHECK(next_shows(&a, DRM_FORMAT_RGB565));
	CHECK(call(IFACE_LISTENER, "Disable", NULL, -1));
	REQUIRE(view_join_formats(&b, "without-565", 0, without_565, 1));
	CHECK(view_quiet(&a, 150), "no UPDATE on a disabled head");
	CHECK(view_quiet(&b, 50), "no UPDATE on a disabled head");
	send_scanout(&R5G6B5, W, H, 2, 4);
	CHECK(next_shows(&a, DRM_FORMAT_XRGB8888));
	CHECK(next_shows(&b, DRM_FORMAT_XRGB8888));
	view_close(&a);
	view_close(&b);
	struct counts n;
	harness_stop_shim(&n);
}

static void
converted_case(const struct fmt *f, const struct proto_format *offer,
	       uint32_t n_offer)
{
	REQUIRE(harness_start_shim());
	struct tview t;
	REQUIRE(view_join_formats(&t, f->name, 0, offer, n_offer));
	send_scanout(f, W, H, 1, 4);
	CHECK(next_shows(&t, DRM_FORMAT_XRGB8888));
	static const struct proto_rect small[] = {
		{ 10, 10, 50, 40 }, { 201, 99, 63, 65 }, { 0, 230, W, 10 },
		{ 319, 0, 1, H }, { 100, 50, 1, 1 },
	};
	for (uint32_t i = 0; i < 5; i++) {
		const struct proto_rect *r = &small[i];
		send_update(f, r->x, r->y, r->width, r->height, 10 + i, 4);
		REQUIRE(view_next_update(&t, TIMEOUT_MS));
		CHECK(shows_as(&t, DRM_FORMAT_XRGB8888));
		CHECK(damage_covers(&t, r, 1));
		view_done(&t);
	}
	/* A Scanout of another size in the same format. */
	send_scanout(f, W - 21, H - 7, 20, 4);
	CHECK(next_shows(&t, DRM_FORMAT_XRGB8888));
	view_close(&t);
	stop_and_check_copied();
}

static void case_rgb565_converted(void) { converted_case(&R5G6B5, without_565, 1); }
static void case_x1r5g5b5(void) { converted_case(&X1R5G5B5, with_565, 2); }
static void case_r8g8b8(void) { converted_case(&R8G8B8, with_565, 2); }

/* A memfd of QEMU's surface, mapped here too, sealed or not. */
struct surface {
	int fd;
	uint8_t *rows;
	uint32_t stride;
	size_t size;
};

static void
surface_open(struct surface *s, const struct fmt *f, bool sealed)
{
	s->stride = W * f->bpp + 8;
	s->size = (size_t)s->stride * H;
	s->fd = memfd_create("fake-qemu-surface", MFD_CLOEXEC |
			     MFD_ALLOW_SEALING);
	REQUIRE(s->fd >= 0 && ftruncate(s->fd, (off_t)s->size) == 0);
	if (sealed)
		fcntl(s->fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW |
		      F_SEAL_SEAL);
	s->rows = mmap(NULL, s->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       s->fd, 0);
	REQUIRE(s->rows != MAP_FAILED);
}

static void
surface_close(struct surface *s)
{
	munmap(s->rows, s->size);
	close(s->fd);
}

static void
surface_draw(struct surface *s, const struct fmt *f,
	     const struct proto_rect *r, uint32_t salt)
{
	draw(f, s->rows + (size_t)r->y * s->stride + (size_t)r->x * f->bpp,
	     s->stride, r->x, r->y, r->width, r->height, salt);
}

static bool
scanout_map(const struct surface *s, const struct fmt *f)
{
	model_w = W;
	model_h = H;
	return call(IFACE_MAP, "ScanoutMap", g_variant_new("(huuuuu)", 0, 0,
		    W, H, s->stride, f->pixman), s->fd);
}

static bool
update_map(const struct proto_rect *r)
{
	return call(IFACE_MAP, "UpdateMap", g_variant_new("(iiii)", r->x, r->y,
		    r->width, r->height), -1);
}

static void
case_map(void)
{
	REQUIRE(harness_start_shim());
	struct tview a, b;
	REQUIRE(view_join_formats(&a, "with-565", 0, with_565, 2));
	struct surface s;
	const struct proto_rect whole = { 0, 0, W, H };
	const struct proto_rect part = { 33, 17, 101, 55 };

	/* Sealed r5g6b5: QEMU's memfd itself, as RGB565. */
	surface_open(&s, &R5G6B5, true);
	surface_draw(&s, &R5G6B5, &whole, 1);
	REQUIRE(scanout_map(&s, &R5G6B5));
	REQUIRE(view_next_update(&a, TIMEOUT_MS));
	const struct tbuf *buf = find_buf(&a, a.bound);
	CHECK(buf != NULL && buf->shm.stride == s.stride);
	CHECK(shows_as(&a, DRM_FORMAT_RGB565));
	view_done(&a);
	surface_draw(&s, &R5G6B5, &part, 2);
	REQUIRE(update_map(&part));
	CHECK(next_shows(&a, DRM_FORMAT_RGB565));
	/* A viewer without RGB565: converted, for both. */
	REQUIRE(view_join_formats(&b, "without-565", 0, without_565, 1));
	CHECK(next_shows(&b, DRM_FORMAT_XRGB8888));
	CHECK(next_shows(&a, DRM_FORMAT_XRGB8888));
	copied += (unsigned long long)W * H * 4;
	surface_draw(&s, &R5G6B5, &part, 3);
	REQUIRE(update_map(&part));
	copied += (unsigned long long)part.width * part.height * 4;
	CHECK(next_shows(&a, DRM_FORMAT_XRGB8888));
	CHECK(next_shows(&b, DRM_FORMAT_XRGB8888));
	surface_close(&s);

	/* r8g8b8 and x1r5g5b5 (unsealed): copied, converted. */
	const struct fmt *conv[] = { &R8G8B8, &X1R5G5B5 };
	for (int i = 0; i < 2; i++) {
		surface_open(&s, conv[i], i == 0);
		surface_draw(&s, conv[i], &whole, 10 + i);
		REQUIRE(scanout_map(&s, conv[i]));
		copied += (unsigned long long)W * H * 4;
		CHECK(next_shows(&a, DRM_FORMAT_XRGB8888));
		CHECK(next_shows(&b, DRM_FORMAT_XRGB8888));
		/* QEMU draws outside the rect too: only the rect shows,
		 * the picture before it elsewhere. */
		static uint32_t shown[MAXW * MAXH];
		memcpy(shown, expect, sizeof(shown));
		surface_draw(&s, conv[i], &whole, 20 + i);
		surface_draw(&s, conv[i], &part, 30 + i);
		for (uint32_t y = part.y; y < part.y + part.height; y++)
			memcpy(&shown[y * MAXW + part.x],
			       &expect[y * MAXW + part.x], part.width * 4);
		memcpy(expect, shown, sizeof(shown));
		REQUIRE(update_map(&part));
		copied += (unsigned long long)part.width * part.height * 4;
		REQUIRE(view_next_update(&a, TIMEOUT_MS));
		CHECK(shows_as(&a, DRM_FORMAT_XRGB8888));
		CHECK(damage_covers(&a, &part, 1));
		view_done(&a);
		CHECK(next_shows(&b, DRM_FORMAT_XRGB8888));
		surface_close(&s);
	}
	view_close(&a);
	view_close(&b);
	stop_and_check_copied();
}

static void
case_hostile(void)
{
	REQUIRE(harness_start_shim());
	struct tview t;
	REQUIRE(view_join_formats(&t, "with-565", 0, with_565, 2));
	send_scanout(&R5G6B5, W, H, 1, 2);
	CHECK(next_shows(&t, DRM_FORMAT_RGB565));
	static uint8_t junk[W * 4 * 4];
	GVariant *v;
#define JUNK(n) g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, junk, (n), 1)
	/* Updates: stride below w * bpp, data short by a byte, widths
	 * whose bytes overflow 32 bits, an unknown format. None is shown. */
	struct { int32_t x, y, w, h; uint32_t stride, pixman; size_t n; } bad[] = {
		{ 0, 0, 16, 2, 16 * 2 - 1, R5G6B5.pixman, sizeof(junk) },
		{ 0, 0, 16, 2, 16 * 3 - 1, R8G8B8.pixman, sizeof(junk) },
		{ 0, 0, 16, 2, 16 * 2, X1R5G5B5.pixman, 16 * 2 * 2 - 1 },
		{ 0, 0, 16, 3, 16 * 3, R8G8B8.pixman, 16 * 3 * 3 - 1 },
		{ 0, 0, 0x40000001, 1, 4, X8R8G8B8.pixman, 4 },
		{ 0, 0, 0x7fffffff, 2, 0xfffffffeu, R5G6B5.pixman, 64 },
		{ 0, 0, 0x55555556, 1, 2, R8G8B8.pixman, 2 },
		{ 0x7fffffff, 0x7fffffff, 1, 1, 4, X8R8G8B8.pixman, 4 },
		{ 0, 0, 4, 4, 16, PIXMAN_A8B8G8R8, sizeof(junk) },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = g_variant_new("(iiiiuu@ay)", bad[i].x, bad[i].y, bad[i].w,
				  bad[i].h, bad[i].stride, bad[i].pixman,
				  JUNK(bad[i].n));
		CHECK(call(IFACE_LISTENER, "Update", v, -1));
	}
	/* A Scanout in an unknown format; ScanoutMaps that do not add up. */
	CHECK(call(IFACE_LISTENER, "Scanout", g_variant_new("(uuuu@ay)", 4, 4,
		   16, PIXMAN_A8B8G8R8, JUNK(64)), -1));
	struct surface s;
	surface_open(&s, &R5G6B5, true);
	CHECK(!call(IFACE_MAP, "ScanoutMap", g_variant_new("(huuuuu)", 0, 0,
		    W, H, W * 2 - 1, R5G6B5.pixman), s.fd));
	CHECK(!call(IFACE_MAP, "ScanoutMap", g_variant_new("(huuuuu)", 0, 0,
		    W, H, W * 3 - 1, R8G8B8.pixman), s.fd));
	CHECK(!call(IFACE_MAP, "ScanoutMap", g_variant_new("(huuuuu)", 0, 0,
		    W, H + 1, s.stride, R5G6B5.pixman), s.fd));
	CHECK(!call(IFACE_MAP, "ScanoutMap", g_variant_new("(huuuuu)", 0,
		    0xffffff00u, W, H, s.stride, R5G6B5.pixman), s.fd));
	CHECK(!call(IFACE_MAP, "ScanoutMap", g_variant_new("(huuuuu)", 0, 0,
		    W, H, 0xffffffffu, R5G6B5.pixman), s.fd));
	CHECK(!call(IFACE_MAP, "ScanoutMap", g_variant_new("(huuuuu)", 0, 0,
		    W, H, W * 4, PIXMAN_A8B8G8R8), s.fd));
	surface_close(&s);
	CHECK(view_quiet(&t, 100));
	/* Still there, and the next good frame shows. */
	send_scanout(&R8G8B8, W, H, 5, 4);
	CHECK(next_shows(&t, DRM_FORMAT_XRGB8888));
	view_close(&t);
	CHECK(waitpid(shim_pid, NULL, WNOHANG) == 0, "the shim is alive");
	struct counts n;
	harness_stop_shim(&n);
	REQUIRE(n.found);
	const char *said[] = {
		"r5g6b5 update 16x2+0+0 with stride 31 and",
		"r8g8b8 update 16x2+0+0 with stride 47 and",
		"x1r5g5b5 update 16x2+0+0 with stride 32 and 63 bytes",
		"r8g8b8 update 16x3+0+0 with stride 48 and 143 bytes",
		"x8r8g8b8 update 1073741825x1+0+0",
		"r5g6b5 update 2147483647x2+0+0",
		"r8g8b8 update 1431655766x1+0+0",
		"pixman format 0x20038888 is not supported (only x8r8g8b8, "
			"a8r8g8b8, r5g6b5, x1r5g5b5, r8g8b8)",
		"ScanoutMap r5g6b5 320x240 stride 639 is not a valid layout",
		"ScanoutMap r8g8b8 320x240 stride 959 is not a valid layout",
		"ScanoutMap came without a memfd of at least",
		"ScanoutMap pixman format 0x20038888 is not supported",
	};
	for (size_t i = 0; i < sizeof(said) / sizeof(said[0]); i++)
		CHECK(strstr(n.log, said[i]) != NULL, "the log says \"%s\"",
		      said[i]);
	/* 0x7fffffff,0x7fffffff: out of range, said as a size. */
	CHECK(strstr(n.log, "out of 1..") != NULL);
	/* Said once, not for every frame. */
	const char *once = "its frames are dropped";
	const char *first = strstr(n.log, once);
	CHECK(first != NULL && strstr(first + 1, once) == NULL);
}

/* --- the real viewer -------------------------------------------------- */

static const char *viewer_exe, *out_dir;

/* Writes the expected picture and a diff (matches a dim green of it,
 * mismatches red) beside the shot; the number of mismatching pixels. */
static uint32_t
compare_shot(const char *shot, const char *tag, int tolerance)
{
	uint8_t *rgba = NULL;
	uint32_t w = 0, h = 0;
	if (!png_util_read_rgba(shot, &rgba, &w, &h)) {
		fprintf(stderr, "%s: no snapshot %s\n", tag, shot);
		return UINT32_MAX;
	}
	uint32_t bad = 0;
	uint8_t *diff = malloc((size_t)model_w * model_h * 3);
	for (uint32_t y = 0; y < model_h && w == model_w && h == model_h; y++)
		for (uint32_t x = 0; x < model_w; x++) {
			const uint8_t *got = rgba + ((size_t)y * w + x) * 4;
			uint32_t e = expect[y * MAXW + x];
			uint8_t want[3] = { (uint8_t)(e >> 16), (uint8_t)(e >> 8),
					    (uint8_t)e };
			uint8_t *d = diff + ((size_t)y * model_w + x) * 3;
			bool same = true;
			for (int ch = 0; ch < 3; ch++)
				same &= abs(got[ch] - want[ch]) <= tolerance;
			if (!same && bad++ == 0)
				fprintf(stderr, "%s: first mismatch at %u,%u: "
					"%u,%u,%u, expected %u,%u,%u\n", tag, x,
					y, got[0], got[1], got[2], want[0],
					want[1], want[2]);
			d[0] = same ? want[0] / 4 : 255;
			d[1] = same ? 64 + want[1] / 4 : 0;
			d[2] = same ? want[2] / 4 : 0;
		}
	if (w != model_w || h != model_h) {
		fprintf(stderr, "%s: snapshot %ux%u, the picture %ux%u\n", tag,
			w, h, model_w, model_h);
		bad = UINT32_MAX;
	}
	if (bad != 0) {
		char path[512];
		snprintf(path, sizeof(path), "%s/formats-%s-expected.png",
			 out_dir, tag);
		png_util_write_xrgb(path, expect, model_w, model_h, MAXW * 4);
		snprintf(path, sizeof(path), "%s/formats-%s-diff.png", out_dir,
			 tag);
		if (bad != UINT32_MAX)
			png_util_write_bytes(path, diff, model_w, model_h,
					     false);
		fprintf(stderr, "%s: %u pixels differ; expected picture and "
			"diff in %s\n", tag, bad, out_dir);
	}
	free(diff);
	free(rgba);
	return bad;
}

/* Reads the viewer's log until it has said "<- UPDATE" n times, or it
 * ended (EOF); false after TIMEOUT_MS. */
static bool
viewer_wait_updates(int fd, char *log, size_t *len, size_t cap, int n)
{
	int64_t end = fake_now_ms() + 2 * TIMEOUT_MS;
	for (;;) {
		int seen = 0;
		for (const char *p = log; (p = strstr(p, "<- UPDATE")); p++)
			seen++;
		if (n > 0 && seen >= n)
			return true;
		int64_t left = end - fake_now_ms();
		if (left <= 0)
			return false;
		struct pollfd pfd = { fd, POLLIN, 0 };
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		ssize_t got = read(fd, log + *len, cap - 1 - *len);
		if (got <= 0)
			return n == 0;
		*len += (size_t)got;
		log[*len] = '\0';
	}
}

/* qemu-eglview shows f: a Scanout before it joins, a partial Update (or
 * the sealed memfd and an UpdateMap) after its first frame; its snapshot
 * after the second frame must be the expected picture, exactly. */
static void
viewer_shows(const struct fmt *f, bool map, const char *draw_mode)
{
	char tag[64], shot[512], vm[128];
	snprintf(tag, sizeof(tag), "%s%s-%s", f->name, map ? "-map" : "",
		 draw_mode);
	snprintf(shot, sizeof(shot), "%s/formats-%s.png", out_dir, tag);
	snprintf(vm, sizeof(vm), "%s/vm.sock", dir);
	unlink(shot);
	const struct proto_rect part = { 41, 23, 97, 61 };
	struct surface s = { .fd = -1 };
	if (map) {
		surface_open(&s, f, true);
		surface_draw(&s, f, &(struct proto_rect){ 0, 0, W, H }, 1);
		REQUIRE(scanout_map(&s, f));
	} else {
		send_scanout(f, W, H, 1, 0);
	}
	int out[2];
	REQUIRE(pipe(out) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(out[1], 1);
		dup2(out[1], 2);
		close(out[0]);
		execl(viewer_exe, viewer_exe, "--backend", "offscreen", "--draw",
		      draw_mode, "-v", "--exit-after-frames", "2", "--snapshot",
		      shot, vm, (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	static char log[1 << 16];
	size_t len = 0;
	log[0] = '\0';
	bool first = viewer_wait_updates(out[0], log, &len, sizeof(log), 1);
	CHECK(first, "%s: the viewer's first UPDATE", tag);
	if (map) {
		surface_draw(&s, f, &part, 2);
		CHECK(update_map(&part));
	} else {
		send_update(f, part.x, part.y, part.width, part.height, 2, 0);
	}
	bool ended = viewer_wait_updates(out[0], log, &len, sizeof(log), 0);
	close(out[0]);
	if (!ended)
		kill(pid, SIGKILL);
	int status = 0;
	waitpid(pid, &status, 0);
	bool ok = ended && WIFEXITED(status) && WEXITSTATUS(status) == 0;
	CHECK(ok, "%s: the viewer exits 0 after two frames", tag);
	if (!ok)
		fprintf(stderr, "--- the viewer's log ---\n%s--- end ---\n", log);
	/* llvmpipe widens an RGB565 texel by bit replication, (v << 3 |
	 * v >> 2), 1 off round(v * 255 / 31) at most: within GL's
	 * precision, and the one tolerance here. */
	int tolerance = f->pixman == R5G6B5.pixman &&
			strcmp(draw_mode, "gl") == 0 ? 1 : 0;
	uint32_t bad = compare_shot(shot, tag, tolerance);
	CHECK(bad == 0, "%s: the snapshot shows the expected picture", tag);
	if (bad == 0)
		fprintf(stderr, "ok: %s: %s matches, tolerance %d\n", tag,
			shot, tolerance);
	if (map)
		surface_close(&s);
}

static void
case_viewer_snapshot(void)
{
	REQUIRE(viewer_exe != NULL && out_dir != NULL);
	if (mkdir(out_dir, 0755) != 0 && errno != EEXIST)
		FAIL("cannot make %s: %s", out_dir, strerror(errno));
	REQUIRE(harness_start_shim());
	viewer_shows(&R5G6B5, false, "gl");
	viewer_shows(&R5G6B5, false, "cpu");
	viewer_shows(&X1R5G5B5, false, "gl");
	viewer_shows(&R8G8B8, false, "gl");
	viewer_shows(&R5G6B5, true, "gl");
	struct counts n;
	harness_stop_shim(&n);
}

int
main(int argc, char **argv)
{
	if (argc != 3 && argc != 5) {
		fprintf(stderr, "usage: %s EGLVIEW-SHIM CASE [QEMU-EGLVIEW "
			"OUT-DIR]\n", argv[0]);
		return 2;
	}
	shim_exe = argv[1];
	viewer_exe = argc == 5 ? argv[3] : NULL;
	out_dir = argc == 5 ? argv[4] : NULL;
	static const struct test_case cases[] = {
		{ "rgb565-as-is", case_rgb565_as_is },
		{ "rgb565-disabled", case_rgb565_disabled },
		{ "rgb565-converted", case_rgb565_converted },
		{ "x1r5g5b5", case_x1r5g5b5 },
		{ "r8g8b8", case_r8g8b8 },
		{ "map", case_map },
		{ "hostile", case_hostile },
		{ "viewer-snapshot", case_viewer_snapshot },
	};
	int status = test_run_case(argv[0], cases,
				   sizeof(cases) / sizeof(cases[0]), argv[2]);
	if (shim_pid > 0 && waitpid(shim_pid, NULL, WNOHANG) == 0) {
		kill(shim_pid, SIGKILL);
		waitpid(shim_pid, NULL, 0);
	}
	return status;
}
