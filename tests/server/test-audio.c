/* SPDX-License-Identifier: MIT */
/*
 * libeglview-server's audio (PROTOCOL.md, "Audio", minor 3): the test is
 * the source and raw viewers on a real socket, mapping the real rings.
 * Usage: test-audio CASE.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "raw-viewer.h"
#include "server/server.h"

struct fixture {
	char dir[64], path[128];
	struct server *server;
};

static bool
fixture_init(struct fixture *fx)
{
	*fx = (struct fixture){ 0 };
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/eglview-audio-XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return false;
	snprintf(fx->path, sizeof(fx->path), "%s/vm.sock", fx->dir);
	char why[256];
	fx->server = server_create(fx->path, "testvm", NULL, NULL, why,
				   sizeof(why));
	if (fx->server == NULL)
		fprintf(stderr, "server_create: %s\n", why);
	return fx->server != NULL;
}

static void
fixture_finish(struct fixture *fx)
{
	server_destroy(fx->server);
	rmdir(fx->dir);
}

/* A stream announced to v: its description and its ring, mapped. */
struct got_stream {
	struct proto_audio_stream info;
	struct proto_audio_ring_map ring;
	int fd;
};

static bool
expect_stream(struct raw_viewer *v, struct got_stream *s, bool writable)
{
	if (!raw_viewer_skip_to(v, PROTO_AUDIO_STREAM, 2000))
		return false;
	s->info = *(const struct proto_audio_stream *)raw_body(v);
	s->fd = v->pkt->fds[0];
	v->pkt->fds[0] = -1;
	char why[256];
	uint32_t frame = proto_audio_sample_bytes(s->info.format) *
			 s->info.channels;
	if (!proto_audio_ring_map(s->fd, s->info.capacity, frame, writable,
				  &s->ring, why, sizeof(why))) {
		fprintf(stderr, "ring: %s\n", why);
		return false;
	}
	return true;
}

static void
drop_stream(struct got_stream *s)
{
	proto_audio_ring_unmap(&s->ring);
	close(s->fd);
}

static bool
expect_state(struct raw_viewer *v, uint32_t id, uint32_t flags)
{
	if (!raw_viewer_skip_to(v, PROTO_AUDIO_STATE, 2000))
		return false;
	const struct proto_audio_state *st = raw_body(v);
	CHECK(st->stream_id == id && st->flags == flags,
	      "AUDIO_STATE stream %u flags 0x%x, wanted %u 0x%x",
	      st->stream_id, st->flags, id, flags);
	return st->stream_id == id && st->flags == flags;
}

/* One viewer joins before the stream exists, one after; both read the same
 * frames from the one ring, which they cannot write. */
static void
test_playback(void)
{
	struct fixture fx;
	REQUIRE(fixture_init(&fx));
	struct raw_viewer a = { 0 }, b = { 0 };
	uint32_t theirs = 0;
	REQUIRE(raw_viewer_handshake(&a, fx.path, fx.server,
				     PROTO_FEATURE_SHM | PROTO_FEATURE_AUDIO,
				     &theirs));
	CHECK(theirs & PROTO_FEATURE_AUDIO, "server features 0x%x", theirs);
	raw_viewer_pump(fx.server, 50);
	struct server_audio *out = server_audio_create(fx.server,
		PROTO_AUDIO_PLAYBACK, PROTO_AUDIO_S16, 48000, 2, 0);
	REQUIRE(out != NULL);
	struct got_stream sa, sb;
	REQUIRE(expect_stream(&a, &sa, false));
	CHECK(sa.info.stream_id == server_audio_get_id(out) &&
	      sa.info.direction == PROTO_AUDIO_PLAYBACK &&
	      sa.info.format == PROTO_AUDIO_S16 && sa.info.rate == 48000 &&
	      sa.info.channels == 2 && sa.info.capacity == 24000,
	      "stream %u dir %u fmt %u %u Hz %u ch cap %u", sa.info.stream_id,
	      sa.info.direction, sa.info.format, sa.info.rate,
	      sa.info.channels, sa.info.capacity);
	REQUIRE(expect_state(&a, sa.info.stream_id, 0));
	/* The viewers' mappings cannot write (F_SEAL_FUTURE_WRITE). */
	void *w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, sa.fd, 0);
	CHECK(w == MAP_FAILED && errno == EPERM,
	      "a viewer could map the playback ring writable");
	if (w != MAP_FAILED)
		munmap(w, 4096);

	server_audio_set_enabled(out, true);
	REQUIRE(expect_state(&a, sa.info.stream_id, PROTO_AUDIO_ENABLED));
	int16_t frames[1000][2];
	for (int i = 0; i < 1000; i++)
		frames[i][0] = (int16_t)i, frames[i][1] = (int16_t)-i;
	server_audio_write(out, frames, 1000);

	REQUIRE(raw_viewer_handshake(&b, fx.path, fx.server,
				     PROTO_FEATURE_SHM | PROTO_FEATURE_AUDIO,
				     NULL));
	REQUIRE(expect_stream(&b, &sb, false));
	REQUIRE(expect_state(&b, sb.info.stream_id, PROTO_AUDIO_ENABLED));
	uint8_t vol[2] = { 255, 64 };
	server_audio_set_volume(out, true, vol, 2);
	REQUIRE(expect_state(&a, sa.info.stream_id,
			     PROTO_AUDIO_ENABLED | PROTO_AUDIO_MUTED));
	CHECK(((const struct proto_audio_state *)raw_body(&a))->volume[1] == 64);
	REQUIRE(expect_state(&b, sb.info.stream_id,
			     PROTO_AUDIO_ENABLED | PROTO_AUDIO_MUTED));

	int16_t got[1200][2];
	uint64_t pos_a = 0, pos_b = 0, lost = 0;
	CHECK(proto_audio_ring_read(&sa.ring, &pos_a, got, 1200, &lost) == 1000);
	CHECK(got[999][0] == 999 && got[999][1] == -999 && got[0][0] == 0);
	CHECK(proto_audio_ring_read(&sb.ring, &pos_b, got, 500, &lost) == 500);
	CHECK(got[499][0] == 499 && lost == 0);

	/* A viewer two rings behind loses the oldest, counted, and reads
	 * the newest capacity frames. */
	static int16_t many[60000][2];
	for (int i = 0; i < 60000; i++)
		many[i][0] = (int16_t)(i % 30000), many[i][1] = 0;
	server_audio_write(out, many, 60000);
	uint32_t n = proto_audio_ring_read(&sb.ring, &pos_b, got, 1200, &lost);
	CHECK(n == 1200 && lost == 500 + 60000 - 24000,
	      "read %u, lost %llu", n, (unsigned long long)lost);
	CHECK(got[0][0] == (60000 - 24000) % 30000, "first %d", got[0][0]);

	server_audio_destroy(out);
	REQUIRE(raw_viewer_skip_to(&a, PROTO_AUDIO_STREAM_REMOVED, 2000));
	CHECK(((const struct proto_audio_stream_removed *)raw_body(&a))
	      ->stream_id == sa.info.stream_id);
	drop_stream(&sa);
	drop_stream(&sb);
	raw_viewer_close(&a);
	raw_viewer_close(&b);
	fixture_finish(&fx);
}

