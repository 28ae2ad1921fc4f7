// SPDX-License-Identifier: GPL-2.0-only
/*
 * Offline verification of evidence, in the order trust flows:
 *
 *   AMD ARK (pinned, or --root) -> ASK -> VCEK/VLEK -> SNP report signature
 *   -> VCEK TCB/hwID == report -> REPORT_DATA == SHA-256(runtime claims)
 *   -> HCLAkPub -> TPM quote signature -> nonce, PCR digest -> policy
 *
 * Each step is recorded as a check ("pass", "fail" or "skip", with a detail) in
 * the result document; every claim of the evidence is recorded under "claims".
 * A failed step does not stop the ones that do not depend on it, so one run shows
 * everything that is wrong. Only malformed input stops early.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "amd_certs.h"
#include "bundle.h"
#include "cvmguard.h"
#include "hcl_report.h"
#include "snp_report.h"
#include "tcg_log.h"
#include "tdx_quote.h"
#include "tdx_verify.h"
#include "tpm_quote.h"
#include "verifier.h"

#define MAX_CHAIN 4

struct vctx {
	const struct verifier_input *in;
	json_object *claims;
	json_object *checks;
	json_object *replay;		/* per-PCR log replay results */
	json_object *notes;		/* what the verdict does not cover */
	bool failed;
	bool hw_verified;		/* the hardware report verified to its vendor's root */
	bool tdx;			/* the hardware report is a TDREPORT */
	const struct cvmg_policy *pol;	/* --policy, or the built-in default */
	struct policy_violations pv;
	uint32_t quoted;		/* the bundle's quote's SHA-256 selection */
	const uint8_t *pcrs;		/* and the values it covers; NULL: no quote */
};

static void check(struct vctx *c, const char *name, int ok, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/**
 * vresult_check() - add one check to a result document's "checks"
 * @checks: the array
 * @name: the check's name
 * @ok: 1 pass, 0 fail, -1 skip
 * @detail: what was seen
 *
 * Return: true when the check failed.
 */
bool vresult_check(json_object *checks, const char *name, int ok, const char *detail)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "result",
			       json_object_new_string(ok > 0 ? "pass" : ok ? "skip" : "fail"));
	json_object_object_add(o, "detail", json_object_new_string(detail));
	json_object_array_add(checks, o);
	return !ok;
}

/**
 * vresult_td() - the claims a TDREPORT and a TD quote's body share, in one order
 * @o: the claims object
 * @td_attributes: TD attributes (bit 0: debug)
 * @xfam: XFAM
 * @mrtd: MRTD
 * @mrconfigid: MRCONFIGID
 * @mrowner: MROWNER
 * @mrownerconfig: MROWNERCONFIG
 * @rtmr: RTMR0-3
 * @report_data: REPORTDATA
 */
void vresult_td(json_object *o, uint64_t td_attributes, uint64_t xfam, const uint8_t *mrtd,
		const uint8_t *mrconfigid, const uint8_t *mrowner, const uint8_t *mrownerconfig,
		const uint8_t (*rtmr)[48], const uint8_t *report_data)
{
	char key[8];
	int i;

	vresult_x64(o, "td_attributes", td_attributes);
	json_object_object_add(o, "debug",
			       json_object_new_boolean(!!(td_attributes & TDX_ATTR_DEBUG)));
	vresult_x64(o, "xfam", xfam);
	vresult_hex(o, "mrtd", mrtd, 48);
	vresult_hex(o, "mrconfigid", mrconfigid, 48);
	vresult_hex(o, "mrowner", mrowner, 48);
	vresult_hex(o, "mrownerconfig", mrownerconfig, 48);
	for (i = 0; i < 4; i++) {
		snprintf(key, sizeof(key), "rtmr%d", i);
		vresult_hex(o, key, rtmr[i], 48);
	}
	vresult_hex(o, "report_data", report_data, 64);
}

/* ok: 1 pass, 0 fail, -1 skip */
static void check(struct vctx *c, const char *name, int ok, const char *fmt, ...)
{
	char detail[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (vresult_check(c->checks, name, ok, detail))
		c->failed = true;
}

/**
 * vresult_hex() - a claim of @n bytes (at most 128), as lower-case hex
 * @o: the claims object
 * @key: the claim's name
 * @p: the bytes
 * @n: how many
 */
void vresult_hex(json_object *o, const char *key, const uint8_t *p, size_t n)
{
	char hex[2 * 128 + 1];

	cvmg_hex_encode(p, n < 128 ? n : 128, hex);
	json_object_object_add(o, key, json_object_new_string(hex));
}

static void claim_u64(json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_int64((int64_t)v));
}

/**
 * vresult_x64() - a 64-bit claim as "0x" and 16 hex digits
 * @o: the claims object
 * @key: the claim's name
 * @v: the value
 */
void vresult_x64(json_object *o, const char *key, uint64_t v)
{
	char s[24];

	snprintf(s, sizeof(s), "0x%016llx", (unsigned long long)v);
	json_object_object_add(o, key, json_object_new_string(s));
}

static json_object *tcb_json(uint64_t raw, enum snp_product prod)
{
	json_object *o = json_object_new_object();
	struct snp_tcb t;

	snp_tcb_decode(raw, prod, &t);
	vresult_x64(o, "raw", raw);
	if (prod == SNP_PRODUCT_TURIN)
		claim_u64(o, "fmc", t.fmc);
	claim_u64(o, "bootloader", t.bootloader);
	claim_u64(o, "tee", t.tee);
	claim_u64(o, "snp", t.snp);
	claim_u64(o, "microcode", t.microcode);
	return o;
}

