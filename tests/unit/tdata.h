/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test vectors for the unit tests: files under tests/data/, found relative to the
 * test binary's directory (tests/unit/, where `run` starts them) or under
 * $CVMGUARD_TESTDATA.
 */
#ifndef CVMG_TDATA_H
#define CVMG_TDATA_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cvmguard.h"

/* 2025-06-01T00:00:00Z: inside the validity of every certificate in tests/data. */
#define TDATA_NOW ((time_t)1748736000)

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

#endif /* CVMG_TDATA_H */
