// SPDX-License-Identifier: GPL-2.0-only
/*
 * DCAP collateral (shape in dcap_collateral.h): parsing, verification of each item
 * to the pinned root, and the TCB evaluation of a verified quote, following Intel's
 * QVL and dcap-qvl: the first TCB level whose SGX components and PCESVN the PCK
 * certificate meets and whose TDX components TEE_TCB_SVN meets gives the platform
 * status; the QE identity's first level at or below the QE's ISVSVN, and the TDX
 * module identity's, are merged in (the worse status wins, advisory IDs are joined).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "cvmguard.h"
#include "tdx_quote.h"
#include "dcap_collateral.h"

/**
 * cvmg_parse_rfc3339() - parse "YYYY-MM-DDTHH:MM:SSZ" (UTC, optional fraction)
 * @s: the text
 * @out: seconds since the epoch
 *
 * Return: 0 or -EINVAL.
 */
int cvmg_parse_rfc3339(const char *s, time_t *out)
{
	struct tm tm = { 0 };
	const char *p;
	time_t t;

	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return -EINVAL;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -EINVAL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (strcmp(p, "Z") && strcmp(p, "+00:00"))
		return -EINVAL;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -EINVAL;
	*out = t;
	return 0;
}

static json_object *get(json_object *o, const char *key, json_type type)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, type))
		return NULL;
	return v;
}

static const char *get_str(json_object *o, const char *key)
{
	json_object *v = get(o, key, json_type_string);

	return v ? json_object_get_string(v) : NULL;
}

static int get_uint(json_object *o, const char *key, unsigned int max, unsigned int *out)
{
	json_object *v = get(o, key, json_type_int);
	int64_t x;

	if (!v)
		return -EBADMSG;
	x = json_object_get_int64(v);
	if (x < 0 || x > max)
		return -EBADMSG;
	*out = (unsigned int)x;
	return 0;
}

static int get_hex(json_object *o, const char *key, uint8_t *out, size_t n)
{
	const char *s = get_str(o, key);
	size_t w;

	if (!s || strlen(s) != 2 * n || cvmg_hex_decode(s, out, n, &w) || w != n)
		return -EBADMSG;
	return 0;
}

static int get_time(json_object *o, const char *key, time_t *out)
{
	const char *s = get_str(o, key);

	return s ? cvmg_parse_rfc3339(s, out) : -EBADMSG;
}

static int get_pem(json_object *o, const char *key, X509 **certs, size_t *n)
{
	const char *s = get_str(o, key);

	return s ? tdx_pem_chain_parse((const uint8_t *)s, strlen(s), false, certs,
				       TDX_PCK_CHAIN_MAX, n) : -EBADMSG;
}

static int get_crl(json_object *o, const char *key, X509_CRL **out)
{
	const char *s = get_str(o, key);
	const unsigned char *p;
	size_t l, w;
	uint8_t *der;
	int ret = -EBADMSG;

	if (!s || !(l = strlen(s)) || l % 2)
		return -EBADMSG;
	der = malloc(l / 2);
	if (!der)
		return -ENOMEM;
	if (!cvmg_hex_decode(s, der, l / 2, &w) && w == l / 2) {
		p = der;
		*out = d2i_X509_CRL(NULL, &p, (long)w);
		if (*out && p == der + w)
			ret = 0;
	}
	free(der);
	return ret;
}

static int get_advisories(json_object *lv, char *out, size_t n)
{
	json_object *a, *e;
	size_t i, used = 0;
	int k;

	out[0] = '\0';
	if (!json_object_object_get_ex(lv, "advisoryIDs", &a))
		return 0;
	if (!json_object_is_type(a, json_type_array))
		return -EBADMSG;
	for (i = 0; i < json_object_array_length(a); i++) {
		e = json_object_array_get_idx(a, i);
		if (!json_object_is_type(e, json_type_string))
			return -EBADMSG;
		k = snprintf(out + used, n - used, "%s%s", used ? "," : "",
			     json_object_get_string(e));
		if (k < 0 || (size_t)k >= n - used)
			return -EBADMSG;
		used += (size_t)k;
	}
	return 0;
}

