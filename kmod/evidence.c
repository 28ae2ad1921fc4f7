// SPDX-License-Identifier: GPL-2.0
/*
 * Attestation evidence from an Azure-style paravisor over the vTPM.
 *
 * The guest writes 64 bytes of user data to NV index 0x01400002; the paravisor puts
 * a report bound to that data in NV index 0x01400001. OpenHCL renews the report
 * when NV index 0x01400001 is read at offset 0, at most once every 2 s, from what
 * 0x01400002 holds then; other paravisors renew it some time after the write. The
 * host, which may be the attacker, sees all of this and can delay it, and other
 * agents in the guest may read the report or write user data of their own. So a
 * report is handed out only when all of these hold:
 *
 *  - it is whole: REPORT_DATA[0..31] in the hardware report equals SHA-256 of the
 *    runtime claims as read. A renewal landing between two of our chunk reads (an
 *    offset-0 read by another reader under OpenHCL) mixes two reports, and fails
 *    this check;
 *  - it is ours: the claims' "user-data" equals what this caller wrote (hex, either
 *    case: OpenHCL writes lower case, older paravisors upper case);
 *  - it is new: its SHA-256 differs from that of the last whole report this module
 *    read before the write (read once before the first write when unknown), so a
 *    report made earlier for the same user data (all zeros at boot, say) is not
 *    taken for a fresh one.
 *
 * Otherwise the request reads again, from offset 0, backing off from 5 ms up to
 * 200 ms, and gives up with -ETIMEDOUT after evidence_timeout_ms. A new, whole
 * report carrying someone else's user data means either an older request's
 * renewal or another writer: 0x01400002 is read back, and when it no longer holds
 * our data the request fails with -EBUSY rather than wait for a renewal that
 * would carry the other writer's binding.
 *
 * One caller's write and its reads form one critical section (evidence_lock), so two
 * callers of this module never receive each other's binding.
 */
#include <crypto/sha2.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/tpm.h>

#include "cvmguard.h"
#include "hcl.h"
#include "tpm2_cmd.h"

#define NV_HCL_REPORT		0x01400001
#define NV_HCL_USER_DATA	0x01400002
#define NV_USER_DATA_ATTRS	(TPMA_NV_OWNERWRITE | TPMA_NV_AUTHWRITE | \
				 TPMA_NV_OWNERREAD | TPMA_NV_AUTHREAD)
#define NV_CHUNK_DEFAULT	1024
#define POLL_FIRST_MS		5
#define POLL_MAX_MS		200
#define TIMEOUT_MIN_MS		100
#define TIMEOUT_MAX_MS		30000

/*
 * Bounded: a netlink GET_EVIDENCE sleeps this long at most, and generic netlink
 * holds its cb_lock (for reading) around every handler, also with parallel_ops,
 * so registering or unregistering any generic netlink family waits that long.
 */
static unsigned int evidence_timeout_ms = 5000;

static int evidence_timeout_set(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, TIMEOUT_MIN_MS, TIMEOUT_MAX_MS);
}

static const struct kernel_param_ops evidence_timeout_ops = {
	.set = evidence_timeout_set,
	.get = param_get_uint,
};
module_param_cb(evidence_timeout_ms, &evidence_timeout_ops, &evidence_timeout_ms, 0644);
MODULE_PARM_DESC(evidence_timeout_ms,
		 "How long to wait for the paravisor's fresh report, in ms (100-30000, default 5000)");

/*
 * Serialises one caller's user-data write with the reads of its report, and guards
 * the state below.
 */
static DEFINE_MUTEX(evidence_lock);

/*
 * TPM_PT_NV_BUFFER_MAX of the chip last asked, by the chip's number (no reference
 * is kept); only a value the TPM reported is kept. -1: none yet.
 */
static int chunk_chip_nr = -1;
static u32 chunk_size;

/* SHA-256 of the last whole report read, and whether there is one. */
static u8 last_report[SHA256_DIGEST_SIZE];
static bool last_report_valid;

/*
 * The backend once seen (enum cvmguard_backend); 0 until a report has been read.
 * probed_chip_nr: the chip whose report index was last looked for, -1: none.
 */
static int backend_seen;
static int probed_chip_nr = -1;

