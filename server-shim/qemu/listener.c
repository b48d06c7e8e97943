/* SPDX-License-Identifier: MIT */
/*
 * A console's org.qemu.Display1.Listener, which we serve to QEMU on a
 * private socketpair: its interface, its methods (their arguments taken
 * apart and handed to console.c and to the head), and the connection,
 * set up while RegisterListener is on its way and closed on detach. Its
 * optional interfaces (Unix.Map, ScanoutDMABUF2) are map.c's.
 */
#include <errno.h>
#include <gio/gio.h>
#include <gio/gunixfdlist.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "qemu/private.h"

/* The Listener as QEMU calls it (ui/dbus-display1.xml, 7.0 onwards). */
static const char listener_xml[] =
	"<node>"
	" <interface name='org.qemu.Display1.Listener'>"
	"  <method name='Scanout'>"
	"   <arg type='u' name='width' direction='in'/>"
	"   <arg type='u' name='height' direction='in'/>"
	"   <arg type='u' name='stride' direction='in'/>"
	"   <arg type='u' name='pixman_format' direction='in'/>"
	"   <arg type='ay' name='data' direction='in'/>"
	"  </method>"
	"  <method name='Update'>"
	"   <arg type='i' name='x' direction='in'/>"
	"   <arg type='i' name='y' direction='in'/>"
	"   <arg type='i' name='width' direction='in'/>"
	"   <arg type='i' name='height' direction='in'/>"
	"   <arg type='u' name='stride' direction='in'/>"
	"   <arg type='u' name='pixman_format' direction='in'/>"
	"   <arg type='ay' name='data' direction='in'/>"
	"  </method>"
	"  <method name='ScanoutDMABUF'>"
	"   <arg type='h' name='dmabuf' direction='in'/>"
	"   <arg type='u' name='width' direction='in'/>"
	"   <arg type='u' name='height' direction='in'/>"
	"   <arg type='u' name='stride' direction='in'/>"
	"   <arg type='u' name='fourcc' direction='in'/>"
	"   <arg type='t' name='modifier' direction='in'/>"
	"   <arg type='b' name='y0_top' direction='in'/>"
	"  </method>"
	"  <method name='UpdateDMABUF'>"
	"   <arg type='i' name='x' direction='in'/>"
	"   <arg type='i' name='y' direction='in'/>"
	"   <arg type='i' name='width' direction='in'/>"
	"   <arg type='i' name='height' direction='in'/>"
	"  </method>"
	"  <method name='Disable'/>"
	"  <method name='MouseSet'>"
	"   <arg type='i' name='x' direction='in'/>"
	"   <arg type='i' name='y' direction='in'/>"
	"   <arg type='i' name='on' direction='in'/>"
	"  </method>"
	"  <method name='CursorDefine'>"
	"   <arg type='i' name='width' direction='in'/>"
	"   <arg type='i' name='height' direction='in'/>"
	"   <arg type='i' name='hot_x' direction='in'/>"
	"   <arg type='i' name='hot_y' direction='in'/>"
	"   <arg type='ay' name='data' direction='in'/>"
	"  </method>"
	"  <property name='Interfaces' type='as' access='read'/>"
	" </interface>"
	"</node>";

static GDBusNodeInfo *listener_info;

/* --- the methods ------------------------------------------------------- */

/* The message's own bytes: pixels.c copies them once, or keeps data. */
static void
paint_variant(struct qemu_console *c, int32_t x, int32_t y, int32_t w,
	      int32_t h, uint32_t stride, uint32_t format, GVariant *data)
{
	size_t size;
	const uint8_t *src = g_variant_get_fixed_array(data, &size, 1);
	qemu_pixels_update(c, x, y, w, h, stride, format, data, src, size);
}

static void
scanout_dmabuf(struct qemu_console *c, GDBusMethodInvocation *inv,
	       GVariant *params)
{
	int32_t handle;
	uint32_t w, h, stride, fourcc;
	uint64_t modifier;
	gboolean y0_top;
	g_variant_get(params, "(huuuutb)", &handle, &w, &h, &stride, &fourcc,
		      &modifier, &y0_top);
	GUnixFDList *fds = g_dbus_message_get_unix_fd_list(
		g_dbus_method_invocation_get_message(inv));
	GError *error = NULL;
	int fd = fds != NULL ? g_unix_fd_list_get(fds, handle, &error) : -1;
	if (fd < 0) {
		g_dbus_method_invocation_return_dbus_error(inv,
			"org.qemu.Display1.Error.Invalid",
			"ScanoutDMABUF came without its fd");
		g_clear_error(&error);
		return;
	}
	uint32_t offset = 0;
	qemu_console_set_dmabuf(c, fourcc, modifier, w, h, 1, &fd, &offset,
				&stride, y0_top);
	close(fd); /* the server keeps its own copy */
	g_dbus_method_invocation_return_value(inv, NULL);
}

static void
update_dmabuf(struct qemu_console *c, GDBusMethodInvocation *inv,
	      GVariant *params)
{
	int32_t x, y, w, h;
	g_variant_get(params, "(iiii)", &x, &y, &w, &h);
	qemu_console_update_dmabuf(c, x, y, w, h, inv);
}

