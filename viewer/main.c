/* SPDX-License-Identifier: MIT */
/*
 * qemu-eglview: connects to a VM's display socket (or several VMs') and
 * shows its heads. The command line is read here; everything else is
 * the viewer's (app/).
 */
#include <stdlib.h>

#include "app/app.h"
#include "app/bridge.h"
#include "options.h"

int
main(int argc, char *argv[])
{
	struct options opts;
	switch (options_parse(argc, argv, &opts)) {
	case OPTIONS_RUN:
		break;
	case OPTIONS_EXIT_OK:
		return EXIT_SUCCESS;
	case OPTIONS_USAGE:
		return EXIT_USAGE;
	}

	if (opts.list)
		return bridge_list();
	int rc;
	struct viewer *v = viewer_create(&opts, &rc);
	if (!v)
		return rc;
	rc = viewer_run(v);
	if (opts.stats)
		viewer_print_stats(v);
	viewer_destroy(v);
	return rc;
}
