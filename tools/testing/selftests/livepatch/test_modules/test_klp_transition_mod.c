// SPDX-License-Identifier: GPL-2.0
/*
 * Livepatch test: target module for the transition tests.
 *
 * Two kthreads call test_klp_transition_func() in a loop.  While bit <id>
 * of the "hold" parameter is set, kthread <id> sleeps inside that function,
 * so a livepatch of it cannot switch the kthread (its stack holds the old
 * function).  Clearing the bit lets the kthread leave the function.
 *
 * Reading /sys/kernel/test_klp_transition_mod/spin keeps the reader busy in
 * the kernel, inside test_klp_transition_spin_show(), until a signal (or the
 * fake signal of the livepatch core) is pending; the read is then restarted.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/delay.h>
#include <linux/sched/signal.h>
#include <linux/kobject.h>
#include <linux/sysfs.h>

#define NR_THREADS 2

/* Bit <id>: kthread <id> stays in test_klp_transition_func(). */
static unsigned int hold;
module_param(hold, uint, 0644);
MODULE_PARM_DESC(hold, "bit mask of the kthreads held in the original function");

/* Bit <id>: kthread <id> sleeps in test_klp_transition_func() now. */
static unsigned long blocked;
module_param(blocked, ulong, 0444);
MODULE_PARM_DESC(blocked, "bit mask of the kthreads sleeping in the original function");

static int pids[NR_THREADS];
static unsigned int nr_pids;
module_param_array(pids, int, &nr_pids, 0444);
MODULE_PARM_DESC(pids, "pids of the kthreads");

/* Readers that entered the original test_klp_transition_spin_show(). */
static unsigned int spinning;
module_param(spinning, uint, 0444);
MODULE_PARM_DESC(spinning, "count of readers busy in the original spin function");

/* Not static, so that the compiler keeps its name and signature. */
void test_klp_transition_func(unsigned int id);

static struct task_struct *threads[NR_THREADS];
static struct kobject *klp_kobj;

/* The function the livepatch replaces; kthread <id> calls it in a loop. */
noinline void test_klp_transition_func(unsigned int id)
{
	if (!(READ_ONCE(hold) & BIT(id)))
		return;

	set_bit(id, &blocked);
	pr_info("%s: kthread %u sleeps in the original function\n", __func__, id);
	while ((READ_ONCE(hold) & BIT(id)) && !kthread_should_stop())
		msleep(20);
	pr_info("%s: kthread %u leaves the original function\n", __func__, id);
	clear_bit(id, &blocked);
}

/*
 * Also replaced by the livepatch: busy until a signal is pending.  Only
 * called through the attribute's pointer, so that the compiler cannot
 * propagate its constant return value into a caller.
 */
static ssize_t test_klp_transition_spin_show(struct kobject *kobj,
					     struct kobj_attribute *attr,
					     char *buf)
{
	WRITE_ONCE(spinning, spinning + 1);
	while (!signal_pending(current))
		cond_resched();
	return -ERESTARTSYS;
}

static struct kobj_attribute spin_attr =
	__ATTR(spin, 0444, test_klp_transition_spin_show, NULL);

static int test_klp_transition_thread(void *data)
{
	unsigned int id = (unsigned long)data;

	while (!kthread_should_stop()) {
		test_klp_transition_func(id);
		msleep(20);
	}
	return 0;
}

static void stop_threads(void)
{
	int i;

	WRITE_ONCE(hold, 0);
	for (i = 0; i < NR_THREADS; i++)
		if (threads[i])
			kthread_stop(threads[i]);
}

static int test_klp_transition_mod_init(void)
{
	unsigned long i;
	int ret;

	klp_kobj = kobject_create_and_add(KBUILD_MODNAME, kernel_kobj);
	if (!klp_kobj)
		return -ENOMEM;
	ret = sysfs_create_file(klp_kobj, &spin_attr.attr);
	if (ret)
		goto err_kobj;

	for (i = 0; i < NR_THREADS; i++) {
		threads[i] = kthread_run(test_klp_transition_thread, (void *)i,
					 "klp_transition%lu", i);
		if (IS_ERR(threads[i])) {
			ret = PTR_ERR(threads[i]);
			threads[i] = NULL;
			goto err_threads;
		}
		pids[i] = task_pid_nr(threads[i]);
	}
	nr_pids = NR_THREADS;

	/* Return once the held kthreads sleep in the function (ordered log). */
	while (READ_ONCE(hold) & GENMASK(NR_THREADS - 1, 0) & ~READ_ONCE(blocked))
		msleep(10);

	return 0;

err_threads:
	stop_threads();
err_kobj:
	kobject_put(klp_kobj);
	return ret;
}

static void test_klp_transition_mod_exit(void)
{
	stop_threads();
	kobject_put(klp_kobj);
}

module_init(test_klp_transition_mod_init);
module_exit(test_klp_transition_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch test: target module with kthreads blocking a transition");
