/* SPDX-License-Identifier: MIT */
/*
 * The cursor of each head: a premultiplied ARGB8888 image blended over
 * the head's picture at (position - hotspot), scaled like the picture.
 */
#include "render/private.h"

void
cursor_finish(struct render_cursor *cursor)
{
	if (cursor->tex)
		glDeleteTextures(1, &cursor->tex);
	cursor->tex = 0;
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
}

void
render_head_move_cursor(struct render_head *head,
			const struct proto_cursor_pos *pos)
{
	head->cursor.x = pos->x;
	head->cursor.y = pos->y;
	head->cursor.visible = pos->visible != 0;
}

/* a becomes its overlap with b; false when they do not overlap. */
static bool
intersect(struct layout_rect *a, const struct layout_rect *b)
{
	int x0 = a->x > b->x ? a->x : b->x;
	int y0 = a->y > b->y ? a->y : b->y;
	int x1 = a->x + a->width < b->x + b->width ? a->x + a->width :
		 b->x + b->width;
	int y1 = a->y + a->height < b->y + b->height ? a->y + a->height :
		 b->y + b->height;
	if (x1 <= x0 || y1 <= y0)
		return false;
	*a = (struct layout_rect){ x0, y0, x1 - x0, y1 - y0 };
	return true;
}

void
cursor_draw(struct renderer *r, struct render_head *head,
	    const struct layout_rect *fit, int src_w, int src_h)
{
	const struct render_cursor *c = &head->cursor;
	if (!c->visible || !c->tex || c->width == 0)
		return;

	double x0, y0, x1, y1;
	double hx = (double)c->x - c->hot_x, hy = (double)c->y - c->hot_y;
	layout_head_to_output(src_w, src_h, fit, hx, hy, &x0, &y0);
	layout_head_to_output(src_w, src_h, fit, hx + c->width, hy + c->height,
			      &x1, &y1);
	/* The cursor stays within its head's picture, off the bars and
	 * the neighbouring heads. Scissor boxes count rows from the bottom. */
	struct layout_rect box = *fit;
	if (r->clip.width > 0 && !intersect(&box, &r->clip))
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
