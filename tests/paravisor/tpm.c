// SPDX-License-Identifier: GPL-2.0
/*
 * cvmguard-paravisor: TPM command parsing and answering.
 *
 * Every guest command passes through tpm_handle_guest().  Commands on NV index
 * 0x01400001 are answered here, as the paravisor does (swtpm cannot hold a
 * 2600-byte index); a successful NV_Write to 0x01400002 schedules a fresh HCL
 * report; everything else goes to swtpm unchanged.  Error codes and the
 * password-session response area were checked against libtpms (swtpm).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "pv.h"

#define ST_NO_SESSIONS		0x8001
#define ST_SESSIONS		0x8002
#define RS_PW			0x40000009u
#define RH_OWNER		0x40000001u
#define RH_ENDORSEMENT		0x4000000Bu
#define RH_PLATFORM		0x4000000Cu

#define CC_NV_UndefineSpaceSpecial 0x11F
#define CC_EvictControl		0x120
#define CC_NV_UndefineSpace	0x122
#define CC_NV_DefineSpace	0x12A
#define CC_CreatePrimary	0x131
#define CC_NV_Write		0x137
#define CC_NV_Read		0x14E
#define CC_Startup		0x144
#define CC_FlushContext		0x165
#define CC_NV_ReadPublic	0x169
#define CC_ReadPublic		0x173
#define CC_GetCapability	0x17A

#define RC_SUCCESS		0x000
#define RC_INITIALIZE		0x100
#define RC_FAILURE		0x101
#define RC_AUTH_UNAVAILABLE	0x12F
#define RC_NV_RANGE		0x146
#define RC_NV_AUTHORIZATION	0x149
#define RC_NV_DEFINED		0x14C
#define RC_COMMAND_SIZE		0x142
#define RC_VALUE_P1		0x1C4	/* TPM_RC_VALUE + TPM_RC_P + TPM_RC_1 */
#define RC_VALUE_P2		0x2C4
#define RC_ATTRIBUTES_S1	0x982	/* TPM_RC_ATTRIBUTES + TPM_RC_S + TPM_RC_1 */

#define RC_BAD_AUTH_S1		0x9A2	/* TPM_RC_BAD_AUTH + TPM_RC_S + TPM_RC_1 */

/*
 * TPMA_NV of the report index as OpenHCL defines it in the platform hierarchy
 * (vm/devices/tpm/tpm_protocol/src/lib.rs, platform_akcert_attributes():
 * authread, authwrite, ownerread, platformcreate, no_da), written at boot.
 * Its authValue is a random u64 the guest never learns (tpm_device/src/lib.rs),
 * so the guest reads it with owner authorization only.
 */
#define NVA_AUTHWRITE		(1u << 2)
#define NVA_PPREAD		(1u << 16)
#define NVA_OWNERREAD		(1u << 17)
#define NVA_AUTHREAD		(1u << 18)
#define NVA_NO_DA		(1u << 25)
#define NVA_WRITTEN		(1u << 29)
#define NVA_PLATFORMCREATE	(1u << 30)
#define REPORT_NV_ATTRS (NVA_AUTHWRITE | NVA_OWNERREAD | NVA_AUTHREAD | \
			 NVA_NO_DA | NVA_WRITTEN | NVA_PLATFORMCREATE)

