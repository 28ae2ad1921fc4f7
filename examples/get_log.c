// SPDX-License-Identifier: MIT
/*
 * get_log: CVMGUARD_CMD_GET_LOG, the event log over generic netlink, with no
 * library: resolve the family through nlctrl, send one dump request, walk the
 * attributes of each reply. (GET_LOG has no ioctl; the same log is also in
 * securityfs, cvmguard/binary_measurements, in the TCG format.)
 *
 *   cc -Wall -Werror -o get_log get_log.c
 *   ./get_log [FIRST-SEQ]
 *
 * Needs CAP_NET_ADMIN (the command is GENL_ADMIN_PERM). Prints one line per event:
 *   seq N pcr P type T data HEX sha256 HEX ...
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/cvmguard.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#define BUFSZ 65536

struct msg {
	struct nlmsghdr n;
	struct genlmsghdr g;
	char attrs[256];
};

static void put_attr(struct msg *m, unsigned short type, const void *data, unsigned short len)
{
	struct nlattr *a = (struct nlattr *)((char *)m + NLMSG_ALIGN(m->n.nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	m->n.nlmsg_len = NLMSG_ALIGN(m->n.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

/* The attributes of one generic netlink message, by type (last one wins). */
static void parse(const struct nlmsghdr *n, const struct nlattr **tb, int max)
{
	const char *p = (const char *)NLMSG_DATA(n) + GENL_HDRLEN;
	int left = (int)n->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;

	memset(tb, 0, sizeof(*tb) * (max + 1));
	while (left >= NLA_HDRLEN) {
		const struct nlattr *a = (const void *)p;
		int type = a->nla_type & NLA_TYPE_MASK;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > left)
			break;
		if (type <= max)
			tb[type] = a;
		left -= NLA_ALIGN(a->nla_len);
		p += NLA_ALIGN(a->nla_len);
	}
}

