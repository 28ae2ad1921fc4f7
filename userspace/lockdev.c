// SPDX-License-Identifier: GPL-2.0-only
/*
 * cvmguard lock --device MAJ:MIN: close the LUKS2 mappings stacked on a block device,
 * found by its device number, so that it works after the device is gone: it is what
 * cvmguard-unlock@.service's ExecStop and the udev rule's remove fallback run when
 * a disk is unplugged. libcryptsetup cannot name the device of a mapping whose disk
 * vanished ("Underlying device ... disappeared"), so the tables are read with the
 * device-mapper ioctls: a crypt target's parameters are
 * "cipher key iv_offset MAJ:MIN offset [options]" (Documentation/admin-guide/
 * device-mapper/dm-crypt.rst). Only mappings whose DM UUID says LUKS2
 * ("CRYPT-LUKS2-...") are considered.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/dm-ioctl.h>

#include "cvmguard.h"
#include "lockdev.h"
#include "volume.h"

#define DM_BUF (64 * 1024)

static int dm_call(int fd, unsigned long cmd, struct dm_ioctl *io, const char *name,
		   uint32_t flags)
{
	memset(io, 0, DM_BUF);
	io->version[0] = DM_VERSION_MAJOR;
	io->version[1] = 0;
	io->version[2] = 0;
	io->data_size = DM_BUF;
	io->data_start = sizeof(*io);
	io->flags = flags;
	if (name)
		snprintf(io->name, sizeof(io->name), "%s", name);
	if (ioctl(fd, cmd, io))
		return -errno;
	return io->flags & DM_BUFFER_FULL_FLAG ? -ENOSPC : 0;
}

/* Whether @name is a LUKS2 crypt mapping on MAJ:MIN @devt. */
static int on_device(int fd, struct dm_ioctl *io, const char *name, const char *devt)
{
	struct dm_target_spec *t;
	char *params, *tok, *save = NULL;
	int i, ret;

	ret = dm_call(fd, DM_TABLE_STATUS, io, name, DM_STATUS_TABLE_FLAG);
	if (ret)
		return ret;
	if (strncmp(io->uuid, "CRYPT-LUKS2-", 12) || io->target_count != 1)
		return 0;
	t = (struct dm_target_spec *)((char *)io + io->data_start);
	if (strncmp(t->target_type, "crypt", sizeof(t->target_type)))
		return 0;
	params = (char *)(t + 1);
	if ((char *)params >= (char *)io + io->data_size)
		return 0;
	for (i = 0, tok = strtok_r(params, " ", &save); tok && i < 3; i++)
		tok = strtok_r(NULL, " ", &save);
	return tok && !strcmp(tok, devt);
}

/**
 * cvmg_volume_lock_devt() - close every LUKS2 mapping on device MAJ:MIN
 * @devt: "MAJ:MIN", decimal
 * @closed: how many were closed
 *
 * Return: 0 (also when there was none), -EINVAL for a malformed @devt, -EBUSY when
 * one is in use, or another negative errno.
 */
int cvmg_volume_lock_devt(const char *devt, unsigned int *closed)
{
	char names[64][DM_NAME_LEN];
	struct dm_name_list *nl;
	struct dm_ioctl *io;
	unsigned int maj, min, n = 0, i;
	char canon[32], end;
	int fd, ret, err = 0;

	*closed = 0;
	if (sscanf(devt, "%u:%u%c", &maj, &min, &end) != 2)
		return -EINVAL;
	snprintf(canon, sizeof(canon), "%u:%u", maj, min);
	io = calloc(1, DM_BUF);
	if (!io)
		return -ENOMEM;
	fd = open("/dev/mapper/control", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	ret = dm_call(fd, DM_LIST_DEVICES, io, NULL, 0);
	if (ret)
		goto out;
	nl = (struct dm_name_list *)((char *)io + io->data_start);
	/* An empty list is one entry with dev 0. */
	while (nl->dev && n < 64) {
		snprintf(names[n++], DM_NAME_LEN, "%s", nl->name);
		if (!nl->next)
			break;
		nl = (struct dm_name_list *)((char *)nl + nl->next);
	}
	for (i = 0; i < n; i++) {
		ret = on_device(fd, io, names[i], canon);
		if (ret <= 0)
			continue; /* gone meanwhile, or not ours to close */
		ret = cvmg_volume_lock(names[i]);
		if (ret) {
			cvmg_err("%s (on %s): cannot close: %s", names[i], canon, strerror(-ret));
			err = ret;
			continue;
		}
		cvmg_info("%s: closed (it was on device %s)", names[i], canon);
		(*closed)++;
	}
	ret = err;
out:
	if (fd >= 0)
		close(fd);
	free(io);
	return ret;
}
