/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Buffers for key material: locked into RAM, kept out of core dumps, wiped on free.
 */
#ifndef CVMG_SECRET_H
#define CVMG_SECRET_H

#include <stddef.h>
#include <stdint.h>

/* The disk secret: 32 random bytes; its base64 form is the keyslot passphrase. */
#define CVMG_SECRET_LEN 32
#define CVMG_PASSPHRASE_LEN 44 /* base64 of 32 bytes, with padding */

void *cvmg_secret_alloc(size_t len);
void cvmg_secret_free(void *p, size_t len);
int cvmg_secret_random(uint8_t *buf, size_t len);
int cvmg_secret_to_passphrase(const uint8_t *secret, size_t len, char *pass, size_t passlen);
void cvmg_secret_harden_process(void);

#endif
