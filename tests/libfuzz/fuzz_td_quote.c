// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness: the TD quote parser (tdx_quote_parse()) and verification
 * (tdx_quote_verify()) to the pinned Intel root, with the real DCAP collateral
 * and without; then the whole verifier on it as a raw TD quote, rendered as JSON.
 */
#include "dcap_collateral.h"
#include "fuzz.h"
#include "tdx_quote.h"
#include "vectors.h"

static struct cvmg_policy policy;
static struct dcap_collateral col;
static X509 *root;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_policy(&policy);
	if (dcap_collateral_parse(vec_collateral, sizeof(vec_collateral), &col) ||
	    tdx_sgx_root(&root))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tdxq_result r;
	struct tdx_quote q;
	time_t at = 1750329207;	/* 2025-06-19T10:33:27Z: inside the collateral's window */

	if (!tdx_quote_parse(data, size, &q)) {
		if ((size_t)(q.pck_pem - data) + q.pck_pem_len > size ||
		    (size_t)(q.qe_auth - data) + q.qe_auth_len > size ||
		    q.signed_len > size)
			abort();
	}
	tdx_quote_verify(data, size, root, &col, at, &r);
	tdx_quote_verify(data, size, root, NULL, FUZZ_NOW, &r);
	fuzz_verify(data, size, &policy, NULL);
	return 0;
}
