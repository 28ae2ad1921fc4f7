// SPDX-License-Identifier: GPL-2.0
/*
 * The "cvmguard" generic netlink family: the same commands as the ioctls, carried
 * as attributes, for tools. Requests are validated strictly against one family
 * policy; attributes that only appear in replies are rejected in requests.
 */
#include <linux/mm.h>
#include <linux/module.h>
#include <net/genetlink.h>

#include "cvmguard.h"

static const struct nla_policy cvmguard_policy[CVMGUARD_A_MAX + 1] = {
	[CVMGUARD_A_ABI_VERSION] = { .type = NLA_REJECT },
	[CVMGUARD_A_MODULE_VERSION] = { .type = NLA_REJECT },
	[CVMGUARD_A_INFO_FLAGS] = { .type = NLA_REJECT },
	[CVMGUARD_A_PCR_BANKS] = { .type = NLA_REJECT },
	[CVMGUARD_A_BACKEND] = { .type = NLA_REJECT },
	[CVMGUARD_A_USER_DATA] = NLA_POLICY_EXACT_LEN(CVMGUARD_USER_DATA_LEN),
	[CVMGUARD_A_REPORT] = { .type = NLA_REJECT },
	[CVMGUARD_A_REPORT_TYPE] = { .type = NLA_REJECT },
};

static struct genl_family cvmguard_genl_family;

static int cvmguard_nl_get_info(struct sk_buff *skb, struct genl_info *info)
{
	struct cvmguard_info ci = {};
	struct sk_buff *msg;
	void *hdr;

	cvmguard_get_info(&ci);

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

static const struct genl_ops cvmguard_genl_ops[] = {
	{
		.cmd = CVMGUARD_CMD_GET_INFO,
		.doit = cvmguard_nl_get_info,
	},
	{
		.cmd = CVMGUARD_CMD_GET_EVIDENCE,
		.doit = cvmguard_nl_get_evidence,
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
	 * GET_EVIDENCE may wait seconds for the paravisor: never under genl_lock, which
	 * would stall every generic netlink family. The module serialises what needs
	 * it (evidence.c); unregistering still waits for running handlers.
	 */
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = cvmguard_genl_ops,
	.n_ops = ARRAY_SIZE(cvmguard_genl_ops),
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
