/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test vectors for the unit tests: files under tests/data/, found relative to the
 * test binary's directory (tests/unit/, where `run` starts them) or under
 * $CVMGUARD_TESTDATA.
 */
#ifndef CVMG_TDATA_H
#define CVMG_TDATA_H

#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "cvmguard.h"

/* 2025-06-01T00:00:00Z: inside the validity of every certificate in tests/data. */
#define TDATA_NOW_S 1748736000
#define TDATA_NOW ((time_t)TDATA_NOW_S)
#define TDATA_STR_(x) #x
#define TDATA_STR(x) TDATA_STR_(x)

static inline const char *tdata_dir(void)
{
	const char *d = getenv("CVMGUARD_TESTDATA");

	return d ? d : "../data";
}

static inline uint8_t *tdata_read(const char *name, size_t *len)
{
	char path[512];
	uint8_t *buf = NULL;

	snprintf(path, sizeof(path), "%s/%s", tdata_dir(), name);
	if (cvmg_read_file(path, &buf, len, 1 << 24)) {
		fail_msg("cannot read test vector %s", path);
		return NULL;
	}
	return buf;
}

/*
 * The helper the command-line tests run: $CVMGUARD_BIN, else
 * ../../userspace/cvmguard, which `make check` builds first. Returns 0, or -1 when
 * it is missing: a setup failure fails every test, never a silent skip.
 */
static inline int tdata_bin(char bin[PATH_MAX])
{
	const char *b = getenv("CVMGUARD_BIN");

	if (b)
		snprintf(bin, PATH_MAX, "%s", b);
	else if (!realpath("../../userspace/cvmguard", bin))
		return -1;
	return access(bin, X_OK) ? -1 : 0;
}

/*
 * Run "ENV BIN ARGS" in the test data directory and return its exit status; its
 * output is dropped unless $CVMG_TEST_VERBOSE is set.
 */
static inline int tdata_run(const char *bin, const char *env, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline int tdata_run(const char *bin, const char *env, const char *fmt, ...)
{
	char args[2048], cmd[PATH_MAX + 2400];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "cd '%s' && %s '%s' %s %s", tdata_dir(), env, bin, args,
		 getenv("CVMG_TEST_VERBOSE") ? "" : ">/dev/null 2>&1");
	st = system(cmd);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

#endif /* CVMG_TDATA_H */
