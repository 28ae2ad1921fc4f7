// SPDX-License-Identifier: GPL-2.0
/* cvmguard-paravisor: logging and I/O helpers */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pv.h"

uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void stamp(FILE *f)
{
	struct timespec ts;
	struct tm tm;
	char b[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(b, sizeof(b), "%H:%M:%S", &tm);
	fprintf(f, "%s.%06ld ", b, ts.tv_nsec / 1000);
}

void pv_log(const char *fmt, ...)
{
	va_list ap;

	if (!pv.logf)
		return;
	stamp(pv.logf);
	va_start(ap, fmt);
	vfprintf(pv.logf, fmt, ap);
	va_end(ap);
	fputc('\n', pv.logf);
	fflush(pv.logf);
}

void pv_log_hex(const char *dir, const char *what, const uint8_t *b, size_t n)
{
	if (!pv.logf)
		return;
	stamp(pv.logf);
	fprintf(pv.logf, "%s %s len=%zu ", dir, what, n);
	for (size_t i = 0; i < n; i++)
		fprintf(pv.logf, "%02x", b[i]);
	fputc('\n', pv.logf);
	fflush(pv.logf);
}

void die(const char *fmt, ...)
{
	va_list ap;

	fputs("cvmguard-paravisor: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (pv.logf) {
		va_start(ap, fmt);
		stamp(pv.logf);
		fputs("FATAL ", pv.logf);
		vfprintf(pv.logf, fmt, ap);
		fputc('\n', pv.logf);
		va_end(ap);
		fflush(pv.logf);
	}
	exit(1);
}

int read_full(int fd, void *buf, size_t n)
{
	uint8_t *p = buf;

	while (n) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= r;
	}
	return 0;
}

int write_full(int fd, const void *buf, size_t n)
{
	const uint8_t *p = buf;

	while (n) {
		ssize_t r = write(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= r;
	}
	return 0;
}
