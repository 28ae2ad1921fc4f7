// SPDX-License-Identifier: GPL-2.0-only
/*
 * cvmguard fetch [--source thim|kds] [--product NAME] [--cache DIR | --no-cache]
 *                [--offline | --refresh] [--root ARK.pem] [--timeout SEC]
 *                [--intel-root ROOT.pem] [--pccs URL] [--collateral-out FILE]
 *                [-o OUT] REPORT
 *
 * For an SNP report (an HCL report or a bare one): the VCEK chain, from the
 * certificate cache or fetched from IMDS's THIM endpoint or AMD's KDS, checked
 * against the report before it is cached or written (amd_fetch.c).
 * For a TDREPORT (an Azure TDX HCL report or a bare one): the TD quote from
 * IMDS's quote endpoint, checked against the TDREPORT and the root (td_fetch.c),
 * and with --collateral-out its DCAP collateral. For a TD quote: its DCAP
 * collateral from the cache or a PCCS, verified before it is cached or written
 * (dcap_fetch.c).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "amd_certs.h"
#include "cvmguard.h"
#include "fetch.h"
#include "hcl_report.h"
#include "tdx_quote.h"
#include "verifier.h"

#define REPORT_MAX	(1u << 20)

enum { OPT_COLLATERAL_OUT = 0x200 };

static void usage(FILE *f)
{
	fprintf(f, "Usage: cvmguard fetch [--source thim|kds] [--product NAME]\n"
		   "                      [--cache DIR | --no-cache] [--offline | --refresh]\n"
		   "                      [--root ARK.pem] [--intel-root ROOT.pem] [--timeout SEC]\n"
		   "                      [--pccs URL] [--collateral-out FILE] [-o OUT] REPORT\n\n"
		   "For an SNP report (an HCL report or a bare one) get the VCEK, ASK and ARK:\n"
		   "from the certificate cache, else from Azure's THIM endpoint on IMDS or from\n"
		   "AMD's KDS; what comes from the network is checked against the report (TCB,\n"
		   "chip ID, the report's signature, the chain to the root) before it is cached.\n"
		   "For a TDREPORT (an Azure TDX HCL report or a bare one) get its TD quote from\n"
		   "IMDS (" FETCH_IMDS_URL FETCH_TDQUOTE_PATH "), checked to be for this\n"
		   "TDREPORT and to verify to Intel's root. For a TD quote get its DCAP collateral\n"
		   "(TCB info, QE identity, CRLs, issuer chains) from the cache or a PCCS, verified\n"
		   "to Intel's root before it is cached or written, as `verify --collateral` reads it.\n\n"
		   "  -s, --source S     thim (default: " FETCH_IMDS_URL FETCH_THIM_PATH ")\n"
		   "                     or kds (" FETCH_KDS_URL ")\n"
		   "  -p, --product P    Milan, Genoa or Turin, for KDS when the report does not say\n"
		   "  -C, --cache DIR    the certificate cache (default: $CVMGUARD_CERT_CACHE or\n"
		   "                     " FETCH_CACHE_DIR ")\n"
		   "      --no-cache     neither read nor write a cache\n"
		   "      --offline      the cache only: never touch the network\n"
		   "      --refresh      fetch even when cached, and replace the entry\n"
		   "  -r, --root FILE    the ARK the chain must end in (default: AMD's, pinned)\n"
		   "      --intel-root F the root a TD quote must verify to (default: Intel's\n"
		   "                     SGX root, pinned)\n"
		   "  -t, --timeout SEC  total time for each request, its retries included (30)\n"
		   "      --pccs URL     the PCCS for DCAP collateral (default: fetch.conf's\n"
		   "                     pccs-url, else for an HCL report Azure's\n"
		   "                     " FETCH_AZURE_PCCS_URL ",\n"
		   "                     else Intel's PCS " FETCH_PCS_URL ")\n"
		   "      --collateral-out FILE  write the DCAP collateral (JSON) there; for a\n"
		   "                     TDREPORT, fetch the collateral of its quote too\n"
		   "  -o, --output FILE  write the chain as PEM: VCEK, ASK, ARK; the TD quote;\n"
		   "                     for a TD quote, its collateral (- for stdout)\n"
		   "  -h, --help         this text\n"
		   "Exit: 0 got it, 1 not cached and --offline, 2 the collateral is authentic but\n"
		   "      stale, 3 REPORT is not a report, 8 the fetch failed or its answer does\n"
		   "      not fit the report or does not verify, 64 usage or a bad fetch.conf.\n");
}

/**
 * fetch_root_load() - read --root: one certificate, PEM or DER
 * @path: the file
 * @out: receives the certificate
 *
 * Return: 0, or a negative errno (printed, naming @path).
 */
