// SPDX-License-Identifier: GPL-2.0-only
/*
 * Intel PCS v4 answers, as a PCCS serves them (contract in pcs_parse.h). Parsers
 * of what the host sends: every function refuses what is not exactly the shape.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "cvmguard.h"
#include "pcs_parse.h"

/**
 * pcs_url_decode() - %XX decoding of a header value ('+' stays: it is base64's)
 * @s: the value
 *
 * Return: a malloc'ed string, or NULL for a bad or NUL escape (or no memory).
 */
char *pcs_url_decode(const char *s)
{
	char *out = malloc(strlen(s) + 1), *p = out;
	unsigned int x;

	if (!out)
		return NULL;
	for (; *s; s++) {
		if (*s != '%') {
			*p++ = *s;
			continue;
		}
		if (!s[1] || !s[2] || sscanf(s + 1, "%2x", &x) != 1 || !x ||
		    !strchr("0123456789abcdefABCDEF", s[1]) || !strchr("0123456789abcdefABCDEF", s[2])) {
			free(out);
			return NULL;
		}
		*p++ = (char)x;
		s += 2;
	}
	*p = 0;
	return out;
}

/* Past white space. */
static const char *ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

/* Past one JSON string (at its opening quote); NULL when unterminated. */
static const char *skip_string(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '\\')
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return NULL;
}

/* Past one JSON value, nesting and strings followed; NULL when it does not end. */
static const char *skip_value(const char *p, const char *end)
{
	int depth = 0;

	do {
		if (p >= end)
			return NULL;
		if (*p == '"') {
			p = skip_string(p, end);
			if (!p)
				return NULL;
			continue;
		}
		if (*p == '{' || *p == '[') {
			depth++;
		} else if (*p == '}' || *p == ']') {
			if (--depth < 0)
				return NULL;
		} else if (!depth && (*p == ',' || *p == ' ' || *p == '\t' || *p == '\r' ||
				      *p == '\n')) {
			return p;
		}
		p++;
	} while (depth);
	return p;
}

/**
 * pcs_signed_body() - {"KEY": {...}, "signature": "hex"} as PCS serves it
 * @body: the answer, NUL-terminated after @len bytes
 * @len: its length
 * @key: "tcbInfo" or "enclaveIdentity"
 * @raw: receives the exact text of KEY's object (what the signature covers)
 * @sig: receives the signature (r||s, from 128 hex digits)
 *
 * Exactly those two keys, each once; the document must parse as JSON in full,
 * with nothing but white space after it.
 *
 * Return: 0, -EBADMSG or -ENOMEM.
 */
int pcs_signed_body(const uint8_t *body, size_t len, const char *key, char **raw,
		       uint8_t sig[64])
{
	const char *s = (const char *)body, *end = s + len, *p, *k, *v = NULL, *ve = NULL;
	struct json_tokener *tok;
	json_object *o = NULL, *val;
	size_t w, nkeys = 0;
	int ret = -EBADMSG;

	*raw = NULL;
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	if (!len || strlen(s) != len)
		goto out;
	o = json_tokener_parse_ex(tok, s, (int)len);
	if (!o || !json_object_is_type(o, json_type_object) || json_object_object_length(o) != 2 ||
	    !json_object_object_get_ex(o, key, &val) || !json_object_is_type(val, json_type_object) ||
	    !json_object_object_get_ex(o, "signature", &val) ||
	    !json_object_is_type(val, json_type_string) ||
	    strlen(json_object_get_string(val)) != 128 ||
	    cvmg_hex_decode(json_object_get_string(val), sig, 64, &w) || w != 64 ||
	    ws(s + json_tokener_get_parse_end(tok), end) != end)
		goto out;
	/* The span of KEY's value in the text: a top-level walk of the object. */
	p = ws(s, end);
	if (p == end || *p != '{')
		goto out;
	p = ws(p + 1, end);
	while (p < end && *p == '"') {
		k = p;
		p = skip_string(p, end);
		if (!p)
			goto out;
		nkeys++;
		if ((size_t)(p - k) == strlen(key) + 2 && !memcmp(k + 1, key, strlen(key))) {
			if (v)
				goto out;	/* the key twice: which one is signed? */
			p = ws(p, end);
			if (p == end || *p != ':')
				goto out;
			v = ws(p + 1, end);
			ve = skip_value(v, end);
			p = ve;
		} else {
			p = ws(p, end);
			if (p == end || *p != ':')
				goto out;
			p = skip_value(ws(p + 1, end), end);
		}
		if (!p)
			goto out;
		p = ws(p, end);
		if (p < end && *p == ',')
			p = ws(p + 1, end);
		else
			break;
	}
	if (!v || !ve || nkeys != 2 || p == end || *p != '}' || *v != '{')
		goto out;
	*raw = strndup(v, (size_t)(ve - v));
	ret = *raw ? 0 : -ENOMEM;
out:
	json_object_put(o);
	json_tokener_free(tok);
	return ret;
}

/**
 * pcs_crl_parse() - a CRL as DER, PEM or hex text of DER (a PCCS answers in hex)
 * @b: the answer, NUL-terminated after @len bytes
 * @len: its length
 * @crl: receives the CRL (nothing else may follow the DER)
 *
 * Return: 0 or -EBADMSG.
 */
int pcs_crl_parse(const uint8_t *b, size_t len, X509_CRL **crl)
{
	const unsigned char *p = b;
	uint8_t *der = NULL;
	size_t l = len, w;
	BIO *bio;

	*crl = NULL;
	if (len && b[0] == 0x30) {
		*crl = d2i_X509_CRL(NULL, &p, (long)len);
		if (*crl && p != b + len) {
			X509_CRL_free(*crl);
			*crl = NULL;
		}
	} else if (len > 10 && !memcmp(b, "-----BEGIN", 10)) {
		bio = BIO_new_mem_buf(b, (int)len);
		*crl = bio ? PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL) : NULL;
		BIO_free(bio);
	} else {
		while (l && (b[l - 1] == '\n' || b[l - 1] == '\r' || b[l - 1] == ' '))
			l--;
		if (l && !(l % 2) && strlen((const char *)b) == len && (der = malloc(l / 2))) {
			char *h = strndup((const char *)b, l);

			if (h && !cvmg_hex_decode(h, der, l / 2, &w) && w == l / 2) {
				p = der;
				*crl = d2i_X509_CRL(NULL, &p, (long)w);
				if (*crl && p != der + w) {
					X509_CRL_free(*crl);
					*crl = NULL;
				}
			}
			free(h);
		}
		free(der);
	}
	ERR_clear_error();
	return *crl ? 0 : -EBADMSG;
}

/**
 * pcs_crl_hex() - a CRL's DER as hex, as the collateral JSON keeps it
 * @crl: the CRL
 *
 * Return: a malloc'ed string, or NULL.
 */
char *pcs_crl_hex(X509_CRL *crl)
{
	unsigned char *der = NULL;
	char *hex = NULL;
	int l = i2d_X509_CRL(crl, &der);

	if (l > 0 && (hex = malloc(2 * (size_t)l + 1)))
		cvmg_hex_encode(der, (size_t)l, hex);
	OPENSSL_free(der);
	return hex;
}
