// SPDX-License-Identifier: GPL-2.0-only
/*
 * The LUKS2 header is the host's: it controls every byte of the disk. Before cvmguard
 * unseals anything for a volume it checks, in this order:
 *
 * 1. Both header copies, read by us from a read-only descriptor before libcryptsetup
 *    sees them (cvmg_hdr_read_copies): each with its magic, version 2, a valid
 *    hdr_size, its own offset, a SHA-256 checksum that verifies; the two with the same
 *    seqid, UUID, label and subsystem and a byte-identical JSON area. crypt_load()
 *    always "repairs" copies that differ, writing the one with the higher seqid over
 *    the other, so a host could make an unlock attempt write the disk and choose
 *    which copy libcryptsetup uses while we measure the other. Identical copies leave
 *    it nothing to repair.
 * 2. The metadata libcryptsetup loaded (crypt_dump_json), against a fixed policy
 *    (cvmg_hdr_policy): exactly one segment, of type crypt, with a cipher and key size
 *    from an allow-list (aes-xts-plain64 with 512-bit keys, extended only by root's
 *    CVMG_HDR_POLICY_PATH), no integrity, no segment flags, iv_tweak 0, a standard
 *    sector size, no reencryption requirement; the token's keyslot exists, is a
 *    luks2 keyslot, and a digest binds it to that segment; the UUID canonical.
 * 3. After unseal: a MAC keyed from the sealed secret (HKDF-SHA256) over the canonical
 *    text of the parameters step 2 returned plus the token's rotation counter
 *    (cvmg_hdr_canonical, cvmg_hdr_mac). Only somebody who could unseal the secret
 *    can make a header whose parameters pass.
 *
 * Refusals return -EKEYREJECTED with a reason in @why; the helper exits 6.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>

#include "header_policy.h"

/* The on-disk LUKS2 binary header (cryptsetup's luks2.h), big-endian fields. */
#define HDR_BIN 4096
#define OFF_VERSION 6
#define OFF_HDR_SIZE 8
#define OFF_SEQID 16
#define OFF_LABEL 24
#define LEN_LABEL 48
#define OFF_CSUM_ALG 72
#define LEN_CSUM_ALG 32
#define OFF_UUID 168
#define LEN_UUID 40
#define OFF_SUBSYSTEM 208
#define LEN_SUBSYSTEM 48
#define OFF_HDR_OFFSET 256
#define OFF_CSUM 448
#define LEN_CSUM 64
#define HDR_SIZE_MAX (4u << 20)

static const uint8_t magic1[6] = { 'L', 'U', 'K', 'S', 0xba, 0xbe };
static const uint8_t magic2[6] = { 'S', 'K', 'U', 'L', 0xba, 0xbe };

static void __attribute__((format(printf, 3, 4)))
why_set(char *why, size_t wlen, const char *fmt, ...)
{
	va_list ap;

	if (!why || !wlen)
		return;
	va_start(ap, fmt);
	vsnprintf(why, wlen, fmt, ap);
	va_end(ap);
}

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/**
 * cvmg_hdr_uuid_valid() - whether @uuid is a canonical lowercase UUID
 * @uuid: the text
 *
 * Exactly 8-4-4-4-12 lowercase hexadecimal digits: nothing a path or a shell could
 * read as something else ("/", "..", spaces, quotes, "$").
 */
bool cvmg_hdr_uuid_valid(const char *uuid)
{
	size_t i;

	if (!uuid || strlen(uuid) != CVMG_HDR_UUID_LEN)
		return false;
	for (i = 0; i < CVMG_HDR_UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (uuid[i] != '-')
				return false;
		} else if (!((uuid[i] >= '0' && uuid[i] <= '9') || (uuid[i] >= 'a' && uuid[i] <= 'f'))) {
			return false;
		}
	}
	return true;
}

static bool hdr_size_valid(uint64_t s)
{
	for (uint64_t v = 16384; v <= HDR_SIZE_MAX; v <<= 1)
		if (s == v)
			return true;
	return false;
}

