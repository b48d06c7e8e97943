/* SPDX-License-Identifier: MIT */
/*
 * The keys and buttons one viewer holds down in the VM: every EV_KEY code
 * it sent with value 1 or 2 and no 0 since, per input device. When the
 * viewer goes (closes, is killed, is dropped for an error) the server
 * releases them toward the VM, so nothing stays pressed in the guest.
 */
#ifndef EGLVIEW_HELD_KEYS_H
#define EGLVIEW_HELD_KEYS_H

#include <stdbool.h>
#include <stdint.h>

#include "eglview-proto.h"

/* evdev's KEY_MAX: the highest key or button code. */
#define HELD_KEYS_MAX_CODE 0x2ff

struct held_keys_device {
	uint32_t device_id;       /* 0: slot unused */
	uint32_t n_held;
	uint64_t bits[(HELD_KEYS_MAX_CODE + 64) / 64];
};

struct held_keys {
	struct held_keys_device devices[PROTO_MAX_INPUT_DEVICES];
};

/* Takes note of one INPUT message's EV_KEY records for device_id. */
void held_keys_note(struct held_keys *held, uint32_t device_id,
		    const struct proto_input_event *ev, uint32_t n);
bool held_keys_is_held(const struct held_keys *held, uint32_t device_id,
		       uint16_t code);
/* Forgets what is held on device_id (the device was removed). */
void held_keys_forget_device(struct held_keys *held, uint32_t device_id);

struct server;
struct peer;
/* The viewer is gone: hands the source, through the input callback, a
 * release (value 0) of every code it held, one batch per device ended by
 * SYN_REPORT; a code another live viewer still holds stays down. Call it
 * where callbacks may run (the notification pass). */
void held_keys_release(struct server *server, struct peer *peer);

#endif
