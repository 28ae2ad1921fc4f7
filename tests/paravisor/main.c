// SPDX-License-Identifier: GPL-2.0
/*
 * cvmguard-paravisor: a test stand-in for the Azure paravisor, placed between
 * QEMU's "-tpmdev emulator" and swtpm.  See Documentation/paravisor.rst.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "pv.h"

struct pv_state pv = { .tpm_fd = -1 };
volatile sig_atomic_t pv_stop, pv_reload;

static void usage(FILE *f)
{
	fputs(
"usage: cvmguard-paravisor --listen PATH --swtpm-ctrl PATH [options]\n"
"  --listen PATH        unix socket QEMU's -chardev socket,path=PATH connects to\n"
"  --swtpm-ctrl PATH    swtpm's --ctrl type=unixio,path=PATH\n"
"  --mode snp|tdx       hardware report kind (default snp)\n"
"  --refresh on-read|on-write  when a new report is made (default on-read, as\n"
"                       OpenHCL: on an NV_Read of 0x01400001 at offset 0, at most\n"
"                       once per --refresh-interval-ms; on-write: --delay-ms after\n"
"                       the user-data write)\n"
"  --refresh-interval-ms N  on-read rate limit (default 2000, OpenHCL's)\n"
"  --tear[=N|on|off]    renew the report between two chunks of a read: on-read,\n"
"                       another reader's offset-0 read after ours was served the\n"
"                       old report; on-write, the pending renewal; N: the next N\n"
"                       times, on (no N): always\n"
"  --claims-style openhcl|hcl  runtime claims as OpenHCL writes them (default) or\n"
"                       as the Windows HCL of the real Azure reports\n"
"  --header-version N   HCL header version (default 2, OpenHCL's; 1 as the real\n"
"                       SNP vector)\n"
"  --delay-ms N         on-write: a new report N ms after the user-data write (0)\n"
"  --config FILE        key=value report values; re-read on SIGHUP\n"
"  --runtime FILE       also re-read on SIGHUP: report values, delay-ms=N,\n"
"                       refresh=, refresh-interval-ms=, tear=, nv-size=N (the\n"
"                       size NV_ReadPublic gives the report index, up to 65535;\n"
"                       past the report it reads as zeros; 0: the style's),\n"
"                       fail=, drop=, delay-cmd= (as the options; they replace\n"
"                       the command line's faults), faults=none; writes\n"
"                       FILE.applied (ok or error) once done\n"
"  --chain-out FILE     write the VCEK, ASK, ARK certificates (PEM) here\n"
"  --keys-dir DIR       cache ARK/ASK/VCEK keys here across runs\n"
"  --log FILE           log every command and response (hex, timestamped)\n"
"  --fail CC[:RC][:COUNT]  answer command CC with RC (default 0x101) COUNT\n"
"                       times (default: always); CC by number or name (NV_Read)\n"
"  --drop CC[:COUNT]    swallow the response to CC\n"
"  --delay-cmd CC:MS[:COUNT]  hold the response to CC for MS milliseconds\n"
"  --pidfile FILE       write the pid here\n"
"  --daemon             detach once listening and the chain is written\n"
"  -h, --help           this text\n", f);
}

static int parse_cc(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (*s && !*end) {
		*out = (uint32_t)v;
		return 0;
	}
	if (!strncasecmp(s, "TPM2_", 5))
		s += 5;
	for (uint32_t cc = 0x11F; cc <= 0x1A0; cc++)
		if (!strcasecmp(tpm_cc_name(cc), s)) {
			*out = cc;
			return 0;
		}
	fprintf(stderr, "unknown command code '%s'\n", s);
	return -1;
}

/* CC[:RC][:COUNT], CC[:COUNT] or CC:MS[:COUNT] by kind; -1 with a message if bad */
static int parse_fault(int kind, const char *spec, struct pv_fault *f)
{
	char buf[128], *save = NULL, *a, *b, *c;

	snprintf(buf, sizeof(buf), "%s", spec);
	a = strtok_r(buf, ":", &save);
	b = strtok_r(NULL, ":", &save);
	c = strtok_r(NULL, ":", &save);
	if (!a) {
		fprintf(stderr, "empty fault spec\n");
		return -1;
	}
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->rc = 0x101;
	f->count = -1;
	if (parse_cc(a, &f->cc))
		return -1;
	switch (kind) {
	case F_FAIL:
		if (b && *b)
			f->rc = strtoul(b, NULL, 0);
		if (c)
			f->count = atoi(c);
		break;
	case F_DROP:
		if (b)
			f->count = atoi(b);
		break;
	case F_DELAY:
		if (!b) {
			fprintf(stderr, "a delay needs CC:MS\n");
			return -1;
		}
		f->ms = strtoul(b, NULL, 0);
		if (c)
			f->count = atoi(c);
		break;
	}
	return 0;
}

