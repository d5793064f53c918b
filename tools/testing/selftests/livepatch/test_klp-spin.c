// SPDX-License-Identifier: GPL-2.0
/*
 * Livepatch test helper: a CPU-bound task that never enters the kernel on
 * its own.  It spins in user space, without system calls, until SIGTERM or
 * SIGHUP; the livepatch core can switch it only from an interrupt (or fake
 * signal) on its way back to user space, or by checking its stack while it
 * is preempted.
 */

#include <signal.h>

static volatile sig_atomic_t stop;

static void stop_handler(int signum)
{
	stop = 1;
}

int main(void)
{
	signal(SIGTERM, stop_handler);
	signal(SIGHUP, stop_handler);

	while (!stop)
		;

	return 0;
}
