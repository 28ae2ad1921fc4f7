// SPDX-License-Identifier: GPL-2.0-only
/*
 * cvmguard measure [--pcr N] [--type T] (--data S | --file F) [--netlink] [--json]:
 * extend a PCR through the module, which hashes the data for every bank and logs
 * the event. Also the event helpers shared with `log` and `watch`.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cvmguard.h"
#include "device.h"
#include "info.h"
#include "measure.h"

/**
 * cvmg_alg_name() - the name of a TPM_ALG_ID, as tpm2-tools and sysfs spell it
 */
const char *cvmg_alg_name(uint16_t alg)
{
	switch (alg) {
	case 0x0004:
		return "sha1";
	case 0x000b:
		return "sha256";
	case 0x000c:
		return "sha384";
	case 0x000d:
		return "sha512";
	case 0x0012:
		return "sm3_256";
	default:
		return "unknown";
	}
}

/**
 * cvmg_alg_md() - the OpenSSL digest name of a TPM_ALG_ID
 * @alg: algorithm
 * @md: receives the name
 *
 * Return: 0 or -EOPNOTSUPP.
 */
int cvmg_alg_md(uint16_t alg, const char **md)
{
	switch (alg) {
	case 0x0004:
		*md = "SHA1";
		return 0;
	case 0x000b:
		*md = "SHA256";
		return 0;
	case 0x000c:
		*md = "SHA384";
		return 0;
	case 0x000d:
		*md = "SHA512";
		return 0;
	case 0x0012:
		*md = "SM3";
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

static void print_escaped(FILE *f, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == '"' || p[i] == '\\')
			fprintf(f, "\\%c", p[i]);
		else
			fputc(p[i], f);
	}
}

static bool printable(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] >= 0x7f)
			return false;
	return true;
}

/**
 * cvmg_event_json() - one event as a JSON object
 * @ev: the event
 * @top: a document of its own (watch's lines): "format" first
 *
 * seq, pcr, type, digests {alg: hex}, data_hex, and data when printable.
 *
 * Return: the object, or NULL.
 */
json_object *cvmg_event_json(const struct cvmg_event *ev, bool top)
{
	json_object *o = top ? cvmg_json_new() : json_object_new_object();
	json_object *d = json_object_new_object();
	char hex[2 * CVMG_MAX_DIGEST + 1], *dhex;
	unsigned int i;

	if (!o || !d) {
		json_object_put(o);
		json_object_put(d);
		return NULL;
	}
	json_object_object_add(o, "seq", json_object_new_uint64(ev->seq));
	json_object_object_add(o, "pcr", json_object_new_int64(ev->pcr));
	json_object_object_add(o, "type", json_object_new_int64(ev->type));
	for (i = 0; i < ev->nr_digests; i++) {
		cvmg_hex_encode(ev->digests[i].value, ev->digests[i].size, hex);
		json_object_object_add(d, cvmg_alg_name(ev->digests[i].alg),
				       json_object_new_string(hex));
	}
	json_object_object_add(o, "digests", d);
	dhex = malloc(2 * (size_t)ev->data_len + 1);
	if (!dhex) {
		json_object_put(o);
		return NULL;
	}
	cvmg_hex_encode(ev->data, ev->data_len, dhex);
	json_object_object_add(o, "data_hex", json_object_new_string(dhex));
	free(dhex);
	if (printable(ev->data, ev->data_len))
		json_object_object_add(o, "data", json_object_new_string_len(
					       (const char *)ev->data, (int)ev->data_len));
	return o;
}

/**
 * cvmg_event_print() - one event: a text line, or one JSON document per line
 * @f: stream
 * @ev: the event
 * @json: JSON (cvmg_event_json(), with "format") instead of text
 *
 * Text: "SEQ pcr=N type=0xT ALG:HEX... data" with the data as a quoted string
 * when printable, else in hex.
 */
void cvmg_event_print(FILE *f, const struct cvmg_event *ev, bool json)
{
	char hex[2 * CVMG_MAX_DIGEST + 1];
	unsigned int i;
	uint32_t j;

	if (json) {
		cvmg_json_emit(f, cvmg_event_json(ev, true));
		return;
	}
	fprintf(f, "%llu pcr=%u type=0x%08x", (unsigned long long)ev->seq, ev->pcr, ev->type);
	for (i = 0; i < ev->nr_digests; i++) {
		cvmg_hex_encode(ev->digests[i].value, ev->digests[i].size, hex);
		fprintf(f, " %s:%s", cvmg_alg_name(ev->digests[i].alg), hex);
	}
	if (printable(ev->data, ev->data_len)) {
		fprintf(f, " \"");
		print_escaped(f, ev->data, ev->data_len);
		fprintf(f, "\"\n");
	} else {
		fputc(' ', f);
		for (j = 0; j < ev->data_len; j++)
			fprintf(f, "%02x", ev->data[j]);
		fputc('\n', f);
	}
}

/**
 * cvmg_default_pcr() - the module's default_pcr parameter
 * @pcr: receives it
 *
 * Return: 0, or a negative errno (-ENOENT: module not loaded).
 */
