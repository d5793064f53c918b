// SPDX-License-Identifier: GPL-2.0
/*
 * Livepatch test: klp_enable_patch() of malformed patches.  The "defect"
 * parameter selects what is wrong:
 *
 *   no_funcs       a module object with NULL funcs
 *   no_objs        a patch with NULL objs
 *   no_mod         a patch with NULL mod
 *   no_old_name    a function with NULL old_name
 *   no_new_func    a function with NULL new_func
 *   long_old_name  an old_name of KSYM_NAME_LEN characters
 *   long_obj_name  an object name of MODULE_NAME_LEN characters
 *
 *   no_objects     the vmlinux object has NULL funcs: with its NULL name,
 *                  it ends the objects array, and the patch has no objects
 *                  (a valid patch)
 *
 * Without a defect, the patch (of cmdline_proc_show) is valid.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kallsyms.h>
#include <linux/livepatch.h>
#include <linux/seq_file.h>
#include <linux/string.h>

static char *defect = "";
module_param(defect, charp, 0444);
MODULE_PARM_DESC(defect, "what is wrong with the patch (default: nothing)");

static int livepatch_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%s: %s\n", THIS_MODULE->name, "this has been live patched");
	return 0;
}

static char long_name[KSYM_NAME_LEN + 1];

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
	}, { }, { }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int test_klp_core_bad_patch_init(void)
{
	if (!strcmp(defect, "no_funcs")) {
		objs[1].name = "test_klp_core_no_such_module";
	} else if (!strcmp(defect, "no_objects")) {
		objs[0].funcs = NULL;
	} else if (!strcmp(defect, "no_objs")) {
		patch.objs = NULL;
	} else if (!strcmp(defect, "no_mod")) {
		patch.mod = NULL;
	} else if (!strcmp(defect, "no_old_name")) {
		funcs[0].old_name = NULL;
	} else if (!strcmp(defect, "no_new_func")) {
		funcs[0].new_func = NULL;
	} else if (!strcmp(defect, "long_old_name")) {
		memset(long_name, 'f', KSYM_NAME_LEN);
		funcs[0].old_name = long_name;
	} else if (!strcmp(defect, "long_obj_name")) {
		memset(long_name, 'm', MODULE_NAME_LEN);
		objs[0].name = long_name;
	} else if (*defect) {
		return -EDOM;
	}
	return klp_enable_patch(&patch);
}

static void test_klp_core_bad_patch_exit(void)
{
}

module_init(test_klp_core_bad_patch_init);
module_exit(test_klp_core_bad_patch_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
MODULE_DESCRIPTION("Livepatch test: klp_enable_patch() of malformed patches");
