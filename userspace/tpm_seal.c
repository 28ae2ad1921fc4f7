// SPDX-License-Identifier: GPL-2.0-only
/*
 * The TPM side of disk keys, through tpm2-tss's ESAPI.
 *
 * Seal: the secret is the sensitive data of a KEYEDHASH object whose only
 * authorization is a PolicyPCR digest (no userWithAuth), for a cvmguard token
 * followed by PolicyNV on the volume's rollback record (tpm_nv.c), created under a
 * storage parent over a session salted with that parent, with command parameter
 * encryption, so the secret is never on the bus in clear.
 *
 * Unseal: load the object (the parent's empty password: nothing secret goes in),
 * start one salted policy session that also encrypts the response, PolicyPCR,
 * [NV_ReadPublic, PolicyNV,] Unseal: five commands (seven with PolicyNV) and one
 * salted session on the fast path. PCRs other than
 * sealed to make Unseal fail with TPM_RC_POLICY_FAIL. A PCR extended between
 * PolicyPCR and Unseal makes the TPM answer TPM_RC_PCR_CHANGED; that is retried a
 * bounded number of times.
 *
 * Parents: the persistent SRK at 0x81000001, made once with the TCG template (so
 * unlocking never pays for CreatePrimary), or, for systemd-tpm2 tokens, the primary
 * that systemd 252 recreates on every use from its own template.
 *
 * The SRK is verified before it is used, and every session, on both token kinds,
 * is salted with it alone (tpm_srk.c).
 *
 * PIN (systemd's tpm2-pin, pin.c): when cvmg_tpm_set_pin_auth() gave the PIN's
 * authValue, the sealed object gets it as userAuth and its policy a PolicyAuthValue
 * step after PolicyPCR (policy_auth_value()), as systemd 252 makes it. Unseal then
 * checks the session's digest against the object's before Unseal, so a PCR state or a
 * token flag that cannot satisfy the policy never reaches the authValue check (and
 * never counts against the dictionary-attack limit); a wrong PIN does count.
 *
 * Errors: -ENODEV no TPM; -CVMG_ESRK the key at 0x81000001 is not a genuine SRK;
 * -CVMG_EPCRBANK a PCR not allocated in the SHA-256 bank (seal); -EPERM the PCR
 * policy does not match (the TPM refused);
 * -EBADMSG the sealed object does not load (damaged, or another TPM/parent);
 * -CVMG_EBADPIN the TPM refused the PIN; -CVMG_ELOCKOUT the TPM is in DA lockout;
 * -EIO any other TPM failure (cvmg_tpm_last_rc() has the code).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_tctildr.h>

#include "cvmguard.h"
#include "secret.h"
#include "tpm_esys.h"
#include "tpm_nv.h"
#include "tpm_seal.h"

/* TPM 2.0 Part 2 response codes, format one: number in bits 0-5, bit 7 set. */
#define RC_FMT1_MASK (TPM2_RC_FMT1 | 0x3f)

/**
 * cvmg_tpm_rc_is() - whether a TSS return code is a given TPM response code
 * @rc: from an Esys_*() call
 * @want: TPM2_RC_*, without the parameter/handle/session number
 */
bool cvmg_tpm_rc_is(TSS2_RC rc, TSS2_RC want)
{
	if (rc & ~(TSS2_RC)0xfff)       /* not from the TPM itself */
		return false;
	if (rc & TPM2_RC_FMT1)
		return (rc & RC_FMT1_MASK) == want;
	return (rc & 0xfff) == want;
}

static const TPMT_SYM_DEF sym_aes128cfb = {
	.algorithm = TPM2_ALG_AES,
	.keyBits.aes = 128,
	.mode.aes = TPM2_ALG_CFB,
};

/* $CVMGUARD_TPM_WAIT: seconds to wait for a TPM that is not there yet (0..300). */
static unsigned int tpm_wait_seconds(void)
{
	const char *w = getenv("CVMGUARD_TPM_WAIT");
	char *end;
	long n;

	if (!w || !*w)
		return 0;
	n = strtol(w, &end, 10);
	if (*end || n < 0)
		return 0;
	return n > CVMG_TPM_WAIT_MAX ? CVMG_TPM_WAIT_MAX : (unsigned int)n;
}

