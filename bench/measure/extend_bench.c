// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench/measure: extends per second through cvmguard's ioctl or netlink, one
 * process, one open descriptor or socket, N extends of a 64-byte event.
 * Usage: extend_bench ioctl|netlink N PCR. Prints "TRANSPORT N SECONDS RATE".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <linux/cvmguard.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	char data[64];
	unsigned long n, i;
	unsigned int pcr;
	double t0, t;
	int fd, family;
	struct nl_sock *sk = NULL;

	if (argc != 4)
		return 64;
	n = strtoul(argv[2], NULL, 0);
	pcr = (unsigned int)strtoul(argv[3], NULL, 0);
	memset(data, 'b', sizeof(data));
	if (!strcmp(argv[1], "ioctl")) {
		fd = open("/dev/cvmguard", O_RDWR);
		if (fd < 0)
			return perror("/dev/cvmguard"), 1;
		t0 = now();
		for (i = 0; i < n; i++) {
			struct cvmguard_extend e = {
				.pcr = pcr, .event_type = 0xd, .data = (unsigned long)data,
				.data_len = sizeof(data),
			};

			if (ioctl(fd, CVMGUARD_IOC_EXTEND, &e))
				return fprintf(stderr, "EXTEND %lu failed: %m\n", i), 1;
		}
	} else {
		sk = nl_socket_alloc();
		if (!sk || genl_connect(sk) || (family = genl_ctrl_resolve(sk, CVMGUARD_GENL_NAME)) < 0)
			return fprintf(stderr, "no cvmguard family\n"), 1;
		nl_socket_disable_auto_ack(sk);
		t0 = now();
		for (i = 0; i < n; i++) {
			struct nl_msg *m = nlmsg_alloc();

			if (!m || !genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, 0,
					       CVMGUARD_CMD_EXTEND, CVMGUARD_GENL_VERSION) ||
			    nla_put_u32(m, CVMGUARD_A_PCR, pcr) ||
			    nla_put_u32(m, CVMGUARD_A_EVENT_TYPE, 0xd) ||
			    nla_put(m, CVMGUARD_A_EVENT_DATA, sizeof(data), data))
				return 1;
			/*
			 * No NLM_F_ACK (auto-ack is off): a success is answered by the
			 * EXTEND reply alone, an error by an error message; either is one
			 * read. (nl_send_sync() reads the reply and leaves the ack queued,
			 * which fills the socket after ~60 requests: ENOBUFS.)
			 */
			int err = nl_send_auto(sk, m);

			nlmsg_free(m);
			if (err >= 0)
				err = nl_recvmsgs_default(sk);

			if (err < 0)
				return fprintf(stderr, "EXTEND %lu failed: %s\n", i, nl_geterror(err)), 1;
		}
		nl_socket_free(sk);
	}
	t = now() - t0;
	printf("%s %lu %.3f %.1f\n", argv[1], n, t, (double)n / t);
	return 0;
}
