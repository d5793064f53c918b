// SPDX-License-Identifier: GPL-2.0
/*
 * Target of test-core-many.sh: one hundred traceable functions,
 * test_klp_core_many_fn_00() to _99(); function nn returns x + 1nn. Reading
 * the "sum" parameter calls each with x = 1 and prints the sum of the
 * results: 15050 unpatched, 25050 once test_klp_core_many_patch replaces
 * them all.
 */

#include <linux/module.h>
#include <linux/moduleparam.h>
#include "test_klp_core_many.h"

#define KLP_MANY_FN(nn)							\
	noinline int test_klp_core_many_fn_##nn(int x);			\
	noinline int test_klp_core_many_fn_##nn(int x)			\
	{								\
		barrier();						\
		return x + 1##nn;					\
	}
KLP_MANY_100(KLP_MANY_FN)

#define KLP_MANY_PTR(nn) test_klp_core_many_fn_##nn,
static int (*const many_fns[])(int) = { KLP_MANY_100(KLP_MANY_PTR) };

static int sum_get(char *buf, const struct kernel_param *kp)
{
	long sum = 0;
	int i;

	for (i = 0; i < ARRAY_SIZE(many_fns); i++) {
		/* An opaque pointer: every call goes through the fentry site. */
		int (*fn)(int) = READ_ONCE(many_fns[i]);

		sum += fn(1);
	}
	return sysfs_emit(buf, "%ld\n", sum);
}

static const struct kernel_param_ops sum_ops = {
	.get = sum_get,
};
module_param_cb(sum, &sum_ops, NULL, 0444);

static int __init test_klp_core_many_mod_init(void)
{
	return 0;
}

static void __exit test_klp_core_many_mod_exit(void)
{
}

module_init(test_klp_core_many_mod_init);
module_exit(test_klp_core_many_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch test: target module with one hundred functions");
