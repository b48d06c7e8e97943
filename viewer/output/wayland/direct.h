/* SPDX-License-Identifier: MIT */
/*
 * The zero-copy hand-off's state, shared by direct.c (the
 * pictures) and direct-cursor.c (the guest's cursor above
 * them).
 */
#ifndef EGLVIEW_OUTPUT_WAYLAND_DIRECT_H
#define EGLVIEW_OUTPUT_WAYLAND_DIRECT_H

#include "output/wayland/private.h"

/* direct-cursor.c: a direct head's guest cursor on a subsurface above its
 * picture. */
struct wayland_direct_cursor;
/* Where the head's picture is: its fit rect in the view's buffer pixels,
 * its size in head pixels, surface coordinates per pixel. */
struct wayland_direct_cursor_place {
	struct layout_rect fit;
	int src_w, src_h;
	double kx, ky;
};
struct wayland_direct_cursor *wayland_direct_cursor_create(
	struct wayland_output *w);
void wayland_direct_cursor_destroy(struct wayland_direct_cursor *c);
/* Width 0: the guest shows none. */
void wayland_direct_cursor_set_image(struct wayland_direct_cursor *c,
				     const struct proto_cursor_image *img,
				     const uint32_t *pixels);
void wayland_direct_cursor_move(struct wayland_direct_cursor *c,
				const struct proto_cursor_pos *pos);
/* Sets the cursor's subsurface of parent, above picture, for parent's
 * next commit: where `at` says, or hidden (at NULL, invisible, no
 * image, outside the picture). true: it changed (parent must commit). */
bool wayland_direct_cursor_stage(struct wayland_direct_cursor *c,
				 struct wl_subcompositor *subcompositor,
				 struct wl_surface *parent,
				 struct wl_surface *picture,
				 const struct wayland_direct_cursor_place *at);
/* Unmapped with the parent's next commit. */
void wayland_direct_cursor_hide(struct wayland_direct_cursor *c);
/* Its parent goes: the subsurface goes first (the image stays). */
void wayland_direct_cursor_surface_gone(struct wayland_direct_cursor *c);

struct direct_buffer {
	struct wayland_direct *d;
	struct direct_buffer *next;
	uint64_t key;
	struct wl_shm_pool *pool;
	struct wl_buffer *buffer;
	uint32_t width, height;
	bool busy;               /* committed, not yet released */
};

#define DIRECT_MAX_DAMAGE 16

struct direct_head {
	uint32_t id;             /* 0: a free slot */
	bool active;             /* on the direct path */
	struct wl_surface *parent;     /* its view's GL surface */
	struct wl_surface *surface;
	struct wl_subsurface *subsurface;
	struct wp_viewport *viewport;
	struct direct_buffer *shown;   /* committed last */
	struct direct_buffer *pending; /* taken, for the next commit */
	struct direct_buffer *waiting; /* shown before: FRAME_DONE waits */
	uint64_t commit_serial;        /* the commit that showed `shown` */
	struct proto_scanout scanout;
	struct proto_rect damage[DIRECT_MAX_DAMAGE];
	uint32_t n_damage;
	bool full_damage;
	/* What the surface was last committed with. */
	int x, y, dst_w, dst_h;
	struct proto_scanout placed_src;
	bool placed;
	struct wayland_direct_cursor *cursor; /* the guest's, above it */
	bool cursor_moved;       /* to commit before the next poll */
};

struct wayland_direct {
	struct wayland_output *w;
	struct wl_subcompositor *subcompositor;
	bool no_zero_copy;
	enum layout_scale scale;
	bool filter_nearest;         /* --filter nearest: nothing handed over */
	uint32_t shm_formats[64];
	int n_shm_formats;
	struct direct_head heads[PROTO_MAX_HEADS];
	struct direct_buffer *buffers;
	struct output_direct_listener listener;
	/* The heads shown, layout order (set_heads). */
	uint32_t view_ids[PROTO_MAX_HEADS];
	int view_widths[PROTO_MAX_HEADS];
	int n_view;
	/* Per view: the GL frame below was drawn for this size and layout. */
	bool background_valid[PROTO_MAX_HEADS];
	int background_w[PROTO_MAX_HEADS], background_h[PROTO_MAX_HEADS];
	uint64_t commits_direct;  /* frames shown without a GL frame */
	uint64_t buffers_handed;  /* wl_buffers made from guest buffers */
	uint64_t frames_handed;   /* new guest buffers/damage committed */
	bool show_cursors;        /* the guest's cursor is in the picture */
	uint64_t cursor_moves;    /* cursor commits without a GL frame */
	bool cursors_moved;       /* some head's cursor_moved */
};

/* A head's slot (made with create); NULL: none. */
struct direct_head *direct_find_head(struct wayland_direct *d,
					     uint32_t id, bool create);
/* Which heads view `view` shows: view_ids[*first .. *first + count). */
int direct_view_heads(const struct wayland_direct *d, int view,
			      int *first);
/* Where head i of the count view `view` shows lands: its subsurface's
 * place and size in surface coordinates, and for its cursor the fit. */
bool direct_place(struct wayland_direct *d, int view, int first,
			  int count, int i, const struct direct_head *h, int *x,
			  int *y, int *dw, int *dh,
			  struct wayland_direct_cursor_place *at);

/* direct-cursor.c: the output_direct_impl's cursor, and the hook after
 * each dispatch: the cursors moved since, one commit each. */
void wayland_direct_flush_cursors(struct wayland_output *w);
void wayland_direct_show_cursors(struct output *out, bool show);
bool wayland_direct_cursor_image(struct output *out,
				 const struct proto_cursor_image *img,
				 const uint32_t *pixels);
bool wayland_direct_cursor_pos(struct output *out,
			       const struct proto_cursor_pos *pos);

#endif
