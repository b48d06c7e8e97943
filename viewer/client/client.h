/* SPDX-License-Identifier: MIT */
/*
 * The protocol client: one connection to a server, the state the server
 * built on it (heads, the buffer cache, input devices), and every check a
 * message must pass before it touches that state. A message that fails a
 * check ends the connection with an ERROR that says why.
 */
#ifndef EGLVIEW_CLIENT_H
#define EGLVIEW_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "input/script.h"
#include "proto.h"
#include "input/input.h"
#include "render/render.h"

struct client;

enum client_status {
	CLIENT_OK,       /* all available packets handled */
	CLIENT_GOODBYE,  /* the server said GOODBYE: a normal end */
	CLIENT_FAILED,   /* the connection ended in error; already reported */
};

/* Refuses a server running as another user (prints why). */
bool client_check_peer(int fd, const char *label);

/* Takes fd (a connected socket), makes it non-blocking and sends HELLO
 * with the renderer's formats. label names the server in messages. NULL
 * after printing why. */
struct client *client_create(int fd, const char *label, struct renderer *r);
/* The same, offering the output's zero-copy hand-off (HOLD_SHOWN in
 * HELLO) where it has one; out NULL: never, for the reason why_not
 * (--stats). offer: which of PROTO_FEATURE_RESIZE, _CLIPBOARD and _AUDIO
 * the viewer offers (client_create: all three). */
struct client *client_create_direct(int fd, const char *label,
				    struct renderer *r, struct output *out,
				    const char *why_not, uint32_t offer);
/* Sends GOODBYE(QUIT) while the connection is still up, then frees all
 * buffers and heads. NULL is fine. */
void client_destroy(struct client *c);

int client_fd(const struct client *c);

/* Reads and handles every packet available now. */
enum client_status client_read(struct client *c);
/* After CLIENT_GOODBYE or CLIENT_FAILED: the server went away (its socket
 * closed or reset, or GOODBYE SHUTDOWN or REPLACED), rather than
 * refusing us (ERROR, GOODBYE QUIT) or failing our checks; --reconnect
 * waits for it. */
bool client_server_gone(const struct client *c);

/* An UPDATE arrived since the last client_frame_done(). */
bool client_needs_draw(const struct client *c);
/* The enabled heads in layout order (left to right); returns the count. */
int client_heads(const struct client *c, struct render_head **heads);
/* Each enabled head's scanout size, layout order: sizes[2i], sizes[2i+1]
 * (0x0 before its first SCANOUT). Returns the count. */
int client_head_sizes(const struct client *c, int *sizes);
/* The enabled heads in layout order as the output shows them: id, name
 * and picture size (the scanout's source rect; before one, the mode).
 * Returns the count. */
int client_output_heads(const struct client *c, struct output_head *heads);
/* The VM's name from the server's HELLO; NULL before it. */
const char *client_server_name(const struct client *c);
/* The output size that shows every enabled head 1:1 side by side: the sum
 * of their widths by the largest height. false when no head is enabled. */
bool client_layout_size(const struct client *c, int *width, int *height);
/* FRAME_DONEs that met a full socket wait in the client: poll for
 * POLLOUT while client_wants_write(), then client_flush() (false when
 * the connection failed; reported). */
bool client_wants_write(const struct client *c);
bool client_flush(struct client *c);
/* Answers every head's pending UPDATE with FRAME_DONE. */
bool client_frame_done(struct client *c, uint64_t presented_ns);

/* true once input can be addressed: the server's devices are all
 * announced, i.e. its state reached the heads (or it takes no input). */
bool client_devices_known(const struct client *c);

enum client_send {
	CLIENT_SENT,
	CLIENT_SEND_AGAIN, /* the socket is full: wait for POLLOUT */
	CLIENT_SEND_FAILED,/* reported */
};
enum client_send client_send_input(struct client *c, const char *script_path,
				   const struct input_batch *batch);

/* A sound stream of the VM (protocol minor 3, AUDIO; client/audio.c):
 * what AUDIO_STREAM said, the last AUDIO_STATE (before one: flags 0,
 * every volume 255) and its ring, mapped (PLAYBACK read-only, RECORD
 * writable) until the stream is removed. Valid during a listener call
 * only; copy what is kept (the ring map by value: it stays mapped until
 * audio_stream_removed returned). */
struct client_audio_stream {
	uint32_t id;
	uint32_t direction;  /* PROTO_AUDIO_PLAYBACK or _RECORD */
	uint32_t format;     /* enum proto_audio_format */
	uint32_t rate, channels, capacity;
	uint32_t flags;      /* PROTO_AUDIO_ENABLED, PROTO_AUDIO_MUTED */
	uint8_t volume[PROTO_MAX_AUDIO_CHANNELS];
	struct proto_audio_ring_map ring;
	bool capture_active; /* what our last AUDIO_CAPTURE_STATE said */
};

