/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The HCL report an Azure paravisor serves at vTPM NV index 0x01400001: header,
 * hardware report (SNP report or TDX TDREPORT) in a 1184-byte slot, runtime data
 * header and the runtime claims JSON whose SHA-256 the hardware report binds.
 */
#ifndef CVMG_HCL_REPORT_H
#define CVMG_HCL_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#define HCL_MAGIC		"HCLA"
#define HCL_HDR_SIZE		32
#define HCL_HW_OFF		32
#define HCL_HW_SLOT		1184
#define HCL_RT_OFF		1216
#define HCL_RT_HDR_SIZE		20
#define HCL_CLAIMS_OFF		1236
#define HCL_REQUEST_TYPE	2
#define HCL_USER_DATA_LEN	64

enum hcl_report_type {
	HCL_REPORT_SNP = 2,
	HCL_REPORT_TDX = 4,
};

#define HCL_HASH_SHA256		1
#define TDX_REPORT_SIZE		1024
#define TDX_REPORT_DATA_OFF	0x80

struct hcl_report {
	uint32_t version;
	uint32_t size;
	uint32_t request_type;
	uint32_t status;
	/* runtime data header */
	uint32_t rt_data_size;
	uint32_t rt_version;
	uint32_t rt_report_type;	/* enum hcl_report_type */
	uint32_t rt_hash_type;
	uint32_t rt_var_size;
	/* pointers into the caller's buffer */
	const uint8_t *hw;		/* hardware report */
	size_t hw_len;			/* 1184 (SNP) or 1024 (TDX) */
	const uint8_t *report_data;	/* its 64-byte REPORT_DATA */
	const uint8_t *claims;		/* runtime claims JSON */
	size_t claims_len;
};

/* TDX TDREPORT_STRUCT, the fields a verifier looks at. */
struct tdx_report {
	uint8_t report_type[4];
	uint8_t cpusvn[16];
	uint8_t tee_tcb_info_hash[48];
	uint8_t tee_info_hash[48];
	uint8_t report_data[64];
	uint8_t mac[32];
	uint8_t tee_tcb_svn[16];
	uint8_t mrseam[48];
	uint64_t td_attributes;
	uint64_t xfam;
	uint8_t mrtd[48];
	uint8_t mrconfigid[48];
	uint8_t mrowner[48];
	uint8_t mrownerconfig[48];
	uint8_t rtmr[4][48];
};

#define TDX_ATTR_DEBUG		(1ULL << 0)

struct hcl_claims {
	json_object *root;
	EVP_PKEY *ak;		/* HCLAkPub, or NULL */
	EVP_PKEY *ek;		/* HCLEkPub, or NULL */
	json_object *vm_config;	/* "vm-configuration" (borrowed from root), or NULL */
	bool has_user_data;
	uint8_t user_data[64];
};

int hcl_report_parse(const uint8_t *buf, size_t len, struct hcl_report *h);
int hcl_report_check_binding(const struct hcl_report *h);
int hcl_nonce_user_data(const uint8_t *nonce, size_t len, uint8_t out[HCL_USER_DATA_LEN]);
int tdx_report_parse(const uint8_t *buf, size_t len, struct tdx_report *t);
int hcl_claims_parse(const uint8_t *json, size_t len, struct hcl_claims *c);
void hcl_claims_free(struct hcl_claims *c);
int jwk_to_pkey(json_object *jwk, EVP_PKEY **out);

#endif /* CVMG_HCL_REPORT_H */
