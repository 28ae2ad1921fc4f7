// SPDX-License-Identifier: GPL-2.0-only
/*
 * TCG crypto-agile event logs (tcg_log.c) built here byte by byte: parsing, every
 * malformation, and the replay a verifier compares with quoted PCRs, computed
 * independently with OpenSSL; and the nonce-to-user-data binding of attest.
 */
#include <errno.h>
#include <string.h>

#include <openssl/evp.h>

#include "hcl_report.h"
#include "tcg_log.h"
#include "tdata.h"

#define SHA1	0x0004
#define SHA256	0x000b

struct logbuf {
	uint8_t b[8192];
	size_t n;
};

static void put(struct logbuf *l, const void *p, size_t n)
{
	assert_true(l->n + n <= sizeof(l->b));
	memcpy(l->b + l->n, p, n);
	l->n += n;
}

static void put32(struct logbuf *l, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	put(l, b, 4);
}

static void put16(struct logbuf *l, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	put(l, b, 2);
}

static void digest(const char *md, const void *data, size_t len, uint8_t *out)
{
	assert_int_equal(EVP_Digest(data, len, out, NULL, EVP_get_digestbyname(md), NULL), 1);
}

/* An event whose digests are of @data; @swap writes the banks in reverse order. */
static void event(struct logbuf *l, uint32_t pcr, uint32_t type, const char *data, bool swap)
{
	uint8_t d1[20], d256[32];

	digest("SHA1", data, strlen(data), d1);
	digest("SHA256", data, strlen(data), d256);
	put32(l, pcr);
	put32(l, type);
	put32(l, 2);
	if (!swap) {
		put16(l, SHA1), put(l, d1, 20);
		put16(l, SHA256), put(l, d256, 32);
	} else {
		put16(l, SHA256), put(l, d256, 32);
		put16(l, SHA1), put(l, d1, 20);
	}
	put32(l, (uint32_t)strlen(data));
	put(l, data, strlen(data));
}

/* PCR = SHA-256(PCR || SHA-256(data)) */
static void extend(uint8_t *pcr, const char *data)
{
	uint8_t buf[64];

	memcpy(buf, pcr, 32);
	digest("SHA256", data, strlen(data), buf + 32);
	digest("SHA256", buf, 64, pcr);
}

/* The Spec ID event (TCG PC Client PFP 10.4.5.1) naming SHA-1 and SHA-256. */
static void spec_header(struct logbuf *l)
{
	static const uint8_t zero[20];
	uint8_t ev[64];
	size_t n = 0;

	memcpy(ev, "Spec ID Event03", 16), n = 16;
	memset(ev + n, 0, 4), n += 4;				/* platformClass */
	ev[n++] = 0, ev[n++] = 2, ev[n++] = 0, ev[n++] = 2;	/* minor, major, errata, uintnSize */
	ev[n++] = 2, ev[n++] = 0, ev[n++] = 0, ev[n++] = 0;	/* numberOfAlgorithms */
	ev[n++] = SHA1, ev[n++] = 0, ev[n++] = 20, ev[n++] = 0;
	ev[n++] = SHA256, ev[n++] = 0, ev[n++] = 32, ev[n++] = 0;
	ev[n++] = 0;						/* vendorInfoSize */
	l->n = 0;
	put32(l, 0);
	put32(l, TCG_EV_NO_ACTION);
	put(l, zero, 20);
	put32(l, (uint32_t)n);
	put(l, ev, n);
}

static void test_parse(void **state)
{
	struct logbuf l;
	struct tcg_log log;

	spec_header(&l);
	event(&l, 13, 0xd, "first", false);
	event(&l, 13, 0xd, "second", true);	/* banks in another order */
	assert_int_equal(tcg_log_parse(l.b, l.n, &log), 0);
	assert_int_equal(log.nr_banks, 2);
	assert_int_equal(tcg_log_bank(&log, SHA256), 1);
	assert_int_equal(tcg_log_bank(&log, 0x000c), -ENOENT);
	assert_int_equal(log.nr_events, 2);
	assert_int_equal(log.events[1].pcr, 13);
	assert_int_equal(log.events[1].data_len, 6);
	assert_memory_equal(log.events[1].data, "second", 6);
	assert_int_equal(log.events[1].digests[1].alg, SHA256);
	assert_int_equal(log.startup_locality, -1);
	tcg_log_free(&log);
	/* An empty log is a log without banks. */
	assert_int_equal(tcg_log_parse(l.b, 0, &log), 0);
	assert_int_equal(log.nr_banks, 0);
	tcg_log_free(&log);
}

