/* SPDX-License-Identifier: MIT */
/* The offscreen output on a real render node (GBM). Needs /dev/dri. */
#include <glob.h>
#include <stdio.h>
#include <string.h>

#include "render-test.h"

int
main(void)
{
	glob_t g;
	if (glob("/dev/dri/renderD*", 0, NULL, &g) != 0 || g.gl_pathc == 0) {
		printf("skipped: no render node (/dev/dri/renderD* absent)\n");
		return 77;
	}
	char node[256];
	snprintf(node, sizeof(node), "%s", g.gl_pathv[0]);
	globfree(&g);

	char why[512];
	struct output_config cfg = { .width = 64, .height = 48,
				     .render_node = node, .verbose = true };
	struct output *out = output_create(&output_offscreen_impl, &cfg, why, sizeof(why));
	REQUIRE(out, "offscreen output on %s failed: %s", node, why);
	char want[300];
	snprintf(want, sizeof(want), "GBM on %s", node);
	CHECK(strncmp(out->path, want, strlen(want)) == 0, "path is \"%s\"", out->path);
	struct renderer *r = render_create(out, why, sizeof(why));
	REQUIRE(r, "render_create on %s: %s", node, why);
	struct render_head *head = render_head_create(r);
	REQUIRE(output_begin_frame(out) && render_draw(r, &head, 1), "drawing failed");
	uint64_t t = 0;
	CHECK(output_present(out, &t) && t > 0, "present failed");
	uint32_t n;
	render_formats(r, &n);
	fprintf(stderr, "%s: %u formats, dmabuf import %s\n", out->path, n,
		output_has_dmabuf_import(out) ? "yes" : "no");
	render_head_destroy(head);
	render_destroy(r);
	output_destroy(out);
	return test_failures ? 1 : 0;
}
