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
		"vm_config.console-enabled = false\nvm_config.vmUniqueId = x\n"
		"tdx.rtmr0 = "
		"000000000000000000000000000000000000000000000000"
		"000000000000000000000000000000000000000000000000\n"
		"mrseam = "
		"000000000000000000000000000000000000000000000000"
		"000000000000000000000000000000000000000000000000\n"
		"tdx.td_attributes = 0x10000000\ntcb_status = UpToDate, unknown\n"
		"tdx.min_tee_tcb_svn = 00000000000000000000000000000000\n";

	if (policy_parse(text, sizeof(text) - 1, p, NULL))
		abort();
}

/* @s (@n bytes) is valid UTF-8 (no overlong forms, surrogates or NUL). */
static inline int fuzz_utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0, l, k;
	unsigned long cp;

	while (i < n) {
		if (!s[i])
			return 0;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		l = s[i] >= 0xc2 && s[i] <= 0xdf ? 2 : s[i] >= 0xe0 && s[i] <= 0xef ? 3 :
		    s[i] >= 0xf0 && s[i] <= 0xf4 ? 4 : 0;
		if (!l || i + l > n)
			return 0;
		cp = s[i] & (0x7f >> l);
		for (k = 1; k < l; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((l == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (l == 4 && (cp < 0x10000 || cp > 0x10ffff)))
			return 0;
		i += l;
	}
	return 1;
}

/*
 * What `cvmguard verify` prints for @res, checked: the JSON is valid UTF-8, has
 * no raw control character (C0 but newline, DEL, C1) and parses back; the text
 * has no byte outside printable ASCII but newlines, and exactly one line that
 * starts with "verdict:", the last.
 */
static inline void fuzz_check_output(json_object *res)
{
	char *json = verifier_json(res, true), *text = NULL, *v;
	size_t n, tlen = 0, i;
	json_object *back;
	FILE *f;

	if (!json)
		abort();
	n = strlen(json);
	if (!fuzz_utf8_valid((const unsigned char *)json, n))
		abort();
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)json[i];

		if ((c < 0x20 && c != '\n') || c == 0x7f ||
		    (c == 0xc2 && (unsigned char)json[i + 1] >= 0x80 &&
		     (unsigned char)json[i + 1] <= 0x9f))
			abort();
	}
	back = json_tokener_parse(json);
	if (!back)
		abort();
	json_object_put(back);
	free(json);
	f = open_memstream(&text, &tlen);
	if (!f)
		abort();
	verifier_print_text(f, res);
	fclose(f);
	for (i = 0; i < tlen; i++)
		if ((text[i] < 0x20 && text[i] != '\n') || (unsigned char)text[i] >= 0x7f)
			abort();
	v = strstr(text, "\nverdict:");
	if (!v || strstr(v + 1, "\nverdict:") || strchr(v + 1, '\n') != text + tlen - 1)
		abort();
	free(text);
}

/*
 * Run the whole offline verifier on @data and render its result, as
 * `cvmguard verify` and `cvmguard verify --json` do. @vcek may be NULL.
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
	if (!res)
		abort();
	fuzz_check_output(res);
	json_object_put(res);
	ERR_clear_error();
}

#endif /* CVMG_FUZZ_H */
