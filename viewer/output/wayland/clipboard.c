/* SPDX-License-Identifier: MIT */
/*
 * The host's clipboard on Wayland (wl_data_device, the CLIPBOARD
 * selection), as UTF-8 text for the viewer's clipboard (app/clipboard.c):
 * the compositor's selection offer and its types, read through a pipe on
 * request; our own selection as a wl_data_source that writes the text
 * when another client asks. The selection is set with the serial of the
 * last input event, as wl_data_device.set_selection requires.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "eglview-proto.h"
#include "log.h"
#include "output/wayland/private.h"

#define READ_TIMEOUT_MS 1000

#define text_mimes output_text_mimes
#define N_TEXT_MIMES OUTPUT_N_TEXT_MIMES

struct wayland_offer {
	struct wl_data_offer *offer;
	const char *text_mime; /* the best text type offered; NULL: none */
};

static void
offer_offer(void *data, struct wl_data_offer *o, const char *mime)
{
	struct wayland_offer *wo = data;
	(void)o;
	for (size_t i = 0; i < N_TEXT_MIMES; i++) {
		if (strcmp(mime, text_mimes[i]) != 0)
			continue;
		/* The earlier in the list, the better. */
		if (wo->text_mime == NULL)
			wo->text_mime = text_mimes[i];
		for (size_t j = 0; j < i; j++) {
			if (wo->text_mime == text_mimes[j])
				return;
		}
		wo->text_mime = text_mimes[i];
	}
}

static void
offer_source_actions(void *data, struct wl_data_offer *o, uint32_t actions)
{
	(void)data; (void)o; (void)actions;
}

static void
offer_action(void *data, struct wl_data_offer *o, uint32_t action)
{
	(void)data; (void)o; (void)action;
}

static const struct wl_data_offer_listener offer_listener = {
	.offer = offer_offer,
	.source_actions = offer_source_actions,
	.action = offer_action,
};

static void
offer_destroy(struct wayland_offer *wo)
{
	if (wo == NULL)
		return;
	wl_data_offer_destroy(wo->offer);
	free(wo);
}

static void
device_data_offer(void *data, struct wl_data_device *d, struct wl_data_offer *o)
{
	(void)data; (void)d;
	struct wayland_offer *wo = calloc(1, sizeof(*wo));
	if (wo == NULL) {
		wl_data_offer_destroy(o);
		return;
	}
	wo->offer = o;
	wl_data_offer_add_listener(o, &offer_listener, wo);
}

static void
device_enter(void *data, struct wl_data_device *d, uint32_t serial,
	     struct wl_surface *s, wl_fixed_t x, wl_fixed_t y,
	     struct wl_data_offer *o)
{
	(void)data; (void)d; (void)serial; (void)s; (void)x; (void)y;
	/* Drag and drop is not the clipboard: let it go. */
	if (o != NULL)
		offer_destroy(wl_data_offer_get_user_data(o));
}

static void
device_leave(void *data, struct wl_data_device *d)
{
	(void)data; (void)d;
}

static void
device_motion(void *data, struct wl_data_device *d, uint32_t time,
	      wl_fixed_t x, wl_fixed_t y)
{
	(void)data; (void)d; (void)time; (void)x; (void)y;
}

static void
device_drop(void *data, struct wl_data_device *d)
{
	(void)data; (void)d;
}

static void
device_selection(void *data, struct wl_data_device *d, struct wl_data_offer *o)
{
	struct wayland_output *w = data;
	(void)d;
	offer_destroy(w->clip_offer);
	w->clip_offer = o != NULL ? wl_data_offer_get_user_data(o) : NULL;
	/* Our own selection coming back is no news. */
	if (w->clip_source == NULL && w->has_events && w->events.clipboard)
		w->events.clipboard(w->events.data);
}

static const struct wl_data_device_listener device_listener = {
	.data_offer = device_data_offer,
	.enter = device_enter,
	.leave = device_leave,
	.motion = device_motion,
	.drop = device_drop,
	.selection = device_selection,
};

void
wayland_clipboard_start(struct wayland_output *w)
{
	if (w->data_device != NULL || w->data_manager == NULL || w->seat == NULL)
		return;
	w->data_device = wl_data_device_manager_get_data_device(w->data_manager,
								w->seat);
	wl_data_device_add_listener(w->data_device, &device_listener, w);
}

