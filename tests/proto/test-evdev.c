/* SPDX-License-Identifier: MIT */
/*
 * evdev names generated from linux/input-event-codes.h, checked against
 * the kernel header's own constants, and the record text form.
 */
#include <linux/input-event-codes.h>

#include "proto-test.h"

static void
test_names(void)
{
	REQUIRE_STR(proto_evdev_type_name(EV_SYN), "EV_SYN");
	REQUIRE_STR(proto_evdev_type_name(EV_KEY), "EV_KEY");
	REQUIRE_STR(proto_evdev_type_name(EV_ABS), "EV_ABS");
	REQUIRE_STR(proto_evdev_type_name(EV_LED), "EV_LED");
	REQUIRE(proto_evdev_type_name(0x1f) == NULL);

	REQUIRE_EQ(KEY_A, 30);
	REQUIRE_STR(proto_evdev_code_name(EV_KEY, 30), "KEY_A");
	REQUIRE_STR(proto_evdev_code_name(EV_KEY, KEY_ESC), "KEY_ESC");
	REQUIRE_STR(proto_evdev_code_name(EV_KEY, KEY_LEFTMETA), "KEY_LEFTMETA");
	/* Where names share a code, the real one, not a range marker or
	 * an alias. */
	REQUIRE_STR(proto_evdev_code_name(EV_KEY, 0x110), "BTN_LEFT");
	REQUIRE_STR(proto_evdev_code_name(EV_KEY, 0x100), "BTN_0");
	REQUIRE_STR(proto_evdev_code_name(EV_KEY, BTN_SOUTH), "BTN_SOUTH");
	REQUIRE_STR(proto_evdev_code_name(EV_KEY, BTN_TOUCH), "BTN_TOUCH");
	REQUIRE_STR(proto_evdev_code_name(EV_KEY, KEY_HANGEUL), "KEY_HANGEUL");
	REQUIRE_STR(proto_evdev_code_name(EV_KEY, KEY_COFFEE), "KEY_COFFEE");
	REQUIRE_STR(proto_evdev_code_name(EV_ABS, ABS_X), "ABS_X");
	REQUIRE_STR(proto_evdev_code_name(EV_ABS, ABS_MT_POSITION_Y),
		    "ABS_MT_POSITION_Y");
	REQUIRE_STR(proto_evdev_code_name(EV_REL, REL_WHEEL), "REL_WHEEL");
	REQUIRE_STR(proto_evdev_code_name(EV_SYN, SYN_REPORT), "SYN_REPORT");
	REQUIRE_STR(proto_evdev_code_name(EV_MSC, MSC_SCAN), "MSC_SCAN");
	REQUIRE_STR(proto_evdev_code_name(EV_LED, LED_CAPSL), "LED_CAPSL");
	/* Names belong to their type: code 0 of EV_REL is REL_X. */
	REQUIRE_STR(proto_evdev_code_name(EV_REL, 0), "REL_X");
	REQUIRE(proto_evdev_code_name(EV_KEY, 0x2ff) == NULL);
	REQUIRE(proto_evdev_code_name(0x1f, 0) == NULL);

	uint16_t v;
	REQUIRE(proto_evdev_type_parse("EV_REL", &v) && v == EV_REL);
	REQUIRE(proto_evdev_type_parse("3", &v) && v == 3);
	REQUIRE(proto_evdev_type_parse("0x11", &v) && v == EV_LED);
	REQUIRE(!proto_evdev_type_parse("EV_NOPE", &v));
	REQUIRE(!proto_evdev_type_parse("65536", &v));
	REQUIRE(!proto_evdev_type_parse("-1", &v));
	REQUIRE(!proto_evdev_type_parse("", &v));
	REQUIRE(proto_evdev_code_parse(EV_KEY, "KEY_A", &v) && v == 30);
	REQUIRE(proto_evdev_code_parse(EV_KEY, "BTN_LEFT", &v) && v == 0x110);
	REQUIRE(proto_evdev_code_parse(EV_KEY, "BTN_MOUSE", &v) && v == 0x110);
	REQUIRE(proto_evdev_code_parse(EV_KEY, "KEY_HANGUEL", &v) && v == KEY_HANGEUL);
	REQUIRE(proto_evdev_code_parse(EV_KEY, "BTN_A", &v) && v == BTN_SOUTH);
	REQUIRE(proto_evdev_code_parse(EV_ABS, "ABS_X", &v) && v == ABS_X);
	REQUIRE(proto_evdev_code_parse(EV_REL, "REL_WHEEL", &v) && v == REL_WHEEL);
	REQUIRE(proto_evdev_code_parse(EV_SYN, "SYN_REPORT", &v) && v == 0);
	REQUIRE(proto_evdev_code_parse(EV_KEY, "0x1e", &v) && v == 30);
	REQUIRE(!proto_evdev_code_parse(EV_REL, "KEY_A", &v));
	REQUIRE(!proto_evdev_code_parse(EV_KEY, "KEY_MAX", &v));

	/* Every printed name parses back to its code, for every key. */
	for (uint32_t code = 0; code <= KEY_MAX; code++) {
		const char *name = proto_evdev_code_name(EV_KEY, (uint16_t)code);
		if (name == NULL)
			continue;
		REQUIRE(proto_evdev_code_parse(EV_KEY, name, &v));
		REQUIRE_EQ(v, code);
	}
}

