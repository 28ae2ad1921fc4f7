// SPDX-License-Identifier: GPL-2.0-only
/*
 * AMD certificates: the pinned roots are the files in tests/data/amd, each ARK
 * signs itself and its ASK, the Milan VCEK chains and its extensions match the
 * report; wrong order, another product's ASK, expired or not-yet-valid
 * certificates and every bit flip of the VCEK's signed part are rejected.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "amd_certs.h"
#include "snp_report.h"
#include "tdata.h"

static X509 *load(const char *name)
{
	X509 *x = NULL;
	size_t len;
	uint8_t *buf = tdata_read(name, &len);

	assert_int_equal(amd_cert_parse(buf, len, &x), 0);
	free(buf);
	return x;
}

static void test_pinned_match_files(void **state)
{
	static const char *const names[] = { "milan", "genoa", "turin" };
	char path[64];
	int p, k;

	for (p = 0; p < 3; p++) {
		for (k = 0; k < 2; k++) {
			const char *pem = amd_pinned_pem((enum snp_product)(SNP_PRODUCT_MILAN + p), k);
			size_t len;
			uint8_t *buf;

			snprintf(path, sizeof(path), "amd/%s-%s.pem", names[p], k ? "ask" : "ark");
			buf = tdata_read(path, &len);
			assert_non_null(pem);
			assert_int_equal(strlen(pem), len);
			assert_memory_equal(pem, buf, len);
			free(buf);
		}
	}
	assert_null(amd_pinned_pem(SNP_PRODUCT_UNKNOWN, false));
}

static void test_roots_sign_asks(void **state)
{
	int p;

	for (p = SNP_PRODUCT_MILAN; p <= SNP_PRODUCT_TURIN; p++) {
		X509 *ark, *ask;

		assert_int_equal(amd_pinned_cert((enum snp_product)p, false, &ark), 0);
		assert_int_equal(amd_pinned_cert((enum snp_product)p, true, &ask), 0);
		assert_int_equal(amd_cert_check_issued(ark, ark, TDATA_NOW), 0);
		assert_int_equal(amd_cert_check_issued(ask, ark, TDATA_NOW), 0);
		assert_int_equal(EVP_PKEY_get_bits(X509_get0_pubkey(ark)), 4096);
		assert_int_equal(amd_cert_product(ask), p);
		assert_int_equal(amd_cert_product(ark), p);
		X509_free(ark);
		X509_free(ask);
	}
}

static void test_milan_chain(void **state)
{
	X509 *ark, *ask, *vcek = load("snp-milan/vcek.der");
	enum amd_chain_link link;

	assert_int_equal(amd_pinned_cert(SNP_PRODUCT_MILAN, false, &ark), 0);
	assert_int_equal(amd_pinned_cert(SNP_PRODUCT_MILAN, true, &ask), 0);
	assert_int_equal(amd_cert_product(vcek), SNP_PRODUCT_MILAN);
	assert_int_equal(amd_verify_chain(ark, ask, vcek, TDATA_NOW, &link), 0);
	/* Wrong order: every permutation but the right one fails. */
	assert_int_equal(amd_verify_chain(ask, ark, vcek, TDATA_NOW, &link), -EKEYREJECTED);
	assert_int_equal(amd_verify_chain(vcek, ask, ark, TDATA_NOW, &link), -EKEYREJECTED);
	assert_int_equal(amd_verify_chain(ark, vcek, ask, TDATA_NOW, &link), -EKEYREJECTED);
	assert_int_equal(link, AMD_LINK_ASK);
	assert_int_equal(amd_verify_chain(ark, ark, vcek, TDATA_NOW, &link), -EKEYREJECTED);
	assert_int_equal(amd_verify_chain(ark, ask, ask, TDATA_NOW, &link), -EKEYREJECTED);
	assert_int_equal(link, AMD_LINK_LEAF);
	X509_free(ark);
	X509_free(ask);
	X509_free(vcek);
}

