// SPDX-License-Identifier: GPL-2.0
/*
 * The event log in securityfs, IMA-style: cvmguard/binary_measurements (the TCG PC
 * Client crypto-agile log) and cvmguard/ascii_measurements share one seq_file
 * iterator and differ only in show(). Reads take no lock (see measure.c); both
 * files are root-only and hold a module reference while open (taken in open, see
 * "Lifetime" below).
 */
#include <linux/kmemleak.h>
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/srcu.h>
#include <linux/module.h>
#include <linux/security.h>
#include <linux/seq_file.h>
#include <linux/tpm.h>

#include "cvmguard.h"

static struct dentry *cvmguard_sfs_dir, *cvmguard_sfs_bin, *cvmguard_sfs_ascii;

/*
 * securityfs: cvmguard/binary_measurements and cvmguard/ascii_measurements share
 * one iterator. Position 0 is the log header (SEQ_START_TOKEN), position n > 0 is
 * event n - 1. An empty log (no extend yet, so no known banks) is an empty file.
 */
static void *cvmguard_sfs_start(struct seq_file *m, loff_t *pos)
{
	struct cvmguard_event *ev = m->private;

	/* The header only once there is an event: the banks are known then. */
	if (*pos < 0 || cvmguard_measure_get(*pos ? *pos - 1 : 0, ev))
		return NULL;
	return *pos ? ev : SEQ_START_TOKEN;
}

static void *cvmguard_sfs_next(struct seq_file *m, void *v, loff_t *pos)
{
	(*pos)++;
	return cvmguard_sfs_start(m, pos);
}

static void cvmguard_sfs_stop(struct seq_file *m, void *v)
{
}

/*
 * binary_measurements: the TCG PC Client crypto-agile event log.
 *
 * First a TCG_PCClientPCREvent (SHA-1 format) for PCR 0, type EV_NO_ACTION,
 * digest all zero, whose data is a TCG_EfiSpecIDEvent: "Spec ID Event03",
 * platformClass 0, spec version 2.0 errata 0, uintnSize 2 (UINT64), the number of
 * algorithms, {algorithmId, digestSize} per bank in the TPM's bank order, and
 * vendorInfoSize 0. Then one TCG_PCR_EVENT2 per event: pcrIndex, eventType,
 * TPML_DIGEST_VALUES (count, then algorithmId and digest per bank), eventSize,
 * event data. All integers little-endian.
 */
static int cvmguard_sfs_bin_show(struct seq_file *m, void *v)
{
	const struct cvmguard_event *ev = v;
	static const u8 sig[16] = "Spec ID Event03";
	u16 alg[CVMGUARD_MAX_BANKS], size[CVMGUARD_MAX_BANKS];
	unsigned int i, n;
	u8 hdr[32];

	if (v != SEQ_START_TOKEN) {
		seq_write(m, ev->record, ev->record_len);
		return 0;
	}
	n = cvmguard_measure_banks(alg, size);
	memset(hdr, 0, sizeof(hdr));
	put_unaligned_le32(0, hdr);
	put_unaligned_le32(CVMGUARD_EV_NO_ACTION, hdr + 4);
	seq_write(m, hdr, 28);		/* pcrIndex, eventType, 20-byte SHA-1 digest */
	put_unaligned_le32(sizeof(sig) + 4 + 4 + 4 + 4 * n + 1, hdr);
	seq_write(m, hdr, 4);		/* eventDataSize */
	seq_write(m, sig, sizeof(sig));
	memset(hdr, 0, sizeof(hdr));
	hdr[5] = 2;			/* specVersionMajor */
	hdr[7] = 2;			/* uintnSize: UINT64 */
	put_unaligned_le32(n, hdr + 8);
	seq_write(m, hdr, 12);		/* platformClass .. numberOfAlgorithms */
	for (i = 0; i < n; i++) {
		put_unaligned_le16(alg[i], hdr);
		put_unaligned_le16(size[i], hdr + 2);
		seq_write(m, hdr, 4);
	}
	seq_putc(m, 0);			/* vendorInfoSize */
	return 0;
}

static const char *cvmguard_alg_name(u16 alg_id)
{
	switch (alg_id) {
	case TPM_ALG_SHA1:
		return "sha1";
	case TPM_ALG_SHA256:
		return "sha256";
	case TPM_ALG_SHA384:
		return "sha384";
	case TPM_ALG_SHA512:
		return "sha512";
	case TPM_ALG_SM3_256:
		return "sm3_256";
	default:
		return "unknown";
	}
}

