// SPDX-License-Identifier: GPL-2.0-only
/*
 * TDX quote parsing and offline verification (layout in tdx_quote.h).
 *
 * The checks run in a fixed order, each over its own region, so a failure names
 * the region an attacker touched: the PCK chain (certificates, to the pinned root,
 * CRLs when collateral is given), the QE report signature (by the PCK key), the AK
 * binding (SHA-256 of AK and QE auth data in the QE report's REPORTDATA, the rest
 * zero), and last the quote signature (header and body, by the AK). With collateral,
 * the collateral itself is verified first and the QE identity and TCB status last.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include "dcap_collateral.h"
#include "tdx_quote.h"

static const char *const check_names[] = {
	[TDXQ_OK] = "ok",
	[TDXQ_PARSE] = "parse",
	[TDXQ_PCK_CHAIN] = "pck_chain",
	[TDXQ_QE_REPORT_SIG] = "qe_report_signature",
	[TDXQ_AK_BINDING] = "ak_binding",
	[TDXQ_QUOTE_SIG] = "quote_signature",
	[TDXQ_COLLATERAL] = "collateral",
	[TDXQ_STALE] = "collateral_fresh",
	[TDXQ_QE_IDENTITY] = "qe_identity",
	[TDXQ_TCB] = "tcb_status",
};

const char *tdxq_check_name(enum tdxq_check c)
{
	return (unsigned int)c < sizeof(check_names) / sizeof(check_names[0]) ?
	       check_names[c] : "?";
}

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p) { return (uint32_t)le16(p) | (uint32_t)le16(p + 2) << 16; }
static uint64_t le64(const uint8_t *p) { return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32; }

static void parse_body(const uint8_t *p, bool v15, struct tdx_quote_body *b)
{
	memcpy(b->tee_tcb_svn, p, 16);
	memcpy(b->mrseam, p + 16, 48);
	memcpy(b->mrsignerseam, p + 64, 48);
	b->seam_attributes = le64(p + 112);
	b->td_attributes = le64(p + 120);
	b->xfam = le64(p + 128);
	memcpy(b->mrtd, p + 136, 48);
	memcpy(b->mrconfigid, p + 184, 48);
	memcpy(b->mrowner, p + 232, 48);
	memcpy(b->mrownerconfig, p + 280, 48);
	memcpy(b->rtmr, p + 328, 4 * 48);
	memcpy(b->report_data, p + 520, 64);
	if (v15) {
		memcpy(b->tee_tcb_svn2, p + 584, 16);
		memcpy(b->mrservicetd, p + 600, 48);
	}
}

static void parse_qe(const uint8_t *p, struct tdx_qe_report *qe)
{
	memcpy(qe->cpusvn, p, 16);
	qe->miscselect = le32(p + 16);
	memcpy(qe->attributes, p + 48, 16);
	memcpy(qe->mrenclave, p + 64, 32);
	memcpy(qe->mrsigner, p + 128, 32);
	qe->isvprodid = le16(p + 256);
	qe->isvsvn = le16(p + 258);
	memcpy(qe->report_data, p + 320, 64);
}

/**
 * tdx_quote_is_quote() - whether @buf starts like a TDX quote (v4/v5, TDX, ECDSA)
 * @buf: bytes
 * @len: length
 *
 * Return: 1 if so, else 0. Says nothing of whether the rest parses.
 */
int tdx_quote_is_quote(const uint8_t *buf, size_t len)
{
	return len >= TDX_QUOTE_HDR_SIZE && (le16(buf) == 4 || le16(buf) == 5) &&
	       le16(buf + 2) == TDX_AK_ECDSA_P256 && le32(buf + 4) == TDX_TEE_TYPE;
}

/**
 * tdx_quote_parse() - parse a TDX quote strictly: every length matches, only zeros left
 * @buf: the quote
 * @len: its length
 * @q: filled in; pointers point into @buf
 *
 * Return: 0, or -EBADMSG (wrong structure) or -ENOTSUP (unknown version, TEE,
 * key or certification data type).
 */
