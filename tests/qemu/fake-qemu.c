/* SPDX-License-Identifier: MIT */
/* The fake QEMU: see fake-qemu.h. */
#include <fcntl.h>
#include <gio/gunixfdlist.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "fake-qemu.h"

static const char fake_xml[] =
	"<node>"
	" <interface name='org.qemu.Display1.VM'>"
	"  <property name='Name' type='s' access='read'/>"
	"  <property name='UUID' type='s' access='read'/>"
	"  <property name='ConsoleIDs' type='au' access='read'/>"
	" </interface>"
	" <interface name='org.qemu.Display1.Console'>"
	"  <method name='RegisterListener'>"
	"   <arg type='h' name='listener' direction='in'/></method>"
	"  <property name='Label' type='s' access='read'/>"
	"  <property name='Head' type='u' access='read'/>"
	"  <property name='Type' type='s' access='read'/>"
	"  <property name='Width' type='u' access='read'/>"
	"  <property name='Height' type='u' access='read'/>"
	"  <property name='DeviceAddress' type='s' access='read'/>"
	"  <property name='Interfaces' type='as' access='read'/>"
	" </interface>"
	" <interface name='org.qemu.Display1.Keyboard'>"
	"  <method name='Press'><arg type='u' name='keycode' direction='in'/></method>"
	"  <method name='Release'><arg type='u' name='keycode' direction='in'/></method>"
	"  <property name='Modifiers' type='u' access='read'/>"
	" </interface>"
	" <interface name='org.qemu.Display1.Mouse'>"
	"  <method name='Press'><arg type='u' name='button' direction='in'/></method>"
	"  <method name='Release'><arg type='u' name='button' direction='in'/></method>"
	"  <method name='SetAbsPosition'><arg type='u' name='x' direction='in'/>"
	"   <arg type='u' name='y' direction='in'/></method>"
	"  <method name='RelMotion'><arg type='i' name='dx' direction='in'/>"
	"   <arg type='i' name='dy' direction='in'/></method>"
	"  <property name='IsAbsolute' type='b' access='read'/>"
	" </interface>"
	" <interface name='org.qemu.Display1.MultiTouch'>"
	"  <method name='SendEvent'><arg type='u' name='kind' direction='in'/>"
	"   <arg type='t' name='num_slot' direction='in'/>"
	"   <arg type='d' name='x' direction='in'/>"
	"   <arg type='d' name='y' direction='in'/></method>"
	"  <property name='MaxSlots' type='i' access='read'/>"
	" </interface>"
	" <interface name='org.qemu.Display1.Clipboard'>"
	"  <method name='Register'/>"
	"  <method name='Unregister'/>"
	"  <method name='Grab'><arg type='u' name='selection' direction='in'/>"
	"   <arg type='u' name='serial' direction='in'/>"
	"   <arg type='as' name='mimes' direction='in'/></method>"
	"  <method name='Release'><arg type='u' name='selection' direction='in'/></method>"
	"  <method name='Request'><arg type='u' name='selection' direction='in'/>"
	"   <arg type='as' name='mimes' direction='in'/>"
	"   <arg type='s' name='reply_mime' direction='out'/>"
	"   <arg type='ay' name='data' direction='out'/></method>"
	" </interface>"
	"</node>";

/* The fake QEMU's state, shared with the main thread under lock. */
struct fake_qemu fake;


int64_t
fake_now_ms(void)
{
	return g_get_monotonic_time() / 1000;
}

static void
record(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	int64_t t = g_get_monotonic_time();
	g_mutex_lock(&fake.lock);
	g_ptr_array_add(fake.calls, s);
	g_array_append_val(fake.call_us, t);
	g_cond_broadcast(&fake.cond);
	g_mutex_unlock(&fake.lock);
}

