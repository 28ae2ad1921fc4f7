// SPDX-License-Identifier: GPL-2.0-only
/*
 * cvmguard doctor [--json]: is this machine ready? One line per check, each OK, WARN
 * or FAIL with what to do next: the module (loaded, ABI, signature), the vTPM and its
 * banks, the platform (what the kernel and the paravisor's report say), the
 * paravisor's report index and a fresh report bound to random user data, the
 * instance metadata service (doctor_imds.c: what it serves must fit that report),
 * Secure Boot and lockdown, the caller's access to /dev/cvmguard, and every volume
 * with a cvmguard token. Exit 0 only when nothing FAILs, else 1 (64: usage).
 *
 * The checks only read: doctor loads no module, writes no TPM state except the
 * paravisor's user-data index (as any report does), opens no volume and fills no
 * cache; the one network request (IMDS, unless --offline) is bounded by --timeout.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <blkid.h>
#include <json-c/json.h>
#include <libcryptsetup.h>
#include <libkmod.h>
#include <openssl/bn.h>
#include <openssl/x509.h>

#include "cvmguard.h"
#include "device.h"
#include "doctor.h"
#include "fetch.h"
#include "hcl_report.h"
#include "info.h"
#include "luks_token.h"

/* The JSON output's layout; bump on any incompatible change. */
#define DOCTOR_FORMAT_VERSION 1
#define EFI_SECUREBOOT "/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"
#define DKMS_MOK_CERT "/var/lib/dkms/mok.pub"

enum level { OK = DOCTOR_OK, WARN = DOCTOR_WARN, FAIL = DOCTOR_FAIL, SKIP = DOCTOR_SKIP };
static const char *const level_name[] = { "OK", "WARN", "FAIL", "SKIP" };

struct doctor {
	bool json;
	bool quiet;		/* a check run only for what a selected one needs */
	unsigned int only;	/* --check: the CHECK_* bits to print; 0: all */
	json_object *checks;
	int fails, warns, skips;
	const char *url;	/* the endpoint the next line is about, or NULL */
	struct fetch_opts fo;	/* IMDS: --offline, --timeout, --root, --intel-root */
	/* what the module said, when it could be asked */
	bool have_info;
	struct cvmguard_info info;
	int info_err;
	/* the fresh report, when it was good */
	uint8_t *report;
	size_t report_len;
	uint32_t report_type;
	struct hcl_report h;
};

/* Record one check's verdict; @next (may be NULL) says what to do about it. */
__attribute__((format(printf, 5, 6)))
static void say(struct doctor *d, const char *check, enum level lvl, const char *next,
		const char *fmt, ...)
{
	char detail[1280];	/* the imds line carries a URL and curl's error */
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (d->quiet)
		return;
	d->fails += lvl == FAIL;
	d->warns += lvl == WARN;
	d->skips += lvl == SKIP;
	if (d->json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "check", json_object_new_string(check));
		json_object_object_add(o, "status", json_object_new_string(level_name[lvl]));
		json_object_object_add(o, "detail", json_object_new_string(detail));
		json_object_object_add(o, "next", next ? json_object_new_string(next) : NULL);
		if (d->url)
			json_object_object_add(o, "url", json_object_new_string(d->url));
		json_object_array_add(d->checks, o);
		return;
	}
	printf("%-4s %-15s %s\n", level_name[lvl], check, detail);
	if (next && lvl != OK)
		printf("     %-15s -> %s\n", "", next);
}

static void check_module(struct doctor *d)
{
	char ver[CVMGUARD_VERSION_LEN + 1];

	if (access("/sys/module/cvmguard", F_OK)) {
		say(d, "module", FAIL, "modprobe cvmguard; if it is not found, install cvmguard-dkms "
		    "and see `dkms status cvmguard` for its build",
		    "cvmguard is not loaded");
		return;
	}
	d->info_err = cvmg_dev_get_info(&d->info);
	if (d->info_err) {
		say(d, "module", FAIL, d->info_err == -EACCES || d->info_err == -EPERM ?
		    "run as root, or join the cvmguard group (see the group check)" :
		    "see the kernel log (dmesg | grep cvmguard)",
		    "loaded, but /dev/cvmguard does not answer: %s", strerror(-d->info_err));
		return;
	}
	d->have_info = true;
	memcpy(ver, d->info.module_version, CVMGUARD_VERSION_LEN);
	ver[CVMGUARD_VERSION_LEN] = '\0';
	if (d->info.abi_version != CVMGUARD_ABI_VERSION) {
		say(d, "module", FAIL, "install the cvmguard and cvmguard-dkms of one release",
		    "cvmguard %s speaks ABI %u, this helper ABI %u", ver, d->info.abi_version,
		    CVMGUARD_ABI_VERSION);
		return;
	}
	say(d, "module", OK, NULL, "cvmguard %s loaded, ABI %u", ver, d->info.abi_version);
}

