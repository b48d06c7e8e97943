// SPDX-License-Identifier: MIT
/*
 * Audio rings (PROTOCOL.md, "Audio"): a memfd both sides map, one
 * producer, any number of readers, nobody waiting for anybody. The
 * producer publishes write_pos after the frames; a reader checks it again
 * after copying, because a producer a ring ahead may have overwritten what
 * it copied.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

#include "proto.h"

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif

static const struct {
	uint32_t format;
	uint32_t bytes;
	const char *name;
} formats[] = {
	{ PROTO_AUDIO_U8, 1, "U8" },
	{ PROTO_AUDIO_S16, 2, "S16" },
	{ PROTO_AUDIO_S32, 4, "S32" },
	{ PROTO_AUDIO_F32, 4, "F32" },
};

uint32_t
proto_audio_sample_bytes(uint32_t format)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (formats[i].format == format)
			return formats[i].bytes;
	return 0;
}

const char *
proto_audio_format_name(uint32_t format)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (formats[i].format == format)
			return formats[i].name;
	return "unknown";
}

bool
proto_audio_format_parse(const char *name, uint32_t *format)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (strcasecmp(formats[i].name, name) == 0) {
			*format = formats[i].format;
			return true;
		}
	}
	return false;
}

size_t
proto_audio_ring_size(uint32_t capacity, uint32_t frame_bytes)
{
	return PROTO_AUDIO_RING_HEADER + (size_t)capacity * frame_bytes;
}

static bool
map_fd(int fd, uint32_t capacity, uint32_t frame_bytes, bool writable,
       struct proto_audio_ring_map *map, char *why, size_t why_size)
{
	size_t size = proto_audio_ring_size(capacity, frame_bytes);
	void *p = mmap(NULL, size, PROT_READ | (writable ? PROT_WRITE : 0),
		       MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		snprintf(why, why_size, "cannot map the audio ring (%zu bytes%s):"
			 " %s", size, writable ? ", read-write" : "",
			 strerror(errno));
		return false;
	}
	*map = (struct proto_audio_ring_map){
		.header = p,
		.frames = (uint8_t *)p + PROTO_AUDIO_RING_HEADER,
		.capacity = capacity,
		.frame_bytes = frame_bytes,
		.size = size,
		.writable = writable,
	};
	return true;
}

int
proto_audio_ring_create(uint32_t capacity, uint32_t frame_bytes,
			bool readers_read_only,
			struct proto_audio_ring_map *map,
			char *why, size_t why_size)
{
	size_t size = proto_audio_ring_size(capacity, frame_bytes);
	int fd = memfd_create("eglview-audio", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0) {
		snprintf(why, why_size, "memfd_create for an audio ring: %s",
			 strerror(errno));
		return -1;
	}
	if (ftruncate(fd, (off_t)size) < 0) {
		snprintf(why, why_size, "cannot size the audio ring to %zu "
			 "bytes: %s", size, strerror(errno));
		close(fd);
		return -1;
	}
	if (!map_fd(fd, capacity, frame_bytes, true, map, why, why_size)) {
		close(fd);
		return -1;
	}
	map->header->magic = PROTO_AUDIO_RING_MAGIC;
	/* The writable mapping above survives F_SEAL_FUTURE_WRITE; mappings
	 * made from the fd afterwards (the viewers') cannot write. */
	int seals = F_SEAL_SHRINK | F_SEAL_GROW |
		    (readers_read_only ? F_SEAL_FUTURE_WRITE : 0);
	if (fcntl(fd, F_ADD_SEALS, seals) < 0 &&
	    (!readers_read_only ||
	     fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) < 0)) {
		snprintf(why, why_size, "cannot seal the audio ring: %s",
			 strerror(errno));
		proto_audio_ring_unmap(map);
		close(fd);
		return -1;
	}
	return fd;
}

