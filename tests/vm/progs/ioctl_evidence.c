// SPDX-License-Identifier: GPL-2.0
/*
 * CVMGUARD_IOC_GET_EVIDENCE from the caller's side:
 *
 *   ioctl_evidence validate        every invalid field on its own (-EINVAL, argument
 *                                  untouched), short buffers (-ENOSPC with the size),
 *                                  bad pointers (-EFAULT), then a normal request
 *   ioctl_evidence concurrent N K  N threads x K requests, each with its own random
 *                                  user data, each report must carry its caller's data
 *   ioctl_evidence errno NAME      one request must fail with errno NAME
 *   ioctl_evidence series N        N requests in a row, each bound (below), each
 *                                  report different from the one before
 *   ioctl_evidence rdonly          GET_EVIDENCE on an O_RDONLY descriptor: -EBADF
 *   ioctl_evidence probe N         N rounds of size probes, each answered -ENOSPC
 *                                  with the same size (1236 < size <= REPORT_MAX)
 *                                  and type: report_len 0 with a NULL buffer, size-1
 *                                  and 1236 with a real one (left untouched); prints
 *                                  "probe size S type T". The case checks the TPM
 *                                  traffic: a probe sends no command.
 *   ioctl_evidence probe-unknown   no report read yet (no report index): report_len
 *                                  0 and 1235 are -ENOSPC with CVMGUARD_REPORT_MAX
 *                                  and type 0; 1236 goes to the TPM (-ENOENT)
 *   ioctl_evidence exact LEN       one request with a LEN-byte buffer: must succeed,
 *                                  bound, the report exactly LEN bytes
 *   ioctl_evidence reuse MS        two requests with the same user data: the second
 *                                  must not get the first's report back (the stale
 *                                  one is still in the index), so with the paravisor
 *                                  renewing MS ms after a write it takes >= MS ms
 *
 * Every report returned is checked for its binding: REPORT_DATA[0..31] in the
 * hardware report = SHA-256 of the runtime claims, and the claims' user-data (hex,
 * either case) = the user data sent.
 *
 * Prints TAP-like lines and a closing tally; exit status 1 on any failure.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <openssl/sha.h>

#include <linux/cvmguard.h>

#define BUF 8192

static int failures, checks;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static void check(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(int cond, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&out_lock);
	checks++;
	printf("%s %d - ", cond ? "ok" : "not ok", checks);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!cond)
		failures++;
	pthread_mutex_unlock(&out_lock);
}

static int get(int fd, struct cvmguard_evidence *req)
{
	return ioctl(fd, CVMGUARD_IOC_GET_EVIDENCE, req) ? -errno : 0;
}

static void prepare(struct cvmguard_evidence *req, void *buf, unsigned int len)
{
	memset(req, 0, sizeof(*req));
	if (getrandom(req->user_data, sizeof(req->user_data), 0) != sizeof(req->user_data))
		abort();
	req->report = (uintptr_t)buf;
	req->report_len = len;
}

/* Does the report's "user-data" claim (hex, any case) equal @ud? */
static int carries(const unsigned char *report, unsigned int len, const unsigned char *ud)
{
	const char *p = memmem(report, len, "\"user-data\"", 11);
	unsigned int i, v;

	if (!p)
		return 0;
	p = strchr(p + 11, '"');
	if (!p)
		return 0;
	p++;
	for (i = 0; i < CVMGUARD_USER_DATA_LEN; i++) {
		if (sscanf(p + 2 * i, "%2x", &v) != 1 || v != ud[i])
			return 0;
	}
	return 1;
}

/*
 * Is the report bound to @ud: its REPORT_DATA (SNP at 0x50, TDX REPORTMACSTRUCT at
 * 0x80 of the hardware report, itself at offset 32) starting with SHA-256 of the
 * claims at 1236 (their size in the runtime header at 1216 + 16), and the claims
 * carrying @ud?
 */
static int bound(const unsigned char *r, unsigned int len, const unsigned char *ud)
{
	unsigned char h[SHA256_DIGEST_LENGTH];
	uint32_t type, clen;

	if (len < 1236)
		return 0;
	memcpy(&type, r + 1216 + 8, 4);
	memcpy(&clen, r + 1216 + 16, 4);
	if (clen > len - 1236 || (type != 2 && type != 4))
		return 0;
	SHA256(r + 1236, clen, h);
	if (memcmp(r + 32 + (type == 4 ? 0x80 : 0x50), h, sizeof(h)))
		return 0;
	return carries(r + 1236, clen, ud);
}

