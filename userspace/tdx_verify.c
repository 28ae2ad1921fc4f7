// SPDX-License-Identifier: GPL-2.0-only
/*
 * TD quote evidence for the verifier: the quote's checks, one entry each in the
 * result ("td-quote-pck-chain", "td-quote-qe-report-signature",
 * "td-quote-ak-binding", "td-quote-signature", then with collateral
 * "tdx-collateral", "td-quote-qe-identity", "td-quote-tcb"), its claims under
 * "td_quote", and for an Azure TDX HCL report the match of the quote's TD report
 * body with the HCL report's TDREPORT ("td-quote-tdreport"), which binds the
 * runtime claims (and so the vTPM AK) to Intel-signed evidence.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cvmguard.h"
#include "dcap_collateral.h"
#include "tdx_policy.h"
#include "tdx_quote.h"
#include "tdx_verify.h"

static void add_check(struct tdx_sink *s, const char *name, int ok, const char *detail)
{
	if (vresult_check(s->checks, name, ok, detail))
		s->failed = true;
}

static json_object *quote_claims(const struct tdx_quote *q, const struct tdxq_result *r)
{
	json_object *o = json_object_new_object();
	const struct tdx_quote_body *b = &q->body;

	json_object_object_add(o, "version", json_object_new_int(q->version));
	json_object_object_add(o, "tdx_module", json_object_new_string(
		q->body_type == 3 ? "TDX 1.5" : "TDX 1.0"));
	vresult_hex(o, "tee_tcb_svn", b->tee_tcb_svn, 16);
	vresult_hex(o, "mrseam", b->mrseam, 48);
	vresult_hex(o, "mrsignerseam", b->mrsignerseam, 48);
	vresult_x64(o, "seam_attributes", b->seam_attributes);
	vresult_td(o, b->td_attributes, b->xfam, b->mrtd, b->mrconfigid, b->mrowner,
		   b->mrownerconfig, b->rtmr, b->report_data);
	if (q->body_type == 3) {
		vresult_hex(o, "tee_tcb_svn2", b->tee_tcb_svn2, 16);
		vresult_hex(o, "mrservicetd", b->mrservicetd, 48);
	}
	vresult_hex(o, "fmspc", r->pck.fmspc, 6);
	json_object_object_add(o, "tcb_status", json_object_new_string(r->tcb_status));
	json_object_object_add(o, "advisory_ids", json_object_new_string(r->advisories));
	return o;
}

/* The quote's TD report body against the HCL report's TDREPORT, field by field. */
static bool match_tdreport(const struct tdx_quote_body *b, const struct tdx_report *t,
			   struct tdx_sink *s)
{
	const char *bad = NULL;
	char d[160];
	int i;

	if (memcmp(b->report_data, t->report_data, 64))
		bad = "REPORTDATA";
	else if (memcmp(b->mrtd, t->mrtd, 48))
		bad = "MRTD";
	else if (memcmp(b->mrseam, t->mrseam, 48))
		bad = "MRSEAM";
	else if (b->td_attributes != t->td_attributes)
		bad = "TD attributes";
	else if (b->xfam != t->xfam)
		bad = "XFAM";
	else if (memcmp(b->tee_tcb_svn, t->tee_tcb_svn, 16))
		bad = "TEE_TCB_SVN";
	else if (memcmp(b->mrconfigid, t->mrconfigid, 48) || memcmp(b->mrowner, t->mrowner, 48) ||
		 memcmp(b->mrownerconfig, t->mrownerconfig, 48))
		bad = "MRCONFIGID/MROWNER/MROWNERCONFIG";
	for (i = 0; i < 4 && !bad; i++)
		if (memcmp(b->rtmr[i], t->rtmr[i], 48))
			bad = (const char *const[]){ "RTMR0", "RTMR1", "RTMR2", "RTMR3" }[i];
	if (bad)
		snprintf(d, sizeof(d), "the quote's %s differs from the HCL report's TDREPORT: "
			 "the quote is not for this TD report", bad);
	else
		snprintf(d, sizeof(d), "REPORTDATA, MRTD, RTMR0-3, MRSEAM, TD attributes, XFAM, "
			 "TEE_TCB_SVN, MRCONFIGID, MROWNER(CONFIG) equal the TDREPORT's");
	add_check(s, "td-quote-tdreport", !bad, d);
	return !bad;
}

static void violation(struct tdx_sink *s, const char *name, const char *detail)
{
	struct policy_violations *pv = s->pv;

	if (pv->n == POLICY_MAX_VIOLATIONS)
		return;
	snprintf(pv->v[pv->n].name, sizeof(pv->v[0].name), "%s", name);
	snprintf(pv->v[pv->n].detail, sizeof(pv->v[0].detail), "%s", detail);
	pv->n++;
}

static const struct { enum tdxq_check c; const char *name; } steps[] = {
	{ TDXQ_PCK_CHAIN, "td-quote-pck-chain" },
	{ TDXQ_QE_REPORT_SIG, "td-quote-qe-report-signature" },
	{ TDXQ_AK_BINDING, "td-quote-ak-binding" },
	{ TDXQ_QUOTE_SIG, "td-quote-signature" },
};

