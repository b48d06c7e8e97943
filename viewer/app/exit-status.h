/* SPDX-License-Identifier: MIT */
/* What qemu-eglview exits with besides EXIT_SUCCESS and EXIT_FAILURE. */
#ifndef EGLVIEW_EXIT_STATUS_H
#define EGLVIEW_EXIT_STATUS_H

#define EXIT_USAGE 2 /* the command line, a NAME or the script was wrong */
/* --kiosk-quit on-disconnect: the VM went away (README, "Kiosk"). */
#define EXIT_DISCONNECTED 3

#endif
