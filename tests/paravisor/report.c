// SPDX-License-Identifier: GPL-2.0
/*
 * cvmguard-paravisor: the HCL report that Azure's paravisor keeps in NV index
 * 0x01400001.
 *
 *   0     HCL header (32): "HCLA", version 2, size of the meaningful part,
 *         request type 2, status 0, reserved
 *   32    hardware report in a 1184-byte slot: SNP ATTESTATION_REPORT (1184)
 *         or TDX TDREPORT (1024, zero-padded)
 *   1216  runtime data header (20): data size (20 + json), version 1,
 *         report type (2 SNP, 4 TDX), hash type 1 (SHA-256), json size
 *   1236  runtime claims JSON (no terminator), rest of the 2600 bytes zero
 *
 * REPORT_DATA (SNP 0x50, TDX REPORTMACSTRUCT 0x80) = SHA-256(json) || 0^32.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "pv.h"

static size_t b64url(const uint8_t *in, size_t n, char *out)
{
	static const char t[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t o = 0, i;

	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = in[i] << 16 | in[i + 1] << 8 | in[i + 2];

		out[o++] = t[v >> 18];
		out[o++] = t[(v >> 12) & 63];
		out[o++] = t[(v >> 6) & 63];
		out[o++] = t[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = in[i] << 16;

		out[o++] = t[v >> 18];
		out[o++] = t[(v >> 12) & 63];
	} else if (n - i == 2) {
		uint32_t v = in[i] << 16 | in[i + 1] << 8;

		out[o++] = t[v >> 18];
		out[o++] = t[(v >> 12) & 63];
		out[o++] = t[(v >> 6) & 63];
	}
	out[o] = 0;
	return o;
}

/*
 * The runtime claims.  OpenHCL (openhcl/openhcl_attestation_protocol/src/
 * igvm_attest/get.rs, RuntimeClaims and AttestationVmConfig, serialised by serde
 * in field order; user_data is hex::encode, lower case; current_time is None and
 * root_cert_thumbprint "" in underhill_core/src/worker.rs) or the Windows HCL of
 * the real Azure reports (tests/data/azure-tdx, azure-snp: keys sorted,
 * upper-case user-data, current-time on SNP).
 */
static int build_json(const uint8_t user_data[64], char *out, size_t cap)
{
	char ak[400], ek[400], thumb[64], ud[129];
	uint8_t h[32];
	unsigned char *der = NULL;
	int dlen;
	const struct pv_config *c = &pv.cfg;
	bool openhcl = pv.o.style == PV_STYLE_OPENHCL;
	long long now = (long long)time(NULL);

	b64url(pv.ak_n, pv.ak_n_len, ak);
	b64url(pv.ek_n, pv.ek_n_len, ek);
	if (!strcmp(c->root_thumb, "auto")) {
		dlen = i2d_X509(pv.ark_cert, &der);
		SHA256(der, dlen, h);
		OPENSSL_free(der);
		b64url(h, 32, thumb);
	} else {
		snprintf(thumb, sizeof(thumb), "%s", c->root_thumb);
	}
	for (int i = 0; i < 64; i++)
		sprintf(ud + 2 * i, openhcl ? "%02x" : "%02X", user_data[i]);
#define B(x) ((x) ? "true" : "false")
#define KEYS \
		"{\"keys\":[" \
		"{\"kid\":\"HCLAkPub\",\"key_ops\":[\"sign\"],\"kty\":\"RSA\",\"e\":\"AQAB\",\"n\":\"%s\"}," \
		"{\"kid\":\"HCLEkPub\",\"key_ops\":[\"encrypt\"],\"kty\":\"RSA\",\"e\":\"AQAB\",\"n\":\"%s\"}],"
	if (openhcl)
		return snprintf(out, cap, KEYS
			"\"vm-configuration\":{\"root-cert-thumbprint\":\"%s\",\"console-enabled\":%s,"
			"\"interactive-console-enabled\":%s,\"secure-boot\":%s,\"tpm-enabled\":%s,"
			"\"tpm-persisted\":%s,\"filtered-vpci-devices-allowed\":%s,\"vmUniqueId\":\"%s\","
			"\"hardware-sealing-policy\":\"%s\"},"
			"\"user-data\":\"%s\"}",
			ak, ek, thumb, B(c->console_enabled), B(c->console_enabled && c->interactive_console),
			B(c->secure_boot), B(c->tpm_enabled), B(c->tpm_persisted), B(c->filtered_vpci),
			c->vm_unique_id, c->sealing_policy, ud);
	return snprintf(out, cap, KEYS
		"\"vm-configuration\":{\"console-enabled\":%s,\"current-time\":%lld,"
		"\"root-cert-thumbprint\":\"%s\",\"secure-boot\":%s,\"tpm-enabled\":%s,"
		"\"tpm-persisted\":%s,\"vmUniqueId\":\"%s\"},"
		"\"user-data\":\"%s\"}",
		ak, ek, B(c->console_enabled), now, thumb, B(c->secure_boot),
		B(c->tpm_enabled), B(c->tpm_persisted), c->vm_unique_id, ud);
#undef KEYS
#undef B
}

