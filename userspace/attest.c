// SPDX-License-Identifier: GPL-2.0-only
/*
 * cvmguard attest [--nonce HEX] [--chain PEM | --no-chain] [--offline]
 *                 [--source thim|kds] [--product P] [--root ARK.pem] [--timeout SEC]
 *                 [--pccs URL | --no-collateral] [--no-log] -o BUNDLE [--json]
 *
 * Collects, in the guest, everything `cvmguard verify BUNDLE` needs offline into
 * one evidence bundle (Documentation/bundle.rst):
 *
 *   1. a fresh HCL report through the module, its user data = the nonce
 *      zero-padded to 64 bytes (hcl_nonce_user_data());
 *   2. on TDX, the TD quote for the TDREPORT from IMDS (td_fetch.c) unless
 *      --offline, and its DCAP collateral from the cache or a PCCS
 *      (dcap_fetch.c), so the bundle verifies offline with a TCB status; the AMD chain for an SNP report: --chain, else the certificate cache
 *      ($CVMGUARD_CERT_CACHE, else /var/cache/cvmguard), else fetched from
 *      IMDS's THIM endpoint or AMD's KDS (amd_fetch.c) unless --offline; none
 *      is an error unless --no-chain;
 *   3. a TPM2_Quote by the AK at 0x81000003 over PCRs 0-23 of the SHA-256 bank,
 *      qualifyingData = the nonce, and the PCR values it covers;
 *   4. the module's event log and the firmware's, when present (not --no-log).
 *
 * The module's log is read after the quote, so it holds every event the quote
 * covers and maybe later ones; the bundle keeps the prefix the quote covers
 * (tcg_log_fit()), so its log replays to the quoted PCRs even while measurements
 * keep coming.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/pem.h>

#include "amd_certs.h"
#include "bundle.h"
#include "cvmguard.h"
#include "device.h"
#include "fetch.h"
#include "hcl_report.h"
#include "info.h"
#include "measure.h"
#include "snp_report.h"
#include "tcg_log.h"
#include "tpm_attest.h"
#include "tpm_quote.h"
#include "verifier.h"

#define FW_LOG		"/sys/kernel/security/tpm0/binary_bios_measurements"
#define LOG_MAX		(64u << 20)
#define CHAIN_MAX	(1u << 20)
#define ATTEMPTS	5
#define DEFAULT_NONCE	32

struct attest {
	uint8_t nonce[64];
	size_t nonce_len;
	uint8_t *report;
	size_t report_len;
	uint32_t type;
	char *chain;			/* PEM */
	size_t chain_len;
	const char *chain_src;
	bool chain_fetched;		/* chain_src is ours to free */
	uint8_t *td_quote;		/* TDX: the TD quote for the TDREPORT, or NULL */
	size_t td_quote_len;
	struct fetch_collateral col;	/* TDX: its DCAP collateral (col.json NULL: none) */
	struct cvmg_quote quote;
	uint8_t *cvmg_log, *fw_log;
	size_t cvmg_log_len, fw_log_len;
	size_t cvmg_events, fw_events;
	size_t cvmg_later;		/* module events after the quote, left out */
	unsigned int attempts;
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: cvmguard attest [--nonce HEX] [--chain PEM | --no-chain] [--offline]\n"
		   "                       [--source thim|kds] [--product P] [--root ARK.pem]\n"
		   "                       [--intel-root ROOT.pem] [--timeout SEC]\n"
		   "                       [--pccs URL | --no-collateral] [--no-log]\n"
		   "                       -o BUNDLE [--json]\n\n"
		   "Write an evidence bundle for `cvmguard verify`: a fresh HCL report whose user\n"
		   "data is the nonce (zero-padded to 64 bytes), the AMD certificate chain (SNP)\n"
		   "or the TD quote from IMDS and its DCAP collateral (TDX), a TPM quote by the AK at 0x81000003 over\n"
		   "SHA-256 PCRs 0-23 with the nonce as qualifying data, and the module's and\n"
		   "the firmware's event logs.\n\n"
		   "  -n, --nonce HEX    the verifier's nonce, 1 to 64 bytes (default: 32 random)\n"
		   "  -c, --chain FILE   PEM chain: VCEK, ASK, ARK (default: the certificate\n"
		   "                     cache, $CVMGUARD_CERT_CACHE or " FETCH_CACHE_DIR ",\n"
		   "                     else fetched and checked, see cvmguard fetch -h)\n"
		   "      --no-chain     no chain in the bundle: the verifier brings its own\n"
		   "      --offline      never touch the network: the chain from the cache only,\n"
		   "                     and on TDX no TD quote\n"
		   "      --source S     where to fetch the chain: thim (IMDS, default) or kds\n"
		   "      --product P    Milan, Genoa or Turin, for kds and a version 2 report\n"
		   "      --root FILE    the ARK a fetched chain must end in (default: AMD's)\n"
		   "      --intel-root F TDX: the root the TD quote from IMDS must verify to\n"
		   "                     (default: Intel's SGX root)\n"
		   "      --timeout SEC  total time for each request, retries included (30)\n"
		   "      --pccs URL     TDX: where the DCAP collateral comes from (default:\n"
		   "                     fetch.conf's pccs-url, else Azure's\n"
		   "                     " FETCH_AZURE_PCCS_URL ")\n"
		   "      --no-collateral  TDX: no collateral in the bundle (the verifier brings\n"
		   "                     it, or reports the TCB unknown)\n"
		   "      --no-log       leave the event logs out\n"
		   "  -o, --output FILE  the bundle (- for stdout)\n"
		   "  -j, --json         print the summary as JSON\n"
		   "  -h, --help         this text\n"
		   "Exit: 0 written, 1 failed, 4 no AK or HCL report index (not a paravisor\n"
		   "      confidential VM), 5 no TPM, 8 fetching the chain, quote or collateral\n"
		   "      failed, 2 the collateral is stale, 64 usage or a bad fetch.conf,\n"
		   "      69 no module, 77 permission denied.\n");
}

