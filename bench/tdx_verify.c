// SPDX-License-Identifier: GPL-2.0-only
/*
 * tdx_verify QUOTE COLLATERAL UNIX_TIME N: N verifications of a TD quote with its
 * DCAP collateral in one process (collateral parsed each time, as a verifier
 * handed fresh evidence would), through libcvmguard; prints microseconds of CPU
 * time (user + system) per verification, which a loaded machine distorts less
 * than wall time. Used by bench/verify-tdx beside the same loop in dcap-qvl.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cvmguard.h"
#include "dcap_collateral.h"
#include "tdx_quote.h"

int main(int argc, char **argv)
{
	struct dcap_collateral c;
	struct timespec t0, t1;
	struct tdxq_result r;
	uint8_t *q, *j;
	size_t ql, jl;
	long i, n;
	X509 *root;

	if (argc != 5 || cvmg_read_file(argv[1], &q, &ql, 1 << 20) ||
	    cvmg_read_file(argv[2], &j, &jl, 1 << 20) || tdx_sgx_root(&root))
		return 64;
	n = atol(argv[4]);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	for (i = 0; i < n; i++) {
		if (dcap_collateral_parse(j, jl, &c) ||
		    tdx_quote_verify(q, ql, root, &c, (time_t)atoll(argv[3]), &r) != TDXQ_OK) {
			fprintf(stderr, "tdx_verify: does not verify: %s\n", r.detail);
			return 1;
		}
		dcap_collateral_free(&c);
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	printf("%.1f\n", ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / 1e3 / n);
	X509_free(root);
	free(q);
	free(j);
	return 0;
}
