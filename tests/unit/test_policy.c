// SPDX-License-Identifier: GPL-2.0-only
/*
 * Policy: the built-in default refuses what it must (each refusal by its own
 * name, each with a control that differs only in the defect); a policy file
 * relaxes only what it names, scoped by evidence kind; every key parses; bad
 * files (NUL byte, repeated key, leading zeros, unknown key) are refused with
 * their line; each violation of the Milan report and the Azure claims is named.
 */
#include <errno.h>
#include <string.h>

#include "hcl_report.h"
#include "policy.h"
#include "snp_report.h"
#include "tdata.h"

#define MILAN_MEAS "7a1e5c266c0108dbc9bb94fa926951320940915d0aafb42464bd88b579ea158d" \
		   "3e1a0dc39b2c60bd95b9c480cd81841f"

#define ZERO48 "000000000000000000000000000000000000000000000000" \
	       "000000000000000000000000000000000000000000000000"

static struct snp_report *milan(void)
{
	struct snp_report *r = malloc(sizeof(*r));
	size_t len;
	uint8_t *buf = tdata_read("snp-milan/report.bin", &len);

	assert_int_equal(snp_report_parse(buf, len, r), 0);
	free(buf);
	return r;
}

static int parse(const char *text, struct cvmg_policy *p, int *line)
{
	return policy_parse(text, strlen(text), p, line);
}

static bool has(const struct policy_violations *v, const char *name)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (!strcmp(v->v[i].name, name))
			return true;
	return false;
}

static void test_parse_all_keys(void **state)
{
	struct cvmg_policy p;
	int line;
	const char *text =
		"# a policy\n"
		"measurement = " MILAN_MEAS "\n"
		"measurement = 0x" MILAN_MEAS "  # the same, again\n"
		"\n"
		"min_tcb.bl = 3\nmin_tcb.tee=0\nmin_tcb.snp = 8\nmin_tcb.ucode = 115\n"
		"min_tcb.fmc = 1\n"
		"allow_debug = false\nallow_migration_agent = no\nallow_smt = yes\n"
		"vmpl = 0\nmin_version = 2\n"
		"id_key_digest = " MILAN_MEAS "\n"
		"vm_config.secure-boot = true\n"
		"snp.measurement = " MILAN_MEAS "\ntdx.mrtd = " MILAN_MEAS "\n"
		"snp.allow_nonzero_mbz = true\nsnp.allow_provisional_firmware = yes\n"
		"snp.allow_reported_tcb_above_committed = 1\ntdx.allow_debug = true\n"
		"tdx.require_hardware_verified = false\nvtpm.unlogged_pcrs = 10, 14,23\n";

	assert_int_equal(parse(text, &p, &line), 0);
	assert_int_equal(p.nmeas[POLICY_ANY], 2);
	assert_int_equal(p.min_tcb[POLICY_TCB_UCODE], 115);
	assert_int_equal(p.min_tcb[POLICY_TCB_FMC], 1);
	assert_int_equal(p.allow_smt, 1);
	assert_int_equal(p.vmpl, 0);
	assert_int_equal(p.min_version, 2);
	assert_int_equal(p.nid_key, 1);
	assert_int_equal(p.nvmcfg, 1);
	assert_string_equal(p.vmcfg[0].key, "secure-boot");
	assert_string_equal(p.vmcfg[0].value, "true");
	assert_int_equal(p.nmeas[POLICY_SNP], 1);
	assert_int_equal(p.nmeas[POLICY_TDX], 1);
	assert_true(p.allow_mbz && p.allow_provisional && p.allow_reported_above_committed);
	assert_true(p.tdx_allow_debug && p.tdx_allow_unverified);
	assert_false(p.allow_debug);
	assert_int_equal(p.unlogged_pcrs, (1u << 10) | (1u << 14) | (1u << 23));
}

