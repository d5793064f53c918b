// SPDX-License-Identifier: GPL-2.0
/*
 * Livepatch test: a module whose
 * struct module test_klp_core_bad_patch (defect=foreign_mod) puts in
 * the patch it enables, as if the patch belonged to this module.
 */

#include <linux/module.h>

struct module *test_klp_core_owner(void);

struct module *test_klp_core_owner(void)
{
	return THIS_MODULE;
}
EXPORT_SYMBOL_GPL(test_klp_core_owner);

MODULE_LICENSE("GPL");

MODULE_DESCRIPTION("Livepatch test: a module that a patch of another module names as its own");
