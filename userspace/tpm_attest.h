/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A TPM2_Quote by the vTPM's attestation key over the SHA-256 PCR bank, with the
 * PCR values it covers, through tpm2-tss's ESAPI.
 */
#ifndef CVMG_TPM_ATTEST_H
#define CVMG_TPM_ATTEST_H

#include <stddef.h>
#include <stdint.h>

#include "tpm_seal.h"

#define CVMG_AK_HANDLE		0x81000003u	/* the paravisor's AK (HCLAkPub) */
#define CVMG_QUOTE_PCRS		24		/* PCRs 0-23, SHA-256 bank */
#define CVMG_QUOTE_MAX		1024		/* TPMS_ATTEST or TPMT_SIGNATURE */

struct cvmg_quote {
	uint8_t attest[CVMG_QUOTE_MAX];		/* TPMS_ATTEST, as signed */
	size_t attest_len;
	uint8_t sig[CVMG_QUOTE_MAX];		/* TPMT_SIGNATURE, marshalled */
	size_t sig_len;
	uint8_t pcrs[CVMG_QUOTE_PCRS][32];	/* SHA-256 PCR values, PCR 0 first */
};

int cvmg_tpm_quote(struct cvmg_tpm *tpm, uint32_t ak, const uint8_t *nonce, size_t len,
		   struct cvmg_quote *q);

#endif /* CVMG_TPM_ATTEST_H */