static void test_malformed(void **state)
{
	struct logbuf l, bad;
	struct tcg_log log;
	size_t cut;

	spec_header(&l);
	event(&l, 13, 0xd, "only", false);
	/* Every truncation fails (except right after the header: no events). */
	for (cut = 1; cut < l.n; cut++) {
		int ret = tcg_log_parse(l.b, cut, &log);

		tcg_log_free(&log);
		if (cut == l.n - 8 - 4 - 2 - 20 - 2 - 32 - 4 - 4)
			assert_int_equal(ret, 0);
		else
			assert_int_equal(ret, -EBADMSG);
	}
	/* Not a Spec ID event; a digest count other than the banks; a bank twice. */
	bad = l, bad.b[32] = 'X';
	assert_int_equal(tcg_log_parse(bad.b, bad.n, &log), -EBADMSG);
	tcg_log_free(&log);
	cut = l.n - (4 + 4 + 4 + 2 + 20 + 2 + 32 + 4 + 4);
	bad = l, bad.b[cut + 8] = 1;
	assert_int_equal(tcg_log_parse(bad.b, bad.n, &log), -EBADMSG);
	tcg_log_free(&log);
	bad = l, bad.b[cut + 12 + 2 + 20] = SHA1;	/* second digest says SHA-1 again */
	assert_int_equal(tcg_log_parse(bad.b, bad.n, &log), -EBADMSG);
	tcg_log_free(&log);
	/* Trailing garbage is a truncated event. */
	bad = l, bad.n += 3;
	assert_int_equal(tcg_log_parse(bad.b, bad.n, &log), -EBADMSG);
	tcg_log_free(&log);
}

static void test_replay(void **state)
{
	static struct logbuf fw, os;
	struct tcg_log fl, ol;
	const struct tcg_log *logs[2] = { &fl, &ol };
	struct tcg_replay r;
	uint8_t want[TCG_PCR_COUNT][32] = { { 0 } };
	uint8_t loc[17];

	/* Firmware: StartupLocality 3, PCR 0 and 7, a no-action event, PCR 17. */
	spec_header(&fw);
	memcpy(loc, "StartupLocality", 16);
	loc[16] = 3;
	put32(&fw, 0), put32(&fw, TCG_EV_NO_ACTION), put32(&fw, 2);
	put16(&fw, SHA1), put(&fw, want[1], 20), put16(&fw, SHA256), put(&fw, want[1], 32);
	put32(&fw, 17), put(&fw, loc, 17);
	event(&fw, 0, 0x8, "crtm", false);
	event(&fw, 7, 0x80000001, "secureboot", false);
	event(&fw, 7, TCG_EV_NO_ACTION, "not extended", false);
	event(&fw, 17, 0x1, "drtm-ish", false);
	/* OS: PCR 13 twice, and PCR 7 once after the firmware's. */
	spec_header(&os);
	event(&os, 13, 0xd, "config", false);
	event(&os, 7, 0xd, "late", true);
	event(&os, 13, 0xd, "app", false);

	want[0][31] = 3;
	extend(want[0], "crtm");
	extend(want[7], "secureboot");
	extend(want[7], "late");
	memset(want[17], 0xff, 32);
	extend(want[17], "drtm-ish");
	extend(want[13], "config");
	extend(want[13], "app");

	assert_int_equal(tcg_log_parse(fw.b, fw.n, &fl), 0);
	assert_int_equal(fl.startup_locality, 3);
	assert_int_equal(tcg_log_parse(os.b, os.n, &ol), 0);
	assert_int_equal(tcg_log_replay(logs, 2, SHA256, &r), 0);
	assert_int_equal(r.touched, (1u << 0) | (1u << 7) | (1u << 13) | (1u << 17));
	assert_int_equal(r.events[7], 2);
	assert_int_equal(r.events[13], 2);
	assert_memory_equal(r.pcr[0], want[0], 32);
	assert_memory_equal(r.pcr[7], want[7], 32);
	assert_memory_equal(r.pcr[13], want[13], 32);
	assert_memory_equal(r.pcr[17], want[17], 32);
	/* PCRs no log touches keep their reset values. */
	assert_memory_equal(r.pcr[1], want[1], 32);
	memset(want[18], 0xff, 32);
	assert_memory_equal(r.pcr[18], want[18], 32);
	/* Order matters: the OS log first gives another PCR 7. */
	logs[0] = &ol, logs[1] = &fl;
	assert_int_equal(tcg_log_replay(logs, 2, SHA256, &r), 0);
	assert_memory_not_equal(r.pcr[7], want[7], 32);
	/* The OS log alone: only its PCRs. */
	assert_int_equal(tcg_log_replay(logs, 1, SHA256, &r), 0);
	assert_int_equal(r.touched, (1u << 7) | (1u << 13));
	assert_memory_equal(r.pcr[13], want[13], 32);
	/* A bank the log lacks; a hash we cannot do. */
	assert_int_equal(tcg_log_replay(logs, 1, 0x000c, &r), -ENOENT);
	assert_int_equal(tcg_log_replay(logs, 1, 0x0001, &r), -EOPNOTSUPP);
	tcg_log_free(&fl);
	tcg_log_free(&ol);

	/* An event past PCR 23. */
	spec_header(&os);
	event(&os, 24, 0xd, "too far", false);
	assert_int_equal(tcg_log_parse(os.b, os.n, &ol), 0);
	logs[0] = &ol;
	assert_int_equal(tcg_log_replay(logs, 1, SHA256, &r), -ERANGE);
	tcg_log_free(&ol);
}

