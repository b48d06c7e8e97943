/* SPDX-License-Identifier: MIT */
/*
 * libeglview-server at the protocol's object limits (PROTOCOL.md, "object
 * limits"), over a real socket: it refuses a 17th head and a 33rd input
 * device, keeps a viewer at 256 live buffers however many the source
 * makes, and refuses a viewer HELLO listing more than 1024 formats.
 * Usage: test-limits CASE.
 */
#include <drm_fourcc.h>
#include <linux/input-event-codes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "raw-viewer.h"
#include "server/private.h"
#include "alloc/shm.h"

#define W 8
#define H 8

struct fixture {
	char dir[64], path[128];
	struct server *server;
	struct shm_block shm;
};

static bool
fixture_init(struct fixture *fx)
{
	*fx = (struct fixture){ 0 };
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/eglview-limits-XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return false;
	snprintf(fx->path, sizeof(fx->path), "%s/vm.sock", fx->dir);
	char why[256];
	static const struct server_callbacks callbacks = { 0 };
	fx->server = server_create(fx->path, "limits", &callbacks, fx, why,
				   sizeof(why));
	return fx->server != NULL &&
	       shm_block_init(&fx->shm, "limits", W * H * 4, why, sizeof(why));
}

static void
fixture_finish(struct fixture *fx)
{
	server_destroy(fx->server);
	shm_block_finish(&fx->shm);
	rmdir(fx->dir);
}

/* How many packets of type arrive before the line goes quiet for ms. */
static int
count_until_quiet(struct raw_viewer *v, uint32_t type, int ms)
{
	int n = 0;
	while (raw_viewer_recv(v, ms) == PROTO_IO_OK) {
		if (proto_packet_header(v->pkt)->type == PROTO_ERROR)
			return -1;
		if (proto_packet_header(v->pkt)->type == type)
			n++;
	}
	return n;
}

static void
test_heads(void)
{
	struct fixture fx;
	REQUIRE(fixture_init(&fx));
	for (int i = 0; i < PROTO_MAX_HEADS; i++) {
		char name[32];
		snprintf(name, sizeof(name), "Virtual-%d", i + 1);
		CHECK(server_add_head(fx.server, name, W, H) != NULL);
	}
	CHECK(server_add_head(fx.server, "Virtual-17", W, H) == NULL);
	/* A viewer joining learns exactly the 16, with no ERROR. */
	struct raw_viewer v;
	REQUIRE(raw_viewer_connect(&v, fx.path, fx.server));
	REQUIRE(raw_viewer_expect(&v, PROTO_HELLO) && raw_viewer_hello(&v, true));
	int n = count_until_quiet(&v, PROTO_HEAD_INFO, 300);
	printf("heads: the 17th refused; a viewer got %d HEAD_INFO\n", n);
	CHECK(n == PROTO_MAX_HEADS);
	raw_viewer_close(&v);
	fixture_finish(&fx);
}

static void
test_devices(void)
{
	struct fixture fx;
	REQUIRE(fixture_init(&fx));
	struct proto_input_device kbd = {
		.kind = PROTO_DEVICE_KEYBOARD,
		.ev_bits = 1u << EV_SYN | 1u << EV_KEY,
	};
	kbd.key_bits[KEY_A / 8] |= 1u << (KEY_A % 8);
	uint32_t ids[PROTO_MAX_INPUT_DEVICES];
	for (int i = 0; i < PROTO_MAX_INPUT_DEVICES; i++) {
		snprintf(kbd.name, sizeof(kbd.name), "kbd-%d", i);
		ids[i] = server_add_input_device(fx.server, &kbd, NULL);
		CHECK(ids[i] != 0);
	}
	CHECK(server_add_input_device(fx.server, &kbd, NULL) == 0);
	/* Room again once one leaves. */
	server_remove_input_device(fx.server, ids[3]);
	CHECK(server_add_input_device(fx.server, &kbd, NULL) != 0);
	CHECK(server_add_input_device(fx.server, &kbd, NULL) == 0);

	struct raw_viewer v;
	REQUIRE(raw_viewer_connect(&v, fx.path, fx.server));
	REQUIRE(raw_viewer_expect(&v, PROTO_HELLO) && raw_viewer_hello(&v, true));
	int n = count_until_quiet(&v, PROTO_INPUT_DEVICE, 300);
	printf("devices: the 33rd refused; a viewer got %d INPUT_DEVICE\n", n);
	CHECK(n == PROTO_MAX_INPUT_DEVICES);
	raw_viewer_close(&v);
	fixture_finish(&fx);
}

/* 300 buffers shown one after another to one viewer: it must never hold
 * more than 256 live (announced, not destroyed), and never get ERROR. */
