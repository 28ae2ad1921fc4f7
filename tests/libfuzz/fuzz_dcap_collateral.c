// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness: the DCAP collateral parser (dcap_collateral_parse()), then
 * the real tdx-dcap quote verified with what it parsed, inside and outside the
 * collateral's validity window.
 */
#include "dcap_collateral.h"
#include "fuzz.h"
#include "tdx_quote.h"
#include "vectors.h"

static X509 *root;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (tdx_sgx_root(&root))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dcap_collateral c;
	struct tdxq_result r;

	if (!dcap_collateral_parse(data, size, &c)) {
		tdx_quote_verify(vec_td_quote, sizeof(vec_td_quote), root, &c, 1750329207, &r);
		tdx_quote_verify(vec_td_quote, sizeof(vec_td_quote), root, &c, FUZZ_NOW, &r);
	}
	dcap_collateral_free(&c);
	return 0;
}
