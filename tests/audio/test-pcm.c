/* SPDX-License-Identifier: MIT */
/*
 * The player's arithmetic (viewer/audio/pcm.c) on a made-up clock. A
 * producer writes a 440 Hz sine (S16, 48 kHz by its own clock, 2 ch) in
 * bursts of 1024 frames, each late by up to 10 ms of jitter, into a real
 * ring (protocol/audio.c); the player fills periods of 480 frames at
 * exactly 48 kHz. What a listener would hear is checked:
 *
 * - fast-producer / slow-producer: the producer's clock runs 0.3 % fast
 *   or slow. After 20 s the queue is near the target (median at most
 *   40 ms, p99 at most 55 ms) with no underrun or overrun, the pitch is
 *   the producer's (440 Hz x 1.003, within 200 ppm: the drift is taken
 *   up by resampling, not by dropping or repeating frames), the pitch of
 *   every second stays within 0.6 % of it, and no frame-to-frame step is
 *   larger than the sine's own (no click);
 * - stall: the producer stops for 200 ms once: one underrun, faded (no
 *   click), and the sound comes back;
 * - flood: the producer writes 300 ms at once: one overrun, crossfaded
 *   (no gap, no step beyond the sine's own slope and 10 %), and the
 *   queue is near the target again 2 s later;
 * - stop: the guest disables the stream and stops writing: what was
 *   queued plays out, then silence with no underrun counted and no
 *   click; enabled again, the tone is back;
 * - volume: AUDIO_STATE's volume ramps the level (no click) to
 *   volume/255, mute to silence;
 * - formats: U8, S16, S32 and F32 to float and back.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/pcm.h"
#include "check.h"
#include "proto.h"

#define RATE 48000
#define CH 2
#define PERIOD 480 /* 10 ms, as the viewer opens its devices */
#define BURST 1024
#define TONE 440.0
#define AMP 0.5
#define NS 1000000000.0

struct sim {
	struct proto_audio_ring_map ring;
	struct pcm_player player;
	double clock;            /* the producer's rate / the device's */
	uint64_t produced;       /* frames written */
	double next_write_s;     /* when the next burst is due (no jitter) */
	double delay_s;          /* the next burst's jitter */
	uint32_t seed;
	double stall_at, stall_s;/* a pause of the producer */
	double flood_at;         /* a 300 ms write at once */
	bool flooded;
	/* What the device played, channel 0, and when each period was. */
	float *out;
	size_t n_out, cap_out;
};

static double
jitter_s(struct sim *s)
{
	s->seed = s->seed * 1103515245u + 12345u;
	return (double)((s->seed >> 16) % 1000) / 1000.0 * 0.010;
}

static void
produce(struct sim *s, uint32_t n, double now_s)
{
	int16_t buf[BURST * 16 * CH];
	for (uint32_t k = 0; k < n; k++) {
		double v = AMP * sin(2 * M_PI * TONE * (double)(s->produced + k) /
				     RATE);
		for (int c = 0; c < CH; c++)
			buf[k * CH + c] = (int16_t)lrint(v * 32767.0);
	}
	proto_audio_ring_write(&s->ring, buf, n, (uint64_t)(now_s * NS));
	s->produced += n;
}

static void
sim_init(struct sim *s, double clock)
{
	*s = (struct sim){ .clock = clock, .seed = 1, .stall_at = -1,
			   .flood_at = -1, .next_write_s = 0.005 };
	char why[256];
	int fd = proto_audio_ring_create(RATE / 2, 2 * CH, true, &s->ring, why,
					 sizeof(why));
	REQUIRE(fd >= 0, "%s", why);
	REQUIRE(pcm_player_init(&s->player, &s->ring, PROTO_AUDIO_S16, RATE, CH,
				PERIOD, 0));
	uint8_t vol[PROTO_MAX_AUDIO_CHANNELS];
	memset(vol, 255, sizeof(vol));
	pcm_player_set_state(&s->player, PROTO_AUDIO_ENABLED, vol);
}

static void
sim_fini(struct sim *s)
{
	pcm_player_fini(&s->player);
	proto_audio_ring_unmap(&s->ring);
	free(s->out);
}

/* Runs the device for seconds more: before each period, every burst the
 * producer's clock (and its jitter) has written by then. */
