/* SPDX-License-Identifier: GPL-2.0-only */
/* Requests to the module over /dev/cvmguard and over generic netlink. */
#ifndef CVMGUARD_DEVICE_H
#define CVMGUARD_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include <linux/cvmguard.h>

struct nl_sock;

int cvmg_dev_open(void);
int cvmg_dev_get_info(struct cvmguard_info *info);
int cvmg_nl_open(struct nl_sock **sk, int *family);
int cvmg_nl_get_info(struct cvmguard_info *info);
int cvmg_dev_get_evidence(const uint8_t *user_data, uint8_t **report, size_t *len, uint32_t *type);
int cvmg_nl_get_evidence(const uint8_t *user_data, uint8_t **report, size_t *len, uint32_t *type);

#endif /* CVMGUARD_DEVICE_H */
