/* SPDX-License-Identifier: MIT */
/*
 * The viewer as main.c sees it: made from the command line, run until
 * the VM says goodbye, the window closes or a signal comes, then taken
 * down.
 */
#ifndef EGLVIEW_APP_H
#define EGLVIEW_APP_H

#include "app/exit-status.h"
#include "options.h"

struct viewer;

/* A session per VM, the --input-script read, SIGINT, SIGTERM and SIGUSR1
 * blocked into a signalfd. NULL after saying why; *exit_code is then what the
 * process returns (EXIT_USAGE for a script that does not read). */
struct viewer *viewer_create(const struct options *opts, int *exit_code);
/* Connects every VM (or starts waiting for it), opens the output and runs
 * the poll loop; the process's exit status. */
int viewer_run(struct viewer *v);
/* --stats (and SIGUSR1): a line per VM when there are several, then the
 * totals, then each head's path, then each head's stage timings. */
void viewer_print_stats(const struct viewer *v);
/* Says GOODBYE to every VM, stops the demo, closes the output. NULL is
 * fine. */
void viewer_destroy(struct viewer *v);

#endif
