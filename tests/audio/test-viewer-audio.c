/* SPDX-License-Identifier: MIT */
/*
 * The real qemu-eglview's sound against a raw test server (the protocol
 * library only), through SDL's disk driver (SDL_AUDIODRIVER=disk: what
 * the viewer plays goes to a file, what it records comes from one):
 *
 * - play: a PLAYBACK stream (48 kHz, 2 ch, S16) of a 440 Hz sine at
 *   amplitude 0.5 written in 1024-frame bursts at real time for 2 s: the
 *   file holds 440 Hz (within 1 %) at that level, with no step larger
 *   than the sine's own (no click), and --verbose says when the device
 *   opened and --stats gives the stream's line;
 * - record: --microphone on with a 1000 Hz F32 input file: the viewer
 *   says AUDIO_CAPTURE_STATE ACTIVE for the RECORD stream and its ring
 *   fills with 1000 Hz (within 1 %) in the stream's S16;
 * - two-vms: two VMs in one output, each with an enabled PLAYBACK and a
 *   RECORD stream, --microphone on: only the focused one (the first) has
 *   devices and is told AUDIO_CAPTURE_STATE ACTIVE;
 * - off: --audio off leaves AUDIO out of the viewer's HELLO;
 * - no-device: with no audio device (SDL_AUDIODRIVER=bogus) the viewer
 *   says so once for two streams enabled, and goes on (answers PING);
 * - the ERRORs a bad stream message gets: state-unknown, removed-unknown
 *   (UNKNOWN_ID), duplicate (ID_IN_USE), too-many (LIMIT), unsealed-ring
 *   (BAD_FD), not-agreed (UNEXPECTED, with --audio off).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define RATE 48000
#define CH 2
#define BURST 1024
#define STREAM 1
#define TONE 440.0
#define AMP 0.5

static struct harness h;
static char out_path[PATH_MAX + 16], in_path[PATH_MAX + 16];

static void
send_ok(bool ok, const char *what)
{
	REQUIRE(ok, "sending %s: %s", what, strerror(errno));
}

static void
send_hello(void)
{
	send_ok(proto_send_hello(h.conn, PROTO_FEATURE_SHM | PROTO_FEATURE_AUDIO,
				 "audio-test", NULL, 0), "HELLO");
}

static uint32_t
viewer_features(void)
{
	return proto_hello_features(proto_packet_body(h.pkt));
}

/* Starts the viewer (offscreen, the disk driver) and shakes hands. */
static void
start(const char *const *extra)
{
	snprintf(out_path, sizeof(out_path), "%s/out.raw", h.dir);
	if (!getenv("SDL_AUDIODRIVER"))
		setenv("SDL_AUDIODRIVER", "disk", 1);
	setenv("SDL_DISKAUDIOFILE", out_path, 1);
	static const char *const opts[] = { "--verbose", "--stats", NULL };
	harness_spawn_offscreen(&h, opts, extra);
	harness_accept_viewer(&h);
}

static int
send_stream(uint32_t id, uint32_t direction, uint32_t capacity, bool readers_ro,
	    struct proto_audio_ring_map *ring)
{
	char why[256];
	int fd = proto_audio_ring_create(capacity, 2 * CH, readers_ro, ring, why,
					 sizeof(why));
	REQUIRE(fd >= 0, "%s", why);
	struct proto_audio_stream st = {
		.stream_id = id, .direction = direction, .format = PROTO_AUDIO_S16,
		.rate = RATE, .channels = CH, .capacity = capacity,
	};
	send_ok(proto_send_audio_stream(h.conn, &st, fd), "AUDIO_STREAM");
	return fd;
}

static void
send_state(uint32_t id, uint32_t flags)
{
	struct proto_audio_state state = { .stream_id = id, .flags = flags };
	memset(state.volume, 255, sizeof(state.volume));
	send_ok(proto_send_audio_state(h.conn, &state), "AUDIO_STATE");
}

static void
sleep_until(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000u), (long)(ns % 1000000000u) };
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/* Frames of a raw F32 x CH file, malloc'ed; *n gets the count. */
static float *
read_f32(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	REQUIRE(f != NULL, "%s: %s", path, strerror(errno));
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, 0, SEEK_SET);
	*n = (size_t)size / (sizeof(float) * CH);
	float *data = malloc((*n + 1) * sizeof(float) * CH);
	REQUIRE(data != NULL);
	REQUIRE(fread(data, sizeof(float) * CH, *n, f) == *n);
	fclose(f);
	return data;
}

