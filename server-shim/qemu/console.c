/* SPDX-License-Identifier: MIT */
/*
 * One QEMU console: its head, the org.qemu.Display1.Listener we serve to
 * QEMU on a private socketpair, and its buffers. Pixel data (Scanout and
 * Update) lands in a canvas, then in whichever of two sealed memfds no
 * viewer is reading; a dmabuf (ScanoutDMABUF) is passed through as it is,
 * and each UpdateDMABUF is answered only once the viewers showed it,
 * which is what paces QEMU's GL output to the screen.
 */
#include <drm_fourcc.h>
#include <errno.h>
#include <gio/gio.h>
#include <gio/gunixfdlist.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "qemu/private.h"

/* pixman format codes (PIXMAN_FORMAT(bpp, type, a, r, g, b)). */
#define PIXMAN_X8R8G8B8 0x20020888u
#define PIXMAN_A8R8G8B8 0x20028888u

/* The Listener as QEMU calls it (ui/dbus-display1.xml, 7.0 onwards). */
static const char listener_xml[] =
	"<node>"
	" <interface name='org.qemu.Display1.Listener'>"
	"  <method name='Scanout'>"
	"   <arg type='u' name='width' direction='in'/>"
	"   <arg type='u' name='height' direction='in'/>"
	"   <arg type='u' name='stride' direction='in'/>"
	"   <arg type='u' name='pixman_format' direction='in'/>"
	"   <arg type='ay' name='data' direction='in'/>"
	"  </method>"
	"  <method name='Update'>"
	"   <arg type='i' name='x' direction='in'/>"
	"   <arg type='i' name='y' direction='in'/>"
	"   <arg type='i' name='width' direction='in'/>"
	"   <arg type='i' name='height' direction='in'/>"
	"   <arg type='u' name='stride' direction='in'/>"
	"   <arg type='u' name='pixman_format' direction='in'/>"
	"   <arg type='ay' name='data' direction='in'/>"
	"  </method>"
	"  <method name='ScanoutDMABUF'>"
	"   <arg type='h' name='dmabuf' direction='in'/>"
	"   <arg type='u' name='width' direction='in'/>"
	"   <arg type='u' name='height' direction='in'/>"
	"   <arg type='u' name='stride' direction='in'/>"
	"   <arg type='u' name='fourcc' direction='in'/>"
	"   <arg type='t' name='modifier' direction='in'/>"
	"   <arg type='b' name='y0_top' direction='in'/>"
	"  </method>"
	"  <method name='UpdateDMABUF'>"
	"   <arg type='i' name='x' direction='in'/>"
	"   <arg type='i' name='y' direction='in'/>"
	"   <arg type='i' name='width' direction='in'/>"
	"   <arg type='i' name='height' direction='in'/>"
	"  </method>"
	"  <method name='Disable'/>"
	"  <method name='MouseSet'>"
	"   <arg type='i' name='x' direction='in'/>"
	"   <arg type='i' name='y' direction='in'/>"
	"   <arg type='i' name='on' direction='in'/>"
	"  </method>"
	"  <method name='CursorDefine'>"
	"   <arg type='i' name='width' direction='in'/>"
	"   <arg type='i' name='height' direction='in'/>"
	"   <arg type='i' name='hot_x' direction='in'/>"
	"   <arg type='i' name='hot_y' direction='in'/>"
	"   <arg type='ay' name='data' direction='in'/>"
	"  </method>"
	"  <property name='Interfaces' type='as' access='read'/>"
	" </interface>"
	"</node>";

static GDBusNodeInfo *listener_info;

/* --- the canvas and the shm buffers ------------------------------------ */

static void
shm_buffers_finish(struct qemu_console *c)
{
	for (int i = 0; i < QEMU_SHM_BUFFERS; i++) {
		server_buffer_destroy(c->shm[i].server_buffer);
		shm_block_finish(&c->shm[i].shm);
		c->shm[i] = (struct qemu_shm_buffer){ .shm.fd = -1 };
	}
}

/* Canvas and buffers of width x height; the old picture is kept where the
 * two overlap (QEMU 7.2 grows the surface without a new Scanout). */