int tdx_quote_parse(const uint8_t *buf, size_t len, struct tdx_quote *q)
{
	size_t off = TDX_QUOTE_HDR_SIZE, body_len, sig_len, end, cd_len, pck_len, i;

	memset(q, 0, sizeof(*q));
	if (len < TDX_QUOTE_HDR_SIZE)
		return -EBADMSG;
	q->version = le16(buf);
	q->att_key_type = le16(buf + 2);
	q->tee_type = le32(buf + 4);
	if ((q->version != 4 && q->version != 5) || q->tee_type != TDX_TEE_TYPE ||
	    q->att_key_type != TDX_AK_ECDSA_P256)
		return -ENOTSUP;
	if (q->version == 4) {
		q->body_type = 2;
		body_len = TDX_BODY_10_SIZE;
	} else {
		if (len < off + 6)
			return -EBADMSG;
		q->body_type = le16(buf + off);
		body_len = le32(buf + off + 2);
		off += 6;
		if (!((q->body_type == 2 && body_len == TDX_BODY_10_SIZE) ||
		      (q->body_type == 3 && body_len == TDX_BODY_15_SIZE)))
			return -ENOTSUP;
	}
	if (len - off < body_len + 4)
		return -EBADMSG;
	parse_body(buf + off, q->body_type == 3, &q->body);
	off += body_len;
	q->signed_data = buf;
	q->signed_len = off;
	sig_len = le32(buf + off);
	off += 4;
	/*
	 * Quotes come in fixed-size buffers (the real ones in tests/data are 5006
	 * bytes): what follows the signature data must be zero padding.
	 */
	if (sig_len > len - off)
		return -EBADMSG;
	end = off + sig_len;
	for (i = end; i < len; i++)
		if (buf[i])
			return -EBADMSG;
	/* signature, AK, cert data header (type 6), QE report, QE signature, auth len */
	if (end - off < 64 + 64 + 6 + TDX_QE_REPORT_SIZE + 64 + 2)
		return -EBADMSG;
	q->sig = buf + off;
	q->ak = buf + off + 64;
	off += 128;
	if (le16(buf + off) != TDX_CERT_QE_REPORT)
		return -ENOTSUP;
	cd_len = le32(buf + off + 2);
	off += 6;
	if (cd_len != end - off)
		return -EBADMSG;
	q->qe_report = buf + off;
	parse_qe(q->qe_report, &q->qe);
	q->qe_sig = buf + off + TDX_QE_REPORT_SIZE;
	off += TDX_QE_REPORT_SIZE + 64;
	q->qe_auth_len = le16(buf + off);
	off += 2;
	if (end - off < q->qe_auth_len + 6)
		return -EBADMSG;
	q->qe_auth = buf + off;
	off += q->qe_auth_len;
	if (le16(buf + off) != TDX_CERT_PCK_CHAIN)
		return -ENOTSUP;
	pck_len = le32(buf + off + 2);
	off += 6;
	if (pck_len != end - off || !pck_len)
		return -EBADMSG;
	q->pck_pem = buf + off;
	q->pck_pem_len = pck_len;
	return 0;
}

/**
 * tdx_pem_chain_parse() - parse PEM certificates, refusing any non-canonical byte
 * @pem: the text
 * @len: its length
 * @allow_nul_pad: NUL bytes may follow the last certificate (quotes pad with them)
 * @certs: filled with up to @max certificates, for the caller to X509_free()
 * @max: capacity of @certs
 * @n: how many were parsed
 *
 * The text must be exactly what OpenSSL writes for the certificates it holds (64
 * columns, "\n" line ends), so no byte of it can change without changing a
 * certificate, whose signature then fails.
 *
 * Return: 0, -EBADMSG or -E2BIG.
 */
int tdx_pem_chain_parse(const uint8_t *pem, size_t len, bool allow_nul_pad,
			X509 **certs, size_t max, size_t *n)
{
	BIO *in = NULL, *out = NULL;
	size_t used, i;
	char *canon;
	long clen;
	int ret = -EBADMSG;
	X509 *x;

	*n = 0;
	used = len;
	while (allow_nul_pad && used && !pem[used - 1])
		used--;
	if (!used || used > INT32_MAX)
		return -EBADMSG;
	in = BIO_new_mem_buf(pem, (int)used);
	out = BIO_new(BIO_s_mem());
	if (!in || !out) {
		ret = -ENOMEM;
		goto out;
	}
	while ((x = PEM_read_bio_X509(in, NULL, NULL, NULL))) {
		if (*n == max) {
			X509_free(x);
			ret = -E2BIG;
			goto out;
		}
		certs[(*n)++] = x;
		if (!PEM_write_bio_X509(out, x))
			goto out;
	}
	ERR_clear_error();
	clen = BIO_get_mem_data(out, &canon);
	if (*n && clen > 0 && (size_t)clen == used && !memcmp(canon, pem, used))
		ret = 0;
out:
	if (ret) {
		for (i = 0; i < *n; i++)
			X509_free(certs[i]);
		*n = 0;
	}
	BIO_free(in);
	BIO_free(out);
	return ret;
}

