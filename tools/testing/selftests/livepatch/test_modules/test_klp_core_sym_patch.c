// SPDX-License-Identifier: GPL-2.0
/*
 * Livepatch test: livepatch of test_klp_core_dup_get() in
 * test_klp_core_dup_mod, a name the module defines twice.  The "sympos"
 * parameter is the function's old_sympos: 0 (ambiguous), 1, 2 or a position
 * that does not exist.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/sysfs.h>

static unsigned long sympos;
module_param(sympos, ulong, 0444);
MODULE_PARM_DESC(sympos, "old_sympos of test_klp_core_dup_get (default=0)");

static int livepatch_dup_get(char *buffer, const struct kernel_param *kp)
{
	return sysfs_emit(buffer, "%s: patched\n", THIS_MODULE->name);
}

static struct klp_func funcs[] = {
	{
		.old_name = "test_klp_core_dup_get",
		.new_func = livepatch_dup_get,
	}, { }
};

static struct klp_object objs[] = {
	{
		.name = "test_klp_core_dup_mod",
		.funcs = funcs,
	}, { }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int test_klp_core_sym_patch_init(void)
{
	funcs[0].old_sympos = sympos;
	return klp_enable_patch(&patch);
}

static void test_klp_core_sym_patch_exit(void)
{
}

module_init(test_klp_core_sym_patch_init);
module_exit(test_klp_core_sym_patch_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
MODULE_DESCRIPTION("Livepatch test: livepatch of a function name defined twice in a module");