/* The pitch of channel 0 of x[from, to) in Hz (0: none): from the median
 * time between rising zero crossings, so that a gap (an underrun on a
 * loaded machine) does not count as slower sound. */
static int
compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double
pitch(const float *x, size_t from, size_t to)
{
	size_t cap = (to - from) / 2 + 1, n = 0;
	double *periods = malloc(cap * sizeof(double));
	REQUIRE(periods != NULL);
	double last = -1;
	for (size_t i = from + 1; i < to; i++) {
		float a = x[(i - 1) * CH], b = x[i * CH];
		if (a < 0 && b >= 0) {
			double t = (double)(i - 1) + a / (a - b);
			if (last >= 0 && n < cap)
				periods[n++] = t - last;
			last = t;
		}
	}
	qsort(periods, n, sizeof(double), compare_double);
	double hz = n < 10 ? 0.0 : RATE / periods[n / 2];
	free(periods);
	return hz;
}

static void
case_play(void)
{
	start(NULL);
	REQUIRE(viewer_features() & PROTO_FEATURE_AUDIO,
		"the viewer's HELLO has no AUDIO");
	send_hello();
	struct proto_audio_ring_map ring;
	int fd = send_stream(STREAM, PROTO_AUDIO_PLAYBACK, RATE / 2, true, &ring);
	send_state(STREAM, PROTO_AUDIO_ENABLED);
	/* Real time, as QEMU writes: a burst every 1024 frames' worth. */
	uint64_t t0 = harness_now_ns();
	int16_t buf[BURST * CH];
	uint64_t frame = 0;
	for (int b = 0; b < 2 * RATE / BURST; b++) {
		for (int k = 0; k < BURST; k++, frame++) {
			double v = AMP * sin(2 * M_PI * TONE * (double)frame / RATE);
			buf[2 * k] = buf[2 * k + 1] = (int16_t)lrint(v * 32767);
		}
		sleep_until(t0 + frame * 1000000000ull / RATE);
		proto_audio_ring_write(&ring, buf, BURST, harness_now_ns());
	}
	sleep_until(harness_now_ns() + 200000000ull);
	send_ok(proto_send_goodbye(h.conn, PROTO_BYE_SHUTDOWN, "done"), "GOODBYE");
	harness_expect_exit(&h, 0);
	harness_expect_stderr(&h, "qemu-eglview: audio: playing stream 1 of VM "
			      "\"audio-test\" (48000 Hz, 2 ch, S16) on disk, "
			      "opened at ");
	harness_expect_stderr(&h, "qemu-eglview: audio: stream 1 VM \"audio-test\": "
			      "played ");
	char *err = harness_stderr(&h);
	const char *line = strstr(err, "audio: stream 1 VM");
	printf("%.*s\n", (int)strcspn(line, "\n"), line);
	free(err);
	close(fd);

	size_t n;
	float *x = read_f32(out_path, &n);
	/* Where the sound is: from the first sample above a tenth of it to
	 * the last. */
	size_t from = 0, to = n;
	while (from < n && fabsf(x[from * CH]) < AMP / 10)
		from++;
	while (to > from && fabsf(x[(to - 1) * CH]) < AMP / 10)
		to--;
	REQUIRE(to - from > RATE, "%.2f s of sound in %zu frames",
		(double)(to - from) / RATE, n);
	double hz = pitch(x, from, to);
	float peak = 0, step = 0;
	for (size_t i = from; i < to; i++) {
		peak = fabsf(x[i * CH]) > peak ? fabsf(x[i * CH]) : peak;
		if (i > 0 && fabsf(x[i * CH] - x[(i - 1) * CH]) > step)
			step = fabsf(x[i * CH] - x[(i - 1) * CH]);
	}
	double sine_step = AMP * 2 * M_PI * TONE / RATE;
	printf("play: %.2f s of sound, %.2f Hz, peak %.3f, max step %.4f (the "
	       "sine's %.4f)\n", (double)(to - from) / RATE, hz, peak, step,
	       sine_step);
	CHECK(fabs(hz / TONE - 1) < 0.01, "%.2f Hz played, expected %.0f", hz,
	      TONE);
	CHECK(fabsf(peak - (float)AMP) < 0.02, "peak %.3f, expected %.1f", peak,
	      AMP);
	CHECK(step <= sine_step * 1.05, "a step of %.4f: a click", step);
	free(x);
	proto_audio_ring_unmap(&ring);
}

