/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Appraisal policy for verified evidence. Verification always starts from the
 * built-in default policy (policy_init(), printed by policy_print_default()); a
 * policy file (format in policy.c and in cvmguard(8)) relaxes only what it names.
 * Each key applies to the evidence kind it names (snp.*, tdx.*, vtpm.*), so one
 * file serves a mixed fleet. Each violation is reported by the name of the key
 * that would allow it.
 */
#ifndef CVMG_POLICY_H
#define CVMG_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

#include "hcl_report.h"
#include "snp_report.h"
#include "tdx_policy.h"

#define POLICY_MAX_DIGESTS	16
#define POLICY_MAX_VMCFG	16
#define POLICY_MAX_VIOLATIONS	32
#define POLICY_MAX_KEYS		128	/* distinct keys in one file */
#define POLICY_MAX_PCR_PINS	96	/* pcr.BANK.N lines in one file */
#define POLICY_PCR_COUNT	24

/* PCR banks a pcr.BANK.N key may name, in this order (policy_bank_name()). */
enum policy_bank { POLICY_BANK_SHA1, POLICY_BANK_SHA256, POLICY_BANK_SHA384,
		   POLICY_BANK_SHA512, POLICY_BANKS };

/* Evidence forms `expect` may name (policy_form_name()), a mask of these bits. */
enum policy_form { POLICY_FORM_BUNDLE, POLICY_FORM_HCL, POLICY_FORM_SNP,
		   POLICY_FORM_TD_QUOTE, POLICY_FORM_HCL_TD_QUOTE, POLICY_FORMS };

enum policy_tcb { POLICY_TCB_BL, POLICY_TCB_TEE, POLICY_TCB_SNP, POLICY_TCB_UCODE,
		  POLICY_TCB_FMC, POLICY_TCB_COUNT };

/* Where a digest list applies. */
enum policy_scope { POLICY_ANY, POLICY_SNP, POLICY_TDX, POLICY_SCOPES };

/* vmpl: "snp.vmpl" not given: VMPL 0 for HCL reports, any VMPL for raw reports */
#define POLICY_VMPL_DEFAULT	(-1)

struct cvmg_policy {
	/* measurement (any kind), snp.measurement, tdx.mrtd: must match one */
	size_t nmeas[POLICY_SCOPES];
	uint8_t meas[POLICY_SCOPES][POLICY_MAX_DIGESTS][48];
	/* SNP */
	int min_tcb[POLICY_TCB_COUNT];		/* -1: not checked */
	bool allow_debug;			/* snp.allow_debug; default false */
	bool allow_migration_agent;		/* default false */
	bool allow_mbz;				/* snp.allow_nonzero_mbz; default false */
	bool allow_provisional;			/* snp.allow_provisional_firmware */
	bool allow_reported_above_committed;	/* snp.allow_reported_tcb_above_committed */
	int allow_smt;				/* -1: not checked, else 0/1 */
	int vmpl;				/* POLICY_VMPL_DEFAULT, or 0-3 */
	uint32_t min_version;			/* 0: not checked */
	size_t nid_key;
	uint8_t id_key_digest[POLICY_MAX_DIGESTS][48];
	/* TDX */
	bool tdx_allow_debug;			/* tdx.allow_debug; default false */
	bool tdx_allow_unverified;		/* tdx.require_hardware_verified = false */
	struct tdx_policy tdx;			/* tdx.rtmr0-3, tdx.mrseam, tdx.tcb_status... */
	/* vTPM: HCL runtime claims and the quote's PCRs */
	size_t nvmcfg;
	struct { char key[64]; char value[128]; } vmcfg[POLICY_MAX_VMCFG];
	uint32_t unlogged_pcrs;			/* vtpm.unlogged_pcrs */
	/* pcr.BANK.N = HEX (repeatable: the quoted value must be one of them) */
	size_t npcr;
	struct { uint8_t bank, pcr, len; uint8_t value[64]; } pcr[POLICY_MAX_PCR_PINS];
	uint32_t expect;			/* 1 << enum policy_form; 0: any */
};

struct policy_violations {
	size_t n;
	struct { char name[48]; char detail[200]; } v[POLICY_MAX_VIOLATIONS];
};

void policy_init(struct cvmg_policy *p);
void policy_print_default(FILE *f);
int policy_parse(const char *text, size_t len, struct cvmg_policy *p, int *line);
const char *policy_strerror(int err);
void policy_check_snp(const struct cvmg_policy *p, const struct snp_report *r,
		      enum snp_product prod, bool hcl, struct policy_violations *out);
void policy_check_tdx(const struct cvmg_policy *p, const struct tdx_report *t,
		      struct policy_violations *out);
void policy_check_td(const struct cvmg_policy *p, const uint8_t *mrtd, const uint8_t *mrseam,
		     const uint8_t (*rtmr)[48], uint64_t td_attributes,
		     const uint8_t *tee_tcb_svn, struct policy_violations *out);
void policy_check_hw(const struct cvmg_policy *p, bool tdx, bool verified,
		     struct policy_violations *out);
void policy_check_vmcfg(const struct cvmg_policy *p, json_object *vm_config,
			struct policy_violations *out);
const char *policy_bank_name(enum policy_bank bank);
const char *policy_form_name(enum policy_form form);
uint32_t policy_pinned_pcrs(const struct cvmg_policy *p, enum policy_bank bank);
void policy_check_expect(const struct cvmg_policy *p, enum policy_form form,
			 struct policy_violations *out);
void policy_check_pcrs(const struct cvmg_policy *p, uint32_t quoted, const uint8_t *sha256,
		       struct policy_violations *out);
void policy_check_inapplicable(const struct cvmg_policy *p, bool claims, bool quote,
			       const char *why, struct policy_violations *out);
int policy_parse_pcr_list(const char *v, uint32_t *mask);
void policy_check_unlogged(const struct cvmg_policy *p, uint32_t unlogged,
			   struct policy_violations *out);

#endif /* CVMG_POLICY_H */
