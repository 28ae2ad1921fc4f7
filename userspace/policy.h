/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Appraisal policy for verified evidence: a key=value file (format in policy.c
 * and in cvmguard(8)); each violation is reported by the key's name.
 */
#ifndef CVMG_POLICY_H
#define CVMG_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "hcl_report.h"
#include "snp_report.h"
#include "tdx_policy.h"

#define POLICY_MAX_DIGESTS	16
#define POLICY_MAX_VMCFG	16
#define POLICY_MAX_VIOLATIONS	32

enum policy_tcb { POLICY_TCB_BL, POLICY_TCB_TEE, POLICY_TCB_SNP, POLICY_TCB_UCODE,
		  POLICY_TCB_FMC, POLICY_TCB_COUNT };

struct cvmg_policy {
	size_t nmeasurement;
	uint8_t measurement[POLICY_MAX_DIGESTS][48];
	int min_tcb[POLICY_TCB_COUNT];		/* -1: not checked */
	bool allow_debug;			/* default false */
	bool allow_migration_agent;		/* default false */
	bool require_hw_verified;		/* default false */
	int allow_smt;				/* -1: not checked, else 0/1 */
	int vmpl;				/* -1: not checked */
	uint32_t min_version;			/* 0: not checked */
	size_t nid_key;
	uint8_t id_key_digest[POLICY_MAX_DIGESTS][48];
	size_t nvmcfg;
	struct { char key[64]; char value[128]; } vmcfg[POLICY_MAX_VMCFG];
	struct tdx_policy tdx;			/* TD quote keys (tdx_policy.c) */
};

struct policy_violations {
	size_t n;
	struct { char name[48]; char detail[200]; } v[POLICY_MAX_VIOLATIONS];
};

void policy_init(struct cvmg_policy *p);
int policy_parse(const char *text, size_t len, struct cvmg_policy *p, int *line);
void policy_check_snp(const struct cvmg_policy *p, const struct snp_report *r,
		      enum snp_product prod, struct policy_violations *out);
void policy_check_tdx(const struct cvmg_policy *p, const struct tdx_report *t,
		      struct policy_violations *out);
void policy_check_hw(const struct cvmg_policy *p, bool verified,
		     struct policy_violations *out);
void policy_check_vmcfg(const struct cvmg_policy *p, json_object *vm_config,
			struct policy_violations *out);

#endif /* CVMG_POLICY_H */
