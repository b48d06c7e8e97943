/* SPDX-License-Identifier: MIT */
/*
 * The qemu source: connections to QEMU and their life cycle. On a bus we
 * watch org.qemu and attach to whoever owns it; peer-to-peer we hand QEMU
 * a socket through QMP. Attaching reads VM.ConsoleIDs, makes a head per
 * graphic console and registers a Listener on each. Losing QEMU (the name
 * vanishes, the connection closes) detaches: heads disabled, viewers kept,
 * and a retry timer or the name watch brings QEMU back.
 */
#include <drm_fourcc.h>
#include <errno.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qemu/find.h"
#include "qemu/private.h"

/* How often a vanished QEMU (QMP socket or bus) is looked for again. */
#define RETRY_MS 200
/* --vm-name: how often the queued owners are read again while the VM is
 * not among them; a libvirt domain's bus is looked up through virsh. */
#define RESCAN_MS 500
#define LIBVIRT_RETRY_MS 2000

static void connect_control(struct qemu_bridge *bridge);
static void drop_control(struct qemu_bridge *bridge);
static void retry_later(struct qemu_bridge *bridge);

void
qemu_call_done(GObject *source, GAsyncResult *res, gpointer data)
{
	const char *method = data;
	GError *error = NULL;
	GVariant *reply = g_dbus_connection_call_finish(
		G_DBUS_CONNECTION(source), res, &error);
	if (reply != NULL) {
		g_variant_unref(reply);
		return;
	}
	qemu_error("%s failed: %s", method, error->message);
	g_error_free(error);
}

/* --- attach and detach ------------------------------------------------- */

/* why: how QEMU was lost; NULL when the shim itself stops. */
static void
detach(struct qemu_bridge *bridge, const char *why)
{
	if (!bridge->attached)
		return;
	if (why != NULL)
		qemu_info("lost QEMU (%s); heads disabled, waiting for it to "
			  "come back", why);
	for (uint32_t i = 0; i < bridge->n_consoles; i++)
		qemu_console_detach(&bridge->consoles[i]);
	qemu_clipboard_detach(bridge);
	qemu_audio_detach(bridge);
	bridge->n_consoles = 0;
	bridge->attached = false;
	qemu_input_reset(bridge);
	g_clear_pointer(&bridge->peer, g_free);
}

static GVariant *
get_vm_properties(struct qemu_bridge *bridge, GError **error)
{
	return g_dbus_connection_call_sync(bridge->control, bridge->peer,
		QEMU_ROOT_PATH "/VM", "org.freedesktop.DBus.Properties",
		"GetAll", g_variant_new("(s)", "org.qemu.Display1.VM"),
		G_VARIANT_TYPE("(a{sv})"), G_DBUS_CALL_FLAGS_NO_AUTO_START,
		QEMU_CALL_TIMEOUT_MS * 5, NULL, error);
}

/* QEMU answers on control (from peer on a bus): read the VM, attach every
 * graphic console. Synchronous calls only happen here, before any
 * listener exists, so QEMU is never waiting on us while we wait on it. */
