/* SPDX-License-Identifier: MIT */
/*
 * qemu-eglview wire protocol v1: structs and constants.
 *
 * PROTOCOL.md is the authority; this header mirrors it. Every packet on the
 * AF_UNIX SOCK_SEQPACKET socket is one message: a struct proto_header, then
 * the message body, then (for some types) a variable-length array. Integers
 * are little-endian and every struct is naturally aligned with explicit
 * padding, so a packet can be read in place on a little-endian host.
 */
#ifndef EGLVIEW_PROTO_H
#define EGLVIEW_PROTO_H

#include <assert.h>
#include <stdint.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "qemu-eglview reads wire structs in place; big-endian hosts are not supported"
#endif

#define PROTO_MAGIC "EGLVIEW" /* 7 chars + NUL = 8 bytes on the wire */
#define PROTO_VERSION_MAJOR 1
#define PROTO_VERSION_MINOR 3

/* Limits (PROTOCOL.md, "Limits"). */
#define PROTO_MAX_MSG_SIZE (96 * 1024)
#define PROTO_MAX_FDS 4
#define PROTO_MAX_NAME 64
#define PROTO_MAX_TEXT 256          /* error / goodbye message text */
#define PROTO_MAX_FORMATS 1024      /* format entries in a viewer HELLO */
#define PROTO_MAX_PLANES 4
#define PROTO_MAX_DIMENSION 16384   /* buffer and head width/height */
#define PROTO_MAX_DAMAGE_RECTS 64   /* rects in one UPDATE */
#define PROTO_MAX_CURSOR_SIZE 128   /* cursor width/height */
#define PROTO_MAX_HEADS 16
#define PROTO_MAX_BUFFERS 256       /* live buffers per connection */
#define PROTO_MAX_INPUT_DEVICES 32
#define PROTO_MAX_INPUT_EVENTS 256  /* records in one INPUT */
#define PROTO_MAX_ABS_AXES 64
#define PROTO_MAX_MIMES 8           /* types in a CLIPBOARD_GRAB */
#define PROTO_MAX_MIME 64           /* bytes of a type's name, NUL included */
#define PROTO_MAX_CLIPBOARD 65536   /* bytes of a CLIPBOARD_DATA */
#define PROTO_MAX_AUDIO_STREAMS 8   /* live audio streams per connection */
#define PROTO_MAX_AUDIO_CHANNELS 8
#define PROTO_AUDIO_MIN_RATE 8000   /* frames per second */
#define PROTO_AUDIO_MAX_RATE 192000
#define PROTO_AUDIO_MIN_CAPACITY 256        /* frames in a ring */
#define PROTO_AUDIO_MAX_RING (4 * 1024 * 1024) /* bytes of a ring's frames */

/* Message types. 0x00xx: either side; 0x01xx: server to viewer;
 * 0x02xx: viewer to server. */
enum proto_type {
	PROTO_HELLO = 0x0001,
	PROTO_PING = 0x0002,
	PROTO_PONG = 0x0003,
	PROTO_ERROR = 0x0004,
	PROTO_GOODBYE = 0x0005,
	PROTO_CLIPBOARD_GRAB = 0x0006,    /* minor 2, CLIPBOARD */
	PROTO_CLIPBOARD_REQUEST = 0x0007, /* minor 2, CLIPBOARD */
	PROTO_CLIPBOARD_DATA = 0x0008,    /* minor 2, CLIPBOARD */

	PROTO_HEAD_INFO = 0x0101,
	PROTO_BUFFER_DMABUF = 0x0102,
	PROTO_BUFFER_SHM = 0x0103,
	PROTO_BUFFER_DESTROY = 0x0104,
	PROTO_SCANOUT = 0x0105,
	PROTO_UPDATE = 0x0106,
	PROTO_CURSOR_IMAGE = 0x0107,
	PROTO_CURSOR_POS = 0x0108,
	PROTO_INPUT_DEVICE = 0x0109,
	PROTO_INPUT_DEVICE_REMOVED = 0x010a,
	PROTO_DEVICE_STATUS = 0x010b, /* minor 2, LEDS */
	PROTO_AUDIO_STREAM = 0x010c,         /* minor 3, AUDIO */
	PROTO_AUDIO_STREAM_REMOVED = 0x010d, /* minor 3, AUDIO */
	PROTO_AUDIO_STATE = 0x010e,          /* minor 3, AUDIO */