/*
 * Size and type of the last whole report read (0: none yet), read without the
 * lock by cvmguard_evidence_size_hint(). Only a report that parsed is recorded,
 * so the size is at least HCL_CLAIMS_OFFSET and at most HCL_INDEX_MAX.
 */
static u32 last_size;
static u32 last_type;

static void remember_report(u32 size, u32 type)
{
	lockdep_assert_held(&evidence_lock);
	WRITE_ONCE(last_type, type);
	WRITE_ONCE(last_size, size);
}

static u32 nv_chunk(struct tpm_chip *chip)
{
	u32 max;

	lockdep_assert_held(&evidence_lock);
	if (chip->dev_num == chunk_chip_nr)
		return chunk_size;
	if (cvmguard_tpm_get_property(chip, TPM2_PT_NV_BUFFER_MAX, &max) || !max)
		return NV_CHUNK_DEFAULT;	/* a guess: not cached */
	/* The response must fit the one page tpm_transmit_cmd() works in. */
	chunk_size = min_t(u32, max, PAGE_SIZE - 128);
	chunk_chip_nr = chip->dev_num;
	return chunk_size;
}

/* Read @len bytes of the report index from @offset, in chunks of @chunk. */
static int read_range(struct tpm_chip *chip, u8 *buf, u32 offset, u32 len, u32 chunk)
{
	u32 n;
	int rc;

	while (len) {
		n = min(len, chunk);
		rc = cvmguard_nv_read(chip, NV_HCL_REPORT, buf + offset, n, offset);
		if (rc)
			return cvmguard_tpm_rc_errno(rc);
		offset += n;
		len -= n;
	}
	return 0;
}

/*
 * Read the meaningful part of the report, always from offset 0 (which is what
 * makes OpenHCL renew it): the first chunk tells its size.
 * Return: the report's size, or a negative errno.
 */
static int read_report(struct tpm_chip *chip, u8 *buf, u32 index_size, u32 chunk)
{
	u32 first = min(index_size, chunk), size;
	int rc;

	if (index_size < HCL_CLAIMS_OFFSET)
		return -EPROTO;
	rc = read_range(chip, buf, 0, first, chunk);
	if (rc)
		return rc;
	size = cvmguard_hcl_size(buf);
	if (size < HCL_CLAIMS_OFFSET || size > index_size)
		return -EPROTO;
	if (size > first) {
		rc = read_range(chip, buf, first, size - first, chunk);
		if (rc)
			return rc;
	}
	return size;
}

/* The report index's size, refused when larger than the module hands out. */
static int report_index_size(struct tpm_chip *chip, u32 *size)
{
	struct cvmguard_nv_public pub;
	int rc;

	rc = cvmguard_nv_read_public(chip, NV_HCL_REPORT, &pub);
	if (rc)
		return cvmguard_tpm_rc_errno(rc);
	if (pub.data_size > HCL_INDEX_MAX) {
		pr_warn_ratelimited("report index of %u bytes, more than %u: refused\n",
				    pub.data_size, HCL_INDEX_MAX);
		return -EMSGSIZE;
	}
	*size = pub.data_size;
	return 0;
}

static int backend_of(u32 type)
{
	return type == HCL_REPORT_TYPE_TDX ? CVMGUARD_BACKEND_PARAVISOR_TDX :
					     CVMGUARD_BACKEND_PARAVISOR_SNP;
}

/*
 * Write the user data. The index normally exists; when the TPM says it does not,
 * define it as Azure guests must and write again. Trying the write first saves a
 * TPM command on every request.
 */
static int write_user_data(struct tpm_chip *chip, const u8 *user_data)
{
	int rc;

	rc = cvmguard_nv_write(chip, NV_HCL_USER_DATA, user_data, CVMGUARD_USER_DATA_LEN, 0);
	if (cvmguard_tpm_rc_errno(rc) != -ENOENT)
		return cvmguard_tpm_rc_errno(rc);
	rc = cvmguard_nv_define_space(chip, NV_HCL_USER_DATA, NV_USER_DATA_ATTRS,
				      CVMGUARD_USER_DATA_LEN);
	if (rc)
		return rc < 0 ? rc : -EIO;
	rc = cvmguard_nv_write(chip, NV_HCL_USER_DATA, user_data, CVMGUARD_USER_DATA_LEN, 0);
	return cvmguard_tpm_rc_errno(rc);
}

