// SPDX-License-Identifier: GPL-2.0-only
/*
 * Appraisal policy. Verification always starts from the built-in default policy
 * below; a policy file may only relax what it names (or tighten it: min_tcb.*,
 * measurement, snp.allow_smt = false...). One "key = value" per line; '#' starts
 * a comment; blank lines are ignored. Keys marked (repeatable) may appear more
 * than once, every other key at most once. The prefix names the evidence kind a
 * key applies to, so keys for one kind never fail evidence of another:
 *
 *   measurement = HEX          (repeatable) 48-byte launch measurement of any
 *                              kind (SNP MEASUREMENT or TDX MRTD); the report
 *                              must match one measurement or one key of its kind
 *   snp.measurement = HEX      (repeatable) the same, for SNP reports only
 *   tdx.mrtd = HEX             (repeatable) the same, for TDX reports only
 *   min_tcb.bl|tee|snp|ucode|fmc = N   SNP: minimum reported_tcb SPL (fmc: Turin)
 *   snp.allow_debug = BOOL     default false: a debuggable guest is refused
 *   snp.allow_migration_agent = BOOL  default false
 *   snp.allow_nonzero_mbz = BOOL      default false: a reserved field that is not
 *                              zero is refused
 *   snp.allow_provisional_firmware = BOOL  default false: firmware whose current
 *                              TCB or version differs from the committed one
 *   snp.allow_reported_tcb_above_committed = BOOL  default false: a REPORTED_TCB
 *                              with an SPL above COMMITTED_TCB's
 *   snp.allow_smt = BOOL       when false, SMT (guest policy or platform) refused
 *   snp.vmpl = N               the report's VMPL must be N. Default: 0 for HCL
 *                              reports (the paravisor's level, the only one at
 *                              which REPORT_DATA binds the vTPM's key), any for
 *                              raw SNP reports
 *   snp.min_version = N        minimum report version
 *   snp.id_key_digest = HEX    (repeatable) 48-byte ID key digest; must match one
 *   tdx.allow_debug = BOOL     default false: a debuggable TD is refused
 *   tdx.require_hardware_verified = BOOL  default true: TDX evidence without a
 *                              hardware-verified TD quote is refused
 *   tdx.rtmr0 .. tdx.rtmr3, tdx.mrseam (repeatable), tdx.td_attributes,
 *   tdx.tcb_status, tdx.min_tee_tcb_svn
 *                              TD keys, described in tdx_policy.c; appraised
 *                              against a raw TD quote's body or an HCL report's
 *                              TDREPORT (which a TD quote, when there is one,
 *                              must equal). tdx.tcb_status defaults to UpToDate
 *   vm_config.KEY = VALUE      vTPM (HCL) claims: vm-configuration KEY must be
 *                              VALUE (booleans true/false, numbers in decimal)
 *   vtpm.unlogged_pcrs = N[,N...]  PCRs a bundle's quote may select with a
 *                              non-reset value that no log in the bundle replays
 *                              (a PCR pinned by pcr.sha256.N needs no replay: its
 *                              value is known)
 *   pcr.BANK.N = HEX           (repeatable) BANK sha1|sha256|sha384|sha512, N 0-23,
 *                              HEX exactly the bank's digest size: the value the
 *                              bundle's verified TPM quote attests for PCR N must
 *                              be one of those given. A PCR the quote does not
 *                              select (bundles quote the SHA-256 bank only) and
 *                              evidence with no quote are refused, never passed
 *   expect = FORM[,FORM...]    the evidence must be of one of these forms: bundle,
 *                              hcl (an HCL report alone), snp (a raw SNP report),
 *                              tdx-quote (a raw TD quote), hcl+tdx-quote (an HCL
 *                              report given with --td-quote)
 *
 * vm_config.* and pcr.* are claims only some evidence carries (an HCL report's
 * runtime claims, a bundle's quote): given evidence without them, each such key
 * is a violation by its name, never a silent pass.
 *
 * The SNP keys' earlier unprefixed spellings (allow_migration_agent, allow_smt,
 * vmpl, min_version, id_key_digest) are the same keys; so are the TD keys'
 * unprefixed spellings (mrtd, rtmr0..rtmr3, mrseam, td_attributes, tcb_status,
 * min_tee_tcb_svn: mrtd is tdx.mrtd); allow_debug relaxes both snp.allow_debug
 * and tdx.allow_debug; require_hardware_verified is tdx.require_hardware_verified.
 *
 * BOOL is true/false/yes/no/1/0; N is decimal without leading zeros. A file with
 * a NUL byte, an unknown key, a repeated key or a malformed value is refused as a
 * whole (with its line), so a typo never silently weakens a policy.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cvmguard.h"
#include "policy.h"

static const char *const tcb_keys[POLICY_TCB_COUNT] = { "bl", "tee", "snp", "ucode", "fmc" };
static const char *const bank_names[POLICY_BANKS] = { "sha1", "sha256", "sha384", "sha512" };
static const uint8_t bank_sizes[POLICY_BANKS] = { 20, 32, 48, 64 };
static const char *const form_names[POLICY_FORMS] = { "bundle", "hcl", "snp", "tdx-quote",
						      "hcl+tdx-quote" };

/**
 * policy_bank_name() - a PCR bank's name in pcr.BANK.N keys
 * @bank: the bank
 *
 * Return: "sha1", "sha256", "sha384" or "sha512".
 */
