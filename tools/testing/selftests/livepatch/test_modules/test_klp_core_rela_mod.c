// SPDX-License-Identifier: GPL-2.0
/*
 * Livepatch test: target module of test_klp_core_rela_patch.  The static
 * variable test_klp_core_rela_seed (set by the "seed" parameter) is what the
 * livepatch reads through a module-specific .klp.rela relocation.  Reading
 * /sys/module/test_klp_core_rela_mod/parameters/show calls
 * test_klp_core_rela_show(), which the livepatch replaces.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/sysfs.h>

static int test_klp_core_rela_seed;
module_param_named(seed, test_klp_core_rela_seed, int, 0444);
MODULE_PARM_DESC(seed, "the value of the static variable the livepatch reads");

/* Only called through the ops pointer: its name and signature stay. */
static int test_klp_core_rela_show(char *buffer, const struct kernel_param *kp)
{
	return sysfs_emit(buffer, "%s: original\n", THIS_MODULE->name);
}

static const struct kernel_param_ops test_klp_core_rela_show_ops = {
	.get = test_klp_core_rela_show,
};
module_param_cb(show, &test_klp_core_rela_show_ops, NULL, 0444);
MODULE_PARM_DESC(show, "reads through test_klp_core_rela_show()");

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch test: target module with a static variable for .klp.rela");
