/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels cvmguard supports lives here, selected by
 * the CVMGUARD_HAVE_* symbols that Kbuild probes from the target tree. The .c files
 * carry no version checks. Supported: Debian 12's 6.1 and 6.12 kernels.
 *
 * CVMGUARD_HAVE_TPM_SEND        6.1 exports tpm_send(); 6.12 does not, but exports
 *                               tpm_transmit_cmd() and the tpm_buf_* helpers.
 * CVMGUARD_HAVE_TPM_BUF_HANDLE  tpm_buf_append_handle() (6.10+).
 */
#ifndef CVMGUARD_COMPAT_H
#define CVMGUARD_COMPAT_H

#endif /* CVMGUARD_COMPAT_H */
