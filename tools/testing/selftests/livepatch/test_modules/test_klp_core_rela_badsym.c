// SPDX-License-Identifier: GPL-2.0
/*
 * Livepatch test: a .klp.rela.vmlinux relocation to a livepatch symbol
 * whose name lacks the ",<pos>" part.
 */

#define CMDLINE_LEN_SYM ".klp.sym.vmlinux.saved_command_line_len"
#include "test_klp_core_rela_cmdline.h"

MODULE_DESCRIPTION("Livepatch test: livepatch symbol name without position");
