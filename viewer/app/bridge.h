/* SPDX-License-Identifier: MIT */
/*
 * A NAME that is no socket: the VM of that name, reached through
 * eglview-shim --source qemu --vm-name NAME started as the viewer's child
 * (shim-child.h). The shim looks for it: the QEMU whose -name is NAME
 * among those on the session bus, then the libvirt domain NAME with
 * <graphics type='dbus'/>; QEMU's knowledge stays in the shim. And
 * --list: every VM the viewer could show.
 */
#ifndef EGLVIEW_BRIDGE_H
#define EGLVIEW_BRIDGE_H

#include <stdbool.h>

struct shim_child;

/* How long a bridge may take to find its VM and accept (--no-wait): the
 * session bus, then virsh. */
#define BRIDGE_CONNECT_TIMEOUT_MS 15000

/* Starts the bridge to the VM name. wait: the shim looks for it until it
 * is there (and serves only then); else it exits SHIM_CHILD_NOT_FOUND,
 * having said what it searched. NULL after saying why. */
struct shim_child *bridge_spawn(const char *name, bool wait);

/* --list: "NAME<TAB>HOW<TAB>WHERE" for each socket in the socket
 * directory, then each QEMU and libvirt domain eglview-shim --list sees.
 * The exit status. */
int bridge_list(void);

#endif
