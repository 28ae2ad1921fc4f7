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

#include "header_policy.h"
#include "lockdev.h"
#include "pin.h"
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
			 "those it was sealed to, or the token's PIN flag from the sealed "
			 "object's (the volume stays locked)", device);
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
	case -CVMG_ECONFIG:
		/* header_policy.c said FILE:LINE: what */
		cvmg_err("%s: not opened: %s is not usable (nothing was unsealed or written)",
			 device, CVMG_HDR_POLICY_PATH);
		return CVMG_EXIT_USAGE;
	case -CVMG_EPCRBANK:
		cvmg_err("%s: a selected PCR is not allocated in the TPM's sha256 bank", device);
		return CVMG_EXIT_USAGE;
	case -EBADMSG:
		cvmg_err("%s: the token is damaged (its sealed key does not load, or does not "
			 "open its keyslot); the device was not changed", device);
		return CVMG_EXIT_NOTOKEN;
	case -ENOTSUP:
		cvmg_err("%s: the token needs something cvmguard does not do (a signed PCR "
			 "policy, a bank other than sha256)", device);
		return CVMG_EXIT_NOTOKEN;
	case -CVMG_ENOPIN:
		cvmg_err("%s: the token needs a PIN and none was given (no --pin-file, no $PIN, "
			 "no terminal to ask on); nothing was unsealed, the TPM was not asked",
			 device);
		return CVMG_EXIT_USAGE;
	case -CVMG_EPINSRC:
		return CVMG_EXIT_USAGE; /* the source was named already */
	case -CVMG_EBADPIN:
		cvmg_err("%s: the TPM refused the PIN (the volume stays locked). Each wrong PIN "
			 "counts against the TPM's dictionary-attack limit", device);
		return CVMG_EXIT_POLICY;
	case -CVMG_ELOCKOUT:
		cvmg_err("%s: the TPM is in dictionary-attack lockout after wrong PINs and "
			 "refuses every PIN until it recovers (the volume stays locked; see "
			 "cvmguard(8), PIN)", device);
		return CVMG_EXIT_POLICY;
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

static void report_line(unsigned int line, const char *msg, void *arg)
{
	cvmg_warn("%s:%u: %s; line skipped", (const char *)arg, line, msg);
}

/*
 * Read @path as a C string into *@str (NULL when it does not exist). A NUL byte
 * ends the text there, counted in *@nul.
 */
static int read_text(const char *path, char **str, bool *nul)
{
	uint8_t *text = NULL;
	size_t tlen;
	int ret;

	*str = NULL;
	*nul = false;
	ret = cvmg_read_file(path, &text, &tlen, 1 << 20);
	if (ret == -ENOENT)
		return 0;
	if (ret) {
		cvmg_err("%s: cannot read it: %s", path, strerror(-ret));
		return -EBADFD; /* reported; exit 64 */
	}
	/* cvmg_read_file() does not terminate; the parser wants a C string. */
	*str = malloc(tlen + 1);
	if (!*str) {
		free(text);
		return -ENOMEM;
	}
	memcpy(*str, text, tlen);
	(*str)[tlen] = '\0';
	*nul = strlen(*str) != tlen;
	if (*nul)
		cvmg_warn("%s: contains a NUL byte; read only up to it", path);
	free(text);
	return 0;
}

/* Canonicalise every entry's path or /dev/disk/by-* link into ->resolved. */
static void resolve_links(struct cvmg_volconf_file *f)
{
	char link[PATH_MAX], real[PATH_MAX];
	size_t i;

	for (i = 0; i < f->n; i++) {
		struct cvmg_volconf *e = &f->entries[i];

		e->resolved[0] = '\0';
		if (cvmg_volconf_link(e, link, sizeof(link)) || !realpath(link, real) ||
		    strlen(real) >= sizeof(e->resolved))
			continue;
		memcpy(e->resolved, real, strlen(real) + 1);
	}
}

/*
 * The mapping name and flags for @device: volumes.conf's entry (by canonical path,
 * LUKS UUID, PARTUUID, PARTLABEL or LABEL), else luks-UUID. With @udev (hot-plug),
 * sets *skip when the device is to be left alone: listed in /etc/crypttab (that is
 * systemd-cryptsetup's), 'ignore' in volumes.conf, or not listed there while
 * auto-unlock is 'listed' (the default) or the file has bad lines.
 */