static int get_components(json_object *tcb, const char *key, uint8_t out[16])
{
	json_object *a = get(tcb, key, json_type_array);
	unsigned int svn;
	size_t i;

	if (!a || json_object_array_length(a) != 16)
		return -EBADMSG;
	for (i = 0; i < 16; i++) {
		if (get_uint(json_object_array_get_idx(a, i), "svn", 255, &svn))
			return -EBADMSG;
		out[i] = (uint8_t)svn;
	}
	return 0;
}

/* "tcbLevels": platform levels (sgx/tdx components) or isvsvn levels. */
static int get_levels(json_object *o, bool platform, struct dcap_level *lv, size_t *n)
{
	json_object *a = get(o, "tcbLevels", json_type_array), *e, *tcb;
	const char *st;
	unsigned int x;
	size_t i;

	if (!a || !json_object_array_length(a) || json_object_array_length(a) > DCAP_MAX_LEVELS)
		return -EBADMSG;
	*n = json_object_array_length(a);
	for (i = 0; i < *n; i++) {
		e = json_object_array_get_idx(a, i);
		tcb = get(e, "tcb", json_type_object);
		st = get_str(e, "tcbStatus");
		if (!tcb || !st || strlen(st) >= sizeof(lv[i].status) ||
		    get_advisories(e, lv[i].advisories, sizeof(lv[i].advisories)))
			return -EBADMSG;
		strcpy(lv[i].status, st);
		if (platform) {
			if (get_components(tcb, "sgxtcbcomponents", lv[i].sgx) ||
			    get_components(tcb, "tdxtcbcomponents", lv[i].tdx) ||
			    get_uint(tcb, "pcesvn", 0xffff, &x))
				return -EBADMSG;
			lv[i].pcesvn = (uint16_t)x;
		} else {
			if (get_uint(tcb, "isvsvn", 0xffff, &x))
				return -EBADMSG;
			lv[i].isvsvn = (uint16_t)x;
		}
	}
	return 0;
}

static int get_u64_hex(json_object *o, const char *key, uint64_t *out)
{
	uint8_t b[8];
	int i;

	if (get_hex(o, key, b, 8))
		return -EBADMSG;
	/* written as the bytes of the little-endian field */
	for (*out = 0, i = 7; i >= 0; i--)
		*out = *out << 8 | b[i];
	return 0;
}

static int parse_modules(json_object *ti, struct dcap_collateral *c)
{
	json_object *m = get(ti, "tdxModule", json_type_object), *a, *e;
	const char *id;
	unsigned int minor;
	size_t i;

	if (!m)
		return -EBADMSG;
	c->has_module = true;
	if (get_hex(m, "mrsigner", c->module_mrsigner, 48) ||
	    get_u64_hex(m, "attributes", &c->module_attributes) ||
	    get_u64_hex(m, "attributesMask", &c->module_attributes_mask))
		return -EBADMSG;
	if (!json_object_object_get_ex(ti, "tdxModuleIdentities", &a))
		return 0;
	if (!json_object_is_type(a, json_type_array) || json_object_array_length(a) > DCAP_MAX_MODULES)
		return -EBADMSG;
	c->nmodules = json_object_array_length(a);
	for (i = 0; i < c->nmodules; i++) {
		struct dcap_module *d = &c->modules[i];

		e = json_object_array_get_idx(a, i);
		id = get_str(e, "id");
		if (!id || strlen(id) != 6 || strncmp(id, "TDX_", 4) ||
		    sscanf(id + 4, "%2x", &minor) != 1 ||
		    get_hex(e, "mrsigner", d->mrsigner, 48) ||
		    get_u64_hex(e, "attributes", &d->attributes) ||
		    get_u64_hex(e, "attributesMask", &d->attributes_mask) ||
		    get_levels(e, false, d->levels, &d->nlevels))
			return -EBADMSG;
		d->minor = (uint8_t)minor;
	}
	return 0;
}

