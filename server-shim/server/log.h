/* SPDX-License-Identifier: MIT */
/*
 * The server side's messages: libeglview-server's and those of the program
 * built on it (eglview-shim: its main, the demo, the QEMU bridge). One line
 * each, on stderr with "eglview-shim: " first, unless the program that
 * embeds the library takes them (server_log_set_handler). Errors and what
 * the user must know always go out; the rest only when verbose.
 * Internal: the installed <eglview/server.h> holds the public part.
 */
#ifndef EGLVIEW_SERVER_LOG_H
#define EGLVIEW_SERVER_LOG_H

/* enum server_log_level, the verbose setting and the handler a VMM sets
 * are public (<eglview/server.h>); writing a message is not. */
#include "eglview/server.h"

void server_log(enum server_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define server_log_error(...) server_log(SERVER_LOG_ERROR, __VA_ARGS__)
#define server_log_info(...) server_log(SERVER_LOG_INFO, __VA_ARGS__)
#define server_log_verbose(...) server_log(SERVER_LOG_VERBOSE, __VA_ARGS__)

#endif