/* --chain FILE: must be PEM certificates, the leaf first. */
static int chain_from_file(struct attest *a, const char *path)
{
	X509 *certs[4] = { 0 };
	uint8_t *buf = NULL;
	size_t len, n = 0, i;
	int ret;

	ret = cvmg_read_file(path, &buf, &len, CHAIN_MAX);
	if (ret) {
		cvmg_err("%s: %s", path, strerror(-ret));
		return ret;
	}
	ret = amd_chain_parse_pem(buf, len, certs, 4, &n);
	if (ret || n < 2) {
		cvmg_err("%s: not a PEM chain of at least the VCEK and the ASK", path);
		ret = -EBADMSG;
	} else {
		ret = amd_certs_pem(certs, n, &a->chain, &a->chain_len);
		a->chain_src = path;
	}
	for (i = 0; i < n; i++)
		X509_free(certs[i]);
	free(buf);
	return ret;
}

/*
 * The certificate cache, else THIM (or KDS with --source kds) unless --offline;
 * a fetched chain is checked against the report before it is used or cached.
 */
static int chain_fetched(struct attest *a, const struct hcl_report *h,
			 const struct fetch_opts *o)
{
	struct fetch_chain c;
	struct fetch_err e;
	struct snp_report r;
	X509 *certs[3];
	int ret;

	if (snp_report_parse(h->hw, h->hw_len, &r)) {
		cvmg_err("the HCL report's SNP report does not parse");
		return CVMG_EXIT_FAIL;
	}
	ret = fetch_snp_chain(o, &r, &c, &e);
	if (ret == -ENOENT) {
		cvmg_err("%s: give --chain, or --no-chain to leave it to the verifier", e.msg);
		return CVMG_EXIT_FAIL;
	}
	if (ret)
		return fetch_error(&e, ret);
	certs[0] = c.vcek;
	certs[1] = c.ask;
	certs[2] = c.ark;
	ret = amd_certs_pem(certs, 3, &a->chain, &a->chain_len);
	if (!ret && !(a->chain_src = strdup(c.source)))
		ret = -ENOMEM;
	fetch_chain_free(&c);
	if (ret) {
		cvmg_err("%s", strerror(-ret));
		return CVMG_EXIT_FAIL;
	}
	a->chain_fetched = true;
	return CVMG_EXIT_OK;
}

