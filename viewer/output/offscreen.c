/* SPDX-License-Identifier: MIT */
/*
 * The offscreen output: GBM on a DRM node when one can allocate (a GPU's
 * render node, or the card node of vgem/vkms under Mesa's kms_swrast, as in
 * the dma-buf test VM), EGL surfaceless (Mesa's swrast) otherwise. Frames are
 * drawn into one of two FBOs in turn, so the last presented frame stays
 * readable for a snapshot while the next one is being drawn; frames the
 * CPU draws (--draw) go to a picture in memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <gbm.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <epoxy/gl.h>

#include "log.h"
#include "output/egl.h"
#include "output/output.h"
#include "output/pngfile.h"
#include "output/readback.h"

struct offscreen {
	int drm_fd;              /* -1 on the surfaceless path */
	struct gbm_device *gbm;
	GLuint fbo[2], tex[2];
	int back;                /* the FBO begin_frame draws into */
	bool presented;          /* fbo[1 - back] holds a presented frame */
	uint64_t presents;       /* GL frames in a row since the FBOs were
				  * (re)allocated */
	/* Frames the CPU draws (--draw): one picture in memory, which is
	 * the last frame once presented. */
	uint32_t *pixels;
	int pixels_w, pixels_h;
	bool cpu_frame;          /* the frame under way is the CPU's */
	bool cpu_presented;      /* the last frame presented was */
	char path[512];
};

/* The nodes to try when none is given: render nodes first (the usual
 * GPU), then card nodes, which GBM's software path (kms_swrast on vgem or
 * vkms) needs because dumb buffers are not render-node ioctls. */
static size_t
list_drm_nodes(char nodes[][64], size_t max)
{
	size_t n = 0;
	const char *patterns[] = { "/dev/dri/renderD*", "/dev/dri/card*" };
	for (size_t p = 0; p < 2; p++) {
		glob_t g;
		if (glob(patterns[p], 0, NULL, &g) != 0)
			continue;
		for (size_t i = 0; i < g.gl_pathc && n < max; i++)
			snprintf(nodes[n++], 64, "%s", g.gl_pathv[i]);
		globfree(&g);
	}
	return n;
}

static bool
init_gbm(struct output *out, struct offscreen *off, const char *node,
	 char *why, size_t why_size)
{
	off->drm_fd = open(node, O_RDWR | O_CLOEXEC);
	if (off->drm_fd < 0) {
		snprintf(why, why_size, "cannot open DRM node %s: %s; is the "
			 "user in the 'render' (or 'video') group?", node, strerror(errno));
		return false;
	}
	off->gbm = gbm_create_device(off->drm_fd);
	if (!off->gbm) {
		snprintf(why, why_size, "gbm_create_device on %s failed; does "
			 "Mesa have a driver for this GPU?", node);
		return false;
	}
	/* A device GBM cannot allocate on is no use for rendering or for
	 * importing (kms_swrast on a render node fails here, not later). */
	struct gbm_bo *probe = gbm_bo_create(off->gbm, 64, 64, GBM_FORMAT_XRGB8888,
					     GBM_BO_USE_RENDERING);
	if (!probe) {
		snprintf(why, why_size, "GBM (%s) on %s cannot allocate a buffer: "
			 "%s; try a card node, e.g. --drm-device /dev/dri/card0",
			 gbm_device_get_backend_name(off->gbm), node, strerror(errno));
		return false;
	}
	gbm_bo_destroy(probe);
	if (!epoxy_has_egl_extension(EGL_NO_DISPLAY, "EGL_KHR_platform_gbm") &&
	    !epoxy_has_egl_extension(EGL_NO_DISPLAY, "EGL_MESA_platform_gbm")) {
		snprintf(why, why_size, "EGL has no GBM platform "
			 "(EGL_KHR_platform_gbm); cannot use %s", node);
		return false;
	}
	out->egl_display = eglGetPlatformDisplayEXT(EGL_PLATFORM_GBM_KHR,
						    off->gbm, NULL);
	if (out->egl_display == EGL_NO_DISPLAY) {
		snprintf(why, why_size, "eglGetPlatformDisplay(GBM on %s) failed: %s",
			 node, egl_error_name(eglGetError()));
		return false;
	}
	if (!egl_init_surfaceless_context(out->egl_display, &out->egl_context,
					  why, why_size))
		return false;
	snprintf(off->path, sizeof(off->path), "GBM on %s", node);
	return true;
}

