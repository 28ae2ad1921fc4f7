// SPDX-License-Identifier: GPL-2.0-only
/*
 * AMD certificate chain: ARK (self-signed) -> ASK -> VCEK, every link RSA-PSS with
 * SHA-384, MGF1-SHA-384 and a 48-byte salt, checked against a caller-given time.
 * The VCEK's extensions carry the TCB it was issued for and the chip's hardware ID;
 * both must match the report it signed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "amd_certs.h"

/*
 * The AlgorithmIdentifier AMD uses on every certificate: rsassaPss with
 * hashAlgorithm sha384, maskGenAlgorithm mgf1(sha384), saltLength 48, and the
 * trailerField 1 written out. The second form omits the default trailer field.
 */
static const uint8_t pss_alg_der[] = {
	0x30, 0x46, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a, 0x30,
	0x39, 0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
	0x02, 0x02, 0x05, 0x00, 0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
	0xf7, 0x0d, 0x01, 0x01, 0x08, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
	0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0xa2, 0x03, 0x02, 0x01, 0x30, 0xa3, 0x03, 0x02,
	0x01, 0x01,
};

/**
 * amd_cert_parse() - parse one certificate, DER or PEM
 * @buf: the encoding
 * @len: its length
 * @out: receives the certificate (X509_free() it)
 *
 * DER input must be exactly one certificate with nothing after it.
 *
 * Return: 0, or -EBADMSG when it is neither.
 */
int amd_cert_parse(const uint8_t *buf, size_t len, X509 **out)
{
	const unsigned char *p = buf;
	BIO *bio;
	X509 *x;

	*out = NULL;
	if (len > 0 && buf[0] == 0x30) {
		x = d2i_X509(NULL, &p, (long)len);
		if (!x)
			return -EBADMSG;
		if ((size_t)(p - buf) != len) {
			X509_free(x);
			return -EBADMSG;
		}
		*out = x;
		return 0;
	}
	bio = BIO_new_mem_buf(buf, (int)len);
	if (!bio)
		return -ENOMEM;
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (!x)
		return -EBADMSG;
	*out = x;
	return 0;
}

/**
 * amd_chain_parse_pem() - parse every certificate of a PEM file, in file order
 * @buf: the PEM text
 * @len: its length
 * @certs: receives up to @max certificates (X509_free() each)
 * @max: room in @certs
 * @n: receives the count
 *
 * Return: 0, -EBADMSG when a block does not parse or there is none, -E2BIG.
 */
int amd_chain_parse_pem(const uint8_t *buf, size_t len, X509 **certs, size_t max, size_t *n)
{
	BIO *bio;
	X509 *x;
	int ret = 0;

	*n = 0;
	bio = BIO_new_mem_buf(buf, (int)len);
	if (!bio)
		return -ENOMEM;
	for (;;) {
		x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		if (!x)
			break;
		if (*n == max) {
			X509_free(x);
			ret = -E2BIG;
			goto out;
		}
		certs[(*n)++] = x;
	}
	/* Stopping anywhere but at the end of input means a damaged block. */
	if (ERR_GET_REASON(ERR_peek_last_error()) != PEM_R_NO_START_LINE || !*n)
		ret = -EBADMSG;
out:
	ERR_clear_error();
	BIO_free(bio);
	if (ret) {
		while (*n)
			X509_free(certs[--(*n)]);
	}
	return ret;
}

/**
 * amd_pinned_cert() - the pinned ARK or ASK of a product
 * @prod: Milan, Genoa or Turin
 * @ask: false for the ARK, true for the ASK
 * @out: receives the certificate (X509_free() it)
 *
 * Return: 0, -ENOENT for an unknown product.
 */
int amd_pinned_cert(enum snp_product prod, bool ask, X509 **out)
{
	const char *pem = amd_pinned_pem(prod, ask);

	*out = NULL;
	if (!pem)
		return -ENOENT;
	return amd_cert_parse((const uint8_t *)pem, strlen(pem), out);
}

static int get_ext(X509 *cert, const char *oid, const uint8_t **data, int *len)
{
	ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
	X509_EXTENSION *ext;
	ASN1_OCTET_STRING *os;
	int idx;

	if (!obj)
		return -ENOMEM;
	idx = X509_get_ext_by_OBJ(cert, obj, -1);
	ASN1_OBJECT_free(obj);
	if (idx < 0)
		return -ENOENT;
	ext = X509_get_ext(cert, idx);
	os = X509_EXTENSION_get_data(ext);
	*data = ASN1_STRING_get0_data(os);
	*len = ASN1_STRING_length(os);
	return 0;
}