int fetch_root_load(const char *path, X509 **out)
{
	uint8_t *buf = NULL;
	size_t len;
	int ret;

	ret = cvmg_read_file(path, &buf, &len, REPORT_MAX);
	if (ret)
		cvmg_err("%s: %s", path, strerror(-ret));
	else if ((ret = amd_cert_parse(buf, len, out)))
		cvmg_err("%s: not a certificate (PEM or DER)", path);
	free(buf);
	return ret;
}

/**
 * fetch_error() - print a fetch_snp_chain() failure and pick the exit code
 * @e: what fetch_snp_chain() said
 * @ret: what it returned
 *
 * Return: CVMG_EXIT_FAIL for "offline and not cached", CVMG_EXIT_POLICY for stale
 * DCAP collateral, else CVMG_EXIT_FETCH.
 */
int fetch_error(const struct fetch_err *e, int ret)
{
	cvmg_err("%s", e->msg[0] ? e->msg : strerror(-ret));
	if (ret == -ESTALE)
		return CVMG_EXIT_POLICY;	/* authentic, out of its window: issue 14 */
	return ret == -ENOENT ? CVMG_EXIT_FAIL : CVMG_EXIT_FETCH;
}

/**
 * fetch_parse_opt() - the options fetch and attest share
 * @o: the options to set
 * @c: getopt's answer
 * @arg: its argument
 *
 * Return: 0, 1 when @c is not one of them, or -EINVAL (printed).
 */
int fetch_parse_opt(struct fetch_opts *o, int c, const char *arg)
{
	char *end;
	unsigned long s;

	switch (c) {
	case FETCH_OPT_SOURCE:
		if (!strcmp(arg, "thim"))
			o->source = FETCH_SRC_THIM;
		else if (!strcmp(arg, "kds"))
			o->source = FETCH_SRC_KDS;
		else
			goto bad;
		return 0;
	case FETCH_OPT_PRODUCT:
		o->product = snp_product_from_name(arg);
		if (o->product == SNP_PRODUCT_UNKNOWN)
			goto bad;
		return 0;
	case FETCH_OPT_TIMEOUT:
		errno = 0;
		s = strtoul(arg, &end, 10);
		if (errno || *end || !s || s > 600)
			goto bad;
		o->budget_ms = (unsigned int)s * 1000;
		return 0;
	case FETCH_OPT_OFFLINE:
		o->offline = true;
		return 0;
	case FETCH_OPT_ROOT:
		X509_free(o->root);
		o->root = NULL;
		return fetch_root_load(arg, &o->root) ? -EINVAL : 0;
	case FETCH_OPT_INTEL_ROOT:
		X509_free(o->intel_root);
		o->intel_root = NULL;
		return fetch_root_load(arg, &o->intel_root) ? -EINVAL : 0;
	case FETCH_OPT_PCCS:
		if (fetch_pccs_url_check(arg)) {
			cvmg_err("--pccs: '%s' is not an http:// or https:// URL without a query",
				 arg);
			return -EINVAL;
		}
		o->pccs_url = arg;
		return 0;
	default:
		return 1;
	}
bad:
	cvmg_err("--%s: '%s' is not %s", c == FETCH_OPT_SOURCE ? "source" :
		 c == FETCH_OPT_PRODUCT ? "product" : "timeout", arg,
		 c == FETCH_OPT_SOURCE ? "thim or kds" :
		 c == FETCH_OPT_PRODUCT ? "Milan, Genoa or Turin" : "1 to 600 seconds");
	return -EINVAL;
}

/*
 * REPORT: an HCL report (SNP or TDX), a bare SNP report or a bare TDREPORT.
 * Sets @tdreport for TDX, fills @r for SNP.
 */
