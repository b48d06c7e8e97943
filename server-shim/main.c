/* SPDX-License-Identifier: MIT */
/*
 * eglview-shim: serves a VM's display to qemu-eglview viewers. The source
 * is the built-in demo VM, run from one poll loop here (the server's epoll
 * fd, the demo's frame and audio clocks, and a signalfd), or the QEMU
 * bridge, which runs GLib's loop (qemu/qemu.h). Messages go through
 * server/log.h.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "demo/demo.h"
#include "alloc/gbm-buffers.h"
#include "alloc/udmabuf.h"
#include "proto.h"
#include "qemu/find.h"
#include "qemu/qemu.h"
#include "server/log.h"
#include "server/server.h"

#ifndef EGLVIEW_VERSION
#define EGLVIEW_VERSION "unknown"
#endif

/* How long --frames waits for the viewers' last FRAME_DONE. */
/* Generous: a software-GL viewer under emulation (the dma-buf test VM)
 * takes several seconds over its first frame. */
#define FINISH_TIMEOUT_MS 30000

enum buffer_kind { BUFFERS_AUTO, BUFFERS_SHM, BUFFERS_DMABUF, BUFFERS_UDMABUF };

struct options {
	const char *target;        /* NAME or PATH */
	enum buffer_kind buffers;
	uint32_t width, height;
	uint32_t fps;
	uint64_t frames;           /* 0: run until a signal */
	bool wait_for_viewer;
	const char *record_path;
	bool relative_mouse;       /* demo: --mouse relative */
	bool touch;                /* demo: --touch */
	uint32_t heads;            /* demo: --heads */
	bool resizable;            /* demo: --resizable */
	const char *clipboard_text;/* demo: --clipboard-text */
	uint32_t tone_hz;          /* demo: --tone */
	bool no_hold_shown;        /* --no-hold-shown */
	bool verbose;
	bool qemu;                 /* --source qemu */
	struct qemu_options qemu_options;
	bool no_wait;              /* --no-wait: --vm-name absent is an exit */
	bool list;                 /* --list */
};

struct shim {
	struct options options;
	struct server *server;
	struct demo *demo;
	struct qemu_bridge *qemu;
	FILE *record;               /* --record-input, for the QEMU source */
	int64_t finish_deadline_ms; /* -1 until the last frame is out */
};

static void
usage(FILE *out)
{
	fprintf(out,
"usage: eglview-shim [--source demo] [options] NAME|PATH\n"
"       eglview-shim --source qemu [--dbus-address ADDR | --qmp PATH] NAME\n"
"       eglview-shim --source qemu --vm-name VM [--no-wait] [NAME]\n"
"       eglview-shim --list [--dbus-address ADDR]\n"
"\n"
"Serves a VM's display on a unix socket for qemu-eglview. NAME (no '/')\n"
"means $XDG_RUNTIME_DIR/qemu-eglview/NAME.sock; anything with a '/' is a\n"
"socket path.\n"
"\n"
"  --source demo|qemu     what to serve: demo, a synthetic VM; or qemu, a\n"
"                         QEMU started with -display dbus\n"
"  --dbus-address ADDR    qemu: the bus QEMU is on (default: the session bus)\n"
"  --qmp PATH             qemu: connect peer-to-peer through QEMU's QMP socket\n"
"                         (QEMU: -display dbus,p2p=yes -qmp unix:PATH,server=on,wait=off)\n"
"  --vm-name VM           qemu: the QEMU whose name (-name) is VM among those\n"
"                         on the bus, followed across restarts; without\n"
"                         --dbus-address on the session bus, then libvirt's\n"
"                         domain VM; NAME defaults to VM\n"
"  --no-wait              with --vm-name: exit (status 3) when VM is not found\n"
"                         instead of waiting for it\n"
"  --list                 print the VMs on the bus (or the session bus) and\n"
"                         libvirt's domains with D-Bus graphics, and exit\n"
"  --buffers shm|dmabuf|udmabuf|auto\n"
"                         how frames are shared (default auto: dmabuf when\n"
"                         a render node can allocate them, else shm;\n"
"                         udmabuf: memfds made dma-bufs by /dev/udmabuf)\n"
"  --size WxH             the demo's head size (default 1024x768)\n"
"  --fps N                frames per second (default 60; 0: a new frame\n"
"                         only after each input batch)\n"
"  --frames N             stop after N frames, once every viewer showed the\n"
"                         last one\n"
"  --wait-for-viewer      start the clock when the first viewer joins\n"
"  --record-input FILE    write every input record received to FILE\n"
"  --mouse tablet|relative\n"
"                         demo: an absolute tablet (default) or a relative\n"
"                         mouse with a hi-res wheel\n"
"  --touch                demo: add a multi-touch screen\n"
"  --heads N              demo: N heads (1..4, default 1), each --size\n"
"  --resizable            demo: each head takes the size a viewer shows it at\n"
"  --clipboard-text TEXT  demo: offer TEXT as the clipboard's\n"
"  --tone HZ              demo: play a sine at HZ (20..20000; 0, the default:\n"
"                         none)\n"
"  --no-hold-shown        do not offer viewers HOLD_SHOWN (a buffer on screen\n"
"                         left untouched), so they copy what they show\n"
"  --verbose              log viewers joining and leaving, and presents\n"
"  --help                 show this help\n"
"  --version              show the version\n");
}

