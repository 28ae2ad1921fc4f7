// SPDX-License-Identifier: GPL-2.0-only
/*
 * Intel PCS v4 answers (pcs_parse.c), as the host could send them to a guest
 * fetching DCAP collateral: the signed TCB info text kept byte for byte, and each
 * shape an attacker would try to slip past the signature check refused (a key
 * twice so two parsers could pick different ones, a third key, trailing bytes, a
 * short or non-hex signature, braces inside strings); the URL-encoded issuer chain
 * header; CRLs as DER, PEM, hex, and with trailing bytes.
 */
#include <errno.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/pem.h>

#include "pcs_parse.h"
#include "tdata.h"

#define SIG "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" \
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static int sb(const char *body, const char *key, char **raw)
{
	uint8_t sig[64];

	return pcs_signed_body((const uint8_t *)body, strlen(body), key, raw, sig);
}

static void test_signed_body_raw_text(void **state)
{
	/* white space and a brace inside a string: the span is the object as sent */
	static const char body[] = "{ \"tcbInfo\" : {\"id\":\"TDX\", \"x\":\"}{\\\"\",\"a\":[1,{}]} ,"
				   "\"signature\":\"" SIG "\"}\n";
	uint8_t sig[64];
	char *raw = NULL;

	(void)state;
	assert_int_equal(pcs_signed_body((const uint8_t *)body, strlen(body), "tcbInfo", &raw,
					 sig), 0);
	assert_string_equal(raw, "{\"id\":\"TDX\", \"x\":\"}{\\\"\",\"a\":[1,{}]}");
	assert_int_equal(sig[0], 0x01);
	assert_int_equal(sig[63], 0xef);
	free(raw);
	/* the real PCS order: signature first works as well */
	assert_int_equal(sb("{\"signature\":\"" SIG "\",\"enclaveIdentity\":{\"id\":\"TD_QE\"}}",
			    "enclaveIdentity", &raw), 0);
	assert_string_equal(raw, "{\"id\":\"TD_QE\"}");
	free(raw);
}

static void test_signed_body_refused(void **state)
{
	static const char *const bad[] = {
		/* the key twice: json-c keeps the last, a naive scan the first */
		"{\"tcbInfo\":{\"a\":1},\"tcbInfo\":{\"a\":2},\"signature\":\"" SIG "\"}",
		/* a third key */
		"{\"tcbInfo\":{},\"signature\":\"" SIG "\",\"x\":1}",
		/* trailing bytes after the document */
		"{\"tcbInfo\":{},\"signature\":\"" SIG "\"}{}",
		"{\"tcbInfo\":{},\"signature\":\"" SIG "\"} x",
		/* a short, a long, a non-hex signature */
		"{\"tcbInfo\":{},\"signature\":\"0123\"}",
		"{\"tcbInfo\":{},\"signature\":\"" SIG "00\"}",
		"{\"tcbInfo\":{},\"signature\":\"" SIG "\"}",	/* placeholder, fixed below */
		/* the item not an object; the other key's name */
		"{\"tcbInfo\":\"{}\",\"signature\":\"" SIG "\"}",
		"{\"enclaveIdentity\":{},\"signature\":\"" SIG "\"}",
		/* not JSON, empty, an array */
		"{\"tcbInfo\":{,\"signature\":\"" SIG "\"}",
		"",
		"[{\"tcbInfo\":{}}]",
	};
	char nonhex[] = "{\"tcbInfo\":{},\"signature\":\"" SIG "\"}";
	char *raw = NULL;
	size_t i;

	(void)state;
	/* the control: the same shape, well formed, is accepted */
	assert_int_equal(sb("{\"tcbInfo\":{},\"signature\":\"" SIG "\"}", "tcbInfo", &raw), 0);
	free(raw);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (i == 6) {
			nonhex[strlen(nonhex) - 3] = 'g';
			assert_int_equal(sb(nonhex, "tcbInfo", &raw), -EBADMSG);
		} else {
			assert_int_equal(sb(bad[i], "tcbInfo", &raw), -EBADMSG);
		}
		assert_null(raw);
	}
	/* a NUL inside the stated length */
	{
		static const char body[] = "{\"tcbInfo\":{},\"signature\":\"" SIG "\"}\0 ";
		uint8_t sig[64];

		assert_int_equal(pcs_signed_body((const uint8_t *)body, sizeof(body) - 1,
						 "tcbInfo", &raw, sig), -EBADMSG);
	}
}

