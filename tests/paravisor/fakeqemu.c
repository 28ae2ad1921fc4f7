// SPDX-License-Identifier: GPL-2.0
/*
 * fakeqemu: plays QEMU's part (swtpm control protocol, SET_DATAFD with a
 * socketpair) and the guest's (TPM commands) against cvmguard-paravisor, and
 * checks what comes back.  Used by ./selftest.
 *
 *   fakeqemu CTRL_SOCK SCENARIO CHAIN_PEM [DELAY_MS]
 *   scenarios: snp, tdx, delay, fail, onread, tearread, tearwrite
 *   environment: FQ_STYLE=openhcl|hcl and FQ_HDR=1|2 (what the paravisor was
 *   told), FQ_REAL_TDX=FILE (a real Azure TDX HCL report: field offsets)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

static int npass, nfail, data_fd = -1, ctrl_fd = -1;
static const char *chain_path;
static unsigned nvsize = 2900;		/* from NV_ReadPublic */
static int style_hcl;			/* FQ_STYLE=hcl */
static unsigned hdr_version = 2;	/* FQ_HDR */
#define NV_MAX 2900

static void check(int cond, const char *fmt, ...)
{
	va_list ap;

	printf(cond ? "ok: " : "FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (cond)
		npass++;
	else
		nfail++;
}

static uint16_t g16(const uint8_t *p) { return p[0] << 8 | p[1]; }
static uint32_t g32(const uint8_t *p) { return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]; }
static uint32_t l32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t l64(const uint8_t *p) { uint64_t v = 0; for (int i = 7; i >= 0; i--) v = v << 8 | p[i]; return v; }

struct buf { uint8_t b[4096]; size_t n; };
static void p8(struct buf *m, uint8_t v) { m->b[m->n++] = v; }
static void p16(struct buf *m, uint16_t v) { p8(m, v >> 8); p8(m, v); }
static void p32(struct buf *m, uint32_t v) { p16(m, v >> 16); p16(m, v); }
static void pb(struct buf *m, const void *d, size_t n) { memcpy(m->b + m->n, d, n); m->n += n; }
static void hdr(struct buf *m, uint16_t tag, uint32_t cc) { m->n = 0; p16(m, tag); p32(m, 0); p32(m, cc); }
static void pw(struct buf *m) { p32(m, 9); p32(m, 0x40000009); p16(m, 0); p8(m, 0); p16(m, 0); }

static int rd(int fd, void *b, size_t n)
{
	uint8_t *p = b;
	while (n) { ssize_t r = read(fd, p, n); if (r <= 0) { if (r < 0 && errno == EINTR) continue; return -1; } p += r; n -= r; }
	return 0;
}

/* one TPM command over the data channel; returns rc, response in *r */
static uint32_t tpm(struct buf *m, struct buf *r)
{
	m->b[2] = m->n >> 24; m->b[3] = m->n >> 16; m->b[4] = m->n >> 8; m->b[5] = m->n;
	if (write(data_fd, m->b, m->n) != (ssize_t)m->n || rd(data_fd, r->b, 10)) {
		fprintf(stderr, "fakeqemu: data channel failed\n");
		exit(2);
	}
	r->n = g32(r->b + 2);
	if (r->n > sizeof(r->b) || rd(data_fd, r->b + 10, r->n - 10))
		exit(2);
	return g32(r->b + 6);
}

static uint32_t ctrl(uint32_t cmd, const void *req, size_t rl, void *resp, size_t sl)
{
	uint8_t b[64];
	b[0] = cmd >> 24; b[1] = cmd >> 16; b[2] = cmd >> 8; b[3] = cmd;
	memcpy(b + 4, req, rl);
	if (write(ctrl_fd, b, 4 + rl) != (ssize_t)(4 + rl) || rd(ctrl_fd, resp, sl))
		exit(2);
	return g32(resp);
}

static void setup(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int sp[2];
	uint8_t res[16], cap[8], init[4] = { 0 };
	union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int))]; } u;
	uint8_t cmd[4] = { 0, 0, 0, 16 };
	struct iovec iov = { cmd, 4 };
	struct msghdr mh = { 0 };
	struct cmsghdr *c;

	strcpy(a.sun_path, path);
	ctrl_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	for (int i = 0; i < 100 && connect(ctrl_fd, (void *)&a, sizeof(a)); i++)
		usleep(50000);
	/* as QEMU: SET_DATAFD, then capabilities, then INIT */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sp);
	memset(&u, 0, sizeof(u));
	mh.msg_iov = &iov; mh.msg_iovlen = 1;
	mh.msg_control = u.b; mh.msg_controllen = sizeof(u.b);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET; c->cmsg_type = SCM_RIGHTS; c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &sp[1], sizeof(int));
	if (sendmsg(ctrl_fd, &mh, 0) != 4 || rd(ctrl_fd, res, 4))
		exit(2);
	check(g32(res) == 0, "ctrl SET_DATAFD relayed (result %u)", g32(res));
	close(sp[1]);
	data_fd = sp[0];
	ctrl(1, NULL, 0, cap, 8);
	check((cap[6] & 0x10) != 0, "ctrl GET_CAPABILITY relayed (caps %02x%02x, SET_DATAFD bit)", cap[6], cap[7]);
	check(ctrl(2, init, 4, res, 4) == 0, "ctrl INIT relayed");
}