/* "1A:2B:..." or "1a2b..." to upper-case hex without colons or leading zeros. */
static void norm_hex(const char *in, char *out, size_t len)
{
	size_t n = 0;

	while (*in == '0' || *in == ':')
		in++;
	for (; *in && n + 1 < len; in++)
		if (isxdigit((unsigned char)*in))
			out[n++] = (char)toupper((unsigned char)*in);
	out[n] = '\0';
}

/* The serial number of DKMS's MOK certificate, normalised; -errno when unreadable. */
static int mok_serial(char *out, size_t len)
{
	const ASN1_INTEGER *sn;
	X509 *x = NULL;
	BIGNUM *bn = NULL;
	char *hex = NULL;
	FILE *f;
	int ret = -EINVAL;

	f = fopen(DKMS_MOK_CERT, "re");
	if (!f)
		return -errno;
	x = d2i_X509_fp(f, NULL);
	fclose(f);
	if (!x)
		goto out;
	sn = X509_get0_serialNumber(x);
	bn = sn ? ASN1_INTEGER_to_BN(sn, NULL) : NULL;
	hex = bn ? BN_bn2hex(bn) : NULL;
	if (!hex)
		goto out;
	norm_hex(hex, out, len);
	ret = 0;
out:
	OPENSSL_free(hex);
	BN_free(bn);
	X509_free(x);
	return ret;
}

/*
 * The signature: the kernel's own word for the loaded module (taint E: loaded
 * without a signature the kernel could check) and modinfo's for the installed file,
 * whose signing key is compared with DKMS's MOK certificate.
 */
static void check_signature(struct doctor *d)
{
	char taint[64] = "", enforce[8] = "", key[256] = "", want[256], signer[256] = "";
	struct kmod_list *info = NULL, *l;
	struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx;
	const char *path = NULL;
	bool loaded = !access("/sys/module/cvmguard", F_OK), unsigned_loaded;

	cvmg_read_line("/sys/module/cvmguard/taint", taint, sizeof(taint));
	cvmg_read_line("/sys/module/module/parameters/sig_enforce", enforce, sizeof(enforce));
	unsigned_loaded = loaded && strchr(taint, 'E');
	ctx = kmod_new(NULL, NULL);
	if (ctx && !kmod_module_new_from_name(ctx, "cvmguard", &mod))
		path = kmod_module_get_path(mod);
	if (path && kmod_module_get_info(mod, &info) > 0) {
		kmod_list_foreach(l, info) {
			const char *k = kmod_module_info_get_key(l), *v = kmod_module_info_get_value(l);

			if (!v)
				continue;
			if (!strcmp(k, "sig_key"))
				norm_hex(v, key, sizeof(key));
			else if (!strcmp(k, "signer"))
				snprintf(signer, sizeof(signer), "%s", v);
		}
		kmod_module_info_free_list(info);
	}
	if (unsigned_loaded && path && key[0] && !mok_serial(want, sizeof(want)) && !strcmp(key, want))
		/* What a fresh install under Secure Boot shows until the MOK is enrolled. */
		say(d, "signature", WARN, "enroll DKMS's key: mokutil --import " DKMS_MOK_CERT
		    ", then reboot into MokManager (Documentation/install.rst, Secure Boot)",
		    "the loaded module is signed by DKMS's MOK (serial %s), which the kernel does "
		    "not trust (taint E; sig_enforce=%s): with Secure Boot it would not load",
		    key, enforce[0] ? enforce : "?");
	else if (unsigned_loaded)
		say(d, "signature", WARN, "build it with dkms, which signs with " DKMS_MOK_CERT
		    "'s key, and enroll that key (Documentation/install.rst)",
		    "the loaded module has no signature the kernel trusts (taint E; "
		    "sig_enforce=%s): with Secure Boot it would not load", enforce[0] ? enforce : "?");
	else if (!path)
		say(d, "signature", loaded ? OK : WARN,
		    "install cvmguard-dkms, which builds and signs the module for each kernel",
		    loaded ? "the loaded module's signature is trusted by the kernel (no taint E)" :
			     "no cvmguard module installed for this kernel");
	else if (!key[0])
		say(d, "signature", WARN, "rebuild with dkms, which signs with " DKMS_MOK_CERT "'s key",
		    "%s is not signed", path);
	else if (mok_serial(want, sizeof(want)))
		say(d, "signature", OK, NULL, "%s is signed by '%s' (key %s); no readable "
		    DKMS_MOK_CERT " to compare", path, signer, key);
	else if (strcmp(key, want))
		say(d, "signature", WARN, "rebuild with dkms (dkms build --force) so the "
		    "enrolled MOK signs it, or enroll the key that did",
		    "%s is signed by key %s, not by DKMS's MOK (serial %s)", path, key, want);
	else
		say(d, "signature", OK, NULL, "%s is signed by DKMS's MOK (serial %s); "
		    "it is trusted once enrolled: mokutil --test-key " DKMS_MOK_CERT, path, key);
	kmod_module_unref(mod);
	kmod_unref(ctx);
}

