// SPDX-License-Identifier: GPL-2.0-only
/*
 * Rollback records for sealed volumes, kept where the host cannot reach them: the
 * vTPM's NV, inside the paravisor.
 *
 * One ordinary NV index per volume, owner-written and owner-read (no dictionary
 * attack protection), CVMG_NV_SIZE bytes, in CVMG_NV_BASE .. + CVMG_NV_COUNT - 1
 * (TCG's owner range): 32 volumes per TPM, 80 bytes each, to stay well inside a
 * vTPM's small NV space. Big-endian record:
 *
 *   0  "CVMGNV01"       8  flags (u32)      12 reserved (u32)
 *   16 counter (u64)    24 UUID (36 chars, 4 NUL)
 *   64 tag (16 bytes): HKDF of the volume key (header_policy.c, volume.c), so that
 *      unlock can recognise one of our volumes through any token that opens it, even
 *      on a header whose UUID the host changed
 *
 * The counter is the highest rotation counter enroll or rotate committed; a token
 * with a lower one is from a header saved before: refused. The flag
 * CVMG_NV_MAC_REQUIRED says the volume opens only through a cvmguard token whose
 * header MAC verifies. Indices defined by anyone else, or of another shape, are
 * skipped. Only guest root can write them (owner authorization): the guest is
 * trusted, the host is not.
 *
 * The TPM enforces the counter too: a cvmguard token's sealed object is bound by
 * PolicyPCR then PolicyNV on its volume's record, "counter at offset 16 <= the
 * token's counter" (TPM_EO_UNSIGNED_LE, big-endian as the record stores it), read
 * with owner authorization (the record's only read authorization; the empty owner
 * password, as the rest of this file and Azure's vTPM use it). The policy names the
 * index by its name, which covers its public area with TPMA_NV_WRITTEN set: the
 * digest is computed in software (cvmg_nv_policy_digest()), so a secret can be
 * sealed to a record not written yet.
 */
#include <errno.h>
#include <string.h>

#include <openssl/evp.h>
#include <tss2/tss2_esys.h>

#include "tpm_esys.h"
#include "tpm_nv.h"

static const char magic[8] = "CVMGNV01";

#define NV_ATTRS (TPMA_NV_OWNERWRITE | TPMA_NV_OWNERREAD | TPMA_NV_NO_DA | \
		  ((TPMA_NV)TPM2_NT_ORDINARY << TPMA_NV_TPM2_NT_SHIFT))

