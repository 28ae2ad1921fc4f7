// SPDX-License-Identifier: GPL-2.0-only
/*
 * LUKS2 token JSON, both kinds:
 *
 *   {"type":"cvmguard","keyslots":["1"],"cvmguard-blob":BASE64,
 *    "cvmguard-pcrs":[7],"cvmguard-pcr-bank":"sha256","cvmguard-parent":"0x81000001",
 *    "cvmguard-parent-name":HEX,"cvmguard-policy-hash":HEX,
 *    "cvmguard-counter":N,"cvmguard-mac":HEX,"cvmguard-policy-nv":"0x01800c05",
 *    "cvmguard-policy-pre-nv":HEX,"cvmguard-systemd":true,"cvmguard-pin":true}
 *
 *   {"type":"systemd-tpm2","keyslots":["1"],"tpm2-blob":BASE64,"tpm2-pcrs":[7],
 *    "tpm2-pcr-bank":"sha256","tpm2-primary-alg":"ecc","tpm2-policy-hash":HEX,
 *    "tpm2-pin":false}
 *
 * "cvmguard-pin" is written only when true (a token without it needs no PIN);
 * "tpm2-pin" always, as systemd does. With a PIN the sealed object's policy is
 * PolicyPCR then PolicyAuthValue and its userAuth the PIN's hash (pin.c). Neither flag
 * is under the header MAC: a flag that differs from the object makes the policy
 * session's digest differ from the object's, and the TPM refuses (exit 2). systemd
 * 254+'s "tpm2_salt" (base64) is read, not written.
 * "cvmguard-policy-nv" (cvmguard 0.4 on) says that the sealed object's policy ends
 * (after PolicyPCR and any PolicyAuthValue) with PolicyNV on that rollback record (tpm_nv.c) with the token's
 * counter: unlock must build that session. "cvmguard-policy-pre-nv" is the digest
 * before PolicyNV: unseal checks, before any TPM command, that index and counter
 * extend it to "cvmguard-policy-hash" (so a changed counter is told from a PCR
 * change). Both are only hints for building the session: the object's authPolicy
 * (in the blob) is what the TPM enforces, so a hint the host removed or changed
 * makes Unseal fail. Tokens without them (older cvmguard) are PolicyPCR only,
 * until their next rotate.
 *
 * The second is systemd 252's format (src/shared/tpm2-util.c, tpm2_make_luks2_json()
 * and tpm2_parse_luks2_json()). In both, the blob is TPM2B_PRIVATE then TPM2B_PUBLIC,
 * marshalled, and the keyslot's passphrase is the unsealed secret in base64.
 *
 * The parser returns -ENOENT for a token of another type (not ours), -EBADMSG for
 * one of ours that is damaged, -ENOTSUP for what we cannot unseal (a signed PCR
 * policy, a bank other than SHA-256).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "cvmguard.h"
#include "luks_token.h"
#include "tpm_nv.h"

static const char *prefix(enum cvmg_token_kind kind)
{
	return kind == CVMG_TOKEN_SYSTEMD ? "tpm2-" : "cvmguard-";
}

static json_object *field(json_object *o, enum cvmg_token_kind kind, const char *name)
{
	char key[64];
	json_object *v;

	snprintf(key, sizeof(key), "%s%s", prefix(kind), name);
	return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static int add(json_object *o, enum cvmg_token_kind kind, const char *name, json_object *v)
{
	char key[64];

	if (!v)
		return -ENOMEM;
	snprintf(key, sizeof(key), "%s%s", prefix(kind), name);
	return json_object_object_add(o, key, v) ? -ENOMEM : 0;
}

static json_object *hex_string(const uint8_t *buf, size_t len)
{
	char hex[2 * CVMG_NAME_MAX + 1];

	if (len > CVMG_NAME_MAX)
		return NULL;
	cvmg_hex_encode(buf, len, hex);
	return json_object_new_string(hex);
}

/**
 * cvmg_token_to_json() - a token's JSON text
 * @tok: the token
 * @json: the text, malloc()ed, for crypt_token_json_set()
 *
 * Return: 0, -EINVAL, -ENOMEM.
 */
