/* SPDX-License-Identifier: MIT */
/*
 * qemu-bridge-vs-fake-qemu-dbus-peer: this test plays QEMU's side of the
 * D-Bus display over a real peer-to-peer D-Bus connection (GDBus), for
 * what QEMU 7.2 cannot exercise: Listener.Unix.Map (ScanoutMap/UpdateMap,
 * QEMU >= 9.2), Listener.Unix.ScanoutDMABUF2 (>= 10.1; a memfd stands in
 * for the dmabuf, as no dmabuf exporter exists here), Mouse.IsAbsolute
 * flipping, and MultiTouch. It serves a QMP socket as QEMU does for
 * -display dbus,p2p=yes (getfd with SCM_RIGHTS + add_client), exports
 * VM / Console_0 (Console, Keyboard, Mouse, MultiTouch) on the socket the
 * real eglview-shim hands over, and drives a raw protocol viewer on the
 * shim's socket. The fake QEMU runs in its own thread and GMainContext;
 * the main thread asserts.
 */
#include <drm_fourcc.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <gio/gunixfdlist.h>
#include <linux/input-event-codes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proto.h"
#include "raw-viewer.h"
#include "fake-qemu.h"

/* --- the viewer side --------------------------------------------------- */

struct vbuf {
	uint32_t id;
	int fd;
	struct proto_buffer_shm shm;
};

static struct vbuf bufs[16];
static uint32_t n_bufs, bound, head_id, keyboard_id, pointer_id, touch_id;
static uint32_t pointer_kind;
static struct proto_buffer_dmabuf last_dmabuf;
static int last_dmabuf_fd = -1;
static uint32_t dmabufs_announced, scanout_flags;

/* Handles whatever comes until an UPDATE (returned true with its rects
 * in rects/n) or timeout. */
static bool
next_update(struct raw_viewer *v, struct proto_rect *rects, uint32_t *n,
	    uint32_t *seq)
{
	int64_t end = fake_now_ms() + TIMEOUT_MS;
	while (fake_now_ms() < end) {
		if (raw_viewer_recv(v, (int)(end - fake_now_ms())) != PROTO_IO_OK)
			return false;
		uint32_t type = proto_packet_type(v->pkt);
		const void *body = raw_body(v);
		if (type == PROTO_BUFFER_SHM && n_bufs < 16) {
			struct vbuf *b = &bufs[n_bufs++];
			memcpy(&b->shm, body, sizeof(b->shm));
			b->id = b->shm.buffer_id;
			b->fd = v->pkt->fds[0];
			v->pkt->fds[0] = -1;
			v->pkt->n_fds = 0;
		} else if (type == PROTO_BUFFER_DESTROY) {
			const struct proto_buffer_destroy *d = body;
			for (uint32_t i = 0; i < n_bufs; i++) {
				if (bufs[i].id != d->buffer_id)
					continue;
				close(bufs[i].fd);
				bufs[i] = bufs[--n_bufs];
				break;
			}
		} else if (type == PROTO_BUFFER_DMABUF) {
			memcpy(&last_dmabuf, body, sizeof(last_dmabuf));
			dmabufs_announced++;
			if (last_dmabuf_fd >= 0)
				close(last_dmabuf_fd);
			last_dmabuf_fd = v->pkt->fds[0];
			v->pkt->fds[0] = -1;
		} else if (type == PROTO_SCANOUT) {
			const struct proto_scanout *s = body;
			bound = s->buffer_id;
			head_id = s->head_id;
			scanout_flags = s->flags;
		} else if (type == PROTO_UPDATE) {
			const struct proto_update *u = body;
			*n = u->n_rects;
			*seq = u->seq;
			memcpy(rects, (const uint8_t *)body + sizeof(*u),
			       u->n_rects * sizeof(*rects));
			return true;
		} else if (type == PROTO_INPUT_DEVICE) {
			const struct proto_input_device *d = body;
			if (d->kind == PROTO_DEVICE_KEYBOARD)
				keyboard_id = d->device_id;
			else if (d->kind == PROTO_DEVICE_TOUCH)
				touch_id = d->device_id;
			else {
				pointer_id = d->device_id;
				pointer_kind = d->kind;
			}
		}
	}
	return false;
}

static const struct vbuf *
bound_buffer(void)
{
	for (uint32_t i = 0; i < n_bufs; i++)
		if (bufs[i].id == bound)
			return &bufs[i];
	return NULL;
}

