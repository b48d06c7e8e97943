/* SPDX-License-Identifier: MIT */
/*
 * The level meter through the real eglview-shim ($EGLVIEW_SHIM, --fps 0,
 * 640x480), the test a raw viewer with AUDIO that records the demo's tone
 * generator at 1 kHz (amplitude 0.5) into the RECORD ring, a little ahead
 * of the clock, as a viewer's microphone would. Once the shim has logged
 * "microphone level -9.0 dBFS, peak 1000 Hz", the picture put together
 * from the UPDATEs' damage is frame 0 with the meter at -9.0 exactly as
 * demo_draw_meter draws it, every UPDATE after the first having damaged
 * the meter's box only. When the frames stop coming, the meter falls to
 * "-inf" (logged "silent"). Recording stopped (AUDIO_CAPTURE_STATE
 * without ACTIVE), one more UPDATE of the box alone takes it away: frame
 * 0 again, pixel for pixel.
 *
 * usage: EGLVIEW_SHIM=path test-demo-meter
 */
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "demo/draw.h"
#include "demo/sound.h"
#include "raw-viewer.h"
#include "harness.h"

#define W 640
#define H 480
#define RATE 48000
#define LEAD_FRAMES (RATE / 20) /* written ahead of the clock: 50 ms */

/* What the raw viewer has of the demo: its buffers, the picture, the
 * record ring. */
struct shm_buffer {
	uint32_t id;
	const uint8_t *data;
	uint32_t stride;
};

struct screen {
	struct shm_buffer buffers[8];
	int n_buffers;
	uint32_t bound;
	uint32_t *picture;          /* W x H, as the UPDATEs made it */
	uint32_t updates;
	struct proto_rect last_box; /* the last UPDATE's damage, as one box */
	bool last_in_meter;         /* and it lay inside the meter's box */

	struct proto_audio_ring_map record;
	uint32_t record_id;
	struct demo_tone tone;
	uint64_t written;           /* frames, since recording started */
	uint64_t start_ns;
};

static void
take_buffer(struct screen *sc, struct raw_viewer *v)
{
	const struct proto_buffer_shm *b = raw_body(v);
	size_t size = (size_t)b->stride * b->height;
	void *data = mmap(NULL, size, PROT_READ, MAP_SHARED, v->pkt->fds[0], 0);
	if (data == MAP_FAILED || sc->n_buffers == 8 || b->width != W ||
	    b->height != H)
		FAIL("cannot keep buffer %u (%ux%u)", b->buffer_id, b->width,
		     b->height);
	sc->buffers[sc->n_buffers++] = (struct shm_buffer){
		b->buffer_id, data, b->stride };
}

/* Copies the UPDATE's damage from the bound buffer, answers it. */
static void
take_update(struct screen *sc, struct raw_viewer *v)
{
	const struct proto_update *u = raw_body(v);
	const struct proto_rect *r = (const void *)(u + 1);
	const uint8_t *src = NULL;
	uint32_t stride = 0;
	for (int i = 0; i < sc->n_buffers; i++) {
		if (sc->buffers[i].id == sc->bound) {
			src = sc->buffers[i].data;
			stride = sc->buffers[i].stride;
		}
	}
	REQUIRE(src != NULL, "UPDATE of unknown buffer %u", sc->bound);
	struct proto_rect meter = demo_meter_rect(W, H);
	uint32_t x0 = W, y0 = H, x1 = 0, y1 = 0;
	sc->last_in_meter = true;
	for (uint32_t i = 0; i < u->n_rects; i++) {
		REQUIRE(r[i].x + r[i].width <= W && r[i].y + r[i].height <= H);
		for (uint32_t y = r[i].y; y < r[i].y + r[i].height; y++)
			memcpy(sc->picture + (size_t)y * W + r[i].x,
			       src + (size_t)y * stride + (size_t)r[i].x * 4,
			       (size_t)r[i].width * 4);
		x0 = r[i].x < x0 ? r[i].x : x0;
		y0 = r[i].y < y0 ? r[i].y : y0;
		x1 = r[i].x + r[i].width > x1 ? r[i].x + r[i].width : x1;
		y1 = r[i].y + r[i].height > y1 ? r[i].y + r[i].height : y1;
		sc->last_in_meter &= r[i].x >= meter.x && r[i].y >= meter.y &&
			r[i].x + r[i].width <= meter.x + meter.width &&
			r[i].y + r[i].height <= meter.y + meter.height;
	}
	sc->last_box = (struct proto_rect){ x0, y0, x1 - x0, y1 - y0 };
	sc->updates++;
	CHECK(proto_send_frame_done(v->fd, u->head_id, u->seq, 0));
}

