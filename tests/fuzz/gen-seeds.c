/* SPDX-License-Identifier: MIT */
/*
 * Writes the seed corpus of the fuzz targets: well-formed conversations in
 * the record format of fuzz-stream.h, so that the fuzzers start past the
 * handshake. Usage: gen-seeds DIR (writes DIR/validate, DIR/server and
 * DIR/client; tests/fuzz/corpus holds its output).
 */
#include <errno.h>
#include <linux/input-event-codes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <drm_fourcc.h>

#include "fuzz-stream.h"
#include "proto.h"

#define W 64
#define H 48

struct seed {
	uint8_t data[1 << 16];
	size_t len;
};

static void
put(struct seed *s, const void *p, size_t n)
{
	if (s->len + n > sizeof(s->data))
		abort();
	memcpy(s->data + s->len, p, n);
	s->len += n;
}

static void
put_le(struct seed *s, uint32_t v, int bytes)
{
	for (int i = 0; i < bytes; i++) {
		uint8_t b = (uint8_t)(v >> (8 * i));
		put(s, &b, 1);
	}
}

/* A packet record: fds of kind, memfd size where the kind takes one. */
static void
packet(struct seed *s, int n_fds, enum fuzz_fd_kind kind, uint32_t memfd_size,
       uint32_t type, const void *body, size_t body_len)
{
	put_le(s, 0, 1);
	put_le(s, (uint32_t)n_fds | (uint32_t)kind << 3, 1);
	put_le(s, (uint32_t)(sizeof(struct proto_header) + body_len), 3);
	if (n_fds > 0 && (kind == FUZZ_FD_SEALED_MEMFD ||
			  kind == FUZZ_FD_UNSEALED_MEMFD ||
			  kind == FUZZ_FD_SHRINK_ONLY))
		put_le(s, memfd_size, 3);
	struct proto_header h = { type, (uint32_t)(sizeof(h) + body_len) };
	put(s, &h, sizeof(h));
	put(s, body, body_len);
}

static void
msg(struct seed *s, uint32_t type, const void *body, size_t body_len)
{
	packet(s, 0, FUZZ_FD_SEALED_MEMFD, 0, type, body, body_len);
}

static void
action(struct seed *s, uint8_t what, uint32_t arg)
{
	put_le(s, FUZZ_OP_ACTION | what, 1);
	put_le(s, arg, 4);
}

static void
save(const char *dir, const char *name, const struct seed *s)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (f == NULL || fwrite(s->data, 1, s->len, f) != s->len || fclose(f) != 0) {
		fprintf(stderr, "gen-seeds: cannot write %s: %s\n", path,
			strerror(errno));
		exit(1);
	}
}

static void
make_dir(const char *path)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "gen-seeds: cannot create %s: %s\n", path,
			strerror(errno));
		exit(1);
	}
}

static void
hello(struct seed *s, bool from_viewer)
{
	struct {
		struct proto_hello h;
		struct proto_format f[2];
	} m = { .h = { .magic = PROTO_MAGIC, .major = PROTO_VERSION_MAJOR,
		       .features = 15 } };
	snprintf(m.h.name, sizeof(m.h.name), from_viewer ? "fuzz-viewer" : "vm");
	m.h.n_formats = from_viewer ? 2 : 0;
	m.f[0] = (struct proto_format){ DRM_FORMAT_XRGB8888, PROTO_FORMAT_SHM,
					DRM_FORMAT_MOD_LINEAR };
	m.f[1] = (struct proto_format){ DRM_FORMAT_XRGB8888, PROTO_FORMAT_DMABUF,
					DRM_FORMAT_MOD_LINEAR };
	msg(s, PROTO_HELLO, &m, sizeof(m.h) + m.h.n_formats * sizeof(m.f[0]));
}

static void
input(struct seed *s, uint32_t device, uint16_t type, uint16_t code,
      int32_t value)
{
	struct {
		struct proto_input in;
		struct proto_input_event ev[2];
	} m = { { device, 2 }, { { type, code, (uint32_t)value },
				 { EV_SYN, SYN_REPORT, 0 } } };
	msg(s, PROTO_INPUT, &m, sizeof(m));
}

static void
frame_done(struct seed *s, uint32_t seq)
{
	struct proto_frame_done m = { .head_id = 1, .seq = seq };
	msg(s, PROTO_FRAME_DONE, &m, sizeof(m));
}

