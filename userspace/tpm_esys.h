/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The ESAPI connection behind struct cvmg_tpm, shared by the files that talk to
 * the TPM through tpm2-tss (tpm_seal.c, tpm_srk.c, tpm_attest.c). Not for other callers.
 */
#ifndef CVMG_TPM_ESYS_H
#define CVMG_TPM_ESYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_tctildr.h>

struct cvmg_tpm {
	TSS2_TCTI_CONTEXT *tcti;
	ESYS_CONTEXT *esys;
	TSS2_RC last_rc;
	ESYS_TR srk;            /* the SRK, once verified (srk_ok) */
	bool srk_ok;
	uint8_t srk_name[68];   /* its name (TPM2B_NAME contents) */
	size_t srk_name_len;
	bool pin_set;           /* pin_auth holds the PIN's authValue (pin.c) */
	uint8_t pin_auth[32];
};

bool cvmg_tpm_rc_is(TSS2_RC rc, TSS2_RC want);
int cvmg_tpm_err(struct cvmg_tpm *t, TSS2_RC rc);
int cvmg_tpm_srk_verify(struct cvmg_tpm *t, bool relearn);

/* A storage primary's attributes; an SRK also has noDA (cvmg_primary_template()). */
#define CVMG_PRIMARY_ATTRS (TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT | \
			    TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | \
			    TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH)
void cvmg_primary_template(TPMI_ALG_PUBLIC type, bool noda, TPM2B_PUBLIC *out);
int cvmg_tpm_salt_key(struct cvmg_tpm *t, ESYS_TR *key);

#endif /* CVMG_TPM_ESYS_H */