static const void *payload(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

static int plen(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

static void hex(const struct nlattr *a)
{
	const unsigned char *p = payload(a);
	int i;

	for (i = 0; i < plen(a); i++)
		printf("%02x", p[i]);
}

/* Send @m, then handle every reply until NLMSG_DONE or the ack; @cb per message. */
static int talk(int fd, struct msg *m, int (*cb)(const struct nlmsghdr *, void *), void *arg)
{
	static char buf[BUFSZ];
	ssize_t len;

	if (send(fd, m, m->n.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		struct nlmsghdr *n = (struct nlmsghdr *)buf;

		len = recv(fd, buf, sizeof(buf), 0);
		if (len < 0)
			return -errno;
		for (; NLMSG_OK(n, len); n = NLMSG_NEXT(n, len)) {
			if (n->nlmsg_type == NLMSG_DONE)
				return 0;
			if (n->nlmsg_type == NLMSG_ERROR) {
				int err = ((struct nlmsgerr *)NLMSG_DATA(n))->error;

				if (err || !(m->n.nlmsg_flags & NLM_F_DUMP))
					return err;
				continue;
			}
			if (cb(n, arg))
				return -EPROTO;
			if (!(n->nlmsg_flags & NLM_F_MULTI) && !(m->n.nlmsg_flags & NLM_F_DUMP))
				return 0;
		}
	}
}

static int family_cb(const struct nlmsghdr *n, void *arg)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1];

	parse(n, tb, CTRL_ATTR_MAX);
	if (!tb[CTRL_ATTR_FAMILY_ID] || plen(tb[CTRL_ATTR_FAMILY_ID]) != 2)
		return -1;
	memcpy(arg, payload(tb[CTRL_ATTR_FAMILY_ID]), 2);
	return 0;
}

static int event_cb(const struct nlmsghdr *n, void *arg)
{
	const struct nlattr *tb[CVMGUARD_A_MAX + 1], *d;
	uint64_t seq;
	uint32_t pcr, type;
	int left;

	(void)arg;
	parse(n, tb, CVMGUARD_A_MAX);
	if (!tb[CVMGUARD_A_SEQ] || !tb[CVMGUARD_A_PCR] || !tb[CVMGUARD_A_EVENT_TYPE] ||
	    !tb[CVMGUARD_A_EVENT_DATA] || !tb[CVMGUARD_A_DIGESTS] ||
	    plen(tb[CVMGUARD_A_SEQ]) != 8 || plen(tb[CVMGUARD_A_PCR]) != 4 ||
	    plen(tb[CVMGUARD_A_EVENT_TYPE]) != 4)
		return -1;
	memcpy(&seq, payload(tb[CVMGUARD_A_SEQ]), 8);
	memcpy(&pcr, payload(tb[CVMGUARD_A_PCR]), 4);
	memcpy(&type, payload(tb[CVMGUARD_A_EVENT_TYPE]), 4);
	printf("seq %" PRIu64 " pcr %u type %u data ", seq, pcr, type);
	hex(tb[CVMGUARD_A_EVENT_DATA]);
	/* CVMGUARD_A_DIGESTS: nested CVMGUARD_A_DIGEST, each ALG (u16) + VALUE */
	d = payload(tb[CVMGUARD_A_DIGESTS]);
	left = plen(tb[CVMGUARD_A_DIGESTS]);
	while (left >= NLA_HDRLEN && d->nla_len >= NLA_HDRLEN && d->nla_len <= left) {
		const struct nlattr *a = payload(d), *alg = NULL, *val = NULL;
		int in = plen(d);

		while (in >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= in) {
			if ((a->nla_type & NLA_TYPE_MASK) == CVMGUARD_A_DIGEST_ALG && plen(a) == 2)
				alg = a;
			else if ((a->nla_type & NLA_TYPE_MASK) == CVMGUARD_A_DIGEST_VALUE)
				val = a;
			in -= NLA_ALIGN(a->nla_len);
			a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len));
		}
		if (alg && val) {
			uint16_t id;

			memcpy(&id, payload(alg), 2);
			printf(" alg-0x%04x ", id);
			hex(val);
		}
		left -= NLA_ALIGN(d->nla_len);
		d = (const void *)((const char *)d + NLA_ALIGN(d->nla_len));
	}
	putchar('\n');
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct msg m;
	uint16_t family = 0;
	uint64_t first = argc > 1 ? strtoull(argv[1], NULL, 0) : 0;
	int fd, rc;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("get_log: netlink socket");
		return 1;
	}

	/* nlctrl: the family's id from its name (this also loads the module) */
	memset(&m, 0, sizeof(m));
	m.n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	m.n.nlmsg_type = GENL_ID_CTRL;
	m.n.nlmsg_flags = NLM_F_REQUEST;
	m.g.cmd = CTRL_CMD_GETFAMILY;
	m.g.version = 1;
	put_attr(&m, CTRL_ATTR_FAMILY_NAME, CVMGUARD_GENL_NAME, sizeof(CVMGUARD_GENL_NAME));
	rc = talk(fd, &m, family_cb, &family);
	if (rc || !family) {
		fprintf(stderr, "get_log: no generic netlink family %s: %s\n", CVMGUARD_GENL_NAME,
			strerror(rc ? -rc : ENOENT));
		return 1;
	}

	memset(&m, 0, sizeof(m));
	m.n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	m.n.nlmsg_type = family;
	m.n.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	m.g.cmd = CVMGUARD_CMD_GET_LOG;
	m.g.version = CVMGUARD_GENL_VERSION;
	if (first)
		put_attr(&m, CVMGUARD_A_SEQ, &first, sizeof(first));
	rc = talk(fd, &m, event_cb, NULL);
	close(fd);
	if (rc) {
		fprintf(stderr, "get_log: CVMGUARD_CMD_GET_LOG: %s\n", strerror(-rc));
		return 1;
	}
	return 0;
}
