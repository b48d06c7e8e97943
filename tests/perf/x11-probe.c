/* SPDX-License-Identifier: MIT */
/*
 * What an X display really shows, read back off the screen (XGetImage on
 * the root window, so anything a window drew counts only once it is on
 * the screen), for tests/perf/bench.py:
 *
 *   x11-probe frames     finds the test guest's frame counter (the anim
 *                        modes draw it: a magenta and a green cell, then
 *                        16 bits) and prints "mark X Y" once, then
 *                        "frame T_NS N" each time the counter shows a new
 *                        value (polled every 4 ms), until killed.
 *   x11-probe keys N     focuses the largest top-level window, and N times:
 *                        reads 16x16 pixels in its middle, presses 'a'
 *                        through XTest and polls those pixels every 1 ms
 *                        until they change: "key MS" (or "key timeout"),
 *                        then releases it and waits 150..300 ms.
 *
 * T_NS is CLOCK_MONOTONIC, Python's time.monotonic(). Exit 77 when no
 * X display or no XTest.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/XTest.h>
#include <X11/keysym.h>

#define SKIP 77
#define CELL 8
#define COUNTER_CELLS 18
#define PATCH 16

static uint64_t
now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
sleep_ms(double ms)
{
	struct timespec ts = { .tv_sec = (time_t)(ms / 1000),
		.tv_nsec = (long)((ms - 1000 * (long)(ms / 1000)) * 1e6) };
	nanosleep(&ts, NULL);
}

static bool
near(unsigned long pixel, uint32_t rgb)
{
	for (int shift = 0; shift < 24; shift += 8) {
		int a = (int)(pixel >> shift & 0xff), b = (int)(rgb >> shift & 0xff);
		if (abs(a - b) > 48)
			return false;
	}
	return true;
}

static bool
bright(unsigned long pixel)
{
	return ((pixel >> 16 & 0xff) + (pixel >> 8 & 0xff) + (pixel & 0xff)) / 3 > 128;
}

/* The largest viewable child of the root: the one window an app put up
 * (QEMU's gtk window also owns tiny unmapped helpers). */
static Window
find_window(Display *dpy, int *x, int *y, int *w, int *h)
{
	Window root = DefaultRootWindow(dpy), parent, *children = NULL, best = 0;
	unsigned int n = 0;
	long best_area = 0;
	if (!XQueryTree(dpy, root, &root, &parent, &children, &n))
		return 0;
	for (unsigned int i = 0; i < n; i++) {
		XWindowAttributes a;
		if (!XGetWindowAttributes(dpy, children[i], &a) ||
		    a.map_state != IsViewable || a.class != InputOutput)
			continue;
		long area = (long)a.width * a.height;
		if (a.width >= 320 && a.height >= 240 && area > best_area) {
			best_area = area;
			best = children[i];
			*x = a.x, *y = a.y, *w = a.width, *h = a.height;
		}
	}
	XFree(children);
	return best;
}

static Window
wait_window(Display *dpy, int *x, int *y, int *w, int *h)
{
	for (int tries = 0; tries < 600; tries++) {
		Window win = find_window(dpy, x, y, w, h);
		if (win != 0)
			return win;
		sleep_ms(50);
	}
	fprintf(stderr, "x11-probe: no window of 320x240 or more appeared on %s "
		"in 30 s: did the display path start?\n", DisplayString(dpy));
	exit(1);
}

static bool
find_mark(Display *dpy, int *mx, int *my)
{
	Window root = DefaultRootWindow(dpy);
	int sw = DisplayWidth(dpy, DefaultScreen(dpy));
	int sh = DisplayHeight(dpy, DefaultScreen(dpy));
	XImage *img = XGetImage(dpy, root, 0, 0, (unsigned)sw, (unsigned)sh,
				AllPlanes, ZPixmap);
	if (img == NULL)
		return false;
	bool found = false;
	for (int y = 1; y + CELL <= sh && !found; y++) {
		for (int x = 1; x + 2 * CELL <= sw; x++) {
			if (!near(XGetPixel(img, x, y), 0xff00ff) ||
			    near(XGetPixel(img, x - 1, y), 0xff00ff) ||
			    near(XGetPixel(img, x, y - 1), 0xff00ff) ||
			    !near(XGetPixel(img, x + CELL, y), 0x00ff00) ||
			    !near(XGetPixel(img, x + CELL - 1, y + CELL - 1), 0xff00ff) ||
			    !near(XGetPixel(img, x + 2 * CELL - 1, y + CELL - 1), 0x00ff00))
				continue;
			*mx = x, *my = y;
			found = true;
			break;
		}
	}
	XDestroyImage(img);
	return found;
}

/* The counter's value, or -1 when the mark is not there (a torn read, or
 * a frame being drawn). */
static long
read_counter(Display *dpy, int mx, int my)
{
	XImage *img = XGetImage(dpy, DefaultRootWindow(dpy), mx, my,
				COUNTER_CELLS * CELL, CELL, AllPlanes, ZPixmap);
	if (img == NULL)
		return -1;
	long value = -1;
	int mid = CELL / 2;
	if (near(XGetPixel(img, mid, mid), 0xff00ff) &&
	    near(XGetPixel(img, CELL + mid, mid), 0x00ff00)) {
		value = 0;
		for (int bit = 0; bit < 16; bit++)
			value = value << 1 |
				bright(XGetPixel(img, (2 + bit) * CELL + mid, mid));
	}
	XDestroyImage(img);
	return value;
}

