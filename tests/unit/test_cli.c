// SPDX-License-Identifier: GPL-2.0-only
/*
 * The command-line contract: `cvmguard verify` and `cvmguard quote-verify` exit
 * 0 verified, 1 signature/chain/binding failure, 2 policy violation (the default
 * policy's too), 3 malformed evidence, 64 usage error, unreadable named file or
 * malformed policy. Runs ../../userspace/cvmguard (or $CVMGUARD_BIN); fails
 * when it is not built (make check builds it first).
 */
#include <string.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tdata.h"

static char bin[PATH_MAX];

/* Run "BIN ARGS" in the test data directory at TDATA_NOW; the exit status. */
#define run(...) tdata_run(bin, "CVMGUARD_VERIFY_TIME=" TDATA_STR(TDATA_NOW_S), __VA_ARGS__)

static int setup(void **state)
{
	return tdata_bin(bin);
}

#define NEED_BIN() do { } while (0)

static void test_usage(void **state)
{
	NEED_BIN();
	assert_int_equal(run("verify -h"), 0);
	assert_int_equal(run("quote-verify -h"), 0);
	assert_int_equal(run("verify"), 64);
	assert_int_equal(run("verify a b"), 64);
	assert_int_equal(run("verify --bogus snp-milan/report.bin"), 64);
	assert_int_equal(run("verify snp-milan/report.bin --nonce xyz"), 64);
	assert_int_equal(run("verify /nonexistent"), 64);
	assert_int_equal(run("verify --show-default-policy"), 0);
	assert_int_equal(run("verify --show-default-policy snp-milan/report.bin"), 64);
	/* Missing files named by options: 64 (was 3 for --vcek). */
	assert_int_equal(run("verify snp-milan/report.bin --vcek /nonexistent"), 64);
	assert_int_equal(run("verify snp-milan/report.bin --chain /nonexistent"), 64);
	assert_int_equal(run("verify snp-milan/report.bin --root /nonexistent"), 64);
	assert_int_equal(run("verify snp-milan/report.bin --vcek snp-milan/vcek.der "
			     "--policy /nonexistent"), 64);
	assert_int_equal(run("verify snp-milan/report.bin --vcek snp-milan/vcek.der "
			     "--policy /nonexistent 2>&1 | grep -q '^cvmguard: error: --policy /nonexistent: "
			     "No such file' && exit 7"), 7);
	/* HCL evidence: a nonce is required, an empty one is none, not both. */
	assert_int_equal(run("verify azure-snp/hcl-report.bin"), 64);
	assert_int_equal(run("verify azure-snp/hcl-report.bin --nonce ''"), 64);
	assert_int_equal(run("verify azure-snp/hcl-report.bin --nonce 00 --no-nonce"), 64);
	assert_int_equal(run("quote-verify --ak azure-vtpm-quote/akpub.pem "
			     "--msg azure-vtpm-quote/quote_msg.bin --sig azure-vtpm-quote/quote_sig.bin "
			     "--pcrs azure-vtpm-quote/pcrs_sha256.bin --nonce ''"), 64);
	assert_int_equal(run("quote-verify --ak /nonexistent "
			     "--msg azure-vtpm-quote/quote_msg.bin --sig azure-vtpm-quote/quote_sig.bin "
			     "--pcrs azure-vtpm-quote/pcrs_sha256.bin"), 64);
	assert_int_equal(run("quote-verify --ak azure-vtpm-quote/akpub.pem"), 64);
	/* attest's usage errors come before it looks for the module. */
	assert_int_equal(run("attest -h"), 0);
	assert_int_equal(run("attest"), 64);
	assert_int_equal(run("attest -o /dev/null extra"), 64);
	assert_int_equal(run("attest --nonce xyz -o /dev/null"), 64);
	assert_int_equal(run("attest --nonce '' -o /dev/null"), 64);
	assert_int_equal(run("attest --nonce %0130d -o /dev/null", 0), 64);
	assert_int_equal(run("attest --chain x --no-chain -o /dev/null"), 64);
}

static void test_verify_snp(void **state)
{
	NEED_BIN();
	assert_int_equal(run("verify snp-milan/report.bin --vcek snp-milan/vcek.der"), 0);
	assert_int_equal(run("verify snp-milan/report.bin --vcek snp-milan/vcek.der --json"), 0);
	assert_int_equal(run("verify snp-milan/report.bin --vcek snp-milan/vcek.der "
			     "--root amd/milan-ark.pem"), 0);
	assert_int_equal(run("verify snp-milan/report.bin --vcek snp-milan/vcek.der "
			     "--root amd/genoa-ark.pem"), 1);
	assert_int_equal(run("verify snp-milan/report.bin --vcek snp-milan/vcek.der "
			     "--chain amd/genoa-ask.pem"), 1);
	assert_int_equal(run("verify snp-milan/report.bin --vcek snp-milan/vcek.der "
			     "--nonce 00"), 1);
	assert_int_equal(run("verify snp-milan/report.bin"), 1);
	/* Truncated report and a file that is no evidence at all. */
	assert_int_equal(run("verify amd/milan-ark.pem"), 3);
	assert_int_equal(run("verify snp-milan/report.bin --vcek amd/milan-ark.pem"), 1);
	assert_int_equal(run("verify snp-milan/report.bin --vcek azure-vtpm-quote/quote_msg.bin"),
			 3);
}

