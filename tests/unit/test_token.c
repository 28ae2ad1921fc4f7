// SPDX-License-Identifier: GPL-2.0-only
/*
 * LUKS2 token JSON (luks_token.c): cvmguard's token and systemd 252's systemd-tpm2
 * token, written and read back, and every way a token can be foreign, damaged or
 * unusable; and the --pcrs list parser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "luks_token.h"
#include "tpm_seal.h"

static void fill(struct cvmg_token *t, enum cvmg_token_kind kind)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	t->kind = kind;
	t->keyslot = 3;
	t->pcr_mask = (1u << 7) | (1u << 0) | (1u << 23);
	t->parent = kind == CVMG_TOKEN_SYSTEMD ? CVMG_PARENT_SYSTEMD_ECC : CVMG_PARENT_SRK;
	t->sealed.blob_len = 251; /* not a multiple of 3: base64 padding */
	for (i = 0; i < t->sealed.blob_len; i++)
		t->sealed.blob[i] = (uint8_t)(i * 7 + 1);
	for (i = 0; i < 32; i++)
		t->sealed.policy[i] = (uint8_t)(0xa0 + i);
	if (kind == CVMG_TOKEN_CVMGUARD) {
		t->sealed.parent_name_len = 34;
		t->sealed.parent_name[0] = 0x00;
		t->sealed.parent_name[1] = 0x0b;
		for (i = 2; i < 34; i++)
			t->sealed.parent_name[i] = (uint8_t)i;
	}
}

static void roundtrip(enum cvmg_token_kind kind)
{
	struct cvmg_token in, out;
	char *json = NULL;

	fill(&in, kind);
	assert_int_equal(cvmg_token_to_json(&in, &json), 0);
	assert_non_null(json);
	assert_int_equal(cvmg_token_from_json(json, &out), 0);
	assert_int_equal(out.kind, kind);
	assert_int_equal(out.keyslot, 3);
	assert_int_equal(out.pcr_mask, in.pcr_mask);
	assert_int_equal(out.parent, in.parent);
	assert_int_equal(out.sealed.blob_len, in.sealed.blob_len);
	assert_memory_equal(out.sealed.blob, in.sealed.blob, in.sealed.blob_len);
	assert_memory_equal(out.sealed.policy, in.sealed.policy, 32);
	assert_int_equal(out.sealed.parent_name_len, in.sealed.parent_name_len);
	assert_memory_equal(out.sealed.parent_name, in.sealed.parent_name,
			    in.sealed.parent_name_len);
	free(json);
}

static void test_roundtrip_cvmguard(void **state)
{
	roundtrip(CVMG_TOKEN_CVMGUARD);
}

static void test_roundtrip_systemd(void **state)
{
	roundtrip(CVMG_TOKEN_SYSTEMD);
}

/* The header MAC and counter round-trip; a damaged one is a damaged token. */
static void test_header_mac_fields(void **state)
{
	struct cvmg_token in, out;
	char *json = NULL, *bad, *at;
	size_t i;

	fill(&in, CVMG_TOKEN_CVMGUARD);
	in.has_mac = true;
	in.counter = 4294967301ull;
	for (i = 0; i < sizeof(in.mac); i++)
		in.mac[i] = (uint8_t)(0x30 + i);
	assert_int_equal(cvmg_token_to_json(&in, &json), 0);
	assert_non_null(strstr(json, "\"cvmguard-counter\":4294967301"));
	assert_int_equal(cvmg_token_from_json(json, &out), 0);
	assert_true(out.has_mac);
	assert_int_equal(out.counter, in.counter);
	assert_memory_equal(out.mac, in.mac, sizeof(in.mac));
	/* A MAC one byte short, or without its counter, or a negative counter. */
	bad = strdup(json);
	at = strstr(bad, "\"cvmguard-mac\":\"") + strlen("\"cvmguard-mac\":\"");
	memmove(at, at + 2, strlen(at + 2) + 1);
	assert_int_equal(cvmg_token_from_json(bad, &out), -EBADMSG);
	free(bad);
	bad = strdup(json);
	memcpy(strstr(bad, "cvmguard-counter"), "cvmguard-xounter", 16);
	assert_int_equal(cvmg_token_from_json(bad, &out), -EBADMSG);
	free(bad);
	bad = strdup(json);
	at = strstr(bad, ":4294967301");
	at[1] = '-';
	assert_int_equal(cvmg_token_from_json(bad, &out), -EBADMSG);
	free(bad);
	/* Without a MAC: parsed, marked as such (unlock refuses it). */
	in.has_mac = false;
	free(json);
	assert_int_equal(cvmg_token_to_json(&in, &json), 0);
	assert_null(strstr(json, "cvmguard-mac"));
	assert_int_equal(cvmg_token_from_json(json, &out), 0);
	assert_false(out.has_mac);
	free(json);
}

