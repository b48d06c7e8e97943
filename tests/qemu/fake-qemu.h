/* SPDX-License-Identifier: MIT */
/*
 * The fake QEMU of qemu-bridge-vs-fake-qemu-dbus-peer: QMP (getfd +
 * add_client) and QEMU's D-Bus display objects (VM, Console_0 with
 * Keyboard, Mouse, MultiTouch) served on the peer-to-peer connection the
 * shim hands over, in a thread of its own. Every method call the shim
 * makes is recorded as text ("Keyboard.Press (30,)") for the test to wait on.
 */
#ifndef EGLVIEW_TEST_FAKE_QEMU_H
#define EGLVIEW_TEST_FAKE_QEMU_H

#include <gio/gio.h>
#include <stdbool.h>
#include <stdint.h>

#define W 320
#define H 240
#define PIXMAN_X8R8G8B8 0x20020888u
#define PATH_CONSOLE "/org/qemu/Display1/Console_0"
#define PATH_LISTENER "/org/qemu/Display1/Listener"
#define PATH_CLIPBOARD "/org/qemu/Display1/Clipboard"
/* What the fake guest copied (Clipboard.Request's answer). */
#define FAKE_GUEST_TEXT "copied in the guest"
#define TIMEOUT_MS 5000

struct fake_qemu {
	GMutex lock;
	GCond cond;
	GMainContext *ctx;
	GDBusConnection *control, *listener;
	char *listener_ifaces;      /* the Listener's Interfaces, joined */
	bool absolute;
	uint32_t modifiers;         /* Keyboard.Modifiers: Scroll 1, Num 2, Caps 4 */
	GPtrArray *calls;           /* "Keyboard.Press 30", ... */
	GArray *call_us;            /* when each arrived, CLOCK_MONOTONIC us */
	int qmp_listen;
};
extern struct fake_qemu fake;

/* Listens on qmp_path and starts the fake QEMU's thread. */
bool fake_qemu_start(const char *qmp_path);
int64_t fake_now_ms(void);
/* Index of the first recorded call from start equal to want, or -1 after
 * TIMEOUT_MS (the calls since are printed). */
int fake_wait_call(guint start, const char *want);
guint fake_calls_mark(void);
/* Calls a method on the shim's Listener, with fd (or -1) attached. */
GVariant *fake_listener_call(const char *iface, const char *method,
			     GVariant *params, int fd);

/* PropertiesChanged of one property of Console_0's iface, as QEMU emits
 * it (IsAbsolute, Modifiers). */
void fake_emit_changed(const char *iface, const char *name, GVariant *value);

/* fake-qemu-minor2.c: protocol minor 2 through QEMU's interfaces,
 * each case on a raw viewer of its own that joins the shim at vm. */
void fake_case_leds(const char *vm);
void fake_case_clipboard(const char *vm);

#endif
