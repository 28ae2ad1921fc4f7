// SPDX-License-Identifier: GPL-2.0-only
/*
 * cvmguard doctor's IMDS check: does the instance metadata service answer, and is
 * what it answers good for this machine's fresh report?
 *
 *   SNP: THIM's certification endpoint serves the VCEK chain; it must fit the
 *        report (TCB, chip ID, the report's signature by the VCEK) and end in
 *        AMD's pinned ARK (or the one given with --root): OK. A chain that fits
 *        the report and ends in some other self-signed ARK is a WARN (a test
 *        chain: verifiers refuse it); anything else FAILs.
 *   TDX: /acc/tdquote answers a TD quote for the report's TDREPORT; it must be for
 *        that TDREPORT and verify to Intel's pinned root (or --intel-root): OK; a
 *        quote that verifies only to the root its own PCK chain carries is a
 *        WARN; anything else FAILs.
 *
 * The request is the one attest makes (fetch.c: Metadata: true, no proxy, no
 * redirect, a size cap), inside one time budget, and nothing is cached: doctor
 * reads, it does not fill the certificate cache.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "amd_certs.h"
#include "cvmguard.h"
#include "doctor.h"
#include "fetch.h"
#include "hcl_report.h"
#include "tdx_quote.h"

#define NEXT_REACH "check that this VM reaches 169.254.169.254 (Azure's IMDS; no proxy or " \
		   "firewall rule in the way): attest fetches from it; or run with --offline"
#define NEXT_ANSWER "IMDS answered, with an error: retry later; until it answers, attest " \
		   "fails the same way (exit 8)"
#define NEXT_HOST  "do not trust what this IMDS serves (the host answers it): attest " \
		   "refuses it too; report it"

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

__attribute__((format(printf, 4, 5)))
static void verdict(struct doctor_verdict *v, enum doctor_level lvl, const char *next,
		    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v->detail, sizeof(v->detail), fmt, ap);
	va_end(ap);
	v->level = lvl;
	v->next = next;
}

/* What to do about a request that failed: its answer is wrong, an error, or none. */
static const char *fail_next(int ret, const struct fetch_err *e)
{
	if (ret == -EBADMSG || ret == -EFBIG)
		return NEXT_HOST;
	return e->http ? NEXT_ANSWER : NEXT_REACH;
}

/**
 * doctor_snp_chain_verdict() - judge the VCEK chain IMDS served for a report
 * @o: root (NULL: AMD's, pinned)
 * @r: the fresh report
 * @c: the chain as served (its product is set)
 * @v: receives the verdict; v->url names the endpoint
 */
void doctor_snp_chain_verdict(const struct fetch_opts *o, const struct snp_report *r,
			      struct fetch_chain *c, struct doctor_verdict *v)
{
	struct fetch_opts own = *o;
	const char *why = NULL, *why_own = NULL;

	if (!fetch_chain_check(o, r, c, &why)) {
		verdict(v, DOCTOR_OK, NULL, "%s answered in %lld ms: the %s VCEK chain verifies "
			"the fresh report to %s", v->url, v->ms, snp_product_name(c->product),
			o->root ? "the ARK given with --root" : "AMD's ARK (pinned)");
		return;
	}
	/* Everything but the root holds? Then it is a chain made for a test. */
	own.root = c->ark;
	if (!o->root && c->ark && !fetch_chain_check(&own, r, c, &why_own)) {
		verdict(v, DOCTOR_WARN, "on a real CVM, do not trust this machine's evidence; "
			"with a test paravisor, give its ARK with --root",
			"%s answered in %lld ms: the VCEK chain verifies the fresh report only to "
			"the ARK it came with, which is not AMD's: a test chain (verifiers refuse it)",
			v->url, v->ms);
		return;
	}
	verdict(v, DOCTOR_FAIL, NEXT_HOST, "%s answered in %lld ms, but its VCEK chain does "
		"not fit the fresh report: %s", v->url, v->ms, why ? why : "unknown");
}

/**
 * doctor_imds_snp() - fetch THIM's VCEK chain and judge it against a report
 * @o: imds_url, budget_ms, root
 * @hw: the fresh HCL report's SNP report
 * @len: its length
 * @v: receives the verdict
 */
void doctor_imds_snp(const struct fetch_opts *o, const uint8_t *hw, size_t len,
		     struct doctor_verdict *v)
{
	struct fetch_chain c;
	struct fetch_err e;
	struct snp_report r;
	long long t0 = now_ms();
	int ret;