/* Index of the first call from start equal to want, or -1 on timeout. */
int
fake_wait_call(guint start, const char *want)
{
	int64_t end = g_get_monotonic_time() + TIMEOUT_MS * 1000;
	g_mutex_lock(&fake.lock);
	for (;;) {
		for (guint i = start; i < fake.calls->len; i++) {
			if (strcmp(fake.calls->pdata[i], want) == 0) {
				g_mutex_unlock(&fake.lock);
				return (int)i;
			}
		}
		if (!g_cond_wait_until(&fake.cond, &fake.lock, end))
			break;
	}
	fprintf(stderr, "no call \"%s\" from #%u; calls since:\n", want,
		start);
	for (guint i = start; i < fake.calls->len; i++)
		fprintf(stderr, "  %s\n", (char *)fake.calls->pdata[i]);
	g_mutex_unlock(&fake.lock);
	return -1;
}

guint
fake_calls_mark(void)
{
	g_mutex_lock(&fake.lock);
	guint n = fake.calls->len;
	g_mutex_unlock(&fake.lock);
	return n;
}

/* --- the fake QEMU's objects ------------------------------------------- */

static GVariant *
get_property(GDBusConnection *conn, const gchar *sender, const gchar *path,
	     const gchar *iface, const gchar *prop, GError **error,
	     gpointer data)
{
	(void)conn, (void)sender, (void)path, (void)data, (void)error;
	if (strcmp(prop, "Name") == 0)
		return g_variant_new_string("fake-qemu");
	if (strcmp(prop, "UUID") == 0)
		return g_variant_new_string("00000000-0000-0000-0000-000000000000");
	if (strcmp(prop, "ConsoleIDs") == 0) {
		uint32_t id = 0;
		return g_variant_new_fixed_array(G_VARIANT_TYPE_UINT32, &id, 1,
						 sizeof(id));
	}
	if (strcmp(prop, "Label") == 0)
		return g_variant_new_string("FAKE");
	if (strcmp(prop, "Type") == 0)
		return g_variant_new_string("Graphic");
	if (strcmp(prop, "DeviceAddress") == 0)
		return g_variant_new_string("pci/0000/02.0");
	if (strcmp(prop, "Head") == 0)
		return g_variant_new_uint32(0);
	if (strcmp(prop, "Modifiers") == 0) {
		g_mutex_lock(&fake.lock);
		uint32_t m = fake.modifiers;
		g_mutex_unlock(&fake.lock);
		return g_variant_new_uint32(m);
	}
	if (strcmp(prop, "Width") == 0)
		return g_variant_new_uint32(W);
	if (strcmp(prop, "Height") == 0)
		return g_variant_new_uint32(H);
	if (strcmp(prop, "MaxSlots") == 0)
		return g_variant_new_int32(10);
	if (strcmp(prop, "IsAbsolute") == 0) {
		g_mutex_lock(&fake.lock);
		bool a = fake.absolute;
		g_mutex_unlock(&fake.lock);
		return g_variant_new_boolean(a);
	}
	if (strcmp(prop, "Interfaces") == 0 &&
	    strcmp(iface, "org.qemu.Display1.Console") == 0) {
		const char *const l[] = { "org.qemu.Display1.Keyboard",
			"org.qemu.Display1.Mouse",
			"org.qemu.Display1.MultiTouch", NULL };
		return g_variant_new_strv(l, -1);
	}
	return NULL;
}

/* QEMU's order: reply, become the auth server on the handed socket, then
 * read the Listener's properties synchronously. */
