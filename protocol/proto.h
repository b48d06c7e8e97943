/* SPDX-License-Identifier: MIT */
/*
 * libeglview-proto: the protocol library both sides link. Encodes, decodes,
 * validates and moves messages with their fds over AF_UNIX SOCK_SEQPACKET.
 * Depends on libc (and the libdrm fourcc header, for format constants).
 */
#ifndef EGLVIEW_PROTO_LIB_H
#define EGLVIEW_PROTO_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "eglview-proto.h"

/* One received message: the packet bytes and the fds that rode on it.
 * Big (PROTO_MAX_MSG_SIZE): allocate it, don't put it on the stack. */
struct proto_packet {
	_Alignas(8) uint8_t data[PROTO_MAX_MSG_SIZE];
	size_t len;
	int fds[PROTO_MAX_FDS];
	int n_fds;
	/* After proto_recv's PROTO_IO_ERROR: the ERROR code to answer with
	 * (FD_COUNT: more than PROTO_MAX_FDS fds, MALFORMED: a packet over
	 * PROTO_MAX_MSG_SIZE), or NONE when the socket failed (errno). */
	enum proto_error refused;
};

static inline const struct proto_header *
proto_packet_header(const struct proto_packet *pkt)
{
	return (const struct proto_header *)pkt->data;
}

static inline uint32_t
proto_packet_type(const struct proto_packet *pkt)
{
	return proto_packet_header(pkt)->type;
}

/* The message body after the header; valid once proto_validate() passed. */
static inline const void *
proto_packet_body(const struct proto_packet *pkt)
{
	return pkt->data + sizeof(struct proto_header);
}

/* Closes every fd still held by the packet and sets n_fds to 0. A receiver
 * that keeps an fd takes it out of pkt->fds (sets the slot to -1) first. */
void proto_packet_close_fds(struct proto_packet *pkt);

/* --- where the socket lives -------------------------------------------- */

/* A NAME is 1..63 chars of [A-Za-z0-9._-], not starting with '.'. */
bool proto_name_valid(const char *name);

/* $XDG_RUNTIME_DIR/qemu-eglview (or /tmp/qemu-eglview-UID when
 * XDG_RUNTIME_DIR is unset). false if it does not fit in size. */
bool proto_socket_dir(char *buf, size_t size);

/* NAME without '/' -> <socket dir>/NAME.sock; anything with '/' is a path
 * taken as is. false (with why filled) for an invalid name or overflow. */
bool proto_socket_path(const char *name_or_path, char *buf, size_t size,
		       char *why, size_t why_size);

/* Server side: creates the socket directory 0700 when path lies in the
 * standard one, removes a stale socket (one nobody answers on), binds,
 * chmods 0600 and listens. Returns a non-blocking CLOEXEC fd, or -1 with
 * why filled. */
int proto_listen(const char *path, char *why, size_t why_size);

/* Viewer side: a blocking CLOEXEC SOCK_SEQPACKET connection, or -1 with
 * errno set. */
int proto_connect(const char *path);

/* SO_PEERCRED: true when the peer runs as our uid; *peer_uid gets its uid
 * (may be NULL). */
bool proto_peer_is_same_user(int fd, uid_t *peer_uid);

/* --- moving packets ---------------------------------------------------- */

enum proto_io {
	PROTO_IO_OK,
	PROTO_IO_AGAIN, /* non-blocking socket, nothing to read */
	PROTO_IO_EOF,   /* peer closed */
	PROTO_IO_ERROR, /* why says what: truncated packet, too many fds, errno
			 * (pkt->refused tells them apart) */
};

/* Receives one packet with MSG_CMSG_CLOEXEC. A packet larger than
 * PROTO_MAX_MSG_SIZE or carrying more than PROTO_MAX_FDS fds is an error
 * (its fds are closed). */
enum proto_io proto_recv(int fd, struct proto_packet *pkt,
			 char *why, size_t why_size);

/* Sends one message: header + body + tail, with fds, MSG_NOSIGNAL. false
 * with errno set on failure (EAGAIN on a full non-blocking socket). */
bool proto_send_msg(int fd, uint32_t type, const void *body, size_t body_len,
		    const void *tail, size_t tail_len,
		    const int *fds, int n_fds);

/* --- validation -------------------------------------------------------- */

/* An INPUT_DEVICE's axes: axis i has the code of the i-th bit set in
 * abs_bits (lowest first) and min <= max. false with why filled. The
 * validator checks received devices with it, a server its source's. */
bool proto_check_axes(uint64_t abs_bits, const struct proto_abs_axis *axes,
		      uint32_t n_abs, char *why, size_t why_size);

/* The features of a peer's HELLO that its minor version defines: a bit a
 * later minor added means nothing from an older peer (HOLD_SHOWN is
 * minor 1's, LEDS minor 2's). */
uint32_t proto_hello_features(const struct proto_hello *hello);

