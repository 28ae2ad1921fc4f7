// SPDX-License-Identifier: GPL-2.0-only
/*
 * cvmguard info [--netlink] [--json]: what the module reports about itself, the
 * TPM and the evidence backend.
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

static const struct {
	unsigned int bit;
	const char *name;
} bank_names[] = {
	{ CVMGUARD_BANK_SHA1, "sha1" },
	{ CVMGUARD_BANK_SHA256, "sha256" },
	{ CVMGUARD_BANK_SHA384, "sha384" },
	{ CVMGUARD_BANK_SHA512, "sha512" },
	{ CVMGUARD_BANK_SM3_256, "sm3_256" },
};

/**
 * cvmg_backend_name() - the name of an enum cvmguard_backend value
 */
const char *cvmg_backend_name(unsigned int backend)
{
	switch (backend) {
	case CVMGUARD_BACKEND_NONE:
		return "none";
	case CVMGUARD_BACKEND_PARAVISOR_SNP:
		return "paravisor-snp";
	case CVMGUARD_BACKEND_PARAVISOR_TDX:
		return "paravisor-tdx";
	default:
		return "unknown";
	}
}

/**
 * cvmg_banks_format() - CVMGUARD_BANK_* bits as names
 * @banks: the bits
 * @sep: separator between names
 * @quote: wrap each name in double quotes (for JSON arrays)
 * @out: buffer
 * @len: its size
 *
 * Unknown bits are shown as "0xBIT". Return: 0, or -ENOSPC when @out is too small.
 */
int cvmg_banks_format(unsigned int banks, const char *sep, bool quote, char *out, size_t len)
{
	const char *q = quote ? "\"" : "";
	size_t used = 0, i;
	int n;

	out[0] = '\0';
	for (i = 0; i < sizeof(bank_names) / sizeof(bank_names[0]); i++) {
		if (!(banks & bank_names[i].bit))
			continue;
		banks &= ~bank_names[i].bit;
		n = snprintf(out + used, len - used, "%s%s%s%s", used ? sep : "", q,
			     bank_names[i].name, q);
		if (n < 0 || (size_t)n >= len - used)
			return -ENOSPC;
		used += (size_t)n;
	}
	for (i = 0; banks; i++, banks >>= 1) {
		if (!(banks & 1))
			continue;
		n = snprintf(out + used, len - used, "%s%s0x%x%s", used ? sep : "", q, 1U << i, q);
		if (n < 0 || (size_t)n >= len - used)
			return -ENOSPC;
		used += (size_t)n;
	}
	return 0;
}

/**
 * cvmg_info_print() - print GET_INFO's answer, readable or as one JSON object
 * @f: stream
 * @info: the answer
 * @transport: "ioctl" or "netlink", for the reader
 * @json: JSON instead of text
 */
