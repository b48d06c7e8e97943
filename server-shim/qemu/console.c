/* SPDX-License-Identifier: MIT */
/*
 * One QEMU console: its head, its properties, and its buffers. Pixel data
 * (Scanout and Update, through listener.c) lands in a canvas, then in
 * whichever of two sealed memfds no viewer is reading; a dmabuf
 * (ScanoutDMABUF) is passed through as it is, and each UpdateDMABUF is
 * answered only once the viewers showed it, which is what paces QEMU's GL
 * output to the screen.
 */
#include <drm_fourcc.h>
#include <gio/gio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu/private.h"

/* pixman format codes (PIXMAN_FORMAT(bpp, type, a, r, g, b)). */
#define PIXMAN_X8R8G8B8 0x20020888u
#define PIXMAN_A8R8G8B8 0x20028888u

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

void
qemu_console_update_dmabuf(struct qemu_console *c, int32_t x, int32_t y,
			   int32_t w, int32_t h, GDBusMethodInvocation *inv)
{
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
	qemu_console_drop_passthrough(c);
	qemu_listener_close(c);
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
