/* SPDX-License-Identifier: MIT */
/*
 * QEMU's clipboard (org.qemu.Display1.Clipboard, 7.0) and the viewers'.
 * The shim serves the interface at /org/qemu/Display1/Clipboard on its
 * connection and calls Register on QEMU's: QEMU then calls our Grab and
 * Release when the guest (or QEMU's VNC server, which shares QEMU's one
 * clipboard) copies, and Request when it pastes what a viewer owns; we
 * call its Grab, Release and Request the other way. Serials follow QEMU's
 * rule: the counter starts at 0 on Register, each grab takes one more
 * than the highest seen, and the highest owns the selection.
 */
#include <string.h>

#include <gio/gio.h>

#include "qemu/private.h"

#define IFACE "org.qemu.Display1.Clipboard"
#define PATH QEMU_ROOT_PATH "/Clipboard"

static const char clipboard_xml[] =
	"<node>"
	" <interface name='" IFACE "'>"
	"  <method name='Register'/>"
	"  <method name='Unregister'/>"
	"  <method name='Grab'>"
	"   <arg type='u' name='selection' direction='in'/>"
	"   <arg type='u' name='serial' direction='in'/>"
	"   <arg type='as' name='mimes' direction='in'/></method>"
	"  <method name='Release'>"
	"   <arg type='u' name='selection' direction='in'/></method>"
	"  <method name='Request'>"
	"   <arg type='u' name='selection' direction='in'/>"
	"   <arg type='as' name='mimes' direction='in'/>"
	"   <arg type='s' name='reply_mime' direction='out'/>"
	"   <arg type='ay' name='data' direction='out'/></method>"
	" </interface>"
	"</node>";

static GDBusNodeInfo *clipboard_info;

/* QEMU's selections are ours (0 clipboard, 1 primary; 2 secondary is
 * not the viewers'). */
static bool
known_selection(uint32_t sel)
{
	return sel <= PROTO_SELECTION_PRIMARY;
}

static void
qemu_grab(struct qemu_bridge *bridge, GDBusMethodInvocation *inv,
	  GVariant *params)
{
	uint32_t sel, serial;
	GVariantIter *it;
	g_variant_get(params, "(uuas)", &sel, &serial, &it);
	const char *mimes[PROTO_MAX_MIMES];
	uint32_t n = 0;
	const char *mime;
	while (g_variant_iter_loop(it, "&s", &mime)) {
		if (n < PROTO_MAX_MIMES && strlen(mime) < PROTO_MAX_MIME)
			mimes[n++] = g_strdup(mime);
	}
	g_variant_iter_free(it);
	g_dbus_method_invocation_return_value(inv, NULL);
	if (serial > bridge->clip_serial)
		bridge->clip_serial = serial;
	if (known_selection(sel)) {
		qemu_verbose("clipboard: the guest's (selection %u, serial %u, "
			     "%u types)", sel, serial, n);
		server_clipboard_grab(bridge->server, sel, mimes, n);
	}
	for (uint32_t i = 0; i < n; i++)
		g_free((char *)mimes[i]);
}

static void
qemu_request(struct qemu_bridge *bridge, GDBusMethodInvocation *inv,
	     GVariant *params)
{
	uint32_t sel;
	GVariantIter *it;
	g_variant_get(params, "(uas)", &sel, &it);
	char *mime = NULL;
	g_variant_iter_next(it, "s", &mime);
	g_variant_iter_free(it);
	if (!known_selection(sel) || mime == NULL ||
	    bridge->clip_request[sel] != NULL) {
		g_dbus_method_invocation_return_dbus_error(inv,
			"org.qemu.Display1.Error.Failed", mime == NULL ?
			"no type asked for" : "a request is pending already");
		g_free(mime);
		return;
	}
	/* Answered when the owning viewer's data comes (clipboard_data). */
	bridge->clip_request[sel] = inv;
	server_clipboard_request(bridge->server, sel, mime);
	g_free(mime);
}

static void
on_method(GDBusConnection *conn, const char *sender, const char *path,
	  const char *iface, const char *method, GVariant *params,
	  GDBusMethodInvocation *inv, gpointer data)
{
	(void)conn; (void)sender; (void)path; (void)iface;
	struct qemu_bridge *bridge = data;
	if (strcmp(method, "Grab") == 0) {
		qemu_grab(bridge, inv, params);
	} else if (strcmp(method, "Release") == 0) {
		uint32_t sel;
		g_variant_get(params, "(u)", &sel);
		g_dbus_method_invocation_return_value(inv, NULL);
		if (known_selection(sel))
			server_clipboard_grab(bridge->server, sel, NULL, 0);
	} else if (strcmp(method, "Request") == 0) {
		qemu_request(bridge, inv, params);
	} else {
		/* Register: QEMU reset the serials (a peer registered). */
		if (strcmp(method, "Register") == 0)
			bridge->clip_serial = 0;
		g_dbus_method_invocation_return_value(inv, NULL);
	}
}

static const GDBusInterfaceVTable vtable = { .method_call = on_method };

static void
call(struct qemu_bridge *bridge, const char *method, GVariant *params,
     GAsyncReadyCallback done, gpointer data)
{
	g_dbus_connection_call(bridge->control, bridge->peer, PATH, IFACE,
		method, params, NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START,
		QEMU_CALL_TIMEOUT_MS, NULL, done ? done : qemu_call_done,
		done ? data : (gpointer)method);
}