static uint32_t startup(void)
{
	struct buf m, r;
	hdr(&m, 0x8001, 0x144); p16(&m, 0);
	return tpm(&m, &r);
}

static uint32_t nv_read(uint32_t auth, uint32_t idx, uint16_t size, uint16_t off, struct buf *r)
{
	struct buf m;
	hdr(&m, 0x8002, 0x14E); p32(&m, auth); p32(&m, idx); pw(&m); p16(&m, size); p16(&m, off);
	return tpm(&m, r);
}

/* NV_Read with a password session carrying @pwd (@n bytes) */
static uint32_t nv_read_pw(uint32_t auth, uint32_t idx, const void *pwd, uint16_t n,
			   uint16_t size, uint16_t off, struct buf *r)
{
	struct buf m;
	hdr(&m, 0x8002, 0x14E); p32(&m, auth); p32(&m, idx);
	p32(&m, 9 + n); p32(&m, 0x40000009); p16(&m, 0); p8(&m, 0); p16(&m, n); pb(&m, pwd, n);
	p16(&m, size); p16(&m, off);
	return tpm(&m, r);
}

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

/* the whole report index in 1024-byte chunks, as the module reads it; 0 on success */
static int read_report(uint8_t out[NV_MAX])
{
	struct buf r;
	memset(out, 0, NV_MAX);
	for (unsigned off = 0; off < nvsize; off += 1024) {
		unsigned n = nvsize - off < 1024 ? nvsize - off : 1024;
		if (nv_read(0x40000001, 0x01400001, n, off, &r) || g16(r.b + 14) != n)
			return -1;
		memcpy(out + off, r.b + 16, n);
	}
	return 0;
}

static void write_userdata(const uint8_t ud[64])
{
	struct buf m, r;
	uint32_t rc;

	/* cvm-attestation-tools' pattern: undefine, define, write */
	hdr(&m, 0x8002, 0x122); p32(&m, 0x40000001); p32(&m, 0x01400002); pw(&m);
	tpm(&m, &r);
	hdr(&m, 0x8002, 0x12A); p32(&m, 0x40000001); pw(&m);
	p16(&m, 0);			/* auth */
	p16(&m, 14); p32(&m, 0x01400002); p16(&m, 0x000B);
	p32(&m, 0x00060006);		/* OWNERWRITE|AUTHWRITE|OWNERREAD|AUTHREAD */
	p16(&m, 0); p16(&m, 64);
	rc = tpm(&m, &r);
	check(rc == 0, "NV_DefineSpace 0x01400002 (64 bytes) in swtpm: rc 0x%x", rc);
	hdr(&m, 0x8002, 0x137); p32(&m, 0x40000001); p32(&m, 0x01400002); pw(&m);
	p16(&m, 64); pb(&m, ud, 64); p16(&m, 0);
	rc = tpm(&m, &r);
	check(rc == 0, "NV_Write 64 bytes of user data, owner auth: rc 0x%x", rc);
}

static int read_modulus(uint32_t h, uint8_t *mod, size_t *len, uint32_t *attrs)
{
	struct buf m, r;
	const uint8_t *p;
	size_t o;

	hdr(&m, 0x8001, 0x173); p32(&m, h);
	if (tpm(&m, &r))
		return -1;
	p = r.b + 12;
	*attrs = g32(p + 4);
	o = 8; o += 2 + g16(p + o);
	o += (g16(p + o) != 0x10) ? 6 : 2;
	o += (g16(p + o) != 0x10) ? 4 : 2;
	o += 6;
	*len = g16(p + o);
	memcpy(mod, p + o + 2, *len);
	return 0;
}

static size_t b64url_dec(const char *s, size_t n, uint8_t *out)
{
	size_t o = 0; uint32_t acc = 0; int bits = 0;
	for (size_t i = 0; i < n; i++) {
		const char *t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
		const char *q = strchr(t, s[i]);
		if (!q) break;
		acc = acc << 6 | (q - t); bits += 6;
		if (bits >= 8) { bits -= 8; out[o++] = acc >> bits; }
	}
	return o;
}

/* the "n" of the JWK with this kid */
static size_t jwk_n(const char *json, const char *kid, uint8_t *out)
{
	char key[64];
	const char *p, *n, *e;

	snprintf(key, sizeof(key), "\"kid\":\"%s\"", kid);
	p = strstr(json, key);
	if (!p || !(n = strstr(p, "\"n\":\"")))
		return 0;
	n += 5;
	e = strchr(n, '"');
	return e ? b64url_dec(n, e - n, out) : 0;
}