static void
source_target(void *data, struct wl_data_source *s, const char *mime)
{
	(void)data; (void)s; (void)mime;
}

/* Another client pastes: the text, written whole (a blocking write of
 * at most 64 KiB into its pipe). */
static void
source_send(void *data, struct wl_data_source *s, const char *mime, int fd)
{
	struct wayland_output *w = data;
	(void)s; (void)mime;
	const char *text = w->clip_text != NULL ? w->clip_text : "";
	size_t len = strlen(text), done = 0;
	int flags = fcntl(fd, F_GETFL);
	if (flags >= 0)
		fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	close(fd);
}

static void
source_cancelled(void *data, struct wl_data_source *s)
{
	struct wayland_output *w = data;
	wl_data_source_destroy(s);
	if (w->clip_source == s)
		w->clip_source = NULL;
}

static void
source_dnd(void *data, struct wl_data_source *s)
{
	(void)data; (void)s;
}

static void
source_action(void *data, struct wl_data_source *s, uint32_t action)
{
	(void)data; (void)s; (void)action;
}

static const struct wl_data_source_listener source_listener = {
	.target = source_target,
	.send = source_send,
	.cancelled = source_cancelled,
	.dnd_drop_performed = source_dnd,
	.dnd_finished = source_dnd,
	.action = source_action,
};

void
wayland_set_clipboard(struct output *out, const char *text)
{
	struct wayland_output *w = out->backend;
	if (w->data_device == NULL)
		return;
	char *copy = strdup(text);
	if (copy == NULL)
		return;
	free(w->clip_text);
	w->clip_text = copy;
	if (w->clip_source != NULL)
		wl_data_source_destroy(w->clip_source);
	w->clip_source = wl_data_device_manager_create_data_source(
		w->data_manager);
	wl_data_source_add_listener(w->clip_source, &source_listener, w);
	for (size_t i = 0; i < N_TEXT_MIMES; i++)
		wl_data_source_offer(w->clip_source, text_mimes[i]);
	wl_data_device_set_selection(w->data_device, w->clip_source,
				     w->input_serial);
	wl_display_flush(w->display);
}

static int64_t
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *
wayland_get_clipboard(struct output *out)
{
	struct wayland_output *w = out->backend;
	if (w->clip_source != NULL)
		return w->clip_text != NULL ? strdup(w->clip_text) : NULL;
	if (w->clip_offer == NULL || w->clip_offer->text_mime == NULL)
		return NULL;
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return NULL;
	wl_data_offer_receive(w->clip_offer->offer, w->clip_offer->text_mime,
			      fds[1]);
	close(fds[1]);
	wl_display_flush(w->display);
	/* The owner is another client: it writes and closes. */
	size_t len = 0, cap = 4096;
	char *text = malloc(cap + 1);
	int64_t end = now_ms() + READ_TIMEOUT_MS;
	while (text != NULL) {
		struct pollfd p = { .fd = fds[0], .events = POLLIN };
		int left = (int)(end - now_ms());
		if (left <= 0 || poll(&p, 1, left) <= 0) {
			log_error("the clipboard's owner sent nothing in %d ms",
				  READ_TIMEOUT_MS);
			free(text);
			text = NULL;
			break;
		}
		if (len == cap) {
			char *more = cap < PROTO_MAX_CLIPBOARD * 2 ?
				     realloc(text, cap * 2 + 1) : NULL;
			if (more == NULL) {
				free(text);
				text = NULL;
				break;
			}
			text = more;
			cap *= 2;
		}
		ssize_t n = read(fds[0], text + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fds[0]);
	if (text == NULL || len == 0) {
		free(text);
		return NULL;
	}
	text[len] = '\0';
	return text;
}

void
wayland_clipboard_finish(struct wayland_output *w)
{
	offer_destroy(w->clip_offer);
	w->clip_offer = NULL;
	if (w->clip_source != NULL)
		wl_data_source_destroy(w->clip_source);
	w->clip_source = NULL;
	if (w->data_device != NULL)
		wl_data_device_destroy(w->data_device);
	w->data_device = NULL;
	if (w->data_manager != NULL)
		wl_data_device_manager_destroy(w->data_manager);
	w->data_manager = NULL;
	free(w->clip_text);
	w->clip_text = NULL;
}
