// SPDX-License-Identifier: GPL-2.0-only
/*
 * One bounded HTTP request with libcurl (the contract is in fetch.h).
 *
 * IMDS (169.254.169.254) is link-local and answers only requests that carry
 * `Metadata: true`; a proxy cannot reach it and must not see it, so an IMDS
 * request ignores every proxy setting (CURLOPT_PROXY "" and NOPROXY "*"), the
 * environment's http_proxy included. Other requests (AMD KDS) use the proxy the
 * environment names, as curl does. No request follows a redirect or speaks
 * anything but HTTP and HTTPS.
 */
#include <errno.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "cvmguard.h"
#include "fetch.h"

#ifndef CVMGUARD_VERSION
#define CVMGUARD_VERSION "unknown"
#endif

struct body {
	uint8_t *buf;
	size_t len, cap, max;
	bool too_big;
};

#define HDR_MAX		(32u << 10)	/* one response header's value */

struct hdrs {
	struct fetch_hdr *h;
	size_t n;
};

/* Response headers: keep the value of each one asked for (the last, if repeated). */
static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct hdrs *hs = arg;
	size_t len = size * n, i, nl, vl;
	const char *v;

	for (i = 0; i < hs->n; i++) {
		nl = strlen(hs->h[i].name);
		if (len <= nl || p[nl] != ':' || strncasecmp(p, hs->h[i].name, nl))
			continue;
		v = p + nl + 1;
		vl = len - nl - 1;
		while (vl && (*v == ' ' || *v == '\t'))
			v++, vl--;
		while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
			vl--;
		free(hs->h[i].value);
		hs->h[i].value = vl <= HDR_MAX ? strndup(v, vl) : NULL;
		if (!hs->h[i].value)
			return 0;	/* out of memory or oversize: the transfer fails */
	}
	return len;
}

static void hdrs_reset(struct hdrs *hs)
{
	size_t i;

	for (i = 0; i < hs->n; i++) {
		free(hs->h[i].value);
		hs->h[i].value = NULL;
	}
}

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
	struct body *b = arg;
	size_t add = size * n;
	uint8_t *nb;

	if (add > b->max - b->len) {
		b->too_big = true;
		return 0;	/* CURLE_WRITE_ERROR: the transfer stops here */
	}
	if (b->len + add + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 8192;

		while (cap < b->len + add + 1)
			cap *= 2;
		nb = realloc(b->buf, cap);
		if (!nb)
			return 0;
		b->buf = nb;
		b->cap = cap;
	}
	memcpy(b->buf + b->len, p, add);
	b->len += add;
	b->buf[b->len] = 0;	/* JSON answers are parsed as strings */
	return add;
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void sleep_ms(long long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&t, &t) && errno == EINTR)
		;
}

/* A 5xx, a 429 or a transport failure may pass; anything else is the answer. */
static bool retryable(CURLcode cc, long http, bool too_big)
{
	if (too_big)
		return false;
	if (cc != CURLE_OK)
		return cc != CURLE_UNSUPPORTED_PROTOCOL && cc != CURLE_URL_MALFORMAT;
	return http >= 500 || http == 429;
}

/**
 * fetch_cache_mkdir() - make a cache directory and one entry directory below it
 * @top: the cache directory (--cache-dir, or the default)
 * @sub: the entry's directory, below @top
 *
 * Return: 0 when both exist afterwards, else -errno.
 */
int fetch_cache_mkdir(const char *top, const char *sub)
{
	if ((mkdir(top, 0755) && errno != EEXIST) || (mkdir(sub, 0755) && errno != EEXIST))
		return -errno;
	return 0;
}

/**
 * fetch_http() - GET (or POST @post_json) one URL within a time budget
 * @url: http:// or https://
 * @post_json: a JSON body to POST, or NULL for a GET
 * @imds: an instance metadata request: `Metadata: true`, never through a proxy
 * @budget_ms: the total time all attempts may take
 * @out: receives the body (NUL-terminated, not counted in @len); the caller frees
 * @len: receives the body's length
 * @e: receives the URL and what went wrong
 *
 * Only an HTTP 200 whose body fits in FETCH_MAX_SIZE is an answer.
 *
 * Return: 0, -ENOMEM, -EFBIG for an oversize body, -EIO for anything else.
 */
int fetch_http(const char *url, const char *post_json, bool imds, unsigned int budget_ms,
	       uint8_t **out, size_t *len, struct fetch_err *e)
{
	return fetch_http_hdr(url, post_json, imds, budget_ms, NULL, 0, out, len, e);
}

/**
 * fetch_http_hdr() - fetch_http(), keeping some response headers
 * @url: as fetch_http()
 * @post_json: as fetch_http()
 * @imds: as fetch_http()
 * @budget_ms: as fetch_http()
 * @want: the headers to keep (name matched without case); each value is set to a
 *        malloc'ed copy of the header of the answer returned, or NULL when it had
 *        none (the caller frees them, whatever the result)
 * @nwant: how many
 * @out: as fetch_http()
 * @len: as fetch_http()
 * @e: as fetch_http()
 *
 * Return: as fetch_http().
 */
