/* SPDX-License-Identifier: MIT */
/*
 * qemu_libvirt_list as a program, for libvirt.py: one line per domain,
 * "NAME<tab>ADDRESS" ("-" for p2p), then "found N"; exit 1 with the reason
 * when virsh cannot list. With --time, how long the call took, in ms.
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "qemu/libvirt.h"

int
main(int argc, char **argv)
{
	struct qemu_libvirt_domain *d;
	char why[512] = "";
	gint64 start = g_get_monotonic_time();
	int n = qemu_libvirt_list(&d, why, sizeof(why));
	if (argc == 2 && strcmp(argv[1], "--time") == 0)
		printf("took %lld ms\n",
		       (long long)(g_get_monotonic_time() - start) / 1000);
	if (n < 0) {
		fprintf(stderr, "libvirt-list: %s\n", why);
		return 1;
	}
	for (int i = 0; i < n; i++)
		printf("%s\t%s\n", d[i].name, d[i].address ? d[i].address : "-");
	printf("found %d\n", n);
	qemu_libvirt_free(d, n);
	return 0;
}
