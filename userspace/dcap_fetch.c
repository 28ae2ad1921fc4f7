// SPDX-License-Identifier: GPL-2.0-only
/*
 * Intel DCAP collateral for a TD quote, from the cache or a PCCS (contract in
 * fetch.h), assembled into the JSON shape `verify --collateral` reads
 * (dcap_collateral.h), so one verifier path serves a file and a fetch.
 *
 * The PCCS speaks Intel's PCS v4 API. From the quote's PCK certificate come the
 * FMSPC and the CA that issued it (processor or platform); then, under the base
 * URL (a trailing /sgx/certification/v4 or /tdx/certification/v4 is dropped):
 *
 *   GET /sgx/certification/v4/pckcrl?ca=CA&encoding=der   PCK CRL (DER, PEM or hex)
 *        header SGX-PCK-CRL-Issuer-Chain
 *   GET /tdx/certification/v4/tcb?fmspc=FMSPC     {"tcbInfo": {...}, "signature": hex}
 *        header TCB-Info-Issuer-Chain (SGX-TCB-Info-Issuer-Chain before v4)
 *   GET /tdx/certification/v4/qe/identity         {"enclaveIdentity": {...}, "signature"}
 *        header SGX-Enclave-Identity-Issuer-Chain
 *   GET /sgx/certification/v4/rootcacrl           root CA CRL (a PCCS: DER or hex);
 *        Intel's PCS has none: the CRL distribution point of the root certificate
 *
 * The issuer chains come URL-encoded (PEM) in the headers. A signature covers the
 * exact bytes of the tcbInfo (enclaveIdentity) object as served, so that text is
 * kept as it came, never re-serialized.
 *
 * The PCCS is the host's to answer (it controls the network), so nothing is used
 * or cached until it verifies: each answer names its URL when it does not parse,
 * its signature does not verify with its header's certificate, or that chain does
 * not end in Intel's pinned root (or --intel-root); the TCB info must be for the
 * quote's FMSPC and PCE-ID, the PCK CRL must be the one of the CA that issued the
 * quote's PCK certificate; then the whole collateral goes through
 * dcap_collateral_verify() (chains with the CRLs, every validity window) at the
 * verification time. Authentic but outside its issueDate/nextUpdate window is
 * -ESTALE (exit 2: a policy matter), not cached; anything else is -EBADMSG (8).
 *
 * Cache: DIR/tdx/collateral-<FMSPC>-<processor|platform>.json, written atomically
 * after verification and verified again, the same way, whenever it is read. Its
 * expiry does not rest on the guest clock alone (the host sets that clock): the
 * collateral's own issueDate/nextUpdate windows must hold at the verification
 * time, and besides the entry is refetched once its mtime is FETCH_DCAP_MAX_AGE
 * old or lies in the future (a clock set back), so a clock moved either way can
 * only cause a refetch. A relying party checks the windows again with its own
 * clock when it verifies the bundle.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "cvmguard.h"
#include "dcap_collateral.h"
#include "fetch.h"
#include "pcs_parse.h"
#include "tdx_quote.h"

#define CLOCK_SLACK	300

/* What the quote says the collateral must be for. */
struct qinfo {
	X509 *pck[TDX_PCK_CHAIN_MAX];
	size_t n;
	struct tdx_pck_ext ext;
	const char *ca;
	char fmspc[13];
};

static void qinfo_free(struct qinfo *qi)
{
	size_t i;

	for (i = 0; i < qi->n; i++)
		X509_free(qi->pck[i]);
	qi->n = 0;
}

void fetch_collateral_free(struct fetch_collateral *c)
{
	free(c->json);
	c->json = NULL;
	c->len = 0;
}