static void test_other_product_ask(void **state)
{
	X509 *milan_ark, *genoa_ask, *turin_ark, *milan_ask;
	X509 *vcek = load("snp-milan/vcek.der");
	enum amd_chain_link link;

	assert_int_equal(amd_pinned_cert(SNP_PRODUCT_MILAN, false, &milan_ark), 0);
	assert_int_equal(amd_pinned_cert(SNP_PRODUCT_GENOA, true, &genoa_ask), 0);
	assert_int_equal(amd_pinned_cert(SNP_PRODUCT_TURIN, false, &turin_ark), 0);
	assert_int_equal(amd_pinned_cert(SNP_PRODUCT_MILAN, true, &milan_ask), 0);
	assert_int_equal(amd_cert_check_issued(genoa_ask, milan_ark, TDATA_NOW), -EKEYREJECTED);
	assert_int_equal(amd_verify_chain(milan_ark, genoa_ask, vcek, TDATA_NOW, &link),
			 -EKEYREJECTED);
	assert_int_equal(link, AMD_LINK_ASK);
	assert_int_equal(amd_verify_chain(turin_ark, milan_ask, vcek, TDATA_NOW, &link),
			 -EKEYREJECTED);
	X509_free(milan_ark);
	X509_free(genoa_ask);
	X509_free(turin_ark);
	X509_free(milan_ask);
	X509_free(vcek);
}

static void test_validity(void **state)
{
	X509 *ark, *ask, *vcek = load("snp-milan/vcek.der");
	enum amd_chain_link link;

	assert_int_equal(amd_pinned_cert(SNP_PRODUCT_MILAN, false, &ark), 0);
	assert_int_equal(amd_pinned_cert(SNP_PRODUCT_MILAN, true, &ask), 0);
	/* 2022-01-01: ARK and ASK valid, VCEK (from 2023-04-03) not yet. */
	assert_int_equal(amd_verify_chain(ark, ask, vcek, 1640995200, &link), -EKEYEXPIRED);
	assert_int_equal(link, AMD_LINK_LEAF);
	/* 2031-01-01: the VCEK expired on 2030-04-03. */
	assert_int_equal(amd_verify_chain(ark, ask, vcek, 1924992000, &link), -EKEYEXPIRED);
	assert_int_equal(link, AMD_LINK_LEAF);
	/* 2019-01-01: before the ARK. */
	assert_int_equal(amd_verify_chain(ark, ask, vcek, 1546300800, &link), -EKEYEXPIRED);
	assert_int_equal(link, AMD_LINK_ARK);
	/* 2046-01-01: after the ARK. */
	assert_int_equal(amd_verify_chain(ark, ask, vcek, 2398377600, &link), -EKEYEXPIRED);
	X509_free(ark);
	X509_free(ask);
	X509_free(vcek);
}

static void test_vcek_extensions(void **state)
{
	struct snp_report *r = malloc(sizeof(*r));
	X509 *vcek = load("snp-milan/vcek.der");
	struct amd_vcek_ext e, bad;
	const char *field;
	size_t len;
	uint8_t *buf = tdata_read("snp-milan/report.bin", &len);

	assert_int_equal(snp_report_parse(buf, len, r), 0);
	assert_int_equal(amd_vcek_ext_parse(vcek, &e), 0);
	assert_string_equal(e.product, "Milan-B0");
	assert_true(e.has_tcb);
	assert_false(e.has_fmc);
	assert_false(e.is_vlek);
	assert_int_equal(e.bl, 3);
	assert_int_equal(e.tee, 0);
	assert_int_equal(e.snp, 8);
	assert_int_equal(e.ucode, 0x73);
	assert_true(e.has_hwid);
	assert_memory_equal(e.hwid, r->chip_id, 64);
	assert_int_equal(amd_vcek_match_report(&e, r, SNP_PRODUCT_MILAN, &field), 0);

	bad = e, bad.bl++;
	assert_int_equal(amd_vcek_match_report(&bad, r, SNP_PRODUCT_MILAN, &field), -EKEYREJECTED);
	assert_string_equal(field, "blSPL");
	bad = e, bad.ucode--;
	assert_int_equal(amd_vcek_match_report(&bad, r, SNP_PRODUCT_MILAN, &field), -EKEYREJECTED);
	assert_string_equal(field, "ucodeSPL");
	bad = e, bad.hwid[63] ^= 1;
	assert_int_equal(amd_vcek_match_report(&bad, r, SNP_PRODUCT_MILAN, &field), -EKEYREJECTED);
	assert_string_equal(field, "hwID");
	/* Read with Turin's layout the same TCB does not match. */
	assert_int_equal(amd_vcek_match_report(&e, r, SNP_PRODUCT_TURIN, &field), -EKEYREJECTED);
	/* A masked chip ID is not compared. */
	bad = e, bad.hwid[0] ^= 1;
	memset(r->chip_id, 0, 64);
	assert_int_equal(amd_vcek_match_report(&bad, r, SNP_PRODUCT_MILAN, &field), 0);
	X509_free(vcek);
	free(buf);
	free(r);
}