static const char *name_cn(const X509_NAME *name, char *buf, int size)
{
	buf[0] = '\0';
	if (X509_NAME_get_text_by_NID((X509_NAME *)name, NID_commonName, buf, size) < 0)
		buf[0] = '\0';
	return buf;
}

/**
 * amd_cert_product() - the product an AMD certificate belongs to
 * @cert: an ARK, ASK, ASVK, VCEK or VLEK
 *
 * Uses the VCEK's product name extension ("Milan-B0") when present, else the
 * product named in the issuer's common name ("ARK-Milan", "SEV-Genoa",
 * "SEV-VLEK-Turin").
 *
 * Return: the product, or SNP_PRODUCT_UNKNOWN.
 */
enum snp_product amd_cert_product(X509 *cert)
{
	const uint8_t *d;
	char cn[64], name[32];
	const char *dash;
	int len;

	if (!get_ext(cert, AMD_OID_PRODUCT_NAME, &d, &len) && len > 2 && d[0] == 0x16 &&
	    d[1] == len - 2 && len - 2 < (int)sizeof(name)) {
		memcpy(name, d + 2, (size_t)len - 2);
		name[len - 2] = '\0';
		return snp_product_from_name(name);
	}
	name_cn(X509_get_issuer_name(cert), cn, sizeof(cn));
	dash = strrchr(cn, '-');
	return dash ? snp_product_from_name(dash + 1) : SNP_PRODUCT_UNKNOWN;
}

static bool pss_sha384_alg(X509 *cert)
{
	const X509_ALGOR *alg;
	unsigned char *der = NULL;
	bool ok = false;
	int len;

	X509_get0_signature(NULL, &alg, cert);
	len = i2d_X509_ALGOR(alg, &der);
	if (len == (int)sizeof(pss_alg_der))
		ok = !memcmp(der, pss_alg_der, sizeof(pss_alg_der));
	else if (len == (int)sizeof(pss_alg_der) - 5)	/* trailerField omitted */
		ok = der[1] == 0x41 && der[14] == 0x34 &&
		     !memcmp(der + 15, pss_alg_der + 15, sizeof(pss_alg_der) - 20);
	OPENSSL_free(der);
	return ok;
}

/**
 * amd_cert_check_issued() - check that @issuer signed @child and @child is valid
 * @child: the certificate checked
 * @issuer: the certificate whose key signed it (== @child for a root)
 * @now: the time at which @child must be within its validity period
 *
 * The issuer name must match, the signature algorithm must be exactly RSA-PSS
 * SHA-384/MGF1-SHA-384/salt 48, the issuer key RSA of at least 4096 bits, and the
 * signature must verify over @child's TBSCertificate as encoded.
 *
 * Return: 0, -EKEYREJECTED on a name, algorithm, key or signature failure,
 * -EKEYEXPIRED when @now is outside @child's validity.
 */
int amd_cert_check_issued(X509 *child, X509 *issuer, time_t now)
{
	EVP_PKEY *key = X509_get0_pubkey(issuer);
	time_t t = now;
	int ret = 0;

	if (X509_NAME_cmp(X509_get_issuer_name(child), X509_get_subject_name(issuer)))
		return -EKEYREJECTED;
	if (!pss_sha384_alg(child))
		return -EKEYREJECTED;
	if (!key || (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA &&
		     EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA_PSS) ||
	    EVP_PKEY_get_bits(key) < 4096)
		return -EKEYREJECTED;
	/* X509_cmp_time() returns 0 for a time it cannot parse: that is not valid. */
	if (X509_verify(child, key) != 1)
		ret = -EKEYREJECTED;
	else if (X509_cmp_time(X509_get0_notBefore(child), &t) != -1 ||
		 X509_cmp_time(X509_get0_notAfter(child), &t) != 1)
		ret = -EKEYEXPIRED;
	ERR_clear_error();
	return ret;
}

static bool is_p384(EVP_PKEY *key)
{
	char group[32];

	return key && EVP_PKEY_get_base_id(key) == EVP_PKEY_EC &&
	       EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group,
					       sizeof(group), NULL) &&
	       !strcmp(group, "secp384r1");
}

