/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef CVMGUARD_INFO_H
#define CVMGUARD_INFO_H

#include <stdbool.h>
#include <stdio.h>

#include <linux/cvmguard.h>

const char *cvmg_backend_name(unsigned int backend);
int cvmg_banks_format(unsigned int banks, const char *sep, bool quote, char *out, size_t len);
void cvmg_info_print(FILE *f, const struct cvmguard_info *info, const char *transport, bool json);
int cvmg_report_device_error(int err, bool netlink);
int cvmg_evidence_error(int err, bool netlink);
void cvmg_netlink_short_n(void);

#endif /* CVMGUARD_INFO_H */
