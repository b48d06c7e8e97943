/* SPDX-License-Identifier: MIT */
#include "qemu/find.h"

#include <poll.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qemu/libvirt.h"
#include "qemu/private.h"

/* A VM looked for and not there yet is looked for again this often on
 * the bus, and every FIND_LIBVIRT_EVERY-th time in libvirt (two virsh
 * runs and more: not twice a second for as long as a viewer waits). */
#define FIND_RETRY_MS 500
#define FIND_LIBVIRT_EVERY 5
/* One QEMU that does not answer must not hold the search up for long. */
#define FIND_CALL_TIMEOUT_MS 1000

static GVariant *
call_bus(GDBusConnection *conn, const char *method, GVariant *args,
	 const char *type, GError **error)
{
	return g_dbus_connection_call_sync(conn, "org.freedesktop.DBus",
		"/org/freedesktop/DBus", "org.freedesktop.DBus", method, args,
		G_VARIANT_TYPE(type), G_DBUS_CALL_FLAGS_NONE,
		FIND_CALL_TIMEOUT_MS, NULL, error);
}

/* The VM.Name of the QEMU at unique; NULL when it is not a QEMU display
 * (another program queued for org.qemu) or does not answer. */
static char *
vm_name_of(GDBusConnection *conn, const char *unique)
{
	GVariant *reply = g_dbus_connection_call_sync(conn, unique,
		QEMU_ROOT_PATH "/VM", "org.freedesktop.DBus.Properties", "Get",
		g_variant_new("(ss)", "org.qemu.Display1.VM", "Name"),
		G_VARIANT_TYPE("(v)"), G_DBUS_CALL_FLAGS_NO_AUTO_START,
		FIND_CALL_TIMEOUT_MS, NULL, NULL);
	if (reply == NULL)
		return NULL;
	GVariant *value = NULL;
	g_variant_get(reply, "(v)", &value);
	char *name = g_variant_is_of_type(value, G_VARIANT_TYPE_STRING) ?
		g_variant_dup_string(value, NULL) : NULL;
	g_variant_unref(value);
	g_variant_unref(reply);
	return name;
}

/* The unique names queued for org.qemu, the owner first; NULL when there
 * are none (NameHasNoOwner) or the bus would not say. */
static char **
queued_owners(GDBusConnection *conn)
{
	GVariant *reply = call_bus(conn, "ListQueuedOwners",
				   g_variant_new("(s)", QEMU_BUS_NAME), "(as)",
				   NULL);
	if (reply == NULL)
		return NULL;
	char **owners = NULL;
	g_variant_get(reply, "(^as)", &owners);
	g_variant_unref(reply);
	return owners;
}

char *
qemu_bus_find(GDBusConnection *conn, const char *name, GString *names)
{
	char **owners = queued_owners(conn);
	char *found = NULL;
	for (char **o = owners; o != NULL && *o != NULL && found == NULL; o++) {
		char *vm = vm_name_of(conn, *o);
		if (vm == NULL)
			continue;
		if (strcmp(vm, name) == 0)
			found = g_strdup(*o);
		else if (names != NULL)
			g_string_append_printf(names, "%s\"%s\"",
					       names->len > 0 ? ", " : "", vm);
		g_free(vm);
	}
	g_strfreev(owners);
	return found;
}

static GDBusConnection *
open_bus(const char *address, GError **error)
{
	return g_dbus_connection_new_for_address_sync(address,
		G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
		G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
		NULL, NULL, error);
}

/* The session bus's address, or NULL with why (no DBUS_SESSION_BUS_ADDRESS
 * and no X11 autolaunch). */
static char *
session_address(char *why, size_t why_size)
{
	GError *error = NULL;
	char *address = g_dbus_address_get_for_bus_sync(G_BUS_TYPE_SESSION,
							NULL, &error);
	if (address == NULL) {
		snprintf(why, why_size, "%s", error->message);
		g_error_free(error);
	}
	return address;
}

/* Looks on one bus: 1 found (*unique set), 0 not there, -1 no bus. What
 * it saw goes into searched. */
