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
 *   dup_object     the vmlinux object listed twice
 *   dup_func       a function listed twice in its object
 *   foreign_mod    patch->mod is another module, not marked as a livepatch
 *                  (test_klp_core_owner, which must be loaded)
 *   foreign_lp_mod patch->mod is another, already loaded livepatch module
 *                  (test_klp_core_owner_lp, which must be loaded)
 *   twice          klp_enable_patch() of the same patch a second time, after
 *                  it was enabled; the init logs the second call's result
 *                  and succeeds
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

/* The second entry is used by dup_func only. */
static struct klp_func funcs[] = {
	{
		.old_name = "cmdline_proc_show",
		.new_func = livepatch_cmdline_proc_show,
	}, { }, { }
};

/* A second, identical function array for the second vmlinux object of dup_object. */
static struct klp_func dup_funcs[] = {
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

/* Exported by the owner modules; symbol_get() lets this module load without them. */
struct module *test_klp_core_owner(void);
struct module *test_klp_core_owner_lp(void);

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

/*
 * Enable the patch with patch->mod set to the module that owner, a getter
 * exported by that module, returns.
 */
static int enable_as(struct module *(*owner)(void))
{
	if (!owner) {
		pr_err("the owner module is not loaded\n");
		return -ENOENT;
	}
	patch.mod = owner();
	return klp_enable_patch(&patch);
}

static int test_klp_core_bad_patch_init(void)
{
	struct module *(*owner)(void);
	int ret;

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
	} else if (!strcmp(defect, "dup_object")) {
		objs[1].funcs = dup_funcs;
	} else if (!strcmp(defect, "dup_func")) {
		funcs[1] = funcs[0];
	} else if (!strcmp(defect, "foreign_mod")) {
		owner = symbol_get(test_klp_core_owner);
		ret = enable_as(owner);
		if (owner)
			symbol_put(test_klp_core_owner);
		return ret;
	} else if (!strcmp(defect, "foreign_lp_mod")) {
		owner = symbol_get(test_klp_core_owner_lp);
		ret = enable_as(owner);
		if (owner)
			symbol_put(test_klp_core_owner_lp);
		return ret;
	} else if (!strcmp(defect, "twice")) {
		ret = klp_enable_patch(&patch);
		if (ret)
			return ret;
		pr_info("second klp_enable_patch(): %d\n", klp_enable_patch(&patch));
		return 0;
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
