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

struct reconnect {
	char path[PATH_MAX];
	char dir[PATH_MAX];
	const char *base;      /* the socket's name within dir */
	int inotify_fd;
	int watch;             /* -1: the directory is not watched (yet) */
	uint32_t backoff_ms;
	uint64_t next_try_ns;
	bool seen;             /* an inotify event named the socket */
	uint64_t seen_ns;
	uint32_t attempts;
};

static uint64_t
now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct reconnect *
reconnect_create(const char *socket_path)
{
	struct reconnect *r = calloc(1, sizeof(*r));
	if (!r) {
		log_error("out of memory for --reconnect");
		return NULL;
	}
	snprintf(r->path, sizeof(r->path), "%s", socket_path);
	snprintf(r->dir, sizeof(r->dir), "%s", socket_path);
	char *slash = strrchr(r->dir, '/');
	if (slash == r->dir) {
		r->dir[1] = '\0';
		r->base = socket_path + 1;
	} else if (slash) {
		*slash = '\0';
		r->base = socket_path + (slash - r->dir) + 1;
	} else {
		snprintf(r->dir, sizeof(r->dir), ".");
		r->base = socket_path;
	}
	r->watch = -1;
	r->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (r->inotify_fd < 0) {
		/* The backoff alone still finds the socket, later. */
		log_error("inotify_init1 failed (%s); --reconnect retries "
			  "every %d ms at most", strerror(errno), BACKOFF_MAX_MS);
	}
	return r;
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
watch_dir(struct reconnect *r)
{
	if (r->inotify_fd < 0 || r->watch >= 0)
		return;
	r->watch = inotify_add_watch(r->inotify_fd, r->dir, IN_CREATE |
				     IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF |
				     IN_MOVE_SELF | IN_ONLYDIR);
	if (r->watch < 0)
		log_verbose("cannot watch %s (%s); retrying with backoff",
			    r->dir, strerror(errno));
}

void
reconnect_start(struct reconnect *r)
{
	r->backoff_ms = BACKOFF_FIRST_MS;
	r->next_try_ns = now_ns();
	r->seen = false;
	r->attempts = 0;
	watch_dir(r);
}

int
reconnect_fd(const struct reconnect *r)
{
	return r->watch >= 0 ? r->inotify_fd : -1;
}

int
reconnect_timeout_ms(const struct reconnect *r)
{
	uint64_t now = now_ns();
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

/* true when an event named the socket (or the directory went away). */
static bool
read_events(struct reconnect *r)
{
	if (r->watch < 0)
		return false;
	bool named = false;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t len;
	while ((len = read(r->inotify_fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + len;) {
			const struct inotify_event *ev = (const void *)p;
			if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED))
				r->watch = -1; /* watched again at the next retry */
			else if (ev->len > 0 && strcmp(ev->name, r->base) == 0)
				named = true;
			p += sizeof(*ev) + ev->len;
		}
	}
	if (r->watch < 0 && r->inotify_fd >= 0) {
		/* Drop the stale watch so the new directory gets a fresh one. */
		close(r->inotify_fd);
		r->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	}
	return named;
}

int
reconnect_try(struct reconnect *r)
{
	bool named = read_events(r);
	uint64_t now = now_ns();
	if (named && !r->seen) {
		r->seen = true;
		r->seen_ns = now;
	}
	if (!named && now < r->next_try_ns)
		return -1;
	watch_dir(r);
	r->attempts++;
	/* Scheduled first: a connection the viewer then refuses (another
	 * uid, a failed handshake) waits out the backoff too. */
	if (named)
		r->backoff_ms = BACKOFF_FIRST_MS;
	r->next_try_ns = now + (uint64_t)r->backoff_ms * 1000000u;
	if (r->backoff_ms < BACKOFF_MAX_MS)
		r->backoff_ms = r->backoff_ms * 2 > BACKOFF_MAX_MS ?
				BACKOFF_MAX_MS : r->backoff_ms * 2;
	int fd = proto_connect(r->path);
	if (fd >= 0) {
		if (!r->seen)
			r->seen_ns = now;
		log_verbose("%s is back (connect attempt %u, %s)", r->path,
			    r->attempts, named ? "seen by inotify" : "retry");
		return fd;
	}
	/* Seen but refused (created, not listening yet: the shim's listen()
	 * follows its bind() within a moment): the backoff restarted at its
	 * shortest above. */
	return -1;
}
