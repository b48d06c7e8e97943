/* SPDX-License-Identifier: MIT */
/*
 * libvirt domain discovery through virsh (libvirt.h): `virsh list --uuid`,
 * then `virsh dumpxml UUID` for each running domain, the XML read with
 * GMarkup. UUIDs, not names: virsh takes a name that looks like an id or
 * a UUID for one. Each virsh runs under one overall deadline on a private
 * main context, so a caller inside GLib's main loop is not re-entered.
 */
#include <stdio.h>
#include <string.h>

#include <gio/gio.h>

#include "qemu/libvirt.h"

/* What the XML walk keeps: the domain's <name> and its first D-Bus
 * <graphics> under <devices>. Depth 1 is <domain>. */
struct parse {
	int depth;
	int roots;
	bool in_devices;
	bool in_name;
	GString *name;
	bool is_dbus;
	bool p2p;
	char *address;
};

static const char *
attribute(const char **names, const char **values, const char *want)
{
	for (int i = 0; names[i]; i++) {
		if (strcmp(names[i], want) == 0)
			return values[i];
	}
	return NULL;
}

static void
start_element(GMarkupParseContext *ctx, const char *element,
	      const char **names, const char **values, void *data,
	      GError **error)
{
	(void)ctx;
	struct parse *p = data;
	p->depth++;
	if (p->depth == 1 && ++p->roots > 1) {
		g_set_error(error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
			    "a second root element <%s>", element);
	} else if (p->depth == 1 && strcmp(element, "domain") != 0) {
		g_set_error(error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
			    "not a domain's XML: the root element is <%s>",
			    element);
	} else if (p->depth == 2) {
		p->in_devices = strcmp(element, "devices") == 0;
		p->in_name = strcmp(element, "name") == 0;
	} else if (p->depth == 3 && p->in_devices && !p->is_dbus &&
		   strcmp(element, "graphics") == 0) {
		const char *type = attribute(names, values, "type");
		if (!type || strcmp(type, "dbus") != 0)
			return;
		const char *p2p = attribute(names, values, "p2p");
		const char *address = attribute(names, values, "address");
		p->is_dbus = true;
		p->p2p = p2p && strcmp(p2p, "yes") == 0;
		if (address && *address && !p->p2p)
			p->address = g_strdup(address);
	}
}

static void
end_element(GMarkupParseContext *ctx, const char *element, void *data,
	    GError **error)
{
	(void)ctx, (void)element, (void)error;
	struct parse *p = data;
	if (p->depth == 2)
		p->in_devices = p->in_name = false;
	p->depth--;
}

static void
text(GMarkupParseContext *ctx, const char *s, gsize len, void *data,
     GError **error)
{
	(void)ctx, (void)error;
	struct parse *p = data;
	if (p->in_name && p->depth == 2)
		g_string_append_len(p->name, s, (gssize)len);
}

static bool
parse_domain(const char *xml, struct parse *p, char *why, size_t why_size)
{
	static const GMarkupParser parser = {
		.start_element = start_element,
		.end_element = end_element,
		.text = text,
	};
	*p = (struct parse){ .name = g_string_new(NULL) };
	GMarkupParseContext *ctx = g_markup_parse_context_new(&parser,
		G_MARKUP_PREFIX_ERROR_POSITION, p, NULL);
	GError *error = NULL;
	bool ok = g_markup_parse_context_parse(ctx, xml, -1, &error) &&
		g_markup_parse_context_end_parse(ctx, &error);
	g_markup_parse_context_free(ctx);
	if (!ok) {
		snprintf(why, why_size, "the domain's XML is malformed: %s",
			 error->message);
		g_error_free(error);
		g_free(p->address);
		p->address = NULL;
		g_string_free(p->name, TRUE);
		p->name = NULL;
	}
	return ok;
}

