// SPDX-License-Identifier: GPL-2.0-only
/*
 * TCG PC Client crypto-agile event logs (TCG PC Client Platform Firmware Profile,
 * 10.2): a Spec ID event in the SHA-1 TCG_PCClientPCREvent form, naming the banks,
 * then TCG_PCR_EVENT2 records { u32 pcr; u32 type; u32 count; count x { u16 alg;
 * u8 digest[size of alg] }; u32 size; u8 data[size]; }, little-endian.
 *
 * Replay: a PCR starts at its reset value (zero; all ones for PCRs 17-22, which
 * only a dynamic launch zeroes; the StartupLocality of an EV_NO_ACTION event in
 * PCR 0 sets PCR 0's last byte) and is extended with each event's digest in log
 * order, PCR = H(PCR || digest). EV_NO_ACTION events are not extended. Several
 * logs replay in the order given: the firmware's, then the OS's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "tcg_log.h"

#define SPEC_ID_SIG		"Spec ID Event03"
#define STARTUP_LOCALITY_SIG	"StartupLocality"
#define TPM_ALG_SHA256_ID	0x000b

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/**
 * tcg_log_bank() - the index of a bank in a log
 * @log: a parsed log
 * @alg: TPM_ALG_ID
 *
 * Return: the index, or -ENOENT when the log has no such bank.
 */
int tcg_log_bank(const struct tcg_log *log, uint16_t alg)
{
	unsigned int i;

	for (i = 0; i < log->nr_banks; i++)
		if (log->alg[i] == alg)
			return (int)i;
	return -ENOENT;
}

/**
 * tcg_log_parse() - parse a crypto-agile event log
 * @buf: the log; an empty one is a log without banks or events
 * @len: its length
 * @log: filled in; events point into @buf. tcg_log_free() it, also on error.
 *
 * Every event must carry one digest for each bank the Spec ID event names (in any
 * order); digests are stored in the Spec ID event's bank order.
 *
 * Return: 0, -EBADMSG for anything malformed, -ENOMEM.
 */
int tcg_log_parse(const uint8_t *buf, size_t len, struct tcg_log *log)
{
	size_t off, cap = 0, i;
	uint32_t sz, n, seen;
	struct cvmg_event *ev, *grown;
	int b;

	memset(log, 0, sizeof(*log));
	log->startup_locality = -1;
	log->buf = buf;
	if (!len)
		return 0;
	if (len < 32 || le32(buf) != 0 || le32(buf + 4) != TCG_EV_NO_ACTION)
		return -EBADMSG;
	sz = le32(buf + 28);
	if (sz < 29 || sz > len - 32 || memcmp(buf + 32, SPEC_ID_SIG, 16))
		return -EBADMSG;
	n = le32(buf + 32 + 24);
	if (!n || n > CVMG_MAX_BANKS || sz < 28 + 4 * n + 1)
		return -EBADMSG;
	log->nr_banks = n;
	for (i = 0; i < n; i++) {
		log->alg[i] = le16(buf + 32 + 28 + 4 * i);
		log->size[i] = le16(buf + 32 + 30 + 4 * i);
		if (log->size[i] > CVMG_MAX_DIGEST || tcg_log_bank(log, log->alg[i]) != (int)i)
			return -EBADMSG;
	}
	off = 32 + sz;
	log->hdr_len = off;
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
		seen = 0;
		for (i = 0; i < log->nr_banks; i++) {
			if (len - off < 2)
				return -EBADMSG;
			b = tcg_log_bank(log, le16(buf + off));
			if (b < 0 || (seen & (1u << b)) || len - off - 2 < log->size[b])
				return -EBADMSG;
			seen |= 1u << b;
			ev->digests[b].alg = log->alg[b];
			ev->digests[b].size = log->size[b];
			memcpy(ev->digests[b].value, buf + off + 2, log->size[b]);
			off += 2 + log->size[b];
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
		if (ev->type == TCG_EV_NO_ACTION && ev->pcr == 0 && ev->data_len == 17 &&
		    !memcmp(ev->data, STARTUP_LOCALITY_SIG, 16))
			log->startup_locality = ev->data[16];
		log->nr_events++;
	}
	return 0;
}

