// SPDX-License-Identifier: GPL-2.0
/*
 * Parks a kthread inside ftrace's handling of a call of a patched function,
 * after the livepatch handler has chosen where the call goes but before the
 * trampoline has gone there.
 *
 * The module registers an ftrace_ops of its own on test_klp_window_func()
 * before any livepatch does, so that ftrace calls it after the livepatch's
 * handler (ftrace_ops_list_func() calls the newest ops first).  When the
 * module's caller kthread calls the function after a write to "call", the
 * handler wakes a SCHED_FIFO kthread on the same CPU, which preempts the
 * caller as soon as ftrace re-enables preemption and spins until "release"
 * is written (or 10 s have passed).  Meanwhile the caller's stack holds the
 * ftrace trampoline and the return address of test_klp_window_func()'s
 * ftrace call site, but neither the function the call will run nor its
 * body.  "result" reads what the call returned (0: the original function;
 * the livepatches return other values).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/delay.h>
#include <linux/ftrace.h>
#include <linux/sched.h>
#include <linux/cpumask.h>

static bool call;
module_param(call, bool, 0644);
MODULE_PARM_DESC(call, "write 1: the caller kthread calls test_klp_window_func() and parks in ftrace");

static bool release;
module_param(release, bool, 0644);
MODULE_PARM_DESC(release, "write 1: let the parked caller go");

static bool parked;
module_param(parked, bool, 0444);
MODULE_PARM_DESC(parked, "the caller is held inside ftrace now");

static int result = -1;
module_param(result, int, 0444);
MODULE_PARM_DESC(result, "what the last call returned (-1: no call yet)");

static int pid;
module_param(pid, int, 0444);
MODULE_PARM_DESC(pid, "pid of the caller kthread");

static struct task_struct *caller, *hog;
static bool park;

/* Not static, so that the compiler keeps its name and signature. */
int test_klp_window_func(void);

noinline int test_klp_window_func(void)
{
	barrier();
	return 0;
}

static void notrace test_klp_window_handler(unsigned long ip,
					    unsigned long parent_ip,
					    struct ftrace_ops *op,
					    struct ftrace_regs *fregs)
{
	if (current != caller || !READ_ONCE(park))
		return;
	WRITE_ONCE(park, false);
	WRITE_ONCE(parked, true);
	/* Preemption is off in here: the hog runs when ftrace is done. */
	wake_up_process(hog);
}

static struct ftrace_ops window_ops = {
	.func = test_klp_window_handler,
};

static int test_klp_window_caller(void *data)
{
	/* Through a pointer: the compiler must not assume the result is 0. */
	int (*volatile func)(void) = test_klp_window_func;

	while (!kthread_should_stop()) {
		if (READ_ONCE(call)) {
			WRITE_ONCE(call, false);
			WRITE_ONCE(park, true);
			WRITE_ONCE(result, func());
			pr_info("%s: the call returned %d\n", __func__, result);
		}
		msleep(10);
	}
	return 0;
}

static int test_klp_window_hog(void *data)
{
	unsigned long deadline;

	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!READ_ONCE(parked)) {
			schedule();
			continue;
		}
		__set_current_state(TASK_RUNNING);
		deadline = jiffies + 10 * HZ;
		while (!READ_ONCE(release) && time_before(jiffies, deadline))
			cpu_relax();
		WRITE_ONCE(release, false);
		WRITE_ONCE(parked, false);
	}
	return 0;
}

static int test_klp_window_init(void)
{
	unsigned int cpu = cpumask_last(cpu_online_mask);
	int ret;

	if (num_online_cpus() < 2) {
		pr_err("needs a second CPU: the caller and the hog take one\n");
		return -ENODEV;
	}

	ret = ftrace_set_filter_ip(&window_ops, (unsigned long)test_klp_window_func, 0, 0);
	if (ret)
		return ret;
	ret = register_ftrace_function(&window_ops);
	if (ret)
		goto err_filter;

	hog = kthread_create(test_klp_window_hog, NULL, "klp_window_hog");
	if (IS_ERR(hog)) {
		ret = PTR_ERR(hog);
		goto err_ops;
	}
	kthread_bind(hog, cpu);
	sched_set_fifo(hog);
	wake_up_process(hog);

	caller = kthread_create(test_klp_window_caller, NULL, "klp_window");
	if (IS_ERR(caller)) {
		ret = PTR_ERR(caller);
		goto err_hog;
	}
	kthread_bind(caller, cpu);
	/* Real-time too, so that nothing but the hog's end lets it run. */
	sched_set_fifo_low(caller);
	pid = task_pid_nr(caller);
	wake_up_process(caller);
	return 0;

err_hog:
	kthread_stop(hog);
err_ops:
	unregister_ftrace_function(&window_ops);
err_filter:
	ftrace_free_filter(&window_ops);
	return ret;
}

static void test_klp_window_exit(void)
{
	WRITE_ONCE(release, true);
	kthread_stop(caller);
	kthread_stop(hog);
	unregister_ftrace_function(&window_ops);
	ftrace_free_filter(&window_ops);
}

module_init(test_klp_window_init);
module_exit(test_klp_window_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch test: a task preempted inside ftrace after the livepatch handler chose its function");