static void check_tpm(struct doctor *d)
{
	char banks[128], major[8] = "";

	if (!d->have_info) {
		/* Without the module, the kernel's own view. */
		if (cvmg_read_line("/sys/class/tpm/tpm0/tpm_version_major", major, sizeof(major)) ||
		    strcmp(major, "2"))
			say(d, "tpm", FAIL, "a confidential VM needs its vTPM: check the VM's "
			    "security type and that tpm_crb or tpm_tis is loaded",
			    "no TPM 2.0 in /sys/class/tpm");
		else
			say(d, "tpm", OK, NULL, "TPM 2.0 at /dev/tpm0 (banks: ask the module)");
		return;
	}
	if (!(d->info.flags & CVMGUARD_INFO_TPM)) {
		say(d, "tpm", FAIL, "a confidential VM needs its vTPM: check the VM's security "
		    "type and that tpm_crb or tpm_tis is loaded, then reload cvmguard",
		    "the module found no TPM 2.0");
		return;
	}
	cvmg_banks_format(d->info.pcr_banks, " ", false, banks, sizeof(banks));
	if (!(d->info.pcr_banks & CVMGUARD_BANK_SHA256))
		say(d, "tpm", WARN, "allocate the SHA-256 bank (tpm2_pcrallocate sha256:all) and "
		    "reboot: sealed disks and measurements use it",
		    "TPM 2.0, PCR banks: %s (no sha256)", banks[0] ? banks : "none");
	else
		say(d, "tpm", OK, NULL, "TPM 2.0, PCR banks: %s", banks);
}

/* What the kernel itself says about memory encryption: a CPU flag in /proc/cpuinfo. */
static const char *kernel_platform(void)
{
	char line[4096];
	const char *p = "none";
	FILE *f = fopen("/proc/cpuinfo", "re");

	if (!f)
		return "unknown";
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5))
			continue;
		if (strstr(line, " tdx_guest"))
			p = "tdx";
		else if (strstr(line, " sev_snp"))
			p = "snp";
		break;
	}
	fclose(f);
	return p;
}

static void check_platform(struct doctor *d)
{
	const char *k = kernel_platform(), *m;

	if (!d->have_info) {
		say(d, "platform", FAIL, "load the module (see the module check)",
		    "the paravisor's report type is unknown without the module (kernel: %s)", k);
		return;
	}
	m = d->info.backend == CVMGUARD_BACKEND_PARAVISOR_SNP ? "snp" :
	    d->info.backend == CVMGUARD_BACKEND_PARAVISOR_TDX ? "tdx" : "none";
	if (!strcmp(m, "none"))
		say(d, "platform", FAIL, "run on a confidential VM with a paravisor (Azure: "
		    "security type ConfidentialVM)", "no paravisor evidence source (kernel: %s)", k);
	else if (strcmp(k, "none") && strcmp(k, "unknown") && strcmp(k, m))
		say(d, "platform", FAIL, "do not trust this machine's evidence: report it",
		    "the kernel says %s but the paravisor's report is %s", k, m);
	else
		say(d, "platform", OK, NULL, "%s through the paravisor (kernel CPU flag: %s%s)",
		    !strcmp(m, "snp") ? "AMD SEV-SNP" : "Intel TDX", k,
		    strcmp(k, "none") ? "" : ", as usual under a paravisor");
}

