// SPDX-License-Identifier: GPL-2.0-only
/*
 * cvmguard watch [--json] [--from SEQ] [--count N]: stream measurement events from
 * the module's "measure" netlink group, one per line.
 *
 * Every event is printed exactly once and in sequence order: when the socket
 * overflows (ENOBUFS) or a sequence number is skipped, the missed events are read
 * back with GET_LOG from the first one not printed, and notifications that arrive
 * for events already printed are dropped.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "cvmguard.h"
#include "device.h"
#include "info.h"
#include "measure.h"

struct watch {
	uint64_t next;		/* the first sequence number not yet printed */
	uint64_t left;		/* events still to print; 0: no limit */
	bool limited;
	bool from;		/* --from: print the logged events first */
	bool json;
	bool resync;		/* a gap was seen: fill it from the log */
	unsigned long resyncs;
};

static int emit(const struct cvmg_event *ev, void *arg)
{
	struct watch *w = arg;

	if (ev->seq < w->next)
		return 0;
	cvmg_event_print(stdout, ev, w->json);
	fflush(stdout);
	w->next = ev->seq + 1;
	if (w->limited && !--w->left)
		return 1;
	return 0;
}

static int event_cb(struct nl_msg *msg, void *arg)
{
	struct watch *w = arg;
	struct cvmg_event ev;

	if (genlmsg_hdr(nlmsg_hdr(msg))->cmd != CVMGUARD_CMD_EVENT || cvmg_nl_parse_event(msg, &ev))
		return NL_SKIP;
	if (ev.seq > w->next) {
		/* Lost notifications: print from the log up to this one, then it. */
		w->resync = true;
		return NL_STOP;
	}
	return emit(&ev, w) ? NL_STOP : NL_OK;
}

static int catch_up(struct watch *w)
{
	int ret = cvmg_nl_get_log(w->next, emit, w);

	w->resync = false;
	w->resyncs++;
	return ret < 0 ? ret : 0;
}

static int found(const struct cvmg_event *ev, void *arg)
{
	return 1;
}

/* Is event @seq in the log? */
static int exists(uint64_t seq)
{
	int ret = cvmg_nl_get_log(seq, found, NULL);

	return ret < 0 ? ret : ret == 1;
}

/* The number of events logged now, by exponential then binary search. */
static int log_end(uint64_t *end)
{
	uint64_t lo = 0, hi = 1, mid;
	int ret;

	while ((ret = exists(hi - 1)) == 1) {
		lo = hi;
		hi *= 2;
	}
	if (ret < 0)
		return ret;
	/* events [0, lo) exist, event hi - 1 does not */
	while (lo + 1 < hi) {
		mid = lo + (hi - lo) / 2;
		ret = exists(mid - 1);
		if (ret < 0)
			return ret;
		if (ret)
			lo = mid;
		else
			hi = mid;
	}
	*end = lo;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: cvmguard watch [--json] [--from SEQ] [--count N]\n\n"
		   "Print measurement events as the module logs them, one per line, each exactly\n"
		   "once and in order, recovering from the event log if notifications are lost.\n\n"
		   "  -j, --json        one JSON document per line, each with \"format\":1\n"
		   "  -F, --from SEQ    first print the logged events from SEQ on (0: all)\n"
		   "  -c, --count N     exit after N events\n"
		   "  -h, --help        this text\n");
}

static int watch_opt(int c, const char *arg, void *ctx)
{
	struct watch *w = ctx;
	char *end;

	switch (c) {
	case 'j':
		w->json = true;
		break;
	case 'F':
		errno = 0;
		w->next = strtoull(arg, &end, 0);
		if (*end || !*arg || *arg == '-' || errno) {
			cvmg_err("--from: '%s' is not a sequence number", arg);
			return CVMG_EXIT_USAGE;
		}
		w->from = true;
		break;
	case 'c':
		errno = 0;
		w->left = strtoull(arg, &end, 0);
		if (*end || !*arg || *arg == '-' || errno || !w->left) {
			cvmg_err("--count: '%s' is not a count of 1 or more", arg);
			return CVMG_EXIT_USAGE;
		}
		w->limited = true;
		break;
	}
	return 0;
}

int cmd_watch(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "from", required_argument, NULL, 'F' },
		{ "count", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct watch w = { 0 };
	struct nl_sock *sk = NULL;
	int ret, family, grp;

	ret = cvmg_parse_args(argc, argv, "jF:c:h", opts, 0, usage, watch_opt, &w);
	if (ret >= 0)
		return ret;

	ret = cvmg_nl_open(&sk, &family);
	if (ret)
		return cvmg_report_device_error(ret, true);
	grp = genl_ctrl_resolve_grp(sk, CVMGUARD_GENL_NAME, CVMGUARD_MCGRP_MEASURE);
	if (grp < 0) {
		cvmg_err("netlink: the cvmguard family has no '%s' group", CVMGUARD_MCGRP_MEASURE);
		ret = CVMG_EXIT_UNAVAILABLE;
		goto out;
	}
	nl_socket_disable_seq_check(sk);
	nl_socket_set_msg_buf_size(sk, 64 * 1024);
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, event_cb, &w);
	ret = nl_socket_add_membership(sk, grp);
	if (ret < 0) {
		ret = cvmg_report_device_error(ret == -NLE_PERM ? -EPERM : -EIO, true);
		goto out;
	}
	/* Joined first, then caught up: nothing falls between the two. */
	ret = w.from ? catch_up(&w) : log_end(&w.next);
	if (ret) {
		ret = cvmg_report_device_error(ret, true);
		goto out;
	}
	w.resyncs = 0;
	while (!w.limited || w.left) {
		ret = nl_recvmsgs_default(sk);
		if (ret == -NLE_NOMEM || w.resync) {	/* ENOBUFS: we lost events */
			ret = catch_up(&w);
			if (ret) {
				ret = cvmg_report_device_error(ret, true);
				goto out;
			}
			if (cvmg_verbose)
				cvmg_info("resynced from the event log (%lu times)", w.resyncs);
			continue;
		}
		if (ret < 0) {
			cvmg_err("netlink: %s", nl_geterror(ret));
			ret = CVMG_EXIT_FAIL;
			goto out;
		}
	}
	ret = CVMG_EXIT_OK;
out:
	nl_socket_free(sk);
	return ret;
}
