/* SPDX-License-Identifier: MIT */
/*
 * The benchmark's baseline: a QEMU D-Bus display listener that receives
 * the same Scanout/Update calls as eglview-shim and does nothing with
 * them. Its CPU time per call is the cost of the transport alone (GDBus
 * reading and unmarshalling the pixels), which the shim cannot avoid.
 *
 * usage: null-listener BUS_ADDRESS SECONDS
 * prints: null-listener: calls=N bytes=B cpu_s=S
 */
#include <gio/gio.h>
#include <gio/gunixfdlist.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "listener-xml.h"


static GDBusNodeInfo *info;
static uint64_t calls, bytes;

static void
on_call(GDBusConnection *conn, const gchar *sender, const gchar *path,
	const gchar *iface, const gchar *method, GVariant *params,
	GDBusMethodInvocation *inv, gpointer data)
{
	(void)conn; (void)sender; (void)path; (void)iface; (void)data;
	if (strcmp(method, "Scanout") == 0 || strcmp(method, "Update") == 0) {
		calls++;
		GVariant *last = g_variant_get_child_value(params,
			g_variant_n_children(params) - 1);
		bytes += g_variant_get_size(last);
		g_variant_unref(last);
	}
	g_dbus_method_invocation_return_value(inv, NULL);
}

static const GDBusInterfaceVTable vtable = { .method_call = on_call };

static void
on_ready(GObject *source, GAsyncResult *res, gpointer data)
{
	(void)source; (void)data;
	GError *error = NULL;
	GDBusConnection *conn = g_dbus_connection_new_finish(res, &error);
	if (conn == NULL) {
		fprintf(stderr, "null-listener: handshake: %s\n", error->message);
		exit(1);
	}
	g_dbus_connection_register_object(conn, "/org/qemu/Display1/Listener",
					  info->interfaces[0], &vtable, NULL,
					  NULL, NULL);
	g_dbus_connection_start_message_processing(conn);
}

static gboolean
on_done(gpointer loop)
{
	g_main_loop_quit(loop);
	return G_SOURCE_REMOVE;
}

int
main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: null-listener BUS_ADDRESS SECONDS\n");
		return 2;
	}
	info = g_dbus_node_info_new_for_xml(listener_xml, NULL);
	GError *error = NULL;
	GDBusConnection *bus = g_dbus_connection_new_for_address_sync(argv[1],
		G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
		G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION, NULL, NULL,
		&error);
	if (bus == NULL) {
		fprintf(stderr, "null-listener: bus %s: %s\n", argv[1],
			error->message);
		return 1;
	}
	int pair[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
		return 1;
	GSocket *socket = g_socket_new_from_fd(pair[0], NULL);
	GSocketConnection *stream =
		g_socket_connection_factory_create_connection(socket);
	g_dbus_connection_new(G_IO_STREAM(stream), NULL,
			      G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
			      G_DBUS_CONNECTION_FLAGS_DELAY_MESSAGE_PROCESSING,
			      NULL, NULL, on_ready, NULL);
	GUnixFDList *fds = g_unix_fd_list_new_from_array(&pair[1], 1);
	g_dbus_connection_call_with_unix_fd_list(bus, "org.qemu",
		"/org/qemu/Display1/Console_0", "org.qemu.Display1.Console",
		"RegisterListener", g_variant_new("(h)", 0), NULL,
		G_DBUS_CALL_FLAGS_NONE, -1, fds, NULL, NULL, NULL);
	GMainLoop *loop = g_main_loop_new(NULL, FALSE);
	g_timeout_add(atoi(argv[2]) * 1000, on_done, loop);
	g_main_loop_run(loop);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("null-listener: calls=%llu bytes=%llu cpu_s=%.3f\n",
	       (unsigned long long)calls, (unsigned long long)bytes,
	       ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
	g_object_unref(stream);
	g_object_unref(socket);
	g_object_unref(fds);
	return 0;
}
