// SPDX-License-Identifier: GPL-2.0
/*
 * Atomic-replace livepatch of the benchmark target. It patches only
 * klp_bench_other_fn, so klp_bench_fn gets a no-op until the transition ends.
 */

#include <linux/livepatch.h>
#include <linux/module.h>

static noinline int lp_other_fn(int x)
{
	barrier();
	return x - 2;
}

static struct klp_func funcs[] = {
	{ .old_name = "klp_bench_other_fn", .new_func = lp_other_fn, },
	{ }
};

static struct klp_object objs[] = {
	{ .name = "klp_bench_target", .funcs = funcs, },
	{ }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
	.replace = true,
};

static int __init klp_bench_replace_init(void)
{
	return klp_enable_patch(&patch);
}

/* Nothing to undo, but without an exit function the module could never be removed. */
static void __exit klp_bench_replace_exit(void)
{
}

module_init(klp_bench_replace_init);
module_exit(klp_bench_replace_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
MODULE_DESCRIPTION("Livepatch benchmark: an atomic replace that leaves no-ops");
