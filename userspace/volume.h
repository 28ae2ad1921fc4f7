/* SPDX-License-Identifier: GPL-2.0-only */
/* LUKS2 volumes whose key is sealed to the TPM: enroll, unlock, lock, rotate, reseal. */
#ifndef CVMG_VOLUME_H
#define CVMG_VOLUME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tpm_seal.h"

#define CVMG_RECOVERY_KEY_LEN 71 /* 8 groups of 8 hex digits, 7 dashes */

struct cvmg_enroll_opts {
	const char *device;
	uint32_t pcr_mask;
	bool format;             /* overwrite a device that holds data */
	const char *key_file;    /* an existing LUKS2 passphrase, to add a keyslot */
	bool systemd_token;      /* also write a systemd-tpm2 token (default) */
	bool pin;                /* seal with a PIN too (systemd's tpm2-pin) */
	char *recovery_key;      /* if set: a locked buffer of CVMG_RECOVERY_KEY_LEN + 1 */
};

struct cvmg_enroll_result {
	bool formatted;
	bool srk_created;
	int keyslot;
	int recovery_keyslot;
	int sector_size;
};

struct cvmg_reseal_opts {
	const char *device;
	uint32_t pcr_mask;       /* the PCRs to seal to; 0: the old token's */
	uint32_t value_mask;     /* PCRs sealed to @values instead of their current value */
	uint8_t values[CVMG_PCR_COUNT][32];
	const char *key_file;    /* prove authority with a passphrase (recovery key)
				  * instead of unsealing with the current PCRs */
	bool pin;                /* the new seal needs a PIN (one the old had stays) */
};

struct cvmg_reseal_result {
	int old_slot;            /* the keyslot removed */
	int new_slot;            /* the keyslot added */
	int proven_slot;         /* the keyslot the key file opened, or -1 */
	uint32_t pcr_mask;       /* the PCRs sealed to */
	bool predicted;          /* sealed to values the PCRs do not hold now */
	uint64_t counter;        /* the rollback counter now committed */
	bool pin;                /* the new seal needs the PIN */
};

struct cvmg_unlock_result {
	const char *token_type;  /* the token that opened it */
	int keyslot;
	unsigned int retries;    /* PCR_CHANGED races retried */
	int measured;            /* cvmg_measure_volume()'s answer */
	uint32_t measured_pcr;   /* and where the event went, when it is 0 */
	uint64_t measured_seq;
};

int cvmg_volume_is_blank(const char *device, bool *blank);
int cvmg_volume_enroll(struct cvmg_enroll_opts *opts, struct cvmg_enroll_result *res);
int cvmg_volume_unlock(const char *device, const char *name, uint32_t flags,
		       struct cvmg_unlock_result *res);
int cvmg_volume_lock(const char *name);
int cvmg_volume_rotate(const char *device, uint32_t pcr_mask, bool pin, int *old_slot,
		       int *new_slot);
struct cvmg_pin_src;
void cvmg_volume_pin_source(const struct cvmg_pin_src *src);
int cvmg_volume_reseal(const struct cvmg_reseal_opts *o, struct cvmg_reseal_result *res);
int cvmg_volume_uuid(const char *device, char *uuid, size_t len);
void cvmg_crypt_log_to_helper(void);
uint32_t cvmg_volume_last_tpm_rc(void);
const char *cvmg_volume_last_why(void);
void cvmg_volume_lock_shared(bool shared);

/* The measurement of an unlocked volume; see volume_measure.c. */
int cvmg_volume_event(const char *uuid, const uint8_t header_digest[32], char *buf, size_t size);
int cvmg_measure_volume(const char *uuid, const uint8_t header_digest[32], uint32_t *pcr,
			uint64_t *seq);

#endif
