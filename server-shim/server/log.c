/* SPDX-License-Identifier: MIT */
#include "server/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#define LOG_PREFIX "eglview-shim: "

static bool verbose;
static server_log_handler *handler;
static void *handler_data;

void
server_log_set_verbose(bool on)
{
	verbose = on;
}

bool
server_log_is_verbose(void)
{
	return verbose;
}

void
server_log_set_handler(server_log_handler *func, void *data)
{
	handler = func;
	handler_data = data;
}

void
server_log(enum server_log_level level, const char *fmt, ...)
{
	if (level == SERVER_LOG_VERBOSE && !verbose)
		return;
	/* Callers log on their way to reporting errno's failure. */
	int saved_errno = errno;
	char line[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (handler != NULL)
		handler(level, line, handler_data);
	else
		/* One write per line: the shim's lines and its viewer's
		 * (qemu-eglview --demo) share a terminal. */
		fprintf(stderr, LOG_PREFIX "%s\n", line);
	errno = saved_errno;
}
