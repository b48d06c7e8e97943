/* SPDX-License-Identifier: MIT */
/*
 * dmabuf buffers: imported once as an EGLImage and sampled directly
 * (samplerExternalOES for the formats the driver only offers that way);
 * where EGL cannot import (no EGL_EXT_image_dma_buf_import, or the import
 * fails) a LINEAR single-plane RGB buffer is mapped and uploaded like shm.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "egl.h"
#include "import-dmabuf.h"
#include "render-internal.h"

static const struct {
	EGLint fd, offset, pitch, mod_lo, mod_hi;
} plane_attribs[PROTO_MAX_PLANES] = {
	{ EGL_DMA_BUF_PLANE0_FD_EXT, EGL_DMA_BUF_PLANE0_OFFSET_EXT,
	  EGL_DMA_BUF_PLANE0_PITCH_EXT, EGL_DMA_BUF_PLANE0_MODIFIER_LO_EXT,
	  EGL_DMA_BUF_PLANE0_MODIFIER_HI_EXT },
	{ EGL_DMA_BUF_PLANE1_FD_EXT, EGL_DMA_BUF_PLANE1_OFFSET_EXT,
	  EGL_DMA_BUF_PLANE1_PITCH_EXT, EGL_DMA_BUF_PLANE1_MODIFIER_LO_EXT,
	  EGL_DMA_BUF_PLANE1_MODIFIER_HI_EXT },
	{ EGL_DMA_BUF_PLANE2_FD_EXT, EGL_DMA_BUF_PLANE2_OFFSET_EXT,
	  EGL_DMA_BUF_PLANE2_PITCH_EXT, EGL_DMA_BUF_PLANE2_MODIFIER_LO_EXT,
	  EGL_DMA_BUF_PLANE2_MODIFIER_HI_EXT },
	{ EGL_DMA_BUF_PLANE3_FD_EXT, EGL_DMA_BUF_PLANE3_OFFSET_EXT,
	  EGL_DMA_BUF_PLANE3_PITCH_EXT, EGL_DMA_BUF_PLANE3_MODIFIER_LO_EXT,
	  EGL_DMA_BUF_PLANE3_MODIFIER_HI_EXT },
};

size_t
import_dmabuf_attribs(EGLint attribs[static IMPORT_DMABUF_MAX_ATTRIBS],
		      const struct proto_buffer_dmabuf *desc, const int *fds,
		      bool with_modifiers)
{
	if (desc->n_planes < 1 || desc->n_planes > PROTO_MAX_PLANES)
		return 0;
	size_t n = 0;
	attribs[n++] = EGL_WIDTH;
	attribs[n++] = (EGLint)desc->width;
	attribs[n++] = EGL_HEIGHT;
	attribs[n++] = (EGLint)desc->height;
	attribs[n++] = EGL_LINUX_DRM_FOURCC_EXT;
	attribs[n++] = (EGLint)desc->fourcc;
	bool modifier = with_modifiers && desc->modifier != DRM_FORMAT_MOD_INVALID;
	for (uint32_t i = 0; i < desc->n_planes; i++) {
		attribs[n++] = plane_attribs[i].fd;
		attribs[n++] = fds[i];
		attribs[n++] = plane_attribs[i].offset;
		attribs[n++] = (EGLint)desc->planes[i].offset;
		attribs[n++] = plane_attribs[i].pitch;
		attribs[n++] = (EGLint)desc->planes[i].stride;
		if (modifier) {
			attribs[n++] = plane_attribs[i].mod_lo;
			attribs[n++] = (EGLint)(desc->modifier & 0xffffffffu);
			attribs[n++] = plane_attribs[i].mod_hi;
			attribs[n++] = (EGLint)(desc->modifier >> 32);
		}
	}
	attribs[n++] = EGL_NONE;
	return n;
}

void
dmabuf_add_formats(struct renderer *r)
{
	EGLDisplay dpy = r->out->egl_display;
	/* The mmap fallback takes any LINEAR single-plane RGB buffer. */
	for (size_t i = 0; i < shm_fourcc_count; i++)
		render_add_format(r, shm_fourccs[i], DRM_FORMAT_MOD_LINEAR,
				  PROTO_FORMAT_DMABUF);
	if (!r->has_dmabuf_import || !r->has_egl_image)
		return;

	if (!r->has_modifiers) {
		/* Without the query, the buffers EGL takes are the implicit-
		 * modifier RGB ones; say so with MOD_INVALID. */
		for (size_t i = 0; i < shm_fourcc_count; i++)
			render_add_format(r, shm_fourccs[i], DRM_FORMAT_MOD_INVALID,
					  PROTO_FORMAT_DMABUF);
		return;
	}

	EGLint n_fourccs = 0;
	if (!eglQueryDmaBufFormatsEXT(dpy, 0, NULL, &n_fourccs) || n_fourccs <= 0)
		return;
	EGLint *fourccs = calloc((size_t)n_fourccs, sizeof(*fourccs));
	if (!fourccs)
		return;
	eglQueryDmaBufFormatsEXT(dpy, n_fourccs, fourccs, &n_fourccs);
	for (EGLint i = 0; i < n_fourccs && r->n_formats < PROTO_MAX_FORMATS; i++) {
		uint32_t fourcc = (uint32_t)fourccs[i];
		EGLint n_mods = 0;
		eglQueryDmaBufModifiersEXT(dpy, fourccs[i], 0, NULL, NULL, &n_mods);
		if (n_mods <= 0) {
			uint32_t flags = PROTO_FORMAT_DMABUF;
			if (!shm_format_lookup(fourcc))
				flags |= PROTO_FORMAT_EXTERNAL_ONLY;
			if (!(flags & PROTO_FORMAT_EXTERNAL_ONLY) || r->has_external)
				render_add_format(r, fourcc, DRM_FORMAT_MOD_INVALID, flags);
			continue;
		}
		EGLuint64KHR *mods = calloc((size_t)n_mods, sizeof(*mods));
		EGLBoolean *external = calloc((size_t)n_mods, sizeof(*external));
		if (mods && external &&
		    eglQueryDmaBufModifiersEXT(dpy, fourccs[i], n_mods, mods,
					       external, &n_mods)) {
			for (EGLint m = 0; m < n_mods; m++) {
				uint32_t flags = PROTO_FORMAT_DMABUF;
				if (external[m])
					flags |= PROTO_FORMAT_EXTERNAL_ONLY;
				/* Not sampleable without the external extension. */
				if (external[m] && !r->has_external)
					continue;
				render_add_format(r, fourcc, mods[m], flags);
			}
		}
		free(mods);
		free(external);
	}
	free(fourccs);
}

