/* SPDX-License-Identifier: MIT */
/*
 * qemu-eglview: connects to a VM's display socket and shows its heads.
 * One poll loop: the socket, a signalfd for SIGINT/SIGTERM, with --demo
 * the demo shim's pidfd, and with a window the window system's connection.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "client.h"
#include "demo-spawn.h"
#include "input-script.h"
#include "input.h"
#include "keymap.h"
#include "options.h"
#include "output.h"
#include "proto.h"
#include "reconnect.h"
#include "render.h"
#include "waiting.h"

#define EXIT_USAGE 2

struct viewer {
	const struct options *opts;
	struct input_script *script;
	struct demo *demo;
	char label[PATH_MAX];
	struct output *out;
	struct renderer *renderer;
	struct client *client;
	int signal_fd;
	uint64_t frames;        /* presented */
	bool script_blocked;    /* the last INPUT met a full socket */
	const char *backend;    /* the one in use */
	struct input *input;    /* window backends */
	struct output_head shown[PROTO_MAX_HEADS]; /* what the output follows */
	int n_shown;
	bool redraw;            /* exposed or resized */
	bool closed;            /* the user closed the window */
	bool titled;            /* the title has the VM's name */
	char title[PATH_MAX + 128];
	/* --reconnect */
	char socket_path[PATH_MAX];
	struct reconnect *reconnect;
	bool waiting;            /* no connection: the waiting screen shows */
	uint64_t waiting_frames; /* waiting screens presented */
	bool report_reconnect;   /* say how long the first frame took */
	char vm_name[PROTO_MAX_NAME + 1]; /* from the last HELLO */
};

/* --- the window: input and its actions ---------------------------------- */

/* "NAME - qemu-eglview" on the first head's window, "NAME (Virtual-2) -
 * qemu-eglview" on the others, and how to let go while grabbed. */
static void
update_title(struct viewer *v)
{
	const char *name = v->client ? client_server_name(v->client) : NULL;
	if (!name)
		name = v->label;
	for (int view = 0; view < v->out->n_views; view++) {
		char vm[1200];
		if (view > 0 && view < v->n_shown)
			snprintf(vm, sizeof(vm), "%.1024s (%.64s)", name,
				 v->shown[view].name);
		else
			snprintf(vm, sizeof(vm), "%.1024s", name);
		if (input_grabbed(v->input) && !v->opts->no_hotkeys)
			snprintf(v->title, sizeof(v->title), "%s - qemu-eglview - "
				 "press Ctrl+Alt+%c to release the pointer", vm,
				 v->opts->hotkey - 'a' + 'A');
		else if (input_grabbed(v->input))
			snprintf(v->title, sizeof(v->title), "%s - qemu-eglview - "
				 "pointer grabbed (focus another window to "
				 "release)", vm);
		else
			snprintf(v->title, sizeof(v->title), "%s - qemu-eglview",
				 vm);
		output_set_title(v->out, view, v->title);
	}
}

static void
set_grab(struct viewer *v, bool grab)
{
	if (grab == input_grabbed(v->input))
		return;
	if (!output_set_grab(v->out, grab)) {
		fprintf(stderr, "qemu-eglview: cannot grab the pointer\n");
		return;
	}
	input_set_grabbed(v->input, grab);
	if (v->opts->verbose)
		fprintf(stderr, "qemu-eglview: pointer %s\n",
			grab ? "grabbed" : "released");
	update_title(v);
	v->redraw = true; /* the guest cursor is drawn only while grabbed */
}

static void
do_action(struct viewer *v, enum input_action action)
{
	switch (action) {
	case INPUT_ACTION_NONE:
		break;
	case INPUT_ACTION_GRAB:
		set_grab(v, true);
		break;
	case INPUT_ACTION_UNGRAB:
		set_grab(v, false);
		break;
	case INPUT_ACTION_FULLSCREEN:
		output_toggle_fullscreen(v->out);
		break;
	}
}

static void
on_key(void *data, uint16_t code, bool pressed, bool repeat)
{
	struct viewer *v = data;
	do_action(v, input_key(v->input, code, pressed, repeat));
}

static void
on_motion(void *data, int view, double x, double y)
{
	struct viewer *v = data;
	bool over = input_pointer_motion(v->input, view, x, y);
	output_show_guest_cursor(v->out, over && !input_relative(v->input));
}

