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
 *   strictly: unknown attributes, attributes that only appear in replies and missing
 *   ones are rejected with -EINVAL, lengths or values outside an attribute's policy
 *   with -ERANGE, each with an extended ack naming the attribute. Commands that change state need
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
 *   Answered from cached state: no TPM command is sent for an unprivileged
 *   caller (only CAP_SYS_ADMIN may make the module look for the report index of
 *   a chip it has not looked at, once). Open to anyone who can open the device;
 *   on netlink, to anyone.
 *
 * GET_EVIDENCE (CVMGUARD_IOC_GET_EVIDENCE, CVMGUARD_CMD_GET_EVIDENCE)
 *   Returns a fresh hardware attestation report bound to 64 bytes of caller data.
 *   With the paravisor backend, the module writes the user data to vTPM NV index
 *   0x01400002 (defining it, 64 bytes, owner-authorised, when missing), reads the
 *   HCL report from NV index 0x01400001, from offset 0, in chunks the TPM accepts,
 *   and re-reads it, backing off, until it is whole (REPORT_DATA[0..31] =
 *   SHA-256 of the claims as read), ours (the claims' user-data is the caller's)
 *   and new (unlike the report before the write), for at most the module
 *   parameter evidence_timeout_ms (100 to 30000). Requests are serialised: a
 *   caller's write and read are one critical section, so no caller receives
 *   another's binding; another writer of 0x01400002 makes the request fail with
 *   -EBUSY rather than return its binding. The answer is the
 *   HCL report (header, hardware report, runtime claims; the index's padding is
 *   left out) and its type (CVMGUARD_REPORT_SNP or CVMGUARD_REPORT_TDX).
 *   Errors: -ENODEV no TPM; -ENOENT no report index (not a paravisor guest); -EIO a
 *   TPM error (its response code is logged at debug level); -ETIMEDOUT no fresh
 *   report in time; -EBUSY another writer replaced the user data; -EMSGSIZE a
 *   report index above 16 KiB; -EBADF a descriptor not open for writing (the
 *   request writes TPM NV); -EPROTO a malformed report or an unknown report type; -ENOSPC
 *   the caller's buffer is too small (report_len then holds the size needed);
 *   -EINTR interrupted by a signal.
 *   Size probe: a report_len below the size of the last report the module read
 *   (below 1236, the smallest possible report, before any was read), 0 included,
 *   is answered at once with -ENOSPC, report_len holding that size (or
 *   CVMGUARD_REPORT_MAX when none was read yet) and report_type its type: no TPM
 *   command is sent and no user data written. Only -EBADF, -EFAULT, -EINVAL and
 *   -ENODEV come before it. A buffer of the size it gives normally suffices; if
 *   the report grew since, the request itself answers -ENOSPC with the new size.
 *   On the device: anyone who can open it for writing. On netlink: CAP_SYS_ADMIN.
 *
 * EXTEND (CVMGUARD_IOC_EXTEND, CVMGUARD_CMD_EXTEND)
 *   Records a measurement: the module hashes the event data with the algorithm of
 *   every PCR bank the TPM has allocated, extends the PCR with those digests (one
 *   TPM2_PCR_Extend) and appends the event to the event log, in that order and under
 *   one lock, so the log's order is the extend order. On any failure nothing is
 *   logged. Returns the event's sequence number (0 for the first event since load).
 *   The PCR must be in the module parameter allowed_pcrs (PCRs 16-23 never are: 16
 *   and 23 can be reset from the guest, 17-22 need locality 4); the event type must
 *   not be EV_NO_ACTION (3), which verifiers do not replay; the data is 1 to
 *   CVMGUARD_EVENT_DATA_MAX bytes (longer: -E2BIG on the ioctl; on netlink the
 *   policy answers -ERANGE, with an extended ack, for a PCR above
 *   CVMGUARD_PCR_MAX or data of a length out of range, and -EINVAL for the rest).
 *   Errors: -EINVAL, -E2BIG, -ENODEV (no TPM 2.0), -EOPNOTSUPP (the kernel can
 *   hash for none of the banks; a bank it cannot hash is extended with another
 *   bank's digest, see Documentation/measure.rst), -ENOSPC (the log reached the
 *   module parameter log_max_bytes; nothing is dropped), or the
 *   TPM's error, -EINTR (killed while waiting behind another extend). seq is
 *   written (CVMGUARD_SEQ_NONE) before the TPM is touched, so an argument that
 *   cannot take the answer fails with -EFAULT having extended nothing.
 *   ioctl: the opener's CAP_SYS_ADMIN, or the device's group when the module
 *   parameter allow_group_extend is set; netlink: CAP_NET_ADMIN and CAP_SYS_ADMIN
 *   in the initial user namespace (GENL_ADMIN_PERM).
 *
 * GET_LOG (CVMGUARD_CMD_GET_LOG, netlink dump only)
 *   Dumps the event log, one CVMGUARD_CMD_GET_LOG message per event carrying the
 *   same attributes as CVMGUARD_CMD_EVENT, starting at the sequence number in
 *   CVMGUARD_A_SEQ (0 when absent). A listener that lost notifications (ENOBUFS on
 *   its socket) dumps from the first sequence number it has not seen. The same log,
 *   in the TCG format, is in securityfs: cvmguard/binary_measurements and
 *   cvmguard/ascii_measurements. Needs CAP_NET_ADMIN (GENL_ADMIN_PERM).
 *
 * EVENT (CVMGUARD_CMD_EVENT, netlink multicast group CVMGUARD_MCGRP_MEASURE)
 *   Sent to the group for every event appended to the log, in log order:
 *   CVMGUARD_A_SEQ, CVMGUARD_A_PCR, CVMGUARD_A_EVENT_TYPE, CVMGUARD_A_DIGESTS and
 *   CVMGUARD_A_EVENT_DATA. Sequence numbers have no gaps, so a listener sees a lost
 *   notification as a jump. Joining the group needs CAP_NET_ADMIN; notifications go
 *   to listeners in the initial network namespace.
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

