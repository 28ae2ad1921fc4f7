// SPDX-License-Identifier: GPL-2.0-only
/*
 * What every command shares on its command line: option errors that name the
 * option, hex arguments with an error that says what is wrong with them, --json
 * output (built with json-c, versioned by "format", and errors as JSON too), and
 * the environment, checked once before any command runs.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cvmguard.h"

bool cvmg_json;
static bool json_emitted;

/**
 * cvmg_getopt() - getopt_long() whose errors name the option, through cvmg_err()
 * @argc: as for getopt_long()
 * @argv: as for getopt_long()
 * @shortopts: as for getopt_long(), without a leading ':'
 * @longopts: as for getopt_long()
 *
 * An option named "json" (long, or its short letter) also sets cvmg_json, so that
 * errors after it are reported as JSON.
 *
 * Return: as getopt_long(), with '?' for an unknown option and for a missing
 * argument, after the message.
 */
int cvmg_getopt(int argc, char *const argv[], const char *shortopts,
		const struct option *longopts)
{
	char opts[64];
	const char *word;
	const struct option *o;
	int c;

	snprintf(opts, sizeof(opts), ":%s", shortopts);
	opterr = 0;
	c = getopt_long(argc, argv, opts, longopts, NULL);
	word = optind > 0 && optind <= argc ? argv[optind - 1] : "";
	if (c == ':') {
		if (optopt && strncmp(word, "--", 2))
			cvmg_err("option '-%c' needs an argument", optopt);
		else
			cvmg_err("option '%s' needs an argument", word);
		return '?';
	}
	if (c == '?') {
		if (optopt)
			cvmg_err("unknown option '-%c'", optopt);
		else
			cvmg_err("unknown option '%s'", word);
		return '?';
	}
	for (o = longopts; c > 0 && o->name; o++)
		if (o->val == c && !o->flag && !strcmp(o->name, "json"))
			cvmg_json = true;
	return c;
}

/**
 * cvmg_extra_args() - refuse words left after the options, naming the first
 * @argc: as given to the command
 * @argv: as given to the command
 * @want: how many operands the command takes
 *
 * Return: 0, or -E2BIG after the message when there are more, -EINVAL when fewer.
 */
int cvmg_extra_args(int argc, char **argv, int want)
{
	if (argc - optind > want) {
		cvmg_err("unexpected argument '%s'", argv[optind + want]);
		return -E2BIG;
	}
	if (argc - optind < want) {
		cvmg_err("missing argument (see %s -h)", argv[0]);
		return -EINVAL;
	}
	return 0;
}

/**
 * cvmg_parse_args() - a command's option loop, its -h and its errors
 * @argc: as given to the command
 * @argv: as given to the command
 * @shortopts: as for cvmg_getopt(), with 'h' for --help
 * @longopts: as for cvmg_getopt()
 * @operands: how many words must follow the options
 * @usage: prints the command's usage on the stream given
 * @on_opt: handles one option of the command's own: 0, or an exit code to stop with
 *          (after printing why)
 * @ctx: for @on_opt
 *
 * -h prints the usage on stdout; an unknown option, a missing argument or the
 * wrong number of operands prints the message and the usage on stderr.
 *
 * Return: -1 when the command is to run (optind is at its first operand), else
 * the exit code to return: CVMG_EXIT_OK after -h, CVMG_EXIT_USAGE, or @on_opt's.
 */
int cvmg_parse_args(int argc, char **argv, const char *shortopts,
		    const struct option *longopts, int operands, void (*usage)(FILE *f),
		    int (*on_opt)(int c, const char *arg, void *ctx), void *ctx)
{
	int c, ret;

	while ((c = cvmg_getopt(argc, argv, shortopts, longopts)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return CVMG_EXIT_OK;
		}
		if (c == '?') {
			usage(stderr);
			return CVMG_EXIT_USAGE;
		}
		ret = on_opt(c, optarg, ctx);
		if (ret)
			return ret;
	}
	if (cvmg_extra_args(argc, argv, operands)) {
		usage(stderr);
		return CVMG_EXIT_USAGE;
	}
	return -1;
}

/**
 * cvmg_hex_arg() - decode the hex argument of option @opt, saying what is wrong
 * @opt: the option's name for the message, e.g. "--nonce"
 * @hex: the argument
 * @out: output buffer
 * @min: fewest bytes accepted (1: an empty value is refused)
 * @max: most bytes accepted, at most the size of @out
 * @len: receives the number of bytes decoded
 *
 * Return: 0, or -EINVAL after a message naming @opt.
 */
int cvmg_hex_arg(const char *opt, const char *hex, uint8_t *out, size_t min, size_t max,
		 size_t *len)
{
	const char *h = hex;
	size_t n, bad;

	if (!strncmp(h, "0x", 2) || !strncmp(h, "0X", 2))
		h += 2;
	n = strlen(h);
	bad = strspn(h, "0123456789abcdefABCDEF");
	if (bad != n) {
		cvmg_err("%s: '%s' is not hex (character %zu, '%c')", opt, hex,
			 (size_t)(h - hex) + bad + 1, h[bad]);
		return -EINVAL;
	}
	if (n % 2) {
		cvmg_err("%s: odd number of hex digits (%zu): two digits per byte", opt, n);
		return -EINVAL;
	}
	if (n / 2 < min || n / 2 > max) {
		cvmg_err("%s: %zu bytes; expected %zu to %zu bytes (%zu to %zu hex digits)", opt,
			 n / 2, min, max, 2 * min, 2 * max);
		return -EINVAL;
	}
	return cvmg_hex_decode(hex, out, max, len) ? -EINVAL : 0;
}

