// SPDX-License-Identifier: GPL-2.0
/*
 * cvmg-fuzz: a seeded, multi-threaded fuzzer for /dev/cvmguard and the "cvmguard"
 * generic netlink family, with a contract oracle.
 *
 *   cvmg-fuzz --seed N --ops N --threads N [--mode ioctl|netlink|all] [--oracle]
 *             [--faults] [--fail-nth N] [--valid-rate N] [--unprivileged]
 *             [--quiet] [--trace]
 *   cvmg-fuzz --churn SECONDS [--threads N]    load for unload tests (see churn())
 *
 * Each thread draws its operations from its own xorshift64* generator, seeded from
 * --seed and the thread's index, so a seed always produces the same operations in
 * each thread (the interleaving between threads is the scheduler's). Operations:
 *
 *  - ioctls with random and mutated numbers (magic 0xC7 with another number, size
 *    or direction; other magics), and GET_INFO / GET_EVIDENCE / EXTEND with fields
 *    mutated one or several at a time: reserved fields and flags, PCR, event type,
 *    lengths; the argument, data and report pointers NULL, unaligned, unmapped,
 *    read-only, straddling into an unmapped page, kernel or non-canonical;
 *  - read/write/lseek/mmap on the device, open/close with random modes, concurrent
 *    with the other threads' use of their own descriptors;
 *  - netlink over raw NETLINK_GENERIC sockets: every command as do and dump, with
 *    or without NLM_F_REQUEST, truncated headers, unknown families; attributes
 *    missing, duplicated, of the wrong length or type, out of policy range,
 *    oversized (up to 64 KiB), with NLA_F_NESTED, nested containers, malformed
 *    tails; GET_LOG dumps from random sequence numbers; a per-thread socket that
 *    joins the measure group and checks what it hears;
 *  - reads of securityfs cvmguard/{binary,ascii}_measurements in random sizes.
 *
 * With --oracle every operation's result is checked against the contract in
 * kmod/uapi/linux/cvmguard.h (exact errno for every rejected request, no unexpected
 * success, replies that parse and agree with GET_INFO), and at the end: GET_INFO
 * unchanged, and the number of events logged equals the number of extends that
 * succeeded (plus those whose argument was read-only: the event is logged, then
 * writing seq back fails with EFAULT), every returned sequence number unique. The
 * log's replay against the PCRs is checked by the caller (log_replay.py).
 *
 * --faults relaxes the oracle for fault injection (failslab with a task filter,
 * TPM errors from the paravisor): operations that would succeed may fail with
 * ENOMEM, ENOBUFS, EIO, ETIME, ETIMEDOUT, EAGAIN, ENFILE; rejected requests must still be
 * rejected with their errno (validation comes before any allocation on the
 * ioctl path), except EFAULT, found while copying after memdup_user's
 * allocation, which may become ENOMEM; the log count must lie between the certain and the possible
 * successes. Worker threads set /proc/thread-self/make-it-fail after their setup.
 * --fail-nth N: a final single-threaded phase runs valid extends (ioctl and
 * netlink), evidence requests, GET_LOG dumps and log reads with
 * /proc/thread-self/fail-nth = 1, 2, ... until the operation completes without a
 * fault, so every slab allocation on those paths fails once; N bounds the rounds.
 *
 * Run as root, it expects to be allowed everything; as another user, refusals of
 * EXTEND (unless allow_group_extend) and of the admin netlink commands; with
 * --unprivileged, those refusals even as uid 0 (root of a user namespace).
 *
 * Output: "cvmg-fuzz: seed=S ..." first; on a contract violation "VIOLATION
 * seed=S thread=T op=I: what" with the operation, and exit 1. At the end one line
 * "figures: ops=N faults=N violations=0". Exit 0, 1 (violation), 2 (usage/setup).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <linux/cvmguard.h>

#define PAGE 4096
#define DEV "/dev/cvmguard"
#define SFS_BIN "/sys/kernel/security/cvmguard/binary_measurements"
#define SFS_ASCII "/sys/kernel/security/cvmguard/ascii_measurements"
#define RBUF (256 * 1024)
#define NLBUF (80 * 1024)
#define MAX_SEQS (1 << 20)

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

enum { M_IOCTL = 1, M_NETLINK = 2, M_ALL = 3 };

static struct {
	uint64_t seed;
	unsigned long ops;
	int threads;
	int mode;
	int oracle;
	int faults;
	int fail_nth;
	unsigned int valid_rate;
	int quiet;
	int trace;
	int unpriv;
	int churn;	/* seconds of load for unload tests, no oracle */	/* expect the refusals of a caller without capabilities (user ns) */
} opt = { .seed = 1, .ops = 10000, .threads = 4, .mode = M_ALL, .valid_rate = 32 };

/* What the module told us at the start; the oracle holds it to that. */
static struct {
	struct cvmguard_info info;
	int may_extend;		/* ioctl EXTEND allowed for us */
	int nl_admin;		/* CAP_NET_ADMIN + CAP_SYS_ADMIN: we are root */
	unsigned int allowed_pcrs;
	unsigned int pcr;	/* an allowed PCR */
	int ev_err;		/* GET_EVIDENCE with valid arguments: 0 or -errno */
	uint32_t ev_size;	/* the report's size when ev_err == 0 */
	uint16_t family;
	uint32_t mcgrp;
	int have_sfs;
} base;

static atomic_ulong n_ops, n_logged, n_uncertain, n_faults, n_extend_ok, n_evidence_ok, n_nl,
	n_ioctl, n_dumps, n_heard;
static atomic_uint n_seqs;
static unsigned long base_events;	/* events in the log before the workers start */
static uint64_t *seqs;
static atomic_int stop;

struct thr {
	int id;
	uint64_t rng;
	unsigned long op;
	char desc[512];
	int fd_rw, fd_ro, fd_wo;
	int nl, watch;
	uint64_t watch_last;	/* last seq the watcher heard, +1; 0: none yet */
	int watch_lost;
	uint32_t nlseq;
	uint8_t *area;		/* page 0 RW (args), 1 guard, 2-5 RW (data), 6 guard */
	uint8_t *ro, *ro_w;	/* one memfd mapped read-only and read-write */
	uint8_t *rbuf, *msg;
	pthread_t tid;
};

/* --- PRNG ---------------------------------------------------------------- */

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rnd(struct thr *t)
{
	uint64_t x = t->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	t->rng = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static uint32_t below(struct thr *t, uint32_t n) { return n ? rnd(t) % n : 0; }
static int chance(struct thr *t, uint32_t n) { return below(t, n) == 0; }

/* --- reporting ----------------------------------------------------------- */

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *ename(int e)
{
	static __thread char b[32];

	if (e == 0)
		return "0";
	if (e < 0)
		e = -e;
	switch (e) {
#define E(x) case x: return #x
	E(EPERM); E(ENOENT); E(EINTR); E(EIO); E(E2BIG); E(EBADF); E(EAGAIN); E(ENOMEM);
	E(EACCES); E(EFAULT); E(EBUSY); E(EINVAL); E(ENOSPC); E(ESPIPE); E(ENODEV); E(ENOTTY);
	E(ERANGE); E(EPROTO); E(EMSGSIZE); E(EOPNOTSUPP); E(ENOBUFS); E(ETIMEDOUT); E(ETIME);
#undef E
	}
	snprintf(b, sizeof(b), "errno %d", e);
	return b;
}

static void violation(struct thr *t, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&out_lock);
	printf("VIOLATION seed=%" PRIu64 " thread=%d op=%lu: ", opt.seed, t ? t->id : -1,
	       t ? t->op : 0);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n  op: %s\n", t ? t->desc : "(final check)");
	printf("  rerun: cvmg-fuzz --seed %" PRIu64 " --ops %lu --threads %d --mode %s%s%s\n",
	       opt.seed, opt.ops, opt.threads,
	       opt.mode == M_IOCTL ? "ioctl" : opt.mode == M_NETLINK ? "netlink" : "all",
	       opt.oracle ? " --oracle" : "", opt.faults ? " --faults" : "");
	fflush(stdout);
	_exit(1);
}

static void desc(struct thr *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->desc, sizeof(t->desc), fmt, ap);
	va_end(ap);
	if (opt.trace) {
		pthread_mutex_lock(&out_lock);
		fprintf(stderr, "t%d #%lu %s\n", t->id, t->op, t->desc);
		pthread_mutex_unlock(&out_lock);
	}
}

static void adesc(struct thr *t, const char *fmt, ...)
{
	size_t n = strlen(t->desc);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->desc + n, sizeof(t->desc) - n, fmt, ap);
	va_end(ap);
}

/* Errors an operation that would succeed may end in under fault injection. */
static int fault_errno(int e)
{
	e = e < 0 ? -e : e;
	/* ENFILE: the VFS's own file allocation failed (alloc_empty_file). */
	return e == ENOMEM || e == ENOBUFS || e == EIO || e == ETIME || e == ETIMEDOUT ||
	       e == EAGAIN || e == ENFILE;
}

/* Check an errno: want 0 or -E; the op may also fail with a fault errno under --faults. */
static void expect_rc(struct thr *t, int got, int want, int faultable)
{
	if (!opt.oracle || got == want)
		return;
	/*
	 * A bad user pointer is found while copying, which may come after an
	 * allocation (memdup_user): under faults EFAULT may become ENOMEM.
	 */
	if (opt.faults && (faultable || want == -EFAULT) && fault_errno(got))
		return;
	violation(t, "got %s, the contract says %s", ename(got), ename(want));
}

/* --- user pointers ------------------------------------------------------- */

enum pk { PK_OK, PK_UNALIGNED, PK_RO, PK_NULL, PK_UNMAPPED, PK_STRADDLE, PK_KERNEL,
	  PK_NONCANON, PK_N };
