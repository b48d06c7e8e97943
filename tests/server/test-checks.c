/* SPDX-License-Identifier: MIT */
/*
 * libeglview-server's side of the validation table's newer rows, over a
 * real socket with the test as source and raw viewer: INPUT to a device
 * the server removed is ignored (bounded memory of removed ids); a
 * viewer's HOLD_SHOWN counts only from minor 1 on; a source's cursor
 * hotspot off its image is moved onto it; a source's axes that do not
 * match abs_bits or have min > max are refused. Usage: test-checks CASE.
 */
#include <drm_fourcc.h>
#include <linux/input-event-codes.h>
#include <string.h>
#include <unistd.h>

#include "raw-viewer.h"
#include "server/private.h"
#include "alloc/shm.h"

#define W 16
#define H 16

struct fixture {
	char dir[64], path[128];
	struct server *server;
	struct server_head *head;
	struct shm_block shm;
	struct server_buffer *buf;
	int n_input;
	uint32_t input_device;
};

static void
on_input(void *data, uint32_t device_id, uint32_t kind,
	 const struct proto_input_event *ev, uint32_t n)
{
	(void)kind; (void)ev; (void)n;
	struct fixture *fx = data;
	fx->n_input++;
	fx->input_device = device_id;
}

static bool
fixture_init(struct fixture *fx)
{
	*fx = (struct fixture){ 0 };
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/eglview-checks-XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return false;
	snprintf(fx->path, sizeof(fx->path), "%s/vm.sock", fx->dir);
	char why[256];
	static const struct server_callbacks callbacks = { .input = on_input };
	fx->server = server_create(fx->path, "checks", &callbacks, fx, why,
				   sizeof(why));
	if (fx->server == NULL ||
	    !shm_block_init(&fx->shm, "checks", W * H * 4, why, sizeof(why)))
		return false;
	fx->head = server_add_head(fx->server, "Test-1", W, H);
	fx->buf = server_buffer_create_shm(fx->server, fx->shm.fd,
		DRM_FORMAT_XRGB8888, W, H, W * 4, 0);
	return fx->head != NULL && fx->buf != NULL;
}

static void
fixture_finish(struct fixture *fx)
{
	server_destroy(fx->server);
	shm_block_finish(&fx->shm);
	rmdir(fx->dir);
}

static uint32_t
add_mouse(struct fixture *fx)
{
	struct proto_input_device mouse = {
		.kind = PROTO_DEVICE_MOUSE, .name = "test mouse",
		.ev_bits = 1u << EV_SYN | 1u << EV_REL,
		.rel_bits = 1u << REL_X,
	};
	return server_add_input_device(fx->server, &mouse, NULL);
}

static bool
send_motion(struct raw_viewer *v, uint32_t device)
{
	struct proto_input_event ev[2] = {
		{ EV_REL, REL_X, 3 }, { EV_SYN, SYN_REPORT, 0 },
	};
	return proto_send_input(v->fd, device, ev, 2);
}

/* PING answered with nothing but what skip_to drops before it, and no
 * ERROR among that. */
static bool
still_connected(struct raw_viewer *v, uint32_t serial)
{
	if (!proto_send_ping(v->fd, serial))
		return false;
	while (raw_viewer_recv(v, 2000) == PROTO_IO_OK) {
		uint32_t type = proto_packet_type(v->pkt);
		if (type == PROTO_ERROR) {
			const struct proto_error_msg *e = raw_body(v);
			fprintf(stderr, "ERROR %s: %s\n",
				proto_error_name(e->code),
				(const char *)(e + 1));
			return false;
		}
		if (type == PROTO_PONG)
			return ((const struct proto_ping *)raw_body(v))->serial ==
			       serial;
	}
	return false;
}