/* One copy at @p (hdr_size bytes): magic, version, offset, checksum. */
static int check_one(const uint8_t *p, uint64_t hdr_size, uint64_t offset, const uint8_t *magic,
		     char *why, size_t wlen, const char *which)
{
	uint8_t zero[LEN_CSUM] = { 0 }, md[32];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx;
	int ok;

	if (memcmp(p, magic, 6)) {
		why_set(why, wlen, "%s LUKS2 header: no magic", which);
		return -EKEYREJECTED;
	}
	if (p[OFF_VERSION] != 0 || p[OFF_VERSION + 1] != 2 || be64(p + OFF_HDR_SIZE) != hdr_size ||
	    be64(p + OFF_HDR_OFFSET) != offset) {
		why_set(why, wlen, "%s LUKS2 header: version, size or offset wrong", which);
		return -EKEYREJECTED;
	}
	if (strncmp((const char *)p + OFF_CSUM_ALG, "sha256", LEN_CSUM_ALG)) {
		why_set(why, wlen, "%s LUKS2 header: checksum algorithm is not sha256", which);
		return -EKEYREJECTED;
	}
	ctx = EVP_MD_CTX_new();
	ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) &&
	     EVP_DigestUpdate(ctx, p, OFF_CSUM) && EVP_DigestUpdate(ctx, zero, LEN_CSUM) &&
	     EVP_DigestUpdate(ctx, p + OFF_CSUM + LEN_CSUM, hdr_size - OFF_CSUM - LEN_CSUM) &&
	     EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return -EIO;
	if (memcmp(p + OFF_CSUM, md, 32) || memcmp(p + OFF_CSUM + 32, zero, LEN_CSUM - 32)) {
		why_set(why, wlen, "%s LUKS2 header: checksum does not verify", which);
		return -EKEYREJECTED;
	}
	return 0;
}

/**
 * cvmg_hdr_check_copies() - check both LUKS2 header copies against each other
 * @buf: the device's first bytes
 * @len: how many
 * @need: set to the bytes needed (2 * hdr_size) when @len is too short
 * @digest: SHA-256 of the copy libcryptsetup will load (binary header and JSON area)
 * @used: when not NULL, set to that copy's offset in @buf (0, or hdr_size for the
 *	secondary when an interrupted write tore the primary)
 * @why: the reason for a refusal
 * @wlen: its size
 *
 * Return: 0; -EAGAIN with *@need set when @buf is too short; -ENOENT when there is no
 * LUKS2 primary magic at all; -EKEYREJECTED when a copy is invalid or they differ.
 */