static int tpm_connect(struct cvmg_tpm *t, const char *conf)
{
	t->last_rc = Tss2_TctiLdr_Initialize(conf, &t->tcti);
	if (t->last_rc)
		return -ENODEV;
	t->last_rc = Esys_Initialize(&t->esys, t->tcti, NULL);
	if (t->last_rc) {
		Tss2_TctiLdr_Finalize(&t->tcti);
		t->tcti = NULL;
		return -ENODEV;
	}
	return 0;
}

/**
 * cvmg_tpm_open() - connect to the TPM
 * @tpm: the handle, for cvmg_tpm_close()
 *
 * The TCTI is $CVMGUARD_TCTI (e.g. "swtpm:path=/tmp/s") or the kernel's resource
 * manager, device:/dev/tpmrm0. When $CVMGUARD_TPM_WAIT is a number of seconds (at
 * most 300; cvmguard-unlock@.service sets it), a TPM that is not there yet is
 * waited for that long, polling every 200 ms, before giving up: at early hot-plug
 * the disk can appear before the TPM driver has bound.
 *
 * Return: 0, -ENODEV when there is no TPM, -ENOMEM.
 */
int cvmg_tpm_open(struct cvmg_tpm **tpm)
{
	const char *conf = getenv("CVMGUARD_TCTI");
	struct timespec now, end, nap = { .tv_nsec = 200 * 1000 * 1000 };
	unsigned int wait = tpm_wait_seconds();
	bool told = false;
	struct cvmg_tpm *t;
	int ret;

	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->srk = ESYS_TR_NONE;
	if (!conf || !*conf)
		conf = "device:/dev/tpmrm0";
	/* tpm2-tss logs to stderr by itself; errors are ours to explain. */
	setenv("TSS2_LOG", "all+none", 0);
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += wait;
	for (;;) {
		ret = tpm_connect(t, conf);
		if (ret != -ENODEV || !wait)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > end.tv_sec ||
		    (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec))
			break;
		if (!told) {
			cvmg_info("waiting up to %u s for the TPM (%s)", wait, conf);
			told = true;
		}
		nanosleep(&nap, NULL);
	}
	if (!ret && told)
		cvmg_info("the TPM is there");
	if (ret) {
		cvmg_tpm_close(t);
		t = NULL;
	}
	*tpm = t;
	return ret;
}

/**
 * cvmg_tpm_close() - disconnect (NULL is ignored)
 * @tpm: from cvmg_tpm_open()
 */
void cvmg_tpm_close(struct cvmg_tpm *tpm)
{
	if (!tpm)
		return;
	if (tpm->esys && tpm->srk != ESYS_TR_NONE)
		Esys_TR_Close(tpm->esys, &tpm->srk);
	if (tpm->esys)
		Esys_Finalize(&tpm->esys);
	if (tpm->tcti)
		Tss2_TctiLdr_Finalize(&tpm->tcti);
	explicit_bzero(tpm->pin_auth, sizeof(tpm->pin_auth));
	free(tpm);
}

/**
 * cvmg_tpm_last_rc() - the TSS return code behind the last -EIO, for messages
 * @tpm: the handle
 */
uint32_t cvmg_tpm_last_rc(const struct cvmg_tpm *tpm)
{
	return tpm->last_rc;
}

/**
 * cvmg_tpm_set_pin_auth() - the PIN's authValue for the seals and unseals that follow
 * @tpm: the handle
 * @auth: from cvmg_pin_auth(), or NULL for none (seal without a PIN)
 *
 * Return: 0.
 */
int cvmg_tpm_set_pin_auth(struct cvmg_tpm *tpm, const uint8_t auth[32])
{
	tpm->pin_set = auth != NULL;
	if (auth)
		memcpy(tpm->pin_auth, auth, sizeof(tpm->pin_auth));
	else
		explicit_bzero(tpm->pin_auth, sizeof(tpm->pin_auth));
	return 0;
}

/**
 * cvmg_pcr_parse() - "7" or "0,2,7" or "7+11" to a mask of PCRs 0..23
 * @list: the list
 * @mask: the result (bit n = PCR n)
 *
 * PCRs 16 (debug) and 23 (application) can be reset by any process with TPM
 * access, so a policy on them is refused too (with a message).
 *
 * Return: 0, or -EINVAL for anything else (an empty list included).
 */
