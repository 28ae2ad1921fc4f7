/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fetching evidence certificates over HTTP (libcurl), the way an Azure guest gets
 * them: the VCEK chain from IMDS's THIM endpoint or from AMD's KDS, the TD quote
 * from IMDS, Intel's DCAP collateral from a PCCS (Azure's cache or Intel's PCS),
 * with a cache.
 *
 * Every request is bounded: a per-attempt timeout, at most FETCH_ATTEMPTS
 * attempts (5xx, 429 and transport errors are retried, other answers are final)
 * inside one total time budget, and a cap on the response size. A failure leaves
 * its URL and the HTTP status or the curl error in struct fetch_err for the
 * caller to print (exit CVMG_EXIT_FETCH).
 */
#ifndef CVMG_FETCH_H
#define CVMG_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

#include "snp_report.h"

#define FETCH_IMDS_URL		"http://169.254.169.254"
#define FETCH_THIM_PATH		"/metadata/THIM/amd/certification"
#define FETCH_TDQUOTE_PATH	"/acc/tdquote"
#define FETCH_KDS_URL		"https://kdsintf.amd.com"
#define FETCH_PCS_URL		"https://api.trustedservices.intel.com"
#define FETCH_AZURE_PCCS_URL	"https://global.acccache.azure.net/sgx/certification/v4/"
#define FETCH_CONF		"/etc/cvmguard/fetch.conf"
#define FETCH_DCAP_MAX_AGE	(24 * 3600)	/* seconds a cached collateral is kept */
#define FETCH_CACHE_DIR		"/var/cache/cvmguard"
#define FETCH_ATTEMPTS		3
#define FETCH_BUDGET_MS		30000u		/* all attempts of one request */
#define FETCH_MAX_SIZE		(256u << 10)	/* a VCEK chain is ~5 KiB */
#define FETCH_CACHE_MAX_AGE	(7 * 24 * 3600)	/* seconds, when the source says none */

enum fetch_source {
	FETCH_SRC_THIM = 0,	/* Azure IMDS: JSON with vcekCert, certificateChain, tcbm */
	FETCH_SRC_KDS,		/* AMD KDS: VCEK (DER) and cert_chain (PEM) */
};

struct fetch_opts {
	enum fetch_source source;
	const char *imds_url;	/* base, FETCH_IMDS_URL unless a test points elsewhere */
	const char *kds_url;	/* base, FETCH_KDS_URL */
	const char *cache_dir;	/* NULL: no cache */
	unsigned int budget_ms;	/* total time of one request, FETCH_BUDGET_MS */
	bool offline;		/* the cache only: never the network */
	bool refresh;		/* skip the cache, fetch, then replace the entry */
	X509 *root;		/* the ARK the chain must end in; NULL: AMD's, pinned */
	X509 *intel_root;	/* a TD quote's root; NULL: Intel's SGX root, pinned */
	enum snp_product product; /* for KDS when the report does not say */
	const char *pccs_url;	/* DCAP collateral: --pccs, fetch.conf; NULL: default */
	char *pccs_conf;	/* pccs_url as fetch.conf gave it (ours to free) */
	bool azure;		/* the evidence came from Azure's paravisor (HCL report) */
};

/* A response header to keep (fetch_http_hdr()). */
struct fetch_hdr {
	const char *name;
	char *value;		/* malloc'ed, or NULL when the answer had none */
};

/* DCAP collateral for a TD quote, in dcap_collateral.h's JSON shape, verified. */
struct fetch_collateral {
	char *json;
	size_t len;
	bool from_cache;
	char fmspc[13];		/* hex, as the PCK certificate names it */
	const char *ca;		/* "processor" or "platform": the PCK's issuing CA */
	char source[512];	/* the PCCS base URL, or the cache file */
};

struct fetch_err {
	char url[512];
	long http;		/* the last HTTP status, 0 when none came */
	char msg[1024];		/* what went wrong, with the URL when one was asked */
};

/* The VCEK (or VLEK) chain a report needs, and where it came from. */
struct fetch_chain {
	X509 *vcek, *ask, *ark;
	enum snp_product product;
	bool from_cache;
	char source[512];	/* the URL, or the cache file */
};

/* fetch.c: one HTTP request. */
int fetch_cache_mkdir(const char *top, const char *sub);
int fetch_http(const char *url, const char *post_json, bool imds, unsigned int budget_ms,
	       uint8_t **out, size_t *len, struct fetch_err *e);
void fetch_opts_init(struct fetch_opts *o);

/* amd_fetch.c: the chain for a report, from the cache or the network. */
int fetch_snp_chain(const struct fetch_opts *o, const struct snp_report *r,
		    struct fetch_chain *c, struct fetch_err *e);
void fetch_chain_free(struct fetch_chain *c);
int fetch_thim_chain(const struct fetch_opts *o, const struct snp_report *r,
		     struct fetch_chain *c, struct fetch_err *e);
int fetch_chain_check(const struct fetch_opts *o, const struct snp_report *r,
		      struct fetch_chain *c, const char **why);
int fetch_thim_parse(const uint8_t *buf, size_t len, X509 **vcek, X509 **ask, X509 **ark,
		     uint64_t *tcbm, long *max_age);

int fetch_http_hdr(const char *url, const char *post_json, bool imds, unsigned int budget_ms,
		   struct fetch_hdr *want, size_t nwant, uint8_t **out, size_t *len,
		   struct fetch_err *e);

/* dcap_fetch.c: DCAP collateral for a TD quote, from the cache or a PCCS. */
int fetch_dcap_collateral(const struct fetch_opts *o, const uint8_t *quote, size_t qlen,
			  time_t now, struct fetch_collateral *c, struct fetch_err *e);
void fetch_collateral_free(struct fetch_collateral *c);
const char *fetch_pccs_base(const struct fetch_opts *o);
int fetch_config_load(struct fetch_opts *o);
int fetch_pccs_url_check(const char *url);

/* td_fetch.c: the TD quote for a TDREPORT, from IMDS. */
int fetch_td_quote(const struct fetch_opts *o, const uint8_t *tdreport, uint8_t **quote,
		   size_t *len, struct fetch_err *e);
int fetch_td_quote_unverified(const struct fetch_opts *o, const uint8_t *tdreport,
			      uint8_t **quote, size_t *len, struct fetch_err *e);

/* fetch_cmd.c: what `cvmguard fetch` and `cvmguard attest` share. */
enum {
	FETCH_OPT_SOURCE = 0x100,	/* --source thim|kds */
	FETCH_OPT_PRODUCT,		/* --product NAME */
	FETCH_OPT_TIMEOUT,		/* --timeout SEC */
	FETCH_OPT_OFFLINE,		/* --offline */
	FETCH_OPT_ROOT,			/* --root ARK.pem */
	FETCH_OPT_INTEL_ROOT,		/* --intel-root ROOT.pem */
	FETCH_OPT_PCCS,			/* --pccs URL */
};
int fetch_parse_opt(struct fetch_opts *o, int c, const char *arg);
int fetch_root_load(const char *path, X509 **out);
int fetch_error(const struct fetch_err *e, int ret);

#endif /* CVMG_FETCH_H */
