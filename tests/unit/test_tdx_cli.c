// SPDX-License-Identifier: GPL-2.0-only
/*
 * `cvmguard verify` on TDX evidence, by exit code (cvmguard(8)): a raw TD quote,
 * an Azure TDX HCL report with --td-quote, and a bundle holding both. The real
 * quotes verify to Intel's pinned root; without collateral the TCB is unknown
 * (exit 2 unless the policy allows it); with tdx-dcap's collateral the quote is
 * UpToDate at 2025-06-19T10:33:27Z (exit 0) and stale today (exit 2). Every
 * input below is one a host could hand the verifier: each is refused with the
 * code the table gives, and the files it read are left as they were.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bundle.h"
#include "tdata.h"
#include "tdx_testsign.h"

#define AT " --time 2025-06-19T10:33:27Z"
#define COL " --collateral tdx-dcap/collateral.json"

static char bin[PATH_MAX], tmp[64];

/* Run "BIN ARGS" in the test data directory at the real time; the exit status. */
#define run(...) tdata_run(bin, "", __VA_ARGS__)

/* Write @len bytes to $tmp/@name; returns the path (valid for the next 63 calls). */
static const char *put(const char *name, const void *buf, size_t len)
{
	static char path[64][128];
	static int slot;
	char *p = path[slot++ % 64];

	snprintf(p, sizeof(path[0]), "%s/%.40s", tmp, name);
	assert_int_equal(cvmg_write_file_atomic(p, buf, len, 0600), 0);
	return p;
}