int cvmg_pcr_parse(const char *list, uint32_t *mask)
{
	const char *p = list;
	uint32_t m = 0;

	while (*p) {
		char *end;
		long n = strtol(p, &end, 10);

		if (end == p || n < 0 || n > 23)
			return -EINVAL;
		if (n == 16 || n == 23) {
			cvmg_err("PCR %ld is resettable (%s): a policy on it protects nothing", n,
				 n == 16 ? "the debug PCR" : "the application PCR");
			return -EINVAL;
		}
		m |= 1u << n;
		p = end;
		if (*p == ',' || *p == '+') {
			p++;
			if (!*p)
				return -EINVAL;
		} else if (*p) {
			return -EINVAL;
		}
	}
	if (!m)
		return -EINVAL;
	*mask = m;
	return 0;
}

static void pcr_selection(uint32_t mask, TPML_PCR_SELECTION *sel)
{
	memset(sel, 0, sizeof(*sel));
	sel->count = 1;
	sel->pcrSelections[0].hash = TPM2_ALG_SHA256;
	sel->pcrSelections[0].sizeofSelect = 3;
	sel->pcrSelections[0].pcrSelect[0] = mask & 0xff;
	sel->pcrSelections[0].pcrSelect[1] = (mask >> 8) & 0xff;
	sel->pcrSelections[0].pcrSelect[2] = (mask >> 16) & 0xff;
}

/* Keep @rc for cvmg_tpm_last_rc(); -EIO. */
int cvmg_tpm_err(struct cvmg_tpm *t, TSS2_RC rc)
{
	t->last_rc = rc;
	return -EIO;
}

/* The storage parent: the verified SRK, or systemd's primary made now. */
static int get_parent(struct cvmg_tpm *t, enum cvmg_parent parent, ESYS_TR *obj, bool *transient)
{
	TPM2B_PUBLIC tmpl;
	TPM2B_SENSITIVE_CREATE sens = {};
	TPM2B_DATA outside = {};
	TPML_PCR_SELECTION none = {};
	TSS2_RC rc;
	int ret;

	*transient = false;
	if (parent == CVMG_PARENT_SRK) {
		ret = cvmg_tpm_srk_verify(t, false);
		if (!ret)
			*obj = t->srk;
		return ret;
	}
	/* systemd 252's primary: the TCG template without noDA, made for every use */
	cvmg_primary_template(parent == CVMG_PARENT_SYSTEMD_RSA ? TPM2_ALG_RSA : TPM2_ALG_ECC,
			      false, &tmpl);
	rc = Esys_CreatePrimary(t->esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE,
				ESYS_TR_NONE, &sens, &tmpl, &outside, &none, obj, NULL, NULL,
				NULL, NULL);
	if (rc)
		return cvmg_tpm_err(t, rc);
	*transient = true;
	return 0;
}

/* A session salted with @parent (always the verified SRK): HMAC with parameter encryption, or policy. */
static int start_session(struct cvmg_tpm *t, ESYS_TR parent, TPM2_SE type, ESYS_TR *sess)
{
	TSS2_RC rc;

	rc = Esys_StartAuthSession(t->esys, parent, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
				   ESYS_TR_NONE, NULL, type, &sym_aes128cfb, TPM2_ALG_SHA256,
				   sess);
	if (rc)
		return cvmg_tpm_err(t, rc);
	if (type == TPM2_SE_HMAC) {
		rc = Esys_TRSess_SetAttributes(t->esys, *sess,
					       TPMA_SESSION_DECRYPT | TPMA_SESSION_ENCRYPT |
					       TPMA_SESSION_CONTINUESESSION, 0xff);
		if (rc)
			return cvmg_tpm_err(t, rc);
	}
	return 0;
}

/*
 * PolicyPCR into @sess, and the digest it gives (@digest NULL: not asked). @pcr_digest
 * NULL: over the current values; else (a trial session only) over values whose
 * digest it is.
 */
