// SPDX-License-Identifier: GPL-2.0-only
/*
 * Evidence bundle (Documentation/bundle.rst):
 *
 *   u8  magic[8] = "CVMGBNDL"
 *   u32 version = 1
 *   u32 count             number of sections
 *   count x { u32 type; u32 length; u8 data[length]; }
 *
 * Integers little-endian; no padding; nothing may follow the last section. Each
 * type appears at most once. Unknown types are skipped unless their bit 31 (the
 * critical bit) is set, so later versions can add optional sections.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static bool known(uint32_t type)
{
	return type >= BUNDLE_HCL_REPORT && type <= BUNDLE_DCAP_COLLATERAL;
}

/**
 * bundle_parse() - split an evidence bundle into its sections
 * @buf: the bundle
 * @len: its length
 * @b: filled in; section pointers point into @buf
 *
 * Return: 0, -EBADMSG for a bad magic, a truncated section, trailing bytes, a
 * repeated type or an unknown critical section, -EPROTONOSUPPORT for another
 * version.
 */
int bundle_parse(const uint8_t *buf, size_t len, struct bundle *b)
{
	size_t off = BUNDLE_HDR_SIZE;
	uint32_t count, i, j;

	memset(b, 0, sizeof(*b));
	if (len < BUNDLE_HDR_SIZE || memcmp(buf, BUNDLE_MAGIC, 8))
		return -EBADMSG;
	b->version = get32(buf + 8);
	count = get32(buf + 12);
	if (b->version != BUNDLE_VERSION)
		return -EPROTONOSUPPORT;
	if (count > BUNDLE_MAX_SECTIONS)
		return -EBADMSG;
	for (i = 0; i < count; i++) {
		uint32_t type, slen;

		if (len - off < 8)
			return -EBADMSG;
		type = get32(buf + off);
		slen = get32(buf + off + 4);
		off += 8;
		if (slen > len - off)
			return -EBADMSG;
		if (!known(type) && (type & BUNDLE_CRITICAL))
			return -EBADMSG;
		for (j = 0; j < b->n; j++)
			if (b->s[j].type == type)
				return -EBADMSG;
		b->s[b->n].type = type;
		b->s[b->n].data = buf + off;
		b->s[b->n].len = slen;
		b->n++;
		off += slen;
	}
	return off == len ? 0 : -EBADMSG;
}

/**
 * bundle_get() - a section by type
 * @b: a parsed bundle
 * @type: enum bundle_section
 *
 * Return: the section, or NULL when the bundle has none.
 */
const struct bundle_section_ref *bundle_get(const struct bundle *b, uint32_t type)
{
	uint32_t i;

	for (i = 0; i < b->n; i++)
		if (b->s[i].type == type)
			return &b->s[i];
	return NULL;
}

/**
 * bundle_write() - serialize a bundle
 * @b: version is ignored (BUNDLE_VERSION is written); sections in order
 * @out: receives a malloc'ed buffer (free() it)
 * @len: receives its length
 *
 * Return: 0, -EINVAL for a repeated type or too many sections, -ENOMEM.
 */
int bundle_write(const struct bundle *b, uint8_t **out, size_t *len)
{
	size_t total = BUNDLE_HDR_SIZE, off;
	uint32_t i, j;
	uint8_t *p;

	if (b->n > BUNDLE_MAX_SECTIONS)
		return -EINVAL;
	for (i = 0; i < b->n; i++) {
		for (j = 0; j < i; j++)
			if (b->s[j].type == b->s[i].type)
				return -EINVAL;
		total += 8 + b->s[i].len;
	}
	p = malloc(total);
	if (!p)
		return -ENOMEM;
	memcpy(p, BUNDLE_MAGIC, 8);
	put32(p + 8, BUNDLE_VERSION);
	put32(p + 12, b->n);
	off = BUNDLE_HDR_SIZE;
	for (i = 0; i < b->n; i++) {
		put32(p + off, b->s[i].type);
		put32(p + off + 4, b->s[i].len);
		if (b->s[i].len)
			memcpy(p + off + 8, b->s[i].data, b->s[i].len);
		off += 8 + b->s[i].len;
	}
	*out = p;
	*len = total;
	return 0;
}
