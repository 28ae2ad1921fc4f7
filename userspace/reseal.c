// SPDX-License-Identifier: GPL-2.0-only
/*
 * cvmguard reseal DEVICE [--pcr-value N=HEX]... [--pcrs LIST] [--recovery-key FILE|-]:
 * seal a volume's key to PCR values after an expected change (a Secure Boot DBX or
 * SBAT update, a firmware update), before it (the PCRs still unseal: predict the
 * new values) or after it (prove a recovery key). See volume.c, cvmg_volume_reseal().
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cvmguard.h"
#include "pin.h"
#include "secret.h"
#include "tpm_seal.h"
#include "volume.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: cvmguard reseal DEVICE [--pcr-value N=HEX]... [--pcrs LIST]\n"
		   "                       [--recovery-key FILE|- | --key-file FILE|-]\n"
		   "                       [--pin] [--pin-file FILE|-]\n\n"
		   "Seal the key of a volume enrolled by cvmguard anew, for an expected PCR\n"
		   "change. Before the change (the PCRs still unseal), give the values the PCRs\n"
		   "will hold with --pcr-value: the volume then opens after the change. After it,\n"
		   "prove a recovery key (or another passphrase of the volume) with\n"
		   "--recovery-key: the key is sealed to the PCRs as they are now. Either way the\n"
		   "volume's rollback counter in the vTPM advances, so the old tokens and any\n"
		   "header saved before no longer open it, and the old keyslot goes. Killed at\n"
		   "any point, the volume opens with the old or the new secret.\n\n"
		   "      --pcr-value N=HEX  seal PCR N (sha256 bank, one of the selected PCRs) to\n"
		   "                         HEX (64 hex digits) instead of its current value;\n"
		   "                         repeatable. Selected PCRs not named keep their\n"
		   "                         current value\n"
		   "  -p, --pcrs LIST        seal to these PCRs (default: the old token's), e.g. 7\n"
		   "                         or 0,7; 16 and 23 are refused\n"
		   "  -k, --key-file FILE    prove authority with this passphrase of DEVICE ('-':\n"
		   "                         standard input; one trailing newline is not part of\n"
		   "                         it) instead of unsealing with the current PCRs\n"
		   "      --recovery-key FILE  the same, for the recovery key enroll wrote\n"
		   "      --pin              the new seal also wants a PIN (a PIN the volume has\n"
		   "                         is kept either way; with a key file it is asked as\n"
		   "                         a new one)\n"
		   "      --pin-file FILE    the PIN ('-': standard input; one trailing newline is\n"
		   "                         not part of it); else $PIN ($NEWPIN for a new one),\n"
		   "                         else the terminal\n"
		   "  -h, --help             this text\n\n"
		   "Exit status: 2 when the PCRs no longer unseal and no --recovery-key was given;\n"
		   "6 when the header or token is not as enrolled (rollback included); 1 when the\n"
		   "key file opens no keyslot; 64 usage. See cvmguard(8).\n");
}

/* "N=HEX" into @o; the message names the argument. */
static int parse_value(const char *arg, struct cvmg_reseal_opts *o)
{
	char *end, opt[32];
	size_t len;
	long n;

	n = strtol(arg, &end, 10);
	if (end == arg || *end != '=' || n < 0 || n >= CVMG_PCR_COUNT) {
		cvmg_err("--pcr-value '%s': want N=HEX with N a PCR 0-23, e.g. 7=%.*s...", arg,
			 16, "0123456789abcdef");
		return -EINVAL;
	}
	if (n == 16 || n == 23) {
		cvmg_err("--pcr-value '%s': PCR %ld is resettable; a policy on it protects "
			 "nothing", arg, n);
		return -EINVAL;
	}
	if (o->value_mask & (1u << n)) {
		cvmg_err("--pcr-value: PCR %ld given twice", n);
		return -EINVAL;
	}
	snprintf(opt, sizeof(opt), "--pcr-value %ld", n);
	if (cvmg_hex_arg(opt, end + 1, o->values[n], 32, 32, &len))
		return -EINVAL;
	o->value_mask |= 1u << n;
	return 0;
}

static void pcr_list(uint32_t mask, char *out, size_t len)
{
	size_t used = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < CVMG_PCR_COUNT && used < len; i++)
		if (mask & (1u << i))
			used += (size_t)snprintf(out + used, len - used, "%s%d", used ? "," : "", i);
}

