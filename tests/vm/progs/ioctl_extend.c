// SPDX-License-Identifier: GPL-2.0
/*
 * Drives CVMGUARD_IOC_EXTEND through every validation path, one bad field at a
 * time, and checks that no refused request reached the log: the sequence numbers
 * of the accepted extends must be 0, 1, 2... with nothing in between. Expects a
 * module with the default allowed_pcrs (PCR 13 only) and a TPM, and as argument the
 * number of events already logged (default 0).
 * Exit status: 0 when every check passed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/cvmguard.h>

static int failures, checks;

#define CHECK(cond, fmt, ...) do {						\
	checks++;								\
	if (cond) {								\
		printf("ok %d - " fmt "\n", checks, ##__VA_ARGS__);		\
	} else {								\
		printf("not ok %d - " fmt " (errno %d: %s)\n", checks,		\
		       ##__VA_ARGS__, errno, strerror(errno));			\
		failures++;							\
	}									\
} while (0)

static char payload[CVMGUARD_EVENT_DATA_MAX + 1];

static int call(int fd, unsigned long req, void *arg)
{
	errno = 0;
	return ioctl(fd, req, arg) ? -errno : 0;
}

static struct cvmguard_extend good(void)
{
	struct cvmguard_extend e;

	memset(&e, 0, sizeof(e));
	e.pcr = 13;
	e.event_type = 0xd;	/* EV_IPL */
	e.data = (__u64)(unsigned long)payload;
	e.data_len = 16;
	return e;
}

