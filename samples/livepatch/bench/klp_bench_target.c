// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark target for the livepatch core: times calls of a patchable
 * function, and parks a kthread inside another one to hold a transition open.
 *
 *   /sys/kernel/debug/klp_bench/run    read: ns per call (median, fastest and
 *                                       slowest of the rounds)
 *   /sys/kernel/debug/klp_bench/block  write 1: park the kthread, 0: release it
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sort.h>
#include <linux/timekeeping.h>

static unsigned int calls = 1000000;
module_param(calls, uint, 0644);
MODULE_PARM_DESC(calls, "calls per round");

static unsigned int rounds = 11;
module_param(rounds, uint, 0644);
MODULE_PARM_DESC(rounds, "rounds; the median is reported");

/* The function the benchmark patches. */
noinline int klp_bench_fn(int x)
{
	barrier();
	return x + 1;
}

/* A function the blocker sleeps in; patching it holds a transition open. */
noinline void klp_bench_block_fn(struct completion *release)
{
	wait_for_completion(release);
	/* No tail call: this frame must stay on the stack while it sleeps. */
	barrier();
}
EXPORT_SYMBOL_GPL(klp_bench_block_fn);

/* Patched only by the replacing patch, so that it leaves no-ops behind. */
noinline int klp_bench_other_fn(int x)
{
	barrier();
	return x - 1;
}

static DECLARE_COMPLETION(release);
static struct task_struct *blocker;

static int blocker_main(void *data)
{
	klp_bench_block_fn(&release);
	/*
	 * Wait for kthread_stop() without a timed sleep, so that releasing the
	 * blocker returns at once (the release-to-complete latency starts there).
	 */
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static ssize_t run_read(struct file *file, char __user *ubuf, size_t count,
			loff_t *ppos)
{
	int (*volatile fn)(int) = klp_bench_fn;
	unsigned int r, i;
	char buf[64];
	u64 *ps;
	int sum = 0, len;

	if (*ppos)
		return 0;
	if (!rounds || !calls)
		return -EINVAL;
	ps = kcalloc(rounds, sizeof(*ps), GFP_KERNEL);
	if (!ps)
		return -ENOMEM;
	for (r = 0; r < rounds; r++) {
		u64 t0 = ktime_get_ns();

		for (i = 0; i < calls; i++)
			sum += fn(i);
		/* Picoseconds per call, to keep three decimals of ns. */
		ps[r] = div_u64((ktime_get_ns() - t0) * 1000, calls);
		cond_resched();
	}
	sort(ps, rounds, sizeof(*ps), cmp_u64, NULL);
	/* Median, fastest and slowest round; the parity keeps sum alive. */
	len = scnprintf(buf, sizeof(buf), "%llu.%03llu %llu.%03llu %llu.%03llu %d\n",
			ps[rounds / 2] / 1000, ps[rounds / 2] % 1000,
			ps[0] / 1000, ps[0] % 1000,
			ps[rounds - 1] / 1000, ps[rounds - 1] % 1000, sum & 1);
	kfree(ps);
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static ssize_t block_write(struct file *file, const char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	bool on;
	int ret = kstrtobool_from_user(ubuf, count, &on);

	if (ret)
		return ret;
	if (on && !blocker) {
		reinit_completion(&release);
		blocker = kthread_run(blocker_main, NULL, "klp_bench_block");
		if (IS_ERR(blocker)) {
			ret = PTR_ERR(blocker);
			blocker = NULL;
			return ret;
		}
	} else if (!on && blocker) {
		complete_all(&release);
		kthread_stop(blocker);
		blocker = NULL;
	}
	return count;
}

static const struct file_operations run_fops = {
	.read = run_read,
};

static const struct file_operations block_fops = {
	.write = block_write,
};

static struct dentry *dir;

static int __init klp_bench_init(void)
{
	dir = debugfs_create_dir("klp_bench", NULL);
	debugfs_create_file("run", 0400, dir, NULL, &run_fops);
	debugfs_create_file("block", 0200, dir, NULL, &block_fops);
	/* Keep the other function referenced. */
	return klp_bench_other_fn(1);
}

static void __exit klp_bench_exit(void)
{
	if (blocker) {
		complete_all(&release);
		kthread_stop(blocker);
	}
	debugfs_remove_recursive(dir);
}

module_init(klp_bench_init);
module_exit(klp_bench_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch benchmark: target functions and timing loop");
