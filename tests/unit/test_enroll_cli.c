// SPDX-License-Identifier: GPL-2.0-only
/*
 * `cvmguard enroll`'s recovery key and key file arguments, refused before anything
 * is written (no device or TPM is reached: the device named does not exist):
 * --recovery-key FILE never overwrites an existing file nor follows a symlink, is
 * created 0600 and removed again when nothing was enrolled; --recovery-key - refuses
 * a terminal (a pty here) unless --show-recovery-key; --key-file names its file.
 * Runs ../../userspace/cvmguard (or $CVMGUARD_BIN), which `make check` builds first.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pty.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "tdata.h"

static char bin[PATH_MAX];
static char dir[] = "/tmp/cvmg-enroll-cli-XXXXXX";
static char out[4096];

/* Run BIN with @argv (NULL-terminated) on a pty or pipes; stdout+stderr in out[]. */
static int run(bool tty, const char *const *argv)
{
	const char *args[16] = { bin };
	int fd, st, pfd[2];
	size_t n = 0, i;
	pid_t pid;

	for (i = 0; argv[i] && i < 14; i++)
		args[i + 1] = argv[i];
	if (tty) {
		pid = forkpty(&fd, NULL, NULL, NULL);
	} else {
		assert_int_equal(pipe(pfd), 0);
		pid = fork();
		fd = pfd[0];
		if (pid == 0) {
			dup2(pfd[1], 1);
			dup2(pfd[1], 2);
			close(pfd[0]);
		}
	}
	assert_true(pid >= 0);
	if (pid == 0) {
		/* belt and braces: no TPM of this machine, whatever happens */
		setenv("CVMGUARD_TCTI", "mssim:host=127.0.0.1,port=9", 1);
		execv(bin, (char *const *)args);
		_exit(127);
	}
	if (!tty)
		close(pfd[1]);
	for (;;) {
		ssize_t r = read(fd, out + n, sizeof(out) - 1 - n);

		if (r <= 0) /* EOF, or EIO from the pty master once the child is gone */
			break;
		n += (size_t)r;
	}
	out[n] = '\0';
	close(fd);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static int setup(void **state)
{
	if (tdata_bin(bin))
		return -1; /* a setup failure fails every test: never a silent skip */
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) ? -1 : 0;
}

static void path(char *buf, const char *name)
{
	snprintf(buf, PATH_MAX, "%s/%s", dir, name);
}

static void test_existing_file_kept(void **state)
{
	char f[PATH_MAX], dev[PATH_MAX], buf[64] = "";
	struct stat st;
	int fd;

	path(f, "old-key");
	path(dev, "no-such-disk");
	fd = open(f, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "precious\n", 9), 9);
	close(fd);
	assert_int_equal(run(false, (const char *const[]){ "enroll", "--recovery-key", f, dev,
							     NULL }), 64);
	assert_non_null(strstr(out, f));
	assert_non_null(strstr(out, "never overwritten"));
	fd = open(f, O_RDONLY);
	assert_int_equal(read(fd, buf, sizeof(buf) - 1), 9);
	close(fd);
	assert_string_equal(buf, "precious\n");
	assert_int_equal(stat(f, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
}

static void test_symlink_not_followed(void **state)
{
	char l[PATH_MAX], target[PATH_MAX], dev[PATH_MAX];

	path(l, "link");
	path(target, "elsewhere");
	path(dev, "no-such-disk");
	assert_int_equal(symlink(target, l), 0);
	assert_int_equal(run(false, (const char *const[]){ "enroll", "-r", l, dev, NULL }), 64);
	assert_int_equal(access(target, F_OK), -1);
}

static void test_new_file_removed_on_failure(void **state)
{
	char f[PATH_MAX], dev[PATH_MAX];

	path(f, "new-key");
	path(dev, "no-such-disk");
	/* Created 0600, then the device is absent (exit 4): nothing enrolled, no file. */
	assert_int_equal(run(false, (const char *const[]){ "enroll", "--recovery-key", f, dev,
							     NULL }), 4);
	assert_int_equal(access(f, F_OK), -1);
}

static void test_terminal_refused(void **state)
{
	char dev[PATH_MAX];

	path(dev, "no-such-disk");
	assert_int_equal(run(true, (const char *const[]){ "enroll", "--recovery-key", "-", dev,
							    NULL }), 64);
	assert_non_null(strstr(out, "terminal"));
	/* Asked for: it goes on (and fails on the absent device, exit 4). */
	assert_int_equal(run(true, (const char *const[]){ "enroll", "--recovery-key", "-",
							    "--show-recovery-key", dev, NULL }), 4);
	/* Not a terminal: fine without asking. */
	assert_int_equal(run(false, (const char *const[]){ "enroll", "--recovery-key", "-", dev,
							     NULL }), 4);
	assert_int_equal(run(false, (const char *const[]){ "enroll", "--show-recovery-key", dev,
							     NULL }), 64);
}

static void test_key_file_named(void **state)
{
	char dev[PATH_MAX], kf[PATH_MAX];

	path(dev, "no-such-disk");
	path(kf, "missing-key-file");
	assert_int_equal(run(false, (const char *const[]){ "enroll", "--key-file", kf, dev,
							     NULL }), 64);
	assert_non_null(strstr(out, kf));
	/* "-" is standard input, not a file name */
	assert_int_equal(run(false, (const char *const[]){ "enroll", "--key-file", "-", dev,
							     NULL }), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_existing_file_kept),
		cmocka_unit_test(test_symlink_not_followed),
		cmocka_unit_test(test_new_file_removed_on_failure),
		cmocka_unit_test(test_terminal_refused),
		cmocka_unit_test(test_key_file_named),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
