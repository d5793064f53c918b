// SPDX-License-Identifier: GPL-2.0
/*
 * Livepatch test: a livepatch whose only object is a module that is never
 * loaded.  The patch enables; its object's "patched" attribute reads 0.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>

static int livepatch_absent_func(void)
{
	return 0;
}

static struct klp_func funcs[] = {
	{
		.old_name = "test_klp_core_absent_func",
		.new_func = livepatch_absent_func,
	}, { }
};

static struct klp_object objs[] = {
	{
		.name = "test_klp_core_absent_target",
		.funcs = funcs,
	}, { }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int test_klp_core_absent_init(void)
{
	return klp_enable_patch(&patch);
}

static void test_klp_core_absent_exit(void)
{
}

module_init(test_klp_core_absent_init);
module_exit(test_klp_core_absent_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
MODULE_DESCRIPTION("Livepatch test: livepatch of a module that is never loaded");
