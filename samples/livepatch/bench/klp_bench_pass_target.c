// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark target for the cost of one transition pass: 100 patchable
 * functions, klp_bench_pass_00() to klp_bench_pass_99(), and kthreads that
 * sleep inside them, so that a patch replacing them (klp_bench_pass_lp) finds
 * every one of those tasks blocking its transition.
 *
 *   /sys/kernel/debug/klp_bench_pass/threads
 *       write N > 0: start N kthreads; thread i sleeps in function i % 100.
 *                    The write returns once all N are asleep there.
 *       write 0:     wake and stop them all.
 *       read:        how many are running.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include "klp_bench_many.h"

static DECLARE_WAIT_QUEUE_HEAD(hold_wq);
static DECLARE_WAIT_QUEUE_HEAD(asleep_wq);
static bool hold;
static atomic_t asleep = ATOMIC_INIT(0);

/*
 * With x < 0 the caller sleeps here until released; the frame stays on the
 * stack (the return value is computed after the wait, so there is no tail
 * call). The constants 1nn keep the bodies distinct.
 */
#define PASS_FN(n)							\
	static noinline int klp_bench_pass_##n(int x)			\
	{								\
		if (x < 0) {						\
			atomic_inc(&asleep);				\
			wake_up(&asleep_wq);				\
			wait_event(hold_wq, !READ_ONCE(hold));		\
		}							\
		barrier();						\
		return x * 3 + 1##n;					\
	}
KLP_BENCH_100(PASS_FN, )

#define PASS_PTR(n) klp_bench_pass_##n,
static int (*const pass_fns[])(int) __used = { KLP_BENCH_100(PASS_PTR, ) };

static struct task_struct **threads;
static unsigned int nthreads;
static DEFINE_MUTEX(threads_lock);

static int pass_thread(void *data)
{
	unsigned long i = (unsigned long)data;

	pass_fns[i % ARRAY_SIZE(pass_fns)](-1);
	/* Released: wait for kthread_stop(). */
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

static void stop_threads(void)
{
	unsigned int i;

	WRITE_ONCE(hold, false);
	wake_up_all(&hold_wq);
	for (i = 0; i < nthreads; i++)
		kthread_stop(threads[i]);
	kvfree(threads);
	threads = NULL;
	nthreads = 0;
	atomic_set(&asleep, 0);
}

static int start_threads(unsigned int n)
{
	unsigned int i;

	threads = kvcalloc(n, sizeof(*threads), GFP_KERNEL);
	if (!threads)
		return -ENOMEM;
	WRITE_ONCE(hold, true);
	for (i = 0; i < n; i++) {
		struct task_struct *t = kthread_run(pass_thread, (void *)(unsigned long)i,
						    "klp_bench_pass/%u", i);

		if (IS_ERR(t)) {
			pr_err("kthread %u of %u: %ld\n", i, n, PTR_ERR(t));
			stop_threads();
			return PTR_ERR(t);
		}
		threads[nthreads++] = t;
	}
	/* Every thread in its function, asleep or about to be. */
	wait_event(asleep_wq, atomic_read(&asleep) == n);
	return 0;
}

static ssize_t threads_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	unsigned int n;
	int ret = kstrtouint_from_user(ubuf, count, 0, &n);

	if (ret)
		return ret;
	mutex_lock(&threads_lock);
	if (nthreads)
		stop_threads();
	if (n)
		ret = start_threads(n);
	mutex_unlock(&threads_lock);
	return ret ?: count;
}

static ssize_t threads_read(struct file *file, char __user *ubuf, size_t count,
			    loff_t *ppos)
{
	char buf[16];
	int len = scnprintf(buf, sizeof(buf), "%u\n", READ_ONCE(nthreads));

	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static const struct file_operations threads_fops = {
	.read = threads_read,
	.write = threads_write,
};

static struct dentry *dir;

static int __init klp_bench_pass_init(void)
{
	dir = debugfs_create_dir("klp_bench_pass", NULL);
	debugfs_create_file("threads", 0600, dir, NULL, &threads_fops);
	return 0;
}

static void __exit klp_bench_pass_exit(void)
{
	debugfs_remove_recursive(dir);
	mutex_lock(&threads_lock);
	if (nthreads)
		stop_threads();
	mutex_unlock(&threads_lock);
}

module_init(klp_bench_pass_init);
module_exit(klp_bench_pass_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch benchmark: 100 patchable functions, kthreads asleep in them");