static void
drop_gbm(struct output *out, struct offscreen *off)
{
	egl_finish(out->egl_display, out->egl_context);
	out->egl_display = EGL_NO_DISPLAY;
	out->egl_context = EGL_NO_CONTEXT;
	if (off->gbm)
		gbm_device_destroy(off->gbm);
	off->gbm = NULL;
	if (off->drm_fd >= 0)
		close(off->drm_fd);
	off->drm_fd = -1;
}

static bool
init_surfaceless(struct output *out, struct offscreen *off,
		 char *why, size_t why_size)
{
	if (!epoxy_has_egl_extension(EGL_NO_DISPLAY, "EGL_MESA_platform_surfaceless")) {
		snprintf(why, why_size, "no usable DRM node and EGL lacks "
			 "EGL_MESA_platform_surfaceless; install Mesa's EGL "
			 "(libegl-mesa0) or give a render node");
		return false;
	}
	out->egl_display = eglGetPlatformDisplayEXT(EGL_PLATFORM_SURFACELESS_MESA,
						    EGL_DEFAULT_DISPLAY, NULL);
	if (out->egl_display == EGL_NO_DISPLAY) {
		snprintf(why, why_size, "eglGetPlatformDisplay(surfaceless) failed: %s",
			 egl_error_name(eglGetError()));
		return false;
	}
	if (!egl_init_surfaceless_context(out->egl_display, &out->egl_context,
					  why, why_size))
		return false;
	snprintf(off->path, sizeof(off->path), "EGL surfaceless");
	return true;
}

/* EGLVIEW_OFFSCREEN_EGL=software-device: the EGL device that has
 * EGL_MESA_device_software (llvmpipe), with no DRM node. Under Mesa 25
 * that imports foreign dma-bufs (udmabuf), which kms_swrast on a card
 * node cannot (it crashes), and the surfaceless platform would pick
 * kms_swrast wherever vgem exists. The dma-buf test VM sets it with
 * Mesa 25 (tests/vm). */
static bool
init_software_device(struct output *out, struct offscreen *off,
		     char *why, size_t why_size)
{
	if (!epoxy_has_egl_extension(EGL_NO_DISPLAY, "EGL_EXT_device_enumeration") ||
	    !epoxy_has_egl_extension(EGL_NO_DISPLAY, "EGL_EXT_platform_device")) {
		snprintf(why, why_size, "EGLVIEW_OFFSCREEN_EGL=software-device: "
			 "EGL lacks EGL_EXT_device_enumeration or "
			 "EGL_EXT_platform_device");
		return false;
	}
	EGLDeviceEXT devices[16];
	EGLint n = 0;
	if (!eglQueryDevicesEXT(16, devices, &n))
		n = 0;
	for (EGLint i = 0; i < n; i++) {
		const char *ext = eglQueryDeviceStringEXT(devices[i], EGL_EXTENSIONS);
		if (ext == NULL || !strstr(ext, "EGL_MESA_device_software"))
			continue;
		out->egl_display = eglGetPlatformDisplayEXT(EGL_PLATFORM_DEVICE_EXT,
							    devices[i], NULL);
		if (out->egl_display == EGL_NO_DISPLAY) {
			snprintf(why, why_size, "eglGetPlatformDisplay(software "
				 "device) failed: %s", egl_error_name(eglGetError()));
			return false;
		}
		if (!egl_init_surfaceless_context(out->egl_display,
						  &out->egl_context, why, why_size))
			return false;
		snprintf(off->path, sizeof(off->path), "EGL software device");
		return true;
	}
	snprintf(why, why_size, "EGLVIEW_OFFSCREEN_EGL=software-device: none "
		 "of the %d EGL devices has EGL_MESA_device_software", (int)n);
	return false;
}

static bool
alloc_framebuffers(struct output *out, struct offscreen *off, int width,
		   int height, char *why, size_t why_size)
{
	for (int i = 0; i < 2; i++) {
		glBindTexture(GL_TEXTURE_2D, off->tex[i]);
		glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
		glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
		/* Unsized RGBA: an 8-bit colour target on GLES 2 and 3 alike. */
		glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, width, height, 0,
			     GL_RGBA, GL_UNSIGNED_BYTE, NULL);
		glBindFramebuffer(GL_FRAMEBUFFER, off->fbo[i]);
		glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0,
				       GL_TEXTURE_2D, off->tex[i], 0);
		GLenum status = glCheckFramebufferStatus(GL_FRAMEBUFFER);
		if (status != GL_FRAMEBUFFER_COMPLETE) {
			snprintf(why, why_size, "offscreen framebuffer %dx%d "
				 "incomplete (status 0x%04x, GL error 0x%04x)",
				 width, height, status, glGetError());
			return false;
		}
		glClearColor(0.0f, 0.0f, 0.0f, 1.0f);
		glClear(GL_COLOR_BUFFER_BIT);
	}
	glBindTexture(GL_TEXTURE_2D, 0);
	glBindFramebuffer(GL_FRAMEBUFFER, off->fbo[off->back]);
	out->width = width;
	out->height = height;
	off->presented = false;
	off->presents = 0;
	return true;
}

