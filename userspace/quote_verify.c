// SPDX-License-Identifier: GPL-2.0-only
/*
 * cvmguard quote-verify --ak PEM --msg FILE --sig FILE --pcrs FILE
 *                       [--nonce TEXT | --nonce-hex HEX] [--json]
 *
 * Verifies one TPM2 quote on its own: the signature by the attestation key, the
 * PCR digest against the given SHA-256 PCR values and, when given, the nonce in
 * extraData. The PCR file holds exactly what the quote selects: 32 bytes for each
 * PCR from 0 to the highest selected one, zeros in place of a PCR the selection
 * skips, nothing after it; so no value in it is left uncovered by the quote. A
 * quote that selects no PCR proves nothing and fails. The form of this command
 * is a contract.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/pem.h>

#include "cvmguard.h"
#include "tpm_quote.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: cvmguard quote-verify --ak PEM --msg FILE --sig FILE --pcrs FILE\n"
		   "                             [--nonce TEXT | --nonce-hex HEX] [--json]\n\n"
		   "Verify one TPM2 quote: its signature by the attestation key, its PCR digest\n"
		   "against the PCR values and, when given, the nonce in its extraData.\n\n"
		   "  -a, --ak PEM          the attestation key's public key (PEM)\n"
		   "  -m, --msg FILE        the quote: a TPMS_ATTEST structure\n"
		   "  -s, --sig FILE        its TPMT_SIGNATURE\n"
		   "  -p, --pcrs FILE       32 bytes for each PCR from 0 to the highest selected\n"
		   "                        one (zeros for a PCR not selected), nothing more\n"
		   "  -n, --nonce TEXT      the expected extraData, as text (1 to 64 bytes)\n"
		   "  -x, --nonce-hex HEX   the expected extraData, in hex (1 to 64 bytes)\n"
		   "  -j, --json            print the result as one JSON document\n"
		   "  -h, --help            this text\n"
		   "Exit: 0 verified, 1 signature/nonce/PCR failure or no PCR selected,\n"
		   "      3 malformed input, 64 usage error or unreadable file.\n");
}

static int read_ak(const char *path, EVP_PKEY **ak)
{
	uint8_t *buf = NULL;
	size_t len;
	BIO *bio;
	int ret;

	ret = cvmg_read_file(path, &buf, &len, 1 << 16);
	if (ret)
		return ret;
	bio = BIO_new_mem_buf(buf, (int)len);
	*ak = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	free(buf);
	return *ak ? 0 : -EBADMSG;
}

/*
 * The quote's SHA-256 selection as a mask (bit n: PCR n), or -1 when it selects
 * another bank or a PCR past 23, which this command cannot check.
 */
static long selection(const struct tpm_quote *q)
{
	unsigned long mask = 0;
	size_t s, i;

	for (s = 0; s < q->nsel; s++)
		for (i = 0; i < (size_t)q->sel[s].size * 8; i++) {
			if (!(q->sel[s].bits[i / 8] & (1u << (i % 8))))
				continue;
			if (q->sel[s].hash != TPM_ALG_SHA256 || i >= 24)
				return -1;
			mask |= 1ul << i;
		}
	return (long)mask;
}

/* The PCR file holds exactly the selection (see the top of this file). */
static bool pcrs_exact(unsigned long mask, const uint8_t *pcrs, size_t len)
{
	size_t top = 0, i, j;

	for (i = 0; i < 24; i++)
		if (mask & (1ul << i))
			top = i + 1;
	if (len != 32 * top)
		return false;
	for (i = 0; i < top; i++)
		for (j = 0; j < 32 && !(mask & (1ul << i)); j++)
			if (pcrs[32 * i + j])
				return false;
	return true;
}

/* The checks, printed as they are made, or gathered into @checks under --json. */
static void result(json_object *checks, const char *name, int ok, const char *detail)
{
	const char *r = ok > 0 ? "pass" : ok ? "skip" : "FAIL";
	json_object *o;

	if (!checks) {
		printf("  [%s] %s: %s\n", r, name, detail);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "result", json_object_new_string(ok > 0 ? "pass" : ok ? "skip" :
								       "fail"));
	json_object_object_add(o, "detail", json_object_new_string(detail));
	json_object_array_add(checks, o);
}