	PROTO_FRAME_DONE = 0x0201,
	PROTO_INPUT = 0x0202,
	PROTO_HEAD_SIZE = 0x0203, /* minor 2, RESIZE */
	PROTO_AUDIO_CAPTURE_STATE = 0x0204, /* minor 3, AUDIO */
};

/* Error codes carried by ERROR (and returned by the validator). */
enum proto_error {
	PROTO_ERR_NONE = 0,
	PROTO_ERR_MALFORMED = 1,      /* length or layout wrong for the type */
	PROTO_ERR_FD_COUNT = 2,       /* wrong number of fds for the type */
	PROTO_ERR_BAD_FD = 3,         /* fd of the wrong kind, size or seals */
	PROTO_ERR_VERSION = 4,        /* magic or major version mismatch */
	PROTO_ERR_UNEXPECTED = 5,     /* wrong direction or wrong state */
	PROTO_ERR_BAD_VALUE = 6,      /* a field out of its allowed range */
	PROTO_ERR_UNKNOWN_ID = 7,     /* head, buffer or device id not known */
	PROTO_ERR_ID_IN_USE = 8,      /* buffer or device id already live */
	PROTO_ERR_LIMIT = 9,          /* more objects than the limits allow */
	PROTO_ERR_FORMAT = 10,        /* fourcc/modifier not offered/supported */
	PROTO_ERR_ACCESS = 11,        /* peer uid not allowed */
	PROTO_ERR_INTERNAL = 12,      /* the sender failed on its own side */
};

/* Common header of every message. length counts the header itself. */
struct proto_header {
	uint32_t type;
	uint32_t length;
};
static_assert(sizeof(struct proto_header) == 8, "wire layout");

/* HELLO features bits. */
#define PROTO_FEATURE_SHM (1u << 0)
#define PROTO_FEATURE_DMABUF (1u << 1)
#define PROTO_FEATURE_CURSOR (1u << 2)
#define PROTO_FEATURE_INPUT (1u << 3)
/* Minor 1. Viewer: it may keep reading the buffer a head shows after
 * answering its UPDATE (it hands buffers to a compositor). Server: it
 * honours that (PROTOCOL.md, "Held buffers"). Used only when both set it. */
#define PROTO_FEATURE_HOLD_SHOWN (1u << 4)
/* Minor 2. Server: it sends DEVICE_STATUS with the guest's lock LEDs.
 * Viewer: it handles DEVICE_STATUS. Used only when both set it. */
#define PROTO_FEATURE_LEDS (1u << 5)
/* Minor 2. Viewer: it says the size it shows each head at (HEAD_SIZE).
 * Server: it passes that on to its VM, which may change the head's mode.
 * Used only when both set it. */
#define PROTO_FEATURE_RESIZE (1u << 6)
/* Minor 2. Both: it shares a clipboard (CLIPBOARD_*). Used only when both
 * set it. */
#define PROTO_FEATURE_CLIPBOARD (1u << 7)
/* Minor 3. Server: it sends AUDIO_STREAM for the VM's sound. Viewer: it
 * plays (and may record) them. Used only when both set it. */
#define PROTO_FEATURE_AUDIO (1u << 8)

/* One importable (fourcc, modifier) pair in a viewer HELLO. */
#define PROTO_FORMAT_SHM (1u << 0)           /* as a shm buffer (modifier LINEAR) */
#define PROTO_FORMAT_DMABUF (1u << 1)        /* as a dmabuf with this modifier */
#define PROTO_FORMAT_EXTERNAL_ONLY (1u << 2) /* dmabuf sampled via samplerExternalOES only */
struct proto_format {
	uint32_t fourcc;
	uint32_t flags;
	uint64_t modifier;
};
static_assert(sizeof(struct proto_format) == 16, "wire layout");

/* HELLO, both ways, first message on a connection. Followed by n_formats
 * struct proto_format (the viewer's importable set; a server sends 0). */
struct proto_hello {
	char magic[8];       /* PROTO_MAGIC, NUL-terminated */
	uint16_t major;
	uint16_t minor;
	uint32_t features;   /* PROTO_FEATURE_* */
	char name[PROTO_MAX_NAME]; /* server: VM name; viewer: program name */
	uint32_t n_formats;
	uint32_t reserved;
};
static_assert(sizeof(struct proto_hello) == 88, "wire layout");