static void snp_claims(struct vctx *c, const struct snp_report *r, enum snp_product prod)
{
	json_object *o = json_object_new_object();
	char ver[16];

	claim_u64(o, "version", r->version);
	claim_u64(o, "guest_svn", r->guest_svn);
	vresult_x64(o, "policy", r->policy);
	json_object_object_add(o, "policy_debug",
			       json_object_new_boolean(!!(r->policy & SNP_POLICY_DEBUG)));
	json_object_object_add(o, "policy_migrate_ma",
			       json_object_new_boolean(!!(r->policy & SNP_POLICY_MIGRATE_MA)));
	json_object_object_add(o, "policy_smt",
			       json_object_new_boolean(!!(r->policy & SNP_POLICY_SMT)));
	vresult_hex(o, "family_id", r->family_id, 16);
	vresult_hex(o, "image_id", r->image_id, 16);
	claim_u64(o, "vmpl", r->vmpl);
	claim_u64(o, "signature_algo", r->sig_algo);
	vresult_x64(o, "platform_info", r->platform_info);
	json_object_object_add(o, "author_key_en",
			       json_object_new_boolean(!!(r->flags & SNP_FLAG_AUTHOR_KEY_EN)));
	json_object_object_add(o, "mask_chip_key",
			       json_object_new_boolean(!!(r->flags & SNP_FLAG_MASK_CHIP_KEY)));
	json_object_object_add(o, "signing_key", json_object_new_string(
		SNP_FLAG_SIGNING_KEY(r->flags) == SNP_SIGNING_KEY_VCEK ? "VCEK" :
		SNP_FLAG_SIGNING_KEY(r->flags) == SNP_SIGNING_KEY_VLEK ? "VLEK" :
		SNP_FLAG_SIGNING_KEY(r->flags) == SNP_SIGNING_KEY_NONE ? "none" : "reserved"));
	vresult_hex(o, "report_data", r->report_data, 64);
	vresult_hex(o, "measurement", r->measurement, 48);
	vresult_hex(o, "host_data", r->host_data, 32);
	vresult_hex(o, "id_key_digest", r->id_key_digest, 48);
	vresult_hex(o, "author_key_digest", r->author_key_digest, 48);
	vresult_hex(o, "report_id", r->report_id, 32);
	vresult_hex(o, "report_id_ma", r->report_id_ma, 32);
	json_object_object_add(o, "current_tcb", tcb_json(r->current_tcb, prod));
	json_object_object_add(o, "reported_tcb", tcb_json(r->reported_tcb, prod));
	json_object_object_add(o, "committed_tcb", tcb_json(r->committed_tcb, prod));
	json_object_object_add(o, "launch_tcb", tcb_json(r->launch_tcb, prod));
	if (r->version >= 3) {
		claim_u64(o, "cpuid_fam_id", r->cpuid_fam_id);
		claim_u64(o, "cpuid_mod_id", r->cpuid_mod_id);
		claim_u64(o, "cpuid_step", r->cpuid_step);
	}
	vresult_hex(o, "chip_id", r->chip_id, 64);
	snprintf(ver, sizeof(ver), "%u.%u.%u", r->current_major, r->current_minor,
		 r->current_build);
	json_object_object_add(o, "current_version", json_object_new_string(ver));
	snprintf(ver, sizeof(ver), "%u.%u.%u", r->committed_major, r->committed_minor,
		 r->committed_build);
	json_object_object_add(o, "committed_version", json_object_new_string(ver));
	if (r->version >= 5) {
		vresult_x64(o, "launch_mit_vector", r->launch_mit_vector);
		vresult_x64(o, "current_mit_vector", r->current_mit_vector);
	}
	json_object_object_add(o, "product", json_object_new_string(snp_product_name(prod)));
	json_object_object_add(c->claims, "snp", o);
}

static void tdx_claims(struct vctx *c, const struct tdx_report *t)
{
	json_object *o = json_object_new_object();

	vresult_hex(o, "cpusvn", t->cpusvn, 16);
	vresult_hex(o, "tee_tcb_svn", t->tee_tcb_svn, 16);
	vresult_hex(o, "mrseam", t->mrseam, 48);
	vresult_td(o, t->td_attributes, t->xfam, t->mrtd, t->mrconfigid, t->mrowner,
		   t->mrownerconfig, t->rtmr, t->report_data);
	json_object_object_add(c->claims, "tdx", o);
}

static const char *cn(X509 *x, char *buf, int size)
{
	buf[0] = '\0';
	X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, buf, size);
	return buf;
}

/* The certificates for one report, each owned here. */
struct snp_certs {
	X509 *leaf, *ask, *chain_ark, *ark;
	const char *src_leaf, *src_ask, *src_ark;
};

static void certs_free(struct snp_certs *s)
{
	X509_free(s->leaf);
	X509_free(s->ask);
	X509_free(s->chain_ark);
	X509_free(s->ark);
}

/*
 * Sort certificates given in any order into @s by what each is: a self-signed
 * CA is an ARK, another CA an ASK (or ASVK), a non-CA the leaf. The first of
 * each kind wins; one already in @s (from an earlier source) is kept.
 */
static void take_chain(struct snp_certs *s, X509 **chain, size_t n, const char *src)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (X509_check_ca(chain[i]) == 0) {
			if (!s->leaf) {
				s->leaf = X509_dup(chain[i]);
				s->src_leaf = src;
			}
		} else if (X509_check_issued(chain[i], chain[i]) == X509_V_OK) {
			if (!s->chain_ark)
				s->chain_ark = X509_dup(chain[i]);
		} else if (!s->ask) {
			s->ask = X509_dup(chain[i]);
			s->src_ask = src;
		}
	}
}

static int gather_certs(struct vctx *c, const struct snp_report *r, const struct bundle *b,
			struct snp_certs *s)
{
	const struct verifier_input *in = c->in;
	const struct bundle_section_ref *sec;
	X509 *chain[MAX_CHAIN];
	size_t n = 0, i;
	bool vlek = SNP_FLAG_SIGNING_KEY(r->flags) == SNP_SIGNING_KEY_VLEK;
	int ret;

	if (in->vcek) {
		s->leaf = X509_dup(in->vcek);
		s->src_leaf = "--vcek";
	}
	if (in->nchain)
		take_chain(s, in->chain, in->nchain, "--chain");
	sec = b ? bundle_get(b, BUNDLE_CERT_CHAIN) : NULL;
	if (sec) {
		ret = amd_chain_parse_pem(sec->data, sec->len, chain, MAX_CHAIN, &n);
		if (ret)
			return ret;
		take_chain(s, chain, n, "bundle");
		for (i = 0; i < n; i++)
			X509_free(chain[i]);
	}
	sec = b ? bundle_get(b, BUNDLE_CERT_TABLE) : NULL;
	if (sec && !s->leaf) {
		ret = amd_certtable_get(sec->data, sec->len, vlek ? AMD_CERT_VLEK : AMD_CERT_VCEK,
					&s->leaf);
		if (ret && ret != -ENOENT)
			return ret;
		s->src_leaf = "certificate table";
	}
	if (sec && !s->ask) {
		ret = amd_certtable_get(sec->data, sec->len, AMD_CERT_ASK, &s->ask);
		if (ret && ret != -ENOENT)
			return ret;
		s->src_ask = "certificate table";
	}
	return 0;
}

static enum snp_product find_product(const struct snp_report *r, struct snp_certs *s)
{
	enum snp_product p = snp_report_product(r);

