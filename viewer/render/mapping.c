/* SPDX-License-Identifier: MIT */
/*
 * Pixels the CPU reads: a buffer's fd mapped read-only, its size checked,
 * reads of a dmabuf bracketed with DMA_BUF_IOCTL_SYNC; and the buffers
 * shown that way (shm, and linear dmabufs EGL cannot import), of which
 * each head showing one keeps its own texture, into which only the
 * damaged rectangles are uploaded.
 */
#include <drm_fourcc.h>
#include <errno.h>
#include <linux/dma-buf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "proto.h"
#include "render/private.h"

bool
mapping_init(struct mapping *map, int fd, uint64_t offset, uint32_t stride,
	     uint32_t rows, char *why, size_t why_size)
{
	uint64_t need = offset + (uint64_t)stride * rows;
	void *data = mmap(NULL, (size_t)need, PROT_READ, MAP_SHARED, fd, 0);
	if (data == MAP_FAILED) {
		snprintf(why, why_size, "mmap of %llu bytes failed: %s",
			 (unsigned long long)need, strerror(errno));
		return false;
	}
	*map = (struct mapping){
		.data = data, .size = (size_t)need, .offset = (size_t)offset,
		.stride = stride,
	};
	return true;
}

void
mapping_finish(struct mapping *map)
{
	if (map->data)
		munmap(map->data, map->size);
	map->data = NULL;
}

off_t
mapping_fd_size(int fd)
{
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		return st.st_size;
	return lseek(fd, 0, SEEK_END);
}

/* A memfd standing in for a dmabuf answers ENOTTY. */
void
mapping_sync(int fd, uint64_t flags)
{
	if (fd < 0)
		return;
	struct dma_buf_sync sync = { .flags = flags | DMA_BUF_SYNC_READ };
	while (ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync) < 0 && errno == EINTR)
		;
}

/* --- mapped buffers -------------------------------------------------------- */

struct mapped_buffer {
	struct render_buffer base;
	const struct shm_format *fmt;
	struct mapping map;
	int sync_fd;             /* the dmabuf, for DMA_BUF_IOCTL_SYNC; else -1 */
};

/* The buffer starts a struct mapped_buffer (like wl_container_of). */
static struct mapped_buffer *
mapped_buffer(const struct render_buffer *buf)
{
	return (struct mapped_buffer *)buf;
}

static void
mapped_release(struct render_buffer *buf)
{
	struct mapped_buffer *m = mapped_buffer(buf);
	mapping_finish(&m->map);
	if (m->sync_fd >= 0)
		close(m->sync_fd);
	m->sync_fd = -1;
}

/* Gives the head a texture of buf's size and format. */
static void
mapped_bind(struct render_buffer *buf, struct render_head *head, bool fresh)
{
	struct renderer *r = head->r;
	if (!render_make_current(r))
		return;
	const struct shm_format *fmt = mapped_buffer(buf)->fmt;
	bool realloc = head->tex == 0 || head->tex_width != (int)buf->width ||
		       head->tex_height != (int)buf->height ||
		       head->tex_fourcc != buf->fourcc;
	if (realloc || fresh) {
		head->full_upload = true;
		damage_clear(&head->tex_stale);
		head->cpu.valid = false;
	}
	if (!realloc)
		return;

	if (head->tex == 0)
		glGenTextures(1, &head->tex);
	GLenum gl_format = fmt->bgra && !r->has_bgra ? GL_RGBA : fmt->format;
	glBindTexture(GL_TEXTURE_2D, head->tex);
	glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
	glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
	glTexImage2D(GL_TEXTURE_2D, 0, (GLint)gl_format, (GLsizei)buf->width,
		     (GLsizei)buf->height, 0, gl_format, fmt->type, NULL);
	glBindTexture(GL_TEXTURE_2D, 0);
	GLenum err = glGetError();
	if (err != GL_NO_ERROR) {
		log_error("a %ux%u texture for buffer %u failed (GL error "
			  "0x%04x); the head shows black", buf->width,
			  buf->height, buf->id, err);
		head->tex_width = head->tex_height = 0;
		return;
	}
	head->tex_width = (int)buf->width;
	head->tex_height = (int)buf->height;
	head->tex_fourcc = buf->fourcc;
}

/* Clips rect to the head's source rect: only what is shown is uploaded
 * (a new source rect uploads itself whole). */