bool
qemu_console_resize(struct qemu_console *c, uint32_t width, uint32_t height)
{
	if (width == c->width && height == c->height && c->canvas != NULL)
		return true;
	if (width == 0 || height == 0 || width > PROTO_MAX_DIMENSION ||
	    height > PROTO_MAX_DIMENSION) {
		qemu_error("console %u: size %ux%u out of 1..%d; ignored",
			   c->qemu_id, width, height, PROTO_MAX_DIMENSION);
		return false;
	}
	uint8_t *canvas = calloc((size_t)width * height, 4);
	if (canvas == NULL) {
		qemu_error("console %u: out of memory for a %ux%u canvas",
			   c->qemu_id, width, height);
		return false;
	}
	if (c->canvas != NULL) {
		uint32_t w = width < c->width ? width : c->width;
		uint32_t h = height < c->height ? height : c->height;
		for (uint32_t y = 0; y < h; y++)
			memcpy(canvas + (size_t)y * width * 4,
			       c->canvas + (size_t)y * c->width * 4,
			       (size_t)w * 4);
	}
	free(c->canvas);
	c->canvas = canvas;
	c->width = width;
	c->height = height;
	shm_buffers_finish(c);
	for (int i = 0; i < QEMU_SHM_BUFFERS; i++) {
		struct qemu_shm_buffer *b = &c->shm[i];
		char name[48], why[256];
		snprintf(name, sizeof(name), "eglview-qemu-console%u-%d",
			 c->qemu_id, i);
		region_init(&b->stale);
		region_add_rect(&b->stale, &(struct proto_rect){
			0, 0, width, height });
		if (!shm_block_init(&b->shm, name, (size_t)width * height * 4,
				    why, sizeof(why))) {
			qemu_error("console %u: %s", c->qemu_id, why);
			return false;
		}
		b->server_buffer = server_buffer_create_shm(c->bridge->server,
			b->shm.fd, DRM_FORMAT_XRGB8888, width, height,
			width * 4, 0);
		if (b->server_buffer == NULL)
			return false;
	}
	region_clear(&c->damage);
	region_add_rect(&c->damage, &(struct proto_rect){ 0, 0, width, height });
	c->present_pending = true;
	server_head_set_size(c->head, width, height);
	return true;
}

/* The free buffer with the least to catch up on; NULL while the viewers
 * hold both (buffer_released brings us back). */
static void
try_present_shm(struct qemu_console *c)
{
	if (!c->present_pending || c->dmabuf != NULL || c->map != NULL)
		return;
	struct qemu_shm_buffer *best = NULL;
	for (int i = 0; i < QEMU_SHM_BUFFERS; i++) {
		struct qemu_shm_buffer *b = &c->shm[i];
		if (b->server_buffer == NULL ||
		    server_buffer_busy(b->server_buffer))
			continue;
		if (best == NULL ||
		    region_area(&b->stale) < region_area(&best->stale))
			best = b;
	}
	if (best == NULL)
		return;
	size_t stride = (size_t)c->width * 4;
	for (uint32_t i = 0; i < best->stale.n_rects; i++) {
		const struct proto_rect *r = &best->stale.rects[i];
		for (uint32_t y = r->y; y < r->y + r->height; y++) {
			size_t at = y * stride + (size_t)r->x * 4;
			memcpy((uint8_t *)best->shm.data + at, c->canvas + at,
			       (size_t)r->width * 4);
		}
	}
	region_clear(&best->stale);
	c->present_pending = false;
	struct region damage = c->damage;
	region_clear(&c->damage);
	server_head_set_enabled(c->head, true);
	server_head_present(c->head, best->server_buffer, PROTO_SCANOUT_Y0_TOP,
			    damage.rects, damage.n_rects);
}