	if (p == SNP_PRODUCT_UNKNOWN && s->leaf)
		p = amd_cert_product(s->leaf);
	if (p == SNP_PRODUCT_UNKNOWN && s->ask)
		p = amd_cert_product(s->ask);
	return p;
}

static const char *const link_names[] = { "ARK", "ASK", "VCEK/VLEK" };

static int verify_snp(struct vctx *c, const uint8_t *hw, size_t len, const struct bundle *b,
		      struct snp_report *r, enum snp_product *prodp)
{
	const struct verifier_input *in = c->in;
	struct snp_certs s = { 0 };
	struct amd_vcek_ext ext;
	enum amd_chain_link link;
	enum snp_product prod;
	const char *field;
	char a[64], k[64], l[64];
	size_t i;
	int ret, sk;

	ret = snp_report_parse(hw, len, r);
	if (ret) {
		check(c, "snp-report", 0, "malformed SNP report (length %zu, version %u)", len,
		      r->version);
		return ret;
	}
	ret = gather_certs(c, r, b, &s);
	if (ret) {
		check(c, "certificates", 0, "malformed certificate chain");
		goto out;
	}
	prod = find_product(r, &s);
	*prodp = prod;
	if (in->cache_dir && prod != SNP_PRODUCT_UNKNOWN && (!s.leaf || !s.ask)) {
		X509 *cv = NULL, *ca = NULL;

		if (!amd_cache_load(in->cache_dir, prod, r, &cv, &ca, NULL)) {
			if (!s.leaf && cv)
				s.leaf = cv, s.src_leaf = "cache", cv = NULL;
			if (!s.ask && ca)
				s.ask = ca, s.src_ask = "cache", ca = NULL;
		}
		X509_free(cv);
		X509_free(ca);
	}
	snp_claims(c, r, prod);

	sk = SNP_FLAG_SIGNING_KEY(r->flags);
	if (sk != SNP_SIGNING_KEY_VCEK && sk != SNP_SIGNING_KEY_VLEK) {
		check(c, "report-signature", 0, "report says it is not signed (signing key %d)", sk);
		goto out;
	}
	if (!s.leaf) {
		check(c, "amd-chain", 0, "no %s available (give --vcek, --chain or a bundle)",
		      sk == SNP_SIGNING_KEY_VLEK ? "VLEK" : "VCEK");
		goto out;
	}
	if (prod == SNP_PRODUCT_UNKNOWN && !in->nroots) {
		check(c, "amd-chain", 0, "cannot tell the product (Milan, Genoa, Turin)");
		goto out;
	}
	if (!s.ask && sk == SNP_SIGNING_KEY_VCEK && amd_pinned_cert(prod, true, &s.ask) == 0)
		s.src_ask = "pinned";
	/* The trust anchor: --root, or the pinned ARK of the product. */
	if (in->nroots) {
		for (i = 0; i < in->nroots && !s.ark; i++)
			if (s.ask && !X509_NAME_cmp(X509_get_issuer_name(s.ask),
						     X509_get_subject_name(in->roots[i])))
				s.ark = X509_dup(in->roots[i]);
		if (!s.ark)
			s.ark = X509_dup(in->roots[0]);
		s.src_ark = "--root";
	} else if (!amd_pinned_cert(prod, false, &s.ark)) {
		s.src_ark = "pinned";
	}
	if (!s.leaf || !s.ask || !s.ark) {
		check(c, "amd-chain", 0, "no %s available (give --vcek/--chain or a bundle)",
		      !s.leaf ? (sk == SNP_SIGNING_KEY_VLEK ? "VLEK" : "VCEK") :
		      !s.ask ? "ASK/ASVK" : "ARK");
		goto out;
	}
	if (s.chain_ark && !amd_cert_equal(s.chain_ark, s.ark)) {
		check(c, "amd-root", 0, "the chain's ARK '%s' is not the trusted %s root",
		      cn(s.chain_ark, a, sizeof(a)), s.src_ark);
		goto out;
	}
	ret = amd_verify_chain_crl(s.ark, s.ask, s.leaf, in->now, in->crls, in->ncrls, &link);
	if (ret) {
		check(c, "amd-chain", 0, "%s (%s) %s", link_names[link],
		      cn(link == AMD_LINK_ARK ? s.ark : link == AMD_LINK_ASK ? s.ask : s.leaf,
			 a, sizeof(a)),
		      ret == -EKEYEXPIRED ? "or its CRL is outside its validity period" :
		      ret == -EKEYREVOKED ? "is revoked by a --crl" :
		      "is not signed by its issuer as AMD signs, or a --crl is not its issuer's");
		goto out;
	}
	if (in->ncrls)
		check(c, "amd-crl", 1, "%zu CRL(s) verified and current; no certificate of the "
		      "chain revoked", in->ncrls);
	check(c, "amd-chain", 1, "%s (%s) -> %s (%s) -> %s (%s)", cn(s.ark, a, sizeof(a)),
	      s.src_ark, cn(s.ask, k, sizeof(k)), s.src_ask, cn(s.leaf, l, sizeof(l)), s.src_leaf);

	ret = amd_vcek_ext_parse(s.leaf, &ext);
	if (ret) {
		check(c, "vcek-extensions", 0, "malformed AMD extensions");
		goto out;
	}
	if ((sk == SNP_SIGNING_KEY_VLEK) != ext.is_vlek) {
		check(c, "signing-key", 0, "report says %s, certificate is a %s",
		      sk == SNP_SIGNING_KEY_VLEK ? "VLEK" : "VCEK", ext.is_vlek ? "VLEK" : "VCEK");
		goto out;
	}
	ret = amd_vcek_match_report(&ext, r, prod, &field);
	check(c, "vcek-tcb", ret ? 0 : 1, ret ? "certificate %s does not match the report"
					     : "reported_tcb and chip_id match the certificate%s",
	      ret ? field : snp_chip_id_masked(r) ? " (chip_id masked)" : "");
	ret = snp_report_verify_sig(r, X509_get0_pubkey(s.leaf));
	check(c, "report-signature", ret ? 0 : 1, ret ? "does not verify with %s"
						     : "ECDSA P-384/SHA-384 by %s",
	      cn(s.leaf, l, sizeof(l)));
	c->hw_verified = !ret;
out:
	certs_free(&s);
	/* Failed checks are recorded; only malformed input is an error here. */
	return ret == -EBADMSG || ret == -ENOMEM ? ret : 0;
}

static void check_report_nonce(struct vctx *c, const char *name, const uint8_t *field)
{
	const struct verifier_input *in = c->in;
	uint8_t want[64] = { 0 };

	if (!in->nonce) {
		check(c, name, -1, "no --nonce given: freshness not checked");
		return;
	}
	memcpy(want, in->nonce, in->nonce_len);
	check(c, name, !memcmp(want, field, 64), "%s", !memcmp(want, field, 64) ?
	      "equals the nonce" : "does not equal the nonce (zero-padded to 64 bytes)");
}

