// SPDX-License-Identifier: GPL-2.0
/*
 * cvmguard-paravisor: an ARK -> ASK -> VCEK chain shaped like AMD's.
 *
 * ARK and ASK are RSA-4096, every certificate is signed RSASSA-PSS with
 * SHA-384, MGF1-SHA-384 and a 48-byte salt; the VCEK is an EC P-384 key whose
 * certificate carries AMD's extensions (structVersion, productName, the TCB
 * SPLs and hwID), encoded as in a VCEK from AMD's KDS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "pv.h"

static EVP_PKEY *gen_rsa4096(void)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, NULL);
	EVP_PKEY *k = NULL;

	if (!c || EVP_PKEY_keygen_init(c) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_keygen_bits(c, 4096) <= 0 ||
	    EVP_PKEY_keygen(c, &k) <= 0)
		k = NULL;
	EVP_PKEY_CTX_free(c);
	return k;
}

static EVP_PKEY *gen_p384(void)
{
	return EVP_EC_gen("P-384");
}

static EVP_PKEY *load_key(const char *dir, const char *name)
{
	char path[4096];
	FILE *f;
	EVP_PKEY *k;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	return k;
}

static void save_key(const char *dir, const char *name, EVP_PKEY *k)
{
	char path[4096], tmp[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	f = fopen(tmp, "w");
	if (!f)
		die("cannot write %s", tmp);
	chmod(tmp, 0600);
	if (!PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL))
		die("cannot write key %s", tmp);
	fclose(f);
	if (rename(tmp, path))
		die("rename %s", path);
}

static X509_NAME *amd_name(const char *cn)
{
	X509_NAME *n = X509_NAME_new();

#define ADD(f, v) X509_NAME_add_entry_by_txt(n, f, MBSTRING_UTF8, (const unsigned char *)(v), -1, -1, 0)
	ADD("OU", "Engineering");
	ADD("C", "US");
	ADD("L", "Santa Clara");
	ADD("ST", "CA");
	ADD("O", "Advanced Micro Devices");
	ADD("CN", cn);
#undef ADD
	return n;
}

static void add_ext_nid(X509 *x, X509 *issuer, int nid, const char *val)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;

	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, val);
	if (!e)
		die("extension %d", nid);
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
}

/* an extension whose extnValue is the given DER (AMD's encoding) */
static void add_raw_ext(X509 *x, const char *oid, const uint8_t *der, int len)
{
	ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	X509_EXTENSION *e;

	ASN1_OCTET_STRING_set(os, der, len);
	e = X509_EXTENSION_create_by_OBJ(NULL, o, 0, os);
	if (!e)
		die("extension %s", oid);
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	ASN1_OCTET_STRING_free(os);
	ASN1_OBJECT_free(o);
}

static void add_int_ext(X509 *x, const char *oid, long v)
{
	ASN1_INTEGER *i = ASN1_INTEGER_new();
	unsigned char *der = NULL;
	int len;

	ASN1_INTEGER_set(i, v);
	len = i2d_ASN1_INTEGER(i, &der);
	add_raw_ext(x, oid, der, len);
	OPENSSL_free(der);
	ASN1_INTEGER_free(i);
}

static void pss_sign(X509 *x, EVP_PKEY *key)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pc;

	if (EVP_DigestSignInit(md, &pc, EVP_sha384(), NULL, key) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, 48) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md(pc, EVP_sha384()) <= 0 ||
	    X509_sign_ctx(x, md) <= 0) {
		ERR_print_errors_fp(stderr);
		die("RSA-PSS signing failed");
	}
	EVP_MD_CTX_free(md);
}

static X509 *new_cert(long serial, const char *subj_cn, X509 *issuer,
		      const char *iss_cn, EVP_PKEY *pub, long days)
{
	X509 *x = X509_new();
	X509_NAME *s = amd_name(subj_cn), *i = amd_name(iss_cn);

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_set_subject_name(x, s);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : i);
	X509_gmtime_adj(X509_getm_notBefore(x), -86400);
	X509_gmtime_adj(X509_getm_notAfter(x), days * 86400);
	X509_set_pubkey(x, pub);
	X509_NAME_free(s);
	X509_NAME_free(i);
	return x;
}