static int policy_pcr(struct cvmg_tpm *t, ESYS_TR sess, uint32_t mask,
		      const uint8_t *pcr_digest, uint8_t digest[32])
{
	TPML_PCR_SELECTION sel;
	TPM2B_DIGEST given = {};
	TPM2B_DIGEST *d = NULL;
	TSS2_RC rc;
	int ret = 0;

	pcr_selection(mask, &sel);
	if (pcr_digest) {
		given.size = 32;
		memcpy(given.buffer, pcr_digest, 32);
	}
	rc = Esys_PolicyPCR(t->esys, sess, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &given, &sel);
	if (rc) {
		ret = cvmg_tpm_err(t, rc);
		goto out;
	}
	if (!digest)
		goto out;
	rc = Esys_PolicyGetDigest(t->esys, sess, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &d);
	if (rc) {
		ret = cvmg_tpm_err(t, rc);
		goto out;
	}
	if (d->size != 32) {
		ret = -EIO;
		goto out;
	}
	memcpy(digest, d->buffer, 32);
out:
	Esys_Free(d);
	return ret;
}

/*
 * The PIN's step, after PolicyPCR as systemd 252 orders it: PolicyAuthValue into
 * @sess, and the digest it leaves (@digest NULL: not asked).
 */
static int policy_auth_value(struct cvmg_tpm *t, ESYS_TR sess, uint8_t digest[32])
{
	TPM2B_DIGEST *d = NULL;
	TSS2_RC rc;

	rc = Esys_PolicyAuthValue(t->esys, sess, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE);
	if (rc)
		return cvmg_tpm_err(t, rc);
	if (!digest)
		return 0;
	rc = Esys_PolicyGetDigest(t->esys, sess, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &d);
	if (rc)
		return cvmg_tpm_err(t, rc);
	if (d->size != 32) {
		Esys_Free(d);
		return -EIO;
	}
	memcpy(digest, d->buffer, 32);
	Esys_Free(d);
	return 0;
}

static int parent_name(struct cvmg_tpm *t, ESYS_TR parent, uint8_t *name, size_t *len)
{
	TPM2B_NAME *n = NULL;
	TSS2_RC rc;

	rc = Esys_TR_GetName(t->esys, parent, &n);
	if (rc)
		return cvmg_tpm_err(t, rc);
	if (n->size > CVMG_NAME_MAX) {
		Esys_Free(n);
		return -EOVERFLOW;
	}
	memcpy(name, n->name, n->size);
	*len = n->size;
	Esys_Free(n);
	return 0;
}

/*
 * Before sealing to @mask: every PCR allocated in the SHA-256 bank (a PCR outside
 * the allocation is one PolicyPCR would skip or the TPM would refuse at unseal),
 * and a warning for a PCR still all zeros (nothing measured there yet: anyone who
 * reaches that state, e.g. before the firmware measures, satisfies the policy).
 */
static int pcr_check(struct cvmg_tpm *t, uint32_t mask)
{
	TPMS_CAPABILITY_DATA *cap = NULL;
	TPML_PCR_SELECTION sel, *upd = NULL;
	TPML_DIGEST *vals = NULL;
	uint32_t alloc = 0, i, j;
	TPMI_YES_NO more;
	TSS2_RC rc;
	int ret = 0;

	rc = Esys_GetCapability(t->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
				TPM2_CAP_PCRS, 0, 1, &more, &cap);
	if (rc)
		return cvmg_tpm_err(t, rc);
	for (i = 0; i < cap->data.assignedPCR.count; i++) {
		const TPMS_PCR_SELECTION *p = &cap->data.assignedPCR.pcrSelections[i];

		if (p->hash != TPM2_ALG_SHA256)
			continue;
		for (j = 0; j < p->sizeofSelect && j < 3; j++)
			alloc |= (uint32_t)p->pcrSelect[j] << (8 * j);
	}
	Esys_Free(cap);
	if ((mask & alloc) != mask) {
		cvmg_err("PCR(s) not allocated in this TPM's sha256 bank: mask 0x%06x "
			 "(allocated: 0x%06x)", mask & ~alloc, alloc);
		return -CVMG_EPCRBANK;
	}
	for (i = 0; i < 24; i++) {
		if (!(mask & (1u << i)))
			continue;
		pcr_selection(1u << i, &sel);
		rc = Esys_PCR_Read(t->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &sel,
				   NULL, &upd, &vals);
		if (rc) {
			ret = cvmg_tpm_err(t, rc);
			break;
		}
		if (vals->count == 1) {
			const TPM2B_DIGEST *d = &vals->digests[0];
			bool zero = true;

			for (j = 0; j < d->size; j++)
				zero &= !d->buffer[j];
			if (zero)
				cvmg_warn("PCR %u is still all zeros: nothing has been measured into "
					  "it, so the seal binds to nothing there", i);
		}
		Esys_Free(upd);
		Esys_Free(vals);
		upd = NULL;
		vals = NULL;
	}
	return ret;
}

