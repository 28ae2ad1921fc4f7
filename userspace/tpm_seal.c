// SPDX-License-Identifier: GPL-2.0-only
/*
 * The TPM side of disk keys, through tpm2-tss's ESAPI.
 *
 * Seal: the secret is the sensitive data of a KEYEDHASH object whose only
 * authorization is a PolicyPCR digest (no userWithAuth), created under a storage
 * parent over a session salted with that parent, with command parameter encryption,
 * so the secret is never on the bus in clear.
 *
 * Unseal: load the object, start a salted HMAC session (response encryption) and a
 * salted policy session, PolicyPCR, compare the policy digest with the one sealed,
 * Unseal. A PCR extended between PolicyPCR and Unseal makes the TPM answer
 * TPM_RC_PCR_CHANGED; that is retried a bounded number of times.
 *
 * Parents: the persistent SRK at 0x81000001, made once with the TCG template (so
 * unlocking never pays for CreatePrimary), or, for systemd-tpm2 tokens, the primary
 * that systemd 252 recreates on every use from its own template.
 *
 * Errors: -ENODEV no TPM; -EPERM the PCR policy does not match (the TPM refused);
 * -EBADMSG the sealed object does not load (damaged, or another TPM/parent);
 * -EIO any other TPM failure (cvmg_tpm_last_rc() has the code).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_tctildr.h>

#include "secret.h"
#include "tpm_esys.h"
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

/*
 * The TCG storage root key template (TCG TPM v2.0 Provisioning Guidance, 7.5.1,
 * ECC NIST P-256): what tpm2_createprimary -G ecc and systemd >= 254 make at
 * 0x81000001.
 */
static const TPM2B_PUBLIC srk_template = {
	.publicArea = {
		.type = TPM2_ALG_ECC,
		.nameAlg = TPM2_ALG_SHA256,
		.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
				    TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
				    TPMA_OBJECT_NODA | TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT,
		.parameters.eccDetail = {
			.symmetric = { .algorithm = TPM2_ALG_AES, .keyBits.aes = 128,
				       .mode.aes = TPM2_ALG_CFB },
			.scheme.scheme = TPM2_ALG_NULL,
			.curveID = TPM2_ECC_NIST_P256,
			.kdf.scheme = TPM2_ALG_NULL,
		},
	},
};

/*
 * systemd 252's primary (src/shared/tpm2-util.c, tpm2_make_primary()): the same
 * shape without noDA, created afresh for every seal and unseal.
 */
#define SYSTEMD_PRIMARY_ATTRS (TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT | \
			       TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | \
			       TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH)
static const TPM2B_PUBLIC systemd_ecc_template = {
	.publicArea = {
		.type = TPM2_ALG_ECC,
		.nameAlg = TPM2_ALG_SHA256,
		.objectAttributes = SYSTEMD_PRIMARY_ATTRS,
		.parameters.eccDetail = {
			.symmetric = { .algorithm = TPM2_ALG_AES, .keyBits.aes = 128,
				       .mode.aes = TPM2_ALG_CFB },
			.scheme.scheme = TPM2_ALG_NULL,
			.curveID = TPM2_ECC_NIST_P256,
			.kdf.scheme = TPM2_ALG_NULL,
		},
	},
};
static const TPM2B_PUBLIC systemd_rsa_template = {
	.publicArea = {
		.type = TPM2_ALG_RSA,
		.nameAlg = TPM2_ALG_SHA256,
		.objectAttributes = SYSTEMD_PRIMARY_ATTRS,
		.parameters.rsaDetail = {
			.symmetric = { .algorithm = TPM2_ALG_AES, .keyBits.aes = 128,
				       .mode.aes = TPM2_ALG_CFB },
			.scheme.scheme = TPM2_ALG_NULL,
			.keyBits = 2048,
		},
	},
};

/**
 * cvmg_tpm_open() - connect to the TPM
 * @tpm: the handle, for cvmg_tpm_close()
 *
 * The TCTI is $CVMGUARD_TCTI (e.g. "swtpm:path=/tmp/s") or the kernel's resource
 * manager, device:/dev/tpmrm0.
 *
 * Return: 0, -ENODEV when there is no TPM, -ENOMEM.
 */
