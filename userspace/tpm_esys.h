/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The ESAPI connection behind struct cvmg_tpm, shared by the files that talk to
 * the TPM through tpm2-tss (tpm_seal.c, tpm_attest.c). Not for other callers.
 */
#ifndef CVMG_TPM_ESYS_H
#define CVMG_TPM_ESYS_H

#include <stdbool.h>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_tctildr.h>

struct cvmg_tpm {
	TSS2_TCTI_CONTEXT *tcti;
	ESYS_CONTEXT *esys;
	TSS2_RC last_rc;
};

bool cvmg_tpm_rc_is(TSS2_RC rc, TSS2_RC want);

#endif /* CVMG_TPM_ESYS_H */
