/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The whole offline verification of one piece of evidence (raw SNP report, HCL
 * report, TD quote or evidence bundle), from AMD's root to the TPM quote, with every claim
 * and check recorded in a JSON document for the caller to print.
 */
#ifndef CVMG_VERIFIER_H
#define CVMG_VERIFIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/x509.h>

#include "policy.h"

enum verifier_kind {
	VERIFIER_UNKNOWN = 0,
	VERIFIER_SNP_REPORT,
	VERIFIER_HCL_REPORT,
	VERIFIER_BUNDLE,
	VERIFIER_TD_QUOTE,
};

struct verifier_input {
	const uint8_t *evidence;	/* the file */
	size_t len;
	X509 *vcek;			/* --vcek, or NULL */
	X509 **chain;			/* --chain: VCEK, ASK, ARK (or ASK, ARK) */
	size_t nchain;
	X509 **roots;			/* --root: replaces the pinned ARKs; NULL: pinned */
	size_t nroots;
	X509_CRL **crls;		/* --crl: AMD's CRLs (ARK's, listing ASKs) */
	size_t ncrls;
	const uint8_t *nonce;		/* --nonce, or NULL */
	size_t nonce_len;		/* 1 to 64 when nonce is set */
	bool no_nonce;			/* --no-nonce: HCL evidence without a nonce */
	const struct cvmg_policy *policy;	/* --policy, or NULL: the default */
	const char *cache_dir;		/* certificate cache, or NULL */
	time_t now;			/* certificate validity is checked at this time */
	const uint8_t *td_quote;	/* --td-quote: for an HCL report's TDREPORT */
	size_t td_quote_len;
	const uint8_t *collateral;	/* --collateral: DCAP collateral JSON */
	size_t collateral_len;
	X509 *intel_root;		/* --intel-root, or NULL: Intel's pinned root */
};

enum verifier_kind verifier_detect(const uint8_t *buf, size_t len);
int verifier_run(const struct verifier_input *in, json_object **result);
char *verifier_json(json_object *res, bool pretty);
void verifier_print_text(FILE *f, json_object *res);

/* verify.c: the certificates a user names (--root, --chain, --vcek, --intel-root) */
int cvmg_load_certs(const char *path, X509 **certs, size_t *n);
int cvmg_verify_now(time_t *now);

#endif /* CVMG_VERIFIER_H */