static const char *const pk_name[] = { "ok", "unaligned", "read-only", "NULL", "unmapped",
				       "straddling", "kernel", "non-canonical" };

struct uptr {
	uint64_t addr;
	int rd, wr;	/* can the kernel read / write all of it */
	uint8_t *buf;	/* where we can read it back, or NULL */
};

static int pick_pk(struct thr *t, int bad_one_in)
{
	if (!chance(t, bad_one_in))
		return chance(t, 4) ? PK_UNALIGNED : PK_OK;
	return PK_RO + below(t, PK_N - PK_RO);
}

/* Place @len bytes of @src where pointer kind @k says: @region 0 args, 1 data. */
static struct uptr place(struct thr *t, int k, int region, const void *src, size_t len)
{
	uint8_t *rw = t->area + (region ? 2 * PAGE : 0);
	size_t room = region ? 4 * PAGE : PAGE;
	struct uptr u = { 0, 0, 0, NULL };
	size_t off;

	switch (k) {
	case PK_OK:
	case PK_UNALIGNED:
		off = k == PK_OK ? 8 * below(t, 4) : 1 + below(t, 7);
		if (off + len > room)
			off = room - len;
		memcpy(rw + off, src, len);
		u = (struct uptr){ (uintptr_t)(rw + off), 1, 1, rw + off };
		break;
	case PK_RO:
		off = (region ? PAGE : 0) + below(t, 8);
		if (off + len > 5 * PAGE)
			off = 5 * PAGE - len;
		memcpy(t->ro_w + off, src, len);
		u = (struct uptr){ (uintptr_t)(t->ro + off), 1, 0, t->ro + off };
		break;
	case PK_NULL:
		u.addr = below(t, 2) ? 0 : below(t, PAGE);
		break;
	case PK_UNMAPPED:
		u.addr = (uintptr_t)(t->area + PAGE) + below(t, PAGE);	/* the guard page */
		break;
	case PK_STRADDLE:
		if (len < 2) {
			u.addr = (uintptr_t)(t->area + PAGE);
			break;
		}
		off = 1 + below(t, len - 1);	/* bytes before the guard */
		memcpy(rw + room - off, src, off);
		u.addr = (uintptr_t)(rw + room - off);
		break;
	case PK_KERNEL:
		u.addr = below(t, 2) ? 0xffff888000000000ULL + (rnd(t) & 0x3ffff000ULL)
				     : 0xffffffff81000000ULL + (rnd(t) & 0xfff000ULL);
		break;
	default:
		u.addr = 0x0000800000000000ULL + (rnd(t) & 0xffffffff000ULL);
		break;
	}
	return u;
}

/* --- ioctl operations ---------------------------------------------------- */

static int xioctl(int fd, unsigned long cmd, uint64_t arg)
{
	return ioctl(fd, cmd, (unsigned long)arg) ? -errno : 0;
}

static void check_info(struct thr *t, const struct cvmguard_info *i)
{
	if (!opt.oracle)
		return;
	if (i->abi_version != CVMGUARD_ABI_VERSION || i->flags != base.info.flags ||
	    i->pcr_banks != base.info.pcr_banks || i->backend != base.info.backend ||
	    memcmp(i->module_version, base.info.module_version, CVMGUARD_VERSION_LEN) ||
	    i->reserved[0] || i->reserved[1] || i->reserved[2] || i->reserved[3])
		violation(t, "GET_INFO answer differs: abi %u flags 0x%x banks 0x%x backend %u version '%.32s'",
			  i->abi_version, i->flags, i->pcr_banks, i->backend, i->module_version);
}

static void op_info(struct thr *t)
{
	struct cvmguard_info in;
	int k = pick_pk(t, 6), bad = chance(t, 4), rc, want;
	struct uptr u;

	memset(&in, 0, sizeof(in));
	rnd(t) & 1 ? memset(&in, 0x5a, offsetof(struct cvmguard_info, reserved)) : (void)0;
	if (bad)
		((uint8_t *)in.reserved)[below(t, sizeof(in.reserved))] = 1 + below(t, 255);
	u = place(t, k, 0, &in, sizeof(in));
	desc(t, "ioctl GET_INFO arg=%s reserved%s", pk_name[k], bad ? "!=0" : "=0");
	rc = xioctl(t->fd_ro, CVMGUARD_IOC_GET_INFO, u.addr);
	want = !u.rd ? -EFAULT : bad ? -EINVAL : !u.wr ? -EFAULT : 0;
	expect_rc(t, rc, want, 0);
	if (rc == 0 && u.buf) {
		memcpy(&in, u.buf, sizeof(in));
		check_info(t, &in);
	}
}

static void op_badcmd(struct thr *t)
{
	static const unsigned int sizes[] = { sizeof(struct cvmguard_info),
					      sizeof(struct cvmguard_evidence),
					      sizeof(struct cvmguard_extend) };
	static const uint8_t vfs_magic[] = { 0x00, 'T', 'X', 'f', 0x94, 0x15 };
	unsigned long cmd;
	struct uptr u;
	uint8_t junk[256];
	unsigned int i;
	int k = pick_pk(t, 3), rc, checked = 1;

	for (i = 0; i < sizeof(junk); i++)
		junk[i] = rnd(t);
	switch (below(t, 4)) {
	case 0:		/* a valid number with another direction */
		i = below(t, 3);
		cmd = _IOC(below(t, 3), CVMGUARD_IOC_MAGIC, i, sizes[i]);
		break;
	case 1:		/* a valid number with another size */
		i = below(t, 3);
		cmd = _IOC(_IOC_READ | _IOC_WRITE, CVMGUARD_IOC_MAGIC, i,
			   (sizes[i] + (chance(t, 2) ? 8 : -8) * (1 + below(t, 4))) & 0x3fff);
		break;
	case 2:		/* another number */
		cmd = _IOC(below(t, 4), CVMGUARD_IOC_MAGIC, 3 + below(t, 253), below(t, 0x4000));
		break;
	default:	/* anything, but not what the VFS handles itself (FIFREEZE...) */
		cmd = (uint32_t)rnd(t);
		for (i = 0; i < sizeof(vfs_magic); i++)
			if (_IOC_TYPE(cmd) == vfs_magic[i])
				checked = 0;
		break;
	}
	if (cmd == CVMGUARD_IOC_GET_INFO || cmd == CVMGUARD_IOC_GET_EVIDENCE ||
	    cmd == CVMGUARD_IOC_EXTEND)
		cmd ^= 0x40000000;
	u = place(t, k, 0, junk, sizeof(junk));
	desc(t, "ioctl 0x%08lx arg=%s", cmd, pk_name[k]);
	rc = xioctl(below(t, 2) ? t->fd_rw : t->fd_ro, cmd, u.addr);
	if (checked)
		expect_rc(t, rc, -ENOTTY, 0);
}

static void record_seq(struct thr *t, uint64_t seq)
{
	unsigned int i = atomic_fetch_add(&n_seqs, 1);

	(void)t;
	if (i < MAX_SEQS)
		seqs[i] = seq;
}

/*
 * EXTEND over the ioctl. The order of checks is the contract's: descriptor mode
 * (EBADF), permission (EPERM), the argument (EFAULT), its fields (EINVAL; E2BIG for
 * a too long data_len), then the argument's writability (EFAULT: seq is written
 * before the TPM is touched, so a read-only argument extends nothing), then the
 * data (EFAULT). A valid request extends.
 */
