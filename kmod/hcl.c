// SPDX-License-Identifier: GPL-2.0
/*
 * The HCL report that an Azure-style paravisor keeps in vTPM NV index 0x01400001:
 *
 *   0     32-byte header: "HCLA", version, size (of the meaningful part: header +
 *         hardware report + runtime data header + claims), request type, status,
 *         reserved; little-endian
 *   32    the hardware report in a 1184-byte slot (SNP attestation report, or a
 *         1024-byte TDX TDREPORT)
 *   1216  runtime data header, 20 bytes: data size, version, report type (2 = SNP,
 *         4 = TDX), hash type (1 = SHA-256), claims size
 *   1236  runtime claims, JSON, whose SHA-256 the hardware report's REPORT_DATA
 *         carries; "user-data" holds the caller's 64 bytes in hex
 *
 * and the rest of the index is padding. The module checks only what it needs to
 * hand out a complete, fresh report; verification is userspace's job.
 */
#include <crypto/sha2.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "cvmguard.h"
#include "hcl.h"

#define HCL_MAGIC		"HCLA"
#define HCL_RUNTIME_OFFSET	(HCL_HEADER_SIZE + HCL_HW_REPORT_SIZE)
#define HCL_RUNTIME_HDR_SIZE	20
/* REPORT_DATA in the hardware report: SNP ATTESTATION_REPORT, TDX REPORTMACSTRUCT */
#define SNP_REPORT_DATA		0x50
#define TDX_REPORT_DATA		0x80

/**
 * cvmguard_hcl_parse() - check an HCL report's framing
 * @buf: the report, at least HCL_CLAIMS_OFFSET bytes
 * @len: bytes in @buf
 * @hcl: receives the report's size, type and claims
 *
 * Return: 0, or -EPROTO when the header, the sizes or the report type are wrong.
 */
int cvmguard_hcl_parse(const u8 *buf, size_t len, struct cvmguard_hcl *hcl)
{
	const u8 *rt = buf + HCL_RUNTIME_OFFSET;
	u32 size, type, claims;

	if (len < HCL_CLAIMS_OFFSET || memcmp(buf, HCL_MAGIC, 4))
		return -EPROTO;
	size = get_unaligned_le32(buf + 8);
	type = get_unaligned_le32(rt + 8);
	claims = get_unaligned_le32(rt + 16);
	if (size < HCL_CLAIMS_OFFSET || size > len || claims > size - HCL_CLAIMS_OFFSET)
		return -EPROTO;
	switch (type) {
	case HCL_REPORT_TYPE_SNP:
	case HCL_REPORT_TYPE_TDX:
		break;
	default:
		return -EPROTO;
	}
	hcl->size = size;
	hcl->type = type;
	hcl->claims = buf + HCL_CLAIMS_OFFSET;
	hcl->claims_len = claims;
	return 0;
}

/**
 * cvmguard_hcl_whole() - is the report one report, not pieces of two?
 * @buf: the report
 * @hcl: its description from cvmguard_hcl_parse()
 *
 * The hardware report's REPORT_DATA starts with SHA-256 of the runtime claims:
 * a report read in chunks across a renewal fails this.
 *
 * Return: true when REPORT_DATA[0..31] equals SHA-256(claims).
 */
bool cvmguard_hcl_whole(const u8 *buf, const struct cvmguard_hcl *hcl)
{
	const u8 *hw = buf + HCL_HEADER_SIZE;
	u8 digest[SHA256_DIGEST_SIZE];

	sha256(hcl->claims, hcl->claims_len, digest);
	hw += hcl->type == HCL_REPORT_TYPE_TDX ? TDX_REPORT_DATA : SNP_REPORT_DATA;
	return !memcmp(hw, digest, sizeof(digest));
}

/**
 * cvmguard_hcl_size() - the meaningful size an HCL header announces
 * @buf: at least HCL_HEADER_SIZE bytes
 *
 * Return: the size, or 0 when @buf does not start with an HCL header.
 */
u32 cvmguard_hcl_size(const u8 *buf)
{
	return memcmp(buf, HCL_MAGIC, 4) ? 0 : get_unaligned_le32(buf + 8);
}

/**
 * cvmguard_hcl_user_data_matches() - is this report bound to @user_data?
 * @hcl: a report checked by cvmguard_hcl_parse()
 * @user_data: the 64 bytes the caller wrote
 *
 * Looks for "user-data" : "<128 hex digits>" in the claims (either case: OpenHCL
 * writes lower case, older paravisors upper case) and compares it with @user_data.
 *
 * Return: true when the claims carry exactly @user_data.
 */
bool cvmguard_hcl_user_data_matches(const struct cvmguard_hcl *hcl, const u8 *user_data)
{
	static const char key[] = "\"user-data\"";
	const char *p = (const char *)hcl->claims, *end = p + hcl->claims_len;
	u8 got[CVMGUARD_USER_DATA_LEN];

	p = strnstr(p, key, hcl->claims_len);
	if (!p)
		return false;
	p += sizeof(key) - 1;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	if (p >= end || *p++ != ':')
		return false;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	if (end - p < 2 * CVMGUARD_USER_DATA_LEN + 2 || *p++ != '"' ||
	    p[2 * CVMGUARD_USER_DATA_LEN] != '"')
		return false;
	if (hex2bin(got, p, CVMGUARD_USER_DATA_LEN))
		return false;
	return !memcmp(got, user_data, CVMGUARD_USER_DATA_LEN);
}
