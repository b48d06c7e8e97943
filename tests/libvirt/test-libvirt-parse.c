/* SPDX-License-Identifier: MIT */
/*
 * qemu_libvirt_parse_graphics on domain XMLs as virsh dumpxml writes them
 * (shortened), without libvirt: the D-Bus graphics' address, p2p said and
 * given no address, a VNC-only domain, graphics elsewhere than under
 * <devices>, and malformed or foreign XML refused with a reason.
 */
#include <glib.h>

#include "check.h"
#include "qemu/libvirt.h"

#define DOMAIN_HEAD "<domain type='qemu' id='3'>\n  <name>lv&amp;1</name>\n" \
	"  <uuid>6d1a1f3e-3c52-4f3b-9a0e-0b1c2d3e4f50</uuid>\n" \
	"  <metadata><graphics type='dbus' address='unix:path=/wrong'/>" \
	"</metadata>\n  <os><type arch='x86_64' machine='pc-i440fx-7.2'>" \
	"hvm</type></os>\n"

struct result {
	bool ok, is_dbus;
	char *address;
	char why[256];
};

static struct result
parse(const char *xml)
{
	struct result r = { .why = "" };
	r.ok = qemu_libvirt_parse_graphics(xml, &r.address, &r.is_dbus, r.why,
					   sizeof(r.why));
	return r;
}

static void
dbus_with_address(void)
{
	/* The second graphics is not the first D-Bus one: VNC comes first,
	 * and a later D-Bus one would not be looked at. */
	struct result r = parse(DOMAIN_HEAD "  <devices>\n"
		"    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
		"    <graphics type='vnc' port='5900' autoport='yes'>"
		"<listen type='address' address='127.0.0.1'/></graphics>\n"
		"    <graphics type='dbus' address='unix:path=/run/libvirt/qemu/"
		"dbus/3-lvtest-dbus.sock'/>\n"
		"    <graphics type='dbus' address='unix:path=/second'/>\n"
		"    <video><model type='vga' vram='16384' heads='1' "
		"primary='yes'/></video>\n"
		"  </devices>\n</domain>\n");
	REQUIRE(r.ok, "%s", r.why);
	CHECK(r.is_dbus);
	REQUIRE_STR(r.address,
		    "unix:path=/run/libvirt/qemu/dbus/3-lvtest-dbus.sock");
	CHECK(r.why[0] == '\0', "%s", r.why);
	g_free(r.address);
}

/* D-Bus graphics without an address: said, with the reason. */
static void
no_address(const char *xml, const char *reason)
{
	struct result r = parse(xml);
	REQUIRE(r.ok, "%s", r.why);
	CHECK(r.is_dbus);
	CHECK(r.address == NULL, "%s", r.address);
	CHECK(strstr(r.why, reason) != NULL, "%s", r.why);
}

static void
dbus_p2p(void)
{
	no_address(DOMAIN_HEAD "<devices><graphics type='dbus' p2p='yes'/>"
		   "</devices></domain>", "p2p='yes'");
}

static void
dbus_inactive(void)
{
	/* The inactive XML (virsh dumpxml --inactive) has no address yet. */
	no_address(DOMAIN_HEAD "<devices><graphics type='dbus'/></devices>"
		   "</domain>", "no address");
}

static void
vnc_only(void)
{
	/* The D-Bus graphics in <metadata> (DOMAIN_HEAD) is not a device. */
	struct result r = parse(DOMAIN_HEAD "<devices><graphics type='vnc' "
		"port='-1' autoport='yes'/><graphics type='spice'/>"
		"</devices></domain>");
	REQUIRE(r.ok, "%s", r.why);
	CHECK(!r.is_dbus);
	CHECK(r.address == NULL, "%s", r.address);
	r = parse("<domain type='kvm'><name>nographics</name></domain>");
	REQUIRE(r.ok, "%s", r.why);
	CHECK(!r.is_dbus);
}

static void
malformed(void)
{
	static const char *const bad[] = {
		"",
		"not xml at all",
		/* Cut off inside <devices>, after a whole graphics element. */
		DOMAIN_HEAD "<devices><graphics type='dbus' address='unix:"
			"path=/x'/>",
		"<domain><devices><graphics type='dbus' address='a></devices>"
			"</domain>",
		"<domain><name>a</nam></domain>",
		"<domain><devices><graphics type='dbus' address='&bogus;'/>"
			"</devices></domain>",
		"<domain>\xff\xfe</domain>",
		"<domain></domain><domain></domain>",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct result r = parse(bad[i]);
		CHECK(!r.ok, "case %zu parsed", i);
		CHECK(r.address == NULL, "case %zu: %s", i, r.address);
		CHECK(!r.is_dbus, "case %zu", i);
		CHECK(strstr(r.why, "malformed") != NULL, "case %zu: %s", i,
		      r.why);
		printf("malformed %zu: %s\n", i, r.why);
	}
}

static void
not_a_domain(void)
{
	struct result r = parse("<network><name>default</name><devices>"
		"<graphics type='dbus' address='unix:path=/x'/></devices>"
		"</network>");
	CHECK(!r.ok);
	CHECK(r.address == NULL);
	CHECK(strstr(r.why, "<network>") != NULL, "%s", r.why);
}

int
main(int argc, char **argv)
{
	static const struct test_case cases[] = {
		{ "dbus-with-address", dbus_with_address },
		{ "dbus-p2p", dbus_p2p },
		{ "dbus-inactive", dbus_inactive },
		{ "vnc-only", vnc_only },
		{ "malformed", malformed },
		{ "not-a-domain", not_a_domain },
	};
	size_t n = sizeof(cases) / sizeof(cases[0]);
	if (argc == 2)
		return test_run_case(argv[0], cases, n, argv[1]);
	int failed = 0;
	for (size_t i = 0; i < n; i++)
		failed |= test_run_case(argv[0], cases, n, cases[i].name);
	return failed;
}
