/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * AMD SEV-SNP attestation report (ATTESTATION_REPORT, SEV-SNP ABI spec 56860,
 * table "ATTESTATION_REPORT Structure"), versions 2 to 5.
 */
#ifndef CVMG_SNP_REPORT_H
#define CVMG_SNP_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#define SNP_REPORT_SIZE		1184
#define SNP_REPORT_SIGNED_LEN	0x2a0	/* bytes covered by the signature */
#define SNP_REPORT_SIG_OFF	0x2a0	/* r (72 bytes LE), then s at 0x2e8 */
#define SNP_REPORT_SIG_COMP	72
#define SNP_REPORT_DATA_OFF	0x50
#define SNP_REPORT_MIN_VERSION	2
#define SNP_REPORT_MAX_VERSION	5
#define SNP_SIG_ALGO_ECDSA_P384_SHA384	1

/* GUEST_POLICY bits */
#define SNP_POLICY_SMT		(1ULL << 16)
#define SNP_POLICY_RESERVED1	(1ULL << 17)	/* must be one */
#define SNP_POLICY_MIGRATE_MA	(1ULL << 18)
#define SNP_POLICY_DEBUG	(1ULL << 19)
#define SNP_POLICY_SINGLE_SOCKET (1ULL << 20)

/* PLATFORM_INFO bits */
#define SNP_PLATFORM_SMT_EN	(1ULL << 0)
#define SNP_PLATFORM_TSME_EN	(1ULL << 1)

/* flags word at 0x48 */
#define SNP_FLAG_AUTHOR_KEY_EN	(1U << 0)
#define SNP_FLAG_MASK_CHIP_KEY	(1U << 1)
#define SNP_FLAG_SIGNING_KEY(f)	(((f) >> 2) & 7)

enum snp_signing_key {
	SNP_SIGNING_KEY_VCEK = 0,
	SNP_SIGNING_KEY_VLEK = 1,
	SNP_SIGNING_KEY_NONE = 7,
};

enum snp_product {
	SNP_PRODUCT_UNKNOWN = 0,
	SNP_PRODUCT_MILAN,
	SNP_PRODUCT_GENOA,
	SNP_PRODUCT_TURIN,
};

/* One TCB_VERSION decoded; which byte holds what depends on the product. */
struct snp_tcb {
	uint64_t raw;
	uint8_t fmc;		/* Turin only */
	uint8_t bootloader;
	uint8_t tee;
	uint8_t snp;
	uint8_t microcode;
};

struct snp_report {
	uint32_t version;
	uint32_t guest_svn;
	uint64_t policy;
	uint8_t family_id[16];
	uint8_t image_id[16];
	uint32_t vmpl;
	uint32_t sig_algo;
	uint64_t current_tcb;
	uint64_t platform_info;
	uint32_t flags;
	uint8_t report_data[64];
	uint8_t measurement[48];
	uint8_t host_data[32];
	uint8_t id_key_digest[48];
	uint8_t author_key_digest[48];
	uint8_t report_id[32];
	uint8_t report_id_ma[32];
	uint64_t reported_tcb;
	uint8_t cpuid_fam_id;	/* version 3 and later, else 0 */
	uint8_t cpuid_mod_id;
	uint8_t cpuid_step;
	uint8_t chip_id[64];
	uint64_t committed_tcb;
	uint8_t current_build, current_minor, current_major;
	uint8_t committed_build, committed_minor, committed_major;
	uint64_t launch_tcb;
	uint64_t launch_mit_vector;	/* version 5 and later, else 0 */
	uint64_t current_mit_vector;
	uint8_t sig_r[SNP_REPORT_SIG_COMP];	/* little-endian, as in the report */
	uint8_t sig_s[SNP_REPORT_SIG_COMP];
	uint8_t raw[SNP_REPORT_SIZE];
};

int snp_report_parse(const uint8_t *buf, size_t len, struct snp_report *r);
enum snp_product snp_report_product(const struct snp_report *r);
void snp_tcb_decode(uint64_t raw, enum snp_product prod, struct snp_tcb *t);
int snp_report_verify_sig(const struct snp_report *r, EVP_PKEY *key);
const char *snp_product_name(enum snp_product prod);
enum snp_product snp_product_from_name(const char *name);
bool snp_chip_id_masked(const struct snp_report *r);
const char *snp_report_mbz(const struct snp_report *r);

#endif /* CVMG_SNP_REPORT_H */