enum proto_side {
	PROTO_FROM_SERVER,
	PROTO_FROM_VIEWER,
};

/* True for the types this version defines (either direction). Unknown
 * types of the same major version are skipped by receivers. */
bool proto_type_known(uint32_t type);

/* Every check that needs no connection state: header length equal to the
 * packet length, the type allowed from this side, exact body sizes for the
 * counts inside, fd count, NUL-terminated strings, field ranges (sizes,
 * plane count matching the fourcc, rects without overflow, the INPUT batch
 * ending in SYN_REPORT, n_abs matching abs_bits), HELLO magic and major.
 * Unknown types pass (PROTO_ERR_NONE). On failure why says what and with
 * which value, e.g. "BUFFER_SHM: width 0 out of range 1..16384". */
enum proto_error proto_validate(const struct proto_packet *pkt,
				enum proto_side from,
				char *why, size_t why_size);

/* Checks an fd that is to back a shm buffer: a memfd (regular file) with
 * F_SEAL_SHRINK set, large enough for offset + stride * height. */
bool proto_check_shm_fd(int fd, uint64_t offset, uint32_t stride,
			uint32_t height, char *why, size_t why_size);

/* Checks an fd that is to back a dmabuf plane: not a pipe, socket, device
 * node or directory; when its size can be learnt (lseek SEEK_END), large
 * enough for offset + stride * rows. */
bool proto_check_dmabuf_fd(int fd, uint64_t offset, uint32_t stride,
			   uint32_t rows, char *why, size_t why_size);

/* --- formats ----------------------------------------------------------- */

struct proto_fourcc_info {
	uint32_t fourcc;
	int n_planes;
	int cpp[PROTO_MAX_PLANES]; /* bytes per pixel of each plane */
	int hsub, vsub;            /* chroma subsampling of planes 1.. */
};

/* NULL for a fourcc this version does not know. Known: XRGB8888,
 * ARGB8888, XBGR8888, ABGR8888, RGB565, NV12. */
const struct proto_fourcc_info *proto_fourcc_info(uint32_t fourcc);

/* "XR24" style name into buf (at least 5 bytes); returns buf. */
const char *proto_fourcc_name(uint32_t fourcc, char buf[static 5]);

/* --- names ------------------------------------------------------------- */

const char *proto_type_name(uint32_t type);      /* "UPDATE", or "unknown" */
const char *proto_error_name(uint32_t code);     /* "MALFORMED", ... */
const char *proto_device_kind_name(uint32_t kind); /* "keyboard", "tablet", "mouse", "touch" */
bool proto_device_kind_parse(const char *name, uint32_t *kind);

/* --- typed senders ----------------------------------------------------- */

bool proto_send_hello(int fd, uint32_t features, const char *name,
		      const struct proto_format *formats, uint32_t n_formats);