static int
find_on_bus(const char *name, const char *address, const char *label,
	    GString *searched)
{
	GError *error = NULL;
	GDBusConnection *conn = open_bus(address, &error);
	if (conn == NULL) {
		g_string_append_printf(searched, "%s (%s): cannot connect: %s",
				       label, address, error->message);
		g_error_free(error);
		return -1;
	}
	GString *names = g_string_new(NULL);
	char *unique = qemu_bus_find(conn, name, names);
	if (unique == NULL)
		g_string_append_printf(searched, "%s (%s): %s%s", label,
				       address, names->len > 0 ?
				       "QEMUs named " : "no QEMU",
				       names->str);
	g_string_free(names, TRUE);
	g_dbus_connection_close_sync(conn, NULL, NULL);
	g_object_unref(conn);
	bool found = unique != NULL;
	g_free(unique);
	return found ? 1 : 0;
}

/* A libvirt domain's bus may admit only the user its QEMU runs as
 * (qemu:///system: libvirt-qemu), not even root: said with that user,
 * since nothing else would show why. true when we may connect. */
static bool
bus_admits_us(const char *name, const char *address, GString *searched)
{
	GError *error = NULL;
	GDBusConnection *conn = open_bus(address, &error);
	if (conn != NULL) {
		g_dbus_connection_close_sync(conn, NULL, NULL);
		g_object_unref(conn);
		return true;
	}
	const char *path = g_str_has_prefix(address, "unix:path=") ?
		address + strlen("unix:path=") : NULL;
	char *socket = path != NULL ? g_strndup(path, strcspn(path, ",")) : NULL;
	struct stat st;
	if (socket != NULL && stat(socket, &st) == 0 && st.st_uid != getuid()) {
		const struct passwd *pw = getpwuid(st.st_uid);
		char user[64];
		if (pw != NULL)
			snprintf(user, sizeof(user), "%s", pw->pw_name);
		else
			snprintf(user, sizeof(user), "%u", (unsigned)st.st_uid);
		g_string_append_printf(searched, "; libvirt: domain \"%s\"'s "
				       "bus %s refused us (%s): it admits only "
				       "its owner, user %s; run the viewer as "
				       "that user (sudo -u %s qemu-eglview %s)",
				       name, address, error->message, user,
				       user, name);
	} else {
		g_string_append_printf(searched, "; libvirt: domain \"%s\"'s "
				       "bus %s: %s", name, address,
				       error->message);
	}
	g_free(socket);
	g_error_free(error);
	return false;
}

/* libvirt's domains with D-Bus graphics: 1 found (place filled), 0 not. */
static int
find_in_libvirt(const char *name, struct qemu_place *place,
		GString *searched)
{
	char why[256];
	struct qemu_libvirt_domain *domains = NULL;
	int n = qemu_libvirt_list(&domains, why, sizeof(why));
	if (n < 0) {
		g_string_append_printf(searched, "; libvirt: %s", why);
		return -1;
	}
	int found = 0;
	GString *names = g_string_new(NULL);
	for (int i = 0; i < n; i++) {
		if (strcmp(domains[i].name, name) != 0) {
			g_string_append_printf(names, "%s\"%s\"",
					       names->len > 0 ? ", " : "",
					       domains[i].name);
			continue;
		}
		if (domains[i].address == NULL) {
			g_string_append_printf(searched, "; libvirt: domain "
					       "\"%s\" has <graphics "
					       "type='dbus' p2p='yes'/>, which "
					       "only libvirt itself can reach; "
					       "drop p2p='yes'", name);
			found = -1;
			break;
		}
		if (!bus_admits_us(name, domains[i].address, searched)) {
			found = -1;
			break;
		}
		place->address = g_strdup(domains[i].address);
		place->domain = g_strdup(name);
		found = 1;
		break;
	}
	if (found == 0)
		g_string_append_printf(searched, "; libvirt: %s%s",
				       names->len > 0 ? "D-Bus domains " :
				       "no running domain with <graphics "
				       "type='dbus'/>", names->str);
	g_string_free(names, TRUE);
	qemu_libvirt_free(domains, n);
	return found;
}

char *
qemu_libvirt_address(const char *domain)
{
	char why[256];
	struct qemu_libvirt_domain *domains = NULL;
	int n = qemu_libvirt_list(&domains, why, sizeof(why));
	char *address = NULL;
	for (int i = 0; i < n && address == NULL; i++)
		if (strcmp(domains[i].name, domain) == 0)
			address = g_strdup(domains[i].address);
	if (n > 0)
		qemu_libvirt_free(domains, n);
	return address;
}

