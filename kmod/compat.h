/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels cvmguard supports lives here, selected by
 * the CVMGUARD_HAVE_* symbols that Kbuild probes from the target tree. The .c files
 * carry no version checks. Supported: Debian 12's 6.1 and 6.12 kernels.
 *
 * (no symbol)                     6.1 exports tpm_send(); 6.12 does not. Both export
 *                                 tpm_transmit_cmd() (with tpm_try_get_ops()), which
 *                                 tpm2_cmd.c uses on every kernel: it alone can keep
 *                                 expected TPM errors out of the log (desc = NULL).
 *                                 struct tpm_buf differs (6.12 adds length and handles),
 *                                 so tpm2_cmd.c never touches its fields beyond .data
 *                                 and .flags: it builds commands with tpm_buf_init(),
 *                                 tpm_buf_append*(), tpm_buf_length() and
 *                                 tpm_buf_destroy(), static inline in 6.1's
 *                                 <linux/tpm.h> and exported (GPL) by 6.12's
 *                                 tpm-buf.c, with the same calls on both.
 * CVMGUARD_HAVE_LINUX_UNALIGNED_H 6.12 moved <asm/unaligned.h> to <linux/unaligned.h>.
 * CVMGUARD_HAVE_GENL_INFO_DUMP    genl_info_dump() (6.6+): a dump's parsed attributes
 *                                 are in a struct genl_info; before, directly in
 *                                 struct genl_dumpit_info.
 */
#ifndef CVMGUARD_COMPAT_H
#define CVMGUARD_COMPAT_H

#ifdef CVMGUARD_HAVE_LINUX_UNALIGNED_H
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/* The attributes a dump request carried, parsed against the op's policy. */
#ifdef CVMGUARD_HAVE_GENL_INFO_DUMP
#define cvmguard_dump_attrs(cb)	(genl_info_dump(cb)->attrs)
#else
#define cvmguard_dump_attrs(cb)	(genl_dumpit_info(cb)->attrs)
#endif

#endif /* CVMGUARD_COMPAT_H */
