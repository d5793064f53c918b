// SPDX-License-Identifier: GPL-2.0
/*
 * A traceable C function for the KUnit tests of kernel::ftrace: Rust code
 * has no fentry site, so the function a test redirects must be C.
 */

#include <linux/compiler.h>

int klp_kunit_ftrace_target(int x);
int klp_kunit_ftrace_target2(int x);

noinline int klp_kunit_ftrace_target(int x)
{
	/* Keep the call from being folded away by the compiler. */
	barrier();
	return x + 1;
}

noinline int klp_kunit_ftrace_target2(int x)
{
	barrier();
	return x + 2;
}