void
qemu_console_paint(struct qemu_console *c, int32_t x, int32_t y, int32_t w,
		   int32_t h, uint32_t stride, uint32_t format,
		   const uint8_t *src, size_t size)
{
	if (format != PIXMAN_X8R8G8B8 && format != PIXMAN_A8R8G8B8) {
		static bool said;
		if (!said)
			qemu_error("console %u: pixman format 0x%08x is not "
				   "supported (x8r8g8b8 only); frames dropped",
				   c->qemu_id, format);
		said = true;
		return;
	}
	if (x < 0 || y < 0 || w <= 0 || h <= 0 || stride < (uint32_t)w * 4 ||
	    size < (size_t)stride * (uint32_t)(h - 1) + (size_t)w * 4) {
		qemu_error("console %u: update %dx%d+%d+%d with stride %u and "
			   "%zu bytes is inconsistent; dropped", c->qemu_id, w,
			   h, x, y, stride, size);
		return;
	}
	/* QEMU 7.2 says a surface grew only through Console.Width/Height,
	 * which may come after the first update outside the old one. */
	uint32_t need_w = (uint32_t)x + (uint32_t)w;
	uint32_t need_h = (uint32_t)y + (uint32_t)h;
	if ((need_w > c->width || need_h > c->height) &&
	    !qemu_console_resize(c, need_w > c->width ? need_w : c->width,
		    need_h > c->height ? need_h : c->height))
		return;
	size_t dst_stride = (size_t)c->width * 4;
	for (int32_t row = 0; row < h; row++)
		memcpy(c->canvas + (size_t)(y + row) * dst_stride +
		       (size_t)x * 4, src + (size_t)row * stride,
		       (size_t)w * 4);
	struct proto_rect r = { (uint32_t)x, (uint32_t)y, (uint32_t)w,
				(uint32_t)h };
	for (int i = 0; i < QEMU_SHM_BUFFERS; i++)
		region_add_rect(&c->shm[i].stale, &r);
	region_add_rect(&c->damage, &r);
	c->present_pending = true;
	c->updates++;
	try_present_shm(c);
}

static void
paint_variant(struct qemu_console *c, int32_t x, int32_t y, int32_t w,
	      int32_t h, uint32_t stride, uint32_t format, GVariant *data)
{
	size_t size;
	const uint8_t *src = g_variant_get_fixed_array(data, &size, 1);
	qemu_console_paint(c, x, y, w, h, stride, format, src, size);
}

/* --- dmabufs ----------------------------------------------------------- */

static void
answer_update_dmabuf(struct qemu_console *c)
{
	if (c->update_dmabuf == NULL)
		return;
	g_dbus_method_invocation_return_value(c->update_dmabuf, NULL);
	c->update_dmabuf = NULL;
}

static void
drop_dmabuf(struct qemu_console *c)
{
	answer_update_dmabuf(c);
	server_buffer_destroy(c->dmabuf);
	c->dmabuf = NULL;
}

void
qemu_console_drop_passthrough(struct qemu_console *c)
{
	drop_dmabuf(c);
	qemu_map_drop(c);
}

bool
qemu_console_set_dmabuf(struct qemu_console *c, uint32_t fourcc,
			uint64_t modifier, uint32_t width, uint32_t height,
			uint32_t n_planes, const int *fds,
			const uint32_t *offsets, const uint32_t *strides,
			bool y0_top)
{
	qemu_console_drop_passthrough(c);
	c->dmabuf = server_buffer_create_dmabuf(c->bridge->server, fourcc,
						modifier, width, height,
						n_planes, fds, offsets,
						strides);
	if (c->dmabuf == NULL) {
		qemu_error("console %u: dmabuf %ux%u fourcc 0x%08x modifier "
			   "0x%llx with %u plane(s) refused (see above)",
			   c->qemu_id, width, height, fourcc,
			   (unsigned long long)modifier, n_planes);
		return false;
	}
	c->dmabuf_flags = y0_top ? PROTO_SCANOUT_Y0_TOP : 0;
	server_head_set_size(c->head, width, height);
	server_head_set_enabled(c->head, true);
	server_head_present(c->head, c->dmabuf, c->dmabuf_flags, NULL, 0);
	return true;
}