static void test_verify_azure(void **state)
{
	char path[] = "/tmp/cvmg-policyXXXXXX";
	const char *hw = "tdx.require_hardware_verified = false\n";
	int fd;

	NEED_BIN();
	assert_int_equal(run("verify azure-snp/hcl-report.bin --no-nonce "
			     "--chain azure-snp/unrelated-milan-chain.pem"), 1);
	/* TDX: the TDREPORT is not verifiable offline, so the default policy refuses
	 * it (2); a policy that accepts that sees everything checkable pass (0). */
	assert_int_equal(run("verify azure-tdx/hcl-report-1.bin --no-nonce"), 2);
	assert_int_equal(run("verify azure-tdx/hcl-report-1.bin --no-nonce --json | "
			     "grep -q '\"name\":\"tdx.require_hardware_verified\"' && exit 7"), 7);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, hw, strlen(hw)), (ssize_t)strlen(hw));
	close(fd);
	assert_int_equal(run("verify azure-tdx/hcl-report-1.bin --no-nonce --policy %s", path), 0);
	unlink(path);
}

static void test_verify_policy(void **state)
{
	char path[] = "/tmp/cvmg-policyXXXXXX";
	int fd = mkstemp(path);
	const char *bad = "measurement = 00000000000000000000000000000000000000000000000000"
			  "0000000000000000000000000000000000000000000000\n";
	const char *good = "vmpl = 0\nmin_tcb.snp = 8\nallow_debug = false\n";

	NEED_BIN();
	assert_true(fd >= 0);
	assert_int_equal(write(fd, bad, strlen(bad)), (ssize_t)strlen(bad));
	close(fd);
	assert_int_equal(run("verify snp-milan/report.bin --vcek snp-milan/vcek.der "
			     "--policy %s", path), 2);
	/* A failed signature outranks a policy violation. */
	assert_int_equal(run("verify snp-milan/report.bin --policy %s", path), 1);
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, good, strlen(good)), (ssize_t)strlen(good));
	close(fd);
	assert_int_equal(run("verify snp-milan/report.bin --vcek snp-milan/vcek.der "
			     "--policy %s", path), 0);
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, "nope = 1\n", 9), 9);
	close(fd);
	assert_int_equal(run("verify snp-milan/report.bin --vcek snp-milan/vcek.der "
			     "--policy %s", path), 64);
	unlink(path);
}

static void test_quote_verify(void **state)
{
	const char *q = "quote-verify --ak azure-vtpm-quote/akpub.pem "
			"--msg azure-vtpm-quote/quote_msg.bin --sig azure-vtpm-quote/quote_sig.bin";
	char path[] = "/tmp/cvmg-pcrsXXXXXX";
	uint8_t *pcrs;
	size_t len;
	int fd;

	NEED_BIN();
	assert_int_equal(run("%s --pcrs azure-vtpm-quote/pcrs_sha256.bin --nonce challenge", q), 0);
	assert_int_equal(run("%s --pcrs azure-vtpm-quote/pcrs_sha256.bin "
			     "--nonce-hex 6368616c6c656e6765", q), 0);
	assert_int_equal(run("%s --pcrs azure-vtpm-quote/pcrs_sha256.bin --nonce challengf", q), 1);
	assert_int_equal(run("%s --pcrs azure-vtpm-quote/pcrs_sha256.bin --nonce a --nonce-hex 00",
			     q), 64);
	/* PCR values that are not the quoted ones, then not PCR values at all, then
	 * more values than the quote covers (a 25th PCR appended): refused (3). */
	pcrs = tdata_read("azure-vtpm-quote/pcrs_sha256.bin", &len);
	assert_int_equal(len, 768);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	pcrs[767] ^= 1;
	assert_int_equal(write(fd, pcrs, len), (ssize_t)len);
	close(fd);
	assert_int_equal(run("%s --nonce challenge --pcrs %s", q, path), 1);
	pcrs[767] ^= 1;
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, pcrs, len), (ssize_t)len);
	assert_int_equal(run("%s --nonce challenge --pcrs %s", q, path), 0);	/* control */
	memset(pcrs, 0, 32);
	assert_int_equal(write(fd, pcrs, 32), 32);	/* a 25th PCR nobody quoted */
	close(fd);
	assert_int_equal(run("%s --nonce challenge --pcrs %s", q, path), 3);
	unlink(path);
	free(pcrs);
	assert_int_equal(run("%s --pcrs azure-snp/hcl-report.bin", q), 3);
	assert_int_equal(run("%s --pcrs azure-vtpm-quote/akpub.pem", q), 3);
	assert_int_equal(run("quote-verify --ak azure-vtpm-quote/akpub.pem "
			     "--msg snp-milan/report.bin --sig azure-vtpm-quote/quote_sig.bin "
			     "--pcrs azure-vtpm-quote/pcrs_sha256.bin"), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_verify_snp),
		cmocka_unit_test(test_verify_azure),
		cmocka_unit_test(test_verify_policy),
		cmocka_unit_test(test_quote_verify),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
