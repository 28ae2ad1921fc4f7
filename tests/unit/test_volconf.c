// SPDX-License-Identifier: GPL-2.0-only
/* /etc/cvmguard/volumes.conf (volconf.c): syntax, options, rejections, lookup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "volconf.h"

static void test_entries_and_comments(void **state)
{
	static const char text[] =
		"# volumes\n"
		"\n"
		"data  /dev/disk/by-id/virtio-data   workqueue   # trailing comment\n"
		"\tarchive\tUUID=2e3c2bfa-1c4c-4d0b-9c6a-4b0ad1e1a8f0\n"
		"skip /dev/vdc ignore,workqueue\r\n"
		"last /dev/vdd";
	struct cvmg_volconf *e = NULL;
	size_t n = 0;

	assert_int_equal(cvmg_volconf_parse(text, &e, &n, NULL), 0);
	assert_int_equal(n, 4);
	assert_string_equal(e[0].name, "data");
	assert_string_equal(e[0].device, "/dev/disk/by-id/virtio-data");
	assert_true(e[0].workqueue);
	assert_false(e[0].ignore);
	assert_string_equal(e[1].name, "archive");
	assert_string_equal(e[1].device, "UUID=2e3c2bfa-1c4c-4d0b-9c6a-4b0ad1e1a8f0");
	assert_false(e[1].workqueue);
	assert_true(e[2].ignore);
	assert_true(e[2].workqueue);
	assert_string_equal(e[3].device, "/dev/vdd");
	free(e);
}

static void test_empty(void **state)
{
	struct cvmg_volconf *e = (void *)1;
	size_t n = 7;

	assert_int_equal(cvmg_volconf_parse("", &e, &n, NULL), 0);
	assert_null(e);
	assert_int_equal(n, 0);
	assert_int_equal(cvmg_volconf_parse("# nothing\n\n   \n", &e, &n, NULL), 0);
	assert_int_equal(n, 0);
}

static void test_rejected(void **state)
{
	static const struct {
		const char *text;
		unsigned int line;
	} bad[] = {
		{ "data\n", 1 },                              /* no device */
		{ "ok /dev/a\ndata /dev/b x\n", 2 },          /* unknown option */
		{ "data /dev/b workqueue extra\n", 1 },       /* four fields */
		{ "data dev/b\n", 1 },                        /* relative path */
		{ "data UUID=\n", 1 },                        /* empty UUID */
		{ "-data /dev/b\n", 1 },                      /* dm name starting with - */
		{ ".data /dev/b\n", 1 },
		{ "da/ta /dev/b\n", 1 },                      /* / in a dm name */
		{ "a /dev/b\na /dev/c\n", 2 },                /* name twice */
		{ "a /dev/b\nc /dev/b\n", 2 },                /* device twice */
		{ "a /dev/b ,\n", 1 },                        /* empty options */
		{ "a /dev/b workqueue,\n", 1 },
	};
	struct cvmg_volconf *e = NULL;
	unsigned int line;
	size_t n, i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret;

		line = 0;
		ret = cvmg_volconf_parse(bad[i].text, &e, &n, &line);
		if (ret != -EINVAL || line != bad[i].line)
			fail_msg("case %zu (%s): ret %d line %u", i, bad[i].text, ret, line);
		assert_null(e);
	}
}

static void test_long_line(void **state)
{
	char *text = malloc(2000);
	struct cvmg_volconf *e = NULL;
	unsigned int line = 0;
	size_t n;

	memset(text, 'a', 1999);
	text[1999] = '\0';
	memcpy(text, "x /", 3);
	assert_int_equal(cvmg_volconf_parse(text, &e, &n, &line), -EINVAL);
	assert_int_equal(line, 1);
	free(text);
}

static void test_find(void **state)
{
	static const char text[] =
		"a /dev/vdb\n"
		"b UUID=2E3C2BFA-1c4c-4d0b-9c6a-4b0ad1e1a8f0\n";
	struct cvmg_volconf *e = NULL;
	const struct cvmg_volconf *f;
	size_t n;

	assert_int_equal(cvmg_volconf_parse(text, &e, &n, NULL), 0);
	f = cvmg_volconf_find(e, n, "/dev/vdb", NULL);
	assert_non_null(f);
	assert_string_equal(f->name, "a");
	f = cvmg_volconf_find(e, n, "/dev/vdc", "2e3c2bfa-1c4c-4d0b-9c6a-4b0ad1e1a8f0");
	assert_non_null(f);
	assert_string_equal(f->name, "b");
	assert_null(cvmg_volconf_find(e, n, "/dev/vdc", "00000000-1c4c-4d0b-9c6a-4b0ad1e1a8f0"));
	assert_null(cvmg_volconf_find(e, n, "/dev/vd", NULL));
	assert_null(cvmg_volconf_find(e, n, NULL, NULL));
	free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entries_and_comments),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_rejected),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_find),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