const char *policy_bank_name(enum policy_bank bank)
{
	return bank < POLICY_BANKS ? bank_names[bank] : "?";
}

/**
 * policy_form_name() - an evidence form's name in expect =
 * @form: the form
 *
 * Return: "bundle", "hcl", "snp", "tdx-quote" or "hcl+tdx-quote".
 */
const char *policy_form_name(enum policy_form form)
{
	return form < POLICY_FORMS ? form_names[form] : "?";
}

/**
 * policy_init() - the built-in default policy
 * @p: the policy
 *
 * Debug and migration agents refused, reserved fields zero, no provisional
 * firmware, REPORTED_TCB not above COMMITTED_TCB, VMPL 0 for HCL reports, TDX
 * evidence only with a hardware-verified TD quote, every non-reset quoted PCR
 * replayed by a log.
 */
void policy_init(struct cvmg_policy *p)
{
	int i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < POLICY_TCB_COUNT; i++)
		p->min_tcb[i] = -1;
	p->allow_smt = -1;
	p->vmpl = POLICY_VMPL_DEFAULT;
	tdx_policy_init(&p->tdx);
}

/**
 * policy_print_default() - the default policy as a policy file
 * @f: where to print it
 *
 * The output parses (policy_parse()) to the default policy itself.
 */
void policy_print_default(FILE *f)
{
	fprintf(f,
		"# cvmguard's built-in default policy: what `cvmguard verify` enforces when\n"
		"# no --policy is given, and what a policy file starts from. A policy file\n"
		"# relaxes only the keys it names.\n"
		"# SNP\n"
		"snp.allow_debug = false\n"
		"snp.allow_migration_agent = false\n"
		"snp.allow_nonzero_mbz = false\n"
		"snp.allow_provisional_firmware = false\n"
		"snp.allow_reported_tcb_above_committed = false\n"
		"# snp.vmpl: 0 for HCL reports (the paravisor's level), any for raw SNP reports\n"
		"# TDX\n"
		"tdx.allow_debug = false\n"
		"tdx.require_hardware_verified = true\n"
		"# TD quote: the TCB status DCAP collateral gives (unknown: no collateral)\n"
		"tdx.tcb_status = UpToDate\n"
		"# vTPM: every quoted PCR whose value is not its reset value is replayed by a\n"
		"# log in the bundle (vtpm.unlogged_pcrs names exceptions; none by default)\n"
		"# not checked unless given: measurement, snp.measurement, tdx.mrtd,\n"
		"# min_tcb.*, snp.allow_smt, snp.min_version, snp.id_key_digest,\n"
		"# tdx.rtmr0-3, tdx.mrseam, tdx.td_attributes, tdx.min_tee_tcb_svn, vm_config.*,\n"
		"# pcr.*, expect (any evidence form)\n");
}

/**
 * policy_strerror() - what a policy_parse() error means
 * @err: its return value
 *
 * Return: a static string.
 */
