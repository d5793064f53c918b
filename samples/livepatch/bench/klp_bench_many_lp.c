// SPDX-License-Identifier: GPL-2.0
/* Livepatch of klp_bench_many_target: replaces all 1,000 of its functions. */

#include <linux/livepatch.h>
#include <linux/module.h>

#include "klp_bench_many.h"

/* Other results than the originals (x * 3 + 1nnn), so a reader of the sum can tell. */
#define LP_FN(n)							\
	static noinline int lp_many_##n(int x)				\
	{								\
		barrier();						\
		return x * 5 + 2##n;					\
	}
KLP_BENCH_1000(LP_FN)

#define LP_FUNC(n) { .old_name = "klp_bench_many_" #n, .new_func = lp_many_##n, },
static struct klp_func funcs[] = {
	KLP_BENCH_1000(LP_FUNC)
	{ }
};

static struct klp_object objs[] = {
	{ .name = "klp_bench_many_target", .funcs = funcs, },
	{ }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int __init klp_bench_many_lp_init(void)
{
	return klp_enable_patch(&patch);
}

/* Nothing to undo, but without an exit function the module could never be removed. */
static void __exit klp_bench_many_lp_exit(void)
{
}

module_init(klp_bench_many_lp_init);
module_exit(klp_bench_many_lp_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
MODULE_DESCRIPTION("Livepatch benchmark: a patch of 1,000 functions");
