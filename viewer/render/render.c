/* SPDX-License-Identifier: MIT */
/*
 * The GLES renderer: programs, heads, and the frame. Each head's picture
 * is letterboxed into its tile (layout.c); imports live in import-*.c and
 * the cursor in render/cursor.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "log.h"
#include "render/private.h"
#include "shaders.h"

bool
render_make_current(struct renderer *r)
{
	struct output *out = r->out;
	return eglGetCurrentContext() == out->egl_context ||
	       eglMakeCurrent(out->egl_display, EGL_NO_SURFACE, EGL_NO_SURFACE,
			      out->egl_context);
}

static GLuint
compile_shader(GLenum type, const char *name, const char *source,
	       char *why, size_t why_size)
{
	GLuint shader = glCreateShader(type);
	glShaderSource(shader, 1, &source, NULL);
	glCompileShader(shader);
	GLint ok = GL_FALSE;
	glGetShaderiv(shader, GL_COMPILE_STATUS, &ok);
	if (!ok) {
		char log[512] = "";
		glGetShaderInfoLog(shader, sizeof(log), NULL, log);
		snprintf(why, why_size, "shader %s does not compile on this "
			 "driver: %s", name, log);
		glDeleteShader(shader);
		return 0;
	}
	return shader;
}

static bool
link_program(struct program *prog, const char *frag_name, const char *frag,
	     char *why, size_t why_size)
{
	GLuint vs = compile_shader(GL_VERTEX_SHADER, "quad.vert",
				   shader_quad_vert, why, why_size);
	if (!vs)
		return false;
	GLuint fs = compile_shader(GL_FRAGMENT_SHADER, frag_name, frag,
				   why, why_size);
	if (!fs) {
		glDeleteShader(vs);
		return false;
	}
	prog->id = glCreateProgram();
	glAttachShader(prog->id, vs);
	glAttachShader(prog->id, fs);
	glLinkProgram(prog->id);
	glDeleteShader(vs);
	glDeleteShader(fs);
	GLint ok = GL_FALSE;
	glGetProgramiv(prog->id, GL_LINK_STATUS, &ok);
	if (!ok) {
		char log[512] = "";
		glGetProgramInfoLog(prog->id, sizeof(log), NULL, log);
		snprintf(why, why_size, "program quad.vert + %s does not link: %s",
			 frag_name, log);
		glDeleteProgram(prog->id);
		prog->id = 0;
		return false;
	}
	prog->pos = glGetAttribLocation(prog->id, "pos");
	prog->texcoord = glGetAttribLocation(prog->id, "texcoord");
	prog->tex = glGetUniformLocation(prog->id, "tex");
	prog->opaque = glGetUniformLocation(prog->id, "opaque");
	prog->swap_rb = glGetUniformLocation(prog->id, "swap_rb");
	prog->tex_uv = glGetUniformLocation(prog->id, "tex_uv");
	if (prog->tex_uv >= 0) {
		/* Two samplers: Y on unit 0, UV on unit 1, for good. */
		glUseProgram(prog->id);
		glUniform1i(prog->tex_uv, 1);
		glUseProgram(0);
	}
	return true;
}

void
render_add_format(struct renderer *r, uint32_t fourcc, uint64_t modifier,
		  uint32_t flags)
{
	for (uint32_t i = 0; i < r->n_formats; i++) {
		if (r->formats[i].fourcc == fourcc &&
		    r->formats[i].modifier == modifier) {
			r->formats[i].flags |= flags;
			return;
		}
	}
	if (r->n_formats >= PROTO_MAX_FORMATS)
		return;
	r->formats[r->n_formats++] = (struct proto_format){
		.fourcc = fourcc, .flags = flags, .modifier = modifier,
	};
}

uint32_t
render_format_flags(const struct renderer *r, uint32_t fourcc, uint64_t modifier)
{
	for (uint32_t i = 0; i < r->n_formats; i++) {
		if (r->formats[i].fourcc == fourcc &&
		    r->formats[i].modifier == modifier)
			return r->formats[i].flags;
	}
	return 0;
}

