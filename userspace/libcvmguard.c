// SPDX-License-Identifier: GPL-2.0-only
/*
 * libcvmguard: the public API (libcvmguard.h) over the helper's own code.
 *
 * This file only wraps: evidence and extends go through device.c's ioctls, the
 * log through its netlink dump, verification through verifier_run() with the
 * same inputs `cvmguard verify` builds from its command line. The result is the
 * verifier's JSON document, with the fields a relying party needs copied out.
 *
 * Only the functions marked CVMG_EXPORT leave the shared object (the objects are
 * built with -fvisibility=hidden and linked with libcvmguard.map); nothing here
 * prints or exits (tests/lib/run checks the shared object's imports).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <openssl/pem.h>

#include "amd_certs.h"
#include "cvmguard.h"
#include "device.h"
#include "libcvmguard.h"
#include "measure.h"
#include "verifier.h"

#define CVMG_EXPORT __attribute__((visibility("default")))
#define LIB_MAX_CERTS 8

#ifndef CVMGUARD_VERSION
#define CVMGUARD_VERSION "unknown"
#endif

_Static_assert(CVMG_REPORT_SNP == CVMGUARD_REPORT_SNP, "report type");
_Static_assert(CVMG_REPORT_TDX == CVMGUARD_REPORT_TDX, "report type");
_Static_assert(CVMG_EVIDENCE_BUNDLE == (int)VERIFIER_BUNDLE, "evidence kinds");
_Static_assert(CVMG_EVIDENCE_TD_QUOTE == (int)VERIFIER_TD_QUOTE, "evidence kinds");
_Static_assert(CVMG_USER_DATA_LEN == CVMGUARD_USER_DATA_LEN, "user data");

struct cvmg_ctx {
	int fd;		/* /dev/cvmguard, opened on first use; -1 before */
};

CVMG_EXPORT int cvmg_open(struct cvmg_ctx **ctx, unsigned int flags)
{
	struct cvmg_ctx *c;

	if (!ctx)
		return -EINVAL;
	*ctx = NULL;
	if (flags)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->fd = -1;
	*ctx = c;
	return 0;
}

CVMG_EXPORT void cvmg_close(struct cvmg_ctx *ctx)
{
	if (!ctx)
		return;
	if (ctx->fd >= 0)
		close(ctx->fd);
	free(ctx);
}

CVMG_EXPORT const char *cvmg_version(void)
{
	return CVMGUARD_VERSION;
}

static int ctx_fd(struct cvmg_ctx *ctx)
{
	if (ctx->fd < 0)
		ctx->fd = cvmg_dev_open();
	return ctx->fd;
}

CVMG_EXPORT int cvmg_get_evidence(struct cvmg_ctx *ctx,
				  const uint8_t user_data[CVMG_USER_DATA_LEN],
				  uint8_t *buf, size_t *len, uint32_t *type)
{
	struct cvmguard_evidence req;
	int fd;

	if (!ctx || !user_data || !len || (*len && !buf) || *len > UINT32_MAX)
		return -EINVAL;
	fd = ctx_fd(ctx);
	if (fd < 0)
		return fd;
	memset(&req, 0, sizeof(req));
	memcpy(req.user_data, user_data, CVMGUARD_USER_DATA_LEN);
	req.report = (uintptr_t)buf;
	req.report_len = (uint32_t)*len;
	if (ioctl(fd, CVMGUARD_IOC_GET_EVIDENCE, &req)) {
		int err = -errno;

		if (err == -ENOSPC)
			*len = req.report_len;
		return err;
	}
	/* a report larger than the buffer is never returned cut short */
	if (req.report_len > *len)
		return -EPROTO;
	*len = req.report_len;
	if (type)
		*type = req.report_type;
	return 0;
}

CVMG_EXPORT int cvmg_extend(struct cvmg_ctx *ctx, uint32_t pcr, uint32_t event_type,
			    const void *data, size_t len, uint64_t *seq)
{
	struct cvmguard_extend ext = {
		.pcr = pcr,
		.event_type = event_type,
		.data = (uint64_t)(uintptr_t)data,
		.data_len = (uint32_t)len,
	};
	int fd;

	if (!ctx || (len && !data) || len > UINT32_MAX)
		return -EINVAL;
	fd = ctx_fd(ctx);
	if (fd < 0)
		return fd;
	if (ioctl(fd, CVMGUARD_IOC_EXTEND, &ext))
		return -errno;
	if (seq)
		*seq = ext.seq;
	return 0;
}