static void
test_removed_device(void)
{
	struct fixture fx;
	REQUIRE(fixture_init(&fx));
	uint32_t mouse = add_mouse(&fx);
	REQUIRE(mouse != 0);
	struct raw_viewer v;
	REQUIRE(raw_viewer_connect(&v, fx.path, fx.server));
	REQUIRE(raw_viewer_expect(&v, PROTO_HELLO));
	REQUIRE(raw_viewer_hello_features(&v, true, PROTO_FEATURE_SHM |
		PROTO_FEATURE_INPUT));
	REQUIRE(raw_viewer_skip_to(&v, PROTO_INPUT_DEVICE, 2000));
	REQUIRE(send_motion(&v, mouse));
	REQUIRE(still_connected(&v, 1));
	CHECK(fx.n_input == 1 && fx.input_device == mouse);

	/* Removed: the viewer's motion that crossed the removal is dropped
	 * without a word; the source hears nothing of it. */
	server_remove_input_device(fx.server, mouse);
	REQUIRE(send_motion(&v, mouse));
	REQUIRE(send_motion(&v, mouse));
	CHECK(still_connected(&v, 2));
	CHECK(fx.n_input == 1);

	/* The memory is bounded: PEER_REMOVED_DEVICES removals later the
	 * first id is forgotten, and then it is an id never announced. */
	for (int i = 0; i < PEER_REMOVED_DEVICES - 1; i++)
		server_remove_input_device(fx.server, add_mouse(&fx));
	REQUIRE(send_motion(&v, mouse));
	CHECK(still_connected(&v, 3));
	uint32_t last = add_mouse(&fx);
	server_remove_input_device(fx.server, last);
	REQUIRE(send_motion(&v, last));
	CHECK(still_connected(&v, 4));
	REQUIRE(send_motion(&v, mouse));
	REQUIRE(raw_viewer_skip_to(&v, PROTO_ERROR, 2000));
	const struct proto_error_msg *err = raw_body(&v);
	fprintf(stderr, "after %d removals: ERROR %s: %s\n",
		PEER_REMOVED_DEVICES, proto_error_name(err->code),
		(const char *)(err + 1));
	CHECK(err->code == PROTO_ERR_UNKNOWN_ID);
	CHECK(fx.n_input == 1);
	raw_viewer_close(&v);

	/* An id never announced to this viewer is UNKNOWN_ID at once, even
	 * if it was removed before the viewer came. */
	REQUIRE(raw_viewer_connect(&v, fx.path, fx.server));
	REQUIRE(raw_viewer_expect(&v, PROTO_HELLO));
	REQUIRE(raw_viewer_hello_features(&v, true, PROTO_FEATURE_SHM |
		PROTO_FEATURE_INPUT));
	REQUIRE(send_motion(&v, last));
	REQUIRE(raw_viewer_skip_to(&v, PROTO_ERROR, 2000));
	CHECK(((const struct proto_error_msg *)raw_body(&v))->code ==
	      PROTO_ERR_UNKNOWN_ID);
	raw_viewer_close(&v);
	fixture_finish(&fx);
}

/* A viewer HELLO of that minor with HOLD_SHOWN; true when the buffer it
 * was shown stays busy after its FRAME_DONE (held). */
static bool
held_after_answer(struct fixture *fx, uint16_t minor, bool *held)
{
	struct raw_viewer v;
	if (!raw_viewer_connect(&v, fx->path, fx->server) ||
	    !raw_viewer_expect(&v, PROTO_HELLO))
		return false;
	struct {
		struct proto_hello hello;
		struct proto_format format;
	} m = { .hello = { .major = PROTO_VERSION_MAJOR, .minor = minor,
			   .features = PROTO_FEATURE_SHM |
				       PROTO_FEATURE_HOLD_SHOWN,
			   .name = "old-viewer", .n_formats = 1 },
		.format = { DRM_FORMAT_XRGB8888, PROTO_FORMAT_SHM,
			    DRM_FORMAT_MOD_LINEAR } };
	memcpy(m.hello.magic, PROTO_MAGIC, sizeof(PROTO_MAGIC));
	if (!proto_send_msg(v.fd, PROTO_HELLO, &m, sizeof(m), NULL, 0, NULL,
			    0) ||
	    !raw_viewer_skip_to(&v, PROTO_UPDATE, 2000))
		return false;
	uint32_t seq = ((const struct proto_update *)raw_body(&v))->seq;
	if (!proto_send_frame_done(v.fd, 1, seq, 0))
		return false;
	raw_viewer_pump(fx->server, 50);
	*held = server_buffer_busy(fx->buf);
	raw_viewer_close(&v);
	raw_viewer_pump(fx->server, 50);
	return true;
}