/**
 * cvmg_tpm_pcr_read() - the current values of PCRs in the SHA-256 bank
 * @tpm: the handle
 * @pcr_mask: which
 * @values: filled for each PCR in @pcr_mask
 *
 * Return: 0, -CVMG_EPCRBANK when one is not allocated, -EIO.
 */
int cvmg_tpm_pcr_read(struct cvmg_tpm *tpm, uint32_t pcr_mask, uint8_t values[CVMG_PCR_COUNT][32])
{
	TPML_PCR_SELECTION sel, *upd = NULL;
	TPML_DIGEST *vals = NULL;
	unsigned int i;
	TSS2_RC rc;
	int ret = 0;

	for (i = 0; i < CVMG_PCR_COUNT && !ret; i++) {
		if (!(pcr_mask & (1u << i)))
			continue;
		pcr_selection(1u << i, &sel);
		rc = Esys_PCR_Read(tpm->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &sel,
				   NULL, &upd, &vals);
		if (rc)
			return cvmg_tpm_err(tpm, rc);
		if (vals->count != 1)
			ret = -CVMG_EPCRBANK;
		else if (vals->digests[0].size != 32)
			ret = -EIO;
		else
			memcpy(values[i], vals->digests[0].buffer, 32);
		Esys_Free(upd);
		Esys_Free(vals);
		upd = NULL;
		vals = NULL;
	}
	return ret;
}

/**
 * cvmg_tpm_seal() - seal @secret to the current values of the PCRs in @pcr_mask
 * @tpm: the handle
 * @parent: the storage parent (the SRK must exist: cvmg_tpm_ensure_srk())
 * @pcr_mask: PCRs of the SHA-256 bank
 * @secret: the bytes (at most 128)
 * @len: their length
 * @out: the sealed object, its policy digest and the parent's name
 *
 * Return: 0 or a negative errno (see the file comment).
 */
int cvmg_tpm_seal(struct cvmg_tpm *tpm, enum cvmg_parent parent, uint32_t pcr_mask,
		  const uint8_t *secret, size_t len, struct cvmg_sealed *out)
{
	return cvmg_tpm_seal_values(tpm, parent, pcr_mask, NULL, secret, len, 0, 0, out);
}

/**
 * cvmg_tpm_seal_values() - seal @secret to given values of the PCRs in @pcr_mask
 * @tpm: the handle
 * @parent: the storage parent (the SRK must exist: cvmg_tpm_ensure_srk())
 * @pcr_mask: PCRs of the SHA-256 bank
 * @values: a value for each PCR in @pcr_mask (e.g. predicted after an update), or
 *          NULL for their current values
 * @secret: the bytes (at most 128)
 * @len: their length
 * @nv_index: 0, or the volume's rollback record (tpm_nv.c): the policy is then
 *            PolicyPCR, then PolicyNV "the record's counter <= @nv_counter"
 * @nv_counter: the token's rotation counter
 * @out: the sealed object, its policy digest and the parent's name
 *
 * With @values, the policy digest is computed twice, in software
 * (cvmg_pcr_policy_digest()) and by a trial session fed the same PCR digest; they
 * must agree (-EIO otherwise), so a marshalling slip can never seal to a policy
 * nothing satisfies.
 *
 * Return: 0 or a negative errno (see the file comment).
 */
int cvmg_tpm_seal_values(struct cvmg_tpm *tpm, enum cvmg_parent parent, uint32_t pcr_mask,
			 const uint8_t values[CVMG_PCR_COUNT][32], const uint8_t *secret,
			 size_t len, uint32_t nv_index, uint64_t nv_counter,
			 struct cvmg_sealed *out)
{
	uint8_t pcr_digest[32], soft[32];
	TPM2B_SENSITIVE_CREATE *sens = NULL;
	TPM2B_PUBLIC tmpl = {};
	TPM2B_DATA outside = {};
	TPML_PCR_SELECTION none = {};
	TPM2B_PRIVATE *priv = NULL;
	TPM2B_PUBLIC *pub = NULL;
	ESYS_TR par = ESYS_TR_NONE, trial = ESYS_TR_NONE, hmac = ESYS_TR_NONE;
	ESYS_TR salt = ESYS_TR_NONE;
	const TPMT_SYM_DEF sym_null = { .algorithm = TPM2_ALG_NULL };
	bool transient = false;
	size_t off = 0;
	TSS2_RC rc;
	int ret;

