/* SPDX-License-Identifier: MIT */
/*
 * The harness of the qemu-pixels-* tests (fake-qemu-pixels.c): the real
 * eglview-shim started against the fake QEMU with its --verbose log in a
 * file (the count line read back at exit); QEMU's Scanout/Update calls
 * with the picture they build, kept here; raw protocol viewers that map
 * every buffer they are sent, to compare it with that picture and to
 * catch a buffer written while they read or hold it.
 */
#ifndef EGLVIEW_TEST_PIXELS_HARNESS_H
#define EGLVIEW_TEST_PIXELS_HARNESS_H

#include <gio/gio.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "proto.h"
#include "raw-viewer.h"
#include "fake-qemu.h"

#define IFACE_LISTENER "org.qemu.Display1.Listener"
#define MAXW 400
#define MAXH 300
/* A listener call that takes longer stalled QEMU (QEMU's own limit is
 * 1 s; ours replies at once). */
#define CALL_MS_MAX 250

/* The shim's --verbose count line at exit, and its log. */
struct counts {
	unsigned long long from_qemu, caught_up, via_canvas, waited,
			   superseded;
	bool found;
	char log[65536];
};

/* A buffer as a viewer has it: mapped. */
struct tbuf {
	uint32_t id;
	struct proto_buffer_shm shm;
	const uint8_t *map;
	size_t size;
};

/* One raw viewer and what it was sent. */
struct tview {
	const char *name;
	struct raw_viewer v;
	uint32_t server_features;
	struct tbuf bufs[16];
	uint32_t n_bufs;
	uint32_t bound, head_id, dmabuf_id;
	uint32_t seq, n_rects;
	struct proto_rect rects[PROTO_MAX_DAMAGE_RECTS];
	uint32_t ids_shown[16], n_ids_shown;
};

/* A buffer's bytes at one moment. */
struct snapshot {
	uint32_t id;
	uint8_t *bytes;
	size_t size;
};

extern const char *shim_exe;
extern char dir[];                    /* the test's own, sockets and log */
extern pid_t shim_pid;
extern uint32_t model[MAXW * MAXH];   /* the picture QEMU has sent */
extern uint32_t model_w, model_h;
extern unsigned long long sent_bytes; /* pixel bytes in all updates */
extern int64_t slowest_call_ms;       /* of the Listener calls made */

/* The fake QEMU and eglview-shim --source qemu --verbose --qmp on it;
 * true once the shim registered its Listener. */
bool harness_start_shim(void);
/* SIGTERM, then the shim's count line from its log (echoed). */
void harness_stop_shim(struct counts *n);
/* Listener.Update / Scanout of a pattern made from salt, x8r8g8b8,
 * recorded in model (an Update beyond model_w x model_h grows it, as QEMU
 * 7.2 grows a surface, black where nothing was drawn). */
void harness_send_update(uint32_t x, uint32_t y, uint32_t w, uint32_t h,
			 uint32_t salt);
void harness_send_scanout(uint32_t w, uint32_t h, uint32_t salt);

/* Connects to the shim and says HELLO (XRGB8888 shm, NV12 dmabuf; hold:
 * PROTO_FEATURE_HOLD_SHOWN or 0). */
bool view_join(struct tview *t, const char *name, uint32_t hold);
/* The same with these formats in its HELLO. */
bool view_join_formats(struct tview *t, const char *name, uint32_t hold,
		       const struct proto_format *formats, uint32_t n_formats);
void view_close(struct tview *t);
/* Handles what comes until an UPDATE (true) or timeout_ms. */
bool view_next_update(struct tview *t, int timeout_ms);
/* No UPDATE for ms (flow control: one outstanding at a time). */
bool view_quiet(struct tview *t, int ms);
void view_done(struct tview *t);
const struct tbuf *find_buf(const struct tview *t, uint32_t id);
/* The bound buffer shows pic (MAXW apart), model_w x model_h. */
bool shows(const struct tview *t, const uint32_t *pic);
bool shows_model(const struct tview *t);
void snap(struct snapshot *s, const struct tview *t, uint32_t id);
/* The buffer has not been written since snap. */
bool untouched(const struct snapshot *s, const struct tview *t);
/* Every one of the n rects is inside the last UPDATE's damage. */
bool damage_covers(const struct tview *t, const struct proto_rect *r, int n);

#endif