/*
 * ascii_measurements: one line per event (no header line):
 *   SEQ PCR TYPE ALG:DIGEST... DATA
 * SEQ and PCR in decimal, TYPE as 0x%08x, one ALG:DIGEST per bank in bank order
 * (hex), DATA the event data in hex.
 */
static int cvmguard_sfs_ascii_show(struct seq_file *m, void *v)
{
	const struct cvmguard_event *ev = v;
	unsigned int i;

	if (v == SEQ_START_TOKEN)
		return 0;
	seq_printf(m, "%llu %u 0x%08x", ev->seq, ev->pcr, ev->type);
	for (i = 0; i < ev->nr_digests; i++)
		seq_printf(m, " %s:%*phN", cvmguard_alg_name(ev->digests[i].alg_id),
			   (int)ev->digests[i].size, ev->digests[i].value);
	seq_putc(m, ' ');
	/* %*phN prints at most 64 bytes at a time */
	for (i = 0; i < ev->data_len; i += 64)
		seq_printf(m, "%*phN", (int)min(ev->data_len - i, 64U), ev->data + i);
	seq_putc(m, '\n');
	return 0;
}

static const struct seq_operations cvmguard_sfs_bin_ops = {
	.start = cvmguard_sfs_start,
	.next = cvmguard_sfs_next,
	.stop = cvmguard_sfs_stop,
	.show = cvmguard_sfs_bin_show,
};

static const struct seq_operations cvmguard_sfs_ascii_ops = {
	.start = cvmguard_sfs_start,
	.next = cvmguard_sfs_next,
	.stop = cvmguard_sfs_stop,
	.show = cvmguard_sfs_ascii_show,
};

/*
 * Lifetime. An open file holds a module reference (taken in open, dropped in
 * release), so rmmod answers EBUSY while any is open. What rmmod must not wait for
 * is a reference to the dentry alone: anyone allowed to look the file up can hold
 * one indefinitely (an O_PATH descriptor, a cwd-like reference), and reopen the
 * file through /proc/self/fd even after it is removed. So nothing here waits on
 * the dentry; instead, at exit:
 *
 *  - the files are removed (no new lookups) and their inodes made bad
 *    (make_bad_inode(): opens through a held O_PATH descriptor now get the
 *    kernel's own bad_file_ops, -EIO, and never reach this module);
 *  - the fops live in kmalloc()ed memory that is not freed, but emptied: an open
 *    that had already fetched them before the inode went bad finds no open, read,
 *    llseek or release method, so no module code, once the module is gone;
 *  - an open already inside cvmguard_sfs_open() is in an SRCU read section until
 *    it has failed (try_module_get() fails once the module is going), and so is
 *    release after its module_put(); exit waits for both with synchronize_srcu(),
 *    after a synchronize_rcu() for an opener between fetching ->open and entering
 *    the read section.
 *
 * The fops have no .owner on purpose: the VFS's fops_get() WARNs (panics, with
 * panic_on_warn) when it cannot take an .owner reference, as for an open racing
 * rmmod. The cost of this design is two struct file_operations (some 500 bytes) left
 * behind per unload.
 */
DEFINE_STATIC_SRCU(cvmguard_sfs_srcu);
static struct file_operations *cvmguard_sfs_bin_fops, *cvmguard_sfs_ascii_fops;

static int cvmguard_sfs_open(struct file *file, const struct seq_operations *ops)
{
	int idx, ret;
	bool got;

	idx = srcu_read_lock(&cvmguard_sfs_srcu);
	got = try_module_get(THIS_MODULE);
	srcu_read_unlock(&cvmguard_sfs_srcu, idx);
	if (!got)
		return -ENODEV;
	ret = seq_open_private(file, ops, sizeof(struct cvmguard_event));
	if (ret)
		module_put(THIS_MODULE);
	return ret;
}

static int cvmguard_sfs_bin_open(struct inode *inode, struct file *file)
{
	return cvmguard_sfs_open(file, &cvmguard_sfs_bin_ops);
}

static int cvmguard_sfs_ascii_open(struct inode *inode, struct file *file)
{
	return cvmguard_sfs_open(file, &cvmguard_sfs_ascii_ops);
}