static int parse_tcb_info(struct dcap_collateral *c)
{
	json_object *ti = json_tokener_parse(c->tcb_info);
	const char *id;
	unsigned int v;
	int ret = -EBADMSG;

	if (!ti || !json_object_is_type(ti, json_type_object))
		goto out;
	id = get_str(ti, "id");
	if (!id || strlen(id) >= sizeof(c->tcb_id) || get_uint(ti, "version", 100, &v) ||
	    get_time(ti, "issueDate", &c->tcb_issue) || get_time(ti, "nextUpdate", &c->tcb_next) ||
	    get_hex(ti, "fmspc", c->fmspc, 6) || get_hex(ti, "pceId", c->pceid, 2) ||
	    get_levels(ti, true, c->levels, &c->nlevels))
		goto out;
	strcpy(c->tcb_id, id);
	c->tcb_version = (int)v;
	if (strcmp(id, "TDX") || v != 3 || parse_modules(ti, c))
		goto out;
	ret = 0;
out:
	json_object_put(ti);
	return ret;
}

static int parse_qe_identity(struct dcap_collateral *c)
{
	json_object *qi = json_tokener_parse(c->qe_identity);
	uint8_t b[4];
	const char *id;
	unsigned int v, prod;
	int ret = -EBADMSG;

	if (!qi || !json_object_is_type(qi, json_type_object))
		goto out;
	id = get_str(qi, "id");
	if (!id || strlen(id) >= sizeof(c->qe_id) || get_uint(qi, "version", 100, &v) ||
	    get_time(qi, "issueDate", &c->qe_issue) || get_time(qi, "nextUpdate", &c->qe_next) ||
	    get_hex(qi, "mrsigner", c->mrsigner, 32) || get_uint(qi, "isvprodid", 0xffff, &prod) ||
	    get_hex(qi, "attributes", c->attributes, 16) ||
	    get_hex(qi, "attributesMask", c->attributes_mask, 16) ||
	    get_levels(qi, false, c->qe_levels, &c->nqe_levels))
		goto out;
	if (get_hex(qi, "miscselect", b, 4))
		goto out;
	c->miscselect = (uint32_t)b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
	if (get_hex(qi, "miscselectMask", b, 4))
		goto out;
	c->miscselect_mask = (uint32_t)b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
	strcpy(c->qe_id, id);
	c->qe_version = (int)v;
	c->isvprodid = (uint16_t)prod;
	if (strcmp(id, "TD_QE") || (v != 2 && v != 3))
		goto out;
	ret = 0;
out:
	json_object_put(qi);
	return ret;
}

/**
 * dcap_collateral_parse() - parse collateral JSON (nothing is verified yet)
 * @json: the document
 * @len: its length
 * @c: filled in; free with dcap_collateral_free() whatever the result
 *
 * Return: 0, -EBADMSG (a field missing or of the wrong shape) or -ENOMEM.
 */
int dcap_collateral_parse(const uint8_t *json, size_t len, struct dcap_collateral *c)
{
	json_tokener *tok = json_tokener_new();
	json_object *root = NULL;
	const char *s;
	int ret = -EBADMSG;

	memset(c, 0, sizeof(*c));
	if (!tok)
		return -ENOMEM;
	if (len > INT32_MAX)
		goto out;
	root = json_tokener_parse_ex(tok, (const char *)json, (int)len);
	if (!root || json_tokener_get_error(tok) != json_tokener_success ||
	    tok->char_offset != (int)len || !json_object_is_type(root, json_type_object))
		goto out;
	if (get_pem(root, "tcb_info_issuer_chain", c->tcb_chain, &c->ntcb_chain) ||
	    get_pem(root, "qe_identity_issuer_chain", c->qe_chain, &c->nqe_chain) ||
	    get_pem(root, "pck_crl_issuer_chain", c->crl_chain, &c->ncrl_chain) ||
	    get_crl(root, "root_ca_crl", &c->root_crl) || get_crl(root, "pck_crl", &c->pck_crl) ||
	    get_hex(root, "tcb_info_signature", c->tcb_sig, 64) ||
	    get_hex(root, "qe_identity_signature", c->qe_sig, 64))
		goto out;
	s = get_str(root, "tcb_info");
	if (!s || !(c->tcb_info = strdup(s)))
		goto out;
	s = get_str(root, "qe_identity");
	if (!s || !(c->qe_identity = strdup(s)))
		goto out;
	if (parse_tcb_info(c) || parse_qe_identity(c))
		goto out;
	ret = 0;
out:
	json_object_put(root);
	json_tokener_free(tok);
	return ret;
}

