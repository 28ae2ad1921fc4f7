// SPDX-License-Identifier: GPL-2.0-only
/*
 * The two ways to reach the module: /dev/cvmguard (ioctl) and the "cvmguard"
 * generic netlink family (libnl-3). Each request has one function per transport
 * with the same result type, so subcommands can offer --netlink without
 * duplicating their logic.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "device.h"
#include "measure.h"

/**
 * cvmg_dev_open() - open /dev/cvmguard (or $CVMGUARD_DEVICE)
 *
 * Return: a file descriptor or a negative errno (-ENOENT: module not loaded).
 */
int cvmg_dev_open(void)
{
	const char *path = getenv("CVMGUARD_DEVICE");
	int fd = open(path ? path : "/dev/" CVMGUARD_DEVICE_NAME, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/**
 * cvmg_dev_get_info() - CVMGUARD_IOC_GET_INFO
 * @info: receives the answer
 *
 * Return: 0 or a negative errno.
 */
int cvmg_dev_get_info(struct cvmguard_info *info)
{
	int fd = cvmg_dev_open(), ret = 0;

	if (fd < 0)
		return fd;
	memset(info, 0, sizeof(*info));
	if (ioctl(fd, CVMGUARD_IOC_GET_INFO, info))
		ret = -errno;
	close(fd);
	return ret;
}

/**
 * cvmg_dev_get_evidence() - CVMGUARD_IOC_GET_EVIDENCE, growing the buffer as told
 * @user_data: CVMGUARD_USER_DATA_LEN bytes
 * @report: receives a malloc'ed report (free() it)
 * @len: receives its size
 * @type: receives CVMGUARD_REPORT_SNP or CVMGUARD_REPORT_TDX
 *
 * Return: 0 or a negative errno from the module.
 */
int cvmg_dev_get_evidence(const uint8_t *user_data, uint8_t **report, size_t *len, uint32_t *type)
{
	struct cvmguard_evidence req;
	uint32_t cap = 4096;
	uint8_t *buf = NULL, *nb;
	int fd, ret, tries;

	fd = cvmg_dev_open();
	if (fd < 0)
		return fd;
	/* A report larger than the buffer comes back as -ENOSPC with its size. */
	for (tries = 0; tries < 3; tries++) {
		nb = realloc(buf, cap);
		if (!nb) {
			ret = -ENOMEM;
			goto out;
		}
		buf = nb;
		memset(&req, 0, sizeof(req));
		memcpy(req.user_data, user_data, CVMGUARD_USER_DATA_LEN);
		req.report = (uintptr_t)buf;
		req.report_len = cap;
		ret = ioctl(fd, CVMGUARD_IOC_GET_EVIDENCE, &req) ? -errno : 0;
		if (ret != -ENOSPC)
			break;
		cap = req.report_len;
	}
	if (ret)
		goto out;
	*report = buf;
	*len = req.report_len;
	*type = req.report_type;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return ret;
}

/**
 * cvmg_nl_open() - connect a generic netlink socket and resolve the family
 * @sk: receives the socket (nl_socket_free() it)
 * @family: receives the family id
 *
 * Return: 0 or a negative errno; -ENXIO when the family is not registered (the
 * module is not loaded and could not be loaded on demand).
 */
int cvmg_nl_open(struct nl_sock **sk, int *family)
{
	struct nl_sock *s = nl_socket_alloc();
	int ret;

	if (!s)
		return -ENOMEM;
	ret = genl_connect(s);
	if (ret < 0) {
		ret = -ENOTCONN;
		goto out;
	}
	ret = genl_ctrl_resolve(s, CVMGUARD_GENL_NAME);
	if (ret < 0) {
		ret = -ENXIO;
		goto out;
	}
	*family = ret;
	*sk = s;
	return 0;
out:
	nl_socket_free(s);
	return ret;
}

struct info_ctx {
	struct cvmguard_info *info;
	int seen;
};

static int info_cb(struct nl_msg *msg, void *arg)
{
	struct info_ctx *ctx = arg;
	struct nlattr *tb[CVMGUARD_A_MAX + 1];
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));

	if (nla_parse(tb, CVMGUARD_A_MAX, genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0), NULL))
		return NL_SKIP;
	if (tb[CVMGUARD_A_ABI_VERSION])
		ctx->info->abi_version = nla_get_u32(tb[CVMGUARD_A_ABI_VERSION]);
	if (tb[CVMGUARD_A_INFO_FLAGS])
		ctx->info->flags = nla_get_u32(tb[CVMGUARD_A_INFO_FLAGS]);
	if (tb[CVMGUARD_A_PCR_BANKS])
		ctx->info->pcr_banks = nla_get_u32(tb[CVMGUARD_A_PCR_BANKS]);
	if (tb[CVMGUARD_A_BACKEND])
		ctx->info->backend = nla_get_u32(tb[CVMGUARD_A_BACKEND]);
	if (tb[CVMGUARD_A_MODULE_VERSION])
		nla_strlcpy(ctx->info->module_version, tb[CVMGUARD_A_MODULE_VERSION],
			    sizeof(ctx->info->module_version));
	ctx->seen = 1;
	return NL_OK;
}