static int load_report(const char *path, struct snp_report *r, uint8_t **buf,
		       const uint8_t **tdreport, size_t *qlen, bool *azure)
{
	struct hcl_report h;
	struct tdx_report td;
	struct tdx_quote q;
	size_t len;
	int ret;

	*tdreport = NULL;
	*qlen = 0;
	*azure = false;
	ret = cvmg_read_file(path, buf, &len, REPORT_MAX);
	if (ret) {
		cvmg_err("%s: %s", path, strerror(-ret));
		return CVMG_EXIT_USAGE;
	}
	if (tdx_quote_is_quote(*buf, len)) {
		if (tdx_quote_parse(*buf, len, &q)) {
			cvmg_err("%s: a TD quote that does not parse", path);
			return CVMG_EXIT_MALFORMED;
		}
		*qlen = len;
		return 0;
	}
	if (!hcl_report_parse(*buf, len, &h)) {
		*azure = true;	/* an HCL report: Azure's paravisor made it */
		if (h.rt_report_type == HCL_REPORT_TDX && h.hw_len >= TDX_REPORT_SIZE &&
		    !tdx_report_parse(h.hw, h.hw_len, &td)) {
			*tdreport = h.hw;
			return 0;
		}
		if (h.rt_report_type != HCL_REPORT_SNP || snp_report_parse(h.hw, h.hw_len, r)) {
			cvmg_err("%s: an HCL report without an SNP report or a TDREPORT", path);
			return CVMG_EXIT_MALFORMED;
		}
		return 0;
	}
	if (len == TDX_REPORT_SIZE && !tdx_report_parse(*buf, len, &td)) {
		*tdreport = *buf;
		return 0;
	}
	if (snp_report_parse(*buf, len, r)) {
		cvmg_err("%s: neither an HCL report nor an SNP report or TDREPORT", path);
		return CVMG_EXIT_MALFORMED;
	}
	return 0;
}

static int write_out(const char *out, const void *buf, size_t len)
{
	int ret = 0;

	if (out && strcmp(out, "-"))
		ret = cvmg_write_file_atomic(out, buf, len, 0644);
	else if (out && (fwrite(buf, 1, len, stdout) != len || fflush(stdout)))
		ret = -EIO;
	if (ret) {
		cvmg_err("%s: %s", out, strerror(-ret));
		return CVMG_EXIT_FAIL;
	}
	return CVMG_EXIT_OK;
}

/* The DCAP collateral for a TD quote, written to @out. */
static int collateral(const struct fetch_opts *o, const char *path, const uint8_t *quote,
		      size_t qlen, const char *out)
{
	struct fetch_collateral c;
	struct fetch_err e;
	time_t now;
	int ret, rc;

	if (cvmg_verify_now(&now))
		return CVMG_EXIT_USAGE;
	ret = fetch_dcap_collateral(o, quote, qlen, now, &c, &e);
	if (ret)
		return fetch_error(&e, ret);
	fprintf(stderr, "%s: DCAP collateral for FMSPC %s (PCK %s CA) from %s%s\n", path,
		c.fmspc, c.ca, c.source, c.from_cache ? " (cached)" : "");
	rc = write_out(out, c.json, c.len);
	fetch_collateral_free(&c);
	return rc;
}

/* The TD quote for a TDREPORT, written to @out; its collateral to @col_out. */
static int td_quote(const struct fetch_opts *o, const char *path, const uint8_t *tdreport,
		    const char *out, const char *col_out)
{
	struct fetch_err e;
	uint8_t *quote = NULL;
	size_t len = 0;
	int ret, rc;

	ret = fetch_td_quote(o, tdreport, &quote, &len, &e);
	if (ret)
		return fetch_error(&e, ret);
	fprintf(stderr, "%s: TD quote, %zu bytes, from %s%s (verified to the root, for this "
		"TDREPORT)\n", path, len, o->imds_url, FETCH_TDQUOTE_PATH);
	rc = write_out(out, quote, len);
	if (!rc && col_out)
		rc = collateral(o, path, quote, len, col_out);
	free(quote);
	return rc;
}

