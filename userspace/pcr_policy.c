// SPDX-License-Identifier: GPL-2.0-only
/*
 * PolicyPCR digests computed in software, for a seal to PCR values the TPM does not
 * hold yet (cvmguard reseal --pcr-value: the values after an expected change).
 *
 * TPM 2.0 Part 3, 23.7 (TPM2_PolicyPCR), starting from an empty policy:
 *
 *   pcrDigest    = SHA-256(PCR[i] || PCR[j] || ...)   selected PCRs, ascending
 *   policyDigest = SHA-256(0^32 || TPM_CC_PolicyPCR || TPML_PCR_SELECTION || pcrDigest)
 *
 * with TPML_PCR_SELECTION marshalled as one SHA-256 selection of three bytes, as
 * tpm_seal.c sends it to the TPM and as systemd 252 does. The seal cross-checks this
 * against a trial session on the TPM fed the same pcrDigest.
 *
 * PolicyNV (below) is computed the same way, in software only: the index it names
 * may not exist yet when the secret is sealed (a new volume's rollback record).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>

#include "tpm_seal.h"

#define TPM_CC_POLICY_PCR 0x0000017fu
#define TPM_CC_POLICY_NV 0x00000149u
#define TPM_ALG_SHA256 0x000bu

/**
 * cvmg_pcr_digest() - SHA-256 over the selected PCRs' values, ascending
 * @mask: PCRs 0..23
 * @values: a value for each selected PCR (the others are not read)
 * @out: the digest
 *
 * Return: 0, -EINVAL for an empty mask, -EIO.
 */
int cvmg_pcr_digest(uint32_t mask, const uint8_t values[CVMG_PCR_COUNT][32], uint8_t out[32])
{
	EVP_MD_CTX *ctx;
	unsigned int i, len = 0;
	int ret = -EIO;

	if (!mask || mask >> CVMG_PCR_COUNT)
		return -EINVAL;
	ctx = EVP_MD_CTX_new();
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		goto out;
	for (i = 0; i < CVMG_PCR_COUNT; i++)
		if ((mask & (1u << i)) && !EVP_DigestUpdate(ctx, values[i], 32))
			goto out;
	if (EVP_DigestFinal_ex(ctx, out, &len) && len == 32)
		ret = 0;
out:
	EVP_MD_CTX_free(ctx);
	return ret;
}

/**
 * cvmg_pcr_policy_digest() - the PolicyPCR digest for given PCR values
 * @mask: PCRs 0..23 of the SHA-256 bank
 * @values: a value for each selected PCR
 * @out: the policy digest (an object's authPolicy; systemd's tpm2-policy-hash)
 *
 * Return: 0, -EINVAL for an empty mask, -EIO.
 */
int cvmg_pcr_policy_digest(uint32_t mask, const uint8_t values[CVMG_PCR_COUNT][32],
			   uint8_t out[32])
{
	uint8_t buf[32 + 4 + 10 + 32];
	unsigned int len = 0;
	int ret;

	memset(buf, 0, 32);
	buf[32] = TPM_CC_POLICY_PCR >> 24;
	buf[33] = (TPM_CC_POLICY_PCR >> 16) & 0xff;
	buf[34] = (TPM_CC_POLICY_PCR >> 8) & 0xff;
	buf[35] = TPM_CC_POLICY_PCR & 0xff;
	/* TPML_PCR_SELECTION: count 1; hash; sizeofSelect 3; pcrSelect[3] */
	buf[36] = 0;
	buf[37] = 0;
	buf[38] = 0;
	buf[39] = 1;
	buf[40] = TPM_ALG_SHA256 >> 8;
	buf[41] = TPM_ALG_SHA256 & 0xff;
	buf[42] = 3;
	buf[43] = mask & 0xff;
	buf[44] = (mask >> 8) & 0xff;
	buf[45] = (mask >> 16) & 0xff;
	ret = cvmg_pcr_digest(mask, values, buf + 46);
	if (ret)
		return ret;
	if (!EVP_Digest(buf, sizeof(buf), out, &len, EVP_sha256(), NULL) || len != 32)
		return -EIO;
	return 0;
}