/**
 * dcap_collateral_free() - release what dcap_collateral_parse() allocated
 * @c: the collateral
 */
void dcap_collateral_free(struct dcap_collateral *c)
{
	size_t i;

	for (i = 0; i < TDX_PCK_CHAIN_MAX; i++) {
		X509_free(c->tcb_chain[i]);
		X509_free(c->qe_chain[i]);
		X509_free(c->crl_chain[i]);
	}
	X509_CRL_free(c->root_crl);
	X509_CRL_free(c->pck_crl);
	free(c->tcb_info);
	free(c->qe_identity);
	memset(c, 0, sizeof(*c));
}

/**
 * dcap_crls() - the root CA CRL and PCK CRL, for X509_verify_cert()
 * @c: the collateral
 *
 * Return: a new stack (free with sk_X509_CRL_pop_free()), or NULL.
 */
STACK_OF(X509_CRL) *dcap_crls(const struct dcap_collateral *c)
{
	STACK_OF(X509_CRL) *sk = sk_X509_CRL_new_null();

	if (!sk || !X509_CRL_up_ref(c->root_crl) || !sk_X509_CRL_push(sk, c->root_crl))
		goto err;
	if (!X509_CRL_up_ref(c->pck_crl) || !sk_X509_CRL_push(sk, c->pck_crl))
		goto err;
	return sk;
err:
	sk_X509_CRL_pop_free(sk, X509_CRL_free);
	return NULL;
}

static int verify_sig(X509 *signer, const char *msg, const uint8_t sig[64])
{
	return tdx_verify_p256(X509_get0_pubkey(signer), (const uint8_t *)msg, strlen(msg), sig);
}

static bool in_window(time_t now, time_t from, time_t to)
{
	return now >= from && now <= to;
}

/*
 * A chain checked with the CRLs at @now; when the fault is one of time (a CRL or
 * certificate outside its window), checked again for signatures alone so a forged
 * chain still fails, and *stale is set.
 */
static int chain_ok(X509 *const *certs, size_t n, X509 *root, STACK_OF(X509_CRL) *crls,
		    time_t now, char *detail, size_t dlen, bool *stale)
{
	bool st;

	if (!tdx_verify_chain((X509 **)certs, n, root, crls, now, detail, dlen, &st))
		return 0;
	if (!st || tdx_verify_chain((X509 **)certs, n, root, NULL, 0, detail, dlen, &st))
		return -EKEYREJECTED;
	*stale = true;
	return 0;
}

/**
 * dcap_collateral_verify() - verify every collateral item at @now
 * @c: parsed collateral
 * @root: the trusted root
 * @now: verification time
 * @detail: the reason on failure
 * @dlen: size of @detail
 *
 * Checks the issuer chains (with the CRLs), the TCB info and QE identity signatures,
 * the CRLs' signatures, and then, on authenticated data only, that every item is
 * inside its validity window (TDXQ_STALE otherwise, only once every signature held).
 *
 * Return: TDXQ_OK, TDXQ_COLLATERAL or TDXQ_STALE.
 */