static void
attach(struct qemu_bridge *bridge, const char *peer)
{
	g_free(bridge->peer);
	bridge->peer = g_strdup(peer);
	GError *error = NULL;
	GVariant *reply = get_vm_properties(bridge, &error);
	if (reply == NULL) {
		qemu_error("cannot read %s/VM: %s", QEMU_ROOT_PATH,
			   error->message);
		g_error_free(error);
		/* Peer-to-peer nothing else would bring us back: start over. */
		if (bridge->options.qmp_path != NULL) {
			drop_control(bridge);
			retry_later(bridge);
		}
		return;
	}
	GVariant *props = g_variant_get_child_value(reply, 0);
	const char *name = "";
	g_variant_lookup(props, "Name", "&s", &name);
	snprintf(bridge->vm_name, sizeof(bridge->vm_name), "%s", name);
	GVariant *ids = g_variant_lookup_value(props, "ConsoleIDs",
					       G_VARIANT_TYPE("au"));
	size_t n_ids = 0;
	const uint32_t *id = ids != NULL ?
		g_variant_get_fixed_array(ids, &n_ids, sizeof(uint32_t)) : NULL;

	bridge->attached = true;
	bridge->attachments++;
	bridge->n_consoles = 0;
	for (size_t i = 0; i < n_ids && bridge->n_consoles < PROTO_MAX_HEADS;
	     i++) {
		struct qemu_console *c = &bridge->consoles[bridge->n_consoles];
		c->bridge = bridge;
		c->index = bridge->n_consoles;
		c->qemu_id = id[i];
		char why[256];
		if (!qemu_console_attach(c, why, sizeof(why))) {
			/* Text consoles land here too; they have no pixels. */
			qemu_verbose("console %u left out: %s", id[i], why);
			continue;
		}
		bridge->n_consoles++;
	}
	qemu_info("attached to VM \"%s\"%s%s: %u graphic console(s)",
		  bridge->vm_name, peer != NULL ? " at " : " (peer-to-peer)",
		  peer != NULL ? peer : "", bridge->n_consoles);
	qemu_input_advertise(bridge);
	for (uint32_t i = 0; i < bridge->n_consoles; i++)
		qemu_listener_register(&bridge->consoles[i]);
	qemu_clipboard_attach(bridge);
	qemu_audio_attach(bridge);
	if (ids != NULL)
		g_variant_unref(ids);
	g_variant_unref(props);
	g_variant_unref(reply);
}

/* --- connections ------------------------------------------------------- */

static gboolean
retry_now(gpointer data)
{
	struct qemu_bridge *bridge = data;
	bridge->retry_source = 0;
	connect_control(bridge);
	return G_SOURCE_REMOVE;
}

static void
retry_later(struct qemu_bridge *bridge)
{
	if (bridge->retry_source == 0)
		bridge->retry_source = g_timeout_add(
			bridge->options.libvirt_domain != NULL ?
			LIBVIRT_RETRY_MS : RETRY_MS, retry_now, bridge);
}

static void
drop_control(struct qemu_bridge *bridge)
{
	if (bridge->rescan_source != 0) {
		g_source_remove(bridge->rescan_source);
		bridge->rescan_source = 0;
	}
	if (bridge->name_watch != 0) {
		g_bus_unwatch_name(bridge->name_watch);
		bridge->name_watch = 0;
	}
	if (bridge->control != NULL) {
		g_signal_handler_disconnect(bridge->control,
					    bridge->closed_handler);
		g_dbus_connection_close(bridge->control, NULL, NULL, NULL);
		g_clear_object(&bridge->control);
	}
}

static void
on_control_closed(GDBusConnection *conn, gboolean remote_peer_vanished,
		  GError *error, gpointer data)
{
	(void)conn;
	struct qemu_bridge *bridge = data;
	const char *why = remote_peer_vanished ?
		(bridge->options.qmp_path != NULL ? "QEMU closed the connection" :
		 "the bus closed the connection") :
		error != NULL ? error->message : "connection closed";
	detach(bridge, why);
	drop_control(bridge);
	retry_later(bridge);
}

static void
on_name_appeared(GDBusConnection *conn, const gchar *name,
		 const gchar *owner, gpointer data)
{
	(void)conn;
	(void)name;
	struct qemu_bridge *bridge = data;
	detach(bridge, "org.qemu changed hands");
	attach(bridge, owner);
}

static void
on_name_vanished(GDBusConnection *conn, const gchar *name, gpointer data)
{
	(void)name;
	struct qemu_bridge *bridge = data;
	if (conn == NULL)
		return; /* the connection closed: on_control_closed handles it */
	detach(bridge, "org.qemu left the bus");
}

/* --- --vm-name: one QEMU among those queued for org.qemu ------------- */

static void pick_vm(struct qemu_bridge *bridge);

