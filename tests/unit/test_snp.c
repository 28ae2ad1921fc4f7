// SPDX-License-Identifier: GPL-2.0-only
/*
 * SNP report parsing and signature: the Milan report from real hardware verifies
 * with its VCEK, and every single-bit flip of its signed region or its signature
 * is rejected.
 */
#include <errno.h>
#include <string.h>

#include "amd_certs.h"
#include "snp_report.h"
#include "tdata.h"

static uint8_t *milan_report(size_t *len)
{
	uint8_t *buf = tdata_read("snp-milan/report.bin", len);

	assert_int_equal(*len, SNP_REPORT_SIZE);
	return buf;
}

static EVP_PKEY *milan_vcek_key(X509 **cert)
{
	size_t len;
	uint8_t *der = tdata_read("snp-milan/vcek.der", &len);

	assert_int_equal(amd_cert_parse(der, len, cert), 0);
	free(der);
	return X509_get0_pubkey(*cert);
}

static void test_parse_milan(void **state)
{
	struct snp_report *r = malloc(sizeof(*r));
	struct snp_tcb t;
	size_t len;
	uint8_t *buf = milan_report(&len);

	assert_int_equal(snp_report_parse(buf, len, r), 0);
	assert_int_equal(r->version, 2);
	assert_int_equal(r->policy, 0x30000);
	assert_int_equal(r->vmpl, 0);
	assert_int_equal(r->sig_algo, 1);
	assert_int_equal(SNP_FLAG_SIGNING_KEY(r->flags), SNP_SIGNING_KEY_VCEK);
	assert_int_equal(r->reported_tcb, 0x7308000000000003ULL);
	assert_memory_equal(r->report_data, buf + 0x50, 64);
	assert_memory_equal(r->measurement, buf + 0x90, 48);
	assert_memory_equal(r->chip_id, buf + 0x1a0, 64);
	/* Version 2 has no CPUID: the product comes from the VCEK. */
	assert_int_equal(snp_report_product(r), SNP_PRODUCT_UNKNOWN);
	snp_tcb_decode(r->reported_tcb, SNP_PRODUCT_MILAN, &t);
	assert_int_equal(t.bootloader, 3);
	assert_int_equal(t.tee, 0);
	assert_int_equal(t.snp, 8);
	assert_int_equal(t.microcode, 0x73);
	assert_false(snp_chip_id_masked(r));
	free(r);
	free(buf);
}

static void test_tcb_layouts(void **state)
{
	struct snp_tcb t;

	/* Turin: fmc, bootloader, tee, snp in bytes 0..3, microcode in byte 7. */
	snp_tcb_decode(0x4800000004030201ULL, SNP_PRODUCT_TURIN, &t);
	assert_int_equal(t.fmc, 1);
	assert_int_equal(t.bootloader, 2);
	assert_int_equal(t.tee, 3);
	assert_int_equal(t.snp, 4);
	assert_int_equal(t.microcode, 0x48);
	snp_tcb_decode(0x4816000000000201ULL, SNP_PRODUCT_GENOA, &t);
	assert_int_equal(t.fmc, 0);
	assert_int_equal(t.bootloader, 1);
	assert_int_equal(t.tee, 2);
	assert_int_equal(t.snp, 0x16);
	assert_int_equal(t.microcode, 0x48);
}

static void test_product_by_cpuid(void **state)
{
	struct snp_report *r = calloc(1, sizeof(*r));

	r->cpuid_fam_id = 0x19;
	r->cpuid_mod_id = 0x01;
	assert_int_equal(snp_report_product(r), SNP_PRODUCT_MILAN);
	r->cpuid_mod_id = 0x11;
	assert_int_equal(snp_report_product(r), SNP_PRODUCT_GENOA);
	r->cpuid_fam_id = 0x1a;
	r->cpuid_mod_id = 0x02;
	assert_int_equal(snp_report_product(r), SNP_PRODUCT_TURIN);
	assert_string_equal(snp_product_name(SNP_PRODUCT_TURIN), "Turin");
	assert_int_equal(snp_product_from_name("Milan-B0"), SNP_PRODUCT_MILAN);
	free(r);
}

