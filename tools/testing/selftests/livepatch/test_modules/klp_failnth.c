// SPDX-License-Identifier: GPL-2.0
/*
 * klp_failnth - load a module while the N-th fault-injection point of the
 * loading task fails, and print how it went, for the fault-injection
 * selftest of the livepatch core.
 *
 *   usage: klp_failnth [-k] N MODULE.ko [PARAMS]
 *
 * The module file is opened first; then N is written to
 * /proc/thread-self/fail-nth and finit_module(2) runs, so that only the
 * allocations (and the other enabled fault points) of loading and
 * initialising the module count.  With -k, N is handed to the
 * test_klp_fault_arm module instead, which arms the task's fail-nth for the
 * duration of its klp_enable_patch() call: only those points count.  Which
 * fault points count is set in debugfs (failslab, fail_page_alloc) by the
 * caller.
 *
 * Prints one line: "ok" or the errno's symbolic name, then "injected" when
 * the N-th point was reached (and failed), "not-reached" when loading
 * passed fewer than N points, or "not-armed" (-k) when the module never
 * called klp_enable_patch().  Exits 0 unless the tool itself failed.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *errno_name(int err)
{
	switch (err) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EIO: return "EIO";
	case ENOEXEC: return "ENOEXEC";
	case ENOMEM: return "ENOMEM";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case ENODEV: return "ENODEV";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case ENOSYS: return "ENOSYS";
	case ENOKEY: return "ENOKEY";
	case EKEYREJECTED: return "EKEYREJECTED";
	default: return NULL;
	}
}

#define ARM "/sys/module/test_klp_fault_arm/parameters/"

static int fail_nth_fd;

static int write_file(const char *path, unsigned int value)
{
	char buf[16];
	int fd = open(path, O_WRONLY | O_CLOEXEC), len, ret;

	if (fd < 0)
		return -1;
	len = snprintf(buf, sizeof(buf), "%u", value);
	ret = write(fd, buf, len) == len ? 0 : -1;
	close(fd);
	return ret;
}

static int read_file(const char *path)
{
	char buf[16] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t len;

	if (fd < 0)
		return -1;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return len > 0 ? atoi(buf) : -1;
}

static int set_fail_nth(unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	return pwrite(fail_nth_fd, buf, len, 0) == len ? 0 : -1;
}

int main(int argc, char **argv)
{
	char left[16] = "";
	const char *name, *how;
	int fd, ret, err, armed = 0;
	unsigned int n;
	ssize_t len;

	if (argc > 1 && !strcmp(argv[1], "-k")) {
		armed = 1;
		argc--;
		argv++;
	}
	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: klp_failnth [-k] N MODULE.ko [PARAMS]\n");
		return 2;
	}
	n = strtoul(argv[1], NULL, 10);
	fd = open(argv[2], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(argv[2]);
		return 2;
	}
	fail_nth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (fail_nth_fd < 0) {
		perror("/proc/thread-self/fail-nth");
		return 2;
	}

	if (armed ? write_file(ARM "nth", n) || write_file(ARM "pid", gettid()) :
		    set_fail_nth(n)) {
		perror(armed ? ARM : "fail-nth");
		return 2;
	}
	ret = syscall(SYS_finit_module, fd, argc > 3 ? argv[3] : "", 0);
	err = errno;
	/* 0 once the N-th point failed; otherwise the points still to pass. */
	len = pread(fail_nth_fd, left, sizeof(left) - 1, 0);
	set_fail_nth(0);
	if (len <= 0) {
		perror("fail-nth");
		return 2;
	}
	left[len] = '\0';

	how = atoi(left) == 0 ? "injected" : "not-reached";
	if (armed && read_file(ARM "pid") != 0) {
		how = "not-armed";
		write_file(ARM "pid", 0);
	} else if (armed) {
		how = read_file(ARM "left") == 0 ? "injected" : "not-reached";
	}

	name = ret ? errno_name(err) : "ok";
	if (name)
		printf("%s", name);
	else
		printf("errno%d", err);
	printf(" %s\n", how);
	return 0;
}
