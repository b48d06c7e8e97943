/* SPDX-License-Identifier: MIT */
#include "fuzz-stream.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proto.h"

static uint32_t
take(struct fuzz_reader *r, size_t n)
{
	uint32_t v = 0;
	for (size_t i = 0; i < n && r->left > 0; i++, r->p++, r->left--)
		v |= (uint32_t)r->p[0] << (8 * i);
	return v;
}

bool
fuzz_next(struct fuzz_reader *r, struct fuzz_record *rec)
{
	if (r->left == 0)
		return false;
	*rec = (struct fuzz_record){ 0 };
	uint8_t op = (uint8_t)take(r, 1);
	if (op >= FUZZ_OP_ACTION) {
		rec->is_action = true;
		rec->action = op & 0x0f;
		rec->arg = take(r, 4);
		return true;
	}
	uint8_t fds = (uint8_t)take(r, 1);
	rec->n_fds = (fds & 7) <= PROTO_MAX_FDS ? (fds & 7) : 0;
	rec->fd_kind = (enum fuzz_fd_kind)((fds >> 3) & 7);
	size_t len = take(r, 3);
	if (rec->n_fds > 0 && (rec->fd_kind == FUZZ_FD_SEALED_MEMFD ||
			       rec->fd_kind == FUZZ_FD_UNSEALED_MEMFD ||
			       rec->fd_kind == FUZZ_FD_SHRINK_ONLY))
		rec->memfd_size = take(r, 3);
	if (len > r->left)
		len = r->left;
	rec->data = r->p;
	rec->len = len;
	r->p += len;
	r->left -= len;
	return true;
}

static int
make_memfd(uint32_t size, unsigned int seals)
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		abort();
	if (ftruncate(fd, size) < 0)
		abort();
	/* An audio ring's magic (PROTOCOL.md, "Audio") where it fits, so a
	 * memfd may pass for a ring as well as for pixels. */
	uint32_t magic = PROTO_AUDIO_RING_MAGIC;
	if (size >= sizeof(magic) && pwrite(fd, &magic, sizeof(magic), 0) < 0)
		abort();
	if (seals != 0 && fcntl(fd, F_ADD_SEALS, seals) < 0)
		abort();
	return fd;
}

/* One fd of the kind; the caller closes it. */
static int
make_fd(const struct fuzz_record *rec)
{
	int pair[2];
	switch (rec->fd_kind) {
	case FUZZ_FD_SEALED_MEMFD:
		return make_memfd(rec->memfd_size, F_SEAL_SHRINK | F_SEAL_GROW |
				  F_SEAL_SEAL);
	case FUZZ_FD_UNSEALED_MEMFD:
		return make_memfd(rec->memfd_size, 0);
	case FUZZ_FD_SHRINK_ONLY:
		return make_memfd(rec->memfd_size, F_SEAL_SHRINK);
	case FUZZ_FD_PIPE:
		if (pipe2(pair, O_CLOEXEC) < 0)
			abort();
		close(pair[1]);
		return pair[0];
	case FUZZ_FD_SOCKET:
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
			abort();
		close(pair[1]);
		return pair[0];
	case FUZZ_FD_DEV_NULL:
		return open("/dev/null", O_RDWR | O_CLOEXEC);
	case FUZZ_FD_DIRECTORY:
		return open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	case FUZZ_FD_TMPFILE:
		return open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	}
	abort();
}

bool
fuzz_send(int fd, const struct fuzz_record *rec)
{
	struct iovec iov = { (void *)rec->data, rec->len };
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * PROTO_MAX_FDS)];
	} control;
	memset(&control, 0, sizeof(control));
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	int fds[PROTO_MAX_FDS];
	int n = 0;
	for (; n < rec->n_fds; n++) {
		fds[n] = make_fd(rec);
		if (fds[n] < 0)
			break;
	}
	if (n > 0) {
		msg.msg_control = control.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * n);
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_len = CMSG_LEN(sizeof(int) * n);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
	}
	ssize_t sent = sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
	for (int i = 0; i < n; i++)
		close(fds[i]);
	return sent >= 0;
}

void
fuzz_drain(int fd)
{
	static _Alignas(8) uint8_t buf[PROTO_MAX_MSG_SIZE + 64];
	for (;;) {
		union {
			struct cmsghdr align;
			char buf[CMSG_SPACE(sizeof(int) * 16)];
		} control;
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr msg = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = control.buf,
			.msg_controllen = sizeof(control.buf),
		};
		if (recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) <= 0)
			return;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL;
		     c = CMSG_NXTHDR(&msg, c)) {
			if (c->cmsg_level != SOL_SOCKET ||
			    c->cmsg_type != SCM_RIGHTS)
				continue;
			size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			int got[16];
			memcpy(got, CMSG_DATA(c), n * sizeof(int));
			for (size_t i = 0; i < n; i++)
				close(got[i]);
		}
	}
}

int
fuzz_lowest_free_fd(void)
{
	int fd = fcntl(0, F_DUPFD_CLOEXEC, 0);
	if (fd >= 0)
		close(fd);
	return fd;
}

const char *const fuzz_mimes[FUZZ_N_MIMES] = {
	"text/plain;charset=utf-8", "UTF8_STRING", "text/plain", "TEXT",
	"STRING", "image/png", "text/html", "text/uri-list", "image/bmp",
};

void
fuzz_clipboard_data(void *data, uint32_t selection, uint32_t status,
		    const char *mime, const void *bytes, uint32_t length)
{
	(void)data;
	(void)mime;
	(void)bytes;
	if (selection > PROTO_SELECTION_PRIMARY ||
	    status > PROTO_CLIPBOARD_TOO_LARGE || length > PROTO_MAX_CLIPBOARD ||
	    (status != PROTO_CLIPBOARD_OK && length != 0))
		abort();
}
