// SPDX-License-Identifier: GPL-2.0-only
/*
 * The PIN of a sealed disk key, compatible with systemd's tpm2-pin
 * (systemd-cryptenroll --tpm2-with-pin=yes).
 *
 * systemd 252 (src/shared/tpm2-util.c, hash_pin()): the sealed object's userAuth is
 * SHA-256 of the PIN's bytes (no terminating NUL), and its policy is PolicyPCR then
 * PolicyAuthValue; the token says "tpm2-pin": true. systemd 254 and later add a
 * random 32-byte "tpm2_salt" to the token and hash, instead of the PIN, the base64
 * text (with padding) of PBKDF2-HMAC-SHA256(PIN, salt, 10000 iterations, 32 bytes).
 *
 * Sources, like systemd's: --pin-file FILE (one trailing newline is not part of the
 * PIN, the rule of --key-file; '-' is standard input), else the environment ($PIN;
 * for a new PIN $NEWPIN first, as systemd-cryptenroll 252 reads it), else a prompt
 * on the controlling terminal without echo (twice for a new PIN). A variable read is
 * wiped and unset.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "cvmguard.h"
#include "pin.h"

/**
 * cvmg_pin_auth() - the TPM authValue a PIN gives, as systemd computes it
 * @pin: the PIN's bytes
 * @len: their number
 * @salt: systemd 254+'s tpm2_salt, or NULL (systemd 252: unsalted)
 * @salt_len: its length
 * @auth: SHA-256 of the PIN, or of base64(PBKDF2-HMAC-SHA256(PIN, salt, 10000, 32))
 *
 * Return: 0, -EINVAL for an empty PIN or an oversized salt, -EIO.
 */
int cvmg_pin_auth(const char *pin, size_t len, const uint8_t *salt, size_t salt_len,
		  uint8_t auth[32])
{
	uint8_t dk[32];
	char b64[45];
	unsigned int dlen = 0;
	int ret = 0;

	if (!len || (salt && (!salt_len || salt_len > CVMG_PIN_SALT_MAX)))
		return -EINVAL;
	if (salt) {
		if (!PKCS5_PBKDF2_HMAC(pin, (int)len, salt, (int)salt_len, CVMG_PIN_PBKDF2_ITER,
				       EVP_sha256(), sizeof(dk), dk)) {
			ret = -EIO;
			goto out;
		}
		EVP_EncodeBlock((unsigned char *)b64, dk, sizeof(dk));
		pin = b64;
		len = strlen(b64);
	}
	if (!EVP_Digest(pin, len, auth, &dlen, EVP_sha256(), NULL) || dlen != 32)
		ret = -EIO;
out:
	explicit_bzero(dk, sizeof(dk));
	explicit_bzero(b64, sizeof(b64));
	return ret;
}

/**
 * cvmg_pin_read_file() - a PIN from a file, or standard input for "-"
 * @path: the file
 * @buf: output, @max bytes (locked by the caller)
 * @max: its size
 * @len: the PIN's length
 *
 * One trailing newline is dropped (echo's, an editor's); every other byte is part of
 * the PIN. Unlike --key-file, the bytes as read are never tried as well: each wrong
 * try counts against the TPM's dictionary-attack limit.
 *
 * Return: 0; -ENODATA for an empty PIN; -EILSEQ for a NUL byte (systemd's PIN is a C
 * string); -EFBIG past @max - 1 bytes; another negative errno from open/read.
 */
int cvmg_pin_read_file(const char *path, char *buf, size_t max, size_t *len)
{
	size_t off = 0;
	int ret;

	ret = cvmg_read_secret_file(path, buf, max - 1, &off);
	if (!ret) {
		if (off && buf[off - 1] == '\n')
			off--;
		buf[off] = '\0';
		if (memchr(buf, '\0', off))
			ret = -EILSEQ;
		else if (!off)
			ret = -ENODATA;
		*len = off;
	}
	if (ret)
		explicit_bzero(buf, max);
	return ret;
}

/* $NAME into @buf, then wiped from the environment. 1: taken; 0: not set. */
static int pin_from_env(const char *name, char *buf, size_t max, size_t *len)
{
	char *v = getenv(name);
	size_t n;

	if (!v)
		return 0;
	n = strlen(v);
	if (!n || n >= max) {
		cvmg_err("$%s: %s", name, n ? "the PIN is too long" : "the PIN is empty");
		return -CVMG_EPINSRC;
	}
	memcpy(buf, v, n + 1);
	*len = n;
	explicit_bzero(v, n);
	unsetenv(name);
	return 1;
}