static STACK_OF(X509) *load_chain(void)
{
	STACK_OF(X509) *s = sk_X509_new_null();
	FILE *f = fopen(chain_path, "r");
	X509 *x;

	while (f && (x = PEM_read_X509(f, NULL, NULL, NULL)))
		sk_X509_push(s, x);
	if (f)
		fclose(f);
	return s;
}

static int is_pss384_48(X509 *x)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *t;
	long n;
	int ok;

	X509_signature_print(b, X509_get0_tbs_sigalg(x), NULL);
	n = BIO_get_mem_data(b, &t);
	ok = memmem(t, n, "rsassaPss", 9) && memmem(t, n, "sha384", 6) &&
	     memmem(t, n, "Salt Length: 0x30", 17);
	BIO_free(b);
	return ok;
}

static long ext_int(X509 *x, const char *oid)
{
	ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
	int i = X509_get_ext_by_OBJ(x, o, -1);
	long v = -1;

	ASN1_OBJECT_free(o);
	if (i >= 0) {
		ASN1_OCTET_STRING *d = X509_EXTENSION_get_data(X509_get_ext(x, i));
		const unsigned char *p = ASN1_STRING_get0_data(d);
		ASN1_INTEGER *ai = d2i_ASN1_INTEGER(NULL, &p, ASN1_STRING_length(d));
		if (ai) { v = ASN1_INTEGER_get(ai); ASN1_INTEGER_free(ai); }
	}
	return v;
}

static int ext_raw(X509 *x, const char *oid, uint8_t *out, int max)
{
	ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
	int i = X509_get_ext_by_OBJ(x, o, -1), n = -1;

	ASN1_OBJECT_free(o);
	if (i >= 0) {
		ASN1_OCTET_STRING *d = X509_EXTENSION_get_data(X509_get_ext(x, i));
		n = ASN1_STRING_length(d);
		if (n <= max) memcpy(out, ASN1_STRING_get0_data(d), n);
	}
	return n;
}

static void check_chain_and_sig(const uint8_t *rep)
{
	STACK_OF(X509) *s = load_chain();
	X509 *vcek, *ask, *ark;
	EVP_PKEY *k;
	ECDSA_SIG *sig;
	BIGNUM *r, *sv;
	unsigned char *der = NULL;
	int dl, ok;
	EVP_MD_CTX *md;
	uint8_t hw[80];
	uint64_t tcb = l64(rep + 0x180);

	check(sk_X509_num(s) == 3, "chain file holds 3 certificates (VCEK, ASK, ARK): %d", sk_X509_num(s));
	if (sk_X509_num(s) != 3)
		return;
	vcek = sk_X509_value(s, 0); ask = sk_X509_value(s, 1); ark = sk_X509_value(s, 2);
	check(X509_verify(ark, X509_get0_pubkey(ark)) == 1, "ARK is self-signed");
	check(X509_verify(ask, X509_get0_pubkey(ark)) == 1, "ARK signs ASK");
	check(X509_verify(vcek, X509_get0_pubkey(ask)) == 1, "ASK signs VCEK");
	check(X509_verify(vcek, X509_get0_pubkey(ark)) != 1, "ARK does not sign VCEK directly (negative)");
	check(is_pss384_48(ark) && is_pss384_48(ask) && is_pss384_48(vcek),
	      "all three signed RSA-PSS SHA-384 salt 48");
	check(EVP_PKEY_get_bits(X509_get0_pubkey(ark)) == 4096 &&
	      EVP_PKEY_get_bits(X509_get0_pubkey(ask)) == 4096, "ARK and ASK are RSA-4096");
	check(EVP_PKEY_get_id(X509_get0_pubkey(vcek)) == EVP_PKEY_EC &&
	      EVP_PKEY_get_bits(X509_get0_pubkey(vcek)) == 384, "VCEK is EC P-384");
	check(ext_int(vcek, "1.3.6.1.4.1.3704.1.3.1") == (long)(tcb & 0xff) &&
	      ext_int(vcek, "1.3.6.1.4.1.3704.1.3.2") == (long)((tcb >> 8) & 0xff) &&
	      ext_int(vcek, "1.3.6.1.4.1.3704.1.3.3") == (long)((tcb >> 48) & 0xff) &&
	      ext_int(vcek, "1.3.6.1.4.1.3704.1.3.8") == (long)(tcb >> 56),
	      "VCEK blSPL/teeSPL/snpSPL/ucodeSPL match REPORTED_TCB 0x%016llx", (unsigned long long)tcb);
	check(ext_raw(vcek, "1.3.6.1.4.1.3704.1.4", hw, sizeof(hw)) == 64 && !memcmp(hw, rep + 0x1A0, 64),
	      "VCEK hwID equals the report's CHIP_ID");
	check(ext_raw(vcek, "1.3.6.1.4.1.3704.1.2", hw, sizeof(hw)) == 10 && !memcmp(hw, "\x16\x08Milan-B0", 10),
	      "VCEK productName is IA5String Milan-B0");

	/* report signature: ECDSA P-384 SHA-384 over 0..0x29F, r/s little-endian */
	r = BN_lebin2bn(rep + 0x2A0, 72, NULL);
	sv = BN_lebin2bn(rep + 0x2E8, 72, NULL);
	sig = ECDSA_SIG_new();
	ECDSA_SIG_set0(sig, r, sv);
	dl = i2d_ECDSA_SIG(sig, &der);
	k = X509_get0_pubkey(vcek);
	md = EVP_MD_CTX_new();
	ok = EVP_DigestVerifyInit(md, NULL, EVP_sha384(), NULL, k) == 1 &&
	     EVP_DigestVerify(md, der, dl, rep, 0x2A0) == 1;
	check(ok, "SNP report signature verifies with the VCEK");
	EVP_MD_CTX_reset(md);
	{
		uint8_t bad[0x2A0];
		memcpy(bad, rep, sizeof(bad));
		bad[0x90] ^= 1;
		ok = EVP_DigestVerifyInit(md, NULL, EVP_sha384(), NULL, k) == 1 &&
		     EVP_DigestVerify(md, der, dl, bad, 0x2A0) == 1;
		check(!ok, "a flipped MEASUREMENT bit breaks the signature (negative)");
	}
	EVP_MD_CTX_free(md);
	OPENSSL_free(der);
	ECDSA_SIG_free(sig);
	sk_X509_pop_free(s, X509_free);
}

