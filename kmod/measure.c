// SPDX-License-Identifier: GPL-2.0
/*
 * Measurements: extend a vTPM PCR with caller data and keep an event log a verifier
 * can replay, in the TCG PC Client crypto-agile format.
 *
 * One mutex (cvmguard_log.lock) covers hashing, TPM2_PCR_Extend and the append, so
 * the log's order is the order in which the TPM saw the extends. Everything the
 * append needs (log space, the index slot) is reserved before the TPM is touched:
 * once the TPM has extended, logging cannot fail, and when the TPM fails nothing
 * is logged.
 *
 * The log is append-only. Records are stored back to back, already in their TCG
 * byte form, in large chunks (CVMGUARD_CHUNK_SIZE); an xarray maps each sequence
 * number to its record. Readers (securityfs in measure_fs.c, the netlink dump)
 * take no lock: they read the number of published events with acquire semantics
 * and look records up in the xarray. Records and chunks are never freed while the
 * module is loaded.
 *
 * Memory: the log_max_bytes cap counts each record's bytes plus
 * CVMGUARD_INDEX_COST for its index slot. A record is the TCG_PCR_EVENT2 itself:
 * pcrIndex, eventType, digest count, one algorithm id and digest per bank,
 * eventSize, event data. So an event costs its data, its digests, and
 * CVMGUARD_RECORD_OVERHEAD(banks) = 16 + 2 * banks + CVMGUARD_INDEX_COST bytes,
 * plus at most CVMGUARD_TAIL_COST bytes of chunk tail left unused (only when every
 * event is of the largest size); the static_assert below keeps that within 64.
 *
 * A TPM that answers with a response code has not extended, and nothing is logged.
 * A driver that gives up without an answer (a timeout, a transport error) leaves
 * it open whether the TPM extended. So that the log still replays to the PCR, the
 * module keeps, for every PCR it extends, the value it expects the PCR to hold in
 * one bank it can hash (the first bank, or the one that bank borrows from), read once
 * from the TPM and then advanced by each extend; after such a failure it reads the
 * PCR back and logs the event when the PCR holds the extended value. When the PCR
 * cannot be read back either, the event is kept aside and the next extend first
 * reads the PCR again and logs it (late, but in the TPM's order) if it took effect;
 * until then extends fail. Only someone else extending the same PCR between two of
 * ours, followed by such a failure, leaves the question open; that is logged.
 * Errors that mean the command never reached the TPM (-ENODEV, -ENOMEM, -EINVAL,
 * -E2BIG, from the kernel's checks before sending) fail the extend at once, with
 * no read-back.
 */
#include <crypto/hash.h>
#include <crypto/hash_info.h>
#include <linux/delay.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/tpm.h>
#include <linux/xarray.h>

#include "cvmguard.h"

#define CVMGUARD_CHUNK_SIZE		(1024 * 1024)
/* xarray: a 576-byte node holds 64 slots (9 bytes each); 10 pays interior nodes too */
#define CVMGUARD_INDEX_COST		10
/* pcrIndex, eventType, digests.count, eventSize */
#define CVMGUARD_RECORD_FIXED		16
#define CVMGUARD_RECORD_OVERHEAD(banks)	(CVMGUARD_RECORD_FIXED + 2 * (banks) + CVMGUARD_INDEX_COST)
#define CVMGUARD_RECORD_MAX \
	(CVMGUARD_RECORD_FIXED + TPM2_MAX_PCR_BANKS * (2 + TPM2_MAX_DIGEST_SIZE) + \
	 CVMGUARD_EVENT_DATA_MAX)
#define CVMGUARD_TAIL_COST \
	DIV_ROUND_UP(CVMGUARD_RECORD_MAX, CVMGUARD_CHUNK_SIZE / CVMGUARD_RECORD_MAX)
static_assert(CVMGUARD_MAX_BANKS == TPM2_MAX_PCR_BANKS, "struct cvmguard_event must hold every bank");
static_assert(CVMGUARD_RECORD_OVERHEAD(TPM2_MAX_PCR_BANKS) + CVMGUARD_TAIL_COST <= 64,
	      "per-event overhead must stay within 64 bytes");

