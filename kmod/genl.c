// SPDX-License-Identifier: GPL-2.0
/*
 * The "cvmguard" generic netlink family: the same commands as the ioctls, carried
 * as attributes, for tools, plus the event log as a dump and a multicast group on
 * which every new event is announced. Every request is validated strictly
 * (resv_start_op is 0): GET_INFO against the family policy, which rejects every
 * attribute; EXTEND and GET_LOG against policies of their own that accept only
 * their attributes. Attributes that only appear in replies are rejected.
 */
#include <linux/mm.h>
#include <linux/capability.h>
#include <linux/module.h>
#include <net/genetlink.h>

#include "cvmguard.h"

static const struct nla_policy cvmguard_policy[CVMGUARD_A_MAX + 1] = {
	[CVMGUARD_A_ABI_VERSION] = { .type = NLA_REJECT },
	[CVMGUARD_A_MODULE_VERSION] = { .type = NLA_REJECT },
	[CVMGUARD_A_INFO_FLAGS] = { .type = NLA_REJECT },
	[CVMGUARD_A_PCR_BANKS] = { .type = NLA_REJECT },
	[CVMGUARD_A_BACKEND] = { .type = NLA_REJECT },
};

static const struct nla_policy cvmguard_evidence_policy[CVMGUARD_A_MAX + 1] = {
	[CVMGUARD_A_USER_DATA] = NLA_POLICY_EXACT_LEN(CVMGUARD_USER_DATA_LEN),
};

/* Attributes not named here are rejected (NLA_UNSPEC under strict validation). */
static const struct nla_policy cvmguard_extend_policy[CVMGUARD_A_MAX + 1] = {
	[CVMGUARD_A_PCR] = NLA_POLICY_MAX(NLA_U32, CVMGUARD_PCR_MAX),
	[CVMGUARD_A_EVENT_TYPE] = { .type = NLA_U32 },
	[CVMGUARD_A_EVENT_DATA] = NLA_POLICY_RANGE(NLA_BINARY, 1, CVMGUARD_EVENT_DATA_MAX),
};

static const struct nla_policy cvmguard_get_log_policy[CVMGUARD_A_MAX + 1] = {
	[CVMGUARD_A_SEQ] = { .type = NLA_U64 },
};

enum cvmguard_mcgrp {
	CVMGUARD_MCGRP_MEASURE_IDX,
};