enum tdxq_check dcap_collateral_verify(const struct dcap_collateral *c, X509 *root,
				       time_t now, char *detail, size_t dlen)
{
	STACK_OF(X509_CRL) *crls = dcap_crls(c);
	enum tdxq_check ret = TDXQ_COLLATERAL;
	bool stale = false;
	const ASN1_TIME *nu;

	if (!crls) {
		snprintf(detail, dlen, "collateral: out of memory");
		return ret;
	}
	if (chain_ok(c->tcb_chain, c->ntcb_chain, root, crls, now, detail, dlen, &stale))
		goto out;
	if (verify_sig(c->tcb_chain[0], c->tcb_info, c->tcb_sig)) {
		snprintf(detail, dlen, "TCB info signature does not verify with its issuer");
		goto out;
	}
	if (chain_ok(c->qe_chain, c->nqe_chain, root, crls, now, detail, dlen, &stale))
		goto out;
	if (verify_sig(c->qe_chain[0], c->qe_identity, c->qe_sig)) {
		snprintf(detail, dlen, "QE identity signature does not verify with its issuer");
		goto out;
	}
	/* The PCK CRL's issuer chain: its leaf must be the CRL's signer. */
	if (chain_ok(c->crl_chain, c->ncrl_chain, root, crls, now, detail, dlen, &stale))
		goto out;
	if (X509_CRL_verify(c->pck_crl, X509_get0_pubkey(c->crl_chain[0])) != 1 ||
	    X509_CRL_verify(c->root_crl, X509_get0_pubkey(root)) != 1) {
		snprintf(detail, dlen, "a CRL's signature does not verify with its issuer");
		goto out;
	}
	if (!in_window(now, c->tcb_issue, c->tcb_next)) {
		snprintf(detail, dlen, "TCB info is stale: valid only inside its issueDate/nextUpdate window");
		ret = TDXQ_STALE;
		goto out;
	}
	if (!in_window(now, c->qe_issue, c->qe_next)) {
		snprintf(detail, dlen, "QE identity is stale: valid only inside its issueDate/nextUpdate window");
		ret = TDXQ_STALE;
		goto out;
	}
	if (stale) {
		snprintf(detail, dlen, "a CRL or issuer certificate is outside its validity window");
		ret = TDXQ_STALE;
		goto out;
	}
	/* The CRLs' own windows: a CRL with no nextUpdate is refused. */
	nu = X509_CRL_get0_nextUpdate(c->root_crl);
	if (!nu || X509_cmp_time(X509_CRL_get0_lastUpdate(c->root_crl), &now) > 0 ||
	    X509_cmp_time(nu, &now) < 0) {
		snprintf(detail, dlen, "root CA CRL is stale");
		ret = TDXQ_STALE;
		goto out;
	}
	nu = X509_CRL_get0_nextUpdate(c->pck_crl);
	if (!nu || X509_cmp_time(X509_CRL_get0_lastUpdate(c->pck_crl), &now) > 0 ||
	    X509_cmp_time(nu, &now) < 0) {
		snprintf(detail, dlen, "PCK CRL is stale");
		ret = TDXQ_STALE;
		goto out;
	}
	ret = TDXQ_OK;
out:
	ERR_clear_error();
	sk_X509_CRL_pop_free(crls, X509_CRL_free);
	return ret;
}

static int severity(const char *s)
{
	static const char *const order[] = {
		"UpToDate", "SWHardeningNeeded", "ConfigurationNeeded",
		"ConfigurationAndSWHardeningNeeded", "OutOfDate", "OutOfDateConfigurationNeeded",
		"Revoked",
	};
	size_t i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (!strcmp(s, order[i]))
			return (int)i;
	return 100;
}

static void merge(struct tdxq_result *res, const struct dcap_level *lv)
{
	char buf[sizeof(res->advisories)];
	char *tok, *save = NULL;

	if (severity(lv->status) > severity(res->tcb_status))
		snprintf(res->tcb_status, sizeof(res->tcb_status), "%s", lv->status);
	snprintf(buf, sizeof(buf), "%s", lv->advisories);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t used = strlen(res->advisories);

		if (strstr(res->advisories, tok))
			continue;
		snprintf(res->advisories + used, sizeof(res->advisories) - used, "%s%s",
			 used ? "," : "", tok);
	}
}

static const struct dcap_level *isvsvn_level(const struct dcap_level *lv, size_t n,
					     uint16_t isvsvn)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (isvsvn >= lv[i].isvsvn)
			return &lv[i];
	return NULL;
}

static enum tdxq_check tcb_fail(struct tdxq_result *res, enum tdxq_check c, const char *msg)
{
	res->failed = c;
	snprintf(res->detail, sizeof(res->detail), "%s", msg);
	return c;
}

