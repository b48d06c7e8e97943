/* SPDX-License-Identifier: MIT */
/*
 * The part of org.qemu.Display1.Listener that QEMU 7.2 calls on a plain
 * listener (ui/dbus-display1.xml), for the test listeners that only
 * receive: tests/qemu/null-listener and tests/perf/floor-key-probe.
 */
#ifndef EGLVIEW_TEST_LISTENER_XML_H
#define EGLVIEW_TEST_LISTENER_XML_H

static const char listener_xml[] =
	"<node><interface name='org.qemu.Display1.Listener'>"
	"<method name='Scanout'><arg type='u' direction='in'/>"
	"<arg type='u' direction='in'/><arg type='u' direction='in'/>"
	"<arg type='u' direction='in'/><arg type='ay' direction='in'/></method>"
	"<method name='Update'><arg type='i' direction='in'/>"
	"<arg type='i' direction='in'/><arg type='i' direction='in'/>"
	"<arg type='i' direction='in'/><arg type='u' direction='in'/>"
	"<arg type='u' direction='in'/><arg type='ay' direction='in'/></method>"
	"<method name='Disable'/>"
	"<method name='MouseSet'><arg type='i' direction='in'/>"
	"<arg type='i' direction='in'/><arg type='i' direction='in'/></method>"
	"<method name='CursorDefine'><arg type='i' direction='in'/>"
	"<arg type='i' direction='in'/><arg type='i' direction='in'/>"
	"<arg type='i' direction='in'/><arg type='ay' direction='in'/></method>"
	"</interface></node>";

#endif
