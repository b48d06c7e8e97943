/* SPDX-License-Identifier: MIT */
/*
 * The demo VM's sound card: a PLAYBACK and a RECORD stream (48000 Hz, 2
 * channels, S16), the tone of --tone written to the first, and the level
 * meter fed from the second while a viewer records into it. Both run on
 * one timerfd, armed only while there is something to do: a still demo
 * with neither costs nothing. Each tick writes or reads the frames that
 * CLOCK_MONOTONIC says are due, so the pace is the clock's, whatever the
 * ticks' jitter.
 */
#include <errno.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "demo/private.h"
#include "server/log.h"

#define AUDIO_RATE 48000
#define AUDIO_CHANNELS 2
#define TICK_NS 10000000L
/* The tone is kept this far ahead of the clock, so a viewer never runs
 * dry between two ticks, and no further: viewers keep their queue small. */
#define LEAD_FRAMES (AUDIO_RATE / 50)
/* More due at once than this (the loop was held up): the time lost is
 * skipped, not made up in a burst. */
#define MAX_BURST (AUDIO_RATE / 10)
#define CHUNK_FRAMES 1024
#define METER_PERIOD_NS 100000000L /* the meter is drawn at most 10 times/s */
/* A viewer that sent nothing for this long is silent; shorter waits (a
 * microphone whose clock is a little slower than ours) leave no gap. */
#define STALL_NS 250000000L

/* Frames of the stream's rate in the time since start. */
static uint64_t
frames_since(int64_t start_ns, int64_t now)
{
	return now <= start_ns ? 0 :
	       (uint64_t)(now - start_ns) * AUDIO_RATE / 1000000000u;
}

static void
set_ticking(struct demo *demo)
{
	struct demo_audio *a = &demo->audio;
	bool want = a->tone.hz != 0 || a->recording;
	if (want == a->ticking)
		return;
	struct itimerspec spec = { 0 };
	if (want)
		spec = (struct itimerspec){ .it_interval.tv_nsec = TICK_NS,
					    .it_value.tv_nsec = TICK_NS };
	if (timerfd_settime(a->timer_fd, 0, &spec, NULL) < 0) {
		server_log_error("cannot %s the demo's audio clock: %s",
				 want ? "start" : "stop", strerror(errno));
		return;
	}
	a->ticking = want;
}

static void
write_tone(struct demo *demo, int64_t now)
{
	struct demo_audio *a = &demo->audio;
	uint64_t due = frames_since(a->tone_start_ns, now) + LEAD_FRAMES;
	if (due <= a->tone_written)
		return;
	uint64_t n = due - a->tone_written;
	if (n > MAX_BURST) {
		demo_tone_skip(&a->tone, n - LEAD_FRAMES);
		a->tone_written += n - LEAD_FRAMES;
		n = LEAD_FRAMES;
	}
	int16_t chunk[CHUNK_FRAMES * AUDIO_CHANNELS];
	while (n > 0) {
		uint32_t k = n < CHUNK_FRAMES ? (uint32_t)n : CHUNK_FRAMES;
		demo_tone_fill(&a->tone, chunk, k);
		server_audio_write(a->playback, chunk, k);
		a->tone_written += k;
		n -= k;
	}
}

static void
log_level(struct demo *demo)
{
	struct demo_audio *a = &demo->audio;
	char level[16];
	int32_t tenths = demo_level_tenths(&a->level);
	demo_level_format(level, sizeof(level), tenths);
	double hz = demo_level_peak_hz(&a->level);
	if (tenths == DEMO_LEVEL_SILENT || hz <= 0.0)
		server_log_info("demo: microphone level %s dBFS, silent",
				level);
	else
		server_log_info("demo: microphone level %s dBFS, peak %.0f Hz",
				level, hz);
}

