// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness: the HCL report parser (hcl_report_parse()) and the parsers of
 * its parts: the SNP report or TDREPORT it carries, the claims binding, the runtime
 * claims; then the whole verifier on the report, rendered as JSON.
 */
#include "fuzz.h"
#include "hcl_report.h"
#include "snp_report.h"

static struct cvmg_policy policy;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_policy(&policy);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy_violations pv = { 0 };
	struct hcl_report h;
	struct hcl_claims c;
	struct tdx_report t;
	struct snp_report *r;

	if (!hcl_report_parse(data, size, &h)) {
		if ((size_t)(h.hw - data) + h.hw_len > size ||
		    (size_t)(h.claims - data) + h.claims_len > size)
			abort();
		hcl_report_check_binding(&h);
		if (h.rt_report_type == HCL_REPORT_SNP) {
			r = malloc(sizeof(*r));
			if (!r)
				abort();
			if (!snp_report_parse(h.hw, h.hw_len, r))
				policy_check_snp(&policy, r, snp_report_product(r), true, &pv);
			free(r);
		} else if (!tdx_report_parse(h.hw, h.hw_len, &t)) {
			policy_check_tdx(&policy, &t, &pv);
		}
		if (!hcl_claims_parse(h.claims, h.claims_len, &c))
			policy_check_vmcfg(&policy, c.vm_config, &pv);
		hcl_claims_free(&c);
	}
	/* As `cvmguard verify HCL --nonce 6368616c6c656e6765 --policy P --json` does. */
	fuzz_verify(data, size, &policy, NULL);
	return 0;
}
