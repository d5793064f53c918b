// SPDX-License-Identifier: GPL-2.0
/*
 * A kprobe with a post handler on the function named by "func": kprobes on
 * ftrace then own the function's IP (FTRACE_OPS_FL_IPMODIFY), so a livepatch
 * of that function cannot be enabled (test-core-many.sh).
 */

#include <linux/kprobes.h>
#include <linux/module.h>

static char *func = "test_klp_core_many_fn_57";
module_param(func, charp, 0444);

static void post_handler(struct kprobe *p, struct pt_regs *regs,
			 unsigned long flags)
{
}

static struct kprobe kp = {
	.post_handler = post_handler,
};

static int __init test_klp_core_many_kprobe_init(void)
{
	kp.symbol_name = func;
	return register_kprobe(&kp);
}

static void __exit test_klp_core_many_kprobe_exit(void)
{
	unregister_kprobe(&kp);
}

module_init(test_klp_core_many_kprobe_init);
module_exit(test_klp_core_many_kprobe_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch test: kprobe with a post handler on one function");