static void
record_into(struct got_stream *s, int16_t value, uint32_t n)
{
	int16_t frames[4800][2];
	for (uint32_t i = 0; i < n; i++)
		frames[i][0] = frames[i][1] = value;
	proto_audio_ring_write(&s->ring, frames, n, 0);
}

static void
capture_state(struct fixture *fx, struct raw_viewer *v, uint32_t id,
	      bool active)
{
	proto_send_audio_capture_state(v->fd, id,
				       active ? PROTO_AUDIO_CAPTURE_ACTIVE : 0);
	raw_viewer_pump(fx->server, 50);
}

/* Each viewer has its own RECORD ring; the source hears the newest that
 * says it records, silence when none does, never more than it recorded. */
static void
test_record(void)
{
	struct fixture fx;
	REQUIRE(fixture_init(&fx));
	struct server_audio *in = server_audio_create(fx.server,
		PROTO_AUDIO_RECORD, PROTO_AUDIO_S16, 48000, 2, 0);
	REQUIRE(in != NULL);
	struct raw_viewer a = { 0 }, b = { 0 };
	struct got_stream sa, sb;
	REQUIRE(raw_viewer_handshake(&a, fx.path, fx.server,
				     PROTO_FEATURE_SHM | PROTO_FEATURE_AUDIO,
				     NULL));
	REQUIRE(expect_stream(&a, &sa, true));
	REQUIRE(raw_viewer_handshake(&b, fx.path, fx.server,
				     PROTO_FEATURE_SHM | PROTO_FEATURE_AUDIO,
				     NULL));
	REQUIRE(expect_stream(&b, &sb, true));
	CHECK(sa.info.direction == PROTO_AUDIO_RECORD &&
	      sa.info.capacity == 24000);
	CHECK(sa.ring.header != sb.ring.header);
	int16_t got[960][2];
	memset(got, 0x55, sizeof(got));
	CHECK(!server_audio_recording(in));
	CHECK(server_audio_read(in, got, 960) == 0);
	CHECK(got[0][0] == 0 && got[959][1] == 0, "silence expected");

	record_into(&sa, 1000, 480); /* before it was the source: old */
	capture_state(&fx, &a, sa.info.stream_id, true);
	CHECK(server_audio_recording(in));
	record_into(&sa, 1111, 480);
	CHECK(server_audio_read(in, got, 960) == 480);
	CHECK(got[0][0] == 1111 && got[479][1] == 1111 && got[480][0] == 0,
	      "%d %d %d", got[0][0], got[479][1], got[480][0]);

	capture_state(&fx, &b, sb.info.stream_id, true);
	record_into(&sa, 1111, 480);
	record_into(&sb, 2222, 960);
	CHECK(server_audio_read(in, got, 960) == 960);
	CHECK(got[0][0] == 2222 && got[959][0] == 2222, "%d", got[0][0]);

	/* The newest stops: the other one, still active, is heard again,
	 * from what it records from now on. */
	capture_state(&fx, &b, sb.info.stream_id, false);
	record_into(&sa, 3333, 100);
	CHECK(server_audio_read(in, got, 100) == 100 && got[0][0] == 1111,
	      "%d", got[0][0]);

	/* A source far ahead (the VM reads slower than the viewer records)
	 * is caught up: the VM hears the newest, not 300 ms old frames. */
	for (int i = 0; i < 3; i++)
		record_into(&sa, 4444, 4800);
	record_into(&sa, 5555, 480);
	CHECK(server_audio_read(in, got, 480) == 480 && got[0][0] == 5555,
	      "%d", got[0][0]);

	/* A hostile producer's positions (far ahead, then behind) cost the
	 * VM nothing but silence or stale frames; never more than asked. */
	sa.ring.header->write_pos = UINT64_MAX - 5;
	CHECK(server_audio_read(in, got, 480) <= 480);
	sa.ring.header->write_pos = 3;
	CHECK(server_audio_read(in, got, 480) == 0);
	record_into(&sa, 6666, 10);
	CHECK(server_audio_read(in, got, 480) == 10 && got[0][0] == 6666,
	      "%d", got[0][0]);

	/* The source leaves: silence, and nobody records. */
	raw_viewer_close(&a);
	raw_viewer_pump(fx.server, 50);
	CHECK(!server_audio_recording(in));
	CHECK(server_audio_read(in, got, 10) == 0);
	drop_stream(&sa);
	drop_stream(&sb);
	raw_viewer_close(&b);
	fixture_finish(&fx);
}