static void check_paravisor(struct doctor *d)
{
	if (!d->have_info)
		say(d, "paravisor", FAIL, "load the module (see the module check)",
		    "cannot look for the report index without the module");
	else if (!(d->info.flags & CVMGUARD_INFO_TPM))
		say(d, "paravisor", FAIL, "see the tpm check", "no vTPM, so no report index");
	else if (d->info.backend == CVMGUARD_BACKEND_NONE)
		say(d, "paravisor", FAIL, "this vTPM is not a paravisor's: evidence needs a "
		    "confidential VM (Azure: security type ConfidentialVM)",
		    "no HCL report index 0x01400001 in the vTPM");
	else
		say(d, "paravisor", OK, NULL, "HCL report index 0x01400001 present (%s)",
		    cvmg_backend_name(d->info.backend));
}

/* A fresh report for random user data: REPORT_DATA binds the claims, the claims
 * carry our user data, and the vTPM's AK is there. */
static void check_report(struct doctor *d)
{
	uint8_t ud[CVMGUARD_USER_DATA_LEN], *buf = NULL;
	struct hcl_claims claims = {};
	struct hcl_report h;
	size_t len = 0;
	uint32_t type;
	int ret;

	if (!d->have_info || d->info.backend == CVMGUARD_BACKEND_NONE) {
		say(d, "report", FAIL, "see the checks above", "no evidence source to ask");
		return;
	}
	if (getrandom(ud, sizeof(ud), 0) != sizeof(ud)) {
		say(d, "report", FAIL, NULL, "getrandom: %s", strerror(errno));
		return;
	}
	ret = cvmg_dev_get_evidence(ud, &buf, &len, &type);
	if (ret) {
		say(d, "report", FAIL, ret == -ETIMEDOUT ? "the paravisor did not refresh the "
		    "report in time: retry, or raise the module's evidence_timeout_ms" :
		    "see the kernel log (dmesg | grep cvmguard)",
		    "no fresh report: %s", strerror(-ret));
		return;
	}
	ret = hcl_report_parse(buf, len, &h);
	if (!ret)
		ret = hcl_claims_parse(h.claims, h.claims_len, &claims);
	if (ret)
		say(d, "report", FAIL, "do not trust this machine's evidence: report it",
		    "the report (%zu bytes) does not parse: %s", len, strerror(-ret));
	else if (hcl_report_check_binding(&h))
		say(d, "report", FAIL, "do not trust this machine's evidence: report it",
		    "REPORT_DATA is not SHA-256 of the runtime claims");
	else if (!claims.has_user_data || memcmp(claims.user_data, ud, sizeof(ud)))
		say(d, "report", FAIL, "do not trust this machine's evidence: a stale or "
		    "replayed report", "the report's user-data is not the one just sent");
	else if (!claims.ak)
		say(d, "report", FAIL, "do not trust this machine's evidence: report it",
		    "the claims carry no vTPM attestation key (HCLAkPub)");
	else {
		say(d, "report", OK, NULL, "fresh %s report, %zu bytes: REPORT_DATA binds the "
		    "claims, user-data matches, HCLAkPub present",
		    type == CVMGUARD_REPORT_TDX ? "TDX" : "SNP", len);
		d->report = buf;	/* for the IMDS check */
		d->report_len = len;
		d->report_type = type;
		d->h = h;
		buf = NULL;
	}
	hcl_claims_free(&claims);
	free(buf);
}

/* What IMDS serves for the fresh report (doctor_imds.c). */
static void check_imds(struct doctor *d)
{
	struct doctor_verdict v;

	if (d->fo.offline) {
		say(d, "imds", SKIP, NULL, "not checked (--offline): attest then needs a cached "
		    "VCEK chain (SNP) and gets no TD quote (TDX)");
		return;
	}
	if (!d->report) {
		say(d, "imds", FAIL, "see the report check", "no fresh report to check what "
		    FETCH_IMDS_URL " serves against");
		return;
	}
	if (d->report_type == CVMGUARD_REPORT_TDX)
		doctor_imds_td(&d->fo, d->h.hw, d->h.hw_len, &v);
	else
		doctor_imds_snp(&d->fo, d->h.hw, d->h.hw_len, &v);
	d->url = v.url;
	say(d, "imds", (enum level)v.level, v.next, "%s", v.detail);
	d->url = NULL;
}

