// SPDX-License-Identifier: GPL-2.0-only
/*
 * cvmguard verify FILE [--vcek DER|PEM] [--chain PEM] [--root PEM] [--crl FILE]...
 *                      [--td-quote FILE] [--collateral JSON] [--intel-root PEM]
 *                      [--time RFC3339] [--nonce HEX | --no-nonce] [--policy FILE]
 *                      [--json]
 * cvmguard verify --show-default-policy
 *
 * Verifies a raw SNP report, an HCL report, a TD quote or an evidence bundle (told
 * apart by content) offline and prints every claim and check. Without --policy
 * the built-in default policy applies. HCL reports and bundles need --nonce (or
 * an explicit --no-nonce). The form of this command is a contract: tests outside
 * the project use it.
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

#include <openssl/pem.h>

#include "amd_certs.h"
#include "cvmguard.h"
#include "dcap_collateral.h"
#include "libcvmguard.h"
#include "verifier.h"

#define MAX_FILE (1 << 24)
#define MAX_CERTS 8

static void usage(FILE *f)
{
	fprintf(f, "Usage: cvmguard verify FILE [--vcek DER|PEM] [--chain PEM] [--root PEM]\n"
		   "                       [--crl FILE]... [--td-quote FILE] [--collateral JSON]\n"
		   "                       [--intel-root PEM] [--time RFC3339]\n"
		   "                       [--nonce HEX | --no-nonce] [--policy FILE] [--json]\n"
		   "       cvmguard verify --show-default-policy\n"
		   "FILE is a raw SNP report, an HCL report, a TD quote or an evidence bundle.\n"
		   "  -k, --vcek FILE    the VCEK (or VLEK) that signed the report\n"
		   "  -c, --chain FILE   PEM chain: VCEK, ASK, ARK (or ASK, ARK), any order\n"
		   "  -r, --root FILE    trust this ARK instead of AMD's pinned roots\n"
		   "  -L, --crl FILE     a CRL (PEM or DER; AMD's for the ARK/ASK), repeatable\n"
		   "  -q, --td-quote FILE   TD quote for a TDX HCL report's TDREPORT\n"
		   "  -C, --collateral FILE DCAP collateral (PCS JSON) for the TD quote's TCB status\n"
		   "  -I, --intel-root FILE trust this root instead of Intel's pinned SGX Root CA\n"
		   "  -t, --time RFC3339    verify at this instant (certificates, CRLs, collateral);\n"
		   "                        overrides CVMGUARD_VERIFY_TIME\n"
		   "  -n, --nonce HEX    expected REPORT_DATA / user-data / quote nonce (1-64 bytes);\n"
		   "                     required for HCL reports and bundles\n"
		   "      --no-nonce     verify HCL evidence without a nonce (no freshness)\n"
		   "  -p, --policy FILE  relax the built-in default policy (see cvmguard(8))\n"
		   "      --show-default-policy  print the built-in default policy\n"
		   "  -j, --json         print the result as JSON (\"format\": 1)\n"
		   "  -h, --help         this text\n"
		   "Exit: 0 verified, 1 signature/chain/binding/log failure, 2 refused by the\n"
		   "      policy (or not verifiable to hardware; TDX: TCB unknown, stale\n"
		   "      collateral, status not allowed), 3 malformed evidence,\n"
		   "      64 usage error, unreadable file or malformed policy.\n");
}

/* One CRL, PEM or DER; appended as PEM to @pem (for the library). Return: 0,
 * -ENOENT (unreadable), -EBADMSG, -ENOMEM. */
