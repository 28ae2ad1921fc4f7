// SPDX-License-Identifier: GPL-2.0-only
/*
 * HCL report (Azure paravisor attestation report) and its runtime claims.
 *
 * Layout (integers little-endian):
 *   0     header: "HCLA", version, size (header + 1184 + 20 + claims in the reports
 *         seen; the NV index pads the rest), request type (2), status, reserved[3]
 *   32    hardware report: SNP ATTESTATION_REPORT (1184) or TDX TDREPORT (1024),
 *         in a 1184-byte slot
 *   1216  runtime data header: data size (20 + claims), version, report type
 *         (2 SNP, 4 TDX), hash type (1 SHA-256), variable data size (claims)
 *   1236  runtime claims JSON: {"keys":[JWK HCLAkPub, JWK HCLEkPub],
 *         "vm-configuration":{...}, "user-data":"HEX"}
 *
 * The hardware report's REPORT_DATA (SNP offset 0x50, TDX REPORTMACSTRUCT offset
 * 0x80) is SHA-256(claims JSON) followed by 32 zero bytes: that binds the vTPM's
 * attestation key to the hardware.
 */
#include <errno.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/sha.h>

#include "cvmguard.h"
#include "hcl_report.h"
#include "snp_report.h"

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/**
 * hcl_report_parse() - parse an HCL report and locate its parts
 * @buf: the report as read from the NV index (padding after the claims is fine)
 * @len: its length
 * @h: filled in; its pointers point into @buf
 *
 * Return: 0, or -EBADMSG for a bad magic, request type, report type, hash type,
 * or sizes that do not fit in @len.
 */
int hcl_report_parse(const uint8_t *buf, size_t len, struct hcl_report *h)
{
	memset(h, 0, sizeof(*h));
	if (len < HCL_CLAIMS_OFF || memcmp(buf, HCL_MAGIC, 4))
		return -EBADMSG;
	h->version = get32(buf + 4);
	h->size = get32(buf + 8);
	h->request_type = get32(buf + 12);
	h->status = get32(buf + 16);
	h->rt_data_size = get32(buf + HCL_RT_OFF);
	h->rt_version = get32(buf + HCL_RT_OFF + 4);
	h->rt_report_type = get32(buf + HCL_RT_OFF + 8);
	h->rt_hash_type = get32(buf + HCL_RT_OFF + 12);
	h->rt_var_size = get32(buf + HCL_RT_OFF + 16);

	if (h->request_type != HCL_REQUEST_TYPE)
		return -EBADMSG;
	if (h->rt_hash_type != HCL_HASH_SHA256)
		return -EBADMSG;
	if (h->rt_var_size > len - HCL_CLAIMS_OFF ||
	    h->rt_data_size != HCL_RT_HDR_SIZE + h->rt_var_size)
		return -EBADMSG;
	h->hw = buf + HCL_HW_OFF;
	switch (h->rt_report_type) {
	case HCL_REPORT_SNP:
		h->hw_len = SNP_REPORT_SIZE;
		h->report_data = h->hw + SNP_REPORT_DATA_OFF;
		break;
	case HCL_REPORT_TDX:
		h->hw_len = TDX_REPORT_SIZE;
		h->report_data = h->hw + TDX_REPORT_DATA_OFF;
		break;
	default:
		return -EBADMSG;
	}
	h->claims = buf + HCL_CLAIMS_OFF;
	h->claims_len = h->rt_var_size;
	return 0;
}

/**
 * hcl_report_check_binding() - REPORT_DATA == SHA-256(claims) || 32 zero bytes
 * @h: a parsed HCL report
 *
 * Return: 0 when the hardware report binds the claims, -EKEYREJECTED otherwise.
 */
int hcl_report_check_binding(const struct hcl_report *h)
{
	static const uint8_t zero[32];
	uint8_t md[SHA256_DIGEST_LENGTH];

	if (!EVP_Digest(h->claims, h->claims_len, md, NULL, EVP_sha256(), NULL))
		return -ENOMEM;
	if (memcmp(h->report_data, md, 32) || memcmp(h->report_data + 32, zero, 32))
		return -EKEYREJECTED;
	return 0;
}

