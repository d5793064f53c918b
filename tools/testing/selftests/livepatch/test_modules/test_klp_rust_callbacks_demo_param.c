// SPDX-License-Identifier: GPL-2.0
/*
 * The pre_patch_ret parameter of test_klp_rust_callbacks_demo, writable at
 * run time like the C module's: parameters of Rust modules are set at load
 * time only, and test-callbacks.sh changes this one while the patch is loaded.
 */

#include <linux/moduleparam.h>

int test_klp_rust_pre_patch_ret;
module_param_named(pre_patch_ret, test_klp_rust_pre_patch_ret, int, 0644);
MODULE_PARM_DESC(pre_patch_ret, "pre_patch_ret (default=0)");