static unsigned int allowed_pcrs = BIT(CVMGUARD_DEFAULT_PCR);
module_param(allowed_pcrs, uint, 0444);
MODULE_PARM_DESC(allowed_pcrs,
		 "bit mask of the PCRs EXTEND may use, within 0-15 (default: PCR 13 only)");

static unsigned int default_pcr = CVMGUARD_DEFAULT_PCR;
module_param(default_pcr, uint, 0444);
MODULE_PARM_DESC(default_pcr, "the PCR tools use when not told one (default 13)");

static bool allow_group_extend;
module_param(allow_group_extend, bool, 0444);
MODULE_PARM_DESC(allow_group_extend,
		 "let anyone who can open /dev/cvmguard for writing extend, not only CAP_SYS_ADMIN");

static unsigned long log_max_bytes = 16UL << 20;
module_param(log_max_bytes, ulong, 0444);
MODULE_PARM_DESC(log_max_bytes, "cap on the event log's memory, in bytes (default 16 MiB)");

struct cvmguard_bank {
	u16 alg_id;
	u16 digest_size;
	struct crypto_shash *tfm;	/* NULL: the kernel cannot compute it */
	unsigned int src;		/* the bank whose digest extends this one */
};

struct cvmguard_chunk {
	struct list_head list;
	size_t size;
	size_t used;
	u8 data[];
};

static struct cvmguard_log {
	/*
	 * Serialises extends: hashing, TPM2_PCR_Extend, the append and the
	 * notification. Guards every field below, except that readers may use
	 * banks/nr_banks and the index locklessly for events below nr_events.
	 */
	struct mutex lock;
	/* The PCR banks, fixed at the first extend; written before nr_events is. */
	struct cvmguard_bank banks[TPM2_MAX_PCR_BANKS];
	unsigned int nr_banks;
	struct list_head chunks;
	struct cvmguard_chunk *cur;
	size_t bytes;
	/* seq -> record; xarray's own lock and RCU make lookups safe without ours */
	struct xarray index;
	/* Events published; read with smp_load_acquire(). */
	u64 nr_events;
	/* What each PCR should hold in bank banks[0].src; valid where the bit is set. */
	u8 expect[CVMGUARD_PCR_MAX + 1][TPM2_MAX_DIGEST_SIZE];
	unsigned long expect_valid;
	/*
	 * An extend whose outcome is not known yet (the driver failed and the PCR
	 * could not be read back): its record, and the PCR value it would make.
	 * Settled before any other extend, so the log keeps the TPM's order.
	 */
	struct {
		u8 *rec;
		size_t len;
		u32 pcr;
		u8 next[TPM2_MAX_DIGEST_SIZE];
	} pending;
} cvmguard_log = {
	.lock = __MUTEX_INITIALIZER(cvmguard_log.lock),
	.chunks = LIST_HEAD_INIT(cvmguard_log.chunks),
	.index = XARRAY_INIT(cvmguard_log.index, 0),
};

/**
 * cvmguard_measure_may_extend() - may the opener of /dev/cvmguard extend?
 * @admin: the opener had CAP_SYS_ADMIN
 *
 * Return: true for CAP_SYS_ADMIN, or for anyone when allow_group_extend is set
 * (the device node's mode then decides: root and the cvmguard group).
 */
bool cvmguard_measure_may_extend(bool admin)
{
	return allow_group_extend || admin;
}

/**
 * cvmguard_measure_check() - validate an EXTEND request's fields
 * @pcr: PCR index
 * @event_type: TCG event type
 * @data_len: event data length
 *
 * Return: 0, -EINVAL for a PCR outside allowed_pcrs, EV_NO_ACTION or empty data,
 * -E2BIG for data longer than CVMGUARD_EVENT_DATA_MAX.
 */
int cvmguard_measure_check(u32 pcr, u32 event_type, u32 data_len)
{
	if (pcr > CVMGUARD_PCR_MAX || !(allowed_pcrs & BIT(pcr)))
		return -EINVAL;
	if (event_type == CVMGUARD_EV_NO_ACTION)
		return -EINVAL;
	if (!data_len)
		return -EINVAL;
	if (data_len > CVMGUARD_EVENT_DATA_MAX)
		return -E2BIG;
	return 0;
}

