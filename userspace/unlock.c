// SPDX-License-Identifier: GPL-2.0-only
/*
 * cvmguard unlock DEV [NAME] and cvmguard lock NAME: open and close a sealed
 * volume's dm-crypt mapping (see volume.c).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libcryptsetup.h>
#include <libkmod.h>
#include <tss2/tss2_rc.h>

#include "cvmguard.h"
#include <limits.h>
#include <stdlib.h>

#include "lockdev.h"
#include "secret.h"
#include "tpm_seal.h"
#include "volconf.h"
#include "volume.h"

/**
 * cvmg_volume_error() - explain a disk operation's failure
 * @err: the negative errno from volume.c
 * @device: the device or mapping it concerned
 *
 * Return: the exit code documented in cvmguard(8).
 */
int cvmg_volume_error(int err, const char *device)
{
	switch (err) {
	case -EPERM:
		cvmg_err("%s: the TPM refused to unseal the key: the PCR values differ from "
			 "those it was sealed to (the volume stays locked)", device);
		return CVMG_EXIT_POLICY;
	case -EKEYREJECTED:
	case -ESTALE:
		cvmg_err("%s: refused, the header or token is not as enrolled: %s (nothing was "
			 "unsealed or opened; the device was not changed)", device,
			 cvmg_volume_last_why());
		return CVMG_EXIT_TAMPERED;
	case -ENOKEY:
		cvmg_err("%s: this TPM cannot open the token: its storage root key at 0x81000001 "
			 "is missing or not the one sealed under (TPM cleared, or another machine)",
			 device);
		return CVMG_EXIT_POLICY;
	case -ENOENT:
		cvmg_err("%s: no cvmguard or systemd-tpm2 token (not a volume cvmguard can open)",
			 device);
		return CVMG_EXIT_NOTOURS;
	case -CVMG_ESRK:
		cvmg_err("%s: refused: the key at 0x81000001 is not this TPM's storage root key "
			 "(nothing was unsealed or written)", device);
		return CVMG_EXIT_TAMPERED;
	case -CVMG_EPCRBANK:
		cvmg_err("%s: a selected PCR is not allocated in the TPM's sha256 bank", device);
		return CVMG_EXIT_USAGE;
	case -EBADMSG:
		cvmg_err("%s: the token is damaged (its sealed key does not load, or does not "
			 "open its keyslot); the device was not changed", device);
		return CVMG_EXIT_NOTOKEN;
	case -ENOTSUP:
		cvmg_err("%s: the token needs something cvmguard does not do (a PIN, a signed "
			 "PCR policy, a bank other than sha256)", device);
		return CVMG_EXIT_NOTOKEN;
	case -EBUSY:
	case -EEXIST:
		cvmg_err("%s: device busy (in use, locked by another cvmguard, or the mapping "
			 "already exists)", device);
		return CVMG_EXIT_BUSY;
	case -ENXIO:
		cvmg_err("%s: no such device", device);
		return CVMG_EXIT_BUSY;
	case -ENODEV:
		cvmg_err("no usable TPM (set CVMGUARD_TCTI, or check /dev/tpmrm0)");
		return CVMG_EXIT_NOTPM;
	case -EACCES:
		cvmg_err("%s: the key file does not open any keyslot", device);
		return CVMG_EXIT_FAIL;
	case -EIO:
		cvmg_err("%s: TPM command failed: %s", device,
			 Tss2_RC_Decode(cvmg_volume_last_tpm_rc()));
		return CVMG_EXIT_FAIL;
	default:
		cvmg_err("%s: %s", device, strerror(-err));
		return CVMG_EXIT_FAIL;
	}
}

/*
 * Load @name (dm_crypt, cvmguard) the documented libkmod way when it is neither
 * loaded nor built in. Return 0, or a negative errno (-ENOENT: no such module).
 */
