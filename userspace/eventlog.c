// SPDX-License-Identifier: GPL-2.0-only
/*
 * cvmguard log [--json] [--check] [--file F]: print the module's event log (the TCG
 * crypto-agile binary_measurements in securityfs) and, with --check, replay it per
 * bank and compare every PCR it extends with the TPM's value.
 *
 * The replay starts from zero, so it matches only while the module has been loaded
 * since boot: the TPM keeps PCR values when the module (and its log) is unloaded.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cvmguard.h"
#include "measure.h"
#include "tcg_log.h"

#define LOG_MAX		(256u << 20)

static int read_tpm_pcr(uint16_t alg, uint32_t pcr, uint8_t *out, size_t len)
{
	char path[96], line[2 * CVMG_MAX_DIGEST + 8];
	size_t n;
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "/sys/class/tpm/tpm0/pcr-%s/%u", cvmg_alg_name(alg), pcr);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	ret = fgets(line, sizeof(line), f) ? 0 : -EIO;
	fclose(f);
	if (ret)
		return ret;
	line[strcspn(line, "\n")] = '\0';
	ret = cvmg_hex_decode(line, out, len, &n);
	if (!ret && n != len)
		ret = -EPROTO;
	return ret;
}

/*
 * Replay every (bank, PCR) the log touches and compare with the TPM. Prints one
 * line (or JSON object) per comparison. Return: the number of mismatches, or a
 * negative errno when the replay or the TPM read failed.
 */
static int check(const struct tcg_log *log, json_object *out)
{
	const struct tcg_log *logs[1] = { log };
	uint8_t tpm[CVMG_MAX_DIGEST];
	char a[2 * CVMG_MAX_DIGEST + 1], b[2 * CVMG_MAX_DIGEST + 1];
	unsigned int bank, pcr, bad = 0;
	struct tcg_replay *r;
	int ret = 0;

	r = calloc(CVMG_MAX_BANKS, sizeof(*r));
	if (!r)
		return -ENOMEM;
	for (bank = 0; bank < log->nr_banks && !ret; bank++)
		ret = tcg_log_replay(logs, 1, log->alg[bank], &r[bank]);
	for (pcr = 0; pcr < TCG_PCR_COUNT && !ret; pcr++) {
		for (bank = 0; bank < log->nr_banks; bank++) {
			if (!(r[bank].touched & (1u << pcr)))
				continue;
			ret = read_tpm_pcr(log->alg[bank], pcr, tpm, log->size[bank]);
			if (ret)
				break;
			cvmg_hex_encode(r[bank].pcr[pcr], log->size[bank], a);
			cvmg_hex_encode(tpm, log->size[bank], b);
			ret = memcmp(r[bank].pcr[pcr], tpm, log->size[bank]) != 0;
			bad += ret;
			if (out) {
				json_object *o = json_object_new_object();

				json_object_object_add(o, "pcr", json_object_new_int64(pcr));
				json_object_object_add(o, "bank", json_object_new_string(
							       cvmg_alg_name(log->alg[bank])));
				json_object_object_add(o, "match", json_object_new_boolean(!ret));
				json_object_object_add(o, "replay", json_object_new_string(a));
				json_object_object_add(o, "tpm", json_object_new_string(b));
				json_object_array_add(out, o);
			} else {
				printf("PCR %u %s: %s\n", pcr, cvmg_alg_name(log->alg[bank]),
				       ret ? "MISMATCH" : "matches the TPM");
			}
			if (ret)
				cvmg_err("PCR %u %s: the log replays to %s, the TPM has %s", pcr,
					 cvmg_alg_name(log->alg[bank]), a, b);
			ret = 0;
		}
	}
	free(r);
	return ret ? ret : (int)bad;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: cvmguard log [--json] [--check] [--file FILE]\n\n"
		   "Print the module's measurement event log (%s),\n"
		   "one event per line. With --check, replay it for every PCR bank and compare\n"
		   "each PCR it extends with the TPM's value; exit 1 naming the PCR on a mismatch.\n\n"
		   "  -j, --json        one JSON document: format, banks, events, and the checks\n"
		   "  -c, --check       replay the log against the TPM's PCRs\n"
		   "  -f, --file FILE   read a saved binary log instead (unreadable: exit 64)\n"
		   "  -h, --help        this text\n", CVMG_SECURITYFS_LOG);
}

int cmd_log(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "check", no_argument, NULL, 'c' },
		{ "file", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *path = CVMG_SECURITYFS_LOG;
	bool json = false, do_check = false, named = false;
	struct tcg_log log = { 0 };
	json_object *doc = NULL, *arr;
	uint8_t *buf = NULL;
	unsigned int i;
	size_t len, n;
	int c, ret;

	while ((c = cvmg_getopt(argc, argv, "jcf:h", opts)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'c':
			do_check = true;
			break;
		case 'f':
			path = optarg;
			named = true;
			break;
		case 'h':
			usage(stdout);
			return CVMG_EXIT_OK;
		default:
			usage(stderr);
			return CVMG_EXIT_USAGE;
		}
	}
	if (cvmg_extra_args(argc, argv, 0)) {
		usage(stderr);
		return CVMG_EXIT_USAGE;
	}
	ret = cvmg_read_file(path, &buf, &len, LOG_MAX);
	if (ret) {
		/* A file the caller named is the caller's error (64); the module's own
		 * log missing means the module is not loaded (69). */
		cvmg_err("%s%s: %s", named ? "--file " : "", path, ret == -ENOENT && !named ?
			 "no such file: the cvmguard module is not loaded (modprobe cvmguard)" :
			 strerror(-ret));
		ret = named ? CVMG_EXIT_USAGE : ret == -ENOENT ? CVMG_EXIT_UNAVAILABLE :
		      ret == -EACCES || ret == -EPERM ? CVMG_EXIT_NOPERM : CVMG_EXIT_FAIL;
		goto out;
	}
	ret = tcg_log_parse(buf, len, &log);
	if (ret) {
		cvmg_err("%s: %s", path, ret == -EBADMSG ? "not a valid TCG crypto-agile log" :
			 strerror(-ret));
		ret = ret == -EBADMSG ? CVMG_EXIT_MALFORMED : CVMG_EXIT_FAIL;
		goto out;
	}
	if (json) {
		doc = cvmg_json_new();
		arr = json_object_new_array();
		for (i = 0; i < log.nr_banks; i++)
			json_object_array_add(arr, json_object_new_string(cvmg_alg_name(log.alg[i])));
		json_object_object_add(doc, "banks", arr);
		arr = json_object_new_array();
		for (n = 0; n < log.nr_events; n++)
			json_object_array_add(arr, cvmg_event_json(&log.events[n], false));
		json_object_object_add(doc, "events", arr);
	} else {
		for (n = 0; n < log.nr_events; n++)
			cvmg_event_print(stdout, &log.events[n], false);
	}
	ret = CVMG_EXIT_OK;
	if (do_check) {
		arr = json ? json_object_new_array() : NULL;
		c = check(&log, arr);
		if (json)
			json_object_object_add(doc, "check", arr);
		if (c < 0) {
			cvmg_err("replay: %s", strerror(-c));
			ret = CVMG_EXIT_FAIL;
		} else if (c > 0) {
			ret = CVMG_EXIT_FAIL;
		}
	}
	if (json) {
		cvmg_json_emit(stdout, doc);
		doc = NULL;
	}
out:
	json_object_put(doc);
	tcg_log_free(&log);
	free(buf);
	return ret;
}