static void test_parse_errors(void **state)
{
	struct cvmg_policy p;
	int line;

	assert_int_equal(parse("vmpl = 0\nmeasurment = 00\n", &p, &line), -ENOENT);
	assert_int_equal(line, 2);
	assert_int_equal(parse("min_tcb.xyz = 1\n", &p, &line), -ENOENT);
	assert_int_equal(parse("measurement = abcd\n", &p, &line), -EINVAL);
	assert_int_equal(parse("vmpl = 4\n", &p, &line), -EINVAL);
	assert_int_equal(parse("vmpl = 1\nvmpl = 1\n", &p, &line), -EEXIST);
	assert_int_equal(line, 2);
	assert_int_equal(parse("allow_debug = maybe\n", &p, &line), -EINVAL);
	assert_int_equal(parse("min_tcb.bl = 256\n", &p, &line), -EINVAL);
	assert_int_equal(parse("just words\n", &p, &line), -EINVAL);
	assert_int_equal(parse("", &p, &line), 0);
}

/* What an attacker writes into a policy file to get more than it says. */
static void test_parse_strict(void **state)
{
	static const char nul[] = "measurement = " MILAN_MEAS "\n# ok\n\0allow_debug = true\n";
	struct cvmg_policy p;
	int line;

	/* Rules after a NUL byte: the whole file is refused, with the NUL's line. */
	assert_int_equal(policy_parse(nul, sizeof(nul) - 1, &p, &line), -EILSEQ);
	assert_int_equal(line, 3);
	assert_int_equal(p.nmeas[POLICY_ANY], 0);
	/* control: the same bytes without the NUL parse, rules after it too */
	{
		char ok[sizeof(nul)];
		size_t at = strlen(nul);

		memcpy(ok, nul, at);
		memcpy(ok + at, nul + at + 1, sizeof(nul) - at - 1);
		assert_int_equal(policy_parse(ok, sizeof(nul) - 2, &p, &line), 0);
		assert_int_equal(p.nmeas[POLICY_ANY], 1);
		assert_true(p.allow_debug);
	}
	/* A repeated single-valued key, also through another spelling of it. */
	assert_int_equal(parse("allow_debug = false\nallow_debug = true\n", &p, &line), -EEXIST);
	assert_int_equal(line, 2);
	assert_false(p.allow_debug);
	assert_int_equal(parse("snp.vmpl = 0\nvmpl = 2\n", &p, &line), -EEXIST);
	assert_int_equal(parse("tdx.require_hardware_verified = true\n"
			       "require_hardware_verified = false\n", &p, &line), -EEXIST);
	assert_int_equal(parse("min_tcb.snp = 8\nmin_tcb.snp = 0\n", &p, &line), -EEXIST);
	/* control: repeatable keys repeat */
	assert_int_equal(parse("measurement = " MILAN_MEAS "\nmeasurement = " MILAN_MEAS "\n",
			       &p, &line), 0);
	/* Leading zeros (010 was octal 8), signs, hex and spaces in numbers. */
	assert_int_equal(parse("min_tcb.snp = 010\n", &p, &line), -EINVAL);
	assert_int_equal(line, 1);
	assert_int_equal(parse("min_tcb.snp = 0x8\n", &p, &line), -EINVAL);
	assert_int_equal(parse("min_tcb.snp = +8\n", &p, &line), -EINVAL);
	assert_int_equal(parse("min_tcb.snp = 8 8\n", &p, &line), -EINVAL);
	assert_int_equal(parse("vtpm.unlogged_pcrs = 010\n", &p, &line), -EINVAL);
	assert_int_equal(parse("vtpm.unlogged_pcrs = 24\n", &p, &line), -EINVAL);
	assert_int_equal(parse("vtpm.unlogged_pcrs = 10,10\n", &p, &line), -EINVAL);
	/* control */
	assert_int_equal(parse("min_tcb.snp = 10\nmin_tcb.bl = 0\n", &p, &line), 0);
	assert_int_equal(p.min_tcb[POLICY_TCB_SNP], 10);
	/* An unknown key, with its line; and scoped keys of the wrong kind. */
	assert_int_equal(parse("\n\nsnp.allow_debugg = true\n", &p, &line), -ENOENT);
	assert_int_equal(line, 3);
	assert_int_equal(parse("tdx.vmpl = 0\n", &p, &line), -ENOENT);
	assert_int_equal(parse("snp.require_hardware_verified = false\n", &p, &line), -ENOENT);
	assert_string_equal(policy_strerror(-ENOENT), "unknown key");
	assert_string_equal(policy_strerror(-EEXIST), "repeated key");
	assert_string_equal(policy_strerror(-EILSEQ), "NUL byte in the policy");
}

