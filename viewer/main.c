/* SPDX-License-Identifier: MIT */
/*
 * qemu-eglview: connects to a VM's display socket and shows its heads.
 * One poll loop: the socket, a signalfd for SIGINT/SIGTERM and, with
 * --demo, the demo shim's pidfd.
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
#include "options.h"
#include "output.h"
#include "proto.h"
#include "render.h"

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
};

static int
connect_target(struct viewer *v)
{
	const struct options *opts = v->opts;
	char why[256];

	if (opts->demo) {
		v->demo = demo_spawn(opts->exit_after_frames, opts->demo_args,
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

	char path[PATH_MAX];
	if (!proto_socket_path(opts->target, path, sizeof(path), why, sizeof(why))) {
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
	struct output_config cfg = {
		.width = opts->width,
		.height = opts->height,
		.render_node = opts->render_node,
		.verbose = opts->verbose,
	};
	v->out = output_create(opts->backend, &cfg, why, sizeof(why));
	if (!v->out) {
		fprintf(stderr, "qemu-eglview: cannot open the %s output: %s\n",
			opts->backend, why);
		return false;
	}
	if (opts->verbose)
		fprintf(stderr, "qemu-eglview: output %s: %s, %dx%d\n", opts->backend,
			v->out->path ? v->out->path : "?", v->out->width,
			v->out->height);
	v->renderer = render_create(v->out, why, sizeof(why));
	if (!v->renderer) {
		fprintf(stderr, "qemu-eglview: cannot start the renderer: %s\n", why);
		return false;
	}
	return true;
}

static bool
draw_frame(struct viewer *v)
{
	int width, height;
	if (v->opts->width == 0 && client_layout_size(v->client, &width, &height) &&
	    (width != v->out->width || height != v->out->height)) {
		if (!output_resize(v->out, width, height)) {
			fprintf(stderr, "qemu-eglview: cannot resize the output to "
				"%dx%d for the VM's heads\n", width, height);
			return false;
		}
		if (v->opts->verbose)
			fprintf(stderr, "qemu-eglview: output resized to %dx%d\n",
				width, height);
	}

	struct render_head *heads[PROTO_MAX_HEADS];
	int n = client_heads(v->client, heads);
	uint64_t presented_ns = 0;
	if (!output_begin_frame(v->out) || !render_draw(v->renderer, heads, n) ||
	    !output_present(v->out, &presented_ns)) {
		fprintf(stderr, "qemu-eglview: drawing frame %" PRIu64 " on the %s "
			"output failed\n", v->frames + 1, v->opts->backend);
		return false;
	}
	v->frames++;
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
		struct pollfd fds[3] = {
			{ .fd = client_fd(v->client),
			  .events = POLLIN | (v->script_blocked ? POLLOUT : 0) },
			{ .fd = v->signal_fd, .events = POLLIN },
			{ .fd = v->demo ? demo_exit_fd(v->demo) : -1, .events = POLLIN },
		};
		if (poll(fds, 3, -1) < 0) {
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

		if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			enum client_status st = client_read(v->client);
			if (st == CLIENT_GOODBYE)
				return END_OK;
			if (st == CLIENT_FAILED) {
				report_demo_exit(v);
				return END_FAILED;
			}
		}

		if (client_needs_draw(v->client)) {
			if (!draw_frame(v))
				return END_FAILED;
			if (opts->exit_after_frames && v->frames >= opts->exit_after_frames) {
				if (opts->verbose)
					fprintf(stderr, "qemu-eglview: %" PRIu64 " frames "
						"presented, exiting\n", v->frames);
				return END_OK;
			}
		}
		if (!send_script(v))
			return END_FAILED;

		/* The socket reports the shim's end; here it is only reaped. */
		if (fds[2].revents & POLLIN && opts->verbose)
			report_demo_exit(v);
	}
}

static bool
write_snapshot(struct viewer *v)
{
	const char *path = v->opts->snapshot;
	if (v->frames == 0) {
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
		" imports_dmabuf=%" PRIu64 " imports_mmap=%" PRIu64
		" updates=%" PRIu64 "\n", v->frames, rs->bytes_uploaded,
		rs->rects_uploaded, rs->imports_shm, rs->imports_dmabuf,
		rs->imports_mmap, v->client ? client_updates(v->client) : 0);
}

static int
run(struct viewer *v)
{
	int fd = connect_target(v);
	if (fd < 0)
		return fd == -2 ? EXIT_USAGE : EXIT_FAILURE;
	if (v->opts->verbose)
		fprintf(stderr, "qemu-eglview: connected to %s\n", v->label);
	if (!client_check_peer(fd, v->label) || !start_gl(v)) {
		close(fd);
		return EXIT_FAILURE;
	}
	v->client = client_create(fd, v->label, v->renderer, v->opts->verbose);
	if (!v->client)
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
	render_destroy(v.renderer);
	output_destroy(v.out);
	demo_destroy(v.demo);
	input_script_destroy(v.script);
	close(v.signal_fd);
	return rc;
}
