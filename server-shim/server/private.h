/* SPDX-License-Identifier: MIT */
/*
 * Inside libeglview-server: the objects server.c (the source's side: heads,
 * buffers, devices, the socket) and peer.c with receive.c (one viewer
 * connection each: what it is sent, what it sends) share.
 */
#ifndef EGLVIEW_SERVER_PRIVATE_H
#define EGLVIEW_SERVER_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "proto.h"
#include "server/held-keys.h"
#include "server/log.h"
#include "server/region.h"
#include "server/server.h"

/* A viewer that sends more INPUT messages than this within one second is
 * flooding (a 1000 Hz mouse sends 1000) and is dropped with ERROR LIMIT. */
#define SERVER_MAX_INPUT_PER_SECOND 4096

/* Device ids a viewer was told are removed, remembered so that INPUT
 * which crossed the INPUT_DEVICE_REMOVED on the wire is ignored rather
 * than refused (PROTOCOL.md, Input). A crossing lasts one round trip; a
 * source replaces a pointer on each Mouse.IsAbsolute flip, so twice the
 * device limit is ample. */
#define PEER_REMOVED_DEVICES (2 * PROTO_MAX_INPUT_DEVICES)

struct server_head {
	struct server *server;
	uint32_t id;         /* index + 1 */
	char name[32];
	uint32_t width, height;
	bool enabled;
	struct server_buffer *current; /* newest presented, NULL: none */
	uint32_t scanout_flags;

	bool has_cursor_image;
	struct proto_cursor_image cursor;
	uint32_t *cursor_pixels;
	bool has_cursor_pos;
	struct proto_cursor_pos cursor_pos;
};

struct server_buffer {
	struct server *server;
	struct server_buffer *prev, *next;
	uint32_t id;
	bool is_dmabuf;
	uint32_t fourcc;
	uint64_t modifier;   /* dmabuf only */
	uint32_t width, height;
	uint32_t n_planes;
	int fds[PROTO_MAX_PLANES];
	uint32_t offsets[PROTO_MAX_PLANES];
	uint32_t strides[PROTO_MAX_PLANES];
	uint64_t shm_offset;
	/* (viewer, head) pairs with an outstanding UPDATE showing it. */
	uint32_t holds;
	bool release_pending; /* holds reached 0; buffer_released not yet called */
	bool hold_shown;      /* HOLD_SHOWN may hold it past FRAME_DONE */
	void *user_data;
};

struct server_device {
	struct proto_input_device info;
	struct proto_abs_axis axes[PROTO_MAX_ABS_AXES];
	/* A keyboard with EV_LED: the guest's LEDs (bit n: LED n) and the
	 * ones it reports (Num, Caps, Scroll and any set since). */
	uint32_t leds, leds_reported;
};

enum peer_state {
	PEER_HANDSHAKE, /* our HELLO sent, theirs not yet received */
	PEER_READY,
	PEER_DEAD,      /* closed; freed by the notification pass */
};

/* An audio stream (audio.c); the server's audio[slot]. */
struct server_audio {
	struct server *server;
	int slot;                    /* server->audio[slot] is this one */
	struct proto_audio_stream info;
	struct proto_audio_state state;
	uint32_t frame_bytes;
	/* PLAYBACK: the one ring every viewer reads (-1 for RECORD). */
	int ring_fd;
	struct proto_audio_ring_map ring;
};

/* What one viewer has of the audio stream in the same slot. */
struct peer_audio {
	uint32_t stream_id;          /* 0: it was not told of one */
	/* RECORD: its own ring, which it writes and we read. */
	int fd;
	struct proto_audio_ring_map ring;
	uint64_t read_pos;
	uint64_t dropped;            /* frames it recorded that we skipped */
	bool active;                 /* AUDIO_CAPTURE_STATE ACTIVE */
	uint64_t active_serial;      /* the newest active one records */
};