static void add_fault(int kind, const char *arg)
{
	if (pv.o.nfaults >= PV_MAX_FAULTS)
		die("too many faults");
	if (parse_fault(kind, arg, &pv.o.faults[pv.o.nfaults]))
		die("bad fault spec '%s'", arg);
	pv.o.nfaults++;
}

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		pv_reload = 1;
	else
		pv_stop = 1;
}

/*
 * What --runtime can set besides the report values: the report delay and the
 * faults. The first fault line replaces the command line's faults; "faults=none"
 * clears them.
 */
struct runtime {
	unsigned int delay_ms;
	enum pv_refresh refresh;
	int interval_ms;
	unsigned int tear;
	unsigned int nv_size;
	struct pv_fault faults[PV_MAX_FAULTS];
	int nfaults;
	bool faults_set;
};

static int parse_refresh(const char *v, enum pv_refresh *r)
{
	if (!strcmp(v, "on-read"))
		*r = PV_REFRESH_ON_READ;
	else if (!strcmp(v, "on-write"))
		*r = PV_REFRESH_ON_WRITE;
	else
		return -1;
	return 0;
}

/* on, off, or a count */
static int parse_tear(const char *v, unsigned int *t)
{
	char *end;
	unsigned long n;

	if (!v || !strcmp(v, "on")) {
		*t = UINT_MAX;
		return 0;
	}
	if (!strcmp(v, "off")) {
		*t = 0;
		return 0;
	}
	n = strtoul(v, &end, 10);
	if (!*v || *end || n >= UINT_MAX)
		return -1;
	*t = n;
	return 0;
}

static int parse_ms(const char *v, int *ms)
{
	char *end;
	unsigned long n = strtoul(v, &end, 10);

	if (!*v || *end || n > 600000)
		return -1;
	*ms = (int)n;
	return 0;
}

unsigned int pv_default_interval(enum pv_refresh r)
{
	return r == PV_REFRESH_ON_READ ? 2000 : 0;
}

static int runtime_key(const char *k, const char *v, void *arg)
{
	struct runtime *rt = arg;
	int kind;

	if (!strcmp(k, "refresh"))
		return parse_refresh(v, &rt->refresh);
	if (!strcmp(k, "refresh-interval-ms"))
		return parse_ms(v, &rt->interval_ms);
	if (!strcmp(k, "tear"))
		return parse_tear(v, &rt->tear);
	if (!strcmp(k, "nv-size")) {
		/* the size NV_ReadPublic gives the report index (0: the style's) */
		char *end;
		unsigned long n = strtoul(v, &end, 0);

		if (!*v || *end || n > 0xffff || (n && n < PV_NV_SIZE_HCL))
			return -1;
		rt->nv_size = (unsigned int)n;
		return 0;
	}

	if (!strcmp(k, "delay-ms")) {
		char *end;

		rt->delay_ms = strtoul(v, &end, 0);
		return *v && !*end ? 0 : -1;
	}
	if (!strcmp(k, "faults")) {
		if (strcmp(v, "none"))
			return -1;
		rt->nfaults = 0;
		rt->faults_set = true;
		return 0;
	}
	if (!strcmp(k, "fail"))
		kind = F_FAIL;
	else if (!strcmp(k, "drop"))
		kind = F_DROP;
	else if (!strcmp(k, "delay-cmd"))
		kind = F_DELAY;
	else
		return 1;
	if (!rt->faults_set) {
		rt->nfaults = 0;
		rt->faults_set = true;
	}
	if (rt->nfaults >= PV_MAX_FAULTS)
		return -1;
	if (parse_fault(kind, v, &rt->faults[rt->nfaults]))
		return -1;
	rt->nfaults++;
	return 0;
}

/* Tell whoever sent SIGHUP (tests/vm/run) that the settings are in force. */
static void runtime_status(const char *status)
{
	char tmp[4200], path[4100];
	FILE *f;

	snprintf(path, sizeof(path), "%.4000s.applied", pv.o.runtime);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return;
	fprintf(f, "%s\n", status);
	if (fclose(f) == 0)
		rename(tmp, path);
}