static void op_extend(struct thr *t, int force_valid)
{
	static uint8_t payload[CVMGUARD_EVENT_DATA_MAX + 8];
	struct cvmguard_extend e;
	int valid = force_valid || chance(t, opt.valid_rate);
	int fdk = 0, ka = chance(t, 4) ? PK_UNALIGNED : PK_OK, kd, fd, rc, want;
	unsigned int i, n;
	struct uptr ua, ud;

	memset(&e, 0, sizeof(e));
	e.pcr = base.pcr;
	do {
		e.event_type = chance(t, 2) ? 0xd : (uint32_t)rnd(t);
	} while (e.event_type == 3);
	e.data_len = chance(t, 16) ? CVMGUARD_EVENT_DATA_MAX : 1 + below(t, 64);
	e.seq = rnd(t);	/* out only: its input is ignored */
	for (i = 0; i < e.data_len; i++)
		payload[i] = rnd(t);
	kd = valid ? pick_pk(t, 1000000) : PK_OK;
	if (!valid) {
		/* At least one real fault, so that few mutated requests reach the TPM. */
		n = 1 + below(t, 2);
		while (n--) {
			switch (below(t, 10)) {
			case 0:
				e.flags = 1u << below(t, 32);
				break;
			case 1:
				((uint8_t *)e.reserved)[below(t, sizeof(e.reserved))] = 1 + below(t, 255);
				break;
			case 2:
				do {
					e.pcr = chance(t, 2) ? below(t, 40) : (uint32_t)rnd(t);
				} while (e.pcr <= CVMGUARD_PCR_MAX && (base.allowed_pcrs & (1u << e.pcr)));
				break;
			case 3:
				e.event_type = 3;
				break;
			case 4:
				e.data_len = 0;
				break;
			case 5:
				e.data_len = chance(t, 2) ? CVMGUARD_EVENT_DATA_MAX + 1 + below(t, 8)
							  : (uint32_t)rnd(t) | 0x10000;
				break;
			case 6:
			case 7:
				kd = PK_NULL + below(t, PK_N - PK_NULL);
				break;
			case 8:
				ka = PK_NULL + below(t, PK_N - PK_NULL);
				break;
			default:
				fdk = 1;
				break;
			}
		}
		if (kd == PK_OK && chance(t, 4))
			kd = PK_UNALIGNED;
	} else if (chance(t, 16)) {
		ka = PK_RO;	/* logged, then seq cannot be written back */
	}
	ud = place(t, kd, 1, payload,
		   e.data_len > CVMGUARD_EVENT_DATA_MAX ? CVMGUARD_EVENT_DATA_MAX + 1 : e.data_len);
	e.data = ud.addr;
	if (e.data_len > CVMGUARD_EVENT_DATA_MAX && kd <= PK_RO)
		ud.rd = 0;	/* only that much is mapped for us; E2BIG comes first anyway */
	ua = place(t, ka, 0, &e, sizeof(e));
	fd = (fdk || t->fd_rw < 0) ? t->fd_ro : t->fd_rw;
	desc(t, "ioctl EXTEND fd=%s arg=%s pcr=%u type=0x%x data=%s len=%u flags=0x%x reserved=%s",
	     fd == t->fd_ro ? "O_RDONLY" : "O_RDWR", pk_name[ka], e.pcr, e.event_type,
	     pk_name[kd], e.data_len, e.flags,
	     (e.reserved[0] || e.reserved[1]) ? "!=0" : "0");

	if (fd == t->fd_ro)
		want = -EBADF;
	else if (!base.may_extend)
		want = -EPERM;
	else if (!ua.rd)
		want = -EFAULT;
	else if (e.flags || e.reserved[0] || e.reserved[1] || e.pcr > CVMGUARD_PCR_MAX ||
		 !(base.allowed_pcrs & (1u << e.pcr)) || e.event_type == 3 || !e.data_len)
		want = -EINVAL;
	else if (e.data_len > CVMGUARD_EVENT_DATA_MAX)
		want = -E2BIG;
	else if (!ua.wr || !ud.rd)
		want = -EFAULT;	/* nothing extended, nothing logged */
	else
		want = 0;

	rc = xioctl(fd, CVMGUARD_IOC_EXTEND, ua.addr);
	atomic_fetch_add(&n_ioctl, 1);
	expect_rc(t, rc, want, want == 0);
	if (rc == 0) {
		if (want)
			return;	/* not reached: expect_rc reported it */
		atomic_fetch_add(&n_logged, 1);
		atomic_fetch_add(&n_extend_ok, 1);
		memcpy(&e, ua.buf, sizeof(e));
		record_seq(t, e.seq);
	} else if (want == 0 && (-rc == ETIME || -rc == ETIMEDOUT)) {
		atomic_fetch_add(&n_uncertain, 1);	/* the TPM may have extended */
	}
}

/* Was @fd opened for writing? GET_EVIDENCE and EXTEND need it (EBADF). */
static int fd_writable(int fd)
{
	int fl = fd < 0 ? -1 : fcntl(fd, F_GETFL);

	return fl >= 0 && (fl & O_ACCMODE) != O_RDONLY;
}

/* GET_EVIDENCE writes TPM NV: a read-only descriptor is EBADF before anything else. */
static void op_evidence(struct thr *t, int force_valid)
{
	struct cvmguard_evidence ev;
	int valid = force_valid || chance(t, opt.valid_rate * 2);
	int ka = valid ? PK_OK : pick_pk(t, 4), kr, rc, want, einval = 0, fd;
	uint32_t len;
	struct uptr ua, ur;
	unsigned int i;

	memset(&ev, 0, sizeof(ev));
	for (i = 0; i < sizeof(ev.user_data); i++)
		ev.user_data[i] = rnd(t);
	len = base.ev_err ? 4096 : base.ev_size;
	if (!valid) {
		switch (below(t, 5)) {
		case 0:
			ev.flags = 1u << below(t, 32);
			einval = 1;
			break;
		case 1:
			ev.reserved0 = 1 + below(t, 1000);
			einval = 1;
			break;
		case 2:
			((uint8_t *)ev.reserved)[below(t, sizeof(ev.reserved))] = 1 + below(t, 255);
			einval = 1;
			break;
		case 3:
			len = chance(t, 2) ? below(t, len) : len;
			break;
		default:
			break;
		}
		/* Most invalid requests must never reach the TPM: they are fast. */
		if (!einval && ka <= PK_RO && !chance(t, 16)) {
			ev.flags = 2;
			einval = 1;
		}
	}
	kr = valid ? PK_OK : pick_pk(t, 3);
	{
		static const uint8_t zero[4 * PAGE];

		ur = place(t, kr, 1, zero, len > sizeof(zero) ? sizeof(zero) : len);
	}
	ev.report = ur.addr;
	ev.report_len = len;
	ev.report_type = rnd(t);
	ua = place(t, ka, 0, &ev, sizeof(ev));
	fd = (!force_valid && chance(t, 8)) || t->fd_rw < 0 ? t->fd_ro : t->fd_rw;
	desc(t, "ioctl GET_EVIDENCE fd=%s arg=%s report=%s len=%u flags=0x%x reserved0=%u",
	     fd_writable(fd) ? "writable" : "O_RDONLY",
	     pk_name[ka], pk_name[kr], len, ev.flags, ev.reserved0);
	if (!fd_writable(fd))
		want = -EBADF;
	else if (!ua.rd)
		want = -EFAULT;
	else if (einval)
		want = -EINVAL;
	else if (base.ev_err)
		want = base.ev_err;
	else if (len < base.ev_size)
		want = ua.wr ? -ENOSPC : -EFAULT;
	else if (!ur.wr)
		want = -EFAULT;
	else
		want = ua.wr ? 0 : -EFAULT;
	rc = xioctl(fd, CVMGUARD_IOC_GET_EVIDENCE, ua.addr);
	if (rc == -ETIMEDOUT && want != -EINVAL && want != -EFAULT && want != -EBADF &&
	    !base.ev_err)
		return;	/* the paravisor was slow under load: allowed */
	expect_rc(t, rc, want, want != -EINVAL && !(want == -EFAULT && !ua.rd));
	if (!opt.oracle)
		return;
	if (rc == 0) {
		memcpy(&ev, ua.buf, sizeof(ev));
		atomic_fetch_add(&n_evidence_ok, 1);
		if (ev.report_len != base.ev_size ||
		    (ev.report_type != CVMGUARD_REPORT_SNP && ev.report_type != CVMGUARD_REPORT_TDX))
			violation(t, "report_len %u (want %u) type %u", ev.report_len, base.ev_size,
				  ev.report_type);
	} else if (rc == -ENOSPC) {
		memcpy(&ev, ua.buf, sizeof(ev));
		if (ev.report_len != base.ev_size)
			violation(t, "-ENOSPC with report_len %u, want %u", ev.report_len, base.ev_size);
	}
}

static int open_dev(int flags)
{
	return open(DEV, flags | O_CLOEXEC);
}

/* File operations the device does not have, and open/close churn. */
static void op_fops(struct thr *t)
{
	int rc, fd, *slot;
	char b[16];
	void *p;

	switch (below(t, 6)) {
	case 0:
		desc(t, "read(/dev/cvmguard)");
		rc = read(t->fd_ro, b, sizeof(b)) < 0 ? -errno : 0;
		expect_rc(t, rc, -EINVAL, 0);
		break;
	case 1:
		desc(t, "write(/dev/cvmguard)");
		if (t->fd_rw < 0)
			break;
		rc = write(t->fd_rw, b, sizeof(b)) < 0 ? -errno : 0;
		expect_rc(t, rc, -EINVAL, 0);
		break;
	case 2:
		desc(t, "lseek(/dev/cvmguard)");
		rc = lseek(t->fd_ro, below(t, 100), SEEK_SET) < 0 ? -errno : 0;
		expect_rc(t, rc, -ESPIPE, 0);
		break;
	case 3:
		desc(t, "mmap(/dev/cvmguard)");
		p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, t->fd_ro, 0);
		rc = p == MAP_FAILED ? -errno : 0;
		if (p != MAP_FAILED)
			munmap(p, PAGE);
		expect_rc(t, rc, -ENODEV, 0);
		break;
	default:	/* reopen one of our descriptors while the other threads run */
		slot = below(t, 2) && t->fd_rw >= 0 ? &t->fd_rw : &t->fd_ro;
		desc(t, "reopen /dev/cvmguard (%s)", slot == &t->fd_rw ? "O_RDWR" : "O_RDONLY");
		fd = open_dev((slot == &t->fd_rw ? O_RDWR : O_RDONLY) | (chance(t, 2) ? O_NONBLOCK : 0));
		if (fd < 0) {
			expect_rc(t, -errno, 0, 1);
			break;
		}
		close(*slot);
		*slot = fd;
		break;
	}
}

/* securityfs log reads: random sizes and offsets, sometimes into a bad buffer. */
static void op_logread(struct thr *t)
{
	const char *path = below(t, 2) ? SFS_BIN : SFS_ASCII;
	int fd, k = pick_pk(t, 8), rc = 0;
	size_t sz = 1 + below(t, chance(t, 4) ? 65536 : 512);
	off_t off = chance(t, 2) ? 0 : below(t, 1 << 16);
	unsigned int n = 1 + below(t, 4);
	struct uptr u;
	ssize_t r;

	if (!base.have_sfs)
		return;
	u = place(t, k, 1, "", 0);
	if (k <= PK_RO) {
		u.addr = (uintptr_t)(t->area + 2 * PAGE);
		if (sz > 4 * PAGE)
			sz = 4 * PAGE;
	}
	desc(t, "read %s off=%lld size=%zu buf=%s x%u", path, (long long)off, sz, pk_name[k], n);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		expect_rc(t, -errno, 0, 1);
		return;
	}
	if (off && lseek(fd, off, SEEK_SET) < 0)
		rc = -errno;
	while (!rc && n--) {
		r = read(fd, (void *)(uintptr_t)u.addr, sz);
		if (r < 0)
			rc = -errno;
		if (r <= 0)
			break;
	}
	close(fd);
	if (k > PK_RO && rc == -EFAULT)
		rc = 0;	/* EFAULT, or nothing there to copy */
	expect_rc(t, rc, 0, 1);
}