const char *policy_strerror(int err)
{
	switch (err) {
	case -ENOENT: return "unknown key";
	case -EEXIST: return "repeated key";
	case -EILSEQ: return "NUL byte in the policy";
	case -E2BIG: return "too many values for a key";
	case -EINVAL: return "malformed line or value";
	case -ERANGE: return "PCR number outside 0 to 23";
	case -EMSGSIZE: return "the PCR value's length is not the bank's digest size "
			       "(sha1 20, sha256 32, sha384 48, sha512 64 bytes: 40, 64, 96, "
			       "128 hex digits)";
	case -EPROTONOSUPPORT: return "unknown PCR bank (sha1, sha256, sha384, sha512)";
	case -ENOMEM: return "out of memory";
	default: return "error";
	}
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

/* A relaxation: true relaxes, false keeps the default (never re-tightens). */
static int parse_allow(const char *v, bool *flag)
{
	bool b;

	if (parse_bool(v, &b))
		return -EINVAL;
	*flag |= b;
	return 0;
}

/* Decimal, no sign, no leading zero, at most @max. */
static int parse_uint(const char *v, long max, long *out)
{
	long n = 0;
	const char *s;

	if (!*v || (v[0] == '0' && v[1]))
		return -EINVAL;
	for (s = v; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		n = n * 10 + (*s - '0');
		if (n > max)
			return -EINVAL;
	}
	*out = n;
	return 0;
}

static int parse_digest(const char *v, uint8_t (*list)[48], size_t *n)
{
	size_t w;

	if (*n == POLICY_MAX_DIGESTS)
		return -E2BIG;
	if (cvmg_hex_decode(v, list[*n], 48, &w) || w != 48)
		return -EINVAL;
	(*n)++;
	return 0;
}

/**
 * policy_parse_pcr_list() - a list of PCR numbers, "N[,N...]"
 * @v: the text (decimal, 0 to 23, each once, no leading zeros)
 * @mask: the PCRs are or'ed into this mask
 *
 * Return: 0, or -EINVAL for an empty, malformed or repeating list.
 */
int policy_parse_pcr_list(const char *v, uint32_t *mask)
{
	char buf[128], *tok, *save = NULL;
	long n;

	if (strlen(v) >= sizeof(buf) || !*v)
		return -EINVAL;
	strcpy(buf, v);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		while (isspace((unsigned char)*tok))
			tok++;
		tok[strcspn(tok, " \t")] = '\0';
		if (parse_uint(tok, 23, &n) || (*mask & (1u << n)))
			return -EINVAL;
		*mask |= 1u << n;
	}
	return *mask ? 0 : -EINVAL;
}


/* The SNP keys that had no prefix before keys were scoped. */
static const char *const snp_legacy[] = {
	"allow_migration_agent", "allow_smt", "vmpl", "min_version", "id_key_digest",
};

/* The TD keys issue 14 named without a prefix (the TD quote's fields). */
static const char *const tdx_legacy[] = {
	"mrtd", "rtmr0", "rtmr1", "rtmr2", "rtmr3", "mrseam", "td_attributes",
	"tcb_status", "min_tee_tcb_svn",
};

/*
 * The key's canonical name (legacy spellings of a key map to it), and whether
 * it may repeat. Return: 0, or -ENOENT for a key that is not known.
 */
static int canonical(const char *key, char *out, size_t size, bool *repeatable)
{
	size_t i;

	for (i = 0; i < sizeof(snp_legacy) / sizeof(snp_legacy[0]); i++)
		if (!strcmp(key, snp_legacy[i])) {
			snprintf(out, size, "snp.%s", snp_legacy[i]);
			key = out;
			break;
		}
	for (i = 0; i < sizeof(tdx_legacy) / sizeof(tdx_legacy[0]); i++)
		if (!strcmp(key, tdx_legacy[i])) {
			snprintf(out, size, "tdx.%s", tdx_legacy[i]);
			key = out;
			break;
		}
	*repeatable = !strcmp(key, "measurement") || !strcmp(key, "snp.measurement") ||
		      !strcmp(key, "tdx.mrtd") || !strcmp(key, "tdx.mrseam") ||
		      !strcmp(key, "snp.id_key_digest") || !strncmp(key, "pcr.", 4);
	if (key == out)
		return 0;
	if (!strcmp(key, "require_hardware_verified"))
		key = "tdx.require_hardware_verified";
	if (strlen(key) >= size)
		return -EINVAL;
	strcpy(out, key);
	return 0;
}

