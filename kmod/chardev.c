// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/cvmguard: the ioctl interface for attestation applications.
 *
 * Each handler follows one shape: copy the argument in (-EFAULT), validate it
 * (reserved fields and unknown flags: -EINVAL), act, copy the answer out last.
 * Privilege is judged by the opener's credentials (file_ns_capable()), not by
 * whoever issues the ioctl on a descriptor passed to it.
 * The device node is root-only (0600) by default; userspace/udev/60-cvmguard.rules
 * opens it to the cvmguard group.
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "cvmguard.h"
#include "hcl.h"

static bool cvmguard_opener_admin(struct file *file)
{
	return file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN);
}

static long cvmguard_ioctl_get_info(struct file *file, void __user *argp)
{
	struct cvmguard_info info;

	if (copy_from_user(&info, argp, sizeof(info)))
		return -EFAULT;
	if (memchr_inv(info.reserved, 0, sizeof(info.reserved)))
		return -EINVAL;

	memset(&info, 0, sizeof(info));
	cvmguard_get_info(&info, cvmguard_opener_admin(file));

	if (copy_to_user(argp, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

/*
 * GET_EVIDENCE writes TPM NV (the user data), so it needs the descriptor open for
 * writing (-EBADF), like EXTEND: a read-only descriptor handed to a less trusted
 * process does not let it drive the TPM.
 */
static long cvmguard_ioctl_get_evidence(struct file *file, void __user *argp)
{
	struct cvmguard_evidence req;
	u8 *report = NULL;
	u32 type;
	int size;
	long rc = 0;

	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;
	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (req.flags || req.reserved0 || memchr_inv(req.reserved, 0, sizeof(req.reserved)))
		return -EINVAL;

	/*
	 * A size probe (report_len 0) or a buffer smaller than the last report is
	 * answered from what the module knows, without a vTPM round trip or an NV
	 * write that would only end in -ENOSPC.
	 */
	size = cvmguard_evidence_size_hint(&type);
	if (size < 0)
		return size;
	if (req.report_len < (type ? size : HCL_CLAIMS_OFFSET)) {
		req.report_len = size;
		req.report_type = type;
		return copy_to_user(argp, &req, sizeof(req)) ? -EFAULT : -ENOSPC;
	}

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
 * EXTEND needs the descriptor open for writing (-EBADF) and its opener to have
 * CAP_SYS_ADMIN, or the allow_group_extend module parameter (-EPERM). The argument
 * is checked in full before any data is read, and seq is written (with
 * CVMGUARD_SEQ_NONE) before the TPM is touched: an argument that cannot take the
 * answer fails with -EFAULT having extended nothing, so a caller never retries an
 * extend that happened. Only if the argument stops being writable during the
 * extend (another thread unmaps it) is -EFAULT returned after it, the event is
 * then in the log; see Documentation/uapi.rst.
 */
static long cvmguard_ioctl_extend(struct file *file, void __user *argp)
{
	struct cvmguard_extend ext;
	void *data;
	long ret;

	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;
	if (!cvmguard_measure_may_extend(cvmguard_opener_admin(file)))
		return -EPERM;
	if (copy_from_user(&ext, argp, sizeof(ext)))
		return -EFAULT;
	if (ext.flags || memchr_inv(ext.reserved, 0, sizeof(ext.reserved)))
		return -EINVAL;
	ret = cvmguard_measure_check(ext.pcr, ext.event_type, ext.data_len);
	if (ret)
		return ret;

	if (put_user((u64)CVMGUARD_SEQ_NONE, &((struct cvmguard_extend __user *)argp)->seq))
		return -EFAULT;
	data = memdup_user(u64_to_user_ptr(ext.data), ext.data_len);
	if (IS_ERR(data))
		return PTR_ERR(data);
	ret = cvmguard_measure_extend(ext.pcr, ext.event_type, data, ext.data_len, &ext.seq);
	kfree(data);
	if (ret)
		return ret;

	if (put_user(ext.seq, &((struct cvmguard_extend __user *)argp)->seq))
		return -EFAULT;
	return 0;
}

static long cvmguard_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case CVMGUARD_IOC_GET_INFO:
		return cvmguard_ioctl_get_info(file, argp);
	case CVMGUARD_IOC_GET_EVIDENCE:
		return cvmguard_ioctl_get_evidence(file, argp);
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
