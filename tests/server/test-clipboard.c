/* SPDX-License-Identifier: MIT */
/*
 * libeglview-server's clipboard (PROTOCOL.md, "The clipboard", minor 2):
 * the test is the source (the VM's side) and raw viewers over a real
 * socket. Who owns a selection, who is told, where requests go and their
 * answers come back, what a leaving owner leaves. Usage: test-clipboard
 * CASE.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "raw-viewer.h"
#include "server/server.h"

static const char *const text_mimes[] = { "text/plain;charset=utf-8",
					   "UTF8_STRING" };

struct fixture {
	char dir[64], path[128];
	struct server *server;
	int grabs;
	uint32_t grab_n;
	char grab_mime[PROTO_MAX_MIME];
	uint32_t request_id;
	char request_mime[PROTO_MAX_MIME];
	int datas;
	uint32_t data_status;
	char data[64];
};

static void
on_grab(void *data, uint32_t sel, const char *const *mimes, uint32_t n)
{
	struct fixture *fx = data;
	(void)sel;
	fx->grabs++;
	fx->grab_n = n;
	snprintf(fx->grab_mime, sizeof(fx->grab_mime), "%s", n ? mimes[0] : "");
}

static void
on_request(void *data, uint32_t sel, const char *mime, uint32_t id)
{
	struct fixture *fx = data;
	(void)sel;
	fx->request_id = id;
	snprintf(fx->request_mime, sizeof(fx->request_mime), "%s", mime);
}

static void
on_data(void *data, uint32_t sel, uint32_t status, const char *mime,
	const void *bytes, uint32_t length)
{
	struct fixture *fx = data;
	(void)sel; (void)mime;
	fx->datas++;
	fx->data_status = status;
	snprintf(fx->data, sizeof(fx->data), "%.*s", (int)length,
		 (const char *)bytes);
}

static bool
fixture_init(struct fixture *fx, bool clipboard)
{
	*fx = (struct fixture){ 0 };
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/eglview-clip-XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return false;
	snprintf(fx->path, sizeof(fx->path), "%s/vm.sock", fx->dir);
	struct server_callbacks cb = { 0 };
	if (clipboard) {
		cb.clipboard_grab = on_grab;
		cb.clipboard_request = on_request;
		cb.clipboard_data = on_data;
	}
	char why[256];
	fx->server = server_create(fx->path, "testvm", &cb, fx, why,
				   sizeof(why));
	if (fx->server == NULL)
		fprintf(stderr, "server_create: %s\n", why);
	return fx->server != NULL;
}

static void
fixture_finish(struct fixture *fx)
{
	server_destroy(fx->server);
	rmdir(fx->dir);
}

/* Joins (saying CLIPBOARD or not); the server's HELLO said it when
 * *offered. */
static bool
join(struct fixture *fx, struct raw_viewer *v, bool clipboard, bool *offered)
{
	uint32_t theirs = 0;
	bool ok = raw_viewer_handshake(v, fx->path, fx->server,
		PROTO_FEATURE_SHM | (clipboard ? PROTO_FEATURE_CLIPBOARD : 0),
		&theirs);
	*offered = theirs & PROTO_FEATURE_CLIPBOARD;
	return ok;
}

/* Reads on to a GRAB; its serial, with the first type and the count. */
static uint32_t
expect_grab(struct raw_viewer *v, uint32_t *n, char *first)
{
	if (!raw_viewer_skip_to(v, PROTO_CLIPBOARD_GRAB, 2000))
		return 0;
	const struct proto_clipboard_grab *g = raw_body(v);
	*n = g->n_mimes;
	snprintf(first, PROTO_MAX_MIME, "%s", g->n_mimes ?
		 (const char *)(g + 1) : "");
	return g->serial;
}

static void
expect_data(struct raw_viewer *v, uint32_t status, const char *text)
{
	REQUIRE(raw_viewer_skip_to(v, PROTO_CLIPBOARD_DATA, 2000));
	const struct proto_clipboard_data *d = raw_body(v);
	CHECK(d->status == status, "status %u, expected %u", d->status, status);
	CHECK(d->length == strlen(text) &&
	      memcmp(d + 1, text, d->length) == 0, "%u bytes \"%.*s\"",
	      d->length, (int)d->length, (const char *)(d + 1));
}

/* The VM copies: every viewer with the clipboard hears of it (now and
 * on joining); one asks and gets the text; a stale serial gets NONE. */
static void
test_source_grab(void)
{
	struct fixture fx;
	REQUIRE(fixture_init(&fx, true));
	struct raw_viewer a, plain;
	bool offered;
	REQUIRE(join(&fx, &a, true, &offered));
	CHECK(offered);
	REQUIRE(join(&fx, &plain, false, &offered));
	raw_viewer_pump(fx.server, 50);
	server_clipboard_grab(fx.server, PROTO_SELECTION_CLIPBOARD, text_mimes, 2);
	uint32_t n = 0;
	char first[PROTO_MAX_MIME] = "";
	uint32_t serial = expect_grab(&a, &n, first);
	CHECK(serial == 1 && n == 2 && strcmp(first, text_mimes[0]) == 0,
	      "serial %u, %u types, %s", serial, n, first);
	CHECK(!raw_viewer_skip_to(&plain, PROTO_CLIPBOARD_GRAB, 150));

	struct raw_viewer late;
	REQUIRE(join(&fx, &late, true, &offered));
	CHECK(expect_grab(&late, &n, first) == 1 && n == 2);

	REQUIRE(proto_send_clipboard_request(a.fd, 0, serial, "UTF8_STRING"));
	raw_viewer_pump(fx.server, 50);
	REQUIRE(fx.request_id != 0);
	CHECK(strcmp(fx.request_mime, "UTF8_STRING") == 0);
	server_clipboard_answer(fx.server, fx.request_id, PROTO_CLIPBOARD_OK,
				"UTF8_STRING", "hello", 5);
	expect_data(&a, PROTO_CLIPBOARD_OK, "hello");
	/* Answering twice sends nothing more. */
	server_clipboard_answer(fx.server, fx.request_id, PROTO_CLIPBOARD_OK,
				"UTF8_STRING", "again", 5);
	CHECK(!raw_viewer_skip_to(&a, PROTO_CLIPBOARD_DATA, 150));

	REQUIRE(proto_send_clipboard_request(a.fd, 0, serial + 5, "UTF8_STRING"));
	expect_data(&a, PROTO_CLIPBOARD_NONE, "");
	raw_viewer_close(&late);
	raw_viewer_close(&plain);
	raw_viewer_close(&a);
	fixture_finish(&fx);
}