struct renderer *
render_create(struct output *out, char *why, size_t why_size)
{
	struct renderer *r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(why, why_size, "renderer: out of memory");
		return NULL;
	}
	r->out = out;
	if (!render_make_current(r)) {
		snprintf(why, why_size, "renderer: cannot make the %s context "
			 "current", out->path ? out->path : "EGL");
		free(r);
		return NULL;
	}

	int gl_version = epoxy_gl_version();
	r->has_bgra = epoxy_has_gl_extension("GL_EXT_texture_format_BGRA8888");
	r->has_row_length = gl_version >= 30 ||
			    epoxy_has_gl_extension("GL_EXT_unpack_subimage");
	r->has_egl_image = epoxy_has_gl_extension("GL_OES_EGL_image");
	r->has_external = epoxy_has_gl_extension("GL_OES_EGL_image_external");
	r->has_rg = gl_version >= 30 || epoxy_has_gl_extension("GL_EXT_texture_rg");
	r->has_dmabuf_import = epoxy_has_egl_extension(out->egl_display,
		"EGL_EXT_image_dma_buf_import");
	r->has_modifiers = r->has_dmabuf_import && epoxy_has_egl_extension(
		out->egl_display, "EGL_EXT_image_dma_buf_import_modifiers");

	if (!link_program(&r->quad, "quad.frag", shader_quad_frag, why, why_size) ||
	    !link_program(&r->cursor, "cursor.frag", shader_cursor_frag,
			  why, why_size) ||
	    !link_program(&r->nv12, "quad-nv12.frag", shader_quad_nv12_frag,
			  why, why_size) ||
	    (r->has_external &&
	     !link_program(&r->external, "quad-external.frag",
			   shader_quad_external_frag, why, why_size))) {
		render_destroy(r);
		return NULL;
	}

	for (size_t i = 0; i < shm_fourcc_count; i++)
		render_add_format(r, shm_fourccs[i], DRM_FORMAT_MOD_LINEAR,
				  PROTO_FORMAT_SHM);
	dmabuf_add_formats(r);
	return r;
}

static void
head_release_gl(struct render_head *head)
{
	if (head->tex)
		glDeleteTextures(1, &head->tex);
	head->tex = 0;
	head->tex_width = head->tex_height = 0;
	head->tex_fourcc = 0;
	cursor_finish(&head->cursor);
}

static void
buffer_release(struct render_buffer *buf)
{
	if (buf->kind == BUFFER_EGLIMAGE || buf->kind == BUFFER_PLANAR)
		dmabuf_image_finish(buf);
	mapping_finish(buf);
	if (buf->sync_fd >= 0)
		close(buf->sync_fd);
	buf->sync_fd = -1;
}

void
render_destroy(struct renderer *r)
{
	if (!r)
		return;
	render_make_current(r);
	/* Heads and buffers should be gone by now; if not, free their GL
	 * objects while the context lives and leave the structs inert. */
	for (struct render_head *h = r->heads, *next; h; h = next) {
		next = h->next;
		head_release_gl(h);
		h->r = NULL;
		h->buf = NULL;
		h->prev = h->next = NULL;
	}
	for (struct render_buffer *b = r->buffers, *next; b; b = next) {
		next = b->next;
		buffer_release(b);
		b->r = NULL;
		b->prev = b->next = NULL;
	}
	glDeleteProgram(r->quad.id);
	glDeleteProgram(r->cursor.id);
	glDeleteProgram(r->external.id);
	glDeleteProgram(r->nv12.id);
	free(r);
}

const struct proto_format *
render_formats(struct renderer *r, uint32_t *n)
{
	*n = r->n_formats;
	return r->formats;
}