static int load_module(const char *name)
{
	struct kmod_ctx *ctx;
	struct kmod_list *list = NULL, *l;
	char sys[64];
	int ret;

	/* Loaded or built in: skip libkmod's index reads (most unlocks). */
	snprintf(sys, sizeof(sys), "/sys/module/%s", name);
	if (!access(sys, F_OK))
		return 0;
	ctx = kmod_new(NULL, NULL);
	if (!ctx)
		return -ENOMEM;
	ret = kmod_module_new_from_lookup(ctx, name, &list);
	if (ret < 0)
		goto out;
	if (!list)
		ret = -ENOENT;
	kmod_list_foreach(l, list) {
		struct kmod_module *mod = kmod_module_get_module(l);

		ret = kmod_module_probe_insert_module(mod, KMOD_PROBE_IGNORE_LOADED, NULL, NULL,
						      NULL, NULL);
		kmod_module_unref(mod);
		if (ret < 0)
			break;
	}
	kmod_module_unref_list(list);
out:
	kmod_unref(ctx);
	return ret < 0 ? ret : 0;
}

/*
 * The mapping name and flags for @device: volumes.conf's entry (by canonical path
 * or LUKS UUID), else luks-UUID. Sets *ignore for an "ignore" entry.
 */
static int resolve(const char *device, char *name, size_t len, uint32_t *flags, bool *ignore)
{
	struct cvmg_volconf *entries = NULL;
	const struct cvmg_volconf *e;
	char uuid[64], real[PATH_MAX], creal[PATH_MAX];
	uint8_t *text = NULL;
	char *str = NULL;
	unsigned int bad = 0;
	size_t tlen, n = 0, i;
	int ret;

	*ignore = false;
	ret = cvmg_volume_uuid(device, uuid, sizeof(uuid));
	if (ret)
		return ret;
	ret = cvmg_read_file(CVMG_VOLCONF_PATH, &text, &tlen, 1 << 20);
	if (ret == -ENOENT) {
		ret = 0;
		goto fallback;
	}
	if (ret)
		goto out;
	/* cvmg_read_file() does not terminate; the parser wants a C string. */
	str = malloc(tlen + 1);
	if (!str) {
		ret = -ENOMEM;
		goto out;
	}
	memcpy(str, text, tlen);
	str[tlen] = '\0';
	ret = strlen(str) == tlen ? cvmg_volconf_parse(str, &entries, &n, &bad) : -EINVAL;
	if (ret) {
		cvmg_err("%s: line %u: not NAME DEVICE [workqueue,ignore]", CVMG_VOLCONF_PATH, bad);
		ret = -EINVAL;
		goto out;
	}
	/* Entries name paths, maybe symlinks: compare canonical paths. */
	if (!realpath(device, real))
		snprintf(real, sizeof(real), "%s", device);
	for (i = 0; i < n; i++)
		if (entries[i].device[0] == '/' && realpath(entries[i].device, creal) &&
		    strlen(creal) < sizeof(entries[i].device))
			memcpy(entries[i].device, creal, strlen(creal) + 1);
	e = cvmg_volconf_find(entries, n, real, uuid);
	if (e) {
		snprintf(name, len, "%s", e->name);
		if (e->workqueue)
			*flags = 0;
		*ignore = e->ignore;
		goto out;
	}
fallback:
	if ((size_t)snprintf(name, len, "luks-%s", uuid) >= len)
		ret = -ENOSPC;
out:
	free(entries);
	free(str);
	free(text);
	return ret;
}

static void unlock_usage(FILE *f)
{
	fprintf(f, "Usage: cvmguard unlock DEVICE [NAME] [--workqueue] [--udev]\n\n"
		   "Unseal DEVICE's key with the TPM and open it as /dev/mapper/NAME (default:\n"
		   "its entry in " CVMG_VOLCONF_PATH ", else luks-UUID). A cvmguard token\n"
		   "is used first, then a systemd-tpm2 token.\n\n"
		   "  -w, --workqueue  keep dm-crypt's read and write workqueues (by default\n"
		   "                   no_read_workqueue and no_write_workqueue are set)\n"
		   "  -u, --udev       run from udev or cvmguard-unlock@.service: honour\n"
		   "                   'ignore' in volumes.conf\n"
		   "  -h, --help       this text\n");
}

/*
 * A late TPM ($CVMGUARD_TPM_WAIT) is waited for here, before the device's lock is
 * taken: waiting inside it would keep every other cvmguard command on the disk
 * busy (exit 4) for as long. The opens under the lock then wait no more.
 */
static void wait_for_tpm(void)
{
	struct cvmg_tpm *tpm;
	const char *w = getenv("CVMGUARD_TPM_WAIT");

	if (!w || !*w || !strcmp(w, "0"))
		return;
	if (!cvmg_tpm_open(&tpm))
		cvmg_tpm_close(tpm);
	setenv("CVMGUARD_TPM_WAIT", "0", 1);
}

