/* SPDX-License-Identifier: MIT */
/*
 * The real qemu-eglview against a raw test server, for the validation
 * table's rows a viewer checks beyond the header: a cursor hotspot off its
 * image, an axis whose code is not its bit of abs_bits or whose min > max,
 * a server HELLO that lists formats (each: ERROR BAD_VALUE naming it, exit
 * 1), and HOLD_SHOWN used only from a server whose minor version defines
 * it (the picture of the last frame tells); DEVICE_STATUS (minor 2) only
 * where LEDS was agreed, for a known keyboard with EV_LED.
 *
 * usage: test-viewer-checks QEMU_EGLVIEW CASE
 */
#include <drm_fourcc.h>
#include <errno.h>
#include <linux/input-event-codes.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.h"
#include "png-util.h"

#define W 64
#define H 48
#define STRIDE (W * 4)
#define HEAD 1
#define BUFFER 1
#define BEFORE 0xff3366ffu /* what the frame showed */
#define AFTER 0xff00ff00u  /* written into the buffer after its FRAME_DONE */

static struct harness h;

static void
send_ok(bool ok, const char *what)
{
	REQUIRE(ok, "sending %s failed: %s", what, strerror(errno));
}

/* A server HELLO of that minor version, features and formats. */
static void
send_hello(uint16_t minor, uint32_t features, uint32_t n_formats)
{
	struct {
		struct proto_hello hello;
		struct proto_format formats[1];
	} m = { .hello = { .major = PROTO_VERSION_MAJOR, .minor = minor,
			   .features = features, .name = "test-server",
			   .n_formats = n_formats },
		.formats = { { DRM_FORMAT_XRGB8888, PROTO_FORMAT_SHM,
			       DRM_FORMAT_MOD_LINEAR } } };
	memcpy(m.hello.magic, PROTO_MAGIC, sizeof(PROTO_MAGIC));
	send_ok(proto_send_msg(h.conn, PROTO_HELLO, &m, sizeof(m.hello) +
			       n_formats * sizeof(m.formats[0]), NULL, 0,
			       NULL, 0), "HELLO");
}

static void
start(const char *const *extra)
{
	harness_spawn_offscreen(&h, NULL, extra);
	harness_accept_viewer(&h);
}

/* Head 1 showing a sealed memfd of BEFORE, answered with FRAME_DONE 41;
 * returns the memfd. */
static int
show_frame(void)
{
	struct proto_head_info info = { .head_id = HEAD, .flags =
		PROTO_HEAD_ENABLED, .width = W, .height = H, .name = "test-1" };
	send_ok(proto_send_head_info(h.conn, &info), "HEAD_INFO");
	int fd = harness_memfd(STRIDE, H, BEFORE, true);
	struct proto_buffer_shm desc = { .buffer_id = BUFFER,
		.fourcc = DRM_FORMAT_XRGB8888, .width = W, .height = H,
		.stride = STRIDE };
	send_ok(proto_send_buffer_shm(h.conn, &desc, fd), "BUFFER_SHM");
	struct proto_scanout scanout = { .head_id = HEAD, .buffer_id = BUFFER,
		.flags = PROTO_SCANOUT_Y0_TOP, .width = W, .height = H };
	send_ok(proto_send_scanout(h.conn, &scanout), "SCANOUT");
	send_ok(proto_send_update(h.conn, HEAD, 41, &(struct proto_rect){
		0, 0, W, H }, 1), "UPDATE");
	harness_expect(&h, PROTO_FRAME_DONE);
	return fd;
}

/* The viewer must end with ERROR code whose text has message. */
static void
expect_error(enum proto_error code, const char *message)
{
	harness_expect(&h, PROTO_ERROR);
	const struct proto_error_msg *err = proto_packet_body(h.pkt);
	const char *text = (const char *)(err + 1);
	REQUIRE(err->code == (uint32_t)code, "ERROR %s (\"%s\"), expected %s",
		proto_error_name(err->code), text, proto_error_name(code));
	printf("the viewer sent ERROR %s: %s\n", proto_error_name(code), text);
	harness_expect_exit(&h, 1);
	harness_expect_stderr(&h, message);
}

static void
expect_bad_value(const char *message)
{
	expect_error(PROTO_ERR_BAD_VALUE, message);
}

static void
case_cursor_hotspot(void)
{
	start(NULL);
	send_hello(PROTO_VERSION_MINOR, PROTO_FEATURE_SHM | PROTO_FEATURE_CURSOR, 0);
	close(show_frame());
	struct {
		struct proto_cursor_image c;
		uint32_t px[4];
	} cur = { { .head_id = HEAD, .width = 2, .height = 2, .hot_x = 2 },
		  { 0xffffffff, 0, 0, 0xff000000 } };
	send_ok(proto_send_msg(h.conn, PROTO_CURSOR_IMAGE, &cur, sizeof(cur),
			       NULL, 0, NULL, 0), "CURSOR_IMAGE");
	expect_bad_value("hotspot 2,0 outside the 2x2 image");
}

