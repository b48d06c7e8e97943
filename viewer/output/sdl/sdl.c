/* SPDX-License-Identifier: MIT */
/*
 * The SDL2 output: a resizable window per head (view i shows head i), all
 * drawn with one GLES context that SDL makes on EGL
 * (SDL_VIDEO_X11_FORCE_EGL), so epoxy and the importers see the same
 * EGLDisplay as on the offscreen path and every texture serves every
 * window. Closing the first window ends the viewer; closing another hides
 * it until its head goes away and comes back. This file keeps the
 * windows and the frames; events.c turns SDL's events into the viewer's
 * terms.
 */
#include <dlfcn.h>
#include <linux/input-event-codes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <SDL2/SDL.h>
#include <SDL2/SDL_syswm.h>
#include <epoxy/egl.h>
#include <epoxy/gl.h>

#include "eglview-proto.h"
#include "log.h"
#include "output/sdl/private.h"
#include "output/sdl/sdl.h"
#include "output/egl.h"
#include "output/readback.h"


static void
prepare_sdl(void)
{
	/* EGL, not GLX: the importers need the EGLDisplay of the context. */
	setenv("SDL_VIDEO_X11_FORCE_EGL", "1", 0);
	/* The viewer owns SIGINT/SIGTERM through its signalfd. */
	SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
	/* Touch goes to the guest as touch, not also as a mouse. */
	SDL_SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "0");
	SDL_SetHint(SDL_HINT_MOUSE_TOUCH_EVENTS, "0");
	/* A click that focuses the window still reaches the guest. */
	SDL_SetHint(SDL_HINT_MOUSE_FOCUS_CLICKTHROUGH, "1");
	SDL_SetHint(SDL_HINT_VIDEO_MINIMIZE_ON_FOCUS_LOSS, "0");
	SDL_SetHint(SDL_HINT_GRAB_KEYBOARD, "1");
	/* A window surface (frames the CPU draws) is the window system's
	 * own memory (XShm), not a GL texture drawn over the window. */
	SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
}

bool
output_sdl_available(char *why, size_t why_size)
{
	const char *x = getenv("DISPLAY"), *wl = getenv("WAYLAND_DISPLAY");
	if ((!x || !*x) && (!wl || !*wl)) {
		snprintf(why, why_size, "neither DISPLAY nor WAYLAND_DISPLAY is set");
		return false;
	}
	prepare_sdl();
	if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
		snprintf(why, why_size, "SDL cannot start its video: %s",
			 SDL_GetError());
		return false;
	}
	SDL_QuitSubSystem(SDL_INIT_VIDEO);
	return true;
}

/* The window system's connection, for the viewer's poll. */
static int
find_event_fd(SDL_Window *window)
{
	SDL_SysWMinfo info;
	SDL_VERSION(&info.version);
	if (!SDL_GetWindowWMInfo(window, &info))
		return -1;
	switch (info.subsystem) {
	case SDL_SYSWM_X11:
		return ConnectionNumber(info.info.x11.display);
	case SDL_SYSWM_WAYLAND: {
		/* SDL loaded libwayland-client; no link-time dependency. */
		int (*get_fd)(void *) = (int (*)(void *))
			dlsym(RTLD_DEFAULT, "wl_display_get_fd");
		return get_fd ? get_fd(info.info.wl.display) : -1;
	}
	default:
		return -1;
	}
}

static bool
create_context(struct sdl_output *s, char *why, size_t why_size)
{
	static const int versions[][2] = { { 3, 0 }, { 2, 0 } };
	for (size_t i = 0; i < 2 && !s->context; i++) {
		SDL_GL_SetAttribute(SDL_GL_CONTEXT_PROFILE_MASK,
				    SDL_GL_CONTEXT_PROFILE_ES);
		SDL_GL_SetAttribute(SDL_GL_CONTEXT_MAJOR_VERSION, versions[i][0]);
		SDL_GL_SetAttribute(SDL_GL_CONTEXT_MINOR_VERSION, versions[i][1]);
		s->context = SDL_GL_CreateContext(s->window);
	}
	if (!s->context) {
		snprintf(why, why_size, "SDL cannot create a GLES context: %s",
			 SDL_GetError());
		return false;
	}
	return true;
}

