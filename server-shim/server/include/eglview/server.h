/* SPDX-License-Identifier: MIT */
/*
 * libeglview-server: serves qemu-eglview viewers on a unix socket. A source
 * (the demo, a QEMU bridge, a VMM) creates heads, buffers and input devices
 * and presents frames; the library announces them to every viewer, keeps
 * one UPDATE outstanding per viewer and head (coalescing damage meanwhile),
 * tells the source which buffers a viewer may still be reading, and hands
 * back the viewers' input records, validated.
 *
 * Single-threaded and non-blocking: the caller polls server_get_fd() and
 * calls server_dispatch() when it is readable. No call blocks; a viewer
 * whose socket is full is dropped, never waited for.
 *
 * The installed header: <eglview/server.h> (pkg-config eglview-server);
 * libeglview-server(3) documents it. Nothing else of the library is
 * public, and the shared library exports exactly what is declared here.
 */
#ifndef EGLVIEW_SERVER_H
#define EGLVIEW_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The wire protocol's structs and constants (installed beside this file):
 * the input records, rects, device descriptions and PROTO_* flags this
 * API takes are the protocol's own. */
#include "eglview-proto.h"

/* The version of this API (see "VERSIONING" in libeglview-server(3)):
 * the major is the soname's (libeglview-server.so.0) and changes when the
 * ABI breaks; a minor adds functions (and never changes or removes one).
 * server_version() says which library was loaded at run time. */
#define EGLVIEW_SERVER_VERSION_MAJOR 0
#define EGLVIEW_SERVER_VERSION_MINOR 2
#define EGLVIEW_SERVER_VERSION \
	((EGLVIEW_SERVER_VERSION_MAJOR << 16) | EGLVIEW_SERVER_VERSION_MINOR)
/* True when the header is of at least version major.minor (of the same
 * major). */
#define EGLVIEW_SERVER_CHECK_VERSION(major, minor) \
	(EGLVIEW_SERVER_VERSION_MAJOR == (major) && \
	 EGLVIEW_SERVER_VERSION_MINOR >= (minor))

/* EGLVIEW_SERVER_VERSION of the library loaded: major << 16 | minor. */
uint32_t server_version(void);

struct server;
struct server_head;
struct server_buffer;

/* Copied by server_create(). It changes (a member added, moved or
 * retyped) only with a new major version: a program built against this
 * header passes exactly this struct. */
struct server_callbacks {
	/* One INPUT message: n records for device_id (of enum
	 * proto_device_kind kind), the last one SYN_REPORT. Already
	 * validated: the device exists and every record's type is in its
	 * ev_bits. */
	void (*input)(void *data, uint32_t device_id, uint32_t kind,
		      const struct proto_input_event *ev, uint32_t n);
	/* buffer stopped being busy (server_buffer_busy() is now false):
	 * the source may write into it again. */
	void (*buffer_released)(void *data, struct server_buffer *buffer);
	/* A viewer completed its handshake / a handshaken viewer left;
	 * count is the number of handshaken viewers now. */
	void (*viewer_joined)(void *data, size_t count);
	void (*viewer_left)(void *data, size_t count);
	/* A viewer shows head at width x height pixels (width_mm x
	 * height_mm, 0 unknown): HEAD_SIZE, protocol minor 2. The source may
	 * change the head's mode to it (server_head_set_size and a buffer of
	 * that size) or keep it. Set: the server offers RESIZE in its HELLO;
	 * NULL: it does not, and a viewer's HEAD_SIZE is an error. */
	void (*head_size)(void *data, struct server_head *head, uint32_t width,
			  uint32_t height, uint32_t width_mm,
			  uint32_t height_mm);
	/* The clipboard (protocol minor 2, CLIPBOARD; set clipboard_grab
	 * and the server offers it). A viewer took the selection (0
	 * CLIPBOARD, 1 PRIMARY) with these types (n_mimes 0: it is nobody's
	 * now, e.g. its owner left). */
	void (*clipboard_grab)(void *data, uint32_t selection,
			       const char *const *mimes, uint32_t n_mimes);
	/* A viewer asks for the data of the source's grab of selection in
	 * type mime: answer with server_clipboard_answer(request_id, ...),
	 * now or later. */
	void (*clipboard_request)(void *data, uint32_t selection,
				  const char *mime, uint32_t request_id);
	/* The answer to server_clipboard_request(): status
	 * PROTO_CLIPBOARD_OK with length bytes, or NONE / TOO_LARGE. */
	void (*clipboard_data)(void *data, uint32_t selection, uint32_t status,
			       const char *mime, const void *bytes,
			       uint32_t length);
};