/*
 * The report and the quote answer the same request: the claims' user-data is the
 * quote's qualifyingData zero-padded (hcl_nonce_user_data()). Checked with or
 * without --nonce, so a quote cannot be paired with another request's report.
 */
static void check_nonce_binding(struct vctx *c, const struct tpm_quote *q,
				const struct hcl_claims *cl)
{
	uint8_t ud[HCL_USER_DATA_LEN];
	bool ok;

	ok = cl->has_user_data && !hcl_nonce_user_data(q->extra, q->extra_len, ud) &&
	     !memcmp(ud, cl->user_data, sizeof(ud));
	check(c, "nonce-binding", ok, "%s", ok ?
	      "the report's user-data is the quote's nonce" :
	      "the report's user-data is not the quote's nonce: they answer different requests");
}

static void replay_entry(struct vctx *c, unsigned int pcr, const char *result,
			 unsigned int fw, unsigned int own, const uint8_t *replay,
			 const uint8_t *quoted)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "pcr", json_object_new_int((int)pcr));
	json_object_object_add(o, "result", json_object_new_string(result));
	json_object_object_add(o, "firmware_events", json_object_new_int((int)fw));
	json_object_object_add(o, "cvmguard_events", json_object_new_int((int)own));
	vresult_hex(o, "replay", replay, 32);
	if (quoted)
		vresult_hex(o, "quoted", quoted, 32);
	json_object_array_add(c->replay, o);
}

/* The value a PCR holds after a TPM reset: all ones for PCRs 17-22, else zero. */
static bool pcr_is_reset(unsigned int pcr, const uint8_t *v)
{
	uint8_t want = pcr >= 17 && pcr <= 22 ? 0xff : 0x00;
	size_t i;

	for (i = 0; i < 32; i++)
		if (v[i] != want)
			return false;
	return true;
}

/* (measure.c's cvmg_alg_md() would pull netlink into the offline front end.) */
static bool digest_of(uint16_t alg, const uint8_t *data, size_t len, uint8_t *md,
		      unsigned int *mdlen)
{
	const EVP_MD *m = alg == 0x0004 ? EVP_sha1() : alg == 0x000b ? EVP_sha256() :
			  alg == 0x000c ? EVP_sha384() : alg == 0x000d ? EVP_sha512() :
			  alg == 0x0012 ? EVP_get_digestbyname("SM3") : NULL;

	return m && EVP_Digest(data, len, md, mdlen, m, NULL) == 1;
}

/*
 * Whether every digest of @ev is the hash of its data in that bank's algorithm.
 * A bank the kernel cannot hash is extended with the SHA-256 digest truncated or
 * zero-padded to the bank's size (Documentation/measure.rst); that binds the
 * data as well and is accepted. A bank that cannot be computed here fails.
 */
static bool event_bound(const struct cvmg_event *ev)
{
	uint8_t md[EVP_MAX_MD_SIZE], s256[EVP_MAX_MD_SIZE], alt[CVMG_MAX_DIGEST];
	unsigned int mdlen, slen;
	bool have256;
	unsigned int i;

	have256 = digest_of(TPM_ALG_SHA256, ev->data, ev->data_len, s256, &slen);
	for (i = 0; i < ev->nr_digests; i++) {
		if (digest_of(ev->digests[i].alg, ev->data, ev->data_len, md, &mdlen) &&
		    mdlen == ev->digests[i].size && !memcmp(md, ev->digests[i].value, mdlen))
			continue;
		if (!have256 || ev->digests[i].size > sizeof(alt))
			return false;
		memset(alt, 0, sizeof(alt));
		memcpy(alt, s256, ev->digests[i].size < slen ? ev->digests[i].size : slen);
		if (memcmp(alt, ev->digests[i].value, ev->digests[i].size))
			return false;
	}
	return ev->nr_digests > 0;
}

/*
 * Firmware event types whose data is the digest's preimage (TCG PC Client
 * Platform Firmware Profile, section 10.4): EV_SEPARATOR, EV_ACTION,
 * EV_EFI_ACTION, EV_EFI_VARIABLE_DRIVER_CONFIG, EV_EFI_GPT_EVENT.
 */
static bool preimage_type(uint32_t type)
{
	return type == 0x4 || type == 0x5 || type == 0x80000007 || type == 0x80000001 ||
	       type == 0x80000006;
}

/* Every event whose data must be its digest's preimage is; else name the first. */
static void check_bound(struct vctx *c, const struct tcg_log *log, bool own, const char *name)
{
	size_t i;

	for (i = 0; i < log->nr_events; i++) {
		const struct cvmg_event *ev = &log->events[i];

		if (ev->type == TCG_EV_NO_ACTION || (!own && !preimage_type(ev->type)))
			continue;
		if (!event_bound(ev)) {
			check(c, name, 0, "event %zu (PCR %u, type 0x%x): a digest is not the hash "
			      "of the event's data", i, ev->pcr, ev->type);
			return;
		}
	}
	check(c, name, 1, "%s", own ? "every event's digests are the hashes of its data" :
	      "every separator, action, driver-config and GPT event's digests are the "
	      "hashes of its data");
}

/*
 * Replay the bundle's logs (the firmware's, then the module's) on the SHA-256 bank
 * and compare each PCR they extend with the quoted value (already bound to the
 * quote by quote-pcrs): any mismatch on any PCR fails, and a log that extends a
 * PCR the quote does not select fails. Every quoted PCR whose value is not its
 * reset value must be replayed by a log, or be named by vtpm.unlogged_pcrs
 * (else a policy violation): a PCR nobody can replay proves nothing.
 *
 * Return: 0, or -EBADMSG for a malformed log.
 */
