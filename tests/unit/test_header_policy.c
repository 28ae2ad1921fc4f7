// SPDX-License-Identifier: GPL-2.0-only
/*
 * The header checks of header_policy.c, on headers built here the way a host would
 * build them (checksums recomputed): both copies against each other, the metadata
 * policy, the allow-list file's parser, the header MAC's input and key, and the TPM
 * rollback record's encoding (tpm_nv.c). Every refusal is checked with an input made
 * to get past it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "header_policy.h"
#include "tpm_nv.h"

#define HS 16384u
#define UUID "0f6b5a1e-3c2d-4e8f-9a7b-1c2d3e4f5a6b"

/* A genuine-looking metadata text: one aes-xts-plain64 segment, keyslots 0 and 1. */
static const char good_json[] =
	"{\"keyslots\":{\"0\":{\"type\":\"luks2\",\"key_size\":64},"
	"\"1\":{\"type\":\"luks2\",\"key_size\":64}},"
	"\"tokens\":{},"
	"\"segments\":{\"0\":{\"type\":\"crypt\",\"offset\":\"16777216\",\"size\":\"dynamic\","
	"\"iv_tweak\":\"0\",\"encryption\":\"aes-xts-plain64\",\"sector_size\":4096}},"
	"\"digests\":{\"0\":{\"type\":\"pbkdf2\",\"keyslots\":[\"0\",\"1\"],\"segments\":[\"0\"]}},"
	"\"config\":{\"json_size\":\"12288\",\"keyslots_size\":\"16744448\"}}";

