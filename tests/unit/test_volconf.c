// SPDX-License-Identifier: GPL-2.0-only
/*
 * /etc/cvmguard/volumes.conf (volconf.c): syntax, options, device forms, bad lines
 * reported and skipped, the auto-unlock setting, /etc/crypttab, links, lookup.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "volconf.h"

struct reports {
	unsigned int lines[16];
	char msgs[16][160];
	unsigned int n;
};

static void collect(unsigned int line, const char *msg, void *arg)
{
	struct reports *r = arg;

	if (r->n < 16) {
		r->lines[r->n] = line;
		snprintf(r->msgs[r->n], sizeof(r->msgs[0]), "%s", msg);
	}
	r->n++;
}

static void test_entries_and_comments(void **state)
{
	static const char text[] =
		"# volumes\n"
		"\n"
		"data  /dev/disk/by-id/virtio-data   workqueue   # trailing comment\n"
		"\tarchive\tUUID=2e3c2bfa-1c4c-4d0b-9c6a-4b0ad1e1a8f0\n"
		"skip /dev/vdc ignore,workqueue\r\n"
		"part PARTUUID=0C9A1F3E-5b4e-4f4e-9d2b-7a9e3f0b1c2d\n"
		"mbr PARTUUID=1234abcd-02\n"
		"lab PARTLABEL=data-1\n"
		"lux LABEL=secret\n"
		"last /dev/vdd";
	struct cvmg_volconf_file f;
	struct reports r = { 0 };

	assert_int_equal(cvmg_volconf_parse(text, &f, collect, &r), 0);
	assert_int_equal(r.n, 0);
	assert_int_equal(f.bad_lines, 0);
	assert_int_equal(f.auto_unlock, CVMG_AUTO_LISTED);
	assert_int_equal(f.n, 8);
	assert_string_equal(f.entries[0].name, "data");
	assert_string_equal(f.entries[0].device, "/dev/disk/by-id/virtio-data");
	assert_int_equal(f.entries[0].kind, CVMG_VOLCONF_PATHNAME);
	assert_true(f.entries[0].workqueue);
	assert_false(f.entries[0].ignore);
	assert_string_equal(f.entries[1].name, "archive");
	assert_int_equal(f.entries[1].kind, CVMG_VOLCONF_UUID);
	assert_false(f.entries[1].workqueue);
	assert_true(f.entries[2].ignore);
	assert_true(f.entries[2].workqueue);
	assert_int_equal(f.entries[3].kind, CVMG_VOLCONF_PARTUUID);
	assert_int_equal(f.entries[4].kind, CVMG_VOLCONF_PARTUUID);
	assert_int_equal(f.entries[5].kind, CVMG_VOLCONF_PARTLABEL);
	assert_int_equal(f.entries[6].kind, CVMG_VOLCONF_LABEL);
	assert_string_equal(f.entries[7].device, "/dev/vdd");
	cvmg_volconf_free(&f);
	assert_null(f.entries);
}

static void test_empty(void **state)
{
	struct cvmg_volconf_file f;

	assert_int_equal(cvmg_volconf_parse("", &f, NULL, NULL), 0);
	assert_null(f.entries);
	assert_int_equal(f.n, 0);
	assert_int_equal(f.auto_unlock, CVMG_AUTO_LISTED);
	assert_int_equal(cvmg_volconf_parse("# nothing\n\n   \n", &f, NULL, NULL), 0);
	assert_int_equal(f.n, 0);
	assert_int_equal(f.bad_lines, 0);
}

/*
 * Each bad line is reported with its number and skipped; the good lines around it
 * still apply. The duplicates: the first line wins, so a later line cannot rename or
 * un-ignore a device an earlier one set.
 */
