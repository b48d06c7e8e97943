/* SPDX-License-Identifier: MIT */
/*
 * qemu-pixels-*: the QEMU source's copied path (Listener.Scanout and
 * Update with pixel data) in the real eglview-shim, which a fake QEMU
 * (fake-qemu.c, a real peer-to-peer D-Bus connection) feeds and raw
 * protocol viewers watch. Every UPDATE must show exactly the picture
 * QEMU sent (the test keeps its own copy), and the shim's --verbose count
 * at exit must say each update's bytes were copied once:
 *
 *   copy-once   a viewer without HOLD_SHOWN; full-screen updates, copied
 *               once each and nothing caught up; the buffer an UPDATE
 *               shows is not written until its FRAME_DONE while QEMU's
 *               updates keep coming (no tearing, no stall).
 *   partial     small updates, some while an UPDATE is outstanding (the
 *               buffers catch up from each other, boundedly); the surface
 *               grown by an Update outside it (QEMU 7.2) and by
 *               Console.Width/Height, and shrunk by a Scanout.
 *   hold-shown  a HOLD_SHOWN viewer: the buffer on screen is never
 *               written while held, buffers rotate among three, QEMU's
 *               updates never wait; QEMU's own buffers (a memfd standing
 *               in for a dmabuf, a sealed ScanoutMap memfd) are held only
 *               until FRAME_DONE, so UpdateDMABUF is answered then.
 *   all-held    two HOLD_SHOWN viewers hold all three buffers: updates
 *               wait in their messages (a full-screen one superseding
 *               the ones before), then go through the canvas past the
 *               limit; the held buffers stay untouched and every viewer
 *               then sees the newest picture.
 */
#include <drm_fourcc.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pixels-harness.h"

/* --- the cases --------------------------------------------------------- */

static void
case_copy_once(void)
{
	REQUIRE(harness_start_shim());
	struct tview t;
	REQUIRE(view_join(&t, "no-hold", 0));
	/* Offered to every viewer now; this one does not take it. */
	CHECK(t.server_features & PROTO_FEATURE_HOLD_SHOWN);
	harness_send_scanout(W, H, 1);
	REQUIRE(view_next_update(&t, TIMEOUT_MS));
	CHECK(shows_model(&t));
	view_done(&t);
	for (uint32_t i = 0; i < 10; i++) {
		harness_send_update(0, 0, W, H, 10 + i);
		REQUIRE(view_next_update(&t, TIMEOUT_MS));
		CHECK(shows_model(&t));
		CHECK(damage_covers(&t, &(struct proto_rect){ 0, 0, W, H }, 1));
		view_done(&t);
	}
	/* An UPDATE outstanding: QEMU goes on, its buffer stays as shown. */
	harness_send_update(0, 0, W, H, 30);
	REQUIRE(view_next_update(&t, TIMEOUT_MS));
	CHECK(shows_model(&t));
	struct snapshot out = { 0 };
	snap(&out, &t, t.bound);
	for (uint32_t k = 0; k < 6; k++)
		harness_send_update(0, 0, W, H, 31 + k);
	CHECK(view_quiet(&t, 100));
	CHECK(untouched(&out, &t));
	view_done(&t);
	REQUIRE(view_next_update(&t, TIMEOUT_MS));
	CHECK(t.bound != out.id);
	CHECK(shows_model(&t));
	view_done(&t);
	fprintf(stderr, "buffers shown: %u; slowest listener call %lld ms\n",
		t.n_ids_shown, (long long)slowest_call_ms);
	CHECK(t.n_ids_shown >= 2 && t.n_ids_shown <= 3);
	CHECK(slowest_call_ms < CALL_MS_MAX);
	free(out.bytes);
	view_close(&t);

	struct counts n;
	harness_stop_shim(&n);
	REQUIRE(n.found);
	fprintf(stderr, "sent %llu bytes; shim: %llu copied, %llu caught up, "
		"%llu through the canvas\n", sent_bytes, n.from_qemu,
		n.caught_up, n.via_canvas);
	/* Once each, and nothing else: full-screen updates need no catch-up. */
	CHECK(n.from_qemu == sent_bytes);
	CHECK(n.caught_up == 0);
	CHECK(n.via_canvas == 0);
	CHECK(n.waited == 0);
}

