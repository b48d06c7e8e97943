/* SPDX-License-Identifier: MIT */
/*
 * The output-backend interface: where frames go. Each backend is one file
 * that fills a struct output_impl; the rest of the viewer talks to
 * struct output only and cannot tell backends apart.
 */
#ifndef EGLVIEW_OUTPUT_H
#define EGLVIEW_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>

#include <epoxy/egl.h>

struct output;

struct output_config {
	int width, height;       /* 0,0: follow the head (output_resize) */
	const char *render_node; /* NULL: pick the first /dev/dri/renderD* */
	bool verbose;            /* print the path taken (GBM or surfaceless) */
};

struct output_impl {
	const char *name;
	bool (*init)(struct output *out, const struct output_config *cfg,
		     char *why, size_t why_size);
	void (*finish)(struct output *out);
	bool (*resize)(struct output *out, int width, int height);
	/* Makes the context current and binds the framebuffer to draw into. */
	bool (*begin_frame)(struct output *out);
	/* Shows (or finishes) the frame; *presented_ns gets CLOCK_MONOTONIC. */
	bool (*present)(struct output *out, uint64_t *presented_ns);
	/* Writes the last presented frame as PNG. */
	bool (*snapshot)(struct output *out, const char *path,
			 char *why, size_t why_size);
};

/* The state every backend shares; backends keep their own after it. */
struct output {
	const struct output_impl *impl;
	void *backend;           /* the implementation's private state */
	EGLDisplay egl_display;
	EGLContext egl_context;
	int width, height;       /* current framebuffer size in pixels */
	bool fixed_size;         /* --size given: never follows the head */
	const char *path;        /* human-readable: "GBM on /dev/dri/renderD128", "EGL surfaceless" */
};

/* backend: "offscreen" (more later). NULL with why filled on failure. */
struct output *output_create(const char *backend, const struct output_config *cfg,
			     char *why, size_t why_size);
void output_destroy(struct output *out); /* NULL is fine */
bool output_resize(struct output *out, int width, int height);
bool output_begin_frame(struct output *out);
bool output_present(struct output *out, uint64_t *presented_ns);
bool output_snapshot(struct output *out, const char *path, char *why, size_t why_size);
/* true when the EGL display offers EGL_EXT_image_dma_buf_import. */
bool output_has_dmabuf_import(const struct output *out);

#endif
