/* SPDX-License-Identifier: MIT */
#include "app/waiting.h"

#include <drm_fourcc.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "app/font.h"

#define BACKGROUND 0xff202428u
#define TEXT_COLOUR 0xffc8ccd0u

/* A sealed memfd holding the picture: the importer takes it like a VM's. */
static int
make_picture(int width, int height, const char *text, char *why,
	     size_t why_size)
{
	size_t stride = (size_t)width * 4, size = stride * (size_t)height;
	int fd = memfd_create("qemu-eglview-waiting", MFD_CLOEXEC |
			      MFD_ALLOW_SEALING);
	if (fd < 0 || ftruncate(fd, (off_t)size) < 0) {
		snprintf(why, why_size, "memfd of %zu bytes for the waiting "
			 "screen: %s", size, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	uint32_t *pixels = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
				fd, 0);
	if (pixels == MAP_FAILED) {
		snprintf(why, why_size, "mmap of the waiting screen (%zu bytes): "
			 "%s", size, strerror(errno));
		close(fd);
		return -1;
	}
	for (size_t i = 0; i < size / 4; i++)
		pixels[i] = BACKGROUND;
	/* As large as fits in 3/4 of the width, at most 4x. */
	int scale = 4;
	while (scale > 1 && font_text_width(text, scale) > (int64_t)width * 3 / 4)
		scale--;
	struct font_target target = {
		.pixels = pixels, .width = width, .height = height,
		.stride = stride, .colour = TEXT_COLOUR,
	};
	font_draw_text(&target, (width - font_text_width(text, scale)) / 2,
		       (height - FONT_CELL_H * scale) / 2, scale, text);
	munmap(pixels, size);
	fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
	return fd;
}

/* A tile's picture is kept until the tile's size or the text changes:
 * several VMs redraw the whole output whenever one of them has news, and
 * an exposed window redraws it too. */
struct waiting_tile {
	struct render_buffer *buf;
	struct render_head *head;
	int width, height;
	char text[128];
};

void
waiting_tile_destroy(struct waiting_tile *wt)
{
	if (!wt)
		return;
	render_head_destroy(wt->head);
	render_buffer_destroy(wt->buf);
	free(wt);
}

static bool
make_tile(struct waiting_tile *wt, struct renderer *r, int width, int height,
	  const char *text, char *why, size_t why_size)
{
	render_head_destroy(wt->head);
	render_buffer_destroy(wt->buf);
	wt->head = NULL;
	wt->buf = NULL;
	wt->width = wt->height = 0;
	int fd = make_picture(width, height, text, why, why_size);
	if (fd < 0)
		return false;
	struct proto_buffer_shm desc = {
		.buffer_id = 1, .fourcc = DRM_FORMAT_XRGB8888,
		.width = (uint32_t)width, .height = (uint32_t)height,
		.stride = (uint32_t)width * 4,
	};
	wt->buf = render_buffer_import_shm(r, &desc, fd, why, why_size);
	wt->head = wt->buf ? render_head_create(r) : NULL;
	if (!wt->head) {
		if (wt->buf)
			snprintf(why, why_size, "out of memory for the waiting "
				 "screen");
		return false;
	}
	struct proto_scanout scanout = {
		.head_id = 1, .buffer_id = 1, .flags = PROTO_SCANOUT_Y0_TOP,
		.width = desc.width, .height = desc.height,
	};
	struct proto_rect all = { .width = desc.width, .height = desc.height };
	render_head_bind(wt->head, wt->buf, &scanout);
	if (!render_head_damage(wt->head, &all, 1)) {
		snprintf(why, why_size, "uploading the waiting screen (%dx%d) "
			 "failed", width, height);
		return false;
	}
	wt->width = width;
	wt->height = height;
	snprintf(wt->text, sizeof(wt->text), "%s", text);
	return true;
}

bool
waiting_draw_tile(struct waiting_tile **cache, struct renderer *r,
		  const struct layout_rect *tile, const char *name,
		  char *why, size_t why_size)
{
	if (tile->width <= 0 || tile->height <= 0)
		return true;
	if (!*cache && !(*cache = calloc(1, sizeof(**cache)))) {
		snprintf(why, why_size, "out of memory for the waiting screen");
		return false;
	}
	struct waiting_tile *wt = *cache;
	char text[128];
	snprintf(text, sizeof(text), "waiting for %.100s", name);
	if ((wt->width != tile->width || wt->height != tile->height ||
	     strcmp(wt->text, text) != 0) &&
	    !make_tile(wt, r, tile->width, tile->height, text, why, why_size))
		return false;
	if (!render_draw_in(r, &wt->head, 1, tile)) {
		snprintf(why, why_size, "drawing the waiting screen (%dx%d) "
			 "failed", tile->width, tile->height);
		return false;
	}
	return true;
}
