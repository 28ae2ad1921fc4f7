// SPDX-License-Identifier: GPL-2.0-only
/*
 * libcheck: what libcvmguard promises in its header, checked from outside
 * (public header and pkg-config only). tests/lib/run runs it with stdout and
 * stderr sent to files that must stay empty: the library never prints. Results
 * go to the file named by argv[1], one "ok"/"not ok" line each.
 *
 *   libcheck RESULTS TESTDATA-DIR
 *
 * Needs the real vectors (snp-milan/report.bin, vcek.der) and no module: the
 * device functions are pointed at a path that does not exist.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libcvmguard.h>

static FILE *out;
static int failed;

#define CHECK(cond, ...) do {						\
		fprintf(out, "%s - ", (cond) ? "ok" : "not ok");	\
		fprintf(out, __VA_ARGS__);				\
		fprintf(out, "\n");					\
		failed += !(cond);					\
	} while (0)

static unsigned char *slurp(const char *dir, const char *name, size_t *len)
{
	char path[4096];
	unsigned char *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET))
		exit(2);
	buf = malloc((size_t)n);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		exit(2);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static unsigned char *report, *vcek;

static uint64_t le64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}
static size_t report_len, vcek_len;

/* Verify the real report (@forge: with one measurement byte flipped) 20 times. */
static void *worker(void *arg)
{
	int forge = (int)(long)arg, i, bad = 0;
	struct cvmg_verify_opts o = { .size = sizeof(o) };
	struct cvmg_result res;
	struct cvmg_ctx *ctx;
	unsigned char *r = malloc(report_len);

	if (!r || cvmg_open(&ctx, 0))
		return (void *)1L;
	memcpy(r, report, report_len);
	r[0x90] ^= forge ? 0x01 : 0;
	o.vcek = vcek;
	o.vcek_len = vcek_len;
	for (i = 0; i < 20; i++) {
		int rc = cvmg_verify_report(ctx, r, report_len, &o, &res);

		bad += forge ? rc != CVMG_EXIT_FAIL || res.verdict != CVMG_VERDICT_FAILED :
			       rc != CVMG_EXIT_OK || res.verdict != CVMG_VERDICT_VERIFIED;
		cvmg_result_free(&res);
	}
	cvmg_close(ctx);
	free(r);
	return (void *)(long)bad;
}