static void
case_partial(void)
{
	REQUIRE(harness_start_shim());
	struct tview t;
	REQUIRE(view_join(&t, "no-hold", 0));
	harness_send_scanout(W, H, 1);
	REQUIRE(view_next_update(&t, TIMEOUT_MS));
	CHECK(shows_model(&t));
	view_done(&t);
	unsigned long long partial = 0, resized = 0;
	static const struct proto_rect small[] = {
		{ 10, 10, 50, 40 }, { 200, 100, 64, 64 }, { 0, 230, W, 10 },
		{ 300, 0, 20, H }, { 100, 50, 1, 1 }, { 40, 20, 100, 100 },
	};
	const int n_small = (int)(sizeof(small) / sizeof(small[0]));
	/* Answered one by one. */
	for (int i = 0; i < n_small; i++) {
		const struct proto_rect *r = &small[i];
		harness_send_update(r->x, r->y, r->width, r->height, 40 + i);
		partial += (unsigned long long)r->width * r->height * 4;
		REQUIRE(view_next_update(&t, TIMEOUT_MS));
		CHECK(shows_model(&t));
		CHECK(damage_covers(&t, r, 1));
		view_done(&t);
	}
	/* Some while an UPDATE is outstanding: they go into another buffer,
	 * which catches up on the rest, and reach the viewer together. */
	for (int round = 0; round < 3; round++) {
		const struct proto_rect *r = &small[round];
		harness_send_update(r->x, r->y, r->width, r->height, 60 + round);
		partial += (unsigned long long)r->width * r->height * 4;
		REQUIRE(view_next_update(&t, TIMEOUT_MS));
		CHECK(shows_model(&t));
		struct snapshot out = { 0 };
		snap(&out, &t, t.bound);
		for (int i = 1; i < 4; i++) {
			const struct proto_rect *q = &small[(round + i) % n_small];
			harness_send_update(q->x, q->y, q->width, q->height,
				    70 + 4 * round + i);
			partial += (unsigned long long)q->width * q->height * 4;
		}
		CHECK(view_quiet(&t, 50));
		CHECK(untouched(&out, &t));
		view_done(&t);
		REQUIRE(view_next_update(&t, TIMEOUT_MS));
		CHECK(t.bound != out.id);
		CHECK(shows_model(&t));
		struct proto_rect later[3] = {
			small[(round + 1) % n_small], small[(round + 2) % n_small],
			small[(round + 3) % n_small] };
		CHECK(damage_covers(&t, later, 3));
		view_done(&t);
		free(out.bytes);
	}
	/* QEMU 7.2 grows the surface with an Update outside it. */
	harness_send_update(W, 0, 16, H, 90);
	resized += (unsigned long long)W * H * 4;
	REQUIRE(view_next_update(&t, TIMEOUT_MS));
	CHECK(shows_model(&t));
	view_done(&t);
	/* ... and through Console.Width/Height, without a Scanout. */
	for (uint32_t y = H; y < H + 20; y++)
		memset(&model[y * MAXW], 0, (size_t)(W + 16) * 4);
	resized += (unsigned long long)(W + 16) * H * 4;
	model_h = H + 20;
	GVariantBuilder changed;
	g_variant_builder_init(&changed, G_VARIANT_TYPE("a{sv}"));
	g_variant_builder_add(&changed, "{sv}", "Width",
			      g_variant_new_uint32(W + 16));
	g_variant_builder_add(&changed, "{sv}", "Height",
			      g_variant_new_uint32(H + 20));
	g_dbus_connection_emit_signal(fake.control, NULL, PATH_CONSOLE,
		"org.freedesktop.DBus.Properties", "PropertiesChanged",
		g_variant_new("(sa{sv}as)", "org.qemu.Display1.Console",
			      &changed, NULL), NULL);
	REQUIRE(view_next_update(&t, TIMEOUT_MS));
	CHECK(shows_model(&t));
	view_done(&t);
	harness_send_update(5, H + 5, 30, 10, 91);
	partial += 30 * 10 * 4;
	REQUIRE(view_next_update(&t, TIMEOUT_MS));
	CHECK(shows_model(&t));
	view_done(&t);
	/* A Scanout of another size starts over. */
	harness_send_scanout(W - 20, H - 10, 92);
	REQUIRE(view_next_update(&t, TIMEOUT_MS));
	CHECK(shows_model(&t));
	view_done(&t);
	CHECK(slowest_call_ms < CALL_MS_MAX);
	view_close(&t);

	struct counts n;
	harness_stop_shim(&n);
	REQUIRE(n.found);
	fprintf(stderr, "sent %llu bytes (%llu in small updates); shim: %llu "
		"copied, %llu caught up (bound %llu), %llu through the "
		"canvas\n", sent_bytes, partial, n.from_qemu, n.caught_up,
		2 * partial + 3 * resized, n.via_canvas);
	CHECK(n.from_qemu == sent_bytes);
	/* Catching up copies only what changed since a buffer was last
	 * written (at most twice per change, with three buffers), and the
	 * old picture kept at a resize into each of the three: never whole
	 * frames per update. */
	CHECK(n.caught_up <= 2 * partial + 3 * resized);
	CHECK(n.via_canvas == 0);
	CHECK(n.waited == 0);
}

