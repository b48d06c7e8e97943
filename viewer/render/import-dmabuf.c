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
#include <linux/dma-buf.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "log.h"
#include "output/egl.h"
#include "proto.h"
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

static void
close_fds(const int *fds, uint32_t n)
{
	for (uint32_t i = 0; i < n && i < PROTO_MAX_PLANES; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
	}
}

/* --- one EGLImage ---------------------------------------------------------- */

struct image_buffer {
	struct render_buffer base;
	EGLImageKHR image;
	GLuint tex;
	GLenum target;           /* GL_TEXTURE_2D or GL_TEXTURE_EXTERNAL_OES */
	bool opaque;
};

/* The buffer starts a struct image_buffer (like wl_container_of). */
static struct image_buffer *
image_buffer(const struct render_buffer *buf)
{
	return (struct image_buffer *)buf;
}

static void
image_release(struct render_buffer *buf)
{
	struct image_buffer *img = image_buffer(buf);
	if (img->tex)
		glDeleteTextures(1, &img->tex);
	img->tex = 0;
	if (img->image != EGL_NO_IMAGE_KHR && buf->r) {
		eglDestroyImageKHR(buf->r->out->egl_display, img->image);
		buf->r->stats.releases_dmabuf++;
	}
	img->image = EGL_NO_IMAGE_KHR;
}

static bool
image_sample(const struct render_buffer *buf, const struct render_head *head,
	     struct sampling *out)
{
	const struct image_buffer *img = image_buffer(buf);
	const struct renderer *r = head->r;
	*out = (struct sampling){
		.prog = img->target == GL_TEXTURE_EXTERNAL_OES ?
			&r->external : &r->quad,
		.target = img->target, .tex = img->tex, .opaque = img->opaque,
	};
	return true;
}

/* Sampled in place: nothing to bind or upload. */
static const struct render_buffer_impl image_impl = {
	.name = "EGLImage",
	.release = image_release,
	.sample = image_sample,
};

