// SPDX-License-Identifier: GPL-2.0-only
/*
 * lib_verify: in-process SNP verifications through libcvmguard, for bench/verify.
 *
 *   lib_verify REPORT VCEK SECONDS
 *
 * Verifies REPORT with VCEK (full: pinned ARK -> ASK -> VCEK, TCB against the
 * certificate, the report's ECDSA P-384 signature, the default policy) in a loop
 * on one context for about SECONDS of CPU time, each verdict checked, and prints
 * "N verifications in S s CPU (W s wall): R per CPU second". CPU time, because
 * that is what `openssl speed` divides by (user CPU time) and the build machine
 * is shared. Exit 1 if any verification failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <libcvmguard.h>

static unsigned char *slurp(const char *path, size_t *len)
{
	unsigned char *buf;
	FILE *f = fopen(path, "rb");
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET))
		return NULL;
	buf = malloc((size_t)n);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static double now(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct cvmg_verify_opts o = { .size = sizeof(o) };
	struct cvmg_result res;
	struct cvmg_ctx *ctx;
	unsigned char *report;
	size_t len;
	double t0, w0, t, secs;
	long n = 0;

	if (argc != 4 || !(report = slurp(argv[1], &len)) ||
	    !(o.vcek = slurp(argv[2], &o.vcek_len)) || (secs = atof(argv[3])) <= 0) {
		fprintf(stderr, "usage: lib_verify REPORT VCEK SECONDS\n");
		return 64;
	}
	if (cvmg_open(&ctx, 0))
		return 1;
	t0 = now(CLOCK_PROCESS_CPUTIME_ID);
	w0 = now(CLOCK_MONOTONIC);
	do {
		int rc = cvmg_verify_report(ctx, report, len, &o, &res);

		if (rc != CVMG_EXIT_OK) {
			fprintf(stderr, "lib_verify: verification %ld: exit %d: %s\n", n, rc, res.reason);
			return 1;
		}
		cvmg_result_free(&res);
		n++;
		t = now(CLOCK_PROCESS_CPUTIME_ID) - t0;
	} while (t < secs);
	printf("%ld verifications in %.2f s CPU (%.2f s wall): %.1f per CPU second\n", n, t,
	       now(CLOCK_MONOTONIC) - w0, n / t);
	cvmg_close(ctx);
	return 0;
}
