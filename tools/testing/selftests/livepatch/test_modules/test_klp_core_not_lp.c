// SPDX-License-Identifier: GPL-2.0
/*
 * Livepatch test: a module that calls klp_enable_patch() without being
 * marked as a livepatch module (no MODULE_INFO(livepatch, "Y")).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/seq_file.h>

static int livepatch_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%s: %s\n", THIS_MODULE->name, "this has been live patched");
	return 0;
}

static struct klp_func funcs[] = {
	{
		.old_name = "cmdline_proc_show",
		.new_func = livepatch_cmdline_proc_show,
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

static int test_klp_core_not_lp_init(void)
{
	return klp_enable_patch(&patch);
}

static void test_klp_core_not_lp_exit(void)
{
}

module_init(test_klp_core_not_lp_init);
module_exit(test_klp_core_not_lp_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch test: klp_enable_patch() from a module not marked as a livepatch");
