/* SPDX-License-Identifier: MIT */
/*
 * QEMU's sound (org.qemu.Display1.Audio, with -audiodev dbus,id=ID and
 * -display dbus,...,audiodev=ID): an AudioOutListener and an
 * AudioInListener, each served to QEMU on its own socketpair as the
 * console Listener is (listener.c). Each voice QEMU announces (Init: one
 * per direction with QEMU's mixing engine, one per device without it)
 * becomes a libeglview-server audio stream: Write goes into the PLAYBACK
 * ring, Read is answered at once from the RECORD ring with what the
 * viewer recorded (QEMU 7.2 takes what it gets: the microphone paces the
 * guest), silence at the stream's rate while nobody records. Volume and
 * mute pass through: the viewers apply them.
 *
 * QEMU < 8.0 crashes (SIGSEGV in audio-dbus) on RegisterOutListener over
 * a peer-to-peer connection, so there the listeners are not registered
 * (the version comes from QMP, p2p.c) and the reason is said once.
 */
#include <gio/gio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu/private.h"

#define AUDIO_PATH QEMU_ROOT_PATH "/Audio"
#define AUDIO_IFACE "org.qemu.Display1.Audio"
/* The most a Read may ask for (QEMU asks a few KiB). */
#define AUDIO_MAX_READ (4u * 1024 * 1024)

/* The two listeners' interfaces (ui/dbus-display1.xml, QEMU 7.0 on). */
#define VOICE_METHODS \
	"  <method name='Init'>" \
	"   <arg type='t' name='id' direction='in'/>" \
	"   <arg type='y' name='bits' direction='in'/>" \
	"   <arg type='b' name='is_signed' direction='in'/>" \
	"   <arg type='b' name='is_float' direction='in'/>" \
	"   <arg type='u' name='freq' direction='in'/>" \
	"   <arg type='y' name='nchannels' direction='in'/>" \
	"   <arg type='u' name='bytes_per_frame' direction='in'/>" \
	"   <arg type='u' name='bytes_per_second' direction='in'/>" \
	"   <arg type='b' name='be' direction='in'/>" \
	"  </method>" \
	"  <method name='Fini'>" \
	"   <arg type='t' name='id' direction='in'/>" \
	"  </method>" \
	"  <method name='SetEnabled'>" \
	"   <arg type='t' name='id' direction='in'/>" \
	"   <arg type='b' name='enabled' direction='in'/>" \
	"  </method>" \
	"  <method name='SetVolume'>" \
	"   <arg type='t' name='id' direction='in'/>" \
	"   <arg type='b' name='mute' direction='in'/>" \
	"   <arg type='ay' name='volume' direction='in'/>" \
	"  </method>"

static const char audio_xml[] =
	"<node>"
	" <interface name='org.qemu.Display1.AudioOutListener'>"
	VOICE_METHODS
	"  <method name='Write'>"
	"   <arg type='t' name='id' direction='in'/>"
	"   <arg type='ay' name='data' direction='in'/>"
	"  </method>"
	" </interface>"
	" <interface name='org.qemu.Display1.AudioInListener'>"
	VOICE_METHODS
	"  <method name='Read'>"
	"   <arg type='t' name='id' direction='in'/>"
	"   <arg type='t' name='size' direction='in'/>"
	"   <arg type='ay' name='data' direction='out'/>"
	"  </method>"
	" </interface>"
	"</node>";

static GDBusNodeInfo *audio_info;

/* One of QEMU's voices. audio NULL: its format is not ours (ignored). */
struct voice {
	uint64_t id;
	struct server_audio *audio;
	uint32_t format;           /* enum proto_audio_format */
	uint32_t frame_bytes;
	uint32_t sample_bytes;
	bool swap;                 /* big-endian samples */
	uint32_t rate;
	/* RECORD with nobody recording: silence at the voice's rate, counted
	 * from pace_start_us (0: not pacing). */
	int64_t pace_start_us;
	uint64_t pace_frames;
	int64_t enabled_us;        /* SetEnabled(true) not yet followed by a
				    * Write (0: none waits); --verbose says
				    * how long the first took */
};