static void
cursor_define(struct qemu_console *c, GVariant *params)
{
	int32_t w, h, hot_x, hot_y;
	GVariant *data;
	g_variant_get(params, "(iiii@ay)", &w, &h, &hot_x, &hot_y, &data);
	size_t size;
	const uint8_t *src = g_variant_get_fixed_array(data, &size, 1);
	if (w <= 0 || h <= 0 || w > 512 || h > 512 ||
	    size < (size_t)w * (size_t)h * 4) {
		qemu_error("console %u: cursor %dx%d with %zu bytes ignored",
			   c->qemu_id, w, h, size);
		g_variant_unref(data);
		return;
	}
	/* QEMU's cursors are straight alpha; the protocol's premultiplied. */
	uint32_t *pixels = malloc((size_t)w * (size_t)h * 4);
	if (pixels != NULL) {
		for (size_t i = 0; i < (size_t)w * (size_t)h; i++) {
			uint32_t p;
			memcpy(&p, src + i * 4, 4);
			uint32_t a = p >> 24;
			uint32_t r = ((p >> 16) & 0xff) * a / 255;
			uint32_t g = ((p >> 8) & 0xff) * a / 255;
			uint32_t b = (p & 0xff) * a / 255;
			pixels[i] = a << 24 | r << 16 | g << 8 | b;
		}
		server_head_set_cursor(c->head, (uint32_t)w, (uint32_t)h, hot_x,
				       hot_y, pixels);
		free(pixels);
	}
	g_variant_unref(data);
}

static void
listener_call(GDBusConnection *conn, const gchar *sender, const gchar *path,
	      const gchar *iface, const gchar *method, GVariant *params,
	      GDBusMethodInvocation *inv, gpointer data)
{
	(void)conn;
	(void)sender;
	(void)path;
	(void)iface;
	struct qemu_console *c = data;
	if (strcmp(method, "Update") == 0) {
		int32_t x, y, w, h;
		uint32_t stride, format;
		GVariant *pixels;
		g_variant_get(params, "(iiiiuu@ay)", &x, &y, &w, &h, &stride,
			      &format, &pixels);
		qemu_map_drop(c); /* QEMU fell back to pixel data */
		paint_variant(c, x, y, w, h, stride, format, pixels);
		g_variant_unref(pixels);
	} else if (strcmp(method, "Scanout") == 0) {
		uint32_t w, h, stride, format;
		GVariant *pixels;
		g_variant_get(params, "(uuuu@ay)", &w, &h, &stride, &format,
			      &pixels);
		/* Newer QEMU sends a whole changed screen as Scanout every
		 * refresh: at the same size it is just a full update. */
		qemu_console_drop_passthrough(c);
		/* An unknown format is refused (by the update) before it
		 * costs the picture shown. */
		if (qemu_format_lookup(format) == NULL ||
		    qemu_pixels_resize(c, w, h, format, false))
			paint_variant(c, 0, 0, (int32_t)w, (int32_t)h, stride,
				      format, pixels);
		g_variant_unref(pixels);
	} else if (strcmp(method, "ScanoutDMABUF") == 0) {
		scanout_dmabuf(c, inv, params);
		return;
	} else if (strcmp(method, "UpdateDMABUF") == 0) {
		update_dmabuf(c, inv, params);
		return;
	} else if (strcmp(method, "Disable") == 0) {
		qemu_console_drop_passthrough(c);
		server_head_set_enabled(c->head, false);
	} else if (strcmp(method, "MouseSet") == 0) {
		int32_t x, y, on;
		g_variant_get(params, "(iii)", &x, &y, &on);
		server_head_move_cursor(c->head, x, y, on != 0);
	} else if (strcmp(method, "CursorDefine") == 0) {
		cursor_define(c, params);
	}
	g_dbus_method_invocation_return_value(inv, NULL);
}

static GVariant *
listener_get_property(GDBusConnection *conn, const gchar *sender,
		      const gchar *path, const gchar *iface,
		      const gchar *property, GError **error, gpointer data)
{
	(void)conn;
	(void)sender;
	(void)path;
	(void)iface;
	(void)data;
	if (strcmp(property, "Interfaces") == 0)
		return g_variant_new_strv(qemu_map_interfaces, -1);
	g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY,
		    "no property %s", property);
	return NULL;
}

static const GDBusInterfaceVTable listener_vtable = {
	.method_call = listener_call,
	.get_property = listener_get_property,
};

/* --- the connection ---------------------------------------------------- */

static void
on_served_closed(GDBusConnection *conn, gboolean vanished, GError *error,
		 gpointer data)
{
	(void)vanished;
	(void)error;
	struct qemu_served *s = data;
	if (s->conn != conn)
		return;
	qemu_verbose("%s connection closed", s->what);
	if (s->closed != NULL)
		s->closed(s->data);
}

