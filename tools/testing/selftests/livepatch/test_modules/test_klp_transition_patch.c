// SPDX-License-Identifier: GPL-2.0
/*
 * Livepatch test: livepatch of test_klp_transition_mod for the transition
 * tests.
 *
 * The new test_klp_transition_func() sleeps while bit <id> of this module's
 * "hold" parameter is set, so a kthread of the target module can be kept in
 * the new function and block an unpatching (or replacing) transition.  The
 * new test_klp_transition_spin_show() returns at once with the patch's name.
 * With replace=1 the patch is an atomic replace patch.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/delay.h>
#include <linux/kobject.h>
#include <linux/sysfs.h>
#include <linux/livepatch.h>

static unsigned int hold;
module_param(hold, uint, 0644);
MODULE_PARM_DESC(hold, "bit mask of the kthreads held in the new function");

static unsigned long blocked;
module_param(blocked, ulong, 0444);
MODULE_PARM_DESC(blocked, "bit mask of the kthreads sleeping in the new function");

static bool replace;
module_param(replace, bool, 0444);
MODULE_PARM_DESC(replace, "replace=1 makes an atomic replace patch (default=0)");

static void livepatch_transition_func(unsigned int id)
{
	if (!(READ_ONCE(hold) & BIT(id)))
		return;

	set_bit(id, &blocked);
	pr_info("%s: kthread %u sleeps in the new function\n", __func__, id);
	while ((READ_ONCE(hold) & BIT(id)) && !kthread_should_stop())
		msleep(20);
	pr_info("%s: kthread %u leaves the new function\n", __func__, id);
	clear_bit(id, &blocked);
}

static ssize_t livepatch_transition_spin_show(struct kobject *kobj,
					      struct kobj_attribute *attr,
					      char *buf)
{
	return sysfs_emit(buf, "%s\n", THIS_MODULE->name);
}

static struct klp_func funcs[] = {
	{
		.old_name = "test_klp_transition_func",
		.new_func = livepatch_transition_func,
	}, {
		.old_name = "test_klp_transition_spin_show",
		.new_func = livepatch_transition_spin_show,
	}, { }
};

static struct klp_object objs[] = {
	{
		.name = "test_klp_transition_mod",
		.funcs = funcs,
	}, { }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int test_klp_transition_patch_init(void)
{
	patch.replace = replace;
	return klp_enable_patch(&patch);
}

static void test_klp_transition_patch_exit(void)
{
}

module_init(test_klp_transition_patch_init);
module_exit(test_klp_transition_patch_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
MODULE_DESCRIPTION("Livepatch test: livepatch for the transition tests");