int cvmg_hdr_check_copies(const uint8_t *buf, size_t len, size_t *need, uint8_t digest[32],
			  size_t *used, char *why, size_t wlen)
{
	const uint8_t *p2;
	uint64_t hs;
	unsigned int dlen;
	int ret;

	if (len < HDR_BIN) {
		*need = HDR_BIN;
		return -EAGAIN;
	}
	if (memcmp(buf, magic1, 6))
		return -ENOENT;
	hs = be64(buf + OFF_HDR_SIZE);
	if (!hdr_size_valid(hs)) {
		why_set(why, wlen, "%s LUKS2 header: invalid hdr_size", "primary");
		return -EKEYREJECTED;
	}
	if (len < 2 * hs) {
		*need = 2 * hs;
		return -EAGAIN;
	}
	p2 = buf + hs;
	ret = check_one(buf, hs, 0, magic1, why, wlen, "primary");
	if (ret) {
		/*
		 * The other half of an interrupted write: killed while the primary was
		 * being written, the secondary still holds the state before it, whole.
		 * crypt_load() takes the secondary and rewrites the primary from it, so
		 * the secondary is what everything after (header policy on its JSON,
		 * libcryptsetup's view, MAC, counter) judges: a host that tears the
		 * primary on purpose gains nothing over writing that secondary into
		 * both copies. Without a valid secondary, the primary's fault stands.
		 */
		if (check_one(p2, hs, hs, magic2, NULL, 0, "secondary"))
			return ret;
		buf = p2;
		if (used)
			*used = hs;
		goto checked;
	}
	if (used)
		*used = 0;
	/*
	 * An interrupted write: libcryptsetup writes the primary, then the secondary,
	 * so a crash or kill during a header update (a rotate of ours included) leaves
	 * a valid primary beside a torn secondary or one with a lower seqid. crypt_load()
	 * then takes the primary, the copy checked here, and rewrites the secondary
	 * from it; everything after (header policy, MAC, counter) judges the primary.
	 * What is refused is a secondary that would win: valid, with a seqid not
	 * below the primary's, and different.
	 */
	if (check_one(p2, hs, hs, magic2, NULL, 0, "secondary") ||
	    be64(p2 + OFF_SEQID) < be64(buf + OFF_SEQID))
		goto primary_only;
	if (be64(buf + OFF_SEQID) != be64(p2 + OFF_SEQID)) {
		why_set(why, wlen, "%s", "the two LUKS2 header copies have different seqids "
			"(libcryptsetup would overwrite one with the other)");
		return -EKEYREJECTED;
	}
	if (memcmp(buf + OFF_LABEL, p2 + OFF_LABEL, LEN_LABEL) ||
	    memcmp(buf + OFF_UUID, p2 + OFF_UUID, LEN_UUID) ||
	    memcmp(buf + OFF_SUBSYSTEM, p2 + OFF_SUBSYSTEM, LEN_SUBSYSTEM) ||
	    memcmp(buf + HDR_BIN, p2 + HDR_BIN, hs - HDR_BIN)) {
		why_set(why, wlen, "%s", "the two LUKS2 header copies differ");
		return -EKEYREJECTED;
	}
primary_only:
checked:
	if (!memchr(buf + HDR_BIN, '\0', hs - HDR_BIN)) {
		why_set(why, wlen, "%s", "the LUKS2 JSON area is not terminated");
		return -EKEYREJECTED;
	}
	{
		char uuid[LEN_UUID + 1];

		memcpy(uuid, buf + OFF_UUID, LEN_UUID);
		uuid[LEN_UUID] = '\0';
		if (!cvmg_hdr_uuid_valid(uuid)) {
			why_set(why, wlen, "%s", "the LUKS2 UUID is not a canonical lowercase UUID");
			return -EKEYREJECTED;
		}
	}
	if (!EVP_Digest(buf, hs, digest, &dlen, EVP_sha256(), NULL))
		return -EIO;
	return 0;
}

/**
 * cvmg_hdr_read_copies() - read both header copies from @device and check them
 * @device: the device, opened read-only here (this never writes)
 * @digest: SHA-256 of the copy libcryptsetup will load
 * @json: when not NULL, receives the JSON area's text (malloc()ed) on success
 * @why: the reason for a refusal
 * @wlen: its size
 *
 * Return: as cvmg_hdr_check_copies(), or -ENXIO / -EIO when it cannot be read.
 */
int cvmg_hdr_read_copies(const char *device, uint8_t digest[32], char **json, char *why,
			 size_t wlen)
{
	uint8_t *buf = NULL, *nb;
	size_t have = 0, want = HDR_BIN, need = 0, used = 0;
	int fd, ret;

	fd = open(device, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ENXIO : -errno;
	for (;;) {
		nb = realloc(buf, want);
		if (!nb) {
			ret = -ENOMEM;
			break;
		}
		buf = nb;
		while (have < want) {
			ssize_t n = pread(fd, buf + have, want - have, (off_t)have);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			have += (size_t)n;
		}
		ret = cvmg_hdr_check_copies(buf, have, &need, digest, &used, why, wlen);
		if (!ret && json) {
			/* check_copies made sure the area holds a NUL. */
			*json = strdup((const char *)buf + used + HDR_BIN);
			if (!*json)
				ret = -ENOMEM;
		}
		if (ret != -EAGAIN)
			break;
		if (have < want || need <= want) {
			/* Too short a device for its own header. */
			why_set(why, wlen, "%s", "the device is shorter than its LUKS2 headers");
			ret = have < HDR_BIN ? -ENOENT : -EKEYREJECTED;
			break;
		}
		want = need;
	}
	free(buf);
	close(fd);
	return ret;
}

/**
 * cvmg_hdr_allow_default() - the built-in allow-list: aes-xts-plain64, 512-bit keys
 * @a: filled
 */
void cvmg_hdr_allow_default(struct cvmg_hdr_allow *a)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->c[0].spec, sizeof(a->c[0].spec), "aes-xts-plain64");
	a->c[0].key_bits = 512;
	a->n = 1;
}

