/* SPDX-License-Identifier: MIT */
/*
 * The demo source's insides, shared by demo.c (the devices, the input echo,
 * the clock, the life cycle) and frames.c (each head's canvas, damage and
 * swapchain, and the buffers made again for the viewers that joined).
 */
#ifndef EGLVIEW_DEMO_PRIVATE_H
#define EGLVIEW_DEMO_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include "alloc/gbm-buffers.h"
#include "alloc/shm.h"
#include "alloc/udmabuf.h"
#include "demo/demo.h"
#include "demo/draw.h"
#include "demo/sound.h"
#include "proto.h"
#include "server/region.h"

#define SWAPCHAIN_LENGTH 3

/* How the buffers are made: chosen at start from the options, and again
 * when a viewer joins that cannot import them. */
enum demo_alloc { DEMO_ALLOC_SHM, DEMO_ALLOC_GBM, DEMO_ALLOC_UDMABUF };

struct demo_buffer {
	struct server_buffer *server_buffer;
	struct region stale;   /* canvas damage not yet copied in */
	struct shm_block shm;  /* shm buffers */
	struct gbm_buffers_bo *bo; /* GBM dmabuf buffers */
	struct udmabuf_block udmabuf; /* udmabuf-backed dmabufs */
};

/* A head: its own picture, swapchain and flow; all show the same scene
 * and frame number, each with its number in the panel. */
struct demo_head {
	struct demo *demo;
	uint32_t index;              /* 0: "Virtual-1" */
	struct server_head *head;
	uint32_t *canvas, *previous; /* XRGB8888, stride width * 4 */
	struct region damage;        /* since the last present */
	bool present_pending;

	struct demo_buffer buffers[SWAPCHAIN_LENGTH];
	struct demo_buffer *last_presented;
	uint32_t width, height;      /* --size, or as a viewer shows it */
	/* Head 1: the canvas has the level meter drawn over what
	 * meter_under keeps of the frame. */
	bool meter_drawn;
	uint32_t *meter_under;
	size_t meter_under_size;     /* pixels */
};

/* The sound card (audio.c). */
struct demo_audio {
	struct server_audio *playback, *record;
	int timer_fd;                /* armed for a tone or a recording */
	bool ticking;

	struct demo_tone tone;       /* hz 0: no --tone */
	int64_t tone_start_ns;       /* CLOCK_MONOTONIC */
	uint64_t tone_written;       /* frames, skipped ones included */

	bool recording;              /* server_audio_recording, as last seen */
	int64_t record_start_ns;
	uint64_t record_read;        /* frames since record_start_ns */
	int64_t heard_ns;            /* when the viewer's frames last came */
	uint64_t next_log;           /* record_read of the next log line */
	int64_t meter_next_ns;       /* the meter's next redraw, earliest */
	struct demo_level level;
};

struct demo {
	struct server *server;
	struct demo_options options;
	uint32_t keyboard_id, tablet_id; /* tablet_id: or the relative mouse */
	uint32_t touch_id;

	struct demo_input_state input;
	uint64_t frames_made;
	uint64_t input_batches;  /* fps 0: batches since the last frame */
	struct demo_head heads[DEMO_MAX_HEADS];
	uint32_t n_heads;

	int timer_fd;
	bool clock_started;

	struct demo_audio audio;
	bool meter_shown;            /* a viewer records: head 1 shows it */
	int32_t meter_tenths;        /* the level it shows (demo/draw.h) */

	enum demo_alloc alloc;
	uint64_t modifiers[PROTO_MAX_FORMATS]; /* GBM: the ones to pick from */
	size_t n_modifiers;
};

/* frames.c */
/* A head with no buffers yet, safe to demo_head_finish(). */
void demo_head_clear(struct demo_head *dh);
/* Adds head number index + 1 to the server with its cursor, its canvases
 * and its swapchain. */
bool demo_head_init(struct demo *demo, uint32_t index, char *why,
		    size_t why_size);
void demo_head_finish(struct demo_head *dh);
/* Draws the next frame on every head and presents what changed. */
void demo_make_frame(struct demo *demo);
/* Presents the head's pending damage in a free buffer, if there is one. */
void demo_try_present(struct demo_head *dh);
/* meter_shown or meter_tenths changed: head 1's meter drawn (or taken
 * away) without a new frame, its box the only damage. */
void demo_meter_redraw(struct demo *demo);

/* audio.c */
/* The streams, and with options.tone_hz the tone started. */
bool demo_audio_init(struct demo *demo, char *why, size_t why_size);
void demo_audio_finish(struct demo *demo);

#endif