static int parse_snp(struct cvmg_policy *p, const char *key, const char *val)
{
	long n;
	bool b;

	if (!strcmp(key, "measurement"))
		return parse_digest(val, p->meas[POLICY_SNP], &p->nmeas[POLICY_SNP]);
	if (!strcmp(key, "id_key_digest"))
		return parse_digest(val, p->id_key_digest, &p->nid_key);
	if (!strcmp(key, "allow_debug"))
		return parse_allow(val, &p->allow_debug);
	if (!strcmp(key, "allow_migration_agent"))
		return parse_allow(val, &p->allow_migration_agent);
	if (!strcmp(key, "allow_nonzero_mbz"))
		return parse_allow(val, &p->allow_mbz);
	if (!strcmp(key, "allow_provisional_firmware"))
		return parse_allow(val, &p->allow_provisional);
	if (!strcmp(key, "allow_reported_tcb_above_committed"))
		return parse_allow(val, &p->allow_reported_above_committed);
	if (!strcmp(key, "allow_smt")) {
		if (parse_bool(val, &b))
			return -EINVAL;
		p->allow_smt = b;
		return 0;
	}
	if (!strcmp(key, "vmpl")) {
		if (parse_uint(val, 3, &n))
			return -EINVAL;
		p->vmpl = (int)n;
		return 0;
	}
	if (!strcmp(key, "min_version")) {
		if (parse_uint(val, 0xffff, &n) || !n)
			return -EINVAL;
		p->min_version = (uint32_t)n;
		return 0;
	}
	return -ENOENT;
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

/* pcr.BANK.N = HEX: @key is "BANK.N". */
static int parse_pcr_pin(struct cvmg_policy *p, const char *key, const char *val)
{
	const char *dot = strchr(key, '.');
	size_t w, blen;
	long n;
	int b;

	if (!dot)
		return -ENOENT;
	blen = (size_t)(dot - key);
	for (b = 0; b < POLICY_BANKS; b++)
		if (strlen(bank_names[b]) == blen && !strncmp(key, bank_names[b], blen))
			break;
	if (b == POLICY_BANKS)
		return -EPROTONOSUPPORT;
	if (parse_uint(dot + 1, 1000, &n))
		return -EINVAL;
	if (n >= POLICY_PCR_COUNT)
		return -ERANGE;
	if (p->npcr == POLICY_MAX_PCR_PINS)
		return -E2BIG;
	if (strlen(val) != 2u * bank_sizes[b])
		return -EMSGSIZE;
	if (cvmg_hex_decode(val, p->pcr[p->npcr].value, sizeof(p->pcr[0].value), &w) ||
	    w != bank_sizes[b])
		return -EINVAL;
	p->pcr[p->npcr].bank = (uint8_t)b;
	p->pcr[p->npcr].pcr = (uint8_t)n;
	p->pcr[p->npcr].len = bank_sizes[b];
	p->npcr++;
	return 0;
}

/* expect = FORM[,FORM...] */
static int parse_expect(struct cvmg_policy *p, const char *v)
{
	char buf[128], *tok, *save = NULL;
	int f;

	if (strlen(v) >= sizeof(buf) || !*v)
		return -EINVAL;
	strcpy(buf, v);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		tok = trim(tok);
		for (f = 0; f < POLICY_FORMS; f++)
			if (!strcmp(tok, form_names[f]))
				break;
		if (f == POLICY_FORMS || (p->expect & (1u << f)))
			return -EINVAL;
		p->expect |= 1u << f;
	}
	return p->expect ? 0 : -EINVAL;
}

