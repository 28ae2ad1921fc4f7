// SPDX-License-Identifier: GPL-2.0-only
/*
 * /etc/cvmguard/volumes.conf, in the spirit of crypttab:
 *
 *   # comment
 *   auto-unlock = listed|any
 *   NAME DEVICE [OPTIONS]
 *
 * NAME is a dm name ([A-Za-z0-9_.+-], not starting with '-' or '.'); DEVICE a path
 * starting with '/', UUID= (the LUKS UUID), PARTUUID=, PARTLABEL= or LABEL=; OPTIONS
 * comma-separated, from: workqueue, ignore. Fields are separated by blanks; a line
 * has at most 1023 characters.
 *
 * A bad line is reported (with its number) and skipped, the rest of the file still
 * applies: one typo must not stop every other volume from opening at hot-plug. The
 * caller fails closed around it (unlock.c: a file with bad lines never opens an
 * unlisted device, whatever auto-unlock says, since the skipped line may have been
 * the 'ignore' meant for it).
 *
 * Every DEVICE form names something the host writes (a disk's path and serial, its
 * partition table, its LUKS header): an entry selects the name and options a device
 * opens with. It authorizes nothing; the sealed key, the header policy and the MAC
 * decide whether it opens at all.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
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

static bool hex_dashes(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (!n || n > max)
		return false;
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s) && *s != '-')
			return false;
	return true;
}

/* The kind of @s, or -1 with *why set. */
static int device_kind(const char *s, const char **why)
{
	static const struct {
		const char *prefix;
		enum cvmg_volconf_kind kind;
	} keys[] = {
		{ "UUID=", CVMG_VOLCONF_UUID },
		{ "PARTUUID=", CVMG_VOLCONF_PARTUUID },
		{ "PARTLABEL=", CVMG_VOLCONF_PARTLABEL },
		{ "LABEL=", CVMG_VOLCONF_LABEL },
	};
	const char *eq = strchr(s, '=');
	size_t i;

	if (strlen(s) > CVMG_VOLCONF_DEV_MAX) {
		*why = "device longer than 255 characters";
		return -1;
	}
	if (s[0] == '/')
		return CVMG_VOLCONF_PATHNAME;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		size_t pl = strlen(keys[i].prefix);
		const char *v = s + pl;

		if (strncmp(s, keys[i].prefix, pl))
			continue;
		if (!*v) {
			*why = "empty value after '='";
			return -1;
		}
		/* A LUKS UUID is 36 characters, an MBR PARTUUID 11: hex digits and '-'. */
		if ((keys[i].kind == CVMG_VOLCONF_UUID || keys[i].kind == CVMG_VOLCONF_PARTUUID) &&
		    !hex_dashes(v, 36)) {
			*why = "a UUID is hex digits and '-', at most 36 characters";
			return -1;
		}
		return keys[i].kind;
	}
	*why = eq ? "unknown device key (want UUID=, PARTUUID=, PARTLABEL=, LABEL= or a path)"
		  : "device is not an absolute path, UUID=, PARTUUID=, PARTLABEL= or LABEL=";
	return -1;
}

static const char *parse_options(char *s, struct cvmg_volconf *e)
{
	char *opt;

	/* strsep, not strtok: an empty option ("a,,b", ",") is an error. */
	while ((opt = strsep(&s, ","))) {
		if (!strcmp(opt, "workqueue"))
			e->workqueue = true;
		else if (!strcmp(opt, "ignore"))
			e->ignore = true;
		else
			return *opt ? "unknown option (want workqueue, ignore)" : "empty option";
	}
	return NULL;
}

/* Split @line into at most @max blank-separated fields; -1 when there are more. */
static int split(char *line, char **f, int max)
{
	char *tok, *save = NULL;
	int n = 0;

	for (tok = strtok_r(line, " \t\r", &save); tok; tok = strtok_r(NULL, " \t\r", &save)) {
		if (n == max)
			return -1;
		f[n++] = tok;
	}
	return n;
}

struct state {
	struct cvmg_volconf_file *f;
	bool auto_seen;
	cvmg_volconf_report_fn report;
	void *arg;
};