static const struct { uint32_t cc; const char *name; } cc_names[] = {
	{ 0x11F, "NV_UndefineSpaceSpecial" }, { 0x120, "EvictControl" },
	{ 0x121, "HierarchyControl" }, { 0x122, "NV_UndefineSpace" },
	{ 0x124, "ChangeEPS" }, { 0x125, "ChangePPS" }, { 0x126, "Clear" },
	{ 0x127, "ClearControl" }, { 0x129, "HierarchyChangeAuth" },
	{ 0x12A, "NV_DefineSpace" }, { 0x12B, "PCR_Allocate" },
	{ 0x12E, "PCR_SetAuthValue" }, { 0x131, "CreatePrimary" },
	{ 0x132, "NV_GlobalWriteLock" }, { 0x133, "GetCommandAuditDigest" },
	{ 0x134, "NV_Increment" }, { 0x135, "NV_SetBits" }, { 0x136, "NV_Extend" },
	{ 0x137, "NV_Write" }, { 0x138, "NV_WriteLock" },
	{ 0x139, "DictionaryAttackLockReset" }, { 0x13A, "DictionaryAttackParameters" },
	{ 0x13B, "NV_ChangeAuth" }, { 0x13C, "PCR_Event" }, { 0x13D, "PCR_Reset" },
	{ 0x13E, "SequenceComplete" }, { 0x142, "IncrementalSelfTest" },
	{ 0x143, "SelfTest" }, { 0x144, "Startup" }, { 0x145, "Shutdown" },
	{ 0x146, "StirRandom" }, { 0x147, "ActivateCredential" },
	{ 0x148, "Certify" }, { 0x149, "PolicyNV" }, { 0x14A, "CertifyCreation" },
	{ 0x14B, "Duplicate" }, { 0x14C, "GetTime" }, { 0x14D, "GetSessionAuditDigest" },
	{ 0x14E, "NV_Read" }, { 0x14F, "NV_ReadLock" }, { 0x150, "ObjectChangeAuth" },
	{ 0x151, "PolicySecret" }, { 0x152, "Rewrap" }, { 0x153, "Create" },
	{ 0x154, "ECDH_ZGen" }, { 0x155, "HMAC" }, { 0x156, "Import" },
	{ 0x157, "Load" }, { 0x158, "Quote" }, { 0x159, "RSA_Decrypt" },
	{ 0x15B, "HMAC_Start" }, { 0x15C, "SequenceUpdate" }, { 0x15D, "Sign" },
	{ 0x15E, "Unseal" }, { 0x160, "PolicySigned" }, { 0x161, "ContextLoad" },
	{ 0x162, "ContextSave" }, { 0x163, "ECDH_KeyGen" }, { 0x164, "EncryptDecrypt" },
	{ 0x165, "FlushContext" }, { 0x167, "LoadExternal" }, { 0x168, "MakeCredential" },
	{ 0x169, "NV_ReadPublic" }, { 0x16A, "PolicyAuthorize" },
	{ 0x16B, "PolicyAuthValue" }, { 0x16C, "PolicyCommandCode" },
	{ 0x16D, "PolicyCounterTimer" }, { 0x16E, "PolicyCpHash" },
	{ 0x16F, "PolicyLocality" }, { 0x170, "PolicyNameHash" },
	{ 0x171, "PolicyOR" }, { 0x172, "PolicyTicket" }, { 0x173, "ReadPublic" },
	{ 0x174, "RSA_Encrypt" }, { 0x176, "StartAuthSession" },
	{ 0x177, "VerifySignature" }, { 0x178, "ECC_Parameters" },
	{ 0x17A, "GetCapability" }, { 0x17B, "GetRandom" }, { 0x17C, "GetTestResult" },
	{ 0x17D, "Hash" }, { 0x17E, "PCR_Read" }, { 0x17F, "PolicyPCR" },
	{ 0x180, "PolicyRestart" }, { 0x182, "PCR_Extend" }, { 0x183, "PCR_SetAuthPolicy" },
	{ 0x184, "NV_Certify" }, { 0x185, "EventSequenceComplete" },
	{ 0x186, "HashSequenceStart" }, { 0x189, "PolicyGetDigest" },
	{ 0x18B, "PolicyPassword" }, { 0x191, "CreateLoaded" },
	{ 0x192, "PolicyAuthorizeNV" }, { 0x193, "EncryptDecrypt2" },
	{ 0x199, "ECC_Encrypt" }, { 0x19A, "ECC_Decrypt" },
};

const char *tpm_cc_name(uint32_t cc)
{
	for (size_t i = 0; i < sizeof(cc_names) / sizeof(cc_names[0]); i++)
		if (cc_names[i].cc == cc)
			return cc_names[i].name;
	return "unknown";
}

/* ---- talking to swtpm ourselves (between guest commands) ---- */

int tpm_transact(const uint8_t *cmd, size_t len, uint8_t *rsp, size_t *rlen)
{
	uint32_t n;

	if (pv.tpm_fd < 0)
		return -1;
	if (write_full(pv.tpm_fd, cmd, len) || read_full(pv.tpm_fd, rsp, 10))
		return -1;
	n = get32(rsp + 2);
	if (n < 10 || n > PV_TPM_BUF || read_full(pv.tpm_fd, rsp + 10, n - 10))
		return -1;
	*rlen = n;
	return 0;
}

struct mbuf { uint8_t b[PV_TPM_BUF]; size_t n; };

static void m8(struct mbuf *m, uint8_t v) { m->b[m->n++] = v; }
static void m16(struct mbuf *m, uint16_t v) { put16(m->b + m->n, v); m->n += 2; }
static void m32(struct mbuf *m, uint32_t v) { put32(m->b + m->n, v); m->n += 4; }
static void mbytes(struct mbuf *m, const void *p, size_t n) { memcpy(m->b + m->n, p, n); m->n += n; }
static void mhdr(struct mbuf *m, uint16_t tag, uint32_t cc) { m->n = 0; m16(m, tag); m32(m, 0); m32(m, cc); }
static void mpw(struct mbuf *m) { m32(m, 9); m32(m, RS_PW); m16(m, 0); m8(m, 0); m16(m, 0); }
static void mfin(struct mbuf *m) { put32(m->b + 2, m->n); }