bool
qemu_libvirt_parse_graphics(const char *xml, char **address, bool *is_dbus,
			    char *why, size_t why_size)
{
	struct parse p;
	*address = NULL;
	*is_dbus = false;
	if (!parse_domain(xml, &p, why, why_size))
		return false;
	g_string_free(p.name, TRUE);
	*is_dbus = p.is_dbus;
	*address = p.address;
	if (p.is_dbus && p.p2p)
		snprintf(why, why_size, "its graphics are D-Bus peer to peer "
			 "(p2p='yes'), which eglview-shim cannot reach through "
			 "libvirt: use <graphics type='dbus'/> without p2p");
	else if (p.is_dbus && !p.address)
		snprintf(why, why_size, "its <graphics type='dbus'> has no "
			 "address (not a running domain's XML?)");
	return true;
}

/* One virsh run, waited for on its private main context. */
struct virsh_run {
	bool done;
	bool timed_out;
	GBytes *out, *err;
	GError *error;
	GSubprocess *proc;
	GCancellable *cancel;
};

static void
communicated(GObject *source, GAsyncResult *res, void *data)
{
	struct virsh_run *r = data;
	g_subprocess_communicate_finish(G_SUBPROCESS(source), res, &r->out,
					&r->err, &r->error);
	r->done = true;
}

/* The deadline passed: virsh is killed, the wait ends. */
static gboolean
timed_out(void *data)
{
	struct virsh_run *r = data;
	r->timed_out = true;
	g_subprocess_force_exit(r->proc);
	g_cancellable_cancel(r->cancel);
	return G_SOURCE_REMOVE;
}

/* virsh's error lines ("error: failed to connect to the hypervisor",
 * "error: Failed to connect socket to ...") joined into one. */
static void
say_virsh_error(const char *cmd, GBytes *err, int status, char *why,
		size_t why_size)
{
	gsize len = 0;
	const char *data = err ? g_bytes_get_data(err, &len) : NULL;
	char *text = g_strndup(data ? data : "", len);
	GString *msg = g_string_new(NULL);
	char **lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l; l++) {
		char *line = g_strstrip(*l);
		if (g_str_has_prefix(line, "error: "))
			line += strlen("error: ");
		if (!*line)
			continue;
		if (msg->len)
			g_string_append(msg, ": ");
		g_string_append(msg, line);
	}
	if (msg->len)
		snprintf(why, why_size, "virsh %s: %s", cmd, msg->str);
	else
		snprintf(why, why_size, "virsh %s exited with status %d and "
			 "said nothing", cmd, status);
	g_strfreev(lines);
	g_string_free(msg, TRUE);
	g_free(text);
}

/* `virsh --quiet --readonly CMD ARG`, finished before deadline (monotonic
 * µs). Its output in *out (NUL-terminated, g_free it). */
