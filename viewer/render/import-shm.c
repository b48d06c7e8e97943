/* SPDX-License-Identifier: MIT */
/*
 * shm buffers (and linear dmabufs EGL cannot import): the pixels are
 * mapped read-only once, and each head showing such a buffer keeps its
 * own texture into which only the damaged rectangles are uploaded.
 */
#include <errno.h>
#include <linux/dma-buf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "log.h"
#include "render/private.h"

/* Little-endian DRM fourccs: XRGB8888 is B,G,R,X in memory, which is
 * GL's BGRA; XBGR8888 is R,G,B,X, GL's RGBA; RGB565 is GL's 5_6_5. */
static const struct shm_format formats[] = {
	{ DRM_FORMAT_XRGB8888, 4, GL_BGRA_EXT, GL_UNSIGNED_BYTE, true, true },
	{ DRM_FORMAT_ARGB8888, 4, GL_BGRA_EXT, GL_UNSIGNED_BYTE, true, false },
	{ DRM_FORMAT_XBGR8888, 4, GL_RGBA, GL_UNSIGNED_BYTE, false, true },
	{ DRM_FORMAT_ABGR8888, 4, GL_RGBA, GL_UNSIGNED_BYTE, false, false },
	{ DRM_FORMAT_RGB565, 2, GL_RGB, GL_UNSIGNED_SHORT_5_6_5, false, true },
};

const uint32_t shm_fourccs[] = {
	DRM_FORMAT_XRGB8888, DRM_FORMAT_ARGB8888, DRM_FORMAT_XBGR8888,
	DRM_FORMAT_ABGR8888, DRM_FORMAT_RGB565,
};
const size_t shm_fourcc_count = sizeof(shm_fourccs) / sizeof(shm_fourccs[0]);

const struct shm_format *
shm_format_lookup(uint32_t fourcc)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (formats[i].fourcc == fourcc)
			return &formats[i];
	}
	return NULL;
}

static char *
fourcc_str(uint32_t fourcc, char buf[static 5])
{
	for (int i = 0; i < 4; i++) {
		char c = (char)((fourcc >> (8 * i)) & 0xff);
		buf[i] = c >= 0x20 && c < 0x7f ? c : '?';
	}
	buf[4] = '\0';
	return buf;
}

bool
mapping_init(struct render_buffer *buf, int fd, const char *what,
	     uint64_t offset, uint32_t stride, char *why, size_t why_size)
{
	char name[5];
	buf->fmt = shm_format_lookup(buf->fourcc);
	if (!buf->fmt) {
		snprintf(why, why_size, "%s %u: format %s (0x%08x) cannot be "
			 "uploaded; offer only what HELLO listed", what, buf->id,
			 fourcc_str(buf->fourcc, name), buf->fourcc);
		return false;
	}
	uint64_t row = (uint64_t)buf->width * (uint64_t)buf->fmt->cpp;
	if (stride < row) {
		snprintf(why, why_size, "%s %u: stride %u is less than width %u "
			 "* %d bytes", what, buf->id, stride, buf->width,
			 buf->fmt->cpp);
		return false;
	}
	/* A memfd says its size through fstat, a dmabuf through lseek. */
	struct stat st;
	off_t size = -1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		size = st.st_size;
	else
		size = lseek(fd, 0, SEEK_END);
	uint64_t need = offset + (uint64_t)stride * buf->height;
	if (size < 0 || (uint64_t)size < need) {
		snprintf(why, why_size, "%s %u: the fd holds %lld bytes but offset "
			 "%llu + stride %u * height %u needs %llu", what, buf->id,
			 (long long)size, (unsigned long long)offset, stride,
			 buf->height, (unsigned long long)need);
		return false;
	}
	void *map = mmap(NULL, (size_t)need, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		snprintf(why, why_size, "%s %u: mmap of %llu bytes failed: %s",
			 what, buf->id, (unsigned long long)need, strerror(errno));
		return false;
	}
	buf->map = map;
	buf->map_size = (size_t)need;
	buf->offset = (size_t)offset;
	buf->stride = stride;
	return true;
}

void
mapping_finish(struct render_buffer *buf)
{
	if (buf->map)
		munmap(buf->map, buf->map_size);
	buf->map = NULL;
}