static void be64_put(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

/* Write one copy at @p: binary header fields, JSON, and its SHA-256 checksum. */
static void make_copy(uint8_t *p, int secondary, uint64_t seqid, const char *uuid,
		      const char *json)
{
	unsigned int len;

	memset(p, 0, HS);
	memcpy(p, secondary ? "SKUL\xba\xbe" : "LUKS\xba\xbe", 6);
	p[7] = 2;
	be64_put(p + 8, HS);
	be64_put(p + 16, seqid);
	memcpy(p + 72, "sha256", 6);
	p[104] = secondary ? 0x22 : 0x11; /* salts differ per copy */
	memcpy(p + 168, uuid, strlen(uuid));
	be64_put(p + 256, secondary ? HS : 0);
	memcpy(p + 4096, json, strlen(json));
	assert_true(EVP_Digest(p, HS, p + 448, &len, EVP_sha256(), NULL));
}

static uint8_t *make_device(const char *j1, const char *j2, uint64_t s1, uint64_t s2,
			    const char *uuid)
{
	uint8_t *d = calloc(1, 2 * HS);

	assert_non_null(d);
	make_copy(d, 0, s1, uuid, j1);
	make_copy(d + HS, 1, s2, uuid, j2);
	return d;
}

static size_t used_copy;	/* the copy the last check() judged */

static int check(const uint8_t *d, size_t len)
{
	uint8_t digest[32];
	size_t need = 0;
	char why[160] = "";

	return cvmg_hdr_check_copies(d, len, &need, digest, &used_copy, why, sizeof(why));
}

static void test_copies_genuine(void **state)
{
	uint8_t *d = make_device(good_json, good_json, 7, 7, UUID);
	uint8_t digest[32], want[32];
	unsigned int len;
	size_t need = 0;

	(void)state;
	assert_int_equal(check(d, 2 * HS), 0);
	assert_true(EVP_Digest(d, HS, want, &len, EVP_sha256(), NULL));
	assert_int_equal(cvmg_hdr_check_copies(d, 2 * HS, &need, digest, NULL, NULL, 0), 0);
	assert_memory_equal(digest, want, 32);
	/* Too short: it asks for both copies. */
	assert_int_equal(cvmg_hdr_check_copies(d, 4096, &need, digest, NULL, NULL, 0), -EAGAIN);
	assert_int_equal(need, 2 * HS);
	free(d);
}

static void test_copies_tampered(void **state)
{
	char *nulled = strdup(good_json);
	uint8_t *d;

	(void)state;
	memcpy(strstr(nulled, "aes-xts-plain64"), "cipher_null-ecb", 15);
	/* Tampered secondary with a higher seqid: libcryptsetup would copy it over. */
	d = make_device(good_json, nulled, 7, 8, UUID);
	assert_int_equal(check(d, 2 * HS), -EKEYREJECTED);
	free(d);
	/* Same seqid, different JSON. */
	d = make_device(good_json, nulled, 7, 7, UUID);
	assert_int_equal(check(d, 2 * HS), -EKEYREJECTED);
	free(d);
	/* Same JSON, different seqid. */
	d = make_device(good_json, good_json, 7, 9, UUID);
	assert_int_equal(check(d, 2 * HS), -EKEYREJECTED);
	free(d);
	/*
	 * What an interrupted write leaves (libcryptsetup writes the primary first):
	 * a torn, missing or older secondary beside a valid primary. crypt_load() takes
	 * the primary, the copy checked; the header policy and MAC then judge it.
	 */
	d = make_device(good_json, good_json, 7, 7, UUID);
	d[HS + 4096 + 3] ^= 1;
	assert_int_equal(check(d, 2 * HS), 0);
	free(d);
	d = make_device(good_json, good_json, 7, 7, UUID);
	memset(d + HS, 0, HS);
	assert_int_equal(check(d, 2 * HS), 0);
	free(d);
	d = make_device(good_json, good_json, 7, 7, UUID);
	be64_put(d + HS + 256, 0);
	assert_int_equal(check(d, 2 * HS), 0);
	free(d);
	d = make_device(good_json, nulled, 8, 7, UUID);
	assert_int_equal(check(d, 2 * HS), 0);
	free(d);
	/*
	 * The other half of an interrupted write: a primary torn while it was being
	 * written beside the whole secondary of the state before. crypt_load() takes
	 * the secondary, so the secondary is the copy judged (its JSON goes to the
	 * header policy): a torn primary is no way to get a tampered secondary past.
	 */
	d = make_device(nulled, good_json, 8, 7, UUID);
	d[4096 + 3] ^= 1;
	used_copy = 99;
	assert_int_equal(check(d, 2 * HS), 0);
	assert_int_equal(used_copy, HS);
	free(d);
	d = make_device(good_json, nulled, 8, 7, UUID);
	d[4096 + 3] ^= 1;
	assert_int_equal(check(d, 2 * HS), 0);
	assert_int_equal(used_copy, HS);
	{
		/* its JSON area, as cvmg_hdr_read_copies() hands it to the policy */
		struct cvmg_hdr_allow a;
		struct cvmg_hdr_params p;
		char why[160] = "";

		cvmg_hdr_allow_default(&a);
		assert_int_equal(cvmg_hdr_policy((const char *)d + used_copy + 4096, UUID, -1, &a,
						 &p, why, sizeof(why)), -EKEYREJECTED);
	}
	free(d);
	/* A valid primary is the copy judged. */
	d = make_device(good_json, good_json, 7, 7, UUID);
	assert_int_equal(check(d, 2 * HS), 0);
	assert_int_equal(used_copy, 0);
	free(d);
	/* Both torn: refused. */
	d = make_device(good_json, good_json, 7, 7, UUID);
	d[4096 + 3] ^= 1;
	d[HS + 4096 + 3] ^= 1;
	assert_int_equal(check(d, 2 * HS), -EKEYREJECTED);
	free(d);
	d = make_device(good_json, good_json, 7, 7, UUID);
	memset(d, 0, 512);
	memcpy(d, "LUKS\xba\xbe", 6);
	assert_int_equal(check(d, 2 * HS), -EKEYREJECTED);
	free(d);
	/* Not LUKS at all. */
	d = calloc(1, 2 * HS);
	assert_int_equal(check(d, 2 * HS), -ENOENT);
	free(d);
	free(nulled);
}

static void test_uuid(void **state)
{
	static const char *bad[] = {
		"../../../dev/sda", "x$(touch /tmp/p);`id`", "0F6B5A1E-3C2D-4E8F-9A7B-1C2D3E4F5A6B",
		"0f6b5a1e-3c2d-4e8f-9a7b-1c2d3e4f5a6", "0f6b5a1e-3c2d-4e8f-9a7b-1c2d3e4f5a6b0",
		"0f6b5a1e 3c2d-4e8f-9a7b-1c2d3e4f5a6b", "0f6b5a1e-3c2d-4e8f-9a7b-1c2d3e4f5a/b", "",
	};
	uint8_t *d;
	size_t i;

	(void)state;
	assert_true(cvmg_hdr_uuid_valid(UUID));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(cvmg_hdr_uuid_valid(bad[i]));
		d = make_device(good_json, good_json, 7, 7, bad[i]);
		assert_int_equal(check(d, 2 * HS), -EKEYREJECTED);
		free(d);
	}
}

