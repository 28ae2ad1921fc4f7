/* SPDX-License-Identifier: GPL-2.0 */
/* Internal interfaces between the parts of the module. */
#ifndef CVMGUARD_INTERNAL_H
#define CVMGUARD_INTERNAL_H

#include <linux/cvmguard.h>
#include <linux/types.h>

#define CVMGUARD_MODULE_VERSION "0.1.0"

struct tpm_chip;

/* main.c */
void cvmguard_get_info(struct cvmguard_info *info);

/* evidence.c */
int cvmguard_get_evidence(const u8 *user_data, u8 **report, u32 *type);
int cvmguard_evidence_backend(struct tpm_chip *chip);

/* chardev.c */
int cvmguard_chardev_init(void);
void cvmguard_chardev_exit(void);

/* genl.c */
int cvmguard_genl_init(void);
void cvmguard_genl_exit(void);

/* tpm.c */
struct tpm_chip *cvmguard_tpm_get(void);
void cvmguard_tpm_put(struct tpm_chip *chip);
u32 cvmguard_tpm_banks(struct tpm_chip *chip);

#endif /* CVMGUARD_INTERNAL_H */