static void put_be(uint8_t *p, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t get_be(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/**
 * cvmg_nv_encode() - a record's bytes
 * @rec: the record
 * @out: CVMG_NV_SIZE bytes
 */
void cvmg_nv_encode(const struct cvmg_nv_rec *rec, uint8_t out[CVMG_NV_SIZE])
{
	memset(out, 0, CVMG_NV_SIZE);
	memcpy(out, magic, 8);
	put_be(out + 8, rec->flags, 4);
	put_be(out + 16, rec->counter, 8);
	memcpy(out + 24, rec->uuid, strnlen(rec->uuid, 36));
	memcpy(out + 64, rec->tag, CVMG_NV_TAG_LEN);
}

/**
 * cvmg_nv_decode() - parse a record
 * @in: its bytes
 * @len: their number
 * @rec: the result (index untouched)
 *
 * Return: 0, -EBADMSG when it is not one of ours.
 */
int cvmg_nv_decode(const uint8_t *in, size_t len, struct cvmg_nv_rec *rec)
{
	if (len != CVMG_NV_SIZE || memcmp(in, magic, 8) || in[60] || in[24 + 35] == 0)
		return -EBADMSG;
	rec->flags = (uint32_t)get_be(in + 8, 4);
	rec->counter = get_be(in + 16, 8);
	memcpy(rec->uuid, in + 24, 36);
	rec->uuid[36] = '\0';
	memcpy(rec->tag, in + 64, CVMG_NV_TAG_LEN);
	return 0;
}

/* The indices of our range that are defined (one GetCapability). */
static int defined(struct cvmg_tpm *t, uint64_t *mask)
{
	TPMS_CAPABILITY_DATA *cap = NULL;
	TPMI_YES_NO more = 0;
	TSS2_RC rc;
	uint32_t i;

	*mask = 0;
	rc = Esys_GetCapability(t->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
				TPM2_CAP_HANDLES, CVMG_NV_BASE, CVMG_NV_COUNT, &more, &cap);
	if (rc) {
		t->last_rc = rc;
		return -EIO;
	}
	for (i = 0; i < cap->data.handles.count; i++) {
		uint32_t h = cap->data.handles.handle[i];

		if (h >= CVMG_NV_BASE && h < CVMG_NV_BASE + CVMG_NV_COUNT)
			*mask |= 1ull << (h - CVMG_NV_BASE);
	}
	Esys_Free(cap);
	return 0;
}

/* Read index @h as a record of ours; -ENOENT when it is not (shape or contents). */
static int read_rec(struct cvmg_tpm *t, uint32_t h, struct cvmg_nv_rec *rec)
{
	TPM2B_NV_PUBLIC *pub = NULL;
	TPM2B_MAX_NV_BUFFER *data = NULL;
	ESYS_TR tr = ESYS_TR_NONE;
	TSS2_RC rc;
	int ret = -ENOENT;

	rc = Esys_TR_FromTPMPublic(t->esys, h, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &tr);
	if (rc) {
		t->last_rc = rc;
		return cvmg_tpm_rc_is(rc, TPM2_RC_HANDLE) ? -ENOENT : -EIO;
	}
	rc = Esys_NV_ReadPublic(t->esys, tr, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &pub, NULL);
	if (rc) {
		t->last_rc = rc;
		ret = -EIO;
		goto out;
	}
	if ((pub->nvPublic.attributes & ~TPMA_NV_WRITTEN) != NV_ATTRS ||
	    !(pub->nvPublic.attributes & TPMA_NV_WRITTEN) ||
	    pub->nvPublic.nameAlg != TPM2_ALG_SHA256 ||
	    pub->nvPublic.dataSize != CVMG_NV_SIZE || pub->nvPublic.authPolicy.size)
		goto out;
	rc = Esys_NV_Read(t->esys, ESYS_TR_RH_OWNER, tr, ESYS_TR_PASSWORD, ESYS_TR_NONE,
			  ESYS_TR_NONE, CVMG_NV_SIZE, 0, &data);
	if (rc) {
		t->last_rc = rc;
		ret = -EIO;
		goto out;
	}
	if (!cvmg_nv_decode(data->buffer, data->size, rec)) {
		rec->index = h;
		rec->defined = true;
		ret = 0;
	}
out:
	Esys_Free(data);
	Esys_Free(pub);
	Esys_TR_Close(t->esys, &tr);
	return ret;
}

/* The index to look at first for @uuid, so that a lookup usually reads one index. */
static uint32_t home(const char *uuid)
{
	uint8_t md[32];
	unsigned int len;

	if (!EVP_Digest(uuid, strlen(uuid), md, &len, EVP_sha256(), NULL))
		return 0;
	return md[0] % CVMG_NV_COUNT;
}

static int find(struct cvmg_tpm *t, const char *uuid, const uint8_t *tag, struct cvmg_nv_rec *rec)
{
	uint64_t mask;
	uint32_t i, start = uuid ? home(uuid) : 0, slot;
	int ret;

	ret = defined(t, &mask);
	if (ret)
		return ret;
	for (i = 0; i < CVMG_NV_COUNT; i++) {
		slot = (start + i) % CVMG_NV_COUNT;
		if (!(mask >> slot & 1))
			continue;
		ret = read_rec(t, CVMG_NV_BASE + slot, rec);
		if (ret == -ENOENT)
			continue;
		if (ret)
			return ret;
		if ((uuid && !strcmp(rec->uuid, uuid)) ||
		    (tag && !memcmp(rec->tag, tag, CVMG_NV_TAG_LEN)))
			return 0;
	}
	memset(rec, 0, sizeof(*rec));
	return -ENOENT;
}

/**
 * cvmg_nv_find_uuid() - the record of the volume @uuid
 * @tpm: the TPM
 * @uuid: the LUKS UUID
 * @rec: the record
 *
 * Return: 0, -ENOENT when there is none, -EIO.
 */
int cvmg_nv_find_uuid(struct cvmg_tpm *tpm, const char *uuid, struct cvmg_nv_rec *rec)
{
	return find(tpm, uuid, NULL, rec);
}

/**
 * cvmg_nv_find_tag() - the record whose tag is @tag (derived from a secret)
 * @tpm: the TPM
 * @tag: the tag
 * @rec: the record
 *
 * Return: 0, -ENOENT when there is none, -EIO.
 */
int cvmg_nv_find_tag(struct cvmg_tpm *tpm, const uint8_t tag[CVMG_NV_TAG_LEN],
		     struct cvmg_nv_rec *rec)
{
	return find(tpm, NULL, tag, rec);
}

/**
 * cvmg_nv_free_count() - how many indices of the range are free
 * @tpm: the TPM
 * @free_count: the answer
 *
 * Return: 0, -EIO.
 */
int cvmg_nv_free_count(struct cvmg_tpm *tpm, unsigned int *free_count)
{
	uint64_t mask;
	int ret = defined(tpm, &mask);

	*free_count = ret ? 0 : CVMG_NV_COUNT - (unsigned int)__builtin_popcountll(mask);
	return ret;
}

/**
 * cvmg_nv_pick() - choose a free index of the range for a new record
 * @tpm: the TPM
 * @uuid: the volume's UUID (its home index is tried first), or ""
 * @index: the index chosen; cvmg_nv_store() defines it
 *
 * A secret can be sealed to the record's PolicyNV before the record exists: the
 * index's name depends only on its handle and fixed public area.
 *
 * Return: 0, -ENOSPC when every index of the range is taken, -EIO.
 */
int cvmg_nv_pick(struct cvmg_tpm *tpm, const char *uuid, uint32_t *index)
{
	uint32_t i, slot, start = *uuid ? home(uuid) : 0;
	uint64_t mask;
	int ret;

	ret = defined(tpm, &mask);
	if (ret)
		return ret;
	for (i = 0; i < CVMG_NV_COUNT; i++) {
		slot = (start + i) % CVMG_NV_COUNT;
		if (!(mask >> slot & 1)) {
			*index = CVMG_NV_BASE + slot;
			return 0;
		}
	}
	return -ENOSPC;
}

/**
 * cvmg_nv_store() - write @rec, defining its index when it is not defined yet
 * @tpm: the TPM
 * @rec: the record; rec->index is the index to define (cvmg_nv_pick()), or 0 for
 *       one picked now; it is set to the index used, rec->defined to true
 *
 * One NV_Write replaces the whole record: a kill leaves the old one or the new one.
 * A kill between NV_DefineSpace and NV_Write leaves an index that is not written:
 * skipped as not ours by every lookup (it holds a slot until removed by hand).
 *
 * Return: 0, -ENOSPC when every index of the range is taken, -EBUSY when the
 * index chosen was defined meanwhile (another volume's enrollment), -EIO.
 */
int cvmg_nv_store(struct cvmg_tpm *tpm, struct cvmg_nv_rec *rec)
{
	TPM2B_NV_PUBLIC pub = {};
	TPM2B_AUTH auth = {};
	TPM2B_MAX_NV_BUFFER data = { .size = CVMG_NV_SIZE };
	ESYS_TR tr = ESYS_TR_NONE;
	TSS2_RC rc;
	int ret;

	if (!rec->defined) {
		if (!rec->index) {
			ret = cvmg_nv_pick(tpm, rec->uuid, &rec->index);
			if (ret)
				return ret;
		}
		if (rec->index < CVMG_NV_BASE || rec->index >= CVMG_NV_BASE + CVMG_NV_COUNT)
			return -EINVAL;
		pub.nvPublic.nvIndex = rec->index;
		pub.nvPublic.nameAlg = TPM2_ALG_SHA256;
		pub.nvPublic.attributes = NV_ATTRS;
		pub.nvPublic.dataSize = CVMG_NV_SIZE;
		rc = Esys_NV_DefineSpace(tpm->esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE,
					 ESYS_TR_NONE, &auth, &pub, &tr);
		if (rc) {
			tpm->last_rc = rc;
			if (cvmg_tpm_rc_is(rc, TPM2_RC_NV_DEFINED))
				return -EBUSY;
			return cvmg_tpm_rc_is(rc, TPM2_RC_NV_SPACE) ? -ENOSPC : -EIO;
		}
		rec->defined = true;
	} else {
		rc = Esys_TR_FromTPMPublic(tpm->esys, rec->index, ESYS_TR_NONE, ESYS_TR_NONE,
					   ESYS_TR_NONE, &tr);
		if (rc) {
			tpm->last_rc = rc;
			return -EIO;
		}
	}
	cvmg_nv_encode(rec, data.buffer);
	rc = Esys_NV_Write(tpm->esys, ESYS_TR_RH_OWNER, tr, ESYS_TR_PASSWORD, ESYS_TR_NONE,
			   ESYS_TR_NONE, &data, 0);
	Esys_TR_Close(tpm->esys, &tr);
	if (rc) {
		tpm->last_rc = rc;
		return -EIO;
	}
	return 0;
}

/**
 * cvmg_nv_name() - the name of a record's index once written
 * @index: the index (in our range)
 * @name: its name: TPM_ALG_SHA256 then SHA-256 of the marshalled TPMS_NV_PUBLIC
 *        (index, nameAlg, attributes with TPMA_NV_WRITTEN, empty authPolicy, size)
 *
 * The name an unwritten index has differs (no TPMA_NV_WRITTEN); PolicyNV can only
 * be satisfied once the index is written, so this is the one a policy names.
 */
void cvmg_nv_name(uint32_t index, uint8_t name[CVMG_NV_NAME_LEN])
{
	uint8_t pub[4 + 2 + 4 + 2 + 2];
	unsigned int len = 0;

	put_be(pub, index, 4);
	put_be(pub + 4, TPM2_ALG_SHA256, 2);
	put_be(pub + 6, NV_ATTRS | TPMA_NV_WRITTEN, 4);
	put_be(pub + 10, 0, 2);         /* authPolicy: empty */
	put_be(pub + 12, CVMG_NV_SIZE, 2);
	put_be(name, TPM2_ALG_SHA256, 2);
	if (!EVP_Digest(pub, sizeof(pub), name + 2, &len, EVP_sha256(), NULL) || len != 32)
		memset(name + 2, 0, 32); /* matches no index: a policy nothing satisfies */
}

/**
 * cvmg_nv_policy_digest() - extend a policy digest by PolicyNV on a record
 * @index: the record's index
 * @counter: the token's counter: the policy holds while the record's is <= it
 * @digest: in, the digest so far (PolicyPCR's); out, extended
 *
 * Return: 0, -EIO.
 */
int cvmg_nv_policy_digest(uint32_t index, uint64_t counter, uint8_t digest[32])
{
	uint8_t name[CVMG_NV_NAME_LEN], operand[8];

	cvmg_nv_name(index, name);
	put_be(operand, counter, 8);
	return cvmg_policy_nv_digest(digest, name, sizeof(name), operand, sizeof(operand),
				     CVMG_NV_COUNTER_OFFSET, TPM2_EO_UNSIGNED_LE, digest);
}

/**
 * cvmg_nv_policy() - PolicyNV on a record, in a policy session
 * @tpm: the TPM
 * @session: the policy session (an ESYS_TR)
 * @index: the record's index
 * @counter: the token's counter
 *
 * Return: 0; -ESTALE when the TPM refuses: the record's counter is above
 * @counter (a rollback), or the record is gone or not written; -EIO.
 */
int cvmg_nv_policy(struct cvmg_tpm *tpm, uint32_t session, uint32_t index, uint64_t counter)
{
	TPM2B_OPERAND operand = { .size = 8 };
	ESYS_TR tr = ESYS_TR_NONE;
	TSS2_RC rc;

	put_be(operand.buffer, counter, 8);
	rc = Esys_TR_FromTPMPublic(tpm->esys, index, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &tr);
	if (rc) {
		tpm->last_rc = rc;
		return cvmg_tpm_rc_is(rc, TPM2_RC_HANDLE) ? -ESTALE : -EIO;
	}
	/* The record's read authorization: owner, empty password (NV_ATTRS). */
	rc = Esys_PolicyNV(tpm->esys, ESYS_TR_RH_OWNER, tr, session, ESYS_TR_PASSWORD,
			   ESYS_TR_NONE, ESYS_TR_NONE, &operand, CVMG_NV_COUNTER_OFFSET,
			   TPM2_EO_UNSIGNED_LE);
	Esys_TR_Close(tpm->esys, &tr);
	if (rc) {
		tpm->last_rc = rc;
		if (cvmg_tpm_rc_is(rc, TPM2_RC_POLICY) || cvmg_tpm_rc_is(rc, TPM2_RC_NV_UNINITIALIZED))
			return -ESTALE;
		return -EIO;
	}
	return 0;
}

/**
 * cvmg_nv_remove() - undefine a record's index
 * @tpm: the TPM
 * @index: the index (must be in our range)
 *
 * Return: 0, -EINVAL outside the range, -EIO.
 */
int cvmg_nv_remove(struct cvmg_tpm *tpm, uint32_t index)
{
	ESYS_TR tr = ESYS_TR_NONE;
	TSS2_RC rc;

	if (index < CVMG_NV_BASE || index >= CVMG_NV_BASE + CVMG_NV_COUNT)
		return -EINVAL;
	rc = Esys_TR_FromTPMPublic(tpm->esys, index, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &tr);
	if (!rc)
		rc = Esys_NV_UndefineSpace(tpm->esys, ESYS_TR_RH_OWNER, tr, ESYS_TR_PASSWORD,
					   ESYS_TR_NONE, ESYS_TR_NONE);
	if (rc) {
		Esys_TR_Close(tpm->esys, &tr);
		tpm->last_rc = rc;
		return -EIO;
	}
	return 0;
}