/* Specs no configuration may allow: no cipher, one tweak for every sector, ECB. */
static bool spec_forbidden(const char *s)
{
	size_t n = strlen(s);

	return !strncmp(s, "cipher_null", 11) || strstr(s, "-ecb") || strstr(s, "capi:") ||
	       (n >= 5 && !strcmp(s + n - 5, "-null")) || !strchr(s, '-');
}

/**
 * cvmg_hdr_allow_parse() - add root's allow-list lines to @a
 * @text: lines "cipher SPEC KEYBITS" (e.g. "cipher aes-xts-plain64 256"), '#' comments
 * @a: the list, usually the default one first
 * @bad_line: the first bad line's number
 *
 * Return: 0, -EINVAL (bad line, a forbidden spec such as cipher_null, ECB or a null IV,
 * or too many entries).
 */
int cvmg_hdr_allow_parse(const char *text, struct cvmg_hdr_allow *a, unsigned int *bad_line)
{
	unsigned int line = 0;
	const char *p = text;

	*bad_line = 0;
	while (*p) {
		char buf[128], spec[48], extra[2];
		unsigned int bits;
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		char *h;
		int k;

		line++;
		if (n >= sizeof(buf))
			goto bad;
		memcpy(buf, p, n);
		buf[n] = '\0';
		p += n + (eol ? 1 : 0);
		h = strchr(buf, '#');
		if (h)
			*h = '\0';
		k = sscanf(buf, " cipher %47s %u %1s", spec, &bits, extra);
		if (k == EOF || (k <= 0 && strspn(buf, " \t\r") == strlen(buf)))
			continue;
		if (k != 2 || spec_forbidden(spec) || bits < 128 || bits > 1024 || bits % 8 ||
		    a->n >= CVMG_HDR_ALLOW_MAX)
			goto bad;
		for (h = spec; *h; h++)
			if (!islower((unsigned char)*h) && !isdigit((unsigned char)*h) && *h != '-' &&
			    *h != '_')
				goto bad;
		snprintf(a->c[a->n].spec, sizeof(a->c[a->n].spec), "%s", spec);
		a->c[a->n].key_bits = bits;
		a->n++;
	}
	return 0;
bad:
	*bad_line = line;
	return -EINVAL;
}

/**
 * cvmg_hdr_allow_load() - the default allow-list plus root's CVMG_HDR_POLICY_PATH
 * @a: filled
 *
 * The file counts only when it is owned by root and writable by nobody else; the
 * header itself can never extend the list.
 *
 * Return: 0 (also when the file does not exist), or -CVMG_ECONFIG after saying on
 * stderr what is wrong, as FILE:LINE: for a bad line (malformed, unreadable, or not
 * root's): a half-understood allow-list must not decide what opens.
 */