/**
 * cvmg_json_new() - a top-level JSON object, its "format" already set
 *
 * Return: the object, or NULL.
 */
json_object *cvmg_json_new(void)
{
	json_object *o = json_object_new_object();

	if (o)
		json_object_object_add(o, "format", json_object_new_int(CVMG_JSON_FORMAT));
	return o;
}

/**
 * cvmg_json_emit() - print a top-level JSON document on one line and drop it
 * @f: stream (stdout, or stderr when stdout carries data)
 * @o: the document (consumed; NULL is -ENOMEM)
 *
 * Return: 0 or -ENOMEM.
 */
int cvmg_json_emit(FILE *f, json_object *o)
{
	const char *s;

	if (!o)
		return -ENOMEM;
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
					   JSON_C_TO_STRING_NOSLASHESCAPE);
	if (s) {
		fprintf(f, "%s\n", s);
		fflush(f);
		json_emitted = true;
	}
	json_object_put(o);
	return s ? 0 : -ENOMEM;
}

/**
 * cvmg_json_emitted() - note that a command printed its JSON document itself
 */
void cvmg_json_emitted(void)
{
	json_emitted = true;
}

/**
 * cvmg_exit_name() - what an exit code means, in a few words
 */
const char *cvmg_exit_name(int code)
{
	switch (code) {
	case CVMG_EXIT_OK: return "success";
	case CVMG_EXIT_FAIL: return "failed";
	case CVMG_EXIT_POLICY: return "refused by a policy";
	case CVMG_EXIT_MALFORMED: return "malformed input";
	case CVMG_EXIT_BUSY: return "device busy or absent";
	case CVMG_EXIT_NOTPM: return "TPM unavailable";
	case CVMG_EXIT_TAMPERED: return "tampered, or outside the header policy";
	case CVMG_EXIT_NOTOURS: return "not ours: no cvmguard token";
	case CVMG_EXIT_FETCH: return "a network fetch failed";
	case CVMG_EXIT_USAGE: return "usage error";
	case CVMG_EXIT_UNAVAILABLE: return "the module is unavailable";
	case CVMG_EXIT_NOPERM: return "permission denied";
	default: return "unknown";
	}
}

/**
 * cvmg_finish() - the end of every command: under --json, a failure that printed
 * no document prints {"format":1,"error":{"code":N,"name":...,"message":...}}
 * @rc: the command's exit code
 *
 * Return: @rc.
 */
int cvmg_finish(int rc)
{
	json_object *o, *e;
	const char *msg = cvmg_first_error();

	if (!cvmg_json || rc == CVMG_EXIT_OK || json_emitted)
		return rc;
	o = cvmg_json_new();
	e = json_object_new_object();
	if (!o || !e) {
		json_object_put(o);
		json_object_put(e);
		return rc;
	}
	json_object_object_add(e, "code", json_object_new_int(rc));
	json_object_object_add(e, "name", json_object_new_string(cvmg_exit_name(rc)));
	json_object_object_add(e, "message", json_object_new_string(msg ? msg : cvmg_exit_name(rc)));
	json_object_object_add(o, "error", e);
	cvmg_json_emit(stdout, o);
	return rc;
}

/* One variable: a decimal integer in [@min, @max]. */
static int env_int(const char *name, long long min, long long max, const char *what)
{
	const char *v = getenv(name);
	long long n;
	char *end;

	if (!v)
		return 0;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (!*v || *end || errno || n < min || n > max) {
		cvmg_err("%s='%s': %s", name, v, what);
		return -EINVAL;
	}
	return 0;
}

/**
 * cvmg_env_check() - refuse a malformed CVMGUARD_* variable before any command runs
 *
 * Each variable the helper reads is checked here once, so that a typo is an error
 * naming the variable (exit 64) instead of a silent default (a time of 1970, no
 * lock wait) deep inside a command.
 *
 * Return: 0, or -EINVAL after a message naming the variable.
 */
int cvmg_env_check(void)
{
	const char *v;

	if (env_int("CVMGUARD_VERIFY_TIME", 1, LLONG_MAX,
		    "expected a time in seconds since the epoch (e.g. 1750329207)") ||
	    env_int("CVMGUARD_LOCK_TIMEOUT_MS", 0, 3600 * 1000,
		    "expected milliseconds, 0 to 3600000") ||
	    env_int("CVMGUARD_TPM_WAIT", 0, 300, "expected seconds, 0 to 300"))
		return -EINVAL;
	v = getenv("CVMGUARD_LOG");
	if (v && strcmp(v, "syslog") && strcmp(v, "stderr")) {
		cvmg_err("CVMGUARD_LOG='%s': expected syslog or stderr", v);
		return -EINVAL;
	}
	v = getenv("CVMGUARD_DEVICE");
	if (v && v[0] != '/') {
		cvmg_err("CVMGUARD_DEVICE='%s': expected the absolute path of a device node", v);
		return -EINVAL;
	}
	return 0;
}