static void
test_buffers(void)
{
	enum { N = PROTO_MAX_BUFFERS + 44 };
	struct fixture fx;
	REQUIRE(fixture_init(&fx));
	struct server_head *head = server_add_head(fx.server, "Virtual-1", W, H);
	REQUIRE(head != NULL);
	struct raw_viewer v;
	REQUIRE(raw_viewer_connect(&v, fx.path, fx.server));
	REQUIRE(raw_viewer_expect(&v, PROTO_HELLO) && raw_viewer_hello(&v, true));

	static struct server_buffer *bufs[N];
	int live = 0, most = 0, destroyed = 0;
	for (int i = 0; i < N; i++) {
		bufs[i] = server_buffer_create_shm(fx.server, fx.shm.fd,
			DRM_FORMAT_XRGB8888, W, H, W * 4, 0);
		REQUIRE(bufs[i] != NULL);
		server_head_present(head, bufs[i], 0, NULL, 0);
		for (;;) {
			REQUIRE(raw_viewer_recv(&v, 3000) == PROTO_IO_OK);
			uint32_t type = proto_packet_header(v.pkt)->type;
			REQUIRE(type != PROTO_ERROR);
			if (type == PROTO_BUFFER_SHM)
				live++;
			else if (type == PROTO_BUFFER_DESTROY) {
				live--;
				destroyed++;
			}
			if (live > most)
				most = live;
			if (type == PROTO_UPDATE) {
				const struct proto_update *u = raw_body(&v);
				REQUIRE(proto_send_frame_done(v.fd, u->head_id,
							      u->seq, 0));
				break;
			}
		}
	}
	printf("buffers: %d shown, at most %d live at the viewer, %d destroyed "
	       "to make room\n", N, most, destroyed);
	CHECK(most == PROTO_MAX_BUFFERS);
	CHECK(destroyed == N - PROTO_MAX_BUFFERS);
	CHECK(server_viewer_count(fx.server) == 1);
	for (int i = 0; i < N; i++)
		server_buffer_destroy(bufs[i]);
	raw_viewer_close(&v);
	fixture_finish(&fx);
}

/* A viewer HELLO with n format entries, written by hand: proto_send_hello
 * itself refuses more than the limit. */
static bool
send_hello_with(int fd, uint32_t n)
{
	size_t len = sizeof(struct proto_header) + sizeof(struct proto_hello) +
		     n * sizeof(struct proto_format);
	uint8_t *p = calloc(1, len);
	if (p == NULL)
		return false;
	struct proto_header *h = (struct proto_header *)p;
	*h = (struct proto_header){ .type = PROTO_HELLO, .length = (uint32_t)len };
	struct proto_hello *hello = (struct proto_hello *)(h + 1);
	memcpy(hello->magic, PROTO_MAGIC, sizeof(PROTO_MAGIC));
	hello->major = PROTO_VERSION_MAJOR;
	hello->features = PROTO_FEATURE_SHM;
	snprintf(hello->name, sizeof(hello->name), "many-formats");
	hello->n_formats = n;
	struct proto_format *f = (struct proto_format *)(hello + 1);
	for (uint32_t i = 0; i < n; i++)
		f[i] = (struct proto_format){ .fourcc = DRM_FORMAT_XRGB8888,
			.flags = PROTO_FORMAT_SHM, .modifier = DRM_FORMAT_MOD_LINEAR };
	bool ok = send(fd, p, len, MSG_NOSIGNAL) == (ssize_t)len;
	free(p);
	return ok;
}

static void
test_formats(void)
{
	struct fixture fx;
	REQUIRE(fixture_init(&fx));
	REQUIRE(server_add_head(fx.server, "Virtual-1", W, H) != NULL);

	/* At the limit: welcome. */
	struct raw_viewer ok;
	REQUIRE(raw_viewer_connect(&ok, fx.path, fx.server));
	REQUIRE(raw_viewer_expect(&ok, PROTO_HELLO));
	REQUIRE(send_hello_with(ok.fd, PROTO_MAX_FORMATS));
	CHECK(raw_viewer_skip_to(&ok, PROTO_HEAD_INFO, 3000));

	/* One over: ERROR MALFORMED (the validator's count check), closed. */
	struct raw_viewer bad;
	REQUIRE(raw_viewer_connect(&bad, fx.path, fx.server));
	REQUIRE(raw_viewer_expect(&bad, PROTO_HELLO));
	REQUIRE(send_hello_with(bad.fd, PROTO_MAX_FORMATS + 1));
	REQUIRE(raw_viewer_skip_to(&bad, PROTO_ERROR, 3000));
	const struct proto_error_msg *err = raw_body(&bad);
	printf("formats: 1025 -> ERROR %s: %s\n", proto_error_name(err->code),
	       (const char *)(err + 1));
	CHECK(err->code == PROTO_ERR_MALFORMED);
	CHECK(raw_viewer_recv(&bad, 2000) == PROTO_IO_EOF);
	/* The other viewer is untouched. */
	CHECK(server_viewer_count(fx.server) == 1);
	REQUIRE(proto_send_ping(ok.fd, 7));
	CHECK(raw_viewer_skip_to(&ok, PROTO_PONG, 2000));
	raw_viewer_close(&bad);
	raw_viewer_close(&ok);
	fixture_finish(&fx);
}

static const struct test_case cases[] = {
	{ "heads", test_heads },
	{ "devices", test_devices },
	{ "buffers", test_buffers },
	{ "formats", test_formats },
};

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: test-limits CASE\n");
		return 2;
	}
	return test_run_case("test-limits", cases, sizeof(cases) / sizeof(cases[0]),
			     argv[1]);
}
