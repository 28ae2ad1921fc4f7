// SPDX-License-Identifier: GPL-2.0
/*
 * The event log in securityfs, IMA-style: cvmguard/binary_measurements (the TCG PC
 * Client crypto-agile log) and cvmguard/ascii_measurements share one seq_file
 * iterator and differ only in show(). Reads take no lock (see measure.c); both
 * files are root-only and hold a module reference while open (taken in open, see
 * cvmguard_sfs_open()).
 */
#include <linux/dcache.h>
#include <linux/delay.h>
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
	for (i = 0; i < ev->data_len; i++)
		seq_printf(m, "%02x", ev->data[i]);
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
 * Module references. securityfs puts our fops in the inode, and the VFS's
 * fops_get() WARNs when it cannot take the .owner reference, as happens to an open
 * that races rmmod (the module is already going, its exit has not yet removed the
 * files): with panic_on_warn, a crash. So the fops have no .owner; open takes the
 * reference itself and fails with -ENODEV once the module is going, release drops
 * it, and cvmguard_measure_fs_exit() waits for openers still inside these
 * functions before the module's text goes away.
 */
static int cvmguard_sfs_open(struct file *file, const struct seq_operations *ops)
{
	int ret;

	if (!try_module_get(THIS_MODULE))
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
	int ret = seq_release_private(inode, file);

	module_put(THIS_MODULE);
	return ret;
}

static const struct file_operations cvmguard_sfs_bin_fops = {
	.open = cvmguard_sfs_bin_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = cvmguard_sfs_release,
};

static const struct file_operations cvmguard_sfs_ascii_fops = {
	.open = cvmguard_sfs_ascii_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = cvmguard_sfs_release,
};

/**
 * cvmguard_measure_fs_init() - create securityfs cvmguard/ and the two log files
 *
 * Return: 0 or a negative errno from securityfs.
 */
int __init cvmguard_measure_fs_init(void)
{
	int ret;

	cvmguard_sfs_dir = securityfs_create_dir(KBUILD_MODNAME, NULL);
	if (IS_ERR(cvmguard_sfs_dir))
		return PTR_ERR(cvmguard_sfs_dir);
	cvmguard_sfs_bin = securityfs_create_file("binary_measurements", 0440, cvmguard_sfs_dir,
						  NULL, &cvmguard_sfs_bin_fops);
	if (IS_ERR(cvmguard_sfs_bin)) {
		ret = PTR_ERR(cvmguard_sfs_bin);
		goto out_dir;
	}
	cvmguard_sfs_ascii = securityfs_create_file("ascii_measurements", 0440, cvmguard_sfs_dir,
						    NULL, &cvmguard_sfs_ascii_fops);
	if (IS_ERR(cvmguard_sfs_ascii)) {
		ret = PTR_ERR(cvmguard_sfs_ascii);
		goto out_bin;
	}
	return 0;

out_bin:
	securityfs_remove(cvmguard_sfs_bin);
out_dir:
	securityfs_remove(cvmguard_sfs_dir);
	return ret;
}

/*
 * Remove a file, then wait until nobody else holds its dentry: an open that found
 * it before the removal holds it until our open (failing, the module is going) or
 * the file's last release (which dput()s only after our release returned) is done.
 */
static void cvmguard_sfs_remove_wait(struct dentry *d)
{
	dget(d);
	securityfs_remove(d);
	while (d_count(d) > 1)
		msleep(1);
	dput(d);
}

/**
 * cvmguard_measure_fs_exit() - remove the files; call before freeing the log
 *
 * Returns once no task can still be running the files' operations.
 */
void cvmguard_measure_fs_exit(void)
{
	cvmguard_sfs_remove_wait(cvmguard_sfs_ascii);
	cvmguard_sfs_remove_wait(cvmguard_sfs_bin);
	securityfs_remove(cvmguard_sfs_dir);
}
