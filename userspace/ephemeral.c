// SPDX-License-Identifier: GPL-2.0-only
/*
 * cvmguard ephemeral DEV NAME [--mkfs TYPE] [--format]: a temporary or resource disk
 * as plain dm-crypt under a fresh random key that exists only in the kernel; after a
 * reboot (or lock) its contents are gone for good.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <blkid/blkid.h>
#include <libcryptsetup.h>

#include "cvmguard.h"
#include "secret.h"
#include "volume.h"

#define EPHEMERAL_KEY_BYTES 64

static void usage(FILE *f)
{
	fprintf(f, "Usage: cvmguard ephemeral DEVICE NAME [--mkfs TYPE] [--format]\n\n"
		   "Open DEVICE as /dev/mapper/NAME, plain dm-crypt (aes-xts-plain64, 4096-byte\n"
		   "sectors when the device allows) under a random key that is never stored.\n"
		   "A device carrying a filesystem or partition signature is refused unless\n"
		   "--format is given (the random-looking rest of an earlier ephemeral use is\n"
		   "not a signature).\n\n"
		   "  -m, --mkfs TYPE   run mkfs.TYPE on the mapping\n"
		   "  -f, --format      overwrite a device with a signature\n"
		   "  -h, --help        this text\n");
}

/* Whether blkid sees any signature on @dev: 1 yes, 0 no, or a negative errno. */
static int has_signature(const char *dev)
{
	blkid_probe pr;
	int rc;

	pr = blkid_new_probe_from_filename(dev);
	if (!pr)
		return -errno ? -errno : -EIO;
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_enable_partitions(pr, 1);
	rc = blkid_do_fullprobe(pr);
	blkid_free_probe(pr);
	if (rc == 0 || rc == -2)
		return 1;
	return rc == 1 ? 0 : -EIO;
}

static int open_plain(const char *dev, const char *name, uint32_t flags)
{
	struct crypt_params_plain params = { .hash = NULL, .sector_size = 4096 };
	struct crypt_device *cd = NULL;
	uint8_t *key;
	int ret;

	key = cvmg_secret_alloc(EPHEMERAL_KEY_BYTES);
	if (!key)
		return -ENOMEM;
	ret = cvmg_secret_random(key, EPHEMERAL_KEY_BYTES);
	if (ret)
		goto out;
	ret = crypt_init(&cd, dev);
	if (ret) {
		ret = -ENXIO;
		goto out;
	}
	ret = crypt_format(cd, CRYPT_PLAIN, "aes", "xts-plain64", NULL, NULL,
			   EPHEMERAL_KEY_BYTES, &params);
	if (ret == -EINVAL) {
		params.sector_size = 512;
		ret = crypt_format(cd, CRYPT_PLAIN, "aes", "xts-plain64", NULL, NULL,
				   EPHEMERAL_KEY_BYTES, &params);
	}
	if (ret)
		goto out;
	ret = crypt_activate_by_volume_key(cd, name, (const char *)key, EPHEMERAL_KEY_BYTES, flags);
out:
	crypt_free(cd);
	cvmg_secret_free(key, EPHEMERAL_KEY_BYTES);
	return ret < 0 ? ret : 0;
}

static int run_mkfs(const char *type, const char *path)
{
	char prog[64];
	pid_t pid;
	int status;

	if (snprintf(prog, sizeof(prog), "mkfs.%s", type) >= (int)sizeof(prog) || strchr(type, '/'))
		return -EINVAL;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execlp(prog, prog, "-q", path, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

int cmd_ephemeral(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mkfs", required_argument, NULL, 'm' },
		{ "format", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *mkfs = NULL, *dev, *name;
	char path[300];
	bool format = false;
	int c, ret;

	while ((c = getopt_long(argc, argv, "m:fh", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			mkfs = optarg;
			break;
		case 'f':
			format = true;
			break;
		case 'h':
			usage(stdout);
			return CVMG_EXIT_OK;
		default:
			usage(stderr);
			return CVMG_EXIT_USAGE;
		}
	}
	if (optind != argc - 2) {
		usage(stderr);
		return CVMG_EXIT_USAGE;
	}
	dev = argv[optind];
	name = argv[optind + 1];
	cvmg_secret_harden_process();
	cvmg_crypt_log_to_helper();
	if (!format) {
		ret = has_signature(dev);
		if (ret < 0)
			return cvmg_volume_error(ret == -ENOENT ? -ENXIO : ret, dev);
		if (ret) {
			cvmg_err("%s carries a filesystem or partition signature; nothing was "
				 "written. Use --format to overwrite it", dev);
			return CVMG_EXIT_FAIL;
		}
	}
	ret = open_plain(dev, name, CRYPT_ACTIVATE_NO_READ_WORKQUEUE |
			 CRYPT_ACTIVATE_NO_WRITE_WORKQUEUE);
	if (ret)
		return cvmg_volume_error(ret, dev);
	snprintf(path, sizeof(path), "/dev/mapper/%s", name);
	if (mkfs) {
		ret = run_mkfs(mkfs, path);
		if (ret) {
			cvmg_err("mkfs.%s %s failed; the mapping stays open", mkfs, path);
			return CVMG_EXIT_FAIL;
		}
	}
	cvmg_info("%s: opened as %s with a random key%s%s", dev, path, mkfs ? ", mkfs." : "",
		  mkfs ? mkfs : "");
	return CVMG_EXIT_OK;
}