/* The quote's PCK certificate: its FMSPC, PCE-ID and issuing CA. */
static int quote_info(const uint8_t *quote, size_t qlen, struct qinfo *qi, const char **why)
{
	X509_NAME *issuer;
	char cn[128];
	struct tdx_quote q;
	int i;

	memset(qi, 0, sizeof(*qi));
	if (tdx_quote_parse(quote, qlen, &q)) {
		*why = "not a well-formed TD quote";
		return -EBADMSG;
	}
	if (tdx_pem_chain_parse(q.pck_pem, q.pck_pem_len, true, qi->pck, TDX_PCK_CHAIN_MAX,
				&qi->n) || tdx_pck_ext_parse(qi->pck[0], &qi->ext)) {
		*why = "the quote's PCK certificate (chain or SGX extension) does not parse";
		return -EBADMSG;
	}
	issuer = X509_get_issuer_name(qi->pck[0]);
	if (X509_NAME_get_text_by_NID(issuer, NID_commonName, cn, sizeof(cn)) < 0) {
		*why = "the quote's PCK certificate names no issuer";
		return -EBADMSG;
	}
	if (!strcmp(cn, "Intel SGX PCK Processor CA")) {
		qi->ca = "processor";
	} else if (!strcmp(cn, "Intel SGX PCK Platform CA")) {
		qi->ca = "platform";
	} else {
		*why = "the quote's PCK certificate is issued by neither Intel SGX PCK "
		       "Processor CA nor Platform CA";
		return -EBADMSG;
	}
	for (i = 0; i < 6; i++)
		snprintf(qi->fmspc + 2 * i, 3, "%02X", qi->ext.fmspc[i]);
	return 0;
}

/*
 * An issuer chain (PEM, leaf first) from a header: parsed, then written again as
 * canonical PEM for the collateral. The chain must end in @root.
 */
static int header_chain(const char *url, const char *name, const char *raw, X509 *root,
			X509 **leaf, char **pem, struct fetch_err *e)
{
	X509 *certs[TDX_PCK_CHAIN_MAX + 1] = { 0 };
	char detail[200], *dec = NULL, *mem;
	BIO *in = NULL, *out = NULL;
	size_t n = 0, i;
	bool stale;
	long ml;
	int ret = -EBADMSG;
	X509 *x;

	*leaf = NULL;
	*pem = NULL;
	if (!raw) {
		snprintf(e->msg, sizeof(e->msg), "%s: HTTP 200, but no %s header", url, name);
		return ret;
	}
	dec = pcs_url_decode(raw);
	if (dec)
		in = BIO_new_mem_buf(dec, -1);
	out = BIO_new(BIO_s_mem());
	while (in && (x = PEM_read_bio_X509(in, NULL, NULL, NULL))) {
		if (n == TDX_PCK_CHAIN_MAX) {
			X509_free(x);
			n++;
			break;
		}
		certs[n++] = x;
	}
	ERR_clear_error();
	if (!dec || !out || n < 2 || n > TDX_PCK_CHAIN_MAX) {
		snprintf(e->msg, sizeof(e->msg), "%s: the %s header is not a URL-encoded PEM "
			 "chain of 2 to %d certificates", url, name, TDX_PCK_CHAIN_MAX);
		goto out;
	}
	/* Signatures and the root here; validity windows in dcap_collateral_verify(). */
	if (tdx_verify_chain(certs, n, root, NULL, 0, detail, sizeof(detail), &stale)) {
		snprintf(e->msg, sizeof(e->msg), "%s: the %s header's chain does not verify to "
			 "the root: %s", url, name, detail);
		goto out;
	}
	for (i = 0; i < n; i++)
		if (!PEM_write_bio_X509(out, certs[i]))
			goto out;
	ml = BIO_get_mem_data(out, &mem);
	*pem = ml > 0 ? strndup(mem, (size_t)ml) : NULL;
	if (!*pem) {
		ret = -ENOMEM;
		goto out;
	}
	*leaf = certs[0];
	certs[0] = NULL;
	ret = 0;
out:
	for (i = 0; i < n && i < TDX_PCK_CHAIN_MAX; i++)
		X509_free(certs[i]);
	BIO_free(in);
	BIO_free(out);
	free(dec);
	return ret;
}

/* The root's CRL distribution point (Intel's PCS serves no rootcacrl). */
static int root_crl_url(X509 *root, char *out, size_t n)
{
	STACK_OF(DIST_POINT) *dps = X509_get_ext_d2i(root, NID_crl_distribution_points, NULL, NULL);
	int i, j, ret = -ENOENT;

	for (i = 0; dps && i < sk_DIST_POINT_num(dps) && ret; i++) {
		DIST_POINT *dp = sk_DIST_POINT_value(dps, i);

		if (!dp->distpoint || dp->distpoint->type != 0)
			continue;
		for (j = 0; j < sk_GENERAL_NAME_num(dp->distpoint->name.fullname); j++) {
			GENERAL_NAME *g = sk_GENERAL_NAME_value(dp->distpoint->name.fullname, j);

			if (g->type == GEN_URI) {
				snprintf(out, n, "%.*s", ASN1_STRING_length(g->d.uniformResourceIdentifier),
					 (const char *)ASN1_STRING_get0_data(g->d.uniformResourceIdentifier));
				ret = 0;
				break;
			}
		}
	}
	sk_DIST_POINT_pop_free(dps, DIST_POINT_free);
	return ret;
}