static bool
find(const char *name, const char *dbus_address, bool libvirt,
     struct qemu_place *place, char *searched, size_t searched_size)
{
	*place = (struct qemu_place){ 0 };
	GString *seen = g_string_new(NULL);
	bool found = false;
	if (dbus_address != NULL) {
		found = find_on_bus(name, dbus_address, "the bus", seen) > 0;
		if (found)
			place->address = g_strdup(dbus_address);
	} else {
		char why[256];
		char *session = session_address(why, sizeof(why));
		if (session == NULL)
			g_string_append_printf(seen, "the session bus: none (%s)", why);
		else if (find_on_bus(name, session, "the session bus", seen) > 0)
			place->address = g_strdup(session);
		g_free(session);
		found = place->address != NULL ||
			(libvirt && find_in_libvirt(name, place, seen) > 0);
	}
	snprintf(searched, searched_size, "%s", seen->str);
	g_string_free(seen, TRUE);
	return found;
}

bool
qemu_find(const char *name, const char *dbus_address,
	  struct qemu_place *place, char *searched, size_t searched_size)
{
	return find(name, dbus_address, true, place, searched, searched_size);
}

void
qemu_place_finish(struct qemu_place *place)
{
	g_clear_pointer(&place->address, g_free);
	g_clear_pointer(&place->domain, g_free);
}

bool
qemu_find_wait(const char *name, const char *dbus_address, bool once,
	       int signal_fd, struct qemu_place *place, char *why,
	       size_t why_size)
{
	char searched[1024], said[1024] = "";
	for (unsigned round = 0;; round++) {
		bool libvirt = round % FIND_LIBVIRT_EVERY == 0;
		if (find(name, dbus_address, libvirt, place, searched,
			 sizeof(searched)))
			return true;
		if (once) {
			snprintf(why, why_size, "no VM named \"%s\": searched "
				 "%s", name, searched);
			return false;
		}
		/* Said again only when what a whole search sees changes. */
		if (libvirt && strcmp(searched, said) != 0) {
			qemu_info("waiting for a VM named \"%s\": searched %s",
				  name, searched);
			snprintf(said, sizeof(said), "%s", searched);
		}
		struct pollfd pfd = { .fd = signal_fd, .events = POLLIN };
		if (poll(&pfd, 1, FIND_RETRY_MS) > 0) {
			snprintf(why, why_size, "stopped while waiting for a "
				 "VM named \"%s\"", name);
			return false;
		}
	}
}

/* --- --list --------------------------------------------------------- */

static int
list_bus(FILE *out, const char *address, const char *label)
{
	GError *error = NULL;
	GDBusConnection *conn = open_bus(address, &error);
	if (conn == NULL) {
		qemu_error("cannot list %s (%s): %s", label, address,
			   error->message);
		g_error_free(error);
		return -1;
	}
	char **owners = queued_owners(conn);
	int n = 0;
	for (char **o = owners; o != NULL && *o != NULL; o++) {
		char *vm = vm_name_of(conn, *o);
		if (vm == NULL)
			continue;
		fprintf(out, "%s\tqemu\t%s %s, %s\n", vm, label, address, *o);
		g_free(vm);
		n++;
	}
	g_strfreev(owners);
	g_dbus_connection_close_sync(conn, NULL, NULL);
	g_object_unref(conn);
	return n;
}

bool
qemu_list(FILE *out, const char *dbus_address)
{
	if (dbus_address != NULL)
		return list_bus(out, dbus_address, "bus") >= 0;
	bool any = false;
	char why[256];
	char *session = session_address(why, sizeof(why));
	if (session == NULL)
		qemu_verbose("no session bus to list: %s", why);
	else
		any = list_bus(out, session, "session bus") >= 0;
	g_free(session);

	struct qemu_libvirt_domain *domains = NULL;
	int n = qemu_libvirt_list(&domains, why, sizeof(why));
	if (n < 0) {
		qemu_verbose("no libvirt domains listed: %s", why);
		return any;
	}
	for (int i = 0; i < n; i++)
		fprintf(out, "%s\tlibvirt\t%s\n", domains[i].name,
			domains[i].address != NULL ? domains[i].address :
			"p2p (only libvirt can reach it)");
	qemu_libvirt_free(domains, n);
	return true;
}
