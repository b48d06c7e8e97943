/* SPDX-License-Identifier: MIT */
#include "app/reconnect.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "proto.h"

#define BACKOFF_FIRST_MS 50
#define BACKOFF_MAX_MS 2000

/* A socket waited for: the VM's own, or the bridge's the viewer started. */
struct watched {
	char path[PATH_MAX];   /* "" : none */
	char dir[PATH_MAX];
	const char *base;      /* the socket's name within dir */
	int watch;             /* -1: the directory is not watched (yet) */
};

struct reconnect {
	struct watched sockets[2]; /* RECONNECT_SOCKET, RECONNECT_BRIDGE */
	int inotify_fd;
	uint32_t backoff_ms;
	uint64_t next_try_ns;
	bool seen;             /* an inotify event named the socket */
	uint64_t seen_ns;
	uint32_t attempts;
};

static void
set_path(struct watched *w, const char *socket_path)
{
	snprintf(w->path, sizeof(w->path), "%s", socket_path ? socket_path : "");
	snprintf(w->dir, sizeof(w->dir), "%s", w->path);
	char *slash = strrchr(w->dir, '/');
	if (slash == w->dir) {
		w->dir[1] = '\0';
		w->base = w->path + 1;
	} else if (slash) {
		*slash = '\0';
		w->base = w->path + (slash - w->dir) + 1;
	} else {
		snprintf(w->dir, sizeof(w->dir), ".");
		w->base = w->path;
	}
	w->watch = -1;
}

struct reconnect *
reconnect_create(const char *socket_path)
{
	struct reconnect *r = calloc(1, sizeof(*r));
	if (!r) {
		log_error("out of memory for --reconnect");
		return NULL;
	}
	set_path(&r->sockets[RECONNECT_SOCKET], socket_path);
	set_path(&r->sockets[RECONNECT_BRIDGE], NULL);
	r->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (r->inotify_fd < 0) {
		/* The backoff alone still finds the socket, later. */
		log_error("inotify_init1 failed (%s); --reconnect retries "
			  "every %d ms at most", strerror(errno), BACKOFF_MAX_MS);
	}
	return r;
}

void
reconnect_set_bridge(struct reconnect *r, const char *socket_path)
{
	struct watched *w = &r->sockets[RECONNECT_BRIDGE];
	if (w->watch >= 0 && r->inotify_fd >= 0 &&
	    w->watch != r->sockets[RECONNECT_SOCKET].watch)
		inotify_rm_watch(r->inotify_fd, w->watch);
	set_path(w, socket_path);
	/* A new bridge is tried at once, then as the backoff says. */
	r->backoff_ms = BACKOFF_FIRST_MS;
	r->next_try_ns = proto_now_ns();
}

void
reconnect_destroy(struct reconnect *r)
{
	if (!r)
		return;
	if (r->inotify_fd >= 0)
		close(r->inotify_fd);
	free(r);
}

/* The shim creates the directory too: until it exists, the backoff
 * retries also retry the watch. */
static void
watch_dirs(struct reconnect *r)
{
	for (int i = 0; i < 2; i++) {
		struct watched *w = &r->sockets[i];
		if (r->inotify_fd < 0 || w->watch >= 0 || !w->path[0])
			continue;
		w->watch = inotify_add_watch(r->inotify_fd, w->dir, IN_CREATE |
					     IN_MOVED_TO | IN_ATTRIB |
					     IN_DELETE_SELF | IN_MOVE_SELF |
					     IN_ONLYDIR);
		if (w->watch < 0)
			log_verbose("cannot watch %s (%s); retrying with "
				    "backoff", w->dir, strerror(errno));
	}
}

void
reconnect_start(struct reconnect *r)
{
	r->backoff_ms = BACKOFF_FIRST_MS;
	r->next_try_ns = proto_now_ns();
	r->seen = false;
	r->attempts = 0;
	watch_dirs(r);
}

int
reconnect_fd(const struct reconnect *r)
{
	bool watching = r->sockets[0].watch >= 0 || r->sockets[1].watch >= 0;
	return watching ? r->inotify_fd : -1;
}

int
reconnect_timeout_ms(const struct reconnect *r)
{
	uint64_t now = proto_now_ns();
	if (r->next_try_ns <= now)
		return 0;
	/* Rounded up, so the wake-up is never a moment early. */
	return (int)((r->next_try_ns - now + 999999) / 1000000);
}

uint64_t
reconnect_seen_ns(const struct reconnect *r)
{
	return r->seen_ns;
}

/* true when an event named a socket (or a directory went away). */
static bool
read_events(struct reconnect *r)
{
	if (reconnect_fd(r) < 0)
		return false;
	bool named = false, lost = false;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t len;
	while ((len = read(r->inotify_fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + len;) {
			const struct inotify_event *ev = (const void *)p;
			for (int i = 0; i < 2; i++) {
				struct watched *w = &r->sockets[i];
				if (w->watch != ev->wd)
					continue;
				if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF |
						IN_IGNORED))
					lost = true;
				else if (ev->len > 0 &&
					 strcmp(ev->name, w->base) == 0)
					named = true;
			}
			p += sizeof(*ev) + ev->len;
		}
	}
	if (lost && r->inotify_fd >= 0) {
		/* Drop the stale watches so a new directory gets a fresh one;
		 * watched again at the next retry. */
		close(r->inotify_fd);
		r->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		r->sockets[0].watch = r->sockets[1].watch = -1;
	}
	return named;
}

int
reconnect_try(struct reconnect *r, int *which)
{
	bool named = read_events(r);
	uint64_t now = proto_now_ns();
	if (named && !r->seen) {
		r->seen = true;
		r->seen_ns = now;
	}
	if (!named && now < r->next_try_ns)
		return -1;
	watch_dirs(r);
	r->attempts++;
	/* Scheduled first: a connection the viewer then refuses (another
	 * uid, a failed handshake) waits out the backoff too. */
	if (named)
		r->backoff_ms = BACKOFF_FIRST_MS;
	r->next_try_ns = now + (uint64_t)r->backoff_ms * 1000000u;
	if (r->backoff_ms < BACKOFF_MAX_MS)
		r->backoff_ms = r->backoff_ms * 2 > BACKOFF_MAX_MS ?
				BACKOFF_MAX_MS : r->backoff_ms * 2;
	for (int i = 0; i < 2; i++) {
		const struct watched *w = &r->sockets[i];
		int fd = w->path[0] ? proto_connect(w->path) : -1;
		if (fd < 0)
			continue;
		if (!r->seen)
			r->seen_ns = now;
		log_verbose("%s is back (connect attempt %u, %s)", w->path,
			    r->attempts, named ? "seen by inotify" : "retry");
		*which = i;
		return fd;
	}
	/* Seen but refused (created, not listening yet: the shim's listen()
	 * follows its bind() within a moment): the backoff restarted at its
	 * shortest above. */
	return -1;
}