static void
on_relative(void *data, double dx, double dy)
{
	struct viewer *v = data;
	input_pointer_relative(v->input, dx, dy);
}

static void
on_button(void *data, uint16_t button, bool pressed)
{
	struct viewer *v = data;
	do_action(v, input_button(v->input, button, pressed));
}

static void
on_wheel(void *data, double dx, double dy)
{
	struct viewer *v = data;
	input_wheel(v->input, dx, dy);
}

static void
on_touch(void *data, int view, int64_t finger, enum output_touch_phase phase,
	 double x, double y)
{
	struct viewer *v = data;
	static const enum input_touch phases[] = {
		[OUTPUT_TOUCH_DOWN] = INPUT_TOUCH_DOWN,
		[OUTPUT_TOUCH_MOTION] = INPUT_TOUCH_MOTION,
		[OUTPUT_TOUCH_UP] = INPUT_TOUCH_UP,
	};
	input_touch(v->input, view, finger, phases[phase], x, y);
}

static void
on_focus(void *data, bool focused)
{
	struct viewer *v = data;
	if (focused)
		return;
	/* Nothing may stay pressed in the guest while we cannot see its
	 * release. */
	input_release_all(v->input);
	set_grab(v, false);
}

static void
on_redraw(void *data)
{
	struct viewer *v = data;
	v->redraw = true;
}

static void
on_close(void *data)
{
	struct viewer *v = data;
	v->closed = true;
}

static const struct input_device *
sink_device(void *data, uint32_t kind)
{
	struct viewer *v = data;
	return v->client ? client_device_of_kind(v->client, kind) : NULL;
}

static bool
sink_send(void *data, uint32_t device_id, const struct proto_input_event *ev,
	  uint32_t n)
{
	struct viewer *v = data;
	return v->client && client_send_events(v->client, device_id, ev, n);
}

static void
on_cursor_image(void *data, const struct proto_cursor_image *img,
		const uint32_t *pixels)
{
	struct viewer *v = data;
	output_set_cursor(v->out, img, pixels);
}

static bool
start_input(struct viewer *v)
{
	const struct options *opts = v->opts;
	enum layout_scale scale = LAYOUT_SCALE_FIT;
	layout_scale_parse(opts->scale, &scale);
	struct input_config cfg = {
		.mouse = strcmp(opts->mouse, "absolute") == 0 ? INPUT_MOUSE_ABSOLUTE :
			 strcmp(opts->mouse, "relative") == 0 ? INPUT_MOUSE_RELATIVE :
			 INPUT_MOUSE_AUTO,
		.hotkeys = !opts->no_hotkeys,
		/* SDL scancodes of letters are HID usages 4..29. */
		.hotkey = keymap_sdl_to_evdev(4 + (opts->hotkey - 'a')),
		.scale = scale,
	};
	struct input_sink sink = {
		.device = sink_device,
		.send = sink_send,
		.data = v,
	};
	v->input = input_create(&cfg, &sink);
	if (!v->input) {
		fprintf(stderr, "qemu-eglview: out of memory for the input state\n");
		return false;
	}
	return true;
}

static int
connect_target(struct viewer *v)
{
	const struct options *opts = v->opts;
	char why[256];

	if (opts->demo) {
		v->demo = demo_spawn(opts->demo_args,
				     opts->n_demo_args, opts->verbose,
				     why, sizeof(why));
		if (!v->demo) {
			fprintf(stderr, "qemu-eglview: --demo: %s\n", why);
			return -1;
		}
		snprintf(v->label, sizeof(v->label), "the demo VM");
		int fd = demo_connect(v->demo, why, sizeof(why));
		if (fd < 0)
			fprintf(stderr, "qemu-eglview: --demo: %s\n", why);
		return fd;
	}

	char *path = v->socket_path;
	if (!proto_socket_path(opts->target, path, sizeof(v->socket_path), why,
			       sizeof(why))) {
		fprintf(stderr, "qemu-eglview: %s\n", why);
		return -2;
	}
	snprintf(v->label, sizeof(v->label), "%s", opts->target);
	bool by_name = strchr(opts->target, '/') == NULL;
	if (opts->verbose)
		fprintf(stderr, "qemu-eglview: connecting to %s\n", path);

	int fd = proto_connect(path);
	if (fd >= 0)
		return fd;
	int err = errno;
	if (err == ENOENT && by_name)
		fprintf(stderr, "qemu-eglview: no VM named \"%s\" (no socket at %s); "
			"is eglview-shim running?\n", opts->target, path);
	else if (err == ENOENT)
		fprintf(stderr, "qemu-eglview: no socket at %s; is eglview-shim "
			"running?\n", path);
	else if (err == ECONNREFUSED)
		fprintf(stderr, "qemu-eglview: the server of %s is not running "
			"(stale socket %s: nobody accepts on it); start eglview-shim "
			"again\n", opts->target, path);
	else
		fprintf(stderr, "qemu-eglview: cannot connect to %s: %s\n",
			path, strerror(err));
	return -1;
}

