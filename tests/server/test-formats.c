/* SPDX-License-Identifier: MIT */
/*
 * Format negotiation in libeglview-server over real sockets:
 * server_viewer_formats() is the intersection of what the handshaken raw
 * viewers offered (sharing ways AND-ed, external-only OR-ed), already
 * including a viewer inside its viewer_joined callback, and back to the
 * others' set when one leaves; a buffer outside a viewer's set is never
 * sent to it. Usage: test-formats
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "raw-viewer.h"
#include "server/server.h"
#include "alloc/shm.h"

#define W 32
#define H 16
#define MOD_X 0x0100000000000002ull /* some vendor modifier */

struct fixture {
	struct server *server;
	struct proto_format at_join[PROTO_MAX_FORMATS];
	size_t n_at_join;
	int joined, left;
};

static void
on_joined(void *data, size_t count)
{
	struct fixture *fx = data;
	(void)count;
	fx->joined++;
	fx->n_at_join = server_viewer_formats(fx->server, fx->at_join,
					      PROTO_MAX_FORMATS);
}

static void
on_left(void *data, size_t count)
{
	struct fixture *fx = data;
	(void)count;
	fx->left++;
}

static const struct server_callbacks callbacks = {
	.viewer_joined = on_joined, .viewer_left = on_left,
};

static bool
join(struct raw_viewer *v, struct fixture *fx, const char *path,
     const struct proto_format *f, uint32_t n)
{
	int before = fx->joined;
	if (!raw_viewer_connect(v, path, fx->server) ||
	    !raw_viewer_expect(v, PROTO_HELLO) ||
	    !proto_send_hello(v->fd, PROTO_FEATURE_SHM | PROTO_FEATURE_DMABUF,
			      "formats-viewer", f, n))
		return false;
	for (int i = 0; i < 100 && fx->joined == before; i++)
		raw_viewer_pump(fx->server, 20);
	return fx->joined > before;
}

static const struct proto_format *
find(const struct proto_format *f, size_t n, uint32_t fourcc, uint64_t mod)
{
	for (size_t i = 0; i < n; i++) {
		if (f[i].fourcc == fourcc && f[i].modifier == mod)
			return &f[i];
	}
	return NULL;
}

