/* SPDX-License-Identifier: MIT */
#include "input/script.h"

#include <errno.h>
#include <linux/input-event-codes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

struct loader {
	struct input_script *script;
	const char *path;
	int line;
	size_t cap;
	/* the batch being filled */
	struct proto_input_event events[PROTO_MAX_INPUT_EVENTS];
	uint32_t n_events;
	char device[PROTO_MAX_NAME];
	int first_line;
};

static bool
parse_device(const char *s, uint32_t *kind, uint32_t *device_id)
{
	if (proto_device_kind_parse(s, kind)) {
		*device_id = 0;
		return true;
	}
	char *end;
	errno = 0;
	unsigned long id = strtoul(s, &end, 0);
	if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno != 0 ||
	    id == 0 || id > UINT32_MAX)
		return false;
	*kind = 0;
	*device_id = (uint32_t)id;
	return true;
}

static bool
close_batch(struct loader *l)
{
	struct input_script *s = l->script;
	if (s->n_batches == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct input_batch *b = realloc(s->batches, cap * sizeof(*b));
		if (!b)
			return false;
		s->batches = b;
		l->cap = cap;
	}
	struct input_batch *b = &s->batches[s->n_batches];
	*b = (struct input_batch){ .line = l->line, .n_events = l->n_events };
	/* checked when the record was read */
	parse_device(l->device, &b->kind, &b->device_id);
	b->events = malloc(l->n_events * sizeof(*b->events));
	if (!b->events)
		return false;
	memcpy(b->events, l->events, l->n_events * sizeof(*b->events));
	s->n_batches++;
	l->n_events = 0;
	return true;
}

static bool
load_line(struct loader *l, char *text)
{
	text[strcspn(text, "\r\n")] = '\0';

	char device[PROTO_MAX_NAME];
	struct proto_input_event ev;
	bool is_comment = false;
	if (!proto_record_parse(text, device, sizeof(device), &ev, &is_comment)) {
		if (is_comment)
			return true;
		fprintf(stderr, "%s:%d: cannot read \"%s\" as DEVICE TYPE CODE VALUE "
			"(e.g. \"keyboard EV_KEY KEY_A 1\")\n", l->path, l->line, text);
		return false;
	}

	uint32_t kind, id;
	if (!parse_device(device, &kind, &id)) {
		fprintf(stderr, "%s:%d: unknown device \"%s\"; use keyboard, tablet, "
			"mouse, touch or a numeric device id\n", l->path, l->line, device);
		return false;
	}
	if (l->n_events == 0) {
		snprintf(l->device, sizeof(l->device), "%s", device);
		l->first_line = l->line;
	} else if (strcmp(l->device, device) != 0) {
		fprintf(stderr, "%s:%d: device \"%s\" in a batch for \"%s\" (started "
			"on line %d); end each batch with \"%s EV_SYN SYN_REPORT 0\"\n",
			l->path, l->line, device, l->device, l->first_line, l->device);
		return false;
	}
	if (l->n_events == PROTO_MAX_INPUT_EVENTS) {
		fprintf(stderr, "%s:%d: batch started on line %d has more than %d "
			"records; end it sooner with SYN_REPORT\n",
			l->path, l->line, l->first_line, PROTO_MAX_INPUT_EVENTS);
		return false;
	}
	l->events[l->n_events++] = ev;

	if (ev.type == EV_SYN && ev.code == SYN_REPORT && !close_batch(l)) {
		fprintf(stderr, "%s:%d: out of memory\n", l->path, l->line);
		return false;
	}
	return true;
}

struct input_script *
input_script_load(const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f) {
		fprintf(stderr, "%s:0: cannot open the input script: %s\n",
			path, strerror(errno));
		return NULL;
	}

	struct loader *l = calloc(1, sizeof(*l));
	struct input_script *script = calloc(1, sizeof(*script));
	if (!l || !script || !(script->path = strdup(path))) {
		fprintf(stderr, "%s:0: out of memory\n", path);
		goto fail;
	}
	l->script = script;
	l->path = path;

	char *text = NULL;
	size_t text_size = 0;
	bool ok = true;
	while (ok && getline(&text, &text_size, f) >= 0) {
		l->line++;
		ok = load_line(l, text);
	}
	free(text);
	if (!ok)
		goto fail;
	if (ferror(f)) {
		fprintf(stderr, "%s:%d: read error\n", path, l->line);
		goto fail;
	}
	if (l->n_events > 0) {
		fprintf(stderr, "%s:%d: the batch started on line %d does not end "
			"with \"%s EV_SYN SYN_REPORT 0\"\n",
			path, l->line, l->first_line, l->device);
		goto fail;
	}
	fclose(f);
	free(l);
	return script;

fail:
	fclose(f);
	free(l);
	input_script_destroy(script);
	return NULL;
}

void
input_script_destroy(struct input_script *script)
{
	if (!script)
		return;
	for (size_t i = 0; i < script->n_batches; i++)
		free(script->batches[i].events);
	free(script->batches);
	free(script->path);
	free(script);
}