/* Faults of time alone: the evidence may be genuine but is not current. */
static bool stale_error(int err)
{
	return err == X509_V_ERR_CRL_HAS_EXPIRED || err == X509_V_ERR_CRL_NOT_YET_VALID ||
	       err == X509_V_ERR_CERT_HAS_EXPIRED || err == X509_V_ERR_CERT_NOT_YET_VALID;
}

/* The certificate's subject CN (or "?"), for messages; attacker-made, so sanitised. */
static void subject_cn(X509 *x, char *buf, size_t len)
{
	X509_NAME *n = X509_get_subject_name(x);
	int got = n ? X509_NAME_get_text_by_NID(n, NID_commonName, buf, (int)len) : -1;
	size_t i;

	if (got <= 0)
		snprintf(buf, len, "?");
	for (i = 0; buf[i]; i++)
		if ((unsigned char)buf[i] < 0x20 || (unsigned char)buf[i] >= 0x7f || buf[i] == '"')
			buf[i] = '?';
	ERR_clear_error();
}

/**
 * tdx_verify_chain() - verify a certificate chain (leaf first) to @root by its key
 * @certs: the chain, leaf first, ending in a copy of the root
 * @n: its length, at least 2
 * @root: the pinned root
 * @crls: CRLs to check every certificate against, or NULL for none
 * @now: the verification time, or 0 to check signatures only (for a chain already
 *       found stale, to tell a stale chain from a forged one)
 * @detail: filled with the reason on failure
 * @dlen: size of @detail
 * @stale: set when the fault is one of time: a certificate or CRL outside its
 *         validity window
 *
 * The chain's last certificate must carry the root's public key and be validly
 * self-signed, and every other certificate must be the one OpenSSL built the path
 * from, so no certificate in @certs goes unchecked.
 *
 * Return: 0 or -EKEYREJECTED.
 */
int tdx_verify_chain(X509 **certs, size_t n, X509 *root, STACK_OF(X509_CRL) *crls,
		     time_t now, char *detail, size_t dlen, bool *stale)
{
	STACK_OF(X509) *untrusted = NULL, *built;
	X509_STORE_CTX *ctx = NULL;
	X509_STORE *store = NULL;
	EVP_PKEY *rk = X509_get0_pubkey(root), *ck;
	int ret = -EKEYREJECTED, err;
	size_t i;

	*stale = false;
	if (n < 2) {
		snprintf(detail, dlen, "chain of %zu certificate(s), need leaf to root", n);
		return ret;
	}
	ck = X509_get0_pubkey(certs[n - 1]);
	if (!ck || !rk || EVP_PKEY_eq(ck, rk) != 1 || X509_verify(certs[n - 1], rk) != 1) {
		char got[64], want[64];

		/* Name both: a test or forged chain says so in its subject. */
		subject_cn(certs[n - 1], got, sizeof(got));
		subject_cn(root, want, sizeof(want));
		snprintf(detail, dlen, "chain ends in \"%s\", not in the trusted root \"%s\" "
			 "(its key differs)", got, want);
		return ret;
	}
	store = X509_STORE_new();
	ctx = X509_STORE_CTX_new();
	untrusted = sk_X509_new_null();
	if (!store || !ctx || !untrusted || !X509_STORE_add_cert(store, root))
		goto out;
	for (i = 1; i + 1 < n; i++)
		if (!sk_X509_push(untrusted, certs[i]))
			goto out;
	if (!X509_STORE_CTX_init(ctx, store, certs[0], untrusted))
		goto out;
	if (now)
		X509_STORE_CTX_set_time(ctx, 0, now);
	X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_X509_STRICT |
				 (now ? 0 : X509_V_FLAG_NO_CHECK_TIME));
	if (crls) {
		X509_STORE_CTX_set0_crls(ctx, crls);
		X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
	}
	if (X509_verify_cert(ctx) != 1) {
		err = X509_STORE_CTX_get_error(ctx);
		*stale = stale_error(err);
		snprintf(detail, dlen, "certificate %d: %s", X509_STORE_CTX_get_error_depth(ctx),
			 X509_verify_cert_error_string(err));
		goto out;
	}
	built = X509_STORE_CTX_get0_chain(ctx);
	if ((size_t)sk_X509_num(built) != n) {
		snprintf(detail, dlen, "chain holds %zu certificates, path has %d", n,
			 sk_X509_num(built));
		goto out;
	}
	for (i = 0; i + 1 < n; i++)
		if (X509_cmp(sk_X509_value(built, (int)i), certs[i])) {
			snprintf(detail, dlen, "certificate %zu is not on the verified path", i);
			goto out;
		}
	ret = 0;
