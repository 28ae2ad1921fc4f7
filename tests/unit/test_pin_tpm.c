// SPDX-License-Identifier: GPL-2.0-only
/*
 * The PIN against a real TPM 2.0 (swtpm, libtpms: what the rig's vTPM is), on the
 * host, through tpm_seal.c: a swtpm of this test's own on a loopback TCP port with
 * a fresh state directory, never this machine's TPM.
 *
 * - seal with a PIN under both parents (the SRK: cvmguard token; systemd 252's
 *   primary: systemd-tpm2 token), unseal with it;
 * - the attacker's flag flips: a PIN object unsealed as if it had none, and an
 *   object without a PIN unsealed with one: the TPM's policy refuses (-EPERM,
 *   exit 2) and the dictionary-attack counter does not move;
 * - a wrong PIN: -CVMG_EBADPIN, the counter moves by one; repeated until lockout
 *   (-CVMG_ELOCKOUT), where the right PIN is refused too, an object without a PIN
 *   under the SRK (noDA) still unseals, and one under systemd's primary (no noDA) does
 *   not load, PIN or not; DictionaryAttackLockReset with the (empty) lockout
 *   authorization ends it. The counts printed are swtpm's, as measured.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "pin.h"
#include "tpm_esys.h"
#include "tpm_seal.h"

static pid_t swtpm_pid;
static char dir[] = "/tmp/cvmg-pin-tpm.XXXXXX";
static struct cvmg_tpm *tpm;

static int setup(void **state)
{
	char tcti[64], srv[80], ctrl[80], st[96];
	int port = 20000 + (int)(getpid() % 10000) * 2;
	bool created;

	assert_non_null(mkdtemp(dir));
	snprintf(srv, sizeof(srv), "type=tcp,port=%d,bindaddr=127.0.0.1", port);
	snprintf(ctrl, sizeof(ctrl), "type=tcp,port=%d,bindaddr=127.0.0.1", port + 1);
	snprintf(st, sizeof(st), "dir=%s", dir);
	swtpm_pid = fork();
	assert_true(swtpm_pid >= 0);
	if (!swtpm_pid) {
		execlp("swtpm", "swtpm", "socket", "--tpm2", "--server", srv, "--ctrl", ctrl,
		       "--tpmstate", st, "--flags", "not-need-init,startup-clear", (char *)NULL);
		_exit(127);
	}
	snprintf(tcti, sizeof(tcti), "swtpm:host=127.0.0.1,port=%d", port);
	setenv("CVMGUARD_TCTI", tcti, 1);
	setenv("CVMGUARD_TPM_WAIT", "10", 1);
	setenv("CVMGUARD_STATE_DIR", dir, 1);
	if (cvmg_tpm_open(&tpm)) {
		fprintf(stderr, "swtpm (a tests/deps package) did not come up on %s\n", tcti);
		kill(swtpm_pid, SIGTERM);
		waitpid(swtpm_pid, NULL, 0);
		swtpm_pid = 0;
		return -1;
	}
	assert_int_equal(cvmg_tpm_ensure_srk(tpm, &created), 0);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	cvmg_tpm_close(tpm);
	if (swtpm_pid > 0) {
		kill(swtpm_pid, SIGTERM);
		waitpid(swtpm_pid, NULL, 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) ? -1 : 0;
}

static uint32_t tpm_prop(TPM2_PT prop)
{
	TPMS_CAPABILITY_DATA *cap = NULL;
	TPMI_YES_NO more;
	uint32_t v;

	assert_int_equal(Esys_GetCapability(tpm->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
					    TPM2_CAP_TPM_PROPERTIES, prop, 1, &more, &cap), 0);
	assert_int_equal(cap->data.tpmProperties.tpmProperty[0].property, prop);
	v = cap->data.tpmProperties.tpmProperty[0].value;
	Esys_Free(cap);
	return v;
}

static uint32_t da_count(void)
{
	return tpm_prop(TPM2_PT_LOCKOUT_COUNTER);
}

static void pin(const char *p)
{
	uint8_t auth[32];

	if (!p) {
		cvmg_tpm_set_pin_auth(tpm, NULL);
		return;
	}
	assert_int_equal(cvmg_pin_auth(p, strlen(p), NULL, 0, auth), 0);
	cvmg_tpm_set_pin_auth(tpm, auth);
}

static int unseal(enum cvmg_parent parent, const struct cvmg_sealed *s, const char *p,
		  const uint8_t *want)
{
	uint8_t out[128];
	size_t len = 0;
	int ret;

	pin(p);
	ret = cvmg_tpm_unseal(tpm, parent, 1u << 7, s, out, &len, NULL);
	if (!ret) {
		assert_int_equal(len, 32);
		assert_memory_equal(out, want, 32);
	}
	return ret;
}

static void test_pin_tpm(void **state)
{
	static struct cvmg_sealed srk_pin, sd_pin, srk_plain, sd_plain, flipped;
	uint8_t secret[32];
	uint32_t c0, max, i;
	int ret = 0;

	memset(secret, 0x5a, sizeof(secret));
	pin("2468");
	assert_int_equal(cvmg_tpm_seal(tpm, CVMG_PARENT_SRK, 1u << 7, secret, 32, &srk_pin), 0);
	assert_true(srk_pin.pin);
	assert_int_equal(cvmg_tpm_seal(tpm, CVMG_PARENT_SYSTEMD_ECC, 1u << 7, secret, 32,
				       &sd_pin), 0);
	sd_pin.parent_name_len = 0;
	pin(NULL);
	assert_int_equal(cvmg_tpm_seal(tpm, CVMG_PARENT_SRK, 1u << 7, secret, 32, &srk_plain), 0);
	assert_false(srk_plain.pin);
	assert_int_equal(cvmg_tpm_seal(tpm, CVMG_PARENT_SYSTEMD_ECC, 1u << 7, secret, 32,
				       &sd_plain), 0);
	sd_plain.parent_name_len = 0;
	/* PolicyPCR then PolicyAuthValue: not the plain policy */
	assert_memory_not_equal(srk_pin.policy, srk_plain.policy, 32);

	assert_int_equal(unseal(CVMG_PARENT_SRK, &srk_pin, "2468", secret), 0);
	assert_int_equal(unseal(CVMG_PARENT_SYSTEMD_ECC, &sd_pin, "2468", secret), 0);
	assert_int_equal(unseal(CVMG_PARENT_SRK, &srk_plain, NULL, secret), 0);

	/* The host's flips of the token's flag: the TPM's policy refuses, no DA count. */
	c0 = da_count();
	flipped = srk_pin;
	flipped.pin = false;
	assert_int_equal(unseal(CVMG_PARENT_SRK, &flipped, NULL, secret), -EPERM);
	flipped = srk_plain;
	flipped.pin = true;
	assert_int_equal(unseal(CVMG_PARENT_SRK, &flipped, "2468", secret), -EPERM);
	assert_int_equal(da_count(), c0);

	/* A wrong PIN counts; repeated, the TPM locks out. */
	max = tpm_prop(TPM2_PT_MAX_AUTH_FAIL);
	print_message("swtpm: maxTries %u, recoveryTime %u s, lockoutRecovery %u s, counter %u\n",
		      max, tpm_prop(TPM2_PT_LOCKOUT_INTERVAL), tpm_prop(TPM2_PT_LOCKOUT_RECOVERY),
		      c0);
	assert_int_equal(unseal(CVMG_PARENT_SRK, &srk_pin, "1357", secret), -CVMG_EBADPIN);
	assert_int_equal(da_count(), c0 + 1);
	for (i = 1; i <= max + 1; i++) {
		ret = unseal(CVMG_PARENT_SRK, &srk_pin, "1357", secret);
		if (ret != -CVMG_EBADPIN)
			break;
	}
	assert_int_equal(ret, -CVMG_ELOCKOUT);
	print_message("%u wrong PINs refused (counter %u), the next try answered "
		      "TPM_RC_LOCKOUT\n", i, da_count());
	assert_int_equal(unseal(CVMG_PARENT_SRK, &srk_pin, "2468", secret), -CVMG_ELOCKOUT);
	assert_int_equal(unseal(CVMG_PARENT_SYSTEMD_ECC, &sd_pin, "2468", secret),
			 -CVMG_ELOCKOUT);
	/* No authValue in a PCR-only policy, and the SRK has noDA: unaffected. */
	assert_int_equal(unseal(CVMG_PARENT_SRK, &srk_plain, NULL, secret), 0);
	/*
	 * systemd 252's primary has no noDA: in lockout, loading under it is refused,
	 * so a systemd-tpm2 token without a PIN does not open either (measured here).
	 */
	assert_int_equal(unseal(CVMG_PARENT_SYSTEMD_ECC, &sd_plain, NULL, secret),
			 -CVMG_ELOCKOUT);

	/* The lockout hierarchy's authorization is empty here: anyone can reset it. */
	assert_int_equal(Esys_DictionaryAttackLockReset(tpm->esys, ESYS_TR_RH_LOCKOUT,
							 ESYS_TR_PASSWORD, ESYS_TR_NONE,
							 ESYS_TR_NONE), 0);
	assert_int_equal(da_count(), 0);
	assert_int_equal(unseal(CVMG_PARENT_SRK, &srk_pin, "2468", secret), 0);
	pin(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pin_tpm),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
