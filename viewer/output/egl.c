/* SPDX-License-Identifier: MIT */
#include "output/egl.h"

#include <stdio.h>

const char *
egl_error_name(EGLint error)
{
	switch (error) {
	case EGL_SUCCESS: return "EGL_SUCCESS";
	case EGL_NOT_INITIALIZED: return "EGL_NOT_INITIALIZED";
	case EGL_BAD_ACCESS: return "EGL_BAD_ACCESS";
	case EGL_BAD_ALLOC: return "EGL_BAD_ALLOC";
	case EGL_BAD_ATTRIBUTE: return "EGL_BAD_ATTRIBUTE";
	case EGL_BAD_CONFIG: return "EGL_BAD_CONFIG";
	case EGL_BAD_CONTEXT: return "EGL_BAD_CONTEXT";
	case EGL_BAD_CURRENT_SURFACE: return "EGL_BAD_CURRENT_SURFACE";
	case EGL_BAD_DISPLAY: return "EGL_BAD_DISPLAY";
	case EGL_BAD_MATCH: return "EGL_BAD_MATCH";
	case EGL_BAD_NATIVE_PIXMAP: return "EGL_BAD_NATIVE_PIXMAP";
	case EGL_BAD_NATIVE_WINDOW: return "EGL_BAD_NATIVE_WINDOW";
	case EGL_BAD_PARAMETER: return "EGL_BAD_PARAMETER";
	case EGL_BAD_SURFACE: return "EGL_BAD_SURFACE";
	case EGL_CONTEXT_LOST: return "EGL_CONTEXT_LOST";
	default: return "unknown EGL error";
	}
}

/* A config only matters when the display cannot make a context without
 * one (no EGL_KHR_no_config_context); then any GLES-renderable one does,
 * since we never draw to an EGL surface. */
static bool
pick_config(EGLDisplay display, EGLint renderable, EGLConfig *config)
{
	if (epoxy_has_egl_extension(display, "EGL_KHR_no_config_context")) {
		*config = EGL_NO_CONFIG_KHR;
		return true;
	}
	const EGLint attribs[] = {
		EGL_RENDERABLE_TYPE, renderable,
		EGL_SURFACE_TYPE, EGL_DONT_CARE,
		EGL_NONE,
	};
	EGLint n = 0;
	return eglChooseConfig(display, attribs, config, 1, &n) && n == 1;
}

static EGLContext
create_context(EGLDisplay display, int major)
{
	EGLConfig config;
	EGLint renderable = major >= 3 ? EGL_OPENGL_ES3_BIT : EGL_OPENGL_ES2_BIT;
	if (!pick_config(display, renderable, &config))
		return EGL_NO_CONTEXT;
	const EGLint attribs[] = {
		EGL_CONTEXT_MAJOR_VERSION, major,
		EGL_NONE,
	};
	return eglCreateContext(display, config, EGL_NO_CONTEXT, attribs);
}

bool
egl_init_surfaceless_context(EGLDisplay display, EGLContext *context,
			     char *why, size_t why_size)
{
	*context = EGL_NO_CONTEXT;
	EGLint major, minor;
	if (!eglInitialize(display, &major, &minor)) {
		snprintf(why, why_size, "eglInitialize failed: %s",
			 egl_error_name(eglGetError()));
		return false;
	}
	if (!epoxy_has_egl_extension(display, "EGL_KHR_surfaceless_context")) {
		snprintf(why, why_size, "the EGL display (EGL %d.%d, %s) lacks "
			 "EGL_KHR_surfaceless_context; a newer Mesa is needed",
			 major, minor, eglQueryString(display, EGL_VENDOR));
		return false;
	}
	if (!eglBindAPI(EGL_OPENGL_ES_API)) {
		snprintf(why, why_size, "eglBindAPI(EGL_OPENGL_ES_API) failed: %s",
			 egl_error_name(eglGetError()));
		return false;
	}

	EGLContext ctx = create_context(display, 3);
	EGLint err3 = ctx == EGL_NO_CONTEXT ? eglGetError() : EGL_SUCCESS;
	if (ctx == EGL_NO_CONTEXT)
		ctx = create_context(display, 2);
	if (ctx == EGL_NO_CONTEXT) {
		snprintf(why, why_size, "eglCreateContext failed for GLES 3 (%s) "
			 "and GLES 2 (%s); is a GLES driver (Mesa) installed?",
			 egl_error_name(err3), egl_error_name(eglGetError()));
		return false;
	}
	if (!eglMakeCurrent(display, EGL_NO_SURFACE, EGL_NO_SURFACE, ctx)) {
		snprintf(why, why_size, "eglMakeCurrent without a surface failed: %s",
			 egl_error_name(eglGetError()));
		eglDestroyContext(display, ctx);
		return false;
	}
	*context = ctx;
	return true;
}

void
egl_finish(EGLDisplay display, EGLContext context)
{
	if (display == EGL_NO_DISPLAY)
		return;
	eglMakeCurrent(display, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
	if (context != EGL_NO_CONTEXT)
		eglDestroyContext(display, context);
	eglTerminate(display);
	eglReleaseThread();
}

bool
egl_surface_preserve(EGLDisplay display, EGLSurface surface)
{
	EGLint id = 0, n = 0, types = 0;
	EGLConfig config;
	if (!eglQuerySurface(display, surface, EGL_CONFIG_ID, &id))
		return false;
	const EGLint attribs[] = { EGL_CONFIG_ID, id, EGL_NONE };
	if (!eglChooseConfig(display, attribs, &config, 1, &n) || n != 1 ||
	    !eglGetConfigAttrib(display, config, EGL_SURFACE_TYPE, &types) ||
	    !(types & EGL_SWAP_BEHAVIOR_PRESERVED_BIT))
		return false;
	return eglSurfaceAttrib(display, surface, EGL_SWAP_BEHAVIOR,
				EGL_BUFFER_PRESERVED);
}

int
egl_surface_age(EGLDisplay display, EGLSurface surface, bool preserved,
		bool kept)
{
	if (epoxy_has_egl_extension(display, "EGL_EXT_buffer_age")) {
		EGLint age = 0;
		if (eglQuerySurface(display, surface, EGL_BUFFER_AGE_EXT, &age))
			return age;
		return 0;
	}
	return preserved && kept ? 1 : 0;
}

bool
egl_swap_with_damage(EGLDisplay display, EGLSurface surface, int height,
		     const struct damage *damage)
{
	bool khr = epoxy_has_egl_extension(display,
					   "EGL_KHR_swap_buffers_with_damage");
	bool ext = !khr && epoxy_has_egl_extension(display,
					"EGL_EXT_swap_buffers_with_damage");
	if (!damage || (!khr && !ext))
		return eglSwapBuffers(display, surface);
	/* EGL's rects count rows from the bottom. */
	EGLint rects[4 * DAMAGE_MAX_RECTS];
	for (int i = 0; i < damage->n; i++) {
		const struct layout_rect *r = &damage->rects[i];
		rects[4 * i] = r->x;
		rects[4 * i + 1] = height - r->y - r->height;
		rects[4 * i + 2] = r->width;
		rects[4 * i + 3] = r->height;
	}
	return khr ? eglSwapBuffersWithDamageKHR(display, surface, rects,
						  damage->n) :
		     eglSwapBuffersWithDamageEXT(display, surface, rects,
						  damage->n);
}
