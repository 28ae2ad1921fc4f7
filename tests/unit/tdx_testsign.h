/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A test signer for TD quotes and DCAP collateral, for the unit tests only: a
 * self-made root, PCK CA, PCK certificate (carrying the real PCK certificate's
 * SGX extension, so FMSPC, PCE-ID and SVNs are real), TCB signing certificate and
 * CRLs, and a fresh attestation key. It re-signs the real tdx-dcap quote (with an
 * edited body or QE report if asked) and its collateral (with edited TCB info or
 * QE identity text), so every TCB outcome can be produced, as the rig's test
 * quoting service would. Verification then uses the test root as --intel-root.
 */
#ifndef CVMG_TDX_TESTSIGN_H
#define CVMG_TDX_TESTSIGN_H

#include <string.h>

#include <json-c/json.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include "tdata.h"
#include "tdx_quote.h"

/* Every test certificate and CRL is valid around the tdx-dcap collateral's time. */
#define TS_FROM	((time_t)1735689600)	/* 2025-01-01 */
#define TS_TO	((time_t)2208988800)	/* 2040-01-01 */

struct ts_chain {
	EVP_PKEY *root_key, *ca_key, *pck_key, *tcb_key, *ak;
	X509 *root, *ca, *pck, *tcb;
	X509_CRL *root_crl, *pck_crl;
};

static inline void ts_ext(X509 *x, X509 *issuer, int nid, const char *val)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;

	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, val);
	assert_non_null(e);
	assert_true(X509_add_ext(x, e, -1));
	X509_EXTENSION_free(e);
}

static inline X509 *ts_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey,
			    bool ca, long serial, X509_EXTENSION *extra)
{
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();

	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const unsigned char *)"cvmguard tests",
				   -1, -1, 0);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
	ASN1_TIME_set(X509_getm_notBefore(x), TS_FROM);
	ASN1_TIME_set(X509_getm_notAfter(x), TS_TO);
	X509_set_pubkey(x, key);
	ts_ext(x, issuer, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
	ts_ext(x, issuer, NID_key_usage, ca ? "critical,keyCertSign,cRLSign" :
					     "critical,digitalSignature,nonRepudiation");
	ts_ext(x, issuer, NID_subject_key_identifier, "hash");
	ts_ext(x, issuer, NID_authority_key_identifier, "keyid:always");
	if (extra)
		assert_true(X509_add_ext(x, extra, -1));
	assert_true(X509_sign(x, ikey ? ikey : key, EVP_sha256()) > 0);
	X509_NAME_free(n);
	return x;
}

static inline X509_CRL *ts_crl(X509 *issuer, EVP_PKEY *key)
{
	X509_CRL *c = X509_CRL_new();
	ASN1_TIME *t = ASN1_TIME_new();

	X509_CRL_set_version(c, 1);
	X509_CRL_set_issuer_name(c, X509_get_subject_name(issuer));
	ASN1_TIME_set(t, TS_FROM);
	X509_CRL_set1_lastUpdate(c, t);
	ASN1_TIME_set(t, TS_TO);
	X509_CRL_set1_nextUpdate(c, t);
	assert_true(X509_CRL_sign(c, key, EVP_sha256()) > 0);
	ASN1_TIME_free(t);
	return c;
}

/* The real PCK certificate of tdx-dcap/quote.bin. */
static inline X509 *ts_real_pck(void)
{
	struct tdx_quote q;
	X509 *certs[TDX_PCK_CHAIN_MAX];
	size_t len, n, i;
	uint8_t *buf = tdata_read("tdx-dcap/quote.bin", &len);

	assert_int_equal(tdx_quote_parse(buf, len, &q), 0);
	assert_int_equal(tdx_pem_chain_parse(q.pck_pem, q.pck_pem_len, true, certs, 4, &n), 0);
	for (i = 1; i < n; i++)
		X509_free(certs[i]);
	free(buf);
	return certs[0];
}

static inline void ts_chain_new(struct ts_chain *t)
{
	X509 *real = ts_real_pck();
	ASN1_OBJECT *oid = OBJ_txt2obj("1.2.840.113741.1.13.1", 1);
	X509_EXTENSION *sgx = X509_get_ext(real, X509_get_ext_by_OBJ(real, oid, -1));

	assert_non_null(sgx);
	t->root_key = EVP_EC_gen("P-256");
	t->ca_key = EVP_EC_gen("P-256");
	t->pck_key = EVP_EC_gen("P-256");
	t->tcb_key = EVP_EC_gen("P-256");
	t->ak = EVP_EC_gen("P-256");
	t->root = ts_cert("Test SGX Root CA", t->root_key, NULL, NULL, true, 1, NULL);
	t->ca = ts_cert("Test SGX PCK Platform CA", t->ca_key, t->root, t->root_key, true, 2, NULL);
	t->pck = ts_cert("Test SGX PCK Certificate", t->pck_key, t->ca, t->ca_key, false, 3, sgx);
	t->tcb = ts_cert("Test SGX TCB Signing", t->tcb_key, t->root, t->root_key, false, 4, NULL);
	t->root_crl = ts_crl(t->root, t->root_key);
	t->pck_crl = ts_crl(t->ca, t->ca_key);
	ASN1_OBJECT_free(oid);
	X509_free(real);
}

