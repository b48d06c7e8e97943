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

#endif