static int load_crl(const char *path, X509_CRL **crl, BIO *pem)
{
	const unsigned char *p;
	uint8_t *buf = NULL;
	size_t len;
	BIO *bio;
	int ret;

	ret = cvmg_read_file(path, &buf, &len, MAX_FILE);
	if (ret) {
		cvmg_err("%s: %s", path, strerror(-ret));
		return -ENOENT;
	}
	p = buf;
	if (len && buf[0] == 0x30) {
		*crl = d2i_X509_CRL(NULL, &p, (long)len);
		if (*crl && p != buf + len) {
			X509_CRL_free(*crl);
			*crl = NULL;
		}
	} else {
		bio = BIO_new_mem_buf(buf, (int)len);
		*crl = bio ? PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL) : NULL;
		BIO_free(bio);
	}
	free(buf);
	if (!*crl) {
		cvmg_err("%s: not a CRL (DER or PEM)", path);
		return -EBADMSG;
	}
	return PEM_write_bio_X509_CRL(pem, *crl) ? 0 : -ENOMEM;
}

/*
 * cvmg_verify_now() - the instant to verify at: CVMGUARD_VERIFY_TIME (seconds since
 * the epoch) when set, else now. Return: 0, or -EINVAL (said on stderr).
 */
int cvmg_verify_now(time_t *now)
{
	const char *t = getenv("CVMGUARD_VERIFY_TIME");
	char *end;
	long long v;

	*now = time(NULL);
	if (!t)
		return 0;
	errno = 0;
	v = strtoll(t, &end, 10);
	if (errno || end == t || *end || v <= 0) {
		cvmg_err("CVMGUARD_VERIFY_TIME: not a time in seconds since the epoch");
		return -EINVAL;
	}
	*now = (time_t)v;
	return 0;
}

static int load_certs(const char *path, X509 **certs, size_t *n, uint8_t **raw, size_t *rawlen);

/*
 * cvmg_load_certs() - the certificates in @path (one DER, or PEM, up to 8) into @certs
 * Return: 0; -ENOENT when the file cannot be read (the caller's file: a usage
 * error); -EBADMSG when it holds no certificate. Both are said on stderr.
 */
int cvmg_load_certs(const char *path, X509 **certs, size_t *n)
{
	return load_certs(path, certs, n, NULL, NULL);
}

static int load_certs(const char *path, X509 **certs, size_t *n, uint8_t **raw, size_t *rawlen)
{
	uint8_t *buf = NULL;
	size_t len;
	int ret;

	ret = cvmg_read_file(path, &buf, &len, MAX_FILE);
	if (ret) {
		cvmg_err("%s: %s", path, strerror(-ret));
		return -ENOENT;	/* the caller's file: a usage error */
	}
	if (len && buf[0] == 0x30) {
		ret = amd_cert_parse(buf, len, certs);
		*n = ret ? 0 : 1;
	} else {
		ret = amd_chain_parse_pem(buf, len, certs, MAX_CERTS, n);
	}
	if (ret) {
		cvmg_err("%s: not a certificate (DER) or certificates (PEM)", path);
		ret = -EBADMSG;
	}
	if (!ret && raw) {
		/* the bytes themselves go to the library, which parses them again */
		*raw = buf;
		*rawlen = len;
		buf = NULL;
	}
	free(buf);
	return ret;
}

