/* SPDX-License-Identifier: MIT */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/input-event-codes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eglview-proto.h"
#include "log.h"

#ifndef EGLVIEW_VERSION
#define EGLVIEW_VERSION "unknown"
#endif

const char *const options_backends[] = { "offscreen", "sdl", "wayland", NULL };

enum {
	OPT_BACKEND = 0x100,
	OPT_SIZE,
	OPT_RENDER_NODE,
	OPT_SNAPSHOT,
	OPT_EXIT_AFTER_FRAMES,
	OPT_INPUT_SCRIPT,
	OPT_STATS,
	OPT_DEMO,
	OPT_DEMO_OPTION,
	OPT_VERSION,
	OPT_FULLSCREEN,
	OPT_SCALE,
	OPT_FILTER,
	OPT_ZERO_COPY,
	OPT_DAMAGE,
	OPT_RESIZE_GUEST,
	OPT_CLIPBOARD,
	OPT_DRAW,
	OPT_MOUSE,
	OPT_HOTKEY,
	OPT_NO_HOTKEYS,
	OPT_NO_SYNC_LOCKS,
	OPT_RECONNECT,
	OPT_NO_RECONNECT,
	OPT_KIOSK,
	OPT_KIOSK_ESCAPE,
	OPT_KIOSK_QUIT,
	OPT_LAYOUT,
	OPT_SOURCE,
	OPT_LIST,
	OPT_AUDIO,
	OPT_MICROPHONE,
};

static const struct option long_options[] = {
	{ "backend", required_argument, NULL, OPT_BACKEND },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "render-node", required_argument, NULL, OPT_RENDER_NODE },
	{ "drm-device", required_argument, NULL, OPT_RENDER_NODE },
	{ "snapshot", required_argument, NULL, OPT_SNAPSHOT },
	{ "exit-after-frames", required_argument, NULL, OPT_EXIT_AFTER_FRAMES },
	{ "input-script", required_argument, NULL, OPT_INPUT_SCRIPT },
	{ "stats", no_argument, NULL, OPT_STATS },
	{ "verbose", no_argument, NULL, 'v' },
	{ "demo", no_argument, NULL, OPT_DEMO },
	{ "demo-option", required_argument, NULL, OPT_DEMO_OPTION },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "fullscreen", no_argument, NULL, OPT_FULLSCREEN },
	{ "scale", required_argument, NULL, OPT_SCALE },
	{ "filter", required_argument, NULL, OPT_FILTER },
	{ "zero-copy", required_argument, NULL, OPT_ZERO_COPY },
	{ "damage", required_argument, NULL, OPT_DAMAGE },
	{ "resize-guest", required_argument, NULL, OPT_RESIZE_GUEST },
	{ "clipboard", required_argument, NULL, OPT_CLIPBOARD },
	{ "draw", required_argument, NULL, OPT_DRAW },
	{ "mouse", required_argument, NULL, OPT_MOUSE },
	{ "hotkey", required_argument, NULL, OPT_HOTKEY },
	{ "no-hotkeys", no_argument, NULL, OPT_NO_HOTKEYS },
	{ "no-sync-locks", no_argument, NULL, OPT_NO_SYNC_LOCKS },
	{ "reconnect", no_argument, NULL, OPT_RECONNECT },
	{ "no-reconnect", no_argument, NULL, OPT_NO_RECONNECT },
	{ "kiosk", no_argument, NULL, OPT_KIOSK },
	{ "kiosk-escape", required_argument, NULL, OPT_KIOSK_ESCAPE },
	{ "kiosk-quit", required_argument, NULL, OPT_KIOSK_QUIT },
	{ "layout", required_argument, NULL, OPT_LAYOUT },
	{ "source", required_argument, NULL, OPT_SOURCE },
	{ "list", no_argument, NULL, OPT_LIST },
	{ "audio", required_argument, NULL, OPT_AUDIO },
	{ "microphone", required_argument, NULL, OPT_MICROPHONE },
	{ 0 },
};