/* The TD quote keys: scoped and unprefixed spellings are one key, parsed strictly. */
static void test_parse_tdx_keys(void **state)
{
	struct cvmg_policy p;
	int line;

	assert_int_equal(parse("mrtd = " ZERO48 "\ntdx.mrtd = " MILAN_MEAS "\n"
			       "rtmr0 = " ZERO48 "\ntdx.rtmr3 = " MILAN_MEAS "\n"
			       "mrseam = " ZERO48 "\ntdx.mrseam = " MILAN_MEAS "\n"
			       "tdx.td_attributes = 0x10000000\n"
			       "tcb_status = UpToDate, unknown\n"
			       "tdx.min_tee_tcb_svn = 06010300000000000000000000000000\n", &p, &line), 0);
	assert_int_equal(p.nmeas[POLICY_TDX], 2);	/* mrtd is tdx.mrtd */
	assert_true(p.tdx.has_rtmr[0] && p.tdx.has_rtmr[3] && !p.tdx.has_rtmr[1]);
	assert_int_equal(p.tdx.nmrseam, 2);
	assert_int_equal(p.tdx.td_attributes, 0x10000000);
	assert_int_equal(p.tdx.tcb_status, (1u << TDX_TCB_UP_TO_DATE) | (1u << TDX_TCB_UNKNOWN));
	assert_int_equal(p.tdx.min_tee_tcb_svn[0], 6);
	assert_int_equal(parse("td_attributes = 268435456\n", &p, &line), 0);
	assert_int_equal(p.tdx.td_attributes, 0x10000000);
	/* the default allows UpToDate only */
	policy_init(&p);
	assert_int_equal(p.tdx.tcb_status, 1u << TDX_TCB_UP_TO_DATE);
	/* repeated, in either spelling: refused with the line */
	assert_int_equal(parse("tcb_status = UpToDate\ntcb_status = unknown\n", &p, &line),
			 -EEXIST);
	assert_int_equal(line, 2);
	assert_int_equal(p.tdx.tcb_status, 1u << TDX_TCB_UP_TO_DATE);
	assert_int_equal(parse("tdx.tcb_status = UpToDate\n\ntcb_status = OutOfDate\n", &p,
			       &line), -EEXIST);
	assert_int_equal(line, 3);
	assert_int_equal(parse("rtmr1 = " ZERO48 "\ntdx.rtmr1 = " ZERO48 "\n", &p, &line),
			 -EEXIST);
	assert_int_equal(parse("td_attributes = 0\ntdx.td_attributes = 0\n", &p, &line), -EEXIST);
	assert_int_equal(parse("min_tee_tcb_svn = 00000000000000000000000000000000\n"
			       "tdx.min_tee_tcb_svn = 00000000000000000000000000000000\n", &p,
			       &line), -EEXIST);
	/* leading zeros: an octal-looking td_attributes, a padded min_tee_tcb_svn */
	assert_int_equal(parse("td_attributes = 010\n", &p, &line), -EINVAL);
	assert_int_equal(line, 1);
	assert_int_equal(parse("\nmin_tee_tcb_svn = 0006010300000000000000000000000000\n", &p,
			       &line), -EINVAL);
	assert_int_equal(line, 2);
	assert_int_equal(parse("min_tee_tcb_svn = 060103\n", &p, &line), -EINVAL);
	assert_int_equal(parse("td_attributes = -1\n", &p, &line), -EINVAL);
	assert_int_equal(parse("td_attributes = 0x\n", &p, &line), -EINVAL);
	assert_int_equal(parse("td_attributes = 0x1 0\n", &p, &line), -EINVAL);
	/* malformed values */
	assert_int_equal(parse("tcb_status = Revoked\n", &p, &line), -EINVAL);
	assert_int_equal(parse("tdx.tcb_status = uptodate\n", &p, &line), -EINVAL);
	assert_int_equal(parse("tdx.rtmr4 = " ZERO48 "\n", &p, &line), -ENOENT);
	assert_int_equal(parse("rtmr0 = 00\n", &p, &line), -EINVAL);
	/* NUL byte in a TDX key's line */
	assert_int_equal(policy_parse("tcb_status = UpToDate\0, unknown\n", 32, &p, &line),
			 -EILSEQ);
	assert_int_equal(line, 1);
	/* SNP scope does not take TD keys */
	assert_int_equal(parse("snp.tcb_status = UpToDate\n", &p, &line), -ENOENT);
}