/**
 * hcl_nonce_user_data() - the user data that binds a verifier's nonce
 * @nonce: the nonce, at most 64 bytes
 * @len: its length
 * @out: receives the 64 bytes of user data: the nonce, zero-padded
 *
 * `cvmguard attest` asks for the report with this user data and quotes with the
 * nonce itself as qualifyingData; `cvmguard verify` checks both. Zero-padding
 * keeps the user data readable in the claims and equal to what `cvmguard report
 * --user-data` sends; the padding makes "ab" and "ab00" alike in the report, but
 * the quote's qualifyingData carries the exact length.
 *
 * Return: 0, or -EINVAL for an empty or longer nonce.
 */
int hcl_nonce_user_data(const uint8_t *nonce, size_t len, uint8_t out[HCL_USER_DATA_LEN])
{
	if (!len || len > HCL_USER_DATA_LEN)
		return -EINVAL;
	memset(out, 0, HCL_USER_DATA_LEN);
	memcpy(out, nonce, len);
	return 0;
}

/**
 * tdx_report_parse() - parse a TDX TDREPORT_STRUCT
 * @buf: the report
 * @len: at least TDX_REPORT_SIZE
 * @t: filled in
 *
 * The TDREPORT is MAC'ed for the CPU it ran on, not signed: it cannot be checked
 * offline (that takes a TD quote and Intel's PCK chain).
 *
 * Return: 0, or -EBADMSG when too short or not a TDX report (type 0x81).
 */
int tdx_report_parse(const uint8_t *buf, size_t len, struct tdx_report *t)
{
	int i;

	memset(t, 0, sizeof(*t));
	if (len < TDX_REPORT_SIZE || buf[0] != 0x81)
		return -EBADMSG;
	memcpy(t->report_type, buf, 4);
	memcpy(t->cpusvn, buf + 16, 16);
	memcpy(t->tee_tcb_info_hash, buf + 32, 48);
	memcpy(t->tee_info_hash, buf + 80, 48);
	memcpy(t->report_data, buf + 128, 64);
	memcpy(t->mac, buf + 224, 32);
	memcpy(t->tee_tcb_svn, buf + 264, 16);
	memcpy(t->mrseam, buf + 280, 48);
	t->td_attributes = (uint64_t)get32(buf + 512) | (uint64_t)get32(buf + 516) << 32;
	t->xfam = (uint64_t)get32(buf + 520) | (uint64_t)get32(buf + 524) << 32;
	memcpy(t->mrtd, buf + 528, 48);
	memcpy(t->mrconfigid, buf + 576, 48);
	memcpy(t->mrowner, buf + 624, 48);
	memcpy(t->mrownerconfig, buf + 672, 48);
	for (i = 0; i < 4; i++)
		memcpy(t->rtmr[i], buf + 720 + 48 * i, 48);
	return 0;
}

static int b64url_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-' || c == '+')
		return 62;
	if (c == '_' || c == '/')
		return 63;
	return -1;
}

/* base64url (padding optional) into @out; returns the length or -EBADMSG. */
static int b64url_decode(const char *in, uint8_t *out, size_t outlen)
{
	size_t n = strlen(in), i, o = 0;
	uint32_t acc = 0;
	int bits = 0;

	while (n && in[n - 1] == '=')
		n--;
	for (i = 0; i < n; i++) {
		int v = b64url_val(in[i]);

		if (v < 0)
			return -EBADMSG;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o == outlen)
				return -EBADMSG;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	return (int)o;
}

static int jwk_bn(json_object *jwk, const char *name, uint8_t *buf, size_t size, int *len)
{
	json_object *v;

	if (!json_object_object_get_ex(jwk, name, &v) || !json_object_is_type(v, json_type_string))
		return -EBADMSG;
	*len = b64url_decode(json_object_get_string(v), buf, size);
	return *len > 0 ? 0 : -EBADMSG;
}

/**
 * jwk_to_pkey() - a JSON Web Key (RSA, or EC P-256/P-384) as an EVP_PKEY
 * @jwk: the JWK object
 * @out: receives the public key (EVP_PKEY_free() it)
 *
 * Return: 0, -EBADMSG for a missing or malformed member, -EOPNOTSUPP for another
 * key type or curve.
 */
