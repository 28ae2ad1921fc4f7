// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/cvmguard: the ioctl interface for attestation applications.
 *
 * Each handler follows one shape: copy the argument in (-EFAULT), validate it
 * (reserved fields and unknown flags: -EINVAL), act, copy the answer out last.
 * The device node is root-only (0600) by default; userspace/udev/60-cvmguard.rules
 * opens it to the cvmguard group.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "cvmguard.h"

static long cvmguard_ioctl_get_info(void __user *argp)
{
	struct cvmguard_info info;

	if (copy_from_user(&info, argp, sizeof(info)))
		return -EFAULT;
	if (memchr_inv(info.reserved, 0, sizeof(info.reserved)))
		return -EINVAL;

	memset(&info, 0, sizeof(info));
	cvmguard_get_info(&info);

	if (copy_to_user(argp, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

static long cvmguard_ioctl_get_evidence(void __user *argp)
{
	struct cvmguard_evidence req;
	u8 *report = NULL;
	u32 type;
	int size;
	long rc = 0;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (req.flags || req.reserved0 || memchr_inv(req.reserved, 0, sizeof(req.reserved)))
		return -EINVAL;

	size = cvmguard_get_evidence(req.user_data, &report, &type);
	if (size < 0)
		return size;

	if (size > req.report_len) {
		rc = -ENOSPC;
	} else if (copy_to_user(u64_to_user_ptr(req.report), report, size)) {
		rc = -EFAULT;
		goto out;
	}
	req.report_len = size;
	req.report_type = type;
	if (copy_to_user(argp, &req, sizeof(req)))
		rc = -EFAULT;
out:
	kvfree(report);
	return rc;
}

/*
 * EXTEND needs the descriptor open for writing (-EBADF) and CAP_SYS_ADMIN, or the
 * allow_group_extend module parameter (-EPERM). The argument is checked in full
 * before any data is read; seq is written back only on success.
 */
static long cvmguard_ioctl_extend(struct file *file, void __user *argp)
{
	struct cvmguard_extend ext;
	void *data;
	long ret;

	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;
	if (!cvmguard_measure_may_extend())
		return -EPERM;
	if (copy_from_user(&ext, argp, sizeof(ext)))
		return -EFAULT;
	if (ext.flags || memchr_inv(ext.reserved, 0, sizeof(ext.reserved)))
		return -EINVAL;
	ret = cvmguard_measure_check(ext.pcr, ext.event_type, ext.data_len);
	if (ret)
		return ret;

	data = memdup_user(u64_to_user_ptr(ext.data), ext.data_len);
	if (IS_ERR(data))
		return PTR_ERR(data);
	ret = cvmguard_measure_extend(ext.pcr, ext.event_type, data, ext.data_len, &ext.seq);
	kfree(data);
	if (ret)
		return ret;

	if (copy_to_user(argp, &ext, sizeof(ext)))
		return -EFAULT;
	return 0;
}

static long cvmguard_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case CVMGUARD_IOC_GET_INFO:
		return cvmguard_ioctl_get_info(argp);
	case CVMGUARD_IOC_GET_EVIDENCE:
		return cvmguard_ioctl_get_evidence(argp);
	case CVMGUARD_IOC_EXTEND:
		return cvmguard_ioctl_extend(file, argp);
	default:
		return -ENOTTY;
	}
}

static int cvmguard_open(struct inode *inode, struct file *file)
{
	return nonseekable_open(inode, file);
}

static const struct file_operations cvmguard_fops = {
	.owner = THIS_MODULE,
	.open = cvmguard_open,
	.unlocked_ioctl = cvmguard_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice cvmguard_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = CVMGUARD_DEVICE_NAME,
	.fops = &cvmguard_fops,
	.mode = 0600,
};

/**
 * cvmguard_chardev_init() - register /dev/cvmguard
 *
 * Return: 0 or a negative errno from misc_register().
 */
int cvmguard_chardev_init(void)
{
	return misc_register(&cvmguard_misc);
}

/**
 * cvmguard_chardev_exit() - unregister /dev/cvmguard
 */
void cvmguard_chardev_exit(void)
{
	misc_deregister(&cvmguard_misc);
}
