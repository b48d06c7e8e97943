/* SPDX-License-Identifier: MIT */
/*
 * The viewer's one poll loop, for one VM or several: the signalfd for
 * SIGINT/SIGTERM (the end) and SIGUSR1 (--stats now), the window system's connection, and per VM its socket
 * (or, while it is away, its reconnect watch) and with --demo the demo
 * shim's pidfd. A frame is drawn when a VM has news or the window was
 * exposed, once the output can show it (a paced backend says when).
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "app/app.h"
#include "app/viewer.h"
#include "log.h"

/* Whether a VM sent something to show since the last frame. */
static bool
has_news(const struct viewer *v)
{
	for (int i = 0; i < v->n_sessions; i++) {
		const struct session *s = v->sessions[i];
		if (s->client && client_needs_draw(s->client))
			return true;
	}
	return false;
}

/* --exit-after-frames N. One VM: N frames presented, counted after a
 * frame that showed its news while it is connected. Several: N frames
 * presented and every VM that is connected has shown a picture in one
 * of them (one at least is; those being waited for do not count). */
static bool
enough_frames(const struct viewer *v, bool news)
{
	uint64_t n = v->opts->exit_after_frames;
	if (n == 0 || v->frames < n)
		return false;
	if (v->n_sessions == 1) {
		if (!news || !v->sessions[0]->client)
			return false;
		log_verbose("%" PRIu64 " frames presented, exiting", v->frames);
		return true;
	}
	int connected = 0;
	for (int i = 0; i < v->n_sessions; i++) {
		const struct session *s = v->sessions[i];
		if (s->waiting)
			continue;
		connected++;
		if (s->frames == 0)
			return false;
	}
	if (connected == 0)
		return false;
	log_verbose("%" PRIu64 " frames presented, each VM's picture shown, "
		    "exiting", v->frames);
	return true;
}

/* Each VM's owed FRAME_DONEs and its script, as far as its socket takes
 * them. false when the viewer must end. */
static bool
send_scripts(struct viewer *v)
{
	for (int i = 0; i < v->n_sessions; i++) {
		struct session *s = v->sessions[i];
		if (!s->waiting && !session_send_script(s) &&
		    !viewer_vm_lost(v, s))
			return false;
	}
	return true;
}

/* The signals that came: SIGUSR1 prints the --stats block and the
 * session goes on untouched; SIGINT or SIGTERM ends the loop normally
 * (true). */
static bool
read_signals(struct viewer *v)
{
	struct signalfd_siginfo si;
	while (read(v->signal_fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGUSR1) {
			viewer_print_stats(v);
			continue;
		}
		log_verbose("%s, closing", strsignal((int)si.ssi_signo));
		return true;
	}
	return false;
}

enum read_end {
	READ_ON,     /* the loop goes on */
	READ_OK,     /* GOODBYE: the viewer ends normally */
	READ_FAILED,
};

/* Reads what a VM sent. A connection that ended: one VM's ends the
 * viewer (GOODBYE normally) unless --reconnect waits for a server that
 * went away; with several, each VM waits on its own. */
static enum read_end
read_vm(struct viewer *v, struct session *s)
{
	enum client_status st = client_read(s->client);
	if (st == CLIENT_OK)
		return READ_ON;
	if (v->n_sessions > 1 || session_lost_server(s))
		return viewer_vm_wait(v, s) ? READ_ON : READ_FAILED;
	if (st == CLIENT_GOODBYE)
		return READ_OK;
	session_report_demo_exit(s);
	return READ_FAILED;
}

bool
viewer_loop(struct viewer *v)
{
	int n = v->n_sessions;
	for (;;) {
		/* Events a swap or a reply read into the window system's queue
		 * no longer show on its fd: take them before blocking. */
		if (!output_dispatch(v->out))
			return false;
		if (v->closed)
			return true;
		bool news = has_news(v);
		if ((news || v->redraw) && output_frame_ready(v->out)) {
			if (!viewer_draw(v))
				return false;
			if (enough_frames(v, news))
				return true;
		}
		if (!send_scripts(v))
			return false;
		/* The swap just done may have read more events into that
		 * queue: take them too, or a key pressed meanwhile would wait
		 * there until some other event wakes the poll. */
		if (!output_dispatch(v->out))
			return false;
		if (v->closed)
			return true;
		/* That dispatch may also have run the frame callback that a
		 * VM's news was waiting for: draw now, as the poll would not
		 * wake for an event already read (a still VM sends nothing
		 * more, and its picture would never be shown). */
		if ((v->redraw || has_news(v)) && output_frame_ready(v->out))
			continue;

		/* The signalfd, the window, then per VM its socket or its
		 * reconnect watch, and the demo shim's pidfd. */
		struct pollfd fds[2 + 2 * VIEWER_MAX_VMS] = {
			{ .fd = v->signal_fd, .events = POLLIN },
			{ .fd = output_get_event_fd(v->out), .events = POLLIN },
		};
		struct pollfd *vm_fds = fds + 2, *demo_fds = fds + 2 + n;
		int timeout = -1;
		for (int i = 0; i < n; i++) {
			struct session *s = v->sessions[i];
			vm_fds[i].fd = s->waiting ? reconnect_fd(s->reconnect) :
				       client_fd(s->client);
			vm_fds[i].events = POLLIN |
					   (session_wants_write(s) ? POLLOUT : 0);
			demo_fds[i].fd = s->child ? shim_child_exit_fd(s->child) : -1;
			demo_fds[i].events = POLLIN;
			int t = s->waiting ? reconnect_timeout_ms(s->reconnect) :
				client_size_timeout_ms(s->client);
			if (t < 0)
				continue;
			if (timeout < 0 || t < timeout)
				timeout = t;
		}
		if (poll(fds, (nfds_t)(2 + 2 * n), timeout) < 0) {
			if (errno == EINTR)
				continue;
			log_error("poll failed: %s", strerror(errno));
			return false;
		}
		if (fds[0].revents & POLLIN && read_signals(v))
			return true;

		for (int i = 0; i < n; i++) {
			struct session *s = v->sessions[i];
			if (s->waiting) {
				/* Due retries run whether or not inotify woke us. */
				if (demo_fds[i].revents & POLLIN)
					session_child_exited(s);
				int fd = session_try_reconnect(s);
				if (fd >= 0 && !viewer_vm_attach(v, s, fd))
					return false;
				continue;
			}
			if (vm_fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
				switch (read_vm(v, s)) {
				case READ_ON:
					break;
				case READ_OK:
					return true;
				case READ_FAILED:
					return false;
				}
				if (s->waiting)
					continue;
			}
			/* The socket reports the shim's end; here it is only
			 * reaped. */
			if (demo_fds[i].revents & POLLIN)
				session_child_exited(s);
		}
	}
}
