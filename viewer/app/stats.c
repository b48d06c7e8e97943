/* SPDX-License-Identifier: MIT */
/*
 * --stats, at the end (main.c) and on SIGUSR1 (loop.c): the counters, each
 * head's path, each head's stage timings (man qemu-eglview, STATS).
 */
#include <inttypes.h>
#include <stdio.h>

#include "app/app.h"
#include "app/viewer.h"
#include "log.h"

/* One line for one VM (the tests parse it); with several, a line per VM
 * first ("stats: vm=NAME ..."), then the total in the same line as one. */
void
viewer_print_stats(const struct viewer *v)
{
	static const struct render_stats none;
	const struct render_stats *rs = v->renderer ?
		render_get_stats(v->renderer) : &none;
	uint64_t updates = 0;
	for (int i = 0; i < v->n_sessions; i++) {
		const struct session *s = v->sessions[i];
		uint64_t u = s->client ? client_updates(s->client) : 0;
		updates += u;
		if (v->n_sessions > 1)
			log_info("stats: vm=%s frames=%" PRIu64 " updates=%"
				 PRIu64 " connected=%d", s->label, s->frames, u,
				 s->client != NULL);
	}
	log_info("stats: frames=%" PRIu64 " bytes_uploaded=%" PRIu64
		 " rects_uploaded=%" PRIu64 " imports_shm=%" PRIu64
		 " imports_dmabuf=%" PRIu64 " releases_dmabuf=%" PRIu64
		 " imports_mmap=%" PRIu64 " updates=%" PRIu64
		 " pixels_drawn=%" PRIu64 " cpu_frames=%" PRIu64, v->frames,
		 rs->bytes_uploaded, rs->rects_uploaded, rs->imports_shm,
		 rs->imports_dmabuf, rs->releases_dmabuf, rs->imports_mmap,
		 updates, rs->pixels_drawn, rs->cpu_frames);
	/* zerocopy: each head's path, and the compositor's feedback. */
	char why[128];
	bool composed = v->n_sessions > 1 && v->out &&
			output_direct_offered(v->out, why, sizeof(why));
	for (int i = 0; i < v->n_sessions; i++) {
		if (composed)
			log_info("vm=%s: GL (several VMs share the output)",
				 v->sessions[i]->label);
		else if (v->sessions[i]->client)
			client_print_stats(v->sessions[i]->client, stderr);
	}
	output_print_stats(v->out, stderr);
	viewer_sound_print_stats(v);
	/* Stage timings, a line per head; with several VMs named by VM. */
	for (int i = 0; i < v->n_sessions; i++) {
		const struct session *s = v->sessions[i];
		if (s->client)
			client_print_timing(s->client, v->n_sessions > 1 ?
					    s->label : NULL, stderr);
	}
}
