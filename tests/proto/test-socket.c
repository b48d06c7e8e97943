/* SPDX-License-Identifier: MIT */
/*
 * Where the socket lives and how it is made: name rules, path
 * resolution, proto_listen's directory and modes, stale and live
 * sockets, connect, and the SO_PEERCRED uid check, in a temporary
 * XDG_RUNTIME_DIR.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include "proto-test.h"

static char runtime[64];
static char why[512];

static void
test_names(void)
{
	REQUIRE(proto_name_valid("vm1"));
	REQUIRE(proto_name_valid("Win-11_test.2"));
	REQUIRE(proto_name_valid("a"));
	REQUIRE(!proto_name_valid(""));
	REQUIRE(!proto_name_valid(".hidden"));
	REQUIRE(!proto_name_valid("a/b"));
	REQUIRE(!proto_name_valid("a b"));
	REQUIRE(!proto_name_valid("vm\xc3\xa9"));
	char name[80];
	memset(name, 'n', sizeof(name));
	name[63] = '\0';
	REQUIRE(proto_name_valid(name));
	name[63] = 'n';
	name[64] = '\0';
	REQUIRE(!proto_name_valid(name));
}

static void
test_paths(void)
{
	char buf[256], expect[256];
	setenv("XDG_RUNTIME_DIR", runtime, 1);
	REQUIRE(proto_socket_dir(buf, sizeof(buf)));
	snprintf(expect, sizeof(expect), "%s/qemu-eglview", runtime);
	REQUIRE_STR(buf, expect);
	char tiny[8];
	REQUIRE(!proto_socket_dir(tiny, sizeof(tiny)));

	unsetenv("XDG_RUNTIME_DIR");
	REQUIRE(proto_socket_dir(buf, sizeof(buf)));
	snprintf(expect, sizeof(expect), "/tmp/qemu-eglview-%u",
		 (unsigned)getuid());
	REQUIRE_STR(buf, expect);
	setenv("XDG_RUNTIME_DIR", "", 1);
	REQUIRE(proto_socket_dir(buf, sizeof(buf)));
	REQUIRE_STR(buf, expect);
	setenv("XDG_RUNTIME_DIR", runtime, 1);

	REQUIRE(proto_socket_path("vm1", buf, sizeof(buf), why, sizeof(why)));
	snprintf(expect, sizeof(expect), "%s/qemu-eglview/vm1.sock", runtime);
	REQUIRE_STR(buf, expect);
	REQUIRE(proto_socket_path("./here.sock", buf, sizeof(buf), why,
				sizeof(why)));
	REQUIRE_STR(buf, "./here.sock");
	REQUIRE(proto_socket_path("/run/x/.y", buf, sizeof(buf), why,
				sizeof(why)));
	REQUIRE_STR(buf, "/run/x/.y");

	REQUIRE(!proto_socket_path("bad name", buf, sizeof(buf), why, sizeof(why)));
	REQUIRE(strstr(why, "\"bad name\"") != NULL);
	REQUIRE(!proto_socket_path(".vm", buf, sizeof(buf), why, sizeof(why)));
	REQUIRE(!proto_socket_path("", buf, sizeof(buf), why, sizeof(why)));

	/* Longer than sun_path (108 bytes) cannot be bound or reached. */
	char long_path[200];
	memset(long_path, 'p', sizeof(long_path) - 1);
	long_path[0] = '/';
	long_path[sizeof(long_path) - 1] = '\0';
	REQUIRE(!proto_socket_path(long_path, buf, sizeof(buf), why, sizeof(why)));
	REQUIRE(strstr(why, "too long") != NULL);
	char small[16];
	REQUIRE(!proto_socket_path("vm1", small, sizeof(small), why, sizeof(why)));
}

static mode_t
mode_of(const char *path)
{
	struct stat st;
	REQUIRE(lstat(path, &st) == 0);
	return st.st_mode;
}