static void
scanout_dmabuf(struct qemu_console *c, GDBusMethodInvocation *inv,
	       GVariant *params)
{
	int32_t handle;
	uint32_t w, h, stride, fourcc;
	uint64_t modifier;
	gboolean y0_top;
	g_variant_get(params, "(huuuutb)", &handle, &w, &h, &stride, &fourcc,
		      &modifier, &y0_top);
	GUnixFDList *fds = g_dbus_message_get_unix_fd_list(
		g_dbus_method_invocation_get_message(inv));
	GError *error = NULL;
	int fd = fds != NULL ? g_unix_fd_list_get(fds, handle, &error) : -1;
	if (fd < 0) {
		g_dbus_method_invocation_return_dbus_error(inv,
			"org.qemu.Display1.Error.Invalid",
			"ScanoutDMABUF came without its fd");
		g_clear_error(&error);
		return;
	}
	uint32_t offset = 0;
	qemu_console_set_dmabuf(c, fourcc, modifier, w, h, 1, &fd, &offset,
				&stride, y0_top);
	close(fd); /* the server keeps its own copy */
	g_dbus_method_invocation_return_value(inv, NULL);
}

static void
update_dmabuf(struct qemu_console *c, GDBusMethodInvocation *inv,
	      GVariant *params)
{
	int32_t x, y, w, h;
	g_variant_get(params, "(iiii)", &x, &y, &w, &h);
	c->updates++;
	if (c->dmabuf == NULL) {
		g_dbus_method_invocation_return_value(inv, NULL);
		return;
	}
	answer_update_dmabuf(c); /* QEMU waits for each; never two, but */
	struct proto_rect r = { x < 0 ? 0 : (uint32_t)x, y < 0 ? 0 : (uint32_t)y,
				w < 0 ? 0 : (uint32_t)w, h < 0 ? 0 : (uint32_t)h };
	server_head_present(c->head, c->dmabuf, c->dmabuf_flags, &r, 1);
	/* No viewer, or none that still has to show it: QEMU goes on now. */
	if (!server_buffer_busy(c->dmabuf))
		g_dbus_method_invocation_return_value(inv, NULL);
	else
		c->update_dmabuf = inv;
}

/* --- cursor ------------------------------------------------------------ */

static void
cursor_define(struct qemu_console *c, GVariant *params)
{
	int32_t w, h, hot_x, hot_y;
	GVariant *data;
	g_variant_get(params, "(iiii@ay)", &w, &h, &hot_x, &hot_y, &data);
	size_t size;
	const uint8_t *src = g_variant_get_fixed_array(data, &size, 1);
	if (w <= 0 || h <= 0 || w > 512 || h > 512 ||
	    size < (size_t)w * (size_t)h * 4) {
		qemu_error("console %u: cursor %dx%d with %zu bytes ignored",
			   c->qemu_id, w, h, size);
		g_variant_unref(data);
		return;
	}
	/* QEMU's cursors are straight alpha; the protocol's premultiplied. */
	uint32_t *pixels = malloc((size_t)w * (size_t)h * 4);
	if (pixels != NULL) {
		for (size_t i = 0; i < (size_t)w * (size_t)h; i++) {
			uint32_t p;
			memcpy(&p, src + i * 4, 4);
			uint32_t a = p >> 24;
			uint32_t r = ((p >> 16) & 0xff) * a / 255;
			uint32_t g = ((p >> 8) & 0xff) * a / 255;
			uint32_t b = (p & 0xff) * a / 255;
			pixels[i] = a << 24 | r << 16 | g << 8 | b;
		}
		server_head_set_cursor(c->head, (uint32_t)w, (uint32_t)h, hot_x,
				       hot_y, pixels);
		free(pixels);
	}
	g_variant_unref(data);
}

/* --- the Listener ------------------------------------------------------ */

