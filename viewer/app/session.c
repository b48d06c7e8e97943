/* SPDX-License-Identifier: MIT */
#include "app/session.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/bridge.h"
#include "app/waiting.h"
#include "log.h"

struct session *
session_create(const struct options *opts, int index, const char *target)
{
	struct session *s = calloc(1, sizeof(*s));
	if (!s) {
		log_error("out of memory for VM %d (%s)", index + 1,
			  target ? target : "the demo");
		return NULL;
	}
	s->opts = opts;
	s->index = index;
	s->target = target;
	return s;
}

void
session_destroy(struct session *s)
{
	if (!s)
		return;
	input_script_destroy(s->script);
	client_destroy(s->client);
	input_destroy(s->input);
	shim_child_destroy(s->child);
	reconnect_destroy(s->reconnect);
	waiting_tile_destroy(s->waiting_tile);
	free(s);
}

static int
connect_demo(struct session *s)
{
	const struct options *opts = s->opts;
	char why[256];
	const char *args[3 + OPTIONS_MAX_DEMO_ARGS] = {
		"--source", "demo", "--wait-for-viewer" };
	for (int i = 0; i < opts->n_demo_args; i++)
		args[3 + i] = opts->demo_args[i];
	s->child = shim_child_spawn("the demo VM", args, 3 + opts->n_demo_args,
				    why, sizeof(why));
	if (!s->child) {
		log_error("--demo: %s", why);
		return -1;
	}
	snprintf(s->label, sizeof(s->label), "the demo VM");
	int status;
	int fd = shim_child_connect(s->child, 5000, &status, why, sizeof(why));
	if (fd < 0)
		log_error("--demo: %s", why);
	return fd;
}

/* A NAME reached by name, not by its socket. */
static bool
by_bridge(const struct session *s)
{
	return s->target && !strchr(s->target, '/') &&
	       s->opts->source != OPTIONS_SOURCE_SOCKET;
}

/* The bridge to the VM named target (bridge.h). With --reconnect it looks
 * until the VM is there, and the waiting screen shows meanwhile (its
 * socket is watched: session_enable_reconnect); else it is found now or
 * never. */
static int
connect_bridge(struct session *s)
{
	bool wait = s->opts->reconnect;
	s->child = bridge_spawn(s->target, wait);
	if (!s->child)
		return -1;
	if (wait) {
		log_info("looking for VM \"%s\" on the session bus and in "
			 "libvirt (--reconnect)", s->target);
		return -1;
	}
	char why[512];
	int status;
	int fd = shim_child_connect(s->child, BRIDGE_CONNECT_TIMEOUT_MS,
				    &status, why, sizeof(why));
	if (fd >= 0)
		return fd;
	if (status == SHIM_CHILD_NOT_FOUND && s->opts->source == OPTIONS_SOURCE_QEMU)
		log_error("no VM named \"%s\" to show (--source qemu); is it "
			  "running, with -name %s -display dbus?", s->target,
			  s->target);
	else if (status == SHIM_CHILD_NOT_FOUND)
		log_error("no VM named \"%s\": no socket at %s either; is "
			  "eglview-shim serving it, or QEMU running with -name "
			  "%s -display dbus?", s->target, s->socket_path,
			  s->target);
	else
		log_error("%s", why);
	shim_child_destroy(s->child);
	s->child = NULL;
	return -1;
}

int
session_connect(struct session *s)
{
	if (!s->target)
		return connect_demo(s);

	char why[256];
	char *path = s->socket_path;
	if (!proto_socket_path(s->target, path, sizeof(s->socket_path), why,
			       sizeof(why))) {
		log_error("%s", why);
		return -2;
	}
	snprintf(s->label, sizeof(s->label), "%s", s->target);
	bool by_name = strchr(s->target, '/') == NULL;
	if (by_name && s->opts->source == OPTIONS_SOURCE_QEMU)
		return connect_bridge(s);
	log_verbose("connecting to %s", path);

	int fd = proto_connect(path);
	if (fd >= 0)
		return fd;
	int err = errno;
	if (err == ENOENT && by_bridge(s))
		return connect_bridge(s);
	if (err == ENOENT && by_name)
		log_error("no VM named \"%s\" (no socket at %s); is eglview-shim "
			  "running?", s->target, path);
	else if (err == ENOENT)
		log_error("no socket at %s; is eglview-shim running?", path);
	else if (err == ECONNREFUSED)
		log_error("the server of %s is not running (stale socket %s: "
			  "nobody accepts on it); start eglview-shim again",
			  s->target, path);
	else
		log_error("cannot connect to %s: %s", path, strerror(err));
	return -1;
}

bool
session_enable_reconnect(struct session *s)
{
	/* --source qemu: the bridge's socket only. */
	bool socket = s->opts->source != OPTIONS_SOURCE_QEMU || !by_bridge(s);
	s->reconnect = reconnect_create(socket ? s->socket_path : NULL);
	if (s->reconnect && s->child && by_bridge(s))
		reconnect_set_bridge(s->reconnect,
				     shim_child_socket_path(s->child));
	return s->reconnect != NULL;
}