int main(int argc, char **argv)
{
	struct cvmg_verify_opts o = { .size = sizeof(o) }, small = { .size = 8 };
	struct cvmg_result res;
	struct cvmg_ctx *ctx = NULL;
	unsigned char ud[CVMG_USER_DATA_LEN] = { 1 }, buf[16], nonce[64];
	pthread_t th[4];
	size_t len;
	uint64_t seq = 7;
	void *tr;
	int rc, i, tbad = 0;

	if (argc != 3 || !(out = fopen(argv[1], "w")))
		return 2;
	report = slurp(argv[2], "snp-milan/report.bin", &report_len);
	vcek = slurp(argv[2], "snp-milan/vcek.der", &vcek_len);

	CHECK(cvmg_open(&ctx, 1) == -EINVAL && !ctx, "cvmg_open refuses unknown flags");
	CHECK(cvmg_open(NULL, 0) == -EINVAL, "cvmg_open(NULL)");
	rc = cvmg_open(&ctx, 0);
	CHECK(!rc && ctx, "cvmg_open");
	CHECK(cvmg_version() && strlen(cvmg_version()) > 0, "cvmg_version: %s", cvmg_version());

	/* the real vector verifies, with its claims */
	o.vcek = vcek;
	o.vcek_len = vcek_len;
	rc = cvmg_verify_report(ctx, report, report_len, &o, &res);
	CHECK(rc == CVMG_EXIT_OK && res.exit_code == 0 && res.verdict == CVMG_VERDICT_VERIFIED &&
	      res.hardware_verified && res.has_claims && res.platform == CVMG_REPORT_SNP &&
	      !memcmp(res.measurement, report + 0x90, 48) &&
	      !memcmp(res.report_data, report + 0x50, 64) &&
	      res.reported_tcb == le64(report + 0x180) &&
	      !res.reason[0] && res.json && strstr(res.json, "\"verified\""),
	      "real Milan report verifies: measurement, report_data, reported_tcb copied out");
	cvmg_result_free(&res);
	CHECK(!res.json && !res.policy_failures && res.exit_code == 0, "cvmg_result_free zeroes");

	/* the right kind per function */
	rc = cvmg_verify_bundle(ctx, report, report_len, &o, &res);
	CHECK(rc == CVMG_EXIT_MALFORMED && res.verdict == CVMG_VERDICT_MALFORMED,
	      "cvmg_verify_bundle refuses an SNP report (exit %d)", rc);
	cvmg_result_free(&res);
	rc = cvmg_verify_quote(ctx, report, report_len, &o, &res);
	CHECK(rc == CVMG_EXIT_MALFORMED, "cvmg_verify_quote refuses an SNP report (exit %d)", rc);
	cvmg_result_free(&res);

	/* forged: a measurement byte changed, the signature kept */
	report[0x90] ^= 0x80;
	rc = cvmg_verify_report(ctx, report, report_len, &o, &res);
	CHECK(rc == CVMG_EXIT_FAIL && res.verdict == CVMG_VERDICT_FAILED &&
	      strstr(res.reason, "report-signature"),
	      "a measurement byte flipped: exit 1, reason '%s'", res.reason);
	cvmg_result_free(&res);
	report[0x90] ^= 0x80;
	/* forged: the report cut short by one byte */
	rc = cvmg_verify(ctx, report, report_len - 1, &o, &res);
	CHECK(rc == CVMG_EXIT_MALFORMED && res.verdict == CVMG_VERDICT_MALFORMED,
	      "a report one byte short: exit 3 (got %d)", rc);
	cvmg_result_free(&res);
	/* forged: a nonce that is not the report's REPORT_DATA */
	memcpy(nonce, report + 0x50, 64);
	nonce[63] ^= 1;
	o.nonce = nonce;
	o.nonce_len = 64;
	rc = cvmg_verify_report(ctx, report, report_len, &o, &res);
	CHECK(rc != CVMG_EXIT_OK && res.verdict != CVMG_VERDICT_VERIFIED,
	      "REPORT_DATA not the nonce: refused (exit %d, %s)", rc, res.reason);
	cvmg_result_free(&res);
	nonce[63] ^= 1;
	rc = cvmg_verify_report(ctx, report, report_len, &o, &res);
	CHECK(rc == CVMG_EXIT_OK, "  ... and the matching nonce verifies (exit %d)", rc);
	cvmg_result_free(&res);
	o.nonce = NULL;
	o.nonce_len = 0;
	/* a VCEK that is not a certificate: refused, not ignored */
	o.vcek_len = 10;
	rc = cvmg_verify_report(ctx, report, report_len, &o, &res);
	CHECK(rc == CVMG_EXIT_MALFORMED && strstr(res.reason, "vcek"),
	      "a truncated VCEK: exit 3 naming vcek (%s)", res.reason);
	cvmg_result_free(&res);
	o.vcek_len = vcek_len;
	/* a policy that does not parse: usage, naming its line */
	o.policy = "snp.allow_debug = maybe\n";
	o.policy_len = strlen(o.policy);
	rc = cvmg_verify_report(ctx, report, report_len, &o, &res);
	CHECK(rc == CVMG_EXIT_USAGE && !strncmp(res.reason, "policy:1:", 9),
	      "a malformed policy: exit 64, '%s'", res.reason);
	cvmg_result_free(&res);
	o.policy = NULL;
	o.policy_len = 0;

	/* misuse never reads as verified */
	rc = cvmg_verify_report(ctx, report, report_len, &small, &res);
	CHECK(rc == -EINVAL && res.exit_code != 0 && res.verdict == CVMG_VERDICT_ERROR,
	      "opts.size too small: -EINVAL, result not OK");
	cvmg_result_free(&res);
	o.flags = 0x80;
	rc = cvmg_verify_report(ctx, report, report_len, &o, &res);
	CHECK(rc == -EINVAL && res.exit_code != 0, "unknown opts.flags: -EINVAL");
	cvmg_result_free(&res);
	o.flags = 0;
	CHECK(cvmg_verify_report(ctx, report, report_len, &o, NULL) == -EINVAL, "res NULL: -EINVAL");
	rc = cvmg_verify_report(ctx, NULL, 0, &o, &res);
	CHECK(rc == -EINVAL && res.exit_code != 0, "evidence NULL: -EINVAL");
	cvmg_result_free(&res);
	rc = cvmg_verify_report(NULL, report, report_len, &o, &res);
	CHECK(rc == -EINVAL && res.exit_code != 0, "ctx NULL: -EINVAL");
	cvmg_result_free(&res);

	/* the device functions without a module: errors, no output, nothing extended */
	len = sizeof(buf);
	rc = cvmg_get_evidence(ctx, ud, buf, &len, NULL);
	CHECK(rc == -ENOENT, "get_evidence without the device: -ENOENT (%d)", rc);
	rc = cvmg_extend(ctx, 15, 13, "x", 1, &seq);
	CHECK(rc == -ENOENT && seq == 7, "extend without the device: -ENOENT, seq untouched");
	len = 4;
	CHECK(cvmg_get_evidence(ctx, ud, NULL, &len, NULL) == -EINVAL,
	      "get_evidence: a length without a buffer is -EINVAL");
	CHECK(cvmg_read_log(ctx, 0, NULL, NULL) == -EINVAL, "read_log without a callback: -EINVAL");
	cvmg_close(ctx);
	cvmg_close(NULL);

	/* distinct contexts in concurrent threads: each gets its own verdicts */
	for (i = 0; i < 4; i++)
		if (pthread_create(&th[i], NULL, worker, (void *)(long)(i & 1)))
			return 2;
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], &tr);
		tbad += (int)(long)tr;
	}
	CHECK(!tbad, "4 threads x 20 verifications (2 forged): %d wrong verdicts", tbad);
	fclose(out);
	free(report);
	free(vcek);
	return failed ? 1 : 0;
}
