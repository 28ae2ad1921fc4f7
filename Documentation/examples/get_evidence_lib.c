// SPDX-License-Identifier: MIT
/*
 * get_evidence_lib: fresh attestation evidence bound to your data, through
 * libcvmguard (the same request as examples/get_evidence.c makes with the ioctl).
 *
 *   cc -Wall -Werror -o get_evidence_lib get_evidence_lib.c $(pkg-config --cflags --libs libcvmguard)
 *   ./get_evidence_lib HEX REPORT-FILE
 *
 * HEX: 1 to 64 bytes of user data in hex, zero-padded to CVMG_USER_DATA_LEN; a
 * verifier sends 64 random bytes. The HCL report is written to REPORT-FILE; a
 * verifier checks it with cvmg_verify_report() and that nonce. Prints the report
 * type and size. Exit: 0, 64 usage, 1 the request failed (errno said).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libcvmguard.h>

int main(int argc, char **argv)
{
	unsigned char user_data[CVMG_USER_DATA_LEN] = { 0 }, *report = NULL;
	struct cvmg_ctx *ctx = NULL;
	size_t len = 0, n, i;
	uint32_t type = 0;
	unsigned int b;
	FILE *out;
	int ret, tries;

	if (argc != 3) {
		fprintf(stderr, "usage: get_evidence_lib HEX REPORT-FILE\n");
		return CVMG_EXIT_USAGE;
	}
	n = strlen(argv[1]);
	if (!n || n % 2 || n / 2 > CVMG_USER_DATA_LEN) {
		fprintf(stderr, "get_evidence_lib: HEX: 1 to %d bytes in hex\n", CVMG_USER_DATA_LEN);
		return CVMG_EXIT_USAGE;
	}
	for (i = 0; i < n / 2; i++) {
		if (sscanf(argv[1] + 2 * i, "%2x", &b) != 1) {
			fprintf(stderr, "get_evidence_lib: HEX: not hex\n");
			return CVMG_EXIT_USAGE;
		}
		user_data[i] = (unsigned char)b;
	}
	ret = cvmg_open(&ctx, 0);
	if (ret)
		goto fail;
	/* a size probe (no TPM command), then the request; once more if it grew */
	ret = cvmg_get_evidence(ctx, user_data, NULL, &len, NULL);
	for (tries = 0; ret == -ENOSPC && tries < 2; tries++) {
		free(report);
		report = malloc(len);
		if (!report) {
			ret = -ENOMEM;
			break;
		}
		ret = cvmg_get_evidence(ctx, user_data, report, &len, &type);
	}
	if (ret)
		goto fail;
	out = fopen(argv[2], "wb");
	if (!out || fwrite(report, 1, len, out) != len || fclose(out)) {
		perror(argv[2]);
		free(report);
		cvmg_close(ctx);
		return CVMG_EXIT_FAIL;
	}
	printf("report_type %u\nreport_len %zu\n", type, len);
	free(report);
	cvmg_close(ctx);
	return CVMG_EXIT_OK;
fail:
	fprintf(stderr, "get_evidence_lib: %s\n", strerror(-ret));
	free(report);
	cvmg_close(ctx);
	return CVMG_EXIT_FAIL;
}