/* good_json with @from replaced by @to. */
static char *variant(const char *from, const char *to)
{
	const char *at = strstr(good_json, from);
	char *out;

	assert_non_null(at);
	out = malloc(strlen(good_json) + strlen(to) + 1);
	assert_non_null(out);
	sprintf(out, "%.*s%s%s", (int)(at - good_json), good_json, to, at + strlen(from));
	return out;
}

static int policy(const char *json, int keyslot, struct cvmg_hdr_params *p)
{
	struct cvmg_hdr_allow a;
	char why[160] = "";

	cvmg_hdr_allow_default(&a);
	return cvmg_hdr_policy(json, UUID, keyslot, &a, p, why, sizeof(why));
}

static void test_policy(void **state)
{
	static const struct { const char *from, *to; } bad[] = {
		{ "aes-xts-plain64", "cipher_null-ecb" },
		{ "aes-xts-plain64", "aes-xts-null" },
		{ "aes-xts-plain64", "aes-ecb" },
		{ "aes-xts-plain64", "aes-cbc-essiv:sha256" },
		{ "aes-xts-plain64", "capi:xts(aes)-plain64" },
		{ "\"key_size\":64},\"1\"", "\"key_size\":32},\"1\"" },   /* 256-bit key */
		{ "\"type\":\"crypt\"", "\"type\":\"linear\"" },
		{ "\"iv_tweak\":\"0\"", "\"iv_tweak\":\"8\"" },
		{ "\"sector_size\":4096", "\"sector_size\":8192" },
		{ "\"offset\":\"16777216\"", "\"offset\":\"-1\"" },
		{ "\"segments\":[\"0\"]", "\"segments\":[]" },          /* keyslot unbound */
		{ "\"keyslots\":[\"0\",\"1\"]", "\"keyslots\":[\"1\"]" }, /* keyslot 0 unbound */
		{ "\"sector_size\":4096}", "\"sector_size\":4096,\"flags\":[\"backup-final\"]}" },
		{ "\"sector_size\":4096}", "\"sector_size\":4096,\"integrity\":{}}" },
		{ "\"sector_size\":4096}}", "\"sector_size\":4096},\"1\":{\"type\":\"crypt\"}}" },
		{ "\"json_size\"", "\"requirements\":{\"mandatory\":[\"online-reencrypt\"]},\"json_size\"" },
	};
	struct cvmg_hdr_params p;
	size_t i;

	(void)state;
	assert_int_equal(policy(good_json, 0, &p), 0);
	assert_string_equal(p.encryption, "aes-xts-plain64");
	assert_int_equal(p.key_bits, 512);
	assert_int_equal(p.sector_size, 4096);
	assert_string_equal(p.offset, "16777216");
	assert_int_equal(policy(good_json, 1, &p), 0);
	assert_int_equal(policy(good_json, -1, &p), 0);
	/* A keyslot that does not exist. */
	assert_int_equal(policy(good_json, 2, &p), -EKEYREJECTED);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *j = variant(bad[i].from, bad[i].to);

		print_message("refuse: %s -> %s\n", bad[i].from, bad[i].to);
		assert_int_equal(policy(j, 0, &p), -EKEYREJECTED);
		free(j);
	}
	/* Host-set persistent flags are not refused: activation ignores them. */
	{
		char *j = variant("\"json_size\"", "\"flags\":[\"allow-discards\"],\"json_size\"");

		assert_int_equal(policy(j, 0, &p), 0);
		free(j);
	}
}

static void test_allow_file(void **state)
{
	struct cvmg_hdr_allow a;
	struct cvmg_hdr_params p;
	unsigned int bad;
	char *j = variant("\"key_size\":64},\"1\"", "\"key_size\":32},\"1\"");
	char why[160];

	(void)state;
	cvmg_hdr_allow_default(&a);
	assert_int_equal(cvmg_hdr_allow_parse("# root's additions\n\ncipher aes-xts-plain64 256\n",
					      &a, &bad), 0);
	assert_int_equal(a.n, 2);
	assert_int_equal(cvmg_hdr_policy(j, UUID, 0, &a, &p, why, sizeof(why)), 0);
	free(j);
	/* No configuration can allow what has no confidentiality. */
	static const char *refused[] = {
		"cipher cipher_null-ecb 128\n", "cipher aes-xts-null 512\n", "cipher aes-ecb 256\n",
		"cipher capi:xts(aes)-plain64 512\n", "cipher aes-xts-plain64\n",
		"cipher aes-xts-plain64 512 extra\n", "allow everything\n", "cipher AES-XTS-PLAIN64 512\n",
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		cvmg_hdr_allow_default(&a);
		assert_int_equal(cvmg_hdr_allow_parse(refused[i], &a, &bad), -EINVAL);
		assert_int_equal(bad, 1);
	}
}

