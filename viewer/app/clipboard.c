/* SPDX-License-Identifier: MIT */
/*
 * The host's clipboard and the VM's (protocol minor 2, CLIPBOARD), for one
 * VM in a window: text the host copies is announced to the VM and given
 * when it asks; text the VM copies is fetched at once (SDL's clipboard
 * takes text, not a promise of it) and put on the host's. Neither side's
 * own text is sent back to it. Sizes go to --verbose, never the text.
 */
#include <stdlib.h>
#include <string.h>

#include "app/viewer.h"
#include "log.h"

#define text_mimes output_text_mimes
#define N_TEXT_MIMES OUTPUT_N_TEXT_MIMES

static struct client *
focused_client(struct viewer *v)
{
	struct client *c = v->sessions[v->focus]->client;
	return c != NULL && client_has_clipboard(c) ? c : NULL;
}

void
viewer_clipboard_host_changed(void *data)
{
	struct viewer *v = data;
	struct client *c = focused_client(v);
	if (c == NULL)
		return;
	char *text = output_get_clipboard(v->out);
	/* Nothing new: the text the VM gave us, or the one it has. */
	if (text == NULL || (v->clip_from_vm && !strcmp(text, v->clip_from_vm)) ||
	    (v->clip_host && !strcmp(text, v->clip_host))) {
		free(text);
		return;
	}
	free(v->clip_host);
	v->clip_host = text;
	log_verbose("clipboard: the host's text (%zu bytes) offered to the VM",
		    strlen(text));
	client_clipboard_grab(c, PROTO_SELECTION_CLIPBOARD, text_mimes,
			      (uint32_t)N_TEXT_MIMES);
}

void
viewer_on_clipboard_grab(void *data, uint32_t selection,
			 const char *const *mimes, uint32_t n)
{
	struct viewer *v = data;
	struct client *c = focused_client(v);
	if (c == NULL || selection != PROTO_SELECTION_CLIPBOARD)
		return;
	free(v->clip_host);
	v->clip_host = NULL; /* the host's is the VM's to replace now */
	for (size_t t = 0; t < N_TEXT_MIMES; t++) {
		for (uint32_t i = 0; i < n; i++) {
			if (strcmp(mimes[i], text_mimes[t]) == 0) {
				client_clipboard_request(c, selection, mimes[i]);
				return;
			}
		}
	}
	if (n > 0)
		log_verbose("clipboard: the VM offers no text type (%u types)",
			    n);
}

void
viewer_on_clipboard_request(void *data, uint32_t selection, const char *mime)
{
	struct viewer *v = data;
	struct client *c = v->sessions[v->focus]->client;
	const char *text = v->clip_host;
	if (selection != PROTO_SELECTION_CLIPBOARD || text == NULL) {
		client_clipboard_answer(c, selection, PROTO_CLIPBOARD_NONE, mime,
					NULL, 0);
		return;
	}
	size_t len = strlen(text);
	if (len > PROTO_MAX_CLIPBOARD) {
		log_error("clipboard: the host's text is %zu bytes, more than "
			  "the %d the VM may be given", len,
			  PROTO_MAX_CLIPBOARD);
		client_clipboard_answer(c, selection, PROTO_CLIPBOARD_TOO_LARGE,
					mime, NULL, 0);
		return;
	}
	client_clipboard_answer(c, selection, PROTO_CLIPBOARD_OK, mime, text,
				(uint32_t)len);
}

void
viewer_on_clipboard_data(void *data, uint32_t selection, uint32_t status,
			 const char *mime, const void *bytes, uint32_t length)
{
	struct viewer *v = data;
	(void)mime;
	if (selection != PROTO_SELECTION_CLIPBOARD ||
	    status != PROTO_CLIPBOARD_OK)
		return;
	char *text = malloc((size_t)length + 1);
	if (text == NULL)
		return;
	memcpy(text, bytes, length);
	text[length] = '\0';
	free(v->clip_from_vm);
	v->clip_from_vm = text;
	log_verbose("clipboard: the VM's text (%u bytes) put on the host's",
		    length);
	output_set_clipboard(v->out, text);
}
