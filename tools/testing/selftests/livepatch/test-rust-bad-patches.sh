#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Malformed live patches written in Rust are refused at insmod with the
# messages and errors of their C equivalents (test-core-symbols.sh and
# test-core-enable-errors.sh): a patch of a function that does not exist,
# and a patch listing a function twice.

. $(dirname $0)/functions.sh

MOD_MISSING=test_klp_rust_sym_missing
MOD_DUP=test_klp_rust_dup_func

# sysfs's duplicate-name warning comes with a stack dump, whose frames in
# the patch module would match what check_result reads: leave out frames.
function dmesg() {
	command dmesg "$@" | grep -v -E '^(\[[^]]*\])? +(\? )?[^ ]+\+0x[0-9a-f]+/0x[0-9a-f]+'
}

setup_config


start_test "a Rust patch of a missing symbol"

load_failing_mod $MOD_MISSING
[[ -e "$SYSFS_KLP_DIR/$MOD_MISSING" ]] && die "$SYSFS_KLP_DIR/$MOD_MISSING left behind"

check_result "% insmod test_modules/$MOD_MISSING.ko
livepatch: symbol 'test_klp_core_no_such_symbol' not found in symbol table
insmod: ERROR: could not insert module test_modules/$MOD_MISSING.ko: Invalid parameters"


start_test "a Rust patch listing a function twice"

load_failing_mod $MOD_DUP
[[ -e "$SYSFS_KLP_DIR/$MOD_DUP" ]] && die "$SYSFS_KLP_DIR/$MOD_DUP left behind"

check_result "% insmod test_modules/$MOD_DUP.ko
sysfs: cannot create duplicate filename '/kernel/livepatch/$MOD_DUP/vmlinux/cmdline_proc_show,1'
insmod: ERROR: could not insert module test_modules/$MOD_DUP.ko: Device or resource busy"

exit 0
