/* SPDX-License-Identifier: MIT */
/*
 * The Listener's optional interfaces, which QEMU uses only when the
 * Listener's Interfaces property names them:
 *
 * - org.qemu.Display1.Listener.Unix.Map (QEMU >= 9.2): ScanoutMap hands
 *   over the memfd behind the console's surface once; UpdateMap then only
 *   names rectangles. A memfd sealed against shrinking goes to the viewers
 *   as the shm buffer itself (zero copy; HOLD_SHOWN holds it no longer
 *   than each UPDATE, as QEMU draws on regardless); any other is mapped
 *   here and each UpdateMap copied into our own sealed memfds (pixels.c),
 *   because a viewer must never map memory that can shrink under it.
 *   x8r8g8b8/a8r8g8b8 go as XRGB8888; r5g6b5 as RGB565 while every
 *   viewer takes it; x1r5g5b5, r8g8b8 (and r5g6b5 for a viewer without
 *   RGB565) take the copied path, converted into XRGB8888 there.
 * - org.qemu.Display1.Listener.Unix.ScanoutDMABUF2 (QEMU >= 10.1): a
 *   multi-plane dmabuf with its modifier, passed through; its updates come
 *   as Listener.UpdateDMABUF, paced like ScanoutDMABUF's.
 */
#include <drm_fourcc.h>
#include <errno.h>
#include <stdarg.h>
#include <gio/gio.h>
#include <gio/gunixfdlist.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto.h"
#include "qemu/private.h"

#define IFACE_MAP "org.qemu.Display1.Listener.Unix.Map"
#define IFACE_DMABUF2 "org.qemu.Display1.Listener.Unix.ScanoutDMABUF2"

const char *const qemu_map_interfaces[] = { IFACE_MAP, IFACE_DMABUF2, NULL };

/* As in QEMU's ui/dbus-display1.xml. */
static const char map_xml[] =
	"<node>"
	" <interface name='" IFACE_MAP "'>"
	"  <method name='ScanoutMap'>"
	"   <arg type='h' name='handle' direction='in'/>"
	"   <arg type='u' name='offset' direction='in'/>"
	"   <arg type='u' name='width' direction='in'/>"
	"   <arg type='u' name='height' direction='in'/>"
	"   <arg type='u' name='stride' direction='in'/>"
	"   <arg type='u' name='pixman_format' direction='in'/>"
	"  </method>"
	"  <method name='UpdateMap'>"
	"   <arg type='i' name='x' direction='in'/>"
	"   <arg type='i' name='y' direction='in'/>"
	"   <arg type='i' name='width' direction='in'/>"
	"   <arg type='i' name='height' direction='in'/>"
	"  </method>"
	" </interface>"
	" <interface name='" IFACE_DMABUF2 "'>"
	"  <method name='ScanoutDMABUF2'>"
	"   <arg type='ah' name='dmabuf' direction='in'/>"
	"   <arg type='u' name='x' direction='in'/>"
	"   <arg type='u' name='y' direction='in'/>"
	"   <arg type='u' name='width' direction='in'/>"
	"   <arg type='u' name='height' direction='in'/>"
	"   <arg type='au' name='offset' direction='in'/>"
	"   <arg type='au' name='stride' direction='in'/>"
	"   <arg type='u' name='num_planes' direction='in'/>"
	"   <arg type='u' name='fourcc' direction='in'/>"
	"   <arg type='u' name='backing_width' direction='in'/>"
	"   <arg type='u' name='backing_height' direction='in'/>"
	"   <arg type='t' name='modifier' direction='in'/>"
	"   <arg type='b' name='y0_top' direction='in'/>"
	"  </method>"
	" </interface>"
	"</node>";

static GDBusNodeInfo *map_info;

void
qemu_map_drop(struct qemu_console *c)
{
	server_buffer_destroy(c->map);
	c->map = NULL;
	if (c->map_fd >= 0)
		close(c->map_fd);
	c->map_fd = -1;
	if (c->map_data != NULL) {
		qemu_pixels_forget_map(c);
		munmap(c->map_data, c->map_size);
	}
	c->map_data = NULL;
	c->map_size = 0;
}