/* --- netlink ------------------------------------------------------------- */

static void *nla_put(uint8_t *buf, size_t *len, uint16_t type, const void *data, size_t dlen,
		     int declared)
{
	struct nlattr *a = (struct nlattr *)(buf + *len);

	a->nla_type = type;
	a->nla_len = declared >= 0 ? declared : (int)(NLA_HDRLEN + dlen);
	if (dlen)
		memcpy((uint8_t *)a + NLA_HDRLEN, data, dlen);
	*len += NLA_ALIGN(NLA_HDRLEN + dlen);
	return a;
}

static size_t nl_begin(uint8_t *buf, uint16_t type, uint16_t flags, uint8_t cmd)
{
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct genlmsghdr *g = (struct genlmsghdr *)(buf + NLMSG_HDRLEN);

	memset(buf, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	h->nlmsg_type = type;
	h->nlmsg_flags = flags;
	g->cmd = cmd;
	g->version = CVMGUARD_GENL_VERSION;
	return NLMSG_HDRLEN + GENL_HDRLEN;
}

typedef void (*nl_cb)(struct thr *t, const struct nlmsghdr *h, void *arg);

/*
 * Send one message and collect the answer to it: replies go to @cb; returns the
 * error of the ack or NLMSG_DONE, 1 when the message asked for no answer and got
 * none, or -errno of send/recv (EAGAIN: no answer within the socket timeout).
 */
static int nl_xfer(struct thr *t, int s, uint8_t *msg, size_t len, int want_answer, nl_cb cb,
		   void *arg)
{
	struct nlmsghdr *h = (struct nlmsghdr *)msg;
	uint32_t seq;
	ssize_t n;

	if (++t->nlseq == 0)
		t->nlseq = 1;
	seq = t->nlseq;
	h->nlmsg_seq = seq;
	h->nlmsg_pid = 0;
	if (!h->nlmsg_len)
		h->nlmsg_len = len;
	if (send(s, msg, len, 0) < 0)
		return -errno;
	atomic_fetch_add(&n_nl, 1);
	if (!want_answer)
		return 1;
	for (;;) {
		struct nlmsghdr *r;

		n = recv(s, t->rbuf, RBUF, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (r = (struct nlmsghdr *)t->rbuf; NLMSG_OK(r, (size_t)n); r = NLMSG_NEXT(r, n)) {
			if (r->nlmsg_seq != seq)
				continue;
			if (r->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(r))->error;
			if (r->nlmsg_type == NLMSG_DONE)
				return r->nlmsg_len >= NLMSG_LENGTH(4) ? *(int *)NLMSG_DATA(r) : 0;
			if (cb)
				cb(t, r, arg);
		}
	}
}

static int nl_socket(int timeout_s)
{
	struct timeval tv = { timeout_s, 0 };
	int one = 1, s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);

	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	if (s < 0)
		return -1;
	/* Bound, or a multicast listener (port id 0, as the kernel's) hears nothing. */
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa))) {
		close(s);
		return -1;
	}
	setsockopt(s, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(s, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return s;
}

/* Walk the attributes of a genl message: calls fn(type, data, len) for each. */
static int nla_each(const struct nlmsghdr *h, int (*fn)(uint16_t, const uint8_t *, size_t, void *),
		    void *arg)
{
	const uint8_t *p = (const uint8_t *)NLMSG_DATA(h) + GENL_HDRLEN;
	size_t rem = h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	int rc;

	while (rem >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > rem)
			return -1;
		rc = fn(a->nla_type & NLA_TYPE_MASK, p + NLA_HDRLEN, a->nla_len - NLA_HDRLEN, arg);
		if (rc)
			return rc;
		if ((size_t)NLA_ALIGN(a->nla_len) >= rem)
			break;
		rem -= NLA_ALIGN(a->nla_len);
		p += NLA_ALIGN(a->nla_len);
	}
	return 0;
}

struct reply {
	int n;
	int bad;
	uint64_t seq;		/* EXTEND: A_SEQ; GET_LOG: next expected */
	int have_seq;
	uint32_t u32[CVMGUARD_A_MAX + 1];
	uint32_t mask;
	char version[64];
	size_t report_len;
	uint16_t family;
	uint32_t grp;
};

static int reply_attr(uint16_t type, const uint8_t *d, size_t len, void *arg)
{
	struct reply *r = arg;

	if (type <= CVMGUARD_A_MAX)
		r->mask |= 1u << type;
	switch (type) {
	case CVMGUARD_A_SEQ:
		if (len != 8)
			return r->bad = 1;
		memcpy(&r->seq, d, 8);
		r->have_seq = 1;
		break;
	case CVMGUARD_A_MODULE_VERSION:
		if (!len || len > sizeof(r->version) || d[len - 1])
			return r->bad = 1;
		memcpy(r->version, d, len);
		break;
	case CVMGUARD_A_REPORT:
		r->report_len = len;
		break;
	case CVMGUARD_A_ABI_VERSION:
	case CVMGUARD_A_INFO_FLAGS:
	case CVMGUARD_A_PCR_BANKS:
	case CVMGUARD_A_BACKEND:
	case CVMGUARD_A_REPORT_TYPE:
	case CVMGUARD_A_PCR:
	case CVMGUARD_A_EVENT_TYPE:
		if (len != 4)
			return r->bad = 1;
		memcpy(&r->u32[type], d, 4);
		break;
	}
	return 0;
}

static void cb_reply(struct thr *t, const struct nlmsghdr *h, void *arg)
{
	struct reply *r = arg;

	(void)t;
	r->n++;
	if (h->nlmsg_type != base.family || nla_each(h, reply_attr, r))
		r->bad = 1;
}

/* GET_LOG dump messages: sequence numbers must run on from the start without a gap. */
static void cb_log(struct thr *t, const struct nlmsghdr *h, void *arg)
{
	struct reply *r = arg, one;

	memset(&one, 0, sizeof(one));
	if (h->nlmsg_type != base.family || nla_each(h, reply_attr, &one) || !one.have_seq ||
	    !(one.mask & (1u << CVMGUARD_A_DIGESTS)) || !(one.mask & (1u << CVMGUARD_A_EVENT_DATA)))
		violation(t, "malformed GET_LOG message");
	if (opt.oracle && one.seq != r->seq)
		violation(t, "GET_LOG gave seq %" PRIu64 ", want %" PRIu64, one.seq, r->seq);
	r->seq = one.seq + 1;
	r->n++;
}

/* An attribute of a request under construction, and what the policy says of it. */
struct att {
	uint16_t type;		/* with flags */
	uint32_t len;
	uint8_t data[8];
	int big;		/* payload from the big buffer */
};

/*
 * The errno the kernel's strict policy validation gives, attribute by attribute
 * in order, for a command whose policy accepts @ok types: unknown types, types not
 * in the policy and NLA_F_NESTED on a non-nested type: EINVAL; a fixed-size type of
 * another size: EINVAL; a value or length outside the policy's range: ERANGE.
 */
static int policy_errno(uint8_t cmd, const struct att *a, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		uint16_t type = a[i].type & NLA_TYPE_MASK;
		uint32_t v;

		if (type == 0 || type > CVMGUARD_A_MAX)
			return -EINVAL;
		switch (cmd) {
		case CVMGUARD_CMD_EXTEND:
			if (type != CVMGUARD_A_PCR && type != CVMGUARD_A_EVENT_TYPE &&
			    type != CVMGUARD_A_EVENT_DATA)
				return -EINVAL;
			if (type != CVMGUARD_A_EVENT_DATA && a[i].len != 4)
				return -EINVAL;
			if (a[i].type & NLA_F_NESTED)
				return -EINVAL;
			if (type == CVMGUARD_A_PCR) {
				memcpy(&v, a[i].data, 4);
				if (v > CVMGUARD_PCR_MAX)
					return -ERANGE;
			}
			if (type == CVMGUARD_A_EVENT_DATA &&
			    (a[i].len < 1 || a[i].len > CVMGUARD_EVENT_DATA_MAX))
				return -ERANGE;
			break;
		case CVMGUARD_CMD_GET_EVIDENCE:
			if (type != CVMGUARD_A_USER_DATA)
				return -EINVAL;
			if (a[i].type & NLA_F_NESTED)
				return -EINVAL;
			if (a[i].len != CVMGUARD_USER_DATA_LEN)
				return -ERANGE;
			break;
		case CVMGUARD_CMD_GET_LOG:
			if (type != CVMGUARD_A_SEQ || a[i].len != 8)
				return -EINVAL;
			if (a[i].type & NLA_F_NESTED)
				return -EINVAL;
			break;
		default:	/* GET_INFO: the family policy rejects every attribute */
			return -EINVAL;
		}
	}
	return 0;
}

static const struct att *last_of(const struct att *a, int n, uint16_t type)
{
	const struct att *r = NULL;
	int i;

	for (i = 0; i < n; i++)
		if ((a[i].type & NLA_TYPE_MASK) == type)
			r = &a[i];
	return r;
}

static struct att mk_u32(uint16_t type, uint32_t v)
{
	struct att a = { .type = type, .len = 4 };

	memcpy(a.data, &v, 4);
	return a;
}

static uint8_t bigbuf[70000];

/* The genetlink core's order: NLM_F_REQUEST, family, header length, do or dump,
 * GENL_ADMIN_PERM, policy, then the handler's own checks. */