/* is the report bound: REPORT_DATA = SHA-256(claims) || 0^32 */
static int bound(const uint8_t *rep, int type)
{
	uint32_t jl = l32(rep + 1216 + 16);
	uint8_t h[32], z[32] = { 0 };
	const uint8_t *rd = type == 2 ? rep + 32 + 0x50 : rep + 32 + 0x80;

	if (jl > nvsize - 1236)
		return 0;
	SHA256(rep + 1236, jl, h);
	return !memcmp(rd, h, 32) && !memcmp(rd + 32, z, 32);
}

/* do the claims carry this user data, in the style's case */
static int claims_have(const uint8_t *rep, const uint8_t ud[64])
{
	char hex[160];
	uint32_t jl = l32(rep + 1216 + 16);

	if (jl > nvsize - 1236)
		return 0;
	strcpy(hex, "\"user-data\":\"");
	for (int i = 0; i < 64; i++)
		sprintf(hex + 13 + 2 * i, style_hcl ? "%02X" : "%02x", ud[i]);
	return memmem(rep + 1236, jl, hex, strlen(hex)) != NULL;
}

/* checks common to both modes; returns the JSON (static) */
static const char *check_report(const uint8_t *rep, int type, const uint8_t ud[64], const char *what)
{
	static char json[2048];
	uint32_t size = l32(rep + 8), jl = l32(rep + 1216 + 16);
	int zeros = 1;

	check(!memcmp(rep, "HCLA", 4) && l32(rep + 4) == hdr_version && l32(rep + 12) == 2 && l32(rep + 16) == 0,
	      "%s: header HCLA v%u, request type 2, status 0", what, hdr_version);
	check(size == 1236 + jl, "%s: header size %u = 32 + 1184 + 20 + json %u", what, size, jl);
	check(l32(rep + 1216) == 20 + jl && l32(rep + 1220) == 1 && l32(rep + 1224) == (uint32_t)type &&
	      l32(rep + 1228) == 1, "%s: runtime header (data size, v1, type %d, SHA-256)", what, type);
	for (size_t i = size; i < nvsize; i++)
		zeros &= rep[i] == 0;
	check(zeros, "%s: zero padding after byte %u up to %u", what, size, nvsize);
	memcpy(json, rep + 1236, jl < sizeof(json) - 1 ? jl : sizeof(json) - 1);
	json[jl < sizeof(json) - 1 ? jl : sizeof(json) - 1] = 0;
	check(bound(rep, type), "%s: REPORT_DATA = SHA-256(json) || 0^32", what);
	if (ud)
		check(claims_have(rep, ud), "%s: user-data claim equals what was written (%s hex)", what,
		      style_hcl ? "upper-case" : "lower-case");
	static const char head[] =
		"{\"keys\":[{\"kid\":\"HCLAkPub\",\"key_ops\":[\"sign\"],\"kty\":\"RSA\",\"e\":\"AQAB\",\"n\":\"";
	if (style_hcl) {
		check(!strncmp(json, head, strlen(head)) &&
		      strstr(json, "{\"kid\":\"HCLEkPub\",\"key_ops\":[\"encrypt\"],\"kty\":\"RSA\",\"e\":\"AQAB\",\"n\":\"") &&
		      strstr(json, "\"vm-configuration\":{\"console-enabled\":true,\"current-time\":") &&
		      strstr(json, ",\"secure-boot\":true,\"tpm-enabled\":true,\"tpm-persisted\":true,\"vmUniqueId\":\""),
		      "%s: JSON keys sorted, with current-time, as the Windows HCL's real reports", what);
	} else {
		/* openhcl_attestation_protocol/src/igvm_attest/get.rs, serde field order */
		check(!strncmp(json, head, strlen(head)) &&
		      strstr(json, "{\"kid\":\"HCLEkPub\",\"key_ops\":[\"encrypt\"],\"kty\":\"RSA\",\"e\":\"AQAB\",\"n\":\"") &&
		      strstr(json, "\"vm-configuration\":{\"root-cert-thumbprint\":\"") &&
		      strstr(json, "\",\"console-enabled\":true,\"interactive-console-enabled\":true,"
			     "\"secure-boot\":true,\"tpm-enabled\":true,\"tpm-persisted\":true,"
			     "\"filtered-vpci-devices-allowed\":false,\"vmUniqueId\":\"") &&
		      strstr(json, "\",\"hardware-sealing-policy\":\"none\"},\"user-data\":\"") &&
		      !strstr(json, "current-time"),
		      "%s: JSON fields and order as OpenHCL's RuntimeClaims (no current-time)", what);
	}
	return json;
}

