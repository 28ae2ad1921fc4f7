// SPDX-License-Identifier: GPL-2.0-only
/*
 * The PIN (pin.c): its TPM authValue against values python3's hashlib computes here,
 * independently, the way systemd 252 (SHA-256 of the PIN) and 254+ (SHA-256 of the
 * base64 of PBKDF2-HMAC-SHA256(PIN, tpm2_salt, 10000)) do; the PolicyAuthValue step
 * of the policy digest (pcr_policy.c) likewise; and --pin-file's newline rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "pin.h"
#include "tpm_seal.h"

/* python3 -c PROG ARGS...: its one line of output, hex, into @out (32 bytes). */
static void python_hex(const char *prog, const char *arg1, const char *arg2, uint8_t out[32])
{
	char cmd[2048], line[128];
	FILE *p;
	size_t i;

	snprintf(cmd, sizeof(cmd), "python3 -c '%s' '%s' '%s'", prog, arg1, arg2 ? arg2 : "");
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(line, sizeof(line), p));
	assert_int_equal(pclose(p), 0);
	assert_true(strlen(line) >= 64);
	for (i = 0; i < 32; i++)
		assert_int_equal(sscanf(line + 2 * i, "%2hhx", &out[i]), 1);
}

/* PINs the shell passes to python3 as they are (no single quote) */
static const char *pins[] = { "1234", "0000", "correct horse battery staple", "p\xc3\xadn" };

static void test_unsalted(void **state)
{
	uint8_t want[32], got[32];
	size_t i;

	for (i = 0; i < 4; i++) {
		python_hex("import hashlib,sys; print(hashlib.sha256(sys.argv[1].encode(\"utf-8\","
			   "\"surrogateescape\")).hexdigest())", pins[i], NULL, want);
		assert_int_equal(cvmg_pin_auth(pins[i], strlen(pins[i]), NULL, 0, got), 0);
		assert_memory_equal(got, want, 32);
	}
	/* the empty PIN is not a PIN */
	assert_int_equal(cvmg_pin_auth("", 0, NULL, 0, got), -EINVAL);
}

static void test_salted(void **state)
{
	static const char *prog =
		"import base64,hashlib,sys; s=bytes.fromhex(sys.argv[2]); "
		"dk=hashlib.pbkdf2_hmac(\"sha256\", sys.argv[1].encode(), s, 10000, 32); "
		"print(hashlib.sha256(base64.b64encode(dk)).hexdigest())";
	uint8_t salt[32], want[32], got[32], plain[32];
	char salt_hex[65];
	size_t i;

	for (i = 0; i < 32; i++) {
		salt[i] = (uint8_t)(i * 37 + 11);
		snprintf(salt_hex + 2 * i, 3, "%02x", salt[i]);
	}
	for (i = 0; i < 3; i++) {
		python_hex(prog, pins[i], salt_hex, want);
		assert_int_equal(cvmg_pin_auth(pins[i], strlen(pins[i]), salt, sizeof(salt), got), 0);
		assert_memory_equal(got, want, 32);
		/* and the salt matters */
		assert_int_equal(cvmg_pin_auth(pins[i], strlen(pins[i]), NULL, 0, plain), 0);
		assert_memory_not_equal(got, plain, 32);
	}
	assert_int_equal(cvmg_pin_auth("1234", 4, salt, 0, got), -EINVAL);
	assert_int_equal(cvmg_pin_auth("1234", 4, salt, CVMG_PIN_SALT_MAX + 1, got), -EINVAL);
}

/* SHA-256(PolicyPCR digest || TPM_CC_PolicyAuthValue), as systemd's policy hash. */
static void test_policy_auth_value(void **state)
{
	static const char *prog =
		"import hashlib,sys; d=bytes.fromhex(sys.argv[1]); "
		"print(hashlib.sha256(d + bytes.fromhex(\"0000016b\")).hexdigest())";
	uint8_t d[32], want[32];
	char hex[65];
	size_t i;

	for (i = 0; i < 32; i++) {
		d[i] = (uint8_t)(0xf0 ^ i);
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	}
	python_hex(prog, hex, NULL, want);
	assert_int_equal(cvmg_policy_auth_value_extend(d), 0);
	assert_memory_equal(d, want, 32);
}

