/* SPDX-License-Identifier: MIT */
/*
 * The test server's side of test-viewer-vs-test-server (test-server.h):
 * its messages and the handshake with a first frame.
 */
#include <drm_fourcc.h>
#include <errno.h>
#include <linux/input-event-codes.h>
#include <string.h>
#include <unistd.h>

#include "test-server.h"

struct harness h;

void
send_ok(bool ok, const char *what)
{
	REQUIRE(ok, "sending %s failed: %s", what, strerror(errno));
}

void
send_server_hello(void)
{
	send_ok(proto_send_hello(h.conn, PROTO_FEATURE_SHM | PROTO_FEATURE_CURSOR |
				 PROTO_FEATURE_INPUT, "test-server", NULL, 0),
		"HELLO");
}

void
send_head(uint32_t id)
{
	struct proto_head_info info = {
		.head_id = id, .flags = PROTO_HEAD_ENABLED, .width = W, .height = H,
		.x = (int32_t)((id - 1) * W),
	};
	snprintf(info.name, sizeof(info.name), "test-%u", id);
	send_ok(proto_send_head_info(h.conn, &info), "HEAD_INFO");
}

void
send_shm_buffer(uint32_t id, int fd)
{
	struct proto_buffer_shm desc = {
		.buffer_id = id, .fourcc = DRM_FORMAT_XRGB8888,
		.width = W, .height = H, .stride = STRIDE,
	};
	send_ok(proto_send_buffer_shm(h.conn, &desc, fd), "BUFFER_SHM");
	close(fd);
}

void
send_update(uint32_t head, uint32_t seq, struct proto_rect rect)
{
	send_ok(proto_send_update(h.conn, head, seq, &rect, 1), "UPDATE");
}

void
send_keyboard(void)
{
	struct proto_input_device dev = {
		.device_id = KEYBOARD, .kind = PROTO_DEVICE_KEYBOARD,
		.ev_bits = (1u << EV_SYN) | (1u << EV_KEY),
	};
	snprintf(dev.name, sizeof(dev.name), "test keyboard");
	dev.key_bits[KEY_H / 8] |= 1u << (KEY_H % 8);
	send_ok(proto_send_input_device(h.conn, &dev, NULL), "INPUT_DEVICE");
}

void
start_with_frame(const char *const *extra_args)
{
	harness_spawn_offscreen(&h, NULL, extra_args);
	harness_accept_viewer(&h);

	send_server_hello();
	send_keyboard();
	send_head(HEAD);
	send_shm_buffer(BUFFER, harness_memfd(STRIDE, H, 0xff3366ff, true));
	struct proto_scanout scanout = {
		.head_id = HEAD, .buffer_id = BUFFER, .flags = PROTO_SCANOUT_Y0_TOP,
		.width = W, .height = H,
	};
	send_ok(proto_send_scanout(h.conn, &scanout), "SCANOUT");
	send_update(HEAD, 41, (struct proto_rect){ 0, 0, W, H });

	harness_expect(&h, PROTO_FRAME_DONE);
	const struct proto_frame_done *done = proto_packet_body(h.pkt);
	REQUIRE(done->head_id == HEAD, "FRAME_DONE head %u", done->head_id);
	REQUIRE(done->seq == 41, "FRAME_DONE seq %u, expected 41", done->seq);
	REQUIRE(done->presented_ns > 0, "presented_ns 0");
}