static void
case_record(void)
{
	/* 3 s of 1000 Hz at amplitude 0.5, F32 as the viewer opens it. */
	snprintf(in_path, sizeof(in_path), "%s/in.raw", h.dir);
	FILE *f = fopen(in_path, "wb");
	REQUIRE(f != NULL);
	for (int i = 0; i < 3 * RATE; i++) {
		float v = (float)(AMP * sin(2 * M_PI * 1000.0 * i / RATE));
		float fr[CH] = { v, v };
		fwrite(fr, sizeof(fr), 1, f);
	}
	fclose(f);
	setenv("SDL_DISKAUDIOFILEIN", in_path, 1);
	start((const char *const[]){ "--microphone", "on", NULL });
	send_hello();
	struct proto_audio_ring_map ring;
	int fd = send_stream(7, PROTO_AUDIO_RECORD, RATE, false, &ring);
	harness_expect(&h, PROTO_AUDIO_CAPTURE_STATE);
	const struct proto_audio_capture_state *cs = proto_packet_body(h.pkt);
	REQUIRE(cs->stream_id == 7 && cs->flags == PROTO_AUDIO_CAPTURE_ACTIVE,
		"AUDIO_CAPTURE_STATE stream %u flags %u", cs->stream_id, cs->flags);
	sleep_until(harness_now_ns() + 1500000000ull);
	uint64_t wp = proto_audio_ring_write_pos(&ring, NULL);
	REQUIRE(wp >= RATE / 2, "only %" PRIu64 " frames recorded in 1.5 s", wp);
	static int16_t got[RATE * CH];
	uint64_t pos = wp > RATE / 2 ? wp - RATE / 2 : 0;
	uint32_t n = proto_audio_ring_read(&ring, &pos, got, RATE / 2, NULL);
	static float x[RATE * CH];
	for (uint32_t i = 0; i < n * CH; i++)
		x[i] = got[i] / 32768.0f;
	double hz = pitch(x, 0, n);
	printf("record: %" PRIu64 " frames recorded, %.2f Hz in the last %u\n",
	       wp, hz, n);
	CHECK(fabs(hz / 1000.0 - 1) < 0.01, "%.2f Hz recorded, expected 1000", hz);
	send_ok(proto_send_goodbye(h.conn, PROTO_BYE_SHUTDOWN, "done"), "GOODBYE");
	harness_expect_exit(&h, 0);
	harness_expect_stderr(&h, "qemu-eglview: audio: recording into stream 7 "
			      "of VM \"audio-test\" (48000 Hz, 2 ch) from disk, "
			      "opened at ");
	close(fd);
	proto_audio_ring_unmap(&ring);
}

/* No audio device: said once for two streams, and the viewer goes on. */
static void
case_no_device(void)
{
	start(NULL);
	send_hello();
	struct proto_audio_ring_map r1, r2;
	close(send_stream(1, PROTO_AUDIO_PLAYBACK, 1024, true, &r1));
	close(send_stream(2, PROTO_AUDIO_PLAYBACK, 1024, true, &r2));
	send_state(1, PROTO_AUDIO_ENABLED);
	send_state(2, PROTO_AUDIO_ENABLED);
	/* A PING answered: the viewer is still there after trying. */
	send_ok(proto_send_ping(h.conn, 77), "PING");
	harness_expect(&h, PROTO_PONG);
	send_ok(proto_send_goodbye(h.conn, PROTO_BYE_SHUTDOWN, "done"), "GOODBYE");
	harness_expect_exit(&h, 0);
	const char *line = "qemu-eglview: audio: no audio device (bogus: ";
	harness_expect_stderr(&h, line);
	char *err = harness_stderr(&h);
	const char *first = strstr(err, line);
	CHECK(strstr(first + 1, line) == NULL, "said twice:\n%s", err);
	CHECK(strstr(first, "); the VM's sound is not played\n") != NULL);
	free(err);
	proto_audio_ring_unmap(&r1);
	proto_audio_ring_unmap(&r2);
}

/* Reads from the viewer's other connection until type (the harness
 * reads h.conn: it is swapped for the call). */
static void
expect_on(int conn, uint32_t type)
{
	int first = h.conn;
	h.conn = conn;
	harness_expect(&h, type);
	h.conn = first;
}

/* Sends HELLO, an enabled PLAYBACK stream 1 and a RECORD stream 2 on the
 * connection, then PING: what the viewer says about them comes before
 * the PONG. Returns the AUDIO_CAPTURE_STATEs it said. */