static bool
start_gl(struct viewer *v)
{
	const struct options *opts = v->opts;
	char why[256];
	static const struct output_events events = {
		.key = on_key, .motion = on_motion, .relative = on_relative,
		.button = on_button, .wheel = on_wheel, .touch = on_touch,
		.focus = on_focus, .redraw = on_redraw, .close = on_close,
	};
	struct output_events ev = events;
	ev.data = v;
	snprintf(v->title, sizeof(v->title), "%s - qemu-eglview", v->label);
	struct output_config cfg = {
		.width = opts->width,
		.height = opts->height,
		.render_node = opts->render_node,
		.verbose = opts->verbose,
		.title = v->title,
		.fullscreen = opts->fullscreen,
		.keep_frame = opts->snapshot != NULL,
		.events = &ev,
	};
	v->backend = opts->backend;
	if (!v->backend) {
		/* A window where there is a display, as a person expects. */
		v->backend = output_sdl_available(why, sizeof(why)) ? "sdl" :
			     "offscreen";
		if (opts->verbose && strcmp(v->backend, "offscreen") == 0)
			fprintf(stderr, "qemu-eglview: no window (%s); using the "
				"offscreen output\n", why);
	}
	v->out = output_create(v->backend, &cfg, why, sizeof(why));
	if (!v->out) {
		fprintf(stderr, "qemu-eglview: cannot open the %s output: %s\n",
			v->backend, why);
		return false;
	}
	if (opts->verbose)
		fprintf(stderr, "qemu-eglview: output %s: %s, %dx%d\n", v->backend,
			v->out->path ? v->out->path : "?", v->out->width,
			v->out->height);
	v->renderer = render_create(v->out, why, sizeof(why));
	if (!v->renderer) {
		fprintf(stderr, "qemu-eglview: cannot start the renderer: %s\n", why);
		return false;
	}
	enum layout_scale scale = LAYOUT_SCALE_FIT;
	layout_scale_parse(opts->scale, &scale);
	render_set_scaling(v->renderer, scale, opts->filter_nearest);
	return true;
}

/* The output follows the heads when they change (a window opens or
 * closes, a window takes its head's new size); a window the user resized
 * since keeps its size until then. */
static bool
follow_heads(struct viewer *v)
{
	struct output_head heads[PROTO_MAX_HEADS];
	int n = client_output_heads(v->client, heads);
	if (n == v->n_shown && memcmp(heads, v->shown, sizeof(heads[0]) * n) == 0)
		return true;
	memcpy(v->shown, heads, sizeof(heads[0]) * n);
	v->n_shown = n;
	if (!output_set_heads(v->out, heads, n)) {
		fprintf(stderr, "qemu-eglview: the %s output cannot follow the "
			"VM's %d heads (the first %dx%d)\n", v->backend, n,
			n ? heads[0].width : 0, n ? heads[0].height : 0);
		return false;
	}
	if (v->opts->verbose)
		fprintf(stderr, "qemu-eglview: following %d heads in %d views, "
			"the first %dx%d\n", n, v->out->n_views,
			n ? heads[0].width : 0, n ? heads[0].height : 0);
	if (v->input && v->titled)
		update_title(v); /* a new window has no title of its own yet */
	return true;
}

