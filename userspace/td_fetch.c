// SPDX-License-Identifier: GPL-2.0-only
/*
 * A TD quote for a TDREPORT from the Azure IMDS quote endpoint, as an Azure TDX
 * guest gets one (Azure's az-cvm-vtpm and Constellation do the same):
 *
 *   POST http://169.254.169.254/acc/tdquote
 *        {"report": base64url(TDREPORT, 1024 bytes, no padding)}
 *   200  {"quote": base64url(TD quote)}
 *
 * The host answers, so the answer is checked before it is used: it must parse as
 * a TD quote, its TD report body must be the TDREPORT posted (REPORTDATA, MRTD,
 * RTMR0-3, MRSEAM, TD attributes, XFAM, TEE_TCB_SVN, MRCONFIGID, MROWNER,
 * MROWNERCONFIG), and its signatures and PCK chain must verify to Intel's pinned
 * SGX root (or --intel-root). A quote belongs to one TDREPORT: it is not cached.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "cvmguard.h"
#include "fetch.h"
#include "hcl_report.h"
#include "tdx_quote.h"

#define QUOTE_MAX	(64u << 10)

static char *b64url_encode(const uint8_t *in, size_t len)
{
	char *out = malloc(4 * ((len + 2) / 3) + 1), *p;

	if (!out)
		return NULL;
	EVP_EncodeBlock((unsigned char *)out, in, (int)len);
	for (p = out; *p; p++)
		*p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
	while (p > out && p[-1] == '=')
		*--p = 0;
	return out;
}

/* base64url, padded or not; standard base64 is refused (the endpoint's is url). */
static int b64url_decode(const char *in, uint8_t **out, size_t *len)
{
	size_t n = strlen(in), i, pad;
	char *s;
	int got;

	while (n && in[n - 1] == '=')
		n--;
	if (!n || n % 4 == 1 || n > 4 * (QUOTE_MAX / 3))
		return -EBADMSG;
	pad = (4 - n % 4) % 4;
	s = malloc(n + pad + 1);
	*out = malloc(3 * ((n + pad) / 4) + 1);
	if (!s || !*out) {
		free(s);
		free(*out);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		char c = in[i];

		if (c == '+' || c == '/' || c == '=')
			goto bad;
		s[i] = c == '-' ? '+' : c == '_' ? '/' : c;
	}
	memset(s + n, '=', pad);
	s[n + pad] = 0;
	got = EVP_DecodeBlock(*out, (unsigned char *)s, (int)(n + pad));
	if (got < 0)
		goto bad;
	*len = (size_t)got - pad;
	free(s);
	return 0;
bad:
	free(s);
	free(*out);
	*out = NULL;
	return -EBADMSG;
}

/* The quote's body against the TDREPORT posted: NULL, or the field that differs. */
static const char *body_mismatch(const struct tdx_quote_body *b, const struct tdx_report *t)
{
	static const char *const rtmr[] = { "RTMR0", "RTMR1", "RTMR2", "RTMR3" };
	int i;

	if (memcmp(b->report_data, t->report_data, 64))
		return "REPORTDATA";
	if (memcmp(b->mrtd, t->mrtd, 48))
		return "MRTD";
	for (i = 0; i < 4; i++)
		if (memcmp(b->rtmr[i], t->rtmr[i], 48))
			return rtmr[i];
	if (memcmp(b->mrseam, t->mrseam, 48))
		return "MRSEAM";
	if (b->td_attributes != t->td_attributes)
		return "TD attributes";
	if (b->xfam != t->xfam)
		return "XFAM";
	if (memcmp(b->tee_tcb_svn, t->tee_tcb_svn, 16))
		return "TEE_TCB_SVN";
	if (memcmp(b->mrconfigid, t->mrconfigid, 48) || memcmp(b->mrowner, t->mrowner, 48) ||
	    memcmp(b->mrownerconfig, t->mrownerconfig, 48))
		return "MRCONFIGID/MROWNER/MROWNERCONFIG";
	return NULL;
}

/* {"quote": "..."}: one object, nothing after it. */
static int parse_answer(const uint8_t *body, size_t len, uint8_t **quote, size_t *qlen)
{
	struct json_tokener *tok = json_tokener_new();
	json_object *o = NULL, *v;
	int ret = -EBADMSG;

	if (!tok)
		return -ENOMEM;
	if (len && strlen((const char *)body) == len)
		o = json_tokener_parse_ex(tok, (const char *)body, (int)len);
	if (o && json_object_is_type(o, json_type_object) &&
	    strspn((const char *)body + json_tokener_get_parse_end(tok), " \t\r\n") ==
	    len - json_tokener_get_parse_end(tok) &&
	    json_object_object_get_ex(o, "quote", &v) && json_object_is_type(v, json_type_string))
		ret = b64url_decode(json_object_get_string(v), quote, qlen);
	json_object_put(o);
	json_tokener_free(tok);
	return ret;
}