static void check_secure_boot(struct doctor *d)
{
	uint8_t v[5];
	ssize_t n;
	int fd;

	if (access("/sys/firmware/efi", F_OK)) {
		say(d, "secure-boot", WARN, "boot with UEFI and Secure Boot (Azure: a Trusted "
		    "Launch or confidential VM image)", "not booted through UEFI");
		return;
	}
	fd = open(EFI_SECUREBOOT, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		say(d, "secure-boot", WARN, "mount efivarfs on /sys/firmware/efi/efivars",
		    "the SecureBoot variable is unreadable: %s", strerror(errno));
		return;
	}
	/* 4 bytes of attributes, then the value. */
	n = read(fd, v, sizeof(v));
	close(fd);
	if (n != sizeof(v))
		say(d, "secure-boot", WARN, NULL, "the SecureBoot variable is malformed");
	else if (v[4] == 1)
		say(d, "secure-boot", OK, NULL, "enabled");
	else
		say(d, "secure-boot", WARN, "enable Secure Boot in the VM's settings; enroll "
		    "DKMS's MOK first (Documentation/install.rst)", "disabled");
}

static void check_lockdown(struct doctor *d)
{
	char buf[128];
	const char *on;

	if (cvmg_read_line("/sys/kernel/security/lockdown", buf, sizeof(buf))) {
		say(d, "lockdown", WARN, "mount securityfs on /sys/kernel/security; a kernel "
		    "without the lockdown LSM cannot be locked down", "lockdown state unknown");
		return;
	}
	on = strchr(buf, '[');
	if (!on || !strncmp(on, "[none]", 6))
		say(d, "lockdown", WARN, "Secure Boot turns it on in Debian's kernels (or boot "
		    "with lockdown=integrity)", "none: root can change the running kernel");
	else
		say(d, "lockdown", OK, NULL, "%.*s", (int)strcspn(on + 1, "]"), on + 1);
}

static void check_group(struct doctor *d)
{
	struct group *g = getgrnam("cvmguard");
	gid_t groups[256];
	struct stat st;
	int n, i;
	bool member = false;

	if (!g) {
		say(d, "group", geteuid() ? FAIL : WARN, "create it: systemd-sysusers (the "
		    "cvmguard package ships /usr/lib/sysusers.d/cvmguard.conf)",
		    "no group cvmguard: only root can request evidence");
		return;
	}
	if (!stat("/dev/cvmguard", &st) && (st.st_gid != g->gr_gid || (st.st_mode & 0777) != 0660))
		say(d, "device", WARN, "udevadm trigger -s misc (the rule is 60-cvmguard.rules)",
		    "/dev/cvmguard is group %u mode %03o, not cvmguard 0660",
		    (unsigned int)st.st_gid, (unsigned int)(st.st_mode & 0777));
	if (!geteuid()) {
		say(d, "group", OK, NULL, "running as root; group cvmguard (gid %u) exists",
		    (unsigned int)g->gr_gid);
		return;
	}
	n = getgroups(256, groups);
	for (i = 0; i < n; i++)
		member |= groups[i] == g->gr_gid;
	member |= getegid() == g->gr_gid;
	if (member)
		say(d, "group", OK, NULL, "you are in group cvmguard");
	else
		say(d, "group", FAIL, "usermod -aG cvmguard $USER, then log in again",
		    "you are not root and not in group cvmguard: /dev/cvmguard is closed to you");
}

static void crypt_quiet(int level, const char *msg, void *usrptr)
{
	cvmg_dbg("cryptsetup: %s", msg);
}

