// SPDX-License-Identifier: GPL-2.0
/*
 * Drives CVMGUARD_IOC_GET_INFO through every validation path, one error at a time,
 * and checks that the device still answers normally afterwards. Modelled on the
 * kernel selftests' tdx_guest_test.c. Exit status: number of failed checks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
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

static int call(int fd, unsigned long req, void *arg)
{
	errno = 0;
	return ioctl(fd, req, arg) ? -errno : 0;
}

int main(void)
{
	struct cvmguard_info info, copy;
	unsigned int i;
	void *ro, *gone;
	int fd;

	fd = open("/dev/cvmguard", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror("/dev/cvmguard");
		return 1;
	}

	memset(&info, 0, sizeof(info));
	CHECK(call(fd, CVMGUARD_IOC_GET_INFO, &info) == 0, "GET_INFO succeeds");
	CHECK(info.abi_version == CVMGUARD_ABI_VERSION, "abi_version is %u", info.abi_version);
	CHECK(info.module_version[0] && memchr(info.module_version, 0, sizeof(info.module_version)),
	      "module_version '%.32s' is set and NUL-terminated", info.module_version);
	CHECK(!(info.flags & ~CVMGUARD_INFO_TPM), "no unknown flags (0x%x)", info.flags);
	CHECK(info.backend <= CVMGUARD_BACKEND_PARAVISOR_TDX, "backend %u is known", info.backend);

	for (i = 0; i < sizeof(info.reserved) / sizeof(info.reserved[0]); i++) {
		memset(&info, 0, sizeof(info));
		info.reserved[i] = 1ULL << (i * 16 + 3);
		copy = info;
		CHECK(call(fd, CVMGUARD_IOC_GET_INFO, &info) == -EINVAL,
		      "reserved[%u] != 0 is -EINVAL", i);
		CHECK(!memcmp(&info, &copy, sizeof(info)), "reserved[%u]: argument left untouched", i);
	}

	CHECK(call(fd, CVMGUARD_IOC_GET_INFO, NULL) == -EFAULT, "NULL argument is -EFAULT");
	gone = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(gone, 4096);
	CHECK(call(fd, CVMGUARD_IOC_GET_INFO, gone) == -EFAULT, "unmapped argument is -EFAULT");
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(call(fd, CVMGUARD_IOC_GET_INFO, ro) == -EFAULT, "read-only argument is -EFAULT");
	CHECK(call(fd, CVMGUARD_IOC_GET_INFO, (char *)ro + 4096 - 8) == -EFAULT,
	      "argument running off its mapping is -EFAULT");
	munmap(ro, 4096);
	CHECK(call(fd, CVMGUARD_IOC_GET_INFO, (void *)0xffff800000000000UL) == -EFAULT,
	      "kernel address is -EFAULT");

	CHECK(call(fd, _IOWR(CVMGUARD_IOC_MAGIC, 0x7f, struct cvmguard_info), &info) == -ENOTTY,
	      "unknown ioctl number is -ENOTTY");
	CHECK(call(fd, _IOWR(CVMGUARD_IOC_MAGIC, 0x00, __u64), &info) == -ENOTTY,
	      "GET_INFO with a wrong size is -ENOTTY");
	CHECK(call(fd, _IOR(CVMGUARD_IOC_MAGIC, 0x00, struct cvmguard_info), &info) == -ENOTTY,
	      "GET_INFO with a wrong direction is -ENOTTY");
	CHECK(call(fd, TCGETS, &info) == -ENOTTY, "a tty ioctl is -ENOTTY");

	errno = 0;
	CHECK(lseek(fd, 0, SEEK_SET) < 0 && errno == ESPIPE, "lseek is -ESPIPE (nonseekable)");

	memset(&info, 0, sizeof(info));
	CHECK(call(fd, CVMGUARD_IOC_GET_INFO, &info) == 0 &&
	      info.abi_version == CVMGUARD_ABI_VERSION, "GET_INFO still works after the errors");
	close(fd);
	printf("ioctl_info: %d passed, %d failed\n", checks - failures, failures);
	return failures ? 1 : 0;
}