static bool
draw_frame(struct viewer *v)
{
	if (!follow_heads(v))
		return false;

	struct render_head *heads[PROTO_MAX_HEADS];
	int n = client_heads(v->client, heads);
	int sizes[2 * PROTO_MAX_HEADS];
	if (v->input)
		input_set_heads(v->input, sizes, client_head_sizes(v->client,
								   sizes));
	uint64_t presented_ns = 0;
	v->redraw = false;
	if (v->input) {
		/* The host pointer shows the guest's cursor image in absolute
		 * mode; grabbed, the guest's cursor is drawn where it says. */
		render_set_hide_cursors(v->renderer, !input_relative(v->input));
	}
	/* Each view (a window per head, or one for all) with its heads. */
	for (int view = 0; view < v->out->n_views; view++) {
		int first, count = output_view_heads(v->out, view, n, &first);
		if (!output_begin_view(v->out, view) ||
		    !render_draw(v->renderer, heads + first, count) ||
		    !output_present(v->out, &presented_ns)) {
			fprintf(stderr, "qemu-eglview: drawing frame %" PRIu64 " "
				"(view %d) on the %s output failed\n",
				v->frames + 1, view, v->backend);
			return false;
		}
		if (v->input)
			input_set_view(v->input, view, v->out->width,
				       v->out->height, first, count);
	}
	v->frames++;
	if (v->report_reconnect) {
		/* The figure README's reconnect time is measured by. */
		v->report_reconnect = false;
		fprintf(stderr, "qemu-eglview: showing %s again, %.1f ms after "
			"its socket appeared\n", v->label,
			(double)(presented_ns - reconnect_seen_ns(v->reconnect)) / 1e6);
	}
	if (v->input && !v->titled && client_server_name(v->client)) {
		v->titled = true;
		update_title(v); /* with the VM's name from HELLO */
	}
	return client_frame_done(v->client, presented_ns);
}

/* The script goes once the first frame is up and the devices it names are
 * known; a full socket pauses it until POLLOUT. */
static bool
send_script(struct viewer *v)
{
	struct input_script *s = v->script;
	v->script_blocked = false;
	if (!s || s->next == s->n_batches || v->frames == 0 ||
	    !client_devices_known(v->client))
		return true;
	while (s->next < s->n_batches) {
		switch (client_send_input(v->client, s->path, &s->batches[s->next])) {
		case CLIENT_SENT:
			s->next++;
			break;
		case CLIENT_SEND_AGAIN:
			v->script_blocked = true;
			return true;
		case CLIENT_SEND_FAILED:
			return false;
		}
	}
	if (v->opts->verbose)
		fprintf(stderr, "qemu-eglview: sent %zu input batches from %s\n",
			s->n_batches, s->path);
	return true;
}

enum loop_end {
	END_OK,     /* GOODBYE, --exit-after-frames, or a signal */
	END_FAILED,
};

/* --- --reconnect: the waiting screen and the way back ------------------- */

static bool
draw_waiting(struct viewer *v)
{
	char why[256];
	v->redraw = false;
	if (!waiting_draw(v->renderer, v->out, v->vm_name[0] ? v->vm_name :
			  v->label, why, sizeof(why))) {
		fprintf(stderr, "qemu-eglview: %s\n", why);
		return false;
	}
	v->waiting_frames++;
	return true;
}

/* The connection is gone (or never came): drop everything it built and
 * wait for the socket; the windows (or the offscreen output) stay. */
static bool
start_waiting(struct viewer *v)
{
	if (v->client) {
		const char *name = client_server_name(v->client);
		if (name)
			snprintf(v->vm_name, sizeof(v->vm_name), "%s", name);
		client_destroy(v->client);
		v->client = NULL;
	}
	if (v->input) {
		input_release_all(v->input); /* forgets; nobody to send to */
		set_grab(v, false);
	}
	v->waiting = true;
	v->report_reconnect = false;
	reconnect_start(v->reconnect);
	fprintf(stderr, "qemu-eglview: waiting for %s to come back "
		"(--reconnect)\n", v->label);
	return draw_waiting(v);
}

/* A connected fd: the handshake starts afresh. false only when the viewer
 * cannot go on; a server it refuses leaves it waiting. */
