/* SPDX-License-Identifier: MIT */
/*
 * The bad-dma-buf rows of PROTOCOL.md's validation table with real
 * dma-bufs (GBM buffer objects of the test VM's vgem card node): a test
 * server (tests/lib/harness.c) sends the real qemu-eglview a
 * BUFFER_DMABUF with the wrong plane count, one whose offset is beyond the
 * dma-buf's size, and one with a modifier the viewer did not offer; each
 * must end the viewer with the ERROR code the table names, a message
 * naming the problem, and exit 1. All cases in one process, one viewer
 * each (every start of llvmpipe under emulation costs seconds).
 * Exits 77 where there is no DRM device.
 *
 * usage: test-dmabuf-bad QEMU_EGLVIEW [CASE]
 */
#include <errno.h>
#include <glob.h>
#include <string.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "alloc/gbm-buffers.h"
#include "harness.h"

#define W 64
#define H 48

static struct harness h;
static struct gbm_buffers_bo *bo;
static off_t bo_size;

static void
send_dmabuf(uint64_t modifier, uint32_t n_planes, uint32_t offset)
{
	struct proto_buffer_dmabuf desc = {
		.buffer_id = 1, .fourcc = DRM_FORMAT_XRGB8888,
		.modifier = modifier, .width = W, .height = H,
		.n_planes = n_planes,
	};
	int fds[PROTO_MAX_PLANES];
	for (uint32_t i = 0; i < n_planes; i++) {
		desc.planes[i] = (struct proto_plane){ .offset = offset,
						       .stride = bo->stride };
		fds[i] = bo->fd;
	}
	/* Past proto_send_buffer_dmabuf's own check, as a hostile or
	 * broken server would. */
	REQUIRE(proto_send_msg(h.conn, PROTO_BUFFER_DMABUF, &desc, sizeof(desc),
			       NULL, 0, fds, n_planes),
		"sending BUFFER_DMABUF: %s", strerror(errno));
}

static void
bad_plane_count(void)
{
	/* XRGB8888 has one plane; two fds of the real dma-buf. */
	send_dmabuf(bo->modifier, 2, 0);
}

static void
bad_offset_beyond(void)
{
	/* The plane would start at the dma-buf's end. */
	send_dmabuf(bo->modifier, 1, (uint32_t)bo_size);
}

static void
bad_modifier(void)
{
	/* A vendor modifier no software driver offers. */
	send_dmabuf(I915_FORMAT_MOD_Y_TILED, 1, 0);
}

static const struct {
	const char *name;
	void (*send)(void);
	enum proto_error code;
	const char *message;
} cases[] = {
	{ "plane-count", bad_plane_count, PROTO_ERR_BAD_VALUE, "n_planes" },
	{ "offset-beyond-size", bad_offset_beyond, PROTO_ERR_BAD_FD,
	  "BUFFER_DMABUF 1 plane 0: " },
	{ "unsupported-modifier", bad_modifier, PROTO_ERR_FORMAT,
	  "was not offered in our HELLO" },
};

static void
run_case(const char *viewer, size_t i)
{
	harness_init(&h, viewer);
	harness_listen(&h);
	const char *args[] = { "--backend", "offscreen", h.sock, NULL };
	harness_spawn(&h, args, NULL);
	harness_accept_viewer(&h);
	REQUIRE(proto_send_hello(h.conn, PROTO_FEATURE_DMABUF, "test-server",
				 NULL, 0), "HELLO: %s", strerror(errno));
	cases[i].send();
	harness_expect(&h, PROTO_ERROR);
	const struct proto_error_msg *err = proto_packet_body(h.pkt);
	const char *text = (const char *)(err + 1);
	REQUIRE(err->code == (uint32_t)cases[i].code, "%s: ERROR %s (\"%s\"), "
		"expected %s", cases[i].name, proto_error_name(err->code), text,
		proto_error_name(cases[i].code));
	printf("%s: the viewer sent ERROR %s: %s\n", cases[i].name,
	       proto_error_name(err->code), text);
	harness_expect_exit(&h, 1);
	harness_expect_stderr(&h, cases[i].message);
	harness_finish(&h);
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s QEMU_EGLVIEW [CASE]\n", argv[0]);
		return 2;
	}
	glob_t g;
	if (glob("/dev/dri/card*", 0, NULL, &g) != 0) {
		printf("skipped: no DRM device (no /dev/dri/card*); the dmabuf "
		       "suite runs for real inside the test VM (tests/vm/vm-run)\n");
		return 77;
	}
	globfree(&g);
	char why[512];
	struct gbm_buffers *gbm = gbm_buffers_open(why, sizeof(why));
	REQUIRE(gbm != NULL, "%s", why);
	bo = gbm_buffers_bo_create(gbm, W, H, why, sizeof(why));
	REQUIRE(bo != NULL, "%s", why);
	bo_size = lseek(bo->fd, 0, SEEK_END);
	REQUIRE(bo_size > 0, "the dma-buf of a GBM buffer has no size (%lld): "
		"the offset case needs it", (long long)bo_size);
	size_t ran = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (argc > 2 && strcmp(argv[2], cases[i].name) != 0)
			continue;
		run_case(argv[1], i);
		ran++;
	}
	REQUIRE(ran > 0, "no case %s", argc > 2 ? argv[2] : "");
	gbm_buffers_bo_destroy(bo);
	gbm_buffers_close(gbm);
	printf("%zu bad dma-buf case(s) rejected as PROTOCOL.md says\n", ran);
	return 0;
}
