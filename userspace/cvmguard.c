// SPDX-License-Identifier: GPL-2.0-only
/*
 * cvmguard: the guest-side helper for confidential VMs.
 *
 * main() only dispatches: each subcommand lives in a file of its own and owns its
 * argument parsing, its -h text and its output.
 *
 * This file is built twice. As `cvmguard` (CVMG_FRONT) it links only libcvmguard,
 * OpenSSL and json-c and runs the offline commands (verify, quote-verify, policy)
 * itself, so that a verifier does not pay for loading libcryptsetup, tss2,
 * libkmod, libcurl and libblkid; every other command is run by exec'ing
 * `cvmguard-sys`, the same main() linked with everything, found next to this
 * binary or in CVMGUARD_LIBEXECDIR. Measured (perf stat -r 50, `verify` of the
 * real Milan report): 9.0 ms task-clock for `cvmguard`, 22.9 ms for
 * `cvmguard-sys` (Documentation/library.rst section 4).
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cvmguard.h"
#include "measure.h"

#ifndef CVMGUARD_VERSION
#define CVMGUARD_VERSION "unknown"
#endif
#ifndef CVMGUARD_GITREV
#define CVMGUARD_GITREV ""
#endif

#ifdef CVMG_FRONT
/* NULL: run by cvmguard-sys */
#define SYS(fn) NULL
#else
#define SYS(fn) fn
#endif

static const struct cvmg_cmd commands[] = {
	{ "info", SYS(cmd_info), "show the module's ABI, TPM and evidence backend" },
	{ "report", SYS(cmd_report), "fetch fresh attestation evidence bound to user data" },
	{ "attest", SYS(cmd_attest), "write an evidence bundle: HCL report, chain, TPM quote, logs" },
	{ "fetch", SYS(cmd_fetch), "get the VCEK chain for an SNP report: cache, THIM or KDS" },
	{ "verify", cmd_verify, "verify an SNP report, HCL report or evidence bundle offline" },
	{ "policy", cmd_policy, "write a reference policy from a known-good evidence bundle" },
	{ "quote-verify", cmd_quote_verify, "verify a TPM2 quote against an AK, PCRs and a nonce" },
	{ "measure", SYS(cmd_measure), "extend a PCR with an event and log it" },
	{ "log", SYS(cmd_log), "print the event log; --check replays it against the TPM" },
	{ "watch", SYS(cmd_watch), "stream measurement events as they are logged" },
	{ "enroll", SYS(cmd_enroll), "make a LUKS2 volume whose key is sealed to the vTPM" },
	{ "unlock", SYS(cmd_unlock), "unseal a volume's key and open its dm-crypt mapping" },
	{ "lock", SYS(cmd_lock), "close a dm-crypt mapping" },
	{ "rotate", SYS(cmd_rotate), "replace a volume's sealed secret, crash-safely" },
	{ "reseal", SYS(cmd_reseal), "seal a volume's key to PCR values after an expected change" },
	{ "status", SYS(cmd_status), "list open dm-crypt volumes and their tokens" },
	{ "ephemeral", SYS(cmd_ephemeral), "open a scratch disk under a random, never-stored key" },
	{ "doctor", SYS(cmd_doctor), "check whether this machine is ready, and say what to fix" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: cvmguard [-v] COMMAND [ARGS...]\n"
		   "       cvmguard COMMAND -h\n"
		   "       cvmguard --version\n\nCommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-14s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nOptions:\n"
		   "  -v, --verbose  more diagnostics (repeatable), before COMMAND\n"
		   "  -V, --version  print the release version (and the git revision)\n"
		   "  -h, --help     this text\n"
		   "\nExit status: 0 ok, 1 failed, 2 policy refused, 3 malformed input,\n"
		   "4 busy or absent, 5 no TPM, 6 tampered, 7 not ours, 8 fetch failed,\n"
		   "64 usage, 69 module unavailable, 77 permission denied. See cvmguard(8).\n");
}

/* "cvmguard 0.1.0", and " (git REV)" when built from a checkout. */
static void version(void)
{
	if (CVMGUARD_GITREV[0])
		printf("cvmguard %s (git %s)\n", CVMGUARD_VERSION, CVMGUARD_GITREV);
	else
		printf("cvmguard %s\n", CVMGUARD_VERSION);
}

/* --json anywhere among a command's words: its errors are JSON from the start. */
static void find_json(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--json"))
			cvmg_json = true;
}

#ifdef CVMG_FRONT
#ifndef CVMGUARD_LIBEXECDIR
#define CVMGUARD_LIBEXECDIR "/usr/libexec/cvmguard"
#endif

/* Run @argv (as given to main) by cvmguard-sys; return only on failure. */
static int exec_sys(char **argv)
{
	char self[PATH_MAX], path[PATH_MAX + 16];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		self[n] = 0;
		snprintf(path, sizeof(path), "%s/cvmguard-sys", dirname(self));
		if (!access(path, X_OK))
			execv(path, argv);
	}
	snprintf(path, sizeof(path), "%s/cvmguard-sys", CVMGUARD_LIBEXECDIR);
	execv(path, argv);
	cvmg_err("cannot run %s: %s", path, strerror(errno));
	return CVMG_EXIT_UNAVAILABLE;
}
#endif

int main(int argc, char **argv)
{
	char **argv0 = argv;
	size_t i;

	(void)argv0;
	cvmg_log_init("cvmguard");
	while (argc > 1 && argv[1][0] == '-') {
		if (!strcmp(argv[1], "-v") || !strcmp(argv[1], "--verbose")) {
			cvmg_verbose++;
		} else if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
			usage(stdout);
			return CVMG_EXIT_OK;
		} else if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
			version();
			return CVMG_EXIT_OK;
		} else {
			cvmg_err("unknown option '%s'", argv[1]);
			usage(stderr);
			return CVMG_EXIT_USAGE;
		}
		argc--;
		argv++;
	}
	if (argc < 2) {
		cvmg_err("no command given");
		usage(stderr);
		return CVMG_EXIT_USAGE;
	}
	find_json(argc - 1, argv + 1);
	if (cvmg_env_check())
		return cvmg_finish(CVMG_EXIT_USAGE);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
#ifdef CVMG_FRONT
		if (!commands[i].fn)
			return cvmg_finish(exec_sys(argv0));
#endif
		return cvmg_finish(commands[i].fn(argc - 1, argv + 1));
	}
	cvmg_err("unknown command '%s'", argv[1]);
	usage(stderr);
	return cvmg_finish(CVMG_EXIT_USAGE);
}