/**
 * amd_verify_chain() - verify ARK -> ASK -> leaf at time @now
 * @ark: the trusted root (pinned, or given with --root)
 * @ask: the ASK (or ASVK for a VLEK)
 * @leaf: the VCEK or VLEK
 * @now: verification time
 * @link: receives the link that failed (may be NULL)
 *
 * The ARK must be self-signed, the ASK a CA signed by the ARK, the leaf signed by
 * the ASK and carry an EC P-384 key; every certificate must be valid at @now.
 *
 * Return: 0, -EKEYREJECTED, or -EKEYEXPIRED.
 */
int amd_verify_chain(X509 *ark, X509 *ask, X509 *leaf, time_t now, enum amd_chain_link *link)
{
	return amd_verify_chain_crl(ark, ask, leaf, now, NULL, 0, link);
}

/*
 * The same chain through OpenSSL's own path validation: an X509_STORE holding
 * only @ark as trust anchor, @ask as the one untrusted intermediate, the time
 * @now (X509_VERIFY_PARAM), critical extensions OpenSSL does not handle refused.
 */
static int store_verify(X509 *ark, X509 *ask, X509 *leaf, time_t now,
			enum amd_chain_link *link)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	X509_VERIFY_PARAM *param;
	int ret = -ENOMEM, err, depth;

	if (!store || !ctx || !untrusted || !X509_STORE_add_cert(store, ark) ||
	    !sk_X509_push(untrusted, ask))
		goto out;
	if (!X509_STORE_CTX_init(ctx, store, leaf, untrusted))
		goto out;
	param = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_time(param, now);
	X509_VERIFY_PARAM_set_depth(param, 2);
	/* Not X509_V_FLAG_X509_STRICT: AMD's VCEKs have no authority key identifier. */
	ret = 0;
	if (X509_verify_cert(ctx) != 1) {
		err = X509_STORE_CTX_get_error(ctx);
		depth = X509_STORE_CTX_get_error_depth(ctx);
		*link = depth <= 0 ? AMD_LINK_LEAF : depth == 1 ? AMD_LINK_ASK : AMD_LINK_ARK;
		ret = err == X509_V_ERR_CERT_HAS_EXPIRED || err == X509_V_ERR_CERT_NOT_YET_VALID ||
		      err == X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD ||
		      err == X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD ? -EKEYEXPIRED :
		      err == X509_V_ERR_CERT_REVOKED ? -EKEYREVOKED : -EKEYREJECTED;
	}
out:
	sk_X509_free(untrusted);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	ERR_clear_error();
	return ret;
}

/*
 * Each CRL must be issued by the ARK (AMD's CRL, listing revoked ASKs) or by the
 * ASK, verify with its issuer's key and be current at @now; the certificate its
 * issuer signed in this chain must not be listed. A CRL from neither is refused:
 * the caller meant it for this chain, and it cannot speak for it.
 */
static int check_crls(X509 *ark, X509 *ask, X509 *leaf, time_t now, X509_CRL **crls,
		      size_t ncrls, enum amd_chain_link *link)
{
	X509_REVOKED *rev;
	X509 *issuer, *subject;
	const ASN1_TIME *next;
	time_t t = now;
	size_t i;
	int ret = 0;

	for (i = 0; i < ncrls && !ret; i++) {
		issuer = !X509_NAME_cmp(X509_CRL_get_issuer(crls[i]), X509_get_subject_name(ark)) ?
			 ark : !X509_NAME_cmp(X509_CRL_get_issuer(crls[i]),
					      X509_get_subject_name(ask)) ? ask : NULL;
		subject = issuer == ark ? ask : leaf;
		*link = issuer == ark ? AMD_LINK_ASK : AMD_LINK_LEAF;
		next = issuer ? X509_CRL_get0_nextUpdate(crls[i]) : NULL;
		if (!issuer || X509_CRL_verify(crls[i], X509_get0_pubkey(issuer)) != 1)
			ret = -EKEYREJECTED;
		else if (X509_cmp_time(X509_CRL_get0_lastUpdate(crls[i]), &t) != -1 ||
			 (next && X509_cmp_time(next, &t) != 1))
			ret = -EKEYEXPIRED;
		else if (X509_CRL_get0_by_cert(crls[i], &rev, subject) == 1)
			ret = -EKEYREVOKED;
	}
	ERR_clear_error();
	return ret;
}