static bool
attach_client(struct viewer *v, int fd)
{
	if (!client_check_peer(fd, v->label)) {
		close(fd);
		return v->reconnect != NULL;
	}
	v->client = client_create(fd, v->label, v->renderer, v->opts->verbose);
	if (!v->client)
		return v->reconnect != NULL;
	if (v->out->windowed)
		client_set_listener(v->client, &(struct client_listener){
			.data = v, .cursor_image = on_cursor_image });
	v->waiting = false;
	v->titled = false;
	v->report_reconnect = v->reconnect != NULL && v->waiting_frames > 0;
	return true;
}

/* After a failed read or send: with --reconnect, a server that went away
 * means waiting, not the end. */
static bool
lost_server(struct viewer *v)
{
	return v->reconnect && v->client && client_server_gone(v->client);
}

static void
report_demo_exit(struct viewer *v)
{
	if (!v->demo)
		return;
	/* The socket closes a moment before the child can be reaped. */
	struct pollfd pfd = { .fd = demo_exit_fd(v->demo), .events = POLLIN };
	if (pfd.fd >= 0)
		poll(&pfd, 1, 500);
	char how[128];
	if (demo_reap(v->demo, how, sizeof(how)))
		fprintf(stderr, "qemu-eglview: the demo VM (eglview-shim, pid %d) %s\n",
			(int)demo_pid(v->demo), how);
}

static enum loop_end
run_loop(struct viewer *v)
{
	const struct options *opts = v->opts;
	for (;;) {
		/* Events a swap or a reply read into the window system's queue
		 * no longer show on its fd: take them before blocking. */
		if (!output_dispatch(v->out))
			return END_FAILED;
		if (v->closed)
			return END_OK;
		if (v->waiting) {
			if (v->redraw && !draw_waiting(v))
				return END_FAILED;
		} else if (v->redraw && !client_needs_draw(v->client) &&
			   !draw_frame(v)) {
			if (!lost_server(v) || !start_waiting(v))
				return END_FAILED;
		}

		struct pollfd fds[5] = {
			{ .fd = v->client ? client_fd(v->client) : -1,
			  .events = POLLIN | (v->script_blocked ? POLLOUT : 0) },
			{ .fd = v->signal_fd, .events = POLLIN },
			{ .fd = v->demo ? demo_exit_fd(v->demo) : -1, .events = POLLIN },
			{ .fd = output_get_event_fd(v->out), .events = POLLIN },
			{ .fd = v->waiting ? reconnect_fd(v->reconnect) : -1,
			  .events = POLLIN },
		};
		if (poll(fds, 5, v->waiting ? reconnect_timeout_ms(v->reconnect) :
			 -1) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "qemu-eglview: poll failed: %s\n", strerror(errno));
			return END_FAILED;
		}

		if (fds[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(v->signal_fd, &si, sizeof(si)) == sizeof(si) && opts->verbose)
				fprintf(stderr, "qemu-eglview: %s, closing\n",
					strsignal((int)si.ssi_signo));
			return END_OK;
		}

		if (v->waiting) {
			int fd = reconnect_try(v->reconnect);
			if (fd >= 0 && !attach_client(v, fd))
				return END_FAILED;
			continue;
		}

		if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			enum client_status st = client_read(v->client);
			if (st != CLIENT_OK && lost_server(v)) {
				if (!start_waiting(v))
					return END_FAILED;
				continue;
			}
			if (st == CLIENT_GOODBYE)
				return END_OK;
			if (st == CLIENT_FAILED) {
				report_demo_exit(v);
				return END_FAILED;
			}
		}

		if (client_needs_draw(v->client)) {
			if (!draw_frame(v)) {
				if (!lost_server(v) || !start_waiting(v))
					return END_FAILED;
				continue;
			}
			if (opts->exit_after_frames && v->frames >= opts->exit_after_frames) {
				if (opts->verbose)
					fprintf(stderr, "qemu-eglview: %" PRIu64 " frames "
						"presented, exiting\n", v->frames);
				return END_OK;
			}
		}
		if (!send_script(v)) {
			if (!lost_server(v) || !start_waiting(v))
				return END_FAILED;
			continue;
		}

		/* The socket reports the shim's end; here it is only reaped. */
		if (fds[2].revents & POLLIN && opts->verbose)
			report_demo_exit(v);
	}
}

