// SPDX-License-Identifier: GPL-2.0-only
/*
 * cvmguard doctor's IMDS verdicts (doctor_imds.c) on what a host's IMDS could
 * serve, without the network: the real Milan VCEK chain for the real report is OK
 * to AMD's pinned ARK; another chip's chain, the real chain under an ARK the
 * attacker made, or a --root that is not the chain's are FAIL, never WARN. A TD
 * quote: the real one OK to Intel's pinned root; one re-signed by a test chain
 * WARN (only its own root verifies it) or OK under --intel-root; the same with a
 * flipped signature bit, or its PCK chain's root swapped, FAIL.
 */
#include <string.h>

#include <openssl/pem.h>

#include "amd_certs.h"
#include "doctor.h"
#include "fetch.h"
#include "tdata.h"
#include "tdx_testsign.h"

#define TDX_DCAP_TIME ((time_t)1750329207)	/* 2025-06-19T10:33:27Z */

static X509 *pem_cert(const char *name, int index)
{
	size_t len, n = 0;
	uint8_t *buf = tdata_read(name, &len);
	X509 *certs[4] = { NULL }, *x;
	size_t i;

	assert_int_equal(amd_chain_parse_pem(buf, len, certs, 4, &n), 0);
	assert_true((size_t)index < n);
	x = certs[index];
	for (i = 0; i < n; i++)
		if ((int)i != index)
			X509_free(certs[i]);
	free(buf);
	return x;
}

static void milan_report(struct snp_report *r, uint8_t **buf)
{
	size_t len;

	*buf = tdata_read("snp-milan/report.bin", &len);
	assert_int_equal(snp_report_parse(*buf, len, r), 0);
}

static void real_chain(struct fetch_chain *c)
{
	size_t len;
	uint8_t *der = tdata_read("snp-milan/vcek.der", &len);

	memset(c, 0, sizeof(*c));
	assert_int_equal(amd_cert_parse(der, len, &c->vcek), 0);
	c->ask = pem_cert("amd/milan-ask.pem", 0);
	c->ark = pem_cert("amd/milan-ark.pem", 0);
	free(der);
}

static void verdict(const struct fetch_opts *o, const struct snp_report *r,
		    struct fetch_chain *c, struct doctor_verdict *v)
{
	memset(v, 0, sizeof(*v));
	snprintf(v->url, sizeof(v->url), "http://imds" FETCH_THIM_PATH);
	doctor_snp_chain_verdict(o, r, c, v);
	fetch_chain_free(c);
}

static void test_snp_real_chain_ok(void **state)
{
	struct fetch_opts o = { 0 };
	struct doctor_verdict v;
	struct fetch_chain c;
	struct snp_report r;
	uint8_t *buf;

	milan_report(&r, &buf);
	real_chain(&c);
	verdict(&o, &r, &c, &v);
	assert_int_equal(v.level, DOCTOR_OK);
	assert_non_null(strstr(v.detail, "AMD's ARK (pinned)"));
	assert_non_null(strstr(v.detail, "http://imds" FETCH_THIM_PATH));

	/* --root naming AMD's ARK itself: OK, and the line says which root */
	o.root = pem_cert("amd/milan-ark.pem", 0);
	real_chain(&c);
	verdict(&o, &r, &c, &v);
	assert_int_equal(v.level, DOCTOR_OK);
	assert_non_null(strstr(v.detail, "--root"));
	X509_free(o.root);
	free(buf);
}

static void test_snp_other_chip_fails(void **state)
{
	struct fetch_opts o = { 0 };
	struct doctor_verdict v;
	struct fetch_chain c = { 0 };
	struct snp_report r;
	uint8_t *buf;

	/* wrongcert: another chip's VCEK with its genuine AMD chain */
	milan_report(&r, &buf);
	c.vcek = pem_cert("azure-snp/unrelated-milan-chain.pem", 0);
	c.ask = pem_cert("azure-snp/unrelated-milan-chain.pem", 1);
	c.ark = pem_cert("azure-snp/unrelated-milan-chain.pem", 2);
	verdict(&o, &r, &c, &v);
	assert_int_equal(v.level, DOCTOR_FAIL);
	assert_non_null(strstr(v.detail, "does not fit the fresh report"));
	assert_non_null(v.next);
	free(buf);
}