/* What one viewer has of one head. */
struct peer_head {
	struct server_buffer *bound; /* per our last SCANOUT, NULL: none */
	uint32_t bound_flags;
	bool outstanding;            /* an UPDATE awaits its FRAME_DONE */
	uint32_t seq;
	struct server_buffer *held;  /* the buffer that UPDATE showed */
	/* HOLD_SHOWN: the buffer the last answered UPDATE showed, which the
	 * viewer's compositor may still read (PROTOCOL.md, "Held buffers"). */
	struct server_buffer *shown;
	bool pending;                /* presented since the last UPDATE */
	struct region damage;        /* since the last UPDATE sent */
	bool refused;                /* current buffer's format not offered */
};

struct peer {
	struct server *server;
	struct peer *prev, *next;
	int fd;
	uint32_t number;
	pid_t pid;
	enum peer_state state;
	bool join_pending, left_pending;
	char name[PROTO_MAX_NAME];
	uint32_t features;
	bool hold_offered;          /* our HELLO said HOLD_SHOWN */
	struct proto_format *formats;
	uint32_t n_formats;
	uint32_t next_seq;
	uint64_t input_window_ns;  /* when the current one-second window began */
	uint32_t input_in_window;  /* INPUT messages received in it */
	struct held_keys held;     /* released toward the VM when it goes */
	/* The newest PEER_REMOVED_DEVICES ids removed while it was there:
	 * removed[n % PEER_REMOVED_DEVICES], n_removed counting all. */
	uint32_t removed[PEER_REMOVED_DEVICES];
	uint32_t n_removed;
	uint32_t known[PROTO_MAX_BUFFERS]; /* buffer ids announced and live */
	uint32_t n_known;
	struct peer_head heads[PROTO_MAX_HEADS];
	struct peer_audio audio[PROTO_MAX_AUDIO_STREAMS];
};

/* The clipboard (clipboard.c): who owns a selection. */
#define SERVER_OWNER_NONE 0
#define SERVER_OWNER_SOURCE UINT32_MAX /* else a peer's number */
struct server_selection {
	uint32_t owner;
	uint32_t serial;           /* the highest seen */
	char mimes[PROTO_MAX_MIMES][PROTO_MAX_MIME];
	uint32_t n_mimes;
};
/* A request in flight, from a peer (or the source) to the owner. */
#define SERVER_CLIPBOARD_PENDING 16
struct server_clip_request {
	uint32_t id;               /* 0: a free slot */
	uint32_t from, to;         /* peer numbers or SERVER_OWNER_SOURCE */
	uint32_t selection, serial;
	char mime[PROTO_MAX_MIME];
};

struct server {
	char *socket_path;
	char vm_name[PROTO_MAX_NAME];
	struct server_callbacks cb;
	void *data;
	bool hold_shown;          /* HOLD_SHOWN offered (server_set_hold_shown) */

	int listen_fd;
	int epoll_fd;
	struct proto_packet *pkt; /* receive buffer, too big for the stack */

	struct server_head *heads[PROTO_MAX_HEADS];
	uint32_t n_heads;
	struct server_device *devices[PROTO_MAX_INPUT_DEVICES];
	uint32_t next_device_id;
	struct server_buffer *buffers; /* list head */
	uint32_t next_buffer_id;
	struct peer *peers;            /* list head */
	uint32_t next_peer_number;
	struct server_selection selections[2]; /* clipboard, primary */
	struct server_clip_request clip_pending[SERVER_CLIPBOARD_PENDING];
	uint32_t next_clip_request;
	struct server_audio *audio[PROTO_MAX_AUDIO_STREAMS];
	uint32_t next_audio_id;       /* from 1 */
	uint64_t audio_serial;        /* AUDIO_CAPTURE_STATE ACTIVE counter */

	/* Callbacks run only when the outermost API call returns, so that
	 * no callback finds the server half way through a change. */
	int depth;
};

void server_enter(struct server *server);
void server_leave(struct server *server);

struct server_device *server_find_device(struct server *server, uint32_t id);
struct server_head *server_find_head(struct server *server, uint32_t id);
void server_buffer_hold(struct server_buffer *buffer);
void server_buffer_unhold(struct server_buffer *buffer);