static size_t cvmguard_record_prefix(const struct cvmguard_log *log)
{
	size_t len = CVMGUARD_RECORD_FIXED;
	unsigned int i;

	for (i = 0; i < log->nr_banks; i++)
		len += 2 + log->banks[i].digest_size;
	return len;
}

/*
 * First extend: adopt the chip's banks. Later: insist they have not changed.
 *
 * A bank whose algorithm this kernel cannot compute (no SHA-1 in a kernel built
 * without it, say) is extended, as IMA does, with the digest of another bank,
 * SHA-256 if it can, truncated or zero-padded to the bank's size. The log records
 * what was extended, so the replay still holds; only that bank's digests are not
 * hashes of the data in its own algorithm. No computable bank: -EOPNOTSUPP.
 */
static int cvmguard_log_banks(struct cvmguard_log *log, struct tpm_chip *chip)
{
	struct crypto_shash *tfm;
	unsigned int i, n;
	int src = -1, ret;

	lockdep_assert_held(&log->lock);

	if (log->nr_banks) {
		if (chip->nr_allocated_banks != log->nr_banks)
			goto changed;
		for (i = 0; i < log->nr_banks; i++)
			if (chip->allocated_banks[i].alg_id != log->banks[i].alg_id)
				goto changed;
		return 0;
	}
	n = chip->nr_allocated_banks;
	if (!n || n > TPM2_MAX_PCR_BANKS)
		return -ENODEV;
	for (i = 0; i < n; i++) {
		const struct tpm_bank_info *b = &chip->allocated_banks[i];

		log->banks[i].alg_id = b->alg_id;
		log->banks[i].digest_size = b->digest_size;
		log->banks[i].tfm = NULL;
		if (b->digest_size > TPM2_MAX_DIGEST_SIZE)
			goto out_free;
		if (b->crypto_id >= HASH_ALGO__LAST)
			continue;
		tfm = crypto_alloc_shash(hash_algo_name[b->crypto_id], 0, 0);
		if (IS_ERR(tfm)) {
			/*
			 * Only "no such algorithm" makes a borrowed bank, for good; a
			 * transient failure (memory, a signal while the module loads)
			 * fails this extend and the banks are decided again next time.
			 */
			if (PTR_ERR(tfm) != -ENOENT) {
				ret = PTR_ERR(tfm);
				goto out_free_quiet;
			}
			continue;
		}
		if (crypto_shash_digestsize(tfm) != b->digest_size) {
			crypto_free_shash(tfm);
			continue;
		}
		log->banks[i].tfm = tfm;
		if (src < 0 || b->alg_id == TPM_ALG_SHA256)
			src = i;
	}
	if (src < 0)
		goto out_free;
	for (i = 0; i < n; i++) {
		log->banks[i].src = log->banks[i].tfm ? i : src;
		if (!log->banks[i].tfm)
			pr_info("PCR bank 0x%04x: no such hash in this kernel, extending it with bank 0x%04x's digest\n",
				log->banks[i].alg_id, log->banks[src].alg_id);
	}
	log->nr_banks = n;
	return 0;

out_free:
	ret = -EOPNOTSUPP;
	pr_warn_ratelimited("cannot compute a digest for the TPM's PCR banks\n");
out_free_quiet:
	for (i = 0; i < n; i++) {
		crypto_free_shash(log->banks[i].tfm);
		log->banks[i].tfm = NULL;
	}
	return ret;
changed:
	pr_warn_ratelimited("the TPM's PCR banks changed since the log began\n");
	return -EIO;
}

/* Read @pcr's value in the expectation bank into @out. */
static int cvmguard_pcr_read(struct cvmguard_log *log, struct tpm_chip *chip, u32 pcr, u8 *out)
{
	const struct cvmguard_bank *b = &log->banks[log->banks[0].src];
	struct tpm_digest d = { .alg_id = b->alg_id };
	int ret;

	ret = tpm_pcr_read(chip, pcr, &d);
	if (ret)
		return ret > 0 ? -EIO : ret;
	memcpy(out, d.digest, b->digest_size);
	return 0;
}

