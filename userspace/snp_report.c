// SPDX-License-Identifier: GPL-2.0-only
/*
 * SEV-SNP attestation report: parse every field of versions 2 to 5, decode TCB
 * versions by product, and check the report's ECDSA P-384/SHA-384 signature.
 *
 * Layout (offsets in bytes, all integers little-endian):
 *   0x000 version  0x004 guest_svn  0x008 policy  0x010 family_id  0x020 image_id
 *   0x030 vmpl  0x034 signature_algo  0x038 current_tcb  0x040 platform_info
 *   0x048 flags (author_key_en, mask_chip_key, signing_key[4:2])
 *   0x050 report_data[64]  0x090 measurement[48]  0x0c0 host_data[32]
 *   0x0e0 id_key_digest[48]  0x110 author_key_digest[48]  0x140 report_id[32]
 *   0x160 report_id_ma[32]  0x180 reported_tcb  0x188 cpuid fam/mod/step (v3+)
 *   0x1a0 chip_id[64]  0x1e0 committed_tcb  0x1e8 current build/minor/major
 *   0x1ec committed build/minor/major  0x1f0 launch_tcb
 *   0x1f8 launch_mit_vector, 0x200 current_mit_vector (v5)
 *   0x2a0 signature: r[72], s[72], little-endian, zero-extended
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>

#include "snp_report.h"

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/**
 * snp_report_parse() - parse a raw SNP attestation report
 * @buf: the report
 * @len: its length; must be exactly SNP_REPORT_SIZE
 * @r: filled in, including a copy of the raw bytes for the signature check
 *
 * Return: 0, or -EBADMSG for a wrong length, an unknown version or signature
 * algorithm, or a reserved policy bit that is not set.
 */
int snp_report_parse(const uint8_t *buf, size_t len, struct snp_report *r)
{
	memset(r, 0, sizeof(*r));
	if (len != SNP_REPORT_SIZE)
		return -EBADMSG;
	memcpy(r->raw, buf, SNP_REPORT_SIZE);
	r->version = get32(buf + 0x00);
	r->guest_svn = get32(buf + 0x04);
	r->policy = get64(buf + 0x08);
	memcpy(r->family_id, buf + 0x10, 16);
	memcpy(r->image_id, buf + 0x20, 16);
	r->vmpl = get32(buf + 0x30);
	r->sig_algo = get32(buf + 0x34);
	r->current_tcb = get64(buf + 0x38);
	r->platform_info = get64(buf + 0x40);
	r->flags = get32(buf + 0x48);
	memcpy(r->report_data, buf + 0x50, 64);
	memcpy(r->measurement, buf + 0x90, 48);
	memcpy(r->host_data, buf + 0xc0, 32);
	memcpy(r->id_key_digest, buf + 0xe0, 48);
	memcpy(r->author_key_digest, buf + 0x110, 48);
	memcpy(r->report_id, buf + 0x140, 32);
	memcpy(r->report_id_ma, buf + 0x160, 32);
	r->reported_tcb = get64(buf + 0x180);
	if (r->version >= 3) {
		r->cpuid_fam_id = buf[0x188];
		r->cpuid_mod_id = buf[0x189];
		r->cpuid_step = buf[0x18a];
	}
	memcpy(r->chip_id, buf + 0x1a0, 64);
	r->committed_tcb = get64(buf + 0x1e0);
	r->current_build = buf[0x1e8];
	r->current_minor = buf[0x1e9];
	r->current_major = buf[0x1ea];
	r->committed_build = buf[0x1ec];
	r->committed_minor = buf[0x1ed];
	r->committed_major = buf[0x1ee];
	r->launch_tcb = get64(buf + 0x1f0);
	if (r->version >= 5) {
		r->launch_mit_vector = get64(buf + 0x1f8);
		r->current_mit_vector = get64(buf + 0x200);
	}
	memcpy(r->sig_r, buf + SNP_REPORT_SIG_OFF, SNP_REPORT_SIG_COMP);
	memcpy(r->sig_s, buf + SNP_REPORT_SIG_OFF + SNP_REPORT_SIG_COMP, SNP_REPORT_SIG_COMP);

	if (r->version < SNP_REPORT_MIN_VERSION || r->version > SNP_REPORT_MAX_VERSION)
		return -EBADMSG;
	if (r->sig_algo != SNP_SIG_ALGO_ECDSA_P384_SHA384)
		return -EBADMSG;
	if (!(r->policy & SNP_POLICY_RESERVED1) || r->vmpl > 3)
		return -EBADMSG;
	return 0;
}

