// SPDX-License-Identifier: GPL-2.0-only
/*
 * The whole verifier (verifier_run) on the real vectors, and the evidence bundle
 * format: every result and check the testdata README promises, positive and
 * negative.
 */
#include <errno.h>
#include <string.h>

#include "amd_certs.h"
#include "bundle.h"
#include "verifier.h"
#include "tdata.h"

/* The result ("pass", "fail", "skip") of the check called @name, or NULL. */
static const char *result_of(json_object *res, const char *name)
{
	json_object *checks, *c, *n, *r;
	size_t i;

	json_object_object_get_ex(res, "checks", &checks);
	for (i = 0; i < json_object_array_length(checks); i++) {
		c = json_object_array_get_idx(checks, i);
		json_object_object_get_ex(c, "name", &n);
		json_object_object_get_ex(c, "result", &r);
		if (!strcmp(json_object_get_string(n), name))
			return json_object_get_string(r);
	}
	return NULL;
}

static X509 *load(const char *name)
{
	X509 *x;
	size_t len;
	uint8_t *buf = tdata_read(name, &len);

	assert_int_equal(amd_cert_parse(buf, len, &x), 0);
	free(buf);
	return x;
}

static void test_detect(void **state)
{
	uint8_t buf[1184] = { 0 };

	assert_int_equal(verifier_detect(buf, 1184), VERIFIER_SNP_REPORT);
	assert_int_equal(verifier_detect(buf, 1183), VERIFIER_UNKNOWN);
	memcpy(buf, "HCLA", 4);
	assert_int_equal(verifier_detect(buf, 2048), VERIFIER_HCL_REPORT);
	memcpy(buf, "CVMGBNDL", 8);
	assert_int_equal(verifier_detect(buf, 16), VERIFIER_BUNDLE);
}

static void test_milan_report(void **state)
{
	X509 *vcek = load("snp-milan/vcek.der");
	struct verifier_input in = { .vcek = vcek, .now = TDATA_NOW };
	json_object *res;
	uint8_t *buf = tdata_read("snp-milan/report.bin", &in.len), nonce[64];

	in.evidence = buf;
	assert_int_equal(verifier_run(&in, &res), 0);
	assert_string_equal(result_of(res, "amd-chain"), "pass");
	assert_string_equal(result_of(res, "vcek-tcb"), "pass");
	assert_string_equal(result_of(res, "report-signature"), "pass");
	assert_string_equal(result_of(res, "report-data"), "skip");
	json_object_put(res);
	/* The right nonce is the report's REPORT_DATA. */
	memcpy(nonce, buf + 0x50, 64);
	in.nonce = nonce;
	in.nonce_len = 64;
	assert_int_equal(verifier_run(&in, &res), 0);
	json_object_put(res);
	nonce[63] ^= 1;
	assert_int_equal(verifier_run(&in, &res), -EKEYREJECTED);
	assert_string_equal(result_of(res, "report-data"), "fail");
	json_object_put(res);
	in.nonce = NULL;
	/* Without any VCEK there is nothing to verify the signature with. */
	in.vcek = NULL;
	assert_int_equal(verifier_run(&in, &res), -EKEYREJECTED);
	json_object_put(res);
	/* Expired VCEK. */
	in.vcek = vcek;
	in.now = 1924992000;
	assert_int_equal(verifier_run(&in, &res), -EKEYREJECTED);
	assert_string_equal(result_of(res, "amd-chain"), "fail");
	json_object_put(res);
	/* Truncated: malformed. */
	in.now = TDATA_NOW;
	in.len = 1183;
	assert_int_equal(verifier_run(&in, &res), -EBADMSG);
	json_object_put(res);
	X509_free(vcek);
	free(buf);
}