static bool
run_virsh(const char *cmd, const char *arg, gint64 deadline, char **out,
	  char *why, size_t why_size)
{
	const char *argv[] = { "virsh", "--quiet", "--readonly", cmd, arg,
			       NULL };
	GError *error = NULL;
	GSubprocessLauncher *launcher = g_subprocess_launcher_new(
		G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
		G_SUBPROCESS_FLAGS_STDERR_PIPE);
	/* A look, not a start: for a user with no session daemon virsh
	 * would spawn one (libvirtd --timeout=120, qemu:///session), which
	 * then stands in for the system's in every later check. */
	g_subprocess_launcher_setenv(launcher, "LIBVIRT_AUTOSTART", "0", FALSE);
	GSubprocess *proc = g_subprocess_launcher_spawnv(launcher, argv,
							 &error);
	g_object_unref(launcher);
	if (!proc) {
		if (g_error_matches(error, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT))
			snprintf(why, why_size, "virsh not installed (Debian: "
				 "apt-get install libvirt-clients)");
		else
			snprintf(why, why_size, "cannot run virsh: %s",
				 error->message);
		g_error_free(error);
		return false;
	}

	GMainContext *ctx = g_main_context_new();
	g_main_context_push_thread_default(ctx);
	struct virsh_run r = { .proc = proc, .cancel = g_cancellable_new() };
	/* Nothing to read: virsh never waits on a terminal for input. */
	GBytes *no_input = g_bytes_new_static("", 0);
	g_subprocess_communicate_async(proc, no_input, r.cancel, communicated,
				       &r);
	g_bytes_unref(no_input);
	gint64 left_ms = (deadline - g_get_monotonic_time()) / 1000;
	GSource *timer = g_timeout_source_new(left_ms > 0 ? (guint)left_ms : 0);
	g_source_set_callback(timer, timed_out, &r, NULL);
	g_source_attach(timer, ctx);
	while (!r.done)
		g_main_context_iteration(ctx, TRUE);
	g_source_destroy(timer);
	g_source_unref(timer);
	g_main_context_pop_thread_default(ctx);

	bool ok = false;
	if (r.timed_out) {
		g_subprocess_wait(proc, NULL, NULL);
		snprintf(why, why_size, "virsh %s did not finish within %d s "
			 "(is libvirtd hung?)", cmd,
			 QEMU_LIBVIRT_TIMEOUT_MS / 1000);
	} else if (r.error) {
		snprintf(why, why_size, "virsh %s: %s", cmd, r.error->message);
	} else if (!g_subprocess_get_if_exited(proc) ||
		   g_subprocess_get_exit_status(proc) != 0) {
		say_virsh_error(cmd, r.err, g_subprocess_get_if_exited(proc) ?
				g_subprocess_get_exit_status(proc) : -1,
				why, why_size);
	} else {
		gsize len = 0;
		const char *data = g_bytes_get_data(r.out, &len);
		*out = g_strndup(data ? data : "", len);
		ok = true;
	}
	if (r.error)
		g_error_free(r.error);
	if (r.out)
		g_bytes_unref(r.out);
	if (r.err)
		g_bytes_unref(r.err);
	g_object_unref(r.cancel);
	g_object_unref(proc);
	g_main_context_unref(ctx);
	return ok;
}

int
qemu_libvirt_list(struct qemu_libvirt_domain **out, char *why,
		  size_t why_size)
{
	*out = NULL;
	gint64 deadline = g_get_monotonic_time() +
		(gint64)QEMU_LIBVIRT_TIMEOUT_MS * 1000;
	char *uuids;
	if (!run_virsh("list", "--uuid", deadline, &uuids, why, why_size))
		return -1;

	GArray *found = g_array_new(FALSE, FALSE,
				    sizeof(struct qemu_libvirt_domain));
	char **lines = g_strsplit(uuids, "\n", -1);
	bool failed = false;
	for (char **l = lines; *l && !failed; l++) {
		const char *uuid = g_strstrip(*l);
		if (!*uuid)
			continue;
		char *xml, note[256];
		struct parse p;
		if (!run_virsh("dumpxml", uuid, deadline, &xml, why, why_size)) {
			/* A domain stopped since the list is no error;
			 * libvirt gone or hung is. */
			failed = g_get_monotonic_time() >= deadline;
			continue;
		}
		if (parse_domain(xml, &p, note, sizeof(note))) {
			if (p.is_dbus && p.name->len) {
				struct qemu_libvirt_domain d = {
					.name = g_string_free(p.name, FALSE),
					.address = p.address,
				};
				g_array_append_val(found, d);
			} else {
				g_string_free(p.name, TRUE);
				g_free(p.address);
			}
		}
		g_free(xml);
	}
	g_strfreev(lines);
	g_free(uuids);

	int n = (int)found->len;
	if (failed) {
		qemu_libvirt_free((struct qemu_libvirt_domain *)
				  (void *)g_array_free(found, FALSE), n);
		return -1;
	}
	*out = (struct qemu_libvirt_domain *)(void *)g_array_free(found,
								   n == 0);
	return n;
}

void
qemu_libvirt_free(struct qemu_libvirt_domain *d, int n)
{
	if (!d)
		return;
	for (int i = 0; i < n; i++) {
		g_free(d[i].name);
		g_free(d[i].address);
	}
	g_free(d);
}