static void
on_served_ready(GObject *source, GAsyncResult *res, gpointer data)
{
	(void)source;
	struct qemu_served *s = data;
	GError *error = NULL;
	GDBusConnection *conn = g_dbus_connection_new_finish(res, &error);
	if (conn == NULL) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			qemu_error("%s handshake failed: %s", s->what,
				   error->message);
		g_error_free(error);
		return;
	}
	s->conn = conn;
	g_signal_connect(conn, "closed", G_CALLBACK(on_served_closed), s);
	/* Exported before any message is read: QEMU's first call (the
	 * Listener's GetAll, the audio's Init) comes at once. */
	s->object = g_dbus_connection_register_object(conn, s->object_path,
		s->info, s->vtable, s->data, NULL, &error);
	if (s->object == 0) {
		qemu_error("%s: cannot export %s: %s", s->what, s->object_path,
			   error->message);
		g_clear_error(&error);
	}
	if (s->up != NULL)
		s->up(s->data, conn);
	g_dbus_connection_start_message_processing(conn);
	qemu_verbose("%s up", s->what);
}

/* What a registration's failure is logged as: "WHAT: METHOD failed". */
struct registration {
	char what[48];
	char method[32];
};

static void
on_registered(GObject *source, GAsyncResult *res, gpointer data)
{
	struct registration *r = data;
	GError *error = NULL;
	GVariant *reply = g_dbus_connection_call_with_unix_fd_list_finish(
		G_DBUS_CONNECTION(source), NULL, res, &error);
	if (reply != NULL)
		g_variant_unref(reply);
	else if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		qemu_error("%s: %s failed: %s", r->what, r->method,
			   error->message);
	g_clear_error(&error);
	g_free(r);
}

bool
qemu_serve(struct qemu_bridge *bridge, struct qemu_served *served,
	   const char *path, const char *iface, const char *method,
	   char *why, size_t why_size)
{
	served->cancel = g_cancellable_new();
	int pair[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
		snprintf(why, why_size, "socketpair: %s", strerror(errno));
		g_clear_object(&served->cancel);
		return false;
	}
	GError *error = NULL;
	GSocket *socket = g_socket_new_from_fd(pair[0], &error);
	if (socket == NULL) {
		snprintf(why, why_size, "%s", error->message);
		g_error_free(error);
		close(pair[0]);
		close(pair[1]);
		g_clear_object(&served->cancel);
		return false;
	}
	GSocketConnection *stream =
		g_socket_connection_factory_create_connection(socket);
	/* QEMU authenticates as the server only once it has our fd, so the
	 * handshake runs while the registration is on its way. */
	g_dbus_connection_new(G_IO_STREAM(stream), NULL,
			      G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
			      G_DBUS_CONNECTION_FLAGS_DELAY_MESSAGE_PROCESSING,
			      NULL, served->cancel, on_served_ready, served);
	g_object_unref(stream);
	g_object_unref(socket);

	struct registration *r = g_new0(struct registration, 1);
	snprintf(r->what, sizeof(r->what), "%s", served->what);
	snprintf(r->method, sizeof(r->method), "%s", method);
	GUnixFDList *fds = g_unix_fd_list_new_from_array(&pair[1], 1);
	g_dbus_connection_call_with_unix_fd_list(bridge->control, bridge->peer,
		path, iface, method, g_variant_new("(h)", 0), NULL,
		G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, fds, served->cancel,
		on_registered,
		r);
	g_object_unref(fds); /* it owns pair[1] */
	return true;
}

void
qemu_served_close(struct qemu_served *s)
{
	if (s->cancel != NULL) {
		g_cancellable_cancel(s->cancel);
		g_clear_object(&s->cancel);
	}
	if (s->conn == NULL)
		return;
	g_signal_handlers_disconnect_by_data(s->conn, s);
	if (s->object != 0)
		g_dbus_connection_unregister_object(s->conn, s->object);
	s->object = 0;
	g_dbus_connection_close(s->conn, NULL, NULL, NULL);
	g_clear_object(&s->conn);
}

static void
on_listener_up(gpointer data, GDBusConnection *conn)
{
	/* QEMU >= 9.2 / 10.1 read Interfaces in the Listener's GetAll and
	 * call these on the same object path. */
	qemu_map_register(data, conn);
}

void
qemu_listener_register(struct qemu_console *c)
{
	if (listener_info == NULL)
		listener_info = g_dbus_node_info_new_for_xml(listener_xml,
							     NULL);
	struct qemu_served *l = &c->listener;
	snprintf(l->what, sizeof(l->what), "console %u: listener", c->qemu_id);
	snprintf(l->object_path, sizeof(l->object_path), "%s",
		 QEMU_ROOT_PATH "/Listener");
	l->info = listener_info->interfaces[0];
	l->vtable = &listener_vtable;
	l->data = c;
	l->up = on_listener_up;
	char why[256];
	if (!qemu_serve(c->bridge, l, c->path, "org.qemu.Display1.Console",
			"RegisterListener", why, sizeof(why)))
		qemu_error("%s: %s", l->what, why);
}

void
qemu_listener_close(struct qemu_console *c)
{
	/* Its Map objects live on its connection. */
	qemu_map_unregister(c);
	qemu_served_close(&c->listener);
}
