// SPDX-License-Identifier: GPL-2.0-only
/*
 * Where AMD certificates come from besides files named on the command line:
 *
 * - the extended-report certificate table (GHCB spec, SNP_GUEST_REQUEST with
 *   certificates): entries of { u8 guid[16]; u32 offset; u32 length; } (integers
 *   little-endian, offsets from the start of the table), ended by an all-zero
 *   entry, each pointing at one DER certificate. The GUIDs are written in text
 *   order by AMD's tools and in the mixed-endian EFI order by others; both are
 *   accepted.
 * - a local cache directory laid out like AMD's KDS paths:
 *     DIR/PRODUCT/cert_chain.pem                    ASK then ARK (KDS cert_chain)
 *     DIR/PRODUCT/vcek-CHIPID-TCB.der (or .pem)     CHIPID: 128 hex digits,
 *                                                   TCB: reported_tcb, 16 hex digits
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amd_certs.h"
#include "cvmguard.h"

#define CERTTABLE_ENTRY	24

static const struct {
	enum amd_cert_kind kind;
	uint8_t guid[16];	/* text order */
} known_guids[] = {
	{ AMD_CERT_VCEK, { 0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64, 0x45, 0x64,
			   0xad, 0xc5, 0xf4, 0xb9, 0x3b, 0xe8, 0xac, 0xcd } },
	{ AMD_CERT_VLEK, { 0xa8, 0x07, 0x4b, 0xc2, 0xa2, 0x5a, 0x48, 0x3e,
			   0xaa, 0xe6, 0x39, 0xc0, 0x45, 0xa0, 0xb8, 0xa1 } },
	{ AMD_CERT_ASK, { 0x4a, 0xb7, 0xb3, 0x79, 0xbb, 0xac, 0x4f, 0xe4,
			  0xa0, 0x2f, 0x05, 0xae, 0xf3, 0x27, 0xc7, 0x82 } },
	{ AMD_CERT_ARK, { 0xc0, 0xb4, 0x06, 0xa4, 0xa8, 0x03, 0x49, 0x52,
			  0x97, 0x43, 0x3f, 0xb6, 0x01, 0x4c, 0xd0, 0xae } },
};

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* The EFI (mixed-endian) byte order of a GUID given in text order. */
static void guid_swap(const uint8_t in[16], uint8_t out[16])
{
	static const uint8_t map[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
	int i;

	for (i = 0; i < 16; i++)
		out[i] = in[map[i]];
}

/**
 * amd_certtable_kind() - which certificate a table GUID names
 * @guid: the entry's 16 GUID bytes, in either byte order
 *
 * Return: the kind, or AMD_CERT_OTHER.
 */
enum amd_cert_kind amd_certtable_kind(const uint8_t guid[16])
{
	uint8_t swapped[16];
	size_t i;

	for (i = 0; i < sizeof(known_guids) / sizeof(known_guids[0]); i++) {
		guid_swap(known_guids[i].guid, swapped);
		if (!memcmp(guid, known_guids[i].guid, 16) || !memcmp(guid, swapped, 16))
			return known_guids[i].kind;
	}
	return AMD_CERT_OTHER;
}

/**
 * amd_certtable_parse() - split an extended-report certificate table
 * @buf: the table, as returned with the report
 * @len: its length
 * @ents: receives up to @max entries
 * @max: room in @ents
 * @n: receives the number of entries before the terminator
 *
 * Every entry must lie inside @buf and the table must be terminated.
 *
 * Return: 0, -EBADMSG, or -E2BIG when there are more than @max entries.
 */
int amd_certtable_parse(const uint8_t *buf, size_t len, struct amd_certtable_entry *ents,
			size_t max, size_t *n)
{
	static const uint8_t zero[CERTTABLE_ENTRY];
	size_t off;

	*n = 0;
	for (off = 0; off + CERTTABLE_ENTRY <= len; off += CERTTABLE_ENTRY) {
		const uint8_t *e = buf + off;
		uint32_t o, l;

		if (!memcmp(e, zero, CERTTABLE_ENTRY))
			return 0;
		if (*n == max)
			return -E2BIG;
		o = get32(e + 16);
		l = get32(e + 20);
		if (!l || o < off + CERTTABLE_ENTRY || o > len || l > len - o)
			return -EBADMSG;
		memcpy(ents[*n].guid, e, 16);
		ents[*n].offset = o;
		ents[*n].length = l;
		(*n)++;
	}
	return -EBADMSG;
}

/**
 * amd_certtable_get() - the certificate of one kind from a certificate table
 * @buf: the table
 * @len: its length
 * @kind: AMD_CERT_VCEK, _VLEK, _ASK or _ARK
 * @out: receives the certificate (X509_free() it)
 *
 * Return: 0, -ENOENT when the table has none, -EBADMSG.
 */
int amd_certtable_get(const uint8_t *buf, size_t len, enum amd_cert_kind kind, X509 **out)
{
	struct amd_certtable_entry ents[16];
	size_t n, i;
	int ret;

	*out = NULL;
	ret = amd_certtable_parse(buf, len, ents, 16, &n);
	if (ret)
		return ret;
	for (i = 0; i < n; i++)
		if (amd_certtable_kind(ents[i].guid) == kind)
			return amd_cert_parse(buf + ents[i].offset, ents[i].length, out);
	return -ENOENT;
}

static int load_cert(const char *path, X509 **out)
{
	uint8_t *buf = NULL;
	size_t len;
	int ret;

	ret = cvmg_read_file(path, &buf, &len, 1 << 20);
	if (!ret)
		ret = amd_cert_parse(buf, len, out);
	free(buf);
	return ret;
}

/**
 * amd_cache_load() - look up certificates for a report in a cache directory
 * @dir: the cache directory (layout in the comment at the top of this file)
 * @prod: the report's product
 * @r: the report (CHIP_ID and reported_tcb name the VCEK)
 * @vcek: receives the VCEK, or NULL when not cached (may itself be NULL)
 * @ask: receives the ASK, or NULL (may itself be NULL)
 * @ark: receives the ARK, or NULL (may itself be NULL)
 *
 * Missing files are not an error; the caller decides what it needed.
 *
 * Return: 0, or -EBADMSG when a cached file does not parse.
 */
int amd_cache_load(const char *dir, enum snp_product prod, const struct snp_report *r,
		   X509 **vcek, X509 **ask, X509 **ark)
{
	char chip[129], *path = NULL;
	const char *pname = snp_product_name(prod);
	uint8_t *buf = NULL;
	X509 *certs[2] = { NULL, NULL };
	size_t len, n = 0;
	int ret = 0;

	if (vcek)
		*vcek = NULL;
	if (ask)
		*ask = NULL;
	if (ark)
		*ark = NULL;
	cvmg_hex_encode(r->chip_id, sizeof(r->chip_id), chip);
	if (vcek) {
		if (asprintf(&path, "%s/%s/vcek-%s-%016llx.der", dir, pname, chip,
			     (unsigned long long)r->reported_tcb) < 0)
			return -ENOMEM;
		ret = load_cert(path, vcek);
		if (ret == -ENOENT) {
			strcpy(path + strlen(path) - 3, "pem");
			ret = load_cert(path, vcek);
		}
		free(path);
		path = NULL;
		if (ret && ret != -ENOENT)
			return ret;
	}
	if (asprintf(&path, "%s/%s/cert_chain.pem", dir, pname) < 0)
		return -ENOMEM;
	ret = cvmg_read_file(path, &buf, &len, 1 << 20);
	if (ret == -ENOENT) {
		ret = 0;
		goto out;
	}
	if (!ret)
		ret = amd_chain_parse_pem(buf, len, certs, 2, &n);
	if (ret)
		goto out;
	if (ask)
		*ask = certs[0], certs[0] = NULL;
	if (ark && n > 1)
		*ark = certs[1], certs[1] = NULL;
out:
	X509_free(certs[0]);
	X509_free(certs[1]);
	free(buf);
	free(path);
	if (ret && vcek) {
		X509_free(*vcek);
		*vcek = NULL;
	}
	return ret;
}
