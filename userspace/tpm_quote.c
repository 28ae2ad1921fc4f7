// SPDX-License-Identifier: GPL-2.0-only
/*
 * TPM2 quote verification (TPM 2.0 Part 2, TPMS_ATTEST; Part 3, TPM2_Quote).
 *
 * TPMS_ATTEST (big-endian): magic u32 (TPM_GENERATED_VALUE), type u16
 * (TPM_ST_ATTEST_QUOTE), qualifiedSigner TPM2B_NAME, extraData TPM2B_DATA,
 * clockInfo (clock u64, resetCount u32, restartCount u32, safe u8),
 * firmwareVersion u64, then TPMS_QUOTE_INFO: pcrSelect TPML_PCR_SELECTION
 * (count u32, { hash u16, sizeofSelect u8, pcrSelect[] }), pcrDigest TPM2B_DIGEST.
 *
 * The signature is either the bare signature bytes (an RSA signature the size of
 * the key, as tpm2_quote -f plain writes) or a TPMT_SIGNATURE (sigAlg u16, hash
 * u16, then TPM2B for RSASSA/RSAPSS or two TPM2B r, s for ECDSA).
 */
#include <errno.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>

#include "tpm_quote.h"

struct rd {
	const uint8_t *p;
	size_t left;
	int err;
};

static const uint8_t *take(struct rd *r, size_t n)
{
	const uint8_t *p = r->p;

	if (r->err || n > r->left) {
		r->err = -EBADMSG;
		return NULL;
	}
	r->p += n;
	r->left -= n;
	return p;
}

static uint64_t be(struct rd *r, size_t n)
{
	const uint8_t *p = take(r, n);
	uint64_t v = 0;
	size_t i;

	for (i = 0; p && i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* A TPM2B into @dst (at most @max bytes). */
static void tpm2b(struct rd *r, uint8_t *dst, uint16_t *len, size_t max)
{
	uint16_t n = (uint16_t)be(r, 2);
	const uint8_t *p;

	if (n > max) {
		r->err = -EBADMSG;
		return;
	}
	p = take(r, n);
	if (p) {
		memcpy(dst, p, n);
		*len = n;
	}
}

/**
 * tpm_quote_parse() - parse a TPMS_ATTEST that must be a quote
 * @buf: the attestation structure, as signed
 * @len: its length; nothing may follow the structure
 * @q: filled in
 *
 * Return: 0, or -EBADMSG.
 */
int tpm_quote_parse(const uint8_t *buf, size_t len, struct tpm_quote *q)
{
	struct rd r = { buf, len, 0 };
	uint32_t i;

	memset(q, 0, sizeof(*q));
	q->magic = (uint32_t)be(&r, 4);
	q->type = (uint16_t)be(&r, 2);
	if (r.err || q->magic != TPM_GENERATED_VALUE || q->type != TPM_ST_ATTEST_QUOTE)
		return -EBADMSG;
	tpm2b(&r, q->signer, &q->signer_len, sizeof(q->signer));
	tpm2b(&r, q->extra, &q->extra_len, sizeof(q->extra));
	q->clock = be(&r, 8);
	q->reset_count = (uint32_t)be(&r, 4);
	q->restart_count = (uint32_t)be(&r, 4);
	q->safe = (uint8_t)be(&r, 1);
	q->firmware_version = be(&r, 8);
	q->nsel = (uint32_t)be(&r, 4);
	if (r.err || q->nsel > TPM_QUOTE_MAX_SEL)
		return -EBADMSG;
	for (i = 0; i < q->nsel; i++) {
		const uint8_t *p;

		q->sel[i].hash = (uint16_t)be(&r, 2);
		q->sel[i].size = (uint8_t)be(&r, 1);
		if (q->sel[i].size > sizeof(q->sel[i].bits))
			return -EBADMSG;
		p = take(&r, q->sel[i].size);
		if (p)
			memcpy(q->sel[i].bits, p, q->sel[i].size);
	}
	tpm2b(&r, q->pcr_digest, &q->pcr_digest_len, sizeof(q->pcr_digest));
	if (r.err || r.left)
		return -EBADMSG;
	return 0;
}

static int verify(EVP_PKEY *ak, int pad, const uint8_t *msg, size_t msglen,
		  const uint8_t *sig, size_t siglen)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	int ret = -EKEYREJECTED;

	if (!md)
		return -ENOMEM;
	if (EVP_DigestVerifyInit_ex(md, &pctx, "SHA256", NULL, NULL, ak, NULL) != 1)
		goto out;
	if (pad && EVP_PKEY_CTX_set_rsa_padding(pctx, pad) != 1)
		goto out;
	if (pad == RSA_PKCS1_PSS_PADDING &&
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) != 1)
		goto out;
	if (EVP_DigestVerify(md, sig, siglen, msg, msglen) == 1)
		ret = 0;
out:
	EVP_MD_CTX_free(md);
	return ret;
}

