// SPDX-License-Identifier: GPL-2.0
/*
 * cvmguard-paravisor: QEMU <-> swtpm relay.
 *
 * The control channel (swtpm's --ctrl protocol, include/swtpm/tpm_ioctl.h:
 * 4-byte big-endian command codes and per-command structs) is passed through
 * byte for byte, except CMD_SET_DATAFD: QEMU sends it with one end of its
 * socketpair attached (SCM_RIGHTS); we keep that end, make our own
 * socketpair, and hand one end of ours to swtpm with the same command.  TPM
 * commands then flow QEMU -> us -> swtpm one at a time, as QEMU issues them.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pv.h"

#define CMD_INIT	2
#define CMD_SHUTDOWN	3
#define CMD_SET_DATAFD	16

extern volatile sig_atomic_t pv_stop, pv_reload;
void pv_do_reload(void);

static const char *ctrl_name(uint32_t c)
{
	static const char *n[] = {
		"?", "GET_CAPABILITY", "INIT", "SHUTDOWN", "GET_TPMESTABLISHED",
		"SET_LOCALITY", "HASH_START", "HASH_DATA", "HASH_END",
		"CANCEL_TPM_CMD", "STORE_VOLATILE", "RESET_TPMESTABLISHED",
		"GET_STATEBLOB", "SET_STATEBLOB", "STOP", "GET_CONFIG",
		"SET_DATAFD", "SET_BUFFERSIZE", "GET_INFO", "LOCK_STORAGE",
	};
	return c < sizeof(n) / sizeof(n[0]) ? n[c] : "?";
}

static int send_with_fd(int sock, const void *buf, size_t len, int fd)
{
	struct iovec iov = { (void *)buf, len };
	union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int))]; } u;
	struct msghdr mh = { 0 };
	struct cmsghdr *c;

	memset(&u, 0, sizeof(u));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = u.b;
	mh.msg_controllen = sizeof(u.b);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &mh, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

/* one guest command: read it whole, answer it whole */
static int data_step(int qfd)
{
	static uint8_t cmd[PV_TPM_BUF], rsp[PV_TPM_BUF];
	uint32_t n;
	size_t rl;

	if (read_full(qfd, cmd, 10))
		return -1;
	n = get32(cmd + 2);
	if (n < 10 || n > PV_TPM_BUF) {
		pv_log("bad command size %u from QEMU", n);
		return -1;
	}
	if (read_full(qfd, cmd + 10, n - 10))
		return -1;
	pv_log_hex("guest>tpm", tpm_cc_name(get32(cmd + 6)), cmd, n);
	rl = tpm_handle_guest(cmd, n, rsp);
	if (!rl)
		return 0;
	pv_log_hex("tpm>guest", tpm_cc_name(get32(cmd + 6)), rsp, rl);
	return write_full(qfd, rsp, rl);
}

int relay_run(int listen_fd, int sfd)
{
	int qfd = -1, qdata = -1;

	while (!pv_stop) {
		qfd = accept(listen_fd, NULL, NULL);
		if (qfd >= 0)
			break;
		if (errno != EINTR)
			die("accept: %m");
		if (pv_reload)
			pv_do_reload();
	}
	if (qfd < 0)
		return 0;
	pv_log("QEMU connected to the control channel");

	while (!pv_stop) {
		struct pollfd p[3] = {
			{ qfd, POLLIN, 0 }, { sfd, POLLIN, 0 }, { qdata, POLLIN, 0 },
		};
		int timeout = -1, r;

		if (pv_reload)
			pv_do_reload();
		if (pv.pending) {
			uint64_t now = now_ms();

			timeout = pv.pending_at_ms > now ? (int)(pv.pending_at_ms - now) : 0;
		}
		r = poll(p, qdata >= 0 ? 3 : 2, timeout);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			die("poll: %m");
		}
		if (r == 0) {
			tpm_run_pending();
			continue;
		}
		if (p[0].revents) {
			uint8_t buf[8192];
			union { struct cmsghdr h; char b[CMSG_SPACE(4 * sizeof(int))]; } u;
			struct iovec iov = { buf, sizeof(buf) };
			struct msghdr mh = { 0 };
			struct cmsghdr *c;
			int rfd = -1;
			ssize_t n;

			mh.msg_iov = &iov;
			mh.msg_iovlen = 1;
			mh.msg_control = u.b;
			mh.msg_controllen = sizeof(u.b);
			n = recvmsg(qfd, &mh, MSG_CMSG_CLOEXEC);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				pv_log("QEMU closed the control channel");
				break;
			}
			for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
				if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
					int k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

					for (int i = 0; i < k; i++) {
						int fd;

						memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
						if (rfd < 0)
							rfd = fd;
						else
							close(fd);
					}
				}
			if (n >= 4)
				pv_log_hex("qemu>ctrl", ctrl_name(get32(buf)), buf, n);
			else
				pv_log_hex("qemu>ctrl", "(continued)", buf, n);
			if (rfd >= 0 && n == 4 && get32(buf) == CMD_SET_DATAFD) {
				int sp[2];

				if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp))
					die("socketpair: %m");
				if (send_with_fd(sfd, buf, 4, sp[1]))
					die("cannot pass the data channel to swtpm: %m");
				close(sp[1]);
				if (pv.tpm_fd >= 0)
					close(pv.tpm_fd);
				if (qdata >= 0)
					close(qdata);
				pv.tpm_fd = sp[0];
				qdata = rfd;
				pv_log("data channel: QEMU fd %d <-> swtpm via our socketpair", qdata);
				continue;
			}
			if (rfd >= 0)
				close(rfd);
			if (n >= 4 && get32(buf) == CMD_INIT && n == 8)
				tpm_after_startup();
			if (write_full(sfd, buf, n))
				die("swtpm control channel write failed");
		}
		if (p[1].revents) {
			uint8_t buf[8192];
			ssize_t n = read(sfd, buf, sizeof(buf));

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				pv_log("swtpm closed the control channel");
				break;
			}
			pv_log_hex("ctrl>qemu", "response", buf, n);
			if (write_full(qfd, buf, n)) {
				pv_log("QEMU went away");
				break;
			}
		}
		if (qdata >= 0 && p[2].revents) {
			if (data_step(qdata)) {
				pv_log("QEMU closed the data channel");
				close(qdata);
				qdata = -1;
			}
		}
	}
	if (qdata >= 0)
		close(qdata);
	close(qfd);
	return 0;
}