static int
announce(int conn, const char *name, struct proto_audio_ring_map *rings)
{
	int first = h.conn;
	h.conn = conn;
	send_ok(proto_send_hello(conn, PROTO_FEATURE_SHM | PROTO_FEATURE_AUDIO,
				 name, NULL, 0), "HELLO");
	close(send_stream(1, PROTO_AUDIO_PLAYBACK, RATE / 2, true, &rings[0]));
	send_state(1, PROTO_AUDIO_ENABLED);
	close(send_stream(2, PROTO_AUDIO_RECORD, RATE / 2, false, &rings[1]));
	send_ok(proto_send_ping(conn, 5), "PING");
	int active = 0;
	uint32_t type;
	while ((type = harness_recv(&h)) != PROTO_PONG) {
		REQUIRE(type != 0, "%s's connection closed", name);
		if (type == PROTO_AUDIO_CAPTURE_STATE)
			active++;
	}
	h.conn = first;
	return active;
}

/* Two VMs in one output (offscreen: the first has the focus): only the
 * first is heard and gets the microphone. */
static void
case_two_vms(void)
{
	char second_sock[PATH_MAX + 16], why[256];
	snprintf(second_sock, sizeof(second_sock), "%s/second.sock", h.dir);
	int listen2 = proto_listen(second_sock, why, sizeof(why));
	REQUIRE(listen2 >= 0, "%s", why);
	snprintf(in_path, sizeof(in_path), "%s/in.raw", h.dir);
	FILE *f = fopen(in_path, "wb");
	REQUIRE(f != NULL);
	static float silence[RATE * CH];
	fwrite(silence, sizeof(silence), 1, f);
	fclose(f);
	setenv("SDL_DISKAUDIOFILEIN", in_path, 1);
	const char *args[] = { "--backend", "offscreen", "--verbose",
			       "--microphone", "on", h.sock, second_sock, NULL };
	snprintf(out_path, sizeof(out_path), "%s/out.raw", h.dir);
	setenv("SDL_AUDIODRIVER", "disk", 1);
	setenv("SDL_DISKAUDIOFILE", out_path, 1);
	harness_spawn(&h, args, NULL);
	harness_accept_viewer(&h);
	struct pollfd pfd = { .fd = listen2, .events = POLLIN };
	REQUIRE(poll(&pfd, 1, harness_timeout_ms(HARNESS_WAIT_MS)) == 1,
		"the viewer did not connect to the second VM");
	int conn2 = accept4(listen2, NULL, NULL, SOCK_CLOEXEC);
	REQUIRE(conn2 >= 0, "accept4: %s", strerror(errno));
	expect_on(conn2, PROTO_HELLO);

	struct proto_audio_ring_map first[2], second[2];
	int active1 = announce(h.conn, "first", first);
	int active2 = announce(conn2, "second", second);
	CHECK(active1 == 1, "%d AUDIO_CAPTURE_STATEs from the focused VM",
	      active1);
	CHECK(active2 == 0, "%d AUDIO_CAPTURE_STATEs to the VM without the "
	      "focus", active2);
	kill(h.pid, SIGTERM);
	harness_expect_exit(&h, 0);
	harness_expect_stderr(&h, "audio: playing stream 1 of VM \"first\"");
	harness_expect_stderr(&h, "audio: recording into stream 2 of VM \"first\"");
	char *err = harness_stderr(&h);
	CHECK(strstr(err, "of VM \"second\"") == NULL,
	      "the VM without the focus has a device:\n%s", err);
	free(err);
	close(conn2);
	close(listen2);
	for (int i = 0; i < 2; i++) {
		proto_audio_ring_unmap(&first[i]);
		proto_audio_ring_unmap(&second[i]);
	}
}

static void
case_off(void)
{
	start((const char *const[]){ "--audio", "off", NULL });
	REQUIRE(!(viewer_features() & PROTO_FEATURE_AUDIO),
		"AUDIO offered with --audio off");
	send_hello();
	send_ok(proto_send_goodbye(h.conn, PROTO_BYE_SHUTDOWN, "done"), "GOODBYE");
	harness_expect_exit(&h, 0);
}

/* --- streams the viewer refuses --------------------------------------- */

static struct proto_audio_ring_map bad_ring;

static void
bad_state_unknown(void)
{
	send_state(9, PROTO_AUDIO_ENABLED);
}

static void
bad_removed_unknown(void)
{
	send_ok(proto_send_audio_stream_removed(h.conn, 9), "AUDIO_STREAM_REMOVED");
}

static void
bad_duplicate(void)
{
	struct proto_audio_ring_map second;
	close(send_stream(STREAM, PROTO_AUDIO_PLAYBACK, 1024, true, &bad_ring));
	close(send_stream(STREAM, PROTO_AUDIO_PLAYBACK, 1024, true, &second));
	proto_audio_ring_unmap(&second);
}

