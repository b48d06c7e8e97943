/* SPDX-License-Identifier: MIT */
/*
 * example-vmm: the smallest VMM on the installed libeglview-server, built
 * by tests/install with nothing but `pkg-config --cflags --libs
 * eglview-server` (so only installed headers: <eglview/server.h> and what
 * it includes). One 320x240 head showing colour bars over a row of grey
 * steps, drawn once into a memfd, and one keyboard. Each input record a
 * viewer sends is printed on stdout,
 *   input: device ID kind KIND type TYPE code CODE value VALUE
 * and when KEY_A is released it says GOODBYE to the viewers and exits 0.
 * Exits 1 when no KEY_A came within 120 s (a hang guard, not a measure).
 *
 * Usage: example-vmm SOCKET
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/input-event-codes.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <eglview/server.h>

#define WIDTH 320
#define HEIGHT 240
/* DRM_FORMAT_XRGB8888 (drm_fourcc.h, not needed for this one value). */
#define FORMAT_XRGB8888 \
	((uint32_t)'X' | ((uint32_t)'R' << 8) | ((uint32_t)'2' << 16) | \
	 ((uint32_t)'4' << 24))

struct vmm {
	struct server *server;
	uint32_t keyboard;
	int done;
};

static void
on_input(void *data, uint32_t device_id, uint32_t kind,
	 const struct proto_input_event *ev, uint32_t n)
{
	struct vmm *vmm = data;
	for (uint32_t i = 0; i < n; i++) {
		printf("input: device %u kind %u type %u code %u value %d\n",
		       (unsigned)device_id, (unsigned)kind, (unsigned)ev[i].type,
		       (unsigned)ev[i].code, (int)ev[i].value);
		if (device_id == vmm->keyboard && ev[i].type == EV_KEY &&
		    ev[i].code == KEY_A && ev[i].value == 0)
			vmm->done = 1;
	}
	fflush(stdout);
}

static void
on_viewer_joined(void *data, size_t count)
{
	(void)data;
	printf("viewer joined: %zu now\n", count);
	fflush(stdout);
}

/* The library's lines go to our own log, here stderr with our prefix. */
static void
on_log(enum server_log_level level, const char *line, void *data)
{
	(void)data;
	fprintf(stderr, "example-vmm: library (%d): %s\n", (int)level, line);
}

/* Six bars (red, green, blue, yellow, magenta, cyan) over the top three
 * quarters, eight grey steps from black to white below. */
static void
draw(uint32_t *pixels)
{
	static const uint32_t bars[6] = { 0xff0000, 0x00ff00, 0x0000ff,
					  0xffff00, 0xff00ff, 0x00ffff };
	for (uint32_t y = 0; y < HEIGHT; y++) {
		for (uint32_t x = 0; x < WIDTH; x++) {
			uint32_t c;
			if (y < HEIGHT * 3 / 4) {
				c = bars[x * 6 / WIDTH];
			} else {
				uint32_t g = x * 8 / WIDTH * 255 / 7;
				c = g << 16 | g << 8 | g;
			}
			pixels[y * WIDTH + x] = 0xff000000u | c;
		}
	}
}

static uint32_t
add_keyboard(struct server *server)
{
	struct proto_input_device kbd = {
		.kind = PROTO_DEVICE_KEYBOARD,
		.ev_bits = (1u << EV_SYN) | (1u << EV_KEY),
	};
	snprintf(kbd.name, sizeof(kbd.name), "example-vmm keyboard");
	for (unsigned code = KEY_ESC; code <= KEY_MICMUTE; code++)
		kbd.key_bits[code / 8] |= (uint8_t)(1u << (code % 8));
	return server_add_input_device(server, &kbd, NULL);
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: example-vmm SOCKET\n");
		return 2;
	}
	printf("example-vmm: built against %d.%d, running on %u.%u\n",
	       EGLVIEW_SERVER_VERSION_MAJOR, EGLVIEW_SERVER_VERSION_MINOR,
	       (unsigned)(server_version() >> 16),
	       (unsigned)(server_version() & 0xffff));
	if (server_version() >> 16 != EGLVIEW_SERVER_VERSION_MAJOR) {
		fprintf(stderr, "example-vmm: the library is of another major "
			"version\n");
		return 1;
	}
	server_log_set_handler(on_log, NULL);

	struct vmm vmm = { 0 };
	const struct server_callbacks cb = {
		.input = on_input,
		.viewer_joined = on_viewer_joined,
	};
	char why[256];
	vmm.server = server_create(argv[1], "example-vmm", &cb, &vmm, why,
				   sizeof(why));
	if (vmm.server == NULL) {
		fprintf(stderr, "example-vmm: %s\n", why);
		return 1;
	}

	/* The picture: a memfd sealed against shrinking (PROTOCOL.md). */
	size_t size = (size_t)WIDTH * HEIGHT * 4;
	int fd = memfd_create("example-vmm", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0 || ftruncate(fd, (off_t)size) < 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) < 0) {
		fprintf(stderr, "example-vmm: memfd: %s\n", strerror(errno));
		return 1;
	}
	uint32_t *pixels = mmap(NULL, size, PROT_READ | PROT_WRITE,
				MAP_SHARED, fd, 0);
	if (pixels == MAP_FAILED) {
		fprintf(stderr, "example-vmm: mmap: %s\n", strerror(errno));
		return 1;
	}
	draw(pixels);

	struct server_head *head = server_add_head(vmm.server, "Virtual-1",
						   WIDTH, HEIGHT);
	struct server_buffer *buffer = server_buffer_create_shm(
		vmm.server, fd, FORMAT_XRGB8888, WIDTH, HEIGHT, WIDTH * 4, 0);
	vmm.keyboard = add_keyboard(vmm.server);
	if (head == NULL || buffer == NULL || vmm.keyboard == 0) {
		fprintf(stderr, "example-vmm: head, buffer or keyboard "
			"refused\n");
		return 1;
	}
	/* Shown to every viewer that connects; the whole buffer is new. */
	server_head_present(head, buffer, PROTO_SCANOUT_Y0_TOP, NULL, 0);
	printf("example-vmm: serving head %u, keyboard %u on %s\n",
	       (unsigned)server_head_get_id(head), (unsigned)vmm.keyboard,
	       argv[1]);
	fflush(stdout);

	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	struct pollfd pfd = { .fd = server_get_fd(vmm.server),
			      .events = POLLIN };
	while (!vmm.done) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > 120) {
			fprintf(stderr, "example-vmm: no KEY_A in 120 s\n");
			return 1;
		}
		if (poll(&pfd, 1, 1000) < 0 && errno != EINTR) {
			fprintf(stderr, "example-vmm: poll: %s\n",
				strerror(errno));
			return 1;
		}
		if (!server_dispatch(vmm.server)) {
			fprintf(stderr, "example-vmm: the server failed\n");
			return 1;
		}
	}
	server_goodbye_all(vmm.server, PROTO_BYE_SHUTDOWN, "example-vmm done");
	server_buffer_destroy(buffer);
	server_destroy(vmm.server);
	munmap(pixels, size);
	close(fd);
	printf("example-vmm: done\n");
	return 0;
}
