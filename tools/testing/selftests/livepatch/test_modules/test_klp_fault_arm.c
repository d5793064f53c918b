// SPDX-License-Identifier: GPL-2.0
/*
 * Livepatch test: arm fail-nth (Documentation/fault-injection/) when a task
 * enters klp_enable_patch(), so that a fault-injection sweep counts only the
 * allocations of the livepatch core and of what runs after it in the patch
 * module's init, not those of the module loader before it.
 *
 * Write the task's pid to the "pid" parameter and N to "nth": when that
 * task next enters klp_enable_patch(), its N-th fault-injection point
 * fails (the task's fail-nth is set to N, as writing N to
 * /proc/<pid>/fail-nth would).  The task reads /proc/thread-self/fail-nth
 * afterwards as usual; "pid" is cleared once used.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/sched.h>

static int pid;
module_param(pid, int, 0600);
MODULE_PARM_DESC(pid, "task whose next klp_enable_patch() is armed (0: none)");

static unsigned int nth;
module_param(nth, uint, 0600);
MODULE_PARM_DESC(nth, "which fault-injection point fails, counted from klp_enable_patch()");

#ifdef CONFIG_FAULT_INJECTION
static int arm(struct kprobe *p, struct pt_regs *regs)
{
	if (READ_ONCE(pid) && current->pid == READ_ONCE(pid)) {
		current->fail_nth = READ_ONCE(nth);
		WRITE_ONCE(pid, 0);
	}
	return 0;
}

static struct kprobe probe = {
	.symbol_name = "klp_enable_patch",
	.pre_handler = arm,
};

static int test_klp_fault_arm_init(void)
{
	return register_kprobe(&probe);
}

static void test_klp_fault_arm_exit(void)
{
	unregister_kprobe(&probe);
}
#else
static int test_klp_fault_arm_init(void)
{
	pr_err("this kernel has no fault injection\n");
	return -EOPNOTSUPP;
}

static void test_klp_fault_arm_exit(void)
{
}
#endif

module_init(test_klp_fault_arm_init);
module_exit(test_klp_fault_arm_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch test: fail the N-th allocation from klp_enable_patch() on");
