/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * TPM2 quotes: TPMS_ATTEST of type TPM_ST_ATTEST_QUOTE, its signature by the
 * attestation key, its qualifying data (the nonce) and its PCR digest.
 */
#ifndef CVMG_TPM_QUOTE_H
#define CVMG_TPM_QUOTE_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#define TPM_GENERATED_VALUE	0xff544347
#define TPM_ST_ATTEST_QUOTE	0x8018
#define TPM_ALG_SHA256		0x000b
#define TPM_ALG_RSASSA		0x0014
#define TPM_ALG_RSAPSS		0x0016
#define TPM_ALG_ECDSA		0x0018
#define TPM_QUOTE_MAX_SEL	4

struct tpm_pcr_select {
	uint16_t hash;
	uint8_t size;
	uint8_t bits[8];	/* up to 64 PCRs */
};

struct tpm_quote {
	uint32_t magic;
	uint16_t type;
	uint8_t signer[68];	/* qualifiedSigner (TPM2B_NAME) */
	uint16_t signer_len;
	uint8_t extra[64];	/* extraData (TPM2B_DATA): the nonce */
	uint16_t extra_len;
	uint64_t clock;
	uint32_t reset_count;
	uint32_t restart_count;
	uint8_t safe;
	uint64_t firmware_version;
	uint32_t nsel;
	struct tpm_pcr_select sel[TPM_QUOTE_MAX_SEL];
	uint8_t pcr_digest[64];
	uint16_t pcr_digest_len;
};

int tpm_quote_parse(const uint8_t *buf, size_t len, struct tpm_quote *q);
int tpm_quote_verify_sig(const uint8_t *msg, size_t msglen, const uint8_t *sig, size_t siglen,
			 EVP_PKEY *ak);
int tpm_quote_check_pcrs(const struct tpm_quote *q, const uint8_t *pcrs, size_t len);
int tpm_quote_check_nonce(const struct tpm_quote *q, const uint8_t *nonce, size_t len);

#endif /* CVMG_TPM_QUOTE_H */