/* The real VCEK and ASK under an ARK the attacker made: FAIL, not the test-chain WARN. */
static void test_snp_swapped_ark_fails(void **state)
{
	struct fetch_opts o = { 0 };
	struct doctor_verdict v;
	struct fetch_chain c;
	struct snp_report r;
	struct ts_chain t;
	uint8_t *buf;

	milan_report(&r, &buf);
	ts_chain_new(&t);
	real_chain(&c);
	X509_free(c.ark);
	c.ark = X509_dup(t.root);	/* self-signed, but did not sign the ASK */
	verdict(&o, &r, &c, &v);
	assert_int_equal(v.level, DOCTOR_FAIL);

	/* --root that is not the chain's: FAIL, and no fallback to the chain's own */
	o.root = X509_dup(t.root);
	real_chain(&c);
	verdict(&o, &r, &c, &v);
	assert_int_equal(v.level, DOCTOR_FAIL);
	assert_non_null(strstr(v.detail, "--root"));
	X509_free(o.root);
	ts_chain_free(&t);
	free(buf);
}

static enum doctor_level td_verdict(const struct fetch_opts *o, const uint8_t *q, size_t len,
				    time_t now, struct doctor_verdict *v)
{
	memset(v, 0, sizeof(*v));
	snprintf(v->url, sizeof(v->url), "http://imds" FETCH_TDQUOTE_PATH);
	doctor_td_quote_verdict(o, q, len, now, v);
	return v->level;
}

static void test_td_real_quote_ok(void **state)
{
	struct fetch_opts o = { 0 };
	struct doctor_verdict v;
	size_t len;
	uint8_t *q = tdata_read("tdx-dcap/quote.bin", &len);

	assert_int_equal(td_verdict(&o, q, len, TDX_DCAP_TIME, &v), DOCTOR_OK);
	assert_non_null(strstr(v.detail, "Intel's SGX root (pinned)"));
	/* one bit of the quote's signature flipped */
	q[636 + 5] ^= 1;
	assert_int_equal(td_verdict(&o, q, len, TDX_DCAP_TIME, &v), DOCTOR_FAIL);
	assert_non_null(strstr(v.detail, "does not verify"));
	free(q);
}

static void test_td_test_chain(void **state)
{
	struct fetch_opts o = { 0 };
	struct doctor_verdict v;
	struct ts_chain t, other;
	uint8_t hb[632], qe[384], *q;
	size_t len;

	ts_chain_new(&t);
	ts_real_parts(hb, qe);
	q = ts_quote(&t, hb, qe, &len);
	/* only the root its own chain carries verifies it: WARN, with a hint */
	assert_int_equal(td_verdict(&o, q, len, TDX_DCAP_TIME, &v), DOCTOR_WARN);
	assert_non_null(strstr(v.detail, "not Intel's"));
	assert_non_null(v.next);
	/* that root given with --intel-root: OK */
	o.intel_root = t.root;
	assert_int_equal(td_verdict(&o, q, len, TDX_DCAP_TIME, &v), DOCTOR_OK);
	assert_non_null(strstr(v.detail, "--intel-root"));
	/* another --intel-root: FAIL, no fallback to the quote's own root */
	ts_chain_new(&other);
	o.intel_root = other.root;
	assert_int_equal(td_verdict(&o, q, len, TDX_DCAP_TIME, &v), DOCTOR_FAIL);
	o.intel_root = NULL;
	/* test-signed, then the AK's signature broken: FAIL even to its own root */
	q[636 + 5] ^= 1;
	assert_int_equal(td_verdict(&o, q, len, TDX_DCAP_TIME, &v), DOCTOR_FAIL);
	free(q);
	ts_chain_free(&other);
	ts_chain_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snp_real_chain_ok),
		cmocka_unit_test(test_snp_other_chip_fails),
		cmocka_unit_test(test_snp_swapped_ark_fails),
		cmocka_unit_test(test_td_real_quote_ok),
		cmocka_unit_test(test_td_test_chain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