static void sdl_finish(struct output *out);

static bool
sdl_open(struct output *out, const struct output_config *cfg, char *why,
	 size_t why_size)
{
	struct sdl_output *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(why, why_size, "out of memory");
		return false;
	}
	out->backend = s;
	s->event_fd = -1;
	s->keep_frame = cfg->keep_frame;
	snprintf(s->title, sizeof(s->title), "%s",
		 cfg->title ? cfg->title : "qemu-eglview");
	if (cfg->events) {
		s->events = *cfg->events;
		s->has_events = true;
	}

	prepare_sdl();
	if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
		snprintf(why, why_size, "SDL cannot start its video (DISPLAY=%s, "
			 "WAYLAND_DISPLAY=%s): %s; use --backend offscreen "
			 "without a display", getenv("DISPLAY") ? getenv("DISPLAY") : "",
			 getenv("WAYLAND_DISPLAY") ? getenv("WAYLAND_DISPLAY") : "",
			 SDL_GetError());
		free(s);
		out->backend = NULL;
		return false;
	}
	s->video_started = true;
	Uint32 flags = SDL_WINDOW_OPENGL | SDL_WINDOW_RESIZABLE |
		       SDL_WINDOW_ALLOW_HIGHDPI;
	if (cfg->fullscreen)
		flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
	if (cfg->no_decorations)
		flags |= SDL_WINDOW_BORDERLESS;
	s->window_flags = flags;
	s->hide_cursor = cfg->hide_cursor;
	s->window = SDL_CreateWindow(s->title, SDL_WINDOWPOS_UNDEFINED,
				     SDL_WINDOWPOS_UNDEFINED, cfg->width,
				     cfg->height, flags);
	s->views[0] = (struct sdl_view){ .window = s->window,
					 .fullscreen = cfg->fullscreen };
	s->focus = s->window;
	if (!s->window) {
		snprintf(why, why_size, "SDL cannot open a %dx%d window: %s",
			 cfg->width, cfg->height, SDL_GetError());
		return false;
	}
	if (!create_context(s, why, why_size))
		return false;
	out->egl_display = eglGetCurrentDisplay();
	out->egl_context = eglGetCurrentContext();
	if (out->egl_display == EGL_NO_DISPLAY || out->egl_context == EGL_NO_CONTEXT) {
		snprintf(why, why_size, "SDL's GL context is not an EGL one "
			 "(SDL_VIDEO_X11_FORCE_EGL=%s); the importers need EGL",
			 getenv("SDL_VIDEO_X11_FORCE_EGL"));
		return false;
	}
	/* The loop must not block in a swap: it also serves the socket. */
	SDL_GL_SetSwapInterval(0);
	if (s->hide_cursor)
		SDL_ShowCursor(SDL_DISABLE);
	s->event_fd = find_event_fd(s->window);
	SDL_SysWMinfo info;
	SDL_VERSION(&info.version);
	if (SDL_GetWindowWMInfo(s->window, &info) &&
	    info.subsystem == SDL_SYSWM_X11) {
		s->x11_display = info.info.x11.display;
		s->x11_queued = (int (*)(void *, int))dlsym(RTLD_DEFAULT,
							    "XEventsQueued");
	}
	if (s->event_fd < 0) {
		snprintf(why, why_size, "cannot find the window system's "
			 "connection fd to wait on (SDL video driver %s)",
			 SDL_GetCurrentVideoDriver());
		return false;
	}
	SDL_GL_GetDrawableSize(s->window, &out->width, &out->height);
	snprintf(s->path, sizeof(s->path), "SDL %s window, EGL",
		 SDL_GetCurrentVideoDriver());
	out->path = s->path;
	out->windowed = true;
	out->view_per_head = !cfg->one_view;
	out->n_views = 1;
	return true;
}

