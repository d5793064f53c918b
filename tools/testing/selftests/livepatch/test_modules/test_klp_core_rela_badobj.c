// SPDX-License-Identifier: GPL-2.0
/*
 * Livepatch test: a module-specific livepatch relocation section
 * (.klp.rela.test_klp_core_rela_mod.*) that refers to a vmlinux symbol.
 * The livepatch core refuses it when it writes the relocations of the
 * test_klp_core_rela_mod object.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/sysfs.h>
#include "test_klp_core_rela.h"

KLP_SYM(unsigned int, klp_saved_command_line_len,
	".klp.sym.vmlinux.saved_command_line_len,0");
KLP_REF(unsigned int, test_klp_core_rela_cmdline_len, ".klp_refs_mod",
	klp_saved_command_line_len);

static int livepatch_rela_show(char *buffer, const struct kernel_param *kp)
{
	return sysfs_emit(buffer, "%s: %u\n", THIS_MODULE->name,
			  *READ_ONCE(test_klp_core_rela_cmdline_len));
}

static struct klp_func funcs[] = {
	{
		.old_name = "test_klp_core_rela_show",
		.new_func = livepatch_rela_show,
	}, { }
};

static struct klp_object objs[] = {
	{
		.name = "test_klp_core_rela_mod",
		.funcs = funcs,
	}, { }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int test_klp_core_rela_badobj_init(void)
{
	return klp_enable_patch(&patch);
}

static void test_klp_core_rela_badobj_exit(void)
{
}

module_init(test_klp_core_rela_badobj_init);
module_exit(test_klp_core_rela_badobj_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
MODULE_DESCRIPTION("Livepatch test: module-specific livepatch relocation to vmlinux");