/* What the quote says, as text or into @doc. */
static void describe(const struct tpm_quote *q, long mask, json_object *doc)
{
	char hex[129], sel[24 * 12] = "";
	json_object *o, *a;
	size_t used = 0;
	int i;

	for (i = 0; mask > 0 && i < 24; i++)
		if (mask & (1l << i))
			used += (size_t)snprintf(sel + used, sizeof(sel) - used, "%ssha256:%d",
						 used ? "," : "", i);
	if (!doc) {
		printf("quote:\n");
		cvmg_hex_encode(q->extra, q->extra_len, hex);
		printf("  extra_data: %s\n", hex);
		printf("  clock: %llu reset_count: %u restart_count: %u safe: %u\n",
		       (unsigned long long)q->clock, q->reset_count, q->restart_count, q->safe);
		printf("  firmware_version: 0x%016llx\n", (unsigned long long)q->firmware_version);
		cvmg_hex_encode(q->pcr_digest, q->pcr_digest_len, hex);
		printf("  pcr_digest: %s\n", hex);
		printf("  selection: %s\n", mask < 0 ? "(another bank, or PCRs past 23)" :
		       !mask ? "(none)" : sel);
		return;
	}
	o = json_object_new_object();
	cvmg_hex_encode(q->extra, q->extra_len, hex);
	json_object_object_add(o, "extra_data", json_object_new_string(hex));
	json_object_object_add(o, "clock", json_object_new_uint64(q->clock));
	json_object_object_add(o, "reset_count", json_object_new_int64(q->reset_count));
	json_object_object_add(o, "restart_count", json_object_new_int64(q->restart_count));
	json_object_object_add(o, "safe", json_object_new_boolean(q->safe));
	snprintf(hex, sizeof(hex), "0x%016llx", (unsigned long long)q->firmware_version);
	json_object_object_add(o, "firmware_version", json_object_new_string(hex));
	cvmg_hex_encode(q->pcr_digest, q->pcr_digest_len, hex);
	json_object_object_add(o, "pcr_digest", json_object_new_string(hex));
	/* The SHA-256 PCRs selected; null when the quote selects what this cannot check. */
	a = mask < 0 ? NULL : json_object_new_array();
	for (i = 0; mask > 0 && i < 24; i++)
		if (mask & (1l << i))
			json_object_array_add(a, json_object_new_int(i));
	json_object_object_add(o, "sha256_pcrs", a);
	json_object_object_add(doc, "quote", o);
}