static void
test_listen(void)
{
	char path[256], dir[256];
	REQUIRE(proto_socket_dir(dir, sizeof(dir)));
	REQUIRE(proto_socket_path("vm1", path, sizeof(path), why, sizeof(why)));
	REQUIRE(access(dir, F_OK) != 0);

	int fd = proto_listen(path, why, sizeof(why));
	if (fd < 0)
		fprintf(stderr, "proto_listen: %s\n", why);
	REQUIRE(fd >= 0);
	REQUIRE(S_ISDIR(mode_of(dir)));
	REQUIRE_EQ(mode_of(dir) & 07777, 0700);
	REQUIRE(S_ISSOCK(mode_of(path)));
	REQUIRE_EQ(mode_of(path) & 07777, 0600);
	REQUIRE(fcntl(fd, F_GETFL) & O_NONBLOCK);
	REQUIRE(fcntl(fd, F_GETFD) & FD_CLOEXEC);

	/* A live server keeps its socket. */
	int again = proto_listen(path, why, sizeof(why));
	REQUIRE_EQ(again, -1);
	char expect[400];
	snprintf(expect, sizeof(expect), "socket %s is in use by a running server",
		 path);
	REQUIRE(strstr(why, expect) != NULL);
	REQUIRE(S_ISSOCK(mode_of(path)));

	/* The probe that found the server alive sits in its backlog and
	 * reads as an immediate end: servers must cope with that. */
	struct proto_packet *pkt = test_packet_new();
	int probe = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	REQUIRE(probe >= 0);
	REQUIRE_EQ(proto_recv(probe, pkt, why, sizeof(why)), PROTO_IO_EOF);
	close(probe);

	/* Connect, and both sides see the same uid. */
	int client = proto_connect(path);
	REQUIRE(client >= 0);
	REQUIRE(fcntl(client, F_GETFD) & FD_CLOEXEC);
	int server = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	REQUIRE(server >= 0);
	uid_t uid = (uid_t)-1;
	REQUIRE(proto_peer_is_same_user(client, &uid));
	REQUIRE_EQ(uid, getuid());
	uid = (uid_t)-1;
	REQUIRE(proto_peer_is_same_user(server, &uid));
	REQUIRE_EQ(uid, getuid());
	REQUIRE(proto_peer_is_same_user(server, NULL));
	/* Not a socket, or a socket with no peer: false. */
	int pipe_fds[2];
	REQUIRE(pipe2(pipe_fds, O_CLOEXEC) == 0);
	REQUIRE(!proto_peer_is_same_user(pipe_fds[0], NULL));
	close(pipe_fds[0]);
	close(pipe_fds[1]);
	int lone = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	REQUIRE(!proto_peer_is_same_user(lone, NULL));
	close(lone);
	REQUIRE(proto_send_ping(client, 3));
	test_recv_ok(server, pkt);
	REQUIRE_EQ(proto_packet_type(pkt), PROTO_PING);
	free(pkt);
	close(client);
	close(server);

	/* Once the server is gone the file is stale: connect is refused and
	 * a new listen replaces it. */
	close(fd);
	REQUIRE(S_ISSOCK(mode_of(path)));
	errno = 0;
	REQUIRE_EQ(proto_connect(path), -1);
	REQUIRE_EQ(errno, ECONNREFUSED);
	/* The directory mode is repaired when someone loosened it. */
	REQUIRE(chmod(dir, 0755) == 0);
	fd = proto_listen(path, why, sizeof(why));
	REQUIRE(fd >= 0);
	REQUIRE_EQ(mode_of(dir) & 07777, 0700);
	client = proto_connect(path);
	REQUIRE(client >= 0);
	close(client);
	close(fd);
	REQUIRE(unlink(path) == 0);

	/* Something other than a socket in the way is never removed. */
	int file = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	REQUIRE(file >= 0);
	close(file);
	REQUIRE_EQ(proto_listen(path, why, sizeof(why)), -1);
	REQUIRE(strstr(why, "not a socket") != NULL);
	REQUIRE(S_ISREG(mode_of(path)));
	REQUIRE(unlink(path) == 0);

	errno = 0;
	REQUIRE_EQ(proto_connect(path), -1);
	REQUIRE_EQ(errno, ENOENT);

	/* A path outside the standard directory: no directory is made. */
	char other[256];
	snprintf(other, sizeof(other), "%s/elsewhere/vm.sock", runtime);
	REQUIRE_EQ(proto_listen(other, why, sizeof(why)), -1);
	REQUIRE(strstr(why, "bind") != NULL);
	snprintf(other, sizeof(other), "%s/vm.sock", runtime);
	fd = proto_listen(other, why, sizeof(why));
	REQUIRE(fd >= 0);
	REQUIRE_EQ(mode_of(other) & 07777, 0600);
	close(fd);
	unlink(other);
	rmdir(dir);
}

