/* SPDX-License-Identifier: MIT */
/*
 * The SDL output's window-system side: SDL's events turned into the
 * viewer's terms (evdev codes, drawable pixels) from the one poll loop's
 * wake-up (never on a timer), the grab, the titles, the guest's cursor as
 * the host pointer.
 */
#include <dlfcn.h>
#include <linux/input-event-codes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <SDL2/SDL.h>
#include <SDL2/SDL_syswm.h>

#include "log.h"
#include "output/sdl/keymap.h"
#include "output/sdl/private.h"

int
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

/* SDL's lock state (its keyboard state follows the window system's on
 * focus and on each lock key) as LED bits, reported when it changed or
 * when always. */
static void
report_locks(struct sdl_output *s, bool always)
{
	SDL_Keymod mod = SDL_GetModState();
	uint32_t state = (mod & KMOD_NUM ? 1u << 0 : 0) |
			 (mod & KMOD_CAPS ? 1u << 1 : 0) |
			 (mod & KMOD_SCROLL ? 1u << 2 : 0);
	if (!always && state == s->locks_reported)
		return;
	s->locks_reported = state;
	s->events.locks(s->events.data, 0x7, state);
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
		report_locks(s, true);
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
	case SDL_CLIPBOARDUPDATE:
		ev->clipboard(ev->data);
		break;
	case SDL_KEYDOWN:
	case SDL_KEYUP: {
		uint16_t code = keymap_sdl_to_evdev(e->key.keysym.scancode);
		if (code)
			ev->key(ev->data, code, e->type == SDL_KEYDOWN,
				e->key.repeat != 0);
		/* After the key: its own toggle is the guest's to follow. */
		report_locks(s, false);
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

bool
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

void
sdl_set_title(struct output *out, int view, const char *title)
{
	struct sdl_output *s = out->backend;
	if (view == 0)
		snprintf(s->title, sizeof(s->title), "%s", title);
	if (s->views[view].window)
		SDL_SetWindowTitle(s->views[view].window, title);
}

bool
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

/* The host's clipboard through SDL (X11: the CLIPBOARD selection). */
char *
sdl_get_clipboard(struct output *out)
{
	(void)out;
	if (!SDL_HasClipboardText())
		return NULL;
	char *sdl = SDL_GetClipboardText();
	char *text = sdl != NULL && sdl[0] != '\0' ? strdup(sdl) : NULL;
	SDL_free(sdl);
	return text;
}

void
sdl_set_clipboard(struct output *out, const char *text)
{
	(void)out;
	if (SDL_SetClipboardText(text) != 0)
		log_error("cannot set the clipboard: %s", SDL_GetError());
}

void
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

void
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

/* X sends no event when a window changes size under a pointer that
 * stays in it, and SDL's own pointer restore after a fullscreen toggle
 * may come before the window manager's resize: ask the X server. */
bool
sdl_pointer_position(struct output *out, int view, double *x, double *y)
{
	struct sdl_output *s = out->backend;
	SDL_Window *window = view >= 0 && view < PROTO_MAX_HEADS ?
			     s->views[view].window : NULL;
	if (!window || SDL_GetMouseFocus() != window)
		return false;
	int gx, gy, wx, wy, ww, wh;
	SDL_GetGlobalMouseState(&gx, &gy);
	SDL_GetWindowPosition(window, &wx, &wy);
	SDL_GetWindowSize(window, &ww, &wh);
	int lx = gx - wx, ly = gy - wy;
	if (lx < 0 || ly < 0 || lx >= ww || ly >= wh)
		return false;
	to_pixels(s, view, lx, ly, x, y);
	return true;
}

void
sdl_show_guest_cursor(struct output *out, bool over_picture)
{
	struct sdl_output *s = out->backend;
	if (s->over_picture == over_picture)
		return;
	s->over_picture = over_picture;
	update_cursor(s);
}
