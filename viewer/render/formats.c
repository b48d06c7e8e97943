/* SPDX-License-Identifier: MIT */
/*
 * The formats the renderer takes: how each single-plane RGB fourcc is
 * uploaded, and the (fourcc, modifier) pairs offered in HELLO, which the
 * dmabuf importer asks again for a texture target.
 */
#include <stdlib.h>

#include <drm_fourcc.h>

#include "render/private.h"

/* Little-endian DRM fourccs: XRGB8888 is B,G,R,X in memory, which is
 * GL's BGRA; XBGR8888 is R,G,B,X, GL's RGBA; RGB565 is GL's 5_6_5. */
static const struct shm_format shm_formats[] = {
	{ DRM_FORMAT_XRGB8888, 4, GL_BGRA_EXT, GL_UNSIGNED_BYTE, true, true },
	{ DRM_FORMAT_ARGB8888, 4, GL_BGRA_EXT, GL_UNSIGNED_BYTE, true, false },
	{ DRM_FORMAT_XBGR8888, 4, GL_RGBA, GL_UNSIGNED_BYTE, false, true },
	{ DRM_FORMAT_ABGR8888, 4, GL_RGBA, GL_UNSIGNED_BYTE, false, false },
	{ DRM_FORMAT_RGB565, 2, GL_RGB, GL_UNSIGNED_SHORT_5_6_5, false, true },
};

#define N_SHM_FORMATS (sizeof(shm_formats) / sizeof(shm_formats[0]))

const struct shm_format *
shm_format_lookup(uint32_t fourcc)
{
	for (size_t i = 0; i < N_SHM_FORMATS; i++) {
		if (shm_formats[i].fourcc == fourcc)
			return &shm_formats[i];
	}
	return NULL;
}

/* Adds a (fourcc, modifier) pair, or ORs flags into an existing one. */
static void
add_format(struct renderer *r, uint32_t fourcc, uint64_t modifier,
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

const struct proto_format *
render_formats(struct renderer *r, uint32_t *n)
{
	*n = r->n_formats;
	return r->formats;
}

/* What EGL imports: every modifier it lists, or, without the modifiers
 * query, the implicit-modifier RGB buffers. */
static void
add_egl_formats(struct renderer *r)
{
	EGLDisplay dpy = r->out->egl_display;
	if (!r->has_modifiers) {
		/* Without the query, the buffers EGL takes are the implicit-
		 * modifier RGB ones; say so with MOD_INVALID. */
		for (size_t i = 0; i < N_SHM_FORMATS; i++)
			add_format(r, shm_formats[i].fourcc, DRM_FORMAT_MOD_INVALID,
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
				add_format(r, fourcc, DRM_FORMAT_MOD_INVALID, flags);
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
				add_format(r, fourcc, mods[m], flags);
			}
		}
		free(mods);
		free(external);
	}
	free(fourccs);
}

void
formats_init(struct renderer *r)
{
	for (size_t i = 0; i < N_SHM_FORMATS; i++)
		add_format(r, shm_formats[i].fourcc, DRM_FORMAT_MOD_LINEAR,
			   PROTO_FORMAT_SHM);
	/* The mmap fallback takes any LINEAR single-plane RGB buffer. */
	for (size_t i = 0; i < N_SHM_FORMATS; i++)
		add_format(r, shm_formats[i].fourcc, DRM_FORMAT_MOD_LINEAR,
			   PROTO_FORMAT_DMABUF);
	/* NV12 LINEAR: converted by the viewer from two planes, mapped or
	 * imported per plane (flags OR-ed with what EGL says below). */
	if (r->has_rg)
		add_format(r, DRM_FORMAT_NV12, DRM_FORMAT_MOD_LINEAR,
			   PROTO_FORMAT_DMABUF);
	if (r->has_dmabuf_import && r->has_egl_image)
		add_egl_formats(r);
}
