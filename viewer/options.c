/* SPDX-License-Identifier: MIT */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eglview-proto.h"

#ifndef EGLVIEW_VERSION
#define EGLVIEW_VERSION "unknown"
#endif

const char *const options_backends[] = { "offscreen", NULL };

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
};

static const struct option long_options[] = {
	{ "backend", required_argument, NULL, OPT_BACKEND },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "render-node", required_argument, NULL, OPT_RENDER_NODE },
	{ "snapshot", required_argument, NULL, OPT_SNAPSHOT },
	{ "exit-after-frames", required_argument, NULL, OPT_EXIT_AFTER_FRAMES },
	{ "input-script", required_argument, NULL, OPT_INPUT_SCRIPT },
	{ "stats", no_argument, NULL, OPT_STATS },
	{ "verbose", no_argument, NULL, 'v' },
	{ "demo", no_argument, NULL, OPT_DEMO },
	{ "demo-option", required_argument, NULL, OPT_DEMO_OPTION },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ 0 },
};

static void
print_usage(FILE *f)
{
	fprintf(f,
		"usage: qemu-eglview [options] NAME|PATH\n"
		"       qemu-eglview --demo [options]\n"
		"\n"
		"Shows a VM's displays served by eglview-shim on a unix socket.\n"
		"NAME means $XDG_RUNTIME_DIR/qemu-eglview/NAME.sock; a PATH has a '/'.\n"
		"\n"
		"  --backend NAME          output backend: offscreen (default)\n"
		"  --size WxH              framebuffer size (default: follow the heads)\n"
		"  --render-node PATH      GPU render node (default: the first one)\n"
		"  --snapshot FILE.png     write the last frame shown at exit\n"
		"  --exit-after-frames N   exit 0 after N frames were presented\n"
		"  --input-script FILE     send these input records after the first frame\n"
		"  --stats                 print frame and upload counters at exit\n"
		"  -v, --verbose           say what happens on the connection\n"
		"  --demo                  start the built-in demo VM and show it\n"
		"  --demo-option ARG       pass ARG to the demo's eglview-shim (repeatable)\n"
		"  -h, --help              show this help\n"
		"  --version               show the version\n");
}

static bool
usage_error(const char *fmt, const char *value)
{
	fprintf(stderr, "qemu-eglview: ");
	fprintf(stderr, fmt, value);
	fprintf(stderr, "\nTry 'qemu-eglview --help'.\n");
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
			fprintf(stderr, "qemu-eglview: unknown backend \"%s\"; available:", arg);
			for (int i = 0; options_backends[i]; i++)
				fprintf(stderr, " %s", options_backends[i]);
			fprintf(stderr, "\n");
			return false;
		}
		opts->backend = arg;
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
	case 'v':
		opts->verbose = true;
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
	*opts = (struct options){ .backend = "offscreen" };

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

	int n_args = argc - optind;
	if (opts->demo) {
		if (n_args != 0) {
			usage_error("--demo starts its own VM; drop \"%s\"", argv[optind]);
			return OPTIONS_USAGE;
		}
	} else {
		if (n_args == 0) {
			usage_error("%s", "which VM? give a NAME or a socket PATH, or --demo");
			return OPTIONS_USAGE;
		}
		if (n_args > 1) {
			usage_error("one VM at a time; unexpected \"%s\"", argv[optind + 1]);
			return OPTIONS_USAGE;
		}
		if (opts->n_demo_args > 0) {
			usage_error("--demo-option \"%s\" needs --demo", opts->demo_args[0]);
			return OPTIONS_USAGE;
		}
		opts->target = argv[optind];
		if (opts->target[0] == '\0') {
			usage_error("%s", "the VM NAME is empty");
			return OPTIONS_USAGE;
		}
	}
	return OPTIONS_RUN;
}
