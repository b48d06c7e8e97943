/* SPDX-License-Identifier: MIT */
/*
 * Keeping the guest's lock LEDs in step with the host's lock keys
 * (PROTOCOL.md, "Lock LEDs"): which lock keys to send, and when. Bits are
 * evdev LED numbers (LED_NUML 0, LED_CAPSL 1, LED_SCROLLL 2). Pure state:
 * input.c sends the keys.
 */
#ifndef EGLVIEW_LOCKS_H
#define EGLVIEW_LOCKS_H

#include <stdbool.h>
#include <stdint.h>

#define LOCKS_N 3         /* Num, Caps, Scroll */
#define LOCKS_MAX_TRIES 3 /* toggles of one lock in one focus */

struct locks {
	uint32_t host, host_known;   /* the host's lock state, what it knows */
	uint32_t guest, guest_known; /* the guest's LEDs as last reported */
	/* Toggled (by us or by a forwarded lock key) and not reported on
	 * since: the guest has not answered yet. */
	uint32_t pending;
	uint8_t tries[LOCKS_N];      /* toggles sent in this focus */
	bool focused;
	uint64_t sent;               /* toggles sent, for --stats */
};

/* Each returns the locks whose key is to be sent now (press, release) to
 * bring the guest to the host's state; the caller sends them and calls
 * locks_sent() for each. */
uint32_t locks_focus(struct locks *l, bool focused);
uint32_t locks_host(struct locks *l, uint32_t known, uint32_t state);
/* LEDs the guest reported: those of mask are now state. */
uint32_t locks_guest(struct locks *l, uint32_t mask, uint32_t state);
/* A lock key the user pressed went to the guest: it toggles that lock,
 * which must not be toggled again before the guest says so. */
void locks_key_forwarded(struct locks *l, uint32_t lock);
void locks_sent(struct locks *l, uint32_t lock);

/* KEY_NUMLOCK, KEY_CAPSLOCK, KEY_SCROLLLOCK for lock bit `lock` (one bit);
 * the lock bit of such a key code, or 0. */
uint16_t locks_key_code(uint32_t lock);
uint32_t locks_of_key(uint16_t code);

#endif
