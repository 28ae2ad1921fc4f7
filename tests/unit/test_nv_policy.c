// SPDX-License-Identifier: GPL-2.0-only
/*
 * The TPM half of rollback protection, host side:
 * - the rollback record's index name and the PolicyNV digest (tpm_nv.c,
 *   pcr_policy.c) against an independent computation: python3's hashlib and struct,
 *   run by the test, from TPM 2.0 Part 2 (TPMS_NV_PUBLIC, TPMA_NV bits) and Part 3
 *   23.9 (TPM2_PolicyNV); the in-guest case disk-hostile-rollback checks the same
 *   digest against tpm2_policynv in a trial session. A wrong name or digest would
 *   seal every key to a policy nothing satisfies;
 * - the record's counter is big-endian at CVMG_NV_COUNTER_OFFSET (PolicyNV compares
 *   operandB there as a big-endian unsigned);
 * - the digest binds the index, the counter and the policy before it;
 * - the token's "cvmguard-policy-nv" field: written, read back with the counter as
 *   the operand, and every malformed or out-of-range value a host could write is a
 *   damaged token;
 * - a token whose counter or index the host changed is refused by unseal before any
 *   TPM command (-EKEYREJECTED, exit 6), not taken for a PCR change.
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

#include <tss2/tss2_mu.h>

#include "cvmguard.h"
#include "luks_token.h"
#include "tpm_nv.h"
#include "tpm_seal.h"

/* An independent computation, in python3 (no cvmguard code), of name and digest. */
static const char py[] =
	"import hashlib, struct, sys\n"
	"idx, ctr, old = int(sys.argv[1], 0), int(sys.argv[2]), bytes.fromhex(sys.argv[3])\n"
	"OWNERWRITE, OWNERREAD, NO_DA, WRITTEN = 1 << 1, 1 << 17, 1 << 25, 1 << 29\n"
	"attrs = OWNERWRITE | OWNERREAD | NO_DA | WRITTEN  # TPM_NT_ORDINARY: 0\n"
	"pub = struct.pack('>IHIHH', idx, 0x000b, attrs, 0, 80)\n"
	"name = struct.pack('>H', 0x000b) + hashlib.sha256(pub).digest()\n"
	"args = hashlib.sha256(struct.pack('>Q', ctr) + struct.pack('>HH', 16, 0x0009)).digest()\n"
	"d = hashlib.sha256(old + struct.pack('>I', 0x149) + args + name).digest()\n"
	"print(name.hex(), d.hex())\n";

