// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness: the runtime claims JSON of an HCL report (hcl_claims_parse(),
 * json-c underneath) with its JWK keys (jwk_to_pkey()) and user data, then what
 * consumes the parsed claims: the policy's vm-configuration check and rendering.
 */
#include "fuzz.h"
#include "hcl_report.h"

static struct cvmg_policy policy;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_policy(&policy);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy_violations pv = { 0 };
	struct hcl_claims c;

	if (!hcl_claims_parse(data, size, &c)) {
		if (!c.root || !json_object_to_json_string(c.root))
			abort();
		if (c.ak)
			EVP_PKEY_get_bits(c.ak);
		if (c.ek)
			EVP_PKEY_get_bits(c.ek);
		policy_check_vmcfg(&policy, c.vm_config, &pv);
	}
	hcl_claims_free(&c);
	ERR_clear_error();
	return 0;
}
