/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-volume rollback records in TPM NV: one small owner-written index per sealed
 * volume, in a bounded range. See tpm_nv.c and Documentation/disk.rst.
 */
#ifndef CVMG_TPM_NV_H
#define CVMG_TPM_NV_H

#include <stdbool.h>
#include <stdint.h>

#include "tpm_seal.h"

#define CVMG_NV_BASE 0x01800c00u  /* TCG owner range */
#define CVMG_NV_COUNT 32u         /* volumes per TPM */
#define CVMG_NV_SIZE 80u          /* bytes per record */
#define CVMG_NV_TAG_LEN 16
#define CVMG_NV_MAC_REQUIRED 1u   /* unlock only through a cvmguard token with a MAC */
#define CVMG_NV_COUNTER_OFFSET 16u /* the big-endian u64 counter, PolicyNV's operand */
#define CVMG_NV_NAME_LEN 34       /* an index's name: SHA-256 alg id + digest */

struct cvmg_nv_rec {
	uint32_t index;           /* 0: none chosen yet */
	bool defined;             /* index exists in the TPM (found, or stored) */
	uint32_t flags;
	uint64_t counter;         /* the highest rotation counter enrolled */
	char uuid[37];
	uint8_t tag[CVMG_NV_TAG_LEN]; /* derived from the volume key */
};

int cvmg_nv_find_uuid(struct cvmg_tpm *tpm, const char *uuid, struct cvmg_nv_rec *rec);
int cvmg_nv_find_tag(struct cvmg_tpm *tpm, const uint8_t tag[CVMG_NV_TAG_LEN],
		     struct cvmg_nv_rec *rec);
int cvmg_nv_free_count(struct cvmg_tpm *tpm, unsigned int *free_count);
int cvmg_nv_pick(struct cvmg_tpm *tpm, const char *uuid, uint32_t *index);
int cvmg_nv_store(struct cvmg_tpm *tpm, struct cvmg_nv_rec *rec);
void cvmg_nv_name(uint32_t index, uint8_t name[CVMG_NV_NAME_LEN]);
int cvmg_nv_policy_digest(uint32_t index, uint64_t counter, uint8_t digest[32]);
int cvmg_nv_policy(struct cvmg_tpm *tpm, uint32_t session, uint32_t index, uint64_t counter);
int cvmg_nv_remove(struct cvmg_tpm *tpm, uint32_t index);
void cvmg_nv_encode(const struct cvmg_nv_rec *rec, uint8_t out[CVMG_NV_SIZE]);
int cvmg_nv_decode(const uint8_t *in, size_t len, struct cvmg_nv_rec *rec);

#endif