/* "cvmguard-systemd": the token was made with a systemd-tpm2 twin (rotate renews it). */
static void test_systemd_twin_flag(void **state)
{
	struct cvmg_token in, out;
	char *json = NULL, *bad;

	(void)state;
	fill(&in, CVMG_TOKEN_CVMGUARD);
	in.systemd = true;
	assert_int_equal(cvmg_token_to_json(&in, &json), 0);
	assert_non_null(strstr(json, "\"cvmguard-systemd\":true"));
	assert_int_equal(cvmg_token_from_json(json, &out), 0);
	assert_true(out.systemd);
	/* Not a boolean: damaged. */
	bad = strdup(json);
	memcpy(strstr(bad, ":true"), ":   1", 5);
	assert_int_equal(cvmg_token_from_json(bad, &out), -EBADMSG);
	free(bad);
	free(json);
	/* Without it (tokens of earlier versions): false. */
	in.systemd = false;
	assert_int_equal(cvmg_token_to_json(&in, &json), 0);
	assert_null(strstr(json, "cvmguard-systemd"));
	assert_int_equal(cvmg_token_from_json(json, &out), 0);
	assert_false(out.systemd);
	free(json);
}

/* The writer uses systemd 252's field names and types, which its parser requires. */
static void test_systemd_field_names(void **state)
{
	struct cvmg_token t;
	json_object *o, *v;
	char *json = NULL;

	fill(&t, CVMG_TOKEN_SYSTEMD);
	assert_int_equal(cvmg_token_to_json(&t, &json), 0);
	o = json_tokener_parse(json);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "type", &v));
	assert_string_equal(json_object_get_string(v), "systemd-tpm2");
	assert_true(json_object_object_get_ex(o, "keyslots", &v));
	assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 0)), "3");
	assert_true(json_object_object_get_ex(o, "tpm2-blob", &v));
	assert_true(json_object_is_type(v, json_type_string));
	assert_true(json_object_object_get_ex(o, "tpm2-pcrs", &v));
	assert_int_equal(json_object_array_length(v), 3);
	assert_int_equal(json_object_get_int(json_object_array_get_idx(v, 0)), 0);
	assert_int_equal(json_object_get_int(json_object_array_get_idx(v, 2)), 23);
	assert_true(json_object_object_get_ex(o, "tpm2-pcr-bank", &v));
	assert_string_equal(json_object_get_string(v), "sha256");
	assert_true(json_object_object_get_ex(o, "tpm2-primary-alg", &v));
	assert_string_equal(json_object_get_string(v), "ecc");
	assert_true(json_object_object_get_ex(o, "tpm2-policy-hash", &v));
	assert_string_equal(json_object_get_string(v),
			    "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf");
	assert_true(json_object_object_get_ex(o, "tpm2-pin", &v));
	assert_true(json_object_is_type(v, json_type_boolean));
	assert_false(json_object_get_boolean(v));
	assert_false(json_object_object_get_ex(o, "cvmguard-blob", &v));
	json_object_put(o);
	free(json);
}

/* A token as systemd-cryptenroll 252 writes it (blob shortened). */
#define SD_TOKEN(extra) \
	"{\"type\":\"systemd-tpm2\",\"keyslots\":[\"1\"],\"tpm2-blob\":\"AAAA\"," \
	"\"tpm2-pcrs\":[7],\"tpm2-pcr-bank\":\"sha256\",\"tpm2-primary-alg\":\"ecc\"," \
	"\"tpm2-policy-hash\":\"" \
	"0011223344556677889900112233445566778899001122334455667788990011\"" extra "}"

static void test_systemd_as_written(void **state)
{
	struct cvmg_token t;

	assert_int_equal(cvmg_token_from_json(SD_TOKEN(",\"tpm2-pin\":false"), &t), 0);
	assert_int_equal(t.kind, CVMG_TOKEN_SYSTEMD);
	assert_int_equal(t.keyslot, 1);
	assert_int_equal(t.pcr_mask, 1u << 7);
	assert_int_equal(t.parent, CVMG_PARENT_SYSTEMD_ECC);
	assert_int_equal(t.sealed.blob_len, 3);
	assert_int_equal(t.sealed.parent_name_len, 0);
	/* Older tokens have no tpm2-pin; rsa primaries exist. */
	assert_int_equal(cvmg_token_from_json(SD_TOKEN(""), &t), 0);
}

