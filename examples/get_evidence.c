// SPDX-License-Identifier: MIT
/*
 * get_evidence: CVMGUARD_IOC_GET_EVIDENCE, a fresh report bound to your data.
 *
 *   cc -Wall -Werror -o get_evidence get_evidence.c
 *   ./get_evidence NONCE REPORT-FILE
 *
 * NONCE: up to 64 bytes of text, zero-padded to CVMGUARD_USER_DATA_LEN; a real
 * verifier sends 64 random bytes (or a hash of its challenge). The HCL report is
 * written to REPORT-FILE; its runtime claims carry the user data in hex as
 * "user-data" (see Documentation/uapi.rst for the layout).
 *
 * First a size probe (report_len 0): answered -ENOSPC with the size needed and
 * no TPM traffic; then the request. If the report grew in between, the request
 * answers -ENOSPC with the new size: try once more. The descriptor must be open
 * for writing (the request writes TPM NV).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/cvmguard.h>

int main(int argc, char **argv)
{
	struct cvmguard_evidence req;
	unsigned char *report = NULL;
	size_t len;
	FILE *out;
	int fd, tries;

	if (argc != 3) {
		fprintf(stderr, "usage: get_evidence NONCE REPORT-FILE\n");
		return 2;
	}
	len = strlen(argv[1]);
	if (len > CVMGUARD_USER_DATA_LEN) {
		fprintf(stderr, "get_evidence: NONCE: at most %d bytes\n", CVMGUARD_USER_DATA_LEN);
		return 2;
	}
	fd = open("/dev/" CVMGUARD_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "get_evidence: /dev/%s: %s\n", CVMGUARD_DEVICE_NAME, strerror(errno));
		return 1;
	}

	memset(&req, 0, sizeof(req));		/* flags and reserved fields: zero */
	memcpy(req.user_data, argv[1], len);
	req.report_len = 0;			/* a size probe */
	for (tries = 0; tries < 3; tries++) {
		if (!ioctl(fd, CVMGUARD_IOC_GET_EVIDENCE, &req))
			break;
		if (errno != ENOSPC || req.report_len > CVMGUARD_REPORT_MAX) {
			fprintf(stderr, "get_evidence: CVMGUARD_IOC_GET_EVIDENCE: %s\n", strerror(errno));
			goto fail;
		}
		/* report_len now holds the size needed */
		free(report);
		report = malloc(req.report_len);
		if (!report)
			goto fail;
		req.report = (uintptr_t)report;
	}
	if (tries == 3) {
		fprintf(stderr, "get_evidence: the report kept growing\n");
		goto fail;
	}
	close(fd);

	out = fopen(argv[2], "wb");
	if (!out || fwrite(report, 1, req.report_len, out) != req.report_len || fclose(out)) {
		fprintf(stderr, "get_evidence: %s: %s\n", argv[2], strerror(errno));
		free(report);
		return 1;
	}
	printf("report_type %u\nreport_len %u\n", req.report_type, req.report_len);
	free(report);
	return 0;
fail:
	free(report);
	close(fd);
	return 1;
}