int cvmg_tpm_open(struct cvmg_tpm **tpm)
{
	const char *conf = getenv("CVMGUARD_TCTI");
	struct cvmg_tpm *t;
	int ret = 0;

	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	if (!conf || !*conf)
		conf = "device:/dev/tpmrm0";
	/* tpm2-tss logs to stderr by itself; errors are ours to explain. */
	setenv("TSS2_LOG", "all+none", 0);
	t->last_rc = Tss2_TctiLdr_Initialize(conf, &t->tcti);
	if (t->last_rc) {
		ret = -ENODEV;
		goto out;
	}
	t->last_rc = Esys_Initialize(&t->esys, t->tcti, NULL);
	if (t->last_rc)
		ret = -ENODEV;
out:
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
	if (tpm->esys)
		Esys_Finalize(&tpm->esys);
	if (tpm->tcti)
		Tss2_TctiLdr_Finalize(&tpm->tcti);
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
 * cvmg_pcr_parse() - "7" or "0,2,7" or "7+11" to a mask of PCRs 0..23
 * @list: the list
 * @mask: the result (bit n = PCR n)
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

static int tss_err(struct cvmg_tpm *t, TSS2_RC rc)
{
	t->last_rc = rc;
	return -EIO;
}

/* The storage parent: the persistent SRK, or systemd's primary made now. */
static int get_parent(struct cvmg_tpm *t, enum cvmg_parent parent, ESYS_TR *obj, bool *transient)
{
	const TPM2B_PUBLIC *tmpl;
	TPM2B_SENSITIVE_CREATE sens = {};
	TPM2B_DATA outside = {};
	TPML_PCR_SELECTION none = {};
	TSS2_RC rc;

	*transient = false;
	if (parent == CVMG_PARENT_SRK) {
		rc = Esys_TR_FromTPMPublic(t->esys, CVMG_SRK_HANDLE, ESYS_TR_NONE, ESYS_TR_NONE,
					   ESYS_TR_NONE, obj);
		if (cvmg_tpm_rc_is(rc, TPM2_RC_HANDLE)) {
			t->last_rc = rc;
			return -ENOENT;
		}
		return rc ? tss_err(t, rc) : 0;
	}
	tmpl = parent == CVMG_PARENT_SYSTEMD_RSA ? &systemd_rsa_template : &systemd_ecc_template;
	rc = Esys_CreatePrimary(t->esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE,
				ESYS_TR_NONE, &sens, tmpl, &outside, &none, obj, NULL, NULL,
				NULL, NULL);
	if (rc)
		return tss_err(t, rc);
	*transient = true;
	return 0;
}

/**
 * cvmg_tpm_ensure_srk() - make the SRK at 0x81000001 unless one is there
 * @tpm: the handle
 * @created: set when this call made it
 *
 * An object already at the handle is used as it is (a platform may have provisioned
 * an RSA SRK), provided it is a restricted decryption key.
 *
 * Return: 0, -ENOTSUP when the handle holds something else, -EIO.
 */
int cvmg_tpm_ensure_srk(struct cvmg_tpm *tpm, bool *created)
{
	TPM2B_SENSITIVE_CREATE sens = {};
	TPM2B_DATA outside = {};
	TPML_PCR_SELECTION none = {};
	TPM2B_PUBLIC *pub = NULL;
	ESYS_TR srk = ESYS_TR_NONE, prim = ESYS_TR_NONE;
	bool transient;
	TSS2_RC rc;
	int ret;

	*created = false;
	ret = get_parent(tpm, CVMG_PARENT_SRK, &srk, &transient);
	if (ret == -ENOENT) {
		rc = Esys_CreatePrimary(tpm->esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD,
					ESYS_TR_NONE, ESYS_TR_NONE, &sens, &srk_template,
					&outside, &none, &prim, NULL, NULL, NULL, NULL);
		if (rc) {
			ret = tss_err(tpm, rc);
			goto out;
		}
		rc = Esys_EvictControl(tpm->esys, ESYS_TR_RH_OWNER, prim, ESYS_TR_PASSWORD,
				       ESYS_TR_NONE, ESYS_TR_NONE, CVMG_SRK_HANDLE, &srk);
		if (rc == TSS2_RC_SUCCESS)
			*created = true;
		/* Lost a race with another enroll: use theirs. */
		ret = get_parent(tpm, CVMG_PARENT_SRK, &srk, &transient);
		if (ret)
			goto out;
	} else if (ret) {
		goto out;
	}
	rc = Esys_ReadPublic(tpm->esys, srk, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &pub,
			     NULL, NULL);
	if (rc) {
		ret = tss_err(tpm, rc);
		goto out;
	}
	if ((pub->publicArea.objectAttributes &
	     (TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT | TPMA_OBJECT_SIGN_ENCRYPT)) !=
	    (TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT))
		ret = -ENOTSUP;
out:
	Esys_Free(pub);
	if (prim != ESYS_TR_NONE)
		Esys_FlushContext(tpm->esys, prim);
	return ret;
}

/* A session salted with @parent: HMAC with parameter encryption, or policy. */
static int start_session(struct cvmg_tpm *t, ESYS_TR parent, TPM2_SE type, ESYS_TR *sess)
{
	TSS2_RC rc;

	rc = Esys_StartAuthSession(t->esys, parent, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
				   ESYS_TR_NONE, NULL, type, &sym_aes128cfb, TPM2_ALG_SHA256,
				   sess);
	if (rc)
		return tss_err(t, rc);
	if (type == TPM2_SE_HMAC) {
		rc = Esys_TRSess_SetAttributes(t->esys, *sess,
					       TPMA_SESSION_DECRYPT | TPMA_SESSION_ENCRYPT |
					       TPMA_SESSION_CONTINUESESSION, 0xff);
		if (rc)
			return tss_err(t, rc);
	}
	return 0;
}

/* PolicyPCR over the current values into @sess, and the digest it gives. */
static int policy_pcr(struct cvmg_tpm *t, ESYS_TR sess, uint32_t mask, uint8_t digest[32])
{
	TPML_PCR_SELECTION sel;
	TPM2B_DIGEST empty = {};
	TPM2B_DIGEST *d = NULL;
	TSS2_RC rc;
	int ret = 0;

	pcr_selection(mask, &sel);
	rc = Esys_PolicyPCR(t->esys, sess, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &empty, &sel);
	if (rc) {
		ret = tss_err(t, rc);
		goto out;
	}
	rc = Esys_PolicyGetDigest(t->esys, sess, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &d);
	if (rc) {
		ret = tss_err(t, rc);
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

static int parent_name(struct cvmg_tpm *t, ESYS_TR parent, uint8_t *name, size_t *len)
{
	TPM2B_NAME *n = NULL;
	TSS2_RC rc;

	rc = Esys_TR_GetName(t->esys, parent, &n);
	if (rc)
		return tss_err(t, rc);
	if (n->size > CVMG_NAME_MAX) {
		Esys_Free(n);
		return -EOVERFLOW;
	}
	memcpy(name, n->name, n->size);
	*len = n->size;
	Esys_Free(n);
	return 0;
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
	TPM2B_SENSITIVE_CREATE *sens = NULL;
	TPM2B_PUBLIC tmpl = {};
	TPM2B_DATA outside = {};
	TPML_PCR_SELECTION none = {};
	TPM2B_PRIVATE *priv = NULL;
	TPM2B_PUBLIC *pub = NULL;
	ESYS_TR par = ESYS_TR_NONE, trial = ESYS_TR_NONE, hmac = ESYS_TR_NONE;
	const TPMT_SYM_DEF sym_null = { .algorithm = TPM2_ALG_NULL };
	bool transient = false;
	size_t off = 0;
	TSS2_RC rc;
	int ret;

	memset(out, 0, sizeof(*out));
	if (len > sizeof(sens->sensitive.data.buffer))
		return -EINVAL;
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
		ret = tss_err(tpm, rc);
		goto out;
	}
	ret = policy_pcr(tpm, trial, pcr_mask, out->policy);
	if (ret)
		goto out;

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

	ret = start_session(tpm, par, TPM2_SE_HMAC, &hmac);
	if (ret)
		goto out;
	/* hmac authorizes the parent (empty auth) and encrypts inSensitive. */
	rc = Esys_Create(tpm->esys, par, hmac, ESYS_TR_NONE, ESYS_TR_NONE, sens, &tmpl,
			 &outside, &none, &priv, &pub, NULL, NULL, NULL);
	if (rc) {
		ret = tss_err(tpm, rc);
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
 * -EBADMSG when the object does not load; -ENOKEY when the SRK is not the one sealed
 * under; -ENOENT when there is no SRK; -EIO.
 */
int cvmg_tpm_unseal(struct cvmg_tpm *tpm, enum cvmg_parent parent, uint32_t pcr_mask,
		    const struct cvmg_sealed *in, uint8_t *secret, size_t *len,
		    unsigned int *retries)
{
	TPM2B_SENSITIVE_DATA *data = NULL;
	TPM2B_PRIVATE priv = {};
	TPM2B_PUBLIC pub = {};
	ESYS_TR par = ESYS_TR_NONE, obj = ESYS_TR_NONE, hmac = ESYS_TR_NONE;
	ESYS_TR pol = ESYS_TR_NONE;
	uint8_t name[CVMG_NAME_MAX], digest[32];
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
	ret = get_parent(tpm, parent, &par, &transient);
	if (ret)
		goto out;
	if (in->parent_name_len) {
		ret = parent_name(tpm, par, name, &name_len);
		if (ret)
			goto out;
		if (name_len != in->parent_name_len || memcmp(name, in->parent_name, name_len)) {
			ret = -ENOKEY;
			goto out;
		}
	}
	ret = start_session(tpm, par, TPM2_SE_HMAC, &hmac);
	if (ret)
		goto out;
	rc = Esys_Load(tpm->esys, par, hmac, ESYS_TR_NONE, ESYS_TR_NONE, &priv, &pub, &obj);
	if (rc) {
		tpm->last_rc = rc;
		ret = rc & ~(TSS2_RC)0xfff ? -EIO : -EBADMSG;
		goto out;
	}
	for (attempt = 0;; attempt++) {
		ret = start_session(tpm, par, TPM2_SE_POLICY, &pol);
		if (ret)
			goto out;
		ret = policy_pcr(tpm, pol, pcr_mask, digest);
		if (ret)
			goto out;
		if (memcmp(digest, in->policy, 32)) {
			ret = -EPERM;
			goto out;
		}
		/* pol authorizes; hmac encrypts the response (the secret). */
		rc = Esys_Unseal(tpm->esys, obj, pol, hmac, ESYS_TR_NONE, &data);
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
	if (hmac != ESYS_TR_NONE)
		Esys_FlushContext(tpm->esys, hmac);
	if (transient)
		Esys_FlushContext(tpm->esys, par);
	return ret;
}
