/* SPDX-License-Identifier: GPL-2.0 */
/* TPM 2.0 NV commands over the kernel TPM API (tpm2_cmd.c). */
#ifndef CVMGUARD_TPM2_CMD_H
#define CVMGUARD_TPM2_CMD_H

#include <linux/types.h>

struct tpm_chip;

#define TPM2_PT_NV_BUFFER_MAX	0x0000012c

#define TPMA_NV_OWNERWRITE	BIT(1)
#define TPMA_NV_AUTHWRITE	BIT(2)
#define TPMA_NV_OWNERREAD	BIT(17)
#define TPMA_NV_AUTHREAD	BIT(18)

struct cvmguard_nv_public {
	u32 attributes;
	u16 data_size;
};

int cvmguard_tpm_rc_errno(int rc);
int cvmguard_nv_read_public(struct tpm_chip *chip, u32 index, struct cvmguard_nv_public *pub);
int cvmguard_nv_define_space(struct tpm_chip *chip, u32 index, u32 attributes, u16 size);
int cvmguard_nv_write(struct tpm_chip *chip, u32 index, const u8 *data, u16 len, u16 offset);
int cvmguard_nv_read(struct tpm_chip *chip, u32 index, u8 *out, u16 len, u16 offset);
int cvmguard_tpm_get_property(struct tpm_chip *chip, u32 property, u32 *value);

#endif /* CVMGUARD_TPM2_CMD_H */
