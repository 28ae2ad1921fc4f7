// SPDX-License-Identifier: GPL-2.0-only
/*
 * cvmguard report: fetch fresh attestation evidence bound to user data through the
 * module, and write it or summarise it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cvmguard.h"
#include "device.h"
#include "hcl_report.h"
#include "info.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: cvmguard report [--user-data HEX | --nonce-file F | --random]\n"
		   "                       [-o FILE] [--json] [--netlink]\n\n"
		   "Fetch a fresh hardware attestation report bound to 64 bytes of user data\n"
		   "(shorter data is zero-padded). Without -o, print a summary of its claims.\n\n"
		   "  -u, --user-data HEX   up to 64 bytes in hex\n"
		   "  -f, --nonce-file F    up to 64 bytes from a file (- for stdin)\n"
		   "  -r, --random          64 random bytes (the default)\n"
		   "  -o, --output FILE     write the raw HCL report to FILE (- for stdout)\n"
		   "  -j, --json            print the summary as JSON\n"
		   "  -N, --netlink         ask over generic netlink instead of /dev/cvmguard\n"
		   "                        (-n: deprecated spelling of -N)\n"
		   "  -h, --help            this text\n");
}

static const char *type_name(uint32_t type)
{
	return type == CVMGUARD_REPORT_SNP ? "snp" : type == CVMGUARD_REPORT_TDX ? "tdx" : "unknown";
}

/* The summary: what the report says, and whether it is bound to what we sent. */
static int summarise(const uint8_t *report, size_t len, uint32_t type, const uint8_t *ud,
		     bool json)
{
	char hex[2 * CVMGUARD_USER_DATA_LEN + 1], rd[2 * 32 + 1];
	struct hcl_claims claims = {};
	struct hcl_report h;
	bool bound, ours;
	int ret;

	ret = hcl_report_parse(report, len, &h);
	if (ret)
		return ret;
	ret = hcl_claims_parse(h.claims, h.claims_len, &claims);
	if (ret)
		return ret;
	bound = !hcl_report_check_binding(&h);
	ours = claims.has_user_data && !memcmp(claims.user_data, ud, CVMGUARD_USER_DATA_LEN);
	cvmg_hex_encode(ud, CVMGUARD_USER_DATA_LEN, hex);
	cvmg_hex_encode(h.report_data, 32, rd);
	if (json) {
		json_object *o = cvmg_json_new();

		json_object_object_add(o, "type", json_object_new_string(type_name(type)));
		json_object_object_add(o, "size", json_object_new_int64((int64_t)len));
		json_object_object_add(o, "user_data", json_object_new_string(hex));
		json_object_object_add(o, "user_data_bound", json_object_new_boolean(ours));
		json_object_object_add(o, "report_data", json_object_new_string(rd));
		json_object_object_add(o, "claims_bound", json_object_new_boolean(bound));
		json_object_object_add(o, "has_ak", json_object_new_boolean(!!claims.ak));
		cvmg_json_emit(stdout, o);
	} else {
		printf("report:       HCL, %s hardware report, %zu bytes\n", type_name(type), len);
		printf("user data:    %s\n", hex);
		printf("  in claims:  %s\n", ours ? "yes (fresh)" : "NO");
		printf("report data:  %s...\n", rd);
		printf("  binds the runtime claims (SHA-256): %s\n", bound ? "yes" : "NO");
		printf("vTPM AK:      %s\n", claims.ak ? "HCLAkPub present" : "missing");
		printf("Verify with:  cvmguard report -o e.bin && cvmguard verify e.bin\n");
	}
	hcl_claims_free(&claims);
	return ours && bound ? 0 : -EBADMSG;
}

/**
 * cvmg_evidence_error() - explain a failed GET_EVIDENCE request
 * @err: negative errno from cvmg_dev_get_evidence() or cvmg_nl_get_evidence()
 * @netlink: which transport was used
 *
 * Return: the exit code for it.
 */
