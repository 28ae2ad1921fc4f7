// SPDX-License-Identifier: GPL-2.0-only
/*
 * LUKS2 volumes whose key is sealed to the TPM, through libcryptsetup's documented
 * sequences (crypt_init -> crypt_load/crypt_format -> ... -> crypt_free).
 *
 * The volume key is random (512 bits, aes-xts-plain64). One keyslot's passphrase is
 * base64 of a 32-byte random secret; being full-entropy, it gets PBKDF2 at the
 * minimum iteration count rather than a memory-hard KDF. The secret is sealed twice,
 * to the same PCR policy: under the SRK at 0x81000001 into a "cvmguard" token (the
 * fast path), and under systemd 252's primary into a "systemd-tpm2" token, so that
 * systemd-cryptsetup opens the volume too. Both tokens name the same keyslot.
 *
 * Nothing is written to a device before every TPM operation has succeeded, and a
 * device that holds data is written only with --format.
 *
 * Errors: -EEXIST the device holds data; -EBUSY in use, or the mapping exists;
 * -ENXIO no such device; -ENODEV no TPM; -ENOENT no token of ours; -EBADMSG damaged
 * token; -EPERM the TPM refused (PCR policy); -ENOKEY this TPM cannot open the token
 * (no SRK, or another SRK: cleared TPM, other machine); -ENOTSUP a token we cannot
 * use; -EACCES wrong passphrase (key file); -EIO other TPM failures.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <blkid/blkid.h>
#include <json-c/json.h>
#include <libcryptsetup.h>
#include <openssl/evp.h>

#include "cvmguard.h"
#include "luks_token.h"
#include "secret.h"
#include "tpm_seal.h"
#include "volume.h"

#define BLANK_CHECK_LEN (1u << 20)

/* The TSS code behind the last -EIO from the TPM, for the caller's message. */
static uint32_t last_tpm_rc;

/**
 * cvmg_volume_last_tpm_rc() - the TPM/TSS return code behind the last TPM failure
 */
uint32_t cvmg_volume_last_tpm_rc(void)
{
	return last_tpm_rc;
}
#define VOLUME_KEY_BYTES 64
#define PBKDF2_MIN_ITERATIONS 1000 /* libcryptsetup's floor */

static void helper_crypt_log(int level, const char *msg, void *usrptr)
{
	size_t n = strlen(msg);

	(void)usrptr;
	if (n && msg[n - 1] == '\n')
		n--;
	if (level == CRYPT_LOG_ERROR)
		cvmg_dbg("libcryptsetup: error: %.*s", (int)n, msg);
	else
		cvmg_dbg("libcryptsetup: %.*s", (int)n, msg);
}

/**
 * cvmg_crypt_log_to_helper() - route libcryptsetup's messages to the helper's logger
 *
 * Its errors are explained by the caller in cvmguard's own words; the library's own
 * text shows with -v.
 */
void cvmg_crypt_log_to_helper(void)
{
	crypt_set_log_callback(NULL, helper_crypt_log, NULL);
	if (cvmg_verbose > 1)
		crypt_set_debug_level(CRYPT_DEBUG_ALL);
}

/**
 * cvmg_volume_is_blank() - whether a device may be formatted without --format
 * @device: the path
 * @blank: true when its first MiB is all zero and blkid finds no filesystem,
 *         RAID member, LUKS header or partition table anywhere on it
 *
 * Return: 0, -ENXIO when it cannot be opened, -EIO.
 */