/* The printed default policy parses to exactly the default. */
static void test_default_printed(void **state)
{
	struct cvmg_policy def, p;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	policy_print_default(f);
	fclose(f);
	assert_int_equal(parse(buf, &p, NULL), 0);
	policy_init(&def);
	assert_memory_equal(&def, &p, sizeof(p));
	assert_non_null(strstr(buf, "snp.allow_debug = false"));
	assert_non_null(strstr(buf, "tdx.require_hardware_verified = true"));
	assert_non_null(strstr(buf, "tdx.tcb_status = UpToDate"));
	free(buf);
}

/* A valid Milan report with one field set as an attacker would; 0 violations before. */
static void test_default_refusals(void **state)
{
	static const struct { const char *name, *relax; int off; uint8_t val; } c[] = {
		{ "snp.allow_debug", "snp.allow_debug = true", 0x0a, 0x08 },
		{ "snp.allow_debug", "allow_debug = true", 0x0a, 0x08 },
		{ "snp.allow_migration_agent", "snp.allow_migration_agent = true", 0x0a, 0x04 },
		{ "snp.allow_nonzero_mbz", "snp.allow_nonzero_mbz = true", 0x4c, 1 },
		{ "snp.allow_nonzero_mbz", "snp.allow_nonzero_mbz = true", 0x48, 0x20 },
		{ "snp.allow_nonzero_mbz", "snp.allow_nonzero_mbz = true", 0x19f, 1 },
		{ "snp.allow_nonzero_mbz", "snp.allow_nonzero_mbz = true", 0x1eb, 1 },
		{ "snp.allow_nonzero_mbz", "snp.allow_nonzero_mbz = true", 0x29f, 1 },
		{ "snp.allow_nonzero_mbz", "snp.allow_nonzero_mbz = true", 0x0f, 0x80 },
		{ "snp.allow_nonzero_mbz", "snp.allow_nonzero_mbz = true", 0x2a0 + 71, 1 },
		{ "snp.allow_nonzero_mbz", "snp.allow_nonzero_mbz = true", 0x49f, 1 },
		{ "snp.allow_provisional_firmware", "snp.allow_provisional_firmware = true",
		  0x38, 0x02 },	/* current_tcb's bootloader SPL differs from committed */
		{ "snp.allow_provisional_firmware", "snp.allow_provisional_firmware = true",
		  0x1e8, 0x7f },	/* current build differs from committed build */
		{ "snp.allow_reported_tcb_above_committed",
		  "snp.allow_reported_tcb_above_committed = true", 0x187, 0xff },
	};
	struct snp_report *r = milan(), *m = malloc(sizeof(*m));
	struct policy_violations v;
	struct cvmg_policy def, p;
	uint8_t raw[SNP_REPORT_SIZE];
	size_t i;

	policy_init(&def);
	memset(&v, 0, sizeof(v));
	policy_check_snp(&def, r, SNP_PRODUCT_MILAN, true, &v);
	assert_int_equal(v.n, 0);	/* the control: the real report passes the default */
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		memcpy(raw, r->raw, sizeof(raw));
		raw[c[i].off] ^= c[i].val;
		assert_int_equal(snp_report_parse(raw, sizeof(raw), m), 0);
		memset(&v, 0, sizeof(v));
		policy_check_snp(&def, m, SNP_PRODUCT_MILAN, false, &v);
		if (v.n != 1 || strcmp(v.v[0].name, c[i].name))
			fail_msg("case %zu (0x%x): %zu violations, first %s", i, c[i].off, v.n,
				 v.n ? v.v[0].name : "-");
		/* the policy that names it allows it, and only it */
		assert_int_equal(parse(c[i].relax, &p, NULL), 0);
		memset(&v, 0, sizeof(v));
		policy_check_snp(&p, m, SNP_PRODUCT_MILAN, false, &v);
		assert_int_equal(v.n, 0);
	}
	/* VMPL: 0 required for HCL reports only; snp.vmpl names another. */
	memcpy(raw, r->raw, sizeof(raw));
	raw[0x30] = 2;
	assert_int_equal(snp_report_parse(raw, sizeof(raw), m), 0);
	memset(&v, 0, sizeof(v));
	policy_check_snp(&def, m, SNP_PRODUCT_MILAN, true, &v);
	assert_int_equal(v.n, 1);
	assert_string_equal(v.v[0].name, "snp.vmpl");
	memset(&v, 0, sizeof(v));
	policy_check_snp(&def, m, SNP_PRODUCT_MILAN, false, &v);
	assert_int_equal(v.n, 0);
	assert_int_equal(parse("snp.vmpl = 2\n", &p, NULL), 0);
	policy_check_snp(&p, m, SNP_PRODUCT_MILAN, true, &v);
	assert_int_equal(v.n, 0);
	/* A policy that relaxes one thing keeps every other default. */
	raw[0x0a] |= 0x08;	/* and debug */
	assert_int_equal(snp_report_parse(raw, sizeof(raw), m), 0);
	policy_check_snp(&p, m, SNP_PRODUCT_MILAN, true, &v);
	assert_int_equal(v.n, 1);
	assert_string_equal(v.v[0].name, "snp.allow_debug");
	/* "false" never re-tightens what another key relaxed, nor relaxes. */
	assert_int_equal(parse("allow_debug = true\nsnp.allow_debug = false\n", &p, NULL), 0);
	assert_true(p.allow_debug);
	free(m);
	free(r);
}

