// SPDX-License-Identifier: GPL-2.0-only
/*
 * testsign OUTDIR: writes OUTDIR/root.der (a test root) and one directory per
 * case holding quote.bin and collateral.json: the real tdx-dcap quote and
 * collateral re-signed by a test chain (tests/unit/tdx_testsign.h), with the edit
 * the case names. No verdict is written: diff.js asks cvmguard and dcap-qvl.
 * Run from tests/unit's directory layout ($CVMGUARD_TESTDATA or ../data).
 */
#include <errno.h>
#include <sys/stat.h>

#include "tdata.h"
#include "tdx_testsign.h"

static const char LV1[] = "\"tcbLevels\":[{\"tcb\":{\"sgxtcbcomponents\"";

static const struct {
	const char *name, *key, *anchor, *from, *to;
	int body_off, body_or;		/* header+body byte ORed with body_or, or set to
					   its low byte when body_or has 0x100 */
} cases[] = {
	{ "resigned", NULL, NULL, NULL, NULL, -1, 0 },
	{ "sw-hardening-needed", "tcb_info", LV1, "\"tcbStatus\":\"UpToDate\"",
	  "\"tcbStatus\":\"SWHardeningNeeded\",\"advisoryIDs\":[\"INTEL-SA-00615\"]", -1, 0 },
	{ "configuration-needed", "tcb_info", LV1, "\"tcbStatus\":\"UpToDate\"",
	  "\"tcbStatus\":\"ConfigurationNeeded\"", -1, 0 },
	{ "config-and-sw-hardening", "tcb_info", LV1, "\"tcbStatus\":\"UpToDate\"",
	  "\"tcbStatus\":\"ConfigurationAndSWHardeningNeeded\"", -1, 0 },
	{ "out-of-date-pcesvn", "tcb_info", LV1, "\"pcesvn\":11", "\"pcesvn\":200", -1, 0 },
	{ "revoked", "tcb_info", LV1, "\"tcbStatus\":\"UpToDate\"", "\"tcbStatus\":\"Revoked\"",
	  -1, 0 },
	{ "no-level-tdx-svn", NULL, NULL, NULL, NULL, 48 + 0, 0x100 },
	{ "other-fmspc", "tcb_info", NULL, "\"fmspc\":\"B0C06F000000\"",
	  "\"fmspc\":\"00906ED50000\"", -1, 0 },
	{ "qe-other-signer", "qe_identity", NULL, "\"mrsigner\":\"DC9E", "\"mrsigner\":\"DC9F",
	  -1, 0 },
	{ "qe-other-product", "qe_identity", NULL, "\"isvprodid\":2", "\"isvprodid\":1", -1, 0 },
	{ "qe-svn-below-levels", "qe_identity", NULL, "\"isvsvn\":4", "\"isvsvn\":9", -1, 0 },
	{ "qe-out-of-date", "qe_identity", NULL, "\"isvsvn\":4},\"tcbDate\":\"2024-03-13T00:00:00Z\",\"tcbStatus\":\"UpToDate\"}]",
	  "\"isvsvn\":9},\"tcbDate\":\"2024-03-13T00:00:00Z\",\"tcbStatus\":\"UpToDate\"},"
	  "{\"tcb\":{\"isvsvn\":0},\"tcbDate\":\"2020-01-01T00:00:00Z\",\"tcbStatus\":\"OutOfDate\","
	  "\"advisoryIDs\":[\"INTEL-SA-00999\"]}]", -1, 0 },
	{ "debug-td", NULL, NULL, NULL, NULL, 48 + 120, 0x01 },
	{ "module-identity-out-of-date", "tcb_info", "\"id\":\"TDX_01\"", "\"isvsvn\":4",
	  "\"isvsvn\":7", -1, 0 },
	{ "module-minor-without-identity", NULL, NULL, NULL, NULL, 48 + 1, 0x102 },
};

static void write_file(const char *dir, const char *name, const void *buf, size_t len)
{
	char path[600];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (cvmg_write_file_atomic(path, buf, len, 0644)) {
		fprintf(stderr, "testsign: cannot write %s\n", path);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	struct ts_chain t;
	uint8_t hb[632], qe[384], *q;
	unsigned char *der = NULL;
	char dir[512], *text, *col;
	size_t i, ql;
	int n;

	if (argc != 2)
		return 64;
	ts_chain_new(&t);
	n = i2d_X509(t.root, &der);
	write_file(argv[1], "root.der", der, (size_t)n);
	OPENSSL_free(der);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(dir, sizeof(dir), "%s/%s", argv[1], cases[i].name);
		if (mkdir(dir, 0755) && errno != EEXIST)
			return 1;
		ts_real_parts(hb, qe);
		if (cases[i].body_off >= 0) {
			if (cases[i].body_or & 0x100)	/* set to the low byte */
				hb[cases[i].body_off] = (uint8_t)cases[i].body_or;
			else
				hb[cases[i].body_off] |= (uint8_t)cases[i].body_or;
		}
		q = ts_quote(&t, hb, qe, &ql);
		text = cases[i].key ? ts_edit(cases[i].key, cases[i].anchor, cases[i].from,
					      cases[i].to) : NULL;
		col = ts_collateral(&t, cases[i].key && !strcmp(cases[i].key, "tcb_info") ? text : NULL,
				    cases[i].key && !strcmp(cases[i].key, "qe_identity") ? text : NULL);
		write_file(dir, "quote.bin", q, ql);
		write_file(dir, "collateral.json", col, strlen(col));
		free(q);
		free(text);
		free(col);
	}
	ts_chain_free(&t);
	return 0;
}