struct proto_ping {
	uint32_t serial;
	uint32_t reserved;
};

/* ERROR and GOODBYE: a code and a NUL-terminated text filling the rest of
 * the packet (at most PROTO_MAX_TEXT bytes including the NUL). */
struct proto_error_msg {
	uint32_t code;       /* enum proto_error (ERROR) or enum proto_goodbye_reason */
	uint32_t reserved;
	/* char text[] */
};

enum proto_goodbye_reason {
	PROTO_BYE_QUIT = 0,      /* the user or the program ended normally */
	PROTO_BYE_SHUTDOWN = 1,  /* the VM (or demo) finished or shut down */
	PROTO_BYE_REPLACED = 2,  /* server is being restarted */
};

#define PROTO_HEAD_ENABLED (1u << 0)
struct proto_head_info {
	uint32_t head_id;
	uint32_t flags;      /* PROTO_HEAD_ENABLED */
	uint32_t width;
	uint32_t height;
	int32_t x;           /* position in the VM's desktop layout */
	int32_t y;
	char name[32];
};
static_assert(sizeof(struct proto_head_info) == 56, "wire layout");

struct proto_plane {
	uint32_t offset;
	uint32_t stride;
};

/* BUFFER_DMABUF: n_planes fds ride on the packet, plane i uses fd i. */
struct proto_buffer_dmabuf {
	uint32_t buffer_id;  /* non-zero, unique among this connection's live buffers */
	uint32_t fourcc;     /* DRM_FORMAT_* */
	uint64_t modifier;   /* DRM_FORMAT_MOD_* */
	uint32_t width;
	uint32_t height;
	uint32_t n_planes;   /* 1..4, must match the fourcc */
	uint32_t reserved;
	struct proto_plane planes[PROTO_MAX_PLANES];
};
static_assert(sizeof(struct proto_buffer_dmabuf) == 64, "wire layout");

/* BUFFER_SHM: one fd, a memfd sealed with F_SEAL_SHRINK. */
struct proto_buffer_shm {
	uint32_t buffer_id;
	uint32_t fourcc;     /* single-plane DRM_FORMAT_* */
	uint32_t width;
	uint32_t height;
	uint32_t stride;
	uint32_t reserved;
	uint64_t offset;
};
static_assert(sizeof(struct proto_buffer_shm) == 32, "wire layout");

struct proto_buffer_destroy {
	uint32_t buffer_id;
	uint32_t reserved;
};

#define PROTO_SCANOUT_Y0_TOP (1u << 0) /* row 0 is the top of the image */
/* SCANOUT binds buffer_id (0: none, the head shows black) to head_id; the
 * source rectangle x,y,width,height of the buffer is what the head shows. */
struct proto_scanout {
	uint32_t head_id;
	uint32_t buffer_id;
	uint32_t flags;      /* PROTO_SCANOUT_* */
	uint32_t x;
	uint32_t y;
	uint32_t width;
	uint32_t height;
	uint32_t reserved;
};
static_assert(sizeof(struct proto_scanout) == 32, "wire layout");

struct proto_rect {
	uint32_t x;
	uint32_t y;
	uint32_t width;
	uint32_t height;
};

/* UPDATE: n_rects struct proto_rect follow, in buffer coordinates of the
 * head's bound buffer. The viewer answers with FRAME_DONE(head_id, seq). */
struct proto_update {
	uint32_t head_id;
	uint32_t seq;
	uint32_t n_rects;    /* 1..PROTO_MAX_DAMAGE_RECTS */
	uint32_t reserved;
};
static_assert(sizeof(struct proto_update) == 16, "wire layout");

/* CURSOR_IMAGE: width*height ARGB8888 pixels (premultiplied alpha,
 * stride width*4) follow. width == 0 means no cursor image. */
struct proto_cursor_image {
	uint32_t head_id;
	uint32_t width;
	uint32_t height;
	int32_t hot_x;
	int32_t hot_y;
	uint32_t reserved;
};
static_assert(sizeof(struct proto_cursor_image) == 24, "wire layout");

struct proto_cursor_pos {
	uint32_t head_id;
	int32_t x;           /* hotspot position in head pixels */
	int32_t y;
	uint32_t visible;    /* 0 or 1 */
};