/* @next = H(@old || @digest) in the expectation bank: what an extend makes of @old. */
static int cvmguard_pcr_next(struct cvmguard_log *log, const u8 *old, const u8 *digest, u8 *next)
{
	const struct cvmguard_bank *b = &log->banks[log->banks[0].src];
	u8 buf[2 * TPM2_MAX_DIGEST_SIZE];

	memcpy(buf, old, b->digest_size);
	memcpy(buf + b->digest_size, digest, b->digest_size);
	return crypto_shash_tfm_digest(b->tfm, buf, 2 * b->digest_size, next);
}

/*
 * Make room for a record of @len bytes; return where it goes. A log whose cap is
 * below CVMGUARD_CHUNK_SIZE lives in one chunk sized for the cap, which the cap
 * check lets no record overflow.
 */
static u8 *cvmguard_log_reserve(struct cvmguard_log *log, size_t len)
{
	size_t size = offsetof(struct cvmguard_chunk, data) + CVMGUARD_CHUNK_SIZE;
	struct cvmguard_chunk *c = log->cur;

	lockdep_assert_held(&log->lock);

	if (c && c->size - c->used >= len)
		return c->data + c->used;
	if (log_max_bytes < CVMGUARD_CHUNK_SIZE)
		size = offsetof(struct cvmguard_chunk, data) + log_max_bytes;
	/* A failure fails the extend with -ENOMEM; the caller hears of it. */
	c = kvmalloc(size, GFP_KERNEL | __GFP_NOWARN);
	if (!c)
		return NULL;
	c->size = size - offsetof(struct cvmguard_chunk, data);
	c->used = 0;
	list_add_tail(&c->list, &log->chunks);
	log->cur = c;
	return c->data;
}

/* Publish the record at @rec (in the current chunk, its index slot reserved). */
static u64 cvmguard_log_commit(struct cvmguard_log *log, u8 *rec, size_t len)
{
	struct cvmguard_event ev;
	u64 seq = log->nr_events;

	log->cur->used += len;
	log->bytes += len + CVMGUARD_INDEX_COST;
	WARN_ON_ONCE(xa_err(xa_store(&log->index, seq, rec, GFP_KERNEL)));
	smp_store_release(&log->nr_events, seq + 1);

	/*
	 * Under the lock, so that listeners get events in log order; not built
	 * at all when nobody listens. A listener that subscribes meanwhile
	 * starts from GET_LOG anyway.
	 */
	if (cvmguard_genl_has_listeners()) {
		cvmguard_measure_parse(seq, rec, &ev);
		cvmguard_genl_notify(&ev);
	}
	return seq;
}

/*
 * Decide the pending extend, if any: read its PCR back; log the event when the PCR
 * holds the extended value, forget it when not. Return 0 when nothing is pending
 * any more, or an errno while the PCR still cannot be read (no other extend may
 * run before then, or the log's order would differ from the TPM's).
 */
static int cvmguard_settle_pending(struct cvmguard_log *log, struct tpm_chip *chip)
{
	unsigned int size = log->banks[log->banks[0].src].digest_size;
	u32 pcr = log->pending.pcr;
	u8 now[TPM2_MAX_DIGEST_SIZE];
	u8 *rec;
	int ret;

	if (!log->pending.rec)
		return 0;
	ret = cvmguard_pcr_read(log, chip, pcr, now);
	if (ret)
		return ret;
	if (!memcmp(now, log->pending.next, size)) {
		/* Beyond log_max_bytes if need be: the PCR holds it. */
		rec = cvmguard_log_reserve(log, log->pending.len);
		if (!rec)
			return -ENOMEM;
		ret = xa_reserve(&log->index, log->nr_events, GFP_KERNEL);
		if (ret)
			return ret;
		memcpy(rec, log->pending.rec, log->pending.len);
		cvmguard_log_commit(log, rec, log->pending.len);
		memcpy(log->expect[pcr], now, size);
		log->expect_valid |= BIT(pcr);
		pr_info("PCR %u: an extend whose outcome was unknown took effect; logged late\n",
			pcr);
	} else {
		memcpy(log->expect[pcr], now, size);
		log->expect_valid |= BIT(pcr);
		pr_info("PCR %u: an extend whose outcome was unknown did not take effect\n", pcr);
	}
	kfree(log->pending.rec);
	log->pending.rec = NULL;
	return 0;
}

