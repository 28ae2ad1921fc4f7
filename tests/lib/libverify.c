// SPDX-License-Identifier: GPL-2.0-only
/*
 * libverify: `cvmguard verify`'s command line, verified through libcvmguard's
 * public API only (built against the installed header and pkg-config). tests/lib/run
 * runs every `verify` case of the forgery corpus (tests/forgery/corpus/MANIFEST)
 * with it: the library must reach the exit code the manifest states for the CLI.
 *
 *   libverify verify FILE [--vcek F] [--chain F] [--root F] [--crl F]... [--nonce HEX]
 *             [--no-nonce] [--policy F] [--td-quote F] [--collateral F]
 *             [--intel-root F] [--time RFC3339]
 *
 * Prints "exit N verdict V reason R" and exits N. A file it cannot read is 64, as
 * for the CLI; everything else is the library's verdict.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libcvmguard.h>

static unsigned char *slurp(const char *path, size_t *len, unsigned char *append, size_t *alen)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = append;
	size_t cap = append ? *alen : 0, n = append ? *alen : 0, r;

	if (!f)
		return NULL;
	for (;;) {
		if (n == cap) {
			unsigned char *nb = realloc(buf, cap = cap * 2 + 65536);

			if (!nb) {
				fclose(f);
				free(buf);
				return NULL;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (!r)
			break;
	}
	fclose(f);
	*len = n;
	return buf;
}

int main(int argc, char **argv)
{
	struct cvmg_verify_opts o = { .size = sizeof(o) };
	struct cvmg_result res;
	struct cvmg_ctx *ctx;
	unsigned char nonce[64], *ev = NULL, *crls = NULL;
	const char *file = NULL;
	size_t len = 0, crls_len = 0, i, n;
	unsigned int b;
	struct tm tm;
	int a, rc;

	if (argc < 2 || strcmp(argv[1], "verify"))
		return 64;
	for (a = 2; a < argc; a++) {
		const char *opt = argv[a], *arg = a + 1 < argc ? argv[a + 1] : NULL;
		const unsigned char **bp = NULL;
		size_t *lp = NULL;

		if (!strcmp(opt, "--no-nonce")) {
			o.flags |= CVMG_VERIFY_NO_NONCE;
			continue;
		}
		if (opt[0] != '-') {
			if (file)
				return 64;
			file = opt;
			continue;
		}
		if (!arg)
			return 64;
		a++;
		if (!strcmp(opt, "--nonce")) {
			n = strlen(arg);
			if (n % 2 || n / 2 > sizeof(nonce))
				return 64;
			for (i = 0; i < n / 2; i++) {
				if (sscanf(arg + 2 * i, "%2x", &b) != 1)
					return 64;
				nonce[i] = (unsigned char)b;
			}
			o.nonce = nonce;	/* an empty one too: the library refuses it */
			o.nonce_len = n / 2;
			continue;
		}
		if (!strcmp(opt, "--time")) {
			memset(&tm, 0, sizeof(tm));
			if (!strptime(arg, "%Y-%m-%dT%H:%M:%SZ", &tm))
				return 64;
			o.time = timegm(&tm);
			continue;
		}
		if (!strcmp(opt, "--crl")) {
			crls = slurp(arg, &crls_len, crls, &crls_len);
			if (!crls)
				return 64;
			continue;
		}
		if (!strcmp(opt, "--policy")) {
			unsigned char *p = slurp(arg, &o.policy_len, NULL, NULL);

			if (!p)
				return 64;
			o.policy = (const char *)p;
			continue;
		}
		if (!strcmp(opt, "--vcek")) { bp = &o.vcek; lp = &o.vcek_len; }
		else if (!strcmp(opt, "--chain")) { bp = &o.chain; lp = &o.chain_len; }
		else if (!strcmp(opt, "--root")) { bp = &o.root; lp = &o.root_len; }
		else if (!strcmp(opt, "--td-quote")) { bp = &o.td_quote; lp = &o.td_quote_len; }
		else if (!strcmp(opt, "--collateral")) { bp = &o.collateral; lp = &o.collateral_len; }
		else if (!strcmp(opt, "--intel-root")) { bp = &o.intel_root; lp = &o.intel_root_len; }
		else
			return 64;
		*bp = slurp(arg, lp, NULL, NULL);
		if (!*bp)
			return 64;
	}
	if (!file || !(ev = slurp(file, &len, NULL, NULL)))
		return 64;
	o.crls = crls;
	o.crls_len = crls_len;
	if (cvmg_open(&ctx, 0))
		return 1;
	rc = cvmg_verify(ctx, ev, len, &o, &res);
	printf("exit %d verdict %d reason %s\n", res.exit_code, res.verdict, res.reason);
	if (rc >= 0 && rc != res.exit_code)
		rc = 99;	/* the return and the result must agree */
	else if (rc < 0)
		rc = 98;
	cvmg_result_free(&res);
	cvmg_close(ctx);
	return rc;
}
