// SPDX-License-Identifier: GPL-2.0-only
/*
 * /etc/cvmguard/volumes.conf, in the spirit of crypttab:
 *
 *   # comment
 *   NAME DEVICE [OPTIONS]
 *
 * NAME is a dm name ([A-Za-z0-9_.+-], not starting with '-' or '.'); DEVICE a path
 * starting with '/' or UUID=...; OPTIONS comma-separated, from: workqueue, ignore.
 * Fields are separated by blanks; a line has at most 1023 characters. Any error
 * rejects the whole file (with its line number): a half-understood configuration
 * must not open volumes under unexpected names.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "volconf.h"

#define LINE_MAX_LEN 1023

static bool valid_name(const char *s)
{
	if (!*s || *s == '-' || *s == '.' || strlen(s) > CVMG_VOLCONF_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.+-", *s))
			return false;
	return true;
}

static bool valid_device(const char *s)
{
	if (strlen(s) > CVMG_VOLCONF_DEV_MAX)
		return false;
	if (!strncmp(s, "UUID=", 5))
		return s[5] != '\0';
	return s[0] == '/';
}

static int parse_options(char *s, struct cvmg_volconf *e)
{
	char *opt;

	/* strsep, not strtok: an empty option ("a,,b", ",") is an error. */
	while ((opt = strsep(&s, ","))) {
		if (!strcmp(opt, "workqueue"))
			e->workqueue = true;
		else if (!strcmp(opt, "ignore"))
			e->ignore = true;
		else
			return -EINVAL;
	}
	return 0;
}

/* One line into @e: 1 an entry, 0 blank or comment, -EINVAL. */
static int parse_line(char *line, struct cvmg_volconf *e)
{
	char *f[3], *tok, *save = NULL;
	int n = 0;

	memset(e, 0, sizeof(*e));
	line[strcspn(line, "#")] = '\0';
	for (tok = strtok_r(line, " \t\r", &save); tok; tok = strtok_r(NULL, " \t\r", &save)) {
		if (n == 3)
			return -EINVAL;
		f[n++] = tok;
	}
	if (n == 0)
		return 0;
	if (n < 2 || !valid_name(f[0]) || !valid_device(f[1]))
		return -EINVAL;
	strcpy(e->name, f[0]);
	strcpy(e->device, f[1]);
	if (n == 3 && parse_options(f[2], e))
		return -EINVAL;
	return 1;
}

/**
 * cvmg_volconf_parse() - parse the text of volumes.conf
 * @text: the file's contents, NUL-terminated
 * @entries: the entries, malloc()ed (NULL when there are none)
 * @n: their number
 * @bad_line: on -EINVAL, the 1-based line at fault
 *
 * Return: 0, -EINVAL (syntax, or a name or device given twice), -ENOMEM.
 */
int cvmg_volconf_parse(const char *text, struct cvmg_volconf **entries, size_t *n,
		       unsigned int *bad_line)
{
	struct cvmg_volconf *v = NULL, e, *tmp;
	char line[LINE_MAX_LEN + 2];
	unsigned int lineno = 0;
	size_t count = 0, i, len;
	int ret = 0;

	*entries = NULL;
	*n = 0;
	while (*text) {
		lineno++;
		len = strcspn(text, "\n");
		if (len > LINE_MAX_LEN) {
			ret = -EINVAL;
			goto out;
		}
		memcpy(line, text, len);
		line[len] = '\0';
		text += len + (text[len] == '\n');
		ret = parse_line(line, &e);
		if (ret < 0)
			goto out;
		if (!ret)
			continue;
		for (i = 0; i < count; i++)
			if (!strcmp(v[i].name, e.name) || !strcmp(v[i].device, e.device))
				break;
		if (i < count) {
			ret = -EINVAL;
			goto out;
		}
		tmp = realloc(v, (count + 1) * sizeof(*v));
		if (!tmp) {
			ret = -ENOMEM;
			goto out;
		}
		v = tmp;
		v[count++] = e;
	}
	ret = 0;
out:
	if (ret) {
		free(v);
		if (bad_line)
			*bad_line = lineno;
		return ret;
	}
	*entries = v;
	*n = count;
	return 0;
}

/**
 * cvmg_volconf_find() - the entry for a device
 * @entries: from cvmg_volconf_parse()
 * @n: their number
 * @device: the device's canonical path (the caller resolves symlinks in both)
 * @luks_uuid: its LUKS UUID, or NULL
 *
 * Return: the entry, or NULL.
 */
const struct cvmg_volconf *cvmg_volconf_find(const struct cvmg_volconf *entries, size_t n,
					     const char *device, const char *luks_uuid)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *d = entries[i].device;

		if (!strncmp(d, "UUID=", 5)) {
			if (luks_uuid && !strcasecmp(d + 5, luks_uuid))
				return &entries[i];
		} else if (device && !strcmp(d, device)) {
			return &entries[i];
		}
	}
	return NULL;
}