static void test_milan_report_bitflips(void **state)
{
	X509 *vcek = load("snp-milan/vcek.der");
	struct verifier_input in = { .vcek = vcek, .now = TDATA_NOW };
	json_object *res;
	size_t bit;
	uint8_t *buf = tdata_read("snp-milan/report.bin", &in.len);

	in.evidence = buf;
	for (bit = 0; bit < 0x2a0 * 8; bit += 1) {
		buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		if (verifier_run(&in, &res) == 0)
			fail_msg("bit %zu flipped verifies", bit);
		json_object_put(res);
		buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	X509_free(vcek);
	free(buf);
}

static void test_chain_choices(void **state)
{
	X509 *milan[3], *genoa_ask, *bad[3];
	struct verifier_input in = { .now = TDATA_NOW };
	json_object *res;
	size_t n;
	uint8_t *buf = tdata_read("snp-milan/report.bin", &in.len);

	in.evidence = buf;
	milan[0] = load("snp-milan/vcek.der");
	milan[1] = load("amd/milan-ask.pem");
	milan[2] = load("amd/milan-ark.pem");
	genoa_ask = load("amd/genoa-ask.pem");
	/* --chain VCEK, ASK, ARK */
	in.chain = milan, in.nchain = 3;
	assert_int_equal(verifier_run(&in, &res), 0);
	json_object_put(res);
	/* --root replaces the pinned roots: the Milan ARK given explicitly. */
	in.roots = &milan[2], in.nroots = 1;
	assert_int_equal(verifier_run(&in, &res), 0);
	json_object_put(res);
	/* --root of another product: the Milan ASK does not chain to it. */
	in.roots = &genoa_ask, in.nroots = 1;
	assert_int_equal(verifier_run(&in, &res), -EKEYREJECTED);
	json_object_put(res);
	in.roots = NULL, in.nroots = 0;
	/* Any order: root first, and ASK first, verify as well. */
	bad[0] = milan[2], bad[1] = milan[1], bad[2] = milan[0];
	in.chain = bad;
	assert_int_equal(verifier_run(&in, &res), 0);
	json_object_put(res);
	bad[0] = milan[1], bad[1] = milan[0], bad[2] = milan[2];
	assert_int_equal(verifier_run(&in, &res), 0);
	json_object_put(res);
	/* Two leaves and no ASK: the second "leaf" is not an ASK. */
	bad[0] = milan[0], bad[1] = milan[0], bad[2] = milan[2];
	in.chain = bad;
	assert_int_equal(verifier_run(&in, &res), 0);	/* the ASK is pinned */
	json_object_put(res);
	/* A Genoa ASK with the Milan ARK. */
	bad[0] = milan[0], bad[1] = genoa_ask, bad[2] = milan[2];
	assert_int_equal(verifier_run(&in, &res), -EKEYREJECTED);
	assert_string_equal(result_of(res, "amd-chain"), "fail");
	json_object_put(res);
	for (n = 0; n < 3; n++)
		X509_free(milan[n]);
	X509_free(genoa_ask);
	free(buf);
}

static void test_azure_snp_unrelated_chain(void **state)
{
	struct verifier_input in = { .now = TDATA_NOW };
	X509 *chain[3];
	json_object *res;
	size_t n, plen;
	uint8_t *pem = tdata_read("azure-snp/unrelated-milan-chain.pem", &plen);
	uint8_t *buf = tdata_read("azure-snp/hcl-report.bin", &in.len);

	assert_int_equal(amd_chain_parse_pem(pem, plen, chain, 3, &n), 0);
	in.evidence = buf;
	in.chain = chain, in.nchain = n;
	/* HCL evidence needs a nonce, or no_nonce said explicitly; an empty one is none. */
	assert_int_equal(verifier_run(&in, &res), -EINVAL);
	assert_string_equal(result_of(res, "nonce"), "fail");
	json_object_put(res);
	in.nonce = (const uint8_t *)"", in.nonce_len = 0;
	assert_int_equal(verifier_run(&in, &res), -EINVAL);
	json_object_put(res);
	in.nonce = NULL;
	in.no_nonce = true;
	assert_int_equal(verifier_run(&in, &res), -EKEYREJECTED);
	assert_string_equal(result_of(res, "amd-chain"), "pass");
	assert_string_equal(result_of(res, "report-signature"), "fail");
	assert_string_equal(result_of(res, "claims-binding"), "pass");
	assert_string_equal(result_of(res, "hcl-ak"), "pass");
	json_object_put(res);
	for (n = 0; n < 3; n++)
		X509_free(chain[n]);
	free(pem);
	free(buf);
}

static void test_tdx_binding(void **state)
{
	static const char *const files[] = { "azure-tdx/hcl-report-1.bin",
					     "azure-tdx/hcl-report-2.bin" };
	int i;

	for (i = 0; i < 2; i++) {
		struct verifier_input in = { .now = TDATA_NOW, .no_nonce = true };
		struct cvmg_policy pol;
		json_object *res, *hw;
		uint8_t *buf = tdata_read(files[i], &in.len);

		in.evidence = buf;
		/* The default policy refuses TDX evidence without a verified TD quote. */
		assert_int_equal(verifier_run(&in, &res), -EACCES);
		json_object_put(res);
		/* Binding holds; a TDREPORT alone is not verifiable offline, which is
		 * said (a skipped check, a note, hardware_verified false), not failed,
		 * under a policy that accepts that (tdx.require_hardware_verified = false). */
		assert_int_equal(policy_parse("tdx.require_hardware_verified = false\n", 38, &pol,
					      NULL), 0);
		in.policy = &pol;
		assert_int_equal(verifier_run(&in, &res), 0);
		assert_string_equal(result_of(res, "claims-binding"), "pass");
		assert_string_equal(result_of(res, "tdx-report-signature"), "skip");
		assert_true(json_object_object_get_ex(res, "hardware_verified", &hw));
		assert_false(json_object_get_boolean(hw));
		assert_true(json_object_object_get_ex(res, "notes", &hw));
		assert_int_equal(json_object_array_length(hw), 1);
		json_object_put(res);
		buf[1236 + 10] ^= 1;
		assert_int_not_equal(verifier_run(&in, &res), 0);
		assert_string_equal(result_of(res, "claims-binding"), "fail");
		json_object_put(res);
		free(buf);
	}
}

static void test_bundle_format(void **state)
{
	struct bundle b = { 0 }, back;
	uint8_t *out;
	size_t len;

	b.n = 2;
	b.s[0].type = BUNDLE_HCL_REPORT, b.s[0].data = (const uint8_t *)"abc", b.s[0].len = 3;
	b.s[1].type = BUNDLE_NONCE, b.s[1].data = (const uint8_t *)"n", b.s[1].len = 1;
	assert_int_equal(bundle_write(&b, &out, &len), 0);
	assert_int_equal(len, 16 + 8 + 3 + 8 + 1);
	assert_int_equal(bundle_parse(out, len, &back), 0);
	assert_int_equal(back.n, 2);
	assert_memory_equal(bundle_get(&back, BUNDLE_HCL_REPORT)->data, "abc", 3);
	assert_null(bundle_get(&back, BUNDLE_QUOTE_MSG));
	assert_int_equal(bundle_parse(out, len - 1, &back), -EBADMSG);
	out[16] = 0x55, out[19] = 0x80;	/* unknown critical section */
	assert_int_equal(bundle_parse(out, len, &back), -EBADMSG);
	out[19] = 0;			/* unknown optional section: skipped */
	assert_int_equal(bundle_parse(out, len, &back), 0);
	out[8] = 2;
	assert_int_equal(bundle_parse(out, len, &back), -EPROTONOSUPPORT);
	free(out);
	b.s[1].type = BUNDLE_HCL_REPORT;
	assert_int_equal(bundle_write(&b, &out, &len), -EINVAL);
}

/* A SHA-256-only crypto-agile log with one event on @pcr (digest: all @fill). */
static size_t one_event_log(uint8_t *b, uint32_t pcr, uint8_t fill)
{
	static const uint8_t spec[] = {
		0, 0, 0, 0, 3, 0, 0, 0, [8 ... 27] = 0, 33, 0, 0, 0,
		'S', 'p', 'e', 'c', ' ', 'I', 'D', ' ', 'E', 'v', 'e', 'n', 't', '0', '3', 0,
		0, 0, 0, 0, 0, 2, 0, 2, 1, 0, 0, 0, 0x0b, 0, 32, 0, 0,
	};
	size_t n = sizeof(spec);

	memcpy(b, spec, n);
	b[n++] = (uint8_t)pcr, b[n++] = 0, b[n++] = 0, b[n++] = 0;
	b[n++] = 0x0d, b[n++] = 0, b[n++] = 0, b[n++] = 0;
	b[n++] = 1, b[n++] = 0, b[n++] = 0, b[n++] = 0;
	b[n++] = 0x0b, b[n++] = 0;
	memset(b + n, fill, 32), n += 32;
	b[n++] = 1, b[n++] = 0, b[n++] = 0, b[n++] = 0, b[n++] = 'x';
	return n;
}

/* The entry for @pcr in the result's "log_replay", or NULL. */
static const char *replay_of(json_object *res, int pcr)
{
	json_object *arr, *e, *v;
	size_t i;

	json_object_object_get_ex(res, "log_replay", &arr);
	for (i = 0; i < json_object_array_length(arr); i++) {
		e = json_object_array_get_idx(arr, i);
		json_object_object_get_ex(e, "pcr", &v);
		if (json_object_get_int(v) != pcr)
			continue;
		json_object_object_get_ex(e, "result", &v);
		return json_object_get_string(v);
	}
	return NULL;
}

static void test_bundle_azure(void **state)
{
	struct verifier_input in = { .now = TDATA_NOW };
	struct bundle b = { 0 };
	json_object *res;
	size_t hlen, clen, mlen, slen, plen;
	uint8_t *hcl = tdata_read("azure-snp/hcl-report.bin", &hlen);
	uint8_t *chain = tdata_read("azure-snp/unrelated-milan-chain.pem", &clen);
	uint8_t *msg = tdata_read("azure-vtpm-quote/quote_msg.bin", &mlen);
	uint8_t *sig = tdata_read("azure-vtpm-quote/quote_sig.bin", &slen);
	uint8_t *pcrs = tdata_read("azure-vtpm-quote/pcrs_sha256.bin", &plen);
	uint8_t *out, fwlog[128], ownlog[128];

	b.n = 5;
	b.s[0] = (struct bundle_section_ref){ BUNDLE_HCL_REPORT, hcl, (uint32_t)hlen };
	b.s[1] = (struct bundle_section_ref){ BUNDLE_CERT_CHAIN, chain, (uint32_t)clen };
	b.s[2] = (struct bundle_section_ref){ BUNDLE_QUOTE_MSG, msg, (uint32_t)mlen };
	b.s[3] = (struct bundle_section_ref){ BUNDLE_QUOTE_SIG, sig, (uint32_t)slen };
	b.s[4] = (struct bundle_section_ref){ BUNDLE_PCRS_SHA256, pcrs, (uint32_t)plen };
	assert_int_equal(bundle_write(&b, &out, &in.len), 0);
	in.evidence = out;
	in.nonce = (const uint8_t *)"challenge";
	in.nonce_len = 9;
	assert_int_equal(verifier_detect(out, in.len), VERIFIER_BUNDLE);
	assert_int_equal(verifier_run(&in, &res), -EKEYREJECTED);
	/* The vectors come from different VMs: the chain and quote are real but unrelated. */
	assert_string_equal(result_of(res, "amd-chain"), "pass");
	assert_string_equal(result_of(res, "report-signature"), "fail");
	assert_string_equal(result_of(res, "claims-binding"), "pass");
	assert_string_equal(result_of(res, "quote-signature"), "fail");
	assert_string_equal(result_of(res, "quote-pcrs"), "pass");
	assert_string_equal(result_of(res, "quote-nonce"), "pass");
	assert_string_equal(result_of(res, "user-data"), "fail");
	assert_string_equal(result_of(res, "nonce-binding"), "fail");
	assert_string_equal(result_of(res, "log-replay"), "skip");
	json_object_put(res);
	free(out);

	/* Logs: the module's on PCR 15 must match (fails: the digest is made up),
	 * and so must the firmware's alone on PCR 9 (no mismatch is excused). */
	b.n = 8;
	b.s[5] = (struct bundle_section_ref){ BUNDLE_EVENT_LOG, fwlog,
					      (uint32_t)one_event_log(fwlog, 9, 0x11) };
	b.s[6] = (struct bundle_section_ref){ BUNDLE_CVMG_LOG, ownlog,
					      (uint32_t)one_event_log(ownlog, 15, 0x22) };
	b.s[7] = (struct bundle_section_ref){ BUNDLE_NONCE, (const uint8_t *)"challenge", 9 };
	assert_int_equal(bundle_write(&b, &out, &in.len), 0);
	in.evidence = out;
	assert_int_equal(verifier_run(&in, &res), -EKEYREJECTED);
	assert_string_equal(result_of(res, "log-replay-pcr15"), "fail");
	assert_string_equal(replay_of(res, 15), "fail");
	assert_string_equal(result_of(res, "log-replay-pcr9"), "fail");
	assert_string_equal(replay_of(res, 9), "fail");
	assert_null(replay_of(res, 7));
	json_object_put(res);
	free(out);
	b.s[5].data = fwlog, b.s[5].len = (uint32_t)one_event_log(fwlog, 7, 0x11);
	assert_int_equal(bundle_write(&b, &out, &in.len), 0);
	in.evidence = out;
	assert_int_equal(verifier_run(&in, &res), -EKEYREJECTED);
	assert_string_equal(result_of(res, "log-replay-pcr7"), "fail");
	json_object_put(res);
	free(out);
	/* A malformed log is malformed evidence. */
	b.s[6].len -= 3;
	assert_int_equal(bundle_write(&b, &out, &in.len), 0);
	in.evidence = out;
	assert_int_equal(verifier_run(&in, &res), -EBADMSG);
	json_object_put(res);
	b.s[6].len += 3;
	free(out);
	assert_int_equal(bundle_write(&b, &out, &in.len), 0);
	in.evidence = out;
	/* A bundle cut short is malformed. */
	in.len -= 10;
	assert_int_equal(verifier_run(&in, &res), -EBADMSG);
	json_object_put(res);
	free(out);
	free(hcl);
	free(chain);
	free(msg);
	free(sig);
	free(pcrs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_milan_report),
		cmocka_unit_test(test_milan_report_bitflips),
		cmocka_unit_test(test_chain_choices),
		cmocka_unit_test(test_azure_snp_unrelated_chain),
		cmocka_unit_test(test_tdx_binding),
		cmocka_unit_test(test_bundle_format),
		cmocka_unit_test(test_bundle_azure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
