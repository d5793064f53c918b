// SPDX-License-Identifier: GPL-2.0
/*
 * klp_io - read a file, or write standard input to it with a single
 * write(2), and print how it went, for the sysfs tests of the livepatch
 * selftests.
 *
 *   usage: klp_io [-u UID] read FILE
 *          klp_io [-u UID] write FILE < DATA
 *
 * "read" prints the first line of the file, or "open: ENAME" or
 * "read: ENAME" with the errno's symbolic name.  "write" prints "ok" when the
 * whole buffer was written, "short N" for a partial write, or "open: ENAME"
 * or "write: ENAME".  An empty input is still one write(2) of zero bytes.
 * With -u, the program opens FILE's directory, drops to that user and group
 * id, with no supplementary groups, and then opens FILE in that directory:
 * only the permissions of FILE and of its directory apply to the user (the
 * directories above it may not be searchable for the user, e.g. a 0700 root
 * directory in an initramfs).
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char buf[65536];
static int dirfd_ = AT_FDCWD;

/* Open FILE, relative to dirfd_ (its directory) after drop_to(). */
static int open_file(const char *file, int flags)
{
	char *copy = strdup(file);
	int fd;

	if (!copy)
		return -1;
	fd = openat(dirfd_, dirfd_ == AT_FDCWD ? file : basename(copy), flags);
	free(copy);
	return fd;
}

static int drop_to(const char *file, uid_t uid)
{
	char *copy = strdup(file);

	if (!copy)
		return -1;
	dirfd_ = open(dirname(copy), O_PATH | O_DIRECTORY);
	free(copy);
	if (dirfd_ < 0)
		return -1;
	return setgroups(0, NULL) || setgid(uid) || setuid(uid) ? -1 : 0;
}

static int do_read(const char *file)
{
	ssize_t n;
	int fd;

	fd = open_file(file, O_RDONLY);
	if (fd < 0) {
		printf("open: %s\n", strerrorname_np(errno));
		return 0;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0) {
		printf("read: %s\n", strerrorname_np(errno));
	} else {
		buf[n] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		printf("%s\n", buf);
	}
	close(fd);
	return 0;
}

static int do_write(const char *file)
{
	size_t len = 0;
	ssize_t n;
	int fd;

	while ((n = read(0, buf + len, sizeof(buf) - len)) > 0)
		len += n;
	if (n < 0) {
		printf("stdin: %s\n", strerrorname_np(errno));
		return 1;
	}

	fd = open_file(file, O_WRONLY);
	if (fd < 0) {
		printf("open: %s\n", strerrorname_np(errno));
		return 0;
	}
	n = write(fd, buf, len);
	if (n < 0)
		printf("write: %s\n", strerrorname_np(errno));
	else if ((size_t)n != len)
		printf("short %zd\n", n);
	else
		printf("ok\n");
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "-u")) {
		if (drop_to(argv[4], strtoul(argv[2], NULL, 10))) {
			printf("setuid: %s\n", strerrorname_np(errno));
			return 1;
		}
		argv += 2;
		argc -= 2;
	}
	if (argc == 3 && !strcmp(argv[1], "read"))
		return do_read(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "write"))
		return do_write(argv[2]);
	fprintf(stderr, "usage: klp_io [-u UID] read|write FILE\n");
	return 2;
}
