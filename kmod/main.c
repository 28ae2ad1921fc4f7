// SPDX-License-Identifier: GPL-2.0
/*
 * cvmguard: attestation evidence and vTPM measurements for confidential VMs.
 *
 * Module entry points and the facts every interface reports (GET_INFO). The
 * interfaces themselves are in chardev.c (/dev/cvmguard) and genl.c (netlink).
 */
#include <linux/module.h>
#include <linux/string.h>
#include <linux/tpm.h>

#include "cvmguard.h"

/**
 * cvmguard_get_info() - fill in the answer to GET_INFO
 * @info: zeroed by the caller
 * @privileged: the caller has CAP_SYS_ADMIN (the opener's, on the device)
 *
 * Answers from what the kernel and the module already know: the chip and its
 * banks are the TPM driver's, the backend is the one found at load or by an
 * earlier request. Only for a privileged caller, and only once per chip, does
 * it send TPM commands to look for the report index; so no one can make the
 * module talk to the TPM by asking in a loop.
 */
void cvmguard_get_info(struct cvmguard_info *info, bool privileged)
{
	struct tpm_chip *chip;

	info->abi_version = CVMGUARD_ABI_VERSION;
	strscpy(info->module_version, CVMGUARD_MODULE_VERSION, sizeof(info->module_version));
	info->backend = CVMGUARD_BACKEND_NONE;

	chip = cvmguard_tpm_get();
	if (chip) {
		info->flags |= CVMGUARD_INFO_TPM;
		info->pcr_banks = cvmguard_tpm_banks(chip);
		info->backend = cvmguard_evidence_backend(chip, privileged);
		cvmguard_tpm_put(chip);
	}
}

static int __init cvmguard_init(void)
{
	struct tpm_chip *chip;
	int ret;

	ret = cvmguard_measure_init();
	if (ret)
		return ret;
	ret = cvmguard_genl_init();
	if (ret)
		goto out_measure;
	ret = cvmguard_chardev_init();
	if (ret)
		goto out_genl;
	chip = cvmguard_tpm_get();
	if (chip) {
		/* Look for the report index now, so GET_INFO need not. */
		cvmguard_evidence_backend(chip, true);
		cvmguard_tpm_put(chip);
	}
	pr_debug("loaded, ABI %u\n", CVMGUARD_ABI_VERSION);
	return 0;

out_genl:
	cvmguard_genl_exit();
out_measure:
	cvmguard_measure_exit();
	return ret;
}

/* The interfaces go first, so nothing extends or reads while the log is freed. */
static void __exit cvmguard_exit(void)
{
	cvmguard_chardev_exit();
	cvmguard_genl_exit();
	cvmguard_measure_exit();
}

module_init(cvmguard_init);
module_exit(cvmguard_exit);

MODULE_DESCRIPTION("Attestation evidence and vTPM measurements for confidential VMs");
MODULE_AUTHOR("The cvmguard developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(CVMGUARD_MODULE_VERSION);
/* The PCR banks' hashes (sha384 is in sha512), loaded before the first extend needs them. */
MODULE_SOFTDEP("pre: sha1 sha256 sha512");