static gboolean
rescan_now(gpointer data)
{
	struct qemu_bridge *bridge = data;
	bridge->rescan_source = 0;
	if (bridge->name_watch != 0) {
		g_bus_unwatch_name(bridge->name_watch);
		bridge->name_watch = 0;
	}
	pick_vm(bridge);
	return G_SOURCE_REMOVE;
}

static void
rescan_later(struct qemu_bridge *bridge)
{
	if (bridge->rescan_source == 0)
		bridge->rescan_source = g_timeout_add(RESCAN_MS, rescan_now,
						      bridge);
}

static void
on_vm_appeared(GDBusConnection *conn, const gchar *name, const gchar *owner,
	       gpointer data)
{
	(void)conn;
	(void)name;
	attach(data, owner);
}

/* The QEMU we picked left the bus (it ended, or was killed): another one
 * of that name, a restarted VM, is looked for. */
static void
on_vm_vanished(GDBusConnection *conn, const gchar *name, gpointer data)
{
	(void)name;
	struct qemu_bridge *bridge = data;
	if (conn == NULL)
		return; /* the connection closed: on_control_closed handles it */
	char why[192];
	snprintf(why, sizeof(why), "VM \"%s\" left the bus",
		 bridge->options.vm_name);
	detach(bridge, why);
	rescan_later(bridge);
}

static void
pick_vm(struct qemu_bridge *bridge)
{
	char *unique = qemu_bus_find(bridge->control, bridge->options.vm_name,
				     NULL);
	if (unique == NULL) {
		rescan_later(bridge);
		return;
	}
	/* Watching its unique name says when that QEMU is gone. */
	bridge->name_watch = g_bus_watch_name_on_connection(bridge->control,
		unique, G_BUS_NAME_WATCHER_FLAGS_NONE, on_vm_appeared,
		on_vm_vanished, bridge, NULL);
	g_free(unique);
}

static void
use_control(struct qemu_bridge *bridge, GDBusConnection *conn)
{
	bridge->control = conn;
	bridge->closed_handler = g_signal_connect(conn, "closed",
		G_CALLBACK(on_control_closed), bridge);
	if (bridge->options.qmp_path != NULL) {
		attach(bridge, NULL);
		return;
	}
	if (bridge->options.vm_name != NULL) {
		pick_vm(bridge);
		return;
	}
	bridge->name_watch = g_bus_watch_name_on_connection(conn,
		QEMU_BUS_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
		on_name_appeared, on_name_vanished, bridge, NULL);
}

static void
on_p2p_ready(GObject *source, GAsyncResult *res, gpointer data)
{
	(void)source;
	struct qemu_bridge *bridge = data;
	GError *error = NULL;
	GDBusConnection *conn = g_dbus_connection_new_finish(res, &error);
	g_clear_object(&bridge->connecting);
	if (conn == NULL) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
			qemu_error("D-Bus handshake with QEMU over %s failed: "
				   "%s", bridge->options.qmp_path,
				   error->message);
			retry_later(bridge);
		}
		g_error_free(error);
		return;
	}
	use_control(bridge, conn);
}

/* The QMP socket is absent or refuses until QEMU runs: that is waited
 * for quietly, and said once. */
static void
connect_p2p(struct qemu_bridge *bridge)
{
	static char last_why[256];
	char why[256];
	uint32_t version[3];
	int fd = qemu_p2p_open(bridge->options.qmp_path, version, why,
			       sizeof(why));
	if (fd < 0) {
		if (strcmp(why, last_why) != 0)
			qemu_error("%s; retrying every %d ms", why, RETRY_MS);
		snprintf(last_why, sizeof(last_why), "%s", why);
		retry_later(bridge);
		return;
	}
	last_why[0] = '\0';
	bridge->qemu_major = version[0];
	bridge->qemu_minor = version[1];
	bridge->qemu_micro = version[2];
	GError *error = NULL;
	GSocket *socket = g_socket_new_from_fd(fd, &error);
	if (socket == NULL) {
		qemu_error("cannot wrap the QMP-handed socket: %s",
			   error->message);
		g_error_free(error);
		close(fd);
		retry_later(bridge);
		return;
	}
	GSocketConnection *stream =
		g_socket_connection_factory_create_connection(socket);
	bridge->connecting = g_cancellable_new();
	g_dbus_connection_new(G_IO_STREAM(stream), NULL,
			      G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT,
			      NULL, bridge->connecting, on_p2p_ready, bridge);
	g_object_unref(stream);
	g_object_unref(socket);
}

