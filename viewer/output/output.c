/* SPDX-License-Identifier: MIT */
/*
 * The thin layer over the output backends: forwards to the implementation
 * the caller chose, checking what every backend would check.
 */
#include "output/output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eglview-proto.h"

/* Before the first head arrives a following output needs some size. */
enum { DEFAULT_WIDTH = 640, DEFAULT_HEIGHT = 480 };

static bool
size_valid(int width, int height)
{
	return width > 0 && height > 0 &&
	       width <= PROTO_MAX_DIMENSION && height <= PROTO_MAX_DIMENSION;
}

struct output *
output_create(const struct output_impl *impl, const struct output_config *cfg,
	      char *why, size_t why_size)
{
	if (!impl) {
		snprintf(why, why_size, "no output backend chosen");
		return NULL;
	}
	struct output_config config = cfg ? *cfg : (struct output_config){0};
	bool fixed = config.width != 0 || config.height != 0;
	if (fixed && !size_valid(config.width, config.height)) {
		snprintf(why, why_size, "output size %dx%d out of range: each side "
			 "must be 1..%d", config.width, config.height,
			 PROTO_MAX_DIMENSION);
		return NULL;
	}
	if (!fixed) {
		config.width = DEFAULT_WIDTH;
		config.height = DEFAULT_HEIGHT;
	}

	struct output *out = calloc(1, sizeof(*out));
	if (!out) {
		snprintf(why, why_size, "output %s: out of memory", impl->name);
		return NULL;
	}
	out->impl = impl;
	out->egl_display = EGL_NO_DISPLAY;
	out->egl_context = EGL_NO_CONTEXT;
	out->fixed_size = fixed;
	out->n_views = 1;
	if (!impl->init(out, &config, why, why_size)) {
		free(out);
		return NULL;
	}
	return out;
}

void
output_destroy(struct output *out)
{
	if (!out)
		return;
	out->impl->finish(out);
	free(out);
}

bool
output_resize(struct output *out, int width, int height)
{
	if (out->fixed_size)
		return true;
	if (!size_valid(width, height))
		return false;
	if (width == out->width && height == out->height)
		return true;
	return out->impl->resize(out, width, height);
}

bool
output_set_heads(struct output *out, const struct output_head *heads, int n)
{
	if (out->impl->set_heads)
		return out->impl->set_heads(out, heads, n);
	/* One view: the heads 1:1 side by side, as tall as the tallest. */
	int64_t w = 0;
	int h = 0;
	for (int i = 0; i < n; i++) {
		w += heads[i].width;
		if (heads[i].height > h)
			h = heads[i].height;
	}
	if (n == 0 || w == 0 || h == 0)
		return true;
	return output_resize(out, w > PROTO_MAX_DIMENSION ? PROTO_MAX_DIMENSION :
			     (int)w, h);
}

int
output_view_heads(const struct output *out, int view, int n, int *first)
{
	if (!out->view_per_head) {
		*first = 0;
		return view == 0 ? n : 0;
	}
	*first = view;
	return view < n ? 1 : 0;
}

bool
output_begin_frame(struct output *out)
{
	return output_begin_view(out, 0);
}

bool
output_begin_view(struct output *out, int view)
{
	if (view < 0 || view >= out->n_views)
		return false;
	out->view = view;
	return out->impl->begin_frame(out);
}

bool
output_present(struct output *out, uint64_t *presented_ns)
{
	return out->impl->present(out, NULL, presented_ns);
}

bool
output_begin_cpu_frame(struct output *out, struct output_pixels *px, int *age)
{
	*age = 0;
	return out->impl->begin_cpu_frame &&
	       out->impl->begin_cpu_frame(out, px, age);
}

bool
output_has_cpu_frames(const struct output *out)
{
	return out->impl->begin_cpu_frame != NULL;
}

int
output_buffer_age(struct output *out)
{
	return out->impl->buffer_age ? out->impl->buffer_age(out) : 0;
}

bool
output_present_damage(struct output *out, const struct damage *damage,
		      uint64_t *presented_ns)
{
	return out->impl->present(out, damage, presented_ns);
}

bool
output_frame_ready(struct output *out)
{
	return out->impl->ready ? out->impl->ready(out) : true;
}

bool
output_snapshot(struct output *out, const char *path, char *why, size_t why_size)
{
	return out->impl->snapshot(out, path, why, why_size);
}

int
output_get_event_fd(struct output *out)
{
	return out->impl->get_event_fd ? out->impl->get_event_fd(out) : -1;
}

bool
output_dispatch(struct output *out)
{
	return out->impl->dispatch ? out->impl->dispatch(out) : true;
}

void
output_set_title(struct output *out, int view, const char *title)
{
	if (out->impl->set_title && view >= 0 && view < out->n_views)
		out->impl->set_title(out, view, title);
}

bool
output_set_grab(struct output *out, bool grab)
{
	return out->impl->set_grab ? out->impl->set_grab(out, grab) : !grab;
}

void
output_toggle_fullscreen(struct output *out)
{
	if (out->impl->toggle_fullscreen)
		out->impl->toggle_fullscreen(out);
}

void
output_set_cursor(struct output *out, const struct proto_cursor_image *img,
		  const uint32_t *pixels)
{
	if (out->impl->set_cursor)
		out->impl->set_cursor(out, img, pixels);
}

void
output_show_guest_cursor(struct output *out, bool over_picture)
{
	if (out->impl->show_guest_cursor)
		out->impl->show_guest_cursor(out, over_picture);
}

bool
output_pointer_position(struct output *out, int view, double *x, double *y)
{
	return out->impl->pointer_position &&
	       out->impl->pointer_position(out, view, x, y);
}

const char *const output_text_mimes[OUTPUT_N_TEXT_MIMES] = {
	"text/plain;charset=utf-8", "UTF8_STRING", "text/plain", "TEXT",
	"STRING",
};

bool
output_has_clipboard(const struct output *out)
{
	return out->impl->get_clipboard && out->impl->set_clipboard;
}

char *
output_get_clipboard(struct output *out)
{
	return output_has_clipboard(out) ? out->impl->get_clipboard(out) : NULL;
}

void
output_set_clipboard(struct output *out, const char *text)
{
	if (output_has_clipboard(out))
		out->impl->set_clipboard(out, text);
}

bool
output_has_dmabuf_import(const struct output *out)
{
	return out->egl_display != EGL_NO_DISPLAY &&
	       epoxy_has_egl_extension(out->egl_display,
				       "EGL_EXT_image_dma_buf_import");
}

bool
output_direct_offered(struct output *out, char *why, size_t why_size)
{
	if (!out->impl->direct) {
		snprintf(why, why_size, "the %s output has no compositor to hand "
			 "buffers to", out->impl->name);
		return false;
	}
	return out->impl->direct->offered(out, why, why_size);
}

bool
output_direct_commit(struct output *out, int view, uint64_t *presented_ns)
{
	return out->impl->direct && out->impl->direct->commit(out, view,
							      presented_ns);
}

void
output_direct_show_cursors(struct output *out, bool show)
{
	if (out->impl->direct)
		out->impl->direct->show_cursors(out, show);
}

void
output_print_stats(struct output *out, FILE *f)
{
	if (out && out->impl->direct)
		out->impl->direct->print_stats(out, f);
}
