// SPDX-License-Identifier: GPL-2.0-only
/*
 * cvmguard verify FILE [--vcek DER|PEM] [--chain PEM] [--root PEM] [--nonce HEX]
 *                      [--td-quote FILE] [--collateral JSON] [--intel-root PEM]
 *                      [--time RFC3339] [--policy FILE] [--json]
 *
 * Verifies a raw SNP report, an HCL report, a TD quote or an evidence bundle (told
 * apart by content) offline and prints every claim and check. The form of this command is
 * a contract: tests outside the project use it.
 *
 * Environment: CVMGUARD_CERT_CACHE names a certificate cache directory (layout in
 * amd_certtable.c); CVMGUARD_VERIFY_TIME (seconds since the epoch) replaces the
 * current time for certificate validity, for replaying old evidence.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "amd_certs.h"
#include "cvmguard.h"
#include "dcap_collateral.h"
#include "verifier.h"

#define MAX_FILE (1 << 24)
#define MAX_CERTS 8

static void usage(FILE *f)
{
	fprintf(f, "Usage: cvmguard verify FILE [--vcek DER|PEM] [--chain PEM] [--root PEM]\n"
		   "                       [--td-quote FILE] [--collateral JSON] [--intel-root PEM]\n"
		   "                       [--time RFC3339] [--nonce HEX] [--policy FILE] [--json]\n"
		   "FILE is a raw SNP report, an HCL report, a TD quote or an evidence bundle.\n"
		   "  --vcek FILE    the VCEK (or VLEK) that signed the report\n"
		   "  --chain FILE   PEM chain: VCEK, ASK, ARK (or ASK, ARK)\n"
		   "  --root FILE    trust this ARK instead of AMD's pinned roots\n"
		   "  --td-quote FILE   TD quote for a TDX HCL report's TDREPORT\n"
		   "  --collateral FILE DCAP collateral (PCS JSON) for the TD quote's TCB status\n"
		   "  --intel-root FILE trust this root instead of Intel's pinned SGX Root CA\n"
		   "  --time RFC3339    verify at this instant (certificates, CRLs, collateral)\n"
		   "  --nonce HEX    expected REPORT_DATA / user-data / quote nonce\n"
		   "  --policy FILE  appraisal policy (see cvmguard(8))\n"
		   "  --json         print the result as JSON\n"
		   "Exit: 0 verified, 1 signature/chain/binding failure, 2 policy violation\n"
		   "      (TDX: TCB unknown, stale collateral, status not allowed),\n"
		   "      3 malformed input, 64 usage error.\n");
}

static int load_certs(const char *path, X509 **certs, size_t *n)
{
	uint8_t *buf = NULL;
	size_t len;
	int ret;

	ret = cvmg_read_file(path, &buf, &len, MAX_FILE);
	if (ret) {
		cvmg_err("%s: %s", path, strerror(-ret));
		return ret;
	}
	if (len && buf[0] == 0x30) {
		ret = amd_cert_parse(buf, len, certs);
		*n = ret ? 0 : 1;
	} else {
		ret = amd_chain_parse_pem(buf, len, certs, MAX_CERTS, n);
	}
	if (ret)
		cvmg_err("%s: not a certificate (DER) or certificates (PEM)", path);
	free(buf);
	return ret;
}

static void print_text(json_object *res)
{
	json_object *checks, *viol, *claims, *v;
	size_t i;

	json_object_object_get_ex(res, "claims", &claims);
	json_object_object_get_ex(res, "checks", &checks);
	json_object_object_get_ex(res, "policy_violations", &viol);
	json_object_object_get_ex(res, "evidence", &v);
	printf("evidence: %s\n", json_object_get_string(v));
	printf("claims:\n");
	json_object_object_foreach(claims, key, val) {
		if (json_object_is_type(val, json_type_object)) {
			printf("  %s:\n", key);
			json_object_object_foreach(val, k2, v2)
				printf("    %s: %s\n", k2, json_object_to_json_string_ext(v2,
				       JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		} else {
			printf("  %s: %s\n", key, json_object_get_string(val));
		}
	}
	printf("checks:\n");
	for (i = 0; i < json_object_array_length(checks); i++) {
		json_object *c = json_object_array_get_idx(checks, i), *n, *r, *d;

		json_object_object_get_ex(c, "name", &n);
		json_object_object_get_ex(c, "result", &r);
		json_object_object_get_ex(c, "detail", &d);
		printf("  [%s] %s: %s\n", !strcmp(json_object_get_string(r), "fail") ? "FAIL" :
		       json_object_get_string(r), json_object_get_string(n),
		       json_object_get_string(d));
	}
	if (json_object_array_length(viol)) {
		printf("policy violations:\n");
		for (i = 0; i < json_object_array_length(viol); i++) {
			json_object *c = json_object_array_get_idx(viol, i), *n, *d;

			json_object_object_get_ex(c, "name", &n);
			json_object_object_get_ex(c, "detail", &d);
			printf("  [FAIL] %s: %s\n", json_object_get_string(n),
			       json_object_get_string(d));
		}
	}
	if (json_object_object_get_ex(res, "notes", &v))
		for (i = 0; i < json_object_array_length(v); i++)
			printf("note: %s\n", json_object_get_string(json_object_array_get_idx(v, i)));
	json_object_object_get_ex(res, "verdict", &v);
	printf("verdict: %s\n", json_object_get_string(v));
}

int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "vcek", required_argument, NULL, 'k' },
		{ "chain", required_argument, NULL, 'c' },
		{ "root", required_argument, NULL, 'r' },
		{ "nonce", required_argument, NULL, 'n' },
		{ "policy", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "td-quote", required_argument, NULL, 'q' },
		{ "collateral", required_argument, NULL, 'C' },
		{ "intel-root", required_argument, NULL, 'I' },
		{ "time", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *vcek_path = NULL, *chain_path = NULL, *root_path = NULL;
	const char *nonce_hex = NULL, *policy_path = NULL, *t;
	const char *tdq_path = NULL, *col_path = NULL, *iroot_path = NULL, *time_arg = NULL;
	uint8_t *tdq = NULL, *col = NULL;
	X509 *iroot[MAX_CERTS] = { 0 };
	size_t ni = 0;
	time_t at;
	struct verifier_input in = { 0 };
	struct cvmg_policy policy;
	X509 *vcek[MAX_CERTS] = { 0 }, *chain[MAX_CERTS] = { 0 }, *roots[MAX_CERTS] = { 0 };
	uint8_t *file = NULL, *ptext = NULL, nonce[64];
	json_object *res = NULL;
	size_t nv = 0, nc = 0, nr = 0, len, plen, i;
	bool json = false;
	int opt, ret, line, rc = CVMG_EXIT_USAGE;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'k': vcek_path = optarg; break;
		case 'c': chain_path = optarg; break;
		case 'r': root_path = optarg; break;
		case 'n': nonce_hex = optarg; break;
		case 'p': policy_path = optarg; break;
		case 'j': json = true; break;
		case 'q': tdq_path = optarg; break;
		case 'C': col_path = optarg; break;
		case 'I': iroot_path = optarg; break;
		case 't': time_arg = optarg; break;
		case 'h': usage(stdout); return CVMG_EXIT_OK;
		default: usage(stderr); return CVMG_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return CVMG_EXIT_USAGE;
	}
	if (nonce_hex) {
		ret = cvmg_hex_decode(nonce_hex, nonce, sizeof(nonce), &in.nonce_len);
		if (ret) {
			cvmg_err("--nonce: expected at most 64 bytes of hex");
			return CVMG_EXIT_USAGE;
		}
		in.nonce = nonce;
	}
	if (time_arg && cvmg_parse_rfc3339(time_arg, &at)) {
		cvmg_err("--time: expected RFC 3339 UTC, e.g. 2025-06-19T10:33:27Z");
		return CVMG_EXIT_USAGE;
	}
	if (tdq_path && (ret = cvmg_read_file(tdq_path, &tdq, &in.td_quote_len, MAX_FILE))) {
		cvmg_err("%s: %s", tdq_path, strerror(-ret));
		goto out;
	}
	if (col_path && (ret = cvmg_read_file(col_path, &col, &in.collateral_len, MAX_FILE))) {
		cvmg_err("%s: %s", col_path, strerror(-ret));
		goto out;
	}
	if (iroot_path && (load_certs(iroot_path, iroot, &ni) || ni != 1)) {
		cvmg_err("%s: expected one root certificate", iroot_path);
		goto out;
	}
	rc = CVMG_EXIT_MALFORMED;
	ret = cvmg_read_file(argv[optind], &file, &len, MAX_FILE);
	if (ret) {
		cvmg_err("%s: %s", argv[optind], strerror(-ret));
		rc = ret == -ENOENT || ret == -EACCES ? CVMG_EXIT_USAGE : CVMG_EXIT_MALFORMED;
		goto out;
	}
	/* TDX inputs with evidence they cannot apply to: refuse, never ignore */
	if ((tdq || col) && verifier_detect(file, len) == VERIFIER_SNP_REPORT) {
		cvmg_err("--td-quote and --collateral apply to TDX evidence, not an SNP report");
		rc = CVMG_EXIT_USAGE;
		goto out;
	}
	if (tdq && verifier_detect(file, len) == VERIFIER_TD_QUOTE) {
		cvmg_err("%s is a TD quote: --td-quote goes with an HCL report", argv[optind]);
		rc = CVMG_EXIT_USAGE;
		goto out;
	}
	if ((vcek_path && load_certs(vcek_path, vcek, &nv)) ||
	    (chain_path && load_certs(chain_path, chain, &nc)) ||
	    (root_path && load_certs(root_path, roots, &nr)))
		goto out;
	if (policy_path) {
		ret = cvmg_read_file(policy_path, &ptext, &plen, 1 << 20);
		line = 0;
		if (!ret)
			ret = policy_parse((const char *)ptext, plen, &policy, &line);
		if (ret) {
			cvmg_err("%s:%d: %s", policy_path, line,
				 ret == -ENOENT ? "unknown key" : strerror(-ret));
			rc = CVMG_EXIT_USAGE;
			goto out;
		}
		in.policy = &policy;
	}
	in.evidence = file;
	in.len = len;
	in.vcek = nv ? vcek[0] : NULL;
	in.chain = chain;
	in.nchain = nc;
	in.roots = nr ? roots : NULL;
	in.nroots = nr;
	in.cache_dir = getenv("CVMGUARD_CERT_CACHE");
	t = getenv("CVMGUARD_VERIFY_TIME");
	in.now = t ? (time_t)strtoll(t, NULL, 10) : time(NULL);
	if (time_arg)
		in.now = at;
	in.td_quote = tdq;
	in.collateral = col;
	in.intel_root = iroot[0];

	ret = verifier_run(&in, &res);
	if (json)
		printf("%s\n", json_object_to_json_string_ext(res, JSON_C_TO_STRING_PRETTY |
			JSON_C_TO_STRING_NOSLASHESCAPE));
	else
		print_text(res);
	rc = !ret ? CVMG_EXIT_OK : ret == -EBADMSG ? CVMG_EXIT_MALFORMED :
	     ret == -EACCES ? CVMG_EXIT_POLICY : CVMG_EXIT_FAIL;
out:
	json_object_put(res);
	for (i = 0; i < MAX_CERTS; i++) {
		X509_free(vcek[i]);
		X509_free(chain[i]);
		X509_free(roots[i]);
		X509_free(iroot[i]);
	}
	free(tdq);
	free(col);
	free(ptext);
	free(file);
	return rc;
}
