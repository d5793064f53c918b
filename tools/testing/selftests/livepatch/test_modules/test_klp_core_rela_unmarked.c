// SPDX-License-Identifier: GPL-2.0
/*
 * Livepatch test: a .klp.rela.vmlinux relocation whose symbol is left
 * undefined instead of SHN_LIVEPATCH (klp_mkrela --no-mark, see
 * test_klp_core.mk).
 */

#define CMDLINE_LEN_SYM ".klp.sym.vmlinux.saved_command_line_len,0"
#include "test_klp_core_rela_cmdline.h"

MODULE_DESCRIPTION("Livepatch test: livepatch relocation to an unmarked symbol");