static void test_url_decode(void **state)
{
	char *s;

	(void)state;
	s = pcs_url_decode("-----BEGIN%20CERTIFICATE-----%0AMIIC+ab/c=%0A");
	assert_non_null(s);
	assert_string_equal(s, "-----BEGIN CERTIFICATE-----\nMIIC+ab/c=\n");	/* '+' kept */
	free(s);
	assert_null(pcs_url_decode("abc%2"));
	assert_null(pcs_url_decode("abc%zz"));
	assert_null(pcs_url_decode("abc%00def"));	/* a NUL would cut the PEM short */
	assert_null(pcs_url_decode("%+1"));
}

static void test_crl_forms(void **state)
{
	size_t clen, i;
	uint8_t *col = tdata_read("tdx-dcap/collateral.json", &clen);
	json_object *jo = json_tokener_parse((const char *)col), *jv;
	const char *h = jo && json_object_object_get_ex(jo, "root_ca_crl", &jv) ?
			json_object_get_string(jv) : NULL;
	char *hex, *again;
	uint8_t *der;
	size_t n;
	X509_CRL *crl = NULL;
	BIO *bio;
	char *pem;
	long pl;

	(void)state;
	assert_non_null(h);
	n = strlen(h);
	hex = strdup(h);
	json_object_put(jo);
	der = malloc(n / 2 + 1);
	for (i = 0; i < n / 2; i++)
		assert_int_equal(sscanf(hex + 2 * i, "%2hhx", &der[i]), 1);
	/* DER */
	assert_int_equal(pcs_crl_parse(der, n / 2, &crl), 0);
	again = pcs_crl_hex(crl);
	assert_string_equal(again, hex);
	free(again);
	/* PEM */
	bio = BIO_new(BIO_s_mem());
	assert_true(PEM_write_bio_X509_CRL(bio, crl) == 1);
	pl = BIO_get_mem_data(bio, &pem);
	X509_CRL_free(crl);
	crl = NULL;
	assert_int_equal(pcs_crl_parse((const uint8_t *)pem, (size_t)pl, &crl), 0);
	X509_CRL_free(crl);
	BIO_free(bio);
	/* hex (a PCCS's rootcacrl), with a trailing newline */
	{
		char *hn = malloc(n + 2);

		memcpy(hn, hex, n);
		memcpy(hn + n, "\n", 2);
		assert_int_equal(pcs_crl_parse((const uint8_t *)hn, n + 1, &crl), 0);
		X509_CRL_free(crl);
		/* a non-hex digit */
		hn[10] = 'x';
		assert_int_equal(pcs_crl_parse((const uint8_t *)hn, n + 1, &crl), -EBADMSG);
		free(hn);
		/* an odd digit count */
		hn = strndup(hex, n - 1);
		assert_int_equal(pcs_crl_parse((const uint8_t *)hn, n - 1, &crl), -EBADMSG);
		free(hn);
	}
	/* DER with a byte after it, DER cut short */
	der = realloc(der, n / 2 + 1);
	der[n / 2] = 0;
	assert_int_equal(pcs_crl_parse(der, n / 2 + 1, &crl), -EBADMSG);
	assert_int_equal(pcs_crl_parse(der, n / 2 - 1, &crl), -EBADMSG);
	assert_null(crl);
	free(der);
	free(hex);
	free(col);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signed_body_raw_text),
		cmocka_unit_test(test_signed_body_refused),
		cmocka_unit_test(test_url_decode),
		cmocka_unit_test(test_crl_forms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