/*
 * TDX: the TD quote for the HCL report's TDREPORT, from IMDS and checked
 * (td_fetch.c). --offline leaves it out: the verifier then cannot check the
 * TDREPORT to hardware, and its default policy refuses the bundle (2).
 */
static int td_quote_fetched(struct attest *a, const struct hcl_report *h,
			    const struct fetch_opts *o)
{
	struct fetch_err e;
	int ret;

	if (o->offline) {
		cvmg_warn("--offline: no TD quote in the bundle; the TDREPORT cannot be "
			  "verified to hardware");
		return CVMG_EXIT_OK;
	}
	if (h->hw_len < TDX_REPORT_SIZE) {
		cvmg_err("the HCL report's TDREPORT is short");
		return CVMG_EXIT_FAIL;
	}
	ret = fetch_td_quote(o, h->hw, &a->td_quote, &a->td_quote_len, &e);
	return ret ? fetch_error(&e, ret) : CVMG_EXIT_OK;
}

/*
 * TDX: the quote's DCAP collateral, verified (dcap_fetch.c), for the bundle. Azure's
 * cache and Intel's PCS serve collateral signed by Intel's root only: with a
 * --intel-root (a test root) and no PCCS named, there is none that could verify.
 */
static int td_collateral_fetched(struct attest *a, const struct fetch_opts *o)
{
	struct fetch_err e;
	time_t now;
	int ret;

	if (o->intel_root && !o->pccs_url) {
		cvmg_warn("--intel-root without --pccs: no DCAP collateral in the bundle (the "
			  "default PCCS serves collateral for Intel's root only)");
		return CVMG_EXIT_OK;
	}
	if (cvmg_verify_now(&now))
		return CVMG_EXIT_USAGE;
	ret = fetch_dcap_collateral(o, a->td_quote, a->td_quote_len, now, &a->col, &e);
	return ret ? fetch_error(&e, ret) : CVMG_EXIT_OK;
}

/* A log file, or none (-ENOENT); the firmware's must be crypto-agile to be used. */
static int read_log(const char *path, uint8_t **buf, size_t *len, size_t *events)
{
	struct tcg_log log;
	int ret;

	ret = cvmg_read_file(path, buf, len, LOG_MAX);
	if (ret)
		return ret;
	ret = tcg_log_parse(*buf, *len, &log);
	*events = log.nr_events;
	tcg_log_free(&log);
	if (ret) {
		free(*buf);
		*buf = NULL;
	}
	return ret;
}

static int tpm_error(struct cvmg_tpm *tpm, int ret)
{
	switch (ret) {
	case -ENOENT:
		cvmg_err("no attestation key at 0x%08x: not a paravisor confidential VM",
			 CVMG_AK_HANDLE);
		return CVMG_EXIT_BUSY;
	case -EOPNOTSUPP:
		cvmg_err("the key at 0x%08x is not an RSA or ECC signing key", CVMG_AK_HANDLE);
		return CVMG_EXIT_FAIL;
	case -EAGAIN:
		cvmg_err("PCRs the event logs do not explain kept changing during the quote "
			 "(%d attempts)", ATTEMPTS);
		return CVMG_EXIT_FAIL;
	case -EPROTO:
		cvmg_err("the TPM's answer to PCR_Read or Quote is not what was asked");
		return CVMG_EXIT_FAIL;
	default:
		cvmg_err("TPM2_Quote failed: TPM response 0x%x", cvmg_tpm_last_rc(tpm));
		return CVMG_EXIT_FAIL;
	}
}

