/* SPDX-License-Identifier: MIT */
/*
 * A slow viewer for tests/vm/glon.py's paced case: joins the shim as a
 * raw protocol client taking LINEAR 32-bit dma-bufs (QEMU's are XBGR8888)
 * and XRGB8888 shm, draws nothing,
 * and answers each UPDATE with FRAME_DONE only DELAY_MS after it came.
 * With DIE_AFTER it exits at the DIE_AFTER-th UPDATE without answering
 * it: a viewer that dies mid-frame. Prints one line a packet that matters
 * ("BUFFER_DMABUF", "UPDATE n", "DYING") for the test to read.
 *
 *   slow-viewer SOCKET DELAY_MS [DIE_AFTER]
 */
#include <drm_fourcc.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "raw-viewer.h"

int
main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: slow-viewer SOCKET DELAY_MS [DIE_AFTER]\n");
		return 2;
	}
	int delay_ms = atoi(argv[2]);
	unsigned long die_after = argc > 3 ? strtoul(argv[3], NULL, 10) : 0;
	struct raw_viewer v;
	if (!raw_viewer_connect(&v, argv[1], NULL) ||
	    !raw_viewer_expect(&v, PROTO_HELLO))
		return 1;
	const uint32_t both = PROTO_FORMAT_SHM | PROTO_FORMAT_DMABUF;
	const struct proto_format formats[] = {
		{ DRM_FORMAT_XRGB8888, both, DRM_FORMAT_MOD_LINEAR },
		{ DRM_FORMAT_XRGB8888, PROTO_FORMAT_DMABUF, DRM_FORMAT_MOD_INVALID },
		{ DRM_FORMAT_XBGR8888, PROTO_FORMAT_DMABUF, DRM_FORMAT_MOD_LINEAR },
		{ DRM_FORMAT_XBGR8888, PROTO_FORMAT_DMABUF, DRM_FORMAT_MOD_INVALID },
	};
	if (!proto_send_hello(v.fd, PROTO_FEATURE_SHM | PROTO_FEATURE_DMABUF,
			      "slow-viewer", formats, 4))
		return 1;
	printf("joined\n");
	fflush(stdout);
	unsigned long updates = 0;
	for (;;) {
		enum proto_io r = raw_viewer_recv(&v, 600000);
		if (r == PROTO_IO_AGAIN)
			continue;
		if (r != PROTO_IO_OK)
			break;
		uint32_t type = proto_packet_type(v.pkt);
		if (type == PROTO_PING) {
			const struct proto_ping *p = raw_body(&v);
			proto_send_pong(v.fd, p->serial);
		} else if (type == PROTO_BUFFER_DMABUF) {
			printf("BUFFER_DMABUF\n");
		} else if (type == PROTO_BUFFER_SHM) {
			printf("BUFFER_SHM\n");
		} else if (type == PROTO_UPDATE) {
			const struct proto_update *u = raw_body(&v);
			printf("UPDATE %lu\n", ++updates);
			fflush(stdout);
			if (updates == die_after) {
				printf("DYING\n");
				fflush(stdout);
				_exit(0);
			}
			usleep((useconds_t)delay_ms * 1000);
			proto_send_frame_done(v.fd, u->head_id, u->seq, 0);
		}
		fflush(stdout);
	}
	printf("EOF after %lu updates\n", updates);
	raw_viewer_close(&v);
	return 0;
}