int cvmg_evidence_error(int err, bool netlink)
{
	switch (err) {
	case -ETIMEDOUT:
		cvmg_err("no fresh report from the paravisor in time "
			 "(module parameter evidence_timeout_ms)");
		return CVMG_EXIT_FAIL;
	case -ENODEV:
		cvmg_err("no TPM: evidence comes through the vTPM");
		return CVMG_EXIT_NOTPM;
	case -ENOENT:
		cvmg_err("no HCL report index (0x01400001) in the vTPM: "
			 "not a paravisor confidential VM");
		return CVMG_EXIT_BUSY;
	case -EIO:
		cvmg_err("the TPM refused a command (see the kernel log at debug level)");
		return CVMG_EXIT_FAIL;
	case -EPROTO:
		cvmg_err("the paravisor's report is malformed or of an unknown type");
		return CVMG_EXIT_FAIL;
	case -EBUSY:
		cvmg_err("another writer replaced the user data in 0x01400002 during the "
			 "request (another attestation agent?): no report handed out; retry");
		return CVMG_EXIT_BUSY;
	case -EMSGSIZE:
		cvmg_err("the paravisor's report index is larger than the module accepts");
		return CVMG_EXIT_FAIL;
	default:
		return cvmg_report_device_error(err, netlink);
	}
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "user-data", required_argument, NULL, 'u' },
		{ "nonce-file", required_argument, NULL, 'f' },
		{ "random", no_argument, NULL, 'r' },
		{ "output", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "netlink", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	uint8_t ud[CVMGUARD_USER_DATA_LEN] = {}, *report = NULL, *file = NULL;
	const char *hex = NULL, *nonce_file = NULL, *out = NULL;
	bool json = false, netlink = false, random = false;
	size_t len = 0;
	uint32_t type;
	int c, ret, rc = CVMG_EXIT_OK;

	while ((c = cvmg_getopt(argc, argv, "u:f:ro:jnNh", opts)) != -1) {
		switch (c) {
		case 'u': hex = optarg; break;
		case 'f': nonce_file = optarg; break;
		case 'r': random = true; break;
		case 'o': out = optarg; break;
		case 'j': json = true; break;
		case 'n': cvmg_netlink_short_n(); netlink = true; break;
		case 'N': netlink = true; break;
		case 'h': usage(stdout); return CVMG_EXIT_OK;
		default: usage(stderr); return CVMG_EXIT_USAGE;
		}
	}
	if (cvmg_extra_args(argc, argv, 0)) {
		usage(stderr);
		return CVMG_EXIT_USAGE;
	}
	if ((!!hex + !!nonce_file + random) > 1) {
		cvmg_err("--user-data, --nonce-file and --random: give one at most");
		usage(stderr);
		return CVMG_EXIT_USAGE;
	}
	if (hex) {
		if (cvmg_hex_arg("--user-data", hex, ud, 0, sizeof(ud), &len))
			return CVMG_EXIT_USAGE;
	} else if (nonce_file) {
		ret = cvmg_read_file(nonce_file, &file, &len, sizeof(ud));
		if (ret) {
			cvmg_err("--nonce-file %s: %s", nonce_file, ret == -EFBIG ?
				 "more than 64 bytes" : strerror(-ret));
			return CVMG_EXIT_USAGE;
		}
		memcpy(ud, file, len);
		free(file);
	} else if (getrandom(ud, sizeof(ud), 0) != sizeof(ud)) {
		cvmg_err("getrandom: %s", strerror(errno));
		return CVMG_EXIT_FAIL;
	}

	/* The device first: a missing module is 69 and says so, never blamed on the
	 * paravisor (the request's own -ENOENT means no HCL report index). */
	if (!netlink) {
		ret = cvmg_dev_open();
		if (ret < 0)
			return cvmg_report_device_error(ret, false);
		close(ret);
	}
	ret = netlink ? cvmg_nl_get_evidence(ud, &report, &len, &type) :
			cvmg_dev_get_evidence(ud, &report, &len, &type);
	if (ret)
		return cvmg_evidence_error(ret, netlink);
	if (out) {
		ret = cvmg_write_file_atomic(out, report, len, 0644);
		if (ret) {
			cvmg_err("%s: %s", out, strerror(-ret));
			rc = CVMG_EXIT_FAIL;
		}
		goto done;
	}
	ret = summarise(report, len, type, ud, json);
	if (ret == -EBADMSG)
		rc = CVMG_EXIT_FAIL;
	else if (ret) {
		cvmg_err("cannot parse the report: %s", strerror(-ret));
		rc = CVMG_EXIT_MALFORMED;
	}
done:
	free(report);
	return rc;
}
