/* SPDX-License-Identifier: MIT */
#include "render-test.h"

#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <epoxy/egl.h>
#include <epoxy/gl.h>

int
test_memfd(size_t size, uint8_t **map)
{
	int fd = memfd_create("render-test", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	REQUIRE(fd >= 0, "memfd_create failed");
	REQUIRE(ftruncate(fd, (off_t)size) == 0, "ftruncate %zu failed", size);
	REQUIRE(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) == 0,
		"sealing the memfd failed");
	*map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	REQUIRE(*map != MAP_FAILED, "mmap of %zu bytes failed", size);
	return fd;
}

struct output *
test_output(int width, int height)
{
	char why[512];
	struct output_config cfg = { .width = width, .height = height };
	struct output *out = output_create(&output_offscreen_impl, &cfg, why, sizeof(why));
	if (!out &&
	    !epoxy_has_egl_extension(EGL_NO_DISPLAY, "EGL_MESA_platform_surfaceless")) {
		printf("skipped: no EGL surfaceless platform here (%s)\n", why);
		exit(77);
	}
	REQUIRE(out, "output_create(offscreen, %dx%d) failed: %s", width,
		height, why);
	fprintf(stderr, "output: %s\n", out->path);
	return out;
}

uint8_t *
test_read_frame(const struct output *out)
{
	size_t row = (size_t)out->width * 4;
	uint8_t *gl = malloc(row * (size_t)out->height);
	uint8_t *top = malloc(row * (size_t)out->height);
	REQUIRE(gl && top, "out of memory");
	glPixelStorei(GL_PACK_ALIGNMENT, 4);
	glReadPixels(0, 0, out->width, out->height, GL_RGBA, GL_UNSIGNED_BYTE, gl);
	REQUIRE(glGetError() == GL_NO_ERROR, "glReadPixels failed");
	/* GL counts rows from the bottom. */
	for (int y = 0; y < out->height; y++)
		memcpy(top + (size_t)y * row,
		       gl + (size_t)(out->height - 1 - y) * row, row);
	free(gl);
	return top;
}

static bool
near(int a, int b, int tol)
{
	return a - b <= tol && b - a <= tol;
}

bool
test_pixel_is(const uint8_t *frame, const struct output *out, int x, int y,
	      int r, int g, int b, int a, int tol)
{
	const uint8_t *p = test_pixel(frame, out, x, y);
	if (near(p[0], r, tol) && near(p[1], g, tol) && near(p[2], b, tol) &&
	    (a < 0 || near(p[3], a, tol)))
		return true;
	fprintf(stderr, "pixel (%d,%d) is %d,%d,%d,%d; expected %d,%d,%d,%d\n",
		x, y, p[0], p[1], p[2], p[3], r, g, b, a);
	return false;
}
