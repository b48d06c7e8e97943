/* SPDX-License-Identifier: MIT */
/*
 * libeglview-server's lock LEDs (PROTOCOL.md, "Lock LEDs", minor 2): the
 * test is the source (a keyboard with EV_LED, a tablet) and raw viewers
 * of minor 2 with and without LEDS, and of minor 1. Usage: test-leds CASE.
 */
#include <linux/input-event-codes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "raw-viewer.h"
#include "server/server.h"

struct fixture {
	char dir[64], path[128];
	struct server *server;
	uint32_t keyboard_id, tablet_id, plain_keyboard_id;
};

static bool
fixture_init(struct fixture *fx)
{
	*fx = (struct fixture){ 0 };
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/eglview-leds-XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return false;
	snprintf(fx->path, sizeof(fx->path), "%s/vm.sock", fx->dir);
	char why[256];
	fx->server = server_create(fx->path, "testvm", NULL, NULL, why,
				   sizeof(why));
	if (fx->server == NULL) {
		fprintf(stderr, "server_create: %s\n", why);
		return false;
	}
	struct proto_input_device kbd = {
		.kind = PROTO_DEVICE_KEYBOARD,
		.ev_bits = (1u << EV_SYN) | (1u << EV_KEY) | (1u << EV_LED),
	};
	snprintf(kbd.name, sizeof(kbd.name), "test keyboard");
	kbd.key_bits[KEY_CAPSLOCK / 8] |= 1u << (KEY_CAPSLOCK % 8);
	fx->keyboard_id = server_add_input_device(fx->server, &kbd, NULL);
	struct proto_input_device tablet = {
		.kind = PROTO_DEVICE_TABLET,
		.ev_bits = (1u << EV_SYN) | (1u << EV_KEY) | (1u << EV_ABS),
		.n_abs = 2,
		.abs_bits = (1u << ABS_X) | (1u << ABS_Y),
	};
	snprintf(tablet.name, sizeof(tablet.name), "test tablet");
	struct proto_abs_axis axes[2] = {
		{ .code = ABS_X, .max = 32767 }, { .code = ABS_Y, .max = 32767 },
	};
	fx->tablet_id = server_add_input_device(fx->server, &tablet, axes);
	kbd.ev_bits &= ~(1u << EV_LED);
	fx->plain_keyboard_id = server_add_input_device(fx->server, &kbd, NULL);
	return fx->keyboard_id != 0 && fx->tablet_id != 0 &&
	       fx->plain_keyboard_id != 0;
}

static void
fixture_finish(struct fixture *fx)
{
	server_destroy(fx->server);
	rmdir(fx->dir);
}

/* Joins with a HELLO of this minor and these features; the server's HELLO
 * must say LEDS. */
static bool
join(struct fixture *fx, struct raw_viewer *v, uint16_t minor,
     uint32_t features)
{
	if (!raw_viewer_connect(v, fx->path, fx->server) ||
	    !raw_viewer_expect(v, PROTO_HELLO))
		return false;
	const struct proto_hello *theirs = raw_body(v);
	CHECK(theirs->minor == PROTO_VERSION_MINOR && (theirs->features & PROTO_FEATURE_LEDS),
	      "server HELLO minor %u features 0x%x", theirs->minor,
	      theirs->features);
	struct proto_hello hello = {
		.magic = PROTO_MAGIC, .major = PROTO_VERSION_MAJOR,
		.minor = minor, .features = features,
		.name = "raw-viewer",
	};
	return proto_send_msg(v->fd, PROTO_HELLO, &hello, sizeof(hello), NULL,
			      0, NULL, 0);
}

/* The next packet is DEVICE_STATUS for device with exactly these
 * (code, value) pairs before its SYN_REPORT. */
static void
expect_status(struct raw_viewer *v, uint32_t device, const uint32_t *pairs,
	      uint32_t n_pairs)
{
	REQUIRE(raw_viewer_expect(v, PROTO_DEVICE_STATUS));
	const struct proto_input *in = raw_body(v);
	const struct proto_input_event *ev = (const void *)(in + 1);
	CHECK(in->device_id == device, "device %u", in->device_id);
	REQUIRE(in->n_events == n_pairs + 1, "%u records", in->n_events);
	for (uint32_t i = 0; i < n_pairs; i++)
		CHECK(ev[i].type == EV_LED && ev[i].code == pairs[2 * i] &&
		      ev[i].value == pairs[2 * i + 1],
		      "record %u: %u %u %u", i, ev[i].type, ev[i].code,
		      ev[i].value);
	CHECK(ev[n_pairs].type == EV_SYN && ev[n_pairs].code == SYN_REPORT);
}

/* Nothing arrives within ms (the server pumped meanwhile). */
static bool
quiet(struct raw_viewer *v, int ms)
{
	enum proto_io io = raw_viewer_recv(v, ms);
	if (io == PROTO_IO_OK)
		fprintf(stderr, "unexpected %s\n",
			proto_type_name(proto_packet_type(v->pkt)));
	return io == PROTO_IO_AGAIN;
}

