// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness: the SNP attestation report parser (snp_report_parse()) and
 * what consumes a parsed report: product and TCB decoding, the VCEK match, the
 * policy, and the whole verifier with the Milan VCEK (chain, signature) and its
 * JSON rendering of every field.
 */
#include "amd_certs.h"
#include "fuzz.h"
#include "snp_report.h"
#include "vectors.h"

static struct cvmg_policy policy;
static X509 *vcek;
static struct amd_vcek_ext vcek_ext;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_policy(&policy);
	if (amd_cert_parse(vec_vcek, sizeof(vec_vcek), &vcek) ||
	    amd_vcek_ext_parse(vcek, &vcek_ext))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct snp_report *r = malloc(sizeof(*r));
	struct policy_violations pv = { 0 };
	enum snp_product prod;
	struct snp_tcb t;
	const char *field;

	if (!r)
		abort();
	if (!snp_report_parse(data, size, r)) {
		prod = snp_report_product(r);
		snp_tcb_decode(r->current_tcb, prod, &t);
		snp_tcb_decode(r->committed_tcb, prod, &t);
		snp_tcb_decode(r->launch_tcb, prod, &t);
		amd_vcek_match_report(&vcek_ext, r, prod, &field);
		snp_chip_id_masked(r);
		policy_check_snp(&policy, r, prod, false, &pv);
		policy_check_snp(&policy, r, SNP_PRODUCT_TURIN, true, &pv);
	}
	free(r);
	/* As `cvmguard verify REPORT --vcek vcek.der --policy P --json` does. */
	fuzz_verify(data, size, &policy, vcek);
	return 0;
}
