/* SPDX-License-Identifier: MIT */
/*
 * The demo's frames. Each frame is drawn into a head's private canvas and
 * compared with the previous one in tiles, so a small change gives a small
 * damage. Every swapchain buffer keeps the damage it has missed ("stale");
 * before a buffer is presented its stale rects are copied from the canvas.
 * Only a buffer no viewer holds is written; when all are held the damage
 * waits for buffer_released. The buffers are made again when a viewer
 * joins that cannot import them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <drm_fourcc.h>

#include "demo/private.h"
#include "server/log.h"

#define TILE 64

/* --- buffers ----------------------------------------------------------- */

static bool
buffer_init(struct demo_head *dh, struct demo_buffer *b, int index,
	    char *why, size_t why_size)
{
	struct demo *demo = dh->demo;
	uint32_t w = dh->width, h = dh->height;
	region_init(&b->stale);
	region_add_rect(&b->stale, &(struct proto_rect){ 0, 0, w, h });
	b->shm.fd = -1;
	b->udmabuf = (struct udmabuf_block){ .memfd = -1, .fd = -1 };
	char name[32];
	snprintf(name, sizeof(name), "eglview-demo-%d", index);
	switch (demo->alloc) {
	case DEMO_ALLOC_GBM: {
		b->bo = gbm_buffers_bo_create_with_modifiers(demo->options.gbm,
			w, h, demo->modifiers, demo->n_modifiers, why, why_size);
		if (b->bo == NULL)
			return false;
		uint32_t offset = b->bo->offset, stride = b->bo->stride;
		b->server_buffer = server_buffer_create_dmabuf(demo->server,
			DRM_FORMAT_XRGB8888, b->bo->modifier, w, h, 1,
			&b->bo->fd, &offset, &stride);
		break;
	}
	case DEMO_ALLOC_UDMABUF: {
		if (!udmabuf_block_init(&b->udmabuf, name, (size_t)w * h * 4,
					why, why_size))
			return false;
		uint32_t offset = 0, stride = w * 4;
		b->server_buffer = server_buffer_create_dmabuf(demo->server,
			DRM_FORMAT_XRGB8888, DRM_FORMAT_MOD_LINEAR, w, h, 1,
			&b->udmabuf.fd, &offset, &stride);
		break;
	}
	case DEMO_ALLOC_SHM:
		if (!shm_block_init(&b->shm, name, (size_t)w * h * 4, why,
				    why_size))
			return false;
		b->server_buffer = server_buffer_create_shm(demo->server,
			b->shm.fd, DRM_FORMAT_XRGB8888, w, h, w * 4, 0);
		break;
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
	udmabuf_block_finish(&b->udmabuf);
	*b = (struct demo_buffer){ .shm.fd = -1,
		.udmabuf = { .memfd = -1, .fd = -1 } };
}

static void
copy_rects(void *dst, const uint32_t *canvas, uint32_t stride,
	   const struct region *rects)
{
	for (uint32_t i = 0; i < rects->n_rects; i++) {
		const struct proto_rect *r = &rects->rects[i];
		for (uint32_t y = r->y; y < r->y + r->height; y++) {
			size_t at = (size_t)y * stride + r->x * 4;
			memcpy((uint8_t *)dst + at, (const uint8_t *)canvas + at,
			       (size_t)r->width * 4);
		}
	}
}

/* Copies the canvas rects the buffer has missed into it. */
static bool
buffer_refresh(struct demo_head *dh, struct demo_buffer *b)
{
	if (b->bo != NULL) {
		char why[256];
		if (!gbm_buffers_bo_write(b->bo, dh->canvas, dh->width * 4,
					  b->stale.rects, b->stale.n_rects,
					  why, sizeof(why))) {
			server_log_error("%s", why);
			return false;
		}
	} else if (b->udmabuf.fd >= 0) {
		udmabuf_block_begin_write(&b->udmabuf);
		copy_rects(b->udmabuf.data, dh->canvas, dh->width * 4, &b->stale);
		udmabuf_block_end_write(&b->udmabuf);
	} else {
		copy_rects(b->shm.data, dh->canvas, dh->width * 4, &b->stale);
	}
	region_clear(&b->stale);
	return true;
}

/* The free buffer with the least to copy (the one presented last, when
 * free, has only the newest damage). NULL when viewers hold them all. */
static struct demo_buffer *
pick_buffer(struct demo_head *dh)
{
	struct demo_buffer *best = NULL;
	uint64_t best_area = UINT64_MAX;
	for (int i = 0; i < SWAPCHAIN_LENGTH; i++) {
		struct demo_buffer *b = &dh->buffers[i];
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

void
demo_try_present(struct demo_head *dh)
{
	struct demo *demo = dh->demo;
	if (!dh->present_pending)
		return;
	struct demo_buffer *b = pick_buffer(dh);
	if (b == NULL)
		return; /* buffer_released brings us back */
	if (!buffer_refresh(dh, b))
		return;
	dh->present_pending = false;
	dh->last_presented = b;
	server_log_verbose("frame %llu presented on head %u in buffer %u (%u "
			   "damage rects)",
			   (unsigned long long)(demo->frames_made - 1),
			   dh->index + 1,
			   server_buffer_get_id(b->server_buffer),
			   dh->damage.n_rects);
	/* Sets damage aside first: presenting may call back into us. */
	struct region damage = dh->damage;
	region_clear(&dh->damage);
	server_head_present(dh->head, b->server_buffer, PROTO_SCANOUT_Y0_TOP,
			    damage.rects, damage.n_rects);
}

/* --- the level meter, over head 1's picture ---------------------------- */

static void
copy_box(uint32_t *dst, uint32_t dst_stride, const uint32_t *src,
	 uint32_t src_stride, const struct proto_rect *box)
{
	for (uint32_t y = 0; y < box->height; y++)
		memcpy(dst + (size_t)y * dst_stride,
		       src + (size_t)y * src_stride, (size_t)box->width * 4);
}

/* Draws the meter over the canvas, keeping what it covers. */
static void
draw_meter(struct demo_head *dh)
{
	struct proto_rect box = demo_meter_rect(dh->width, dh->height);
	size_t size = (size_t)box.width * box.height;
	if (size == 0)
		return;
	if (size > dh->meter_under_size) {
		uint32_t *under = realloc(dh->meter_under, size * 4);
		if (under == NULL) {
			server_log_error("out of memory for the level meter");
			return;
		}
		dh->meter_under = under;
		dh->meter_under_size = size;
	}
	uint32_t *at = dh->canvas + (size_t)box.y * dh->width + box.x;
	copy_box(dh->meter_under, box.width, at, dh->width, &box);
	demo_draw_meter(dh->canvas, dh->width, dh->height, dh->width * 4,
			dh->demo->meter_tenths);
	dh->meter_drawn = true;
}

void
demo_meter_redraw(struct demo *demo)
{
	struct demo_head *dh = &demo->heads[0];
	struct proto_rect box = demo_meter_rect(dh->width, dh->height);
	if (box.width == 0 || (!dh->meter_drawn && !demo->meter_shown))
		return;
	if (dh->meter_drawn) {
		uint32_t *at = dh->canvas + (size_t)box.y * dh->width + box.x;
		copy_box(at, dh->width, dh->meter_under, box.width, &box);
		dh->meter_drawn = false;
	}
	if (demo->meter_shown)
		draw_meter(dh);
	for (int i = 0; i < SWAPCHAIN_LENGTH; i++)
		region_add_rect(&dh->buffers[i].stale, &box);
	region_add_rect(&dh->damage, &box);
	dh->present_pending = true;
	demo_try_present(dh);
}

/* --- frames ------------------------------------------------------------ */

/* Tiles whose pixels differ from the previous frame, each row's runs of
 * dirty tiles as one rect. */
static void
find_damage(struct demo_head *dh, struct region *damage)
{
	uint32_t w = dh->width, h = dh->height;
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
					dirty = memcmp(dh->canvas + at,
						       dh->previous + at,
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
		/* A width that is no multiple of TILE never reaches tx == w:
		 * a run that takes the last, narrower tile ends at the edge. */
		if (in_run)
			region_add_rect(damage, &(struct proto_rect){
				run_start, ty, w - run_start, th });
	}
}

/* Draws frame number frame on the head's canvas, with the meter on head
 * 1 while a viewer records. */
static void
draw_head(struct demo_head *dh, uint64_t frame)
{
	struct demo *demo = dh->demo;
	/* The tablet has no head field: its position is head 1's (the
	 * pointer is echoed there only). */
	struct demo_input_state st = demo->input;
	if (dh->index > 0)
		st.pointer_seen = false;
	demo_draw_head_frame(dh->canvas, dh->width, dh->height, dh->width * 4,
			     frame, demo->n_heads > 1 ? dh->index + 1 : 0, &st);
	dh->meter_drawn = false;
	if (dh->index == 0 && demo->meter_shown)
		draw_meter(dh);
}

static void
make_head_frame(struct demo_head *dh, uint64_t frame)
{
	uint32_t *swap = dh->previous;
	dh->previous = dh->canvas;
	dh->canvas = swap;
	draw_head(dh, frame);

	struct region damage;
	region_init(&damage);
	if (frame == 0)
		region_add_rect(&damage, &(struct proto_rect){
			0, 0, dh->width, dh->height });
	else
		find_damage(dh, &damage);
	if (region_is_empty(&damage))
		return; /* the same picture: nothing to present */
	for (int i = 0; i < SWAPCHAIN_LENGTH; i++)
		region_add_region(&dh->buffers[i].stale, &damage);
	region_add_region(&dh->damage, &damage);
	dh->present_pending = true;
	demo_try_present(dh);
}

void
demo_make_frame(struct demo *demo)
{
	uint64_t frame = demo->frames_made;
	if (demo->options.frame_limit != 0 &&
	    frame >= demo->options.frame_limit)
		return;
	demo->frames_made++;
	for (uint32_t i = 0; i < demo->n_heads; i++)
		make_head_frame(&demo->heads[i], frame);
}

/* --- heads ------------------------------------------------------------- */

bool
demo_head_init(struct demo *demo, uint32_t index, char *why, size_t why_size)
{
	struct demo_head *dh = &demo->heads[index];
	uint32_t w = demo->options.width, h = demo->options.height;
	dh->demo = demo;
	dh->index = index;
	dh->width = w;
	dh->height = h;
	region_init(&dh->damage);
	dh->canvas = calloc((size_t)w * h, 4);
	dh->previous = calloc((size_t)w * h, 4);
	if (dh->canvas == NULL || dh->previous == NULL) {
		snprintf(why, why_size, "out of memory for a %ux%u canvas", w, h);
		return false;
	}
	char name[16];
	snprintf(name, sizeof(name), "Virtual-%u", index + 1);
	dh->head = server_add_head(demo->server, name, w, h);
	if (dh->head == NULL) {
		snprintf(why, why_size, "cannot add head %s of %ux%u "
			 "(see the line above)", name, w, h);
		return false;
	}
	const struct demo_cursor *cursor = demo_cursor_image();
	server_head_set_cursor(dh->head, cursor->width, cursor->height,
			       cursor->hot_x, cursor->hot_y, cursor->pixels);
	/* Hidden until a pointer position arrives (on head 1). */
	server_head_move_cursor(dh->head, (int32_t)w / 2, (int32_t)h / 2,
				false);
	for (int i = 0; i < SWAPCHAIN_LENGTH; i++) {
		if (!buffer_init(dh, &dh->buffers[i],
				 (int)index * SWAPCHAIN_LENGTH + i, why,
				 why_size))
			return false;
	}
	return true;
}

void
demo_head_clear(struct demo_head *dh)
{
	for (int i = 0; i < SWAPCHAIN_LENGTH; i++) {
		dh->buffers[i].shm.fd = -1;
		dh->buffers[i].udmabuf =
			(struct udmabuf_block){ .memfd = -1, .fd = -1 };
	}
}

void
demo_head_finish(struct demo_head *dh)
{
	for (int i = 0; i < SWAPCHAIN_LENGTH; i++)
		buffer_finish(&dh->buffers[i]);
	free(dh->canvas);
	free(dh->previous);
	free(dh->meter_under);
}

void
demo_handle_buffer_released(struct demo *demo, struct server_buffer *buffer)
{
	(void)buffer;
	for (uint32_t i = 0; i < demo->n_heads; i++)
		demo_try_present(&demo->heads[i]);
}

/* --- format negotiation ------------------------------------------------ */

static const char *
alloc_name(enum demo_alloc alloc)
{
	return alloc == DEMO_ALLOC_GBM ? "GBM dmabuf" :
	       alloc == DEMO_ALLOC_UDMABUF ? "udmabuf" : "shm";
}

/* Whether the viewers' common set takes XRGB8888 shared this way. */
static bool
offered(const struct proto_format *f, size_t n, bool dmabuf,
	uint64_t modifier)
{
	for (size_t i = 0; i < n; i++) {
		if (f[i].fourcc != DRM_FORMAT_XRGB8888)
			continue;
		if (!dmabuf && (f[i].flags & PROTO_FORMAT_SHM))
			return true;
		if (dmabuf && (f[i].flags & PROTO_FORMAT_DMABUF) &&
		    f[i].modifier == modifier)
			return true;
	}
	return false;
}

static bool
current_offered(const struct demo *demo, const struct proto_format *f,
		size_t n)
{
	const struct demo_buffer *b = &demo->heads[0].buffers[0];
	switch (demo->alloc) {
	case DEMO_ALLOC_GBM:
		return b->bo != NULL && offered(f, n, true, b->bo->modifier);
	case DEMO_ALLOC_UDMABUF:
		return offered(f, n, true, DRM_FORMAT_MOD_LINEAR);
	case DEMO_ALLOC_SHM:
		return offered(f, n, false, DRM_FORMAT_MOD_LINEAR);
	}
	return false;
}

/* Makes the head's buffers again (demo->alloc, the head's size) and
 * presents the canvas in them. false (logged) when one cannot be made. */
static bool
reallocate_head(struct demo_head *dh)
{
	char why[512];
	dh->last_presented = NULL;
	for (int i = 0; i < SWAPCHAIN_LENGTH; i++) {
		buffer_finish(&dh->buffers[i]);
		if (!buffer_init(dh, &dh->buffers[i],
				 (int)dh->index * SWAPCHAIN_LENGTH + i, why,
				 sizeof(why))) {
			server_log_error("%s", why);
			return false;
		}
	}
	region_clear(&dh->damage);
	region_add_rect(&dh->damage, &(struct proto_rect){ 0, 0, dh->width,
							   dh->height });
	dh->present_pending = true;
	demo_try_present(dh);
	return true;
}

static bool
reallocate(struct demo *demo)
{
	for (uint32_t h = 0; h < demo->n_heads; h++) {
		if (!reallocate_head(&demo->heads[h]))
			return false;
	}
	return true;
}

/* --- the guest follows the window -------------------------------------- */

void
demo_handle_head_size(struct demo *demo, struct server_head *head,
		      uint32_t width, uint32_t height)
{
	struct demo_head *dh = NULL;
	for (uint32_t i = 0; i < demo->n_heads; i++) {
		if (demo->heads[i].head == head)
			dh = &demo->heads[i];
	}
	if (dh == NULL || !demo->options.resizable ||
	    (width == dh->width && height == dh->height))
		return;
	uint32_t *canvas = calloc((size_t)width * height, 4);
	uint32_t *previous = calloc((size_t)width * height, 4);
	if (canvas == NULL || previous == NULL) {
		free(canvas);
		free(previous);
		server_log_error("out of memory for a %ux%u canvas: head %u "
				 "stays %ux%u", width, height, dh->index + 1,
				 dh->width, dh->height);
		return;
	}
	server_log_verbose("head %u: %ux%u -> %ux%u, as a viewer shows it",
			   dh->index + 1, dh->width, dh->height, width, height);
	free(dh->canvas);
	free(dh->previous);
	dh->canvas = canvas;
	dh->previous = previous;
	dh->width = width;
	dh->height = height;
	if (dh->index == 0) {
		demo->input.width = width;
		demo->input.height = height;
	}
	server_head_set_size(dh->head, width, height);
	/* The current frame again at the new size, in new buffers. */
	draw_head(dh, demo->frames_made > 0 ? demo->frames_made - 1 : 0);
	if (reallocate_head(dh))
		return;
	server_log_error("head %u: no buffers at %ux%u", dh->index + 1, width,
			 height);
}

void
demo_handle_viewer_joined(struct demo *demo)
{
	static struct proto_format f[PROTO_MAX_FORMATS];
	size_t n = server_viewer_formats(demo->server, f, PROTO_MAX_FORMATS);
	if (current_offered(demo, f, n))
		return;
	enum demo_alloc was = demo->alloc;
	if (demo->options.gbm != NULL) {
		/* The XRGB8888 modifiers every viewer imports; GBM picks. */
		demo->n_modifiers = 0;
		for (size_t i = 0; i < n; i++) {
			if (f[i].fourcc == DRM_FORMAT_XRGB8888 &&
			    (f[i].flags & PROTO_FORMAT_DMABUF) &&
			    f[i].modifier != DRM_FORMAT_MOD_INVALID)
				demo->modifiers[demo->n_modifiers++] = f[i].modifier;
		}
		if (demo->n_modifiers > 0) {
			demo->alloc = DEMO_ALLOC_GBM;
			if (reallocate(demo) &&
			    current_offered(demo, f, n)) {
				const struct demo_buffer *b =
					&demo->heads[0].buffers[0];
				server_log_info("the viewers import XRGB8888 "
						"with %zu modifier(s); GBM "
						"buffers now have modifier "
						"0x%016llx", demo->n_modifiers,
						(unsigned long long)
						b->bo->modifier);
				return;
			}
		}
	}
	if (offered(f, n, false, DRM_FORMAT_MOD_LINEAR)) {
		server_log_info("the viewers cannot import the demo's %s "
				"buffers (XRGB8888%s): falling back to shm "
				"buffers", alloc_name(was),
				demo->options.gbm != NULL ? " with a modifier "
				"GBM can allocate" : " LINEAR");
		demo->alloc = DEMO_ALLOC_SHM;
		if (reallocate(demo))
			return;
	}
	server_log_error("the viewers offer no XRGB8888 buffer the demo can "
			 "make (%zu formats in common); they are not shown the "
			 "picture", n);
	if (demo->alloc != was) {
		demo->alloc = was;
		demo->modifiers[0] = DRM_FORMAT_MOD_LINEAR;
		demo->n_modifiers = 1;
		reallocate(demo);
	}
}

bool
demo_all_presented(const struct demo *demo)
{
	for (uint32_t i = 0; i < demo->n_heads; i++) {
		if (demo->heads[i].present_pending)
			return false;
	}
	return true;
}
