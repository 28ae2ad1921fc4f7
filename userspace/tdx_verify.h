/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A TD quote as evidence in `cvmguard verify`: alone, or beside the TDREPORT of an
 * Azure TDX HCL report (file, or bundle). Records its checks and claims in the
 * verifier's result document and appraises the TDX policy keys.
 */
#ifndef CVMG_TDX_VERIFY_H
#define CVMG_TDX_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/x509.h>

#include "hcl_report.h"
#include "policy.h"

/* Where the verifier keeps its result (struct vctx in verifier.c). */
struct tdx_sink {
	json_object *claims, *checks, *notes;
	struct policy_violations *pv;
	bool failed;			/* a check failed */
	bool hw_verified;		/* the quote verified to Intel's root (and matched
					 * the TDREPORT, if any) */
};

/* verifier.c: entries of the result document. */
bool vresult_check(json_object *checks, const char *name, int ok, const char *detail);
void vresult_hex(json_object *o, const char *key, const uint8_t *p, size_t n);
void vresult_x64(json_object *o, const char *key, uint64_t v);
void vresult_td(json_object *o, uint64_t td_attributes, uint64_t xfam, const uint8_t *mrtd,
		const uint8_t *mrconfigid, const uint8_t *mrowner, const uint8_t *mrownerconfig,
		const uint8_t (*rtmr)[48], const uint8_t *report_data);

struct tdx_evidence {
	const uint8_t *quote;		/* the TD quote, or NULL */
	size_t quote_len;
	const uint8_t *collateral;	/* DCAP collateral JSON, or NULL */
	size_t collateral_len;
	X509 *root;			/* --intel-root, or NULL: Intel's pinned root */
	time_t now;
	const uint8_t *nonce;		/* expected REPORTDATA prefix for a raw quote */
	size_t nonce_len;
	const struct cvmg_policy *policy;	/* --policy, or the built-in default */
};

int tdx_evidence_verify(const struct tdx_evidence *e, const struct tdx_report *td,
			struct tdx_sink *s);

#endif /* CVMG_TDX_VERIFY_H */