static bool
parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	char *end;
	errno = 0;
	if (s[0] < '0' || s[0] > '9')
		return false;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return false;
	*out = (uint32_t)v;
	return true;
}

static bool
parse_size(const char *s, uint32_t *w, uint32_t *h)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%s", s);
	char *x = strchr(buf, 'x');
	if (x == NULL)
		return false;
	*x = '\0';
	return parse_u32(buf, 1, PROTO_MAX_DIMENSION, w) &&
	       parse_u32(x + 1, 1, PROTO_MAX_DIMENSION, h);
}

/* 0: parsed; otherwise the exit status (2: usage error, 0: --help). */
static int
parse_options(int argc, char **argv, struct options *opt)
{
	enum { OPT_SOURCE = 256, OPT_BUFFERS, OPT_SIZE, OPT_FPS, OPT_FRAMES,
	       OPT_WAIT, OPT_RECORD, OPT_VERBOSE, OPT_HELP, OPT_VERSION,
	       OPT_DBUS_ADDRESS, OPT_QMP, OPT_MOUSE, OPT_TOUCH,
	       OPT_HEADS, OPT_NO_HOLD, OPT_RESIZABLE, OPT_CLIPBOARD_TEXT,
	       OPT_VM_NAME, OPT_NO_WAIT, OPT_LIST, OPT_TONE };
	static const struct option long_options[] = {
		{ "source", required_argument, NULL, OPT_SOURCE },
		{ "buffers", required_argument, NULL, OPT_BUFFERS },
		{ "size", required_argument, NULL, OPT_SIZE },
		{ "fps", required_argument, NULL, OPT_FPS },
		{ "frames", required_argument, NULL, OPT_FRAMES },
		{ "wait-for-viewer", no_argument, NULL, OPT_WAIT },
		{ "record-input", required_argument, NULL, OPT_RECORD },
		{ "verbose", no_argument, NULL, OPT_VERBOSE },
		{ "mouse", required_argument, NULL, OPT_MOUSE },
		{ "touch", no_argument, NULL, OPT_TOUCH },
		{ "heads", required_argument, NULL, OPT_HEADS },
		{ "resizable", no_argument, NULL, OPT_RESIZABLE },
		{ "clipboard-text", required_argument, NULL, OPT_CLIPBOARD_TEXT },
		{ "tone", required_argument, NULL, OPT_TONE },
		{ "no-hold-shown", no_argument, NULL, OPT_NO_HOLD },
		{ "help", no_argument, NULL, OPT_HELP },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "dbus-address", required_argument, NULL, OPT_DBUS_ADDRESS },
		{ "qmp", required_argument, NULL, OPT_QMP },
		{ "vm-name", required_argument, NULL, OPT_VM_NAME },
		{ "no-wait", no_argument, NULL, OPT_NO_WAIT },
		{ "list", no_argument, NULL, OPT_LIST },
		{ 0 },
	};
	*opt = (struct options){ .width = 1024, .height = 768, .fps = 60 };
	int c;
	uint32_t frames;
	uint32_t given = 0; /* bit c - OPT_SOURCE per option seen */
	while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
		if (c >= OPT_SOURCE && c - OPT_SOURCE < 32)
			given |= 1u << (c - OPT_SOURCE);
		switch (c) {
		case OPT_SOURCE:
			if (strcmp(optarg, "qemu") == 0) {
				opt->qemu = true;
			} else if (strcmp(optarg, "demo") != 0) {
				server_log_error("unknown source \"%s\" "
						 "(available: demo, qemu)",
						 optarg);
				return 2;
			}
			break;
		case OPT_DBUS_ADDRESS:
			opt->qemu_options.dbus_address = optarg;
			break;
		case OPT_QMP:
			opt->qemu_options.qmp_path = optarg;
			break;
		case OPT_VM_NAME:
			opt->qemu_options.vm_name = optarg;
			break;
		case OPT_NO_WAIT:
			opt->no_wait = true;
			break;
		case OPT_LIST:
			opt->list = true;
			break;
		case OPT_BUFFERS:
			if (strcmp(optarg, "shm") == 0) {
				opt->buffers = BUFFERS_SHM;
			} else if (strcmp(optarg, "dmabuf") == 0) {
				opt->buffers = BUFFERS_DMABUF;
			} else if (strcmp(optarg, "udmabuf") == 0) {
				opt->buffers = BUFFERS_UDMABUF;
			} else if (strcmp(optarg, "auto") == 0) {
				opt->buffers = BUFFERS_AUTO;
			} else {
				server_log_error("--buffers \"%s\": use shm, "
						 "dmabuf, udmabuf or auto",
						 optarg);
				return 2;
			}
			break;
		case OPT_SIZE:
			if (!parse_size(optarg, &opt->width, &opt->height)) {
				server_log_error("--size \"%s\": expected WxH "
						 "with each side 1..%d, e.g. "
						 "1024x768", optarg,
						 PROTO_MAX_DIMENSION);
				return 2;
			}
			break;
		case OPT_FPS:
			if (!parse_u32(optarg, 0, 1000, &opt->fps)) {
				server_log_error("--fps \"%s\": expected "
						 "0..1000", optarg);
				return 2;
			}
			break;
		case OPT_FRAMES:
			if (!parse_u32(optarg, 1, UINT32_MAX, &frames)) {
				server_log_error("--frames \"%s\": expected a "
						 "number of at least 1",
						 optarg);
				return 2;
			}
			opt->frames = frames;
			break;
		case OPT_WAIT:
			opt->wait_for_viewer = true;
			break;
		case OPT_RECORD:
			opt->record_path = optarg;
			break;
		case OPT_MOUSE:
			if (strcmp(optarg, "tablet") != 0 &&
			    strcmp(optarg, "relative") != 0) {
				server_log_error("--mouse \"%s\": expected "
						 "tablet or relative", optarg);
				return 2;
			}
			opt->relative_mouse = strcmp(optarg, "relative") == 0;
			break;
		case OPT_TOUCH:
			opt->touch = true;
			break;
		case OPT_RESIZABLE:
			opt->resizable = true;
			break;
		case OPT_CLIPBOARD_TEXT:
			if (strlen(optarg) > PROTO_MAX_CLIPBOARD) {
				server_log_error("--clipboard-text: %zu bytes, "
						 "at most %d", strlen(optarg),
						 PROTO_MAX_CLIPBOARD);
				return 2;
			}
			opt->clipboard_text = optarg;
			break;
		case OPT_TONE:
			if (!parse_u32(optarg, 0, DEMO_TONE_MAX_HZ,
				       &opt->tone_hz) ||
			    (opt->tone_hz != 0 &&
			     opt->tone_hz < DEMO_TONE_MIN_HZ)) {
				server_log_error("--tone \"%s\": expected a "
						 "frequency in Hz, %d..%d, or "
						 "0 for none", optarg,
						 DEMO_TONE_MIN_HZ,
						 DEMO_TONE_MAX_HZ);
				return 2;
			}
			break;
		case OPT_HEADS:
			if (!parse_u32(optarg, 1, DEMO_MAX_HEADS, &opt->heads)) {
				server_log_error("--heads \"%s\": expected "
						 "1..%d", optarg,
						 DEMO_MAX_HEADS);
				return 2;
			}
			break;
		case OPT_NO_HOLD:
			opt->no_hold_shown = true;
			break;
		case OPT_VERBOSE:
			opt->verbose = true;
			break;
		case OPT_HELP:
			usage(stdout);
			return -1;
		case OPT_VERSION:
			printf("eglview-shim %s (protocol %d.%d)\n",
			       EGLVIEW_VERSION, PROTO_VERSION_MAJOR,
			       PROTO_VERSION_MINOR);
			return -1;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (opt->list)
		return optind == argc ? 0 : (server_log_error("--list takes no "
			"NAME"), 2);
	if (optind == argc && opt->qemu_options.vm_name != NULL &&
	    proto_name_valid(opt->qemu_options.vm_name)) {
		opt->target = opt->qemu_options.vm_name;
	} else if (optind + 1 != argc) {
		server_log_error("%s; give one NAME or socket PATH (see "
				 "--help)", optind == argc ? "no NAME given" :
				 "more than one NAME given");
		return 2;
	} else {
		opt->target = argv[optind];
	}
	if (opt->no_wait && opt->qemu_options.vm_name == NULL) {
		server_log_error("--no-wait applies to --vm-name only");
		return 2;
	}
	if (opt->qemu_options.vm_name != NULL &&
	    opt->qemu_options.qmp_path != NULL) {
		server_log_error("--vm-name %s and --qmp %s: peer-to-peer there "
				 "is one QEMU, already chosen; give one",
				 opt->qemu_options.vm_name,
				 opt->qemu_options.qmp_path);
		return 2;
	}
	/* An option the chosen source would ignore is refused, not
	 * silently dropped. */
	static const struct { int code; const char *name; bool qemu; } only[] = {
		{ OPT_BUFFERS, "--buffers", false }, { OPT_SIZE, "--size", false },
		{ OPT_FPS, "--fps", false }, { OPT_FRAMES, "--frames", false },
		{ OPT_WAIT, "--wait-for-viewer", false },
		{ OPT_MOUSE, "--mouse", false }, { OPT_TOUCH, "--touch", false },
		{ OPT_HEADS, "--heads", false },
		{ OPT_RESIZABLE, "--resizable", false },
		{ OPT_CLIPBOARD_TEXT, "--clipboard-text", false },
		{ OPT_TONE, "--tone", false },
		{ OPT_DBUS_ADDRESS, "--dbus-address", true },
		{ OPT_QMP, "--qmp", true },
		{ OPT_VM_NAME, "--vm-name", true },
	};
	for (size_t i = 0; i < sizeof(only) / sizeof(only[0]); i++) {
		if (!(given & 1u << (only[i].code - OPT_SOURCE)) ||
		    only[i].qemu == opt->qemu)
			continue;
		server_log_error("%s applies to --source %s only%s",
				 only[i].name, only[i].qemu ? "qemu" : "demo",
				 only[i].qemu ? "" : "; with --source qemu, QEMU "
				 "decides the buffers, sizes, frames, input "
				 "devices and sound");
		return 2;
	}
	return 0;
}