/* One LUKS2 device: -ENOENT when it carries no cvmguard token, else its verdict. */
static int check_volume(struct doctor *d, const char *dev)
{
	struct crypt_device *cd = NULL;
	const char *json;
	int i, n, ours = 0, bad = 0, ret;

	if (crypt_init(&cd, dev))
		return -ENOENT;
	crypt_set_log_callback(cd, crypt_quiet, NULL);
	ret = crypt_load(cd, CRYPT_LUKS2, NULL);
	if (ret) {
		crypt_free(cd);
		return -ENOENT;
	}
	n = crypt_token_max(CRYPT_LUKS2);
	for (i = 0; i < n; i++) {
		struct cvmg_token tok;
		const char *type;

		if (crypt_token_status(cd, i, &type) == CRYPT_TOKEN_INACTIVE || !type ||
		    strcmp(type, CVMG_TOKEN_TYPE))
			continue;
		ours++;
		if (crypt_token_json_get(cd, i, &json) < 0 || cvmg_token_from_json(json, &tok)) {
			bad++;
			continue;
		}
		/* crypt_keyslot_status() is what the header says, checked by libcryptsetup */
		if (crypt_keyslot_status(cd, tok.keyslot) < CRYPT_SLOT_ACTIVE)
			bad++;
	}
	if (ours && bad)
		say(d, "volume", FAIL, "do not unlock it: restore the header from a backup or "
		    "re-enroll (cvmguard enroll); the host controls this disk",
		    "%s (LUKS2 %s): %d of %d cvmguard tokens damaged or pointing at no keyslot",
		    dev, crypt_get_uuid(cd), bad, ours);
	else if (ours)
		say(d, "volume", OK, NULL, "%s (LUKS2 %s): %d cvmguard token%s", dev,
		    crypt_get_uuid(cd), ours, ours > 1 ? "s" : "");
	crypt_free(cd);
	return ours ? 0 : -ENOENT;
}

static void check_volumes(struct doctor *d)
{
	struct dirent *e;
	char dev[300], type[32], size[32], path[300];
	int found = 0;
	DIR *dir;

	if (geteuid()) {
		say(d, "volumes", WARN, "run doctor as root to see them",
		    "block devices are readable only by root");
		return;
	}
	dir = opendir("/sys/class/block");
	if (!dir) {
		say(d, "volumes", WARN, NULL, "/sys/class/block: %s", strerror(errno));
		return;
	}
	while ((e = readdir(dir))) {
		const char *t;
		blkid_probe pr;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/class/block/%s/size", e->d_name);
		if (cvmg_read_line(path, size, sizeof(size)) || !strcmp(size, "0"))
			continue;
		snprintf(dev, sizeof(dev), "/dev/%s", e->d_name);
		pr = blkid_new_probe_from_filename(dev);
		if (!pr)
			continue;
		blkid_probe_enable_superblocks(pr, 1);
		blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE);
		type[0] = '\0';
		if (!blkid_do_safeprobe(pr) && !blkid_probe_lookup_value(pr, "TYPE", &t, NULL))
			snprintf(type, sizeof(type), "%s", t);
		blkid_free_probe(pr);
		if (!strcmp(type, "crypto_LUKS") && !check_volume(d, dev))
			found++;
	}
	closedir(dir);
	if (!found)
		say(d, "volumes", OK, NULL, "no volume with a cvmguard token");
}

/* The checks in the order they run; --check names them. */
static const struct {
	const char *name;
	void (*run)(struct doctor *d);
} checks[] = {
	{ "module", check_module },
	{ "signature", check_signature },
	{ "tpm", check_tpm },
	{ "platform", check_platform },
	{ "paravisor", check_paravisor },
	{ "report", check_report },
	{ "imds", check_imds },
	{ "secure-boot", check_secure_boot },
	{ "lockdown", check_lockdown },
	{ "group", check_group },		/* and the device node's owner and mode */
	{ "volumes", check_volumes },
};
#define CHECK(i)	(1u << (i))
#define CHECK_MODULE	CHECK(0)
#define CHECK_REPORT	CHECK(5)
#define CHECK_IMDS	CHECK(6)
#define NEEDS_MODULE	(CHECK(2) | CHECK(3) | CHECK(4) | CHECK_REPORT)

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: cvmguard doctor [--json] [--check NAME]... [--offline] [--timeout SEC]\n"
		   "                       [--root ARK.pem] [--intel-root ROOT.pem]\n\n"
		   "Check whether this machine is ready: the module, its signature, the vTPM,\n"
		   "the platform, the paravisor and a fresh bound report, what IMDS serves for\n"
		   "that report (SNP: THIM's VCEK chain; TDX: a TD quote), Secure Boot,\n"
		   "lockdown, access to /dev/cvmguard and every volume with a cvmguard token.\n"
		   "Each line is OK, WARN, FAIL or SKIP with what to do next. Exit 0 when\n"
		   "nothing FAILs, else 1.\n\n"
		   "  -j, --json         print one JSON object (\"format\": %d; \"format_version\",\n"
		   "                     the same number, is kept for older readers)\n"
		   "  -c, --check NAME   run only this check and what it needs (repeatable):",
		   CVMG_JSON_FORMAT);
	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		fprintf(f, "%s%s", i % 6 ? " " : "\n                     ", checks[i].name);
	fprintf(f, "\n"
		   "      --offline      make no network request: the IMDS line is SKIP\n"
		   "  -t, --timeout SEC  the IMDS check's total time, retries included (%u)\n"
		   "  -r, --root FILE    the ARK THIM's chain must end in (default: AMD's, pinned)\n"
		   "      --intel-root F the root a TD quote must verify to (default: Intel's\n"
		   "                     SGX root, pinned)\n"
		   "  -h, --help         this text\n", DOCTOR_IMDS_BUDGET_MS / 1000);
}