static bool
clip_to_source(const struct render_head *head, struct proto_rect *rect)
{
	const struct proto_scanout *s = &head->scanout;
	uint64_t x0 = rect->x > s->x ? rect->x : s->x;
	uint64_t y0 = rect->y > s->y ? rect->y : s->y;
	uint64_t x1 = (uint64_t)rect->x + rect->width;
	uint64_t y1 = (uint64_t)rect->y + rect->height;
	uint64_t sx1 = (uint64_t)s->x + s->width, sy1 = (uint64_t)s->y + s->height;
	if (x1 > sx1)
		x1 = sx1;
	if (y1 > sy1)
		y1 = sy1;
	if (x1 <= x0 || y1 <= y0)
		return false;
	*rect = (struct proto_rect){ (uint32_t)x0, (uint32_t)y0,
				     (uint32_t)(x1 - x0), (uint32_t)(y1 - y0) };
	return true;
}

static void
upload_rect(struct render_head *head, const struct mapped_buffer *m,
	    const struct proto_rect *rect)
{
	struct renderer *r = head->r;
	const struct shm_format *fmt = m->fmt;
	/* Frames the CPU draws read the same damage, now, while the server
	 * keeps the buffer still. */
	if (r->cpu_copies && !cpu_reads_buffer(head) &&
	    !cpu_picture_copy(head, m->map.data + m->map.offset, m->map.stride,
			      fmt, rect))
		head->cpu.valid = false;
	GLenum gl_format = fmt->bgra && !r->has_bgra ? GL_RGBA : fmt->format;
	const uint8_t *src = m->map.data + m->map.offset +
		(size_t)rect->y * m->map.stride + (size_t)rect->x * (size_t)fmt->cpp;
	upload_pixels(r, rect->x, rect->y, rect->width, rect->height, gl_format,
		      fmt->type, fmt->cpp, src, m->map.stride);
	uint64_t bytes = (uint64_t)rect->width * rect->height * (uint64_t)fmt->cpp;
	r->stats.bytes_uploaded += bytes;
	head->bytes_uploaded += bytes;
	r->stats.rects_uploaded++;
}

/* Uploads what the head's texture misses (the whole source rect after a
 * bind that needs it, else the damage gathered) from the mapping. */
static bool
upload_stale(struct render_buffer *buf, struct render_head *head)
{
	if (!head->full_upload && damage_empty(&head->tex_stale))
		return true;
	if (!render_make_current(head->r))
		return false;
	const struct mapped_buffer *m = mapped_buffer(buf);
	if (head->tex == 0 || head->tex_width == 0)
		return false;

	glBindTexture(GL_TEXTURE_2D, head->tex);
	glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
	mapping_sync(m->sync_fd, DMA_BUF_SYNC_START);
	if (head->full_upload) {
		struct proto_rect whole = { 0, 0, buf->width, buf->height };
		if (clip_to_source(head, &whole))
			upload_rect(head, m, &whole);
		head->full_upload = false;
	} else {
		for (int i = 0; i < head->tex_stale.n; i++) {
			const struct layout_rect *l = &head->tex_stale.rects[i];
			struct proto_rect rect = { (uint32_t)l->x, (uint32_t)l->y,
				(uint32_t)l->width, (uint32_t)l->height };
			if (clip_to_source(head, &rect))
				upload_rect(head, m, &rect);
		}
	}
	damage_clear(&head->tex_stale);
	mapping_sync(m->sync_fd, DMA_BUF_SYNC_END);
	glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
	glBindTexture(GL_TEXTURE_2D, 0);
	GLenum err = glGetError();
	if (err != GL_NO_ERROR) {
		log_error("uploading damage of buffer %u failed (GL error 0x%04x)",
			  buf->id, err);
		return false;
	}
	return true;
}

/* The damaged rects reach the head's texture now, or, where the CPU
 * draws from a held buffer (which stays as it is while shown), when a
 * frame GL draws needs them: a frame the CPU draws touches no GL. */
static bool
mapped_damage(struct render_buffer *buf, struct render_head *head,
	      const struct proto_rect *rects, uint32_t n_rects)
{
	for (uint32_t i = 0; i < n_rects && !head->full_upload; i++)
		damage_add(&head->tex_stale, &(struct layout_rect){
			(int)rects[i].x, (int)rects[i].y, (int)rects[i].width,
			(int)rects[i].height });
	if (head->r->cpu_copies && cpu_reads_buffer(head))
		return true;
	return upload_stale(buf, head);
}