static void check_keys(const char *json)
{
	uint8_t a[512], b[512];
	size_t al, bl;
	uint32_t attrs;

	al = jwk_n(json, "HCLAkPub", a);
	check(read_modulus(0x81000003, b, &bl, &attrs) == 0 && al == 256 && bl == 256 && !memcmp(a, b, 256),
	      "HCLAkPub equals the public key of persistent handle 0x81000003");
	check((attrs & 0x50000) == 0x50000 && (attrs & 0x20000) == 0,
	      "AK 0x81000003 is a restricted signing key (attrs 0x%08x)", attrs);
	al = jwk_n(json, "HCLEkPub", a);
	check(read_modulus(0x81010001, b, &bl, &attrs) == 0 && al == 256 && bl == 256 && !memcmp(a, b, 256),
	      "HCLEkPub equals the public key of EK 0x81010001");
}


static void fill_pattern(uint8_t *b, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(seed + i * 7);
}

static int all_zero(const uint8_t *b, size_t n)
{
	while (n--)
		if (*b++)
			return 0;
	return 1;
}

/*
 * The TDREPORT against a real Azure TDX HCL report (FQ_REAL_TDX): the same field
 * offsets hold the same kind of value (Intel TDX Module ABI, TDREPORT_STRUCT).
 */
static void check_tdx_layout(const uint8_t *rep)
{
	const char *path = getenv("FQ_REAL_TDX");
	uint8_t real[2600], rt[48];
	FILE *f = path ? fopen(path, "rb") : NULL;
	const uint8_t *o = rep + 32, *x = real + 32;
	int n = f ? (int)fread(real, 1, sizeof(real), f) : 0, rtmr_ok = 1;

	if (f)
		fclose(f);
	check(n == 2600 && !memcmp(real, "HCLA", 4) && l32(real + 1224) == 4,
	      "real Azure TDX report read (%s)", path ? path : "FQ_REAL_TDX unset");
	if (n != 2600)
		return;
	check(o[0] == x[0] && x[0] == 0x81, "REPORTMACSTRUCT.REPORTTYPE 0x81 at 0x00, as the real report");
	check(!memcmp(o + 0x10, x + 0x10, 16), "CPUSVN at 0x10 as the real report");
	check(!memcmp(o + 0x100, x + 0x100, 8), "TEE_TCB_INFO.VALID at 0x100 as the real report");
	check(!memcmp(o + 0x108, x + 0x108, 16) && !all_zero(x + 0x108, 16),
	      "TEE_TCB_SVN at 0x108 as the real report");
	check(!all_zero(x + 0x118, 48) && !all_zero(o + 0x118, 48) &&
	      all_zero(x + 0x148, 48) && all_zero(o + 0x148, 48),
	      "MRSEAM at 0x118 set and MRSIGNERSEAM at 0x148 zero, in both");
	check(!memcmp(o + 0x180, x + 0x180, 16) && !all_zero(o + 0x180, 16),
	      "TEE_TCB_SVN2 at 0x180 (TEE_TCB_INFO + 0x80) as the real report, not zero");
	check(!memcmp(o + 0x208, x + 0x208, 8), "TDINFO.XFAM at 0x208 as the real report");
	check(!all_zero(x + 0x210, 48) && !all_zero(o + 0x210, 48), "TDINFO.MRTD at 0x210 set in both");
	check(all_zero(x + 0x240, 0x90) && all_zero(o + 0x240, 0x90),
	      "MRCONFIGID, MROWNER, MROWNERCONFIG (0x240-0x2CF) zero in both");
	for (int i = 0; i < 4; i++) {
		fill_pattern(rt, 48, 0x51 + i);
		rtmr_ok &= !memcmp(o + 0x2D0 + 48 * i, rt, 48);
	}
	check(rtmr_ok, "RTMR0-3 at 0x2D0 + 48*i (TDINFO + 0xD0) hold the configured values");
	check(all_zero(o + 0x390, 0x70) && all_zero(x + 0x390, 0x70),
	      "SERVTD_HASH and reserved (0x390-0x3FF) zero in both");
}