/* GET @url keeping header @hname (NULL: none). */
static int get(const struct fetch_opts *o, const char *url, const char *hname, char **hval,
	       uint8_t **body, size_t *len, struct fetch_err *e)
{
	struct fetch_hdr h[2] = { { hname, NULL }, { NULL, NULL } };
	int ret;

	/* TCB info v4 names its chain TCB-Info-Issuer-Chain; v3 SGX-TCB-Info-Issuer-Chain */
	if (hname && !strcmp(hname, "TCB-Info-Issuer-Chain"))
		h[1].name = "SGX-TCB-Info-Issuer-Chain";
	ret = fetch_http_hdr(url, NULL, false, o->budget_ms, h, hname ? (h[1].name ? 2 : 1) : 0,
			     body, len, e);
	if (hval) {
		*hval = h[0].value ? h[0].value : h[1].value;
		free(h[0].value ? h[1].value : NULL);
	}
	return ret;
}

/* A signed item (TCB info, QE identity): fetched, its signature checked with its chain. */
struct item {
	const char *what, *key, *hdr;
	char url[600];
	char *raw, *chain;
	uint8_t sig[64];
};

static int get_item(const struct fetch_opts *o, struct item *it, X509 *root,
		    struct fetch_err *e)
{
	uint8_t *body = NULL;
	char *hv = NULL;
	size_t len;
	X509 *leaf = NULL;
	int ret;

	ret = get(o, it->url, it->hdr, &hv, &body, &len, e);
	if (ret)
		goto out;
	ret = pcs_signed_body(body, len, it->key, &it->raw, it->sig);
	if (ret) {
		snprintf(e->msg, sizeof(e->msg), "%s: HTTP 200, but not {\"%s\": {...}, "
			 "\"signature\": hex} as PCS serves it", it->url, it->key);
		goto out;
	}
	ret = header_chain(it->url, it->hdr, hv, root, &leaf, &it->chain, e);
	if (ret)
		goto out;
	if (tdx_verify_p256(X509_get0_pubkey(leaf), (const uint8_t *)it->raw, strlen(it->raw),
			    it->sig)) {
		snprintf(e->msg, sizeof(e->msg), "%s: the %s's signature does not verify with the "
			 "%s header's certificate", it->url, it->what, it->hdr);
		ret = -EBADMSG;
	}
out:
	X509_free(leaf);
	free(hv);
	free(body);
	return ret;
}

/* A genuine TCB info for another platform names its FMSPC: say so, naming the URL. */
static int tcb_fmspc_check(const struct item *tcb, const struct qinfo *qi, struct fetch_err *e)
{
	json_object *o = json_tokener_parse(tcb->raw), *v;
	const char *f = NULL;
	int ret = -EBADMSG;

	if (o && json_object_object_get_ex(o, "fmspc", &v) && json_object_is_type(v, json_type_string))
		f = json_object_get_string(v);
	if (!f)
		snprintf(e->msg, sizeof(e->msg), "%s: the TCB info names no FMSPC", tcb->url);
	else if (strcasecmp(f, qi->fmspc))
		snprintf(e->msg, sizeof(e->msg), "%s: the TCB info is for FMSPC %.12s, not the "
			 "quote's %s", tcb->url, f, qi->fmspc);
	else
		ret = 0;
	json_object_put(o);
	return ret;
}

static int cache_path(const struct fetch_opts *o, const struct qinfo *qi, char **dir, char **file)
{
	if (asprintf(dir, "%s/tdx", o->cache_dir) < 0)
		return -ENOMEM;
	if (asprintf(file, "%s/collateral-%s-%s.json", *dir, qi->fmspc, qi->ca) < 0) {
		free(*dir);
		return -ENOMEM;
	}
	return 0;
}