int fetch_http_hdr(const char *url, const char *post_json, bool imds, unsigned int budget_ms,
		   struct fetch_hdr *want, size_t nwant, uint8_t **out, size_t *len,
		   struct fetch_err *e)
{
	struct hdrs hs = { want, nwant };
	char errbuf[CURL_ERROR_SIZE];
	struct curl_slist *hdrs = NULL;
	struct body b = { .max = FETCH_MAX_SIZE };
	long long deadline = now_ms() + budget_ms, left;
	CURLcode cc = CURLE_OK;
	long http = 0;
	CURL *c = NULL;
	int attempt, ret = -EIO;

	*out = NULL;
	*len = 0;
	snprintf(e->url, sizeof(e->url), "%s", url);
	e->http = 0;
	e->msg[0] = 0;
	if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
		snprintf(e->msg, sizeof(e->msg), "%s: libcurl does not initialise", url);
		return -EIO;
	}
	c = curl_easy_init();
	if (imds)
		hdrs = curl_slist_append(hdrs, "Metadata: true");
	if (post_json)
		hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
	if (!c || ((imds || post_json) && !hdrs)) {
		ret = -ENOMEM;
		snprintf(e->msg, sizeof(e->msg), "%s: out of memory", url);
		goto out;
	}
	for (attempt = 1; attempt <= FETCH_ATTEMPTS; attempt++) {
		left = deadline - now_ms();
		if (left <= 0)
			break;
		curl_easy_reset(c);
		errbuf[0] = 0;
		b.len = 0;
		b.too_big = false;
		hdrs_reset(&hs);
		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
		curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
		curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
		curl_easy_setopt(c, CURLOPT_USERAGENT, "cvmguard/" CVMGUARD_VERSION);
		/* What is left, shared among the attempts still to come. */
		curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(left / (FETCH_ATTEMPTS - attempt + 1)));
		curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
				 (long)(left / (FETCH_ATTEMPTS - attempt + 1)));
		curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)FETCH_MAX_SIZE);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
		if (nwant) {
			curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
			curl_easy_setopt(c, CURLOPT_HEADERDATA, &hs);
		}
		if (hdrs)
			curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
		if (imds) {
			curl_easy_setopt(c, CURLOPT_PROXY, "");
			curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
		}
		if (post_json)
			curl_easy_setopt(c, CURLOPT_POSTFIELDS, post_json);
		cc = curl_easy_perform(c);
		http = 0;
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &http);
		if (cc == CURLE_FILESIZE_EXCEEDED)
			b.too_big = true;
		cvmg_dbg("%s: attempt %d: %s, HTTP %ld", url, attempt,
			 cc ? curl_easy_strerror(cc) : "ok", http);
		if (cc == CURLE_OK && http == 200) {
			ret = 0;
			break;
		}
		if (!retryable(cc, http, b.too_big) || attempt == FETCH_ATTEMPTS)
			break;
		left = deadline - now_ms();
		sleep_ms(left < (200LL << attempt) ? (left > 0 ? left : 0) : (200LL << attempt));
	}
	e->http = http;
	if (!ret) {
		*out = b.buf;
		*len = b.len;
		b.buf = NULL;
	} else if (b.too_big) {
		ret = -EFBIG;
		snprintf(e->msg, sizeof(e->msg), "%s: the answer is larger than %u bytes",
			 url, FETCH_MAX_SIZE);
	} else if (cc != CURLE_OK) {
		snprintf(e->msg, sizeof(e->msg), "%s: %s (%d attempts in %u ms at most)", url,
			 errbuf[0] ? errbuf : curl_easy_strerror(cc),
			 attempt > FETCH_ATTEMPTS ? FETCH_ATTEMPTS : attempt, budget_ms);
	} else if (http) {
		snprintf(e->msg, sizeof(e->msg), "%s: HTTP %ld", url, http);
	} else {
		snprintf(e->msg, sizeof(e->msg), "%s: no answer within %u ms", url, budget_ms);
	}
out:
	if (ret)
		hdrs_reset(&hs);
	free(b.buf);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	curl_global_cleanup();
	return ret;
}

/**
 * fetch_opts_init() - the defaults, with the environment's overrides
 * @o: the options to fill
 *
 * $CVMGUARD_CERT_CACHE names the cache, $CVMGUARD_IMDS_URL and $CVMGUARD_KDS_URL
 * the services (tests point them at a local server).
 */
void fetch_opts_init(struct fetch_opts *o)
{
	const char *s;

	memset(o, 0, sizeof(*o));
	o->source = FETCH_SRC_THIM;
	s = getenv("CVMGUARD_IMDS_URL");
	o->imds_url = s && *s ? s : FETCH_IMDS_URL;
	s = getenv("CVMGUARD_KDS_URL");
	o->kds_url = s && *s ? s : FETCH_KDS_URL;
	s = getenv("CVMGUARD_CERT_CACHE");
	o->cache_dir = s && *s ? s : FETCH_CACHE_DIR;
	o->budget_ms = FETCH_BUDGET_MS;
	o->product = SNP_PRODUCT_UNKNOWN;
}
