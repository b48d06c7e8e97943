/* SPDX-License-Identifier: MIT */
/*
 * The GLES renderer and the buffer importers. A buffer is imported once
 * (render_buffer_import_*) and shown on a head by binding it; damage on a
 * shm (or mmap-fallback) buffer uploads only the damaged rectangles into
 * the head's texture; a dmabuf buffer is an EGLImage sampled directly.
 */
#ifndef EGLVIEW_RENDER_H
#define EGLVIEW_RENDER_H

#include <stdbool.h>
#include <stdint.h>

#include "damage.h"
#include "eglview-proto.h"
#include "layout.h"
#include "output/output.h"

struct renderer;
struct render_buffer;
struct render_head;

struct render_stats {
	uint64_t frames;            /* frames drawn */
	uint64_t bytes_uploaded;    /* pixel bytes passed to glTexSubImage2D */
	uint64_t rects_uploaded;
	uint64_t imports_shm;
	uint64_t imports_dmabuf;    /* EGLImage imports */
	uint64_t releases_dmabuf;   /* EGLImages destroyed with their buffer */
	uint64_t imports_mmap;      /* dmabufs shown through the mmap fallback */
	uint64_t pixels_drawn;      /* output pixels redrawn (the frames' damage) */
	uint64_t cpu_frames;        /* of frames, those the CPU drew */
};

struct renderer *render_create(struct output *out, char *why, size_t why_size);
void render_destroy(struct renderer *r); /* NULL is fine */

/* The (fourcc, modifier) pairs this renderer can import, for HELLO. Points
 * into the renderer; *n gets the count. */
const struct proto_format *render_formats(struct renderer *r, uint32_t *n);

/* Imports take ownership of the fds on success and on failure. NULL with
 * why filled ("BUFFER_SHM 3: mmap of 8294400 bytes failed: ..."). */
struct render_buffer *render_buffer_import_shm(struct renderer *r,
	const struct proto_buffer_shm *desc, int fd, char *why, size_t why_size);
struct render_buffer *render_buffer_import_dmabuf(struct renderer *r,
	const struct proto_buffer_dmabuf *desc, const int *fds,
	char *why, size_t why_size);
void render_buffer_destroy(struct render_buffer *buf); /* NULL is fine */

struct render_head *render_head_create(struct renderer *r);
void render_head_destroy(struct render_head *head); /* NULL is fine */
/* Binds buf (NULL: black) with the SCANOUT's source rect and flags. The
 * next damage after a bind to a shm buffer of another size or format
 * uploads the whole source rect. */
void render_head_bind(struct render_head *head, struct render_buffer *buf,
		      const struct proto_scanout *scanout);
/* Applies an UPDATE's damage (buffer coordinates, already validated
 * against the buffer's size): uploads those rects for shm/mmap buffers. */
bool render_head_damage(struct render_head *head,
			const struct proto_rect *rects, uint32_t n_rects);
void render_head_set_cursor(struct render_head *head,
			    const struct proto_cursor_image *img,
			    const uint32_t *pixels /* NULL when width == 0 */);
void render_head_move_cursor(struct render_head *head,
			     const struct proto_cursor_pos *pos);

/* Draws the heads into the output's current frame: each letterboxed-fit
 * into its tile of the output (one head: the whole output), black bars,
 * y0_top honoured, the cursor on top. Call between output_begin_frame and
 * output_present. */
bool render_draw(struct renderer *r, struct render_head *const *heads,
		 int n_heads);

/* Several VMs in one view: render_begin clears the output's current
 * frame to black; render_draw_in then draws a VM's heads as render_draw
 * does, but into area (output pixels, y down) and clipped to it;
 * render_draw_border paints a frame of thickness pixels inside area's
 * edge (the focused VM's mark). */
bool render_begin(struct renderer *r);

/* Partial work for partial change: render_take_damage adds to d, in
 * output pixels, what changed on heads since they were last taken, as
 * render_draw_in would place them in area (their UPDATEs' damage, a new
 * binding, a new placement, the cursor's old and new box), and forgets
 * it. render_begin_damaged then starts a frame that redraws only d (NULL:
 * all): each rect is cleared to black, and the draw calls after it touch
 * nothing outside them. */
void render_take_damage(struct renderer *r, struct render_head *const *heads,
			int n_heads, const struct layout_rect *area,
			struct damage *d);
bool render_begin_damaged(struct renderer *r, const struct damage *d);

/* Frames the CPU draws (--draw cpu): on a software GL renderer, shm
 * pictures shown 1:1 cost a memcpy of what changed instead of a shader
 * over the frame. With render_keep_cpu_copies (set before any buffer is
 * bound) each head keeps its picture on the CPU too; render_cpu_can_draw
 * says whether heads placed in area can be drawn that way (why not
 * otherwise); render_begin_cpu starts a frame like render_begin_damaged
 * whose draw calls write px instead. */
void render_keep_cpu_copies(struct renderer *r, bool keep);
/* Whether the renderer reads a shown buffer when it draws, which it may
 * only where the server holds it (HOLD_SHOWN): then say so in HELLO,
 * and mark each head of such a connection held; the CPU reads its
 * buffer where it is instead of keeping a copy. */
bool render_reads_shown(const struct renderer *r);
void render_head_set_held(struct render_head *head, bool held);
bool render_is_software(const struct renderer *r);
bool render_cpu_can_draw(struct renderer *r, struct render_head *const *heads,
			 int n_heads, const struct layout_rect *area,
			 char *why, size_t why_size);
bool render_begin_cpu(struct renderer *r, const struct output_pixels *px,
		      const struct damage *d);
/* A frame the CPU draws is not cleared at its start: the draw calls
 * write every pixel of their areas; what no draw call covers (a grid's
 * empty cells) is cleared with this. Nothing to do in a GL frame. */
void render_clear_in(struct renderer *r, const struct layout_rect *area);
bool render_draw_in(struct renderer *r, struct render_head *const *heads,
		    int n_heads, const struct layout_rect *area);
bool render_draw_border(struct renderer *r, const struct layout_rect *area,
			int thickness, uint32_t argb);

/* --scale and --filter: how each head is placed in its tile and sampled
 * when not shown 1:1. Default: fit, linear. */
void render_set_scaling(struct renderer *r, enum layout_scale scale,
			bool nearest);
/* true while the window system shows the guest cursor image as the host
 * pointer, so drawing it too would show it twice. */
void render_set_hide_cursors(struct renderer *r, bool hide);

const struct render_stats *render_get_stats(const struct renderer *r);
/* The pixel bytes uploaded for this head's texture so far. */
uint64_t render_head_bytes_uploaded(const struct render_head *head);

#endif
