// SPDX-License-Identifier: MIT
/*
 * verify_bundle: verify attestation evidence in-process with libcvmguard.
 *
 *   cc -Wall -Werror -o verify_bundle verify_bundle.c $(pkg-config --cflags --libs libcvmguard)
 *   ./verify_bundle [--nonce HEX | --no-nonce] [--vcek FILE] [--collateral FILE]
 *                   [--time SECONDS] FILE
 *
 * FILE is an evidence bundle from `cvmguard attest` (or any evidence `cvmguard
 * verify` takes: an SNP report, an HCL report, a TD quote). The built-in default
 * policy applies. Prints the verdict, the reason when refused, the measurement
 * and REPORT_DATA, and exits with the library's exit-code class (0 only when the
 * evidence verified and the policy accepts it: Documentation/exit-codes.rst).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libcvmguard.h>

/* The whole of @path into a malloc'ed buffer. */
static unsigned char *slurp(const char *path, size_t *len)
{
	unsigned char *buf = NULL, *nb;
	size_t cap = 0, n;
	FILE *f = fopen(path, "rb");

	if (!f)
		return NULL;
	*len = 0;
	for (;;) {
		if (*len == cap) {
			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (!nb)
				break;
			buf = nb;
		}
		n = fread(buf + *len, 1, cap - *len, f);
		*len += n;
		if (!n) {
			if (ferror(f))
				break;
			fclose(f);
			return buf;
		}
	}
	fclose(f);
	free(buf);
	return NULL;
}

static int unhex(const char *hex, unsigned char *out, size_t max, size_t *len)
{
	size_t n = strlen(hex), i;
	unsigned int b;

	if (!n || n % 2 || n / 2 > max)
		return -1;
	for (i = 0; i < n / 2; i++) {
		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			return -1;
		out[i] = (unsigned char)b;
	}
	*len = n / 2;
	return 0;
}

static void print_hex(const char *name, const unsigned char *p, size_t n)
{
	printf("%s ", name);
	while (n--)
		printf("%02x", *p++);
	printf("\n");
}

int main(int argc, char **argv)
{
	struct cvmg_verify_opts opts;
	struct cvmg_result res;
	struct cvmg_ctx *ctx = NULL;
	unsigned char nonce[64], *ev = NULL, *vcek = NULL, *col = NULL;
	size_t len = 0, i;
	const char *file = NULL;
	int rc, a;

	memset(&opts, 0, sizeof(opts));
	opts.size = sizeof(opts);
	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--nonce") && a + 1 < argc) {
			if (unhex(argv[++a], nonce, sizeof(nonce), &opts.nonce_len)) {
				fprintf(stderr, "verify_bundle: --nonce: 1 to 64 bytes in hex\n");
				return CVMG_EXIT_USAGE;
			}
			opts.nonce = nonce;
		} else if (!strcmp(argv[a], "--no-nonce")) {
			opts.flags |= CVMG_VERIFY_NO_NONCE;
		} else if (!strcmp(argv[a], "--vcek") && a + 1 < argc) {
			vcek = slurp(argv[++a], &opts.vcek_len);
			if (!vcek) {
				perror(argv[a]);
				return CVMG_EXIT_USAGE;
			}
			opts.vcek = vcek;
		} else if (!strcmp(argv[a], "--collateral") && a + 1 < argc) {
			col = slurp(argv[++a], &opts.collateral_len);
			if (!col) {
				perror(argv[a]);
				return CVMG_EXIT_USAGE;
			}
			opts.collateral = col;
		} else if (!strcmp(argv[a], "--time") && a + 1 < argc) {
			opts.time = strtoll(argv[++a], NULL, 10);
		} else if (argv[a][0] != '-' && !file) {
			file = argv[a];
		} else {
			fprintf(stderr, "usage: verify_bundle [--nonce HEX | --no-nonce] [--vcek FILE]\n"
					"                     [--collateral FILE] [--time SECONDS] FILE\n");
			return CVMG_EXIT_USAGE;
		}
	}
	if (!file) {
		fprintf(stderr, "verify_bundle: no evidence FILE\n");
		return CVMG_EXIT_USAGE;
	}
	ev = slurp(file, &len);
	if (!ev) {
		perror(file);
		return CVMG_EXIT_USAGE;
	}
	rc = cvmg_open(&ctx, 0);
	if (rc) {
		fprintf(stderr, "verify_bundle: cvmg_open: %s\n", strerror(-rc));
		return CVMG_EXIT_FAIL;
	}
	/* cvmg_verify_bundle() takes bundles only; cvmg_verify() any evidence */
	rc = cvmg_verify(ctx, ev, len, &opts, &res);
	if (rc < 0) {
		fprintf(stderr, "verify_bundle: %s: %s\n", file, strerror(-rc));
		rc = CVMG_EXIT_FAIL;
	} else {
		printf("verdict %s (exit %d)%s%s\n",
		       res.verdict == CVMG_VERDICT_VERIFIED ? "verified" :
		       res.verdict == CVMG_VERDICT_REFUSED ? "refused" :
		       res.verdict == CVMG_VERDICT_MALFORMED ? "malformed" :
		       res.verdict == CVMG_VERDICT_FAILED ? "failed" : "error",
		       res.exit_code, res.reason[0] ? ": " : "", res.reason);
		if (res.has_claims) {
			printf("platform %s hardware_verified %s\n",
			       res.platform == CVMG_REPORT_SNP ? "snp" : "tdx",
			       res.hardware_verified ? "yes" : "no");
			print_hex("measurement", res.measurement, sizeof(res.measurement));
			print_hex("report_data", res.report_data, sizeof(res.report_data));
			if (res.platform == CVMG_REPORT_SNP)
				printf("reported_tcb 0x%016llx\n",
				       (unsigned long long)res.reported_tcb);
			else if (res.tcb_status[0])
				printf("tcb_status %s\n", res.tcb_status);
		}
		for (i = 0; i < res.n_policy_failures; i++)
			printf("policy %s\n", res.policy_failures[i]);
		rc = res.exit_code;
	}
	cvmg_result_free(&res);
	cvmg_close(ctx);
	free(ev);
	free(vcek);
	free(col);
	return rc;
}
