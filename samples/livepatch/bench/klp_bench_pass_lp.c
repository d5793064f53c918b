// SPDX-License-Identifier: GPL-2.0
/*
 * Livepatch of klp_bench_pass_target: replaces all 100 of its functions, so
 * every kthread asleep in one of them blocks the transition.
 */

#include <linux/livepatch.h>
#include <linux/module.h>

#include "klp_bench_many.h"

/* Nothing calls these with x < 0 once patched: the sleepers entered the originals. */
#define LP_FN(n)							\
	static noinline int lp_pass_##n(int x)				\
	{								\
		barrier();						\
		return x * 5 + 2##n;					\
	}
KLP_BENCH_100(LP_FN, )

#define LP_FUNC(n) { .old_name = "klp_bench_pass_" #n, .new_func = lp_pass_##n, },
static struct klp_func funcs[] = {
	KLP_BENCH_100(LP_FUNC, )
	{ }
};

static struct klp_object objs[] = {
	{ .name = "klp_bench_pass_target", .funcs = funcs, },
	{ }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int __init klp_bench_pass_lp_init(void)
{
	return klp_enable_patch(&patch);
}

/* Nothing to undo, but without an exit function the module could never be removed. */
static void __exit klp_bench_pass_lp_exit(void)
{
}

module_init(klp_bench_pass_lp_init);
module_exit(klp_bench_pass_lp_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
MODULE_DESCRIPTION("Livepatch benchmark: a patch of 100 functions for the pass cost");
