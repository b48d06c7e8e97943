/* SPDX-License-Identifier: MIT */
/*
 * libeglview-server and HEAD_SIZE (PROTOCOL.md, "The guest follows the
 * window", minor 2): a source with a head_size callback offers RESIZE and
 * hears each viewer's size; one without offers nothing and refuses it;
 * an unknown head is UNKNOWN_ID. Raw viewers over a real socket. Usage:
 * test-head-size CASE.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "raw-viewer.h"
#include "server/server.h"

struct fixture {
	char dir[64], path[128];
	struct server *server;
	struct server_head *head;
	int calls;
	struct server_head *got_head;
	uint32_t got[4];
};

static void
on_head_size(void *data, struct server_head *head, uint32_t width,
	     uint32_t height, uint32_t width_mm, uint32_t height_mm)
{
	struct fixture *fx = data;
	fx->calls++;
	fx->got_head = head;
	fx->got[0] = width;
	fx->got[1] = height;
	fx->got[2] = width_mm;
	fx->got[3] = height_mm;
}

static bool
fixture_init(struct fixture *fx, bool resizable)
{
	*fx = (struct fixture){ 0 };
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/eglview-hsize-XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return false;
	snprintf(fx->path, sizeof(fx->path), "%s/vm.sock", fx->dir);
	struct server_callbacks cb = {
		.head_size = resizable ? on_head_size : NULL };
	char why[256];
	fx->server = server_create(fx->path, "testvm", &cb, fx, why,
				   sizeof(why));
	if (fx->server == NULL) {
		fprintf(stderr, "server_create: %s\n", why);
		return false;
	}
	fx->head = server_add_head(fx->server, "Virtual-1", 640, 480);
	return fx->head != NULL;
}

static void
fixture_finish(struct fixture *fx)
{
	server_destroy(fx->server);
	rmdir(fx->dir);
}

/* Joins saying RESIZE (or not); returns whether the server's HELLO did. */
static bool
join(struct fixture *fx, struct raw_viewer *v, bool resize, bool *offered)
{
	uint32_t theirs = 0;
	bool ok = raw_viewer_handshake(v, fx->path, fx->server,
		PROTO_FEATURE_SHM | (resize ? PROTO_FEATURE_RESIZE : 0), &theirs);
	*offered = theirs & PROTO_FEATURE_RESIZE;
	return ok && raw_viewer_expect(v, PROTO_HEAD_INFO);
}

static bool
send_size(struct raw_viewer *v, uint32_t head, uint32_t w, uint32_t h)
{
	struct proto_head_size hs = { .head_id = head, .width = w, .height = h,
				      .width_mm = 300, .height_mm = 170 };
	return proto_send_head_size(v->fd, &hs);
}

/* The next packet is ERROR code. */
static void
expect_error(struct raw_viewer *v, enum proto_error code)
{
	REQUIRE(raw_viewer_skip_to(v, PROTO_ERROR, 2000));
	const struct proto_error_msg *e = raw_body(v);
	CHECK(e->code == (uint32_t)code, "ERROR %s (%s), expected %s",
	      proto_error_name(e->code), (const char *)(e + 1),
	      proto_error_name(code));
}

static void
test_delivered(void)
{
	struct fixture fx;
	REQUIRE(fixture_init(&fx, true));
	struct raw_viewer v;
	bool offered;
	REQUIRE(join(&fx, &v, true, &offered));
	CHECK(offered);
	REQUIRE(send_size(&v, 1, 1280, 720));
	REQUIRE(proto_send_ping(v.fd, 7));
	REQUIRE(raw_viewer_skip_to(&v, PROTO_PONG, 2000));
	CHECK(fx.calls == 1 && fx.got_head == fx.head);
	CHECK(fx.got[0] == 1280 && fx.got[1] == 720 && fx.got[2] == 300 &&
	      fx.got[3] == 170, "%u %u %u %u", fx.got[0], fx.got[1], fx.got[2],
	      fx.got[3]);
	raw_viewer_close(&v);
	fixture_finish(&fx);
}

static void
test_not_agreed(void)
{
	/* The viewer did not say RESIZE. */
	struct fixture fx;
	REQUIRE(fixture_init(&fx, true));
	struct raw_viewer v;
	bool offered;
	REQUIRE(join(&fx, &v, false, &offered));
	REQUIRE(send_size(&v, 1, 1280, 720));
	expect_error(&v, PROTO_ERR_UNEXPECTED);
	CHECK(fx.calls == 0);
	raw_viewer_close(&v);
	fixture_finish(&fx);

	/* A source that cannot follow offers no RESIZE and refuses it. */
	REQUIRE(fixture_init(&fx, false));
	REQUIRE(join(&fx, &v, true, &offered));
	CHECK(!offered);
	REQUIRE(send_size(&v, 1, 1280, 720));
	expect_error(&v, PROTO_ERR_UNEXPECTED);
	raw_viewer_close(&v);
	fixture_finish(&fx);
}

static void
test_unknown_head(void)
{
	struct fixture fx;
	REQUIRE(fixture_init(&fx, true));
	struct raw_viewer v;
	bool offered;
	REQUIRE(join(&fx, &v, true, &offered));
	REQUIRE(send_size(&v, 2, 1280, 720));
	expect_error(&v, PROTO_ERR_UNKNOWN_ID);
	CHECK(fx.calls == 0);
	raw_viewer_close(&v);
	fixture_finish(&fx);
}

static const struct test_case cases[] = {
	{ "delivered", test_delivered },
	{ "not-agreed", test_not_agreed },
	{ "unknown-head", test_unknown_head },
};

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: test-head-size CASE\n");
		return 2;
	}
	return test_run_case("test-head-size", cases,
			     sizeof(cases) / sizeof(cases[0]), argv[1]);
}