/*
 * tpm_pcr_extend() failed with @err, a driver errno and no TPM response code: did
 * the TPM extend? Return 0 when @pcr reads back as @next (it did: log the record),
 * else @err. When the PCR cannot be read back, the record becomes the pending one.
 */
static int cvmguard_extend_settle(struct cvmguard_log *log, struct tpm_chip *chip, u32 pcr,
				  const u8 *next, const u8 *rec, size_t len, int err)
{
	unsigned int size = log->banks[log->banks[0].src].digest_size;
	u8 now[TPM2_MAX_DIGEST_SIZE];
	unsigned int try;

	for (try = 0; try < 3; try++) {
		if (try)
			msleep(100 << try);
		if (cvmguard_pcr_read(log, chip, pcr, now))
			continue;
		if (!memcmp(now, next, size)) {
			pr_info_ratelimited("PCR %u: the TPM driver failed (%d) but the extend took effect; logged\n",
					    pcr, err);
			return 0;
		}
		if (memcmp(now, log->expect[pcr], size)) {
			log->expect_valid &= ~BIT(pcr);
			pr_warn_ratelimited("PCR %u was extended outside cvmguard; the log cannot tell whether the failed extend (%d) took effect\n",
					    pcr, err);
		}
		return err;
	}
	log->pending.rec = kmemdup(rec, len, GFP_KERNEL);
	if (log->pending.rec) {
		log->pending.len = len;
		log->pending.pcr = pcr;
		memcpy(log->pending.next, next, size);
		log->expect_valid &= ~BIT(pcr);
		pr_warn_ratelimited("PCR %u: extend failed (%d) and the PCR cannot be read back; the next extend decides whether to log it\n",
				    pcr, err);
	} else {
		log->expect_valid &= ~BIT(pcr);
		pr_warn_ratelimited("PCR %u: extend failed (%d), the PCR cannot be read back and there is no memory to remember the event; the log may lack it\n",
				    pcr, err);
	}
	return err;
}

/*
 * Errors with which tpm_pcr_extend() gives up before the command is sent: no chip
 * or ops (-ENODEV), no buffer (-ENOMEM), digests not matching the banks (-EINVAL),
 * a command too large (-E2BIG). Anything else may have reached the TPM.
 */
static bool cvmguard_not_sent(int err)
{
	return err == -ENODEV || err == -ENOMEM || err == -EINVAL || err == -E2BIG;
}

/**
 * cvmguard_measure_extend() - hash @data for every bank, extend @pcr, log the event
 * @pcr: PCR index
 * @event_type: TCG event type
 * @data: event data
 * @data_len: its length
 * @seq: receives the event's sequence number
 *
 * Return: 0 or a negative errno: those of cvmguard_measure_check(), -ENODEV (no
 * TPM 2.0), -EOPNOTSUPP (no bank the kernel can hash), -EINTR (killed while
 * waiting for another extend), -EIO (the banks changed,
 * or the TPM returned an error code), -ENOSPC (log_max_bytes reached), -ENOMEM,
 * or the TPM driver's errno, also while an earlier extend's outcome is unknown.
 * Nothing is logged on error, except that an event whose extend failed with a
 * driver error and whose PCR could not be read back is logged by a later extend
 * once the PCR shows it took effect.
 */
