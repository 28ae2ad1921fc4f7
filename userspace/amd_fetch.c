// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VCEK chain for an SNP report: from the certificate cache, else from Azure's
 * THIM endpoint on IMDS or from AMD's KDS (contract in fetch.h).
 *
 * Nothing the network says is believed until it is checked against the report
 * the hardware signed: THIM's tcbm must be the report's REPORTED_TCB, the VCEK
 * must carry the report's reported TCB and chip ID,
 * its key must verify the report's signature, the ASK must sign it and the ARK
 * the ASK, and the ARK must be AMD's pinned root (or the one given with --root).
 * Only then is it written to the cache; a cache entry is checked the same way
 * when it is read.
 *
 * Expiry. A VCEK is named by the chip and the TCB it certifies, and the cache
 * file by the report's CHIP_ID and REPORTED_TCB: when the host moves the TCB
 * (a firmware update, or a rollback the report would show), the signed report
 * names another file and the old one is never used. The certificate's own
 * validity is checked at each use. On top, an entry older than
 * FETCH_CACHE_MAX_AGE by its mtime is fetched again, and one whose mtime lies in
 * the future (the guest clock went back) counts as expired: the guest clock alone
 * can only make the cache fetch again, never keep an entry the report does not name.
 *
 * Layout of the cache (amd_cache_load() reads it; the KDS shape):
 *   DIR/<Product>/vcek-<CHIP_ID hex>-<REPORTED_TCB %016llx>.der
 *   DIR/<Product>/cert_chain.pem		ASK then ARK
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/pem.h>

#include "amd_certs.h"
#include "cvmguard.h"
#include "fetch.h"

#define CLOCK_SLACK	300	/* seconds an mtime may lie ahead of the guest clock */

void fetch_chain_free(struct fetch_chain *c)
{
	X509_free(c->vcek);
	X509_free(c->ask);
	X509_free(c->ark);
	c->vcek = c->ask = c->ark = NULL;
}