struct log_walk {
	cvmg_log_fn fn;
	void *arg;
};

static int log_one(const struct cvmg_event *ev, void *arg)
{
	const struct log_walk *w = arg;
	struct cvmg_log_event out;
	unsigned int i;

	memset(&out, 0, sizeof(out));
	out.seq = ev->seq;
	out.pcr = ev->pcr;
	out.event_type = ev->type;
	out.nr_digests = ev->nr_digests > CVMG_MAX_BANKS ? CVMG_MAX_BANKS : ev->nr_digests;
	for (i = 0; i < out.nr_digests; i++) {
		out.digests[i].alg = ev->digests[i].alg;
		out.digests[i].size = ev->digests[i].size;
		memcpy(out.digests[i].value, ev->digests[i].value, CVMG_MAX_DIGEST);
	}
	out.data = ev->data;
	out.data_len = ev->data_len;
	return w->fn(&out, w->arg);
}

CVMG_EXPORT int cvmg_read_log(struct cvmg_ctx *ctx, uint64_t from, cvmg_log_fn fn, void *arg)
{
	struct log_walk w = { .fn = fn, .arg = arg };

	if (!ctx || !fn)
		return -EINVAL;
	return cvmg_nl_get_log(from, log_one, &w);
}

/* ---- verification ---------------------------------------------------------- */

struct certs {
	X509 *c[LIB_MAX_CERTS];
	size_t n;
	X509_CRL *crl[LIB_MAX_CERTS];
	size_t ncrl;
};

static void certs_free(struct certs *s)
{
	size_t i;

	for (i = 0; i < LIB_MAX_CERTS; i++) {
		X509_free(s->c[i]);
		X509_CRL_free(s->crl[i]);
	}
}

/* One DER certificate or up to 8 PEM ones. Return: 0 or -EBADMSG. */
static int parse_certs(const uint8_t *buf, size_t len, struct certs *s)
{
	if (!len)
		return -EBADMSG;
	if (buf[0] == 0x30) {
		if (amd_cert_parse(buf, len, s->c))
			return -EBADMSG;
		s->n = 1;
		return 0;
	}
	return amd_chain_parse_pem(buf, len, s->c, LIB_MAX_CERTS, &s->n) || !s->n ?
	       -EBADMSG : 0;
}

/* One DER CRL or up to 8 PEM ones. Return: 0 or -EBADMSG. */
static int parse_crls(const uint8_t *buf, size_t len, struct certs *s)
{
	const unsigned char *p = buf;
	X509_CRL *crl;
	BIO *bio;

	if (!len || len > INT32_MAX)
		return -EBADMSG;
	if (buf[0] == 0x30) {
		s->crl[0] = d2i_X509_CRL(NULL, &p, (long)len);
		if (!s->crl[0] || p != buf + len)
			return -EBADMSG;
		s->ncrl = 1;
		return 0;
	}
	bio = BIO_new_mem_buf(buf, (int)len);
	if (!bio)
		return -ENOMEM;
	while (s->ncrl < LIB_MAX_CERTS &&
	       (crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL)))
		s->crl[s->ncrl++] = crl;
	BIO_free(bio);
	return s->ncrl ? 0 : -EBADMSG;
}

static void set_reason(struct cvmg_result *res, const char *name, const char *detail)
{
	snprintf(res->reason, sizeof(res->reason), "%s%s%s", name ? name : "",
		 name && detail ? ": " : "", detail ? detail : "");
}

/* Refuse before verifying: nothing verified, a reason naming the input. */
static int refuse(struct cvmg_result *res, int code, enum cvmg_verdict v,
		  const char *name, const char *detail)
{
	res->exit_code = code;
	res->verdict = v;
	set_reason(res, name, detail);
	return code;
}

static const char *jstr(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string) ?
	       json_object_get_string(v) : NULL;
}

