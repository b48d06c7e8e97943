/* SPDX-License-Identifier: MIT */
/*
 * Every message type, sent with its typed sender over a real
 * SOCK_SEQPACKET socketpair (fds as real memfds), received, validated
 * and compared field by field.
 */
#include <drm_fourcc.h>
#include <sys/stat.h>

#include "proto-test.h"

static int sv[2];
static struct proto_packet *pkt;

/* Receives on the far end, checks type and length and that the validator
 * accepts it from that side. */
static const void *
receive(uint32_t type, size_t body_len, enum proto_side from)
{
	test_recv_ok(sv[1], pkt);
	REQUIRE_EQ(proto_packet_type(pkt), type);
	REQUIRE_EQ(pkt->len, sizeof(struct proto_header) + body_len);
	REQUIRE_EQ(proto_packet_header(pkt)->length, pkt->len);
	char why[256] = "";
	enum proto_error e = proto_validate(pkt, from, why, sizeof(why));
	if (e != PROTO_ERR_NONE)
		fprintf(stderr, "validate %s: %s\n", proto_type_name(type), why);
	REQUIRE_EQ(e, PROTO_ERR_NONE);
	/* The other side may not send it unless it is a common type. */
	enum proto_side other = from == PROTO_FROM_SERVER ?
		PROTO_FROM_VIEWER : PROTO_FROM_SERVER;
	bool common = (type & 0xff00) == 0;
	/* A HELLO with formats is a viewer's: a server's lists none. */
	bool formats = type == PROTO_HELLO &&
		       body_len > sizeof(struct proto_hello);
	REQUIRE_EQ(proto_validate(pkt, other, why, sizeof(why)),
		   !common ? PROTO_ERR_UNEXPECTED :
		   formats && other == PROTO_FROM_SERVER ? PROTO_ERR_BAD_VALUE :
		   PROTO_ERR_NONE);
	return proto_packet_body(pkt);
}

static void
check_same_file(int a, int b)
{
	struct stat sa, sb;
	REQUIRE(fstat(a, &sa) == 0);
	REQUIRE(fstat(b, &sb) == 0);
	REQUIRE_EQ(sa.st_dev, sb.st_dev);
	REQUIRE_EQ(sa.st_ino, sb.st_ino);
	REQUIRE(a != b);
	/* MSG_CMSG_CLOEXEC: a received fd must not leak into children. */
	REQUIRE(fcntl(b, F_GETFD) & FD_CLOEXEC);
}