void
qemu_clipboard_attach(struct qemu_bridge *bridge)
{
	if (clipboard_info == NULL)
		clipboard_info = g_dbus_node_info_new_for_xml(clipboard_xml,
							      NULL);
	GError *error = NULL;
	bridge->clip_object = g_dbus_connection_register_object(
		bridge->control, PATH, clipboard_info->interfaces[0], &vtable,
		bridge, NULL, &error);
	if (bridge->clip_object == 0) {
		qemu_error("cannot serve the clipboard: %s", error->message);
		g_error_free(error);
		return;
	}
	bridge->clip_serial = 0;
	call(bridge, "Register", NULL, NULL, NULL);
}

void
qemu_clipboard_detach(struct qemu_bridge *bridge)
{
	for (int sel = 0; sel < 2; sel++) {
		if (bridge->clip_request[sel] != NULL)
			g_dbus_method_invocation_return_dbus_error(
				bridge->clip_request[sel],
				"org.qemu.Display1.Error.Failed", "detached");
		bridge->clip_request[sel] = NULL;
		server_clipboard_grab(bridge->server, (uint32_t)sel, NULL, 0);
	}
	if (bridge->clip_object != 0)
		g_dbus_connection_unregister_object(bridge->control,
						    bridge->clip_object);
	bridge->clip_object = 0;
}

void
qemu_clipboard_viewer_grab(struct qemu_bridge *bridge, uint32_t sel,
			   const char *const *mimes, uint32_t n)
{
	if (!bridge->attached || bridge->clip_object == 0)
		return;
	if (n == 0) {
		call(bridge, "Release", g_variant_new("(u)", sel), NULL, NULL);
		return;
	}
	const char *strv[PROTO_MAX_MIMES + 1];
	for (uint32_t i = 0; i < n && i < PROTO_MAX_MIMES; i++)
		strv[i] = mimes[i];
	strv[n < PROTO_MAX_MIMES ? n : PROTO_MAX_MIMES] = NULL;
	bridge->clip_serial++;
	call(bridge, "Grab", g_variant_new("(uu^as)", sel, bridge->clip_serial,
					   (char **)strv), NULL, NULL);
}

/* A viewer's request for the guest's data: QEMU's Request answered. */
struct viewer_request {
	struct qemu_bridge *bridge;
	uint32_t id;
};

static void
on_request_done(GObject *source, GAsyncResult *res, gpointer data)
{
	struct viewer_request *r = data;
	GError *error = NULL;
	GVariant *reply = g_dbus_connection_call_finish(
		G_DBUS_CONNECTION(source), res, &error);
	if (reply == NULL) {
		qemu_verbose("clipboard: QEMU gave no data: %s", error->message);
		g_error_free(error);
		server_clipboard_answer(r->bridge->server, r->id,
					PROTO_CLIPBOARD_NONE, NULL, NULL, 0);
		g_free(r);
		return;
	}
	const char *mime;
	GVariant *bytes;
	g_variant_get(reply, "(&s@ay)", &mime, &bytes);
	gsize len;
	const void *data_ptr = g_variant_get_fixed_array(bytes, &len, 1);
	qemu_verbose("clipboard: %zu bytes of %s from the guest", (size_t)len,
		     mime);
	server_clipboard_answer(r->bridge->server, r->id,
				len > PROTO_MAX_CLIPBOARD ?
				PROTO_CLIPBOARD_TOO_LARGE : PROTO_CLIPBOARD_OK,
				mime, data_ptr, (uint32_t)len);
	g_variant_unref(bytes);
	g_variant_unref(reply);
	g_free(r);
}

void
qemu_clipboard_viewer_request(struct qemu_bridge *bridge, uint32_t sel,
			      const char *mime, uint32_t request_id)
{
	if (!bridge->attached || bridge->clip_object == 0) {
		server_clipboard_answer(bridge->server, request_id,
					PROTO_CLIPBOARD_NONE, mime, NULL, 0);
		return;
	}
	struct viewer_request *r = g_new0(struct viewer_request, 1);
	r->bridge = bridge;
	r->id = request_id;
	const char *mimes[] = { mime, NULL };
	call(bridge, "Request", g_variant_new("(u^as)", sel, (char **)mimes),
	     on_request_done, r);
}

void
qemu_clipboard_viewer_data(struct qemu_bridge *bridge, uint32_t sel,
			   uint32_t status, const char *mime,
			   const void *bytes, uint32_t length)
{
	if (!known_selection(sel) || bridge->clip_request[sel] == NULL)
		return;
	GDBusMethodInvocation *inv = bridge->clip_request[sel];
	bridge->clip_request[sel] = NULL;
	if (status != PROTO_CLIPBOARD_OK) {
		g_dbus_method_invocation_return_dbus_error(inv,
			"org.qemu.Display1.Error.Failed", status ==
			PROTO_CLIPBOARD_TOO_LARGE ? "too large" : "no data");
		return;
	}
	qemu_verbose("clipboard: %u bytes of %s to the guest", length, mime);
	g_dbus_method_invocation_return_value(inv, g_variant_new("(s@ay)", mime,
		g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, bytes, length, 1)));
}
