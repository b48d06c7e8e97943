/* SPDX-License-Identifier: MIT */
/*
 * libeglview-server as the tree includes it: the public API (the installed
 * <eglview/server.h>, in server/include/) and the server side's log calls
 * (server/log.h, not installed).
 */
#ifndef EGLVIEW_SERVER_INTERNAL_H
#define EGLVIEW_SERVER_INTERNAL_H

#include "eglview/server.h"
#include "server/log.h"

#endif