/**
 * dcap_evaluate() - the QE identity match and TCB status of a verified quote
 * @c: verified collateral
 * @q: the quote, its signatures and PCK chain verified
 * @pck: the PCK certificate's SGX extension
 * @res: tcb_status, advisories (and failed/detail on failure)
 *
 * Return: TDXQ_OK; TDXQ_QE_IDENTITY when the QE is not the one the identity names;
 * TDXQ_COLLATERAL when the TCB info is for another platform; TDXQ_TCB when no level
 * matches, or the status is Revoked or not one Intel defines.
 */
enum tdxq_check dcap_evaluate(const struct dcap_collateral *c, const struct tdx_quote *q,
			      const struct tdx_pck_ext *pck, struct tdxq_result *res)
{
	const struct dcap_level *lv = NULL, *qlv;
	const struct dcap_module *mod = NULL;
	uint8_t minor = q->body.tee_tcb_svn[1];
	size_t i, k;
	int j;

	if (memcmp(q->qe.mrsigner, c->mrsigner, 32) || q->qe.isvprodid != c->isvprodid ||
	    (q->qe.miscselect & c->miscselect_mask) != (c->miscselect & c->miscselect_mask))
		return tcb_fail(res, TDXQ_QE_IDENTITY, "QE report MRSIGNER, ISVPRODID or "
				"MISCSELECT differs from the QE identity");
	for (j = 0; j < 16; j++)
		if ((q->qe.attributes[j] & c->attributes_mask[j]) !=
		    (c->attributes[j] & c->attributes_mask[j]))
			return tcb_fail(res, TDXQ_QE_IDENTITY, "QE report ATTRIBUTES differ from "
					"the QE identity");
	if (q->qe.attributes[0] & 0x02)
		return tcb_fail(res, TDXQ_QE_IDENTITY, "the QE is a debug enclave");
	qlv = isvsvn_level(c->qe_levels, c->nqe_levels, q->qe.isvsvn);
	if (!qlv)
		return tcb_fail(res, TDXQ_TCB, "QE ISVSVN is below every QE identity TCB level");
	if (memcmp(pck->fmspc, c->fmspc, 6) || memcmp(pck->pceid, c->pceid, 2))
		return tcb_fail(res, TDXQ_COLLATERAL, "TCB info is for another platform "
				"(FMSPC or PCE-ID differs from the PCK certificate)");
	if (c->has_module && (memcmp(q->body.mrsignerseam, c->module_mrsigner, 48) ||
			      (q->body.seam_attributes & c->module_attributes_mask) !=
			      c->module_attributes))
		return tcb_fail(res, TDXQ_TCB, "MRSIGNERSEAM or SEAM attributes differ from "
				"the TCB info's TDX module");
	for (i = 0; i < c->nlevels && !lv; i++) {
		if (pck->pcesvn < c->levels[i].pcesvn)
			continue;
		for (k = 0; k < 16; k++)
			if (pck->cpusvn[k] < c->levels[i].sgx[k] ||
			    q->body.tee_tcb_svn[k] < c->levels[i].tdx[k])
				break;
		if (k == 16)
			lv = &c->levels[i];
	}
	if (!lv)
		return tcb_fail(res, TDXQ_TCB, "no TCB level matches the platform's SVNs");
	snprintf(res->tcb_status, sizeof(res->tcb_status), "%s", lv->status);
	snprintf(res->advisories, sizeof(res->advisories), "%s", lv->advisories);
	merge(res, qlv);
	if (minor) {
		for (i = 0; i < c->nmodules; i++)
			if (c->modules[i].minor == minor)
				mod = &c->modules[i];
		if (!mod || memcmp(q->body.mrsignerseam, mod->mrsigner, 48) ||
		    (q->body.seam_attributes & mod->attributes_mask) != mod->attributes)
			return tcb_fail(res, TDXQ_TCB, "no TDX module identity matches the "
					"quote's module");
		lv = isvsvn_level(mod->levels, mod->nlevels, q->body.tee_tcb_svn[0]);
		if (!lv)
			return tcb_fail(res, TDXQ_TCB, "TDX module SVN is below every level");
		merge(res, lv);
	}
	res->tcb_known = true;
	if (severity(res->tcb_status) >= severity("Revoked"))
		return tcb_fail(res, TDXQ_TCB, "TCB status is Revoked or not one Intel defines");
	return TDXQ_OK;
}
