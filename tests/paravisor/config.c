// SPDX-License-Identifier: GPL-2.0
/*
 * cvmguard-paravisor: the key=value configuration file that supplies the
 * values a real chip and a real paravisor would put into the reports.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pv.h"

static void fill_pattern(uint8_t *b, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(seed + i * 7);
}

void config_defaults(struct pv_config *c)
{
	memset(c, 0, sizeof(*c));
	fill_pattern(c->measurement, sizeof(c->measurement), 0x11);
	fill_pattern(c->chip_id, sizeof(c->chip_id), 0x5a);
	fill_pattern(c->report_id, sizeof(c->report_id), 0x21);
	/* Azure: policy 0x3001f (SMT allowed, ABI 0.31), guest svn 2,
	 * platform_info SMT enabled, VMPL 0 (the HCL asks for the report) */
	c->policy = 0x3001f;
	c->guest_svn = 2;
	c->platform_info = 1;
	c->vmpl = 0;
	c->image_id[0] = 2;
	memset(c->report_id_ma, 0xff, sizeof(c->report_id_ma));
	/*
	 * Reported TCB (what the VCEK certifies; tcb.* keys), and a newer committed
	 * TCB, as on a host whose firmware was updated but whose guests still get
	 * VCEKs for the older reported TCB (AMD SEV-SNP ABI 7.3); the guest launched
	 * under an older TCB still. The current TCB equals the committed one: firmware
	 * running uncommitted ("provisional", as the real Azure vector in
	 * tests/data/azure-snp is) is refused by the verifier's default policy, and
	 * current_tcb.* makes such a report when a test wants one.
	 */
	c->tcb_bl = 3;
	c->tcb_tee = 0;
	c->tcb_snp = 8;
	c->tcb_ucode = 115;
	c->ctcb_bl = 4; c->ctcb_tee = 0; c->ctcb_snp = 22; c->ctcb_ucode = 213;
	c->curtcb_bl = 4; c->curtcb_tee = 0; c->curtcb_snp = 22; c->curtcb_ucode = 213;	/* current */
	c->ltcb_bl = 3; c->ltcb_tee = 0; c->ltcb_snp = 14; c->ltcb_ucode = 209;
	/* Azure signs its IGVM image with an ID key: the digest is not zero */
	fill_pattern(c->id_key_digest, sizeof(c->id_key_digest), 0x9d);
	c->fw_build = 4;
	c->fw_minor = 52;
	c->fw_major = 1;
	snprintf(c->product, sizeof(c->product), "Milan");
	fill_pattern(c->mrtd, sizeof(c->mrtd), 0x31);
	fill_pattern(c->mrseam, sizeof(c->mrseam), 0x41);
	for (int i = 0; i < 4; i++)
		fill_pattern(c->rtmr[i], 48, 0x51 + i);
	c->td_attributes = 0;
	c->xfam = 0x618e7;
	/* as in the real Azure TDX reports (tests/data/azure-tdx) */
	c->tee_tcb_svn[0] = 2; c->tee_tcb_svn[1] = 1; c->tee_tcb_svn[2] = 6;
	memcpy(c->tee_tcb_svn2, c->tee_tcb_svn, 16);
	c->interactive_console = true;
	c->filtered_vpci = false;
	snprintf(c->sealing_policy, sizeof(c->sealing_policy), "none");
	snprintf(c->root_thumb, sizeof(c->root_thumb), "auto");
	c->console_enabled = true;
	c->secure_boot = true;
	c->tpm_enabled = true;
	c->tpm_persisted = true;
	snprintf(c->vm_unique_id, sizeof(c->vm_unique_id),
		 "C0FFEE00-0000-4000-8000-00000000CAFE");
}

static int parse_hex(const char *v, uint8_t *out, size_t n)
{
	size_t len = strlen(v);

	if (len != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned int x;

		if (!isxdigit((unsigned char)v[2 * i]) ||
		    !isxdigit((unsigned char)v[2 * i + 1]) ||
		    sscanf(v + 2 * i, "%2x", &x) != 1)
			return -1;
		out[i] = x;
	}
	return 0;
}

static int parse_bool(const char *v, bool *b)
{
	if (!strcmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "yes"))
		*b = true;
	else if (!strcmp(v, "0") || !strcasecmp(v, "false") || !strcasecmp(v, "no"))
		*b = false;
	else
		return -1;
	return 0;
}

static int parse_u64(const char *v, uint64_t *o, uint64_t max)
{
	char *end;

	errno = 0;
	*o = strtoull(v, &end, 0);
	if (errno || *end || end == v || *o > max)
		return -1;
	return 0;
}


int config_load(struct pv_config *c, const char *path, config_extra_fn extra, void *arg)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int lineno = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *k = line, *v, *e;
		uint64_t u;
		int bad = 0;

		lineno++;
		while (isspace((unsigned char)*k))
			k++;
		if (!*k || *k == '#')
			continue;
		v = strchr(k, '=');
		if (!v) {
			fprintf(stderr, "%s:%d: no '='\n", path, lineno);
			fclose(f);
			return -1;
		}
		*v++ = 0;
		for (e = v + strlen(v); e > v && isspace((unsigned char)e[-1]); e--)
			;
		*e = 0;
		while (isspace((unsigned char)*v))
			v++;
		for (e = k + strlen(k); e > k && isspace((unsigned char)e[-1]); e--)
			;
		*e = 0;