static void
print_usage(FILE *f)
{
	fprintf(f,
		"usage: qemu-eglview [options] NAME|PATH...\n"
		"       qemu-eglview --demo [options]\n"
		"       qemu-eglview --list\n"
		"\n"
		"Shows a VM's displays served by eglview-shim on a unix socket.\n"
		"NAME means $XDG_RUNTIME_DIR/qemu-eglview/NAME.sock; a PATH has a '/'.\n"
		"A NAME with no socket is the QEMU of that -name on the session bus,\n"
		"else the libvirt domain NAME (<graphics type='dbus'/>), bridged by an\n"
		"eglview-shim the viewer starts.\n"
		"Several VMs share one output, a cell each; a click in a cell, or\n"
		"Ctrl+Alt+N, moves the focus (the VM input goes to).\n"
		"\n"
		"  --source auto|socket|qemu  how a NAME is reached: auto (default) its\n"
		"                          socket, else the QEMU or libvirt domain; socket:\n"
		"                          only its socket; qemu: only the VM by name\n"
		"  --list                  print the VMs that can be seen (sockets, QEMUs on\n"
		"                          the session bus, libvirt domains) and exit\n"
		"  --layout grid|row|column  how several VMs' tiles are arranged\n"
		"                          (default grid: ceil(sqrt(n)) columns)\n"
		"  --backend NAME          output backend: wayland (the default when\n"
		"                          WAYLAND_DISPLAY answers), sdl (the default with\n"
		"                          another display) or offscreen\n"
		"  --kiosk                 fullscreen, no decorations, no host cursor, no\n"
		"                          hotkeys, reconnect forever (waiting screen)\n"
		"  --kiosk-escape KEYSPEC  the one way out of a kiosk, e.g. ctrl+alt+backspace\n"
		"                          (default: none)\n"
		"  --kiosk-quit on-disconnect  exit 3 when the VM goes away (default:\n"
		"                          never; wait for it)\n"
		"  --fullscreen            start the window fullscreen (Ctrl+Alt+F toggles)\n"
		"  --scale MODE            fit (default, letterboxed), integer, stretch, none\n"
		"  --filter linear|nearest sampling when a head is not shown 1:1\n"
		"  --mouse MODE            auto (default: absolute with a tablet),\n"
		"                          absolute or relative (click grabs the pointer)\n"
		"  --hotkey LETTER         Ctrl+Alt+LETTER releases the grab (default g)\n"
		"  --no-hotkeys            send every key combination to the VM\n"
		"  --no-sync-locks         leave the guest's Caps/Num/Scroll Lock as they are\n"
		"                          (default: brought to the host's on focus)\n"
		"  --size WxH              framebuffer size (default: follow the heads)\n"
		"  --drm-device PATH       DRM node for GBM, e.g. /dev/dri/card0 (default:\n"
		"                          the first render node, then card node, GBM can use)\n"
		"  --render-node PATH      the same as --drm-device\n"
		"  --snapshot FILE.png     write the last frame shown at exit\n"
		"  --exit-after-frames N   exit 0 after N frames were presented\n"
		"  --input-script FILE     send these input records after the first frame\n"
		"  --reconnect             when the VM's server goes away (or is not there\n"
		"                          yet), show \"waiting for NAME\" and reconnect when\n"
		"                          its socket returns (--no-reconnect: exit; default)\n"
		"  --stats                 print frame and upload counters at exit\n"
		"  --zero-copy on|off      wayland: hand the guest's buffers to the\n"
		"                          compositor without a copy where it can (on)\n"
		"  --clipboard on|off      share the clipboard's text with the VM (default\n"
		"                          on; off in a kiosk)\n"
		"  --resize-guest on|off   ask the VM for the mode each head is shown at\n"
		"                          (default on; a VM that cannot stays letterboxed)\n"
		"  --audio on|off          play the focused VM's sound through SDL's\n"
		"                          audio (default on)\n"
		"  --microphone on|off     record the default input into the focused VM\n"
		"                          while the window has the focus (default off)\n"
		"  --damage on|off         redraw and present only what changed (on), or\n"
		"                          every frame whole (off)\n"
		"  --draw auto|gl|cpu      how frames are drawn: cpu copies shm pictures\n"
		"                          shown 1:1 straight into the window, gl draws\n"
		"                          with OpenGL ES; auto: cpu where GL is a\n"
		"                          software renderer and the frame allows it\n"
		"  -v, --verbose           say what happens on the connection\n"
		"  --demo                  start the built-in demo VM and show it\n"
		"  --demo-option ARG       pass ARG to the demo's eglview-shim (repeatable)\n"
		"  -h, --help              show this help\n"
		"  --version               show the version\n");
}

