// SPDX-License-Identifier: GPL-2.0-only
/*
 * cvmguard policy --from-bundle BUNDLE [-o FILE [--force]] [--pcrs LIST]
 *                 [--nonce HEX | --no-nonce] [--root PEM] [--chain PEM] [--vcek CERT]
 *                 [--time RFC3339]
 *
 * A reference policy from a known-good evidence bundle: the bundle is verified
 * first, and the policy written pins what it proved: `expect = bundle`, the
 * launch measurement (snp.measurement or tdx.mrtd), the vm-configuration claims
 * that describe the VM (not the ones that name one VM or one instant), and every
 * SHA-256 PCR its quote covers (or the --pcrs chosen), each line with a comment
 * saying what it pins. It writes pins only, so it never relaxes the default
 * policy: the file is the default plus these requirements. The bundle must
 * verify under exactly that file (the default policy and the pins): a pinned PCR
 * needs no log replay, so IMA's PCR 10 can be pinned instead of waived; anything
 * else the default refuses refuses the reference too.
 *
 * Why a `policy` subcommand rather than `attest --reference`: a reference is made
 * where the policy is kept, by the verifier's operator, from a bundle any known-
 * good VM sent; it needs no module, TPM or guest (it runs in the offline front
 * end, like verify), and it can be re-made from a stored bundle. The file is named
 * for the command (policy_gen.c): policy.c is the policy library.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "amd_certs.h"
#include "cvmguard.h"
#include "dcap_collateral.h"
#include "verifier.h"

#define MAX_FILE	(1 << 24)
#define MAX_CERTS	8

static void usage(FILE *f)
{
	fprintf(f, "Usage: cvmguard policy --from-bundle BUNDLE [-o FILE [--force]] [--pcrs LIST]\n"
		   "                       [--nonce HEX | --no-nonce] [--root PEM] [--chain PEM]\n"
		   "                       [--vcek CERT] [--time RFC3339]\n\n"
		   "Write a reference policy for `cvmguard verify --policy` from a known-good\n"
		   "evidence bundle. The bundle is verified first (as `cvmguard verify` would,\n"
		   "under the default policy); the policy pins what it proved: the evidence form,\n"
		   "the launch measurement, the vm-configuration and the quoted SHA-256 PCRs,\n"
		   "each line with a comment. It only adds requirements: nothing the default\n"
		   "policy refuses is allowed.\n\n"
		   "  -b, --from-bundle FILE  the known-good bundle (from `cvmguard attest`)\n"
		   "  -o, --output FILE  write here (mode 0644, atomically; default: stdout)\n"
		   "  -f, --force        replace FILE if it exists\n"
		   "  -p, --pcrs LIST    pin only these PCRs, e.g. 0,2,4,7 (default: every PCR\n"
		   "                     the quote covers)\n"
		   "  -n, --nonce HEX    the nonce the bundle answers\n"
		   "      --no-nonce     accept the bundle without checking its nonce (as verify)\n"
		   "  -r, --root FILE    trust this ARK instead of AMD's pinned roots\n"
		   "  -c, --chain FILE   PEM chain: VCEK, ASK, ARK (default: the bundle's)\n"
		   "  -k, --vcek FILE    the VCEK (or VLEK) that signed the report\n"
		   "  -t, --time RFC3339 verify at this instant (certificates, collateral)\n"
		   "  -h, --help         this text\n\n"
		   "Exit: 0 written, 1 the bundle does not verify, 2 the default policy refuses\n"
		   "      it, 3 not a bundle or malformed, 64 usage, unreadable file, FILE\n"
		   "      exists without --force or cannot be written.\n");
}

/* PCR usage on a UEFI PC-client platform (TCG PC Client PFP; Linux conventions). */
static const char *const pcr_use[24] = {
	"firmware code (SRTM, UEFI core); on Azure the paravisor's UEFI: changes with "
	"platform updates",
	"firmware configuration (platform settings)",
	"option ROM and UEFI driver code",
	"option ROM and UEFI driver configuration",
	"boot manager code: shim, the boot loader, boot attempts",
	"boot manager configuration: GPT, boot variables",
	"platform manufacturer specific",
	"Secure Boot policy: SecureBoot, PK, KEK, db, dbx, SBAT; changes with DBX/SBAT "
	"updates",
	"boot loader: grub commands and the kernel command line",
	"boot loader: files read (kernel, initrd)",
	"IMA: boot_aggregate and every file the IMA policy measures",
	"unified kernel image sections (systemd-stub)",
	"kernel command line and credentials (systemd-stub)",
	"system extensions (systemd-stub)",
	"shim: MOK certificates and hashes",
	"cvmguard's measurements (the module's default PCR): what the guest measured "
	"after boot",
	"debug PCR",
	"dynamic root of trust (all ones: never used)",
	"dynamic root of trust (all ones: never used)",
	"dynamic root of trust (all ones: never used)",
	"dynamic root of trust (all ones: never used)",
	"dynamic root of trust (all ones: never used)",
	"dynamic root of trust (all ones: never used)",
	"application support",
};