/* The tone due by now, LEAD_FRAMES ahead, into the record ring. */
static void
record(struct screen *sc)
{
	if (sc->start_ns == 0)
		return;
	uint64_t due = (harness_now_ns() - sc->start_ns) * RATE / 1000000000 +
		       LEAD_FRAMES;
	int16_t frames[1024 * 2];
	while (sc->written < due) {
		uint64_t left = due - sc->written;
		uint32_t n = left < 1024 ? (uint32_t)left : 1024;
		demo_tone_fill(&sc->tone, frames, n);
		proto_audio_ring_write(&sc->record, frames, n,
				       harness_now_ns());
		sc->written += n;
	}
}

/* Handles what comes within ms, recording meanwhile. */
static void
follow(struct screen *sc, struct raw_viewer *v, int ms)
{
	uint64_t end = harness_now_ns() + (uint64_t)ms * 1000000;
	while (harness_now_ns() < end) {
		record(sc);
		enum proto_io io = raw_viewer_recv(v, 5);
		if (io == PROTO_IO_AGAIN)
			continue;
		REQUIRE(io == PROTO_IO_OK, "the shim's socket: %d", io);
		uint32_t type = proto_packet_type(v->pkt);
		if (type == PROTO_BUFFER_SHM) {
			take_buffer(sc, v);
		} else if (type == PROTO_SCANOUT) {
			sc->bound = ((const struct proto_scanout *)
				     raw_body(v))->buffer_id;
		} else if (type == PROTO_UPDATE) {
			take_update(sc, v);
		} else if (type == PROTO_AUDIO_STREAM) {
			const struct proto_audio_stream *s = raw_body(v);
			char why[256];
			if (s->direction != PROTO_AUDIO_RECORD)
				continue;
			REQUIRE(s->format == PROTO_AUDIO_S16 &&
				s->rate == RATE && s->channels == 2,
				"record stream %u %u Hz %u ch", s->format,
				s->rate, s->channels);
			REQUIRE(proto_audio_ring_map(v->pkt->fds[0],
						     s->capacity, 4, true,
						     &sc->record, why,
						     sizeof(why)), "%s", why);
			sc->record_id = s->stream_id;
		}
	}
}

static void
read_text(const char *path, char *buf, size_t size)
{
	buf[0] = '\0';
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return;
	buf[fread(buf, 1, size - 1, f)] = '\0';
	fclose(f);
}

static bool
log_has(const char *path, const char *text)
{
	static char buf[16384];
	read_text(path, buf, sizeof(buf));
	return strstr(buf, text) != NULL;
}

static uint32_t
pixels_off(const uint32_t *picture, int32_t tenths)
{
	static uint32_t want[W * H];
	struct demo_input_state st;
	demo_input_init(&st);
	demo_draw_frame(want, W, H, W * 4, 0, &st);
	if (tenths != INT32_MAX)
		demo_draw_meter(want, W, H, W * 4, tenths);
	uint32_t off = 0;
	for (size_t i = 0; i < (size_t)W * H; i++)
		off += ((picture[i] ^ want[i]) & 0xffffff) != 0;
	return off;
}

