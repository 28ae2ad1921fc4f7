/* SPDX-License-Identifier: GPL-2.0-only */
/* Closing the LUKS2 mappings on a block device by its number (lockdev.c). */
#ifndef CVMG_LOCKDEV_H
#define CVMG_LOCKDEV_H

int cvmg_volume_lock_devt(const char *devt, unsigned int *closed);

#endif