static void make_ca_certs(void)
{
	char ark_cn[32], ask_cn[32], crl[128];
	const char *p = pv.cfg.product;

	snprintf(ark_cn, sizeof(ark_cn), "ARK-%s", p);
	snprintf(ask_cn, sizeof(ask_cn), "SEV-%s", p);
	snprintf(crl, sizeof(crl), "URI:https://kdsintf.amd.com/vcek/v1/%s/crl", p);

	X509_free(pv.ark_cert);
	X509_free(pv.ask_cert);
	pv.ark_cert = new_cert(0x10000, ark_cn, NULL, ark_cn, pv.ark, 25 * 365);
	add_ext_nid(pv.ark_cert, NULL, NID_key_usage, "critical,keyCertSign,cRLSign");
	add_ext_nid(pv.ark_cert, NULL, NID_subject_key_identifier, "hash");
	add_ext_nid(pv.ark_cert, NULL, NID_basic_constraints, "critical,CA:TRUE");
	add_ext_nid(pv.ark_cert, NULL, NID_crl_distribution_points, crl);
	pss_sign(pv.ark_cert, pv.ark);

	pv.ask_cert = new_cert(0x10001, ask_cn, pv.ark_cert, ark_cn, pv.ask, 25 * 365);
	add_ext_nid(pv.ask_cert, pv.ark_cert, NID_subject_key_identifier, "hash");
	add_ext_nid(pv.ask_cert, pv.ark_cert, NID_authority_key_identifier, "keyid:always");
	add_ext_nid(pv.ask_cert, pv.ark_cert, NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
	add_ext_nid(pv.ask_cert, pv.ark_cert, NID_key_usage, "critical,keyCertSign");
	add_ext_nid(pv.ask_cert, pv.ark_cert, NID_crl_distribution_points, crl);
	pss_sign(pv.ask_cert, pv.ark);
}

static void make_vcek_cert(void)
{
	char ask_cn[32], prod[32];
	uint8_t der[40];
	size_t plen;
	const struct pv_config *c = &pv.cfg;

	snprintf(ask_cn, sizeof(ask_cn), "SEV-%s", c->product);
	snprintf(prod, sizeof(prod), "%s-B0", c->product);
	X509_free(pv.vcek_cert);
	pv.vcek_cert = new_cert(0, "SEV-VCEK", pv.ask_cert, ask_cn, pv.vcek, 7 * 365);
	add_int_ext(pv.vcek_cert, "1.3.6.1.4.1.3704.1.1", 0);	/* structVersion */
	/* productName: IA5String inside the extnValue */
	plen = strlen(prod);
	der[0] = 0x16;
	der[1] = (uint8_t)plen;
	memcpy(der + 2, prod, plen);
	add_raw_ext(pv.vcek_cert, "1.3.6.1.4.1.3704.1.2", der, 2 + plen);
	add_int_ext(pv.vcek_cert, "1.3.6.1.4.1.3704.1.3.1", c->tcb_bl);
	add_int_ext(pv.vcek_cert, "1.3.6.1.4.1.3704.1.3.2", c->tcb_tee);
	add_int_ext(pv.vcek_cert, "1.3.6.1.4.1.3704.1.3.4", 0);
	add_int_ext(pv.vcek_cert, "1.3.6.1.4.1.3704.1.3.5", 0);
	add_int_ext(pv.vcek_cert, "1.3.6.1.4.1.3704.1.3.6", 0);
	add_int_ext(pv.vcek_cert, "1.3.6.1.4.1.3704.1.3.7", 0);
	add_int_ext(pv.vcek_cert, "1.3.6.1.4.1.3704.1.3.3", c->tcb_snp);
	add_int_ext(pv.vcek_cert, "1.3.6.1.4.1.3704.1.3.8", c->tcb_ucode);
	/* hwID: the 64-byte chip id, raw in the extnValue */
	add_raw_ext(pv.vcek_cert, "1.3.6.1.4.1.3704.1.4", c->chip_id, 64);
	pss_sign(pv.vcek_cert, pv.ask);
}

static void write_chain(void)
{
	char tmp[4200];
	FILE *f;

	if (!pv.o.chain_out)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", pv.o.chain_out, (int)getpid());
	f = fopen(tmp, "w");
	if (!f)
		die("cannot write %s", tmp);
	PEM_write_X509(f, pv.vcek_cert);
	PEM_write_X509(f, pv.ask_cert);
	PEM_write_X509(f, pv.ark_cert);
	if (fclose(f))
		die("cannot write %s", tmp);
	if (rename(tmp, pv.o.chain_out))
		die("rename %s", pv.o.chain_out);
}

/*
 * Called at start and on SIGHUP (config may change chip id / TCB, so the
 * VCEK certificate is remade every time; the keys are cached in --keys-dir).
 */
int certs_setup(void)
{
	const char *d = pv.o.keys_dir;

	if (!pv.ark) {
		if (d)
			mkdir(d, 0700);
		if (d) {
			pv.ark = load_key(d, "ark.key");
			pv.ask = load_key(d, "ask.key");
			pv.vcek = load_key(d, "vcek.key");
		}
		if (!pv.ark) {
			pv.ark = gen_rsa4096();
			if (!pv.ark)
				die("ARK generation failed");
			if (d)
				save_key(d, "ark.key", pv.ark);
		}
		if (!pv.ask) {
			pv.ask = gen_rsa4096();
			if (!pv.ask)
				die("ASK generation failed");
			if (d)
				save_key(d, "ask.key", pv.ask);
		}
		if (!pv.vcek) {
			pv.vcek = gen_p384();
			if (!pv.vcek)
				die("VCEK generation failed");
			if (d)
				save_key(d, "vcek.key", pv.vcek);
		}
	}
	/*
	 * AMD's ARK and ASK certificates never change: reissue them only for another
	 * product, so that a reload (new TCB, chip id...) keeps the root a verifier
	 * already trusts; the VCEK certificate is remade every time.
	 */
	static char ca_product[sizeof(pv.cfg.product)];

	if (!pv.ark_cert || strcmp(ca_product, pv.cfg.product)) {
		make_ca_certs();
		snprintf(ca_product, sizeof(ca_product), "%s", pv.cfg.product);
	}
	make_vcek_cert();
	write_chain();
	pv_log("chain ready: ARK-%s -> SEV-%s -> SEV-VCEK (tcb bl=%u tee=%u snp=%u ucode=%u)",
	       pv.cfg.product, pv.cfg.product, pv.cfg.tcb_bl, pv.cfg.tcb_tee,
	       pv.cfg.tcb_snp, pv.cfg.tcb_ucode);
	return 0;
}
