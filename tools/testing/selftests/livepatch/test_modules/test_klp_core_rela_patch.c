// SPDX-License-Identifier: GPL-2.0
/*
 * Livepatch test: a livepatch that reaches non-exported symbols through
 * livepatch relocations.
 *
 * - vmlinux: cmdline_proc_show() is replaced by a function that prints
 *   saved_command_line_len, a non-exported vmlinux variable, through a
 *   .klp.rela.vmlinux relocation (written when this module loads).
 * - test_klp_core_rela_mod: test_klp_core_rela_show() is replaced by a
 *   function that prints the module's static test_klp_core_rela_seed through
 *   a .klp.rela.test_klp_core_rela_mod relocation (written when the target
 *   module loads, cleared when it goes).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/seq_file.h>
#include <linux/sysfs.h>
#include "test_klp_core_rela.h"

KLP_SYM(unsigned int, klp_saved_command_line_len,
	".klp.sym.vmlinux.saved_command_line_len,0");
KLP_REF(unsigned int, test_klp_core_rela_cmdline_len, ".klp_refs_vmlinux",
	klp_saved_command_line_len);

KLP_SYM(int, klp_seed, ".klp.sym.test_klp_core_rela_mod.test_klp_core_rela_seed,0");
KLP_REF(int, test_klp_core_rela_seed_ptr, ".klp_refs_mod", klp_seed);

static int livepatch_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%u\n", *READ_ONCE(test_klp_core_rela_cmdline_len));
	return 0;
}

static int livepatch_rela_show(char *buffer, const struct kernel_param *kp)
{
	return sysfs_emit(buffer, "%s: seed %d\n", THIS_MODULE->name,
			  *READ_ONCE(test_klp_core_rela_seed_ptr));
}

static struct klp_func vmlinux_funcs[] = {
	{
		.old_name = "cmdline_proc_show",
		.new_func = livepatch_cmdline_proc_show,
	}, { }
};

static struct klp_func mod_funcs[] = {
	{
		.old_name = "test_klp_core_rela_show",
		.new_func = livepatch_rela_show,
	}, { }
};

static struct klp_object objs[] = {
	{
		/* name being NULL means vmlinux */
		.funcs = vmlinux_funcs,
	}, {
		.name = "test_klp_core_rela_mod",
		.funcs = mod_funcs,
	}, { }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int test_klp_core_rela_patch_init(void)
{
	return klp_enable_patch(&patch);
}

static void test_klp_core_rela_patch_exit(void)
{
}

module_init(test_klp_core_rela_patch_init);
module_exit(test_klp_core_rela_patch_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
MODULE_DESCRIPTION("Livepatch test: livepatch relocations to vmlinux and a module");
