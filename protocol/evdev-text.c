/* SPDX-License-Identifier: MIT */
/*
 * evdev names (tables generated from linux/input-event-codes.h) and the
 * one-line text form of an input record, "DEVICE TYPE CODE VALUE", that
 * the demo echoes and the tests and scripts read and write.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evdev-names.h"
#include "proto.h"

static const struct evdev_code_table *
code_table(uint16_t type)
{
	for (size_t i = 0; i < evdev_n_code_tables; i++) {
		if (evdev_code_tables[i].type == type)
			return &evdev_code_tables[i];
	}
	return NULL;
}

static int
compare_code(const void *key, const void *elem)
{
	uint16_t code = *(const uint16_t *)key;
	const struct evdev_name *e = elem;
	return (code > e->code) - (code < e->code);
}

static int
compare_name(const void *key, const void *elem)
{
	const struct evdev_name *e = elem;
	return strcmp(key, e->name);
}

const char *
proto_evdev_type_name(uint16_t type)
{
	const struct evdev_name *e = bsearch(&type, evdev_type_names,
		evdev_n_type_names, sizeof(*e), compare_code);
	return e ? e->name : NULL;
}

const char *
proto_evdev_code_name(uint16_t type, uint16_t code)
{
	const struct evdev_code_table *t = code_table(type);
	if (t == NULL)
		return NULL;
	const struct evdev_name *e = bsearch(&code, t->by_code, t->n_by_code,
					     sizeof(*e), compare_code);
	return e ? e->name : NULL;
}

/* A whole-string decimal or 0x number within 0..max. */
static bool
parse_number(const char *s, unsigned long max, unsigned long *out)
{
	if (s[0] == '\0' || s[0] == '-' || s[0] == '+' || isspace((unsigned char)s[0]))
		return false;
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 0);
	if (errno != 0 || *end != '\0' || v > max)
		return false;
	*out = v;
	return true;
}

bool
proto_evdev_type_parse(const char *s, uint16_t *type)
{
	unsigned long v;
	if (parse_number(s, UINT16_MAX, &v)) {
		*type = (uint16_t)v;
		return true;
	}
	/* Few types: a linear search in code order is enough. */
	for (size_t i = 0; i < evdev_n_type_names; i++) {
		if (strcmp(evdev_type_names[i].name, s) == 0) {
			*type = evdev_type_names[i].code;
			return true;
		}
	}
	return false;
}

bool
proto_evdev_code_parse(uint16_t type, const char *s, uint16_t *code)
{
	unsigned long v;
	if (parse_number(s, UINT16_MAX, &v)) {
		*code = (uint16_t)v;
		return true;
	}
	const struct evdev_code_table *t = code_table(type);
	if (t == NULL)
		return false;
	const struct evdev_name *e = bsearch(s, t->by_name, t->n_by_name,
					     sizeof(*e), compare_name);
	if (e == NULL)
		return false;
	*code = e->code;
	return true;
}

int
proto_record_format(char *buf, size_t size, const char *device,
		    const struct proto_input_event *ev)
{
	char type_num[8], code_num[8];
	const char *type = proto_evdev_type_name(ev->type);
	const char *code = proto_evdev_code_name(ev->type, ev->code);
	if (type == NULL) {
		snprintf(type_num, sizeof(type_num), "%u", (unsigned)ev->type);
		type = type_num;
	}
	if (code == NULL) {
		snprintf(code_num, sizeof(code_num), "%u", (unsigned)ev->code);
		code = code_num;
	}
	return snprintf(buf, size, "%s %s %s %" PRId32, device, type, code,
			(int32_t)ev->value);
}

/* The value: a signed 32-bit decimal, or a 0x number up to 0xffffffff
 * (taken as its bit pattern). */
static bool
parse_value(const char *s, uint32_t *value)
{
	char *end;
	errno = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		unsigned long long v = strtoull(s, &end, 16);
		if (errno != 0 || *end != '\0' || end == s + 2 || v > UINT32_MAX)
			return false;
		*value = (uint32_t)v;
		return true;
	}
	long long v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || v < INT32_MIN ||
	    v > INT32_MAX)
		return false;
	*value = (uint32_t)(int32_t)v;
	return true;
}

bool
proto_record_parse(const char *line, char *device, size_t device_size,
		   struct proto_input_event *ev, bool *is_comment)
{
	*is_comment = false;
	const char *p = line;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '\0' || *p == '#') {
		*is_comment = true;
		return false;
	}

	/* Four whitespace-separated fields; anything after them is wrong. */
	char fields[4][96];
	int n = 0;
	while (*p != '\0') {
		const char *start = p;
		while (*p != '\0' && !isspace((unsigned char)*p))
			p++;
		size_t len = (size_t)(p - start);
		if (n == 4 || len >= sizeof(fields[0]))
			return false;
		memcpy(fields[n], start, len);
		fields[n][len] = '\0';
		n++;
		while (isspace((unsigned char)*p))
			p++;
	}
	if (n != 4)
		return false;

	uint16_t type, code;
	uint32_t value;
	if (!proto_evdev_type_parse(fields[1], &type) ||
	    !proto_evdev_code_parse(type, fields[2], &code) ||
	    !parse_value(fields[3], &value))
		return false;
	size_t dev_len = strlen(fields[0]);
	if (dev_len >= device_size)
		return false;
	memcpy(device, fields[0], dev_len + 1);
	*ev = (struct proto_input_event){ .type = type, .code = code,
					  .value = value };
	return true;
}