static void hex(const uint8_t *b, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

/* Ask python for the name and the digest of PolicyNV(@idx, @ctr) after @old. */
static void python(uint32_t idx, uint64_t ctr, const uint8_t old[32],
		   uint8_t name[CVMG_NV_NAME_LEN], uint8_t digest[32])
{
	char oldhex[65], cmd[2048], line[256], *sp;
	size_t len = 0;
	FILE *f;

	hex(old, 32, oldhex);
	snprintf(cmd, sizeof(cmd), "python3 -c \"$PY\" 0x%08x %llu %s", idx,
		 (unsigned long long)ctr, oldhex);
	assert_int_equal(setenv("PY", py, 1), 0);
	f = popen(cmd, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_int_equal(pclose(f), 0);
	line[strcspn(line, "\n")] = '\0';
	sp = strchr(line, ' ');
	assert_non_null(sp);
	*sp = '\0';
	assert_int_equal(cvmg_hex_decode(line, name, CVMG_NV_NAME_LEN, &len), 0);
	assert_int_equal(len, CVMG_NV_NAME_LEN);
	assert_int_equal(cvmg_hex_decode(sp + 1, digest, 32, &len), 0);
	assert_int_equal(len, 32);
}

static void check(uint32_t idx, uint64_t ctr, const uint8_t old[32])
{
	uint8_t name[CVMG_NV_NAME_LEN], want_name[CVMG_NV_NAME_LEN], d[32], want[32];

	python(idx, ctr, old, want_name, want);
	cvmg_nv_name(idx, name);
	assert_memory_equal(name, want_name, sizeof(name));
	memcpy(d, old, 32);
	assert_int_equal(cvmg_nv_policy_digest(idx, ctr, d), 0);
	assert_memory_equal(d, want, 32);
}

/* First and last index of the range, small and huge counters, after PolicyPCR. */
static void test_digest_matches_python(void **state)
{
	uint8_t vals[CVMG_PCR_COUNT][32] = {}, old[32] = {};
	int i;

	check(CVMG_NV_BASE, 1, old);
	check(CVMG_NV_BASE + CVMG_NV_COUNT - 1, 0, old);
	check(CVMG_NV_BASE + 5, 0xfedcba9876543210ull, old);
	for (i = 0; i < 32; i++)
		vals[7][i] = (uint8_t)i;
	assert_int_equal(cvmg_pcr_policy_digest(1u << 7, vals, old), 0);
	check(CVMG_NV_BASE + 17, 2, old);
}

/* What PolicyNV compares: the counter's 8 bytes, big-endian, at the offset. */
static void test_record_counter_big_endian(void **state)
{
	struct cvmg_nv_rec rec = { .counter = 0x0102030405060708ull };
	uint8_t buf[CVMG_NV_SIZE];
	static const uint8_t be[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	memcpy(rec.uuid, "5d41402a-bc4b-4a76-b971-9d911017c592", 37);
	cvmg_nv_encode(&rec, buf);
	assert_memory_equal(buf + CVMG_NV_COUNTER_OFFSET, be, 8);
}

/* Another index, counter or previous policy: another digest. */
static void test_digest_binds_everything(void **state)
{
	uint8_t zero[32] = {}, a[32] = {}, b[32];

	assert_int_equal(cvmg_nv_policy_digest(CVMG_NV_BASE + 3, 7, a), 0);
	memcpy(b, zero, 32);
	assert_int_equal(cvmg_nv_policy_digest(CVMG_NV_BASE + 4, 7, b), 0);
	assert_memory_not_equal(a, b, 32);
	memcpy(b, zero, 32);
	assert_int_equal(cvmg_nv_policy_digest(CVMG_NV_BASE + 3, 6, b), 0);
	assert_memory_not_equal(a, b, 32);
	memset(b, 0, 32);
	b[31] = 1;
	assert_int_equal(cvmg_nv_policy_digest(CVMG_NV_BASE + 3, 7, b), 0);
	assert_memory_not_equal(a, b, 32);
	memcpy(b, zero, 32);
	assert_int_equal(cvmg_nv_policy_digest(CVMG_NV_BASE + 3, 7, b), 0);
	assert_memory_equal(a, b, 32);
	/* the generic form refuses an operand beyond TPM2B_OPERAND's 64 bytes */
	assert_int_equal(cvmg_policy_nv_digest(zero, zero, 32, zero, 65, 0, 9, b), -EINVAL);
}

static void token(struct cvmg_token *t)
{
	memset(t, 0, sizeof(*t));
	t->kind = CVMG_TOKEN_CVMGUARD;
	t->keyslot = 1;
	t->pcr_mask = 1u << 7;
	t->parent = CVMG_PARENT_SRK;
	t->sealed.blob_len = 30;
	memset(t->sealed.blob, 0x11, 30);
	memset(t->sealed.policy, 0x22, 32);
	t->sealed.parent_name_len = 34;
	t->has_mac = true;
	t->counter = 9;
	memset(t->sealed.pre_nv, 0x33, 32);
}

/* json with "cvmguard-policy-nv" set to @v (a JSON value), else unchanged */
static char *with_nv(const char *json, const char *v)
{
	const char *at = strstr(json, "\"cvmguard-policy-nv\":");
	const char *end;
	char *out;

	assert_non_null(at);
	at += strlen("\"cvmguard-policy-nv\":");
	end = strchr(at + 1, '"') + 1;
	out = malloc(strlen(json) + strlen(v) + 1);
	sprintf(out, "%.*s%s%s", (int)(at - json), json, v, end);
	return out;
}

static void test_token_field(void **state)
{
	static const char *const bad[] = {
		"\"0x01800bff\"", "\"0x01800c20\"", "\"0x81000001\"", "\"0x1800c05\"",
		"\"01800c05\"", "\"0x01800c05 \"", "\"0x01800c0g\"", "\"\"", "25168901", "true",
		"\"0x0000000001800c05\"",
	};
	struct cvmg_token in, out;
	char *json = NULL, *b, *at;
	size_t i;

	token(&in);
	in.sealed.nv_index = CVMG_NV_BASE + 5;
	in.sealed.nv_counter = in.counter;
	assert_int_equal(cvmg_token_to_json(&in, &json), 0);
	assert_non_null(strstr(json, "\"cvmguard-policy-nv\":\"0x01800c05\""));
	assert_int_equal(cvmg_token_from_json(json, &out), 0);
	assert_int_equal(out.sealed.nv_index, CVMG_NV_BASE + 5);
	assert_int_equal(out.sealed.nv_counter, 9);
	assert_memory_equal(out.sealed.pre_nv, in.sealed.pre_nv, 32);
	/* the operand is the token's counter, whatever else the host wrote */
	b = strdup(json);
	memcpy(strstr(b, "\"cvmguard-counter\":9"), "\"cvmguard-counter\":3", 20);
	assert_int_equal(cvmg_token_from_json(b, &out), 0);
	assert_int_equal(out.sealed.nv_counter, 3);
	free(b);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		b = with_nv(json, bad[i]);
		if (cvmg_token_from_json(b, &out) != -EBADMSG)
			fail_msg("\"cvmguard-policy-nv\":%s accepted", bad[i]);
		free(b);
	}
	/* without the digest before PolicyNV, or a short one: damaged */
	b = strdup(json);
	memcpy(strstr(b, "cvmguard-policy-pre-nv"), "cvmguard-policy-pre-nx", 22);
	assert_int_equal(cvmg_token_from_json(b, &out), -EBADMSG);
	free(b);
	b = strdup(json);
	at = strstr(b, "\"cvmguard-policy-pre-nv\":\"") + strlen("\"cvmguard-policy-pre-nv\":\"");
	memmove(at, at + 2, strlen(at + 2) + 1);
	assert_int_equal(cvmg_token_from_json(b, &out), -EBADMSG);
	free(b);
	/* the MAC stripped: parsed as MAC-less, which unlock refuses as tampered (6) */
	b = strdup(json);
	memcpy(strstr(b, "cvmguard-mac"), "cvmguard-xac", 12);
	assert_int_equal(cvmg_token_from_json(b, &out), 0);
	assert_false(out.has_mac);
	assert_int_equal(out.sealed.nv_index, CVMG_NV_BASE + 5);
	free(b);
	free(json);
	/* an older token, without the field: PolicyPCR only */
	in.sealed.nv_index = 0;
	assert_int_equal(cvmg_token_to_json(&in, &json), 0);
	assert_null(strstr(json, "policy-nv"));
	assert_int_equal(cvmg_token_from_json(json, &out), 0);
	assert_int_equal(out.sealed.nv_index, 0);
	free(json);
}

/*
 * A token whose counter the host raised (past the record, so PolicyNV itself would
 * pass): its index and counter no longer extend "policy-pre-nv" to the object's
 * policy. Refused before any TPM command (the TPM handle is never used: NULL).
 */
static void test_unseal_refuses_changed_counter(void **state)
{
	struct cvmg_sealed s = {};
	TPM2B_PRIVATE priv = { .size = 4 };
	TPM2B_PUBLIC pub = {};
	uint8_t secret[128];
	size_t off = 0, len;

	memset(s.pre_nv, 0x44, 32);
	memcpy(s.policy, s.pre_nv, 32);
	assert_int_equal(cvmg_nv_policy_digest(CVMG_NV_BASE + 2, 5, s.policy), 0);
	pub.publicArea.type = TPM2_ALG_KEYEDHASH;
	pub.publicArea.nameAlg = TPM2_ALG_SHA256;
	pub.publicArea.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT;
	pub.publicArea.parameters.keyedHashDetail.scheme.scheme = TPM2_ALG_NULL;
	pub.publicArea.authPolicy.size = 32;
	memcpy(pub.publicArea.authPolicy.buffer, s.policy, 32);
	assert_int_equal(Tss2_MU_TPM2B_PRIVATE_Marshal(&priv, s.blob, sizeof(s.blob), &off), 0);
	assert_int_equal(Tss2_MU_TPM2B_PUBLIC_Marshal(&pub, s.blob, sizeof(s.blob), &off), 0);
	s.blob_len = off;
	s.nv_index = CVMG_NV_BASE + 2;
	s.nv_counter = 6;       /* sealed with 5 */
	assert_int_equal(cvmg_tpm_unseal(NULL, CVMG_PARENT_SRK, 1u << 7, &s, secret, &len, NULL),
			 -EKEYREJECTED);
	s.nv_counter = 4;
	assert_int_equal(cvmg_tpm_unseal(NULL, CVMG_PARENT_SRK, 1u << 7, &s, secret, &len, NULL),
			 -EKEYREJECTED);
	s.nv_counter = 5;       /* the index moved instead */
	s.nv_index = CVMG_NV_BASE + 3;
	assert_int_equal(cvmg_tpm_unseal(NULL, CVMG_PARENT_SRK, 1u << 7, &s, secret, &len, NULL),
			 -EKEYREJECTED);
	s.nv_index = CVMG_NV_BASE + 2; /* the digest before it changed */
	s.pre_nv[0] ^= 1;
	assert_int_equal(cvmg_tpm_unseal(NULL, CVMG_PARENT_SRK, 1u << 7, &s, secret, &len, NULL),
			 -EKEYREJECTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_digest_matches_python),
		cmocka_unit_test(test_record_counter_big_endian),
		cmocka_unit_test(test_digest_binds_everything),
		cmocka_unit_test(test_token_field),
		cmocka_unit_test(test_unseal_refuses_changed_counter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
