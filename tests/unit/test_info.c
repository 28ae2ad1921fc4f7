// SPDX-License-Identifier: GPL-2.0-only
/* cvmguard info: formatting of GET_INFO answers (banks, backends, JSON). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "info.h"

static void test_banks_names(void **state)
{
	char buf[128];

	assert_int_equal(cvmg_banks_format(CVMGUARD_BANK_SHA1 | CVMGUARD_BANK_SHA256 |
					   CVMGUARD_BANK_SHA384, " ", false, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "sha1 sha256 sha384");
	assert_int_equal(cvmg_banks_format(0, " ", false, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
}

static void test_banks_json_and_unknown(void **state)
{
	char buf[128];

	assert_int_equal(cvmg_banks_format(CVMGUARD_BANK_SHA256 | (1U << 9), ",", true, buf,
					   sizeof(buf)), 0);
	assert_string_equal(buf, "\"sha256\",\"0x200\"");
}

static void test_banks_too_small(void **state)
{
	char buf[8];

	assert_int_equal(cvmg_banks_format(CVMGUARD_BANK_SHA256 | CVMGUARD_BANK_SHA512, " ",
					   false, buf, sizeof(buf)), -ENOSPC);
}

static void test_backend_names(void **state)
{
	assert_string_equal(cvmg_backend_name(CVMGUARD_BACKEND_NONE), "none");
	assert_string_equal(cvmg_backend_name(CVMGUARD_BACKEND_PARAVISOR_SNP), "paravisor-snp");
	assert_string_equal(cvmg_backend_name(CVMGUARD_BACKEND_PARAVISOR_TDX), "paravisor-tdx");
	assert_string_equal(cvmg_backend_name(77), "unknown");
}

static void test_json_unterminated_version(void **state)
{
	struct cvmguard_info info = { .abi_version = 1, .flags = CVMGUARD_INFO_TPM,
				      .pcr_banks = CVMGUARD_BANK_SHA256 };
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	/* A version field without NUL must not run past the struct. */
	memset(info.module_version, 'x', sizeof(info.module_version));
	cvmg_info_print(f, &info, "ioctl", true);
	fclose(f);
	assert_non_null(strstr(out, "\"module_version\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\""));
	assert_non_null(strstr(out, "\"tpm\":true,\"pcr_banks\":[\"sha256\"]"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_banks_names),
		cmocka_unit_test(test_banks_json_and_unknown),
		cmocka_unit_test(test_banks_too_small),
		cmocka_unit_test(test_backend_names),
		cmocka_unit_test(test_json_unterminated_version),
	};

	return cmocka_run_group_tests_name("info", tests, NULL, NULL);
}