/**
 * amd_verify_chain_crl() - verify ARK -> ASK -> leaf at time @now, with CRLs
 * @ark: the trusted root (pinned, or given with --root)
 * @ask: the ASK (or ASVK for a VLEK)
 * @leaf: the VCEK or VLEK
 * @now: verification time
 * @crls: CRLs (AMD's CRL for the ARK/ASK), or NULL
 * @ncrls: how many
 * @link: receives the link that failed (may be NULL)
 *
 * AMD's exact profile first (amd_cert_check_issued() on every link), then
 * OpenSSL's path validation (store_verify()): both must accept the chain; then
 * the CRLs (check_crls()).
 *
 * Return: 0, -EKEYREJECTED, -EKEYEXPIRED (a certificate or CRL out of its
 * validity), or -EKEYREVOKED.
 */
int amd_verify_chain_crl(X509 *ark, X509 *ask, X509 *leaf, time_t now, X509_CRL **crls,
			 size_t ncrls, enum amd_chain_link *link)
{
	enum amd_chain_link l = AMD_LINK_ARK;
	int ret;

	ret = amd_cert_check_issued(ark, ark, now);
	if (ret)
		goto out;
	l = AMD_LINK_ASK;
	ret = amd_cert_check_issued(ask, ark, now);
	if (!ret && X509_check_ca(ask) != 1)
		ret = -EKEYREJECTED;
	if (ret)
		goto out;
	l = AMD_LINK_LEAF;
	ret = amd_cert_check_issued(leaf, ask, now);
	if (!ret && !is_p384(X509_get0_pubkey(leaf)))
		ret = -EKEYREJECTED;
	if (!ret)
		ret = store_verify(ark, ask, leaf, now, &l);
	if (!ret)
		ret = check_crls(ark, ask, leaf, now, crls, ncrls, &l);
out:
	if (link)
		*link = l;
	return ret;
}

/**
 * amd_cert_equal() - whether two certificates have the same DER encoding
 * @a: one certificate
 * @b: another
 *
 * Return: true when identical.
 */
bool amd_cert_equal(X509 *a, X509 *b)
{
	unsigned char *da = NULL, *db = NULL;
	int la = i2d_X509(a, &da), lb = i2d_X509(b, &db);
	bool eq = la > 0 && la == lb && !memcmp(da, db, (size_t)la);

	OPENSSL_free(da);
	OPENSSL_free(db);
	return eq;
}

/* An SPL extension holds a DER INTEGER 0..255. */
static int get_spl(X509 *cert, const char *oid, uint8_t *val)
{
	const uint8_t *d;
	ASN1_INTEGER *ai;
	int64_t v;
	int len, ret;

	ret = get_ext(cert, oid, &d, &len);
	if (ret)
		return ret;
	ai = d2i_ASN1_INTEGER(NULL, &d, len);
	if (!ai)
		return -EBADMSG;
	ret = ASN1_INTEGER_get_int64(&v, ai) == 1 && v >= 0 && v <= 255 ? 0 : -EBADMSG;
	ASN1_INTEGER_free(ai);
	if (!ret)
		*val = (uint8_t)v;
	return ret;
}

/**
 * amd_vcek_ext_parse() - read a VCEK's (or VLEK's) AMD extensions
 * @cert: the certificate
 * @e: filled in
 *
 * hwID is the chip's ID, stored raw in the extension (an OCTET STRING wrapping it
 * is accepted too): 64 bytes on Milan and Genoa, 8 on Turin.
 *
 * Return: 0, or -EBADMSG for an extension that is present but malformed.
 */
