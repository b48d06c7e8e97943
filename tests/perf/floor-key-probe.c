/* SPDX-License-Identifier: MIT */
/*
 * Key -> changed pixels at the D-Bus floor, for tests/perf/bench.py: a
 * QEMU D-Bus display listener that shows nothing (as null-listener) and,
 * N times, calls Keyboard.Press on the console and takes the time until
 * the first Update whose rectangle holds the middle of the screen (where
 * the test guest's latency mode repaints a square per key), then
 * Keyboard.Release and a pause of 150..300 ms. So the floor's latency is
 * the key's D-Bus trip, the guest, QEMU's refresh and the Update's trip,
 * without any drawing.
 *
 * usage: floor-key-probe BUS_ADDRESS N
 * prints: "key MS" (or "key timeout") per key, then "done"
 */
#include <gio/gio.h>
#include <gio/gunixfdlist.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "listener-xml.h"

#define KEY_A 0x1e /* qnum */
#define SETTLE_MS 1000
#define TIMEOUT_MS 2000


struct probe {
	GDBusConnection *bus;
	GMainLoop *loop;
	int keys_left;
	uint32_t width, height; /* of the last Scanout */
	bool waiting;          /* a key pressed, its pixels not seen yet */
	int64_t pressed_us;
	guint timeout;
};

static GDBusNodeInfo *info;

static void press_key(struct probe *p);

static void
key_call(struct probe *p, const char *method)
{
	g_dbus_connection_call(p->bus, "org.qemu", "/org/qemu/Display1/Console_0",
			       "org.qemu.Display1.Keyboard", method,
			       g_variant_new("(u)", KEY_A), NULL,
			       G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL, NULL);
}

static gboolean
on_pause_over(gpointer data)
{
	press_key(data);
	return G_SOURCE_REMOVE;
}

/* The key's answer came (ms >= 0) or did not (ms < 0): the next one. */
static void
key_done(struct probe *p, double ms)
{
	p->waiting = false;
	if (ms >= 0)
		printf("key %.2f\n", ms);
	else
		printf("key timeout\n");
	fflush(stdout);
	key_call(p, "Release");
	if (--p->keys_left == 0) {
		printf("done\n");
		g_main_loop_quit(p->loop);
		return;
	}
	g_timeout_add(150 + g_random_int_range(0, 150), on_pause_over, p);
}

static gboolean
on_key_timeout(gpointer data)
{
	struct probe *p = data;
	p->timeout = 0;
	key_done(p, -1);
	return G_SOURCE_REMOVE;
}

static void
press_key(struct probe *p)
{
	p->waiting = true;
	p->pressed_us = g_get_monotonic_time();
	key_call(p, "Press");
	p->timeout = g_timeout_add(TIMEOUT_MS, on_key_timeout, p);
}

static void
on_call(GDBusConnection *conn, const gchar *sender, const gchar *path,
	const gchar *iface, const gchar *method, GVariant *params,
	GDBusMethodInvocation *inv, gpointer data)
{
	struct probe *p = data;
	(void)conn; (void)sender; (void)path; (void)iface;
	int64_t now = g_get_monotonic_time();
	if (strcmp(method, "Scanout") == 0) {
		g_variant_get_child(params, 0, "u", &p->width);
		g_variant_get_child(params, 1, "u", &p->height);
	} else if (strcmp(method, "Update") == 0 && p->waiting) {
		gint32 x, y, w, h;
		g_variant_get_child(params, 0, "i", &x);
		g_variant_get_child(params, 1, "i", &y);
		g_variant_get_child(params, 2, "i", &w);
		g_variant_get_child(params, 3, "i", &h);
		int cx = (int)p->width / 2, cy = (int)p->height / 2;
		if (x <= cx && cx < x + w && y <= cy && cy < y + h) {
			g_source_remove(p->timeout);
			p->timeout = 0;
			key_done(p, (double)(now - p->pressed_us) / 1000);
		}
	}
	g_dbus_method_invocation_return_value(inv, NULL);
}

static const GDBusInterfaceVTable vtable = { .method_call = on_call };

static void
on_ready(GObject *source, GAsyncResult *res, gpointer data)
{
	(void)source;
	GError *error = NULL;
	GDBusConnection *conn = g_dbus_connection_new_finish(res, &error);
	if (conn == NULL) {
		fprintf(stderr, "floor-key-probe: the listener's handshake with "
			"QEMU failed: %s\n", error->message);
		exit(1);
	}
	g_dbus_connection_register_object(conn, "/org/qemu/Display1/Listener",
					  info->interfaces[0], &vtable, data,
					  NULL, NULL);
	g_dbus_connection_start_message_processing(conn);
}

static void
on_registered(GObject *source, GAsyncResult *res, gpointer data)
{
	(void)data;
	GError *error = NULL;
	GVariant *ret = g_dbus_connection_call_with_unix_fd_list_finish(
		G_DBUS_CONNECTION(source), NULL, res, &error);
	if (ret == NULL) {
		fprintf(stderr, "floor-key-probe: RegisterListener on QEMU's "
			"Console_0 failed: %s\n", error->message);
		exit(1);
	}
	g_variant_unref(ret);
}

int
main(int argc, char **argv)
{
	if (argc != 3 || atoi(argv[2]) < 1) {
		fprintf(stderr, "usage: floor-key-probe BUS_ADDRESS N\n");
		return 2;
	}
	info = g_dbus_node_info_new_for_xml(listener_xml, NULL);
	struct probe p = { .keys_left = atoi(argv[2]), .width = 1024,
			   .height = 768 };
	GError *error = NULL;
	p.bus = g_dbus_connection_new_for_address_sync(argv[1],
		G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
		G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION, NULL, NULL,
		&error);
	if (p.bus == NULL) {
		fprintf(stderr, "floor-key-probe: cannot connect to the bus %s: "
			"%s\n", argv[1], error->message);
		return 1;
	}
	int pair[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
		perror("floor-key-probe: socketpair");
		return 1;
	}
	GSocket *socket = g_socket_new_from_fd(pair[0], NULL);
	GSocketConnection *stream =
		g_socket_connection_factory_create_connection(socket);
	g_dbus_connection_new(G_IO_STREAM(stream), NULL,
			      G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
			      G_DBUS_CONNECTION_FLAGS_DELAY_MESSAGE_PROCESSING,
			      NULL, NULL, on_ready, &p);
	GUnixFDList *fds = g_unix_fd_list_new_from_array(&pair[1], 1);
	g_dbus_connection_call_with_unix_fd_list(p.bus, "org.qemu",
		"/org/qemu/Display1/Console_0", "org.qemu.Display1.Console",
		"RegisterListener", g_variant_new("(h)", 0), NULL,
		G_DBUS_CALL_FLAGS_NONE, -1, fds, NULL, on_registered, NULL);
	p.loop = g_main_loop_new(NULL, FALSE);
	g_timeout_add(SETTLE_MS, on_pause_over, &p);
	g_main_loop_run(p.loop);
	g_main_loop_unref(p.loop);
	g_object_unref(stream);
	g_object_unref(socket);
	g_object_unref(fds);
	g_object_unref(p.bus);
	return 0;
}