/* Listens on socket_path (proto_listen: directory 0700, socket 0600, a
 * stale socket replaced). vm_name goes into the HELLO sent to viewers.
 * cb may be NULL, and any of its members. NULL with why filled on failure. */
struct server *server_create(const char *socket_path, const char *vm_name,
			     const struct server_callbacks *cb, void *data,
			     char *why, size_t why_size);
/* Closes every connection (no GOODBYE; see server_goodbye_all), closes
 * the buffers' fds and unlinks the socket. NULL is fine. */
void server_destroy(struct server *server);

/* Log each viewer's joining and leaving, besides the errors always logged:
 * server_log_set_verbose(), which is the whole process's setting. */
void server_set_verbose(struct server *server, bool verbose);
/* Whether viewers that ask for HOLD_SHOWN are offered it (default true):
 * the buffer a head shows them then stays busy after their FRAME_DONE
 * (PROTOCOL.md, "Held buffers"). A source whose buffers are written or
 * reused regardless of viewers turns it off. Applies to viewers that
 * connect afterwards. */
void server_set_hold_shown(struct server *server, bool offer);

/* One epoll fd covering the listening socket and every viewer socket:
 * poll it for POLLIN and call server_dispatch() when it is readable. */
int server_get_fd(const struct server *server);
/* Accepts viewers and handles every packet that is ready; never blocks.
 * false only when the epoll fd itself failed (the server is unusable). */
bool server_dispatch(struct server *server);

/* --- heads ------------------------------------------------------------- */

/* A new enabled head (ids 1, 2, ...); NULL beyond PROTO_MAX_HEADS or for
 * a size out of 1..PROTO_MAX_DIMENSION. Heads live as long as the server. */
struct server_head *server_add_head(struct server *server, const char *name,
				    uint32_t width, uint32_t height);
uint32_t server_head_get_id(const struct server_head *head);
/* Both send HEAD_INFO to the viewers when something changed. A disabled
 * head's presents are kept but not sent; enabling it sends its picture. */
void server_head_set_size(struct server_head *head, uint32_t width,
			  uint32_t height);
void server_head_set_enabled(struct server_head *head, bool enabled);

/* Shows buffer on head. damage (n_damage rects, buffer coordinates) is
 * what changed since the previous present on this head; n_damage == 0
 * means the whole buffer. Each viewer gets SCANOUT (when its bound buffer
 * changes) and UPDATE at once if it has no UPDATE outstanding on the head;
 * otherwise the damage is merged and sent, with the newest buffer, when
 * its FRAME_DONE arrives. scanout_flags: PROTO_SCANOUT_*. */
void server_head_present(struct server_head *head,
			 struct server_buffer *buffer, uint32_t scanout_flags,
			 const struct proto_rect *damage, uint32_t n_damage);

/* ARGB8888 premultiplied, width*height pixels (copied); width 0 hides
 * the image. A hotspot off the image is moved to its nearest pixel.
 * Sent to every viewer now and to every one that joins. */
bool server_head_set_cursor(struct server_head *head, uint32_t width,
			    uint32_t height, int32_t hot_x, int32_t hot_y,
			    const uint32_t *pixels);
void server_head_move_cursor(struct server_head *head, int32_t x, int32_t y,
			     bool visible);

/* --- buffers ----------------------------------------------------------- */

