// SPDX-License-Identifier: GPL-2.0-only
/*
 * Policy file: every key parses, bad files are refused with their line, and each
 * violation of the Milan report and the Azure claims is reported by name.
 */
#include <errno.h>
#include <string.h>

#include "hcl_report.h"
#include "policy.h"
#include "snp_report.h"
#include "tdata.h"

#define MILAN_MEAS "7a1e5c266c0108dbc9bb94fa926951320940915d0aafb42464bd88b579ea158d" \
		   "3e1a0dc39b2c60bd95b9c480cd81841f"

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
		"vm_config.secure-boot = true\n";

	assert_int_equal(parse(text, &p, &line), 0);
	assert_int_equal(p.nmeasurement, 2);
	assert_int_equal(p.min_tcb[POLICY_TCB_UCODE], 115);
	assert_int_equal(p.min_tcb[POLICY_TCB_FMC], 1);
	assert_int_equal(p.allow_smt, 1);
	assert_int_equal(p.vmpl, 0);
	assert_int_equal(p.min_version, 2);
	assert_int_equal(p.nid_key, 1);
	assert_int_equal(p.nvmcfg, 1);
	assert_string_equal(p.vmcfg[0].key, "secure-boot");
	assert_string_equal(p.vmcfg[0].value, "true");
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
	assert_int_equal(parse("vmpl = 1\nvmpl = 1\n", &p, &line), -EINVAL);
	assert_int_equal(parse("allow_debug = maybe\n", &p, &line), -EINVAL);
	assert_int_equal(parse("min_tcb.bl = 256\n", &p, &line), -EINVAL);
	assert_int_equal(parse("just words\n", &p, &line), -EINVAL);
	assert_int_equal(parse("", &p, &line), 0);
}

static void test_milan_holds(void **state)
{
	struct snp_report *r = milan();
	struct policy_violations v = { 0 };
	struct cvmg_policy p;

	assert_int_equal(parse("measurement = " MILAN_MEAS "\nmin_tcb.bl = 3\nmin_tcb.snp = 8\n"
			       "min_tcb.ucode = 115\nvmpl = 0\nmin_version = 2\n", &p, NULL), 0);
	policy_check_snp(&p, r, SNP_PRODUCT_MILAN, &v);
	assert_int_equal(v.n, 0);
	free(r);
}

static void test_milan_violations(void **state)
{
	struct snp_report *r = milan();
	struct policy_violations v = { 0 };
	struct cvmg_policy p;

	assert_int_equal(parse("measurement = " MILAN_MEAS "\n", &p, NULL), 0);
	p.measurement[0][0] ^= 1;
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
	policy_check_snp(&p, r, SNP_PRODUCT_MILAN, &v);
	assert_true(has(&v, "measurement"));
	assert_true(has(&v, "min_tcb.bl"));
	assert_true(has(&v, "min_tcb.tee"));
	assert_true(has(&v, "min_tcb.snp"));
	assert_true(has(&v, "min_tcb.ucode"));
	assert_true(has(&v, "min_tcb.fmc"));
	assert_true(has(&v, "allow_debug"));
	assert_true(has(&v, "allow_migration_agent"));
	assert_true(has(&v, "allow_smt"));
	assert_true(has(&v, "vmpl"));
	assert_true(has(&v, "min_version"));
	assert_true(has(&v, "id_key_digest"));
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_all_keys),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_milan_holds),
		cmocka_unit_test(test_milan_violations),
		cmocka_unit_test(test_vm_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