static int64_t
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* --- server callbacks -------------------------------------------------- */

/* --record-input for the QEMU source (the demo records its own): each
 * record as the viewers sent it, one line each, flushed per batch. */
static void
record_input(FILE *record, uint32_t kind, const struct proto_input_event *ev,
	     uint32_t n)
{
	const char *device = proto_device_kind_name(kind);
	for (uint32_t i = 0; i < n; i++) {
		char line[160];
		proto_record_format(line, sizeof(line), device, &ev[i]);
		fprintf(record, "%s\n", line);
	}
	fflush(record);
}

static void
on_input(void *data, uint32_t device_id, uint32_t kind,
	 const struct proto_input_event *ev, uint32_t n)
{
	struct shim *shim = data;
	if (shim->qemu != NULL && shim->record != NULL)
		record_input(shim->record, kind, ev, n);
	if (shim->qemu != NULL)
		qemu_bridge_handle_input(shim->qemu, device_id, kind, ev, n);
	if (shim->demo != NULL)
		demo_handle_input(shim->demo, device_id, kind, ev, n);
}

static void
on_buffer_released(void *data, struct server_buffer *buffer)
{
	struct shim *shim = data;
	if (shim->qemu != NULL)
		qemu_bridge_handle_buffer_released(shim->qemu, buffer);
	if (shim->demo != NULL)
		demo_handle_buffer_released(shim->demo, buffer);
}

