/* SPDX-License-Identifier: MIT */
/*
 * The server side's messages: libeglview-server's and those of the program
 * built on it (eglview-shim: its main, the demo, the QEMU bridge). One line
 * each, on stderr with "eglview-shim: " first, unless the program that
 * embeds the library takes them (server_log_set_handler). Errors and what
 * the user must know always go out; the rest only when verbose.
 */
#ifndef EGLVIEW_SERVER_LOG_H
#define EGLVIEW_SERVER_LOG_H

#include <stdbool.h>

enum server_log_level {
	SERVER_LOG_ERROR,   /* failed: what, with what value, what to do */
	SERVER_LOG_INFO,    /* always shown: QEMU came or went, new buffers */
	SERVER_LOG_VERBOSE, /* when verbose: viewers joining, each present */
};

/* For the whole process (one setting, like the prefix). */
void server_log_set_verbose(bool verbose);
bool server_log_is_verbose(void);

/* A VMM that links the library may send the lines to its own log: handler
 * gets each without prefix or newline (verbose ones only when verbose).
 * NULL: back to stderr. */
typedef void server_log_handler(enum server_log_level level,
				const char *line, void *data);
void server_log_set_handler(server_log_handler *handler, void *data);

void server_log(enum server_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define server_log_error(...) server_log(SERVER_LOG_ERROR, __VA_ARGS__)
#define server_log_info(...) server_log(SERVER_LOG_INFO, __VA_ARGS__)
#define server_log_verbose(...) server_log(SERVER_LOG_VERBOSE, __VA_ARGS__)

#endif