	memset(out, 0, sizeof(*out));
	if (len > sizeof(sens->sensitive.data.buffer))
		return -EINVAL;
	ret = pcr_check(tpm, pcr_mask);
	if (ret)
		goto out;
	ret = cvmg_tpm_salt_key(tpm, &salt);
	if (ret)
		goto out;
	ret = get_parent(tpm, parent, &par, &transient);
	if (ret)
		goto out;
	ret = parent_name(tpm, par, out->parent_name, &out->parent_name_len);
	if (ret)
		goto out;
	rc = Esys_StartAuthSession(tpm->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
				   ESYS_TR_NONE, ESYS_TR_NONE, NULL, TPM2_SE_TRIAL, &sym_null,
				   TPM2_ALG_SHA256, &trial);
	if (rc) {
		ret = cvmg_tpm_err(tpm, rc);
		goto out;
	}
	if (values) {
		ret = cvmg_pcr_digest(pcr_mask, values, pcr_digest);
		if (!ret)
			ret = cvmg_pcr_policy_digest(pcr_mask, values, soft);
		if (ret)
			goto out;
	}
	ret = policy_pcr(tpm, trial, pcr_mask, values ? pcr_digest : NULL, out->policy);
	if (!ret && tpm->pin_set) {
		out->pin = true;
		ret = policy_auth_value(tpm, trial, out->policy);
		if (!ret && values)
			ret = cvmg_policy_auth_value_extend(soft);
	}
	if (ret)
		goto out;
	if (values && memcmp(soft, out->policy, 32)) {
		cvmg_err("the TPM's PolicyPCR digest for the given PCR values differs from "
			 "cvmguard's own computation; nothing sealed");
		ret = -EIO;
		goto out;
	}
	/* PolicyNV on the rollback record, computed (the record may not exist yet). */
	if (nv_index) {
		memcpy(out->pre_nv, out->policy, 32);
		ret = cvmg_nv_policy_digest(nv_index, nv_counter, out->policy);
		if (ret)
			goto out;
		out->nv_index = nv_index;
		out->nv_counter = nv_counter;
	}

	tmpl.publicArea.type = TPM2_ALG_KEYEDHASH;
	tmpl.publicArea.nameAlg = TPM2_ALG_SHA256;
	tmpl.publicArea.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT;
	tmpl.publicArea.parameters.keyedHashDetail.scheme.scheme = TPM2_ALG_NULL;
	tmpl.publicArea.authPolicy.size = 32;
	memcpy(tmpl.publicArea.authPolicy.buffer, out->policy, 32);

	/* The secret's copy in the command structure: locked like the secret. */
	sens = cvmg_secret_alloc(sizeof(*sens));
	if (!sens) {
		ret = -ENOMEM;
		goto out;
	}
	sens->sensitive.data.size = (UINT16)len;
	memcpy(sens->sensitive.data.buffer, secret, len);
	if (tpm->pin_set) {
		/* systemd's userAuth: the PIN's hash; no noDA, so wrong PINs are counted */
		sens->sensitive.userAuth.size = sizeof(tpm->pin_auth);
		memcpy(sens->sensitive.userAuth.buffer, tpm->pin_auth, sizeof(tpm->pin_auth));
	}

	ret = start_session(tpm, salt, TPM2_SE_HMAC, &hmac);
	if (ret)
		goto out;
	/* hmac authorizes the parent (empty auth) and encrypts inSensitive. */
	rc = Esys_Create(tpm->esys, par, hmac, ESYS_TR_NONE, ESYS_TR_NONE, sens, &tmpl,
			 &outside, &none, &priv, &pub, NULL, NULL, NULL);
	if (rc) {
		ret = cvmg_tpm_err(tpm, rc);
		goto out;
	}
	rc = Tss2_MU_TPM2B_PRIVATE_Marshal(priv, out->blob, sizeof(out->blob), &off);
	if (!rc)
		rc = Tss2_MU_TPM2B_PUBLIC_Marshal(pub, out->blob, sizeof(out->blob), &off);
	if (rc) {
		ret = -EOVERFLOW;
		goto out;
	}
	out->blob_len = off;
out:
	cvmg_secret_free(sens, sizeof(*sens));
	Esys_Free(priv);
	Esys_Free(pub);
	if (hmac != ESYS_TR_NONE)
		Esys_FlushContext(tpm->esys, hmac);
	if (trial != ESYS_TR_NONE)
		Esys_FlushContext(tpm->esys, trial);
	if (transient)
		Esys_FlushContext(tpm->esys, par);
	return ret;
}