/*
 * Read the report until it is whole, or give up at @deadline; hash it into @hash.
 * Return: the report's size, or a negative errno; *@hcl describes it.
 */
static int read_whole(struct tpm_chip *chip, u8 *buf, u32 index_size, u32 chunk,
		      struct cvmguard_hcl *hcl, u8 *hash)
{
	int size, rc;

	size = read_report(chip, buf, index_size, chunk);
	if (size < 0)
		return size;
	rc = cvmguard_hcl_parse(buf, size, hcl);
	if (rc)
		return rc;
	if (!cvmguard_hcl_whole(buf, hcl))
		return -EAGAIN;
	sha256(buf, size, hash);
	return size;
}

/* Does 0x01400002 still hold @user_data? Return: 1, 0, or a negative errno. */
static int user_data_still_ours(struct tpm_chip *chip, const u8 *user_data)
{
	u8 now[CVMGUARD_USER_DATA_LEN];
	int rc;

	rc = cvmguard_nv_read(chip, NV_HCL_USER_DATA, now, sizeof(now), 0);
	if (rc)
		return cvmguard_tpm_rc_errno(rc);
	return !memcmp(now, user_data, sizeof(now));
}

/* The request itself; evidence_lock is held. Return: the report size or -errno. */
static int fetch_locked(struct tpm_chip *chip, const u8 *user_data, u8 **out, u32 *type)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(READ_ONCE(evidence_timeout_ms));
	unsigned int delay = POLL_FIRST_MS, torn = 0;
	u8 before[SHA256_DIGEST_SIZE], hash[SHA256_DIGEST_SIZE];
	struct cvmguard_hcl hcl;
	u32 chunk, index_size;
	u8 *buf;
	int rc, size;

	lockdep_assert_held(&evidence_lock);

	rc = report_index_size(chip, &index_size);
	if (rc)
		return rc;
	chunk = nv_chunk(chip);
	/* At most HCL_INDEX_MAX; a failure is -ENOMEM to the caller, no console dump. */
	buf = kvzalloc(index_size, GFP_KERNEL | __GFP_NOWARN);
	if (!buf)
		return -ENOMEM;

	/* The report before the write: the last one read, or read it now. */
	while (!last_report_valid) {
		size = read_whole(chip, buf, index_size, chunk, &hcl, hash);
		if (size >= 0) {
			memcpy(last_report, hash, sizeof(hash));
			last_report_valid = true;
			remember_report(size, hcl.type);
		} else if (size != -EAGAIN) {
			rc = size;
			goto out;
		} else if (time_after(jiffies, deadline)) {
			rc = -ETIMEDOUT;
			goto out;
		} else if (msleep_interruptible(POLL_FIRST_MS)) {
			rc = -EINTR;
			goto out;
		}
	}
	memcpy(before, last_report, sizeof(before));

	rc = write_user_data(chip, user_data);
	if (rc)
		goto out;

	for (;;) {
		size = read_whole(chip, buf, index_size, chunk, &hcl, hash);
		if (size >= 0) {
			memcpy(last_report, hash, sizeof(hash));
			WRITE_ONCE(backend_seen, backend_of(hcl.type));
			remember_report(size, hcl.type);
			if (memcmp(hash, before, sizeof(hash)) &&
			    cvmguard_hcl_user_data_matches(&hcl, user_data)) {
				*out = buf;
				*type = hcl.type;
				return size;
			}
			if (memcmp(hash, before, sizeof(hash))) {
				/* New, whole, not ours: an older renewal, or another writer? */
				rc = user_data_still_ours(chip, user_data);
				if (rc < 0)
					break;
				if (!rc) {
					pr_warn_ratelimited("another writer replaced the user data in 0x%08x; request refused\n",
							    NV_HCL_USER_DATA);
					rc = -EBUSY;
					break;
				}
				memcpy(before, hash, sizeof(hash));
			}
		} else if (size == -EAGAIN) {
			torn++;
		} else {
			rc = size;
			break;
		}
		if (time_after(jiffies, deadline)) {
			rc = -ETIMEDOUT;
			break;
		}
		if (msleep_interruptible(delay)) {
			rc = -EINTR;
			break;
		}
		delay = min(delay * 2, POLL_MAX_MS);
	}
	if (torn)
		pr_debug("%u reads of a report that was not whole\n", torn);
out:
	kvfree(buf);
	return rc;
}