bool proto_send_ping(int fd, uint32_t serial);
bool proto_send_pong(int fd, uint32_t serial);
/* printf-style text, truncated to PROTO_MAX_TEXT - 1 bytes. */
bool proto_send_error(int fd, enum proto_error code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool proto_send_goodbye(int fd, enum proto_goodbye_reason reason,
			const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool proto_send_head_info(int fd, const struct proto_head_info *info);
bool proto_send_buffer_dmabuf(int fd, const struct proto_buffer_dmabuf *buf,
			      const int *fds /* buf->n_planes of them */);
bool proto_send_buffer_shm(int fd, const struct proto_buffer_shm *buf,
			   int shm_fd);
bool proto_send_buffer_destroy(int fd, uint32_t buffer_id);
bool proto_send_scanout(int fd, const struct proto_scanout *scanout);
bool proto_send_update(int fd, uint32_t head_id, uint32_t seq,
		       const struct proto_rect *rects, uint32_t n_rects);
bool proto_send_cursor_image(int fd, const struct proto_cursor_image *cursor,
			     const uint32_t *pixels);
bool proto_send_cursor_pos(int fd, const struct proto_cursor_pos *pos);
bool proto_send_input_device(int fd, const struct proto_input_device *dev,
			     const struct proto_abs_axis *axes /* dev->n_abs */);
bool proto_send_input_device_removed(int fd, uint32_t device_id);
bool proto_send_input(int fd, uint32_t device_id,
		      const struct proto_input_event *events, uint32_t n_events);
/* The guest's LEDs (minor 2): EV_LED records ending in SYN_REPORT. */
bool proto_send_device_status(int fd, uint32_t device_id,
			      const struct proto_input_event *events,
			      uint32_t n_events);
bool proto_send_head_size(int fd, const struct proto_head_size *size);
/* The clipboard (minor 2): mimes are copied into char[PROTO_MAX_MIME]
 * each (longer names cut); data up to PROTO_MAX_CLIPBOARD bytes. */
bool proto_send_clipboard_grab(int fd, uint32_t selection, uint32_t serial,
			       const char *const *mimes, uint32_t n_mimes);
bool proto_send_clipboard_request(int fd, uint32_t selection,
				  uint32_t serial, const char *mime);
bool proto_send_clipboard_data(int fd, uint32_t selection, uint32_t serial,
			       uint32_t status, const char *mime,
			       const void *data, uint32_t length);
bool proto_send_frame_done(int fd, uint32_t head_id, uint32_t seq,
			   uint64_t presented_ns);
/* The protocol's clock, CLOCK_MONOTONIC in ns (FRAME_DONE's presented_ns,
 * an audio ring's write_ns). */
uint64_t proto_now_ns(void);
/* Audio (minor 3): the ring's memfd rides on AUDIO_STREAM. */
bool proto_send_audio_stream(int fd, const struct proto_audio_stream *stream,
			     int ring_fd);
bool proto_send_audio_stream_removed(int fd, uint32_t stream_id);
bool proto_send_audio_state(int fd, const struct proto_audio_state *state);
bool proto_send_audio_capture_state(int fd, uint32_t stream_id,
				    uint32_t flags);

/* --- audio rings (protocol/audio.c) ------------------------------------ */

/* Bytes of one sample of format (enum proto_audio_format), 0 for an
 * unknown one; "S16" style names. */
uint32_t proto_audio_sample_bytes(uint32_t format);
const char *proto_audio_format_name(uint32_t format);
bool proto_audio_format_parse(const char *name, uint32_t *format);

/* A ring mapped into this process. */
struct proto_audio_ring_map {
	struct proto_audio_ring *header;
	uint8_t *frames;
	uint32_t capacity;     /* frames */
	uint32_t frame_bytes;  /* sample bytes * channels */
	size_t size;           /* of the mapping */
	bool writable;
};

/* Bytes of the memfd of a ring of capacity frames. */
size_t proto_audio_ring_size(uint32_t capacity, uint32_t frame_bytes);
/* Server side: a new ring memfd (write_pos 0, the magic set) sealed
 * against shrinking and growing, mapped read-write into *map. With
 * readers_read_only it is also sealed F_SEAL_FUTURE_WRITE, so the
 * viewers it goes to can map it only read-only (a playback ring shared
 * by all of them). -1 with why filled. */
int proto_audio_ring_create(uint32_t capacity, uint32_t frame_bytes,
			    bool readers_read_only,
			    struct proto_audio_ring_map *map,
			    char *why, size_t why_size);
/* Maps a received ring fd after checking it (a memfd with F_SEAL_SHRINK
 * and F_SEAL_GROW, large enough, the magic). writable: to produce into
 * it (a RECORD ring). false with why filled. The fd may be closed after. */
bool proto_audio_ring_map(int fd, uint32_t capacity, uint32_t frame_bytes,
			  bool writable, struct proto_audio_ring_map *map,
			  char *why, size_t why_size);
void proto_audio_ring_unmap(struct proto_audio_ring_map *map);

/* Producer: appends n frames (only the last capacity of them when n is
 * more) and publishes them with write_pos and write_ns = now_ns. */
void proto_audio_ring_write(struct proto_audio_ring_map *map,
			    const void *frames, uint32_t n, uint64_t now_ns);
/* The producer's position (acquire), and the time it was stored. */
uint64_t proto_audio_ring_write_pos(const struct proto_audio_ring_map *map,
				    uint64_t *write_ns);
/* Consumer: copies up to max frames from *pos on into out and advances
 * *pos. Frames the producer overwrote before they were read are skipped
 * and counted in *lost (may be NULL): a reader more than a ring behind
 * starts again at the oldest frame still there. A write_pos behind *pos
 * (a producer that started again) moves *pos back to it. The producer is
 * not trusted: any write_pos is handled. Returns frames copied. */
uint32_t proto_audio_ring_read(const struct proto_audio_ring_map *map,
			       uint64_t *pos, void *out, uint32_t max,
			       uint64_t *lost);

/* --- evdev names and the input record text form ------------------------ */

/* Names from linux/input-event-codes.h (generated at build time). */
const char *proto_evdev_type_name(uint16_t type);              /* "EV_KEY" or NULL */
const char *proto_evdev_code_name(uint16_t type, uint16_t code); /* "KEY_A" or NULL */
/* Accept a symbolic name or a decimal/0x number. */
bool proto_evdev_type_parse(const char *s, uint16_t *type);
bool proto_evdev_code_parse(uint16_t type, const char *s, uint16_t *code);

/* One input record as a line (no newline): "DEVICE TYPE CODE VALUE", e.g.
 * "keyboard EV_KEY KEY_A 1"; numbers where a name is unknown; the value is
 * printed as a signed decimal. Returns the snprintf result. */
int proto_record_format(char *buf, size_t size, const char *device,
			const struct proto_input_event *ev);
/* Parses that form. Blank lines and lines starting with '#' give false
 * with *is_comment true. */
bool proto_record_parse(const char *line, char *device, size_t device_size,
			struct proto_input_event *ev, bool *is_comment);

#endif