static void test_mac(void **state)
{
	struct cvmg_hdr_params p;
	uint8_t secret[32], mac1[32], mac2[32], tag1[16], tag2[16];
	char canon[CVMG_HDR_CANON_MAX];

	(void)state;
	for (int i = 0; i < 32; i++)
		secret[i] = (uint8_t)i;
	assert_int_equal(policy(good_json, 0, &p), 0);
	assert_true(cvmg_hdr_canonical(&p, 3, canon, sizeof(canon)) > 0);
	assert_non_null(strstr(canon, "uuid=" UUID "\n"));
	assert_non_null(strstr(canon, "sector_size=4096\n"));
	assert_non_null(strstr(canon, "keyslot=0\ncounter=3\n"));
	assert_int_equal(cvmg_hdr_mac(secret, 32, canon, mac1), 0);
	/* Deterministic, and every covered field changes it. */
	assert_int_equal(cvmg_hdr_mac(secret, 32, canon, mac2), 0);
	assert_memory_equal(mac1, mac2, 32);
	assert_true(cvmg_hdr_canonical(&p, 4, canon, sizeof(canon)) > 0);
	assert_int_equal(cvmg_hdr_mac(secret, 32, canon, mac2), 0);
	assert_memory_not_equal(mac1, mac2, 32);
	p.sector_size = 512;
	assert_true(cvmg_hdr_canonical(&p, 3, canon, sizeof(canon)) > 0);
	assert_int_equal(cvmg_hdr_mac(secret, 32, canon, mac2), 0);
	assert_memory_not_equal(mac1, mac2, 32);
	p.sector_size = 4096;
	p.keyslot = 1;
	assert_true(cvmg_hdr_canonical(&p, 3, canon, sizeof(canon)) > 0);
	assert_int_equal(cvmg_hdr_mac(secret, 32, canon, mac2), 0);
	assert_memory_not_equal(mac1, mac2, 32);
	p.keyslot = 0;
	secret[0] ^= 1;
	assert_true(cvmg_hdr_canonical(&p, 3, canon, sizeof(canon)) > 0);
	assert_int_equal(cvmg_hdr_mac(secret, 32, canon, mac2), 0);
	assert_memory_not_equal(mac1, mac2, 32);
	/* The NV tag is another derivation than the MAC key. */
	assert_int_equal(cvmg_hdr_tag(secret, 32, tag1), 0);
	secret[0] ^= 1;
	assert_int_equal(cvmg_hdr_tag(secret, 32, tag2), 0);
	assert_memory_not_equal(tag1, tag2, 16);
}

static void test_nv_record(void **state)
{
	struct cvmg_nv_rec in = { .flags = CVMG_NV_MAC_REQUIRED, .counter = 0x0102030405060708ull },
			   out;
	uint8_t b[CVMG_NV_SIZE];

	(void)state;
	snprintf(in.uuid, sizeof(in.uuid), "%s", UUID);
	memset(in.tag, 0x5a, sizeof(in.tag));
	cvmg_nv_encode(&in, b);
	assert_memory_equal(b, "CVMGNV01", 8);
	assert_int_equal(b[16], 1);
	assert_int_equal(b[23], 8);
	memset(&out, 0, sizeof(out));
	assert_int_equal(cvmg_nv_decode(b, sizeof(b), &out), 0);
	assert_int_equal(out.counter, in.counter);
	assert_int_equal(out.flags, in.flags);
	assert_string_equal(out.uuid, UUID);
	assert_memory_equal(out.tag, in.tag, 16);
	assert_int_equal(cvmg_nv_decode(b, sizeof(b) - 1, &out), -EBADMSG);
	b[0] = 'X';
	assert_int_equal(cvmg_nv_decode(b, sizeof(b), &out), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copies_genuine),
		cmocka_unit_test(test_copies_tampered),
		cmocka_unit_test(test_uuid),
		cmocka_unit_test(test_policy),
		cmocka_unit_test(test_allow_file),
		cmocka_unit_test(test_mac),
		cmocka_unit_test(test_nv_record),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
