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

static uint32_t parse_cc(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (*s && !*end)
		return (uint32_t)v;
	if (!strncasecmp(s, "TPM2_", 5))
		s += 5;
	for (uint32_t cc = 0x11F; cc <= 0x1A0; cc++)
		if (!strcasecmp(tpm_cc_name(cc), s))
			return cc;
	die("unknown command code '%s'", s);
}

static void add_fault(int kind, char *arg)
{
	struct pv_fault *f;
	char *a = strtok(arg, ":"), *b = strtok(NULL, ":"), *c = strtok(NULL, ":");

	if (pv.o.nfaults >= (int)(sizeof(pv.o.faults) / sizeof(pv.o.faults[0])))
		die("too many faults");
	if (!a)
		die("empty fault spec");
	f = &pv.o.faults[pv.o.nfaults++];
	f->kind = kind;
	f->cc = parse_cc(a);
	f->rc = 0x101;
	f->count = -1;
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
		if (!b)
			die("--delay-cmd needs CC:MS");
		f->ms = strtoul(b, NULL, 0);
		if (c)
			f->count = atoi(c);
		break;
	}
}

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		pv_reload = 1;
	else
		pv_stop = 1;
}

static void load_config(void)
{
	struct pv_config c;

	config_defaults(&c);
	if (pv.o.config && config_load(&c, pv.o.config))
		die("cannot load config %s", pv.o.config);
	pv.cfg = c;
}

void pv_do_reload(void)
{
	struct pv_config c;

	pv_reload = 0;
	config_defaults(&c);
	if (pv.o.config && config_load(&c, pv.o.config)) {
		pv_log("SIGHUP: config %s invalid, keeping the old one", pv.o.config);
		return;
	}
	pv.cfg = c;
	certs_setup();
	pv_log("SIGHUP: config reloaded; next report uses it");
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
		{ "daemon", 0, 0, 'B' }, { "help", 0, 0, 'h' }, { 0 },
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

	load_config();
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