int cvmg_hdr_allow_load(struct cvmg_hdr_allow *a)
{
	char text[4096];
	struct stat st;
	unsigned int bad;
	ssize_t n;
	int fd, ret;

	cvmg_hdr_allow_default(a);
	fd = open(CVMG_HDR_POLICY_PATH, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0) {
		fprintf(stderr, "cvmguard: %s: %s\n", CVMG_HDR_POLICY_PATH,
			errno == ELOOP ? "a symlink (not followed)" : strerror(errno));
		return -CVMG_ECONFIG;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022)) {
		close(fd);
		fprintf(stderr, "cvmguard: %s: not a regular file owned by root and writable "
			"only by it\n", CVMG_HDR_POLICY_PATH);
		return -CVMG_ECONFIG;
	}
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n < 0 || n == (ssize_t)sizeof(text) - 1) {
		fprintf(stderr, "cvmguard: %s: %s\n", CVMG_HDR_POLICY_PATH,
			n < 0 ? strerror(errno) : "larger than 4095 bytes");
		return -CVMG_ECONFIG;
	}
	text[n] = '\0';
	if (strlen(text) != (size_t)n) {
		fprintf(stderr, "cvmguard: %s: contains a NUL byte\n", CVMG_HDR_POLICY_PATH);
		return -CVMG_ECONFIG;
	}
	ret = cvmg_hdr_allow_parse(text, a, &bad);
	if (ret) {
		fprintf(stderr, "cvmguard: %s:%u: not 'cipher SPEC KEYBITS' with an allowed SPEC "
			"(cipher_null, ECB, null IVs and capi: are never allowed; KEYBITS 128-1024, "
			"a multiple of 8; at most %d lines)\n", CVMG_HDR_POLICY_PATH, bad,
			CVMG_HDR_ALLOW_MAX - 1);
		return -CVMG_ECONFIG;
	}
	return 0;
}

static json_object *get(json_object *o, const char *key)
{
	json_object *v;

	return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static const char *get_str(json_object *o, const char *key)
{
	json_object *v = get(o, key);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static bool all_digits(const char *s)
{
	return s && *s && strspn(s, "0123456789") == strlen(s) && strlen(s) < 21;
}

/* Whether the JSON array @arr holds the string @s. */
static bool array_has(json_object *arr, const char *s)
{
	size_t i, n;

	if (!arr || !json_object_is_type(arr, json_type_array))
		return false;
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);

		if (json_object_is_type(e, json_type_string) && !strcmp(json_object_get_string(e), s))
			return true;
	}
	return false;
}

#define REFUSE(msg) do { why_set(why, wlen, "%s", msg); ret = -EKEYREJECTED; goto out; } while (0)

/**
 * cvmg_hdr_policy() - check loaded LUKS2 metadata against cvmguard's header policy
 * @json: the metadata, as crypt_dump_json() gives what libcryptsetup loaded
 * @uuid: the UUID libcryptsetup reports (crypt_get_uuid)
 * @keyslot: the keyslot the token opens; -1 for the checks that need no keyslot
 *           (the segment), made on the raw JSON before libcryptsetup loads it
 * @a: the allow-list
 * @p: the checked parameters, for the MAC
 * @why: the reason for a refusal
 * @wlen: its size
 *
 * Return: 0, -EKEYREJECTED outside the policy, -ENOMEM.
 */
