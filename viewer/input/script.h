/* SPDX-License-Identifier: MIT */
/*
 * --input-script: input records in eglview-shim's --record-input text form,
 * one "DEVICE TYPE CODE VALUE" a line, grouped into batches that each end
 * with SYN_REPORT. Loaded and checked before connecting; sent later.
 */
#ifndef EGLVIEW_INPUT_SCRIPT_H
#define EGLVIEW_INPUT_SCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include "eglview-proto.h"

/* One INPUT message. Its device is a kind (the first server device of that
 * kind) or, when kind is 0, a device id. */
struct input_batch {
	uint32_t kind;       /* enum proto_device_kind, or 0 */
	uint32_t device_id;  /* when kind is 0 */
	int line;            /* of the closing SYN_REPORT, for messages */
	struct proto_input_event *events;
	uint32_t n_events;
};

struct input_script {
	char *path;
	struct input_batch *batches;
	size_t n_batches;
	size_t next;         /* the first batch not sent yet */
};

/* NULL after printing "FILE:LINE: what is wrong" to stderr. */
struct input_script *input_script_load(const char *path);
void input_script_destroy(struct input_script *script); /* NULL is fine */

#endif
