/* SPDX-License-Identifier: MIT */
/* import_dmabuf_attribs(): the EGL attribute list for 1..4 planes, with
 * and without modifiers. */
#include <stdio.h>
#include <string.h>

#include <drm_fourcc.h>

#include "check.h"
#include "render/import-dmabuf.h"

/* The value following key in attribs, or -12345 when key is absent. */
static EGLint
lookup(const EGLint *attribs, size_t n, EGLint key)
{
	for (size_t i = 0; i + 1 < n; i += 2) {
		if (attribs[i] == key)
			return attribs[i + 1];
	}
	return -12345;
}

static const EGLint fd_keys[] = { EGL_DMA_BUF_PLANE0_FD_EXT,
	EGL_DMA_BUF_PLANE1_FD_EXT, EGL_DMA_BUF_PLANE2_FD_EXT,
	EGL_DMA_BUF_PLANE3_FD_EXT };
static const EGLint offset_keys[] = { EGL_DMA_BUF_PLANE0_OFFSET_EXT,
	EGL_DMA_BUF_PLANE1_OFFSET_EXT, EGL_DMA_BUF_PLANE2_OFFSET_EXT,
	EGL_DMA_BUF_PLANE3_OFFSET_EXT };
static const EGLint pitch_keys[] = { EGL_DMA_BUF_PLANE0_PITCH_EXT,
	EGL_DMA_BUF_PLANE1_PITCH_EXT, EGL_DMA_BUF_PLANE2_PITCH_EXT,
	EGL_DMA_BUF_PLANE3_PITCH_EXT };
static const EGLint lo_keys[] = { EGL_DMA_BUF_PLANE0_MODIFIER_LO_EXT,
	EGL_DMA_BUF_PLANE1_MODIFIER_LO_EXT, EGL_DMA_BUF_PLANE2_MODIFIER_LO_EXT,
	EGL_DMA_BUF_PLANE3_MODIFIER_LO_EXT };
static const EGLint hi_keys[] = { EGL_DMA_BUF_PLANE0_MODIFIER_HI_EXT,
	EGL_DMA_BUF_PLANE1_MODIFIER_HI_EXT, EGL_DMA_BUF_PLANE2_MODIFIER_HI_EXT,
	EGL_DMA_BUF_PLANE3_MODIFIER_HI_EXT };

static void
check(uint32_t n_planes, uint64_t modifier, bool with_modifiers)
{
	struct proto_buffer_dmabuf desc = {
		.buffer_id = 7, .fourcc = DRM_FORMAT_NV12, .modifier = modifier,
		.width = 1920, .height = 1080, .n_planes = n_planes,
	};
	int fds[4] = { 10, 11, 12, 13 };
	for (uint32_t i = 0; i < 4; i++)
		desc.planes[i] = (struct proto_plane){ 4096 * i + 64, 2048 + 256 * i };

	EGLint attribs[IMPORT_DMABUF_MAX_ATTRIBS];
	memset(attribs, 0x55, sizeof(attribs));
	size_t n = import_dmabuf_attribs(attribs, &desc, fds, with_modifiers);
	bool mods = with_modifiers && modifier != DRM_FORMAT_MOD_INVALID;
	size_t want = 6 + n_planes * (mods ? 10 : 6) + 1;
	CHECK(n == want, "%u planes, modifiers %d: %zu entries, expected %zu",
	      n_planes, mods, n, want);
	CHECK(n > 0 && attribs[n - 1] == EGL_NONE, "list not ended by EGL_NONE");
	CHECK(lookup(attribs, n, EGL_WIDTH) == 1920, "EGL_WIDTH");
	CHECK(lookup(attribs, n, EGL_HEIGHT) == 1080, "EGL_HEIGHT");
	CHECK(lookup(attribs, n, EGL_LINUX_DRM_FOURCC_EXT) == (EGLint)DRM_FORMAT_NV12,
	      "EGL_LINUX_DRM_FOURCC_EXT");
	for (uint32_t i = 0; i < 4; i++) {
		bool present = i < n_planes;
		EGLint fd = lookup(attribs, n, fd_keys[i]);
		EGLint off = lookup(attribs, n, offset_keys[i]);
		EGLint pitch = lookup(attribs, n, pitch_keys[i]);
		EGLint lo = lookup(attribs, n, lo_keys[i]);
		EGLint hi = lookup(attribs, n, hi_keys[i]);
		if (present) {
			CHECK(fd == fds[i], "plane %u fd %d", i, fd);
			CHECK(off == (EGLint)(4096 * i + 64), "plane %u offset %d", i, off);
			CHECK(pitch == (EGLint)(2048 + 256 * i), "plane %u pitch %d", i, pitch);
		} else {
			CHECK(fd == -12345 && off == -12345 && pitch == -12345,
			      "plane %u of %u described", i, n_planes);
		}
		if (present && mods) {
			CHECK((uint32_t)lo == (uint32_t)(modifier & 0xffffffffu),
			      "plane %u modifier lo 0x%08x", i, (uint32_t)lo);
			CHECK((uint32_t)hi == (uint32_t)(modifier >> 32),
			      "plane %u modifier hi 0x%08x", i, (uint32_t)hi);
		} else {
			CHECK(lo == -12345 && hi == -12345,
			      "plane %u has a modifier it should not", i);
		}
	}
}

int
main(void)
{
	/* A modifier with bits in both halves: vendor byte high, tiling low. */
	uint64_t tiled = I915_FORMAT_MOD_Y_TILED_CCS;
	for (uint32_t planes = 1; planes <= 4; planes++) {
		check(planes, tiled, true);
		check(planes, tiled, false);             /* no modifiers extension */
		check(planes, DRM_FORMAT_MOD_LINEAR, true);  /* LINEAR is explicit */
		check(planes, DRM_FORMAT_MOD_INVALID, true); /* implicit: omitted */
	}

	EGLint attribs[IMPORT_DMABUF_MAX_ATTRIBS];
	int fds[4] = { 3, 4, 5, 6 };
	struct proto_buffer_dmabuf bad = { .width = 1, .height = 1, .n_planes = 0 };
	CHECK(import_dmabuf_attribs(attribs, &bad, fds, true) == 0, "0 planes accepted");
	bad.n_planes = 5;
	CHECK(import_dmabuf_attribs(attribs, &bad, fds, true) == 0, "5 planes accepted");

	if (test_failures) {
		fprintf(stderr, "%d attribute-list checks failed\n", test_failures);
		return 1;
	}
	printf("dmabuf attribs: all checks passed\n");
	return 0;
}