/**
 * snp_report_product() - the product a report comes from, by its CPUID fields
 * @r: a parsed report
 *
 * Reports before version 3 carry no CPUID; the product then has to come from
 * the VCEK (see amd_cert_product()).
 *
 * Return: the product, or SNP_PRODUCT_UNKNOWN.
 */
enum snp_product snp_report_product(const struct snp_report *r)
{
	if (r->cpuid_fam_id == 0x19) {
		if (r->cpuid_mod_id <= 0x0f)
			return SNP_PRODUCT_MILAN;
		if ((r->cpuid_mod_id >= 0x10 && r->cpuid_mod_id <= 0x1f) ||
		    (r->cpuid_mod_id >= 0xa0 && r->cpuid_mod_id <= 0xaf))
			return SNP_PRODUCT_GENOA;
	}
	if (r->cpuid_fam_id == 0x1a)
		return SNP_PRODUCT_TURIN;
	return SNP_PRODUCT_UNKNOWN;
}

/**
 * snp_tcb_decode() - split a TCB_VERSION into its security patch levels
 * @raw: the 64-bit TCB_VERSION
 * @prod: the product; Milan and Genoa share one layout, Turin has another
 * @t: filled in
 *
 * Milan/Genoa: bootloader [7:0], tee [15:8], snp [55:48], microcode [63:56].
 * Turin:       fmc [7:0], bootloader [15:8], tee [23:16], snp [31:24],
 *              microcode [63:56].
 */
void snp_tcb_decode(uint64_t raw, enum snp_product prod, struct snp_tcb *t)
{
	memset(t, 0, sizeof(*t));
	t->raw = raw;
	t->microcode = (uint8_t)(raw >> 56);
	if (prod == SNP_PRODUCT_TURIN) {
		t->fmc = (uint8_t)raw;
		t->bootloader = (uint8_t)(raw >> 8);
		t->tee = (uint8_t)(raw >> 16);
		t->snp = (uint8_t)(raw >> 24);
	} else {
		t->bootloader = (uint8_t)raw;
		t->tee = (uint8_t)(raw >> 8);
		t->snp = (uint8_t)(raw >> 48);
	}
}

/**
 * snp_report_verify_sig() - check the report's signature with a VCEK or VLEK key
 * @r: a parsed report
 * @key: the signing key's public key; must be EC P-384
 *
 * Return: 0 when the signature verifies, -EKEYREJECTED when it does not,
 * -EINVAL when @key is not a P-384 key, -ENOMEM.
 */
int snp_report_verify_sig(const struct snp_report *r, EVP_PKEY *key)
{
	uint8_t be[SNP_REPORT_SIG_COMP];
	EVP_MD_CTX *md = NULL;
	ECDSA_SIG *sig = NULL;
	BIGNUM *bn_r = NULL, *bn_s = NULL;
	unsigned char *der = NULL;
	char group[32];
	int derlen, i, ret = -EKEYREJECTED;

	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC ||
	    !EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group,
					     sizeof(group), NULL) ||
	    strcasecmp(group, "secp384r1"))
		return -EINVAL;
	/* r and s are 72-byte little-endian fields; P-384 values fill 48 bytes. */
	for (i = 48; i < SNP_REPORT_SIG_COMP; i++)
		if (r->sig_r[i] || r->sig_s[i])
			return -EKEYREJECTED;
	for (i = 0; i < 48; i++)
		be[i] = r->sig_r[47 - i];
	bn_r = BN_bin2bn(be, 48, NULL);
	for (i = 0; i < 48; i++)
		be[i] = r->sig_s[47 - i];
	bn_s = BN_bin2bn(be, 48, NULL);
	sig = ECDSA_SIG_new();
	if (!bn_r || !bn_s || !sig) {
		ret = -ENOMEM;
		goto out;
	}
	if (!ECDSA_SIG_set0(sig, bn_r, bn_s)) {
		ret = -ENOMEM;
		goto out;
	}
	bn_r = bn_s = NULL;
	derlen = i2d_ECDSA_SIG(sig, &der);
	md = EVP_MD_CTX_new();
	if (derlen <= 0 || !md) {
		ret = -ENOMEM;
		goto out;
	}
	if (EVP_DigestVerifyInit_ex(md, NULL, "SHA384", NULL, NULL, key, NULL) == 1 &&
	    EVP_DigestVerify(md, der, (size_t)derlen, r->raw, SNP_REPORT_SIGNED_LEN) == 1)
		ret = 0;