int cvmguard_measure_extend(u32 pcr, u32 event_type, const void *data, u32 data_len, u64 *seq)
{
	struct cvmguard_log *log = &cvmguard_log;
	u8 next[TPM2_MAX_DIGEST_SIZE];
	struct tpm_digest *digests;
	struct tpm_chip *chip;
	size_t prefix, cost;
	unsigned int i, e;
	u8 *rec, *p;
	int ret;

	ret = cvmguard_measure_check(pcr, event_type, data_len);
	if (ret)
		return ret;
	chip = cvmguard_tpm_get();
	if (!chip)
		return -ENODEV;
	digests = kcalloc(TPM2_MAX_PCR_BANKS, sizeof(*digests), GFP_KERNEL);
	if (!digests) {
		ret = -ENOMEM;
		goto out_put_chip;
	}

	/* Killable: the holder may be stuck behind a TPM timeout and settle sleeps. */
	ret = mutex_lock_killable(&log->lock);
	if (ret)
		goto out_free;
	ret = cvmguard_log_banks(log, chip);
	if (ret)
		goto out_unlock;
	ret = cvmguard_settle_pending(log, chip);
	if (ret)
		goto out_unlock;

	prefix = cvmguard_record_prefix(log);
	cost = prefix + data_len + CVMGUARD_INDEX_COST;
	if (log->bytes + cost > log_max_bytes) {
		pr_warn_ratelimited("event log full (log_max_bytes=%lu), refusing to extend PCR %u\n",
				    log_max_bytes, pcr);
		ret = -ENOSPC;
		goto out_unlock;
	}
	rec = cvmguard_log_reserve(log, prefix + data_len);
	if (!rec) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	ret = xa_reserve(&log->index, log->nr_events, GFP_KERNEL);
	if (ret)
		goto out_unlock;

	for (i = 0; i < log->nr_banks; i++) {
		digests[i].alg_id = log->banks[i].alg_id;
		if (!log->banks[i].tfm)
			continue;
		ret = crypto_shash_tfm_digest(log->banks[i].tfm, data, data_len,
					      digests[i].digest);
		if (ret)
			goto out_release;
	}
	for (i = 0; i < log->nr_banks; i++) {
		const struct cvmguard_bank *b = &log->banks[i], *src = &log->banks[b->src];

		if (!b->tfm)
			memcpy(digests[i].digest, digests[b->src].digest,
			       min(b->digest_size, src->digest_size));
	}
	e = log->banks[0].src;
	if (!(log->expect_valid & BIT(pcr))) {
		ret = cvmguard_pcr_read(log, chip, pcr, log->expect[pcr]);
		if (ret)
			goto out_release;
		log->expect_valid |= BIT(pcr);
	}
	ret = cvmguard_pcr_next(log, log->expect[pcr], digests[e].digest, next);
	if (ret)
		goto out_release;

	/* TCG_PCR_EVENT2, little-endian, ready before the TPM is asked. */
	p = rec;
	put_unaligned_le32(pcr, p);
	put_unaligned_le32(event_type, p + 4);
	put_unaligned_le32(log->nr_banks, p + 8);
	p += 12;
	for (i = 0; i < log->nr_banks; i++) {
		put_unaligned_le16(log->banks[i].alg_id, p);
		memcpy(p + 2, digests[i].digest, log->banks[i].digest_size);
		p += 2 + log->banks[i].digest_size;
	}
	put_unaligned_le32(data_len, p);
	memcpy(p + 4, data, data_len);

	ret = tpm_pcr_extend(chip, pcr, digests);
	if (ret > 0)
		ret = -EIO;	/* a TPM response code: not extended */
	else if (ret < 0 && !cvmguard_not_sent(ret))
		ret = cvmguard_extend_settle(log, chip, pcr, next, rec, prefix + data_len, ret);
	if (ret)
		goto out_release;

	/* From here on nothing can fail. */
	memcpy(log->expect[pcr], next, log->banks[e].digest_size);
	*seq = cvmguard_log_commit(log, rec, prefix + data_len);
	goto out_unlock;

out_release:
	xa_release(&log->index, log->nr_events);
out_unlock:
	mutex_unlock(&log->lock);
out_free:
	kfree(digests);
out_put_chip:
	cvmguard_tpm_put(chip);
	return ret;
}