int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "vcek", required_argument, NULL, 'k' },
		{ "chain", required_argument, NULL, 'c' },
		{ "root", required_argument, NULL, 'r' },
		{ "crl", required_argument, NULL, 'L' },
		{ "nonce", required_argument, NULL, 'n' },
		{ "policy", required_argument, NULL, 'p' },
		{ "no-nonce", no_argument, NULL, 'N' },
		{ "show-default-policy", no_argument, NULL, 'D' },
		{ "json", no_argument, NULL, 'j' },
		{ "td-quote", required_argument, NULL, 'q' },
		{ "collateral", required_argument, NULL, 'C' },
		{ "intel-root", required_argument, NULL, 'I' },
		{ "time", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *vcek_path = NULL, *chain_path = NULL, *root_path = NULL;
	const char *nonce_hex = NULL, *policy_path = NULL;
	const char *tdq_path = NULL, *col_path = NULL, *iroot_path = NULL, *time_arg = NULL;
	uint8_t *tdq = NULL, *col = NULL;
	X509 *iroot[MAX_CERTS] = { 0 };
	size_t ni = 0;
	time_t at;
	struct verifier_input in = { 0 };
	struct cvmg_policy policy;
	X509 *vcek[MAX_CERTS] = { 0 }, *chain[MAX_CERTS] = { 0 }, *roots[MAX_CERTS] = { 0 };
	X509_CRL *crls[MAX_CERTS] = { 0 };
	const char *crl_paths[MAX_CERTS];
	size_t ncrl_paths = 0;
	uint8_t *file = NULL, *ptext = NULL, nonce[64];
	json_object *res = NULL;
	struct cvmg_verify_opts lo = { .size = sizeof(lo) };
	struct cvmg_result lres = { 0 };
	struct cvmg_ctx *lctx = NULL;
	uint8_t *raw[4] = { 0 };	/* vcek, chain, root, intel root: for the library */
	BIO *crlpem = BIO_new(BIO_s_mem());
	char *crlbuf;
	size_t nv = 0, nc = 0, nr = 0, len, plen = 0, i;
	bool json = false, no_nonce = false, show = false;
	enum verifier_kind kind;
	char *text;
	int opt, ret, line, rc = CVMG_EXIT_USAGE;

	optind = 1;
	while ((opt = cvmg_getopt(argc, argv, "k:c:r:L:q:C:I:t:n:p:jh", opts)) != -1) {
		const char **once = opt == 'k' ? &vcek_path : opt == 'c' ? &chain_path :
				    opt == 'r' ? &root_path : opt == 'n' ? &nonce_hex :
				    opt == 'p' ? &policy_path : opt == 'q' ? &tdq_path :
				    opt == 'C' ? &col_path : opt == 'I' ? &iroot_path :
				    opt == 't' ? &time_arg : NULL;

		/* An option given twice would silently drop one: refused. */
		if (once && *once) {
			cvmg_err("--%s given twice", opt == 'k' ? "vcek" : opt == 'c' ? "chain" :
				 opt == 'r' ? "root" : opt == 'n' ? "nonce" : opt == 'p' ? "policy" :
				 opt == 'q' ? "td-quote" : opt == 'C' ? "collateral" :
				 opt == 'I' ? "intel-root" : "time");
			goto out;
		}
		switch (opt) {
		case 'k': vcek_path = optarg; break;
		case 'c': chain_path = optarg; break;
		case 'r': root_path = optarg; break;
		case 'n': nonce_hex = optarg; break;
		case 'p': policy_path = optarg; break;
		case 'L':
			if (ncrl_paths == MAX_CERTS) {
				cvmg_err("--crl: at most %d", MAX_CERTS);
				goto out;
			}
			crl_paths[ncrl_paths++] = optarg;
			break;
		case 'N': no_nonce = true; break;
		case 'D': show = true; break;
		case 'j': json = true; break;
		case 'q': tdq_path = optarg; break;
		case 'C': col_path = optarg; break;
		case 'I': iroot_path = optarg; break;
		case 't': time_arg = optarg; break;
		case 'h': usage(stdout); return CVMG_EXIT_OK;
		default: usage(stderr); return CVMG_EXIT_USAGE;
		}
	}
	if (show) {
		if (argc != 2) {
			cvmg_err("--show-default-policy takes no other argument");
			usage(stderr);
			return CVMG_EXIT_USAGE;
		}
		policy_print_default(stdout);
		return CVMG_EXIT_OK;
	}
	if (optind == argc) {
		cvmg_err("no evidence FILE to verify");
		usage(stderr);
		return CVMG_EXIT_USAGE;
	}
	if (cvmg_extra_args(argc, argv, 1)) {
		usage(stderr);
		return CVMG_EXIT_USAGE;
	}
	if (nonce_hex && no_nonce) {
		cvmg_err("--nonce and --no-nonce: give one");
		return CVMG_EXIT_USAGE;
	}
	if (nonce_hex) {
		if (cvmg_hex_arg("--nonce", nonce_hex, nonce, 1, sizeof(nonce), &in.nonce_len))
			return CVMG_EXIT_USAGE;
		in.nonce = nonce;
	}
	in.no_nonce = no_nonce;
	if (time_arg && cvmg_parse_rfc3339(time_arg, &at)) {
		cvmg_err("--time: '%s' is not RFC 3339 UTC, e.g. 2025-06-19T10:33:27Z", time_arg);
		return CVMG_EXIT_USAGE;
	}
	/* Every file named on the command line: unreadable is the caller's error. */
	ret = cvmg_read_file(argv[optind], &file, &len, MAX_FILE);
	if (ret) {
		cvmg_err("%s: %s", argv[optind], strerror(-ret));
		rc = ret == -EFBIG ? CVMG_EXIT_MALFORMED : CVMG_EXIT_USAGE;
		goto out;
	}
	/* TDX inputs with evidence they cannot apply to: refuse, never ignore */
	kind = verifier_detect(file, len);
	if ((tdq_path || col_path) && kind == VERIFIER_SNP_REPORT) {
		cvmg_err("--td-quote and --collateral apply to TDX evidence, not an SNP report");
		goto out;
	}
	if (tdq_path && kind == VERIFIER_TD_QUOTE) {
		cvmg_err("%s is a TD quote: --td-quote goes with an HCL report", argv[optind]);
		goto out;
	}
	if (tdq_path && (ret = cvmg_read_file(tdq_path, &tdq, &in.td_quote_len, MAX_FILE))) {
		cvmg_err("%s: %s", tdq_path, strerror(-ret));
		rc = ret == -EFBIG ? CVMG_EXIT_MALFORMED : CVMG_EXIT_USAGE;
		goto out;
	}
	if (col_path && (ret = cvmg_read_file(col_path, &col, &in.collateral_len, MAX_FILE))) {
		cvmg_err("%s: %s", col_path, strerror(-ret));
		rc = ret == -EFBIG ? CVMG_EXIT_MALFORMED : CVMG_EXIT_USAGE;
		goto out;
	}
	if (!crlpem) {
		rc = CVMG_EXIT_FAIL;
		goto out;
	}
	if (iroot_path && (ret = load_certs(iroot_path, iroot, &ni, &raw[3], &lo.intel_root_len))) {
		rc = ret == -ENOENT ? CVMG_EXIT_USAGE : CVMG_EXIT_MALFORMED;
		goto out;
	}
	if (iroot_path && ni != 1) {
		cvmg_err("%s: expected one root certificate, not %zu", iroot_path, ni);
		rc = CVMG_EXIT_MALFORMED;
		goto out;
	}
	if ((vcek_path && (ret = load_certs(vcek_path, vcek, &nv, &raw[0], &lo.vcek_len))) ||
	    (chain_path && (ret = load_certs(chain_path, chain, &nc, &raw[1], &lo.chain_len))) ||
	    (root_path && (ret = load_certs(root_path, roots, &nr, &raw[2], &lo.root_len)))) {
		rc = ret == -ENOENT ? CVMG_EXIT_USAGE : CVMG_EXIT_MALFORMED;
		goto out;
	}
	for (i = 0; i < ncrl_paths; i++) {
		ret = load_crl(crl_paths[i], &crls[i], crlpem);
		if (ret) {
			rc = ret == -ENOENT ? CVMG_EXIT_USAGE : CVMG_EXIT_MALFORMED;
			goto out;
		}
	}
	in.crls = crls;
	in.ncrls = ncrl_paths;
	if (policy_path) {
		ret = cvmg_read_file(policy_path, &ptext, &plen, 1 << 20);
		if (ret) {
			cvmg_err("--policy %s: %s", policy_path, strerror(-ret));
			goto out;
		}
		ret = policy_parse((const char *)ptext, plen, &policy, &line);
		if (ret) {
			cvmg_err("%s:%d: %s", policy_path, line, policy_strerror(ret));
			goto out;
		}
		in.policy = &policy;
	}
	if (!in.nonce && !no_nonce && (kind == VERIFIER_HCL_REPORT || kind == VERIFIER_BUNDLE)) {
		cvmg_err("%s: an HCL report or bundle is verified against the nonce it answers: "
			 "give --nonce HEX (or --no-nonce to accept evidence of any age)",
			 argv[optind]);
		goto out;
	}
	in.evidence = file;
	in.len = len;
	in.vcek = nv ? vcek[0] : NULL;
	in.chain = chain;
	in.nchain = nc;
	in.roots = nr ? roots : NULL;
	in.nroots = nr;
	in.cache_dir = getenv("CVMGUARD_CERT_CACHE");
	if (cvmg_verify_now(&in.now)) {
		rc = CVMG_EXIT_USAGE;
		goto out;
	}
	if (time_arg)
		in.now = at;
	in.td_quote = tdq;
	in.collateral = col;
	in.intel_root = iroot[0];

	/*
	 * The verification itself runs in libcvmguard, through its public API, as
	 * any application's does: what was checked above only makes the command
	 * line's errors name the file; the library parses every input again.
	 */
	lo.flags = no_nonce ? CVMG_VERIFY_NO_NONCE : 0;
	lo.nonce = in.nonce;
	lo.nonce_len = in.nonce_len;
	lo.policy = (const char *)ptext;
	lo.policy_len = plen;
	lo.vcek = raw[0];
	lo.chain = raw[1];
	lo.root = raw[2];
	lo.intel_root = raw[3];
	lo.crls_len = ncrl_paths ? (size_t)BIO_get_mem_data(crlpem, &crlbuf) : 0;
	lo.crls = lo.crls_len ? (const uint8_t *)crlbuf : NULL;
	lo.td_quote = tdq;
	lo.td_quote_len = in.td_quote_len;
	lo.collateral = col;
	lo.collateral_len = in.collateral_len;
	lo.time = in.now;
	lo.cert_cache = in.cache_dir;
	ret = cvmg_open(&lctx, 0);
	if (!ret)
		ret = cvmg_verify(lctx, file, len, &lo, &lres);
	res = ret >= 0 && lres.json ? json_tokener_parse(lres.json) : NULL;
	if (!res) {
		cvmg_err("%s: %s", argv[optind], lres.reason[0] ? lres.reason :
			 strerror(ret < 0 ? -ret : ENOMEM));
		rc = ret >= 0 && lres.exit_code ? lres.exit_code : CVMG_EXIT_FAIL;
		goto out;
	}
	if (json) {
		/* "format" first, then the verifier's document as it is */
		json_object *doc = cvmg_json_new();

		json_object_object_foreach(res, key, val)
			json_object_object_add(doc, key, json_object_get(val));
		text = doc ? verifier_json(doc, true) : NULL;
		json_object_put(doc);
		if (!text) {
			rc = CVMG_EXIT_FAIL;
			goto out;
		}
		printf("%s\n", text);
		cvmg_json_emitted();
		free(text);
	} else {
		verifier_print_text(stdout, res);
	}
	rc = lres.exit_code;
out:
	cvmg_result_free(&lres);
	cvmg_close(lctx);
	BIO_free(crlpem);
	for (i = 0; i < 4; i++)
		free(raw[i]);
	json_object_put(res);
	for (i = 0; i < MAX_CERTS; i++) {
		X509_free(vcek[i]);
		X509_free(chain[i]);
		X509_free(roots[i]);
		X509_CRL_free(crls[i]);
		X509_free(iroot[i]);
	}
	free(tdq);
	free(col);
	free(ptext);
	free(file);
	return rc;
}
