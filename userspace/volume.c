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
 * use; -EACCES wrong passphrase (key file); -EIO other TPM failures; -EKEYREJECTED the
 * header or token fails the header checks (cvmg_volume_last_why()); -ESTALE every
 * token left is older than the vTPM's rollback record; -CVMG_ENOPIN a token needs a
 * PIN and none is available; -CVMG_EPINSRC the PIN source given is unusable
 * (reported); -CVMG_EBADPIN the TPM refused the PIN; -CVMG_ELOCKOUT the TPM is in
 * dictionary-attack lockout.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <blkid/blkid.h>
#include <json-c/json.h>
#include <libcryptsetup.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "cvmguard.h"
#include "header_policy.h"
#include "luks_token.h"
#include "pin.h"
#include "secret.h"
#include "tpm_nv.h"
#include "tpm_seal.h"
#include "volume.h"

#define BLANK_CHECK_LEN (1u << 20)

/* The TSS code behind the last -EIO from the TPM, for the caller's message. */
static uint32_t last_tpm_rc;
/* Why the last -EKEYREJECTED refused the header or token, for the caller's message. */
static char last_why[160];

/**
 * cvmg_volume_last_why() - the reason behind the last -EKEYREJECTED
 */
const char *cvmg_volume_last_why(void)
{
	return last_why;
}

static int reject(const char *why)
{
	snprintf(last_why, sizeof(last_why), "%s", why);
	return -EKEYREJECTED;
}

#define LOCK_WAIT_MS_DEFAULT 10000

/*
 * Run from a udev RUN rule: udevd holds LOCK_SH on the disk for the whole event
 * (systemd's BLOCK_DEVICE_LOCKING.md), so LOCK_EX would wait for ourselves. A shared
 * lock still excludes enroll and rotate (LOCK_EX).
 */
static bool lock_shared;

/**
 * cvmg_volume_lock_shared() - take the device lock shared (unlock from udev's RUN)
 * @shared: whether to
 */
void cvmg_volume_lock_shared(bool shared)
{
	lock_shared = shared;
}
#define VOLUME_KEY_MAX 128

/*
 * flock(LOCK_EX) on the whole block device (systemd's block-device locking
 * convention: udev does not probe a device while somebody holds it), waiting at most
 * $CVMGUARD_LOCK_TIMEOUT_MS (default 10 s). On a partition the lock is taken on its
 * disk. Image files (tests, tools) are locked themselves.
 *
 * Return: the locked descriptor (close() releases it), -EBUSY after the wait,
 * -ENXIO, or another negative errno.
 */
static int device_lock(const char *device)
{
	const char *env = getenv("CVMGUARD_LOCK_TIMEOUT_MS");
	long wait_ms = env ? strtol(env, NULL, 10) : LOCK_WAIT_MS_DEFAULT;
	char sys[96], path[64], buf[32];
	struct stat st;
	unsigned int maj, min;
	long waited = 0;
	int fd, pfd;
	ssize_t n;

	fd = open(device, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT ? -ENXIO : -errno;
	if (!fstat(fd, &st) && S_ISBLK(st.st_mode)) {
		/* A partition's sysfs directory has a "partition" file; its disk is the parent. */
		snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u/partition", major(st.st_rdev),
			 minor(st.st_rdev));
		if (!access(sys, F_OK)) {
			snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u/../dev", major(st.st_rdev),
				 minor(st.st_rdev));
			pfd = open(sys, O_RDONLY | O_CLOEXEC);
			n = pfd >= 0 ? read(pfd, buf, sizeof(buf) - 1) : -1;
			if (pfd >= 0)
				close(pfd);
			if (n > 0) {
				buf[n] = '\0';
				if (sscanf(buf, "%u:%u", &maj, &min) == 2) {
					snprintf(path, sizeof(path), "/dev/block/%u:%u", maj, min);
					pfd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
					if (pfd >= 0) {
						close(fd);
						fd = pfd;
					}
				}
			}
		}
	}
	if (wait_ms < 0)
		wait_ms = 0;
	while (flock(fd, (lock_shared ? LOCK_SH : LOCK_EX) | LOCK_NB)) {
		const struct timespec ts = { 0, 50 * 1000 * 1000 };

		if (errno != EWOULDBLOCK && errno != EINTR) {
			int e = -errno;

			close(fd);
			return e;
		}
		if (waited >= wait_ms) {
			close(fd);
			return -EBUSY;
		}
		nanosleep(&ts, NULL);
		waited += 50;
	}
	return fd;
}

static void device_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

/*
 * Test-only pause point: with $CVMGUARD_TEST_PAUSE=FILE set and FILE present, create
 * FILE.held and wait (at most 120 s) until FILE is removed. The tests use it to hold
 * an operation while it owns the device lock; documented as test-only in cvmguard(8).
 */
