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

#include "viewer.h"
#include "waiting.h"

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
	struct output_events ev = viewer_window_events;
	ev.data = v;
	snprintf(v->title, sizeof(v->title), "%s - qemu-eglview", v->label);
	enum layout_scale scale = LAYOUT_SCALE_FIT;
	layout_scale_parse(opts->scale, &scale);
	struct output_config cfg = {
		.width = opts->width,
		.height = opts->height,
		.render_node = opts->render_node,
		.verbose = opts->verbose,
		.title = v->title,
		.fullscreen = opts->fullscreen,
		.keep_frame = opts->snapshot != NULL,
		.hide_cursor = opts->kiosk,
		.no_decorations = opts->kiosk,
		.no_zero_copy = opts->no_zero_copy, /* zerocopy */
		.scale = scale,                     /* zerocopy */
		.events = &ev,
	};
	v->backend = opts->backend;
	if (!v->backend) {
		/* A window where there is a display, as a person expects;
		 * natively on Wayland. */
		v->backend = output_wayland_available(why, sizeof(why)) ? "wayland" :
			     output_sdl_available(why, sizeof(why)) ? "sdl" :
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
		viewer_update_title(v); /* a new window has no title of its own yet */
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
		 * mode; grabbed, the guest's cursor is drawn where it says,
		 * and so it is in a kiosk, which has no host cursor. */
		render_set_hide_cursors(v->renderer, !input_relative(v->input) &&
					!v->opts->kiosk);
	}
	/* Each view (a window per head, or one for all) with its heads. */
	for (int view = 0; view < v->out->n_views; view++) {
		int first, count = output_view_heads(v->out, view, n, &first);
		/* zerocopy: a view the compositor shows from the guest's
		 * buffers alone needs no GL frame (output-wayland-direct.c). */
		bool direct = output_direct_commit(v->out, view, &presented_ns);
		if (!direct && (!output_begin_view(v->out, view) ||
		    !render_draw(v->renderer, heads + first, count) ||
		    !output_present(v->out, &presented_ns))) {
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
		viewer_update_title(v); /* with the VM's name from HELLO */
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
	if (v->client && v->opts->kiosk_quit_on_disconnect) {
		fprintf(stderr, "qemu-eglview: %s went away; exiting %d "
			"(--kiosk-quit on-disconnect)\n", v->label,
			EXIT_DISCONNECTED);
		v->disconnected = true;
		return false;
	}
	if (v->client) {
		const char *name = client_server_name(v->client);
		if (name)
			snprintf(v->vm_name, sizeof(v->vm_name), "%s", name);
		client_destroy(v->client);
		v->client = NULL;
	}
	if (v->input) {
		input_release_all(v->input); /* forgets; nobody to send to */
		viewer_set_grab(v, false);
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
	/* zerocopy: the output's hand-off is offered to the server. */
	v->client = client_create_direct(fd, v->label, v->renderer,
					 v->opts->verbose, v->out);
	if (!v->client)
		return v->reconnect != NULL;
	if (v->out->windowed)
		client_set_listener(v->client, &(struct client_listener){
			.data = v, .cursor_image = viewer_on_cursor_image });
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

enum news {
	NEWS_NONE,   /* drawn, nothing to draw, or waiting for the VM now */
	NEWS_EXIT,   /* --exit-after-frames reached */
	NEWS_FAILED,
};

/* Draws what the VM sent once the output can show it (a paced backend
 * says when: frame callbacks). */
static enum news
draw_news(struct viewer *v)
{
	const struct options *opts = v->opts;
	if (!client_needs_draw(v->client) || !output_frame_ready(v->out))
		return NEWS_NONE;
	if (!draw_frame(v))
		return lost_server(v) && start_waiting(v) ? NEWS_NONE : NEWS_FAILED;
	if (opts->exit_after_frames && v->frames >= opts->exit_after_frames) {
		if (opts->verbose)
			fprintf(stderr, "qemu-eglview: %" PRIu64 " frames "
				"presented, exiting\n", v->frames);
		return NEWS_EXIT;
	}
	return NEWS_NONE;
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
			   output_frame_ready(v->out) && !draw_frame(v)) {
			if (!lost_server(v) || !start_waiting(v))
				return END_FAILED;
		} else if (!v->waiting) {
			/* News held back until the compositor's last frame. */
			switch (draw_news(v)) {
			case NEWS_NONE:
				break;
			case NEWS_EXIT:
				return END_OK;
			case NEWS_FAILED:
				return END_FAILED;
			}
		}
		/* The swap just done may have read more events into that
		 * queue: take them too, or a key pressed meanwhile would wait
		 * there until some other event wakes the poll. */
		if (!output_dispatch(v->out))
			return END_FAILED;
		if (v->closed)
			return END_OK;
		if (v->redraw && output_frame_ready(v->out))
			continue;

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

		switch (draw_news(v)) {
		case NEWS_NONE:
			break;
		case NEWS_EXIT:
			return END_OK;
		case NEWS_FAILED:
			return END_FAILED;
		}
		if (v->waiting)
			continue;
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
	/* zerocopy: each head's path, and the compositor's feedback. */
	if (v->client)
		client_print_stats(v->client, stderr);
	output_print_stats(v->out, stderr);
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
	if (!start_gl(v) || (v->out->windowed && !viewer_start_input(v))) {
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
		return v->disconnected ? EXIT_DISCONNECTED : EXIT_FAILURE;
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