/* Offset and length of the TBSCertificate inside a DER certificate. */
static void tbs_span(const uint8_t *der, size_t *off, size_t *len)
{
	size_t o = (der[1] & 0x80) ? 2 + (der[1] & 0x7f) : 2;
	size_t l = 0, i, nb;

	assert_int_equal(der[o], 0x30);
	nb = der[o + 1] & 0x7f;
	for (i = 0; i < nb; i++)
		l = l << 8 | der[o + 2 + i];
	*off = o;
	*len = 2 + nb + l;
}

static void test_vcek_tbs_bitflips(void **state)
{
	X509 *ark, *ask, *vcek;
	size_t len, off, tlen, bit, rejected = 0;
	uint8_t *der = tdata_read("snp-milan/vcek.der", &len);

	assert_int_equal(amd_pinned_cert(SNP_PRODUCT_MILAN, false, &ark), 0);
	assert_int_equal(amd_pinned_cert(SNP_PRODUCT_MILAN, true, &ask), 0);
	tbs_span(der, &off, &tlen);
	assert_int_equal(off, 4);
	assert_int_equal(tlen, 767);
	for (bit = off * 8; bit < (off + tlen) * 8; bit++) {
		der[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		if (amd_cert_parse(der, len, &vcek)) {
			rejected++;
		} else {
			if (amd_verify_chain(ark, ask, vcek, TDATA_NOW, NULL))
				rejected++;
			else
				fail_msg("flip of VCEK bit %zu (byte %zu) accepted", bit, bit / 8);
			X509_free(vcek);
		}
		der[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	assert_int_equal(rejected, tlen * 8);
	assert_int_equal(amd_cert_parse(der, len, &vcek), 0);
	assert_int_equal(amd_verify_chain(ark, ask, vcek, TDATA_NOW, NULL), 0);
	X509_free(vcek);
	X509_free(ark);
	X509_free(ask);
	free(der);
}

static void test_unrelated_chain(void **state)
{
	struct snp_report *r = malloc(sizeof(*r));
	X509 *certs[4], *pinned;
	size_t n, len, hlen;
	uint8_t *pem = tdata_read("azure-snp/unrelated-milan-chain.pem", &len);
	uint8_t *hcl = tdata_read("azure-snp/hcl-report.bin", &hlen);

	assert_int_equal(amd_chain_parse_pem(pem, len, certs, 4, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(amd_pinned_cert(SNP_PRODUCT_MILAN, false, &pinned), 0);
	assert_true(amd_cert_equal(certs[2], pinned));
	assert_int_equal(amd_verify_chain(pinned, certs[1], certs[0], TDATA_NOW, NULL), 0);
	assert_int_equal(snp_report_parse(hcl + 32, SNP_REPORT_SIZE, r), 0);
	assert_int_equal(snp_report_verify_sig(r, X509_get0_pubkey(certs[0])), -EKEYREJECTED);
	/* A damaged PEM block is malformed, not silently dropped. */
	pem[len / 2] = '!';
	assert_int_equal(amd_chain_parse_pem(pem, len, certs + 3, 1, &n), -EBADMSG);
	assert_int_equal(amd_chain_parse_pem((const uint8_t *)"junk", 4, certs + 3, 1, &n),
			 -EBADMSG);
	X509_free(certs[0]);
	X509_free(certs[1]);
	X509_free(certs[2]);
	X509_free(pinned);
	free(pem);
	free(hcl);
	free(r);
}

static void test_truncated_cert(void **state)
{
	X509 *x;
	size_t len, cut;
	uint8_t *der = tdata_read("snp-milan/vcek.der", &len);

	for (cut = 0; cut < len; cut += 7)
		assert_int_equal(amd_cert_parse(der, cut, &x), -EBADMSG);
	free(der);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void test_certtable(void **state)
{
	/* VCEK in text order, ASK in EFI order. */
	static const uint8_t vcek_guid[16] = { 0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64, 0x45, 0x64,
					       0xad, 0xc5, 0xf4, 0xb9, 0x3b, 0xe8, 0xac, 0xcd };
	static const uint8_t ask_guid_efi[16] = { 0x79, 0xb3, 0xb7, 0x4a, 0xac, 0xbb, 0xe4, 0x4f,
						  0xa0, 0x2f, 0x05, 0xae, 0xf3, 0x27, 0xc7, 0x82 };
	struct amd_certtable_entry ents[4];
	X509 *vcek = load("snp-milan/vcek.der"), *ask, *got;
	unsigned char *vder = NULL, *ader = NULL;
	int vlen = i2d_X509(vcek, &vder), alen;
	uint8_t *tab;
	size_t n, tlen;

	assert_int_equal(amd_pinned_cert(SNP_PRODUCT_MILAN, true, &ask), 0);
	alen = i2d_X509(ask, &ader);
	tlen = 3 * 24 + (size_t)vlen + (size_t)alen;
	tab = calloc(1, tlen);
	memcpy(tab, vcek_guid, 16);
	put32(tab + 16, 72);
	put32(tab + 20, (uint32_t)vlen);
	memcpy(tab + 24, ask_guid_efi, 16);
	put32(tab + 40, 72 + (uint32_t)vlen);
	put32(tab + 44, (uint32_t)alen);
	memcpy(tab + 72, vder, (size_t)vlen);
	memcpy(tab + 72 + vlen, ader, (size_t)alen);

	assert_int_equal(amd_certtable_parse(tab, tlen, ents, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(amd_certtable_kind(ents[0].guid), AMD_CERT_VCEK);
	assert_int_equal(amd_certtable_kind(ents[1].guid), AMD_CERT_ASK);
	assert_int_equal(amd_certtable_get(tab, tlen, AMD_CERT_VCEK, &got), 0);
	assert_true(amd_cert_equal(got, vcek));
	X509_free(got);
	assert_int_equal(amd_certtable_get(tab, tlen, AMD_CERT_ASK, &got), 0);
	assert_true(amd_cert_equal(got, ask));
	X509_free(got);
	assert_int_equal(amd_certtable_get(tab, tlen, AMD_CERT_ARK, &got), -ENOENT);
	assert_int_equal(amd_certtable_parse(tab, tlen, ents, 1, &n), -E2BIG);
	/* Truncated: the ASK runs past the end. */
	assert_int_equal(amd_certtable_parse(tab, tlen - 1, ents, 4, &n), -EBADMSG);
	/* No terminator. */
	assert_int_equal(amd_certtable_parse(tab, 48, ents, 4, &n), -EBADMSG);
	/* An entry pointing into the table itself. */
	put32(tab + 16, 8);
	assert_int_equal(amd_certtable_parse(tab, tlen, ents, 4, &n), -EBADMSG);
	free(tab);
	OPENSSL_free(vder);
	OPENSSL_free(ader);
	X509_free(vcek);
	X509_free(ask);
}

static void test_cache(void **state)
{
	struct snp_report *r = malloc(sizeof(*r));
	char dir[] = "/tmp/cvmg-cacheXXXXXX", path[512], chip[129];
	X509 *vcek = NULL, *ask = NULL, *ark = NULL, *want = load("snp-milan/vcek.der");
	size_t len, clen, alen;
	uint8_t *rep = tdata_read("snp-milan/report.bin", &len);
	uint8_t *der = tdata_read("snp-milan/vcek.der", &clen);
	uint8_t *ask_pem = tdata_read("amd/milan-ask.pem", &alen);
	uint8_t *ark_pem = tdata_read("amd/milan-ark.pem", &len);
	FILE *f;

	assert_int_equal(snp_report_parse(rep, SNP_REPORT_SIZE, r), 0);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/Milan", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	/* Empty cache: nothing found, no error. */
	assert_int_equal(amd_cache_load(dir, SNP_PRODUCT_MILAN, r, &vcek, &ask, &ark), 0);
	assert_null(vcek);
	assert_null(ask);
	cvmg_hex_encode(r->chip_id, 64, chip);
	snprintf(path, sizeof(path), "%s/Milan/vcek-%s-%016llx.der", dir, chip,
		 (unsigned long long)r->reported_tcb);
	assert_int_equal(cvmg_write_file_atomic(path, der, clen, 0644), 0);
	snprintf(path, sizeof(path), "%s/Milan/cert_chain.pem", dir);
	f = fopen(path, "w");
	fwrite(ask_pem, 1, alen, f);
	fwrite(ark_pem, 1, len, f);
	fclose(f);
	assert_int_equal(amd_cache_load(dir, SNP_PRODUCT_MILAN, r, &vcek, &ask, &ark), 0);
	assert_non_null(vcek);
	assert_true(amd_cert_equal(vcek, want));
	assert_int_equal(amd_verify_chain(ark, ask, vcek, TDATA_NOW, NULL), 0);
	X509_free(vcek);
	X509_free(ask);
	X509_free(ark);
	X509_free(want);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
	free(rep);
	free(der);
	free(ask_pem);
	free(ark_pem);
	free(r);
}

/*
 * The real Turin VCEK: its hwID is 8 bytes (VCEK spec 57230, Table 11). It chains
 * to the pinned Turin ARK/ASK and matches a Turin report whose CHIP_ID starts with
 * those 8 bytes and whose reported TCB has its SPLs; one flipped hwID byte does
 * not match. A Milan/Genoa report needs all 64 bytes.
 */
static void test_turin_vcek(void **state)
{
	X509 *vcek = load("snp-turin/vcek.der"), *ark = load("amd/turin-ark.pem");
	X509 *ask = load("amd/turin-ask.pem");
	struct snp_report *r = malloc(sizeof(*r));
	struct amd_vcek_ext e;
	enum amd_chain_link link;
	const char *field;
	size_t len;
	uint8_t *buf = tdata_read("snp-milan/report.bin", &len);

	assert_int_equal(amd_verify_chain(ark, ask, vcek, TDATA_NOW, &link), 0);
	assert_int_equal(amd_cert_product(vcek), SNP_PRODUCT_TURIN);
	assert_int_equal(amd_vcek_ext_parse(vcek, &e), 0);
	assert_true(e.has_hwid);
	assert_int_equal(e.hwid_len, 8);
	assert_true(e.has_tcb && e.has_fmc);
	/* A version 3 Turin report carrying this chip's TCB and ID. */
	buf[0] = 3;
	buf[0x188] = 0x1a, buf[0x189] = 0x02, buf[0x18a] = 0x00;
	memset(buf + 0x180, 0, 8);
	buf[0x180] = e.fmc, buf[0x181] = e.bl, buf[0x182] = e.tee, buf[0x183] = e.snp;
	buf[0x187] = e.ucode;
	memset(buf + 0x1a0, 0, 64);
	memcpy(buf + 0x1a0, e.hwid, 8);
	assert_int_equal(snp_report_parse(buf, len, r), 0);
	assert_int_equal(snp_report_product(r), SNP_PRODUCT_TURIN);
	assert_int_equal(amd_vcek_match_report(&e, r, SNP_PRODUCT_TURIN, &field), 0);
	r->chip_id[7] ^= 1;
	assert_int_equal(amd_vcek_match_report(&e, r, SNP_PRODUCT_TURIN, &field), -EKEYREJECTED);
	assert_string_equal(field, "hwID");
	r->chip_id[7] ^= 1;
	r->reported_tcb ^= 1;	/* fmc SPL */
	assert_int_equal(amd_vcek_match_report(&e, r, SNP_PRODUCT_TURIN, &field), -EKEYREJECTED);
	assert_string_equal(field, "fmcSPL");
	r->reported_tcb ^= 1;
	/* An 8-byte hwID never matches a product whose CHIP_ID is 64 bytes. */
	assert_int_not_equal(amd_vcek_match_report(&e, r, SNP_PRODUCT_GENOA, &field), 0);
	X509_free(vcek);
	X509_free(ark);
	X509_free(ask);
	free(buf);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_turin_vcek),
		cmocka_unit_test(test_pinned_match_files),
		cmocka_unit_test(test_roots_sign_asks),
		cmocka_unit_test(test_milan_chain),
		cmocka_unit_test(test_other_product_ask),
		cmocka_unit_test(test_validity),
		cmocka_unit_test(test_vcek_extensions),
		cmocka_unit_test(test_vcek_tbs_bitflips),
		cmocka_unit_test(test_unrelated_chain),
		cmocka_unit_test(test_truncated_cert),
		cmocka_unit_test(test_certtable),
		cmocka_unit_test(test_cache),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