#define HEX(key, fld) else if (!strcmp(k, key)) bad = parse_hex(v, c->fld, sizeof(c->fld))
#define NUM(key, fld, max) else if (!strcmp(k, key)) { bad = parse_u64(v, &u, max); if (!bad) c->fld = u; }
#define BOOL(key, fld) else if (!strcmp(k, key)) bad = parse_bool(v, &c->fld)
		if (0)
			;
		HEX("measurement", measurement);
		HEX("host_data", host_data);
		HEX("chip_id", chip_id);
		HEX("family_id", family_id);
		HEX("image_id", image_id);
		HEX("id_key_digest", id_key_digest);
		HEX("author_key_digest", author_key_digest);
		HEX("report_id", report_id);
		HEX("report_id_ma", report_id_ma);
		HEX("mrtd", mrtd);
		HEX("mrseam", mrseam);
		HEX("rtmr0", rtmr[0]);
		HEX("rtmr1", rtmr[1]);
		HEX("rtmr2", rtmr[2]);
		HEX("rtmr3", rtmr[3]);
		NUM("policy", policy, UINT64_MAX)
		NUM("platform_info", platform_info, UINT64_MAX)
		NUM("guest_svn", guest_svn, UINT32_MAX)
		NUM("vmpl", vmpl, 3)
		NUM("tcb.bl", tcb_bl, 255)
		NUM("tcb.tee", tcb_tee, 255)
		NUM("tcb.snp", tcb_snp, 255)
		NUM("tcb.ucode", tcb_ucode, 255)
		NUM("current_tcb.bl", curtcb_bl, 255)
		NUM("current_tcb.tee", curtcb_tee, 255)
		NUM("current_tcb.snp", curtcb_snp, 255)
		NUM("current_tcb.ucode", curtcb_ucode, 255)
		NUM("committed_tcb.bl", ctcb_bl, 255)
		NUM("committed_tcb.tee", ctcb_tee, 255)
		NUM("committed_tcb.snp", ctcb_snp, 255)
		NUM("committed_tcb.ucode", ctcb_ucode, 255)
		NUM("launch_tcb.bl", ltcb_bl, 255)
		NUM("launch_tcb.tee", ltcb_tee, 255)
		NUM("launch_tcb.snp", ltcb_snp, 255)
		NUM("launch_tcb.ucode", ltcb_ucode, 255)
		HEX("tee_tcb_svn", tee_tcb_svn);
		HEX("tee_tcb_svn2", tee_tcb_svn2);
		BOOL("interactive-console-enabled", interactive_console);
		BOOL("filtered-vpci-devices-allowed", filtered_vpci);
		NUM("fw.build", fw_build, 255)
		NUM("fw.minor", fw_minor, 255)
		NUM("fw.major", fw_major, 255)
		NUM("td_attributes", td_attributes, UINT64_MAX)
		NUM("xfam", xfam, UINT64_MAX)
		BOOL("debug", debug);
		BOOL("console-enabled", console_enabled);
		BOOL("secure-boot", secure_boot);
		BOOL("tpm-enabled", tpm_enabled);
		BOOL("tpm-persisted", tpm_persisted);
		else if (!strcmp(k, "product")) {
			if (strcmp(v, "Milan") && strcmp(v, "Genoa") && strcmp(v, "Turin"))
				bad = 1;
			else
				snprintf(c->product, sizeof(c->product), "%s", v);
		} else if (!strcmp(k, "hardware-sealing-policy")) {
			if (strcmp(v, "none") && strcmp(v, "hash") && strcmp(v, "signer"))
				bad = 1;
			else
				snprintf(c->sealing_policy, sizeof(c->sealing_policy), "%s", v);
		} else if (!strcmp(k, "root-cert-thumbprint")) {
			if (strlen(v) >= sizeof(c->root_thumb) || strpbrk(v, "\\\""))
				bad = 1;
			else
				snprintf(c->root_thumb, sizeof(c->root_thumb), "%s", v);
		} else if (!strcmp(k, "vmUniqueId")) {
			if (strlen(v) >= sizeof(c->vm_unique_id))
				bad = 1;
			else
				snprintf(c->vm_unique_id, sizeof(c->vm_unique_id), "%s", v);
		} else if (extra && (bad = extra(k, v, arg)) <= 0) {
			bad = bad < 0;	/* the caller's key */
		} else {
			fprintf(stderr, "%s:%d: unknown key '%s'\n", path, lineno, k);
			bad = 1;
		}
		if (bad) {
			fprintf(stderr, "%s:%d: bad value for '%s'\n", path, lineno, k);
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	/* the policy's DEBUG bit (19) follows the debug key */
	if (c->debug)
		c->policy |= 1ull << 19;
	else
		c->policy &= ~(1ull << 19);
	return 0;
}

static uint64_t tcb_version(uint8_t bl, uint8_t tee, uint8_t snp, uint8_t ucode)
{
	return (uint64_t)bl | (uint64_t)tee << 8 | (uint64_t)snp << 48 | (uint64_t)ucode << 56;
}

/* SNP TCB_VERSION for Milan/Genoa: bl, tee, 4 reserved, snp, microcode */
uint64_t snp_tcb(const struct pv_config *c)
{
	return tcb_version(c->tcb_bl, c->tcb_tee, c->tcb_snp, c->tcb_ucode);
}

uint64_t snp_tcb_current(const struct pv_config *c)
{
	return tcb_version(c->curtcb_bl, c->curtcb_tee, c->curtcb_snp, c->curtcb_ucode);
}

uint64_t snp_tcb_committed(const struct pv_config *c)
{
	return tcb_version(c->ctcb_bl, c->ctcb_tee, c->ctcb_snp, c->ctcb_ucode);
}

uint64_t snp_tcb_launch(const struct pv_config *c)
{
	return tcb_version(c->ltcb_bl, c->ltcb_tee, c->ltcb_snp, c->ltcb_ucode);
}