static bool update_dmabuf_answered;

static void
on_update_dmabuf(GObject *src, GAsyncResult *res, gpointer data)
{
	(void)data;
	GVariant *r = g_dbus_connection_call_finish(G_DBUS_CONNECTION(src),
						    res, NULL);
	if (r != NULL)
		g_variant_unref(r);
	update_dmabuf_answered = true;
}

static bool
wait_answered(int ms)
{
	int64_t end = fake_now_ms() + ms;
	while (!update_dmabuf_answered && fake_now_ms() < end)
		g_main_context_iteration(NULL, FALSE), g_usleep(2000);
	return update_dmabuf_answered;
}

/* QEMU's buffers under HOLD_SHOWN: a memfd standing in for a dmabuf
 * (ScanoutDMABUF2), shown twice in a row; UpdateDMABUF is answered at
 * each FRAME_DONE, never left to QEMU's 1 s timeout by a hold. Then a
 * sealed ScanoutMap memfd, whose UpdateMaps flow on. */
static void
held_passthrough(struct tview *t)
{
	size_t size = (size_t)W * H * 3 / 2;
	int fd = memfd_create("fake-qemu-dmabuf", MFD_CLOEXEC |
			      MFD_ALLOW_SEALING);
	REQUIRE(fd >= 0 && ftruncate(fd, (off_t)size) == 0);
	int32_t handle = 0;
	uint32_t offsets[2] = { 0, W * H }, strides[2] = { W, W };
	GVariant *r = fake_listener_call(
		"org.qemu.Display1.Listener.Unix.ScanoutDMABUF2",
		"ScanoutDMABUF2", g_variant_new("(@ahuuuu@au@auuuuutb)",
		g_variant_new_fixed_array(G_VARIANT_TYPE_HANDLE, &handle, 1, 4),
		0, 0, W, H,
		g_variant_new_fixed_array(G_VARIANT_TYPE_UINT32, offsets, 2, 4),
		g_variant_new_fixed_array(G_VARIANT_TYPE_UINT32, strides, 2, 4),
		2, DRM_FORMAT_NV12, W, H, I915_FORMAT_MOD_X_TILED, TRUE), fd);
	close(fd);
	REQUIRE(r != NULL);
	g_variant_unref(r);
	REQUIRE(view_next_update(t, TIMEOUT_MS));
	CHECK(t->bound == t->dmabuf_id && t->dmabuf_id != 0);
	view_done(t);
	for (int i = 0; i < 2; i++) {
		update_dmabuf_answered = false;
		g_dbus_connection_call(fake.listener, NULL, PATH_LISTENER,
			IFACE_LISTENER, "UpdateDMABUF",
			g_variant_new("(iiii)", 8, 8, 16, 16), NULL,
			G_DBUS_CALL_FLAGS_NONE, 3000, NULL, on_update_dmabuf,
			NULL);
		REQUIRE(view_next_update(t, TIMEOUT_MS));
		CHECK(t->bound == t->dmabuf_id);
		CHECK(!wait_answered(150));
		view_done(t);
		/* Well before QEMU's 1 s: the FRAME_DONE, not a timeout. */
		CHECK(wait_answered(500));
	}
	fprintf(stderr, "ok: UpdateDMABUF answered at FRAME_DONE under "
		"HOLD_SHOWN\n");

	size = (size_t)W * 4 * H;
	fd = memfd_create("fake-qemu-surface", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	REQUIRE(fd >= 0 && ftruncate(fd, (off_t)size) == 0);
	fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
	r = fake_listener_call("org.qemu.Display1.Listener.Unix.Map",
		"ScanoutMap", g_variant_new("(huuuuu)", 0, 0, W, H, W * 4,
					    PIXMAN_X8R8G8B8), fd);
	close(fd);
	REQUIRE(r != NULL);
	g_variant_unref(r);
	REQUIRE(view_next_update(t, TIMEOUT_MS));
	uint32_t map_id = t->bound;
	view_done(t);
	for (int i = 0; i < 3; i++) {
		r = fake_listener_call("org.qemu.Display1.Listener.Unix.Map",
			"UpdateMap", g_variant_new("(iiii)", 0, 0, 8, 8), -1);
		REQUIRE(r != NULL);
		g_variant_unref(r);
		REQUIRE(view_next_update(t, TIMEOUT_MS));
		CHECK(t->bound == map_id);
		view_done(t);
	}
	fprintf(stderr, "ok: ScanoutMap's memfd shown again and again under "
		"HOLD_SHOWN\n");
}

static void
case_hold_shown(void)
{
	REQUIRE(harness_start_shim());
	struct tview t;
	REQUIRE(view_join(&t, "hold", PROTO_FEATURE_HOLD_SHOWN));
	REQUIRE(t.server_features & PROTO_FEATURE_HOLD_SHOWN);
	harness_send_scanout(W, H, 1);
	REQUIRE(view_next_update(&t, TIMEOUT_MS));
	CHECK(shows_model(&t));
	struct snapshot shown = { 0 }, flight = { 0 };
	snap(&shown, &t, t.bound);
	view_done(&t);
	/* One on screen (held), one in flight, one written meanwhile: each
	 * FRAME_DONE brings the next UPDATE, with what came in between. */
	harness_send_update(0, 0, W, H, 2);
	for (uint32_t i = 0; i < 30; i++) {
		REQUIRE(view_next_update(&t, TIMEOUT_MS));
		CHECK(t.bound != shown.id);
		CHECK(shows_model(&t));
		CHECK(untouched(&shown, &t));
		snap(&flight, &t, t.bound);
		harness_send_update(0, 0, W, H, 100 + 2 * i);
		harness_send_update(0, 0, W, H, 101 + 2 * i);
		CHECK(untouched(&shown, &t));
		CHECK(untouched(&flight, &t));
		view_done(&t);
		struct snapshot s = shown;
		shown = flight;
		flight = s;
	}
	fprintf(stderr, "buffers shown: %u; slowest listener call %lld ms\n",
		t.n_ids_shown, (long long)slowest_call_ms);
	CHECK(t.n_ids_shown == 3);
	CHECK(slowest_call_ms < CALL_MS_MAX);
	/* The newest picture reaches the viewer (the last FRAME_DONE
	 * brought it). */
	REQUIRE(view_next_update(&t, TIMEOUT_MS));
	CHECK(shows_model(&t));
	CHECK(untouched(&shown, &t));
	view_done(&t);
	unsigned long long copied_sent = sent_bytes;

	held_passthrough(&t);
	/* Back to pixel data: the copied path again. */
	harness_send_scanout(W, H, 250);
	REQUIRE(view_next_update(&t, TIMEOUT_MS));
	CHECK(shows_model(&t));
	view_done(&t);
	free(shown.bytes);
	free(flight.bytes);
	view_close(&t);

	struct counts n;
	harness_stop_shim(&n);
	REQUIRE(n.found);
	fprintf(stderr, "sent %llu bytes (%llu before the pass-through); shim: "
		"%llu copied, %llu caught up, %llu through the canvas, %llu "
		"waited\n", sent_bytes, copied_sent, n.from_qemu, n.caught_up,
		n.via_canvas, n.waited);
	CHECK(n.from_qemu == sent_bytes);
	CHECK(n.caught_up == 0);
	CHECK(n.via_canvas == 0);
	/* Three buffers are enough for one viewer that holds. */
	CHECK(n.waited == 0);
}

/* Two viewers that hold: x, y and z below are the three buffers, in the
 * order they are first written. */
static void
case_all_held(void)
{
	REQUIRE(harness_start_shim());
	struct tview a, b;
	REQUIRE(view_join(&a, "hold-a", PROTO_FEATURE_HOLD_SHOWN));
	REQUIRE(view_join(&b, "hold-b", PROTO_FEATURE_HOLD_SHOWN));
	harness_send_scanout(W, H, 1);
	REQUIRE(view_next_update(&a, TIMEOUT_MS));
	REQUIRE(view_next_update(&b, TIMEOUT_MS));
	uint32_t x = a.bound;
	CHECK(b.bound == x);
	view_done(&a);
	view_done(&b);          /* both show x */
	harness_send_update(0, 0, W, H, 2);
	REQUIRE(view_next_update(&a, TIMEOUT_MS));
	REQUIRE(view_next_update(&b, TIMEOUT_MS));
	uint32_t y = a.bound;
	CHECK(b.bound == y && y != x);
	view_done(&a);          /* a shows y; b shows x, y in flight */
	harness_send_update(0, 0, W, H, 3);
	REQUIRE(view_next_update(&a, TIMEOUT_MS));
	uint32_t z = a.bound;   /* a: z in flight; b: z waits in the server */
	CHECK(z != x && z != y);
	CHECK(shows_model(&a));
	static uint32_t model_z[MAXW * MAXH];
	memcpy(model_z, model, sizeof(model));
	struct snapshot sx = { 0 }, sy = { 0 }, sz = { 0 };
	snap(&sx, &a, x);
	snap(&sy, &a, y);
	snap(&sz, &a, z);

	/* All three held: updates wait in their messages, a full-screen
	 * one superseding those before it. */
	static const struct proto_rect small[] = {
		{ 10, 10, 50, 40 }, { 200, 100, 64, 64 }, { 0, 230, W, 10 },
		{ 300, 0, 20, H }, { 100, 50, 1, 1 },
	};
	for (uint32_t i = 0; i < 5; i++)
		harness_send_update(small[i].x, small[i].y, small[i].width,
			    small[i].height, 10 + i);
	harness_send_update(0, 0, W, H, 20);
	for (uint32_t i = 0; i < 3; i++)
		harness_send_update(small[i].x, small[i].y, small[i].width,
			    small[i].height, 21 + i);
	CHECK(view_quiet(&a, 50) && view_quiet(&b, 50));
	CHECK(untouched(&sx, &a) && untouched(&sy, &a) && untouched(&sz, &a));
	/* b shows y and is sent z; x comes free and takes what waited. */
	view_done(&b);
	REQUIRE(view_next_update(&b, TIMEOUT_MS));
	CHECK(b.bound == z);
	CHECK(shows(&b, model_z));
	CHECK(untouched(&sy, &a) && untouched(&sz, &a));
	/* a shows z and is sent x, the newest picture. */
	view_done(&a);
	REQUIRE(view_next_update(&a, TIMEOUT_MS));
	CHECK(a.bound == x);
	CHECK(shows_model(&a));
	static uint32_t model_x[MAXW * MAXH];
	memcpy(model_x, model, sizeof(model));
	snap(&sx, &a, x);

	/* x in flight to a, y on b's screen, z on a's and in flight to b:
	 * past the limit of waiting updates they go through the canvas. */
	for (uint32_t i = 0; i < 32; i++)
		harness_send_update((i % 16) * 20, (i / 16) * 20, 16, 16, 30 + i);
	CHECK(view_quiet(&a, 50) && view_quiet(&b, 50));
	CHECK(untouched(&sx, &a) && untouched(&sy, &a) && untouched(&sz, &a));
	/* b shows z and is sent x; y comes free and takes the canvas. */
	view_done(&b);
	REQUIRE(view_next_update(&b, TIMEOUT_MS));
	CHECK(b.bound == x);
	CHECK(shows(&b, model_x));
	CHECK(untouched(&sx, &a) && untouched(&sz, &a));
	/* Each is then sent y, the newest picture. */
	view_done(&a);
	REQUIRE(view_next_update(&a, TIMEOUT_MS));
	CHECK(a.bound == y);
	CHECK(shows_model(&a));
	view_done(&b);
	REQUIRE(view_next_update(&b, TIMEOUT_MS));
	CHECK(b.bound == y);
	CHECK(shows_model(&b));
	view_done(&a);
	view_done(&b);
	CHECK(slowest_call_ms < CALL_MS_MAX);
	free(sx.bytes);
	free(sy.bytes);
	free(sz.bytes);
	view_close(&a);
	view_close(&b);

	struct counts n;
	harness_stop_shim(&n);
	REQUIRE(n.found);
	fprintf(stderr, "sent %llu bytes; shim: %llu copied, %llu caught up, "
		"%llu through the canvas, %llu waited, %llu superseded\n",
		sent_bytes, n.from_qemu, n.caught_up, n.via_canvas, n.waited,
		n.superseded);
	CHECK(n.waited == 9 + 32);
	/* The five before the full-screen one were never copied; the rest
	 * once each. */
	unsigned long long five = 0;
	for (uint32_t i = 0; i < 5; i++)
		five += (unsigned long long)small[i].width * small[i].height * 4;
	CHECK(n.superseded == five);
	CHECK(n.from_qemu + n.superseded == sent_bytes);
	CHECK(n.via_canvas > 0);
	CHECK(strstr(n.log, "through a canvas until a buffer is free") != NULL);
}

int
main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s EGLVIEW-SHIM CASE\n", argv[0]);
		return 2;
	}
	shim_exe = argv[1];
	static const struct test_case cases[] = {
		{ "copy-once", case_copy_once },
		{ "partial", case_partial },
		{ "hold-shown", case_hold_shown },
		{ "all-held", case_all_held },
	};
	int status = test_run_case(argv[0], cases,
				   sizeof(cases) / sizeof(cases[0]), argv[2]);
	if (shim_pid > 0 && waitpid(shim_pid, NULL, WNOHANG) == 0) {
		kill(shim_pid, SIGKILL);
		waitpid(shim_pid, NULL, 0);
	}
	return status;
}
