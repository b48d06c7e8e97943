/* SPDX-License-Identifier: MIT */
/*
 * A VM coming and going as the viewer sees it: the session attaches or
 * waits, and the window follows (the grab let go, the title, the picture
 * redrawn). The session itself never steers the window.
 */
#include "app/viewer.h"
#include "log.h"

bool
viewer_vm_attach(struct viewer *v, struct session *s, int fd)
{
	bool one = v->n_sessions == 1;
	struct session_sound_events sound = viewer_sound_events;
	sound.data = v;
	struct session_display display = {
		.renderer = v->renderer,
		/* The compositor takes the guest's buffers as they are only
		 * where one VM fills the output; composed tiles are drawn
		 * with GL. */
		.direct = one ? v->out : NULL,
		.why_not_direct = "several VMs share the output",
		/* The host pointer shows the guest's cursor image for one VM;
		 * with several, each tile draws its VM's cursor itself. */
		.listener = v->out->windowed && one ? &v->cursor_listener : NULL,
		/* The host's clipboard, for one VM in a window that has one
		 * (--clipboard, off in a kiosk unless said). */
		.clipboard = one && output_has_clipboard(v->out) &&
			     v->opts->clipboard,
		/* Every VM offers its sound; the focused one is heard. */
		.sound = v->opts->no_audio ? NULL : &sound,
	};
	if (!session_attach(s, fd, &display))
		return false;
	if (s->client && !one)
		v->redraw = true; /* its tile: waiting no more */
	return true;
}

bool
viewer_vm_wait(struct viewer *v, struct session *s)
{
	if (s->client && v->opts->kiosk_quit_on_disconnect) {
		log_info("%s went away; exiting %d (--kiosk-quit on-disconnect)",
			 s->label, EXIT_DISCONNECTED);
		v->disconnected = true;
		return false;
	}
	bool focused = s->input && s->input == v->input;
	session_drop(s);
	if (focused)
		viewer_set_grab(v, false);
	session_start_waiting(s);
	v->redraw = true; /* its picture, or its tile, shows the waiting screen */
	if (v->n_sessions > 1 && focused)
		viewer_update_title(v);
	return true;
}

bool
viewer_vm_lost(struct viewer *v, struct session *s)
{
	if (v->n_sessions == 1 && !session_lost_server(s))
		return false;
	return viewer_vm_wait(v, s);
}