int cvmg_default_pcr(uint32_t *pcr)
{
	FILE *f = fopen("/sys/module/cvmguard/parameters/default_pcr", "re");
	int ret = 0;

	if (!f)
		return -errno;
	if (fscanf(f, "%u", pcr) != 1)
		ret = -EPROTO;
	fclose(f);
	return ret;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: cvmguard measure [--pcr N] [--type T] (--data STRING | --file FILE)\n"
		   "                        [--netlink] [--json]\n\n"
		   "Extend a vTPM PCR with a measurement and log the event: the module hashes the\n"
		   "data with every allocated PCR bank's algorithm, extends, and appends the event\n"
		   "to its TCG event log (see cvmguard log).\n\n"
		   "  -p, --pcr N       PCR index (default: the module's default_pcr, 13)\n"
		   "  -t, --type T      TCG event type (default 0xd, EV_IPL)\n"
		   "  -d, --data S      the event data is the string S (without a NUL)\n"
		   "  -f, --file F      the event data is the content of F (\"-\": stdin),\n"
		   "                    at most %u bytes\n"
		   "  -N, --netlink     extend over generic netlink instead of /dev/cvmguard\n"
		   "                    (-n: deprecated spelling of -N)\n"
		   "  -j, --json        print {\"format\":1,\"seq\":N,...} instead of the\n"
		   "                    sequence number\n"
		   "  -h, --help        this text\n", CVMGUARD_EVENT_DATA_MAX);
}

static int parse_u32(const char *s, uint32_t *v)
{
	char *end;
	unsigned long long x;

	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno || !*s || *end || x > UINT32_MAX)
		return -EINVAL;
	*v = (uint32_t)x;
	return 0;
}

int cmd_measure(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pcr", required_argument, NULL, 'p' },
		{ "type", required_argument, NULL, 't' },
		{ "data", required_argument, NULL, 'd' },
		{ "file", required_argument, NULL, 'f' },
		{ "netlink", no_argument, NULL, 'N' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *data = NULL, *file = NULL;
	bool netlink = false, json = false, have_pcr = false;
	uint32_t pcr = 0, type = CVMG_EV_DEFAULT;
	uint8_t *buf = NULL;
	size_t len = 0;
	uint64_t seq;
	int c, ret;

	while ((c = cvmg_getopt(argc, argv, "p:t:d:f:nNjh", opts)) != -1) {
		switch (c) {
		case 'p':
			if (parse_u32(optarg, &pcr)) {
				cvmg_err("--pcr: '%s' is not a PCR number", optarg);
				return CVMG_EXIT_USAGE;
			}
			have_pcr = true;
			break;
		case 't':
			if (parse_u32(optarg, &type)) {
				cvmg_err("--type: '%s' is not a 32-bit event type", optarg);
				return CVMG_EXIT_USAGE;
			}
			break;
		case 'd':
			data = optarg;
			break;
		case 'f':
			file = optarg;
			break;
		case 'n':
			cvmg_netlink_short_n();
			/* fall through */
		case 'N':
			netlink = true;
			break;
		case 'j':
			json = true;
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
	if (!data == !file) {
		cvmg_err("give the event data: one of --data or --file");
		usage(stderr);
		return CVMG_EXIT_USAGE;
	}
	if (data) {
		len = strlen(data);
	} else {
		/* The caller's file: unreadable or too long is a usage error (64). */
		ret = cvmg_read_file(file, &buf, &len, CVMGUARD_EVENT_DATA_MAX);
		if (ret) {
			cvmg_err("--file %s: %s", file, ret == -EFBIG ? "longer than 4096 bytes" :
				 strerror(-ret));
			return CVMG_EXIT_USAGE;
		}
		data = (const char *)buf;
	}
	if (!len || len > CVMGUARD_EVENT_DATA_MAX) {
		cvmg_err("the event data must be 1 to %u bytes, not %zu", CVMGUARD_EVENT_DATA_MAX, len);
		ret = CVMG_EXIT_USAGE;
		goto out;
	}
	if (!have_pcr) {
		ret = cvmg_default_pcr(&pcr);
		if (ret) {
			ret = cvmg_report_device_error(ret, netlink);
			goto out;
		}
	}
	ret = netlink ? cvmg_nl_extend(pcr, type, data, (uint32_t)len, &seq)
		      : cvmg_dev_extend(pcr, type, data, (uint32_t)len, &seq);
	switch (ret) {
	case 0:
		break;
	case -EINVAL:
		cvmg_err("refused: PCR %u is not in the module's allowed_pcrs, or type 0x%x is "
			 "EV_NO_ACTION", pcr, type);
		ret = CVMG_EXIT_USAGE;
		goto out;
	case -ERANGE:
		cvmg_err("refused: PCR %u is out of range", pcr);
		ret = CVMG_EXIT_USAGE;
		goto out;
	case -ENOSPC:
		cvmg_err("the module's event log is full (log_max_bytes); nothing was extended");
		ret = CVMG_EXIT_FAIL;
		goto out;
	case -ENODEV:
		cvmg_err("no TPM 2.0 found: the module extends PCRs of the vTPM");
		ret = CVMG_EXIT_NOTPM;
		goto out;
	default:
		ret = cvmg_report_device_error(ret, netlink);
		goto out;
	}
	if (json) {
		json_object *o = cvmg_json_new();

		json_object_object_add(o, "seq", json_object_new_uint64(seq));
		json_object_object_add(o, "pcr", json_object_new_int64(pcr));
		json_object_object_add(o, "type", json_object_new_int64(type));
		json_object_object_add(o, "transport",
				       json_object_new_string(netlink ? "netlink" : "ioctl"));
		cvmg_json_emit(stdout, o);
	} else
		printf("%llu\n", (unsigned long long)seq);
	ret = CVMG_EXIT_OK;
out:
	free(buf);
	return ret;
}
