#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Symbol lookup of the functions to patch: a name defined twice in the
# target module needs old_sympos, a position past the last definition and a
# name missing from vmlinux are refused, both when the livepatch loads and
# when its target module loads after it.

. $(dirname $0)/functions.sh

MOD_TARGET=test_klp_core_dup_mod
MOD_LIVEPATCH=test_klp_core_sym_patch
MOD_MISSING=test_klp_core_sym_missing
FUNC=test_klp_core_dup_get

# check_param(param, value) - the target module's parameter reads value
function check_param() {
	local param="$1" want="$2" value

	value=$(cat "/sys/module/$MOD_TARGET/parameters/$param")
	[[ "$value" == "$want" ]] ||
		die "parameter $param of $MOD_TARGET is \"$value\", expected \"$want\""
}

setup_config


# - test_klp_core_dup_get is defined twice in the target module: without
#   old_sympos, the livepatch is refused when it loads (target present) ...
# - ... and the target module is refused when it loads after the livepatch.

start_test "ambiguous symbol without old_sympos"

load_mod $MOD_TARGET
load_failing_mod $MOD_LIVEPATCH
unload_mod $MOD_TARGET

load_lp $MOD_LIVEPATCH
load_failing_mod $MOD_TARGET
check_sysfs_value $MOD_LIVEPATCH $MOD_TARGET/patched 0
disable_lp $MOD_LIVEPATCH
unload_lp $MOD_LIVEPATCH

check_result "% insmod test_modules/$MOD_TARGET.ko
% insmod test_modules/$MOD_LIVEPATCH.ko
livepatch: unresolvable ambiguity for symbol '$FUNC' in object '$MOD_TARGET'
insmod: ERROR: could not insert module test_modules/$MOD_LIVEPATCH.ko: Invalid parameters
% rmmod $MOD_TARGET
% insmod test_modules/$MOD_LIVEPATCH.ko
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
% insmod test_modules/$MOD_TARGET.ko
livepatch: unresolvable ambiguity for symbol '$FUNC' in object '$MOD_TARGET'
livepatch: failed to initialize patch '$MOD_LIVEPATCH' for module '$MOD_TARGET' (-22)
livepatch: patch '$MOD_LIVEPATCH' failed for module '$MOD_TARGET', refusing to load module '$MOD_TARGET'
insmod: ERROR: could not insert module test_modules/$MOD_TARGET.ko: Invalid parameters
% echo 0 > $SYSFS_KLP_DIR/$MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
% rmmod $MOD_LIVEPATCH"


# - old_sympos=1 patches the function of part a (linked first), and
#   old_sympos=2 the one of part b; the other one keeps running.  The
#   function's sysfs directory is named after the position.

start_test "old_sympos selects one of two functions of the same name"

load_mod $MOD_TARGET
check_param a "$MOD_TARGET: original a"
check_param b "$MOD_TARGET: original b"

load_lp $MOD_LIVEPATCH sympos=1
[[ -d "$SYSFS_KLP_DIR/$MOD_LIVEPATCH/$MOD_TARGET/$FUNC,1" ]] ||
	die "no function directory $FUNC,1"
check_param a "$MOD_LIVEPATCH: patched"
check_param b "$MOD_TARGET: original b"
disable_lp $MOD_LIVEPATCH
unload_lp $MOD_LIVEPATCH

load_lp $MOD_LIVEPATCH sympos=2
[[ -d "$SYSFS_KLP_DIR/$MOD_LIVEPATCH/$MOD_TARGET/$FUNC,2" ]] ||
	die "no function directory $FUNC,2"
check_param a "$MOD_TARGET: original a"
check_param b "$MOD_LIVEPATCH: patched"
disable_lp $MOD_LIVEPATCH
unload_lp $MOD_LIVEPATCH

check_param b "$MOD_TARGET: original b"
unload_mod $MOD_TARGET

check_result "% insmod test_modules/$MOD_TARGET.ko
% insmod test_modules/$MOD_LIVEPATCH.ko sympos=1
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
% insmod test_modules/$MOD_LIVEPATCH.ko sympos=2
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


# - old_sympos=3 does not exist: the livepatch is refused when it loads
#   (target present), and the target module when it loads after it.

start_test "old_sympos past the last definition"

load_mod $MOD_TARGET
load_failing_mod $MOD_LIVEPATCH sympos=3
unload_mod $MOD_TARGET

load_lp $MOD_LIVEPATCH sympos=3
load_failing_mod $MOD_TARGET
disable_lp $MOD_LIVEPATCH
unload_lp $MOD_LIVEPATCH

check_result "% insmod test_modules/$MOD_TARGET.ko
% insmod test_modules/$MOD_LIVEPATCH.ko sympos=3
livepatch: symbol position 3 for symbol '$FUNC' in object '$MOD_TARGET' not found
insmod: ERROR: could not insert module test_modules/$MOD_LIVEPATCH.ko: Invalid parameters
% rmmod $MOD_TARGET
% insmod test_modules/$MOD_LIVEPATCH.ko sympos=3
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
% insmod test_modules/$MOD_TARGET.ko
livepatch: symbol position 3 for symbol '$FUNC' in object '$MOD_TARGET' not found
livepatch: failed to initialize patch '$MOD_LIVEPATCH' for module '$MOD_TARGET' (-22)
livepatch: patch '$MOD_LIVEPATCH' failed for module '$MOD_TARGET', refusing to load module '$MOD_TARGET'
insmod: ERROR: could not insert module test_modules/$MOD_TARGET.ko: Invalid parameters
% echo 0 > $SYSFS_KLP_DIR/$MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
% rmmod $MOD_LIVEPATCH"


# - A vmlinux function that does not exist: the livepatch is refused.

start_test "symbol missing from vmlinux"

load_failing_mod $MOD_MISSING

check_result "% insmod test_modules/$MOD_MISSING.ko
livepatch: symbol 'test_klp_core_no_such_symbol' not found in symbol table
insmod: ERROR: could not insert module test_modules/$MOD_MISSING.ko: Invalid parameters"

exit 0