static void
run(struct sim *s, double seconds)
{
	uint64_t periods = (uint64_t)(seconds * RATE / PERIOD);
	float frame[PERIOD * CH];
	for (uint64_t i = 0; i < periods; i++) {
		double now = (double)s->n_out / RATE;
		if (s->flood_at >= 0 && !s->flooded && now >= s->flood_at) {
			produce(s, RATE * 3 / 10, now);
			s->flooded = true;
		}
		double burst_s = BURST / (RATE * s->clock);
		while (s->next_write_s + s->delay_s <= now) {
			bool stalled = s->stall_at >= 0 &&
				       s->next_write_s >= s->stall_at &&
				       s->next_write_s < s->stall_at + s->stall_s;
			if (!stalled)
				produce(s, BURST, now);
			s->next_write_s += burst_s;
			s->delay_s = jitter_s(s);
		}
		pcm_player_fill(&s->player, frame, PERIOD, (uint64_t)(now * NS));
		if (s->n_out + PERIOD > s->cap_out) {
			s->cap_out = s->cap_out ? 2 * s->cap_out : RATE * 8;
			s->out = realloc(s->out, s->cap_out * sizeof(float));
			REQUIRE(s->out != NULL);
		}
		for (int k = 0; k < PERIOD; k++)
			s->out[s->n_out + k] = frame[k * CH];
		s->n_out += PERIOD;
	}
}

/* The pitch of out[from, to) by rising zero crossings (interpolated). */
static double
pitch(const struct sim *s, size_t from, size_t to)
{
	double first = -1, last = -1;
	int crossings = 0;
	for (size_t i = from + 1; i < to; i++) {
		float a = s->out[i - 1], b = s->out[i];
		if (a < 0 && b >= 0) {
			double t = (double)(i - 1) + a / (a - b);
			if (first < 0)
				first = t;
			last = t;
			crossings++;
		}
	}
	if (crossings < 2)
		return 0.0;
	return (crossings - 1) * RATE / (last - first);
}

/* The largest step between two frames played in out[from, to). */
static double
max_step(const struct sim *s, size_t from, size_t to)
{
	double m = 0;
	for (size_t i = from + 1; i < to; i++) {
		double d = fabs((double)s->out[i] - s->out[i - 1]);
		if (d > m)
			m = d;
	}
	return m;
}

/* The sine's own largest step at the pitch it is played at. */
static double
sine_step(double hz)
{
	return AMP * 2 * M_PI * hz / RATE;
}

static void
reset_stats(struct sim *s)
{
	memset(&s->player.stats, 0, sizeof(s->player.stats));
}

static void
drift_case(double clock)
{
	struct sim s;
	sim_init(&s, clock);
	run(&s, 20.0);
	CHECK(s.player.stats.overruns == 0 && s.player.stats.underruns == 0,
	      "%llu overruns, %llu underruns while settling",
	      (unsigned long long)s.player.stats.overruns,
	      (unsigned long long)s.player.stats.underruns);
	size_t settled = s.n_out;
	reset_stats(&s);
	run(&s, 40.0);
	const struct pcm_stats *st = &s.player.stats;
	double median = pcm_hist_percentile(st->queued, 50);
	double p99 = pcm_hist_percentile(st->queued, 99);
	double expected = TONE * clock;
	double hz = pitch(&s, settled, s.n_out);
	printf("clock %.3f: queued ms median %.1f p99 %.1f, latency ms median "
	       "%.1f, drift %.0f ppm, pitch %.3f Hz (expected %.3f), max step "
	       "%.4f (sine's %.4f), underruns %llu overruns %llu\n", clock,
	       median, p99, pcm_hist_percentile(st->latency, 50),
	       pcm_player_drift_ppm(&s.player), hz, expected,
	       max_step(&s, 0, s.n_out), sine_step(expected),
	       (unsigned long long)st->underruns,
	       (unsigned long long)st->overruns);
	CHECK(median <= 40.0, "queued median %.1f ms", median);
	CHECK(p99 <= 55.0, "queued p99 %.1f ms", p99);
	CHECK(st->underruns == 0 && st->overruns == 0 && st->lost == 0,
	      "underruns %llu overruns %llu lost %llu once settled",
	      (unsigned long long)st->underruns,
	      (unsigned long long)st->overruns, (unsigned long long)st->lost);
	CHECK(fabs(hz / expected - 1.0) < 200e-6, "pitch %.3f Hz, expected "
	      "%.3f", hz, expected);
	CHECK(fabs(pcm_player_drift_ppm(&s.player) - (clock - 1.0) * 1e6) < 500,
	      "drift %.0f ppm", pcm_player_drift_ppm(&s.player));
	for (size_t w = settled; w + RATE <= s.n_out; w += RATE) {
		double f = pitch(&s, w, w + RATE);
		CHECK(fabs(f / expected - 1.0) < 0.006, "pitch %.2f Hz in the "
		      "second from %.0f s", f, (double)w / RATE);
	}
	double step = max_step(&s, 0, s.n_out);
	CHECK(step <= sine_step(expected) * 1.02, "a step of %.4f, the sine's "
	      "own is %.4f: a click", step, sine_step(expected));
	sim_fini(&s);
}