static void
register_listener(GDBusMethodInvocation *inv)
{
	GUnixFDList *fds = g_dbus_message_get_unix_fd_list(
		g_dbus_method_invocation_get_message(inv));
	int fd = fds != NULL ? g_unix_fd_list_get(fds, 0, NULL) : -1;
	g_dbus_method_invocation_return_value(inv, NULL);
	GSocket *sock = g_socket_new_from_fd(fd, NULL);
	GSocketConnection *stream =
		g_socket_connection_factory_create_connection(sock);
	char *guid = g_dbus_generate_guid();
	GError *error = NULL;
	GDBusConnection *conn = g_dbus_connection_new_sync(G_IO_STREAM(stream),
		guid, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_SERVER, NULL,
		NULL, &error);
	g_free(guid);
	g_object_unref(stream);
	g_object_unref(sock);
	if (conn == NULL) {
		fprintf(stderr, "fake QEMU: listener handshake: %s\n",
			error->message);
		g_error_free(error);
		return;
	}
	GVariant *all = g_dbus_connection_call_sync(conn, NULL, PATH_LISTENER,
		"org.freedesktop.DBus.Properties", "GetAll",
		g_variant_new("(s)", "org.qemu.Display1.Listener"),
		G_VARIANT_TYPE("(a{sv})"), G_DBUS_CALL_FLAGS_NONE, 1000, NULL,
		&error);
	char *joined = g_strdup("");
	if (all != NULL) {
		GVariant *props = g_variant_get_child_value(all, 0);
		const char **list = NULL;
		if (g_variant_lookup(props, "Interfaces", "^a&s", &list)) {
			g_free(joined);
			joined = g_strjoinv(",", (char **)list);
			g_free(list);
		}
		g_variant_unref(props);
		g_variant_unref(all);
	} else {
		fprintf(stderr, "fake QEMU: GetAll on the listener: %s\n",
			error->message);
		g_error_free(error);
	}
	g_mutex_lock(&fake.lock);
	fake.listener = conn;
	fake.listener_ifaces = joined;
	g_mutex_unlock(&fake.lock);
	record("RegisterListener");
}

static void
method_call(GDBusConnection *conn, const gchar *sender, const gchar *path,
	    const gchar *iface, const gchar *method, GVariant *params,
	    GDBusMethodInvocation *inv, gpointer data)
{
	(void)conn, (void)sender, (void)path, (void)data;
	const char *short_iface = strrchr(iface, '.') + 1;
	if (strcmp(method, "RegisterListener") == 0) {
		register_listener(inv);
		return;
	}
	g_mutex_lock(&fake.lock);
	bool absolute = fake.absolute;
	g_mutex_unlock(&fake.lock);
	/* As QEMU's ui/dbus-console.c refuses them. */
	if ((strcmp(method, "SetAbsPosition") == 0 && !absolute) ||
	    (strcmp(method, "RelMotion") == 0 && absolute)) {
		record("%s.%s refused", short_iface, method);
		g_dbus_method_invocation_return_dbus_error(inv,
			"org.qemu.Display1.Error.Invalid", absolute ?
			"Mouse is not relative" : "Mouse is not absolute");
		return;
	}
	char *args = g_variant_print(params, FALSE);
	record("%s.%s %s", short_iface, method, args);
	g_free(args);
	if (strcmp(method, "Request") == 0) {
		/* The guest's text, as QEMU gives what a peer copied. */
		g_dbus_method_invocation_return_value(inv, g_variant_new(
			"(s@ay)", "text/plain;charset=utf-8",
			g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE,
				FAKE_GUEST_TEXT, strlen(FAKE_GUEST_TEXT), 1)));
		return;
	}
	g_dbus_method_invocation_return_value(inv, NULL);
}

static const GDBusInterfaceVTable vtable = {
	.method_call = method_call, .get_property = get_property,
};

/* QMP as QEMU speaks it, as much as the shim uses: greeting,
 * qmp_capabilities, getfd (fd by SCM_RIGHTS), add_client. */
static int
qmp_serve(void)
{
	int c = accept4(fake.qmp_listen, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0)
		return -1;
	const char greet[] = "{\"QMP\": {\"version\": {}, \"capabilities\": "
			     "[]}}\r\n";
	if (write(c, greet, sizeof(greet) - 1) < 0)
		return -1;
	int got = -1;
	for (;;) {
		char buf[4096];
		char cmsg[CMSG_SPACE(sizeof(int))];
		struct iovec iov = { buf, sizeof(buf) - 1 };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
				      .msg_control = cmsg,
				      .msg_controllen = sizeof(cmsg) };
		ssize_t n = recvmsg(c, &msg, MSG_CMSG_CLOEXEC);
		if (n <= 0)
			break;
		buf[n] = '\0';
		struct cmsghdr *h = CMSG_FIRSTHDR(&msg);
		if (h != NULL && h->cmsg_type == SCM_RIGHTS)
			memcpy(&got, CMSG_DATA(h), sizeof(int));
		const char ok[] = "{\"return\": {}}\r\n";
		if (write(c, ok, sizeof(ok) - 1) < 0)
			break;
		if (strstr(buf, "add_client") != NULL &&
		    strstr(buf, "@dbus-display") != NULL)
			break;
	}
	close(c);
	return got;
}