static int nl_want(uint8_t cmd, const struct att *a, int n, int no_req, int trunc, int bogus,
		   int dump, int tail, int admin, int has_do, int has_dump)
{
	int want;

	if (no_req)
		return 0;	/* netlink_rcv_skb acks it unseen */
	if (bogus)
		return -ENOENT;
	if (trunc)
		return -EINVAL;
	if (dump ? !has_dump : !has_do)
		/* 6.1 checks GENL_ADMIN_PERM before it looks for a do or dump
		 * handler, 6.12 after: EPERM here, and EOPNOTSUPP accepted too. */
		return admin && !base.nl_admin ? -EPERM : -EOPNOTSUPP;
	if (admin && !base.nl_admin)
		return -EPERM;
	want = policy_errno(cmd, a, n);
	if (want || tail)
		return want ? want : -EINVAL;
	if (cmd == CVMGUARD_CMD_EXTEND) {
		const struct att *pa = last_of(a, n, CVMGUARD_A_PCR);
		const struct att *ta = last_of(a, n, CVMGUARD_A_EVENT_TYPE);
		uint32_t pcr = 0, type = 0;

		if (pa)
			memcpy(&pcr, pa->data, 4);
		if (ta)
			memcpy(&type, ta->data, 4);
		return (!pa || !ta || !last_of(a, n, CVMGUARD_A_EVENT_DATA) ||
			!(base.allowed_pcrs & (1u << pcr)) || type == 3) ? -EINVAL : 0;
	}
	if (cmd == CVMGUARD_CMD_GET_EVIDENCE)
		return !last_of(a, n, CVMGUARD_A_USER_DATA) ? -EINVAL : base.ev_err;
	return 0;
}

/*
 * One generic netlink request: a command (sometimes an unknown one), as a do or a
 * dump, with attributes built valid and then mutated; the expected errno follows
 * the genetlink core's order: header length, command lookup (do or dump),
 * GENL_ADMIN_PERM, policy, the handler's own checks.
 */
static void op_netlink(struct thr *t, int force, int force_valid)
{
	static const uint8_t cmds[] = { CVMGUARD_CMD_GET_INFO, CVMGUARD_CMD_EXTEND,
					CVMGUARD_CMD_EXTEND, CVMGUARD_CMD_GET_LOG,
					CVMGUARD_CMD_GET_EVIDENCE, CVMGUARD_CMD_EVENT,
					CVMGUARD_CMD_UNSPEC, 0xff };
	uint8_t cmd = force ? force : cmds[below(t, sizeof(cmds))];
	struct att a[12] = { 0 };
	int n = 0, i, want, dump, valid, no_req = 0, trunc = 0, bogus_family = 0, tail = 0;
	uint16_t flags;
	uint64_t v64;
	size_t len;
	uint8_t *m = t->msg;
	struct reply r;
	int rc, admin = 0, has_do = 1, has_dump = 0;
	uint8_t ud[CVMGUARD_USER_DATA_LEN];

	if (cmd > CVMGUARD_CMD_GET_LOG && !force)
		cmd = chance(t, 2) ? cmd : 6 + below(t, 250);
	valid = force_valid || chance(t, cmd == CVMGUARD_CMD_GET_INFO ? 2 : opt.valid_rate);
	dump = cmd == CVMGUARD_CMD_GET_LOG ? (force_valid || !chance(t, 8))
					    : (!force_valid && chance(t, 10));
	switch (cmd) {
	case CVMGUARD_CMD_EXTEND:
		admin = 1;
		a[n++] = mk_u32(CVMGUARD_A_PCR, base.pcr);
		a[n++] = mk_u32(CVMGUARD_A_EVENT_TYPE, chance(t, 2) ? 0xd : ((uint32_t)rnd(t) | 4));
		a[n] = (struct att){ .type = CVMGUARD_A_EVENT_DATA, .len = 1 + below(t, 64), .big = 1 };
		if (chance(t, 16))
			a[n].len = CVMGUARD_EVENT_DATA_MAX;
		n++;
		break;
	case CVMGUARD_CMD_GET_EVIDENCE:
		admin = 1;
		a[n++] = (struct att){ .type = CVMGUARD_A_USER_DATA, .len = CVMGUARD_USER_DATA_LEN,
				       .big = 1 };
		break;
	case CVMGUARD_CMD_GET_LOG:
		admin = 1;
		has_do = 0;
		has_dump = 1;
		if (!chance(t, 4)) {
			unsigned long cur = atomic_load(&n_logged) + base_events;

			v64 = chance(t, 8) ? rnd(t) : cur > 8 ? cur - below(t, 8) : below(t, 8);
			a[n] = (struct att){ .type = CVMGUARD_A_SEQ, .len = 8 };
			memcpy(a[n++].data, &v64, 8);
		}
		break;
	case CVMGUARD_CMD_GET_INFO:
		break;
	default:
		has_do = 0;
		break;
	}
	if (!valid) {
		int k = 1 + below(t, 3);

		while (k--) {
			switch (below(t, 14)) {
			case 0:		/* drop one */
				if (n) {
					i = below(t, n);
					memmove(&a[i], &a[i + 1], (n - i - 1) * sizeof(a[0]));
					n--;
				}
				break;
			case 1:		/* duplicate one, maybe with another value */
				if (n && n < 10) {
					a[n] = a[below(t, n)];
					if (chance(t, 2) && a[n].len == 4) {
						uint32_t v = chance(t, 2) ? below(t, 30) : (uint32_t)rnd(t);

						memcpy(a[n].data, &v, 4);
					}
					n++;
				}
				break;
			case 2:		/* wrong length */
				if (n) {
					i = below(t, n);
					a[i].len = a[i].big ? (chance(t, 2) ? 0 : CVMGUARD_EVENT_DATA_MAX + 1 +
									    below(t, 60000))
							    : below(t, 9);
					if (a[i].len > 8)
						a[i].big = 1;
				}
				break;
			case 3:		/* another value */
				if (n && !a[i = below(t, n)].big) {
					uint32_t v = chance(t, 2) ? below(t, 40) : (uint32_t)rnd(t);

					memcpy(a[i].data, &v, 4);
					if (chance(t, 3))
						v = 3, memcpy(a[i].data, &v, 4);
				}
				break;
			case 4:		/* an attribute of another type */
				if (n < 10)
					a[n++] = mk_u32(chance(t, 2) ? below(t, CVMGUARD_A_MAX + 4)
								     : below(t, 0x4000), rnd(t));
				break;
			case 5:		/* NLA_F_NESTED on one */
				if (n)
					a[below(t, n)].type |= NLA_F_NESTED;
				break;
			case 6:		/* a nested container, as in replies */
				if (n < 10) {
					a[n] = (struct att){ .type = NLA_F_NESTED | (chance(t, 2) ?
						CVMGUARD_A_DIGESTS : CVMGUARD_A_DIGEST), .len = 8 };
					nla_put(a[n].data, &(size_t){0}, CVMGUARD_A_DIGEST_ALG, "\x0b\0", 2, -1);
					n++;
				}
				break;
			case 7:		/* malformed tail */
				tail = 1 + below(t, 4);
				break;
			case 8:
				dump = !dump;
				break;
			case 9:
				no_req = chance(t, 4);
				break;
			case 10:
				trunc = chance(t, 8);
				break;
			case 11:
				bogus_family = chance(t, 8);
				break;
			case 12:	/* oversized: a big attribute of an unknown type */
				if (n < 10)
					a[n++] = (struct att){ .type = CVMGUARD_A_MAX + 1 + below(t, 100),
							       .len = 1 + below(t, 65000), .big = 1 };
				break;
			default:	/* swap two */
				if (n > 1) {
					struct att x;
					int j = below(t, n);

					i = below(t, n);
					x = a[i], a[i] = a[j], a[j] = x;
				}
				break;
			}
		}
	}

	/* Keep within the message buffer. */
	for (i = 0, len = NLMSG_HDRLEN + GENL_HDRLEN + 16; i < n; i++) {
		len += NLA_ALIGN(NLA_HDRLEN + a[i].len);
		if (len > NLBUF) {
			n = i;
			break;
		}
		if ((a[i].type & NLA_TYPE_MASK) == CVMGUARD_A_DIGESTS ||
		    (a[i].type & NLA_TYPE_MASK) == CVMGUARD_A_DIGEST)
			a[i].big = a[i].len > 8;
	}
	want = nl_want(cmd, a, n, no_req, trunc, bogus_family, dump, tail, admin, has_do, has_dump);
	/* A mutated request that would still extend or fetch a report: spoil most of them. */
	if (!valid && want == 0 && (cmd == CVMGUARD_CMD_EXTEND || cmd == CVMGUARD_CMD_GET_EVIDENCE) &&
	    !chance(t, 8)) {
		tail = 1 + below(t, 4);
		want = nl_want(cmd, a, n, no_req, trunc, bogus_family, dump, tail, admin, has_do,
			       has_dump);
	}

	flags = no_req ? NLM_F_ACK | (dump ? NLM_F_DUMP : 0)
		       : NLM_F_REQUEST | (dump ? NLM_F_DUMP : NLM_F_ACK);
	len = nl_begin(m, bogus_family ? 1024 + below(t, 60000) : base.family, flags, cmd);
	for (i = 0; i < n; i++) {
		const void *d = a[i].big ? (const void *)bigbuf : a[i].data;

		if (cmd == CVMGUARD_CMD_GET_EVIDENCE && a[i].big && a[i].len <= sizeof(ud)) {
			for (unsigned int j = 0; j < sizeof(ud); j++)
				ud[j] = rnd(t);
			d = ud;
		}
		nla_put(m, &len, a[i].type, d, a[i].len, -1);
	}
	if (tail) {	/* after every attribute: nla_len 0-3, past the end, or 1-3 bytes */
		if (tail == 4) {
			memset(m + len, 0xee, 4);
			len += 1 + below(t, 3);
		} else {
			int declared = tail == 3 ? (int)(100 + below(t, 1000)) : (int)below(t, 4);

			nla_put(m, &len, CVMGUARD_A_PCR, "", 0, declared);
		}
	}
	if (trunc)
		len = NLMSG_HDRLEN + below(t, GENL_HDRLEN);
	((struct nlmsghdr *)m)->nlmsg_len = len;

	desc(t, "netlink cmd=%u%s%s%s%s family=%s nattrs=%d tail=%d", cmd, dump ? " dump" : "",
	     no_req ? " no-REQUEST" : "", trunc ? " truncated" : "", valid ? " valid" : "",
	     bogus_family ? "bogus" : "cvmguard", n, tail);
	for (i = 0; i < n; i++) {
		uint32_t v;

		memcpy(&v, a[i].data, 4);
		adesc(t, " [type=0x%x len=%u%s%s]", a[i].type, a[i].len,
		      a[i].len == 4 && !a[i].big ? " v=" : "", "");
		if (a[i].len == 4 && !a[i].big)
			adesc(t, "%u", v);
	}

	memset(&r, 0, sizeof(r));
	if (cmd == CVMGUARD_CMD_GET_LOG && dump && n && last_of(a, n, CVMGUARD_A_SEQ))
		memcpy(&r.seq, last_of(a, n, CVMGUARD_A_SEQ)->data, 8);
	rc = nl_xfer(t, t->nl, m, len, 1,
		     (cmd == CVMGUARD_CMD_GET_LOG && dump && !want && !no_req) ? cb_log : cb_reply, &r);
	if (rc == -EAGAIN && opt.oracle && !opt.faults)
		violation(t, "no answer to a netlink request");
	if (rc == -EAGAIN || rc == -ENOBUFS || rc == -ENOMEM) {
		/* A lost answer may leave a dump running on the socket: start afresh. */
		close(t->nl);
		t->nl = nl_socket(opt.faults ? 60 : 120);
		/* Under failslab the new socket may fail (ENOMEM, ENFILE): retry. */
		for (int i = 0; t->nl < 0 && opt.faults && i < 100; i++) {
			usleep(1000);
			t->nl = nl_socket(60);
		}
		if (t->nl < 0)
			violation(t, "cannot reopen the netlink socket: %s", strerror(errno));
	}
	if (want == -EPERM && rc == -EOPNOTSUPP)
		want = rc;
	if (cmd == CVMGUARD_CMD_GET_EVIDENCE && want == 0 && rc == -ETIMEDOUT)
		return;
	if (cmd == CVMGUARD_CMD_EXTEND && want == 0 && rc && fault_errno(rc))
		atomic_fetch_add(&n_uncertain, 1);	/* the reply or ack may be what was lost */
	expect_rc(t, rc, want, want == 0 || rc == -ENOBUFS || rc == -ENOMEM);
	if (rc)
		return;
	if (no_req || !opt.oracle) {
		if (r.n && opt.oracle)
			violation(t, "a message without NLM_F_REQUEST was answered");
		return;
	}
	switch (cmd) {
	case CVMGUARD_CMD_EXTEND:
		if (r.n != 1 || r.bad || !r.have_seq)
			violation(t, "EXTEND reply malformed (%d messages)", r.n);
		atomic_fetch_add(&n_logged, 1);
		atomic_fetch_add(&n_extend_ok, 1);
		record_seq(t, r.seq);
		break;
	case CVMGUARD_CMD_GET_INFO:
		if (r.n != 1 || r.bad || r.u32[CVMGUARD_A_ABI_VERSION] != CVMGUARD_ABI_VERSION ||
		    r.u32[CVMGUARD_A_INFO_FLAGS] != base.info.flags ||
		    r.u32[CVMGUARD_A_PCR_BANKS] != base.info.pcr_banks ||
		    r.u32[CVMGUARD_A_BACKEND] != base.info.backend ||
		    strcmp(r.version, base.info.module_version))
			violation(t, "GET_INFO reply differs from the ioctl's");
		break;
	case CVMGUARD_CMD_GET_EVIDENCE:
		if (r.n != 1 || r.bad || r.report_len != base.ev_size ||
		    (r.u32[CVMGUARD_A_REPORT_TYPE] != CVMGUARD_REPORT_SNP &&
		     r.u32[CVMGUARD_A_REPORT_TYPE] != CVMGUARD_REPORT_TDX))
			violation(t, "GET_EVIDENCE reply: report %zu bytes (want %u)", r.report_len,
				  base.ev_size);
		atomic_fetch_add(&n_evidence_ok, 1);
		break;
	case CVMGUARD_CMD_GET_LOG:
		atomic_fetch_add(&n_dumps, 1);
		break;
	}
}

