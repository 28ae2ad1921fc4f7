// SPDX-License-Identifier: GPL-2.0-only
/*
 * TDX policy keys, appraised against the TD report body of a verified TD quote
 * (and against its TCB status, which only DCAP collateral gives):
 *
 *   mrtd = HEX             (repeatable) 48 bytes; the TD's MRTD must match one
 *   rtmr0 = HEX .. rtmr3   48 bytes each; the RTMR must be exactly this
 *   mrseam = HEX           (repeatable) 48 bytes; the TDX module's MRSEAM
 *   td_attributes = N      the TD attributes, exactly (e.g. 0x10000000); the
 *                          debug bit is refused unless allow_debug = true too
 *   tcb_status = S[,S...]  allowed TCB statuses, from UpToDate,
 *                          SWHardeningNeeded, ConfigurationNeeded,
 *                          ConfigurationAndSWHardeningNeeded, OutOfDate,
 *                          OutOfDateConfigurationNeeded and unknown (no
 *                          collateral); default UpToDate. Revoked and stale
 *                          collateral are always refused.
 *   min_tee_tcb_svn = HEX  16 bytes; each TEE_TCB_SVN component at least this
 */
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
 * tdx_policy_parse_kv() - one "key = value" of a policy file, if it is a TDX key
 * @p: the TDX policy
 * @key: the key
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

	if (!strcmp(key, "mrtd") || !strcmp(key, "mrseam")) {
		bool td = key[2] == 't';
		size_t *cnt = td ? &p->nmrtd : &p->nmrseam;

		if (*cnt == TDX_POLICY_MAX_DIGESTS)
			return -E2BIG;
		if (hex48(val, td ? p->mrtd[*cnt] : p->mrseam[*cnt]))
			return -EINVAL;
		(*cnt)++;
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
		errno = 0;
		n = strtoull(val, &end, 0);
		if (p->has_td_attributes || errno || end == val || *end || *val == '-')
			return -EINVAL;
		p->td_attributes = n;
		p->has_td_attributes = true;
		return 0;
	}
	if (!strcmp(key, "tcb_status")) {
		if (p->has_tcb_status || parse_statuses(val, &p->tcb_status))
			return -EINVAL;
		p->has_tcb_status = true;
		return 0;
	}
	if (!strcmp(key, "min_tee_tcb_svn")) {
		if (p->has_min_svn || cvmg_hex_decode(val, p->min_tee_tcb_svn, 16, &w) || w != 16)
			return -EINVAL;
		p->has_min_svn = true;
		return 0;
	}
	return -ENOENT;
}

static void violation(struct policy_violations *out, const char *name, const char *detail)
{
	if (out->n == POLICY_MAX_VIOLATIONS)
		return;
	snprintf(out->v[out->n].name, sizeof(out->v[0].name), "%s", name);
	snprintf(out->v[out->n].detail, sizeof(out->v[0].detail), "%s", detail);
	out->n++;
}

static bool one_of(const uint8_t (*set)[48], size_t n, const uint8_t *v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!memcmp(set[i], v, 48))
			return true;
	return false;
}

/**
 * tdx_policy_check() - appraise a verified TD quote's body and TCB status
 * @p: the policy, or NULL for the defaults
 * @b: the TD report body, from a quote whose signatures and chain verified
 * @tcb_status: "UpToDate"... or "unknown" (no collateral); NULL when the caller
 *              already refused the TCB (stale collateral, Revoked)
 * @out: violations are appended here, named by key
 */
void tdx_policy_check(const struct cvmg_policy *p, const struct tdx_quote_body *b,
		      const char *tcb_status, struct policy_violations *out)
{
	static const struct tdx_policy defaults;
	const struct tdx_policy *t = p ? &p->tdx : &defaults;
	uint32_t allowed = t->has_tcb_status ? t->tcb_status : 1u << TDX_TCB_UP_TO_DATE;
	char d[200];
	int s, i;

	s = tcb_status ? tdx_tcb_status_from_name(tcb_status) : 0;
	if (tcb_status && (s < 0 || !(allowed & (1u << s)))) {
		snprintf(d, sizeof(d), "TCB status %s is not allowed%s", tcb_status,
			 s == TDX_TCB_UNKNOWN ? " (no DCAP collateral: give --collateral, "
			 "or allow tcb_status = unknown)" : "");
		violation(out, "tcb_status", d);
	}
	if ((b->td_attributes & TDX_ATTR_DEBUG) && !(p && p->allow_debug))
		violation(out, "td_attributes", "the TD is a debug TD (TUD.DEBUG set)");
	if (t->has_td_attributes && b->td_attributes != t->td_attributes) {
		snprintf(d, sizeof(d), "TD attributes are 0x%016llx, policy wants 0x%016llx",
			 (unsigned long long)b->td_attributes,
			 (unsigned long long)t->td_attributes);
		violation(out, "td_attributes", d);
	}
	if (t->nmrtd && !one_of(t->mrtd, t->nmrtd, b->mrtd))
		violation(out, "mrtd", "MRTD matches none of the policy's");
	if (t->nmrseam && !one_of(t->mrseam, t->nmrseam, b->mrseam))
		violation(out, "mrseam", "MRSEAM matches none of the policy's");
	for (i = 0; i < 4; i++) {
		if (t->has_rtmr[i] && memcmp(t->rtmr[i], b->rtmr[i], 48)) {
			char name[8];

			snprintf(name, sizeof(name), "rtmr%d", i);
			violation(out, name, "differs from the policy's value");
		}
	}
	if (t->has_min_svn) {
		for (i = 0; i < 16; i++) {
			if (b->tee_tcb_svn[i] < t->min_tee_tcb_svn[i]) {
				snprintf(d, sizeof(d), "TEE_TCB_SVN[%d] is %u, policy wants at "
					 "least %u", i, b->tee_tcb_svn[i], t->min_tee_tcb_svn[i]);
				violation(out, "min_tee_tcb_svn", d);
				break;
			}
		}
	}
}