/* libnl returns its own error codes; map the ones a request can meet to errnos. */
static int nl_to_errno(int err)
{
	switch (-err) {
	case NLE_PERM:
		return -EPERM;
	case NLE_NOACCESS:
		return -EACCES;
	case NLE_INVAL:
		return -EINVAL;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_RANGE:
		return -ERANGE;
	case NLE_MSGSIZE:
		return -EMSGSIZE;
	default:
		return -EIO;
	}
}

/* The kernel's own errno: libnl folds many of them into NLE_FAILURE. */
static int err_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	*(int *)arg = e->error;
	return NL_STOP;
}

/* Send one request built by the caller and run @cb on the reply. */
static int nl_request(struct nl_sock *sk, struct nl_msg *msg, nl_recvmsg_msg_cb_t cb, void *arg)
{
	struct nl_cb *nlcb = nl_socket_get_cb(sk);
	int ret, kerr = 0;

	nl_cb_set(nlcb, NL_CB_VALID, NL_CB_CUSTOM, cb, arg);
	nl_cb_err(nlcb, NL_CB_CUSTOM, err_cb, &kerr);
	ret = nl_send_auto(sk, msg);
	if (ret >= 0)
		ret = nl_recvmsgs(sk, nlcb);
	nl_cb_put(nlcb);
	if (kerr < 0)
		return kerr;
	return ret < 0 ? nl_to_errno(ret) : 0;
}

struct evidence_ctx {
	uint8_t *report;
	size_t len;
	uint32_t type;
};

static int evidence_cb(struct nl_msg *msg, void *arg)
{
	struct evidence_ctx *ctx = arg;
	struct nlattr *tb[CVMGUARD_A_MAX + 1];
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));

	if (nla_parse(tb, CVMGUARD_A_MAX, genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0), NULL) ||
	    !tb[CVMGUARD_A_REPORT] || !tb[CVMGUARD_A_REPORT_TYPE] || ctx->report)
		return NL_SKIP;
	ctx->len = nla_len(tb[CVMGUARD_A_REPORT]);
	ctx->report = malloc(ctx->len);
	if (ctx->report)
		memcpy(ctx->report, nla_data(tb[CVMGUARD_A_REPORT]), ctx->len);
	ctx->type = nla_get_u32(tb[CVMGUARD_A_REPORT_TYPE]);
	return NL_OK;
}

/**
 * cvmg_nl_get_evidence() - CVMGUARD_CMD_GET_EVIDENCE; see cvmg_dev_get_evidence()
 */
int cvmg_nl_get_evidence(const uint8_t *user_data, uint8_t **report, size_t *len, uint32_t *type)
{
	struct evidence_ctx ctx = {};
	struct nl_sock *sk = NULL;
	struct nl_msg *msg = NULL;
	int family, ret;

	ret = cvmg_nl_open(&sk, &family);
	if (ret)
		return ret;
	ret = -ENOMEM;
	msg = nlmsg_alloc();
	if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, 0,
				 CVMGUARD_CMD_GET_EVIDENCE, CVMGUARD_GENL_VERSION) ||
	    nla_put(msg, CVMGUARD_A_USER_DATA, CVMGUARD_USER_DATA_LEN, user_data))
		goto out;
	ret = nl_request(sk, msg, evidence_cb, &ctx);
	if (!ret && !ctx.report)
		ret = -EPROTO;
	if (ret)
		goto out;
	*report = ctx.report;
	*len = ctx.len;
	*type = ctx.type;
	ctx.report = NULL;
