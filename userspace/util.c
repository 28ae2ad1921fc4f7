// SPDX-License-Identifier: GPL-2.0-only
/* Small helpers shared by the subcommands: hex, whole-file reads, atomic writes. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cvmguard.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/**
 * cvmg_hex_decode() - decode a hex string (no separators, optional 0x prefix)
 * @hex: NUL-terminated input
 * @out: output buffer
 * @outlen: its size; longer input is -EOVERFLOW
 * @written: bytes decoded (may be NULL)
 *
 * Return: 0, -EINVAL on an odd length or a non-hex digit, -EOVERFLOW when too long.
 */
int cvmg_hex_decode(const char *hex, uint8_t *out, size_t outlen, size_t *written)
{
	size_t n, i;

	if (!strncmp(hex, "0x", 2) || !strncmp(hex, "0X", 2))
		hex += 2;
	n = strlen(hex);
	if (n % 2)
		return -EINVAL;
	if (n / 2 > outlen)
		return -EOVERFLOW;
	for (i = 0; i < n / 2; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	if (written)
		*written = n / 2;
	return 0;
}

/**
 * cvmg_hex_encode() - lower-case hex of @len bytes into @out (2 * @len + 1 bytes)
 */
void cvmg_hex_encode(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[2 * len] = '\0';
}

/**
 * cvmg_read_file() - read a whole file ("-" is stdin) into a malloc'ed buffer
 * @path: file name
 * @buf: receives the buffer (free() it)
 * @len: receives its length
 * @max: refuse files larger than this (-EFBIG)
 *
 * Return: 0 or a negative errno.
 */
int cvmg_read_file(const char *path, uint8_t **buf, size_t *len, size_t max)
{
	size_t cap = 4096, n = 0;
	uint8_t *p = NULL, *np;
	int fd, ret = 0;
	ssize_t r;

	fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	if (fd < 0)
		return -errno;
	for (;;) {
		if (n == cap || !p) {
			if (p)
				cap *= 2;
			np = realloc(p, cap);
			if (!np) {
				ret = -ENOMEM;
				goto out;
			}
			p = np;
		}
		r = read(fd, p + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			ret = -EFBIG;
			goto out;
		}
	}
	*buf = p;
	*len = n;
	p = NULL;
out:
	free(p);
	if (fd != STDIN_FILENO)
		close(fd);
	return ret;
}

/**
 * cvmg_read_secret_file() - read a small file into the caller's (locked) buffer
 * @path: the file, or "-" for standard input (read to its end)
 * @buf: where the bytes go; nothing is allocated, so a key stays where it belongs
 * @max: the size of @buf: a file of @max bytes or more is -EFBIG
 * @len: receives the number of bytes read
 *
 * The one reader of --key-file and --pin-file; each applies its own newline rule.
 *
 * Return: 0 or a negative errno.
 */
int cvmg_read_secret_file(const char *path, char *buf, size_t max, size_t *len)
{
	size_t off = 0;
	int fd, ret = 0;

	fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY) : STDIN_FILENO;
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n = read(fd, buf + off, max - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			break;
		}
		if (n == 0)
			break;
		off += (size_t)n;
		if (off == max) {
			ret = -EFBIG;
			break;
		}
	}
	*len = off;
	if (fd != STDIN_FILENO)
		close(fd);
	return ret;
}

/**
 * cvmg_read_line() - the first line of a small sysfs or securityfs file
 * @path: the file
 * @buf: receives the line, without its newline
 * @len: the size of @buf
 *
 * Return: 0, -errno when the file does not open, -EIO when it is empty.
 */
int cvmg_read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	int ret = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		ret = -EIO;
	else
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
	return ret;
}

/**
 * cvmg_write_file_atomic() - replace @path with @buf: temp file, fsync, rename
 * @path: destination ("-" writes to stdout)
 * @buf: contents
 * @len: length
 * @mode: permissions of the new file
 *
 * Return: 0 or a negative errno; on failure @path is unchanged.
 */
int cvmg_write_file_atomic(const char *path, const void *buf, size_t len, unsigned int mode)
{
	const uint8_t *p = buf;
	char *tmp = NULL;
	size_t off = 0;
	int fd = -1, ret = 0;

	if (!strcmp(path, "-")) {
		if (fwrite(buf, 1, len, stdout) != len || fflush(stdout))
			return -EIO;
		return 0;
	}
	if (asprintf(&tmp, "%s.tmpXXXXXX", path) < 0)
		return -ENOMEM;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	while (off < len) {
		ssize_t w = write(fd, p + off, len - off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			goto out;
		}
		off += (size_t)w;
	}
	if (fchmod(fd, mode) || fsync(fd) || rename(tmp, path))
		ret = -errno;
out:
	if (fd >= 0)
		close(fd);
	if (ret && tmp)
		unlink(tmp);
	free(tmp);
	return ret;
}