static uint32_t
pattern(uint32_t x, uint32_t y, uint32_t salt)
{
	return 0xff000000u | ((x * 7 + salt) & 0xff) << 16 |
	       ((y * 5) & 0xff) << 8 | (salt & 0xff);
}

/* The viewer's view of the bound buffer matches QEMU's memory. */
static bool
pixels_match(const uint8_t *qemu, uint32_t qstride, uint32_t x0, uint32_t y0,
	     uint32_t w, uint32_t h)
{
	const struct vbuf *b = bound_buffer();
	if (b == NULL)
		return false;
	size_t size = b->shm.offset + (size_t)b->shm.stride * b->shm.height;
	uint8_t *m = mmap(NULL, size, PROT_READ, MAP_SHARED, b->fd, 0);
	if (m == MAP_FAILED)
		return false;
	bool ok = true;
	for (uint32_t y = y0; y < y0 + h && ok; y++)
		ok = memcmp(m + b->shm.offset + (size_t)y * b->shm.stride +
			    x0 * 4, qemu + (size_t)y * qstride + x0 * 4,
			    (size_t)w * 4) == 0;
	munmap(m, size);
	return ok;
}

static int
make_memfd(size_t size, bool sealed)
{
	int fd = memfd_create("fake-qemu-surface", MFD_CLOEXEC |
			      MFD_ALLOW_SEALING);
	if (fd < 0 || ftruncate(fd, (off_t)size) < 0)
		return -1;
	if (sealed)
		fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW |
		      F_SEAL_SEAL);
	return fd;
}

static void
frame_done(struct raw_viewer *v, uint32_t seq)
{
	proto_send_frame_done(v->fd, head_id, seq, 0);
}

/* ScanoutMap + UpdateMap: sealed (zero copy: the viewer maps QEMU's own
 * memfd) or unsealed (copied into the shim's sealed memfds). */
static void
case_map(struct raw_viewer *v, bool sealed)
{
	const uint32_t offset = 4096, stride = W * 4 + 64;
	size_t size = offset + (size_t)stride * H;
	int fd = make_memfd(size, sealed);
	REQUIRE(fd >= 0);
	uint8_t *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
			    fd, 0);
	REQUIRE(mem != MAP_FAILED);
	uint8_t *surface = mem + offset;
	for (uint32_t y = 0; y < H; y++)
		for (uint32_t x = 0; x < W; x++)
			memcpy(surface + y * stride + x * 4,
			       &(uint32_t){ pattern(x, y, sealed) }, 4);
	GVariant *r = fake_listener_call("org.qemu.Display1.Listener.Unix.Map",
		"ScanoutMap", g_variant_new("(huuuuu)", 0, offset, W, H,
					    stride, PIXMAN_X8R8G8B8), fd);
	REQUIRE(r != NULL);
	g_variant_unref(r);
	struct proto_rect rects[PROTO_MAX_DAMAGE_RECTS];
	uint32_t n, seq;
	REQUIRE(next_update(v, rects, &n, &seq));
	const struct vbuf *b = bound_buffer();
	REQUIRE(b != NULL);
	CHECK(b->shm.width == W && b->shm.height == H);
	struct stat ours, theirs;
	fstat(fd, &ours);
	fstat(b->fd, &theirs);
	if (sealed) {
		/* Zero copy: the very memfd, at QEMU's offset and stride. */
		CHECK(ours.st_ino == theirs.st_ino);
		CHECK(b->shm.offset == offset && b->shm.stride == stride);
	} else {
		fprintf(stderr, "QEMU's memfd inode %lu, the viewer's %lu "
			"(buffer %u)\n", (unsigned long)ours.st_ino,
			(unsigned long)theirs.st_ino, b->id);
		CHECK(ours.st_ino != theirs.st_ino);
		CHECK(fcntl(b->fd, F_GET_SEALS) & F_SEAL_SHRINK);
	}
	CHECK(pixels_match(surface, stride, 0, 0, W, H));
	frame_done(v, seq);

	/* A rectangle changes; UpdateMap names it. */
	for (uint32_t y = 30; y < 70; y++)
		for (uint32_t x = 100; x < 164; x++)
			memcpy(surface + y * stride + x * 4,
			       &(uint32_t){ pattern(x, y, 99) }, 4);
	r = fake_listener_call("org.qemu.Display1.Listener.Unix.Map", "UpdateMap",
			  g_variant_new("(iiii)", 100, 30, 64, 40), -1);
	REQUIRE(r != NULL);
	g_variant_unref(r);
	REQUIRE(next_update(v, rects, &n, &seq));
	CHECK(n == 1 && rects[0].x == 100 && rects[0].y == 30 &&
	      rects[0].width == 64 && rects[0].height == 40);
	CHECK(pixels_match(surface, stride, 0, 0, W, H));
	frame_done(v, seq);
	munmap(mem, size);
	close(fd);
	fprintf(stderr, "ok: ScanoutMap/UpdateMap, %s memfd\n",
		sealed ? "sealed (zero copy)" : "unsealed (copied)");
}