int cvmg_token_to_json(const struct cvmg_token *tok, char **json)
{
	enum cvmg_token_kind kind = tok->kind;
	json_object *o, *a, *pcrs;
	char slot[16], *b64 = NULL;
	int ret, i;

	*json = NULL;
	if (tok->keyslot < 0 || !tok->sealed.blob_len || tok->sealed.blob_len > CVMG_BLOB_MAX)
		return -EINVAL;
	o = json_object_new_object();
	if (!o)
		return -ENOMEM;
	ret = json_object_object_add(o, "type", json_object_new_string(
			kind == CVMG_TOKEN_SYSTEMD ? CVMG_SYSTEMD_TOKEN_TYPE : CVMG_TOKEN_TYPE));
	a = json_object_new_array();
	snprintf(slot, sizeof(slot), "%d", tok->keyslot);
	if (ret || !a || json_object_array_add(a, json_object_new_string(slot)) ||
	    json_object_object_add(o, "keyslots", a)) {
		ret = -ENOMEM;
		goto out;
	}
	b64 = malloc(4 * ((tok->sealed.blob_len + 2) / 3) + 1);
	if (!b64) {
		ret = -ENOMEM;
		goto out;
	}
	EVP_EncodeBlock((unsigned char *)b64, tok->sealed.blob, (int)tok->sealed.blob_len);
	ret = add(o, kind, "blob", json_object_new_string(b64));
	if (ret)
		goto out;
	pcrs = json_object_new_array();
	for (i = 0; pcrs && i < 24; i++)
		if (tok->pcr_mask & (1u << i))
			json_object_array_add(pcrs, json_object_new_int(i));
	ret = add(o, kind, "pcrs", pcrs);
	if (!ret)
		ret = add(o, kind, "pcr-bank", json_object_new_string("sha256"));
	if (ret)
		goto out;
	if (kind == CVMG_TOKEN_SYSTEMD) {
		ret = add(o, kind, "primary-alg", json_object_new_string(
				  tok->parent == CVMG_PARENT_SYSTEMD_RSA ? "rsa" : "ecc"));
		if (!ret)
			ret = add(o, kind, "policy-hash", hex_string(tok->sealed.policy, 32));
		if (!ret)
			ret = add(o, kind, "pin", json_object_new_boolean(tok->sealed.pin));
	} else {
		char parent[16];

		snprintf(parent, sizeof(parent), "0x%08x", CVMG_SRK_HANDLE);
		ret = add(o, kind, "parent", json_object_new_string(parent));
		if (!ret)
			ret = add(o, kind, "parent-name", hex_string(tok->sealed.parent_name,
								     tok->sealed.parent_name_len));
		if (!ret)
			ret = add(o, kind, "policy-hash", hex_string(tok->sealed.policy, 32));
		if (!ret && tok->has_mac)
			ret = add(o, kind, "counter", json_object_new_int64((int64_t)tok->counter));
		if (!ret && tok->has_mac)
			ret = add(o, kind, "mac", hex_string(tok->mac, sizeof(tok->mac)));
		if (!ret && tok->sealed.nv_index) {
			char nv[16];

			snprintf(nv, sizeof(nv), "0x%08x", tok->sealed.nv_index);
			ret = add(o, kind, "policy-nv", json_object_new_string(nv));
			if (!ret)
				ret = add(o, kind, "policy-pre-nv", hex_string(tok->sealed.pre_nv, 32));
		}
		/* made with a systemd-tpm2 token on its keyslot: rotate renews that too */
		if (!ret && tok->systemd)
			ret = add(o, kind, "systemd", json_object_new_boolean(1));
		if (!ret && tok->sealed.pin)
			ret = add(o, kind, "pin", json_object_new_boolean(1));
	}
	if (ret)
		goto out;
	*json = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	if (!*json)
		ret = -ENOMEM;
out:
	free(b64);
	json_object_put(o);
	return ret;
}

static int parse_hex(json_object *v, uint8_t *out, size_t max, size_t *len)
{
	if (!v || !json_object_is_type(v, json_type_string))
		return -EBADMSG;
	return cvmg_hex_decode(json_object_get_string(v), out, max, len) ? -EBADMSG : 0;
}

