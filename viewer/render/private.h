/* SPDX-License-Identifier: MIT */
/*
 * What the renderer's files share: the structs behind the opaque handles
 * of render.h. Only render*.c and import-*.c include this.
 */
#ifndef EGLVIEW_RENDER_INTERNAL_H
#define EGLVIEW_RENDER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <epoxy/egl.h>
#include <epoxy/gl.h>

#include "layout.h"
#include "render/render.h"

/* How a single-plane RGB fourcc is uploaded into a texture. */
struct shm_format {
	uint32_t fourcc;
	int cpp;
	GLenum format;     /* glTexImage2D internalformat and format */
	GLenum type;
	bool bgra;         /* needs GL_EXT_texture_format_BGRA8888, else swap */
	bool opaque;       /* X formats: the alpha byte is padding */
};

/* NULL for a fourcc the upload path does not take. */
const struct shm_format *shm_format_lookup(uint32_t fourcc);
extern const uint32_t shm_fourccs[];
extern const size_t shm_fourcc_count;

enum buffer_kind {
	BUFFER_SHM,      /* sealed memfd, mapped */
	BUFFER_MMAP,     /* linear dmabuf, mapped (no EGL import here) */
	BUFFER_EGLIMAGE, /* dmabuf imported as an EGLImage */
	BUFFER_PLANAR,   /* NV12 in two textures, Y and UV (import-dmabuf.c):
			  * per-plane EGLImages, or mapped and uploaded */
};

struct render_buffer {
	struct renderer *r;      /* NULL once the renderer is gone */
	struct render_buffer *prev, *next;
	enum buffer_kind kind;
	uint32_t id, fourcc, width, height;

	/* BUFFER_SHM and BUFFER_MMAP */
	const struct shm_format *fmt;
	uint8_t *map;
	size_t map_size;
	size_t offset;
	uint32_t stride;
	int sync_fd;             /* BUFFER_MMAP: the dmabuf, for DMA_BUF_IOCTL_SYNC */

	/* BUFFER_EGLIMAGE */
	EGLImageKHR image;
	GLuint tex;
	GLenum target;           /* GL_TEXTURE_2D or GL_TEXTURE_EXTERNAL_OES */
	bool opaque;

	/* BUFFER_PLANAR: tex is Y; the UV plane's image or mapping here */
	EGLImageKHR image_uv;
	GLuint tex_uv;
	uint8_t *map_uv;         /* NULL: per-plane EGLImages */
	size_t map_uv_size, offset_uv;
	uint32_t stride_uv;
	bool uploaded;
};

struct render_cursor {
	GLuint tex;
	int width, height;
	int hot_x, hot_y;
	int x, y;
	bool visible;
};

struct render_head {
	struct renderer *r;      /* NULL once the renderer is gone */
	struct render_head *prev, *next;
	struct render_buffer *buf;
	struct proto_scanout scanout;

	/* The head's own copy of a mapped buffer's pixels. */
	GLuint tex;
	int tex_width, tex_height;
	uint32_t tex_fourcc;
	bool full_upload;        /* the next damage uploads the source rect */

	struct render_cursor cursor;
};

struct program {
	GLuint id;
	GLint pos, texcoord;     /* attributes */
	GLint tex, opaque, swap_rb;
	GLint tex_uv;            /* quad-nv12.frag only; else -1 */
};

struct renderer {
	struct output *out;
	struct render_stats stats;
	struct program quad, external, cursor;
	struct program nv12;     /* quad-nv12.frag: BUFFER_PLANAR */
	enum layout_scale scale; /* --scale */
	bool filter_nearest;     /* --filter nearest */
	bool hide_cursors;       /* the window shows the guest cursor itself */
	/* render_draw_in: nothing of a VM is drawn outside its tile. Width 0:
	 * no clip (one VM, the whole output). */
	struct layout_rect clip;

	bool has_bgra;           /* GL_EXT_texture_format_BGRA8888 */
	bool has_row_length;     /* GLES 3 or GL_EXT_unpack_subimage */
	bool has_egl_image;      /* GL_OES_EGL_image */
	bool has_external;       /* GL_OES_EGL_image_external */
	bool has_rg;             /* GLES 3 or GL_EXT_texture_rg: NV12 planes */
	bool external_yuv_wrong; /* llvmpipe: NV12 as one external image
				  * samples wrong colours (import-dmabuf.c) */
	bool has_dmabuf_import;  /* EGL_EXT_image_dma_buf_import */
	bool has_modifiers;      /* EGL_EXT_image_dma_buf_import_modifiers */

	struct proto_format formats[PROTO_MAX_FORMATS];
	uint32_t n_formats;

	struct render_head *heads;
	struct render_buffer *buffers;
};

/* Makes the output's context current if it is not (imports and uploads
 * may come between frames). */
bool render_make_current(struct renderer *r);

/* Adds a (fourcc, modifier) pair, or ORs flags into an existing one. */
void render_add_format(struct renderer *r, uint32_t fourcc, uint64_t modifier,
		       uint32_t flags);
/* The flags offered for (fourcc, modifier), 0 if not offered. */
uint32_t render_format_flags(const struct renderer *r, uint32_t fourcc,
			     uint64_t modifier);

/* Links a new buffer into the renderer's list (for defensive teardown). */
void render_buffer_link(struct renderer *r, struct render_buffer *buf);

/* import-shm.c: maps fd read-only after checking it holds
 * offset + stride * height bytes; fills buf's mapping fields. */
bool mapping_init(struct render_buffer *buf, int fd, const char *what,
		  uint64_t offset, uint32_t stride, char *why, size_t why_size);
void mapping_finish(struct render_buffer *buf);
/* Gives the head a texture of buf's size and format (on a bind). */
bool shm_head_prepare(struct render_head *head, struct render_buffer *buf,
		      bool rect_changed);
/* Uploads the damaged rects (or the whole source rect after a bind that
 * needs it) from the mapping into the head's texture. */
bool shm_upload_damage(struct render_head *head, const struct proto_rect *rects,
		       uint32_t n_rects);

/* import-dmabuf.c */
void dmabuf_add_formats(struct renderer *r);
void dmabuf_image_finish(struct render_buffer *buf);
/* BUFFER_PLANAR from a mapping: uploads both planes whole (a fallback;
 * per-plane EGLImages need nothing). false with a log line on GL error. */
bool planar_upload(struct render_buffer *buf);

/* render/cursor.c */
void cursor_finish(struct render_cursor *cursor);
void cursor_draw(struct renderer *r, struct render_head *head,
		 const struct layout_rect *fit, int src_w, int src_h);

/* render.c: one textured quad. dst in output pixels (row 0 at the top);
 * t_top/t_bottom the texture rows shown at its top and bottom edge. */
void draw_quad(struct renderer *r, const struct program *prog, GLenum target,
	       GLuint tex, double x0, double y0, double x1, double y1,
	       float s0, float t_top, float s1, float t_bottom, bool linear,
	       bool opaque, bool swap_rb);

#endif
