/* SPDX-License-Identifier: MIT */
/*
 * The fake QEMU peer's cases of protocol minor 2 (PROTOCOL.md): QEMU's
 * Keyboard.Modifiers as the viewers' lock LEDs, and QEMU's Clipboard
 * interface both ways, each against a raw viewer of its own.
 */
#include <linux/input-event-codes.h>
#include <string.h>

#include "fake-qemu.h"
#include "raw-viewer.h"

/* The guest's LEDs change: Keyboard.Modifiers, as QEMU's LED notifier
 * sets it. */
static void
set_modifiers(uint32_t modifiers)
{
	g_mutex_lock(&fake.lock);
	fake.modifiers = modifiers;
	g_mutex_unlock(&fake.lock);
	fake_emit_changed("org.qemu.Display1.Keyboard", "Modifiers",
			  g_variant_new_uint32(modifiers));
}

/* The next DEVICE_STATUS (other packets skipped) names num, caps and
 * scroll with these values, in LED order. */
static void
expect_leds(struct raw_viewer *v, uint32_t num, uint32_t caps, uint32_t scroll)
{
	REQUIRE(raw_viewer_skip_to(v, PROTO_DEVICE_STATUS, TIMEOUT_MS));
	const struct proto_input *in = raw_body(v);
	const struct proto_input_event *ev = (const void *)(in + 1);
	REQUIRE(in->n_events == 4, "%u records", in->n_events);
	CHECK(ev[0].type == EV_LED && ev[0].code == LED_NUML &&
	      ev[0].value == num, "num: %u %u %u", ev[0].type, ev[0].code,
	      ev[0].value);
	CHECK(ev[1].type == EV_LED && ev[1].code == LED_CAPSL &&
	      ev[1].value == caps, "caps: %u %u %u", ev[1].type, ev[1].code,
	      ev[1].value);
	CHECK(ev[2].type == EV_LED && ev[2].code == LED_SCROLLL &&
	      ev[2].value == scroll, "scroll: %u %u %u", ev[2].type,
	      ev[2].code, ev[2].value);
}

/* Keyboard.Modifiers reaches a viewer that said LEDS as DEVICE_STATUS on
 * QEMU's keyboard: the state QEMU had when the shim attached (Num on, set
 * before it started) when it joins, then each change. */
void
fake_case_leds(const char *vm)
{
	struct raw_viewer v;
	REQUIRE(raw_viewer_connect(&v, vm, NULL));
	REQUIRE(raw_viewer_expect(&v, PROTO_HELLO));
	REQUIRE(raw_viewer_hello_features(&v, true, PROTO_FEATURE_SHM |
		PROTO_FEATURE_INPUT | PROTO_FEATURE_LEDS));
	REQUIRE(raw_viewer_expect(&v, PROTO_INPUT_DEVICE));
	const struct proto_input_device *kbd = raw_body(&v);
	CHECK(kbd->kind == PROTO_DEVICE_KEYBOARD &&
	      (kbd->ev_bits & (1u << EV_LED)));
	expect_leds(&v, 1, 0, 0);
	set_modifiers(4 | 1); /* Caps and Scroll */
	expect_leds(&v, 0, 1, 1);
	raw_viewer_close(&v);
	fprintf(stderr, "ok: Keyboard.Modifiers as DEVICE_STATUS\n");
}

/* The shim's Clipboard.Request, as QEMU calls it when the guest pastes,
 * in a thread of its own: the shim answers only once the viewer did. */
static gpointer
request_text(gpointer data)
{
	(void)data;
	const char *mimes[] = { "text/plain;charset=utf-8", NULL };
	return g_dbus_connection_call_sync(fake.control, NULL, PATH_CLIPBOARD,
		"org.qemu.Display1.Clipboard", "Request",
		g_variant_new("(u^as)", 0, mimes), G_VARIANT_TYPE("(say)"),
		G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, NULL);
}