static bool update_dmabuf_answered;

static void
on_update_dmabuf(GObject *src, GAsyncResult *res, gpointer data)
{
	(void)data;
	GVariant *r = g_dbus_connection_call_finish(G_DBUS_CONNECTION(src),
						    res, NULL);
	if (r != NULL)
		g_variant_unref(r);
	update_dmabuf_answered = true;
}

/* ScanoutDMABUF2: an NV12 memfd standing in for a two-plane dmabuf with
 * a tiling modifier; the viewer gets BUFFER_DMABUF with both planes and
 * the modifier, and UpdateDMABUF is answered only after FRAME_DONE. */
static void
case_dmabuf2_memfd_as_dmabuf(struct raw_viewer *v)
{
	size_t size = (size_t)W * H * 3 / 2;
	int fd = make_memfd(size, true);
	REQUIRE(fd >= 0);
	int32_t handle = 0;
	uint32_t offsets[2] = { 0, W * H }, strides[2] = { W, W };
	GVariant *r = fake_listener_call(
		"org.qemu.Display1.Listener.Unix.ScanoutDMABUF2",
		"ScanoutDMABUF2", g_variant_new("(@ahuuuu@au@auuuuutb)",
		g_variant_new_fixed_array(G_VARIANT_TYPE_HANDLE, &handle, 1, 4),
		0, 0, W, H,
		g_variant_new_fixed_array(G_VARIANT_TYPE_UINT32, offsets, 2, 4),
		g_variant_new_fixed_array(G_VARIANT_TYPE_UINT32, strides, 2, 4),
		2, DRM_FORMAT_NV12, W, H, I915_FORMAT_MOD_X_TILED, TRUE), fd);
	REQUIRE(r != NULL);
	g_variant_unref(r);
	struct proto_rect rects[PROTO_MAX_DAMAGE_RECTS];
	uint32_t n, seq;
	REQUIRE(next_update(v, rects, &n, &seq));
	CHECK(last_dmabuf.fourcc == DRM_FORMAT_NV12);
	CHECK(last_dmabuf.modifier == I915_FORMAT_MOD_X_TILED);
	CHECK(last_dmabuf.n_planes == 2);
	CHECK(last_dmabuf.width == W && last_dmabuf.height == H);
	CHECK(last_dmabuf.planes[1].offset == W * H &&
	      last_dmabuf.planes[0].stride == W &&
	      last_dmabuf.planes[1].stride == W);
	CHECK(bound == last_dmabuf.buffer_id);
	struct stat ours, theirs;
	fstat(fd, &ours);
	CHECK(last_dmabuf_fd >= 0 && fstat(last_dmabuf_fd, &theirs) == 0 &&
	      ours.st_ino == theirs.st_ino);
	frame_done(v, seq);

	/* UpdateDMABUF: the shim answers once the viewer showed it. */
	update_dmabuf_answered = false;
	g_dbus_connection_call(fake.listener, NULL, PATH_LISTENER,
		"org.qemu.Display1.Listener", "UpdateDMABUF",
		g_variant_new("(iiii)", 8, 8, 16, 16), NULL,
		G_DBUS_CALL_FLAGS_NONE, 3000, NULL, on_update_dmabuf, NULL);
	REQUIRE(next_update(v, rects, &n, &seq));
	CHECK(n == 1 && rects[0].x == 8 && rects[0].width == 16);
	int64_t end = fake_now_ms() + 150;
	while (fake_now_ms() < end)
		g_main_context_iteration(NULL, FALSE), g_usleep(5000);
	CHECK(!update_dmabuf_answered);
	frame_done(v, seq);
	end = fake_now_ms() + TIMEOUT_MS;
	while (!update_dmabuf_answered && fake_now_ms() < end)
		g_main_context_iteration(NULL, FALSE), g_usleep(2000);
	CHECK(update_dmabuf_answered);
	close(fd);
	fprintf(stderr, "ok: ScanoutDMABUF2 (memfd standing in for a dmabuf)\n");
}