/* SNP keys never fail TDX evidence, TDX keys never fail SNP. */
static void test_scopes(void **state)
{
	struct snp_report *r = milan();
	struct policy_violations v = { 0 };
	struct cvmg_policy p;
	struct tdx_report t;
	struct hcl_report h;
	size_t len;
	uint8_t *buf = tdata_read("azure-tdx/hcl-report-1.bin", &len);
	char text[512];

	assert_int_equal(hcl_report_parse(buf, len, &h), 0);
	assert_int_equal(tdx_report_parse(h.hw, h.hw_len, &t), 0);
	snprintf(text, sizeof(text), "snp.measurement = %s\nmin_tcb.snp = 200\nsnp.vmpl = 3\n"
		 "snp.id_key_digest = %s\nsnp.min_version = 9\n", MILAN_MEAS, MILAN_MEAS);
	assert_int_equal(parse(text, &p, NULL), 0);
	policy_check_tdx(&p, &t, &v);
	assert_int_equal(v.n, 0);
	policy_check_hw(&p, false, false, &v);	/* SNP: never "not verified" here */
	assert_int_equal(v.n, 0);
	policy_check_hw(&p, true, false, &v);	/* TDX not verified: the default refuses */
	assert_int_equal(v.n, 1);
	assert_string_equal(v.v[0].name, "tdx.require_hardware_verified");
	memset(&v, 0, sizeof(v));
	policy_check_hw(&p, true, true, &v);	/* verified (a TD quote): the hook */
	assert_int_equal(v.n, 0);
	/* tdx.mrtd of another value never fails SNP; the any-kind key applies to both. */
	assert_int_equal(parse("tdx.mrtd = " ZERO48 "\n", &p, NULL), 0);
	policy_check_snp(&p, r, SNP_PRODUCT_MILAN, false, &v);
	assert_int_equal(v.n, 0);
	policy_check_tdx(&p, &t, &v);
	assert_int_equal(v.n, 1);
	assert_string_equal(v.v[0].name, "tdx.mrtd");
	memset(&v, 0, sizeof(v));
	assert_int_equal(parse("measurement = " MILAN_MEAS "\n", &p, NULL), 0);
	policy_check_snp(&p, r, SNP_PRODUCT_MILAN, false, &v);
	assert_int_equal(v.n, 0);
	policy_check_tdx(&p, &t, &v);
	assert_int_equal(v.n, 1);
	assert_string_equal(v.v[0].name, "measurement");
	/* TDX debug: refused by default, relaxed by tdx.allow_debug only. */
	memset(&v, 0, sizeof(v));
	t.td_attributes |= TDX_ATTR_DEBUG;
	policy_init(&p);
	policy_check_tdx(&p, &t, &v);
	assert_int_equal(v.n, 1);
	assert_string_equal(v.v[0].name, "tdx.allow_debug");
	memset(&v, 0, sizeof(v));
	assert_int_equal(parse("snp.allow_debug = true\n", &p, NULL), 0);
	policy_check_tdx(&p, &t, &v);
	assert_int_equal(v.n, 1);
	memset(&v, 0, sizeof(v));
	assert_int_equal(parse("tdx.allow_debug = true\n", &p, NULL), 0);
	policy_check_tdx(&p, &t, &v);
	assert_int_equal(v.n, 0);
	free(buf);
	free(r);
}