static int
count_frames(Display *dpy)
{
	int x, y, w, h, mx, my;
	wait_window(dpy, &x, &y, &w, &h);
	uint64_t deadline = now_ns() + 30000000000u;
	while (!find_mark(dpy, &mx, &my)) {
		if (now_ns() > deadline) {
			fprintf(stderr, "x11-probe: the guest's frame counter "
				"(a magenta and a green 8x8 cell) is not on the "
				"screen after 30 s: is the guest in an anim mode "
				"and shown 1:1?\n");
			return 1;
		}
		sleep_ms(50);
	}
	printf("mark %d %d\n", mx, my);
	fflush(stdout);
	long last = -1;
	for (int misses = 0;; sleep_ms(4)) {
		long value = read_counter(dpy, mx, my);
		if (value < 0) {
			/* 100 ms without the mark: the window moved (or grew). */
			if (++misses == 25 && find_mark(dpy, &mx, &my)) {
				printf("mark %d %d\n", mx, my);
				fflush(stdout);
			}
			if (misses >= 25)
				misses = 0;
			continue;
		}
		misses = 0;
		if (value != last) {
			printf("frame %llu %ld\n", (unsigned long long)now_ns(), value);
			fflush(stdout);
			last = value;
		}
	}
}

static bool
read_patch(Display *dpy, int cx, int cy, unsigned long *out)
{
	XImage *img = XGetImage(dpy, DefaultRootWindow(dpy), cx - PATCH / 2,
				cy - PATCH / 2, PATCH, PATCH, AllPlanes, ZPixmap);
	if (img == NULL)
		return false;
	for (int y = 0; y < PATCH; y++)
		for (int x = 0; x < PATCH; x++)
			out[y * PATCH + x] = XGetPixel(img, x, y);
	XDestroyImage(img);
	return true;
}

/* The window and its middle, once its geometry and the pixels there held
 * still for 500 ms (QEMU's gtk window grows to the guest's size after it
 * first shows). */
static Window
settled_window(Display *dpy, int *cx, int *cy)
{
	unsigned long before[PATCH * PATCH], now[PATCH * PATCH];
	int x, y, w, h, last[4] = { 0 };
	Window win = 0;
	for (int still = 0, tries = 0; still < 10 && tries < 600; tries++) {
		win = wait_window(dpy, &x, &y, &w, &h);
		*cx = x + w / 2, *cy = y + h / 2;
		bool same = x == last[0] && y == last[1] && w == last[2] &&
			    h == last[3] && read_patch(dpy, *cx, *cy, now) &&
			    memcmp(before, now, sizeof(now)) == 0;
		still = same ? still + 1 : 0;
		last[0] = x, last[1] = y, last[2] = w, last[3] = h;
		read_patch(dpy, *cx, *cy, before);
		sleep_ms(50);
	}
	return win;
}

static int
time_keys(Display *dpy, int n)
{
	int cx, cy;
	unsigned long before[PATCH * PATCH], now[PATCH * PATCH];
	/* The pointer off every window (it could be drawn over the patch),
	 * no auto-repeat (a key held while a slow path answers would type
	 * on), the keyboard focus on the window itself. */
	XTestFakeMotionEvent(dpy, -1, DisplayWidth(dpy, DefaultScreen(dpy)) - 1,
			     DisplayHeight(dpy, DefaultScreen(dpy)) - 1, 0);
	XAutoRepeatOff(dpy);
	Window win = settled_window(dpy, &cx, &cy);
	XSetInputFocus(dpy, win, RevertToPointerRoot, CurrentTime);
	XSync(dpy, False);
	sleep_ms(200);
	KeyCode key = XKeysymToKeycode(dpy, XK_a);
	srand(1);
	for (int i = 0; i < n; i++) {
		read_patch(dpy, cx, cy, before);
		uint64_t t0 = now_ns();
		XTestFakeKeyEvent(dpy, key, True, CurrentTime);
		XFlush(dpy);
		bool changed = false;
		while (!changed && now_ns() - t0 < 2000000000u) {
			sleep_ms(1);
			changed = read_patch(dpy, cx, cy, now) &&
				  memcmp(before, now, sizeof(now)) != 0;
		}
		uint64_t t1 = now_ns();
		XTestFakeKeyEvent(dpy, key, False, CurrentTime);
		XFlush(dpy);
		if (changed)
			printf("key %.2f\n", (double)(t1 - t0) / 1e6);
		else
			printf("key timeout\n");
		fflush(stdout);
		sleep_ms(150 + rand() % 150);
	}
	printf("done\n");
	return 0;
}

/* A window that goes away under a read is a NULL image, not an exit. */
static int
ignore_error(Display *dpy, XErrorEvent *e)
{
	(void)dpy;
	(void)e;
	return 0;
}

int
main(int argc, char **argv)
{
	bool frames = argc == 2 && strcmp(argv[1], "frames") == 0;
	bool keys = argc == 3 && strcmp(argv[1], "keys") == 0;
	if (!frames && !keys) {
		fprintf(stderr, "usage: x11-probe frames | x11-probe keys N\n");
		return 2;
	}
	Display *dpy = XOpenDisplay(NULL);
	if (dpy == NULL) {
		fprintf(stderr, "x11-probe: cannot open the X display '%s': set "
			"DISPLAY to a running X server\n",
			getenv("DISPLAY") ? getenv("DISPLAY") : "");
		return SKIP;
	}
	XSetErrorHandler(ignore_error);
	int ev, err, major, minor;
	if (!XTestQueryExtension(dpy, &ev, &err, &major, &minor)) {
		fprintf(stderr, "x11-probe: %s has no XTEST extension\n",
			DisplayString(dpy));
		return SKIP;
	}
	return frames ? count_frames(dpy) : time_keys(dpy, atoi(argv[2]));
}