out:
	EVP_MD_CTX_free(md);
	OPENSSL_free(der);
	ECDSA_SIG_free(sig);
	BN_free(bn_r);
	BN_free(bn_s);
	return ret;
}

static const char *const product_names[] = {
	[SNP_PRODUCT_UNKNOWN] = "unknown",
	[SNP_PRODUCT_MILAN] = "Milan",
	[SNP_PRODUCT_GENOA] = "Genoa",
	[SNP_PRODUCT_TURIN] = "Turin",
};

/**
 * snp_product_name() - "Milan", "Genoa", "Turin" or "unknown"
 * @prod: the product
 *
 * Return: a static string.
 */
const char *snp_product_name(enum snp_product prod)
{
	if ((size_t)prod >= sizeof(product_names) / sizeof(product_names[0]))
		return "unknown";
	return product_names[prod];
}

/**
 * snp_product_from_name() - the product named at the start of @name
 * @name: "Milan", "Milan-B0", "genoa"... (case-insensitive prefix)
 *
 * Return: the product, or SNP_PRODUCT_UNKNOWN.
 */
enum snp_product snp_product_from_name(const char *name)
{
	int p;

	for (p = SNP_PRODUCT_MILAN; p <= SNP_PRODUCT_TURIN; p++)
		if (!strncasecmp(name, product_names[p], strlen(product_names[p])))
			return (enum snp_product)p;
	return SNP_PRODUCT_UNKNOWN;
}

/**
 * snp_chip_id_masked() - whether the report's CHIP_ID is all zeros
 * @r: a parsed report
 *
 * A guest launched with MASK_CHIP_ID gets a zero CHIP_ID; a VLEK-signed report
 * has none to match either.
 *
 * Return: true when every byte of CHIP_ID is zero.
 */
bool snp_chip_id_masked(const struct snp_report *r)
{
	size_t i;

	for (i = 0; i < sizeof(r->chip_id); i++)
		if (r->chip_id[i])
			return false;
	return true;
}

static bool nonzero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return true;
	return false;
}

/**
 * snp_report_mbz() - the first reserved (must-be-zero) field that is not zero
 * @r: a parsed report
 *
 * Checked, by the report's version: FLAGS bits 31:5, the word at 0x04c, 0x188
 * to 0x19f (0x18b on from version 3, after the CPUID bytes), the bytes at 0x1eb
 * and 0x1ef, 0x1f8 (0x208 from version 5) to 0x29f, GUEST_POLICY bits 63:26,
 * the upper 24 bytes of the signature's r and s, and 0x330 to the end (outside
 * the signature: a host can set these without breaking it).
 *
 * Return: the field's name, or NULL when every reserved field is zero.
 */
const char *snp_report_mbz(const struct snp_report *r)
{
	const uint8_t *b = r->raw;

	if (r->flags >> 5)
		return "flags[31:5]";
	if (nonzero(b + 0x4c, 4))
		return "reserved 0x04c";
	if (r->version >= 3 ? nonzero(b + 0x18b, 0x1a0 - 0x18b) : nonzero(b + 0x188, 0x18))
		return "reserved 0x188-0x19f";
	if (b[0x1eb] || b[0x1ef])
		return "reserved 0x1eb/0x1ef";
	if (r->version >= 5 ? nonzero(b + 0x208, 0x2a0 - 0x208) : nonzero(b + 0x1f8, 0x2a0 - 0x1f8))
		return "reserved 0x1f8-0x29f";
	if (r->policy >> 26)
		return "policy[63:26]";
	if (nonzero(r->sig_r + 48, SNP_REPORT_SIG_COMP - 48) ||
	    nonzero(r->sig_s + 48, SNP_REPORT_SIG_COMP - 48))
		return "signature r/s [71:48]";
	if (nonzero(b + 0x330, SNP_REPORT_SIZE - 0x330))
		return "reserved 0x330-0x49f";
	return NULL;
}