/* One line from the terminal @tty without echo; -ENODATA for an empty one. */
static int prompt_once(int tty, const char *prompt, char *buf, size_t max, size_t *len)
{
	struct termios old, quiet;
	size_t off = 0;
	int ret = 0;
	char c;

	if (tcgetattr(tty, &old))
		return -ENOTTY;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	if (dprintf(tty, "%s", prompt) < 0 || tcsetattr(tty, TCSAFLUSH, &quiet))
		return -EIO;
	for (;;) {
		ssize_t n = read(tty, &c, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || c == '\n')
			break;
		if (off + 1 >= max) {
			ret = -EFBIG;
			continue; /* read the rest of the line, keep nothing more */
		}
		buf[off++] = c;
	}
	c = 0;
	tcsetattr(tty, TCSAFLUSH, &old);
	dprintf(tty, "\n");
	buf[off] = '\0';
	if (!ret && !off)
		ret = -ENODATA;
	if (!ret && memchr(buf, '\0', off))
		ret = -EILSEQ;
	*len = off;
	return ret;
}

/* From the controlling terminal; a new PIN twice, up to three times. */
static int pin_from_tty(bool new_pin, char *buf, size_t max, size_t *len)
{
	char *again = NULL;
	size_t alen = 0;
	int tty, ret = -ENODATA, i;

	tty = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (tty < 0)
		return -CVMG_ENOPIN;
	if (new_pin)
		again = calloc(1, max);
	for (i = 0; i < 3; i++) {
		ret = prompt_once(tty, new_pin ? "New PIN: " : "PIN: ", buf, max, len);
		if (ret == -ENOTTY) {
			ret = -CVMG_ENOPIN;
			break;
		}
		if (ret) {
			dprintf(tty, "%s\n", ret == -ENODATA ? "The PIN is empty." :
				ret == -EFBIG ? "The PIN is too long." : "Cannot read the PIN.");
			continue;
		}
		if (!new_pin)
			break;
		if (!again) {
			ret = -ENOMEM;
			break;
		}
		ret = prompt_once(tty, "New PIN (repeat): ", again, max, &alen);
		if (!ret && alen == *len && !memcmp(again, buf, alen))
			break;
		dprintf(tty, "The PINs differ, try again.\n");
		ret = -EINVAL;
	}
	if (again) {
		explicit_bzero(again, max);
		free(again);
	}
	close(tty);
	if (ret && ret != -CVMG_ENOPIN && ret != -ENOMEM) {
		cvmg_err("no PIN read from the terminal");
		ret = -CVMG_EPINSRC;
	}
	return ret;
}

/**
 * cvmg_pin_get() - the PIN, from the first source that has one
 * @src: --pin-file and whether a terminal may be asked
 * @new_pin: for a seal (enroll, --pin): $NEWPIN first, and a prompt asks twice
 * @buf: output, @max bytes, NUL-terminated (locked by the caller)
 * @max: its size
 * @len: the PIN's length
 *
 * Problems with a source given (an unreadable FILE, an empty PIN) are reported here,
 * naming it.
 *
 * Return: 0; -CVMG_ENOPIN when no source has one (no FILE, no variable, no terminal);
 * -CVMG_EPINSRC when the one given is unusable (reported); -ENOMEM.
 */
int cvmg_pin_get(const struct cvmg_pin_src *src, bool new_pin, char *buf, size_t max,
		 size_t *len)
{
	int ret;

	if (src && src->file) {
		ret = cvmg_pin_read_file(src->file, buf, max, len);
		if (!ret)
			return 0;
		cvmg_err("%s: cannot read the PIN file: %s", strcmp(src->file, "-") ?
			 src->file : "standard input",
			 ret == -ENODATA ? "the PIN is empty" :
			 ret == -EILSEQ ? "it contains a NUL byte" :
			 ret == -EFBIG ? "the PIN is too long" : strerror(-ret));
		return -CVMG_EPINSRC;
	}
	ret = new_pin ? pin_from_env("NEWPIN", buf, max, len) : 0;
	if (!ret)
		ret = pin_from_env("PIN", buf, max, len);
	if (ret)
		return ret < 0 ? ret : 0;
	if (src && src->no_tty)
		return -CVMG_ENOPIN;
	return pin_from_tty(new_pin, buf, max, len);
}

/**
 * cvmg_pin_file_arg() - check --pin-file FILE on the command line (64 when not)
 * @file: the argument, or NULL
 * @key_file: the command's --key-file (or --recovery-key), or NULL
 *
 * Return: 0, or -EINVAL after saying why (FILE unreadable; both read standard input).
 */
int cvmg_pin_file_arg(const char *file, const char *key_file)
{
	if (!file)
		return 0;
	if (!strcmp(file, "-")) {
		if (key_file && !strcmp(key_file, "-")) {
			cvmg_err("--pin-file - and a key file '-': only one can be standard input");
			return -EINVAL;
		}
		return 0;
	}
	if (access(file, R_OK)) {
		cvmg_err("%s: cannot read the PIN file: %s", file, strerror(errno));
		return -EINVAL;
	}
	return 0;
}