/*
 * The whole collateral, as the verifier will see it: for this quote's FMSPC,
 * PCE-ID and PCK CA, and verifying at @now. Return: 0, -ESTALE (authentic, out of
 * its window) or -EBADMSG, with @why.
 */
static int check_collateral(const struct fetch_opts *o, const struct qinfo *qi, X509 *root,
			    const char *json, size_t len, time_t now, char *why, size_t n)
{
	struct dcap_collateral col;
	char fm[13];
	enum tdxq_check c;
	int i, ret = -EBADMSG;

	(void)o;
	if (dcap_collateral_parse((const uint8_t *)json, len, &col)) {
		snprintf(why, n, "not DCAP collateral (TCB info v3 \"TDX\", QE identity "
			 "\"TD_QE\", chains, CRLs)");
		goto out;
	}
	for (i = 0; i < 6; i++)
		snprintf(fm + 2 * i, 3, "%02X", col.fmspc[i]);
	if (memcmp(col.fmspc, qi->ext.fmspc, 6)) {
		snprintf(why, n, "the TCB info is for FMSPC %s, not the quote's %s", fm, qi->fmspc);
		goto out;
	}
	if (memcmp(col.pceid, qi->ext.pceid, 2)) {
		snprintf(why, n, "the TCB info is for another PCE-ID than the quote's");
		goto out;
	}
	if (X509_NAME_cmp(X509_CRL_get_issuer(col.pck_crl), X509_get_issuer_name(qi->pck[0]))) {
		snprintf(why, n, "the PCK CRL is not the %s CA's, which issued the quote's PCK "
			 "certificate", qi->ca);
		goto out;
	}
	c = dcap_collateral_verify(&col, root, now, why, n);
	if (c == TDXQ_STALE)
		ret = -ESTALE;
	else if (c == TDXQ_OK)
		ret = 0;
out:
	dcap_collateral_free(&col);
	return ret;
}

static int cache_get(const struct fetch_opts *o, const struct qinfo *qi, X509 *root, time_t now,
		     struct fetch_collateral *c)
{
	char *dir = NULL, *file = NULL, why[300];
	time_t wall = time(NULL);
	uint8_t *buf = NULL;
	struct stat st;
	size_t len;
	int ret;

	ret = cache_path(o, qi, &dir, &file);
	if (ret)
		return ret;
	ret = -ENOENT;
	if (stat(file, &st))
		goto out;
	if (st.st_mtime > wall + CLOCK_SLACK || wall - st.st_mtime > FETCH_DCAP_MAX_AGE) {
		cvmg_dbg("%s: expired (fetched %lld, now %lld)", file, (long long)st.st_mtime,
			 (long long)wall);
		goto out;
	}
	if (cvmg_read_file(file, &buf, &len, FETCH_MAX_SIZE))
		goto out;
	if (check_collateral(o, qi, root, (const char *)buf, len, now, why, sizeof(why))) {
		cvmg_warn("%s: not used: %s", file, why);
		goto out;
	}
	c->json = (char *)buf;
	c->len = len;
	buf = NULL;
	c->from_cache = true;
	snprintf(c->source, sizeof(c->source), "%s", file);
	ret = 0;
out:
	free(buf);
	free(dir);
	free(file);
	return ret;
}

static void cache_put(const struct fetch_opts *o, const struct qinfo *qi,
		      const struct fetch_collateral *c)
{
	char *dir = NULL, *file = NULL;
	int ret;

	ret = cache_path(o, qi, &dir, &file);
	if (ret)
		return;
	ret = fetch_cache_mkdir(o->cache_dir, dir);
	if (!ret)
		ret = cvmg_write_file_atomic(file, c->json, c->len, 0644);
	if (ret)
		cvmg_warn("%s: not cached: %s", file, strerror(-ret));
	free(dir);
	free(file);
}

