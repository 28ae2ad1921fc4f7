// SPDX-License-Identifier: GPL-2.0-only
/*
 * cvmguard reseal, host side:
 * - the PolicyPCR digest for predicted PCR values (pcr_policy.c) against
 *   tpm2_policypcr's: the vectors below are what `tpm2_startauthsession` +
 *   `tpm2_policypcr -l sha256:LIST -f VALUES` (tpm2-tools 5.4, trial session on
 *   swtpm 0.7) printed for the same values; a digest that differs would seal a key no
 *   boot can open, and systemd-cryptsetup compares its tpm2-policy-hash with the
 *   same computation. Also: one changed byte, one more PCR, or the same values in
 *   another selection give another digest; unselected values are not read.
 * - the command line: every malformed --pcr-value, a value outside --pcrs, a key
 *   file that cannot be read, two key files, are usage errors (64) naming the
 *   argument, before any device or TPM is reached; -h lists every option.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "cvmguard.h"
#include "tpm_seal.h"

static uint8_t vals[CVMG_PCR_COUNT][32];

static void hex32(const char *hex, uint8_t out[32])
{
	size_t len = 0;

	assert_int_equal(cvmg_hex_decode(hex, out, 32, &len), 0);
	assert_int_equal(len, 32);
}

static void fill(void)
{
	int i;

	/* Values for every PCR: only the selected ones may count. */
	for (i = 0; i < CVMG_PCR_COUNT; i++)
		memset(vals[i], 0x40 + i, 32);
}

static void test_vector_pcr7(void **state)
{
	uint8_t got[32], want[32];
	int i;

	fill();
	for (i = 0; i < 32; i++)
		vals[7][i] = (uint8_t)i;
	hex32("ef23ccc71b928bf66889c4390f780400ae6a7a091201becfffd13998660b40e3", want);
	assert_int_equal(cvmg_pcr_policy_digest(1u << 7, vals, got), 0);
	assert_memory_equal(got, want, 32);
}

static void test_vector_pcr0_7(void **state)
{
	uint8_t got[32], want[32];
	int i;

	fill();
	memset(vals[0], 0xaa, 32);
	for (i = 0; i < 32; i++)
		vals[7][i] = (uint8_t)i;
	hex32("ccf7596cc13ec93ee5c194e9b47af425d9b35e2a756f25d079bfc5bd7c73801a", want);
	assert_int_equal(cvmg_pcr_policy_digest(1u << 0 | 1u << 7, vals, got), 0);
	assert_memory_equal(got, want, 32);
}

/* Three selection bytes in use: PCR 22 sits in the third. */
static void test_vector_pcr1_7_22(void **state)
{
	uint8_t got[32], want[32];

	fill();
	memset(vals[1], 1, 32);
	memset(vals[7], 7, 32);
	memset(vals[22], 0xff, 32);
	hex32("9206141e140b26b5a5ac0a26cf261fa75c44c3b6d522a8f27a6849abf35d582f", want);
	assert_int_equal(cvmg_pcr_policy_digest(1u << 1 | 1u << 7 | 1u << 22, vals, got), 0);
	assert_memory_equal(got, want, 32);
}

/* What an attacker (or a typo) would try to get the same policy for other values. */
static void test_digest_binds_everything(void **state)
{
	uint8_t a[32], b[32];

	fill();
	assert_int_equal(cvmg_pcr_policy_digest(1u << 7, vals, a), 0);
	/* a value outside the selection is not part of it */
	memset(vals[8], 0, 32);
	assert_int_equal(cvmg_pcr_policy_digest(1u << 7, vals, b), 0);
	assert_memory_equal(a, b, 32);
	/* one bit of the selected value */
	vals[7][31] ^= 1;
	assert_int_equal(cvmg_pcr_policy_digest(1u << 7, vals, b), 0);
	assert_memory_not_equal(a, b, 32);
	vals[7][31] ^= 1;
	/* the same PCR digest under another selection: PCR 8 given PCR 7's value */
	memcpy(vals[8], vals[7], 32);
	assert_int_equal(cvmg_pcr_policy_digest(1u << 8, vals, b), 0);
	assert_memory_not_equal(a, b, 32);
	/* one more PCR */
	assert_int_equal(cvmg_pcr_policy_digest(1u << 7 | 1u << 0, vals, b), 0);
	assert_memory_not_equal(a, b, 32);
}

static void test_digest_refuses_empty(void **state)
{
	uint8_t d[32];

	assert_int_equal(cvmg_pcr_policy_digest(0, vals, d), -EINVAL);
	assert_int_equal(cvmg_pcr_policy_digest(1u << 24, vals, d), -EINVAL);
}

/* --- the command line --- */

static char bin[PATH_MAX];
static char out[8192];

