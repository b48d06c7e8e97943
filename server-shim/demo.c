/* SPDX-License-Identifier: MIT */
/*
 * The demo source. Each frame is drawn into a private canvas and compared
 * with the previous one in tiles, so a small change gives a small damage.
 * Every swapchain buffer keeps the damage it has missed ("stale"); before
 * a buffer is presented its stale rects are copied from the canvas. Only
 * a buffer no viewer holds is written; when all are held the damage waits
 * for buffer_released.
 */
#include <errno.h>
#include <linux/input-event-codes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "demo-draw.h"
#include "demo.h"
#include "gbm-buffers.h"
#include "proto.h"
#include "region.h"
#include "shm.h"

#define SWAPCHAIN_LENGTH 3
#define TILE 64

struct demo_buffer {
	struct server_buffer *server_buffer;
	struct region stale;   /* canvas damage not yet copied in */
	struct shm_block shm;  /* shm buffers */
	struct gbm_buffers_bo *bo; /* dmabuf buffers */
};

struct demo {
	struct server *server;
	struct demo_options options;
	struct server_head *head;
	uint32_t keyboard_id, tablet_id;

	uint32_t *canvas, *previous; /* XRGB8888, stride width * 4 */
	uint32_t stride;
	struct demo_input_state input;
	uint64_t frames_made;
	struct region damage;        /* since the last present */
	bool present_pending;

	struct demo_buffer buffers[SWAPCHAIN_LENGTH];
	struct demo_buffer *last_presented;

	int timer_fd;
	bool clock_started;
};