/* own command; returns the TPM response code or -1 on I/O error */
static long own_cmd(struct mbuf *m, uint8_t *rsp, size_t *rlen)
{
	mfin(m);
	pv_log_hex("pv>tpm", tpm_cc_name(get32(m->b + 6)), m->b, m->n);
	if (tpm_transact(m->b, m->n, rsp, rlen))
		return -1;
	pv_log_hex("tpm>pv", tpm_cc_name(get32(m->b + 6)), rsp, *rlen);
	return get32(rsp + 6);
}

/* RSA modulus out of a TPMT_PUBLIC */
static int parse_rsa_pub(const uint8_t *p, size_t n, uint8_t *mod, size_t *modlen)
{
	size_t o = 0;
	uint16_t alg, sz;

	if (n < 8 || get16(p) != 0x0001)	/* TPM_ALG_RSA */
		return -1;
	o = 8;
	sz = get16(p + o); o += 2 + sz;		/* authPolicy */
	if (o + 2 > n) return -1;
	alg = get16(p + o); o += 2;		/* symmetric */
	if (alg != 0x0010) o += 4;
	if (o + 2 > n) return -1;
	alg = get16(p + o); o += 2;		/* scheme */
	if (alg != 0x0010) o += 2;
	o += 2 + 4;				/* keyBits, exponent */
	if (o + 2 > n) return -1;
	sz = get16(p + o); o += 2;
	if (o + sz > n || sz > 256) return -1;
	memcpy(mod, p + o, sz);
	*modlen = sz;
	return 0;
}

static long read_public(uint32_t h, uint8_t *mod, size_t *modlen)
{
	struct mbuf m;
	uint8_t r[PV_TPM_BUF];
	size_t rl;
	long rc;

	mhdr(&m, ST_NO_SESSIONS, CC_ReadPublic);
	m32(&m, h);
	rc = own_cmd(&m, r, &rl);
	if (rc != 0)
		return rc;
	if (rl < 12 || parse_rsa_pub(r + 12, get16(r + 10), mod, modlen))
		return RC_FAILURE;
	return 0;
}

static const uint8_t ek_policy[32] = {
	0x83, 0x71, 0x97, 0x67, 0x44, 0x84, 0xB3, 0xF8, 0x1A, 0x90, 0xCC, 0x8D,
	0x46, 0xA5, 0xD7, 0x24, 0xFD, 0x52, 0xD7, 0x6E, 0x06, 0x52, 0x0B, 0x64,
	0xF2, 0xA1, 0xDA, 0x1B, 0x33, 0x14, 0x69, 0xAA,
};

/* CreatePrimary under the endorsement hierarchy, then EvictControl */
static long make_persistent_primary(bool ek, uint32_t persistent)
{
	struct mbuf m, t;
	uint8_t r[PV_TPM_BUF];
	size_t rl;
	long rc;
	uint32_t h;

	t.n = 0;
	m16(&t, 0x0001);			/* RSA */
	m16(&t, 0x000B);			/* SHA-256 */
	if (ek) {
		/* TCG EK template L-1: fixedTPM fixedParent sensitiveDataOrigin
		 * adminWithPolicy restricted decrypt, AES-128-CFB */
		m32(&t, 0x000300B2);
		m16(&t, 32);
		mbytes(&t, ek_policy, 32);
		m16(&t, 0x0006); m16(&t, 128); m16(&t, 0x0043);
		m16(&t, 0x0010);
		m16(&t, 2048); m32(&t, 0);
		m16(&t, 256);
		for (int i = 0; i < 256; i++)
			m8(&t, 0);
	} else {
		/* attestation key: fixedTPM fixedParent sensitiveDataOrigin
		 * userWithAuth noDA restricted sign, RSASSA-SHA256 */
		m32(&t, 0x00050472);
		m16(&t, 0);
		m16(&t, 0x0010);
		m16(&t, 0x0014); m16(&t, 0x000B);
		m16(&t, 2048); m32(&t, 0);
		m16(&t, 0);
	}
	mhdr(&m, ST_SESSIONS, CC_CreatePrimary);
	m32(&m, RH_ENDORSEMENT);
	mpw(&m);
	m16(&m, 4); m16(&m, 0); m16(&m, 0);	/* inSensitive */
	m16(&m, t.n); mbytes(&m, t.b, t.n);	/* inPublic */
	m16(&m, 0);				/* outsideInfo */
	m32(&m, 0);				/* creationPCR */
	rc = own_cmd(&m, r, &rl);
	if (rc != 0)
		return rc;
	h = get32(r + 10);
	mhdr(&m, ST_SESSIONS, CC_EvictControl);
	m32(&m, RH_OWNER);
	m32(&m, h);
	mpw(&m);
	m32(&m, persistent);
	rc = own_cmd(&m, r, &rl);
	{
		struct mbuf f;
		uint8_t r2[64];
		size_t rl2;

		mhdr(&f, ST_NO_SESSIONS, CC_FlushContext);
		m32(&f, h);
		own_cmd(&f, r2, &rl2);
	}
	pv_log("%s made persistent at 0x%08x: rc=0x%lx", ek ? "EK" : "AK", persistent, rc);
	return rc;
}

