/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cvmguard helper: shared declarations.
 *
 * Conventions: library functions return 0 or a negative errno and print nothing;
 * the cmd_*() entry points (one file per subcommand) parse their arguments, call the
 * library, print, and return one of the CVMG_EXIT_* codes documented in cvmguard(8).
 */
#ifndef CVMGUARD_H
#define CVMGUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit codes; keep in sync with the EXIT STATUS section of man/cvmguard.8. */
enum cvmg_exit {
	CVMG_EXIT_OK = 0,          /* success / verified */
	CVMG_EXIT_FAIL = 1,        /* operation failed; for verify: signature, chain or binding */
	CVMG_EXIT_POLICY = 2,      /* verify: policy violation; disk: the TPM refused (PCRs) */
	CVMG_EXIT_MALFORMED = 3,   /* malformed input file */
	CVMG_EXIT_NOTOKEN = 3,     /* disk commands: no token of ours, or a damaged one */
	CVMG_EXIT_BUSY = 4,        /* disk commands: device busy or absent */
	CVMG_EXIT_NOTPM = 5,       /* disk commands: TPM unavailable */
	CVMG_EXIT_UNAVAILABLE = 69,/* module, device or TPM not available (EX_UNAVAILABLE) */
	CVMG_EXIT_NOPERM = 77,     /* permission denied (EX_NOPERM) */
	CVMG_EXIT_USAGE = 64,      /* usage error (EX_USAGE) */
};

struct cvmg_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

/* Subcommands: one file each, cmd_NAME() in NAME.c. */
int cmd_info(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_attest(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_quote_verify(int argc, char **argv);
int cmd_enroll(int argc, char **argv);
int cmd_unlock(int argc, char **argv);
int cmd_lock(int argc, char **argv);
int cmd_rotate(int argc, char **argv);
int cmd_ephemeral(int argc, char **argv);
int cmd_status(int argc, char **argv);

/* unlock.c: a disk operation's error, explained; returns the exit code. */
int cvmg_volume_error(int err, const char *device);

/* log.c: the only place that writes diagnostics; syslog when run by udev/systemd. */
void cvmg_log_init(const char *prog);
void cvmg_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cvmg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cvmg_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cvmg_dbg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern int cvmg_verbose;

/* util.c */
int cvmg_hex_decode(const char *hex, uint8_t *out, size_t outlen, size_t *written);
void cvmg_hex_encode(const uint8_t *in, size_t len, char *out);
int cvmg_read_file(const char *path, uint8_t **buf, size_t *len, size_t max);
int cvmg_write_file_atomic(const char *path, const void *buf, size_t len, unsigned int mode);

#endif /* CVMGUARD_H */
