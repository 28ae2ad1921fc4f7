// SPDX-License-Identifier: GPL-2.0-only
/*
 * TDX quotes and DCAP collateral, on real data: the tdx-dcap quote verifies to the
 * pinned Intel root with TCB UpToDate at 2025-06-19T10:33:27Z and is refused as
 * stale today; the Azure v4 and v5 quotes verify to the root with TCB "unknown";
 * 300 single-bit flips over the signed quote, its signature, the AK, the QE report
 * and its signature, the QE auth data and the PCK certificates are each rejected by
 * the check covering that region, the unmodified quote verifying in the same run;
 * and the collateral an attacker can hand over (edited, re-signed by his own root,
 * replayed outside its window, swapped items) is refused.
 */
#include <errno.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "dcap_collateral.h"
#include "tdx_quote.h"
#include "tdata.h"
#include "tdx_testsign.h"

#define DCAP_TIME	"2025-06-19T10:33:27Z"

/* The collateral document as a JSON object. */
static json_object *collateral_json(void)
{
	size_t len;
	uint8_t *j = tdata_read("tdx-dcap/collateral.json", &len);
	char *s = strndup((const char *)j, len);
	json_object *o = json_tokener_parse(s);

	assert_non_null(o);
	free(s);
	free(j);
	return o;
}

static time_t at(const char *s)
{
	time_t t;

	assert_int_equal(cvmg_parse_rfc3339(s, &t), 0);
	return t;
}

static X509 *root(void)
{
	X509 *r;

	assert_int_equal(tdx_sgx_root(&r), 0);
	return r;
}

static void load_collateral(struct dcap_collateral *c)
{
	size_t len;
	uint8_t *j = tdata_read("tdx-dcap/collateral.json", &len);

	assert_int_equal(dcap_collateral_parse(j, len, c), 0);
	free(j);
}

/* The collateral JSON with @key's string value replaced by @value. */
static int collateral_with(const char *key, const char *value, struct dcap_collateral *c)
{
	json_object *o = collateral_json();
	const char *s;
	int ret;

	json_object_object_add(o, key, json_object_new_string(value));
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	ret = dcap_collateral_parse((const uint8_t *)s, strlen(s), c);
	json_object_put(o);
	return ret;
}

static const char *collateral_field(const char *key, char *out, size_t n)
{
	json_object *o = collateral_json(), *v;

	assert_true(json_object_object_get_ex(o, key, &v));
	snprintf(out, n, "%s", json_object_get_string(v));
	json_object_put(o);
	return out;
}

