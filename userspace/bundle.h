/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Evidence bundle: the one file `cvmguard attest` writes and `cvmguard verify`
 * reads. Format in Documentation/bundle.rst.
 */
#ifndef CVMG_BUNDLE_H
#define CVMG_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#define BUNDLE_MAGIC		"CVMGBNDL"
#define BUNDLE_VERSION		1
#define BUNDLE_HDR_SIZE		16
#define BUNDLE_MAX_SECTIONS	64
#define BUNDLE_CRITICAL		0x80000000u	/* unknown critical section: reject */

enum bundle_section {
	BUNDLE_HCL_REPORT = 1,		/* HCL report as read from NV 0x01400001 */
	BUNDLE_CERT_CHAIN = 2,		/* PEM: VCEK (or VLEK), ASK, ARK */
	BUNDLE_QUOTE_MSG = 3,		/* TPMS_ATTEST */
	BUNDLE_QUOTE_SIG = 4,		/* TPMT_SIGNATURE or bare RSA signature */
	BUNDLE_PCRS_SHA256 = 5,		/* SHA-256 PCR values, 32 bytes each from PCR 0 */
	BUNDLE_EVENT_LOG = 6,		/* firmware event log (TCG PC Client crypto agile) */
	BUNDLE_CVMG_LOG = 7,		/* cvmguard measurement log (same format) */
	BUNDLE_NONCE = 8,		/* the nonce attest was given (informational) */
	BUNDLE_CERT_TABLE = 9,		/* extended-report certificate table (GUID) */
	BUNDLE_TD_QUOTE = 10,		/* TDX: TD quote for the HCL report's TDREPORT */
	BUNDLE_DCAP_COLLATERAL = 11,	/* TDX: DCAP collateral JSON (dcap_collateral.h) */
};

struct bundle_section_ref {
	uint32_t type;
	const uint8_t *data;
	uint32_t len;
};

struct bundle {
	uint32_t version;
	uint32_t n;
	struct bundle_section_ref s[BUNDLE_MAX_SECTIONS];
};

int bundle_parse(const uint8_t *buf, size_t len, struct bundle *b);
const struct bundle_section_ref *bundle_get(const struct bundle *b, uint32_t type);
int bundle_write(const struct bundle *b, uint8_t **out, size_t *len);

#endif /* CVMG_BUNDLE_H */
