/* SPDX-License-Identifier: MIT */
/*
 * qemu-eglview: connects to a VM's display socket and shows its heads.
 * One poll loop: the socket, a signalfd for SIGINT/SIGTERM, with --demo
 * the demo shim's pidfd, and with a window the window system's connection.
 * Several VMs share one output (compose.c) and the same loop: every
 * VM's socket, or its reconnect watch while it is away.
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

#include "app/viewer.h"
#include "app/waiting.h"
#include "output/sdl/sdl.h"
#include "output/wayland/wayland.h"

/* The backends by the names --backend takes (options.c lists the same). */
static const struct output_impl *
backend_named(const char *name)
{
	static const struct output_impl *const backends[] = {
		&output_offscreen_impl, &output_sdl_impl, &output_wayland_impl,
	};
	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
		if (strcmp(name, backends[i]->name) == 0)
			return backends[i];
	}
	return NULL;
}

static bool
start_gl(struct viewer *v)
{
	const struct options *opts = v->opts;
	char why[256];
	struct output_events ev = viewer_window_events;
	ev.data = v;
	snprintf(v->title, sizeof(v->title), "%s - qemu-eglview",
		 v->sessions[0]->label);
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
		.one_view = v->n_sessions > 1,
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
	v->out = output_create(backend_named(v->backend), &cfg, why, sizeof(why));
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
	if (v->n_sessions > 1)
		render_set_hide_cursors(v->renderer, false);
	return true;
}

/* The output follows the heads when they change (a window opens or
 * closes, a window takes its head's new size); a window the user resized
 * since keeps its size until then. */
static bool
follow_heads(struct viewer *v, struct session *s)
{
	struct output_head heads[PROTO_MAX_HEADS];
	int n = client_output_heads(s->client, heads);
	if (n == s->n_shown && memcmp(heads, s->shown, sizeof(heads[0]) * n) == 0)
		return true;
	memcpy(s->shown, heads, sizeof(heads[0]) * n);
	s->n_shown = n;
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
	if (v->input && s->titled)
		viewer_update_title(v); /* a new window has no title of its own yet */
	return true;
}