static void test_pinned_root_is_the_file(void **state)
{
	size_t len;
	uint8_t *pem = tdata_read("intel/sgx-root-ca.pem", &len);
	X509 *file[2], *pinned = root();
	size_t n;

	assert_int_equal(tdx_pem_chain_parse(pem, len, false, file, 2, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(X509_cmp(file[0], pinned), 0);
	X509_free(file[0]);
	X509_free(pinned);
	free(pem);
}

static void test_parse_v4_v5(void **state)
{
	static const char *const files[] = {
		"tdx-quote/quote-v4.bin", "tdx-quote/quote-v5.bin", "tdx-dcap/quote.bin",
	};
	static const int version[] = { 4, 5, 4 }, body[] = { 2, 3, 2 };
	struct tdx_quote q;
	size_t i, len;
	uint8_t *buf;

	for (i = 0; i < 3; i++) {
		buf = tdata_read(files[i], &len);
		assert_int_equal(tdx_quote_is_quote(buf, len), 1);
		assert_int_equal(tdx_quote_parse(buf, len, &q), 0);
		assert_int_equal(q.version, version[i]);
		assert_int_equal(q.body_type, body[i]);
		assert_int_equal(q.signed_len, version[i] == 4 ? 48 + 584 : 48 + 6 + 648);
		assert_memory_equal(q.body.mrtd, q.signed_data + q.signed_len -
				    (body[i] == 3 ? 648 : 584) + 136, 48);
		assert_int_equal(q.qe.isvprodid, 2);
		assert_true(q.pck_pem_len > 1000);
		/* the TD is not a debug TD */
		assert_int_equal(q.body.td_attributes & 1, 0);
		/* cut inside its signature data: malformed */
		assert_int_equal(tdx_quote_parse(buf, q.signed_len + 100, &q), -EBADMSG);
		free(buf);
	}
}

static void test_dcap_up_to_date(void **state)
{
	struct dcap_collateral c;
	struct tdxq_result r;
	size_t len;
	uint8_t *q = tdata_read("tdx-dcap/quote.bin", &len);
	X509 *rt = root();

	load_collateral(&c);
	assert_int_equal(tdx_quote_verify(q, len, rt, &c, at(DCAP_TIME), &r), TDXQ_OK);
	assert_true(r.tcb_known);
	assert_string_equal(r.tcb_status, "UpToDate");
	assert_string_equal(r.advisories, "");
	assert_memory_equal(r.pck.fmspc, "\xb0\xc0\x6f\x00\x00\x00", 6);
	dcap_collateral_free(&c);
	X509_free(rt);
	free(q);
}

static void test_dcap_stale(void **state)
{
	static const char *const times[] = {
		"2025-06-19T10:32:26Z",	/* before the QE identity was issued */
		"2025-07-19T10:16:04Z",	/* a second after the TCB info's nextUpdate */
		NULL,			/* now */
	};
	struct dcap_collateral c;
	struct tdxq_result r;
	size_t len, i;
	uint8_t *q = tdata_read("tdx-dcap/quote.bin", &len);
	X509 *rt = root();

	load_collateral(&c);
	for (i = 0; i < 3; i++) {
		time_t t = times[i] ? at(times[i]) : time(NULL);

		assert_int_equal(tdx_quote_verify(q, len, rt, &c, t, &r), TDXQ_STALE);
		assert_false(r.tcb_known);
		assert_string_equal(r.tcb_status, "unknown");
	}
	/*
	 * and still up to date just inside its window, which ends at the PCK CRL's
	 * nextUpdate (10:00:35, refused from that second on, as OpenSSL does)
	 */
	assert_int_equal(tdx_quote_verify(q, len, rt, &c, at("2025-07-19T10:00:34Z"), &r),
			 TDXQ_OK);
	assert_int_equal(tdx_quote_verify(q, len, rt, &c, at("2025-07-19T10:00:35Z"), &r),
			 TDXQ_STALE);
	assert_non_null(strstr(r.detail, "CRL"));
	assert_int_equal(tdx_quote_verify(q, len, rt, &c, at("2025-06-19T10:32:27Z"), &r),
			 TDXQ_OK);
	assert_string_equal(r.tcb_status, "UpToDate");
	/* stale collateral does not hide a forgery: a flipped body bit is a failure */
	q[200] ^= 1;
	assert_int_equal(tdx_quote_verify(q, len, rt, &c, time(NULL), &r), TDXQ_QUOTE_SIG);
	q[1000] ^= 0x10;
	assert_int_equal(tdx_quote_verify(q, len, rt, &c, time(NULL), &r), TDXQ_QE_REPORT_SIG);
	dcap_collateral_free(&c);
	X509_free(rt);
	free(q);
}

static void test_no_collateral_unknown(void **state)
{
	static const char *const files[] = {
		"tdx-quote/quote-v4.bin", "tdx-quote/quote-v5.bin", "tdx-dcap/quote.bin",
	};
	struct tdxq_result r;
	size_t i, len;
	X509 *rt = root();
	uint8_t *buf;

	for (i = 0; i < 3; i++) {
		buf = tdata_read(files[i], &len);
		assert_int_equal(tdx_quote_verify(buf, len, rt, NULL, time(NULL), &r), TDXQ_OK);
		assert_false(r.tcb_known);
		assert_string_equal(r.tcb_status, "unknown");
		free(buf);
	}
	X509_free(rt);
}

/* Which check must catch a flipped bit at @off of a parsed quote. */
static enum tdxq_check region_check(const struct tdx_quote *q, const uint8_t *base, size_t off)
{
	size_t sig = (size_t)(q->sig - base), qe = (size_t)(q->qe_report - base);
	size_t auth = (size_t)(q->qe_auth - base), pem = (size_t)(q->pck_pem - base);

	if (off < 8)				/* version, key type, TEE type */
		return TDXQ_PARSE;
	if (q->version == 5 && off >= 48 && off < 54)	/* body type and size */
		return TDXQ_PARSE;
	if (off < q->signed_len)
		return TDXQ_QUOTE_SIG;
	if (off < sig)				/* signature data length */
		return TDXQ_PARSE;
	if (off < sig + 64)
		return TDXQ_QUOTE_SIG;
	if (off < sig + 128)
		return TDXQ_AK_BINDING;
	if (off < qe)				/* certification data type, size */
		return TDXQ_PARSE;
	if (off < qe + TDX_QE_REPORT_SIZE + 64)	/* QE report and its signature */
		return TDXQ_QE_REPORT_SIG;
	if (off < auth)				/* auth data size */
		return TDXQ_PARSE;
	if (off < auth + q->qe_auth_len)
		return TDXQ_AK_BINDING;
	if (off < pem)				/* PCK cert data type, size */
		return TDXQ_PARSE;
	return TDXQ_PCK_CHAIN;			/* the certificates and their padding */
}

static uint32_t rng_state = 0x5eed7d;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/*
 * Flip @nflips bits of @file: per region, the given share of flips at positions a
 * seeded generator picks (the same every run), then check each is rejected by the
 * region's check and that the unmodified quote still verifies afterwards.
 */
static void flips(const char *file, const struct dcap_collateral *c, time_t now,
		  const char *want_status)
{
	struct { const char *name; size_t from, to, n; } reg[8];
	size_t counts[TDXQ_TCB + 1] = { 0 };
	struct tdx_quote q;
	struct tdxq_result r;
	size_t len, nreg = 0, i, k, total = 0;
	uint8_t *buf = tdata_read(file, &len), *orig = malloc(len);
	X509 *rt = root();
	const uint8_t *b;

	assert_non_null(orig);
	memcpy(orig, buf, len);
	assert_int_equal(tdx_quote_parse(buf, len, &q), 0);
	b = buf;
#define REGION(nm, f, t, cnt) reg[nreg++] = (typeof(reg[0])){ nm, (size_t)(f), (size_t)(t), cnt }
	REGION("header and TD report body", 0, q.signed_len, 90);
	REGION("quote signature", q.sig - b, q.sig - b + 64, 25);
	REGION("attestation key", q.ak - b, q.ak - b + 64, 30);
	REGION("QE report", q.qe_report - b, q.qe_report - b + TDX_QE_REPORT_SIZE, 50);
	REGION("QE report signature", q.qe_sig - b, q.qe_sig - b + 64, 20);
	REGION("QE auth data", q.qe_auth - b, q.qe_auth - b + q.qe_auth_len, 15);
	REGION("PCK certificates", q.pck_pem - b, q.pck_pem - b + q.pck_pem_len, 65);
	REGION("lengths and types", q.signed_len, q.signed_len + 4, 5);

	/* the unmodified quote verifies, in the same run */
	assert_int_equal(tdx_quote_verify(buf, len, rt, c, now, &r), TDXQ_OK);
	assert_string_equal(r.tcb_status, want_status);
	for (i = 0; i < nreg; i++) {
		for (k = 0; k < reg[i].n; k++) {
			size_t bit = reg[i].from * 8 + rng() % ((reg[i].to - reg[i].from) * 8);
			enum tdxq_check want = region_check(&q, b, bit / 8), got;

			buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			got = tdx_quote_verify(buf, len, rt, c, now, &r);
			buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			if (got != want)
				fail_msg("%s: flip of bit %zu (byte 0x%zx, %s) gave %s (%s), "
					 "want %s", file, bit, bit / 8, reg[i].name,
					 tdxq_check_name(got), r.detail, tdxq_check_name(want));
			counts[got]++;
			total++;
		}
	}
	print_message("%s: %zu flips: parse %zu, pck_chain %zu, qe_report_signature %zu, "
		      "ak_binding %zu, quote_signature %zu\n", file, total, counts[TDXQ_PARSE],
		      counts[TDXQ_PCK_CHAIN], counts[TDXQ_QE_REPORT_SIG],
		      counts[TDXQ_AK_BINDING], counts[TDXQ_QUOTE_SIG]);
	assert_int_equal(total, 300);
	assert_int_equal(counts[TDXQ_OK], 0);
	/* nothing changed: the same bytes, and they still verify */
	assert_memory_equal(buf, orig, len);
	assert_int_equal(tdx_quote_verify(buf, len, rt, c, now, &r), TDXQ_OK);
	assert_string_equal(r.tcb_status, want_status);
	X509_free(rt);
	free(orig);
	free(buf);
}

static void test_bitflips_dcap(void **state)
{
	struct dcap_collateral c;

	load_collateral(&c);
	flips("tdx-dcap/quote.bin", &c, at(DCAP_TIME), "UpToDate");
	dcap_collateral_free(&c);
}

static void test_bitflips_azure_v5(void **state)
{
	flips("tdx-quote/quote-v5.bin", NULL, time(NULL), "unknown");
}

/* Trailing padding and PEM whitespace that would not change a certificate. */
static void test_padding_and_pem_refused(void **state)
{
	struct tdx_quote q;
	struct tdxq_result r;
	size_t len, off;
	uint8_t *buf = tdata_read("tdx-quote/quote-v4.bin", &len);
	X509 *rt = root();
	uint8_t *nl;

	assert_int_equal(tdx_quote_parse(buf, len, &q), 0);
	/* a byte in the zero padding after the signature data */
	buf[len - 1] = 1;
	assert_int_equal(tdx_quote_verify(buf, len, rt, NULL, time(NULL), &r), TDXQ_PARSE);
	buf[len - 1] = 0;
	/* a newline of the PEM turned into a carriage return: same DER, not canonical */
	nl = memchr(q.pck_pem + 40, '\n', q.pck_pem_len - 40);
	assert_non_null(nl);
	off = (size_t)(nl - buf);
	buf[off] = '\r';
	assert_int_equal(tdx_quote_verify(buf, len, rt, NULL, time(NULL), &r), TDXQ_PCK_CHAIN);
	buf[off] = '\n';
	assert_int_equal(tdx_quote_verify(buf, len, rt, NULL, time(NULL), &r), TDXQ_OK);
	X509_free(rt);
	free(buf);
}

/* A self-made root with the Intel root's name, as an attacker would make one. */
static X509 *attacker_root(EVP_PKEY **key)
{
	X509 *real = root(), *x = X509_new();

	*key = EVP_EC_gen("P-256");
	assert_non_null(*key);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_set_issuer_name(x, X509_get_subject_name(real));
	X509_set_subject_name(x, X509_get_subject_name(real));
	X509_gmtime_adj(X509_getm_notBefore(x), -86400L * 3650);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 3650);
	X509_set_pubkey(x, *key);
	assert_true(X509_sign(x, *key, EVP_sha256()) > 0);
	X509_free(real);
	return x;
}

/* The Intel root replaced in the quote's PCK chain by a look-alike: refused. */
static void test_lookalike_root_in_chain(void **state)
{
	struct tdx_quote q;
	struct tdxq_result r;
	EVP_PKEY *key;
	X509 *fake = attacker_root(&key), *rt = root();
	size_t len, pemlen;
	uint8_t *buf = tdata_read("tdx-quote/quote-v5.bin", &len), *nq;
	BIO *b = BIO_new(BIO_s_mem());
	const char *last;
	char *pem;

	assert_int_equal(tdx_quote_parse(buf, len, &q), 0);
	/* keep the PCK and platform CA, put the look-alike where the root was */
	last = memmem(q.pck_pem, q.pck_pem_len, "-----BEGIN", 10);
	last = memmem(last + 1, q.pck_pem_len - (size_t)(last + 1 - (const char *)q.pck_pem),
		      "-----BEGIN", 10);
	last = memmem(last + 1, q.pck_pem_len - (size_t)(last + 1 - (const char *)q.pck_pem),
		      "-----BEGIN", 10);
	assert_non_null(last);
	PEM_write_bio_X509(b, fake);
	pemlen = (size_t)BIO_get_mem_data(b, &pem);
	nq = calloc(1, len + 2000);
	off_t keep = last - (const char *)buf;
	memcpy(nq, buf, (size_t)keep);
	memcpy(nq + keep, pem, pemlen);
	/* fix the two lengths that cover the certificate data */
	{
		size_t newpem = (size_t)keep + pemlen - (size_t)(q.pck_pem - buf);
		size_t sigoff = q.signed_len, sdl;

		nq[q.pck_pem - buf - 4] = (uint8_t)newpem;
		nq[q.pck_pem - buf - 3] = (uint8_t)(newpem >> 8);
		sdl = (size_t)keep + pemlen - sigoff - 4;
		nq[sigoff] = (uint8_t)sdl;
		nq[sigoff + 1] = (uint8_t)(sdl >> 8);
		sdl = (size_t)keep + pemlen - (size_t)(q.qe_report - buf);
		nq[q.qe_report - buf - 4] = (uint8_t)sdl;
		nq[q.qe_report - buf - 3] = (uint8_t)(sdl >> 8);
	}
	assert_int_equal(tdx_quote_parse(nq, (size_t)keep + pemlen, &q), 0);
	assert_int_equal(tdx_quote_verify(nq, (size_t)keep + pemlen, rt, NULL, time(NULL), &r),
			 TDXQ_PCK_CHAIN);
	assert_non_null(strstr(r.detail, "not in the trusted root"));
	/* and with the look-alike as the trusted root, the real chain does not verify */
	assert_int_equal(tdx_quote_verify(buf, len, fake, NULL, time(NULL), &r), TDXQ_PCK_CHAIN);
	BIO_free(b);
	free(nq);
	EVP_PKEY_free(key);
	X509_free(fake);
	X509_free(rt);
	free(buf);
}

/* Collateral edited by the host: every edit is refused, by the collateral check. */
static void test_collateral_tampered(void **state)
{
	struct dcap_collateral c;
	struct tdxq_result r;
	char field[20000], *p;
	size_t len;
	uint8_t *q = tdata_read("tdx-dcap/quote.bin", &len);
	X509 *rt = root();

	/* TCB info edited to claim a later nextUpdate: its signature fails */
	collateral_field("tcb_info", field, sizeof(field));
	p = strstr(field, "\"nextUpdate\":\"2025-07-19");
	assert_non_null(p);
	memcpy(p + 14, "2035", 4);
	assert_int_equal(collateral_with("tcb_info", field, &c), 0);
	assert_int_equal(tdx_quote_verify(q, len, rt, &c, at(DCAP_TIME), &r),
			 TDXQ_COLLATERAL);
	assert_non_null(strstr(r.detail, "TCB info signature"));
	dcap_collateral_free(&c);

	/* an OutOfDate level relabelled UpToDate: its signature fails */
	collateral_field("tcb_info", field, sizeof(field));
	p = strstr(field, "\"tcbStatus\":\"OutOfDate\"");
	assert_non_null(p);
	memmove(p + 13, "UpToDate", 8);
	memmove(p + 21, p + 22, strlen(p + 22) + 1);
	assert_int_equal(collateral_with("tcb_info", field, &c), 0);
	assert_int_equal(tdx_quote_verify(q, len, rt, &c, at(DCAP_TIME), &r), TDXQ_COLLATERAL);
	dcap_collateral_free(&c);

	/* QE identity with its ISVSVN level lowered: signature fails */
	collateral_field("qe_identity", field, sizeof(field));
	p = strstr(field, "\"isvsvn\":4");
	assert_non_null(p);
	p[9] = '0';
	assert_int_equal(collateral_with("qe_identity", field, &c), 0);
	assert_int_equal(tdx_quote_verify(q, len, rt, &c, at(DCAP_TIME), &r), TDXQ_COLLATERAL);
	assert_non_null(strstr(r.detail, "QE identity signature"));
	dcap_collateral_free(&c);

	/* the QE identity and its signature in place of the TCB info: wrong shape */
	collateral_field("qe_identity", field, sizeof(field));
	assert_int_equal(collateral_with("tcb_info", field, &c), -EBADMSG);
	dcap_collateral_free(&c);

	/* the TCB info signature swapped for the QE identity's */
	collateral_field("qe_identity_signature", field, sizeof(field));
	assert_int_equal(collateral_with("tcb_info_signature", field, &c), 0);
	assert_int_equal(tdx_quote_verify(q, len, rt, &c, at(DCAP_TIME), &r), TDXQ_COLLATERAL);
	dcap_collateral_free(&c);

	/* the PCK CRL replaced by the root CA CRL (a CRL that does not cover the PCK) */
	collateral_field("root_ca_crl", field, sizeof(field));
	assert_int_equal(collateral_with("pck_crl", field, &c), 0);
	assert_int_not_equal(tdx_quote_verify(q, len, rt, &c, at(DCAP_TIME), &r), TDXQ_OK);
	dcap_collateral_free(&c);
	X509_free(rt);
	free(q);
}

/* Collateral signed by the attacker's own root: the pinned root refuses it. */
static void test_collateral_own_root(void **state)
{
	struct dcap_collateral c;
	struct tdxq_result r;
	EVP_PKEY *key;
	X509 *fake = attacker_root(&key), *rt = root();
	BIO *b = BIO_new(BIO_s_mem());
	char *pem, chain[4096];
	size_t len;
	uint8_t *q = tdata_read("tdx-dcap/quote.bin", &len);
	long n;

	PEM_write_bio_X509(b, fake);
	PEM_write_bio_X509(b, fake);
	n = BIO_get_mem_data(b, &pem);
	snprintf(chain, sizeof(chain), "%.*s", (int)n, pem);
	assert_int_equal(collateral_with("tcb_info_issuer_chain", chain, &c), 0);
	assert_int_equal(tdx_quote_verify(q, len, rt, &c, at(DCAP_TIME), &r), TDXQ_COLLATERAL);
	assert_non_null(strstr(r.detail, "not in the trusted root"));
	dcap_collateral_free(&c);
	BIO_free(b);
	EVP_PKEY_free(key);
	X509_free(fake);
	X509_free(rt);
	free(q);
}

static void test_malformed_collateral(void **state)
{
	static const char *const docs[] = {
		"", "{}", "[]", "{\"tcb_info\":1}", "{\"tcb_info\":\"{}\"} trailing",
	};
	struct dcap_collateral c;
	size_t i;

	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		assert_int_not_equal(dcap_collateral_parse((const uint8_t *)docs[i],
							   strlen(docs[i]), &c), 0);
		dcap_collateral_free(&c);
	}
}

