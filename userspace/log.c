// SPDX-License-Identifier: GPL-2.0-only
/*
 * Diagnostics. Run by hand, messages go to stderr; run by udev or systemd (no
 * terminal on stderr and CVMGUARD_LOG=syslog, or JOURNAL_STREAM unset under udev),
 * they go to syslog so they end up in the journal with the device they concern.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "cvmguard.h"

int cvmg_verbose;
static bool use_syslog;
static char first_error[512];	/* for the JSON error document (cli.c) */
static const char *progname = "cvmguard";

void cvmg_log_init(const char *prog)
{
	const char *mode = getenv("CVMGUARD_LOG");

	progname = prog;
	/* udev sets ACTION and DEVNAME for RUN programs; stderr goes nowhere there. */
	if ((mode && !strcmp(mode, "syslog")) ||
	    (!mode && getenv("ACTION") && getenv("DEVNAME") && getenv("SEQNUM")))
		use_syslog = true;
	if (use_syslog)
		openlog(prog, LOG_PID, LOG_DAEMON);
}

/**
 * cvmg_first_error() - the first error message of this run, or NULL
 */
const char *cvmg_first_error(void)
{
	return first_error[0] ? first_error : NULL;
}

static void vlog(int prio, const char *tag, const char *fmt, va_list ap)
{
	if (prio == LOG_ERR && !first_error[0]) {
		va_list copy;

		va_copy(copy, ap);
		vsnprintf(first_error, sizeof(first_error), fmt, copy);
		va_end(copy);
	}
	if (use_syslog) {
		vsyslog(prio, fmt, ap);
		return;
	}
	fprintf(stderr, "%s: %s", progname, tag);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

#define DEFINE_LOG(name, prio, tag, cond)            \
	void name(const char *fmt, ...)              \
	{                                            \
		va_list ap;                          \
		if (!(cond))                         \
			return;                      \
		va_start(ap, fmt);                   \
		vlog(prio, tag, fmt, ap);            \
		va_end(ap);                          \
	}

DEFINE_LOG(cvmg_err, LOG_ERR, "error: ", true)
DEFINE_LOG(cvmg_warn, LOG_WARNING, "warning: ", true)
DEFINE_LOG(cvmg_info, LOG_INFO, "", true)
DEFINE_LOG(cvmg_dbg, LOG_DEBUG, "debug: ", cvmg_verbose > 0)