/* Base64 @v into @out (at most @max bytes). */
static int parse_b64(json_object *v, uint8_t *out, size_t max, size_t *out_len)
{
	const char *b64;
	size_t n, pad = 0;
	int len;
	uint8_t *tmp;

	if (!v || !json_object_is_type(v, json_type_string))
		return -EBADMSG;
	b64 = json_object_get_string(v);
	n = strlen(b64);
	if (!n || n % 4 || n / 4 * 3 > max + 2)
		return -EBADMSG;
	if (b64[n - 1] == '=')
		pad++;
	if (b64[n - 2] == '=')
		pad++;
	tmp = malloc(n / 4 * 3);
	if (!tmp)
		return -ENOMEM;
	len = EVP_DecodeBlock(tmp, (const unsigned char *)b64, (int)n);
	if (len < 0 || (size_t)len < pad || (size_t)len - pad > max) {
		free(tmp);
		return -EBADMSG;
	}
	*out_len = (size_t)len - pad;
	memcpy(out, tmp, *out_len);
	free(tmp);
	return 0;
}

static int parse_blob(json_object *v, struct cvmg_sealed *s)
{
	return parse_b64(v, s->blob, CVMG_BLOB_MAX, &s->blob_len);
}

/* An optional JSON boolean: absent is false; anything but a boolean is damage. */
static int parse_flag(json_object *o, const char *key, bool *flag)
{
	json_object *v;

	*flag = false;
	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return -EBADMSG;
	*flag = json_object_get_boolean(v);
	return 0;
}

/**
 * cvmg_token_from_json() - parse a LUKS2 token of either kind
 * @json: the token's JSON text
 * @tok: the result
 *
 * Return: 0; -ENOENT when the token is of another type; -EBADMSG when it is ours
 * but damaged; -ENOTSUP when it needs what cvmguard does not do.
 */