static void test_rfc3339(void **state)
{
	time_t t;

	assert_int_equal(cvmg_parse_rfc3339("2025-06-19T10:33:27Z", &t), 0);
	assert_int_equal(t, 1750329207);
	assert_int_equal(cvmg_parse_rfc3339("2025-06-19T10:33:27.5Z", &t), 0);
	assert_int_equal(cvmg_parse_rfc3339("2025-06-19T10:33:27+00:00", &t), 0);
	assert_int_equal(cvmg_parse_rfc3339("2025-06-19T10:33:27+02:00", &t), -EINVAL);
	assert_int_equal(cvmg_parse_rfc3339("2025-06-19 10:33:27Z", &t), -EINVAL);
	assert_int_equal(cvmg_parse_rfc3339("2025-06-19T10:33:27", &t), -EINVAL);
	assert_int_equal(cvmg_parse_rfc3339("1750329207", &t), -EINVAL);
}

/* Verify @q (re-signed) with @col (re-signed JSON) at the collateral's time. */
static enum tdxq_check ts_verify(const struct ts_chain *t, const uint8_t *q, size_t ql,
				 const char *col, struct tdxq_result *r)
{
	struct dcap_collateral c;
	enum tdxq_check k;

	assert_int_equal(dcap_collateral_parse((const uint8_t *)col, strlen(col), &c), 0);
	k = tdx_quote_verify(q, ql, t->root, &c, at(DCAP_TIME), r);
	dcap_collateral_free(&c);
	return k;
}

