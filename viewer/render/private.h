/* SPDX-License-Identifier: MIT */
/*
 * What the renderer's files share: the structs behind the opaque handles
 * of render.h and the functions of each layer. Calls go down only:
 *
 *   render.c                      heads, the buffer list, the frame
 *   import-shm.c import-dmabuf.c  make buffers (the EGLImage and NV12
 *                                 kinds live in import-dmabuf.c)
 *   cursor.c                      a head's cursor
 *   gles.c formats.c mapping.c    the base (mapping.c: the mapped kind,
 *                                 which shm and the mmap fallback share)
 *
 * render.c reaches what differs between kinds of buffer only through
 * struct render_buffer_impl. Only the files of render/ (and the dmabuf
 * test, which asks which path a buffer took) include this.
 */
#ifndef EGLVIEW_RENDER_INTERNAL_H
#define EGLVIEW_RENDER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <epoxy/egl.h>
#include <epoxy/gl.h>

#include "damage.h"
#include "layout.h"
#include "render/render.h"

struct program {
	GLuint id;
	GLint pos, texcoord;     /* attributes */
	GLint tex, opaque, swap_rb;
	GLint tex_uv;            /* quad-nv12.frag only; else -1 */
};

/* What a quad samples: a buffer's impl hands it to render.c to draw. */
struct sampling {
	const struct program *prog;
	GLenum target;           /* GL_TEXTURE_2D or GL_TEXTURE_EXTERNAL_OES */
	GLuint tex;
	GLuint tex_uv;           /* NV12's chroma, on unit 1; 0: none */
	bool opaque;             /* the alpha channel is padding */
	bool swap_rb;            /* BGRA uploaded as RGBA */
};

/* One per kind of buffer (wlroots' wlr_texture_impl), filled where the
 * kind is made; render.c calls through it and never asks the kind. A
 * hook that needs GL makes the context current itself, only then. */
struct render_buffer_impl {
	const char *name;        /* the kind ("mapped"), for the dmabuf test */
	/* Frees what the buffer holds (textures, EGLImages, mappings, fds),
	 * not the struct; twice is fine. EGL objects need buf->r. */
	void (*release)(struct render_buffer *buf);
	/* buf was just bound to head (head->r is set); fresh: the head
	 * showed no buffer of this kind, or another source rect. NULL:
	 * nothing to prepare. */
	void (*bind)(struct render_buffer *buf, struct render_head *head,
		     bool fresh);
	/* An UPDATE's damage on head, which shows buf (head->r is set).
	 * NULL: sampled in place, nothing to copy. */
	bool (*damage)(struct render_buffer *buf, struct render_head *head,
		       const struct proto_rect *rects, uint32_t n_rects);
	/* Before GL draws head: whatever damage left for later reaches what
	 * GL samples. NULL: nothing is ever left. */
	bool (*flush)(struct render_buffer *buf, struct render_head *head);
	/* What head draws of buf; false: nothing yet (the head shows black). */
	bool (*sample)(const struct render_buffer *buf,
		       const struct render_head *head, struct sampling *out);
	/* Pixels the CPU may read at any time while the server holds the
	 * buffer (HOLD_SHOWN): row 0 and the stride, in XRGB8888 or
	 * ARGB8888; false (or NULL) when it has none such. */
	bool (*cpu_rows)(const struct render_buffer *buf, const uint8_t **row0,
			 uint32_t *stride);
};

/* The part of a buffer every kind has: each kind's own struct starts
 * with it (calloc'd), and render.c frees it after impl->release. */
struct render_buffer {
	const struct render_buffer_impl *impl;
	struct renderer *r;      /* set when linked; NULL once the renderer is gone */
	struct render_buffer *prev, *next;
	uint32_t id, fourcc, width, height;
};

/* A head's picture on the CPU: its source rect 1:1, rows top-down,
 * 0xAARRGGBB; valid once all of it was copied. */
struct cpu_picture {
	uint32_t *pixels;
	int width, height;
	bool valid;
};

struct render_cursor {
	GLuint tex;
	uint32_t *pixels;        /* a copy for frames the CPU draws, or NULL */
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

