/* SPDX-License-Identifier: MIT */
/*
 * Every entry of the SDL scancode -> evdev table against the reference
 * table server-shim/evdev-to-qnum.tsv (the committed copy of the shared
 * reference evdev-to-qnum.tsv; its usb_hid_usage
 * column): SDL scancodes below 232 are USB HID usages, so for those the
 * two must agree entry by entry, and every key the reference lists with a
 * usage must be in the table. SDL's own media codes are checked by name.
 */
#include <errno.h>
#include <linux/input-event-codes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <SDL2/SDL_scancode.h>

#include "check.h"
#include "output/sdl/keymap.h"

int
main(int argc, char *argv[])
{
	if (argc != 2) {
		fprintf(stderr, "usage: test-keymap evdev-to-qnum.tsv\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "r");
	if (!f) {
		/* The table is committed: without it the tree is broken, not
		 * the machine lacking something. */
		fprintf(stderr, "test-keymap: cannot open the reference table "
			"%s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	/* usage -> evdev code from the reference; -1: none listed */
	int ref[256];
	for (int i = 0; i < 256; i++)
		ref[i] = -1;
	char line[256];
	int rows = 0;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#')
			continue;
		char name[64] = "";
		int code, usage;
		unsigned qnum;
		if (sscanf(line, "%63s %d 0x%x %d", name, &code, &qnum, &usage) == 4 &&
		    usage >= 0 && usage < 256) {
			ref[usage] = code;
			rows++;
		}
	}
	fclose(f);
	CHECK(rows > 150, "only %d rows with a HID usage in %s", rows, argv[1]);

	int checked = 0;
	for (int sc = 0; sc < keymap_size(); sc++) {
		uint16_t got = keymap_sdl_to_evdev(sc);
		if (sc >= 232 || got == 0)
			continue;
		checked++;
		/* ISO's '#~' key: Linux's HID driver gives it KEY_BACKSLASH,
		 * which the reference lists under the US '\|' usage. */
		if (sc == SDL_SCANCODE_NONUSHASH) {
			CHECK(got == KEY_BACKSLASH, "NONUSHASH -> %u", got);
			continue;
		}
		/* Korean keys: HID usages LANG1/2, not in the reference. */
		if (sc == SDL_SCANCODE_LANG1 || sc == SDL_SCANCODE_LANG2) {
			CHECK(got == (sc == SDL_SCANCODE_LANG1 ? KEY_HANGEUL : KEY_HANJA),
			      "LANG%d -> %u", sc - SDL_SCANCODE_LANG1 + 1, got);
			continue;
		}
		CHECK(ref[sc] == got, "SDL scancode %d: table says %u, the "
		      "reference says %d", sc, got, ref[sc]);
	}
	/* The other way: each key the reference has a usage for (within
	 * SDL's HID range) is in the table. */
	for (int usage = 0; usage < 232; usage++) {
		if (ref[usage] < 0)
			continue;
		CHECK(keymap_sdl_to_evdev(usage) == ref[usage], "usage %d: "
		      "reference KEY %d, table %u", usage, ref[usage],
		      keymap_sdl_to_evdev(usage));
	}

	/* SDL's own media codes. */
	static const struct { int sc; uint16_t key; } media[] = {
		{ SDL_SCANCODE_AUDIONEXT, KEY_NEXTSONG },
		{ SDL_SCANCODE_AUDIOPREV, KEY_PREVIOUSSONG },
		{ SDL_SCANCODE_AUDIOSTOP, KEY_STOPCD },
		{ SDL_SCANCODE_AUDIOPLAY, KEY_PLAYPAUSE },
		{ SDL_SCANCODE_AUDIOMUTE, KEY_MUTE },
		{ SDL_SCANCODE_MEDIASELECT, KEY_MEDIA },
		{ SDL_SCANCODE_WWW, KEY_WWW },
		{ SDL_SCANCODE_MAIL, KEY_MAIL },
		{ SDL_SCANCODE_CALCULATOR, KEY_CALC },
		{ SDL_SCANCODE_COMPUTER, KEY_COMPUTER },
		{ SDL_SCANCODE_AC_SEARCH, KEY_SEARCH },
		{ SDL_SCANCODE_AC_HOME, KEY_HOMEPAGE },
		{ SDL_SCANCODE_AC_BACK, KEY_BACK },
		{ SDL_SCANCODE_AC_FORWARD, KEY_FORWARD },
		{ SDL_SCANCODE_AC_STOP, KEY_STOP },
		{ SDL_SCANCODE_AC_REFRESH, KEY_REFRESH },
		{ SDL_SCANCODE_AC_BOOKMARKS, KEY_BOOKMARKS },
		{ SDL_SCANCODE_BRIGHTNESSDOWN, KEY_BRIGHTNESSDOWN },
		{ SDL_SCANCODE_BRIGHTNESSUP, KEY_BRIGHTNESSUP },
		{ SDL_SCANCODE_DISPLAYSWITCH, KEY_SWITCHVIDEOMODE },
		{ SDL_SCANCODE_KBDILLUMTOGGLE, KEY_KBDILLUMTOGGLE },
		{ SDL_SCANCODE_KBDILLUMDOWN, KEY_KBDILLUMDOWN },
		{ SDL_SCANCODE_KBDILLUMUP, KEY_KBDILLUMUP },
		{ SDL_SCANCODE_EJECT, KEY_EJECTCD },
		{ SDL_SCANCODE_SLEEP, KEY_SLEEP },
		{ SDL_SCANCODE_AUDIOREWIND, KEY_REWIND },
		{ SDL_SCANCODE_AUDIOFASTFORWARD, KEY_FASTFORWARD },
	};
	int n_media = 0;
	for (size_t i = 0; i < sizeof(media) / sizeof(media[0]); i++) {
		CHECK(keymap_sdl_to_evdev(media[i].sc) == media[i].key,
		      "media scancode %d -> %u, want %u", media[i].sc,
		      keymap_sdl_to_evdev(media[i].sc), media[i].key);
		n_media++;
	}
	int total = 0;
	for (int sc = 0; sc < keymap_size(); sc++)
		total += keymap_sdl_to_evdev(sc) != 0;
	CHECK(total == checked + n_media, "%d entries, %d checked", total,
	      checked + n_media);
	/* A 105-key PC keyboard has 105 keys; all of them are here. */
	CHECK(checked >= 105, "only %d HID entries", checked);
	CHECK(keymap_sdl_to_evdev(-1) == 0 && keymap_sdl_to_evdev(100000) == 0,
	      "out-of-range scancodes map to a key");
	printf("%d HID entries and %d media entries checked\n", checked, n_media);
	return test_failures ? 1 : 0;
}