/**
 * cvmg_tpm_unseal() - recover a sealed secret
 * @tpm: the handle
 * @parent: the storage parent it was sealed under
 * @pcr_mask: its PCRs (SHA-256 bank)
 * @in: the sealed object; a non-empty parent_name must match the SRK's name now
 * @secret: output, at least 128 bytes, locked by the caller
 * @len: the secret's length
 * @retries: how many PCR_CHANGED races were retried (may be NULL)
 *
 * Return: 0; -EPERM when the PCRs are not what the policy wants (or keep changing);
 * -ESTALE when the TPM refuses @in's PolicyNV (its rollback record is above the
 * token's counter, or gone); -EKEYREJECTED when @in's PolicyNV index and counter
 * do not give its policy (changed by the host); -EBADMSG when the object does not load; -ENOKEY when the SRK is not the one sealed
 * under; -ENOENT when there is no SRK; -CVMG_ESRK when the key at 0x81000001 is not
 * a genuine SRK; -EIO.
 */
int cvmg_tpm_unseal(struct cvmg_tpm *tpm, enum cvmg_parent parent, uint32_t pcr_mask,
		    const struct cvmg_sealed *in, uint8_t *secret, size_t *len,
		    unsigned int *retries)
{
	TPM2B_SENSITIVE_DATA *data = NULL;
	TPM2B_PRIVATE priv = {};
	TPM2B_PUBLIC pub = {};
	ESYS_TR par = ESYS_TR_NONE, obj = ESYS_TR_NONE;
	ESYS_TR pol = ESYS_TR_NONE, salt = ESYS_TR_NONE;
	uint8_t name[CVMG_NAME_MAX], got[32];
	size_t off = 0, name_len;
	bool transient = false;
	unsigned int attempt;
	TSS2_RC rc;
	int ret;

	if (retries)
		*retries = 0;
	if (Tss2_MU_TPM2B_PRIVATE_Unmarshal(in->blob, in->blob_len, &off, &priv) ||
	    Tss2_MU_TPM2B_PUBLIC_Unmarshal(in->blob, in->blob_len, &off, &pub) ||
	    off != in->blob_len)
		return -EBADMSG;
	if (pub.publicArea.authPolicy.size != 32 ||
	    memcmp(pub.publicArea.authPolicy.buffer, in->policy, 32))
		return -EBADMSG;
	if (in->pin && !tpm->pin_set)
		return -ENOKEY;
	/*
	 * The token's PolicyNV fields (index, counter) must give the object's policy
	 * from the digest before them: a counter the host raised past the record would
	 * pass PolicyNV and fail only at Unseal, looking like a PCR change.
	 */
	if (in->nv_index) {
		uint8_t d[32];

		memcpy(d, in->pre_nv, 32);
		if (cvmg_nv_policy_digest(in->nv_index, in->nv_counter, d) || memcmp(d, in->policy, 32))
			return -EKEYREJECTED;
	}
	/* Before anything else: a forged SRK must not see a salt. */
	ret = cvmg_tpm_salt_key(tpm, &salt);
	if (ret)
		goto out;
	ret = get_parent(tpm, parent, &par, &transient);
	if (ret == -EIO && cvmg_tpm_rc_is(tpm->last_rc, TPM2_RC_LOCKOUT))
		ret = -CVMG_ELOCKOUT;
	if (ret)
		goto out;
	/* The token's parent name only refuses (sealed elsewhere); it is never trusted. */
	if (in->parent_name_len) {
		ret = parent_name(tpm, par, name, &name_len);
		if (ret)
			goto out;
		if (name_len != in->parent_name_len || memcmp(name, in->parent_name, name_len)) {
			ret = -ENOKEY;
			goto out;
		}
	}
	/* Nothing secret goes in (inPrivate is the parent's ciphertext): the parent's
	 * empty password authorizes, and no session is spent on it. */
	rc = Esys_Load(tpm->esys, par, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &priv, &pub,
		       &obj);
	if (rc) {
		tpm->last_rc = rc;
		ret = rc & ~(TSS2_RC)0xfff ? -EIO : -EBADMSG;
		/* systemd's primary has no noDA: in lockout, even loading under it fails */
		if (cvmg_tpm_rc_is(rc, TPM2_RC_LOCKOUT))
			ret = -CVMG_ELOCKOUT;
		goto out;
	}
	if (in->pin) {
		TPM2B_AUTH auth = { .size = sizeof(tpm->pin_auth) };

		memcpy(auth.buffer, tpm->pin_auth, sizeof(tpm->pin_auth));
		rc = Esys_TR_SetAuth(tpm->esys, obj, &auth);
		explicit_bzero(&auth, sizeof(auth));
		if (rc) {
			ret = cvmg_tpm_err(tpm, rc);
			goto out;
		}
	}
	for (attempt = 0;; attempt++) {
		ret = start_session(tpm, salt, TPM2_SE_POLICY, &pol);
		if (ret)
			goto out;
		/* The salted policy session also encrypts the response (the secret). */
		rc = Esys_TRSess_SetAttributes(tpm->esys, pol, TPMA_SESSION_ENCRYPT,
					       TPMA_SESSION_ENCRYPT);
		if (rc) {
			ret = cvmg_tpm_err(tpm, rc);
			goto out;
		}
		/* PCRs other than sealed to make Unseal fail with POLICY_FAIL: exit 2 too. */
		ret = policy_pcr(tpm, pol, pcr_mask, NULL, NULL);
		if (!ret && in->pin)
			ret = policy_auth_value(tpm, pol, got);
		if (ret)
			goto out;
		/*
		 * With a PIN, Unseal checks the authValue and counts a wrong one against the
		 * DA limit: go there only with a session that satisfies the policy (the PCRs
		 * as sealed, the token's PIN flag the object's own) up to PolicyNV, which
		 * comes last (PolicyPCR, PolicyAuthValue, PolicyNV).
		 */
		if (in->pin && memcmp(got, in->nv_index ? in->pre_nv : in->policy, 32)) {
			ret = -EPERM;
			goto out;
		}
		/* A rollback record's counter above the token's: the TPM refuses (-ESTALE). */
		if (in->nv_index) {
			ret = cvmg_nv_policy(tpm, pol, in->nv_index, in->nv_counter);
			if (ret)
				goto out;
		}
		rc = Esys_Unseal(tpm->esys, obj, pol, ESYS_TR_NONE, ESYS_TR_NONE, &data);
		Esys_FlushContext(tpm->esys, pol);
		pol = ESYS_TR_NONE;
		if (!rc)
			break;
		tpm->last_rc = rc;
		if (cvmg_tpm_rc_is(rc, TPM2_RC_PCR_CHANGED) && attempt + 1 < CVMG_UNSEAL_RETRIES) {
			if (retries)
				(*retries)++;
			continue;
		}
		if (cvmg_tpm_rc_is(rc, TPM2_RC_AUTH_FAIL) || cvmg_tpm_rc_is(rc, TPM2_RC_BAD_AUTH))
			ret = -CVMG_EBADPIN;
		else if (cvmg_tpm_rc_is(rc, TPM2_RC_LOCKOUT))
			ret = -CVMG_ELOCKOUT;
		else
			ret = cvmg_tpm_rc_is(rc, TPM2_RC_PCR_CHANGED) || cvmg_tpm_rc_is(rc, TPM2_RC_POLICY_FAIL) ? -EPERM : -EIO;
		goto out;
	}
	memcpy(secret, data->buffer, data->size);
	*len = data->size;
out:
	if (data) {
		explicit_bzero(data, sizeof(*data));
		Esys_Free(data);
	}
	explicit_bzero(&priv, sizeof(priv));
	if (pol != ESYS_TR_NONE)
		Esys_FlushContext(tpm->esys, pol);
	if (obj != ESYS_TR_NONE)
		Esys_FlushContext(tpm->esys, obj);
	if (transient)
		Esys_FlushContext(tpm->esys, par);
	return ret;
}