#define CVMGUARD_USER_DATA_LEN	64
#define CVMGUARD_REPORT_SNP	2	/* HCL report carrying an SEV-SNP report */
#define CVMGUARD_REPORT_TDX	4	/* HCL report carrying a TDX TDREPORT */
/*
 * The largest report GET_EVIDENCE hands out, in bytes: a buffer of this size
 * always suffices. A larger report index is refused with -EMSGSIZE.
 */
#define CVMGUARD_REPORT_MAX	16384

/**
 * struct cvmguard_evidence - argument of CVMGUARD_IOC_GET_EVIDENCE
 * @user_data: in: bound into the report (its runtime claims' "user-data")
 * @report: in: user pointer to the buffer for the report
 * @report_len: in: the buffer's size, 0 to ask for the size; out: the report's
 *	size, also on -ENOSPC (see GET_EVIDENCE above for the early answer)
 * @report_type: out: CVMGUARD_REPORT_SNP or CVMGUARD_REPORT_TDX (0 on an early
 *	-ENOSPC before any report was read)
 * @flags: in: must be zero
 * @reserved0: in: must be zero
 * @reserved: in: must be zero
 */
struct cvmguard_evidence {
	__u8 user_data[CVMGUARD_USER_DATA_LEN];
	__u64 report;
	__u32 report_len;
	__u32 report_type;
	__u32 flags;
	__u32 reserved0;
	__u64 reserved[4];
};

/* The largest event data EXTEND accepts, in bytes. */
#define CVMGUARD_EVENT_DATA_MAX	4096
/* The highest PCR index of a PC Client TPM. */
#define CVMGUARD_PCR_MAX	23

/**
 * struct cvmguard_extend - argument of CVMGUARD_IOC_EXTEND
 * @pcr: in: PCR index, one of the module parameter allowed_pcrs
 * @event_type: in: TCG event type logged with the event (not EV_NO_ACTION)
 * @data: in: user pointer to the event data
 * @data_len: in: its length, 1 to CVMGUARD_EVENT_DATA_MAX
 * @flags: in: must be zero
 * @seq: out: the event's sequence number in the log; set to CVMGUARD_SEQ_NONE
 *	before the TPM is touched, so an argument it cannot be written to fails
 *	with -EFAULT having extended nothing
 * @reserved: in: must be zero
 */
struct cvmguard_extend {
	__u32 pcr;
	__u32 event_type;
	__u64 data;
	__u32 data_len;
	__u32 flags;
	__u64 seq;
	__u64 reserved[2];
};

/* cvmguard_extend.seq while no event is logged for the request */
#define CVMGUARD_SEQ_NONE	(~(__u64)0)

#define CVMGUARD_IOC_MAGIC		0xC7
#define CVMGUARD_IOC_GET_INFO		_IOWR(CVMGUARD_IOC_MAGIC, 0x00, struct cvmguard_info)
#define CVMGUARD_IOC_GET_EVIDENCE	_IOWR(CVMGUARD_IOC_MAGIC, 0x01, struct cvmguard_evidence)
#define CVMGUARD_IOC_EXTEND		_IOWR(CVMGUARD_IOC_MAGIC, 0x02, struct cvmguard_extend)

