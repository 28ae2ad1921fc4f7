// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness: the appraisal policy file (policy_parse()) and every check
 * that consumes a parsed policy, against the real Milan report (as Milan and as
 * Turin), a real TDREPORT and a vm-configuration with every JSON type.
 */
#include "fuzz.h"
#include "hcl_report.h"
#include "vectors.h"

static struct snp_report report;
static struct tdx_report tdx;
static json_object *vmcfg;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	vmcfg = json_tokener_parse("{\"secure-boot\":true,\"tpm-enabled\":false,"
				   "\"current-time\":1678652405,\"vmUniqueId\":\"x\","
				   "\"null\":null,\"obj\":{},\"arr\":[1],\"dbl\":1.5}");
	if (!vmcfg || snp_report_parse(vec_snp_report, sizeof(vec_snp_report), &report) ||
	    tdx_report_parse(vec_tdx_hcl + 32, sizeof(vec_tdx_hcl) - 32, &tdx))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy_violations *pv = calloc(1, sizeof(*pv));
	struct cvmg_policy *p = malloc(sizeof(*p));
	int line;

	if (!pv || !p)
		abort();
	/* A file with a NUL byte never parses (rules after it would be dropped). */
	if (!policy_parse((const char *)data, size, p, &line)) {
		if (memchr(data, 0, size))
			abort();
		policy_check_snp(p, &report, SNP_PRODUCT_MILAN, true, pv);
		policy_check_snp(p, &report, SNP_PRODUCT_TURIN, false, pv);
		policy_check_tdx(p, &tdx, pv);
		policy_check_hw(p, true, false, pv);
		policy_check_unlogged(p, 0xffffff, pv);
		policy_check_vmcfg(p, vmcfg, pv);
		policy_check_vmcfg(p, NULL, pv);
		if (pv->n > POLICY_MAX_VIOLATIONS)
			abort();
	}
	free(p);
	free(pv);
	return 0;
}
