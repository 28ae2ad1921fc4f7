// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Azure vTPM quote: its signature verifies with the AK, extraData is
 * "challenge", and pcrDigest is SHA-256 of PCR 0-23; damaged copies fail.
 */
#include <errno.h>
#include <string.h>

#include <openssl/pem.h>

#include "tpm_quote.h"
#include "tdata.h"

struct vec {
	uint8_t *msg, *sig, *pcrs;
	size_t msglen, siglen, pcrlen;
	EVP_PKEY *ak;
};

static int setup(void **state)
{
	struct vec *v = calloc(1, sizeof(*v));
	size_t len;
	uint8_t *pem;
	BIO *bio;

	v->msg = tdata_read("azure-vtpm-quote/quote_msg.bin", &v->msglen);
	v->sig = tdata_read("azure-vtpm-quote/quote_sig.bin", &v->siglen);
	v->pcrs = tdata_read("azure-vtpm-quote/pcrs_sha256.bin", &v->pcrlen);
	pem = tdata_read("azure-vtpm-quote/akpub.pem", &len);
	bio = BIO_new_mem_buf(pem, (int)len);
	v->ak = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	free(pem);
	*state = v;
	return v->ak ? 0 : -1;
}

static int teardown(void **state)
{
	struct vec *v = *state;

	free(v->msg);
	free(v->sig);
	free(v->pcrs);
	EVP_PKEY_free(v->ak);
	free(v);
	return 0;
}

static void test_quote_verifies(void **state)
{
	struct vec *v = *state;
	struct tpm_quote q;

	assert_int_equal(tpm_quote_parse(v->msg, v->msglen, &q), 0);
	assert_int_equal(q.extra_len, 9);
	assert_memory_equal(q.extra, "challenge", 9);
	assert_int_equal(q.nsel, 1);
	assert_int_equal(q.sel[0].hash, TPM_ALG_SHA256);
	assert_int_equal(q.sel[0].size, 3);
	assert_int_equal(q.sel[0].bits[0] & q.sel[0].bits[1] & q.sel[0].bits[2], 0xff);
	assert_int_equal(q.pcr_digest_len, 32);
	assert_int_equal(tpm_quote_verify_sig(v->msg, v->msglen, v->sig, v->siglen, v->ak), 0);
	assert_int_equal(tpm_quote_check_nonce(&q, (const uint8_t *)"challenge", 9), 0);
	assert_int_equal(tpm_quote_check_nonce(&q, (const uint8_t *)"challengf", 9), -EKEYREJECTED);
	assert_int_equal(tpm_quote_check_nonce(&q, (const uint8_t *)"challenge!", 10),
			 -EKEYREJECTED);
	assert_int_equal(v->pcrlen, 24 * 32);
	assert_int_equal(tpm_quote_check_pcrs(&q, v->pcrs, v->pcrlen), 0);
}

static void test_tpmt_signature_form(void **state)
{
	struct vec *v = *state;
	uint8_t *t = malloc(v->siglen + 6);

	t[0] = 0x00, t[1] = 0x14, t[2] = 0x00, t[3] = 0x0b;
	t[4] = (uint8_t)(v->siglen >> 8), t[5] = (uint8_t)v->siglen;
	memcpy(t + 6, v->sig, v->siglen);
	assert_int_equal(tpm_quote_verify_sig(v->msg, v->msglen, t, v->siglen + 6, v->ak), 0);
	t[1] = 0x16;	/* claims RSA-PSS: does not verify as PSS */
	assert_int_equal(tpm_quote_verify_sig(v->msg, v->msglen, t, v->siglen + 6, v->ak),
			 -EKEYREJECTED);
	t[1] = 0x14, t[3] = 0x0c;	/* SHA-384 */
	assert_int_equal(tpm_quote_verify_sig(v->msg, v->msglen, t, v->siglen + 6, v->ak),
			 -EOPNOTSUPP);
	free(t);
}

static void test_flips_rejected(void **state)
{
	struct vec *v = *state;
	size_t bit;

	for (bit = 0; bit < v->msglen * 8; bit++) {
		v->msg[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		assert_int_not_equal(tpm_quote_verify_sig(v->msg, v->msglen, v->sig, v->siglen,
							  v->ak), 0);
		v->msg[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	for (bit = 0; bit < v->siglen * 8; bit += 3) {
		v->sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		assert_int_not_equal(tpm_quote_verify_sig(v->msg, v->msglen, v->sig, v->siglen,
							  v->ak), 0);
		v->sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
}

static void test_pcrs_wrong(void **state)
{
	struct vec *v = *state;
	struct tpm_quote q;
	size_t i;

	assert_int_equal(tpm_quote_parse(v->msg, v->msglen, &q), 0);
	for (i = 0; i < 24; i++) {
		v->pcrs[32 * i + 5] ^= 0x40;
		assert_int_equal(tpm_quote_check_pcrs(&q, v->pcrs, v->pcrlen), -EKEYREJECTED);
		v->pcrs[32 * i + 5] ^= 0x40;
	}
	assert_int_equal(tpm_quote_check_pcrs(&q, v->pcrs, 23 * 32), -EBADMSG);
	assert_int_equal(tpm_quote_check_pcrs(&q, v->pcrs, v->pcrlen - 1), -EBADMSG);
}

static void test_truncated(void **state)
{
	struct vec *v = *state;
	struct tpm_quote q;
	size_t n;

	for (n = 0; n < v->msglen; n++)
		assert_int_equal(tpm_quote_parse(v->msg, n, &q), -EBADMSG);
	v->msg[0] ^= 1;
	assert_int_equal(tpm_quote_parse(v->msg, v->msglen, &q), -EBADMSG);
	v->msg[0] ^= 1;
	v->msg[5] = 0x17;	/* TPM_ST_ATTEST_CERTIFY */
	assert_int_equal(tpm_quote_parse(v->msg, v->msglen, &q), -EBADMSG);
	v->msg[5] = 0x18;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote_verifies),
		cmocka_unit_test(test_tpmt_signature_form),
		cmocka_unit_test(test_flips_rejected),
		cmocka_unit_test(test_pcrs_wrong),
		cmocka_unit_test(test_truncated),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