/* What the viewer wants to hear of besides the picture. */
struct client_listener {
	void *data;
	/* A head's cursor image changed (width 0: no image). */
	void (*cursor_image)(void *data, const struct proto_cursor_image *img,
			     const uint32_t *pixels);
	/* The guest's LEDs of a keyboard (DEVICE_STATUS): those of mask
	 * (bit n: LED n) are now state. */
	void (*leds)(void *data, uint32_t device_id, uint32_t mask,
		     uint32_t state);
	/* The clipboard (client/clipboard.c). The VM owns the selection
	 * with these types (n 0: nobody owns it now). */
	void (*clipboard_grab)(void *data, uint32_t selection,
			       const char *const *mimes, uint32_t n);
	/* The VM asks for our selection's data in type mime: answer with
	 * client_clipboard_answer(). */
	void (*clipboard_request)(void *data, uint32_t selection,
				  const char *mime);
	/* The answer to client_clipboard_request(). */
	void (*clipboard_data)(void *data, uint32_t selection, uint32_t status,
			       const char *mime, const void *bytes,
			       uint32_t length);
	/* Sound (client/audio.c): a stream was announced; its AUDIO_STATE
	 * changed; it goes (also when the connection ends): its ring is
	 * unmapped when this returns, so stop reading it first. */
	void (*audio_stream)(void *data, const struct client_audio_stream *s);
	void (*audio_state)(void *data, const struct client_audio_stream *s);
	void (*audio_stream_removed)(void *data,
				     const struct client_audio_stream *s);
};
void client_set_listener(struct client *c, const struct client_listener *l);

/* The first device of a kind the server announced, or NULL. */
const struct input_device *client_device_of_kind(const struct client *c,
						 uint32_t kind);
/* Sends one batch of records to a device, waiting a moment when the socket
 * is full (interactive input is small). false when the connection failed
 * (reported). */
bool client_send_events(struct client *c, uint32_t device_id,
			const struct proto_input_event *ev, uint32_t n);

/* The guest follows the window (protocol minor 2, RESIZE; client/sizes.c):
 * head_id is shown at width x height. Once that has held for
 * CLIENT_SIZE_SETTLE_MS it is sent as HEAD_SIZE by client_send_sizes()
 * (poll no longer than client_size_timeout_ms(), -1: nothing waits); not
 * again while it stays, nor at all while it is the head's mode and
 * nothing else was asked for. Nothing without RESIZE in both HELLOs. */
#define CLIENT_SIZE_SETTLE_MS 200
void client_show_head(struct client *c, uint32_t head_id, int width,
		      int height);
int client_size_timeout_ms(const struct client *c);
/* false when the connection failed (reported). */
bool client_send_sizes(struct client *c);
uint64_t client_sizes_sent(const struct client *c);

/* The clipboard (protocol minor 2, CLIPBOARD; client/clipboard.c). Each
 * call does nothing where the HELLOs did not agree on it. The viewer took
 * the selection with these types (n 0: it let go). */
void client_clipboard_grab(struct client *c, uint32_t selection,
			   const char *const *mimes, uint32_t n);
/* Asks for the data of the VM's current grab of selection in type mime. */
void client_clipboard_request(struct client *c, uint32_t selection,
			      const char *mime);
/* Answers the VM's request for our selection: status PROTO_CLIPBOARD_OK
 * with length bytes, or NONE / TOO_LARGE. */
void client_clipboard_answer(struct client *c, uint32_t selection,
			     uint32_t status, const char *mime,
			     const void *bytes, uint32_t length);
bool client_has_clipboard(const struct client *c);

/* Sound (protocol minor 3, AUDIO; client/audio.c). Whether both HELLOs
 * said AUDIO. */
bool client_has_audio(const struct client *c);
/* The live streams, in announcement order; returns the count. */
int client_audio_streams(const struct client *c,
			 const struct client_audio_stream **out);
/* Tells the server whether we record into RECORD stream stream_id now
 * (AUDIO_CAPTURE_STATE); nothing when it says what the last one did.
 * false when the connection failed (reported). */
bool client_send_audio_capture_state(struct client *c, uint32_t stream_id,
				     bool active);

/* Counters for --stats. */
uint64_t client_updates(const struct client *c);
/* DEVICE_STATUS messages received. */
uint64_t client_leds_received(const struct client *c);
/* --stats: per head, the path it is on (zero-copy or GL, and why) and
 * its frames on each; nothing for outputs without a hand-off. */
void client_print_stats(const struct client *c, FILE *f);
/* --stats and SIGUSR1: a view's GL frame (render calls, present, pixels
 * redrawn), counted for each of heads that is this client's. */
struct client_view_frame {
	uint64_t draw_ns, present_ns;
	uint64_t pixels_drawn;
};
void client_note_view_frame(struct client *c, struct render_head *const *heads,
			    int n_heads, const struct client_view_frame *f);
/* A line per head (client/timing.h), "vm=VM " in it unless vm is NULL. */
void client_print_timing(const struct client *c, const char *vm, FILE *f);

#endif