static void
fail(GDBusMethodInvocation *inv, const char *error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
fail(GDBusMethodInvocation *inv, const char *error, const char *fmt, ...)
{
	char text[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	qemu_error("%s", text);
	g_dbus_method_invocation_return_dbus_error(inv, error, text);
}

static int
take_fd(GDBusMethodInvocation *inv, int32_t handle)
{
	GUnixFDList *fds = g_dbus_message_get_unix_fd_list(
		g_dbus_method_invocation_get_message(inv));
	if (fds == NULL || handle < 0 ||
	    handle >= g_unix_fd_list_get_length(fds))
		return -1;
	return g_unix_fd_list_get(fds, handle, NULL);
}

/* The copy path: QEMU's memfd mapped read-only here. QEMU is the VMM we
 * serve and runs as our user, so we trust it not to shrink the memfd; the
 * viewers trust nothing but a seal. */
static bool
map_for_copy(struct qemu_console *c, int fd, size_t size, char *why,
	     size_t why_size)
{
	void *data = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	if (data == MAP_FAILED) {
		snprintf(why, why_size, "cannot map QEMU's memfd (%zu bytes): "
			 "%s", size, strerror(errno));
		return false;
	}
	c->map_data = data;
	c->map_size = size;
	return true;
}

static void
scanout_map(struct qemu_console *c, GDBusMethodInvocation *inv,
	    GVariant *params)
{
	int32_t handle;
	uint32_t offset, w, h, stride, format;
	g_variant_get(params, "(huuuuu)", &handle, &offset, &w, &h, &stride,
		      &format);
	qemu_console_drop_passthrough(c);
	const struct qemu_format *f = qemu_format_lookup(format);
	if (f == NULL) {
		fail(inv, "org.qemu.Display1.Error.Unsupported", "console %u: "
		     "ScanoutMap pixman format 0x%08x is not supported (only "
		     QEMU_PIXMAN_NAMES ")", c->qemu_id, format);
		return;
	}
	if (w == 0 || h == 0 || w > PROTO_MAX_DIMENSION ||
	    h > PROTO_MAX_DIMENSION || stride < (uint64_t)w * f->bpp) {
		fail(inv, "org.qemu.Display1.Error.Invalid", "console %u: "
		     "ScanoutMap %s %ux%u stride %u is not a valid layout (%u "
		     "bytes a pixel)", c->qemu_id, f->name, w, h, stride,
		     f->bpp);
		return;
	}
	int fd = take_fd(inv, handle);
	struct stat st;
	size_t need = (size_t)offset + (size_t)stride * h;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size < need) {
		fail(inv, "org.qemu.Display1.Error.Invalid", "console %u: "
		     "ScanoutMap came without a memfd of at least %zu bytes",
		     c->qemu_id, need);
		if (fd >= 0)
			close(fd);
		return;
	}
	c->map_offset = offset;
	c->map_width = w;
	c->map_height = h;
	c->map_stride = stride;
	c->map_format = format;
	char why[256] = "the server refused it", map_why[256];
	/* XRGB8888 every viewer takes; RGB565 not necessarily. */
	bool as_is = f->fourcc == DRM_FORMAT_XRGB8888 ||
		     (f->fourcc != 0 &&
		      qemu_viewers_take_shm(c->bridge, f->fourcc));
	if (!as_is)
		snprintf(why, sizeof(why), "%s, which %s; converted into "
			 "XRGB8888", f->name, f->fourcc != 0 ? "a viewer does "
			 "not take" : "the protocol does not carry");
	if (as_is && proto_check_shm_fd(fd, offset, stride, h, why,
					sizeof(why)))
		c->map = server_buffer_create_shm(c->bridge->server, fd,
			f->fourcc, w, h, stride, offset);
	if (c->map != NULL) {
		server_buffer_set_hold_shown(c->map, false);
		/* Kept, should a viewer without RGB565 join. */
		if (f->fourcc != DRM_FORMAT_XRGB8888)
			c->map_fd = dup(fd);
		qemu_verbose("console %u: ScanoutMap %s %ux%u: QEMU's sealed "
			     "memfd goes to the viewers as it is (zero copy)",
			     c->qemu_id, f->name, w, h);
		server_head_set_size(c->head, w, h);
		server_head_set_enabled(c->head, true);
		server_head_present(c->head, c->map, PROTO_SCANOUT_Y0_TOP,
				    NULL, 0);
	} else if (!map_for_copy(c, fd, need, map_why, sizeof(map_why))) {
		qemu_error("console %u: %s; frames dropped", c->qemu_id,
			   map_why);
	} else {
		qemu_verbose("console %u: ScanoutMap %s %ux%u: QEMU's memfd "
			     "cannot go to the viewers as it is (%s); each "
			     "UpdateMap is copied into our own sealed memfds",
			     c->qemu_id, f->name, w, h, why);
		if (qemu_pixels_resize(c, w, h, format, false))
			qemu_pixels_update(c, 0, 0, (int32_t)w, (int32_t)h,
					   stride, format, NULL,
					   c->map_data + offset,
					   c->map_size - offset);
	}
	close(fd); /* the server holds its own duplicate */
	c->updates++;
	g_dbus_method_invocation_return_value(inv, NULL);
}

static void
update_map(struct qemu_console *c, GVariant *params)
{
	int32_t x, y, w, h;
	g_variant_get(params, "(iiii)", &x, &y, &w, &h);
	/* Clipped to the surface: QEMU names rectangles of it. */
	if (x < 0) {
		w += x;
		x = 0;
	}
	if (y < 0) {
		h += y;
		y = 0;
	}
	if ((int64_t)x + w > (int64_t)c->map_width)
		w = (int32_t)c->map_width - x;
	if ((int64_t)y + h > (int64_t)c->map_height)
		h = (int32_t)c->map_height - y;
	if (w <= 0 || h <= 0)
		return;
	c->updates++;
	if (c->map != NULL) {
		/* QEMU goes on drawing into what the viewers read: like its
		 * own windows, a frame may tear, nothing waits. */
		struct proto_rect r = { (uint32_t)x, (uint32_t)y, (uint32_t)w,
					(uint32_t)h };
		server_head_present(c->head, c->map, PROTO_SCANOUT_Y0_TOP, &r,
				    1);
	} else if (c->map_data != NULL) {
		const struct qemu_format *f = qemu_format_lookup(c->map_format);
		size_t at = c->map_offset + (size_t)y * c->map_stride +
			    (size_t)x * f->bpp;
		qemu_pixels_update(c, x, y, w, h, c->map_stride,
				   c->map_format, NULL, c->map_data + at,
				   c->map_size - at);
	}
}

void
qemu_map_viewers_changed(struct qemu_console *c)
{
	if (c->map == NULL || c->map_fd < 0 ||
	    qemu_viewers_take_shm(c->bridge, DRM_FORMAT_RGB565))
		return;
	int fd = c->map_fd;
	c->map_fd = -1;
	server_buffer_destroy(c->map);
	c->map = NULL;
	char why[256];
	size_t need = (size_t)c->map_offset + (size_t)c->map_stride *
		      c->map_height;
	if (!map_for_copy(c, fd, need, why, sizeof(why))) {
		qemu_error("console %u: a viewer does not take RGB565 and %s; "
			   "frames dropped", c->qemu_id, why);
		close(fd);
		return;
	}
	close(fd);
	qemu_verbose("console %u: a viewer does not take RGB565: QEMU's "
		     "r5g6b5 memfd is copied, converted into XRGB8888, from "
		     "now on", c->qemu_id);
	if (qemu_pixels_resize(c, c->map_width, c->map_height, c->map_format,
			       false))
		qemu_pixels_update(c, 0, 0, (int32_t)c->map_width,
				   (int32_t)c->map_height, c->map_stride,
				   c->map_format, NULL,
				   c->map_data + c->map_offset,
				   c->map_size - c->map_offset);
}

static void
scanout_dmabuf2(struct qemu_console *c, GDBusMethodInvocation *inv,
		GVariant *params)
{
	GVariant *handles, *offsets_v, *strides_v;
	uint32_t x, y, w, h, n_planes, fourcc, backing_w, backing_h;
	uint64_t modifier;
	gboolean y0_top;
	g_variant_get(params, "(@ahuuuu@au@auuuuutb)", &handles, &x, &y, &w,
		      &h, &offsets_v, &strides_v, &n_planes, &fourcc,
		      &backing_w, &backing_h, &modifier, &y0_top);
	size_t n_handles, n_offsets, n_strides;
	const int32_t *handle = g_variant_get_fixed_array(handles, &n_handles,
							  sizeof(int32_t));
	const uint32_t *offsets = g_variant_get_fixed_array(offsets_v,
		&n_offsets, sizeof(uint32_t));
	const uint32_t *strides = g_variant_get_fixed_array(strides_v,
		&n_strides, sizeof(uint32_t));
	int fds[PROTO_MAX_PLANES];
	uint32_t n_fds = 0;
	if (n_planes == 0 || n_planes > PROTO_MAX_PLANES ||
	    n_offsets < n_planes || n_strides < n_planes || n_handles == 0) {
		fail(inv, "org.qemu.Display1.Error.Invalid", "console %u: "
		     "ScanoutDMABUF2 with %u planes, %zu fds, %zu offsets, "
		     "%zu strides is inconsistent", c->qemu_id, n_planes,
		     n_handles, n_offsets, n_strides);
		goto out;
	}
	/* Planes may share one fd: the last one given serves the rest. */
	for (; n_fds < n_planes; n_fds++) {
		fds[n_fds] = take_fd(inv, handle[n_fds < n_handles ? n_fds :
						 n_handles - 1]);
		if (fds[n_fds] < 0) {
			fail(inv, "org.qemu.Display1.Error.Invalid", "console "
			     "%u: ScanoutDMABUF2 plane %u came without its fd",
			     c->qemu_id, n_fds);
			goto out;
		}
	}
	/* The protocol shows whole buffers: the scanout rectangle's size,
	 * read from the buffer's top left (QEMU's own UIs place x, y only
	 * for multi-head guests sharing one buffer). */
	if (x != 0 || y != 0)
		qemu_error("console %u: ScanoutDMABUF2 at %u,%u inside a %ux%u "
			   "buffer: shown from 0,0 (offsets are not supported)",
			   c->qemu_id, x, y, backing_w, backing_h);
	qemu_verbose("console %u: ScanoutDMABUF2 %ux%u of %ux%u, %u "
		     "plane(s), fourcc 0x%08x, modifier 0x%016llx: passed "
		     "through", c->qemu_id, w, h, backing_w, backing_h,
		     n_planes, fourcc, (unsigned long long)modifier);
	qemu_console_set_dmabuf(c, fourcc, modifier, w, h, n_planes, fds,
				offsets, strides, y0_top);
	g_dbus_method_invocation_return_value(inv, NULL);
out:
	for (uint32_t i = 0; i < n_fds; i++)
		close(fds[i]);
	g_variant_unref(handles);
	g_variant_unref(offsets_v);
	g_variant_unref(strides_v);
}

static void
map_call(GDBusConnection *conn, const gchar *sender, const gchar *path,
	 const gchar *iface, const gchar *method, GVariant *params,
	 GDBusMethodInvocation *inv, gpointer data)
{
	(void)conn;
	(void)sender;
	(void)path;
	(void)iface;
	struct qemu_console *c = data;
	if (strcmp(method, "ScanoutMap") == 0) {
		scanout_map(c, inv, params);
		return;
	}
	if (strcmp(method, "ScanoutDMABUF2") == 0) {
		scanout_dmabuf2(c, inv, params);
		return;
	}
	if (strcmp(method, "UpdateMap") == 0)
		update_map(c, params);
	g_dbus_method_invocation_return_value(inv, NULL);
}

static const GDBusInterfaceVTable map_vtable = { .method_call = map_call };

void
qemu_map_register(struct qemu_console *c, GDBusConnection *conn)
{
	if (map_info == NULL)
		map_info = g_dbus_node_info_new_for_xml(map_xml, NULL);
	for (int i = 0; i < 2; i++) {
		GError *error = NULL;
		c->map_objects[i] = g_dbus_connection_register_object(conn,
			QEMU_ROOT_PATH "/Listener", map_info->interfaces[i],
			&map_vtable, c, NULL, &error);
		if (c->map_objects[i] == 0) {
			qemu_error("console %u: cannot export %s: %s",
				   c->qemu_id, map_info->interfaces[i]->name,
				   error->message);
			g_error_free(error);
		}
	}
}

void
qemu_map_unregister(struct qemu_console *c)
{
	for (int i = 0; i < 2; i++) {
		if (c->map_objects[i] != 0 && c->listener.conn != NULL)
			g_dbus_connection_unregister_object(c->listener.conn,
							    c->map_objects[i]);
		c->map_objects[i] = 0;
	}
}
