/* SPDX-License-Identifier: MIT */
/* Between the harness's files. */
#ifndef EGLVIEW_TEST_HARNESS_PRIVATE_H
#define EGLVIEW_TEST_HARNESS_PRIVATE_H

#include "harness.h"

/* Waits up to ms (already scaled) for fd (-1: none) to be readable or
 * the viewer to exit: 1 readable, -1 exited (reaped, *status set),
 * 0 neither in time. */
int harness_wait_viewer(struct harness *h, int fd, int ms, int *status);

#endif