static void
round_trip(const char *line, const char *device, uint16_t type,
	   uint16_t code, uint32_t value)
{
	char dev[32];
	struct proto_input_event ev;
	bool comment = true;
	REQUIRE(proto_record_parse(line, dev, sizeof(dev), &ev, &comment));
	REQUIRE(!comment);
	REQUIRE_STR(dev, device);
	REQUIRE_EQ(ev.type, type);
	REQUIRE_EQ(ev.code, code);
	REQUIRE_EQ(ev.value, value);
	char out[128];
	int n = proto_record_format(out, sizeof(out), dev, &ev);
	REQUIRE_EQ(n, (int)strlen(out));
	struct proto_input_event back;
	REQUIRE(proto_record_parse(out, dev, sizeof(dev), &back, &comment));
	REQUIRE(memcmp(&back, &ev, sizeof(ev)) == 0);
}

static void
test_records(void)
{
	char buf[128];
	struct proto_input_event ev = { EV_KEY, KEY_A, 1 };
	REQUIRE_EQ(proto_record_format(buf, sizeof(buf), "keyboard", &ev), 23);
	REQUIRE_STR(buf, "keyboard EV_KEY KEY_A 1");
	ev = (struct proto_input_event){ EV_ABS, ABS_X, 16384 };
	proto_record_format(buf, sizeof(buf), "tablet", &ev);
	REQUIRE_STR(buf, "tablet EV_ABS ABS_X 16384");
	ev = (struct proto_input_event){ EV_SYN, SYN_REPORT, 0 };
	proto_record_format(buf, sizeof(buf), "keyboard", &ev);
	REQUIRE_STR(buf, "keyboard EV_SYN SYN_REPORT 0");
	ev = (struct proto_input_event){ EV_REL, REL_WHEEL, (uint32_t)-1 };
	proto_record_format(buf, sizeof(buf), "mouse", &ev);
	REQUIRE_STR(buf, "mouse EV_REL REL_WHEEL -1");
	ev = (struct proto_input_event){ EV_KEY, BTN_LEFT, 0 };
	proto_record_format(buf, sizeof(buf), "mouse", &ev);
	REQUIRE_STR(buf, "mouse EV_KEY BTN_LEFT 0");
	/* Unknown names print as numbers. */
	ev = (struct proto_input_event){ 0x1f, 0x2fe, 0x80000000u };
	proto_record_format(buf, sizeof(buf), "x", &ev);
	REQUIRE_STR(buf, "x 31 766 -2147483648");
	/* Truncation reports the length it wanted, like snprintf. */
	char small[8];
	ev = (struct proto_input_event){ EV_KEY, KEY_A, 1 };
	REQUIRE_EQ(proto_record_format(small, sizeof(small), "keyboard", &ev), 23);
	REQUIRE_STR(small, "keyboar");

	round_trip("keyboard EV_KEY KEY_A 1", "keyboard", EV_KEY, 30, 1);
	round_trip("  tablet\tEV_ABS ABS_X 16384  \n", "tablet", EV_ABS, 0, 16384);
	round_trip("mouse EV_REL REL_WHEEL -1", "mouse", EV_REL, REL_WHEEL,
		   0xffffffffu);
	round_trip("mouse 2 8 0x7fffffff", "mouse", EV_REL, 8, 0x7fffffffu);
	round_trip("touch EV_ABS ABS_MT_SLOT 0xffffffff", "touch", EV_ABS,
		   ABS_MT_SLOT, 0xffffffffu);
	round_trip("kbd EV_SYN SYN_REPORT 0", "kbd", EV_SYN, SYN_REPORT, 0);
	round_trip("x 31 766 -2147483648", "x", 31, 766, 0x80000000u);

	char dev[16];
	bool comment;
	const char *comments[] = { "", "   ", "\n", "# a comment",
				   "   # indented comment", "#keyboard EV_KEY KEY_A 1" };
	for (size_t i = 0; i < sizeof(comments) / sizeof(comments[0]); i++) {
		comment = false;
		REQUIRE(!proto_record_parse(comments[i], dev, sizeof(dev), &ev,
					    &comment));
		REQUIRE(comment);
	}
	const char *bad[] = {
		"keyboard EV_KEY KEY_A", "keyboard EV_KEY KEY_A 1 extra",
		"keyboard EV_NOPE KEY_A 1", "keyboard EV_REL KEY_A 1",
		"keyboard EV_KEY KEY_A one", "keyboard EV_KEY KEY_A 2147483648",
		"keyboard EV_KEY KEY_A -2147483649", "keyboard EV_KEY KEY_A 0x100000000",
		"a-device-name-too-long EV_KEY KEY_A 1", "keyboard EV_KEY KEY_A 1x",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		comment = true;
		REQUIRE(!proto_record_parse(bad[i], dev, sizeof(dev), &ev, &comment));
		REQUIRE(!comment);
	}
}