/* While waiting: a bridge that ended (or was never started) is started
 * again, at most every BRIDGE_RESPAWN_NS. */
#define BRIDGE_RESPAWN_NS 2000000000ull

static void
keep_bridge(struct session *s)
{
	if (!by_bridge(s) || (s->child && !shim_child_gone(s->child)))
		return;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	if (s->bridge_spawned_ns && now - s->bridge_spawned_ns < BRIDGE_RESPAWN_NS)
		return;
	s->bridge_spawned_ns = now;
	shim_child_destroy(s->child);
	s->child = bridge_spawn(s->target, true);
	reconnect_set_bridge(s->reconnect, s->child ?
			     shim_child_socket_path(s->child) : NULL);
}

int
session_try_reconnect(struct session *s)
{
	keep_bridge(s);
	int which;
	int fd = reconnect_try(s->reconnect, &which);
	/* The VM's own socket is back: the bridge is not needed. */
	if (fd >= 0 && which == RECONNECT_SOCKET && s->child && by_bridge(s)) {
		shim_child_destroy(s->child);
		s->child = NULL;
		reconnect_set_bridge(s->reconnect, NULL);
	}
	return fd;
}

void
session_child_exited(struct session *s)
{
	if (!s->child || shim_child_gone(s->child))
		return;
	char how[128];
	if (!shim_child_reap(s->child, how, sizeof(how)))
		return;
	if (by_bridge(s))
		log_info("the bridge to VM \"%s\" (eglview-shim, pid %d) %s",
			 s->target, (int)shim_child_pid(s->child), how);
	else if (log_is_verbose())
		log_info("the demo VM (eglview-shim, pid %d) %s",
			 (int)shim_child_pid(s->child), how);
}

static void
on_cursor_image(void *data, const struct proto_cursor_image *img,
		const uint32_t *pixels)
{
	struct session *s = data;
	if (s->outer.cursor_image)
		s->outer.cursor_image(s->outer.data, img, pixels);
}

/* The clipboard is the display's (app/clipboard.c). */
static void
on_clipboard_grab(void *data, uint32_t selection, const char *const *mimes,
		  uint32_t n)
{
	struct session *s = data;
	if (s->outer.clipboard_grab)
		s->outer.clipboard_grab(s->outer.data, selection, mimes, n);
}

static void
on_clipboard_request(void *data, uint32_t selection, const char *mime)
{
	struct session *s = data;
	if (s->outer.clipboard_request)
		s->outer.clipboard_request(s->outer.data, selection, mime);
}

static void
on_clipboard_data(void *data, uint32_t selection, uint32_t status,
		  const char *mime, const void *bytes, uint32_t length)
{
	struct session *s = data;
	if (s->outer.clipboard_data)
		s->outer.clipboard_data(s->outer.data, selection, status, mime,
					bytes, length);
}

/* Sound is the viewer's (app/sound.c). */
static void
on_audio_stream(void *data, const struct client_audio_stream *st)
{
	struct session *s = data;
	if (s->sound_events.stream)
		s->sound_events.stream(s->sound_events.data, s, st);
}

static void
on_audio_state(void *data, const struct client_audio_stream *st)
{
	struct session *s = data;
	if (s->sound_events.state)
		s->sound_events.state(s->sound_events.data, s, st);
}

static void
on_audio_stream_removed(void *data, const struct client_audio_stream *st)
{
	struct session *s = data;
	if (s->sound_events.removed)
		s->sound_events.removed(s->sound_events.data, s, st);
}

/* The guest's LEDs: the lock keys follow the host's (input.h). */
static void
on_leds(void *data, uint32_t device_id, uint32_t mask, uint32_t state)
{
	struct session *s = data;
	(void)device_id;
	if (s->input)
		input_guest_leds(s->input, mask, state);
}

bool
session_attach(struct session *s, int fd,
	       const struct session_display *display)
{
	if (!client_check_peer(fd, s->label)) {
		close(fd);
		return s->reconnect != NULL;
	}
	s->client = client_create_direct(fd, s->label, display->renderer,
					 display->direct,
					 display->why_not_direct,
					 (s->opts->no_resize_guest ? 0 :
					  PROTO_FEATURE_RESIZE) |
					 (display->clipboard ?
					  PROTO_FEATURE_CLIPBOARD : 0) |
					 (display->sound ? PROTO_FEATURE_AUDIO : 0));
	if (!s->client)
		return s->reconnect != NULL;
	s->outer = display->listener ? *display->listener :
		   (struct client_listener){ .data = NULL };
	s->sound_events = display->sound ? *display->sound :
			  (struct session_sound_events){ .data = NULL };
	client_set_listener(s->client, &(struct client_listener){
		.data = s, .cursor_image = on_cursor_image, .leds = on_leds,
		.clipboard_grab = on_clipboard_grab,
		.clipboard_request = on_clipboard_request,
		.clipboard_data = on_clipboard_data,
		.audio_stream = on_audio_stream, .audio_state = on_audio_state,
		.audio_stream_removed = on_audio_stream_removed });
	if (s->input)
		input_forget_guest(s->input);
	s->waiting = false;
	s->titled = false;
	s->report_reconnect = s->reconnect != NULL && s->waiting_frames > 0;
	return true;
}

