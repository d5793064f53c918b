#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Livepatch relocations (.klp.rela.<obj>.<section> sections, flagged
# SHF_RELA_LIVEPATCH, whose symbols are SHN_LIVEPATCH ".klp.sym.<obj>.<name>,<pos>"):
# the livepatch module reaches a non-exported vmlinux variable and a static
# variable of its target module, before and after the target module loads,
# and malformed relocations are refused.  The test modules' relocations are
# made by test_modules/klp_mkrela (see test_modules/test_klp_core.mk).

. $(dirname $0)/functions.sh

MOD_LIVEPATCH=test_klp_core_rela_patch
MOD_TARGET=test_klp_core_rela_mod
MOD_BADSYM=test_klp_core_rela_badsym
MOD_BADSEC=test_klp_core_rela_badsec
MOD_UNMARKED=test_klp_core_rela_unmarked
MOD_BADOBJ=test_klp_core_rela_badobj

# check_show(value) - the target module's "show" parameter reads value
function check_show() {
	local want="$1" value

	value=$(cat "/sys/module/$MOD_TARGET/parameters/show")
	[[ "$value" == "$want" ]] ||
		die "parameter show of $MOD_TARGET is \"$value\", expected \"$want\""
}

# check_cmdline(value) - /proc/cmdline reads value
function check_cmdline() {
	local want="$1" value

	value=$(cat /proc/cmdline)
	[[ "$value" == "$want" ]] ||
		die "/proc/cmdline is \"$value\", expected \"$want\""
}

setup_config