static int cvmguard_sfs_release(struct inode *inode, struct file *file)
{
	int idx, ret;

	idx = srcu_read_lock(&cvmguard_sfs_srcu);
	ret = seq_release_private(inode, file);
	module_put(THIS_MODULE);
	srcu_read_unlock(&cvmguard_sfs_srcu, idx);
	return ret;
}

static struct file_operations *cvmguard_sfs_fops(int (*open)(struct inode *, struct file *))
{
	struct file_operations *fops = kzalloc(sizeof(*fops), GFP_KERNEL);

	if (fops) {
		/* Left behind at unload on purpose (see above): not a leak. */
		kmemleak_not_leak(fops);
		fops->open = open;
		fops->read = seq_read;
		fops->llseek = seq_lseek;
		fops->release = cvmguard_sfs_release;
	}
	return fops;
}

/**
 * cvmguard_measure_fs_init() - create securityfs cvmguard/ and the two log files
 *
 * Return: 0 or a negative errno from securityfs.
 */
int __init cvmguard_measure_fs_init(void)
{
	int ret;

	cvmguard_sfs_bin_fops = cvmguard_sfs_fops(cvmguard_sfs_bin_open);
	cvmguard_sfs_ascii_fops = cvmguard_sfs_fops(cvmguard_sfs_ascii_open);
	if (!cvmguard_sfs_bin_fops || !cvmguard_sfs_ascii_fops) {
		ret = -ENOMEM;
		goto out_fops;
	}

	cvmguard_sfs_dir = securityfs_create_dir(KBUILD_MODNAME, NULL);
	if (IS_ERR(cvmguard_sfs_dir)) {
		ret = PTR_ERR(cvmguard_sfs_dir);
		goto out_fops;
	}
	cvmguard_sfs_bin = securityfs_create_file("binary_measurements", 0440, cvmguard_sfs_dir,
						  NULL, cvmguard_sfs_bin_fops);
	if (IS_ERR(cvmguard_sfs_bin)) {
		ret = PTR_ERR(cvmguard_sfs_bin);
		goto out_dir;
	}
	cvmguard_sfs_ascii = securityfs_create_file("ascii_measurements", 0440, cvmguard_sfs_dir,
						    NULL, cvmguard_sfs_ascii_fops);
	if (IS_ERR(cvmguard_sfs_ascii)) {
		ret = PTR_ERR(cvmguard_sfs_ascii);
		goto out_bin;
	}
	return 0;

out_bin:
	securityfs_remove(cvmguard_sfs_bin);
out_dir:
	securityfs_remove(cvmguard_sfs_dir);
out_fops:
	/* Nothing can have used them yet. */
	kfree(cvmguard_sfs_bin_fops);
	kfree(cvmguard_sfs_ascii_fops);
	return ret;
}

/* Remove a file and cut it off from the module; see "Lifetime" above. */
static void cvmguard_sfs_remove(struct dentry *d, struct file_operations *fops)
{
	dget(d);		/* keep the inode while we make it bad */
	securityfs_remove(d);
	make_bad_inode(d_inode(d));
	/*
	 * Unhash it: securityfs_remove() leaves a dentry that someone still holds
	 * in the dcache, which would keep the directory from being removed
	 * (simple_rmdir() sees a child) and the next load from creating its files
	 * (-EEXIST).
	 */
	d_drop(d);
	dput(d);
	/* Left behind, emptied: release and read first, open last. */
	WRITE_ONCE(fops->release, NULL);
	WRITE_ONCE(fops->read, NULL);
	WRITE_ONCE(fops->llseek, NULL);
	smp_wmb();
	WRITE_ONCE(fops->open, NULL);
}

/**
 * cvmguard_measure_fs_exit() - remove the files; call before freeing the log
 *
 * Returns once no task can still be running the files' operations, without
 * waiting for anyone who merely holds a reference to the files.
 */
void cvmguard_measure_fs_exit(void)
{
	cvmguard_sfs_remove(cvmguard_sfs_ascii, cvmguard_sfs_ascii_fops);
	cvmguard_sfs_remove(cvmguard_sfs_bin, cvmguard_sfs_bin_fops);
	dget(cvmguard_sfs_dir);	/* may be held too: unhash it as well */
	securityfs_remove(cvmguard_sfs_dir);
	d_drop(cvmguard_sfs_dir);
	dput(cvmguard_sfs_dir);
	synchronize_rcu();
	synchronize_srcu(&cvmguard_sfs_srcu);
}