void
render_buffer_link(struct renderer *r, struct render_buffer *buf)
{
	buf->r = r;
	buf->prev = NULL;
	buf->next = r->buffers;
	if (r->buffers)
		r->buffers->prev = buf;
	r->buffers = buf;
}

void
render_buffer_destroy(struct render_buffer *buf)
{
	if (!buf)
		return;
	struct renderer *r = buf->r;
	if (r) {
		render_make_current(r);
		/* A head still showing it goes black rather than read freed
		 * memory. */
		for (struct render_head *h = r->heads; h; h = h->next) {
			if (h->buf == buf)
				h->buf = NULL;
		}
		if (buf->prev)
			buf->prev->next = buf->next;
		else
			r->buffers = buf->next;
		if (buf->next)
			buf->next->prev = buf->prev;
	}
	buffer_release(buf);
	free(buf);
}

struct render_head *
render_head_create(struct renderer *r)
{
	struct render_head *head = calloc(1, sizeof(*head));
	if (!head)
		return NULL;
	head->r = r;
	head->next = r->heads;
	if (r->heads)
		r->heads->prev = head;
	r->heads = head;
	return head;
}

void
render_head_destroy(struct render_head *head)
{
	if (!head)
		return;
	struct renderer *r = head->r;
	if (r) {
		render_make_current(r);
		head_release_gl(head);
		if (head->prev)
			head->prev->next = head->next;
		else
			r->heads = head->next;
		if (head->next)
			head->next->prev = head->prev;
	}
	free(head);
}

static bool
is_mapped(const struct render_buffer *buf)
{
	return buf && (buf->kind == BUFFER_SHM || buf->kind == BUFFER_MMAP);
}

void
render_head_bind(struct render_head *head, struct render_buffer *buf,
		 const struct proto_scanout *scanout)
{
	struct proto_scanout s = *scanout;
	if (buf) {
		/* An empty or overhanging source rect shows what exists of it. */
		if (s.width == 0 || s.height == 0) {
			s.x = s.y = 0;
			s.width = buf->width;
			s.height = buf->height;
		}
		if (s.x >= buf->width)
			s.x = 0;
		if (s.y >= buf->height)
			s.y = 0;
		if (s.width > buf->width - s.x)
			s.width = buf->width - s.x;
		if (s.height > buf->height - s.y)
			s.height = buf->height - s.y;
	}
	bool rect_changed = !is_mapped(head->buf) ||
		s.x != head->scanout.x || s.y != head->scanout.y ||
		s.width != head->scanout.width || s.height != head->scanout.height;
	head->scanout = s;
	head->buf = buf;
	if (is_mapped(buf) && head->r && render_make_current(head->r))
		shm_head_prepare(head, buf, rect_changed);
	if (buf && buf->kind == BUFFER_PLANAR && !buf->uploaded && head->r &&
	    render_make_current(head->r))
		planar_upload(buf);
}

bool
render_head_damage(struct render_head *head, const struct proto_rect *rects,
		   uint32_t n_rects)
{
	if (head->r && head->buf && head->buf->kind == BUFFER_PLANAR)
		return render_make_current(head->r) && planar_upload(head->buf);
	if (!head->r || !is_mapped(head->buf))
		return true; /* nothing to copy: black, or sampled in place */
	if (!render_make_current(head->r))
		return false;
	return shm_upload_damage(head, rects, n_rects);
}