static int write_chain(const struct fetch_chain *c, const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;
	int ok;

	if (!f) {
		cvmg_err("%s: %s", path, strerror(errno));
		return CVMG_EXIT_FAIL;
	}
	ok = PEM_write_X509(f, c->vcek) == 1 && PEM_write_X509(f, c->ask) == 1 &&
	     PEM_write_X509(f, c->ark) == 1;
	if (f != stdout)
		ok = !fclose(f) && ok;
	else
		ok = !fflush(f) && ok;
	if (!ok) {
		cvmg_err("%s: write failed", path);
		return CVMG_EXIT_FAIL;
	}
	return CVMG_EXIT_OK;
}

int cmd_fetch(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "source", required_argument, NULL, FETCH_OPT_SOURCE },
		{ "product", required_argument, NULL, FETCH_OPT_PRODUCT },
		{ "cache", required_argument, NULL, 'C' },
		{ "no-cache", no_argument, NULL, 'N' },
		{ "offline", no_argument, NULL, FETCH_OPT_OFFLINE },
		{ "refresh", no_argument, NULL, 'R' },
		{ "root", required_argument, NULL, FETCH_OPT_ROOT },
		{ "intel-root", required_argument, NULL, FETCH_OPT_INTEL_ROOT },
		{ "timeout", required_argument, NULL, FETCH_OPT_TIMEOUT },
		{ "pccs", required_argument, NULL, FETCH_OPT_PCCS },
		{ "collateral-out", required_argument, NULL, OPT_COLLATERAL_OUT },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *out = NULL, *col_out = NULL;
	struct fetch_opts o;
	struct fetch_chain c = { 0 };
	struct fetch_err e;
	struct snp_report r;
	const uint8_t *tdreport = NULL;
	uint8_t *buf = NULL;
	bool no_cache = false;
	size_t qlen = 0;
	int ch, ret, rc = CVMG_EXIT_USAGE;

	fetch_opts_init(&o);
	while ((ch = getopt_long(argc, argv, "s:p:C:r:t:o:h", opts, NULL)) != -1) {
		ret = fetch_parse_opt(&o, ch, optarg);
		if (ret < 0)
			goto out;
		if (!ret)
			continue;
		switch (ch) {
		case 'C': o.cache_dir = optarg; break;
		case 'N': no_cache = true; break;
		case 'R': o.refresh = true; break;
		case 'o': out = optarg; break;
		case OPT_COLLATERAL_OUT: col_out = optarg; break;
		case 'h': usage(stdout); rc = CVMG_EXIT_OK; goto out;
		default: usage(stderr); goto out;
		}
	}
	if (optind + 1 != argc || (o.offline && (o.refresh || no_cache))) {
		if (optind == argc)
			cvmg_err("no REPORT to fetch the chain for");
		else if (o.offline)
			cvmg_err("--offline needs the cache: not with --refresh or --no-cache");
		usage(stderr);
		goto out;
	}
	if (no_cache)
		o.cache_dir = NULL;
	if (fetch_config_load(&o))
		goto out;
	rc = load_report(argv[optind], &r, &buf, &tdreport, &qlen, &o.azure);
	if (rc)
		goto out;
	if (qlen) {
		if (out && col_out && strcmp(out, col_out)) {
			cvmg_err("a TD quote's output is its collateral: -o or --collateral-out");
			rc = CVMG_EXIT_USAGE;
			goto out;
		}
		rc = collateral(&o, argv[optind], buf, qlen, col_out ?: out);
		goto out;
	}
	if (tdreport) {
		rc = td_quote(&o, argv[optind], tdreport, out, col_out);
		goto out;
	}
	if (col_out) {
		cvmg_err("--collateral-out: DCAP collateral is for TDX evidence, not an SNP report");
		rc = CVMG_EXIT_USAGE;
		goto out;
	}
	ret = fetch_snp_chain(&o, &r, &c, &e);
	if (ret) {
		rc = fetch_error(&e, ret);
		goto out;
	}
	fprintf(stderr, "%s: %s chain from %s%s\n", argv[optind], snp_product_name(c.product),
		c.source, c.from_cache ? " (cached)" : "");
	rc = out ? write_chain(&c, out) : CVMG_EXIT_OK;
out:
	fetch_chain_free(&c);
	X509_free(o.root);
	X509_free(o.intel_root);
	free(o.pccs_conf);
	free(buf);
	return rc;
}
