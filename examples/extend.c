// SPDX-License-Identifier: MIT
/*
 * extend: CVMGUARD_IOC_EXTEND, measure something into a PCR and the event log.
 *
 *   cc -Wall -Werror -o extend extend.c
 *   ./extend PCR EVENT-TYPE DATA
 *
 * PCR must be one the module allows (module parameter allowed_pcrs, by default
 * 13 only); EVENT-TYPE is a TCG event type (13 = EV_IPL, say; never EV_NO_ACTION,
 * 3). Needs CAP_SYS_ADMIN, or the cvmguard group with the module parameter
 * allow_group_extend=1. Prints the event's sequence number in the log.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/cvmguard.h>

int main(int argc, char **argv)
{
	struct cvmguard_extend ext;
	int fd, rc;

	if (argc != 4) {
		fprintf(stderr, "usage: extend PCR EVENT-TYPE DATA\n");
		return 2;
	}
	memset(&ext, 0, sizeof(ext));
	ext.pcr = (uint32_t)strtoul(argv[1], NULL, 0);
	ext.event_type = (uint32_t)strtoul(argv[2], NULL, 0);
	ext.data = (uintptr_t)argv[3];
	ext.data_len = (uint32_t)strlen(argv[3]);
	ext.seq = CVMGUARD_SEQ_NONE;		/* stays so unless an event is logged */

	fd = open("/dev/" CVMGUARD_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "extend: /dev/%s: %s\n", CVMGUARD_DEVICE_NAME, strerror(errno));
		return 1;
	}
	rc = ioctl(fd, CVMGUARD_IOC_EXTEND, &ext);
	if (rc < 0) {
		/* seq is CVMGUARD_SEQ_NONE when nothing was logged */
		fprintf(stderr, "extend: CVMGUARD_IOC_EXTEND: %s%s\n", strerror(errno),
			ext.seq == CVMGUARD_SEQ_NONE ? " (nothing extended)" : "");
		close(fd);
		return 1;
	}
	close(fd);
	printf("seq %" PRIu64 "\n", (uint64_t)ext.seq);
	return 0;
}
