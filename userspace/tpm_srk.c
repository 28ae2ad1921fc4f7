// SPDX-License-Identifier: GPL-2.0-only
/*
 * The storage root key at 0x81000001: made once, and verified before any use.
 *
 * A key there is this TPM's SRK when it has the attributes of a storage primary
 * (restricted, decrypt, fixedTPM, fixedParent, sensitiveDataOrigin, userWithAuth,
 * noDA; not sign, not encryptedDuplication), AES-128-CFB as its symmetric scheme, and
 * the name the TCG template yields under this TPM's owner seed. That name is learnt
 * by a CreatePrimary at enroll, and whenever no trusted name is recorded, and is
 * recorded in $CVMGUARD_STATE_DIR/srk.name (default /var/lib/cvmguard, on the root
 * filesystem: trusted only as far as that is, see Documentation/threat-model.rst).
 * Unlock with a recorded name only compares, so its fast path never pays for a
 * CreatePrimary. The parent name a token carries comes from the disk and is never
 * used to decide what to trust.
 *
 * Why it matters: every session is salted with this key. A key whose private part
 * someone else holds (imported, not fixedTPM) would let them decrypt the salt, and
 * with it the sessions' parameter encryption (the sealed secret on its way out);
 * such a key is refused, -CVMG_ESRK, before any session starts.
 *
 * A platform SRK made with another template (a non-empty unique field, other
 * symmetric parameters) is refused too: fail closed; evict it and enroll again.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tss2/tss2_esys.h>

#include "cvmguard.h"
#include "tpm_esys.h"
#include "tpm_seal.h"

/**
 * cvmg_primary_template() - the TCG storage key template (TCG TPM v2.0 Provisioning
 * Guidance, 7.5.1): ECC NIST P-256 or RSA 2048, AES-128-CFB, restricted decrypt
 * @type: TPM2_ALG_ECC or TPM2_ALG_RSA
 * @noda: with noDA: the SRK tpm2_createprimary -G ecc and systemd >= 254 make at
 *        0x81000001; without: systemd 252's primary (src/shared/tpm2-util.c,
 *        tpm2_make_primary()), created afresh for every seal and unseal
 * @out: receives the template
 */
void cvmg_primary_template(TPMI_ALG_PUBLIC type, bool noda, TPM2B_PUBLIC *out)
{
	static const TPM2B_PUBLIC ecc = {
		.publicArea = {
			.type = TPM2_ALG_ECC,
			.nameAlg = TPM2_ALG_SHA256,
			.objectAttributes = CVMG_PRIMARY_ATTRS,
			.parameters.eccDetail = {
				.symmetric = { .algorithm = TPM2_ALG_AES, .keyBits.aes = 128,
					       .mode.aes = TPM2_ALG_CFB },
				.scheme.scheme = TPM2_ALG_NULL,
				.curveID = TPM2_ECC_NIST_P256,
				.kdf.scheme = TPM2_ALG_NULL,
			},
		},
	};
	static const TPM2B_PUBLIC rsa = {
		.publicArea = {
			.type = TPM2_ALG_RSA,
			.nameAlg = TPM2_ALG_SHA256,
			.objectAttributes = CVMG_PRIMARY_ATTRS,
			.parameters.rsaDetail = {
				.symmetric = { .algorithm = TPM2_ALG_AES, .keyBits.aes = 128,
					       .mode.aes = TPM2_ALG_CFB },
				.scheme.scheme = TPM2_ALG_NULL,
				.keyBits = 2048,
			},
		},
	};

	*out = type == TPM2_ALG_RSA ? rsa : ecc;
	if (noda)
		out->publicArea.objectAttributes |= TPMA_OBJECT_NODA;
}

/* What a storage root key must have, and must not. */
#define SRK_ATTRS (CVMG_PRIMARY_ATTRS | TPMA_OBJECT_NODA)
#define SRK_ATTRS_NOT (TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_ENCRYPTEDDUPLICATION)


/* $CVMGUARD_STATE_DIR/srk.name, or the default's. */
static void srk_name_path(char *path, size_t len)
{
	const char *dir = getenv("CVMGUARD_STATE_DIR");

	if (!dir || !*dir)
		dir = CVMG_STATE_DIR;
	snprintf(path, len, "%s/srk.name", dir);
}

/* The recorded name, hex on one line. Return 0, -ENOENT, or -EINVAL when unreadable. */
static int srk_name_load(uint8_t *name, size_t *len)
{
	char path[4096], hex[2 * CVMG_NAME_MAX + 2];
	size_t n;
	FILE *f;

	srk_name_path(path, sizeof(path));
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -ENOENT : -EINVAL;
	n = fread(hex, 1, sizeof(hex) - 1, f);
	fclose(f);
	hex[n] = '\0';
	if (n && hex[n - 1] == '\n')
		hex[--n] = '\0';
	if (cvmg_hex_decode(hex, name, CVMG_NAME_MAX, len) || *len < 4)
		return -EINVAL;
	return 0;
}