/* The fds are duplicated; the caller keeps its own. Announced to a viewer
 * lazily, before the first SCANOUT that shows it to that viewer. NULL
 * (with a log line) when the fd or the layout is not acceptable. */
struct server_buffer *server_buffer_create_shm(struct server *server,
					       int memfd, uint32_t fourcc,
					       uint32_t width, uint32_t height,
					       uint32_t stride, uint64_t offset);
struct server_buffer *server_buffer_create_dmabuf(struct server *server,
						  uint32_t fourcc,
						  uint64_t modifier,
						  uint32_t width,
						  uint32_t height,
						  uint32_t n_planes,
						  const int *fds,
						  const uint32_t *offsets,
						  const uint32_t *strides);
/* BUFFER_DESTROY to the viewers that know it; no buffer_released follows.
 * NULL is fine. */
void server_buffer_destroy(struct server_buffer *buffer);
uint32_t server_buffer_get_id(const struct server_buffer *buffer);
/* Some viewer was sent an UPDATE showing it and has not answered
 * FRAME_DONE yet: the source must not write into it. */
bool server_buffer_busy(const struct server_buffer *buffer);
/* Whether HOLD_SHOWN keeps this buffer held after the FRAME_DONE that
 * answers the UPDATE showing it (default true). A buffer that its owner
 * writes whatever a viewer shows (QEMU's own memory, a passed-through
 * dmabuf) gains nothing from that hold and would only wait on it: false
 * makes it busy from UPDATE to FRAME_DONE, as without HOLD_SHOWN. */
void server_buffer_set_hold_shown(struct server_buffer *buffer, bool hold);
void server_buffer_set_user_data(struct server_buffer *buffer, void *data);
void *server_buffer_get_user_data(const struct server_buffer *buffer);

/* --- input devices ----------------------------------------------------- */

/* dev->device_id is ignored: the id (non-zero) is returned; 0 on failure
 * (beyond PROTO_MAX_INPUT_DEVICES, n_abs not matching abs_bits, an axis
 * whose code is not its bit of abs_bits or whose min > max).
 * axes: dev->n_abs of them. INPUT_DEVICE goes to every viewer. */
uint32_t server_add_input_device(struct server *server,
				 const struct proto_input_device *dev,
				 const struct proto_abs_axis *axes);
void server_remove_input_device(struct server *server, uint32_t device_id);
/* The guest's lock LEDs of keyboard device_id (announced with EV_LED in
 * ev_bits): bit n is LED n (LED_NUML 0, LED_CAPSL 1, LED_SCROLLL 2, up to
 * 15). Viewers that negotiated LEDS get DEVICE_STATUS with the LEDs that
 * changed, and every one that joins gets them all (Num, Caps, Scroll and
 * any other ever set). false (logged) for another kind of device. */
bool server_input_device_set_leds(struct server *server, uint32_t device_id,
				  uint32_t leds);

/* --- the clipboard (protocol minor 2) --------------------------------- */

/* The VM took the selection with these types (n_mimes 0: it let go):
 * every viewer with the clipboard is told, and each that joins. */
void server_clipboard_grab(struct server *server, uint32_t selection,
			   const char *const *mimes, uint32_t n_mimes);
/* Asks the viewer that owns the selection for its data in type mime; the
 * answer comes through clipboard_data (NONE at once when no viewer owns
 * it). */
void server_clipboard_request(struct server *server, uint32_t selection,
			      const char *mime);
/* Answers clipboard_request request_id: status PROTO_CLIPBOARD_OK with
 * length bytes of data (over PROTO_MAX_CLIPBOARD: sent as TOO_LARGE,
 * logged), or NONE. An id already answered or whose viewer left is
 * ignored. */
void server_clipboard_answer(struct server *server, uint32_t request_id,
			     uint32_t status, const char *mime,
			     const void *data, uint32_t length);

/* --- audio (protocol minor 3; API 0.2) ---------------------------------- */

struct server_audio;