static bool
write_snapshot(struct viewer *v)
{
	const char *path = v->opts->snapshot;
	if (v->frames == 0 && v->waiting_frames == 0) {
		fprintf(stderr, "qemu-eglview: no frame was shown, so there is no "
			"snapshot to write to %s\n", path);
		return false;
	}
	char why[256];
	if (!output_snapshot(v->out, path, why, sizeof(why))) {
		fprintf(stderr, "qemu-eglview: cannot write the snapshot %s: %s\n",
			path, why);
		return false;
	}
	if (v->opts->verbose)
		fprintf(stderr, "qemu-eglview: wrote %s (frame %" PRIu64 ")\n",
			path, v->frames);
	return true;
}

static void
print_stats(const struct viewer *v)
{
	static const struct render_stats none;
	const struct render_stats *rs = v->renderer ?
		render_get_stats(v->renderer) : &none;
	fprintf(stderr, "qemu-eglview: stats: frames=%" PRIu64 " bytes_uploaded=%"
		PRIu64 " rects_uploaded=%" PRIu64 " imports_shm=%" PRIu64
		" imports_dmabuf=%" PRIu64 " releases_dmabuf=%" PRIu64
		" imports_mmap=%" PRIu64 " updates=%" PRIu64 "\n", v->frames,
		rs->bytes_uploaded, rs->rects_uploaded, rs->imports_shm,
		rs->imports_dmabuf, rs->releases_dmabuf, rs->imports_mmap,
		v->client ? client_updates(v->client) : 0);
}

static int
run(struct viewer *v)
{
	const struct options *opts = v->opts;
	int fd = connect_target(v);
	if (fd == -2)
		return EXIT_USAGE;
	if (fd < 0 && !opts->reconnect)
		return EXIT_FAILURE;
	if (fd >= 0 && opts->verbose)
		fprintf(stderr, "qemu-eglview: connected to %s\n", v->label);
	/* Without --reconnect a refused server ends the viewer before any
	 * window opens. */
	if (fd >= 0 && !opts->reconnect && !client_check_peer(fd, v->label)) {
		close(fd);
		return EXIT_FAILURE;
	}
	if (!start_gl(v) || (v->out->windowed && !start_input(v))) {
		if (fd >= 0)
			close(fd);
		return EXIT_FAILURE;
	}
	if (opts->reconnect &&
	    !(v->reconnect = reconnect_create(v->socket_path, opts->verbose))) {
		if (fd >= 0)
			close(fd);
		return EXIT_FAILURE;
	}
	if (fd >= 0 && !attach_client(v, fd))
		return EXIT_FAILURE;
	if (!v->client && !start_waiting(v))
		return EXIT_FAILURE;

	if (run_loop(v) != END_OK)
		return EXIT_FAILURE;
	if (v->opts->snapshot && !write_snapshot(v))
		return EXIT_FAILURE;
	return EXIT_SUCCESS;
}

int
main(int argc, char *argv[])
{
	struct options opts;
	switch (options_parse(argc, argv, &opts)) {
	case OPTIONS_RUN:
		break;
	case OPTIONS_EXIT_OK:
		return EXIT_SUCCESS;
	case OPTIONS_USAGE:
		return EXIT_USAGE;
	}

	struct viewer v = { .opts = &opts, .signal_fd = -1 };
	if (opts.input_script && !(v.script = input_script_load(opts.input_script)))
		return EXIT_USAGE;

	/* Blocked from the start, so every way out goes through the cleanup
	 * below (the demo shim is stopped, GOODBYE is sent). */
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	/* A closed stderr pipe must not kill the viewer before the cleanup. */
	signal(SIGPIPE, SIG_IGN);
	v.signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (v.signal_fd < 0) {
		fprintf(stderr, "qemu-eglview: cannot create a signalfd: %s\n",
			strerror(errno));
		input_script_destroy(v.script);
		return EXIT_FAILURE;
	}

	int rc = run(&v);

	if (opts.stats)
		print_stats(&v);
	client_destroy(v.client);
	input_destroy(v.input);
	render_destroy(v.renderer);
	output_destroy(v.out);
	demo_destroy(v.demo);
	reconnect_destroy(v.reconnect);
	input_script_destroy(v.script);
	close(v.signal_fd);
	return rc;
}
