// SPDX-License-Identifier: GPL-2.0
/*
 * C glue of the Rust livepatch core: what Rust cannot express itself.
 */

#include <linux/init.h>
#include <linux/moduleparam.h>
#include <linux/moduleloader.h>
#include "klp_rust.h"

/*
 * How patched functions are handed to ftrace (redirect.rs): one ftrace_ops for
 * all of them, changed once per object, or one per function as in the C core.
 * Read once at boot: livepatch.ftrace_batch=0 on the command line picks the
 * per-function mode.
 */
bool klp_ftrace_batch = IS_ENABLED(CONFIG_LIVEPATCH_RUST_FTRACE_BATCH);
module_param_named(ftrace_batch, klp_ftrace_batch, bool, 0444);

/*
 * Architectures without a way to undo relocations keep them (x86 overrides
 * this). Rust cannot define weak symbols.
 */
void __weak clear_relocate_add(Elf_Shdr *sechdrs, const char *strtab,
			       unsigned int symindex, unsigned int relsec,
			       struct module *me)
{
}

/* The Rust statics need a run-time init before any patch module loads. */
static int __init klp_rust_core_init(void)
{
	return klp_rust_init();
}
module_init(klp_rust_core_init);