/* Everything from the PCCS, each answer checked on its own, assembled as JSON. */
static int from_pccs(const struct fetch_opts *o, const struct qinfo *qi, X509 *root,
		     struct fetch_collateral *c, struct fetch_err *e)
{
	struct item tcb = { .what = "TCB info", .key = "tcbInfo",
			    .hdr = "TCB-Info-Issuer-Chain" };
	struct item qe = { .what = "QE identity", .key = "enclaveIdentity",
			   .hdr = "SGX-Enclave-Identity-Issuer-Chain" };
	char base[512], url[600], *hv = NULL, *crl_chain = NULL, *pck_hex = NULL, *root_hex = NULL;
	X509_CRL *pck_crl = NULL, *root_crl = NULL;
	json_object *j = NULL;
	X509 *leaf = NULL;
	uint8_t *body = NULL;
	const char *s;
	size_t len, bl;
	bool pcs;
	int ret;

	snprintf(base, sizeof(base), "%s", fetch_pccs_base(o));
	bl = strlen(base);
	while (bl && base[bl - 1] == '/')
		base[--bl] = 0;
	if (bl > 21 && (!strcmp(base + bl - 21, "/sgx/certification/v4") ||
			!strcmp(base + bl - 21, "/tdx/certification/v4")))
		base[bl -= 21] = 0;
	snprintf(c->source, sizeof(c->source), "%s", base);
	pcs = !strcmp(base, FETCH_PCS_URL);

	/* The PCK CRL of the CA that issued the quote's PCK certificate. */
	snprintf(url, sizeof(url), "%s/sgx/certification/v4/pckcrl?ca=%s&encoding=der", base, qi->ca);
	ret = get(o, url, "SGX-PCK-CRL-Issuer-Chain", &hv, &body, &len, e);
	if (ret)
		goto out;
	ret = pcs_crl_parse(body, len, &pck_crl);
	if (ret) {
		snprintf(e->msg, sizeof(e->msg), "%s: HTTP 200, but not a CRL", url);
		goto out;
	}
	ret = header_chain(url, "SGX-PCK-CRL-Issuer-Chain", hv, root, &leaf, &crl_chain, e);
	if (ret)
		goto out;
	ret = -EBADMSG;
	if (X509_CRL_verify(pck_crl, X509_get0_pubkey(leaf)) != 1) {
		snprintf(e->msg, sizeof(e->msg), "%s: the CRL's signature does not verify with the "
			 "SGX-PCK-CRL-Issuer-Chain header's certificate", url);
		goto out;
	}
	if (X509_NAME_cmp(X509_CRL_get_issuer(pck_crl), X509_get_issuer_name(qi->pck[0]))) {
		snprintf(e->msg, sizeof(e->msg), "%s: the CRL is not the one of the %s CA that "
			 "issued the quote's PCK certificate", url, qi->ca);
		goto out;
	}
	free(body);
	body = NULL;

	/* TCB info for the FMSPC, QE identity. */
	snprintf(tcb.url, sizeof(tcb.url), "%s/tdx/certification/v4/tcb?fmspc=%s", base, qi->fmspc);
	ret = get_item(o, &tcb, root, e);
	if (ret)
		goto out;
	ret = tcb_fmspc_check(&tcb, qi, e);
	if (ret)
		goto out;
	snprintf(qe.url, sizeof(qe.url), "%s/tdx/certification/v4/qe/identity", base);
	ret = get_item(o, &qe, root, e);
	if (ret)
		goto out;

	/* The root CA CRL: a PCCS serves it; Intel's PCS leaves it to the root's CDP. */
	if (!pcs || root_crl_url(root, url, sizeof(url)))
		snprintf(url, sizeof(url), "%s/sgx/certification/v4/rootcacrl", base);
	ret = get(o, url, NULL, NULL, &body, &len, e);
	if (ret)
		goto out;
	ret = -EBADMSG;
	if (pcs_crl_parse(body, len, &root_crl)) {
		snprintf(e->msg, sizeof(e->msg), "%s: HTTP 200, but not a CRL", url);
		goto out;
	}
	if (X509_CRL_verify(root_crl, X509_get0_pubkey(root)) != 1) {
		snprintf(e->msg, sizeof(e->msg), "%s: the root CA CRL's signature does not verify "
			 "with the root", url);
		goto out;
	}

