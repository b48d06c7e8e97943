/* SPDX-License-Identifier: MIT */
/*
 * EGL helpers every output backend needs: naming EGL errors for messages,
 * and making a GLES context on an already-initialised display.
 */
#ifndef EGLVIEW_EGL_H
#define EGLVIEW_EGL_H

#include <stdbool.h>
#include <stddef.h>

#include <epoxy/egl.h>

#include "damage.h"

/* "EGL_BAD_ALLOC" for 0x3003; "unknown EGL error" for anything else. */
const char *egl_error_name(EGLint error);

/* eglInitialize + eglBindAPI(GLES) + a GLES 3 context (GLES 2 if 3 is
 * refused), made current with no surface. On failure why says which step
 * failed with which EGL error; nothing is left to clean up but the
 * display (the caller's). */
bool egl_init_surfaceless_context(EGLDisplay display, EGLContext *context,
				  char *why, size_t why_size);

/* Releases the context and terminates the display; either may be
 * EGL_NO_CONTEXT / EGL_NO_DISPLAY. */
void egl_finish(EGLDisplay display, EGLContext context);

/* Window surfaces, drawn in part (README "Performance"). */
/* Asks that the surface keep its content across swaps
 * (EGL_BUFFER_PRESERVED) where its config allows it; true when it does. */
bool egl_surface_preserve(EGLDisplay display, EGLSurface surface);
/* How many swaps ago the back buffer was drawn: EGL_EXT_buffer_age where
 * offered; else 1 for a preserved surface that was swapped since its
 * size last changed (kept); else 0, unknown: draw everything. */
int egl_surface_age(EGLDisplay display, EGLSurface surface, bool preserved,
		    bool kept);
/* eglSwapBuffers, telling the window system that only damage changed
 * (output pixels, y down, on a surface height pixels tall; NULL: all)
 * where EGL_KHR or EXT_swap_buffers_with_damage is offered. */
bool egl_swap_with_damage(EGLDisplay display, EGLSurface surface, int height,
			  const struct damage *damage);

#endif