static void
test_hold_minor(void)
{
	struct fixture fx;
	REQUIRE(fixture_init(&fx));
	server_head_present(fx.head, fx.buf, 0, NULL, 0);
	bool held;
	/* Minor 0 defines no bit 4: the buffer is free at FRAME_DONE. */
	REQUIRE(held_after_answer(&fx, 0, &held));
	fprintf(stderr, "minor 0 viewer with HOLD_SHOWN: %s\n",
		held ? "held" : "free after FRAME_DONE");
	CHECK(!held);
	REQUIRE(held_after_answer(&fx, 1, &held));
	fprintf(stderr, "minor 1 viewer with HOLD_SHOWN: %s\n",
		held ? "held" : "free after FRAME_DONE");
	CHECK(held);
	fixture_finish(&fx);
}

static void
test_cursor_hotspot(void)
{
	struct fixture fx;
	REQUIRE(fixture_init(&fx));
	server_head_present(fx.head, fx.buf, 0, NULL, 0);
	uint32_t px[4 * 4] = { 0 };
	REQUIRE(server_head_set_cursor(fx.head, 4, 4, 9, -3, px));
	struct raw_viewer v;
	REQUIRE(raw_viewer_connect(&v, fx.path, fx.server));
	REQUIRE(raw_viewer_expect(&v, PROTO_HELLO));
	REQUIRE(raw_viewer_hello(&v, true));
	/* raw_viewer_recv validates: a hotspot off the image would fail. */
	REQUIRE(raw_viewer_skip_to(&v, PROTO_CURSOR_IMAGE, 2000));
	const struct proto_cursor_image *c = raw_body(&v);
	fprintf(stderr, "hotspot 9,-3 of a 4x4 cursor sent as %d,%d\n",
		c->hot_x, c->hot_y);
	CHECK(c->hot_x == 3 && c->hot_y == 0);
	/* One on the image stays as it is. */
	REQUIRE(server_head_set_cursor(fx.head, 4, 4, 1, 2, px));
	REQUIRE(raw_viewer_skip_to(&v, PROTO_CURSOR_IMAGE, 2000));
	c = raw_body(&v);
	CHECK(c->hot_x == 1 && c->hot_y == 2);
	raw_viewer_close(&v);
	fixture_finish(&fx);
}

static uint32_t
add_tablet(struct fixture *fx, uint32_t code_y, int32_t min_y, int32_t max_y)
{
	struct proto_input_device tab = {
		.kind = PROTO_DEVICE_TABLET, .name = "test tablet",
		.ev_bits = 1u << EV_SYN | 1u << EV_ABS, .n_abs = 2,
		.abs_bits = 1u << ABS_X | 1u << ABS_Y,
	};
	struct proto_abs_axis axes[2] = {
		{ ABS_X, INT32_MIN, INT32_MAX, 0, 0, 0 },
		{ code_y, min_y, max_y, 0, 0, 0 },
	};
	return server_add_input_device(fx->server, &tab, axes);
}

static void
test_bad_axes(void)
{
	struct fixture fx;
	REQUIRE(fixture_init(&fx));
	CHECK(add_tablet(&fx, ABS_Z, 0, 100) == 0);
	CHECK(add_tablet(&fx, ABS_Y, 100, 99) == 0);
	/* The whole i32 range, and a range of one value, are fine. */
	CHECK(add_tablet(&fx, ABS_Y, 7, 7) != 0);
	fixture_finish(&fx);
}

static const struct test_case cases[] = {
	{ "removed-device", test_removed_device },
	{ "hold-minor", test_hold_minor },
	{ "cursor-hotspot", test_cursor_hotspot },
	{ "bad-axes", test_bad_axes },
};

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: test-checks CASE\n");
		return 2;
	}
	return test_run_case("test-checks", cases, sizeof(cases) / sizeof(cases[0]),
			     argv[1]);
}