static void
on_viewer_joined(void *data, size_t count)
{
	struct shim *shim = data;
	server_log_verbose("a viewer joined (%zu now)", count);
	if (shim->demo != NULL)
		demo_handle_viewer_joined(shim->demo);
	if (shim->qemu != NULL)
		qemu_bridge_handle_viewer_joined(shim->qemu);
	if (shim->demo != NULL && shim->options.wait_for_viewer)
		demo_start_clock(shim->demo);
}

static void
on_viewer_left(void *data, size_t count)
{
	(void)data;
	server_log_verbose("a viewer left (%zu now)", count);
}

/* HEAD_SIZE: the VM may follow the size a viewer shows a head at. */
static void
on_head_size(void *data, struct server_head *head, uint32_t width,
	     uint32_t height, uint32_t width_mm, uint32_t height_mm)
{
	struct shim *shim = data;
	if (shim->demo != NULL)
		demo_handle_head_size(shim->demo, head, width, height);
	if (shim->qemu != NULL)
		qemu_bridge_handle_head_size(shim->qemu, head, width, height,
					     width_mm, height_mm);
}

/* The clipboard: the demo's, or QEMU's Clipboard interface. */
static void
on_clipboard_grab(void *data, uint32_t selection, const char *const *mimes,
		  uint32_t n_mimes)
{
	struct shim *shim = data;
	if (shim->demo != NULL)
		demo_handle_clipboard_grab(shim->demo, selection, mimes,
					   n_mimes);
	if (shim->qemu != NULL)
		qemu_bridge_handle_clipboard_grab(shim->qemu, selection, mimes,
						  n_mimes);
}