static int run(const char *const *argv)
{
	const char *args[20] = { bin, "reseal" };
	int st, pfd[2];
	size_t n = 0, i;
	pid_t pid;

	for (i = 0; argv[i] && i < 17; i++)
		args[i + 2] = argv[i];
	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		close(pfd[0]);
		/* no TPM of this machine, whatever happens */
		setenv("CVMGUARD_TCTI", "mssim:host=127.0.0.1,port=9", 1);
		execv(bin, (char *const *)args);
		_exit(127);
	}
	close(pfd[1]);
	for (;;) {
		ssize_t r = read(pfd[0], out + n, sizeof(out) - 1 - n);

		if (r <= 0)
			break;
		n += (size_t)r;
	}
	out[n] = '\0';
	close(pfd[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

#define H64 "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define DEV "/nonexistent/cvmg-reseal-disk"

static void expect_usage(const char *const *argv, const char *named)
{
	int rc = run(argv);

	if (rc != 64 || !strstr(out, named))
		print_error("exit %d, output: %s\n", rc, out);
	assert_int_equal(rc, 64);
	assert_non_null(strstr(out, named));
}

static void test_cli_bad_values(void **state)
{
	expect_usage((const char *const[]){ "--pcr-value", "7", DEV, NULL }, "'7'");
	expect_usage((const char *const[]){ "--pcr-value", "=" H64, DEV, NULL }, "--pcr-value");
	expect_usage((const char *const[]){ "--pcr-value", "24=" H64, DEV, NULL }, "24=");
	expect_usage((const char *const[]){ "--pcr-value", "-1=" H64, DEV, NULL }, "-1=");
	expect_usage((const char *const[]){ "--pcr-value", "7x=" H64, DEV, NULL }, "7x=");
	/* resettable PCRs, also through --pcr-value */
	expect_usage((const char *const[]){ "--pcr-value", "16=" H64, DEV, NULL }, "resettable");
	expect_usage((const char *const[]){ "--pcr-value", "23=" H64, DEV, NULL }, "resettable");
	expect_usage((const char *const[]){ "--pcrs", "7,16", DEV, NULL }, "resettable");
	/* a SHA-1 sized value, one digit short, one byte long, not hex */
	expect_usage((const char *const[]){ "--pcr-value", "7=00112233445566778899aabbccddeeff00112233",
					    DEV, NULL }, "--pcr-value 7");
	expect_usage((const char *const[]){ "--pcr-value", "7=" H64 "0", DEV, NULL }, "odd");
	expect_usage((const char *const[]){ "--pcr-value", "7=" H64 "00", DEV, NULL },
		     "--pcr-value 7");
	expect_usage((const char *const[]){ "--pcr-value",
			"7=g0112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
			DEV, NULL }, "not hex");
	expect_usage((const char *const[]){ "--pcr-value", "7=", DEV, NULL }, "--pcr-value 7");
	/* twice the same PCR: which one would be meant? */
	expect_usage((const char *const[]){ "--pcr-value", "7=" H64, "--pcr-value", "7=" H64,
					    DEV, NULL }, "twice");
}

static void test_cli_value_outside_selection(void **state)
{
	expect_usage((const char *const[]){ "--pcrs", "7", "--pcr-value", "0=" H64, DEV, NULL },
		     "PCR 0 is not in --pcrs");
}

static void test_cli_key_files(void **state)
{
	expect_usage((const char *const[]){ "--recovery-key", "/nonexistent/rk.txt", DEV, NULL },
		     "/nonexistent/rk.txt");
	expect_usage((const char *const[]){ "--key-file", "/nonexistent/kf", DEV, NULL },
		     "/nonexistent/kf");
	expect_usage((const char *const[]){ "--key-file", "-", "--recovery-key", "-", DEV, NULL },
		     "one key file");
}

static void test_cli_usage(void **state)
{
	int rc;

	expect_usage((const char *const[]){ NULL }, "Usage: cvmguard reseal");
	expect_usage((const char *const[]){ DEV, DEV, NULL }, "Usage: cvmguard reseal");
	rc = run((const char *const[]){ "-h", NULL });
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "--pcr-value N=HEX"));
	assert_non_null(strstr(out, "--pcrs LIST"));
	assert_non_null(strstr(out, "--key-file FILE"));
	assert_non_null(strstr(out, "--recovery-key FILE"));
	/* well formed: the device is looked for (absent: exit 4), nothing else */
	rc = run((const char *const[]){ "--pcr-value", "7=" H64, DEV, NULL });
	if (rc != 4)
		print_error("exit %d, output: %s\n", rc, out);
	assert_int_equal(rc, 4);
	assert_non_null(strstr(out, DEV));
}

static int setup(void **state)
{
	const char *b = getenv("CVMGUARD_BIN");

	if (b)
		snprintf(bin, sizeof(bin), "%s", b);
	else if (!realpath("../../userspace/cvmguard", bin))
		return -1; /* a setup failure fails every test: never a silent skip */
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector_pcr7),
		cmocka_unit_test(test_vector_pcr0_7),
		cmocka_unit_test(test_vector_pcr1_7_22),
		cmocka_unit_test(test_digest_binds_everything),
		cmocka_unit_test(test_digest_refuses_empty),
		cmocka_unit_test(test_cli_bad_values),
		cmocka_unit_test(test_cli_value_outside_selection),
		cmocka_unit_test(test_cli_key_files),
		cmocka_unit_test(test_cli_usage),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
