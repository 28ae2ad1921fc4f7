// SPDX-License-Identifier: GPL-2.0
/*
 * cvmguard-paravisor: HMAC authorization sessions on 0x01400001.
 *
 * tpm2-tools and ESAPI read NV indices with an unbound, unsalted HMAC
 * session.  swtpm owns the session (its handle and nonces), and the report
 * index lives here, so we follow every session's nonceTPM as traffic passes,
 * check the caller's HMAC ourselves, and roll the session inside swtpm by
 * spending the caller's nonce on a no-op owner command (HierarchyChangeAuth
 * to the same empty value).  swtpm's answer gives the new nonceTPM, which we
 * use in our response, so the session stays valid for later commands.
 * Salted or bound sessions, policy sessions, parameter encryption and
 * non-empty owner/index authValues are not served (TPM_RC_AUTH_UNAVAILABLE).
 */
#include <string.h>

#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "pv.h"

struct sess {
	uint32_t h;
	bool simple;		/* HMAC, unbound, unsalted, SHA-256 */
	uint8_t nonce_tpm[64];
	uint16_t nlen;
};

static struct sess sess[16];

static struct sess *find(uint32_t h)
{
	for (size_t i = 0; i < 16; i++)
		if (sess[i].h == h)
			return &sess[i];
	return NULL;
}

void sess_reset(void)
{
	memset(sess, 0, sizeof(sess));
}

static void drop(uint32_t h)
{
	struct sess *s = find(h);

	if (s)
		memset(s, 0, sizeof(*s));
}

static void start_session(const uint8_t *c, size_t cl, const uint8_t *r, size_t rl)
{
	size_t o = 10;
	uint32_t tpmkey, bind, h;
	uint8_t type;
	uint16_t sym, hash, nl;
	struct sess *s;

	if (get16(c) != 0x8001 || cl < 18)
		return;
	tpmkey = get32(c + o); bind = get32(c + o + 4); o += 8;
	o += 2 + get16(c + o);				/* nonceCaller */
	if (o + 2 > cl) return;
	o += 2 + get16(c + o);				/* encryptedSalt */
	if (o + 3 > cl) return;
	type = c[o]; o += 1;
	sym = get16(c + o); o += 2;
	if (sym != 0x0010) o += 4;
	if (o + 2 > cl) return;
	hash = get16(c + o);
	if (get16(r) != 0x8001 || rl < 16)
		return;
	h = get32(r + 10);
	nl = get16(r + 14);
	if (nl > 64 || 16 + (size_t)nl > rl)
		return;
	drop(h);
	s = find(0);
	if (!s)
		s = &sess[0];
	s->h = h;
	s->simple = tpmkey == 0x40000007 && bind == 0x40000007 && type == 0 && hash == 0x000B;
	memcpy(s->nonce_tpm, r + 16, nl);
	s->nlen = nl;
}

/* where the auth area of a command starts, found by trying 0..3 handles */
static int auth_area(const uint8_t *c, size_t cl, size_t *off, uint32_t hs[3], int *ns)
{
	for (int k = 0; k <= 3; k++) {
		size_t o = 10 + 4 * k, end;
		int n = 0;

		if (o + 4 > cl)
			break;
		end = o + 4 + get32(c + o);
		if (end > cl || end < o + 4 + 9)
			continue;
		o += 4;
		while (o + 9 <= end && n < 3) {
			uint32_t h = get32(c + o);

			if (h != 0x40000009 && (h >> 24) != 0x02 && (h >> 24) != 0x03)
				break;
			hs[n++] = h;
			o += 4;
			o += 2 + get16(c + o);
			if (o + 3 > end)
				break;
			o += 1;
			o += 2 + get16(c + o);
		}
		if (o == end && n > 0) {
			*off = 10 + 4 * k;
			*ns = n;
			return 0;
		}
	}
	return -1;
}

