/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * AMD SEV-SNP certificates: ARK -> ASK (or ASVK) -> VCEK (or VLEK), the VCEK's TCB
 * and hardware-ID extensions (VCEK spec 57230), the extended-report certificate
 * table, and a local certificate cache.
 */
#ifndef CVMG_AMD_CERTS_H
#define CVMG_AMD_CERTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

#include "snp_report.h"

#define AMD_OID_PRODUCT_NAME	"1.3.6.1.4.1.3704.1.2"
#define AMD_OID_BL_SPL		"1.3.6.1.4.1.3704.1.3.1"
#define AMD_OID_TEE_SPL		"1.3.6.1.4.1.3704.1.3.2"
#define AMD_OID_SNP_SPL		"1.3.6.1.4.1.3704.1.3.3"
#define AMD_OID_UCODE_SPL	"1.3.6.1.4.1.3704.1.3.8"
#define AMD_OID_FMC_SPL		"1.3.6.1.4.1.3704.1.3.9"
#define AMD_OID_HWID		"1.3.6.1.4.1.3704.1.4"
#define AMD_OID_CSP_ID		"1.3.6.1.4.1.3704.1.5"

/* Which link of the chain a failure concerns. */
enum amd_chain_link {
	AMD_LINK_ARK = 0,	/* ARK self-signature, validity, or not the trusted root */
	AMD_LINK_ASK,		/* ASK signed by ARK */
	AMD_LINK_LEAF,		/* VCEK/VLEK signed by ASK, key type */
};

struct amd_vcek_ext {
	char product[32];	/* product name extension, "" when absent */
	bool has_fmc;		/* fmcSPL present (Turin) */
	uint8_t bl, tee, snp, ucode, fmc;
	bool has_tcb;		/* blSPL, teeSPL, snpSPL and ucodeSPL all present */
	bool has_hwid;
	uint8_t hwid[64];
	size_t hwid_len;	/* 64 (Milan, Genoa) or 8 (Turin) */
	bool is_vlek;		/* has a CSP ID and no hwID */
};

/* Extended-report certificate table entry (GUID, offset, length). */
struct amd_certtable_entry {
	uint8_t guid[16];
	uint32_t offset;
	uint32_t length;
};

enum amd_cert_kind {
	AMD_CERT_OTHER = 0,
	AMD_CERT_ARK,
	AMD_CERT_ASK,
	AMD_CERT_VCEK,
	AMD_CERT_VLEK,
	AMD_CERT_ASVK,
};

/* amd_roots.c */
const char *amd_pinned_pem(enum snp_product prod, bool ask);

/* amd_certs.c */
int amd_cert_parse(const uint8_t *buf, size_t len, X509 **out);
int amd_chain_parse_pem(const uint8_t *buf, size_t len, X509 **certs, size_t max, size_t *n);
int amd_certs_pem(X509 *const *certs, size_t n, char **out, size_t *len);
int amd_pinned_cert(enum snp_product prod, bool ask, X509 **out);
enum snp_product amd_cert_product(X509 *cert);
int amd_cert_check_issued(X509 *child, X509 *issuer, time_t now);
int amd_verify_chain(X509 *ark, X509 *ask, X509 *leaf, time_t now, enum amd_chain_link *link);
int amd_verify_chain_crl(X509 *ark, X509 *ask, X509 *leaf, time_t now, X509_CRL **crls,
			 size_t ncrls, enum amd_chain_link *link);
bool amd_cert_equal(X509 *a, X509 *b);
int amd_vcek_ext_parse(X509 *cert, struct amd_vcek_ext *e);
int amd_vcek_match_report(const struct amd_vcek_ext *e, const struct snp_report *r,
			  enum snp_product prod, const char **field);

/* amd_certtable.c */
int amd_certtable_parse(const uint8_t *buf, size_t len, struct amd_certtable_entry *ents,
			size_t max, size_t *n);
enum amd_cert_kind amd_certtable_kind(const uint8_t guid[16]);
int amd_certtable_get(const uint8_t *buf, size_t len, enum amd_cert_kind kind, X509 **out);
int amd_cache_load(const char *dir, enum snp_product prod, const struct snp_report *r,
		   X509 **vcek, X509 **ask, X509 **ark);

#endif /* CVMG_AMD_CERTS_H */