static inline void ts_chain_free(struct ts_chain *t)
{
	EVP_PKEY_free(t->root_key);
	EVP_PKEY_free(t->ca_key);
	EVP_PKEY_free(t->pck_key);
	EVP_PKEY_free(t->tcb_key);
	EVP_PKEY_free(t->ak);
	X509_free(t->root);
	X509_free(t->ca);
	X509_free(t->pck);
	X509_free(t->tcb);
	X509_CRL_free(t->root_crl);
	X509_CRL_free(t->pck_crl);
}

/* ECDSA P-256/SHA-256 over @msg, as r || s (32 bytes each, big-endian). */
static inline void ts_sign(EVP_PKEY *key, const void *msg, size_t len, uint8_t out[64])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char der[80];
	const unsigned char *p = der;
	size_t dlen = sizeof(der);
	ECDSA_SIG *s;

	assert_int_equal(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key), 1);
	assert_int_equal(EVP_DigestSign(md, der, &dlen, msg, len), 1);
	s = d2i_ECDSA_SIG(NULL, &p, (long)dlen);
	assert_non_null(s);
	BN_bn2binpad(ECDSA_SIG_get0_r(s), out, 32);
	BN_bn2binpad(ECDSA_SIG_get0_s(s), out + 32, 32);
	ECDSA_SIG_free(s);
	EVP_MD_CTX_free(md);
}

static inline size_t ts_pem(BIO *b, char *out, size_t max)
{
	char *p;
	long n = BIO_get_mem_data(b, &p);

	assert_true(n > 0 && (size_t)n < max);
	memcpy(out, p, (size_t)n);
	out[n] = '\0';
	return (size_t)n;
}

static inline void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void put32le(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }

/*
 * The tdx-dcap quote re-signed by @t: header and TD report body (584 bytes at 48)
 * from @hdr_body (632 bytes), the QE report from @qe (384 bytes; its REPORTDATA is
 * recomputed), the real QE auth data. Returns a malloc'ed quote.
 */
static inline uint8_t *ts_quote(const struct ts_chain *t, const uint8_t *hdr_body,
				const uint8_t *qe, size_t *outlen)
{
	struct tdx_quote real;
	size_t len, pemlen, off, sd;
	uint8_t *buf = tdata_read("tdx-dcap/quote.bin", &len), *q, pt[65], qerep[384];
	uint8_t hash[32];
	char pem[8192];
	BIO *b = BIO_new(BIO_s_mem());
	EVP_MD_CTX *h = EVP_MD_CTX_new();

	assert_int_equal(tdx_quote_parse(buf, len, &real), 0);
	PEM_write_bio_X509(b, t->pck);
	PEM_write_bio_X509(b, t->ca);
	PEM_write_bio_X509(b, t->root);
	pemlen = ts_pem(b, pem, sizeof(pem));
	BIO_free(b);
	assert_true(EVP_PKEY_get_octet_string_param(t->ak, OSSL_PKEY_PARAM_PUB_KEY, pt,
						    sizeof(pt), &sd));
	assert_int_equal(sd, 65);
	sd = 64 + 64 + 6 + 384 + 64 + 2 + real.qe_auth_len + 6 + pemlen;
	*outlen = 632 + 4 + sd;
	q = calloc(1, *outlen);
	memcpy(q, hdr_body, 632);
	put32le(q + 632, (uint32_t)sd);
	off = 636;
	ts_sign(t->ak, q, 632, q + off);
	memcpy(q + off + 64, pt + 1, 64);
	off += 128;
	put16(q + off, TDX_CERT_QE_REPORT);
	put32le(q + off + 2, (uint32_t)(384 + 64 + 2 + real.qe_auth_len + 6 + pemlen));
	off += 6;
	memcpy(qerep, qe, 384);
	EVP_DigestInit_ex(h, EVP_sha256(), NULL);
	EVP_DigestUpdate(h, pt + 1, 64);
	EVP_DigestUpdate(h, real.qe_auth, real.qe_auth_len);
	EVP_DigestFinal_ex(h, hash, NULL);
	EVP_MD_CTX_free(h);
	memset(qerep + 320, 0, 64);
	memcpy(qerep + 320, hash, 32);
	memcpy(q + off, qerep, 384);
	ts_sign(t->pck_key, qerep, 384, q + off + 384);
	off += 448;
	put16(q + off, (uint16_t)real.qe_auth_len);
	memcpy(q + off + 2, real.qe_auth, real.qe_auth_len);
	off += 2 + real.qe_auth_len;
	put16(q + off, TDX_CERT_PCK_CHAIN);
	put32le(q + off + 2, (uint32_t)pemlen);
	memcpy(q + off + 6, pem, pemlen);
	free(buf);
	return q;
}

