/* SPDX-License-Identifier: MIT */
/*
 * --demo: runs eglview-shim's built-in demo VM as a child on a private
 * socket, connects to it, and takes it down at exit.
 */
#ifndef EGLVIEW_DEMO_SPAWN_H
#define EGLVIEW_DEMO_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct demo;

/* Starts `eglview-shim --source demo --wait-for-viewer [extra...] SOCKET`.
 * NULL with why filled. */
struct demo *demo_spawn(const char *const *extra, int n_extra, char *why,
			size_t why_size);

/* Connects to the child's socket once it accepts, waiting at most 5 s and
 * failing at once if the child exits first. A blocking fd, or -1. */
int demo_connect(struct demo *demo, char *why, size_t why_size);

/* Readable when the child has exited (a pidfd); -1 once reaped. */
int demo_exit_fd(const struct demo *demo);

/* Reaps an exited child; true when it had exited. how says how it ended. */
bool demo_reap(struct demo *demo, char *how, size_t how_size);

const char *demo_socket_path(const struct demo *demo);
pid_t demo_pid(const struct demo *demo);

/* Stops the child (SIGTERM, then SIGKILL after 2 s), reaps it and removes
 * its socket directory. NULL is fine. */
void demo_destroy(struct demo *demo);

#endif