int cmd_reseal(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pcr-value", required_argument, NULL, 'V' },
		{ "pcrs", required_argument, NULL, 'p' },
		{ "key-file", required_argument, NULL, 'k' },
		{ "recovery-key", required_argument, NULL, 'r' },
		{ "pin", no_argument, NULL, 'P' },
		{ "pin-file", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct cvmg_pin_src pin = {};
	struct cvmg_reseal_result res;
	struct cvmg_reseal_opts *o;
	const char *device;
	char pcrs[80];
	int c, ret, rc = CVMG_EXIT_USAGE;

	o = calloc(1, sizeof(*o));
	if (!o) {
		cvmg_err("out of memory");
		return CVMG_EXIT_FAIL;
	}
	while ((c = getopt_long(argc, argv, "p:k:h", opts, NULL)) != -1) {
		switch (c) {
		case 'V':
			if (parse_value(optarg, o))
				goto out;
			break;
		case 'p':
			if (cvmg_pcr_parse(optarg, &o->pcr_mask)) {
				cvmg_err("--pcrs: bad PCR list '%s' (want e.g. 7 or 0,7; PCRs 0-23 "
					 "but 16 and 23)", optarg);
				goto out;
			}
			break;
		case 'k':
		case 'r':
			if (o->key_file) {
				cvmg_err("--key-file and --recovery-key: give one key file");
				goto out;
			}
			o->key_file = optarg;
			break;
		case 'P':
			o->pin = true;
			break;
		case 'F':
			pin.file = optarg;
			break;
		case 'h':
			usage(stdout);
			rc = CVMG_EXIT_OK;
			goto out;
		default:
			usage(stderr);
			goto out;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		goto out;
	}
	device = o->device = argv[optind];
	if (o->pcr_mask && (o->value_mask & ~o->pcr_mask)) {
		pcr_list(o->value_mask & ~o->pcr_mask, pcrs, sizeof(pcrs));
		cvmg_err("--pcr-value: PCR %s is not in --pcrs", pcrs);
		goto out;
	}
	if (o->key_file && strcmp(o->key_file, "-") && access(o->key_file, R_OK)) {
		cvmg_err("%s: cannot read the key file: %s", o->key_file, strerror(errno));
		goto out;
	}
	if (cvmg_pin_file_arg(pin.file, o->key_file))
		goto out;
	cvmg_volume_pin_source(&pin);
	cvmg_secret_harden_process();
	cvmg_crypt_log_to_helper();
	ret = cvmg_volume_reseal(o, &res);
	if (ret == -ERANGE) {
		pcr_list(o->value_mask & ~res.pcr_mask, pcrs, sizeof(pcrs));
		cvmg_err("--pcr-value: PCR %s is not sealed to by %s's token; add --pcrs to "
			 "change the selection (nothing was written)", pcrs, device);
		goto out;
	}
	if (ret == -EPERM && !o->key_file) {
		rc = cvmg_volume_error(ret, device);
		cvmg_err("%s: to reseal after the PCRs changed, prove the recovery key: "
			 "cvmguard reseal --recovery-key FILE %s (nothing was written)", device,
			 device);
		goto out;
	}
	if (ret == -EACCES) {
		cvmg_err("%s: %s does not open any keyslot of %s (nothing was written)",
			 o->key_file, strcmp(o->key_file, "-") ? "the key file" : "standard input",
			 device);
		rc = CVMG_EXIT_FAIL;
		goto out;
	}
	if (ret) {
		if (res.new_slot >= 0)
			cvmg_err("%s: reseal stopped after adding keyslot %d; keyslot %d still "
				 "opens the volume", device, res.new_slot, res.old_slot);
		rc = cvmg_volume_error(ret, device);
		goto out;
	}
	pcr_list(res.pcr_mask, pcrs, sizeof(pcrs));
	cvmg_info("%s: keyslot %d replaced by keyslot %d, sealed to PCR %s (sha256) at %s; "
		  "rollback counter %llu", device, res.old_slot, res.new_slot, pcrs,
		  res.predicted ? "the values given (it will not open until the PCRs hold them)" :
				  "their current values",
		  (unsigned long long)res.counter);
	rc = CVMG_EXIT_OK;
out:
	explicit_bzero(o, sizeof(*o));
	free(o);
	return rc;
}