	/* The JSON `verify --collateral` reads. */
	ret = -ENOMEM;
	pck_hex = pcs_crl_hex(pck_crl);
	root_hex = pcs_crl_hex(root_crl);
	j = json_object_new_object();
	if (!pck_hex || !root_hex || !j)
		goto out;
	{
		char tsig[129], qsig[129];

		cvmg_hex_encode(tcb.sig, 64, tsig);
		cvmg_hex_encode(qe.sig, 64, qsig);
#define PUT(k, v) json_object_object_add(j, (k), json_object_new_string(v))
		PUT("pck_crl_issuer_chain", crl_chain);
		PUT("root_ca_crl", root_hex);
		PUT("pck_crl", pck_hex);
		PUT("tcb_info_issuer_chain", tcb.chain);
		PUT("tcb_info", tcb.raw);
		PUT("tcb_info_signature", tsig);
		PUT("qe_identity_issuer_chain", qe.chain);
		PUT("qe_identity", qe.raw);
		PUT("qe_identity_signature", qsig);
#undef PUT
	}
	s = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	c->json = s ? strdup(s) : NULL;
	if (!c->json)
		goto out;
	c->len = strlen(c->json);
	ret = 0;
out:
	json_object_put(j);
	X509_CRL_free(pck_crl);
	X509_CRL_free(root_crl);
	X509_free(leaf);
	free(pck_hex);
	free(root_hex);
	free(crl_chain);
	free(hv);
	free(body);
	free(tcb.raw);
	free(tcb.chain);
	free(qe.raw);
	free(qe.chain);
	return ret;
}

/**
 * fetch_dcap_collateral() - verified DCAP collateral for a TD quote
 * @o: the options (cache_dir, offline, refresh, pccs_url, azure, intel_root, budget)
 * @quote: the TD quote (its PCK certificate names the FMSPC and CA)
 * @qlen: its length
 * @now: the verification time for the collateral's windows (the cache's own
 *       expiry uses the wall clock)
 * @c: receives the collateral JSON (fetch_collateral_free() it)
 * @e: receives what went wrong, with the URL
 *
 * The cache first (unless @o->refresh), then the PCCS (unless @o->offline).
 * Fetched collateral is cached only once it verifies.
 *
 * Return: 0; -ENOENT offline and not cached; -ESTALE authentic but stale at @now
 * (not cached); -EBADMSG for an answer that does not verify or a quote without a
 * usable PCK certificate; -EFBIG, -EIO for a failed request; -ENOMEM.
 */
int fetch_dcap_collateral(const struct fetch_opts *o, const uint8_t *quote, size_t qlen,
			  time_t now, struct fetch_collateral *c, struct fetch_err *e)
{
	const char *why = NULL;
	char detail[300];
	struct qinfo qi;
	X509 *root = o->intel_root;
	int ret;

	memset(c, 0, sizeof(*c));
	memset(e, 0, sizeof(*e));
	ret = quote_info(quote, qlen, &qi, &why);
	if (ret) {
		snprintf(e->msg, sizeof(e->msg), "no collateral to ask %s for: %s",
			 fetch_pccs_base(o), why);
		goto out;
	}
	snprintf(c->fmspc, sizeof(c->fmspc), "%s", qi.fmspc);
	c->ca = qi.ca;
	if (!root && tdx_sgx_root(&root)) {
		ret = -ENOMEM;
		goto out;
	}
	if (o->cache_dir && !o->refresh && !cache_get(o, &qi, root, now, c))
		goto out;
	if (o->offline) {
		snprintf(e->msg, sizeof(e->msg), "no DCAP collateral for FMSPC %s (%s CA) in the "
			 "cache (%s), and --offline", qi.fmspc, qi.ca, o->cache_dir ?: "none");
		ret = -ENOENT;
		goto out;
	}
	ret = from_pccs(o, &qi, root, c, e);
	if (!ret) {
		ret = check_collateral(o, &qi, root, c->json, c->len, now, detail, sizeof(detail));
		if (ret == -ESTALE)
			snprintf(e->msg, sizeof(e->msg), "%s: the collateral is stale at the "
				 "verification time: %s", c->source, detail);
		else if (ret)
			snprintf(e->msg, sizeof(e->msg), "%s: the collateral does not verify: %s",
				 c->source, detail);
	}
	if (ret) {
		snprintf(e->url, sizeof(e->url), "%s", c->source);
		fetch_collateral_free(c);
		goto out;
	}
	if (o->cache_dir)
		cache_put(o, &qi, c);
out:
	if (root != o->intel_root)
		X509_free(root);
	qinfo_free(&qi);
	return ret;
}