static void
test_other_names(void)
{
	REQUIRE_STR(proto_type_name(PROTO_UPDATE), "UPDATE");
	REQUIRE_STR(proto_type_name(PROTO_INPUT_DEVICE_REMOVED),
		    "INPUT_DEVICE_REMOVED");
	REQUIRE_STR(proto_type_name(0x0999), "unknown");
	REQUIRE(proto_type_known(PROTO_FRAME_DONE));
	REQUIRE(proto_type_known(PROTO_HEAD_SIZE));
	REQUIRE(proto_type_known(PROTO_DEVICE_STATUS));
	REQUIRE(proto_type_known(PROTO_AUDIO_CAPTURE_STATE));
	REQUIRE(!proto_type_known(0x0205));
	REQUIRE_STR(proto_error_name(PROTO_ERR_FD_COUNT), "FD_COUNT");
	REQUIRE_STR(proto_error_name(PROTO_ERR_INTERNAL), "INTERNAL");
	REQUIRE_STR(proto_device_kind_name(PROTO_DEVICE_TABLET), "tablet");
	uint32_t kind = 0;
	REQUIRE(proto_device_kind_parse("touch", &kind));
	REQUIRE_EQ(kind, PROTO_DEVICE_TOUCH);
	REQUIRE(!proto_device_kind_parse("joystick", &kind));

	char name[5];
	REQUIRE_STR(proto_fourcc_name(0x34325258, name), "XR24");
	const struct proto_fourcc_info *nv12 = proto_fourcc_info(0x3231564e);
	REQUIRE(nv12 != NULL);
	REQUIRE_EQ(nv12->n_planes, 2);
	REQUIRE_EQ(nv12->cpp[1], 2);
	REQUIRE_EQ(nv12->hsub, 2);
	REQUIRE(proto_fourcc_info(0x36314752) != NULL); /* RG16 */
	REQUIRE_EQ(proto_fourcc_info(0x36314752)->cpp[0], 2);
	REQUIRE(proto_fourcc_info(0x56595559) == NULL); /* YUYV */
}

int
main(void)
{
	test_names();
	test_records();
	test_other_names();
	test_done("evdev");
	return 0;
}