/* the 2 s window of OpenHCL's on-read refresh */
static void scenario_onread(void)
{
	uint8_t rep[NV_MAX], rep2[NV_MAX], ud[64], ud2[64], ud3[64];
	struct buf r;
	uint64_t t;

	usleep(2200000);	/* past the boot-time report's window */
	RAND_bytes(ud, 64);
	write_userdata(ud);
	t = mono_ms();
	check(read_report(rep) == 0 && claims_have(rep, ud) && bound(rep, 2),
	      "on-read: the offset-0 read after the window renews synchronously: bound to the new data (%llu ms)",
	      (unsigned long long)(mono_ms() - t));
	RAND_bytes(ud2, 64);
	write_userdata(ud2);
	check(read_report(rep2) == 0 && !memcmp(rep, rep2, nvsize),
	      "on-read: inside the 2 s window the old report is served for fresh user data, byte for byte");
	usleep(2200000);
	check(nv_read(0x40000001, 0x01400001, 1024, 1024, &r) == 0 && !memcmp(r.b + 16, rep + 1024, 1024),
	      "on-read: a read at offset 1024 after the window does not renew");
	check(read_report(rep2) == 0 && claims_have(rep2, ud2) && bound(rep2, 2) && memcmp(rep, rep2, nvsize),
	      "on-read: the next offset-0 read renews: bound to the second data");
	RAND_bytes(ud3, 64);
	write_userdata(ud3);
	usleep(2200000);
	check(nv_read(0x40000001, 0x01400001, 1024, 1024, &r) == 0 && !memcmp(r.b + 16, rep2 + 1024, 1024),
	      "on-read: the write itself never renews (offset-1024 read 2 s later still old)");
	check(read_report(rep) == 0 && claims_have(rep, ud3) && bound(rep, 2), "on-read: offset 0 renews it");
}

/* --tear under on-read: a renewal by another reader lands between our chunks */
static void scenario_tearread(void)
{
	uint8_t rep[NV_MAX], rep2[NV_MAX], ud[64], ud2[64];

	usleep(2200000);
	RAND_bytes(ud, 64);
	write_userdata(ud);
	check(read_report(rep) == 0 && claims_have(rep, ud) && bound(rep, 2),
	      "tear on-read: a read renewing by itself is not torn");
	RAND_bytes(ud2, 64);
	write_userdata(ud2);
	check(read_report(rep2) == 0 && claims_have(rep2, ud2) && !bound(rep2, 2) &&
	      !memcmp(rep2 + 32 + 0x50, rep + 32 + 0x50, 32),
	      "tear on-read: inside the window the read is torn: the new user data, the old REPORT_DATA");
	check(read_report(rep2) == 0 && claims_have(rep2, ud2) && bound(rep2, 2),
	      "tear on-read: the read after it is whole and bound (no second tear inside the window)");
}

/* --tear under on-write: the pending renewal lands between our chunks */
static void scenario_tearwrite(void)
{
	uint8_t rep[NV_MAX], ud[64];

	RAND_bytes(ud, 64);
	write_userdata(ud);
	check(read_report(rep) == 0 && claims_have(rep, ud) && !bound(rep, 2),
	      "tear on-write: the first read is torn: the new user data, the old REPORT_DATA");
	check(read_report(rep) == 0 && claims_have(rep, ud) && bound(rep, 2),
	      "tear on-write: the next read is whole and bound");
}

