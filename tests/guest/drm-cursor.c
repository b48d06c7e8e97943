/* SPDX-License-Identifier: MIT */
/*
 * A guest program for the Linux test guest's initramfs (tests/guest/
 * linux-guest.sh): on the first connected connector of /dev/dri/card0 it
 * sets a 1024x768 mode with a dumb buffer drawn with a known picture, and a
 * 64x64 hardware cursor with hotspot (5, 7) at (300, 200) through the
 * legacy cursor ioctl, which virtio-gpu takes as its cursor plane and
 * QEMU turns into its display's cursor (D-Bus: CursorDefine, MouseSet).
 * It says "PICTURE" and "CURSOR" on stdout (the serial console) when each
 * is up, and then sleeps. Static, raw ioctls: the initramfs has no libc.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm.h>
#include <drm_mode.h>

#define WIDTH 1024
#define HEIGHT 768
#define CURSOR 64
#define HOT_X 5
#define HOT_Y 7

static int
xioctl(int fd, unsigned long req, void *arg, const char *what)
{
	int r;
	do
		r = ioctl(fd, req, arg);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		printf("drm-cursor: %s: %s\n", what, strerror(errno));
	return r;
}

/* A dumb buffer mapped: its handle, pitch and pixels. */
struct dumb {
	uint32_t handle, pitch;
	uint32_t *pixels;
};

static int
make_dumb(int fd, uint32_t w, uint32_t h, struct dumb *d)
{
	struct drm_mode_create_dumb create = { .width = w, .height = h,
					       .bpp = 32 };
	if (xioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &create, "CREATE_DUMB") < 0)
		return -1;
	struct drm_mode_map_dumb map = { .handle = create.handle };
	if (xioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &map, "MAP_DUMB") < 0)
		return -1;
	void *p = mmap(NULL, create.size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       fd, (off_t)map.offset);
	if (p == MAP_FAILED) {
		printf("drm-cursor: mmap: %s\n", strerror(errno));
		return -1;
	}
	*d = (struct dumb){ create.handle, create.pitch, p };
	return 0;
}

/* Eight bars over the top half, a dark field with a white frame below. */
static void
draw_picture(const struct dumb *d)
{
	static const uint32_t bars[8] = { 0xffffff, 0xffff00, 0x00ffff,
		0x00ff00, 0xff00ff, 0xff0000, 0x0000ff, 0x808080 };
	for (uint32_t y = 0; y < HEIGHT; y++) {
		uint32_t *row = d->pixels + y * (d->pitch / 4);
		for (uint32_t x = 0; x < WIDTH; x++) {
			uint32_t c = 0x203040;
			if (y < HEIGHT / 2)
				c = bars[x * 8 / WIDTH];
			else if (x >= 64 && x < WIDTH - 64 && y >= HEIGHT / 2 + 64 &&
				 y < HEIGHT - 64 &&
				 (x < 72 || x >= WIDTH - 72 || y < HEIGHT / 2 + 72 ||
				  y >= HEIGHT - 72))
				c = 0xffffff;
			row[x] = 0xff000000u | c;
		}
	}
}

/* A premultiplied ARGB arrow-less mark: an opaque magenta square with a
 * black outline in the top-left 32x32, a half-transparent green bar
 * under it, the rest clear. */
static void
draw_cursor(const struct dumb *d)
{
	for (uint32_t y = 0; y < CURSOR; y++) {
		uint32_t *row = d->pixels + y * (d->pitch / 4);
		for (uint32_t x = 0; x < CURSOR; x++) {
			uint32_t c = 0;
			if (x < 32 && y < 32)
				c = (x < 2 || y < 2 || x >= 30 || y >= 30) ?
					0xff000000u : 0xffff00ffu;
			else if (x < 48 && y >= 36 && y < 44)
				c = 0x80008000u;
			row[x] = c;
		}
	}
}

