// SPDX-License-Identifier: GPL-2.0
/*
 * Livepatch test: part a of test_klp_core_dup_mod.  test_klp_core_dup_a.c and
 * test_klp_core_dup_b.c each define a static test_klp_core_dup_get(), so the
 * module's symbol table holds that name twice: old_sympos 1 is the one of
 * part a (linked first), old_sympos 2 the one of part b.
 *
 * Reading /sys/module/test_klp_core_dup_mod/parameters/a calls the function
 * of part a.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/sysfs.h>

/* Only called through the ops pointer: its name and signature stay. */
static int test_klp_core_dup_get(char *buffer, const struct kernel_param *kp)
{
	return sysfs_emit(buffer, "%s: original a\n", THIS_MODULE->name);
}

static const struct kernel_param_ops test_klp_core_dup_ops = {
	.get = test_klp_core_dup_get,
};
module_param_cb(a, &test_klp_core_dup_ops, NULL, 0444);
MODULE_PARM_DESC(a, "reads through the test_klp_core_dup_get() of part a");

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch test: target module with two static functions of the same name");
