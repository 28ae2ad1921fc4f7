/* SPDX-License-Identifier: GPL-2.0 */
/* The HCL report layout (hcl.c). */
#ifndef CVMGUARD_HCL_H
#define CVMGUARD_HCL_H

#include <linux/types.h>

#define HCL_HEADER_SIZE		32
#define HCL_HW_REPORT_SIZE	1184
#define HCL_CLAIMS_OFFSET	1236
#define HCL_REPORT_TYPE_SNP	2
#define HCL_REPORT_TYPE_TDX	4

struct cvmguard_hcl {
	u32 size;		/* meaningful bytes, from the header */
	u32 type;		/* HCL_REPORT_TYPE_* */
	const u8 *claims;	/* runtime claims JSON, not NUL-terminated */
	u32 claims_len;
};

int cvmguard_hcl_parse(const u8 *buf, size_t len, struct cvmguard_hcl *hcl);
u32 cvmguard_hcl_size(const u8 *buf);
bool cvmguard_hcl_user_data_matches(const struct cvmguard_hcl *hcl, const u8 *user_data);

#endif /* CVMGUARD_HCL_H */