	memset(v, 0, sizeof(*v));
	snprintf(v->url, sizeof(v->url), "%s%s", o->imds_url, FETCH_THIM_PATH);
	if (snp_report_parse(hw, len, &r)) {
		verdict(v, DOCTOR_FAIL, NEXT_HOST, "the fresh report's SNP report does not "
			"parse: nothing to check %s against", v->url);
		return;
	}
	ret = fetch_thim_chain(o, &r, &c, &e);
	v->ms = now_ms() - t0;
	if (ret)
		verdict(v, DOCTOR_FAIL, fail_next(ret, &e), "%s (after %lld ms)", e.msg, v->ms);
	else
		doctor_snp_chain_verdict(o, &r, &c, v);
	fetch_chain_free(&c);
}

/* The last certificate of the quote's PCK chain, when it is self-signed. */
static X509 *quote_own_root(const uint8_t *quote, size_t len)
{
	X509 *certs[TDX_PCK_CHAIN_MAX] = { NULL }, *root = NULL;
	struct tdx_quote q;
	size_t n = 0, i;

	if (!tdx_quote_parse(quote, len, &q) &&
	    !tdx_pem_chain_parse(q.pck_pem, q.pck_pem_len, true, certs, TDX_PCK_CHAIN_MAX, &n) &&
	    n && X509_check_issued(certs[n - 1], certs[n - 1]) == X509_V_OK) {
		root = certs[n - 1];
		certs[n - 1] = NULL;
	}
	for (i = 0; i < n; i++)
		X509_free(certs[i]);
	return root;
}

/**
 * doctor_td_quote_verdict() - judge the TD quote IMDS served for a TDREPORT
 * @o: intel_root (NULL: Intel's SGX root, pinned)
 * @quote: the quote, already matched to the TDREPORT (fetch_td_quote_unverified())
 * @len: its length
 * @now: the verification time
 * @v: receives the verdict; v->url names the endpoint
 */
void doctor_td_quote_verdict(const struct fetch_opts *o, const uint8_t *quote, size_t len,
			     time_t now, struct doctor_verdict *v)
{
	struct tdxq_result res = { 0 }, own_res = { 0 };
	enum tdxq_check chk = TDXQ_PCK_CHAIN;
	X509 *root = o->intel_root, *own = NULL;

	if (!root && tdx_sgx_root(&root)) {
		verdict(v, DOCTOR_FAIL, NULL, "out of memory");
		return;
	}
	chk = tdx_quote_verify(quote, len, root, NULL, now, &res);
	if (chk == TDXQ_OK) {
		verdict(v, DOCTOR_OK, NULL, "%s answered in %lld ms: the TD quote is for the "
			"fresh TDREPORT and verifies to %s (TCB status: not judged, no "
			"collateral)", v->url, v->ms,
			o->intel_root ? "the root given with --intel-root" : "Intel's SGX root (pinned)");
		goto out;
	}
	/* Everything but the root holds? Then it is a quote signed for a test. */
	if (!o->intel_root && chk == TDXQ_PCK_CHAIN && (own = quote_own_root(quote, len)) &&
	    tdx_quote_verify(quote, len, own, NULL, now, &own_res) == TDXQ_OK) {
		verdict(v, DOCTOR_WARN, "on a real CVM, do not trust this machine's evidence; "
			"with a test IMDS, give its root with --intel-root",
			"%s answered in %lld ms: the TD quote verifies only to the root its own "
			"PCK chain carries, which is not Intel's: a test chain (verifiers refuse it)",
			v->url, v->ms);
		goto out;
	}
	verdict(v, DOCTOR_FAIL, NEXT_HOST, "%s answered in %lld ms, but the TD quote does "
		"not verify: %s: %s", v->url, v->ms, tdxq_check_name(chk), res.detail);
out:
	X509_free(own);
	if (root != o->intel_root)
		X509_free(root);
}

/**
 * doctor_imds_td() - fetch the TD quote for a TDREPORT and judge it
 * @o: imds_url, budget_ms, intel_root
 * @tdreport: the fresh HCL report's TDREPORT
 * @len: its length
 * @v: receives the verdict
 */
void doctor_imds_td(const struct fetch_opts *o, const uint8_t *tdreport, size_t len,
		    struct doctor_verdict *v)
{
	struct fetch_err e;
	uint8_t *quote = NULL;
	size_t qlen = 0;
	long long t0 = now_ms();
	int ret;

	memset(v, 0, sizeof(*v));
	snprintf(v->url, sizeof(v->url), "%s%s", o->imds_url, FETCH_TDQUOTE_PATH);
	if (len < TDX_REPORT_SIZE) {
		verdict(v, DOCTOR_FAIL, NEXT_HOST, "the fresh report's TDREPORT is short: "
			"nothing to ask %s for", v->url);
		return;
	}
	ret = fetch_td_quote_unverified(o, tdreport, &quote, &qlen, &e);
	v->ms = now_ms() - t0;
	if (ret)
		verdict(v, DOCTOR_FAIL, fail_next(ret, &e), "%s (after %lld ms)", e.msg, v->ms);
	else
		doctor_td_quote_verdict(o, quote, qlen, time(NULL), v);
	free(quote);
}
