// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness: the output path. The input is the runtime claims JSON of
 * the real Azure TDX HCL report, re-bound (REPORTDATA = SHA-256 of it) so that
 * the verifier parses it and copies every claim into its result; what
 * `cvmguard verify` prints from that is checked by fuzz_check_output(): valid
 * UTF-8 JSON without raw control characters, text that no claim can add a line
 * to.
 */
#include <openssl/evp.h>

#include "fuzz.h"
#include "hcl_report.h"
#include "vectors.h"

static struct cvmg_policy policy;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (policy_parse("tdx.require_hardware_verified = false\n", 38, &policy, NULL))
		abort();
	return 0;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct verifier_input in = { .no_nonce = true, .now = FUZZ_NOW, .policy = &policy };
	json_object *res = NULL;
	uint8_t *buf;

	if (size > 1 << 16)
		return 0;
	buf = calloc(1, HCL_CLAIMS_OFF + size);
	if (!buf)
		abort();
	memcpy(buf, vec_tdx_hcl, HCL_CLAIMS_OFF);
	memcpy(buf + HCL_CLAIMS_OFF, data, size);
	put32(buf + HCL_RT_OFF, (uint32_t)(HCL_RT_HDR_SIZE + size));
	put32(buf + HCL_RT_OFF + 16, (uint32_t)size);
	/* REPORTDATA (TDREPORT offset 0x80) = SHA-256(claims) || 0^32 */
	EVP_Digest(data, size, buf + HCL_HW_OFF + 0x80, NULL, EVP_sha256(), NULL);
	memset(buf + HCL_HW_OFF + 0x80 + 32, 0, 32);
	in.evidence = buf;
	in.len = HCL_CLAIMS_OFF + size;
	verifier_run(&in, &res);
	if (!res)
		abort();
	fuzz_check_output(res);
	json_object_put(res);
	free(buf);
	ERR_clear_error();
	return 0;
}
