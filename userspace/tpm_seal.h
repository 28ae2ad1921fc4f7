/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Sealing a disk secret to the TPM under a PCR policy, and unsealing it over a
 * salted, parameter-encrypted session. See Documentation/disk.rst.
 */
#ifndef CVMG_TPM_SEAL_H
#define CVMG_TPM_SEAL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CVMG_SRK_HANDLE 0x81000001u
#define CVMG_BLOB_MAX 1024        /* TPM2B_PRIVATE || TPM2B_PUBLIC, marshalled */
#define CVMG_NAME_MAX 68          /* TPM2B_NAME: 2-byte alg + up to SHA-512 */
#define CVMG_UNSEAL_RETRIES 10    /* PolicyPCR -> Unseal races with PCR extends */
#define CVMG_TPM_WAIT_MAX 300     /* seconds $CVMGUARD_TPM_WAIT may ask for */
/* The SRK's trusted name: $CVMGUARD_STATE_DIR (default below) / srk.name. */
#define CVMG_STATE_DIR "/var/lib/cvmguard"
/* The object at 0x81000001 is not a storage root key of this TPM's owner seed. */
#define CVMG_ESRK EKEYREVOKED
/* A selected PCR is not allocated in the TPM's SHA-256 bank. */
#define CVMG_EPCRBANK EDOM
#define CVMG_PCR_COUNT 24         /* PCRs 0..23 of a PC-client TPM */
/* The PIN was wrong: the TPM refused the sealed object's authValue (a DA failure). */
#define CVMG_EBADPIN EBADR
/* The TPM is in dictionary-attack lockout: it refuses every PIN for now. */
#define CVMG_ELOCKOUT ENOLCK

/* Under which parent a secret is sealed. */
enum cvmg_parent {
	CVMG_PARENT_SRK,          /* persistent SRK at 0x81000001 (cvmguard token) */
	CVMG_PARENT_SYSTEMD_ECC,  /* systemd 252's transient primary, ECC P-256 */
	CVMG_PARENT_SYSTEMD_RSA,  /* systemd 252's transient primary, RSA 2048 */
};

struct cvmg_sealed {
	uint8_t blob[CVMG_BLOB_MAX];    /* TPM2B_PRIVATE then TPM2B_PUBLIC */
	size_t blob_len;
	uint8_t policy[32];             /* PolicyPCR [, PolicyNV] digest, SHA-256 */
	uint8_t parent_name[CVMG_NAME_MAX]; /* SRK name at seal time (SRK only) */
	size_t parent_name_len;
	bool pin;                       /* PolicyAuthValue after PolicyPCR; userAuth from a PIN */
	uint32_t nv_index;              /* PolicyNV (last) on this rollback record (0: none) */
	uint64_t nv_counter;            /* ... record's counter <= this */
	uint8_t pre_nv[32];             /* the policy digest before PolicyNV */
};

struct cvmg_tpm;

int cvmg_tpm_open(struct cvmg_tpm **tpm);
void cvmg_tpm_close(struct cvmg_tpm *tpm);
int cvmg_tpm_ensure_srk(struct cvmg_tpm *tpm, bool *created);
int cvmg_tpm_seal(struct cvmg_tpm *tpm, enum cvmg_parent parent, uint32_t pcr_mask,
		  const uint8_t *secret, size_t len, struct cvmg_sealed *out);
int cvmg_tpm_seal_values(struct cvmg_tpm *tpm, enum cvmg_parent parent, uint32_t pcr_mask,
			 const uint8_t values[CVMG_PCR_COUNT][32], const uint8_t *secret,
			 size_t len, uint32_t nv_index, uint64_t nv_counter,
			 struct cvmg_sealed *out);
int cvmg_tpm_pcr_read(struct cvmg_tpm *tpm, uint32_t pcr_mask, uint8_t values[CVMG_PCR_COUNT][32]);
int cvmg_tpm_unseal(struct cvmg_tpm *tpm, enum cvmg_parent parent, uint32_t pcr_mask,
		    const struct cvmg_sealed *in, uint8_t *secret, size_t *len,
		    unsigned int *retries);
int cvmg_pcr_parse(const char *list, uint32_t *mask);
int cvmg_tpm_set_pin_auth(struct cvmg_tpm *tpm, const uint8_t auth[32]);
/* pcr_policy.c: PolicyPCR digests for given values, in software */
int cvmg_pcr_digest(uint32_t mask, const uint8_t values[CVMG_PCR_COUNT][32], uint8_t out[32]);
int cvmg_pcr_policy_digest(uint32_t mask, const uint8_t values[CVMG_PCR_COUNT][32],
			   uint8_t out[32]);
int cvmg_policy_auth_value_extend(uint8_t digest[32]);
int cvmg_policy_nv_digest(const uint8_t old[32], const uint8_t *nv_name, size_t name_len,
			  const uint8_t *operand, size_t operand_len, uint16_t offset,
			  uint16_t operation, uint8_t out[32]);
uint32_t cvmg_tpm_last_rc(const struct cvmg_tpm *tpm);

#endif