out:
	ERR_clear_error();
	sk_X509_free(untrusted);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return ret;
}

/* A minimal DER reader for the SGX extension: tag, length, value. */
static int der_next(const uint8_t **p, const uint8_t *end, uint8_t *tag,
		    const uint8_t **val, size_t *vlen)
{
	size_t l, k;

	if (end - *p < 2)
		return -EBADMSG;
	*tag = (*p)[0];
	l = (*p)[1];
	*p += 2;
	if (l & 0x80) {
		k = l & 0x7f;
		if (!k || k > 3 || (size_t)(end - *p) < k)
			return -EBADMSG;
		for (l = 0; k; k--)
			l = l << 8 | *(*p)++;
	}
	if ((size_t)(end - *p) < l)
		return -EBADMSG;
	*val = *p;
	*vlen = l;
	*p += l;
	return 0;
}

#define SGX_OID "\x2a\x86\x48\x86\xf8\x4d\x01\x0d\x01"	/* 1.2.840.113741.1.13.1 */
#define SGX_OID_LEN 9

static int oid_is(const uint8_t *v, size_t l, const uint8_t *sub, size_t sublen)
{
	return l == SGX_OID_LEN + sublen && !memcmp(v, SGX_OID, SGX_OID_LEN) &&
	       !memcmp(v + SGX_OID_LEN, sub, sublen);
}

static int uint_value(uint8_t tag, const uint8_t *v, size_t l, unsigned int max,
		      unsigned int *out)
{
	unsigned int x = 0;

	if (tag != 0x02 || !l || l > 3 || (v[0] & 0x80))
		return -EBADMSG;
	while (l--)
		x = x << 8 | *v++;
	if (x > max)
		return -EBADMSG;
	*out = x;
	return 0;
}

static int parse_tcb(const uint8_t *p, const uint8_t *end, struct tdx_pck_ext *e)
{
	const uint8_t *seq, *oid, *val, *q;
	size_t sl, ol, vl;
	uint8_t tag, otag, vtag;
	unsigned int x;
	int seen = 0;

	while (p < end) {
		if (der_next(&p, end, &tag, &seq, &sl) || tag != 0x30)
			return -EBADMSG;
		q = seq;
		if (der_next(&q, seq + sl, &otag, &oid, &ol) || otag != 0x06 ||
		    der_next(&q, seq + sl, &vtag, &val, &vl) || q != seq + sl)
			return -EBADMSG;
		if (oid_is(oid, ol, (const uint8_t *)"\x02\x11", 2)) {
			if (uint_value(vtag, val, vl, 0xffff, &x))
				return -EBADMSG;
			e->pcesvn = (uint16_t)x;
			seen |= 1;
		} else if (oid_is(oid, ol, (const uint8_t *)"\x02\x12", 2)) {
			if (vtag != 0x04 || vl != 16)
				return -EBADMSG;
			memcpy(e->cpusvn, val, 16);
			seen |= 2;
		}
	}
	return seen == 3 ? 0 : -EBADMSG;
}

/**
 * tdx_pck_ext_parse() - read CPUSVN, PCESVN, PCE-ID and FMSPC from a PCK certificate
 * @pck: the PCK certificate
 * @e: filled in
 *
 * Return: 0 or -EBADMSG when the SGX extension is missing, repeated or malformed.
 */