out:
	free(ctx.report);
	nlmsg_free(msg);
	nl_socket_free(sk);
	return ret;
}

/**
 * cvmg_nl_get_info() - CVMGUARD_CMD_GET_INFO
 * @info: receives the answer
 *
 * Return: 0 or a negative errno.
 */
int cvmg_nl_get_info(struct cvmguard_info *info)
{
	struct info_ctx ctx = { .info = info };
	struct nl_sock *sk = NULL;
	struct nl_msg *msg = NULL;
	int family, ret;

	memset(info, 0, sizeof(*info));
	ret = cvmg_nl_open(&sk, &family);
	if (ret)
		return ret;
	msg = nlmsg_alloc();
	if (!msg) {
		ret = -ENOMEM;
		goto out;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, 0,
			 CVMGUARD_CMD_GET_INFO, CVMGUARD_GENL_VERSION)) {
		ret = -ENOMEM;
		goto out;
	}
	ret = nl_request(sk, msg, info_cb, &ctx);
	if (!ret && !ctx.seen)
		ret = -EPROTO;
out:
	nlmsg_free(msg);
	nl_socket_free(sk);
	return ret;
}

/**
 * cvmg_dev_extend() - CVMGUARD_IOC_EXTEND
 * @pcr: PCR index
 * @type: TCG event type
 * @data: event data
 * @len: its length
 * @seq: receives the event's sequence number
 *
 * Return: 0 or a negative errno (the kernel's: -EINVAL, -E2BIG, -EPERM, -ENOSPC...).
 */
int cvmg_dev_extend(uint32_t pcr, uint32_t type, const void *data, uint32_t len, uint64_t *seq)
{
	struct cvmguard_extend ext = {
		.pcr = pcr,
		.event_type = type,
		.data = (uint64_t)(uintptr_t)data,
		.data_len = len,
	};
	int fd = cvmg_dev_open(), ret = 0;

	if (fd < 0)
		return fd;
	if (ioctl(fd, CVMGUARD_IOC_EXTEND, &ext))
		ret = -errno;
	else
		*seq = ext.seq;
	close(fd);
	return ret;
}

struct seq_ctx {
	uint64_t seq;
	int seen;
};

static int seq_cb(struct nl_msg *msg, void *arg)
{
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *tb[CVMGUARD_A_MAX + 1];
	struct seq_ctx *ctx = arg;

	if (nla_parse(tb, CVMGUARD_A_MAX, genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0), NULL) ||
	    !tb[CVMGUARD_A_SEQ])
		return NL_SKIP;
	ctx->seq = nla_get_u64(tb[CVMGUARD_A_SEQ]);
	ctx->seen = 1;
	return NL_OK;
}

/**
 * cvmg_nl_extend() - CVMGUARD_CMD_EXTEND
 * @pcr: PCR index
 * @type: TCG event type
 * @data: event data
 * @len: its length
 * @seq: receives the event's sequence number
 *
 * Return: 0 or a negative errno, the kernel's own where it sent one.
 */
int cvmg_nl_extend(uint32_t pcr, uint32_t type, const void *data, uint32_t len, uint64_t *seq)
{
	struct seq_ctx ctx = { 0 };
	struct nl_sock *sk = NULL;
	struct nl_msg *msg = NULL;
	int family, ret;

	ret = cvmg_nl_open(&sk, &family);
	if (ret)
		return ret;
	msg = nlmsg_alloc_size(len + 256);
	if (!msg) {
		ret = -ENOMEM;
		goto out;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, 0, CVMGUARD_CMD_EXTEND,
			 CVMGUARD_GENL_VERSION) ||
	    nla_put_u32(msg, CVMGUARD_A_PCR, pcr) || nla_put_u32(msg, CVMGUARD_A_EVENT_TYPE, type) ||
	    nla_put(msg, CVMGUARD_A_EVENT_DATA, (int)len, data)) {
		ret = -ENOMEM;
		goto out;
	}
	ret = nl_request(sk, msg, seq_cb, &ctx);
	if (!ret && !ctx.seen)
		ret = -EPROTO;
	if (!ret)
		*seq = ctx.seq;
out:
	nlmsg_free(msg);
	nl_socket_free(sk);
	return ret;
}

/**
 * cvmg_nl_parse_event() - a CVMGUARD_CMD_EVENT or GET_LOG message as an event
 * @msg: the message
 * @ev: receives the event; ev->data points into @msg
 *
 * Return: 0, or -EPROTO when an attribute is missing or malformed.
 */