/* Record @name (best effort: a read-only root only costs the next run a CreatePrimary). */
static void srk_name_store(const uint8_t *name, size_t len)
{
	char path[4096], tmp[4200], hex[2 * CVMG_NAME_MAX + 1];
	FILE *f;

	srk_name_path(path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.%d", path, (int)getpid());
	cvmg_hex_encode(name, len, hex);
	f = fopen(tmp, "we");
	if (!f) {
		cvmg_dbg("cannot record the SRK's name in %s: %s", path, strerror(errno));
		return;
	}
	if (fprintf(f, "%s\n", hex) < 0 || fflush(f) || fsync(fileno(f))) {
		fclose(f);
		unlink(tmp);
		return;
	}
	fclose(f);
	if (rename(tmp, path))
		unlink(tmp);
}

/*
 * The name the TCG template of @type yields under this TPM's owner seed: a
 * CreatePrimary (seconds under emulation), made only when nothing is recorded.
 */
static int srk_template_name(struct cvmg_tpm *t, TPMI_ALG_PUBLIC type, uint8_t *name,
			     size_t *len)
{
	TPM2B_SENSITIVE_CREATE sens = {};
	TPM2B_PUBLIC tmpl;
	TPM2B_DATA outside = {};
	TPML_PCR_SELECTION none = {};
	TPM2B_NAME *n = NULL;
	ESYS_TR prim = ESYS_TR_NONE;
	TSS2_RC rc;
	int ret = 0;

	cvmg_primary_template(type, true, &tmpl);
	rc = Esys_CreatePrimary(t->esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE,
				ESYS_TR_NONE, &sens, &tmpl, &outside, &none, &prim, NULL, NULL,
				NULL, NULL);
	if (rc)
		return cvmg_tpm_err(t, rc);
	rc = Esys_TR_GetName(t->esys, prim, &n);
	if (rc) {
		ret = cvmg_tpm_err(t, rc);
	} else if (n->size > CVMG_NAME_MAX) {
		ret = -EOVERFLOW;
	} else {
		memcpy(name, n->name, n->size);
		*len = n->size;
	}
	Esys_Free(n);
	Esys_FlushContext(t->esys, prim);
	return ret;
}

/**
 * cvmg_tpm_srk_verify() - open 0x81000001 and decide whether it is this TPM's SRK: the attributes of a
 * storage primary, and the name the template gives (@relearn: always ask the TPM
 * with a CreatePrimary, as enroll does; otherwise compare with the recorded name, or
 * learn it when none is recorded). The verdict is kept in @t for the process.
 *
 * Return: 0; -ENOENT nothing at the handle; -CVMG_ESRK not a genuine SRK; -EIO.
 */
int cvmg_tpm_srk_verify(struct cvmg_tpm *t, bool relearn)
{
	uint8_t want[CVMG_NAME_MAX];
	size_t want_len = 0;
	TPM2B_PUBLIC *pub = NULL;
	TPM2B_NAME *n = NULL;
	TPMA_OBJECT attrs;
	TPMT_SYM_DEF_OBJECT *sym;
	ESYS_TR srk = ESYS_TR_NONE;
	TSS2_RC rc;
	int ret;

	if (t->srk_ok && !relearn)
		return 0;
	if (t->srk != ESYS_TR_NONE) {
		Esys_TR_Close(t->esys, &t->srk);
		t->srk = ESYS_TR_NONE;
	}
	t->srk_ok = false;
	rc = Esys_TR_FromTPMPublic(t->esys, CVMG_SRK_HANDLE, ESYS_TR_NONE, ESYS_TR_NONE,
				   ESYS_TR_NONE, &srk);
	if (cvmg_tpm_rc_is(rc, TPM2_RC_HANDLE)) {
		t->last_rc = rc;
		return -ENOENT;
	}
	if (rc)
		return cvmg_tpm_err(t, rc);
	/*
	 * The fast path: the name (a digest of the whole public area, attributes
	 * included) equals the recorded one, which was recorded only after the checks
	 * below: no other command. Anything else gets them all, for the message.
	 */
	if (!relearn && !srk_name_load(want, &want_len)) {
		rc = Esys_TR_GetName(t->esys, srk, &n);
		if (rc) {
			ret = cvmg_tpm_err(t, rc);
			goto out;
		}
		if (n->size == want_len && !memcmp(n->name, want, want_len))
			goto trusted;
		Esys_Free(n);
		n = NULL;
	}
	rc = Esys_ReadPublic(t->esys, srk, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &pub,
			     &n, NULL);
	if (rc) {
		ret = cvmg_tpm_err(t, rc);
		goto out;
	}
	ret = -CVMG_ESRK;
	attrs = pub->publicArea.objectAttributes;
	if ((attrs & SRK_ATTRS) != SRK_ATTRS || (attrs & SRK_ATTRS_NOT)) {
		cvmg_err("the key at 0x%08x is not a storage root key: attributes 0x%08x, want "
			 "restricted|decrypt|fixedTPM|fixedParent|sensitiveDataOrigin|userWithAuth|noDA "
			 "(0x%08x)", CVMG_SRK_HANDLE, (unsigned int)attrs, (unsigned int)SRK_ATTRS);
		goto out;
	}
	if (pub->publicArea.type == TPM2_ALG_ECC)
		sym = &pub->publicArea.parameters.eccDetail.symmetric;
	else if (pub->publicArea.type == TPM2_ALG_RSA)
		sym = &pub->publicArea.parameters.rsaDetail.symmetric;
	else
		sym = NULL;
	if (!sym || sym->algorithm != TPM2_ALG_AES || sym->keyBits.aes != 128 ||
	    sym->mode.aes != TPM2_ALG_CFB || pub->publicArea.nameAlg != TPM2_ALG_SHA256) {
		cvmg_err("the key at 0x%08x is not an SRK of the TCG template (type 0x%x)",
			 CVMG_SRK_HANDLE, pub->publicArea.type);
		goto out;
	}
	if (n->size < 4 || n->size > CVMG_NAME_MAX) {
		ret = -EIO;
		goto out;
	}
	if (!relearn && !srk_name_load(want, &want_len)) {
		if (want_len != n->size || memcmp(want, n->name, want_len)) {
			char path[4096];

			srk_name_path(path, sizeof(path));
			cvmg_err("the key at 0x%08x is not the SRK whose name is recorded in %s "
				 "(replaced, or the TPM was cleared: 'cvmguard enroll' learns it again)",
				 CVMG_SRK_HANDLE, path);
			goto out;
		}
	} else {
		ret = srk_template_name(t, pub->publicArea.type, want, &want_len);
		if (ret)
			goto out;
		ret = -CVMG_ESRK;
		if (want_len != n->size || memcmp(want, n->name, want_len)) {
			cvmg_err("the key at 0x%08x is not the one the SRK template yields on this "
				 "TPM (not its storage root key: another key was put there)",
				 CVMG_SRK_HANDLE);
			goto out;
		}
		srk_name_store(want, want_len);
	}
trusted:
	if (n->size > sizeof(t->srk_name)) {
		ret = -EIO;
		goto out;
	}
	memcpy(t->srk_name, n->name, n->size);
	t->srk_name_len = n->size;
	t->srk = srk;
	srk = ESYS_TR_NONE;
	t->srk_ok = true;
	ret = 0;
out:
	if (srk != ESYS_TR_NONE)
		Esys_TR_Close(t->esys, &srk);
	Esys_Free(pub);
	Esys_Free(n);
	return ret;
}

/**
 * cvmg_tpm_ensure_srk() - make the SRK at 0x81000001 unless one is there, and verify it
 * @tpm: the handle
 * @created: set when this call made it
 *
 * An object already at the handle is used only when it is a storage primary of the
 * TCG template (ECC P-256, or RSA 2048 where a platform provisioned that) under this
 * TPM's owner seed: checked with a CreatePrimary, whose name is then recorded for
 * unlock (see cvmg_tpm_srk_verify()).
 *
 * Return: 0, -CVMG_ESRK when the handle holds anything else, -EIO.
 */
int cvmg_tpm_ensure_srk(struct cvmg_tpm *tpm, bool *created)
{
	TPM2B_SENSITIVE_CREATE sens = {};
	TPM2B_PUBLIC tmpl;
	TPM2B_DATA outside = {};
	TPML_PCR_SELECTION none = {};
	ESYS_TR srk = ESYS_TR_NONE, prim = ESYS_TR_NONE;
	TSS2_RC rc;
	int ret;

	*created = false;
	ret = cvmg_tpm_srk_verify(tpm, true);
	if (ret != -ENOENT)
		return ret;
	cvmg_primary_template(TPM2_ALG_ECC, true, &tmpl);
	rc = Esys_CreatePrimary(tpm->esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE,
				ESYS_TR_NONE, &sens, &tmpl, &outside, &none, &prim,
				NULL, NULL, NULL, NULL);
	if (rc)
		return cvmg_tpm_err(tpm, rc);
	rc = Esys_EvictControl(tpm->esys, ESYS_TR_RH_OWNER, prim, ESYS_TR_PASSWORD,
			       ESYS_TR_NONE, ESYS_TR_NONE, CVMG_SRK_HANDLE, &srk);
	if (rc == TSS2_RC_SUCCESS) {
		*created = true;
		Esys_TR_Close(tpm->esys, &srk);
	}
	Esys_FlushContext(tpm->esys, prim);
	/* Ours, or theirs if another enroll won the race: verified the same way. */
	return cvmg_tpm_srk_verify(tpm, true);
}

/**
 * cvmg_tpm_salt_key() - the verified SRK, to salt every session with
 * @t: the handle
 * @key: the SRK's ESYS handle (owned by @t)
 *
 * The SRK is made first when there is none: systemd tokens need it to salt too.
 *
 * Return: 0, -CVMG_ESRK, -EIO.
 */
int cvmg_tpm_salt_key(struct cvmg_tpm *t, ESYS_TR *key)
{
	bool created;
	int ret;

	ret = cvmg_tpm_srk_verify(t, false);
	if (ret == -ENOENT)
		ret = cvmg_tpm_ensure_srk(t, &created);
	if (!ret)
		*key = t->srk;
	return ret;
}