static void
on_clipboard_request(void *data, uint32_t selection, const char *mime,
		     uint32_t request_id)
{
	struct shim *shim = data;
	if (shim->demo != NULL)
		demo_handle_clipboard_request(shim->demo, selection, mime,
					      request_id);
	else if (shim->qemu != NULL)
		qemu_bridge_handle_clipboard_request(shim->qemu, selection,
						     mime, request_id);
	else
		server_clipboard_answer(shim->server, request_id,
					PROTO_CLIPBOARD_NONE, mime, NULL, 0);
}

static void
on_clipboard_data(void *data, uint32_t selection, uint32_t status,
		  const char *mime, const void *bytes, uint32_t length)
{
	struct shim *shim = data;
	if (shim->demo != NULL)
		demo_handle_clipboard_data(shim->demo, selection, status, mime,
					   bytes, length);
	if (shim->qemu != NULL)
		qemu_bridge_handle_clipboard_data(shim->qemu, selection, status,
						  mime, bytes, length);
}

static const struct server_callbacks callbacks = {
	.input = on_input,
	.buffer_released = on_buffer_released,
	.viewer_joined = on_viewer_joined,
	.viewer_left = on_viewer_left,
};

/* --- setting up -------------------------------------------------------- */

static bool
open_buffers(const struct options *opt, struct gbm_buffers **gbm)
{
	*gbm = NULL;
	if (opt->buffers == BUFFERS_SHM)
		return true;
	char why[512];
	if (opt->buffers == BUFFERS_UDMABUF) {
		if (udmabuf_available(why, sizeof(why)))
			return true;
		server_log_error("--buffers udmabuf: %s", why);
		return false;
	}
	*gbm = gbm_buffers_open(why, sizeof(why));
	if (*gbm != NULL) {
		server_log_verbose("dmabuf buffers from %s",
				   gbm_buffers_node(*gbm));
		return true;
	}
	if (opt->buffers == BUFFERS_DMABUF) {
		server_log_error("--buffers dmabuf: %s", why);
		return false;
	}
	server_log_verbose("shm buffers (no dmabuf: %s)", why);
	return true;
}

