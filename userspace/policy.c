// SPDX-License-Identifier: GPL-2.0-only
/*
 * Appraisal policy. One "key = value" per line; '#' starts a comment; blank lines
 * are ignored; keys marked (repeatable) may appear more than once, others once.
 *
 *   measurement = HEX          (repeatable) 48-byte launch measurement (SNP
 *                              MEASUREMENT, TDX MRTD); the report must match one
 *   min_tcb.bl = N             minimum reported_tcb bootloader SPL (SNP)
 *   min_tcb.tee = N            minimum TEE (PSP OS) SPL
 *   min_tcb.snp = N            minimum SNP firmware SPL
 *   min_tcb.ucode = N          minimum microcode SPL
 *   min_tcb.fmc = N            minimum FMC SPL (Turin only)
 *   allow_debug = BOOL         default false: a debuggable guest is a violation
 *   allow_migration_agent = BOOL  default false: a migration agent is a violation
 *   allow_smt = BOOL           when false, SMT allowed by the guest policy or
 *                              enabled on the platform is a violation
 *   vmpl = N                   the report's VMPL must be N
 *   min_version = N            minimum report version
 *   id_key_digest = HEX        (repeatable) 48-byte ID key digest; must match one
 *   vm_config.KEY = VALUE      the claims' vm-configuration KEY must be VALUE
 *                              (booleans as true/false, numbers in decimal)
 *   require_hardware_verified = BOOL  default false: when true, evidence whose
 *                              hardware report cannot be verified offline (TDX)
 *                              is a violation
 *   mrtd, rtmr0..rtmr3, mrseam, td_attributes, tcb_status, min_tee_tcb_svn
 *                              TD quote keys, described in tdx_policy.c
 *
 * BOOL is true/false/yes/no/1/0. Unknown keys are an error, so a typo never
 * silently weakens a policy.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cvmguard.h"
#include "policy.h"

static const char *const tcb_keys[POLICY_TCB_COUNT] = { "bl", "tee", "snp", "ucode", "fmc" };

/**
 * policy_init() - the empty policy: only debug and migration agent forbidden
 * @p: the policy
 */
void policy_init(struct cvmg_policy *p)
{
	int i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < POLICY_TCB_COUNT; i++)
		p->min_tcb[i] = -1;
	p->allow_smt = -1;
	p->vmpl = -1;
	tdx_policy_init(&p->tdx);
}

static int parse_bool(const char *v, bool *out)
{
	if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "1"))
		*out = true;
	else if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "0"))
		*out = false;
	else
		return -EINVAL;
	return 0;
}

static int parse_uint(const char *v, long max, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(v, &end, 0);
	if (errno || end == v || *end || *out < 0 || *out > max)
		return -EINVAL;
	return 0;
}