static int parse_kv(struct cvmg_policy *p, const char *key, const char *val)
{
	long n;
	bool b;
	int i;

	if (!strcmp(key, "measurement"))
		return parse_digest(val, p->meas[POLICY_ANY], &p->nmeas[POLICY_ANY]);
	if (!strcmp(key, "tdx.mrtd"))
		return parse_digest(val, p->meas[POLICY_TDX], &p->nmeas[POLICY_TDX]);
	if (!strncmp(key, "min_tcb.", 8)) {
		for (i = 0; i < POLICY_TCB_COUNT; i++) {
			if (strcmp(key + 8, tcb_keys[i]))
				continue;
			if (parse_uint(val, 255, &n))
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
	if (!strcmp(key, "allow_debug")) {
		if (parse_allow(val, &p->allow_debug))
			return -EINVAL;
		p->tdx_allow_debug = p->allow_debug;
		return 0;
	}
	if (!strncmp(key, "snp.", 4))
		return parse_snp(p, key + 4, val);
	if (!strcmp(key, "tdx.allow_debug"))
		return parse_allow(val, &p->tdx_allow_debug);
	if (!strcmp(key, "tdx.require_hardware_verified")) {
		if (parse_bool(val, &b))
			return -EINVAL;
		p->tdx_allow_unverified |= !b;
		return 0;
	}
	if (!strncmp(key, "tdx.", 4))
		return tdx_policy_parse_kv(&p->tdx, key + 4, val);
	if (!strcmp(key, "vtpm.unlogged_pcrs"))
		return policy_parse_pcr_list(val, &p->unlogged_pcrs);
	if (!strncmp(key, "pcr.", 4))
		return parse_pcr_pin(p, key + 4, val);
	if (!strcmp(key, "expect"))
		return parse_expect(p, val);
	return -ENOENT;
}

/**
 * policy_parse() - parse a policy file's text over the default policy
 * @text: the file's contents (need not be NUL-terminated)
 * @len: their length
 * @p: the policy, initialised here to the default (policy_init())
 * @line: receives the number of the offending line on error (may be NULL)
 *
 * Return: 0, -ENOENT for an unknown key, -EEXIST for a repeated key that may
 * appear once, -EILSEQ for a NUL byte, -EINVAL for a bad value or a line without
 * '=', -E2BIG for too many repeated keys; policy_strerror() says which.
 */
int policy_parse(const char *text, size_t len, struct cvmg_policy *p, int *line)
{
	char (*seen)[64] = NULL, canon[64], *copy = NULL, *cur, *nl, *eq;
	const char *nul;
	size_t nseen = 0, i;
	bool rep;
	int ln = 0, ret = 0;

	policy_init(p);
	nul = memchr(text, '\0', len);
	if (nul) {
		/* The line the NUL byte is on. */
		for (ln = 1; text < nul; text++)
			ln += *text == '\n';
		ret = -EILSEQ;
		goto out;
	}
	copy = strndup(text, len);
	seen = calloc(POLICY_MAX_KEYS, sizeof(*seen));
	if (!copy || !seen) {
		ret = -ENOMEM;
		goto out;
	}
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
		cur = trim(cur);
		ret = canonical(cur, canon, sizeof(canon), &rep);
		if (ret)
			break;
		for (i = 0; !rep && i < nseen; i++)
			if (!strcmp(seen[i], canon))
				ret = -EEXIST;
		if (!ret && !rep) {
			if (nseen == POLICY_MAX_KEYS)
				ret = -E2BIG;
			else
				strcpy(seen[nseen++], canon);
		}
		if (!ret)
			ret = parse_kv(p, canon, trim(eq + 1));
		if (ret)
			break;
	}
out:
	if (ret)
		policy_init(p);
	if (line)
		*line = ret ? ln : 0;
	free(seen);
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

/* The kind's own list and the any-kind list together are the allowed set. */
static void check_measurement(const struct cvmg_policy *p, enum policy_scope kind,
			      const uint8_t *m, struct policy_violations *out)
{
	char hex[97];

	if (!p->nmeas[POLICY_ANY] && !p->nmeas[kind])
		return;
	if (digest_listed(p->meas[POLICY_ANY], p->nmeas[POLICY_ANY], m) ||
	    digest_listed(p->meas[kind], p->nmeas[kind], m))
		return;
	cvmg_hex_encode(m, 48, hex);
	violation(out, p->nmeas[kind] ? (kind == POLICY_SNP ? "snp.measurement" : "tdx.mrtd")
				      : "measurement",
		  "%s is not an allowed measurement", hex);
}

static void tcb_spls(uint64_t raw, enum snp_product prod, int *have)
{
	struct snp_tcb t;

	snp_tcb_decode(raw, prod, &t);
	have[POLICY_TCB_BL] = t.bootloader;
	have[POLICY_TCB_TEE] = t.tee;
	have[POLICY_TCB_SNP] = t.snp;
	have[POLICY_TCB_UCODE] = t.microcode;
	have[POLICY_TCB_FMC] = prod == SNP_PRODUCT_TURIN ? t.fmc : -1;
}

/**
 * policy_check_snp() - appraise a verified SNP report
 * @p: the policy
 * @r: the report
 * @prod: its product (selects the TCB layout)
 * @hcl: the report came inside an HCL report (its default VMPL is 0)
 * @out: violations are appended here
 */
void policy_check_snp(const struct cvmg_policy *p, const struct snp_report *r,
		      enum snp_product prod, bool hcl, struct policy_violations *out)
{
	int have[POLICY_TCB_COUNT], committed[POLICY_TCB_COUNT], i, vmpl;
	const char *mbz;
	char key[32], hex[97];

	check_measurement(p, POLICY_SNP, r->measurement, out);
	tcb_spls(r->reported_tcb, prod, have);
	tcb_spls(r->committed_tcb, prod, committed);
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
		violation(out, "snp.allow_debug", "guest policy allows debugging");
	if (!p->allow_migration_agent && (r->policy & SNP_POLICY_MIGRATE_MA))
		violation(out, "snp.allow_migration_agent", "guest policy allows a migration agent");
	mbz = snp_report_mbz(r);
	if (!p->allow_mbz && mbz)
		violation(out, "snp.allow_nonzero_mbz", "reserved field %s is not zero", mbz);
	if (!p->allow_provisional &&
	    (r->current_tcb != r->committed_tcb || r->current_major != r->committed_major ||
	     r->current_minor != r->committed_minor || r->current_build != r->committed_build))
		violation(out, "snp.allow_provisional_firmware", "current firmware %u.%u.%u "
			  "(TCB 0x%016llx) is not the committed %u.%u.%u (TCB 0x%016llx)",
			  r->current_major, r->current_minor, r->current_build,
			  (unsigned long long)r->current_tcb, r->committed_major,
			  r->committed_minor, r->committed_build,
			  (unsigned long long)r->committed_tcb);
	for (i = 0; i < POLICY_TCB_COUNT && !p->allow_reported_above_committed; i++)
		if (have[i] > committed[i]) {
			violation(out, "snp.allow_reported_tcb_above_committed",
				  "REPORTED_TCB %s SPL %d > COMMITTED_TCB's %d", tcb_keys[i],
				  have[i], committed[i]);
			break;
		}
	if (p->allow_smt == 0 && ((r->policy & SNP_POLICY_SMT) ||
				  (r->platform_info & SNP_PLATFORM_SMT_EN)))
		violation(out, "snp.allow_smt", "SMT %s",
			  (r->platform_info & SNP_PLATFORM_SMT_EN) ? "enabled on the platform"
								    : "allowed by guest policy");
	vmpl = p->vmpl != POLICY_VMPL_DEFAULT ? p->vmpl : hcl ? 0 : -1;
	if (vmpl >= 0 && r->vmpl != (uint32_t)vmpl)
		violation(out, "snp.vmpl", "report from VMPL %u, policy wants %d%s", r->vmpl, vmpl,
			  p->vmpl == POLICY_VMPL_DEFAULT ? " (the paravisor's; REPORT_DATA binds "
			  "the vTPM's key only there)" : "");
	if (p->min_version && r->version < p->min_version)
		violation(out, "snp.min_version", "report version %u < %u", r->version,
			  p->min_version);
	if (p->nid_key && !digest_listed(p->id_key_digest, p->nid_key, r->id_key_digest)) {
		cvmg_hex_encode(r->id_key_digest, 48, hex);
		violation(out, "snp.id_key_digest", "%s is not an allowed ID key", hex);
	}
}

/**
 * policy_check_td() - appraise a TD's measurements and attributes
 * @p: the policy
 * @mrtd: MRTD (checked against measurement and tdx.mrtd)
 * @mrseam: MRSEAM (tdx.mrseam)
 * @rtmr: RTMR0-3 (tdx.rtmr0..3)
 * @td_attributes: the TD attributes (tdx.allow_debug, tdx.td_attributes)
 * @tee_tcb_svn: TEE_TCB_SVN (tdx.min_tee_tcb_svn)
 * @out: violations are appended here
 *
 * The same keys whether the fields come from a verified TD quote or from an HCL
 * report's TDREPORT (which a verified quote matches field by field).
 */
void policy_check_td(const struct cvmg_policy *p, const uint8_t *mrtd, const uint8_t *mrseam,
		     const uint8_t (*rtmr)[48], uint64_t td_attributes,
		     const uint8_t *tee_tcb_svn, struct policy_violations *out)
{
	const struct tdx_policy *t = &p->tdx;
	int i;

	check_measurement(p, POLICY_TDX, mrtd, out);
	if (!p->tdx_allow_debug && (td_attributes & TDX_ATTR_DEBUG))
		violation(out, "tdx.allow_debug", "TD attributes allow debugging (TUD.DEBUG set)");
	if (t->has_td_attributes && td_attributes != t->td_attributes)
		violation(out, "tdx.td_attributes", "TD attributes are 0x%016llx, policy wants "
			  "0x%016llx", (unsigned long long)td_attributes,
			  (unsigned long long)t->td_attributes);
	if (t->nmrseam && !digest_listed(t->mrseam, t->nmrseam, mrseam))
		violation(out, "tdx.mrseam", "MRSEAM matches none of the policy's");
	for (i = 0; i < 4; i++)
		if (t->has_rtmr[i] && memcmp(t->rtmr[i], rtmr[i], 48))
			violation(out, (const char *const[]){ "tdx.rtmr0", "tdx.rtmr1", "tdx.rtmr2",
				  "tdx.rtmr3" }[i], "RTMR%d differs from the policy's value", i);
	for (i = 0; t->has_min_svn && i < 16; i++)
		if (tee_tcb_svn[i] < t->min_tee_tcb_svn[i]) {
			violation(out, "tdx.min_tee_tcb_svn", "TEE_TCB_SVN[%d] is %u, policy wants "
				  "at least %u", i, tee_tcb_svn[i], t->min_tee_tcb_svn[i]);
			break;
		}
}

/**
 * policy_check_tdx() - appraise a TDX report (its measurement is MRTD)
 * @p: the policy
 * @t: the TDREPORT
 * @out: violations are appended here
 *
 * Only TDX keys and the any-kind measurement apply; SNP keys never fail TDX.
 */
void policy_check_tdx(const struct cvmg_policy *p, const struct tdx_report *t,
		      struct policy_violations *out)
{
	policy_check_td(p, t->mrtd, t->mrseam, (const uint8_t (*)[48])t->rtmr, t->td_attributes,
			t->tee_tcb_svn, out);
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
			violation(out, name, "is not the value the policy wants");
	}
}

/**
 * policy_check_hw() - whether the hardware report had to be verified
 * @p: the policy
 * @tdx: the evidence is TDX (SNP reports are always verified or fail)
 * @verified: the hardware report was verified to the vendor's root
 * @out: violations are appended here
 */
void policy_check_hw(const struct cvmg_policy *p, bool tdx, bool verified,
		     struct policy_violations *out)
{
	if (tdx && !verified && !p->tdx_allow_unverified)
		violation(out, "tdx.require_hardware_verified",
			  "the TDREPORT is not verified to Intel's root (no verified TD quote)");
}

/**
 * policy_check_unlogged() - quoted PCRs with a non-reset value no log replays
 * @p: the policy
 * @unlogged: those PCRs, as a mask
 * @out: violations are appended here
 */
void policy_check_unlogged(const struct cvmg_policy *p, uint32_t unlogged,
			   struct policy_violations *out)
{
	char list[100] = "";
	size_t off = 0;
	int i;

	/* A pinned PCR needs no replay: policy_check_pcrs() holds it to its value. */
	unlogged &= ~(p->unlogged_pcrs | policy_pinned_pcrs(p, POLICY_BANK_SHA256));
	if (!unlogged)
		return;
	for (i = 0; i < 24; i++)
		if (unlogged & (1u << i))
			off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%d",
						off ? "," : "", i);
	violation(out, "vtpm.unlogged_pcrs", "quoted PCR(s) %s hold a non-reset value that no "
		  "log in the bundle replays", list);
}