/* peer.c: one viewer connection, what it is sent */
struct peer *peer_create(struct server *server, int fd, pid_t pid);
void peer_free(struct peer *peer);
/* A line about the connection, "viewer N (pid P): " first. */
void peer_log(const struct peer *peer, enum server_log_level level,
	      const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Every send goes through it: false (and the viewer dropped, logged)
 * when ok is false. */
bool peer_sent(struct peer *peer, bool ok, uint32_t type);
/* Logs why, tells the viewer (ERROR code why) and closes it. */
void peer_fail(struct peer *peer, enum proto_error code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Closes the connection without a word; state DEAD. */
void peer_close(struct peer *peer);
/* Sends what is pending for head, unless an UPDATE is outstanding. */
void peer_flush_head(struct peer *peer, struct server_head *head);
/* Damage presented on head: merged into what the viewer has pending. */
void peer_head_damage(struct peer *peer, struct server_head *head,
		      const struct region *damage);
void peer_send_head_info(struct peer *peer, struct server_head *head);
void peer_send_cursor(struct peer *peer, struct server_head *head,
		      bool image, bool pos);
void peer_send_device(struct peer *peer, struct server_device *dev);
/* Also remembers id as removed (peer_device_was_removed). */
void peer_send_device_removed(struct peer *peer, uint32_t id);
/* The clipboard's messages (CLIPBOARD negotiated only). */
void peer_send_clipboard_grab(struct peer *peer, uint32_t selection,
			      uint32_t serial, const char *const *mimes,
			      uint32_t n_mimes);
void peer_send_clipboard_request(struct peer *peer, uint32_t selection,
				 uint32_t serial, const char *mime);
void peer_send_clipboard_data(struct peer *peer, uint32_t selection,
			      uint32_t serial, uint32_t status,
			      const char *mime, const void *data,
			      uint32_t length);

/* clipboard.c: what a viewer sent, the state a joiner gets, a viewer
 * gone (its selections are nobody's, its requests answered NONE). */
void server_clipboard_viewer_grab(struct peer *peer,
				  const struct proto_clipboard_grab *grab);
void server_clipboard_viewer_request(struct peer *peer,
				     const struct proto_clipboard_request *req);
void server_clipboard_viewer_data(struct peer *peer,
				  const struct proto_clipboard_data *data);
void server_clipboard_state(struct peer *peer);
void server_clipboard_peer_gone(struct server *server, struct peer *peer);

/* DEVICE_STATUS with the LEDs of mask (LEDS negotiated only). */
void peer_send_device_leds(struct peer *peer, const struct server_device *dev,
			   uint32_t mask);
bool peer_device_was_removed(const struct peer *peer, uint32_t id);
void peer_send_pong(struct peer *peer, uint32_t serial);
/* After its HELLO: the devices, heads, pictures and cursors there are. */
void peer_send_state(struct peer *peer);
/* buffers.c: unlinks the buffer and closes its fds. */
void server_buffer_free(struct server_buffer *buffer);
void peer_forget_buffer(struct peer *peer, struct server_buffer *buffer);
/* HOLD_SHOWN: the head no longer shows anything to this viewer (bound to
 * no buffer, disabled): the buffer it showed is free. */
void peer_drop_shown(struct peer *peer, struct server_head *head);
void peer_goodbye(struct peer *peer, enum proto_goodbye_reason reason,
		  const char *text);

/* audio.c: the streams a joiner is told of (AUDIO negotiated), a
 * viewer's slot let go (its RECORD ring unmapped), what it says of
 * recording, and every stream's end with the server's. */
void peer_send_audio(struct peer *peer);
void peer_audio_forget(struct peer *peer, int slot);
void server_audio_capture_state(struct peer *peer,
				const struct proto_audio_capture_state *cs);
void server_audio_destroy_all(struct server *server);

/* receive.c: what the viewer sends. Handles the packets that are ready
 * (a bounded number: epoll comes back for the rest). */
void peer_handle_readable(struct peer *peer);

#endif
