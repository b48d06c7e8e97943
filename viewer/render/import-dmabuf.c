/* SPDX-License-Identifier: MIT */
/*
 * dmabuf buffers: imported once as an EGLImage and sampled directly
 * (samplerExternalOES for the formats the driver only offers that way);
 * where EGL cannot import (no EGL_EXT_image_dma_buf_import, or the import
 * fails) a LINEAR single-plane RGB buffer is mapped and uploaded like shm.
 * NV12: one EGLImage sampled as external where the driver can, else one
 * EGLImage per plane (R8 and GR88), else (LINEAR) both planes mapped and
 * uploaded; the last two are converted by quad-nv12.frag (BT.601,
 * limited range).
 */
#include <errno.h>
#include <linux/dma-buf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "log.h"
#include "output/egl.h"
#include "render/import-dmabuf.h"
#include "render/private.h"

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
	/* Measured in the test VM (Mesa 22.3, kms_swrast/llvmpipe): an NV12
	 * dma-buf imports as one external image, but samples garbage (the
	 * colours follow the quadrant, not the data); the viewer converts
	 * such buffers itself instead. */
	const char *renderer = (const char *)glGetString(GL_RENDERER);
	r->external_yuv_wrong = renderer && strncmp(renderer, "llvmpipe", 8) == 0;
	/* The mmap fallback takes any LINEAR single-plane RGB buffer. */
	for (size_t i = 0; i < shm_fourcc_count; i++)
		render_add_format(r, shm_fourccs[i], DRM_FORMAT_MOD_LINEAR,
				  PROTO_FORMAT_DMABUF);
	/* NV12 LINEAR: converted by the viewer from two planes, mapped or
	 * imported per plane (flags OR-ed with what EGL says below). */
	if (r->has_rg)
		render_add_format(r, DRM_FORMAT_NV12, DRM_FORMAT_MOD_LINEAR,
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

/* --- NV12 ---------------------------------------------------------------- */

static GLuint
plane_texture(void)
{
	GLuint tex;
	glGenTextures(1, &tex);
	glBindTexture(GL_TEXTURE_2D, tex);
	glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
	glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
	/* Chroma is half size: filtered up, as video players do. */
	glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
	glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
	return tex;
}

/* Plane i of desc as its own single-plane image: R8 luma, GR88 chroma. */
static EGLImageKHR
plane_image(struct renderer *r, const struct proto_buffer_dmabuf *desc,
	    const int *fds, uint32_t i)
{
	struct proto_buffer_dmabuf plane = {
		.buffer_id = desc->buffer_id,
		.fourcc = i == 0 ? DRM_FORMAT_R8 : DRM_FORMAT_GR88,
		.modifier = desc->modifier,
		.width = i == 0 ? desc->width : (desc->width + 1) / 2,
		.height = i == 0 ? desc->height : (desc->height + 1) / 2,
		.n_planes = 1, .planes = { desc->planes[i] },
	};
	EGLint attribs[IMPORT_DMABUF_MAX_ATTRIBS];
	import_dmabuf_attribs(attribs, &plane, &fds[i], r->has_modifiers);
	return eglCreateImageKHR(r->out->egl_display, EGL_NO_CONTEXT,
				 EGL_LINUX_DMA_BUF_EXT, NULL, attribs);
}

/* A failed import's images (the buffer is not linked yet, so
 * dmabuf_image_finish would not reach EGL, nor should it count). */
static void
drop_plane_images(struct renderer *r, struct render_buffer *buf)
{
	EGLImageKHR images[2] = { buf->image, buf->image_uv };
	for (int i = 0; i < 2; i++) {
		if (images[i] != EGL_NO_IMAGE_KHR)
			eglDestroyImageKHR(r->out->egl_display, images[i]);
	}
	buf->image = buf->image_uv = EGL_NO_IMAGE_KHR;
	dmabuf_image_finish(buf); /* the textures */
}

static bool
import_nv12_planes(struct renderer *r, struct render_buffer *buf,
		   const struct proto_buffer_dmabuf *desc, const int *fds,
		   char *why, size_t why_size)
{
	buf->image = plane_image(r, desc, fds, 0);
	buf->image_uv = buf->image != EGL_NO_IMAGE_KHR ?
			plane_image(r, desc, fds, 1) : EGL_NO_IMAGE_KHR;
	if (buf->image_uv == EGL_NO_IMAGE_KHR) {
		snprintf(why, why_size, "per plane (R8 + GR88): "
			 "eglCreateImageKHR failed: %s",
			 egl_error_name(eglGetError()));
		drop_plane_images(r, buf);
		return false;
	}
	buf->tex = plane_texture();
	glEGLImageTargetTexture2DOES(GL_TEXTURE_2D, buf->image);
	buf->tex_uv = plane_texture();
	glEGLImageTargetTexture2DOES(GL_TEXTURE_2D, buf->image_uv);
	glBindTexture(GL_TEXTURE_2D, 0);
	if (glGetError() != GL_NO_ERROR) {
		snprintf(why, why_size, "per plane (R8 + GR88): the EGLImages "
			 "cannot be bound to textures");
		drop_plane_images(r, buf);
		return false;
	}
	buf->uploaded = true; /* sampled in place */
	return true;
}

static void *
map_plane(int fd, uint64_t offset, uint32_t stride, uint32_t rows,
	  size_t *size, char *why, size_t why_size)
{
	/* The client checked the fd's size against the plane's extent. */
	uint64_t need = offset + (uint64_t)stride * rows;
	void *map = mmap(NULL, (size_t)need, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		snprintf(why, why_size, "mmap of %llu bytes failed: %s",
			 (unsigned long long)need, strerror(errno));
		return NULL;
	}
	*size = (size_t)need;
	return map;
}

static bool
map_nv12(struct renderer *r, struct render_buffer *buf,
	 const struct proto_buffer_dmabuf *desc, const int *fds,
	 char *why, size_t why_size)
{
	uint32_t cw = (desc->width + 1) / 2, ch = (desc->height + 1) / 2;
	if (desc->planes[0].stride < desc->width ||
	    desc->planes[1].stride < cw * 2) {
		snprintf(why, why_size, "strides %u, %u are less than the "
			 "planes' rows (%u, %u bytes)", desc->planes[0].stride,
			 desc->planes[1].stride, desc->width, cw * 2);
		return false;
	}
	buf->map = map_plane(fds[0], desc->planes[0].offset,
			     desc->planes[0].stride, desc->height,
			     &buf->map_size, why, why_size);
	if (!buf->map)
		return false;
	buf->map_uv = map_plane(fds[1], desc->planes[1].offset,
				desc->planes[1].stride, ch, &buf->map_uv_size,
				why, why_size);
	if (!buf->map_uv)
		return false;
	buf->offset = desc->planes[0].offset;
	buf->stride = desc->planes[0].stride;
	buf->offset_uv = desc->planes[1].offset;
	buf->stride_uv = desc->planes[1].stride;
	bool gles3 = epoxy_gl_version() >= 30;
	buf->tex = plane_texture();
	glTexImage2D(GL_TEXTURE_2D, 0, gles3 ? GL_R8 : GL_RED_EXT,
		     (GLsizei)desc->width, (GLsizei)desc->height, 0,
		     GL_RED_EXT, GL_UNSIGNED_BYTE, NULL);
	buf->tex_uv = plane_texture();
	glTexImage2D(GL_TEXTURE_2D, 0, gles3 ? GL_RG8 : GL_RG_EXT,
		     (GLsizei)cw, (GLsizei)ch, 0, GL_RG_EXT, GL_UNSIGNED_BYTE,
		     NULL);
	glBindTexture(GL_TEXTURE_2D, 0);
	if (glGetError() != GL_NO_ERROR) {
		snprintf(why, why_size, "R8/RG8 textures of %ux%u failed",
			 desc->width, desc->height);
		return false;
	}
	(void)r;
	return true;
}

static void
upload_plane(const struct renderer *r, GLuint tex, GLenum format, int cpp,
	     const uint8_t *src, uint32_t stride, uint32_t w, uint32_t h)
{
	glBindTexture(GL_TEXTURE_2D, tex);
	if (r->has_row_length && stride % (uint32_t)cpp == 0) {
		glPixelStorei(GL_UNPACK_ROW_LENGTH, (GLint)(stride / (uint32_t)cpp));
		glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, (GLsizei)w, (GLsizei)h,
				format, GL_UNSIGNED_BYTE, src);
		glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
	} else {
		for (uint32_t y = 0; y < h; y++)
			glTexSubImage2D(GL_TEXTURE_2D, 0, 0, (GLint)y, (GLsizei)w,
					1, format, GL_UNSIGNED_BYTE,
					src + (size_t)y * stride);
	}
}

