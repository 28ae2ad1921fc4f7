// SPDX-License-Identifier: GPL-2.0-only
/*
 * HCL reports from Azure SNP and TDX confidential VMs: layout, REPORT_DATA bound
 * to SHA-256 of the runtime claims, JWK keys and user data; damaged copies fail.
 */
#include <errno.h>
#include <string.h>

#include "hcl_report.h"
#include "snp_report.h"
#include "tdata.h"

static void test_snp_hcl(void **state)
{
	struct snp_report *r = malloc(sizeof(*r));
	struct hcl_report h;
	struct hcl_claims c;
	size_t len;
	uint8_t *buf = tdata_read("azure-snp/hcl-report.bin", &len);

	assert_int_equal(len, 2048);
	assert_int_equal(hcl_report_parse(buf, len, &h), 0);
	assert_int_equal(h.version, 1);
	assert_int_equal(h.request_type, 2);
	assert_int_equal(h.rt_report_type, HCL_REPORT_SNP);
	assert_int_equal(h.size, 32 + 1184 + 20 + 583);
	assert_ptr_equal(h.hw, buf + 32);
	assert_ptr_equal(h.claims, buf + 1236);
	assert_int_equal(h.claims_len, 583);
	assert_int_equal(hcl_report_check_binding(&h), 0);
	assert_int_equal(snp_report_parse(h.hw, h.hw_len, r), 0);
	assert_memory_equal(r->report_data, h.report_data, 64);

	assert_int_equal(hcl_claims_parse(h.claims, h.claims_len, &c), 0);
	assert_non_null(c.ak);
	assert_null(c.ek);
	assert_int_equal(EVP_PKEY_get_bits(c.ak), 2048);
	assert_non_null(c.vm_config);
	assert_false(c.has_user_data);
	hcl_claims_free(&c);
	free(r);
	free(buf);
}

static void test_tdx_hcl(void **state)
{
	static const char *const files[] = { "azure-tdx/hcl-report-1.bin",
					     "azure-tdx/hcl-report-2.bin" };
	int i;

	for (i = 0; i < 2; i++) {
		struct hcl_report h;
		struct hcl_claims c;
		struct tdx_report t;
		size_t len;
		uint8_t *buf = tdata_read(files[i], &len);

		assert_int_equal(len, 2600);
		assert_int_equal(hcl_report_parse(buf, len, &h), 0);
		assert_int_equal(h.version, 2);
		assert_int_equal(h.rt_report_type, HCL_REPORT_TDX);
		assert_int_equal(h.hw_len, 1024);
		assert_ptr_equal(h.report_data, buf + 32 + 0x80);
		assert_int_equal(hcl_report_check_binding(&h), 0);
		assert_int_equal(tdx_report_parse(h.hw, h.hw_len, &t), 0);
		assert_memory_equal(t.report_data, h.report_data, 64);
		assert_int_equal(hcl_claims_parse(h.claims, h.claims_len, &c), 0);
		assert_non_null(c.ak);
		assert_non_null(c.ek);
		assert_true(c.has_user_data);
		if (i == 1)
			assert_int_equal(c.user_data[0], 0xd0);
		hcl_claims_free(&c);
		free(buf);
	}
}