static void
test_fast_producer(void)
{
	drift_case(1.003);
}

static void
test_slow_producer(void)
{
	drift_case(0.997);
}

static void
test_stall(void)
{
	struct sim s;
	sim_init(&s, 1.0);
	s.stall_at = 5.0;
	s.stall_s = 0.2;
	run(&s, 4.0);
	reset_stats(&s);
	run(&s, 6.0);
	const struct pcm_stats *st = &s.player.stats;
	CHECK(st->underruns == 1, "%llu underruns for one stall",
	      (unsigned long long)st->underruns);
	CHECK(st->overruns == 0);
	double step = max_step(&s, 0, s.n_out);
	CHECK(step <= sine_step(TONE) * 1.02, "a step of %.4f at the stall, "
	      "the sine's own is %.4f", step, sine_step(TONE));
	/* Silence in the stall, the tone after it. */
	size_t in_stall = (size_t)(5.15 * RATE), after = (size_t)(6.0 * RATE);
	CHECK(max_step(&s, in_stall, in_stall + RATE / 50) == 0.0,
	      "sound during the stall");
	double hz = pitch(&s, after, after + 2 * RATE);
	CHECK(fabs(hz / TONE - 1.0) < 0.006, "%.2f Hz after the stall", hz);
	sim_fini(&s);
}

static void
test_flood(void)
{
	struct sim s;
	sim_init(&s, 1.0);
	s.flood_at = 5.0;
	run(&s, 4.0);
	reset_stats(&s);
	run(&s, 2.0);
	const struct pcm_stats *st = &s.player.stats;
	CHECK(st->overruns == 1, "%llu overruns for one flood",
	      (unsigned long long)st->overruns);
	/* The crossfade adds at most the amplitude's difference over its
	 * 10 ms to the sine's own slope; a click is a jump of up to 1.0. */
	double step = max_step(&s, 0, s.n_out);
	CHECK(step <= sine_step(TONE) * 1.1, "a step of %.4f at the flood, "
	      "the sine's own is %.4f", step, sine_step(TONE));
	size_t gap = 0, run_len = 0;
	for (size_t i = 4 * RATE; i < s.n_out; i++) {
		run_len = s.out[i] == 0.0f ? run_len + 1 : 0;
		gap = run_len > gap ? run_len : gap;
	}
	CHECK(gap <= 2, "a gap of %zu frames at the flood", gap);
	/* The ratio's limit (0.5 %) takes up 5 ms a second: the queue is
	 * back at the target within 2 s. */
	run(&s, 1.0);
	reset_stats(&s);
	run(&s, 2.0);
	double median = pcm_hist_percentile(st->queued, 50);
	CHECK(median <= 40.0, "queued median %.1f ms 2 s after", median);
	CHECK(st->overruns == 0 && st->underruns == 0);
	sim_fini(&s);
}

static void
test_stop(void)
{
	struct sim s;
	sim_init(&s, 1.0);
	run(&s, 2.0);
	uint8_t vol[PROTO_MAX_AUDIO_CHANNELS];
	memset(vol, 255, sizeof(vol));
	/* The guest stops: its last frames are in the ring, no more come. */
	uint64_t produced = s.produced;
	pcm_player_set_state(&s.player, 0, vol);
	s.stall_at = s.next_write_s;
	s.stall_s = 1.0;
	size_t stop = s.n_out;
	run(&s, 1.0);
	CHECK(s.player.stats.underruns == 0, "%llu underruns at a stop",
	      (unsigned long long)s.player.stats.underruns);
	/* The tail: every frame written before the stop was played. */
	CHECK(s.player.pos == produced, "%lld frames of the tail not played",
	      (long long)(produced - s.player.pos));
	size_t quiet = stop + RATE / 10;
	for (size_t i = quiet; i < s.n_out; i++)
		REQUIRE(s.out[i] == 0.0f, "sound %.3f s after the stop",
			(double)(i - stop) / RATE);
	pcm_player_set_state(&s.player, PROTO_AUDIO_ENABLED, vol);
	size_t again = s.n_out;
	run(&s, 1.0);
	double hz = pitch(&s, again + RATE / 10, s.n_out);
	CHECK(fabs(hz / TONE - 1.0) < 0.006, "%.2f Hz after enabling again", hz);
	double step = max_step(&s, 0, s.n_out);
	CHECK(step <= sine_step(TONE) * 1.02, "a step of %.4f at a stop, the "
	      "sine's own is %.4f", step, sine_step(TONE));
	sim_fini(&s);
}

