/* SPDX-License-Identifier: MIT */
#include "app/bridge.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/exit-status.h"
#include "app/shim-child.h"
#include "log.h"
#include "proto.h"

struct shim_child *
bridge_spawn(const char *name, bool wait)
{
	const char *args[] = { "--source", "qemu", "--vm-name", name,
			       "--no-wait" };
	char label[128], why[512];
	snprintf(label, sizeof(label), "the bridge to VM \"%s\"", name);
	struct shim_child *child = shim_child_spawn(label, args, wait ? 4 : 5,
						    why, sizeof(why));
	if (!child)
		log_error("cannot reach VM \"%s\" by name: %s", name, why);
	return child;
}

/* The sockets of the socket directory: NAME.sock, answering or stale. */
static void
list_sockets(void)
{
	char dir[PATH_MAX - 256];
	if (!proto_socket_dir(dir, sizeof(dir)))
		return;
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len <= 5 || strcmp(e->d_name + len - 5, ".sock") != 0)
			continue;
		char path[PATH_MAX + 256];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		int fd = proto_connect(path);
		if (fd >= 0)
			close(fd);
		printf("%.*s\tsocket\t%s%s\n", (int)(len - 5), e->d_name, path,
		       fd >= 0 ? "" : " (stale: nobody accepts)");
	}
	closedir(d);
}

int
bridge_list(void)
{
	list_sockets();
	fflush(stdout);
	const char *args[] = { "--list" };
	char why[512];
	int status = shim_child_run(args, 1, why, sizeof(why));
	if (status < 0) {
		log_error("cannot list the QEMUs and libvirt domains: %s", why);
		return EXIT_FAILURE;
	}
	return status == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
