// SPDX-License-Identifier: GPL-2.0
/*
 * cvmguard-paravisor: a test stand-in for the Azure paravisor, placed between
 * QEMU's "-tpmdev emulator" and swtpm.  See Documentation/paravisor.rst.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
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
"  --delay-ms N         publish a new report N ms after the user-data write (0)\n"
"  --config FILE        key=value report values; re-read on SIGHUP\n"
"  --runtime FILE       also re-read on SIGHUP: report values, delay-ms=N,\n"
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
	struct pv_fault faults[PV_MAX_FAULTS];
	int nfaults;
	bool faults_set;
};

static int runtime_key(const char *k, const char *v, void *arg)
{
	struct runtime *rt = arg;
	int kind;

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
	struct runtime rt = { .delay_ms = pv.o.delay_ms };
	struct pv_config c;

	config_defaults(&c);
	if (pv.o.config && config_load(&c, pv.o.config, NULL, NULL))
		return -1;
	if (pv.o.runtime && access(pv.o.runtime, F_OK) == 0 &&
	    config_load(&c, pv.o.runtime, runtime_key, &rt))
		return -1;
	pv.cfg = c;
	pv.delay_ms = rt.delay_ms;
	if (rt.faults_set) {
		memcpy(pv.faults, rt.faults, sizeof(rt.faults));
		pv.nfaults = rt.nfaults;
	} else {
		memcpy(pv.faults, pv.o.faults, sizeof(pv.o.faults));
		pv.nfaults = pv.o.nfaults;
	}
	return 0;
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
	pv_log("SIGHUP: settings reloaded (delay %u ms, %d fault rule(s)); next report uses them",
	       pv.delay_ms, pv.nfaults);
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
		{ "daemon", 0, 0, 'B' }, { "runtime", 1, 0, 'R' }, { "help", 0, 0, 'h' }, { 0 },
	};
	struct sigaction sa = { .sa_handler = on_signal };
	int opt, lfd, sfd;

	pv.o.mode = PV_MODE_SNP;
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
	if (RAND_bytes(pv.tdx_mac_key, sizeof(pv.tdx_mac_key)) != 1)
		die("RAND_bytes");
	certs_setup();
	sfd = connect_unix(pv.o.swtpm_ctrl);
	lfd = listen_unix(pv.o.listen);
	pv_log("listening on %s, swtpm control at %s, mode %s, delay %u ms",
	       pv.o.listen, pv.o.swtpm_ctrl, pv.o.mode == PV_MODE_SNP ? "snp" : "tdx",
	       pv.o.delay_ms);

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
