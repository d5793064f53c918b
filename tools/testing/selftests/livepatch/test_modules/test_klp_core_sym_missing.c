// SPDX-License-Identifier: GPL-2.0
/*
 * Livepatch test: livepatch of a vmlinux function that does not exist.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>

static void livepatch_no_such_symbol(void)
{
}

static struct klp_func funcs[] = {
	{
		.old_name = "test_klp_core_no_such_symbol",
		.new_func = livepatch_no_such_symbol,
	}, { }
};

static struct klp_object objs[] = {
	{
		/* name being NULL means vmlinux */
		.funcs = funcs,
	}, { }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int test_klp_core_sym_missing_init(void)
{
	return klp_enable_patch(&patch);
}

static void test_klp_core_sym_missing_exit(void)
{
}

module_init(test_klp_core_sym_missing_init);
module_exit(test_klp_core_sym_missing_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
MODULE_DESCRIPTION("Livepatch test: livepatch of a symbol missing from vmlinux");