/* A viewer copies: the source and the other viewers hear of it; the
 * source's request and the other viewer's go to it and come back; when it
 * leaves the selection is nobody's. */
static void
test_viewer_grab(void)
{
	struct fixture fx;
	REQUIRE(fixture_init(&fx, true));
	struct raw_viewer a, b;
	bool offered;
	REQUIRE(join(&fx, &a, true, &offered));
	REQUIRE(join(&fx, &b, true, &offered));
	raw_viewer_pump(fx.server, 50);
	const char *mimes[] = { "text/plain;charset=utf-8" };
	REQUIRE(proto_send_clipboard_grab(a.fd, 0, 1, mimes, 1));
	uint32_t n = 0;
	char first[PROTO_MAX_MIME] = "";
	CHECK(expect_grab(&b, &n, first) == 1 && n == 1);
	CHECK(fx.grabs == 1 && fx.grab_n == 1 &&
	      strcmp(fx.grab_mime, mimes[0]) == 0);
	CHECK(!raw_viewer_skip_to(&a, PROTO_CLIPBOARD_GRAB, 100),
	      "the grabbing viewer is not told of its own grab");

	/* The source asks: A is asked, answers, the source has it. */
	server_clipboard_request(fx.server, 0, mimes[0]);
	REQUIRE(raw_viewer_skip_to(&a, PROTO_CLIPBOARD_REQUEST, 2000));
	const struct proto_clipboard_request *r = raw_body(&a);
	CHECK(r->serial == 1 && strcmp(r->mime, mimes[0]) == 0);
	REQUIRE(proto_send_clipboard_data(a.fd, 0, 1, PROTO_CLIPBOARD_OK,
					  mimes[0], "from a", 6));
	raw_viewer_pump(fx.server, 50);
	CHECK(fx.datas == 1 && fx.data_status == PROTO_CLIPBOARD_OK &&
	      strcmp(fx.data, "from a") == 0, "%d \"%s\"", fx.datas, fx.data);

	/* B asks: through the server to A and back. */
	REQUIRE(proto_send_clipboard_request(b.fd, 0, 1, mimes[0]));
	REQUIRE(raw_viewer_skip_to(&a, PROTO_CLIPBOARD_REQUEST, 2000));
	REQUIRE(proto_send_clipboard_data(a.fd, 0, 1, PROTO_CLIPBOARD_OK,
					  mimes[0], "to b", 4));
	expect_data(&b, PROTO_CLIPBOARD_OK, "to b");

	/* An older grab that crossed a newer one is ignored. */
	REQUIRE(proto_send_clipboard_grab(b.fd, 0, 0, mimes, 1));
	raw_viewer_pump(fx.server, 50);
	CHECK(fx.grabs == 1);

	/* A leaves: nobody owns it; the source and B are told. */
	raw_viewer_close(&a);
	raw_viewer_pump(fx.server, 100);
	CHECK(fx.grabs == 2 && fx.grab_n == 0);
	CHECK(expect_grab(&b, &n, first) == 2 && n == 0);
	raw_viewer_close(&b);
	fixture_finish(&fx);
}

/* Without CLIPBOARD agreed, a clipboard message is UNEXPECTED; a source
 * without the callbacks does not offer it. */
static void
test_not_agreed(void)
{
	struct fixture fx;
	REQUIRE(fixture_init(&fx, true));
	struct raw_viewer v;
	bool offered;
	REQUIRE(join(&fx, &v, false, &offered));
	const char *mimes[] = { "text/plain" };
	REQUIRE(proto_send_clipboard_grab(v.fd, 0, 1, mimes, 1));
	REQUIRE(raw_viewer_skip_to(&v, PROTO_ERROR, 2000));
	CHECK(((const struct proto_error_msg *)raw_body(&v))->code ==
	      PROTO_ERR_UNEXPECTED);
	raw_viewer_close(&v);
	fixture_finish(&fx);

	REQUIRE(fixture_init(&fx, false));
	REQUIRE(join(&fx, &v, true, &offered));
	CHECK(!offered);
	REQUIRE(proto_send_clipboard_request(v.fd, 0, 1, "text/plain"));
	REQUIRE(raw_viewer_skip_to(&v, PROTO_ERROR, 2000));
	CHECK(((const struct proto_error_msg *)raw_body(&v))->code ==
	      PROTO_ERR_UNEXPECTED);
	raw_viewer_close(&v);
	fixture_finish(&fx);
}

static const struct test_case cases[] = {
	{ "source-grab", test_source_grab },
	{ "viewer-grab", test_viewer_grab },
	{ "not-agreed", test_not_agreed },
};

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: test-clipboard CASE\n");
		return 2;
	}
	return test_run_case("test-clipboard", cases,
			     sizeof(cases) / sizeof(cases[0]), argv[1]);
}
