/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The three stress patches, defined once. Each .c file sets these and
 * includes this file:
 *
 *   KLP_STRESS_ID       its letter, shown by the blocker while the kthread
 *                       sleeps in this patch's klp_stress_block_fn()
 *   KLP_STRESS_FN       1: replace klp_stress_target_fn()
 *   KLP_STRESS_FN2      1: replace klp_stress_target_fn2()
 *   KLP_STRESS_REPLACE  atomic replace
 *   KLP_STRESS_DESC     the module description
 *
 * Every replacement computes what the original does, so the getpid() hammer
 * and the target's self-check see the same answers whichever version runs:
 * a wrong answer is the core's fault. The patches differ in which target
 * functions they replace, so the functions' stacks of versions differ, and
 * an atomic replace leaves no-ops behind in a module that comes and goes.
 *
 *   /sys/module/<patch>/parameters/getpid_calls  calls that went through
 *                                                this patch's getpid()
 */

#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/sysfs.h>

#include "klp_stress.h"

static DEFINE_PER_CPU(unsigned long, stress_getpid_calls);

/* The hammer's syscall; same answer as the original. */
static asmlinkage long stress_sys_getpid(const struct pt_regs *regs)
{
	this_cpu_inc(stress_getpid_calls);
	return task_tgid_vnr(current);
}

#if KLP_STRESS_FN
static noinline int stress_target_fn(int x)
{
	return (x << 1) + x + 1;
}
#endif

#if KLP_STRESS_FN2
static noinline int stress_target_fn2(int x)
{
	return (x | 0x5a) & ~(x & 0x5a);
}
#endif

static noinline void stress_block_fn(struct klp_stress_block *block)
{
	WRITE_ONCE(block->in, KLP_STRESS_ID);
	block->sleep(block);
	/* Not a tail call: this frame stays on the stack during the sleep. */
	WRITE_ONCE(block->in, KLP_STRESS_OUTSIDE);
}

static struct klp_func vmlinux_funcs[] = {
	{ .old_name = "__x64_sys_getpid", .new_func = stress_sys_getpid, },
	{ }
};

static struct klp_func target_funcs[] = {
#if KLP_STRESS_FN
	{ .old_name = "klp_stress_target_fn", .new_func = stress_target_fn, },
#endif
#if KLP_STRESS_FN2
	{ .old_name = "klp_stress_target_fn2", .new_func = stress_target_fn2, },
#endif
	{ }
};

static struct klp_func blocker_funcs[] = {
	{ .old_name = "klp_stress_block_fn", .new_func = stress_block_fn, },
	{ }
};

static struct klp_object objs[] = {
	{ .funcs = vmlinux_funcs, },
	{ .name = "klp_stress_target", .funcs = target_funcs, },
	{ .name = "klp_stress_blocker", .funcs = blocker_funcs, },
	{ }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
	.replace = KLP_STRESS_REPLACE,
};

static int getpid_calls_get(char *buf, const struct kernel_param *kp)
{
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(stress_getpid_calls, cpu);
	return sysfs_emit(buf, "%lu\n", sum);
}

static const struct kernel_param_ops getpid_calls_ops = {
	.get = getpid_calls_get,
};
module_param_cb(getpid_calls, &getpid_calls_ops, NULL, 0444);
MODULE_PARM_DESC(getpid_calls, "getpid() calls that went through this patch");

static int __init klp_stress_patch_init(void)
{
	return klp_enable_patch(&patch);
}

/* Nothing to undo, but without an exit function the module could never be removed. */
static void __exit klp_stress_patch_exit(void)
{
}

module_init(klp_stress_patch_init);
module_exit(klp_stress_patch_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
MODULE_DESCRIPTION(KLP_STRESS_DESC);
