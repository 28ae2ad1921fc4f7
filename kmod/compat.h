/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels cvmguard supports lives here, selected by
 * the CVMGUARD_HAVE_* symbols that Kbuild probes from the target tree. The .c files
 * carry no version checks. Supported: Debian 12's 6.1 and 6.12 kernels.
 *
 * CVMGUARD_HAVE_TPM_SEND        6.1 exports tpm_send(); 6.12 does not, but exports
 *                               tpm_transmit_cmd() and the tpm_buf_* helpers.
 * CVMGUARD_HAVE_TPM_BUF_HANDLE  tpm_buf_append_handle() (6.10+).
 * CVMGUARD_HAVE_LINUX_UNALIGNED <linux/unaligned.h> (6.12+); before, <asm/unaligned.h>.
 * CVMGUARD_HAVE_GENL_INFO_DUMP  genl_info_dump() (6.6+): a dump's parsed attributes
 *                               are in a struct genl_info; before, directly in
 *                               struct genl_dumpit_info.
 */
#ifndef CVMGUARD_COMPAT_H
#define CVMGUARD_COMPAT_H

#ifdef CVMGUARD_HAVE_LINUX_UNALIGNED
#define CVMGUARD_UNALIGNED_H "linux/unaligned.h"
#else
#define CVMGUARD_UNALIGNED_H "asm/unaligned.h"
#endif

/* The attributes a dump request carried, parsed against the op's policy. */
#ifdef CVMGUARD_HAVE_GENL_INFO_DUMP
#define cvmguard_dump_attrs(cb)	(genl_info_dump(cb)->attrs)
#else
#define cvmguard_dump_attrs(cb)	(genl_dumpit_info(cb)->attrs)
#endif

#endif /* CVMGUARD_COMPAT_H */