static bool
sdl_init(struct output *out, const struct output_config *cfg, char *why,
	 size_t why_size)
{
	if (sdl_open(out, cfg, why, why_size))
		return true;
	sdl_finish(out);
	return false;
}

static void
sdl_finish(struct output *out)
{
	struct sdl_output *s = out->backend;
	if (!s)
		return;
	if (s->guest_cursor)
		SDL_FreeCursor(s->guest_cursor);
	if (s->context)
		SDL_GL_DeleteContext(s->context);
	for (int i = 0; i < PROTO_MAX_HEADS; i++) {
		if (s->views[i].window)
			SDL_DestroyWindow(s->views[i].window);
	}
	if (s->video_started)
		SDL_QuitSubSystem(SDL_INIT_VIDEO);
	readback_finish(&s->frame);
	free(s);
	out->backend = NULL;
}

/* A window follows its head: the head's pixels 1:1 on the drawable. */
static void
fit_window_to_head(struct output *out, struct sdl_view *view, int width,
		   int height)
{
	if (view->head_w == width && view->head_h == height)
		return;
	view->head_w = width;
	view->head_h = height;
	if (view->fullscreen || out->fixed_size || width <= 0 || height <= 0)
		return;
	int ww, wh, dw, dh;
	SDL_GetWindowSize(view->window, &ww, &wh);
	SDL_GL_GetDrawableSize(view->window, &dw, &dh);
	if (ww <= 0 || dw <= 0 || wh <= 0 || dh <= 0)
		ww = dw = wh = dh = 1;
	SDL_SetWindowSize(view->window, width * ww / dw, height * wh / dh);
}

/* With one view (--size on a single head) resize still works. */
static bool
sdl_resize(struct output *out, int width, int height)
{
	struct sdl_output *s = out->backend;
	fit_window_to_head(out, &s->views[0], width, height);
	return true;
}

static SDL_Window *
open_window(struct output *out, const struct output_head *head)
{
	struct sdl_output *s = out->backend;
	int w = out->fixed_size ? out->width : head->width;
	int h = out->fixed_size ? out->height : head->height;
	SDL_Window *window = SDL_CreateWindow(s->title, SDL_WINDOWPOS_UNDEFINED,
					      SDL_WINDOWPOS_UNDEFINED,
					      w > 0 ? w : 640, h > 0 ? h : 480,
					      s->window_flags);
	if (!window)
		log_error("SDL cannot open a window for head %s (%dx%d): %s; "
			  "it stays unseen", head->name, w, h, SDL_GetError());
	return window;
}

/* A new head's window opens right of the one before, as the heads lie
 * in the guest's layout; a window manager may still place it elsewhere. */
static void
place_beside(SDL_Window *before, SDL_Window *window)
{
	if (!before || !window)
		return;
	int x, y, w, h;
	SDL_GetWindowPosition(before, &x, &y);
	SDL_GetWindowSize(before, &w, &h);
	SDL_SetWindowPosition(window, x + w, y);
}

/* View 0 keeps the main window and shows the first head; every other head
 * keeps its window (and whether the user closed it) or gets a new one. */