static const struct genl_multicast_group cvmguard_mcgrps[] = {
	[CVMGUARD_MCGRP_MEASURE_IDX] = {
		.name = CVMGUARD_MCGRP_MEASURE,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

static struct genl_family cvmguard_genl_family;

static int cvmguard_nl_get_info(struct sk_buff *skb, struct genl_info *info)
{
	struct cvmguard_info ci = {};
	struct sk_buff *msg;
	void *hdr;

	cvmguard_get_info(&ci, netlink_capable(skb, CAP_SYS_ADMIN));

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &cvmguard_genl_family, 0, CVMGUARD_CMD_GET_INFO);
	if (!hdr)
		goto out_nospc;
	if (nla_put_u32(msg, CVMGUARD_A_ABI_VERSION, ci.abi_version) ||
	    nla_put_string(msg, CVMGUARD_A_MODULE_VERSION, ci.module_version) ||
	    nla_put_u32(msg, CVMGUARD_A_INFO_FLAGS, ci.flags) ||
	    nla_put_u32(msg, CVMGUARD_A_PCR_BANKS, ci.pcr_banks) ||
	    nla_put_u32(msg, CVMGUARD_A_BACKEND, ci.backend))
		goto out_nospc;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

out_nospc:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int cvmguard_nl_get_evidence(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	u8 *report = NULL;
	int size, rc;
	u32 type;
	void *hdr;

	/* GENL_ADMIN_PERM checks CAP_NET_ADMIN; driving the vTPM needs CAP_SYS_ADMIN. */
	if (!netlink_capable(skb, CAP_SYS_ADMIN))
		return -EPERM;
	if (GENL_REQ_ATTR_CHECK(info, CVMGUARD_A_USER_DATA))
		return -EINVAL;

	size = cvmguard_get_evidence(nla_data(info->attrs[CVMGUARD_A_USER_DATA]), &report, &type);
	if (size < 0)
		return size;
	rc = -ENOMEM;
	msg = genlmsg_new(nla_total_size(size) + nla_total_size(sizeof(u32)), GFP_KERNEL);
	if (!msg)
		goto out;
	rc = -EMSGSIZE;
	hdr = genlmsg_put_reply(msg, info, &cvmguard_genl_family, 0, CVMGUARD_CMD_GET_EVIDENCE);
	if (!hdr || nla_put(msg, CVMGUARD_A_REPORT, size, report) ||
	    nla_put_u32(msg, CVMGUARD_A_REPORT_TYPE, type)) {
		nlmsg_free(msg);
		goto out;
	}
	genlmsg_end(msg, hdr);
	rc = genlmsg_reply(msg, info);
out:
	kvfree(report);
	return rc;
}

/* GENL_ADMIN_PERM checked CAP_NET_ADMIN; extending also needs CAP_SYS_ADMIN. */
static int cvmguard_nl_extend(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	struct sk_buff *msg;
	u32 pcr, type, len;
	void *hdr;
	u64 seq;
	int ret;

	if (!netlink_capable(skb, CAP_SYS_ADMIN))
		return -EPERM;
	if (GENL_REQ_ATTR_CHECK(info, CVMGUARD_A_PCR) ||
	    GENL_REQ_ATTR_CHECK(info, CVMGUARD_A_EVENT_TYPE) ||
	    GENL_REQ_ATTR_CHECK(info, CVMGUARD_A_EVENT_DATA))
		return -EINVAL;
	pcr = nla_get_u32(tb[CVMGUARD_A_PCR]);
	type = nla_get_u32(tb[CVMGUARD_A_EVENT_TYPE]);
	len = nla_len(tb[CVMGUARD_A_EVENT_DATA]);
	ret = cvmguard_measure_check(pcr, type, len);
	if (ret) {
		if (cvmguard_measure_check(pcr, 0, len))
			NL_SET_ERR_MSG_ATTR(info->extack, tb[CVMGUARD_A_PCR],
					    "PCR not in the module's allowed_pcrs");
		else
			NL_SET_ERR_MSG_ATTR(info->extack, tb[CVMGUARD_A_EVENT_TYPE],
					    "EV_NO_ACTION events are not extended");
		return ret;
	}

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	ret = cvmguard_measure_extend(pcr, type, nla_data(tb[CVMGUARD_A_EVENT_DATA]), len, &seq);
	if (ret)
		goto out_free;
	ret = -EMSGSIZE;
	hdr = genlmsg_put_reply(msg, info, &cvmguard_genl_family, 0, CVMGUARD_CMD_EXTEND);
	if (!hdr)
		goto out_free;
	if (nla_put_u64_64bit(msg, CVMGUARD_A_SEQ, seq, CVMGUARD_A_PAD))
		goto out_free;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

out_free:
	nlmsg_free(msg);
	return ret;
}

static int cvmguard_nl_put_event(struct sk_buff *skb, const struct cvmguard_event *ev)
{
	struct nlattr *digests, *d;
	unsigned int i;

	if (nla_put_u64_64bit(skb, CVMGUARD_A_SEQ, ev->seq, CVMGUARD_A_PAD) ||
	    nla_put_u32(skb, CVMGUARD_A_PCR, ev->pcr) ||
	    nla_put_u32(skb, CVMGUARD_A_EVENT_TYPE, ev->type))
		return -EMSGSIZE;
	digests = nla_nest_start(skb, CVMGUARD_A_DIGESTS);
	if (!digests)
		return -EMSGSIZE;
	for (i = 0; i < ev->nr_digests; i++) {
		d = nla_nest_start(skb, CVMGUARD_A_DIGEST);
		if (!d ||
		    nla_put_u16(skb, CVMGUARD_A_DIGEST_ALG, ev->digests[i].alg_id) ||
		    nla_put(skb, CVMGUARD_A_DIGEST_VALUE, ev->digests[i].size, ev->digests[i].value))
			return -EMSGSIZE;
		nla_nest_end(skb, d);
	}
	nla_nest_end(skb, digests);
	if (nla_put(skb, CVMGUARD_A_EVENT_DATA, ev->data_len, ev->data))
		return -EMSGSIZE;
	return 0;
}

/* Whether anybody is subscribed to the "measure" group. */
bool cvmguard_genl_has_listeners(void)
{
	return genl_has_listeners(&cvmguard_genl_family, &init_net, CVMGUARD_MCGRP_MEASURE_IDX);
}

/**
 * cvmguard_genl_notify() - announce a new event on the "measure" group
 * @ev: the event
 *
 * Called under the log lock, so listeners receive events in log order. A
 * notification that cannot be allocated is lost; listeners see the gap in the
 * sequence numbers and recover it with GET_LOG.
 */
void cvmguard_genl_notify(const struct cvmguard_event *ev)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(CVMGUARD_EVENT_MSG_SIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &cvmguard_genl_family, 0, CVMGUARD_CMD_EVENT);
	if (!hdr || cvmguard_nl_put_event(msg, ev)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast(&cvmguard_genl_family, msg, 0, CVMGUARD_MCGRP_MEASURE_IDX, GFP_KERNEL);
}

/* cb->args[0]: the next sequence number to dump. */
static int cvmguard_nl_get_log_start(struct netlink_callback *cb)
{
	struct nlattr **tb = cvmguard_dump_attrs(cb);

	cb->args[0] = tb[CVMGUARD_A_SEQ] ? nla_get_u64(tb[CVMGUARD_A_SEQ]) : 0;
	/* The first skb of a dump must hold the largest event. */
	cb->min_dump_alloc = CVMGUARD_EVENT_MSG_SIZE;
	return 0;
}

static int cvmguard_nl_get_log_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct cvmguard_event ev;
	u64 seq = cb->args[0];
	void *hdr;

	for (; !cvmguard_measure_get(seq, &ev); seq++) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				  &cvmguard_genl_family, NLM_F_MULTI, CVMGUARD_CMD_GET_LOG);
		if (!hdr)
			break;
		if (cvmguard_nl_put_event(skb, &ev)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	/* An event that does not fit an empty skb would end the dump silently. */
	if (!skb->len && !cvmguard_measure_get(seq, &ev))
		return -EMSGSIZE;
	cb->args[0] = seq;
	return skb->len;
}

static const struct genl_ops cvmguard_genl_ops[] = {
	{
		.cmd = CVMGUARD_CMD_GET_INFO,
		.doit = cvmguard_nl_get_info,
	},
	{
		.cmd = CVMGUARD_CMD_GET_EVIDENCE,
		.doit = cvmguard_nl_get_evidence,
		.policy = cvmguard_evidence_policy,
		.maxattr = CVMGUARD_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = CVMGUARD_CMD_EXTEND,
		.doit = cvmguard_nl_extend,
		.policy = cvmguard_extend_policy,
		.maxattr = CVMGUARD_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = CVMGUARD_CMD_GET_LOG,
		.start = cvmguard_nl_get_log_start,
		.dumpit = cvmguard_nl_get_log_dump,
		.policy = cvmguard_get_log_policy,
		.maxattr = CVMGUARD_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
};

static struct genl_family cvmguard_genl_family __ro_after_init = {
	.name = CVMGUARD_GENL_NAME,
	.version = CVMGUARD_GENL_VERSION,
	.maxattr = CVMGUARD_A_MAX,
	.policy = cvmguard_policy,
	.netnsok = true,
	/*
	 * No op needs genl_mutex, and GET_EVIDENCE (waiting for the paravisor) and
	 * EXTEND (waiting for the TPM) must not hold it: it would stall every generic
	 * netlink family. The module serialises what needs it; unregistering the
	 * family still waits for running handlers.
	 */
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = cvmguard_genl_ops,
	.n_ops = ARRAY_SIZE(cvmguard_genl_ops),
	.mcgrps = cvmguard_mcgrps,
	.n_mcgrps = ARRAY_SIZE(cvmguard_mcgrps),
};

/**
 * cvmguard_genl_init() - register the generic netlink family
 *
 * Return: 0 or a negative errno from genl_register_family().
 */
int __init cvmguard_genl_init(void)
{
	return genl_register_family(&cvmguard_genl_family);
}

/**
 * cvmguard_genl_exit() - unregister the family
 */
void cvmguard_genl_exit(void)
{
	genl_unregister_family(&cvmguard_genl_family);
}
MODULE_ALIAS_GENL_FAMILY(CVMGUARD_GENL_NAME);