	/* The head's own copy of a mapped buffer's pixels (mapping.c). */
	GLuint tex;
	int tex_width, tex_height;
	uint32_t tex_fourcc;
	bool full_upload;        /* the next damage uploads the source rect */
	struct damage tex_stale; /* buffer pixels the texture lacks yet */
	uint64_t bytes_uploaded; /* into tex, for --stats */

	struct render_cursor cursor;
	/* What it shows, for frames the CPU draws (cpu.c): a copy, unless
	 * the buffer is held (the server leaves a shown buffer alone, so
	 * the CPU reads it where it is). */
	struct cpu_picture cpu;
	bool held;

	/* What changed since render_take_damage last placed the head:
	 * damage in buffer pixels, or all of it (a new binding). */
	struct damage pending;
	bool pending_all;
	bool cursor_changed;     /* a new image */
	/* Where it was placed then: its tile, its picture, its cursor's box
	 * (output pixels; width 0: none drawn). */
	bool placed_once;
	struct layout_rect placed_tile, placed_fit, placed_cursor;
};

struct renderer {
	struct output *out;
	struct render_stats stats;
	struct program quad, external, cursor;
	struct program nv12;     /* quad-nv12.frag: NV12 in two textures */
	enum layout_scale scale; /* --scale */
	bool filter_nearest;     /* --filter nearest */
	bool hide_cursors;       /* the window shows the guest cursor itself */
	/* Frames the CPU draws: NULL while GL draws the frame; heads keep
	 * a copy of their pictures while cpu_copies is set. */
	const struct output_pixels *cpu_target;
	bool cpu_copies;
	/* The frame redraws only these rects (render_begin_damaged); each
	 * draw call is repeated once per rect, scissored to it. */
	struct damage frame;
	/* The scissor of the draw call under way: one of the frame's rects,
	 * within the tile of the VM drawn (nothing of a VM is drawn outside
	 * its tile). */
	struct layout_rect clip;

	bool has_bgra;           /* GL_EXT_texture_format_BGRA8888 */
	bool has_row_length;     /* GLES 3 or GL_EXT_unpack_subimage */
	bool has_egl_image;      /* GL_OES_EGL_image */
	bool has_external;       /* GL_OES_EGL_image_external */
	bool has_rg;             /* GLES 3 or GL_EXT_texture_rg: NV12 planes */
	bool software;           /* llvmpipe, softpipe: GL runs on the CPU */
	bool external_yuv_wrong; /* llvmpipe: NV12 as one external image
				  * samples wrong colours (import-dmabuf.c) */
	bool has_dmabuf_import;  /* EGL_EXT_image_dma_buf_import */
	bool has_modifiers;      /* EGL_EXT_image_dma_buf_import_modifiers */

	struct proto_format formats[PROTO_MAX_FORMATS];
	uint32_t n_formats;

	struct render_head *heads;
	struct render_buffer *buffers;
};

/* --- gles.c: GL with nothing of buffers or heads ------------------------ */

/* Makes the output's context current if it is not (imports and uploads
 * may come between frames). */
bool render_make_current(struct renderer *r);
/* Links quad.vert with the fragment shader frag into prog; false with
 * why filled when the driver refuses either. */
bool link_program(struct program *prog, const char *frag_name,
		  const char *frag, char *why, size_t why_size);
/* One textured quad from what src says. dst in output pixels (row 0 at
 * the top); t_top/t_bottom the texture rows shown at its top and bottom
 * edge. */
void draw_quad(struct renderer *r, const struct sampling *src,
	       double x0, double y0, double x1, double y1,
	       float s0, float t_top, float s1, float t_bottom, bool linear);
/* Uploads a w x h block at (x, y) of the bound GL_TEXTURE_2D from src,
 * whose rows lie stride bytes apart (cpp bytes a pixel). */
void upload_pixels(const struct renderer *r, uint32_t x, uint32_t y,
		   uint32_t w, uint32_t h, GLenum format, GLenum type, int cpp,
		   const uint8_t *src, uint32_t stride);
/* false with a log line when GL reported an error in this frame. */
bool check_gl(struct renderer *r);

