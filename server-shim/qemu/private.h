/* SPDX-License-Identifier: MIT */
/*
 * The qemu source's insides, shared by qemu.c (connections, attach and
 * detach), console.c (one console: its head, its properties, QEMU's own
 * buffers), pixels.c (the pixel data QEMU sends, into sealed memfds),
 * listener.c (the Listener QEMU calls for each console), map.c
 * (the Listener's optional interfaces), qemu/input.c (input records to
 * Keyboard/Mouse calls) and p2p.c (the QMP handshake).
 */
#ifndef EGLVIEW_QEMU_PRIVATE_H
#define EGLVIEW_QEMU_PRIVATE_H

#include <gio/gio.h>
#include <stdbool.h>
#include <stdint.h>

#include "qemu/qemu.h"
#include "server/log.h"
#include "server/region.h"
#include "server/server.h"
#include "alloc/shm.h"

#define QEMU_ROOT_PATH "/org/qemu/Display1"
#define QEMU_BUS_NAME "org.qemu"
/* Three for HOLD_SHOWN: one on screen, one in flight, one to write. */
#define QEMU_SHM_BUFFERS 3
/* Updates that wait for a free buffer as they came, before the canvas. */
#define QEMU_PENDING_MAX 16
/* QEMU gives up on a listener call after 1 s; our calls to it get the same. */
#define QEMU_CALL_TIMEOUT_MS 1000
/* One Keyboard call per 10 ms: a PS/2 guest reads a scancode byte long
 * before that, and 100 calls/s is still faster than any typist. */
#define QEMU_KEY_INTERVAL_MS 10
#define QEMU_KEY_QUEUE 512

/* pixman format codes, PIXMAN_FORMAT(bpp, type, a, r, g, b) (pixman.h). */
#define QEMU_PIXMAN_X8R8G8B8 0x20020888u
#define QEMU_PIXMAN_A8R8G8B8 0x20028888u
#define QEMU_PIXMAN_R5G6B5 0x10020565u
#define QEMU_PIXMAN_X1R5G5B5 0x10020555u
#define QEMU_PIXMAN_R8G8B8 0x18020888u
#define QEMU_PIXMAN_NAMES "x8r8g8b8, a8r8g8b8, r5g6b5, x1r5g5b5, r8g8b8"

struct qemu_bridge;
struct qemu_audio;

/* A surface format QEMU sends (formats.c). */
struct qemu_format {
	uint32_t pixman;
	const char *name;
	uint32_t bpp;          /* bytes per pixel */
	uint32_t fourcc;       /* the same memory as a protocol fourcc; 0: none */
};

struct qemu_shm_buffer {
	struct server_buffer *server_buffer;
	struct shm_block shm;
	struct region stale;   /* where it differs from the newest picture */
};

/* An update no buffer was free for: its pixels stay in the message. */
struct qemu_pending_update {
	struct proto_rect rect;
	GVariant *data;        /* referenced; NULL: in QEMU's mapped memfd */
	const uint8_t *src;    /* the rect's first pixel */
	uint32_t stride;
	const struct qemu_format *format;
};

/* Bytes moved by pixels.c since the last attachment (--verbose, at exit). */
struct qemu_copy_counts {
	uint64_t from_qemu;    /* out of a message or QEMU's memfd: once each */
	uint64_t caught_up;    /* from the newest buffer into an older one */
	uint64_t via_canvas;   /* into and out of the canvas: extra copies */
	uint64_t waited;       /* updates that found no buffer free */
	uint64_t superseded;   /* bytes of waiting updates a later one covered */
	uint64_t canvas_entered;
};

/* An object we serve to QEMU on a connection of our own (qemu_serve):
 * what the caller sets, then the state. */
struct qemu_served {
	char what[48];               /* for the log: "console 1: listener" */
	char object_path[64];
	GDBusInterfaceInfo *info;
	const GDBusInterfaceVTable *vtable;
	gpointer data;               /* the vtable's, up's and closed's */
	/* Optional: exported, before any message is read. */
	void (*up)(gpointer data, GDBusConnection *conn);
	/* Optional: QEMU closed the connection. */
	void (*closed)(gpointer data);

	GCancellable *cancel;        /* the connection being set up */
	GDBusConnection *conn;
	guint object;
};

struct qemu_console {
	struct qemu_bridge *bridge;
	uint32_t index;              /* position in VM.ConsoleIDs */
	uint32_t qemu_id;            /* the N of Console_N */
	char path[64];
	struct server_head *head;    /* outlives attachments */