static int setup(void **state)
{
	char dir[] = "/tmp/cvmg-tdx-cli.XXXXXX";

	if (tdata_bin(bin) || !mkdtemp(dir))
		return -1;
	snprintf(tmp, sizeof(tmp), "%s", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return system(cmd) ? -1 : 0;
}

static void test_raw_quote(void **state)
{
	const char *pol;

	/* signatures and chain verify; TCB unknown is refused by default */
	assert_int_equal(run("verify tdx-quote/quote-v4.bin"), 2);
	assert_int_equal(run("verify tdx-quote/quote-v5.bin"), 2);
	assert_int_equal(run("verify tdx-dcap/quote.bin"), 2);
	pol = put("unknown.pol", "tcb_status = UpToDate, unknown\n", 31);
	assert_int_equal(run("verify tdx-quote/quote-v4.bin --policy %s", pol), 0);
	assert_int_equal(run("verify tdx-quote/quote-v5.bin --policy %s --json", pol), 0);
	/* collateral: UpToDate inside its window, stale today and a year before */
	assert_int_equal(run("verify tdx-dcap/quote.bin" COL AT), 0);
	assert_int_equal(run("verify tdx-dcap/quote.bin" COL AT " --json"), 0);
	assert_int_equal(run("verify tdx-dcap/quote.bin" COL), 2);
	assert_int_equal(run("verify tdx-dcap/quote.bin" COL " --policy %s", pol), 2);
	assert_int_equal(run("verify tdx-dcap/quote.bin" COL " --time 2024-06-19T10:33:27Z"), 2);
	/* the collateral is for another platform's PCK: the Azure quote is refused */
	assert_int_equal(run("verify tdx-quote/quote-v5.bin" COL AT), 1);
	/* usage: bad time, unreadable collateral, quote or root */
	assert_int_equal(run("verify tdx-dcap/quote.bin" COL " --time 2025-06-19"), 64);
	assert_int_equal(run("verify tdx-dcap/quote.bin --collateral /nonexistent"), 64);
	assert_int_equal(run("verify --no-nonce azure-tdx/hcl-report-1.bin --td-quote /nonexistent"), 64);
	assert_int_equal(run("verify tdx-dcap/quote.bin --intel-root /nonexistent"), 64);
	/* a root file that holds no certificate is malformed input, as for --root */
	assert_int_equal(run("verify tdx-dcap/quote.bin --intel-root /dev/null"), 3);
	/* TDX inputs beside evidence they cannot apply to */
	assert_int_equal(run("verify snp-milan/report.bin --vcek snp-milan/vcek.der "
			     "--td-quote tdx-dcap/quote.bin"), 64);
	assert_int_equal(run("verify snp-milan/report.bin --vcek snp-milan/vcek.der" COL), 64);
	assert_int_equal(run("verify tdx-dcap/quote.bin --td-quote tdx-dcap/quote.bin"), 64);
}

/* @in with MRTD/MRSEAM replaced by @mrtd/@mrseam, and a trailing 0 flipping a bit */
static void subst(const char *in, const char *mrtd, const char *mrseam, char *out, size_t n)
{
	size_t o = 0, l;
	const char *v;

	while (*in && o + 100 < n) {
		v = !strncmp(in, "MRTD", 4) ? mrtd : !strncmp(in, "MRSEAM", 6) ? mrseam : NULL;
		if (!v) {
			out[o++] = *in++;
			continue;
		}
		in += v == mrtd ? 4 : 6;
		l = strlen(v);
		memcpy(out + o, v, l);
		if (*in == '0') {	/* the last hex digit with its low bit flipped */
			out[o + l - 1] = (char)(out[o + l - 1] ^ 1);
			in++;
		}
		o += l;
	}
	out[o] = '\0';
}

static void test_raw_quote_policy(void **state)
{
	/* MRTD and MRSEAM stand for the quote's own values, MRTD0 for one bit off */
	static const struct { const char *text; int rc; } cases[] = {
		/* the quote's own values pass */
		{ "tcb_status = UpToDate\nmrtd = MRTD\nmrseam = MRSEAM\n"
		  "td_attributes = 0x10000000\n"
		  "min_tee_tcb_svn = 06010300000000000000000000000000\n", 0 },
		/* one wrong value each: a violation named by its key */
		{ "mrtd = MRTD0\nmrseam = MRSEAM\n", 2 },
		{ "mrtd = MRTD\nmrseam = MRSEAM0\n", 2 },
		{ "rtmr0 = 00000000000000000000000000000000"
		  "0000000000000000000000000000000000000000000000000000000000000000\n", 2 },
		{ "td_attributes = 0x10000001\n", 2 },
		{ "min_tee_tcb_svn = 07010300000000000000000000000000\n", 2 },
		{ "tcb_status = OutOfDate\n", 2 },
		/* Revoked is never allowable; a typo is a malformed policy */
		{ "tcb_status = Revoked\n", 64 },
		{ "tcb_status = uptodate\n", 64 },
		{ "rtmr4 = 00\n", 64 },
	};
	char mrtd[97], mrseam[97], text[1024], name[16];
	size_t len, i;
	uint8_t *q = tdata_read("tdx-dcap/quote.bin", &len);

	cvmg_hex_encode(q + 48 + 136, 48, mrtd);
	cvmg_hex_encode(q + 48 + 16, 48, mrseam);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		subst(cases[i].text, mrtd, mrseam, text, sizeof(text));
		snprintf(name, sizeof(name), "p%zu.pol", i);
		if (run("verify tdx-dcap/quote.bin" COL AT " --policy %s",
			put(name, text, strlen(text))) != cases[i].rc)
			fail_msg("policy %zu (%s): want exit %d", i, text, cases[i].rc);
	}
	free(q);
}

