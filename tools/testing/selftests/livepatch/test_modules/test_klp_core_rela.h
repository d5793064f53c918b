/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Livepatch test: references to other objects' symbols through livepatch
 * relocations, as klp-build generates them.
 *
 * KLP_SYM(type, var, name) declares var as an undefined symbol whose ELF
 * name is name, a livepatch symbol name ".klp.sym.<objname>.<symname>,<pos>"
 * (weak, so that modpost does not report it as undefined, as klp-build does).
 * KLP_REF(type, ptr, section, var) defines a pointer to it in a section of
 * its own, so that the section's relocation section holds nothing but that
 * one relocation.  After the module is linked, klp_mkrela (see
 * test_klp_core.mk) renames the relocation section (".rela<section>") to a
 * ".klp.rela.<objname>.<section>" name, flags it SHF_RELA_LIVEPATCH and marks
 * the symbol SHN_LIVEPATCH.
 *
 * Read the pointer with READ_ONCE(), so that the compiler cannot replace the
 * load with an ordinary relocation to the symbol.
 */

#ifndef _TEST_KLP_CORE_RELA_H
#define _TEST_KLP_CORE_RELA_H

#define KLP_SYM(type, var, name) \
	extern type var __asm__(name) __weak

#define KLP_REF(type, ptr, section, var) \
	type *ptr __section(section) __used = &var

#endif /* _TEST_KLP_CORE_RELA_H */