static void test_pause(void)
{
	const char *f = getenv("CVMGUARD_TEST_PAUSE");
	char held[256];
	int i, fd;

	if (!f || access(f, F_OK) || (size_t)snprintf(held, sizeof(held), "%s.held", f) >= sizeof(held))
		return;
	fd = open(held, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	for (i = 0; i < 2400 && !access(f, F_OK); i++) {
		const struct timespec ts = { 0, 50 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
}

/*
 * Before libcryptsetup loads a header: both copies must be valid and identical
 * (header_policy.c), so crypt_load() has nothing to "repair" and never writes.
 * -ENOENT: not LUKS2; -EKEYREJECTED: refused.
 */
static int header_copies(const char *device, uint8_t digest[32])
{
	struct cvmg_hdr_allow allow;
	struct cvmg_hdr_params p;
	char why[160] = "", *json = NULL;
	char uuid[CVMG_HDR_UUID_LEN + 1];
	int ret = cvmg_hdr_read_copies(device, digest, &json, why, sizeof(why));

	if (ret == -EKEYREJECTED)
		return reject(why);
	if (ret)
		return ret;
	/* The segment policy on the raw JSON, before libcryptsetup parses it. */
	ret = cvmg_hdr_allow_load(&allow);
	if (!ret) {
		snprintf(uuid, sizeof(uuid), "00000000-0000-0000-0000-000000000000");
		ret = cvmg_hdr_policy(json, uuid, -1, &allow, &p, why, sizeof(why));
	}
	free(json);
	return ret == -EKEYREJECTED ? reject(why) : ret;
}

/*
 * The header policy on what libcryptsetup loaded, for the token's @keyslot, and the
 * parameters the MAC covers. libcryptsetup's own view (cipher, key size, sector
 * size) must agree with the JSON it dumps.
 */
static int header_params(struct crypt_device *cd, int keyslot, struct cvmg_hdr_params *p)
{
	struct cvmg_hdr_allow allow;
	const char *json = NULL, *type, *cipher, *mode;
	char why[160] = "", spec[96];
	int ret;

	type = crypt_get_type(cd);
	if (!type || strcmp(type, CRYPT_LUKS2))
		return reject("not a LUKS2 header");
	ret = cvmg_hdr_allow_load(&allow);
	if (ret)
		return ret;
	if (crypt_dump_json(cd, &json, 0) < 0 || !json)
		return reject("libcryptsetup cannot dump the loaded metadata");
	ret = cvmg_hdr_policy(json, crypt_get_uuid(cd), keyslot, &allow, p, why, sizeof(why));
	if (ret == -EKEYREJECTED)
		return reject(why);
	if (ret)
		return ret;
	cipher = crypt_get_cipher(cd);
	mode = crypt_get_cipher_mode(cd);
	snprintf(spec, sizeof(spec), "%s-%s", cipher ? cipher : "", mode ? mode : "");
	if (strcmp(spec, p->encryption) ||
	    (unsigned int)crypt_get_volume_key_size(cd) * 8 != p->key_bits ||
	    (unsigned int)crypt_get_sector_size(cd) != p->sector_size)
		return reject("libcryptsetup's view of the segment differs from its metadata");
	return 0;
}

/* The MAC over @p and @counter under @secret's key. */
static int header_mac(const uint8_t *secret, const struct cvmg_hdr_params *p, uint64_t counter,
		      uint8_t mac[CVMG_HDR_MAC_LEN], uint8_t canon_digest[32])
{
	char canon[CVMG_HDR_CANON_MAX];
	unsigned int dlen;
	int ret;

	ret = cvmg_hdr_canonical(p, counter, canon, sizeof(canon));
	if (ret < 0)
		return ret;
	ret = cvmg_hdr_mac(secret, CVMG_SECRET_LEN, canon, mac);
	if (!ret && canon_digest && !EVP_Digest(canon, strlen(canon), canon_digest, &dlen,
						EVP_sha256(), NULL))
		ret = -EIO;
	return ret;
}

/* The UUID in a device's LUKS2 primary header, without libcryptsetup; "" if none. */
static void raw_uuid(const char *device, char uuid[CVMG_HDR_UUID_LEN + 1])
{
	uint8_t hdr[512];
	int fd = open(device, O_RDONLY | O_CLOEXEC);

	uuid[0] = '\0';
	if (fd < 0)
		return;
	if (pread(fd, hdr, sizeof(hdr), 0) == (ssize_t)sizeof(hdr) &&
	    !memcmp(hdr, "LUKS\xba\xbe", 6)) {
		memcpy(uuid, hdr + 168, CVMG_HDR_UUID_LEN);
		uuid[CVMG_HDR_UUID_LEN] = '\0';
		if (!cvmg_hdr_uuid_valid(uuid))
			uuid[0] = '\0';
	}
	close(fd);
}

/*
 * The volume's tag in its rollback record: HKDF of the volume key, which @secret's
 * @keyslot yields. The same for every keyslot and across rotations, so any token
 * that opens the volume leads to its record, whatever UUID the header shows.
 * -EBADMSG: the secret does not open the keyslot.
 */
static int volume_tag(struct crypt_device *cd, int keyslot, const uint8_t *secret,
		      uint8_t tag[CVMG_HDR_TAG_LEN])
{
	char *pass = cvmg_secret_alloc(CVMG_PASSPHRASE_LEN + 1);
	uint8_t *vk = cvmg_secret_alloc(VOLUME_KEY_MAX);
	size_t vklen = VOLUME_KEY_MAX;
	int ret;

	if (!pass || !vk) {
		ret = -ENOMEM;
		goto out;
	}
	ret = cvmg_secret_to_passphrase(secret, CVMG_SECRET_LEN, pass, CVMG_PASSPHRASE_LEN + 1);
	if (ret < 0)
		goto out;
	ret = crypt_volume_key_get(cd, keyslot, (char *)vk, &vklen, pass, CVMG_PASSPHRASE_LEN);
	if (ret < 0) {
		ret = ret == -EPERM ? -EBADMSG : ret;
		goto out;
	}
	ret = cvmg_hdr_tag(vk, vklen, tag);
out:
	cvmg_secret_free(vk, VOLUME_KEY_MAX);
	cvmg_secret_free(pass, CVMG_PASSPHRASE_LEN + 1);
	return ret;
}

/* Write the volume's rollback record: @counter, MAC required, the volume's tag. */
static int nv_commit(struct cvmg_tpm *tpm, struct cvmg_nv_rec *rec, struct crypt_device *cd,
		     int keyslot, uint64_t counter, const uint8_t *secret)
{
	int ret;

	snprintf(rec->uuid, sizeof(rec->uuid), "%s", crypt_get_uuid(cd));
	rec->counter = counter;
	rec->flags = CVMG_NV_MAC_REQUIRED;
	ret = volume_tag(cd, keyslot, secret, rec->tag);
	if (!ret)
		ret = cvmg_nv_store(tpm, rec);
	if (ret == -EIO)
		last_tpm_rc = cvmg_tpm_last_rc(tpm);
	return ret;
}

/* Give @tok (a cvmguard token for @slot) its counter and header MAC. */
static int token_seal_header(struct crypt_device *cd, struct cvmg_token *tok, int slot,
			     const uint8_t *secret, uint64_t counter)
{
	struct cvmg_hdr_params p;
	int ret;

	ret = header_params(cd, slot, &p);
	if (ret)
		return ret;
	tok->counter = counter;
	tok->has_mac = true;
	return header_mac(secret, &p, counter, tok->mac, NULL);
}

/*
 * The PIN (pin.c): where it comes from (set by the command), and once read, kept
 * for the rest of the command in a locked buffer, so that rotate seals the new
 * secret with the PIN that unsealed the old one, and nobody is asked twice.
 */
static const struct cvmg_pin_src *pin_src;
static char *pin_text;
static size_t pin_len;

/**
 * cvmg_volume_pin_source() - where a PIN comes from when a token needs one
 * @src: --pin-file and whether a terminal may be asked; NULL: the environment and
 *       the terminal
 */
void cvmg_volume_pin_source(const struct cvmg_pin_src *src)
{
	pin_src = src;
}

/* Read the PIN once (@new_pin: for a seal, asked twice); -CVMG_ENOPIN if none. */
static int pin_fetch(bool new_pin)
{
	int ret;

	if (pin_text)
		return 0;
	pin_text = cvmg_secret_alloc(CVMG_PIN_MAX);
	if (!pin_text)
		return -ENOMEM;
	ret = cvmg_pin_get(pin_src, new_pin, pin_text, CVMG_PIN_MAX, &pin_len);
	if (ret) {
		cvmg_secret_free(pin_text, CVMG_PIN_MAX);
		pin_text = NULL;
	}
	return ret;
}

static void pin_forget(void)
{
	cvmg_secret_free(pin_text, CVMG_PIN_MAX);
	pin_text = NULL;
	pin_len = 0;
}

/* The PIN's authValue for @tok's seal or unseal (@tok NULL or without a PIN: none). */
static int pin_apply(struct cvmg_tpm *tpm, const struct cvmg_token *tok)
{
	uint8_t auth[32];
	int ret;

	if (!tok || !tok->sealed.pin)
		return cvmg_tpm_set_pin_auth(tpm, NULL);
	if (!pin_text)
		return -CVMG_ENOPIN;
	ret = cvmg_pin_auth(pin_text, pin_len, tok->salt_len ? tok->salt : NULL, tok->salt_len,
			    auth);
	if (!ret)
		ret = cvmg_tpm_set_pin_auth(tpm, auth);
	explicit_bzero(auth, sizeof(auth));
	return ret;
}

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


/*
 * Seal @secret for both tokens; nothing touches the device here. The cvmguard
 * token's policy also holds PolicyNV on the rollback record @nv_index ("its counter
 * <= @counter"); systemd 252 cannot express that, so its twin's is PolicyPCR only.
 */
static int seal_both(uint32_t pcr_mask, const uint8_t values[CVMG_PCR_COUNT][32], bool systemd,
		     bool pin, uint32_t nv_index, uint64_t counter, const uint8_t *secret,
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
	tok->systemd = systemd;
	/* Both tokens with the PIN, unsalted (systemd 252 knows no tpm2_salt). */
	tok->sealed.pin = pin;
	tok->salt_len = 0;
	ret = pin_apply(tpm, tok);
	if (ret)
		goto out;
	ret = cvmg_tpm_seal_values(tpm, CVMG_PARENT_SRK, pcr_mask, values, secret, CVMG_SECRET_LEN,
				   nv_index, counter, &tok->sealed);
	if (ret || !systemd)
		goto out;
	sd_tok->kind = CVMG_TOKEN_SYSTEMD;
	sd_tok->parent = CVMG_PARENT_SYSTEMD_ECC;
	sd_tok->pcr_mask = pcr_mask;
	ret = cvmg_tpm_seal_values(tpm, CVMG_PARENT_SYSTEMD_ECC, pcr_mask, values, secret,
				   CVMG_SECRET_LEN, 0, 0, &sd_tok->sealed);
	/* systemd drops the parent name; only the SRK token checks it. */
	sd_tok->sealed.parent_name_len = 0;
out:
	if (ret == -EIO)
		last_tpm_rc = cvmg_tpm_last_rc(tpm);
	cvmg_tpm_close(tpm);
	return ret;
}

#define KEY_FILE_MAX 8192

/*
 * Read the key file at @path ("-": standard input) into @buf (KEY_FILE_MAX bytes,
 * locked) and prove it opens a keyslot of @cd. One trailing newline (echo's, an
 * editor's) is not part of the passphrase; the bytes as read are tried only when
 * that opens no keyslot (a key file made for cryptsetup, which takes every byte).
 *
 * Return: the keyslot it opens (@len: the passphrase's length), -EACCES when it
 * opens none, or another negative errno.
 */
static int prove_key_file(struct crypt_device *cd, const char *path, char *buf, size_t *len)
{
	int ret;

	ret = cvmg_read_secret_file(path, buf, KEY_FILE_MAX, len);
	if (ret)
		return ret;
	ret = -EPERM;
	if (*len && buf[*len - 1] == '\n') {
		ret = crypt_activate_by_passphrase(cd, NULL, CRYPT_ANY_SLOT, buf, *len - 1, 0);
		if (ret >= 0)
			(*len)--;
	}
	if (ret == -EPERM)
		ret = crypt_activate_by_passphrase(cd, NULL, CRYPT_ANY_SLOT, buf, *len, 0);
	return ret == -EPERM ? -EACCES : ret;
}

/* A random (version 4) UUID for a volume about to be formatted: its record's home. */
static int random_uuid(char uuid[CVMG_HDR_UUID_LEN + 1])
{
	uint8_t b[16];
	int ret = cvmg_secret_random(b, sizeof(b));

	if (ret)
		return ret;
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(uuid, CVMG_HDR_UUID_LEN + 1,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
		 b[12], b[13], b[14], b[15]);
	return cvmg_hdr_uuid_valid(uuid) ? 0 : -EIO;
}

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
	int ret, slot, pending_id = -1, lock_fd = -1;
	struct cvmg_hdr_params hp;
	struct cvmg_tpm *tpm = NULL;
	struct cvmg_nv_rec rec;
	uint64_t counter = 1;
	char old_uuid[CVMG_HDR_UUID_LEN + 1] = "", new_uuid[CVMG_HDR_UUID_LEN + 1] = "";
	uint8_t digest[32];
	bool new_rec;

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
	/* The new PIN first: a prompt is answered before the device is locked. */
	if (opts->pin) {
		ret = pin_fetch(true);
		if (ret)
			goto out;
	}
	ret = check_not_busy(opts->device);
	if (ret)
		goto out;
	ret = lock_fd = device_lock(opts->device);
	if (ret < 0)
		goto out;
	if (!opts->format) {
		/* A header the host changed is refused before libcryptsetup repairs it. */
		ret = header_copies(opts->device, digest);
		if (ret && ret != -ENOENT)
			goto out;
	}
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
		/* Prove it before touching the TPM. */
		ret = prove_key_file(cd, opts->key_file, old, &old_len);
		if (ret < 0)
			goto out;
		/* Sealing a key to a volume outside the header policy would bless it. */
		ret = header_params(cd, ret, &hp);
		if (ret)
			goto out;
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
	/*
	 * The rollback record: an enrollment over an earlier one raises its counter, so
	 * that the earlier header and tokens no longer open; a --format over a volume of
	 * ours reuses its index (and raises it too: the counter never goes down). A new
	 * record gets a free index now: the seal's PolicyNV names it.
	 */
	ret = cvmg_tpm_open(&tpm);
	if (ret)
		goto out;
	if (luks2)
		snprintf(old_uuid, sizeof(old_uuid), "%s", crypt_get_uuid(cd));
	else
		raw_uuid(opts->device, old_uuid);
	ret = old_uuid[0] ? cvmg_nv_find_uuid(tpm, old_uuid, &rec) : -ENOENT;
	if (ret == -ENOENT) {
		memset(&rec, 0, sizeof(rec));
		ret = luks2 ? 0 : random_uuid(new_uuid);
		if (!ret)
			ret = cvmg_nv_pick(tpm, luks2 ? old_uuid : new_uuid, &rec.index);
	} else if (!ret) {
		counter = rec.counter + 1;
	}
	if (ret) {
		if (ret == -EIO)
			last_tpm_rc = cvmg_tpm_last_rc(tpm);
		goto out;
	}
	new_rec = !rec.defined;
	/* One TPM connection at a time (a socket TCTI serves one), as rotate does. */
	cvmg_tpm_close(tpm);
	tpm = NULL;
	ret = seal_both(opts->pcr_mask, NULL, opts->systemd_token, opts->pin, rec.index, counter,
			secret, tok, sd_tok, &res->srk_created);
	if (!ret)
		ret = cvmg_tpm_open(&tpm);
	if (ret)
		goto out;
	if (opts->recovery_key) {
		ret = make_recovery_key(opts->recovery_key);
		if (ret)
			goto out;
	}

	/* From here on the device is written. */
	if (!luks2) {
		ret = crypt_format(cd, CRYPT_LUKS2, "aes", "xts-plain64",
				   new_uuid[0] ? new_uuid : NULL, NULL, VOLUME_KEY_BYTES, &params);
		if (ret == -EINVAL) {
			/* The device cannot do 4096-byte sectors (size or alignment). */
			params.sector_size = 512;
			ret = crypt_format(cd, CRYPT_LUKS2, "aes", "xts-plain64",
					   new_uuid[0] ? new_uuid : NULL, NULL, VOLUME_KEY_BYTES,
					   &params);
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
	/*
	 * A new record goes in before the token whose PolicyNV needs it (nothing older
	 * relies on it); killed between the two, there is no token to open.
	 */
	ret = new_rec ? nv_commit(tpm, &rec, cd, slot, counter, secret) : 0;
	if (!ret)
		ret = token_seal_header(cd, tok, slot, secret, counter);
	if (!ret)
		ret = add_token(cd, tok);
	if (!ret && opts->systemd_token)
		ret = add_token(cd, sd_tok);
	if (!ret && pending_id >= 0)
		ret = crypt_token_json_set(cd, pending_id, NULL) < 0 ? -EIO : 0;
	/*
	 * Killed before this, the new token (counter above the record's) still opens,
	 * by the TPM's PolicyNV as by cvmguard's check; from here the older ones do not.
	 */
	if (!ret && !new_rec)
		ret = nv_commit(tpm, &rec, cd, slot, counter, secret);
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
	pin_forget();
	cvmg_tpm_close(tpm);
	crypt_free(cd);
	device_unlock(lock_fd);
	cvmg_secret_free(old, KEY_FILE_MAX);
	cvmg_secret_free(pass, CVMG_PASSPHRASE_LEN + 1);
	cvmg_secret_free(secret, CVMG_SECRET_LEN);
	if (tok)
		explicit_bzero(tok, 2 * sizeof(*tok));
	free(tok);
	return ret;
}

/**
 * cvmg_volume_uuid() - a LUKS2 device's UUID
 * @device: the device
 * @uuid: output
 * @len: its size
 *
 * Return: 0, -ENXIO no device, -ENOENT not LUKS2, -EKEYREJECTED header copies
 * refused, -EBUSY locked by another cvmguard, -ENOSPC.
 */
int cvmg_volume_uuid(const char *device, char *uuid, size_t len)
{
	struct crypt_device *cd = NULL;
	uint8_t digest[32];
	int ret, lock_fd;

	/* crypt_load() repairs differing copies: check them first, under the lock. */
	lock_fd = device_lock(device);
	if (lock_fd < 0)
		return lock_fd;
	ret = header_copies(device, digest);
	device_unlock(lock_fd);
	if (ret)
		return ret;
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
	static const int order[] = { -CVMG_ECONFIG, -CVMG_ESRK, -EKEYREJECTED, -CVMG_ELOCKOUT,
				     -CVMG_EBADPIN, -CVMG_EPINSRC, -EPERM, -CVMG_ENOPIN, -ENOKEY,
				     -EBADMSG, -ENOTSUP, -ESTALE, -ENODEV, -ENOENT };
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

	/* A PIN token without a PIN: refused before the TPM sees anything of it. */
	if (tok->sealed.pin) {
		ret = pin_fetch(false);
		if (ret)
			return ret;
	}
	if (!*tpm) {
		ret = cvmg_tpm_open(tpm);
		if (ret)
			return ret;
	}
	ret = pin_apply(*tpm, tok);
	if (!ret)
		ret = cvmg_tpm_unseal(*tpm, tok->parent, tok->pcr_mask, &tok->sealed, buf, &len,
				      retries);
	pin_apply(*tpm, NULL);
	if (ret == -EIO)
		last_tpm_rc = cvmg_tpm_last_rc(*tpm);
	if (ret == -EKEYREJECTED)
		snprintf(last_why, sizeof(last_why), "the token's PolicyNV index and counter do "
			 "not give its sealed object's policy (changed after enrollment)");
	if (ret == -ESTALE)
		snprintf(last_why, sizeof(last_why), "rollback: the TPM refused the token's "
			 "PolicyNV (its rollback record 0x%08x is above the token's counter %llu, "
			 "or gone)", tok->sealed.nv_index, (unsigned long long)tok->sealed.nv_counter);
	if (ret == -ENOENT)
		ret = -ENOKEY; /* no SRK */
	if (!ret && len != CVMG_SECRET_LEN)
		ret = -EBADMSG;
	if (!ret)
		memcpy(secret, buf, CVMG_SECRET_LEN);
	explicit_bzero(buf, sizeof(buf));
	return ret;
}

/*
 * The checks of one token before it is unsealed: the header policy for its keyslot
 * and, for a cvmguard token, a header MAC to check afterwards.
 */
static int token_precheck(struct crypt_device *cd, const struct cvmg_token *tok,
			  struct cvmg_hdr_params *p, struct cvmg_tpm **tpm)
{
	struct cvmg_nv_rec rec;
	int ret = header_params(cd, tok->keyslot, p);

	if (ret)
		return ret;
	if (tok->kind == CVMG_TOKEN_CVMGUARD && !tok->has_mac)
		return reject("the cvmguard token has no header MAC (enrolled by an older "
			      "cvmguard, or stripped): run cvmguard rotate to add one");
	if (!*tpm) {
		ret = cvmg_tpm_open(tpm);
		if (ret)
			return ret;
	}
	/* The TPM's rollback record for this UUID (none: never rotated with one). */
	ret = cvmg_nv_find_uuid(*tpm, p->uuid, &rec);
	if (ret == -ENOENT)
		return 0;
	if (ret) {
		last_tpm_rc = cvmg_tpm_last_rc(*tpm);
		return ret;
	}
	if (tok->kind == CVMG_TOKEN_CVMGUARD && tok->counter < rec.counter) {
		/*
		 * -ESTALE, not -EKEYREJECTED: beside a newer token (a rotate killed after
		 * raising the counter) this one is merely outdated, and the newer token's
		 * own answer (a PCR refusal, say) is the one to report.
		 */
		snprintf(last_why, sizeof(last_why), "rollback: the token's counter %llu is below "
			 "the TPM's %llu (a header saved before a rotate or re-enroll)",
			 (unsigned long long)tok->counter, (unsigned long long)rec.counter);
		return -ESTALE;
	}
	if (tok->kind != CVMG_TOKEN_CVMGUARD && (rec.flags & CVMG_NV_MAC_REQUIRED))
		return reject("the TPM records this volume as opening only through its cvmguard "
			      "token, which is missing");
	return 0;
}

/* After unseal: the MAC over what was checked must be the token's. */
static int token_postcheck(struct crypt_device *cd, const struct cvmg_token *tok,
			   const uint8_t *secret, const struct cvmg_hdr_params *p,
			   uint8_t canon_digest[32], struct cvmg_tpm *tpm)
{
	uint8_t mac[CVMG_HDR_MAC_LEN], tag[CVMG_HDR_TAG_LEN];
	struct cvmg_nv_rec rec;
	int ret;

	if (tok->kind != CVMG_TOKEN_CVMGUARD && tpm) {
		/* One of our volumes, under a UUID the host may have changed. */
		ret = volume_tag(cd, tok->keyslot, secret, tag);
		if (!ret)
			ret = cvmg_nv_find_tag(tpm, tag, &rec);
		if (!ret && (rec.flags & CVMG_NV_MAC_REQUIRED))
			return reject("the TPM records this volume as opening only through its "
				      "cvmguard token, which is missing");
		if (ret && ret != -ENOENT)
			return ret;
	}

	ret = header_mac(secret, p, tok->kind == CVMG_TOKEN_CVMGUARD ? tok->counter : 0, mac,
			 canon_digest);
	if (ret)
		return ret;
	if (tok->kind == CVMG_TOKEN_CVMGUARD && CRYPTO_memcmp(mac, tok->mac, sizeof(mac)))
		ret = reject("the header MAC does not verify: the header's parameters, the "
			     "token's keyslot or its counter are not those enrolled");
	explicit_bzero(mac, sizeof(mac));
	return ret;
}

/**
 * cvmg_volume_unlock() - unseal a volume's key and activate its dm-crypt mapping
 * @device: the LUKS2 device
 * @name: the mapping name
 * @flags: CRYPT_ACTIVATE_* flags (the header's persistent flags are ignored)
 * @res: which token opened it
 *
 * Holds the device's lock throughout. Both header copies are checked before
 * libcryptsetup loads them, the loaded metadata against the header policy before
 * any unseal, and a cvmguard token's header MAC after unseal, before activation.
 * Tokens of type cvmguard are tried first (no CreatePrimary), then systemd-tpm2.
 * Only reads the device; on failure nothing is activated.
 *
 * Return: 0 or a negative errno (see the file comment); -EKEYREJECTED when the
 * header or token fails the checks (cvmg_volume_last_why() says which).
 */
int cvmg_volume_unlock(const char *device, const char *name, uint32_t flags,
		       struct cvmg_unlock_result *res)
{
	struct crypt_device *cd = NULL;
	struct cvmg_tpm *tpm = NULL;
	struct cvmg_token *tok = NULL;
	struct cvmg_hdr_params hp;
	uint8_t *secret = NULL, digest[32];
	char *pass = NULL;
	int ret = 0, err = -ENOENT, pass_round, i, n, lock_fd = -1;
	bool have_ours = false;
	const char *json;

	memset(res, 0, sizeof(*res));
	res->keyslot = -1;
	last_why[0] = '\0';
	tok = calloc(1, sizeof(*tok));
	secret = cvmg_secret_alloc(CVMG_SECRET_LEN);
	pass = cvmg_secret_alloc(CVMG_PASSPHRASE_LEN + 1);
	if (!tok || !secret || !pass) {
		ret = -ENOMEM;
		goto out;
	}
	ret = lock_fd = device_lock(device);
	if (ret < 0)
		goto out;
	ret = header_copies(device, digest);
	if (ret)
		goto out;
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
		/*
		 * A volume with a cvmguard token requires its header MAC: a systemd-tpm2
		 * token (no MAC) is not a way around a refused, damaged or locked one.
		 */
		if (pass_round && have_ours)
			break;
		for (i = 0; i < n && ret; i++) {
			if (crypt_token_json_get(cd, i, &json) < 0)
				continue;
			ret = cvmg_token_from_json(json, tok);
			if (!pass_round && ret != -ENOENT && (ret || tok->kind == CVMG_TOKEN_CVMGUARD))
				have_ours = true;
			if (ret == -ENOENT || (!ret && tok->kind != (pass_round ?
						CVMG_TOKEN_SYSTEMD : CVMG_TOKEN_CVMGUARD))) {
				ret = -ENOENT;
				continue;
			}
			if (!ret)
				ret = token_precheck(cd, tok, &hp, &tpm);
			if (!ret)
				ret = unseal_token(&tpm, tok, secret, &res->retries);
			if (!ret)
				ret = token_postcheck(cd, tok, secret, &hp, digest, tpm);
			if (!ret) {
				res->token_type = pass_round ? CVMG_SYSTEMD_TOKEN_TYPE : CVMG_TOKEN_TYPE;
				res->keyslot = tok->keyslot;
				break;
			}
			err = worse(err == -ENOENT ? 0 : err, ret);
			if (ret == -ENODEV)
				goto out; /* no TPM: no token will do */
			/* Another PIN token tried with the same PIN would count once more. */
			if (ret == -CVMG_EBADPIN || ret == -CVMG_ELOCKOUT || ret == -CVMG_EPINSRC) {
				ret = err;
				goto out;
			}
		}
	}
	if (ret) {
		ret = err;
		goto out;
	}
	ret = cvmg_secret_to_passphrase(secret, CVMG_SECRET_LEN, pass, CVMG_PASSPHRASE_LEN + 1);
	if (ret < 0)
		goto out;
	/* The header's persistent flags (allow-discards...) are the host's: ours only. */
	ret = crypt_activate_by_passphrase(cd, name, res->keyslot, pass, CVMG_PASSPHRASE_LEN,
					   flags | CRYPT_ACTIVATE_IGNORE_PERSISTENT);
	if (ret < 0) {
		/* The TPM gave a secret the keyslot does not take: a stale token. */
		ret = ret == -EPERM ? -EBADMSG : ret;
		goto out;
	}
	ret = 0;
	/* What was authenticated: the SHA-256 of the MAC's canonical text. */
	res->measured = cvmg_measure_volume(crypt_get_uuid(cd), digest, &res->measured_pcr,
					    &res->measured_seq);
out:
	pin_forget();
	cvmg_tpm_close(tpm);
	crypt_free(cd);
	device_unlock(lock_fd);
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
	const char *dev;
	int ret, lock_fd = -1;

	ret = crypt_init_by_name(&cd, name);
	if (ret) {
		ret = -ENXIO;
		goto out;
	}
	/* The backing device's lock, as unlock holds it (no lock: close anyway). */
	dev = crypt_get_device_name(cd);
	if (dev) {
		lock_fd = device_lock(dev);
		if (lock_fd == -EBUSY) {
			ret = -EBUSY;
			goto out;
		}
	}
	ret = crypt_deactivate(cd, name);
out:
	crypt_free(cd);
	device_unlock(lock_fd);
	return ret;
}

/*
 * The cvmguard token with the highest counter (the newest: a rotate or enroll killed
 * after raising the vTPM's counter leaves the older one beside it, now refused), its
 * id and contents; -ENOENT when there is none. @t is scratch space.
 */
static int find_latest_token(struct crypt_device *cd, struct cvmg_token *tok, struct cvmg_token *t)
{
	const char *json;
	int i, n = crypt_token_max(CRYPT_LUKS2), best = -ENOENT, ret;

	for (i = 0; i < n; i++) {
		if (crypt_token_json_get(cd, i, &json) < 0)
			continue;
		ret = cvmg_token_from_json(json, t);
		if (ret == -ENOENT || (!ret && t->kind != CVMG_TOKEN_CVMGUARD))
			continue;
		if (ret) {
			if (best == -ENOENT)
				best = ret;
			continue;
		}
		if (best < 0 || t->counter > tok->counter) {
			*tok = *t;
			best = i;
		}
	}
	explicit_bzero(t, sizeof(*t));
	return best;
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
	int i, pass, n = crypt_token_max(CRYPT_LUKS2), ret = 0;
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
	/*
	 * The systemd-tpm2 twins first, then the cvmguard tokens. Killed in between
	 * the other way round, a twin left alone would keep its keyslot "in use" for
	 * pending_recover(), which then dropped the announcement, and no later run
	 * would remove either: a keyslot and a token more after every such kill.
	 * Left alone, a cvmguard token still names its keyslot for the next run.
	 */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < n && ret >= 0; i++)
			if (crypt_token_json_get(cd, i, &json) >= 0 &&
			    !cvmg_token_from_json(json, t) &&
			    (t->kind == CVMG_TOKEN_CVMGUARD) == (pass == 1) &&
			    t->keyslot >= 0 && t->keyslot < 64 && (slots >> t->keyslot & 1))
				ret = crypt_token_json_set(cd, i, NULL);
	if (ret >= 0)
		ret = pending_recover(cd);
	explicit_bzero(t, sizeof(*t));
	free(t);
	return ret < 0 ? ret : 0;
}

/**
 * cvmg_volume_reseal() - seal a volume's key anew, crash-safely (rotate, reseal)
 * @o: what to seal to and how authority is proven (struct cvmg_reseal_opts)
 * @res: what was done
 *
 * Authority: without @o->key_file, the newest cvmguard token is unsealed with the
 * PCRs as they are, after the same checks as unlock (header copies and policy,
 * the vTPM's rollback counter; its header MAC after unseal). With @o->key_file, a
 * LUKS2 passphrase (a recovery key) must open a keyslot instead: for a volume the
 * PCRs no longer unseal. Either way the header policy holds for the keyslot used
 * and the newest cvmguard token must not be below the vTPM's counter.
 *
 * The new secret is sealed to the PCRs in @o->pcr_mask (0: the old token's), at
 * the values in @o->values for those in @o->value_mask and at their current values
 * for the others. Both tokens (cvmguard, and the systemd-tpm2 twin when the volume
 * had one) get the same policy, so systemd's tpm2-policy-hash is the policy for
 * the sealed values.
 *
 * Order, so that a kill at any point leaves a volume that opens with the old or the
 * new secret: clean up after an earlier killed run (pending_recover); prove
 * authority; seal a new secret (TPM only); announce and add the new keyslot
 * (authorized by the old passphrase or the key file); add the new tokens; check
 * that the new token unseals (when sealed to values the PCRs hold now) and that
 * its secret opens the new keyslot; commit the counter in the vTPM (from here the
 * old tokens and any saved header are a rollback, exit 6); only then remove the
 * old tokens, and last their keyslots. A keyslot no cvmguard token names (a
 * recovery key) stays. Each LUKS2 header update is atomic.
 *
 * Return: 0 or a negative errno (see the file comment); -ERANGE when a PCR in
 * @o->value_mask is not in the selection.
 */
int cvmg_volume_reseal(const struct cvmg_reseal_opts *o, struct cvmg_reseal_result *res)
{
	struct crypt_device *cd = NULL;
	struct cvmg_tpm *tpm = NULL;
	struct cvmg_token *old = NULL, *tok, *sd_tok, *check;
	uint8_t *secret = NULL, *fresh = NULL, (*target)[32] = NULL;
	char *pass = NULL, *newpass = NULL, *keypass = NULL;
	const char *auth;
	size_t auth_len, keypass_len = 0;
	int ret, old_id, slot, pending_id, lock_fd = -1, i;
	struct cvmg_hdr_params hp;
	struct cvmg_nv_rec rec;
	uint64_t counter;
	uint8_t digest[32];
	bool with_sd;
	unsigned int retries;
	bool srk_created;

	memset(res, 0, sizeof(*res));
	res->old_slot = res->new_slot = res->proven_slot = -1;
	old = calloc(4, sizeof(*old));
	secret = cvmg_secret_alloc(2 * CVMG_SECRET_LEN);
	pass = cvmg_secret_alloc(2 * (CVMG_PASSPHRASE_LEN + 1));
	target = calloc(CVMG_PCR_COUNT, sizeof(*target));
	if (!old || !secret || !pass || !target) {
		ret = -ENOMEM;
		goto out;
	}
	tok = old + 1;
	sd_tok = old + 2;
	check = old + 3;
	fresh = secret + CVMG_SECRET_LEN;
	newpass = pass + CVMG_PASSPHRASE_LEN + 1;
	last_why[0] = '\0';
	ret = lock_fd = device_lock(o->device);
	if (ret < 0)
		goto out;
	ret = header_copies(o->device, digest);
	if (ret)
		goto out;
	ret = crypt_init(&cd, o->device);
	if (ret) {
		ret = -ENXIO;
		goto out;
	}
	if (crypt_load(cd, CRYPT_LUKS2, NULL)) {
		ret = -ENOENT;
		goto out;
	}
	test_pause();
	old_id = find_latest_token(cd, old, check);
	if (old_id < 0) {
		ret = old_id;
		goto out;
	}
	res->pcr_mask = o->pcr_mask ? o->pcr_mask : old->pcr_mask;
	if (o->value_mask & ~res->pcr_mask) {
		ret = -ERANGE;
		goto out;
	}
	/*
	 * Authenticate the header before writing anything: a reseal over a tampered
	 * header would give the host's parameters a fresh, valid MAC. A token without a
	 * MAC (an older cvmguard's) is upgraded here, on the policy checks alone.
	 */
	ret = header_params(cd, old->keyslot, &hp);
	if (ret)
		goto out;
	/*
	 * A systemd-tpm2 token on a keyslot of ours is ours: renew it too. The token
	 * itself says whether it was made with one: a rotate killed after dropping the
	 * old pair and before adding the new leaves a cvmguard token alone, and its
	 * twin must come back with the next rotate.
	 */
	with_sd = old->systemd || systemd_token_of_ours(cd, check);
	res->old_slot = old->keyslot;
	ret = cvmg_tpm_open(&tpm);
	if (ret)
		goto out;
	ret = cvmg_nv_find_uuid(tpm, hp.uuid, &rec);
	if (ret && ret != -ENOENT) {
		last_tpm_rc = cvmg_tpm_last_rc(tpm);
		goto out;
	}
	if (ret == -ENOENT) {
		/* No record yet (an older cvmguard's volume): one is made, at a free index. */
		memset(&rec, 0, sizeof(rec));
		ret = cvmg_nv_pick(tpm, hp.uuid, &rec.index);
		if (ret) {
			if (ret == -EIO)
				last_tpm_rc = cvmg_tpm_last_rc(tpm);
			goto out;
		}
	} else if (old->counter < rec.counter) {
		snprintf(last_why, sizeof(last_why), "rollback: the token's counter %llu is below "
			 "the TPM's %llu", (unsigned long long)old->counter,
			 (unsigned long long)rec.counter);
		ret = -EKEYREJECTED;
		goto out;
	}
	counter = (old->counter > rec.counter ? old->counter : rec.counter) + 1;
	res->counter = counter;
	if (!o->key_file) {
		ret = unseal_token(&tpm, old, secret, &retries);
		if (ret)
			goto out;
		if (old->has_mac) {
			ret = token_postcheck(cd, old, secret, &hp, digest, NULL);
			if (ret)
				goto out;
		} else {
			cvmg_warn("%s: the cvmguard token had no header MAC; the new one has",
				  o->device);
		}
		if (cvmg_secret_to_passphrase(secret, CVMG_SECRET_LEN, pass,
					      CVMG_PASSPHRASE_LEN + 1) < 0) {
			ret = -EIO;
			goto out;
		}
		auth = pass;
		auth_len = CVMG_PASSPHRASE_LEN;
	} else {
		keypass = cvmg_secret_alloc(KEY_FILE_MAX);
		if (!keypass) {
			ret = -ENOMEM;
			goto out;
		}
		ret = prove_key_file(cd, o->key_file, keypass, &keypass_len);
		if (ret < 0)
			goto out;
		res->proven_slot = ret;
		/* The keyslot that authorizes the new one: inside the header policy too. */
		ret = header_params(cd, res->proven_slot, &hp);
		if (ret)
			goto out;
		auth = keypass;
		auth_len = keypass_len;
	}
	/* The values to seal to: the PCRs' current ones, but where given. */
	if (o->value_mask) {
		ret = cvmg_tpm_pcr_read(tpm, res->pcr_mask, target);
		if (ret) {
			if (ret == -EIO)
				last_tpm_rc = cvmg_tpm_last_rc(tpm);
			goto out;
		}
		for (i = 0; i < CVMG_PCR_COUNT; i++)
			if (o->value_mask & (1u << i) && memcmp(target[i], o->values[i], 32)) {
				memcpy(target[i], o->values[i], 32);
				res->predicted = true;
			}
	}
	cvmg_tpm_close(tpm);
	tpm = NULL;
	/*
	 * The PIN stays (the one that unsealed the old token) or is set (--pin); with a
	 * key file the old token was not unsealed, so it is asked as a new one.
	 */
	res->pin = old->sealed.pin || o->pin;
	if (res->pin) {
		ret = pin_fetch(true);
		if (ret)
			goto out;
	}
	if (cvmg_secret_random(fresh, CVMG_SECRET_LEN) ||
	    cvmg_secret_to_passphrase(fresh, CVMG_SECRET_LEN, newpass, CVMG_PASSPHRASE_LEN + 1) < 0) {
		ret = -EIO;
		goto out;
	}
	ret = seal_both(res->pcr_mask, o->value_mask ? (const uint8_t (*)[32])target : NULL,
			with_sd, res->pin, rec.index, counter, fresh, tok, sd_tok, &srk_created);
	if (ret)
		goto out;

	/*
	 * Tokens a killed rotate left beside the one just unsealed go first, with
	 * their keyslots, once that one is proven to open its keyslot: each run
	 * killed between its new tokens and the end would otherwise leave one keyslot
	 * more, until the keyslot area is full (ENOSPC after 20 kills). With a key
	 * file the old token is not proven: they go at the end, with it.
	 */
	if (!o->key_file) {
		ret = crypt_activate_by_passphrase(cd, NULL, old->keyslot, pass,
						   CVMG_PASSPHRASE_LEN, 0);
		if (ret < 0)
			goto out;
		ret = drop_other_tokens(cd, old->keyslot);
		if (ret)
			goto out;
	}
	/*
	 * Header writes 1, 2: the pending token, the new keyslot. Killed after
	 * them: the old token still opens; the next rotate removes the new slot.
	 */
	ret = set_pbkdf_minimal(cd);
	if (ret)
		goto out;
	ret = pending_recover(cd);
	if (ret < 0)
		goto out;
	ret = pending_id = pending_begin(cd, &slot);
	if (ret < 0)
		goto out;
	slot = crypt_keyslot_add_by_passphrase(cd, slot, auth, auth_len, newpass,
					       CVMG_PASSPHRASE_LEN);
	if (slot < 0) {
		ret = slot;
		goto out;
	}
	res->new_slot = tok->keyslot = sd_tok->keyslot = slot;
	/* Header writes 3, 4, 5: the new tokens, after the old ones (tried first). */
	ret = token_seal_header(cd, tok, slot, fresh, counter);
	if (!ret)
		ret = add_token(cd, tok);
	if (!ret && with_sd)
		ret = add_token(cd, sd_tok);
	if (!ret)
		ret = crypt_token_json_set(cd, pending_id, NULL) < 0 ? -EIO : 0;
	if (ret)
		goto out;
	/*
	 * No record yet: one at the old token's counter, which both tokens satisfy
	 * (the new token's PolicyNV needs the record to exist); raised below.
	 */
	if (!rec.defined) {
		ret = cvmg_tpm_open(&tpm);
		if (!ret)
			ret = nv_commit(tpm, &rec, cd, slot, counter - 1, fresh);
		if (ret)
			goto out;
	}
	/*
	 * The new secret must come back from the TPM (sealed to values the PCRs hold
	 * now; values still to come are checked by the two digests agreeing, in
	 * cvmg_tpm_seal_values()) and open the new keyslot.
	 */
	if (!res->predicted) {
		ret = unseal_token(&tpm, tok, secret, &retries);
		if (!ret && memcmp(secret, fresh, CVMG_SECRET_LEN))
			ret = -EIO;
	} else if (!tpm) {
		ret = cvmg_tpm_open(&tpm);
	}
	if (ret)
		goto out;
	ret = crypt_activate_by_passphrase(cd, NULL, slot, newpass, CVMG_PASSPHRASE_LEN, 0);
	if (ret < 0)
		goto out;
	/*
	 * Commit the counter in the TPM: from here the old header and tokens are
	 * rejected as a rollback, by cvmguard's check and by the TPM (PolicyNV).
	 * Killed before it, both tokens open; after it, the new.
	 */
	ret = nv_commit(tpm, &rec, cd, slot, counter, fresh);
	if (ret)
		goto out;
	/* Then the old tokens (and any a killed rotate left), then their keyslots. */
	ret = drop_other_tokens(cd, slot);
out:
	pin_forget();
	cvmg_tpm_close(tpm);
	crypt_free(cd);
	device_unlock(lock_fd);
	cvmg_secret_free(keypass, KEY_FILE_MAX);
	cvmg_secret_free(pass, 2 * (CVMG_PASSPHRASE_LEN + 1));
	cvmg_secret_free(secret, 2 * CVMG_SECRET_LEN);
	if (old)
		explicit_bzero(old, 4 * sizeof(*old));
	free(old);
	if (target)
		explicit_bzero(target, CVMG_PCR_COUNT * sizeof(*target));
	free(target);
	return ret;
}

/**
 * cvmg_volume_rotate() - replace a volume's sealed secret, crash-safely
 * @device: the LUKS2 device, enrolled by cvmguard
 * @pcr_mask: the PCRs for the new seal; 0 keeps the old token's
 * @pin: the new seal needs a PIN (a PIN the old one had is kept either way)
 * @old_slot: the keyslot removed
 * @new_slot: the keyslot added
 *
 * A reseal to the current PCR values, authorized by the old token (see
 * cvmg_volume_reseal()).
 *
 * Return: 0 or a negative errno (see the file comment).
 */
int cvmg_volume_rotate(const char *device, uint32_t pcr_mask, bool pin, int *old_slot,
		       int *new_slot)
{
	struct cvmg_reseal_opts *o;
	struct cvmg_reseal_result res;
	int ret;

	o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	o->device = device;
	o->pcr_mask = pcr_mask;
	o->pin = pin;
	ret = cvmg_volume_reseal(o, &res);
	free(o);
	*old_slot = res.old_slot;
	*new_slot = res.new_slot;
	return ret;
}
