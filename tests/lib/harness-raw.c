/* SPDX-License-Identifier: MIT */
/* The harness's raw end: a listening socket and the protocol spoken by
 * the test itself through libeglview-proto (harness.h). */
#include "harness.h"
#include "harness-private.h"

#include <drm_fourcc.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static void
close_raw(struct harness *h)
{
	if (h->conn >= 0)
		close(h->conn);
	if (h->listen_fd >= 0)
		close(h->listen_fd);
	h->conn = h->listen_fd = -1;
	if (h->pkt)
		proto_packet_close_fds(h->pkt);
	free(h->pkt);
	h->pkt = NULL;
}

void
harness_listen(struct harness *h)
{
	char why[256];
	h->listen_fd = proto_listen(h->sock, why, sizeof(why));
	if (h->listen_fd < 0)
		FAIL("proto_listen %s: %s", h->sock, why);
	h->pkt = calloc(1, sizeof(*h->pkt));
	if (!h->pkt)
		FAIL("out of memory");
	h->close_end = close_raw;
}

/* The offscreen output opens wherever Mesa does (llvmpipe needs no
 * device): a viewer that cannot open it is a broken viewer, not a
 * machine without something, so it fails the test (never a skip). */
static void
fail_if_no_output(struct harness *h)
{
	char *err = harness_stderr(h);
	if (strstr(err, "cannot open the offscreen output"))
		FAIL("qemu-eglview could not open its offscreen output (a "
		     "regression, not a missing device); its stderr:\n%s", err);
	free(err);
}

void
harness_accept_viewer(struct harness *h)
{
	int ms = harness_timeout_ms(HARNESS_WAIT_MS);
	int status;
	switch (harness_wait_viewer(h, h->listen_fd, ms, &status)) {
	case 0:
		FAIL("the viewer did not connect within %d ms", ms);
	case -1: {
		char *err = harness_stderr(h);
		FAIL("the viewer exited before connecting; its stderr:\n%s", err);
	}
	}
	h->conn = accept4(h->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (h->conn < 0)
		FAIL("accept4: %s", strerror(errno));

	uint32_t type = harness_recv(h);
	if (type == 0) {
		harness_wait_exit(h);
		fail_if_no_output(h);
		char *err = harness_stderr(h);
		FAIL("the viewer closed without HELLO; its stderr:\n%s", err);
	}
	REQUIRE(type == PROTO_HELLO, "first message is %s",
		proto_type_name(type));

	const struct proto_hello *hello = proto_packet_body(h->pkt);
	const struct proto_format *formats = (const void *)(hello + 1);
	REQUIRE(strcmp(hello->name, "qemu-eglview") == 0, "name \"%s\"",
		hello->name);
	REQUIRE(hello->major == PROTO_VERSION_MAJOR, "major %u", hello->major);
	REQUIRE(hello->features & PROTO_FEATURE_SHM, "features 0x%x",
		hello->features);
	bool xrgb_shm = false;
	for (uint32_t i = 0; i < hello->n_formats; i++) {
		if (formats[i].fourcc == DRM_FORMAT_XRGB8888 &&
		    (formats[i].flags & PROTO_FORMAT_SHM))
			xrgb_shm = true;
	}
	REQUIRE(xrgb_shm, "HELLO offers %u formats, none XRGB8888 as SHM",
		hello->n_formats);
}

uint32_t
harness_recv(struct harness *h)
{
	int ms = harness_timeout_ms(HARNESS_WAIT_MS);
	struct pollfd pfd = { .fd = h->conn, .events = POLLIN };
	if (poll(&pfd, 1, ms) <= 0)
		FAIL("nothing from the viewer within %d ms", ms);
	char why[256];
	proto_packet_close_fds(h->pkt);
	switch (proto_recv(h->conn, h->pkt, why, sizeof(why))) {
	case PROTO_IO_OK:
		break;
	case PROTO_IO_EOF:
		return 0;
	case PROTO_IO_AGAIN:
		FAIL("proto_recv: AGAIN after POLLIN");
	case PROTO_IO_ERROR:
		if (errno == ECONNRESET)
			return 0;
		FAIL("proto_recv: %s", why);
	}
	enum proto_error code = proto_validate(h->pkt, PROTO_FROM_VIEWER,
					       why, sizeof(why));
	REQUIRE(code == PROTO_ERR_NONE, "the viewer sent an invalid %s: %s",
		proto_type_name(proto_packet_type(h->pkt)), why);
	return proto_packet_type(h->pkt);
}

void
harness_expect(struct harness *h, uint32_t type)
{
	for (;;) {
		uint32_t got = harness_recv(h);
		if (got == type)
			return;
		if (got == 0) {
			char *err = harness_stderr(h);
			FAIL("the viewer closed before %s; its stderr:\n%s",
			     proto_type_name(type), err);
		}
	}
}