/**
 * tcg_log_free() - free what tcg_log_parse() allocated
 * @log: the log
 */
void tcg_log_free(struct tcg_log *log)
{
	free(log->events);
	log->events = NULL;
	log->nr_events = 0;
}

/*
 * The bank's hash. Not cvmg_alg_md(): that lives with the module's transports,
 * and verify (which replays logs) links without them.
 */
static const EVP_MD *alg_md(uint16_t alg)
{
	switch (alg) {
	case 0x0004:
		return EVP_sha1();
	case TPM_ALG_SHA256_ID:
		return EVP_sha256();
	case 0x000c:
		return EVP_sha384();
	case 0x000d:
		return EVP_sha512();
	case 0x0012:
		return EVP_get_digestbyname("SM3");
	default:
		return NULL;
	}
}

static int extend(const EVP_MD *md, EVP_MD_CTX *ctx, uint8_t *pcr, const uint8_t *d,
		  size_t len)
{
	if (EVP_DigestInit_ex(ctx, md, NULL) != 1 || EVP_DigestUpdate(ctx, pcr, len) != 1 ||
	    EVP_DigestUpdate(ctx, d, len) != 1 || EVP_DigestFinal_ex(ctx, pcr, NULL) != 1)
		return -EIO;
	return 0;
}

/**
 * tcg_log_replay() - compute the PCR values of one bank from event logs
 * @logs: the logs, in the order their events happened (firmware first)
 * @nlogs: how many
 * @alg: the bank (TPM_ALG_ID)
 * @out: receives, for each PCR, whether a log extends it, how many events did,
 *       and the value they lead to from the PCR's reset value
 *
 * A log without banks (an empty log) contributes nothing.
 *
 * Return: 0; -ENOENT when a non-empty log lacks the bank, -EOPNOTSUPP for a bank
 * OpenSSL cannot hash, -ERANGE for an event on a PCR past 23, -EIO, -ENOMEM.
 */
int tcg_log_replay(const struct tcg_log *const *logs, size_t nlogs, uint16_t alg,
		   struct tcg_replay *out)
{
	EVP_MD_CTX *ctx = NULL;
	const EVP_MD *md;
	size_t i, k, size = 0;
	int ret = 0, b;

	memset(out, 0, sizeof(*out));
	md = alg_md(alg);
	if (!md)
		return -EOPNOTSUPP;
	size = (size_t)EVP_MD_get_size(md);
	for (i = 17; i <= 22; i++)
		memset(out->pcr[i], 0xff, size);
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -ENOMEM;
	for (k = 0; k < nlogs; k++) {
		const struct tcg_log *log = logs[k];

		if (!log->nr_banks)
			continue;
		b = tcg_log_bank(log, alg);
		if (b < 0 || log->size[b] != size) {
			ret = -ENOENT;
			goto out;
		}
		if (log->startup_locality >= 0 && !(out->touched & 1))
			out->pcr[0][size - 1] = (uint8_t)log->startup_locality;
		for (i = 0; i < log->nr_events; i++) {
			const struct cvmg_event *ev = &log->events[i];

			if (ev->type == TCG_EV_NO_ACTION)
				continue;
			if (ev->pcr >= TCG_PCR_COUNT) {
				ret = -ERANGE;
				goto out;
			}
			ret = extend(md, ctx, out->pcr[ev->pcr], ev->digests[b].value, size);
			if (ret)
				goto out;
			out->touched |= 1u << ev->pcr;
			out->events[ev->pcr]++;
		}
	}
out:
	EVP_MD_CTX_free(ctx);
	return ret;
}

/**
 * tcg_log_prefix_len() - the length of a log cut after its first @nevents events
 * @log: a parsed log
 * @nevents: at most log->nr_events
 *
 * Return: the byte length of that prefix, itself a valid log (0 for an empty log).
 */
