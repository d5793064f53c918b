// SPDX-License-Identifier: GPL-2.0
/*
 * C glue of the Rust livepatch core: what Rust cannot express itself.
 */

#include <linux/init.h>
#include "klp_rust.h"

/* Rust statics with locks need a run-time init before any patch module loads. */
static int __init klp_rust_core_init(void)
{
	return klp_rust_init();
}
core_initcall(klp_rust_core_init);