static void
connect_bus(struct qemu_bridge *bridge)
{
	static char last_why[512];
	GError *error = NULL;
	char *address = bridge->options.dbus_address != NULL ?
		g_strdup(bridge->options.dbus_address) :
		g_dbus_address_get_for_bus_sync(G_BUS_TYPE_SESSION, NULL,
						&error);
	/* A libvirt domain started again has a new bus: after the first
	 * failure the address is its live XML's again. */
	if (bridge->options.libvirt_domain != NULL && last_why[0] != '\0') {
		char *now = qemu_libvirt_address(bridge->options.libvirt_domain);
		if (now != NULL) {
			g_free(address);
			address = now;
		}
	}
	GDBusConnection *conn = NULL;
	if (address != NULL)
		conn = g_dbus_connection_new_for_address_sync(address,
			G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
			G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
			NULL, NULL, &error);
	if (conn == NULL) {
		char why[512];
		snprintf(why, sizeof(why), "cannot connect to the D-Bus bus %s: "
			 "%s", address != NULL ? address : "(session)",
			 error->message);
		if (strcmp(why, last_why) != 0)
			qemu_error("%s; is the bus running (--dbus-address)? "
				   "Retrying every %d ms", why, RETRY_MS);
		snprintf(last_why, sizeof(last_why), "%s", why);
		g_error_free(error);
		g_free(address);
		retry_later(bridge);
		return;
	}
	last_why[0] = '\0';
	g_free(address);
	use_control(bridge, conn);
}

static void
connect_control(struct qemu_bridge *bridge)
{
	if (bridge->options.qmp_path != NULL)
		connect_p2p(bridge);
	else
		connect_bus(bridge);
}

/* --- the public side --------------------------------------------------- */

struct qemu_bridge *
qemu_bridge_create(struct server *server, const struct qemu_options *options,
		   char *why, size_t why_size)
{
	if (options->qmp_path != NULL && options->dbus_address != NULL) {
		snprintf(why, why_size, "--qmp %s and --dbus-address %s: QEMU "
			 "is either on a bus or peer-to-peer; give one",
			 options->qmp_path, options->dbus_address);
		return NULL;
	}
	struct qemu_bridge *bridge = calloc(1, sizeof(*bridge));
	if (bridge == NULL) {
		snprintf(why, why_size, "out of memory");
		return NULL;
	}
	bridge->server = server;
	bridge->options = *options;
	bridge->loop = g_main_loop_new(NULL, FALSE);
	qemu_input_advertise(bridge);
	connect_control(bridge);
	return bridge;
}

void
qemu_bridge_destroy(struct qemu_bridge *bridge)
{
	if (bridge == NULL)
		return;
	detach(bridge, NULL);
	if (bridge->connecting != NULL) {
		g_cancellable_cancel(bridge->connecting);
		g_clear_object(&bridge->connecting);
	}
	drop_control(bridge);
	qemu_input_reset(bridge);
	qemu_audio_finish(bridge);
	if (bridge->retry_source != 0)
		g_source_remove(bridge->retry_source);
	for (uint32_t i = 0; i < bridge->n_heads; i++)
		qemu_console_finish(&bridge->consoles[i]);
	g_free(bridge->peer);
	g_main_loop_unref(bridge->loop);
	free(bridge);
}