/**
 * cvmguard_measure_parse() - describe a logged record
 * @seq: its sequence number
 * @rec: the record (TCG_PCR_EVENT2 bytes)
 * @ev: receives the fields; its pointers point into the record
 *
 * Only for records below nr_events (the bank layout is then fixed).
 */
void cvmguard_measure_parse(u64 seq, const u8 *rec, struct cvmguard_event *ev)
{
	const struct cvmguard_log *log = &cvmguard_log;
	const u8 *p = rec + 12;
	unsigned int i;

	ev->seq = seq;
	ev->pcr = get_unaligned_le32(rec);
	ev->type = get_unaligned_le32(rec + 4);
	ev->nr_digests = log->nr_banks;
	for (i = 0; i < log->nr_banks; i++) {
		ev->digests[i].alg_id = log->banks[i].alg_id;
		ev->digests[i].size = log->banks[i].digest_size;
		ev->digests[i].value = p + 2;
		p += 2 + log->banks[i].digest_size;
	}
	ev->data_len = get_unaligned_le32(p);
	ev->data = p + 4;
	ev->record = rec;
	ev->record_len = p + 4 + ev->data_len - rec;
}

/**
 * cvmguard_measure_get() - look up a published event
 * @seq: its sequence number
 * @ev: receives it
 *
 * Return: 0, or -ENOENT when @seq is not (yet) in the log.
 */
int cvmguard_measure_get(u64 seq, struct cvmguard_event *ev)
{
	const u8 *rec;

	if (seq >= smp_load_acquire(&cvmguard_log.nr_events))
		return -ENOENT;
	rec = xa_load(&cvmguard_log.index, seq);
	if (WARN_ON_ONCE(!rec))
		return -ENOENT;
	cvmguard_measure_parse(seq, rec, ev);
	return 0;
}

/**
 * cvmguard_measure_banks() - the log's PCR banks
 * @alg_id: receives the TPM_ALG_ID of each bank, in bank order
 * @size: receives each bank's digest size
 *
 * Only meaningful once an event is published (cvmguard_measure_get() found one):
 * the banks are fixed before the first event is.
 *
 * Return: the number of banks, at most CVMGUARD_MAX_BANKS.
 */
unsigned int cvmguard_measure_banks(u16 *alg_id, u16 *size)
{
	const struct cvmguard_log *log = &cvmguard_log;
	unsigned int i;

	for (i = 0; i < log->nr_banks; i++) {
		alg_id[i] = log->banks[i].alg_id;
		size[i] = log->banks[i].digest_size;
	}
	return log->nr_banks;
}

/**
 * cvmguard_measure_init() - check the parameters, create the securityfs files
 *
 * Return: 0, -EINVAL for a bad allowed_pcrs or default_pcr, or a securityfs errno.
 */
int __init cvmguard_measure_init(void)
{
	/* 16 and 23 are resettable from the guest, 17-22 need locality 4. */
	if (allowed_pcrs & ~GENMASK(15, 0)) {
		pr_err("allowed_pcrs 0x%x: only PCRs 0-15 can be allowed\n", allowed_pcrs);
		return -EINVAL;
	}
	if (default_pcr > 15 || !(allowed_pcrs & BIT(default_pcr))) {
		pr_err("default_pcr %u is not in allowed_pcrs 0x%x\n", default_pcr, allowed_pcrs);
		return -EINVAL;
	}
	return cvmguard_measure_fs_init();
}

/**
 * cvmguard_measure_exit() - remove the securityfs files, then free the log
 *
 * The netlink family and the device must already be gone, so no extend runs.
 * Open securityfs files hold a module reference, so no reader is left either.
 */
void cvmguard_measure_exit(void)
{
	struct cvmguard_log *log = &cvmguard_log;
	struct cvmguard_chunk *c, *tmp;
	unsigned int i;

	cvmguard_measure_fs_exit();

	xa_destroy(&log->index);
	list_for_each_entry_safe(c, tmp, &log->chunks, list)
		kvfree(c);
	for (i = 0; i < log->nr_banks; i++)
		crypto_free_shash(log->banks[i].tfm);
	kfree(log->pending.rec);
}