static void
listener_call(GDBusConnection *conn, const gchar *sender, const gchar *path,
	      const gchar *iface, const gchar *method, GVariant *params,
	      GDBusMethodInvocation *inv, gpointer data)
{
	(void)conn;
	(void)sender;
	(void)path;
	(void)iface;
	struct qemu_console *c = data;
	if (strcmp(method, "Update") == 0) {
		int32_t x, y, w, h;
		uint32_t stride, format;
		GVariant *pixels;
		g_variant_get(params, "(iiiiuu@ay)", &x, &y, &w, &h, &stride,
			      &format, &pixels);
		qemu_map_drop(c); /* QEMU fell back to pixel data */
		paint_variant(c, x, y, w, h, stride, format, pixels);
		g_variant_unref(pixels);
	} else if (strcmp(method, "Scanout") == 0) {
		uint32_t w, h, stride, format;
		GVariant *pixels;
		g_variant_get(params, "(uuuu@ay)", &w, &h, &stride, &format,
			      &pixels);
		/* Newer QEMU sends a whole changed screen as Scanout every
		 * refresh: at the same size it is just a full update. */
		qemu_console_drop_passthrough(c);
		if (qemu_console_resize(c, w, h))
			paint_variant(c, 0, 0, (int32_t)w, (int32_t)h, stride,
				      format, pixels);
		g_variant_unref(pixels);
	} else if (strcmp(method, "ScanoutDMABUF") == 0) {
		scanout_dmabuf(c, inv, params);
		return;
	} else if (strcmp(method, "UpdateDMABUF") == 0) {
		update_dmabuf(c, inv, params);
		return;
	} else if (strcmp(method, "Disable") == 0) {
		qemu_console_drop_passthrough(c);
		server_head_set_enabled(c->head, false);
	} else if (strcmp(method, "MouseSet") == 0) {
		int32_t x, y, on;
		g_variant_get(params, "(iii)", &x, &y, &on);
		server_head_move_cursor(c->head, x, y, on != 0);
	} else if (strcmp(method, "CursorDefine") == 0) {
		cursor_define(c, params);
	}
	g_dbus_method_invocation_return_value(inv, NULL);
}

static GVariant *
listener_get_property(GDBusConnection *conn, const gchar *sender,
		      const gchar *path, const gchar *iface,
		      const gchar *property, GError **error, gpointer data)
{
	(void)conn;
	(void)sender;
	(void)path;
	(void)iface;
	(void)data;
	if (strcmp(property, "Interfaces") == 0)
		return g_variant_new_strv(qemu_map_interfaces, -1);
	g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY,
		    "no property %s", property);
	return NULL;
}

static const GDBusInterfaceVTable listener_vtable = {
	.method_call = listener_call,
	.get_property = listener_get_property,
};

static void
on_listener_closed(GDBusConnection *conn, gboolean vanished, GError *error,
		   gpointer data)
{
	(void)vanished;
	(void)error;
	struct qemu_console *c = data;
	if (c->listener != conn)
		return;
	/* QEMU dropped this console's listener; the control connection
	 * tells whether QEMU itself is gone. */
	qemu_verbose("console %u: listener connection closed", c->qemu_id);
}

static void
on_listener_ready(GObject *source, GAsyncResult *res, gpointer data)
{
	(void)source;
	struct qemu_console *c = data;
	GError *error = NULL;
	GDBusConnection *conn = g_dbus_connection_new_finish(res, &error);
	if (conn == NULL) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
			qemu_error("console %u: listener handshake failed: %s",
				   c->qemu_id, error->message);
			g_clear_object(&c->cancel);
		}
		g_error_free(error);
		return;
	}
	g_clear_object(&c->cancel);
	c->listener = conn;
	g_signal_connect(conn, "closed", G_CALLBACK(on_listener_closed), c);
	/* Exported before any message is read: QEMU's GetAll comes first. */
	c->listener_object = g_dbus_connection_register_object(conn,
		QEMU_ROOT_PATH "/Listener", listener_info->interfaces[0],
		&listener_vtable, c, NULL, &error);
	if (c->listener_object == 0) {
		qemu_error("console %u: cannot export the listener: %s",
			   c->qemu_id, error->message);
		g_clear_error(&error);
	}
	/* QEMU >= 9.2 / 10.1 read Interfaces in that same GetAll and call
	 * these on the same object path. */
	qemu_map_register(c, conn);
	g_dbus_connection_start_message_processing(conn);
	qemu_verbose("console %u: listener up", c->qemu_id);
}

static void
on_registered(GObject *source, GAsyncResult *res, gpointer data)
{
	GError *error = NULL;
	GVariant *reply = g_dbus_connection_call_with_unix_fd_list_finish(
		G_DBUS_CONNECTION(source), NULL, res, &error);
	if (reply != NULL) {
		g_variant_unref(reply);
		return;
	}
	if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
		struct qemu_console *c = data;
		qemu_error("console %u: RegisterListener failed: %s",
			   c->qemu_id, error->message);
	}
	g_error_free(error);
}

