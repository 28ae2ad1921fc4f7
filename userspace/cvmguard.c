// SPDX-License-Identifier: GPL-2.0-only
/*
 * cvmguard: the guest-side helper for confidential VMs.
 *
 * main() only dispatches: each subcommand lives in a file of its own and owns its
 * argument parsing, its -h text and its output.
 */
#include <stdio.h>
#include <string.h>

#include "cvmguard.h"
#include "measure.h"

#ifndef CVMGUARD_VERSION
#define CVMGUARD_VERSION "unknown"
#endif

static const struct cvmg_cmd commands[] = {
	{ "info", cmd_info, "show the module's ABI, TPM and evidence backend" },
	{ "report", cmd_report, "fetch fresh attestation evidence bound to user data" },
	{ "verify", cmd_verify, "verify an SNP report, HCL report or evidence bundle offline" },
	{ "quote-verify", cmd_quote_verify, "verify a TPM2 quote against an AK, PCRs and a nonce" },
	{ "measure", cmd_measure, "extend a PCR with an event and log it" },
	{ "log", cmd_log, "print the event log; --check replays it against the TPM" },
	{ "watch", cmd_watch, "stream measurement events as they are logged" },
	{ "enroll", cmd_enroll, "make a LUKS2 volume whose key is sealed to the vTPM" },
	{ "unlock", cmd_unlock, "unseal a volume's key and open its dm-crypt mapping" },
	{ "lock", cmd_lock, "close a dm-crypt mapping" },
	{ "rotate", cmd_rotate, "replace a volume's sealed secret, crash-safely" },
	{ "status", cmd_status, "list open dm-crypt volumes and their tokens" },
	{ "ephemeral", cmd_ephemeral, "open a scratch disk under a random, never-stored key" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: cvmguard [-v] COMMAND [ARGS...]\n"
		   "       cvmguard COMMAND -h\n\nCommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-14s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nSee cvmguard(8).\n");
}

int main(int argc, char **argv)
{
	size_t i;

	cvmg_log_init("cvmguard");
	while (argc > 1 && argv[1][0] == '-') {
		if (!strcmp(argv[1], "-v") || !strcmp(argv[1], "--verbose")) {
			cvmg_verbose++;
		} else if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
			usage(stdout);
			return CVMG_EXIT_OK;
		} else if (!strcmp(argv[1], "--version")) {
			printf("cvmguard %s\n", CVMGUARD_VERSION);
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
		usage(stderr);
		return CVMG_EXIT_USAGE;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	cvmg_err("unknown command '%s'", argv[1]);
	usage(stderr);
	return CVMG_EXIT_USAGE;
}