/**
 * fetch_td_quote_unverified() - the TD quote IMDS gives for a TDREPORT, checked to
 * be for that TDREPORT but not yet to any root
 * @o: the options (imds_url, budget_ms, offline)
 * @tdreport: the TDREPORT, TDX_REPORT_SIZE bytes (the HCL report's hardware report)
 * @quote: receives the quote (the caller frees)
 * @len: receives its length
 * @e: receives what went wrong, with the URL
 *
 * Not to be believed before tdx_quote_verify() accepts it: fetch_td_quote() does
 * that, `cvmguard doctor` says which root it verifies to.
 *
 * Return: 0; -ENOENT when --offline; -EFBIG, -EIO for a failed request; -EBADMSG
 * for an answer that does not parse or is not for this TDREPORT; -ENOMEM.
 */
int fetch_td_quote_unverified(const struct fetch_opts *o, const uint8_t *tdreport,
			      uint8_t **quote, size_t *len, struct fetch_err *e)
{
	char url[512], *b64 = NULL, *req = NULL;
	struct tdx_report td;
	struct tdx_quote q;
	uint8_t *body = NULL;
	const char *bad;
	size_t blen;
	int ret;

	*quote = NULL;
	memset(e, 0, sizeof(*e));
	snprintf(url, sizeof(url), "%s%s", o->imds_url, FETCH_TDQUOTE_PATH);
	if (tdx_report_parse(tdreport, TDX_REPORT_SIZE, &td)) {
		snprintf(e->msg, sizeof(e->msg), "not a TDREPORT: nothing to ask %s for", url);
		return -EBADMSG;
	}
	if (o->offline) {
		snprintf(e->msg, sizeof(e->msg), "a TD quote comes only from %s, and --offline", url);
		return -ENOENT;
	}
	b64 = b64url_encode(tdreport, TDX_REPORT_SIZE);
	if (!b64 || asprintf(&req, "{\"report\":\"%s\"}", b64) < 0) {
		req = NULL;
		ret = -ENOMEM;
		goto out;
	}
	ret = fetch_http(url, req, true, o->budget_ms, &body, &blen, e);
	if (ret)
		goto out;
	ret = parse_answer(body, blen, quote, len);
	if (ret) {
		snprintf(e->msg, sizeof(e->msg), "%s: HTTP 200, but not {\"quote\": base64url}", url);
		goto out;
	}
	ret = -EBADMSG;
	if (tdx_quote_parse(*quote, *len, &q)) {
		snprintf(e->msg, sizeof(e->msg), "%s: HTTP 200, but the quote does not parse", url);
		goto out;
	}
	bad = body_mismatch(&q.body, &td);
	if (bad) {
		snprintf(e->msg, sizeof(e->msg), "%s: the quote is not for the TDREPORT posted: "
			 "its %s differs", url, bad);
		goto out;
	}
	ret = 0;
out:
	if (ret) {
		free(*quote);
		*quote = NULL;
	}
	free(body);
	free(req);
	free(b64);
	return ret;
}

/**
 * fetch_td_quote() - the TD quote for a TDREPORT, from IMDS, checked
 * @o: the options (imds_url, budget_ms, offline, intel_root)
 * @tdreport: the TDREPORT, TDX_REPORT_SIZE bytes (the HCL report's hardware report)
 * @quote: receives the quote (the caller frees)
 * @len: receives its length
 * @e: receives what went wrong, with the URL
 *
 * Return: 0; -ENOENT when --offline; -EFBIG, -EIO for a failed request; -EBADMSG
 * for an answer that does not parse, is not for this TDREPORT or does not verify
 * to the root; -ENOMEM.
 */
int fetch_td_quote(const struct fetch_opts *o, const uint8_t *tdreport, uint8_t **quote,
		   size_t *len, struct fetch_err *e)
{
	struct tdxq_result res = { 0 };
	enum tdxq_check chk;
	X509 *root = o->intel_root;
	int ret;

	ret = fetch_td_quote_unverified(o, tdreport, quote, len, e);
	if (ret)
		return ret;
	if (!root && tdx_sgx_root(&root)) {
		ret = -ENOMEM;
		goto out;
	}
	chk = tdx_quote_verify(*quote, *len, root, NULL, time(NULL), &res);
	if (root != o->intel_root)
		X509_free(root);
	if (chk != TDXQ_OK) {
		snprintf(e->msg, sizeof(e->msg), "%s%s: the quote does not verify: %s: %s",
			 o->imds_url, FETCH_TDQUOTE_PATH, tdxq_check_name(chk), res.detail);
		ret = -EBADMSG;
	}
out:
	if (ret) {
		free(*quote);
		*quote = NULL;
	}
	return ret;
}