static int doctor_opt(int c, const char *arg, void *ctx)
{
	struct doctor *d = ctx;
	size_t i;

	switch (c) {
	case 'j':
		d->json = true;
		return 0;
	case 'c':
		for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
			if (!strcmp(arg, checks[i].name)) {
				d->only |= CHECK(i);
				return 0;
			}
		cvmg_err("--check: '%s' is not a check (see cvmguard doctor -h)", arg);
		return CVMG_EXIT_USAGE;
	case 't':
		c = FETCH_OPT_TIMEOUT;
		break;
	case 'r':
		c = FETCH_OPT_ROOT;
		break;
	}
	return fetch_parse_opt(&d->fo, c, arg) ? CVMG_EXIT_USAGE : 0;
}

int cmd_doctor(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "check", required_argument, NULL, 'c' },
		{ "offline", no_argument, NULL, FETCH_OPT_OFFLINE },
		{ "timeout", required_argument, NULL, 't' },
		{ "root", required_argument, NULL, 'r' },
		{ "intel-root", required_argument, NULL, FETCH_OPT_INTEL_ROOT },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct doctor d = {};
	unsigned int run;
	size_t i;
	int ret;

	fetch_opts_init(&d.fo);
	d.fo.cache_dir = NULL;
	d.fo.budget_ms = DOCTOR_IMDS_BUDGET_MS;
	ret = cvmg_parse_args(argc, argv, "jc:t:r:h", opts, 0, usage, doctor_opt, &d);
	if (ret >= 0)
		goto out;
	ret = CVMG_EXIT_FAIL;
	if (d.json && !(d.checks = json_object_new_array()))
		goto out;
	/* What a selected check needs runs too, without a line of its own. */
	run = d.only ? d.only : ~0u;
	if ((run & CHECK_IMDS) && !d.fo.offline)
		run |= CHECK_REPORT;
	if (run & NEEDS_MODULE)
		run |= CHECK_MODULE;
	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		if (!(run & CHECK(i)))
			continue;
		d.quiet = d.only && !(d.only & CHECK(i));
		checks[i].run(&d);
	}
	d.quiet = false;
	if (d.json) {
		json_object *o = cvmg_json_new();

		json_object_object_add(o, "format_version", json_object_new_int(DOCTOR_FORMAT_VERSION));
		json_object_object_add(o, "result", json_object_new_string(
			level_name[d.fails ? FAIL : d.warns ? WARN : OK]));
		json_object_object_add(o, "fail", json_object_new_int(d.fails));
		json_object_object_add(o, "warn", json_object_new_int(d.warns));
		json_object_object_add(o, "skip", json_object_new_int(d.skips));
		json_object_object_add(o, "checks", d.checks);
		cvmg_json_emit(stdout, o);
	} else {
		printf("%s: %d failed, %d warnings%s\n", d.fails ? "NOT READY" : "ready",
		       d.fails, d.warns, d.skips ? ", some checks skipped" : "");
	}
	ret = d.fails ? CVMG_EXIT_FAIL : CVMG_EXIT_OK;
out:
	free(d.report);
	X509_free(d.fo.root);
	X509_free(d.fo.intel_root);
	return ret;
}
