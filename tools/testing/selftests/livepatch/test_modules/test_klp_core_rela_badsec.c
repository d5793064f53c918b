// SPDX-License-Identifier: GPL-2.0
/*
 * Livepatch test: a livepatch relocation section whose name has no object
 * name (".klp.rela..klp_refs_vmlinux", see test_klp_core.mk).
 */

#define CMDLINE_LEN_SYM ".klp.sym.vmlinux.saved_command_line_len,0"
#include "test_klp_core_rela_cmdline.h"

MODULE_DESCRIPTION("Livepatch test: livepatch relocation section without object name");
