// SPDX-License-Identifier: GPL-2.0
/*
 * Livepatch test: a C patch of two Rust functions of test_klp_rust_fentry_mod,
 * named by their mangled symbols.  answer() returns 2 instead of 1, and
 * hold_here() no longer sleeps.  "replace" makes it an atomic replace;
 * "sympos" is the old_sympos of both functions.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>

#include "test_klp_rust_fentry_names.h"

static int replace;
module_param(replace, int, 0644);
MODULE_PARM_DESC(replace, "replace (default=0)");

static int sympos;
module_param(sympos, int, 0644);
MODULE_PARM_DESC(sympos, "old_sympos of the functions (default=0)");

/* Both keep the C calling convention of the Rust originals. */
static int livepatch_answer(void)
{
	return 2;
}

static void livepatch_hold_here(void)
{
}

static struct klp_func funcs[] = {
	{
		.old_name = TEST_KLP_RUST_FENTRY_ANSWER,
		.new_func = livepatch_answer,
	}, {
		.old_name = TEST_KLP_RUST_FENTRY_HOLD_HERE,
		.new_func = livepatch_hold_here,
	}, {}
};

static struct klp_object objs[] = {
	{
		.name = "test_klp_rust_fentry_mod",
		.funcs = funcs,
	}, {}
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int test_klp_rust_fentry_patch_init(void)
{
	patch.replace = replace;
	funcs[0].old_sympos = sympos;
	funcs[1].old_sympos = sympos;
	return klp_enable_patch(&patch);
}

static void test_klp_rust_fentry_patch_exit(void)
{
}

module_init(test_klp_rust_fentry_patch_init);
module_exit(test_klp_rust_fentry_patch_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
MODULE_DESCRIPTION("Livepatch test: a C patch of Rust functions");
