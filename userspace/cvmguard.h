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

/*
 * Exit codes: one table for every command, enum cvmg_exit in the library's public
 * header (Documentation/exit-codes.rst, the EXIT STATUS section of man/cvmguard.8).
 * Units map these codes, never messages.
 */
#include "libcvmguard.h"
#define CVMG_EXIT_NOTOKEN CVMG_EXIT_MALFORMED	/* disk commands: a damaged token */

struct cvmg_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

/* Subcommands: one file each, cmd_NAME() in NAME.c. */
int cmd_info(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_attest(int argc, char **argv);
int cmd_fetch(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_quote_verify(int argc, char **argv);
int cmd_policy(int argc, char **argv);		/* in policy_gen.c */
int cmd_enroll(int argc, char **argv);
int cmd_unlock(int argc, char **argv);
int cmd_lock(int argc, char **argv);
int cmd_rotate(int argc, char **argv);
int cmd_reseal(int argc, char **argv);	/* in reseal.c */
int cmd_ephemeral(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_doctor(int argc, char **argv);

/* unlock.c: a disk operation's error, explained; returns the exit code. */
int cvmg_volume_error(int err, const char *device);

/* log.c: the only place that writes diagnostics; syslog when run by udev/systemd. */
void cvmg_log_init(const char *prog);
void cvmg_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cvmg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cvmg_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cvmg_dbg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern int cvmg_verbose;
const char *cvmg_first_error(void);	/* the first cvmg_err() message, or NULL */

/* cli.c: what every command shares on its command line (see the top of cli.c). */
#define CVMG_JSON_FORMAT 1	/* the "format" of every --json document */
struct json_object;
struct option;
extern bool cvmg_json;		/* --json was given: errors are JSON on stdout too */
int cvmg_getopt(int argc, char *const argv[], const char *shortopts,
		const struct option *longopts);
int cvmg_extra_args(int argc, char **argv, int want);
int cvmg_parse_args(int argc, char **argv, const char *shortopts,
		    const struct option *longopts, int operands, void (*usage)(FILE *f),
		    int (*on_opt)(int c, const char *arg, void *ctx), void *ctx);
int cvmg_hex_arg(const char *opt, const char *hex, uint8_t *out, size_t min, size_t max,
		 size_t *len);
struct json_object *cvmg_json_new(void);
int cvmg_json_emit(FILE *f, struct json_object *o);
void cvmg_json_emitted(void);
const char *cvmg_exit_name(int code);
int cvmg_finish(int rc);
int cvmg_env_check(void);

/* util.c */
int cvmg_hex_decode(const char *hex, uint8_t *out, size_t outlen, size_t *written);
void cvmg_hex_encode(const uint8_t *in, size_t len, char *out);
int cvmg_read_file(const char *path, uint8_t **buf, size_t *len, size_t max);
int cvmg_read_line(const char *path, char *buf, size_t len);
int cvmg_read_secret_file(const char *path, char *buf, size_t max, size_t *len);
int cvmg_write_file_atomic(const char *path, const void *buf, size_t len, unsigned int mode);

#endif /* CVMGUARD_H */