/* The clipboard both ways (QEMU's Clipboard interface): the shim
 * registers; the guest's copy (Grab from QEMU) reaches a viewer that said
 * CLIPBOARD, which fetches it (the shim's Request to QEMU); the viewer's
 * copy becomes QEMU's Grab, and QEMU's Request for it is answered with
 * the viewer's text. */
void
fake_case_clipboard(const char *vm)
{
	CHECK(fake_wait_call(0, "Clipboard.Register ()") >= 0);
	struct raw_viewer v;
	REQUIRE(raw_viewer_connect(&v, vm, NULL));
	REQUIRE(raw_viewer_expect(&v, PROTO_HELLO));
	CHECK(((const struct proto_hello *)raw_body(&v))->features &
	      PROTO_FEATURE_CLIPBOARD);
	REQUIRE(raw_viewer_hello_features(&v, true, PROTO_FEATURE_SHM |
		PROTO_FEATURE_CLIPBOARD));
	raw_viewer_pump(NULL, 100);

	const char *mimes[] = { "text/plain;charset=utf-8", NULL };
	GVariant *r = g_dbus_connection_call_sync(fake.control, NULL,
		PATH_CLIPBOARD, "org.qemu.Display1.Clipboard", "Grab",
		g_variant_new("(uu^as)", 0, 5, mimes), NULL,
		G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, NULL);
	REQUIRE(r != NULL);
	g_variant_unref(r);
	REQUIRE(raw_viewer_skip_to(&v, PROTO_CLIPBOARD_GRAB, TIMEOUT_MS));
	const struct proto_clipboard_grab *g = raw_body(&v);
	CHECK(g->n_mimes == 1 && strcmp((const char *)(g + 1), mimes[0]) == 0);
	uint32_t serial = g->serial;
	guint m = fake_calls_mark();
	REQUIRE(proto_send_clipboard_request(v.fd, 0, serial, mimes[0]));
	CHECK(fake_wait_call(m, "Clipboard.Request (0, ['text/plain;charset="
			     "utf-8'])") >= 0);
	REQUIRE(raw_viewer_skip_to(&v, PROTO_CLIPBOARD_DATA, TIMEOUT_MS));
	const struct proto_clipboard_data *d = raw_body(&v);
	CHECK(d->status == PROTO_CLIPBOARD_OK &&
	      d->length == strlen(FAKE_GUEST_TEXT) &&
	      memcmp(d + 1, FAKE_GUEST_TEXT, d->length) == 0,
	      "status %u, %u bytes", d->status, d->length);

	/* The viewer copies: QEMU is told with a serial above the guest's. */
	m = fake_calls_mark();
	REQUIRE(proto_send_clipboard_grab(v.fd, 0, serial + 1, mimes, 1));
	CHECK(fake_wait_call(m, "Clipboard.Grab (0, 6, ['text/plain;charset="
			     "utf-8'])") >= 0);
	GThread *t = g_thread_new("request", request_text, NULL);
	REQUIRE(raw_viewer_skip_to(&v, PROTO_CLIPBOARD_REQUEST, TIMEOUT_MS));
	REQUIRE(proto_send_clipboard_data(v.fd, 0, serial + 1,
					  PROTO_CLIPBOARD_OK, mimes[0],
					  "copied on the host", 18));
	GVariant *reply = g_thread_join(t);
	REQUIRE(reply != NULL);
	const char *mime;
	GVariant *bytes;
	g_variant_get(reply, "(&s@ay)", &mime, &bytes);
	gsize len;
	const char *text = g_variant_get_fixed_array(bytes, &len, 1);
	CHECK(strcmp(mime, mimes[0]) == 0 && len == 18 &&
	      memcmp(text, "copied on the host", 18) == 0);
	g_variant_unref(bytes);
	g_variant_unref(reply);
	raw_viewer_close(&v);
	fprintf(stderr, "ok: the clipboard both ways through QEMU's "
		"Clipboard interface\n");
}