static void test_systemd_unsupported(void **state)
{
	struct cvmg_token t;

	/* A string is not a boolean (json-c would read "false" as true): damaged, as
	 * systemd's parser says; never opened as "no PIN". */
	assert_int_equal(cvmg_token_from_json(SD_TOKEN(",\"tpm2-pin\":\"false\""), &t),
			 -EBADMSG);
	assert_int_equal(cvmg_token_from_json(SD_TOKEN(",\"tpm2-pin\":\"\""), &t), -EBADMSG);
	assert_int_equal(cvmg_token_from_json(SD_TOKEN(",\"tpm2-pin\":0"), &t), -EBADMSG);
	assert_int_equal(cvmg_token_from_json(SD_TOKEN(",\"tpm2-pin\":null"), &t), -EBADMSG);
	assert_int_equal(cvmg_token_from_json(SD_TOKEN(",\"tpm2_pubkey\":\"AAAA\""), &t),
			 -ENOTSUP);
	assert_int_equal(cvmg_token_from_json(
		"{\"type\":\"systemd-tpm2\",\"keyslots\":[\"1\"],\"tpm2-blob\":\"AAAA\","
		"\"tpm2-pcrs\":[7],\"tpm2-pcr-bank\":\"sha1\",\"tpm2-policy-hash\":\"00\"}", &t),
		-ENOTSUP);
	/* No PCRs at all: sealed to nothing, not opened by cvmguard. */
	assert_int_equal(cvmg_token_from_json(
		"{\"type\":\"systemd-tpm2\",\"keyslots\":[\"1\"],\"tpm2-blob\":\"AAAA\","
		"\"tpm2-pcrs\":[],\"tpm2-policy-hash\":\"00\"}", &t), -ENOTSUP);
}

/* systemd's tpm2-pin: read (252), with systemd 254+'s tpm2_salt; damage refused. */
static void test_systemd_pin(void **state)
{
	struct cvmg_token t;

	assert_int_equal(cvmg_token_from_json(SD_TOKEN(",\"tpm2-pin\":true"), &t), 0);
	assert_true(t.sealed.pin);
	assert_int_equal(t.salt_len, 0);
	assert_int_equal(cvmg_token_from_json(SD_TOKEN(",\"tpm2-pin\":false"), &t), 0);
	assert_false(t.sealed.pin);
	/* 32 bytes of salt, base64 as systemd writes it */
	assert_int_equal(cvmg_token_from_json(SD_TOKEN(",\"tpm2-pin\":true,\"tpm2_salt\":"
		"\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\""), &t), 0);
	assert_true(t.sealed.pin);
	assert_int_equal(t.salt_len, 32);
	assert_int_equal(t.salt[0], 0);
	assert_int_equal(t.salt[31], 31);
	/* a salt without a PIN, a salt that is not base64, not a string, empty, oversized */
	assert_int_equal(cvmg_token_from_json(SD_TOKEN(",\"tpm2-pin\":false,\"tpm2_salt\":"
		"\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\""), &t), -EBADMSG);
	assert_int_equal(cvmg_token_from_json(SD_TOKEN(",\"tpm2-pin\":true,\"tpm2_salt\":"
		"\"!!!!\""), &t), -EBADMSG);
	assert_int_equal(cvmg_token_from_json(SD_TOKEN(",\"tpm2-pin\":true,\"tpm2_salt\":7"),
		&t), -EBADMSG);
	assert_int_equal(cvmg_token_from_json(SD_TOKEN(",\"tpm2-pin\":true,\"tpm2_salt\":\"\""),
		&t), -EBADMSG);
	assert_int_equal(cvmg_token_from_json(SD_TOKEN(",\"tpm2-pin\":true,\"tpm2_salt\":\""
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\""), &t), -EBADMSG);
}

