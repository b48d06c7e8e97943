/* SPDX-License-Identifier: MIT */
/*
 * The viewer's messages: one line each on stderr, "qemu-eglview: " first.
 * Errors and what the user must know always show; the rest only with
 * --verbose (log_set_verbose).
 */
#ifndef EGLVIEW_LOG_H
#define EGLVIEW_LOG_H

#include <stdbool.h>

enum log_level {
	LOG_ERROR,   /* something failed: what, with what value, what to do */
	LOG_INFO,    /* always shown: a VM went away, --stats lines */
	LOG_VERBOSE, /* --verbose only: the path taken, what was sent */
};

void log_set_verbose(bool verbose);
bool log_is_verbose(void);

void log_message(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_error(...) log_message(LOG_ERROR, __VA_ARGS__)
#define log_info(...) log_message(LOG_INFO, __VA_ARGS__)
#define log_verbose(...) log_message(LOG_VERBOSE, __VA_ARGS__)

#endif