/* The measure group: announcements arrive in log order, without a gap unless lost. */
static void drain_watch(struct thr *t)
{
	ssize_t n;

	if (t->watch < 0)
		return;
	desc(t, "drain the measure-group listener");
	for (;;) {
		struct nlmsghdr *r;

		n = recv(t->watch, t->rbuf, RBUF, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == ENOBUFS) {
				t->watch_lost = 1;	/* overrun: a gap is allowed */
				continue;
			}
			break;
		}
		for (r = (struct nlmsghdr *)t->rbuf; NLMSG_OK(r, (size_t)n); r = NLMSG_NEXT(r, n)) {
			struct reply one;

			memset(&one, 0, sizeof(one));
			if (r->nlmsg_type != base.family || nla_each(r, reply_attr, &one) ||
			    !one.have_seq)
				violation(t, "malformed EVENT notification");
			atomic_fetch_add(&n_heard, 1);
			if (opt.oracle && t->watch_last &&
			    (one.seq < t->watch_last ||
			     (one.seq != t->watch_last && !t->watch_lost && !opt.faults)))
				violation(t, "measure group: seq %" PRIu64 " after %" PRIu64 " with no overrun",
					  one.seq, t->watch_last - 1);
			t->watch_last = one.seq + 1;
			t->watch_lost = 0;
		}
	}
}

/* --- driver -------------------------------------------------------------- */

static void set_proc(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (write(fd, val, strlen(val)) < 0)
			fprintf(stderr, "cvmg-fuzz: %s: %s\n", path, strerror(errno));
		close(fd);
	}
}

