// SPDX-License-Identifier: GPL-2.0-only
/*
 * The TPM side of `cvmguard attest`: read the SHA-256 PCR bank and quote it with
 * the attestation key, qualifyingData = the verifier's nonce.
 *
 * The AK's scheme is the one in its public area (the paravisor's is RSASSA with
 * SHA-256); a key without one is asked for RSASSA or ECDSA with SHA-256, which is
 * what the verifier accepts. The quote needs no session secrecy: it is signed, and
 * the verifier checks the signature with HCLAkPub from the hardware-bound claims,
 * so a key swapped in on the way fails there.
 *
 * PCR_Read and Quote are separate commands, so a PCR extended between them leaves
 * values that do not match the quote's pcrDigest; the caller reconciles them with
 * the event log (tcg_log_fit()) or takes the pair again.
 */
#include <errno.h>
#include <string.h>

#include <tss2/tss2_mu.h>

#include "tpm_attest.h"
#include "tpm_esys.h"
#include "tpm_quote.h"

static void select_all(TPML_PCR_SELECTION *sel)
{
	memset(sel, 0, sizeof(*sel));
	sel->count = 1;
	sel->pcrSelections[0].hash = TPM2_ALG_SHA256;
	sel->pcrSelections[0].sizeofSelect = 3;
	memset(sel->pcrSelections[0].pcrSelect, 0xff, 3);
}

/* The SHA-256 bank, 8 PCRs at most per TPM2_PCR_Read. */
static int read_pcrs(struct cvmg_tpm *t, uint8_t pcrs[CVMG_QUOTE_PCRS][32])
{
	TPML_PCR_SELECTION want, *got = NULL;
	TPML_DIGEST *vals = NULL;
	uint32_t left = (1u << CVMG_QUOTE_PCRS) - 1, counter, i, n;
	TSS2_RC rc;
	int ret = 0, rounds;

	for (rounds = 0; left && rounds < CVMG_QUOTE_PCRS; rounds++) {
		select_all(&want);
		for (i = 0; i < 3; i++)
			want.pcrSelections[0].pcrSelect[i] = (uint8_t)(left >> (8 * i));
		rc = Esys_PCR_Read(t->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &want,
				   &counter, &got, &vals);
		if (rc) {
			t->last_rc = rc;
			return -EIO;
		}
		n = 0;
		if (got->count != 1 || got->pcrSelections[0].hash != TPM2_ALG_SHA256) {
			ret = -EPROTO;
			goto next;
		}
		for (i = 0; i < CVMG_QUOTE_PCRS; i++) {
			if (!(got->pcrSelections[0].pcrSelect[i / 8] & (1u << (i % 8))))
				continue;
			if (n >= vals->count || vals->digests[n].size != 32 || !(left & (1u << i))) {
				ret = -EPROTO;
				goto next;
			}
			memcpy(pcrs[i], vals->digests[n].buffer, 32);
			left &= ~(1u << i);
			n++;
		}
		if (!n)
			ret = -EPROTO;	/* no progress: the TPM lacks the bank */
next:
		Esys_Free(got);
		Esys_Free(vals);
		got = NULL;
		vals = NULL;
		if (ret)
			return ret;
	}
	return left ? -EPROTO : 0;
}

/* The scheme to ask for: the key's own (TPM2_ALG_NULL here), else ours. */
static int ak_scheme(struct cvmg_tpm *t, ESYS_TR ak, TPMT_SIG_SCHEME *scheme)
{
	TPM2B_PUBLIC *pub = NULL;
	TPMI_ALG_ASYM_SCHEME s;
	TSS2_RC rc;
	int ret = 0;

	rc = Esys_ReadPublic(t->esys, ak, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &pub,
			     NULL, NULL);
	if (rc) {
		t->last_rc = rc;
		return -EIO;
	}
	memset(scheme, 0, sizeof(*scheme));
	switch (pub->publicArea.type) {
	case TPM2_ALG_RSA:
		s = pub->publicArea.parameters.rsaDetail.scheme.scheme;
		scheme->scheme = s == TPM2_ALG_NULL ? TPM2_ALG_RSASSA : TPM2_ALG_NULL;
		break;
	case TPM2_ALG_ECC:
		s = pub->publicArea.parameters.eccDetail.scheme.scheme;
		scheme->scheme = s == TPM2_ALG_NULL ? TPM2_ALG_ECDSA : TPM2_ALG_NULL;
		break;
	default:
		ret = -EOPNOTSUPP;	/* not a signing key type we verify */
	}
	if (!(pub->publicArea.objectAttributes & TPMA_OBJECT_SIGN_ENCRYPT))
		ret = -EOPNOTSUPP;
	if (scheme->scheme != TPM2_ALG_NULL)
		scheme->details.any.hashAlg = TPM2_ALG_SHA256;
	Esys_Free(pub);
	return ret;
}