int main(int argc, char **argv)
{
	static const unsigned int bad_pcrs[] = { 0, 10, 11, 12, 14, 15, 16, 17, 22, 23, 24, 31, 32,
						 0xffffffffu };
	struct cvmguard_extend e, copy;
	__u64 next_seq = argc > 1 ? strtoull(argv[1], NULL, 0) : 0;
	unsigned int i;
	char *ro, *gone;
	int fd, rofd;

	memset(payload, 'm', sizeof(payload));
	fd = open("/dev/cvmguard", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror("/dev/cvmguard");
		return 1;
	}

	e = good();
	CHECK(call(fd, CVMGUARD_IOC_EXTEND, &e) == 0, "EXTEND of 16 bytes into PCR 13 succeeds");
	CHECK(e.seq == next_seq, "first event has seq %llu", (unsigned long long)e.seq);
	next_seq++;

	for (i = 0; i < sizeof(bad_pcrs) / sizeof(bad_pcrs[0]); i++) {
		e = good();
		e.pcr = bad_pcrs[i];
		copy = e;
		CHECK(call(fd, CVMGUARD_IOC_EXTEND, &e) == -EINVAL, "PCR %u is -EINVAL", bad_pcrs[i]);
		CHECK(!memcmp(&e, &copy, sizeof(e)), "PCR %u: argument left untouched", bad_pcrs[i]);
	}
	e = good();
	e.event_type = 3;
	CHECK(call(fd, CVMGUARD_IOC_EXTEND, &e) == -EINVAL, "EV_NO_ACTION is -EINVAL");
	e = good();
	e.flags = 1;
	CHECK(call(fd, CVMGUARD_IOC_EXTEND, &e) == -EINVAL, "flags bit 0 is -EINVAL");
	e = good();
	e.flags = 0x80000000u;
	CHECK(call(fd, CVMGUARD_IOC_EXTEND, &e) == -EINVAL, "flags bit 31 is -EINVAL");
	for (i = 0; i < 2; i++) {
		e = good();
		e.reserved[i] = 1ULL << (i * 20 + 5);
		CHECK(call(fd, CVMGUARD_IOC_EXTEND, &e) == -EINVAL, "reserved[%u] != 0 is -EINVAL", i);
	}
	e = good();
	e.data_len = 0;
	CHECK(call(fd, CVMGUARD_IOC_EXTEND, &e) == -EINVAL, "data_len 0 is -EINVAL");
	e = good();
	e.data_len = CVMGUARD_EVENT_DATA_MAX + 1;
	CHECK(call(fd, CVMGUARD_IOC_EXTEND, &e) == -E2BIG, "data_len %u is -E2BIG",
	      CVMGUARD_EVENT_DATA_MAX + 1);
	e = good();
	e.data_len = 0xffffffffu;
	CHECK(call(fd, CVMGUARD_IOC_EXTEND, &e) == -E2BIG, "data_len 0xffffffff is -E2BIG");
	e = good();
	e.data = 0;
	CHECK(call(fd, CVMGUARD_IOC_EXTEND, &e) == -EFAULT, "NULL data is -EFAULT");
	gone = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(gone, 4096);
	e = good();
	e.data = (__u64)(unsigned long)gone;
	CHECK(call(fd, CVMGUARD_IOC_EXTEND, &e) == -EFAULT, "unmapped data is -EFAULT");
	ro = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(ro + 4096, 4096);
	e = good();
	e.data = (__u64)(unsigned long)(ro + 4096 - 8);
	CHECK(call(fd, CVMGUARD_IOC_EXTEND, &e) == -EFAULT, "data running off its mapping is -EFAULT");
	e = good();
	e.data = 0xffff800000000000ULL;
	CHECK(call(fd, CVMGUARD_IOC_EXTEND, &e) == -EFAULT, "kernel data address is -EFAULT");
	CHECK(call(fd, CVMGUARD_IOC_EXTEND, NULL) == -EFAULT, "NULL argument is -EFAULT");
	CHECK(call(fd, CVMGUARD_IOC_EXTEND, gone) == -EFAULT, "unmapped argument is -EFAULT");
	/*
	 * A valid request in a read-only page: the module could read it but not write
	 * seq back. It must fail before extending (the seq check below proves nothing
	 * was logged, the case's replay that the PCR did not move), so a caller that
	 * retries after -EFAULT never extends twice.
	 */
	{
		struct cvmguard_extend *rop = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
						   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		*rop = good();
		rop->seq = 12345;
		mprotect(rop, 4096, PROT_READ);
		CHECK(call(fd, CVMGUARD_IOC_EXTEND, rop) == -EFAULT,
		      "a valid EXTEND in a read-only argument is -EFAULT");
		CHECK(rop->seq == 12345, "and its seq is untouched");
		munmap(rop, 4096);
	}
	CHECK(call(fd, _IOWR(CVMGUARD_IOC_MAGIC, 0x02, __u64), &e) == -ENOTTY,
	      "EXTEND with a wrong size is -ENOTTY");
	CHECK(call(fd, _IOW(CVMGUARD_IOC_MAGIC, 0x02, struct cvmguard_extend), &e) == -ENOTTY,
	      "EXTEND with a wrong direction is -ENOTTY");
	CHECK(call(fd, _IOWR(CVMGUARD_IOC_MAGIC, 0x01, struct cvmguard_extend), &e) == -ENOTTY,
	      "nr 0x01 (GET_EVIDENCE's) with EXTEND's struct is -ENOTTY");

	rofd = open("/dev/cvmguard", O_RDONLY | O_CLOEXEC);
	e = good();
	CHECK(rofd >= 0 && call(rofd, CVMGUARD_IOC_EXTEND, &e) == -EBADF,
	      "EXTEND on a read-only descriptor is -EBADF");
	close(rofd);

	/* The largest event, and the next seq proves none of the above was logged. */
	e = good();
	e.data_len = CVMGUARD_EVENT_DATA_MAX;
	CHECK(call(fd, CVMGUARD_IOC_EXTEND, &e) == 0, "EXTEND of %u bytes succeeds",
	      CVMGUARD_EVENT_DATA_MAX);
	CHECK(e.seq == next_seq, "seq %llu follows with no gap: no refused request was logged",
	      (unsigned long long)e.seq);
	next_seq++;
	e = good();
	e.data_len = 1;
	e.event_type = 0xc;	/* EV_COMPACT_HASH */
	CHECK(call(fd, CVMGUARD_IOC_EXTEND, &e) == 0 && e.seq == next_seq,
	      "1-byte EV_COMPACT_HASH event gets seq %llu", (unsigned long long)e.seq);
	next_seq++;
	munmap(ro, 4096);
	close(fd);
	printf("ioctl_extend: %d passed, %d failed (%llu events logged)\n", checks - failures,
	       failures, (unsigned long long)next_seq);
	return failures ? 1 : 0;
}
