/* SPDX-License-Identifier: MIT */
/* The qemu-pixels-* tests' harness: see pixels-harness.h. */
#include <drm_fourcc.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pixels-harness.h"
#include "server/region.h"

const char *shim_exe;
pid_t shim_pid = -1;
char dir[] = "/tmp/eglview-fake-pixels-XXXXXX";
static char log_path[96];

/* --- the shim ---------------------------------------------------------- */

bool
harness_start_shim(void)
{
	if (mkdtemp(dir) == NULL)
		return false;
	char qmp[96];
	snprintf(qmp, sizeof(qmp), "%s/qmp.sock", dir);
	snprintf(log_path, sizeof(log_path), "%s/shim.log", dir);
	if (!fake_qemu_start(qmp))
		return false;
	shim_pid = fork();
	if (shim_pid == 0) {
		/* A file, not a pipe: nobody reads it until the end. */
		int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 2);
		char vm[96];
		snprintf(vm, sizeof(vm), "%s/vm.sock", dir);
		execl(shim_exe, shim_exe, "--source", "qemu", "--verbose",
		      "--qmp", qmp, vm, (char *)NULL);
		_exit(127);
	}
	return fake_wait_call(0, "RegisterListener") >= 0;
}

void
harness_stop_shim(struct counts *n)
{
	*n = (struct counts){ 0 };
	if (shim_pid > 0) {
		kill(shim_pid, SIGTERM);
		waitpid(shim_pid, NULL, 0);
		shim_pid = -1;
	}
	FILE *f = fopen(log_path, "r");
	if (f != NULL) {
		size_t got = fread(n->log, 1, sizeof(n->log) - 1, f);
		n->log[got] = '\0';
		fclose(f);
	}
	fprintf(stderr, "--- the shim's log ---\n%s--- end ---\n", n->log);
	const char *line = strstr(n->log, "pixels: ");
	n->found = line != NULL && sscanf(line, "pixels: %llu bytes copied "
		"from QEMU into the buffers, %llu caught up between buffers, "
		"%llu through the canvas; %llu updates waited for a free "
		"buffer, %llu bytes of them superseded", &n->from_qemu,
		&n->caught_up, &n->via_canvas, &n->waited,
		&n->superseded) == 5;
	unlink(log_path);
	char p[128];
	snprintf(p, sizeof(p), "%s/qmp.sock", dir);
	unlink(p);
	rmdir(dir);
}

/* --- QEMU's picture and calls ------------------------------------------ */

uint32_t model[MAXW * MAXH];   /* the picture QEMU has sent */
uint32_t model_w, model_h;
unsigned long long sent_bytes; /* pixel bytes in all updates */
int64_t slowest_call_ms;

static uint32_t
pattern(uint32_t x, uint32_t y, uint32_t salt)
{
	return 0xff000000u | ((x * 7 + salt * 13) & 0xff) << 16 |
	       ((y * 5 + salt * 3) & 0xff) << 8 | (salt & 0xff);
}

static void
call(const char *method, GVariant *params)
{
	int64_t t0 = fake_now_ms();
	GVariant *r = fake_listener_call(IFACE_LISTENER, method, params, -1);
	int64_t took = fake_now_ms() - t0;
	if (took > slowest_call_ms)
		slowest_call_ms = took;
	CHECK(r != NULL);
	if (r != NULL)
		g_variant_unref(r);
}

static GVariant *
pixels_of(uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint32_t salt)
{
	uint32_t *px = malloc((size_t)w * h * 4);
	for (uint32_t j = 0; j < h; j++)
		for (uint32_t i = 0; i < w; i++) {
			px[j * w + i] = pattern(x + i, y + j, salt);
			model[(y + j) * MAXW + x + i] = px[j * w + i];
		}
	GVariant *v = g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, px,
						(size_t)w * h * 4, 1);
	free(px);
	sent_bytes += (unsigned long long)w * h * 4;
	return v;
}