static struct image_buffer *
image_buffer_create(const struct proto_buffer_dmabuf *desc)
{
	struct image_buffer *img = calloc(1, sizeof(*img));
	if (!img)
		return NULL;
	img->base = (struct render_buffer){
		.impl = &image_impl, .id = desc->buffer_id,
		.fourcc = desc->fourcc, .width = desc->width,
		.height = desc->height,
	};
	img->image = EGL_NO_IMAGE_KHR;
	return img;
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
bind_image(struct image_buffer *img, GLenum target)
{
	glGenTextures(1, &img->tex);
	glBindTexture(target, img->tex);
	glTexParameteri(target, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
	glTexParameteri(target, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
	glEGLImageTargetTexture2DOES(target, img->image);
	glBindTexture(target, 0);
	if (glGetError() != GL_NO_ERROR) {
		glDeleteTextures(1, &img->tex);
		img->tex = 0;
		return false;
	}
	img->target = target;
	return true;
}

static bool
import_egl_image(struct renderer *r, struct image_buffer *img,
		 const struct proto_buffer_dmabuf *desc, const int *fds,
		 char *why, size_t why_size)
{
	EGLint attribs[IMPORT_DMABUF_MAX_ATTRIBS];
	import_dmabuf_attribs(attribs, desc, fds, r->has_modifiers);
	img->image = eglCreateImageKHR(r->out->egl_display, EGL_NO_CONTEXT,
				       EGL_LINUX_DMA_BUF_EXT, NULL, attribs);
	if (img->image == EGL_NO_IMAGE_KHR) {
		snprintf(why, why_size, "eglCreateImageKHR(EGL_LINUX_DMA_BUF_EXT) "
			 "failed: %s", egl_error_name(eglGetError()));
		return false;
	}
	GLenum target = image_target(r, desc->fourcc, desc->modifier);
	bool ok = (target == GL_TEXTURE_2D && bind_image(img, GL_TEXTURE_2D)) ||
		  (r->has_external && bind_image(img, GL_TEXTURE_EXTERNAL_OES));
	if (!ok) {
		snprintf(why, why_size, "the EGLImage cannot be bound to a "
			 "texture%s", r->has_external ? "" :
			 " (no GL_OES_EGL_image_external)");
		eglDestroyImageKHR(r->out->egl_display, img->image);
		img->image = EGL_NO_IMAGE_KHR;
		return false;
	}
	const struct shm_format *fmt = shm_format_lookup(desc->fourcc);
	img->opaque = fmt ? fmt->opaque : true;
	return true;
}

/* --- NV12 in two textures -------------------------------------------------- */

/* Y and UV, each from its own EGLImage or uploaded from a mapping;
 * converted by quad-nv12.frag. */
struct planar_buffer {
	struct render_buffer base;
	EGLImageKHR image, image_uv;  /* per-plane images; none when mapped */
	GLuint tex, tex_uv;           /* R8 luma, GR88 (RG8) chroma */
	struct mapping map, map_uv;   /* mapped planes; unmapped: images */
	int sync_fd;                  /* mapped: the dmabuf; else -1 */
	bool uploaded;
};

/* The buffer starts a struct planar_buffer (like wl_container_of). */
static struct planar_buffer *
planar_buffer(const struct render_buffer *buf)
{
	return (struct planar_buffer *)buf;
}

static void
planar_release(struct render_buffer *buf)
{
	struct planar_buffer *p = planar_buffer(buf);
	if (p->tex)
		glDeleteTextures(1, &p->tex);
	p->tex = 0;
	if (p->tex_uv)
		glDeleteTextures(1, &p->tex_uv);
	p->tex_uv = 0;
	if (p->image != EGL_NO_IMAGE_KHR && buf->r) {
		eglDestroyImageKHR(buf->r->out->egl_display, p->image);
		buf->r->stats.releases_dmabuf++;
	}
	p->image = EGL_NO_IMAGE_KHR;
	if (p->image_uv != EGL_NO_IMAGE_KHR && buf->r)
		eglDestroyImageKHR(buf->r->out->egl_display, p->image_uv);
	p->image_uv = EGL_NO_IMAGE_KHR;
	mapping_finish(&p->map_uv);
	mapping_finish(&p->map);
	if (p->sync_fd >= 0)
		close(p->sync_fd);
	p->sync_fd = -1;
}

/* From a mapping: uploads both planes whole (a fallback; per-plane
 * EGLImages need nothing). false with a log line on GL error. */
static bool
planar_upload(struct planar_buffer *p)
{
	struct renderer *r = p->base.r;
	if (!r || !p->map_uv.data)
		return true; /* per-plane EGLImages: sampled in place */
	uint32_t w = p->base.width, h = p->base.height;
	uint32_t cw = (w + 1) / 2, ch = (h + 1) / 2;
	mapping_sync(p->sync_fd, DMA_BUF_SYNC_START);
	glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
	glBindTexture(GL_TEXTURE_2D, p->tex);
	upload_pixels(r, 0, 0, w, h, GL_RED_EXT, GL_UNSIGNED_BYTE, 1,
		      p->map.data + p->map.offset, p->map.stride);
	glBindTexture(GL_TEXTURE_2D, p->tex_uv);
	upload_pixels(r, 0, 0, cw, ch, GL_RG_EXT, GL_UNSIGNED_BYTE, 2,
		      p->map_uv.data + p->map_uv.offset, p->map_uv.stride);
	glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
	glBindTexture(GL_TEXTURE_2D, 0);
	mapping_sync(p->sync_fd, DMA_BUF_SYNC_END);
	r->stats.bytes_uploaded += (uint64_t)w * h + (uint64_t)cw * ch * 2;
	r->stats.rects_uploaded++;
	p->uploaded = true;
	GLenum err = glGetError();
	if (err != GL_NO_ERROR) {
		log_error("uploading NV12 buffer %u failed (GL error 0x%04x)",
			  p->base.id, err);
		return false;
	}
	return true;
}

static void
planar_bind(struct render_buffer *buf, struct render_head *head, bool fresh)
{
	(void)fresh; /* the planes are the buffer's, not the head's */
	struct planar_buffer *p = planar_buffer(buf);
	if (!p->uploaded && render_make_current(head->r))
		planar_upload(p);
}

static bool
planar_damage(struct render_buffer *buf, struct render_head *head,
	      const struct proto_rect *rects, uint32_t n_rects)
{
	(void)rects;
	(void)n_rects; /* a mapping is uploaded whole */
	return render_make_current(head->r) && planar_upload(planar_buffer(buf));
}

static bool
planar_sample(const struct render_buffer *buf, const struct render_head *head,
	      struct sampling *out)
{
	const struct planar_buffer *p = planar_buffer(buf);
	*out = (struct sampling){
		.prog = &head->r->nv12, .target = GL_TEXTURE_2D, .tex = p->tex,
		.tex_uv = p->tex_uv, .opaque = true,
	};
	return true;
}

static const struct render_buffer_impl planar_impl = {
	.name = "NV12 planes",
	.release = planar_release,
	.bind = planar_bind,
	.damage = planar_damage,
	.sample = planar_sample,
};

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
 * planar_release would not reach EGL, nor should it count). */
static void
drop_plane_images(struct renderer *r, struct planar_buffer *p)
{
	EGLImageKHR images[2] = { p->image, p->image_uv };
	for (int i = 0; i < 2; i++) {
		if (images[i] != EGL_NO_IMAGE_KHR)
			eglDestroyImageKHR(r->out->egl_display, images[i]);
	}
	p->image = p->image_uv = EGL_NO_IMAGE_KHR;
	planar_release(&p->base); /* the textures */
}

static bool
import_nv12_planes(struct renderer *r, struct planar_buffer *p,
		   const struct proto_buffer_dmabuf *desc, const int *fds,
		   char *why, size_t why_size)
{
	p->image = plane_image(r, desc, fds, 0);
	p->image_uv = p->image != EGL_NO_IMAGE_KHR ?
		      plane_image(r, desc, fds, 1) : EGL_NO_IMAGE_KHR;
	if (p->image_uv == EGL_NO_IMAGE_KHR) {
		snprintf(why, why_size, "per plane (R8 + GR88): "
			 "eglCreateImageKHR failed: %s",
			 egl_error_name(eglGetError()));
		drop_plane_images(r, p);
		return false;
	}
	p->tex = plane_texture();
	glEGLImageTargetTexture2DOES(GL_TEXTURE_2D, p->image);
	p->tex_uv = plane_texture();
	glEGLImageTargetTexture2DOES(GL_TEXTURE_2D, p->image_uv);
	glBindTexture(GL_TEXTURE_2D, 0);
	if (glGetError() != GL_NO_ERROR) {
		snprintf(why, why_size, "per plane (R8 + GR88): the EGLImages "
			 "cannot be bound to textures");
		drop_plane_images(r, p);
		return false;
	}
	p->uploaded = true; /* sampled in place */
	return true;
}

static bool
map_nv12(struct planar_buffer *p, const struct proto_buffer_dmabuf *desc,
	 const int *fds, char *why, size_t why_size)
{
	uint32_t cw = (desc->width + 1) / 2, ch = (desc->height + 1) / 2;
	if (desc->planes[0].stride < desc->width ||
	    desc->planes[1].stride < cw * 2) {
		snprintf(why, why_size, "strides %u, %u are less than the "
			 "planes' rows (%u, %u bytes)", desc->planes[0].stride,
			 desc->planes[1].stride, desc->width, cw * 2);
		return false;
	}
	/* The client checked the fds' sizes against the planes' extents. */
	if (!mapping_init(&p->map, fds[0], desc->planes[0].offset,
			  desc->planes[0].stride, desc->height, why, why_size) ||
	    !mapping_init(&p->map_uv, fds[1], desc->planes[1].offset,
			  desc->planes[1].stride, ch, why, why_size))
		return false;
	bool gles3 = epoxy_gl_version() >= 30;
	p->tex = plane_texture();
	glTexImage2D(GL_TEXTURE_2D, 0, gles3 ? GL_R8 : GL_RED_EXT,
		     (GLsizei)desc->width, (GLsizei)desc->height, 0,
		     GL_RED_EXT, GL_UNSIGNED_BYTE, NULL);
	p->tex_uv = plane_texture();
	glTexImage2D(GL_TEXTURE_2D, 0, gles3 ? GL_RG8 : GL_RG_EXT,
		     (GLsizei)cw, (GLsizei)ch, 0, GL_RG_EXT, GL_UNSIGNED_BYTE,
		     NULL);
	glBindTexture(GL_TEXTURE_2D, 0);
	if (glGetError() != GL_NO_ERROR) {
		snprintf(why, why_size, "R8/RG8 textures of %ux%u failed",
			 desc->width, desc->height);
		return false;
	}
	return true;
}

static struct render_buffer *
out_of_memory(const struct proto_buffer_dmabuf *desc, const int *fds,
	      char *why, size_t why_size)
{
	snprintf(why, why_size, "BUFFER_DMABUF %u: out of memory", desc->buffer_id);
	close_fds(fds, desc->n_planes);
	return NULL;
}

/* One external image, else per-plane images, else (LINEAR) mapped. */
static struct render_buffer *
import_nv12(struct renderer *r, const struct proto_buffer_dmabuf *desc,
	    const int *fds, char *why, size_t why_size)
{
	char one_why[160] = "EGL has no EGL_EXT_image_dma_buf_import";
	char planes_why[160] = "";
	bool egl = r->has_dmabuf_import && r->has_egl_image;
	if (egl && r->external_yuv_wrong)
		snprintf(one_why, sizeof(one_why), "llvmpipe samples YUV "
			 "external images wrongly");
	if (egl && r->has_external && !r->external_yuv_wrong) {
		struct image_buffer *img = image_buffer_create(desc);
		if (!img)
			return out_of_memory(desc, fds, why, why_size);
		if (import_egl_image(r, img, desc, fds, one_why, sizeof(one_why))) {
			close_fds(fds, desc->n_planes);
			img->opaque = true;
			r->stats.imports_dmabuf++;
			return &img->base;
		}
		free(img);
	}

	struct planar_buffer *p = calloc(1, sizeof(*p));
	if (!p)
		return out_of_memory(desc, fds, why, why_size);
	p->base = (struct render_buffer){
		.impl = &planar_impl, .id = desc->buffer_id,
		.fourcc = desc->fourcc, .width = desc->width,
		.height = desc->height,
	};
	p->image = p->image_uv = EGL_NO_IMAGE_KHR;
	p->sync_fd = -1;
	if (egl && import_nv12_planes(r, p, desc, fds, planes_why,
				      sizeof(planes_why))) {
		close_fds(fds, desc->n_planes);
		r->stats.imports_dmabuf++;
		return &p->base;
	}

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
		log_info("BUFFER_DMABUF %u (NV12, %ux%u): %s; %s; showing it "
			 "through mmap and uploads instead", desc->buffer_id,
			 desc->width, desc->height, one_why, planes_why);
	char map_why[160];
	if (!map_nv12(p, desc, fds, map_why, sizeof(map_why))) {
		snprintf(why, why_size, "BUFFER_DMABUF %u (NV12): %s",
			 desc->buffer_id, map_why);
		planar_release(&p->base);
		goto fail;
	}
	/* Kept for DMA_BUF_IOCTL_SYNC around each upload. */
	p->sync_fd = fds[0];
	if (fds[1] != fds[0])
		close(fds[1]);
	r->stats.imports_mmap++;
	return &p->base;

fail:
	close_fds(fds, desc->n_planes);
	free(p);
	return NULL;
}

/* --- the entry ------------------------------------------------------------- */

struct render_buffer *
dmabuf_import(struct renderer *r, const struct proto_buffer_dmabuf *desc,
	      const int *fds, char *why, size_t why_size)
{
	if (desc->n_planes < 1 || desc->n_planes > PROTO_MAX_PLANES) {
		snprintf(why, why_size, "BUFFER_DMABUF %u: %u planes, expected 1..%d",
			 desc->buffer_id, desc->n_planes, PROTO_MAX_PLANES);
		close_fds(fds, desc->n_planes);
		return NULL;
	}
	if (!render_make_current(r)) {
		snprintf(why, why_size, "BUFFER_DMABUF %u: cannot make the GL "
			 "context current", desc->buffer_id);
		close_fds(fds, desc->n_planes);
		return NULL;
	}
	if (desc->fourcc == DRM_FORMAT_NV12)
		return import_nv12(r, desc, fds, why, why_size);

	char egl_why[160] = "EGL has no EGL_EXT_image_dma_buf_import";
	bool egl = r->has_dmabuf_import && r->has_egl_image;
	if (egl) {
		struct image_buffer *img = image_buffer_create(desc);
		if (!img)
			return out_of_memory(desc, fds, why, why_size);
		if (import_egl_image(r, img, desc, fds, egl_why, sizeof(egl_why))) {
			/* EGL holds its own references to the dmabufs. */
			close_fds(fds, desc->n_planes);
			r->stats.imports_dmabuf++;
			return &img->base;
		}
		free(img);
	}

	char name[5];
	proto_fourcc_name(desc->fourcc, name);
	bool mappable = desc->modifier == DRM_FORMAT_MOD_LINEAR &&
			desc->n_planes == 1 && shm_format_lookup(desc->fourcc);
	if (!mappable) {
		snprintf(why, why_size, "BUFFER_DMABUF %u: cannot import %s "
			 "modifier 0x%016llx with %u plane(s): %s, and the mmap "
			 "fallback takes only LINEAR single-plane RGB buffers",
			 desc->buffer_id, name,
			 (unsigned long long)desc->modifier, desc->n_planes, egl_why);
		close_fds(fds, desc->n_planes);
		return NULL;
	}
	if (egl)
		log_info("BUFFER_DMABUF %u (%s, %ux%u): %s; showing it through "
			 "mmap and uploads instead", desc->buffer_id, name,
			 desc->width, desc->height, egl_why);
	const struct proto_buffer_shm plane = {
		.buffer_id = desc->buffer_id, .fourcc = desc->fourcc,
		.width = desc->width, .height = desc->height,
		.stride = desc->planes[0].stride, .offset = desc->planes[0].offset,
	};
	struct render_buffer *buf = mapped_buffer_create("BUFFER_DMABUF", &plane,
							 fds[0], true, why, why_size);
	if (!buf) {
		close_fds(fds, desc->n_planes);
		return NULL;
	}
	r->stats.imports_mmap++;
	return buf;
}