static void
offscreen_finish(struct output *out)
{
	struct offscreen *off = out->backend;
	if (off && out->egl_context != EGL_NO_CONTEXT) {
		eglMakeCurrent(out->egl_display, EGL_NO_SURFACE, EGL_NO_SURFACE,
			       out->egl_context);
		glDeleteFramebuffers(2, off->fbo);
		glDeleteTextures(2, off->tex);
	}
	egl_finish(out->egl_display, out->egl_context);
	out->egl_display = EGL_NO_DISPLAY;
	out->egl_context = EGL_NO_CONTEXT;
	if (off) {
		free(off->pixels);
		if (off->gbm)
			gbm_device_destroy(off->gbm);
		if (off->drm_fd >= 0)
			close(off->drm_fd);
		free(off);
	}
	out->backend = NULL;
}

static bool
offscreen_init(struct output *out, const struct output_config *cfg,
	       char *why, size_t why_size)
{
	struct offscreen *off = calloc(1, sizeof(*off));
	if (!off) {
		snprintf(why, why_size, "offscreen output: out of memory");
		return false;
	}
	off->drm_fd = -1;
	out->backend = off;

	bool ok = false;
	const char *egl_choice = getenv("EGLVIEW_OFFSCREEN_EGL");
	if (egl_choice && strcmp(egl_choice, "software-device") == 0) {
		if (!init_software_device(out, off, why, why_size)) {
			offscreen_finish(out);
			return false;
		}
		ok = true;
	} else if (cfg->render_node) {
		if (!init_gbm(out, off, cfg->render_node, why, why_size)) {
			offscreen_finish(out);
			return false;
		}
		ok = true;
	}
	char nodes[16][64];
	size_t n_nodes = cfg->render_node || ok ? 0 : list_drm_nodes(nodes, 16);
	for (size_t i = 0; i < n_nodes && !ok; i++) {
		char gbm_why[256] = "";
		ok = init_gbm(out, off, nodes[i], gbm_why, sizeof(gbm_why));
		if (ok)
			break;
		/* A node we found ourselves may be unusable (a display
		 * without render support, a sandbox): try the next, and
		 * software still works. */
		log_verbose("%s; trying the next", gbm_why);
		drop_gbm(out, off);
	}
	if (!ok && !init_surfaceless(out, off, why, why_size)) {
		offscreen_finish(out);
		return false;
	}

	size_t len = strlen(off->path);
	snprintf(off->path + len, sizeof(off->path) - len, ", %s, %s",
		 (const char *)glGetString(GL_VERSION),
		 (const char *)glGetString(GL_RENDERER));
	out->path = off->path;

	glGenFramebuffers(2, off->fbo);
	glGenTextures(2, off->tex);
	if (!alloc_framebuffers(out, off, cfg->width, cfg->height, why, why_size)) {
		offscreen_finish(out);
		return false;
	}
	log_verbose("offscreen output %dx%d via %s", out->width, out->height,
		    out->path);
	return true;
}

static bool
make_current(struct output *out)
{
	return eglGetCurrentContext() == out->egl_context ||
	       eglMakeCurrent(out->egl_display, EGL_NO_SURFACE, EGL_NO_SURFACE,
			      out->egl_context);
}

static bool
offscreen_resize(struct output *out, int width, int height)
{
	struct offscreen *off = out->backend;
	char why[256];
	if (!make_current(out))
		return false;
	if (!alloc_framebuffers(out, off, width, height, why, sizeof(why))) {
		log_error("resizing the offscreen output: %s", why);
		return false;
	}
	return true;
}

static bool
offscreen_begin_frame(struct output *out)
{
	struct offscreen *off = out->backend;
	if (!make_current(out))
		return false;
	glBindFramebuffer(GL_FRAMEBUFFER, off->fbo[off->back]);
	glViewport(0, 0, out->width, out->height);
	return true;
}