static bool ctrl_started;	/* guest traffic shows the TPM is up */
static int keys_failures;

int tpm_keys_ensure(void)
{
	long rc;

	if (pv.keys_ready)
		return 0;
	if (keys_failures > 5)
		return -1;
	rc = read_public(PV_EK_HANDLE, pv.ek_n, &pv.ek_n_len);
	if (rc == 0x18B) {	/* TPM_RC_HANDLE: absent */
		rc = make_persistent_primary(true, PV_EK_HANDLE);
		if (rc == 0)
			rc = read_public(PV_EK_HANDLE, pv.ek_n, &pv.ek_n_len);
	}
	if (rc != 0)
		goto fail;
	rc = read_public(PV_AK_HANDLE, pv.ak_n, &pv.ak_n_len);
	if (rc == 0x18B) {
		rc = make_persistent_primary(false, PV_AK_HANDLE);
		if (rc == 0)
			rc = read_public(PV_AK_HANDLE, pv.ak_n, &pv.ak_n_len);
	}
	if (rc != 0)
		goto fail;
	pv.keys_ready = true;
	pv_log("keys ready: AK 0x%08x (%zu-byte modulus), EK 0x%08x", PV_AK_HANDLE,
	       pv.ak_n_len, PV_EK_HANDLE);
	return 0;
fail:
	/* not started yet is not a failure; anything else is counted */
	if (rc != RC_INITIALIZE && rc != RC_FAILURE)
		keys_failures++;
	pv_log("keys not ready yet: rc=0x%lx", rc);
	return -1;
}

void tpm_after_startup(void)
{
	ctrl_started = false;
	sess_reset();
}

/* ---- the user-data index and the report update ---- */

static bool read_userdata_from_tpm(uint8_t out[64])
{
	struct mbuf m;
	uint8_t r[PV_TPM_BUF];
	size_t rl;

	/* the paravisor reads what the guest wrote (owner auth, empty) */
	mhdr(&m, ST_SESSIONS, CC_NV_Read);
	m32(&m, RH_OWNER);
	m32(&m, PV_USERDATA_NV_INDEX);
	mpw(&m);
	m16(&m, 64);
	m16(&m, 0);
	if (own_cmd(&m, r, &rl) != 0 || rl < 16 + 64 || get16(r + 14) != 64)
		return false;
	memcpy(out, r + 16, 64);
	return true;
}

static void update_report(const char *why)
{
	uint8_t ud[64];

	if (tpm_keys_ensure())
		return;
	if (!read_userdata_from_tpm(ud)) {
		pv_log("could not read 0x%08x back; using the data seen on the bus",
		       PV_USERDATA_NV_INDEX);
		memcpy(ud, pv.shadow_user, 64);
	}
	pv_log("renewing the report (%s)", why);
	report_build(ud);
	pv.pending = false;
	pv.renewed_ms = now_ms();
	pv.renewed_by_tear = false;
}

/* on-write: a report due by now; with --tear it waits for a point between chunks */
void tpm_run_pending(void)
{
	if (pv.refresh == PV_REFRESH_ON_WRITE && !pv.tear &&
	    pv.pending && now_ms() >= pv.pending_at_ms)
		update_report("on-write, due");
}

static void ensure_initial_report(void)
{
	static const uint8_t zero[64];

	if (pv.have_report || tpm_keys_ensure())
		return;
	/* OpenHCL renews the report once at boot (Tpm::initialize) */
	report_build(zero);
	pv.renewed_ms = now_ms();
	pv.renewed_by_tear = false;
}

static void tear_used(void)
{
	pv.tears++;
	if (pv.tear != UINT_MAX)
		pv.tear--;
}

