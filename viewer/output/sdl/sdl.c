/* SPDX-License-Identifier: MIT */
/*
 * The SDL2 output: a resizable window per head (view i shows head i), all
 * drawn with one GLES context that SDL makes on EGL
 * (SDL_VIDEO_X11_FORCE_EGL), so epoxy and the importers see the same
 * EGLDisplay as on the offscreen path and every texture serves every
 * window. Closing the first window ends the viewer; closing another hides
 * it until its head goes away and comes back. The viewer's one poll loop waits on
 * the window system's connection fd; this file turns SDL's events into the
 * viewer's terms (evdev codes, drawable pixels) and never polls on a timer.
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
#include "output/sdl/keymap.h"
#include "output/sdl/sdl.h"
#include "output/egl.h"
#include "output/readback.h"

/* A window and the head it shows (view i: the i-th head). */
struct sdl_view {
	SDL_Window *window;
	uint32_t head_id;          /* 0: none yet (the first window at start) */
	int head_w, head_h;        /* the size the window last followed */
	bool hidden;               /* the user closed it; its head lives on */
	bool fullscreen;
	/* Drawn in part: the surface keeps its content across swaps, and
	 * it was swapped at this size (README "Performance"). */
	bool preserve_tried, preserved, kept;
	int kept_w, kept_h;
	int drawn_w, drawn_h;      /* the size begin_frame last found */
	bool refill;               /* a new size: draw once more, whole */
	/* Frames the CPU draws go to the window surface (XShm on X11);
	 * cpu_kept: the surface holds the last frame, at this size. */
	SDL_Surface *cpu_surface;  /* the frame under way is the CPU's */
	bool cpu_kept;
	int cpu_w, cpu_h;
};

struct sdl_output {
	struct sdl_view views[PROTO_MAX_HEADS];
	SDL_Window *window;        /* views[0]'s: the main window */
	SDL_Window *focus;         /* the window with the keyboard focus */
	SDL_GLContext context;
	Uint32 window_flags;
	char title[256];           /* for windows opened later */
	int event_fd;
	/* X11: Xlib's count of events read but not yet handed out, looked
	 * up at run time (SDL loads Xlib); NULL elsewhere. */
	int (*x11_queued)(void *display, int mode);
	void *x11_display;
	struct output_events events;
	bool has_events;
	bool video_started;
	bool grabbed;
	SDL_Cursor *guest_cursor;  /* NULL: the guest shows no cursor */
	bool guest_cursor_known;
	bool over_picture;
	bool keep_frame;
	bool hide_cursor;          /* --kiosk: never a host cursor */
	struct readback frame;     /* the main window's last frame */
	char path[128];
};

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

static int
sdl_get_event_fd(struct output *out)
{
	struct sdl_output *s = out->backend;
	return s->event_fd;
}

/* The view a window event belongs to; -1 for a window not ours. */
static int
view_of(struct sdl_output *s, Uint32 window_id)
{
	SDL_Window *window = SDL_GetWindowFromID(window_id);
	for (int i = 0; window && i < PROTO_MAX_HEADS; i++) {
		if (s->views[i].window == window)
			return i;
	}
	return -1;
}

/* Window points -> drawable pixels, at the centre of the point's pixel. */
static void
to_pixels(struct sdl_output *s, int view, int x, int y, double *px,
	  double *py)
{
	SDL_Window *window = s->views[view].window;
	int ww, wh, dw, dh;
	SDL_GetWindowSize(window, &ww, &wh);
	SDL_GL_GetDrawableSize(window, &dw, &dh);
	*px = ww > 0 ? (x + 0.5) * dw / ww : x + 0.5;
	*py = wh > 0 ? (y + 0.5) * dh / wh : y + 0.5;
}

static uint16_t
button_code(Uint8 button)
{
	switch (button) {
	case SDL_BUTTON_LEFT: return BTN_LEFT;
	case SDL_BUTTON_MIDDLE: return BTN_MIDDLE;
	case SDL_BUTTON_RIGHT: return BTN_RIGHT;
	case SDL_BUTTON_X1: return BTN_SIDE;
	case SDL_BUTTON_X2: return BTN_EXTRA;
	default: return 0;
	}
}

/* The first window ends the viewer, as does the last one shown; another
 * hides until its head is gone and back (the guest keeps the head). */
