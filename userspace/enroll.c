// SPDX-License-Identifier: GPL-2.0-only
/*
 * cvmguard enroll DEV [--pcrs LIST] [--format] [--recovery-key FILE|-] [--key-file F]
 * [--pin] [--pin-file F]:
 * a LUKS2 volume whose key is sealed to the vTPM (see volume.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cvmguard.h"
#include "pin.h"
#include "secret.h"
#include "tpm_seal.h"
#include "volume.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: cvmguard enroll DEVICE [--pcrs LIST] [--format] [--recovery-key FILE|-]\n"
		   "                       [--show-recovery-key] [--key-file FILE|-]\n"
		   "                       [--no-systemd-token] [--pin] [--pin-file FILE|-]\n\n"
		   "Make DEVICE a LUKS2 volume (aes-xts-plain64, 4096-byte sectors when it can)\n"
		   "whose keyslot passphrase is a random secret sealed to the TPM's PCRs, kept in\n"
		   "LUKS2 tokens. A device that is not blank is refused unless --format is given;\n"
		   "a LUKS2 device gains a keyslot when --key-file proves an existing passphrase.\n\n"
		   "  -p, --pcrs LIST        PCRs of the SHA-256 bank, e.g. 7 or 0,7 (default 7)\n"
		   "  -f, --format           overwrite whatever DEVICE holds\n"
		   "  -r, --recovery-key FILE\n"
		   "                         add a keyslot with a recovery key, written to FILE\n"
		   "                         (created 0600; an existing FILE is refused), or with\n"
		   "                         '-' to standard output, which must not be a terminal\n"
		   "                         unless --show-recovery-key is given\n"
		   "      --show-recovery-key  allow --recovery-key - to print on a terminal\n"
		   "  -k, --key-file FILE    an existing passphrase of a LUKS2 DEVICE ('-': standard\n"
		   "                         input); one trailing newline is not part of it\n"
		   "      --no-systemd-token write only the cvmguard token\n"
		   "      --pin              the TPM also wants a PIN to unseal (systemd's\n"
		   "                         tpm2-pin): read from --pin-file, else $NEWPIN or\n"
		   "                         $PIN, else asked twice on the terminal\n"
		   "      --pin-file FILE    the PIN ('-': standard input); one trailing newline\n"
		   "                         is not part of it; implies --pin\n"
		   "  -h, --help             this text\n");
}

/*
 * Where the recovery key goes, settled before anything is written to the device:
 * FILE created 0600 with O_EXCL (never over an existing file or through a symlink),
 * or standard output, refused when it is a terminal unless @show. Returns the
 * descriptor, or -1 after saying why.
 */
