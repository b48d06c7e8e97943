/* SPDX-License-Identifier: MIT */
/* The harness's library end: libeglview-server on the test's socket,
 * dispatched by the harness's waits (harness.h). */
#include "harness.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/wait.h>

#include "server/server.h"

static void
on_input(void *data, uint32_t device_id, uint32_t kind,
	 const struct proto_input_event *ev, uint32_t n)
{
	struct harness *h = data;
	if (h->cb && h->cb->input)
		h->cb->input(h->cb_data, device_id, kind, ev, n);
}

static void
on_buffer_released(void *data, struct server_buffer *buffer)
{
	struct harness *h = data;
	if (h->cb && h->cb->buffer_released)
		h->cb->buffer_released(h->cb_data, buffer);
}

static void
on_viewer_joined(void *data, size_t count)
{
	struct harness *h = data;
	h->viewers = count;
	if (h->cb && h->cb->viewer_joined)
		h->cb->viewer_joined(h->cb_data, count);
}

static void
on_viewer_left(void *data, size_t count)
{
	struct harness *h = data;
	h->viewers = count;
	if (h->cb && h->cb->viewer_left)
		h->cb->viewer_left(h->cb_data, count);
}

static const struct server_callbacks callbacks = {
	.input = on_input,
	.buffer_released = on_buffer_released,
	.viewer_joined = on_viewer_joined,
	.viewer_left = on_viewer_left,
};

static void
close_server(struct harness *h)
{
	server_destroy(h->server);
	h->server = NULL;
}

void
harness_serve(struct harness *h, const char *vm_name,
	      const struct server_callbacks *cb, void *data)
{
	h->cb = cb;
	h->cb_data = data;
	char why[256];
	h->server = server_create(h->sock, vm_name, &callbacks, h, why,
				  sizeof(why));
	if (!h->server)
		FAIL("server_create %s: %s", h->sock, why);
	h->close_end = close_server;
}

static bool
has_viewer(struct harness *h, void *data)
{
	(void)data;
	return h->viewers > 0;
}

void
harness_start_viewer(struct harness *h, const char *const *extra_args)
{
	harness_spawn_offscreen(h, NULL, extra_args);
	if (!harness_run_until(h, has_viewer, NULL, 10000)) {
		char *err = harness_stderr(h);
		FAIL("%s did not complete its handshake in %d ms; its stderr:\n%s",
		     h->viewer, harness_timeout_ms(10000), err);
	}
}

bool
harness_run_until(struct harness *h, bool (*done)(struct harness *, void *),
		  void *data, int timeout_ms)
{
	timeout_ms = harness_timeout_ms(timeout_ms);
	uint64_t end = harness_now_ns() + (uint64_t)timeout_ms * 1000000u;
	while (!done(h, data)) {
		uint64_t now = harness_now_ns();
		if (now >= end)
			return false;
		struct pollfd pfd = { .fd = server_get_fd(h->server),
				      .events = POLLIN };
		int left = (int)((end - now) / 1000000u) + 1;
		if (poll(&pfd, 1, left) < 0 && errno != EINTR)
			return false;
		if (!server_dispatch(h->server))
			return false;
	}
	return true;
}

static bool
idle(struct harness *h, void *data)
{
	(void)data;
	return server_idle(h->server);
}

bool
harness_wait_idle(struct harness *h, int timeout_ms)
{
	return harness_run_until(h, idle, NULL, timeout_ms);
}

int
harness_stop_viewer(struct harness *h, char *buf, size_t size)
{
	server_goodbye_all(h->server, PROTO_BYE_SHUTDOWN, "test finished");
	int status = harness_wait_exit(h);
	char *err = harness_stderr(h);
	snprintf(buf, size, "%s", err);
	free(err);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
