/* SPDX-License-Identifier: MIT */
/*
 * One QEMU console: its head, its properties, and QEMU's own buffers.
 * Pixel data (Scanout and Update, through listener.c) is pixels.c's; a
 * dmabuf (ScanoutDMABUF) is passed through as it is, and each
 * UpdateDMABUF is answered only once the viewers showed it, which is what
 * paces QEMU's GL output to the screen. HOLD_SHOWN does not hold it past
 * that FRAME_DONE: QEMU draws into it again whatever a viewer shows.
 */
#include <drm_fourcc.h>
#include <gio/gio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "qemu/private.h"

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

/* What tells one dma-buf from another: the files behind the fds (a
 * dma-buf is one file, whichever fd names it) and the layout. false when
 * an fd cannot be looked at (then the buffer counts as new). */
static bool
dmabuf_key(struct qemu_dmabuf_key *key, uint32_t fourcc, uint64_t modifier,
	   uint32_t width, uint32_t height, uint32_t n_planes, const int *fds,
	   const uint32_t *offsets, const uint32_t *strides)
{
	*key = (struct qemu_dmabuf_key){
		.fourcc = fourcc, .width = width, .height = height,
		.n_planes = n_planes, .modifier = modifier,
	};
	for (uint32_t i = 0; i < n_planes && i < PROTO_MAX_PLANES; i++) {
		struct stat st;
		if (fstat(fds[i], &st) < 0)
			return false;
		key->dev[i] = st.st_dev;
		key->ino[i] = st.st_ino;
		key->offsets[i] = offsets[i];
		key->strides[i] = strides[i];
	}
	return true;
}