/*
 * Quote, then read the module's log: it holds every event the quote covers and
 * maybe later ones. tcg_log_fit() finds the prefix the quote covers (and repairs
 * PCR values a measurement moved between PCR_Read and Quote); the bundle keeps
 * that prefix. Only a PCR the logs do not explain moving makes it try again.
 */
static int quote_with_log(struct attest *a, bool with_log)
{
	struct tcg_log fw = { 0 }, own = { 0 };
	struct cvmg_tpm *tpm = NULL;
	struct tpm_quote parsed;
	size_t n = 0;
	int ret;

	if (!getenv("CVMGUARD_TCTI") && access("/dev/tpmrm0", R_OK | W_OK) && errno == EACCES) {
		cvmg_err("/dev/tpmrm0: permission denied (root or the tss group is needed)");
		return CVMG_EXIT_NOPERM;
	}
	ret = cvmg_tpm_open(&tpm);
	if (ret) {
		cvmg_err("no TPM (%s): the quote needs the vTPM",
			 getenv("CVMGUARD_TCTI") ? getenv("CVMGUARD_TCTI") : "/dev/tpmrm0");
		return CVMG_EXIT_NOTPM;
	}
	if (a->fw_log && tcg_log_parse(a->fw_log, a->fw_log_len, &fw)) {
		ret = tpm_error(tpm, -EPROTO);	/* parsed once already */
		goto out;
	}
	for (a->attempts = 1; a->attempts <= ATTEMPTS; a->attempts++) {
		ret = cvmg_tpm_quote(tpm, CVMG_AK_HANDLE, a->nonce, a->nonce_len, &a->quote);
		if (ret) {
			ret = tpm_error(tpm, ret);
			goto out;
		}
		free(a->cvmg_log);
		a->cvmg_log = NULL;
		tcg_log_free(&own);
		if (with_log) {
			ret = read_log(CVMG_SECURITYFS_LOG, &a->cvmg_log, &a->cvmg_log_len, &n);
			if (ret == -EBADMSG) {
				cvmg_err("%s: not a valid TCG log", CVMG_SECURITYFS_LOG);
				ret = CVMG_EXIT_FAIL;
				goto out;
			}
			if (ret == -EACCES || ret == -EPERM) {
				cvmg_err("%s: permission denied", CVMG_SECURITYFS_LOG);
				ret = CVMG_EXIT_NOPERM;
				goto out;
			}
			if (ret && a->attempts == 1)
				cvmg_warn("%s: %s; the bundle has no module log",
					  CVMG_SECURITYFS_LOG, strerror(-ret));
			if (a->cvmg_log && tcg_log_parse(a->cvmg_log, a->cvmg_log_len, &own)) {
				ret = tpm_error(tpm, -EPROTO);
				goto out;
			}
		}
		ret = tpm_quote_parse(a->quote.attest, a->quote.attest_len, &parsed);
		if (ret) {
			ret = tpm_error(tpm, -EPROTO);
			goto out;
		}
		ret = tcg_log_fit(a->fw_log ? &fw : NULL, a->cvmg_log ? &own : NULL,
				  a->quote.pcrs, parsed.pcr_digest, &a->cvmg_events);
		if (ret != -ESRCH)
			break;
		/*
		 * No prefix explains the quote. If the values as read do, the logs
		 * are what does not match (a PCR extended outside them): write the
		 * bundle anyway, whole log and all, for the verifier to judge.
		 */
		if (!tpm_quote_check_pcrs(&parsed, &a->quote.pcrs[0][0], sizeof(a->quote.pcrs))) {
			cvmg_warn("the event logs do not replay to the quoted PCRs (a PCR was "
				  "extended outside them): verify will name it");
			a->cvmg_events = own.nr_events;
			ret = 0;
			break;
		}
		cvmg_dbg("the PCRs moved during the quote in a way the logs do not explain; "
			 "taking it again");
	}
	if (ret == -ESRCH) {
		ret = tpm_error(tpm, -EAGAIN);
		goto out;
	}
	if (ret) {
		cvmg_err("the event logs cannot be replayed: %s", strerror(-ret));
		ret = CVMG_EXIT_FAIL;
		goto out;
	}
	a->cvmg_later = a->cvmg_log ? own.nr_events - a->cvmg_events : 0;
	if (a->cvmg_log)
		a->cvmg_log_len = tcg_log_prefix_len(&own, a->cvmg_events);
	ret = CVMG_EXIT_OK;
out:
	tcg_log_free(&fw);
	tcg_log_free(&own);
	cvmg_tpm_close(tpm);
	return ret;
}