static int parse_digest(const char *v, uint8_t *out, size_t *n)
{
	size_t w;

	if (*n == POLICY_MAX_DIGESTS)
		return -E2BIG;
	if (cvmg_hex_decode(v, out + 48 * *n, 48, &w) || w != 48)
		return -EINVAL;
	(*n)++;
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int parse_kv(struct cvmg_policy *p, const char *key, const char *val)
{
	long n;
	bool b;
	int i;

	if (!strcmp(key, "measurement"))
		return parse_digest(val, &p->measurement[0][0], &p->nmeasurement);
	if (!strcmp(key, "id_key_digest"))
		return parse_digest(val, &p->id_key_digest[0][0], &p->nid_key);
	if (!strncmp(key, "min_tcb.", 8)) {
		for (i = 0; i < POLICY_TCB_COUNT; i++) {
			if (strcmp(key + 8, tcb_keys[i]))
				continue;
			if (p->min_tcb[i] >= 0 || parse_uint(val, 255, &n))
				return -EINVAL;
			p->min_tcb[i] = (int)n;
			return 0;
		}
		return -ENOENT;
	}
	if (!strncmp(key, "vm_config.", 10)) {
		if (p->nvmcfg == POLICY_MAX_VMCFG)
			return -E2BIG;
		if (!key[10] || strlen(key + 10) >= sizeof(p->vmcfg[0].key) ||
		    strlen(val) >= sizeof(p->vmcfg[0].value))
			return -EINVAL;
		strcpy(p->vmcfg[p->nvmcfg].key, key + 10);
		strcpy(p->vmcfg[p->nvmcfg].value, val);
		p->nvmcfg++;
		return 0;
	}
	if (!strcmp(key, "allow_debug"))
		return parse_bool(val, &p->allow_debug);
	if (!strcmp(key, "require_hardware_verified"))
		return parse_bool(val, &p->require_hw_verified);
	if (!strcmp(key, "allow_migration_agent"))
		return parse_bool(val, &p->allow_migration_agent);
	if (!strcmp(key, "allow_smt")) {
		if (p->allow_smt >= 0 || parse_bool(val, &b))
			return -EINVAL;
		p->allow_smt = b;
		return 0;
	}
	if (!strcmp(key, "vmpl")) {
		if (p->vmpl >= 0 || parse_uint(val, 3, &n))
			return -EINVAL;
		p->vmpl = (int)n;
		return 0;
	}
	if (!strcmp(key, "min_version")) {
		if (p->min_version || parse_uint(val, 0xffff, &n))
			return -EINVAL;
		p->min_version = (uint32_t)n;
		return 0;
	}
	return tdx_policy_parse_kv(&p->tdx, key, val);
}

/**
 * policy_parse() - parse a policy file's text
 * @text: the file's contents (need not be NUL-terminated)
 * @len: their length
 * @p: the policy, initialised here
 * @line: receives the number of the offending line on error (may be NULL)
 *
 * Return: 0, -ENOENT for an unknown key, -EINVAL for a bad value, a repeated
 * single-valued key or a line without '=', -E2BIG for too many repeated keys.
 */
int policy_parse(const char *text, size_t len, struct cvmg_policy *p, int *line)
{
	char *copy = strndup(text, len), *cur, *nl, *eq;
	int ln = 0, ret = 0;

	policy_init(p);
	if (!copy)
		return -ENOMEM;
	for (cur = copy; cur; cur = nl) {
		nl = strchr(cur, '\n');
		if (nl)
			*nl++ = '\0';
		ln++;
		eq = strchr(cur, '#');
		if (eq)
			*eq = '\0';
		cur = trim(cur);
		if (!*cur)
			continue;
		eq = strchr(cur, '=');
		if (!eq) {
			ret = -EINVAL;
			break;
		}
		*eq = '\0';
		ret = parse_kv(p, trim(cur), trim(eq + 1));
		if (ret)
			break;
	}
	if (line)
		*line = ret ? ln : 0;
	free(copy);
	return ret;
}

static void violation(struct policy_violations *out, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void violation(struct policy_violations *out, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (out->n == POLICY_MAX_VIOLATIONS)
		return;
	snprintf(out->v[out->n].name, sizeof(out->v[0].name), "%s", name);
	va_start(ap, fmt);
	vsnprintf(out->v[out->n].detail, sizeof(out->v[0].detail), fmt, ap);
	va_end(ap);
	out->n++;
}

static bool digest_listed(const uint8_t (*list)[48], size_t n, const uint8_t *d)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!memcmp(list[i], d, 48))
			return true;
	return false;
}

static void check_measurement(const struct cvmg_policy *p, const uint8_t *m,
			      struct policy_violations *out)
{
	char hex[97];

	if (!p->nmeasurement || digest_listed(p->measurement, p->nmeasurement, m))
		return;
	cvmg_hex_encode(m, 48, hex);
	violation(out, "measurement", "%s is not an allowed measurement", hex);
}

/**
 * policy_check_snp() - appraise a verified SNP report
 * @p: the policy
 * @r: the report
 * @prod: its product (selects the TCB layout)
 * @out: violations are appended here
 */
void policy_check_snp(const struct cvmg_policy *p, const struct snp_report *r,
		      enum snp_product prod, struct policy_violations *out)
{
	struct snp_tcb t;
	int have[POLICY_TCB_COUNT], i;
	char key[32], hex[97];

