/* SPDX-License-Identifier: MIT */
/*
 * A small damage uploads only its rectangle: the real qemu-eglview is
 * shown a 1920x1080 shm frame, then a 64x64 change of it, and its --stats
 * must count exactly one full upload plus one 64x64 upload.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <drm_fourcc.h>

#include "alloc/shm.h"
#include "harness.h"
#include "server/server.h"

#define W 1920
#define H 1080

static uint64_t
stat_field(const char *text, const char *name)
{
	char key[64];
	snprintf(key, sizeof(key), " %s=", name);
	const char *p = strstr(text, key);
	return p ? strtoull(p + strlen(key), NULL, 10) : UINT64_MAX;
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s QEMU_EGLVIEW\n", argv[0]);
		return 2;
	}
	struct harness h;
	harness_init(&h, argv[1]);
	harness_serve(&h, "damage-test", NULL, NULL);
	/* One buffer, written between frames: a viewer may not hold it. */
	server_set_hold_shown(h.server, false);
	struct server_head *head = server_add_head(h.server, "Virtual-1", W, H);
	struct shm_block shm;
	char why[256];
	if (!shm_block_init(&shm, "damage-test", (size_t)W * H * 4, why, sizeof(why)))
		FAIL("%s", why);
	uint32_t *px = shm.data;
	for (size_t i = 0; i < (size_t)W * H; i++)
		px[i] = 0xff203040;
	struct server_buffer *buf = server_buffer_create_shm(h.server, shm.fd,
		DRM_FORMAT_XRGB8888, W, H, W * 4, 0);
	REQUIRE(buf, "server_buffer_create_shm failed");

	static const char *const args[] = { "--stats", NULL };
	harness_start_viewer(&h, args);

	server_head_present(head, buf, PROTO_SCANOUT_Y0_TOP, NULL, 0);
	CHECK(harness_wait_idle(&h, 10000), "no FRAME_DONE for the full frame");

	struct proto_rect rect = { .x = 1000, .y = 500, .width = 64, .height = 64 };
	for (uint32_t y = rect.y; y < rect.y + rect.height; y++)
		for (uint32_t x = rect.x; x < rect.x + rect.width; x++)
			px[y * W + x] = 0xffff0000;
	CHECK(!server_buffer_busy(buf), "buffer still busy after FRAME_DONE");
	server_head_present(head, buf, PROTO_SCANOUT_Y0_TOP, &rect, 1);
	CHECK(harness_wait_idle(&h, 10000), "no FRAME_DONE for the damage");

	char out[8192];
	int rc = harness_stop_viewer(&h, out, sizeof(out));
	fputs(out, stdout);
	CHECK(rc == 0, "viewer exit status %d, expected 0", rc);

	uint64_t want = (uint64_t)W * H * 4 + 64 * 64 * 4;
	uint64_t bytes = stat_field(out, "bytes_uploaded");
	CHECK(bytes == want, "bytes_uploaded=%" PRIu64 ", expected %" PRIu64
	      " (one full frame + one 64x64 rect)", bytes, want);
	CHECK(stat_field(out, "rects_uploaded") == 2, "rects_uploaded != 2");
	CHECK(stat_field(out, "frames") == 2, "frames != 2");
	CHECK(stat_field(out, "imports_shm") == 1, "imports_shm != 1 (one import per buffer)");

	shm_block_finish(&shm);
	harness_finish(&h);
	if (test_failures)
		return 1;
	printf("damage-upload: full frame %d bytes, 64x64 damage %d bytes: as expected\n",
	       W * H * 4, 64 * 64 * 4);
	return 0;
}
