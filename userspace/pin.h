/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The optional PIN of a sealed disk key, as systemd's tpm2-pin: where it comes from
 * (--pin-file, $NEWPIN/$PIN, a terminal prompt) and the TPM authValue it gives.
 */
#ifndef CVMG_PIN_H
#define CVMG_PIN_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CVMG_PIN_MAX 1024          /* bytes of PIN text read from any source */
#define CVMG_PIN_SALT_MAX 64       /* systemd 254+'s tpm2_salt is 32 bytes */
#define CVMG_PIN_PBKDF2_ITER 10000 /* systemd 254+, tpm2_util_pbkdf2_hmac_sha256() */

/* The token needs a PIN and none is available (no --pin-file, $PIN, terminal). */
#define CVMG_ENOPIN ENOMEDIUM
/* --pin-file or the PIN given is unusable (reported by cvmg_pin_get()): exit 64. */
#define CVMG_EPINSRC EBADFD

/* Where a PIN comes from, in this order: FILE, the environment, the terminal. */
struct cvmg_pin_src {
	const char *file;         /* --pin-file FILE ('-': standard input), or NULL */
	bool no_tty;              /* never prompt (udev) */
};

int cvmg_pin_auth(const char *pin, size_t len, const uint8_t *salt, size_t salt_len,
		  uint8_t auth[32]);
int cvmg_pin_read_file(const char *path, char *buf, size_t max, size_t *len);
int cvmg_pin_get(const struct cvmg_pin_src *src, bool new_pin, char *buf, size_t max,
		 size_t *len);
int cvmg_pin_file_arg(const char *file, const char *key_file);

#endif