struct render_buffer *
render_buffer_import_shm(struct renderer *r, const struct proto_buffer_shm *desc,
			 int fd, char *why, size_t why_size)
{
	struct render_buffer *buf = calloc(1, sizeof(*buf));
	if (!buf) {
		snprintf(why, why_size, "BUFFER_SHM %u: out of memory", desc->buffer_id);
		close(fd);
		return NULL;
	}
	buf->kind = BUFFER_SHM;
	buf->id = desc->buffer_id;
	buf->fourcc = desc->fourcc;
	buf->width = desc->width;
	buf->height = desc->height;
	buf->sync_fd = -1;
	bool ok = mapping_init(buf, fd, "BUFFER_SHM", desc->offset, desc->stride,
			       why, why_size);
	/* The mapping keeps the memory alive; the fd is not needed again. */
	close(fd);
	if (!ok) {
		free(buf);
		return NULL;
	}
	render_buffer_link(r, buf);
	r->stats.imports_shm++;
	return buf;
}

bool
shm_head_prepare(struct render_head *head, struct render_buffer *buf,
		 bool rect_changed)
{
	struct renderer *r = head->r;
	const struct shm_format *fmt = buf->fmt;
	bool realloc = head->tex == 0 || head->tex_width != (int)buf->width ||
		       head->tex_height != (int)buf->height ||
		       head->tex_fourcc != buf->fourcc;
	if (realloc || rect_changed)
		head->full_upload = true;
	if (!realloc)
		return true;

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
		return false;
	}
	head->tex_width = (int)buf->width;
	head->tex_height = (int)buf->height;
	head->tex_fourcc = buf->fourcc;
	return true;
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
upload_rect(struct render_head *head, const struct proto_rect *rect)
{
	struct renderer *r = head->r;
	const struct render_buffer *buf = head->buf;
	const struct shm_format *fmt = buf->fmt;
	GLenum gl_format = fmt->bgra && !r->has_bgra ? GL_RGBA : fmt->format;
	const uint8_t *src = buf->map + buf->offset +
		(size_t)rect->y * buf->stride + (size_t)rect->x * (size_t)fmt->cpp;

	if (r->has_row_length && buf->stride % (uint32_t)fmt->cpp == 0) {
		glPixelStorei(GL_UNPACK_ROW_LENGTH, (GLint)(buf->stride / (uint32_t)fmt->cpp));
		glTexSubImage2D(GL_TEXTURE_2D, 0, (GLint)rect->x, (GLint)rect->y,
				(GLsizei)rect->width, (GLsizei)rect->height,
				gl_format, fmt->type, src);
		glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
	} else {
		/* No row length (GLES 2 without the extension): a row at a time. */
		for (uint32_t y = 0; y < rect->height; y++) {
			glTexSubImage2D(GL_TEXTURE_2D, 0, (GLint)rect->x,
					(GLint)(rect->y + y), (GLsizei)rect->width, 1,
					gl_format, fmt->type,
					src + (size_t)y * buf->stride);
		}
	}
	r->stats.bytes_uploaded += (uint64_t)rect->width * rect->height *
				   (uint64_t)fmt->cpp;
	r->stats.rects_uploaded++;
}

/* CPU reads of a dmabuf must be bracketed so caches are coherent with
 * the GPU that wrote it; a memfd standing in for one answers ENOTTY. */
static void
dmabuf_sync(const struct render_buffer *buf, uint64_t flags)
{
	if (buf->sync_fd < 0)
		return;
	struct dma_buf_sync sync = { .flags = flags | DMA_BUF_SYNC_READ };
	while (ioctl(buf->sync_fd, DMA_BUF_IOCTL_SYNC, &sync) < 0 && errno == EINTR)
		;
}

bool
shm_upload_damage(struct render_head *head, const struct proto_rect *rects,
		  uint32_t n_rects)
{
	struct render_buffer *buf = head->buf;
	if (head->tex == 0 || head->tex_width == 0)
		return false;

	glBindTexture(GL_TEXTURE_2D, head->tex);
	glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
	dmabuf_sync(buf, DMA_BUF_SYNC_START);
	if (head->full_upload) {
		struct proto_rect whole = { 0, 0, buf->width, buf->height };
		if (clip_to_source(head, &whole))
			upload_rect(head, &whole);
		head->full_upload = false;
	} else {
		for (uint32_t i = 0; i < n_rects; i++) {
			struct proto_rect rect = rects[i];
			if (clip_to_source(head, &rect))
				upload_rect(head, &rect);
		}
	}
	dmabuf_sync(buf, DMA_BUF_SYNC_END);
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