/* What was wrong (one line), then where to read more. */
static bool __attribute__((format(printf, 1, 2)))
usage_error(const char *fmt, ...)
{
	char what[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	log_error("%s", what);
	fprintf(stderr, "Try 'qemu-eglview --help'.\n");
	return false;
}

static bool
parse_size(const char *s, int *w, int *h)
{
	char *end;
	errno = 0;
	unsigned long width = strtoul(s, &end, 10);
	if (end == s || (*end != 'x' && *end != 'X') || errno != 0)
		return false;
	const char *hs = end + 1;
	unsigned long height = strtoul(hs, &end, 10);
	if (end == hs || *end != '\0' || errno != 0)
		return false;
	if (width < 1 || width > PROTO_MAX_DIMENSION ||
	    height < 1 || height > PROTO_MAX_DIMENSION)
		return false;
	*w = (int)width;
	*h = (int)height;
	return true;
}

static bool
parse_count(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	if (s[0] == '-' || s[0] == '\0')
		return false;
	unsigned long long v = strtoull(s, &end, 10);
	if (*end != '\0' || errno != 0 || v == 0)
		return false;
	*out = v;
	return true;
}

struct key_name {
	const char *name;
	uint16_t code;
};

static const struct key_name key_names[] = {
	{ "a", KEY_A }, { "b", KEY_B }, { "c", KEY_C }, { "d", KEY_D },
	{ "e", KEY_E }, { "f", KEY_F }, { "g", KEY_G }, { "h", KEY_H },
	{ "i", KEY_I }, { "j", KEY_J }, { "k", KEY_K }, { "l", KEY_L },
	{ "m", KEY_M }, { "n", KEY_N }, { "o", KEY_O }, { "p", KEY_P },
	{ "q", KEY_Q }, { "r", KEY_R }, { "s", KEY_S }, { "t", KEY_T },
	{ "u", KEY_U }, { "v", KEY_V }, { "w", KEY_W }, { "x", KEY_X },
	{ "y", KEY_Y }, { "z", KEY_Z },
	{ "0", KEY_0 }, { "1", KEY_1 }, { "2", KEY_2 }, { "3", KEY_3 },
	{ "4", KEY_4 }, { "5", KEY_5 }, { "6", KEY_6 }, { "7", KEY_7 },
	{ "8", KEY_8 }, { "9", KEY_9 },
	{ "f1", KEY_F1 }, { "f2", KEY_F2 }, { "f3", KEY_F3 }, { "f4", KEY_F4 },
	{ "f5", KEY_F5 }, { "f6", KEY_F6 }, { "f7", KEY_F7 }, { "f8", KEY_F8 },
	{ "f9", KEY_F9 }, { "f10", KEY_F10 }, { "f11", KEY_F11 },
	{ "f12", KEY_F12 },
	{ "escape", KEY_ESC }, { "backspace", KEY_BACKSPACE },
	{ "delete", KEY_DELETE }, { "pause", KEY_PAUSE }, { "tab", KEY_TAB },
	{ "space", KEY_SPACE },
};

/* The KEY_* of a key_names name (lower case), or 0. */
static uint16_t
key_code(const char *name)
{
	for (size_t i = 0; i < sizeof(key_names) / sizeof(key_names[0]); i++) {
		if (strcmp(name, key_names[i].name) == 0)
			return key_names[i].code;
	}
	return 0;
}

bool
options_parse_keyspec(const char *spec, uint16_t *code, unsigned *mods)
{
	char buf[64];
	if (snprintf(buf, sizeof(buf), "%s", spec) >= (int)sizeof(buf))
		return false;
	*code = 0;
	*mods = 0;
	char *save = NULL;
	for (char *tok = strtok_r(buf, "+", &save); tok;
	     tok = strtok_r(NULL, "+", &save)) {
		if (*code)
			return false; /* the key comes last */
		for (char *c = tok; *c; c++)
			*c = (char)(*c >= 'A' && *c <= 'Z' ? *c | 0x20 : *c);
		if (strcmp(tok, "ctrl") == 0 || strcmp(tok, "control") == 0) {
			*mods |= OPTIONS_MOD_CTRL;
		} else if (strcmp(tok, "alt") == 0) {
			*mods |= OPTIONS_MOD_ALT;
		} else if (strcmp(tok, "shift") == 0) {
			*mods |= OPTIONS_MOD_SHIFT;
		} else if (strcmp(tok, "super") == 0 || strcmp(tok, "meta") == 0) {
			*mods |= OPTIONS_MOD_SUPER;
		} else if (!(*code = key_code(tok))) {
			return false;
		}
	}
	return *code != 0;
}

static bool
backend_known(const char *name)
{
	for (int i = 0; options_backends[i]; i++) {
		if (strcmp(options_backends[i], name) == 0)
			return true;
	}
	return false;
}

static bool
handle_option(int c, const char *arg, struct options *opts)
{
	switch (c) {
	case OPT_BACKEND:
		if (!backend_known(arg)) {
			char names[128] = "";
			size_t len = 0;
			for (int i = 0; options_backends[i] && len < sizeof(names); i++)
				len += (size_t)snprintf(names + len, sizeof(names) - len,
							" %s", options_backends[i]);
			log_error("unknown backend \"%s\"; available:%s", arg, names);
			return false;
		}
		opts->backend = arg;
		return true;
	case OPT_FULLSCREEN:
		opts->fullscreen = true;
		return true;
	case OPT_SCALE:
		if (strcmp(arg, "fit") && strcmp(arg, "integer") &&
		    strcmp(arg, "stretch") && strcmp(arg, "none"))
			return usage_error("--scale \"%s\" is not one of fit, integer, stretch, none", arg);
		opts->scale = arg;
		return true;
	case OPT_FILTER:
		if (strcmp(arg, "linear") && strcmp(arg, "nearest"))
			return usage_error("--filter \"%s\" is not linear or nearest", arg);
		opts->filter_nearest = strcmp(arg, "nearest") == 0;
		return true;
	case OPT_ZERO_COPY:
		if (strcmp(arg, "on") && strcmp(arg, "off"))
			return usage_error("--zero-copy \"%s\" is not on or off", arg);
		opts->no_zero_copy = strcmp(arg, "off") == 0;
		return true;
	case OPT_DAMAGE:
		if (strcmp(arg, "on") && strcmp(arg, "off"))
			return usage_error("--damage \"%s\" is not on or off", arg);
		opts->full_redraw = strcmp(arg, "off") == 0;
		return true;
	case OPT_CLIPBOARD:
		if (strcmp(arg, "on") && strcmp(arg, "off"))
			return usage_error("--clipboard \"%s\" is not on or off", arg);
		opts->clipboard_set = true;
		opts->clipboard = strcmp(arg, "on") == 0;
		return true;
	case OPT_AUDIO:
		if (strcmp(arg, "on") && strcmp(arg, "off"))
			return usage_error("--audio \"%s\" is not on or off", arg);
		opts->no_audio = strcmp(arg, "off") == 0;
		return true;
	case OPT_MICROPHONE:
		if (strcmp(arg, "on") && strcmp(arg, "off"))
			return usage_error("--microphone \"%s\" is not on or off", arg);
		opts->microphone = strcmp(arg, "on") == 0;
		return true;
	case OPT_RESIZE_GUEST:
		if (strcmp(arg, "on") && strcmp(arg, "off"))
			return usage_error("--resize-guest \"%s\" is not on or off", arg);
		opts->no_resize_guest = strcmp(arg, "off") == 0;
		return true;
	case OPT_DRAW:
		if (strcmp(arg, "auto") == 0)
			opts->draw = OPTIONS_DRAW_AUTO;
		else if (strcmp(arg, "gl") == 0)
			opts->draw = OPTIONS_DRAW_GL;
		else if (strcmp(arg, "cpu") == 0)
			opts->draw = OPTIONS_DRAW_CPU;
		else
			return usage_error("--draw \"%s\" is not auto, gl or cpu", arg);
		return true;
	case OPT_MOUSE:
		if (strcmp(arg, "auto") && strcmp(arg, "absolute") &&
		    strcmp(arg, "relative"))
			return usage_error("--mouse \"%s\" is not auto, absolute or relative", arg);
		opts->mouse = arg;
		return true;
	case OPT_HOTKEY:
		if (strlen(arg) != 1 || !((arg[0] >= 'a' && arg[0] <= 'z') ||
					  (arg[0] >= 'A' && arg[0] <= 'Z')))
			return usage_error("--hotkey \"%s\" is not one letter A..Z (it is used with Ctrl+Alt)", arg);
		opts->hotkey = (char)(arg[0] | 0x20);
		opts->hotkey_key = key_code((char[]){ opts->hotkey, '\0' });
		return true;
	case OPT_NO_HOTKEYS:
		opts->no_hotkeys = true;
		return true;
	case OPT_NO_SYNC_LOCKS:
		opts->no_sync_locks = true;
		return true;
	case OPT_SIZE:
		if (!parse_size(arg, &opts->width, &opts->height))
			return usage_error("--size \"%s\" is not WxH with 1..16384 each, e.g. 1280x800", arg);
		return true;
	case OPT_RENDER_NODE:
		opts->render_node = arg;
		return true;
	case OPT_SNAPSHOT:
		opts->snapshot = arg;
		return true;
	case OPT_EXIT_AFTER_FRAMES:
		if (!parse_count(arg, &opts->exit_after_frames))
			return usage_error("--exit-after-frames \"%s\" is not a positive number", arg);
		return true;
	case OPT_INPUT_SCRIPT:
		opts->input_script = arg;
		return true;
	case OPT_STATS:
		opts->stats = true;
		return true;
	case OPT_KIOSK:
		opts->kiosk = true;
		return true;
	case OPT_KIOSK_ESCAPE:
		if (strcmp(arg, "none") == 0) {
			opts->kiosk_escape_key = 0;
			return true;
		}
		if (!options_parse_keyspec(arg, &opts->kiosk_escape_key,
					   &opts->kiosk_escape_mods))
			return usage_error("--kiosk-escape \"%s\" is not MODIFIER+...+KEY "
					   "(modifiers ctrl, alt, shift, super; keys a..z, "
					   "0..9, f1..f12, escape, backspace, delete, pause, "
					   "tab, space) or none", arg);
		return true;
	case OPT_KIOSK_QUIT:
		if (strcmp(arg, "on-disconnect") && strcmp(arg, "never"))
			return usage_error("--kiosk-quit \"%s\" is not on-disconnect or never", arg);
		opts->kiosk_quit_on_disconnect = strcmp(arg, "on-disconnect") == 0;
		return true;
	case OPT_LAYOUT:
		if (!layout_arrangement_parse(arg, &opts->layout))
			return usage_error("--layout \"%s\" is not grid, row or column", arg);
		return true;
	case OPT_SOURCE:
		if (strcmp(arg, "auto") == 0)
			opts->source = OPTIONS_SOURCE_AUTO;
		else if (strcmp(arg, "socket") == 0)
			opts->source = OPTIONS_SOURCE_SOCKET;
		else if (strcmp(arg, "qemu") == 0)
			opts->source = OPTIONS_SOURCE_QEMU;
		else
			return usage_error("--source \"%s\" is not auto, socket or qemu", arg);
		return true;
	case OPT_LIST:
		opts->list = true;
		return true;
	case OPT_RECONNECT:
	case OPT_NO_RECONNECT:
		opts->reconnect = c == OPT_RECONNECT;
		return true;
	case 'v':
		opts->verbose = true;
		log_set_verbose(true);
		return true;
	case OPT_DEMO:
		opts->demo = true;
		return true;
	case OPT_DEMO_OPTION:
		if (opts->n_demo_args == OPTIONS_MAX_DEMO_ARGS)
			return usage_error("too many --demo-option (at most 32); dropped \"%s\"", arg);
		opts->demo_args[opts->n_demo_args++] = arg;
		return true;
	default:
		/* getopt already said what was wrong */
		fprintf(stderr, "Try 'qemu-eglview --help'.\n");
		return false;
	}
}

enum options_result
options_parse(int argc, char *argv[], struct options *opts)
{
	*opts = (struct options){ .scale = "fit", .mouse = "auto", .hotkey = 'g',
				   .hotkey_key = KEY_G };

	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "hv", long_options, NULL)) != -1) {
		if (c == 'h') {
			print_usage(stdout);
			return OPTIONS_EXIT_OK;
		}
		if (c == OPT_VERSION) {
			printf("qemu-eglview %s (protocol %d.%d)\n", EGLVIEW_VERSION,
			       PROTO_VERSION_MAJOR, PROTO_VERSION_MINOR);
			return OPTIONS_EXIT_OK;
		}
		if (!handle_option(c, optarg, opts))
			return OPTIONS_USAGE;
	}

	if ((opts->kiosk_escape_key || opts->kiosk_quit_on_disconnect) &&
	    !opts->kiosk) {
		usage_error("%s", "--kiosk-escape and --kiosk-quit need --kiosk");
		return OPTIONS_USAGE;
	}
	if (opts->kiosk && opts->backend && strcmp(opts->backend, "offscreen") == 0) {
		usage_error("%s", "--kiosk needs a window: --backend sdl or wayland");
		return OPTIONS_USAGE;
	}
	if (opts->microphone && opts->no_audio) {
		usage_error("%s", "--microphone on needs --audio on (with --audio off "
			    "the VM's streams are not asked for)");
		return OPTIONS_USAGE;
	}
	/* A kiosk's clipboard is not the VM's unless said. */
	if (!opts->clipboard_set)
		opts->clipboard = !opts->kiosk;
	if (opts->kiosk) {
		/* A kiosk shows the VM and nothing else, and never gives up on
		 * it (the demo's shim cannot come back: no reconnect there). */
		opts->fullscreen = true;
		opts->no_hotkeys = true;
		opts->reconnect = !opts->demo;
	}

	int n_args = argc - optind;
	if (opts->list) {
		if (n_args != 0 || opts->demo) {
			usage_error("%s", "--list takes no NAME and no --demo");
			return OPTIONS_USAGE;
		}
		return OPTIONS_RUN;
	}
	if (opts->demo) {
		if (n_args != 0) {
			usage_error("--demo starts its own VM; drop \"%s\"", argv[optind]);
			return OPTIONS_USAGE;
		}
		if (opts->reconnect) {
			usage_error("%s", "--reconnect needs a NAME or PATH: the demo's "
				    "shim ends with the viewer and never comes back");
			return OPTIONS_USAGE;
		}
	} else {
		if (n_args == 0) {
			usage_error("%s", "which VM? give a NAME or a socket PATH, or --demo");
			return OPTIONS_USAGE;
		}
		if (n_args > OPTIONS_MAX_TARGETS) {
			usage_error("at most 16 VMs in one output; unexpected \"%s\"",
				    argv[optind + OPTIONS_MAX_TARGETS]);
			return OPTIONS_USAGE;
		}
		if (opts->n_demo_args > 0) {
			usage_error("--demo-option \"%s\" needs --demo", opts->demo_args[0]);
			return OPTIONS_USAGE;
		}
		opts->target = argv[optind];
		for (int i = 0; i < n_args; i++) {
			opts->targets[i] = argv[optind + i];
			if (opts->targets[i][0] == '\0') {
				usage_error("%s", "the VM NAME is empty");
				return OPTIONS_USAGE;
			}
		}
		opts->n_targets = n_args;
		/* One VM going away must not take the others' tiles with it:
		 * each waits for its own VM. */
		if (n_args > 1)
			opts->reconnect = true;
	}
	return OPTIONS_RUN;
}