/* The real quote's header+body (632 bytes) and QE report (384), to edit. */
static inline void ts_real_parts(uint8_t hdr_body[632], uint8_t qe[384])
{
	struct tdx_quote q;
	size_t len;
	uint8_t *buf = tdata_read("tdx-dcap/quote.bin", &len);

	assert_int_equal(tdx_quote_parse(buf, len, &q), 0);
	memcpy(hdr_body, buf, 632);
	memcpy(qe, q.qe_report, 384);
	free(buf);
}

static inline char *ts_hex(const uint8_t *p, size_t n)
{
	char *s = malloc(2 * n + 1);

	cvmg_hex_encode(p, n, s);
	return s;
}

static inline char *ts_crl_hex(X509_CRL *c)
{
	unsigned char *der = NULL;
	int n = i2d_X509_CRL(c, &der);
	char *s = ts_hex(der, (size_t)n);

	OPENSSL_free(der);
	return s;
}

/*
 * The tdx-dcap collateral re-signed by @t, with @tcb_info and @qe_identity as the
 * signed texts (NULL: the real ones). Returns a malloc'ed JSON document.
 */
static inline char *ts_collateral(const struct ts_chain *t, const char *tcb_info,
				  const char *qe_identity)
{
	size_t len;
	uint8_t *j = tdata_read("tdx-dcap/collateral.json", &len), sig[64];
	char *text = strndup((const char *)j, len), *hx, *out, pem[8192];
	json_object *o = json_tokener_parse(text), *v;
	BIO *b;

	assert_non_null(o);
	if (!tcb_info) {
		assert_true(json_object_object_get_ex(o, "tcb_info", &v));
		tcb_info = json_object_get_string(v);
	}
	if (!qe_identity) {
		assert_true(json_object_object_get_ex(o, "qe_identity", &v));
		qe_identity = json_object_get_string(v);
	}
	ts_sign(t->tcb_key, tcb_info, strlen(tcb_info), sig);
	hx = ts_hex(sig, 64);
	json_object_object_add(o, "tcb_info_signature", json_object_new_string(hx));
	free(hx);
	ts_sign(t->tcb_key, qe_identity, strlen(qe_identity), sig);
	hx = ts_hex(sig, 64);
	json_object_object_add(o, "qe_identity_signature", json_object_new_string(hx));
	free(hx);
	json_object_object_add(o, "tcb_info", json_object_new_string(tcb_info));
	json_object_object_add(o, "qe_identity", json_object_new_string(qe_identity));
	b = BIO_new(BIO_s_mem());
	PEM_write_bio_X509(b, t->tcb);
	PEM_write_bio_X509(b, t->root);
	ts_pem(b, pem, sizeof(pem));
	BIO_free(b);
	json_object_object_add(o, "tcb_info_issuer_chain", json_object_new_string(pem));
	json_object_object_add(o, "qe_identity_issuer_chain", json_object_new_string(pem));
	b = BIO_new(BIO_s_mem());
	PEM_write_bio_X509(b, t->ca);
	PEM_write_bio_X509(b, t->root);
	ts_pem(b, pem, sizeof(pem));
	BIO_free(b);
	json_object_object_add(o, "pck_crl_issuer_chain", json_object_new_string(pem));
	hx = ts_crl_hex(t->root_crl);
	json_object_object_add(o, "root_ca_crl", json_object_new_string(hx));
	free(hx);
	hx = ts_crl_hex(t->pck_crl);
	json_object_object_add(o, "pck_crl", json_object_new_string(hx));
	free(hx);
	out = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	free(text);
	free(j);
	return out;
}

/* The real collateral's @key text with the first @from after @anchor made @to. */
static inline char *ts_edit(const char *key, const char *anchor, const char *from,
			    const char *to)
{
	size_t len;
	uint8_t *j = tdata_read("tdx-dcap/collateral.json", &len);
	char *text = strndup((const char *)j, len), *s, *p, *out;
	json_object *o = json_tokener_parse(text), *v;

	assert_true(json_object_object_get_ex(o, key, &v));
	s = strdup(json_object_get_string(v));
	p = anchor ? strstr(s, anchor) : s;
	assert_non_null(p);
	p = strstr(p, from);
	assert_non_null(p);
	out = malloc(strlen(s) + strlen(to) + 1);
	memcpy(out, s, (size_t)(p - s));
	strcpy(out + (p - s), to);
	strcat(out, p + strlen(from));
	free(s);
	json_object_put(o);
	free(text);
	free(j);
	return out;
}

#endif /* CVMG_TDX_TESTSIGN_H */
