/* SPDX-License-Identifier: MIT */
/*
 * The cursor of each head: a premultiplied ARGB8888 image blended over
 * the head's picture at (position - hotspot), scaled like the picture.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render/private.h"

void
cursor_finish(struct render_cursor *cursor)
{
	if (cursor->tex)
		glDeleteTextures(1, &cursor->tex);
	cursor->tex = 0;
	free(cursor->pixels);
	cursor->pixels = NULL;
	cursor->width = cursor->height = 0;
}

void
render_head_set_cursor(struct render_head *head,
		       const struct proto_cursor_image *img,
		       const uint32_t *pixels)
{
	struct render_cursor *c = &head->cursor;
	struct renderer *r = head->r;
	if (!r || !render_make_current(r))
		return;
	if (img->width == 0 || img->height == 0 || !pixels) {
		cursor_finish(c);
		return;
	}
	if (!c->tex)
		glGenTextures(1, &c->tex);
	/* ARGB8888 little-endian is B,G,R,A in memory: GL's BGRA. */
	GLenum format = r->has_bgra ? GL_BGRA_EXT : GL_RGBA;
	glBindTexture(GL_TEXTURE_2D, c->tex);
	glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
	glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
	glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
	glTexImage2D(GL_TEXTURE_2D, 0, (GLint)format, (GLsizei)img->width,
		     (GLsizei)img->height, 0, format, GL_UNSIGNED_BYTE, pixels);
	glBindTexture(GL_TEXTURE_2D, 0);
	c->width = (int)img->width;
	c->height = (int)img->height;
	c->hot_x = img->hot_x;
	c->hot_y = img->hot_y;
	head->cursor_changed = true;
	free(c->pixels);
	c->pixels = NULL;
	size_t size = (size_t)img->width * img->height * 4;
	if (r->cpu_copies && (c->pixels = malloc(size)))
		memcpy(c->pixels, pixels, size);
}

void
render_head_move_cursor(struct render_head *head,
			const struct proto_cursor_pos *pos)
{
	head->cursor.x = pos->x;
	head->cursor.y = pos->y;
	head->cursor.visible = pos->visible != 0;
}

/* Where the cursor's image lands in output pixels (continuous). */
static void
cursor_corners(const struct render_cursor *c, const struct layout_rect *fit,
	       int src_w, int src_h, double *x0, double *y0, double *x1,
	       double *y1)
{
	double hx = (double)c->x - c->hot_x, hy = (double)c->y - c->hot_y;
	layout_head_to_output(src_w, src_h, fit, hx, hy, x0, y0);
	layout_head_to_output(src_w, src_h, fit, hx + c->width, hy + c->height,
			      x1, y1);
}

struct layout_rect
cursor_box(const struct renderer *r, const struct render_head *head,
	   const struct layout_rect *fit, int src_w, int src_h)
{
	const struct render_cursor *c = &head->cursor;
	if (!c->visible || !c->tex || c->width == 0 || r->hide_cursors)
		return (struct layout_rect){ 0 };
	double x0, y0, x1, y1;
	cursor_corners(c, fit, src_w, src_h, &x0, &y0, &x1, &y1);
	/* Scaled, the image is filtered a pixel beyond its edges. */
	int grow = fit->width == src_w && fit->height == src_h ? 0 : 1;
	int ix0 = (int)floor(x0) - grow, iy0 = (int)floor(y0) - grow;
	struct layout_rect box = { ix0, iy0, (int)ceil(x1) + grow - ix0,
				   (int)ceil(y1) + grow - iy0 };
	if (!layout_rect_intersect(&box, fit))
		return (struct layout_rect){ 0 };
	return box;
}

void
cursor_draw(struct renderer *r, struct render_head *head,
	    const struct layout_rect *fit, int src_w, int src_h)
{
	const struct render_cursor *c = &head->cursor;
	if (!c->visible || !c->tex || c->width == 0)
		return;

	double x0, y0, x1, y1;
	cursor_corners(c, fit, src_w, src_h, &x0, &y0, &x1, &y1);
	/* The cursor stays within its head's picture, off the bars and
	 * the neighbouring heads, and within the rect being drawn.
	 * Scissor boxes count rows from the bottom. */
	struct layout_rect box = *fit;
	if (r->clip.width > 0 && !layout_rect_intersect(&box, &r->clip))
		return;
	glEnable(GL_SCISSOR_TEST);
	glScissor(box.x, r->out->height - box.y - box.height, box.width,
		  box.height);
	glEnable(GL_BLEND);
	glBlendFunc(GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
	bool one_to_one = fit->width == src_w && fit->height == src_h;
	const struct sampling src = {
		.prog = &r->cursor, .target = GL_TEXTURE_2D, .tex = c->tex,
		.swap_rb = !r->has_bgra,
	};
	draw_quad(r, &src, x0, y0, x1, y1, 0.0f, 0.0f, 1.0f, 1.0f, !one_to_one);
	glDisable(GL_BLEND);
	glDisable(GL_SCISSOR_TEST);
}