static void
read_microphone(struct demo *demo, int64_t now)
{
	struct demo_audio *a = &demo->audio;
	uint64_t due = frames_since(a->record_start_ns, now);
	if (due <= a->record_read)
		return;
	uint64_t n = due - a->record_read;
	if (n > AUDIO_RATE) { /* older than the meter's second: skip */
		a->record_read += n - AUDIO_RATE;
		a->next_log += n - AUDIO_RATE;
		n = AUDIO_RATE;
	}
	int16_t chunk[CHUNK_FRAMES * AUDIO_CHANNELS];
	while (n > 0) {
		uint32_t k = n < CHUNK_FRAMES ? (uint32_t)n : CHUNK_FRAMES;
		/* The meter hears what the viewer recorded, not the silence
		 * read where its frames are not there yet. */
		uint32_t got = server_audio_read(a->record, chunk, k);
		if (got > 0)
			a->heard_ns = now;
		bool stalled = now - a->heard_ns > STALL_NS;
		demo_level_push(&a->level, chunk, stalled ? k : got);
		a->record_read += k;
		n -= k;
		/* Once a second of the microphone's time. */
		if (a->record_read >= a->next_log) {
			log_level(demo);
			a->next_log += AUDIO_RATE;
		}
	}
	if (now < a->meter_next_ns)
		return;
	a->meter_next_ns = now + METER_PERIOD_NS;
	int32_t tenths = demo_level_tenths(&a->level);
	if (tenths != demo->meter_tenths) {
		demo->meter_tenths = tenths;
		demo_meter_redraw(demo);
	}
}

bool
demo_audio_init(struct demo *demo, char *why, size_t why_size)
{
	struct demo_audio *a = &demo->audio;
	a->timer_fd = timerfd_create(CLOCK_MONOTONIC,
				     TFD_NONBLOCK | TFD_CLOEXEC);
	if (a->timer_fd < 0) {
		snprintf(why, why_size, "timerfd_create: %s", strerror(errno));
		return false;
	}
	if (!demo_level_init(&a->level, AUDIO_RATE, AUDIO_CHANNELS)) {
		snprintf(why, why_size, "out of memory for the level meter");
		return false;
	}
	a->playback = server_audio_create(demo->server, PROTO_AUDIO_PLAYBACK,
					  PROTO_AUDIO_S16, AUDIO_RATE,
					  AUDIO_CHANNELS, 0);
	a->record = server_audio_create(demo->server, PROTO_AUDIO_RECORD,
					PROTO_AUDIO_S16, AUDIO_RATE,
					AUDIO_CHANNELS, 0);
	if (a->playback == NULL || a->record == NULL) {
		snprintf(why, why_size, "cannot add the demo's audio streams "
			 "(see the line above)");
		return false;
	}
	/* The demo's guest listens all the time: a viewer with the
	 * microphone on may record whenever it likes. */
	server_audio_set_enabled(a->record, true);
	uint32_t hz = demo->options.tone_hz;
	if (hz != 0) {
		demo_tone_init(&a->tone, hz, AUDIO_RATE, AUDIO_CHANNELS);
		server_audio_set_enabled(a->playback, true);
		a->tone_start_ns = (int64_t)proto_now_ns();
		write_tone(demo, a->tone_start_ns);
		set_ticking(demo);
	}
	return true;
}

void
demo_audio_finish(struct demo *demo)
{
	struct demo_audio *a = &demo->audio;
	server_audio_destroy(a->playback);
	server_audio_destroy(a->record);
	demo_level_finish(&a->level);
	if (a->timer_fd >= 0)
		close(a->timer_fd);
}

int
demo_get_audio_fd(const struct demo *demo)
{
	return demo->audio.timer_fd;
}

void
demo_dispatch_audio(struct demo *demo)
{
	struct demo_audio *a = &demo->audio;
	uint64_t expirations;
	if (read(a->timer_fd, &expirations, sizeof(expirations)) !=
	    sizeof(expirations))
		return;
	int64_t now = (int64_t)proto_now_ns();
	if (a->tone.hz != 0)
		write_tone(demo, now);
	if (a->recording)
		read_microphone(demo, now);
}

void
demo_check_recording(struct demo *demo)
{
	struct demo_audio *a = &demo->audio;
	bool recording = server_audio_recording(a->record);
	if (recording == a->recording)
		return;
	a->recording = recording;
	server_log_verbose("a viewer %s recording into the demo's microphone",
			   recording ? "started" : "stopped");
	if (recording) {
		demo_level_reset(&a->level);
		a->record_start_ns = (int64_t)proto_now_ns();
		a->record_read = 0;
		a->heard_ns = a->record_start_ns;
		a->next_log = AUDIO_RATE;
		a->meter_next_ns = a->record_start_ns + METER_PERIOD_NS;
		demo->meter_tenths = DEMO_LEVEL_SILENT;
	}
	demo->meter_shown = recording;
	demo_meter_redraw(demo);
	set_ticking(demo);
}