static int verify_logs(struct vctx *c, const struct bundle *b, uint32_t quoted,
		       const uint8_t *pcrs)
{
	const struct bundle_section_ref *fw = bundle_get(b, BUNDLE_EVENT_LOG);
	const struct bundle_section_ref *own = bundle_get(b, BUNDLE_CVMG_LOG);
	struct tcg_log fwl = { 0 }, ownl = { 0 };
	const struct tcg_log *logs[2];
	struct tcg_replay all = { 0 }, mine = { 0 };
	char name[32], a[65], qv[65];
	unsigned int pcr, nfw, nown;
	uint32_t unlogged = 0;
	size_t n = 0;
	int ret = 0;

	if (fw && tcg_log_parse(fw->data, fw->len, &fwl)) {
		check(c, "log-replay", 0, "malformed firmware event log");
		ret = -EBADMSG;
		goto out;
	}
	if (own && tcg_log_parse(own->data, own->len, &ownl)) {
		check(c, "log-replay", 0, "malformed cvmguard event log");
		ret = -EBADMSG;
		goto out;
	}
	if (fw) {
		logs[n++] = &fwl;
		check_bound(c, &fwl, false, "log-data-firmware");
	}
	if (own) {
		logs[n++] = &ownl;
		check_bound(c, &ownl, true, "log-data-cvmguard");
	}
	if (!n) {
		check(c, "log-replay", -1, "the bundle carries no event log");
	} else {
		ret = tcg_log_replay(logs, n, TPM_ALG_SHA256, &all);
		if (!ret && own)
			ret = tcg_log_replay(&logs[n - 1], 1, TPM_ALG_SHA256, &mine);
		if (ret == -ENOENT || ret == -ERANGE) {
			check(c, "log-replay", 0, "%s", ret == -ENOENT ?
			      "an event log has no SHA-256 bank" :
			      "an event log extends a PCR past 23");
			ret = 0;
			goto out;
		}
		if (ret)
			goto out;
		if (!all.touched)
			check(c, "log-replay", -1, "the event logs extend no PCR");
	}
	for (pcr = 0; pcr < TCG_PCR_COUNT; pcr++) {
		const uint8_t *qp = pcrs + 32 * pcr;
		bool match;

		if (!(all.touched & (1u << pcr))) {
			if ((quoted & (1u << pcr)) && !pcr_is_reset(pcr, qp))
				unlogged |= 1u << pcr;
			continue;
		}
		nown = mine.events[pcr];
		nfw = all.events[pcr] - nown;
		snprintf(name, sizeof(name), "log-replay-pcr%u", pcr);
		cvmg_hex_encode(all.pcr[pcr], 32, a);
		if (!(quoted & (1u << pcr))) {
			check(c, name, 0, "PCR %u: extended by the logs but not quoted", pcr);
			replay_entry(c, pcr, "fail", nfw, nown, all.pcr[pcr], NULL);
			continue;
		}
		cvmg_hex_encode(qp, 32, qv);
		match = !memcmp(all.pcr[pcr], qp, 32);
		if (match)
			check(c, name, 1, "PCR %u: %u firmware and %u cvmguard events replay to "
			      "the quoted value", pcr, nfw, nown);
		else
			check(c, name, 0, "PCR %u: the logs (%u firmware, %u cvmguard events) "
			      "replay to %.16s..., the quote has %.16s...: extended outside the "
			      "logs", pcr, nfw, nown, a, qv);
		replay_entry(c, pcr, match ? "pass" : "fail", nfw, nown, all.pcr[pcr], qp);
	}
	if (unlogged) {
		json_object *u = json_object_new_array();

		for (pcr = 0; pcr < TCG_PCR_COUNT; pcr++)
			if (unlogged & (1u << pcr))
				json_object_array_add(u, json_object_new_int((int)pcr));
		json_object_object_add(c->claims, "unlogged_pcrs", u);
	}
	policy_check_unlogged(c->pol, unlogged, &c->pv);
out:
	tcg_log_free(&fwl);
	tcg_log_free(&ownl);
	return ret;
}

/* The quote's SHA-256 selection as a mask; 0 when it selects nothing or another bank. */
static uint32_t quote_selection(const struct tpm_quote *q, bool *other)
{
	uint32_t quoted = 0;
	size_t i, s;

	*other = false;
	for (s = 0; s < q->nsel; s++)
		for (i = 0; i < (size_t)q->sel[s].size * 8; i++) {
			if (!(q->sel[s].bits[i / 8] & (1u << (i % 8))))
				continue;
			if (q->sel[s].hash != TPM_ALG_SHA256 || i >= TCG_PCR_COUNT)
				*other = true;
			else
				quoted |= 1u << i;
		}
	return quoted;
}

static int verify_quote(struct vctx *c, const struct bundle *b, const struct hcl_claims *cl)
{
	const struct bundle_section_ref *msg = bundle_get(b, BUNDLE_QUOTE_MSG);
	const struct bundle_section_ref *sig = bundle_get(b, BUNDLE_QUOTE_SIG);
	const struct bundle_section_ref *pcrs = bundle_get(b, BUNDLE_PCRS_SHA256);
	json_object *sel, *vals;
	struct tpm_quote q;
	uint32_t quoted;
	char key[4];
	bool other;
	int ret;
	unsigned int i;

	if (!msg || !sig || !pcrs) {
		check(c, "tpm-quote", 0, "bundle lacks the quote, its signature or the PCRs");
		return 0;
	}
	ret = tpm_quote_parse(msg->data, msg->len, &q);
	if (ret) {
		check(c, "tpm-quote", 0, "malformed TPMS_ATTEST");
		return ret;
	}
	if (pcrs->len != 32 * TCG_PCR_COUNT) {
		check(c, "tpm-quote", 0, "the PCR section is %u bytes, not %d", (unsigned int)pcrs->len,
		      32 * TCG_PCR_COUNT);
		return -EBADMSG;
	}
	vresult_hex(c->claims, "quote_extra_data", q.extra, q.extra_len);
	vresult_hex(c->claims, "quote_pcr_digest", q.pcr_digest, q.pcr_digest_len);
	/* The verdict covers what the quote covers: only selected PCRs are claims. */
	quoted = quote_selection(&q, &other);
	sel = json_object_new_array();
	vals = json_object_new_object();
	for (i = 0; i < TCG_PCR_COUNT; i++) {
		if (!(quoted & (1u << i)))
			continue;
		json_object_array_add(sel, json_object_new_int((int)i));
		snprintf(key, sizeof(key), "%u", i);
		vresult_hex(vals, key, pcrs->data + 32 * i, 32);
	}
	c->quoted = quoted;
	c->pcrs = pcrs->data;
	json_object_object_add(c->claims, "quote_selection_sha256", sel);
	json_object_object_add(c->claims, "pcrs_sha256", vals);
	check(c, "quote-selection", quoted && !other, "%s", !quoted ?
	      "the quote selects no SHA-256 PCR: it proves nothing about the machine" : other ?
	      "the quote selects PCRs of another bank or past 23" :
	      "the quote selects SHA-256 PCRs (listed in quote_selection_sha256)");
	if (!cl->ak) {
		check(c, "quote-signature", 0, "no HCLAkPub in the claims");
	} else {
		ret = tpm_quote_verify_sig(msg->data, msg->len, sig->data, sig->len, cl->ak);
		check(c, "quote-signature", !ret, "%s", ret ? "does not verify with HCLAkPub"
							   : "signed by HCLAkPub");
	}
	ret = tpm_quote_check_pcrs(&q, pcrs->data, pcrs->len);
	check(c, "quote-pcrs", !ret, "%s", ret ? "pcrDigest does not match the PCR values"
					       : "pcrDigest matches the PCR values");
	if (!c->in->nonce)
		check(c, "quote-nonce", -1, "--no-nonce: freshness not checked");
	else
		check(c, "quote-nonce", !tpm_quote_check_nonce(&q, c->in->nonce, c->in->nonce_len),
		      "extraData %s the nonce",
		      tpm_quote_check_nonce(&q, c->in->nonce, c->in->nonce_len) ? "is not" : "is");
	check_nonce_binding(c, &q, cl);
	return verify_logs(c, b, quoted, pcrs->data);
}

