/* SPDX-License-Identifier: MIT */
/*
 * The qemu source of eglview-shim: a bridge to stock QEMU's D-Bus display
 * (-display dbus, QEMU >= 7.0). Every graphic console becomes a head; the
 * pixels QEMU sends go into sealed memfds, the dmabufs it sends are passed
 * through; the viewers' input records become Keyboard/Mouse calls. When
 * QEMU goes away the heads are disabled and the bridge waits for it to
 * come back, while the viewers stay connected.
 *
 * It runs GLib's main loop (GDBus needs one); the server's epoll fd and
 * the caller's signalfd are sources of that same loop. What QEMU does
 * (attached, consoles, listeners up) is logged when verbose
 * (server_log_set_verbose).
 */
#ifndef EGLVIEW_QEMU_H
#define EGLVIEW_QEMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/server.h"

struct qemu_options {
	/* A bus on which QEMU owns org.qemu; NULL: the session bus. */
	const char *dbus_address;
	/* --vm-name: the QEMU of that VM.Name among those queued for org.qemu,
	 * followed across restarts; NULL: whoever owns org.qemu. */
	const char *vm_name;
	/* The VM is this libvirt domain's: its bus is looked up again when it
	 * goes (a restarted domain has a new one). */
	const char *libvirt_domain;
	/* QEMU's QMP socket: connect peer-to-peer (-display dbus,p2p=yes)
	 * instead of through a bus. */
	const char *qmp_path;
};

struct qemu_bridge;

/* Starts connecting (nothing blocks: a QEMU not there yet is waited for). */
struct qemu_bridge *qemu_bridge_create(struct server *server,
				       const struct qemu_options *options,
				       char *why, size_t why_size);
void qemu_bridge_destroy(struct qemu_bridge *bridge);

/* The server's callbacks, forwarded. */
void qemu_bridge_handle_input(struct qemu_bridge *bridge, uint32_t device_id,
			      uint32_t kind,
			      const struct proto_input_event *ev, uint32_t n);
void qemu_bridge_handle_buffer_released(struct qemu_bridge *bridge,
					struct server_buffer *buffer);
/* A viewer joined: what it cannot import is converted from now on. */
void qemu_bridge_handle_viewer_joined(struct qemu_bridge *bridge);
/* The viewers' clipboard (libeglview-server's callbacks) to QEMU's
 * Clipboard interface and back. */
void qemu_bridge_handle_clipboard_grab(struct qemu_bridge *bridge,
				       uint32_t selection,
				       const char *const *mimes, uint32_t n);
void qemu_bridge_handle_clipboard_request(struct qemu_bridge *bridge,
					  uint32_t selection, const char *mime,
					  uint32_t request_id);
void qemu_bridge_handle_clipboard_data(struct qemu_bridge *bridge,
				       uint32_t selection, uint32_t status,
				       const char *mime, const void *bytes,
				       uint32_t length);
/* A viewer shows head at width x height: Console.SetUIInfo, so that a
 * guest that can (virtio-gpu) takes that mode; a device that cannot
 * (QEMU answers Unsupported: -vga std) is said once and asked no more. */
void qemu_bridge_handle_head_size(struct qemu_bridge *bridge,
				  struct server_head *head, uint32_t width,
				  uint32_t height, uint32_t width_mm,
				  uint32_t height_mm);

/* Runs until signal_fd is readable (then true) or the server fails. */
bool qemu_bridge_run(struct qemu_bridge *bridge, int signal_fd);

#endif
