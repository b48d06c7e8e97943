/* SPDX-License-Identifier: MIT */
/*
 * --reconnect: waits for a VM's socket to come back, and for the socket
 * of the bridge the viewer started to the VM of that name. inotify on the
 * socket's directory says at once when the socket is created, moved there
 * or has its mode set; connect() is also retried with exponential backoff
 * (50 ms doubling to 2 s) for what inotify cannot see (the directory did
 * not exist yet, a socket that exists but nobody listens on yet). Both
 * are driven by the viewer's one poll loop: poll reconnect_fd() with
 * reconnect_timeout_ms() and call reconnect_try() after.
 */
#ifndef EGLVIEW_RECONNECT_H
#define EGLVIEW_RECONNECT_H

#include <stdbool.h>
#include <stdint.h>

struct reconnect;

enum { RECONNECT_SOCKET, RECONNECT_BRIDGE };

/* NULL after printing why (out of memory, no inotify: then backoff only
 * is not an option either, so it fails). */
struct reconnect *reconnect_create(const char *socket_path);
void reconnect_destroy(struct reconnect *r); /* NULL is fine */
/* The bridge's socket is waited for too (NULL: no more). */
void reconnect_set_bridge(struct reconnect *r, const char *socket_path);

/* The connection is gone: start waiting (the first try is immediate). */
void reconnect_start(struct reconnect *r);
/* The inotify fd (-1 while the directory cannot be watched). */
int reconnect_fd(const struct reconnect *r);
/* How long poll may block before the next retry (never -1). */
int reconnect_timeout_ms(const struct reconnect *r);
/* Reads the inotify events, and connects when a socket was seen or the
 * retry is due. A connected fd (*which: RECONNECT_SOCKET or _BRIDGE), or
 * -1 while still waiting. */
int reconnect_try(struct reconnect *r, int *which);
/* CLOCK_MONOTONIC ns when the socket was last seen appearing (an inotify
 * event for it), else when the connect that succeeded was made. */
uint64_t reconnect_seen_ns(const struct reconnect *r);

#endif
