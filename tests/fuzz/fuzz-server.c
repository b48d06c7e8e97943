/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: libeglview-server fed a viewer's packet stream. Each
 * input gets a fresh server (one head, two sealed shm buffers, a keyboard
 * and a tablet) and one viewer on a real socketpair; the records are the
 * viewer's packets (with fds of the input's choosing) and the source's
 * actions in between (present, destroy, resize, devices, cursor, stop
 * reading; minor 2's LEDs and clipboard; minor 3's audio streams). The source follows HEAD_SIZE and
 * shares a clipboard, so the server offers RESIZE and CLIPBOARD. After the
 * input the server is destroyed and every fd it was given must be closed
 * again.
 */
#include <fcntl.h>
#include <linux/input-event-codes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "fuzz-stream.h"
#include "server/private.h"
#include "alloc/shm.h"

#define W 64
#define H 48

static char socket_path[128], socket_dir[64];

static void
remove_dir(void)
{
	rmdir(socket_dir);
}

struct fixture {
	struct server *server;
	struct server_head *head;
	struct shm_block shm[2];
	struct server_buffer *buf[2];
	uint32_t devices[2];
	struct server_audio *audio[2]; /* playback, record (minor 3) */
	bool reading;
};

static void
on_input(void *data, uint32_t device_id, uint32_t kind,
	 const struct proto_input_event *ev, uint32_t n)
{
	struct fixture *fx = data;
	struct server_device *dev = server_find_device(fx->server, device_id);
	/* What server.h promises the source. */
	if (dev == NULL || dev->info.kind != kind || n == 0 ||
	    n > PROTO_MAX_INPUT_EVENTS || ev[n - 1].type != EV_SYN)
		abort();
	for (uint32_t i = 0; i < n; i++) {
		if (ev[i].type != EV_SYN && !(dev->info.ev_bits & (1u << ev[i].type)))
			abort();
	}
}

static void
on_released(void *data, struct server_buffer *buffer)
{
	(void)data;
	if (server_buffer_busy(buffer))
		abort();
}

/* Minor 2, as a source that follows the viewer and shares a clipboard:
 * the head takes the size asked for, a viewer's grab is asked for its
 * data at once (as the demo does) and a request is answered. */
static void
on_head_size(void *data, struct server_head *head, uint32_t width,
	     uint32_t height, uint32_t width_mm, uint32_t height_mm)
{
	(void)data;
	(void)width_mm;
	(void)height_mm;
	server_head_set_size(head, width, height);
}

static void
on_clipboard_grab(void *data, uint32_t selection, const char *const *mimes,
		  uint32_t n_mimes)
{
	struct fixture *fx = data;
	if (n_mimes > PROTO_MAX_MIMES || selection > PROTO_SELECTION_PRIMARY)
		abort();
	if (n_mimes > 0)
		server_clipboard_request(fx->server, selection, mimes[0]);
}

static void
on_clipboard_request(void *data, uint32_t selection, const char *mime,
		     uint32_t request_id)
{
	struct fixture *fx = data;
	(void)selection;
	server_clipboard_answer(fx->server, request_id, PROTO_CLIPBOARD_OK,
				mime, "fuzz", 4);
}

static const struct server_callbacks callbacks = {
	.input = on_input, .buffer_released = on_released,
	.head_size = on_head_size, .clipboard_grab = on_clipboard_grab,
	.clipboard_request = on_clipboard_request,
	.clipboard_data = fuzz_clipboard_data,
};

static uint32_t
add_device(struct fixture *fx, uint32_t kind)
{
	struct proto_input_device dev = { .kind = kind };
	struct proto_abs_axis axes[2] = {
		{ ABS_X, 0, 32767, 0, 0, 0 }, { ABS_Y, 0, 32767, 0, 0, 0 },
	};
	if (kind == PROTO_DEVICE_KEYBOARD) {
		dev.ev_bits = 1u << EV_SYN | 1u << EV_KEY | 1u << EV_LED;
		dev.key_bits[KEY_A / 8] |= 1u << (KEY_A % 8);
		return server_add_input_device(fx->server, &dev, NULL);
	}
	dev.ev_bits = 1u << EV_SYN | 1u << EV_KEY | 1u << EV_ABS;
	dev.abs_bits = 1u << ABS_X | 1u << ABS_Y;
	dev.n_abs = 2;
	return server_add_input_device(fx->server, &dev, axes);
}

static struct server_buffer *
make_buffer(struct fixture *fx, int i)
{
	return server_buffer_create_shm(fx->server, fx->shm[i].fd,
					DRM_FORMAT_XRGB8888, W, H, W * 4, 0);
}

static bool
fixture_init(struct fixture *fx)
{
	char why[256];
	*fx = (struct fixture){ .reading = true };
	fx->server = server_create(socket_path, "fuzzvm", &callbacks, fx, why,
				   sizeof(why));
	if (fx->server == NULL)
		return false;
	fx->head = server_add_head(fx->server, "Fuzz-1", W, H);
	for (int i = 0; i < 2; i++) {
		if (!shm_block_init(&fx->shm[i], "fuzz", W * H * 4, why,
				    sizeof(why)))
			return false;
		fx->buf[i] = make_buffer(fx, i);
	}
	fx->devices[0] = add_device(fx, PROTO_DEVICE_KEYBOARD);
	fx->devices[1] = add_device(fx, PROTO_DEVICE_TABLET);
	server_head_present(fx->head, fx->buf[0], 0, NULL, 0);
	return true;
}

static void
fixture_finish(struct fixture *fx)
{
	server_destroy(fx->server);
	for (int i = 0; i < 2; i++)
		shm_block_finish(&fx->shm[i]);
}

