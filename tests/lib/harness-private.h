/* SPDX-License-Identifier: MIT */
/* Between the harness's files. */
#ifndef EGLVIEW_TEST_HARNESS_PRIVATE_H
#define EGLVIEW_TEST_HARNESS_PRIVATE_H

#include "harness.h"

/* true (and *status set) when the viewer has exited: it is reaped. */
bool harness_reap(struct harness *h, int *status);

#endif