/**
 * policy_pinned_pcrs() - the PCRs of one bank that pcr.BANK.N keys pin
 * @p: the policy
 * @bank: the bank
 *
 * Return: a mask of PCR numbers.
 */
uint32_t policy_pinned_pcrs(const struct cvmg_policy *p, enum policy_bank bank)
{
	uint32_t mask = 0;
	size_t i;

	for (i = 0; i < p->npcr; i++)
		if (p->pcr[i].bank == bank)
			mask |= 1u << p->pcr[i].pcr;
	return mask;
}

/**
 * policy_check_expect() - whether the evidence is of a form the policy expects
 * @p: the policy
 * @form: the evidence's form
 * @out: violations are appended here ("expect")
 */
void policy_check_expect(const struct cvmg_policy *p, enum policy_form form,
			 struct policy_violations *out)
{
	char list[80] = "";
	size_t off = 0;
	int f;

	if (!p->expect || (p->expect & (1u << form)))
		return;
	for (f = 0; f < POLICY_FORMS; f++)
		if (p->expect & (1u << f))
			off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s",
						off ? ", " : "", form_names[f]);
	violation(out, "expect", "the evidence is %s; the policy expects %s",
		  form_names[form], list);
}

/**
 * policy_check_pcrs() - the quoted PCR values against pcr.BANK.N
 * @p: the policy
 * @quoted: the PCRs the verified quote selects in the SHA-256 bank (0: no quote)
 * @sha256: their values, 32 bytes per PCR from PCR 0 (NULL: no quote)
 * @out: violations are appended here, one per key ("pcr.sha256.7")
 *
 * Only what the quote covers counts: a pinned PCR the quote does not select, and
 * every pin of another bank (bundles quote the SHA-256 bank only), is a violation.
 */
