// SPDX-License-Identifier: GPL-2.0
/*
 * Livepatch test: livepatch for the test-stack-check-*.sh tests.
 *
 * It replaces test_klp_transition_func() of test_klp_transition_mod and
 * test_klp_stack_func() of test_klp_stack_mod; either module may be missing.
 *
 * The new test_klp_transition_func() sleeps while bit <id> of the "hold"
 * parameter is set.  It is called by the kthreads of test_klp_transition_mod
 * (ids 0 and 1) while this livepatch is the active one, and in a loop by a
 * kthread of this module (id 2, pid in the "pid" parameter), which calls it
 * directly: that kthread can sleep in the new function of this livepatch
 * even while another livepatch on top of it takes all calls of the patched
 * function.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/delay.h>
#include <linux/livepatch.h>

/* The id of this module's kthread: bit 2 of "hold" and "blocked". */
#define OWN_THREAD_ID 2

static unsigned int hold;
module_param(hold, uint, 0644);
MODULE_PARM_DESC(hold, "bit mask of the kthreads held in the new function (2: own kthread)");

static unsigned long blocked;
module_param(blocked, ulong, 0444);
MODULE_PARM_DESC(blocked, "bit mask of the kthreads sleeping in the new function");

static int pid;
module_param(pid, int, 0444);
MODULE_PARM_DESC(pid, "pid of this module's kthread");

static struct task_struct *thread;

/* Not inlined into the kthread: its stack must hold this function. */
static noinline void livepatch_transition_func(unsigned int id)
{
	if (!(READ_ONCE(hold) & BIT(id)))
		return;

	set_bit(id, &blocked);
	pr_info("%s: kthread %u sleeps in the new function\n", __func__, id);
	while ((READ_ONCE(hold) & BIT(id)) && !kthread_should_stop())
		msleep(20);
	pr_info("%s: kthread %u leaves the new function\n", __func__, id);
	clear_bit(id, &blocked);
}

static int livepatch_stack_func(int value)
{
	return value + 2;
}

static int test_klp_stack_thread(void *data)
{
	while (!kthread_should_stop()) {
		livepatch_transition_func(OWN_THREAD_ID);
		msleep(20);
	}
	return 0;
}

static struct klp_func transition_funcs[] = {
	{
		.old_name = "test_klp_transition_func",
		.new_func = livepatch_transition_func,
	}, { }
};

static struct klp_func stack_funcs[] = {
	{
		.old_name = "test_klp_stack_func",
		.new_func = livepatch_stack_func,
	}, { }
};

static struct klp_object objs[] = {
	{
		.name = "test_klp_transition_mod",
		.funcs = transition_funcs,
	}, {
		.name = "test_klp_stack_mod",
		.funcs = stack_funcs,
	}, { }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int test_klp_stack_patch_init(void)
{
	int ret;

	thread = kthread_run(test_klp_stack_thread, NULL, "klp_stack_patch");
	if (IS_ERR(thread))
		return PTR_ERR(thread);
	pid = task_pid_nr(thread);

	ret = klp_enable_patch(&patch);
	if (ret)
		kthread_stop(thread);
	return ret;
}

static void test_klp_stack_patch_exit(void)
{
	kthread_stop(thread);
}

module_init(test_klp_stack_patch_init);
module_exit(test_klp_stack_patch_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
MODULE_DESCRIPTION("Livepatch test: livepatch whose new function a kthread of its own calls");
