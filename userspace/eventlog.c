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

#include <openssl/evp.h>

#include "cvmguard.h"
#include "measure.h"

#define PCR_COUNT	24
#define LOG_MAX		(256u << 20)

struct tcg_log {
	unsigned int nr_banks;
	uint16_t alg[CVMG_MAX_BANKS];
	uint16_t size[CVMG_MAX_BANKS];
	size_t nr_events;
	struct cvmg_event *events;
};

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/*
 * Parse a crypto-agile log: the Spec ID event, then TCG_PCR_EVENT2 records.
 * Return: 0, or -EBADMSG for anything malformed. Events point into @buf.
 */
static int tcg_log_parse(const uint8_t *buf, size_t len, struct tcg_log *log)
{
	size_t off, cap = 0, i;
	uint32_t sz, n;
	struct cvmg_event *ev, *grown;

	memset(log, 0, sizeof(*log));
	if (!len)
		return 0;
	if (len < 32 || le32(buf) != 0 || le32(buf + 4) != 3)
		return -EBADMSG;
	sz = le32(buf + 28);
	if (sz < 29 || sz > len - 32 || memcmp(buf + 32, "Spec ID Event03", 16))
		return -EBADMSG;
	n = le32(buf + 32 + 24);
	if (!n || n > CVMG_MAX_BANKS || sz < 28 + 4 * n + 1)
		return -EBADMSG;
	log->nr_banks = n;
	for (i = 0; i < n; i++) {
		log->alg[i] = le16(buf + 32 + 28 + 4 * i);
		log->size[i] = le16(buf + 32 + 30 + 4 * i);
		if (log->size[i] > CVMG_MAX_DIGEST)
			return -EBADMSG;
	}
	off = 32 + sz;
	while (off < len) {
		if (log->nr_events == cap) {
			cap = cap ? 2 * cap : 256;
			grown = realloc(log->events, cap * sizeof(*grown));
			if (!grown)
				return -ENOMEM;
			log->events = grown;
		}
		ev = &log->events[log->nr_events];
		memset(ev, 0, sizeof(*ev));
		if (len - off < 12 || le32(buf + off + 8) != log->nr_banks)
			return -EBADMSG;
		ev->seq = log->nr_events;
		ev->pcr = le32(buf + off);
		ev->type = le32(buf + off + 4);
		off += 12;
		for (i = 0; i < log->nr_banks; i++) {
			if (len - off < 2u + log->size[i] || le16(buf + off) != log->alg[i])
				return -EBADMSG;
			ev->digests[i].alg = log->alg[i];
			ev->digests[i].size = log->size[i];
			memcpy(ev->digests[i].value, buf + off + 2, log->size[i]);
			off += 2 + log->size[i];
		}
		ev->nr_digests = log->nr_banks;
		if (len - off < 4)
			return -EBADMSG;
		ev->data_len = le32(buf + off);
		off += 4;
		if (len - off < ev->data_len)
			return -EBADMSG;
		ev->data = buf + off;
		off += ev->data_len;
		log->nr_events++;
	}
	return 0;
}

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

static int extend_md(const char *mdname, uint8_t *pcr, const uint8_t *d, size_t len)
{
	const EVP_MD *md = EVP_get_digestbyname(mdname);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ret = -EIO;

	if (md && ctx && EVP_DigestInit_ex(ctx, md, NULL) && EVP_DigestUpdate(ctx, pcr, len) &&
	    EVP_DigestUpdate(ctx, d, len) && EVP_DigestFinal_ex(ctx, pcr, NULL))
		ret = 0;
	EVP_MD_CTX_free(ctx);
	return md ? ret : -EOPNOTSUPP;
}

/*
 * Replay every (bank, PCR) the log touches and compare with the TPM. Prints one
 * line (or JSON object) per comparison. Return: the number of mismatches, or a
 * negative errno when the replay or the TPM read failed.
 */