#define TPM_CC_POLICY_AUTH_VALUE 0x0000016bu

/**
 * cvmg_policy_auth_value_extend() - add a PolicyAuthValue step to a policy digest
 * @digest: the digest so far (e.g. cvmg_pcr_policy_digest()'s), updated in place
 *
 * TPM 2.0 Part 3, 23.17: policyDigest' = SHA-256(policyDigest || TPM_CC_PolicyAuthValue).
 * systemd 252 puts this step after PolicyPCR for a sealed object with a PIN.
 *
 * Return: 0, -EIO.
 */
int cvmg_policy_auth_value_extend(uint8_t digest[32])
{
	uint8_t buf[32 + 4];
	unsigned int len = 0;

	memcpy(buf, digest, 32);
	buf[32] = TPM_CC_POLICY_AUTH_VALUE >> 24;
	buf[33] = (TPM_CC_POLICY_AUTH_VALUE >> 16) & 0xff;
	buf[34] = (TPM_CC_POLICY_AUTH_VALUE >> 8) & 0xff;
	buf[35] = TPM_CC_POLICY_AUTH_VALUE & 0xff;
	if (!EVP_Digest(buf, sizeof(buf), digest, &len, EVP_sha256(), NULL) || len != 32)
		return -EIO;
	return 0;
}

/**
 * cvmg_policy_nv_digest() - extend a policy digest by TPM2_PolicyNV
 * @old: the policy digest so far (e.g. PolicyPCR's)
 * @nv_name: the NV index's name (alg id + digest, as the TPM computes it)
 * @name_len: its length
 * @operand: operandB, compared with the index's bytes at @offset
 * @operand_len: its length (at most 64)
 * @offset: where in the index
 * @operation: TPM_EO_* (e.g. 0x0009, TPM_EO_UNSIGNED_LE: index <= operand)
 * @out: the new digest (may be @old)
 *
 * TPM 2.0 Part 3, 23.9 (TPM2_PolicyNV):
 *
 *   args         = SHA-256(operandB || offset (u16) || operation (u16))
 *   policyDigest = SHA-256(old || TPM_CC_PolicyNV || args || nvIndex->Name)
 *
 * Return: 0, -EINVAL for an oversized operand or name, -EIO.
 */
int cvmg_policy_nv_digest(const uint8_t old[32], const uint8_t *nv_name, size_t name_len,
			  const uint8_t *operand, size_t operand_len, uint16_t offset,
			  uint16_t operation, uint8_t out[32])
{
	uint8_t buf[32 + 4 + 32 + CVMG_NAME_MAX], args[64 + 4];
	unsigned int len = 0;

	if (operand_len > 64 || name_len > CVMG_NAME_MAX)
		return -EINVAL;
	memcpy(args, operand, operand_len);
	args[operand_len] = offset >> 8;
	args[operand_len + 1] = offset & 0xff;
	args[operand_len + 2] = operation >> 8;
	args[operand_len + 3] = operation & 0xff;
	memcpy(buf, old, 32);
	buf[32] = TPM_CC_POLICY_NV >> 24;
	buf[33] = (TPM_CC_POLICY_NV >> 16) & 0xff;
	buf[34] = (TPM_CC_POLICY_NV >> 8) & 0xff;
	buf[35] = TPM_CC_POLICY_NV & 0xff;
	if (!EVP_Digest(args, operand_len + 4, buf + 36, &len, EVP_sha256(), NULL) || len != 32)
		return -EIO;
	memcpy(buf + 68, nv_name, name_len);
	if (!EVP_Digest(buf, 68 + name_len, out, &len, EVP_sha256(), NULL) || len != 32)
		return -EIO;
	return 0;
}
