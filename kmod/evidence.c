// SPDX-License-Identifier: GPL-2.0
/*
 * Attestation evidence from an Azure-style paravisor over the vTPM.
 *
 * The guest writes 64 bytes of user data to NV index 0x01400002; the paravisor then
 * produces a fresh HCL report, bound to that data, in NV index 0x01400001. It does
 * so asynchronously, so a read straight after the write may return the previous
 * report. Rather than sleeping a fixed time and hoping, each request reads the
 * report until its runtime claims carry the caller's user data, backing off from
 * 5 ms up to 200 ms between reads, and gives up with -ETIMEDOUT after
 * evidence_timeout_ms.
 *
 * One caller's write and its reads form one critical section (evidence_lock), so two
 * callers never receive each other's binding.
 */
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/minmax.h>
#include <linux/module.h>
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

static unsigned int evidence_timeout_ms = 5000;
module_param(evidence_timeout_ms, uint, 0644);
MODULE_PARM_DESC(evidence_timeout_ms,
		 "How long to wait for the paravisor's fresh report, in ms (default 5000)");

/*
 * Serialises one caller's user-data write with the reads of its report, and guards
 * the chunk-size cache below.
 */
static DEFINE_MUTEX(evidence_lock);

/* TPM_PT_NV_BUFFER_MAX of the chip last asked; a constant of the TPM. */
static struct tpm_chip *chunk_chip;
static u32 chunk_size;

/* The backend once seen (enum cvmguard_backend); 0 until a report has been read. */
static int backend_seen;

static u32 nv_chunk(struct tpm_chip *chip)
{
	u32 max;

	lockdep_assert_held(&evidence_lock);
	if (chip == chunk_chip)
		return chunk_size;
	if (cvmguard_tpm_get_property(chip, TPM2_PT_NV_BUFFER_MAX, &max) || !max)
		max = NV_CHUNK_DEFAULT;
	/* The response must fit the one page tpm_transmit_cmd() works in. */
	chunk_size = min_t(u32, max, PAGE_SIZE - 128);
	chunk_chip = chip;
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
 * Read the meaningful part of the report: the first chunk tells its size.
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

/* The request itself; evidence_lock is held. Return: the report size or -errno. */
static int fetch_locked(struct tpm_chip *chip, const u8 *user_data, u8 **out, u32 *type)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(READ_ONCE(evidence_timeout_ms));
	unsigned int delay = POLL_FIRST_MS;
	struct cvmguard_nv_public pub;
	struct cvmguard_hcl hcl;
	u32 chunk;
	u8 *buf;
	int rc, size;

	lockdep_assert_held(&evidence_lock);

	rc = cvmguard_nv_read_public(chip, NV_HCL_REPORT, &pub);
	if (rc)
		return cvmguard_tpm_rc_errno(rc);
	rc = write_user_data(chip, user_data);
	if (rc)
		return rc;

	chunk = nv_chunk(chip);
	/*
	 * The size is the TPM's (up to 64 KiB); a failure goes back to the caller
	 * as -ENOMEM, so no allocation-failure dump on the console.
	 */
	buf = kvzalloc(pub.data_size, GFP_KERNEL | __GFP_NOWARN);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		size = read_report(chip, buf, pub.data_size, chunk);
		if (size < 0) {
			rc = size;
			break;
		}
		rc = cvmguard_hcl_parse(buf, size, &hcl);
		if (rc)
			break;
		if (cvmguard_hcl_user_data_matches(&hcl, user_data)) {
			*out = buf;
			*type = hcl.type;
			WRITE_ONCE(backend_seen, backend_of(hcl.type));
			return size;
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
 * -EIO (TPM error), -ETIMEDOUT (no fresh report in time), -EPROTO (malformed
 * report or unknown report type), -EINTR (signal), -ENOMEM.
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
 * cvmguard_evidence_backend() - which evidence backend this VM has
 * @chip: the TPM, or NULL
 *
 * Looks at the report index once a TPM is there and remembers what it found.
 *
 * Return: an enum cvmguard_backend value.
 */
int cvmguard_evidence_backend(struct tpm_chip *chip)
{
	struct cvmguard_nv_public pub;
	struct cvmguard_hcl hcl;
	int backend = READ_ONCE(backend_seen);
	int size;
	u8 *buf;

	if (backend || !chip)
		return backend;
	if (cvmguard_nv_read_public(chip, NV_HCL_REPORT, &pub) || pub.data_size < HCL_CLAIMS_OFFSET)
		return CVMGUARD_BACKEND_NONE;
	buf = kvzalloc(pub.data_size, GFP_KERNEL | __GFP_NOWARN);
	if (!buf)
		return CVMGUARD_BACKEND_NONE;
	if (mutex_lock_interruptible(&evidence_lock))
		goto out;
	size = read_report(chip, buf, pub.data_size, nv_chunk(chip));
	if (size > 0 && !cvmguard_hcl_parse(buf, size, &hcl)) {
		backend = backend_of(hcl.type);
		WRITE_ONCE(backend_seen, backend);
	}
	mutex_unlock(&evidence_lock);
out:
	kvfree(buf);
	return backend;
}
