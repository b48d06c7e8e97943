/* SPDX-License-Identifier: MIT */
/*
 * libvirt's domains whose graphics are D-Bus (<graphics type='dbus'/>),
 * found through virsh run as a subprocess: no link dependency on libvirt.
 * virsh connects where it always does (LIBVIRT_DEFAULT_URI, else its own
 * default: qemu:///system for root, qemu:///session for others), read-only.
 * libvirt starts a private dbus-daemon per such domain and names its bus
 * in the live XML; eglview-shim --source qemu --dbus-address ADDRESS then
 * bridges it.
 */
#ifndef EGLVIEW_QEMU_LIBVIRT_H
#define EGLVIEW_QEMU_LIBVIRT_H

#include <stdbool.h>
#include <stddef.h>

/* A running libvirt domain whose graphics are D-Bus. */
struct qemu_libvirt_domain {
	char *name;     /* the domain's name */
	char *address;  /* its <graphics type='dbus' address='...'/>: a D-Bus
			 * bus address; NULL when the domain uses p2p='yes'
			 * (not supported) */
};

/* Lists the running domains with <graphics type='dbus'/>. Returns the
 * number found (array in *out, free with qemu_libvirt_free), 0 when none;
 * -1 with why filled when virsh is absent or cannot reach libvirt. All the
 * virsh runs together take at most QEMU_LIBVIRT_TIMEOUT_MS: one still
 * running then is killed and the call fails. */
#define QEMU_LIBVIRT_TIMEOUT_MS 5000
int qemu_libvirt_list(struct qemu_libvirt_domain **out, char *why,
		      size_t why_size);
void qemu_libvirt_free(struct qemu_libvirt_domain *d, int n);

/* A domain's XML (virsh dumpxml): its first <devices><graphics
 * type='dbus'>, if any. false with why filled when xml is not a well-formed
 * <domain>. Else *is_dbus says whether there is one, and *address is its
 * bus address (g_free it) or NULL: with p2p='yes', or in an inactive XML,
 * which has none; why then says which. */
bool qemu_libvirt_parse_graphics(const char *xml, char **address,
				 bool *is_dbus, char *why, size_t why_size);

#endif
