/* SPDX-License-Identifier: MIT */
/*
 * The GLES base the renderer's files stand on: the context, the
 * programs, one textured quad, pixel uploads, the frame's error check.
 * It knows nothing of buffers or heads.
 */
#include <stdio.h>

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

bool
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
draw_quad(struct renderer *r, const struct sampling *src,
	  double x0, double y0, double x1, double y1,
	  float s0, float t_top, float s1, float t_bottom, bool linear)
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
	const struct program *prog = src->prog;
	GLenum target = src->target;

	if (src->tex_uv) {
		glActiveTexture(GL_TEXTURE1);
		glBindTexture(GL_TEXTURE_2D, src->tex_uv);
	}
	glUseProgram(prog->id);
	glActiveTexture(GL_TEXTURE0);
	glBindTexture(target, src->tex);
	glTexParameteri(target, GL_TEXTURE_MIN_FILTER, filter);
	glTexParameteri(target, GL_TEXTURE_MAG_FILTER, filter);
	glUniform1i(prog->tex, 0);
	glUniform1f(prog->opaque, src->opaque ? 1.0f : 0.0f);
	glUniform1f(prog->swap_rb, src->swap_rb ? 1.0f : 0.0f);
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

void
upload_pixels(const struct renderer *r, uint32_t x, uint32_t y, uint32_t w,
	      uint32_t h, GLenum format, GLenum type, int cpp,
	      const uint8_t *src, uint32_t stride)
{
	if (r->has_row_length && stride % (uint32_t)cpp == 0) {
		glPixelStorei(GL_UNPACK_ROW_LENGTH, (GLint)(stride / (uint32_t)cpp));
		glTexSubImage2D(GL_TEXTURE_2D, 0, (GLint)x, (GLint)y, (GLsizei)w,
				(GLsizei)h, format, type, src);
		glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
	} else {
		/* No row length (GLES 2 without the extension): a row at a time. */
		for (uint32_t row = 0; row < h; row++) {
			glTexSubImage2D(GL_TEXTURE_2D, 0, (GLint)x,
					(GLint)(y + row), (GLsizei)w, 1, format,
					type, src + (size_t)row * stride);
		}
	}
}

bool
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