bool
qemu_console_set_dmabuf(struct qemu_console *c, uint32_t fourcc,
			uint64_t modifier, uint32_t width, uint32_t height,
			uint32_t n_planes, const int *fds,
			const uint32_t *offsets, const uint32_t *strides,
			bool y0_top)
{
	c->dmabuf_scanouts++;
	struct qemu_dmabuf_key key;
	bool known = dmabuf_key(&key, fourcc, modifier, width, height,
				n_planes, fds, offsets, strides);
	/* QEMU's y0_top is GL's sense, not the rows': false for the
	 * surface textures of every 2D device, which are uploaded top row
	 * first (tests/vm/glon.py: the test guest and SeaBIOS), true for
	 * virglrenderer's resources, whose rows lie bottom first
	 * (glon-linux-cursor: virtio-vga-gl). QEMU's own GTK window flips
	 * exactly when y0_top is false. */
	uint32_t flags = y0_top ? 0 : PROTO_SCANOUT_Y0_TOP;
	if (c->dmabuf != NULL && known &&
	    memcmp(&key, &c->dmabuf_key, sizeof(key)) == 0) {
		/* The same buffer again: its picture may be new, its import
		 * is not. */
		answer_update_dmabuf(c);
		qemu_verbose("console %u: ScanoutDMABUF y0_top=%d: the same "
			     "dma-buf, buffer %u kept", c->qemu_id, y0_top,
			     server_buffer_get_id(c->dmabuf));
		c->dmabuf_flags = flags;
		server_head_present(c->head, c->dmabuf, flags, NULL, 0);
		return true;
	}
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
	c->dmabuf_buffers++;
	/* A key that could not be read never matches. */
	c->dmabuf_key = known ? key : (struct qemu_dmabuf_key){ 0 };
	server_buffer_set_hold_shown(c->dmabuf, false);
	qemu_verbose("console %u: ScanoutDMABUF %ux%u fourcc 0x%08x modifier "
		     "0x%llx stride %u y0_top=%d: buffer %u", c->qemu_id,
		     width, height, fourcc, (unsigned long long)modifier,
		     strides[0], y0_top, server_buffer_get_id(c->dmabuf));
	c->dmabuf_flags = flags;
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
	/* QEMU checks SetAbsPosition against these; our buffers lag them. */
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
		if (qemu_pixels_resize(c, w, h, 0, true))
			qemu_pixels_present(c);
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

/* The guest's lock LEDs (QEMU's LED notifier sets Modifiers). */
static void
on_keyboard_changed(GDBusProxy *proxy, GVariant *changed, GStrv invalidated,
		    gpointer data)
{
	(void)proxy;
	(void)invalidated;
	struct qemu_console *c = data;
	uint32_t modifiers;
	if (g_variant_lookup(changed, "Modifiers", "u", &modifiers))
		qemu_input_modifiers(c->bridge, modifiers);
}

/* --- the guest follows the window ------------------------------------- */

static void
on_ui_info_done(GObject *source, GAsyncResult *res, gpointer data)
{
	struct qemu_console *c = data;
	GError *error = NULL;
	GVariant *reply = g_dbus_proxy_call_finish(G_DBUS_PROXY(source), res,
						   &error);
	if (reply != NULL) {
		g_variant_unref(reply);
		return;
	}
	char *remote = g_dbus_error_get_remote_error(error);
	bool unsupported = remote != NULL &&
		strcmp(remote, "org.qemu.Display1.Error.Unsupported") == 0;
	if (unsupported && !c->ui_info_unsupported)
		qemu_info("console %u cannot follow the viewers' size (QEMU: "
			  "%s): its mode stays, the viewers letterbox it",
			  c->qemu_id, error->message);
	else if (!unsupported)
		qemu_error("console %u: SetUIInfo failed: %s", c->qemu_id,
			   error->message);
	c->ui_info_unsupported |= unsupported;
	g_free(remote);
	g_error_free(error);
}

void
qemu_console_set_ui_info(struct qemu_console *c, uint32_t width,
			 uint32_t height, uint32_t width_mm, uint32_t height_mm)
{
	if (c->console == NULL || c->ui_info_unsupported)
		return;
	qemu_verbose("console %u: SetUIInfo %ux%u (%ux%u mm)", c->qemu_id,
		     width, height, width_mm, height_mm);
	g_dbus_proxy_call(c->console, "SetUIInfo",
		g_variant_new("(qqiiuu)", (guint16)(width_mm > 65535 ? 65535 :
			      width_mm), (guint16)(height_mm > 65535 ? 65535 :
			      height_mm), 0, 0, width, height),
		G_DBUS_CALL_FLAGS_NO_AUTO_START, QEMU_CALL_TIMEOUT_MS, NULL,
		on_ui_info_done, c);
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
		c->map_fd = -1;
	}
	server_head_set_enabled(c->head, false); /* until QEMU draws */
	g_signal_connect(c->console, "g-properties-changed",
			 G_CALLBACK(on_console_changed), c);
	g_signal_connect(c->mouse, "g-properties-changed",
			 G_CALLBACK(on_mouse_changed), c);
	/* The keyboard's LEDs are the machine's: the first console's will
	 * do. A QEMU without the property leaves them unknown. */
	if (c->index == 0)
		c->keyboard = make_proxy(c, "org.qemu.Display1.Keyboard", NULL);
	if (c->keyboard != NULL)
		g_signal_connect(c->keyboard, "g-properties-changed",
				 G_CALLBACK(on_keyboard_changed), c);
	c->updates = 0;
	c->ui_info_unsupported = false; /* another QEMU, maybe another device */
	c->dmabuf_scanouts = c->dmabuf_buffers = 0;
	c->counts = (struct qemu_copy_counts){ 0 };
	return true;
}

void
qemu_console_detach(struct qemu_console *c)
{
	qemu_console_drop_passthrough(c);
	qemu_pixels_detach(c);
	qemu_listener_close(c);
	g_clear_object(&c->console);
	g_clear_object(&c->mouse);
	g_clear_object(&c->keyboard);
	if (c->head != NULL)
		server_head_set_enabled(c->head, false);
}

void
qemu_console_finish(struct qemu_console *c)
{
	qemu_verbose("console %u: %llu updates received since the last "
		     "attachment", c->qemu_id, (unsigned long long)c->updates);
	qemu_pixels_log_counts(c);
	qemu_verbose("console %u: %llu ScanoutDMABUF, %llu of them new "
		     "buffers", c->qemu_id,
		     (unsigned long long)c->dmabuf_scanouts,
		     (unsigned long long)c->dmabuf_buffers);
	qemu_console_detach(c);
	qemu_pixels_finish(c);
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
	qemu_pixels_buffer_released(c, buffer);
}
