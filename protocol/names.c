/* SPDX-License-Identifier: MIT */
/*
 * Names of message types, error codes and device kinds, for logs, error
 * texts and the record text form.
 */
#include <string.h>

#include "proto.h"

struct name {
	uint32_t value;
	const char *name;
};

static const struct name types[] = {
	{ PROTO_HELLO, "HELLO" },
	{ PROTO_PING, "PING" },
	{ PROTO_PONG, "PONG" },
	{ PROTO_ERROR, "ERROR" },
	{ PROTO_GOODBYE, "GOODBYE" },
	{ PROTO_CLIPBOARD_GRAB, "CLIPBOARD_GRAB" },
	{ PROTO_CLIPBOARD_REQUEST, "CLIPBOARD_REQUEST" },
	{ PROTO_CLIPBOARD_DATA, "CLIPBOARD_DATA" },
	{ PROTO_HEAD_INFO, "HEAD_INFO" },
	{ PROTO_BUFFER_DMABUF, "BUFFER_DMABUF" },
	{ PROTO_BUFFER_SHM, "BUFFER_SHM" },
	{ PROTO_BUFFER_DESTROY, "BUFFER_DESTROY" },
	{ PROTO_SCANOUT, "SCANOUT" },
	{ PROTO_UPDATE, "UPDATE" },
	{ PROTO_CURSOR_IMAGE, "CURSOR_IMAGE" },
	{ PROTO_CURSOR_POS, "CURSOR_POS" },
	{ PROTO_INPUT_DEVICE, "INPUT_DEVICE" },
	{ PROTO_INPUT_DEVICE_REMOVED, "INPUT_DEVICE_REMOVED" },
	{ PROTO_DEVICE_STATUS, "DEVICE_STATUS" },
	{ PROTO_AUDIO_STREAM, "AUDIO_STREAM" },
	{ PROTO_AUDIO_STREAM_REMOVED, "AUDIO_STREAM_REMOVED" },
	{ PROTO_AUDIO_STATE, "AUDIO_STATE" },
	{ PROTO_FRAME_DONE, "FRAME_DONE" },
	{ PROTO_INPUT, "INPUT" },
	{ PROTO_HEAD_SIZE, "HEAD_SIZE" },
	{ PROTO_AUDIO_CAPTURE_STATE, "AUDIO_CAPTURE_STATE" },
};

static const struct name errors[] = {
	{ PROTO_ERR_NONE, "NONE" },
	{ PROTO_ERR_MALFORMED, "MALFORMED" },
	{ PROTO_ERR_FD_COUNT, "FD_COUNT" },
	{ PROTO_ERR_BAD_FD, "BAD_FD" },
	{ PROTO_ERR_VERSION, "VERSION" },
	{ PROTO_ERR_UNEXPECTED, "UNEXPECTED" },
	{ PROTO_ERR_BAD_VALUE, "BAD_VALUE" },
	{ PROTO_ERR_UNKNOWN_ID, "UNKNOWN_ID" },
	{ PROTO_ERR_ID_IN_USE, "ID_IN_USE" },
	{ PROTO_ERR_LIMIT, "LIMIT" },
	{ PROTO_ERR_FORMAT, "FORMAT" },
	{ PROTO_ERR_ACCESS, "ACCESS" },
	{ PROTO_ERR_INTERNAL, "INTERNAL" },
};

static const struct name kinds[] = {
	{ PROTO_DEVICE_KEYBOARD, "keyboard" },
	{ PROTO_DEVICE_TABLET, "tablet" },
	{ PROTO_DEVICE_MOUSE, "mouse" },
	{ PROTO_DEVICE_TOUCH, "touch" },
};

#define LOOKUP(table, v) lookup(table, sizeof(table) / sizeof(table[0]), v)

static const char *
lookup(const struct name *table, size_t n, uint32_t value)
{
	for (size_t i = 0; i < n; i++) {
		if (table[i].value == value)
			return table[i].name;
	}
	return NULL;
}

bool
proto_type_known(uint32_t type)
{
	return LOOKUP(types, type) != NULL;
}

const char *
proto_type_name(uint32_t type)
{
	const char *name = LOOKUP(types, type);
	return name ? name : "unknown";
}

const char *
proto_error_name(uint32_t code)
{
	const char *name = LOOKUP(errors, code);
	return name ? name : "unknown";
}

const char *
proto_device_kind_name(uint32_t kind)
{
	const char *name = LOOKUP(kinds, kind);
	return name ? name : "unknown";
}

bool
proto_device_kind_parse(const char *name, uint32_t *kind)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strcmp(kinds[i].name, name) == 0) {
			*kind = kinds[i].value;
			return true;
		}
	}
	return false;
}