/* @hex, exactly 2 * @len digits, into @out; anything else leaves @out zero. */
static void jhex(json_object *o, const char *key, uint8_t *out, size_t len)
{
	const char *h = jstr(o, key);
	size_t n;

	if (h && strlen(h) == 2 * len && !cvmg_hex_decode(h, out, len, &n) && n == len)
		return;
	memset(out, 0, len);
}

static void copy_claims(json_object *doc, struct cvmg_result *res)
{
	json_object *claims, *snp = NULL, *tdx = NULL, *tcb;
	const char *s;

	if (!json_object_object_get_ex(doc, "claims", &claims))
		return;
	json_object_object_get_ex(claims, "snp", &snp);
	if (!json_object_object_get_ex(claims, "td_quote", &tdx))
		json_object_object_get_ex(claims, "tdx", &tdx);
	if (snp) {
		res->platform = CVMG_REPORT_SNP;
		res->has_claims = 1;
		jhex(snp, "measurement", res->measurement, sizeof(res->measurement));
		jhex(snp, "report_data", res->report_data, sizeof(res->report_data));
		if (json_object_object_get_ex(snp, "reported_tcb", &tcb) &&
		    (s = jstr(tcb, "raw")))
			res->reported_tcb = strtoull(s, NULL, 16);
	} else if (tdx) {
		res->platform = CVMG_REPORT_TDX;
		res->has_claims = 1;
		jhex(tdx, "mrtd", res->measurement, sizeof(res->measurement));
		jhex(tdx, "report_data", res->report_data, sizeof(res->report_data));
		jhex(tdx, "tee_tcb_svn", res->tee_tcb_svn, sizeof(res->tee_tcb_svn));
		s = jstr(tdx, "tcb_status");
		if (s)
			snprintf(res->tcb_status, sizeof(res->tcb_status), "%s", s);
	}
}

/* The verifier's document into @res; the verdict comes from @ret, not the text. */
static int fill_result(json_object *doc, int ret, struct cvmg_result *res)
{
	json_object *arr, *e, *hw;
	const char *js;
	size_t i, n;

	res->exit_code = !ret ? CVMG_EXIT_OK : ret == -EBADMSG ? CVMG_EXIT_MALFORMED :
			 ret == -EACCES ? CVMG_EXIT_POLICY : ret == -EINVAL ? CVMG_EXIT_USAGE :
			 CVMG_EXIT_FAIL;
	res->verdict = !ret ? CVMG_VERDICT_VERIFIED : ret == -EBADMSG ? CVMG_VERDICT_MALFORMED :
		       ret == -EACCES ? CVMG_VERDICT_REFUSED : ret == -EKEYREJECTED ?
		       CVMG_VERDICT_FAILED : CVMG_VERDICT_ERROR;
	if (!doc)
		return res->exit_code;
	copy_claims(doc, res);
	res->hardware_verified = json_object_object_get_ex(doc, "hardware_verified", &hw) &&
				 json_object_get_boolean(hw);
	/* the first failed check, else the first policy violation */
	if (json_object_object_get_ex(doc, "checks", &arr)) {
		n = json_object_array_length(arr);
		for (i = 0; i < n && !res->reason[0]; i++) {
			e = json_object_array_get_idx(arr, i);
			if (jstr(e, "result") && !strcmp(jstr(e, "result"), "fail"))
				set_reason(res, jstr(e, "name"), jstr(e, "detail"));
		}
	}
	if (json_object_object_get_ex(doc, "policy_violations", &arr) &&
	    (n = json_object_array_length(arr))) {
		res->policy_failures = calloc(n, sizeof(char *));
		if (!res->policy_failures)
			return -ENOMEM;
		for (i = 0; i < n; i++) {
			e = json_object_array_get_idx(arr, i);
			if (asprintf(&res->policy_failures[i], "%s: %s", jstr(e, "name") ?: "?",
				     jstr(e, "detail") ?: "") < 0) {
				res->policy_failures[i] = NULL;
				return -ENOMEM;
			}
			res->n_policy_failures = i + 1;
		}
		if (!res->reason[0])
			snprintf(res->reason, sizeof(res->reason), "%s", res->policy_failures[0]);
	}
	if (ret && !res->reason[0])
		set_reason(res, "verdict", jstr(doc, "verdict"));
	js = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
					    JSON_C_TO_STRING_NOSLASHESCAPE);
	res->json = js ? strdup(js) : NULL;
	if (!res->json)
		return -ENOMEM;
	return res->exit_code;
}