static void
close_view(struct sdl_output *s, int view)
{
	const struct output_events *ev = &s->events;
	int shown = 0;
	for (int i = 0; i < PROTO_MAX_HEADS; i++)
		shown += s->views[i].window && !s->views[i].hidden;
	if (view <= 0 || shown <= 1) {
		ev->close(ev->data);
		return;
	}
	s->views[view].hidden = true;
	SDL_HideWindow(s->views[view].window);
}

static void
handle_window_event(struct sdl_output *s, const SDL_WindowEvent *we)
{
	const struct output_events *ev = &s->events;
	int view = view_of(s, we->windowID);
	if (view < 0)
		return;
	switch (we->event) {
	case SDL_WINDOWEVENT_FOCUS_LOST:
		ev->focus(ev->data, false);
		break;
	case SDL_WINDOWEVENT_FOCUS_GAINED:
		s->focus = s->views[view].window;
		ev->focus(ev->data, true);
		break;
	case SDL_WINDOWEVENT_LEAVE:
		ev->motion(ev->data, view, -1.0, -1.0);
		break;
	case SDL_WINDOWEVENT_EXPOSED:
	case SDL_WINDOWEVENT_SIZE_CHANGED:
	case SDL_WINDOWEVENT_RESIZED:
		ev->redraw(ev->data);
		break;
	case SDL_WINDOWEVENT_CLOSE:
		close_view(s, view);
		break;
	}
}

static void
handle_event(struct output *out, const SDL_Event *e)
{
	struct sdl_output *s = out->backend;
	const struct output_events *ev = &s->events;
	double x, y;
	int view;
	switch (e->type) {
	case SDL_KEYDOWN:
	case SDL_KEYUP: {
		uint16_t code = keymap_sdl_to_evdev(e->key.keysym.scancode);
		if (code)
			ev->key(ev->data, code, e->type == SDL_KEYDOWN,
				e->key.repeat != 0);
		break;
	}
	case SDL_MOUSEMOTION:
		if (e->motion.which == SDL_TOUCH_MOUSEID)
			break;
		if (s->grabbed) {
			ev->relative(ev->data, e->motion.xrel, e->motion.yrel);
		} else if ((view = view_of(s, e->motion.windowID)) >= 0) {
			to_pixels(s, view, e->motion.x, e->motion.y, &x, &y);
			ev->motion(ev->data, view, x, y);
		}
		break;
	case SDL_MOUSEBUTTONDOWN:
	case SDL_MOUSEBUTTONUP: {
		uint16_t code = button_code(e->button.button);
		if (e->button.which == SDL_TOUCH_MOUSEID || !code)
			break;
		/* A click needs no motion before it (a window mapped under
		 * the pointer): say where it happened first. */
		if (!s->grabbed &&
		    (view = view_of(s, e->button.windowID)) >= 0) {
			to_pixels(s, view, e->button.x, e->button.y, &x, &y);
			ev->motion(ev->data, view, x, y);
		}
		ev->button(ev->data, code, e->type == SDL_MOUSEBUTTONDOWN);
		break;
	}
	case SDL_MOUSEWHEEL: {
		if (e->wheel.which == SDL_TOUCH_MOUSEID)
			break;
		if (!s->grabbed &&
		    (view = view_of(s, e->wheel.windowID)) >= 0) {
			to_pixels(s, view, e->wheel.mouseX, e->wheel.mouseY,
				  &x, &y);
			ev->motion(ev->data, view, x, y);
		}
		double dx = e->wheel.preciseX, dy = e->wheel.preciseY;
		if (e->wheel.direction == SDL_MOUSEWHEEL_FLIPPED) {
			dx = -dx;
			dy = -dy;
		}
		ev->wheel(ev->data, dx, dy);
		break;
	}
	case SDL_FINGERDOWN:
	case SDL_FINGERMOTION:
	case SDL_FINGERUP: {
		/* Fingers have no window in SDL 2: the focused one. */
		view = 0;
		for (int i = 0; i < PROTO_MAX_HEADS; i++) {
			if (s->views[i].window && s->views[i].window == s->focus)
				view = i;
		}
		int dw, dh;
		SDL_GL_GetDrawableSize(s->views[view].window, &dw, &dh);
		enum output_touch_phase phase =
			e->type == SDL_FINGERDOWN ? OUTPUT_TOUCH_DOWN :
			e->type == SDL_FINGERUP ? OUTPUT_TOUCH_UP :
						  OUTPUT_TOUCH_MOTION;
		ev->touch(ev->data, view, (int64_t)e->tfinger.fingerId, phase,
			  e->tfinger.x * dw, e->tfinger.y * dh);
		break;
	}
	case SDL_WINDOWEVENT:
		handle_window_event(s, &e->window);
		break;
	case SDL_QUIT:
		ev->close(ev->data);
		break;
	}
}