/* A tablet whose second axis is as mutate leaves it. */
static void
send_tablet(void (*mutate)(struct proto_abs_axis *axes))
{
	struct proto_input_device dev = {
		.device_id = 5, .kind = PROTO_DEVICE_TABLET, .name = "tablet",
		.ev_bits = 1u << EV_SYN | 1u << EV_ABS, .n_abs = 2,
		.abs_bits = 1u << ABS_X | 1u << ABS_Y,
	};
	struct proto_abs_axis axes[2] = { { ABS_X, 0, 32767, 0, 0, 0 },
					  { ABS_Y, 0, 32767, 0, 0, 0 } };
	mutate(axes);
	send_ok(proto_send_input_device(h.conn, &dev, axes), "INPUT_DEVICE");
}

static void axis_code_off(struct proto_abs_axis *a) { a[1].code = ABS_Z; }
static void axis_min_over_max(struct proto_abs_axis *a) { a[1].min = 10; a[1].max = 9; }

static void
case_axis_code(void)
{
	start(NULL);
	send_hello(PROTO_VERSION_MINOR, PROTO_FEATURE_SHM | PROTO_FEATURE_INPUT, 0);
	send_tablet(axis_code_off);
	expect_bad_value("axis 1 has code 2 where abs_bits 0x3 says 1");
}

static void
case_axis_min_max(void)
{
	start(NULL);
	send_hello(PROTO_VERSION_MINOR, PROTO_FEATURE_SHM | PROTO_FEATURE_INPUT, 0);
	send_tablet(axis_min_over_max);
	expect_bad_value("axis 1 (code 1) has min 10 > max 9");
}

static void
case_server_hello_formats(void)
{
	start(NULL);
	send_hello(PROTO_VERSION_MINOR, PROTO_FEATURE_SHM, 1);
	expect_bad_value("a server's HELLO lists 1 formats");
}

/* HOLD_SHOWN is minor 1's: a viewer drawing on the CPU (--draw cpu)
 * offers it and, facing a server that sets the bit, draws straight from
 * the buffer a head shows. From a minor-0 server the bit means nothing:
 * the viewer copies what it shows, so writing the buffer after its
 * FRAME_DONE (allowed in minor 0) changes nothing that is not damaged.
 * With --damage off every frame is drawn whole, from the buffer when it
 * holds it, from its copy when not. */