/* Quotes edited by the host, and collateral swapped or edited. */
static void test_raw_quote_tampered(void **state)
{
	size_t len, clen;
	uint8_t *q = tdata_read("tdx-dcap/quote.bin", &len);
	uint8_t *c = tdata_read("tdx-dcap/collateral.json", &clen);
	uint8_t *orig = malloc(len);
	char *p;

	memcpy(orig, q, len);
	/* an RTMR changed in the signed body: signature fails (1) */
	q[48 + 328] ^= 1;
	assert_int_equal(run("verify %s" COL AT, put("rtmr.bin", q, len)), 1);
	assert_int_equal(run("verify %s", put("rtmr.bin", q, len)), 1);
	q[48 + 328] ^= 1;
	/* the debug bit set: signature fails before any policy looks at it */
	q[48 + 120] |= 1;
	assert_int_equal(run("verify %s" COL AT, put("debug.bin", q, len)), 1);
	q[48 + 120] &= (uint8_t)~1;
	/* truncated in its certification data, or a wrong version: malformed (3) */
	assert_int_equal(run("verify %s" COL AT, put("short.bin", q, 2000)), 3);
	q[0] = 3;
	assert_int_equal(run("verify %s" COL AT, put("v3.bin", q, len)), 3);
	q[0] = 4;
	/* a byte of the zero padding after the quote */
	q[len - 1] = 0x20;
	assert_int_equal(run("verify %s" COL AT, put("pad.bin", q, len)), 3);
	q[len - 1] = 0;
	assert_memory_equal(q, orig, len);
	/* collateral edited to claim UpToDate for longer: signature fails (1) */
	p = strstr((char *)c, "nextUpdate\\\":\\\"2025-07-19");
	assert_non_null(p);
	p[18] = '6';
	assert_int_equal(run("verify tdx-dcap/quote.bin --collateral %s --time 2026-07-01T00:00:00Z",
			     put("col.json", c, clen)), 1);
	assert_int_equal(run("verify tdx-dcap/quote.bin --collateral %s" AT,
			     put("col.json", c, clen)), 1);
	p[18] = '5';
	/* collateral that is not JSON: malformed (3) */
	assert_int_equal(run("verify tdx-dcap/quote.bin --collateral %s" AT,
			     put("bad.json", c, clen / 2)), 3);
	/* the data directory's files are as they were */
	free(q);
	q = tdata_read("tdx-dcap/quote.bin", &len);
	assert_memory_equal(q, orig, len);
	free(orig);
	free(q);
	free(c);
}

/*
 * An Azure TDX HCL report with a TD quote that is not for its TDREPORT (the
 * only pairs of real data there are): the signatures verify, the match does
 * not, so the runtime claims stay unbound to Intel-signed evidence (1). Alone,
 * the HCL report keeps its old verdict (the TDREPORT is not verifiable offline).
 */
static void test_hcl_with_quote(void **state)
{
	struct bundle b = { 0 };
	size_t hl, ql, cl, bl;
	uint8_t *h = tdata_read("azure-tdx/hcl-report-2.bin", &hl);
	uint8_t *q = tdata_read("tdx-quote/quote-v5.bin", &ql);
	uint8_t *c = tdata_read("tdx-dcap/collateral.json", &cl);
	uint8_t *out;
	const char *pol = put("hcl.pol", "tcb_status = unknown\n", 21);

	assert_int_equal(run("verify --no-nonce azure-tdx/hcl-report-2.bin --td-quote tdx-quote/quote-v5.bin "
			     "--policy %s", pol), 1);
	assert_int_equal(run("verify --no-nonce azure-tdx/hcl-report-1.bin --td-quote tdx-quote/quote-v4.bin "
			     "--policy %s", pol), 1);
	assert_int_equal(run("verify --no-nonce azure-tdx/hcl-report-1.bin --td-quote tdx-dcap/quote.bin"
			     COL AT), 1);
	/* a quote that does not parse beside an HCL report: malformed */
	assert_int_equal(run("verify --no-nonce azure-tdx/hcl-report-1.bin --td-quote tdx-dcap/collateral.json"),
			 3);
	/* the same pair in a bundle */
	b.n = 2;
	b.s[0] = (struct bundle_section_ref){ BUNDLE_HCL_REPORT, h, (uint32_t)hl };
	b.s[1] = (struct bundle_section_ref){ BUNDLE_TD_QUOTE, q, (uint32_t)ql };
	assert_int_equal(bundle_write(&b, &out, &bl), 0);
	assert_int_equal(run("verify --no-nonce %s --policy %s", put("b.bndl", out, bl), pol), 1);
	free(out);
	/* with collateral in the bundle too: still the mismatch (and another FMSPC) */
	b.n = 3;
	b.s[2] = (struct bundle_section_ref){ BUNDLE_DCAP_COLLATERAL, c, (uint32_t)cl };
	assert_int_equal(bundle_write(&b, &out, &bl), 0);
	assert_int_equal(run("verify --no-nonce %s" AT, put("bc.bndl", out, bl)), 1);
	free(out);
	free(h);
	free(q);
	free(c);
}