/* AMD SEV-SNP ABI, ATTESTATION_REPORT (version 2), 1184 bytes */
static void build_snp(uint8_t *r, const uint8_t report_data[64])
{
	const struct pv_config *c = &pv.cfg;
	uint64_t tcb = snp_tcb(c), cur = snp_tcb_current(c);
	uint8_t dgst[48];
	ECDSA_SIG *sig;
	const BIGNUM *br, *bs;
	EVP_MD_CTX *md;
	uint8_t der[160];
	size_t dlen = sizeof(der);
	const unsigned char *p = der;

	memset(r, 0, 1184);
	le32(r + 0x00, 2);			/* VERSION */
	le32(r + 0x04, c->guest_svn);
	le64(r + 0x08, c->policy);
	memcpy(r + 0x10, c->family_id, 16);
	memcpy(r + 0x20, c->image_id, 16);
	le32(r + 0x30, c->vmpl);
	le32(r + 0x34, 1);			/* SIGNATURE_ALGO: ECDSA P-384 SHA-384 */
	le64(r + 0x38, cur);			/* CURRENT_TCB */
	le64(r + 0x40, c->platform_info);
	le32(r + 0x48, 0);			/* AUTHOR_KEY_EN=0, MASK_CHIP_KEY=0, SIGNING_KEY=0 (VCEK) */
	memcpy(r + 0x50, report_data, 64);
	memcpy(r + 0x90, c->measurement, 48);
	memcpy(r + 0xC0, c->host_data, 32);
	memcpy(r + 0xE0, c->id_key_digest, 48);
	memcpy(r + 0x110, c->author_key_digest, 48);
	memcpy(r + 0x140, c->report_id, 32);
	memcpy(r + 0x160, c->report_id_ma, 32);
	le64(r + 0x180, tcb);			/* REPORTED_TCB */
	memcpy(r + 0x1A0, c->chip_id, 64);
	le64(r + 0x1E0, snp_tcb_committed(c));	/* COMMITTED_TCB */
	r[0x1E8] = c->fw_build;			/* CURRENT_BUILD/MINOR/MAJOR */
	r[0x1E9] = c->fw_minor;
	r[0x1EA] = c->fw_major;
	r[0x1EC] = c->fw_build;			/* COMMITTED_BUILD/MINOR/MAJOR */
	r[0x1ED] = c->fw_minor;
	r[0x1EE] = c->fw_major;
	le64(r + 0x1F0, snp_tcb_launch(c));	/* LAUNCH_TCB */

	/* ECDSA P-384 over bytes 0x000-0x29F, r and s little-endian, 72 bytes */
	md = EVP_MD_CTX_new();
	if (EVP_DigestSignInit(md, NULL, EVP_sha384(), NULL, pv.vcek) <= 0 ||
	    EVP_DigestSign(md, der, &dlen, r, 0x2A0) <= 0)
		die("VCEK signing failed");
	EVP_MD_CTX_free(md);
	(void)dgst;
	sig = d2i_ECDSA_SIG(NULL, &p, dlen);
	if (!sig)
		die("bad ECDSA signature");
	ECDSA_SIG_get0(sig, &br, &bs);
	BN_bn2lebinpad(br, r + 0x2A0, 72);
	BN_bn2lebinpad(bs, r + 0x2E8, 72);
	ECDSA_SIG_free(sig);
}