static void test_binding_flips(void **state)
{
	struct hcl_report h;
	size_t len, bit;
	uint8_t *buf = tdata_read("azure-snp/hcl-report.bin", &len);

	/* Every bit of the claims and of REPORT_DATA matters. */
	for (bit = 1236 * 8; bit < (1236 + 583) * 8; bit++) {
		buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		assert_int_equal(hcl_report_parse(buf, len, &h), 0);
		assert_int_equal(hcl_report_check_binding(&h), -EKEYREJECTED);
		buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	for (bit = (32 + 0x50) * 8; bit < (32 + 0x90) * 8; bit++) {
		buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		assert_int_equal(hcl_report_parse(buf, len, &h), 0);
		assert_int_equal(hcl_report_check_binding(&h), -EKEYREJECTED);
		buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	free(buf);
}

static void test_malformed(void **state)
{
	struct hcl_report h;
	struct hcl_claims c;
	size_t len;
	uint8_t *buf = tdata_read("azure-snp/hcl-report.bin", &len);

	assert_int_equal(hcl_report_parse(buf, 1235, &h), -EBADMSG);
	/* Claims would run past the end. */
	assert_int_equal(hcl_report_parse(buf, 1236 + 582, &h), -EBADMSG);
	assert_int_equal(hcl_report_parse(buf, 1236 + 583, &h), 0);
	buf[0] = 'X';
	assert_int_equal(hcl_report_parse(buf, len, &h), -EBADMSG);
	buf[0] = 'H';
	buf[1216 + 8] = 3;	/* report type */
	assert_int_equal(hcl_report_parse(buf, len, &h), -EBADMSG);
	buf[1216 + 8] = 2;
	buf[1216 + 12] = 2;	/* hash type */
	assert_int_equal(hcl_report_parse(buf, len, &h), -EBADMSG);
	buf[1216 + 12] = 1;
	assert_int_equal(hcl_report_parse(buf, len, &h), 0);
	/* Truncated JSON. */
	assert_int_equal(hcl_claims_parse(h.claims, h.claims_len - 1, &c), -EBADMSG);
	hcl_claims_free(&c);
	assert_int_equal(hcl_claims_parse((const uint8_t *)"[1]", 3, &c), -EBADMSG);
	hcl_claims_free(&c);
	assert_int_equal(hcl_claims_parse((const uint8_t *)"{\"user-data\":\"00\"}", 18, &c),
			 -EBADMSG);
	hcl_claims_free(&c);
	free(buf);
}

static void test_jwk(void **state)
{
	const char *ec = "{\"kty\":\"EC\",\"crv\":\"P-256\","
			 "\"x\":\"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4\","
			 "\"y\":\"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM\"}";
	const char *bad = "{\"kty\":\"RSA\",\"n\":\"***\",\"e\":\"AQAB\"}";
	const char *oct = "{\"kty\":\"oct\",\"k\":\"AAAA\"}";
	json_object *j;
	EVP_PKEY *k;

	j = json_tokener_parse(ec);
	assert_int_equal(jwk_to_pkey(j, &k), 0);
	assert_int_equal(EVP_PKEY_get_bits(k), 256);
	EVP_PKEY_free(k);
	json_object_put(j);
	j = json_tokener_parse(bad);
	assert_int_equal(jwk_to_pkey(j, &k), -EBADMSG);
	json_object_put(j);
	j = json_tokener_parse(oct);
	assert_int_equal(jwk_to_pkey(j, &k), -EOPNOTSUPP);
	json_object_put(j);
}

/*
 * A JSON null is a NULL json_object, and json_object_get_string(NULL) is NULL: a
 * null "kid", "kty" or "crv" once reached strcmp() with it and crashed the
 * verifier (found by tests/libfuzz; the inputs are in regressions/claims/).
 */
static void test_null_members(void **state)
{
	static const char *const malformed[] = {
		"{\"keys\":[{\"kid\":\"HCLAkPub\",\"kty\":null}]}",
		"{\"keys\":[{\"kid\":\"HCLAkPub\",\"kty\":1}]}",
		"{\"keys\":[{\"kid\":\"HCLEkPub\",\"kty\":\"EC\",\"crv\":null,"
		"\"x\":\"AA\",\"y\":\"AA\"}]}",
		"{\"keys\":[{\"kid\":\"HCLAkPub\",\"kty\":\"EC\",\"crv\":[\"P-256\"]}]}",
	};
	static const char skipped[] = "{\"keys\":[{\"kid\":null},{\"kid\":7,\"kty\":null}]}";
	struct hcl_claims c;
	json_object *j;
	EVP_PKEY *k;
	size_t i;

	for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		assert_int_equal(hcl_claims_parse((const uint8_t *)malformed[i],
						  strlen(malformed[i]), &c), -EBADMSG);
		hcl_claims_free(&c);
	}
	/* A key whose kid is not a string is not one of ours: skipped, like no kid. */
	assert_int_equal(hcl_claims_parse((const uint8_t *)skipped, strlen(skipped), &c), 0);
	assert_null(c.ak);
	assert_null(c.ek);
	hcl_claims_free(&c);
	j = json_tokener_parse("{\"kty\":null}");
	assert_int_equal(jwk_to_pkey(j, &k), -EBADMSG);
	assert_null(k);
	json_object_put(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snp_hcl),
		cmocka_unit_test(test_tdx_hcl),
		cmocka_unit_test(test_binding_flips),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_jwk),
		cmocka_unit_test(test_null_members),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
