/* SPDX-License-Identifier: MIT */
/* The demo tests' assertion: says what was expected, keeps going. */
#ifndef EGLVIEW_TEST_CHECK_H
#define EGLVIEW_TEST_CHECK_H

#include <stdio.h>

static int check_failures;

#define CHECK(cond, ...) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: FAIL: %s: ", __FILE__, __LINE__, \
			#cond); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
		check_failures++; \
	} \
} while (0)

#define CHECK_EXIT() (check_failures == 0 ? 0 : 1)

#endif