static void
hold_shown_case(uint16_t minor)
{
	char png[PATH_MAX + 16];
	snprintf(png, sizeof(png), "%s/shot.png", h.dir);
	const char *args[] = { "--draw", "cpu", "--damage", "off",
			       "--snapshot", png, NULL };
	start(args);
	const struct proto_hello *vh = proto_packet_body(h.pkt);
	REQUIRE(vh->features & PROTO_FEATURE_HOLD_SHOWN, "the viewer with "
		"--draw cpu did not offer HOLD_SHOWN (features 0x%x)",
		vh->features);
	send_hello(minor, PROTO_FEATURE_SHM | PROTO_FEATURE_HOLD_SHOWN, 0);
	int fd = show_frame();
	uint32_t *px = mmap(NULL, STRIDE * H, PROT_READ | PROT_WRITE,
			    MAP_SHARED, fd, 0);
	REQUIRE(px != MAP_FAILED, "mmap: %s", strerror(errno));
	for (int i = 0; i < W * H; i++)
		px[i] = AFTER;
	munmap(px, STRIDE * H);
	close(fd);
	/* One damaged pixel: a frame drawn whole, answered. */
	send_ok(proto_send_update(h.conn, HEAD, 42, &(struct proto_rect){
		0, 0, 1, 1 }, 1), "UPDATE");
	harness_expect(&h, PROTO_FRAME_DONE);
	send_ok(proto_send_goodbye(h.conn, PROTO_BYE_SHUTDOWN, "test over"),
		"GOODBYE");
	harness_expect_exit(&h, 0);

	uint8_t *rgba;
	uint32_t w, hgt;
	REQUIRE(png_util_read_rgba(png, &rgba, &w, &hgt), "cannot read %s", png);
	REQUIRE(w == W && hgt == H, "snapshot %ux%u", w, hgt);
	uint32_t want = minor >= 1 ? AFTER : BEFORE;
	const uint8_t *p = rgba + ((size_t)30 * W + 30) * 4;
	uint32_t got = 0xff000000u | (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 |
		       p[2];
	uint8_t *p0 = rgba;
	uint32_t got0 = 0xff000000u | (uint32_t)p0[0] << 16 |
			(uint32_t)p0[1] << 8 | p0[2];
	free(rgba);
	printf("minor %u server with HOLD_SHOWN: pixel 30,30 is 0x%08x, the "
	       "damaged 0,0 0x%08x\n", minor, got, got0);
	/* Exact: the CPU copies pixels, it does not filter them. */
	REQUIRE(got0 == AFTER, "the damaged pixel is 0x%08x, not 0x%08x",
		got0, AFTER);
	REQUIRE(got == want, "pixel 30,30 is 0x%08x, expected 0x%08x (%s)",
		got, want, minor >= 1 ? "drawn from the held buffer" :
		"the viewer's copy: HOLD_SHOWN means nothing in minor 0");
}

static void case_hold_minor0(void) { hold_shown_case(0); }
static void case_hold_minor1(void) { hold_shown_case(1); }

/* --- the guest's LEDs (minor 2, LEDS) ---------------------------------- */

#define KEYBOARD 6

static void
send_keyboard(bool led)
{
	struct proto_input_device dev = {
		.device_id = KEYBOARD, .kind = PROTO_DEVICE_KEYBOARD,
		.name = "led keyboard",
		.ev_bits = 1u << EV_SYN | 1u << EV_KEY | (led ? 1u << EV_LED : 0),
	};
	dev.key_bits[KEY_CAPSLOCK / 8] |= 1u << (KEY_CAPSLOCK % 8);
	send_ok(proto_send_input_device(h.conn, &dev, NULL), "INPUT_DEVICE");
}

/* DEVICE_STATUS: the guest's Caps Lock LED on. */
static void
send_caps_on(uint32_t device)
{
	struct proto_input_event ev[2] = {
		{ EV_LED, LED_CAPSL, 1 }, { EV_SYN, SYN_REPORT, 0 } };
	send_ok(proto_send_device_status(h.conn, device, ev, 2),
		"DEVICE_STATUS");
}

static const uint32_t leds_features = PROTO_FEATURE_SHM |
	PROTO_FEATURE_INPUT | PROTO_FEATURE_LEDS;

/* Taken, said (-v), and the connection goes on. */
static void
case_device_status(void)
{
	start((const char *const[]){ "-v", NULL });
	send_hello(PROTO_VERSION_MINOR, leds_features, 0);
	send_keyboard(true);
	send_caps_on(KEYBOARD);
	close(show_frame());
	harness_expect_stderr(&h, "guest LEDs of \"led keyboard\": num off, "
			      "caps on, scroll off");
}

/* LEDS from a minor-1 server means nothing: DEVICE_STATUS is UNEXPECTED. */
static void
case_status_not_negotiated(void)
{
	start(NULL);
	send_hello(1, leds_features, 0);
	send_keyboard(true);
	send_caps_on(KEYBOARD);
	expect_error(PROTO_ERR_UNEXPECTED, "DEVICE_STATUS: the server's HELLO "
		     "did not say LEDS");
}

static void
case_status_unknown_device(void)
{
	start(NULL);
	send_hello(PROTO_VERSION_MINOR, leds_features, 0);
	send_keyboard(true);
	send_caps_on(77);
	expect_error(PROTO_ERR_UNKNOWN_ID, "DEVICE_STATUS: device 77 is not "
		     "known");
}

static void
case_status_no_led_bit(void)
{
	start(NULL);
	send_hello(PROTO_VERSION_MINOR, leds_features, 0);
	send_keyboard(false);
	send_caps_on(KEYBOARD);
	expect_bad_value("DEVICE_STATUS: device 6 is a keyboard without EV_LED");
}

static const struct {
	const char *name;
	void (*run)(void);
} cases[] = {
	{ "cursor-hotspot", case_cursor_hotspot },
	{ "axis-code", case_axis_code },
	{ "axis-min-max", case_axis_min_max },
	{ "server-hello-formats", case_server_hello_formats },
	{ "hold-minor0", case_hold_minor0 },
	{ "hold-minor1", case_hold_minor1 },
	{ "device-status", case_device_status },
	{ "status-not-negotiated", case_status_not_negotiated },
	{ "status-unknown-device", case_status_unknown_device },
	{ "status-no-led-bit", case_status_no_led_bit },
};

int
main(int argc, char *argv[])
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s QEMU_EGLVIEW CASE\n", argv[0]);
		return 2;
	}
	harness_init(&h, argv[1]);
	harness_listen(&h);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (strcmp(argv[2], cases[i].name) != 0)
			continue;
		cases[i].run();
		harness_finish(&h);
		printf("%s: passed\n", argv[2]);
		return 0;
	}
	fprintf(stderr, "unknown case %s\n", argv[2]);
	harness_finish(&h);
	return 2;
}