static void test_milan_holds(void **state)
{
	struct snp_report *r = milan();
	struct policy_violations v = { 0 };
	struct cvmg_policy p;

	assert_int_equal(parse("measurement = " MILAN_MEAS "\nmin_tcb.bl = 3\nmin_tcb.snp = 8\n"
			       "min_tcb.ucode = 115\nvmpl = 0\nmin_version = 2\n", &p, NULL), 0);
	policy_check_snp(&p, r, SNP_PRODUCT_MILAN, true, &v);
	assert_int_equal(v.n, 0);
	free(r);
}

static void test_milan_violations(void **state)
{
	struct snp_report *r = milan();
	struct policy_violations v = { 0 };
	struct cvmg_policy p;

	assert_int_equal(parse("measurement = " MILAN_MEAS "\n", &p, NULL), 0);
	p.meas[POLICY_ANY][0][0] ^= 1;
	p.min_tcb[POLICY_TCB_BL] = 4;
	p.min_tcb[POLICY_TCB_TEE] = 1;
	p.min_tcb[POLICY_TCB_SNP] = 9;
	p.min_tcb[POLICY_TCB_UCODE] = 116;
	p.min_tcb[POLICY_TCB_FMC] = 0;	/* Milan has no FMC SPL */
	p.allow_smt = 0;
	p.vmpl = 1;
	p.min_version = 3;
	p.nid_key = 1;
	p.id_key_digest[0][0] = 1;
	r->policy |= SNP_POLICY_DEBUG | SNP_POLICY_MIGRATE_MA;
	policy_check_snp(&p, r, SNP_PRODUCT_MILAN, false, &v);
	assert_true(has(&v, "measurement"));
	assert_true(has(&v, "min_tcb.bl"));
	assert_true(has(&v, "min_tcb.tee"));
	assert_true(has(&v, "min_tcb.snp"));
	assert_true(has(&v, "min_tcb.ucode"));
	assert_true(has(&v, "min_tcb.fmc"));
	assert_true(has(&v, "snp.allow_debug"));
	assert_true(has(&v, "snp.allow_migration_agent"));
	assert_true(has(&v, "snp.allow_smt"));
	assert_true(has(&v, "snp.vmpl"));
	assert_true(has(&v, "snp.min_version"));
	assert_true(has(&v, "snp.id_key_digest"));
	assert_int_equal(v.n, 12);
	free(r);
}

