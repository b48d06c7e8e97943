/* SPDX-License-Identifier: MIT */
/*
 * The fuzz targets' input format: a stream of records, each either a raw
 * packet (header included, so the header may lie) with fds of a kind the
 * input chooses, or an action of the fuzzed side's peer. gen-seeds.c
 * writes the same format.
 *
 * Record: u8 op, then by op:
 *   op < 0xf0 (a packet): u8 fds, u24 length, length bytes (clamped to
 *     what is left). fds: bits 0..2 the count (0..4; 5..7 mean 0), bits 3..5
 *     their kind (enum fuzz_fd_kind), and for memfds a u24 size follows
 *     the length field, before the bytes.
 *   op >= 0xf0: an action (the target decides what op & 0x0f means),
 *     followed by a u32 argument.
 */
#ifndef EGLVIEW_FUZZ_STREAM_H
#define EGLVIEW_FUZZ_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum fuzz_fd_kind {
	FUZZ_FD_SEALED_MEMFD,   /* F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL */
	FUZZ_FD_UNSEALED_MEMFD, /* may shrink: must be refused for shm */
	FUZZ_FD_PIPE,
	FUZZ_FD_SOCKET,
	FUZZ_FD_DEV_NULL,
	FUZZ_FD_DIRECTORY,
	FUZZ_FD_SHRINK_ONLY,    /* F_SEAL_SHRINK only: may still grow */
	FUZZ_FD_TMPFILE,        /* a regular file that is no memfd */
};

#define FUZZ_OP_ACTION 0xf0

struct fuzz_record {
	bool is_action;
	uint8_t action;          /* op & 0x0f */
	uint32_t arg;
	const uint8_t *data;     /* the packet */
	size_t len;
	int n_fds;
	enum fuzz_fd_kind fd_kind;
	uint32_t memfd_size;
};

struct fuzz_reader {
	const uint8_t *p;
	size_t left;
};

/* false at the end of the input. */
bool fuzz_next(struct fuzz_reader *r, struct fuzz_record *rec);

/* Sends rec's packet on fd with MSG_DONTWAIT, with freshly made fds of the
 * chosen kind (closed again here). false when the socket took nothing. */
bool fuzz_send(int fd, const struct fuzz_record *rec);

/* Reads and drops everything waiting on fd, closing any fds received. */
void fuzz_drain(int fd);

/* The lowest free fd number: a leak in the code under test moves it. */
int fuzz_lowest_free_fd(void);

/* The clipboard (minor 2): MIME types, one more than a grab may carry. */
#define FUZZ_N_MIMES 9
extern const char *const fuzz_mimes[FUZZ_N_MIMES];

/* The clipboard_data callback of both libraries (server.h, client.h):
 * aborts unless it got what they promise, a known selection and status,
 * at most PROTO_MAX_CLIPBOARD bytes, none unless OK. */
void fuzz_clipboard_data(void *data, uint32_t selection, uint32_t status,
			 const char *mime, const void *bytes, uint32_t length);

#endif