static void scenario_main(int tdx)
{
	struct buf m, r;
	uint8_t rep[NV_MAX], rep2[NV_MAX], ud[64], ud2[64], zero[64] = { 0 };
	uint32_t rc;
	const char *json;
	int type = tdx ? 4 : 2;

	/* NV_ReadPublic */
	hdr(&m, 0x8001, 0x169); p32(&m, 0x01400001);
	rc = tpm(&m, &r);
	{
		uint8_t nh[32];
		unsigned want = style_hcl ? 2600 : 2900;
		SHA256(r.b + 12, 14, nh);
		/* OpenHCL: platform_akcert_attributes() + written, MAX_ATTESTATION_INDEX_SIZE */
		check(rc == 0 && g16(r.b + 10) == 14 && g32(r.b + 12) == 0x01400001 &&
		      g16(r.b + 24) == want && g32(r.b + 18) == 0x62060004 &&
		      g16(r.b + 26) == 34 && !memcmp(r.b + 30, nh, 32),
		      "NV_ReadPublic 0x01400001: %u bytes, attributes 0x62060004 "
		      "(authread|authwrite|ownerread|platformcreate|no_da|written), name = SHA-256(public): 0x%08x",
		      want, g32(r.b + 18));
	}
	/* the boot-time report */
	check(read_report(rep) == 0, "initial report readable before any write");
	/* on-read renews it from 0x01400002, which an earlier run may have left */
	check_report(rep, type, claims_have(rep, zero) ? zero : NULL, "initial report");

	RAND_bytes(ud, 64);
	write_userdata(ud);
	check(read_report(rep) == 0, "chunked NV_Read of 0x01400001 (1024-byte chunks of %u)", nvsize);
	json = check_report(rep, type, ud, "report 1");
	check_keys(json);
	if (!tdx) {
		const uint8_t *h = rep + 32, z48[48] = { 0 };
		uint64_t cur = l64(h + 0x38), rep_tcb = l64(h + 0x180), com = l64(h + 0x1E0);
		uint64_t launch = l64(h + 0x1F0);

		check(l32(rep + 32) == 2 && l32(rep + 32 + 0x34) == 1, "SNP report version 2, signature_algo 1");
		check(cur == com && rep_tcb != com && launch != com && launch != rep_tcb,
		      "SNP reported/committed/launch TCB distinct, current = committed "
		      "(not provisional): %016llx %016llx %016llx %016llx",
		      (unsigned long long)rep_tcb, (unsigned long long)com,
		      (unsigned long long)launch, (unsigned long long)cur);
		check(memcmp(h + 0xE0, z48, 48) != 0, "SNP ID_KEY_DIGEST is not zero (Azure signs its IGVM)");
		check_chain_and_sig(rep + 32);
	} else {
		uint8_t h[48];
		SHA384(rep + 32 + 0x200, 512, h);
		check(rep[32] == 0x81 && !memcmp(rep + 32 + 0x50, h, 48),
		      "TDREPORT type 0x81, TEE_INFO_HASH = SHA-384(TDINFO)");
		zero[0] = 0;
		check(!memcmp(rep + 32 + 1024, zero, 64) && !memcmp(rep + 32 + 1120, zero, 64),
		      "TDREPORT zero-padded to the 1184-byte slot");
		check_tdx_layout(rep);
	}
	/* fresh report on the next write */
	RAND_bytes(ud2, 64);
	write_userdata(ud2);
	check(read_report(rep2) == 0 && memcmp(rep, rep2, nvsize), "second write gives a different report");
	check_report(rep2, type, ud2, "report 2");
	if (!tdx)
		check_chain_and_sig(rep2 + 32);

	/* error paths, as libtpms answers them */
	rc = nv_read(0x40000001, 0x01400001, 1025, 0, &r);
	check(rc == 0x1C4, "NV_Read size 1025 -> TPM_RC_VALUE|P|1 (0x1c4): 0x%x", rc);
	rc = nv_read(0x40000001, 0x01400001, 10, nvsize + 1, &r);
	check(rc == 0x2C4, "NV_Read offset %u -> TPM_RC_VALUE|P|2 (0x2c4): 0x%x", nvsize + 1, rc);
	rc = nv_read(0x40000001, 0x01400001, 1000, nvsize - 600, &r);
	check(rc == 0x146, "NV_Read past the end -> TPM_RC_NV_RANGE (0x146): 0x%x", rc);
	rc = nv_read(0x40000001, 0x01400001, 16, nvsize - 16, &r);
	check(rc == 0 && g16(r.b + 14) == 16, "NV_Read with owner auth, last 16 bytes");
	/* the index's authValue is the paravisor's secret; the owner's is empty here */
	rc = nv_read(0x01400001, 0x01400001, 16, 0, &r);
	check(rc == 0x9A2, "NV_Read with index auth and an empty password -> TPM_RC_BAD_AUTH (0x9a2): 0x%x", rc);
	rc = nv_read_pw(0x01400001, 0x01400001, "\0\0\0\0\0\0\0\0", 8, 16, 0, &r);
	check(rc == 0x9A2, "NV_Read with index auth and a guessed 8-byte password -> 0x9a2: 0x%x", rc);
	rc = nv_read_pw(0x40000001, 0x01400001, "owner", 5, 16, 0, &r);
	check(rc == 0x9A2, "NV_Read with owner auth and a wrong password -> 0x9a2: 0x%x", rc);
	rc = nv_read(0x4000000C, 0x01400001, 16, 0, &r);
	check(rc == 0x149, "NV_Read with platform auth (no ppread) -> TPM_RC_NV_AUTHORIZATION: 0x%x", rc);
	rc = nv_read(0x40000001, 0x01400001, 16, nvsize - 16, &r);
	{
		/* our session area must look like swtpm's own for 0x01400002 */
		struct buf r2;
		nv_read(0x40000001, 0x01400002, 16, 0, &r2);
		check(r.n >= 5 && r2.n >= 5 && !memcmp(r.b + r.n - 5, r2.b + r2.n - 5, 5) &&
		      !memcmp(r.b + r.n - 5, "\0\0\1\0\0", 5) && g16(r.b) == 0x8002,
		      "password-session response area matches swtpm's (00 00 01 00 00)");
	}
	hdr(&m, 0x8002, 0x12A); p32(&m, 0x40000001); pw(&m);
	p16(&m, 0); p16(&m, 14); p32(&m, 0x01400001); p16(&m, 0x000B);
	p32(&m, 0x00060006); p16(&m, 0); p16(&m, 64);
	rc = tpm(&m, &r);
	check(rc == 0x14C, "NV_DefineSpace 0x01400001 -> TPM_RC_NV_DEFINED: 0x%x", rc);
	hdr(&m, 0x8001, 0x17A); p32(&m, 1); p32(&m, 0x01000000); p32(&m, 64);
	rc = tpm(&m, &r);
	{
		int found = 0, found2 = 0;
		for (uint32_t i = 0; rc == 0 && i < g32(r.b + 15); i++) {
			found |= g32(r.b + 19 + 4 * i) == 0x01400001;
			found2 |= g32(r.b + 19 + 4 * i) == 0x01400002;
		}
		check(found && found2, "GetCapability(TPM_CAP_HANDLES) lists 0x01400001 and 0x01400002");
	}
}