CMDLINE=$(cat /proc/cmdline)
# saved_command_line_len: /proc/cmdline is saved_command_line and a newline.
CMDLINE_LEN=${#CMDLINE}


# - The target module is loaded first, with seed=7.
# - The livepatch's vmlinux relocation (written when the livepatch loads)
#   gives its cmdline_proc_show() saved_command_line_len; its relocation to
#   the module's static variable (written when the livepatch is enabled)
#   gives its test_klp_core_rela_show() the seed.

start_test "livepatch relocations to vmlinux and to a loaded module"

load_mod $MOD_TARGET seed=7
check_show "$MOD_TARGET: original"
load_lp $MOD_LIVEPATCH
check_cmdline "$CMDLINE_LEN"
check_show "$MOD_LIVEPATCH: seed 7"
disable_lp $MOD_LIVEPATCH
unload_lp $MOD_LIVEPATCH
check_cmdline "$CMDLINE"
check_show "$MOD_TARGET: original"
unload_mod $MOD_TARGET

check_result "% insmod test_modules/$MOD_TARGET.ko seed=7
% insmod test_modules/$MOD_LIVEPATCH.ko
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
% echo 0 > $SYSFS_KLP_DIR/$MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
% rmmod $MOD_LIVEPATCH
% rmmod $MOD_TARGET"


# - The livepatch is loaded first; the module-specific relocation is
#   written when the target module loads (seed=11), cleared when it
#   unloads, and written again, to the new instance, when it is reloaded
#   (seed=22).

start_test "livepatch relocation to a module loaded after the livepatch"

load_lp $MOD_LIVEPATCH
check_cmdline "$CMDLINE_LEN"
load_mod $MOD_TARGET seed=11
check_show "$MOD_LIVEPATCH: seed 11"
unload_mod $MOD_TARGET
load_mod $MOD_TARGET seed=22
check_show "$MOD_LIVEPATCH: seed 22"
disable_lp $MOD_LIVEPATCH
unload_lp $MOD_LIVEPATCH
check_show "$MOD_TARGET: original"
unload_mod $MOD_TARGET

check_result "% insmod test_modules/$MOD_LIVEPATCH.ko
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
% insmod test_modules/$MOD_TARGET.ko seed=11
livepatch: applying patch '$MOD_LIVEPATCH' to loading module '$MOD_TARGET'
% rmmod $MOD_TARGET
livepatch: reverting patch '$MOD_LIVEPATCH' on unloading module '$MOD_TARGET'
% insmod test_modules/$MOD_TARGET.ko seed=22
livepatch: applying patch '$MOD_LIVEPATCH' to loading module '$MOD_TARGET'
% echo 0 > $SYSFS_KLP_DIR/$MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
% rmmod $MOD_LIVEPATCH
% rmmod $MOD_TARGET"


# - Malformed vmlinux relocations are refused when the livepatch module
#   loads: a symbol name without ",<pos>", a section name without object
#   name, a symbol not marked SHN_LIVEPATCH (the message names the index of
#   the symbol table section, which klp_mkrela saved in the stamp file).

start_test "malformed livepatch relocations to vmlinux"

SYMNDX=$(cat test_modules/$MOD_UNMARKED.klp-stamp) ||
	die "no symbol table index for $MOD_UNMARKED"

load_failing_mod $MOD_BADSYM
load_failing_mod $MOD_BADSEC
load_failing_mod $MOD_UNMARKED

check_result "% insmod test_modules/$MOD_BADSYM.ko
livepatch: symbol .klp.sym.vmlinux.saved_command_line_len has an incorrectly formatted name
insmod: ERROR: could not insert module test_modules/$MOD_BADSYM.ko: Invalid parameters
% insmod test_modules/$MOD_BADSEC.ko
livepatch: section .klp.rela..klp_refs_vmlinux has an incorrectly formatted name
insmod: ERROR: could not insert module test_modules/$MOD_BADSEC.ko: Invalid parameters
% insmod test_modules/$MOD_UNMARKED.ko
livepatch: symbol .klp.sym.vmlinux.saved_command_line_len,0 at rela sec $SYMNDX idx 0 is not marked as a livepatch symbol
insmod: ERROR: could not insert module test_modules/$MOD_UNMARKED.ko: Invalid parameters"


# - A module-specific relocation section that refers to a vmlinux symbol is
#   refused when the module's relocations are written: at klp_enable_patch()
#   when the target module is loaded, and when the target module loads
#   after the livepatch (the module is refused).

start_test "module-specific livepatch relocation to vmlinux"

load_mod $MOD_TARGET
load_failing_mod $MOD_BADOBJ
unload_mod $MOD_TARGET

load_lp $MOD_BADOBJ
load_failing_mod $MOD_TARGET
disable_lp $MOD_BADOBJ
unload_lp $MOD_BADOBJ

check_result "% insmod test_modules/$MOD_TARGET.ko
% insmod test_modules/$MOD_BADOBJ.ko
livepatch: invalid access to vmlinux symbol 'saved_command_line_len' from module-specific livepatch relocation section
insmod: ERROR: could not insert module test_modules/$MOD_BADOBJ.ko: Invalid parameters
% rmmod $MOD_TARGET
% insmod test_modules/$MOD_BADOBJ.ko
livepatch: enabling patch '$MOD_BADOBJ'
livepatch: '$MOD_BADOBJ': initializing patching transition
livepatch: '$MOD_BADOBJ': starting patching transition
livepatch: '$MOD_BADOBJ': completing patching transition
livepatch: '$MOD_BADOBJ': patching complete
% insmod test_modules/$MOD_TARGET.ko
livepatch: invalid access to vmlinux symbol 'saved_command_line_len' from module-specific livepatch relocation section
livepatch: failed to initialize patch '$MOD_BADOBJ' for module '$MOD_TARGET' (-22)
livepatch: patch '$MOD_BADOBJ' failed for module '$MOD_TARGET', refusing to load module '$MOD_TARGET'
insmod: ERROR: could not insert module test_modules/$MOD_TARGET.ko: Invalid parameters
% echo 0 > $SYSFS_KLP_DIR/$MOD_BADOBJ/enabled
livepatch: '$MOD_BADOBJ': initializing unpatching transition
livepatch: '$MOD_BADOBJ': starting unpatching transition
livepatch: '$MOD_BADOBJ': completing unpatching transition
livepatch: '$MOD_BADOBJ': unpatching complete
% rmmod $MOD_BADOBJ"

exit 0