/* The FBOs keep what was drawn; the one drawn into now was presented
 * two frames ago. */
static int
offscreen_buffer_age(struct output *out)
{
	struct offscreen *off = out->backend;
	return off->presents >= 2 ? 2 : 0;
}

/* The CPU's picture stays as it was drawn: age 1 after a CPU frame of
 * the same size. */
static bool
offscreen_begin_cpu_frame(struct output *out, struct output_pixels *px,
			  int *age)
{
	struct offscreen *off = out->backend;
	if (off->pixels_w != out->width || off->pixels_h != out->height) {
		free(off->pixels);
		off->pixels = malloc((size_t)out->width * out->height * 4);
		off->pixels_w = off->pixels ? out->width : 0;
		off->pixels_h = off->pixels ? out->height : 0;
		off->cpu_presented = false;
	}
	if (!off->pixels)
		return false;
	*px = (struct output_pixels){
		.data = off->pixels, .stride = (size_t)out->width * 4,
		.width = out->width, .height = out->height,
	};
	*age = off->cpu_presented ? 1 : 0;
	off->cpu_frame = true;
	return true;
}

static bool
offscreen_present(struct output *out, const struct damage *damage,
		  uint64_t *presented_ns)
{
	struct offscreen *off = out->backend;
	(void)damage; /* nothing scans out: the whole frame is there */
	if (off->cpu_frame) {
		off->cpu_frame = false;
		off->cpu_presented = true;
		off->presents = 0; /* the FBOs are older than this frame */
		off->presented = true;
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		*presented_ns = (uint64_t)ts.tv_sec * 1000000000u +
				(uint64_t)ts.tv_nsec;
		return true;
	}
	off->cpu_presented = false;
	off->presents++;
	/* Nothing scans out: "presented" means the GPU has finished it. */
	glFinish();
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (presented_ns)
		*presented_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	off->back = 1 - off->back;
	off->presented = true;
	glBindFramebuffer(GL_FRAMEBUFFER, off->fbo[off->back]);
	return true;
}

static bool
offscreen_snapshot(struct output *out, const char *path, char *why,
		   size_t why_size)
{
	struct offscreen *off = out->backend;
	if (!off->presented) {
		snprintf(why, why_size, "no snapshot for %s: no frame has been "
			 "presented yet", path);
		return false;
	}
	if (off->cpu_presented) {
		struct readback rb = { 0 };
		readback_update_pixels(&rb, off->pixels, (size_t)off->pixels_w * 4,
				       off->pixels_w, off->pixels_h, NULL);
		bool ok = readback_write_png(&rb, path, why, why_size);
		readback_finish(&rb);
		return ok;
	}
	if (!make_current(out)) {
		snprintf(why, why_size, "no snapshot for %s: eglMakeCurrent failed: %s",
			 path, egl_error_name(eglGetError()));
		return false;
	}
	size_t stride = (size_t)out->width * 4;
	uint8_t *pixels = malloc(stride * (size_t)out->height);
	if (!pixels) {
		snprintf(why, why_size, "no snapshot for %s: out of memory for "
			 "%dx%d pixels", path, out->width, out->height);
		return false;
	}
	GLint bound = 0;
	glGetIntegerv(GL_FRAMEBUFFER_BINDING, &bound);
	glBindFramebuffer(GL_FRAMEBUFFER, off->fbo[1 - off->back]);
	glPixelStorei(GL_PACK_ALIGNMENT, 4);
	glReadPixels(0, 0, out->width, out->height, GL_RGBA, GL_UNSIGNED_BYTE,
		     pixels);
	glBindFramebuffer(GL_FRAMEBUFFER, (GLuint)bound);
	GLenum err = glGetError();
	bool ok = err == GL_NO_ERROR;
	if (!ok)
		snprintf(why, why_size, "no snapshot for %s: glReadPixels failed "
			 "(GL error 0x%04x)", path, err);
	else
		ok = pngfile_write_rgba(path, out->width, out->height, pixels,
					stride, true, why, why_size);
	free(pixels);
	return ok;
}

const struct output_impl output_offscreen_impl = {
	.name = "offscreen",
	.init = offscreen_init,
	.finish = offscreen_finish,
	.resize = offscreen_resize,
	.begin_frame = offscreen_begin_frame,
	.buffer_age = offscreen_buffer_age,
	.begin_cpu_frame = offscreen_begin_cpu_frame,
	.present = offscreen_present,
	.snapshot = offscreen_snapshot,
};