/*
 * Every TCB outcome, with quotes and collateral re-signed by a test chain (the
 * real PCK's SGX extension, so the real FMSPC and SVNs): the status and the
 * advisory IDs come from the level that matches, and a QE identity or platform
 * that does not match is refused by its own check.
 */
static void test_tcb_matrix(void **state)
{
	static const char LV1[] = "\"tcbLevels\":[{\"tcb\":{\"sgxtcbcomponents\"";
	struct {
		const char *name, *key, *anchor, *from, *to;
		int body_off, body_val;		/* edit of header+body, -1: none */
		enum tdxq_check want;
		const char *status, *adv;
	} cases[] = {
		{ "re-signed, unchanged", NULL, NULL, NULL, NULL, -1, 0, TDXQ_OK, "UpToDate", "" },
		{ "first level SWHardeningNeeded with an advisory", "tcb_info", LV1,
		  "\"tcbStatus\":\"UpToDate\"",
		  "\"tcbStatus\":\"SWHardeningNeeded\",\"advisoryIDs\":[\"INTEL-SA-00615\"]",
		  -1, 0, TDXQ_OK, "SWHardeningNeeded", "INTEL-SA-00615" },
		{ "first level ConfigurationNeeded", "tcb_info", LV1, "\"tcbStatus\":\"UpToDate\"",
		  "\"tcbStatus\":\"ConfigurationNeeded\"", -1, 0, TDXQ_OK,
		  "ConfigurationNeeded", "" },
		{ "PCESVN below the first level: the OutOfDate one", "tcb_info", LV1,
		  "\"pcesvn\":11", "\"pcesvn\":200", -1, 0, TDXQ_OK, "OutOfDate",
		  "INTEL-SA-00106,INTEL-SA-00115,INTEL-SA-00135,INTEL-SA-00203,INTEL-SA-00220,"
		  "INTEL-SA-00233,INTEL-SA-00270,INTEL-SA-00293,INTEL-SA-00320,INTEL-SA-00329,"
		  "INTEL-SA-00381,INTEL-SA-00389,INTEL-SA-00477,INTEL-SA-00837" },
		{ "the matching level Revoked", "tcb_info", LV1, "\"tcbStatus\":\"UpToDate\"",
		  "\"tcbStatus\":\"Revoked\"", -1, 0, TDXQ_TCB, NULL, NULL },
		{ "a status Intel does not define", "tcb_info", LV1, "\"tcbStatus\":\"UpToDate\"",
		  "\"tcbStatus\":\"Fine\"", -1, 0, TDXQ_TCB, NULL, NULL },
		{ "TDX module SVN below every platform level", NULL, NULL, NULL, NULL,
		  48 + 0, 1, TDXQ_TCB, NULL, NULL },
		{ "TDX module identity TDX_01 wants SVN 7: its OutOfDate level", "tcb_info",
		  "\"id\":\"TDX_01\"", "\"isvsvn\":4", "\"isvsvn\":7", -1, 0, TDXQ_OK,
		  "OutOfDate", "" },
		{ "TDX module minor version without a module identity", NULL, NULL, NULL, NULL,
		  48 + 1, 2, TDXQ_TCB, NULL, NULL },
		{ "another platform's FMSPC", "tcb_info", NULL, "\"fmspc\":\"B0C06F000000\"",
		  "\"fmspc\":\"00906ED50000\"", -1, 0, TDXQ_COLLATERAL, NULL, NULL },
		{ "QE identity names another QE signer", "qe_identity", NULL, "\"mrsigner\":\"DC9E",
		  "\"mrsigner\":\"DC9F", -1, 0, TDXQ_QE_IDENTITY, NULL, NULL },
		{ "QE identity for another product", "qe_identity", NULL, "\"isvprodid\":2",
		  "\"isvprodid\":1", -1, 0, TDXQ_QE_IDENTITY, NULL, NULL },
		{ "QE ISVSVN below every QE level", "qe_identity", NULL, "\"isvsvn\":4",
		  "\"isvsvn\":9", -1, 0, TDXQ_TCB, NULL, NULL },
		{ "QE at an OutOfDate QE level", "qe_identity", NULL,
		  "\"tcbStatus\":\"UpToDate\"}]",
		  "\"tcbStatus\":\"UpToDate\"},{\"tcb\":{\"isvsvn\":0},"
		  "\"tcbDate\":\"2020-01-01T00:00:00Z\",\"tcbStatus\":\"OutOfDate\","
		  "\"advisoryIDs\":[\"INTEL-SA-00999\"]}]", -1, 0, TDXQ_OK, "UpToDate", "" },
		{ "TCB info for SGX, not TDX", "tcb_info", NULL, "\"id\":\"TDX\"", "\"id\":\"SGX\"",
		  -1, 0, TDXQ_PARSE, NULL, NULL },
	};
	struct ts_chain t;
	struct tdxq_result r;
	uint8_t hb[632], qe[384], *q;
	size_t i, ql;
	char *text, *col;
	enum tdxq_check got;

	ts_chain_new(&t);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ts_real_parts(hb, qe);
		if (cases[i].body_off >= 0)
			hb[cases[i].body_off] = (uint8_t)cases[i].body_val;
		q = ts_quote(&t, hb, qe, &ql);
		text = cases[i].key ? ts_edit(cases[i].key, cases[i].anchor, cases[i].from,
					      cases[i].to) : NULL;
		col = ts_collateral(&t, cases[i].key && !strcmp(cases[i].key, "tcb_info") ? text : NULL,
				    cases[i].key && !strcmp(cases[i].key, "qe_identity") ? text : NULL);
		if (cases[i].want == TDXQ_PARSE) {
			struct dcap_collateral c;

			assert_int_equal(dcap_collateral_parse((const uint8_t *)col, strlen(col), &c),
					 -EBADMSG);
			dcap_collateral_free(&c);
		} else {
			got = ts_verify(&t, q, ql, col, &r);
			print_message("  %s: %s %s\n", cases[i].name, tdxq_check_name(got),
				      got ? r.detail : r.tcb_status);
			if (got != cases[i].want)
				fail_msg("%s: %s (%s), want %s", cases[i].name, tdxq_check_name(got),
					 r.detail, tdxq_check_name(cases[i].want));
			if (cases[i].status) {
				assert_string_equal(r.tcb_status, cases[i].status);
				assert_string_equal(r.advisories, cases[i].adv);
			}
			/* the test root is no Intel root: the pinned one refuses it all */
			{
				X509 *rt = root();

				assert_int_equal(tdx_quote_verify(q, ql, rt, NULL, at(DCAP_TIME), &r),
						 TDXQ_PCK_CHAIN);
				X509_free(rt);
			}
		}
		free(text);
		free(col);
		free(q);
	}
	ts_chain_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pinned_root_is_the_file),
		cmocka_unit_test(test_parse_v4_v5),
		cmocka_unit_test(test_dcap_up_to_date),
		cmocka_unit_test(test_dcap_stale),
		cmocka_unit_test(test_no_collateral_unknown),
		cmocka_unit_test(test_bitflips_dcap),
		cmocka_unit_test(test_bitflips_azure_v5),
		cmocka_unit_test(test_padding_and_pem_refused),
		cmocka_unit_test(test_lookalike_root_in_chain),
		cmocka_unit_test(test_collateral_tampered),
		cmocka_unit_test(test_collateral_own_root),
		cmocka_unit_test(test_malformed_collateral),
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test(test_tcb_matrix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