/* A TD quote (raw, or for an HCL report's TDREPORT @t): tdx_verify.c does the work. */
static int verify_td_quote(struct vctx *c, const struct bundle *b, const struct tdx_report *t,
			   const uint8_t *raw, size_t rawlen)
{
	const struct bundle_section_ref *sq = b ? bundle_get(b, BUNDLE_TD_QUOTE) : NULL;
	const struct bundle_section_ref *sc = b ? bundle_get(b, BUNDLE_DCAP_COLLATERAL) : NULL;
	struct tdx_sink s = { c->claims, c->checks, c->notes, &c->pv, false, false };
	struct tdx_evidence e = {
		.quote = raw ? raw : c->in->td_quote ? c->in->td_quote : sq ? sq->data : NULL,
		.quote_len = raw ? rawlen : c->in->td_quote ? c->in->td_quote_len :
			     sq ? sq->len : 0,
		.collateral = c->in->collateral ? c->in->collateral : sc ? sc->data : NULL,
		.collateral_len = c->in->collateral ? c->in->collateral_len : sc ? sc->len : 0,
		.root = c->in->intel_root, .now = c->in->now, .policy = c->pol,
		.nonce = c->in->nonce, .nonce_len = c->in->nonce_len,
	};
	int ret;

	c->tdx = true;
	ret = tdx_evidence_verify(&e, t, &s);
	c->failed |= s.failed;
	c->hw_verified |= s.hw_verified;
	return ret;
}

static int verify_hcl(struct vctx *c, const uint8_t *buf, size_t len, const struct bundle *b)
{
	struct snp_report *r = NULL;
	struct hcl_report h;
	struct hcl_claims cl = { 0 };
	struct tdx_report t;
	enum snp_product prod;
	int ret;

	ret = hcl_report_parse(buf, len, &h);
	if (ret) {
		check(c, "hcl-report", 0, "malformed HCL report");
		return ret;
	}
	claim_u64(c->claims, "hcl_version", h.version);
	json_object_object_add(c->claims, "hcl_report_type", json_object_new_string(
		h.rt_report_type == HCL_REPORT_SNP ? "SNP" : "TDX"));
	if (h.rt_report_type == HCL_REPORT_SNP) {
		r = malloc(sizeof(*r));
		if (!r)
			return -ENOMEM;
		ret = verify_snp(c, h.hw, h.hw_len, b, r, &prod);
		if (ret)
			goto out;
		policy_check_snp(c->pol, r, prod, true, &c->pv);
	} else {
		ret = tdx_report_parse(h.hw, h.hw_len, &t);
		if (ret) {
			check(c, "tdx-report", 0, "malformed TDREPORT");
			goto out;
		}
		tdx_claims(c, &t);
		/*
		 * A TD quote (--td-quote, or the bundle's) verified to Intel's root
		 * whose body matches this TDREPORT sets c->hw_verified; without one
		 * policy_check_hw() refuses the evidence (tdx.require_hardware_verified,
		 * exit 2) unless the policy relaxes it.
		 */
		ret = verify_td_quote(c, b, &t, NULL, 0);
		if (ret)
			goto out;
		policy_check_tdx(c->pol, &t, &c->pv);
	}
	ret = hcl_report_check_binding(&h);
	check(c, "claims-binding", !ret, "%s", ret ? "REPORT_DATA is not SHA-256 of the claims"
						   : "REPORT_DATA = SHA-256(claims) || 0^32");
	ret = hcl_claims_parse(h.claims, h.claims_len, &cl);
	if (ret) {
		check(c, "claims", 0, "malformed runtime claims JSON");
		goto out;
	}
	json_object_object_add(c->claims, "runtime", json_object_get(cl.root));
	check(c, "hcl-ak", cl.ak ? 1 : 0, "%s", cl.ak ? "HCLAkPub present" : "no HCLAkPub");
	if (!cl.has_user_data && c->in->nonce)
		check(c, "user-data", 0, "the claims carry no user-data");
	else if (cl.has_user_data)
		check_report_nonce(c, "user-data", cl.user_data);
	policy_check_vmcfg(c->pol, cl.vm_config, &c->pv);
	if (b)
		ret = verify_quote(c, b, &cl);
out:
	hcl_claims_free(&cl);
	free(r);
	return ret;
}

/**
 * verifier_detect() - what kind of evidence a file holds, by its content
 * @buf: the file
 * @len: its length
 *
 * Return: VERIFIER_BUNDLE ("CVMGBNDL" magic), VERIFIER_HCL_REPORT ("HCLA"),
 * VERIFIER_TD_QUOTE (quote v4/v5 header, TDX, ECDSA P-256), a VERIFIER_SNP_REPORT
 * (exactly 1184 bytes), or VERIFIER_UNKNOWN.
 */
enum verifier_kind verifier_detect(const uint8_t *buf, size_t len)
{
	if (len >= 8 && !memcmp(buf, BUNDLE_MAGIC, 8))
		return VERIFIER_BUNDLE;
	if (len >= 4 && !memcmp(buf, HCL_MAGIC, 4))
		return VERIFIER_HCL_REPORT;
	if (tdx_quote_is_quote(buf, len))
		return VERIFIER_TD_QUOTE;
	if (len == SNP_REPORT_SIZE)
		return VERIFIER_SNP_REPORT;
	return VERIFIER_UNKNOWN;
}

static const char *const kind_names[] = { "unknown", "snp-report", "hcl-report", "bundle",
					  "td-quote" };