static void
server_seeds(const char *dir)
{
	static struct seed s;
	s.len = 0;
	hello(&s, true);
	frame_done(&s, 1);
	action(&s, 0, 0x00a0c0c2);
	frame_done(&s, 2);
	input(&s, 1, EV_KEY, KEY_A, 1);
	input(&s, 2, EV_ABS, ABS_X, 16000);
	msg(&s, PROTO_PING, &(struct proto_ping){ .serial = 7 }, sizeof(struct proto_ping));
	action(&s, 1, 0);
	action(&s, 0, 1);
	frame_done(&s, 3);
	save(dir, "conversation", &s);

	s.len = 0;
	hello(&s, true);
	action(&s, 8, 0);
	for (int i = 0; i < 40; i++)
		action(&s, 0, (uint32_t)i << 1);
	save(dir, "stops-reading", &s);

	s.len = 0;
	hello(&s, true);
	action(&s, 2, 1);
	action(&s, 3, 100 | 80 << 16);
	action(&s, 4, 0);
	action(&s, 4, 1);
	action(&s, 5, 8);
	action(&s, 6, 5);
	action(&s, 10, 0x2020);
	action(&s, 7, 0);
	input(&s, 4, EV_ABS, ABS_Y, 5);
	save(dir, "source-changes", &s);

	s.len = 0;
	hello(&s, true);
	packet(&s, 1, FUZZ_FD_SEALED_MEMFD, 4096, PROTO_PING,
	       &(struct proto_ping){ .serial = 1 }, sizeof(struct proto_ping));
	save(dir, "fd-on-ping", &s);

	s.len = 0;
	hello(&s, true);
	msg(&s, 0x0777, "later minor", 12);
	hello(&s, true);
	save(dir, "unknown-then-second-hello", &s);

	s.len = 0;
	hello(&s, true);
	action(&s, 9, 0);
	save(dir, "goodbye", &s);
}

static void
shm_buffer(struct seed *s, uint32_t id, enum fuzz_fd_kind kind, uint32_t size)
{
	struct proto_buffer_shm m = {
		.buffer_id = id, .fourcc = DRM_FORMAT_XRGB8888, .width = W,
		.height = H, .stride = W * 4,
	};
	packet(s, 1, kind, size, PROTO_BUFFER_SHM, &m, sizeof(m));
}

static void
show(struct seed *s, uint32_t buffer_id, uint32_t seq)
{
	struct proto_scanout so = { .head_id = 1, .buffer_id = buffer_id,
				    .flags = PROTO_SCANOUT_Y0_TOP,
				    .width = W, .height = H };
	msg(s, PROTO_SCANOUT, &so, sizeof(so));
	struct {
		struct proto_update u;
		struct proto_rect r[2];
	} up = { { 1, seq, 2, 0 }, { { 0, 0, W, H }, { 3, 4, 5, 6 } } };
	msg(s, PROTO_UPDATE, &up, sizeof(up));
	action(s, 0, seq);
}

static void
client_start(struct seed *s)
{
	s->len = 0;
	hello(s, false);
	struct proto_head_info head = { .head_id = 1, .flags = PROTO_HEAD_ENABLED,
					.width = W, .height = H, .name = "Virtual-1" };
	msg(s, PROTO_HEAD_INFO, &head, sizeof(head));
}

