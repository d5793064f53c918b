// SPDX-License-Identifier: GPL-2.0
/*
 * Hammer of `make stress`: fork WORKERS processes that call getpid(2) through
 * syscall() in a loop, a syscall whose kernel side the stress patches
 * replace, and check every answer against the pid the kernel shows as
 * /proc/self (another code path). SIGTERM or SIGINT stops them; the parent
 * then prints one line: "calls N wrong N workers N lost N", lost being the
 * workers that did not exit cleanly. Exit status 1 if any answer was wrong
 * or any worker lost. The workers run at nice NICE, so that the script
 * driving the patches still gets the CPU (the guest has no nice(1)).
 *
 *   usage: klp_stress_getpid [WORKERS [NICE]]   (default 64 workers, nice 0)
 */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define __aligned(x) __attribute__((aligned(x)))
#define load(p) __atomic_load_n(p, __ATOMIC_RELAXED)
#define store(p, v) __atomic_store_n(p, v, __ATOMIC_RELAXED)

/*
 * Shared by the parent and the workers, read and written with relaxed
 * atomics; one cache line per worker, so that counting does not bounce lines.
 */
struct slot {
	unsigned long calls;
	unsigned long wrong;
} __aligned(64);

struct shared {
	int stop;
	struct slot slot[];
};

static struct shared *sh;
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static long pid_of_proc_self(void)
{
	char buf[32];
	ssize_t n = readlink("/proc/self", buf, sizeof(buf) - 1);

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

static void worker(struct slot *s)
{
	unsigned long calls = 0, wrong = 0;
	long me = pid_of_proc_self();
	int i;

	if (me <= 0)
		_exit(2);
	while (!load(&sh->stop)) {
		for (i = 0; i < 256; i++)
			if (syscall(SYS_getpid) != me)
				wrong++;
		calls += 256;
		store(&s->calls, calls);
		store(&s->wrong, wrong);
	}
	_exit(0);
}

int main(int argc, char *argv[])
{
	int workers = argc > 1 ? atoi(argv[1]) : 64;
	int nice = argc > 2 ? atoi(argv[2]) : 0;
	unsigned long calls = 0, wrong = 0;
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block, old;
	int i, lost = 0, status;

	if (workers <= 0)
		return 2;
	if (setpriority(PRIO_PROCESS, 0, nice)) {
		perror("setpriority");
		return 2;
	}
	sh = mmap(NULL, sizeof(*sh) + workers * sizeof(struct slot),
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	/* Block the stop signals until the parent waits for them. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &old);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	for (i = 0; i < workers; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			store(&sh->stop, 1);
			workers = i;
			break;
		}
		if (pid == 0) {
			/* Only the parent stops them, after counting is over. */
			signal(SIGTERM, SIG_IGN);
			signal(SIGINT, SIG_IGN);
			sigprocmask(SIG_SETMASK, &old, NULL);
			worker(&sh->slot[i]);
		}
	}
	while (!stop && !load(&sh->stop))
		sigsuspend(&old);
	store(&sh->stop, 1);

	for (i = 0; i < workers; i++) {
		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			lost++;
	}
	for (i = 0; i < workers; i++) {
		calls += load(&sh->slot[i].calls);
		wrong += load(&sh->slot[i].wrong);
	}
	printf("calls %lu wrong %lu workers %d lost %d\n", calls, wrong, workers, lost);
	return wrong || lost;
}