static int
first_connector(int fd, struct drm_mode_get_connector *out,
		struct drm_mode_modeinfo *mode, uint32_t *crtc_id)
{
	uint32_t conns[8], crtcs[8], fbs[8], encs[8];
	struct drm_mode_card_res res = { 0 };
	if (xioctl(fd, DRM_IOCTL_MODE_GETRESOURCES, &res, "GETRESOURCES") < 0)
		return -1;
	if (res.count_connectors > 8 || res.count_crtcs > 8 ||
	    res.count_fbs > 8 || res.count_encoders > 8 ||
	    res.count_crtcs == 0) {
		printf("drm-cursor: unexpected resources\n");
		return -1;
	}
	res.connector_id_ptr = (uintptr_t)conns;
	res.crtc_id_ptr = (uintptr_t)crtcs;
	res.fb_id_ptr = (uintptr_t)fbs;
	res.encoder_id_ptr = (uintptr_t)encs;
	if (xioctl(fd, DRM_IOCTL_MODE_GETRESOURCES, &res, "GETRESOURCES") < 0)
		return -1;
	for (uint32_t i = 0; i < res.count_connectors; i++) {
		struct drm_mode_modeinfo modes[64];
		struct drm_mode_get_connector c = { .connector_id = conns[i] };
		if (xioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, &c, "GETCONNECTOR") < 0)
			continue;
		if (c.connection != 1 || c.count_modes == 0)
			continue;
		uint32_t n = c.count_modes > 64 ? 64 : c.count_modes;
		c = (struct drm_mode_get_connector){ .connector_id = conns[i],
			.count_modes = n, .modes_ptr = (uintptr_t)modes };
		if (xioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, &c, "GETCONNECTOR") < 0)
			continue;
		/* 1024x768 where listed, else what comes first. */
		*mode = modes[0];
		for (uint32_t m = 0; m < n && m < c.count_modes; m++)
			if (modes[m].hdisplay == WIDTH && modes[m].vdisplay == HEIGHT) {
				*mode = modes[m];
				break;
			}
		*out = c;
		*crtc_id = crtcs[0];
		return 0;
	}
	printf("drm-cursor: no connected connector\n");
	return -1;
}

int
main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	int fd = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		printf("drm-cursor: /dev/dri/card0: %s\n", strerror(errno));
		return 1;
	}
	struct drm_mode_get_connector conn;
	struct drm_mode_modeinfo mode;
	uint32_t crtc_id;
	if (first_connector(fd, &conn, &mode, &crtc_id) < 0)
		return 1;
	if (mode.hdisplay != WIDTH || mode.vdisplay != HEIGHT) {
		printf("drm-cursor: no %ux%u mode (first: %ux%u)\n", WIDTH, HEIGHT,
		       mode.hdisplay, mode.vdisplay);
		return 1;
	}
	struct dumb fb, cur;
	if (make_dumb(fd, WIDTH, HEIGHT, &fb) < 0 ||
	    make_dumb(fd, CURSOR, CURSOR, &cur) < 0)
		return 1;
	draw_picture(&fb);
	draw_cursor(&cur);
	struct drm_mode_fb_cmd add = { .width = WIDTH, .height = HEIGHT,
		.pitch = fb.pitch, .bpp = 32, .depth = 24, .handle = fb.handle };
	if (xioctl(fd, DRM_IOCTL_MODE_ADDFB, &add, "ADDFB") < 0)
		return 1;
	uint32_t conn_id = conn.connector_id;
	struct drm_mode_crtc crtc = { .crtc_id = crtc_id, .fb_id = add.fb_id,
		.set_connectors_ptr = (uintptr_t)&conn_id, .count_connectors = 1,
		.mode = mode, .mode_valid = 1 };
	if (xioctl(fd, DRM_IOCTL_MODE_SETCRTC, &crtc, "SETCRTC") < 0)
		return 1;
	/* virtio-gpu shows a dumb buffer once it is flushed as damage. */
	struct drm_mode_fb_dirty_cmd dirty = { .fb_id = add.fb_id };
	ioctl(fd, DRM_IOCTL_MODE_DIRTYFB, &dirty);
	printf("PICTURE %ux%u\n", WIDTH, HEIGHT);

	struct drm_mode_cursor2 c2 = { .flags = DRM_MODE_CURSOR_BO |
		DRM_MODE_CURSOR_MOVE, .crtc_id = crtc_id, .x = 300, .y = 200,
		.width = CURSOR, .height = CURSOR, .handle = cur.handle,
		.hot_x = HOT_X, .hot_y = HOT_Y };
	if (xioctl(fd, DRM_IOCTL_MODE_CURSOR2, &c2, "CURSOR2") < 0)
		return 1;
	printf("CURSOR %ux%u hot %u,%u at 300,200\n", CURSOR, CURSOR, HOT_X,
	       HOT_Y);
	for (;;)
		pause();
}
