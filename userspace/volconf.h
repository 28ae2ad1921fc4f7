/* SPDX-License-Identifier: GPL-2.0-only */
/* /etc/cvmguard/volumes.conf: which devices open automatically, under which name. */
#ifndef CVMG_VOLCONF_H
#define CVMG_VOLCONF_H

#include <stdbool.h>
#include <stddef.h>

#define CVMG_VOLCONF_PATH "/etc/cvmguard/volumes.conf"
#define CVMG_CRYPTTAB_PATH "/etc/crypttab"
#define CVMG_VOLCONF_NAME_MAX 127
#define CVMG_VOLCONF_DEV_MAX 255

enum cvmg_volconf_kind {
	CVMG_VOLCONF_PATHNAME,	/* /dev/... */
	CVMG_VOLCONF_UUID,	/* UUID=: the LUKS UUID */
	CVMG_VOLCONF_PARTUUID,	/* PARTUUID=: /dev/disk/by-partuuid/ */
	CVMG_VOLCONF_PARTLABEL,	/* PARTLABEL=: /dev/disk/by-partlabel/ */
	CVMG_VOLCONF_LABEL,	/* LABEL=: /dev/disk/by-label/ (the LUKS2 label) */
};

struct cvmg_volconf {
	char name[CVMG_VOLCONF_NAME_MAX + 1];
	char device[CVMG_VOLCONF_DEV_MAX + 1]; /* as written: a path, or KEY=value */
	enum cvmg_volconf_kind kind;
	/* The canonical path the caller resolved the entry to ("" : none, or not yet). */
	char resolved[CVMG_VOLCONF_DEV_MAX + 1];
	bool workqueue;
	bool ignore;
};

enum cvmg_auto_unlock {
	CVMG_AUTO_LISTED, /* the default: only devices listed in volumes.conf */
	CVMG_AUTO_ANY,    /* also unlisted devices, as luks-UUID */
};

struct cvmg_volconf_file {
	struct cvmg_volconf *entries; /* malloc()ed, NULL when there are none */
	size_t n;
	enum cvmg_auto_unlock auto_unlock;
	unsigned int bad_lines; /* lines reported and skipped */
};

/* Called once per bad line, with its 1-based number and what is wrong with it. */
typedef void (*cvmg_volconf_report_fn)(unsigned int line, const char *msg, void *arg);

int cvmg_volconf_parse(const char *text, struct cvmg_volconf_file *f,
		       cvmg_volconf_report_fn report, void *arg);
int cvmg_crypttab_parse(const char *text, struct cvmg_volconf_file *f);
void cvmg_volconf_free(struct cvmg_volconf_file *f);
int cvmg_volconf_link(const struct cvmg_volconf *e, char *out, size_t len);
const struct cvmg_volconf *cvmg_volconf_find(const struct cvmg_volconf *entries, size_t n,
					     const char *device, const char *luks_uuid);

#endif
