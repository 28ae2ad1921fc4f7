// SPDX-License-Identifier: GPL-2.0-only
/*
 * Key material lives only in buffers from cvmg_secret_alloc(): a private anonymous
 * mapping, mlock()ed so it is never swapped, MADV_DONTDUMP so it never lands in a
 * core dump, and wiped with explicit_bzero() before it is unmapped.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>

#include <openssl/evp.h>

#include "secret.h"

/**
 * cvmg_secret_alloc() - a locked, zeroed buffer for key material
 * @len: its size
 *
 * Return: the buffer, or NULL (errno set) when it cannot be mapped or locked.
 */
void *cvmg_secret_alloc(size_t len)
{
	void *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (mlock(p, len)) {
		int e = errno;

		munmap(p, len);
		errno = e;
		return NULL;
	}
	madvise(p, len, MADV_DONTDUMP);
	return p;
}

/**
 * cvmg_secret_free() - wipe and release a buffer from cvmg_secret_alloc()
 * @p: the buffer (NULL is ignored)
 * @len: the size it was allocated with
 */
void cvmg_secret_free(void *p, size_t len)
{
	if (!p)
		return;
	explicit_bzero(p, len);
	munlock(p, len);
	munmap(p, len);
}

/**
 * cvmg_secret_random() - fill @buf from the kernel's CSPRNG
 * @buf: destination
 * @len: bytes wanted
 *
 * Return: 0 or a negative errno.
 */
int cvmg_secret_random(uint8_t *buf, size_t len)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = getrandom(buf + off, len - off, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		off += (size_t)n;
	}
	return 0;
}

/**
 * cvmg_secret_to_passphrase() - the keyslot passphrase for a secret
 * @secret: the unsealed bytes
 * @len: their length
 * @pass: output, NUL-terminated
 * @passlen: its size, at least 4 * ceil(len / 3) + 1
 *
 * The passphrase is the secret in standard base64 with padding: this is what
 * systemd-cryptenroll does with the bytes it seals, so a keyslot made by either
 * tool opens with the other's token.
 *
 * Return: the passphrase's length, or -ENOSPC.
 */
int cvmg_secret_to_passphrase(const uint8_t *secret, size_t len, char *pass, size_t passlen)
{
	if (passlen < 4 * ((len + 2) / 3) + 1)
		return -ENOSPC;
	return EVP_EncodeBlock((unsigned char *)pass, secret, (int)len);
}

/**
 * cvmg_secret_harden_process() - keep this process's memory out of core dumps and
 * away from ptrace by other users
 */
void cvmg_secret_harden_process(void)
{
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}
