/* SPDX-License-Identifier: MIT */
/*
 * A misbehaving viewer for the survival test: connects to a real
 * eglview-shim, completes the handshake, then sends one bad packet and
 * checks that the shim answers with ERROR (the code the spec names) and
 * closes. Mode "ping" behaves and checks PING is answered with PONG.
 *   rogue-viewer SOCKET truncated|unexpected|bad-input|ping
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "proto.h"

static struct proto_packet pkt;

/* Reads packets until one of type `want` (or EOF); false on EOF/error. */
static bool
read_until(int fd, uint32_t want)
{
	char why[256];
	for (;;) {
		enum proto_io io = proto_recv(fd, &pkt, why, sizeof(why));
		if (io != PROTO_IO_OK) {
			fprintf(stderr, "rogue-viewer: %s while waiting for %s\n",
				io == PROTO_IO_EOF ? "EOF" : why, proto_type_name(want));
			return false;
		}
		proto_packet_close_fds(&pkt);
		if (proto_packet_type(&pkt) == want)
			return true;
	}
}

int
main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s SOCKET truncated|unexpected|bad-input|ping\n", argv[0]);
		return 2;
	}
	const char *mode = argv[2];
	int fd = proto_connect(argv[1]);
	if (fd < 0) {
		perror("rogue-viewer: connect");
		return 1;
	}
	struct proto_format xrgb = { .fourcc = 0x34325258 /* XR24 */,
				     .flags = PROTO_FORMAT_SHM };
	if (!proto_send_hello(fd, PROTO_FEATURE_SHM | PROTO_FEATURE_INPUT,
			      "rogue-viewer", &xrgb, 1) ||
	    !read_until(fd, PROTO_HELLO))
		return 1;

	uint32_t want_code;
	if (strcmp(mode, "ping") == 0) {
		if (!proto_send_ping(fd, 4242) || !read_until(fd, PROTO_PONG))
			return 1;
		const struct proto_ping *p = proto_packet_body(&pkt);
		if (p->serial != 4242) {
			fprintf(stderr, "rogue-viewer: PONG serial %u, expected 4242\n", p->serial);
			return 1;
		}
		printf("rogue-viewer: PING answered\n");
		return 0;
	} else if (strcmp(mode, "truncated") == 0) {
		static const uint8_t three[3] = { 1, 2, 3 };
		if (send(fd, three, sizeof(three), MSG_NOSIGNAL) != 3)
			return 1;
		want_code = PROTO_ERR_MALFORMED;
	} else if (strcmp(mode, "unexpected") == 0) {
		/* A server-only message from a viewer. */
		struct proto_scanout s = { .head_id = 1, .buffer_id = 1,
					   .width = 16, .height = 16 };
		if (!proto_send_scanout(fd, &s))
			return 1;
		want_code = PROTO_ERR_UNEXPECTED;
	} else if (strcmp(mode, "bad-input") == 0) {
		/* Well-formed INPUT to a device the server never advertised. */
		struct proto_input_event ev[2] = {
			{ .type = 1, .code = 30, .value = 1 }, { 0, 0, 0 } };
		if (!proto_send_input(fd, 999, ev, 2))
			return 1;
		want_code = PROTO_ERR_UNKNOWN_ID;
	} else {
		fprintf(stderr, "rogue-viewer: unknown mode %s\n", mode);
		return 2;
	}
	if (!read_until(fd, PROTO_ERROR))
		return 1;
	const struct proto_error_msg *e = proto_packet_body(&pkt);
	const char *text = (const char *)(e + 1);
	printf("rogue-viewer: ERROR %s: %s\n", proto_error_name(e->code), text);
	if (e->code != want_code) {
		fprintf(stderr, "rogue-viewer: error code %s, expected %s\n",
			proto_error_name(e->code), proto_error_name(want_code));
		return 1;
	}
	char why[256];
	enum proto_io io = proto_recv(fd, &pkt, why, sizeof(why));
	if (io != PROTO_IO_EOF) {
		fprintf(stderr, "rogue-viewer: the shim did not close after ERROR\n");
		return 1;
	}
	return 0;
}