int cvmg_nl_parse_event(struct nl_msg *msg, struct cvmg_event *ev)
{
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *tb[CVMGUARD_A_MAX + 1], *d, *a;
	int rem, rem2;

	memset(ev, 0, sizeof(*ev));
	if (nla_parse(tb, CVMGUARD_A_MAX, genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0), NULL) ||
	    !tb[CVMGUARD_A_SEQ] || !tb[CVMGUARD_A_PCR] || !tb[CVMGUARD_A_EVENT_TYPE] ||
	    !tb[CVMGUARD_A_DIGESTS] || !tb[CVMGUARD_A_EVENT_DATA])
		return -EPROTO;
	ev->seq = nla_get_u64(tb[CVMGUARD_A_SEQ]);
	ev->pcr = nla_get_u32(tb[CVMGUARD_A_PCR]);
	ev->type = nla_get_u32(tb[CVMGUARD_A_EVENT_TYPE]);
	ev->data = nla_data(tb[CVMGUARD_A_EVENT_DATA]);
	ev->data_len = (uint32_t)nla_len(tb[CVMGUARD_A_EVENT_DATA]);
	nla_for_each_nested(d, tb[CVMGUARD_A_DIGESTS], rem) {
		unsigned int i = ev->nr_digests;

		if (nla_type(d) != CVMGUARD_A_DIGEST || i == CVMG_MAX_BANKS)
			return -EPROTO;
		nla_for_each_nested(a, d, rem2) {
			if (nla_type(a) == CVMGUARD_A_DIGEST_ALG && nla_len(a) >= 2) {
				ev->digests[i].alg = nla_get_u16(a);
			} else if (nla_type(a) == CVMGUARD_A_DIGEST_VALUE) {
				if (nla_len(a) > CVMG_MAX_DIGEST)
					return -EPROTO;
				ev->digests[i].size = (uint16_t)nla_len(a);
				memcpy(ev->digests[i].value, nla_data(a), (size_t)nla_len(a));
			}
		}
		ev->nr_digests++;
	}
	return 0;
}

struct log_ctx {
	cvmg_event_fn fn;
	void *arg;
	int ret;
};

static int log_cb(struct nl_msg *msg, void *arg)
{
	struct log_ctx *ctx = arg;
	struct cvmg_event ev;

	if (cvmg_nl_parse_event(msg, &ev)) {
		ctx->ret = -EPROTO;
		return NL_STOP;
	}
	ctx->ret = ctx->fn(&ev, ctx->arg);
	return ctx->ret ? NL_STOP : NL_OK;
}

/**
 * cvmg_nl_get_log() - CVMGUARD_CMD_GET_LOG: call @fn for each event from @from on
 * @from: first sequence number
 * @fn: callback
 * @arg: its argument
 *
 * Return: 0, what @fn returned when it stopped the walk, or a negative errno.
 */
int cvmg_nl_get_log(uint64_t from, cvmg_event_fn fn, void *arg)
{
	struct log_ctx ctx = { .fn = fn, .arg = arg };
	struct nl_sock *sk = NULL;
	struct nl_msg *msg = NULL;
	int family, ret, kerr = 0;

	ret = cvmg_nl_open(&sk, &family);
	if (ret)
		return ret;
	/* Dump messages carry up to 4 KiB of event data each. */
	nl_socket_set_msg_buf_size(sk, 64 * 1024);
	msg = nlmsg_alloc();
	if (!msg) {
		ret = -ENOMEM;
		goto out;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, NLM_F_DUMP,
			 CVMGUARD_CMD_GET_LOG, CVMGUARD_GENL_VERSION) ||
	    nla_put_u64(msg, CVMGUARD_A_SEQ, from)) {
		ret = -ENOMEM;
		goto out;
	}
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, log_cb, &ctx);
	nl_socket_modify_err_cb(sk, NL_CB_CUSTOM, err_cb, &kerr);
	ret = nl_send_auto(sk, msg);
	if (ret >= 0)
		ret = nl_recvmsgs_default(sk);
	if (kerr)
		ret = kerr;
	else if (ctx.ret)
		ret = ctx.ret;
	else if (ret < 0)
		ret = nl_to_errno(ret);
	else
		ret = 0;
out:
	nlmsg_free(msg);
	nl_socket_free(sk);
	return ret;
}