/*
 * The report values from --config, then everything --runtime overrides; all or
 * nothing.
 */
static int load_settings(void)
{
	struct runtime rt = { .delay_ms = pv.o.delay_ms, .refresh = pv.o.refresh,
			      .interval_ms = pv.o.interval_ms, .tear = pv.o.tear };
	struct pv_config c;

	config_defaults(&c);
	if (pv.o.config && config_load(&c, pv.o.config, NULL, NULL))
		return -1;
	if (pv.o.runtime && access(pv.o.runtime, F_OK) == 0 &&
	    config_load(&c, pv.o.runtime, runtime_key, &rt))
		return -1;
	pv.cfg = c;
	pv.delay_ms = rt.delay_ms;
	if (pv.refresh != rt.refresh)
		pv.pending = false;
	pv.refresh = rt.refresh;
	pv.interval_ms = rt.interval_ms >= 0 ? (unsigned int)rt.interval_ms :
			 pv_default_interval(rt.refresh);
	pv.tear = rt.tear;
	pv.nv_size = rt.nv_size ? rt.nv_size :
		     pv.o.style == PV_STYLE_OPENHCL ? PV_NV_SIZE_OPENHCL : PV_NV_SIZE_HCL;
	if (rt.faults_set) {
		memcpy(pv.faults, rt.faults, sizeof(rt.faults));
		pv.nfaults = rt.nfaults;
	} else {
		memcpy(pv.faults, pv.o.faults, sizeof(pv.o.faults));
		pv.nfaults = pv.o.nfaults;
	}
	return 0;
}

static const char *tear_str(void)
{
	static char b[16];

	if (pv.tear == UINT_MAX)
		return "on";
	if (!pv.tear)
		return "off";
	snprintf(b, sizeof(b), "%u", pv.tear);
	return b;
}

void pv_do_reload(void)
{
	pv_reload = 0;
	if (load_settings()) {
		pv_log("SIGHUP: settings invalid, keeping the old ones");
		if (pv.o.runtime)
			runtime_status("error");
		return;
	}
	certs_setup();
	pv_log("SIGHUP: settings reloaded (delay %u ms, %d fault rule(s), refresh %s, interval %u ms, tear %s); next report uses them; index %u bytes",
	       pv.delay_ms, pv.nfaults, pv.refresh == PV_REFRESH_ON_READ ? "on-read" : "on-write",
	       pv.interval_ms, tear_str(), pv.nv_size);
	if (pv.o.runtime)
		runtime_status("ok");
}

static int listen_unix(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(a.sun_path))
		die("socket path too long: %s", path);
	strcpy(a.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 1))
		die("cannot listen on %s: %m", path);
	return fd;
}

