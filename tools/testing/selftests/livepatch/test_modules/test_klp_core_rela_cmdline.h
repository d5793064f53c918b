/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Livepatch test: body of the test_klp_core_rela_{badsym,badsec,unmarked}
 * modules, whose .klp.rela.vmlinux relocation is malformed (by the symbol
 * name CMDLINE_LEN_SYM, or by how klp_mkrela post-processes the module, see
 * test_klp_core.mk), so that they never load.  With a well-formed relocation,
 * the livepatch would print saved_command_line_len in /proc/cmdline.
 */

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/seq_file.h>
#include "test_klp_core_rela.h"

KLP_SYM(unsigned int, klp_saved_command_line_len, CMDLINE_LEN_SYM);
KLP_REF(unsigned int, test_klp_core_rela_cmdline_len, ".klp_refs_vmlinux",
	klp_saved_command_line_len);

static int livepatch_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%u\n", *READ_ONCE(test_klp_core_rela_cmdline_len));
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

static int test_klp_core_rela_cmdline_init(void)
{
	return klp_enable_patch(&patch);
}

static void test_klp_core_rela_cmdline_exit(void)
{
}

module_init(test_klp_core_rela_cmdline_init);
module_exit(test_klp_core_rela_cmdline_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