static int verify_ecdsa(EVP_PKEY *ak, struct rd *r, const uint8_t *msg, size_t msglen)
{
	uint8_t rb[66], sb[66];
	uint16_t rl = 0, sl = 0;
	ECDSA_SIG *sig = ECDSA_SIG_new();
	BIGNUM *br, *bs;
	unsigned char *der = NULL;
	int dl, ret = -EBADMSG;

	if (!sig)
		return -ENOMEM;
	tpm2b(r, rb, &rl, sizeof(rb));
	tpm2b(r, sb, &sl, sizeof(sb));
	if (r->err || r->left)
		goto out;
	br = BN_bin2bn(rb, rl, NULL);
	bs = BN_bin2bn(sb, sl, NULL);
	if (!br || !bs || !ECDSA_SIG_set0(sig, br, bs)) {
		BN_free(br);
		BN_free(bs);
		ret = -ENOMEM;
		goto out;
	}
	dl = i2d_ECDSA_SIG(sig, &der);
	ret = dl > 0 ? verify(ak, 0, msg, msglen, der, (size_t)dl) : -ENOMEM;
out:
	OPENSSL_free(der);
	ECDSA_SIG_free(sig);
	return ret;
}

/**
 * tpm_quote_verify_sig() - check a quote's signature with the attestation key
 * @msg: the TPMS_ATTEST as signed
 * @msglen: its length
 * @sig: a bare RSA signature or a TPMT_SIGNATURE
 * @siglen: its length
 * @ak: the attestation key's public key
 *
 * Supported: RSASSA-PKCS1-v1_5, RSA-PSS and ECDSA, all with SHA-256.
 *
 * Return: 0, -EKEYREJECTED when the signature does not verify, -EBADMSG for a
 * malformed TPMT_SIGNATURE, -EOPNOTSUPP for another scheme or hash.
 */
int tpm_quote_verify_sig(const uint8_t *msg, size_t msglen, const uint8_t *sig, size_t siglen,
			 EVP_PKEY *ak)
{
	struct rd r = { sig, siglen, 0 };
	int keytype = EVP_PKEY_get_base_id(ak);
	uint16_t alg, hash, n;
	const uint8_t *p;

	if (keytype == EVP_PKEY_RSA && siglen == (size_t)EVP_PKEY_get_size(ak))
		return verify(ak, RSA_PKCS1_PADDING, msg, msglen, sig, siglen);
	alg = (uint16_t)be(&r, 2);
	hash = (uint16_t)be(&r, 2);
	if (r.err)
		return -EBADMSG;
	if (hash != TPM_ALG_SHA256)
		return -EOPNOTSUPP;
	switch (alg) {
	case TPM_ALG_RSASSA:
	case TPM_ALG_RSAPSS:
		n = (uint16_t)be(&r, 2);
		p = take(&r, n);
		if (r.err || r.left)
			return -EBADMSG;
		if (keytype != EVP_PKEY_RSA)
			return -EKEYREJECTED;
		return verify(ak, alg == TPM_ALG_RSASSA ? RSA_PKCS1_PADDING : RSA_PKCS1_PSS_PADDING,
			      msg, msglen, p, n);
	case TPM_ALG_ECDSA:
		if (keytype != EVP_PKEY_EC)
			return -EKEYREJECTED;
		return verify_ecdsa(ak, &r, msg, msglen);
	default:
		return -EOPNOTSUPP;
	}
}

/**
 * tpm_quote_check_pcrs() - pcrDigest == SHA-256 of the selected PCR values
 * @q: a parsed quote; it must select PCRs of the SHA-256 bank only
 * @pcrs: SHA-256 PCR values, 32 bytes each, PCR 0 first
 * @len: their length, a multiple of 32
 *
 * The digest is over the selected PCRs' values in ascending PCR order.
 *
 * Return: 0, -EKEYREJECTED on a mismatch, -EBADMSG when @len is not a multiple of
 * 32 or a selected PCR is missing from @pcrs, -EOPNOTSUPP for other banks.
 */
int tpm_quote_check_pcrs(const struct tpm_quote *q, const uint8_t *pcrs, size_t len)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx;
	size_t npcr = len / 32, i;
	int ret = 0;

	if (len % 32)
		return -EBADMSG;
	if (q->nsel != 1 || q->sel[0].hash != TPM_ALG_SHA256)
		return -EOPNOTSUPP;
	ctx = EVP_MD_CTX_new();
	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < (size_t)q->sel[0].size * 8; i++) {
		if (!(q->sel[0].bits[i / 8] & (1u << (i % 8))))
			continue;
		if (i >= npcr) {
			ret = -EBADMSG;
			goto out;
		}
		EVP_DigestUpdate(ctx, pcrs + 32 * i, 32);
	}
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	if (mdlen != q->pcr_digest_len || memcmp(md, q->pcr_digest, mdlen))
		ret = -EKEYREJECTED;
out:
	EVP_MD_CTX_free(ctx);
	return ret;
}

/**
 * tpm_quote_check_nonce() - extraData equals the expected nonce exactly
 * @q: a parsed quote
 * @nonce: the nonce
 * @len: its length
 *
 * Return: 0, or -EKEYREJECTED.
 */
int tpm_quote_check_nonce(const struct tpm_quote *q, const uint8_t *nonce, size_t len)
{
	if (len != q->extra_len || memcmp(nonce, q->extra, len))
		return -EKEYREJECTED;
	return 0;
}
