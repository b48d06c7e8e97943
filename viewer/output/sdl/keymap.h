/* SPDX-License-Identifier: MIT */
/*
 * SDL scancodes to Linux evdev KEY_* codes. SDL scancodes below 232 are
 * USB HID usages (page 7), so that part of the table is the HID-to-evdev
 * map of a 105-key PC keyboard plus the Japanese, Korean and extra
 * function keys; above it are SDL's own codes for media keys.
 */
#ifndef EGLVIEW_KEYMAP_H
#define EGLVIEW_KEYMAP_H

#include <stdint.h>

/* KEY_* for an SDL_Scancode value, 0 (KEY_RESERVED) when it has none. */
uint16_t keymap_sdl_to_evdev(int scancode);

/* For the unit test: the table's size (scancodes 0 .. size-1). */
int keymap_size(void);

#endif