/*
 * An NV_Read of 0x01400001 at @off is about to be answered.
 *
 * on-read (OpenHCL, vm/devices/tpm/tpm_device/src/lib.rs,
 * refresh_device_attestation_data_on_nv_read): a read at offset 0 renews the
 * report from 0x01400002's current content before it is answered, unless the
 * last renewal is no more than the interval (REPORT_TIMER_PERIOD, 2 s) old; then
 * the old report is served.  Reads at other offsets never renew.
 * --tear: when our offset-0 read was served the old report, another reader's
 * offset-0 read, whose window has just run out, renews it before our next chunk.
 * The stand-in lets the window run out at that moment once per user-data write
 * (so a test tears every request whatever the guest's speed); after it, the
 * window applies as usual, so the retry reads the renewed report whole.
 *
 * on-write: the report is renewed some time after the user-data write
 * (tpm_run_pending); --tear holds that renewal until it can land between the
 * offset-0 chunk and the next one.
 */
static void report_read_hook(long off)
{
	uint64_t now = now_ms();

	if (off < 0)
		return;
	if (!pv.have_report)
		ensure_initial_report();
	if (pv.refresh == PV_REFRESH_ON_READ) {
		if (off == 0) {
			pv.in_read = true;
			if (now - pv.renewed_ms > pv.interval_ms) {
				update_report("on-read at offset 0");
				pv.read0_stale = false;
			} else {
				pv_log("offset-0 read %llu ms after the last renewal, inside the %u ms window: the old report is served",
				       (unsigned long long)(now - pv.renewed_ms), pv.interval_ms);
				pv.read0_stale = true;
			}
		} else if (pv.in_read && pv.read0_stale && pv.tear && pv.tear_armed) {
			update_report("tear: another reader's offset-0 read between our chunks");
			pv.renewed_by_tear = true;
			pv.read0_stale = false;
			pv.tear_armed = false;
			tear_used();
		}
		return;
	}
	if (off == 0) {
		pv.in_read = true;
	} else if (pv.in_read && pv.tear && pv.pending && now >= pv.pending_at_ms) {
		update_report("tear: the on-write renewal lands between our chunks");
		pv.in_read = false;
		tear_used();
	}
}

/* the offset of an NV_Read command, -1 if it is malformed */
static long nv_read_offset(const uint8_t *cmd, size_t len)
{
	size_t po;

	if (len < 22 || get16(cmd) != ST_SESSIONS)
		return -1;
	po = 18 + 4 + (size_t)get32(cmd + 18);
	if (po + 4 > len)
		return -1;
	return get16(cmd + po + 2);
}

/* ---- answering for 0x01400001 ---- */

static size_t rsp_error(uint8_t *rsp, uint32_t rc)
{
	put16(rsp, ST_NO_SESSIONS);
	put32(rsp + 2, 10);
	put32(rsp + 6, rc);
	return 10;
}

static size_t nv_public(uint8_t *p)
{
	put32(p, PV_REPORT_NV_INDEX);
	put16(p + 4, 0x000B);
	put32(p + 6, REPORT_NV_ATTRS);
	put16(p + 10, 0);
	put16(p + 12, pv.nv_size);
	return 14;
}

static size_t answer_nv_readpublic(const uint8_t *cmd, size_t len, uint8_t *rsp)
{
	uint8_t pub[14];
	size_t o = 10;

	if (get16(cmd) != ST_NO_SESSIONS)
		return rsp_error(rsp, RC_AUTH_UNAVAILABLE);
	if (len != 14)
		return rsp_error(rsp, RC_COMMAND_SIZE);
	/*
	 * The keys and the first report are made here, on the OS's first look at the
	 * index (its NV_ReadPublic, which Linux allows minutes), not during the
	 * firmware's Startup: RSA key generation under load outlasts SeaBIOS's TPM
	 * timeouts, and SeaBIOS then disables the owner hierarchy.
	 */
	ensure_initial_report();
	nv_public(pub);
	put16(rsp, ST_NO_SESSIONS);
	put32(rsp + 6, 0);
	put16(rsp + o, sizeof(pub)); o += 2;
	memcpy(rsp + o, pub, sizeof(pub)); o += sizeof(pub);
	put16(rsp + o, 34); o += 2;
	put16(rsp + o, 0x000B); o += 2;
	SHA256(pub, sizeof(pub), rsp + o); o += 32;
	put32(rsp + 2, o);
	return o;
}

/*
 * Parses the authorization area; returns the number of password sessions
 * or -1 (with *rc set) when it cannot be served.
 */
