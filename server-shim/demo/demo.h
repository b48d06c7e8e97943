/* SPDX-License-Identifier: MIT */
/*
 * The demo source: a synthetic VM with 1..4 heads ("Virtual-1"...), a
 * keyboard and a tablet (or a relative mouse), optionally a touchscreen. It
 * draws demo_draw_frame() into a private canvas, finds what changed in
 * 64x64 tiles, and presents through a swapchain of up to three buffers,
 * never writing one that a viewer may still be reading. With verbose logs
 * (server_log_set_verbose) it logs each present.
 */
#ifndef EGLVIEW_DEMO_H
#define EGLVIEW_DEMO_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "demo/sound.h"
#include "server/server.h"

struct gbm_buffers;

struct demo_options {
	uint32_t width, height;
	uint32_t fps;              /* 0: a new frame after each input batch */
	struct gbm_buffers *gbm;   /* dmabuf buffers from it; NULL: shm */
	bool udmabuf;              /* udmabuf-backed dmabufs (gbm NULL) */
	FILE *record;              /* every input record, one line; or NULL */
	uint64_t frame_limit;      /* make frames 0..limit-1 only; 0: no limit */
	bool relative_mouse;       /* a relative mouse instead of the tablet */
	bool touch;                /* add a multi-touch screen */
	uint32_t heads;            /* 1..DEMO_MAX_HEADS; 0: 1 */
	bool resizable;            /* heads follow the viewers' HEAD_SIZE */
	const char *clipboard_text;/* offered as the clipboard's; or NULL */
	uint32_t tone_hz;          /* DEMO_TONE_MIN_HZ..MAX_HZ; 0: none */
};

#define DEMO_MAX_HEADS 4

struct demo;

/* Adds the head and the devices to server, draws and presents frame 0.
 * The clock does not run until demo_start_clock(). */
struct demo *demo_create(struct server *server,
			 const struct demo_options *options,
			 char *why, size_t why_size);
void demo_destroy(struct demo *demo);

/* The frame clock: a timerfd to poll (-1 with fps 0). */
int demo_get_timer_fd(const struct demo *demo);
void demo_start_clock(struct demo *demo);
bool demo_clock_started(const struct demo *demo);
/* Timer readable: the next frame. */
void demo_dispatch_timer(struct demo *demo);

/* The sound card (protocol minor 3): a PLAYBACK and a RECORD stream,
 * 48000 Hz, 2 channels, S16. With options.tone_hz the first plays a sine
 * of amplitude 0.5; while a viewer records into the second, head 1 shows
 * its level (demo/draw.h's meter) and the level and strongest frequency
 * of the last second are logged once a second. Their clock: a timerfd to
 * poll, armed only while there is a tone or a recording. */
int demo_get_audio_fd(const struct demo *demo);
void demo_dispatch_audio(struct demo *demo);
/* After the server's dispatch: a viewer may have started or stopped
 * recording. */
void demo_check_recording(struct demo *demo);

/* With fps 0: after the server's dispatch, the one frame the input
 * batches it delivered call for (numbered as if each had its own). */
void demo_flush_input(struct demo *demo);

/* The server's callbacks, forwarded. */
void demo_handle_input(struct demo *demo, uint32_t device_id, uint32_t kind,
		       const struct proto_input_event *ev, uint32_t n);
void demo_handle_buffer_released(struct demo *demo,
				 struct server_buffer *buffer);
/* A viewer joined: when the buffers are not among the formats every
 * viewer offers (server_viewer_formats), they are made again from that
 * set (GBM: with the offered XRGB8888 modifiers), else as shm (logged). */
void demo_handle_viewer_joined(struct demo *demo);
/* A viewer shows head at width x height (HEAD_SIZE): with
 * options.resizable the head takes that size (new buffers, the current
 * frame drawn again), else nothing. */
void demo_handle_head_size(struct demo *demo, struct server_head *head,
			   uint32_t width, uint32_t height);

/* The clipboard (protocol minor 2): a viewer's text is fetched at once
 * and shown after LAST KEY (and with --record-input written as a comment
 * line "# clipboard N bytes: TEXT"); options.clipboard_text is offered
 * and sent on request. */
void demo_handle_clipboard_grab(struct demo *demo, uint32_t selection,
				const char *const *mimes, uint32_t n_mimes);
void demo_handle_clipboard_request(struct demo *demo, uint32_t selection,
				   const char *mime, uint32_t request_id);
void demo_handle_clipboard_data(struct demo *demo, uint32_t selection,
				uint32_t status, const char *mime,
				const void *bytes, uint32_t length);
/* The UTF-8 text types the demo takes and offers. */
extern const char *const demo_text_mimes[3];

/* Frames made so far (frame numbers 0..made-1). */
uint64_t demo_frames_made(const struct demo *demo);
/* Every frame made has been presented (none waits for a free buffer). */
bool demo_all_presented(const struct demo *demo);

#endif