static gpointer
fake_thread(gpointer data)
{
	(void)data;
	g_main_context_push_thread_default(fake.ctx);
	int fd = qmp_serve();
	if (fd < 0) {
		fprintf(stderr, "fake QEMU: no fd came through QMP\n");
		return NULL;
	}
	GSocket *sock = g_socket_new_from_fd(fd, NULL);
	GSocketConnection *stream =
		g_socket_connection_factory_create_connection(sock);
	char *guid = g_dbus_generate_guid();
	GError *error = NULL;
	GDBusConnection *conn = g_dbus_connection_new_sync(G_IO_STREAM(stream),
		guid, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_SERVER |
		G_DBUS_CONNECTION_FLAGS_DELAY_MESSAGE_PROCESSING, NULL, NULL,
		&error);
	g_free(guid);
	g_object_unref(stream);
	g_object_unref(sock);
	if (conn == NULL) {
		fprintf(stderr, "fake QEMU: %s\n", error->message);
		return NULL;
	}
	GDBusNodeInfo *info = g_dbus_node_info_new_for_xml(fake_xml, NULL);
	g_dbus_connection_register_object(conn, "/org/qemu/Display1/VM",
		info->interfaces[0], &vtable, NULL, NULL, NULL);
	for (int i = 1; i < 5; i++)
		g_dbus_connection_register_object(conn, PATH_CONSOLE,
			info->interfaces[i], &vtable, NULL, NULL, NULL);
	g_dbus_connection_register_object(conn, PATH_CLIPBOARD,
		info->interfaces[5], &vtable, NULL, NULL, NULL);
	g_mutex_lock(&fake.lock);
	fake.control = conn;
	g_mutex_unlock(&fake.lock);
	g_dbus_connection_start_message_processing(conn);
	GMainLoop *loop = g_main_loop_new(fake.ctx, FALSE);
	g_main_loop_run(loop);
	return NULL;
}

GVariant *
fake_listener_call(const char *iface, const char *method, GVariant *params,
	      int fd)
{
	/* The list owns what it is given: a duplicate, ours stays open. */
	int dup_fd = fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 0) : -1;
	GUnixFDList *fds = dup_fd >= 0 ?
		g_unix_fd_list_new_from_array(&dup_fd, 1) : NULL;
	GError *error = NULL;
	GVariant *r = g_dbus_connection_call_with_unix_fd_list_sync(
		fake.listener, NULL, PATH_LISTENER, iface, method, params,
		NULL, G_DBUS_CALL_FLAGS_NONE, 1000, fds, NULL, NULL, &error);
	if (fds != NULL)
		g_object_unref(fds);
	if (r == NULL) {
		fprintf(stderr, "%s.%s: %s\n", iface, method, error->message);
		g_error_free(error);
	}
	return r;
}


bool
fake_qemu_start(const char *qmp_path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", qmp_path);
	fake.qmp_listen = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (bind(fake.qmp_listen, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    listen(fake.qmp_listen, 1) < 0) {
		perror("QMP socket");
		return false;
	}
	fake.calls = g_ptr_array_new_with_free_func(g_free);
	fake.call_us = g_array_new(FALSE, FALSE, sizeof(int64_t));
	fake.ctx = g_main_context_new();
	g_thread_new("fake-qemu", fake_thread, NULL);
	return true;
}

/* PropertiesChanged of one property of Console_0's iface, as QEMU
 * emits it. */
void
fake_emit_changed(const char *iface, const char *name, GVariant *value)
{
	GVariantBuilder changed;
	g_variant_builder_init(&changed, G_VARIANT_TYPE("a{sv}"));
	g_variant_builder_add(&changed, "{sv}", name, value);
	g_dbus_connection_emit_signal(fake.control, NULL, PATH_CONSOLE,
		"org.freedesktop.DBus.Properties", "PropertiesChanged",
		g_variant_new("(sa{sv}as)", iface, &changed, NULL), NULL);
}