static void test_bad_lines_skipped(void **state)
{
	static const struct {
		const char *line;
		const char *why; /* a word the message must contain */
	} bad[] = {
		{ "data", "DEVICE" },                            /* no device */
		{ "data /dev/b x", "option" },                   /* unknown option */
		{ "data /dev/b workqueue extra", "fields" },      /* four fields */
		{ "data dev/b", "path" },                        /* relative path */
		{ "data UUID=", "empty" },                       /* empty UUID */
		{ "data PARTUUID=", "empty" },
		{ "data PARTLABEL=", "empty" },
		{ "data PARTUUID=../../vda", "hex" },            /* path characters */
		{ "data UUID=2e3c2bfa-1c4c-4d0b-9c6a-4b0ad1e1a8f0-0000", "36" },
		{ "data ID=foo", "unknown device key" },
		{ "data vdb", "absolute path" },
		{ "-data /dev/b", "NAME" },                       /* dm name starting with - */
		{ ".data /dev/b", "NAME" },
		{ "da/ta /dev/b", "NAME" },                       /* / in a dm name */
		{ "a /dev/b ,", "empty option" },                 /* empty options */
		{ "a /dev/b workqueue,", "empty option" },
		{ "auto-unlock = all", "listed" },                /* bad value */
		{ "auto-unlok = any", "unknown setting" },
		{ "= any", "unknown setting" },
	};
	struct cvmg_volconf_file f;
	struct reports r;
	char text[512];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&r, 0, sizeof(r));
		snprintf(text, sizeof(text), "good /dev/vdz\n# c\n%s\nafter UUID=AB-cd\n",
			 bad[i].line);
		assert_int_equal(cvmg_volconf_parse(text, &f, collect, &r), 0);
		if (r.n != 1 || r.lines[0] != 3 || !strstr(r.msgs[0], bad[i].why) ||
		    f.bad_lines != 1)
			fail_msg("case %zu (%s): %u reports, line %u: %s", i, bad[i].line, r.n,
				 r.lines[0], r.msgs[0]);
		assert_int_equal(f.n, 2);
		assert_string_equal(f.entries[0].name, "good");
		assert_string_equal(f.entries[1].name, "after");
		/* a bad auto-unlock line leaves the default */
		assert_int_equal(f.auto_unlock, CVMG_AUTO_LISTED);
		cvmg_volconf_free(&f);
	}
}

static void test_duplicates(void **state)
{
	static const char text[] =
		"a /dev/b ignore\n"
		"a /dev/c\n"                                       /* name twice */
		"c /dev/b\n"                                       /* device twice */
		"u UUID=2e3c2bfa-1c4c-4d0b-9c6a-4b0ad1e1a8f0\n"
		"v UUID=2E3C2BFA-1C4C-4D0B-9C6A-4B0AD1E1A8F0\n"    /* same UUID, other case */
		"auto-unlock = any\n"
		"auto-unlock = listed\n";                          /* setting twice */
	struct cvmg_volconf_file f;
	struct reports r = { 0 };

	assert_int_equal(cvmg_volconf_parse(text, &f, collect, &r), 0);
	assert_int_equal(r.n, 4);
	assert_int_equal(r.lines[0], 2);
	assert_non_null(strstr(r.msgs[0], "NAME already used"));
	assert_int_equal(r.lines[1], 3);
	assert_non_null(strstr(r.msgs[1], "DEVICE already listed"));
	assert_int_equal(r.lines[2], 5);
	assert_int_equal(r.lines[3], 7);
	assert_int_equal(f.n, 2);
	assert_true(f.entries[0].ignore);
	/* the first auto-unlock applies */
	assert_int_equal(f.auto_unlock, CVMG_AUTO_ANY);
	cvmg_volconf_free(&f);
}

static void test_auto_unlock_forms(void **state)
{
	static const char *const any[] = {
		"auto-unlock = any\n", "auto-unlock=any", "  auto-unlock\t=\tany  # c\n",
		"auto-unlock =any\r\n",
	};
	struct cvmg_volconf_file f;
	size_t i;

	for (i = 0; i < sizeof(any) / sizeof(any[0]); i++) {
		assert_int_equal(cvmg_volconf_parse(any[i], &f, NULL, NULL), 0);
		if (f.auto_unlock != CVMG_AUTO_ANY || f.bad_lines || f.n)
			fail_msg("case %zu (%s)", i, any[i]);
	}
	assert_int_equal(cvmg_volconf_parse("auto-unlock = listed\n", &f, NULL, NULL), 0);
	assert_int_equal(f.auto_unlock, CVMG_AUTO_LISTED);
	assert_int_equal(f.bad_lines, 0);
	/* "auto-unlock" is also a valid dm name: without '=' it is an entry */
	assert_int_equal(cvmg_volconf_parse("auto-unlock /dev/vdb\n", &f, NULL, NULL), 0);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.auto_unlock, CVMG_AUTO_LISTED);
	cvmg_volconf_free(&f);
}

static void test_long_line(void **state)
{
	char *text = malloc(2100);
	struct cvmg_volconf_file f;
	struct reports r = { 0 };

	memset(text, 'a', 1999);
	memcpy(text, "x /", 3);
	strcpy(text + 1999, "\nok /dev/vdb\n");
	assert_int_equal(cvmg_volconf_parse(text, &f, collect, &r), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.lines[0], 1);
	assert_int_equal(f.n, 1);
	assert_string_equal(f.entries[0].name, "ok");
	cvmg_volconf_free(&f);
	free(text);
}