static int recovery_open(const char *path, bool show)
{
	int fd;

	if (!strcmp(path, "-")) {
		if (isatty(STDOUT_FILENO) && !show) {
			cvmg_err("--recovery-key -: standard output is a terminal; the key would "
				 "stay on screen and in scrollback. Give a FILE, redirect, or add "
				 "--show-recovery-key");
			return -1;
		}
		return STDOUT_FILENO;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		cvmg_err("%s: cannot create the recovery key file: %s%s", path, strerror(errno),
			 errno == EEXIST ? " (it is never overwritten)" : "");
		return -1;
	}
	/* 0600 whatever the umask allowed */
	if (fchmod(fd, 0600)) {
		cvmg_err("%s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	return fd;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static void pcr_list(uint32_t mask, char *out, size_t len)
{
	size_t used = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < 24 && used < len; i++)
		if (mask & (1u << i))
			used += (size_t)snprintf(out + used, len - used, "%s%d", used ? "," : "", i);
}

int cmd_enroll(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pcrs", required_argument, NULL, 'p' },
		{ "format", no_argument, NULL, 'f' },
		{ "recovery-key", required_argument, NULL, 'r' },
		{ "show-recovery-key", no_argument, NULL, 'R' },
		{ "key-file", required_argument, NULL, 'k' },
		{ "no-systemd-token", no_argument, NULL, 'S' },
		{ "pin", no_argument, NULL, 'P' },
		{ "pin-file", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct cvmg_pin_src pin = {};
	struct cvmg_enroll_opts o = { .pcr_mask = 1u << 7, .systemd_token = true };
	struct cvmg_enroll_result res = { .keyslot = -1, .recovery_keyslot = -1 };
	const char *recovery = NULL;
	bool show = false;
	char pcrs[80];
	int c, ret, rc = CVMG_EXIT_OK, rfd = -1;

	while ((c = getopt_long(argc, argv, "p:fr:k:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (cvmg_pcr_parse(optarg, &o.pcr_mask)) {
				cvmg_err("bad PCR list '%s' (want e.g. 7 or 0,7; PCRs 0-23)", optarg);
				return CVMG_EXIT_USAGE;
			}
			break;
		case 'f':
			o.format = true;
			break;
		case 'r':
			recovery = optarg;
			break;
		case 'R':
			show = true;
			break;
		case 'k':
			o.key_file = optarg;
			break;
		case 'S':
			o.systemd_token = false;
			break;
		case 'P':
			o.pin = true;
			break;
		case 'F':
			pin.file = optarg;
			o.pin = true;
			break;
		case 'h':
			usage(stdout);
			return CVMG_EXIT_OK;
		default:
			usage(stderr);
			return CVMG_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return CVMG_EXIT_USAGE;
	}
	o.device = argv[optind];
	if (show && !recovery) {
		cvmg_err("--show-recovery-key needs --recovery-key -");
		return CVMG_EXIT_USAGE;
	}
	if (o.key_file && strcmp(o.key_file, "-") && access(o.key_file, R_OK)) {
		cvmg_err("%s: cannot read the key file: %s", o.key_file, strerror(errno));
		return CVMG_EXIT_USAGE;
	}
	if (cvmg_pin_file_arg(pin.file, o.key_file))
		return CVMG_EXIT_USAGE;
	cvmg_volume_pin_source(&pin);
	cvmg_secret_harden_process();
	cvmg_crypt_log_to_helper();
	if (recovery) {
		rfd = recovery_open(recovery, show);
		if (rfd < 0)
			return CVMG_EXIT_USAGE;
		o.recovery_key = cvmg_secret_alloc(CVMG_RECOVERY_KEY_LEN + 1);
		if (!o.recovery_key) {
			cvmg_err("cannot lock memory for the recovery key: %s", strerror(errno));
			rc = CVMG_EXIT_FAIL;
			goto out;
		}
	}
	ret = cvmg_volume_enroll(&o, &res);
	if (ret == -EEXIST) {
		cvmg_err("%s holds data (a signature, or non-zero bytes in its first MiB); "
			 "nothing was written. Use --format to overwrite it, or --key-file to add "
			 "a keyslot to a LUKS2 volume", o.device);
		rc = CVMG_EXIT_FAIL;
		goto out;
	}
	if (ret) {
		rc = cvmg_volume_error(ret, o.device);
		goto out;
	}
	if (res.srk_created)
		cvmg_info("created the storage root key at 0x%08x", CVMG_SRK_HANDLE);
	if (res.formatted)
		cvmg_info("%s: LUKS2, aes-xts-plain64, %d-byte sectors", o.device, res.sector_size);
	pcr_list(o.pcr_mask, pcrs, sizeof(pcrs));
	cvmg_info("%s: keyslot %d sealed to PCR %s (sha256)%s%s", o.device, res.keyslot, pcrs,
		  o.pin ? " and a PIN" : "",
		  o.systemd_token ? ", tokens cvmguard and systemd-tpm2" : ", token cvmguard");
	if (o.recovery_key) {
		/* Written once, to FILE or stdout only: never logged. */
		char line[CVMG_RECOVERY_KEY_LEN + 2];

		snprintf(line, sizeof(line), "%s\n", o.recovery_key);
		if (rfd == STDOUT_FILENO) {
			printf("Recovery key (keyslot %d), write it down:\n", res.recovery_keyslot);
			fflush(stdout);
		}
		ret = write_all(rfd, line, strlen(line));
		if (!ret && rfd != STDOUT_FILENO && fsync(rfd))
			ret = -errno;
		explicit_bzero(line, sizeof(line));
		if (ret) {
			cvmg_err("%s: writing the recovery key failed: %s; recovery keyslot %d "
				 "exists but its key is lost: remove it (cryptsetup luksKillSlot %s "
				 "%d)", recovery, strerror(-ret), res.recovery_keyslot, o.device,
				 res.recovery_keyslot);
			rc = CVMG_EXIT_FAIL;
			goto out;
		}
		if (rfd != STDOUT_FILENO)
			cvmg_info("%s: recovery key (keyslot %d) written, mode 0600", recovery,
				  res.recovery_keyslot);
	}
out:
	if (rfd >= 0 && rfd != STDOUT_FILENO) {
		close(rfd);
		/* Nothing enrolled: do not leave an empty key file behind. */
		if (rc != CVMG_EXIT_OK && !(o.recovery_key && res.recovery_keyslot >= 0))
			unlink(recovery);
	}
	cvmg_secret_free(o.recovery_key, CVMG_RECOVERY_KEY_LEN + 1);
	return rc;
}

static void rotate_usage(FILE *f)
{
	fprintf(f, "Usage: cvmguard rotate DEVICE [--pcrs LIST] [--pin] [--pin-file FILE|-]\n\n"
		   "Replace the sealed secret of a volume enrolled by cvmguard: a new secret,\n"
		   "keyslot and tokens; the old keyslot is removed only after the new one\n"
		   "opens. Killed at any point, the volume opens with the old or the new one.\n\n"
		   "  -p, --pcrs LIST   seal the new secret to these PCRs (default: the old ones)\n"
		   "      --pin         the new seal also wants a PIN (a PIN the volume has is\n"
		   "                    kept either way: the one that unsealed the old secret)\n"
		   "      --pin-file FILE  the PIN ('-': standard input; one trailing newline is\n"
		   "                    not part of it); else $PIN ($NEWPIN for a new one), else\n"
		   "                    the terminal\n"
		   "  -h, --help        this text\n");
}

int cmd_rotate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pcrs", required_argument, NULL, 'p' },
		{ "pin", no_argument, NULL, 'P' },
		{ "pin-file", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct cvmg_pin_src pin = {};
	bool set_pin = false;
	uint32_t mask = 0;
	int c, ret, old_slot, new_slot;

	while ((c = getopt_long(argc, argv, "p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (cvmg_pcr_parse(optarg, &mask)) {
				cvmg_err("bad PCR list '%s'", optarg);
				return CVMG_EXIT_USAGE;
			}
			break;
		case 'P':
			set_pin = true;
			break;
		case 'F':
			pin.file = optarg;
			break;
		case 'h':
			rotate_usage(stdout);
			return CVMG_EXIT_OK;
		default:
			rotate_usage(stderr);
			return CVMG_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		rotate_usage(stderr);
		return CVMG_EXIT_USAGE;
	}
	if (cvmg_pin_file_arg(pin.file, NULL))
		return CVMG_EXIT_USAGE;
	cvmg_volume_pin_source(&pin);
	cvmg_secret_harden_process();
	cvmg_crypt_log_to_helper();
	ret = cvmg_volume_rotate(argv[optind], mask, set_pin, &old_slot, &new_slot);
	if (ret) {
		if (new_slot >= 0)
			cvmg_err("%s: rotation stopped after adding keyslot %d; keyslot %d still "
				 "opens the volume", argv[optind], new_slot, old_slot);
		return cvmg_volume_error(ret, argv[optind]);
	}
	cvmg_info("%s: keyslot %d replaced by keyslot %d", argv[optind], old_slot, new_slot);
	return CVMG_EXIT_OK;
}