/* The largest |sample| of out[from, to). */
static double
peak(const struct sim *s, size_t from, size_t to)
{
	double m = 0;
	for (size_t i = from; i < to; i++)
		m = fabs(s->out[i]) > m ? fabs(s->out[i]) : m;
	return m;
}

static void
test_volume(void)
{
	struct sim s;
	sim_init(&s, 1.0);
	run(&s, 2.0);
	uint8_t vol[PROTO_MAX_AUDIO_CHANNELS];
	memset(vol, 64, sizeof(vol));
	pcm_player_set_state(&s.player, PROTO_AUDIO_ENABLED, vol);
	size_t quiet = s.n_out;
	run(&s, 1.0);
	double level = peak(&s, quiet + RATE / 10, s.n_out);
	CHECK(fabs(level - AMP * 64 / 255) < 0.01, "peak %.3f at volume 64, "
	      "expected %.3f", level, AMP * 64 / 255);
	pcm_player_set_state(&s.player, PROTO_AUDIO_ENABLED | PROTO_AUDIO_MUTED,
			     vol);
	size_t muted = s.n_out;
	run(&s, 1.0);
	CHECK(peak(&s, muted + RATE / 10, s.n_out) == 0.0, "sound while muted");
	memset(vol, 255, sizeof(vol));
	pcm_player_set_state(&s.player, PROTO_AUDIO_ENABLED, vol);
	size_t loud = s.n_out;
	run(&s, 1.0);
	level = peak(&s, loud + RATE / 10, s.n_out);
	CHECK(fabs(level - AMP) < 0.01, "peak %.3f at full volume", level);
	/* A ramp is no click. */
	double step = max_step(&s, 0, s.n_out);
	CHECK(step <= sine_step(TONE) * 1.02, "a step of %.4f at a volume "
	      "change, the sine's own is %.4f", step, sine_step(TONE));
	sim_fini(&s);
}

static void
test_formats(void)
{
	static const float in[] = { -1.0f, -0.5f, 0.0f, 0.25f, 0.999f };
	const size_t n = sizeof(in) / sizeof(in[0]);
	static const uint32_t formats[] = { PROTO_AUDIO_U8, PROTO_AUDIO_S16,
					    PROTO_AUDIO_S32, PROTO_AUDIO_F32 };
	static const float tolerance[] = { 1.0f / 60, 1.0f / 16000, 1e-6f, 0 };
	for (size_t f = 0; f < 4; f++) {
		uint8_t buf[64];
		float back[8];
		pcm_from_float(formats[f], in, buf, n);
		pcm_to_float(formats[f], buf, back, n);
		for (size_t i = 0; i < n; i++)
			CHECK(fabsf(back[i] - in[i]) <= tolerance[f] + 1e-7f,
			      "%s: %f came back as %f",
			      proto_audio_format_name(formats[f]), in[i], back[i]);
	}
	/* Silence is 0x80 in U8; a hostile F32 stream's NaN and 5.0 are made
	 * sane. */
	uint8_t u8 = 0x80;
	float v;
	pcm_to_float(PROTO_AUDIO_U8, &u8, &v, 1);
	CHECK(v == 0.0f);
	float bad[2] = { NAN, 5.0f }, out[2];
	pcm_to_float(PROTO_AUDIO_F32, bad, out, 2);
	CHECK(out[0] == 0.0f && out[1] == 1.0f, "%f %f", out[0], out[1]);
	CHECK(pcm_volume_gain(255) == 1.0f && pcm_volume_gain(0) == 0.0f);
}

int
main(int argc, char **argv)
{
	static const struct test_case cases[] = {
		{ "formats", test_formats },
		{ "fast-producer", test_fast_producer },
		{ "slow-producer", test_slow_producer },
		{ "stall", test_stall },
		{ "flood", test_flood },
		{ "volume", test_volume },
		{ "stop", test_stop },
	};
	if (argc != 2) {
		fprintf(stderr, "usage: %s CASE\n", argv[0]);
		return 2;
	}
	return test_run_case(argv[0], cases, sizeof(cases) / sizeof(cases[0]),
			     argv[1]);
}
