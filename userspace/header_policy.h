/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What cvmguard accepts of a LUKS2 header the host wrote: both header copies
 * checked before libcryptsetup loads (and could "repair") them, the loaded metadata
 * checked against a fixed policy, and a MAC keyed from the sealed secret over the
 * parameters that decide how data reaches the disk. See Documentation/disk.rst.
 */
#ifndef CVMG_HEADER_POLICY_H
#define CVMG_HEADER_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CVMG_HDR_POLICY_PATH "/etc/cvmguard/header-policy.conf"
/* cvmg_hdr_allow_load(): root's file is malformed or unusable (already reported). */
#define CVMG_ECONFIG EUCLEAN
#define CVMG_HDR_UUID_LEN 36
#define CVMG_HDR_ALLOW_MAX 16
#define CVMG_HDR_CANON_MAX 512
#define CVMG_HDR_MAC_LEN 32
#define CVMG_HDR_TAG_LEN 16

/* One allowed data cipher: dm-crypt's "cipher-mode-iv" and the key size in bits. */
struct cvmg_hdr_cipher {
	char spec[48];
	unsigned int key_bits;
};

struct cvmg_hdr_allow {
	struct cvmg_hdr_cipher c[CVMG_HDR_ALLOW_MAX];
	size_t n;
};

/* The parameters the policy checked and the MAC covers. */
struct cvmg_hdr_params {
	char uuid[CVMG_HDR_UUID_LEN + 1];
	char encryption[48];
	char offset[24];
	char size[24];
	char iv_tweak[24];
	unsigned int sector_size;
	unsigned int key_bits;
	int keyslot;
};

bool cvmg_hdr_uuid_valid(const char *uuid);
int cvmg_hdr_check_copies(const uint8_t *buf, size_t len, size_t *need, uint8_t digest[32],
			  size_t *used, char *why, size_t wlen);
int cvmg_hdr_read_copies(const char *device, uint8_t digest[32], char **json, char *why,
			 size_t wlen);
void cvmg_hdr_allow_default(struct cvmg_hdr_allow *a);
int cvmg_hdr_allow_parse(const char *text, struct cvmg_hdr_allow *a, unsigned int *bad_line);
int cvmg_hdr_allow_load(struct cvmg_hdr_allow *a);
int cvmg_hdr_policy(const char *json, const char *uuid, int keyslot,
		    const struct cvmg_hdr_allow *a, struct cvmg_hdr_params *p, char *why,
		    size_t wlen);
int cvmg_hdr_canonical(const struct cvmg_hdr_params *p, uint64_t counter, char *buf,
		       size_t len);
int cvmg_hdr_mac(const uint8_t *secret, size_t slen, const char *canon,
		 uint8_t mac[CVMG_HDR_MAC_LEN]);
int cvmg_hdr_tag(const uint8_t *secret, size_t slen, uint8_t tag[CVMG_HDR_TAG_LEN]);

#endif
