/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A livepatch of test_klp_window_func() (test_klp_window.c) whose new
 * function returns WINDOW_RESULT; the two patches built from this header
 * stack on each other.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>

static int livepatch_window_func(void)
{
	return WINDOW_RESULT;
}

static struct klp_func funcs[] = {
	{
		.old_name = "test_klp_window_func",
		.new_func = livepatch_window_func,
	}, { }
};

static struct klp_object objs[] = {
	{
		.name = "test_klp_window",
		.funcs = funcs,
	}, { }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int test_klp_window_patch_init(void)
{
	return klp_enable_patch(&patch);
}

static void test_klp_window_patch_exit(void)
{
}

module_init(test_klp_window_patch_init);
module_exit(test_klp_window_patch_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