void policy_check_pcrs(const struct cvmg_policy *p, uint32_t quoted, const uint8_t *sha256,
		       struct policy_violations *out)
{
	uint32_t done[POLICY_BANKS] = { 0 };
	char name[32], hex[65];
	size_t i, j;
	bool match;

	for (i = 0; i < p->npcr; i++) {
		unsigned int b = p->pcr[i].bank, n = p->pcr[i].pcr;

		if (done[b] & (1u << n))
			continue;
		done[b] |= 1u << n;
		snprintf(name, sizeof(name), "pcr.%s.%u", bank_names[b], n);
		if (b != POLICY_BANK_SHA256) {
			violation(out, name, "the quote attests the SHA-256 bank only: no %s "
				  "value of PCR %u is attested", bank_names[b], n);
			continue;
		}
		if (!sha256 || !(quoted & (1u << n))) {
			violation(out, name, "PCR %u is not in the quote's selection: its value "
				  "is not attested", n);
			continue;
		}
		for (match = false, j = i; j < p->npcr && !match; j++)
			match = p->pcr[j].bank == b && p->pcr[j].pcr == n &&
				!memcmp(p->pcr[j].value, sha256 + 32 * n, 32);
		if (!match) {
			cvmg_hex_encode(sha256 + 32 * n, 32, hex);
			violation(out, name, "PCR %u is %s, not a value the policy pins", n, hex);
		}
	}
}

