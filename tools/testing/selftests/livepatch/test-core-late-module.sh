#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Late module patching: a livepatch applies to its target module when the
# module loads after it (klp_module_coming), is reverted when the module
# unloads (klp_module_going) and applies again when it is reloaded.  A
# livepatch whose target module never loads enables all the same.

. $(dirname $0)/functions.sh

MOD_LIVEPATCH=test_klp_mod_patch
MOD_TARGET=test_klp_mod_target
MOD_ABSENT=test_klp_core_absent
ABSENT_TARGET=test_klp_core_absent_target

# check_output(mod) - /proc/$MOD_TARGET is the output of mod's function
function check_output() {
	local mod="$1" want value

	if [[ "$mod" == "$MOD_TARGET" ]]; then
		want="$MOD_TARGET: original output"
	else
		want="$mod: this has been live patched"
	fi
	value=$(cat "/proc/$MOD_TARGET")
	[[ "$value" == "$want" ]] ||
		die "/proc/$MOD_TARGET is \"$value\", expected \"$want\""
}

setup_config


# - Load the livepatch first: its object for the target module is not
#   patched ("patched" reads 0) but its function directory exists.
# - Load the target module: the patch applies to it while it loads.
# - Unload the target module: the patch is reverted; reload it: the patch
#   applies again.
# - Disable and remove the livepatch: the module's original function runs.

start_test "livepatch of a module loaded, unloaded and reloaded after it"

load_lp $MOD_LIVEPATCH
check_sysfs_value $MOD_LIVEPATCH $MOD_TARGET/patched 0
[[ -d "$SYSFS_KLP_DIR/$MOD_LIVEPATCH/$MOD_TARGET/test_klp_mod_target_show,1" ]] ||
	die "no function directory for test_klp_mod_target_show"

load_mod $MOD_TARGET
check_sysfs_value $MOD_LIVEPATCH $MOD_TARGET/patched 1
check_output $MOD_LIVEPATCH

unload_mod $MOD_TARGET
check_sysfs_value $MOD_LIVEPATCH $MOD_TARGET/patched 0

load_mod $MOD_TARGET
check_sysfs_value $MOD_LIVEPATCH $MOD_TARGET/patched 1
check_output $MOD_LIVEPATCH

disable_lp $MOD_LIVEPATCH
check_output $MOD_TARGET
unload_lp $MOD_LIVEPATCH
unload_mod $MOD_TARGET

check_result "% insmod test_modules/$MOD_LIVEPATCH.ko
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
% insmod test_modules/$MOD_TARGET.ko
livepatch: applying patch '$MOD_LIVEPATCH' to loading module '$MOD_TARGET'
$MOD_TARGET: test_klp_mod_target_init
% rmmod $MOD_TARGET
$MOD_TARGET: test_klp_mod_target_exit
livepatch: reverting patch '$MOD_LIVEPATCH' on unloading module '$MOD_TARGET'
% insmod test_modules/$MOD_TARGET.ko
livepatch: applying patch '$MOD_LIVEPATCH' to loading module '$MOD_TARGET'
$MOD_TARGET: test_klp_mod_target_init
% echo 0 > $SYSFS_KLP_DIR/$MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
% rmmod $MOD_LIVEPATCH
% rmmod $MOD_TARGET
$MOD_TARGET: test_klp_mod_target_exit"


# - A livepatch for a module that is never loaded: it enables, its object
#   reads patched 0 and it disables again.

start_test "livepatch of a module that is never loaded"

load_lp $MOD_ABSENT
check_sysfs_value $MOD_ABSENT enabled 1
check_sysfs_value $MOD_ABSENT transition 0
check_sysfs_value $MOD_ABSENT $ABSENT_TARGET/patched 0
[[ -d "$SYSFS_KLP_DIR/$MOD_ABSENT/$ABSENT_TARGET/test_klp_core_absent_func,1" ]] ||
	die "no function directory for test_klp_core_absent_func"
disable_lp $MOD_ABSENT
unload_lp $MOD_ABSENT

check_result "% insmod test_modules/$MOD_ABSENT.ko
livepatch: enabling patch '$MOD_ABSENT'
livepatch: '$MOD_ABSENT': initializing patching transition
livepatch: '$MOD_ABSENT': starting patching transition
livepatch: '$MOD_ABSENT': completing patching transition
livepatch: '$MOD_ABSENT': patching complete
% echo 0 > $SYSFS_KLP_DIR/$MOD_ABSENT/enabled
livepatch: '$MOD_ABSENT': initializing unpatching transition
livepatch: '$MOD_ABSENT': starting unpatching transition
livepatch: '$MOD_ABSENT': completing unpatching transition
livepatch: '$MOD_ABSENT': unpatching complete
% rmmod $MOD_ABSENT"

exit 0