static int thr_setup(struct thr *t)
{
	int mfd;

	t->rng = opt.seed ^ ((uint64_t)(t->id + 1) << 40);
	t->rng = splitmix(&t->rng) | 1;
	t->area = mmap(NULL, 7 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mfd = memfd_create("cvmg-fuzz-ro", MFD_CLOEXEC);
	if (t->area == MAP_FAILED || mfd < 0 || ftruncate(mfd, 5 * PAGE))
		return -1;
	if (mprotect(t->area + PAGE, PAGE, PROT_NONE) || mprotect(t->area + 6 * PAGE, PAGE, PROT_NONE))
		return -1;
	t->ro = mmap(NULL, 5 * PAGE, PROT_READ, MAP_SHARED, mfd, 0);
	t->ro_w = mmap(NULL, 5 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	close(mfd);
	t->rbuf = malloc(RBUF);
	t->msg = malloc(NLBUF);
	if (t->ro == MAP_FAILED || t->ro_w == MAP_FAILED || !t->rbuf || !t->msg)
		return -1;
	t->fd_rw = open_dev(O_RDWR);
	if (t->fd_rw < 0)
		t->fd_rw = open_dev(O_RDONLY);	/* EXTEND then answers EBADF */
	t->fd_ro = open_dev(O_RDONLY);
	t->nl = nl_socket(opt.faults ? 60 : 120);
	t->watch = -1;
	if (base.nl_admin && base.mcgrp && t->id % 2 == 0) {
		t->watch = nl_socket(1);
		if (setsockopt(t->watch, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &base.mcgrp,
			       sizeof(base.mcgrp))) {
			close(t->watch);
			t->watch = -1;
		}
	}
	return t->fd_ro < 0 || t->nl < 0 ? -1 : 0;
}

static void one_op(struct thr *t)
{
	unsigned int r = below(t, 100);

	if (opt.mode == M_IOCTL || (opt.mode == M_ALL && r < 55)) {
		r = below(t, 100);
		if (r < 22)
			op_info(t);
		else if (r < 55)
			op_extend(t, 0);
		else if (r < 63)
			op_evidence(t, 0);
		else if (r < 80)
			op_badcmd(t);
		else if (r < 90)
			op_fops(t);
		else
			op_logread(t);
	} else {
		op_netlink(t, 0, 0);
	}
	if (t->watch >= 0 && chance(t, 64))
		drain_watch(t);
}

static void *worker(void *arg)
{
	struct thr *t = arg;
	unsigned long per = opt.ops / opt.threads + (t->id < (int)(opt.ops % opt.threads));

	if (opt.faults)
		set_proc("/proc/thread-self/make-it-fail", "1");
	for (t->op = 0; t->op < per && !atomic_load(&stop); t->op++) {
		one_op(t);
		atomic_fetch_add(&n_ops, 1);
	}
	if (opt.faults)
		set_proc("/proc/thread-self/make-it-fail", "0");
	drain_watch(t);
	return NULL;
}

/* Systematic fault injection: fail the 1st, 2nd, ... slab allocation of each op. */
static void fail_nth_phase(struct thr *t)
{
	static const char *const names[] = { "ioctl EXTEND", "netlink EXTEND", "ioctl GET_EVIDENCE",
					     "netlink GET_EVIDENCE", "netlink GET_LOG dump",
					     "log read", "netlink GET_INFO", "reopen" };
	unsigned int kind, nth;
	char b[32];
	int fd;

	opt.faults = 1;
	fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		printf("cvmg-fuzz: no /proc/thread-self/fail-nth (CONFIG_FAULT_INJECTION off): "
		       "no systematic fault injection\n");
		return;
	}
	for (kind = 0; kind < 8; kind++) {
		unsigned long before = atomic_load(&n_faults);

		for (nth = 1; nth <= (unsigned int)opt.fail_nth; nth++) {
			ssize_t n;

			t->op++;
			snprintf(b, sizeof(b), "%u", nth);
			if (pwrite(fd, b, strlen(b), 0) < 0)
				break;
			switch (kind) {
			case 0: if (base.may_extend) op_extend(t, 1); break;
			case 1: if (base.nl_admin) op_netlink(t, CVMGUARD_CMD_EXTEND, 1); break;
			case 2: op_evidence(t, 1); break;
			case 3: if (base.nl_admin) op_netlink(t, CVMGUARD_CMD_GET_EVIDENCE, 1); break;
			case 4: if (base.nl_admin) op_netlink(t, CVMGUARD_CMD_GET_LOG, 1); break;
			case 5: op_logread(t); break;
			case 6: op_netlink(t, CVMGUARD_CMD_GET_INFO, 1); break;
			default: op_fops(t); break;
			}
			n = pread(fd, b, sizeof(b) - 1, 0);
			b[n > 0 ? n : 0] = 0;
			pwrite(fd, "0", 1, 0);
			atomic_fetch_add(&n_ops, 1);
			if (atoi(b) != 0)
				break;	/* not reached: the op made fewer allocations */
			atomic_fetch_add(&n_faults, 1);
		}
		if (!opt.quiet)
			printf("cvmg-fuzz: fail-nth %s: %lu allocation faults\n", names[kind],
			       atomic_load(&n_faults) - before);
	}
	close(fd);
}

static unsigned int read_param(const char *name, unsigned int dflt)
{
	char path[128], b[32];
	int fd, n;

	snprintf(path, sizeof(path), "/sys/module/cvmguard/parameters/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return dflt;
	n = read(fd, b, sizeof(b) - 1);
	close(fd);
	if (n <= 0)
		return dflt;
	b[n] = 0;
	if (b[0] == 'Y')
		return 1;
	if (b[0] == 'N')
		return 0;
	return strtoul(b, NULL, 0);
}

/* Family id and the measure group's id from the controller. */
static int resolve_family(struct thr *t)
{
	uint8_t *m = t->msg;
	size_t len = nl_begin(m, GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, CTRL_CMD_GETFAMILY);
	const uint8_t *p;
	struct nlmsghdr *h;
	ssize_t n;
	int rc;

	nla_put(m, &len, CTRL_ATTR_FAMILY_NAME, CVMGUARD_GENL_NAME, sizeof(CVMGUARD_GENL_NAME), -1);
	((struct nlmsghdr *)m)->nlmsg_len = len;
	((struct nlmsghdr *)m)->nlmsg_seq = 1;
	if (send(t->nl, m, len, 0) < 0)
		return -errno;
	n = recv(t->nl, t->rbuf, RBUF, 0);
	if (n < 0)
		return -errno;
	h = (struct nlmsghdr *)t->rbuf;
	if (!NLMSG_OK(h, (size_t)n) || h->nlmsg_type == NLMSG_ERROR)
		return h->nlmsg_type == NLMSG_ERROR ? ((struct nlmsgerr *)NLMSG_DATA(h))->error : -EPROTO;
	p = (const uint8_t *)NLMSG_DATA(h) + GENL_HDRLEN;
	n = h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	while (n >= NLA_HDRLEN) {
		const struct nlattr *a = (const void *)p;

		if (a->nla_len < NLA_HDRLEN)
			break;
		if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_FAMILY_ID)
			memcpy(&base.family, p + NLA_HDRLEN, 2);
		if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_MCAST_GROUPS) {
			/* nested: one nest per group holding NAME (1) and ID (2) */
			const uint8_t *g = p + NLA_HDRLEN, *end = p + a->nla_len;

			while (g + NLA_HDRLEN <= end) {
				const struct nlattr *ga = (const void *)g;
				const uint8_t *q = g + NLA_HDRLEN, *qe = g + ga->nla_len;
				uint32_t id = 0;
				int match = 0;

				if (ga->nla_len < NLA_HDRLEN)
					break;
				while (q + NLA_HDRLEN <= qe) {
					const struct nlattr *qa = (const void *)q;

					if (qa->nla_len < NLA_HDRLEN)
						break;
					if (qa->nla_type == CTRL_ATTR_MCAST_GRP_NAME &&
					    !strcmp((const char *)q + NLA_HDRLEN, CVMGUARD_MCGRP_MEASURE))
						match = 1;
					if (qa->nla_type == CTRL_ATTR_MCAST_GRP_ID)
						memcpy(&id, q + NLA_HDRLEN, 4);
					q += NLA_ALIGN(qa->nla_len);
				}
				if (match)
					base.mcgrp = id;
				g += NLA_ALIGN(ga->nla_len);
			}
		}
		n -= NLA_ALIGN(a->nla_len);
		p += NLA_ALIGN(a->nla_len);
	}
	rc = recv(t->nl, t->rbuf, RBUF, 0);	/* the ack */
	(void)rc;
	return base.family ? 0 : -ENOENT;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* --- churn: load that survives the module coming and going ----------------- */

/*
 * --churn SECONDS: no oracle, only load for unload tests. Thread i plays role i % 5:
 * ioctl evidence, ioctl extend, netlink (family looked up afresh each time; extend,
 * evidence, GET_LOG dump), a measure-group listener, a securityfs log reader. Each
 * opens what it needs per round and closes it, so the module is often held and
 * often free. Errors from a module that is gone (ENOENT, ENODEV...) are expected.
 */
static void *churn_worker(void *arg)
{
	struct thr *t = arg;
	double end = *(double *)t->desc;
	uint8_t report[8192];
	unsigned long n = 0;

	while (!atomic_load(&stop)) {
		struct timespec ts;
		int fd, s;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		if (ts.tv_sec + ts.tv_nsec / 1e9 > end)
			break;
		switch (t->id % 5) {
		case 0: {
			struct cvmguard_evidence ev = { .report = (uintptr_t)report,
							.report_len = sizeof(report) };

			fd = open_dev(O_RDONLY);
			if (fd >= 0) {
				ioctl(fd, CVMGUARD_IOC_GET_EVIDENCE, &ev);
				close(fd);
			}
			break;
		}
		case 1: {
			struct cvmguard_extend e = { .pcr = 13, .event_type = 0xd,
						     .data = (uintptr_t)"churn", .data_len = 5 };

			fd = open_dev(O_RDWR);
			if (fd >= 0) {
				ioctl(fd, CVMGUARD_IOC_EXTEND, &e);
				close(fd);
			}
			break;
		}
		case 2: {
			uint8_t ud[CVMGUARD_USER_DATA_LEN] = { 1 };
			uint32_t v;
			size_t len;

			t->nl = nl_socket(5);
			base.family = 0;
			if (t->nl >= 0 && !resolve_family(t)) {
				switch (n % 3) {
				case 0:
					len = nl_begin(t->msg, base.family, NLM_F_REQUEST | NLM_F_ACK,
						       CVMGUARD_CMD_EXTEND);
					v = 13;
					nla_put(t->msg, &len, CVMGUARD_A_PCR, &v, 4, -1);
					v = 0xd;
					nla_put(t->msg, &len, CVMGUARD_A_EVENT_TYPE, &v, 4, -1);
					nla_put(t->msg, &len, CVMGUARD_A_EVENT_DATA, "churn-nl", 8, -1);
					break;
				case 1:
					len = nl_begin(t->msg, base.family, NLM_F_REQUEST | NLM_F_ACK,
						       CVMGUARD_CMD_GET_EVIDENCE);
					nla_put(t->msg, &len, CVMGUARD_A_USER_DATA, ud, sizeof(ud), -1);
					break;
				default:
					len = nl_begin(t->msg, base.family, NLM_F_REQUEST | NLM_F_DUMP,
						       CVMGUARD_CMD_GET_LOG);
					break;
				}
				((struct nlmsghdr *)t->msg)->nlmsg_len = len;
				nl_xfer(t, t->nl, t->msg, len, 1, NULL, NULL);
			}
			if (t->nl >= 0)
				close(t->nl);
			break;
		}
		case 3:
			s = nl_socket(1);
			base.mcgrp = 0;
			t->nl = s;
			if (s >= 0 && !resolve_family(t) && base.mcgrp &&
			    !setsockopt(s, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &base.mcgrp,
					sizeof(base.mcgrp)))
				recv(s, t->rbuf, RBUF, 0);
			if (s >= 0)
				close(s);
			break;
		default:
			fd = open(n % 2 ? SFS_BIN : SFS_ASCII, O_RDONLY | O_CLOEXEC);
			if (fd >= 0) {	/* one read: the whole log takes ever longer */
				if (read(fd, t->rbuf, 512 + n % 4096) < 0)
					n++;
				close(fd);
			}
			break;
		}
		n++;
		atomic_fetch_add(&n_ops, 1);
		usleep(20000);	/* leave the CPU, and a moment without a reference, to rmmod */
	}
	return NULL;
}

static void on_term(int sig)
{
	(void)sig;
	atomic_store(&stop, 1);
}

static int churn(double seconds)
{
	struct thr *th = calloc(opt.threads, sizeof(*th));
	double end = now() + seconds;
	struct sigaction sa = { .sa_handler = on_term };
	int i;

	sigaction(SIGTERM, &sa, NULL);	/* no SA_RESTART: blocked receives return */

	for (i = 0; i < opt.threads; i++) {
		th[i].id = i;
		th[i].rbuf = malloc(RBUF);
		th[i].msg = malloc(NLBUF);
		memcpy(th[i].desc, &end, sizeof(end));
		pthread_create(&th[i].tid, NULL, churn_worker, &th[i]);
	}
	for (i = 0; i < opt.threads; i++)
		pthread_join(th[i].tid, NULL);
	printf("cvmg-fuzz: churn: %lu rounds in %.0f s\n", atomic_load(&n_ops),
	       now() - end + seconds);
	printf("figures: ops=%lu faults=0 violations=0\n", atomic_load(&n_ops));
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: cvmg-fuzz [--seed N] [--ops N] [--threads N] "
		"[--mode ioctl|netlink|all] [--oracle] [--faults] [--fail-nth N] "
		"[--valid-rate N] [--unprivileged] [--quiet] [--trace] | --churn SECONDS [--threads N]\n");
	exit(2);
}


