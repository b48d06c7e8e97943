/* SPDX-License-Identifier: MIT */
/*
 * Where the socket lives, and making or reaching it: name rules, the
 * per-user directory, listen with stale-socket removal, connect, and the
 * SO_PEERCRED uid check.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "proto.h"

#define SOCKET_DIR_NAME "qemu-eglview"

bool
proto_name_valid(const char *name)
{
	if (name == NULL || name[0] == '\0' || name[0] == '.')
		return false;
	size_t len = 0;
	for (const char *c = name; *c != '\0'; c++, len++) {
		bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			(*c >= '0' && *c <= '9') || *c == '.' || *c == '_' ||
			*c == '-';
		if (!ok || len >= PROTO_MAX_NAME - 1)
			return false;
	}
	return true;
}

bool
proto_socket_dir(char *buf, size_t size)
{
	const char *runtime = getenv("XDG_RUNTIME_DIR");
	int n;
	if (runtime != NULL && runtime[0] != '\0')
		n = snprintf(buf, size, "%s/" SOCKET_DIR_NAME, runtime);
	else
		n = snprintf(buf, size, "/tmp/" SOCKET_DIR_NAME "-%u",
			     (unsigned)getuid());
	return n >= 0 && (size_t)n < size;
}

static bool
fits_sun_path(const char *path)
{
	return strlen(path) < sizeof(((struct sockaddr_un *)NULL)->sun_path);
}

bool
proto_socket_path(const char *name_or_path, char *buf, size_t size,
		  char *why, size_t why_size)
{
	if (name_or_path == NULL || name_or_path[0] == '\0') {
		snprintf(why, why_size, "empty VM name; give a NAME like \"vm1\" "
			 "or a socket path containing '/'");
		return false;
	}
	if (strchr(name_or_path, '/') != NULL) {
		int n = snprintf(buf, size, "%s", name_or_path);
		if (n < 0 || (size_t)n >= size || !fits_sun_path(buf)) {
			snprintf(why, why_size, "socket path \"%s\" is too long "
				 "(at most %zu bytes); use a shorter path",
				 name_or_path,
				 sizeof(((struct sockaddr_un *)NULL)->sun_path) - 1);
			return false;
		}
		return true;
	}
	if (!proto_name_valid(name_or_path)) {
		snprintf(why, why_size, "invalid VM name \"%s\": use 1..%d of "
			 "[A-Za-z0-9._-], not starting with '.' (or a path "
			 "containing '/')", name_or_path, PROTO_MAX_NAME - 1);
		return false;
	}
	char dir[sizeof(((struct sockaddr_un *)NULL)->sun_path)];
	if (!proto_socket_dir(dir, sizeof(dir))) {
		snprintf(why, why_size, "socket directory for \"%s\" is too long "
			 "for a unix socket; set XDG_RUNTIME_DIR to a shorter "
			 "path", name_or_path);
		return false;
	}
	int n = snprintf(buf, size, "%s/%s.sock", dir, name_or_path);
	if (n < 0 || (size_t)n >= size || !fits_sun_path(buf)) {
		snprintf(why, why_size, "socket path %s/%s.sock is too long for "
			 "a unix socket; use a shorter name or XDG_RUNTIME_DIR",
			 dir, name_or_path);
		return false;
	}
	return true;
}

static bool
make_addr(const char *path, struct sockaddr_un *addr)
{
	*addr = (struct sockaddr_un){ .sun_family = AF_UNIX };
	if (!fits_sun_path(path)) {
		errno = ENAMETOOLONG;
		return false;
	}
	memcpy(addr->sun_path, path, strlen(path) + 1);
	return true;
}

/* The standard directory must be ours and closed to others: anyone who
 * could write there could put a socket in the viewer's way. */
static bool
ensure_socket_dir(const char *dir, char *why, size_t why_size)
{
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		snprintf(why, why_size, "cannot create socket directory %s: %s; "
			 "check that its parent exists and is writable", dir,
			 strerror(errno));
		return false;
	}
	struct stat st;
	if (lstat(dir, &st) < 0) {
		snprintf(why, why_size, "cannot stat socket directory %s: %s",
			 dir, strerror(errno));
		return false;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != getuid()) {
		snprintf(why, why_size, "socket directory %s is not a directory "
			 "owned by uid %u; remove it or set XDG_RUNTIME_DIR", dir,
			 (unsigned)getuid());
		return false;
	}
	if ((st.st_mode & 0777) != 0700 && chmod(dir, 0700) < 0) {
		snprintf(why, why_size, "cannot chmod 0700 socket directory %s: "
			 "%s", dir, strerror(errno));
		return false;
	}
	return true;
}