void
qemu_bridge_handle_input(struct qemu_bridge *bridge, uint32_t device_id,
			 uint32_t kind, const struct proto_input_event *ev,
			 uint32_t n)
{
	qemu_input_handle(bridge, device_id, kind, ev, n);
}

void
qemu_bridge_handle_buffer_released(struct qemu_bridge *bridge,
				   struct server_buffer *buffer)
{
	for (uint32_t i = 0; i < bridge->n_heads; i++)
		qemu_console_buffer_released(&bridge->consoles[i], buffer);
}

void
qemu_bridge_handle_viewer_joined(struct qemu_bridge *bridge)
{
	for (uint32_t i = 0; i < bridge->n_heads; i++) {
		qemu_map_viewers_changed(&bridge->consoles[i]);
		qemu_pixels_viewers_changed(&bridge->consoles[i]);
	}
}

void
qemu_bridge_handle_clipboard_grab(struct qemu_bridge *bridge,
				  uint32_t selection, const char *const *mimes,
				  uint32_t n)
{
	qemu_clipboard_viewer_grab(bridge, selection, mimes, n);
}

void
qemu_bridge_handle_clipboard_request(struct qemu_bridge *bridge,
				     uint32_t selection, const char *mime,
				     uint32_t request_id)
{
	qemu_clipboard_viewer_request(bridge, selection, mime, request_id);
}

void
qemu_bridge_handle_clipboard_data(struct qemu_bridge *bridge,
				  uint32_t selection, uint32_t status,
				  const char *mime, const void *bytes,
				  uint32_t length)
{
	qemu_clipboard_viewer_data(bridge, selection, status, mime, bytes,
				   length);
}

void
qemu_bridge_handle_head_size(struct qemu_bridge *bridge,
			     struct server_head *head, uint32_t width,
			     uint32_t height, uint32_t width_mm,
			     uint32_t height_mm)
{
	for (uint32_t i = 0; i < bridge->n_heads; i++) {
		if (bridge->consoles[i].head == head)
			qemu_console_set_ui_info(&bridge->consoles[i], width,
						 height, width_mm, height_mm);
	}
}

bool
qemu_viewers_take_shm(const struct qemu_bridge *bridge, uint32_t fourcc)
{
	if (server_viewer_count(bridge->server) == 0)
		return true;
	static struct proto_format formats[PROTO_MAX_FORMATS];
	size_t n = server_viewer_formats(bridge->server, formats,
					 PROTO_MAX_FORMATS);
	for (size_t i = 0; i < n; i++)
		if (formats[i].fourcc == fourcc &&
		    formats[i].modifier == DRM_FORMAT_MOD_LINEAR &&
		    (formats[i].flags & PROTO_FORMAT_SHM))
			return true;
	return false;
}

struct loop_state {
	struct qemu_bridge *bridge;
	bool ok;
};

static gboolean
on_server_ready(gint fd, GIOCondition cond, gpointer data)
{
	(void)fd;
	(void)cond;
	struct loop_state *state = data;
	if (!server_dispatch(state->bridge->server)) {
		state->ok = false;
		g_main_loop_quit(state->bridge->loop);
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

static gboolean
on_signal(gint fd, GIOCondition cond, gpointer data)
{
	(void)fd;
	(void)cond;
	struct loop_state *state = data;
	g_main_loop_quit(state->bridge->loop);
	return G_SOURCE_REMOVE;
}

bool
qemu_bridge_run(struct qemu_bridge *bridge, int signal_fd)
{
	struct loop_state state = { .bridge = bridge, .ok = true };
	guint server_source = g_unix_fd_add(server_get_fd(bridge->server),
					    G_IO_IN, on_server_ready, &state);
	guint signal_source = g_unix_fd_add(signal_fd, G_IO_IN, on_signal,
					    &state);
	g_main_loop_run(bridge->loop);
	if (state.ok)
		g_source_remove(server_source);
	if (g_main_context_find_source_by_id(NULL, signal_source) != NULL)
		g_source_remove(signal_source);
	return state.ok;
}