	GDBusProxy *console;         /* org.qemu.Display1.Console: Width/Height */
	GDBusProxy *mouse;           /* org.qemu.Display1.Mouse: IsAbsolute */
	GDBusProxy *keyboard;        /* org.qemu.Display1.Keyboard: Modifiers */
	bool ui_info_unsupported;    /* SetUIInfo answered Unsupported */
	bool has_multitouch;
	struct qemu_served listener; /* QEMU calls our Listener on it */

	/* Pixel data (Scanout/Update), pixels.c's: three sealed memfds the
	 * viewers read, each written only while no viewer reads or holds it;
	 * updates that find none free wait, or go through the canvas. */
	uint32_t width, height;
	uint32_t fourcc, bpp;        /* the memfds': XRGB8888 or RGB565 */
	uint32_t refused_format;     /* the unknown pixman code last said */
	struct qemu_shm_buffer shm[QEMU_SHM_BUFFERS];
	int newest;                  /* the buffer with the newest picture */
	struct region unpresented;   /* damage not yet presented */
	struct qemu_pending_update pending[QEMU_PENDING_MAX];
	uint32_t n_pending;
	uint8_t *canvas;             /* as the memfds, stride width * bpp */
	bool canvas_active;          /* it holds the newest picture */
	struct qemu_copy_counts counts;

	/* ScanoutDMABUF: QEMU's buffer, passed through. QEMU sends a new
	 * fd with every ScanoutDMABUF, mostly of the same texture: the
	 * same dma-buf (its files' inodes) with the same layout keeps its
	 * server buffer, so viewers import it once. */
	struct server_buffer *dmabuf;
	uint32_t dmabuf_flags;
	struct qemu_dmabuf_key {
		uint32_t fourcc, width, height, n_planes;
		uint64_t modifier;
		uint64_t dev[PROTO_MAX_PLANES], ino[PROTO_MAX_PLANES];
		uint32_t offsets[PROTO_MAX_PLANES], strides[PROTO_MAX_PLANES];
	} dmabuf_key;
	uint64_t dmabuf_scanouts;    /* ScanoutDMABUF(2) received */
	uint64_t dmabuf_buffers;     /* of them, new buffers announced */
	GDBusMethodInvocation *update_dmabuf; /* answered at frame-done */

	/* ScanoutMap (QEMU >= 9.2): QEMU's own memfd, shown as it is when
	 * sealed against shrinking (map); otherwise mapped here (map_data)
	 * and each UpdateMap copied into our memfds like an Update. */
	struct server_buffer *map;
	uint8_t *map_data;
	size_t map_size;
	uint32_t map_offset, map_width, map_height, map_stride, map_format;
	int map_fd;                  /* kept while map is RGB565, else -1 */
	guint map_objects[2];        /* Unix.Map, Unix.ScanoutDMABUF2 */

	uint64_t updates;            /* Scanout/Update/UpdateDMABUF received */
};

struct qemu_bridge {
	struct server *server;
	struct qemu_options options;
	GMainLoop *loop;

	GDBusConnection *control;    /* the bus, or QEMU itself (p2p) */
	char *peer;                  /* org.qemu's unique name; NULL in p2p */
	guint name_watch;
	gulong closed_handler;
	guint retry_source;
	guint rescan_source;         /* --vm-name: looking for it again */
	GCancellable *connecting;
	bool attached;
	uint64_t attachments;
	char vm_name[128];

	struct qemu_console consoles[PROTO_MAX_HEADS];
	uint32_t n_consoles;         /* attached now */
	uint32_t n_heads;            /* heads made so far */

	/* input */
	uint32_t keyboard_id, pointer_id, touch_id;
	bool pointer_absolute;
	int32_t abs_x, abs_y;        /* tablet, in 0..QEMU_ABS_MAX */
	int32_t rel_x, rel_y;        /* mouse, summed until SYN_REPORT */
	bool abs_moved;
	int32_t touch_slot;
	struct qemu_touch_slot { int32_t id, x, y; bool changed, down; } touch[10];

	/* Keyboard.Press/Release, paced: QEMU's PS/2 keyboard queues 16
	 * bytes and drops the rest, so a burst goes out one call per
	 * QEMU_KEY_INTERVAL_MS, in order, from a timer. */
	struct qemu_key_call { uint32_t qnum; bool press; }
		keys[QEMU_KEY_QUEUE];
	uint32_t key_head, key_count;
	guint key_timer;

	/* The clipboard (clipboard.c): our object on control, the highest
	 * serial seen, QEMU's Request per selection awaiting a viewer. */
	guint clip_object;
	uint32_t clip_serial;
	GDBusMethodInvocation *clip_request[2];

