/* SPDX-License-Identifier: MIT */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>

#define LOG_PREFIX "qemu-eglview: "

static bool verbose;

void
log_set_verbose(bool on)
{
	verbose = on;
}

bool
log_is_verbose(void)
{
	return verbose;
}

void
log_message(enum log_level level, const char *fmt, ...)
{
	if (level == LOG_VERBOSE && !verbose)
		return;
	/* One write per line, so lines of several processes sharing the
	 * terminal (the viewer, its --demo shim) do not interleave. */
	char line[3 * 4096]; /* a label may be PATH_MAX long */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, LOG_PREFIX "%s\n", line);
}
