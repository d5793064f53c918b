// SPDX-License-Identifier: GPL-2.0
/*
 * klp_failnth - load a module while the N-th fault-injection point of the
 * loading task fails, and print how it went, for the fault-injection
 * selftest of the livepatch core.
 *
 *   usage: klp_failnth N MODULE.ko [PARAMS]
 *
 * The module file is opened first; then N is written to
 * /proc/thread-self/fail-nth and finit_module(2) runs, so that only the
 * allocations (and the other enabled fault points) of loading and
 * initialising the module count.  Which fault points count is set in
 * debugfs (failslab, fail_page_alloc) by the caller.
 *
 * Prints one line: "ok" or the errno's symbolic name, then "injected" when
 * the N-th point was reached (and failed), or "not-reached" when loading
 * passed fewer than N points.  Exits 0 unless the tool itself failed.
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

static int fail_nth_fd;

static int set_fail_nth(unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	return pwrite(fail_nth_fd, buf, len, 0) == len ? 0 : -1;
}

int main(int argc, char **argv)
{
	char left[16] = "";
	const char *name;
	unsigned int n;
	int fd, ret, err;
	ssize_t len;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: klp_failnth N MODULE.ko [PARAMS]\n");
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

	if (set_fail_nth(n)) {
		perror("fail-nth");
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

	name = ret ? errno_name(err) : "ok";
	if (name)
		printf("%s", name);
	else
		printf("errno%d", err);
	printf(" %s\n", atoi(left) == 0 ? "injected" : "not-reached");
	return 0;
}