int tdx_pck_ext_parse(X509 *pck, struct tdx_pck_ext *e)
{
	const uint8_t *p, *end, *seq, *oid, *val, *q;
	ASN1_OBJECT *obj = OBJ_txt2obj("1.2.840.113741.1.13.1", 1);
	size_t sl, ol, vl;
	uint8_t tag, otag, vtag;
	int idx, seen = 0, ret = -EBADMSG;
	ASN1_OCTET_STRING *data;

	memset(e, 0, sizeof(*e));
	if (!obj)
		return -ENOMEM;
	idx = X509_get_ext_by_OBJ(pck, obj, -1);
	if (idx < 0 || X509_get_ext_by_OBJ(pck, obj, idx) >= 0)
		goto out;
	data = X509_EXTENSION_get_data(X509_get_ext(pck, idx));
	p = ASN1_STRING_get0_data(data);
	end = p + ASN1_STRING_length(data);
	if (der_next(&p, end, &tag, &seq, &sl) || tag != 0x30 || p != end)
		goto out;
	p = seq;
	end = seq + sl;
	while (p < end) {
		if (der_next(&p, end, &tag, &seq, &sl) || tag != 0x30)
			goto out;
		q = seq;
		if (der_next(&q, seq + sl, &otag, &oid, &ol) || otag != 0x06 ||
		    der_next(&q, seq + sl, &vtag, &val, &vl) || q != seq + sl)
			goto out;
		if (oid_is(oid, ol, (const uint8_t *)"\x02", 1)) {
			if (vtag != 0x30 || parse_tcb(val, val + vl, e))
				goto out;
			seen |= 1;
		} else if (oid_is(oid, ol, (const uint8_t *)"\x03", 1)) {
			if (vtag != 0x04 || vl != 2)
				goto out;
			memcpy(e->pceid, val, 2);
			seen |= 2;
		} else if (oid_is(oid, ol, (const uint8_t *)"\x04", 1)) {
			if (vtag != 0x04 || vl != 6)
				goto out;
			memcpy(e->fmspc, val, 6);
			seen |= 4;
		}
	}
	if (seen == 7)
		ret = 0;
out:
	ASN1_OBJECT_free(obj);
	return ret;
}

/**
 * tdx_verify_p256() - an ECDSA P-256 SHA-256 signature r||s (big-endian)
 * @key: the public key
 * @msg: what was signed
 * @len: its length
 * @sig: r then s, 32 bytes each
 *
 * Return: 0, or -EKEYREJECTED.
 */
int tdx_verify_p256(EVP_PKEY *key, const uint8_t *msg, size_t len, const uint8_t sig[64])
{
	ECDSA_SIG *s = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(sig, 32, NULL), *ss = BN_bin2bn(sig + 32, 32, NULL);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char *der = NULL;
	int dlen, ret = -EKEYREJECTED;

	if (!s || !r || !ss || !md || !ECDSA_SIG_set0(s, r, ss)) {
		BN_free(r);
		BN_free(ss);
		goto out;
	}
	dlen = i2d_ECDSA_SIG(s, &der);
	if (dlen > 0 && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
	    EVP_DigestVerify(md, der, (size_t)dlen, msg, len) == 1)
		ret = 0;
out:
	ERR_clear_error();
	OPENSSL_free(der);
	EVP_MD_CTX_free(md);
	ECDSA_SIG_free(s);
	return ret;
}

/* The AK as an EVP_PKEY (uncompressed point 04 || x || y), NULL if not on P-256. */
static EVP_PKEY *ak_pkey(const uint8_t ak[64])
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	OSSL_PARAM *params = NULL;
	EVP_PKEY *key = NULL;
	uint8_t pt[65];

	pt[0] = 0x04;
	memcpy(pt + 1, ak, 64);
	if (!bld || !ctx ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt)))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	if (!params || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1)
		key = NULL;
out:
	ERR_clear_error();
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	return key;
}

static enum tdxq_check fail(struct tdxq_result *res, enum tdxq_check c, const char *msg)
{
	res->failed = c;
	snprintf(res->detail, sizeof(res->detail), "%s", msg);
	return c;
}

/**
 * tdx_quote_verify() - verify a TDX quote to the pinned root, offline
 * @buf: the quote
 * @len: its length
 * @root: the trusted root (tdx_sgx_root(), or a test root)
 * @col: DCAP collateral, or NULL: then the TCB status is "unknown"
 * @now: the verification time (certificates, CRLs, collateral windows)
 * @res: the verdict, the first failed check and the TCB status
 *
 * Stale collateral is reported (TDXQ_STALE) only when the quote itself verified:
 * a forged quote with stale collateral is a forgery.
 *
 * Return: the first check that failed (res->failed), or TDXQ_OK.
 */
