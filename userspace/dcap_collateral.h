/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Intel DCAP collateral for TDX quotes, in the JSON shape Intel's PCS serves and
 * dcap-qvl stores (tests/data/tdx-dcap/collateral.json): one object with
 *   tcb_info (string: the signed TCB info JSON, v3, id "TDX"), tcb_info_signature
 *   (hex r||s), tcb_info_issuer_chain (PEM); qe_identity (string, id "TD_QE"),
 *   qe_identity_signature, qe_identity_issuer_chain; root_ca_crl and pck_crl (hex
 *   DER), pck_crl_issuer_chain (PEM).
 * Every item is verified to the pinned root and checked against its validity window
 * at the verification time; an item outside its window is stale (exit 2).
 */
#ifndef CVMG_DCAP_COLLATERAL_H
#define CVMG_DCAP_COLLATERAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

#include "tdx_quote.h"

#define DCAP_MAX_LEVELS		32
#define DCAP_MAX_MODULES	8
#define DCAP_ADV_LEN		256

struct dcap_level {
	uint8_t sgx[16];
	uint16_t pcesvn;
	uint8_t tdx[16];
	uint16_t isvsvn;		/* QE identity and TDX module levels */
	char status[40];
	char advisories[DCAP_ADV_LEN];
};

struct dcap_module {
	uint8_t minor;			/* "TDX_%02X" */
	uint8_t mrsigner[48];
	uint64_t attributes, attributes_mask;
	size_t nlevels;
	struct dcap_level levels[DCAP_MAX_LEVELS];
};

struct dcap_collateral {
	X509 *tcb_chain[TDX_PCK_CHAIN_MAX], *qe_chain[TDX_PCK_CHAIN_MAX];
	X509 *crl_chain[TDX_PCK_CHAIN_MAX];
	size_t ntcb_chain, nqe_chain, ncrl_chain;
	X509_CRL *root_crl, *pck_crl;
	char *tcb_info, *qe_identity;	/* the signed bytes */
	uint8_t tcb_sig[64], qe_sig[64];
	/* TCB info */
	int tcb_version;
	char tcb_id[8];
	time_t tcb_issue, tcb_next;
	uint8_t fmspc[6], pceid[2];
	bool has_module;
	uint8_t module_mrsigner[48];
	uint64_t module_attributes, module_attributes_mask;
	size_t nmodules;
	struct dcap_module modules[DCAP_MAX_MODULES];
	size_t nlevels;
	struct dcap_level levels[DCAP_MAX_LEVELS];
	/* QE identity */
	int qe_version;
	char qe_id[8];
	time_t qe_issue, qe_next;
	uint32_t miscselect, miscselect_mask;
	uint8_t attributes[16], attributes_mask[16];
	uint8_t mrsigner[32];
	uint16_t isvprodid;
	size_t nqe_levels;
	struct dcap_level qe_levels[DCAP_MAX_LEVELS];
};

int cvmg_parse_rfc3339(const char *s, time_t *out);
int dcap_collateral_parse(const uint8_t *json, size_t len, struct dcap_collateral *c);
void dcap_collateral_free(struct dcap_collateral *c);
enum tdxq_check dcap_collateral_verify(const struct dcap_collateral *c, X509 *root,
				       time_t now, char *detail, size_t dlen);
STACK_OF(X509_CRL) *dcap_crls(const struct dcap_collateral *c);
enum tdxq_check dcap_evaluate(const struct dcap_collateral *c, const struct tdx_quote *q,
			      const struct tdx_pck_ext *pck, struct tdxq_result *res);

#endif /* CVMG_DCAP_COLLATERAL_H */