static bool
mapped_flush(struct render_buffer *buf, struct render_head *head)
{
	return upload_stale(buf, head);
}

static bool
mapped_sample(const struct render_buffer *buf, const struct render_head *head,
	      struct sampling *out)
{
	const struct renderer *r = head->r;
	const struct shm_format *fmt = mapped_buffer(buf)->fmt;
	if (!head->tex || head->tex_width == 0)
		return false;
	*out = (struct sampling){
		.prog = &r->quad, .target = GL_TEXTURE_2D, .tex = head->tex,
		.opaque = fmt->opaque, .swap_rb = fmt->bgra && !r->has_bgra,
	};
	return true;
}

/* shm only: a dmabuf's mapping must be read between DMA_BUF_IOCTL_SYNCs. */
static bool
mapped_cpu_rows(const struct render_buffer *buf, const uint8_t **row0,
		uint32_t *stride)
{
	const struct mapped_buffer *m = mapped_buffer(buf);
	if (m->sync_fd >= 0 || (buf->fourcc != DRM_FORMAT_XRGB8888 &&
				buf->fourcc != DRM_FORMAT_ARGB8888))
		return false;
	*row0 = m->map.data + m->map.offset;
	*stride = m->map.stride;
	return true;
}

static const struct render_buffer_impl mapped_impl = {
	.name = "mapped",
	.release = mapped_release,
	.bind = mapped_bind,
	.damage = mapped_damage,
	.flush = mapped_flush,
	.sample = mapped_sample,
	.cpu_rows = mapped_cpu_rows,
};

/* Checks that fd holds what desc says, then maps it. */
static bool
map_buffer(struct mapped_buffer *m, int fd, const char *what,
	   const struct proto_buffer_shm *desc, char *why, size_t why_size)
{
	char name[5];
	m->fmt = shm_format_lookup(desc->fourcc);
	if (!m->fmt) {
		snprintf(why, why_size, "%s %u: format %s (0x%08x) cannot be "
			 "uploaded; offer only what HELLO listed", what,
			 desc->buffer_id, proto_fourcc_name(desc->fourcc, name),
			 desc->fourcc);
		return false;
	}
	uint64_t row = (uint64_t)desc->width * (uint64_t)m->fmt->cpp;
	if (desc->stride < row) {
		snprintf(why, why_size, "%s %u: stride %u is less than width %u "
			 "* %d bytes", what, desc->buffer_id, desc->stride,
			 desc->width, m->fmt->cpp);
		return false;
	}
	off_t size = mapping_fd_size(fd);
	uint64_t need = desc->offset + (uint64_t)desc->stride * desc->height;
	if (size < 0 || (uint64_t)size < need) {
		snprintf(why, why_size, "%s %u: the fd holds %lld bytes but offset "
			 "%llu + stride %u * height %u needs %llu", what,
			 desc->buffer_id, (long long)size,
			 (unsigned long long)desc->offset, desc->stride,
			 desc->height, (unsigned long long)need);
		return false;
	}
	char map_why[160];
	if (!mapping_init(&m->map, fd, desc->offset, desc->stride, desc->height,
			  map_why, sizeof(map_why))) {
		snprintf(why, why_size, "%s %u: %s", what, desc->buffer_id, map_why);
		return false;
	}
	return true;
}

struct render_buffer *
mapped_buffer_create(const char *what, const struct proto_buffer_shm *desc,
		     int fd, bool keep_fd, char *why, size_t why_size)
{
	struct mapped_buffer *m = calloc(1, sizeof(*m));
	if (!m) {
		snprintf(why, why_size, "%s %u: out of memory", what,
			 desc->buffer_id);
		return NULL;
	}
	m->base = (struct render_buffer){
		.impl = &mapped_impl, .id = desc->buffer_id,
		.fourcc = desc->fourcc, .width = desc->width,
		.height = desc->height,
	};
	if (!map_buffer(m, fd, what, desc, why, why_size)) {
		free(m);
		return NULL;
	}
	m->sync_fd = keep_fd ? fd : -1;
	return &m->base;
}
