// SPDX-License-Identifier: GPL-2.0
/*
 * Finding the TPM. The chip is looked up on every use rather than once at load:
 * "no TPM yet" is a normal state (the TPM driver may bind after us, or never), and a
 * reference held across a driver unbind would keep a dead chip alive.
 */
#include <linux/device.h>
#include <linux/tpm.h>

#include "cvmguard.h"

/**
 * cvmguard_tpm_get() - take a reference to the default TPM 2.0 chip
 *
 * Return: the chip, to be released with cvmguard_tpm_put(), or NULL when there is
 * no TPM or it is not a TPM 2.0.
 */
struct tpm_chip *cvmguard_tpm_get(void)
{
	struct tpm_chip *chip = tpm_default_chip();

	if (chip && !(chip->flags & TPM_CHIP_FLAG_TPM2)) {
		put_device(&chip->dev);
		chip = NULL;
	}
	return chip;
}

/**
 * cvmguard_tpm_put() - drop the reference taken by cvmguard_tpm_get()
 * @chip: the chip, or NULL
 */
void cvmguard_tpm_put(struct tpm_chip *chip)
{
	if (chip)
		put_device(&chip->dev);
}

/**
 * cvmguard_tpm_banks() - the chip's allocated PCR banks as CVMGUARD_BANK_* bits
 * @chip: a chip from cvmguard_tpm_get()
 *
 * Return: the bit mask; banks of algorithms cvmguard does not name are left out.
 */
u32 cvmguard_tpm_banks(struct tpm_chip *chip)
{
	u32 banks = 0;
	unsigned int i;

	for (i = 0; i < chip->nr_allocated_banks; i++) {
		switch (chip->allocated_banks[i].alg_id) {
		case TPM_ALG_SHA1:
			banks |= CVMGUARD_BANK_SHA1;
			break;
		case TPM_ALG_SHA256:
			banks |= CVMGUARD_BANK_SHA256;
			break;
		case TPM_ALG_SHA384:
			banks |= CVMGUARD_BANK_SHA384;
			break;
		case TPM_ALG_SHA512:
			banks |= CVMGUARD_BANK_SHA512;
			break;
		case TPM_ALG_SM3_256:
			banks |= CVMGUARD_BANK_SM3_256;
			break;
		}
	}
	return banks;
}
