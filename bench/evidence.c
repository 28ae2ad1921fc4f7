// SPDX-License-Identifier: GPL-2.0
/*
 * bench/evidence: one fresh HCL report, round trip, three ways, in the same guest:
 *
 *   evidence module N   through /dev/cvmguard (GET_EVIDENCE)
 *   evidence esapi N    what an application does by hand with tpm2-tss ESAPI over
 *                       /dev/tpmrm0: NV_Write the user data to 0x01400002, then
 *                       NV_Read 0x01400001 in TPM_PT_NV_BUFFER_MAX chunks until the
 *                       claims carry that data (same backoff as the module)
 *
 * Each prints "NAME: N requests, X ms each". bench/evidence-guest.sh adds the
 * tpm2-tools command-line path and prints the ratios.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <linux/cvmguard.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_tctildr.h>

#define NV_REPORT	0x01400001
#define NV_USER_DATA	0x01400002
#define BUF		8192

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int carries(const unsigned char *report, size_t len, const unsigned char *ud)
{
	const char *p = memmem(report, len, "\"user-data\"", 11);
	unsigned int i, v;

	if (!p || !(p = strchr(p + 11, '"')))
		return 0;
	for (i = 0, p++; i < CVMGUARD_USER_DATA_LEN; i++)
		if (sscanf(p + 2 * i, "%2x", &v) != 1 || v != ud[i])
			return 0;
	return 1;
}

static int bench_module(int n)
{
	static unsigned char buf[BUF];
	struct cvmguard_evidence req;
	int fd = open("/dev/cvmguard", O_RDWR), i;

	if (fd < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		memset(&req, 0, sizeof(req));
		getrandom(req.user_data, sizeof(req.user_data), 0);
		req.report = (uintptr_t)buf;
		req.report_len = sizeof(buf);
		if (ioctl(fd, CVMGUARD_IOC_GET_EVIDENCE, &req) ||
		    !carries(buf, req.report_len, req.user_data))
			return -EIO;
	}
	close(fd);
	return 0;
}

static TSS2_RC nv_read_range(ESYS_CONTEXT *ctx, ESYS_TR idx, unsigned char *out, UINT16 off,
			     UINT16 size, UINT16 chunk)
{
	TPM2B_MAX_NV_BUFFER *data;
	UINT16 len;
	TSS2_RC rc;

	for (; off < size; off += len) {
		len = size - off < chunk ? size - off : chunk;
		rc = Esys_NV_Read(ctx, ESYS_TR_RH_OWNER, idx, ESYS_TR_PASSWORD, ESYS_TR_NONE,
				  ESYS_TR_NONE, len, off, &data);
		if (rc)
			return rc;
		memcpy(out + off, data->buffer, data->size);
		Esys_Free(data);
	}
	return 0;
}

static int bench_esapi(int n)
{
	static unsigned char buf[BUF];
	TSS2_TCTI_CONTEXT *tcti = NULL;
	TPMS_CAPABILITY_DATA *cap = NULL;
	TPM2B_NV_PUBLIC *pub = NULL;
	ESYS_CONTEXT *ctx = NULL;
	ESYS_TR report, ud;
	TPM2B_MAX_NV_BUFFER in = { .size = CVMGUARD_USER_DATA_LEN };
	UINT16 chunk = 1024, size;
	unsigned int delay;
	int i, ret = -EIO;

	if (Tss2_TctiLdr_Initialize("device:/dev/tpmrm0", &tcti) ||
	    Esys_Initialize(&ctx, tcti, NULL))
		goto out;
	if (!Esys_GetCapability(ctx, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
				TPM2_CAP_TPM_PROPERTIES, TPM2_PT_NV_BUFFER_MAX, 1, NULL, &cap) &&
	    cap->data.tpmProperties.count)
		chunk = cap->data.tpmProperties.tpmProperty[0].value;
	Esys_Free(cap);
	if (Esys_TR_FromTPMPublic(ctx, NV_REPORT, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
				  &report) ||
	    Esys_TR_FromTPMPublic(ctx, NV_USER_DATA, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
				  &ud) ||
	    Esys_NV_ReadPublic(ctx, report, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &pub, NULL))
		goto out;
	for (i = 0; i < n; i++) {
		getrandom(in.buffer, CVMGUARD_USER_DATA_LEN, 0);
		if (Esys_NV_Write(ctx, ESYS_TR_RH_OWNER, ud, ESYS_TR_PASSWORD, ESYS_TR_NONE,
				  ESYS_TR_NONE, &in, 0))
			goto out;
		for (delay = 5;; delay = delay * 2 > 200 ? 200 : delay * 2) {
			/* The header announces the meaningful size; read just that. */
			if (nv_read_range(ctx, report, buf, 0, chunk, chunk))
				goto out;
			memcpy(&size, buf + 8, sizeof(size));
			if (size > pub->nvPublic.dataSize)
				size = pub->nvPublic.dataSize;
			if (nv_read_range(ctx, report, buf, chunk, size, chunk))
				goto out;
			if (carries(buf, size, in.buffer))
				break;
			usleep(delay * 1000);
		}
	}
	ret = 0;
out:
	Esys_Free(pub);
	if (ctx)
		Esys_Finalize(&ctx);
	Tss2_TctiLdr_Finalize(&tcti);
	return ret;
}

int main(int argc, char **argv)
{
	int n = argc == 3 ? atoi(argv[2]) : 0, ret;
	double t;

	if (n <= 0 || (strcmp(argv[1], "module") && strcmp(argv[1], "esapi"))) {
		fprintf(stderr, "usage: evidence module|esapi N\n");
		return 64;
	}
	t = now_ms();
	ret = !strcmp(argv[1], "module") ? bench_module(n) : bench_esapi(n);
	t = now_ms() - t;
	if (ret) {
		fprintf(stderr, "%s: failed (%d)\n", argv[1], ret);
		return 1;
	}
	printf("%s: %d requests, %.1f ms each\n", argv[1], n, t / n);
	return 0;
}