/* Generic netlink */
#define CVMGUARD_GENL_NAME	"cvmguard"
#define CVMGUARD_GENL_VERSION	1
/* The multicast group on which CVMGUARD_CMD_EVENT is sent. */
#define CVMGUARD_MCGRP_MEASURE	"measure"

/**
 * enum cvmguard_cmd - generic netlink commands
 * @CVMGUARD_CMD_UNSPEC: never used
 * @CVMGUARD_CMD_GET_INFO: request: no attributes; reply: the CVMGUARD_A_INFO_*
 *	attributes, CVMGUARD_A_MODULE_VERSION and CVMGUARD_A_PCR_BANKS
 * @CVMGUARD_CMD_GET_EVIDENCE: request: CVMGUARD_A_USER_DATA; reply:
 *	CVMGUARD_A_REPORT and CVMGUARD_A_REPORT_TYPE. Needs CAP_SYS_ADMIN.
 * @CVMGUARD_CMD_EXTEND: request: CVMGUARD_A_PCR, CVMGUARD_A_EVENT_TYPE,
 *	CVMGUARD_A_EVENT_DATA; reply: CVMGUARD_A_SEQ
 * @CVMGUARD_CMD_GET_LOG: dump request: optional CVMGUARD_A_SEQ to start from;
 *	one message per event, attributes as CVMGUARD_CMD_EVENT
 * @CVMGUARD_CMD_EVENT: multicast on CVMGUARD_MCGRP_MEASURE, never a request:
 *	CVMGUARD_A_SEQ, CVMGUARD_A_PCR, CVMGUARD_A_EVENT_TYPE, CVMGUARD_A_DIGESTS,
 *	CVMGUARD_A_EVENT_DATA
 */
enum cvmguard_cmd {
	CVMGUARD_CMD_UNSPEC,
	CVMGUARD_CMD_GET_INFO,
	CVMGUARD_CMD_GET_EVIDENCE,
	CVMGUARD_CMD_EXTEND,
	CVMGUARD_CMD_GET_LOG,
	CVMGUARD_CMD_EVENT,
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
 * @CVMGUARD_A_USER_DATA: binary, exactly CVMGUARD_USER_DATA_LEN bytes
 * @CVMGUARD_A_REPORT: binary, the HCL report
 * @CVMGUARD_A_REPORT_TYPE: u32, CVMGUARD_REPORT_SNP or CVMGUARD_REPORT_TDX
 * @CVMGUARD_A_PCR: u32, PCR index (0 to CVMGUARD_PCR_MAX)
 * @CVMGUARD_A_EVENT_TYPE: u32, TCG event type
 * @CVMGUARD_A_EVENT_DATA: binary, 1 to CVMGUARD_EVENT_DATA_MAX bytes
 * @CVMGUARD_A_SEQ: u64, an event's sequence number
 * @CVMGUARD_A_DIGESTS: nested, one CVMGUARD_A_DIGEST per PCR bank, in the
 *	TPM's bank order
 * @CVMGUARD_A_DIGEST: nested: CVMGUARD_A_DIGEST_ALG and CVMGUARD_A_DIGEST_VALUE
 * @CVMGUARD_A_DIGEST_ALG: u16, the bank's TPM_ALG_ID (0x0004 SHA-1, 0x000b
 *	SHA-256, 0x000c SHA-384, 0x000d SHA-512, 0x0012 SM3-256)
 * @CVMGUARD_A_DIGEST_VALUE: binary, the digest of the event data
 * @CVMGUARD_A_PAD: padding that aligns CVMGUARD_A_SEQ; ignore it
 */
enum cvmguard_attr {
	CVMGUARD_A_UNSPEC,
	CVMGUARD_A_ABI_VERSION,
	CVMGUARD_A_MODULE_VERSION,
	CVMGUARD_A_INFO_FLAGS,
	CVMGUARD_A_PCR_BANKS,
	CVMGUARD_A_BACKEND,
	CVMGUARD_A_USER_DATA,
	CVMGUARD_A_REPORT,
	CVMGUARD_A_REPORT_TYPE,
	CVMGUARD_A_PCR,
	CVMGUARD_A_EVENT_TYPE,
	CVMGUARD_A_EVENT_DATA,
	CVMGUARD_A_SEQ,
	CVMGUARD_A_DIGESTS,
	CVMGUARD_A_DIGEST,
	CVMGUARD_A_DIGEST_ALG,
	CVMGUARD_A_DIGEST_VALUE,
	CVMGUARD_A_PAD,
	__CVMGUARD_A_MAX,
};
#define CVMGUARD_A_MAX (__CVMGUARD_A_MAX - 1)

#endif /* _UAPI_LINUX_CVMGUARD_H */
