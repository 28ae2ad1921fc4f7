// SPDX-License-Identifier: GPL-2.0-only
/*
 * /etc/cvmguard/fetch.conf (or $CVMGUARD_FETCH_CONF) and the PCCS base URL.
 *
 *   # the PCCS DCAP collateral is fetched from (Intel PCS v4 API)
 *   pccs-url = https://pccs.example.com/sgx/certification/v4/
 *
 * The file is optional. A line it cannot read, an unknown key or a URL that is not
 * http(s) is an error naming the file and line (exit 64), never a silent default.
 * --pccs wins over the file; without either, evidence from Azure's paravisor (an
 * HCL report) uses Azure's collateral cache and anything else Intel's PCS.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cvmguard.h"
#include "fetch.h"

#define CONF_LINE_MAX	1024

/**
 * fetch_pccs_url_check() - is @url usable as a PCCS base URL
 * @url: the text
 *
 * Return: 0, or -EINVAL: not http(s)://, too long, or with a query, fragment,
 * white space or control character.
 */
int fetch_pccs_url_check(const char *url)
{
	const char *p;

	if (strncmp(url, "https://", 8) && strncmp(url, "http://", 7))
		return -EINVAL;
	if (strlen(url) > 300 || strlen(url) <= 8)
		return -EINVAL;
	for (p = url; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '?' || *p == '#')
			return -EINVAL;
	return 0;
}

/**
 * fetch_pccs_base() - the PCCS base URL a request uses
 * @o: the options
 *
 * Return: --pccs or fetch.conf's pccs-url; else Azure's collateral cache for
 * evidence from Azure's paravisor, Intel's PCS for anything else.
 */
const char *fetch_pccs_base(const struct fetch_opts *o)
{
	if (o->pccs_url)
		return o->pccs_url;
	return o->azure ? FETCH_AZURE_PCCS_URL : FETCH_PCS_URL;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = 0;
	return s;
}

/**
 * fetch_config_load() - read fetch.conf ($CVMGUARD_FETCH_CONF or FETCH_CONF)
 * @o: the options; pccs_url is set from the file unless --pccs already set it
 *
 * The file is optional. Lines are "key = value", '#' starts a comment. Keys:
 * pccs-url (the PCCS base URL for DCAP collateral).
 *
 * Return: 0, or -EINVAL after a message naming the file and line (exit 64).
 */
int fetch_config_load(struct fetch_opts *o)
{
	const char *path = getenv("CVMGUARD_FETCH_CONF");
	char line[CONF_LINE_MAX], *k, *v, *hash;
	unsigned int n = 0;
	int ret = 0;
	FILE *f;

	if (!path || !*path)
		path = FETCH_CONF;
	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		cvmg_err("%s: %s", path, strerror(errno));
		return -EINVAL;
	}
	while (fgets(line, sizeof(line), f)) {
		n++;
		if (!strchr(line, '\n') && !feof(f)) {
			cvmg_err("%s:%u: line longer than %d characters", path, n, CONF_LINE_MAX - 2);
			ret = -EINVAL;
			break;
		}
		hash = strchr(line, '#');
		if (hash)
			*hash = 0;
		k = trim(line);
		if (!*k)
			continue;
		v = strchr(k, '=');
		if (!v) {
			cvmg_err("%s:%u: '%s': expected key = value", path, n, k);
			ret = -EINVAL;
			break;
		}
		*v++ = 0;
		k = trim(k);
		v = trim(v);
		if (strcmp(k, "pccs-url")) {
			cvmg_err("%s:%u: unknown key '%s' (known: pccs-url)", path, n, k);
			ret = -EINVAL;
			break;
		}
		if (fetch_pccs_url_check(v)) {
			cvmg_err("%s:%u: pccs-url '%s': not an http:// or https:// URL without "
				 "a query", path, n, v);
			ret = -EINVAL;
			break;
		}
		free(o->pccs_conf);
		o->pccs_conf = strdup(v);
		if (!o->pccs_conf) {
			ret = -ENOMEM;
			break;
		}
	}
	if (!ret && ferror(f)) {
		cvmg_err("%s: read error", path);
		ret = -EINVAL;
	}
	fclose(f);
	if (!ret && !o->pccs_url && o->pccs_conf)
		o->pccs_url = o->pccs_conf;
	return ret;
}
