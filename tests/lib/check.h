/* SPDX-License-Identifier: MIT */
/*
 * The checks every C test uses. Each says where it is, what it checked
 * and, when given one, a printf-style message:
 *
 *   CHECK(cond [, fmt, ...])    counts a failure and goes on
 *   REQUIRE(cond [, fmt, ...])  counts a failure and stops (exit 1): what
 *                               follows would only fail on from it
 *   FAIL(fmt, ...)              stops with the message
 *   REQUIRE_EQ(a, b), REQUIRE_STR(a, b)  REQUIRE with both values said
 *
 * A program whose cases must clean up after themselves (a raw viewer's
 * cases end and main stops what they started) defines
 * TEST_REQUIRE_STOP before this header: REQUIRE then returns from the
 * void function it is in instead of exiting (raw-viewer.h does so).
 * The message's format must be a string literal.
 */
#ifndef EGLVIEW_TEST_CHECK_H
#define EGLVIEW_TEST_CHECK_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Failed checks so far; a test exits 1 unless it is 0. */
extern int test_failures;
/* Checks made so far, failed or not. */
extern int test_checks;

/* Prints "FILE:LINE: what: cond[: message]"; fmt starts with a space
 * (the macros' way of making the message optional). */
__attribute__((format(printf, 5, 6)))
void test_report(const char *file, int line, const char *what,
		 const char *cond, const char *fmt, ...);

#define CHECK(cond, ...) do { \
	test_checks++; \
	if (!(cond)) { \
		test_failures++; \
		test_report(__FILE__, __LINE__, "check failed", #cond, \
			    " " __VA_ARGS__); \
	} \
} while (0)

#ifndef TEST_REQUIRE_STOP
#define TEST_REQUIRE_STOP exit(1)
#endif

#define REQUIRE(cond, ...) do { \
	test_checks++; \
	if (!(cond)) { \
		test_failures++; \
		test_report(__FILE__, __LINE__, "required", #cond, \
			    " " __VA_ARGS__); \
		TEST_REQUIRE_STOP; \
	} \
} while (0)

#define FAIL(...) do { \
	test_failures++; \
	test_report(__FILE__, __LINE__, "FAIL", NULL, " " __VA_ARGS__); \
	exit(1); \
} while (0)

#define TEST_REQUIRE_FAILED(...) do { \
	test_failures++; \
	test_report(__FILE__, __LINE__, "required", NULL, " " __VA_ARGS__); \
	TEST_REQUIRE_STOP; \
} while (0)

#define REQUIRE_EQ(a, b) do { \
	long long a_ = (long long)(a), b_ = (long long)(b); \
	test_checks++; \
	if (a_ != b_) \
		TEST_REQUIRE_FAILED("%s == %lld, expected %s == %lld", #a, a_, \
				    #b, b_); \
} while (0)

#define REQUIRE_STR(a, b) do { \
	const char *a_ = (a), *b_ = (b); \
	test_checks++; \
	if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0) \
		TEST_REQUIRE_FAILED("%s == \"%s\", expected \"%s\"", #a, \
				    a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
} while (0)

/* The cases of one test program, each run as `PROGRAM CASE` by meson. */
struct test_case {
	const char *name;
	void (*run)(void);
};
/* Runs the case called name: 0 when it passed, 1 when a check failed,
 * 2 for an unknown case. */
int test_run_case(const char *program, const struct test_case *cases,
		  size_t n_cases, const char *name);

#endif