static void test_sig_milan(void **state)
{
	struct snp_report *r = malloc(sizeof(*r));
	X509 *vcek;
	EVP_PKEY *key = milan_vcek_key(&vcek);
	size_t len;
	uint8_t *buf = milan_report(&len);

	assert_int_equal(snp_report_parse(buf, len, r), 0);
	assert_int_equal(snp_report_verify_sig(r, key), 0);
	X509_free(vcek);
	free(r);
	free(buf);
}

/* Parse and verify; any failure is a rejection. */
static int check(const uint8_t *buf, size_t len, EVP_PKEY *key, struct snp_report *r)
{
	int ret = snp_report_parse(buf, len, r);

	return ret ? ret : snp_report_verify_sig(r, key);
}

static void test_bitflips_signed_region(void **state)
{
	struct snp_report *r = malloc(sizeof(*r));
	X509 *vcek;
	EVP_PKEY *key = milan_vcek_key(&vcek);
	size_t len, bit, rejected = 0;
	uint8_t *buf = milan_report(&len);

	for (bit = 0; bit < SNP_REPORT_SIGNED_LEN * 8; bit++) {
		buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		if (check(buf, len, key, r))
			rejected++;
		else
			fail_msg("flip of bit %zu (byte 0x%zx) accepted", bit, bit / 8);
		buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	assert_int_equal(rejected, 672 * 8);
	assert_int_equal(check(buf, len, key, r), 0);
	X509_free(vcek);
	free(r);
	free(buf);
}

static void test_bitflips_signature(void **state)
{
	struct snp_report *r = malloc(sizeof(*r));
	X509 *vcek;
	EVP_PKEY *key = milan_vcek_key(&vcek);
	size_t len, bit;
	uint8_t *buf = milan_report(&len);

	for (bit = SNP_REPORT_SIG_OFF * 8; bit < (SNP_REPORT_SIG_OFF + 144) * 8; bit++) {
		buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		if (!check(buf, len, key, r))
			fail_msg("flip of signature bit %zu accepted", bit);
		buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	X509_free(vcek);
	free(r);
	free(buf);
}

static void test_truncated_and_bad(void **state)
{
	struct snp_report *r = malloc(sizeof(*r));
	uint8_t *big;
	size_t len;
	uint8_t *buf = milan_report(&len);

	assert_int_equal(snp_report_parse(buf, len - 1, r), -EBADMSG);
	assert_int_equal(snp_report_parse(buf, 0x2a0, r), -EBADMSG);
	assert_int_equal(snp_report_parse(buf, 0, r), -EBADMSG);
	big = calloc(1, len + 1);
	memcpy(big, buf, len);
	assert_int_equal(snp_report_parse(big, len + 1, r), -EBADMSG);
	free(big);
	buf[0] = 1;	/* version 1 */
	assert_int_equal(snp_report_parse(buf, len, r), -EBADMSG);
	buf[0] = 6;	/* version 6 */
	assert_int_equal(snp_report_parse(buf, len, r), -EBADMSG);
	buf[0] = 2;
	buf[0x34] = 2;	/* unknown signature algorithm */
	assert_int_equal(snp_report_parse(buf, len, r), -EBADMSG);
	free(r);
	free(buf);
}

static void test_wrong_key_type(void **state)
{
	struct snp_report *r = malloc(sizeof(*r));
	X509 *ark;
	size_t len;
	uint8_t *buf = milan_report(&len);

	assert_int_equal(snp_report_parse(buf, len, r), 0);
	assert_int_equal(amd_pinned_cert(SNP_PRODUCT_MILAN, false, &ark), 0);
	assert_int_equal(snp_report_verify_sig(r, X509_get0_pubkey(ark)), -EINVAL);
	X509_free(ark);
	free(r);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_milan),
		cmocka_unit_test(test_tcb_layouts),
		cmocka_unit_test(test_product_by_cpuid),
		cmocka_unit_test(test_sig_milan),
		cmocka_unit_test(test_bitflips_signed_region),
		cmocka_unit_test(test_bitflips_signature),
		cmocka_unit_test(test_truncated_and_bad),
		cmocka_unit_test(test_wrong_key_type),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
