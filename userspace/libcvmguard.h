/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libcvmguard: the public API of cvmguard's library for attestation applications
 * in confidential VMs (AMD SEV-SNP and Intel TDX under a paravisor).
 *
 * Installed as <libcvmguard.h>; link with `pkg-config --cflags --libs libcvmguard`.
 * The library is libcvmguard.so.1; every symbol it exports is declared here and
 * carries the version node LIBCVMGUARD_1. Documentation/library.rst is the manual.
 *
 * What it does:
 *   - request fresh hardware evidence bound to 64 bytes of caller data
 *     (cvmg_get_evidence(), through /dev/cvmguard);
 *   - extend a vTPM PCR with an event and read the module's event log
 *     (cvmg_extend(), cvmg_read_log());
 *   - verify evidence offline, in-process: a raw SNP report, an HCL report, a TD
 *     quote or an evidence bundle (cvmg_verify_report(), cvmg_verify_bundle(),
 *     cvmg_verify_quote()), with the same checks and the same built-in default
 *     policy as `cvmguard verify`, into a struct cvmg_result.
 *
 * Return conventions:
 *   - cvmg_open(), cvmg_get_evidence(), cvmg_extend() and cvmg_read_log() return 0
 *     or a negative errno (-EINVAL bad argument, -ENOMEM, -ENOENT the module is not
 *     loaded, -EACCES/-EPERM no permission, -EBUSY, -ENODEV no TPM, -ENOSPC buffer
 *     too small, ...: the module's own errors, Documentation/uapi.rst).
 *   - the cvmg_verify_*() functions return the exit-code class of the verdict, one
 *     of enum cvmg_exit (>= 0, the table every cvmguard command uses), which is also
 *     stored in res->exit_code; only CVMG_EXIT_OK means "verified and every policy
 *     accepts it". They return a negative errno (-EINVAL, -ENOMEM) only when they
 *     could not run; res->exit_code is then CVMG_EXIT_FAIL, never OK.
 *
 * The library never prints, never calls exit() and installs no signal handlers.
 *
 * Thread safety: a struct cvmg_ctx may be used by one thread at a time; distinct
 * contexts may be used concurrently from different threads. cvmg_version() is
 * safe from any thread. Results belong to the caller (cvmg_result_free()).
 */
#ifndef LIBCVMGUARD_H
#define LIBCVMGUARD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Exit-code classes: one table for every cvmguard command and for the library's
 * verdicts (Documentation/exit-codes.rst, cvmguard(8)).
 */
enum cvmg_exit {
	CVMG_EXIT_OK = 0,          /* success; verify: verified and every policy accepts */
	CVMG_EXIT_FAIL = 1,        /* failed; verify: signature, chain, binding or replay */
	CVMG_EXIT_POLICY = 2,      /* a policy refused: verifier's (incl. not verifiable to
				    * hardware, TCB unknown, stale collateral) or the TPM's */
	CVMG_EXIT_MALFORMED = 3,   /* malformed evidence, bundle or token bytes */
	CVMG_EXIT_BUSY = 4,        /* device busy or absent */
	CVMG_EXIT_NOTPM = 5,       /* TPM unavailable */
	CVMG_EXIT_TAMPERED = 6,    /* LUKS header, token or MAC fails the checks; rollback */
	CVMG_EXIT_NOTOURS = 7,     /* no cvmguard token on the device */
	CVMG_EXIT_FETCH = 8,       /* a network fetch failed (IMDS, KDS, PCCS) */
	CVMG_EXIT_USAGE = 64,      /* usage, unreadable named file, malformed policy/config */
	CVMG_EXIT_UNAVAILABLE = 69,/* the module is unavailable */
	CVMG_EXIT_NOPERM = 77,     /* permission denied (EX_NOPERM) */
};

/* An opened library context (opaque). */
struct cvmg_ctx;

/* cvmg_open() flags: none yet; any bit set is refused with -EINVAL. */

/**
 * cvmg_open() - make a context
 * @ctx: receives it (cvmg_close() it)
 * @flags: 0
 *
 * Does not open the device: verification needs no module. The device is opened
 * on first use ($CVMGUARD_DEVICE, else /dev/cvmguard) and kept until cvmg_close().
 *
 * Return: 0, -EINVAL, -ENOMEM.
 */
int cvmg_open(struct cvmg_ctx **ctx, unsigned int flags);

/** cvmg_close() - free a context and close its device; NULL is allowed. */
void cvmg_close(struct cvmg_ctx *ctx);

/** cvmg_version() - the library's release, e.g. "0.1.0" (static storage). */
const char *cvmg_version(void);

/* ---- evidence and measurements (through the module) ---------------------- */

#define CVMG_USER_DATA_LEN	64	/* bytes of caller data bound into the report */
#define CVMG_REPORT_SNP		2	/* HCL report holding an SNP report (the uapi value) */
#define CVMG_REPORT_TDX		4	/* HCL report holding a TDREPORT (the uapi value) */

/**
 * cvmg_get_evidence() - fresh HCL report whose runtime claims carry @user_data
 * @ctx: context
 * @user_data: CVMG_USER_DATA_LEN bytes, e.g. a verifier's nonce
 * @buf: receives the report (may be NULL when *@len is 0: a size probe)
 * @len: in: the size of @buf; out: the report's size (or the size needed)
 * @type: receives CVMG_REPORT_SNP or CVMG_REPORT_TDX; may be NULL
 *
 * Return: 0; -ENOSPC when @buf is too small (*@len then holds the size needed,
 * a probe costs no TPM command); else the module's negative errno.
 */
int cvmg_get_evidence(struct cvmg_ctx *ctx, const uint8_t user_data[CVMG_USER_DATA_LEN],
		      uint8_t *buf, size_t *len, uint32_t *type);

/**
 * cvmg_extend() - extend PCR @pcr in every allocated bank and log the event
 * @ctx: context
 * @pcr: PCR index (the module refuses the ones it does not allow)
 * @event_type: TCG event type (EV_IPL 0x0d is the usual choice)
 * @data: event data, hashed by the module
 * @len: its length (1 to the module's limit)
 * @seq: receives the event's sequence number in the log; may be NULL
 *
 * Needs CAP_SYS_ADMIN. Return: 0 or a negative errno.
 */
int cvmg_extend(struct cvmg_ctx *ctx, uint32_t pcr, uint32_t event_type,
		const void *data, size_t len, uint64_t *seq);

#define CVMG_MAX_BANKS		8
#define CVMG_MAX_DIGEST		64

/* One event of the module's log; valid only during the callback. */
struct cvmg_log_event {
	uint64_t seq;			/* sequence number, from 0 */
	uint32_t pcr;
	uint32_t event_type;
	uint32_t nr_digests;
	struct {
		uint16_t alg;		/* TPM2_ALG_SHA256 = 0x000b, ... */
		uint16_t size;
		uint8_t value[CVMG_MAX_DIGEST];
	} digests[CVMG_MAX_BANKS];
	const uint8_t *data;		/* the event data */
	uint32_t data_len;
};

/* Called per event; a non-zero return stops the walk and is returned. */
typedef int (*cvmg_log_fn)(const struct cvmg_log_event *ev, void *arg);

/**
 * cvmg_read_log() - walk the module's event log from sequence number @from
 * @ctx: context
 * @from: first sequence number (0: the whole log)
 * @fn: called for each event, in order
 * @arg: passed to @fn
 *
 * Reads over the module's generic netlink family; needs CAP_NET_ADMIN.
 * Return: 0, what @fn returned when it stopped, or a negative errno.
 */
int cvmg_read_log(struct cvmg_ctx *ctx, uint64_t from, cvmg_log_fn fn, void *arg);

/* ---- offline verification ------------------------------------------------- */

/* What to verify against. Zero it, set .size = sizeof(struct cvmg_verify_opts). */
struct cvmg_verify_opts {
	uint32_t size;			/* sizeof(struct cvmg_verify_opts) */
	uint32_t flags;			/* CVMG_VERIFY_* */
	const uint8_t *nonce;		/* expected REPORT_DATA / user-data / quote */
	size_t nonce_len;		/* nonce: 1 to 64 bytes */
	const char *policy;		/* policy file text (cvmguard(8)); NULL: default */
	size_t policy_len;
	const uint8_t *vcek;		/* the VCEK/VLEK, DER or PEM; NULL: from chain/cache */
	size_t vcek_len;
	const uint8_t *chain;		/* PEM: VCEK, ASK, ARK (or ASK, ARK) */
	size_t chain_len;
	const uint8_t *root;		/* PEM/DER ARK replacing AMD's pinned roots */
	size_t root_len;
	const uint8_t *crls;		/* one DER CRL or PEM CRLs (AMD's, for ARK/ASK) */
	size_t crls_len;
	const uint8_t *td_quote;	/* TD quote for a TDX HCL report's TDREPORT */
	size_t td_quote_len;
	const uint8_t *collateral;	/* DCAP collateral (PCS JSON) */
	size_t collateral_len;
	const uint8_t *intel_root;	/* replaces Intel's pinned SGX Root CA */
	size_t intel_root_len;
	int64_t time;			/* verify at this instant (s since epoch); 0: now */
	const char *cert_cache;		/* certificate cache directory, or NULL */
};

/* HCL reports and bundles are verified against a nonce unless this is set. */
#define CVMG_VERIFY_NO_NONCE	(1u << 0)

enum cvmg_verdict {
	CVMG_VERDICT_VERIFIED = 0,	/* every check passed and the policy accepts */
	CVMG_VERDICT_FAILED,		/* a signature, chain, binding or replay failed */
	CVMG_VERDICT_REFUSED,		/* checks passed; the policy refused */
	CVMG_VERDICT_MALFORMED,		/* the evidence does not parse */
	CVMG_VERDICT_ERROR,		/* bad options, no memory: nothing was verified */
};

enum cvmg_evidence {
	CVMG_EVIDENCE_UNKNOWN = 0,
	CVMG_EVIDENCE_SNP_REPORT,	/* raw 1184-byte SNP attestation report */
	CVMG_EVIDENCE_HCL_REPORT,	/* HCL report (SNP or TDX) as the vTPM serves it */
	CVMG_EVIDENCE_BUNDLE,		/* `cvmguard attest` bundle */
	CVMG_EVIDENCE_TD_QUOTE,		/* Intel TD quote v4/v5 */
};

/* The verdict and the claims a relying party looks at. */
struct cvmg_result {
	int exit_code;			/* enum cvmg_exit: 0, 1, 2, 3 or 64 */
	enum cvmg_verdict verdict;
	enum cvmg_evidence evidence;
	uint32_t platform;		/* CVMG_REPORT_SNP, CVMG_REPORT_TDX, 0 unknown */
	int hardware_verified;		/* a hardware signature chain verified */
	char reason[256];		/* first failed check or policy violation; "" if OK */
	/* Claims: meaningful when has_claims; from a report that failed a check they
	 * are what the attacker wrote, so trust them only when verdict is VERIFIED. */
	int has_claims;
	uint8_t measurement[48];	/* SNP MEASUREMENT or TDX MRTD */
	uint8_t report_data[64];	/* REPORT_DATA */
	uint64_t reported_tcb;		/* SNP REPORTED_TCB (raw); 0 on TDX */
	uint8_t tee_tcb_svn[16];	/* TDX TEE_TCB_SVN; zero on SNP */
	char tcb_status[32];		/* TDX TCB status from collateral, "" if none */
	size_t n_policy_failures;
	char **policy_failures;		/* "key: why", one per violated policy key */
	char *json;			/* the whole result, as `cvmguard verify --json` */
};

/**
 * cvmg_verify_report() - verify a raw SNP report or an HCL report
 * @ctx: context
 * @evidence: the bytes
 * @len: their length
 * @opts: what to verify against, or NULL (defaults; HCL reports need a nonce)
 * @res: receives the result (cvmg_result_free() it, whatever the return)
 *
 * Return: the exit-code class (enum cvmg_exit) or a negative errno.
 */
int cvmg_verify_report(struct cvmg_ctx *ctx, const uint8_t *evidence, size_t len,
		       const struct cvmg_verify_opts *opts, struct cvmg_result *res);

/** cvmg_verify_bundle() - as cvmg_verify_report(), for an evidence bundle */
int cvmg_verify_bundle(struct cvmg_ctx *ctx, const uint8_t *bundle, size_t len,
		       const struct cvmg_verify_opts *opts, struct cvmg_result *res);

/** cvmg_verify_quote() - as cvmg_verify_report(), for a TD quote */
int cvmg_verify_quote(struct cvmg_ctx *ctx, const uint8_t *quote, size_t len,
		      const struct cvmg_verify_opts *opts, struct cvmg_result *res);

/**
 * cvmg_verify() - verify any of the above, told apart by content
 *
 * The three functions above refuse evidence of another kind than their name
 * (CVMG_EXIT_MALFORMED); this one accepts all, as `cvmguard verify` does.
 */
int cvmg_verify(struct cvmg_ctx *ctx, const uint8_t *evidence, size_t len,
		const struct cvmg_verify_opts *opts, struct cvmg_result *res);

/** cvmg_result_free() - free what a verification put in @res, and zero it */
void cvmg_result_free(struct cvmg_result *res);

#ifdef __cplusplus
}
#endif

#endif /* LIBCVMGUARD_H */