void cvmg_info_print(FILE *f, const struct cvmguard_info *info, const char *transport, bool json)
{
	bool tpm = info->flags & CVMGUARD_INFO_TPM;
	char banks[128];
	char ver[CVMGUARD_VERSION_LEN + 1];

	/* The kernel NUL-terminates, but never trust a length from elsewhere. */
	memcpy(ver, info->module_version, CVMGUARD_VERSION_LEN);
	ver[CVMGUARD_VERSION_LEN] = '\0';
	if (json) {
		json_object *o = cvmg_json_new(), *b = json_object_new_array();
		unsigned int bits = info->pcr_banks;
		size_t i;

		json_object_object_add(o, "abi_version", json_object_new_int64(info->abi_version));
		json_object_object_add(o, "module_version", json_object_new_string(ver));
		json_object_object_add(o, "tpm", json_object_new_boolean(tpm));
		for (i = 0; i < sizeof(bank_names) / sizeof(bank_names[0]); i++)
			if (bits & bank_names[i].bit) {
				bits &= ~bank_names[i].bit;
				json_object_array_add(b, json_object_new_string(bank_names[i].name));
			}
		for (i = 0; bits; i++, bits >>= 1)
			if (bits & 1) {
				snprintf(banks, sizeof(banks), "0x%x", 1U << i);
				json_object_array_add(b, json_object_new_string(banks));
			}
		json_object_object_add(o, "pcr_banks", b);
		json_object_object_add(o, "backend",
				       json_object_new_string(cvmg_backend_name(info->backend)));
		json_object_object_add(o, "transport", json_object_new_string(transport));
		cvmg_json_emit(f, o);
		return;
	}
	cvmg_banks_format(info->pcr_banks, " ", false, banks, sizeof(banks));
	fprintf(f, "module:    cvmguard %s (ABI %u, via %s)\n", ver, info->abi_version, transport);
	fprintf(f, "tpm:       %s\n", tpm ? "TPM 2.0 present" : "none");
	if (tpm)
		fprintf(f, "pcr banks: %s\n", banks[0] ? banks : "(none allocated)");
	fprintf(f, "evidence:  %s\n", cvmg_backend_name(info->backend));
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: cvmguard info [--netlink] [--json]\n\n"
		   "Show the module's version and ABI, whether it found a TPM 2.0, the TPM's\n"
		   "PCR banks and the attestation evidence backend.\n\n"
		   "  -N, --netlink   ask over generic netlink instead of /dev/cvmguard\n"
		   "                  (-n: deprecated spelling of -N)\n"
		   "  -j, --json      print one JSON object\n"
		   "  -h, --help      this text\n");
}

/**
 * cvmg_netlink_short_n() - the deprecated -n spelling of --netlink, with a warning
 *
 * -n means --nonce in every command that takes a nonce (attest, verify,
 * quote-verify); info, report and measure keep accepting -n for --netlink, as
 * they did, and say so once.
 */
void cvmg_netlink_short_n(void)
{
	cvmg_warn("-n for --netlink is deprecated: use -N (-n means --nonce elsewhere)");
}

/**
 * cvmg_report_device_error() - explain a failure to reach the module
 * @err: negative errno
 * @netlink: which transport failed
 *
 * Return: the exit code for it.
 */
int cvmg_report_device_error(int err, bool netlink)
{
	const char *dev = getenv("CVMGUARD_DEVICE");

	if (!dev)
		dev = "/dev/" CVMGUARD_DEVICE_NAME;
	switch (err) {
	case -ENOENT:
	case -ENODEV:
	case -ENXIO:
		cvmg_err("%s: the cvmguard module is not loaded (modprobe cvmguard)",
			 netlink ? "netlink family cvmguard" : dev);
		return CVMG_EXIT_UNAVAILABLE;
	case -EACCES:
	case -EPERM:
		cvmg_err("%s: permission denied (root or the cvmguard group is needed)",
			 netlink ? "netlink" : dev);
		return CVMG_EXIT_NOPERM;
	default:
		cvmg_err("%s: %s", netlink ? "netlink" : dev, strerror(-err));
		return CVMG_EXIT_FAIL;
	}
}

struct info_args {
	bool netlink, json;
};

static int info_opt(int c, const char *arg, void *ctx)
{
	struct info_args *a = ctx;

	if (c == 'n')
		cvmg_netlink_short_n();
	if (c == 'n' || c == 'N')
		a->netlink = true;
	else
		a->json = true;
	return 0;
}

int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "netlink", no_argument, NULL, 'N' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct info_args a = { 0 };
	struct cvmguard_info info;
	int ret;

	ret = cvmg_parse_args(argc, argv, "nNjh", opts, 0, usage, info_opt, &a);
	if (ret >= 0)
		return ret;
	ret = a.netlink ? cvmg_nl_get_info(&info) : cvmg_dev_get_info(&info);
	if (ret)
		return cvmg_report_device_error(ret, a.netlink);
	cvmg_info_print(stdout, &info, a.netlink ? "netlink" : "ioctl", a.json);
	return CVMG_EXIT_OK;
}