/* No AUDIO in a viewer's HELLO, or a minor-2 viewer: no stream is sent,
 * and AUDIO_CAPTURE_STATE is refused. A playback stream or an unknown id
 * cannot be recorded into. */
static void
test_refused(void)
{
	struct fixture fx;
	REQUIRE(fixture_init(&fx));
	REQUIRE(server_audio_create(fx.server, PROTO_AUDIO_PLAYBACK,
				    PROTO_AUDIO_F32, 44100, 2, 0) != NULL);
	CHECK(server_audio_create(fx.server, PROTO_AUDIO_PLAYBACK, 9, 44100,
				  2, 0) == NULL);
	CHECK(server_audio_create(fx.server, PROTO_AUDIO_PLAYBACK,
				  PROTO_AUDIO_S16, 4000, 2, 0) == NULL);
	CHECK(server_audio_create(fx.server, PROTO_AUDIO_RECORD,
				  PROTO_AUDIO_S16, 48000, 9, 0) == NULL);

	struct raw_viewer v = { 0 };
	REQUIRE(raw_viewer_handshake(&v, fx.path, fx.server, PROTO_FEATURE_SHM,
				     NULL));
	enum proto_io io;
	while ((io = raw_viewer_recv(&v, 200)) == PROTO_IO_OK)
		CHECK(proto_packet_type(v.pkt) != PROTO_AUDIO_STREAM,
		      "AUDIO_STREAM to a viewer without AUDIO");
	proto_send_audio_capture_state(v.fd, 1, PROTO_AUDIO_CAPTURE_ACTIVE);
	REQUIRE(raw_viewer_skip_to(&v, PROTO_ERROR, 2000));
	const struct proto_error_msg *e = raw_body(&v);
	CHECK(e->code == PROTO_ERR_UNEXPECTED, "code %u", e->code);
	raw_viewer_close(&v);

	struct raw_viewer w = { 0 };
	struct got_stream s;
	REQUIRE(raw_viewer_handshake(&w, fx.path, fx.server,
				     PROTO_FEATURE_SHM | PROTO_FEATURE_AUDIO,
				     NULL));
	REQUIRE(expect_stream(&w, &s, false));
	proto_send_audio_capture_state(w.fd, s.info.stream_id,
				       PROTO_AUDIO_CAPTURE_ACTIVE);
	REQUIRE(raw_viewer_skip_to(&w, PROTO_ERROR, 2000));
	e = raw_body(&w);
	CHECK(e->code == PROTO_ERR_BAD_VALUE, "code %u", e->code);
	drop_stream(&s);
	raw_viewer_close(&w);

	struct raw_viewer u = { 0 };
	REQUIRE(raw_viewer_handshake(&u, fx.path, fx.server,
				     PROTO_FEATURE_SHM | PROTO_FEATURE_AUDIO,
				     NULL));
	proto_send_audio_capture_state(u.fd, 77, PROTO_AUDIO_CAPTURE_ACTIVE);
	REQUIRE(raw_viewer_skip_to(&u, PROTO_ERROR, 2000));
	e = raw_body(&u);
	CHECK(e->code == PROTO_ERR_UNKNOWN_ID, "code %u", e->code);
	raw_viewer_close(&u);
	fixture_finish(&fx);
}

static const struct test_case cases[] = {
	{ "playback", test_playback },
	{ "record", test_record },
	{ "refused", test_refused },
};

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: test-audio CASE\n");
		return 2;
	}
	return test_run_case("test-audio", cases, sizeof(cases) / sizeof(cases[0]),
			     argv[1]);
}