static int open_dev(void)
{
	int fd = open("/dev/cvmguard", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		perror("/dev/cvmguard");
		exit(2);
	}
	return fd;
}

static void validate(void)
{
	static unsigned char buf[BUF];
	struct cvmguard_evidence req, copy;
	int fd = open_dev(), rc;
	unsigned int i;
	void *gone;

	prepare(&req, buf, sizeof(buf));
	req.flags = 1;
	copy = req;
	check(get(fd, &req) == -EINVAL, "flags = 1 is -EINVAL");
	check(!memcmp(&req, &copy, sizeof(req)), "flags: argument left untouched");
	prepare(&req, buf, sizeof(buf));
	req.flags = 0x80000000;
	check(get(fd, &req) == -EINVAL, "flags = 0x80000000 is -EINVAL");
	prepare(&req, buf, sizeof(buf));
	req.reserved0 = 1;
	check(get(fd, &req) == -EINVAL, "reserved0 != 0 is -EINVAL");
	for (i = 0; i < 4; i++) {
		prepare(&req, buf, sizeof(buf));
		req.reserved[i] = 1ULL << (63 - i);
		copy = req;
		check(get(fd, &req) == -EINVAL, "reserved[%u] != 0 is -EINVAL", i);
		check(!memcmp(&req, &copy, sizeof(req)), "reserved[%u]: argument left untouched", i);
	}
	check(ioctl(fd, CVMGUARD_IOC_GET_EVIDENCE, NULL) < 0 && errno == EFAULT,
	      "NULL argument is -EFAULT");

	prepare(&req, buf, 16);
	memset(buf, 0xa5, sizeof(buf));
	rc = get(fd, &req);
	check(rc == -ENOSPC, "16-byte buffer is -ENOSPC (got %d)", rc);
	check(req.report_len > 1236 && req.report_len <= BUF,
	      "-ENOSPC returns the size needed (%u)", req.report_len);
	check(req.report_type == CVMGUARD_REPORT_SNP || req.report_type == CVMGUARD_REPORT_TDX,
	      "-ENOSPC returns the type (%u)", req.report_type);
	check(buf[0] == 0xa5 && buf[15] == 0xa5, "-ENOSPC leaves the buffer untouched");
	prepare(&req, NULL, 0);
	rc = get(fd, &req);
	check(rc == -ENOSPC && req.report_len > 1236,
	      "NULL buffer of length 0 asks for the size (%d, %u)", rc, req.report_len);

	gone = mmap(NULL, BUF, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(gone, BUF);
	prepare(&req, gone, BUF);
	check(get(fd, &req) == -EFAULT, "unmapped report buffer is -EFAULT");
	gone = mmap(NULL, BUF, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	prepare(&req, gone, BUF);
	check(get(fd, &req) == -EFAULT, "read-only report buffer is -EFAULT");
	munmap(gone, BUF);

	prepare(&req, buf, sizeof(buf));
	rc = get(fd, &req);
	check(rc == 0, "a valid request succeeds after all that (%d)", rc);
	check(!memcmp(buf, "HCLA", 4), "the report starts with HCLA");
	check(carries(buf, req.report_len, req.user_data), "the report carries our user data");
	check(bound(buf, req.report_len, req.user_data),
	      "REPORT_DATA = SHA-256(claims) and the claims carry our user data");
	close(fd);
}

struct worker {
	pthread_t t;
	int id, rounds, ok;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	unsigned char *buf = malloc(BUF);
	struct cvmguard_evidence req;
	int fd = open_dev(), i, rc;

	for (i = 0; i < w->rounds; i++) {
		prepare(&req, buf, BUF);
		rc = get(fd, &req);
		if (!rc && bound(buf, req.report_len, req.user_data))
			w->ok++;
		else
			check(0, "worker %d round %d: rc %d or someone else's binding", w->id, i, rc);
	}
	close(fd);
	free(buf);
	return NULL;
}

static void concurrent(int n, int k)
{
	struct worker *w = calloc(n, sizeof(*w));
	int i, ok = 0;

	for (i = 0; i < n; i++) {
		w[i].id = i;
		w[i].rounds = k;
		pthread_create(&w[i].t, NULL, work, &w[i]);
	}
	for (i = 0; i < n; i++) {
		pthread_join(w[i].t, NULL);
		ok += w[i].ok;
	}
	check(ok == n * k, "%d concurrent callers x %d: %d reports, each with its own user data",
	      n, k, ok);
	free(w);
}

/* @n requests in a row: each bound, each report unlike the one before. */
static void series(int n)
{
	static unsigned char buf[BUF];
	unsigned char prev[SHA256_DIGEST_LENGTH] = { 0 }, h[SHA256_DIGEST_LENGTH];
	struct cvmguard_evidence req;
	int fd = open_dev(), i, rc, good = 0;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		prepare(&req, buf, sizeof(buf));
		rc = get(fd, &req);
		if (rc) {
			check(0, "request %d: %s", i, strerror(-rc));
			continue;
		}
		SHA256(buf, req.report_len, h);
		if (!bound(buf, req.report_len, req.user_data))
			check(0, "request %d: report not bound to its user data", i);
		else if (!memcmp(h, prev, sizeof(h)))
			check(0, "request %d: the same report as the one before", i);
		else
			good++;
		memcpy(prev, h, sizeof(h));
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	check(good == n, "%d requests in a row: %d bound and new (%.1f s)", n, good,
	      (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	close(fd);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void reuse(int ms)
{
	static unsigned char buf[BUF];
	unsigned char h1[SHA256_DIGEST_LENGTH], h2[SHA256_DIGEST_LENGTH];
	struct cvmguard_evidence req;
	int fd = open_dev(), rc;
	double t;

	prepare(&req, buf, sizeof(buf));
	rc = get(fd, &req);
	check(rc == 0 && bound(buf, req.report_len, req.user_data), "first request bound (%d)", rc);
	SHA256(buf, req.report_len, h1);
	req.report_len = sizeof(buf);
	t = now_s();
	rc = get(fd, &req);
	t = now_s() - t;
	SHA256(buf, req.report_len, h2);
	check(rc == 0 && bound(buf, req.report_len, req.user_data), "second request, same user data, bound (%d)", rc);
	check(rc || memcmp(h1, h2, sizeof(h1)), "the second report is not the first one again");
	check(t * 1000 >= ms, "it waited for the renewal: %.2f s (>= %d ms)", t, ms);
	close(fd);
}

/* N rounds of size probes; every answer must be -ENOSPC with the same size and type. */
static void probe(int n)
{
	static unsigned char buf[CVMGUARD_REPORT_MAX];
	struct cvmguard_evidence req;
	unsigned int size, type, lens[3];
	int fd = open_dev(), i, j, bad = 0, rc;

	prepare(&req, NULL, 0);
	rc = get(fd, &req);
	size = req.report_len;
	type = req.report_type;
	check(rc == -ENOSPC, "report_len 0 is -ENOSPC (got %d)", rc);
	check(size > 1236 && size <= CVMGUARD_REPORT_MAX,
	      "the probe gives a report's size (%u, at most %u)", size, CVMGUARD_REPORT_MAX);
	check(type == CVMGUARD_REPORT_SNP || type == CVMGUARD_REPORT_TDX,
	      "the probe gives the report type (%u)", type);
	lens[0] = 0;
	lens[1] = size - 1;
	lens[2] = 1236;
	memset(buf, 0xa5, sizeof(buf));
	for (i = 0; i < n; i++) {
		for (j = 0; j < 3; j++) {
			prepare(&req, j ? buf : NULL, lens[j]);
			rc = get(fd, &req);
			if (rc != -ENOSPC || req.report_len != size || req.report_type != type) {
				if (bad++ < 5)
					printf("# len %u: rc %d size %u type %u\n", lens[j], rc,
					       req.report_len, req.report_type);
			}
		}
	}
	check(!bad, "%d x (0, size-1, 1236): all -ENOSPC with size %u type %u (%d wrong)",
	      n, size, type, bad);
	for (i = 0; i < (int)sizeof(buf) && buf[i] == 0xa5; i++)
		;
	check(i == (int)sizeof(buf), "the probes left the buffer untouched");
	printf("probe size %u type %u\n", size, type);
	close(fd);
}

/* Before any report was read: the answer is the maximum; a possible size is tried. */
static void probe_unknown(void)
{
	static unsigned char buf[CVMGUARD_REPORT_MAX];
	struct cvmguard_evidence req;
	int fd = open_dev(), rc;

	prepare(&req, NULL, 0);
	rc = get(fd, &req);
	check(rc == -ENOSPC && req.report_len == CVMGUARD_REPORT_MAX && req.report_type == 0,
	      "no report yet: report_len 0 is -ENOSPC, REPORT_MAX, type 0 (%d, %u, %u)",
	      rc, req.report_len, req.report_type);
	prepare(&req, buf, 1235);
	rc = get(fd, &req);
	check(rc == -ENOSPC && req.report_len == CVMGUARD_REPORT_MAX,
	      "no report yet: 1235 bytes, less than any report, is -ENOSPC (%d, %u)",
	      rc, req.report_len);
	prepare(&req, buf, 1236);
	rc = get(fd, &req);
	check(rc == -ENOENT, "no report yet: 1236 bytes goes to the TPM: -ENOENT (got %d)", rc);
	close(fd);
}

static void exact(unsigned int len)
{
	static unsigned char buf[CVMGUARD_REPORT_MAX];
	struct cvmguard_evidence req;
	int fd = open_dev(), rc;

	if (len > sizeof(buf))
		len = sizeof(buf);
	prepare(&req, buf, len);
	rc = get(fd, &req);
	check(rc == 0 && req.report_len == len, "a buffer of the probed size %u suffices (%d, %u)",
	      len, rc, req.report_len);
	check(!rc && bound(buf, req.report_len, req.user_data), "that report is bound to our data");
	close(fd);
}

static int errno_of(const char *name)
{
	static const struct { const char *n; int e; } t[] = {
		{ "ENODEV", ENODEV }, { "ENOENT", ENOENT }, { "EIO", EIO },
		{ "ETIMEDOUT", ETIMEDOUT }, { "EPROTO", EPROTO }, { "EACCES", EACCES },
		{ "EBUSY", EBUSY }, { "EMSGSIZE", EMSGSIZE }, { "EBADF", EBADF },
	};
	unsigned int i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(t[i].n, name))
			return t[i].e;
	fprintf(stderr, "unknown errno name %s\n", name);
	exit(2);
}

int main(int argc, char **argv)
{
	static unsigned char buf[BUF];
	struct cvmguard_evidence req;
	int fd, rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && !strcmp(argv[1], "validate")) {
		validate();
	} else if (argc == 4 && !strcmp(argv[1], "concurrent")) {
		concurrent(atoi(argv[2]), atoi(argv[3]));
	} else if (argc == 3 && !strcmp(argv[1], "series")) {
		series(atoi(argv[2]));
	} else if (argc == 3 && !strcmp(argv[1], "reuse")) {
		reuse(atoi(argv[2]));
	} else if (argc == 3 && !strcmp(argv[1], "probe")) {
		probe(atoi(argv[2]));
	} else if (argc == 2 && !strcmp(argv[1], "probe-unknown")) {
		probe_unknown();
	} else if (argc == 3 && !strcmp(argv[1], "exact")) {
		exact(strtoul(argv[2], NULL, 10));
	} else if (argc == 2 && !strcmp(argv[1], "rdonly")) {
		fd = open("/dev/cvmguard", O_RDONLY | O_CLOEXEC);
		prepare(&req, buf, sizeof(buf));
		rc = fd < 0 ? -errno : get(fd, &req);
		check(rc == -EBADF, "GET_EVIDENCE on an O_RDONLY descriptor is -EBADF (got %d)", rc);
		if (fd >= 0)
			close(fd);
	} else if (argc == 3 && !strcmp(argv[1], "errno")) {
		fd = open_dev();
		prepare(&req, buf, sizeof(buf));
		rc = get(fd, &req);
		check(rc == -errno_of(argv[2]), "GET_EVIDENCE fails with %s (got %d: %s)", argv[2],
		      rc, strerror(-rc));
		close(fd);
	} else {
		fprintf(stderr, "usage: ioctl_evidence validate | concurrent N K | series N | probe N | probe-unknown | exact LEN | rdonly | errno NAME\n");
		return 2;
	}
	printf("ioctl_evidence: %d passed, %d failed\n", checks - failures, failures);
	return failures ? 1 : 0;
}