/* --pin-file: one trailing newline is not part of the PIN; nothing else is dropped. */
static void test_pin_file(void **state)
{
	static const struct {
		const char *bytes;
		size_t len;
		int ret;
		const char *pin;
	} cases[] = {
		{ "1234\n", 5, 0, "1234" },
		{ "1234", 4, 0, "1234" },
		{ "1234\n\n", 6, 0, "1234\n" },
		{ "12 34\r\n", 7, 0, "12 34\r" },
		{ " 1234 ", 6, 0, " 1234 " },
		{ "\n", 1, -ENODATA, NULL },
		{ "", 0, -ENODATA, NULL },
		{ "12\0" "34\n", 6, -EILSEQ, NULL },
	};
	char path[] = "/tmp/cvmg-test-pin.XXXXXX", buf[64];
	size_t i, len;
	FILE *f;
	int fd;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fd = mkstemp(path);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, cases[i].bytes, cases[i].len), (ssize_t)cases[i].len);
		close(fd);
		len = 99;
		assert_int_equal(cvmg_pin_read_file(path, buf, sizeof(buf), &len), cases[i].ret);
		if (!cases[i].ret) {
			assert_int_equal(len, strlen(cases[i].pin));
			assert_memory_equal(buf, cases[i].pin, len);
			assert_int_equal(buf[len], '\0');
		}
		unlink(path);
		strcpy(path, "/tmp/cvmg-test-pin.XXXXXX");
	}
	/* longer than the buffer */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	for (i = 0; i < 100; i++)
		fputc('7', f);
	fclose(f);
	assert_int_equal(cvmg_pin_read_file(path, buf, sizeof(buf), &len), -EFBIG);
	unlink(path);
	assert_int_equal(cvmg_pin_read_file("/nonexistent/pin", buf, sizeof(buf), &len), -ENOENT);
}

/* Sources in order: FILE, then $PIN (wiped and unset once read); no terminal asked. */
static void test_sources(void **state)
{
	struct cvmg_pin_src src = { .no_tty = true };
	char buf[64];
	size_t len;

	unsetenv("PIN");
	unsetenv("NEWPIN");
	assert_int_equal(cvmg_pin_get(&src, false, buf, sizeof(buf), &len), -CVMG_ENOPIN);
	setenv("PIN", "4711", 1);
	assert_int_equal(cvmg_pin_get(&src, false, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, 4);
	assert_string_equal(buf, "4711");
	assert_null(getenv("PIN"));
	/* a new PIN: $NEWPIN first, as systemd-cryptenroll 252 reads it */
	setenv("PIN", "1111", 1);
	setenv("NEWPIN", "2222", 1);
	assert_int_equal(cvmg_pin_get(&src, true, buf, sizeof(buf), &len), 0);
	assert_string_equal(buf, "2222");
	assert_null(getenv("NEWPIN"));
	/* an unseal never takes $NEWPIN */
	setenv("NEWPIN", "3333", 1);
	assert_int_equal(cvmg_pin_get(&src, false, buf, sizeof(buf), &len), 0);
	assert_string_equal(buf, "1111");
	unsetenv("NEWPIN");
	/* an empty $PIN is refused, not taken as a PIN */
	setenv("PIN", "", 1);
	assert_int_equal(cvmg_pin_get(&src, false, buf, sizeof(buf), &len), -CVMG_EPINSRC);
	unsetenv("PIN");
	/* a FILE given wins, and an unreadable one is refused */
	setenv("PIN", "5555", 1);
	src.file = "/nonexistent/pin";
	assert_int_equal(cvmg_pin_get(&src, false, buf, sizeof(buf), &len), -CVMG_EPINSRC);
	unsetenv("PIN");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unsalted),
		cmocka_unit_test(test_salted),
		cmocka_unit_test(test_policy_auth_value),
		cmocka_unit_test(test_pin_file),
		cmocka_unit_test(test_sources),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
