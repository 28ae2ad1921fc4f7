/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * cvmguard: attestation evidence and vTPM measurements for confidential VMs.
 *
 * The module offers one interface in two forms:
 *
 * - the character device /dev/cvmguard, for attestation applications, driven with
 *   the ioctls below. Every ioctl argument is a struct of fixed-width fields padded
 *   to a multiple of 64 bits; user pointers travel as __u64. Fields marked "in"
 *   are read, fields marked "out" are written; reserved fields and unknown flag
 *   bits must be zero or the ioctl fails with -EINVAL, so they can gain a meaning
 *   later without breaking old callers. Unknown ioctl numbers fail with -ENOTTY.
 *
 * - the generic netlink family CVMGUARD_GENL_NAME, for tools, with the same
 *   commands carried as attributes (enum cvmguard_attr). Attributes are validated
 *   strictly: wrong lengths and unknown attributes are rejected with -EINVAL and an
 *   extended ack naming the attribute. Commands that change state need
 *   CAP_SYS_ADMIN in the initial user namespace.
 *
 * Commands:
 *
 * GET_INFO (CVMGUARD_IOC_GET_INFO, CVMGUARD_CMD_GET_INFO)
 *   Describes the module and what it found: the ABI version (CVMGUARD_ABI_VERSION,
 *   raised when a command changes incompatibly), the module's version string,
 *   whether a TPM 2.0 chip is present (CVMGUARD_INFO_TPM), the PCR banks the TPM
 *   has allocated (CVMGUARD_BANK_* bits) and the evidence backend in use (enum
 *   cvmguard_backend). A missing TPM is a normal answer, not an error: the module
 *   looks for the chip on every call, so a TPM driver loaded later is seen.
 *   Open to anyone who can open the device; on netlink, to anyone.
 */
#ifndef _UAPI_LINUX_CVMGUARD_H
#define _UAPI_LINUX_CVMGUARD_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define CVMGUARD_ABI_VERSION	1
#define CVMGUARD_DEVICE_NAME	"cvmguard"
#define CVMGUARD_VERSION_LEN	32

/**
 * enum cvmguard_backend - where attestation evidence comes from
 * @CVMGUARD_BACKEND_NONE: no evidence source found
 * @CVMGUARD_BACKEND_PARAVISOR_SNP: Azure-style paravisor (HCL report over vTPM NV), SEV-SNP
 * @CVMGUARD_BACKEND_PARAVISOR_TDX: Azure-style paravisor (HCL report over vTPM NV), TDX
 */
enum cvmguard_backend {
	CVMGUARD_BACKEND_NONE = 0,
	CVMGUARD_BACKEND_PARAVISOR_SNP = 1,
	CVMGUARD_BACKEND_PARAVISOR_TDX = 2,
};

/* PCR banks, as bits of cvmguard_info.pcr_banks and CVMGUARD_A_PCR_BANKS. */
#define CVMGUARD_BANK_SHA1	(1U << 0)
#define CVMGUARD_BANK_SHA256	(1U << 1)
#define CVMGUARD_BANK_SHA384	(1U << 2)
#define CVMGUARD_BANK_SHA512	(1U << 3)
#define CVMGUARD_BANK_SM3_256	(1U << 4)

/* cvmguard_info.flags and CVMGUARD_A_INFO_FLAGS */
#define CVMGUARD_INFO_TPM	(1U << 0)	/* a TPM 2.0 chip is present */

/**
 * struct cvmguard_info - argument of CVMGUARD_IOC_GET_INFO
 * @abi_version: out: CVMGUARD_ABI_VERSION
 * @flags: out: CVMGUARD_INFO_* bits
 * @pcr_banks: out: CVMGUARD_BANK_* bits of the TPM's allocated PCR banks
 * @backend: out: enum cvmguard_backend
 * @module_version: out: the module's version, NUL-terminated
 * @reserved: in: must be zero
 */
struct cvmguard_info {
	__u32 abi_version;
	__u32 flags;
	__u32 pcr_banks;
	__u32 backend;
	char module_version[CVMGUARD_VERSION_LEN];
	__u64 reserved[4];
};

#define CVMGUARD_IOC_MAGIC	0xC7
#define CVMGUARD_IOC_GET_INFO	_IOWR(CVMGUARD_IOC_MAGIC, 0x00, struct cvmguard_info)

/* Generic netlink */
#define CVMGUARD_GENL_NAME	"cvmguard"
#define CVMGUARD_GENL_VERSION	1

/**
 * enum cvmguard_cmd - generic netlink commands
 * @CVMGUARD_CMD_UNSPEC: never used
 * @CVMGUARD_CMD_GET_INFO: request: no attributes; reply: the CVMGUARD_A_INFO_*
 *	attributes, CVMGUARD_A_MODULE_VERSION and CVMGUARD_A_PCR_BANKS
 */
enum cvmguard_cmd {
	CVMGUARD_CMD_UNSPEC,
	CVMGUARD_CMD_GET_INFO,
	__CVMGUARD_CMD_MAX,
};
#define CVMGUARD_CMD_MAX (__CVMGUARD_CMD_MAX - 1)

/**
 * enum cvmguard_attr - generic netlink attributes
 * @CVMGUARD_A_UNSPEC: never used
 * @CVMGUARD_A_ABI_VERSION: u32, CVMGUARD_ABI_VERSION
 * @CVMGUARD_A_MODULE_VERSION: NUL-terminated string
 * @CVMGUARD_A_INFO_FLAGS: u32, CVMGUARD_INFO_* bits
 * @CVMGUARD_A_PCR_BANKS: u32, CVMGUARD_BANK_* bits
 * @CVMGUARD_A_BACKEND: u32, enum cvmguard_backend
 */
enum cvmguard_attr {
	CVMGUARD_A_UNSPEC,
	CVMGUARD_A_ABI_VERSION,
	CVMGUARD_A_MODULE_VERSION,
	CVMGUARD_A_INFO_FLAGS,
	CVMGUARD_A_PCR_BANKS,
	CVMGUARD_A_BACKEND,
	__CVMGUARD_A_MAX,
};
#define CVMGUARD_A_MAX (__CVMGUARD_A_MAX - 1)

#endif /* _UAPI_LINUX_CVMGUARD_H */