/* A socket file is stale when nobody answers a connect on it. Removing a
 * live one would steal the name from a running server, so that fails. */
static bool
remove_stale_socket(const char *path, char *why, size_t why_size)
{
	struct stat st;
	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return true;
		snprintf(why, why_size, "cannot stat %s: %s", path,
			 strerror(errno));
		return false;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(why, why_size, "%s exists and is not a socket; remove "
			 "it or choose another name", path);
		return false;
	}
	struct sockaddr_un addr;
	make_addr(path, &addr);
	int probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (probe < 0) {
		snprintf(why, why_size, "socket: %s", strerror(errno));
		return false;
	}
	int r = connect(probe, (struct sockaddr *)&addr, sizeof(addr));
	int err = errno;
	close(probe);
	/* EAGAIN: a full backlog, so someone is listening. */
	if (r == 0 || err == EAGAIN || err == EINPROGRESS) {
		snprintf(why, why_size, "socket %s is in use by a running "
			 "server; stop it first or choose another name", path);
		return false;
	}
	if (err != ECONNREFUSED) {
		snprintf(why, why_size, "cannot tell whether socket %s is in use "
			 "(connect: %s); remove it by hand if it is stale", path,
			 strerror(err));
		return false;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		snprintf(why, why_size, "cannot remove stale socket %s: %s",
			 path, strerror(errno));
		return false;
	}
	return true;
}

int
proto_listen(const char *path, char *why, size_t why_size)
{
	struct sockaddr_un addr;
	if (!make_addr(path, &addr)) {
		snprintf(why, why_size, "socket path %s is too long (at most %zu "
			 "bytes)", path, sizeof(addr.sun_path) - 1);
		return -1;
	}

	char dir[sizeof(addr.sun_path)];
	if (proto_socket_dir(dir, sizeof(dir))) {
		size_t dir_len = strlen(dir);
		if (strncmp(path, dir, dir_len) == 0 && path[dir_len] == '/' &&
		    strchr(path + dir_len + 1, '/') == NULL &&
		    !ensure_socket_dir(dir, why, why_size))
			return -1;
	}
	if (!remove_stale_socket(path, why, why_size))
		return -1;

	/* Bound under a temporary name and renamed into place once it
	 * listens, so the socket file never exists without a listener behind
	 * it: a viewer that waits for the file (inotify) or a test that polls
	 * for it would otherwise meet ECONNREFUSED. */
	char staged[sizeof(addr.sun_path)];
	int n = snprintf(staged, sizeof(staged), "%s.%d~", path, (int)getpid());
	const char *bound = n > 0 && (size_t)n < sizeof(staged) ? staged : path;
	struct sockaddr_un bind_addr;
	make_addr(bound, &bind_addr);
	if (bound != path)
		unlink(bound); /* left over by a crashed server of our pid */

	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(why, why_size, "socket: %s", strerror(errno));
		return -1;
	}
	/* The umask keeps the file closed from the moment it exists, before
	 * the chmod below makes the mode explicit. */
	mode_t old_mask = umask(0177);
	int r = bind(fd, (struct sockaddr *)&bind_addr, sizeof(bind_addr));
	int err = errno;
	umask(old_mask);
	if (r < 0) {
		snprintf(why, why_size, "cannot bind socket %s: %s", bound,
			 strerror(err));
		close(fd);
		return -1;
	}
	const char *failed = NULL;
	if (chmod(bound, 0600) < 0)
		failed = "chmod 0600";
	else if (listen(fd, 16) < 0)
		failed = "listen on";
	else if (bound != path && rename(bound, path) < 0)
		failed = "rename into place";
	if (failed) {
		snprintf(why, why_size, "cannot %s socket %s: %s", failed, bound,
			 strerror(errno));
		unlink(bound);
		close(fd);
		return -1;
	}
	return fd;
}

int
proto_connect(const char *path)
{
	struct sockaddr_un addr;
	if (!make_addr(path, &addr))
		return -1;
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

bool
proto_peer_is_same_user(int fd, uid_t *peer_uid)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
	    len != sizeof(cred))
		return false;
	if (peer_uid != NULL)
		*peer_uid = cred.uid;
	return cred.uid == getuid();
}
