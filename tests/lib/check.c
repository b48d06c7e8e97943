/* SPDX-License-Identifier: MIT */
#include <stdarg.h>

#include "check.h"

int test_failures;
int test_checks;

void
test_report(const char *file, int line, const char *what, const char *cond,
	    const char *fmt, ...)
{
	char msg[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* fmt is " " plus the caller's format, or " " alone. */
	const char *text = msg[0] == ' ' ? msg + 1 : msg;
	fprintf(stderr, "%s:%d: %s", file, line, what);
	if (cond)
		fprintf(stderr, ": %s", cond);
	if (*text)
		fprintf(stderr, ": %s", text);
	fputc('\n', stderr);
}

int
test_run_case(const char *program, const struct test_case *cases,
	      size_t n_cases, const char *name)
{
	for (size_t i = 0; i < n_cases; i++) {
		if (strcmp(cases[i].name, name) != 0)
			continue;
		cases[i].run();
		if (test_failures > 0) {
			fprintf(stderr, "%s: %d checks failed\n", name,
				test_failures);
			return 1;
		}
		printf("%s: passed\n", name);
		return 0;
	}
	fprintf(stderr, "%s: no case \"%s\"\n", program, name);
	return 2;
}