static void
run(void)
{
	struct fixture fx = { 0 };
	char dir[] = "/tmp/eglview-formats-XXXXXX", path[128], why[256];
	REQUIRE(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/vm.sock", dir);
	fx.server = server_create(path, "formats", &callbacks, &fx, why,
				  sizeof(why));
	REQUIRE(fx.server != NULL);
	struct proto_format none[1];
	CHECK(server_viewer_formats(fx.server, none, 1) == 0);

	/* A: XRGB8888 as shm and as LINEAR and MOD_X dmabufs (listed
	 * twice: separately for shm and dmabuf), NV12 external-only,
	 * ARGB8888 as shm. */
	const struct proto_format a[] = {
		{ DRM_FORMAT_XRGB8888, PROTO_FORMAT_SHM, DRM_FORMAT_MOD_LINEAR },
		{ DRM_FORMAT_XRGB8888, PROTO_FORMAT_DMABUF, DRM_FORMAT_MOD_LINEAR },
		{ DRM_FORMAT_XRGB8888, PROTO_FORMAT_DMABUF, MOD_X },
		{ DRM_FORMAT_NV12, PROTO_FORMAT_DMABUF | PROTO_FORMAT_EXTERNAL_ONLY,
		  DRM_FORMAT_MOD_LINEAR },
		{ DRM_FORMAT_ARGB8888, PROTO_FORMAT_SHM, DRM_FORMAT_MOD_LINEAR },
	};
	/* B, restricted: XRGB8888 LINEAR as a dmabuf only, NV12 sampled
	 * plainly, nothing of MOD_X or ARGB8888. */
	const struct proto_format b[] = {
		{ DRM_FORMAT_XRGB8888, PROTO_FORMAT_DMABUF, DRM_FORMAT_MOD_LINEAR },
		{ DRM_FORMAT_NV12, PROTO_FORMAT_DMABUF, DRM_FORMAT_MOD_LINEAR },
	};
	struct raw_viewer va, vb;
	REQUIRE(join(&va, &fx, path, a, 5));
	/* In A's viewer_joined, A's set, each pair once. */
	CHECK(fx.n_at_join == 4);
	const struct proto_format *x = find(fx.at_join, fx.n_at_join,
					    DRM_FORMAT_XRGB8888, DRM_FORMAT_MOD_LINEAR);
	CHECK(x && x->flags == (PROTO_FORMAT_SHM | PROTO_FORMAT_DMABUF));
	CHECK(find(fx.at_join, fx.n_at_join, DRM_FORMAT_XRGB8888, MOD_X));

	REQUIRE(join(&vb, &fx, path, b, 2));
	/* In B's viewer_joined: the intersection. */
	CHECK(fx.n_at_join == 2);
	x = find(fx.at_join, fx.n_at_join, DRM_FORMAT_XRGB8888, DRM_FORMAT_MOD_LINEAR);
	CHECK(x && x->flags == PROTO_FORMAT_DMABUF);
	const struct proto_format *nv12 = find(fx.at_join, fx.n_at_join,
		DRM_FORMAT_NV12, DRM_FORMAT_MOD_LINEAR);
	CHECK(nv12 && nv12->flags ==
	      (PROTO_FORMAT_DMABUF | PROTO_FORMAT_EXTERNAL_ONLY));
	CHECK(!find(fx.at_join, fx.n_at_join, DRM_FORMAT_XRGB8888, MOD_X));
	CHECK(!find(fx.at_join, fx.n_at_join, DRM_FORMAT_ARGB8888,
		    DRM_FORMAT_MOD_LINEAR));
	for (size_t i = 0; i < fx.n_at_join; i++)
		printf("in common: %.4s modifier 0x%016llx flags 0x%x\n",
		       (const char *)&fx.at_join[i].fourcc,
		       (unsigned long long)fx.at_join[i].modifier,
		       fx.at_join[i].flags);

	/* B does not take shm: a shm buffer goes to A only. */
	struct shm_block shm;
	REQUIRE(shm_block_init(&shm, "formats", W * H * 4, why, sizeof(why)));
	struct server_head *head = server_add_head(fx.server, "F-1", W, H);
	struct server_buffer *buf = server_buffer_create_shm(fx.server, shm.fd,
		DRM_FORMAT_XRGB8888, W, H, W * 4, 0);
	REQUIRE(head && buf);
	server_head_present(head, buf, PROTO_SCANOUT_Y0_TOP, NULL, 0);
	CHECK(raw_viewer_skip_to(&va, PROTO_BUFFER_SHM, 2000));
	bool b_got_shm = false;
	while (raw_viewer_recv(&vb, 300) == PROTO_IO_OK)
		b_got_shm |= proto_packet_type(vb.pkt) == PROTO_BUFFER_SHM;
	CHECK(!b_got_shm);

	/* B leaves: A's set again. */
	raw_viewer_close(&vb);
	for (int i = 0; i < 100 && fx.left == 0; i++)
		raw_viewer_pump(fx.server, 20);
	struct proto_format after[PROTO_MAX_FORMATS];
	CHECK(server_viewer_formats(fx.server, after, PROTO_MAX_FORMATS) == 4);
	/* max is honoured. */
	CHECK(server_viewer_formats(fx.server, after, 2) == 2);

	raw_viewer_close(&va);
	server_buffer_destroy(buf);
	shm_block_finish(&shm);
	server_destroy(fx.server);
	rmdir(dir);
}

int
main(void)
{
	run();
	if (test_failures == 0)
		printf("formats: passed\n");
	return test_failures ? 1 : 0;
}