/* follow the nonces of sessions used in commands that swtpm answered */
void sess_observe(const uint8_t *c, size_t cl, const uint8_t *r, size_t rl)
{
	uint32_t cc = get32(c + 6), rc = get32(r + 6);
	uint32_t hs[3];
	size_t aoff;
	int ns;

	if (cc == 0x144) {		/* Startup */
		sess_reset();
		return;
	}
	if (rc != 0)
		return;
	if (cc == 0x176) {
		start_session(c, cl, r, rl);
		return;
	}
	if (cc == 0x165 && cl >= 14) {	/* FlushContext */
		drop(get32(c + 10));
		return;
	}
	if (get16(c) != 0x8002 || get16(r) != 0x8002 || auth_area(c, cl, &aoff, hs, &ns))
		return;
	/* response: [0 or 1 handle] parameterSize params, then ns entries */
	for (int rh = 0; rh <= 1; rh++) {
		size_t o = 10 + 4 * rh;
		const uint8_t *nonces[3];
		uint16_t nls[3];
		uint8_t attrs[3];
		int i;

		if (o + 4 > rl)
			break;
		o += 4 + get32(r + o);
		for (i = 0; i < ns && o + 2 <= rl; i++) {
			nls[i] = get16(r + o);
			nonces[i] = r + o + 2;
			o += 2 + nls[i];
			if (o + 3 > rl)
				break;
			attrs[i] = r[o];
			o += 1;
			o += 2 + get16(r + o);
		}
		if (i != ns || o != rl)
			continue;
		for (i = 0; i < ns; i++) {
			struct sess *s = find(hs[i]);

			if (!s)
				continue;
			if (!(attrs[i] & 1))
				drop(hs[i]);
			else if (nls[i] <= 64) {
				memcpy(s->nonce_tpm, nonces[i], nls[i]);
				s->nlen = nls[i];
			}
		}
		return;
	}
}

static void hmac_sha256(const uint8_t *parts[], const size_t lens[], int n, uint8_t out[32])
{
	static const uint8_t nokey[1];
	HMAC_CTX *h = HMAC_CTX_new();
	unsigned int ol = 32;

	/* sessionKey (empty: unbound, unsalted) || authValue (empty) */
	HMAC_Init_ex(h, nokey, 0, EVP_sha256(), NULL);
	for (int i = 0; i < n; i++)
		HMAC_Update(h, parts[i], lens[i]);
	HMAC_Final(h, out, &ol);
	HMAC_CTX_free(h);
}

/*
 * An NV_Read of the report index authorized by one HMAC session.  On success
 * fills *nonce_tpm (the rolled nonce) and returns 0; else a TPM_RC.
 */