int cvmg_volume_is_blank(const char *device, bool *blank)
{
	blkid_probe pr = NULL;
	uint8_t *buf = NULL;
	size_t off = 0;
	int fd, ret = 0, rc;

	*blank = false;
	fd = open(device, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ENXIO : -errno;
	buf = malloc(BLANK_CHECK_LEN);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	while (off < BLANK_CHECK_LEN) {
		ssize_t n = pread(fd, buf + off, BLANK_CHECK_LEN - off, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -EIO;
			goto out;
		}
		if (n == 0)
			break;
		off += (size_t)n;
	}
	if (off && (buf[0] || memcmp(buf, buf + 1, off - 1)))
		goto out; /* data in the first MiB */
	pr = blkid_new_probe();
	if (!pr || blkid_probe_set_device(pr, fd, 0, 0)) {
		ret = -EIO;
		goto out;
	}
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_enable_partitions(pr, 1);
	rc = blkid_do_fullprobe(pr);
	if (rc < 0) {
		/* Ambivalent results (-2) mean signatures were found. */
		if (rc != -2)
			ret = -EIO;
		goto out;
	}
	*blank = rc == 1;
out:
	if (pr)
		blkid_free_probe(pr);
	free(buf);
	close(fd);
	return ret;
}

/* Whether anyone holds the device: mounted, mapped, part of an array. */
static int check_not_busy(const char *device)
{
	struct stat st;
	int fd;

	if (stat(device, &st))
		return errno == ENOENT ? -ENXIO : -errno;
	if (!S_ISBLK(st.st_mode))
		return 0; /* an image file: nothing to hold it */
	fd = open(device, O_RDONLY | O_EXCL | O_CLOEXEC);
	if (fd < 0)
		return errno == EBUSY ? -EBUSY : -errno;
	close(fd);
	return 0;
}

static int set_pbkdf_minimal(struct crypt_device *cd)
{
	const struct crypt_pbkdf_type pbkdf = {
		.type = CRYPT_KDF_PBKDF2,
		.hash = "sha256",
		.iterations = PBKDF2_MIN_ITERATIONS,
		.flags = CRYPT_PBKDF_NO_BENCHMARK,
	};

	return crypt_set_pbkdf_type(cd, &pbkdf);
}

/* A recovery key: 256 random bits as 8 dash-separated groups of 8 hex digits. */
static int make_recovery_key(char *out)
{
	uint8_t *raw;
	char hex[65];
	int ret, i;

	raw = cvmg_secret_alloc(32);
	if (!raw)
		return -ENOMEM;
	ret = cvmg_secret_random(raw, 32);
	if (!ret) {
		cvmg_hex_encode(raw, 32, hex);
		for (i = 0; i < 8; i++) {
			memcpy(out + 9 * i, hex + 8 * i, 8);
			out[9 * i + 8] = i < 7 ? '-' : '\0';
		}
		explicit_bzero(hex, sizeof(hex));
	}
	cvmg_secret_free(raw, 32);
	return ret;
}

static int add_token(struct crypt_device *cd, const struct cvmg_token *tok)
{
	char *json = NULL;
	int ret;

	ret = cvmg_token_to_json(tok, &json);
	if (ret)
		return ret;
	ret = crypt_token_json_set(cd, CRYPT_ANY_TOKEN, json);
	free(json);
	return ret < 0 ? ret : 0;
}

/*
 * Crash safety for the keyslot that enroll (on an existing volume) and rotate add.
 * Its passphrase exists only in memory until the token holding the sealed secret
 * is written, so a kill in between leaves a keyslot nobody can open. Before adding
 * it, a "cvmguard-pending" token names the slot it will take; the token goes once
 * the sealed tokens are in place. The next enroll or rotate finishes the job: a
 * slot named by a pending token and by no other token, with cvmguard's KDF, is
 * destroyed (nobody can open it), then the pending token goes.
 */
#define PENDING_TOKEN_TYPE "cvmguard-pending"

static int pending_slot(struct crypt_device *cd, int token)
{
	const char *json, *type = NULL;
	json_object *o, *v;
	int slot = -1;

	if (crypt_token_json_get(cd, token, &json) < 0)
		return -1;
	o = json_tokener_parse(json);
	if (!o)
		return -1;
	if (json_object_object_get_ex(o, "type", &v))
		type = json_object_get_string(v);
	if (type && !strcmp(type, PENDING_TOKEN_TYPE) &&
	    json_object_object_get_ex(o, "cvmguard_keyslot", &v) &&
	    json_object_is_type(v, json_type_int))
		slot = json_object_get_int(v);
	json_object_put(o);
	return slot;
}

/* Whether a token other than @except (and not a pending one) names @slot. */
static bool slot_in_use(struct crypt_device *cd, int slot, int except)
{
	int i, n = crypt_token_max(CRYPT_LUKS2);

	for (i = 0; i < n; i++)
		if (i != except && pending_slot(cd, i) < 0 &&
		    crypt_token_is_assigned(cd, i, slot) == 0)
			return true;
	return false;
}

/*
 * Whether @slot is active with the KDF cvmguard gives its keyslots (PBKDF2-SHA256
 * at the minimum iterations): a pending token names a slot that was free when it
 * was written; if the run was killed before adding it and somebody has since put
 * a passphrase there with cryptsetup (Argon2 by default), that keyslot stays.
 */
static bool slot_is_ours(struct crypt_device *cd, int slot)
{
	struct crypt_pbkdf_type pbkdf;

	return crypt_keyslot_status(cd, slot) != CRYPT_SLOT_INACTIVE &&
	       !crypt_keyslot_get_pbkdf(cd, slot, &pbkdf) &&
	       !strcmp(pbkdf.type, CRYPT_KDF_PBKDF2) && pbkdf.hash && !strcmp(pbkdf.hash, "sha256") &&
	       pbkdf.iterations == PBKDF2_MIN_ITERATIONS;
}

/* Undo what a killed enroll or rotate left behind (see above). */
static int pending_recover(struct crypt_device *cd)
{
	int i, n = crypt_token_max(CRYPT_LUKS2), slot, ret;

	for (i = 0; i < n; i++) {
		slot = pending_slot(cd, i);
		if (slot < 0)
			continue;
		if (!slot_in_use(cd, slot, i) && slot_is_ours(cd, slot)) {
			ret = crypt_keyslot_destroy(cd, slot);
			if (ret < 0)
				return ret;
			cvmg_info("removed keyslot %d, left unopenable by an interrupted run", slot);
		}
		ret = crypt_token_json_set(cd, i, NULL);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* A pending token naming @slot; returns its id. */
static int pending_announce(struct crypt_device *cd, int slot)
{
	char json[128];

	snprintf(json, sizeof(json),
		 "{\"type\":\"" PENDING_TOKEN_TYPE "\",\"keyslots\":[],\"cvmguard_keyslot\":%d}",
		 slot);
	return crypt_token_json_set(cd, CRYPT_ANY_TOKEN, json);
}

/* Announce the free keyslot about to be added; returns the pending token's id. */
static int pending_begin(struct crypt_device *cd, int *slot)
{
	int s, n = crypt_keyslot_max(CRYPT_LUKS2);

	for (s = 0; s < n; s++)
		if (crypt_keyslot_status(cd, s) == CRYPT_SLOT_INACTIVE)
			break;
	if (s == n)
		return -ENOSPC;
	*slot = s;
	return pending_announce(cd, s);
}


/* Seal @secret for both tokens; nothing touches the device here. */
static int seal_both(uint32_t pcr_mask, bool systemd, const uint8_t *secret,
		     struct cvmg_token *tok, struct cvmg_token *sd_tok, bool *srk_created)
{
	struct cvmg_tpm *tpm = NULL;
	int ret;

	ret = cvmg_tpm_open(&tpm);
	if (ret)
		return ret;
	ret = cvmg_tpm_ensure_srk(tpm, srk_created);
	if (ret)
		goto out;
	last_tpm_rc = 0;
	tok->kind = CVMG_TOKEN_CVMGUARD;
	tok->parent = CVMG_PARENT_SRK;
	tok->pcr_mask = pcr_mask;
	ret = cvmg_tpm_seal(tpm, CVMG_PARENT_SRK, pcr_mask, secret, CVMG_SECRET_LEN, &tok->sealed);
	if (ret || !systemd)
		goto out;
	sd_tok->kind = CVMG_TOKEN_SYSTEMD;
	sd_tok->parent = CVMG_PARENT_SYSTEMD_ECC;
	sd_tok->pcr_mask = pcr_mask;
	ret = cvmg_tpm_seal(tpm, CVMG_PARENT_SYSTEMD_ECC, pcr_mask, secret, CVMG_SECRET_LEN,
			    &sd_tok->sealed);
	/* systemd drops the parent name; only the SRK token checks it. */
	sd_tok->sealed.parent_name_len = 0;
out:
	if (ret == -EIO)
		last_tpm_rc = cvmg_tpm_last_rc(tpm);
	cvmg_tpm_close(tpm);
	return ret;
}

/* Read an existing passphrase from a key file into a locked buffer. */
static int read_key_file(const char *path, char *buf, size_t max, size_t *len)
{
	size_t off = 0;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n = read(fd, buf + off, max - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		if (n == 0)
			break;
		off += (size_t)n;
		if (off == max) {
			ret = -EFBIG;
			goto out;
		}
	}
	*len = off;
out:
	close(fd);
	return ret;
}

#define KEY_FILE_MAX 8192

/**
 * cvmg_volume_enroll() - make a TPM-sealed LUKS2 volume, or add a sealed keyslot
 * @opts: what to do (see struct cvmg_enroll_opts)
 * @res: what was done
 *
 * On a device that is not LUKS2: refuse unless it is blank or @opts->format is set,
 * then format it. On a LUKS2 device: add a keyslot, proving @opts->key_file.
 *
 * Return: 0 or a negative errno (see the file comment).
 */
int cvmg_volume_enroll(struct cvmg_enroll_opts *opts, struct cvmg_enroll_result *res)
{
	struct crypt_params_luks2 params = { .sector_size = 4096 };
	struct crypt_device *cd = NULL;
	struct cvmg_token *tok = NULL, *sd_tok = NULL;
	uint8_t *secret = NULL;
	char *pass = NULL, *old = NULL;
	size_t old_len = 0;
	bool blank, luks2 = false;
	int ret, slot, pending_id = -1;

	memset(res, 0, sizeof(*res));
	res->keyslot = res->recovery_keyslot = -1;
	tok = calloc(2, sizeof(*tok));
	secret = cvmg_secret_alloc(CVMG_SECRET_LEN);
	pass = cvmg_secret_alloc(CVMG_PASSPHRASE_LEN + 1);
	if (!tok || !secret || !pass) {
		ret = -ENOMEM;
		goto out;
	}
	sd_tok = tok + 1;
	ret = check_not_busy(opts->device);
	if (ret)
		goto out;
	ret = crypt_init(&cd, opts->device);
	if (ret) {
		ret = ret == -ENOENT || ret == -ENOTBLK ? -ENXIO : ret;
		goto out;
	}
	/* A loaded context cannot be formatted: with --format, do not load. */
	luks2 = !opts->format && !crypt_load(cd, CRYPT_LUKS2, NULL);
	if (luks2) {
		if (!opts->key_file) {
			ret = -EEXIST;
			goto out;
		}
		old = cvmg_secret_alloc(KEY_FILE_MAX);
		if (!old) {
			ret = -ENOMEM;
			goto out;
		}
		ret = read_key_file(opts->key_file, old, KEY_FILE_MAX, &old_len);
		if (ret)
			goto out;
		/* Prove it before touching the TPM. */
		ret = crypt_activate_by_passphrase(cd, NULL, CRYPT_ANY_SLOT, old, old_len, 0);
		if (ret < 0) {
			ret = ret == -EPERM ? -EACCES : ret;
			goto out;
		}
	} else if (!opts->format) {
		ret = cvmg_volume_is_blank(opts->device, &blank);
		if (ret)
			goto out;
		if (!blank) {
			ret = -EEXIST;
			goto out;
		}
	}

	ret = cvmg_secret_random(secret, CVMG_SECRET_LEN);
	if (ret)
		goto out;
	ret = cvmg_secret_to_passphrase(secret, CVMG_SECRET_LEN, pass, CVMG_PASSPHRASE_LEN + 1);
	if (ret < 0)
		goto out;
	ret = seal_both(opts->pcr_mask, opts->systemd_token, secret, tok, sd_tok,
			&res->srk_created);
	if (ret)
		goto out;
	if (opts->recovery_key) {
		ret = make_recovery_key(opts->recovery_key);
		if (ret)
			goto out;
	}

	/* From here on the device is written. */
	if (!luks2) {
		ret = crypt_format(cd, CRYPT_LUKS2, "aes", "xts-plain64", NULL, NULL,
				   VOLUME_KEY_BYTES, &params);
		if (ret == -EINVAL) {
			/* The device cannot do 4096-byte sectors (size or alignment). */
			params.sector_size = 512;
			ret = crypt_format(cd, CRYPT_LUKS2, "aes", "xts-plain64", NULL, NULL,
					   VOLUME_KEY_BYTES, &params);
		}
		if (ret)
			goto out;
		res->formatted = true;
		res->sector_size = (int)params.sector_size;
	}
	ret = set_pbkdf_minimal(cd);
	if (ret)
		goto out;
	if (res->formatted) {
		slot = crypt_keyslot_add_by_volume_key(cd, CRYPT_ANY_SLOT, NULL, 0, pass,
						       CVMG_PASSPHRASE_LEN);
	} else {
		/* An existing volume: announce the slot first (see pending_begin). */
		ret = pending_recover(cd);
		if (ret >= 0)
			ret = pending_id = pending_begin(cd, &slot);
		if (ret < 0)
			goto out;
		slot = crypt_keyslot_add_by_passphrase(cd, slot, old, old_len, pass,
						       CVMG_PASSPHRASE_LEN);
	}
	if (slot < 0) {
		ret = slot;
		goto out;
	}
	res->keyslot = tok->keyslot = sd_tok->keyslot = slot;
	ret = add_token(cd, tok);
	if (!ret && opts->systemd_token)
		ret = add_token(cd, sd_tok);
	if (!ret && pending_id >= 0)
		ret = crypt_token_json_set(cd, pending_id, NULL) < 0 ? -EIO : 0;
	if (ret)
		goto out;
	if (opts->recovery_key) {
		slot = crypt_keyslot_add_by_passphrase(cd, CRYPT_ANY_SLOT, pass,
						       CVMG_PASSPHRASE_LEN, opts->recovery_key,
						       strlen(opts->recovery_key));
		if (slot < 0) {
			ret = slot;
			goto out;
		}
		res->recovery_keyslot = slot;
	}
out:
	crypt_free(cd);
	cvmg_secret_free(old, KEY_FILE_MAX);
	cvmg_secret_free(pass, CVMG_PASSPHRASE_LEN + 1);
	cvmg_secret_free(secret, CVMG_SECRET_LEN);
	if (tok)
		explicit_bzero(tok, 2 * sizeof(*tok));
	free(tok);
	return ret;
}

/* SHA-256 of the LUKS2 primary header: binary header and JSON area (hdr_size). */
static int header_digest(const char *device, uint8_t digest[32])
{
	uint8_t hdr[16], *buf = NULL;
	uint64_t size = 0;
	unsigned int dlen;
	int fd, ret = 0, i;

	fd = open(device, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (pread(fd, hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr) || memcmp(hdr, "LUKS\xba\xbe", 6)) {
		ret = -EBADMSG;
		goto out;
	}
	for (i = 8; i < 16; i++)
		size = size << 8 | hdr[i];
	if (size < 4096 || size > (4u << 20)) {
		ret = -EBADMSG;
		goto out;
	}
	buf = malloc(size);
	if (!buf || pread(fd, buf, size, 0) != (ssize_t)size) {
		ret = buf ? -EIO : -ENOMEM;
		goto out;
	}
	if (!EVP_Digest(buf, size, digest, &dlen, EVP_sha256(), NULL))
		ret = -EIO;
out:
	free(buf);
	close(fd);
	return ret;
}

/**
 * cvmg_volume_uuid() - a LUKS2 device's UUID
 * @device: the device
 * @uuid: output
 * @len: its size
 *
 * Return: 0, -ENXIO no device, -ENOENT not LUKS2, -ENOSPC.
 */
int cvmg_volume_uuid(const char *device, char *uuid, size_t len)
{
	struct crypt_device *cd = NULL;
	int ret;

	ret = crypt_init(&cd, device);
	if (ret)
		return -ENXIO;
	ret = crypt_load(cd, CRYPT_LUKS2, NULL);
	if (ret) {
		ret = -ENOENT;
		goto out;
	}
	if ((size_t)snprintf(uuid, len, "%s", crypt_get_uuid(cd)) >= len)
		ret = -ENOSPC;
out:
	crypt_free(cd);
	return ret;
}

/* Error precedence when several tokens fail: the most telling one wins. */
static int worse(int a, int b)
{
	static const int order[] = { -CVMG_ESRK, -EPERM, -ENOKEY, -EBADMSG, -ENOTSUP, -ENODEV, -ENOENT };
	size_t i;

	if (!a)
		return b;
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (a == order[i])
			return a;
		if (b == order[i])
			return b;
	}
	return a;
}

static int unseal_token(struct cvmg_tpm **tpm, const struct cvmg_token *tok, uint8_t *secret,
			unsigned int *retries)
{
	uint8_t buf[128];
	size_t len = 0;
	int ret;

	if (!*tpm) {
		ret = cvmg_tpm_open(tpm);
		if (ret)
			return ret;
	}
	ret = cvmg_tpm_unseal(*tpm, tok->parent, tok->pcr_mask, &tok->sealed, buf, &len, retries);
	if (ret == -EIO)
		last_tpm_rc = cvmg_tpm_last_rc(*tpm);
	if (ret == -ENOENT)
		ret = -ENOKEY; /* no SRK */
	if (!ret && len != CVMG_SECRET_LEN)
		ret = -EBADMSG;
	if (!ret)
		memcpy(secret, buf, CVMG_SECRET_LEN);
	explicit_bzero(buf, sizeof(buf));
	return ret;
}

/**
 * cvmg_volume_unlock() - unseal a volume's key and activate its dm-crypt mapping
 * @device: the LUKS2 device
 * @name: the mapping name
 * @flags: CRYPT_ACTIVATE_* flags
 * @res: which token opened it
 *
 * Tokens of type cvmguard are tried first (no CreatePrimary), then systemd-tpm2.
 * Only reads the device; on failure nothing is activated.
 *
 * Return: 0 or a negative errno (see the file comment).
 */
int cvmg_volume_unlock(const char *device, const char *name, uint32_t flags,
		       struct cvmg_unlock_result *res)
{
	struct crypt_device *cd = NULL;
	struct cvmg_tpm *tpm = NULL;
	struct cvmg_token *tok = NULL;
	uint8_t *secret = NULL, digest[32];
	char *pass = NULL;
	int ret = 0, err = -ENOENT, pass_round, i, n;
	const char *json;

	memset(res, 0, sizeof(*res));
	res->keyslot = -1;
	tok = calloc(1, sizeof(*tok));
	secret = cvmg_secret_alloc(CVMG_SECRET_LEN);
	pass = cvmg_secret_alloc(CVMG_PASSPHRASE_LEN + 1);
	if (!tok || !secret || !pass) {
		ret = -ENOMEM;
		goto out;
	}
	ret = crypt_init(&cd, device);
	if (ret) {
		ret = ret == -ENOENT || ret == -ENOTBLK ? -ENXIO : ret;
		goto out;
	}
	if (crypt_load(cd, CRYPT_LUKS2, NULL)) {
		ret = -ENOENT;
		goto out;
	}
	if (crypt_status(cd, name) != CRYPT_INACTIVE) {
		ret = -EBUSY;
		goto out;
	}
	n = crypt_token_max(CRYPT_LUKS2);
	/* Round 0: cvmguard tokens; round 1: systemd-tpm2 tokens. */
	ret = -ENOENT;
	for (pass_round = 0; pass_round < 2 && ret; pass_round++) {
		for (i = 0; i < n && ret; i++) {
			if (crypt_token_json_get(cd, i, &json) < 0)
				continue;
			ret = cvmg_token_from_json(json, tok);
			if (ret == -ENOENT || (!ret && tok->kind != (pass_round ?
						CVMG_TOKEN_SYSTEMD : CVMG_TOKEN_CVMGUARD))) {
				ret = -ENOENT;
				continue;
			}
			if (!ret)
				ret = unseal_token(&tpm, tok, secret, &res->retries);
			if (!ret) {
				res->token_type = pass_round ? CVMG_SYSTEMD_TOKEN_TYPE : CVMG_TOKEN_TYPE;
				res->keyslot = tok->keyslot;
				break;
			}
			err = worse(err == -ENOENT ? 0 : err, ret);
			if (ret == -ENODEV)
				goto out; /* no TPM: no token will do */
		}
	}
	if (ret) {
		ret = err;
		goto out;
	}
	ret = cvmg_secret_to_passphrase(secret, CVMG_SECRET_LEN, pass, CVMG_PASSPHRASE_LEN + 1);
	if (ret < 0)
		goto out;
	ret = crypt_activate_by_passphrase(cd, name, res->keyslot, pass, CVMG_PASSPHRASE_LEN, flags);
	if (ret < 0) {
		/* The TPM gave a secret the keyslot does not take: a stale token. */
		ret = ret == -EPERM ? -EBADMSG : ret;
		goto out;
	}
	ret = 0;
	res->measured = header_digest(device, digest);
	if (!res->measured)
		res->measured = cvmg_measure_volume(crypt_get_uuid(cd), digest,
						    &res->measured_pcr, &res->measured_seq);
out:
	cvmg_tpm_close(tpm);
	crypt_free(cd);
	cvmg_secret_free(pass, CVMG_PASSPHRASE_LEN + 1);
	cvmg_secret_free(secret, CVMG_SECRET_LEN);
	if (tok)
		explicit_bzero(tok, sizeof(*tok));
	free(tok);
	return ret;
}

/**
 * cvmg_volume_lock() - remove a dm-crypt mapping (the kernel wipes its key)
 * @name: the mapping
 *
 * Return: 0, -ENXIO when there is no such mapping, -EBUSY when it is in use.
 */
int cvmg_volume_lock(const char *name)
{
	struct crypt_device *cd = NULL;
	int ret;

	ret = crypt_init_by_name(&cd, name);
	if (ret) {
		ret = -ENXIO;
		goto out;
	}
	ret = crypt_deactivate(cd, name);
out:
	crypt_free(cd);
	return ret;
}

/* The first token of @kind, its id and contents; -ENOENT when there is none. */
static int find_token(struct crypt_device *cd, enum cvmg_token_kind kind, struct cvmg_token *tok)
{
	const char *json;
	int i, n = crypt_token_max(CRYPT_LUKS2), ret;

	for (i = 0; i < n; i++) {
		if (crypt_token_json_get(cd, i, &json) < 0)
			continue;
		ret = cvmg_token_from_json(json, tok);
		if (ret == -ENOENT || (!ret && tok->kind != kind))
			continue;
		return ret ? ret : i;
	}
	return -ENOENT;
}

/*
 * Whether a systemd-tpm2 token shares a keyslot with a cvmguard token (enroll
 * writes both); one of systemd-cryptenroll's own, on another keyslot, is not ours.
 * @t is scratch space.
 */
static bool systemd_token_of_ours(struct crypt_device *cd, struct cvmg_token *t)
{
	int i, n = crypt_token_max(CRYPT_LUKS2);
	uint64_t ours = 0;
	const char *json;

	for (i = 0; i < n; i++)
		if (crypt_token_json_get(cd, i, &json) >= 0 && !cvmg_token_from_json(json, t) &&
		    t->kind == CVMG_TOKEN_CVMGUARD && t->keyslot >= 0 && t->keyslot < 64)
			ours |= 1ull << t->keyslot;
	for (i = 0; i < n; i++)
		if (crypt_token_json_get(cd, i, &json) >= 0 && !cvmg_token_from_json(json, t) &&
		    t->kind == CVMG_TOKEN_SYSTEMD && t->keyslot >= 0 && t->keyslot < 64 &&
		    (ours >> t->keyslot & 1))
			return true;
	return false;
}

/*
 * After a rotate's new token is proven: every other cvmguard token (the old one,
 * and any a killed rotate left beside it), the systemd-tpm2 tokens on the same
 * keyslots (systemd-cryptenroll's own, on other keyslots, stay), and then those
 * keyslots, once no token names them.
 */
static int drop_other_tokens(struct crypt_device *cd, int keep_slot)
{
	int i, n = crypt_token_max(CRYPT_LUKS2), ret = 0;
	uint64_t slots = 0;
	struct cvmg_token *t;
	const char *json;

	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		if (crypt_token_json_get(cd, i, &json) >= 0 && !cvmg_token_from_json(json, t) &&
		    t->kind == CVMG_TOKEN_CVMGUARD && t->keyslot != keep_slot &&
		    t->keyslot >= 0 && t->keyslot < 64)
			slots |= 1ull << t->keyslot;
	/*
	 * Announce each keyslot before its tokens go: killed after that, the
	 * keyslot (its secret now sealed nowhere) is removed by pending_recover().
	 */
	for (i = 0; i < 64 && ret >= 0; i++)
		if (slots >> i & 1)
			ret = pending_announce(cd, i);
	for (i = 0; i < n && ret >= 0; i++)
		if (crypt_token_json_get(cd, i, &json) >= 0 && !cvmg_token_from_json(json, t) &&
		    t->keyslot >= 0 && t->keyslot < 64 && (slots >> t->keyslot & 1))
			ret = crypt_token_json_set(cd, i, NULL);
	if (ret >= 0)
		ret = pending_recover(cd);
	explicit_bzero(t, sizeof(*t));
	free(t);
	return ret < 0 ? ret : 0;
}

/**
 * cvmg_volume_rotate() - replace a volume's sealed secret, crash-safely
 * @device: the LUKS2 device, enrolled by cvmguard
 * @pcr_mask: the PCRs for the new seal; 0 keeps the old token's
 * @old_slot: the keyslot removed
 * @new_slot: the keyslot added
 *
 * Order, so that a kill at any point leaves a volume that opens with the old or the
 * new secret: clean up after an earlier killed run (pending_recover); unseal the
 * old secret; seal a new one (TPM only); announce and add the new keyslot
 * (authorized by the old passphrase); add the new tokens; check that the new
 * token unseals and its secret opens the new keyslot; only then remove the old
 * tokens, and last the old keyslot. Each LUKS2 header update is atomic (libcryptsetup
 * writes both header copies with sequence numbers).
 *
 * Return: 0 or a negative errno (see the file comment).
 */
int cvmg_volume_rotate(const char *device, uint32_t pcr_mask, int *old_slot, int *new_slot)
{
	struct crypt_device *cd = NULL;
	struct cvmg_tpm *tpm = NULL;
	struct cvmg_token *old = NULL, *tok, *sd_tok, *check;
	uint8_t *secret = NULL, *fresh = NULL;
	char *pass = NULL, *newpass = NULL;
	int ret, old_id, slot, pending_id;
	bool with_sd;
	unsigned int retries;
	bool srk_created;

	*old_slot = *new_slot = -1;
	old = calloc(4, sizeof(*old));
	secret = cvmg_secret_alloc(2 * CVMG_SECRET_LEN);
	pass = cvmg_secret_alloc(2 * (CVMG_PASSPHRASE_LEN + 1));
	if (!old || !secret || !pass) {
		ret = -ENOMEM;
		goto out;
	}
	tok = old + 1;
	sd_tok = old + 2;
	check = old + 3;
	fresh = secret + CVMG_SECRET_LEN;
	newpass = pass + CVMG_PASSPHRASE_LEN + 1;
	ret = crypt_init(&cd, device);
	if (ret) {
		ret = -ENXIO;
		goto out;
	}
	if (crypt_load(cd, CRYPT_LUKS2, NULL)) {
		ret = -ENOENT;
		goto out;
	}
	ret = pending_recover(cd);
	if (ret < 0)
		goto out;
	old_id = find_token(cd, CVMG_TOKEN_CVMGUARD, old);
	if (old_id < 0) {
		ret = old_id;
		goto out;
	}
	/* A systemd-tpm2 token on a keyslot of ours is ours: renew it too. */
	with_sd = systemd_token_of_ours(cd, check);
	*old_slot = old->keyslot;
	ret = unseal_token(&tpm, old, secret, &retries);
	if (ret)
		goto out;
	cvmg_tpm_close(tpm);
	tpm = NULL;
	if (cvmg_secret_to_passphrase(secret, CVMG_SECRET_LEN, pass, CVMG_PASSPHRASE_LEN + 1) < 0 ||
	    cvmg_secret_random(fresh, CVMG_SECRET_LEN) ||
	    cvmg_secret_to_passphrase(fresh, CVMG_SECRET_LEN, newpass, CVMG_PASSPHRASE_LEN + 1) < 0) {
		ret = -EIO;
		goto out;
	}
	ret = seal_both(pcr_mask ? pcr_mask : old->pcr_mask, with_sd, fresh, tok, sd_tok,
			&srk_created);
	if (ret)
		goto out;

	/*
	 * Header writes 1, 2: the pending token, the new keyslot. Killed after
	 * them: the old token still opens; the next rotate removes the new slot.
	 */
	ret = set_pbkdf_minimal(cd);
	if (ret)
		goto out;
	ret = pending_id = pending_begin(cd, &slot);
	if (ret < 0)
		goto out;
	slot = crypt_keyslot_add_by_passphrase(cd, slot, pass, CVMG_PASSPHRASE_LEN,
					       newpass, CVMG_PASSPHRASE_LEN);
	if (slot < 0) {
		ret = slot;
		goto out;
	}
	*new_slot = tok->keyslot = sd_tok->keyslot = slot;
	/* Header writes 3, 4, 5: the new tokens, after the old ones (tried first). */
	ret = add_token(cd, tok);
	if (!ret && with_sd)
		ret = add_token(cd, sd_tok);
	if (!ret)
		ret = crypt_token_json_set(cd, pending_id, NULL) < 0 ? -EIO : 0;
	if (ret)
		goto out;
	/* The new secret must come back from the TPM and open the new keyslot. */
	ret = unseal_token(&tpm, tok, secret, &retries);
	if (!ret && memcmp(secret, fresh, CVMG_SECRET_LEN))
		ret = -EIO;
	if (ret)
		goto out;
	ret = crypt_activate_by_passphrase(cd, NULL, slot, newpass, CVMG_PASSPHRASE_LEN, 0);
	if (ret < 0)
		goto out;
	/* Then the old tokens (and any a killed rotate left), then their keyslots. */
	ret = drop_other_tokens(cd, slot);
out:
	cvmg_tpm_close(tpm);
	crypt_free(cd);
	cvmg_secret_free(pass, 2 * (CVMG_PASSPHRASE_LEN + 1));
	cvmg_secret_free(secret, 2 * CVMG_SECRET_LEN);
	if (old)
		explicit_bzero(old, 4 * sizeof(*old));
	free(old);
	return ret;
}