int cmd_unlock(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "workqueue", no_argument, NULL, 'w' },
		{ "udev", no_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	uint32_t flags = CRYPT_ACTIVATE_NO_READ_WORKQUEUE | CRYPT_ACTIVATE_NO_WRITE_WORKQUEUE;
	struct cvmg_unlock_result res;
	const char *device, *name;
	char defname[CVMG_VOLCONF_NAME_MAX + 1];
	bool udev = false, ignore, workqueue = false;
	int c, ret;

	while ((c = getopt_long(argc, argv, "wuh", opts, NULL)) != -1) {
		switch (c) {
		case 'w':
			workqueue = true;
			break;
		case 'u':
			udev = true;
			break;
		case 'h':
			unlock_usage(stdout);
			return CVMG_EXIT_OK;
		default:
			unlock_usage(stderr);
			return CVMG_EXIT_USAGE;
		}
	}
	if (optind != argc - 1 && optind != argc - 2) {
		unlock_usage(stderr);
		return CVMG_EXIT_USAGE;
	}
	device = argv[optind];
	name = argv[optind + 1];
	cvmg_secret_harden_process();
	cvmg_crypt_log_to_helper();
	/* udev's RUN: udevd itself holds the disk's lock shared for the event. */
	cvmg_volume_lock_shared(udev);
	wait_for_tpm();
	if (!name) {
		ret = resolve(device, defname, sizeof(defname), &flags, &ignore);
		if (ret == -EINVAL)
			return CVMG_EXIT_FAIL;
		if (ret)
			return cvmg_volume_error(ret, device);
		if (udev && ignore) {
			cvmg_info("%s: 'ignore' in %s", device, CVMG_VOLCONF_PATH);
			return CVMG_EXIT_OK;
		}
		name = defname;
	}
	if (workqueue)
		flags = 0;
	ret = load_module("dm_crypt");
	if (ret)
		cvmg_dbg("dm_crypt: %s (built in?)", strerror(-ret));
	/* for the volume's measurement; unlocking does not depend on it */
	ret = load_module("cvmguard");
	if (ret)
		cvmg_dbg("cvmguard module: %s", strerror(-ret));
	ret = cvmg_volume_unlock(device, name, flags, &res);
	if (ret)
		return cvmg_volume_error(ret, device);
	cvmg_info("%s: opened as /dev/mapper/%s (token %s, keyslot %d%s)", device, name,
		  res.token_type, res.keyslot, res.retries ? ", after PCR-change retries" : "");
	if (res.measured)
		cvmg_warn("%s: opened, but not measured: %s", name, strerror(-res.measured));
	else
		cvmg_info("%s: measured into PCR %u (event %llu in the cvmguard log)", name,
			  res.measured_pcr, (unsigned long long)res.measured_seq);
	return CVMG_EXIT_OK;
}

int cmd_lock(int argc, char **argv)
{
	int ret;

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("Usage: cvmguard lock NAME | --device MAJ:MIN\n\nClose /dev/mapper/NAME, "
		       "or every LUKS2 mapping on block device MAJ:MIN\n(present or gone).\n");
		return CVMG_EXIT_OK;
	}
	if (argc == 3 && !strcmp(argv[1], "--device")) {
		unsigned int closed;

		cvmg_crypt_log_to_helper();
		ret = cvmg_volume_lock_devt(argv[2], &closed);
		if (ret == -EINVAL) {
			fprintf(stderr, "Usage: cvmguard lock --device MAJ:MIN\n");
			return CVMG_EXIT_USAGE;
		}
		return ret ? cvmg_volume_error(ret, argv[2]) : CVMG_EXIT_OK;
	}
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "Usage: cvmguard lock NAME\n");
		return CVMG_EXIT_USAGE;
	}
	cvmg_crypt_log_to_helper();
	ret = cvmg_volume_lock(argv[1]);
	if (ret == -ENXIO) {
		cvmg_err("%s: no such mapping", argv[1]);
		return CVMG_EXIT_BUSY;
	}
	if (ret)
		return cvmg_volume_error(ret, argv[1]);
	return CVMG_EXIT_OK;
}
