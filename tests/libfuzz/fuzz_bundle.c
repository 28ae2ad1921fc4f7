// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness: the evidence bundle (bundle_parse()), which must write back
 * byte for byte (bundle_write()), then the whole verifier on it: the HCL report,
 * the PEM chain, the certificate table, the quote, the policy, the JSON result.
 */
#include "bundle.h"
#include "fuzz.h"

static struct cvmg_policy policy;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_policy(&policy);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bundle *b = malloc(sizeof(*b));
	uint8_t *out;
	size_t len;
	uint32_t t;

	if (!b)
		abort();
	if (!bundle_parse(data, size, b)) {
		for (t = BUNDLE_HCL_REPORT; t <= BUNDLE_CERT_TABLE; t++)
			bundle_get(b, t);
		/* A valid bundle is exactly what bundle_write() makes of its sections. */
		if (bundle_write(b, &out, &len) || len != size || memcmp(out, data, size))
			abort();
		free(out);
	}
	free(b);
	/* As `cvmguard verify BUNDLE --nonce 6368616c6c656e6765 --policy P --json`. */
	fuzz_verify(data, size, &policy, NULL);
	return 0;
}