/**
 * verifier_run() - verify one piece of evidence
 * @in: the evidence and what to verify it against
 * @result: receives the result document (json_object_put() it): "evidence",
 *          "claims", "checks" [{name, result, detail}], "policy_violations"
 *          [{name, detail}], "log_replay" [{pcr, result, firmware_events,
 *          cvmguard_events, replay, quoted}], "notes" [string], "verdict",
 *          "hardware_verified" (a hardware report's signature verified)
 *
 * The policy is @in->policy, or the built-in default (policy_init()) when NULL.
 *
 * Return: 0 when every check passed and the policy holds; -EBADMSG for malformed
 * evidence, -EKEYREJECTED when a signature, chain, binding or log check failed,
 * -EACCES for policy violations only (including evidence that is not verified to
 * hardware); -EINVAL when a required nonce is missing or empty; -ENOMEM.
 */
int verifier_run(const struct verifier_input *in, json_object **result)
{
	struct vctx c = { .in = in, .pol = in->policy };
	struct cvmg_policy def;
	enum verifier_kind kind = verifier_detect(in->evidence, in->len);
	json_object *root = json_object_new_object(), *viol;
	struct snp_report *r = NULL;
	struct bundle b;
	const struct bundle_section_ref *sec;
	enum snp_product prod;
	const char *verdict;
	size_t i;
	int ret = 0;

	if (!c.pol) {
		policy_init(&def);
		c.pol = &def;
	}
	c.claims = json_object_new_object();
	c.checks = json_object_new_array();
	c.replay = json_object_new_array();
	c.notes = json_object_new_array();
	viol = json_object_new_array();
	json_object_object_add(root, "evidence", json_object_new_string(kind_names[kind]));
	json_object_object_add(root, "claims", c.claims);
	json_object_object_add(root, "checks", c.checks);
	json_object_object_add(root, "policy_violations", viol);
	json_object_object_add(root, "log_replay", c.replay);
	json_object_object_add(root, "notes", c.notes);
	/* A nonce is 1 to 64 bytes; HCL evidence needs one unless waived. */
	if ((in->nonce && (!in->nonce_len || in->nonce_len > 64)) ||
	    (!in->nonce && !in->no_nonce &&
	     (kind == VERIFIER_HCL_REPORT || kind == VERIFIER_BUNDLE))) {
		check(&c, "nonce", 0, "%s", in->nonce ? "the nonce must be 1 to 64 bytes" :
		      "HCL reports and bundles are verified against a nonce (or no_nonce)");
		ret = -EINVAL;
		goto out;
	}
	switch (kind) {
	case VERIFIER_SNP_REPORT:
		r = malloc(sizeof(*r));
		if (!r) {
			ret = -ENOMEM;
			goto out;
		}
		ret = verify_snp(&c, in->evidence, in->len, NULL, r, &prod);
		if (ret)
			break;
		check_report_nonce(&c, "report-data", r->report_data);
		policy_check_snp(c.pol, r, prod, false, &c.pv);
		break;
	case VERIFIER_HCL_REPORT:
		ret = verify_hcl(&c, in->evidence, in->len, NULL);
		break;
	case VERIFIER_TD_QUOTE:
		ret = verify_td_quote(&c, NULL, NULL, in->evidence, in->len);
		break;
	case VERIFIER_BUNDLE:
		ret = bundle_parse(in->evidence, in->len, &b);
		sec = ret ? NULL : bundle_get(&b, BUNDLE_HCL_REPORT);
		if (!sec) {
			check(&c, "bundle", 0, "malformed bundle or no HCL report in it");
			ret = -EBADMSG;
			break;
		}
		ret = verify_hcl(&c, sec->data, sec->len, &b);
		break;
	default:
		check(&c, "evidence", 0, "neither an SNP report (1184 bytes), an HCL report, "
		      "a TD quote nor a bundle");
		ret = -EBADMSG;
	}
	if (ret && ret != -EBADMSG && ret != -ENOMEM)
		ret = -EBADMSG;
	if (ret)
		goto out;
	/* What the policy requires that this form of evidence cannot show is refused. */
	policy_check_expect(c.pol, kind == VERIFIER_SNP_REPORT ? POLICY_FORM_SNP :
			    kind == VERIFIER_TD_QUOTE ? POLICY_FORM_TD_QUOTE :
			    kind == VERIFIER_BUNDLE ? POLICY_FORM_BUNDLE :
			    in->td_quote ? POLICY_FORM_HCL_TD_QUOTE : POLICY_FORM_HCL, &c.pv);
	policy_check_inapplicable(c.pol, kind == VERIFIER_HCL_REPORT || kind == VERIFIER_BUNDLE,
				  kind == VERIFIER_BUNDLE, kind == VERIFIER_SNP_REPORT ?
				  "a raw SNP report" : kind == VERIFIER_TD_QUOTE ? "a raw TD quote" :
				  "an HCL report without a bundle", &c.pv);
	if (kind == VERIFIER_BUNDLE)
		policy_check_pcrs(c.pol, c.quoted, c.pcrs, &c.pv);
	if (!c.failed)
		policy_check_hw(c.pol, c.tdx, c.hw_verified, &c.pv);
	for (i = 0; i < c.pv.n; i++) {
		json_object *v = json_object_new_object();

		json_object_object_add(v, "name", json_object_new_string(c.pv.v[i].name));
		json_object_object_add(v, "detail", json_object_new_string(c.pv.v[i].detail));
		json_object_array_add(viol, v);
	}
	if (c.failed)
		ret = -EKEYREJECTED;
	else if (c.pv.n)
		ret = -EACCES;
out:
	verdict = !ret ? "verified" : ret == -EBADMSG ? "malformed" :
		  ret == -EKEYREJECTED ? "failed" : ret == -EACCES ? "policy-violation" :
		  ret == -EINVAL ? "usage" : "error";
	json_object_object_add(root, "verdict", json_object_new_string(verdict));
	json_object_object_add(root, "hardware_verified", json_object_new_boolean(c.hw_verified));
	free(r);
	*result = root;
	return ret;
}

/* Length of the valid UTF-8 sequence at @s (at most @n bytes), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

/* @s with invalid UTF-8 replaced by U+FFFD (malloc'ed); *bad set when any was. */
static char *utf8_fix(const char *s, size_t n, bool *bad)
{
	const unsigned char *u = (const unsigned char *)s;
	char *out = malloc(3 * n + 1), *o = out;
	size_t i = 0, l;

	if (!out)
		return NULL;
	while (i < n) {
		l = u[i] ? utf8_seq(u + i, n - i) : 0;
		if (l) {
			memcpy(o, u + i, l);
			o += l;
			i += l;
		} else {
			memcpy(o, "\xef\xbf\xbd", 3);	/* U+FFFD; NUL bytes too */
			o += 3;
			i++;
			*bad = true;
		}
	}
	*o = '\0';
	return out;
}