static void sha256_pcrs(uint8_t pcrs[TCG_PCR_COUNT][32], uint8_t *md)
{
	digest("SHA256", pcrs, TCG_PCR_COUNT * 32, md);
}

/* attest's reconciliation of a log read after the quote with the quoted digest. */
static void test_fit(void **state)
{
	static struct logbuf os;
	uint8_t read[TCG_PCR_COUNT][32] = { { 0 } }, quoted[TCG_PCR_COUNT][32];
	uint8_t d[32], pcrs[TCG_PCR_COUNT][32];
	struct tcg_log log, cut;
	size_t k = 99, len;
	int i;

	for (i = 17; i <= 22; i++)
		memset(read[i], 0xff, 32);
	memset(read[4], 0x44, 32);	/* a firmware PCR, as read */
	spec_header(&os);
	event(&os, 13, 0xd, "a", false);
	event(&os, 13, 0xd, "b", false);
	event(&os, 14, 0xd, "c", false);
	event(&os, 13, 0xd, "d", false);
	assert_int_equal(tcg_log_parse(os.b, os.n, &log), 0);

	/* The quote saw "a" and "b"; PCR_Read saw only "a"; the log has all four. */
	memcpy(quoted, read, sizeof(quoted));
	extend(quoted[13], "a");
	extend(quoted[13], "b");
	sha256_pcrs(quoted, d);
	memcpy(pcrs, read, sizeof(pcrs));
	extend(pcrs[13], "a");
	assert_int_equal(tcg_log_fit(NULL, &log, pcrs, d, &k), 0);
	assert_int_equal(k, 2);
	assert_memory_equal(pcrs, quoted, sizeof(pcrs));
	/* The prefix is a log of its own with those two events. */
	len = tcg_log_prefix_len(&log, k);
	assert_int_equal(tcg_log_parse(os.b, len, &cut), 0);
	assert_int_equal(cut.nr_events, 2);
	tcg_log_free(&cut);
	assert_int_equal(tcg_log_prefix_len(&log, 0), log.hdr_len);
	assert_int_equal(tcg_log_prefix_len(&log, 4), os.n);

	/* Everything: all four events. */
	extend(quoted[14], "c");
	extend(quoted[13], "d");
	sha256_pcrs(quoted, d);
	memcpy(pcrs, read, sizeof(pcrs));
	assert_int_equal(tcg_log_fit(NULL, &log, pcrs, d, &k), 0);
	assert_int_equal(k, 4);
	assert_memory_equal(pcrs, quoted, sizeof(pcrs));

	/* A PCR the log does not explain moved: no prefix fits. */
	quoted[4][0] ^= 1;
	sha256_pcrs(quoted, d);
	memcpy(pcrs, read, sizeof(pcrs));
	assert_int_equal(tcg_log_fit(NULL, &log, pcrs, d, &k), -ESRCH);
	assert_memory_equal(pcrs, read, sizeof(pcrs));
	tcg_log_free(&log);

	/* No log: the values as read must give the digest. */
	sha256_pcrs(read, d);
	memcpy(pcrs, read, sizeof(pcrs));
	assert_int_equal(tcg_log_fit(NULL, NULL, pcrs, d, &k), 0);
	assert_int_equal(k, 0);
	d[0] ^= 1;
	assert_int_equal(tcg_log_fit(NULL, NULL, pcrs, d, &k), -ESRCH);
}

static void test_nonce_user_data(void **state)
{
	uint8_t n[65], ud[HCL_USER_DATA_LEN], want[HCL_USER_DATA_LEN] = { 0 };

	memset(n, 0xab, sizeof(n));
	assert_int_equal(hcl_nonce_user_data(n, 3, ud), 0);
	memset(want, 0xab, 3);
	assert_memory_equal(ud, want, sizeof(ud));
	assert_int_equal(hcl_nonce_user_data(n, 64, ud), 0);
	memset(want, 0xab, 64);
	assert_memory_equal(ud, want, sizeof(ud));
	assert_int_equal(hcl_nonce_user_data(n, 0, ud), -EINVAL);
	assert_int_equal(hcl_nonce_user_data(n, 65, ud), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_replay),
		cmocka_unit_test(test_fit),
		cmocka_unit_test(test_nonce_user_data),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