static struct server *
start_server(struct shim *shim, const char *path)
{
	char why[512];
	/* RESIZE is offered where the VM may follow: QEMU (whose device may
	 * still answer Unsupported), the demo with --resizable. */
	struct server_callbacks cb = callbacks;
	if (shim->options.qemu || shim->options.resizable)
		cb.head_size = on_head_size;
	cb.clipboard_grab = on_clipboard_grab;
	cb.clipboard_request = on_clipboard_request;
	cb.clipboard_data = on_clipboard_data;
	const struct qemu_options *q = &shim->options.qemu_options;
	struct server *server = server_create(path, !shim->options.qemu ?
					      "demo" : q->vm_name != NULL ?
					      q->vm_name : shim->options.target,
					      &cb, shim, why, sizeof(why));
	if (server != NULL)
		return server;
	/* Someone answering on the socket is the likely, fixable case. */
	int probe = proto_connect(path);
	if (probe >= 0) {
		close(probe);
		server_log_error("cannot serve \"%s\": a server already "
				 "answers on %s; is another eglview-shim "
				 "serving \"%s\"? Stop it or pick another NAME",
				 shim->options.target, path,
				 shim->options.target);
	} else {
		server_log_error("cannot serve \"%s\": %s",
				 shim->options.target, why);
	}
	return NULL;
}

static int
make_signalfd(sigset_t *mask)
{
	sigemptyset(mask);
	sigaddset(mask, SIGINT);
	sigaddset(mask, SIGTERM);
	if (sigprocmask(SIG_BLOCK, mask, NULL) < 0)
		return -1;
	return signalfd(-1, mask, SFD_NONBLOCK | SFD_CLOEXEC);
}

/* --- the loop ---------------------------------------------------------- */

/* --frames: true once the last frame was made and presented, and every
 * viewer answered it (or FINISH_TIMEOUT_MS passed). */
static bool
finished(struct shim *shim)
{
	const struct options *opt = &shim->options;
	if (opt->frames == 0 || !demo_clock_started(shim->demo) ||
	    demo_frames_made(shim->demo) < opt->frames ||
	    !demo_all_presented(shim->demo))
		return false;
	if (shim->finish_deadline_ms < 0)
		shim->finish_deadline_ms = now_ms() + FINISH_TIMEOUT_MS;
	if (server_idle(shim->server))
		return true;
	if (now_ms() < shim->finish_deadline_ms)
		return false;
	server_log_error("gave up waiting %d s for the viewers' FRAME_DONE of "
			 "the last frame; stopping anyway",
			 FINISH_TIMEOUT_MS / 1000);
	return true;
}

static int
run(struct shim *shim, int signal_fd)
{
	for (;;) {
		if (finished(shim)) {
			char text[96];
			snprintf(text, sizeof(text), "demo finished after %" PRIu64
				 " frames", shim->options.frames);
			server_log_verbose("%s", text);
			server_goodbye_all(shim->server, PROTO_BYE_SHUTDOWN, text);
			return 0;
		}
		struct pollfd fds[4] = {
			{ .fd = server_get_fd(shim->server), .events = POLLIN },
			{ .fd = signal_fd, .events = POLLIN },
			{ .fd = demo_get_timer_fd(shim->demo), .events = POLLIN },
			{ .fd = demo_get_audio_fd(shim->demo), .events = POLLIN },
		};
		int timeout = -1;
		if (shim->finish_deadline_ms >= 0) {
			int64_t left = shim->finish_deadline_ms - now_ms();
			timeout = left > 0 ? (int)left : 0;
		}
		if (poll(fds, 4, timeout) < 0) {
			if (errno == EINTR)
				continue;
			server_log_error("poll: %s", strerror(errno));
			return 1;
		}
		if (fds[1].revents & POLLIN) {
			struct signalfd_siginfo info;
			if (read(signal_fd, &info, sizeof(info)) ==
			    sizeof(info)) {
				server_log_verbose("stopped by signal %u",
						   info.ssi_signo);
				server_goodbye_all(shim->server,
						   PROTO_BYE_SHUTDOWN,
						   "eglview-shim stopped by signal");
				return 0;
			}
		}
		if ((fds[0].revents & POLLIN) && !server_dispatch(shim->server))
			return 1;
		demo_flush_input(shim->demo);
		demo_check_recording(shim->demo);
		if (fds[2].revents & POLLIN)
			demo_dispatch_timer(shim->demo);
		if (fds[3].revents & POLLIN)
			demo_dispatch_audio(shim->demo);
	}
}