static bool
sdl_set_heads(struct output *out, const struct output_head *heads, int n)
{
	struct sdl_output *s = out->backend;
	if (!out->view_per_head) {
		/* one_view: the main window shows them side by side, 1:1. */
		int w = 0, h = 0;
		for (int i = 0; i < n; i++) {
			w += heads[i].width;
			h = heads[i].height > h ? heads[i].height : h;
		}
		if (w > PROTO_MAX_DIMENSION)
			w = PROTO_MAX_DIMENSION;
		return n == 0 || output_resize(out, w, h);
	}
	struct sdl_view old[PROTO_MAX_HEADS];
	memcpy(old, s->views, sizeof(old));
	memset(s->views, 0, sizeof(s->views));
	s->views[0] = old[0];
	old[0].window = NULL;
	if (n > 0 && s->views[0].head_id != heads[0].id) {
		s->views[0].head_id = heads[0].id;
		s->views[0].head_w = s->views[0].head_h = 0;
	}
	for (int i = 1; i < n && i < PROTO_MAX_HEADS; i++) {
		for (int j = 1; j < PROTO_MAX_HEADS; j++) {
			if (old[j].window && old[j].head_id == heads[i].id) {
				s->views[i] = old[j];
				old[j].window = NULL;
			}
		}
		if (!s->views[i].window) {
			s->views[i] = (struct sdl_view){
				.window = open_window(out, &heads[i]),
				.head_id = heads[i].id,
				.fullscreen = s->window_flags &
					      SDL_WINDOW_FULLSCREEN_DESKTOP,
			};
			place_beside(s->views[i - 1].window, s->views[i].window);
		}
	}
	/* The windows of heads that went away close. */
	for (int j = 1; j < PROTO_MAX_HEADS; j++) {
		if (!old[j].window)
			continue;
		if (s->focus == old[j].window)
			s->focus = s->window;
		SDL_DestroyWindow(old[j].window);
	}
	out->n_views = n > 1 ? (n < PROTO_MAX_HEADS ? n : PROTO_MAX_HEADS) : 1;
	for (int i = 0; i < n && i < out->n_views; i++) {
		if (s->views[i].window)
			fit_window_to_head(out, &s->views[i], heads[i].width,
					   heads[i].height);
	}
	return true;
}

static struct sdl_view *
current_view(struct output *out)
{
	struct sdl_output *s = out->backend;
	return &s->views[out->view];
}

static bool
sdl_begin_frame(struct output *out)
{
	struct sdl_output *s = out->backend;
	struct sdl_view *view = current_view(out);
	if (!view->window) {
		/* A head whose window failed to open: drawn nowhere. */
		out->width = out->height = 1;
		return true;
	}
	if (SDL_GL_MakeCurrent(view->window, s->context) != 0)
		return false;
	SDL_GL_GetDrawableSize(view->window, &out->width, &out->height);
	glBindFramebuffer(GL_FRAMEBUFFER, 0);
	if (!view->preserve_tried) {
		view->preserve_tried = true;
		view->preserved = egl_surface_preserve(out->egl_display,
						       eglGetCurrentSurface(EGL_DRAW));
	}
	if (out->width != view->kept_w || out->height != view->kept_h)
		view->kept = false;
	/* Mesa's software EGL on X11 finds a new window size only when it
	 * swaps: the first frame after a resize fills a buffer of the old
	 * size, so one more whole frame follows it. */
	if (out->width != view->drawn_w || out->height != view->drawn_h) {
		view->drawn_w = out->width;
		view->drawn_h = out->height;
		view->refill = true;
	}
	return true;
}

static int
sdl_buffer_age(struct output *out)
{
	struct sdl_view *view = current_view(out);
	if (!view->window)
		return 0;
	return egl_surface_age(out->egl_display, eglGetCurrentSurface(EGL_DRAW),
			       view->preserved, view->kept);
}

