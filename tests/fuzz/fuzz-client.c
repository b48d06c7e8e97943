/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the viewer's protocol client (viewer/client.c and
 * client/messages.c, unchanged) reading a server's stream from a real
 * socketpair, over the GL-free renderer of null-render.c. The records are
 * the server's packets, with fds of the input's choosing (sealed or
 * unsealed memfds of a chosen size, pipes, sockets, /dev/null, ...); action
 * records make the viewer answer its frames as its main loop would (0), or
 * do what its application does with minor 2: take the clipboard (1), ask
 * for the VM's (2), show a head at a size (3). A request for the viewer's
 * clipboard is answered at once. At the end the client is destroyed and
 * every fd it was sent must be closed.
 */
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client/client.h"
#include "fuzz-stream.h"
#include "log.h"

struct renderer *null_renderer_create(void);

static struct client *current;

static void
on_clipboard_request(void *data, uint32_t selection, const char *mime)
{
	(void)data;
	client_clipboard_answer(current, selection, PROTO_CLIPBOARD_OK, mime,
				"fuzz", 4);
}

/* The application's side, between the server's packets. */
static void
act(struct client *c, uint8_t action, uint32_t arg)
{
	switch (action) {
	case 1:
		client_clipboard_grab(c, arg & 1, fuzz_mimes,
				      (arg >> 1) % (FUZZ_N_MIMES + 1));
		break;
	case 2:
		client_clipboard_request(c, arg & 1, arg & 2 ? "text/plain" :
					 "text/plain;charset=utf-8");
		break;
	case 3:
		client_show_head(c, arg & 0xf, (int)(arg >> 4 & 0x3fff),
				 (int)(arg >> 18 & 0x3fff));
		client_send_sizes(c);
		break;
	default:
		if (client_needs_draw(c)) {
			struct render_head *heads[PROTO_MAX_HEADS];
			int w, h;
			int n = client_heads(c, heads);
			if (n < 0 || n > PROTO_MAX_HEADS)
				abort();
			if (client_layout_size(c, &w, &h) &&
			    (w <= 0 || h <= 0))
				abort();
			client_frame_done(c, arg);
		}
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct renderer *renderer;
	if (renderer == NULL) {
		/* FUZZ_VERBOSE=1: the viewer's verbose log, to see what a
		 * seed does. */
		log_set_verbose(getenv("FUZZ_VERBOSE") != NULL);
		renderer = null_renderer_create();
	}
	int lowest = fuzz_lowest_free_fd();
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	struct client *c = client_create(sv[1], "fuzz", renderer);
	if (c == NULL)
		abort();
	current = c;
	client_set_listener(c, &(struct client_listener){
		.clipboard_request = on_clipboard_request,
		.clipboard_data = fuzz_clipboard_data });
	fuzz_drain(sv[0]);

	struct fuzz_reader reader = { data, size };
	struct fuzz_record rec;
	enum client_status status = CLIENT_OK;
	while (status == CLIENT_OK && fuzz_next(&reader, &rec)) {
		if (rec.is_action) {
			act(c, rec.action, rec.arg);
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
