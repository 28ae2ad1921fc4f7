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
 *                                 struct tpm_buf differs (6.12 adds a length field that
 *                                 the transmit path does not read), so tpm2_cmd.c only
 *                                 ever sets its .data member by name.
 * CVMGUARD_HAVE_LINUX_UNALIGNED_H 6.12 moved <asm/unaligned.h> to <linux/unaligned.h>.
 */
#ifndef CVMGUARD_COMPAT_H
#define CVMGUARD_COMPAT_H

#ifdef CVMGUARD_HAVE_LINUX_UNALIGNED_H
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

#endif /* CVMGUARD_COMPAT_H */
