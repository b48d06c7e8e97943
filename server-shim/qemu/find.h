/* SPDX-License-Identifier: MIT */
/*
 * Finding a VM by name (--vm-name, --list). Every QEMU started with
 * -display dbus on a bus asks for org.qemu and, the name being taken,
 * queues for it: org.freedesktop.DBus.ListQueuedOwners lists them all, and
 * each one's org.qemu.Display1.VM.Name (-name, else "QEMU <version>")
 * tells them apart. A libvirt domain with <graphics type='dbus'/> has a
 * bus of its own, named in its live XML (qemu/libvirt.c).
 */
#ifndef EGLVIEW_QEMU_FIND_H
#define EGLVIEW_QEMU_FIND_H

#include <gio/gio.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Where a VM was found. */
struct qemu_place {
	char *address;   /* the bus it is on */
	char *domain;    /* the libvirt domain; NULL when found on a bus */
};

/* The unique name, on conn, of the QEMU whose VM.Name is name; NULL when
 * none is there (names, when not NULL, gets the VM names seen, for a
 * message). */
char *qemu_bus_find(GDBusConnection *conn, const char *name, GString *names);

/* Looks for name once: on dbus_address only when it is not NULL; else on
 * the session bus, then among libvirt's domains. true with place filled
 * when found; false with searched saying where it looked and what it
 * saw there. */
bool qemu_find(const char *name, const char *dbus_address,
	       struct qemu_place *place, char *searched, size_t searched_size);
void qemu_place_finish(struct qemu_place *place);

/* The bus of the running libvirt domain of that name, or NULL. */
char *qemu_libvirt_address(const char *domain);

/* Looks for name until it is found (true), or until signal_fd is readable
 * or, with once, after the first search (false: the caller exits; why
 * says so). Said once while it waits. */
bool qemu_find_wait(const char *name, const char *dbus_address, bool once,
		    int signal_fd, struct qemu_place *place, char *why,
		    size_t why_size);

/* --list: a line per VM seen, "NAME<TAB>HOW<TAB>WHERE"; false when
 * nothing could be searched at all (why printed). */
bool qemu_list(FILE *out, const char *dbus_address);

#endif
