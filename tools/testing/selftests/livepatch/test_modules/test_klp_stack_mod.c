// SPDX-License-Identifier: GPL-2.0
/*
 * Livepatch test: target module for test-stack-check-module-going.sh.
 *
 * test_klp_stack_patch replaces test_klp_stack_func(); the test removes this
 * module while a transition of that livepatch is still in progress, so that
 * the livepatch core unpatches and frees the module's object under the
 * transition's per-task stack checks.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>

/* Not static, so that the compiler keeps its name and signature. */
noinline int test_klp_stack_func(int value);

/* The function the livepatch replaces. */
noinline int test_klp_stack_func(int value)
{
	return value + 1;
}

static int test_klp_stack_mod_init(void)
{
	return 0;
}

static void test_klp_stack_mod_exit(void)
{
}

module_init(test_klp_stack_mod_init);
module_exit(test_klp_stack_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch test: target module removed during a transition");