/* Does "BIN ARGS --json" print @needle? */
static bool prints(const char *needle, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool prints(const char *needle, const char *fmt, ...)
{
	char args[2048], cmd[PATH_MAX + 2200], line[4096];
	bool found = false;
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' %s --json 2>/dev/null", tdata_dir(), bin, args);
	f = popen(cmd, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		found |= !!strstr(line, needle);
	pclose(f);
	return found;
}

/* The quote body for @tdr (a TDREPORT), as a quoting enclave would make it. */
static void body_from_tdreport(uint8_t hb[632], const uint8_t *tdr)
{
	uint8_t *b = hb + 48;

	memcpy(b + 0, tdr + 264, 16);		/* TEE_TCB_SVN */
	memcpy(b + 16, tdr + 280, 48);		/* MRSEAM */
	memcpy(b + 64, tdr + 328, 48);		/* MRSIGNERSEAM */
	memcpy(b + 112, tdr + 376, 8);		/* SEAM attributes */
	memcpy(b + 120, tdr + 512, 16);		/* TD attributes, XFAM */
	memcpy(b + 136, tdr + 528, 4 * 48);	/* MRTD, MRCONFIGID, MROWNER, MROWNERCONFIG */
	memcpy(b + 328, tdr + 720, 4 * 48);	/* RTMR0-3 */
	memcpy(b + 520, tdr + 128, 64);		/* REPORTDATA */
}

/*
 * The Azure TDX round trip, with the quote from a test quoting service (a test
 * root passed as --intel-root, as the rig will): the quote made for the HCL
 * report's TDREPORT verifies it (hardware_verified), and one made for anything
 * else is refused whichever field differs.
 */
static void test_hcl_round_trip(void **state)
{
	static const struct { int off; const char *what; } fields[] = {
		{ 48 + 520, "REPORTDATA" }, { 48 + 136, "MRTD" }, { 48 + 328 + 48 * 3, "RTMR3" },
		{ 48 + 16, "MRSEAM" }, { 48 + 128, "XFAM" }, { 48 + 232, "MROWNER" },
	};
	struct ts_chain t;
	struct bundle b = { 0 };
	uint8_t hb[632], qe[384], *q, *out;
	size_t hl, ql, bl, i;
	uint8_t *h = tdata_read("azure-tdx/hcl-report-1.bin", &hl);
	const char *root, *qf, *unk;
	BIO *bio;
	char pem[4096];

	ts_chain_new(&t);
	bio = BIO_new(BIO_s_mem());
	PEM_write_bio_X509(bio, t.root);
	ts_pem(bio, pem, sizeof(pem));
	BIO_free(bio);
	root = put("root.pem", pem, strlen(pem));
	unk = put("unk.pol", "tcb_status = unknown\n", 21);
	ts_real_parts(hb, qe);
	body_from_tdreport(hb, h + 32);
	q = ts_quote(&t, hb, qe, &ql);
	qf = put("tdq.bin", q, ql);
	/* verified to the (test) root: the default policy still wants a known TCB */
	assert_int_equal(run("verify --no-nonce azure-tdx/hcl-report-1.bin --td-quote %s --intel-root %s",
			     qf, root), 2);
	assert_int_equal(run("verify --no-nonce azure-tdx/hcl-report-1.bin --td-quote %s --intel-root %s "
			     "--policy %s", qf, root, unk), 0);
	assert_true(prints("\"hardware_verified\":true", "verify --no-nonce azure-tdx/hcl-report-1.bin "
			   "--td-quote %s --intel-root %s --policy %s", qf, root, unk));
	/* the same quote to Intel's pinned root: not Intel's, refused */
	assert_int_equal(run("verify --no-nonce azure-tdx/hcl-report-1.bin --td-quote %s --policy %s", qf, unk),
			 1);
	/* for another TD report: refused whichever field differs */
	assert_int_equal(run("verify --no-nonce azure-tdx/hcl-report-2.bin --td-quote %s --intel-root %s "
			     "--policy %s", qf, root, unk), 1);
	free(q);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		ts_real_parts(hb, qe);
		body_from_tdreport(hb, h + 32);
		hb[fields[i].off] ^= 0x01;
		q = ts_quote(&t, hb, qe, &ql);
		if (run("verify --no-nonce azure-tdx/hcl-report-1.bin --td-quote %s --intel-root %s "
			"--policy %s", put("tdq-x.bin", q, ql), root, unk) != 1)
			fail_msg("a quote with another %s was not refused", fields[i].what);
		free(q);
	}
	/* in a bundle */
	ts_real_parts(hb, qe);
	body_from_tdreport(hb, h + 32);
	q = ts_quote(&t, hb, qe, &ql);
	b.n = 2;
	b.s[0] = (struct bundle_section_ref){ BUNDLE_HCL_REPORT, h, (uint32_t)hl };
	b.s[1] = (struct bundle_section_ref){ BUNDLE_TD_QUOTE, q, (uint32_t)ql };
	assert_int_equal(bundle_write(&b, &out, &bl), 0);
	/*
	 * The bundle's TD quote verifies the TDREPORT; the bundle still fails as a
	 * whole for want of a TPM quote by HCLAkPub, which no real data here has.
	 */
	qf = put("rt.bndl", out, bl);
	assert_int_equal(run("verify --no-nonce %s --intel-root %s --policy %s", qf, root, unk), 1);
	assert_true(prints("\"hardware_verified\":true", "verify --no-nonce %s --intel-root %s "
			   "--policy %s", qf, root, unk));
	assert_true(prints("equal the TDREPORT's", "verify --no-nonce %s --intel-root %s", qf, root));
	assert_true(prints("bundle lacks the quote", "verify --no-nonce %s --intel-root %s", qf,
			   root));
	free(out);
	free(q);
	free(h);
	ts_chain_free(&t);
}

/* A debug TD's quote, genuinely signed: the policy refuses it unless allowed. */
static void test_debug_td(void **state)
{
	struct ts_chain t;
	uint8_t hb[632], qe[384], *q;
	size_t ql;
	const char *root, *qf;
	BIO *bio;
	char pem[4096];

	ts_chain_new(&t);
	bio = BIO_new(BIO_s_mem());
	PEM_write_bio_X509(bio, t.root);
	ts_pem(bio, pem, sizeof(pem));
	BIO_free(bio);
	root = put("root.pem", pem, strlen(pem));
	ts_real_parts(hb, qe);
	hb[48 + 120] |= 1;	/* TUD.DEBUG */
	q = ts_quote(&t, hb, qe, &ql);
	qf = put("debug.bin", q, ql);
	assert_int_equal(run("verify %s --intel-root %s --policy %s", qf, root,
			     put("u.pol", "tcb_status = unknown\n", 21)), 2);
	assert_true(prints("TUD.DEBUG", "verify %s --intel-root %s --policy %s", qf, root,
			   put("u.pol", "tcb_status = unknown\n", 21)));
	assert_int_equal(run("verify %s --intel-root %s --policy %s", qf, root,
			     put("d.pol", "tcb_status = unknown\nallow_debug = true\n", 40)), 0);
	free(q);
	ts_chain_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_raw_quote),
		cmocka_unit_test(test_raw_quote_policy),
		cmocka_unit_test(test_raw_quote_tampered),
		cmocka_unit_test(test_hcl_with_quote),
		cmocka_unit_test(test_hcl_round_trip),
		cmocka_unit_test(test_debug_td),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