enum tdxq_check tdx_quote_verify(const uint8_t *buf, size_t len, X509 *root,
				 const struct dcap_collateral *col, time_t now,
				 struct tdxq_result *res)
{
	X509 *certs[TDX_PCK_CHAIN_MAX] = { 0 };
	STACK_OF(X509_CRL) *crls = NULL;
	uint8_t hash[SHA256_DIGEST_LENGTH];
	static const uint8_t zero[32];
	struct tdx_quote q;
	EVP_PKEY *ak = NULL;
	EVP_MD_CTX *md = NULL;
	enum tdxq_check c;
	char stale_detail[sizeof(res->detail)] = "";
	bool stale, stale_col = false;
	size_t n = 0, i;

	memset(res, 0, sizeof(*res));
	snprintf(res->tcb_status, sizeof(res->tcb_status), "unknown");
	if (tdx_quote_parse(buf, len, &q)) {
		c = fail(res, TDXQ_PARSE, "not a well-formed TDX quote (v4/v5, ECDSA P-256, "
			 "QE report certification data with a PCK chain)");
		goto out;
	}
	if (col) {
		c = dcap_collateral_verify(col, root, now, stale_detail, sizeof(stale_detail));
		if (c == TDXQ_STALE) {
			/* verify the quote all the same: a forgery is a failure, not stale */
			stale_col = true;
		} else if (c) {
			fail(res, c, stale_detail);
			goto out;
		}
		crls = dcap_crls(col);
		if (!crls) {
			c = fail(res, TDXQ_COLLATERAL, "out of memory");
			goto out;
		}
	}
	if (tdx_pem_chain_parse(q.pck_pem, q.pck_pem_len, true, certs, TDX_PCK_CHAIN_MAX, &n)) {
		c = fail(res, TDXQ_PCK_CHAIN, "PCK certificate chain: not canonical PEM");
		goto out;
	}
	if (tdx_verify_chain(certs, n, root, crls, now, res->detail, sizeof(res->detail),
			     &stale)) {
		/* out of a validity window: check the chain's signatures all the same */
		if (stale)
			snprintf(stale_detail, sizeof(stale_detail), "PCK chain: %.180s",
				 res->detail);
		if (!stale || tdx_verify_chain(certs, n, root, NULL, 0, res->detail,
					       sizeof(res->detail), &stale)) {
			c = res->failed = TDXQ_PCK_CHAIN;
			goto out;
		}
		stale_col = true;
	}
	if (tdx_pck_ext_parse(certs[0], &res->pck)) {
		c = fail(res, TDXQ_PCK_CHAIN, "PCK certificate: SGX extension malformed");
		goto out;
	}
	if (tdx_verify_p256(X509_get0_pubkey(certs[0]), q.qe_report, TDX_QE_REPORT_SIZE, q.qe_sig)) {
		c = fail(res, TDXQ_QE_REPORT_SIG, "QE report signature does not verify "
			 "with the PCK certificate's key");
		goto out;
	}
	md = EVP_MD_CTX_new();
	if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(md, q.ak, 64) != 1 ||
	    EVP_DigestUpdate(md, q.qe_auth, q.qe_auth_len) != 1 ||
	    EVP_DigestFinal_ex(md, hash, NULL) != 1 ||
	    memcmp(hash, q.qe.report_data, 32) || memcmp(zero, q.qe.report_data + 32, 32)) {
		c = fail(res, TDXQ_AK_BINDING, "QE report REPORTDATA is not SHA-256 of "
			 "the attestation key and QE auth data");
		goto out;
	}
	ak = ak_pkey(q.ak);
	if (!ak || tdx_verify_p256(ak, q.signed_data, q.signed_len, q.sig)) {
		c = fail(res, TDXQ_QUOTE_SIG, "quote signature does not verify with the "
			 "attestation key");
		goto out;
	}
	if (stale_col)
		c = fail(res, TDXQ_STALE, stale_detail);
	else
		c = col ? dcap_evaluate(col, &q, &res->pck, res) : TDXQ_OK;
out:
	sk_X509_CRL_pop_free(crls, X509_CRL_free);
	for (i = 0; i < n; i++)
		X509_free(certs[i]);
	EVP_PKEY_free(ak);
	EVP_MD_CTX_free(md);
	return c;
}