enum proto_device_kind {
	PROTO_DEVICE_KEYBOARD = 1,
	PROTO_DEVICE_TABLET = 2,  /* absolute pointer */
	PROTO_DEVICE_MOUSE = 3,   /* relative pointer */
	PROTO_DEVICE_TOUCH = 4,
};

struct proto_abs_axis {
	uint32_t code;       /* ABS_* */
	int32_t min;
	int32_t max;
	int32_t fuzz;
	int32_t flat;
	int32_t resolution;
};
static_assert(sizeof(struct proto_abs_axis) == 24, "wire layout");

/* INPUT_DEVICE: what virtio-input's config space says of a device.
 * n_abs struct proto_abs_axis follow, one per bit set in abs_bits. */
struct proto_input_device {
	uint32_t device_id;  /* non-zero */
	uint32_t kind;       /* enum proto_device_kind */
	char name[PROTO_MAX_NAME];
	uint32_t ev_bits;    /* bit n: event type n (EV_KEY, EV_REL, EV_ABS ...) */
	uint32_t prop_bits;  /* INPUT_PROP_* */
	uint32_t rel_bits;   /* REL_* */
	uint32_t n_abs;
	uint64_t abs_bits;   /* ABS_* */
	uint8_t key_bits[96];/* KEY_* and BTN_*, bit n of byte n/8 */
};
static_assert(sizeof(struct proto_input_device) == 192, "wire layout");

struct proto_input_device_removed {
	uint32_t device_id;
	uint32_t reserved;
};

/* The virtio-input event record. */
struct proto_input_event {
	uint16_t type;
	uint16_t code;
	uint32_t value;
};
static_assert(sizeof(struct proto_input_event) == 8, "wire layout");

/* INPUT: n_events records follow; the last is EV_SYN/SYN_REPORT/0. */
struct proto_input {
	uint32_t device_id;
	uint32_t n_events;   /* 1..PROTO_MAX_INPUT_EVENTS */
};

/* The clipboard (minor 2, both ways). Selections: */
enum proto_selection {
	PROTO_SELECTION_CLIPBOARD = 0,
	PROTO_SELECTION_PRIMARY = 1,
};

/* CLIPBOARD_GRAB: the sender owns the selection from now, with n_mimes
 * types (char[PROTO_MAX_MIME] each) following; 0 types: it gave it up.
 * serial: one more than the highest the sender has seen. */
struct proto_clipboard_grab {
	uint32_t selection;  /* enum proto_selection */
	uint32_t serial;
	uint32_t n_mimes;    /* 0..PROTO_MAX_MIMES */
	uint32_t reserved;
};
static_assert(sizeof(struct proto_clipboard_grab) == 16, "wire layout");

/* CLIPBOARD_REQUEST: the owner's data of the grab serial in type mime. */
struct proto_clipboard_request {
	uint32_t selection;
	uint32_t serial;
	uint32_t reserved[2];
	char mime[PROTO_MAX_MIME];
};
static_assert(sizeof(struct proto_clipboard_request) == 80, "wire layout");

/* CLIPBOARD_DATA: the answer; length bytes follow. */
enum proto_clipboard_status {
	PROTO_CLIPBOARD_OK = 0,
	PROTO_CLIPBOARD_NONE = 1,      /* not the owner of that grab, or no such type */
	PROTO_CLIPBOARD_TOO_LARGE = 2, /* more than PROTO_MAX_CLIPBOARD bytes */
};
struct proto_clipboard_data {
	uint32_t selection;
	uint32_t serial;
	uint32_t status;     /* enum proto_clipboard_status */
	uint32_t length;     /* 0..PROTO_MAX_CLIPBOARD; 0 unless OK */
	char mime[PROTO_MAX_MIME];
};
static_assert(sizeof(struct proto_clipboard_data) == 80, "wire layout");

/* DEVICE_STATUS (minor 2): the same layout as INPUT, server to viewer:
 * EV_LED records for a keyboard device, the last EV_SYN/SYN_REPORT/0. */
#define PROTO_LED_MAX 15  /* LED_MAX of linux/input-event-codes.h */
#define PROTO_EV_LED 0x11 /* EV_LED */

/* HEAD_SIZE (minor 2): the pixels (and, 0 when unknown, millimetres) the
 * viewer shows head_id at: the mode it would show 1:1. */
