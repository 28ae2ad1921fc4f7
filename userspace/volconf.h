/* SPDX-License-Identifier: GPL-2.0-only */
/* /etc/cvmguard/volumes.conf: which name and options a device opens with. */
#ifndef CVMG_VOLCONF_H
#define CVMG_VOLCONF_H

#include <stdbool.h>
#include <stddef.h>

#define CVMG_VOLCONF_PATH "/etc/cvmguard/volumes.conf"
#define CVMG_VOLCONF_NAME_MAX 127
#define CVMG_VOLCONF_DEV_MAX 255

struct cvmg_volconf {
	char name[CVMG_VOLCONF_NAME_MAX + 1];
	char device[CVMG_VOLCONF_DEV_MAX + 1]; /* a path, or UUID=... */
	bool workqueue;
	bool ignore;
};

int cvmg_volconf_parse(const char *text, struct cvmg_volconf **entries, size_t *n,
		       unsigned int *bad_line);
const struct cvmg_volconf *cvmg_volconf_find(const struct cvmg_volconf *entries, size_t n,
					     const char *device, const char *luks_uuid);

#endif