static int write_bundle(struct attest *a, const char *path, size_t *size)
{
	struct bundle b = { 0 };
	uint8_t *out = NULL;
	int ret;

#define ADD(t, p, l) (b.s[b.n++] = (struct bundle_section_ref){ (t), (const uint8_t *)(p), \
								 (uint32_t)(l) })
	ADD(BUNDLE_HCL_REPORT, a->report, a->report_len);
	if (a->chain)
		ADD(BUNDLE_CERT_CHAIN, a->chain, a->chain_len);
	if (a->td_quote)
		ADD(BUNDLE_TD_QUOTE, a->td_quote, a->td_quote_len);
	if (a->col.json)
		ADD(BUNDLE_DCAP_COLLATERAL, a->col.json, a->col.len);
	ADD(BUNDLE_QUOTE_MSG, a->quote.attest, a->quote.attest_len);
	ADD(BUNDLE_QUOTE_SIG, a->quote.sig, a->quote.sig_len);
	ADD(BUNDLE_PCRS_SHA256, a->quote.pcrs, sizeof(a->quote.pcrs));
	if (a->fw_log)
		ADD(BUNDLE_EVENT_LOG, a->fw_log, a->fw_log_len);
	if (a->cvmg_log)
		ADD(BUNDLE_CVMG_LOG, a->cvmg_log, a->cvmg_log_len);
	ADD(BUNDLE_NONCE, a->nonce, a->nonce_len);
#undef ADD
	ret = bundle_write(&b, &out, size);
	if (!ret)
		ret = cvmg_write_file_atomic(path, out, *size, 0644);
	free(out);
	return ret;
}

static void summary(const struct attest *a, const char *path, size_t size, bool json)
{
	char nonce[129];
	const char *type = a->type == CVMGUARD_REPORT_SNP ? "snp" :
			   a->type == CVMGUARD_REPORT_TDX ? "tdx" : "unknown";
	FILE *f = strcmp(path, "-") ? stdout : stderr;

	cvmg_hex_encode(a->nonce, a->nonce_len, nonce);
	if (json) {
		json_object *o = cvmg_json_new();

		json_object_object_add(o, "bundle", json_object_new_string(path));
		json_object_object_add(o, "size", json_object_new_int64((int64_t)size));
		json_object_object_add(o, "type", json_object_new_string(type));
		json_object_object_add(o, "nonce", json_object_new_string(nonce));
		json_object_object_add(o, "chain", json_object_new_boolean(!!a->chain));
		json_object_object_add(o, "td_quote", json_object_new_boolean(!!a->td_quote));
		json_object_object_add(o, "dcap_collateral", json_object_new_boolean(!!a->col.json));
		json_object_object_add(o, "quote_pcrs", json_object_new_int(CVMG_QUOTE_PCRS));
		json_object_object_add(o, "cvmguard_log_events", json_object_new_int64(
			a->cvmg_log ? (int64_t)a->cvmg_events : -1));
		json_object_object_add(o, "firmware_log_events", json_object_new_int64(
			a->fw_log ? (int64_t)a->fw_events : -1));
		json_object_object_add(o, "cvmguard_events_after_quote",
				       json_object_new_int64((int64_t)a->cvmg_later));
		json_object_object_add(o, "attempts", json_object_new_int((int)a->attempts));
		cvmg_json_emit(f, o);
		return;
	}
	fprintf(f, "bundle:        %s, %zu bytes\n", path, size);
	fprintf(f, "hcl report:    %s hardware report, %zu bytes\n", type, a->report_len);
	fprintf(f, "nonce:         %s\n", nonce);
	if (a->type == CVMGUARD_REPORT_TDX) {
		fprintf(f, "td quote:      %s\n", a->td_quote ? "from IMDS, checked" : "none (--offline)");
		if (a->col.json)
			fprintf(f, "collateral:    FMSPC %s (PCK %s CA), from %s%s, verified\n",
				a->col.fmspc, a->col.ca, a->col.source,
				a->col.from_cache ? " (cached)" : "");
		else
			fprintf(f, "collateral:    none: the verifier's TCB status is unknown\n");
	}
	else
		fprintf(f, "chain:         %s\n", a->chain ? a->chain_src : "none (--no-chain)");
	fprintf(f, "quote:         AK 0x%08x, SHA-256 PCRs 0-%d\n", CVMG_AK_HANDLE,
		CVMG_QUOTE_PCRS - 1);
	if (a->cvmg_log && a->cvmg_later)
		fprintf(f, "module log:    %zu events (%zu later ones, after the quote, left out)\n",
			a->cvmg_events, a->cvmg_later);
	else if (a->cvmg_log)
		fprintf(f, "module log:    %zu events\n", a->cvmg_events);
	else
		fprintf(f, "module log:    none\n");
	if (a->fw_log)
		fprintf(f, "firmware log:  %zu events\n", a->fw_events);
	else
		fprintf(f, "firmware log:  none\n");
	fprintf(f, "Verify with:   cvmguard verify %s --nonce %s --root ARK.pem\n", path, nonce);
}

