/* SPDX-License-Identifier: GPL-2.0 */
/* The HCL report layout (hcl.c). */
#ifndef CVMGUARD_HCL_H
#define CVMGUARD_HCL_H

#include <linux/types.h>

#include <linux/cvmguard.h>

#define HCL_HEADER_SIZE		32
#define HCL_HW_REPORT_SIZE	1184
#define HCL_CLAIMS_OFFSET	1236
#define HCL_REPORT_TYPE_SNP	2
#define HCL_REPORT_TYPE_TDX	4
/*
 * The largest report index the module reads: OpenHCL's is 2600 bytes, and the
 * whole report must fit one netlink attribute (at most 65535 bytes with its header).
 */
#define HCL_INDEX_MAX		CVMGUARD_REPORT_MAX

struct cvmguard_hcl {
	u32 size;		/* meaningful bytes, from the header */
	u32 type;		/* HCL_REPORT_TYPE_* */
	const u8 *claims;	/* runtime claims JSON, not NUL-terminated */
	u32 claims_len;
};

int cvmguard_hcl_parse(const u8 *buf, size_t len, struct cvmguard_hcl *hcl);
u32 cvmguard_hcl_size(const u8 *buf);
bool cvmguard_hcl_whole(const u8 *buf, const struct cvmguard_hcl *hcl);
bool cvmguard_hcl_user_data_matches(const struct cvmguard_hcl *hcl, const u8 *user_data);

#endif /* CVMGUARD_HCL_H */