/* QEMU 7.2's ScanoutDMABUF comes with a new fd each time, mostly for
 * the same texture: a memfd standing in for that dma-buf, sent 20 times
 * (a new fd each call, as QEMU's), is announced to the viewer once, and
 * a second memfd is a new buffer. y0_top false as 7.2 sends it for 2D
 * surfaces: SCANOUT says Y0_TOP (their rows lie top first); y0_top true
 * (virgl's resources) clears it. */
static void
case_dmabuf_same_buffer_memfd_as_dmabuf(struct raw_viewer *v)
{
	const uint32_t stride = W * 4;
	int fd = make_memfd((size_t)stride * H, true);
	int other = make_memfd((size_t)stride * H, true);
	REQUIRE(fd >= 0 && other >= 0);
	uint32_t before = dmabufs_announced;
	struct proto_rect rects[PROTO_MAX_DAMAGE_RECTS];
	uint32_t n, seq;
	for (int i = 0; i < 21; i++) {
		GVariant *r = fake_listener_call("org.qemu.Display1.Listener",
			"ScanoutDMABUF", g_variant_new("(huuuutb)", 0, W, H,
			stride, DRM_FORMAT_XRGB8888, DRM_FORMAT_MOD_LINEAR,
			FALSE), i < 20 ? fd : other);
		REQUIRE(r != NULL);
		g_variant_unref(r);
		REQUIRE(next_update(v, rects, &n, &seq));
		CHECK(bound == last_dmabuf.buffer_id);
		CHECK(scanout_flags & PROTO_SCANOUT_Y0_TOP);
		frame_done(v, seq);
		if (i == 19)
			CHECK(dmabufs_announced == before + 1);
	}
	fprintf(stderr, "20 ScanoutDMABUF of one memfd, then one of another: "
		"%u BUFFER_DMABUF\n", dmabufs_announced - before);
	CHECK(dmabufs_announced == before + 2);
	/* y0_top true, as QEMU sends it for virglrenderer's resources
	 * (virtio-vga-gl): their rows lie bottom first, the viewer flips. */
	GVariant *r = fake_listener_call("org.qemu.Display1.Listener",
		"ScanoutDMABUF", g_variant_new("(huuuutb)", 0, W, H, stride,
		DRM_FORMAT_XRGB8888, DRM_FORMAT_MOD_LINEAR, TRUE), other);
	REQUIRE(r != NULL);
	g_variant_unref(r);
	REQUIRE(next_update(v, rects, &n, &seq));
	CHECK(!(scanout_flags & PROTO_SCANOUT_Y0_TOP));
	CHECK(dmabufs_announced == before + 2);
	frame_done(v, seq);
	struct stat ours, theirs;
	fstat(other, &ours);
	CHECK(last_dmabuf_fd >= 0 && fstat(last_dmabuf_fd, &theirs) == 0 &&
	      ours.st_ino == theirs.st_ino);
	close(fd);
	close(other);
	fprintf(stderr, "ok: ScanoutDMABUF of the same dma-buf announced once "
		"(memfd standing in for a dmabuf)\n");
}

static void
send_records(struct raw_viewer *v, uint32_t dev,
	     const struct proto_input_event *ev, uint32_t n)
{
	struct proto_input_event all[32];
	memcpy(all, ev, n * sizeof(*ev));
	all[n] = (struct proto_input_event){ EV_SYN, SYN_REPORT, 0 };
	proto_send_input(v->fd, dev, all, n + 1);
}

#define REC(t, c, v) ((struct proto_input_event){ (t), (c), (uint32_t)(v) })

/* The shim's QEMU_KEY_INTERVAL_MS, and what delivery may take off it. */
#define KEY_GAP_MIN_US 10000
#define KEY_GAP_SLACK_US 2000
/* The first call of a run can itself arrive late (under ASan one came
 * 3.1 ms late: gaps 6.90 10.92 10.92 ...), which shortens the first gap
 * with nothing before it to show the lateness. A burst's gaps are
 * under 0.5 ms, so this still fails one. */
#define KEY_FIRST_LATE_US 5000

