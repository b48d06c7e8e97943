/* SPDX-License-Identifier: MIT */
/*
 * The viewer's life: its VMs' sessions made from the command line, the
 * connections tried, the output and the renderer opened once for them
 * all, the loop run (loop.c), the snapshot written, and everything
 * taken down.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "app/app.h"
#include "app/viewer.h"
#include "log.h"
#include "output/sdl/sdl.h"
#include "output/wayland/wayland.h"

struct viewer *
viewer_create(const struct options *opts, int *exit_code)
{
	*exit_code = EXIT_FAILURE;
	struct viewer *v = calloc(1, sizeof(*v));
	if (!v) {
		log_error("out of memory for the viewer");
		return NULL;
	}
	v->opts = opts;
	v->signal_fd = -1;
	v->cursor_listener = (struct client_listener){
		.data = v, .cursor_image = viewer_on_cursor_image,
		.clipboard_grab = viewer_on_clipboard_grab,
		.clipboard_request = viewer_on_clipboard_request,
		.clipboard_data = viewer_on_clipboard_data,
	};
	int n = opts->demo ? 1 : opts->n_targets;
	for (int i = 0; i < n; i++) {
		v->sessions[i] = session_create(opts, i, opts->demo ? NULL :
						opts->targets[i]);
		if (!v->sessions[i])
			goto fail;
		v->n_sessions++;
	}
	/* The script is typed into the first VM. */
	if (opts->input_script &&
	    !(v->sessions[0]->script = input_script_load(opts->input_script))) {
		*exit_code = EXIT_USAGE;
		goto fail;
	}

	/* Blocked from the start, so every way out goes through the cleanup
	 * (the demo shim is stopped, GOODBYE is sent). */
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGUSR1); /* the --stats block, at any time */
	sigprocmask(SIG_BLOCK, &mask, NULL);
	/* A closed stderr pipe must not kill the viewer before the cleanup. */
	signal(SIGPIPE, SIG_IGN);
	v->signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (v->signal_fd < 0) {
		log_error("cannot create a signalfd: %s", strerror(errno));
		goto fail;
	}
	return v;
fail:
	viewer_destroy(v);
	return NULL;
}

void
viewer_destroy(struct viewer *v)
{
	if (!v)
		return;
	for (int i = 0; i < v->n_sessions; i++)
		session_destroy(v->sessions[i]);
	viewer_sound_destroy(v);
	render_destroy(v->renderer);
	output_destroy(v->out);
	if (v->signal_fd >= 0)
		close(v->signal_fd);
	free(v->clip_host);
	free(v->clip_from_vm);
	free(v);
}

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
start_output(struct viewer *v)
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
		.filter_nearest = opts->filter_nearest, /* zerocopy */
		.events = &ev,
	};
	v->backend = opts->backend;
	if (!v->backend) {
		/* A window where there is a display, as a person expects;
		 * natively on Wayland. */
		v->backend = output_wayland_available(why, sizeof(why)) ? "wayland" :
			     output_sdl_available(why, sizeof(why)) ? "sdl" :
			     "offscreen";
		if (strcmp(v->backend, "offscreen") == 0)
			log_verbose("no window (%s); using the offscreen output",
				    why);
	}
	v->out = output_create(backend_named(v->backend), &cfg, why, sizeof(why));
	if (!v->out) {
		log_error("cannot open the %s output: %s", v->backend, why);
		return false;
	}
	log_verbose("output %s: %s, %dx%d", v->backend,
		    v->out->path ? v->out->path : "?", v->out->width,
		    v->out->height);
	v->renderer = render_create(v->out, why, sizeof(why));
	if (!v->renderer) {
		log_error("cannot start the renderer: %s", why);
		return false;
	}
	render_set_scaling(v->renderer, scale, opts->filter_nearest);
	if (v->n_sessions > 1)
		render_set_hide_cursors(v->renderer, false);
	/* --draw auto: the CPU draws where GL itself runs on the CPU (a
	 * memcpy of what changed beats a shader over the window). */
	v->cpu_draw = opts->draw != OPTIONS_DRAW_GL &&
		      output_has_cpu_frames(v->out) &&
		      (opts->draw == OPTIONS_DRAW_CPU ||
		       render_is_software(v->renderer));
	render_keep_cpu_copies(v->renderer, v->cpu_draw);
	if (v->cpu_draw)
		log_verbose("frames the %s output allows are drawn by the CPU "
			    "(%s)", v->backend, opts->draw == OPTIONS_DRAW_CPU ?
			    "--draw cpu" : "GL is a software renderer");
	return true;
}

static bool
write_snapshot(struct viewer *v)
{
	const char *path = v->opts->snapshot;
	uint64_t waiting_frames = 0;
	for (int i = 0; i < v->n_sessions; i++)
		waiting_frames += v->sessions[i]->waiting_frames;
	if (v->frames == 0 && waiting_frames == 0) {
		log_error("no frame was shown, so there is no snapshot to write "
			  "to %s", path);
		return false;
	}
	char why[256];
	if (!output_snapshot(v->out, path, why, sizeof(why))) {
		log_error("cannot write the snapshot %s: %s", path, why);
		return false;
	}
	log_verbose("wrote %s (frame %" PRIu64 ")", path, v->frames);
	return true;
}

/* Every VM connects (or starts waiting); the output opens once. */
int
viewer_run(struct viewer *v)
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
		if (fds[i] >= 0)
			log_verbose("connected to %s", s->label);
		/* Without --reconnect a refused server ends the viewer before
		 * any window opens. */
		if (fds[i] >= 0 && !opts->reconnect &&
		    !client_check_peer(fds[i], s->label)) {
			close(fds[i]);
			fds[i] = -1;
			goto fail;
		}
	}
	if (!start_output(v) || (v->out->windowed && !viewer_start_input(v)))
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
		if (!s->client && !viewer_vm_wait(v, s))
			goto fail;
	}
	if (v->input && n > 1)
		viewer_update_title(v); /* "(VM 1 of n)" from the start */

	if (!viewer_loop(v))
		return v->disconnected ? EXIT_DISCONNECTED : EXIT_FAILURE;
	if (opts->snapshot && !write_snapshot(v))
		return EXIT_FAILURE;
	return EXIT_SUCCESS;
fail:
	for (int i = 0; i < n; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
	}
	return rc;
}