/* One VM: its heads fill the output (a window per head, or one view). */
static bool
draw_frame(struct viewer *v)
{
	struct session *s = v->sessions[0];
	if (!follow_heads(v, s))
		return false;

	struct render_head *heads[PROTO_MAX_HEADS];
	int n = client_heads(s->client, heads);
	int sizes[2 * PROTO_MAX_HEADS];
	if (v->input)
		input_set_heads(v->input, sizes, client_head_sizes(s->client,
								   sizes));
	uint64_t presented_ns = 0;
	v->redraw = false;
	if (v->input) {
		/* The host pointer shows the guest's cursor image in absolute
		 * mode; grabbed, the guest's cursor is drawn where it says,
		 * and so it is in a kiosk, which has no host cursor. */
		bool in_picture = input_relative(v->input) || v->opts->kiosk;
		render_set_hide_cursors(v->renderer, !in_picture);
		/* zerocopy: a direct head's cursor is a subsurface of its own. */
		output_direct_show_cursors(v->out, in_picture);
	}
	/* Each view (a window per head, or one for all) with its heads. */
	for (int view = 0; view < v->out->n_views; view++) {
		int first, count = output_view_heads(v->out, view, n, &first);
		/* zerocopy: a view the compositor shows from the guest's
		 * buffers alone needs no GL frame (direct.c). */
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
	s->frames++;
	session_report_shown(s, presented_ns);
	if (v->input && !s->titled && client_server_name(s->client)) {
		s->titled = true;
		viewer_update_title(v); /* with the VM's name from HELLO */
	}
	return client_frame_done(s->client, presented_ns);
}

enum loop_end {
	END_OK,     /* GOODBYE, --exit-after-frames, or a signal */
	END_FAILED,
};

/* --- --reconnect: the waiting screen and the way back ------------------- */

static bool
draw_waiting(struct viewer *v)
{
	struct session *s = v->sessions[0];
	char why[256];
	v->redraw = false;
	if (!waiting_draw(v->renderer, v->out, session_name(s), why,
			  sizeof(why))) {
		fprintf(stderr, "qemu-eglview: %s\n", why);
		return false;
	}
	s->waiting_frames++;
	return true;
}

/* The connection is gone (or never came): drop everything it built and
 * wait for the socket; the windows (or the offscreen output) stay. */
static bool
start_waiting(struct viewer *v)
{
	return viewer_vm_wait(v, v->sessions[0]) && draw_waiting(v);
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
	struct session *s = v->sessions[0];
	if (!client_needs_draw(s->client) || !output_frame_ready(v->out))
		return NEWS_NONE;
	if (!draw_frame(v))
		return session_lost_server(s) && start_waiting(v) ? NEWS_NONE :
		       NEWS_FAILED;
	if (opts->exit_after_frames && v->frames >= opts->exit_after_frames) {
		if (opts->verbose)
			fprintf(stderr, "qemu-eglview: %" PRIu64 " frames "
				"presented, exiting\n", v->frames);
		return NEWS_EXIT;
	}
	return NEWS_NONE;
}

/* SIGINT or SIGTERM arrived: the loop ends normally. */
static void
read_signal(struct viewer *v)
{
	struct signalfd_siginfo si;
	if (read(v->signal_fd, &si, sizeof(si)) == sizeof(si) && v->opts->verbose)
		fprintf(stderr, "qemu-eglview: %s, closing\n",
			strsignal((int)si.ssi_signo));
}

/* One VM. */
static enum loop_end
run_loop(struct viewer *v)
{
	const struct options *opts = v->opts;
	struct session *s = v->sessions[0];
	for (;;) {
		/* Events a swap or a reply read into the window system's queue
		 * no longer show on its fd: take them before blocking. */
		if (!output_dispatch(v->out))
			return END_FAILED;
		if (v->closed)
			return END_OK;
		if (s->waiting) {
			if (v->redraw && !draw_waiting(v))
				return END_FAILED;
		} else if (v->redraw && !client_needs_draw(s->client) &&
			   output_frame_ready(v->out) && !draw_frame(v)) {
			if (!session_lost_server(s) || !start_waiting(v))
				return END_FAILED;
		} else if (!s->waiting) {
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
			{ .fd = s->client ? client_fd(s->client) : -1,
			  .events = POLLIN | (session_wants_write(s) ? POLLOUT : 0) },
			{ .fd = v->signal_fd, .events = POLLIN },
			{ .fd = s->demo ? demo_exit_fd(s->demo) : -1, .events = POLLIN },
			{ .fd = output_get_event_fd(v->out), .events = POLLIN },
			{ .fd = s->waiting ? reconnect_fd(s->reconnect) : -1,
			  .events = POLLIN },
		};
		if (poll(fds, 5, s->waiting ? reconnect_timeout_ms(s->reconnect) :
			 -1) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "qemu-eglview: poll failed: %s\n", strerror(errno));
			return END_FAILED;
		}

		if (fds[1].revents & POLLIN) {
			read_signal(v);
			return END_OK;
		}

		if (s->waiting) {
			int fd = reconnect_try(s->reconnect);
			if (fd >= 0 && !viewer_vm_attach(v, s, fd))
				return END_FAILED;
			continue;
		}

		if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			enum client_status st = client_read(s->client);
			if (st != CLIENT_OK && session_lost_server(s)) {
				if (!start_waiting(v))
					return END_FAILED;
				continue;
			}
			if (st == CLIENT_GOODBYE)
				return END_OK;
			if (st == CLIENT_FAILED) {
				session_report_demo_exit(s);
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
		if (s->waiting)
			continue;
		if (!session_send_script(s)) {
			if (!session_lost_server(s) || !start_waiting(v))
				return END_FAILED;
			continue;
		}

		/* The socket reports the shim's end; here it is only reaped. */
		if (fds[2].revents & POLLIN && opts->verbose)
			session_report_demo_exit(s);
	}
}

/* --- several VMs in one output ------------------------------------------ */

/* --exit-after-frames N with several VMs: N frames of the output were
 * presented and every VM that is connected has shown a picture in one of
 * them (one at least is; those being waited for do not count). */
static bool
all_shown(const struct viewer *v)
{
	if (v->frames < v->opts->exit_after_frames)
		return false;
	int connected = 0;
	for (int i = 0; i < v->n_sessions; i++) {
		const struct session *s = v->sessions[i];
		if (s->waiting)
			continue;
		connected++;
		if (s->frames == 0)
			return false;
	}
	return connected > 0;
}

static bool
needs_draw(const struct viewer *v)
{
	if (v->redraw)
		return true;
	for (int i = 0; i < v->n_sessions; i++) {
		const struct session *s = v->sessions[i];
		if (s->client && client_needs_draw(s->client))
			return true;
	}
	return false;
}

/* A VM's connection ended (any way: with several VMs each waits for its
 * own to come back). false when the viewer must end. */
static bool
session_ended(struct viewer *v, struct session *s)
{
	session_report_demo_exit(s);
	return viewer_vm_wait(v, s);
}

static enum loop_end
run_composed(struct viewer *v)
{
	const struct options *opts = v->opts;
	int n = v->n_sessions;
	for (;;) {
		if (!output_dispatch(v->out))
			return END_FAILED;
		if (v->closed)
			return END_OK;
		if (needs_draw(v) && output_frame_ready(v->out)) {
			if (!compose_draw(v))
				return END_FAILED;
			if (v->disconnected)
				return END_FAILED;
			if (opts->exit_after_frames && all_shown(v)) {
				if (opts->verbose)
					fprintf(stderr, "qemu-eglview: %" PRIu64
						" frames presented, each VM's "
						"picture shown, exiting\n",
						v->frames);
				return END_OK;
			}
		}
		if (!output_dispatch(v->out))
			return END_FAILED;
		if (v->closed)
			return END_OK;
		if (v->redraw && output_frame_ready(v->out))
			continue;

		/* The signalfd, the window, then per VM its socket or its
		 * reconnect watch. */
		struct pollfd fds[2 + VIEWER_MAX_VMS] = {
			{ .fd = v->signal_fd, .events = POLLIN },
			{ .fd = output_get_event_fd(v->out), .events = POLLIN },
		};
		int timeout = -1;
		for (int i = 0; i < n; i++) {
			struct session *s = v->sessions[i];
			fds[2 + i].fd = s->waiting ? reconnect_fd(s->reconnect) :
					client_fd(s->client);
			fds[2 + i].events = POLLIN |
					    (session_wants_write(s) ? POLLOUT : 0);
			if (!s->waiting)
				continue;
			int t = reconnect_timeout_ms(s->reconnect);
			if (timeout < 0 || t < timeout)
				timeout = t;
		}
		if (poll(fds, (nfds_t)(2 + n), timeout) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "qemu-eglview: poll failed: %s\n", strerror(errno));
			return END_FAILED;
		}
		if (fds[0].revents & POLLIN) {
			read_signal(v);
			return END_OK;
		}

		for (int i = 0; i < n; i++) {
			struct session *s = v->sessions[i];
			if (s->waiting) {
				/* Due retries run whether or not inotify woke us. */
				int fd = reconnect_try(s->reconnect);
				if (fd >= 0 && !viewer_vm_attach(v, s, fd))
					return END_FAILED;
				continue;
			}
			if ((fds[2 + i].revents & (POLLIN | POLLHUP | POLLERR)) &&
			    client_read(s->client) != CLIENT_OK) {
				if (!session_ended(v, s))
					return END_FAILED;
				continue;
			}
			if (!session_send_script(s) && !session_ended(v, s))
				return END_FAILED;
		}
	}
}

