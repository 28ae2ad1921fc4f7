/* SPDX-License-Identifier: GPL-2.0-only */
/* Requests to the module over /dev/cvmguard and over generic netlink. */
#ifndef CVMGUARD_DEVICE_H
#define CVMGUARD_DEVICE_H

#include <linux/cvmguard.h>

struct nl_sock;

int cvmg_dev_open(void);
int cvmg_dev_get_info(struct cvmguard_info *info);
int cvmg_nl_open(struct nl_sock **sk, int *family);
int cvmg_nl_get_info(struct cvmguard_info *info);

#endif /* CVMGUARD_DEVICE_H */