/**
 * policy_check_inapplicable() - keys the evidence cannot show
 * @p: the policy
 * @claims: the evidence carries an HCL report's runtime claims (vm_config.*)
 * @quote: the evidence carries a TPM quote (pcr.*)
 * @why: what the evidence is, for the detail ("a raw SNP report")
 * @out: violations are appended here, one per key the user wrote
 *
 * A requirement the evidence cannot prove is refused, never passed.
 */
void policy_check_inapplicable(const struct cvmg_policy *p, bool claims, bool quote,
			       const char *why, struct policy_violations *out)
{
	uint32_t done[POLICY_BANKS] = { 0 };
	char name[80];
	size_t i;

	for (i = 0; !claims && i < p->nvmcfg; i++) {
		snprintf(name, sizeof(name), "vm_config.%s", p->vmcfg[i].key);
		violation(out, name, "%s carries no vm-configuration claims", why);
	}
	for (i = 0; !quote && i < p->npcr; i++) {
		unsigned int b = p->pcr[i].bank, n = p->pcr[i].pcr;

		if (done[b] & (1u << n))
			continue;
		done[b] |= 1u << n;
		snprintf(name, sizeof(name), "pcr.%s.%u", bank_names[b], n);
		violation(out, name, "%s carries no TPM quote: PCR values are attested only by "
			  "an evidence bundle", why);
	}
}