int cmd_quote_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ak", required_argument, NULL, 'a' },
		{ "msg", required_argument, NULL, 'm' },
		{ "sig", required_argument, NULL, 's' },
		{ "pcrs", required_argument, NULL, 'p' },
		{ "nonce", required_argument, NULL, 'n' },
		{ "nonce-hex", required_argument, NULL, 'x' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ak_path = NULL, *msg_path = NULL, *sig_path = NULL, *pcr_path = NULL;
	const char *nonce_text = NULL, *nonce_hex = NULL;
	uint8_t *msg = NULL, *sig = NULL, *pcrs = NULL, nonce[64];
	size_t msglen, siglen, pcrlen, nlen = 0;
	json_object *doc = NULL, *checks = NULL;
	EVP_PKEY *ak = NULL;
	struct tpm_quote q;
	long mask;
	int opt, ret, rc = CVMG_EXIT_MALFORMED;
	bool failed = false, json = false;

	optind = 1;
	while ((opt = cvmg_getopt(argc, argv, "a:m:s:p:n:x:jh", opts)) != -1) {
		switch (opt) {
		case 'a': ak_path = optarg; break;
		case 'm': msg_path = optarg; break;
		case 's': sig_path = optarg; break;
		case 'p': pcr_path = optarg; break;
		case 'n': nonce_text = optarg; break;
		case 'x': nonce_hex = optarg; break;
		case 'j': json = true; break;
		case 'h': usage(stdout); return CVMG_EXIT_OK;
		default: usage(stderr); return CVMG_EXIT_USAGE;
		}
	}
	if (cvmg_extra_args(argc, argv, 0)) {
		usage(stderr);
		return CVMG_EXIT_USAGE;
	}
	if (!ak_path || !msg_path || !sig_path || !pcr_path) {
		cvmg_err("missing %s: --ak, --msg, --sig and --pcrs are required",
			 !ak_path ? "--ak" : !msg_path ? "--msg" : !sig_path ? "--sig" : "--pcrs");
		usage(stderr);
		return CVMG_EXIT_USAGE;
	}
	if (nonce_text && nonce_hex) {
		cvmg_err("--nonce and --nonce-hex: give one");
		return CVMG_EXIT_USAGE;
	}
	if (nonce_text) {
		nlen = strlen(nonce_text);
		if (nlen > sizeof(nonce)) {
			cvmg_err("--nonce: %zu bytes; at most 64", nlen);
			return CVMG_EXIT_USAGE;
		}
		memcpy(nonce, nonce_text, nlen);
	} else if (nonce_hex && cvmg_hex_arg("--nonce-hex", nonce_hex, nonce, 1, sizeof(nonce),
					     &nlen)) {
		return CVMG_EXIT_USAGE;
	}
	if (nonce_text && !nlen) {
		cvmg_err("--nonce: an empty nonce is no nonce");
		return CVMG_EXIT_USAGE;
	}
	if (json) {
		doc = cvmg_json_new();
		checks = json_object_new_array();
		if (!doc || !checks) {
			rc = CVMG_EXIT_FAIL;
			goto out;
		}
	}
	/* Each file named on the command line: unreadable is the caller's error (64). */
	if ((ret = read_ak(ak_path, &ak)) ||
	    (ret = cvmg_read_file(msg_path, &msg, &msglen, 1 << 16)) ||
	    (ret = cvmg_read_file(sig_path, &sig, &siglen, 1 << 16)) ||
	    (ret = cvmg_read_file(pcr_path, &pcrs, &pcrlen, 1 << 16))) {
		cvmg_err("%s %s: %s", !ak ? "--ak" : !msg ? "--msg" : !sig ? "--sig" : "--pcrs",
			 !ak ? ak_path : !msg ? msg_path : !sig ? sig_path : pcr_path,
			 ret == -EBADMSG ? "not a PEM public key" : strerror(-ret));
		rc = ret == -EBADMSG ? CVMG_EXIT_MALFORMED : CVMG_EXIT_USAGE;
		goto out;
	}
	ret = tpm_quote_parse(msg, msglen, &q);
	if (ret) {
		cvmg_err("--msg %s: not a TPMS_ATTEST quote", msg_path);
		goto out;
	}
	mask = selection(&q);
	describe(&q, mask, doc);
	if (mask > 0 && !pcrs_exact((unsigned long)mask, pcrs, pcrlen)) {
		cvmg_err("--pcrs %s: must hold exactly the selected PCRs: 32 bytes for each PCR from 0 "
			 "to the highest selected, zeros for one not selected (%zu bytes given)",
			 pcr_path, pcrlen);
		goto out;
	}
	if (!json)
		printf("checks:\n");
	result(checks, "quote-selection", mask > 0, mask > 0 ? "selects SHA-256 PCRs" : !mask ?
	       "the quote selects no PCR: it proves nothing about the machine" :
	       "selects PCRs this command cannot check");
	failed |= mask <= 0;

	ret = tpm_quote_verify_sig(msg, msglen, sig, siglen, ak);
	if (ret == -EBADMSG) {
		cvmg_err("--sig %s: malformed signature", sig_path);
		goto out;
	}
	result(checks, "quote-signature", !ret, ret ? "does not verify with the AK" : "signed by the AK");
	failed |= ret != 0;
	ret = mask > 0 ? tpm_quote_check_pcrs(&q, pcrs, pcrlen) : -EKEYREJECTED;
	if (ret == -EBADMSG) {
		cvmg_err("--pcrs %s: not SHA-256 PCR values covering the quote's selection",
			 pcr_path);
		goto out;
	}
	if (mask > 0) {
		result(checks, "quote-pcrs", !ret, ret ? "pcrDigest does not match the PCR values"
					       : "pcrDigest matches the PCR values");
		failed |= ret != 0;
	}
	if (nonce_text || nonce_hex) {
		ret = tpm_quote_check_nonce(&q, nonce, nlen);
		result(checks, "quote-nonce", !ret, ret ? "extraData is not the nonce"
						: "extraData is the nonce");
		failed |= ret != 0;
	} else {
		result(checks, "quote-nonce", -1, "no nonce given: freshness not checked");
	}
	rc = failed ? CVMG_EXIT_FAIL : CVMG_EXIT_OK;
	if (json) {
		json_object_object_add(doc, "checks", checks);
		checks = NULL;
		json_object_object_add(doc, "verdict", json_object_new_string(
					       failed ? "failed" : "verified"));
		json_object_object_add(doc, "exit_code", json_object_new_int(rc));
		cvmg_json_emit(stdout, doc);
		doc = NULL;
	} else {
		printf("verdict: %s\n", failed ? "failed" : "verified");
	}
out:
	json_object_put(doc);
	json_object_put(checks);
	EVP_PKEY_free(ak);
	free(msg);
	free(sig);
	free(pcrs);
	return rc;
}