int amd_vcek_ext_parse(X509 *cert, struct amd_vcek_ext *e)
{
	const uint8_t *d;
	int len, r1, r2, r3, r4, ret;

	memset(e, 0, sizeof(e[0]));
	if (!get_ext(cert, AMD_OID_PRODUCT_NAME, &d, &len) && len > 2 && d[0] == 0x16 &&
	    d[1] == len - 2 && len - 2 < (int)sizeof(e->product))
		memcpy(e->product, d + 2, (size_t)len - 2);
	r1 = get_spl(cert, AMD_OID_BL_SPL, &e->bl);
	r2 = get_spl(cert, AMD_OID_TEE_SPL, &e->tee);
	r3 = get_spl(cert, AMD_OID_SNP_SPL, &e->snp);
	r4 = get_spl(cert, AMD_OID_UCODE_SPL, &e->ucode);
	if (r1 == -EBADMSG || r2 == -EBADMSG || r3 == -EBADMSG || r4 == -EBADMSG)
		return -EBADMSG;
	e->has_tcb = !r1 && !r2 && !r3 && !r4;
	ret = get_spl(cert, AMD_OID_FMC_SPL, &e->fmc);
	if (ret == -EBADMSG)
		return ret;
	e->has_fmc = !ret;
	if (!get_ext(cert, AMD_OID_HWID, &d, &len)) {
		if ((len == 66 && d[0] == 0x04 && d[1] == 64) ||
		    (len == 10 && d[0] == 0x04 && d[1] == 8))
			d += 2, len -= 2;
		/* 64 bytes on Milan and Genoa; 8 on Turin (VCEK spec 57230, Table 11) */
		if (len != 64 && len != 8)
			return -EBADMSG;
		memcpy(e->hwid, d, (size_t)len);
		e->hwid_len = (size_t)len;
		e->has_hwid = true;
	}
	e->is_vlek = !e->has_hwid && !get_ext(cert, AMD_OID_CSP_ID, &d, &len);
	return 0;
}

/**
 * amd_vcek_match_report() - match a VCEK's extensions with the report it signed
 * @e: the VCEK's extensions
 * @r: the report
 * @prod: the product, which selects the TCB layout of reported_tcb
 * @field: receives the name of the first mismatching field (may be NULL)
 *
 * reported_tcb's bootloader, tee, snp, microcode (and on Turin fmc) SPLs must equal
 * the certificate's; its hwID must equal CHIP_ID (on Turin, an 8-byte hwID equal
 * to CHIP_ID's first 8 bytes) unless the report masks the chip ID or is signed by
 * a VLEK (which has no hwID).
 *
 * Return: 0, -EKEYREJECTED on a mismatch, -ENODATA when the VCEK lacks the TCB
 * extensions.
 */
int amd_vcek_match_report(const struct amd_vcek_ext *e, const struct snp_report *r,
			  enum snp_product prod, const char **field)
{
	struct snp_tcb t;
	const char *bad = NULL;

	snp_tcb_decode(r->reported_tcb, prod, &t);
	if (!e->has_tcb) {
		if (field)
			*field = "tcb extensions";
		return -ENODATA;
	}
	if (e->bl != t.bootloader)
		bad = "blSPL";
	else if (e->tee != t.tee)
		bad = "teeSPL";
	else if (e->snp != t.snp)
		bad = "snpSPL";
	else if (e->ucode != t.microcode)
		bad = "ucodeSPL";
	else if (prod == SNP_PRODUCT_TURIN && (!e->has_fmc || e->fmc != t.fmc))
		bad = "fmcSPL";
	else if (SNP_FLAG_SIGNING_KEY(r->flags) == SNP_SIGNING_KEY_VCEK &&
		 !snp_chip_id_masked(r) &&
		 (!e->has_hwid || e->hwid_len != (prod == SNP_PRODUCT_TURIN ? 8u : 64u) ||
		  memcmp(e->hwid, r->chip_id, e->hwid_len)))
		bad = "hwID";
	if (field)
		*field = bad;
	return bad ? -EKEYREJECTED : 0;
}

/**
 * amd_certs_pem() - certificates as one PEM text, in the order given
 * @certs: the certificates; NULL entries are skipped
 * @n: how many entries
 * @out: receives the text (malloc()ed, not NUL-terminated)
 * @len: its length
 *
 * Return: 0 or -ENOMEM.
 */
int amd_certs_pem(X509 *const *certs, size_t n, char **out, size_t *len)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long l;
	size_t i;
	int ret = 0;

	if (!b)
		return -ENOMEM;
	for (i = 0; i < n && !ret; i++)
		if (certs[i] && PEM_write_bio_X509(b, certs[i]) != 1)
			ret = -ENOMEM;
	l = BIO_get_mem_data(b, &p);
	if (!ret && (l <= 0 || !(*out = malloc((size_t)l))))
		ret = -ENOMEM;
	if (!ret) {
		memcpy(*out, p, (size_t)l);
		*len = (size_t)l;
	}
	BIO_free(b);
	return ret;
}