static int connect_unix(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };

	if (strlen(path) >= sizeof(a.sun_path))
		die("socket path too long: %s", path);
	strcpy(a.sun_path, path);
	/* swtpm may still be starting: try for 10 s */
	for (int i = 0; i < 200; i++) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd >= 0 && !connect(fd, (struct sockaddr *)&a, sizeof(a)))
			return fd;
		close(fd);
		usleep(50000);
	}
	die("cannot connect to swtpm control socket %s: %m", path);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "listen", 1, 0, 'l' }, { "swtpm-ctrl", 1, 0, 's' },
		{ "mode", 1, 0, 'm' }, { "delay-ms", 1, 0, 'd' },
		{ "config", 1, 0, 'c' }, { "chain-out", 1, 0, 'o' },
		{ "keys-dir", 1, 0, 'k' }, { "log", 1, 0, 'L' },
		{ "fail", 1, 0, 'F' }, { "drop", 1, 0, 'D' },
		{ "delay-cmd", 1, 0, 'T' }, { "pidfile", 1, 0, 'p' },
		{ "daemon", 0, 0, 'B' }, { "runtime", 1, 0, 'R' }, { "help", 0, 0, 'h' },
		{ "refresh", 1, 0, 'r' }, { "refresh-interval-ms", 1, 0, 'i' },
		{ "tear", 2, 0, 't' }, { "claims-style", 1, 0, 'S' },
		{ "header-version", 1, 0, 'V' }, { 0 },
	};
	struct sigaction sa = { .sa_handler = on_signal };
	int opt, lfd, sfd;

	pv.o.mode = PV_MODE_SNP;
	pv.o.refresh = PV_REFRESH_ON_READ;
	pv.o.interval_ms = -1;
	pv.o.style = PV_STYLE_OPENHCL;
	pv.o.header_version = 2;
	while ((opt = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (opt) {
		case 'l': pv.o.listen = optarg; break;
		case 's': pv.o.swtpm_ctrl = optarg; break;
		case 'm':
			if (!strcmp(optarg, "snp"))
				pv.o.mode = PV_MODE_SNP;
			else if (!strcmp(optarg, "tdx"))
				pv.o.mode = PV_MODE_TDX;
			else
				die("--mode must be snp or tdx");
			break;
		case 'd': pv.o.delay_ms = strtoul(optarg, NULL, 0); break;
		case 'c': pv.o.config = optarg; break;
		case 'o': pv.o.chain_out = optarg; break;
		case 'k': pv.o.keys_dir = optarg; break;
		case 'L': pv.o.log = optarg; break;
		case 'F': add_fault(F_FAIL, optarg); break;
		case 'D': add_fault(F_DROP, optarg); break;
		case 'T': add_fault(F_DELAY, optarg); break;
		case 'p': pv.o.pidfile = optarg; break;
		case 'B': pv.o.daemon = true; break;
		case 'R': pv.o.runtime = optarg; break;
		case 'r':
			if (parse_refresh(optarg, &pv.o.refresh))
				die("--refresh must be on-read or on-write");
			break;
		case 'i':
			if (parse_ms(optarg, &pv.o.interval_ms))
				die("--refresh-interval-ms: 0 to 600000");
			break;
		case 't':
			if (parse_tear(optarg, &pv.o.tear))
				die("--tear: on, off or a count");
			break;
		case 'S':
			if (!strcmp(optarg, "openhcl"))
				pv.o.style = PV_STYLE_OPENHCL;
			else if (!strcmp(optarg, "hcl"))
				pv.o.style = PV_STYLE_HCL;
			else
				die("--claims-style must be openhcl or hcl");
			break;
		case 'V':
			if (strcmp(optarg, "1") && strcmp(optarg, "2"))
				die("--header-version must be 1 or 2");
			pv.o.header_version = atoi(optarg);
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || !pv.o.listen || !pv.o.swtpm_ctrl) {
		usage(stderr);
		return 2;
	}
	if (pv.o.log) {
		pv.logf = fopen(pv.o.log, "a");
		if (!pv.logf)
			die("cannot open log %s: %m", pv.o.log);
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (load_settings())
		die("cannot load the settings in %s%s%s", pv.o.config ? pv.o.config : "",
		    pv.o.config && pv.o.runtime ? " and " : "", pv.o.runtime ? pv.o.runtime : "");
	if (RAND_bytes(pv.tdx_mac_key, sizeof(pv.tdx_mac_key)) != 1 ||
	    RAND_bytes((unsigned char *)&pv.nv_auth, sizeof(pv.nv_auth)) != 1)
		die("RAND_bytes");
	certs_setup();
	sfd = connect_unix(pv.o.swtpm_ctrl);
	lfd = listen_unix(pv.o.listen);
	pv_log("listening on %s, swtpm control at %s, mode %s, refresh %s (interval %u ms, delay %u ms, tear %s), claims %s, header v%u, index %u bytes",
	       pv.o.listen, pv.o.swtpm_ctrl, pv.o.mode == PV_MODE_SNP ? "snp" : "tdx",
	       pv.refresh == PV_REFRESH_ON_READ ? "on-read" : "on-write", pv.interval_ms,
	       pv.delay_ms, tear_str(), pv.o.style == PV_STYLE_OPENHCL ? "openhcl" : "hcl",
	       pv.o.header_version, pv.nv_size);

	if (pv.o.daemon && daemon(1, 0))
		die("daemon: %m");
	if (pv.o.pidfile) {
		FILE *f = fopen(pv.o.pidfile, "w");

		if (!f)
			die("cannot write %s: %m", pv.o.pidfile);
		fprintf(f, "%d\n", (int)getpid());
		fclose(f);
	}

	relay_run(lfd, sfd);

	pv_log("exiting (%u reports built)", pv.reports_built);
	if (pv.tpm_fd >= 0)
		close(pv.tpm_fd);
	close(sfd);
	close(lfd);
	unlink(pv.o.listen);
	if (pv.o.pidfile)
		unlink(pv.o.pidfile);
	return 0;
}
