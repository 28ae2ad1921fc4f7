/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cvmguard doctor's verdicts that are worth a test of their own: the instance
 * metadata service (IMDS) check, in doctor_imds.c.
 */
#ifndef CVMG_DOCTOR_H
#define CVMG_DOCTOR_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "fetch.h"
#include "snp_report.h"

#define DOCTOR_IMDS_BUDGET_MS	5000u	/* the IMDS check's total time, --timeout */

enum doctor_level { DOCTOR_OK, DOCTOR_WARN, DOCTOR_FAIL, DOCTOR_SKIP };

/* One line of doctor's output: its level, what was seen, what to do next. */
struct doctor_verdict {
	enum doctor_level level;
	char detail[1200];
	const char *next;	/* NULL when there is nothing to do */
	char url[512];		/* the endpoint asked, "" when none was */
	long long ms;		/* how long the request took */
};

void doctor_imds_snp(const struct fetch_opts *o, const uint8_t *hw, size_t len,
		     struct doctor_verdict *v);
void doctor_imds_td(const struct fetch_opts *o, const uint8_t *tdreport, size_t len,
		    struct doctor_verdict *v);
/* The verdicts on what IMDS answered, without the network (tests/unit). */
void doctor_snp_chain_verdict(const struct fetch_opts *o, const struct snp_report *r,
			      struct fetch_chain *c, struct doctor_verdict *v);
void doctor_td_quote_verdict(const struct fetch_opts *o, const uint8_t *quote, size_t len,
			     time_t now, struct doctor_verdict *v);

#endif /* CVMG_DOCTOR_H */