/**
 * cvmg_tpm_quote() - quote PCRs 0-23 of the SHA-256 bank with an attestation key
 * @tpm: from cvmg_tpm_open()
 * @ak: the key's persistent handle (CVMG_AK_HANDLE)
 * @nonce: qualifyingData, 1 to 64 bytes
 * @len: its length
 * @q: receives the TPMS_ATTEST, the marshalled TPMT_SIGNATURE and the PCR values
 *     read just before the quote (a PCR extended in between makes them differ
 *     from the quote's pcrDigest)
 *
 * Return: 0; -ENOENT no key at @ak; -EOPNOTSUPP the key cannot sign quotes we
 * verify; -EINVAL a bad nonce length; -EPROTO an odd answer (a quote that is not
 * of the SHA-256 PCRs 0-23); -EIO another TPM failure (cvmg_tpm_last_rc() has
 * the code).
 */
int cvmg_tpm_quote(struct cvmg_tpm *tpm, uint32_t ak, const uint8_t *nonce, size_t len,
		   struct cvmg_quote *q)
{
	TPM2B_ATTEST *quoted = NULL;
	TPMT_SIGNATURE *sig = NULL;
	TPML_PCR_SELECTION sel;
	TPMT_SIG_SCHEME scheme;
	TPM2B_DATA qual = { 0 };
	struct tpm_quote parsed;
	ESYS_TR h = ESYS_TR_NONE;
	size_t off = 0;
	TSS2_RC rc;
	int ret;

	if (!len || len > sizeof(qual.buffer) || len > 64)
		return -EINVAL;
	memset(q, 0, sizeof(*q));
	rc = Esys_TR_FromTPMPublic(tpm->esys, ak, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &h);
	if (rc) {
		tpm->last_rc = rc;
		return cvmg_tpm_rc_is(rc, TPM2_RC_HANDLE) ? -ENOENT : -EIO;
	}
	ret = ak_scheme(tpm, h, &scheme);
	if (ret)
		goto out;
	ret = read_pcrs(tpm, q->pcrs);
	if (ret)
		goto out;
	qual.size = (UINT16)len;
	memcpy(qual.buffer, nonce, len);
	select_all(&sel);
	rc = Esys_Quote(tpm->esys, h, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &qual,
			&scheme, &sel, &quoted, &sig);
	if (rc) {
		tpm->last_rc = rc;
		ret = -EIO;
		goto out;
	}
	if (quoted->size > sizeof(q->attest)) {
		ret = -EPROTO;
		goto out;
	}
	memcpy(q->attest, quoted->attestationData, quoted->size);
	q->attest_len = quoted->size;
	rc = Tss2_MU_TPMT_SIGNATURE_Marshal(sig, q->sig, sizeof(q->sig), &off);
	if (rc) {
		ret = -EPROTO;
		goto out;
	}
	q->sig_len = off;
	ret = tpm_quote_parse(q->attest, q->attest_len, &parsed);
	if (ret) {
		ret = -EPROTO;
		goto out;
	}
	if (parsed.nsel != 1 || parsed.sel[0].hash != TPM_ALG_SHA256 ||
	    parsed.sel[0].size != 3 || memcmp(parsed.sel[0].bits, "\xff\xff\xff", 3) ||
	    parsed.pcr_digest_len != 32)
		ret = -EPROTO;
out:
	Esys_Free(quoted);
	Esys_Free(sig);
	if (h != ESYS_TR_NONE)
		Esys_TR_Close(tpm->esys, &h);
	return ret;
}