static void test_vm_config(void **state)
{
	struct policy_violations v = { 0 };
	struct cvmg_policy p;
	struct hcl_report h;
	struct hcl_claims c;
	size_t len;
	uint8_t *buf = tdata_read("azure-snp/hcl-report.bin", &len);

	assert_int_equal(hcl_report_parse(buf, len, &h), 0);
	assert_int_equal(hcl_claims_parse(h.claims, h.claims_len, &c), 0);
	assert_int_equal(parse("vm_config.secure-boot = true\nvm_config.tpm-enabled = true\n"
			       "vm_config.current-time = 1678652405\n", &p, NULL), 0);
	policy_check_vmcfg(&p, c.vm_config, &v);
	assert_int_equal(v.n, 0);
	assert_int_equal(parse("vm_config.console-enabled = false\nvm_config.nope = 1\n", &p,
			       NULL), 0);
	policy_check_vmcfg(&p, c.vm_config, &v);
	assert_int_equal(v.n, 2);
	assert_true(has(&v, "vm_config.console-enabled"));
	assert_true(has(&v, "vm_config.nope"));
	hcl_claims_free(&c);
	free(buf);
}

#define Z32 "0000000000000000000000000000000000000000000000000000000000000000"
#define F32 "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"

/* pcr.BANK.N and expect: every malformed spelling refused with its line. */
static void test_parse_pcr_keys(void **state)
{
	struct cvmg_policy p;
	int line;

	assert_int_equal(parse("pcr.sha256.0 = " Z32 "\npcr.sha256.0 = " F32 "\n"
			       "pcr.sha1.23 = 0000000000000000000000000000000000000000\n"
			       "pcr.sha384.7 = " ZERO48 "\npcr.sha512.16 = " Z32 Z32 "\n"
			       "expect = bundle, hcl+tdx-quote\n", &p, &line), 0);
	assert_int_equal(p.npcr, 5);	/* repeatable: either value for PCR 0 */
	assert_int_equal(policy_pinned_pcrs(&p, POLICY_BANK_SHA256), 1u);
	assert_int_equal(policy_pinned_pcrs(&p, POLICY_BANK_SHA1), 1u << 23);
	assert_int_equal(p.expect, 1u << POLICY_FORM_BUNDLE | 1u << POLICY_FORM_HCL_TD_QUOTE);
	/* PCR 24, an unknown bank, a leading zero, no number */
	assert_int_equal(parse("\npcr.sha256.24 = " Z32 "\n", &p, &line), -ERANGE);
	assert_int_equal(line, 2);
	assert_int_equal(parse("pcr.md5.1 = 00000000000000000000000000000000\n", &p, &line),
			 -EPROTONOSUPPORT);
	assert_int_equal(parse("pcr.SHA256.1 = " Z32 "\n", &p, &line), -EPROTONOSUPPORT);
	assert_int_equal(parse("pcr.sha256.07 = " Z32 "\n", &p, &line), -EINVAL);
	assert_int_equal(parse("pcr.sha256. = " Z32 "\n", &p, &line), -EINVAL);
	assert_int_equal(parse("pcr.sha256 = " Z32 "\n", &p, &line), -ENOENT);
	/* hex of another bank's size, one digit short or long, odd, not hex */
	assert_int_equal(parse("pcr.sha256.1 = 0000000000000000000000000000000000000000\n",
			       &p, &line), -EMSGSIZE);
	assert_int_equal(parse("pcr.sha1.1 = " Z32 "\n", &p, &line), -EMSGSIZE);
	assert_int_equal(parse("pcr.sha256.1 = 0" Z32 "\n", &p, &line), -EMSGSIZE);
	assert_int_equal(parse("pcr.sha256.1 = " Z32 "0\n", &p, &line), -EMSGSIZE);
	assert_int_equal(parse("pcr.sha256.1 = zz" Z32 "\n", &p, &line), -EMSGSIZE);
	assert_int_equal(parse("pcr.sha256.1 = " "zz00000000000000000000000000000000000000000000"
			       "000000000000000000\n", &p, &line), -EINVAL);
	assert_int_equal(parse("pcr.sha256.1 =\n", &p, &line), -EMSGSIZE);
	/* expect: unknown, empty, repeated in one line, given twice */
	assert_int_equal(parse("expect = tpm\n", &p, &line), -EINVAL);
	assert_int_equal(parse("expect =\n", &p, &line), -EINVAL);
	assert_int_equal(parse("expect = snp,snp\n", &p, &line), -EINVAL);
	assert_int_equal(parse("expect = snp\nexpect = bundle\n", &p, &line), -EEXIST);
	assert_int_equal(line, 2);
}