size_t tcg_log_prefix_len(const struct tcg_log *log, size_t nevents)
{
	const struct cvmg_event *ev;

	if (!log->nr_banks)
		return 0;
	if (!nevents)
		return log->hdr_len;
	ev = &log->events[nevents - 1];
	return (size_t)(ev->data - log->buf) + ev->data_len;
}

static int pcr_digest(EVP_MD_CTX *ctx, uint8_t pcrs[TCG_PCR_COUNT][32], uint8_t *md)
{
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, pcrs, TCG_PCR_COUNT * 32) != 1 ||
	    EVP_DigestFinal_ex(ctx, md, NULL) != 1)
		return -EIO;
	return 0;
}

/**
 * tcg_log_fit() - the prefix of a log that a quote covers
 * @fw: the firmware's log, or NULL (final before the OS runs)
 * @log: the OS's log, read after the quote; NULL or empty for none
 * @pcrs: SHA-256 PCRs 0-23 read before the quote; on success, those @log extends
 *        are replaced by the values its prefix leads to
 * @digest: the quote's pcrDigest over SHA-256 PCRs 0-23
 * @nevents: receives the number of events of @log the quote covers
 *
 * A log read after the quote holds every event the quote covers and maybe some
 * that came later; its order is the extend order, so the quoted state is that of
 * a prefix. Find the prefix whose replay, with the other PCRs as read, gives
 * the quote's digest. This also repairs PCR values read while the log's PCRs
 * moved (between TPM2_PCR_Read and TPM2_Quote), so a stream of measurements
 * cannot keep attest from a consistent bundle.
 *
 * Return: 0; -ESRCH when no prefix fits (a PCR the log does not explain moved:
 * read and quote again); -ENOENT when a log lacks the SHA-256 bank; -ERANGE,
 * -EIO, -ENOMEM as tcg_log_replay().
 */
int tcg_log_fit(const struct tcg_log *fw, const struct tcg_log *log,
		uint8_t pcrs[TCG_PCR_COUNT][32], const uint8_t digest[32], size_t *nevents)
{
	const struct tcg_log *logs[2] = { fw, log };
	uint8_t cand[TCG_PCR_COUNT][32], md[32];
	struct tcg_replay full, cur;
	EVP_MD_CTX *ctx = NULL;
	size_t k, n = log ? log->nr_events : 0;
	int b = 0, ret, p;

	/* What the OS log touches at all, and the state before its first event. */
	ret = tcg_log_replay(&logs[1], log ? 1 : 0, TPM_ALG_SHA256_ID, &full);
	if (!ret)
		ret = tcg_log_replay(logs, fw ? 1 : 0, TPM_ALG_SHA256_ID, &cur);
	if (ret)
		return ret;
	if (n) {
		b = tcg_log_bank(log, TPM_ALG_SHA256_ID);
		if (b < 0 || log->size[b] != 32)
			return -ENOENT;
	}
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -ENOMEM;
	ret = -ESRCH;
	for (k = 0; k <= n; k++) {
		memcpy(cand, pcrs, sizeof(cand));
		for (p = 0; p < TCG_PCR_COUNT; p++)
			if (full.touched & (1u << p))
				memcpy(cand[p], cur.pcr[p], 32);
		if (pcr_digest(ctx, cand, md)) {
			ret = -EIO;
			break;
		}
		if (!memcmp(md, digest, 32)) {
			memcpy(pcrs, cand, sizeof(cand));
			*nevents = k;
			ret = 0;
			break;
		}
		if (k == n)
			break;
		if (log->events[k].type == TCG_EV_NO_ACTION)
			continue;
		if (log->events[k].pcr >= TCG_PCR_COUNT) {
			ret = -ERANGE;
			break;
		}
		if (extend(EVP_sha256(), ctx, cur.pcr[log->events[k].pcr],
			   log->events[k].digests[b].value, 32)) {
			ret = -EIO;
			break;
		}
	}
	EVP_MD_CTX_free(ctx);
	return ret;
}
