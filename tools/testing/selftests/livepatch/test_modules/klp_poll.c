// SPDX-License-Identifier: GPL-2.0
/*
 * klp_poll FILE SECONDS - wait with poll() until the sysfs attribute FILE
 * changes (POLLPRI/POLLERR, as sysfs_notify() signals), at most SECONDS.
 * Prints "ready" once it has opened and read the file, then
 * "<old> -> <new> after <ms> ms". Exits 0 on a change, 1 on a timeout,
 * 2 on an error.
 */

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int read_value(int fd, char *buf, size_t size)
{
	ssize_t n = pread(fd, buf, size - 1, 0);

	if (n < 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int main(int argc, char **argv)
{
	char old[64], new[64];
	struct pollfd pfd;
	long start;
	int ret;

	if (argc != 3) {
		fprintf(stderr, "usage: %s FILE SECONDS\n", argv[0]);
		return 2;
	}
	pfd.fd = open(argv[1], O_RDONLY);
	if (pfd.fd < 0 || read_value(pfd.fd, old, sizeof(old))) {
		perror(argv[1]);
		return 2;
	}
	pfd.events = POLLPRI | POLLERR;
	printf("ready\n");
	fflush(stdout);

	start = now_ms();
	ret = poll(&pfd, 1, atoi(argv[2]) * 1000);
	if (ret < 0) {
		perror("poll");
		return 2;
	}
	if (ret == 0) {
		printf("%s: no change in %s s\n", argv[1], argv[2]);
		return 1;
	}
	if (read_value(pfd.fd, new, sizeof(new))) {
		perror(argv[1]);
		return 2;
	}
	printf("%s -> %s after %ld ms\n", old, new, now_ms() - start);
	return 0;
}