int cvmg_hdr_policy(const char *json, const char *uuid, int keyslot,
		    const struct cvmg_hdr_allow *a, struct cvmg_hdr_params *p, char *why,
		    size_t wlen)
{
	json_object *o, *segs, *seg, *kss, *ks, *digests, *cfg, *v;
	const char *type, *enc, *s;
	char slot[16];
	int64_t ss, kbytes;
	bool bound = false, allowed = false;
	size_t i;
	int ret = 0;

	memset(p, 0, sizeof(*p));
	p->keyslot = keyslot;
	o = json_tokener_parse(json);
	if (!o || !json_object_is_type(o, json_type_object))
		REFUSE("the LUKS2 metadata is not a JSON object");
	if (!cvmg_hdr_uuid_valid(uuid))
		REFUSE("the UUID is not a canonical lowercase UUID");
	memcpy(p->uuid, uuid, CVMG_HDR_UUID_LEN + 1);

	segs = get(o, "segments");
	if (!segs || !json_object_is_type(segs, json_type_object) ||
	    json_object_object_length(segs) != 1 || !(seg = get(segs, "0")))
		REFUSE("not exactly one segment (\"0\")");
	type = get_str(seg, "type");
	if (!type || strcmp(type, "crypt"))
		REFUSE("the segment is not of type crypt");
	if (get(seg, "integrity"))
		REFUSE("the segment has an integrity section (not in the policy)");
	v = get(seg, "flags");
	if (v && (!json_object_is_type(v, json_type_array) || json_object_array_length(v)))
		REFUSE("the segment has flags (reencryption or backup)");
	cfg = get(o, "config");
	if (get(cfg, "requirements"))
		REFUSE("the header has requirements (reencryption in progress)");
	s = get_str(seg, "iv_tweak");
	if (!s || strcmp(s, "0"))
		REFUSE("the segment's iv_tweak is not 0");
	snprintf(p->iv_tweak, sizeof(p->iv_tweak), "%s", s);
	s = get_str(seg, "offset");
	if (!all_digits(s))
		REFUSE("the segment's offset is not a number");
	snprintf(p->offset, sizeof(p->offset), "%s", s);
	s = get_str(seg, "size");
	if (!s || (strcmp(s, "dynamic") && !all_digits(s)))
		REFUSE("the segment's size is not a number or dynamic");
	snprintf(p->size, sizeof(p->size), "%s", s);
	v = get(seg, "sector_size");
	if (!v || !json_object_is_type(v, json_type_int))
		REFUSE("the segment has no sector size");
	ss = json_object_get_int64(v);
	if (ss != 512 && ss != 1024 && ss != 2048 && ss != 4096)
		REFUSE("the segment's sector size is not 512, 1024, 2048 or 4096");
	p->sector_size = (unsigned int)ss;
	enc = get_str(seg, "encryption");
	if (!enc || strlen(enc) >= sizeof(p->encryption))
		REFUSE("the segment has no encryption");
	snprintf(p->encryption, sizeof(p->encryption), "%s", enc);

	if (keyslot < 0) {
		/* Before libcryptsetup parses it: the segment's cipher, any key size. */
		for (i = 0; i < a->n; i++)
			if (!strcmp(a->c[i].spec, enc))
				allowed = true;
		if (!allowed) {
			if (why && wlen)
				snprintf(why, wlen, "cipher %s is not in the allow-list", enc);
			ret = -EKEYREJECTED;
		}
		goto out;
	}
	snprintf(slot, sizeof(slot), "%d", keyslot);
	kss = get(o, "keyslots");
	ks = get(kss, slot);
	if (!ks)
		REFUSE("the token's keyslot does not exist");
	type = get_str(ks, "type");
	if (!type || strcmp(type, "luks2"))
		REFUSE("the token's keyslot is not a luks2 keyslot");
	v = get(ks, "key_size");
	if (!v || !json_object_is_type(v, json_type_int))
		REFUSE("the token's keyslot has no key size");
	kbytes = json_object_get_int64(v);
	if (kbytes <= 0 || kbytes > 128)
		REFUSE("the token's keyslot has an invalid key size");
	p->key_bits = (unsigned int)kbytes * 8;

	digests = get(o, "digests");
	if (digests && json_object_is_type(digests, json_type_object)) {
		json_object_object_foreach(digests, dk, dv) {
			(void)dk;
			if (array_has(get(dv, "segments"), "0") && array_has(get(dv, "keyslots"), slot))
				bound = true;
		}
	}
	if (!bound)
		REFUSE("no digest binds the token's keyslot to the segment");
	for (i = 0; i < a->n; i++)
		if (!strcmp(a->c[i].spec, enc) && a->c[i].key_bits == p->key_bits)
			allowed = true;
	if (!allowed) {
		if (why && wlen)
			snprintf(why, wlen, "cipher %s with a %u-bit key is not in the allow-list",
				 enc, p->key_bits);
		ret = -EKEYREJECTED;
		goto out;
	}
out:
	json_object_put(o);
	return ret;
}