/* Both token kinds carry the PIN flag through a write and a read. */
static void test_pin_round_trip(void **state)
{
	struct cvmg_token t, back;
	json_object *o, *v;
	char *json;
	int kind;

	for (kind = 0; kind < 2; kind++) {
		fill(&t, kind ? CVMG_TOKEN_SYSTEMD : CVMG_TOKEN_CVMGUARD);
		t.sealed.pin = true;
		assert_int_equal(cvmg_token_to_json(&t, &json), 0);
		o = json_tokener_parse(json);
		assert_true(json_object_object_get_ex(o, kind ? "tpm2-pin" : "cvmguard-pin", &v));
		assert_true(json_object_is_type(v, json_type_boolean));
		assert_true(json_object_get_boolean(v));
		json_object_put(o);
		assert_int_equal(cvmg_token_from_json(json, &back), 0);
		assert_true(back.sealed.pin);
		free(json);
		/* without a PIN: no cvmguard-pin at all; tpm2-pin false */
		t.sealed.pin = false;
		assert_int_equal(cvmg_token_to_json(&t, &json), 0);
		o = json_tokener_parse(json);
		assert_int_equal(json_object_object_get_ex(o, "cvmguard-pin", &v), 0);
		json_object_put(o);
		assert_int_equal(cvmg_token_from_json(json, &back), 0);
		assert_false(back.sealed.pin);
		free(json);
	}
	/* "cvmguard-pin" that is not a boolean: damaged, never read as "no PIN" */
	fill(&t, CVMG_TOKEN_CVMGUARD);
	t.sealed.pin = true;
	assert_int_equal(cvmg_token_to_json(&t, &json), 0);
	{
		char *at = strstr(json, "\"cvmguard-pin\":true"), bad[4096];

		assert_non_null(at);
		snprintf(bad, sizeof(bad), "%.*s\"cvmguard-pin\":\"false\"%s", (int)(at - json),
			 json, at + strlen("\"cvmguard-pin\":true"));
		assert_int_equal(cvmg_token_from_json(bad, &back), -EBADMSG);
	}
	free(json);
}

static void test_foreign(void **state)
{
	struct cvmg_token t;

	assert_int_equal(cvmg_token_from_json("{\"type\":\"systemd-fido2\",\"keyslots\":[\"0\"]}",
					      &t), -ENOENT);
	assert_int_equal(cvmg_token_from_json("{\"type\":\"luks2-keyring\",\"keyslots\":[]}", &t),
			 -ENOENT);
}

static void test_damaged(void **state)
{
	static const char *const bad[] = {
		"",
		"[]",
		"{\"keyslots\":[\"0\"]}",
		"{\"type\":7}",
		/* keyslots: missing, empty, two, not a string, out of range */
		"{\"type\":\"cvmguard\"}",
		"{\"type\":\"cvmguard\",\"keyslots\":[]}",
		"{\"type\":\"cvmguard\",\"keyslots\":[\"0\",\"1\"]}",
		"{\"type\":\"cvmguard\",\"keyslots\":[0]}",
		"{\"type\":\"cvmguard\",\"keyslots\":[\"32\"]}",
		"{\"type\":\"cvmguard\",\"keyslots\":[\"1x\"]}",
		/* PCRs: missing, out of range, not numbers */
		"{\"type\":\"systemd-tpm2\",\"keyslots\":[\"1\"],\"tpm2-blob\":\"AAAA\"}",
		"{\"type\":\"systemd-tpm2\",\"keyslots\":[\"1\"],\"tpm2-pcrs\":[24]}",
		"{\"type\":\"systemd-tpm2\",\"keyslots\":[\"1\"],\"tpm2-pcrs\":[\"7\"]}",
		/* blob: missing, not base64, empty */
		"{\"type\":\"systemd-tpm2\",\"keyslots\":[\"1\"],\"tpm2-pcrs\":[7]}",
		"{\"type\":\"systemd-tpm2\",\"keyslots\":[\"1\"],\"tpm2-pcrs\":[7],"
		"\"tpm2-blob\":\"A*A=\",\"tpm2-policy-hash\":\"00\"}",
		"{\"type\":\"systemd-tpm2\",\"keyslots\":[\"1\"],\"tpm2-pcrs\":[7],"
		"\"tpm2-blob\":\"\"}",
		/* policy hash: missing, short, not hex */
		"{\"type\":\"systemd-tpm2\",\"keyslots\":[\"1\"],\"tpm2-pcrs\":[7],"
		"\"tpm2-blob\":\"AAAA\"}",
		"{\"type\":\"systemd-tpm2\",\"keyslots\":[\"1\"],\"tpm2-pcrs\":[7],"
		"\"tpm2-blob\":\"AAAA\",\"tpm2-policy-hash\":\"0011\"}",
		SD_TOKEN(",\"tpm2-primary-alg\":\"dsa\""),
		/* cvmguard: parent missing or another handle, parent name missing */
		"{\"type\":\"cvmguard\",\"keyslots\":[\"1\"],\"cvmguard-pcrs\":[7],"
		"\"cvmguard-blob\":\"AAAA\",\"cvmguard-policy-hash\":"
		"\"0011223344556677889900112233445566778899001122334455667788990011\"}",
		"{\"type\":\"cvmguard\",\"keyslots\":[\"1\"],\"cvmguard-pcrs\":[7],"
		"\"cvmguard-blob\":\"AAAA\",\"cvmguard-parent\":\"0x81000002\","
		"\"cvmguard-parent-name\":\"000b0102\",\"cvmguard-policy-hash\":"
		"\"0011223344556677889900112233445566778899001122334455667788990011\"}",
		"{\"type\":\"cvmguard\",\"keyslots\":[\"1\"],\"cvmguard-pcrs\":[7],"
		"\"cvmguard-blob\":\"AAAA\",\"cvmguard-parent\":\"0x81000001\","
		"\"cvmguard-policy-hash\":"
		"\"0011223344556677889900112233445566778899001122334455667788990011\"}",
	};
	struct cvmg_token t;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = cvmg_token_from_json(bad[i], &t);

		if (ret != -EBADMSG)
			fail_msg("token %zu gave %d, not -EBADMSG: %s", i, ret, bad[i]);
	}
}