static void
test_join_and_change(void)
{
	struct fixture fx;
	REQUIRE(fixture_init(&fx));
	struct raw_viewer v;
	REQUIRE(join(&fx, &v, 2, PROTO_FEATURE_INPUT | PROTO_FEATURE_LEDS));
	/* The state: the keyboard, then its three LEDs, all off. */
	REQUIRE(raw_viewer_expect(&v, PROTO_INPUT_DEVICE));
	expect_status(&v, fx.keyboard_id, (const uint32_t[]){
		LED_NUML, 0, LED_CAPSL, 0, LED_SCROLLL, 0 }, 3);
	/* The tablet and the keyboard without EV_LED report nothing. */
	REQUIRE(raw_viewer_expect(&v, PROTO_INPUT_DEVICE));
	REQUIRE(raw_viewer_expect(&v, PROTO_INPUT_DEVICE));
	CHECK(quiet(&v, 100));

	/* A change names only the LED that changed. */
	CHECK(server_input_device_set_leds(fx.server, fx.keyboard_id,
					   1u << LED_CAPSL));
	expect_status(&v, fx.keyboard_id,
		      (const uint32_t[]){ LED_CAPSL, 1 }, 1);
	/* The same state again: nothing. */
	CHECK(server_input_device_set_leds(fx.server, fx.keyboard_id,
					   1u << LED_CAPSL));
	CHECK(quiet(&v, 100));
	CHECK(server_input_device_set_leds(fx.server, fx.keyboard_id,
					   1u << LED_NUML));
	expect_status(&v, fx.keyboard_id, (const uint32_t[]){
		LED_NUML, 1, LED_CAPSL, 0 }, 2);
	/* An LED beyond the three is reported once set, and kept. */
	CHECK(server_input_device_set_leds(fx.server, fx.keyboard_id,
					   1u << LED_NUML | 1u << LED_KANA));
	expect_status(&v, fx.keyboard_id,
		      (const uint32_t[]){ LED_KANA, 1 }, 1);

	/* A late joiner gets the state as it is now. */
	struct raw_viewer late;
	REQUIRE(join(&fx, &late, 2, PROTO_FEATURE_INPUT | PROTO_FEATURE_LEDS));
	REQUIRE(raw_viewer_expect(&late, PROTO_INPUT_DEVICE));
	expect_status(&late, fx.keyboard_id, (const uint32_t[]){
		LED_NUML, 1, LED_CAPSL, 0, LED_SCROLLL, 0, LED_KANA, 1 }, 4);
	raw_viewer_close(&late);
	raw_viewer_close(&v);
	fixture_finish(&fx);
}

/* A viewer that did not say LEDS, or said it in minor 1 (where the bit
 * means nothing), is never sent DEVICE_STATUS. */
static void
test_negotiation(void)
{
	struct fixture fx;
	REQUIRE(fixture_init(&fx));
	struct raw_viewer without, minor1;
	REQUIRE(join(&fx, &without, 2, PROTO_FEATURE_INPUT));
	REQUIRE(join(&fx, &minor1, 1, PROTO_FEATURE_INPUT | PROTO_FEATURE_LEDS));
	for (int i = 0; i < 3; i++) {
		REQUIRE(raw_viewer_expect(&without, PROTO_INPUT_DEVICE));
		REQUIRE(raw_viewer_expect(&minor1, PROTO_INPUT_DEVICE));
	}
	CHECK(server_input_device_set_leds(fx.server, fx.keyboard_id,
					   1u << LED_CAPSL));
	CHECK(quiet(&without, 150));
	CHECK(quiet(&minor1, 150));
	/* Both still welcome: input still goes through. */
	struct proto_input_event ev[2] = {
		{ EV_KEY, KEY_CAPSLOCK, 1 }, { EV_SYN, SYN_REPORT, 0 } };
	CHECK(proto_send_input(minor1.fd, fx.keyboard_id, ev, 2));
	CHECK(quiet(&minor1, 100));
	raw_viewer_close(&without);
	raw_viewer_close(&minor1);
	fixture_finish(&fx);
}

/* What is not a keyboard with EV_LED has no LEDs to set. */
static void
test_refused(void)
{
	struct fixture fx;
	REQUIRE(fixture_init(&fx));
	CHECK(!server_input_device_set_leds(fx.server, fx.tablet_id, 1));
	CHECK(!server_input_device_set_leds(fx.server, fx.plain_keyboard_id, 1));
	CHECK(!server_input_device_set_leds(fx.server, 999, 1));
	CHECK(!server_input_device_set_leds(fx.server, fx.keyboard_id,
					    1u << 16));
	CHECK(server_input_device_set_leds(fx.server, fx.keyboard_id,
					   1u << 15));
	fixture_finish(&fx);
}

static const struct test_case cases[] = {
	{ "join-and-change", test_join_and_change },
	{ "negotiation", test_negotiation },
	{ "refused", test_refused },
};

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: test-leds CASE\n");
		return 2;
	}
	return test_run_case("test-leds", cases, sizeof(cases) / sizeof(cases[0]),
			     argv[1]);
}