/* The case, against the shim serving sock, logging to log. */
static void
run(const char *sock, const char *log)
{
	static uint32_t picture[W * H];
	struct screen sc = { .picture = picture };
	demo_tone_init(&sc.tone, 1000, RATE, 2);
	struct raw_viewer v;
	REQUIRE(raw_viewer_handshake(&v, sock, NULL,
				     PROTO_FEATURE_SHM | PROTO_FEATURE_AUDIO,
				     NULL));
	follow(&sc, &v, 300);
	REQUIRE(sc.updates >= 1 && sc.record_id != 0,
		"%u UPDATEs, record stream %u", sc.updates, sc.record_id);
	CHECK(pixels_off(picture, INT32_MAX) == 0, "frame 0 first");

	REQUIRE(proto_send_audio_capture_state(v.fd, sc.record_id,
					       PROTO_AUDIO_CAPTURE_ACTIVE));
	sc.start_ns = harness_now_ns();
	const char *line = "eglview-shim: demo: microphone level -9.0 dBFS, "
			   "peak 1000 Hz";
	uint32_t first = sc.updates, outside = 0;
	for (int i = 0; i < 100 && !log_has(log, line); i++) {
		follow(&sc, &v, 50);
		if (sc.updates > first + 1 && !sc.last_in_meter)
			outside++;
	}
	CHECK(log_has(log, line), "no \"%s\" in %s", line, log);
	/* The meter is redrawn at most every 100 ms. */
	follow(&sc, &v, 300);
	CHECK(sc.updates > first, "no UPDATE brought the meter");
	CHECK(outside == 0, "%u UPDATEs damaged more than the meter", outside);
	uint32_t off = pixels_off(picture, -90);
	CHECK(off == 0, "the picture differs from frame 0 with the meter at "
	      "-9.0 in %u pixels", off);

	/* Still recording, but nothing comes: silence, once a second of
	 * it has passed. */
	sc.start_ns = 0;
	const char *silent = "eglview-shim: demo: microphone level -inf dBFS, "
			     "silent";
	for (int i = 0; i < 100 && !log_has(log, silent); i++)
		follow(&sc, &v, 50);
	CHECK(log_has(log, silent), "no \"%s\" in %s", silent, log);
	follow(&sc, &v, 300);
	off = pixels_off(picture, DEMO_LEVEL_SILENT);
	CHECK(off == 0, "the picture differs from frame 0 with the meter at "
	      "-inf in %u pixels", off);

	REQUIRE(proto_send_audio_capture_state(v.fd, sc.record_id, 0));
	uint32_t before = sc.updates;
	follow(&sc, &v, 500);
	struct proto_rect box = demo_meter_rect(W, H);
	CHECK(sc.updates == before + 1, "%u UPDATEs after recording stopped",
	      sc.updates - before);
	CHECK(memcmp(&sc.last_box, &box, sizeof(box)) == 0,
	      "damage %u,%u %ux%u, the meter %u,%u %ux%u", sc.last_box.x,
	      sc.last_box.y, sc.last_box.width, sc.last_box.height, box.x,
	      box.y, box.width, box.height);
	off = pixels_off(picture, INT32_MAX);
	CHECK(off == 0, "frame 0 again: %u pixels differ", off);
	raw_viewer_close(&v);
}

int
main(void)
{
	const char *shim = getenv("EGLVIEW_SHIM");
	if (shim == NULL) {
		fprintf(stderr, "usage: EGLVIEW_SHIM=path test-demo-meter\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	char dir[] = "/tmp/eglview-meter-XXXXXX", sock[64], log[64];
	if (mkdtemp(dir) == NULL)
		FAIL("mkdtemp");
	snprintf(sock, sizeof(sock), "%s/demo.sock", dir);
	snprintf(log, sizeof(log), "%s/stderr", dir);

	posix_spawn_file_actions_t files;
	posix_spawn_file_actions_init(&files);
	posix_spawn_file_actions_addopen(&files, 2, log, O_WRONLY | O_CREAT,
					 0600);
	char *argv[] = { (char *)shim, "--size", "640x480", "--fps", "0",
			 sock, NULL };
	extern char **environ;
	pid_t pid;
	if (posix_spawn(&pid, shim, &files, NULL, argv, environ) != 0)
		FAIL("cannot run %s", shim);
	posix_spawn_file_actions_destroy(&files);
	struct stat st;
	for (int i = 0; i < 500 && stat(sock, &st) != 0; i++)
		usleep(10000);

	run(sock, log);

	kill(pid, SIGTERM);
	int status;
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "eglview-shim status 0x%x", status);
	if (test_failures != 0) {
		static char text[16384];
		read_text(log, text, sizeof(text));
		fprintf(stderr, "--- eglview-shim stderr ---\n%s---\n", text);
	}
	unlink(log);
	rmdir(dir);
	if (test_failures == 0)
		printf("demo-meter: all %d checks passed\n", test_checks);
	return test_failures ? 1 : 0;
}