	/* Sound (audio.c); QEMU's version, known peer-to-peer (QMP). */
	struct qemu_audio *audio;
	uint32_t qemu_major, qemu_minor, qemu_micro;
};

#define QEMU_ABS_MAX 32767

/* The bridge's lines, "eglview-shim: qemu: ..." (server/log.h); fmt is a
 * string literal. */
#define qemu_error(...) server_log_error("qemu: " __VA_ARGS__)
#define qemu_info(...) server_log_info("qemu: " __VA_ARGS__)
#define qemu_verbose(...) server_log_verbose("qemu: " __VA_ARGS__)

/* console.c */
/* Reads the console's properties (synchronously: QEMU waits on nobody
 * yet), makes or reuses head number console->index. */
bool qemu_console_attach(struct qemu_console *console, char *why,
			 size_t why_size);
/* QEMU went away: answers what waits, closes the listener, disables the
 * head; the head and its buffers stay for the next attachment. */
void qemu_console_detach(struct qemu_console *console);
void qemu_console_finish(struct qemu_console *console);
void qemu_console_buffer_released(struct qemu_console *console,
				  struct server_buffer *buffer);

/* Shows a dmabuf QEMU handed over (the fds are duplicated); false with a
 * log line when the server refuses its layout. */
bool qemu_console_set_dmabuf(struct qemu_console *console, uint32_t fourcc,
			     uint64_t modifier, uint32_t width,
			     uint32_t height, uint32_t n_planes,
			     const int *fds, const uint32_t *offsets,
			     const uint32_t *strides, bool y0_top);
/* The console's size in QEMU's pixels (Console.Width/Height), the
 * range SetAbsPosition and MultiTouch coordinates are scaled to. */
void qemu_console_size(const struct qemu_console *console, uint32_t *width,
		       uint32_t *height);
/* UpdateDMABUF: the damage presented on the passed-through dmabuf; inv
 * is answered once the viewers showed it (at once when none has to). */
void qemu_console_update_dmabuf(struct qemu_console *console, int32_t x,
				int32_t y, int32_t w, int32_t h,
				GDBusMethodInvocation *inv);
/* Forgets a dmabuf or a ScanoutMap memfd (before pixels of another kind). */
void qemu_console_drop_passthrough(struct qemu_console *console);

/* formats.c */
/* NULL for a pixman format the bridge does not know. */
const struct qemu_format *qemu_format_lookup(uint32_t pixman);
/* width x rows pixels of from into to_fourcc: from's own fourcc (a copy)
 * or XRGB8888 (converted). */
void qemu_format_convert(const struct qemu_format *from, uint32_t to_fourcc,
			 uint8_t *dst, size_t dst_stride, const uint8_t *src,
			 size_t src_stride, uint32_t width, uint32_t rows);
/* Whether every handshaken viewer (true when none is) takes shm buffers
 * of fourcc (qemu.c). */
bool qemu_viewers_take_shm(const struct qemu_bridge *bridge, uint32_t fourcc);

/* pixels.c */
/* Three sealed memfds of width x height, the picture kept where the old
 * and new overlap when keep (QEMU 7.2 grows the surface without a new
 * Scanout); false with a log line when out of range. format (a pixman
 * code; 0: as before) picks their fourcc: RGB565 for r5g6b5 when every
 * viewer takes it, else XRGB8888. Presents nothing. */
bool qemu_pixels_resize(struct qemu_console *console, uint32_t width,
			uint32_t height, uint32_t format, bool keep);
/* A viewer joined: memfds of a fourcc some viewer does not take are
 * replaced by XRGB8888 ones (the picture converted) and shown. */
void qemu_pixels_viewers_changed(struct qemu_console *console);
/* Pixels from QEMU (stride bytes per row, size bytes from src, inside
 * data, the message's "ay", which is referenced while the update waits
 * for a free buffer; NULL: src is in QEMU's mapped memfd) at x,y, copied
 * into a free memfd and presented. */
void qemu_pixels_update(struct qemu_console *console, int32_t x, int32_t y,
			int32_t w, int32_t h, uint32_t stride,
			uint32_t format, GVariant *data, const uint8_t *src,
			size_t size);
/* Shows the newest picture, if anything of it was not shown yet. */
void qemu_pixels_present(struct qemu_console *console);
/* QEMU's mapped memfd is going: waiting updates from it are copied aside. */
void qemu_pixels_forget_map(struct qemu_console *console);
void qemu_pixels_buffer_released(struct qemu_console *console,
				 struct server_buffer *buffer);
