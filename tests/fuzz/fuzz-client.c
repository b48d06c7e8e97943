/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the viewer's protocol client (viewer/client.c and
 * client/messages.c, unchanged) reading a server's stream from a real
 * socketpair, over the GL-free renderer of null-render.c. The records are
 * the server's packets, with fds of the input's choosing (sealed or
 * unsealed memfds of a chosen size, pipes, sockets, /dev/null, ...); action
 * records make the viewer answer its frames as its main loop would. At the
 * end the client is destroyed and every fd it was sent must be closed.
 */
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client/client.h"
#include "fuzz-stream.h"

struct renderer *null_renderer_create(void);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct renderer *renderer;
	if (renderer == NULL)
		renderer = null_renderer_create();
	int lowest = fuzz_lowest_free_fd();
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	struct client *c = client_create(sv[1], "fuzz", renderer);
	if (c == NULL)
		abort();
	fuzz_drain(sv[0]);

	struct fuzz_reader reader = { data, size };
	struct fuzz_record rec;
	enum client_status status = CLIENT_OK;
	while (status == CLIENT_OK && fuzz_next(&reader, &rec)) {
		if (rec.is_action) {
			if (client_needs_draw(c)) {
				struct render_head *heads[PROTO_MAX_HEADS];
				int w, h;
				int n = client_heads(c, heads);
				if (n < 0 || n > PROTO_MAX_HEADS)
					abort();
				if (client_layout_size(c, &w, &h) &&
				    (w <= 0 || h <= 0))
					abort();
				client_frame_done(c, rec.arg);
			}
			fuzz_drain(sv[0]);
			continue;
		}
		fuzz_send(sv[0], &rec);
		status = client_read(c);
		fuzz_drain(sv[0]);
	}
	client_destroy(c);
	close(sv[0]);
	if (fuzz_lowest_free_fd() != lowest)
		abort();
	return 0;
}