void
draw_quad(struct renderer *r, const struct program *prog, GLenum target,
	  GLuint tex, double x0, double y0, double x1, double y1,
	  float s0, float t_top, float s1, float t_bottom, bool linear,
	  bool opaque, bool swap_rb)
{
	double w = r->out->width, h = r->out->height;
	/* Output rows grow downwards; clip-space y grows upwards. */
	const GLfloat pos[] = {
		(GLfloat)(2.0 * x0 / w - 1.0), (GLfloat)(1.0 - 2.0 * y0 / h),
		(GLfloat)(2.0 * x1 / w - 1.0), (GLfloat)(1.0 - 2.0 * y0 / h),
		(GLfloat)(2.0 * x0 / w - 1.0), (GLfloat)(1.0 - 2.0 * y1 / h),
		(GLfloat)(2.0 * x1 / w - 1.0), (GLfloat)(1.0 - 2.0 * y1 / h),
	};
	const GLfloat texcoord[] = {
		s0, t_top,
		s1, t_top,
		s0, t_bottom,
		s1, t_bottom,
	};
	GLint filter = linear ? GL_LINEAR : GL_NEAREST;

	glUseProgram(prog->id);
	glActiveTexture(GL_TEXTURE0);
	glBindTexture(target, tex);
	glTexParameteri(target, GL_TEXTURE_MIN_FILTER, filter);
	glTexParameteri(target, GL_TEXTURE_MAG_FILTER, filter);
	glUniform1i(prog->tex, 0);
	glUniform1f(prog->opaque, opaque ? 1.0f : 0.0f);
	glUniform1f(prog->swap_rb, swap_rb ? 1.0f : 0.0f);
	glVertexAttribPointer((GLuint)prog->pos, 2, GL_FLOAT, GL_FALSE, 0, pos);
	glVertexAttribPointer((GLuint)prog->texcoord, 2, GL_FLOAT, GL_FALSE, 0,
			      texcoord);
	glEnableVertexAttribArray((GLuint)prog->pos);
	glEnableVertexAttribArray((GLuint)prog->texcoord);
	glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
	glDisableVertexAttribArray((GLuint)prog->pos);
	glDisableVertexAttribArray((GLuint)prog->texcoord);
	glBindTexture(target, 0);
}

static void
draw_head(struct renderer *r, struct render_head *head,
	  const struct layout_rect *tile)
{
	const struct render_buffer *buf = head->buf;
	const struct proto_scanout *s = &head->scanout;
	int src_w = (int)s->width, src_h = (int)s->height;
	struct layout_rect fit = layout_place(r->scale, src_w, src_h, tile);
	if (!buf || fit.width <= 0 || fit.height <= 0)
		return;

	const struct program *prog = &r->quad;
	GLenum target = GL_TEXTURE_2D;
	GLuint tex;
	bool opaque, swap_rb = false;
	if (is_mapped(buf)) {
		if (!head->tex || head->tex_width == 0)
			return;
		tex = head->tex;
		opaque = buf->fmt->opaque;
		swap_rb = buf->fmt->bgra && !r->has_bgra;
	} else if (buf->kind == BUFFER_PLANAR) {
		tex = buf->tex;
		opaque = true;
		prog = &r->nv12;
		glActiveTexture(GL_TEXTURE1);
		glBindTexture(GL_TEXTURE_2D, buf->tex_uv);
		glActiveTexture(GL_TEXTURE0);
	} else {
		tex = buf->tex;
		target = buf->target;
		opaque = buf->opaque;
		if (target == GL_TEXTURE_EXTERNAL_OES)
			prog = &r->external;
	}

	float s0 = (float)s->x / (float)buf->width;
	float s1 = (float)(s->x + s->width) / (float)buf->width;
	float t_first = (float)s->y / (float)buf->height;
	float t_last = (float)(s->y + s->height) / (float)buf->height;
	bool y0_top = s->flags & PROTO_SCANOUT_Y0_TOP;
	bool one_to_one = fit.width == src_w && fit.height == src_h;
	draw_quad(r, prog, target, tex, fit.x, fit.y, fit.x + fit.width,
		  fit.y + fit.height, s0, y0_top ? t_first : t_last, s1,
		  y0_top ? t_last : t_first, !one_to_one && !r->filter_nearest,
		  opaque, swap_rb);

	if (!r->hide_cursors)
		cursor_draw(r, head, &fit, src_w, src_h);
}

/* Scissor boxes count rows from the bottom. */
static void
scissor(struct renderer *r, const struct layout_rect *rect)
{
	glScissor(rect->x, r->out->height - rect->y - rect->height,
		  rect->width, rect->height);
}