/* One direction's listener and its voices. */
struct side {
	struct qemu_bridge *bridge;
	uint32_t direction;        /* PROTO_AUDIO_PLAYBACK / RECORD */
	const char *name;          /* "Out" / "In" */
	struct qemu_served served; /* QEMU calls our listener on it */
	struct voice voices[PROTO_MAX_AUDIO_STREAMS];
	uint32_t n_voices;
	uint8_t *scratch;          /* byte-swapped samples */
	size_t scratch_size;
};

struct qemu_audio {
	struct side sides[2];
	GCancellable *probe;       /* the Introspect of /Audio */
};

/* --- voices ------------------------------------------------------------ */

static struct voice *
find_voice(struct side *s, uint64_t id)
{
	for (uint32_t i = 0; i < s->n_voices; i++)
		if (s->voices[i].id == id)
			return &s->voices[i];
	return NULL;
}

static void
drop_voice(struct side *s, struct voice *v)
{
	if (v->audio != NULL)
		qemu_verbose("audio: %s voice %" G_GUINT64_FORMAT " ended "
			     "(stream %u)", s->name, v->id,
			     server_audio_get_id(v->audio));
	server_audio_destroy(v->audio);
	*v = s->voices[--s->n_voices];
}

static void
drop_voices(struct side *s)
{
	while (s->n_voices > 0)
		drop_voice(s, &s->voices[s->n_voices - 1]);
}

static const char *
format_name(uint32_t format)
{
	switch (format) {
	case PROTO_AUDIO_U8: return "U8";
	case PROTO_AUDIO_S16: return "S16";
	case PROTO_AUDIO_S32: return "S32";
	default: return "F32";
	}
}

/* QEMU's audsettings as a protocol format; 0 when there is none. */
static uint32_t
map_format(uint8_t bits, bool is_signed, bool is_float)
{
	if (is_float)
		return bits == 32 ? PROTO_AUDIO_F32 : 0;
	if (bits == 8 && !is_signed)
		return PROTO_AUDIO_U8;
	if (bits == 16 && is_signed)
		return PROTO_AUDIO_S16;
	if (bits == 32 && is_signed)
		return PROTO_AUDIO_S32;
	return 0;
}

static void
voice_init(struct side *s, GVariant *params)
{
	uint64_t id;
	uint8_t bits, channels;
	gboolean is_signed, is_float, be;
	uint32_t rate, frame_bytes, bytes_per_second;
	g_variant_get(params, "(tybbuyuub)", &id, &bits, &is_signed,
		      &is_float, &rate, &channels, &frame_bytes,
		      &bytes_per_second, &be);
	struct voice *v = find_voice(s, id);
	if (v != NULL)
		drop_voice(s, v); /* Init again: a new format */
	if (s->n_voices == PROTO_MAX_AUDIO_STREAMS) {
		qemu_error("audio: %s voice %" G_GUINT64_FORMAT " left out: "
			   "%d voices already", s->name, id,
			   PROTO_MAX_AUDIO_STREAMS);
		return;
	}
	v = &s->voices[s->n_voices++];
	*v = (struct voice){ .id = id, .rate = rate,
			     .frame_bytes = frame_bytes > 0 ? frame_bytes : 1 };
	uint32_t format = map_format(bits, is_signed, is_float);
	if (format == 0 || channels < 1 ||
	    channels > PROTO_MAX_AUDIO_CHANNELS ||
	    frame_bytes != (uint32_t)bits / 8 * channels ||
	    rate < PROTO_AUDIO_MIN_RATE || rate > PROTO_AUDIO_MAX_RATE) {
		/* Kept without a stream: its calls are answered, unheard. */
		qemu_error("audio: %s voice %" G_GUINT64_FORMAT " ignored: "
			   "format not supported (bits %u, %s, %s, %u Hz, %u "
			   "channel(s), %u bytes per frame, %s-endian)",
			   s->name, id, bits, is_signed ? "signed" : "unsigned",
			   is_float ? "float" : "integer", rate, channels,
			   frame_bytes, be ? "big" : "little");
		return;
	}
	v->format = format;
	v->frame_bytes = frame_bytes;
	v->sample_bytes = bits / 8;
	v->swap = be && bits > 8;
	v->audio = server_audio_create(s->bridge->server, s->direction,
				       format, rate, channels, 0);
	if (v->audio == NULL)
		return; /* logged by the server */
	qemu_verbose("audio: %s voice %" G_GUINT64_FORMAT ": %u Hz, %u ch, "
		     "%s%s: stream %u", s->name, id, rate, channels,
		     format_name(format), v->swap ? " (big-endian, swapped)" :
		     "", server_audio_get_id(v->audio));
}