	check_measurement(p, r->measurement, out);
	snp_tcb_decode(r->reported_tcb, prod, &t);
	have[POLICY_TCB_BL] = t.bootloader;
	have[POLICY_TCB_TEE] = t.tee;
	have[POLICY_TCB_SNP] = t.snp;
	have[POLICY_TCB_UCODE] = t.microcode;
	have[POLICY_TCB_FMC] = prod == SNP_PRODUCT_TURIN ? t.fmc : -1;
	for (i = 0; i < POLICY_TCB_COUNT; i++) {
		if (p->min_tcb[i] < 0)
			continue;
		snprintf(key, sizeof(key), "min_tcb.%s", tcb_keys[i]);
		if (have[i] < 0)
			violation(out, key, "the %s TCB has no %s SPL", snp_product_name(prod),
				  tcb_keys[i]);
		else if (have[i] < p->min_tcb[i])
			violation(out, key, "reported %d < %d", have[i], p->min_tcb[i]);
	}
	if (!p->allow_debug && (r->policy & SNP_POLICY_DEBUG))
		violation(out, "allow_debug", "guest policy allows debugging");
	if (!p->allow_migration_agent && (r->policy & SNP_POLICY_MIGRATE_MA))
		violation(out, "allow_migration_agent", "guest policy allows a migration agent");
	if (p->allow_smt == 0 && ((r->policy & SNP_POLICY_SMT) ||
				  (r->platform_info & SNP_PLATFORM_SMT_EN)))
		violation(out, "allow_smt", "SMT %s",
			  (r->platform_info & SNP_PLATFORM_SMT_EN) ? "enabled on the platform"
								    : "allowed by guest policy");
	if (p->vmpl >= 0 && r->vmpl != (uint32_t)p->vmpl)
		violation(out, "vmpl", "report from VMPL %u, policy wants %d", r->vmpl, p->vmpl);
	if (p->min_version && r->version < p->min_version)
		violation(out, "min_version", "report version %u < %u", r->version,
			  p->min_version);
	if (p->nid_key && !digest_listed(p->id_key_digest, p->nid_key, r->id_key_digest)) {
		cvmg_hex_encode(r->id_key_digest, 48, hex);
		violation(out, "id_key_digest", "%s is not an allowed ID key", hex);
	}
}

/**
 * policy_check_tdx() - appraise a TDX report (measurement is MRTD)
 * @p: the policy
 * @t: the TDREPORT
 * @out: violations are appended here
 *
 * SNP-only keys (min_tcb.*, vmpl, min_version, id_key_digest, allow_smt,
 * allow_migration_agent) do not apply to TDX and are not checked.
 */
void policy_check_tdx(const struct cvmg_policy *p, const struct tdx_report *t,
		      struct policy_violations *out)
{
	check_measurement(p, t->mrtd, out);
	if (!p->allow_debug && (t->td_attributes & TDX_ATTR_DEBUG))
		violation(out, "allow_debug", "TD attributes allow debugging");
}

/**
 * policy_check_vmcfg() - compare the claims' vm-configuration with the policy
 * @p: the policy
 * @vm_config: the "vm-configuration" object, or NULL when absent
 * @out: violations are appended here
 */
void policy_check_vmcfg(const struct cvmg_policy *p, json_object *vm_config,
			struct policy_violations *out)
{
	char name[80];
	size_t i;

	for (i = 0; i < p->nvmcfg; i++) {
		json_object *v;
		const char *s;

		snprintf(name, sizeof(name), "vm_config.%s", p->vmcfg[i].key);
		if (!vm_config || !json_object_object_get_ex(vm_config, p->vmcfg[i].key, &v)) {
			violation(out, name, "missing from the claims");
			continue;
		}
		s = json_object_get_string(v);
		if (!s || strcmp(s, p->vmcfg[i].value))
			violation(out, name, "is %s, policy wants %s", s ? s : "null",
				  p->vmcfg[i].value);
	}
}

/**
 * policy_check_hw() - whether the hardware report had to be verified
 * @p: the policy
 * @verified: a hardware report's signature was verified (an SNP report)
 * @out: violations are appended here
 */
void policy_check_hw(const struct cvmg_policy *p, bool verified,
		     struct policy_violations *out)
{
	if (p->require_hw_verified && !verified)
		violation(out, "require_hardware_verified",
			  "the hardware report is not verified (a TDX TDREPORT cannot be offline)");
}