/* The heads side by side in area, each letterboxed into its tile. */
static void
draw_heads(struct renderer *r, struct render_head *const *heads, int n_heads,
	   const struct layout_rect *area)
{
	int widths[PROTO_MAX_HEADS];
	int n = n_heads < PROTO_MAX_HEADS ? n_heads : PROTO_MAX_HEADS;
	for (int i = 0; i < n; i++)
		widths[i] = heads[i] ? (int)heads[i]->scanout.width : 0;
	for (int i = 0; i < n; i++) {
		if (!heads[i])
			continue;
		struct layout_rect tile = layout_tile(area->width, area->height,
						      widths, n, i);
		tile.x += area->x;
		tile.y += area->y;
		if (r->clip.width > 0) {
			/* The cursor of the head before turned scissoring off. */
			glEnable(GL_SCISSOR_TEST);
			scissor(r, &r->clip);
		}
		draw_head(r, heads[i], &tile);
	}
}

static bool
check_gl(struct renderer *r)
{
	GLenum err = glGetError();
	if (err != GL_NO_ERROR) {
		log_error("drawing frame %llu failed (GL error 0x%04x)",
			  (unsigned long long)r->stats.frames, err);
		return false;
	}
	return true;
}

bool
render_draw(struct renderer *r, struct render_head *const *heads, int n_heads)
{
	if (!render_begin(r))
		return false;
	struct layout_rect all = { .width = r->out->width,
				   .height = r->out->height };
	draw_heads(r, heads, n_heads, &all);
	return check_gl(r);
}

bool
render_begin(struct renderer *r)
{
	if (!render_make_current(r))
		return false;
	struct output *out = r->out;
	glViewport(0, 0, out->width, out->height);
	glDisable(GL_BLEND);
	glDisable(GL_SCISSOR_TEST);
	glClearColor(0.0f, 0.0f, 0.0f, 1.0f);
	glClear(GL_COLOR_BUFFER_BIT);
	r->stats.frames++;
	return true;
}

bool
render_draw_in(struct renderer *r, struct render_head *const *heads,
	       int n_heads, const struct layout_rect *area)
{
	if (area->width <= 0 || area->height <= 0)
		return true;
	/* --scale none may overhang a tile: it must not cover the next VM's,
	 * nor may a cursor. */
	r->clip = *area;
	draw_heads(r, heads, n_heads, area);
	r->clip = (struct layout_rect){ 0 };
	glDisable(GL_SCISSOR_TEST);
	return check_gl(r);
}

bool
render_draw_border(struct renderer *r, const struct layout_rect *area,
		   int thickness, uint32_t argb)
{
	int t = thickness;
	if (2 * t > area->width || 2 * t > area->height)
		return true;
	const struct layout_rect edges[] = {
		{ area->x, area->y, area->width, t },
		{ area->x, area->y + area->height - t, area->width, t },
		{ area->x, area->y + t, t, area->height - 2 * t },
		{ area->x + area->width - t, area->y + t, t, area->height - 2 * t },
	};
	glEnable(GL_SCISSOR_TEST);
	glClearColor((float)((argb >> 16) & 0xff) / 255.0f,
		     (float)((argb >> 8) & 0xff) / 255.0f,
		     (float)(argb & 0xff) / 255.0f, 1.0f);
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		scissor(r, &edges[i]);
		glClear(GL_COLOR_BUFFER_BIT);
	}
	glDisable(GL_SCISSOR_TEST);
	return check_gl(r);
}

void
render_set_scaling(struct renderer *r, enum layout_scale scale, bool nearest)
{
	r->scale = scale;
	r->filter_nearest = nearest;
}

void
render_set_hide_cursors(struct renderer *r, bool hide)
{
	r->hide_cursors = hide;
}

const struct render_stats *
render_get_stats(const struct renderer *r)
{
	return &r->stats;
}