/* Swaps each sample of n bytes in place. */
static void
swap_samples(uint8_t *p, size_t n, uint32_t sample_bytes)
{
	for (size_t i = 0; i + sample_bytes <= n; i += sample_bytes)
		for (uint32_t a = 0, b = sample_bytes - 1; a < b; a++, b--) {
			uint8_t t = p[i + a];
			p[i + a] = p[i + b];
			p[i + b] = t;
		}
}

static uint8_t *
scratch(struct side *s, size_t size)
{
	if (size > s->scratch_size) {
		uint8_t *p = realloc(s->scratch, size);
		if (p == NULL)
			return NULL;
		s->scratch = p;
		s->scratch_size = size;
	}
	return s->scratch;
}

static void
voice_write(struct side *s, GVariant *params)
{
	uint64_t id;
	GVariant *data;
	g_variant_get(params, "(t@ay)", &id, &data);
	struct voice *v = find_voice(s, id);
	size_t size;
	const uint8_t *bytes = g_variant_get_fixed_array(data, &size, 1);
	if (v != NULL && v->enabled_us != 0) {
		qemu_verbose("audio: %s voice %" G_GUINT64_FORMAT ": first Write "
			     "%.1f ms after SetEnabled", s->name, id,
			     (double)(g_get_monotonic_time() - v->enabled_us) /
			     1000.0);
		v->enabled_us = 0;
	}
	if (v != NULL && v->audio != NULL) {
		size_t n = size / v->frame_bytes;
		if (v->swap) {
			uint8_t *p = scratch(s, n * v->frame_bytes);
			if (p != NULL) {
				memcpy(p, bytes, n * v->frame_bytes);
				swap_samples(p, n * v->frame_bytes,
					     v->sample_bytes);
			} else {
				n = 0;
			}
			bytes = p;
		}
		if (n > 0)
			server_audio_write(v->audio, bytes, (uint32_t)n);
	}
	g_variant_unref(data);
}

/* Frames of silence a voice nobody records into may take now: its rate
 * in real time since pacing began, a Read's worth of catching up at most. */
static uint64_t
paced_silence(struct voice *v, uint64_t n)
{
	int64_t now = g_get_monotonic_time();
	uint64_t due = v->pace_start_us == 0 ? n : (uint64_t)(now -
		v->pace_start_us) * v->rate / G_USEC_PER_SEC - v->pace_frames;
	if (v->pace_start_us == 0 || due > 2 * n) {
		/* Started, or long idle: from now on, with one Read's worth. */
		v->pace_start_us = now;
		v->pace_frames = 0;
		due = n;
	}
	if (due > n)
		due = n;
	v->pace_frames += due;
	return due;
}

/* At once, never blocking. QEMU 7.2 does not pace its capture (dbus_read
 * has its rate control commented out and takes however many bytes come
 * back, up to size): answered with size bytes every time, the guest would
 * record several times faster than real time, mostly silence between the
 * microphone's pieces. So the answer is what the viewer recorded since
 * (the microphone's clock paces the guest), and while no viewer records,
 * silence at the stream's rate. */
static void
voice_read(struct side *s, GDBusMethodInvocation *inv, GVariant *params)
{
	uint64_t id, size;
	g_variant_get(params, "(tt)", &id, &size);
	if (size > AUDIO_MAX_READ) {
		g_dbus_method_invocation_return_dbus_error(inv,
			"org.qemu.Display1.Error.Failed", "Read too large");
		return;
	}
	struct voice *v = find_voice(s, id);
	uint8_t *buf = g_malloc0(size > 0 ? size : 1);
	size_t answer = 0;
	if (v != NULL) {
		uint64_t n = size / v->frame_bytes, got;
		if (v->audio != NULL && server_audio_recording(v->audio)) {
			v->pace_start_us = 0;
			got = n > 0 ? server_audio_read(v->audio, buf,
							(uint32_t)n) : 0;
			if (v->swap)
				swap_samples(buf, got * v->frame_bytes,
					     v->sample_bytes);
		} else {
			got = paced_silence(v, n);
			if (v->format == PROTO_AUDIO_U8)
				memset(buf, 0x80, got * v->frame_bytes);
		}
		answer = got * v->frame_bytes;
	}
	g_dbus_method_invocation_return_value(inv, g_variant_new("(@ay)",
		g_variant_new_from_data(G_VARIANT_TYPE_BYTESTRING, buf, answer,
					TRUE, g_free, buf)));
}

