// SPDX-License-Identifier: GPL-2.0-only
/*
 * cvmguard status [--json]: the open dm-crypt mappings (LUKS2 and plain), their
 * backing devices, flags and tokens.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <libcryptsetup.h>

#include "cvmguard.h"
#include "luks_token.h"
#include "volume.h"

/* One mapping as a JSON object; NULL when it is not dm-crypt or has gone. */
static json_object *describe(const char *name)
{
	struct crypt_active_device cad;
	struct crypt_device *cd = NULL;
	json_object *o = NULL, *toks;
	const char *type, *json, *uuid;
	int i, n;

	if (crypt_init_by_name(&cd, name) || crypt_get_active_device(cd, name, &cad))
		goto out;
	type = crypt_get_type(cd);
	o = json_object_new_object();
	toks = json_object_new_array();
	if (!o || !toks) {
		json_object_put(toks);
		goto out;
	}
	uuid = crypt_get_uuid(cd);
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "type", json_object_new_string(type ? type : "unknown"));
	json_object_object_add(o, "device", json_object_new_string(crypt_get_device_name(cd)));
	json_object_object_add(o, "uuid", uuid ? json_object_new_string(uuid) : NULL);
	json_object_object_add(o, "cipher", json_object_new_string(crypt_get_cipher(cd)));
	json_object_object_add(o, "sector_size", json_object_new_int(crypt_get_sector_size(cd)));
	json_object_object_add(o, "no_read_workqueue", json_object_new_boolean(
				       !!(cad.flags & CRYPT_ACTIVATE_NO_READ_WORKQUEUE)));
	json_object_object_add(o, "no_write_workqueue", json_object_new_boolean(
				       !!(cad.flags & CRYPT_ACTIVATE_NO_WRITE_WORKQUEUE)));
	n = type && !strcmp(type, CRYPT_LUKS2) ? crypt_token_max(CRYPT_LUKS2) : 0;
	for (i = 0; i < n; i++) {
		struct cvmg_token tok;
		json_object *t;

		if (crypt_token_json_get(cd, i, &json) < 0 || cvmg_token_from_json(json, &tok) == -ENOENT)
			continue;
		t = json_object_new_object();
		json_object_object_add(t, "id", json_object_new_int(i));
		json_object_object_add(t, "type", json_object_new_string(
			tok.kind == CVMG_TOKEN_SYSTEMD ? CVMG_SYSTEMD_TOKEN_TYPE : CVMG_TOKEN_TYPE));
		json_object_object_add(t, "keyslot", json_object_new_int(tok.keyslot));
		json_object_object_add(t, "pcr_mask", json_object_new_int((int32_t)tok.pcr_mask));
		json_object_array_add(toks, t);
	}
	json_object_object_add(o, "tokens", toks);
out:
	crypt_free(cd);
	return o;
}

static void print_text(json_object *o)
{
	json_object *toks = json_object_object_get(o, "tokens");
	size_t i, n = json_object_array_length(toks);

	printf("%s: %s on %s, %s, %d-byte sectors%s\n",
	       json_object_get_string(json_object_object_get(o, "name")),
	       json_object_get_string(json_object_object_get(o, "type")),
	       json_object_get_string(json_object_object_get(o, "device")),
	       json_object_get_string(json_object_object_get(o, "cipher")),
	       json_object_get_int(json_object_object_get(o, "sector_size")),
	       json_object_get_boolean(json_object_object_get(o, "no_read_workqueue")) ?
	       ", no workqueues" : "");
	for (i = 0; i < n; i++) {
		json_object *t = json_object_array_get_idx(toks, i);

		printf("  token %d: %s, keyslot %d, PCR mask 0x%06x\n",
		       json_object_get_int(json_object_object_get(t, "id")),
		       json_object_get_string(json_object_object_get(t, "type")),
		       json_object_get_int(json_object_object_get(t, "keyslot")),
		       (unsigned int)json_object_get_int(json_object_object_get(t, "pcr_mask")));
	}
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: cvmguard status [--json]\n\n"
		   "List the open dm-crypt mappings, their devices, flags and cvmguard/systemd\n"
		   "tokens.\n\n"
		   "  -j, --json   one JSON document: {\"format\":1,\"volumes\":[...]}\n"
		   "  -h, --help   this text\n");
}

static int status_opt(int c, const char *arg, void *ctx)
{
	*(bool *)ctx = true;	/* -j, the only option */
	return 0;
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	json_object *all;
	struct dirent *de;
	bool json = false;
	DIR *d;
	int ret;

	ret = cvmg_parse_args(argc, argv, "jh", opts, 0, usage, status_opt, &json);
	if (ret >= 0)
		return ret;
	cvmg_crypt_log_to_helper();
	all = json_object_new_array();
	d = opendir("/sys/block");
	if (!all || !d) {
		cvmg_err("/sys/block: %s", strerror(errno));
		json_object_put(all);
		if (d)
			closedir(d);
		return CVMG_EXIT_FAIL;
	}
	while ((de = readdir(d))) {
		char path[300], uuid[160], name[160];
		json_object *o;

		if (strncmp(de->d_name, "dm-", 3))
			continue;
		snprintf(path, sizeof(path), "/sys/block/%s/dm/uuid", de->d_name);
		if (cvmg_read_line(path, uuid, sizeof(uuid)) || strncmp(uuid, "CRYPT-", 6))
			continue;
		snprintf(path, sizeof(path), "/sys/block/%s/dm/name", de->d_name);
		if (cvmg_read_line(path, name, sizeof(name)))
			continue;
		o = describe(name);
		if (o)
			json_object_array_add(all, o);
	}
	closedir(d);
	if (json) {
		json_object *doc = cvmg_json_new();

		json_object_object_add(doc, "volumes", all);
		all = NULL;
		cvmg_json_emit(stdout, doc);
	} else {
		size_t i;

		for (i = 0; i < json_object_array_length(all); i++)
			print_text(json_object_array_get_idx(all, i));
		if (!json_object_array_length(all))
			printf("no open dm-crypt volumes\n");
	}
	json_object_put(all);
	return CVMG_EXIT_OK;
}