static int parse_pw_sessions(const uint8_t *cmd, size_t len, size_t hoff,
			     size_t *params, uint32_t *rc, const uint8_t **pw, uint16_t *pwlen)
{
	uint32_t asz;
	size_t o, end;
	int n = 0;

	if (get16(cmd) != ST_SESSIONS || hoff + 4 > len) {
		*rc = 0x922 + 0x000;	/* TPM_RC_AUTH_MISSING */
		return -1;
	}
	asz = get32(cmd + hoff);
	o = hoff + 4;
	end = o + asz;
	if (end > len) {
		*rc = 0x095;		/* TPM_RC_SIZE */
		return -1;
	}
	while (o < end) {
		uint32_t h;
		uint16_t ns, hs;
		uint8_t at;

		if (o + 4 + 2 > end) { *rc = 0x095; return -1; }
		h = get32(cmd + o); o += 4;
		ns = get16(cmd + o); o += 2 + ns;
		if (o + 1 + 2 > end) { *rc = 0x095; return -1; }
		at = cmd[o]; o += 1;
		hs = get16(cmd + o); o += 2 + hs;
		if (o > end) { *rc = 0x095; return -1; }
		if (n == 0) {
			*pw = cmd + o - hs;
			*pwlen = hs;
		}
		n++;
		if (h != RS_PW) {
			/* HMAC/policy sessions would need the session keys */
			*rc = RC_AUTH_UNAVAILABLE;
			return -1;
		}
		if (at & 0x60) {	/* decrypt/encrypt on a password session */
			*rc = RC_ATTRIBUTES_S1 + (n - 1) * 0x100;
			return -1;
		}
	}
	*params = end;
	return n;
}

static size_t answer_nv_read(const uint8_t *cmd, size_t len, uint8_t *rsp)
{
	uint32_t auth = get32(cmd + 10), rc = 0;
	size_t po, o;
	uint16_t size, off;
	int ns;
	bool hmac = false;
	const uint8_t *pw = NULL;
	uint16_t pwlen = 0;

	if (get16(cmd) == ST_SESSIONS && len >= 26 && (get32(cmd + 22) >> 24) == 0x02) {
		/* one HMAC session (tpm2-tools, ESAPI): see session.c */
		po = 18 + 4 + (size_t)get32(cmd + 18);
		if (po + 4 != len)
			return rsp_error(rsp, RC_COMMAND_SIZE);
		hmac = true;
	} else {
		ns = parse_pw_sessions(cmd, len, 18, &po, &rc, &pw, &pwlen);
		if (ns < 0)
			return rsp_error(rsp, rc);
		if (ns != 1)
			return rsp_error(rsp, 0x922);	/* AUTH_MISSING / too many */
		if (po + 4 != len)
			return rsp_error(rsp, RC_COMMAND_SIZE);
	}
	/* access checks as NvReadAccessChecks(), then the authorization */
	if (auth == RH_OWNER) {
		if (!(REPORT_NV_ATTRS & NVA_OWNERREAD))
			return rsp_error(rsp, RC_NV_AUTHORIZATION);
		/* the rig's owner authValue is empty */
		if (!hmac && pwlen != 0)
			return rsp_error(rsp, RC_BAD_AUTH_S1);
	} else if (auth == RH_PLATFORM) {
		if (!(REPORT_NV_ATTRS & NVA_PPREAD))
			return rsp_error(rsp, RC_NV_AUTHORIZATION);
	} else if (auth == PV_REPORT_NV_INDEX) {
		uint8_t want[8];

		if (!(REPORT_NV_ATTRS & NVA_AUTHREAD))
			return rsp_error(rsp, RC_NV_AUTHORIZATION);
		/*
		 * The paravisor's random u64 (written as TPM2B_AUTH of 8 bytes); an
		 * HMAC session would need it as well, which the guest cannot have.
		 */
		for (int i = 0; i < 8; i++)
			want[i] = pv.nv_auth >> (56 - 8 * i);
		if (hmac || pwlen != 8 || memcmp(pw, want, 8))
			return rsp_error(rsp, RC_BAD_AUTH_S1);
	} else if ((auth >> 24) == 0x01) {
		return rsp_error(rsp, RC_NV_AUTHORIZATION);	/* another index */
	} else {
		return rsp_error(rsp, 0x184);	/* TPM_RC_VALUE + H1: not an NV auth */
	}
	size = get16(cmd + po);
	off = get16(cmd + po + 2);
	if (size > PV_MAX_NV_BUFFER)
		return rsp_error(rsp, RC_VALUE_P1);
	if (off > pv.nv_size)
		return rsp_error(rsp, RC_VALUE_P2);
	if ((uint32_t)off + size > pv.nv_size)
		return rsp_error(rsp, RC_NV_RANGE);

	ensure_initial_report();
	put16(rsp, ST_SESSIONS);
	put32(rsp + 6, 0);
	o = 10;
	put32(rsp + o, 2 + size); o += 4;	/* parameterSize */
	put16(rsp + o, size); o += 2;
	/* an index advertised larger than the report (nv-size=) reads as zeros there */
	memset(rsp + o, 0, size);
	if (off < PV_REPORT_NV_MAX)
		memcpy(rsp + o, pv.report + off,
		       off + size > PV_REPORT_NV_MAX ? PV_REPORT_NV_MAX - off : size);
	o += size;
	if (hmac) {
		uint8_t pub[14], name[34];
		size_t al;

		nv_public(pub);
		put16(name, 0x000B);
		SHA256(pub, sizeof(pub), name + 2);
		rc = sess_nv_read(cmd, len, name, rsp + o, &al, rsp + 14, 2 + size);
		if (rc)
			return rsp_error(rsp, rc);
		o += al;
	} else {
		/* password session: nonce empty, continueSession, hmac empty */
		put16(rsp + o, 0); o += 2;
		rsp[o++] = 0x01;
		put16(rsp + o, 0); o += 2;
	}
	put32(rsp + 2, o);
	return o;
}