bool
planar_upload(struct render_buffer *buf)
{
	struct renderer *r = buf->r;
	if (!r || !buf->map_uv)
		return true; /* per-plane EGLImages: sampled in place */
	uint32_t cw = (buf->width + 1) / 2, ch = (buf->height + 1) / 2;
	struct dma_buf_sync sync = { .flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ };
	if (buf->sync_fd >= 0)
		ioctl(buf->sync_fd, DMA_BUF_IOCTL_SYNC, &sync);
	glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
	upload_plane(r, buf->tex, GL_RED_EXT, 1, buf->map + buf->offset,
		     buf->stride, buf->width, buf->height);
	upload_plane(r, buf->tex_uv, GL_RG_EXT, 2, buf->map_uv + buf->offset_uv,
		     buf->stride_uv, cw, ch);
	glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
	glBindTexture(GL_TEXTURE_2D, 0);
	sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ;
	if (buf->sync_fd >= 0)
		ioctl(buf->sync_fd, DMA_BUF_IOCTL_SYNC, &sync);
	r->stats.bytes_uploaded += (uint64_t)buf->width * buf->height +
				   (uint64_t)cw * ch * 2;
	r->stats.rects_uploaded++;
	buf->uploaded = true;
	GLenum err = glGetError();
	if (err != GL_NO_ERROR) {
		log_error("uploading NV12 buffer %u failed (GL error 0x%04x)",
			  buf->id, err);
		return false;
	}
	return true;
}