static void
case_input(struct raw_viewer *v)
{
	/* Keys: qnum; a burst goes out paced and in order. */
	guint m = fake_calls_mark();
	uint16_t codes[] = { KEY_A, KEY_RIGHTCTRL, KEY_UP, KEY_Z };
	struct proto_input_event burst[8];
	for (int i = 0; i < 4; i++) {
		burst[2 * i] = REC(EV_KEY, codes[i], 1);
		burst[2 * i + 1] = REC(EV_KEY, codes[i], 0);
	}
	send_records(v, keyboard_id, burst, 8);
	const char *want[] = { "Keyboard.Press (30,)", "Keyboard.Release (30,)",
		"Keyboard.Press (157,)", "Keyboard.Release (157,)",
		"Keyboard.Press (200,)", "Keyboard.Release (200,)",
		"Keyboard.Press (44,)", "Keyboard.Release (44,)" };
	int at = (int)m - 1, index[8];
	for (int i = 0; i < 8; i++) {
		int got = fake_wait_call((guint)at + 1, want[i]);
		CHECK(got > at);
		if (got <= at)
			return;
		index[i] = at = got;
	}
	/* One call per QEMU_KEY_INTERVAL_MS (10): every gap, not only their
	 * sum, so that pairs sent together with longer pauses between
	 * cannot pass. A gap is timed at arrival here, on the fake's
	 * thread, so one call delivered late shortens the next gap by as
	 * much: that lateness and KEY_GAP_SLACK_US allow for delivery
	 * jitter (here the gaps measure 10.4-14 ms; under ASan on a loaded
	 * machine one measured 17.86 then 6.92), and the calls' arrival k gaps after the
	 * first must still be 10 k ms later, less the same slack. */
	int64_t gap_us[7];
	g_mutex_lock(&fake.lock);
	for (int i = 0; i < 7; i++) {
		gap_us[i] = g_array_index(fake.call_us, int64_t, index[i + 1]) -
			    g_array_index(fake.call_us, int64_t, index[i]);
	}
	g_mutex_unlock(&fake.lock);
	fprintf(stderr, "gaps between the 8 key calls (ms):");
	for (int i = 0; i < 7; i++)
		fprintf(stderr, " %.2f", (double)gap_us[i] / 1000);
	fprintf(stderr, "\n");
	int64_t since_first = 0;
	for (int i = 0; i < 7; i++) {
		/* A call that arrived late (the gap before it longer than
		 * 10 ms) shortens this gap by at most that lateness; the
		 * first gap's credit is KEY_FIRST_LATE_US. */
		int64_t late_us = i == 0 ? KEY_FIRST_LATE_US :
				  gap_us[i - 1] > KEY_GAP_MIN_US ?
				  gap_us[i - 1] - KEY_GAP_MIN_US : 0;
		CHECK(gap_us[i] + late_us >= KEY_GAP_MIN_US - KEY_GAP_SLACK_US,
		      "gap %d between key calls: %.2f ms, under 10 ms (less "
		      "%d us slack, plus %.2f ms the call before came late)",
		      i + 1, (double)gap_us[i] / 1000, KEY_GAP_SLACK_US,
		      (double)late_us / 1000);
		since_first += gap_us[i];
		CHECK(since_first >= (i + 1) * KEY_GAP_MIN_US -
				     KEY_GAP_SLACK_US - KEY_FIRST_LATE_US,
		      "key call %d came %.2f ms after the first", i + 2,
		      (double)since_first / 1000);
	}

	/* Relative mouse: motion, buttons, wheel. */
	CHECK(pointer_kind == PROTO_DEVICE_MOUSE);
	m = fake_calls_mark();
	struct proto_input_event rel[] = { REC(EV_REL, REL_X, 5),
					   REC(EV_REL, REL_Y, -3) };
	send_records(v, pointer_id, rel, 2);
	CHECK(fake_wait_call(m, "Mouse.RelMotion (5, -3)") >= 0);
	struct { uint16_t code; const char *press, *release; } btn[] = {
		{ BTN_LEFT, "Mouse.Press (0,)", "Mouse.Release (0,)" },
		{ BTN_MIDDLE, "Mouse.Press (1,)", "Mouse.Release (1,)" },
		{ BTN_RIGHT, "Mouse.Press (2,)", "Mouse.Release (2,)" },
		{ BTN_SIDE, "Mouse.Press (5,)", "Mouse.Release (5,)" },
		{ BTN_EXTRA, "Mouse.Press (6,)", "Mouse.Release (6,)" },
	};
	for (size_t i = 0; i < 5; i++) {
		m = fake_calls_mark();
		send_records(v, pointer_id, &REC(EV_KEY, btn[i].code, 1), 1);
		send_records(v, pointer_id, &REC(EV_KEY, btn[i].code, 0), 1);
		int p = fake_wait_call(m, btn[i].press);
		CHECK(p >= 0 && fake_wait_call((guint)p, btn[i].release) > p);
	}
	m = fake_calls_mark();
	send_records(v, pointer_id, &REC(EV_REL, REL_WHEEL, 1), 1);
	int p = fake_wait_call(m, "Mouse.Press (3,)");
	CHECK(p >= 0 && fake_wait_call((guint)p, "Mouse.Release (3,)") > p);
	m = fake_calls_mark();
	send_records(v, pointer_id, &REC(EV_REL, REL_WHEEL, -1), 1);
	p = fake_wait_call(m, "Mouse.Press (4,)");
	CHECK(p >= 0 && fake_wait_call((guint)p, "Mouse.Release (4,)") > p);

	/* IsAbsolute flips: the viewer's mouse is replaced by a tablet. */
	uint32_t old_pointer = pointer_id;
	g_mutex_lock(&fake.lock);
	fake.absolute = true;
	g_mutex_unlock(&fake.lock);
	GVariantBuilder changed;
	g_variant_builder_init(&changed, G_VARIANT_TYPE("a{sv}"));
	g_variant_builder_add(&changed, "{sv}", "IsAbsolute",
			      g_variant_new_boolean(TRUE));
	g_dbus_connection_emit_signal(fake.control, NULL, PATH_CONSOLE,
		"org.freedesktop.DBus.Properties", "PropertiesChanged",
		g_variant_new("(sa{sv}as)", "org.qemu.Display1.Mouse",
			      &changed, NULL), NULL);
	bool removed = false;
	int64_t end = fake_now_ms() + TIMEOUT_MS;
	while ((!removed || pointer_id == old_pointer) && fake_now_ms() < end) {
		if (raw_viewer_recv(v, 500) != PROTO_IO_OK)
			continue;
		uint32_t type = proto_packet_type(v->pkt);
		if (type == PROTO_INPUT_DEVICE_REMOVED) {
			const struct proto_input_device_removed *r = raw_body(v);
			removed |= r->device_id == old_pointer;
		} else if (type == PROTO_INPUT_DEVICE) {
			const struct proto_input_device *d = raw_body(v);
			if (d->kind == PROTO_DEVICE_TABLET) {
				pointer_id = d->device_id;
				pointer_kind = d->kind;
				CHECK(d->abs_bits & (1ull << ABS_X));
			}
		}
	}
	CHECK(removed);
	REQUIRE(pointer_kind == PROTO_DEVICE_TABLET &&
		pointer_id != old_pointer);
	m = fake_calls_mark();
	struct proto_input_event abs1[] = { REC(EV_ABS, ABS_X, 32767),
					    REC(EV_ABS, ABS_Y, 0) };
	send_records(v, pointer_id, abs1, 2);
	CHECK(fake_wait_call(m, "Mouse.SetAbsPosition (319, 0)") >= 0);
	struct proto_input_event abs2[] = { REC(EV_ABS, ABS_X, 16384),
					    REC(EV_ABS, ABS_Y, 32767),
					    REC(EV_KEY, BTN_LEFT, 1) };
	send_records(v, pointer_id, abs2, 3);
	p = fake_wait_call(m, "Mouse.SetAbsPosition (160, 239)");
	CHECK(p >= 0 && fake_wait_call((guint)p, "Mouse.Press (0,)") > p);

	/* Touch: slots, kinds Begin/Update/End, console pixels. */
	REQUIRE(touch_id != 0);
	m = fake_calls_mark();
	struct proto_input_event t1[] = {
		REC(EV_ABS, ABS_MT_SLOT, 0), REC(EV_ABS, ABS_MT_TRACKING_ID, 7),
		REC(EV_ABS, ABS_MT_POSITION_X, 32767),
		REC(EV_ABS, ABS_MT_POSITION_Y, 16384),
		REC(EV_ABS, ABS_MT_SLOT, 1), REC(EV_ABS, ABS_MT_TRACKING_ID, 8),
		REC(EV_ABS, ABS_MT_POSITION_X, 0),
		REC(EV_ABS, ABS_MT_POSITION_Y, 0) };
	send_records(v, touch_id, t1, 8);
	CHECK(fake_wait_call(m, "MultiTouch.SendEvent (0, 0, 319.0, 120.0)") >= 0);
	CHECK(fake_wait_call(m, "MultiTouch.SendEvent (0, 1, 0.0, 0.0)") >= 0);
	m = fake_calls_mark();
	struct proto_input_event t2[] = {
		REC(EV_ABS, ABS_MT_SLOT, 0),
		REC(EV_ABS, ABS_MT_POSITION_X, 0) };
	send_records(v, touch_id, t2, 2);
	CHECK(fake_wait_call(m, "MultiTouch.SendEvent (1, 0, 0.0, 120.0)") >= 0);
	m = fake_calls_mark();
	struct proto_input_event t3[] = {
		REC(EV_ABS, ABS_MT_SLOT, 1),
		REC(EV_ABS, ABS_MT_TRACKING_ID, -1) };
	send_records(v, touch_id, t3, 2);
	CHECK(fake_wait_call(m, "MultiTouch.SendEvent (2, 1, 0.0, 0.0)") >= 0);
	fprintf(stderr, "ok: keys, mouse, IsAbsolute flip, touch\n");
}

