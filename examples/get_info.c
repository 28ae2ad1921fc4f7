// SPDX-License-Identifier: MIT
/*
 * get_info: CVMGUARD_IOC_GET_INFO, the smallest cvmguard client.
 *
 *   cc -Wall -Werror -o get_info get_info.c     (header: /usr/include/linux/cvmguard.h)
 *   ./get_info
 *
 * Prints one line per field. Any user who can open /dev/cvmguard may ask (the
 * node is 0660 root:cvmguard with the shipped udev rule); a read-only descriptor
 * suffices.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/cvmguard.h>

int main(void)
{
	struct cvmguard_info info;
	int fd;

	fd = open("/dev/" CVMGUARD_DEVICE_NAME, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "get_info: /dev/%s: %s\n", CVMGUARD_DEVICE_NAME, strerror(errno));
		return 1;
	}
	memset(&info, 0, sizeof(info));		/* reserved fields must be zero */
	if (ioctl(fd, CVMGUARD_IOC_GET_INFO, &info) < 0) {
		fprintf(stderr, "get_info: CVMGUARD_IOC_GET_INFO: %s\n", strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);
	if (info.abi_version != CVMGUARD_ABI_VERSION)
		fprintf(stderr, "get_info: note: module ABI %u, this program was built for %u\n",
			info.abi_version, CVMGUARD_ABI_VERSION);
	info.module_version[CVMGUARD_VERSION_LEN - 1] = '\0';
	printf("abi_version %u\n", info.abi_version);
	printf("module_version %s\n", info.module_version);
	printf("tpm %s\n", info.flags & CVMGUARD_INFO_TPM ? "yes" : "no");
	printf("pcr_banks 0x%x\n", info.pcr_banks);
	printf("backend %u\n", info.backend);	/* enum cvmguard_backend */
	return 0;
}