/* A setting (KEY = VALUE, blanks optional): NULL, or what is wrong with it. */
static const char *parse_setting(char *line, struct state *st)
{
	char *eq = strchr(line, '='), *key = line, *val = eq + 1, *end;

	*eq = '\0';
	while (isblank((unsigned char)*key))
		key++;
	for (end = key + strlen(key); end > key && isspace((unsigned char)end[-1]); end--)
		;
	*end = '\0';
	while (isblank((unsigned char)*val))
		val++;
	for (end = val + strlen(val); end > val && isspace((unsigned char)end[-1]); end--)
		;
	*end = '\0';
	if (strcmp(key, "auto-unlock"))
		return "unknown setting (the only one is auto-unlock)";
	if (st->auto_seen)
		return "auto-unlock given twice (the first one applies)";
	if (!strcmp(val, "listed"))
		st->f->auto_unlock = CVMG_AUTO_LISTED;
	else if (!strcmp(val, "any"))
		st->f->auto_unlock = CVMG_AUTO_ANY;
	else
		return "auto-unlock must be 'listed' or 'any' (listed applies)";
	st->auto_seen = true;
	return NULL;
}

/* One line: NULL (an entry added, a setting, blank or comment) or the complaint. */
static const char *parse_line(char *line, struct state *st, int *err)
{
	struct cvmg_volconf e, *v = st->f->entries, *tmp;
	const char *why = NULL;
	char *f[3];
	size_t i;
	int n, kind;

	memset(&e, 0, sizeof(e));
	line[strcspn(line, "#")] = '\0';
	/* A dm name has no '=': the first field holding one, or a lone '=', is a setting. */
	{
		const char *p = line + strspn(line, " \t\r");
		size_t tl = strcspn(p, " \t\r");

		if (memchr(p, '=', tl) || p[tl + strspn(p + tl, " \t\r")] == '=')
			return parse_setting(line, st);
	}
	n = split(line, f, 3);
	if (n == 0)
		return NULL;
	if (n < 0)
		return "more than three fields (NAME DEVICE [OPTIONS])";
	if (n < 2)
		return "no DEVICE (want NAME DEVICE [OPTIONS])";
	if (!valid_name(f[0]))
		return "bad NAME (a dm name: A-Z a-z 0-9 _ . + -, not starting with - or .)";
	kind = device_kind(f[1], &why);
	if (kind < 0)
		return why;
	strcpy(e.name, f[0]);
	strcpy(e.device, f[1]);
	e.kind = (enum cvmg_volconf_kind)kind;
	if (n == 3 && (why = parse_options(f[2], &e)))
		return why;
	for (i = 0; i < st->f->n; i++) {
		if (!strcmp(v[i].name, e.name))
			return "NAME already used by an earlier line (that one applies)";
		if (v[i].kind == e.kind && !strcasecmp(v[i].device, e.device))
			return "DEVICE already listed by an earlier line (that one applies)";
	}
	tmp = realloc(v, (st->f->n + 1) * sizeof(*v));
	if (!tmp) {
		*err = -ENOMEM;
		return NULL;
	}
	st->f->entries = tmp;
	tmp[st->f->n++] = e;
	return NULL;
}

/**
 * cvmg_volconf_parse() - parse the text of volumes.conf
 * @text: the file's contents, NUL-terminated
 * @f: the entries and settings (cvmg_volconf_free() them)
 * @report: called for each bad line, which is then skipped; or NULL
 * @arg: passed to @report
 *
 * Return: 0, or -ENOMEM (then @f is empty).
 */
int cvmg_volconf_parse(const char *text, struct cvmg_volconf_file *f,
		       cvmg_volconf_report_fn report, void *arg)
{
	struct state st = { .f = f, .report = report, .arg = arg };
	char line[LINE_MAX_LEN + 2];
	unsigned int lineno = 0;
	const char *why;
	size_t len;
	int err = 0;

	memset(f, 0, sizeof(*f));
	while (*text) {
		lineno++;
		len = strcspn(text, "\n");
		if (len > LINE_MAX_LEN) {
			why = "line longer than 1023 characters";
		} else {
			memcpy(line, text, len);
			line[len] = '\0';
			why = parse_line(line, &st, &err);
		}
		text += len + (text[len] == '\n');
		if (err) {
			cvmg_volconf_free(f);
			return err;
		}
		if (why) {
			f->bad_lines++;
			if (report)
				report(lineno, why, arg);
		}
	}
	return 0;
}

/**
 * cvmg_crypttab_parse() - the devices /etc/crypttab names
 * @text: the file's contents, NUL-terminated
 * @f: one entry per line whose second field is a device form volumes.conf knows
 *
 * Only to leave those devices to systemd-cryptsetup: names and options are not
 * checked, lines that do not fit are ignored.
 *
 * Return: 0, or -ENOMEM.
 */