static void test_link(void **state)
{
	static const struct {
		const char *device;
		const char *link;
	} cases[] = {
		{ "/dev/disk/by-id/x", "/dev/disk/by-id/x" },
		{ "PARTUUID=0C9A1F3E-5B4E-4F4E-9D2B-7A9E3F0B1C2D",
		  "/dev/disk/by-partuuid/0c9a1f3e-5b4e-4f4e-9d2b-7a9e3f0b1c2d" },
		{ "PARTLABEL=data-1", "/dev/disk/by-partlabel/data-1" },
		/* udev's encoding: a '/' or '\' cannot leave the by-partlabel directory */
		{ "PARTLABEL=../../vda", "/dev/disk/by-partlabel/..\\x2f..\\x2fvda" },
		{ "PARTLABEL=a\\b", "/dev/disk/by-partlabel/a\\x5cb" },
		{ "LABEL=My:Vol_1", "/dev/disk/by-label/My:Vol_1" },
	};
	struct cvmg_volconf_file f;
	char text[256], out[300];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "v %s\n", cases[i].device);
		assert_int_equal(cvmg_volconf_parse(text, &f, NULL, NULL), 0);
		assert_int_equal(f.n, 1);
		assert_int_equal(cvmg_volconf_link(&f.entries[0], out, sizeof(out)), 0);
		assert_string_equal(out, cases[i].link);
		assert_int_equal(cvmg_volconf_link(&f.entries[0], out, 12), -ENAMETOOLONG);
		cvmg_volconf_free(&f);
	}
	assert_int_equal(cvmg_volconf_parse("v UUID=ab-cd\n", &f, NULL, NULL), 0);
	assert_int_equal(cvmg_volconf_link(&f.entries[0], out, sizeof(out)), -ENOENT);
	cvmg_volconf_free(&f);
}

static void test_find(void **state)
{
	static const char text[] =
		"a /dev/vdb\n"
		"b UUID=2E3C2BFA-1c4c-4d0b-9c6a-4b0ad1e1a8f0\n"
		"c PARTUUID=1234abcd-02\n";
	struct cvmg_volconf_file f;
	const struct cvmg_volconf *e;

	assert_int_equal(cvmg_volconf_parse(text, &f, NULL, NULL), 0);
	e = cvmg_volconf_find(f.entries, f.n, "/dev/vdb", NULL);
	assert_non_null(e);
	assert_string_equal(e->name, "a");
	e = cvmg_volconf_find(f.entries, f.n, "/dev/vdc", "2e3c2bfa-1c4c-4d0b-9c6a-4b0ad1e1a8f0");
	assert_non_null(e);
	assert_string_equal(e->name, "b");
	assert_null(cvmg_volconf_find(f.entries, f.n, "/dev/vdc",
				      "00000000-1c4c-4d0b-9c6a-4b0ad1e1a8f0"));
	assert_null(cvmg_volconf_find(f.entries, f.n, "/dev/vd", NULL));
	assert_null(cvmg_volconf_find(f.entries, f.n, NULL, NULL));
	/* An unresolved PARTUUID matches nothing, not its own text nor a LUKS UUID. */
	assert_null(cvmg_volconf_find(f.entries, f.n, "PARTUUID=1234abcd-02", "1234abcd-02"));
	/* Resolved (the caller's realpath of its by-partuuid link): matches that path. */
	strcpy(f.entries[2].resolved, "/dev/vdd2");
	e = cvmg_volconf_find(f.entries, f.n, "/dev/vdd2", NULL);
	assert_non_null(e);
	assert_string_equal(e->name, "c");
	/* A path entry resolved elsewhere no longer matches its literal text. */
	strcpy(f.entries[0].resolved, "/dev/vde");
	assert_null(cvmg_volconf_find(f.entries, f.n, "/dev/vdb", NULL));
	cvmg_volconf_free(&f);
}

static void test_crypttab(void **state)
{
	static const char text[] =
		"# <target name> <source device> <key file> <options>\n"
		"home UUID=2e3c2bfa-1c4c-4d0b-9c6a-4b0ad1e1a8f0 none luks,tpm2-device=auto\n"
		"swap /dev/vdc /dev/urandom swap,cipher=aes-xts-plain64\n"
		"  lab PARTLABEL=db\n"
		"bogus\n"
		"odd relative none\n"
		"many a b c d e\n";
	struct cvmg_volconf_file f;
	const struct cvmg_volconf *e;

	assert_int_equal(cvmg_crypttab_parse(text, &f), 0);
	assert_int_equal(f.n, 3);
	e = cvmg_volconf_find(f.entries, f.n, "/dev/vdx", "2E3C2BFA-1C4C-4D0B-9C6A-4B0AD1E1A8F0");
	assert_non_null(e);
	assert_string_equal(e->name, "home");
	e = cvmg_volconf_find(f.entries, f.n, "/dev/vdc", NULL);
	assert_non_null(e);
	assert_string_equal(e->name, "swap");
	assert_int_equal(f.entries[2].kind, CVMG_VOLCONF_PARTLABEL);
	cvmg_volconf_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entries_and_comments),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_bad_lines_skipped),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_auto_unlock_forms),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_link),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_crypttab),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