/* A copy of @o whose every key and string is valid UTF-8 without NUL bytes. */
static json_object *json_fix(json_object *o, bool *bad)
{
	json_object *n;
	char *s;
	size_t i;

	switch (json_object_get_type(o)) {
	case json_type_object:
		n = json_object_new_object();
		json_object_object_foreach(o, k, v) {
			s = utf8_fix(k, strlen(k), bad);
			if (s)
				json_object_object_add(n, s, json_fix(v, bad));
			free(s);
		}
		return n;
	case json_type_array:
		n = json_object_new_array();
		for (i = 0; i < json_object_array_length(o); i++)
			json_object_array_add(n, json_fix(json_object_array_get_idx(o, i), bad));
		return n;
	case json_type_string:
		s = utf8_fix(json_object_get_string(o), (size_t)json_object_get_string_len(o), bad);
		n = json_object_new_string(s ? s : "");
		free(s);
		return n;
	default:
		return json_object_get(o);
	}
}

/**
 * verifier_json() - the result document as JSON text safe to print anywhere
 * @res: a verifier_run() result
 * @pretty: indent it
 *
 * Every string and key is valid UTF-8 (invalid sequences and NUL bytes become
 * U+FFFD, and "output_replaced_invalid_utf8": true is added when any did); no
 * control character (C0, DEL, C1) appears raw: each is a \u escape.
 *
 * Return: a malloc'ed string, or NULL.
 */
char *verifier_json(json_object *res, bool pretty)
{
	bool bad = false;
	json_object *fixed = json_fix(res, &bad);
	const unsigned char *t;
	char *out, *o;

	if (bad)
		json_object_object_add(fixed, "output_replaced_invalid_utf8",
				       json_object_new_boolean(true));
	t = (const unsigned char *)json_object_to_json_string_ext(fixed,
		(pretty ? JSON_C_TO_STRING_PRETTY : JSON_C_TO_STRING_PLAIN) |
		JSON_C_TO_STRING_NOSLASHESCAPE);
	out = malloc(6 * strlen((const char *)t) + 1);
	for (o = out; out && *t; t++) {
		/* json-c escapes C0 itself; DEL and C1 occur only inside strings. */
		if (*t == 0x7f) {
			o += sprintf(o, "\\u007f");
		} else if (t[0] == 0xc2 && t[1] >= 0x80 && t[1] <= 0x9f) {
			o += sprintf(o, "\\u%04x", t[1]);
			t++;
		} else {
			*o++ = (char)*t;
		}
	}
	if (out)
		*o = '\0';
	json_object_put(fixed);
	return out;
}

/* Print @s between quotes, every byte outside printable ASCII, '"' and '\' escaped. */
static void print_quoted(FILE *f, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	fputc('"', f);
	for (; *u; u++) {
		if (*u == '"' || *u == '\\')
			fprintf(f, "\\%c", *u);
		else if (*u < 0x20 || *u >= 0x7f)
			fprintf(f, "\\x%02x", *u);
		else
			fputc(*u, f);
	}
	fputc('"', f);
}

/* Print @s with every byte outside printable ASCII escaped, without quotes. */
static void print_escaped(FILE *f, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	for (; *u; u++) {
		if (*u == '\\')
			fputs("\\\\", f);
		else if (*u < 0x20 || *u >= 0x7f)
			fprintf(f, "\\x%02x", *u);
		else
			fputc(*u, f);
	}
}

static void print_claim(FILE *f, const char *indent, const char *key, json_object *val)
{
	fputs(indent, f);
	print_quoted(f, key);
	fputs(": ", f);
	print_escaped(f, json_object_to_json_string_ext(val, JSON_C_TO_STRING_PLAIN |
							 JSON_C_TO_STRING_NOSLASHESCAPE));
	fputc('\n', f);
}

static const char *get_str(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_get_string(v) ?
	       json_object_get_string(v) : "";
}

/**
 * verifier_print_text() - the result document for people
 * @f: where to print
 * @res: a verifier_run() result
 *
 * Claim keys are quoted, claim values printed as JSON, and every byte outside
 * printable ASCII in anything that came from the evidence is escaped (\xNN), so
 * no claim can print a line of its own or a terminal escape sequence.
 */
void verifier_print_text(FILE *f, json_object *res)
{
	json_object *checks = NULL, *viol = NULL, *claims = NULL, *v;
	size_t i;

	json_object_object_get_ex(res, "claims", &claims);
	json_object_object_get_ex(res, "checks", &checks);
	json_object_object_get_ex(res, "policy_violations", &viol);
	fprintf(f, "evidence: ");
	print_escaped(f, get_str(res, "evidence"));
	fprintf(f, "\nclaims:\n");
	if (!claims)
		claims = json_object_new_object();	/* not reached: always there */
	else
		json_object_get(claims);
	{
		json_object_object_foreach(claims, key, val) {
			if (json_object_is_type(val, json_type_object)) {
				fputs("  ", f);
				print_quoted(f, key);
				fputs(":\n", f);
				json_object_object_foreach(val, k2, v2)
					print_claim(f, "    ", k2, v2);
			} else {
				print_claim(f, "  ", key, val);
			}
		}
	}
	json_object_put(claims);
	fprintf(f, "checks:\n");
	for (i = 0; checks && i < json_object_array_length(checks); i++) {
		json_object *c = json_object_array_get_idx(checks, i);

		fprintf(f, "  [%s] ", !strcmp(get_str(c, "result"), "fail") ? "FAIL" :
			get_str(c, "result"));
		print_escaped(f, get_str(c, "name"));
		fputs(": ", f);
		print_escaped(f, get_str(c, "detail"));
		fputc('\n', f);
	}
	if (viol && json_object_array_length(viol)) {
		fprintf(f, "policy violations:\n");
		for (i = 0; i < json_object_array_length(viol); i++) {
			json_object *c = json_object_array_get_idx(viol, i);

			fputs("  [FAIL] ", f);
			print_escaped(f, get_str(c, "name"));
			fputs(": ", f);
			print_escaped(f, get_str(c, "detail"));
			fputc('\n', f);
		}
	}
	if (json_object_object_get_ex(res, "notes", &v))
		for (i = 0; i < json_object_array_length(v); i++) {
			fputs("note: ", f);
			print_escaped(f, json_object_get_string(json_object_array_get_idx(v, i)));
			fputc('\n', f);
		}
	fprintf(f, "verdict: ");
	print_escaped(f, get_str(res, "verdict"));
	fputc('\n', f);
}