/* Tells the shim that Mouse.IsAbsolute is now absolute. */
static void
flip_absolute(bool absolute)
{
	g_mutex_lock(&fake.lock);
	fake.absolute = absolute;
	g_mutex_unlock(&fake.lock);
	fake_emit_changed("org.qemu.Display1.Mouse", "IsAbsolute",
			  g_variant_new_boolean(absolute));
}

/* One motion record to a pointer of that kind. */
static void
send_motion(struct raw_viewer *v, uint32_t dev, uint32_t kind, int32_t n)
{
	if (kind == PROTO_DEVICE_TABLET)
		send_records(v, dev, &REC(EV_ABS, ABS_X, (n * 997) & 0x7fff), 1);
	else
		send_records(v, dev, &REC(EV_REL, REL_X, 1), 1);
}

/* Mouse.IsAbsolute flips back and forth (the bridge removes the pointer
 * and announces another each time) while the viewer streams motion to
 * the pointer it knows, as a user moving the mouse does. The records
 * that cross an INPUT_DEVICE_REMOVED reach a removed id: the server
 * ignores them (PROTOCOL.md, Input) and the viewer stays connected. */
static void
case_flip_while_streaming(struct raw_viewer *v)
{
	int sent = 0, crossed = 0;
	for (int flip = 0; flip < 5; flip++) {
		uint32_t old = pointer_id, old_kind = pointer_kind;
		flip_absolute(old_kind != PROTO_DEVICE_TABLET);
		bool removed = false;
		int64_t end = fake_now_ms() + TIMEOUT_MS;
		while ((!removed || pointer_id == old) && fake_now_ms() < end) {
			/* Until the viewer reads the removal its records go
			 * to the old id; after it, a few more were in flight. */
			send_motion(v, old, old_kind, sent++);
			crossed += removed;
			enum proto_io io = raw_viewer_recv(v, 2);
			if (io == PROTO_IO_AGAIN)
				continue;
			REQUIRE(io == PROTO_IO_OK);
			uint32_t type = proto_packet_type(v->pkt);
			if (type == PROTO_ERROR) {
				const struct proto_error_msg *e = raw_body(v);
				fprintf(stderr, "ERROR %s: %s\n",
					proto_error_name(e->code),
					(const char *)(e + 1));
				CHECK(!"an ERROR during the flips");
				return;
			} else if (type == PROTO_INPUT_DEVICE_REMOVED) {
				const struct proto_input_device_removed *r =
					raw_body(v);
				removed |= r->device_id == old;
			} else if (type == PROTO_INPUT_DEVICE) {
				const struct proto_input_device *d = raw_body(v);
				if (d->kind == PROTO_DEVICE_TABLET ||
				    d->kind == PROTO_DEVICE_MOUSE) {
					pointer_id = d->device_id;
					pointer_kind = d->kind;
				}
			}
		}
		REQUIRE(removed && pointer_id != old);
		for (int i = 0; i < 3; i++, crossed++)
			send_motion(v, old, old_kind, sent++);
	}
	fprintf(stderr, "5 flips: %d motion records sent, %d of them to a "
		"pointer already removed\n", sent, crossed);
	CHECK(crossed >= 15);
	REQUIRE(proto_send_ping(v->fd, 4242));
	REQUIRE(raw_viewer_skip_to(v, PROTO_PONG, TIMEOUT_MS));
	CHECK(((const struct proto_ping *)raw_body(v))->serial == 4242);

	/* Five flips from the tablet: a mouse, which still moves QEMU's
	 * pointer; motion that sums past INT32_MAX saturates. */
	REQUIRE(pointer_kind == PROTO_DEVICE_MOUSE);
	guint m = fake_calls_mark();
	struct proto_input_event far[] = { REC(EV_REL, REL_X, INT32_MAX),
					   REC(EV_REL, REL_X, INT32_MAX),
					   REC(EV_REL, REL_Y, INT32_MIN),
					   REC(EV_REL, REL_Y, -1) };
	send_records(v, pointer_id, far, 4);
	CHECK(fake_wait_call(m,
		"Mouse.RelMotion (2147483647, -2147483648)") >= 0);
	m = fake_calls_mark();
	send_records(v, pointer_id, &REC(EV_REL, REL_WHEEL, INT32_MIN), 1);
	int p = fake_wait_call(m, "Mouse.Press (4,)");
	CHECK(p >= 0 && fake_wait_call((guint)p, "Mouse.Release (4,)") > p);
	fprintf(stderr, "ok: IsAbsolute flips while streaming motion\n");
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s EGLVIEW-SHIM\n", argv[0]);
		return 2;
	}
	char dir[] = "/tmp/eglview-fake-qemu-XXXXXX";
	if (mkdtemp(dir) == NULL)
		return 1;
	char qmp[96], vm[96], record[96];
	snprintf(qmp, sizeof(qmp), "%s/qmp.sock", dir);
	snprintf(vm, sizeof(vm), "%s/vm.sock", dir);
	snprintf(record, sizeof(record), "%s/record.txt", dir);
	fake.modifiers = 2; /* Num Lock on: SeaBIOS's default */
	if (!fake_qemu_start(qmp))
		return 1;

	pid_t shim = fork();
	if (shim == 0) {
		execl(argv[1], argv[1], "--source", "qemu", "--verbose",
		      "--record-input", record, "--qmp", qmp, vm, (char *)NULL);
		_exit(127);
	}
	if (fake_wait_call(0, "RegisterListener") < 0) {
		kill(shim, SIGKILL);
		return 1;
	}
	fprintf(stderr, "the Listener's Interfaces: %s\n", fake.listener_ifaces);
	CHECK(strstr(fake.listener_ifaces,
		     "org.qemu.Display1.Listener.Unix.Map") != NULL);
	CHECK(strstr(fake.listener_ifaces,
		     "org.qemu.Display1.Listener.Unix.ScanoutDMABUF2") != NULL);

	struct raw_viewer v;
	bool connected = false;
	for (int i = 0; i < 100 && !connected; i++) {
		connected = raw_viewer_connect(&v, vm, NULL);
		if (!connected)
			g_usleep(20000);
	}
	if (!connected) {
		fprintf(stderr, "cannot connect to the shim at %s\n", vm);
		kill(shim, SIGKILL);
		return 1;
	}
	struct proto_format formats[] = {
		{ DRM_FORMAT_XRGB8888, PROTO_FORMAT_SHM | PROTO_FORMAT_DMABUF,
		  DRM_FORMAT_MOD_LINEAR },
		{ DRM_FORMAT_NV12, PROTO_FORMAT_DMABUF, I915_FORMAT_MOD_X_TILED },
	};
	proto_send_hello(v.fd, PROTO_FEATURE_SHM | PROTO_FEATURE_DMABUF |
			 PROTO_FEATURE_CURSOR | PROTO_FEATURE_INPUT,
			 "fake-qemu-test", formats, 2);
	case_map(&v, true);
	case_map(&v, false);
	case_dmabuf2_memfd_as_dmabuf(&v);
	case_dmabuf_same_buffer_memfd_as_dmabuf(&v);
	case_input(&v);
	/* --record-input: what the viewer sent, as the demo writes it. */
	char recorded[16384] = "";
	FILE *f = fopen(record, "r");
	if (f != NULL) {
		recorded[fread(recorded, 1, sizeof(recorded) - 1, f)] = '\0';
		fclose(f);
	}
	CHECK(strstr(recorded, "keyboard EV_KEY KEY_A 1\n") != NULL);
	CHECK(strstr(recorded, "keyboard EV_KEY KEY_Z 0\n") != NULL);
	CHECK(strstr(recorded, "EV_SYN SYN_REPORT 0\n") != NULL);
	fprintf(stderr, "ok: --record-input with --source qemu recorded %zu "
		"bytes\n", strlen(recorded));
	case_flip_while_streaming(&v);
	fake_case_leds(vm);
	fake_case_clipboard(vm);

	raw_viewer_close(&v);
	kill(shim, SIGTERM);
	waitpid(shim, NULL, 0);
	unlink(qmp);
	unlink(record);
	rmdir(dir);
	fprintf(stderr, "%s: %d check(s) failed\n", argv[0], test_failures);
	return test_failures == 0 ? 0 : 1;
}
