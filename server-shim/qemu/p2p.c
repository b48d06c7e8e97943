/* SPDX-License-Identifier: MIT */
/*
 * Peer-to-peer D-Bus with QEMU (-display dbus,p2p=yes): a socketpair, one
 * end given to QEMU over its QMP socket (getfd with SCM_RIGHTS, then
 * add_client with protocol "@dbus-display"); QEMU serves D-Bus on it. QMP
 * is line-based JSON; we only need to find "return" or "error" in each
 * reply, skipping the events QEMU may send in between.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "qemu/private.h"

#define QMP_TIMEOUT_MS 5000
#define QMP_FDNAME "eglview-shim"

struct qmp {
	int fd;
	const char *path;
	char buf[8192];
	size_t len;
	int64_t deadline_ms;
};

static int64_t
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One line of QMP output into line (NUL-terminated). */
static bool
read_line(struct qmp *q, char *line, size_t size, char *why, size_t why_size)
{
	for (;;) {
		char *nl = memchr(q->buf, '\n', q->len);
		if (nl != NULL) {
			size_t n = (size_t)(nl - q->buf) + 1;
			snprintf(line, size, "%.*s", (int)(n - 1), q->buf);
			memmove(q->buf, q->buf + n, q->len - n);
			q->len -= n;
			return true;
		}
		if (q->len == sizeof(q->buf)) {
			snprintf(why, why_size, "QMP at %s sent a line longer "
				 "than %zu bytes", q->path, sizeof(q->buf));
			return false;
		}
		int64_t left = q->deadline_ms - now_ms();
		struct pollfd pfd = { .fd = q->fd, .events = POLLIN };
		int r = left > 0 ? poll(&pfd, 1, (int)left) : 0;
		if (r == 0) {
			snprintf(why, why_size, "QMP at %s did not answer within "
				 "%d ms", q->path, QMP_TIMEOUT_MS);
			return false;
		}
		ssize_t got = r < 0 ? -1 :
			read(q->fd, q->buf + q->len, sizeof(q->buf) - q->len);
		if (got <= 0) {
			snprintf(why, why_size, "QMP at %s closed the connection%s%s",
				 q->path, got < 0 ? ": " : "",
				 got < 0 ? strerror(errno) : "");
			return false;
		}
		q->len += (size_t)got;
	}
}

/* Sends command (with fd as SCM_RIGHTS when >= 0) and waits for its
 * reply, copied into reply (sizeof(q->buf) bytes) unless NULL; an
 * "error" reply fails with QEMU's description. */
static bool
execute(struct qmp *q, const char *command, int fd, char *reply, char *why,
	size_t why_size)
{
	struct iovec iov = { .iov_base = (void *)command,
			     .iov_len = strlen(command) };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (fd >= 0) {
		memset(&control, 0, sizeof(control));
		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof(control.buf);
		struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	}
	if (sendmsg(q->fd, &msg, MSG_NOSIGNAL) != (ssize_t)iov.iov_len) {
		snprintf(why, why_size, "cannot send to QMP at %s: %s", q->path,
			 strerror(errno));
		return false;
	}
	char line[sizeof(q->buf)];
	for (;;) {
		if (!read_line(q, line, sizeof(line), why, why_size))
			return false;
		if (strstr(line, "\"return\"") != NULL) {
			if (reply != NULL)
				memcpy(reply, line, sizeof(line));
			return true;
		}
		if (strstr(line, "\"error\"") != NULL) {
			const char *desc = strstr(line, "\"desc\"");
			snprintf(why, why_size, "QEMU refused %.*s: %s%s",
				 (int)strcspn(command, ","), command,
				 desc != NULL ? desc : line,
				 strstr(line, "not in use") != NULL ?
				 " (start QEMU with -display dbus,p2p=yes)" :
				 strstr(line, "bus mode") != NULL ?
				 " (QEMU is in bus mode: use --dbus-address, "
				 "or start it with -display dbus,p2p=yes)" : "");
			return false;
		}
		/* an event: keep reading */
	}
}

/* The number after "key": in a QMP line; 0 when absent. */
static uint32_t
json_number(const char *line, const char *key)
{
	const char *p = strstr(line, key);
	if (p == NULL)
		return 0;
	p += strlen(key);
	while (*p == '"' || *p == ':' || *p == ' ')
		p++;
	return (uint32_t)strtoul(p, NULL, 10);
}

int
qemu_p2p_open(const char *qmp_path, uint32_t version[3], char *why,
	      size_t why_size)
{
	struct qmp q = { .fd = -1, .path = qmp_path,
			 .deadline_ms = now_ms() + QMP_TIMEOUT_MS };
	int pair[2] = { -1, -1 };
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	if (strlen(qmp_path) >= sizeof(addr.sun_path)) {
		snprintf(why, why_size, "QMP socket path %s is too long (%zu "
			 "bytes at most)", qmp_path, sizeof(addr.sun_path) - 1);
		return -1;
	}
	memcpy(addr.sun_path, qmp_path, strlen(qmp_path));
	q.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (q.fd < 0 ||
	    connect(q.fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		snprintf(why, why_size, "cannot connect to QMP at %s: %s (is "
			 "QEMU running with -qmp unix:%s,server=on,wait=off?)",
			 qmp_path, strerror(errno), qmp_path);
		goto fail;
	}
	char greeting[sizeof(q.buf)];
	if (!read_line(&q, greeting, sizeof(greeting), why, why_size))
		goto fail;
	if (strstr(greeting, "\"QMP\"") == NULL) {
		snprintf(why, why_size, "%s does not greet like QMP: %.80s",
			 qmp_path, greeting);
		goto fail;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
		snprintf(why, why_size, "socketpair: %s", strerror(errno));
		goto fail;
	}
	/* The version decides what is safe to call (audio.c). */
	char reply[sizeof(q.buf)];
	if (!execute(&q, "{\"execute\":\"qmp_capabilities\"}\n", -1, NULL,
		     why, why_size) ||
	    !execute(&q, "{\"execute\":\"query-version\"}\n", -1, reply,
		     why, why_size) ||
	    !execute(&q, "{\"execute\":\"getfd\",\"arguments\":{\"fdname\":\""
		     QMP_FDNAME "\"}}\n", pair[1], NULL, why, why_size) ||
	    !execute(&q, "{\"execute\":\"add_client\",\"arguments\":{"
		     "\"protocol\":\"@dbus-display\",\"fdname\":\"" QMP_FDNAME
		     "\"}}\n", -1, NULL, why, why_size))
		goto fail;
	version[0] = json_number(reply, "\"major\"");
	version[1] = json_number(reply, "\"minor\"");
	version[2] = json_number(reply, "\"micro\"");
	close(pair[1]);
	close(q.fd);
	return pair[0];

fail:
	if (pair[0] >= 0) {
		close(pair[0]);
		close(pair[1]);
	}
	if (q.fd >= 0)
		close(q.fd);
	return -1;
}
