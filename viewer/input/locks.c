/* SPDX-License-Identifier: MIT */
#include "input/locks.h"

#include <linux/input-event-codes.h>

static const uint16_t lock_keys[LOCKS_N] = {
	[LED_NUML] = KEY_NUMLOCK,
	[LED_CAPSL] = KEY_CAPSLOCK,
	[LED_SCROLLL] = KEY_SCROLLLOCK,
};

uint16_t
locks_key_code(uint32_t lock)
{
	for (int i = 0; i < LOCKS_N; i++) {
		if (lock == 1u << i)
			return lock_keys[i];
	}
	return 0;
}

uint32_t
locks_of_key(uint16_t code)
{
	for (int i = 0; i < LOCKS_N; i++) {
		if (code == lock_keys[i])
			return 1u << i;
	}
	return 0;
}

/* What differs, is known on both sides, is not awaiting the guest's word
 * and has tries left. */
static uint32_t
due(const struct locks *l)
{
	if (!l->focused)
		return 0;
	uint32_t diff = (l->host ^ l->guest) & l->host_known & l->guest_known &
			~l->pending;
	for (int i = 0; i < LOCKS_N; i++) {
		if (l->tries[i] >= LOCKS_MAX_TRIES)
			diff &= ~(1u << i);
	}
	return diff & ((1u << LOCKS_N) - 1);
}

uint32_t
locks_focus(struct locks *l, bool focused)
{
	l->focused = focused;
	/* A new focus: try again what the guest did not answer before. */
	l->pending = 0;
	for (int i = 0; i < LOCKS_N; i++)
		l->tries[i] = 0;
	return due(l);
}

uint32_t
locks_host(struct locks *l, uint32_t known, uint32_t state)
{
	l->host_known = known;
	l->host = state & known;
	return due(l);
}

uint32_t
locks_guest(struct locks *l, uint32_t mask, uint32_t state)
{
	l->guest = (l->guest & ~mask) | (state & mask);
	l->guest_known |= mask;
	l->pending &= ~mask;
	return due(l);
}

void
locks_key_forwarded(struct locks *l, uint32_t lock)
{
	l->pending |= lock;
}

void
locks_sent(struct locks *l, uint32_t lock)
{
	l->pending |= lock;
	l->sent++;
	for (int i = 0; i < LOCKS_N; i++) {
		if (lock == 1u << i && l->tries[i] < 255)
			l->tries[i]++;
	}
}