static void
audio_call(GDBusConnection *conn, const gchar *sender, const gchar *path,
	   const gchar *iface, const gchar *method, GVariant *params,
	   GDBusMethodInvocation *inv, gpointer data)
{
	(void)conn; (void)sender; (void)path; (void)iface;
	struct side *s = data;
	if (strcmp(method, "Write") == 0) {
		/* Answered first: QEMU does not wait, nor should it. */
		g_dbus_method_invocation_return_value(inv, NULL);
		voice_write(s, params);
		return;
	}
	if (strcmp(method, "Read") == 0) {
		voice_read(s, inv, params);
		return;
	}
	g_dbus_method_invocation_return_value(inv, NULL);
	if (strcmp(method, "Init") == 0) {
		voice_init(s, params);
		return;
	}
	uint64_t id;
	g_variant_get_child(params, 0, "t", &id);
	struct voice *v = find_voice(s, id);
	if (v == NULL)
		return;
	if (strcmp(method, "Fini") == 0) {
		drop_voice(s, v);
	} else if (strcmp(method, "SetEnabled") == 0) {
		gboolean on;
		g_variant_get(params, "(tb)", &id, &on);
		qemu_verbose("audio: %s voice %" G_GUINT64_FORMAT " %s",
			     s->name, id, on ? "enabled" : "disabled");
		v->enabled_us = on && s->direction == PROTO_AUDIO_PLAYBACK ?
			g_get_monotonic_time() : 0;
		if (v->audio != NULL)
			server_audio_set_enabled(v->audio, on);
	} else if (strcmp(method, "SetVolume") == 0) {
		gboolean mute;
		GVariant *vol;
		g_variant_get(params, "(tb@ay)", &id, &mute, &vol);
		size_t n;
		const uint8_t *volume = g_variant_get_fixed_array(vol, &n, 1);
		if (n > PROTO_MAX_AUDIO_CHANNELS)
			n = PROTO_MAX_AUDIO_CHANNELS;
		char levels[PROTO_MAX_AUDIO_CHANNELS * 4 + 1] = "";
		for (size_t i = 0; i < n; i++)
			snprintf(levels + i * 4, sizeof(levels) - i * 4, " %3u",
				 volume[i]);
		qemu_verbose("audio: %s voice %" G_GUINT64_FORMAT " volume%s%s",
			     s->name, id, levels, mute ? ", muted" : "");
		if (v->audio != NULL)
			server_audio_set_volume(v->audio, mute, volume,
						(uint32_t)n);
		g_variant_unref(vol);
	}
}

static const GDBusInterfaceVTable audio_vtable = {
	.method_call = audio_call,
};

/* --- the listeners' connections ---------------------------------------- */

static void
close_side(struct side *s)
{
	qemu_served_close(&s->served);
	/* Fini is not guaranteed (QEMU quits without it): the connection's
	 * end is the end of its streams. */
	drop_voices(s);
}

static void
on_side_closed(gpointer data)
{
	close_side(data);
}

static void
register_side(struct side *s)
{
	struct qemu_served *l = &s->served;
	snprintf(l->what, sizeof(l->what), "audio: %s listener", s->name);
	snprintf(l->object_path, sizeof(l->object_path),
		 QEMU_ROOT_PATH "/Audio%sListener", s->name);
	l->info = audio_info->interfaces[s->direction == PROTO_AUDIO_PLAYBACK ?
					 0 : 1];
	l->vtable = &audio_vtable;
	l->data = s;
	l->closed = on_side_closed;
	char method[32], why[256];
	snprintf(method, sizeof(method), "Register%sListener", s->name);
	if (!qemu_serve(s->bridge, l, AUDIO_PATH, AUDIO_IFACE, method, why,
			sizeof(why)))
		qemu_error("%s: %s", l->what, why);
}