static bool
sdl_begin_cpu_frame(struct output *out, struct output_pixels *px, int *age)
{
	struct sdl_output *s = out->backend;
	struct sdl_view *view = current_view(out);
	if (!view->window || view->hidden)
		return false;
	SDL_Surface *surface = SDL_GetWindowSurface(view->window);
	/* Asking may have touched GL (it must not with the hint, but the
	 * renderer relies on its context). */
	SDL_GL_MakeCurrent(view->window, s->context);
	if (!surface || surface->w != out->width || surface->h != out->height ||
	    (surface->format->format != SDL_PIXELFORMAT_RGB888 &&
	     surface->format->format != SDL_PIXELFORMAT_ARGB8888))
		return false;
	if (SDL_MUSTLOCK(surface) && SDL_LockSurface(surface) != 0)
		return false;
	*px = (struct output_pixels){
		.data = surface->pixels, .stride = (size_t)surface->pitch,
		.width = surface->w, .height = surface->h,
	};
	*age = view->cpu_kept && view->cpu_w == surface->w &&
	       view->cpu_h == surface->h ? 1 : 0;
	view->cpu_surface = surface;
	return true;
}

/* Shows what the CPU drew: only the damaged rects go to the window. */
static void
present_cpu(struct sdl_output *s, struct output *out, struct sdl_view *view,
	    const struct damage *damage)
{
	SDL_Surface *surface = view->cpu_surface;
	view->cpu_surface = NULL;
	if (SDL_MUSTLOCK(surface))
		SDL_UnlockSurface(surface);
	if (s->keep_frame && out->view == 0)
		readback_update_pixels(&s->frame, surface->pixels,
				       (size_t)surface->pitch, surface->w,
				       surface->h, damage);
	if (damage) {
		SDL_Rect rects[DAMAGE_MAX_RECTS];
		for (int i = 0; i < damage->n; i++)
			rects[i] = (SDL_Rect){ damage->rects[i].x, damage->rects[i].y,
					       damage->rects[i].width,
					       damage->rects[i].height };
		SDL_UpdateWindowSurfaceRects(view->window, rects, damage->n);
	} else {
		SDL_UpdateWindowSurface(view->window);
	}
	view->cpu_kept = true;
	view->cpu_w = surface->w;
	view->cpu_h = surface->h;
	view->kept = false; /* the GL back buffer is older now */
}

static bool
sdl_present(struct output *out, const struct damage *damage,
	    uint64_t *presented_ns)
{
	struct sdl_output *s = out->backend;
	struct sdl_view *view = current_view(out);
	if (view->cpu_surface) {
		present_cpu(s, out, view, damage);
	} else {
		/* --snapshot writes the main window's picture. */
		if (s->keep_frame && out->view == 0)
			readback_update(&s->frame, out->width, out->height,
					damage);
		view->cpu_kept = false;
	}
	if (view->window && !view->hidden && !view->cpu_kept) {
		egl_swap_with_damage(out->egl_display,
				     eglGetCurrentSurface(EGL_DRAW), out->height,
				     damage);
		view->kept = !view->refill;
		view->kept_w = out->width;
		view->kept_h = out->height;
		if (view->refill && s->has_events)
			s->events.redraw(s->events.data);
		view->refill = false;
	}
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	*presented_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	return true;
}

static bool
sdl_snapshot(struct output *out, const char *path, char *why, size_t why_size)
{
	struct sdl_output *s = out->backend;
	return readback_write_png(&s->frame, path, why, why_size);
}

const struct output_impl output_sdl_impl = {
	.name = "sdl",
	.init = sdl_init,
	.finish = sdl_finish,
	.resize = sdl_resize,
	.set_heads = sdl_set_heads,
	.begin_frame = sdl_begin_frame,
	.buffer_age = sdl_buffer_age,
	.begin_cpu_frame = sdl_begin_cpu_frame,
	.present = sdl_present,
	.snapshot = sdl_snapshot,
	.get_event_fd = sdl_get_event_fd,
	.dispatch = sdl_dispatch,
	.set_title = sdl_set_title,
	.set_grab = sdl_set_grab,
	.toggle_fullscreen = sdl_toggle_fullscreen,
	.set_cursor = sdl_set_cursor,
	.show_guest_cursor = sdl_show_guest_cursor,
	.pointer_position = sdl_pointer_position,
	.get_clipboard = sdl_get_clipboard,
	.set_clipboard = sdl_set_clipboard,
};
