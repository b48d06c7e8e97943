/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: qemu_libvirt_parse_graphics() (server-shim/qemu/
 * libvirt.c) on arbitrary text as virsh dumpxml might print it. Besides
 * "no crash": refused XML gives no address and a reason, an address
 * only comes with D-Bus graphics.
 */
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "qemu/libvirt.h"

#define REQUIRE(cond) do { if (!(cond)) abort(); } while (0)

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char *xml = g_strndup((const char *)data, size);
	char *address = NULL, why[256] = "";
	bool is_dbus = true;
	bool ok = qemu_libvirt_parse_graphics(xml, &address, &is_dbus, why,
					      sizeof(why));
	if (!ok)
		REQUIRE(!address && !is_dbus && why[0]);
	if (address)
		REQUIRE(is_dbus && address[0]);
	g_free(address);
	g_free(xml);
	return 0;
}