struct proto_head_size {
	uint32_t head_id;
	uint32_t width;      /* 1..PROTO_MAX_DIMENSION */
	uint32_t height;
	uint32_t width_mm;   /* 0: unknown */
	uint32_t height_mm;
	uint32_t reserved;
};
static_assert(sizeof(struct proto_head_size) == 24, "wire layout");

/* Audio (minor 3, AUDIO; PROTOCOL.md, "Audio"). A stream's frames move
 * through a ring in a sealed memfd shared once, not in messages. */
enum proto_audio_direction {
	PROTO_AUDIO_PLAYBACK = 0, /* the VM's sound: server writes, viewers read */
	PROTO_AUDIO_RECORD = 1,   /* the microphone: a viewer writes, server reads */
};

/* Interleaved little-endian samples. */
enum proto_audio_format {
	PROTO_AUDIO_U8 = 1,  /* unsigned, silence 0x80 */
	PROTO_AUDIO_S16 = 2,
	PROTO_AUDIO_S32 = 3,
	PROTO_AUDIO_F32 = 4, /* -1.0 .. 1.0 */
};

/* AUDIO_STREAM: one fd rides on it, the ring (struct proto_audio_ring and
 * capacity frames), a memfd sealed with F_SEAL_SHRINK and F_SEAL_GROW. */
struct proto_audio_stream {
	uint32_t stream_id;  /* non-zero, unique among the live streams */
	uint32_t direction;  /* enum proto_audio_direction */
	uint32_t format;     /* enum proto_audio_format */
	uint32_t rate;       /* PROTO_AUDIO_MIN_RATE..MAX_RATE */
	uint32_t channels;   /* 1..PROTO_MAX_AUDIO_CHANNELS */
	uint32_t capacity;   /* frames the ring holds */
	uint64_t reserved;
};
static_assert(sizeof(struct proto_audio_stream) == 32, "wire layout");

struct proto_audio_stream_removed {
	uint32_t stream_id;
	uint32_t reserved;
};

#define PROTO_AUDIO_ENABLED (1u << 0) /* the guest plays / records now */
#define PROTO_AUDIO_MUTED (1u << 1)
/* AUDIO_STATE: the guest's side of a stream. volume[c] applies to
 * channel c (0 silent .. 255 full); the server does not apply it. */
struct proto_audio_state {
	uint32_t stream_id;
	uint32_t flags;      /* PROTO_AUDIO_ENABLED, PROTO_AUDIO_MUTED */
	uint8_t volume[PROTO_MAX_AUDIO_CHANNELS];
};
static_assert(sizeof(struct proto_audio_state) == 16, "wire layout");

/* AUDIO_CAPTURE_STATE (viewer): whether it records into the RECORD
 * stream's ring now (its microphone is on and its window has the
 * user's focus); the server takes the newest one that does. */
#define PROTO_AUDIO_CAPTURE_ACTIVE (1u << 0)
struct proto_audio_capture_state {
	uint32_t stream_id;
	uint32_t flags;      /* PROTO_AUDIO_CAPTURE_ACTIVE */
};

/* The start of a ring's memfd; the frames follow it at
 * PROTO_AUDIO_RING_HEADER. Frame n (counted from the stream's start)
 * lives in slot n % capacity. One side writes: the producer copies
 * frames into their slots, then stores write_pos (release); a reader
 * loads write_pos (acquire), copies, and loads it again to learn which
 * frames were overwritten meanwhile. Nobody ever waits for a reader. */
#define PROTO_AUDIO_RING_MAGIC 0x52415645u /* "EVAR" */
#define PROTO_AUDIO_RING_HEADER 64
struct proto_audio_ring {
	uint32_t magic;      /* PROTO_AUDIO_RING_MAGIC, set by the server */
	uint32_t reserved0;
	uint64_t write_pos;  /* frames written since the stream began */
	uint64_t write_ns;   /* CLOCK_MONOTONIC of the last write_pos store */
	uint64_t reserved[5];
};
static_assert(sizeof(struct proto_audio_ring) == PROTO_AUDIO_RING_HEADER,
	      "wire layout");

struct proto_frame_done {
	uint32_t head_id;
	uint32_t seq;
	uint64_t presented_ns; /* CLOCK_MONOTONIC when the frame was shown */
};
static_assert(sizeof(struct proto_frame_done) == 16, "wire layout");

#endif