uint32_t sess_nv_read(const uint8_t *c, size_t cl, const uint8_t *idx_name,
		      uint8_t *resp_auth, size_t *resp_auth_len,
		      const uint8_t *rparams, size_t rplen)
{
	size_t o = 22, end = 22 + get32(c + 18);
	uint32_t h, auth = get32(c + 10);
	const uint8_t *nc, *hm;
	uint16_t ncl, hml;
	uint8_t at, cp[32], rp[32], mac[32], cmdbuf[128], rsp[PV_TPM_BUF];
	size_t rl, n;
	struct sess *s;
	uint8_t name1[34];
	size_t n1;
	(void)cl;

	h = get32(c + o); o += 4;
	ncl = get16(c + o); nc = c + o + 2; o += 2 + ncl;
	at = c[o]; o += 1;
	hml = get16(c + o); hm = c + o + 2; o += 2 + hml;
	s = find(h);
	if (o != end || !s || !s->simple || (at & ~0x01) || ncl > 64 || hml != 32)
		return 0x12F;			/* TPM_RC_AUTH_UNAVAILABLE */

	/* cpHash = H(cc || name(auth) || name(index) || size || offset) */
	if (auth == PV_REPORT_NV_INDEX) {
		memcpy(name1, idx_name, 34);
		n1 = 34;
	} else {
		put32(name1, auth);
		n1 = 4;
	}
	{
		SHA256_CTX x;

		SHA256_Init(&x);
		SHA256_Update(&x, c + 6, 4);
		SHA256_Update(&x, name1, n1);
		SHA256_Update(&x, idx_name, 34);
		SHA256_Update(&x, c + end, 4);
		SHA256_Final(cp, &x);
	}
	{
		const uint8_t *p[4] = { cp, nc, s->nonce_tpm, &at };
		size_t l[4] = { 32, ncl, s->nlen, 1 };

		hmac_sha256(p, l, 4, mac);
	}
	if (CRYPTO_memcmp(mac, hm, 32))
		return 0x98E;			/* TPM_RC_AUTH_FAIL + S + 1 */

	/* roll the session in swtpm: HierarchyChangeAuth(owner, same empty auth) */
	{
		static const uint8_t cc_hca[4] = { 0, 0, 0x01, 0x29 };
		static const uint8_t owner[4] = { 0x40, 0, 0, 0x01 };
		static const uint8_t newauth[2] = { 0, 0 };
		SHA256_CTX x;

		SHA256_Init(&x);
		SHA256_Update(&x, cc_hca, 4);
		SHA256_Update(&x, owner, 4);
		SHA256_Update(&x, newauth, 2);
		SHA256_Final(cp, &x);
		{
			const uint8_t *p[4] = { cp, nc, s->nonce_tpm, &at };
			size_t l[4] = { 32, ncl, s->nlen, 1 };

			hmac_sha256(p, l, 4, mac);
		}
		n = 0;
		put16(cmdbuf, 0x8002); n = 6;
		memcpy(cmdbuf + n, cc_hca, 4); n += 4;
		memcpy(cmdbuf + n, owner, 4); n += 4;
		put32(cmdbuf + n, 4 + 2 + ncl + 1 + 2 + 32); n += 4;
		put32(cmdbuf + n, h); n += 4;
		put16(cmdbuf + n, ncl); n += 2;
		memcpy(cmdbuf + n, nc, ncl); n += ncl;
		cmdbuf[n++] = at;
		put16(cmdbuf + n, 32); n += 2;
		memcpy(cmdbuf + n, mac, 32); n += 32;
		memcpy(cmdbuf + n, newauth, 2); n += 2;
		put32(cmdbuf + 2, n);
		pv_log_hex("pv>tpm", "HierarchyChangeAuth(roll session)", cmdbuf, n);
		if (tpm_transact(cmdbuf, n, rsp, &rl))
			die("lost the data channel to swtpm");
		pv_log_hex("tpm>pv", "HierarchyChangeAuth(roll session)", rsp, rl);
		if (get32(rsp + 6) != 0)
			return get32(rsp + 6);
		sess_observe(cmdbuf, n, rsp, rl);
		/* the new nonceTPM sits after parameterSize (0) */
		if (rl < 16 || get32(rsp + 10) != 0)
			return 0x101;
	}
	{
		uint16_t tl = get16(rsp + 14);
		const uint8_t *tn = rsp + 16;
		SHA256_CTX x;
		static const uint8_t rc0[4];

		if (tl > 64 || 16 + (size_t)tl > rl)
			return 0x101;
		/* rpHash = H(rc || cc || parameters) */
		SHA256_Init(&x);
		SHA256_Update(&x, rc0, 4);
		SHA256_Update(&x, c + 6, 4);
		SHA256_Update(&x, rparams, rplen);
		SHA256_Final(rp, &x);
		{
			const uint8_t *p[4] = { rp, tn, nc, &at };
			size_t l[4] = { 32, tl, ncl, 1 };

			hmac_sha256(p, l, 4, mac);
		}
		n = 0;
		put16(resp_auth + n, tl); n += 2;
		memcpy(resp_auth + n, tn, tl); n += tl;
		resp_auth[n++] = at;
		put16(resp_auth + n, 32); n += 2;
		memcpy(resp_auth + n, mac, 32); n += 32;
		*resp_auth_len = n;
	}
	return 0;
}