static void
log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
log_line(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "eglview-shim: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* --- devices ----------------------------------------------------------- */

static void
set_key_bit(struct proto_input_device *dev, unsigned code)
{
	dev->key_bits[code / 8] |= (uint8_t)(1u << (code % 8));
}

static bool
add_devices(struct demo *demo, char *why, size_t why_size)
{
	struct proto_input_device keyboard = {
		.kind = PROTO_DEVICE_KEYBOARD,
		.ev_bits = (1u << EV_SYN) | (1u << EV_KEY),
	};
	snprintf(keyboard.name, sizeof(keyboard.name), "eglview demo keyboard");
	/* The keys of a PC keyboard: KEY_ESC .. KEY_MICMUTE. */
	for (unsigned code = KEY_ESC; code <= KEY_MICMUTE; code++)
		set_key_bit(&keyboard, code);

	struct proto_input_device tablet = {
		.kind = PROTO_DEVICE_TABLET,
		.ev_bits = (1u << EV_SYN) | (1u << EV_KEY) | (1u << EV_ABS) |
			   (1u << EV_REL),
		.rel_bits = (1u << REL_WHEEL) | (1u << REL_HWHEEL),
		.abs_bits = (1ull << ABS_X) | (1ull << ABS_Y),
		.n_abs = 2,
	};
	snprintf(tablet.name, sizeof(tablet.name), "eglview demo tablet");
	const unsigned buttons[] = { BTN_LEFT, BTN_RIGHT, BTN_MIDDLE,
				     BTN_SIDE, BTN_EXTRA };
	for (size_t i = 0; i < sizeof(buttons) / sizeof(buttons[0]); i++)
		set_key_bit(&tablet, buttons[i]);
	const struct proto_abs_axis axes[2] = {
		{ .code = ABS_X, .min = 0, .max = DEMO_ABS_MAX },
		{ .code = ABS_Y, .min = 0, .max = DEMO_ABS_MAX },
	};

	demo->keyboard_id = server_add_input_device(demo->server, &keyboard,
						    NULL);
	demo->tablet_id = server_add_input_device(demo->server, &tablet, axes);
	if (demo->keyboard_id == 0 || demo->tablet_id == 0) {
		snprintf(why, why_size, "cannot add the demo's input devices");
		return false;
	}
	return true;
}

/* --- buffers ----------------------------------------------------------- */

static bool
buffer_init(struct demo *demo, struct demo_buffer *b, int index,
	    char *why, size_t why_size)
{
	uint32_t w = demo->options.width, h = demo->options.height;
	region_init(&b->stale);
	region_add_rect(&b->stale, &(struct proto_rect){ 0, 0, w, h });
	b->shm.fd = -1;
	if (demo->options.gbm != NULL) {
		b->bo = gbm_buffers_bo_create(demo->options.gbm, w, h, why,
					      why_size);
		if (b->bo == NULL)
			return false;
		uint32_t offset = b->bo->offset, stride = b->bo->stride;
		b->server_buffer = server_buffer_create_dmabuf(demo->server,
			DRM_FORMAT_XRGB8888, b->bo->modifier, w, h, 1,
			&b->bo->fd, &offset, &stride);
	} else {
		char name[32];
		snprintf(name, sizeof(name), "eglview-demo-%d", index);
		if (!shm_block_init(&b->shm, name, (size_t)w * h * 4, why,
				    why_size))
			return false;
		b->server_buffer = server_buffer_create_shm(demo->server,
			b->shm.fd, DRM_FORMAT_XRGB8888, w, h, w * 4, 0);
	}
	if (b->server_buffer == NULL) {
		snprintf(why, why_size, "the server refused the demo's %ux%u "
			 "buffer (see the line above)", w, h);
		return false;
	}
	server_buffer_set_user_data(b->server_buffer, b);
	return true;
}

static void
buffer_finish(struct demo_buffer *b)
{
	server_buffer_destroy(b->server_buffer);
	shm_block_finish(&b->shm);
	gbm_buffers_bo_destroy(b->bo);
	*b = (struct demo_buffer){ .shm.fd = -1 };
}

/* Copies the canvas rects the buffer has missed into it. */
static bool
buffer_refresh(struct demo *demo, struct demo_buffer *b)
{
	if (b->bo != NULL) {
		char why[256];
		if (!gbm_buffers_bo_write(b->bo, demo->canvas, demo->stride,
					  b->stale.rects, b->stale.n_rects,
					  why, sizeof(why))) {
			log_line("%s", why);
			return false;
		}
	} else {
		for (uint32_t i = 0; i < b->stale.n_rects; i++) {
			const struct proto_rect *r = &b->stale.rects[i];
			for (uint32_t y = r->y; y < r->y + r->height; y++) {
				size_t at = (size_t)y * demo->stride + r->x * 4;
				memcpy((uint8_t *)b->shm.data + at,
				       (uint8_t *)demo->canvas + at,
				       (size_t)r->width * 4);
			}
		}
	}
	region_clear(&b->stale);
	return true;
}

/* The free buffer with the least to copy (the one presented last, when
 * free, has only the newest damage). NULL when viewers hold them all. */
static struct demo_buffer *
pick_buffer(struct demo *demo)
{
	struct demo_buffer *best = NULL;
	uint64_t best_area = UINT64_MAX;
	for (int i = 0; i < SWAPCHAIN_LENGTH; i++) {
		struct demo_buffer *b = &demo->buffers[i];
		if (server_buffer_busy(b->server_buffer))
			continue;
		uint64_t area = region_area(&b->stale);
		if (area < best_area) {
			best = b;
			best_area = area;
		}
	}
	return best;
}

static void
try_present(struct demo *demo)
{
	if (!demo->present_pending)
		return;
	struct demo_buffer *b = pick_buffer(demo);
	if (b == NULL)
		return; /* buffer_released brings us back */
	if (!buffer_refresh(demo, b))
		return;
	demo->present_pending = false;
	demo->last_presented = b;
	if (demo->options.verbose)
		log_line("frame %llu presented in buffer %u (%u damage rects)",
			 (unsigned long long)(demo->frames_made - 1),
			 server_buffer_get_id(b->server_buffer),
			 demo->damage.n_rects);
	/* Sets damage aside first: presenting may call back into us. */
	struct region damage = demo->damage;
	region_clear(&demo->damage);
	server_head_present(demo->head, b->server_buffer, PROTO_SCANOUT_Y0_TOP,
			    damage.rects, damage.n_rects);
}

/* --- frames ------------------------------------------------------------ */

/* Tiles whose pixels differ from the previous frame, each row's runs of
 * dirty tiles as one rect. */
static void
find_damage(struct demo *demo, struct region *damage)
{
	uint32_t w = demo->options.width, h = demo->options.height;
	for (uint32_t ty = 0; ty < h; ty += TILE) {
		uint32_t th = h - ty < TILE ? h - ty : TILE;
		uint32_t run_start = 0;
		bool in_run = false;
		for (uint32_t tx = 0; tx <= w; tx += TILE) {
			bool dirty = false;
			if (tx < w) {
				uint32_t tw = w - tx < TILE ? w - tx : TILE;
				for (uint32_t y = ty; y < ty + th && !dirty; y++) {
					size_t at = (size_t)y * w + tx;
					dirty = memcmp(demo->canvas + at,
						       demo->previous + at,
						       (size_t)tw * 4) != 0;
				}
			}
			if (dirty && !in_run) {
				run_start = tx;
				in_run = true;
			} else if (!dirty && in_run) {
				uint32_t end = tx < w ? tx : w;
				region_add_rect(damage, &(struct proto_rect){
					run_start, ty, end - run_start, th });
				in_run = false;
			}
		}
	}
}

static void
make_frame(struct demo *demo)
{
	uint64_t frame = demo->frames_made;
	if (demo->options.frame_limit != 0 &&
	    frame >= demo->options.frame_limit)
		return;
	uint32_t *swap = demo->previous;
	demo->previous = demo->canvas;
	demo->canvas = swap;
	demo_draw_frame(demo->canvas, demo->options.width, demo->options.height,
			demo->stride, frame, &demo->input);
	demo->frames_made++;

	struct region damage;
	region_init(&damage);
	if (frame == 0)
		region_add_rect(&damage, &(struct proto_rect){
			0, 0, demo->options.width, demo->options.height });
	else
		find_damage(demo, &damage);
	if (region_is_empty(&damage))
		return; /* the same picture: nothing to present */
	for (int i = 0; i < SWAPCHAIN_LENGTH; i++)
		region_add_region(&demo->buffers[i].stale, &damage);
	region_add_region(&demo->damage, &damage);
	demo->present_pending = true;
	try_present(demo);
}

/* --- the public side --------------------------------------------------- */

struct demo *
demo_create(struct server *server, const struct demo_options *options,
	    char *why, size_t why_size)
{
	struct demo *demo = calloc(1, sizeof(*demo));
	if (demo == NULL) {
		snprintf(why, why_size, "out of memory");
		return NULL;
	}
	demo->server = server;
	demo->options = *options;
	demo->timer_fd = -1;
	for (int i = 0; i < SWAPCHAIN_LENGTH; i++)
		demo->buffers[i].shm.fd = -1;
	demo_input_init(&demo->input);
	region_init(&demo->damage);

	uint32_t w = options->width, h = options->height;
	demo->stride = w * 4;
	demo->canvas = calloc((size_t)w * h, 4);
	demo->previous = calloc((size_t)w * h, 4);
	if (demo->canvas == NULL || demo->previous == NULL) {
		snprintf(why, why_size, "out of memory for a %ux%u canvas", w, h);
		goto fail;
	}
	demo->head = server_add_head(server, "Virtual-1", w, h);
	if (demo->head == NULL) {
		snprintf(why, why_size, "cannot add head Virtual-1 of %ux%u "
			 "(see the line above)", w, h);
		goto fail;
	}
	if (!add_devices(demo, why, why_size))
		goto fail;
	const struct demo_cursor *cursor = demo_cursor_image();
	server_head_set_cursor(demo->head, cursor->width, cursor->height,
			       cursor->hot_x, cursor->hot_y, cursor->pixels);
	/* Hidden until a pointer position arrives. */
	server_head_move_cursor(demo->head, (int32_t)w / 2, (int32_t)h / 2,
				false);
	for (int i = 0; i < SWAPCHAIN_LENGTH; i++) {
		if (!buffer_init(demo, &demo->buffers[i], i, why, why_size))
			goto fail;
	}
	if (options->fps > 0) {
		demo->timer_fd = timerfd_create(CLOCK_MONOTONIC,
						TFD_NONBLOCK | TFD_CLOEXEC);
		if (demo->timer_fd < 0) {
			snprintf(why, why_size, "timerfd_create: %s",
				 strerror(errno));
			goto fail;
		}
	}
	make_frame(demo);
	return demo;

fail:
	demo_destroy(demo);
	return NULL;
}

void
demo_destroy(struct demo *demo)
{
	if (demo == NULL)
		return;
	for (int i = 0; i < SWAPCHAIN_LENGTH; i++)
		buffer_finish(&demo->buffers[i]);
	if (demo->timer_fd >= 0)
		close(demo->timer_fd);
	free(demo->canvas);
	free(demo->previous);
	free(demo);
}

int
demo_get_timer_fd(const struct demo *demo)
{
	return demo->timer_fd;
}

void
demo_start_clock(struct demo *demo)
{
	if (demo->clock_started)
		return;
	demo->clock_started = true;
	if (demo->timer_fd < 0)
		return;
	long period_ns = 1000000000L / demo->options.fps;
	struct itimerspec spec = {
		.it_interval = { period_ns / 1000000000L, period_ns % 1000000000L },
		.it_value = { period_ns / 1000000000L, period_ns % 1000000000L },
	};
	if (timerfd_settime(demo->timer_fd, 0, &spec, NULL) < 0)
		log_line("cannot start the frame clock at %u fps: %s",
			 demo->options.fps, strerror(errno));
}

bool
demo_clock_started(const struct demo *demo)
{
	return demo->clock_started;
}

void
demo_dispatch_timer(struct demo *demo)
{
	uint64_t expirations;
	if (read(demo->timer_fd, &expirations, sizeof(expirations)) !=
	    sizeof(expirations))
		return; /* EAGAIN: nothing expired after all */
	/* One frame per wake-up, however many periods passed: the picture
	 * is a function of the frame number, not of the time. */
	make_frame(demo);
	if (demo->options.frame_limit != 0 &&
	    demo->frames_made >= demo->options.frame_limit) {
		struct itimerspec off = { 0 };
		timerfd_settime(demo->timer_fd, 0, &off, NULL);
	}
}

static void
record_batch(struct demo *demo, uint32_t kind,
	     const struct proto_input_event *ev, uint32_t n)
{
	const char *device = proto_device_kind_name(kind);
	for (uint32_t i = 0; i < n; i++) {
		char line[160];
		proto_record_format(line, sizeof(line), device, &ev[i]);
		fprintf(demo->options.record, "%s\n", line);
	}
	/* Tests read the file while the demo runs. */
	fflush(demo->options.record);
}

void
demo_handle_input(struct demo *demo, uint32_t device_id, uint32_t kind,
		  const struct proto_input_event *ev, uint32_t n)
{
	(void)device_id;
	for (uint32_t i = 0; i < n; i++)
		demo_input_apply(&demo->input, kind, &ev[i]);
	if (demo->options.record != NULL)
		record_batch(demo, kind, ev, n);
	if (demo->input.pointer_seen)
		server_head_move_cursor(demo->head,
			demo_abs_to_pixel(demo->input.abs_x, demo->options.width),
			demo_abs_to_pixel(demo->input.abs_y, demo->options.height),
			true);
	if (demo->options.fps == 0)
		make_frame(demo);
}

void
demo_handle_buffer_released(struct demo *demo, struct server_buffer *buffer)
{
	(void)buffer;
	try_present(demo);
}

uint64_t
demo_frames_made(const struct demo *demo)
{
	return demo->frames_made;
}

bool
demo_all_presented(const struct demo *demo)
{
	return !demo->present_pending;
}
