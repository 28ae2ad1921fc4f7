/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by the libFuzzer harnesses: the entry points libFuzzer calls, the fixed
 * verification time, and the policy every harness appraises with.
 */
#ifndef CVMG_FUZZ_H
#define CVMG_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>

#include "policy.h"
#include "verifier.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* 2025-06-01T00:00:00Z, inside every tests/data certificate's validity (tdata.h). */
#define FUZZ_NOW ((time_t)1748736000)

/* The nonce of the Azure vTPM quote in tests/data: "challenge". */
#define FUZZ_NONCE ((const uint8_t *)"challenge")
#define FUZZ_NONCE_LEN 9

/* A policy that sets every key, so every appraisal branch runs. */
static inline void fuzz_policy(struct cvmg_policy *p)
{
	static const char text[] =
		"measurement = "
		"000000000000000000000000000000000000000000000000"
		"000000000000000000000000000000000000000000000000\n"
		"id_key_digest = 0x"
		"111111111111111111111111111111111111111111111111"
		"111111111111111111111111111111111111111111111111\n"
		"min_tcb.bl = 3\nmin_tcb.tee = 0\nmin_tcb.snp = 8\nmin_tcb.ucode = 115\n"
		"min_tcb.fmc = 1\nallow_smt = false\nvmpl = 0\nmin_version = 3\n"
		"vm_config.secure-boot = true\nvm_config.tpm-enabled = true\n"
		"vm_config.console-enabled = false\nvm_config.vmUniqueId = x\n";

	if (policy_parse(text, sizeof(text) - 1, p, NULL))
		abort();
}

/*
 * Run the whole offline verifier on @data and render its result, as
 * `cvmguard verify --json` does. @vcek may be NULL.
 */
static inline void fuzz_verify(const uint8_t *data, size_t size, const struct cvmg_policy *p,
			       X509 *vcek)
{
	struct verifier_input in = {
		.evidence = data, .len = size, .vcek = vcek, .policy = p,
		.nonce = FUZZ_NONCE, .nonce_len = FUZZ_NONCE_LEN, .now = FUZZ_NOW,
	};
	json_object *res = NULL;

	verifier_run(&in, &res);
	if (!res || !json_object_to_json_string_ext(res, JSON_C_TO_STRING_PRETTY |
						    JSON_C_TO_STRING_NOSLASHESCAPE))
		abort();
	json_object_put(res);
	ERR_clear_error();
}

#endif /* CVMG_FUZZ_H */
