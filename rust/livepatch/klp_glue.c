// SPDX-License-Identifier: GPL-2.0
/*
 * C glue of the Rust livepatch core: what Rust cannot express itself.
 */

#include <linux/init.h>
#include <linux/moduleloader.h>
#include "klp_rust.h"

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