/* --- formats.c: the formats the renderer takes ------------------------- */

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
/* Fills r->formats, the (fourcc, modifier) pairs offered in HELLO: shm,
 * the dmabuf mmap fallback and NV12, then what EGL says it imports. */
void formats_init(struct renderer *r);
/* The flags offered for (fourcc, modifier), 0 if not offered. */
uint32_t render_format_flags(const struct renderer *r, uint32_t fourcc,
			     uint64_t modifier);

/* --- mapping.c: pixels the CPU reads ------------------------------------ */

/* A read-only shared mapping of a buffer's fd. */
struct mapping {
	uint8_t *data;           /* NULL: not mapped */
	size_t size;
	size_t offset;           /* of row 0 */
	uint32_t stride;
};

/* Maps the first offset + stride * rows bytes of fd; false with why
 * ("mmap of 8294400 bytes failed: ...") filled. */
bool mapping_init(struct mapping *map, int fd, uint64_t offset,
		  uint32_t stride, uint32_t rows, char *why, size_t why_size);
void mapping_finish(struct mapping *map);
/* The bytes fd holds (a memfd says it through fstat, a dmabuf through
 * lseek); -1 when it says neither. */
off_t mapping_fd_size(int fd);
/* Brackets CPU reads of a dmabuf (DMA_BUF_SYNC_START or _END) so they
 * see what the GPU wrote; nothing for fd < 0. */
void mapping_sync(int fd, uint64_t flags);
/* A buffer shown from a mapping of fd (BUFFER_SHM, and the dmabuf mmap
 * fallback): each head showing it keeps its own texture, into which
 * damaged rectangles are uploaded. fd stays the caller's, unless
 * keep_fd: then the buffer keeps it, on success, for DMA_BUF_IOCTL_SYNC
 * around each upload. NULL with why ("BUFFER_SHM 3: ...") filled. */
struct render_buffer *mapped_buffer_create(const char *what,
	const struct proto_buffer_shm *desc, int fd, bool keep_fd,
	char *why, size_t why_size);

/* --- the importers: buffers not yet linked, fds taken in any case ------ */

/* import-shm.c */
struct render_buffer *shm_import(struct renderer *r,
	const struct proto_buffer_shm *desc, int fd, char *why, size_t why_size);
/* import-dmabuf.c */
struct render_buffer *dmabuf_import(struct renderer *r,
	const struct proto_buffer_dmabuf *desc, const int *fds,
	char *why, size_t why_size);

/* --- cpu.c: frames the CPU draws ----------------------------------------- */

void cpu_picture_finish(struct cpu_picture *p);
/* Copies rect (buffer pixels, inside the head's source rect) of a mapped
 * buffer's data into the head's picture; false when out of memory. */
bool cpu_picture_copy(struct render_head *head, const uint8_t *data,
		      uint32_t stride, const struct shm_format *fmt,
		      const struct proto_rect *rect);
/* Whether the CPU reads the head's buffer where it is (held, cpu_rows),
 * rather than a copy. */
bool cpu_reads_buffer(const struct render_head *head);
/* Whether the head, placed in tile, can be drawn by the CPU: its picture
 * is there to read and shown 1:1; says why not. */
bool cpu_can_draw(const struct renderer *r, const struct render_head *head,
		  const struct layout_rect *tile, char *why, size_t why_size);
#define CPU_BLACK 0xff000000u
/* Into r->cpu_target: argb over rect; the head's picture placed in tile
 * over the part `in` of the tile, the rest of it black. */
void cpu_fill(struct renderer *r, const struct layout_rect *rect, uint32_t argb);
void cpu_draw_head(struct renderer *r, const struct render_head *head,
		   const struct layout_rect *tile, const struct layout_rect *in);

/* --- cursor.c ---------------------------------------------------------- */

void cursor_finish(struct render_cursor *cursor);
void cursor_draw(struct renderer *r, struct render_head *head,
		 const struct layout_rect *fit, int src_w, int src_h);
/* The output pixels the head's cursor covers when drawn in fit (within
 * fit); width 0 when it is not drawn. */
struct layout_rect cursor_box(const struct renderer *r,
			      const struct render_head *head,
			      const struct layout_rect *fit, int src_w, int src_h);

#endif