/* The source's side, between the viewer's packets. */
static void
act(struct fixture *fx, uint8_t action, uint32_t arg)
{
	int i = arg & 1;
	switch (action) {
	case 0: {
		struct proto_rect r = { arg >> 1 & 63, arg >> 7 & 63,
					(arg >> 13 & 63) + 1, (arg >> 19 & 63) + 1 };
		server_head_present(fx->head, fx->buf[i], arg >> 25 & 1, &r, 1);
		break;
	}
	case 1:
		server_buffer_destroy(fx->buf[i]);
		fx->buf[i] = make_buffer(fx, i);
		break;
	case 2:
		server_remove_input_device(fx->server, fx->devices[i]);
		fx->devices[i] = add_device(fx, i ? PROTO_DEVICE_TABLET :
					    PROTO_DEVICE_KEYBOARD);
		break;
	case 3:
		server_head_set_size(fx->head, (arg & 0xffff) % 20000,
				     (arg >> 16) % 20000);
		break;
	case 4:
		server_head_set_enabled(fx->head, arg & 1);
		break;
	case 5: {
		static uint32_t pixels[16 * 16];
		uint32_t w = arg % 17;
		server_head_set_cursor(fx->head, w, w, (int32_t)(arg >> 8 & 15),
				       (int32_t)(arg >> 12 & 15), pixels);
		break;
	}
	case 6:
		server_head_move_cursor(fx->head, (int32_t)(arg & 0xfff),
					(int32_t)(arg >> 12 & 0xfff), arg >> 31);
		break;
	case 7:
		server_head_present(fx->head, NULL, 0, NULL, 0);
		break;
	case 8:
		/* Stop (or start again) reading: the socket fills up. */
		fx->reading = !fx->reading;
		break;
	case 9:
		server_goodbye_all(fx->server, PROTO_BYE_SHUTDOWN, "fuzz");
		break;
	case 11:
		/* The guest's lock LEDs (DEVICE_STATUS, minor 2). */
		server_input_device_set_leds(fx->server, fx->devices[0],
					     arg & 0xffff);
		break;
	case 12:
		/* The VM copied (CLIPBOARD_GRAB); arg: selection, types. */
		server_clipboard_grab(fx->server, i, fuzz_mimes,
				      (arg >> 1) % (FUZZ_N_MIMES + 1));
		break;
	case 13:
		/* The VM pastes: the owning viewer is asked (CLIPBOARD_REQUEST). */
		server_clipboard_request(fx->server, i, arg & 2 ? "text/plain" :
					 "text/plain;charset=utf-8");
		break;
	case 14: {
		/* Audio (minor 3), arg & 7: 0 a stream made or ended (bit 3:
		 * which), 1 enabled, 2 volume, 3 frames written, 4 read. */
		static int16_t frames[4096][2];
		struct server_audio **a = &fx->audio[arg >> 3 & 1];
		uint8_t vol[8] = { (uint8_t)(arg >> 8), (uint8_t)(arg >> 16) };
		if ((arg & 7) == 0 && *a != NULL) {
			server_audio_destroy(*a);
			*a = NULL;
		} else if ((arg & 7) == 0) {
			*a = server_audio_create(fx->server, arg >> 3 & 1,
				PROTO_AUDIO_S16, 8000 + (arg >> 8 & 0xffff),
				2, arg >> 24 << 8);
		} else if (*a == NULL) {
			break;
		} else if ((arg & 7) == 1) {
			server_audio_set_enabled(*a, arg >> 4 & 1);
		} else if ((arg & 7) == 2) {
			server_audio_set_volume(*a, arg >> 4 & 1, vol, 8);
		} else if ((arg & 7) == 3) {
			server_audio_write(*a, frames, (arg >> 8) % 4097);
		} else if (server_audio_read(*a, frames, (arg >> 8) % 4097) >
			   (arg >> 8) % 4097) {
			abort(); /* more frames than asked for */
		}
		break;
	}
	default:
		server_add_head(fx->server, "Fuzz-n", (arg & 0xff) + 1,
				(arg >> 8 & 0xff) + 1);
		break;
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* FUZZ_VERBOSE=1: the server's verbose log, to see what a seed does. */
	server_log_set_verbose(getenv("FUZZ_VERBOSE") != NULL);
	/* On tmpfs where there is one: binding a socket on ext4 each run
	 * costs more than the rest of the run. */
	static char dir[64];
	struct stat st;
	snprintf(dir, sizeof(dir), "%s/eglview-fuzz-server-XXXXXX",
		 stat("/dev/shm", &st) == 0 ? "/dev/shm" : "/tmp");
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(socket_path, sizeof(socket_path), "%s/vm.sock", dir);
	snprintf(socket_dir, sizeof(socket_dir), "%s", dir);
	atexit(remove_dir);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int lowest = fuzz_lowest_free_fd();
	struct fixture fx;
	if (!fixture_init(&fx))
		abort();
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       0, sv) < 0)
		abort();
	if (peer_create(fx.server, sv[1], getpid()) == NULL)
		abort();
	server_dispatch(fx.server);

	struct fuzz_reader reader = { data, size };
	struct fuzz_record rec;
	while (fuzz_next(&reader, &rec)) {
		if (rec.is_action)
			act(&fx, rec.action, rec.arg);
		else
			fuzz_send(sv[0], &rec);
		server_dispatch(fx.server);
		if (fx.reading)
			fuzz_drain(sv[0]);
	}
	close(sv[0]);
	server_dispatch(fx.server);
	fixture_finish(&fx);
	/* The viewer's fds and every fd that came with its packets are gone. */
	if (fuzz_lowest_free_fd() != lowest)
		abort();
	return 0;
}