/* Pins hold only against what the quote covers; other evidence cannot show them. */
static void test_pcr_checks(void **state)
{
	struct policy_violations v = { 0 };
	struct cvmg_policy p;
	uint8_t pcrs[24 * 32] = { 0 };

	memset(pcrs + 17 * 32, 0xff, 32);
	assert_int_equal(parse("pcr.sha256.0 = " F32 "\npcr.sha256.0 = " Z32 "\n"
			       "pcr.sha256.17 = " F32 "\n", &p, NULL), 0);
	policy_check_pcrs(&p, 0xffffff, pcrs, &v);
	assert_int_equal(v.n, 0);
	/* PCR 17 outside the selection: refused even though the value matches */
	policy_check_pcrs(&p, 0xffff, pcrs, &v);
	assert_int_equal(v.n, 1);
	assert_true(has(&v, "pcr.sha256.17"));
	v.n = 0;
	/* one extend of PCR 0: neither pinned value */
	pcrs[0] = 1;
	policy_check_pcrs(&p, 0xffffff, pcrs, &v);
	assert_int_equal(v.n, 1);
	assert_true(has(&v, "pcr.sha256.0"));
	v.n = 0;
	/* no quote at all; a pin of a bank bundles do not quote */
	policy_check_pcrs(&p, 0, NULL, &v);
	assert_int_equal(v.n, 2);
	v.n = 0;
	assert_int_equal(parse("pcr.sha1.0 = 0000000000000000000000000000000000000000\n", &p,
			       NULL), 0);
	policy_check_pcrs(&p, 0xffffff, pcrs, &v);
	assert_true(has(&v, "pcr.sha1.0"));
	v.n = 0;
	/* a pinned PCR needs no replay; an unpinned one still does */
	assert_int_equal(parse("pcr.sha256.10 = " Z32 "\n", &p, NULL), 0);
	policy_check_unlogged(&p, 1u << 10, &v);
	assert_int_equal(v.n, 0);
	policy_check_unlogged(&p, 1u << 10 | 1u << 9, &v);
	assert_true(has(&v, "vtpm.unlogged_pcrs"));
	v.n = 0;
	/* keys the evidence cannot show: each named */
	assert_int_equal(parse("vm_config.secure-boot = true\npcr.sha256.7 = " Z32 "\n"
			       "pcr.sha256.7 = " F32 "\n", &p, NULL), 0);
	policy_check_inapplicable(&p, false, false, "a raw SNP report", &v);
	assert_int_equal(v.n, 2);
	assert_true(has(&v, "vm_config.secure-boot"));
	assert_true(has(&v, "pcr.sha256.7"));
	v.n = 0;
	policy_check_inapplicable(&p, true, false, "an HCL report", &v);
	assert_int_equal(v.n, 1);
	assert_true(has(&v, "pcr.sha256.7"));
	v.n = 0;
	policy_check_inapplicable(&p, true, true, "a bundle", &v);
	assert_int_equal(v.n, 0);
	/* expect */
	assert_int_equal(parse("expect = bundle\n", &p, NULL), 0);
	policy_check_expect(&p, POLICY_FORM_BUNDLE, &v);
	assert_int_equal(v.n, 0);
	policy_check_expect(&p, POLICY_FORM_HCL, &v);
	assert_true(has(&v, "expect"));
	v.n = 0;
	assert_int_equal(parse("", &p, NULL), 0);
	policy_check_expect(&p, POLICY_FORM_SNP, &v);
	assert_int_equal(v.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_all_keys),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_strict),
		cmocka_unit_test(test_parse_tdx_keys),
		cmocka_unit_test(test_default_printed),
		cmocka_unit_test(test_default_refusals),
		cmocka_unit_test(test_scopes),
		cmocka_unit_test(test_milan_holds),
		cmocka_unit_test(test_milan_violations),
		cmocka_unit_test(test_vm_config),
		cmocka_unit_test(test_parse_pcr_keys),
		cmocka_unit_test(test_pcr_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