/**
 * cvmg_hdr_canonical() - the text the header MAC covers
 * @p: parameters from cvmg_hdr_policy()
 * @counter: the token's rotation counter
 * @buf: output
 * @len: its size
 *
 * Return: the length, or -ENOSPC.
 */
int cvmg_hdr_canonical(const struct cvmg_hdr_params *p, uint64_t counter, char *buf, size_t len)
{
	int n = snprintf(buf, len,
			 "cvmguard-header-v1\nuuid=%s\nsegment=0 crypt\nencryption=%s\n"
			 "key_bits=%u\nsector_size=%u\noffset=%s\nsize=%s\niv_tweak=%s\n"
			 "keyslot=%d\ncounter=%llu\n",
			 p->uuid, p->encryption, p->key_bits, p->sector_size, p->offset, p->size,
			 p->iv_tweak, p->keyslot, (unsigned long long)counter);

	return n < 0 || (size_t)n >= len ? -ENOSPC : n;
}

/* HKDF-SHA256 of the sealed secret: salt "cvmguard", @info, @len bytes. */
static int hkdf(const uint8_t *secret, size_t slen, const char *info, uint8_t *out, size_t len)
{
	static const char salt[] = "cvmguard";
	size_t olen = len;
	EVP_PKEY_CTX *pc;
	int ok;

	pc = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
	ok = pc && EVP_PKEY_derive_init(pc) > 0 &&
	     EVP_PKEY_CTX_set_hkdf_md(pc, EVP_sha256()) > 0 &&
	     EVP_PKEY_CTX_set1_hkdf_salt(pc, (const unsigned char *)salt, sizeof(salt) - 1) > 0 &&
	     EVP_PKEY_CTX_set1_hkdf_key(pc, secret, (int)slen) > 0 &&
	     EVP_PKEY_CTX_add1_hkdf_info(pc, (const unsigned char *)info, (int)strlen(info)) > 0 &&
	     EVP_PKEY_derive(pc, out, &olen) > 0 && olen == len;
	EVP_PKEY_CTX_free(pc);
	return ok ? 0 : -EIO;
}

/**
 * cvmg_hdr_mac() - HMAC-SHA256 of @canon under a key derived from the sealed secret
 * @secret: the unsealed secret
 * @slen: its length
 * @canon: from cvmg_hdr_canonical()
 * @mac: output
 *
 * The key is HKDF-SHA256(secret, salt "cvmguard", info "luks2 header mac v1"), so the
 * keyslot passphrase (base64 of the secret) and the MAC key are independent.
 *
 * Return: 0 or -EIO.
 */
int cvmg_hdr_mac(const uint8_t *secret, size_t slen, const char *canon,
		 uint8_t mac[CVMG_HDR_MAC_LEN])
{
	uint8_t key[32];
	unsigned int mlen = 0;
	int ok;

	ok = !hkdf(secret, slen, "luks2 header mac v1", key, sizeof(key));
	if (ok)
		ok = HMAC(EVP_sha256(), key, sizeof(key), (const unsigned char *)canon,
			  strlen(canon), mac, &mlen) && mlen == CVMG_HDR_MAC_LEN;
	explicit_bzero(key, sizeof(key));
	return ok ? 0 : -EIO;
}

/**
 * cvmg_hdr_tag() - a volume's tag in the TPM's rollback record (tpm_nv.c)
 * @secret: the volume key
 * @slen: its length
 * @tag: CVMG_HDR_TAG_LEN bytes, HKDF-SHA256 with info "nv tag v1"
 *
 * Return: 0 or -EIO.
 */
int cvmg_hdr_tag(const uint8_t *secret, size_t slen, uint8_t tag[CVMG_HDR_TAG_LEN])
{
	return hkdf(secret, slen, "nv tag v1", tag, CVMG_HDR_TAG_LEN);
}