static void
bad_too_many(void)
{
	for (uint32_t id = 1; id <= PROTO_MAX_AUDIO_STREAMS + 1; id++) {
		struct proto_audio_ring_map r;
		close(send_stream(id, PROTO_AUDIO_PLAYBACK, 1024, true, &r));
		proto_audio_ring_unmap(&r);
	}
}

static void
bad_unsealed_ring(void)
{
	int fd = harness_memfd(4096, 16, 0, false);
	struct proto_audio_stream st = {
		.stream_id = 3, .direction = PROTO_AUDIO_PLAYBACK,
		.format = PROTO_AUDIO_S16, .rate = RATE, .channels = CH,
		.capacity = 1024,
	};
	send_ok(proto_send_audio_stream(h.conn, &st, fd), "AUDIO_STREAM");
	close(fd);
}

static const struct bad_case {
	const char *name;
	void (*send)(void);
	enum proto_error code;
	const char *message;  /* what the viewer's stderr must name */
	const char *arg;      /* an option, or NULL */
} bad_cases[] = {
	{ "state-unknown", bad_state_unknown, PROTO_ERR_UNKNOWN_ID,
	  "AUDIO_STATE: stream 9 is not known", NULL },
	{ "removed-unknown", bad_removed_unknown, PROTO_ERR_UNKNOWN_ID,
	  "AUDIO_STREAM_REMOVED: stream 9 is not known", NULL },
	{ "duplicate", bad_duplicate, PROTO_ERR_ID_IN_USE,
	  "AUDIO_STREAM: stream id 1 is already in use", NULL },
	{ "too-many", bad_too_many, PROTO_ERR_LIMIT,
	  "stream 9 would be live stream number 9, at most 8 are allowed", NULL },
	{ "unsealed-ring", bad_unsealed_ring, PROTO_ERR_BAD_FD,
	  "AUDIO_STREAM 3 (playback, 1024 frames of 4 bytes): the audio ring "
	  "is not a memfd sealed", NULL },
	{ "not-agreed", bad_state_unknown, PROTO_ERR_UNEXPECTED,
	  "AUDIO_STATE: AUDIO was not agreed in the HELLOs", "off" },
};

static void
run_bad(const struct bad_case *bc)
{
	start(bc->arg ? (const char *const[]){ "--audio", bc->arg, NULL } : NULL);
	send_hello();
	bc->send();
	harness_expect(&h, PROTO_ERROR);
	const struct proto_error_msg *err = proto_packet_body(h.pkt);
	REQUIRE(err->code == (uint32_t)bc->code, "ERROR %s (\"%s\"), expected %s",
		proto_error_name(err->code), (const char *)(err + 1),
		proto_error_name(bc->code));
	printf("%s: the viewer sent ERROR %s: %s\n", bc->name,
	       proto_error_name(err->code), (const char *)(err + 1));
	harness_expect_exit(&h, 1);
	harness_expect_stderr(&h, "qemu-eglview: protocol error from ");
	harness_expect_stderr(&h, bc->message);
	proto_audio_ring_unmap(&bad_ring);
}

int
main(int argc, char *argv[])
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s QEMU_EGLVIEW CASE\n", argv[0]);
		return 2;
	}
	harness_init(&h, argv[1]);
	harness_listen(&h);
	const char *name = argv[2];
	bool found = true;
	/* A driver SDL does not have: no audio device at all. */
	if (strcmp(name, "no-device") == 0)
		setenv("SDL_AUDIODRIVER", "bogus", 1);
	else
		unsetenv("SDL_AUDIODRIVER");
	if (strcmp(name, "play") == 0)
		case_play();
	else if (strcmp(name, "record") == 0)
		case_record();
	else if (strcmp(name, "off") == 0)
		case_off();
	else if (strcmp(name, "no-device") == 0)
		case_no_device();
	else if (strcmp(name, "two-vms") == 0)
		case_two_vms();
	else
		found = false;
	for (size_t i = 0; !found && i < sizeof(bad_cases) / sizeof(bad_cases[0]);
	     i++) {
		if (strcmp(bad_cases[i].name, name) == 0) {
			run_bad(&bad_cases[i]);
			found = true;
		}
	}
	harness_finish(&h);
	if (!found) {
		fprintf(stderr, "unknown case \"%s\"\n", name);
		return 2;
	}
	if (test_failures)
		return 1;
	printf("%s: passed\n", name);
	return 0;
}