int main(int argc, char **argv)
{
	struct thr *th, *t0;
	unsigned long logged_before = 0;
	uint64_t s0 = 0, s1 = 0;
	int i, have_s0 = 0;
	double t_start, el;
	unsigned int j, ns;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--oracle")) { opt.oracle = 1; continue; }
		if (!strcmp(a, "--faults")) { opt.faults = 1; continue; }
		if (!strcmp(a, "--quiet")) { opt.quiet = 1; continue; }
		if (!strcmp(a, "--trace")) { opt.trace = 1; continue; }
		if (!strcmp(a, "--unprivileged")) { opt.unpriv = 1; continue; }
		if (!v)
			usage();
		i++;
		if (!strcmp(a, "--seed"))
			opt.seed = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--ops"))
			opt.ops = strtoul(v, NULL, 0);
		else if (!strcmp(a, "--threads"))
			opt.threads = atoi(v);
		else if (!strcmp(a, "--fail-nth"))
			opt.fail_nth = atoi(v);
		else if (!strcmp(a, "--churn"))
			opt.churn = atoi(v);
		else if (!strcmp(a, "--valid-rate"))
			opt.valid_rate = strtoul(v, NULL, 0);
		else if (!strcmp(a, "--mode"))
			opt.mode = !strcmp(v, "ioctl") ? M_IOCTL : !strcmp(v, "netlink") ? M_NETLINK :
				   !strcmp(v, "all") ? M_ALL : (usage(), 0);
		else
			usage();
	}
	if (opt.threads < 1 || opt.threads > 64 || !opt.valid_rate)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (opt.churn)
		return churn(opt.churn);
	/*
	 * Under fault injection, page in and lock everything first: a page fault
	 * in a faulting thread would read the binary or a library from the
	 * guest's 9p root, and a failed 9p allocation there broke every later
	 * exec of that guest (EINVAL) on the debug kernel.
	 */
	if ((opt.faults || opt.fail_nth > 0) && mlockall(MCL_CURRENT | MCL_FUTURE))
		fprintf(stderr, "cvmg-fuzz: mlockall: %s (faults may reach 9p)\n", strerror(errno));
	printf("cvmg-fuzz: seed=%" PRIu64 " ops=%lu threads=%d mode=%s oracle=%d faults=%d\n",
	       opt.seed, opt.ops, opt.threads,
	       opt.mode == M_IOCTL ? "ioctl" : opt.mode == M_NETLINK ? "netlink" : "all",
	       opt.oracle, opt.faults);
	for (j = 0; j < sizeof(bigbuf); j++)
		bigbuf[j] = j * 7 + 1;
	seqs = calloc(MAX_SEQS, sizeof(*seqs));
	th = calloc(opt.threads + 1, sizeof(*th));
	if (!seqs || !th)
		return 2;

	/* The baseline: what the module says before we start. */
	base.allowed_pcrs = read_param("allowed_pcrs", 1u << 13);
	base.pcr = read_param("default_pcr", 13);
	base.may_extend = (geteuid() == 0 && !opt.unpriv) || read_param("allow_group_extend", 0);
	base.nl_admin = geteuid() == 0 && !opt.unpriv;
	base.have_sfs = access(SFS_BIN, R_OK) == 0;
	t0 = &th[opt.threads];
	t0->id = -1;
	if (thr_setup(t0)) {
		fprintf(stderr, "cvmg-fuzz: setup: %s (is the module loaded?)\n", strerror(errno));
		return 2;
	}
	if (xioctl(t0->fd_ro, CVMGUARD_IOC_GET_INFO, (uintptr_t)&base.info)) {
		fprintf(stderr, "cvmg-fuzz: GET_INFO failed: %s\n", strerror(errno));
		return 2;
	}
	if (resolve_family(t0)) {
		fprintf(stderr, "cvmg-fuzz: no cvmguard netlink family\n");
		return 2;
	}
	{
		static uint8_t report[16384];
		struct cvmguard_evidence ev = { .report = (uintptr_t)report,
						.report_len = sizeof(report) };

		for (i = 0; i < 3; i++) {
			ev.report_len = sizeof(report);
			base.ev_err = xioctl(t0->fd_rw, CVMGUARD_IOC_GET_EVIDENCE, (uintptr_t)&ev);
			if (!fault_errno(base.ev_err))
				break;
		}
		base.ev_size = ev.report_len;
	}
	if (base.may_extend && (base.info.flags & CVMGUARD_INFO_TPM)) {
		struct cvmguard_extend e = { .pcr = base.pcr, .event_type = 0xd,
					     .data = (uintptr_t)"cvmg-fuzz start", .data_len = 15 };

		if (xioctl(t0->fd_rw, CVMGUARD_IOC_EXTEND, (uintptr_t)&e) == 0) {
			s0 = e.seq;
			have_s0 = 1;
			base_events = s0 + 1;
		}
	}
	printf("cvmg-fuzz: module %.32s banks 0x%x backend %u tpm %d; evidence %s (%u bytes); "
	       "extend %s; family %u group %u; allowed_pcrs 0x%x\n",
	       base.info.module_version, base.info.pcr_banks, base.info.backend,
	       !!(base.info.flags & CVMGUARD_INFO_TPM), ename(base.ev_err), base.ev_size,
	       base.may_extend ? "allowed" : "refused", base.family, base.mcgrp, base.allowed_pcrs);

	t_start = now();
	for (i = 0; i < opt.threads; i++) {
		th[i].id = i;
		if (thr_setup(&th[i])) {
			fprintf(stderr, "cvmg-fuzz: thread setup: %s\n", strerror(errno));
			return 2;
		}
	}
	for (i = 0; i < opt.threads; i++)
		if (pthread_create(&th[i].tid, NULL, worker, &th[i]))
			return 2;
	for (i = 0; i < opt.threads; i++)
		pthread_join(th[i].tid, NULL);
	el = now() - t_start;

	if (opt.fail_nth > 0)
		fail_nth_phase(t0);

	/* Final checks: the module still answers as it did, and the log count adds up. */
	t0->op = 0;
	desc(t0, "final GET_INFO");
	{
		struct cvmguard_info info;

		memset(&info, 0, sizeof(info));
		if (xioctl(t0->fd_ro, CVMGUARD_IOC_GET_INFO, (uintptr_t)&info))
			violation(t0, "final GET_INFO failed: %s", strerror(errno));
		check_info(t0, &info);
		op_netlink(t0, CVMGUARD_CMD_GET_INFO, 1);
	}
	if (have_s0) {
		struct cvmguard_extend e = { .pcr = base.pcr, .event_type = 0xd,
					     .data = (uintptr_t)"cvmg-fuzz end", .data_len = 13 };
		unsigned long lo = atomic_load(&n_logged), hi = lo + atomic_load(&n_uncertain);

		desc(t0, "final EXTEND");
		if (xioctl(t0->fd_rw, CVMGUARD_IOC_EXTEND, (uintptr_t)&e))
			violation(t0, "final EXTEND failed: %s", strerror(errno));
		s1 = e.seq;
		logged_before = s1 - s0 - 1;
		if (opt.oracle && (logged_before < lo || logged_before > hi))
			violation(t0, "the log gained %lu events, but %lu to %lu extends succeeded",
				  logged_before, lo, hi);
		ns = atomic_load(&n_seqs);
		if (ns > MAX_SEQS)
			ns = MAX_SEQS;
		if (opt.oracle) {
			uint8_t *seen = calloc(s1 - s0 + 1, 1);

			for (j = 0; j < ns; j++) {
				if (seqs[j] <= s0 || seqs[j] >= s1)
					violation(t0, "EXTEND returned seq %" PRIu64 " outside (%" PRIu64
						  ", %" PRIu64 ")", seqs[j], s0, s1);
				if (seen[seqs[j] - s0]++)
					violation(t0, "EXTEND returned seq %" PRIu64 " twice", seqs[j]);
			}
			free(seen);
		}
	}
	printf("cvmg-fuzz: %lu ops in %.1f s (%.0f ops/s): %lu netlink messages, %lu extend ioctls, "
	       "%lu extends ok, %lu events logged (%lu uncertain), %lu reports, %lu dumps, "
	       "%lu notifications heard\n",
	       atomic_load(&n_ops), el, el > 0 ? atomic_load(&n_ops) / el : 0.0,
	       atomic_load(&n_nl), atomic_load(&n_ioctl), atomic_load(&n_extend_ok),
	       have_s0 ? logged_before : atomic_load(&n_logged), atomic_load(&n_uncertain),
	       atomic_load(&n_evidence_ok), atomic_load(&n_dumps), atomic_load(&n_heard));
	printf("figures: ops=%lu faults=%lu violations=0\n", atomic_load(&n_ops),
	       atomic_load(&n_faults));
	return 0;
}