/* --- attach and detach ------------------------------------------------- */

/* QEMU < 8.0 dereferences the (absent) sender of a peer-to-peer call in
 * RegisterOutListener: over p2p the listeners would crash it. */
static bool
p2p_unsafe(const struct qemu_bridge *bridge)
{
	if (bridge->options.qmp_path == NULL || bridge->qemu_major >= 8)
		return false;
	static bool said;
	if (!said)
		qemu_error("audio: the VM's sound is not played: QEMU %u.%u.%u "
			   "crashes when an audio listener registers "
			   "peer-to-peer (fixed in QEMU 8.0); use the bus mode "
			   "for sound (-display dbus,addr=...,audiodev=ID and "
			   "eglview-shim --dbus-address)", bridge->qemu_major,
			   bridge->qemu_minor, bridge->qemu_micro);
	said = true;
	return true;
}

static void
on_probed(GObject *source, GAsyncResult *res, gpointer data)
{
	struct qemu_bridge *bridge = data;
	GError *error = NULL;
	GVariant *reply = g_dbus_connection_call_finish(
		G_DBUS_CONNECTION(source), res, &error);
	if (reply == NULL) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			qemu_verbose("audio: cannot introspect %s: %s",
				     AUDIO_PATH, error->message);
		g_error_free(error);
		return;
	}
	const char *xml;
	g_variant_get(reply, "(&s)", &xml);
	bool present = strstr(xml, AUDIO_IFACE "\"") != NULL ||
		strstr(xml, AUDIO_IFACE "'") != NULL;
	g_variant_unref(reply);
	g_clear_object(&bridge->audio->probe);
	if (!present) {
		qemu_verbose("audio: the VM has no sound on D-Bus (QEMU needs "
			     "-audiodev dbus,id=ID and -display dbus,...,"
			     "audiodev=ID)");
		return;
	}
	if (p2p_unsafe(bridge))
		return;
	for (int i = 0; i < 2; i++)
		register_side(&bridge->audio->sides[i]);
}

void
qemu_audio_attach(struct qemu_bridge *bridge)
{
	if (audio_info == NULL)
		audio_info = g_dbus_node_info_new_for_xml(audio_xml, NULL);
	if (bridge->audio == NULL) {
		bridge->audio = calloc(1, sizeof(*bridge->audio));
		if (bridge->audio == NULL)
			return;
		for (int i = 0; i < 2; i++) {
			struct side *s = &bridge->audio->sides[i];
			s->bridge = bridge;
			s->direction = i == 0 ? PROTO_AUDIO_PLAYBACK :
				PROTO_AUDIO_RECORD;
			s->name = i == 0 ? "Out" : "In";
		}
	}
	/* Whether QEMU has an Audio object at all: introspecting it is
	 * safe on every version and transport. */
	bridge->audio->probe = g_cancellable_new();
	g_dbus_connection_call(bridge->control, bridge->peer, AUDIO_PATH,
		"org.freedesktop.DBus.Introspectable", "Introspect", NULL,
		G_VARIANT_TYPE("(s)"), G_DBUS_CALL_FLAGS_NO_AUTO_START,
		QEMU_CALL_TIMEOUT_MS * 5, bridge->audio->probe, on_probed,
		bridge);
}

void
qemu_audio_detach(struct qemu_bridge *bridge)
{
	struct qemu_audio *a = bridge->audio;
	if (a == NULL)
		return;
	if (a->probe != NULL) {
		g_cancellable_cancel(a->probe);
		g_clear_object(&a->probe);
	}
	for (int i = 0; i < 2; i++)
		close_side(&a->sides[i]);
}

void
qemu_audio_finish(struct qemu_bridge *bridge)
{
	qemu_audio_detach(bridge);
	if (bridge->audio != NULL) {
		for (int i = 0; i < 2; i++)
			free(bridge->audio->sides[i].scratch);
		free(bridge->audio);
		bridge->audio = NULL;
	}
}