static const char *json_str(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/**
 * fetch_thim_parse() - parse THIM's answer to /metadata/THIM/amd/certification
 * @buf: the body, NUL-terminated after @len bytes
 * @len: its length
 * @vcek: receives the VCEK (vcekCert, PEM)
 * @ask: receives the ASK (certificateChain, PEM: ASK then ARK)
 * @ark: receives the ARK
 * @tcbm: receives tcbm (hex), the TCB the VCEK certifies
 * @max_age: receives cacheControl in seconds, or 0 when absent
 *
 * Return: 0, or -EBADMSG naming nothing (the caller names the URL).
 */
int fetch_thim_parse(const uint8_t *buf, size_t len, X509 **vcek, X509 **ask, X509 **ark,
		     uint64_t *tcbm, long *max_age)
{
	struct json_tokener *tok = json_tokener_new();
	json_object *o = NULL;
	const char *vc, *ch, *tm, *cc;
	X509 *certs[2] = { NULL, NULL };
	size_t n = 0;
	char *end;
	int ret = -EBADMSG;

	*vcek = *ask = *ark = NULL;
	if (!tok)
		return -ENOMEM;
	if (len > 0 && strlen((const char *)buf) == len)
		o = json_tokener_parse_ex(tok, (const char *)buf, (int)len);
	/* One object and nothing after it but white space. */
	if (!o || !json_object_is_type(o, json_type_object) ||
	    strspn((const char *)buf + json_tokener_get_parse_end(tok), " \t\r\n") !=
	    len - json_tokener_get_parse_end(tok))
		goto out;
	vc = json_str(o, "vcekCert");
	ch = json_str(o, "certificateChain");
	tm = json_str(o, "tcbm");
	cc = json_str(o, "cacheControl");
	if (!vc || !ch || !tm || !*tm || strlen(tm) > 16)
		goto out;
	errno = 0;
	*tcbm = strtoull(tm, &end, 16);
	if (errno || *end)
		goto out;
	*max_age = cc ? strtol(cc, &end, 10) : 0;
	if (cc && (*end || *max_age < 0))
		*max_age = 0;
	if (amd_chain_parse_pem((const uint8_t *)vc, strlen(vc), vcek, 1, &n) || n != 1)
		goto out;
	if (amd_chain_parse_pem((const uint8_t *)ch, strlen(ch), certs, 2, &n) || n != 2)
		goto out;
	*ask = certs[0];
	*ark = certs[1];
	certs[0] = certs[1] = NULL;
	ret = 0;
out:
	if (ret) {
		X509_free(*vcek);
		*vcek = NULL;
	}
	X509_free(certs[0]);
	X509_free(certs[1]);
	json_object_put(o);
	json_tokener_free(tok);
	return ret;
}

/*
 * Does the chain fit the report and end in the trusted root? @why receives what
 * does not hold. Sets c->product from the VCEK.
 */
static int check_chain(const struct fetch_opts *o, const struct snp_report *r,
		       struct fetch_chain *c, const char **why)
{
	static const char *const links[] = { "the ARK", "the ASK's signature by the ARK",
					     "the VCEK's signature by the ASK" };
	enum snp_product rp = snp_report_product(r);
	enum amd_chain_link link = AMD_LINK_ARK;
	struct amd_vcek_ext ext;
	X509 *root = o->root;
	X509 *pinned = NULL;
	int ret = -EBADMSG;

	c->product = amd_cert_product(c->vcek);
	if (c->product == SNP_PRODUCT_UNKNOWN) {
		*why = "the VCEK names no product";
		goto out;
	}
	if ((rp != SNP_PRODUCT_UNKNOWN && rp != c->product) ||
	    (o->product != SNP_PRODUCT_UNKNOWN && o->product != c->product)) {
		*why = "the VCEK is for another product than the report";
		goto out;
	}
	if (!root) {
		if (amd_pinned_cert(c->product, false, &pinned)) {
			*why = "no pinned ARK for the VCEK's product";
			goto out;
		}
		root = pinned;
	}
	if (!c->ark) {
		c->ark = X509_dup(root);
		if (!c->ark) {
			ret = -ENOMEM;
			goto out;
		}
	}
	if (!amd_cert_equal(c->ark, root)) {
		*why = o->root ? "the ARK is not the --root given" : "the ARK is not AMD's (pinned)";
		goto out;
	}
	if (amd_verify_chain(root, c->ask, c->vcek, time(NULL), &link)) {
		*why = links[link];
		goto out;
	}
	if (amd_vcek_ext_parse(c->vcek, &ext) ||
	    amd_vcek_match_report(&ext, r, c->product, why)) {
		if (!*why)
			*why = "the VCEK's extensions";
		goto out;
	}
	if (snp_report_verify_sig(r, X509_get0_pubkey(c->vcek))) {
		*why = "the report's signature by the VCEK";
		goto out;
	}
	ret = 0;
out:
	X509_free(pinned);
	return ret;
}

static int cache_paths(const char *dir, enum snp_product prod, const struct snp_report *r,
		       char **pdir, char **vcek, char **chain)
{
	char chip[129];

	cvmg_hex_encode(r->chip_id, sizeof(r->chip_id), chip);
	if (asprintf(pdir, "%s/%s", dir, snp_product_name(prod)) < 0)
		return -ENOMEM;
	if (asprintf(vcek, "%s/vcek-%s-%016llx.der", *pdir, chip,
		     (unsigned long long)r->reported_tcb) < 0) {
		free(*pdir);
		return -ENOMEM;
	}
	if (asprintf(chain, "%s/cert_chain.pem", *pdir) < 0) {
		free(*pdir);
		free(*vcek);
		return -ENOMEM;
	}
	return 0;
}

/* A usable cache entry for @prod: 0, or -ENOENT (absent, expired or unfit). */
static int cache_get(const struct fetch_opts *o, const struct snp_report *r,
		     enum snp_product prod, struct fetch_chain *c)
{
	char *pdir = NULL, *vcek = NULL, *chain = NULL;
	const char *why = NULL;
	time_t now = time(NULL);
	struct stat st;
	int ret;

	ret = cache_paths(o->cache_dir, prod, r, &pdir, &vcek, &chain);
	if (ret)
		return ret;
	ret = -ENOENT;
	if (stat(vcek, &st))
		goto out;
	if (st.st_mtime > now + CLOCK_SLACK || now - st.st_mtime > FETCH_CACHE_MAX_AGE) {
		cvmg_dbg("%s: expired (fetched %lld, now %lld)", vcek,
			 (long long)st.st_mtime, (long long)now);
		goto out;
	}
	if (amd_cache_load(o->cache_dir, prod, r, &c->vcek, &c->ask, &c->ark) ||
	    !c->vcek || !c->ask)
		goto out_free;
	if (check_chain(o, r, c, &why)) {
		cvmg_warn("%s: not used: %s", vcek, why);
		goto out_free;
	}
	c->from_cache = true;
	snprintf(c->source, sizeof(c->source), "%s", vcek);
	ret = 0;
	goto out;
out_free:
	fetch_chain_free(c);
out:
	free(pdir);
	free(vcek);
	free(chain);
	return ret;
}

/* Write a checked chain: the chain file first, the VCEK (the entry's key) last. */
static int cache_put(const struct fetch_opts *o, const struct snp_report *r,
		     const struct fetch_chain *c)
{
	char *pdir = NULL, *vcek = NULL, *chain = NULL, *pem = NULL;
	X509 *const ca[2] = { c->ask, c->ark };
	unsigned char *der = NULL;
	size_t pem_len = 0;
	int ret, der_len;

	ret = cache_paths(o->cache_dir, c->product, r, &pdir, &vcek, &chain);
	if (ret)
		return ret;
	ret = fetch_cache_mkdir(o->cache_dir, pdir);
	if (ret)
		goto out;
	der_len = i2d_X509(c->vcek, &der);
	ret = der_len > 0 ? amd_certs_pem(ca, 2, &pem, &pem_len) : -ENOMEM;
	if (!ret)
		ret = cvmg_write_file_atomic(chain, pem, pem_len, 0644);
	if (!ret)
		ret = cvmg_write_file_atomic(vcek, der, (size_t)der_len, 0644);
out:
	if (ret)
		cvmg_warn("%s: not cached: %s", pdir, strerror(-ret));
	OPENSSL_free(der);
	free(pem);
	free(pdir);
	free(vcek);
	free(chain);
	return ret;
}

static int from_thim(const struct fetch_opts *o, const struct snp_report *r,
		     struct fetch_chain *c, struct fetch_err *e)
{
	uint8_t *body = NULL;
	uint64_t tcbm = 0;
	size_t len;
	long max_age = 0;
	int ret;

	snprintf(c->source, sizeof(c->source), "%s%s", o->imds_url, FETCH_THIM_PATH);
	ret = fetch_http(c->source, NULL, true, o->budget_ms, &body, &len, e);
	if (ret)
		return ret;
	ret = fetch_thim_parse(body, len, &c->vcek, &c->ask, &c->ark, &tcbm, &max_age);
	if (ret)
		snprintf(e->msg, sizeof(e->msg), "%s: HTTP 200, but not THIM certification JSON "
			 "(vcekCert, certificateChain, tcbm)", c->source);
	/*
	 * tcbm is the TCB THIM says its VCEK certifies. A VCEK for another TCB
	 * than the report's is refused below by its extensions; a tcbm that
	 * disagrees with the signed REPORTED_TCB says the answer is for another
	 * report (or the host edited it): the answer is not used at all.
	 */
	if (!ret && tcbm != r->reported_tcb) {
		snprintf(e->msg, sizeof(e->msg), "%s: the answer does not fit the report: its "
			 "tcbm %016llX is not the report's REPORTED_TCB %016llX", c->source,
			 (unsigned long long)tcbm, (unsigned long long)r->reported_tcb);
		fetch_chain_free(c);
		ret = -EBADMSG;
	}
	free(body);
	return ret;
}

static int kds_get(const struct fetch_opts *o, const char *url, uint8_t **body, size_t *len,
		   struct fetch_err *e)
{
	return fetch_http(url, NULL, false, o->budget_ms, body, len, e);
}

static int from_kds(const struct fetch_opts *o, const struct snp_report *r,
		    struct fetch_chain *c, struct fetch_err *e)
{
	enum snp_product prod = snp_report_product(r);
	char hwid[129], url[512];
	X509 *certs[2] = { NULL, NULL };
	uint8_t *body = NULL;
	struct snp_tcb t;
	size_t len, n = 0, idlen;
	int ret;

	if (prod == SNP_PRODUCT_UNKNOWN)
		prod = o->product;
	if (prod == SNP_PRODUCT_UNKNOWN) {
		snprintf(e->msg, sizeof(e->msg), "%s: the report does not name its product "
			 "(version 2): give --product", o->kds_url);
		return -EINVAL;
	}
	if (snp_chip_id_masked(r)) {
		snprintf(e->msg, sizeof(e->msg), "%s: the report's CHIP_ID is masked: KDS "
			 "cannot name its VCEK", o->kds_url);
		return -EINVAL;
	}
	idlen = prod == SNP_PRODUCT_TURIN ? 8 : 64;
	cvmg_hex_encode(r->chip_id, idlen, hwid);
	snp_tcb_decode(r->reported_tcb, prod, &t);
	snprintf(url, sizeof(url), "%s/vcek/v1/%s/%s?blSPL=%u&teeSPL=%u&snpSPL=%u&ucodeSPL=%u",
		 o->kds_url, snp_product_name(prod), hwid, t.bootloader, t.tee, t.snp,
		 t.microcode);
	if (prod == SNP_PRODUCT_TURIN)
		snprintf(url + strlen(url), sizeof(url) - strlen(url), "&fmcSPL=%u", t.fmc);
	snprintf(c->source, sizeof(c->source), "%s", url);
	ret = kds_get(o, url, &body, &len, e);
	if (!ret && amd_cert_parse(body, len, &c->vcek)) {
		snprintf(e->msg, sizeof(e->msg), "%s: HTTP 200, but not a certificate", url);
		ret = -EBADMSG;
	}
	free(body);
	body = NULL;
	if (ret)
		return ret;
	snprintf(url, sizeof(url), "%s/vcek/v1/%s/cert_chain", o->kds_url, snp_product_name(prod));
	ret = kds_get(o, url, &body, &len, e);
	if (!ret && (amd_chain_parse_pem(body, len, certs, 2, &n) || n != 2)) {
		snprintf(e->msg, sizeof(e->msg), "%s: HTTP 200, but not a PEM chain ASK, ARK", url);
		ret = -EBADMSG;
	}
	if (!ret) {
		c->ask = certs[0];
		c->ark = certs[1];
	} else {
		X509_free(certs[0]);
		X509_free(certs[1]);
	}
	free(body);
	return ret;
}

/**
 * fetch_snp_chain() - the VCEK, ASK and ARK for a report
 * @o: where to look (fetch_opts_init() and the command line)
 * @r: the report, as the hardware signed it
 * @c: receives the chain (fetch_chain_free() it)
 * @e: receives what went wrong, with the URL
 *
 * The cache first (unless @o->refresh), then the network (unless @o->offline).
 * A fetched chain is written to the cache only after check_chain() accepts it.
 *
 * Return: 0; -ENOENT when offline and not cached; -EFBIG, -EIO for a failed
 * request; -EBADMSG for an answer that does not parse or does not fit the
 * report; -EINVAL when KDS cannot be asked; -ENOMEM.
 */
int fetch_snp_chain(const struct fetch_opts *o, const struct snp_report *r,
		    struct fetch_chain *c, struct fetch_err *e)
{
	enum snp_product prod = snp_report_product(r);
	const char *why = NULL;
	int ret, p;

	memset(c, 0, sizeof(*c));
	memset(e, 0, sizeof(*e));
	if (prod == SNP_PRODUCT_UNKNOWN)
		prod = o->product;
	if (o->cache_dir && !o->refresh) {
		/* A version 2 report does not say its product: any product's entry. */
		for (p = SNP_PRODUCT_MILAN; p <= SNP_PRODUCT_TURIN; p++)
			if ((prod == SNP_PRODUCT_UNKNOWN || prod == (enum snp_product)p) &&
			    !cache_get(o, r, (enum snp_product)p, c))
				return 0;
	}
	if (o->offline) {
		snprintf(e->msg, sizeof(e->msg), "no VCEK and ASK for this report in the "
			 "certificate cache (%s), and --offline", o->cache_dir ?: "none");
		return -ENOENT;
	}
	ret = o->source == FETCH_SRC_KDS ? from_kds(o, r, c, e) : from_thim(o, r, c, e);
	if (!ret) {
		ret = check_chain(o, r, c, &why);
		if (ret)
			snprintf(e->msg, sizeof(e->msg), "%s: the chain it gave does not fit the "
				 "report: %s", c->source, why);
	}
	if (ret) {
		fetch_chain_free(c);
		return ret;
	}
	if (o->cache_dir)
		cache_put(o, r, c);
	return 0;
}

/**
 * fetch_thim_chain() - the chain THIM serves, unchecked: for `cvmguard doctor`
 * @o: imds_url and budget_ms
 * @r: the report the answer must be for (THIM's tcbm is its REPORTED_TCB)
 * @c: receives the chain as sent (fetch_chain_free() it, also on failure)
 * @e: receives what went wrong, with the URL
 *
 * Nothing here is to be believed before fetch_chain_check() accepts it (a tcbm
 * other than @r's REPORTED_TCB is refused here already, -EBADMSG); the cache is
 * neither read nor written.
 *
 * Return: 0; -EFBIG, -EIO for a failed request; -EBADMSG for an answer that is not
 * THIM's JSON; -ENOMEM.
 */
int fetch_thim_chain(const struct fetch_opts *o, const struct snp_report *r,
		     struct fetch_chain *c, struct fetch_err *e)
{
	memset(c, 0, sizeof(*c));
	memset(e, 0, sizeof(*e));
	return from_thim(o, r, c, e);
}

/**
 * fetch_chain_check() - does a chain fit the report and end in the trusted root?
 * @o: root (NULL: AMD's, pinned) and product
 * @r: the report, as the hardware signed it
 * @c: the chain; its product is set from the VCEK
 * @why: receives what does not hold
 *
 * The checks fetch_snp_chain() makes before it uses or caches a chain.
 *
 * Return: 0, or a negative errno with @why set.
 */
int fetch_chain_check(const struct fetch_opts *o, const struct snp_report *r,
		      struct fetch_chain *c, const char **why)
{
	*why = NULL;
	return check_chain(o, r, c, why);
}