/* A stream of the VM's sound (PROTO_AUDIO_PLAYBACK) or of the
 * microphone's (PROTO_AUDIO_RECORD), in format (enum proto_audio_format),
 * rate (PROTO_AUDIO_MIN_RATE..MAX_RATE) and channels (1..8), disabled and
 * at full volume. capacity: frames its ring holds, 0 for half a second.
 * Announced to every viewer that took AUDIO, now and as each joins. NULL
 * (logged) beyond PROTO_MAX_AUDIO_STREAMS or for a value out of range. */
struct server_audio *server_audio_create(struct server *server,
					 uint32_t direction, uint32_t format,
					 uint32_t rate, uint32_t channels,
					 uint32_t capacity);
/* AUDIO_STREAM_REMOVED to the viewers. NULL is fine. */
void server_audio_destroy(struct server_audio *audio);
uint32_t server_audio_get_id(const struct server_audio *audio);
/* The guest started or stopped the stream; its mute and per-channel
 * volume (0..255, n of them; the rest stay). The server does not apply
 * volume: viewers do. Each change goes out in AUDIO_STATE. */
void server_audio_set_enabled(struct server_audio *audio, bool enabled);
void server_audio_set_volume(struct server_audio *audio, bool mute,
			     const uint8_t *volume, uint32_t n);
/* PLAYBACK: appends n frames of the stream's format to the ring every
 * viewer reads. Never blocks and never grows: a viewer more than a ring
 * behind loses the oldest frames. */
void server_audio_write(struct server_audio *audio, const void *frames,
			uint32_t n);
/* RECORD: fills n frames from the viewer that records now (the newest
 * that said AUDIO_CAPTURE_STATE ACTIVE), silence where it has recorded
 * nothing yet or none does. Never blocks. Returns the frames that were
 * the viewer's (the rest is silence). */
uint32_t server_audio_read(struct server_audio *audio, void *frames,
			   uint32_t n);
/* RECORD: a viewer records into it now. */
bool server_audio_recording(const struct server_audio *audio);

/* --- viewers ----------------------------------------------------------- */

/* Sends GOODBYE(reason, text) to every viewer and closes them. */
void server_goodbye_all(struct server *server,
			enum proto_goodbye_reason reason, const char *text);
/* No viewer has an UPDATE outstanding and no presented damage is waiting
 * to be sent: every viewer has shown the newest frame of every head. */
bool server_idle(const struct server *server);
/* Viewers that completed the handshake. */
size_t server_viewer_count(const struct server *server);
/* What a source may share with every handshaken viewer: the (fourcc,
 * modifier) pairs all of them offered in HELLO, each once, flags the
 * sharing ways (PROTO_FORMAT_SHM, _DMABUF) all of them take, plus
 * PROTO_FORMAT_EXTERNAL_ONLY where any needs it. Up to max written; the
 * count returned (0: no viewer, or nothing in common). Call it from
 * viewer_joined to allocate buffers the new viewer can import (the viewer
 * is counted by then); the server sends no viewer a buffer it did not
 * list. */
size_t server_viewer_formats(const struct server *server,
			     struct proto_format *out, size_t max);

/* --- messages ---------------------------------------------------------- */

/* The library's messages: one line each, on stderr with "eglview-shim: "
 * first, unless the program takes them with server_log_set_handler().
 * Errors always go out; the rest only when verbose. */
enum server_log_level {
	SERVER_LOG_ERROR,   /* failed: what, with what value, what to do */
	SERVER_LOG_INFO,    /* always shown: QEMU came or went, new buffers */
	SERVER_LOG_VERBOSE, /* when verbose: viewers joining, each present */
};

/* For the whole process (one setting, like the prefix). */
void server_log_set_verbose(bool verbose);
bool server_log_is_verbose(void);

/* A VMM that links the library may send the lines to its own log: handler
 * gets each without prefix or newline (verbose ones only when verbose).
 * NULL: back to stderr. */
typedef void server_log_handler(enum server_log_level level,
				const char *line, void *data);
void server_log_set_handler(server_log_handler *handler, void *data);

#endif