static bool
write_snapshot(struct viewer *v)
{
	const char *path = v->opts->snapshot;
	uint64_t waiting_frames = 0;
	for (int i = 0; i < v->n_sessions; i++)
		waiting_frames += v->sessions[i]->waiting_frames;
	if (v->frames == 0 && waiting_frames == 0) {
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

/* One line for one VM (the tests parse it); with several, a line per VM
 * first ("stats: vm=NAME ..."), then the total in the same line as one. */
static void
print_stats(const struct viewer *v)
{
	static const struct render_stats none;
	const struct render_stats *rs = v->renderer ?
		render_get_stats(v->renderer) : &none;
	uint64_t updates = 0;
	for (int i = 0; i < v->n_sessions; i++) {
		const struct session *s = v->sessions[i];
		uint64_t u = s->client ? client_updates(s->client) : 0;
		updates += u;
		if (v->n_sessions > 1)
			fprintf(stderr, "qemu-eglview: stats: vm=%s frames=%" PRIu64
				" updates=%" PRIu64 " connected=%d\n", s->label,
				s->frames, u, s->client != NULL);
	}
	fprintf(stderr, "qemu-eglview: stats: frames=%" PRIu64 " bytes_uploaded=%"
		PRIu64 " rects_uploaded=%" PRIu64 " imports_shm=%" PRIu64
		" imports_dmabuf=%" PRIu64 " releases_dmabuf=%" PRIu64
		" imports_mmap=%" PRIu64 " updates=%" PRIu64 "\n", v->frames,
		rs->bytes_uploaded, rs->rects_uploaded, rs->imports_shm,
		rs->imports_dmabuf, rs->releases_dmabuf, rs->imports_mmap,
		updates);
	/* zerocopy: each head's path, and the compositor's feedback. */
	char why[128];
	bool composed = v->n_sessions > 1 && v->out &&
			output_direct_offered(v->out, why, sizeof(why));
	for (int i = 0; i < v->n_sessions; i++) {
		if (composed)
			fprintf(stderr, "qemu-eglview: vm=%s: GL (several VMs "
				"share the output)\n", v->sessions[i]->label);
		else if (v->sessions[i]->client)
			client_print_stats(v->sessions[i]->client, stderr);
	}
	output_print_stats(v->out, stderr);
}

/* Every VM connects (or starts waiting); the output opens once. */
static int
run(struct viewer *v)
{
	const struct options *opts = v->opts;
	int fds[VIEWER_MAX_VMS];
	int n = v->n_sessions;
	for (int i = 0; i < n; i++)
		fds[i] = -1;
	int rc = EXIT_FAILURE;
	for (int i = 0; i < n; i++) {
		struct session *s = v->sessions[i];
		fds[i] = session_connect(s);
		if (fds[i] == -2) {
			rc = EXIT_USAGE;
			goto fail;
		}
		if (fds[i] < 0 && !opts->reconnect)
			goto fail;
		if (fds[i] >= 0 && opts->verbose)
			fprintf(stderr, "qemu-eglview: connected to %s\n", s->label);
		/* Without --reconnect a refused server ends the viewer before
		 * any window opens. */
		if (fds[i] >= 0 && !opts->reconnect &&
		    !client_check_peer(fds[i], s->label)) {
			close(fds[i]);
			fds[i] = -1;
			goto fail;
		}
	}
	if (!start_gl(v) || (v->out->windowed && !viewer_start_input(v)))
		goto fail;
	for (int i = 0; i < n; i++) {
		if (opts->reconnect && !session_enable_reconnect(v->sessions[i]))
			goto fail;
	}
	for (int i = 0; i < n; i++) {
		struct session *s = v->sessions[i];
		int fd = fds[i];
		fds[i] = -1;
		if (fd >= 0 && !viewer_vm_attach(v, s, fd))
			goto fail;
		if (s->client)
			continue;
		if (n > 1 ? !viewer_vm_wait(v, s) : !start_waiting(v))
			goto fail;
	}
	if (v->input && n > 1)
		viewer_update_title(v); /* "(VM 1 of n)" from the start */

	if ((n > 1 ? run_composed(v) : run_loop(v)) != END_OK)
		return v->disconnected ? EXIT_DISCONNECTED : EXIT_FAILURE;
	if (v->opts->snapshot && !write_snapshot(v))
		return EXIT_FAILURE;
	return EXIT_SUCCESS;
fail:
	for (int i = 0; i < n; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
	}
	return rc;
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
	v.cursor_listener = (struct client_listener){
		.data = &v, .cursor_image = viewer_on_cursor_image,
	};
	int n = opts.demo ? 1 : opts.n_targets;
	for (int i = 0; i < n; i++) {
		v.sessions[i] = session_create(&opts, i, opts.demo ? NULL :
					       opts.targets[i]);
		if (!v.sessions[i])
			goto out;
		v.n_sessions++;
	}
	/* The script is typed into the first VM. */
	if (opts.input_script &&
	    !(v.sessions[0]->script = input_script_load(opts.input_script))) {
		for (int i = 0; i < v.n_sessions; i++)
			session_destroy(v.sessions[i]);
		return EXIT_USAGE;
	}

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
		goto out;
	}

	int rc = run(&v);

	if (opts.stats)
		print_stats(&v);
	for (int i = 0; i < v.n_sessions; i++)
		session_destroy(v.sessions[i]);
	render_destroy(v.renderer);
	output_destroy(v.out);
	close(v.signal_fd);
	return rc;
out:
	for (int i = 0; i < v.n_sessions; i++)
		session_destroy(v.sessions[i]);
	return EXIT_FAILURE;
}
