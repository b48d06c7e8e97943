/* SPDX-License-Identifier: MIT */
/*
 * held-demo [--size WxH] [--fps N] [--frames N] [--start-on-signal]
 *           [--full-change] [--verbose] SOCKET
 *
 * The demo VM (server-shim/demo) served on SOCKET as `eglview-shim
 * --source demo --frames N` serves it, but holding its last frame
 * instead of leaving: a window test can take its screenshot of frame
 * N - 1 while the viewer still shows it. The clock starts when the
 * first viewer joins, or with --start-on-signal at SIGUSR1 (so a test
 * can change the window first). Input is ignored: the picture is a
 * function of the frame number alone. Prints "held-demo: holding frame
 * K" on stdout once frame K is made and every viewer has shown it;
 * SIGTERM ends it with a GOODBYE. --full-change serves full-change.h's
 * picture instead, every pixel new each frame (the cost of a full-screen
 * change beside the demo's moving square); --verbose logs each present
 * ("frame K presented on head 1 in buffer B", as eglview-shim --verbose).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "demo/demo.h"
#include "full-change.h"
#include "server/server.h"

/* One of the two pictures. */
struct held {
	struct demo *demo;
	struct full_change *full;
	bool start_on_signal;
};

static void
start_clock(struct held *held)
{
	if (held->demo)
		demo_start_clock(held->demo);
	if (held->full)
		full_change_start_clock(held->full);
}

static void
on_buffer_released(void *data, struct server_buffer *buffer)
{
	struct held *held = data;
	if (held->demo)
		demo_handle_buffer_released(held->demo, buffer);
	if (held->full)
		full_change_handle_buffer_released(held->full);
}

static void
on_viewer_joined(void *data, size_t count)
{
	struct held *held = data;
	(void)count;
	if (held->demo)
		demo_handle_viewer_joined(held->demo);
	if (!held->start_on_signal)
		start_clock(held);
}

static const struct server_callbacks callbacks = {
	.buffer_released = on_buffer_released,
	.viewer_joined = on_viewer_joined,
};

static bool
parse_u32(const char *s, uint32_t *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

static int
usage(void)
{
	fprintf(stderr, "usage: held-demo [--size WxH] [--fps N] [--frames N] "
		"[--start-on-signal] [--full-change] [--verbose] SOCKET\n");
	return 2;
}

int
main(int argc, char **argv)
{
	struct demo_options opt = { .width = 640, .height = 480, .fps = 60,
				    .frame_limit = 30 };
	struct held held = { 0 };
	bool full_change = false;
	static const struct option longopts[] = {
		{ "size", required_argument, NULL, 's' },
		{ "fps", required_argument, NULL, 'f' },
		{ "frames", required_argument, NULL, 'n' },
		{ "start-on-signal", no_argument, NULL, 'S' },
		{ "full-change", no_argument, NULL, 'F' },
		{ "verbose", no_argument, NULL, 'v' },
		{ 0 },
	};
	int c;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		uint32_t v;
		switch (c) {
		case 's':
			if (sscanf(optarg, "%ux%u", &opt.width, &opt.height) != 2 ||
			    opt.width == 0 || opt.height == 0) {
				fprintf(stderr, "held-demo: --size \"%s\": expected "
					"WxH, e.g. 640x480\n", optarg);
				return 2;
			}
			break;
		case 'f':
		case 'n':
			if (!parse_u32(optarg, &v) || (c == 'f' && v == 0) ||
			    (c == 'n' && v == 0)) {
				fprintf(stderr, "held-demo: --%s \"%s\": expected a "
					"number above 0\n", c == 'f' ? "fps" : "frames",
					optarg);
				return 2;
			}
			if (c == 'f')
				opt.fps = v;
			else
				opt.frame_limit = v;
			break;
		case 'S':
			held.start_on_signal = true;
			break;
		case 'F':
			full_change = true;
			break;
		case 'v':
			server_log_set_verbose(true);
			break;
		default:
			return usage();
		}
	}
	if (optind != argc - 1)
		return usage();

	signal(SIGPIPE, SIG_IGN);
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGUSR1);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	int signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (signal_fd < 0) {
		fprintf(stderr, "held-demo: signalfd: %s\n", strerror(errno));
		return 1;
	}

	char why[512];
	struct server *server = server_create(argv[optind], "demo", &callbacks,
					      &held, why, sizeof(why));
	if (!server) {
		fprintf(stderr, "held-demo: cannot serve on %s: %s\n",
			argv[optind], why);
		return 1;
	}
	if (full_change)
		held.full = full_change_create(server, opt.width, opt.height,
					       opt.fps, opt.frame_limit, why,
					       sizeof(why));
	else
		held.demo = demo_create(server, &opt, why, sizeof(why));
	if (!held.demo && !held.full) {
		fprintf(stderr, "held-demo: cannot start the demo: %s\n", why);
		server_destroy(server);
		return 1;
	}

	bool holding = false;
	int status = 0;
	for (;;) {
		uint64_t made = held.demo ? demo_frames_made(held.demo) :
				full_change_frames_made(held.full);
		bool presented = held.demo ? demo_all_presented(held.demo) :
				 full_change_all_presented(held.full);
		if (!holding && made >= opt.frame_limit && presented &&
		    server_idle(server)) {
			holding = true;
			printf("held-demo: holding frame %" PRIu64 "\n", made - 1);
			fflush(stdout);
		}
		struct pollfd fds[3] = {
			{ .fd = server_get_fd(server), .events = POLLIN },
			{ .fd = signal_fd, .events = POLLIN },
			{ .fd = held.demo ? demo_get_timer_fd(held.demo) :
			  full_change_get_timer_fd(held.full), .events = POLLIN },
		};
		if (poll(fds, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "held-demo: poll: %s\n", strerror(errno));
			status = 1;
			break;
		}
		if (fds[1].revents & POLLIN) {
			struct signalfd_siginfo info;
			if (read(signal_fd, &info, sizeof(info)) == sizeof(info)) {
				if (info.ssi_signo == SIGUSR1) {
					start_clock(&held);
					continue;
				}
				server_goodbye_all(server, PROTO_BYE_SHUTDOWN,
						   "held-demo stopped by signal");
				break;
			}
		}
		if ((fds[0].revents & POLLIN) && !server_dispatch(server)) {
			status = 1;
			break;
		}
		if ((fds[2].revents & POLLIN) && held.demo)
			demo_dispatch_timer(held.demo);
		else if (fds[2].revents & POLLIN)
			full_change_dispatch_timer(held.full);
	}
	demo_destroy(held.demo);
	full_change_destroy(held.full);
	server_destroy(server);
	close(signal_fd);
	return status;
}