static int check(const struct tcg_log *log, bool json)
{
	uint8_t val[CVMG_MAX_DIGEST], tpm[CVMG_MAX_DIGEST];
	char a[2 * CVMG_MAX_DIGEST + 1], b[2 * CVMG_MAX_DIGEST + 1];
	unsigned int bank, pcr, bad = 0, first = 1;
	const char *md;
	size_t i;
	int ret, used;

	for (pcr = 0; pcr < PCR_COUNT; pcr++) {
		for (bank = 0; bank < log->nr_banks; bank++) {
			memset(val, 0, sizeof(val));
			used = 0;
			ret = cvmg_alg_md(log->alg[bank], &md);
			if (ret)
				return ret;
			for (i = 0; i < log->nr_events; i++) {
				if (log->events[i].pcr != pcr)
					continue;
				used = 1;
				ret = extend_md(md, val, log->events[i].digests[bank].value,
						log->size[bank]);
				if (ret)
					return ret;
			}
			if (!used)
				continue;
			ret = read_tpm_pcr(log->alg[bank], pcr, tpm, log->size[bank]);
			if (ret)
				return ret;
			cvmg_hex_encode(val, log->size[bank], a);
			cvmg_hex_encode(tpm, log->size[bank], b);
			ret = memcmp(val, tpm, log->size[bank]) != 0;
			bad += ret;
			if (json)
				printf("%s{\"pcr\":%u,\"bank\":\"%s\",\"match\":%s,\"replay\":\"%s\","
				       "\"tpm\":\"%s\"}", first ? "" : ",", pcr,
				       cvmg_alg_name(log->alg[bank]), ret ? "false" : "true", a, b);
			else
				printf("PCR %u %s: %s\n", pcr, cvmg_alg_name(log->alg[bank]),
				       ret ? "MISMATCH" : "matches the TPM");
			if (ret)
				cvmg_err("PCR %u %s: the log replays to %s, the TPM has %s", pcr,
					 cvmg_alg_name(log->alg[bank]), a, b);
			first = 0;
		}
	}
	return (int)bad;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: cvmguard log [--json] [--check] [--file FILE]\n\n"
		   "Print the module's measurement event log (%s),\n"
		   "one event per line. With --check, replay it for every PCR bank and compare\n"
		   "each PCR it extends with the TPM's value; exit 1 naming the PCR on a mismatch.\n\n"
		   "  -j, --json        one JSON document: banks, events, and the checks\n"
		   "  -c, --check       replay the log against the TPM's PCRs\n"
		   "  -f, --file FILE   read a saved binary log instead\n"
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
	bool json = false, do_check = false;
	struct tcg_log log = { 0 };
	uint8_t *buf = NULL;
	unsigned int i;
	size_t len, n;
	int c, ret;

	while ((c = getopt_long(argc, argv, "jcf:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'c':
			do_check = true;
			break;
		case 'f':
			path = optarg;
			break;
		case 'h':
			usage(stdout);
			return CVMG_EXIT_OK;
		default:
			usage(stderr);
			return CVMG_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return CVMG_EXIT_USAGE;
	}
	ret = cvmg_read_file(path, &buf, &len, LOG_MAX);
	if (ret) {
		cvmg_err("%s: %s", path, strerror(-ret));
		ret = ret == -ENOENT ? CVMG_EXIT_UNAVAILABLE :
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
		printf("{\"banks\":[");
		for (i = 0; i < log.nr_banks; i++)
			printf("%s\"%s\"", i ? "," : "", cvmg_alg_name(log.alg[i]));
		printf("],\"events\":[");
		for (n = 0; n < log.nr_events; n++) {
			if (n)
				putchar(',');
			cvmg_event_print(stdout, &log.events[n], true);
		}
		printf("]");
	} else {
		for (n = 0; n < log.nr_events; n++)
			cvmg_event_print(stdout, &log.events[n], false);
	}
	ret = CVMG_EXIT_OK;
	if (do_check) {
		if (json)
			printf(",\"check\":[");
		c = check(&log, json);
		if (json)
			printf("]");
		if (c < 0) {
			cvmg_err("replay: %s", strerror(-c));
			ret = CVMG_EXIT_FAIL;
		} else if (c > 0) {
			ret = CVMG_EXIT_FAIL;
		}
	}
	if (json)
		printf("}\n");
out:
	free(log.events);
	free(buf);
	return ret;
}