/* vm-configuration claims that name one VM or one instant: never pinned. */
static const char *const vmcfg_volatile[] = { "vmUniqueId", "current-time" };

/* A claim's key and value can be written as "vm_config.KEY = VALUE" and read back. */
static bool writable(const char *key, const char *val)
{
	const char *s;

	if (!*key || strlen(key) >= 64 || !val || !*val || strlen(val) >= 128)
		return false;
	for (s = key; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
			return false;
	for (s = val; *s; s++)
		if (*s < 0x21 || *s > 0x7e || *s == '#')
			return false;
	return true;
}

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* The policy text for the verified result @res; NULL on allocation failure. */
static char *reference(json_object *res, const char *bundle_path, uint32_t pcr_mask,
		       size_t *len)
{
	json_object *claims = get(res, "claims"), *pcrs = get(claims, "pcrs_sha256");
	json_object *vmcfg = get(get(claims, "runtime"), "vm-configuration"), *v;
	json_object *unlogged = get(claims, "unlogged_pcrs");
	uint32_t nolog = 0;
	const char *type = json_object_get_string(get(claims, "hcl_report_type"));
	bool tdx = type && !strcmp(type, "TDX");
	char *buf = NULL, key[4], date[32];
	size_t n = 0, i;
	time_t now = time(NULL);
	unsigned int pcr;
	FILE *f;

	for (i = 0; unlogged && i < json_object_array_length(unlogged); i++)
		nolog |= 1u << json_object_get_int(json_object_array_get_idx(unlogged, i));
	f = open_memstream(&buf, len);
	if (!f)
		return NULL;
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	fprintf(f, "# cvmguard reference policy, written by `cvmguard policy --from-bundle`\n"
		   "# on %s from a bundle that verified (", date);
	for (i = 0; bundle_path[i]; i++)	/* the name, printable ASCII only */
		fputc(bundle_path[i] > 0x20 && bundle_path[i] < 0x7f ? bundle_path[i] : '?', f);
	fprintf(f, ", %s HCL report).\n"
		   "# It pins what that VM proved; it relaxes nothing: every check of the\n"
		   "# default policy (`cvmguard verify --show-default-policy`) still applies.\n"
		   "# Azure platform updates change the paravisor's measurement and the firmware\n"
		   "# PCRs (0-7): make a new reference from an updated known-good VM and list both\n"
		   "# values while the fleet moves (see Documentation/verify.rst, \"References\").\n\n",
		tdx ? "TDX" : "SNP");
	fprintf(f, "# only evidence bundles: the one form with the TPM quote these pins need\n"
		   "expect = bundle\n\n");
	if (tdx) {
		v = get(get(claims, "tdx"), "mrtd");
		fprintf(f, "# MRTD: the TD's launch measurement (on Azure the paravisor, not the\n"
			   "# guest OS); changes when Azure updates the paravisor\n"
			   "tdx.mrtd = %s\n\n", json_object_get_string(v));
	} else {
		v = get(get(claims, "snp"), "measurement");
		fprintf(f, "# SNP launch measurement: on Azure the paravisor (HCL) image and its\n"
			   "# launch state, not the guest OS; changes when Azure updates the paravisor\n"
			   "snp.measurement = %s\n\n", json_object_get_string(v));
	}
	if (vmcfg && json_object_is_type(vmcfg, json_type_object)) {
		fprintf(f, "# vm-configuration: the paravisor's runtime claims about this VM's setup\n");
		json_object_object_foreach(vmcfg, k, val) {
			const char *s = json_object_get_string(val);
			enum json_type t = json_object_get_type(val);
			bool vol = false;

			for (i = 0; i < sizeof(vmcfg_volatile) / sizeof(vmcfg_volatile[0]); i++)
				vol |= !strcmp(k, vmcfg_volatile[i]);
			if ((t != json_type_boolean && t != json_type_int && t != json_type_string) ||
			    !writable(k, s)) {
				fprintf(f, "# (a claim whose name or value cannot be written in a "
					   "policy file is not pinned)\n");
			} else if (vol) {
				fprintf(f, "# vm_config.%s = %s   # names this one VM or instant: "
					   "not pinned\n", k, s);
			} else if (n == POLICY_MAX_VMCFG) {
				fprintf(f, "# vm_config.%s = %s   # not pinned: at most %d vm_config "
					   "keys\n", k, s, POLICY_MAX_VMCFG);
			} else {
				fprintf(f, "vm_config.%s = %s   # as the reference VM reported it\n",
					k, s);
				n++;
			}
		}
		fputc('\n', f);
	}
	fprintf(f, "# PCRs (SHA-256 bank) the quote covered: the guest's boot chain and state.\n"
		   "# A verified quote must attest exactly these values.\n");
	for (pcr = 0; pcr < 24; pcr++) {
		if (!(pcr_mask & (1u << pcr)))
			continue;
		snprintf(key, sizeof(key), "%u", pcr);
		v = get(pcrs, key);
		fprintf(f, "# PCR %u: %s\n%spcr.sha256.%u = %s\n", pcr, pcr_use[pcr],
			(nolog & (1u << pcr)) ? "# (no log in the bundle replays this PCR: pinned to "
			"the value, which no event explains)\n" : "", pcr, json_object_get_string(v));
	}
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Write @path only if it does not exist (unless @force): temp file, fsync, link/rename. */
static int write_new(const char *path, const char *buf, size_t len, bool force)
{
	char *tmp = NULL;
	size_t off = 0;
	int fd, ret = 0;

	if (asprintf(&tmp, "%s.tmpXXXXXX", path) < 0)
		return -ENOMEM;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		free(tmp);
		return ret;
	}
	while (off < len) {
		ssize_t w = write(fd, buf + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			ret = -errno;
			break;
		}
		off += (size_t)w;
	}
	if (!ret && (fchmod(fd, 0644) || fsync(fd)))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	/* link() never replaces an existing file: no window between check and write. */
	if (!ret && (force ? rename(tmp, path) : link(tmp, path)))
		ret = -errno;
	if (ret || !force)
		unlink(tmp);
	free(tmp);
	return ret;
}

static int load_certs(const char *path, X509 **certs, size_t *n)
{
	int ret = cvmg_load_certs(path, certs, n);

	return !ret ? 0 : ret == -ENOENT ? CVMG_EXIT_USAGE : CVMG_EXIT_MALFORMED;
}

static int verdict_rc(int ret)
{
	return !ret ? CVMG_EXIT_OK : ret == -EBADMSG ? CVMG_EXIT_MALFORMED :
	       ret == -EACCES ? CVMG_EXIT_POLICY : ret == -EINVAL ? CVMG_EXIT_USAGE :
	       CVMG_EXIT_FAIL;
}

int cmd_policy(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from-bundle", required_argument, NULL, 'b' },
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ "pcrs", required_argument, NULL, 'p' },
		{ "nonce", required_argument, NULL, 'n' },
		{ "no-nonce", no_argument, NULL, 1 },
		{ "root", required_argument, NULL, 'r' },
		{ "chain", required_argument, NULL, 'c' },
		{ "vcek", required_argument, NULL, 'k' },
		{ "time", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *bundle = NULL, *out = NULL, *pcrs_arg = NULL, *nonce_hex = NULL;
	const char *root = NULL, *chain = NULL, *vcek = NULL, *time_arg = NULL;
	X509 *roots[MAX_CERTS] = { 0 }, *chain_c[MAX_CERTS] = { 0 }, *vcek_c[MAX_CERTS] = { 0 };
	struct verifier_input in = { 0 };
	struct cvmg_policy ref;
	json_object *res = NULL, *res2 = NULL, *quoted, *viol;
	uint8_t *file = NULL, nonce[64];
	uint32_t mask = 0, want = 0;
	size_t len, tlen = 0, nr = 0, nc = 0, nv = 0, i;
	bool force = false, no_nonce = false;
	char *text = NULL;
	int opt, ret, line, rc = CVMG_EXIT_USAGE;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "b:o:fp:n:r:c:k:t:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'b': bundle = optarg; break;
		case 'o': out = optarg; break;
		case 'f': force = true; break;
		case 'p': pcrs_arg = optarg; break;
		case 'n': nonce_hex = optarg; break;
		case 1: no_nonce = true; break;
		case 'r': root = optarg; break;
		case 'c': chain = optarg; break;
		case 'k': vcek = optarg; break;
		case 't': time_arg = optarg; break;
		case 'h': usage(stdout); return CVMG_EXIT_OK;
		default: usage(stderr); return CVMG_EXIT_USAGE;
		}
	}
	if (optind != argc || !bundle) {
		cvmg_err("%s", optind != argc ? "unexpected argument" : "--from-bundle is required");
		usage(stderr);
		return CVMG_EXIT_USAGE;
	}
	if (!!nonce_hex == no_nonce) {
		cvmg_err("give --nonce HEX (the nonce the bundle answers) or --no-nonce");
		return CVMG_EXIT_USAGE;
	}
	if (force && !out) {
		cvmg_err("--force goes with -o FILE");
		return CVMG_EXIT_USAGE;
	}
	if (pcrs_arg && policy_parse_pcr_list(pcrs_arg, &want)) {
		cvmg_err("--pcrs: expected PCR numbers 0-23, e.g. 0,2,4,7");
		return CVMG_EXIT_USAGE;
	}
	if (nonce_hex) {
		if (cvmg_hex_arg("--nonce", nonce_hex, nonce, 1, sizeof(nonce), &in.nonce_len))
			return CVMG_EXIT_USAGE;
		in.nonce = nonce;
	}
	in.no_nonce = no_nonce;
	if (cvmg_verify_now(&in.now))
		return CVMG_EXIT_USAGE;
	if (time_arg && cvmg_parse_rfc3339(time_arg, &in.now)) {
		cvmg_err("--time: expected RFC 3339 UTC, e.g. 2025-06-19T10:33:27Z");
		return CVMG_EXIT_USAGE;
	}
	if (out && !force && !access(out, F_OK)) {
		cvmg_err("%s exists: give --force to replace it", out);
		return CVMG_EXIT_USAGE;
	}
	ret = cvmg_read_file(bundle, &file, &len, MAX_FILE);
	if (ret) {
		cvmg_err("%s: %s", bundle, strerror(-ret));
		rc = ret == -EFBIG ? CVMG_EXIT_MALFORMED : CVMG_EXIT_USAGE;
		goto out;
	}
	if (verifier_detect(file, len) != VERIFIER_BUNDLE) {
		cvmg_err("%s: not an evidence bundle (a reference needs the TPM quote a "
			 "bundle carries)", bundle);
		rc = CVMG_EXIT_MALFORMED;
		goto out;
	}
	if ((root && (rc = load_certs(root, roots, &nr))) ||
	    (chain && (rc = load_certs(chain, chain_c, &nc))) ||
	    (vcek && (rc = load_certs(vcek, vcek_c, &nv))))
		goto out;
	rc = CVMG_EXIT_USAGE;
	in.evidence = file;
	in.len = len;
	in.roots = nr ? roots : NULL;
	in.nroots = nr;
	in.chain = chain_c;
	in.nchain = nc;
	in.vcek = nv ? vcek_c[0] : NULL;
	in.cache_dir = getenv("CVMGUARD_CERT_CACHE");

	/* 1. What the bundle proves, under the default policy. */
	ret = verifier_run(&in, &res);
	if (ret && ret != -EACCES) {
		verifier_print_text(stderr, res);
		cvmg_err("%s does not verify: it cannot be a reference", bundle);
		rc = verdict_rc(ret);
		goto out;
	}
	quoted = get(get(res, "claims"), "quote_selection_sha256");
	for (i = 0; quoted && i < json_object_array_length(quoted); i++)
		mask |= 1u << json_object_get_int(json_object_array_get_idx(quoted, i));
	if (want & ~mask) {
		cvmg_err("--pcrs: the bundle's quote does not cover every PCR named (it covers "
			 "those listed in quote_selection_sha256 by `cvmguard verify --json`)");
		goto out;
	}
	text = reference(res, bundle, want ? want : mask, &tlen);
	if (!text) {
		rc = CVMG_EXIT_FAIL;
		goto out;
	}
	/* 2. The reference is the default plus pins: the bundle must verify under it. */
	ret = policy_parse(text, tlen, &ref, &line);
	if (ret) {
		cvmg_err("the reference does not parse (line %d: %s)", line, policy_strerror(ret));
		rc = CVMG_EXIT_FAIL;
		goto out;
	}
	in.policy = &ref;
	ret = verifier_run(&in, &res2);
	if (ret) {
		verifier_print_text(stderr, res2);
		viol = get(res2, "policy_violations");
		cvmg_err("%s is refused by the default policy%s: it cannot be a reference", bundle,
			 viol && json_object_array_length(viol) ? " (violations above)" : "");
		rc = verdict_rc(ret);
		goto out;
	}
	ret = out ? write_new(out, text, tlen, force) : cvmg_write_file_atomic("-", text, tlen, 0);
	if (ret) {
		cvmg_err("%s: %s", out ? out : "stdout", ret == -EEXIST ?
			 "exists: give --force to replace it" : strerror(-ret));
		goto out;
	}
	json_object_object_foreach(get(res, "claims"), ck, cv)
		if (!strcmp(ck, "unlogged_pcrs"))
			cvmg_warn("PCR(s) %s: no log in the bundle replays them; pinned to the "
				  "values the quote attests", json_object_to_json_string(cv));
	if (out)
		cvmg_info("%s: reference policy written (%u PCRs pinned)", out,
			  (unsigned int)__builtin_popcount(want ? want : mask));
	rc = CVMG_EXIT_OK;
out:
	json_object_put(res);
	json_object_put(res2);
	for (i = 0; i < MAX_CERTS; i++) {
		X509_free(roots[i]);
		X509_free(chain_c[i]);
		X509_free(vcek_c[i]);
	}
	free(text);
	free(file);
	return rc;
}
