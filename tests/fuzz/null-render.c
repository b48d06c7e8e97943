/* SPDX-License-Identifier: MIT */
/*
 * The renderer interface (viewer/render.h) without GL, for fuzzing the
 * viewer's protocol client. It does what the real importers do to memory
 * and checks what the real renderer relies on the client for: shm buffers
 * are mapped and every damaged row is read (a buffer that lies about its
 * size gives SIGBUS here as it would there), imported fds must be open,
 * binds and damage must lie inside the buffer. A broken promise aborts.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "proto.h"
#include "render/render.h"

#define REQUIRE(cond) do { if (!(cond)) abort(); } while (0)

struct renderer {
	int unused;
};

struct render_buffer {
	uint32_t width, height, stride, cpp;
	const uint8_t *map;   /* shm: the mapping, row 0 at map */
	void *map_base;
	size_t map_size;
	int fds[PROTO_MAX_PLANES];
	int n_fds;
};

struct render_head {
	struct render_buffer *bound;
};

static const struct proto_format formats[] = {
	{ DRM_FORMAT_XRGB8888, PROTO_FORMAT_SHM | PROTO_FORMAT_DMABUF, DRM_FORMAT_MOD_LINEAR },
	{ DRM_FORMAT_ARGB8888, PROTO_FORMAT_SHM | PROTO_FORMAT_DMABUF, DRM_FORMAT_MOD_LINEAR },
	{ DRM_FORMAT_XBGR8888, PROTO_FORMAT_SHM, DRM_FORMAT_MOD_LINEAR },
	{ DRM_FORMAT_ABGR8888, PROTO_FORMAT_SHM, DRM_FORMAT_MOD_LINEAR },
	{ DRM_FORMAT_RGB565, PROTO_FORMAT_SHM, DRM_FORMAT_MOD_LINEAR },
	{ DRM_FORMAT_NV12, PROTO_FORMAT_DMABUF, DRM_FORMAT_MOD_LINEAR },
};

struct renderer *
null_renderer_create(void)
{
	return calloc(1, sizeof(struct renderer));
}

void
render_destroy(struct renderer *r)
{
	free(r);
}

const struct proto_format *
render_formats(struct renderer *r, uint32_t *n)
{
	(void)r;
	*n = sizeof(formats) / sizeof(formats[0]);
	return formats;
}

static void
require_open(int fd)
{
	REQUIRE(fd >= 0 && fcntl(fd, F_GETFD) >= 0);
}

struct render_buffer *
render_buffer_import_shm(struct renderer *r, const struct proto_buffer_shm *desc,
			 int fd, char *why, size_t why_size)
{
	(void)r;
	(void)why;
	(void)why_size;
	require_open(fd);
	const struct proto_fourcc_info *fi = proto_fourcc_info(desc->fourcc);
	REQUIRE(fi != NULL && fi->n_planes == 1);
	struct render_buffer *b = calloc(1, sizeof(*b));
	REQUIRE(b != NULL);
	/* Map from the page that holds offset, as an importer must. */
	uint64_t page = desc->offset & ~(uint64_t)4095;
	uint64_t size = desc->offset - page + (uint64_t)desc->stride * desc->height;
	void *map = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, (off_t)page);
	REQUIRE(map != MAP_FAILED);
	close(fd);
	*b = (struct render_buffer){
		.width = desc->width, .height = desc->height,
		.stride = desc->stride, .cpp = (uint32_t)fi->cpp[0],
		.map = (const uint8_t *)map + (desc->offset - page),
		.map_base = map, .map_size = size,
	};
	return b;
}

struct render_buffer *
render_buffer_import_dmabuf(struct renderer *r,
			    const struct proto_buffer_dmabuf *desc,
			    const int *fds, char *why, size_t why_size)
{
	(void)r;
	(void)why;
	(void)why_size;
	struct render_buffer *b = calloc(1, sizeof(*b));
	REQUIRE(b != NULL && desc->n_planes >= 1 &&
		desc->n_planes <= PROTO_MAX_PLANES);
	b->width = desc->width;
	b->height = desc->height;
	for (uint32_t i = 0; i < desc->n_planes; i++) {
		require_open(fds[i]);
		b->fds[b->n_fds++] = fds[i];
	}
	return b;
}

void
render_buffer_destroy(struct render_buffer *b)
{
	if (b == NULL)
		return;
	if (b->map_base != NULL)
		munmap(b->map_base, b->map_size);
	for (int i = 0; i < b->n_fds; i++) {
		require_open(b->fds[i]);
		close(b->fds[i]);
	}
	free(b);
}

struct render_head *
render_head_create(struct renderer *r)
{
	(void)r;
	return calloc(1, sizeof(struct render_head));
}

void
render_head_destroy(struct render_head *head)
{
	free(head);
}

void
render_head_bind(struct render_head *head, struct render_buffer *buf,
		 const struct proto_scanout *s)
{
	if (buf != NULL)
		REQUIRE((uint64_t)s->x + s->width <= buf->width &&
			(uint64_t)s->y + s->height <= buf->height);
	head->bound = buf;
}

bool
render_head_damage(struct render_head *head, const struct proto_rect *rects,
		   uint32_t n_rects)
{
	struct render_buffer *b = head->bound;
	REQUIRE(b != NULL);
	volatile uint8_t sink = 0;
	for (uint32_t i = 0; i < n_rects; i++) {
		const struct proto_rect *rc = &rects[i];
		REQUIRE(rc->width > 0 && rc->height > 0 &&
			(uint64_t)rc->x + rc->width <= b->width &&
			(uint64_t)rc->y + rc->height <= b->height);
		if (b->map == NULL)
			continue;
		/* The first and last byte of each damaged row: an upload
		 * reads everything in between. */
		for (uint32_t y = rc->y; y < rc->y + rc->height; y++) {
			const uint8_t *row = b->map + (size_t)y * b->stride;
			sink ^= row[(size_t)rc->x * b->cpp];
			sink ^= row[((size_t)rc->x + rc->width) * b->cpp - 1];
		}
	}
	(void)sink;
	return true;
}

/* The client counts each head's uploaded bytes (--stats) from these. */
const struct render_stats *
render_get_stats(const struct renderer *r)
{
	static const struct render_stats none;
	(void)r;
	return &none;
}

void
render_head_set_cursor(struct render_head *head,
		       const struct proto_cursor_image *img,
		       const uint32_t *pixels)
{
	(void)head;
	volatile uint32_t sink = 0;
	if (img->width > 0)
		sink ^= pixels[img->width * img->height - 1];
	(void)sink;
}

void
render_head_move_cursor(struct render_head *head,
			const struct proto_cursor_pos *pos)
{
	(void)head;
	(void)pos;
}

uint64_t
render_head_bytes_uploaded(const struct render_head *head)
{
	(void)head;
	return 0;
}

/* The null renderer draws nothing, so it reads no shown buffer. */
bool
render_reads_shown(const struct renderer *r)
{
	(void)r;
	return false;
}

void
render_head_set_held(struct render_head *head, bool held)
{
	(void)head;
	(void)held;
}

/* The client is fuzzed without an output (client_create): the zero-copy
 * hand-off is never offered, so its hooks are never reached but must
 * link. */
bool
output_direct_offered(struct output *out, char *why, size_t why_size)
{
	(void)out;
	snprintf(why, why_size, "fuzzing: no output");
	return false;
}
