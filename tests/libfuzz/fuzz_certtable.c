// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness: the extended-report certificate table (amd_certtable_parse(),
 * amd_certtable_get()) and what consumes its certificates: DER/PEM parsing, the
 * VCEK's AMD extensions, the product, the match with a report, the chain to the
 * pinned Milan ARK.
 */
#include "amd_certs.h"
#include "fuzz.h"
#include "vectors.h"

static struct snp_report report;
static X509 *ark, *ask;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (snp_report_parse(vec_snp_report, sizeof(vec_snp_report), &report) ||
	    amd_pinned_cert(SNP_PRODUCT_MILAN, false, &ark) ||
	    amd_pinned_cert(SNP_PRODUCT_MILAN, true, &ask))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum amd_cert_kind kinds[] = { AMD_CERT_VCEK, AMD_CERT_VLEK, AMD_CERT_ASK,
						    AMD_CERT_ARK };
	struct amd_certtable_entry ents[16];
	struct amd_vcek_ext e;
	const char *field;
	size_t n, i;
	X509 *x;

	if (!amd_certtable_parse(data, size, ents, 16, &n)) {
		for (i = 0; i < n; i++) {
			if (ents[i].offset > size || ents[i].length > size - ents[i].offset)
				abort();
			amd_certtable_kind(ents[i].guid);
		}
	}
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (amd_certtable_get(data, size, kinds[i], &x))
			continue;
		amd_cert_product(x);
		if (!amd_vcek_ext_parse(x, &e))
			amd_vcek_match_report(&e, &report, SNP_PRODUCT_MILAN, &field);
		if (kinds[i] == AMD_CERT_VCEK)
			amd_verify_chain(ark, ask, x, FUZZ_NOW, NULL);
		X509_free(x);
	}
	ERR_clear_error();
	return 0;
}