int cvmg_crypttab_parse(const char *text, struct cvmg_volconf_file *f)
{
	struct cvmg_volconf *tmp;
	char line[LINE_MAX_LEN + 2], *fl[4];
	const char *why;
	size_t len;
	int kind;

	memset(f, 0, sizeof(*f));
	while (*text) {
		len = strcspn(text, "\n");
		if (len <= LINE_MAX_LEN) {
			memcpy(line, text, len);
			line[len] = '\0';
		} else {
			line[0] = '\0';
		}
		text += len + (text[len] == '\n');
		if (line[strspn(line, " \t")] == '#')
			continue;
		/* NAME DEVICE [KEYFILE [OPTIONS]]; more fields: not a crypttab line */
		if (split(line, fl, 4) < 2)
			continue;
		kind = device_kind(fl[1], &why);
		if (kind < 0 || strlen(fl[0]) > CVMG_VOLCONF_NAME_MAX)
			continue;
		tmp = realloc(f->entries, (f->n + 1) * sizeof(*tmp));
		if (!tmp) {
			cvmg_volconf_free(f);
			return -ENOMEM;
		}
		f->entries = tmp;
		memset(&tmp[f->n], 0, sizeof(*tmp));
		strcpy(tmp[f->n].name, fl[0]);
		strcpy(tmp[f->n].device, fl[1]);
		tmp[f->n++].kind = (enum cvmg_volconf_kind)kind;
	}
	return 0;
}

void cvmg_volconf_free(struct cvmg_volconf_file *f)
{
	free(f->entries);
	f->entries = NULL;
	f->n = 0;
}

/**
 * cvmg_volconf_link() - the udev symlink an entry names
 * @e: an entry
 * @out: the path: the entry's own for a path, /dev/disk/by-... for the KEY= forms
 *       (udev's encoding: lower-case PARTUUID, \xHH for characters outside
 *       A-Z a-z 0-9 # + - . : = @ _ in labels)
 * @len: @out's size
 *
 * Return: 0; -ENOENT for UUID= (matched against the LUKS header, no link);
 * -ENAMETOOLONG.
 */
int cvmg_volconf_link(const struct cvmg_volconf *e, char *out, size_t len)
{
	const char *dir, *v = strchr(e->device, '=');
	size_t used;

	switch (e->kind) {
	case CVMG_VOLCONF_PATHNAME:
		if ((size_t)snprintf(out, len, "%s", e->device) >= len)
			return -ENAMETOOLONG;
		return 0;
	case CVMG_VOLCONF_UUID:
		return -ENOENT;
	case CVMG_VOLCONF_PARTUUID:
		dir = "/dev/disk/by-partuuid/";
		break;
	case CVMG_VOLCONF_PARTLABEL:
		dir = "/dev/disk/by-partlabel/";
		break;
	default:
		dir = "/dev/disk/by-label/";
		break;
	}
	used = (size_t)snprintf(out, len, "%s", dir);
	if (used >= len)
		return -ENAMETOOLONG;
	for (v++; *v; v++) {
		unsigned char c = (unsigned char)*v;
		int w;

		if (e->kind == CVMG_VOLCONF_PARTUUID)
			w = snprintf(out + used, len - used, "%c", tolower(c));
		else if (isalnum(c) || strchr("#+-.:=@_", c) || c >= 0x80)
			w = snprintf(out + used, len - used, "%c", c);
		else
			w = snprintf(out + used, len - used, "\\x%02x", c);
		if ((size_t)w >= len - used)
			return -ENAMETOOLONG;
		used += (size_t)w;
	}
	return 0;
}

/**
 * cvmg_volconf_find() - the entry for a device
 * @entries: from cvmg_volconf_parse() or cvmg_crypttab_parse()
 * @n: their number
 * @device: the device's canonical path
 * @luks_uuid: its LUKS UUID, or NULL
 *
 * UUID= entries match the LUKS UUID; the others their ->resolved path (the caller
 * canonicalises cvmg_volconf_link()), or for a path not resolved, the path itself.
 *
 * Return: the entry, or NULL.
 */
const struct cvmg_volconf *cvmg_volconf_find(const struct cvmg_volconf *entries, size_t n,
					     const char *device, const char *luks_uuid)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct cvmg_volconf *e = &entries[i];
		const char *p = e->resolved[0] ? e->resolved :
				e->kind == CVMG_VOLCONF_PATHNAME ? e->device : NULL;

		if (e->kind == CVMG_VOLCONF_UUID) {
			if (luks_uuid && !strcasecmp(e->device + 5, luks_uuid))
				return e;
		} else if (device && p && !strcmp(p, device)) {
			return e;
		}
	}
	return NULL;
}