static int verify_kind(struct cvmg_ctx *ctx, const uint8_t *ev, size_t len,
		       const struct cvmg_verify_opts *o, struct cvmg_result *res,
		       unsigned int kinds)
{
	static const struct cvmg_verify_opts defaults = { .size = sizeof(defaults) };
	struct verifier_input in = { 0 };
	struct certs vcek = { 0 }, chain = { 0 }, root = { 0 }, crls = { 0 }, iroot = { 0 };
	struct cvmg_policy *policy = NULL;
	enum verifier_kind kind;
	json_object *doc = NULL;
	int ret, line;

	if (!res)
		return -EINVAL;
	memset(res, 0, sizeof(*res));
	/* fail closed: until a verdict is reached, the result says "not verified" */
	res->exit_code = CVMG_EXIT_FAIL;
	res->verdict = CVMG_VERDICT_ERROR;
	if (!o)
		o = &defaults;
	if (!ctx || !ev || o->size < sizeof(*o) || (o->flags & ~CVMG_VERIFY_NO_NONCE)) {
		set_reason(res, "arguments", "invalid (ctx, evidence, opts.size or opts.flags)");
		return -EINVAL;
	}
	if (o->nonce && (!o->nonce_len || o->nonce_len > 64))
		return refuse(res, CVMG_EXIT_USAGE, CVMG_VERDICT_ERROR, "nonce",
			      "must be 1 to 64 bytes");
	if (o->nonce && (o->flags & CVMG_VERIFY_NO_NONCE))
		return refuse(res, CVMG_EXIT_USAGE, CVMG_VERDICT_ERROR, "nonce",
			      "a nonce and CVMG_VERIFY_NO_NONCE: give one");
	kind = verifier_detect(ev, len);
	res->evidence = (enum cvmg_evidence)kind;
	if (!(kinds & (1u << kind)))
		return refuse(res, CVMG_EXIT_MALFORMED, CVMG_VERDICT_MALFORMED, "evidence",
			      kind == VERIFIER_UNKNOWN ? "neither an SNP report, an HCL report, "
			      "a TD quote nor a bundle" : "not the kind this function verifies");
	if ((o->td_quote || o->collateral) && kind == VERIFIER_SNP_REPORT)
		return refuse(res, CVMG_EXIT_USAGE, CVMG_VERDICT_ERROR, "td_quote",
			      "TD quote and collateral apply to TDX evidence, not an SNP report");
	if (o->td_quote && kind == VERIFIER_TD_QUOTE)
		return refuse(res, CVMG_EXIT_USAGE, CVMG_VERDICT_ERROR, "td_quote",
			      "the evidence is a TD quote: td_quote goes with an HCL report");
	ret = 0;
	if (o->vcek && parse_certs(o->vcek, o->vcek_len, &vcek))
		ret = refuse(res, CVMG_EXIT_MALFORMED, CVMG_VERDICT_ERROR, "vcek",
			     "not a certificate (DER) or certificates (PEM)");
	else if (o->chain && parse_certs(o->chain, o->chain_len, &chain))
		ret = refuse(res, CVMG_EXIT_MALFORMED, CVMG_VERDICT_ERROR, "chain",
			     "not a certificate (DER) or certificates (PEM)");
	else if (o->root && parse_certs(o->root, o->root_len, &root))
		ret = refuse(res, CVMG_EXIT_MALFORMED, CVMG_VERDICT_ERROR, "root",
			     "not a certificate (DER) or certificates (PEM)");
	else if (o->intel_root && (parse_certs(o->intel_root, o->intel_root_len, &iroot) ||
				   iroot.n != 1))
		ret = refuse(res, CVMG_EXIT_MALFORMED, CVMG_VERDICT_ERROR, "intel_root",
			     "not one certificate");
	else if (o->crls && parse_crls(o->crls, o->crls_len, &crls))
		ret = refuse(res, CVMG_EXIT_MALFORMED, CVMG_VERDICT_ERROR, "crls",
			     "not a CRL (DER) or CRLs (PEM)");
	if (ret)
		goto out;
	if (o->policy) {
		policy = malloc(sizeof(*policy));
		if (!policy) {
			ret = -ENOMEM;
			goto out;
		}
		ret = policy_parse(o->policy, o->policy_len, policy, &line);
		if (ret) {
			snprintf(res->reason, sizeof(res->reason), "policy:%d: %s", line,
				 policy_strerror(ret));
			res->exit_code = ret = CVMG_EXIT_USAGE;
			goto out;
		}
		in.policy = policy;
	}
	in.evidence = ev;
	in.len = len;
	in.vcek = vcek.n ? vcek.c[0] : NULL;
	in.chain = chain.c;
	in.nchain = chain.n;
	in.roots = root.n ? root.c : NULL;
	in.nroots = root.n;
	in.crls = crls.crl;
	in.ncrls = crls.ncrl;
	in.nonce = o->nonce;
	in.nonce_len = o->nonce_len;
	in.no_nonce = o->flags & CVMG_VERIFY_NO_NONCE;
	in.cache_dir = o->cert_cache;
	in.now = o->time ? (time_t)o->time : time(NULL);
	in.td_quote = o->td_quote;
	in.td_quote_len = o->td_quote_len;
	in.collateral = o->collateral;
	in.collateral_len = o->collateral_len;
	in.intel_root = iroot.n ? iroot.c[0] : NULL;
	ret = verifier_run(&in, &doc);
	ret = fill_result(doc, ret, res);
out:
	json_object_put(doc);
	free(policy);
	certs_free(&vcek);
	certs_free(&chain);
	certs_free(&root);
	certs_free(&crls);
	certs_free(&iroot);
	if (ret < 0) {
		/* out of memory half-way: never leave a verdict that reads as success */
		res->exit_code = CVMG_EXIT_FAIL;
		res->verdict = CVMG_VERDICT_ERROR;
	}
	return ret;
}

