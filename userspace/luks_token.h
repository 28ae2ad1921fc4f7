/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * LUKS2 token JSON: cvmguard's own token and systemd 252's systemd-tpm2 token, one
 * parser and one writer for both (the fields are the same, under different names).
 */
#ifndef CVMG_LUKS_TOKEN_H
#define CVMG_LUKS_TOKEN_H

#include <stdbool.h>
#include <stdint.h>

#include "tpm_seal.h"

#define CVMG_TOKEN_TYPE "cvmguard"
#define CVMG_SYSTEMD_TOKEN_TYPE "systemd-tpm2"

enum cvmg_token_kind {
	CVMG_TOKEN_CVMGUARD,
	CVMG_TOKEN_SYSTEMD,
};

struct cvmg_token {
	enum cvmg_token_kind kind;
	int keyslot;                  /* the one keyslot the secret opens */
	uint32_t pcr_mask;            /* SHA-256 bank */
	enum cvmg_parent parent;      /* SRK, or systemd's ECC or RSA primary */
	uint8_t salt[64];             /* systemd 254+: tpm2_salt of the PIN (pin.c) */
	size_t salt_len;              /* 0: none (systemd 252, and every cvmguard token) */
	bool has_mac;                 /* cvmguard: the header MAC is present */
	uint8_t mac[32];              /* cvmguard: HMAC over the header's parameters */
	uint64_t counter;             /* cvmguard: rotation counter, under the MAC */
	bool systemd;                 /* cvmguard: made with a systemd-tpm2 twin */
	struct cvmg_sealed sealed;
};

int cvmg_token_to_json(const struct cvmg_token *tok, char **json);
int cvmg_token_from_json(const char *json, struct cvmg_token *tok);

#endif