static void
test_hello(void)
{
	struct proto_format formats[3] = {
		{ DRM_FORMAT_XRGB8888, PROTO_FORMAT_SHM | PROTO_FORMAT_DMABUF,
		  DRM_FORMAT_MOD_LINEAR },
		{ DRM_FORMAT_ARGB8888, PROTO_FORMAT_SHM, DRM_FORMAT_MOD_LINEAR },
		{ DRM_FORMAT_NV12, PROTO_FORMAT_EXTERNAL_ONLY | PROTO_FORMAT_DMABUF,
		  I915_FORMAT_MOD_X_TILED },
	};
	REQUIRE(proto_send_hello(sv[0], PROTO_FEATURE_SHM | PROTO_FEATURE_INPUT,
				 "qemu-eglview", formats, 3));
	const struct proto_hello *h = receive(PROTO_HELLO,
		sizeof(*h) + sizeof(formats), PROTO_FROM_VIEWER);
	REQUIRE(memcmp(h->magic, PROTO_MAGIC, 8) == 0);
	REQUIRE_EQ(h->major, PROTO_VERSION_MAJOR);
	REQUIRE_EQ(h->minor, PROTO_VERSION_MINOR);
	REQUIRE_EQ(h->features, PROTO_FEATURE_SHM | PROTO_FEATURE_INPUT);
	REQUIRE_STR(h->name, "qemu-eglview");
	REQUIRE_EQ(h->n_formats, 3);
	const struct proto_format *f = (const void *)(h + 1);
	for (int i = 0; i < 3; i++) {
		REQUIRE_EQ(f[i].fourcc, formats[i].fourcc);
		REQUIRE_EQ(f[i].flags, formats[i].flags);
		REQUIRE(f[i].modifier == formats[i].modifier);
	}

	/* A server's HELLO has no formats; a long name is cut, not overrun. */
	char long_name[200];
	memset(long_name, 'v', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	REQUIRE(proto_send_hello(sv[0], PROTO_FEATURE_CURSOR, long_name, NULL, 0));
	h = receive(PROTO_HELLO, sizeof(*h), PROTO_FROM_SERVER);
	REQUIRE_EQ(strlen(h->name), PROTO_MAX_NAME - 1);
	REQUIRE_EQ(h->n_formats, 0);
}

static void
test_ping_pong(void)
{
	REQUIRE(proto_send_ping(sv[0], 0xdeadbeef));
	const struct proto_ping *p = receive(PROTO_PING, sizeof(*p),
					     PROTO_FROM_SERVER);
	REQUIRE_EQ(p->serial, 0xdeadbeef);
	REQUIRE(proto_send_pong(sv[0], 7));
	p = receive(PROTO_PONG, sizeof(*p), PROTO_FROM_VIEWER);
	REQUIRE_EQ(p->serial, 7);
}

static void
test_error_goodbye(void)
{
	REQUIRE(proto_send_error(sv[0], PROTO_ERR_BAD_VALUE, "width %d bad", 0));
	const char *expect = "width 0 bad";
	const struct proto_error_msg *m = receive(PROTO_ERROR,
		sizeof(*m) + strlen(expect) + 1, PROTO_FROM_SERVER);
	REQUIRE_EQ(m->code, PROTO_ERR_BAD_VALUE);
	REQUIRE_STR((const char *)(m + 1), expect);

	/* Text longer than the limit is cut to PROTO_MAX_TEXT - 1 chars. */
	char big[1000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	REQUIRE(proto_send_goodbye(sv[0], PROTO_BYE_SHUTDOWN, "%s", big));
	m = receive(PROTO_GOODBYE, sizeof(*m) + PROTO_MAX_TEXT,
		    PROTO_FROM_VIEWER);
	REQUIRE_EQ(m->code, PROTO_BYE_SHUTDOWN);
	REQUIRE_EQ(strlen((const char *)(m + 1)), PROTO_MAX_TEXT - 1);
}

static void
test_head_info(void)
{
	struct proto_head_info in = {
		.head_id = 2, .flags = PROTO_HEAD_ENABLED, .width = 1920,
		.height = 1080, .x = -1920, .y = 40, .name = "Virtual-2",
	};
	REQUIRE(proto_send_head_info(sv[0], &in));
	const struct proto_head_info *out = receive(PROTO_HEAD_INFO,
		sizeof(*out), PROTO_FROM_SERVER);
	REQUIRE_EQ(out->head_id, 2);
	REQUIRE_EQ(out->flags, PROTO_HEAD_ENABLED);
	REQUIRE_EQ(out->width, 1920);
	REQUIRE_EQ(out->height, 1080);
	REQUIRE_EQ(out->x, -1920);
	REQUIRE_EQ(out->y, 40);
	REQUIRE_STR(out->name, "Virtual-2");
}

static void
test_buffer_shm(void)
{
	int memfd = test_memfd("roundtrip-shm", 4096 + 64 * 256, true);
	struct proto_buffer_shm in = {
		.buffer_id = 5, .fourcc = DRM_FORMAT_XRGB8888, .width = 60,
		.height = 64, .stride = 256, .offset = 4096,
	};
	REQUIRE(proto_send_buffer_shm(sv[0], &in, memfd));
	const struct proto_buffer_shm *out = receive(PROTO_BUFFER_SHM,
		sizeof(*out), PROTO_FROM_SERVER);
	REQUIRE_EQ(out->buffer_id, 5);
	REQUIRE_EQ(out->fourcc, DRM_FORMAT_XRGB8888);
	REQUIRE_EQ(out->width, 60);
	REQUIRE_EQ(out->height, 64);
	REQUIRE_EQ(out->stride, 256);
	REQUIRE_EQ(out->offset, 4096);
	REQUIRE_EQ(pkt->n_fds, 1);
	check_same_file(memfd, pkt->fds[0]);
	char why[256];
	REQUIRE(proto_check_shm_fd(pkt->fds[0], out->offset, out->stride,
				   out->height, why, sizeof(why)));

	/* Bytes written through one fd are seen through the other. */
	REQUIRE(pwrite(memfd, "pixels", 6, 4096) == 6);
	char back[6];
	REQUIRE(pread(pkt->fds[0], back, 6, 4096) == 6);
	REQUIRE(memcmp(back, "pixels", 6) == 0);
	proto_packet_close_fds(pkt);
	REQUIRE_EQ(pkt->n_fds, 0);
	close(memfd);
}

static void
test_buffer_dmabuf(void)
{
	/* memfds stand in for the two planes of a linear NV12 dmabuf. */
	int planes[2] = {
		test_memfd("roundtrip-fake-dmabuf-y", 64 * 48, false),
		test_memfd("roundtrip-fake-dmabuf-uv", 64 * 24, false),
	};
	struct proto_buffer_dmabuf in = {
		.buffer_id = 9, .fourcc = DRM_FORMAT_NV12,
		.modifier = DRM_FORMAT_MOD_LINEAR, .width = 64, .height = 48,
		.n_planes = 2,
		.planes = { { 0, 64 }, { 0, 64 } },
	};
	REQUIRE(proto_send_buffer_dmabuf(sv[0], &in, planes));
	const struct proto_buffer_dmabuf *out = receive(PROTO_BUFFER_DMABUF,
		sizeof(*out), PROTO_FROM_SERVER);
	REQUIRE_EQ(out->buffer_id, 9);
	REQUIRE_EQ(out->fourcc, DRM_FORMAT_NV12);
	REQUIRE(out->modifier == DRM_FORMAT_MOD_LINEAR);
	REQUIRE_EQ(out->width, 64);
	REQUIRE_EQ(out->height, 48);
	REQUIRE_EQ(out->n_planes, 2);
	REQUIRE_EQ(out->planes[1].stride, 64);
	REQUIRE_EQ(pkt->n_fds, 2);
	char why[256];
	for (int i = 0; i < 2; i++) {
		check_same_file(planes[i], pkt->fds[i]);
		close(planes[i]);
	}
	REQUIRE(proto_check_dmabuf_fd(pkt->fds[0], 0, 64, 48, why, sizeof(why)));
	REQUIRE(proto_check_dmabuf_fd(pkt->fds[1], 0, 64, 24, why, sizeof(why)));
	/* The plane-1 memfd is 1536 bytes: too small for 48 full rows. */
	REQUIRE(!proto_check_dmabuf_fd(pkt->fds[1], 0, 64, 48, why, sizeof(why)));
	proto_packet_close_fds(pkt);
}

static void
test_small_messages(void)
{
	REQUIRE(proto_send_buffer_destroy(sv[0], 77));
	const struct proto_buffer_destroy *d = receive(PROTO_BUFFER_DESTROY,
		sizeof(*d), PROTO_FROM_SERVER);
	REQUIRE_EQ(d->buffer_id, 77);

	struct proto_scanout s = {
		.head_id = 1, .buffer_id = 5, .flags = PROTO_SCANOUT_Y0_TOP,
		.x = 10, .y = 20, .width = 30, .height = 40,
	};
	REQUIRE(proto_send_scanout(sv[0], &s));
	const struct proto_scanout *so = receive(PROTO_SCANOUT, sizeof(*so),
						 PROTO_FROM_SERVER);
	REQUIRE(memcmp(so, &s, sizeof(s)) == 0);

	struct proto_cursor_pos pos = { .head_id = 3, .x = -4, .y = 700,
					.visible = 1 };
	REQUIRE(proto_send_cursor_pos(sv[0], &pos));
	const struct proto_cursor_pos *po = receive(PROTO_CURSOR_POS,
		sizeof(*po), PROTO_FROM_SERVER);
	REQUIRE_EQ(po->head_id, 3);
	REQUIRE_EQ(po->x, -4);
	REQUIRE_EQ(po->y, 700);
	REQUIRE_EQ(po->visible, 1);

	REQUIRE(proto_send_input_device_removed(sv[0], 12));
	const struct proto_input_device_removed *r = receive(
		PROTO_INPUT_DEVICE_REMOVED, sizeof(*r), PROTO_FROM_SERVER);
	REQUIRE_EQ(r->device_id, 12);

	REQUIRE(proto_send_frame_done(sv[0], 1, 42, 123456789012345ull));
	const struct proto_frame_done *fd = receive(PROTO_FRAME_DONE,
		sizeof(*fd), PROTO_FROM_VIEWER);
	REQUIRE_EQ(fd->head_id, 1);
	REQUIRE_EQ(fd->seq, 42);
	REQUIRE(fd->presented_ns == 123456789012345ull);
}

static void
test_update(void)
{
	struct proto_rect rects[PROTO_MAX_DAMAGE_RECTS];
	for (uint32_t i = 0; i < PROTO_MAX_DAMAGE_RECTS; i++)
		rects[i] = (struct proto_rect){ i * 10, i, 10, 16384 - i };
	REQUIRE(proto_send_update(sv[0], 4, 1000, rects, PROTO_MAX_DAMAGE_RECTS));
	const struct proto_update *u = receive(PROTO_UPDATE,
		sizeof(*u) + sizeof(rects), PROTO_FROM_SERVER);
	REQUIRE_EQ(u->head_id, 4);
	REQUIRE_EQ(u->seq, 1000);
	REQUIRE_EQ(u->n_rects, PROTO_MAX_DAMAGE_RECTS);
	REQUIRE(memcmp(u + 1, rects, sizeof(rects)) == 0);
}

static void
test_cursor_image(void)
{
	uint32_t pixels[PROTO_MAX_CURSOR_SIZE * PROTO_MAX_CURSOR_SIZE];
	for (size_t i = 0; i < sizeof(pixels) / 4; i++)
		pixels[i] = 0xff000000u | (uint32_t)i;
	struct proto_cursor_image c = {
		.head_id = 1, .width = 128, .height = 128, .hot_x = 3, .hot_y = 127,
	};
	REQUIRE(proto_send_cursor_image(sv[0], &c, pixels));
	const struct proto_cursor_image *out = receive(PROTO_CURSOR_IMAGE,
		sizeof(*out) + sizeof(pixels), PROTO_FROM_SERVER);
	REQUIRE_EQ(out->width, 128);
	REQUIRE_EQ(out->height, 128);
	REQUIRE_EQ(out->hot_x, 3);
	REQUIRE_EQ(out->hot_y, 127);
	REQUIRE(memcmp(out + 1, pixels, sizeof(pixels)) == 0);

	/* width 0: no cursor, no pixels. */
	c = (struct proto_cursor_image){ .head_id = 1 };
	REQUIRE(proto_send_cursor_image(sv[0], &c, NULL));
	out = receive(PROTO_CURSOR_IMAGE, sizeof(*out), PROTO_FROM_SERVER);
	REQUIRE_EQ(out->width, 0);
}

static void
test_input(void)
{
	struct proto_input_device dev = {
		.device_id = 2, .kind = PROTO_DEVICE_TABLET, .name = "tablet",
		.ev_bits = 1u << 0 | 1u << 1 | 1u << 3,
		.abs_bits = 1u << 0 | 1u << 1, .n_abs = 2,
	};
	dev.key_bits[0x110 / 8] |= 1u << (0x110 % 8);
	struct proto_abs_axis axes[2] = {
		{ 0, 0, 32767, 0, 0, 0 }, { 1, 0, 32767, 1, 2, 3 },
	};
	REQUIRE(proto_send_input_device(sv[0], &dev, axes));
	const struct proto_input_device *d = receive(PROTO_INPUT_DEVICE,
		sizeof(*d) + sizeof(axes), PROTO_FROM_SERVER);
	REQUIRE(memcmp(d, &dev, sizeof(dev)) == 0);
	const struct proto_abs_axis *a = (const void *)(d + 1);
	REQUIRE_EQ(a[1].code, 1);
	REQUIRE_EQ(a[1].max, 32767);
	REQUIRE_EQ(a[1].fuzz, 1);
	REQUIRE_EQ(a[1].flat, 2);
	REQUIRE_EQ(a[1].resolution, 3);

	struct proto_input_event ev[3] = {
		{ 3, 0, 16384 }, { 3, 1, (uint32_t)-5 }, { 0, 0, 0 },
	};
	REQUIRE(proto_send_input(sv[0], 2, ev, 3));
	const struct proto_input *in = receive(PROTO_INPUT,
		sizeof(*in) + sizeof(ev), PROTO_FROM_VIEWER);
	REQUIRE_EQ(in->device_id, 2);
	REQUIRE_EQ(in->n_events, 3);
	const struct proto_input_event *e = (const void *)(in + 1);
	REQUIRE_EQ(e[0].value, 16384);
	REQUIRE_EQ((int32_t)e[1].value, -5);
	REQUIRE_EQ(e[2].type, 0);
}

static void
test_senders_refuse(void)
{
	/* Too many fds or an oversized message never reach the socket. */
	int fds[5] = { 0, 0, 0, 0, 0 };
	errno = 0;
	REQUIRE(!proto_send_msg(sv[0], PROTO_PING, NULL, 0, NULL, 0, fds, 5));
	REQUIRE_EQ(errno, EINVAL);
	static char big[PROTO_MAX_MSG_SIZE];
	REQUIRE(!proto_send_msg(sv[0], PROTO_PING, big, sizeof(big) - 7, NULL, 0,
				NULL, 0));
	REQUIRE_EQ(errno, EMSGSIZE);
	/* The largest allowed message goes through whole. */
	REQUIRE(proto_send_msg(sv[0], 0x7777, big, sizeof(big) - 8, NULL, 0,
			       NULL, 0));
	test_recv_ok(sv[1], pkt);
	REQUIRE_EQ(pkt->len, PROTO_MAX_MSG_SIZE);
	char why[256];
	/* An unknown type passes the validator; callers skip it. */
	REQUIRE_EQ(proto_validate(pkt, PROTO_FROM_SERVER, why, sizeof(why)),
		   PROTO_ERR_NONE);
	REQUIRE(!proto_type_known(0x7777));
}

int
main(void)
{
	pkt = test_packet_new();
	test_socketpair(sv);
	int fds_before = test_count_fds();

	test_hello();
	test_ping_pong();
	test_error_goodbye();
	test_head_info();
	test_buffer_shm();
	test_buffer_dmabuf();
	test_small_messages();
	test_update();
	test_cursor_image();
	test_input();
	test_senders_refuse();

	/* Nothing left in flight, no fd leaked. */
	REQUIRE(fcntl(sv[1], F_SETFL, O_NONBLOCK) == 0);
	char why[256];
	REQUIRE_EQ(proto_recv(sv[1], pkt, why, sizeof(why)), PROTO_IO_AGAIN);
	REQUIRE_EQ(test_count_fds(), fds_before);
	close(sv[0]);
	REQUIRE_EQ(proto_recv(sv[1], pkt, why, sizeof(why)), PROTO_IO_EOF);
	close(sv[1]);
	free(pkt);
	test_done("roundtrip");
	return 0;
}