#define KIND(k) (1u << (k))

CVMG_EXPORT int cvmg_verify_report(struct cvmg_ctx *ctx, const uint8_t *evidence, size_t len,
				   const struct cvmg_verify_opts *opts, struct cvmg_result *res)
{
	return verify_kind(ctx, evidence, len, opts, res,
			   KIND(VERIFIER_SNP_REPORT) | KIND(VERIFIER_HCL_REPORT));
}

CVMG_EXPORT int cvmg_verify_bundle(struct cvmg_ctx *ctx, const uint8_t *bundle, size_t len,
				   const struct cvmg_verify_opts *opts, struct cvmg_result *res)
{
	return verify_kind(ctx, bundle, len, opts, res, KIND(VERIFIER_BUNDLE));
}

CVMG_EXPORT int cvmg_verify_quote(struct cvmg_ctx *ctx, const uint8_t *quote, size_t len,
				  const struct cvmg_verify_opts *opts, struct cvmg_result *res)
{
	return verify_kind(ctx, quote, len, opts, res, KIND(VERIFIER_TD_QUOTE));
}

CVMG_EXPORT int cvmg_verify(struct cvmg_ctx *ctx, const uint8_t *evidence, size_t len,
			    const struct cvmg_verify_opts *opts, struct cvmg_result *res)
{
	/*
	 * Evidence of no known kind goes to the verifier too, which fails its
	 * "evidence" check: the result (and `verify --json`) is then a verification
	 * document like any other, exit 3, not a bare error.
	 */
	return verify_kind(ctx, evidence, len, opts, res,
			   KIND(VERIFIER_SNP_REPORT) | KIND(VERIFIER_HCL_REPORT) |
			   KIND(VERIFIER_BUNDLE) | KIND(VERIFIER_TD_QUOTE) | KIND(VERIFIER_UNKNOWN));
}

CVMG_EXPORT void cvmg_result_free(struct cvmg_result *res)
{
	size_t i;

	if (!res)
		return;
	for (i = 0; i < res->n_policy_failures; i++)
		free(res->policy_failures[i]);
	free(res->policy_failures);
	free(res->json);
	memset(res, 0, sizeof(*res));
}