/* One external image, else per-plane images, else (LINEAR) mapped. */
static struct render_buffer *
import_nv12(struct renderer *r, struct render_buffer *buf,
	    const struct proto_buffer_dmabuf *desc, const int *fds,
	    char *why, size_t why_size)
{
	char one_why[160] = "EGL has no EGL_EXT_image_dma_buf_import";
	char planes_why[160] = "";
	bool egl = r->has_dmabuf_import && r->has_egl_image;
	if (egl && r->external_yuv_wrong)
		snprintf(one_why, sizeof(one_why), "llvmpipe samples YUV "
			 "external images wrongly");
	if (egl && r->has_external && !r->external_yuv_wrong &&
	    import_egl_image(r, buf, desc, fds, one_why, sizeof(one_why))) {
		buf->kind = BUFFER_EGLIMAGE;
	} else if (egl && import_nv12_planes(r, buf, desc, fds, planes_why,
					      sizeof(planes_why))) {
		buf->kind = BUFFER_PLANAR;
	} else {
		if (egl && !r->has_external)
			snprintf(one_why, sizeof(one_why), "no GL_OES_EGL_image_external");
		if (desc->modifier != DRM_FORMAT_MOD_LINEAR || !r->has_rg) {
			snprintf(why, why_size, "BUFFER_DMABUF %u: cannot import "
				 "NV12 modifier 0x%016llx: %s; %s; and the mmap "
				 "fallback takes only LINEAR (with GLES 3 or "
				 "GL_EXT_texture_rg)", desc->buffer_id,
				 (unsigned long long)desc->modifier, one_why,
				 planes_why[0] ? planes_why : "no per-plane import");
			goto fail;
		}
		if (egl)
			log_info("BUFFER_DMABUF %u (NV12, %ux%u): %s; %s; "
				 "showing it through mmap and uploads instead",
				 desc->buffer_id, desc->width, desc->height,
				 one_why, planes_why);
		char map_why[160];
		buf->kind = BUFFER_PLANAR;
		buf->r = r; /* for dmabuf_image_finish on failure */
		if (!map_nv12(r, buf, desc, fds, map_why, sizeof(map_why))) {
			snprintf(why, why_size, "BUFFER_DMABUF %u (NV12): %s",
				 desc->buffer_id, map_why);
			mapping_finish(buf);
			dmabuf_image_finish(buf);
			goto fail;
		}
		buf->r = NULL;
		buf->sync_fd = fds[0];
		if (fds[1] != fds[0])
			close(fds[1]);
		render_buffer_link(r, buf);
		r->stats.imports_mmap++;
		return buf;
	}
	close_fds(fds, desc->n_planes);
	buf->opaque = true;
	render_buffer_link(r, buf);
	r->stats.imports_dmabuf++;
	return buf;

fail:
	close_fds(fds, desc->n_planes);
	free(buf);
	return NULL;
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
	buf->image_uv = EGL_NO_IMAGE_KHR;
	if (desc->fourcc == DRM_FORMAT_NV12)
		return import_nv12(r, buf, desc, fds, why, why_size);

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
	if (r->has_dmabuf_import && r->has_egl_image)
		log_info("BUFFER_DMABUF %u (%s, %ux%u): %s; showing it through "
			 "mmap and uploads instead", desc->buffer_id, name,
			 desc->width, desc->height, egl_why);
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
	if (buf->tex_uv)
		glDeleteTextures(1, &buf->tex_uv);
	buf->tex_uv = 0;
	if (buf->image != EGL_NO_IMAGE_KHR && buf->r) {
		eglDestroyImageKHR(buf->r->out->egl_display, buf->image);
		buf->r->stats.releases_dmabuf++;
	}
	buf->image = EGL_NO_IMAGE_KHR;
	if (buf->image_uv != EGL_NO_IMAGE_KHR && buf->r)
		eglDestroyImageKHR(buf->r->out->egl_display, buf->image_uv);
	buf->image_uv = EGL_NO_IMAGE_KHR;
	if (buf->map_uv)
		munmap(buf->map_uv, buf->map_uv_size);
	buf->map_uv = NULL;
}