static int resolve(const char *device, char *name, size_t len, uint32_t *flags, bool udev,
		   bool *skip)
{
	struct cvmg_volconf_file vf = { 0 }, ct = { 0 };
	const struct cvmg_volconf *e;
	char uuid[64], real[PATH_MAX];
	char *str = NULL;
	bool nul;
	int ret;

	*skip = false;
	ret = cvmg_volume_uuid(device, uuid, sizeof(uuid));
	if (ret)
		return ret;
	if (!realpath(device, real))
		snprintf(real, sizeof(real), "%s", device);
	if (udev) {
		ret = read_text(CVMG_CRYPTTAB_PATH, &str, &nul);
		if (ret)
			goto out;
		if (str && (ret = cvmg_crypttab_parse(str, &ct)))
			goto out;
		resolve_links(&ct);
		e = cvmg_volconf_find(ct.entries, ct.n, real, uuid);
		if (e) {
			cvmg_info("%s: listed in %s as %s: left to systemd-cryptsetup", device,
				  CVMG_CRYPTTAB_PATH, e->name);
			*skip = true;
			goto out;
		}
		free(str);
		str = NULL;
	}
	ret = read_text(CVMG_VOLCONF_PATH, &str, &nul);
	if (ret)
		goto out;
	if (str) {
		ret = cvmg_volconf_parse(str, &vf, report_line, (void *)CVMG_VOLCONF_PATH);
		if (ret)
			goto out;
		vf.bad_lines += nul;
	}
	resolve_links(&vf);
	e = cvmg_volconf_find(vf.entries, vf.n, real, uuid);
	if (e) {
		snprintf(name, len, "%s", e->name);
		if (e->workqueue)
			*flags = 0;
		if (udev && e->ignore) {
			cvmg_info("%s: 'ignore' in %s", device, CVMG_VOLCONF_PATH);
			*skip = true;
		}
		goto out;
	}
	if (udev && vf.auto_unlock != CVMG_AUTO_ANY) {
		cvmg_info("%s: not listed in %s (auto-unlock = listed): left locked", device,
			  CVMG_VOLCONF_PATH);
		*skip = true;
		goto out;
	}
	if (udev && vf.bad_lines) {
		cvmg_warn("%s: not listed in %s, which has bad lines: left locked (auto-unlock = "
			  "any applies only to a file without errors)", device, CVMG_VOLCONF_PATH);
		*skip = true;
		goto out;
	}
	if ((size_t)snprintf(name, len, "luks-%s", uuid) >= len)
		ret = -ENOSPC;
out:
	cvmg_volconf_free(&vf);
	cvmg_volconf_free(&ct);
	free(str);
	return ret;
}

static void unlock_usage(FILE *f)
{
	fprintf(f, "Usage: cvmguard unlock DEVICE [NAME] [--workqueue] [--udev] [--require-measured]\n"
		   "                       [--pin-file FILE|-]\n\n"
		   "Unseal DEVICE's key with the TPM and open it as /dev/mapper/NAME (default:\n"
		   "its entry in " CVMG_VOLCONF_PATH ", else luks-UUID). A cvmguard token\n"
		   "is used first, then a systemd-tpm2 token.\n\n"
		   "  -w, --workqueue  keep dm-crypt's read and write workqueues (by default\n"
		   "                   no_read_workqueue and no_write_workqueue are set)\n"
		   "  -u, --udev       run from udev or cvmguard-unlock@.service: leave alone\n"
		   "                   devices in /etc/crypttab, 'ignore'd in volumes.conf, or\n"
		   "                   not listed there unless it says auto-unlock = any\n"
		   "  -m, --require-measured\n"
		   "                   fail (exit 69, the volume stays locked) when the cvmguard\n"
		   "                   module is missing or the volume cannot be measured\n"
		   "  -P, --pin-file FILE\n"
		   "                   the PIN of a token that needs one ('-': standard input;\n"
		   "                   one trailing newline is not part of it); else $PIN,\n"
		   "                   else asked on the terminal (never with --udev)\n"
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
		{ "require-measured", no_argument, NULL, 'm' },
		{ "pin-file", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct cvmg_pin_src pin = {};
	uint32_t flags = CRYPT_ACTIVATE_NO_READ_WORKQUEUE | CRYPT_ACTIVATE_NO_WRITE_WORKQUEUE;
	struct cvmg_unlock_result res;
	const char *device, *name;
	char defname[CVMG_VOLCONF_NAME_MAX + 1];
	bool udev = false, skip, workqueue = false, require = false;
	int c, ret;

	while ((c = getopt_long(argc, argv, "wumP:h", opts, NULL)) != -1) {
		switch (c) {
		case 'w':
			workqueue = true;
			break;
		case 'u':
			udev = true;
			break;
		case 'm':
			require = true;
			break;
		case 'P':
			pin.file = optarg;
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
	if (cvmg_pin_file_arg(pin.file, NULL))
		return CVMG_EXIT_USAGE;
	/* udev and its unit have no terminal; a PIN comes only from $PIN or FILE there. */
	pin.no_tty = udev;
	cvmg_volume_pin_source(&pin);
	cvmg_secret_harden_process();
	cvmg_crypt_log_to_helper();
	/* udev's RUN: udevd itself holds the disk's lock shared for the event. */
	cvmg_volume_lock_shared(udev);
	wait_for_tpm();
	if (!name) {
		ret = resolve(device, defname, sizeof(defname), &flags, udev, &skip);
		if (ret == -EBADFD)
			return CVMG_EXIT_USAGE;
		if (ret)
			return cvmg_volume_error(ret, device);
		if (skip)
			return CVMG_EXIT_OK;
		name = defname;
	}
	if (workqueue)
		flags = 0;
	ret = load_module("dm_crypt");
	if (ret)
		cvmg_dbg("dm_crypt: %s (built in?)", strerror(-ret));
	/*
	 * For the volume's measurement. Without --require-measured unlocking does not
	 * depend on it; with it, a missing module fails before anything is unsealed.
	 */
	ret = load_module("cvmguard");
	if (ret && require) {
		cvmg_err("%s: the cvmguard module is unavailable (%s) and --require-measured "
			 "was given: not unlocked", device, strerror(-ret));
		return CVMG_EXIT_UNAVAILABLE;
	}
	if (ret)
		cvmg_dbg("cvmguard module: %s", strerror(-ret));
	ret = cvmg_volume_unlock(device, name, flags, &res);
	if (ret)
		return cvmg_volume_error(ret, device);
	if (res.measured && require) {
		/* Opened but not measured: close it again, so the volume stays locked. */
		int cret = cvmg_volume_lock(name);

		cvmg_err("%s: opened but not measured (%s), and --require-measured was given: "
			 "%s", device, strerror(-res.measured),
			 cret ? "closing it failed too" : "closed again");
		return CVMG_EXIT_UNAVAILABLE;
	}
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