/* An intact cvmguard token parses; the same with one field renamed does not. */
static void test_cvmguard_minimal(void **state)
{
	static const char good[] =
		"{\"type\":\"cvmguard\",\"keyslots\":[\"2\"],\"cvmguard-pcrs\":[0,7],"
		"\"cvmguard-blob\":\"AAAA\",\"cvmguard-parent\":\"0x81000001\","
		"\"cvmguard-parent-name\":\"000b0102\",\"cvmguard-policy-hash\":"
		"\"0011223344556677889900112233445566778899001122334455667788990011\"}";
	struct cvmg_token t;

	assert_int_equal(cvmg_token_from_json(good, &t), 0);
	assert_int_equal(t.keyslot, 2);
	assert_int_equal(t.pcr_mask, 0x81);
	assert_int_equal(t.parent, CVMG_PARENT_SRK);
	assert_int_equal(t.sealed.parent_name_len, 4);
}

static void test_writer_rejects(void **state)
{
	struct cvmg_token t;
	char *json = NULL;

	fill(&t, CVMG_TOKEN_CVMGUARD);
	t.keyslot = -1;
	assert_int_equal(cvmg_token_to_json(&t, &json), -EINVAL);
	fill(&t, CVMG_TOKEN_CVMGUARD);
	t.sealed.blob_len = 0;
	assert_int_equal(cvmg_token_to_json(&t, &json), -EINVAL);
	assert_null(json);
}

static void test_pcr_parse(void **state)
{
	uint32_t m = 0;

	assert_int_equal(cvmg_pcr_parse("7", &m), 0);
	assert_int_equal(m, 1u << 7);
	assert_int_equal(cvmg_pcr_parse("0,2,7", &m), 0);
	assert_int_equal(m, 0x85);
	assert_int_equal(cvmg_pcr_parse("7+11", &m), 0);
	assert_int_equal(m, (1u << 7) | (1u << 11));
	/* resettable: the debug PCR and the application PCR, alone or in a list */
	assert_int_equal(cvmg_pcr_parse("16", &m), -EINVAL);
	assert_int_equal(cvmg_pcr_parse("23", &m), -EINVAL);
	assert_int_equal(cvmg_pcr_parse("7+23", &m), -EINVAL);
	assert_int_equal(cvmg_pcr_parse("0,16,7", &m), -EINVAL);
	assert_int_equal(cvmg_pcr_parse("15,22", &m), 0);
	assert_int_equal(m, (1u << 15) | (1u << 22));
	assert_int_equal(cvmg_pcr_parse("", &m), -EINVAL);
	assert_int_equal(cvmg_pcr_parse("24", &m), -EINVAL);
	assert_int_equal(cvmg_pcr_parse("-1", &m), -EINVAL);
	assert_int_equal(cvmg_pcr_parse("7,", &m), -EINVAL);
	assert_int_equal(cvmg_pcr_parse("7;8", &m), -EINVAL);
	assert_int_equal(cvmg_pcr_parse("a", &m), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_cvmguard),
		cmocka_unit_test(test_roundtrip_systemd),
		cmocka_unit_test(test_systemd_field_names),
		cmocka_unit_test(test_systemd_as_written),
		cmocka_unit_test(test_systemd_unsupported),
		cmocka_unit_test(test_systemd_pin),
		cmocka_unit_test(test_pin_round_trip),
		cmocka_unit_test(test_header_mac_fields),
		cmocka_unit_test(test_systemd_twin_flag),
		cmocka_unit_test(test_foreign),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_cvmguard_minimal),
		cmocka_unit_test(test_writer_rejects),
		cmocka_unit_test(test_pcr_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