void
session_drop(struct session *s)
{
	if (s->client) {
		const char *name = client_server_name(s->client);
		if (name)
			snprintf(s->vm_name, sizeof(s->vm_name), "%s", name);
		client_destroy(s->client);
		s->client = NULL;
	}
	if (s->input)
		input_release_all(s->input); /* forgets; nobody to send to */
}

void
session_start_waiting(struct session *s)
{
	session_drop(s);
	s->waiting = true;
	s->report_reconnect = false;
	s->script_blocked = false;
	reconnect_start(s->reconnect);
	keep_bridge(s);
	log_info("waiting for %s to come back (--reconnect)", s->label);
}

bool
session_lost_server(const struct session *s)
{
	return s->reconnect && s->client && client_server_gone(s->client);
}

const char *
session_name(const struct session *s)
{
	const char *name = s->client ? client_server_name(s->client) : NULL;
	if (name)
		return name;
	return s->vm_name[0] ? s->vm_name : s->label;
}

static const struct input_device *
sink_device(void *data, uint32_t kind)
{
	struct session *s = data;
	return s->client ? client_device_of_kind(s->client, kind) : NULL;
}

static bool
sink_send(void *data, uint32_t device_id, const struct proto_input_event *ev,
	  uint32_t n)
{
	struct session *s = data;
	return s->client && client_send_events(s->client, device_id, ev, n);
}

bool
session_start_input(struct session *s, bool next_vm_hotkey)
{
	const struct options *opts = s->opts;
	enum layout_scale scale = LAYOUT_SCALE_FIT;
	layout_scale_parse(opts->scale, &scale);
	struct input_config cfg = {
		.mouse = strcmp(opts->mouse, "absolute") == 0 ? INPUT_MOUSE_ABSOLUTE :
			 strcmp(opts->mouse, "relative") == 0 ? INPUT_MOUSE_RELATIVE :
			 INPUT_MOUSE_AUTO,
		.hotkeys = !opts->no_hotkeys,
		.hotkey = opts->hotkey_key,
		.next_vm_hotkey = next_vm_hotkey,
		.scale = scale,
		.sync_locks = !opts->no_sync_locks,
	};
	struct input_sink sink = {
		.device = sink_device,
		.send = sink_send,
		.data = s,
	};
	s->input = input_create(&cfg, &sink);
	if (!s->input) {
		log_error("out of memory for the input state");
		return false;
	}
	return true;
}

bool
session_wants_write(const struct session *s)
{
	return s->script_blocked ||
	       (s->client && client_wants_write(s->client));
}

bool
session_send_script(struct session *s)
{
	struct input_script *script = s->script;
	s->script_blocked = false;
	if (s->client && !client_flush(s->client))
		return false;
	/* The sizes the heads are shown at, once settled. */
	if (s->client && !client_send_sizes(s->client))
		return false;
	/* Owed FRAME_DONEs first: the server waits for them. */
	if (s->client && client_wants_write(s->client)) {
		s->script_blocked = true;
		return true;
	}
	if (!script || script->next == script->n_batches || s->frames == 0 ||
	    !s->client || !client_devices_known(s->client))
		return true;
	while (script->next < script->n_batches) {
		switch (client_send_input(s->client, script->path,
					  &script->batches[script->next])) {
		case CLIENT_SENT:
			script->next++;
			break;
		case CLIENT_SEND_AGAIN:
			s->script_blocked = true;
			return true;
		case CLIENT_SEND_FAILED:
			return false;
		}
	}
	log_verbose("sent %zu input batches from %s", script->n_batches,
		    script->path);
	return true;
}

void
session_report_demo_exit(struct session *s)
{
	if (!s->child)
		return;
	/* The socket closes a moment before the child can be reaped. */
	struct pollfd pfd = { .fd = shim_child_exit_fd(s->child), .events = POLLIN };
	if (pfd.fd >= 0)
		poll(&pfd, 1, 500);
	char how[128];
	if (shim_child_reap(s->child, how, sizeof(how)))
		log_info("%s (eglview-shim, pid %d) %s", by_bridge(s) ?
			 "the bridge" : "the demo VM",
			 (int)shim_child_pid(s->child), how);
}

void
session_report_shown(struct session *s, uint64_t presented_ns)
{
	if (!s->report_reconnect)
		return;
	s->report_reconnect = false;
	log_info("showing %s again, %.1f ms after its socket appeared",
		 s->label,
		 (double)(presented_ns - reconnect_seen_ns(s->reconnect)) / 1e6);
}