int
main(int argc, char **argv)
{
	struct shim shim = { .finish_deadline_ms = -1 };
	int status = parse_options(argc, argv, &shim.options);
	if (status != 0)
		return status < 0 ? 0 : status;
	const struct options *opt = &shim.options;
	server_log_set_verbose(opt->verbose);
	if (opt->list)
		return qemu_list(stdout, opt->qemu_options.dbus_address) ? 0 : 1;

	char path[256], why[512];
	if (!proto_socket_path(opt->target, path, sizeof(path), why,
			       sizeof(why))) {
		server_log_error("%s", why);
		return 2;
	}
	/* A viewer that vanishes must not kill us mid-send (the library
	 * sends with MSG_NOSIGNAL; this covers everything else). */
	signal(SIGPIPE, SIG_IGN);
	sigset_t mask;
	int signal_fd = make_signalfd(&mask);
	if (signal_fd < 0) {
		server_log_error("signalfd: %s", strerror(errno));
		return 1;
	}
	/* --vm-name: the socket is served once the VM is found, so that a
	 * viewer that started us connects to it only then. */
	struct qemu_place place = { 0 };
	if (opt->qemu_options.vm_name != NULL) {
		if (!qemu_find_wait(opt->qemu_options.vm_name,
				    opt->qemu_options.dbus_address,
				    opt->no_wait, signal_fd, &place, why,
				    sizeof(why))) {
			server_log_error("%s", why);
			close(signal_fd);
			return opt->no_wait ? 3 : 0;
		}
		server_log_info("VM \"%s\" is on %s%s%s",
				opt->qemu_options.vm_name, place.address,
				place.domain != NULL ? ", libvirt domain " : "",
				place.domain != NULL ? place.domain : "");
		shim.options.qemu_options.dbus_address = place.address;
		shim.options.qemu_options.libvirt_domain = place.domain;
	}

	FILE *record = NULL;
	if (opt->record_path != NULL) {
		record = fopen(opt->record_path, "we");
		if (record == NULL) {
			server_log_error("cannot write --record-input file "
					 "%s: %s", opt->record_path,
					 strerror(errno));
			return 1;
		}
	}
	shim.record = record;
	/* QEMU brings its own buffers. */
	struct gbm_buffers *gbm = NULL;
	if (!opt->qemu && !open_buffers(opt, &gbm)) {
		status = 1;
		goto out;
	}

	shim.server = start_server(&shim, path);
	if (shim.server == NULL) {
		status = 1;
		goto out;
	}
	/* Both sources own the buffers they write; the QEMU source exempts
	 * QEMU's own (ScanoutMap, DMABUF) from the holds. */
	server_set_hold_shown(shim.server, !opt->no_hold_shown);
	if (opt->qemu) {
		shim.qemu = qemu_bridge_create(shim.server, &opt->qemu_options,
					       why, sizeof(why));
		if (shim.qemu == NULL) {
			server_log_error("%s", why);
			status = 2;
			goto out;
		}
		status = qemu_bridge_run(shim.qemu, signal_fd) ? 0 : 1;
		server_goodbye_all(shim.server, PROTO_BYE_SHUTDOWN,
				   "eglview-shim stopped");
		goto out;
	}
	struct demo_options demo_options = {
		.width = opt->width, .height = opt->height, .fps = opt->fps,
		.gbm = gbm, .udmabuf = opt->buffers == BUFFERS_UDMABUF,
		.record = record, .frame_limit = opt->frames,
		.relative_mouse = opt->relative_mouse, .touch = opt->touch,
		.heads = opt->heads, .resizable = opt->resizable,
		.clipboard_text = opt->clipboard_text,
		.tone_hz = opt->tone_hz,
	};
	shim.demo = demo_create(shim.server, &demo_options, why, sizeof(why));
	if (shim.demo == NULL) {
		server_log_error("cannot start the demo: %s", why);
		status = 1;
		goto out;
	}
	server_log_verbose("serving the demo (%ux%u, %s, %u fps) on %s",
			   opt->width, opt->height, gbm != NULL ? "dmabuf" :
			   opt->buffers == BUFFERS_UDMABUF ? "udmabuf" : "shm",
			   opt->fps, path);
	if (!opt->wait_for_viewer)
		demo_start_clock(shim.demo);
	status = run(&shim, signal_fd);

out:
	qemu_bridge_destroy(shim.qemu);
	demo_destroy(shim.demo);
	server_destroy(shim.server);
	gbm_buffers_close(gbm);
	if (record != NULL)
		fclose(record);
	close(signal_fd);
	qemu_place_finish(&place);
	return status;
}
