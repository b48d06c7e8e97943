/* SPDX-License-Identifier: MIT */
/*
 * eglview-shim as the viewer's child on a private socket: --demo starts
 * the demo VM this way, and a NAME that is no socket starts the bridge to
 * the QEMU (on the bus, or libvirt's) of that name. Its lifetime is the
 * viewer's: it is stopped at exit.
 */
#ifndef EGLVIEW_SHIM_CHILD_H
#define EGLVIEW_SHIM_CHILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct shim_child;

/* The shim exits with this when --vm-name --no-wait found no such VM. */
#define SHIM_CHILD_NOT_FOUND 3

/* Starts `eglview-shim ARGS... SOCKET` with SOCKET in a new private
 * directory; label names it in messages ("the demo VM"). NULL with why
 * filled. */
struct shim_child *shim_child_spawn(const char *label,
				    const char *const *args, int n_args,
				    char *why, size_t why_size);

/* Runs `eglview-shim ARGS...` to its end, its output the viewer's: its
 * exit status, or -1 with why (not found, not started, killed). */
int shim_child_run(const char *const *args, int n_args, char *why,
		   size_t why_size);

/* Connects to the child's socket once it accepts, waiting at most
 * timeout_ms and failing at once if the child exits first (*status then
 * its exit status, else -1). A blocking fd, or -1. */
int shim_child_connect(struct shim_child *child, int timeout_ms,
		       int *status, char *why, size_t why_size);

/* Readable when the child has exited (a pidfd); -1 once reaped. */
int shim_child_exit_fd(const struct shim_child *child);

/* Reaps an exited child; true when it had exited. how says how it ended. */
bool shim_child_reap(struct shim_child *child, char *how, size_t how_size);
/* true once reaped (it will serve no more). */
bool shim_child_gone(const struct shim_child *child);

const char *shim_child_socket_path(const struct shim_child *child);
pid_t shim_child_pid(const struct shim_child *child);

/* Stops the child (SIGTERM, then SIGKILL after 2 s), reaps it and removes
 * its socket directory. NULL is fine. */
void shim_child_destroy(struct shim_child *child);

#endif
