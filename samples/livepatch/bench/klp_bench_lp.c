// SPDX-License-Identifier: GPL-2.0
/* Livepatch of the benchmark target: replaces klp_bench_fn and the blocker's function. */

#include <linux/completion.h>
#include <linux/livepatch.h>
#include <linux/module.h>

static noinline int lp_bench_fn(int x)
{
	barrier();
	return x + 2;
}

static noinline void lp_block_fn(struct completion *release)
{
	wait_for_completion(release);
	/* No tail call: this frame must stay on the stack while it sleeps. */
	barrier();
}

static struct klp_func funcs[] = {
	{ .old_name = "klp_bench_fn", .new_func = lp_bench_fn, },
	{ .old_name = "klp_bench_block_fn", .new_func = lp_block_fn, },
	{ }
};

static struct klp_object objs[] = {
	{ .name = "klp_bench_target", .funcs = funcs, },
	{ }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int __init klp_bench_lp_init(void)
{
	return klp_enable_patch(&patch);
}

/* Nothing to undo, but without an exit function the module could never be removed. */
static void __exit klp_bench_lp_exit(void)
{
}

module_init(klp_bench_lp_init);
module_exit(klp_bench_lp_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
MODULE_DESCRIPTION("Livepatch benchmark: the patch");