bool
proto_audio_ring_map(int fd, uint32_t capacity, uint32_t frame_bytes,
		     bool writable, struct proto_audio_ring_map *map,
		     char *why, size_t why_size)
{
	size_t size = proto_audio_ring_size(capacity, frame_bytes);
	int seals = fcntl(fd, F_GET_SEALS);
	if (seals < 0 || !(seals & F_SEAL_SHRINK) || !(seals & F_SEAL_GROW)) {
		snprintf(why, why_size, "the audio ring is not a memfd sealed "
			 "against shrinking and growing (seals %d)", seals);
		return false;
	}
	off_t end = lseek(fd, 0, SEEK_END);
	if (end < 0 || (size_t)end < size) {
		snprintf(why, why_size, "the audio ring's memfd has %lld bytes, "
			 "%u frames of %u bytes need %zu", (long long)end,
			 capacity, frame_bytes, size);
		return false;
	}
	if (!map_fd(fd, capacity, frame_bytes, writable, map, why, why_size))
		return false;
	if (map->header->magic != PROTO_AUDIO_RING_MAGIC) {
		snprintf(why, why_size, "the audio ring's magic is 0x%08x, not "
			 "0x%08x", map->header->magic, PROTO_AUDIO_RING_MAGIC);
		proto_audio_ring_unmap(map);
		return false;
	}
	return true;
}

void
proto_audio_ring_unmap(struct proto_audio_ring_map *map)
{
	if (map->header != NULL)
		munmap(map->header, map->size);
	*map = (struct proto_audio_ring_map){ 0 };
}

void
proto_audio_ring_write(struct proto_audio_ring_map *map, const void *frames,
		       uint32_t n, uint64_t now_ns)
{
	const uint8_t *src = frames;
	uint64_t pos = __atomic_load_n(&map->header->write_pos,
				       __ATOMIC_RELAXED);
	if (n > map->capacity) {
		src += (size_t)(n - map->capacity) * map->frame_bytes;
		pos += n - map->capacity;
		n = map->capacity;
	}
	uint32_t slot = (uint32_t)(pos % map->capacity);
	uint32_t first = n < map->capacity - slot ? n : map->capacity - slot;
	memcpy(map->frames + (size_t)slot * map->frame_bytes, src,
	       (size_t)first * map->frame_bytes);
	memcpy(map->frames, src + (size_t)first * map->frame_bytes,
	       (size_t)(n - first) * map->frame_bytes);
	__atomic_store_n(&map->header->write_ns, now_ns, __ATOMIC_RELAXED);
	__atomic_store_n(&map->header->write_pos, pos + n, __ATOMIC_RELEASE);
}

uint64_t
proto_audio_ring_write_pos(const struct proto_audio_ring_map *map,
			   uint64_t *write_ns)
{
	uint64_t pos = __atomic_load_n(&map->header->write_pos,
				       __ATOMIC_ACQUIRE);
	if (write_ns != NULL)
		*write_ns = __atomic_load_n(&map->header->write_ns,
					    __ATOMIC_RELAXED);
	return pos;
}

uint32_t
proto_audio_ring_read(const struct proto_audio_ring_map *map, uint64_t *pos,
		      void *out, uint32_t max, uint64_t *lost)
{
	uint64_t skipped = 0;
	uint64_t wp = proto_audio_ring_write_pos(map, NULL);
	if (wp < *pos)
		*pos = wp;
	if (wp - *pos > map->capacity) {
		skipped += wp - map->capacity - *pos;
		*pos = wp - map->capacity;
	}
	uint64_t avail = wp - *pos;
	uint32_t n = avail < max ? (uint32_t)avail : max;
	uint32_t slot = (uint32_t)(*pos % map->capacity);
	uint32_t first = n < map->capacity - slot ? n : map->capacity - slot;
	uint8_t *dst = out;
	memcpy(dst, map->frames + (size_t)slot * map->frame_bytes,
	       (size_t)first * map->frame_bytes);
	memcpy(dst + (size_t)first * map->frame_bytes, map->frames,
	       (size_t)(n - first) * map->frame_bytes);
	/* Whatever the producer wrote meanwhile may have landed on the
	 * slots just copied: the frames before wp2 - capacity are gone. */
	uint64_t wp2 = proto_audio_ring_write_pos(map, NULL);
	uint64_t oldest = wp2 > map->capacity ? wp2 - map->capacity : 0;
	if (wp2 >= *pos && oldest > *pos) {
		uint64_t bad = oldest - *pos;
		if (bad >= n) {
			skipped += n;
			n = 0;
		} else {
			memmove(dst, dst + bad * map->frame_bytes,
				(size_t)(n - bad) * map->frame_bytes);
			skipped += bad;
			n -= (uint32_t)bad;
		}
		*pos = oldest;
	}
	*pos += n;
	if (lost != NULL)
		*lost += skipped;
	return n;
}