void
qemu_console_register_listener(struct qemu_console *c)
{
	int pair[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
		qemu_error("console %u: socketpair: %s", c->qemu_id,
			   strerror(errno));
		return;
	}
	GError *error = NULL;
	GSocket *socket = g_socket_new_from_fd(pair[0], &error);
	if (socket == NULL) {
		qemu_error("console %u: %s", c->qemu_id, error->message);
		g_error_free(error);
		close(pair[0]);
		close(pair[1]);
		return;
	}
	GSocketConnection *stream =
		g_socket_connection_factory_create_connection(socket);
	/* QEMU authenticates as the server only once it has our fd, so the
	 * handshake runs while RegisterListener is on its way. */
	c->cancel = g_cancellable_new();
	g_dbus_connection_new(G_IO_STREAM(stream), NULL,
			      G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
			      G_DBUS_CONNECTION_FLAGS_DELAY_MESSAGE_PROCESSING,
			      NULL, c->cancel, on_listener_ready, c);
	g_object_unref(stream);
	g_object_unref(socket);

	GUnixFDList *fds = g_unix_fd_list_new_from_array(&pair[1], 1);
	g_dbus_connection_call_with_unix_fd_list(c->bridge->control,
		c->bridge->peer, c->path, "org.qemu.Display1.Console",
		"RegisterListener", g_variant_new("(h)", 0), NULL,
		G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, fds, c->cancel,
		on_registered, c);
	g_object_unref(fds); /* it owns pair[1] */
}

/* --- properties -------------------------------------------------------- */

static uint32_t
proxy_u32(GDBusProxy *proxy, const char *name)
{
	GVariant *v = g_dbus_proxy_get_cached_property(proxy, name);
	uint32_t value = 0;
	if (v != NULL && g_variant_is_of_type(v, G_VARIANT_TYPE_UINT32))
		value = g_variant_get_uint32(v);
	if (v != NULL)
		g_variant_unref(v);
	return value;
}

void
qemu_console_size(const struct qemu_console *c, uint32_t *width,
		  uint32_t *height)
{
	/* QEMU checks SetAbsPosition against these; our canvas lags them. */
	*width = c->console != NULL ? proxy_u32(c->console, "Width") : 0;
	*height = c->console != NULL ? proxy_u32(c->console, "Height") : 0;
	if (*width == 0 || *height == 0) {
		*width = c->map != NULL ? c->map_width : c->width;
		*height = c->map != NULL ? c->map_height : c->height;
	}
}

static void
on_console_changed(GDBusProxy *proxy, GVariant *changed, GStrv invalidated,
		   gpointer data)
{
	(void)invalidated;
	struct qemu_console *c = data;
	uint32_t w, h;
	if (!g_variant_lookup(changed, "Width", "u", &w))
		w = proxy_u32(proxy, "Width");
	if (!g_variant_lookup(changed, "Height", "u", &h))
		h = proxy_u32(proxy, "Height");
	/* 7.2 resizes the surface without a Scanout: follow the console. */
	if (c->dmabuf == NULL && c->map == NULL &&
	    (w != c->width || h != c->height)) {
		qemu_verbose("console %u: now %ux%u", c->qemu_id, w, h);
		if (qemu_console_resize(c, w, h))
			try_present_shm(c);
	}
}

static void
on_mouse_changed(GDBusProxy *proxy, GVariant *changed, GStrv invalidated,
		 gpointer data)
{
	(void)proxy;
	(void)invalidated;
	struct qemu_console *c = data;
	gboolean absolute;
	if (c->index == 0 &&
	    g_variant_lookup(changed, "IsAbsolute", "b", &absolute))
		qemu_input_advertise(c->bridge);
}

static GDBusProxy *
make_proxy(struct qemu_console *c, const char *iface, GError **error)
{
	return g_dbus_proxy_new_sync(c->bridge->control,
		G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START, NULL, c->bridge->peer,
		c->path, iface, NULL, error);
}