/* other commands naming 0x01400001 */
static size_t answer_other(uint32_t cc, uint8_t *rsp)
{
	switch (cc) {
	case CC_NV_DefineSpace:
		return rsp_error(rsp, RC_NV_DEFINED);
	default:
		return rsp_error(rsp, RC_NV_AUTHORIZATION);
	}
}

/* the nvIndex inside NV_DefineSpace's publicInfo, 0 if malformed */
static uint32_t define_index(const uint8_t *cmd, size_t len)
{
	size_t o;

	if (len < 18 || get16(cmd) != ST_SESSIONS)
		return 0;
	o = 18 + (size_t)get32(cmd + 14);
	if (o + 2 > len)
		return 0;
	o += 2 + get16(cmd + o);
	if (o + 2 + 4 > len)
		return 0;
	return get32(cmd + o + 2);
}

/* does this command name the report index among its handles? */
static bool names_report_index(uint32_t cc, const uint8_t *cmd, size_t len)
{
	int hpos[2] = { -1, -1 };

	switch (cc) {
	case CC_NV_UndefineSpace: case 0x134: case 0x135: case 0x136:
	case CC_NV_Write: case 0x138: case 0x14F: case 0x149: case 0x192:
		hpos[0] = 14;			/* authHandle, nvIndex */
		break;
	case CC_NV_UndefineSpaceSpecial: case 0x13B:
		hpos[0] = 10;
		break;
	case 0x184:				/* NV_Certify: sign, auth, index */
		hpos[0] = 18;
		break;
	default:
		return false;
	}
	return hpos[0] + 4 <= (int)len && get32(cmd + hpos[0]) == PV_REPORT_NV_INDEX;
}

/* insert the report index into a TPM_CAP_HANDLES answer */
static size_t patch_cap_handles(const uint8_t *cmd, uint8_t *rsp, size_t rl)
{
	uint32_t cap, prop, want, cnt;
	size_t o;
	uint32_t hs[512];

	if (get16(cmd) != ST_NO_SESSIONS || get32(cmd + 2) != 22)
		return rl;
	cap = get32(cmd + 10);
	prop = get32(cmd + 14);
	want = get32(cmd + 18);
	if (cap != 1 || (prop >> 24) != 0x01 || prop > PV_REPORT_NV_INDEX ||
	    rl < 10 + 1 + 4 + 4 || get32(rsp + 6) != 0 || get32(rsp + 11) != 1)
		return rl;
	cnt = get32(rsp + 15);
	if (cnt > 510 || 19 + 4 * cnt > rl)
		return rl;
	for (uint32_t i = 0; i < cnt; i++)
		hs[i] = get32(rsp + 19 + 4 * i);
	{
		uint32_t i = 0;

		while (i < cnt && hs[i] < PV_REPORT_NV_INDEX)
			i++;
		if (i < cnt && hs[i] == PV_REPORT_NV_INDEX)
			return rl;
		if (i == cnt && rsp[10] && cnt)	/* more data follows: not our turn */
			return rl;
		memmove(hs + i + 1, hs + i, (cnt - i) * 4);
		hs[i] = PV_REPORT_NV_INDEX;
		cnt++;
	}
	if (want > 0 && cnt > want) {
		cnt = want;
		rsp[10] = 1;
	}
	put32(rsp + 15, cnt);
	o = 19;
	for (uint32_t i = 0; i < cnt; i++, o += 4)
		put32(rsp + o, hs[i]);
	put32(rsp + 2, o);
	return o;
}

static struct pv_fault *find_fault(uint32_t cc, int kind)
{
	for (int i = 0; i < pv.nfaults; i++) {
		struct pv_fault *f = &pv.faults[i];

		if ((int)f->kind == kind && f->cc == cc && f->count != 0)
			return f;
	}
	return NULL;
}