void
harness_send_update(uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint32_t salt)
{
	/* Growing (QEMU 7.2): what was not there before is black. */
	for (uint32_t j = 0; j < y + h; j++)
		for (uint32_t i = 0; i < x + w; i++)
			if (i >= model_w || j >= model_h)
				model[j * MAXW + i] = 0;
	if (x + w > model_w)
		model_w = x + w;
	if (y + h > model_h)
		model_h = y + h;
	call("Update", g_variant_new("(iiiiuu@ay)", x, y, w, h, w * 4,
				     PIXMAN_X8R8G8B8,
				     pixels_of(x, y, w, h, salt)));
}

void
harness_send_scanout(uint32_t w, uint32_t h, uint32_t salt)
{
	model_w = w;
	model_h = h;
	call("Scanout", g_variant_new("(uuuu@ay)", w, h, w * 4,
				      PIXMAN_X8R8G8B8,
				      pixels_of(0, 0, w, h, salt)));
}

/* --- the viewers ------------------------------------------------------- */

bool
view_join(struct tview *t, const char *name, uint32_t hold)
{
	static const struct proto_format formats[] = {
		{ DRM_FORMAT_XRGB8888, PROTO_FORMAT_SHM, DRM_FORMAT_MOD_LINEAR },
		{ DRM_FORMAT_NV12, PROTO_FORMAT_DMABUF, I915_FORMAT_MOD_X_TILED },
	};
	return view_join_formats(t, name, hold, formats, 2);
}

bool
view_join_formats(struct tview *t, const char *name, uint32_t hold,
		  const struct proto_format *formats, uint32_t n_formats)
{
	char vm[96];
	snprintf(vm, sizeof(vm), "%s/vm.sock", dir);
	*t = (struct tview){ .name = name };
	bool connected = false;
	for (int i = 0; i < 100 && !connected; i++) {
		connected = raw_viewer_connect(&t->v, vm, NULL);
		if (!connected)
			g_usleep(20000);
	}
	if (!connected || !raw_viewer_expect(&t->v, PROTO_HELLO))
		return false;
	t->server_features = ((const struct proto_hello *)
			      raw_body(&t->v))->features;
	return proto_send_hello(t->v.fd, PROTO_FEATURE_SHM |
				PROTO_FEATURE_DMABUF | PROTO_FEATURE_CURSOR |
				PROTO_FEATURE_INPUT | hold, name, formats,
				n_formats);
}

void
view_close(struct tview *t)
{
	for (uint32_t i = 0; i < t->n_bufs; i++)
		munmap((void *)t->bufs[i].map, t->bufs[i].size);
	raw_viewer_close(&t->v);
}

bool
view_next_update(struct tview *t, int timeout_ms)
{
	int64_t end = fake_now_ms() + timeout_ms;
	while (fake_now_ms() < end) {
		if (raw_viewer_recv(&t->v, (int)(end - fake_now_ms())) !=
		    PROTO_IO_OK)
			return false;
		uint32_t type = proto_packet_type(t->v.pkt);
		const void *body = raw_body(&t->v);
		if (type == PROTO_BUFFER_SHM && t->n_bufs < 16) {
			struct tbuf *b = &t->bufs[t->n_bufs++];
			memcpy(&b->shm, body, sizeof(b->shm));
			b->id = b->shm.buffer_id;
			b->size = b->shm.offset +
				  (size_t)b->shm.stride * b->shm.height;
			b->map = mmap(NULL, b->size, PROT_READ, MAP_SHARED,
				      t->v.pkt->fds[0], 0);
			if (b->map == MAP_FAILED) {
				fprintf(stderr, "%s: cannot map buffer %u\n",
					t->name, b->id);
				test_failures++;
				t->n_bufs--;
			}
		} else if (type == PROTO_BUFFER_DESTROY) {
			const struct proto_buffer_destroy *d = body;
			for (uint32_t i = 0; i < t->n_bufs; i++) {
				if (t->bufs[i].id != d->buffer_id)
					continue;
				munmap((void *)t->bufs[i].map,
				       t->bufs[i].size);
				t->bufs[i] = t->bufs[--t->n_bufs];
				break;
			}
		} else if (type == PROTO_BUFFER_DMABUF) {
			t->dmabuf_id = ((const struct proto_buffer_dmabuf *)
					body)->buffer_id;
		} else if (type == PROTO_SCANOUT) {
			const struct proto_scanout *s = body;
			t->bound = s->buffer_id;
			t->head_id = s->head_id;
		} else if (type == PROTO_UPDATE) {
			const struct proto_update *u = body;
			t->n_rects = u->n_rects;
			t->seq = u->seq;
			memcpy(t->rects, (const uint8_t *)body + sizeof(*u),
			       u->n_rects * sizeof(t->rects[0]));
			bool seen = false;
			for (uint32_t i = 0; i < t->n_ids_shown; i++)
				seen |= t->ids_shown[i] == t->bound;
			if (!seen && t->n_ids_shown < 16)
				t->ids_shown[t->n_ids_shown++] = t->bound;
			return true;
		}
	}
	fprintf(stderr, "%s: no UPDATE within %d ms\n", t->name, timeout_ms);
	return false;
}