int cvmg_token_from_json(const char *json, struct cvmg_token *tok)
{
	json_object *o, *v, *e;
	enum cvmg_token_kind kind;
	const char *type, *s;
	size_t i, n, len;
	char *end;
	long slot;
	int ret = -EBADMSG;

	memset(tok, 0, sizeof(*tok));
	tok->keyslot = -1;
	o = json_tokener_parse(json);
	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return -EBADMSG;
	}
	if (!json_object_object_get_ex(o, "type", &v) || !json_object_is_type(v, json_type_string))
		goto out;
	type = json_object_get_string(v);
	if (!strcmp(type, CVMG_TOKEN_TYPE)) {
		kind = CVMG_TOKEN_CVMGUARD;
	} else if (!strcmp(type, CVMG_SYSTEMD_TOKEN_TYPE)) {
		kind = CVMG_TOKEN_SYSTEMD;
	} else {
		ret = -ENOENT;
		goto out;
	}
	tok->kind = kind;

	/* Exactly one keyslot, a decimal string. */
	if (!json_object_object_get_ex(o, "keyslots", &v) ||
	    !json_object_is_type(v, json_type_array) || json_object_array_length(v) != 1)
		goto out;
	e = json_object_array_get_idx(v, 0);
	if (!json_object_is_type(e, json_type_string))
		goto out;
	s = json_object_get_string(e);
	slot = strtol(s, &end, 10);
	if (end == s || *end || slot < 0 || slot > 31)
		goto out;
	tok->keyslot = (int)slot;

	v = field(o, kind, "pcrs");
	if (!v || !json_object_is_type(v, json_type_array))
		goto out;
	n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		int64_t pcr;

		e = json_object_array_get_idx(v, i);
		if (!json_object_is_type(e, json_type_int))
			goto out;
		pcr = json_object_get_int64(e);
		if (pcr < 0 || pcr > 23)
			goto out;
		tok->pcr_mask |= 1u << pcr;
	}
	/* systemd allows an empty list (no PCRs); a seal bound to nothing is not ours to open. */
	if (!tok->pcr_mask) {
		ret = -ENOTSUP;
		goto out;
	}
	v = field(o, kind, "pcr-bank");
	if (v && (!json_object_is_type(v, json_type_string) ||
		  strcmp(json_object_get_string(v), "sha256"))) {
		ret = json_object_is_type(v, json_type_string) ? -ENOTSUP : -EBADMSG;
		goto out;
	}
	ret = parse_blob(field(o, kind, "blob"), &tok->sealed);
	if (ret)
		goto out;
	ret = parse_hex(field(o, kind, "policy-hash"), tok->sealed.policy, 32, &len);
	if (ret || len != 32) {
		ret = -EBADMSG;
		goto out;
	}
	ret = -EBADMSG; /* for the gotos below */
	if (kind == CVMG_TOKEN_SYSTEMD) {
		tok->parent = CVMG_PARENT_SYSTEMD_ECC;
		v = field(o, kind, "primary-alg");
		if (v) {
			if (!json_object_is_type(v, json_type_string))
				goto out;
			s = json_object_get_string(v);
			if (!strcmp(s, "rsa"))
				tok->parent = CVMG_PARENT_SYSTEMD_RSA;
			else if (strcmp(s, "ecc"))
				goto out;
		}
		/* systemd accepts only a JSON boolean; json-c reads the string "false" as true. */
		if (parse_flag(o, "tpm2-pin", &tok->sealed.pin))
			goto out;
		/* systemd 254+: the PIN is salted (pin.c); a salt without a PIN is damage. */
		if (json_object_object_get_ex(o, "tpm2_salt", &v) &&
		    (!tok->sealed.pin ||
		     parse_b64(v, tok->salt, sizeof(tok->salt), &tok->salt_len) || !tok->salt_len))
			goto out;
		/* A signed PCR policy (tpm2_pubkey): not supported. */
		if (json_object_object_get_ex(o, "tpm2_pubkey", &e)) {
			ret = -ENOTSUP;
			goto out;
		}
	} else {
		tok->parent = CVMG_PARENT_SRK;
		v = field(o, kind, "parent");
		if (!v || !json_object_is_type(v, json_type_string) ||
		    strtoul(json_object_get_string(v), NULL, 0) != CVMG_SRK_HANDLE)
			goto out;
		if (parse_hex(field(o, kind, "parent-name"), tok->sealed.parent_name,
			      CVMG_NAME_MAX, &tok->sealed.parent_name_len) ||
		    tok->sealed.parent_name_len < 4)
			goto out;
		/* The header MAC and its counter (absent in tokens of cvmguard before 0.3). */
		v = field(o, kind, "mac");
		if (v) {
			json_object *c = field(o, kind, "counter");
			int64_t cnt;

			if (parse_hex(v, tok->mac, sizeof(tok->mac), &len) || len != sizeof(tok->mac) ||
			    !c || !json_object_is_type(c, json_type_int))
				goto out;
			cnt = json_object_get_int64(c);
			if (cnt < 0)
				goto out;
			tok->counter = (uint64_t)cnt;
			tok->has_mac = true;
		}
		/*
		 * PolicyNV on a rollback record of our range, with the token's counter. A
		 * token that has it without a MAC was stripped: parsed, so that unlock
		 * refuses it as tampered (exit 6) rather than as damaged.
		 */
		v = field(o, kind, "policy-nv");
		if (v) {
			const char *h;
			unsigned long idx;

			if (!json_object_is_type(v, json_type_string))
				goto out;
			h = json_object_get_string(v);
			errno = 0;
			idx = strtoul(h, &end, 16);
			if (strncmp(h, "0x", 2) || strlen(h) != 10 || *end || errno ||
			    idx < CVMG_NV_BASE || idx >= CVMG_NV_BASE + CVMG_NV_COUNT)
				goto out;
			if (parse_hex(field(o, kind, "policy-pre-nv"), tok->sealed.pre_nv, 32, &len) ||
			    len != 32)
				goto out;
			tok->sealed.nv_index = (uint32_t)idx;
			tok->sealed.nv_counter = tok->counter;
		}
		if (parse_flag(o, "cvmguard-systemd", &tok->systemd) ||
		    parse_flag(o, "cvmguard-pin", &tok->sealed.pin))
			goto out;
	}
	ret = 0;
out:
	json_object_put(o);
	return ret;
}