static bool
sdl_dispatch(struct output *out)
{
	struct sdl_output *s = out->backend;
	SDL_Event e;
	/* Nothing waits in SDL's queue, nor in Xlib's after one read of
	 * what the socket and xcb's buffer hold: then SDL's pump, which
	 * reads the X socket several times over, is spared (most of a small
	 * frame's cost on Xvfb). */
	if (s->x11_queued && !SDL_HasEvents(SDL_FIRSTEVENT, SDL_LASTEVENT) &&
	    s->x11_queued(s->x11_display, 1 /* QueuedAfterReading */) == 0)
		return true;
	/* One read of the window system, then what it queued: SDL_PollEvent
	 * would read the X socket again for each event. */
	SDL_PumpEvents();
	while (SDL_PeepEvents(&e, 1, SDL_GETEVENT, SDL_FIRSTEVENT,
			      SDL_LASTEVENT) > 0) {
		if (s->has_events)
			handle_event(out, &e);
	}
	return true;
}

static void
sdl_set_title(struct output *out, int view, const char *title)
{
	struct sdl_output *s = out->backend;
	if (view == 0)
		snprintf(s->title, sizeof(s->title), "%s", title);
	if (s->views[view].window)
		SDL_SetWindowTitle(s->views[view].window, title);
}

static bool
sdl_set_grab(struct output *out, bool grab)
{
	struct sdl_output *s = out->backend;
	if (SDL_SetRelativeMouseMode(grab ? SDL_TRUE : SDL_FALSE) != 0 && grab)
		return false;
	/* SDL's relative mode holds the focused window; so does this. */
	SDL_SetWindowKeyboardGrab(s->focus, grab ? SDL_TRUE : SDL_FALSE);
	s->grabbed = grab;
	return true;
}

static void
sdl_toggle_fullscreen(struct output *out)
{
	struct sdl_output *s = out->backend;
	for (int i = 0; i < PROTO_MAX_HEADS; i++) {
		struct sdl_view *view = &s->views[i];
		if (!view->window || view->window != s->focus)
			continue;
		view->fullscreen = !view->fullscreen;
		SDL_SetWindowFullscreen(view->window, view->fullscreen ?
					SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
	}
}

static void
update_cursor(struct sdl_output *s)
{
	if (s->hide_cursor) {
		SDL_ShowCursor(SDL_DISABLE);
	} else if (!s->over_picture || !s->guest_cursor_known) {
		SDL_SetCursor(SDL_GetDefaultCursor());
		SDL_ShowCursor(SDL_ENABLE);
	} else if (s->guest_cursor) {
		SDL_SetCursor(s->guest_cursor);
		SDL_ShowCursor(SDL_ENABLE);
	} else {
		SDL_ShowCursor(SDL_DISABLE);
	}
}

static void
sdl_set_cursor(struct output *out, const struct proto_cursor_image *img,
	       const uint32_t *pixels)
{
	struct sdl_output *s = out->backend;
	SDL_Cursor *old = s->guest_cursor;
	s->guest_cursor = NULL;
	s->guest_cursor_known = true;
	if (img->width > 0 && pixels) {
		/* Premultiplied ARGB8888, as X11's ARGB cursors take it. */
		SDL_Surface *surface = SDL_CreateRGBSurfaceWithFormatFrom(
			(void *)pixels, (int)img->width, (int)img->height, 32,
			(int)img->width * 4, SDL_PIXELFORMAT_ARGB8888);
		if (surface) {
			s->guest_cursor = SDL_CreateColorCursor(surface,
								img->hot_x,
								img->hot_y);
			SDL_FreeSurface(surface);
		}
	}
	update_cursor(s);
	if (old)
		SDL_FreeCursor(old);
}

static void
sdl_show_guest_cursor(struct output *out, bool over_picture)
{
	struct sdl_output *s = out->backend;
	if (s->over_picture == over_picture)
		return;
	s->over_picture = over_picture;
	update_cursor(s);
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
};