/* Intel TDX TDREPORT_STRUCT, 1024 bytes */
static void build_tdx(uint8_t *r, const uint8_t report_data[64])
{
	const struct pv_config *c = &pv.cfg;
	static const uint8_t cpusvn[16] = { 6, 6, 0x13, 0x15, 3, 0xff, 0, 3 };
	uint8_t *mac = r, *tcb = r + 0x100, *td = r + 0x200;
	unsigned int ml = 32;

	memset(r, 0, 1024);
	/*
	 * TEE_TCB_INFO (239 bytes; Intel TDX Module ABI, TDREPORT_STRUCT): VALID 0,
	 * TEE_TCB_SVN 8, MRSEAM 0x18, MRSIGNERSEAM 0x48 (zero: Intel's module),
	 * ATTRIBUTES 0x78, TEE_TCB_SVN2 0x80.  VALID as in the real Azure reports.
	 */
	tcb[0] = 0xff; tcb[1] = 0x01; tcb[2] = 0x03;
	memcpy(tcb + 0x08, c->tee_tcb_svn, 16);
	memcpy(tcb + 0x18, c->mrseam, 48);
	memcpy(tcb + 0x80, c->tee_tcb_svn2, 16);
	/*
	 * TDINFO (512 bytes): ATTRIBUTES 0, XFAM 8, MRTD 0x10, MRCONFIGID 0x40,
	 * MROWNER 0x70, MROWNERCONFIG 0xA0 (the three zero, as on Azure),
	 * RTMR0-3 0xD0 + 48 * i, SERVTD_HASH 0x190.
	 */
	le64(td + 0x00, c->td_attributes | (c->debug ? 1 : 0));
	le64(td + 0x08, c->xfam);
	memcpy(td + 0x10, c->mrtd, 48);
	for (int i = 0; i < 4; i++)
		memcpy(td + 0xD0 + 48 * i, c->rtmr[i], 48);
	/* REPORTMACSTRUCT (256 bytes) */
	mac[0] = 0x81;					/* REPORTTYPE: TDX */
	memcpy(mac + 0x10, cpusvn, 16);
	SHA384(tcb, 239, mac + 0x20);			/* TEE_TCB_INFO_HASH */
	SHA384(td, 512, mac + 0x50);			/* TEE_INFO_HASH */
	memcpy(mac + 0x80, report_data, 64);
	HMAC(EVP_sha256(), pv.tdx_mac_key, 32, mac, 0xE0, mac + 0xE0, &ml);
}

int report_build(const uint8_t user_data[64])
{
	static char json[4096];
	uint8_t rd[64] = { 0 };
	uint8_t *b = pv.report;
	int jl;
	uint32_t total;

	if (!pv.keys_ready)
		return -1;
	jl = build_json(user_data, json, sizeof(json));
	if (jl < 0 || (size_t)jl > (pv.nv_size < PV_REPORT_NV_MAX ? pv.nv_size : PV_REPORT_NV_MAX) -
				   HCL_JSON_OFF)
		die("claims JSON too large (%d)", jl);
	SHA256((const uint8_t *)json, jl, rd);

	memset(b, 0, sizeof(pv.report));
	memcpy(b, "HCLA", 4);
	total = HCL_JSON_OFF + jl;
	le32(b + 4, pv.o.header_version);	/* OpenHCL's ATTESTATION_VERSION 2 */
	le32(b + 8, total);			/* size of the meaningful part */
	le32(b + 12, 2);			/* request type: attestation report */
	le32(b + 16, 0);			/* status */
	if (pv.o.mode == PV_MODE_SNP)
		build_snp(b + HCL_HDR_SIZE, rd);
	else
		build_tdx(b + HCL_HDR_SIZE, rd);
	b += HCL_HDR_SIZE + HCL_HW_SLOT;
	le32(b + 0, HCL_RT_HDR_SIZE + jl);	/* data size */
	le32(b + 4, 1);				/* version */
	le32(b + 8, pv.o.mode);			/* report type */
	le32(b + 12, 1);			/* hash type SHA-256 */
	le32(b + 16, jl);			/* variable data size */
	memcpy(b + HCL_RT_HDR_SIZE, json, jl);
	pv.have_report = true;
	pv.reports_built++;
	pv_log("report #%u built: mode=%s json=%d bytes total=%u report-data=%02x%02x%02x%02x... user-data=%02X%02X%02X%02X...",
	       pv.reports_built, pv.o.mode == PV_MODE_SNP ? "snp" : "tdx", jl, total,
	       rd[0], rd[1], rd[2], rd[3],
	       user_data[0], user_data[1], user_data[2], user_data[3]);
	return 0;
}