/* Which texture target the image needs: what the driver said for this
 * modifier, else by kind (RGB formats sample as 2D, YUV only external). */
static GLenum
image_target(const struct renderer *r, uint32_t fourcc, uint64_t modifier)
{
	uint32_t flags = render_format_flags(r, fourcc, modifier);
	bool external = (flags & PROTO_FORMAT_DMABUF) ?
		(flags & PROTO_FORMAT_EXTERNAL_ONLY) != 0 :
		shm_format_lookup(fourcc) == NULL;
	return external ? GL_TEXTURE_EXTERNAL_OES : GL_TEXTURE_2D;
}

static bool
bind_image(struct render_buffer *buf, GLenum target)
{
	glGenTextures(1, &buf->tex);
	glBindTexture(target, buf->tex);
	glTexParameteri(target, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
	glTexParameteri(target, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
	glEGLImageTargetTexture2DOES(target, buf->image);
	glBindTexture(target, 0);
	if (glGetError() != GL_NO_ERROR) {
		glDeleteTextures(1, &buf->tex);
		buf->tex = 0;
		return false;
	}
	buf->target = target;
	return true;
}

static bool
import_egl_image(struct renderer *r, struct render_buffer *buf,
		 const struct proto_buffer_dmabuf *desc, const int *fds,
		 char *why, size_t why_size)
{
	EGLint attribs[IMPORT_DMABUF_MAX_ATTRIBS];
	import_dmabuf_attribs(attribs, desc, fds, r->has_modifiers);
	buf->image = eglCreateImageKHR(r->out->egl_display, EGL_NO_CONTEXT,
				       EGL_LINUX_DMA_BUF_EXT, NULL, attribs);
	if (buf->image == EGL_NO_IMAGE_KHR) {
		snprintf(why, why_size, "eglCreateImageKHR(EGL_LINUX_DMA_BUF_EXT) "
			 "failed: %s", egl_error_name(eglGetError()));
		return false;
	}
	GLenum target = image_target(r, desc->fourcc, desc->modifier);
	bool ok = (target == GL_TEXTURE_2D && bind_image(buf, GL_TEXTURE_2D)) ||
		  (r->has_external && bind_image(buf, GL_TEXTURE_EXTERNAL_OES));
	if (!ok) {
		snprintf(why, why_size, "the EGLImage cannot be bound to a "
			 "texture%s", r->has_external ? "" :
			 " (no GL_OES_EGL_image_external)");
		eglDestroyImageKHR(r->out->egl_display, buf->image);
		buf->image = EGL_NO_IMAGE_KHR;
		return false;
	}
	const struct shm_format *fmt = shm_format_lookup(desc->fourcc);
	buf->opaque = fmt ? fmt->opaque : true;
	return true;
}

static void
close_fds(const int *fds, uint32_t n)
{
	for (uint32_t i = 0; i < n && i < PROTO_MAX_PLANES; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
	}
}

struct render_buffer *
render_buffer_import_dmabuf(struct renderer *r,
			    const struct proto_buffer_dmabuf *desc,
			    const int *fds, char *why, size_t why_size)
{
	char name[5] = "????";
	for (int i = 0; i < 4; i++) {
		char c = (char)((desc->fourcc >> (8 * i)) & 0xff);
		if (c >= 0x20 && c < 0x7f)
			name[i] = c;
	}
	if (desc->n_planes < 1 || desc->n_planes > PROTO_MAX_PLANES) {
		snprintf(why, why_size, "BUFFER_DMABUF %u: %u planes, expected 1..%d",
			 desc->buffer_id, desc->n_planes, PROTO_MAX_PLANES);
		close_fds(fds, desc->n_planes);
		return NULL;
	}
	struct render_buffer *buf = calloc(1, sizeof(*buf));
	if (!buf || !render_make_current(r)) {
		snprintf(why, why_size, "BUFFER_DMABUF %u: %s", desc->buffer_id,
			 buf ? "cannot make the GL context current" : "out of memory");
		free(buf);
		close_fds(fds, desc->n_planes);
		return NULL;
	}
	buf->id = desc->buffer_id;
	buf->fourcc = desc->fourcc;
	buf->width = desc->width;
	buf->height = desc->height;
	buf->sync_fd = -1;
	buf->image = EGL_NO_IMAGE_KHR;

	char egl_why[160] = "EGL has no EGL_EXT_image_dma_buf_import";
	if (r->has_dmabuf_import && r->has_egl_image &&
	    import_egl_image(r, buf, desc, fds, egl_why, sizeof(egl_why))) {
		/* EGL holds its own references to the dmabufs. */
		close_fds(fds, desc->n_planes);
		buf->kind = BUFFER_EGLIMAGE;
		render_buffer_link(r, buf);
		r->stats.imports_dmabuf++;
		return buf;
	}

	bool mappable = desc->modifier == DRM_FORMAT_MOD_LINEAR &&
			desc->n_planes == 1 && shm_format_lookup(desc->fourcc);
	if (!mappable) {
		snprintf(why, why_size, "BUFFER_DMABUF %u: cannot import %s "
			 "modifier 0x%016llx with %u plane(s): %s, and the mmap "
			 "fallback takes only LINEAR single-plane RGB buffers",
			 desc->buffer_id, name,
			 (unsigned long long)desc->modifier, desc->n_planes, egl_why);
		close_fds(fds, desc->n_planes);
		free(buf);
		return NULL;
	}
	buf->kind = BUFFER_MMAP;
	if (!mapping_init(buf, fds[0], "BUFFER_DMABUF", desc->planes[0].offset,
			  desc->planes[0].stride, why, why_size)) {
		close_fds(fds, desc->n_planes);
		free(buf);
		return NULL;
	}
	/* Kept for DMA_BUF_IOCTL_SYNC around each upload. */
	buf->sync_fd = fds[0];
	render_buffer_link(r, buf);
	r->stats.imports_mmap++;
	return buf;
}

void
dmabuf_image_finish(struct render_buffer *buf)
{
	if (buf->tex)
		glDeleteTextures(1, &buf->tex);
	buf->tex = 0;
	if (buf->image != EGL_NO_IMAGE_KHR && buf->r)
		eglDestroyImageKHR(buf->r->out->egl_display, buf->image);
	buf->image = EGL_NO_IMAGE_KHR;
}
