// SPDX-License-Identifier: GPL-2.0
/*
 * Livepatch of test_klp_core_many_mod replacing all its hundred functions:
 * function nn returns x + 2nn instead of x + 1nn.
 */

#include <linux/livepatch.h>
#include <linux/module.h>
#include "test_klp_core_many.h"

#define KLP_MANY_NEW(nn)						\
	static noinline int livepatch_many_fn_##nn(int x)		\
	{								\
		barrier();						\
		return x + 2##nn;					\
	}
KLP_MANY_100(KLP_MANY_NEW)

#define KLP_MANY_FUNC(nn) {						\
		.old_name = "test_klp_core_many_fn_" #nn,		\
		.new_func = livepatch_many_fn_##nn,			\
	},
static struct klp_func funcs[] = {
	KLP_MANY_100(KLP_MANY_FUNC)
	{ }
};

static struct klp_object objs[] = {
	{
		.name = "test_klp_core_many_mod",
		.funcs = funcs,
	}, { }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int __init test_klp_core_many_patch_init(void)
{
	return klp_enable_patch(&patch);
}

static void __exit test_klp_core_many_patch_exit(void)
{
}

module_init(test_klp_core_many_patch_init);
module_exit(test_klp_core_many_patch_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
MODULE_DESCRIPTION("Livepatch test: replace one hundred functions");
