// SPDX-License-Identifier: GPL-2.0
/*
 * Livepatch test: arm fail-nth (Documentation/fault-injection/) for the
 * duration of one klp_enable_patch() call, so that a fault-injection sweep
 * counts only the allocations of the livepatch core (and of the callbacks
 * it calls), not those of the module loader around it.
 *
 * Write the task's pid to the "pid" parameter and N to "nth": when that
 * task next enters klp_enable_patch(), its fail-nth is set to N (as writing
 * N to /proc/<pid>/fail-nth would), so that its N-th fault-injection point
 * fails; when the call returns, "left" gets the points still to pass (0:
 * the N-th failed) and fail-nth is cleared.  "pid" is cleared once used.
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

static unsigned int left;
module_param(left, uint, 0400);
MODULE_PARM_DESC(left, "fault-injection points the last armed call did not reach");

#ifdef CONFIG_FAULT_INJECTION
/* Per call: whether this call was armed. */
struct armed {
	bool armed;
};

static int arm(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct armed *a = (struct armed *)ri->data;

	a->armed = READ_ONCE(pid) && current->pid == READ_ONCE(pid);
	if (a->armed) {
		current->fail_nth = READ_ONCE(nth);
		WRITE_ONCE(pid, 0);
	}
	return 0;
}

static int disarm(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct armed *a = (struct armed *)ri->data;

	if (a->armed) {
		WRITE_ONCE(left, current->fail_nth);
		current->fail_nth = 0;
	}
	return 0;
}

static struct kretprobe probe = {
	.kp.symbol_name = "klp_enable_patch",
	.entry_handler = arm,
	.handler = disarm,
	.data_size = sizeof(struct armed),
	.maxactive = 4,
};

static int test_klp_fault_arm_init(void)
{
	return register_kretprobe(&probe);
}

static void test_klp_fault_arm_exit(void)
{
	unregister_kretprobe(&probe);
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
MODULE_DESCRIPTION("Livepatch test: fail the N-th allocation of a klp_enable_patch() call");