static void
client_seeds(const char *dir)
{
	static struct seed s;
	client_start(&s);
	shm_buffer(&s, 1, FUZZ_FD_SEALED_MEMFD, W * H * 4);
	show(&s, 1, 1);
	shm_buffer(&s, 2, FUZZ_FD_SEALED_MEMFD, W * H * 4 + 4096);
	show(&s, 2, 2);
	msg(&s, PROTO_BUFFER_DESTROY, &(struct proto_buffer_destroy){ .buffer_id = 1 },
	    sizeof(struct proto_buffer_destroy));
	struct {
		struct proto_cursor_image c;
		uint32_t px[4];
	} cur = { { .head_id = 1, .width = 2, .height = 2 },
		  { 0xffffffff, 0, 0, 0xff000000 } };
	msg(&s, PROTO_CURSOR_IMAGE, &cur, sizeof(cur));
	struct proto_cursor_pos pos = { 1, 10, 10, 1 };
	msg(&s, PROTO_CURSOR_POS, &pos, sizeof(pos));
	msg(&s, PROTO_PING, &(struct proto_ping){ .serial = 3 }, sizeof(struct proto_ping));
	save(dir, "shm-frames", &s);

	client_start(&s);
	struct {
		struct proto_input_device d;
		struct proto_abs_axis a[2];
	} tab = { .d = { .device_id = 5, .kind = PROTO_DEVICE_TABLET,
			 .name = "tablet", .ev_bits = 1u << EV_SYN | 1u << EV_ABS |
			 1u << EV_KEY, .n_abs = 2, .abs_bits = 3 },
		  .a = { { ABS_X, 0, 32767, 0, 0, 0 }, { ABS_Y, 0, 32767, 0, 0, 0 } } };
	msg(&s, PROTO_INPUT_DEVICE, &tab, sizeof(tab));
	struct proto_input_device_removed rm = { .device_id = 5 };
	msg(&s, PROTO_INPUT_DEVICE_REMOVED, &rm, sizeof(rm));
	struct proto_buffer_dmabuf db = {
		.buffer_id = 9, .fourcc = DRM_FORMAT_XRGB8888,
		.modifier = DRM_FORMAT_MOD_LINEAR, .width = W, .height = H,
		.n_planes = 1, .planes = { { 0, W * 4 } },
	};
	packet(&s, 1, FUZZ_FD_SEALED_MEMFD, W * H * 4, PROTO_BUFFER_DMABUF, &db,
	       sizeof(db));
	show(&s, 9, 1);
	save(dir, "devices-dmabuf", &s);

	/* Each of the fd kinds a server must not get away with. */
	static const enum fuzz_fd_kind bad[] = {
		FUZZ_FD_UNSEALED_MEMFD, FUZZ_FD_PIPE, FUZZ_FD_SOCKET,
		FUZZ_FD_DEV_NULL, FUZZ_FD_DIRECTORY, FUZZ_FD_TMPFILE,
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char name[32];
		client_start(&s);
		shm_buffer(&s, 1, bad[i], W * H * 4);
		show(&s, 1, 1);
		snprintf(name, sizeof(name), "bad-fd-%zu", i);
		save(dir, name, &s);
	}
	client_start(&s);
	shm_buffer(&s, 1, FUZZ_FD_SEALED_MEMFD, W * H * 4 - 1);
	show(&s, 1, 1);
	save(dir, "memfd-one-byte-short", &s);

	client_start(&s);
	const char bye[] = "done";
	struct {
		struct proto_error_msg m;
		char text[sizeof(bye)];
	} g = { { PROTO_BYE_QUIT, 0 }, "done" };
	msg(&s, PROTO_GOODBYE, &g, sizeof(g));
	save(dir, "goodbye", &s);
}

static uint32_t
header_type(const uint8_t *packet)
{
	struct proto_header h;
	memcpy(&h, packet, sizeof(h));
	return h.type;
}

/* One packet each, as proto_validate's input: u8 (side, fds), packet. */
static void
validate_seed(const char *dir, const char *name, bool from_viewer, int n_fds,
	      uint32_t type, const void *body, size_t len)
{
	static struct seed s;
	s.len = 0;
	put_le(&s, (from_viewer ? 1u : 0u) | (uint32_t)n_fds << 1, 1);
	struct proto_header h = { type, (uint32_t)(sizeof(h) + len) };
	put(&s, &h, sizeof(h));
	put(&s, body, len);
	save(dir, name, &s);
}

static void
validate_seeds(const char *dir)
{
	/* The packet bytes of each client seed message, one per file. */
	static struct seed conv;
	int n = 0;
	client_start(&conv);
	shm_buffer(&conv, 1, FUZZ_FD_SEALED_MEMFD, W * H * 4);
	show(&conv, 1, 1);
	struct fuzz_reader r = { conv.data, conv.len };
	struct fuzz_record rec;
	while (fuzz_next(&r, &rec)) {
		if (rec.is_action || rec.len < sizeof(struct proto_header))
			continue;
		char name[32];
		snprintf(name, sizeof(name), "server-%d", n++);
		validate_seed(dir, name, false, rec.n_fds,
			      header_type(rec.data),
			      rec.data + 8, rec.len - 8);
	}
	static struct seed v;
	v.len = 0;
	hello(&v, true);
	input(&v, 1, EV_KEY, KEY_A, 1);
	frame_done(&v, 1);
	r = (struct fuzz_reader){ v.data, v.len };
	n = 0;
	while (fuzz_next(&r, &rec)) {
		char name[32];
		snprintf(name, sizeof(name), "viewer-%d", n++);
		validate_seed(dir, name, true, 0,
			      header_type(rec.data),
			      rec.data + 8, rec.len - 8);
	}
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen-seeds DIR\n");
		return 2;
	}
	char path[256];
	make_dir(argv[1]);
	snprintf(path, sizeof(path), "%s/server", argv[1]);
	make_dir(path);
	server_seeds(path);
	snprintf(path, sizeof(path), "%s/client", argv[1]);
	make_dir(path);
	client_seeds(path);
	snprintf(path, sizeof(path), "%s/validate", argv[1]);
	make_dir(path);
	validate_seeds(path);
	return 0;
}