/**
 * tdx_evidence_verify() - verify a TD quote and record it in the verifier's result
 * @e: the quote, collateral, root, time, nonce and policy
 * @td: the HCL report's TDREPORT the quote must be for, or NULL for a raw quote
 * @s: the result document; s->failed and s->hw_verified are set here
 *
 * Stale collateral, an unknown TCB (no collateral) and a Revoked or too-low TCB
 * are policy violations ("tdx.tcb_status": exit 2); a signature, chain, QE identity,
 * collateral signature or TDREPORT mismatch is a failed check (exit 1).
 *
 * Return: 0 (see s->failed), -EBADMSG for a malformed quote or collateral, -ENOMEM.
 */
int tdx_evidence_verify(const struct tdx_evidence *e, const struct tdx_report *td,
			struct tdx_sink *s)
{
	struct dcap_collateral col, *colp = NULL;
	struct tdxq_result r;
	struct tdx_quote q;
	enum tdxq_check got;
	X509 *pinned = NULL;
	char d[800];
	size_t i;
	int ret = 0;

	if (!e->quote) {
		add_check(s, "tdx-report-signature", -1, "NOT VERIFIED: a TDREPORT is MAC'ed "
			  "for its CPU, not signed; verifying it offline needs a TD quote "
			  "(--td-quote)");
		json_object_array_add(s->notes, json_object_new_string(
			"the TDX hardware report is not verified offline: the claims, the "
			"quote and the logs are consistent with it, but nothing proves it "
			"came from TDX hardware"));
		return 0;
	}
	if (tdx_quote_parse(e->quote, e->quote_len, &q)) {
		add_check(s, "td-quote", 0, "malformed TD quote (v4/v5, ECDSA P-256, PCK chain)");
		return -EBADMSG;
	}
	if (e->collateral) {
		if (dcap_collateral_parse(e->collateral, e->collateral_len, &col)) {
			dcap_collateral_free(&col);
			add_check(s, "tdx-collateral", 0, "malformed DCAP collateral JSON");
			return -EBADMSG;
		}
		colp = &col;
	}
	if (!e->root && tdx_sgx_root(&pinned)) {
		ret = -ENOMEM;
		goto out;
	}
	got = tdx_quote_verify(e->quote, e->quote_len, e->root ? e->root : pinned, colp,
			       e->now, &r);
	if (got == TDXQ_COLLATERAL)
		add_check(s, "tdx-collateral", 0, r.detail);
	else if (colp)
		add_check(s, "tdx-collateral", 1, "TCB info, QE identity and CRLs verify to the "
			  "root; issuer chains, signatures");
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (got == TDXQ_COLLATERAL) {
			add_check(s, steps[i].name, -1, "not checked: the collateral failed");
			continue;
		}
		if (got == steps[i].c) {
			add_check(s, steps[i].name, 0, r.detail);
			for (i++; i < sizeof(steps) / sizeof(steps[0]); i++)
				add_check(s, steps[i].name, -1, "not checked: an earlier check failed");
			break;
		}
		add_check(s, steps[i].name, 1, "holds");
	}
	if (got == TDXQ_QE_IDENTITY)
		add_check(s, "td-quote-qe-identity", 0, r.detail);
	else if (colp && (got == TDXQ_OK || got == TDXQ_TCB))
		add_check(s, "td-quote-qe-identity", 1, "the QE is the one Intel's QE identity names");
	if (got != TDXQ_OK && got != TDXQ_STALE && got != TDXQ_TCB)
		goto out;
	json_object_object_add(s->claims, "td_quote", quote_claims(&q, &r));
	/*
	 * Hardware-verified: the quote verified to Intel's root and, for an HCL
	 * report, its body is the TDREPORT's (a mismatch is a failed check, exit 1).
	 */
	s->hw_verified = td ? match_tdreport(&q.body, td, s) : true;
	if (!td && e->nonce) {
		bool ok = e->nonce_len <= 64 && !memcmp(q.body.report_data, e->nonce, e->nonce_len);

		add_check(s, "report-data", ok, ok ? "REPORTDATA starts with the nonce"
						   : "REPORTDATA does not start with the nonce");
	}
	if (got == TDXQ_STALE) {
		snprintf(d, sizeof(d), "collateral is stale at the verification time (%s): "
			 "TCB status not established", r.detail);
		violation(s, "tdx.tcb_status", d);
	} else if (got == TDXQ_TCB) {
		snprintf(d, sizeof(d), "TCB: %s", r.detail);
		violation(s, "tdx.tcb_status", d);
	}
	if (got == TDXQ_OK)
		add_check(s, "td-quote-tcb", r.tcb_known ? 1 : -1, r.tcb_known ?
			  (snprintf(d, sizeof(d), "TCB status %s%s%s", r.tcb_status,
				    *r.advisories ? ", advisories " : "", r.advisories), d) :
			  "TCB status unknown: no DCAP collateral (--collateral)");
	/*
	 * Stale or refused TCB is named above: the rest of the policy still applies.
	 * With a TDREPORT the caller appraises the TD's fields on it (the quote's
	 * body equals it), so they are not reported twice.
	 */
	tdx_policy_check(e->policy, td ? NULL : &q.body, got == TDXQ_OK ? r.tcb_status : NULL,
			 s->pv);
out:
	X509_free(pinned);
	if (colp)
		dcap_collateral_free(colp);
	return ret;
}