/* Forgets waiting updates (QEMU went away); the buffers stay. */
void qemu_pixels_detach(struct qemu_console *console);
void qemu_pixels_finish(struct qemu_console *console);
/* The verbose line of qemu_copy_counts. */
void qemu_pixels_log_counts(const struct qemu_console *console);

/* listener.c: qemu_serve's socketpair, one end to QEMU in method(h) on
 * path's iface, the other a D-Bus connection (we authenticate as the
 * client) on which served.object_path is exported before any message is
 * read. The call failing is logged as "WHAT: METHOD failed: ...";
 * cancel stops both. false with why filled. Used for the console
 * Listener and the audio listeners (audio.c). */
bool qemu_serve(struct qemu_bridge *bridge, struct qemu_served *served,
		const char *path, const char *iface, const char *method,
		char *why, size_t why_size);
/* Stops setting it up, or unexports it and closes its connection. */
void qemu_served_close(struct qemu_served *served);
/* Hands QEMU one end of a socketpair on which we serve the console's
 * Listener. */
void qemu_listener_register(struct qemu_console *console);
/* Stops setting it up, or unexports it and closes its connection. */
void qemu_listener_close(struct qemu_console *console);

/* map.c: the Listener's optional interfaces, Unix.Map (ScanoutMap,
 * UpdateMap) and Unix.ScanoutDMABUF2, on the Listener's object. */
extern const char *const qemu_map_interfaces[];
void qemu_map_register(struct qemu_console *console, GDBusConnection *conn);
void qemu_map_unregister(struct qemu_console *console);
void qemu_map_drop(struct qemu_console *console);
/* A viewer joined: a passed-through RGB565 memfd some viewer does not
 * take goes over to the copied (converted) path. */
void qemu_map_viewers_changed(struct qemu_console *console);

/* qemu.c: the end of an asynchronous call whose answer is nothing: a
 * failure is logged with the method's name (data, a string literal). */
void qemu_call_done(GObject *source, GAsyncResult *res, gpointer data);

/* clipboard.c: org.qemu.Display1.Clipboard both ways (see there). */
void qemu_clipboard_attach(struct qemu_bridge *bridge);
void qemu_clipboard_detach(struct qemu_bridge *bridge);
void qemu_clipboard_viewer_grab(struct qemu_bridge *bridge, uint32_t sel,
				const char *const *mimes, uint32_t n);
void qemu_clipboard_viewer_request(struct qemu_bridge *bridge, uint32_t sel,
				   const char *mime, uint32_t request_id);
void qemu_clipboard_viewer_data(struct qemu_bridge *bridge, uint32_t sel,
				uint32_t status, const char *mime,
				const void *bytes, uint32_t length);

/* audio.c: org.qemu.Display1.Audio's listeners, registered when QEMU has
 * it (and not peer-to-peer on QEMU < 8.0, which that crashes); detach
 * ends every stream. */
void qemu_audio_attach(struct qemu_bridge *bridge);
void qemu_audio_detach(struct qemu_bridge *bridge);
void qemu_audio_finish(struct qemu_bridge *bridge);

/* console.c: SetUIInfo (the guest follows the window). */
void qemu_console_set_ui_info(struct qemu_console *c, uint32_t width,
			      uint32_t height, uint32_t width_mm,
			      uint32_t height_mm);

/* qemu/input.c */
void qemu_input_advertise(struct qemu_bridge *bridge);
/* The guest's LEDs from Keyboard.Modifiers (Scroll 1, Num 2, Caps 4) to
 * the viewers' keyboard (DEVICE_STATUS). */
void qemu_input_modifiers(struct qemu_bridge *bridge, uint32_t modifiers);
/* Forgets queued key calls (QEMU went away: it lifts held keys itself). */
void qemu_input_reset(struct qemu_bridge *bridge);
void qemu_input_handle(struct qemu_bridge *bridge, uint32_t device_id,
		       uint32_t kind, const struct proto_input_event *ev,
		       uint32_t n);
/* evdev KEY_* to QEMU's key number (XT set 1, 0xe0 XX as 0x80|XX); 0
 * when the key has none. From qemu-keymap.c, generated from
 * evdev-to-qnum.tsv. */
uint32_t qemu_keymap_evdev_to_qnum(uint32_t code);

/* p2p.c: a socketpair whose other end QEMU now serves D-Bus on
 * (QMP getfd + add_client "@dbus-display"); our end, or -1. version:
 * QEMU's major, minor, micro (query-version). */
int qemu_p2p_open(const char *qmp_path, uint32_t version[3], char *why,
		  size_t why_size);

#endif