bool
qemu_console_attach(struct qemu_console *c, char *why, size_t why_size)
{
	struct qemu_bridge *bridge = c->bridge;
	snprintf(c->path, sizeof(c->path), QEMU_ROOT_PATH "/Console_%u",
		 c->qemu_id);
	if (listener_info == NULL)
		listener_info = g_dbus_node_info_new_for_xml(listener_xml, NULL);
	GError *error = NULL;
	c->console = make_proxy(c, "org.qemu.Display1.Console", &error);
	if (c->console != NULL)
		c->mouse = make_proxy(c, "org.qemu.Display1.Mouse", &error);
	if (c->mouse == NULL) {
		snprintf(why, why_size, "cannot read %s: %s", c->path,
			 error->message);
		g_error_free(error);
		g_clear_object(&c->console);
		return false;
	}
	GVariant *type = g_dbus_proxy_get_cached_property(c->console, "Type");
	bool graphic = type != NULL &&
		strcmp(g_variant_get_string(type, NULL), "Graphic") == 0;
	if (type != NULL)
		g_variant_unref(type);
	if (!graphic) {
		snprintf(why, why_size, "not a graphic console");
		g_clear_object(&c->console);
		g_clear_object(&c->mouse);
		return false;
	}
	GVariant *ifaces = g_dbus_proxy_get_cached_property(c->console,
							    "Interfaces");
	c->has_multitouch = false;
	if (ifaces != NULL) {
		const char **list = g_variant_get_strv(ifaces, NULL);
		for (size_t i = 0; list[i] != NULL; i++)
			if (strcmp(list[i], "org.qemu.Display1.MultiTouch") == 0)
				c->has_multitouch = true;
		g_free(list);
		g_variant_unref(ifaces);
	}
	uint32_t w = proxy_u32(c->console, "Width");
	uint32_t h = proxy_u32(c->console, "Height");
	if (w == 0 || h == 0) {
		w = 640;
		h = 480;
	}
	if (c->head == NULL) {
		char name[64];
		GVariant *label = g_dbus_proxy_get_cached_property(c->console,
								   "Label");
		snprintf(name, sizeof(name), "%s-%u", label != NULL ?
			 g_variant_get_string(label, NULL) : "Console",
			 c->qemu_id);
		if (label != NULL)
			g_variant_unref(label);
		c->head = server_add_head(bridge->server, name, w, h);
		if (c->head == NULL) {
			snprintf(why, why_size, "cannot add a head for it");
			g_clear_object(&c->console);
			g_clear_object(&c->mouse);
			return false;
		}
		bridge->n_heads = c->index + 1 > bridge->n_heads ?
			c->index + 1 : bridge->n_heads;
		for (int i = 0; i < QEMU_SHM_BUFFERS; i++)
			c->shm[i].shm.fd = -1;
	}
	server_head_set_enabled(c->head, false); /* until QEMU draws */
	g_signal_connect(c->console, "g-properties-changed",
			 G_CALLBACK(on_console_changed), c);
	g_signal_connect(c->mouse, "g-properties-changed",
			 G_CALLBACK(on_mouse_changed), c);
	c->updates = 0;
	return true;
}

void
qemu_console_detach(struct qemu_console *c)
{
	if (c->cancel != NULL) {
		g_cancellable_cancel(c->cancel);
		g_clear_object(&c->cancel);
	}
	qemu_console_drop_passthrough(c);
	if (c->listener != NULL) {
		if (c->listener_object != 0)
			g_dbus_connection_unregister_object(c->listener,
							    c->listener_object);
		c->listener_object = 0;
		qemu_map_unregister(c);
		g_dbus_connection_close(c->listener, NULL, NULL, NULL);
		g_clear_object(&c->listener);
	}
	g_clear_object(&c->console);
	g_clear_object(&c->mouse);
	if (c->head != NULL)
		server_head_set_enabled(c->head, false);
}

void
qemu_console_finish(struct qemu_console *c)
{
	qemu_verbose("console %u: %llu updates received since the last "
		     "attachment", c->qemu_id, (unsigned long long)c->updates);
	qemu_console_detach(c);
	shm_buffers_finish(c);
	free(c->canvas);
	c->canvas = NULL;
}

void
qemu_console_buffer_released(struct qemu_console *c,
			     struct server_buffer *buffer)
{
	if (buffer == c->dmabuf) {
		answer_update_dmabuf(c);
		return;
	}
	if (buffer == c->map)
		return; /* QEMU's own memory: it never waits for us */
	for (int i = 0; i < QEMU_SHM_BUFFERS; i++)
		if (c->shm[i].server_buffer == buffer)
			try_present_shm(c);
}