static void scenario_delay(unsigned delay_ms)
{
	uint8_t rep[NV_MAX], ud[64], ud2[64];
	struct timespec ts;
	char hex[129];
	uint64_t t0;

	RAND_bytes(ud, 64);
	write_userdata(ud);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t0 = ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
	check(read_report(rep) == 0, "read right after the write");
	for (int i = 0; i < 64; i++)
		sprintf(hex + 2 * i, style_hcl ? "%02X" : "%02x", ud[i]);
	check(!memmem(rep + 1236, nvsize - 1236, hex, 128), "with --delay-ms %u an immediate read is stale", delay_ms);
	usleep(delay_ms * 1000 + 200000);
	check(read_report(rep) == 0, "read after the delay");
	check_report(rep, 2, ud, "delayed report");
	clock_gettime(CLOCK_MONOTONIC, &ts);
	printf("info: fresh report seen %llu ms after the write\n",
	       (unsigned long long)(ts.tv_sec * 1000ull + ts.tv_nsec / 1000000 - t0));
	/* a write then another before the delay ends: the latest wins */
	RAND_bytes(ud, 64);
	write_userdata(ud);
	RAND_bytes(ud2, 64);
	write_userdata(ud2);
	usleep(delay_ms * 1000 + 200000);
	check(read_report(rep) == 0, "read after two quick writes");
	check_report(rep, 2, ud2, "after two writes");
}

static void scenario_fail(void)
{
	struct buf m, r;
	uint32_t rc;

	hdr(&m, 0x8001, 0x17B); p16(&m, 8);
	rc = tpm(&m, &r);
	check(rc == 0x101, "--fail GetRandom: TPM_RC_FAILURE (0x101) returned: 0x%x", rc);
	rc = nv_read(0x40000001, 0x01400001, 16, 0, &r);
	check(rc == 0x922, "--fail NV_Read:0x922:1: first NV_Read gets 0x922: 0x%x", rc);
	rc = nv_read(0x40000001, 0x01400001, 16, 0, &r);
	check(rc == 0, "--fail count exhausted: second NV_Read succeeds: 0x%x", rc);
	rc = tpm(&m, &r);
	check(rc == 0x101, "--fail without count keeps failing GetRandom: 0x%x", rc);
}

int main(int argc, char **argv)
{
	const char *sc;
	uint32_t rc;
	uint8_t res[4];

	if (argc < 4) {
		fprintf(stderr, "usage: fakeqemu CTRL_SOCK snp|tdx|delay|fail CHAIN [DELAY_MS]\n");
		return 2;
	}
	sc = argv[2];
	chain_path = argv[3];
	style_hcl = getenv("FQ_STYLE") && !strcmp(getenv("FQ_STYLE"), "hcl");
	if (getenv("FQ_HDR") && *getenv("FQ_HDR"))
		hdr_version = atoi(getenv("FQ_HDR"));
	setup(argv[1]);
	rc = startup();
	check(rc == 0 || rc == 0x100, "TPM2_Startup(CLEAR) through the paravisor: 0x%x", rc);
	{
		struct buf m, r;

		hdr(&m, 0x8001, 0x169); p32(&m, 0x01400001);
		if (tpm(&m, &r) == 0 && g16(r.b + 24) <= NV_MAX)
			nvsize = g16(r.b + 24);
	}
	if (!strcmp(sc, "snp"))
		scenario_main(0);
	else if (!strcmp(sc, "tdx"))
		scenario_main(1);
	else if (!strcmp(sc, "delay"))
		scenario_delay(argc > 4 ? atoi(argv[4]) : 1000);
	else if (!strcmp(sc, "fail"))
		scenario_fail();
	else if (!strcmp(sc, "onread"))
		scenario_onread();
	else if (!strcmp(sc, "tearread"))
		scenario_tearread();
	else if (!strcmp(sc, "tearwrite"))
		scenario_tearwrite();
	else
		check(0, "unknown scenario %s", sc);
	/* as QEMU on exit: CMD_SHUTDOWN, then close */
	ctrl(3, NULL, 0, res, 4);
	close(data_fd);
	close(ctrl_fd);
	printf("fakeqemu %s: %d passed, %d failed\n", sc, npass, nfail);
	return nfail ? 1 : 0;
}
