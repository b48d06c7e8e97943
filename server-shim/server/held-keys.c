/* SPDX-License-Identifier: MIT */
#include "server/held-keys.h"

#include <stddef.h>

#include "server/private.h"

#define EV_KEY_TYPE 0x01

static struct held_keys_device *
find(struct held_keys *held, uint32_t device_id, bool create)
{
	struct held_keys_device *free_slot = NULL;
	for (size_t i = 0; i < PROTO_MAX_INPUT_DEVICES; i++) {
		struct held_keys_device *d = &held->devices[i];
		if (d->device_id == device_id)
			return d;
		if (d->device_id == 0 && free_slot == NULL)
			free_slot = d;
	}
	if (!create || free_slot == NULL)
		return NULL;
	*free_slot = (struct held_keys_device){ .device_id = device_id };
	return free_slot;
}

void
held_keys_note(struct held_keys *held, uint32_t device_id,
	       const struct proto_input_event *ev, uint32_t n)
{
	if (device_id == 0)
		return;
	struct held_keys_device *d = NULL;
	for (uint32_t i = 0; i < n; i++) {
		if (ev[i].type != EV_KEY_TYPE || ev[i].code > HELD_KEYS_MAX_CODE)
			continue;
		/* The server holds at most as many devices as there are
		 * slots, so a slot is always found for a live device. */
		if (d == NULL && (d = find(held, device_id, true)) == NULL)
			return;
		uint64_t bit = UINT64_C(1) << (ev[i].code % 64);
		uint64_t *word = &d->bits[ev[i].code / 64];
		bool was = *word & bit;
		/* 1 press, 2 auto-repeat (still down), 0 release. */
		if (ev[i].value != 0 && !was) {
			*word |= bit;
			d->n_held++;
		} else if (ev[i].value == 0 && was) {
			*word &= ~bit;
			d->n_held--;
		}
	}
	if (d != NULL && d->n_held == 0)
		d->device_id = 0;
}

bool
held_keys_is_held(const struct held_keys *held, uint32_t device_id,
		  uint16_t code)
{
	if (code > HELD_KEYS_MAX_CODE)
		return false;
	for (size_t i = 0; i < PROTO_MAX_INPUT_DEVICES; i++) {
		const struct held_keys_device *d = &held->devices[i];
		if (d->device_id == device_id && device_id != 0)
			return d->bits[code / 64] & (UINT64_C(1) << (code % 64));
	}
	return false;
}

void
held_keys_forget_device(struct held_keys *held, uint32_t device_id)
{
	struct held_keys_device *d = find(held, device_id, false);
	if (d != NULL && device_id != 0)
		*d = (struct held_keys_device){ 0 };
}

static bool
held_elsewhere(struct server *server, struct peer *gone, uint32_t device_id,
	       uint16_t code)
{
	for (struct peer *p = server->peers; p != NULL; p = p->next) {
		if (p != gone && p->state == PEER_READY &&
		    held_keys_is_held(&p->held, device_id, code))
			return true;
	}
	return false;
}

void
held_keys_release(struct server *server, struct peer *peer)
{
	/* Every code a device can hold, and the SYN_REPORT. */
	struct proto_input_event ev[HELD_KEYS_MAX_CODE + 2];
	for (size_t i = 0; i < PROTO_MAX_INPUT_DEVICES; i++) {
		struct held_keys_device *d = &peer->held.devices[i];
		if (d->device_id == 0 || d->n_held == 0)
			continue;
		uint32_t id = d->device_id;
		uint32_t n = 0;
		for (uint16_t code = 0; code <= HELD_KEYS_MAX_CODE; code++) {
			if (!(d->bits[code / 64] & (UINT64_C(1) << (code % 64))) ||
			    held_elsewhere(server, peer, id, code))
				continue;
			ev[n++] = (struct proto_input_event){
				.type = EV_KEY_TYPE, .code = code, .value = 0 };
		}
		*d = (struct held_keys_device){ 0 };
		struct server_device *dev = server_find_device(server, id);
		if (n == 0 || dev == NULL)
			continue;
		ev[n++] = (struct proto_input_event){ 0 }; /* SYN_REPORT */
		server_log_verbose("viewer %u (pid %d) left with %u keys or "
				   "buttons held on device %u; releasing them",
				   peer->number, (int)peer->pid, n - 1, id);
		if (server->cb.input != NULL)
			server->cb.input(server->data, id, dev->info.kind, ev, n);
	}
}