bool
view_quiet(struct tview *t, int ms)
{
	int64_t end = fake_now_ms() + ms;
	while (fake_now_ms() < end) {
		if (raw_viewer_recv(&t->v, (int)(end - fake_now_ms())) !=
		    PROTO_IO_OK)
			continue;
		if (proto_packet_type(t->v.pkt) == PROTO_UPDATE)
			return false;
	}
	return true;
}

void
view_done(struct tview *t)
{
	proto_send_frame_done(t->v.fd, t->head_id, t->seq, 0);
}

const struct tbuf *
find_buf(const struct tview *t, uint32_t id)
{
	for (uint32_t i = 0; i < t->n_bufs; i++)
		if (t->bufs[i].id == id)
			return &t->bufs[i];
	return NULL;
}

bool
shows(const struct tview *t, const uint32_t *pic)
{
	const struct tbuf *b = find_buf(t, t->bound);
	if (b == NULL || b->shm.width != model_w || b->shm.height != model_h) {
		fprintf(stderr, "%s: bound buffer %u is %ux%u, the picture "
			"%ux%u\n", t->name, t->bound, b ? b->shm.width : 0,
			b ? b->shm.height : 0, model_w, model_h);
		return false;
	}
	for (uint32_t y = 0; y < model_h; y++) {
		if (memcmp(b->map + b->shm.offset + (size_t)y * b->shm.stride,
			   pic + (size_t)y * MAXW, (size_t)model_w * 4) != 0) {
			fprintf(stderr, "%s: buffer %u differs from QEMU's "
				"picture in row %u\n", t->name, b->id, y);
			return false;
		}
	}
	return true;
}

bool
shows_model(const struct tview *t)
{
	return shows(t, model);
}


void
snap(struct snapshot *s, const struct tview *t, uint32_t id)
{
	const struct tbuf *b = find_buf(t, id);
	free(s->bytes);
	*s = (struct snapshot){ .id = id };
	if (b == NULL)
		return;
	s->size = b->size;
	s->bytes = malloc(b->size);
	memcpy(s->bytes, b->map, b->size);
}

bool
untouched(const struct snapshot *s, const struct tview *t)
{
	const struct tbuf *b = find_buf(t, s->id);
	bool same = b != NULL && s->bytes != NULL && b->size == s->size &&
		    memcmp(b->map, s->bytes, s->size) == 0;
	if (!same)
		fprintf(stderr, "%s: buffer %u was written while a viewer "
			"read or held it\n", t->name, s->id);
	return same;
}

bool
damage_covers(const struct tview *t, const struct proto_rect *r, int n)
{
	struct region damage;
	region_init(&damage);
	for (uint32_t i = 0; i < t->n_rects; i++)
		region_add_rect(&damage, &t->rects[i]);
	for (int i = 0; i < n; i++)
		if (!region_contains_rect(&damage, &r[i]))
			return false;
	return true;
}