/**
 * cvmguard_get_evidence() - a fresh HCL report bound to @user_data
 * @user_data: CVMGUARD_USER_DATA_LEN bytes
 * @report: receives the report (kvfree() it)
 * @type: receives the report type (CVMGUARD_REPORT_SNP or _TDX)
 *
 * Return: the report's size, or -ENODEV (no TPM), -ENOENT (no report index),
 * -EIO (TPM error), -ETIMEDOUT (no fresh, whole report bound to @user_data in
 * time), -EBUSY (another writer replaced the user data), -EPROTO (malformed
 * report or unknown report type), -EMSGSIZE (report index above HCL_INDEX_MAX),
 * -EINTR (signal), -ENOMEM.
 */
int cvmguard_get_evidence(const u8 *user_data, u8 **report, u32 *type)
{
	struct tpm_chip *chip = cvmguard_tpm_get();
	int rc;

	if (!chip)
		return -ENODEV;
	rc = mutex_lock_interruptible(&evidence_lock);
	if (!rc) {
		rc = fetch_locked(chip, user_data, report, type);
		mutex_unlock(&evidence_lock);
	}
	cvmguard_tpm_put(chip);
	return rc;
}

/**
 * cvmguard_evidence_size_hint() - the report size a caller's buffer needs, untried
 * @type: receives the type of the last report read (0 when none was)
 *
 * Answers without a TPM command, so a size probe (report_len 0) or a buffer no
 * report can fit costs no vTPM round trip: the size of the last whole report this
 * module read (at load, by GET_INFO's first privileged look, or by a request), or
 * CVMGUARD_REPORT_MAX when none was read yet. Reports of one VM keep their size
 * (only the user data and the hardware report's contents change), but a hint may
 * be stale: a buffer of the hinted size can still get -ENOSPC after the request;
 * CVMGUARD_REPORT_MAX bytes always suffice.
 *
 * Return: the size, or -ENODEV when there is no TPM.
 */
int cvmguard_evidence_size_hint(u32 *type)
{
	struct tpm_chip *chip = cvmguard_tpm_get();
	u32 size;

	if (!chip)
		return -ENODEV;
	cvmguard_tpm_put(chip);
	size = READ_ONCE(last_size);
	*type = size ? READ_ONCE(last_type) : 0;
	return size ?: CVMGUARD_REPORT_MAX;
}

/**
 * cvmguard_evidence_backend() - which evidence backend this VM has
 * @chip: the TPM, or NULL
 * @may_probe: whether TPM commands may be sent to find out
 *
 * Answers from what the module already knows. With @may_probe (module load, or a
 * caller with CAP_SYS_ADMIN) and a chip not yet looked at, reads the report index
 * once; the answer, also "none", is kept for that chip. Unprivileged callers never
 * cause a TPM command here.
 *
 * Return: an enum cvmguard_backend value.
 */
int cvmguard_evidence_backend(struct tpm_chip *chip, bool may_probe)
{
	struct cvmguard_hcl hcl;
	u8 hash[SHA256_DIGEST_SIZE];
	int backend = READ_ONCE(backend_seen);
	u32 index_size;
	int size;
	u8 *buf;

	if (backend || !chip || !may_probe || READ_ONCE(probed_chip_nr) == chip->dev_num)
		return backend;
	if (mutex_lock_killable(&evidence_lock))
		return backend;
	if (probed_chip_nr == chip->dev_num || backend_seen)
		goto out_unlock;
	WRITE_ONCE(probed_chip_nr, chip->dev_num);
	if (report_index_size(chip, &index_size) || index_size < HCL_CLAIMS_OFFSET)
		goto out_unlock;
	buf = kvzalloc(index_size, GFP_KERNEL | __GFP_NOWARN);
	if (!buf)
		goto out_unlock;
	size = read_whole(chip, buf, index_size, nv_chunk(chip), &hcl, hash);
	if (size == -EAGAIN)
		size = read_whole(chip, buf, index_size, nv_chunk(chip), &hcl, hash);
	if (size > 0) {
		WRITE_ONCE(backend_seen, backend_of(hcl.type));
		memcpy(last_report, hash, sizeof(hash));
		last_report_valid = true;
		remember_report(size, hcl.type);
	}
	kvfree(buf);
out_unlock:
	backend = backend_seen;
	mutex_unlock(&evidence_lock);
	return backend;
}