static size_t forward(const uint8_t *cmd, size_t len, uint8_t *rsp)
{
	size_t rl;

	if (tpm_transact(cmd, len, rsp, &rl))
		die("lost the data channel to swtpm");
	return rl;
}

size_t tpm_handle_guest(const uint8_t *cmd, size_t len, uint8_t *rsp)
{
	uint32_t cc = get32(cmd + 6);
	struct pv_fault *f;
	size_t rl;
	bool ours = false;

	/* a report due by now is in place before the guest can look */
	tpm_run_pending();

	if ((f = find_fault(cc, F_FAIL))) {
		if (f->count > 0)
			f->count--;
		pv_log("fault: %s -> rc 0x%x", tpm_cc_name(cc), f->rc);
		return rsp_error(rsp, f->rc);
	}

	if (cc == CC_NV_ReadPublic && len >= 14 && get32(cmd + 10) == PV_REPORT_NV_INDEX) {
		rl = answer_nv_readpublic(cmd, len, rsp);
		ours = true;
	} else if (cc == CC_NV_Read && len >= 18 && get32(cmd + 14) == PV_REPORT_NV_INDEX) {
		report_read_hook(nv_read_offset(cmd, len));
		rl = answer_nv_read(cmd, len, rsp);
		ours = true;
	} else if (cc == CC_NV_DefineSpace && define_index(cmd, len) == PV_REPORT_NV_INDEX) {
		rl = answer_other(cc, rsp);
		ours = true;
	} else if (names_report_index(cc, cmd, len)) {
		rl = answer_other(cc, rsp);
		ours = true;
	} else {
		rl = forward(cmd, len, rsp);
	}
	if (ours)
		pv_log("answered %s for 0x%08x: rc=0x%x", tpm_cc_name(cc),
		       PV_REPORT_NV_INDEX, get32(rsp + 6));

	if (!ours && rl >= 10) {
		uint32_t rc = get32(rsp + 6);

		if (rc != RC_INITIALIZE && rc != RC_FAILURE)
			ctrl_started = true;
		sess_observe(cmd, len, rsp, rl);
		if (cc == CC_GetCapability)
			rl = patch_cap_handles(cmd, rsp, rl);
		if (cc == CC_NV_UndefineSpace && rc == 0 && len >= 18 &&
		    get32(cmd + 14) == PV_USERDATA_NV_INDEX)
			memset(pv.shadow_user, 0, 64);
		if (cc == CC_NV_Write && rc == 0 && len >= 18 &&
		    get32(cmd + 14) == PV_USERDATA_NV_INDEX) {
			/* data as seen on the bus (valid for password sessions) */
			size_t po = 18 + 4 + get32(cmd + 18);

			if (po + 2 <= len) {
				uint16_t ds = get16(cmd + po);

				if (po + 2 + ds + 2 <= len) {
					uint16_t off = get16(cmd + po + 2 + ds);

					if (off < 64)
						memcpy(pv.shadow_user + off, cmd + po + 2,
						       ds > 64 - off ? 64 - off : ds);
				}
			}
			pv.tear_armed = true;
			if (pv.refresh == PV_REFRESH_ON_READ) {
				pv_log("user data written to 0x%08x; the next offset-0 read of 0x%08x renews the report",
				       PV_USERDATA_NV_INDEX, PV_REPORT_NV_INDEX);
			} else {
				pv.pending = true;
				pv.pending_at_ms = now_ms() + pv.delay_ms;
				pv_log("user data written to 0x%08x; report due in %u ms%s",
				       PV_USERDATA_NV_INDEX, pv.delay_ms,
				       pv.tear ? ", between two chunks of a read (tear)" : "");
				if (pv.delay_ms == 0 && !pv.tear)
					update_report("on-write");
			}
		}
		/* Startup answered "already initialized" means up, too */
		if (cc == CC_Startup && rc == RC_INITIALIZE)
			ctrl_started = true;
	}

	if ((f = find_fault(cc, F_DELAY))) {
		struct timespec ts = { f->ms / 1000, (long)(f->ms % 1000) * 1000000 };

		if (f->count > 0)
			f->count--;
		pv_log("fault: delaying %s response by %u ms", tpm_cc_name(cc), f->ms);
		while (nanosleep(&ts, &ts))
			;
	}
	if ((f = find_fault(cc, F_DROP))) {
		if (f->count > 0)
			f->count--;
		pv_log("fault: dropping %s response", tpm_cc_name(cc));
		pv_log_hex("dropped", tpm_cc_name(cc), rsp, rl);
		return 0;
	}
	return rl;
}
