/* SPDX-License-Identifier: MIT */
/*
 * Inside the protocol client: the state shared by client.c (the connection,
 * the handshake, the read loop) and client/messages.c (the display and
 * input messages that build heads, buffers and devices).
 */
#ifndef EGLVIEW_CLIENT_STATE_H
#define EGLVIEW_CLIENT_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "client/client.h"
#include "client/timing.h"
#include "input/input.h"
#include "proto.h"

struct client_head {
	uint32_t id;
	struct proto_head_info info;
	struct render_head *render;
	uint32_t buffer_id;          /* 0: none bound */
	struct proto_scanout scanout;
	bool update_pending;         /* one outstanding UPDATE per head */
	uint32_t pending_seq;
	/* Its FRAME_DONE met a full socket: sent by client_flush(). */
	bool done_owed;
	uint64_t owed_ns;
	/* Zero-copy (client/direct.c). */
	bool direct;                 /* the compositor shows its buffer */
	bool direct_update;          /* the pending UPDATE went that way */
	bool direct_dmabuf;          /* its last one as linux-dmabuf, not wl_shm */
	char path_why[160];          /* why GL, for --stats; "" while direct */
	uint64_t direct_frames, gl_frames;
	struct timing_head *timing;  /* --stats (client/timing.h) */
	/* The size it is shown at (client/sizes.c): wanted since want_ns,
	 * and the last one sent in HEAD_SIZE (0: none). */
	uint32_t want_w, want_h, sent_w, sent_h;
	uint64_t want_ns;
};

/* The buffer cache: one import per buffer id, reused by every frame. */
struct client_buffer {
	uint32_t id;
	uint32_t width, height;
	struct render_buffer *render;
	/* What the zero-copy path hands over: the description and a dup
	 * of the shm fd (-1 for a dma-buf, which it does not hand over). */
	struct output_direct_buffer direct;
	struct proto_buffer_shm shm;
	struct proto_buffer_dmabuf dmabuf;
};

struct client_device {
	uint32_t id;
	uint32_t kind;
	char name[PROTO_MAX_NAME];
	struct input_device info;    /* as announced, axes included */
	uint32_t leds, leds_known;   /* DEVICE_STATUS: bit n is LED n */
};

struct client {
	int fd;
	bool connected;              /* false after an ERROR or GOODBYE either way */
	bool server_gone;            /* EOF, reset, GOODBYE SHUTDOWN/REPLACED */
	char label[PROTO_MAX_NAME + 64];
	struct renderer *renderer;
	const struct proto_format *formats;
	uint32_t n_formats;
	struct proto_packet *pkt;

	bool hello_received;
	uint32_t server_features;
	char server_name[PROTO_MAX_NAME + 1]; /* the VM's name from HELLO */

	struct client_head heads[PROTO_MAX_HEADS];
	int n_heads;
	struct client_buffer buffers[PROTO_MAX_BUFFERS];
	int n_buffers;
	struct client_device devices[PROTO_MAX_INPUT_DEVICES];
	int n_devices;

	bool needs_draw;
	uint64_t updates;
	uint64_t leds_received;      /* DEVICE_STATUS messages */
	uint64_t sizes_sent;         /* HEAD_SIZE messages */
	bool resize_offered, resize; /* RESIZE in our HELLO, in both */
	bool clipboard_offered, clipboard; /* CLIPBOARD, likewise */
	/* Per selection: the highest serial seen, ours when we own it
	 * (0: we do not), the VM's grab we may ask for (0: none), the grab
	 * of ours a request was about (answered by client_clipboard_answer). */
	struct client_selection {
		uint32_t seen, ours, theirs, asked;
	} sel[2];
	uint64_t clipboard_in, clipboard_out; /* bytes, for --stats */
	bool audio_offered, audio;   /* AUDIO in our HELLO, in both */
	struct client_audio_stream audio_streams[PROTO_MAX_AUDIO_STREAMS];
	int n_audio_streams;
	uint64_t read_ns;            /* when the packet in hand was read */

	struct client_listener listener;

	/* Zero-copy: the output to hand buffers to (NULL: never), whether
	 * it takes them (direct_offered), whether our HELLO said HOLD_SHOWN
	 * (for the hand-off, or for a renderer that reads shown buffers when
	 * it draws) and both did (hold), and why not. */
	struct output *out;
	bool direct_offered, hold_offered, hold;
	char no_hold_why[160];
};

/* After a failed send of a small message: errno EAGAIN and the socket
 * took more within a second, so it is worth trying again. */
bool client_may_retry(int fd);

/* Sends ERROR(code, why), prints "protocol error from LABEL: why" and
 * marks the connection ended. Always returns false. */
bool client_fail(struct client *c, enum proto_error code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* client/clipboard.c: CLIPBOARD_GRAB, _REQUEST and _DATA; false after
 * client_fail(). */
bool client_handle_clipboard(struct client *c, struct proto_packet *pkt);

/* client/audio.c: AUDIO_STREAM, _STREAM_REMOVED and _STATE; false
 * after client_fail(). */
bool client_handle_audio(struct client *c, struct proto_packet *pkt);
/* Every stream removed (told to the listener) and its ring unmapped. */
void client_release_audio(struct client *c);

/* Handles HEAD_INFO .. DEVICE_STATUS; false after client_fail(). */
bool client_handle_display(struct client *c, struct proto_packet *pkt);

/* client/direct.c: the zero-copy hand-off. */
/* A dup of a new shm buffer's fd when the hand-off may use it, else -1. */
int client_direct_keep_fd(const struct client *c, int fd);
/* Keeps what the hand-off needs of a new buffer; owns shm_fd (or -1)
 * and dmabuf_fds (PROTO_MAX_PLANES of them, -1 for none; or NULL). */
void client_direct_buffer_added(struct client *c, struct client_buffer *buf,
				const struct proto_buffer_shm *shm,
				const struct proto_buffer_dmabuf *dmabuf, int shm_fd,
				const int *dmabuf_fds);
void client_direct_buffer_gone(struct client *c, struct client_buffer *buf);
/* The buffer was copied to another slot: its pointers follow. */
void client_direct_buffer_moved(struct client_buffer *buf);
/* Offers the UPDATE to the output: true when it goes direct (nothing to
 * upload); false: the render head shows the buffer (bound again after
 * the direct path, so the whole rect uploads) and the caller uploads. */
bool client_direct_update(struct client *c, struct client_head *head,
			  struct client_buffer *buf,
			  const struct proto_rect *rects, uint32_t n_rects);
/* The output took the head off the direct path by itself: GL shows it
 * again, its whole source rect uploaded now. */
void client_direct_left(void *data, uint32_t head_id, const char *why);
/* The render head of a direct head stays bound to nothing. */
bool client_direct_keeps_unbound(const struct client_head *head);
void client_direct_head_gone(struct client *c, struct client_head *head);
/* A head's guest cursor to the output too; true: it showed it without a
 * GL frame (a direct head), so no frame need be drawn for it. */
bool client_direct_cursor_image(struct client *c,
				const struct proto_cursor_image *img,
				const uint32_t *pixels);
bool client_direct_cursor_pos(struct client *c,
			      const struct proto_cursor_pos *pos);

/* Drops every buffer and head (at the end of the connection). */
void client_release_objects(struct client *c);

#endif