/* The uid check seen from the server when a different user connects:
 * needs root to become another user (main skips without it). */
static void
test_other_user(void)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/peer.sock", runtime);
	int fd = proto_listen(path, why, sizeof(why));
	REQUIRE(fd >= 0);
	REQUIRE(chmod(path, 0666) == 0); /* let the other user reach it */
	REQUIRE(chmod(runtime, 0755) == 0);
	pid_t child = fork();
	REQUIRE(child >= 0);
	if (child == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(2);
		int c = proto_connect(path);
		if (c < 0)
			_exit(3);
		uid_t peer;
		/* From the child's side the server is root: not the same. */
		bool same = proto_peer_is_same_user(c, &peer);
		_exit(same || peer != 0 ? 4 : 0);
	}
	int flags = fcntl(fd, F_GETFL);
	REQUIRE(fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == 0);
	int server = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	REQUIRE(server >= 0);
	uid_t peer = 0;
	REQUIRE(!proto_peer_is_same_user(server, &peer));
	REQUIRE_EQ(peer, 65534);
	int status;
	REQUIRE(waitpid(child, &status, 0) == child);
	REQUIRE(WIFEXITED(status));
	REQUIRE_EQ(WEXITSTATUS(status), 0);
	close(server);
	close(fd);
	unlink(path);
}

/* usage: test-proto-socket [other-user]: the name, path and listen
 * checks, or (a test of its own, so that a skip shows) the peer check
 * from another uid. */
/* A peer that says GOODBYE and closes while our own packets sit unread
 * in its queue: the kernel then marks our end ECONNRESET, and a datagram
 * read reports that error before the GOODBYE still queued for us. The
 * GOODBYE must be read all the same, then the end. */
static void
test_last_words(void)
{
	int sv[2];
	test_socketpair(sv);
	REQUIRE(fcntl(sv[0], F_SETFL, O_NONBLOCK) == 0);
	struct proto_packet *pkt = test_packet_new();
	REQUIRE(proto_send_frame_done(sv[0], 1, 7, 0)); /* never read */
	REQUIRE(proto_send_goodbye(sv[1], PROTO_BYE_SHUTDOWN, "stopping"));
	close(sv[1]);
	test_recv_ok(sv[0], pkt);
	REQUIRE_EQ(proto_packet_type(pkt), PROTO_GOODBYE);
	REQUIRE_EQ(proto_recv(sv[0], pkt, why, sizeof(why)), PROTO_IO_EOF);
	/* The same reset with nothing queued for us reads as the end. */
	test_socketpair(sv);
	REQUIRE(proto_send_ping(sv[0], 1));
	close(sv[1]);
	REQUIRE_EQ(proto_recv(sv[0], pkt, why, sizeof(why)), PROTO_IO_EOF);
	close(sv[0]);
	free(pkt);
}

int
main(int argc, char *argv[])
{
	bool other_user = argc > 1 && strcmp(argv[1], "other-user") == 0;
	if (other_user && geteuid() != 0) {
		printf("skipped: the other-user peer check needs root to "
		       "become uid 65534\n");
		return 77;
	}
	snprintf(runtime, sizeof(runtime), "/tmp/eglview-test-socket-XXXXXX");
	REQUIRE(mkdtemp(runtime) != NULL);
	if (other_user) {
		test_other_user();
	} else {
		test_names();
		test_paths();
		test_listen();
		test_last_words();
	}
	REQUIRE(rmdir(runtime) == 0);
	test_done(other_user ? "socket other-user" : "socket");
	return 0;
}