int jwk_to_pkey(json_object *jwk, EVP_PKEY **out)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	BIGNUM *n = NULL, *e = NULL;
	json_object *kty, *crv;
	const char *type, *group = NULL;
	uint8_t a[1024], b[512], pt[1 + 2 * 66];
	int alen, blen, ret = -EBADMSG;

	*out = NULL;
	/* A JSON null is a NULL object, whose string is NULL: check types first. */
	if (!json_object_object_get_ex(jwk, "kty", &kty) || !json_object_is_type(kty, json_type_string))
		return -EBADMSG;
	type = json_object_get_string(kty);
	bld = OSSL_PARAM_BLD_new();
	if (!bld)
		return -ENOMEM;
	if (!strcmp(type, "RSA")) {
		if (jwk_bn(jwk, "n", a, sizeof(a), &alen) || jwk_bn(jwk, "e", b, sizeof(b), &blen))
			goto out;
		n = BN_bin2bn(a, alen, NULL);
		e = BN_bin2bn(b, blen, NULL);
		if (!n || !e || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
			goto out;
	} else if (!strcmp(type, "EC")) {
		size_t clen;

		if (!json_object_object_get_ex(jwk, "crv", &crv) ||
		    !json_object_is_type(crv, json_type_string))
			goto out;
		if (!strcmp(json_object_get_string(crv), "P-256"))
			group = "prime256v1", clen = 32;
		else if (!strcmp(json_object_get_string(crv), "P-384"))
			group = "secp384r1", clen = 48;
		if (!group) {
			ret = -EOPNOTSUPP;
			goto out;
		}
		if (jwk_bn(jwk, "x", a, sizeof(a), &alen) || jwk_bn(jwk, "y", b, sizeof(b), &blen) ||
		    (size_t)alen != clen || (size_t)blen != clen)
			goto out;
		pt[0] = 0x04;
		memcpy(pt + 1, a, clen);
		memcpy(pt + 1 + clen, b, clen);
		if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) ||
		    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt, 1 + 2 * clen))
			goto out;
	} else {
		ret = -EOPNOTSUPP;
		goto out;
	}
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) != 1)
		goto out;
	ret = 0;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return ret;
}

/**
 * hcl_claims_parse() - parse the runtime claims JSON
 * @json: the claims, exactly as hashed into REPORT_DATA
 * @len: their length
 * @c: filled in; hcl_claims_free() it, also on error
 *
 * HCLAkPub and HCLEkPub are taken from "keys" by "kid" (a key whose "kid" is not
 * a string is skipped); "user-data", when present, must be 64 bytes of hex.
 *
 * Return: 0, -EBADMSG for invalid JSON or malformed members.
 */
int hcl_claims_parse(const uint8_t *json, size_t len, struct hcl_claims *c)
{
	struct json_tokener *tok;
	json_object *keys, *ud;
	size_t i, n;
	int ret = 0;

	memset(c, 0, sizeof(*c));
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	c->root = json_tokener_parse_ex(tok, (const char *)json, (int)len);
	if (!c->root || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len ||
	    !json_object_is_type(c->root, json_type_object)) {
		ret = -EBADMSG;
		goto out;
	}
	if (json_object_object_get_ex(c->root, "keys", &keys)) {
		if (!json_object_is_type(keys, json_type_array)) {
			ret = -EBADMSG;
			goto out;
		}
		n = json_object_array_length(keys);
		for (i = 0; i < n; i++) {
			json_object *k = json_object_array_get_idx(keys, i), *kid;
			EVP_PKEY **dst = NULL;

			if (!json_object_object_get_ex(k, "kid", &kid) ||
			    !json_object_is_type(kid, json_type_string))
				continue;
			if (!strcmp(json_object_get_string(kid), "HCLAkPub"))
				dst = &c->ak;
			else if (!strcmp(json_object_get_string(kid), "HCLEkPub"))
				dst = &c->ek;
			if (!dst || *dst)
				continue;
			ret = jwk_to_pkey(k, dst);
			if (ret)
				goto out;
		}
	}
	if (json_object_object_get_ex(c->root, "vm-configuration", &c->vm_config) &&
	    !json_object_is_type(c->vm_config, json_type_object)) {
		ret = -EBADMSG;
		goto out;
	}
	if (json_object_object_get_ex(c->root, "user-data", &ud)) {
		size_t w;

		if (!json_object_is_type(ud, json_type_string) ||
		    cvmg_hex_decode(json_object_get_string(ud), c->user_data, 64, &w) || w != 64) {
			ret = -EBADMSG;
			goto out;
		}
		c->has_user_data = true;
	}
out:
	json_tokener_free(tok);
	return ret;
}

/**
 * hcl_claims_free() - release what hcl_claims_parse() allocated
 * @c: the claims
 */
void hcl_claims_free(struct hcl_claims *c)
{
	EVP_PKEY_free(c->ak);
	EVP_PKEY_free(c->ek);
	json_object_put(c->root);
	memset(c, 0, sizeof(*c));
}
