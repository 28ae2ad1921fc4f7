/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The TD quote part of the appraisal policy (keys tdx.* in tdx_policy.c and
 * cvmguard(8)), checked against a verified TD quote. The built-in default policy
 * (policy_init()) allows TCB status UpToDate only, so an unknown TCB is refused.
 */
#ifndef CVMG_TDX_POLICY_H
#define CVMG_TDX_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TDX_POLICY_MAX_DIGESTS	16

enum tdx_tcb_status {
	TDX_TCB_UP_TO_DATE = 0,
	TDX_TCB_SW_HARDENING_NEEDED,
	TDX_TCB_CONFIGURATION_NEEDED,
	TDX_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED,
	TDX_TCB_OUT_OF_DATE,
	TDX_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED,
	TDX_TCB_UNKNOWN,		/* no collateral: not evaluated */
	TDX_TCB_COUNT,
};

struct tdx_policy {
	/* MRTD is policy.c's tdx.mrtd measurement list */
	size_t nmrseam;
	uint8_t mrseam[TDX_POLICY_MAX_DIGESTS][48];
	bool has_rtmr[4];
	uint8_t rtmr[4][48];
	bool has_td_attributes;
	uint64_t td_attributes;		/* exact value */
	bool has_min_svn;
	uint8_t min_tee_tcb_svn[16];	/* per component */
	uint32_t tcb_status;		/* bit per enum tdx_tcb_status; default UpToDate */
};

struct cvmg_policy;
struct policy_violations;
struct tdx_quote_body;

void tdx_policy_init(struct tdx_policy *p);
int tdx_policy_parse_kv(struct tdx_policy *p, const char *key, const char *val);
int tdx_tcb_status_from_name(const char *name);
void tdx_policy_check(const struct cvmg_policy *p, const struct tdx_quote_body *b,
		      const char *tcb_status, struct policy_violations *out);

#endif /* CVMG_TDX_POLICY_H */
