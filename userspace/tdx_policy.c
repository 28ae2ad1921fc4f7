// SPDX-License-Identifier: GPL-2.0-only
/*
 * TDX policy keys, appraised against the TD report body of a verified TD quote
 * (and against its TCB status, which only DCAP collateral gives). Each is
 * spelled with the tdx. prefix or without it (policy.c maps both to one key):
 *
 *   tdx.mrtd = HEX         (repeatable) 48 bytes; the TD's MRTD must match one
 *                          (policy.c's measurement list for TDX)
 *   tdx.rtmr0 .. rtmr3 = HEX  48 bytes each; the RTMR must be exactly this
 *   tdx.mrseam = HEX       (repeatable) 48 bytes; the TDX module's MRSEAM
 *   tdx.td_attributes = N  the TD attributes, exactly: 0x-prefixed hex (e.g.
 *                          0x10000000) or decimal without leading zeros; the
 *                          debug bit is refused unless tdx.allow_debug = true too
 *   tdx.tcb_status = S[,S...]  allowed TCB statuses, from UpToDate,
 *                          SWHardeningNeeded, ConfigurationNeeded,
 *                          ConfigurationAndSWHardeningNeeded, OutOfDate,
 *                          OutOfDateConfigurationNeeded and unknown (no
 *                          collateral); default UpToDate. Revoked and stale
 *                          collateral are always refused.
 *   tdx.min_tee_tcb_svn = HEX  exactly 16 bytes (32 hex digits); each TEE_TCB_SVN
 *                          component at least this
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cvmguard.h"
#include "policy.h"
#include "tdx_policy.h"
#include "tdx_quote.h"

static const char *const status_names[TDX_TCB_COUNT] = {
	"UpToDate", "SWHardeningNeeded", "ConfigurationNeeded",
	"ConfigurationAndSWHardeningNeeded", "OutOfDate", "OutOfDateConfigurationNeeded",
	"unknown",
};

/**
 * tdx_policy_init() - the default: TCB UpToDate only, nothing else pinned
 * @p: the TDX policy
 */
void tdx_policy_init(struct tdx_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->tcb_status = 1u << TDX_TCB_UP_TO_DATE;
}

/**
 * tdx_tcb_status_from_name() - enum tdx_tcb_status for a status name
 * @name: "UpToDate", ..., "unknown"
 *
 * Return: the status, or -EINVAL (Revoked is not one a policy can allow).
 */
int tdx_tcb_status_from_name(const char *name)
{
	int i;

	for (i = 0; i < TDX_TCB_COUNT; i++)
		if (!strcmp(name, status_names[i]))
			return i;
	return -EINVAL;
}

static int hex48(const char *v, uint8_t out[48])
{
	size_t w;

	return cvmg_hex_decode(v, out, 48, &w) || w != 48 ? -EINVAL : 0;
}

static int parse_statuses(const char *v, uint32_t *mask)
{
	char *copy = strdup(v), *tok, *save = NULL, *e;
	int s, ret = 0;

	if (!copy)
		return -ENOMEM;
	*mask = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ' || *tok == '\t')
			tok++;
		e = tok + strlen(tok);
		while (e > tok && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		s = tdx_tcb_status_from_name(tok);
		if (s < 0) {
			ret = -EINVAL;
			break;
		}
		*mask |= 1u << s;
	}
	if (!*mask)
		ret = -EINVAL;
	free(copy);
	return ret;
}

/**
 * tdx_policy_parse_kv() - one "tdx.KEY = value" of a policy file
 * @p: the TDX policy
 * @key: KEY, without the "tdx." prefix (policy.c handles mrtd, allow_debug and
 *       require_hardware_verified itself)
 * @val: the value
 *
 * Return: 0; -ENOENT when @key is not a TDX key; -EINVAL for a bad value or a
 * repeated single-valued key; -E2BIG for too many repeated keys.
 */
int tdx_policy_parse_kv(struct tdx_policy *p, const char *key, const char *val)
{
	unsigned long long n;
	size_t w;
	char *end;
	int i;

	if (!strcmp(key, "mrseam")) {
		if (p->nmrseam == TDX_POLICY_MAX_DIGESTS)
			return -E2BIG;
		if (hex48(val, p->mrseam[p->nmrseam]))
			return -EINVAL;
		p->nmrseam++;
		return 0;
	}
	if (!strncmp(key, "rtmr", 4) && key[4] >= '0' && key[4] <= '3' && !key[5]) {
		i = key[4] - '0';
		if (p->has_rtmr[i] || hex48(val, p->rtmr[i]))
			return -EINVAL;
		p->has_rtmr[i] = true;
		return 0;
	}
	if (!strcmp(key, "td_attributes")) {
		/* 0x-hex, or decimal without leading zeros (never octal) */
		bool hx = !strncmp(val, "0x", 2) || !strncmp(val, "0X", 2);

		if (!hx && val[0] == '0' && val[1])
			return -EINVAL;
		if (!(hx ? isxdigit((unsigned char)val[2]) : isdigit((unsigned char)val[0])))
			return -EINVAL;
		errno = 0;
		n = strtoull(hx ? val + 2 : val, &end, hx ? 16 : 10);
		if (p->has_td_attributes || errno || *end)
			return -EINVAL;
		p->td_attributes = n;
		p->has_td_attributes = true;
		return 0;
	}
	if (!strcmp(key, "tcb_status")) {
		/* replaces the default (policy.c refuses a repeated key) */
		return parse_statuses(val, &p->tcb_status) ? -EINVAL : 0;
	}
	if (!strcmp(key, "min_tee_tcb_svn")) {
		if (p->has_min_svn || cvmg_hex_decode(val, p->min_tee_tcb_svn, 16, &w) || w != 16)
			return -EINVAL;
		p->has_min_svn = true;
		return 0;
	}
	return -ENOENT;
}

/**
 * tdx_policy_check() - appraise a verified TD quote's TCB status and body
 * @p: the policy (the built-in default when no policy file is given)
 * @b: the TD report body, from a quote whose signatures and chain verified, or
 *     NULL when the TD's fields are appraised from the TDREPORT they matched
 *     (policy_check_tdx())
 * @tcb_status: "UpToDate"... or "unknown" (no collateral); NULL when the caller
 *              already refused the TCB (stale collateral, Revoked)
 * @out: violations are appended here, named by key (tdx.tcb_status...)
 */
void tdx_policy_check(const struct cvmg_policy *p, const struct tdx_quote_body *b,
		      const char *tcb_status, struct policy_violations *out)
{
	const struct tdx_policy *t = &p->tdx;
	uint32_t allowed = t->tcb_status;
	size_t n = out->n;
	int s;

	s = tcb_status ? tdx_tcb_status_from_name(tcb_status) : 0;
	if (tcb_status && (s < 0 || !(allowed & (1u << s))) && n < POLICY_MAX_VIOLATIONS) {
		snprintf(out->v[n].name, sizeof(out->v[0].name), "tdx.tcb_status");
		snprintf(out->v[n].detail, sizeof(out->v[0].detail),
			 "TCB status %s is not allowed%s", tcb_status,
			 s == TDX_TCB_UNKNOWN ? " (no DCAP collateral: give --collateral, "
			 "or allow tdx.tcb_status = unknown)" : "");
		out->n++;
	}
	if (b)
		policy_check_td(p, b->mrtd, b->mrseam, (const uint8_t (*)[48])b->rtmr,
				b->td_attributes, b->tee_tcb_svn, out);
}
