/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Intel TDX quotes (DCAP, version 4 and 5; TDX 1.0 and 1.5 TD report bodies) and
 * their offline verification: the quote signature by the attestation key (AK), the
 * AK's hash in the QE report's REPORTDATA, the QE report signature by the PCK
 * certificate, and the PCK chain to Intel's SGX Root CA, pinned by public key. With
 * DCAP collateral (dcap_collateral.h) also CRLs, the QE identity and the TCB status.
 *
 * Layout (Intel TDX DCAP Quoting Library API, appendix A), all little-endian:
 *   header (48): version, att_key_type (2 = ECDSA P-256), tee_type (0x81), ...
 *   v5 only: body_type (2 = TDX 1.0, 3 = TDX 1.5), body_size
 *   body: TD report (584 bytes, or 648 for TDX 1.5)
 *   sig_data_len (4), then: quote signature (r||s, 64), AK (x||y, 64),
 *     cert data type 6 (QE report certification data), size:
 *       QE report (384), QE report signature (64), QE auth data (len 2 + bytes),
 *       cert data type 5 (PCK chain, PEM), size, PEM (NUL padding allowed)
 * The quote signature covers header and body (everything before sig_data_len).
 */
#ifndef CVMG_TDX_QUOTE_H
#define CVMG_TDX_QUOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

#define TDX_QUOTE_HDR_SIZE	48
#define TDX_TEE_TYPE		0x81
#define TDX_AK_ECDSA_P256	2
#define TDX_BODY_10_SIZE	584
#define TDX_BODY_15_SIZE	648
#define TDX_QE_REPORT_SIZE	384
#define TDX_CERT_QE_REPORT	6
#define TDX_CERT_PCK_CHAIN	5
#define TDX_PCK_CHAIN_MAX	4

/* TD report body of a quote (TDX 1.0; TDX 1.5 adds the last two fields). */
struct tdx_quote_body {
	uint8_t tee_tcb_svn[16];
	uint8_t mrseam[48];
	uint8_t mrsignerseam[48];
	uint64_t seam_attributes;
	uint64_t td_attributes;
	uint64_t xfam;
	uint8_t mrtd[48];
	uint8_t mrconfigid[48];
	uint8_t mrowner[48];
	uint8_t mrownerconfig[48];
	uint8_t rtmr[4][48];
	uint8_t report_data[64];
	uint8_t tee_tcb_svn2[16];	/* TDX 1.5 */
	uint8_t mrservicetd[48];	/* TDX 1.5 */
};

/* The QE's SGX report body, the fields a verifier looks at. */
struct tdx_qe_report {
	uint8_t cpusvn[16];
	uint32_t miscselect;
	uint8_t attributes[16];
	uint8_t mrenclave[32];
	uint8_t mrsigner[32];
	uint16_t isvprodid;
	uint16_t isvsvn;
	uint8_t report_data[64];
};

struct tdx_quote {
	uint16_t version;
	uint16_t att_key_type;
	uint32_t tee_type;
	uint16_t body_type;		/* 2: TDX 1.0, 3: TDX 1.5 */
	struct tdx_quote_body body;
	struct tdx_qe_report qe;
	/* pointers into the caller's buffer */
	const uint8_t *signed_data;	/* header and body */
	size_t signed_len;
	const uint8_t *sig;		/* 64: r || s, big-endian */
	const uint8_t *ak;		/* 64: x || y */
	const uint8_t *qe_report;	/* 384 */
	const uint8_t *qe_sig;		/* 64 */
	const uint8_t *qe_auth;
	size_t qe_auth_len;
	const uint8_t *pck_pem;
	size_t pck_pem_len;
};

/*
 * The checks, in the order they run; a failure names the first that did not hold.
 * Each covers a region of the quote: a flipped bit there fails that check.
 */
enum tdxq_check {
	TDXQ_OK = 0,
	TDXQ_PARSE,		/* structure, lengths, types: exit 3 */
	TDXQ_PCK_CHAIN,		/* PCK certificates (PEM), chain to the pinned root, CRLs */
	TDXQ_QE_REPORT_SIG,	/* QE report and its signature, by the PCK key */
	TDXQ_AK_BINDING,	/* SHA-256(AK || QE auth data) in QE REPORTDATA */
	TDXQ_QUOTE_SIG,		/* header, body and signature, by the AK */
	TDXQ_COLLATERAL,	/* collateral signatures, issuer chains, shape */
	TDXQ_STALE,		/* collateral or CRL outside its validity window */
	TDXQ_QE_IDENTITY,	/* QE report does not match the QE identity */
	TDXQ_TCB,		/* no TCB level matches, FMSPC/PCE-ID mismatch, Revoked */
};

const char *tdxq_check_name(enum tdxq_check c);

/* Intel SGX PCK certificate extension (1.2.840.113741.1.13.1), what matching needs. */
struct tdx_pck_ext {
	uint8_t cpusvn[16];
	uint16_t pcesvn;
	uint8_t pceid[2];
	uint8_t fmspc[6];
};

struct dcap_collateral;

struct tdxq_result {
	enum tdxq_check failed;		/* TDXQ_OK when everything held */
	char detail[200];		/* what failed, naming the field */
	bool tcb_known;			/* collateral given and evaluated */
	char tcb_status[40];		/* "UpToDate"... or "unknown" */
	char advisories[512];		/* comma-separated advisory IDs, "" if none */
	struct tdx_pck_ext pck;
};

int tdx_quote_parse(const uint8_t *buf, size_t len, struct tdx_quote *q);
int tdx_quote_is_quote(const uint8_t *buf, size_t len);
int tdx_sgx_root(X509 **out);
int tdx_pck_ext_parse(X509 *pck, struct tdx_pck_ext *e);
int tdx_pem_chain_parse(const uint8_t *pem, size_t len, bool allow_nul_pad,
			X509 **certs, size_t max, size_t *n);
int tdx_verify_chain(X509 **certs, size_t n, X509 *root, STACK_OF(X509_CRL) *crls,
		     time_t now, char *detail, size_t dlen, bool *stale);
enum tdxq_check tdx_quote_verify(const uint8_t *buf, size_t len, X509 *root,
				 const struct dcap_collateral *col, time_t now,
				 struct tdxq_result *res);

int tdx_verify_p256(EVP_PKEY *key, const uint8_t *msg, size_t len, const uint8_t sig[64]);

#endif /* CVMG_TDX_QUOTE_H */