int cmd_attest(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "nonce", required_argument, NULL, 'n' },
		{ "chain", required_argument, NULL, 'c' },
		{ "no-chain", no_argument, NULL, 'C' },
		{ "no-log", no_argument, NULL, 'L' },
		{ "output", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "offline", no_argument, NULL, FETCH_OPT_OFFLINE },
		{ "source", required_argument, NULL, FETCH_OPT_SOURCE },
		{ "product", required_argument, NULL, FETCH_OPT_PRODUCT },
		{ "root", required_argument, NULL, FETCH_OPT_ROOT },
		{ "intel-root", required_argument, NULL, FETCH_OPT_INTEL_ROOT },
		{ "timeout", required_argument, NULL, FETCH_OPT_TIMEOUT },
		{ "pccs", required_argument, NULL, FETCH_OPT_PCCS },
		{ "no-collateral", no_argument, NULL, 'D' },
		{}
	};
	struct fetch_opts fo;
	const char *nonce_hex = NULL, *chain_path = NULL, *out = NULL;
	bool no_chain = false, no_log = false, json = false, no_col = false;
	uint8_t ud[HCL_USER_DATA_LEN];
	struct hcl_claims claims = { 0 };
	struct attest a = { 0 };
	struct hcl_report h;
	size_t size = 0;
	int c, ret, rc;

	fetch_opts_init(&fo);
	while ((c = getopt_long(argc, argv, "n:c:o:jh", opts, NULL)) != -1) {
		ret = fetch_parse_opt(&fo, c, optarg);
		if (ret < 0) {
			rc = CVMG_EXIT_USAGE;
			goto out;
		}
		if (!ret)
			continue;
		switch (c) {
		case 'n': nonce_hex = optarg; break;
		case 'c': chain_path = optarg; break;
		case 'C': no_chain = true; break;
		case 'L': no_log = true; break;
		case 'D': no_col = true; break;
		case 'o': out = optarg; break;
		case 'j': json = true; break;
		case 'h': usage(stdout); rc = CVMG_EXIT_OK; goto out;
		default: usage(stderr); rc = CVMG_EXIT_USAGE; goto out;
		}
	}
	rc = CVMG_EXIT_USAGE;
	if (optind != argc || !out || (chain_path && no_chain) || (no_col && fo.pccs_url)) {
		if (!out && optind == argc)
			cvmg_err("no bundle to write (-o BUNDLE)");
		else if (no_col && fo.pccs_url)
			cvmg_err("--pccs and --no-collateral: one or the other");
		usage(stderr);
		goto out;
	}
	if (fetch_config_load(&fo))
		goto out;
	fo.azure = true;	/* the evidence comes from Azure's paravisor */
	if (nonce_hex) {
		if (cvmg_hex_arg("--nonce", nonce_hex, a.nonce, 1, sizeof(a.nonce), &a.nonce_len))
			goto out;
	} else {
		a.nonce_len = DEFAULT_NONCE;
		if (getrandom(a.nonce, a.nonce_len, 0) != (ssize_t)a.nonce_len) {
			cvmg_err("getrandom: %s", strerror(errno));
			rc = CVMG_EXIT_FAIL;
			goto out;
		}
	}
	hcl_nonce_user_data(a.nonce, a.nonce_len, ud);

	/* 1. The HCL report, bound to the nonce. */
	ret = cvmg_dev_open();
	if (ret < 0) {
		rc = cvmg_report_device_error(ret, false);
		goto out;
	}
	close(ret);
	ret = cvmg_dev_get_evidence(ud, &a.report, &a.report_len, &a.type);
	if (ret) {
		rc = cvmg_evidence_error(ret, false);
		goto out;
	}
	rc = CVMG_EXIT_FAIL;
	if (hcl_report_parse(a.report, a.report_len, &h) ||
	    hcl_claims_parse(h.claims, h.claims_len, &claims)) {
		cvmg_err("the paravisor's HCL report does not parse");
		goto out;
	}
	if (!claims.has_user_data || memcmp(claims.user_data, ud, sizeof(ud))) {
		cvmg_err("the HCL report's claims do not carry the nonce as user-data");
		goto out;
	}

	/* 2. The AMD chain (an SNP report only: a TDREPORT has none). */
	if (h.rt_report_type == HCL_REPORT_SNP && !no_chain && chain_path) {
		if (chain_from_file(&a, chain_path))
			goto out;
	} else if (h.rt_report_type == HCL_REPORT_SNP && !no_chain) {
		rc = chain_fetched(&a, &h, &fo);
		if (rc)
			goto out;
		rc = CVMG_EXIT_FAIL;
	} else if (h.rt_report_type == HCL_REPORT_TDX) {
		rc = td_quote_fetched(&a, &h, &fo);
		if (!rc && a.td_quote && !no_col)
			rc = td_collateral_fetched(&a, &fo);
		if (rc)
			goto out;
		rc = CVMG_EXIT_FAIL;
	}

	/* 4a. The firmware's log is final once the OS runs: read it once. */
	if (!no_log) {
		ret = read_log(FW_LOG, &a.fw_log, &a.fw_log_len, &a.fw_events);
		if (ret == -EBADMSG)
			cvmg_warn("%s: not a crypto-agile TCG log; left out", FW_LOG);
		else if (ret && ret != -ENOENT)
			cvmg_warn("%s: %s; left out", FW_LOG, strerror(-ret));
	}

	/* 3, 4b. The quote and the module's log, consistent with each other. */
	rc = quote_with_log(&a, !no_log);
	if (rc)
		goto out;

	ret = write_bundle(&a, out, &size);
	if (ret) {
		cvmg_err("%s: %s", out, strerror(-ret));
		rc = CVMG_EXIT_FAIL;
		goto out;
	}
	summary(&a, out, size, json);
	rc = CVMG_EXIT_OK;
out:
	hcl_claims_free(&claims);
	free(a.report);
	free(a.chain);
	free(a.cvmg_log);
	free(a.fw_log);
	if (a.chain_fetched)
		free((char *)a.chain_src);
	X509_free(fo.root);
	X509_free(fo.intel_root);
	free(a.td_quote);
	fetch_collateral_free(&a.col);
	free(fo.pccs_conf);
	return rc;
}
